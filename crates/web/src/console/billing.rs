//! Billing in the console: the manager's fee setup and bill runs (`/billing`), the cashier's
//! desk (`/cashier`: find a unit, see what it owes, take a payment), printable receipts, the
//! unit statement, the daily close (`/daily-close`) and the published fee schedule.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::billing::{self, *};
use wuye_core::registry;
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;
use wuye_core::{CoreError, FieldError, Perm};

use super::{Id, Shell, error_page, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing", get(setup_page))
        .route("/billing/settings", post(save_settings))
        .route("/billing/fee-items", post(save_item))
        .route("/billing/standards", post(save_standard))
        .route("/billing/runs", post(post_run))
        .route("/billing/pending", post(post_pending))
        .route("/billing/schedule", get(schedule_page))
        .route("/cashier", get(cashier_page))
        .route("/cashier/pay", post(pay))
        .route("/receipts/{id}", get(receipt_page))
        .route("/receipts/{id}/reverse", post(reverse_payment))
        .route("/units/{id}/statement", get(statement_page))
        .route("/charges/{id}/reverse", post(reverse_charge))
        .route("/daily-close", get(days_page).post(close_day))
        .route("/daily-close/confirm", post(confirm_day))
        .route("/billing/arrears", get(arrears_page))
        .route("/billing/notices", post(issue_notices))
        .route("/billing/reports", get(reports_page))
        .route("/billing/expenses", post(add_expense))
        .route("/billing/export.xlsx", get(export))
        .route("/units/{id}/reminders", post(add_reminder))
        .route("/charges/{id}/waive", post(waive))
        .route("/portal/billing", get(owner_page))
        .route("/portal/receipts/{id}", get(owner_receipt))
        .route("/portal/fees", get(owner_fees))
        .route(
            "/billing/meters",
            get(meters_page).post(save_meter_readings),
        )
        .route("/billing/meters/{id}/confirm", post(confirm_meter_reading))
        .route("/billing/meters/import", post(import_meter_readings))
        .route("/receipts/{id}/pdf", get(receipt_pdf))
        .route("/portal/receipts/{id}/pdf", get(owner_receipt_pdf))
        .route("/billing/notices.pdf", post(notices_pdf))
}

async fn receipt_pdf(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    match billing::receipt(&st.core, &u.ctx, id).await {
        Ok(r) => {
            let (name, bytes) = billing::receipt_file(&r);
            crate::api::billing::pdf(bytes, &name)
        }
        Err(e) => error_page(&u, e),
    }
}

async fn owner_receipt_pdf(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    match billing::owner_receipt(&st.core, &u.ctx, id).await {
        Ok(r) => {
            let (name, bytes) = billing::receipt_file(&r);
            crate::api::billing::pdf(bytes, &name)
        }
        Err(e) => error_page(&u, e),
    }
}

