//! A move-in's page: the 入伙流转表 ticked as it goes, what billing and the key ledger hold for the
//! unit now, the accompanied inspection's defects (a tablet-sized form) with their steps, the
//! completion (the hand-over day, the unit's state after, a manager's waiver), cancel, the
//! 入伙通知书 printed, and the owner's survey recorded once.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::movein::model::{SURVEY_QUESTIONS, WarrantyState};
use wuye_core::movein::{
    self, DefectForCreate, MoveIn, MoveInChecks, MoveInComplete, MoveInSurvey, WarrantyStep,
};
use wuye_core::registry::model::UnitState;
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::flash::done;
use super::super::forms::{label, label_of, pick};
use super::super::{Id, Ids, OrPage, PageResult, Shell, form_outcome, page};
use super::{Row, form_day, row, some};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/move-ins/{id}", get(one))
        .route("/move-ins/{id}/checks", post(checks))
        .route("/move-ins/{id}/defects", post(defect))
        .route("/move-ins/{id}/complete", post(complete))
        .route("/move-ins/{id}/cancel", post(cancel))
        .route("/move-ins/{id}/survey", post(survey))
        .route("/move-ins/{id}/notice.pdf", get(notice))
        .route("/move-ins/{id}/warranty/{w}", post(step))
}

#[derive(Template)]
#[template(path = "movein/movein.html")]
struct OnePage {
    s: Shell,
    r: Row,
    m: MoveIn,
    questions: Vec<&'static str>,
    f: Forms,
}

impl OnePage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn unit_state(&self, code: &str) -> String {
        label_of(UnitState::ALL, code, self.s.l)
    }
    fn warranty_state(&self, w: &WarrantyState) -> &'static str {
        label(WarrantyState::ALL, w, self.s.l)
    }
}

/// Every form of the page, as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct Forms {
    identity_checked: String,
    purchase_checked: String,
    agreement_signed: String,
    rules_signed: String,
    record_card_done: String,
    note: String,
    room: String,
    item: String,
    description: String,
    contractor: String,
    due_on: String,
    handover_day: String,
    unit_state: String,
    arrears_waiver: String,
    q0: String,
    q1: String,
    q2: String,
    q3: String,
    q4: String,
    comment: String,
    step: String,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, id: i64, f: Option<Forms>) -> PageResult {
    let m = movein::get_move_in(&st.core, &u.ctx, MoveInId(id))
        .await
        .or_page(u)?;
    let f = f.unwrap_or_else(|| Forms {
        contractor: m
            .warranty
            .last()
            .map(|w| w.contractor.clone())
            .unwrap_or_default(),
        ..Default::default()
    });
    Ok(page(&OnePage {
        r: row(&m, u.locale),
        questions: SURVEY_QUESTIONS
            .iter()
            .map(|(zh, en)| pick(u.locale, zh, en))
            .collect(),
        s,
        m,
        f,
    }))
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render(&st, &u, Shell::of(&u), id, None).await
}

async fn step_done(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    f: Forms,
    r: Result<MoveIn, CoreError>,
    key: &str,
) -> PageResult {
    form_outcome(
        u,
        r,
        |_| done(st, u, &format!("/move-ins/{id}"), u.locale.t(key)),
        |s| render(st, u, s, id, Some(f)),
    )
    .await
}

async fn checks(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let on = |v: &str| !v.is_empty();
    let input = MoveInChecks {
        identity_checked: on(&f.identity_checked),
        purchase_checked: on(&f.purchase_checked),
        agreement_signed: on(&f.agreement_signed),
        rules_signed: on(&f.rules_signed),
        record_card_done: on(&f.record_card_done),
        note: some(&f.note),
    };
    let r = movein::set_move_in_checks(&st.core, &u.ctx, MoveInId(id), input).await;
    step_done(&st, &u, id, f, r, "mi.checks_saved").await
}

async fn defect(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let mut errs = Vec::new();
    let due = form_day("due_on", &f.due_on, &mut errs);
    let r = match due {
        Some(due_on) if errs.is_empty() => {
            let input = DefectForCreate {
                room: f.room.clone(),
                item: f.item.clone(),
                description: f.description.clone(),
                contractor: f.contractor.clone(),
                due_on,
            };
            movein::add_defect(&st.core, &u.ctx, MoveInId(id), input).await
        }
        _ => {
            if errs.is_empty() {
                errs.push(wuye_core::FieldError::new(
                    "due_on",
                    wuye_core::shared::error::CommonCode::Required,
                ));
            }
            Err(CoreError::Invalid(errs))
        }
    };
    step_done(&st, &u, id, f, r, "mi.defect_added").await
}

async fn complete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let mut errs = Vec::new();
    let day = form_day("handover_day", &f.handover_day, &mut errs);
    let r = if errs.is_empty() {
        let input = MoveInComplete {
            handover_day: day,
            unit_state: some(&f.unit_state),
            arrears_waiver: some(&f.arrears_waiver),
        };
        movein::complete_move_in(&st.core, &u.ctx, MoveInId(id), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    step_done(&st, &u, id, f, r, "mi.completed_msg").await
}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let r = movein::cancel_move_in(&st.core, &u.ctx, MoveInId(id)).await;
    step_done(&st, &u, id, f, r, "mi.cancelled").await
}

/// The five scores of a survey form (0 for one not chosen: the service names it).
pub fn scores(f: [&str; 5]) -> Vec<i64> {
    f.iter().map(|v| v.trim().parse().unwrap_or(0)).collect()
}

async fn survey(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = MoveInSurvey {
        scores: scores([&f.q0, &f.q1, &f.q2, &f.q3, &f.q4]),
        comment: some(&f.comment),
    };
    let r = movein::rate_move_in(&st.core, &u.ctx, MoveInId(id), input).await;
    step_done(&st, &u, id, f, r, "mi.survey_saved").await
}

async fn step(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, w): Ids,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = WarrantyStep {
        step: f.step.clone(),
        note: some(&f.note),
    };
    let r = movein::step_warranty(&st.core, &u.ctx, w, input).await;
    step_done(&st, &u, id, f, r, "mi.warranty_stepped").await
}

async fn notice(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let bytes = movein::move_in_notice_pdf(&st.core, &u.ctx, MoveInId(id))
        .await
        .or_page(&u)?;
    Ok(crate::api::billing::pdf(
        bytes,
        &format!("move-in-{id}.pdf"),
    ))
}
