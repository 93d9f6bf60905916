//! Plans: when a route is walked (every N hours within a window, daily, weekly on days,
//! monthly on dates), within which window of the community's clock, how long a round may take,
//! and by whom (people, or whoever is on a duty shift). Writing a plan writes its next tasks.

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::setup::managed;
use crate::audit::{self, Action, Entry};
use crate::patrols::error::PatrolCode;
use crate::patrols::model::{self, PatrolFrequency};
use crate::patrols::store::setup::{self as store, PlanFields, PlanRow};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

/// A plan: when a route is walked and by whom.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolPlan {
    pub id: PatrolPlanId,
    pub community_id: CommunityId,
    pub route_id: RouteId,
    pub name: String,
    pub frequency: PatrolFrequency,
    pub every_hours: Option<i64>,
    /// Weekly: 1 = Monday … 7 = Sunday.
    pub weekdays: Vec<u32>,
    /// Monthly: dates 1–31 (past a month's end: its last day).
    pub month_days: Vec<u32>,
    /// The window, HH:MM of the community's clock; an end at or before the start is the next day.
    pub window_start: String,
    pub window_end: String,
    /// The time a task has to be finished from its start.
    pub duration_minutes: i64,
    /// Walked by whoever is on this duty shift (when no people are named).
    pub shift_code: Option<String>,
    pub supervisor_id: Option<UserId>,
    pub people: Vec<UserId>,
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    #[schema(value_type = Option<String>, format = Date)]
    pub ends_on: Option<NaiveDate>,
    pub active: bool,
}

/// A plan to create or rewrite.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PatrolPlanForCreate {
    pub route_id: RouteId,
    pub name: String,
    pub frequency: PatrolFrequency,
    #[serde(default)]
    pub every_hours: Option<i64>,
    #[serde(default)]
    pub weekdays: Vec<u32>,
    #[serde(default)]
    pub month_days: Vec<u32>,
    pub window_start: String,
    pub window_end: String,
    /// Default: the hours between two tasks (hourly), else the window's length.
    #[serde(default)]
    pub duration_minutes: Option<i64>,
    #[serde(default)]
    pub shift_code: Option<String>,
    #[serde(default)]
    pub supervisor_id: Option<UserId>,
    #[serde(default)]
    pub people: Vec<UserId>,
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default)]
    pub starts_on: Option<NaiveDate>,
    #[schema(value_type = Option<String>, format = Date)]
    #[serde(default)]
    pub ends_on: Option<NaiveDate>,
    #[serde(default)]
    pub active: Option<bool>,
}

pub(crate) fn schedule_of(p: &PlanRow) -> CoreResult<model::Schedule> {
    let bad = |what: &str| CoreError::internal(format!("plan {} has a bad {what}", p.id));
    Ok(model::Schedule {
        frequency: PatrolFrequency::from_stored(&p.frequency)?,
        every_hours: u32::try_from(p.every_hours.unwrap_or(1)).map_err(|_| bad("every_hours"))?,
        weekdays: p
            .weekdays
            .as_deref()
            .and_then(|w| model::parse_days(w, 1, 7))
            .unwrap_or_default(),
        month_days: p
            .month_days
            .as_deref()
            .and_then(|w| model::parse_days(w, 1, 31))
            .unwrap_or_default(),
        window_start: model::parse_time(&p.window_start).ok_or_else(|| bad("window"))?,
        window_end: model::parse_time(&p.window_end).ok_or_else(|| bad("window"))?,
        duration: chrono::Duration::minutes(p.duration_minutes),
        starts_on: p.starts_on,
        ends_on: p.ends_on,
    })
}

struct CheckedPlan {
    every_hours: Option<i64>,
    weekdays: Option<String>,
    month_days: Option<String>,
    window_start: String,
    window_end: String,
    duration_minutes: i64,
    starts_on: NaiveDate,
}

