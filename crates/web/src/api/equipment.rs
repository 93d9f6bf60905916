//! Equipment, maintenance and machine rooms over the API: the ledger (list, item, history,
//! status, readings, files, .xlsx import), what needs attention, maintenance plans (and adopting
//! the manuals' defaults, running the job as of a date), maintenance orders (work, complete,
//! accept, return, attachments), machine rooms with their logs and visits, and CCTV systems.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::equipment::{self as eq, *};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use crate::AppState;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_equipment, create_equipment))
        .routes(routes!(equipment_attention))
        .routes(routes!(import_equipment))
        .routes(routes!(get_equipment, update_equipment))
        .routes(routes!(equipment_history))
        .routes(routes!(set_status))
        .routes(routes!(list_readings, record_reading))
        .routes(routes!(add_equipment_file))
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(adopt_defaults))
        .routes(routes!(run_maintenance))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(list_orders))
        .routes(routes!(orders_xlsx))
        .routes(routes!(get_order, save_order_work))
        .routes(routes!(complete_order))
        .routes(routes!(accept_order))
        .routes(routes!(return_order))
        .routes(routes!(add_order_file))
        .routes(routes!(list_rooms, create_room))
        .routes(routes!(list_room_logs, add_room_log))
        .routes(routes!(list_room_visits, add_room_visit))
        .routes(routes!(visit_left))
        .routes(routes!(list_cctv, create_cctv))
        .routes(routes!(update_cctv))
}

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

fn too_large(a: &ApiCtx) -> AppError {
    AppError::from(CoreError::Invalid(vec![
        FieldError::new("file", CommonCode::FileTooLarge).with("max", "10 MB"),
    ]))
    .in_locale(a.locale)
}

/// A new status of an item.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[schema(as = EquipmentStatusChange)]
pub struct StatusChange {
    /// `in_service`, `abnormal`, `under_repair` or `retired`.
    pub status: String,
}

/// The first day of the adopted default plans.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
pub struct AdoptDefaults {
    /// `YYYY-MM-DD`.
    pub start_on: NaiveDate,
}

/// The day the maintenance job runs as of.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[schema(as = MaintenanceRunAsOf)]
pub struct RunAsOf {
    /// `YYYY-MM-DD`.
    pub as_of: NaiveDate,
}

/// What a file is.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FileLabel {
    /// The required attachment it answers (水质检测报告), or what it is (说明书, 照片).
    pub label: Option<String>,
}

