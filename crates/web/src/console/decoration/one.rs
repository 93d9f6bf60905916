//! A decoration's page: what was applied for, its money as billing holds it, and each step as a
//! form — approve or refuse (a manager), take the deposit (the cashier), issue the permit and the
//! workers' passes, inspect with violations (phone-sized), record one rectified, extend, attach
//! files, accept, refund the deposit less its deductions (a billing manager), cancel.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::billing::model::PayMethod;
use wuye_core::decoration::model::{FileLabel, InspectionKind, ViolationKind};
use wuye_core::decoration::{
    self as dec, Decoration, DecorationAcceptance, DecorationApproval, DecorationDepositTaking,
    DecorationExtension, DecorationFileLabel, DecorationInspectionForCreate, DecorationRefund,
    DecorationRefusal, DecorationViolationForCreate, DeductionForCreate, ViolationRectified,
};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError, Perm};

use super::super::flash::done;
use super::super::forms::{Opt, label, local_time, opts};
use super::super::{Id, Ids, OrPage, PageResult, Shell, form_outcome, page};
use super::{Row, row, some, yuan};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/decorations/{id}", get(one))
        .route("/decorations/{id}/approve", post(approve))
        .route("/decorations/{id}/refuse", post(refuse))
        .route("/decorations/{id}/cancel", post(cancel))
        .route("/decorations/{id}/deposit", post(deposit))
        .route("/decorations/{id}/permit", post(permit))
        .route("/decorations/{id}/inspect", post(inspect))
        .route("/decorations/{id}/extend", post(extend))
        .route("/decorations/{id}/accept", post(accept))
        .route("/decorations/{id}/refund", post(refund))
        .route("/decorations/{id}/files", post(add_file))
        .route("/decorations/{id}/files/{file}", get(file))
        .route("/decorations/{id}/violations/{v}/rectify", post(rectify))
}

#[derive(Template)]
#[template(path = "decoration/decoration.html")]
struct OnePage {
    s: Shell,
    r: Row,
    d: Decoration,
    tz: chrono_tz::Tz,
    can_manage: bool,
    can_collect: bool,
    can_refund: bool,
    methods: Vec<Opt>,
    kinds: Vec<Opt>,
    labels: Vec<Opt>,
    f: Forms,
}

impl OnePage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn opt_yuan(&self, fen: &Option<i64>) -> String {
        fen.map(yuan).unwrap_or_default()
    }
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(*t, self.tz)
    }
    fn violation_kind(&self, k: &ViolationKind) -> &'static str {
        label(ViolationKind::ALL, k, self.s.l)
    }
    fn inspection_kind(&self, k: &InspectionKind) -> &'static str {
        label(InspectionKind::ALL, k, self.s.l)
    }
    fn file_label(&self, k: &FileLabel) -> &'static str {
        label(FileLabel::ALL, k, self.s.l)
    }
    /// Violation row `i` of the inspection form as typed: kind, description, deadline, deduction.
    fn violation_form(&self, i: &usize) -> (&str, &str, &str, &str) {
        let f = &self.f;
        match i {
            0 => (&f.kind_0, &f.desc_0, &f.deadline_0, &f.deduction_0),
            1 => (&f.kind_1, &f.desc_1, &f.deadline_1, &f.deduction_1),
            _ => (&f.kind_2, &f.desc_2, &f.deadline_2, &f.deduction_2),
        }
    }
}

/// Every form of the page, as typed (kept when one is refused).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct Forms {
    deposit: String,
    management_fee: String,
    rubbish_fee: String,
    note: String,
    reason: String,
    method: String,
    ends_on: String,
    /// Up to three violations: kind, description, deadline, deduction.
    kind_0: String,
    desc_0: String,
    deadline_0: String,
    deduction_0: String,
    kind_1: String,
    desc_1: String,
    deadline_1: String,
    deduction_1: String,
    kind_2: String,
    desc_2: String,
    deadline_2: String,
    deduction_2: String,
    /// Deductions named at refund.
    cut_reason_0: String,
    cut_amount_0: String,
    cut_reason_1: String,
    cut_amount_1: String,
    passed: String,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, id: i64, f: Option<Forms>) -> PageResult {
    let d = dec::get_decoration(&st.core, &u.ctx, DecorationId(id))
        .await
        .or_page(u)?;
    let c = d.community_id;
    let tz = super::super::frontdesk::zone(st, u, c.0).await;
    let can = |p| u.ctx.require_in(p, c).is_ok();
    Ok(page(&OnePage {
        r: row(&d, u.locale),
        tz,
        can_manage: can(Perm::FrontdeskManage),
        can_collect: can(Perm::BillingCollect),
        can_refund: can(Perm::BillingManage),
        methods: opts(PayMethod::ALL, u.locale),
        kinds: opts(ViolationKind::ALL, u.locale),
        labels: opts(FileLabel::ALL, u.locale),
        f: f.unwrap_or_else(|| Forms {
            method: "cash".into(),
            ends_on: d.ends_on.to_string(),
            ..Default::default()
        }),
        s,
        d,
    }))
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render(&st, &u, Shell::of(&u), id, None).await
}

/// Answers a step: back to the page saying `key`, or the page again with the refusal.
async fn step(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    f: Forms,
    r: Result<Decoration, CoreError>,
    key: &str,
) -> PageResult {
    form_outcome(
        u,
        r,
        |_| done(st, u, &format!("/decorations/{id}"), u.locale.t(key)),
        |s| render(st, u, s, id, Some(f)),
    )
    .await
}

