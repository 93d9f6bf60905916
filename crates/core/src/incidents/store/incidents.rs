//! SQL of incidents: the incident row (its level of escalation moved by a conditional UPDATE so
//! each level is told once), its steps, its timeline, and the open ones a handover lists.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Queries, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// An incident as stored.
    pub(crate) struct IncidentRow {
        pub id: IncidentId,
        pub community_id: CommunityId,
        pub plan_id: Option<PlanId>,
        pub kind: String,
        pub title: String,
        pub place: String,
        pub severity: String,
        pub started_at: DateTime<Utc>,
        pub reported_by: Option<UserId>,
        pub buildings: Option<String>,
        pub units: Option<String>,
        pub state: String,
        pub level: i64,
        pub acknowledged_at: Option<DateTime<Utc>>,
        pub acknowledged_by: Option<UserId>,
        pub notice_id: Option<AnnouncementId>,
        pub analysis: Option<String>,
        pub conclusion: Option<String>,
        pub opened_at: DateTime<Utc>,
        pub closed_at: Option<DateTime<Utc>>,
        pub closed_by: Option<UserId>,
        /// The plan's ladder (JSON) when the incident opened.
        pub ladder: Option<String>,
    }
}

const COLS: &str = "id, community_id, plan_id, kind, title, place, severity, started_at, reported_by, \
     buildings, units, state, level, acknowledged_at, acknowledged_by, notice_id, analysis, conclusion, \
     opened_at, closed_at, closed_by, ladder";

/// An incident to write.
pub(crate) struct NewIncident<'a> {
    pub plan: Option<PlanId>,
    pub kind: &'a str,
    pub title: &'a str,
    pub place: &'a str,
    pub severity: &'a str,
    pub started_at: DateTime<Utc>,
    pub buildings: Option<String>,
    pub units: Option<String>,
    /// The plan's ladder as JSON, kept with the incident.
    pub ladder: String,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    n: &NewIncident<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<IncidentId> {
    let id = tx
        .insert_id(
            "INSERT INTO incidents (community_id, plan_id, kind, title, place, severity, started_at, reported_by, \
             buildings, units, state, level, opened_at, ladder) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'open', 1, $11, $12) RETURNING id",
            args![
                c,
                n.plan,
                n.kind,
                n.title,
                n.place,
                n.severity,
                n.started_at,
                by,
                n.buildings.clone(),
                n.units.clone(),
                now,
                n.ladder.as_str()
            ],
        )
        .await?;
    Ok(IncidentId(id))
}

pub(crate) async fn get(q: &mut impl Queries, id: IncidentId) -> CoreResult<Option<IncidentRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM incidents WHERE id = $1"),
        args![id],
    )
    .await
}

/// The community's incidents with ids below `below`, newest first; those in one state when
/// asked (the list's first page and the export's pages).
pub(crate) async fn page(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<IncidentRow>> {
    let mut a = args![c, below];
    let only = match state {
        Some(s) => format!(" AND state = {}", a.push(s)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM incidents WHERE community_id = $1 AND id < $2{only} \
             ORDER BY id DESC LIMIT {limit}"
        ),
        a,
    )
    .await
}

/// The community's open incidents: (id, title, place) (a handover lists them).
pub(crate) async fn open_of(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(IncidentId, String, String)>> {
    q.fetch_all(
        "SELECT id, title, place FROM incidents WHERE community_id = $1 AND state = 'open' ORDER BY id",
        args![c],
    )
    .await
}

/// Open incidents nobody has acknowledged, over every community (the escalation job's queue;
/// few rows at any time, so no index of their own).
pub(crate) async fn unacknowledged(
    q: &mut impl Queries,
    limit: i64,
) -> CoreResult<Vec<IncidentRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM incidents WHERE state = 'open' AND acknowledged_at IS NULL ORDER BY id LIMIT $1"
        ),
        args![limit],
    )
    .await
}

/// Moves the incident to `level` if it is open, unacknowledged and below it: 1 row once, 0 after
/// (two nodes racing tell the level once).
pub(crate) async fn raise_level(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    level: i64,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET level = $1 WHERE community_id = $2 AND id = $3 AND state = 'open' \
         AND acknowledged_at IS NULL AND level < $1",
        args![level, c, id],
    )
    .await
}

