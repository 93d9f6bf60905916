//! Staff KPIs over the API (绩效): a month's figures per person and team with each person's score
//! by his role's card; the cards (考评表) read and saved; the .xlsx.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::kpis::{self, *};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(month))
        .routes(routes!(month_xlsx))
        .routes(routes!(cards))
        .routes(routes!(save_card))
}

/// A month's KPIs of the staff of the communities the caller reaches, or of one (`tickets.manage`).
#[utoipa::path(get, path = "/api/v1/kpis", tag = "kpis", security(("bearer" = [])), params(KpiQuery),
    responses((status = 200, body = MonthKpis), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn month(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<Json<MonthKpis>> {
    Ok(Json(kpis::month_kpis(&s.core, &a.ctx, &q).await?))
}

/// The month's KPIs as .xlsx: a sheet of people, a sheet of teams.
#[utoipa::path(get, path = "/api/v1/kpis.xlsx", tag = "kpis", security(("bearer" = [])), params(KpiQuery),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn month_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<KpiQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = kpis::month_kpis_xlsx(&s.core, &a.ctx, &q).await?;
    Ok(super::import::xlsx(bytes, &name))
}

/// Every staff role's scorecard: the company's own, or the built-in one.
#[utoipa::path(get, path = "/api/v1/kpi-scorecards", tag = "kpis", security(("bearer" = [])),
    responses((status = 200, body = Vec<Scorecard>), (status = 403, body = ErrorBody)))]
async fn cards(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Scorecard>>> {
    Ok(Json(kpis::scorecards(&s.core, &a.ctx).await?))
}

/// Saves a role's scorecard: 1–10 indicators of the library, each once, weights summing to 100,
/// targets in the indicator's unit (`users.manage`).
#[utoipa::path(put, path = "/api/v1/kpi-scorecards/{role}", tag = "kpis", security(("bearer" = [])),
    params(("role" = String, Path)), request_body = ScorecardInput,
    responses((status = 200, body = Scorecard), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_card(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(role): ApiPath<String>,
    ApiJson(input): ApiJson<ScorecardInput>,
) -> ApiResult<Json<Scorecard>> {
    Ok(Json(
        kpis::save_scorecard(&s.core, &a.ctx, &role, input).await?,
    ))
}