async fn approve(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = DecorationApproval {
        deposit: some(&f.deposit),
        management_fee: some(&f.management_fee),
        rubbish_fee: some(&f.rubbish_fee),
        note: some(&f.note),
    };
    let r = dec::approve_decoration(&st.core, &u.ctx, DecorationId(id), input).await;
    step(&st, &u, id, f, r, "dec.approved").await
}

async fn refuse(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = DecorationRefusal {
        reason: f.reason.clone(),
    };
    let r = dec::refuse_decoration(&st.core, &u.ctx, DecorationId(id), input).await;
    step(&st, &u, id, f, r, "dec.refused").await
}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let r = dec::cancel_decoration(&st.core, &u.ctx, DecorationId(id)).await;
    step(&st, &u, id, f, r, "dec.cancelled").await
}

async fn deposit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = DecorationDepositTaking {
        method: f.method.clone(),
    };
    let r = dec::take_decoration_deposit(&st.core, &u.ctx, DecorationId(id), input).await;
    step(&st, &u, id, f, r, "dec.deposit_taken").await
}

async fn permit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let r = dec::issue_decoration_permit(&st.core, &u.ctx, DecorationId(id)).await;
    step(&st, &u, id, f, r, "dec.permit_issued").await
}

fn day(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> NaiveDate {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").unwrap_or_else(|_| {
        errs.push(FieldError::new(
            field,
            wuye_core::shared::error::CommonCode::InvalidDate,
        ));
        NaiveDate::MIN
    })
}

async fn inspect(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let mut errs = Vec::new();
    let rows = [
        (&f.kind_0, &f.desc_0, &f.deadline_0, &f.deduction_0),
        (&f.kind_1, &f.desc_1, &f.deadline_1, &f.deduction_1),
        (&f.kind_2, &f.desc_2, &f.deadline_2, &f.deduction_2),
    ];
    let mut violations = Vec::new();
    // A row left blank is no violation; the service names a row's fields by their place.
    for (kind, desc, deadline, deduction) in rows {
        if kind.trim().is_empty() && desc.trim().is_empty() {
            continue;
        }
        let i = violations.len();
        violations.push(DecorationViolationForCreate {
            kind: kind.clone(),
            description: desc.clone(),
            deadline: day(&format!("violations[{i}].deadline"), deadline, &mut errs),
            deduction: some(deduction),
        });
    }
    let r = if errs.is_empty() {
        let input = DecorationInspectionForCreate {
            note: some(&f.note),
            violations,
        };
        dec::inspect_decoration(&st.core, &u.ctx, DecorationId(id), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    step(&st, &u, id, f, r, "dec.inspected").await
}

async fn extend(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let mut errs = Vec::new();
    let ends_on = day("ends_on", &f.ends_on, &mut errs);
    let r = if errs.is_empty() {
        let input = DecorationExtension {
            ends_on,
            reason: f.reason.clone(),
        };
        dec::extend_decoration(&st.core, &u.ctx, DecorationId(id), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    step(&st, &u, id, f, r, "dec.extended").await
}

async fn accept(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = DecorationAcceptance {
        passed: f.passed == "1",
        note: some(&f.note),
    };
    let key = if input.passed {
        "dec.accepted"
    } else {
        "dec.acceptance_failed"
    };
    let r = dec::accept_decoration(&st.core, &u.ctx, DecorationId(id), input).await;
    step(&st, &u, id, f, r, key).await
}

async fn refund(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let deductions = [
        (&f.cut_reason_0, &f.cut_amount_0),
        (&f.cut_reason_1, &f.cut_amount_1),
    ]
    .into_iter()
    .filter(|(r, a)| !r.trim().is_empty() || !a.trim().is_empty())
    .map(|(r, a)| DeductionForCreate {
        reason: r.clone(),
        amount: a.clone(),
    })
    .collect();
    let input = DecorationRefund {
        method: f.method.clone(),
        deductions,
        note: some(&f.note),
    };
    let r = dec::refund_decoration_deposit(&st.core, &u.ctx, DecorationId(id), input).await;
    step(&st, &u, id, f, r, "dec.refunded").await
}

async fn rectify(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, v): Ids,
    CsrfForm(f): CsrfForm<Forms>,
) -> PageResult {
    let input = ViolationRectified {
        note: some(&f.note),
    };
    let r = dec::rectify_violation(&st.core, &u.ctx, v, input).await;
    step(&st, &u, id, f, r, "dec.rectified").await
}

async fn add_file(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let max = wuye_core::shared::files::MAX_FILE_BYTES;
    let r = match super::super::community::one_file_and_fields(&u, mp, max, "file").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => Err(e),
        Ok(Ok((_, bytes, other))) => {
            let label = DecorationFileLabel {
                label: other
                    .iter()
                    .find(|(k, _)| k == "label")
                    .map(|(_, v)| v.clone()),
                inspection_id: None,
            };
            dec::add_decoration_file(&st.core, &u.ctx, DecorationId(id), label, &bytes)
                .await
                .map(|_| ())
        }
    };
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/decorations/{id}"),
                u.locale.t("dec.file_added"),
            )
        },
        |s| render(&st, &u, s, id, None),
    )
    .await
}

async fn file(State(st): State<AppState>, u: ConsoleUser, Ids(id, file): Ids) -> PageResult {
    let (ct, name, bytes) = dec::decoration_file(&st.core, &u.ctx, DecorationId(id), file)
        .await
        .or_page(&u)?;
    Ok(super::super::file_response(ct, &name, bytes))
}
