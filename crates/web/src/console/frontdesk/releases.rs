//! Large items released (大件物品放行): the desk's page — a box for the slip number the guard
//! types or scans, the form that issues a slip at the desk (checked at once), and the day's slips
//! with the buttons each state needs (check or refuse an application from the portal, let out
//! an approved slip) — and the owner's page in the portal (apply, see the number to show).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::model::{AuthorisationHow, ReleaseState};
use wuye_core::frontdesk::{
    self, ReleaseCheck, ReleaseFilter, ReleaseForCreate, ReleaseRefusal, ReleaseRequest,
    ReleaseSlip,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::{community_of, said};
use super::super::flash::done;
use super::super::forms::{Opt, default_zone, form_time, label, label_of, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{manages, zone};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/releases", get(desk).post(issue))
        .route("/releases/{id}/approve", post(approve))
        .route("/releases/{id}/refuse", post(refuse))
        .route("/releases/{id}/pass", post(pass))
        .route("/releases/{id}/slip.pdf", get(slip))
        .route("/portal/releases", get(mine).post(apply))
}

/// A slip as the desk's list and the portal show it.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub applicant: String,
    pub relation: String,
    relation_code: String,
    pub items: String,
    pub plate: String,
    pub planned: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub consent: String,
    pub arrears: String,
    pub arrears_override: String,
    pub refuse_reason: String,
    pub passed: String,
    pub source: String,
}

impl Row {
    pub fn relation_code(&self) -> &str {
        &self.relation_code
    }
}

