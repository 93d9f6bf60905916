//! Tasks: generated ahead from the plans by a job every node runs (each community's day is
//! claimed once, in the transaction that writes its tasks; the unique key of a task makes any
//! rerun write nothing); the phone's download of a person's rounds; the day's board (and its
//! .xlsx); a task's scans; the sweep that finds rounds unfinished at their end and tells the
//! supervisor; and the completion report.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::plans::schedule_of;
use super::setup::{Checkpoint, checkpoint_of, managed};
use crate::db::{Queries, Writes};
use crate::notify::{self, InApp, Note, model::Event};
use crate::patrols::model::{RouteKind, TaskState};
use crate::patrols::store::scans as scan_store;
use crate::patrols::store::setup::{self as setup_store, PlanRow};
use crate::patrols::store::tasks::{self as store, NewTask, TaskRow};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// The job's name in leases and item claims.
const JOB: &str = "patrol_tasks";

/// What a generation pass wrote.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TasksGenerated {
    /// Community days generated (claimed) in this pass.
    pub days: usize,
    pub plans: usize,
    /// Tasks written (those already there are not counted).
    pub tasks: usize,
}

/// The tasks of `plans` on each community's `days` (none starting at or before `not_before`),
/// each with who walks it: the plan's people less those on leave that day, or whoever the
/// roster has on the plan's shift. Reads only.
async fn plan_tasks(
    q: &mut impl Queries,
    plans: &[PlanRow],
    people: &HashMap<PatrolPlanId, Vec<UserId>>,
    stops: &HashMap<RouteId, i64>,
    days: &HashMap<CommunityId, (Tz, Vec<NaiveDate>)>,
    not_before: Option<DateTime<Utc>>,
) -> CoreResult<Vec<NewTask>> {
    // Who is on leave on these days: given no round (a round left with nobody is anyone's).
    let cs: Vec<i64> = days.keys().map(|c| c.0).collect();
    let first = days.values().flat_map(|(_, d)| d.iter().copied()).min();
    let last = days.values().flat_map(|(_, d)| d.iter().copied()).max();
    let mut leaves: HashMap<(CommunityId, UserId), Vec<(NaiveDate, NaiveDate)>> = HashMap::new();
    if let (Some(f), Some(l)) = (first, last) {
        for (c, u, from, to) in crate::duty::leaves_in(q, &cs, f, l).await? {
            leaves.entry((c, u)).or_default().push((from, to));
        }
    }
    let away = |c: CommunityId, u: UserId, d: NaiveDate| {
        leaves
            .get(&(c, u))
            .is_some_and(|l| l.iter().any(|(from, to)| *from <= d && d <= *to))
    };
    let mut tasks = Vec::new();
    for p in plans {
        let Some((tz, ds)) = days.get(&p.community_id) else {
            continue;
        };
        let n = stops.get(&p.route_id).copied().unwrap_or(0);
        if n == 0 {
            continue;
        }
        let s = schedule_of(p)?;
        let named = people.get(&p.id).map(Vec::as_slice).unwrap_or(&[]);
        let all_named = store::walkers_text(named);
        for d in ds {
            let occurrences = s.occurrences(*tz, *d);
            if occurrences.is_empty() {
                continue;
            }
            // Named people, or whoever the roster has on the plan's shift that day.
            let who = match (&p.shift_code, named.is_empty()) {
                (Some(code), true) => store::walkers_text(
                    &crate::duty::people_on_shift(q, p.community_id, code, *d).await?,
                ),
                _ if named.iter().any(|u| away(p.community_id, *u, *d)) => {
                    let here: Vec<UserId> = named
                        .iter()
                        .copied()
                        .filter(|u| !away(p.community_id, *u, *d))
                        .collect();
                    store::walkers_text(&here)
                }
                _ => all_named.clone(),
            };
            for o in occurrences {
                if not_before.is_some_and(|t| o.starts_at <= t) {
                    continue;
                }
                tasks.push(NewTask {
                    community: p.community_id,
                    plan: p.id,
                    route: p.route_id,
                    day: o.day,
                    starts_at: o.starts_at,
                    ends_at: o.ends_at,
                    checkpoints: n,
                    walkers: who.clone(),
                });
            }
        }
    }
    Ok(tasks)
}

