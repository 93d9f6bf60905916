//! The plans page (巡检计划) of a community: the list (route, how often, window, time allowed,
//! who walks it, supervisor, days, when it next starts a round) and a plan's form: the
//! frequency with its hours, weekdays (checkboxes) or dates of the month, the window, the
//! people who may walk rounds (checkboxes) or a duty shift, the supervisor, the first and last
//! day. The patrol service checks every field and writes the plan's next rounds.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use chrono::NaiveDate;
use wuye_core::CoreError;
use wuye_core::patrols::error::PatrolCode;
use wuye_core::patrols::model::{self, PatrolFrequency};
use wuye_core::patrols::{self, PatrolPlan, PatrolPlanForCreate, PlanChoices};
use wuye_core::shared::error::{CommonCode, FieldError};
use wuye_core::shared::ids::*;

use super::super::duty::Fields;
use super::super::forms::{Opt, default_zone, label, opts};
use super::super::{Id, Ids, OrPage, PageResult, Shell, page};
use super::{after_save, community_name};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrols/{community}/plans", get(list).post(create))
        .route("/patrols/{community}/plans/new", get(new))
        .route("/patrols/{community}/plans/{id}", get(edit).post(update))
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub route: String,
    pub when: String,
    pub window: String,
    pub minutes: i64,
    pub who: String,
    pub supervisor: String,
    pub days: String,
    pub next: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "patrols/plans.html")]
struct ListPage {
    s: Shell,
    community: i64,
    community_name: String,
    rows: Vec<Row>,
}

fn names(list: &[(UserId, String)]) -> HashMap<UserId, String> {
    list.iter().cloned().collect()
}

