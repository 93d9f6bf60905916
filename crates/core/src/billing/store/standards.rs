//! Charge standards (`charge_standards`): the schedule a manager edits and the standards a
//! bill run prices its lines by.

use chrono::{DateTime, Utc};

use crate::args;
use crate::billing::Standard;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const STD_COLS: &str = "id, community_id, fee_item_id, name, method, price_e4, tiers, cycle, \
     cycle_start_month, due_day, rounding, building_ids, use_kinds, unit_states, space_states, \
     vacant_pct, active";

pub(crate) async fn list(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<Standard>> {
    q.fetch_all(
        &format!(
            "SELECT {STD_COLS} FROM charge_standards WHERE community_id = $1 ORDER BY fee_item_id, id"
        ),
        args![c],
    )
    .await
}

pub(crate) async fn in_community(
    q: &mut impl Queries,
    c: CommunityId,
    id: StandardId,
) -> CoreResult<Option<Standard>> {
    q.fetch_optional(
        &format!("SELECT {STD_COLS} FROM charge_standards WHERE id = $1 AND community_id = $2"),
        args![id, c],
    )
    .await
}

pub(crate) async fn by_id(q: &mut impl Queries, id: StandardId) -> CoreResult<Standard> {
    q.fetch_one(
        &format!("SELECT {STD_COLS} FROM charge_standards WHERE id = $1"),
        args![id],
    )
    .await
}

/// The active standards of active fee items, as a run reads them.
pub(crate) async fn active(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<Standard>> {
    q.fetch_all(
        &format!(
            "SELECT {STD_COLS} FROM charge_standards s WHERE community_id = $1 AND active = $2 \
             AND EXISTS (SELECT 1 FROM fee_items f WHERE f.id = s.fee_item_id AND f.active = $2) \
             ORDER BY fee_item_id, id"
        ),
        args![c, true],
    )
    .await
}

/// The columns a save writes, in the order of both statements' placeholders.
pub(crate) struct StandardWrite<'a> {
    pub fee_item_id: i64,
    pub name: &'a str,
    pub method: &'a str,
    pub price_e4: i64,
    pub tiers: &'a str,
    pub cycle: &'a str,
    pub cycle_start_month: i64,
    pub due_day: i64,
    pub rounding: &'a str,
    pub building_ids: &'a str,
    pub use_kinds: &'a str,
    pub unit_states: &'a str,
    pub space_states: &'a str,
    pub vacant_pct: i64,
    pub active: bool,
}

fn cols(c: CommunityId, w: &StandardWrite<'_>, now: DateTime<Utc>) -> crate::db::Args {
    args![
        c,
        w.fee_item_id,
        w.name,
        w.method,
        w.price_e4,
        w.tiers,
        w.cycle,
        w.cycle_start_month,
        w.due_day,
        w.rounding,
        w.building_ids,
        w.use_kinds,
        w.unit_states,
        w.space_states,
        w.vacant_pct,
        w.active,
        now
    ]
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    w: &StandardWrite<'_>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO charge_standards (community_id, fee_item_id, name, method, price_e4, tiers, \
         cycle, cycle_start_month, due_day, rounding, building_ids, use_kinds, unit_states, \
         space_states, vacant_pct, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, \
         $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) RETURNING id",
        cols(c, w, now),
    )
    .await
}

pub(crate) async fn update(
    tx: &mut Tx,
    c: CommunityId,
    id: StandardId,
    w: &StandardWrite<'_>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let mut a = cols(c, w, now);
    a.push(id);
    tx.execute(
        "UPDATE charge_standards SET community_id = $1, fee_item_id = $2, name = $3, method = $4, \
         price_e4 = $5, tiers = $6, cycle = $7, cycle_start_month = $8, due_day = $9, rounding = $10, \
         building_ids = $11, use_kinds = $12, unit_states = $13, space_states = $14, vacant_pct = $15, \
         active = $16, updated_at = $17 WHERE id = $18",
        a,
    )
    .await?;
    Ok(())
}
