//! Switching to wuye over the API: the templates and imports of opening prepaid balances,
//! deposits held and meter baselines (each all rows or none, `?preview=true` to check without
//! writing), and the deposit register (record one at the desk, list, refund once).

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::billing::switch::{self, *};
use wuye_core::shared::ids::{CommunityId, UnitId};

use super::import::{PreviewQuery, RowErrorBody, read_limited, row_error_bodies, xlsx};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};
use crate::locale::Locale;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(opening_prepaid_template))
        .routes(routes!(deposits_template))
        .routes(routes!(meter_baselines_template))
        .routes(routes!(import_opening_prepaid))
        .routes(routes!(import_deposits))
        .routes(routes!(import_meter_baselines))
        .routes(routes!(create_deposit))
        .routes(routes!(get_deposit))
        .routes(routes!(refund_deposit))
        .routes(routes!(unit_deposits))
        .routes(routes!(list_deposits))
}

/// What a switching import answers with 422 when a row is wrong: every bad cell, and the
/// report (nothing was written).
#[derive(Serialize, ToSchema)]
pub struct SwitchRejected {
    /// `import_rows_invalid`
    pub code: String,
    pub message: String,
    pub errors: Vec<RowErrorBody>,
    pub report: SwitchReport,
}

super::import::refused_schema!(
    /// 422 of a switching import (`missing_columns`, `prepaid_disabled` among the refusals).
    SwitchRefused,
    SwitchRejected
);

/// The report as the answer: 200, or 422 naming every bad cell.
pub fn answer(l: Locale, report: SwitchReport) -> Response {
    if report.errors.is_empty() {
        return Json(report).into_response();
    }
    let errors = row_error_bodies(l, &report.errors);
    let body = SwitchRejected {
        code: "import_rows_invalid".into(),
        message: l.tf(
            "err.import_rows_invalid",
            &[("count", report.errors.len().to_string())],
        ),
        errors,
        report,
    };
    (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
}

/// The template for importing opening prepaid balances (期初预存).
#[utoipa::path(get, path = "/api/v1/import/opening-prepaid/template.xlsx", tag = "import", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the template")))]
async fn opening_prepaid_template(_caller: ApiCtx) -> ApiResult<Response> {
    Ok(xlsx(
        switch::opening_prepaid_template()?,
        "opening-prepaid-template.xlsx",
    ))
}

/// The template for importing deposits held (押金).
#[utoipa::path(get, path = "/api/v1/import/deposits/template.xlsx", tag = "import", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the template")))]
async fn deposits_template(_caller: ApiCtx) -> ApiResult<Response> {
    Ok(xlsx(switch::deposits_template()?, "deposits-template.xlsx"))
}

/// The template for importing meter baselines (抄表基数).
#[utoipa::path(get, path = "/api/v1/import/meter-baselines/template.xlsx", tag = "import", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the template")))]
async fn meter_baselines_template(_caller: ApiCtx) -> ApiResult<Response> {
    Ok(xlsx(
        switch::meter_baselines_template()?,
        "meter-baselines-template.xlsx",
    ))
}

/// Imports opening prepaid balances (期初预存) from the .xlsx sent as the body (columns 房号,
/// 金额, 备注): each credits the unit's prepaid balance (entry kind `opening`, not a payment, in
/// no daily close) and settles its open charges. One per unit: a unit that already got one is
/// a row error. All rows or none; `preview=true` writes nothing. `billing.manage`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/import/opening-prepaid", tag = "import", security(("bearer" = [])),
    params(("id" = i64, Path), PreviewQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = SwitchReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = SwitchRefused)))]
async fn import_opening_prepaid(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    req: Request,
) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), s.cfg.max_upload_bytes).await?;
    let report = switch::import_opening_prepaid(
        &s.core,
        &a.ctx,
        CommunityId(id),
        &bytes,
        q.preview,
        &|_, _| {},
    )
    .await?;
    Ok(answer(a.locale, report))
}

/// Imports deposits held (押金) from .xlsx (columns 房号, 押金类型, 金额, 收取日期, 交款人, 备注):
/// received before the switch, in no daily close. A row equal to a recorded deposit (unit, kind,
/// amount, date, payer) is a row error. All rows or none; `preview=true` writes nothing.
/// `billing.manage`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/import/deposits", tag = "import", security(("bearer" = [])),
    params(("id" = i64, Path), PreviewQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = SwitchReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = SwitchRefused)))]
async fn import_deposits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    req: Request,
) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), s.cfg.max_upload_bytes).await?;
    let report = switch::import_deposits(
        &s.core,
        &a.ctx,
        CommunityId(id),
        &bytes,
        q.preview,
        &|_, _| {},
    )
    .await?;
    Ok(answer(a.locale, report))
}

/// Imports meter baselines (抄表基数) from .xlsx (columns 房号 + 表类型, or 表编号; 读数;
/// 抄表日期): each sets the meter's last reading while it has no reading in wuye; a meter
/// already read, or none of that kind on the unit, is a row error. All rows or none;
/// `preview=true` writes nothing. `billing.manage`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/import/meter-baselines", tag = "import", security(("bearer" = [])),
    params(("id" = i64, Path), PreviewQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = SwitchReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = SwitchRefused)))]
async fn import_meter_baselines(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    req: Request,
) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), s.cfg.max_upload_bytes).await?;
    let report = switch::import_meter_baselines(
        &s.core,
        &a.ctx,
        CommunityId(id),
        &bytes,
        q.preview,
        &|_, _| {},
    )
    .await?;
    Ok(answer(a.locale, report))
}

/// Records a deposit at the desk (`billing.collect`). With `method` the money is taken now and
/// counted in today's daily close; without, it records a deposit already held.
#[utoipa::path(post, path = "/api/v1/deposits", tag = "billing", security(("bearer" = [])), request_body = DepositForCreate,
    responses((status = 201, body = Deposit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_deposit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<DepositForCreate>,
) -> ApiResult<(StatusCode, Json<Deposit>)> {
    Ok((
        StatusCode::CREATED,
        Json(switch::create_deposit(&s.core, &a.ctx, b).await?),
    ))
}

/// One deposit.
#[utoipa::path(get, path = "/api/v1/deposits/{id}", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Deposit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_deposit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Deposit>> {
    Ok(Json(switch::get_deposit(&s.core, &a.ctx, id).await?))
}

/// Refunds a held deposit in full (`billing.manage`), once: 409 `deposit_already_refunded`
/// after that. The money is out of today's daily close of the user who refunds it.
#[utoipa::path(post, path = "/api/v1/deposits/{id}/refund", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)), request_body = DepositRefund,
    responses((status = 200, body = Deposit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refund_deposit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DepositRefund>,
) -> ApiResult<Json<Deposit>> {
    Ok(Json(switch::refund_deposit(&s.core, &a.ctx, id, b).await?))
}

/// A unit's deposits, newest first.
#[utoipa::path(get, path = "/api/v1/units/{id}/deposits", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Deposit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn unit_deposits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Deposit>>> {
    Ok(Json(
        switch::unit_deposits(&s.core, &a.ctx, UnitId(id)).await?,
    ))
}

/// A community's deposits building by building, with the count and total still held.
#[utoipa::path(get, path = "/api/v1/communities/{id}/deposits", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path), DepositFilter),
    responses((status = 200, body = DepositList), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_deposits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<DepositFilter>,
) -> ApiResult<Json<DepositList>> {
    Ok(Json(
        switch::list_deposits(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}
