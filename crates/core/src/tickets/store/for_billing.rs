//! What billing reads and writes of the requests' paid services (`pending_charges`): a request
//! hands a paid service over as a row; billing turns each row into one charge and writes the
//! charge's id back, which is what makes the hand-over happen once.

use crate::args;
use crate::db::Tx;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// A paid service waiting to become a charge.
#[derive(sqlx::FromRow)]
pub(crate) struct PendingRow {
    pub id: i64,
    pub unit_id: UnitId,
    pub description: String,
    pub amount_fen: i64,
}

/// The community's paid services not yet charged, in hand-over order.
pub(crate) async fn unposted(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<PendingRow>> {
    tx.fetch_all(
        "SELECT id, unit_id, description, amount_fen FROM pending_charges \
         WHERE community_id = $1 AND charge_id IS NULL ORDER BY id",
        args![c],
    )
    .await
}

/// Claims a hand-over row for its charge; 0 when another posting claimed it first.
pub(crate) async fn mark_posted(tx: &mut Tx, id: i64, charge: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE pending_charges SET charge_id = $1 WHERE id = $2 AND charge_id IS NULL",
        args![charge, id],
    )
    .await
}
