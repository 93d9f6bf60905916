//! The gate's pages (来访登记): the pass box first (the scanner types the QR's code and sends
//! it: one scan lets the holder in), the walk-in form (the host found by the unit and the name
//! the visitor gives; a call to him recorded with a tick), and the day's register with those
//! inside, each row with its host's answer and the buttons the guard needs (the host's answer
//! by phone, leaving). The desk's numbered passes are issued and printed in [`passes`]; the
//! owner's side is in [`portal`].

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::post;
use chrono::Utc;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::model::{IdType, VisitAnswer};
use wuye_core::frontdesk::{
    self, PassCheckIn, Visit, VisitAnswerInput, VisitFilter, VisitorForCreate,
};
use wuye_core::shared::ids::*;

use super::super::duty::{community_of, said};
use super::super::flash::{done, refused};
use super::super::forms::{Opt, label, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::zone;
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub mod passes;
pub mod portal;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visitors", axum::routing::get(gate).post(register))
        .route("/visitors/check-in", post(check_in))
        .route("/visitors/export.xlsx", axum::routing::get(export))
        .route("/visitors/{id}/answer", post(answer))
        .route("/visitors/{id}/check-out", post(check_out))
        .route("/visitors/{id}/reveal", post(reveal))
        .merge(passes::router())
        .merge(portal::router())
}

/// A visit as the register and the portal list it.
pub struct Row {
    pub id: i64,
    pub name: String,
    pub id_number: String,
    pub phone: String,
    pub unit: String,
    pub host: String,
    pub has_host: bool,
    pub purpose: String,
    pub plate: String,
    pub party: i64,
    /// The host's answer (empty: none yet).
    pub answer: &'static str,
    pub answer_code: &'static str,
    pub by_pass: bool,
    pub in_at: String,
    pub out_at: String,
    pub inside: bool,
}

pub(super) fn row(v: &Visit, l: crate::locale::Locale, tz: chrono_tz::Tz) -> Row {
    Row {
        id: v.id.0,
        name: v.visitor_name.clone(),
        id_number: v.id_number.clone().unwrap_or_default(),
        phone: v.phone.clone().unwrap_or_default(),
        unit: v.unit_label.clone().unwrap_or_default(),
        host: v.host_name.clone().unwrap_or_default(),
        has_host: v.host_person_id.is_some(),
        purpose: v.purpose.clone().unwrap_or_default(),
        plate: v.plate.clone().unwrap_or_default(),
        party: v.party_size,
        answer: v
            .answer
            .as_ref()
            .map(|a| label(VisitAnswer::ALL, a, l))
            .unwrap_or(""),
        answer_code: v.answer.as_ref().map(|a| a.code()).unwrap_or(""),
        by_pass: v.answered_how.as_deref() == Some("pass"),
        in_at: local_time(v.in_at, tz),
        out_at: v.out_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        inside: v.inside,
    }
}

/// The register as .xlsx under the page's filters: the day given (every day when it is
/// cleared), or those still inside; every visit, not only the 500 the page shows.
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<GateQ>,
) -> Result<axum::response::Response, PageError> {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let filter = VisitFilter {
        day: q.day.parse().ok().filter(|_| q.inside != "1"),
        inside: Some(q.inside == "1"),
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let file = frontdesk::visits_xlsx(&st.core, &u.ctx, CommunityId(c), filter)
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "visitors.xlsx"))
}

/// A form with nothing but its CSRF token (an action's button).
#[derive(Deserialize, Default)]
struct Nothing {}