/// [`plan_tasks`] written in the caller's transaction; returns how many were new.
async fn write_tasks(
    tx: &mut crate::db::Tx,
    plans: &[PlanRow],
    people: &HashMap<PatrolPlanId, Vec<UserId>>,
    stops: &HashMap<RouteId, i64>,
    days: &HashMap<CommunityId, (Tz, Vec<NaiveDate>)>,
    not_before: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let tasks = plan_tasks(tx, plans, people, stops, days, not_before).await?;
    store::insert_tasks(tx, &tasks, now).await
}

async fn plan_inputs(
    q: &mut impl crate::db::Rows,
    communities: Option<&[i64]>,
) -> CoreResult<(
    Vec<PlanRow>,
    HashMap<PatrolPlanId, Vec<UserId>>,
    HashMap<RouteId, i64>,
)> {
    let plans = setup_store::active_plans(q, communities).await?;
    let mut people: HashMap<PatrolPlanId, Vec<UserId>> = HashMap::new();
    for (p, u) in setup_store::plan_people(q, communities).await? {
        people.entry(p).or_default().push(u);
    }
    let stops = setup_store::stop_counts(q, communities)
        .await?
        .into_iter()
        .collect();
    Ok((plans, people, stops))
}

/// One pass of the generation job: for every community (or `only`), its local today and
/// tomorrow, each claimed once across nodes and passes. `now` decides which days those are.
pub async fn generate_due(
    core: &Core,
    only: Option<CommunityId>,
    now: DateTime<Utc>,
    node: &str,
) -> CoreResult<TasksGenerated> {
    generate_ahead(core, only, now, 0..=1, node).await
}

/// [`generate_due`] for the days `ahead` after each community's today (0 = today): each
/// community's day claimed once, its tasks written in the same transaction.
pub async fn generate_ahead(
    core: &Core,
    only: Option<CommunityId>,
    now: DateTime<Utc>,
    ahead: std::ops::RangeInclusive<i64>,
    node: &str,
) -> CoreResult<TasksGenerated> {
    let ids = only.map(|c| vec![c.0]);
    let zones =
        crate::registry::store::for_community::time_zones(&mut core.db.read(), ids.as_deref())
            .await?;
    // SQLite: on the calling thread (a day of a thousand communities is some 150,000 rows, and
    // the pool's worker thread would pass each row, read or returned, over a channel). The plans
    // are read on the writer's connection; the few roster reads on a reader, which sees nothing
    // change meanwhile since the writer is held from the claims to the commit.
    if let Some((_slot, mut w)) = core.db.begin_inline().await? {
        let t = std::time::Instant::now();
        let days = claim_days(&mut w, zones, ahead, node, now).await?;
        if days.is_empty() {
            w.commit()?;
            return Ok(TasksGenerated::default());
        }
        let claimed = t.elapsed();
        let cs: Vec<i64> = days.keys().map(|c| c.0).collect();
        let (plans, people, stops) = plan_inputs(&mut w, Some(&cs)).await?;
        let read = t.elapsed();
        let mut q = core.db.read();
        let tasks = plan_tasks(&mut q, &plans, &people, &stops, &days, None).await?;
        drop(q);
        let planned = t.elapsed();
        let written = store::insert_tasks(&mut w, &tasks, now).await?;
        let stored = t.elapsed();
        w.commit_bulk()?;
        tracing::debug!(
            ?claimed, ?read, ?planned, ?stored, committed = ?t.elapsed(),
            "patrol rounds generated"
        );
        return Ok(TasksGenerated {
            days: days.values().map(|(_, d)| d.len()).sum(),
            plans: plans.len(),
            tasks: written,
        });
    }
    // PostgreSQL: the communities split among PG_PARALLEL transactions at once, so the server's
    // work (a B-tree entry per index and task) runs on more than one core. Each community's day
    // is claimed in the transaction that writes its tasks, so a pass cut short anywhere (one
    // part failing drops the others not yet committed) leaves each day whole or unclaimed.
    let parts = PG_PARALLEL.min(zones.len()).max(1);
    let size = zones.len().div_ceil(parts).max(1);
    let runs = zones
        .chunks(size)
        .map(|part| generate_part(core, part.to_vec(), ahead.clone(), node, now));
    let mut out = TasksGenerated::default();
    for g in futures_util::future::try_join_all(runs).await? {
        out.days += g.days;
        out.plans += g.plans;
        out.tasks += g.tasks;
    }
    Ok(out)
}

