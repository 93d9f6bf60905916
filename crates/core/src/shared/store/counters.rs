//! Per-community counters (request numbers, receipt numbers): the `community_counters` table and
//! the one way to draw from it. Numbers are gapless because they are drawn inside the caller's
//! transaction.

use crate::args;
use crate::db::{Tx, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;

/// The next value of a per-community counter (request numbers, receipt numbers), drawn inside
/// the caller's transaction: the upsert is atomic on both databases, so concurrent writers
/// never draw the same value, and a rolled-back transaction gives its number back.
pub async fn next_counter(tx: &mut Tx, community: CommunityId, name: &str) -> CoreResult<i64> {
    advance_counter(tx, community, name, 1).await
}

/// Moves a community's counter on by `k` (≥ 1) and returns its new value: the numbers
/// `value - k + 1 ..= value` are the caller's.
pub async fn advance_counter(
    tx: &mut impl Writes,
    community: CommunityId,
    name: &str,
    k: i64,
) -> CoreResult<i64> {
    let rows: Vec<(i64,)> = tx
        .fetch_all(
            "INSERT INTO community_counters (community_id, name, value) VALUES ($1, $2, $3) \
             ON CONFLICT (community_id, name) DO UPDATE SET value = community_counters.value + excluded.value \
             RETURNING value",
            args![community, name, k],
        )
        .await?;
    rows.first()
        .map(|r| r.0)
        .ok_or_else(|| crate::shared::error::CoreError::internal("counter"))
}
