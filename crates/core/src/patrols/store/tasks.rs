//! SQL of tasks: generated ahead in bulk (a second pass writes nothing) with who walks each,
//! a person's tasks for the phone, a day's board (and its export's pages, by id), the sweep
//! for tasks past their end, progress as scans arrive, and the completion report.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Queries, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::jobs::skip_locked;

/// Rows per `UNNEST` statement on PostgreSQL (one array per column: a row costs no parameter of
/// its own and the statement no planning by its size).
const UNNEST_ROWS: usize = 50_000;

/// Rows per SQLite statement: 8 values a row, plus `now` bound once (well under SQLite's 32,766).
const SQLITE_ROWS: usize = 2_300;

/// A task to generate.
pub(crate) struct NewTask {
    pub community: CommunityId,
    pub plan: PatrolPlanId,
    pub route: RouteId,
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub checkpoints: i64,
    /// Who walks it, as [`walkers_text`] writes them.
    pub walkers: String,
}

/// The `walkers` of a task: the people's ids in ascending order, each between commas
/// (",12,34,"), or '' for nobody — so a person's tasks are those `LIKE '%,<id>,%'`.
pub(crate) fn walkers_text(people: &[UserId]) -> String {
    let mut ids: Vec<i64> = people.iter().map(|u| u.0).collect();
    ids.sort_unstable();
    ids.dedup();
    if ids.is_empty() {
        return String::new();
    }
    let mut s = String::from(",");
    for id in ids {
        s.push_str(&id.to_string());
        s.push(',');
    }
    s
}

/// The people of a task's `walkers`.
pub(crate) fn walkers_of(text: &str) -> Vec<UserId> {
    text.split(',')
        .filter_map(|id| id.parse().ok().map(UserId))
        .collect()
}

/// The SQLite INSERT of `chunk`'s tasks not there yet.
fn sqlite_insert(chunk: &[NewTask], now: DateTime<Utc>) -> (String, Args) {
    let mut b = Bulk::after(args![now], chunk.len(), 8);
    for t in chunk {
        b.row([
            Value::from(t.community),
            Value::from(t.plan),
            Value::from(t.route),
            Value::from(t.day),
            Value::from(t.starts_at),
            Value::from(t.ends_at),
            Value::from(t.checkpoints),
            Value::from(&t.walkers),
        ]);
    }
    b.finish(
        "INSERT INTO patrol_tasks (community_id, plan_id, route_id, day, starts_at, ends_at, \
         state, checkpoints, scanned, flagged, walkers, created_at) \
         SELECT column1, column2, column3, column4, column5, column6, 'pending', column7, 0, 0, \
         column8, $1 FROM (",
        ") WHERE true ON CONFLICT (community_id, plan_id, starts_at) DO NOTHING",
    )
}

/// The INSERT of [`unnest_args`]' tasks on PostgreSQL.
const UNNEST_TASKS: &str = "INSERT INTO patrol_tasks (community_id, plan_id, route_id, day, \
     starts_at, ends_at, state, checkpoints, scanned, flagged, walkers, created_at) \
     SELECT x.c, x.p, x.r, x.d, x.s, x.e, 'pending', x.n, 0, 0, x.w, $9 \
     FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::DATE[], $5::TIMESTAMPTZ[], \
     $6::TIMESTAMPTZ[], $7::BIGINT[], $8::TEXT[]) AS x (c, p, r, d, s, e, n, w) \
     ON CONFLICT (community_id, plan_id, starts_at) DO NOTHING";

/// One array per column (a row costs no parameter of its own), times and days in binary.
fn unnest_args(chunk: &[NewTask], now: DateTime<Utc>) -> Args {
    let ids = |f: fn(&NewTask) -> i64| -> Value {
        chunk.iter().map(|t| Some(f(t))).collect::<Vec<_>>().into()
    };
    let times = |f: fn(&NewTask) -> DateTime<Utc>| -> Value {
        chunk.iter().map(f).collect::<Vec<_>>().into()
    };
    Args(vec![
        ids(|t| t.community.0),
        ids(|t| t.plan.0),
        ids(|t| t.route.0),
        chunk.iter().map(|t| t.day).collect::<Vec<_>>().into(),
        times(|t| t.starts_at),
        times(|t| t.ends_at),
        ids(|t| t.checkpoints),
        chunk
            .iter()
            .map(|t| t.walkers.clone())
            .collect::<Vec<_>>()
            .into(),
        Value::from(now),
    ])
}

