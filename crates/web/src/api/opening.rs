//! Opening arrears (期初欠费) over the API: the community's template and the import of a
//! workbook (all rows or none, a per-row error report, `?preview=true` to check without
//! writing). The rules are `wuye_core::billing::opening`'s; this file parses and answers.

use axum::Json;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::billing::opening::{self, OpeningReport};
use wuye_core::shared::ids::CommunityId;

use super::import::{PreviewQuery, RowErrorBody, read_limited, row_error_bodies, xlsx};
use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(template))
        .routes(routes!(import_opening))
}

/// The template for the community's opening arrears: the data sheet (收费项目 as a drop-down of
/// the community's fee items) and a 说明 sheet. Needs `billing.manage` in the community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/import/opening-arrears/template.xlsx", tag = "billing", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the template"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn template(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let bytes = opening::opening_template_xlsx(&s.core, &a.ctx, CommunityId(id)).await?;
    Ok(xlsx(bytes, "opening-arrears-template.xlsx"))
}

#[derive(Serialize, ToSchema)]
pub struct OpeningRejected {
    /// `import_rows_invalid`
    pub code: String,
    pub message: String,
    /// Every bad cell: row, column, field, code; each with its message.
    pub errors: Vec<RowErrorBody>,
    pub report: OpeningReport,
}

super::import::refused_schema!(
    /// What the opening-arrears import answers with 422.
    OpeningRefused,
    OpeningRejected
);

/// Imports the community's opening arrears from the .xlsx sent as the body: every row becomes
/// a charge of kind `opening` (what is still owed, due on its original date) and, with 已计滞纳金,
/// an opening late-fee charge — all rows or none. Row errors answer 422 with every bad cell.
/// The same file again answers its first result with `replayed: true` and creates nothing; a
/// line (unit, fee item, period) imported by an earlier file is a row error `already_imported`.
/// Needs `billing.manage` in the community.
#[utoipa::path(post, path = "/api/v1/communities/{id}/import/opening-arrears", tag = "billing", security(("bearer" = [])),
    params(("id" = i64, Path), PreviewQuery),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = OpeningReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = OpeningRefused)))]
async fn import_opening(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PreviewQuery>,
    req: Request,
) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), s.cfg.max_upload_bytes).await?;
    let report = opening::import_opening_xlsx(
        &s.core,
        &a.ctx,
        CommunityId(id),
        &bytes,
        q.preview,
        &|_, _| {},
    )
    .await?;
    if report.errors.is_empty() {
        return Ok(Json(report).into_response());
    }
    let body = OpeningRejected {
        code: "import_rows_invalid".into(),
        message: a.locale.tf(
            "err.import_rows_invalid",
            &[("count", report.errors.len().to_string())],
        ),
        errors: row_error_bodies(a.locale, &report.errors),
        report,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}