fn row(r: &ReleaseSlip, l: crate::locale::Locale, tz: chrono_tz::Tz) -> Row {
    Row {
        id: r.id.0,
        number: r.number.clone(),
        unit: r.unit_label.clone(),
        applicant: r.applicant_name.clone(),
        relation: label_of(wuye_core::registry::model::Relation::ALL, &r.relation, l),
        relation_code: r.relation.clone(),
        items: r.items.clone(),
        plate: r.vehicle_plate.clone().unwrap_or_default(),
        planned: local_time(r.planned_at, tz),
        state: label(ReleaseState::ALL, &r.state, l),
        state_code: r.state.code(),
        consent: r
            .owner_consent
            .as_deref()
            .map(|c| label_of(AuthorisationHow::ALL, c, l))
            .unwrap_or_default(),
        arrears: r
            .arrears_fen
            .filter(|f| *f > 0)
            .map(|f| Money(f).to_string())
            .unwrap_or_default(),
        arrears_override: r.arrears_override.clone().unwrap_or_default(),
        refuse_reason: r.refuse_reason.clone().unwrap_or_default(),
        passed: r.passed_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        source: r.source.clone(),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/releases.html")]
struct DeskPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    can_manage: bool,
    hows: Vec<Opt>,
    q: DeskQ,
    f: IssueForm,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeskQ {
    community: Option<String>,
    day: String,
    /// A slip number typed or scanned: that slip alone.
    number: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct IssueForm {
    community: i64,
    unit_label: String,
    applicant_name: String,
    items: String,
    vehicle_plate: String,
    planned_at: String,
    owner_consent: String,
    consent_note: String,
    arrears_override: String,
}

async fn render_desk(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: DeskQ,
    f: Option<IssueForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let slips = if q.number.trim().is_empty() {
        let f = ReleaseFilter {
            day: NaiveDate::parse_from_str(q.day.trim(), "%Y-%m-%d").ok(),
            state: None,
        };
        frontdesk::list_releases(&st.core, &u.ctx, CommunityId(c), f)
            .await
            .or_page(u)?
    } else {
        match frontdesk::release_by_number(&st.core, &u.ctx, CommunityId(c), &q.number).await {
            Ok(r) => vec![r],
            Err(CoreError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(PageError::new(u, e)),
        }
    };
    let f = f.unwrap_or_else(|| IssueForm {
        community: c,
        planned_at: Utc::now()
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        ..Default::default()
    });
    Ok(page(&DeskPage {
        s,
        communities,
        community: c,
        can_manage: manages(u),
        hows: opts(AuthorisationHow::ALL, u.locale),
        rows: slips.iter().map(|r| row(r, u.locale, tz)).collect(),
        q,
        f,
    }))
}

async fn desk(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DeskQ>) -> PageResult {
    render_desk(&st, &u, Shell::of(&u), q, None).await
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn issue(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<IssueForm>,
) -> PageResult {
    let c = f.community;
    let tz = zone(&st, &u, c).await;
    let mut errs = Vec::new();
    let planned = form_time("planned_at", &f.planned_at, tz, &mut errs);
    let r = match planned {
        Some(planned_at) if errs.is_empty() => {
            let input = ReleaseForCreate {
                unit_id: None,
                unit_label: some(&f.unit_label),
                applicant_id: None,
                applicant_name: some(&f.applicant_name),
                items: f.items.clone(),
                vehicle_plate: some(&f.vehicle_plate),
                planned_at,
                owner_consent: some(&f.owner_consent),
                consent_note: some(&f.consent_note),
                arrears_override: some(&f.arrears_override),
            };
            frontdesk::issue_release(&st.core, &u.ctx, CommunityId(c), input).await
        }
        _ => {
            if f.planned_at.trim().is_empty() {
                errs.push(wuye_core::FieldError::new(
                    "planned_at",
                    wuye_core::shared::error::CommonCode::Required,
                ));
            }
            Err(CoreError::Invalid(errs))
        }
    };
    match r {
        Ok(r) => {
            let msg = u
                .locale
                .t("fd.release_issued")
                .replace("{number}", &r.number);
            Ok(done(&st, &u, &format!("/releases?community={c}"), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let q = DeskQ {
                community: Some(c.to_string()),
                ..Default::default()
            };
            let mut r = render_desk(&st, &u, s, q, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    community: i64,
    owner_consent: String,
    consent_note: String,
    arrears_override: String,
    reason: String,
}

async fn approve(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let input = ReleaseCheck {
        owner_consent: some(&f.owner_consent),
        consent_note: some(&f.consent_note),
        arrears_override: some(&f.arrears_override),
    };
    let r = frontdesk::approve_release(&st.core, &u.ctx, ReleaseSlipId(id), input).await;
    let to = format!("/releases?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.release_approved")
}

async fn refuse(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let input = ReleaseRefusal { reason: f.reason };
    let r = frontdesk::refuse_release(&st.core, &u.ctx, ReleaseSlipId(id), input).await;
    let to = format!("/releases?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.release_refused")
}

async fn pass(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let r = frontdesk::pass_release(&st.core, &u.ctx, ReleaseSlipId(id)).await;
    let to = format!("/releases?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.release_passed")
}

#[derive(Template)]
#[template(path = "portal/releases.html")]
struct MinePage {
    s: Shell,
    units: Vec<(i64, String)>,
    rows: Vec<Row>,
    f: ApplyForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ApplyForm {
    unit_id: i64,
    items: String,
    vehicle_plate: String,
    planned_at: String,
}

async fn render_mine(st: &AppState, u: &ConsoleUser, s: Shell, f: Option<ApplyForm>) -> PageResult {
    let me = wuye_core::portal::profile(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let tz = default_zone();
    let rows = frontdesk::my_releases(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .iter()
        .map(|r| row(r, u.locale, tz))
        .collect();
    let f = f.unwrap_or_else(|| ApplyForm {
        unit_id: me.units.first().map(|x| x.unit_id.0).unwrap_or(0),
        planned_at: (Utc::now() + chrono::Duration::hours(2))
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        ..Default::default()
    });
    Ok(page(&MinePage {
        s,
        units: me
            .units
            .iter()
            .map(|x| (x.unit_id.0, x.label.clone()))
            .collect(),
        rows,
        f,
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render_mine(&st, &u, Shell::of(&u), None).await
}

async fn apply(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ApplyForm>,
) -> PageResult {
    let mut errs = Vec::new();
    let planned = form_time("planned_at", &f.planned_at, default_zone(), &mut errs);
    let r = match planned {
        Some(planned_at) if errs.is_empty() => {
            let input = ReleaseRequest {
                unit_id: UnitId(f.unit_id),
                items: f.items.clone(),
                vehicle_plate: some(&f.vehicle_plate),
                planned_at,
            };
            frontdesk::request_release(&st.core, &u.ctx, input).await
        }
        _ => {
            if f.planned_at.trim().is_empty() {
                errs.push(wuye_core::FieldError::new(
                    "planned_at",
                    wuye_core::shared::error::CommonCode::Required,
                ));
            }
            Err(CoreError::Invalid(errs))
        }
    };
    match r {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/portal/releases",
            u.locale.t("fd.release_applied"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_mine(&st, &u, s, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn slip(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let bytes = frontdesk::release_pdf(&st.core, &u.ctx, ReleaseSlipId(id))
        .await
        .or_page(&u)?;
    Ok(crate::api::billing::pdf(
        bytes,
        &format!("release-{id}.pdf"),
    ))
}
