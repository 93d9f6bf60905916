//! The SLA clocks of requests (`request_clocks`): started with a registration batch, met,
//! paused and resumed by actions, dropped with a cancelled request, and flagged by the scanner
//! (warned, breached) exactly once each.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Queries, Reader, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::store::jobs::skip_locked;

use super::in_list;

crate::row! {
    /// A clock as stored, in the order of [`CLOCK_COLS`].
    pub(in crate::tickets) struct ClockRow {
        pub request_id: RequestId,
        pub clock: String,
        pub started_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
        pub warn_at: DateTime<Utc>,
        pub met_at: Option<DateTime<Utc>>,
        pub paused_since: Option<DateTime<Utc>>,
        pub breached_at: Option<DateTime<Utc>>,
    }
}

const CLOCK_COLS: &str =
    "request_id, clock, started_at, due_at, warn_at, met_at, paused_since, breached_at";

/// The clocks of a page of requests, in one query (inline on SQLite: read with every page).
pub(in crate::tickets) async fn of_requests(
    r: &mut Reader<'_>,
    communities: &[CommunityId],
    ids: &[RequestId],
) -> CoreResult<Vec<ClockRow>> {
    let mut a = Args::new();
    let cc = in_list(&mut a, "community_id", communities);
    let rc = in_list(&mut a, "request_id", ids);
    r.fetch_all_inline(
        &format!("SELECT {CLOCK_COLS} FROM request_clocks WHERE {cc} AND {rc}"),
        a,
    )
    .await
}

/// A clock of a registration batch.
pub(in crate::tickets) struct NewClock<'a> {
    pub community: CommunityId,
    pub request: RequestId,
    pub clock: &'a str,
    pub started: DateTime<Utc>,
    pub due: DateTime<Utc>,
    pub warn: DateTime<Utc>,
    pub pauses_on_hold: bool,
    /// The request's local day, kind and category, for statistics from the clocks alone.
    pub day: &'a str,
    pub kind: &'a str,
    pub category: &'a str,
}

/// Starts clocks in one statement (none: nothing is written).
pub(in crate::tickets) async fn insert_batch(
    tx: &mut impl Writes,
    clocks: &[NewClock<'_>],
) -> CoreResult<()> {
    if clocks.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(clocks.len(), 10);
    for c in clocks {
        b.row([
            Value::from(c.community),
            Value::from(c.request),
            Value::from(c.clock),
            Value::from(c.started),
            Value::from(c.due),
            Value::from(c.warn),
            Value::from(c.pauses_on_hold),
            Value::from(c.day),
            Value::from(c.kind),
            Value::from(c.category),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO request_clocks (community_id, request_id, clock, started_at, due_at, \
         warn_at, pauses_on_hold, created_day, kind, category)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// Meets a request's running clocks of the given kinds at `now` (late if past due).
pub(in crate::tickets) async fn meet(
    tx: &mut Tx,
    community: CommunityId,
    id: RequestId,
    now: DateTime<Utc>,
    clocks: &[&str],
) -> CoreResult<()> {
    let mut a = Args::new();
    let at = a.push(now);
    let (c, r) = (a.push(community), a.push(id));
    let list = in_list(&mut a, "clock", clocks);
    tx.execute(
        &format!(
            "UPDATE request_clocks SET met_at = {at}, met_late = CASE WHEN due_at < {at} THEN 1 ELSE 0 END WHERE community_id = {c} AND request_id = {r} \
             AND met_at IS NULL AND {list}"
        ),
        a,
    )
    .await?;
    Ok(())
}

/// Stops the running clocks that pause while the request is on hold.
pub(in crate::tickets) async fn pause(
    tx: &mut Tx,
    community: CommunityId,
    id: RequestId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE request_clocks SET paused_since = $1 WHERE community_id = $2 AND request_id = $3 \
         AND met_at IS NULL AND pauses_on_hold = $4 AND paused_since IS NULL",
        args![now, community, id, true],
    )
    .await?;
    Ok(())
}

/// A paused clock: (id, paused since, due, warn).
pub(in crate::tickets) type Paused = (i64, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);

/// The request's paused clocks not yet met.
pub(in crate::tickets) async fn paused(
    tx: &mut Tx,
    community: CommunityId,
    id: RequestId,
) -> CoreResult<Vec<Paused>> {
    tx.fetch_all(
        "SELECT id, paused_since, due_at, warn_at FROM request_clocks WHERE community_id = $1 \
         AND request_id = $2 AND paused_since IS NOT NULL AND met_at IS NULL",
        args![community, id],
    )
    .await
}

/// Restarts one paused clock with its moved deadline and warning.
pub(in crate::tickets) async fn restart(
    tx: &mut Tx,
    clock: i64,
    due: DateTime<Utc>,
    warn: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE request_clocks SET paused_since = NULL, due_at = $1, warn_at = $2 WHERE id = $3",
        args![due, warn, clock],
    )
    .await?;
    Ok(())
}

/// Drops a request's clocks (a cancelled request has none to meet or to count).
pub(in crate::tickets) async fn delete_of(
    tx: &mut Tx,
    community: CommunityId,
    id: RequestId,
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM request_clocks WHERE community_id = $1 AND request_id = $2",
        args![community, id],
    )
    .await?;
    Ok(())
}

/// A clock the scanner flagged.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct Flagged {
    pub community_id: CommunityId,
    pub request_id: RequestId,
    pub clock: String,
    pub due_at: DateTime<Utc>,
}

/// Flags at most `batch` clocks past their deadline as breached (and warned, if they were
/// not), each once: the UPDATE re-checks `breached_at IS NULL`.
/// `only` limits it to one community (a manager's catch-up run).
pub(in crate::tickets) async fn flag_breached(
    tx: &mut Tx,
    now: DateTime<Utc>,
    batch: i64,
    only: Option<CommunityId>,
) -> CoreResult<Vec<Flagged>> {
    let lock = skip_locked(tx.backend());
    tx.fetch_all(
        &format!(
            "UPDATE request_clocks SET breached_at = $1, warned_at = COALESCE(warned_at, $1) \
             WHERE id IN (SELECT id FROM request_clocks WHERE met_at IS NULL \
             AND breached_at IS NULL AND paused_since IS NULL AND due_at <= $1 \
             AND ($3 IS NULL OR community_id = $3) \
             ORDER BY due_at LIMIT $2{lock}) AND breached_at IS NULL \
             RETURNING community_id, request_id, clock, due_at"
        ),
        args![now, batch, only],
    )
    .await
}

/// Flags at most `batch` clocks past their warning time (not yet due) as warned, each once.
pub(in crate::tickets) async fn flag_warned(
    tx: &mut Tx,
    now: DateTime<Utc>,
    batch: i64,
    only: Option<CommunityId>,
) -> CoreResult<Vec<Flagged>> {
    let lock = skip_locked(tx.backend());
    tx.fetch_all(
        &format!(
            "UPDATE request_clocks SET warned_at = $1 \
             WHERE id IN (SELECT id FROM request_clocks WHERE met_at IS NULL \
             AND warned_at IS NULL AND paused_since IS NULL AND warn_at <= $1 \
             AND due_at > $1 AND ($3 IS NULL OR community_id = $3) ORDER BY warn_at \
             LIMIT $2{lock}) AND warned_at IS NULL \
             RETURNING community_id, request_id, clock, due_at"
        ),
        args![now, batch, only],
    )
    .await
}

/// Who hears of a flagged clock's request.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct Target {
    pub id: RequestId,
    pub company_id: CompanyId,
    pub first_responder_id: UserId,
    pub assignee_id: Option<UserId>,
    pub number: String,
    pub timezone: String,
}

