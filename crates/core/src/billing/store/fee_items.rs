//! Fee items (`fee_items`): read by code or id, upserted by code, and the service item paid
//! services are charged under.

use chrono::{DateTime, Utc};

use crate::args;
use crate::billing::FeeItem;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const ITEM_COLS: &str = "id, community_id, code, name, kind, late_fee_ppm, \
     late_fee_grace_days, late_fee_cap_pct, active";

pub(crate) async fn list(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<FeeItem>> {
    q.fetch_all(
        &format!("SELECT {ITEM_COLS} FROM fee_items WHERE community_id = $1 ORDER BY code"),
        args![c],
    )
    .await
}

pub(crate) async fn by_id(
    q: &mut impl Queries,
    c: CommunityId,
    id: FeeItemId,
) -> CoreResult<Option<FeeItem>> {
    q.fetch_optional(
        &format!("SELECT {ITEM_COLS} FROM fee_items WHERE id = $1 AND community_id = $2"),
        args![id, c],
    )
    .await
}

pub(crate) async fn by_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<Option<FeeItem>> {
    q.fetch_optional(
        &format!("SELECT {ITEM_COLS} FROM fee_items WHERE community_id = $1 AND code = $2"),
        args![c, code],
    )
    .await
}

/// The columns a save writes.
pub(crate) struct ItemWrite<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub kind: &'a str,
    pub late_fee_ppm: i64,
    pub late_fee_grace_days: i64,
    pub late_fee_cap_pct: Option<i64>,
    pub active: bool,
}

/// Creates the item or updates the one with its code.
pub(crate) async fn upsert(
    tx: &mut Tx,
    c: CommunityId,
    w: ItemWrite<'_>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO fee_items (community_id, code, name, kind, late_fee_ppm, late_fee_grace_days, \
         late_fee_cap_pct, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
         ON CONFLICT (community_id, code) DO UPDATE SET name = $3, kind = $4, late_fee_ppm = $5, \
         late_fee_grace_days = $6, late_fee_cap_pct = $7, active = $8, updated_at = $9",
        args![
            c,
            w.code,
            w.name,
            w.kind,
            w.late_fee_ppm,
            w.late_fee_grace_days,
            w.late_fee_cap_pct,
            w.active,
            now
        ],
    )
    .await?;
    Ok(())
}

/// Every item's name by id (a run names its charges by them).
pub(crate) async fn names(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<(i64, String)>> {
    q.fetch_all(
        "SELECT id, name FROM fee_items WHERE community_id = $1",
        args![c],
    )
    .await
}

pub(crate) async fn name(q: &mut impl Queries, id: FeeItemId) -> CoreResult<String> {
    let (item,): (String,) = q
        .fetch_one("SELECT name FROM fee_items WHERE id = $1", args![id])
        .await?;
    Ok(item)
}

/// The first item of kind `service`.
pub(crate) async fn service_item(tx: &mut Tx, c: CommunityId) -> CoreResult<Option<i64>> {
    item_of_kind(tx, c, "service").await
}

/// The first item of a kind.
pub(crate) async fn item_of_kind(
    tx: &mut Tx,
    c: CommunityId,
    kind: &str,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM fee_items WHERE community_id = $1 AND kind = $2 ORDER BY id",
            args![c, kind],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

/// The item of a code: its id and kind.
pub(crate) async fn item_of_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<Option<(i64, String)>> {
    q.fetch_optional(
        "SELECT id, kind FROM fee_items WHERE community_id = $1 AND code = $2",
        args![c, code],
    )
    .await
}

/// Creates an item another module charges under (`SERVICE` 有偿服务, `DECORATION` 装修费用);
/// none when its code is already taken.
pub(crate) async fn create_module_item(
    tx: &mut Tx,
    c: CommunityId,
    (code, name, kind): (&str, &str, &str),
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO fee_items (community_id, code, name, kind, late_fee_ppm, late_fee_grace_days, \
             active, created_at, updated_at) VALUES ($1, $2, $3, $4, 0, 0, $5, $6, $6) \
             ON CONFLICT (community_id, code) DO NOTHING RETURNING id",
            args![c, code, name, kind, true, now],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}