async fn check_plan(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    tz: Tz,
    input: &PatrolPlanForCreate,
) -> CoreResult<CheckedPlan> {
    let mut checks = Checks::new();
    checks.take(required_text("name", &input.name, 60));
    let shift = checks
        .take(optional_text("shift_code", input.shift_code.as_deref(), 32))
        .flatten();
    let mut q = core.db.read();
    match store::route(&mut q, c, input.route_id).await? {
        None => checks.push(FieldError::new("route_id", PatrolCode::UnknownRoute)),
        Some(r) if r.stops == 0 => checks.push(FieldError::new("route_id", PatrolCode::RouteEmpty)),
        Some(_) => {}
    }
    let start = model::parse_time(&input.window_start);
    let end = model::parse_time(&input.window_end);
    if start.is_none() {
        checks.push(FieldError::new("window_start", PatrolCode::BadTime));
    }
    if end.is_none() {
        checks.push(FieldError::new("window_end", PatrolCode::BadTime));
    }
    let window_minutes = match (start, end) {
        (Some(s), Some(e)) => {
            let m = (e - s).num_minutes();
            if m <= 0 { m + 24 * 60 } else { m }
        }
        _ => 60,
    };
    let mut every_hours = None;
    let (mut weekdays, mut month_days) = (None, None);
    match input.frequency {
        PatrolFrequency::Hourly => match input.every_hours {
            Some(h) if (1..=24).contains(&h) => every_hours = Some(h),
            _ => checks.push(FieldError::new("every_hours", PatrolCode::EveryHours)),
        },
        PatrolFrequency::Weekly => {
            let set: std::collections::BTreeSet<u32> = input.weekdays.iter().copied().collect();
            if set.is_empty() || set.iter().any(|d| !(1..=7).contains(d)) {
                checks.push(FieldError::new("weekdays", PatrolCode::BadDays));
            } else {
                weekdays = Some(model::days_text(&set));
            }
        }
        PatrolFrequency::Monthly => {
            let set: std::collections::BTreeSet<u32> = input.month_days.iter().copied().collect();
            if set.is_empty() || set.iter().any(|d| !(1..=31).contains(d)) {
                checks.push(FieldError::new("month_days", PatrolCode::BadDays));
            } else {
                month_days = Some(model::days_text(&set));
            }
        }
        PatrolFrequency::Daily => {}
    }
    let duration = input.duration_minutes.unwrap_or(match every_hours {
        Some(h) => h * 60,
        None => window_minutes,
    });
    if !(5..=24 * 60).contains(&duration) {
        checks.push(FieldError::new("duration_minutes", PatrolCode::BadDuration));
    }
    let today = Utc::now().with_timezone(&tz).date_naive();
    let starts_on = input.starts_on.unwrap_or(today);
    if input.ends_on.is_some_and(|e| e < starts_on) {
        checks.push(FieldError::new("ends_on", PatrolCode::EndsBeforeStarts));
    }
    if input.people.is_empty() && shift.is_none() {
        checks.push(FieldError::new("people", PatrolCode::NobodyAssigned));
    }
    let walkers = crate::auth::store::for_tickets::users_with_perm(
        &mut q,
        ctx.company_id,
        c,
        Perm::PatrolsWalk.code(),
        true,
    )
    .await?;
    if input
        .people
        .iter()
        .any(|p| !walkers.iter().any(|(u, _)| u == p))
    {
        checks.push(FieldError::new("people", PatrolCode::UnknownPerson));
    }
    if let Some(s) = input.supervisor_id {
        let managers = crate::auth::store::for_tickets::users_with_perm(
            &mut q,
            ctx.company_id,
            c,
            Perm::PatrolsManage.code(),
            true,
        )
        .await?;
        if !managers.iter().any(|(u, _)| *u == s) {
            checks.push(FieldError::new("supervisor_id", PatrolCode::UnknownPerson));
        }
    }
    checks.finish()?;
    Ok(CheckedPlan {
        every_hours,
        weekdays,
        month_days,
        window_start: input.window_start.trim().to_string(),
        window_end: input.window_end.trim().to_string(),
        duration_minutes: duration,
        starts_on,
    })
}

fn plan_fields<'a>(input: &'a PatrolPlanForCreate, p: CheckedPlan) -> PlanFields<'a> {
    PlanFields {
        route_id: input.route_id,
        name: input.name.trim(),
        frequency: input.frequency.code(),
        every_hours: p.every_hours,
        weekdays: p.weekdays,
        month_days: p.month_days,
        window_start: p.window_start,
        window_end: p.window_end,
        duration_minutes: p.duration_minutes,
        shift_code: input
            .shift_code
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
        supervisor_id: input.supervisor_id,
        starts_on: p.starts_on,
        ends_on: input.ends_on,
        active: input.active.unwrap_or(true),
    }
}

pub async fn create_plan(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: PatrolPlanForCreate,
) -> CoreResult<PatrolPlan> {
    let (_, tz) = managed(core, ctx, c).await?;
    let checked = check_plan(core, ctx, c, tz, &input).await?;
    let fields = plan_fields(&input, checked);
    let mut tx = core.db.begin().await?;
    let id = store::insert_plan(&mut tx, c, &fields, ctx.actor(), Utc::now()).await?;
    store::set_plan_people(&mut tx, c, id, &input.people).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "patrol_plan", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    super::tasks::regenerate_plan(core, c, tz, id).await?;
    plan(core, ctx, c, id).await
}