/// The requests of flagged clocks with their company (joined from the community).
pub(in crate::tickets) async fn targets(tx: &mut Tx, ids: &[RequestId]) -> CoreResult<Vec<Target>> {
    let mut a = Args::new();
    let cond = in_list(&mut a, "r.id", ids);
    tx.fetch_all(
        &format!(
            "SELECT r.id, c.company_id, r.first_responder_id, r.assignee_id, r.number, \
             c.timezone FROM requests r JOIN communities c ON c.id = r.community_id WHERE {cond}"
        ),
        a,
    )
    .await
}

/// The requests of the communities with an unmet clock in `state` now (`breached`, `at_risk`,
/// `running`, `paused`, judged as `model::clock_status` judges them), newest first, at most
/// `limit`: read from the open clocks alone (`request_clocks_open`), so a list of breached
/// requests costs what the open requests are, however old they and many the others.
pub(in crate::tickets) async fn requests_in_state(
    r: &mut Reader<'_>,
    communities: &[CommunityId],
    state: &str,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<i64>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, a) = requests_in_state_sql(communities, state, now, r.backend());
    let rows: Vec<(i64,)> = r.fetch_all(&sql, a).await?;
    // Sorted here: the clocks in one state are few, and a sort in SQL let the planner walk a
    // whole index in request order instead.
    let mut ids: Vec<i64> = rows.into_iter().map(|(id,)| id).collect();
    ids.sort_unstable_by(|a, b| b.cmp(a));
    ids.dedup();
    ids.truncate(usize::try_from(limit).unwrap_or(0));
    Ok(ids)
}

/// The SQL of [`requests_in_state`].
/// The SQL condition that an unmet clock `c` is in `state` at `now` (a placeholder or literal),
/// as `model::clock_status` judges it: a clock paused is judged at the moment it paused, so one
/// paused after its deadline stays breached. `state` is `breached`, `at_risk`, `running` or
/// (anything else) `paused`. The one place the rule is written in SQL.
pub(in crate::tickets) fn state_condition(state: &str, now: &str) -> String {
    match state {
        "breached" => format!("COALESCE(c.paused_since, {now}) > c.due_at"),
        "at_risk" => format!("c.paused_since IS NULL AND c.due_at >= {now} AND c.warn_at <= {now}"),
        "running" => format!("c.paused_since IS NULL AND c.warn_at > {now}"),
        _ => "c.paused_since IS NOT NULL AND c.paused_since <= c.due_at".to_string(),
    }
}

pub(in crate::tickets) fn requests_in_state_sql(
    communities: &[CommunityId],
    state: &str,
    now: DateTime<Utc>,
    backend: Backend,
) -> (String, Args) {
    let mut a = Args::new();
    let now = a.push(now);
    let cond = state_condition(state, &now);
    // SQLite, without statistics, would read the communities' every clock through
    // `request_clocks_request`; the open ones are a small part of them.
    let indexed = match backend {
        Backend::Sqlite => " INDEXED BY request_clocks_open",
        Backend::Postgres => "",
    };
    let within = in_list(&mut a, "c.community_id", communities);
    (
        format!(
            "SELECT c.request_id FROM request_clocks c{indexed} WHERE {within} \
             AND c.met_at IS NULL AND {cond}"
        ),
        a,
    )
}
