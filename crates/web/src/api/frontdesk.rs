//! The front desk over the API: key cabinets, the key ledger, owners' authorisations for their
//! deposited keys, lending and returning, and the lending register; parcels held at the desk:
//! receiving, finding by pick-up code, handing over with a signature, returning, reminders.

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
        .routes(routes!(list_cabinets, create_cabinet))
        .routes(routes!(update_cabinet))
        .routes(routes!(list_keys, create_key))
        .routes(routes!(key_by_code))
        .routes(routes!(get_key, update_key))
        .routes(routes!(retire_key))
        .routes(routes!(restore_key))
        .routes(routes!(authorise_key))
        .routes(routes!(revoke_authorisation))
        .routes(routes!(lend_key))
        .routes(routes!(return_key))
        .routes(routes!(list_loans))
        .routes(routes!(list_parcels, receive_parcel))
        .routes(routes!(parcel_by_code))
        .routes(routes!(export_parcels))
        .routes(routes!(remind_parcels))
        .routes(routes!(get_parcel))
        .routes(routes!(pick_up_parcel))
        .routes(routes!(return_parcel))
        .routes(routes!(parcel_signature))
        .routes(routes!(my_parcels))
}

/// The community's key cabinets with their keepers and how many keys each holds and has out.
#[utoipa::path(get, path = "/api/v1/communities/{id}/key-cabinets", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<KeyCabinet>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_cabinets(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<KeyCabinet>>> {
    Ok(Json(
        frontdesk::list_cabinets(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds a key cabinet with its one keeper (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/key-cabinets", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CabinetForSave,
    responses((status = 201, body = KeyCabinet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_cabinet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CabinetForSave>,
) -> ApiResult<(StatusCode, Json<KeyCabinet>)> {
    let v = frontdesk::create_cabinet(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Renames a cabinet or hands it to another keeper (`frontdesk.manage`).
#[utoipa::path(put, path = "/api/v1/key-cabinets/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CabinetForSave,
    responses((status = 200, body = KeyCabinet), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_cabinet(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CabinetForSave>,
) -> ApiResult<Json<KeyCabinet>> {
    Ok(Json(
        frontdesk::update_cabinet(&s.core, &a.ctx, KeyCabinetId(id), b).await?,
    ))
}

/// The key ledger (钥匙清单台帐) by cabinet and position; `?state=in|out|retired`, `?overdue=true`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/keys", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), KeyFilter),
    responses((status = 200, body = Vec<Key>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_keys(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<KeyFilter>,
) -> ApiResult<Json<Vec<Key>>> {
    Ok(Json(
        frontdesk::list_keys(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Labels a key into the ledger at a cabinet's position (`frontdesk.work`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/keys", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = KeyForSave,
    responses((status = 201, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<KeyForSave>,
) -> ApiResult<(StatusCode, Json<Key>)> {
    let v = frontdesk::create_key(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The key whose tag carries this code (the desk scans or types it).
#[utoipa::path(get, path = "/api/v1/communities/{id}/keys/by-code/{code}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn key_by_code(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<Key>> {
    Ok(Json(
        frontdesk::key_by_code(&s.core, &a.ctx, CommunityId(id), &code).await?,
    ))
}

/// A key with its loan, the owner's authorisations and its register.
#[utoipa::path(get, path = "/api/v1/keys/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Key>> {
    Ok(Json(frontdesk::get_key(&s.core, &a.ctx, KeyId(id)).await?))
}

/// Edits a key's tag, place or note.
#[utoipa::path(put, path = "/api/v1/keys/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = KeyForSave,
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<KeyForSave>,
) -> ApiResult<Json<Key>> {
    Ok(Json(
        frontdesk::update_key(&s.core, &a.ctx, KeyId(id), b).await?,
    ))
}

/// Takes a key in its cabinet out of use: lost, or its lock changed (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/keys/{id}/retire", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn retire_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Key>> {
    Ok(Json(
        frontdesk::set_key_retired(&s.core, &a.ctx, KeyId(id), true).await?,
    ))
}

/// Puts a retired key back into use (`frontdesk.manage`).
#[utoipa::path(post, path = "/api/v1/keys/{id}/restore", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn restore_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Key>> {
    Ok(Json(
        frontdesk::set_key_retired(&s.core, &a.ctx, KeyId(id), false).await?,
    ))
}

/// Records the owner's authorisation to hand his deposited key to someone (业主授权).
#[utoipa::path(post, path = "/api/v1/keys/{id}/authorisations", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AuthorisationForCreate,
    responses((status = 201, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn authorise_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AuthorisationForCreate>,
) -> ApiResult<(StatusCode, Json<Key>)> {
    let v = frontdesk::authorise_key(&s.core, &a.ctx, KeyId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Withdraws an owner's authorisation.
#[utoipa::path(post, path = "/api/v1/key-authorisations/{id}/revoke", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Key), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn revoke_authorisation(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Key>> {
    Ok(Json(
        frontdesk::revoke_key_authorisation(&s.core, &a.ctx, KeyAuthorisationId(id)).await?,
    ))
}

/// Lends a key in its cabinet: to staff, a named outsider, or (a deposited key) against the owner's authorisation.
#[utoipa::path(post, path = "/api/v1/keys/{id}/lend", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LoanForCreate,
    responses((status = 201, body = KeyLoan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn lend_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LoanForCreate>,
) -> ApiResult<(StatusCode, Json<KeyLoan>)> {
    let v = frontdesk::lend_key(&s.core, &a.ctx, KeyId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Takes a key back into its cabinet (who received it is recorded).
#[utoipa::path(post, path = "/api/v1/keys/{id}/return", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = KeyReturn,
    responses((status = 200, body = KeyLoan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_key(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<KeyReturn>,
) -> ApiResult<Json<KeyLoan>> {
    Ok(Json(
        frontdesk::return_key(&s.core, &a.ctx, KeyId(id), b).await?,
    ))
}

/// The lending register (钥匙领用登记表), newest first; `?open=true`, `?overdue=true`, `?key_id=`.
#[utoipa::path(get, path = "/api/v1/communities/{id}/key-loans", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), LoanFilter),
    responses((status = 200, body = Vec<KeyLoan>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_loans(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<LoanFilter>,
) -> ApiResult<Json<Vec<KeyLoan>>> {
    Ok(Json(
        frontdesk::list_key_loans(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// The community's parcels (`?state=held|picked|returned`, `?older_than_days=N` for those waiting long, oldest first).
#[utoipa::path(get, path = "/api/v1/communities/{id}/parcels", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ParcelFilter),
    responses((status = 200, body = Vec<Parcel>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_parcels(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<ParcelFilter>,
) -> ApiResult<Json<Vec<Parcel>>> {
    Ok(Json(
        frontdesk::list_parcels(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Every parcel the list would show under the same filters, as .xlsx (streamed: no cap).
#[utoipa::path(get, path = "/api/v1/communities/{id}/parcels.xlsx", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ParcelFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_parcels(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<ParcelFilter>,
) -> ApiResult<axum::response::Response> {
    let file = frontdesk::parcels_xlsx(&s.core, &a.ctx, CommunityId(id), f).await?;
    Ok(super::import::xlsx_file(file, "parcels.xlsx"))
}

/// Receives a parcel or letter: a pick-up code is drawn and sent to the recipient through the outbox.
#[utoipa::path(post, path = "/api/v1/communities/{id}/parcels", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ParcelForCreate,
    responses((status = 201, body = Parcel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn receive_parcel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ParcelForCreate>,
) -> ApiResult<(StatusCode, Json<Parcel>)> {
    let v = frontdesk::receive_parcel(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// The parcel held under a pick-up code.
#[utoipa::path(get, path = "/api/v1/communities/{id}/parcels/by-code/{code}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path), ("code" = String, Path)),
    responses((status = 200, body = Parcel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn parcel_by_code(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, code)): ApiPath<(i64, String)>,
) -> ApiResult<Json<Parcel>> {
    Ok(Json(
        frontdesk::parcel_by_code(&s.core, &a.ctx, CommunityId(id), &code).await?,
    ))
}

/// Reminds the recipients of parcels held at least N days (each at most once a day).
#[utoipa::path(post, path = "/api/v1/communities/{id}/parcels/reminders", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ParcelReminders,
    responses((status = 200, body = RemindersSent), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn remind_parcels(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ParcelReminders>,
) -> ApiResult<Json<RemindersSent>> {
    Ok(Json(
        frontdesk::remind_parcels(&s.core, &a.ctx, CommunityId(id), b).await?,
    ))
}

/// A parcel.
#[utoipa::path(get, path = "/api/v1/parcels/{id}", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Parcel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_parcel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Parcel>> {
    Ok(Json(
        frontdesk::get_parcel(&s.core, &a.ctx, ParcelId(id)).await?,
    ))
}

/// Hands the parcel over: by its code or the recipient's ID, with the signature drawn on the screen.
#[utoipa::path(post, path = "/api/v1/parcels/{id}/pick-up", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ParcelPickup,
    responses((status = 200, body = Parcel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn pick_up_parcel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ParcelPickup>,
) -> ApiResult<Json<Parcel>> {
    Ok(Json(
        frontdesk::pick_up_parcel(&s.core, &a.ctx, ParcelId(id), b).await?,
    ))
}

/// Returns a held parcel to its carrier.
#[utoipa::path(post, path = "/api/v1/parcels/{id}/return", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ParcelReturn,
    responses((status = 200, body = Parcel), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_parcel(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ParcelReturn>,
) -> ApiResult<Json<Parcel>> {
    Ok(Json(
        frontdesk::return_parcel(&s.core, &a.ctx, ParcelId(id), b).await?,
    ))
}

/// The signature drawn at pick-up (PNG).
#[utoipa::path(get, path = "/api/v1/parcels/{id}/signature", tag = "frontdesk", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, description = "The signature, as drawn", content(("image/png"))), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn parcel_signature(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<axum::response::Response> {
    let png = frontdesk::parcel_signature(&s.core, &a.ctx, ParcelId(id)).await?;
    Ok(crate::console::image_response("image/png".into(), png))
}

/// The calling owner's parcels: those waiting for him with their pick-up codes, and those
/// handed over in the last 30 days.
#[utoipa::path(get, path = "/api/v1/portal/parcels", tag = "portal", security(("bearer" = [])),
    responses((status = 200, body = Vec<Parcel>), (status = 403, body = ErrorBody)))]
async fn my_parcels(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Parcel>>> {
    Ok(Json(frontdesk::my_parcels(&s.core, &a.ctx).await?))
}
