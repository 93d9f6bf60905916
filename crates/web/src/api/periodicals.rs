//! Newspapers and magazines over the API (报刊征订 · 报刊收发): the community's catalogue of
//! titles, subscriptions taken at the desk or in the portal and charged to the unit, the issues
//! the post office brings and their deliveries handed out.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::periodicals::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(catalogue, add))
        .routes(routes!(update))
        .routes(routes!(subscriptions, subscribe))
        .routes(routes!(subscription))
        .routes(routes!(cancel))
        .routes(routes!(issues, receive))
        .routes(routes!(issue))
        .routes(routes!(hand_out_all))
        .routes(routes!(hand_out))
        .routes(routes!(mine))
        .routes(routes!(subscribe_mine))
}

type Issue = ApiResult<Json<PeriodicalIssue>>;

/// The community's titles by name; `?active=true` for those taken for new subscriptions.
#[utoipa::path(get, path = "/api/v1/communities/{id}/periodicals", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), CatalogueFilter),
    responses((status = 200, body = Vec<Periodical>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn catalogue(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<CatalogueFilter>,
) -> ApiResult<Json<Vec<Periodical>>> {
    Ok(Json(
        periodicals::list_periodicals(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Adds a title (a manager's); a name the community has is 422 `periodical_title_taken`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/periodicals", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PeriodicalInput,
    responses((status = 201, body = Periodical), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PeriodicalInput>,
) -> ApiResult<(StatusCode, Json<Periodical>)> {
    let v = periodicals::add_periodical(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Changes a title (a manager's); subscriptions taken keep the price they were taken at.
#[utoipa::path(put, path = "/api/v1/periodicals/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PeriodicalInput,
    responses((status = 200, body = Periodical), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PeriodicalInput>,
) -> ApiResult<Json<Periodical>> {
    Ok(Json(
        periodicals::update_periodical(&s.core, &a.ctx, PeriodicalId(id), b).await?,
    ))
}

/// The community's subscriptions, newest first; `?state=&periodical_id=&unit_id=&month=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/periodical-subscriptions", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), SubscriptionFilter),
    responses((status = 200, body = Vec<Subscription>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn subscriptions(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<SubscriptionFilter>,
) -> ApiResult<Json<Vec<Subscription>>> {
    Ok(Json(
        periodicals::list_subscriptions(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Takes a subscription (BK-000001) for a unit: monthly price × months × copies charged to the
/// unit under the 报刊订阅 agency item; the same title on the same unit in a shared month is 422
/// `subscription_overlap`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/periodical-subscriptions", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SubscriptionForCreate,
    responses((status = 201, body = Subscription), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn subscribe(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SubscriptionForCreate>,
) -> ApiResult<(StatusCode, Json<Subscription>)> {
    let v = periodicals::subscribe(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A subscription with what is still to pay on it.
#[utoipa::path(get, path = "/api/v1/periodical-subscriptions/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Subscription), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn subscription(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Subscription>> {
    Ok(Json(
        periodicals::get_subscription(&s.core, &a.ctx, PeriodicalSubscriptionId(id)).await?,
    ))
}

/// Cancels a subscription while nothing is paid (409 `subscription_paid`) and no copy was
/// handed out (409 `subscription_delivered`): its charge is reversed.
#[utoipa::path(post, path = "/api/v1/periodical-subscriptions/{id}/cancel", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SubscriptionCancel,
    responses((status = 200, body = Subscription), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SubscriptionCancel>,
) -> ApiResult<Json<Subscription>> {
    Ok(Json(
        periodicals::cancel_subscription(&s.core, &a.ctx, PeriodicalSubscriptionId(id), b).await?,
    ))
}

/// The issues received on a day (`?day=`, the 报刊收发登记表), or the latest 200.
#[utoipa::path(get, path = "/api/v1/communities/{id}/periodical-issues", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), IssueFilter),
    responses((status = 200, body = Vec<PeriodicalIssue>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issues(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<IssueFilter>,
) -> ApiResult<Json<Vec<PeriodicalIssue>>> {
    Ok(Json(
        periodicals::list_issues(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Records an issue the post office brought, once per title and label (409
/// `periodical_issue_taken`): one delivery for each subscription running that month.
#[utoipa::path(post, path = "/api/v1/communities/{id}/periodical-issues", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = IssueForCreate,
    responses((status = 201, body = PeriodicalIssue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn receive(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IssueForCreate>,
) -> ApiResult<(StatusCode, Json<PeriodicalIssue>)> {
    let v = periodicals::receive_issue(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// An issue with its deliveries.
#[utoipa::path(get, path = "/api/v1/periodical-issues/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PeriodicalIssue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> Issue {
    Ok(Json(
        periodicals::get_issue(&s.core, &a.ctx, PeriodicalIssueId(id)).await?,
    ))
}

/// Puts every delivery still to hand out in the boxes, when copies are left for all (409
/// `delivery_no_copies_left`).
#[utoipa::path(post, path = "/api/v1/periodical-issues/{id}/hand-out", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PeriodicalIssue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn hand_out_all(State(s): State<AppState>, a: ApiCtx, ApiPath(id): ApiPath<i64>) -> Issue {
    Ok(Json(
        periodicals::hand_out_all(&s.core, &a.ctx, PeriodicalIssueId(id)).await?,
    ))
}

/// Hands out one delivery, signed for (`signed_by`) or put in the box; once (409
/// `delivery_done`), never more copies than arrived (409 `delivery_no_copies_left`).
#[utoipa::path(post, path = "/api/v1/periodical-deliveries/{id}/hand-out", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DeliveryHandOut,
    responses((status = 200, body = PeriodicalIssue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn hand_out(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeliveryHandOut>,
) -> Issue {
    Ok(Json(
        periodicals::hand_out(&s.core, &a.ctx, PeriodicalDeliveryId(id), b).await?,
    ))
}

/// The titles taken and the subscriptions of the resident's units, with their latest deliveries.
#[utoipa::path(get, path = "/api/v1/portal/periodicals", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = MyPeriodicals), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn mine(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<MyPeriodicals>> {
    Ok(Json(periodicals::my_periodicals(&s.core, &a.ctx).await?))
}

/// A resident subscribes for a unit he is on; the charge is the unit's.
#[utoipa::path(post, path = "/api/v1/portal/periodical-subscriptions", tag = "portal", security(("bearer" = [])),
    request_body = MySubscriptionForCreate,
    responses((status = 201, body = Subscription), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn subscribe_mine(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<MySubscriptionForCreate>,
) -> ApiResult<(StatusCode, Json<Subscription>)> {
    let v = periodicals::subscribe_mine(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}
