//! The company dashboard over the API (经营看板): every community the manager reaches, or one,
//! over a window of months; and the same as .xlsx.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::dashboard::{self, *};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(get_dashboard))
        .routes(routes!(dashboard_xlsx))
}

/// Open requests by where their clocks stand now; the window's on-time, satisfaction,
/// collection, patrol and maintenance rates month by month; arrears by age; maintenance overdue;
/// open rectifications; the latest audit grades; and each community's row (`tickets.manage`).
#[utoipa::path(get, path = "/api/v1/dashboard", tag = "dashboard", security(("bearer" = [])),
    params(CompanyDashboardQuery),
    responses((status = 200, body = CompanyDashboard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn get_dashboard(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<CompanyDashboardQuery>,
) -> ApiResult<Json<CompanyDashboard>> {
    Ok(Json(
        dashboard::company_dashboard(&s.core, &a.ctx, &q).await?,
    ))
}

/// The dashboard as .xlsx: a sheet of communities, a sheet of months.
#[utoipa::path(get, path = "/api/v1/dashboard.xlsx", tag = "dashboard", security(("bearer" = [])),
    params(CompanyDashboardQuery),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn dashboard_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<CompanyDashboardQuery>,
) -> ApiResult<axum::response::Response> {
    let (name, bytes) = dashboard::company_dashboard_xlsx(&s.core, &a.ctx, &q).await?;
    Ok(super::import::xlsx(bytes, &name))
}
