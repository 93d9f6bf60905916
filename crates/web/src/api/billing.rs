//! Billing over the API: fee items and standards, the published schedule, unit accounts, bill
//! runs, the ledger (owed, statement, charges, reversals), payments with receipts, refunds and
//! the cashier's daily close.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::billing::{self, *};
use wuye_core::shared::ids::*;

use super::InLocale;
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_settings, put_settings))
        .routes(routes!(list_fee_items))
        .routes(routes!(save_fee_item))
        .routes(routes!(list_standards))
        .routes(routes!(create_standard))
        .routes(routes!(update_standard))
        .routes(routes!(fee_schedule))
        .routes(routes!(get_account, put_account))
        .routes(routes!(preview_run))
        .routes(routes!(post_run))
        .routes(routes!(list_runs))
        .routes(routes!(post_pending))
        .routes(routes!(owed))
        .routes(routes!(statement))
        .routes(routes!(create_charge))
        .routes(routes!(reverse_charge))
        .routes(routes!(list_payments, pay))
        .routes(routes!(receipt))
        .routes(routes!(reverse_payment))
        .routes(routes!(refund))
        .routes(routes!(list_days, close_day))
        .routes(routes!(confirm_day))
        .routes(routes!(accrue_late_fees))
        .routes(routes!(waive_late_fee))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Accrued {
    /// Charges whose late fee was accrued.
    pub charges: u64,
}

/// Accrues the community's late fees as of today now (the daily job does it too).
#[utoipa::path(post, path = "/api/v1/communities/{id}/late-fees/accrue", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Accrued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn accrue_late_fees(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Accrued>> {
    Ok(Json(Accrued {
        charges: billing::accrue_now(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    }))
}

/// Waives a charge's late fee with a reason (audit-logged); it stops accruing.
#[utoipa::path(post, path = "/api/v1/charges/{id}/waive-late-fee", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 200, body = LateFeeLine), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn waive_late_fee(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Reason>,
) -> ApiResult<Json<LateFeeLine>> {
    Ok(Json(
        billing::waive_late_fee(&s.core, &a.ctx, id, b)
            .await
            .loc(a.locale)?,
    ))
}