/// Rewrites a plan. Tasks already generated stay as they are; the next ones follow it.
pub async fn update_plan(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: PatrolPlanId,
    input: PatrolPlanForCreate,
) -> CoreResult<PatrolPlan> {
    let (_, tz) = managed(core, ctx, c).await?;
    let checked = check_plan(core, ctx, c, tz, &input).await?;
    let fields = plan_fields(&input, checked);
    let mut tx = core.db.begin().await?;
    if store::update_plan(&mut tx, c, id, &fields, Utc::now()).await? == 0 {
        return Err(CoreError::NotFound("plan"));
    }
    store::set_plan_people(&mut tx, c, id, &input.people).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "patrol_plan", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    super::tasks::regenerate_plan(core, c, tz, id).await?;
    plan(core, ctx, c, id).await
}

fn plan_of(p: PlanRow, people: Vec<UserId>) -> CoreResult<PatrolPlan> {
    let days = |s: Option<&str>, hi| {
        s.and_then(|s| model::parse_days(s, 1, hi))
            .map(|d| d.into_iter().collect())
            .unwrap_or_default()
    };
    Ok(PatrolPlan {
        id: p.id,
        community_id: p.community_id,
        route_id: p.route_id,
        name: p.name,
        frequency: PatrolFrequency::from_stored(&p.frequency)?,
        every_hours: p.every_hours,
        weekdays: days(p.weekdays.as_deref(), 7),
        month_days: days(p.month_days.as_deref(), 31),
        window_start: p.window_start,
        window_end: p.window_end,
        duration_minutes: p.duration_minutes,
        shift_code: p.shift_code,
        supervisor_id: p.supervisor_id,
        people,
        starts_on: p.starts_on,
        ends_on: p.ends_on,
        active: p.active,
    })
}

pub async fn plan(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: PatrolPlanId,
) -> CoreResult<PatrolPlan> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let p = store::plan(&mut q, c, id)
        .await?
        .ok_or(CoreError::NotFound("plan"))?;
    let people = store::plan_people(&mut q, Some(&[c.0]))
        .await?
        .into_iter()
        .filter(|(pl, _)| *pl == id)
        .map(|(_, u)| u)
        .collect();
    plan_of(p, people)
}

pub async fn plans(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<PatrolPlan>> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let rows = store::plans(&mut q, c).await?;
    let people = store::plan_people(&mut q, Some(&[c.0])).await?;
    rows.into_iter()
        .map(|p| {
            let mine = people
                .iter()
                .filter(|(pl, _)| *pl == p.id)
                .map(|(_, u)| *u)
                .collect();
            plan_of(p, mine)
        })
        .collect()
}

/// What a plan's form offers to choose from: the community's staff who may walk rounds, those
/// who may supervise them, and the duty shifts in use (code, "name HH:MM–HH:MM").
#[derive(Debug, Clone, Default)]
pub struct PlanChoices {
    pub walkers: Vec<(UserId, String)>,
    pub supervisors: Vec<(UserId, String)>,
    pub shifts: Vec<(String, String)>,
}

/// The people and shifts a manager may put on a plan of the community (the same lists the
/// plan's checks accept).
pub async fn plan_choices(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<PlanChoices> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let walkers = crate::auth::store::for_tickets::users_with_perm(
        &mut q,
        ctx.company_id,
        c,
        Perm::PatrolsWalk.code(),
        true,
    )
    .await?;
    let supervisors = crate::auth::store::for_tickets::users_with_perm(
        &mut q,
        ctx.company_id,
        c,
        Perm::PatrolsManage.code(),
        true,
    )
    .await?;
    drop(q);
    let shifts = crate::duty::list_shifts(core, ctx, c)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .map(|s| (s.code, format!("{} {}–{}", s.name, s.starts, s.ends)))
        .collect();
    Ok(PlanChoices {
        walkers,
        supervisors,
        shifts,
    })
}

/// When each active plan of the community next starts a round (plans with none to come are
/// left out).
pub async fn next_rounds(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<std::collections::HashMap<PatrolPlanId, chrono::DateTime<Utc>>> {
    let (_, tz) = managed(core, ctx, c).await?;
    let now = Utc::now();
    let mut out = std::collections::HashMap::new();
    for p in store::plans(&mut core.db.read(), c).await? {
        if !p.active {
            continue;
        }
        if let Some(at) = schedule_of(&p)?.next_start(tz, now) {
            out.insert(p.id, at);
        }
    }
    Ok(out)
}
