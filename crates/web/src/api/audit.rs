//! The audit log over the API.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::audit::{self, AuditFilter, AuditRecord};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(list_xlsx))
}

/// Audit entries, newest first (needs `audit.read`; limited to the caller's communities).
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit", security(("bearer" = [])), params(AuditFilter),
    responses((status = 200, body = Vec<AuditRecord>), (status = 403, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<Json<Vec<AuditRecord>>> {
    Ok(Json(audit::list(&s.core.db, &a.ctx, &f).await?))
}

/// Every entry the list would page through under the same filters (from `before_id`; `limit`
/// is not a cap), as .xlsx, streamed.
#[utoipa::path(get, path = "/api/v1/audit.xlsx", tag = "audit", security(("bearer" = [])), params(AuditFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<AuditFilter>,
) -> ApiResult<axum::response::Response> {
    let file = audit::list_xlsx(&s.core.db, &a.ctx, &f).await?;
    Ok(super::import::xlsx_file(file, "audit.xlsx"))
}