/// Transactions a PostgreSQL pass writes in at once.
const PG_PARALLEL: usize = 2;

/// One transaction of a PostgreSQL pass: these communities' days claimed and their tasks written.
async fn generate_part(
    core: &Core,
    zones: Vec<(CommunityId, String)>,
    ahead: std::ops::RangeInclusive<i64>,
    node: &str,
    now: DateTime<Utc>,
) -> CoreResult<TasksGenerated> {
    let t = std::time::Instant::now();
    let mut tx = core.db.begin().await?;
    let days = claim_days(&mut tx, zones, ahead, node, now).await?;
    if days.is_empty() {
        tx.commit().await?;
        return Ok(TasksGenerated::default());
    }
    let claimed = t.elapsed();
    let cs: Vec<i64> = days.keys().map(|c| c.0).collect();
    let (plans, people, stops) = plan_inputs(&mut tx, Some(&cs)).await?;
    let read = t.elapsed();
    let tasks = plan_tasks(&mut tx, &plans, &people, &stops, &days, None).await?;
    let planned = t.elapsed();
    let tasks = store::insert_tasks(&mut tx, &tasks, now).await?;
    let stored = t.elapsed();
    tx.commit().await?;
    tracing::debug!(
        ?claimed, ?read, ?planned, ?stored, committed = ?t.elapsed(),
        "patrol rounds generated"
    );
    Ok(TasksGenerated {
        days: days.values().map(|(_, d)| d.len()).sum(),
        plans: plans.len(),
        tasks,
    })
}

/// Claims each community's days `ahead` of its today, each once across nodes and passes.
async fn claim_days(
    w: &mut impl Writes,
    zones: Vec<(CommunityId, String)>,
    ahead: std::ops::RangeInclusive<i64>,
    node: &str,
    now: DateTime<Utc>,
) -> CoreResult<HashMap<CommunityId, (Tz, Vec<NaiveDate>)>> {
    let mut zone: HashMap<CommunityId, Tz> = HashMap::new();
    let mut due = Vec::new();
    for (c, tz_name) in zones {
        let tz = crate::shared::calendar::zone(&tz_name);
        let today = now.with_timezone(&tz).date_naive();
        for d in ahead.clone().map(|n| today + Duration::days(n)) {
            due.push((c, d.to_string()));
        }
        zone.insert(c, tz);
    }
    let mut days: HashMap<CommunityId, (Tz, Vec<NaiveDate>)> = HashMap::new();
    for (c, item) in crate::shared::jobs::claim_items(w, JOB, &due, node, now).await? {
        let (Some(tz), Ok(d)) = (zone.get(&c), item.parse::<NaiveDate>()) else {
            continue;
        };
        days.entry(c).or_insert_with(|| (*tz, Vec::new())).1.push(d);
    }
    for (_, ds) in days.values_mut() {
        ds.sort();
    }
    Ok(days)
}

/// Generates a community's tasks for the days `from..=to` (a manager catching up, or "as of" a
/// date): only the tasks not there yet are written.
pub async fn generate_for(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<TasksGenerated> {
    let (_, tz) = managed(core, ctx, c).await?;
    if to < from || (to - from).num_days() > 31 {
        return Err(CoreError::invalid(
            "to",
            crate::patrols::error::PatrolCode::EndsBeforeStarts,
        ));
    }
    let mut ds = Vec::new();
    let mut d = from;
    while d <= to {
        ds.push(d);
        d += Duration::days(1);
    }
    let days = HashMap::from([(c, (tz, ds.clone()))]);
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let (plans, people, stops) = plan_inputs(&mut tx, Some(&[c.0])).await?;
    let tasks = write_tasks(&mut tx, &plans, &people, &stops, &days, None, now).await?;
    tx.commit().await?;
    Ok(TasksGenerated {
        days: ds.len(),
        plans: plans.len(),
        tasks,
    })
}

/// After a plan is written: its tasks not yet begun are dropped and today's and tomorrow's
/// written again from the plan as it is now (only those starting later than now).
pub(crate) async fn regenerate_plan(
    core: &Core,
    c: CommunityId,
    tz: Tz,
    plan: PatrolPlanId,
) -> CoreResult<()> {
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let mut tx = core.db.begin().await?;
    store::drop_pending(&mut tx, c, plan, now).await?;
    let (plans, people, stops) = plan_inputs(&mut tx, Some(&[c.0])).await?;
    let mine: Vec<PlanRow> = plans.into_iter().filter(|p| p.id == plan).collect();
    let days = HashMap::from([(c, (tz, vec![today, today + Duration::days(1)]))]);
    write_tasks(&mut tx, &mine, &people, &stops, &days, Some(now), now).await?;
    tx.commit().await
}

/// A task on the board or the phone.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolTask {
    pub id: PatrolTaskId,
    pub community_id: CommunityId,
    pub plan_id: PatrolPlanId,
    pub plan_name: String,
    pub route_id: RouteId,
    pub route_name: String,
    pub route_kind: RouteKind,
    /// Scans out of the route's order are flagged.
    pub ordered: bool,
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub state: TaskState,
    /// Checkpoints on the route, and how many were scanned.
    pub checkpoints: i64,
    pub scanned: i64,
    /// Scans with a flag (a finding, a stale label, far away, out of the window…).
    pub flagged: i64,
    pub started_at: Option<DateTime<Utc>>,
    pub finished_at: Option<DateTime<Utc>>,
    /// Who walks it (names).
    pub people: Vec<String>,
}

