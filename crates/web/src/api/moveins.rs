//! Move-ins over the API (入伙): open a hand-over for an owner of a unit, tick the 入伙流转表's
//! checks, record the accompanied inspection's defects as warranty items and follow them on the
//! 保修要求处理表, complete it once (keys handed over, the unit's state set, billing started on the
//! hand-over day), cancel it, print the 入伙通知书, and the owner's satisfaction survey.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::movein::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, open))
        .routes(routes!(get_one))
        .routes(routes!(checks))
        .routes(routes!(defect))
        .routes(routes!(complete))
        .routes(routes!(cancel))
        .routes(routes!(rate))
        .routes(routes!(notice))
        .routes(routes!(warranty))
        .routes(routes!(step))
        .routes(routes!(mine))
        .routes(routes!(rate_mine))
}

type One = ApiResult<Json<MoveIn>>;

/// The community's move-ins, open ones by notice day first; `?state=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/move-ins", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), MoveInFilter),
    responses((status = 200, body = Vec<MoveIn>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<MoveInFilter>,
) -> ApiResult<Json<Vec<MoveIn>>> {
    Ok(Json(
        movein::list_move_ins(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Opens a move-in (RH-000001) for an owner of a unit; a unit with one open is 422 `move_in_unit_busy`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/move-ins", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveInForCreate,
    responses((status = 201, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveInForCreate>,
) -> ApiResult<(StatusCode, Json<MoveIn>)> {
    let v = movein::open_move_in(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A move-in with its checks, what billing and the key ledger hold now (while open), and its
/// warranty items.
#[utoipa::path(get, path = "/api/v1/move-ins/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        movein::get_move_in(&s.core, &a.ctx, MoveInId(id)).await?,
    ))
}

/// Sets the 入伙流转表's checks as they stand (all five), while open.
#[utoipa::path(put, path = "/api/v1/move-ins/{id}/checks", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveInChecks,
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn checks(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveInChecks>,
) -> One {
    Ok(Json(
        movein::set_move_in_checks(&s.core, &a.ctx, MoveInId(id), b).await?,
    ))
}

/// Records a defect of the accompanied inspection as a warranty item for the contractor.
#[utoipa::path(post, path = "/api/v1/move-ins/{id}/defects", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DefectForCreate,
    responses((status = 201, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn defect(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DefectForCreate>,
) -> ApiResult<(StatusCode, Json<MoveIn>)> {
    let v = movein::add_defect(&s.core, &a.ctx, MoveInId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Completes once: each check not ticked is 422 on its field, arrears on `arrears_waiver` (a
/// manager's); the keys handed over, the unit's state set, billing started on the hand-over day.
#[utoipa::path(post, path = "/api/v1/move-ins/{id}/complete", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveInComplete,
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveInComplete>,
) -> One {
    Ok(Json(
        movein::complete_move_in(&s.core, &a.ctx, MoveInId(id), b).await?,
    ))
}

/// Cancels an open move-in.
#[utoipa::path(post, path = "/api/v1/move-ins/{id}/cancel", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        movein::cancel_move_in(&s.core, &a.ctx, MoveInId(id)).await?,
    ))
}

/// Records the owner's hand-over survey (five scores of 1 to 5 and a comment), once, after completion.
#[utoipa::path(post, path = "/api/v1/move-ins/{id}/survey", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveInSurvey,
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveInSurvey>,
) -> One {
    Ok(Json(
        movein::rate_move_in(&s.core, &a.ctx, MoveInId(id), b).await?,
    ))
}

/// The 入伙通知书 as a PDF with Chinese text.
#[utoipa::path(get, path = "/api/v1/move-ins/{id}/notice.pdf", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the notice", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn notice(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = movein::move_in_notice_pdf(&s.core, &a.ctx, MoveInId(id)).await?;
    Ok(super::billing::pdf(bytes, &format!("move-in-{id}.pdf")))
}

/// The community's warranty items (保修要求处理表), open and due first; `?contractor=&state=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/warranty-items", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), WarrantyFilter),
    responses((status = 200, body = Vec<WarrantyItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn warranty(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<WarrantyFilter>,
) -> ApiResult<Json<Vec<WarrantyItem>>> {
    Ok(Json(
        movein::list_warranty(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Moves a warranty item on: `fixed` (with what was done), `verified`, `reopened` (with why).
#[utoipa::path(post, path = "/api/v1/warranty-items/{id}/step", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = WarrantyStep,
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn step(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<WarrantyStep>,
) -> One {
    Ok(Json(movein::step_warranty(&s.core, &a.ctx, id, b).await?))
}

/// The owner's own move-ins.
#[utoipa::path(get, path = "/api/v1/portal/move-ins", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<MoveIn>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mine(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<MoveIn>>> {
    Ok(Json(movein::my_move_ins(&s.core, &a.ctx).await?))
}

/// The owner rates his hand-over, once.
#[utoipa::path(post, path = "/api/v1/portal/move-ins/{id}/survey", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveInSurvey,
    responses((status = 200, body = MoveIn), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate_mine(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveInSurvey>,
) -> One {
    Ok(Json(
        movein::rate_my_move_in(&s.core, &a.ctx, MoveInId(id), b).await?,
    ))
}