/// Moves an open incident to `level` by hand (acknowledged or not): 0 rows when it is closed or
/// at that level already.
pub(crate) async fn raise_level_by_hand(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    level: i64,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET level = $1 WHERE community_id = $2 AND id = $3 AND state = 'open' AND level < $1",
        args![level, c, id],
    )
    .await
}

pub(crate) async fn acknowledge(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET acknowledged_at = $1, acknowledged_by = $2 WHERE community_id = $3 AND id = $4 \
         AND state = 'open' AND acknowledged_at IS NULL",
        args![now, by, c, id],
    )
    .await
}

/// Records the notice sent to the affected units, once.
pub(crate) async fn set_notice(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    notice: AnnouncementId,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET notice_id = $1 WHERE community_id = $2 AND id = $3 AND state = 'open' \
         AND notice_id IS NULL",
        args![notice, c, id],
    )
    .await
}

pub(crate) async fn set_analysis(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    analysis: &str,
    conclusion: &str,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET analysis = $1, conclusion = $2 WHERE community_id = $3 AND id = $4 AND state = 'open'",
        args![analysis, conclusion, c, id],
    )
    .await
}

pub(crate) async fn close(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incidents SET state = 'closed', closed_at = $1, closed_by = $2 WHERE community_id = $3 \
         AND id = $4 AND state = 'open'",
        args![now, by, c, id],
    )
    .await
}

crate::row! {
    /// A step of an incident's checklist.
    pub(crate) struct StepRow {
        pub id: i64,
        pub position: i64,
        pub text: String,
        pub role: String,
        pub done_at: Option<DateTime<Utc>>,
        pub done_by: Option<UserId>,
    }
}

/// Copies the plan's steps into the incident.
pub(crate) async fn insert_steps(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    steps: &[(String, String)],
) -> CoreResult<()> {
    if steps.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(steps.len(), 5);
    for (i, (text, role)) in steps.iter().enumerate() {
        b.row([
            Value::from(c),
            Value::from(id),
            Value::from(i as i64 + 1),
            Value::from(text.as_str()),
            Value::from(role.as_str()),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO incident_steps (community_id, incident_id, position, text, role)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

pub(crate) async fn steps(
    q: &mut impl Queries,
    c: CommunityId,
    id: IncidentId,
) -> CoreResult<Vec<StepRow>> {
    q.fetch_all(
        "SELECT id, position, text, role, done_at, done_by FROM incident_steps \
         WHERE community_id = $1 AND incident_id = $2 ORDER BY position",
        args![c, id],
    )
    .await
}

/// Ticks a step not yet done; 0 rows when it was.
pub(crate) async fn tick(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    step: i64,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE incident_steps SET done_at = $1, done_by = $2 WHERE community_id = $3 AND incident_id = $4 \
         AND id = $5 AND done_at IS NULL",
        args![now, by, c, id, step],
    )
    .await
}

crate::row! {
    /// An event of the timeline.
    pub(crate) struct EventRow {
        pub at: DateTime<Utc>,
        pub kind: String,
        pub detail: String,
        pub by_user: Option<UserId>,
    }
}

pub(crate) async fn add_event(
    tx: &mut Tx,
    c: CommunityId,
    id: IncidentId,
    at: DateTime<Utc>,
    kind: &str,
    detail: &str,
    by: Option<UserId>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO incident_events (community_id, incident_id, at, kind, detail, by_user) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![c, id, at, kind, detail, by],
    )
    .await?;
    Ok(())
}

/// The timeline in the order it happened.
pub(crate) async fn events(
    q: &mut impl Queries,
    c: CommunityId,
    id: IncidentId,
) -> CoreResult<Vec<EventRow>> {
    q.fetch_all(
        "SELECT at, kind, detail, by_user FROM incident_events WHERE community_id = $1 \
         AND incident_id = $2 ORDER BY id",
        args![c, id],
    )
    .await
}
