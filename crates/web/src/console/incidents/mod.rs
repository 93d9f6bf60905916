//! The incident pages (突发事件): a community's incidents (and their .xlsx export), reporting one (its plan activated by
//! the service), and an incident's page — acknowledge, escalate, tick steps, add notes, tell the
//! affected buildings in one step, close with the analysis and conclusion — with its timeline in
//! order; the page prints (`data-print`) as the audit sheet's record (预案、记录、过程分析及处理结论).
//! The plan library and drills are in [`plans`].

mod plans;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::incidents::model::{EventKind, IncidentKind, IncidentState, Severity};
use wuye_core::incidents::{
    self, Incident, IncidentFilter, IncidentForClose, IncidentForCreate, IncidentNote, UnitsNotice,
};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm, registry};

use super::duty::{community_of, said};
use super::flash::done;
use super::forms::{Opt, form_time, label, local_time, opts, tz_of};
use super::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/incidents", get(list))
        .route("/incidents/export.xlsx", get(export))
        .route("/incidents/new", get(new_page).post(report))
        .route("/incidents/{id}", get(detail))
        .route("/incidents/{id}/ack", post(ack))
        .route("/incidents/{id}/escalate", post(escalate))
        .route("/incidents/{id}/steps/{step}", post(tick))
        .route("/incidents/{id}/notes", post(note))
        .route("/incidents/{id}/notify-units", post(notify_units))
        .route("/incidents/{id}/close", post(close))
        .merge(plans::router())
}

pub struct Row {
    pub id: i64,
    pub title: String,
    pub kind: &'static str,
    pub severity: &'static str,
    pub severity_code: &'static str,
    pub place: String,
    pub started: String,
    pub state: &'static str,
    pub state_code: &'static str,
}

#[derive(Template)]
#[template(path = "incidents/list.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    state: String,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
    state: Option<String>,
}

async fn zone(st: &AppState, u: &ConsoleUser, c: CommunityId) -> chrono_tz::Tz {
    registry::get_community(&st.core, &u.ctx, c)
        .await
        .map(|x| tz_of(&x))
        .unwrap_or_else(|_| super::forms::default_zone())
}

/// The page's filter: a state, or every incident.
fn incident_filter(q: &ListQ) -> IncidentFilter {
    IncidentFilter {
        state: q.state.clone().filter(|s| !s.is_empty()),
    }
}

/// The incidents as .xlsx: every one the page's filter picks.
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> Result<axum::response::Response, PageError> {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let file = incidents::incidents_xlsx(&st.core, &u.ctx, CommunityId(c), incident_filter(&q))
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "incidents.xlsx"))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = incident_filter(&q);
    let state = q.state.unwrap_or_default();
    let tz = zone(&st, &u, CommunityId(c)).await;
    let l = u.locale;
    let rows = incidents::list_incidents(&st.core, &u.ctx, CommunityId(c), f)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|x| Row {
            id: x.id.0,
            kind: label(IncidentKind::ALL, &x.kind, l),
            severity: label(Severity::ALL, &x.severity, l),
            severity_code: x.severity.code(),
            started: local_time(x.started_at, tz),
            state: label(IncidentState::ALL, &x.state, l),
            state_code: x.state.code(),
            title: x.title,
            place: x.place,
        })
        .collect();
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community: c,
        state,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "incidents/new.html")]
struct NewPage {
    s: Shell,
    community: i64,
    community_name: String,
    kinds: Vec<Opt>,
    severities: Vec<Opt>,
    plans: Vec<Opt>,
    buildings: Vec<(i64, String, bool)>,
    f: ReportForm,
}

#[derive(Default, Clone)]
struct ReportForm {
    community: i64,
    kind: String,
    plan_id: String,
    title: String,
    place: String,
    severity: String,
    started_at: String,
    building_ids: Vec<i64>,
}

fn parse_report(body: &str) -> ReportForm {
    let fields = super::duty::Fields::of(body);
    let get = |k: &str| fields.get(k);
    ReportForm {
        community: get("community").parse().unwrap_or(0),
        kind: get("kind"),
        plan_id: get("plan_id"),
        title: get("title"),
        place: get("place"),
        severity: get("severity"),
        started_at: get("started_at"),
        building_ids: fields
            .all("building_ids")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
    }
}

