//! Notifications over the API: the caller's inbox, where he can be reached and on which
//! channels per event, the company's wording of each event, and the delivery log of the outbox.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::notify::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_notifications))
        .routes(routes!(read_notifications))
        .routes(routes!(read_notification))
        .routes(routes!(unread))
        .routes(routes!(get_contact, put_contact))
        .routes(routes!(get_preferences, put_preferences))
        .routes(routes!(list_templates))
        .routes(routes!(put_template, reset_template))
        .routes(routes!(list_outbox))
        .routes(routes!(get_outbox_message))
        .routes(routes!(resend_outbox_message))
        .routes(routes!(outbox_counts))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct NotificationQuery {
    /// Only the unread ones.
    pub unread: Option<bool>,
}

/// The caller's messages: assignments, clock warnings, escalations, and every other module's
/// events (their own title and body).
#[utoipa::path(get, path = "/api/v1/notifications", tag = "notifications", security(("bearer" = [])), params(NotificationQuery),
    responses((status = 200, body = Vec<Notification>)))]
async fn list_notifications(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<NotificationQuery>,
) -> ApiResult<Json<Vec<Notification>>> {
    Ok(Json(
        notify::notifications(&s.core, &a.ctx, q.unread.unwrap_or(false)).await?,
    ))
}

/// Marks all of the caller's messages read.
#[utoipa::path(post, path = "/api/v1/notifications/read", tag = "notifications", security(("bearer" = [])),
    responses((status = 204)))]
async fn read_notifications(State(s): State<AppState>, a: ApiCtx) -> ApiResult<StatusCode> {
    notify::mark_read(&s.core, &a.ctx, None).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Marks one of the caller's messages read (another's: nothing happens).
#[utoipa::path(post, path = "/api/v1/notifications/{id}/read", tag = "notifications", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn read_notification(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    notify::mark_read(&s.core, &a.ctx, Some(NotificationId(id))).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(serde::Serialize, utoipa::ToSchema)]
pub struct UnreadCount {
    pub unread: i64,
}

/// How many of the caller's messages are unread (the badge in the navigation bar).
#[utoipa::path(get, path = "/api/v1/notifications/unread", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = UnreadCount)))]
async fn unread(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<UnreadCount>> {
    Ok(Json(UnreadCount {
        unread: notify::unread_count(&s.core, &a.ctx).await?,
    }))
}

/// Where the caller can be reached (his own, in clear), and the channels this server offers.
#[utoipa::path(get, path = "/api/v1/me/contact", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = NotifyContact)))]
async fn get_contact(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<NotifyContact>> {
    Ok(Json(notify::contact(&s.core, &a.ctx).await?))
}

/// Sets where the caller can be reached: e-mail, mobile phone, WeChat openid, language.
#[utoipa::path(put, path = "/api/v1/me/contact", tag = "notifications", security(("bearer" = [])), request_body = NotifyContactForUpdate,
    responses((status = 200, body = NotifyContact), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_contact(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<NotifyContactForUpdate>,
) -> ApiResult<Json<NotifyContact>> {
    Ok(Json(notify::set_contact(&s.core, &a.ctx, b).await?))
}

/// The caller's channels for each event he hears of (his choice, or the defaults).
#[utoipa::path(get, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<NotifyPreference>)))]
async fn get_preferences(
    State(s): State<AppState>,
    a: ApiCtx,
) -> ApiResult<Json<Vec<NotifyPreference>>> {
    Ok(Json(notify::preferences(&s.core, &a.ctx).await?))
}

/// Sets the caller's channels for some events (one bad entry: nothing is written).
#[utoipa::path(put, path = "/api/v1/me/notification-preferences", tag = "notifications", security(("bearer" = [])), request_body = Vec<NotifyPreferenceForUpdate>,
    responses((status = 200, body = Vec<NotifyPreference>), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_preferences(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<Vec<NotifyPreferenceForUpdate>>,
) -> ApiResult<Json<Vec<NotifyPreference>>> {
    Ok(Json(notify::set_preferences(&s.core, &a.ctx, b).await?))
}

/// Every event's wording in zh-CN and en: the company's own, or the built-in one.
#[utoipa::path(get, path = "/api/v1/notify/templates", tag = "notifications", security(("bearer" = [])),
    responses((status = 200, body = Vec<NotifyTemplate>), (status = 403, body = ErrorBody)))]
async fn list_templates(
    State(s): State<AppState>,
    a: ApiCtx,
) -> ApiResult<Json<Vec<NotifyTemplate>>> {
    Ok(Json(notify::templates(&s.core, &a.ctx).await?))
}

/// Words an event for the company in one language; every `{placeholder}` must be the event's.
#[utoipa::path(put, path = "/api/v1/notify/templates/{event}/{locale}", tag = "notifications", security(("bearer" = [])),
    params(("event" = String, Path), ("locale" = String, Path)), request_body = NotifyTemplateForUpdate,
    responses((status = 200, body = NotifyTemplate), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn put_template(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((event, locale)): ApiPath<(String, String)>,
    ApiJson(b): ApiJson<NotifyTemplateForUpdate>,
) -> ApiResult<Json<NotifyTemplate>> {
    Ok(Json(
        notify::set_template(&s.core, &a.ctx, &event, &locale, b).await?,
    ))
}

/// Goes back to the built-in wording.
#[utoipa::path(delete, path = "/api/v1/notify/templates/{event}/{locale}", tag = "notifications", security(("bearer" = [])),
    params(("event" = String, Path), ("locale" = String, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn reset_template(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((event, locale)): ApiPath<(String, String)>,
) -> ApiResult<StatusCode> {
    notify::reset_template(&s.core, &a.ctx, &event, &locale).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The delivery log of a community: each message on an outside channel, newest first.
#[utoipa::path(get, path = "/api/v1/outbox", tag = "notifications", security(("bearer" = [])), params(OutboxFilter),
    responses((status = 200, body = Vec<OutboxMessage>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_outbox(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<OutboxFilter>,
) -> ApiResult<Json<Vec<OutboxMessage>>> {
    Ok(Json(notify::outbox(&s.core, &a.ctx, f).await?))
}

/// A message with every try at it (sent, retry, failed, in doubt) and why.
#[utoipa::path(get, path = "/api/v1/outbox/{id}", tag = "notifications", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutboxDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_outbox_message(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OutboxDetail>> {
    Ok(Json(
        notify::outbox_message(&s.core, &a.ctx, OutboxId(id)).await?,
    ))
}

/// Sends a given-up message again.
#[utoipa::path(post, path = "/api/v1/outbox/{id}/resend", tag = "notifications", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutboxDetail), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn resend_outbox_message(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OutboxDetail>> {
    Ok(Json(notify::resend(&s.core, &a.ctx, OutboxId(id)).await?))
}

/// A community's messages by state: pending, sent, failed.
#[utoipa::path(get, path = "/api/v1/communities/{id}/outbox/counts", tag = "notifications", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OutboxCounts), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn outbox_counts(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OutboxCounts>> {
    Ok(Json(
        notify::outbox_counts(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}