pub(crate) fn task_of(r: TaskRow, people: Vec<String>) -> CoreResult<PatrolTask> {
    Ok(PatrolTask {
        id: r.id,
        community_id: r.community_id,
        plan_id: r.plan_id,
        plan_name: r.plan_name,
        route_id: r.route_id,
        route_name: r.route_name,
        route_kind: RouteKind::from_stored(&r.route_kind)?,
        ordered: r.ordered,
        day: r.day,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        state: TaskState::from_stored(&r.state)?,
        checkpoints: r.checkpoints,
        scanned: r.scanned,
        flagged: r.flagged,
        started_at: r.started_at,
        finished_at: r.finished_at,
        people,
    })
}

/// Tasks with the names of their people.
async fn with_people(core: &Core, rows: Vec<TaskRow>) -> CoreResult<Vec<PatrolTask>> {
    let users: Vec<i64> = rows
        .iter()
        .flat_map(|r| store::walkers_of(&r.walkers))
        .map(|u| u.0)
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    let names: HashMap<i64, String> =
        crate::auth::store::for_tickets::display_names(&core.db, &users)
            .await?
            .into_iter()
            .collect();
    rows.into_iter()
        .map(|r| {
            let people = store::walkers_of(&r.walkers)
                .into_iter()
                .filter_map(|u| names.get(&u.0).cloned())
                .collect();
            task_of(r, people)
        })
        .collect()
}

/// The community's tasks of a day (its own calendar day), by start.
pub async fn day_board(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    day: Option<NaiveDate>,
    state: Option<TaskState>,
) -> CoreResult<(NaiveDate, Vec<PatrolTask>)> {
    let (_, w) = board_where(core, ctx, c, day, state).await?;
    let rows = store::tasks_of_day(&mut core.db.read(), c, &w).await?;
    Ok((w.day, with_people(core, rows).await?))
}

/// The board's tasks, checked (the board's and its export's): the manager's right to the
/// community, the day (today by default) and its bounds in the community's zone. Gives the zone.
async fn board_where(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    day: Option<NaiveDate>,
    state: Option<TaskState>,
) -> CoreResult<(Tz, store::DayWhere)> {
    let (_, tz) = managed(core, ctx, c).await?;
    let day = day.unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
    let bounds = (
        crate::shared::calendar::local_to_utc(tz, day, chrono::NaiveTime::MIN),
        crate::shared::calendar::local_to_utc(tz, day + Duration::days(2), chrono::NaiveTime::MIN),
    );
    Ok((
        tz,
        store::DayWhere {
            day,
            bounds,
            state: state.map(TaskState::code),
        },
    ))
}

