//! SQL of tasks: generated ahead in bulk (a second pass writes nothing), the people of each,
//! a person's tasks for the phone, a day's board, the sweep for tasks past their end, progress
//! as scans arrive, and the completion report.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Queries, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::jobs::skip_locked;

/// People rows per SQLite statement (4 values a row: well under SQLite's 32,766).
const PEOPLE_ROWS: usize = 3_000;

/// Rows per `UNNEST` statement on PostgreSQL (one array per column: a row costs no parameter of
/// its own and the statement no planning by its size).
const UNNEST_ROWS: usize = 50_000;

/// A task to generate.
pub(crate) struct NewTask {
    pub community: CommunityId,
    pub plan: PatrolPlanId,
    pub route: RouteId,
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub checkpoints: i64,
}

crate::row! {
    /// A task just written.
    pub(crate) struct WrittenTask {
        pub id: PatrolTaskId,
        pub community_id: CommunityId,
        pub plan_id: PatrolPlanId,
        pub starts_at: DateTime<Utc>,
    }
}

/// Rows per SQLite statement: 7 values a row, plus `now` bound once (well under SQLite's 32,766).
const SQLITE_ROWS: usize = 2_300;

/// The SQLite INSERT of `chunk`'s tasks not there yet, then `tail` (a RETURNING or nothing).
fn sqlite_insert(chunk: &[NewTask], now: DateTime<Utc>, tail: &str) -> (String, Args) {
    let mut b = Bulk::after(args![now], chunk.len(), 7);
    for t in chunk {
        b.row([
            Value::from(t.community),
            Value::from(t.plan),
            Value::from(t.route),
            Value::from(t.day),
            Value::from(t.starts_at),
            Value::from(t.ends_at),
            Value::from(t.checkpoints),
        ]);
    }
    b.finish(
        "INSERT INTO patrol_tasks (community_id, plan_id, route_id, day, starts_at, ends_at, \
         state, checkpoints, scanned, flagged, created_at) \
         SELECT column1, column2, column3, column4, column5, column6, 'pending', column7, 0, 0, $1 \
         FROM (",
        &format!(") WHERE true ON CONFLICT (community_id, plan_id, starts_at) DO NOTHING{tail}"),
    )
}

