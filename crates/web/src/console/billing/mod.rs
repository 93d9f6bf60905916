//! Billing in the console: the manager's fee setup and bill runs (`/billing`), the cashier's
//! desk (`/cashier`: find a unit, see what it owes, take a payment), printable receipts, the
//! unit statement, the daily close (`/daily-close`) and the published fee schedule.
//!
//! One file per page group (setup and schedule, cashier and receipts, the daily close, arrears
//! and reports, the owner's pages, meters); this file holds the router, the PDF downloads and the
//! community picker they share.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::billing::{self, *};
use wuye_core::registry;
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;
use wuye_core::{CoreError, FieldError, Perm};

use super::flash::done;
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

mod arrears;
mod cashier;
mod close;
mod home;
mod meters;
mod opening;
mod owner;
mod setup;
mod switch_report;
mod switching;

use arrears::*;
use cashier::*;
use close::*;
pub(super) use home::{BillingCharts, TakingsPanel, billing_charts, takings_panel};
use owner::*;
use setup::*;
use switch_report::*;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/billing", get(setup::setup_page))
        .route("/billing/settings", post(setup::save_settings))
        .route("/billing/fee-items", post(setup::save_item))
        .route("/billing/standards", post(setup::save_standard))
        .route("/billing/runs", post(setup::post_run))
        .route("/billing/pending", post(setup::post_pending))
        .route("/billing/late-fees/accrue", post(setup::accrue_late_fees))
        .route("/billing/schedule", get(setup::schedule_page))
        .route(
            "/billing/opening",
            get(opening::opening_page).post(opening::opening_upload),
        )
        .route(
            "/billing/opening/template.xlsx",
            get(opening::opening_template),
        )
        .route("/cashier", get(cashier::cashier_page))
        .route("/cashier/pay", post(cashier::pay))
        .route("/receipts/{id}", get(cashier::receipt_page))
        .route("/receipts/{id}/reverse", post(cashier::reverse_payment))
        .route("/units/{id}/statement", get(cashier::statement_page))
        .route("/charges/{id}/reverse", post(cashier::reverse_charge))
        .route("/daily-close", get(close::days_page).post(close::close_day))
        .route("/daily-close/confirm", post(close::confirm_day))
        .route("/daily-close/sheet", get(close::day_sheet))
        .route("/billing/arrears", get(arrears::arrears_page))
        .route("/billing/notices", post(arrears::issue_notices))
        .route("/billing/reports", get(arrears::reports_page))
        .route("/billing/expenses", post(arrears::add_expense))
        .route("/billing/export.xlsx", get(arrears::export))
        .route("/billing/switch-report", get(switch_page))
        .route("/billing/switch-report.xlsx", get(switch_xlsx))
        .route(
            "/billing/switch-report/sign-off",
            post(switch_report::sign_off),
        )
        .route("/units/{id}/reminders", post(close::add_reminder))
        .route("/charges/{id}/waive", post(close::waive))
        .route("/portal/billing", get(owner::owner_page))
        .route("/portal/receipts/{id}", get(owner::owner_receipt))
        .route("/portal/fees", get(owner::owner_fees))
        .route(
            "/billing/meters",
            get(meters::meters_page).post(meters::save_meter_readings),
        )
        .route(
            "/billing/meters/{id}/confirm",
            post(meters::confirm_meter_reading),
        )
        .route(
            "/billing/meters/import",
            post(meters::import_meter_readings),
        )
        .route("/receipts/{id}/pdf", get(receipt_pdf))
        .route("/portal/receipts/{id}/pdf", get(owner_receipt_pdf))
        .route("/billing/notices.pdf", post(notices_pdf))
        .route("/billing/switching", get(switching::switching_page))
        .route("/billing/switching/import", post(switching::import))
        .route(
            "/billing/switching/{kind}/template.xlsx",
            get(switching::template),
        )
        .route("/billing/deposits", post(switching::create_deposit))
        .route(
            "/billing/deposits/{id}/refund",
            post(switching::refund_deposit),
        )
}

async fn receipt_pdf(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let r = billing::receipt(&st.core, &u.ctx, id).await.or_page(&u)?;
    let (name, bytes) = billing::receipt_file(&st.core, &r).or_page(&u)?;
    Ok(crate::api::billing::pdf(bytes, &name))
}

async fn owner_receipt_pdf(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let r = billing::owner_receipt(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let (name, bytes) = billing::receipt_file(&st.core, &r).or_page(&u)?;
    Ok(crate::api::billing::pdf(bytes, &name))
}

async fn notices_pdf(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<NoticesForm>,
) -> PageResult {
    let filter = notice_filter(&f).or_page(&u)?;
    let b = billing::issue_notices(&st.core, &u.ctx, CommunityId(f.community_id), filter)
        .await
        .or_page(&u)?;
    Ok(crate::api::billing::pdf(
        billing::notices_file(&st.core, &b).or_page(&u)?,
        &format!("notices-{}.pdf", b.as_of),
    ))
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
                Money(*fen.borrow()).grouped()
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
    ReportsPage,
    SwitchPage
);

#[derive(Deserialize, Default)]
#[serde(default)]
struct CommunityQuery {
    community: Option<i64>,
    unit: Option<String>,
    period: Option<String>,
}

/// The communities the user reaches, and the one picked: the one asked for, else the one he
/// last chose, else the first.
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
    let id = super::forms::chosen_community(&list, want, u.community)
        .ok_or(CoreError::NotFound("community"))?;
    Ok((list, CommunityId(id)))
}

/// The community's time zone, for the times a page shows (the default zone if it cannot be
/// read, which `pick` has just made unlikely).
async fn zone(st: &AppState, u: &ConsoleUser, c: CommunityId) -> chrono_tz::Tz {
    registry::get_community(&st.core, &u.ctx, c)
        .await
        .map(|x| super::forms::tz_of(&x))
        .unwrap_or_else(|_| super::forms::default_zone())
}

fn status_of(e: &CoreError, l: crate::locale::Locale) -> axum::http::StatusCode {
    describe(e, l).0
}
