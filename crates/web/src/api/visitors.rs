//! Visitors and passes over the API: the gate's register (walk-ins, one-scan check-in with a
//! pass, the host's answer, leaving, the logged reveal of an ID), the desk's temporary and
//! construction workers' passes, and the owner's side in the portal (his guests' passes, the
//! visitors registered for him and his answer).

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
        .routes(routes!(list_visits, register_visit))
        .routes(routes!(export_visits))
        .routes(routes!(check_in_pass))
        .routes(routes!(get_visit))
        .routes(routes!(answer_visit))
        .routes(routes!(check_out_visit))
        .routes(routes!(reveal_visit_id))
        .routes(routes!(list_passes, create_pass))
        .routes(routes!(get_pass))
        .routes(routes!(revoke_pass))
        .routes(routes!(pass_photo, set_pass_photo))
        .routes(routes!(my_passes, create_guest_pass))
        .routes(routes!(revoke_my_pass))
        .routes(routes!(my_visitors))
        .routes(routes!(answer_my_visitor))
}

/// Every visit the register would show under the same filters, as .xlsx (streamed: no cap).
#[utoipa::path(get, path = "/api/v1/communities/{id}/visitors.xlsx", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), VisitFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_visits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<VisitFilter>,
) -> ApiResult<axum::response::Response> {
    let file = frontdesk::visits_xlsx(&s.core, &a.ctx, CommunityId(id), f).await?;
    Ok(super::import::xlsx_file(file, "visitors.xlsx"))
}

