//! Billing over the API: fee items and standards, the published schedule, unit accounts, bill
//! runs, the ledger (owed, statement, charges, reversals), payments with receipts, refunds and
//! the cashier's daily close.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::billing::{self, *};
use wuye_core::shared::ids::*;

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
        .routes(routes!(ageing))
        .routes(routes!(arrears_units))
        .routes(routes!(issue_notices))
        .routes(routes!(record_reminder))
        .routes(routes!(unit_reminders))
        .routes(routes!(collection_rate))
        .routes(routes!(collection_rate_trend))
        .routes(routes!(collection_report))
        .routes(routes!(create_expense))
        .routes(routes!(publication))
        .routes(routes!(fund_statement))
        .routes(routes!(export_xlsx))
        .routes(routes!(create_meter))
        .routes(routes!(list_meters))
        .routes(routes!(save_readings))
        .routes(routes!(confirm_reading))
        .routes(routes!(import_readings))
        .routes(routes!(receipt_pdf))
        .routes(routes!(notices_pdf))
}

/// A PDF file download.
pub fn pdf(bytes: Vec<u8>, filename: &str) -> axum::response::Response {
    use axum::http::header;
    use axum::response::IntoResponse;
    (
        [
            (header::CONTENT_TYPE, "application/pdf".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename=\"{filename}\""),
            ),
        ],
        bytes,
    )
        .into_response()
}

/// A payment's receipt as a PDF file with Chinese text.
#[utoipa::path(get, path = "/api/v1/payments/{id}/receipt.pdf", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the receipt", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn receipt_pdf(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let r = billing::receipt(&s.core, &a.ctx, id).await?;
    let (name, bytes) = billing::receipt_file(&s.core, &r)?;
    Ok(pdf(bytes, &name))
}

/// Issues reminder notices like `reminder-notices` and answers them as one PDF, a page each.
#[utoipa::path(post, path = "/api/v1/communities/{id}/reminder-notices.pdf", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ArrearsFilter,
    responses((status = 200, description = "the notices", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn notices_pdf(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<ArrearsFilter>,
) -> ApiResult<axum::response::Response> {
    let b = billing::issue_notices(&s.core, &a.ctx, CommunityId(id), f).await?;
    Ok(pdf(
        billing::notices_file(&s.core, &b)?,
        &format!("notices-{}.pdf", b.as_of),
    ))
}

/// Installs a meter on a unit, priced by a standard of method `meter`.
#[utoipa::path(post, path = "/api/v1/meters", tag = "billing", security(("bearer" = [])), request_body = MeterForCreate,
    responses((status = 201, body = Meter), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_meter(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<MeterForCreate>,
) -> ApiResult<(StatusCode, Json<Meter>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::create_meter(&s.core, &a.ctx, b).await?),
    ))
}

