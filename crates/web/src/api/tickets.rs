//! Service requests and work orders over the API: registering, the lists (mine, assigned, the
//! pool, the manager's board), actions, timelines, categories, SLA settings and the company
//! calendar. (The inbox is `api/notify.rs`.)

use axum::Json;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::CoreError;
use wuye_core::shared::calendar::{CalendarDay, CalendarLineError};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::tickets::{self, *};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_requests, create_request))
        .routes(routes!(board))
        .routes(routes!(export_requests))
        .routes(routes!(get_request))
        .routes(routes!(act))
        .routes(routes!(timeline))
        .routes(routes!(list_categories, save_category))
        .routes(routes!(list_sla, save_sla))
        .routes(routes!(scan_sla))
        .routes(routes!(assignees))
        .routes(routes!(calendar_year, save_calendar_days))
        .routes(routes!(delete_calendar_day))
        .routes(routes!(import_calendar))
        .routes(routes!(stats))
        .routes(routes!(dashboard))
        .routes(routes!(desk_day))
        .routes(routes!(kpis))
        .routes(routes!(complaint_analysis))
        .routes(routes!(complaint_analysis_xlsx))
        .routes(routes!(list_calls, log_call))
        .routes(routes!(calls_xlsx))
        .routes(routes!(call_to_request))
        .routes(routes!(list_photos, add_photo))
        .routes(routes!(get_photo))
        .routes(routes!(list_services, save_service))
        .routes(routes!(charge_lines))
        .routes(routes!(pending_charges))
        .routes(routes!(list_teams, create_team))
        .routes(routes!(update_team))
        .routes(routes!(reveal_contact))
}

#[derive(Serialize, ToSchema)]
pub struct ContactPhone {
    /// In full (the reveal is audit-logged).
    pub contact_phone: Option<String>,
}

/// The contact's phone in full, for the request's assignee (to call the customer) or staff
/// with `pii.reveal`; audit-logged.
#[utoipa::path(post, path = "/api/v1/requests/{id}/contact", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ContactPhone), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reveal_contact(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ContactPhone>> {
    let contact_phone = tickets::reveal_contact(&s.core, &a.ctx, RequestId(id)).await?;
    Ok(Json(ContactPhone { contact_phone }))
}

