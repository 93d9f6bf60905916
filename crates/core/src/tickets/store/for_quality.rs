//! What an audit's evidence (品质核查) reads of requests: a community's requests registered over
//! a window, complaints apart from the rest — dispatched, closed, rated and rated low.

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The kinds that are complaints (客户投诉).
const COMPLAINT: &str = "r.kind IN ('complaint_general', 'complaint_serious')";

/// The requests (or the complaints) of a window.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct RequestTally {
    /// 1 for complaints, 0 for the rest.
    pub complaint: i64,
    pub registered: i64,
    pub dispatched: i64,
    pub closed: i64,
    /// Closed and rated (called back).
    pub closed_rated: i64,
    pub rated: i64,
    pub rating_sum: i64,
    /// Rated under 3 (a rating that reopens the request).
    pub low: i64,
}

/// The community's requests registered on local days `from`..=`to` (cancelled ones left out).
pub(crate) async fn request_tallies(
    q: &mut impl Queries,
    c: CommunityId,
    from: &str,
    to: &str,
) -> CoreResult<Vec<RequestTally>> {
    q.fetch_all(
        &format!(
            "SELECT CAST(CASE WHEN {COMPLAINT} THEN 1 ELSE 0 END AS BIGINT) AS complaint, \
             COUNT(*) AS registered, \
             SUM(CASE WHEN r.assignee_id IS NOT NULL OR r.team_id IS NOT NULL THEN 1 ELSE 0 END) AS dispatched, \
             SUM(CASE WHEN r.state = 'closed' THEN 1 ELSE 0 END) AS closed, \
             SUM(CASE WHEN r.state = 'closed' AND r.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS closed_rated, \
             SUM(CASE WHEN r.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
             CAST(COALESCE(SUM(r.satisfaction), 0) AS BIGINT) AS rating_sum, \
             SUM(CASE WHEN r.satisfaction < 3 THEN 1 ELSE 0 END) AS low \
             FROM requests r WHERE r.community_id = $1 AND r.created_day >= $2 \
             AND r.created_day <= $3 AND r.state <> 'cancelled' \
             GROUP BY CASE WHEN {COMPLAINT} THEN 1 ELSE 0 END"
        ),
        args![c, from, to],
    )
    .await
}
