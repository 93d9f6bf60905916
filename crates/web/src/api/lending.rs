//! Small items the desk lends over the API (雨伞/工具借用): the items with their stock and
//! deposit, lending (the deposit taken into billing), returning (the deposit paid back), and
//! the loans with those overdue.

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
        .routes(routes!(list_items, create_item))
        .routes(routes!(get_item, update_item))
        .routes(routes!(lend))
        .routes(routes!(list_loans))
        .routes(routes!(get_loan))
        .routes(routes!(give_back))
}

/// The items the desk lends with their stock, pieces out and in, deposit and days.
#[utoipa::path(get, path = "/api/v1/communities/{id}/lend-items", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LendItem>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_items(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<LendItem>>> {
    Ok(Json(
        frontdesk::list_lend_items(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds an item to lend (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/lend-items", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LendItemForSave,
    responses((status = 201, body = LendItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_item(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LendItemForSave>,
) -> ApiResult<(StatusCode, Json<LendItem>)> {
    let v = frontdesk::create_lend_item(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// An item the desk lends.
#[utoipa::path(get, path = "/api/v1/lend-items/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = LendItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_item(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<LendItem>> {
    Ok(Json(
        frontdesk::get_lend_item(&s.core, &a.ctx, LendItemId(id)).await?,
    ))
}

/// Changes an item's stock (not below the pieces out), deposit, days or name, or retires it
/// (`frontdesk.manage`).
#[utoipa::path(put, path = "/api/v1/lend-items/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LendItemForSave,
    responses((status = 200, body = LendItem), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_item(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LendItemForSave>,
) -> ApiResult<Json<LendItem>> {
    Ok(Json(
        frontdesk::update_lend_item(&s.core, &a.ctx, LendItemId(id), b).await?,
    ))
}

/// Lends pieces of the item; its deposit (if any) is taken into billing's deposits in the same
/// transaction. Fewer pieces in than asked: 409 `lend_out_of_stock`.
#[utoipa::path(post, path = "/api/v1/lend-items/{id}/lend", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ItemLoanForCreate,
    responses((status = 201, body = ItemLoan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lend(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ItemLoanForCreate>,
) -> ApiResult<(StatusCode, Json<ItemLoan>)> {
    let v = frontdesk::lend_item(&s.core, &a.ctx, LendItemId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The community's loans: out first by due time, then returned; `?state=out|returned`,
/// `?overdue=true`, `?item_id`, `?unit_id`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/item-loans", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ItemLoanFilter),
    responses((status = 200, body = Vec<ItemLoan>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_loans(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<ItemLoanFilter>,
) -> ApiResult<Json<Vec<ItemLoan>>> {
    Ok(Json(
        frontdesk::list_item_loans(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// A loan.
#[utoipa::path(get, path = "/api/v1/item-loans/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ItemLoan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_loan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ItemLoan>> {
    Ok(Json(
        frontdesk::get_item_loan(&s.core, &a.ctx, ItemLoanId(id)).await?,
    ))
}

/// Takes the pieces back, once (409 `lend_loan_returned`), and pays the deposit back as it was
/// paid unless `refund_method` says otherwise.
#[utoipa::path(post, path = "/api/v1/item-loans/{id}/return", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ItemReturn,
    responses((status = 200, body = ItemLoan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn give_back(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ItemReturn>,
) -> ApiResult<Json<ItemLoan>> {
    Ok(Json(
        frontdesk::return_item_loan(&s.core, &a.ctx, ItemLoanId(id), b).await?,
    ))
}
