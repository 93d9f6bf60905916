//! The switch report over the API (期初数据核对表): the opening imports beside the ledger, per fee
//! item, as JSON and as .xlsx, and the manager's sign-off.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::billing::{self, SignOff, SignOffForCreate, SwitchReconciliation};
use wuye_core::shared::ids::CommunityId;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(report))
        .routes(routes!(report_xlsx))
        .routes(routes!(sign_off))
}

/// The switch report: per fee item, the files' lines and sums beside the ledger's opening
/// charges; the opening arrears still open by age; units, owners; the sign-offs so far.
#[utoipa::path(get, path = "/api/v1/communities/{id}/switch-report", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = SwitchReconciliation), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<SwitchReconciliation>> {
    Ok(Json(
        billing::switch_report(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// The switch report as .xlsx, for the signed paper copy.
#[utoipa::path(get, path = "/api/v1/communities/{id}/switch-report.xlsx", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn report_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = billing::switch_report_xlsx(&s.core, &a.ctx, CommunityId(id)).await?;
    Ok(super::import::xlsx(bytes, &name))
}

/// The manager signs the report off (`billing.manage`); the totals seen are kept with it.
#[utoipa::path(post, path = "/api/v1/communities/{id}/switch-report/sign-off", tag = "billing", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SignOffForCreate,
    responses((status = 201, body = SignOff), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign_off(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(body): ApiJson<SignOffForCreate>,
) -> ApiResult<(StatusCode, Json<SignOff>)> {
    Ok((
        StatusCode::CREATED,
        Json(billing::sign_off_switch(&s.core, &a.ctx, CommunityId(id), body).await?),
    ))
}
