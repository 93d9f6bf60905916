//! The plan library (应急预案) and drills (演练): the company's plans, a plan's page with its
//! steps and escalation ladder (edited in numbered slots by a manager, more blank slots after
//! each save, no script), and a community's drills with the form that records one.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use wuye_core::incidents::model::{IncidentKind, PlanForSave, PlanLevel, PlanStep};
use wuye_core::incidents::{self, DrillForCreate};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::super::duty::community_of;
use super::super::flash::done;
use super::super::forms::{Opt, label, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::role_word;
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/plans", get(list))
        .route("/plans/{id}", get(detail).post(save))
        .route("/drills", get(drills).post(record_drill))
}

const BLANK_STEPS: usize = 3;
const BLANK_LEVELS: usize = 1;

pub struct PlanRow {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub steps: usize,
    pub levels: usize,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "incidents/plans.html")]
struct ListPage {
    s: Shell,
    rows: Vec<PlanRow>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let l = u.locale;
    let rows = incidents::list_plans(&st.core, &u.ctx)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|p| PlanRow {
            id: p.id.0,
            kind: label(IncidentKind::ALL, &p.kind, l),
            steps: p.steps.len(),
            levels: p.ladder.len(),
            active: p.active,
            name: p.name,
        })
        .collect();
    Ok(page(&ListPage {
        s: Shell::of(&u),
        rows,
    }))
}

pub struct StepSlot {
    pub i: usize,
    pub text: String,
    pub role: String,
    pub role_word: &'static str,
    pub err: String,
}