/// Writes the tasks that do not exist yet (a second pass writes nothing); returns how many were
/// written.
pub(crate) async fn insert_tasks(
    tx: &mut impl Writes,
    tasks: &[NewTask],
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let mut written = 0u64;
    if tx.engine() == Backend::Postgres {
        for chunk in tasks.chunks(UNNEST_ROWS) {
            written += tx.execute(UNNEST_TASKS, unnest_args(chunk, now)).await?;
        }
    } else {
        for chunk in tasks.chunks(SQLITE_ROWS) {
            let (sql, a) = sqlite_insert(chunk, now);
            written += tx.execute(&sql, a).await?;
        }
    }
    Ok(written as usize)
}

crate::row! {
    /// A task with the names of its plan and route.
    pub(crate) struct TaskRow {
        pub id: PatrolTaskId,
        pub community_id: CommunityId,
        pub plan_id: PatrolPlanId,
        pub route_id: RouteId,
        pub plan_name: String,
        pub route_name: String,
        pub route_kind: String,
        pub ordered: bool,
        pub day: NaiveDate,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub state: String,
        pub checkpoints: i64,
        pub scanned: i64,
        pub flagged: i64,
        pub started_at: Option<DateTime<Utc>>,
        pub finished_at: Option<DateTime<Utc>>,
        /// As [`walkers_text`] writes them.
        pub walkers: String,
    }
}

const TASK_COLS: &str = "t.id, t.community_id, t.plan_id, t.route_id, p.name AS plan_name, \
     r.name AS route_name, r.kind AS route_kind, r.ordered, t.day, t.starts_at, t.ends_at, \
     t.state, t.checkpoints, t.scanned, t.flagged, t.started_at, t.finished_at, t.walkers";

const TASK_JOINS: &str = " \
     JOIN patrol_plans p ON p.community_id = t.community_id AND p.id = t.plan_id \
     JOIN patrol_routes r ON r.community_id = t.community_id AND r.id = t.route_id";

const TASK_FROM: &str = "patrol_tasks t";

pub(crate) async fn task(
    q: &mut impl Queries,
    c: CommunityId,
    id: PatrolTaskId,
) -> CoreResult<Option<TaskRow>> {
    q.fetch_optional(
        &format!("SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} WHERE t.community_id = $1 AND t.id = $2"),
        args![c, id],
    )
    .await
}

/// The tasks of these communities whose id is listed (a sync's tasks).
pub(crate) async fn tasks_by_id(
    q: &mut impl Queries,
    communities: Option<&[i64]>,
    ids: &[i64],
) -> CoreResult<Vec<TaskRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let mut cond = crate::db::in_list(&mut a, "t.id", ids);
    if let Some(cs) = communities {
        cond = format!(
            "{cond} AND {}",
            crate::db::in_list(&mut a, "t.community_id", cs)
        );
    }
    q.fetch_all(
        &format!("SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} WHERE {cond}"),
        a,
    )
    .await
}

/// A person's tasks starting in [from, to), in the communities he reaches: among each
/// community's tasks of those hours (on the report index), those he walks.
pub(crate) async fn tasks_of_person(
    q: &mut impl Queries,
    communities: &[i64],
    user: UserId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Vec<TaskRow>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![format!("%,{},%", user.0), from, to];
    let cond = crate::db::in_list(&mut a, "t.community_id", communities);
    q.fetch_all(
        &format!(
            "SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} \
             WHERE {cond} AND t.starts_at >= $2 AND t.starts_at < $3 AND t.walkers LIKE $1 \
             ORDER BY t.starts_at, t.id"
        ),
        a,
    )
    .await
}

/// Which tasks a day's board shows. A task starts on its day or, in a night window (which
/// belongs to the day it opens), on the next: `bounds` — the two days' bounds in UTC, [from,
/// to) — find them on the report index.
pub(crate) struct DayWhere {
    pub day: NaiveDate,
    pub bounds: (DateTime<Utc>, DateTime<Utc>),
    pub state: Option<&'static str>,
}

/// [`DayWhere`] as SQL on `$1`–`$5` of [`day_args`].
const DAY_WHERE: &str = "t.community_id = $1 AND t.starts_at >= $2 AND t.starts_at < $3 \
     AND t.day = $4 AND ($5 IS NULL OR t.state = $5)";

fn day_args(c: CommunityId, w: &DayWhere) -> Args {
    args![c, w.bounds.0, w.bounds.1, w.day, w.state]
}

/// A community's tasks of a day, by start.
pub(crate) async fn tasks_of_day(
    q: &mut impl Queries,
    c: CommunityId,
    w: &DayWhere,
) -> CoreResult<Vec<TaskRow>> {
    q.fetch_all(
        &format!(
            "SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} WHERE {DAY_WHERE} \
             ORDER BY t.starts_at, t.id"
        ),
        day_args(c, w),
    )
    .await
}