async fn render_new(st: &AppState, u: &ConsoleUser, s: Shell, f: ReportForm) -> PageResult {
    let (communities, c) = community_of(st, u, Some(&f.community.to_string())).await?;
    let l = u.locale;
    let buildings = registry::list_buildings(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?
        .into_iter()
        .map(|b| (b.id.0, b.name, f.building_ids.contains(&b.id.0)))
        .collect();
    let mut plans = vec![Opt {
        code: String::new(),
        label: l.t("ic.plan_default").to_string(),
    }];
    plans.extend(
        incidents::list_plans(&st.core, &u.ctx)
            .await
            .or_page(u)?
            .into_iter()
            .filter(|p| p.active)
            .map(|p| Opt {
                code: p.id.0.to_string(),
                label: p.name,
            }),
    );
    Ok(page(&NewPage {
        s,
        community: c,
        community_name: communities
            .into_iter()
            .find(|x| x.0 == c)
            .map(|x| x.1)
            .unwrap_or_default(),
        kinds: opts(IncidentKind::ALL, l),
        severities: opts(Severity::ALL, l),
        plans,
        buildings,
        f,
    }))
}

async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> PageResult {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = ReportForm {
        community: c,
        kind: IncidentKind::Fire.code().into(),
        severity: Severity::Minor.code().into(),
        ..Default::default()
    };
    render_new(&st, &u, Shell::of(&u), f).await
}

async fn report(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let f = parse_report(&body);
    let c = CommunityId(f.community);
    let tz = zone(&st, &u, c).await;
    let mut errs = Vec::new();
    let started_at = form_time("started_at", &f.started_at, tz, &mut errs);
    let r = if errs.is_empty() {
        let input = IncidentForCreate {
            plan_id: f.plan_id.parse().ok().map(PlanId),
            kind: f.kind.clone(),
            title: f.title.clone(),
            place: f.place.clone(),
            severity: f.severity.clone(),
            started_at,
            building_ids: f.building_ids.iter().map(|b| BuildingId(*b)).collect(),
            unit_ids: Vec::new(),
        };
        incidents::open_incident(&st.core, &u.ctx, c, input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    match r {
        Ok(x) => Ok(done(
            &st,
            &u,
            &format!("/incidents/{}", x.id),
            u.locale.t("ic.reported"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_new(&st, &u, s, f).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct StepView {
    pub id: i64,
    pub text: String,
    pub role: &'static str,
    pub done: String,
}

pub struct EventView {
    pub at: String,
    pub kind: &'static str,
    pub kind_code: &'static str,
    pub detail: String,
    pub by: String,
}

#[derive(Template)]
#[template(path = "incidents/detail.html")]
struct DetailPage {
    s: Shell,
    x: Incident,
    community_name: String,
    kind: &'static str,
    severity: &'static str,
    state: &'static str,
    started: String,
    opened: String,
    closed: String,
    acknowledged: String,
    buildings: String,
    steps: Vec<StepView>,
    timeline: Vec<EventView>,
    levels: Vec<String>,
    open: bool,
    can_manage: bool,
    note: String,
    notice: String,
    analysis: String,
    conclusion: String,
}

/// A role code in the user's language.
pub(super) fn role_word(l: crate::locale::Locale, code: &str) -> &'static str {
    l.get(&format!("role.{code}")).unwrap_or("")
}

#[derive(Default)]
struct Typed {
    note: String,
    notice: String,
    analysis: String,
    conclusion: String,
}

async fn render_detail(st: &AppState, u: &ConsoleUser, id: i64, s: Shell, t: Typed) -> PageResult {
    let x = incidents::get_incident(&st.core, &u.ctx, IncidentId(id))
        .await
        .or_page(u)?;
    let community = registry::get_community(&st.core, &u.ctx, x.community_id)
        .await
        .or_page(u)?;
    let tz = tz_of(&community);
    let l = u.locale;
    let buildings: Vec<String> = registry::list_buildings(&st.core, &u.ctx, x.community_id)
        .await
        .or_page(u)?
        .into_iter()
        .filter(|b| x.building_ids.contains(&b.id))
        .map(|b| b.name)
        .chain(x.units.iter().map(|u| u.label.clone()))
        .collect();
    let steps = x
        .steps
        .iter()
        .map(|p| StepView {
            id: p.id,
            text: p.text.clone(),
            role: role_word(l, &p.role),
            done: p
                .done_at
                .map(|t| {
                    format!(
                        "{} {}",
                        local_time(t, tz),
                        p.done_by_name.clone().unwrap_or_default()
                    )
                })
                .unwrap_or_default(),
        })
        .collect();
    let timeline = x
        .timeline
        .iter()
        .map(|e| EventView {
            at: local_time(e.at, tz),
            kind: label(EventKind::ALL, &e.kind, l),
            kind_code: e.kind.code(),
            detail: e.detail.clone(),
            by: e.by_name.clone().unwrap_or_default(),
        })
        .collect();
    let levels = x
        .ladder
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let roles: Vec<&str> = v.roles.iter().map(|r| role_word(l, r)).collect();
            format!(
                "{} {}：{} {}{}",
                l.t("ic.level"),
                i + 1,
                v.after_minutes,
                l.t("ic.minutes"),
                if roles.is_empty() {
                    String::new()
                } else {
                    format!(" · {}", roles.join("、"))
                }
            )
        })
        .collect();
    Ok(page(&DetailPage {
        community_name: community.name,
        kind: label(IncidentKind::ALL, &x.kind, l),
        severity: label(Severity::ALL, &x.severity, l),
        state: label(IncidentState::ALL, &x.state, l),
        started: local_time(x.started_at, tz),
        opened: local_time(x.opened_at, tz),
        closed: x.closed_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        acknowledged: x
            .acknowledged_at
            .map(|t| local_time(t, tz))
            .unwrap_or_default(),
        buildings: buildings.join("、"),
        open: x.state == IncidentState::Open,
        can_manage: u.ctx.has(Perm::IncidentsManage),
        steps,
        timeline,
        levels,
        s,
        x,
        note: t.note,
        notice: t.notice,
        analysis: t.analysis,
        conclusion: t.conclusion,
    }))
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_detail(&st, &u, id, Shell::of(&u), Typed::default()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

fn to(id: i64) -> String {
    format!("/incidents/{id}")
}

async fn ack(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = incidents::acknowledge_incident(&st.core, &u.ctx, IncidentId(id)).await;
    said(&st, &u, &to(id), r.map(|_| ()), "ic.acked")
}

async fn escalate(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = incidents::escalate_incident(&st.core, &u.ctx, IncidentId(id)).await;
    said(&st, &u, &to(id), r.map(|_| ()), "ic.escalated")
}

async fn tick(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, step): Ids,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = incidents::tick_step(&st.core, &u.ctx, IncidentId(id), step).await;
    said(&st, &u, &to(id), r.map(|_| ()), "ic.step_done")
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct TextForm {
    text: String,
    title: String,
    body: String,
    analysis: String,
    conclusion: String,
}

/// A typed form refused: the page again with the text kept and the message beside its field.
async fn typed_result(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    r: Result<Incident, CoreError>,
    key: &str,
    t: Typed,
) -> PageResult {
    match r {
        Ok(_) => Ok(done(st, u, &to(id), u.locale.t(key))),
        Err(e @ CoreError::Invalid(_)) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(u).with_error(&e);
            let mut r = render_detail(st, u, id, s, t).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => said(st, u, &to(id), Err(e), key),
    }
}

async fn note(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<TextForm>,
) -> PageResult {
    let r = incidents::add_incident_note(
        &st.core,
        &u.ctx,
        IncidentId(id),
        IncidentNote {
            text: f.text.clone(),
        },
    )
    .await;
    let t = Typed {
        note: f.text,
        ..Default::default()
    };
    typed_result(&st, &u, id, r, "ic.noted", t).await
}

async fn notify_units(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<TextForm>,
) -> PageResult {
    let input = UnitsNotice {
        title: Some(f.title.clone()).filter(|t| !t.trim().is_empty()),
        body: f.body.clone(),
    };
    let r = incidents::notify_affected_units(&st.core, &u.ctx, IncidentId(id), input).await;
    let t = Typed {
        notice: f.body,
        ..Default::default()
    };
    typed_result(&st, &u, id, r, "ic.units_told", t).await
}

async fn close(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<TextForm>,
) -> PageResult {
    let input = IncidentForClose {
        analysis: f.analysis.clone(),
        conclusion: f.conclusion.clone(),
    };
    let r = incidents::close_incident(&st.core, &u.ctx, IncidentId(id), input).await;
    let t = Typed {
        analysis: f.analysis,
        conclusion: f.conclusion,
        ..Default::default()
    };
    typed_result(&st, &u, id, r, "ic.closed", t).await
}

/// The home page's widget: per community of the user, who is on duty now and its open
/// incidents. A community whose read fails is left out (the rest of the home page still shows).
pub struct DutyCard {
    pub community: i64,
    pub name: String,
    /// (shift name and hours, people).
    pub shifts: Vec<(String, String)>,
    pub has_roster: bool,
    /// (id, title, severity code, severity label).
    pub incidents: Vec<(i64, String, &'static str, &'static str)>,
}

pub(super) async fn duty_cards(st: &AppState, u: &ConsoleUser) -> Vec<DutyCard> {
    let staff =
        u.ctx.role != wuye_core::auth::OWNER_ROLE && u.ctx.role != wuye_core::auth::COMMITTEE_ROLE;
    if !staff {
        return Vec::new();
    }
    let Ok(list) = super::surveys::communities(st, u).await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, name) in list.into_iter().take(6) {
        let c = CommunityId(id);
        let (Ok(now), Ok(open)) = (
            wuye_core::duty::on_duty_now(&st.core, &u.ctx, c).await,
            incidents::open_incidents(&st.core, &u.ctx, c).await,
        ) else {
            continue;
        };
        if !now.has_roster && open.is_empty() {
            continue;
        }
        out.push(DutyCard {
            community: id,
            name,
            has_roster: now.has_roster,
            shifts: now
                .shifts
                .iter()
                .map(|s| {
                    (
                        format!("{} {}–{}", s.name, s.starts, s.ends),
                        s.people
                            .iter()
                            .map(|p| p.name.clone())
                            .collect::<Vec<_>>()
                            .join("、"),
                    )
                })
                .collect(),
            incidents: open
                .into_iter()
                .map(|x| {
                    (
                        x.id.0,
                        x.title,
                        x.severity.code(),
                        label(Severity::ALL, &x.severity, u.locale),
                    )
                })
                .collect(),
        });
    }
    out
}