/// Writes the tasks that do not exist yet; returns the new ones.
pub(crate) async fn insert_tasks(
    tx: &mut impl Writes,
    tasks: &[NewTask],
    now: DateTime<Utc>,
) -> CoreResult<Vec<WrittenTask>> {
    if tx.engine() == Backend::Postgres {
        return unnest_tasks(tx, tasks, now).await;
    }
    let mut out = Vec::new();
    for chunk in tasks.chunks(SQLITE_ROWS) {
        let (sql, a) = sqlite_insert(
            chunk,
            now,
            " RETURNING id, community_id, plan_id, starts_at",
        );
        let rows: Vec<WrittenTask> = tx.fetch_all(&sql, a).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The INSERT of [`unnest_args`]' tasks on PostgreSQL, returning those written.
const UNNEST_TASKS: &str = "INSERT INTO patrol_tasks (community_id, plan_id, route_id, day, \
     starts_at, ends_at, state, checkpoints, scanned, flagged, created_at) \
     SELECT x.c, x.p, x.r, x.d::DATE, x.s::TIMESTAMPTZ, x.e::TIMESTAMPTZ, 'pending', x.n, 0, 0, $8 \
     FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[], $5::TEXT[], \
     $6::TEXT[], $7::BIGINT[]) AS x (c, p, r, d, s, e, n) \
     ON CONFLICT (community_id, plan_id, starts_at) DO NOTHING \
     RETURNING id, community_id, plan_id, starts_at";

/// One array per column (a row costs no parameter of its own).
fn unnest_args(chunk: &[NewTask], now: DateTime<Utc>) -> Args {
    let ids = |f: fn(&NewTask) -> i64| -> Value {
        chunk.iter().map(|t| Some(f(t))).collect::<Vec<_>>().into()
    };
    let texts =
        |f: fn(&NewTask) -> String| -> Value { chunk.iter().map(f).collect::<Vec<_>>().into() };
    Args(vec![
        ids(|t| t.community.0),
        ids(|t| t.plan.0),
        ids(|t| t.route.0),
        texts(|t| t.day.to_string()),
        texts(|t| t.starts_at.to_rfc3339()),
        texts(|t| t.ends_at.to_rfc3339()),
        ids(|t| t.checkpoints),
        Value::from(now),
    ])
}

/// [`insert_tasks`] on PostgreSQL.
async fn unnest_tasks(
    tx: &mut impl Writes,
    tasks: &[NewTask],
    now: DateTime<Utc>,
) -> CoreResult<Vec<WrittenTask>> {
    let mut out = Vec::new();
    for chunk in tasks.chunks(UNNEST_ROWS) {
        let rows: Vec<WrittenTask> = tx.fetch_all(UNNEST_TASKS, unnest_args(chunk, now)).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// Writes the tasks that do not exist yet, each walked by its plan's people (who are then
/// written in the same go, without the tasks coming back); returns the number written.
/// On SQLite the caller holds the writer, so the tasks written are those above the highest id
/// before; on PostgreSQL the people follow the rows the INSERT returns inside the statement.
pub(crate) async fn insert_plan_tasks(
    tx: &mut impl Writes,
    tasks: &[NewTask],
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    if tasks.is_empty() {
        return Ok(0);
    }
    if tx.engine() == Backend::Postgres {
        return unnest_plan_tasks(tx, tasks, now).await;
    }
    let (before,): (i64,) = tx
        .fetch_all("SELECT COALESCE(MAX(id), 0) FROM patrol_tasks", Args::new())
        .await?
        .into_iter()
        .next()
        .unwrap_or((0,));
    let mut written = 0u64;
    for chunk in tasks.chunks(SQLITE_ROWS) {
        let (sql, a) = sqlite_insert(chunk, now, "");
        written += tx.execute(&sql, a).await?;
    }
    tx.execute(
        "INSERT INTO patrol_task_people (community_id, task_id, user_id, starts_at) \
         SELECT t.community_id, t.id, pp.user_id, t.starts_at FROM patrol_tasks t \
         JOIN patrol_plan_people pp ON pp.community_id = t.community_id AND pp.plan_id = t.plan_id \
         WHERE t.id > $1 ON CONFLICT DO NOTHING",
        args![before],
    )
    .await?;
    Ok(written as usize)
}

/// [`insert_plan_tasks`] on PostgreSQL: one statement per chunk.
async fn unnest_plan_tasks(
    tx: &mut impl Writes,
    tasks: &[NewTask],
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let mut written = 0usize;
    for chunk in tasks.chunks(UNNEST_ROWS) {
        let rows: Vec<(i64,)> = tx
            .fetch_all(
                &format!(
                    "WITH new AS ({}), people AS (INSERT INTO patrol_task_people \
                     (community_id, task_id, user_id, starts_at) \
                     SELECT n.community_id, n.id, pp.user_id, n.starts_at FROM new n \
                     JOIN patrol_plan_people pp ON pp.community_id = n.community_id \
                     AND pp.plan_id = n.plan_id ON CONFLICT DO NOTHING) \
                     SELECT COUNT(*) FROM new",
                    UNNEST_TASKS
                ),
                unnest_args(chunk, now),
            )
            .await?;
        written += rows.first().map_or(0, |r| r.0 as usize);
    }
    Ok(written)
}

/// Writes who walks which task.
pub(crate) async fn insert_task_people(
    tx: &mut impl Writes,
    rows: &[(CommunityId, PatrolTaskId, UserId, DateTime<Utc>)],
) -> CoreResult<()> {
    if tx.engine() == Backend::Postgres {
        for chunk in rows.chunks(UNNEST_ROWS) {
            let a = Args(vec![
                chunk.iter().map(|r| Some(r.0.0)).collect::<Vec<_>>().into(),
                chunk.iter().map(|r| Some(r.1.0)).collect::<Vec<_>>().into(),
                chunk.iter().map(|r| Some(r.2.0)).collect::<Vec<_>>().into(),
                chunk
                    .iter()
                    .map(|r| r.3.to_rfc3339())
                    .collect::<Vec<_>>()
                    .into(),
            ]);
            tx.execute(
                "INSERT INTO patrol_task_people (community_id, task_id, user_id, starts_at) \
                 SELECT x.c, x.t, x.u, x.s::TIMESTAMPTZ \
                 FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::BIGINT[], $4::TEXT[]) AS x (c, t, u, s) \
                 ON CONFLICT DO NOTHING",
                a,
            )
            .await?;
        }
        return Ok(());
    }
    for chunk in rows.chunks(PEOPLE_ROWS) {
        let mut b = Bulk::with_capacity(chunk.len(), 4);
        for (c, t, u, at) in chunk {
            b.row([
                Value::from(*c),
                Value::from(*t),
                Value::from(*u),
                Value::from(*at),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO patrol_task_people (community_id, task_id, user_id, starts_at)",
            " ON CONFLICT DO NOTHING",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
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
    }
}

const TASK_COLS: &str = "t.id, t.community_id, t.plan_id, t.route_id, p.name AS plan_name, \
     r.name AS route_name, r.kind AS route_kind, r.ordered, t.day, t.starts_at, t.ends_at, \
     t.state, t.checkpoints, t.scanned, t.flagged, t.started_at, t.finished_at";

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

/// A person's tasks starting in [from, to), in the communities he reaches.
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
    let mut a = args![user, from, to];
    let cond = crate::db::in_list(&mut a, "x.community_id", communities);
    q.fetch_all(
        &format!(
            "SELECT {TASK_COLS} FROM patrol_task_people x JOIN patrol_tasks t \
             ON t.community_id = x.community_id AND t.id = x.task_id{TASK_JOINS} \
             WHERE {cond} AND x.user_id = $1 AND x.starts_at >= $2 AND x.starts_at < $3 \
             ORDER BY t.starts_at, t.id"
        ),
        a,
    )
    .await
}

/// A community's tasks of a day, by start. A task starts on its day or, in a night window (which
/// belongs to the day it opens), on the next: [`from`, `to`) — the two days' bounds in UTC —
/// finds them on the report index.
pub(crate) async fn tasks_of_day(
    q: &mut impl Queries,
    c: CommunityId,
    day: NaiveDate,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    state: Option<&str>,
) -> CoreResult<Vec<TaskRow>> {
    q.fetch_all(
        &format!(
            "SELECT {TASK_COLS} FROM {TASK_FROM}{TASK_JOINS} WHERE t.community_id = $1 \
             AND t.starts_at >= $2 AND t.starts_at < $3 AND t.day = $4 \
             AND ($5 IS NULL OR t.state = $5) ORDER BY t.starts_at, t.id"
        ),
        args![c, from, to, day, state],
    )
    .await
}

/// The people of tasks: (task, user).
pub(crate) async fn task_people(
    q: &mut impl Queries,
    c: CommunityId,
    tasks: &[i64],
) -> CoreResult<Vec<(PatrolTaskId, UserId)>> {
    if tasks.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = crate::db::in_list(&mut a, "task_id", tasks);
    q.fetch_all(
        &format!(
            "SELECT task_id, user_id FROM patrol_task_people WHERE community_id = $1 AND {cond} \
             ORDER BY task_id, user_id"
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
/// plan's next tasks follow it. Their people go with them.
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
