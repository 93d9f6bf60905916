//! Move-outs over the API (迁出核验): open a check for people of a unit, read its checklist as
//! it stands (arrears, keys, items lent, deposits, passes, parcels), complete it once (a manager's
//! waivers for arrears or deposits kept), cancel it, and print the 客户迁出核验单 as a PDF.

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
        .routes(routes!(list, open))
        .routes(routes!(get_one))
        .routes(routes!(complete))
        .routes(routes!(cancel))
        .routes(routes!(sheet))
}

/// The community's move-outs, open ones by day first; `?state=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/move-outs", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), MoveOutFilter),
    responses((status = 200, body = Vec<MoveOut>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<MoveOutFilter>,
) -> ApiResult<Json<Vec<MoveOut>>> {
    Ok(Json(
        frontdesk::list_move_outs(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Opens a move-out check (QC-000001) for people of a unit (empty `person_ids`: everybody on it).
#[utoipa::path(post, path = "/api/v1/communities/{id}/move-outs", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveOutForCreate,
    responses((status = 201, body = MoveOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveOutForCreate>,
) -> ApiResult<(StatusCode, Json<MoveOut>)> {
    let v = frontdesk::open_move_out(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A move-out with its checklist as it stands (while open).
#[utoipa::path(get, path = "/api/v1/move-outs/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MoveOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_one(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveOut>> {
    Ok(Json(
        frontdesk::get_move_out(&s.core, &a.ctx, MoveOutId(id)).await?,
    ))
}

/// Completes a move-out once: anything the checklist still holds is 422, each named (`arrears_waiver`
/// with the sum owed, `keys`, `item_loans`, `deposits_kept`); passes revoked, the leavers unlinked,
/// the unit's state set.
#[utoipa::path(post, path = "/api/v1/move-outs/{id}/complete", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = MoveOutComplete,
    responses((status = 200, body = MoveOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<MoveOutComplete>,
) -> ApiResult<Json<MoveOut>> {
    Ok(Json(
        frontdesk::complete_move_out(&s.core, &a.ctx, MoveOutId(id), b).await?,
    ))
}

/// Cancels an open move-out (the people stay).
#[utoipa::path(post, path = "/api/v1/move-outs/{id}/cancel", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MoveOut), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MoveOut>> {
    Ok(Json(
        frontdesk::cancel_move_out(&s.core, &a.ctx, MoveOutId(id)).await?,
    ))
}

/// The printed move-out check (客户迁出核验单) as a PDF with Chinese text.
#[utoipa::path(get, path = "/api/v1/move-outs/{id}/sheet.pdf", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the sheet", content_type = "application/pdf"), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn sheet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let bytes = frontdesk::move_out_pdf(&s.core, &a.ctx, MoveOutId(id)).await?;
    Ok(super::billing::pdf(bytes, &format!("move-out-{id}.pdf")))
}
