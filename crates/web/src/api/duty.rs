//! Duty rosters and handovers over the API: shift patterns (and adopting the defaults), a team's
//! month grid with its flags, setting and copying a month, swaps, leave, who is on duty now, and
//! handovers (start, lines, closing items, signing).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::duty::model::ShiftForSave;
use wuye_core::duty::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

/// The team of a month view.
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MonthTeam {
    #[serde(default)]
    pub team: String,
}

/// The month of a leave list (`YYYY-MM`).
#[derive(Debug, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LeaveMonth {
    pub month: String,
}

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_staff))
        .routes(routes!(list_shifts, create_shift))
        .routes(routes!(adopt_default_shifts))
        .routes(routes!(update_shift))
        .routes(routes!(get_roster, set_roster))
        .routes(routes!(copy_roster))
        .routes(routes!(record_swap))
        .routes(routes!(list_leaves, add_leave))
        .routes(routes!(delete_leave))
        .routes(routes!(on_duty))
        .routes(routes!(list_handovers, start_handover))
        .routes(routes!(get_handover))
        .routes(routes!(add_handover_line))
        .routes(routes!(close_handover_item))
        .routes(routes!(sign_handover))
}

/// The community's staff (the roster's and the handover's pickers).
#[utoipa::path(get, path = "/api/v1/communities/{id}/duty/staff", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StaffMember>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_staff(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<StaffMember>>> {
    Ok(Json(
        duty::list_staff(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// The community's shift patterns (times local to the community).
#[utoipa::path(get, path = "/api/v1/communities/{id}/shifts", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Shift>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_shifts(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Shift>>> {
    Ok(Json(
        duty::list_shifts(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds a shift pattern (`duty.manage`); a code the community has: 409 on `code`.
#[utoipa::path(post, path = "/api/v1/communities/{id}/shifts", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ShiftForSave,
    responses((status = 201, body = Shift), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_shift(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ShiftForSave>,
) -> ApiResult<(StatusCode, Json<Shift>)> {
    let v = duty::create_shift(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Adopts the default patterns of the 24小时值班制度 in one step (those the community lacks).
#[utoipa::path(post, path = "/api/v1/communities/{id}/shifts/defaults", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Shift>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn adopt_default_shifts(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Shift>>> {
    Ok(Json(
        duty::adopt_default_shifts(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Edits a shift pattern (its code stays).
#[utoipa::path(put, path = "/api/v1/shifts/{id}", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ShiftForSave,
    responses((status = 200, body = Shift), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_shift(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ShiftForSave>,
) -> ApiResult<Json<Shift>> {
    Ok(Json(
        duty::update_shift(&s.core, &a.ctx, ShiftId(id), b).await?,
    ))
}

/// A team's month (`?team=`): the grid, its gaps and short shifts, overlaps, shifts on leave, leave and swaps.
#[utoipa::path(get, path = "/api/v1/communities/{id}/rosters/{month}", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path), ("month" = String, Path), MonthTeam),
    responses((status = 200, body = RosterMonth), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_roster(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p2)): ApiPath<(i64, String)>,
    ApiQuery(f): ApiQuery<MonthTeam>,
) -> ApiResult<Json<RosterMonth>> {
    Ok(Json(
        duty::get_roster(&s.core, &a.ctx, CommunityId(id), &p2, &f.team).await?,
    ))
}

/// Sets a team's whole month in one step; each refused cell is named (`assignments[3].day`: on leave; `assignments[3].shift_code`: overlapping).
#[utoipa::path(put, path = "/api/v1/communities/{id}/rosters/{month}", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path), ("month" = String, Path)),
    request_body = RosterForSet,
    responses((status = 200, body = RosterMonth), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_roster(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p2)): ApiPath<(i64, String)>,
    ApiJson(b): ApiJson<RosterForSet>,
) -> ApiResult<Json<RosterMonth>> {
    Ok(Json(
        duty::set_roster(&s.core, &a.ctx, CommunityId(id), &p2, b).await?,
    ))
}

/// Copies last month's grid of the team into this month (409 when it has one).
#[utoipa::path(post, path = "/api/v1/communities/{id}/rosters/{month}/copy", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path), ("month" = String, Path)),
    request_body = RosterCopy,
    responses((status = 200, body = RosterMonth), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn copy_roster(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p2)): ApiPath<(i64, String)>,
    ApiJson(b): ApiJson<RosterCopy>,
) -> ApiResult<Json<RosterMonth>> {
    Ok(Json(
        duty::copy_last_month(&s.core, &a.ctx, CommunityId(id), &p2, b).await?,
    ))
}

/// Records a swap approved by the manager: two people exchange their shifts of a day.
#[utoipa::path(post, path = "/api/v1/communities/{id}/swaps", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = SwapForCreate,
    responses((status = 201, body = Swap), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_swap(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<SwapForCreate>,
) -> ApiResult<(StatusCode, Json<Swap>)> {
    let v = duty::record_swap(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Leave touching a month (`?month=YYYY-MM`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/leaves", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path), LeaveMonth),
    responses((status = 200, body = Vec<Leave>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_leaves(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<LeaveMonth>,
) -> ApiResult<Json<Vec<Leave>>> {
    Ok(Json(
        duty::list_leaves(&s.core, &a.ctx, CommunityId(id), &f.month).await?,
    ))
}

/// Records leave (person, first and last day, kind).
#[utoipa::path(post, path = "/api/v1/communities/{id}/leaves", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = LeaveForCreate,
    responses((status = 201, body = Leave), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_leave(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LeaveForCreate>,
) -> ApiResult<(StatusCode, Json<Leave>)> {
    let v = duty::add_leave(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// Takes back a leave entered by mistake.
#[utoipa::path(delete, path = "/api/v1/leaves/{id}", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn delete_leave(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    duty::delete_leave(&s.core, &a.ctx, LeaveId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Who is on duty now: the shifts running and their people (not on leave).
#[utoipa::path(get, path = "/api/v1/communities/{id}/on-duty", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = OnDuty), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn on_duty(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<OnDuty>> {
    Ok(Json(
        duty::on_duty_now(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// The community's handovers, newest first (`?team=`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/handovers", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path), HandoverFilter),
    responses((status = 200, body = Vec<Handover>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_handovers(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<HandoverFilter>,
) -> ApiResult<Json<Vec<Handover>>> {
    Ok(Json(
        duty::list_handovers(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Starts a handover from the caller to the incoming person: open items of the team's last handover carried over, open requests, cash not daily-closed and open incidents filled in, typed lines added.
#[utoipa::path(post, path = "/api/v1/communities/{id}/handovers", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = HandoverForCreate,
    responses((status = 201, body = Handover), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn start_handover(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<HandoverForCreate>,
) -> ApiResult<(StatusCode, Json<Handover>)> {
    let v = duty::start_handover(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A handover with its items.
#[utoipa::path(get, path = "/api/v1/handovers/{id}", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Handover), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_handover(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(
        duty::get_handover(&s.core, &a.ctx, HandoverId(id)).await?,
    ))
}

/// Adds a line typed by hand to an open handover.
#[utoipa::path(post, path = "/api/v1/handovers/{id}/lines", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = HandoverLine,
    responses((status = 200, body = Handover), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_handover_line(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<HandoverLine>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(
        duty::add_handover_line(&s.core, &a.ctx, HandoverId(id), b).await?,
    ))
}

/// Closes an item (dealt with: it does not carry over).
#[utoipa::path(post, path = "/api/v1/handover-items/{id}/close", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Handover), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_handover_item(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(
        duty::close_handover_item(&s.core, &a.ctx, HandoverItemId(id)).await?,
    ))
}

/// The incoming person (or a manager) signs the handover off, once.
#[utoipa::path(post, path = "/api/v1/handovers/{id}/sign", tag = "duty", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Handover), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn sign_handover(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Handover>> {
    Ok(Json(
        duty::sign_handover(&s.core, &a.ctx, HandoverId(id)).await?,
    ))
}