const COLUMNS: &[Column<PatrolTask>] = &[
    col("日期", 11.0, |t| Cell::Day(t.day)),
    col("计划", 16.0, |t| Cell::from(&t.plan_name)),
    col("路线", 16.0, |t| Cell::from(&t.route_name)),
    col("类型", 10.0, |t| Cell::Label(t.route_kind.zh())),
    col("开始", 16.0, |t| Cell::At(t.starts_at)),
    col("结束", 16.0, |t| Cell::At(t.ends_at)),
    col("状态", 8.0, |t| Cell::Label(t.state.zh())),
    col("点位数", 8.0, |t| Cell::from(t.checkpoints)),
    col("已巡点位", 8.0, |t| Cell::from(t.scanned)),
    col("异常", 6.0, |t| Cell::from(t.flagged)),
    col("实际开始", 16.0, |t| Cell::from(t.started_at)),
    col("完成时间", 16.0, |t| Cell::from(t.finished_at)),
    col("巡查人员", 20.0, |t| Cell::from(t.people.join("、"))),
];

/// Every task of the board's day (and state), newest first, as .xlsx, streamed; times in the
/// community's zone.
pub async fn day_tasks_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    day: Option<NaiveDate>,
    state: Option<TaskState>,
) -> CoreResult<ExportFile> {
    let (tz, w) = board_where(core, ctx, c, day, state).await?;
    let mut q = core.db.read();
    let sink = Sink::new("巡查任务", COLUMNS, tz);
    let mut sink = sink.by_id(|t| t.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let rows = store::day_page(&mut q, c, &w, below, PAGE).await?;
            with_people(core, rows).await
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// A checkpoint of a round as the phone needs it (its label's secret is not sent: the server
/// judges the scan).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneStop {
    pub position: i64,
    pub checkpoint: Checkpoint,
}

/// A round on the phone: the task, its checkpoints in order with their items.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneRound {
    pub task: PatrolTask,
    pub stops: Vec<PhoneStop>,
    /// The checkpoints already scanned (as the server knows).
    pub scanned: Vec<CheckpointId>,
}

/// What the phone downloads: the person's rounds from 18 hours ago to 30 hours ahead.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PhoneBundle {
    /// The server's clock (the phone keeps its offset to it).
    pub server_time: DateTime<Utc>,
    pub user_id: UserId,
    pub display_name: String,
    pub rounds: Vec<PhoneRound>,
}

/// The rounds of the acting person, for the phone to walk with or without signal.
pub async fn my_rounds(core: &Core, ctx: &Ctx) -> CoreResult<PhoneBundle> {
    ctx.require(Perm::PatrolsWalk)?;
    let now = Utc::now();
    let communities: Vec<i64> = match ctx.community_ids() {
        Some(cs) => cs.into_iter().map(|c| c.0).collect(),
        None => {
            crate::registry::store::for_community::communities(&mut core.db.read(), ctx.company_id)
                .await?
                .into_iter()
                .map(|c| c.0)
                .collect()
        }
    };
    let mut q = core.db.read();
    let rows = store::tasks_of_person(
        &mut q,
        &communities,
        ctx.user_id,
        now - Duration::hours(18),
        now + Duration::hours(30),
    )
    .await?;
    let mut by_community: BTreeMap<CommunityId, Vec<TaskRow>> = BTreeMap::new();
    for r in rows {
        by_community.entry(r.community_id).or_default().push(r);
    }
    let mut rounds = Vec::new();
    for (c, rows) in by_community {
        let routes: Vec<i64> = rows.iter().map(|r| r.route_id.0).collect();
        let stops = setup_store::stops(&mut q, c, &routes).await?;
        let cp_ids: Vec<i64> = stops.iter().map(|s| s.2.0).collect();
        let cps = setup_store::checkpoints(&mut q, c, Some(&cp_ids)).await?;
        let mut items: HashMap<CheckpointId, Vec<_>> = HashMap::new();
        for i in setup_store::items_of(&mut q, c, &cp_ids).await? {
            items.entry(i.checkpoint_id).or_default().push(i);
        }
        let mut checkpoints: HashMap<CheckpointId, Checkpoint> = HashMap::new();
        for k in cps {
            let id = k.id;
            let own = items.remove(&id).unwrap_or_default();
            checkpoints.insert(id, checkpoint_of(k, own)?);
        }
        for t in with_people(core, rows).await? {
            let scanned = scan_store::scans_of_task(&mut q, c, t.id)
                .await?
                .into_iter()
                .map(|s| s.checkpoint_id)
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .collect();
            let stops = stops
                .iter()
                .filter(|s| s.0 == t.route_id)
                .filter_map(|s| {
                    checkpoints.get(&s.2).map(|k| PhoneStop {
                        position: s.1,
                        checkpoint: k.clone(),
                    })
                })
                .collect();
            rounds.push(PhoneRound {
                task: t,
                stops,
                scanned,
            });
        }
    }
    rounds.sort_by_key(|r| (r.task.starts_at, r.task.id));
    Ok(PhoneBundle {
        server_time: now,
        user_id: ctx.user_id,
        display_name: ctx.display_name.clone(),
        rounds,
    })
}

