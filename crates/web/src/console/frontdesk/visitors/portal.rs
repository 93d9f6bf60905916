//! The owner's visitors in the portal, made for a phone: those the gate registered for him
//! with buttons to confirm or refuse, his guests' passes with their QR codes to send on, and
//! the form that pre-registers a guest for one of his units.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::{self, GuestPassForCreate, VisitAnswerInput};
use wuye_core::shared::ids::*;

use super::super::super::duty::said;
use super::super::super::equipment::qr_svg;
use super::super::super::flash::done;
use super::super::super::forms::{default_zone, form_time};
use super::super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::passes::{PassRow, pass_row};
use super::{Nothing, Row, row};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/visitors", get(mine).post(invite))
        .route("/portal/visitors/{id}/answer", post(answer))
        .route("/portal/visitor-passes/{id}/revoke", post(revoke))
}

#[derive(Template)]
#[template(path = "portal/visitors.html")]
struct MinePage {
    s: Shell,
    units: Vec<(i64, String)>,
    visits: Vec<Row>,
    passes: Vec<(PassRow, String)>,
    f: InviteForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct InviteForm {
    unit_id: i64,
    guest_name: String,
    phone: String,
    plate: String,
    party_size: String,
    valid_from: String,
    valid_until: String,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, f: Option<InviteForm>) -> PageResult {
    let me = wuye_core::portal::profile(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let tz = default_zone();
    let visits = frontdesk::my_visitors(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .iter()
        .map(|v| row(v, u.locale, tz))
        .collect();
    let passes = frontdesk::my_passes(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .iter()
        .map(|p| (pass_row(p, u.locale, tz), qr_svg(&p.code)))
        .collect();
    let now = Utc::now().with_timezone(&tz);
    let f = f.unwrap_or_else(|| InviteForm {
        unit_id: me.units.first().map(|x| x.unit_id.0).unwrap_or(0),
        party_size: "1".into(),
        valid_from: now.format("%Y-%m-%dT%H:%M").to_string(),
        valid_until: (now + Duration::hours(12))
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
        visits,
        passes,
        f,
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render(&st, &u, Shell::of(&u), None).await
}

async fn invite(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<InviteForm>,
) -> PageResult {
    let tz = default_zone();
    let mut errs = Vec::new();
    let mut when = |field: &str, raw: &str| {
        let t = form_time(field, raw, tz, &mut errs);
        if t.is_none() && raw.trim().is_empty() {
            errs.push(wuye_core::FieldError::new(
                field,
                wuye_core::shared::error::CommonCode::Required,
            ));
        }
        t
    };
    let from = when("valid_from", &f.valid_from);
    let until = when("valid_until", &f.valid_until);
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let r = match (from, until) {
        (Some(valid_from), Some(valid_until)) => {
            let input = GuestPassForCreate {
                unit_id: UnitId(f.unit_id),
                guest_name: f.guest_name.clone(),
                phone: some(&f.phone),
                plate: some(&f.plate),
                party_size: match f.party_size.trim() {
                    "" => None,
                    n => Some(n.parse().unwrap_or(0)),
                },
                purpose: None,
                valid_from,
                valid_until,
            };
            frontdesk::create_guest_pass(&st.core, &u.ctx, input).await
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    match r {
        Ok(p) => Ok(done(
            &st,
            &u,
            &format!("/portal/visitors#pass-{}", p.id),
            u.locale
                .tf("fd.guest_pass_made", &[("code", p.code.as_str())]),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            let status = describe(&e, u.locale).0;
            let mut r = render(&st, &u, Shell::of(&u).with_error(&e), Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AnswerForm {
    answer: String,
}

async fn answer(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<AnswerForm>,
) -> PageResult {
    let input = VisitAnswerInput { answer: f.answer };
    let r = frontdesk::answer_my_visitor(&st.core, &u.ctx, VisitId(id), input).await;
    said(
        &st,
        &u,
        "/portal/visitors",
        r.map(|_| ()),
        "fd.visit_answer_saved",
    )
}

async fn revoke(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Nothing>,
) -> PageResult {
    let r = frontdesk::revoke_my_pass(&st.core, &u.ctx, VisitorPassId(id)).await;
    said(
        &st,
        &u,
        "/portal/visitors",
        r.map(|_| ()),
        "fd.pass_revoked",
    )
}
