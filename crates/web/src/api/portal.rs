//! The owner portal over the API: opening an owner's account (staff), activating it, and what
//! an owner does — report, follow, rate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::portal::{
    self, Activation, ActivationSlip, OwnerProfile, PortalRequestForCreate, Rating,
};
use wuye_core::shared::ids::*;
use wuye_core::tickets::{Event, Request};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ClientSource};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(open_account))
        .routes(routes!(activate))
        .routes(routes!(profile))
        .routes(routes!(my_requests, report))
        .routes(routes!(my_request))
        .routes(routes!(rate))
        .routes(routes!(my_billing))
        .routes(routes!(my_receipt))
        .routes(routes!(my_receipt_pdf))
}

/// A receipt of one of the owner's units as a PDF file.
#[utoipa::path(get, path = "/api/v1/portal/receipts/{id}/pdf", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "the receipt", content_type = "application/pdf"), (status = 404, body = ErrorBody),
        (status = 503, description = "the PDF font file is missing (`WUYE_PDF_FONT`)", body = ErrorBody)))]
async fn my_receipt_pdf(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let r = wuye_core::billing::owner_receipt(&s.core, &a.ctx, id).await?;
    let (name, bytes) = wuye_core::billing::receipt_file(&s.core, &r)?;
    Ok(super::billing::pdf(bytes, &name))
}

/// The owner's units: what each owes (late fees included), its prepaid balance, its charges
/// and payments.
#[utoipa::path(get, path = "/api/v1/portal/billing", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<wuye_core::billing::OwnerBill>), (status = 403, body = ErrorBody)))]
async fn my_billing(
    State(s): State<AppState>,
    a: ApiCtx,
) -> ApiResult<Json<Vec<wuye_core::billing::OwnerBill>>> {
    Ok(Json(
        wuye_core::billing::owner_billing(&s.core, &a.ctx).await?,
    ))
}

/// A receipt of one of the owner's units.
#[utoipa::path(get, path = "/api/v1/portal/receipts/{id}", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = wuye_core::billing::Receipt), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn my_receipt(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<wuye_core::billing::Receipt>> {
    Ok(Json(
        wuye_core::billing::owner_receipt(&s.core, &a.ctx, id).await?,
    ))
}

/// Opens an owner's portal account, or issues a new activation code (needs `registry.write`).
/// The code is shown once: print it or send it to the owner.
#[utoipa::path(post, path = "/api/v1/people/{id}/portal-account", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ActivationSlip), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_account(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ActivationSlip>> {
    Ok(Json(
        portal::open_account(&s.core, &a.ctx, PersonId(id)).await?,
    ))
}

/// The owner's first login: username and activation code from the slip, and a new password.
/// Wrong codes count against the caller's address like failed logins.
#[utoipa::path(post, path = "/api/v1/portal/activate", tag = "portal", request_body = Activation,
    responses((status = 204), (status = 422, body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: too many failed attempts from this address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is heard")))))]
async fn activate(
    State(s): State<AppState>,
    ClientSource(source): ClientSource,
    ApiJson(b): ApiJson<Activation>,
) -> ApiResult<StatusCode> {
    portal::activate(&s.core, b, &source).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The owner and his units.
#[utoipa::path(get, path = "/api/v1/portal/me", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = OwnerProfile), (status = 403, body = ErrorBody)))]
async fn profile(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<OwnerProfile>> {
    Ok(Json(portal::profile(&s.core, &a.ctx).await?))
}

/// The owner's requests: reported by him or about his units.
#[utoipa::path(get, path = "/api/v1/portal/requests", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Request>), (status = 403, body = ErrorBody)))]
async fn my_requests(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Request>>> {
    Ok(Json(portal::my_requests(&s.core, &a.ctx).await?))
}

/// Reports a request for one of the owner's units.
#[utoipa::path(post, path = "/api/v1/portal/requests", tag = "portal", security(("bearer" = [])), request_body = PortalRequestForCreate,
    responses((status = 201, body = Request), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn report(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<PortalRequestForCreate>,
) -> ApiResult<(StatusCode, Json<Request>)> {
    Ok((
        StatusCode::CREATED,
        Json(portal::report(&s.core, &a.ctx, b).await?),
    ))
}

#[derive(Serialize, ToSchema)]
pub struct PortalRequest {
    pub request: Request,
    pub timeline: Vec<Event>,
}

/// One of the owner's requests and its progress.
#[utoipa::path(get, path = "/api/v1/portal/requests/{id}", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PortalRequest), (status = 404, body = ErrorBody)))]
async fn my_request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PortalRequest>> {
    let (request, timeline) = portal::my_request(&s.core, &a.ctx, RequestId(id)).await?;
    Ok(Json(PortalRequest { request, timeline }))
}

/// Rates a finished request (1–5); below 3 reopens it.
#[utoipa::path(post, path = "/api/v1/portal/requests/{id}/rate", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)), request_body = Rating,
    responses((status = 200, body = Request), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn rate(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<Rating>,
) -> ApiResult<Json<Request>> {
    Ok(Json(portal::rate(&s.core, &a.ctx, RequestId(id), b).await?))
}
