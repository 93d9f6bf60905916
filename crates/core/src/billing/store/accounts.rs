//! Unit accounts (`billing_accounts`, `prepaid_entries`): each unit's billing dates and its
//! prepaid balance, whose every move is recorded as an entry.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::Account;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The unit's account row, when it has one.
pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<Account>> {
    q.fetch_optional(
        "SELECT community_id, unit_id, prepaid_fen, billing_from, billing_until FROM billing_accounts \
         WHERE community_id = $1 AND unit_id = $2",
        args![c, unit],
    )
    .await
}

pub(crate) async fn set_dates(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    from: Option<NaiveDate>,
    until: Option<NaiveDate>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO billing_accounts (community_id, unit_id, prepaid_fen, billing_from, billing_until, updated_at) \
         VALUES ($1, $2, 0, $3, $4, $5) ON CONFLICT (community_id, unit_id) DO UPDATE SET \
         billing_from = $3, billing_until = $4, updated_at = $5",
        args![c, unit, from, until, now],
    )
    .await?;
    Ok(())
}

/// Adds `delta` to the unit's prepaid balance; returns the new balance.
pub(crate) async fn add_prepaid(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    delta: i64,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO billing_accounts (community_id, unit_id, prepaid_fen, updated_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, unit_id) DO UPDATE SET \
             prepaid_fen = billing_accounts.prepaid_fen + $3, updated_at = $4 RETURNING prepaid_fen",
            args![c, unit, delta, now],
        )
        .await?;
    Ok(row.map(|(p,)| p))
}

/// Records why the prepaid balance moved.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_entry(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    kind: &str,
    delta: i64,
    payment: Option<i64>,
    charge: Option<i64>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO prepaid_entries (community_id, unit_id, kind, amount_fen, payment_id, charge_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![c, unit, kind, delta, payment, charge, now],
    )
    .await?;
    Ok(())
}

/// The units with billing dates set (few: handed over or moved out inside a period).
pub(crate) async fn billing_dates(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, Option<NaiveDate>, Option<NaiveDate>)>> {
    q.fetch_all(
        "SELECT unit_id, billing_from, billing_until FROM billing_accounts WHERE community_id = $1 \
         AND (billing_from IS NOT NULL OR billing_until IS NOT NULL)",
        args![c],
    )
    .await
}

/// The units with a prepaid balance.
pub(crate) async fn with_prepaid(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<(UnitId,)>> {
    tx.fetch_all(
        "SELECT unit_id FROM billing_accounts WHERE community_id = $1 AND prepaid_fen > 0",
        args![c],
    )
    .await
}
