//! Community activities over the API: staff plan, open, check in, photograph and close them;
//! owners sign up and give up from the portal.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::community::activities::model::SignupState;
use wuye_core::community::activities::{self as activities, *};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_activities, create_activity))
        .routes(routes!(get_activity, update_activity))
        .routes(routes!(open_activity))
        .routes(routes!(cancel_activity))
        .routes(routes!(finish_activity))
        .routes(routes!(list_signups))
        .routes(routes!(check_in))
        .routes(routes!(list_photos, add_photo))
        .routes(routes!(get_photo))
        .routes(routes!(my_activities))
        .routes(routes!(sign_up, give_up))
}

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// `planned`, `open`, `done` or `cancelled`.
    pub state: Option<String>,
}

/// A community's activities, latest first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/activities", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path), ActivityQuery),
    responses((status = 200, body = Vec<Activity>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_activities(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ActivityQuery>,
) -> ApiResult<Json<Vec<Activity>>> {
    Ok(Json(
        activities::list_activities(&s.core, &a.ctx, CommunityId(id), q.state.as_deref()).await?,
    ))
}

/// Plans an activity (seen by staff only until it is opened).
#[utoipa::path(post, path = "/api/v1/communities/{id}/activities", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ActivityForSave,
    responses((status = 201, body = Activity), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActivityForSave>,
) -> Created<Activity> {
    Ok((
        StatusCode::CREATED,
        Json(activities::create_activity(&s.core, &a.ctx, CommunityId(id), input).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody)))]
async fn get_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(
        activities::get_activity(&s.core, &a.ctx, ActivityId(id)).await?,
    ))
}

/// Edits a plan not yet opened.
#[utoipa::path(put, path = "/api/v1/activities/{id}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ActivityForSave,
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn update_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActivityForSave>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(
        activities::update_activity(&s.core, &a.ctx, ActivityId(id), input).await?,
    ))
}

/// Opens a planned activity for sign-up; the community's owners are told.
#[utoipa::path(post, path = "/api/v1/activities/{id}/open", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn open_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(
        activities::open_activity(&s.core, &a.ctx, ActivityId(id)).await?,
    ))
}

/// Cancels a planned or open activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/cancel", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn cancel_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(
        activities::cancel_activity(&s.core, &a.ctx, ActivityId(id)).await?,
    ))
}

/// Closes an activity that has begun with its summary and real cost (活动总结).
#[utoipa::path(post, path = "/api/v1/activities/{id}/finish", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)), request_body = ActivityForFinish,
    responses((status = 200, body = Activity), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 422, body = ErrorBody)))]
async fn finish_activity(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(input): ApiJson<ActivityForFinish>,
) -> ApiResult<Json<Activity>> {
    Ok(Json(
        activities::finish_activity(&s.core, &a.ctx, ActivityId(id), input).await?,
    ))
}

/// Who signed up: the seats, then the waiting list in its order, then those who gave up.
#[utoipa::path(get, path = "/api/v1/activities/{id}/signups", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Signup>), (status = 404, body = ErrorBody)))]
async fn list_signups(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Signup>>> {
    Ok(Json(
        activities::list_signups(&s.core, &a.ctx, ActivityId(id)).await?,
    ))
}

/// Checks a confirmed sign-up in at the door (a second check-in changes nothing).
#[utoipa::path(post, path = "/api/v1/activities/{id}/signups/{signup}/check-in", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path), ("signup" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn check_in(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, signup)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    activities::check_in(&s.core, &a.ctx, ActivityId(id), signup).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/photos", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ActivityPhoto>), (status = 404, body = ErrorBody)))]
async fn list_photos(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ActivityPhoto>>> {
    Ok(Json(
        activities::list_activity_photos(&s.core, &a.ctx, ActivityId(id)).await?,
    ))
}

/// Adds a photo (活动图片): the image itself is the request body (JPEG, PNG or WebP, at most
/// 8 MB, 30 per activity), to an open or finished activity.
#[utoipa::path(post, path = "/api/v1/activities/{id}/photos", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = ActivityPhoto), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Created<ActivityPhoto> {
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "8 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(activities::add_activity_photo(&s.core, &a.ctx, ActivityId(id), &body).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/activities/{id}/photos/{photo}", tag = "activities", security(("bearer" = [])),
    params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, description = "The image as uploaded", content(("image/jpeg"), ("image/png"), ("image/webp"))),
        (status = 404, body = ErrorBody)))]
async fn get_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, photo)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (ct, bytes) =
        activities::activity_photo_file(&s.core, &a.ctx, ActivityId(id), photo).await?;
    Ok(crate::console::image_response(ct, bytes))
}

/// The open activities of the calling owner's community, soonest first, with his own sign-up.
#[utoipa::path(get, path = "/api/v1/portal/activities", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<MyActivity>), (status = 403, body = ErrorBody)))]
async fn my_activities(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<MyActivity>>> {
    Ok(Json(activities::my_activities(&s.core, &a.ctx).await?))
}

#[derive(Serialize, ToSchema)]
pub struct SignupResult {
    /// `confirmed` (a seat) or `waiting` (the waiting list).
    pub state: SignupState,
}

/// Signs the calling owner up: a seat while one is left, else the waiting list.
#[utoipa::path(post, path = "/api/v1/portal/activities/{id}/signup", tag = "portal", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 201, body = SignupResult), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody)))]
async fn sign_up(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> Created<SignupResult> {
    let state = activities::sign_up(&s.core, &a.ctx, ActivityId(id)).await?;
    Ok((StatusCode::CREATED, Json(SignupResult { state })))
}

/// Gives the calling owner's sign-up up; his seat goes to the first who waits.
#[utoipa::path(delete, path = "/api/v1/portal/activities/{id}/signup", tag = "portal", security(("bearer" = [])),
    params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn give_up(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    activities::give_up(&s.core, &a.ctx, ActivityId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
