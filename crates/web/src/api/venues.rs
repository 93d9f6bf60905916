//! Venues and rooms booked over the API (公共场地/会议室预约): the venues with their hours, rules
//! and fee; the desk's day view; bookings at the desk and in the portal (the fee charged to the
//! unit in billing), their list, and cancellations.

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
        .routes(routes!(list_venues, create_venue))
        .routes(routes!(get_venue, update_venue))
        .routes(routes!(day))
        .routes(routes!(book))
        .routes(routes!(list_bookings))
        .routes(routes!(get_booking))
        .routes(routes!(cancel))
        .routes(routes!(portal_venues))
        .routes(routes!(portal_day))
        .routes(routes!(mine, request))
        .routes(routes!(cancel_mine))
}

/// The community's venues with their hours, slot, rules and fee; those retired last.
#[utoipa::path(get, path = "/api/v1/communities/{id}/venues", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Venue>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_venues(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Venue>>> {
    Ok(Json(
        frontdesk::list_venues(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds a venue (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/venues", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VenueForSave,
    responses((status = 201, body = Venue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_venue(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VenueForSave>,
) -> ApiResult<(StatusCode, Json<Venue>)> {
    let v = frontdesk::create_venue(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A venue.
#[utoipa::path(get, path = "/api/v1/venues/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Venue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_venue(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Venue>> {
    Ok(Json(
        frontdesk::get_venue(&s.core, &a.ctx, VenueId(id)).await?,
    ))
}

/// Changes a venue's hours, rules or fee, or retires it (`frontdesk.manage`); bookings made stand.
#[utoipa::path(put, path = "/api/v1/venues/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VenueForSave,
    responses((status = 200, body = Venue), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_venue(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VenueForSave>,
) -> ApiResult<Json<Venue>> {
    Ok(Json(
        frontdesk::update_venue(&s.core, &a.ctx, VenueId(id), b).await?,
    ))
}

/// The desk's day: every venue in use with its slots, free or whose.
#[utoipa::path(get, path = "/api/v1/communities/{id}/venue-day", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), VenueDayQuery),
    responses((status = 200, body = VenueDay), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VenueDayQuery>,
) -> ApiResult<Json<VenueDay>> {
    Ok(Json(
        frontdesk::venue_day(&s.core, &a.ctx, CommunityId(id), q.day).await?,
    ))
}

/// Books a venue at the desk; a slot held already is 409 `venue_slot_taken` (two desks booking
/// the last slot at once: one wins). The fee is charged to the unit.
#[utoipa::path(post, path = "/api/v1/venues/{id}/bookings", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = BookingForCreate,
    responses((status = 201, body = VenueBooking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn book(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BookingForCreate>,
) -> ApiResult<(StatusCode, Json<VenueBooking>)> {
    let v = frontdesk::book_venue(&s.core, &a.ctx, VenueId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The community's bookings over days (`?day=`, `?days=`), by start; `?venue_id=`, `?state=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/venue-bookings", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), BookingFilter),
    responses((status = 200, body = Vec<VenueBooking>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_bookings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<BookingFilter>,
) -> ApiResult<Json<Vec<VenueBooking>>> {
    Ok(Json(
        frontdesk::list_bookings(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// A booking.
#[utoipa::path(get, path = "/api/v1/venue-bookings/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = VenueBooking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_booking(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<VenueBooking>> {
    Ok(Json(
        frontdesk::get_booking(&s.core, &a.ctx, VenueBookingId(id)).await?,
    ))
}

/// Cancels a booking at the desk: free up to the venue's notice (the charge reversed), later
/// with the fee kept unless a manager gives `waive_fee`; a paid fee is 409
/// `venue_booking_fee_paid`.
#[utoipa::path(post, path = "/api/v1/venue-bookings/{id}/cancel", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = BookingCancel,
    responses((status = 200, body = VenueBooking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BookingCancel>,
) -> ApiResult<Json<VenueBooking>> {
    Ok(Json(
        frontdesk::cancel_booking(&s.core, &a.ctx, VenueBookingId(id), b).await?,
    ))
}

/// The venues an owner books in the portal.
#[utoipa::path(get, path = "/api/v1/portal/venues", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Venue>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn portal_venues(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Venue>>> {
    Ok(Json(frontdesk::portal_venues(&s.core, &a.ctx).await?))
}

/// A venue's slots on a day as an owner sees them: free or taken, never whose.
#[utoipa::path(get, path = "/api/v1/portal/venues/{id}/day", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path), VenueDayQuery),
    responses((status = 200, body = VenueDayPlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn portal_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<VenueDayQuery>,
) -> ApiResult<Json<VenueDayPlan>> {
    Ok(Json(
        frontdesk::portal_venue_day(&s.core, &a.ctx, VenueId(id), q.day).await?,
    ))
}

/// The owner's own bookings, newest first.
#[utoipa::path(get, path = "/api/v1/portal/venue-bookings", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<VenueBooking>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn mine(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<VenueBooking>>> {
    Ok(Json(frontdesk::my_bookings(&s.core, &a.ctx).await?))
}

/// Books a venue for one of his units; the fee is charged to that unit.
#[utoipa::path(post, path = "/api/v1/portal/venue-bookings", tag = "portal", security(("bearer" = [])),
    request_body = BookingRequest,
    responses((status = 201, body = VenueBooking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<BookingRequest>,
) -> ApiResult<(StatusCode, Json<VenueBooking>)> {
    let v = frontdesk::request_booking(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Cancels one's own booking while it is free to cancel (later: 422
/// `venue_booking_cancel_late`, the desk decides).
#[utoipa::path(post, path = "/api/v1/portal/venue-bookings/{id}/cancel", tag = "portal", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = BookingCancel,
    responses((status = 200, body = VenueBooking), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn cancel_mine(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BookingCancel>,
) -> ApiResult<Json<VenueBooking>> {
    Ok(Json(
        frontdesk::cancel_my_booking(&s.core, &a.ctx, VenueBookingId(id), b).await?,
    ))
}