/// The teams of a community, with members and the categories they handle.
#[utoipa::path(get, path = "/api/v1/communities/{id}/teams", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Team>), (status = 404, body = ErrorBody)))]
async fn list_teams(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Team>>> {
    Ok(Json(
        tickets::list_teams(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Creates a team (needs `tickets.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/teams", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TeamForSave,
    responses((status = 201, body = Team), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_team(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(mut b): ApiJson<TeamForSave>,
) -> Created<Team> {
    b.community_id = CommunityId(id);
    Ok((
        StatusCode::CREATED,
        Json(tickets::save_team(&s.core, &a.ctx, None, b).await?),
    ))
}

/// Replaces a team's name, members and categories (needs `tickets.manage`).
#[utoipa::path(put, path = "/api/v1/teams/{id}", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = TeamForSave,
    responses((status = 200, body = Team), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_team(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<TeamForSave>,
) -> ApiResult<Json<Team>> {
    Ok(Json(
        tickets::save_team(&s.core, &a.ctx, Some(id), b).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ServicesQuery {
    /// Include inactive items (for managers editing the list).
    pub all: Option<bool>,
}

/// The community's published price list of paid services (有偿服务明码标价).
#[utoipa::path(get, path = "/api/v1/communities/{id}/paid-services", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path), ServicesQuery),
    responses((status = 200, body = Vec<PaidService>), (status = 404, body = ErrorBody)))]
async fn list_services(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ServicesQuery>,
) -> ApiResult<Json<Vec<PaidService>>> {
    Ok(Json(
        tickets::list_services(&s.core, &a.ctx, CommunityId(id), !q.all.unwrap_or(false)).await?,
    ))
}

/// Creates or updates an item of the price list by its code (needs `tickets.manage`).
#[utoipa::path(put, path = "/api/v1/communities/{id}/paid-services", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PaidServiceForSave,
    responses((status = 200, body = PaidService), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_service(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(mut b): ApiJson<PaidServiceForSave>,
) -> ApiResult<Json<PaidService>> {
    b.community_id = CommunityId(id);
    Ok(Json(tickets::save_service(&s.core, &a.ctx, b).await?))
}

/// The paid-service lines of a request, priced from the list when the work was done.
#[utoipa::path(get, path = "/api/v1/requests/{id}/charges", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ChargeLine>), (status = 404, body = ErrorBody)))]
async fn charge_lines(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<ChargeLine>>> {
    Ok(Json(
        tickets::charge_lines(&s.core, &a.ctx, RequestId(id)).await?,
    ))
}

/// Charges handed over to billing and not yet posted (paid services of done requests).
#[utoipa::path(get, path = "/api/v1/communities/{id}/pending-charges", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PendingCharge>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn pending_charges(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<PendingCharge>>> {
    Ok(Json(
        tickets::pending_charges(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PhotoQuery {
    /// `report` (default) or `done`.
    pub stage: Option<String>,
}

/// The photos of a request (staff who may see it, or its owner).
#[utoipa::path(get, path = "/api/v1/requests/{id}/photos", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Photo>), (status = 404, body = ErrorBody)))]
async fn list_photos(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Photo>>> {
    Ok(Json(
        tickets::list_photos(&s.core, &a.ctx, RequestId(id)).await?,
    ))
}

/// Adds a photo: the image itself is the request body (JPEG, PNG or WebP, at most 5 MB; the
/// type is read from the file, not from its name or header).
#[utoipa::path(post, path = "/api/v1/requests/{id}/photos", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path), PhotoQuery),
    request_body(content(("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = Photo), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<PhotoQuery>,
    body: Result<axum::body::Bytes, axum::extract::rejection::BytesRejection>,
) -> Created<Photo> {
    let stage = q.stage.unwrap_or_else(|| "report".into());
    // Over the server's body limit: the same answer as over the photo limit, as JSON.
    let body = body.map_err(|_| {
        AppError::from(CoreError::Invalid(vec![
            wuye_core::FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]))
        .in_locale(a.locale)
    })?;
    Ok((
        StatusCode::CREATED,
        Json(tickets::add_photo(&s.core, &a.ctx, RequestId(id), &stage, &body).await?),
    ))
}

/// One photo's image.
#[utoipa::path(get, path = "/api/v1/requests/{id}/photos/{photo}", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path), ("photo" = i64, Path)),
    responses((status = 200, description = "The image, as it was uploaded", content(("image/jpeg"), ("image/png"), ("image/webp"))), (status = 404, body = ErrorBody)))]
async fn get_photo(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, photo)): ApiPath<(i64, i64)>,
) -> ApiResult<axum::response::Response> {
    let (ct, bytes) = tickets::photo_file(&s.core, &a.ctx, RequestId(id), photo).await?;
    Ok(crate::console::image_response(ct, bytes))
}

/// Statistics of a period: counts and rates by type, category, channel, person or community,
/// the on-time rate of each clock, and a trend (needs `tickets.manage`).
#[utoipa::path(get, path = "/api/v1/requests/stats", tag = "requests", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Stats), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn stats(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Stats>> {
    Ok(Json(tickets::stats(&s.core, &a.ctx, &q).await?))
}

/// The manager's dashboard (needs `tickets.manage`): the open clocks by where they stand now,
/// and month by month the requests registered, resolved, the on-time rate and satisfaction.
#[utoipa::path(get, path = "/api/v1/requests/dashboard", tag = "requests", security(("bearer" = [])), params(DashboardQuery),
    responses((status = 200, body = Dashboard), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn dashboard(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<DashboardQuery>,
) -> ApiResult<Json<Dashboard>> {
    Ok(Json(tickets::dashboard(&s.core, &a.ctx, &q).await?))
}

/// The desk's day: the requests the caller registered today, and the open requests he sees
/// whose clocks are breached or at risk, worst first.
#[utoipa::path(get, path = "/api/v1/requests/desk-day", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = DeskDay), (status = 403, body = ErrorBody)))]
async fn desk_day(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<DeskDay>> {
    Ok(Json(tickets::desk_day(&s.core, &a.ctx).await?))
}

/// Staff KPIs of a period: calls answered, requests registered, work orders resolved,
/// complaint rate, satisfaction (needs `tickets.manage`).
#[utoipa::path(get, path = "/api/v1/requests/kpis", tag = "requests", security(("bearer" = [])), params(StatsQuery),
    responses((status = 200, body = Vec<StaffKpi>), (status = 403, body = ErrorBody)))]
async fn kpis(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<StatsQuery>,
) -> ApiResult<Json<Vec<StaffKpi>>> {
    Ok(Json(tickets::staff_kpis(&s.core, &a.ctx, &q).await?))
}

/// The quarterly complaint analysis (季度投诉汇总分析).
#[utoipa::path(get, path = "/api/v1/requests/complaint-analysis", tag = "requests", security(("bearer" = [])), params(QuarterQuery),
    responses((status = 200, body = ComplaintAnalysis), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complaint_analysis(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<Json<ComplaintAnalysis>> {
    Ok(Json(
        tickets::complaint_analysis(&s.core, &a.ctx, &q).await?,
    ))
}

/// The quarterly complaint analysis as .xlsx (a summary sheet and the complaints).
#[utoipa::path(get, path = "/api/v1/requests/complaint-analysis.xlsx", tag = "requests", security(("bearer" = [])), params(QuarterQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"), (status = 403, body = ErrorBody)))]
async fn complaint_analysis_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<QuarterQuery>,
) -> ApiResult<axum::response::Response> {
    let an = tickets::complaint_analysis(&s.core, &a.ctx, &q).await?;
    let labels = tickets::sheet_labels(&s.core, &a.ctx).await?;
    let bytes = tickets::complaint_analysis_xlsx(&an, &labels)?;
    Ok(super::import::xlsx(
        bytes,
        &format!("complaints-{}-q{}.xlsx", q.year, q.quarter),
    ))
}

/// The hotline call log of a community (a day, or the latest 200 calls).
#[utoipa::path(get, path = "/api/v1/hotline-calls", tag = "requests", security(("bearer" = [])), params(CallFilter),
    responses((status = 200, body = Vec<HotlineCall>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_calls(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<CallFilter>,
) -> ApiResult<Json<Vec<HotlineCall>>> {
    Ok(Json(tickets::list_calls(&s.core, &a.ctx, &f).await?))
}

/// Every call of the log (of `day`, or of every day), newest first, as .xlsx, streamed.
#[utoipa::path(get, path = "/api/v1/hotline-calls.xlsx", tag = "requests", security(("bearer" = [])), params(CallFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn calls_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<CallFilter>,
) -> ApiResult<axum::response::Response> {
    let file = tickets::calls_xlsx(&s.core, &a.ctx, &f).await?;
    Ok(super::import::xlsx_file(file, "hotline-calls.xlsx"))
}

/// Logs a hotline call.
#[utoipa::path(post, path = "/api/v1/hotline-calls", tag = "requests", security(("bearer" = [])), request_body = CallForCreate,
    responses((status = 201, body = HotlineCall), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn log_call(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<CallForCreate>,
) -> Created<HotlineCall> {
    Ok((
        StatusCode::CREATED,
        Json(tickets::log_call(&s.core, &a.ctx, b).await?),
    ))
}

/// Turns a logged call into a request (channel hotline, the call's content and caller).
#[utoipa::path(post, path = "/api/v1/hotline-calls/{id}/request", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CallToRequest,
    responses((status = 201, body = Request), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn call_to_request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CallToRequest>,
) -> Created<Request> {
    Ok((
        StatusCode::CREATED,
        Json(tickets::call_to_request(&s.core, &a.ctx, id, b).await?),
    ))
}

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

/// Requests the caller may see, newest first: `view=mine` (registered by me, 首问), `assigned`
/// (my work orders), `pool` (open to grab).
#[utoipa::path(get, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])), params(RequestFilter),
    responses((status = 200, body = Vec<Request>), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_requests(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> ApiResult<Json<Vec<Request>>> {
    Ok(Json(tickets::list_requests(&s.core, &a.ctx, &f).await?))
}

/// Every request the list would show under the same filters, as .xlsx (streamed: no cap on
/// the rows; `limit` is ignored, `before_id` starts below that id).
#[utoipa::path(get, path = "/api/v1/requests.xlsx", tag = "requests", security(("bearer" = [])), params(RequestFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_requests(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> ApiResult<axum::response::Response> {
    let file = tickets::export::requests_xlsx(&s.core, &a.ctx, &f).await?;
    Ok(super::import::xlsx_file(file, "requests.xlsx"))
}

/// Registers a request; the caller becomes its first responder (首问责任人).
///
/// With an `Idempotency-Key` header, a retry is safe: the same key (per community) with the
/// same body answers the request it registered with 200, on whichever node the retry lands;
/// the same key with another body is refused with 409 `idempotency_key_reused`.
#[utoipa::path(post, path = "/api/v1/requests", tag = "requests", security(("bearer" = [])), request_body = RequestForCreate,
    params(("Idempotency-Key" = Option<String>, Header, description = "1–100 visible ASCII characters (a UUID); makes a retried registration answer the first one")),
    responses((status = 201, body = Request), (status = 200, description = "Registered before under this idempotency key", body = Request), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_request(
    State(s): State<AppState>,
    a: ApiCtx,
    headers: HeaderMap,
    ApiJson(b): ApiJson<RequestForCreate>,
) -> Created<Request> {
    let key = match headers.get("idempotency-key") {
        None => None,
        Some(v) => Some(v.to_str().map_err(|_| {
            AppError::from(CoreError::invalid(
                "idempotency_key",
                tickets::error::TicketCode::InvalidIdempotencyKey,
            ))
        })?),
    };
    let r = tickets::create::create_request_keyed(&s.core, &a.ctx, b, key).await?;
    let status = if r.replayed {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((status, Json(r.request)))
}

/// The manager's board: open requests, breached clocks first, then at-risk ones.
#[utoipa::path(get, path = "/api/v1/requests/board", tag = "requests", security(("bearer" = [])), params(RequestFilter),
    responses((status = 200, body = Vec<Request>), (status = 403, body = ErrorBody)))]
async fn board(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<RequestFilter>,
) -> ApiResult<Json<Vec<Request>>> {
    Ok(Json(tickets::board(&s.core, &a.ctx, f).await?))
}

#[utoipa::path(get, path = "/api/v1/requests/{id}", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Request), (status = 404, body = ErrorBody)))]
async fn get_request(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Request>> {
    Ok(Json(
        tickets::get_request(&s.core, &a.ctx, RequestId(id)).await?,
    ))
}

/// Acts on a request: `dispatch`, `transfer`, `to_pool`, `grab`, `accept`, `on_site`, `done`,
/// `hold`, `resume`, `escalate`, `feedback`, `postpone`, `visit`, `close`, `cancel`. An action the
/// request's state does not allow is 409 with the reason as `code`.
#[utoipa::path(post, path = "/api/v1/requests/{id}/actions", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = RequestAction,
    responses((status = 200, body = Request), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn act(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RequestAction>,
) -> ApiResult<Json<Request>> {
    Ok(Json(tickets::act(&s.core, &a.ctx, RequestId(id), b).await?))
}

/// Every state change and action of a request, oldest first.
#[utoipa::path(get, path = "/api/v1/requests/{id}/timeline", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Event>), (status = 404, body = ErrorBody)))]
async fn timeline(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Event>>> {
    Ok(Json(
        tickets::timeline(&s.core, &a.ctx, RequestId(id)).await?,
    ))
}

/// The company's request categories.
#[utoipa::path(get, path = "/api/v1/request-categories", tag = "requests", security(("bearer" = [])),
    responses((status = 200, body = Vec<Category>)))]
async fn list_categories(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Category>>> {
    Ok(Json(tickets::list_categories(&s.core, &a.ctx).await?))
}

/// Creates or updates a category by code (needs `tickets.manage`).
#[utoipa::path(put, path = "/api/v1/request-categories", tag = "requests", security(("bearer" = [])), request_body = CategoryForSave,
    responses((status = 200, body = Category), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_category(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<CategoryForSave>,
) -> ApiResult<Json<Category>> {
    Ok(Json(tickets::save_category(&s.core, &a.ctx, b).await?))
}

/// A community's SLA settings (overrides of the default clocks).
#[utoipa::path(get, path = "/api/v1/communities/{id}/sla", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<SlaOverride>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_sla(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<SlaOverride>>> {
    Ok(Json(
        tickets::list_overrides(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ScanQuery {
    /// The first day missed (at most 31 days back, not after today); default today.
    pub as_of: Option<NaiveDate>,
}

/// Runs the SLA scanner for one community as of the end of each day from `as_of` to
/// yesterday, in order, then as of now (a manager catching up after downtime; needs
/// `tickets.manage`). Each clock is warned and escalated once: running it again changes
/// nothing. `as_of` after today: 422 `time_in_future`; more than 31 days back: 422
/// `too_far_back`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/sla/scan", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path), ScanQuery),
    responses((status = 200, body = ScanReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn scan_sla(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<ScanQuery>,
) -> ApiResult<Json<ScanReport>> {
    Ok(Json(
        tickets::scan_as_of(&s.core, &a.ctx, CommunityId(id), q.as_of).await?,
    ))
}

/// Sets one clock for one category (or `*`) of a community (needs `tickets.manage`).
#[utoipa::path(put, path = "/api/v1/communities/{id}/sla", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)), request_body = SlaOverrideForSave,
    responses((status = 200, body = SlaOverride), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_sla(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(mut b): ApiJson<SlaOverrideForSave>,
) -> ApiResult<Json<SlaOverride>> {
    b.community_id = CommunityId(id);
    Ok(Json(tickets::save_override(&s.core, &a.ctx, b).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Assignee {
    pub id: UserId,
    pub name: String,
}

/// The staff a request of the community can be dispatched to.
#[utoipa::path(get, path = "/api/v1/communities/{id}/assignees", tag = "requests", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Assignee>), (status = 404, body = ErrorBody)))]
async fn assignees(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Assignee>>> {
    let v = tickets::assignable_users(&s.core, &a.ctx, CommunityId(id)).await?;
    Ok(Json(
        v.into_iter()
            .map(|(id, name)| Assignee { id, name })
            .collect(),
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearQuery {
    pub year: i32,
}

/// The holidays and make-up working days of a year of the company calendar.
#[utoipa::path(get, path = "/api/v1/calendar", tag = "requests", security(("bearer" = [])), params(YearQuery),
    responses((status = 200, body = Vec<CalendarDay>)))]
async fn calendar_year(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<YearQuery>,
) -> ApiResult<Json<Vec<CalendarDay>>> {
    Ok(Json(tickets::calendar_year(&s.core, &a.ctx, q.year).await?))
}

#[derive(Serialize, ToSchema)]
pub struct Saved {
    pub saved: usize,
}

/// Sets days of the calendar (needs `community.manage`); listed days are replaced.
#[utoipa::path(put, path = "/api/v1/calendar", tag = "requests", security(("bearer" = [])), request_body = Vec<CalendarDay>,
    responses((status = 200, body = Saved), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_calendar_days(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(days): ApiJson<Vec<CalendarDay>>,
) -> ApiResult<Json<Saved>> {
    let saved = tickets::save_calendar_days(&s.core, &a.ctx, &days).await?;
    Ok(Json(Saved { saved }))
}

/// Removes a day from the calendar (it follows the plain week again).
#[utoipa::path(delete, path = "/api/v1/calendar/{day}", tag = "requests", security(("bearer" = [])), params(("day" = String, Path, format = Date)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_calendar_day(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(day): ApiPath<String>,
) -> ApiResult<StatusCode> {
    let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d")
        .map_err(|_| AppError::bad("day", CommonCode::InvalidDate).in_locale(a.locale))?;
    tickets::delete_calendar_day(&s.core, &a.ctx, day).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema)]
pub struct CalendarImport {
    /// The file's text: `DATE,KIND,NAME` or `FROM..TO,KIND,NAME` per line, KIND `休`/`holiday`
    /// or `班`/`workday`; `#` starts a comment.
    pub text: String,
}

#[derive(Serialize, ToSchema)]
pub struct CalendarImportResult {
    pub saved: usize,
    /// The bad lines (nothing was saved when there are any).
    pub errors: Vec<CalendarLineError>,
}

/// Imports a calendar file (e.g. the State Council's annual schedule): all lines or none; 422
/// with every bad line otherwise.
#[utoipa::path(post, path = "/api/v1/calendar/import", tag = "requests", security(("bearer" = [])), request_body = CalendarImport,
    responses((status = 200, body = CalendarImportResult), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn import_calendar(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<CalendarImport>,
) -> ApiResult<Json<CalendarImportResult>> {
    match tickets::import_calendar(&s.core, &a.ctx, &b.text).await? {
        Ok(saved) => Ok(Json(CalendarImportResult {
            saved,
            errors: vec![],
        })),
        Err(lines) => Err(AppError::from(CoreError::Invalid(
            lines
                .iter()
                .map(|l| wuye_core::FieldError::new(format!("line {}", l.line), l.code))
                .collect(),
        ))
        .in_locale(a.locale)),
    }
}
