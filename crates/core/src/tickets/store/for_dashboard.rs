//! What the company dashboard (经营看板) reads of requests: one community's requests and clocks
//! by local day over a window (the dashboard adds the days up into months), and the open clocks
//! of many communities by where they stand now.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Backend, Queries};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::clocks::state_condition;
use super::in_list;

/// One local day of a community's requests (cancelled ones left out) and their clocks.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RequestDay {
    pub day: String,
    pub requests: i64,
    pub resolved: i64,
    pub complaints: i64,
    pub rated: i64,
    pub rating_sum: i64,
}

/// The community's requests registered on local days `from`..=`to`, by day.
pub(crate) async fn request_days(
    q: &mut impl Queries,
    c: CommunityId,
    from: &str,
    to: &str,
) -> CoreResult<Vec<RequestDay>> {
    q.fetch_all(
        "SELECT r.created_day AS day, COUNT(*) AS requests, \
         SUM(CASE WHEN r.state IN ('done', 'closed') THEN 1 ELSE 0 END) AS resolved, \
         SUM(CASE WHEN r.kind IN ('complaint_general', 'complaint_serious') THEN 1 ELSE 0 END) AS complaints, \
         SUM(CASE WHEN r.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
         CAST(COALESCE(SUM(r.satisfaction), 0) AS BIGINT) AS rating_sum \
         FROM requests r WHERE r.community_id = $1 AND r.created_day >= $2 AND r.created_day <= $3 \
         AND r.state <> 'cancelled' GROUP BY r.created_day",
        args![c, from, to],
    )
    .await
}

/// One local day of a community's clocks: met on time, met late, unmet past due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ClockDay {
    pub day: String,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
}

/// The clocks of the community's requests registered on local days `from`..=`to`, by day.
pub(crate) async fn clock_days(
    q: &mut impl Queries,
    c: CommunityId,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<ClockDay>> {
    q.fetch_all(
        &format!(
            "SELECT c.created_day AS day, \
             SUM(CASE WHEN c.met_late = 0 THEN 1 ELSE 0 END) AS on_time, \
             SUM(CASE WHEN c.met_late = 1 THEN 1 ELSE 0 END) AS late, \
             SUM(CASE WHEN c.met_at IS NULL AND {} THEN 1 ELSE 0 END) AS overdue \
             FROM request_clocks c WHERE c.community_id = $1 AND c.created_day >= $2 \
             AND c.created_day <= $3 GROUP BY c.created_day",
            state_condition("breached", "$4")
        ),
        args![c, from, to, now],
    )
    .await
}

/// A community's unmet clocks of one kind by where they stand now.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OpenClocksOf {
    pub community_id: CommunityId,
    pub clock: String,
    pub breached: i64,
    pub at_risk: i64,
    pub paused: i64,
    pub n: i64,
}

/// Every unmet clock of the communities by community, kind and state, from the
/// `request_clocks_open` partial index alone (only open requests' clocks are read).
pub(crate) async fn open_clocks(
    q: &mut impl Queries,
    communities: &[CommunityId],
    now: DateTime<Utc>,
) -> CoreResult<Vec<OpenClocksOf>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, a) = open_clocks_sql(communities, now, q.backend());
    q.fetch_all(&sql, a).await
}

/// The SQL of [`open_clocks`].
pub(crate) fn open_clocks_sql(
    communities: &[CommunityId],
    now: DateTime<Utc>,
    b: Backend,
) -> (String, Args) {
    let mut a = Args::new();
    let now = a.push(now);
    let indexed = match b {
        Backend::Sqlite => " INDEXED BY request_clocks_open",
        Backend::Postgres => "",
    };
    let w = in_list(&mut a, "c.community_id", communities);
    (
        format!(
            "SELECT c.community_id, c.clock, \
             SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS breached, \
             SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS at_risk, \
             SUM(CASE WHEN {} THEN 1 ELSE 0 END) AS paused, \
             COUNT(*) AS n FROM request_clocks c{indexed} WHERE {w} AND c.met_at IS NULL \
             GROUP BY c.community_id, c.clock",
            state_condition("breached", &now),
            state_condition("at_risk", &now),
            state_condition("paused", &now),
        ),
        a,
    )
}