/// The community's equipment ledger, filtered by system, status, building and a search text (needs `equipment.work` or `equipment.manage`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/equipment", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), EquipmentFilter),
    responses((status = 200, body = Vec<Equipment>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_equipment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<EquipmentFilter>,
) -> ApiResult<Json<Vec<Equipment>>> {
    Ok(Json(
        eq::list_equipment(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}

/// Adds an item to the ledger (needs `equipment.manage`). A refused field is named (`code`, `system`, `parent_id`, `warranty_until` …).
#[utoipa::path(post, path = "/api/v1/communities/{id}/equipment", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = EquipmentForUpdate,
    responses((status = 201, body = Equipment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_equipment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EquipmentForUpdate>,
) -> Created<Equipment> {
    Ok((
        StatusCode::CREATED,
        Json(eq::create_equipment(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// What needs attention: items abnormal or under repair, overdue maintenance orders, CCTV systems keeping under 7 days of footage (the shift handover reads it).
#[utoipa::path(get, path = "/api/v1/communities/{id}/equipment/attention", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Attention), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn equipment_attention(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Attention>> {
    Ok(Json(eq::attention(&s.core, &a.ctx, CommunityId(id)).await?))
}

/// One item of the ledger.
#[utoipa::path(get, path = "/api/v1/equipment/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Equipment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_equipment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Equipment>> {
    Ok(Json(
        eq::get_equipment(&s.core, &a.ctx, EquipmentId(id)).await?,
    ))
}

/// Edits an item (needs `equipment.manage`); a parent that is the item or one of its children is refused on `parent_id`.
#[utoipa::path(put, path = "/api/v1/equipment/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = EquipmentForUpdate,
    responses((status = 200, body = Equipment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_equipment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<EquipmentForUpdate>,
) -> ApiResult<Json<Equipment>> {
    Ok(Json(
        eq::update_equipment(&s.core, &a.ctx, EquipmentId(id), b).await?,
    ))
}

/// An item's page: parent and children, plans, maintenance orders, readings, files and its changes (the page its QR label opens).
#[utoipa::path(get, path = "/api/v1/equipment/{id}/history", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = EquipmentPage), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn equipment_history(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<EquipmentPage>> {
    Ok(Json(
        eq::equipment_page(&s.core, &a.ctx, EquipmentId(id)).await?,
    ))
}

/// Sets an item's status (`equipment.work`; retiring needs `equipment.manage`).
#[utoipa::path(post, path = "/api/v1/equipment/{id}/status", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = StatusChange,
    responses((status = 200, body = Equipment), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn set_status(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<StatusChange>,
) -> ApiResult<Json<Equipment>> {
    Ok(Json(
        eq::set_equipment_status(&s.core, &a.ctx, EquipmentId(id), &b.status).await?,
    ))
}

/// An item's meter readings, newest first.
#[utoipa::path(get, path = "/api/v1/equipment/{id}/readings", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Reading>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_readings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Reading>>> {
    Ok(Json(
        eq::list_readings(&s.core, &a.ctx, EquipmentId(id)).await?,
    ))
}

/// Records a meter reading by hand (needs `equipment.work`); a reading reaching a meter plan's threshold makes its order, once, even when two arrive at once.
#[utoipa::path(post, path = "/api/v1/equipment/{id}/readings", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = ReadingForCreate,
    responses((status = 201, body = ReadingRecorded), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_reading(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ReadingForCreate>,
) -> Created<ReadingRecorded> {
    Ok((
        StatusCode::CREATED,
        Json(eq::record_reading(&s.core, &a.ctx, EquipmentId(id), b).await?),
    ))
}

/// The community's maintenance plans.
#[utoipa::path(get, path = "/api/v1/communities/{id}/maintenance-plans", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MaintenancePlan>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_plans(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<MaintenancePlan>>> {
    Ok(Json(
        eq::list_plans(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Makes a maintenance plan (needs `equipment.manage`): by calendar (every N days/weeks/months, or on given months, from the schedule or from the last completion) or by meter reading.
#[utoipa::path(post, path = "/api/v1/communities/{id}/maintenance-plans", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlanForUpdate,
    responses((status = 201, body = MaintenancePlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlanForUpdate>,
) -> Created<MaintenancePlan> {
    Ok((
        StatusCode::CREATED,
        Json(eq::create_plan(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// Adopts the manuals' default plans in one step, as plans of whole systems (adopting twice adds nothing).
#[utoipa::path(post, path = "/api/v1/communities/{id}/maintenance-plans/defaults", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = AdoptDefaults,
    responses((status = 200, body = Adopted), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn adopt_defaults(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<AdoptDefaults>,
) -> ApiResult<Json<Adopted>> {
    Ok(Json(
        eq::adopt_defaults(&s.core, &a.ctx, CommunityId(id), b.start_on).await?,
    ))
}

/// Runs the maintenance job for the community as of a date: makes the orders due by then (each once) and tells of those overdue (once).
#[utoipa::path(post, path = "/api/v1/communities/{id}/maintenance/run", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RunAsOf,
    responses((status = 200, body = MaintenanceRun), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn run_maintenance(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RunAsOf>,
) -> ApiResult<Json<MaintenanceRun>> {
    Ok(Json(
        eq::run_maintenance_as_of(&s.core, &a.ctx, CommunityId(id), b.as_of).await?,
    ))
}

/// One maintenance plan.
#[utoipa::path(get, path = "/api/v1/maintenance-plans/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MaintenancePlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MaintenancePlan>> {
    Ok(Json(
        eq::get_plan(&s.core, &a.ctx, MaintenancePlanId(id)).await?,
    ))
}

/// Rewrites a plan (needs `equipment.manage`); its orders so far stay.
#[utoipa::path(put, path = "/api/v1/maintenance-plans/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlanForUpdate,
    responses((status = 200, body = MaintenancePlan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlanForUpdate>,
) -> ApiResult<Json<MaintenancePlan>> {
    Ok(Json(
        eq::update_plan(&s.core, &a.ctx, MaintenancePlanId(id), b).await?,
    ))
}

/// The community's maintenance orders: open ones soonest due first with `overdue` flagged, then the rest.
#[utoipa::path(get, path = "/api/v1/communities/{id}/maintenance-orders", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), OrderFilter),
    responses((status = 200, body = Vec<MaintenanceOrder>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_orders(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<OrderFilter>,
) -> ApiResult<Json<Vec<MaintenanceOrder>>> {
    Ok(Json(
        eq::list_orders(&s.core, &a.ctx, CommunityId(id), &f).await?,
    ))
}

/// Every maintenance order the list's filters pick, newest first, as .xlsx (streamed: no cap).
#[utoipa::path(get, path = "/api/v1/communities/{id}/maintenance-orders.xlsx", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), OrderFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn orders_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<OrderFilter>,
) -> ApiResult<Response> {
    let file = eq::orders_xlsx(&s.core, &a.ctx, CommunityId(id), &f).await?;
    Ok(super::import::xlsx_file(file, "maintenance-orders.xlsx"))
}

/// One maintenance order with its files.
#[utoipa::path(get, path = "/api/v1/maintenance-orders/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MaintenanceOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_order(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MaintenanceOrder>> {
    Ok(Json(
        eq::get_order(&s.core, &a.ctx, MaintenanceOrderId(id)).await?,
    ))
}

/// Saves the worker's progress on an open order: ticked lines, materials, labour, remarks (needs `equipment.work`).
#[utoipa::path(put, path = "/api/v1/maintenance-orders/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = OrderWork,
    responses((status = 200, body = MaintenanceOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn save_order_work(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OrderWork>,
) -> ApiResult<Json<MaintenanceOrder>> {
    Ok(Json(
        eq::save_order_work(&s.core, &a.ctx, MaintenanceOrderId(id), b).await?,
    ))
}

/// Completes an open order: every checklist line ticked, materials and labour entered, every required attachment present — else 422 naming each missing one.
#[utoipa::path(post, path = "/api/v1/maintenance-orders/{id}/complete", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = OrderWork,
    responses((status = 200, body = MaintenanceOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn complete_order(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OrderWork>,
) -> ApiResult<Json<MaintenanceOrder>> {
    Ok(Json(
        eq::complete_order(&s.core, &a.ctx, MaintenanceOrderId(id), b).await?,
    ))
}

/// A manager accepts a done order (needs `equipment.manage`); of two at once one wins, the other gets 409.
#[utoipa::path(post, path = "/api/v1/maintenance-orders/{id}/accept", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = MaintenanceOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn accept_order(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<MaintenanceOrder>> {
    Ok(Json(
        eq::accept_order(&s.core, &a.ctx, MaintenanceOrderId(id)).await?,
    ))
}

/// A manager returns a done order to be done again, with the reason.
#[utoipa::path(post, path = "/api/v1/maintenance-orders/{id}/return", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = OrderReturn,
    responses((status = 200, body = MaintenanceOrder), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn return_order(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<OrderReturn>,
) -> ApiResult<Json<MaintenanceOrder>> {
    Ok(Json(
        eq::return_order(&s.core, &a.ctx, MaintenanceOrderId(id), b).await?,
    ))
}

/// The community's machine rooms.
#[utoipa::path(get, path = "/api/v1/communities/{id}/machine-rooms", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MachineRoom>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_rooms(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<MachineRoom>>> {
    Ok(Json(
        eq::list_rooms(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Adds a machine room (needs `equipment.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/machine-rooms", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RoomForCreate,
    responses((status = 201, body = MachineRoom), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_room(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoomForCreate>,
) -> Created<MachineRoom> {
    Ok((
        StatusCode::CREATED,
        Json(eq::create_room(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// A room's run and duty log, newest first.
#[utoipa::path(get, path = "/api/v1/machine-rooms/{id}/logs", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoomLog>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_room_logs(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<RoomLog>>> {
    Ok(Json(
        eq::list_room_logs(&s.core, &a.ctx, MachineRoomId(id)).await?,
    ))
}

/// Writes a log entry: readings one per line (`电压=380[360,400]`), flagged when outside their limits.
#[utoipa::path(post, path = "/api/v1/machine-rooms/{id}/logs", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = RoomLogForCreate,
    responses((status = 201, body = RoomLog), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_room_log(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<RoomLogForCreate>,
) -> Created<RoomLog> {
    Ok((
        StatusCode::CREATED,
        Json(eq::add_room_log(&s.core, &a.ctx, MachineRoomId(id), b).await?),
    ))
}

/// A room's visitor records, newest first.
#[utoipa::path(get, path = "/api/v1/machine-rooms/{id}/visits", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<RoomVisit>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_room_visits(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<RoomVisit>>> {
    Ok(Json(
        eq::list_room_visits(&s.core, &a.ctx, MachineRoomId(id)).await?,
    ))
}

/// Records a visitor of a room.
#[utoipa::path(post, path = "/api/v1/machine-rooms/{id}/visits", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = VisitForCreate,
    responses((status = 201, body = RoomVisit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_room_visit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VisitForCreate>,
) -> Created<RoomVisit> {
    Ok((
        StatusCode::CREATED,
        Json(eq::add_room_visit(&s.core, &a.ctx, MachineRoomId(id), b).await?),
    ))
}

/// Records that a visitor left, now.
#[utoipa::path(post, path = "/api/v1/machine-rooms/{id}/visits/{visit}/left", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), ("visit" = i64, Path)),
    responses((status = 200, body = RoomVisit), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn visit_left(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, visit)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<RoomVisit>> {
    Ok(Json(
        eq::visit_left(&s.core, &a.ctx, MachineRoomId(id), visit).await?,
    ))
}

/// The community's CCTV systems with the days of footage they keep (flagged below 7).
#[utoipa::path(get, path = "/api/v1/communities/{id}/cctv", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Cctv>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn list_cctv(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Cctv>>> {
    Ok(Json(eq::list_cctv(&s.core, &a.ctx, CommunityId(id)).await?))
}

/// Adds a CCTV system (needs `equipment.manage`).
#[utoipa::path(post, path = "/api/v1/communities/{id}/cctv", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CctvForUpdate,
    responses((status = 201, body = Cctv), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_cctv(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CctvForUpdate>,
) -> Created<Cctv> {
    Ok((
        StatusCode::CREATED,
        Json(eq::create_cctv(&s.core, &a.ctx, CommunityId(id), b).await?),
    ))
}

/// Edits a CCTV system, e.g. its retention after a check (needs `equipment.manage`).
#[utoipa::path(put, path = "/api/v1/cctv/{id}", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = CctvForUpdate,
    responses((status = 200, body = Cctv), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_cctv(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CctvForUpdate>,
) -> ApiResult<Json<Cctv>> {
    Ok(Json(eq::update_cctv(&s.core, &a.ctx, CctvId(id), b).await?))
}

crate::api::import::refused_schema!(
    /// What the ledger import answers with 422: its refused cells, or a refused request.
    EquipmentImportRefused,
    EquipmentImportReport
);

/// Imports the ledger from .xlsx (the console offers the template), all rows or none: 422 with
/// every refused cell's row and column, and nothing written.
#[utoipa::path(post, path = "/api/v1/communities/{id}/equipment/import", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = EquipmentImportReport), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = EquipmentImportRefused)))]
async fn import_equipment(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Response> {
    let body = body.map_err(|_| too_large(&a))?;
    let report = eq::import_equipment(&s.core, &a.ctx, CommunityId(id), body.to_vec()).await?;
    let st = if report.errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    Ok((st, Json(report)).into_response())
}

/// Adds a document or photo to an item: the file itself is the body (PDF, JPEG, PNG or WebP, at
/// most 10 MB); `label` says what it is (needs `equipment.manage`).
#[utoipa::path(post, path = "/api/v1/equipment/{id}/files", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), FileLabel),
    request_body(content(("application/pdf"), ("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = EquipmentFile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_equipment_file(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FileLabel>,
    body: Result<Bytes, BytesRejection>,
) -> Created<EquipmentFile> {
    let body = body.map_err(|_| too_large(&a))?;
    let f =
        eq::add_equipment_file(&s.core, &a.ctx, EquipmentId(id), q.label.as_deref(), &body).await?;
    Ok((StatusCode::CREATED, Json(f)))
}

/// Attaches a file to an order: the file itself is the body; `label` names the required
/// attachment it answers (水质检测报告) or what it is (needs `equipment.work`).
#[utoipa::path(post, path = "/api/v1/maintenance-orders/{id}/files", tag = "equipment", security(("bearer" = [])), params(("id" = i64, Path), FileLabel),
    request_body(content(("application/pdf"), ("image/jpeg"), ("image/png"), ("image/webp"))),
    responses((status = 201, body = OrderFile), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, body = ErrorBody), (status = 413, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_order_file(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<FileLabel>,
    body: Result<Bytes, BytesRejection>,
) -> Created<OrderFile> {
    let body = body.map_err(|_| too_large(&a))?;
    let f = eq::add_order_file(
        &s.core,
        &a.ctx,
        MaintenanceOrderId(id),
        q.label.as_deref().unwrap_or(""),
        &body,
    )
    .await?;
    Ok((StatusCode::CREATED, Json(f)))
}
