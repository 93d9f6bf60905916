//! Large items released over the API (大件物品放行): slips issued at the desk or applied for in
//! the portal, the desk's check (consent, arrears) or refusal, the guard's scan by number and
//! his marking the slip passed.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::frontdesk::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list, issue))
        .routes(routes!(by_number))
        .routes(routes!(get_one))
        .routes(routes!(approve))
        .routes(routes!(refuse))
        .routes(routes!(pass))
        .routes(routes!(mine, request))
        .routes(routes!(slip))
}

/// The printed release slip (大件物品放行条) as a PDF with Chinese text.
#[utoipa::path(get, path = "/api/v1/releases/{id}/slip.pdf", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the slip", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn slip(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = frontdesk::release_pdf(&s.core, &a.ctx, ReleaseSlipId(id)).await?;
    Ok(super::billing::pdf(bytes, &format!("release-{id}.pdf")))
}

/// The community's slips of a day (`?day=`, default today), by planned time; `?state=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/releases", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ReleaseFilter),
    responses((status = 200, body = Vec<ReleaseSlip>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<ReleaseFilter>,
) -> ApiResult<Json<Vec<ReleaseSlip>>> {
    Ok(Json(
        frontdesk::list_releases(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Issues a slip at the desk, checked at once: the applicant of the unit, the owner's consent for
/// a tenant, the arrears rule (409 `release_arrears` unless a manager gives `arrears_override`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/releases", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReleaseForCreate,
    responses((status = 201, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReleaseForCreate>,
) -> ApiResult<(StatusCode, Json<ReleaseSlip>)> {
    let v = frontdesk::issue_release(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The slip of this number (FX-000001), as the guard scans or types it.
#[utoipa::path(get, path = "/api/v1/communities/{id}/releases/by-number/{number}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ("number" = String, Path)),
    responses((status = 200, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn by_number(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, number)): ApiPath<(i64, String)>,
) -> ApiResult<Json<ReleaseSlip>> {
    Ok(Json(
        frontdesk::release_by_number(&s.core, &a.ctx, CommunityId(id), &number).await?,
    ))
}

/// A slip.
#[utoipa::path(get, path = "/api/v1/releases/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ReleaseSlip>> {
    Ok(Json(
        frontdesk::get_release(&s.core, &a.ctx, ReleaseSlipId(id)).await?,
    ))
}

/// The desk approves an application from the portal after its check; once (409
/// `release_not_pending`).
#[utoipa::path(post, path = "/api/v1/releases/{id}/approve", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReleaseCheck,
    responses((status = 200, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn approve(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReleaseCheck>,
) -> ApiResult<Json<ReleaseSlip>> {
    Ok(Json(
        frontdesk::approve_release(&s.core, &a.ctx, ReleaseSlipId(id), b).await?,
    ))
}

/// The desk refuses an application, with the reason the applicant sees.
#[utoipa::path(post, path = "/api/v1/releases/{id}/refuse", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReleaseRefusal,
    responses((status = 200, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn refuse(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReleaseRefusal>,
) -> ApiResult<Json<ReleaseSlip>> {
    Ok(Json(
        frontdesk::refuse_release(&s.core, &a.ctx, ReleaseSlipId(id), b).await?,
    ))
}

/// The guard lets the items out: an approved slip, on its day, once.
#[utoipa::path(post, path = "/api/v1/releases/{id}/pass", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ReleaseSlip>> {
    Ok(Json(
        frontdesk::pass_release(&s.core, &a.ctx, ReleaseSlipId(id)).await?,
    ))
}

/// The owner's (or tenant's) own applications, newest first.
#[utoipa::path(get, path = "/api/v1/portal/releases", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<ReleaseSlip>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mine(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<ReleaseSlip>>> {
    Ok(Json(frontdesk::my_releases(&s.core, &a.ctx).await?))
}

/// Applies for a release of large items from one of his units; the desk checks it.
#[utoipa::path(post, path = "/api/v1/portal/releases", tag = "portal", security(("bearer" = [])),
    request_body = ReleaseRequest,
    responses((status = 201, body = ReleaseSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ReleaseRequest>,
) -> ApiResult<(StatusCode, Json<ReleaseSlip>)> {
    let v = frontdesk::request_release(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}
