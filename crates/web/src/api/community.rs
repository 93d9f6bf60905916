//! Notices (公告) and the public board (三公开公示栏) over the API: staff write, publish and
//! withdraw notices and read who read them; owners read theirs; anyone reads a board by its
//! address.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::community::announcements::{self as notices, *};
use wuye_core::community::board::{self, Board, BoardForUpdate, PublicBoard};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_announcements, create_announcement))
        .routes(routes!(
            get_announcement,
            update_announcement,
            delete_announcement
        ))
        .routes(routes!(publish_announcement))
        .routes(routes!(withdraw_announcement))
        .routes(routes!(announcement_reads))
        .routes(routes!(add_attachment))
        .routes(routes!(get_attachment, delete_attachment))
        .routes(routes!(my_announcements))
        .routes(routes!(my_announcement))
        .routes(routes!(get_board, put_board))
        .routes(routes!(renew_board_address))
        .routes(routes!(public_board))
}

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AnnouncementQuery {
    /// `draft`, `scheduled`, `live`, `expired` or `withdrawn`.
    pub status: Option<String>,
    /// `notice`, `outage`, `activity`, `fees` or `tip`.
    pub category: Option<String>,
}

/// A community's notices, newest first (at most 500).
#[utoipa::path(get, path = "/api/v1/communities/{id}/announcements", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path), AnnouncementQuery),
    responses((status = 200, body = Vec<Announcement>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_announcements(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AnnouncementQuery>,
) -> ApiResult<Json<Vec<Announcement>>> {
    let f = AnnouncementFilter {
        status: q.status,
        category: q.category,
    };
    Ok(Json(
        notices::list_announcements(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}

/// Writes a draft notice. Scope `company` (company admins) puts a copy in every community.
#[utoipa::path(post, path = "/api/v1/communities/{id}/announcements", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AnnouncementForCreate,
    responses((status = 201, body = Announcement), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnnouncementForCreate>,
) -> Created<Announcement> {
    Ok((
        StatusCode::CREATED,
        Json(notices::create_announcement(&s.core, &a.ctx, CommunityId(id), input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Announcement), (status = 404, body = ErrorBody)))]
async fn get_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        notices::get_announcement(&s.core, &a.ctx, AnnouncementId(id)).await?,
    ))
}

/// Edits a draft (every copy of a company-wide one).
#[utoipa::path(put, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AnnouncementForUpdate,
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnnouncementForUpdate>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        notices::update_announcement(&s.core, &a.ctx, AnnouncementId(id), input).await?,
    ))
}

/// Deletes a draft.
#[utoipa::path(delete, path = "/api/v1/announcements/{id}", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    notices::delete_announcement(&s.core, &a.ctx, AnnouncementId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Publishes a draft now, or at `at` (scheduled). Its readers are told when it shows; an
/// `outage` notice goes out at once whatever the hour.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/publish", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = AnnouncementForPublish,
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn publish_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<AnnouncementForPublish>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        notices::publish_announcement(&s.core, &a.ctx, AnnouncementId(id), input).await?,
    ))
}

/// Takes a published notice back: owners no longer see it.
#[utoipa::path(post, path = "/api/v1/announcements/{id}/withdraw", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn withdraw_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        notices::withdraw_announcement(&s.core, &a.ctx, AnnouncementId(id)).await?,
    ))
}

/// Who read a notice, per building (activated portal accounts it is for).
#[utoipa::path(get, path = "/api/v1/announcements/{id}/reads", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = ReadCounts), (status = 404, body = ErrorBody)))]
async fn announcement_reads(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ReadCounts>> {
    Ok(Json(
        notices::read_counts(&s.core, &a.ctx, AnnouncementId(id)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AttachmentQuery {
    /// The file's name as owners will see it.
    pub name: Option<String>,
}

/// Adds an attachment: the file itself is the request body (JPEG, PNG, WebP or PDF, at most
/// 10 MB, at most 10 per notice; the type is read from the file).
#[utoipa::path(post, path = "/api/v1/announcements/{id}/attachments", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path), AttachmentQuery),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"))),
    responses((status = 201, body = Attachment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_attachment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<AttachmentQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Created<Attachment> {
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            FieldError::new("file", CommonCode::FileTooLarge).with("max", "10 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    let name = q.name.unwrap_or_default();
    Ok((
        StatusCode::CREATED,
        Json(notices::add_attachment(&s.core, &a.ctx, AnnouncementId(id), &name, &body).await?),
    ))
}

/// An attachment's file (staff who manage the notice, or an owner it shows for).
#[utoipa::path(get, path = "/api/v1/announcements/{id}/attachments/{file}", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 200, description = "The file as it was uploaded",
        content(("image/jpeg"), ("image/png"), ("image/webp"), ("application/pdf"))), (status = 404, body = ErrorBody)))]
async fn get_attachment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, file)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (name, ct, bytes) =
        notices::attachment_file(&s.core, &a.ctx, AnnouncementId(id), file).await?;
    Ok(crate::console::file_response(ct, &name, bytes))
}

/// Removes an attachment of a draft.
#[utoipa::path(delete, path = "/api/v1/announcements/{id}/attachments/{file}", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path), ("file" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_attachment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, file)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    notices::delete_attachment(&s.core, &a.ctx, AnnouncementId(id), file).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The notices showing for the calling owner, pinned first, each with `read`.
#[utoipa::path(get, path = "/api/v1/portal/announcements", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Announcement>), (status = 403, body = ErrorBody)))]
async fn my_announcements(
    State(s): State<AppState>,
    a: ApiCtx,
) -> ApiResult<Json<Vec<Announcement>>> {
    Ok(Json(notices::my_announcements(&s.core, &a.ctx).await?))
}

/// One notice showing for the calling owner; reading it marks it read.
#[utoipa::path(get, path = "/api/v1/portal/announcements/{id}", tag = "portal", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Announcement), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn my_announcement(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Announcement>> {
    Ok(Json(
        notices::my_announcement(&s.core, &a.ctx, AnnouncementId(id)).await?,
    ))
}

/// The community's public board as the centre keeps it (with its public address).
#[utoipa::path(get, path = "/api/v1/communities/{id}/board", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Board), (status = 404, body = ErrorBody)))]
async fn get_board(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Board>> {
    Ok(Json(
        board::get_board(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Replaces the board's own lists (services, contacts, complaint phone, people on duty, note).
#[utoipa::path(put, path = "/api/v1/communities/{id}/board", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = BoardForUpdate,
    responses((status = 200, body = Board), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_board(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<BoardForUpdate>,
) -> ApiResult<Json<Board>> {
    Ok(Json(
        board::save_board(&s.core, &a.ctx, CommunityId(id), input).await?,
    ))
}

/// Gives the board a new public address; the old one stops working.
#[utoipa::path(post, path = "/api/v1/communities/{id}/board/renew-address", tag = "announcements", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Board), (status = 404, body = ErrorBody)))]
async fn renew_board_address(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Board>> {
    Ok(Json(
        board::renew_board_address(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// A community's public board, for anyone with its address (no login): the centre's lists,
/// the fee schedule, the paid-service prices and the latest notices.
#[utoipa::path(get, path = "/api/v1/boards/{slug}", tag = "announcements",
    params(("slug" = String, Path)),
    responses((status = 200, body = PublicBoard), (status = 404, body = ErrorBody)))]
async fn public_board(
    State(s): State<AppState>,
    ApiPath(slug): ApiPath<String>,
) -> ApiResult<Json<PublicBoard>> {
    Ok(Json(board::public_board(&s.core, &slug).await?))
}
