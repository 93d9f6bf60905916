//! What handovers read of requests: the community's open ones, those whose clock ran out first,
//! then those warned, then the oldest.

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// An open request as a handover lists it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OpenRequest {
    pub id: RequestId,
    pub number: String,
    pub state: String,
    pub location: Option<String>,
    pub description: String,
    /// A clock ran out and is not met.
    pub breached: bool,
    pub warned: bool,
}

/// The community's open requests (not done, closed or cancelled), breached first, then warned,
/// then by age; at most `limit`.
pub(crate) async fn open_requests(
    q: &mut impl Queries,
    c: CommunityId,
    limit: i64,
) -> CoreResult<Vec<OpenRequest>> {
    q.fetch_all(
        "SELECT r.id, r.number, r.state, r.location, r.description, \
         EXISTS (SELECT 1 FROM request_clocks k WHERE k.request_id = r.id AND k.met_at IS NULL \
         AND k.breached_at IS NOT NULL) AS breached, \
         EXISTS (SELECT 1 FROM request_clocks k WHERE k.request_id = r.id AND k.met_at IS NULL \
         AND k.warned_at IS NOT NULL) AS warned \
         FROM requests r WHERE r.community_id = $1 AND r.state NOT IN ('done', 'closed', 'cancelled') \
         ORDER BY breached DESC, warned DESC, r.created_at LIMIT $2",
        args![c, limit],
    )
    .await
}