/// How often, in words ("每 2 小时", "每周 一、三", "每月 1,15 日").
fn when(s: &Shell, p: &PatrolPlan) -> String {
    let l = s.l;
    let freq = label(PatrolFrequency::ALL, &p.frequency, l);
    match p.frequency {
        PatrolFrequency::Hourly => s.say("pc.every_hours", p.every_hours.unwrap_or(1), "", ""),
        PatrolFrequency::Daily => freq.to_string(),
        PatrolFrequency::Weekly => format!(
            "{freq} {}",
            p.weekdays
                .iter()
                .map(|d| s.t(&format!("du.wd{d}")))
                .collect::<Vec<_>>()
                .join("、")
        ),
        PatrolFrequency::Monthly => s.say(
            "pc.month_days",
            model::days_text(&p.month_days.iter().copied().collect()),
            "",
            "",
        ),
    }
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let cid = CommunityId(c);
    let plans = patrols::plans(&st.core, &u.ctx, cid).await.or_page(&u)?;
    let routes: HashMap<RouteId, String> = patrols::routes(&st.core, &u.ctx, cid)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|r| (r.id, r.name))
        .collect();
    let choices = patrols::plan_choices(&st.core, &u.ctx, cid)
        .await
        .or_page(&u)?;
    let next = patrols::next_rounds(&st.core, &u.ctx, cid)
        .await
        .or_page(&u)?;
    let (walkers, bosses) = (names(&choices.walkers), names(&choices.supervisors));
    let shifts: HashMap<String, String> = choices.shifts.into_iter().collect();
    let s = Shell::of(&u);
    let rows = plans
        .iter()
        .map(|p| Row {
            id: p.id.0,
            name: p.name.clone(),
            route: routes.get(&p.route_id).cloned().unwrap_or_default(),
            when: when(&s, p),
            window: format!("{}–{}", p.window_start, p.window_end),
            minutes: p.duration_minutes,
            who: if p.people.is_empty() {
                let code = p.shift_code.clone().unwrap_or_default();
                format!(
                    "{}：{}",
                    s.t("field.shift_code"),
                    shifts.get(&code).cloned().unwrap_or(code)
                )
            } else {
                p.people
                    .iter()
                    .map(|id| walkers.get(id).cloned().unwrap_or_else(|| id.to_string()))
                    .collect::<Vec<_>>()
                    .join("、")
            },
            supervisor: p
                .supervisor_id
                .and_then(|id| bosses.get(&id).cloned())
                .unwrap_or_default(),
            days: match p.ends_on {
                Some(e) => format!("{} – {e}", p.starts_on),
                None => format!("{} –", p.starts_on),
            },
            next: next
                .get(&p.id)
                .map(|t| {
                    t.with_timezone(&default_zone())
                        .format("%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default(),
            active: p.active,
        })
        .collect();
    Ok(page(&ListPage {
        community_name: community_name(&st, &u, c).await?,
        s,
        community: c,
        rows,
    }))
}

/// The plan form, as typed.
#[derive(Clone, Default)]
pub struct PlanForm {
    pub route: String,
    pub name: String,
    pub frequency: String,
    pub every_hours: String,
    pub weekdays: Vec<u32>,
    pub month_days: String,
    pub window_start: String,
    pub window_end: String,
    pub duration: String,
    pub people: Vec<String>,
    pub shift_code: String,
    pub supervisor: String,
    pub starts_on: String,
    pub ends_on: String,
    pub active: bool,
}

fn form_of(p: &PatrolPlan) -> PlanForm {
    PlanForm {
        route: p.route_id.to_string(),
        name: p.name.clone(),
        frequency: p.frequency.code().into(),
        every_hours: p.every_hours.map(|h| h.to_string()).unwrap_or_default(),
        weekdays: p.weekdays.clone(),
        month_days: model::days_text(&p.month_days.iter().copied().collect()),
        window_start: p.window_start.clone(),
        window_end: p.window_end.clone(),
        duration: p.duration_minutes.to_string(),
        people: p.people.iter().map(|u| u.to_string()).collect(),
        shift_code: p.shift_code.clone().unwrap_or_default(),
        supervisor: p.supervisor_id.map(|u| u.to_string()).unwrap_or_default(),
        starts_on: p.starts_on.to_string(),
        ends_on: p.ends_on.map(|d| d.to_string()).unwrap_or_default(),
        active: p.active,
    }
}

fn parse(body: &str) -> (PlanForm, Result<PatrolPlanForCreate, Vec<FieldError>>) {
    let fields = Fields::of(body);
    let get = |k: &str| fields.get(k);
    let form = PlanForm {
        route: get("route_id"),
        name: get("name"),
        frequency: get("frequency"),
        every_hours: get("every_hours"),
        weekdays: fields
            .all("weekdays")
            .iter()
            .filter_map(|d| d.trim().parse().ok())
            .collect(),
        month_days: get("month_days"),
        window_start: get("window_start"),
        window_end: get("window_end"),
        duration: get("duration_minutes"),
        people: fields.all("people"),
        shift_code: get("shift_code"),
        supervisor: get("supervisor_id"),
        starts_on: get("starts_on"),
        ends_on: get("ends_on"),
        active: !get("active").is_empty(),
    };
    let mut errs = Vec::new();
    let mut int = |field: &str, raw: &str| -> Option<i64> {
        if raw.is_empty() {
            return None;
        }
        raw.parse().ok().or_else(|| {
            errs.push(FieldError::new(field, CommonCode::NotANumber));
            None
        })
    };
    let route = int("route_id", &form.route);
    let every_hours = int("every_hours", &form.every_hours);
    let duration = int("duration_minutes", &form.duration);
    let supervisor = int("supervisor_id", &form.supervisor).map(UserId);
    let people: Vec<UserId> = form
        .people
        .iter()
        .filter_map(|p| int("people", p.trim()))
        .map(UserId)
        .collect();
    let mut date = |field: &str, raw: &str| -> Option<NaiveDate> {
        if raw.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
            errs.push(FieldError::new(field, CommonCode::InvalidDate));
            None
        })
    };
    let starts_on = date("starts_on", &form.starts_on);
    let ends_on = date("ends_on", &form.ends_on);
    let month_days = if form.month_days.is_empty() {
        Vec::new()
    } else {
        match model::parse_days(&form.month_days, 1, 31) {
            Some(d) => d.into_iter().collect(),
            None => {
                errs.push(FieldError::new("month_days", PatrolCode::BadDays));
                Vec::new()
            }
        }
    };
    let frequency = PatrolFrequency::parse("frequency", &form.frequency)
        .map_err(|e| errs.push(e))
        .ok();
    if route.is_none() && errs.iter().all(|e| e.field != "route_id") {
        errs.push(FieldError::new("route_id", CommonCode::Choose));
    }
    let input = match (route, frequency) {
        (Some(route), Some(frequency)) if errs.is_empty() => Ok(PatrolPlanForCreate {
            route_id: RouteId(route),
            name: form.name.clone(),
            frequency,
            every_hours,
            weekdays: form.weekdays.clone(),
            month_days,
            window_start: form.window_start.clone(),
            window_end: form.window_end.clone(),
            duration_minutes: duration,
            shift_code: (!form.shift_code.is_empty()).then(|| form.shift_code.clone()),
            supervisor_id: supervisor,
            people,
            starts_on,
            ends_on,
            active: Some(form.active),
        }),
        _ => Err(errs),
    };
    (form, input)
}

