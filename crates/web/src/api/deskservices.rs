//! The desk's paid services over the API (有偿服务 · 破/换门锁): the price list, sales charged to
//! the buyer's unit in billing, the day's sales, and locks changed for an owner whose ID the desk
//! checked; after-hours work permits the guard looks up by number.

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
        .routes(routes!(list_services, create_service))
        .routes(routes!(update_service))
        .routes(routes!(sell))
        .routes(routes!(sales))
        .routes(routes!(list_locks, change))
        .routes(routes!(list_permits, issue_permit))
        .routes(routes!(permit_by_number))
        .routes(routes!(revoke_permit))
}

/// The community's price list of paid services, those retired last.
#[utoipa::path(get, path = "/api/v1/communities/{id}/desk-services", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DeskService>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_services(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<DeskService>>> {
    Ok(Json(
        frontdesk::list_desk_services(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds a service to the price list (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/desk-services", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DeskServiceForSave,
    responses((status = 201, body = DeskService), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_service(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeskServiceForSave>,
) -> ApiResult<(StatusCode, Json<DeskService>)> {
    let v = frontdesk::create_desk_service(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Changes a service's name, unit or price, or retires it (`frontdesk.manage`).
#[utoipa::path(put, path = "/api/v1/desk-services/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DeskServiceForSave,
    responses((status = 200, body = DeskService), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_service(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeskServiceForSave>,
) -> ApiResult<Json<DeskService>> {
    Ok(Json(
        frontdesk::update_desk_service(&s.core, &a.ctx, DeskServiceId(id), b).await?,
    ))
}

/// Sells a service at the desk: priced from the list, charged to the buyer's unit.
#[utoipa::path(post, path = "/api/v1/desk-services/{id}/sales", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DeskSaleForCreate,
    responses((status = 201, body = DeskSale), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sell(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DeskSaleForCreate>,
) -> ApiResult<(StatusCode, Json<DeskSale>)> {
    let v = frontdesk::sell_desk_service(&s.core, &a.ctx, DeskServiceId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The sales of a day (`?day=`, default today), newest first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/desk-sales", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), DeskDayQuery),
    responses((status = 200, body = Vec<DeskSale>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sales(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<DeskDayQuery>,
) -> ApiResult<Json<Vec<DeskSale>>> {
    Ok(Json(
        frontdesk::list_desk_sales(&s.core, &a.ctx, CommunityId(id), q.day).await?,
    ))
}

/// The community's lock changes, newest first; `?unit_id=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/lock-changes", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), LockFilter),
    responses((status = 200, body = Vec<LockChange>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_locks(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<LockFilter>,
) -> ApiResult<Json<Vec<LockChange>>> {
    Ok(Json(
        frontdesk::list_lock_changes(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Records a lock changed or broken open for an owner of the unit whose ID matches the registry's
/// (422 `lock_not_owner`, `lock_no_id_on_file`, `lock_wrong_id`); a fee is charged to the unit.
#[utoipa::path(post, path = "/api/v1/communities/{id}/lock-changes", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LockChangeForCreate,
    responses((status = 201, body = LockChange), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn change(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LockChangeForCreate>,
) -> ApiResult<(StatusCode, Json<LockChange>)> {
    let v = frontdesk::change_lock(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The after-hours work permits running on a day (`?day=`, default today), by start.
#[utoipa::path(get, path = "/api/v1/communities/{id}/after-hours-permits", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), PermitFilter),
    responses((status = 200, body = Vec<AfterHoursPermit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_permits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<PermitFilter>,
) -> ApiResult<Json<Vec<AfterHoursPermit>>> {
    Ok(Json(
        frontdesk::list_permits(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Issues an after-hours work permit (JB-000001) for a person of the unit.
#[utoipa::path(post, path = "/api/v1/communities/{id}/after-hours-permits", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PermitForCreate,
    responses((status = 201, body = AfterHoursPermit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn issue_permit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PermitForCreate>,
) -> ApiResult<(StatusCode, Json<AfterHoursPermit>)> {
    let v = frontdesk::issue_permit(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The permit of this number, as the guard types it, with whether it is in force now.
#[utoipa::path(get, path = "/api/v1/communities/{id}/after-hours-permits/by-number/{number}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ("number" = String, Path)),
    responses((status = 200, body = AfterHoursPermit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn permit_by_number(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, number)): ApiPath<(i64, String)>,
) -> ApiResult<Json<AfterHoursPermit>> {
    Ok(Json(
        frontdesk::permit_by_number(&s.core, &a.ctx, CommunityId(id), &number).await?,
    ))
}

/// Revokes a permit once, with why (409 `permit_revoked` after).
#[utoipa::path(post, path = "/api/v1/after-hours-permits/{id}/revoke", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PermitRevoke,
    responses((status = 200, body = AfterHoursPermit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_permit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PermitRevoke>,
) -> ApiResult<Json<AfterHoursPermit>> {
    Ok(Json(
        frontdesk::revoke_permit(&s.core, &a.ctx, AfterHoursPermitId(id), b).await?,
    ))
}
