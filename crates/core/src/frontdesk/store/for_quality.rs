//! What an audit's evidence (品质核查, 钥匙管理) reads of the key ledger.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The ledger now and the loans of a window.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct KeyTally {
    /// Keys kept (not retired).
    pub keys: i64,
    /// Loans not returned, and those of them past due.
    pub lent_out: i64,
    pub overdue: i64,
    /// Loans made in the window, and those returned.
    pub loans: i64,
    pub returned: i64,
}

/// The community's key ledger at `to`, and its loans made from `from` to `to`.
pub(crate) async fn key_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<KeyTally> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM key_items WHERE community_id = $1 AND state <> 'retired') AS keys, \
         (SELECT COUNT(*) FROM key_loans WHERE community_id = $1 AND returned_at IS NULL) AS lent_out, \
         (SELECT COUNT(*) FROM key_loans WHERE community_id = $1 AND returned_at IS NULL \
          AND due_at < $3) AS overdue, \
         (SELECT COUNT(*) FROM key_loans WHERE community_id = $1 AND lent_at >= $2 AND lent_at < $3) AS loans, \
         (SELECT COUNT(*) FROM key_loans WHERE community_id = $1 AND lent_at >= $2 AND lent_at < $3 \
          AND returned_at IS NOT NULL) AS returned",
        args![c, from, to],
    )
    .await
}