/// A community's billing settings (prepaid on or off).
#[utoipa::path(get, path = "/api/v1/communities/{id}/billing-settings", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = BillingSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_settings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<BillingSettings>> {
    Ok(Json(
        billing::settings(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// Changes a community's billing settings (needs `billing.manage`).
#[utoipa::path(put, path = "/api/v1/communities/{id}/billing-settings", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = BillingSettings,
    responses((status = 200, body = BillingSettings), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn put_settings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BillingSettings>,
) -> ApiResult<Json<BillingSettings>> {
    Ok(Json(
        billing::save_settings(&s.core, &a.ctx, CommunityId(id), b)
            .await
            .loc(a.locale)?,
    ))
}

/// The fee items (收费项目) of a community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/fee-items", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<FeeItem>), (status = 404, body = ErrorBody)))]
async fn list_fee_items(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<FeeItem>>> {
    Ok(Json(
        billing::list_fee_items(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// Creates or updates a fee item by its code, with its late-fee rule (needs `billing.manage`).
#[utoipa::path(put, path = "/api/v1/fee-items", tag = "billing", security(("bearer" = [])), request_body = FeeItemForSave,
    responses((status = 200, body = FeeItem), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_fee_item(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<FeeItemForSave>,
) -> ApiResult<Json<FeeItem>> {
    Ok(Json(
        billing::save_fee_item(&s.core, &a.ctx, b)
            .await
            .loc(a.locale)?,
    ))
}

/// The charge standards (收费标准) of a community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/charge-standards", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Standard>), (status = 404, body = ErrorBody)))]
async fn list_standards(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Standard>>> {
    Ok(Json(
        billing::list_standards(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// Creates a charge standard (needs `billing.manage`).
#[utoipa::path(post, path = "/api/v1/charge-standards", tag = "billing", security(("bearer" = [])), request_body = StandardForSave,
    responses((status = 201, body = Standard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_standard(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<StandardForSave>,
) -> ApiResult<(StatusCode, Json<Standard>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            billing::save_standard(&s.core, &a.ctx, None, b)
                .await
                .loc(a.locale)?,
        ),
    ))
}

/// Replaces a charge standard; charges already posted keep their amounts.
#[utoipa::path(put, path = "/api/v1/charge-standards/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = StandardForSave,
    responses((status = 200, body = Standard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_standard(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StandardForSave>,
) -> ApiResult<Json<Standard>> {
    Ok(Json(
        billing::save_standard(&s.core, &a.ctx, Some(id), b)
            .await
            .loc(a.locale)?,
    ))
}

/// The published fee schedule (明码标价): readable by everyone who reaches the community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/fee-schedule", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ScheduleLine>), (status = 404, body = ErrorBody)))]
async fn fee_schedule(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ScheduleLine>>> {
    Ok(Json(
        billing::schedule(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// A unit's billing account: prepaid balance and billing dates.
#[utoipa::path(get, path = "/api/v1/units/{id}/billing-account", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Account), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_account(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Account>> {
    Ok(Json(
        billing::account(&s.core, &a.ctx, UnitId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// Sets the days a unit is charged for (交房/入伙 to 迁出); bill runs prorate by them.
#[utoipa::path(put, path = "/api/v1/units/{id}/billing-account", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = AccountForUpdate,
    responses((status = 200, body = Account), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_account(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AccountForUpdate>,
) -> ApiResult<Json<Account>> {
    Ok(Json(
        billing::update_account(&s.core, &a.ctx, UnitId(id), b)
            .await
            .loc(a.locale)?,
    ))
}

/// What a bill run would post for a period (totals by fee item, counts), writing nothing.
#[utoipa::path(post, path = "/api/v1/bill-runs/preview", tag = "billing", security(("bearer" = [])), request_body = BillRunForCreate,
    responses((status = 200, body = RunPreview), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn preview_run(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<BillRunForCreate>,
) -> ApiResult<Json<RunPreview>> {
    Ok(Json(
        billing::preview(&s.core, &a.ctx, b).await.loc(a.locale)?,
    ))
}

/// Posts a period's bills for a community; a second run for the period is 409.
#[utoipa::path(post, path = "/api/v1/bill-runs", tag = "billing", security(("bearer" = [])), request_body = BillRunForCreate,
    responses((status = 201, body = BillRun), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn post_run(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<BillRunForCreate>,
) -> ApiResult<(StatusCode, Json<BillRun>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::post(&s.core, &a.ctx, b).await.loc(a.locale)?),
    ))
}

/// The bill runs of a community, newest period first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/bill-runs", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<BillRun>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_runs(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<BillRun>>> {
    Ok(Json(
        billing::list_runs(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    ))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Posted {
    pub posted: i64,
}

/// Posts the paid services requests handed over as charges of their units, each once.
#[utoipa::path(post, path = "/api/v1/communities/{id}/pending-charges/post", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Posted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn post_pending(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Posted>> {
    Ok(Json(Posted {
        posted: billing::post_pending(&s.core, &a.ctx, CommunityId(id))
            .await
            .loc(a.locale)?,
    }))
}

/// What a unit owes, oldest first, and its prepaid balance (the cashier's view).
#[utoipa::path(get, path = "/api/v1/units/{id}/owed", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Owed), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn owed(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Owed>> {
    Ok(Json(
        billing::owed(&s.core, &a.ctx, UnitId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// A unit's statement (对账单): every charge and payment and the balance.
#[utoipa::path(get, path = "/api/v1/units/{id}/statement", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Statement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn statement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Statement>> {
    Ok(Json(
        billing::statement(&s.core, &a.ctx, UnitId(id))
            .await
            .loc(a.locale)?,
    ))
}

/// Posts a charge by hand (an adjustment or one-off fee; needs `billing.manage`).
#[utoipa::path(post, path = "/api/v1/charges", tag = "billing", security(("bearer" = [])), request_body = ChargeForCreate,
    responses((status = 201, body = Charge), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_charge(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ChargeForCreate>,
) -> ApiResult<(StatusCode, Json<Charge>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            billing::create_charge(&s.core, &a.ctx, b)
                .await
                .loc(a.locale)?,
        ),
    ))
}

/// Reverses a charge (红冲) with a reason; returns the counter-charge.
#[utoipa::path(post, path = "/api/v1/charges/{id}/reverse", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 201, body = Charge), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reverse_charge(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Reason>,
) -> ApiResult<(StatusCode, Json<Charge>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            billing::reverse_charge(&s.core, &a.ctx, id, b)
                .await
                .loc(a.locale)?,
        ),
    ))
}

/// Payments of a business day (default today), by receipt number.
#[utoipa::path(get, path = "/api/v1/payments", tag = "billing", security(("bearer" = [])), params(PaymentFilter),
    responses((status = 200, body = Vec<Payment>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_payments(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<PaymentFilter>,
) -> ApiResult<Json<Vec<Payment>>> {
    Ok(Json(
        billing::list_payments(&s.core, &a.ctx, f)
            .await
            .loc(a.locale)?,
    ))
}

/// Takes a payment: settles the oldest charges first (or `charge_ids`), the excess goes to the
/// prepaid balance. The same `idempotency_key` sent again answers the first payment with 200.
#[utoipa::path(post, path = "/api/v1/payments", tag = "billing", security(("bearer" = [])), request_body = PaymentForCreate,
    responses((status = 201, body = PaymentDone), (status = 200, body = PaymentDone), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pay(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<PaymentForCreate>,
) -> ApiResult<(StatusCode, Json<PaymentDone>)> {
    let done = billing::pay(&s.core, &a.ctx, b).await.loc(a.locale)?;
    let st = if done.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((st, Json(done)))
}

/// A payment's receipt: lines, amount in figures and in capitals (大写), cashier, time.
#[utoipa::path(get, path = "/api/v1/payments/{id}/receipt", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Receipt), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn receipt(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Receipt>> {
    Ok(Json(
        billing::receipt(&s.core, &a.ctx, id).await.loc(a.locale)?,
    ))
}

/// Reverses a payment (红冲): a counter-entry with its own receipt number.
#[utoipa::path(post, path = "/api/v1/payments/{id}/reverse", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Reason,
    responses((status = 201, body = PaymentDone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reverse_payment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Reason>,
) -> ApiResult<(StatusCode, Json<PaymentDone>)> {
    Ok((
        StatusCode::CREATED,
        Json(
            billing::reverse_payment(&s.core, &a.ctx, id, b)
                .await
                .loc(a.locale)?,
        ),
    ))
}

/// Pays back part of a unit's prepaid balance (退款).
#[utoipa::path(post, path = "/api/v1/refunds", tag = "billing", security(("bearer" = [])), request_body = RefundForCreate,
    responses((status = 201, body = Payment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refund(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<RefundForCreate>,
) -> ApiResult<(StatusCode, Json<Payment>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::refund(&s.core, &a.ctx, b).await.loc(a.locale)?),
    ))
}

/// The cashiers' days (日结): totals by method, cash to hand over, closed / confirmed, and the
/// days left open (`overdue`).
#[utoipa::path(get, path = "/api/v1/daily-closes", tag = "billing", security(("bearer" = [])), params(DayFilter),
    responses((status = 200, body = Vec<CashierDay>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_days(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<DayFilter>,
) -> ApiResult<Json<Vec<CashierDay>>> {
    Ok(Json(
        billing::list_days(&s.core, &a.ctx, f).await.loc(a.locale)?,
    ))
}

/// Closes the caller's business day: no more payments on it.
#[utoipa::path(post, path = "/api/v1/daily-closes", tag = "billing", security(("bearer" = [])), request_body = DayClose,
    responses((status = 200, body = CashierDay), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DayClose>,
) -> ApiResult<Json<CashierDay>> {
    Ok(Json(
        billing::close_day(&s.core, &a.ctx, b).await.loc(a.locale)?,
    ))
}

/// The manager confirms a closed day's hand-over.
#[utoipa::path(post, path = "/api/v1/daily-closes/confirm", tag = "billing", security(("bearer" = [])), request_body = DayConfirm,
    responses((status = 200, body = CashierDay), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn confirm_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DayConfirm>,
) -> ApiResult<Json<CashierDay>> {
    Ok(Json(
        billing::confirm_day(&s.core, &a.ctx, b)
            .await
            .loc(a.locale)?,
    ))
}