#[derive(Template)]
#[template(path = "patrols/plan.html")]
struct FormPage {
    s: Shell,
    community: i64,
    community_name: String,
    editing: i64,
    f: PlanForm,
    routes: Vec<Opt>,
    frequencies: Vec<Opt>,
    /// (ISO number, word, ticked).
    weekdays: Vec<(u32, &'static str, bool)>,
    /// (id, name, ticked).
    walkers: Vec<(String, String, bool)>,
    supervisors: Vec<Opt>,
    shifts: Vec<Opt>,
}

fn user_opts(list: &[(UserId, String)]) -> Vec<Opt> {
    list.iter()
        .map(|(id, name)| Opt {
            code: id.to_string(),
            label: name.clone(),
        })
        .collect()
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    c: i64,
    editing: i64,
    f: PlanForm,
) -> PageResult {
    let cid = CommunityId(c);
    let routes = patrols::routes(&st.core, &u.ctx, cid)
        .await
        .or_page(u)?
        .into_iter()
        .filter(|r| r.active || r.id.to_string() == f.route)
        .map(|r| Opt {
            code: r.id.to_string(),
            label: r.name,
        })
        .collect();
    let PlanChoices {
        walkers,
        supervisors,
        shifts,
    } = patrols::plan_choices(&st.core, &u.ctx, cid)
        .await
        .or_page(u)?;
    let weekdays = (1..=7)
        .map(|d| (d, s.t(&format!("du.wd{d}")), f.weekdays.contains(&d)))
        .collect();
    Ok(page(&FormPage {
        community_name: community_name(st, u, c).await?,
        frequencies: opts(PatrolFrequency::ALL, u.locale),
        walkers: walkers
            .iter()
            .map(|(id, name)| {
                let id = id.to_string();
                let on = f.people.contains(&id);
                (id, name.clone(), on)
            })
            .collect(),
        supervisors: user_opts(&supervisors),
        shifts: shifts
            .into_iter()
            .map(|(code, label)| Opt { code, label })
            .collect(),
        weekdays,
        routes,
        s,
        community: c,
        editing,
        f,
    }))
}

async fn new(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let f = PlanForm {
        frequency: PatrolFrequency::Daily.code().into(),
        window_start: "08:00".into(),
        window_end: "10:00".into(),
        active: true,
        ..Default::default()
    };
    render(&st, &u, Shell::of(&u), c, 0, f).await
}

async fn edit(State(st): State<AppState>, u: ConsoleUser, Ids(c, id): Ids) -> PageResult {
    let p = patrols::plan(&st.core, &u.ctx, CommunityId(c), PatrolPlanId(id))
        .await
        .or_page(&u)?;
    render(&st, &u, Shell::of(&u), c, id, form_of(&p)).await
}

async fn saved(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    editing: i64,
    form: PlanForm,
    r: Result<PatrolPlan, CoreError>,
) -> PageResult {
    let to = |p: &PatrolPlan| (format!("/patrols/{c}/plans#plan-{}", p.id), p.name.clone());
    after_save(st, u, r, to, |s| render(st, u, s, c, editing, form)).await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(c): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => patrols::create_plan(&st.core, &u.ctx, CommunityId(c), input).await,
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, 0, form, r).await
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(c, id): Ids,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => {
            patrols::update_plan(&st.core, &u.ctx, CommunityId(c), PatrolPlanId(id), input).await
        }
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, id, form, r).await
}