pub struct LevelSlot {
    pub i: usize,
    pub minutes: String,
    pub roles: Vec<(String, &'static str, bool)>,
    /// People told by name, kept as they were (the form does not edit them).
    pub users: String,
    pub err: String,
}

#[derive(Template)]
#[template(path = "incidents/plan.html")]
struct PlanPage {
    s: Shell,
    id: i64,
    f: PlanForSave,
    kinds: Vec<Opt>,
    roles: Vec<Opt>,
    steps: Vec<StepSlot>,
    levels: Vec<LevelSlot>,
    can_edit: bool,
}

/// The staff roles a step or a level may name.
fn staff_roles(l: crate::locale::Locale) -> Vec<Opt> {
    wuye_core::auth::BUILTIN_ROLES
        .iter()
        .filter(|r| {
            r.code != wuye_core::auth::OWNER_ROLE && r.code != wuye_core::auth::COMMITTEE_ROLE
        })
        .map(|r| Opt {
            code: r.code.to_string(),
            label: role_word(l, r.code).to_string(),
        })
        .collect()
}

fn render(u: &ConsoleUser, id: i64, s: Shell, f: PlanForSave) -> axum::response::Response {
    let l = u.locale;
    let roles = staff_roles(l);
    let can_edit = u.ctx.has(Perm::IncidentsManage);
    let extra = if can_edit { BLANK_STEPS } else { 0 };
    let mut steps: Vec<StepSlot> = f
        .steps
        .iter()
        .enumerate()
        .map(|(i, x)| StepSlot {
            i,
            text: x.text.clone(),
            role: x.role.clone(),
            role_word: role_word(l, &x.role),
            err: ["text", "role"]
                .iter()
                .map(|k| s.ferr(&format!("steps[{i}].{k}")))
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let n = steps.len();
    steps.extend((n..n + extra).map(|i| StepSlot {
        i,
        text: String::new(),
        role: "security".into(),
        role_word: "",
        err: String::new(),
    }));
    let level = |i: usize, v: Option<&PlanLevel>| LevelSlot {
        i,
        minutes: v.map(|v| v.after_minutes.to_string()).unwrap_or_default(),
        roles: roles
            .iter()
            .map(|r| {
                let on = v.is_some_and(|v| v.roles.contains(&r.code));
                (r.code.clone(), role_word(l, &r.code), on)
            })
            .collect(),
        users: v
            .map(|v| {
                v.user_ids
                    .iter()
                    .map(|x| x.0.to_string())
                    .collect::<Vec<_>>()
                    .join(",")
            })
            .unwrap_or_default(),
        err: ["after_minutes", "roles", "user_ids"]
            .iter()
            .map(|k| s.ferr(&format!("ladder[{i}].{k}")))
            .chain(std::iter::once(s.ferr(&format!("ladder[{i}]"))))
            .filter(|e| !e.is_empty())
            .collect::<Vec<_>>()
            .join("；"),
    };
    let mut levels: Vec<LevelSlot> = f
        .ladder
        .iter()
        .enumerate()
        .map(|(i, v)| level(i, Some(v)))
        .collect();
    let n = levels.len();
    if can_edit {
        levels.extend((n..n + BLANK_LEVELS).map(|i| level(i, None)));
    }
    page(&PlanPage {
        s,
        id,
        kinds: opts(IncidentKind::ALL, l),
        roles,
        steps,
        levels,
        can_edit,
        f,
    })
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let p = incidents::get_plan(&st.core, &u.ctx, PlanId(id))
        .await
        .or_page(&u)?;
    let f = PlanForSave {
        kind: p.kind.code().into(),
        name: p.name,
        summary: p.summary,
        steps: p.steps,
        ladder: p.ladder,
        active: p.active,
    };
    Ok(render(&u, id, Shell::of(&u), f))
}

/// The plan form as posted: blank step and level slots left out (their numbers close up so the
/// errors' `steps[i]` match the slots shown again).
fn parse(body: &str) -> PlanForSave {
    let fields = super::super::duty::Fields::of(body);
    let get = |k: &str| fields.get(k);
    let all = |k: &str| fields.all(k);
    let mut f = PlanForSave {
        kind: get("kind"),
        name: get("name"),
        summary: Some(get("summary")),
        steps: Vec::new(),
        ladder: Vec::new(),
        active: !get("active").is_empty(),
    };
    for i in 0..wuye_core::incidents::model::MAX_STEPS + BLANK_STEPS {
        let text = get(&format!("s{i}_text"));
        if text.is_empty() {
            continue;
        }
        f.steps.push(PlanStep {
            text,
            role: get(&format!("s{i}_role")),
        });
    }
    for i in 0..wuye_core::incidents::model::MAX_LEVELS + BLANK_LEVELS {
        let minutes = get(&format!("l{i}_minutes"));
        let roles = all(&format!("l{i}_roles"));
        if minutes.is_empty() && roles.is_empty() {
            continue;
        }
        f.ladder.push(PlanLevel {
            after_minutes: minutes.parse().unwrap_or(-1),
            roles,
            user_ids: get(&format!("l{i}_users"))
                .split(',')
                .filter_map(|x| x.trim().parse().ok().map(UserId))
                .collect(),
        });
    }
    f
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let f = parse(&body);
    match incidents::update_plan(&st.core, &u.ctx, PlanId(id), f.clone()).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/plans/{id}"),
            u.locale.t("ic.plan_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let mut r = render(&u, id, Shell::of(&u).with_error(&e), f);
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct DrillRow {
    pub id: i64,
    pub held_on: String,
    pub plan: String,
    pub place: String,
    pub participants: String,
    pub findings: String,
}

#[derive(Template)]
#[template(path = "incidents/drills.html")]
struct DrillsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rows: Vec<DrillRow>,
    plans: Vec<Opt>,
    can_record: bool,
    f: DrillForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DrillForm {
    community: i64,
    plan_id: i64,
    held_on: String,
    place: String,
    participants: String,
    findings: String,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
}

async fn render_drills(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    want: Option<String>,
    f: DrillForm,
) -> PageResult {
    let (communities, c) = community_of(st, u, want.as_deref()).await?;
    let rows = incidents::list_drills(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?
        .into_iter()
        .map(|d| DrillRow {
            id: d.id.0,
            held_on: d.held_on.to_string(),
            plan: d.plan_name,
            place: d.place,
            participants: d.participants,
            findings: d.findings,
        })
        .collect();
    let plans = incidents::list_plans(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .filter(|p| p.active)
        .map(|p| Opt {
            code: p.id.0.to_string(),
            label: p.name,
        })
        .collect();
    Ok(page(&DrillsPage {
        s,
        communities,
        community: c,
        rows,
        plans,
        can_record: u.ctx.has(Perm::IncidentsManage),
        f,
    }))
}

async fn drills(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let f = DrillForm {
        held_on: chrono::Utc::now()
            .with_timezone(&super::super::forms::default_zone())
            .date_naive()
            .to_string(),
        ..Default::default()
    };
    render_drills(&st, &u, Shell::of(&u), q.community, f).await
}

async fn record_drill(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<DrillForm>,
) -> PageResult {
    let input = DrillForCreate {
        plan_id: PlanId(f.plan_id),
        held_on: f.held_on.clone(),
        place: f.place.clone(),
        participants: f.participants.clone(),
        findings: f.findings.clone(),
    };
    match incidents::record_drill(&st.core, &u.ctx, CommunityId(f.community), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/drills?community={}", f.community),
            u.locale.t("ic.drill_recorded"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let want = Some(f.community.to_string());
            let mut r = render_drills(&st, &u, s, want, f).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
