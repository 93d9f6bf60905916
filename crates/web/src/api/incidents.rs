//! Emergency plans, incidents and drills over the API: the plan library, reporting an incident
//! (its plan activated), acknowledging, escalating, ticking steps, notes, the notice to the
//! affected units, closing with the analysis; drills.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::incidents::model::PlanForSave;
use wuye_core::incidents::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_plans, create_plan))
        .routes(routes!(get_plan, update_plan))
        .routes(routes!(list_incidents, open_incident))
        .routes(routes!(incidents_xlsx))
        .routes(routes!(get_incident))
        .routes(routes!(acknowledge_incident))
        .routes(routes!(escalate_incident))
        .routes(routes!(tick_step))
        .routes(routes!(add_incident_note))
        .routes(routes!(notify_affected_units))
        .routes(routes!(close_incident))
        .routes(routes!(list_drills, record_drill))
        .routes(routes!(get_drill))
}

/// The company's emergency plans (seven shipped).
#[utoipa::path(get, path = "/api/v1/emergency-plans", tag = "incidents", security(("bearer" = [])),
    responses((status = 200, body = Vec<Plan>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_plans(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Plan>>> {
    Ok(Json(incidents::list_plans(&s.core, &a.ctx).await?))
}

/// Adds a plan: a checklist of steps with roles, an escalation ladder (`incidents.manage`).
#[utoipa::path(post, path = "/api/v1/emergency-plans", tag = "incidents", security(("bearer" = [])),
    request_body = PlanForSave,
    responses((status = 201, body = Plan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<PlanForSave>,
) -> ApiResult<(StatusCode, Json<Plan>)> {
    let v = incidents::create_plan(&s.core, &a.ctx, b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A plan.
#[utoipa::path(get, path = "/api/v1/emergency-plans/{id}", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Plan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Plan>> {
    Ok(Json(
        incidents::get_plan(&s.core, &a.ctx, PlanId(id)).await?,
    ))
}

/// Rewrites a plan (open incidents keep the steps and the ladder they were opened with).
#[utoipa::path(put, path = "/api/v1/emergency-plans/{id}", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = PlanForSave,
    responses((status = 200, body = Plan), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_plan(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PlanForSave>,
) -> ApiResult<Json<Plan>> {
    Ok(Json(
        incidents::update_plan(&s.core, &a.ctx, PlanId(id), b).await?,
    ))
}

/// The community's incidents, newest first (`?state=open|closed`).
#[utoipa::path(get, path = "/api/v1/communities/{id}/incidents", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path), IncidentFilter),
    responses((status = 200, body = Vec<Incident>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_incidents(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<IncidentFilter>,
) -> ApiResult<Json<Vec<Incident>>> {
    Ok(Json(
        incidents::list_incidents(&s.core, &a.ctx, CommunityId(id), f).await?,
    ))
}

/// Every incident the list's filter picks (not only its latest 500), newest first, as .xlsx (streamed).
#[utoipa::path(get, path = "/api/v1/communities/{id}/incidents.xlsx", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path), IncidentFilter),
    responses((status = 200, description = "The workbook", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn incidents_xlsx(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(f): ApiQuery<IncidentFilter>,
) -> ApiResult<axum::response::Response> {
    let file = incidents::incidents_xlsx(&s.core, &a.ctx, CommunityId(id), f).await?;
    Ok(super::import::xlsx_file(file, "incidents.xlsx"))
}

/// Reports an incident (any staff member) and activates its plan: steps copied, level 1 told at once through the outbox.
#[utoipa::path(post, path = "/api/v1/communities/{id}/incidents", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = IncidentForCreate,
    responses((status = 201, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn open_incident(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IncidentForCreate>,
) -> ApiResult<(StatusCode, Json<Incident>)> {
    let v = incidents::open_incident(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// An incident with its steps and its timeline in order.
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_incident(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::get_incident(&s.core, &a.ctx, IncidentId(id)).await?,
    ))
}

/// A manager acknowledges the incident: the ladder stops.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/acknowledge", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn acknowledge_incident(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::acknowledge_incident(&s.core, &a.ctx, IncidentId(id)).await?,
    ))
}

/// Tells the next level of the ladder now.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/escalate", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn escalate_incident(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::escalate_incident(&s.core, &a.ctx, IncidentId(id)).await?,
    ))
}

/// Ticks a step of the checklist with its time and who.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/steps/{step}", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path), ("step" = i64, Path)),
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn tick_step(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, p2)): ApiPath<(i64, i64)>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::tick_step(&s.core, &a.ctx, IncidentId(id), p2).await?,
    ))
}

/// Adds a line to the timeline.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/notes", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = IncidentNote,
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn add_incident_note(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IncidentNote>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::add_incident_note(&s.core, &a.ctx, IncidentId(id), b).await?,
    ))
}

/// Tells the affected units in one step: a 停水停电 notice to the affected buildings, published at once.
#[utoipa::path(post, path = "/api/v1/incidents/{id}/notify-units", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = UnitsNotice,
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn notify_affected_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UnitsNotice>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::notify_affected_units(&s.core, &a.ctx, IncidentId(id), b).await?,
    ))
}

/// Closes the incident with its analysis and conclusion (both required).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/close", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = IncidentForClose,
    responses((status = 200, body = Incident), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn close_incident(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<IncidentForClose>,
) -> ApiResult<Json<Incident>> {
    Ok(Json(
        incidents::close_incident(&s.core, &a.ctx, IncidentId(id), b).await?,
    ))
}

/// The community's drills, latest first.
#[utoipa::path(get, path = "/api/v1/communities/{id}/drills", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Drill>), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn list_drills(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Drill>>> {
    Ok(Json(
        incidents::list_drills(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

/// Records a drill held: plan, date, place, participants, findings.
#[utoipa::path(post, path = "/api/v1/communities/{id}/drills", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = DrillForCreate,
    responses((status = 201, body = Drill), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn record_drill(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<DrillForCreate>,
) -> ApiResult<(StatusCode, Json<Drill>)> {
    let v = incidents::record_drill(&s.core, &a.ctx, CommunityId(id), b).await?;
    Ok((StatusCode::CREATED, Json(v)))
}

/// A drill.
#[utoipa::path(get, path = "/api/v1/drills/{id}", tag = "incidents", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Drill), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn get_drill(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Drill>> {
    Ok(Json(
        incidents::get_drill(&s.core, &a.ctx, DrillId(id)).await?,
    ))
}