/// The visitors register, newest first (`?day=`, `?inside=true`, `?q=`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/visitors", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), VisitFilter),
    responses((status = 200, body = Vec<Visit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_visits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<VisitFilter>,
) -> ApiResult<Json<Vec<Visit>>> {
    Ok(Json(
        frontdesk::list_visits(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Registers a walk-in: the host, when named, is asked in the portal unless `confirmed_by_call`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/visitors", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VisitorForCreate,
    responses((status = 201, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn register_visit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VisitorForCreate>,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    Ok((
        StatusCode::CREATED,
        Json(frontdesk::register_visit(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// Lets a pass's holder in with one scan of its code: an expired, revoked, not yet valid or used guest's pass is refused naming `code`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/visitors/check-in", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PassCheckIn,
    responses((status = 201, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_in_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PassCheckIn>,
) -> ApiResult<(StatusCode, Json<Visit>)> {
    Ok((
        StatusCode::CREATED,
        Json(frontdesk::check_in_pass(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// A visit.
#[utoipa::path(get, path = "/api/v1/visitors/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_visit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Visit>> {
    Ok(Json(
        frontdesk::get_visit(&s.core, &a.ctx, VisitId(id)).await?,
    ))
}

/// Records the host's answer given on the phone (once).
#[utoipa::path(post, path = "/api/v1/visitors/{id}/answer", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VisitAnswerInput,
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_visit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VisitAnswerInput>,
) -> ApiResult<Json<Visit>> {
    Ok(Json(
        frontdesk::answer_visit_by_call(&s.core, &a.ctx, VisitId(id), b).await?,
    ))
}

/// The visitor leaves (once).
#[utoipa::path(post, path = "/api/v1/visitors/{id}/check-out", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn check_out_visit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Visit>> {
    Ok(Json(
        frontdesk::check_out_visit(&s.core, &a.ctx, VisitId(id)).await?,
    ))
}

/// The visitor's clear ID number (`pii.reveal`; every call is logged).
#[utoipa::path(get, path = "/api/v1/visitors/{id}/id-number", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitIdNumber), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reveal_visit_id(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VisitIdNumber>> {
    Ok(Json(
        frontdesk::reveal_visit_id(&s.core, &a.ctx, VisitId(id)).await?,
    ))
}

/// The community's passes, newest first (`?kind=`, `?valid=true`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/visitor-passes", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), PassFilter),
    responses((status = 200, body = Vec<VisitorPass>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_passes(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<PassFilter>,
) -> ApiResult<Json<Vec<VisitorPass>>> {
    Ok(Json(
        frontdesk::list_passes(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Issues a temporary or construction worker's pass with the next printed number.
#[utoipa::path(post, path = "/api/v1/communities/{id}/visitor-passes", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PassForCreate,
    responses((status = 201, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PassForCreate>,
) -> ApiResult<(StatusCode, Json<VisitorPass>)> {
    Ok((
        StatusCode::CREATED,
        Json(frontdesk::create_pass(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// A pass.
#[utoipa::path(get, path = "/api/v1/visitor-passes/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VisitorPass>> {
    Ok(Json(
        frontdesk::get_pass(&s.core, &a.ctx, VisitorPassId(id)).await?,
    ))
}

/// Revokes a pass.
#[utoipa::path(post, path = "/api/v1/visitor-passes/{id}/revoke", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VisitorPass>> {
    Ok(Json(
        frontdesk::revoke_pass(&s.core, &a.ctx, VisitorPassId(id)).await?,
    ))
}

/// The calling owner's guests' passes.
#[utoipa::path(get, path = "/api/v1/portal/visitor-passes", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<VisitorPass>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn my_passes(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<VisitorPass>>> {
    Ok(Json(frontdesk::my_passes(&s.core, &a.ctx).await?))
}

/// Pre-registers a guest: a pass used once within its window (at most 7 days).
#[utoipa::path(post, path = "/api/v1/portal/visitor-passes", tag = "portal", security(("bearer" = [])),
    request_body = GuestPassForCreate,
    responses((status = 201, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_guest_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<GuestPassForCreate>,
) -> ApiResult<(StatusCode, Json<VisitorPass>)> {
    Ok((
        StatusCode::CREATED,
        Json(frontdesk::create_guest_pass(&s.core, &a.ctx, b).await?),
    ))
}

/// Revokes one of the calling owner's guests' passes.
#[utoipa::path(post, path = "/api/v1/portal/visitor-passes/{id}/revoke", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_my_pass(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VisitorPass>> {
    Ok(Json(
        frontdesk::revoke_my_pass(&s.core, &a.ctx, VisitorPassId(id)).await?,
    ))
}

/// The visitors registered for the calling owner in the last 30 days.
#[utoipa::path(get, path = "/api/v1/portal/visitors", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Visit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn my_visitors(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Visit>>> {
    Ok(Json(frontdesk::my_visitors(&s.core, &a.ctx).await?))
}

/// The calling owner confirms or refuses a visitor registered for him (once).
#[utoipa::path(post, path = "/api/v1/portal/visitors/{id}/answer", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VisitAnswerInput,
    responses((status = 200, body = Visit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn answer_my_visitor(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VisitAnswerInput>,
) -> ApiResult<Json<Visit>> {
    Ok(Json(
        frontdesk::answer_my_visitor(&s.core, &a.ctx, VisitId(id), b).await?,
    ))
}

/// Puts the holder's photo on a desk's pass: the body is the image (JPEG, PNG or WebP, at most
/// 10 MB), replacing the one before.
#[utoipa::path(post, path = "/api/v1/visitor-passes/{id}/photo", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 200, body = VisitorPass), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_pass_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> ApiResult<Json<VisitorPass>> {
    let body = body.map_err(|_| {
        crate::error::AppError::from(wuye_core::CoreError::Invalid(vec![
            wuye_core::FieldError::new("photo", wuye_core::shared::error::CommonCode::FileTooLarge)
                .with("max", "10 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    Ok(Json(
        frontdesk::set_pass_photo(&s.core, &a.ctx, VisitorPassId(id), &body).await?,
    ))
}

/// The holder's photo on a pass (404 when it has none).
#[utoipa::path(get, path = "/api/v1/visitor-passes/{id}/photo", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the photo", content_type = "image/jpeg"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pass_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let (ct, bytes) = frontdesk::pass_photo(&s.core, &a.ctx, VisitorPassId(id)).await?;
    Ok(crate::console::file_response(ct, "photo", bytes))
}
