//! What the company dashboard (经营看板) reads of quality: one community's open rectifications
//! and its latest signed audit.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Rectifications not closed (being done or awaiting the recheck), and how many of those being
/// done are past their deadline.
pub(crate) async fn open_rectifications(
    q: &mut impl Queries,
    c: CommunityId,
    now: DateTime<Utc>,
) -> CoreResult<(i64, i64)> {
    let (open, overdue): (i64, i64) = q
        .fetch_one(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN state = 'open' AND due_at < $2 THEN 1 ELSE 0 END), 0) \
             FROM rectifications WHERE community_id = $1 AND state IN ('open', 'submitted')",
            args![c, now],
        )
        .await?;
    Ok((open, overdue))
}

/// The community's latest signed audit.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct LatestAudit {
    pub id: AuditId,
    pub number: String,
    pub total_cp: i64,
    pub grade: String,
    pub signed_at: DateTime<Utc>,
}

pub(crate) async fn latest_audit(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<LatestAudit>> {
    q.fetch_optional(
        "SELECT id, number, total_cp, grade, signed_at FROM audits WHERE community_id = $1 \
         AND state = 'signed' ORDER BY signed_at DESC, id DESC LIMIT 1",
        args![c],
    )
    .await
}