/// Marks the rounds that ended unfinished as missed, each once, and tells each one's
/// supervisor (the plan's, or the community's patrol managers) in the same transaction.
/// Returns how many were marked.
pub async fn sweep_missed(
    core: &Core,
    now: DateTime<Utc>,
    only: Option<CommunityId>,
) -> CoreResult<usize> {
    let mut total = 0;
    loop {
        let mut tx = core.db.begin().await?;
        let missed = store::mark_missed(&mut tx, now, 500, only).await?;
        if missed.is_empty() {
            tx.commit().await?;
            return Ok(total);
        }
        total += missed.len();
        let mut notes = Vec::new();
        // Each community once: its time zone and patrol managers.
        let mut places: HashMap<CommunityId, (Tz, Vec<UserId>)> = HashMap::new();
        for m in &missed {
            let Some(p) = setup_store::plan(&mut tx, m.community_id, m.plan_id).await? else {
                continue;
            };
            if let std::collections::hash_map::Entry::Vacant(e) = places.entry(m.community_id) {
                let place = match crate::registry::store::for_community::company_of(
                    &mut tx,
                    m.community_id,
                )
                .await?
                {
                    Some((company, _, tz)) => (
                        crate::shared::calendar::zone(&tz),
                        crate::auth::store::for_tickets::users_with_perm(
                            &mut tx,
                            company,
                            m.community_id,
                            Perm::PatrolsManage.code(),
                            false,
                        )
                        .await?
                        .into_iter()
                        .map(|(u, _)| u)
                        .collect(),
                    ),
                    None => (chrono_tz::Asia::Shanghai, Vec::new()),
                };
                e.insert(place);
            }
            let Some((zone, managers)) = places.get(&m.community_id) else {
                continue;
            };
            let to = match p.supervisor_id {
                Some(s) => vec![s],
                None => managers.clone(),
            };
            notes.push((
                Note {
                    community: m.community_id,
                    event: Event::PatrolMissed,
                    params: vec![
                        ("plan".into(), p.name.clone()),
                        (
                            "start".into(),
                            m.starts_at
                                .with_timezone(zone)
                                .format("%m-%d %H:%M")
                                .to_string(),
                        ),
                        ("scanned".into(), format!("{}/{}", m.scanned, m.checkpoints)),
                    ],
                    request: None,
                    link: Some(format!("/patrols/tasks/{}", m.id)),
                },
                to,
            ));
        }
        notify::enqueue_many(&core.channels, &mut tx, &notes, InApp::Write, now).await?;
        tx.commit().await?;
    }
}

/// One pass of the patrol job on this node: generation, then the sweep.
pub async fn run_patrol_job(
    core: &Core,
    now: DateTime<Utc>,
    node: &str,
) -> CoreResult<(TasksGenerated, usize)> {
    let g = generate_due(core, None, now, node).await?;
    let missed = sweep_missed(core, now, None).await?;
    Ok((g, missed))
}

/// Runs the patrol job every `every` until the process ends (every node; the lease keeps the
/// work to one node at a time, the claims make each effect happen once whatever the lease).
pub fn spawn_patrol_job(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let node = crate::shared::jobs::node_name();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Utc::now();
            let lease = chrono::Duration::from_std(every * 4).unwrap_or(Duration::minutes(5));
            match crate::shared::jobs::claim_lease(&core, JOB, &node, lease, now).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "patrol job lease failed");
                    continue;
                }
            }
            let result = match run_patrol_job(&core, now, &node).await {
                Ok((g, missed)) => {
                    if g.tasks > 0 || missed > 0 {
                        tracing::info!(tasks = g.tasks, missed, "patrol job");
                    }
                    format!("tasks {} missed {missed}", g.tasks)
                }
                Err(e) => {
                    tracing::error!(error = %e, "patrol job failed");
                    format!("failed: {e}")
                }
            };
            let _ = crate::shared::jobs::finish_lease(&core, JOB, &node, &result).await;
        }
    })
}