/// The meters of a community, building by building, with their last readings.
#[utoipa::path(get, path = "/api/v1/communities/{id}/meters", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), MeterFilter),
    responses((status = 200, body = Vec<Meter>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_meters(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<MeterFilter>,
) -> ApiResult<Json<Vec<Meter>>> {
    Ok(Json(
        billing::list_meters(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}

/// Saves a period's readings (all or none); normal ones post their usage charge, flagged ones
/// (below the last reading, or a jump) wait for a manager's confirmation.
#[utoipa::path(post, path = "/api/v1/meter-readings", tag = "billing", security(("bearer" = [])), request_body = ReadingsForSave,
    responses((status = 200, body = Vec<Reading>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_readings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ReadingsForSave>,
) -> ApiResult<Json<Vec<Reading>>> {
    Ok(Json(billing::save_readings(&s.core, &a.ctx, b).await?))
}

/// Confirms a flagged reading: its usage is charged.
#[utoipa::path(post, path = "/api/v1/meter-readings/{id}/confirm", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Reading), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn confirm_reading(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Reading>> {
    Ok(Json(billing::confirm_reading(&s.core, &a.ctx, id).await?))
}

/// Imports a period's readings from .xlsx (columns 房屋, 表类型, 本期读数; one header row).
#[utoipa::path(post, path = "/api/v1/communities/{id}/meter-readings/import", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), PeriodQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = Vec<Reading>), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_readings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
    body: axum::body::Bytes,
) -> ApiResult<Json<Vec<Reading>>> {
    let c = CommunityId(id);
    let readings = billing::readings_from_xlsx(&s.core, &a.ctx, c, &body).await?;
    Ok(Json(
        billing::save_readings(
            &s.core,
            &a.ctx,
            ReadingsForSave {
                community_id: c,
                period: q.period,
                readings,
            },
        )
        .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AsOfQuery {
    /// Default: today.
    pub as_of: Option<chrono::NaiveDate>,
}

/// Arrears ageing by building (0–30, 31–90, 91–180, over 180 days).
#[utoipa::path(get, path = "/api/v1/communities/{id}/arrears/ageing", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = Ageing), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn ageing(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<Ageing>> {
    Ok(Json(
        billing::ageing(&s.core, &a.ctx, CommunityId(id), q.as_of).await?,
    ))
}

/// The units in arrears, most owed first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/arrears/units", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ArrearsFilter),
    responses((status = 200, body = Vec<ArrearsUnit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn arrears_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<ArrearsFilter>,
) -> ApiResult<Json<Vec<ArrearsUnit>>> {
    Ok(Json(
        billing::arrears_units(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}

/// Issues reminder notices (催缴通知单) to the units in arrears matching the filter, each
/// recorded in the reminder log; returns them for printing.
#[utoipa::path(post, path = "/api/v1/communities/{id}/reminder-notices", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ArrearsFilter,
    responses((status = 200, body = NoticeBatch), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn issue_notices(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(f): ApiJson<ArrearsFilter>,
) -> ApiResult<Json<NoticeBatch>> {
    Ok(Json(
        billing::issue_notices(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Records a reminder in the log (费用催缴记录: method, result, next step).
#[utoipa::path(post, path = "/api/v1/reminders", tag = "billing", security(("bearer" = [])), request_body = ReminderForCreate,
    responses((status = 201, body = Reminder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_reminder(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ReminderForCreate>,
) -> ApiResult<(StatusCode, Json<Reminder>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::record_reminder(&s.core, &a.ctx, b).await?),
    ))
}

/// A unit's reminder log, newest first.
#[utoipa::path(get, path = "/api/v1/units/{id}/reminders", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Reminder>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unit_reminders(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Reminder>>> {
    Ok(Json(
        billing::unit_reminders(&s.core, &a.ctx, UnitId(id)).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PeriodQuery {
    /// "2026-07".
    pub period: String,
}

/// The collection rate (收缴率) of a period: collected of what it billed, by item and building.
#[utoipa::path(get, path = "/api/v1/communities/{id}/collection-rate", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), PeriodQuery),
    responses((status = 200, body = CollectionRate), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn collection_rate(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PeriodQuery>,
) -> ApiResult<Json<CollectionRate>> {
    Ok(Json(
        billing::collection_rate(&s.core, &a.ctx, CommunityId(id), &q.period).await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TrendQuery {
    /// The last period, "2026-12".
    pub period: String,
    /// How many periods up to it, 1–12 (default 6).
    pub months: Option<u32>,
}

/// The collection rate of the periods up to `period`, oldest first: what each billed and how
/// much of it is collected so far.
#[utoipa::path(get, path = "/api/v1/communities/{id}/collection-rate/trend", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), TrendQuery),
    responses((status = 200, body = Vec<RateMonth>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn collection_rate_trend(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<TrendQuery>,
) -> ApiResult<Json<Vec<RateMonth>>> {
    Ok(Json(
        billing::collection_rate_trend(
            &s.core,
            &a.ctx,
            CommunityId(id),
            &q.period,
            q.months.unwrap_or(6),
        )
        .await?,
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SpanQuery {
    pub from: chrono::NaiveDate,
    pub to: chrono::NaiveDate,
}

/// The collection report of a span of days (daily or monthly report): payments by day and
/// method, income by fee item.
#[utoipa::path(get, path = "/api/v1/communities/{id}/reports/collection", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), SpanQuery),
    responses((status = 200, body = CollectionReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn collection_report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> ApiResult<Json<CollectionReport>> {
    Ok(Json(
        billing::collection_report(&s.core, &a.ctx, CommunityId(id), q.from, q.to).await?,
    ))
}

/// Enters an expense for the quarterly publication, or spent from the common fund.
#[utoipa::path(post, path = "/api/v1/expenses", tag = "billing", security(("bearer" = [])), request_body = ExpenseForCreate,
    responses((status = 201, body = Expense), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_expense(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ExpenseForCreate>,
) -> ApiResult<(StatusCode, Json<Expense>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::create_expense(&s.core, &a.ctx, b).await?),
    ))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// "2026-Q3".
    pub quarter: String,
}

/// The quarterly publication of income and expenses (每季度公布收支), readable by owners.
#[utoipa::path(get, path = "/api/v1/communities/{id}/reports/publication", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), QuarterQuery),
    responses((status = 200, body = Publication), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publication(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<Json<Publication>> {
    Ok(Json(
        billing::publication(&s.core, &a.ctx, CommunityId(id), &q.quarter).await?,
    ))
}

/// The common maintenance fund's account statement (共有资金).
#[utoipa::path(get, path = "/api/v1/communities/{id}/reports/fund", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), SpanQuery),
    responses((status = 200, body = FundStatement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn fund_statement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<SpanQuery>,
) -> ApiResult<Json<FundStatement>> {
    Ok(Json(
        billing::fund_statement(&s.core, &a.ctx, CommunityId(id), q.from, q.to).await?,
    ))
}

/// Any billing report as .xlsx: `report` = collection (from, to), publication (quarter), fund
/// (from, to), ageing (as_of), arrears (as_of), rate (period).
#[utoipa::path(get, path = "/api/v1/communities/{id}/billing-reports.xlsx", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), ReportQuery),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ReportQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = billing::export_xlsx(&s.core, &a.ctx, CommunityId(id), &q).await?;
    Ok(super::import::xlsx(bytes, &name))
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct Accrued {
    /// Charges whose late fee was accrued.
    pub charges: u64,
}

/// Accrues the community's late fees as of `as_of` (default today; the daily job does it too),
/// a manager catching up after downtime. Days already accrued are left alone: the same date
/// run twice changes nothing. `as_of` later than today: 422 `date_in_future`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/late-fees/accrue", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), AsOfQuery),
    responses((status = 200, body = Accrued), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accrue_late_fees(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AsOfQuery>,
) -> ApiResult<Json<Accrued>> {
    Ok(Json(Accrued {
        charges: billing::accrue_as_of(&s.core, &a.ctx, CommunityId(id), q.as_of).await?,
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
    Ok(Json(billing::waive_late_fee(&s.core, &a.ctx, id, b).await?))
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
        billing::settings(&s.core, &a.ctx, CommunityId(id)).await?,
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
        billing::save_settings(&s.core, &a.ctx, CommunityId(id), b).await?,
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
        billing::list_fee_items(&s.core, &a.ctx, CommunityId(id)).await?,
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
    Ok(Json(billing::save_fee_item(&s.core, &a.ctx, b).await?))
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
        billing::list_standards(&s.core, &a.ctx, CommunityId(id)).await?,
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
        Json(billing::save_standard(&s.core, &a.ctx, None, b).await?),
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
        billing::save_standard(&s.core, &a.ctx, Some(id), b).await?,
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
        billing::schedule(&s.core, &a.ctx, CommunityId(id)).await?,
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
    Ok(Json(billing::account(&s.core, &a.ctx, UnitId(id)).await?))
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
        billing::update_account(&s.core, &a.ctx, UnitId(id), b).await?,
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
    Ok(Json(billing::preview(&s.core, &a.ctx, b).await?))
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
        Json(billing::post(&s.core, &a.ctx, b).await?),
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
        billing::list_runs(&s.core, &a.ctx, CommunityId(id)).await?,
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
        posted: billing::post_pending(&s.core, &a.ctx, CommunityId(id)).await?,
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
    Ok(Json(billing::owed(&s.core, &a.ctx, UnitId(id)).await?))
}

/// A unit's statement (对账单): every charge and payment and the balance.
#[utoipa::path(get, path = "/api/v1/units/{id}/statement", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Statement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn statement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Statement>> {
    Ok(Json(billing::statement(&s.core, &a.ctx, UnitId(id)).await?))
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
        Json(billing::create_charge(&s.core, &a.ctx, b).await?),
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
        Json(billing::reverse_charge(&s.core, &a.ctx, id, b).await?),
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
    Ok(Json(billing::list_payments(&s.core, &a.ctx, f).await?))
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
    let done = billing::pay(&s.core, &a.ctx, b).await?;
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
    Ok(Json(billing::receipt(&s.core, &a.ctx, id).await?))
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
        Json(billing::reverse_payment(&s.core, &a.ctx, id, b).await?),
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
        Json(billing::refund(&s.core, &a.ctx, b).await?),
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
    Ok(Json(billing::list_days(&s.core, &a.ctx, f).await?))
}

/// Closes the caller's business day: no more payments on it.
#[utoipa::path(post, path = "/api/v1/daily-closes", tag = "billing", security(("bearer" = [])), request_body = DayClose,
    responses((status = 200, body = CashierDay), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DayClose>,
) -> ApiResult<Json<CashierDay>> {
    Ok(Json(billing::close_day(&s.core, &a.ctx, b).await?))
}

/// The manager confirms a closed day's hand-over.
#[utoipa::path(post, path = "/api/v1/daily-closes/confirm", tag = "billing", security(("bearer" = [])), request_body = DayConfirm,
    responses((status = 200, body = CashierDay), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn confirm_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DayConfirm>,
) -> ApiResult<Json<CashierDay>> {
    Ok(Json(billing::confirm_day(&s.core, &a.ctx, b).await?))
}
