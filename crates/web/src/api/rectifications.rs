//! Rectification tasks over the API (整改): what an audit's sign-off found short, each with an
//! owner and a working-day deadline; the owner's record and photos; the auditor's recheck.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::quality::{self, *};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(list_xlsx))
        .routes(routes!(get_one))
        .routes(routes!(assign))
        .routes(routes!(add_photo))
        .routes(routes!(photo))
        .routes(routes!(done))
        .routes(routes!(recheck))
}

type One = ApiResult<Json<Rectification>>;

/// The community's rectification tasks (at most 500), open ones by deadline first: an auditor
/// (`quality.manage`) sees all, any other staff member his own.
#[utoipa::path(get, path = "/api/v1/communities/{id}/rectifications", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), RectFilter),
    responses((status = 200, body = Vec<RectificationSummary>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<RectFilter>,
) -> ApiResult<Json<Vec<RectificationSummary>>> {
    Ok(Json(
        quality::list_rectifications(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Every task the list would show under the same filters (not only its 500), newest first, as
/// .xlsx, streamed.
#[utoipa::path(get, path = "/api/v1/communities/{id}/rectifications.xlsx", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), RectFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<RectFilter>,
) -> ApiResult<axum::response::Response> {
    let file = quality::rectifications_xlsx(&s.core, &a.ctx, CommunityId(id), f).await?;
    Ok(super::import::xlsx_file(file, "rectifications.xlsx"))
}

/// A task with what its owner recorded, its photos and its history (its auditors and its owner).
#[utoipa::path(get, path = "/api/v1/rectifications/{id}", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Rectification), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> One {
    Ok(Json(
        quality::get_rectification(&s.core, &a.ctx, RectificationId(id)).await?,
    ))
}

/// Gives the task an owner, a staff member of the community (`quality.manage`), and a new
/// deadline `days` working days from now when given; the owner is told.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/assign", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RectAssignInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn assign(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RectAssignInput>,
) -> One {
    Ok(Json(
        quality::assign_rectification(&s.core, &a.ctx, RectificationId(id), b).await?,
    ))
}

/// Adds a photo of the work (its owner, while it is being rectified): the image itself is the
/// body (JPEG, PNG or WebP, at most 5 MB; at most nine a round).
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/photos", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = Rectification), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<(StatusCode, Json<Rectification>)> {
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    let v = quality::add_rectification_photo(&s.core, &a.ctx, RectificationId(id), &body).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// One photo's image.
#[utoipa::path(get, path = "/api/v1/rectifications/{id}/photos/{photo}", tag = "quality", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, description = "The image, as it was uploaded", content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, photo)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (ct, bytes) =
        quality::rectification_photo(&s.core, &a.ctx, RectificationId(id), photo).await?;
    Ok(crate::console::image_response(ct, bytes))
}

/// The owner records what was done (409 `rectification_not_owner` for anyone else,
/// `rectification_not_open` unless it is being rectified): it waits for the recheck.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/done", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RectDoneInput,
    responses((status = 200, body = Rectification), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn done(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RectDoneInput>,
) -> One {
    Ok(Json(
        quality::submit_rectification(&s.core, &a.ctx, RectificationId(id), b).await?,
    ))
}

/// The auditor's recheck (`quality.manage`): `passed` or `again` (a second rectification, the
/// last round, due `days` working days on) after the owner's record, `kept` (closed with the
/// deduction kept) at any time before it closes.
#[utoipa::path(post, path = "/api/v1/rectifications/{id}/recheck", tag = "quality", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RecheckInput,
    responses((status = 200, body = Rectification), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn recheck(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RecheckInput>,
) -> One {
    Ok(Json(
        quality::recheck_rectification(&s.core, &a.ctx, RectificationId(id), b).await?,
    ))
}