/// The tasks [`tasks_of_day`] finds whose id is below `below`, newest first: an export's pages.
pub(crate) async fn day_page(
    q: &mut impl Queries,
    c: CommunityId,
    w: &DayWhere,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<TaskRow>> {
    let mut a = day_args(c, w);
    let below = a.push(below);
    q.fetch_all(
        &format!(
            "SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} WHERE {DAY_WHERE} \
             AND t.id < {below} ORDER BY t.id DESC LIMIT {limit}"
        ),
        a,
    )
    .await
}

/// A task found unfinished after its end.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct Missed {
    pub community_id: CommunityId,
    pub id: PatrolTaskId,
    pub plan_id: PatrolPlanId,
    pub scanned: i64,
    pub checkpoints: i64,
    pub starts_at: DateTime<Utc>,
}

/// Marks at most `batch` tasks past their end and unfinished as missed, each once (the UPDATE
/// re-checks `missed_at IS NULL`). `only`: one community (a manager's catch-up run).
pub(crate) async fn mark_missed(
    tx: &mut Tx,
    now: DateTime<Utc>,
    batch: i64,
    only: Option<CommunityId>,
) -> CoreResult<Vec<Missed>> {
    let lock = skip_locked(tx.backend());
    tx.fetch_all(
        &format!(
            "UPDATE patrol_tasks SET state = 'missed', missed_at = $1 \
             WHERE id IN (SELECT id FROM patrol_tasks WHERE missed_at IS NULL \
             AND state IN ('pending', 'active') AND ends_at <= $1 \
             AND ($3 IS NULL OR community_id = $3) ORDER BY ends_at LIMIT $2{lock}) \
             AND missed_at IS NULL AND state IN ('pending', 'active') \
             RETURNING community_id, id, plan_id, scanned, checkpoints, starts_at"
        ),
        args![now, batch, only],
    )
    .await
}

/// What a task's scans add up to, written after a sync.
pub(crate) struct Progress {
    pub state: &'static str,
    pub scanned: i64,
    pub flagged: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
}

pub(crate) async fn set_progress(
    tx: &mut Tx,
    c: CommunityId,
    id: PatrolTaskId,
    p: &Progress,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE patrol_tasks SET state = $1, scanned = $2, flagged = $3, started_at = $4, \
         finished_at = $5 WHERE community_id = $6 AND id = $7",
        args![
            p.state,
            p.scanned,
            p.flagged,
            p.started_at,
            p.finished_at,
            c,
            id
        ],
    )
    .await?;
    Ok(())
}

/// One line of the completion report: a plan's tasks of a day in one state.
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct CompletionLine {
    pub plan_id: PatrolPlanId,
    pub day: NaiveDate,
    pub state: String,
    pub tasks: i64,
    pub late: i64,
    pub checkpoints: i64,
    pub scanned: i64,
    pub flagged: i64,
}

/// The tasks starting in [from, to), counted by plan, day and state.
pub(crate) async fn completion(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Vec<CompletionLine>> {
    q.fetch_all(
        "SELECT plan_id, day, state, COUNT(*) AS tasks, \
         CAST(SUM(CASE WHEN finished_at > ends_at THEN 1 ELSE 0 END) AS BIGINT) AS late, \
         CAST(SUM(checkpoints) AS BIGINT) AS checkpoints, \
         CAST(SUM(scanned) AS BIGINT) AS scanned, CAST(SUM(flagged) AS BIGINT) AS flagged \
         FROM patrol_tasks WHERE community_id = $1 AND starts_at >= $2 AND starts_at < $3 \
         GROUP BY plan_id, day, state",
        args![c, from, to],
    )
    .await
}

/// Drops a plan's tasks that have not begun (pending, starting after `after`), so a rewritten
/// plan's next tasks follow it.
pub(crate) async fn drop_pending(
    tx: &mut Tx,
    c: CommunityId,
    plan: PatrolPlanId,
    after: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM patrol_tasks WHERE community_id = $1 AND plan_id = $2 AND state = 'pending' \
         AND starts_at > $3 AND scanned = 0 AND NOT EXISTS (SELECT 1 FROM patrol_scans s \
         WHERE s.community_id = patrol_tasks.community_id AND s.task_id = patrol_tasks.id)",
        args![c, plan, after],
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walkers_are_ids_between_commas_so_one_id_never_matches_inside_another() {
        let w = walkers_text(&[UserId(34), UserId(12), UserId(34)]);
        assert_eq!(w, ",12,34,");
        assert_eq!(walkers_of(&w), vec![UserId(12), UserId(34)]);
        assert!(w.contains(",12,") && w.contains(",34,"));
        assert!(!w.contains(",2,") && !w.contains(",3,") && !w.contains(",4,"));
        assert_eq!(walkers_text(&[]), "");
        assert!(walkers_of("").is_empty());
    }
}