async fn notices_pdf(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<NoticesForm>,
) -> Response {
    let filter = match notice_filter(&f) {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    match billing::issue_notices(&st.core, &u.ctx, CommunityId(f.community_id), filter).await {
        Ok(b) => crate::api::billing::pdf(
            billing::pdf::notices_pdf(&b),
            &format!("notices-{}.pdf", b.as_of),
        ),
        Err(e) => error_page(&u, e),
    }
}

/// The first value of a field of a form with repeated fields ("" when absent).
fn field(pairs: &[(String, String)], k: &str) -> String {
    pairs
        .iter()
        .find(|(n, _)| n == k)
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

/// `self.yuan(fen)` in the templates: yuan with two decimals.
macro_rules! yuan_in_templates {
    ($($t:ty),+) => {$(
        impl $t {
            fn yuan(&self, fen: impl std::borrow::Borrow<i64>) -> String {
                Money(*fen.borrow()).to_string()
            }
        }
    )+};
}
yuan_in_templates!(
    SetupPage,
    CashierPage,
    ReceiptPage,
    StatementPage,
    DaysPage,
    OwnerPage,
    ArrearsPage,
    NoticesPage,
    ReportsPage
);

#[derive(Deserialize, Default)]
#[serde(default)]
struct CommunityQuery {
    community: Option<i64>,
    unit: Option<String>,
    period: Option<String>,
}

/// The communities the user reaches, and the one picked (the first by default).
async fn pick(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
) -> Result<(Vec<(i64, String)>, CommunityId), CoreError> {
    let list: Vec<(i64, String)> = registry::list_communities(&st.core, &u.ctx)
        .await?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect();
    let id = want
        .filter(|w| list.iter().any(|(i, _)| i == w))
        .or_else(|| list.first().map(|c| c.0))
        .ok_or(CoreError::NotFound("community"))?;
    Ok((list, CommunityId(id)))
}

fn status_of(e: &CoreError, l: crate::locale::Locale) -> axum::http::StatusCode {
    describe(e, l).0
}

// ---------------------------------------------------------------------------------------------
// The manager's setup page

#[derive(Template)]
#[template(path = "billing/setup.html")]
struct SetupPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    settings: BillingSettings,
    items: Vec<FeeItem>,
    standards: Vec<Standard>,
    runs: Vec<BillRun>,
    pending: usize,
    preview: Option<RunPreview>,
    period: String,
    kinds: Vec<(&'static str, &'static str)>,
    methods: Vec<(&'static str, &'static str)>,
    cycles: Vec<(&'static str, &'static str)>,
    roundings: Vec<(&'static str, &'static str)>,
}

impl SetupPage {
    fn item_name(&self, id: &i64) -> String {
        self.items
            .iter()
            .find(|i| i.id == *id)
            .map(|i| i.name.clone())
            .unwrap_or_default()
    }
    fn label<'a>(list: &'a [(&'static str, &'static str)], code: &'a str) -> &'a str {
        list.iter().find(|(c, _)| *c == code).map_or(code, |x| x.1)
    }
    fn kind_label(&self, code: &str) -> String {
        Self::label(&self.kinds, code).to_string()
    }
    fn method_label(&self, code: &str) -> String {
        Self::label(&self.methods, code).to_string()
    }
    fn cycle_label(&self, code: &str) -> String {
        Self::label(&self.cycles, code).to_string()
    }
    fn rate(&self, ppm: &i64) -> String {
        rate_pct(*ppm)
    }
    fn price(&self, e4: &i64) -> String {
        Price(*e4).to_string()
    }
}

fn labels<T>(
    all: &[(T, &'static str, &'static str, &'static str)],
    l: crate::locale::Locale,
) -> Vec<(&'static str, &'static str)> {
    all.iter()
        .map(|(_, c, zh, en)| {
            (
                *c,
                if l == crate::locale::Locale::En {
                    *en
                } else {
                    *zh
                },
            )
        })
        .collect()
}

async fn render_setup(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    period: Option<String>,
    err: Option<CoreError>,
) -> Response {
    if !u.ctx.has(Perm::BillingManage) {
        return error_page(u, CoreError::Forbidden);
    }
    let (communities, c) = match pick(st, u, want).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let core = &st.core;
    let loaded = async {
        Ok::<_, CoreError>((
            billing::settings(core, &u.ctx, c).await?,
            billing::list_fee_items(core, &u.ctx, c).await?,
            billing::list_standards(core, &u.ctx, c).await?,
            billing::list_runs(core, &u.ctx, c).await?,
            wuye_core::tickets::pending_charges(core, &u.ctx, c)
                .await
                .map(|p| p.len())
                .unwrap_or(0),
        ))
    }
    .await;
    let (settings, items, standards, runs, pending) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let mut preview = None;
    let mut err = err;
    if let Some(p) = period.as_ref().filter(|p| !p.trim().is_empty()) {
        match billing::preview(
            core,
            &u.ctx,
            BillRunForCreate {
                community_id: c,
                period: p.clone(),
            },
        )
        .await
        {
            Ok(v) => preview = Some(v),
            Err(e) => err = Some(e),
        }
    }
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let l = u.locale;
    let mut r = page(&SetupPage {
        s,
        communities,
        community: c.0,
        settings,
        items,
        standards,
        runs,
        pending,
        preview,
        period: period.unwrap_or_default(),
        kinds: labels(FeeKind::ALL, l),
        methods: labels(Method::ALL, l),
        cycles: labels(Cycle::ALL, l),
        roundings: labels(Rounding::ALL, l),
    });
    *r.status_mut() = status;
    r
}

async fn setup_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> Response {
    render_setup(&st, &u, q.community, q.period, None).await
}

fn back_to_setup(c: i64) -> Response {
    Redirect::to(&format!("/billing?community={c}")).into_response()
}

async fn after(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    r: Result<(), CoreError>,
    to: Response,
) -> Response {
    match r {
        Ok(()) => to,
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_setup(st, u, Some(c), None, Some(e)).await
        }
        Err(e) => error_page(u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SettingsForm {
    community_id: i64,
    prepaid_enabled: Option<String>,
    meter_jump_factor: String,
}

async fn save_settings(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SettingsForm>,
) -> Response {
    let r = billing::save_settings(
        &st.core,
        &u.ctx,
        CommunityId(f.community_id),
        BillingSettings {
            prepaid_enabled: f.prepaid_enabled.is_some(),
            meter_jump_factor: f.meter_jump_factor.trim().parse().unwrap_or(0),
        },
    )
    .await
    .map(|_| ());
    after(&st, &u, f.community_id, r, back_to_setup(f.community_id)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemForm {
    community_id: i64,
    code: String,
    name: String,
    kind: String,
    late_fee_rate: String,
    late_fee_grace_days: String,
    late_fee_cap_pct: String,
    active: Option<String>,
}

fn opt_int(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<i64> {
    let s = raw.trim();
    if s.is_empty() {
        return None;
    }
    match s.parse() {
        Ok(v) => Some(v),
        Err(_) => {
            errs.push(FieldError::new(field, "not_a_number"));
            None
        }
    }
}

async fn save_item(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> Response {
    let mut errs = Vec::new();
    let grace = opt_int("late_fee_grace_days", &f.late_fee_grace_days, &mut errs);
    let cap = opt_int("late_fee_cap_pct", &f.late_fee_cap_pct, &mut errs);
    let r = if errs.is_empty() {
        billing::save_fee_item(
            &st.core,
            &u.ctx,
            FeeItemForSave {
                community_id: CommunityId(f.community_id),
                code: f.code,
                name: f.name,
                kind: f.kind,
                late_fee_rate: Some(f.late_fee_rate),
                late_fee_grace_days: grace,
                late_fee_cap_pct: cap,
                active: Some(f.active.is_some()),
            },
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errs))
    };
    after(&st, &u, f.community_id, r, back_to_setup(f.community_id)).await
}

async fn save_standard(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let all = |k: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(n, v)| n == k && !v.is_empty())
            .map(|(_, v)| v.clone())
            .collect()
    };
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let mut errs = Vec::new();
    let fee_item_id = opt_int("fee_item_id", &get("fee_item_id"), &mut errs).unwrap_or(0);
    let due_day = opt_int("due_day", &get("due_day"), &mut errs);
    let start = opt_int("cycle_start_month", &get("cycle_start_month"), &mut errs);
    let vacant = opt_int("vacant_pct", &get("vacant_pct"), &mut errs);
    let id = get("id").parse::<i64>().ok();
    let r = if errs.is_empty() {
        billing::save_standard(
            &st.core,
            &u.ctx,
            id,
            StandardForSave {
                community_id: CommunityId(c),
                fee_item_id,
                name: get("name"),
                method: get("method"),
                price: get("price"),
                tiers: Some(get("tiers")),
                cycle: Some(get("cycle")),
                cycle_start_month: start,
                due_day,
                rounding: Some(get("rounding")),
                building_ids: vec![],
                use_kinds: all("use_kinds"),
                unit_states: all("unit_states"),
                space_states: vec![],
                vacant_pct: vacant,
                active: Some(pairs.iter().any(|(k, _)| k == "active")),
            },
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errs))
    };
    after(&st, &u, c, r, back_to_setup(c)).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RunForm {
    community_id: i64,
    period: String,
}

async fn post_run(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RunForm>,
) -> Response {
    let r = billing::post(
        &st.core,
        &u.ctx,
        BillRunForCreate {
            community_id: CommunityId(f.community_id),
            period: f.period,
        },
    )
    .await
    .map(|_| ());
    after(&st, &u, f.community_id, r, back_to_setup(f.community_id)).await
}

async fn post_pending(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RunForm>,
) -> Response {
    let r = billing::post_pending(&st.core, &u.ctx, CommunityId(f.community_id))
        .await
        .map(|_| ());
    after(&st, &u, f.community_id, r, back_to_setup(f.community_id)).await
}

// ---------------------------------------------------------------------------------------------
// The published schedule

#[derive(Template)]
#[template(path = "billing/schedule.html")]
struct SchedulePage {
    s: Shell,
    community: String,
    lines: Vec<ScheduleLine>,
}

async fn schedule_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> Response {
    let (list, c) = match pick(&st, &u, q.community).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    match billing::schedule(&st.core, &u.ctx, c).await {
        Ok(lines) => page(&SchedulePage {
            s: Shell::of(&u),
            community: list
                .into_iter()
                .find(|x| x.0 == c.0)
                .map(|x| x.1)
                .unwrap_or_default(),
            lines,
        }),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The cashier's desk

#[derive(Template)]
#[template(path = "billing/cashier.html")]
struct CashierPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    unit: String,
    owed: Option<Owed>,
    methods: Vec<(&'static str, &'static str)>,
    /// A fresh key per rendered form: a double submit records one payment.
    key: String,
    amount: String,
    payer: String,
    unit_err: String,
}

async fn render_cashier(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    unit_q: String,
    err: Option<CoreError>,
    amount: String,
    payer: String,
) -> Response {
    if !u.ctx.has(Perm::BillingCollect) {
        return error_page(u, CoreError::Forbidden);
    }
    let (communities, c) = match pick(st, u, want).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let mut unit_err = String::new();
    let mut owed = None;
    if !unit_q.trim().is_empty() {
        let id = match unit_q.trim().parse::<i64>() {
            Ok(id) => Ok(UnitId(id)),
            Err(_) => {
                wuye_core::shared::resolve::unit_by_label(
                    &st.core,
                    &u.ctx,
                    c,
                    unit_q.trim(),
                    "unit",
                )
                .await
            }
        };
        match id {
            Ok(id) => match billing::owed(&st.core, &u.ctx, id).await {
                Ok(o) => owed = Some(o),
                Err(e) => return error_page(u, e),
            },
            Err(e) => {
                unit_err = e
                    .iter()
                    .map(|x| crate::error::field_message(u.locale, x))
                    .collect::<Vec<_>>()
                    .join("；")
            }
        }
    }
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&CashierPage {
        s,
        communities,
        community: c.0,
        unit: owed.as_ref().map_or(unit_q, |o| o.unit_label.clone()),
        owed,
        methods: labels(PayMethod::ALL, u.locale),
        key: wuye_core::shared::crypto::random_token(),
        amount,
        payer,
        unit_err,
    });
    *r.status_mut() = status;
    r
}

async fn cashier_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> Response {
    render_cashier(
        &st,
        &u,
        q.community,
        q.unit.unwrap_or_default(),
        None,
        String::new(),
        String::new(),
    )
    .await
}

async fn pay(State(st): State<AppState>, u: ConsoleUser, CsrfBody(body): CsrfBody) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let unit: i64 = get("unit_id").parse().unwrap_or(0);
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let charge_ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "charge_ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    let input = PaymentForCreate {
        unit_id: UnitId(unit),
        method: get("method"),
        amount: get("amount"),
        payer: get("payer"),
        charge_ids,
        note: Some(get("note")),
        idempotency_key: Some(get("idempotency_key")),
    };
    match billing::pay(&st.core, &u.ctx, input).await {
        Ok(done) => Redirect::to(&format!("/receipts/{}", done.payment.id)).into_response(),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_cashier(
                &st,
                &u,
                Some(c),
                unit.to_string(),
                Some(e),
                get("amount"),
                get("payer"),
            )
            .await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Receipts and statements

#[derive(Template)]
#[template(path = "billing/receipt.html")]
struct ReceiptPage {
    s: Shell,
    r: Receipt,
    method: String,
    kind_label: String,
    can_reverse: bool,
}

async fn render_receipt(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    err: Option<CoreError>,
) -> Response {
    match billing::receipt(&st.core, &u.ctx, id).await {
        Ok(r) => {
            let method = PayMethod::parse("", &r.payment.method)
                .map(|m| m.zh())
                .unwrap_or("")
                .to_string();
            let can_reverse = u.ctx.has(Perm::BillingManage)
                && r.payment.kind == "payment"
                && r.payment.reversed_by.is_none();
            let s = match &err {
                Some(e) => Shell::of(u).with_error(e),
                None => Shell::of(u),
            };
            let kind_label = match r.payment.kind.as_str() {
                "payment" => String::new(),
                k => u.locale.t(&format!("bl.kind.{k}")).to_string(),
            };
            page(&ReceiptPage {
                s,
                r,
                method,
                kind_label,
                can_reverse,
            })
        }
        Err(e) => error_page(u, e),
    }
}

async fn receipt_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_receipt(&st, &u, id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReasonForm {
    reason: String,
}

async fn reverse_payment(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Response {
    match billing::reverse_payment(&st.core, &u.ctx, id, Reason { reason: f.reason }).await {
        Ok(done) => Redirect::to(&format!("/receipts/{}", done.payment.id)).into_response(),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_receipt(&st, &u, id, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

#[derive(Template)]
#[template(path = "billing/statement.html")]
struct StatementPage {
    s: Shell,
    st: Statement,
    can_reverse: bool,
    late_fees: Vec<LateFeeLine>,
    reminders: Vec<Reminder>,
    methods: Vec<(&'static str, &'static str)>,
}

async fn render_statement(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    err: Option<CoreError>,
) -> Response {
    let loaded = async {
        Ok::<_, CoreError>((
            billing::statement(&st.core, &u.ctx, UnitId(id)).await?,
            billing::owed(&st.core, &u.ctx, UnitId(id)).await?,
            billing::unit_reminders(&st.core, &u.ctx, UnitId(id)).await?,
        ))
    }
    .await;
    match loaded {
        Ok((s_, owed, reminders)) => page(&StatementPage {
            s: match &err {
                Some(e) => Shell::of(u).with_error(e),
                None => Shell::of(u),
            },
            st: s_,
            can_reverse: u.ctx.has(Perm::BillingManage),
            late_fees: owed.late_fees,
            reminders,
            methods: labels(ReminderMethod::ALL, u.locale),
        }),
        Err(e) => error_page(u, e),
    }
}

impl StatementPage {
    fn method_label(&self, code: &str) -> String {
        self.methods
            .iter()
            .find(|m| m.0 == code)
            .map_or(code, |m| m.1)
            .to_string()
    }
}

async fn statement_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_statement(&st, &u, id, None).await
}

async fn reverse_charge(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Response {
    match billing::reverse_charge(&st.core, &u.ctx, id, Reason { reason: f.reason }).await {
        Ok(c) => Redirect::to(&format!("/units/{}/statement", c.unit_id)).into_response(),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The daily close

#[derive(Template)]
#[template(path = "billing/days.html")]
struct DaysPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    days: Vec<CashierDay>,
    today: Vec<Payment>,
    can_confirm: bool,
    my_id: i64,
}

impl DaysPage {
    fn method_label(&self, code: &str) -> String {
        PayMethod::parse("", code)
            .map(|m| {
                if self.s.l == crate::locale::Locale::En {
                    PayMethod::ALL.iter().find(|x| x.0 == m).map_or("", |x| x.3)
                } else {
                    m.zh()
                }
            })
            .unwrap_or("")
            .to_string()
    }
}

async fn render_days(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    err: Option<CoreError>,
) -> Response {
    let (communities, c) = match pick(st, u, want).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let loaded = async {
        Ok::<_, CoreError>((
            billing::list_days(
                &st.core,
                &u.ctx,
                DayFilter {
                    community_id: c,
                    from: None,
                },
            )
            .await?,
            billing::list_payments(
                &st.core,
                &u.ctx,
                PaymentFilter {
                    community_id: c,
                    date: None,
                    cashier_id: u.ctx.actor().map(|x| x.0),
                },
            )
            .await?,
        ))
    }
    .await;
    let (days, today) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&DaysPage {
        s,
        communities,
        community: c.0,
        days,
        today,
        can_confirm: u.ctx.has(Perm::BillingManage),
        my_id: u.ctx.actor().map_or(0, |x| x.0),
    });
    *r.status_mut() = status;
    r
}

async fn days_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> Response {
    render_days(&st, &u, q.community, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CloseForm {
    community_id: i64,
    date: String,
    note: String,
    cashier_id: i64,
}

fn parse_date(raw: &str) -> Result<Option<chrono::NaiveDate>, CoreError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| CoreError::invalid("date", "invalid_date"))
}

async fn close_day(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> Response {
    let r = match parse_date(&f.date) {
        Ok(date) => billing::close_day(
            &st.core,
            &u.ctx,
            DayClose {
                community_id: CommunityId(f.community_id),
                date,
                note: Some(f.note),
            },
        )
        .await
        .map(|_| ()),
        Err(e) => Err(e),
    };
    days_after(&st, &u, f.community_id, r).await
}

async fn confirm_day(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> Response {
    let r = match parse_date(&f.date) {
        Ok(Some(date)) => billing::confirm_day(
            &st.core,
            &u.ctx,
            DayConfirm {
                community_id: CommunityId(f.community_id),
                cashier_id: f.cashier_id,
                date,
            },
        )
        .await
        .map(|_| ()),
        Ok(None) => Err(CoreError::invalid("date", "required")),
        Err(e) => Err(e),
    };
    days_after(&st, &u, f.community_id, r).await
}

async fn days_after(st: &AppState, u: &ConsoleUser, c: i64, r: Result<(), CoreError>) -> Response {
    match r {
        Ok(()) => Redirect::to(&format!("/daily-close?community={c}")).into_response(),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_days(st, u, Some(c), Some(e)).await
        }
        Err(e) => error_page(u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReminderForm {
    method: String,
    result: String,
    next_step: String,
}

async fn add_reminder(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReminderForm>,
) -> Response {
    let r = billing::record_reminder(
        &st.core,
        &u.ctx,
        ReminderForCreate {
            unit_id: UnitId(id),
            method: f.method,
            result: f.result,
            next_step: Some(f.next_step),
        },
    )
    .await;
    match r {
        Ok(_) => Redirect::to(&format!("/units/{id}/statement")).into_response(),
        Err(e @ CoreError::Invalid(_)) => render_statement(&st, &u, id, Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

async fn waive(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> Response {
    match billing::waive_late_fee(&st.core, &u.ctx, id, Reason { reason: f.reason }).await {
        Ok(_) => {
            let unit: Option<(i64,)> = st
                .core
                .db
                .read()
                .fetch_optional(
                    "SELECT unit_id FROM charges WHERE id = $1",
                    wuye_core::args![id],
                )
                .await
                .ok()
                .flatten();
            Redirect::to(&format!("/units/{}/statement", unit.map_or(0, |u| u.0))).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Arrears, notices, reports

#[derive(Template)]
#[template(path = "billing/arrears.html")]
struct ArrearsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    ageing: Ageing,
    units: Vec<ArrearsUnit>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportsQuery {
    community: Option<i64>,
    as_of: Option<String>,
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    quarter: Option<String>,
}

fn opt_date(raw: &Option<String>) -> Result<Option<chrono::NaiveDate>, CoreError> {
    parse_date(raw.as_deref().unwrap_or(""))
}

async fn arrears_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ReportsQuery>,
) -> Response {
    let (communities, c) = match pick(&st, &u, q.community).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let loaded = async {
        let as_of = opt_date(&q.as_of)?;
        let ageing = billing::ageing(&st.core, &u.ctx, c, as_of).await?;
        let units = billing::arrears_units(
            &st.core,
            &u.ctx,
            c,
            &ArrearsFilter {
                as_of,
                ..Default::default()
            },
        )
        .await?;
        Ok::<_, CoreError>((ageing, units))
    }
    .await;
    match loaded {
        Ok((ageing, units)) => page(&ArrearsPage {
            s: Shell::of(&u),
            communities,
            community: c.0,
            ageing,
            units,
        }),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Template)]
#[template(path = "billing/notices.html")]
struct NoticesPage {
    s: Shell,
    batch: NoticeBatch,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NoticesForm {
    community_id: i64,
    as_of: String,
    min_days: String,
}

/// The arrears filter of the notices form.
fn notice_filter(f: &NoticesForm) -> Result<ArrearsFilter, CoreError> {
    let mut errs = Vec::new();
    let min_days = opt_int("min_days", &f.min_days, &mut errs);
    let as_of = parse_date(&f.as_of)?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(ArrearsFilter {
        building_id: None,
        min_days,
        as_of,
    })
}

async fn issue_notices(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<NoticesForm>,
) -> Response {
    let filter = match notice_filter(&f) {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    match billing::issue_notices(&st.core, &u.ctx, CommunityId(f.community_id), filter).await {
        Ok(batch) => page(&NoticesPage {
            s: Shell::of(&u),
            batch,
        }),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Template)]
#[template(path = "billing/reports.html")]
struct ReportsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    report: CollectionReport,
    rate: CollectionRate,
    publication: Option<Publication>,
    quarter: String,
    can_manage: bool,
}

impl ReportsPage {
    fn method(&self, code: &str) -> String {
        billing::method_zh(code).to_string()
    }
    fn pct(&self, bp: &Option<i64>) -> String {
        bp.map(|b| format!("{}.{:02}%", b / 100, b % 100))
            .unwrap_or_else(|| "—".into())
    }
}

async fn reports_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ReportsQuery>,
) -> Response {
    let (communities, c) = match pick(&st, &u, q.community).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let today = chrono::Utc::now()
        .with_timezone(&super::forms::default_zone())
        .date_naive();
    let loaded = async {
        let from = opt_date(&q.from)?
            .unwrap_or_else(|| chrono::Datelike::with_day(&today, 1).unwrap_or(today));
        let to = opt_date(&q.to)?.unwrap_or(today);
        let report = billing::collection_report(&st.core, &u.ctx, c, from, to).await?;
        let period = q
            .period
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| today.format("%Y-%m").to_string());
        let rate = billing::collection_rate(&st.core, &u.ctx, c, &period).await?;
        let quarter = q
            .quarter
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| billing::quarter_of(today));
        let publication = billing::publication(&st.core, &u.ctx, c, &quarter).await?;
        Ok::<_, CoreError>((report, rate, publication, quarter))
    }
    .await;
    match loaded {
        Ok((report, rate, publication, quarter)) => page(&ReportsPage {
            s: Shell::of(&u),
            communities,
            community: c.0,
            report,
            rate,
            publication: Some(publication),
            quarter,
            can_manage: u.ctx.has(Perm::BillingManage),
        }),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExpenseForm {
    community_id: i64,
    spent_on: String,
    category: String,
    description: String,
    amount: String,
    from_fund: Option<String>,
}

async fn add_expense(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ExpenseForm>,
) -> Response {
    let day = match parse_date(&f.spent_on) {
        Ok(Some(d)) => d,
        Ok(None) => return error_page(&u, CoreError::invalid("spent_on", "required")),
        Err(e) => return error_page(&u, e),
    };
    match billing::create_expense(
        &st.core,
        &u.ctx,
        ExpenseForCreate {
            community_id: CommunityId(f.community_id),
            spent_on: day,
            category: f.category,
            description: f.description,
            amount: f.amount,
            from_fund: f.from_fund.is_some(),
        },
    )
    .await
    {
        Ok(_) => {
            Redirect::to(&format!("/billing/reports?community={}", f.community_id)).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ExportQuery {
    community: i64,
    report: String,
    from: Option<String>,
    to: Option<String>,
    period: Option<String>,
    quarter: Option<String>,
    as_of: Option<String>,
}

async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ExportQuery>,
) -> Response {
    let parsed = (|| {
        Ok::<_, CoreError>(ReportQuery {
            report: q.report.clone(),
            from: opt_date(&q.from)?,
            to: opt_date(&q.to)?,
            period: q.period.clone(),
            quarter: q.quarter.clone(),
            as_of: opt_date(&q.as_of)?,
        })
    })();
    let rq = match parsed {
        Ok(r) => r,
        Err(e) => return error_page(&u, e),
    };
    match billing::export_xlsx(&st.core, &u.ctx, CommunityId(q.community), &rq).await {
        Ok((name, bytes)) => crate::api::import::xlsx(bytes, &name),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The owner's pages

#[derive(Template)]
#[template(path = "billing/owner.html")]
struct OwnerPage {
    s: Shell,
    bills: Vec<OwnerBill>,
}

async fn owner_page(State(st): State<AppState>, u: ConsoleUser) -> Response {
    match billing::owner_billing(&st.core, &u.ctx).await {
        Ok(bills) => page(&OwnerPage {
            s: Shell::of(&u),
            bills,
        }),
        Err(e) => error_page(&u, e),
    }
}

async fn owner_receipt(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    match billing::owner_receipt(&st.core, &u.ctx, id).await {
        Ok(r) => {
            let method = PayMethod::parse("", &r.payment.method)
                .map(|m| m.zh())
                .unwrap_or("")
                .to_string();
            page(&ReceiptPage {
                s: Shell::of(&u),
                r,
                method,
                kind_label: String::new(),
                can_reverse: false,
            })
        }
        Err(e) => error_page(&u, e),
    }
}

async fn owner_fees(State(st): State<AppState>, u: ConsoleUser) -> Response {
    let loaded = async {
        let me = wuye_core::portal::profile(&st.core, &u.ctx).await?;
        let lines = billing::schedule(&st.core, &u.ctx, me.community_id).await?;
        let (name,): (String,) = st
            .core
            .db
            .read()
            .fetch_one(
                "SELECT name FROM communities WHERE id = $1",
                wuye_core::args![me.community_id],
            )
            .await?;
        Ok::<_, CoreError>((name, lines))
    }
    .await;
    match loaded {
        Ok((community, lines)) => page(&SchedulePage {
            s: Shell::of(&u),
            community,
            lines,
        }),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Meter readings

struct MeterRow {
    id: i64,
    unit_label: String,
    kind: String,
    prev: String,
    value: String,
    usage: String,
    flag: Option<String>,
    reading_id: Option<i64>,
    done: bool,
}

#[derive(Template)]
#[template(path = "billing/meters.html")]
struct MetersPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    period: String,
    rows: Vec<MeterRow>,
    can_confirm: bool,
}

async fn render_meters(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    period: Option<String>,
    err: Option<CoreError>,
) -> Response {
    let (communities, c) = match pick(st, u, want).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let period = period.filter(|p| !p.trim().is_empty()).unwrap_or_else(|| {
        chrono::Utc::now()
            .with_timezone(&super::forms::default_zone())
            .format("%Y-%m")
            .to_string()
    });
    let loaded = async {
        let meters = billing::list_meters(&st.core, &u.ctx, c, &MeterFilter::default()).await?;
        let readings = billing::period_readings(&st.core, &u.ctx, c, &period).await?;
        Ok::<_, CoreError>((meters, readings))
    }
    .await;
    let (meters, readings) = match loaded {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let flag_label = |f: &str| u.locale.t(&format!("bl.flag.{f}")).to_string();
    let rows = meters
        .into_iter()
        .map(|m| {
            let r = readings.get(&m.id);
            MeterRow {
                id: m.id,
                unit_label: m.unit_label,
                kind: MeterKind::parse("", &m.kind)
                    .map(|k| k.zh())
                    .unwrap_or("")
                    .to_string(),
                prev: reading_text(r.map_or(m.last_value, |r| r.prev_value)),
                value: r.map(|r| reading_text(r.value)).unwrap_or_default(),
                usage: r.map(|r| reading_text(r.usage)).unwrap_or_default(),
                flag: r.and_then(|r| r.flag.as_deref()).map(flag_label),
                reading_id: r.map(|r| r.id),
                done: r.is_some_and(|r| {
                    r.charge_id.is_some() || r.confirmed_at.is_some() || r.flag.is_none()
                }),
            }
        })
        .collect();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&MetersPage {
        s,
        communities,
        community: c.0,
        period,
        rows,
        can_confirm: u.ctx.has(Perm::BillingManage),
    });
    *r.status_mut() = status;
    r
}

async fn meters_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> Response {
    render_meters(&st, &u, q.community, q.period, None).await
}

async fn save_meter_readings(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let period = get("period");
    let readings: Vec<ReadingInput> = pairs
        .iter()
        .filter_map(|(k, v)| {
            let id = k.strip_prefix("v_")?.parse().ok()?;
            (!v.trim().is_empty()).then(|| ReadingInput {
                meter_id: id,
                value: v.clone(),
                confirm: false,
            })
        })
        .collect();
    let r = billing::save_readings(
        &st.core,
        &u.ctx,
        ReadingsForSave {
            community_id: CommunityId(c),
            period: period.clone(),
            readings,
        },
    )
    .await;
    match r {
        Ok(_) => {
            Redirect::to(&format!("/billing/meters?community={c}&period={period}")).into_response()
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_meters(&st, &u, Some(c), Some(period), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

async fn confirm_meter_reading(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    match billing::confirm_reading(&st.core, &u.ctx, id).await {
        Ok(_) => Redirect::to(&format!(
            "/billing/meters?community={}&period={}",
            get("community_id"),
            get("period")
        ))
        .into_response(),
        Err(e) => error_page(&u, e),
    }
}

/// The readings of a period from an .xlsx upload (房屋, 表类型, 本期读数).
async fn import_meter_readings(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: axum::http::HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let up = match mp {
        Ok(mp) => super::registry::read_upload(mp, st.cfg.max_upload_bytes, false).await,
        Err(_) => super::registry::Upload {
            broken: true,
            ..Default::default()
        },
    };
    if !crate::extract::csrf_ok(&headers, up.csrf.as_deref()) {
        return crate::extract::CsrfRejected(u.locale).into_response();
    }
    let c: i64 = up
        .community
        .as_deref()
        .and_then(|c| c.trim().parse().ok())
        .unwrap_or(0);
    let period = up
        .other
        .iter()
        .find(|(k, _)| k == "period")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let r = if up.too_large || up.broken || up.file.is_empty() {
        Err(CoreError::invalid(
            "file",
            if up.too_large {
                "file_too_large"
            } else {
                "not_xlsx"
            },
        ))
    } else {
        match billing::readings_from_xlsx(&st.core, &u.ctx, CommunityId(c), &up.file).await {
            Ok(readings) => billing::save_readings(
                &st.core,
                &u.ctx,
                ReadingsForSave {
                    community_id: CommunityId(c),
                    period: period.clone(),
                    readings,
                },
            )
            .await
            .map(|_| ()),
            Err(e) => Err(e),
        }
    };
    match r {
        Ok(()) => {
            Redirect::to(&format!("/billing/meters?community={c}&period={period}")).into_response()
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_meters(&st, &u, Some(c), Some(period), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}
