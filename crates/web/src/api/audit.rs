//! The audit log over the API.

use axum::Json;
use axum::extract::State;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::audit::{self, AuditFilter, AuditRecord};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list))
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
