//! What staff KPIs read of requests: a month's work by the person it went to, what each desk
//! agent registered and each hotline agent answered, the clocks of each person's work, and the
//! request teams with their members.

use crate::db::{Args, Backend, Queries};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::in_list;

/// One person's work orders of the period (registered on its local days).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct WorkRow {
    pub user_id: i64,
    pub assigned: i64,
    /// Done or closed.
    pub resolved: i64,
    pub closed: i64,
    /// Closed without ever being reopened.
    pub first_time_fixed: i64,
    pub rated: i64,
    /// Rated below 3.
    pub unsatisfied: i64,
    pub rating_sum: i64,
}

/// `requests r`, read from the KPIs' own covering index on SQLite (its planner, without
/// statistics, would take `requests_stats` and visit every row for the people).
fn requests_r(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "requests r INDEXED BY requests_kpi",
        Backend::Postgres => "requests r",
    }
}

fn days(a: &mut Args, col: &str, communities: &[CommunityId], from: &str, to: &str) -> String {
    let w = in_list(a, &format!("{col}.community_id"), communities);
    format!(
        "{w} AND {col}.created_day >= {} AND {col}.created_day <= {}",
        a.push(from),
        a.push(to)
    )
}

pub(crate) async fn work_by_assignee(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: &str,
    to: &str,
) -> CoreResult<Vec<WorkRow>> {
    let mut a = Args::new();
    let w = days(&mut a, "r", communities, from, to);
    q.fetch_all(
        &format!(
            "SELECT r.assignee_id AS user_id, COUNT(*) AS assigned, \
             SUM(CASE WHEN r.state IN ('done', 'closed') THEN 1 ELSE 0 END) AS resolved, \
             SUM(CASE WHEN r.state = 'closed' THEN 1 ELSE 0 END) AS closed, \
             SUM(CASE WHEN r.state = 'closed' AND r.reopen_count = 0 THEN 1 ELSE 0 END) AS first_time_fixed, \
             SUM(CASE WHEN r.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
             SUM(CASE WHEN r.satisfaction < 3 THEN 1 ELSE 0 END) AS unsatisfied, \
             CAST(COALESCE(SUM(r.satisfaction), 0) AS BIGINT) AS rating_sum \
             FROM {} WHERE {w} AND r.state <> 'cancelled' AND r.assignee_id IS NOT NULL \
             GROUP BY r.assignee_id",
            requests_r(q.backend())
        ),
        a,
    )
    .await
}

/// A count per person.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct PersonCount {
    pub user_id: i64,
    pub n: i64,
}

/// Requests registered per first responder.
pub(crate) async fn registered_by(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: &str,
    to: &str,
) -> CoreResult<Vec<PersonCount>> {
    let mut a = Args::new();
    let w = days(&mut a, "r", communities, from, to);
    q.fetch_all(
        &format!(
            "SELECT r.first_responder_id AS user_id, COUNT(*) AS n FROM {} WHERE {w} \
             AND r.state <> 'cancelled' GROUP BY r.first_responder_id",
            requests_r(q.backend())
        ),
        a,
    )
    .await
}

/// Hotline calls logged per taker.
pub(crate) async fn calls_by(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: &str,
    to: &str,
) -> CoreResult<Vec<PersonCount>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "community_id", communities);
    let (f, t) = (a.push(from), a.push(to));
    q.fetch_all(
        &format!(
            "SELECT taken_by AS user_id, COUNT(*) AS n FROM hotline_calls WHERE {w} \
             AND call_day >= {f} AND call_day <= {t} GROUP BY taken_by"
        ),
        a,
    )
    .await
}

/// One person's clocks of one kind: met on time, met late, unmet past due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct ClockRow {
    pub user_id: i64,
    pub clock: String,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
}

/// The clocks of the period's requests by the person each went to, and kind: each request of
/// the month (from `requests_kpi`) with its clocks (from `request_clocks_request`), both read
/// from their indexes alone.
pub(crate) async fn clocks_by_assignee(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: &str,
    to: &str,
    now: chrono::DateTime<chrono::Utc>,
) -> CoreResult<Vec<ClockRow>> {
    let mut a = Args::new();
    let w = days(&mut a, "r", communities, from, to);
    let now = a.push(now);
    q.fetch_all(
        &format!(
            "SELECT r.assignee_id AS user_id, c.clock, \
             SUM(CASE WHEN c.met_late = 0 THEN 1 ELSE 0 END) AS on_time, \
             SUM(CASE WHEN c.met_late = 1 THEN 1 ELSE 0 END) AS late, \
             SUM(CASE WHEN c.met_at IS NULL AND {} THEN 1 ELSE 0 END) AS overdue \
             FROM {} JOIN request_clocks c ON c.community_id = r.community_id AND c.request_id = r.id \
             WHERE {w} AND r.state <> 'cancelled' AND r.assignee_id IS NOT NULL \
             GROUP BY r.assignee_id, c.clock",
            super::clocks::state_condition("breached", &now),
            requests_r(q.backend())
        ),
        a,
    )
    .await
}

/// A request team's member.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct TeamMember {
    pub team_id: i64,
    pub name: String,
    pub community_id: CommunityId,
    pub user_id: i64,
}

/// The teams of the communities with their members.
pub(crate) async fn team_members(
    q: &mut impl Queries,
    communities: &[CommunityId],
) -> CoreResult<Vec<TeamMember>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "t.community_id", communities);
    q.fetch_all(
        &format!(
            "SELECT t.id AS team_id, t.name, t.community_id, m.user_id FROM teams t \
             JOIN team_members m ON m.team_id = t.id WHERE {w} ORDER BY t.community_id, t.name, m.user_id"
        ),
        a,
    )
    .await
}