#[derive(Template)]
#[template(path = "frontdesk/visitors.html")]
struct GatePage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    id_types: Vec<Opt>,
    q: GateQ,
    w: WalkInForm,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GateQ {
    community: Option<String>,
    /// The community's day shown (default today).
    day: String,
    inside: String,
    q: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct WalkInForm {
    /// Text: the pass form takes these fields flattened, where a number does not deserialise.
    community: String,
    visitor_name: String,
    id_type: String,
    id_number: String,
    phone: String,
    unit_label: String,
    host_name: String,
    purpose: String,
    plate: String,
    party_size: String,
    confirmed_by_call: String,
}

impl WalkInForm {
    pub(super) fn community(&self) -> i64 {
        self.community.trim().parse().unwrap_or(0)
    }

    pub(super) fn input(&self) -> VisitorForCreate {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        VisitorForCreate {
            visitor_name: self.visitor_name.clone(),
            id_type: some(&self.id_type),
            id_number: some(&self.id_number),
            phone: some(&self.phone),
            unit_id: None,
            unit_label: some(&self.unit_label),
            host_person_id: None,
            host_name: some(&self.host_name),
            purpose: some(&self.purpose),
            plate: some(&self.plate),
            party_size: match self.party_size.trim() {
                "" => None,
                n => Some(n.parse().unwrap_or(0)),
            },
            confirmed_by_call: self.confirmed_by_call == "1",
        }
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    mut q: GateQ,
    f: Option<WalkInForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let day = q
        .day
        .parse()
        .unwrap_or_else(|_| Utc::now().with_timezone(&tz).date_naive());
    q.day = day.to_string();
    let filter = VisitFilter {
        day: Some(day).filter(|_| q.inside != "1"),
        inside: Some(q.inside == "1"),
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let rows = match frontdesk::list_visits(&st.core, &u.ctx, CommunityId(c), filter).await {
        Ok(v) => v.iter().map(|v| row(v, u.locale, tz)).collect(),
        Err(CoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(u, e)),
    };
    Ok(page(&GatePage {
        s,
        communities,
        community: c,
        id_types: opts(IdType::ALL, u.locale),
        q,
        w: f.unwrap_or(WalkInForm {
            community: c.to_string(),
            id_type: "resident_id".into(),
            ..Default::default()
        }),
        rows,
    }))
}

async fn gate(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<GateQ>) -> PageResult {
    render(&st, &u, Shell::of(&u), q, None).await
}

async fn register(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<WalkInForm>,
) -> PageResult {
    let c = f.community();
    match frontdesk::register_visit(&st.core, &u.ctx, CommunityId(c), f.input()).await {
        Ok(v) => Ok(done(
            &st,
            &u,
            &format!("/visitors?community={c}"),
            u.locale
                .tf("fd.visit_registered", &[("name", v.visitor_name.as_str())]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let q = GateQ {
                community: Some(c.to_string()),
                ..Default::default()
            };
            let mut r = render(&st, &u, Shell::of(&u).with_error(&e), q, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CheckInForm {
    community: i64,
    code: String,
}

async fn check_in(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CheckInForm>,
) -> PageResult {
    let to = format!("/visitors?community={}", f.community);
    let input = PassCheckIn { code: f.code };
    match frontdesk::check_in_pass(&st.core, &u.ctx, CommunityId(f.community), input).await {
        Ok(v) => {
            let unit = v.unit_label.unwrap_or_default();
            Ok(done(
                &st,
                &u,
                &to,
                u.locale.tf(
                    "fd.visit_let_in",
                    &[("name", v.visitor_name.as_str()), ("unit", unit.as_str())],
                ),
            ))
        }
        Err(e @ CoreError::Invalid(_)) => Ok(refused(&st, &u, &to, describe(&e, u.locale).3)),
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    community: i64,
    answer: String,
}

async fn answer(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let input = VisitAnswerInput { answer: f.answer };
    let r = frontdesk::answer_visit_by_call(&st.core, &u.ctx, VisitId(id), input).await;
    let to = format!("/visitors?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.visit_answer_saved")
}

async fn check_out(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let r = frontdesk::check_out_visit(&st.core, &u.ctx, VisitId(id)).await;
    let to = format!("/visitors?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.visit_left")
}

#[derive(Template)]
#[template(path = "frontdesk/visit_reveal.html")]
struct RevealPage {
    s: Shell,
    name: String,
    community: i64,
    id_number: String,
}

/// The visitor's clear ID number (`pii.reveal`); the service writes the audit entry. Answered to
/// the POST itself and not cached: every showing is a reveal of its own.
async fn reveal(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let clear = frontdesk::reveal_visit_id(&st.core, &u.ctx, VisitId(id))
        .await
        .or_page(&u)?;
    let v = frontdesk::get_visit(&st.core, &u.ctx, VisitId(id))
        .await
        .or_page(&u)?;
    let mut r = page(&RevealPage {
        s: Shell::of(&u),
        name: v.visitor_name,
        community: f.community,
        id_number: clear.id_number.unwrap_or_default(),
    });
    r.headers_mut().insert(
        axum::http::header::CACHE_CONTROL,
        axum::http::HeaderValue::from_static("no-store"),
    );
    Ok(r)
}
