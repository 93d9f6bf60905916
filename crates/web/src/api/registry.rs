//! The registry over the API: communities, buildings, units, people, vehicles, parking spaces,
//! vacant-unit inspections and search.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::registry::{self, *};
use wuye_core::shared::ids::*;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_communities, create_community))
        .routes(routes!(get_community, update_community))
        .routes(routes!(list_buildings))
        .routes(routes!(create_building))
        .routes(routes!(get_building, update_building, delete_building))
        .routes(routes!(list_units, create_unit))
        .routes(routes!(get_unit, update_unit, delete_unit))
        .routes(routes!(link_person))
        .routes(routes!(unlink_person))
        .routes(routes!(add_inspection))
        .routes(routes!(list_people, create_person))
        .routes(routes!(get_person, update_person, delete_person))
        .routes(routes!(reveal_person))
        .routes(routes!(list_vehicles, create_vehicle))
        .routes(routes!(get_vehicle, update_vehicle, delete_vehicle))
        .routes(routes!(list_spaces, create_space))
        .routes(routes!(get_space, update_space, delete_space))
        .routes(routes!(search))
}

type Created<T> = ApiResult<(StatusCode, Json<T>)>;

/// Communities the caller reaches.
#[utoipa::path(get, path = "/api/v1/communities", tag = "registry", security(("bearer" = [])), responses((status = 200, body = Vec<Community>)))]
async fn list_communities(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<Community>>> {
    Ok(Json(registry::list_communities(&s.core, &a.ctx).await?))
}

/// Creates a community (needs `community.manage`).
#[utoipa::path(post, path = "/api/v1/communities", tag = "registry", security(("bearer" = [])), request_body = CommunityForCreate,
    responses((status = 201, body = Community), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_community(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<CommunityForCreate>,
) -> Created<Community> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_community(&s.core, &a.ctx, b).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/communities/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Community), (status = 404, body = ErrorBody)))]
async fn get_community(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Community>> {
    Ok(Json(
        registry::get_community(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/communities/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = CommunityForUpdate,
    responses((status = 200, body = Community), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_community(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<CommunityForUpdate>,
) -> ApiResult<Json<Community>> {
    Ok(Json(
        registry::update_community(&s.core, &a.ctx, CommunityId(id), b).await?,
    ))
}

/// Buildings of a community.
#[utoipa::path(get, path = "/api/v1/communities/{id}/buildings", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vec<Building>), (status = 404, body = ErrorBody)))]
async fn list_buildings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vec<Building>>> {
    Ok(Json(
        registry::list_buildings(&s.core, &a.ctx, CommunityId(id)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/buildings", tag = "registry", security(("bearer" = [])), request_body = BuildingForCreate,
    responses((status = 201, body = Building), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_building(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<BuildingForCreate>,
) -> Created<Building> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_building(&s.core, &a.ctx, b).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/buildings/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Building), (status = 404, body = ErrorBody)))]
async fn get_building(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Building>> {
    Ok(Json(
        registry::get_building(&s.core, &a.ctx, BuildingId(id)).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/buildings/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = BuildingForUpdate,
    responses((status = 200, body = Building), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_building(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<BuildingForUpdate>,
) -> ApiResult<Json<Building>> {
    Ok(Json(
        registry::update_building(&s.core, &a.ctx, BuildingId(id), b).await?,
    ))
}

/// Deletes an empty building.
#[utoipa::path(delete, path = "/api/v1/buildings/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
async fn delete_building(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::delete_building(&s.core, &a.ctx, BuildingId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Units, filtered; paged by `after_id`.
#[utoipa::path(get, path = "/api/v1/units", tag = "registry", security(("bearer" = [])), params(UnitFilter),
    responses((status = 200, body = Vec<Unit>), (status = 404, body = ErrorBody)))]
async fn list_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<UnitFilter>,
) -> ApiResult<Json<Vec<Unit>>> {
    Ok(Json(registry::list_units(&s.core, &a.ctx, &f).await?))
}

#[utoipa::path(post, path = "/api/v1/units", tag = "registry", security(("bearer" = [])), request_body = UnitForCreate,
    responses((status = 201, body = Unit), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_unit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<UnitForCreate>,
) -> Created<Unit> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_unit(&s.core, &a.ctx, b).await?),
    ))
}

/// A unit with its people, vehicles, parking, inspections and change history.
#[utoipa::path(get, path = "/api/v1/units/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = UnitDetail), (status = 404, body = ErrorBody)))]
async fn get_unit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UnitDetail>> {
    Ok(Json(
        registry::unit_detail(&s.core, &a.ctx, UnitId(id)).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/units/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UnitForUpdate,
    responses((status = 200, body = Unit), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_unit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UnitForUpdate>,
) -> ApiResult<Json<Unit>> {
    Ok(Json(
        registry::update_unit(&s.core, &a.ctx, UnitId(id), b).await?,
    ))
}

/// Deletes a unit that has no people, vehicles or parking spaces.
#[utoipa::path(delete, path = "/api/v1/units/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 409, body = ErrorBody)))]
async fn delete_unit(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::delete_unit(&s.core, &a.ctx, UnitId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Links a person to a unit as owner, household member or tenant.
#[utoipa::path(post, path = "/api/v1/units/{id}/people", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = LinkForCreate,
    responses((status = 201, body = UnitDetail), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn link_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<LinkForCreate>,
) -> Created<UnitDetail> {
    Ok((
        StatusCode::CREATED,
        Json(registry::link_person(&s.core, &a.ctx, UnitId(id), b).await?),
    ))
}

/// Removes a person's link to a unit.
#[utoipa::path(delete, path = "/api/v1/units/{id}/people/{link_id}", tag = "registry", security(("bearer" = [])),
    params(("id" = i64, Path), ("link_id" = i64, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn unlink_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath((id, link)): ApiPath<(i64, i64)>,
) -> ApiResult<StatusCode> {
    registry::unlink_person(&s.core, &a.ctx, UnitId(id), link).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Records an inspection of a vacant unit.
#[utoipa::path(post, path = "/api/v1/units/{id}/inspections", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    request_body = InspectionForCreate, responses((status = 201, body = VacantInspection), (status = 422, body = ErrorBody)))]
async fn add_inspection(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<InspectionForCreate>,
) -> Created<VacantInspection> {
    Ok((
        StatusCode::CREATED,
        Json(registry::add_inspection(&s.core, &a.ctx, UnitId(id), b).await?),
    ))
}

/// People (phone and ID number masked).
#[utoipa::path(get, path = "/api/v1/people", tag = "registry", security(("bearer" = [])), params(PersonFilter),
    responses((status = 200, body = Vec<Person>)))]
async fn list_people(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(f): ApiQuery<PersonFilter>,
) -> ApiResult<Json<Vec<Person>>> {
    Ok(Json(registry::list_people(&s.core, &a.ctx, &f).await?))
}

/// Creates a person, optionally linked to a unit at once.
#[utoipa::path(post, path = "/api/v1/people", tag = "registry", security(("bearer" = [])), request_body = PersonForCreate,
    responses((status = 201, body = Person), (status = 422, body = ErrorBody)))]
async fn create_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<PersonForCreate>,
) -> Created<Person> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_person(&s.core, &a.ctx, b).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/people/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Person), (status = 404, body = ErrorBody)))]
async fn get_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Person>> {
    Ok(Json(
        registry::get_person(&s.core, &a.ctx, PersonId(id)).await?,
    ))
}

#[utoipa::path(patch, path = "/api/v1/people/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = PersonForUpdate,
    responses((status = 200, body = Person), (status = 422, body = ErrorBody)))]
async fn update_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<PersonForUpdate>,
) -> ApiResult<Json<Person>> {
    Ok(Json(
        registry::update_person(&s.core, &a.ctx, PersonId(id), b).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/people/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn delete_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::delete_person(&s.core, &a.ctx, PersonId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The clear phone and ID number (needs `pii.reveal`; every call is audit-logged).
#[utoipa::path(post, path = "/api/v1/people/{id}/reveal", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = PersonClear), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reveal_person(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<PersonClear>> {
    Ok(Json(
        registry::reveal_person(&s.core, &a.ctx, PersonId(id)).await?,
    ))
}

#[derive(Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
struct CommunityQuery {
    community_id: i64,
}

#[utoipa::path(get, path = "/api/v1/vehicles", tag = "registry", security(("bearer" = [])), params(CommunityQuery),
    responses((status = 200, body = Vec<Vehicle>)))]
async fn list_vehicles(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<CommunityQuery>,
) -> ApiResult<Json<Vec<Vehicle>>> {
    Ok(Json(
        registry::list_vehicles(&s.core, &a.ctx, CommunityId(q.community_id)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/vehicles", tag = "registry", security(("bearer" = [])), request_body = VehicleForCreate,
    responses((status = 201, body = Vehicle), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_vehicle(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<VehicleForCreate>,
) -> Created<Vehicle> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_vehicle(&s.core, &a.ctx, b).await?),
    ))
}

/// One vehicle.
#[utoipa::path(get, path = "/api/v1/vehicles/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = Vehicle), (status = 404, body = ErrorBody)))]
async fn get_vehicle(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<Vehicle>> {
    Ok(Json(
        registry::get_vehicle(&s.core, &a.ctx, VehicleId(id)).await?,
    ))
}

/// Changes a vehicle's plate, owner, unit, space, brand or colour (0 clears an id; the change is
/// audit-logged with before and after).
#[utoipa::path(patch, path = "/api/v1/vehicles/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = VehicleForUpdate,
    responses((status = 200, body = Vehicle), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_vehicle(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<VehicleForUpdate>,
) -> ApiResult<Json<Vehicle>> {
    Ok(Json(
        registry::update_vehicle(&s.core, &a.ctx, VehicleId(id), b).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/vehicles/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_vehicle(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::delete_vehicle(&s.core, &a.ctx, VehicleId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[utoipa::path(get, path = "/api/v1/parking-spaces", tag = "registry", security(("bearer" = [])), params(CommunityQuery),
    responses((status = 200, body = Vec<ParkingSpace>)))]
async fn list_spaces(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<CommunityQuery>,
) -> ApiResult<Json<Vec<ParkingSpace>>> {
    Ok(Json(
        registry::list_spaces(&s.core, &a.ctx, CommunityId(q.community_id)).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/parking-spaces", tag = "registry", security(("bearer" = [])), request_body = ParkingSpaceForCreate,
    responses((status = 201, body = ParkingSpace), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_space(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<ParkingSpaceForCreate>,
) -> Created<ParkingSpace> {
    Ok((
        StatusCode::CREATED,
        Json(registry::create_space(&s.core, &a.ctx, b).await?),
    ))
}

/// One parking space.
#[utoipa::path(get, path = "/api/v1/parking-spaces/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = ParkingSpace), (status = 404, body = ErrorBody)))]
async fn get_space(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<ParkingSpace>> {
    Ok(Json(
        registry::get_space(&s.core, &a.ctx, ParkingSpaceId(id)).await?,
    ))
}

/// Changes a space's state (sold, rented, temporary, vacant), unit, holder or note (0 clears an
/// id; the change is audit-logged with before and after).
#[utoipa::path(patch, path = "/api/v1/parking-spaces/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)), request_body = ParkingSpaceForUpdate,
    responses((status = 200, body = ParkingSpace), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_space(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<ParkingSpaceForUpdate>,
) -> ApiResult<Json<ParkingSpace>> {
    Ok(Json(
        registry::update_space(&s.core, &a.ctx, ParkingSpaceId(id), b).await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/parking-spaces/{id}", tag = "registry", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn delete_space(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    registry::delete_space(&s.core, &a.ctx, ParkingSpaceId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchQuery {
    /// Unit number prefix, name prefix, full phone number or plate prefix.
    pub q: String,
    pub community_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Finds units, people and vehicles.
#[utoipa::path(get, path = "/api/v1/search", tag = "registry", security(("bearer" = [])), params(SearchQuery),
    responses((status = 200, body = Vec<SearchHit>), (status = 422, body = ErrorBody)))]
async fn search(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiQuery(q): ApiQuery<SearchQuery>,
) -> ApiResult<Json<Vec<SearchHit>>> {
    let hits = registry::search(
        &s.core,
        &a.ctx,
        &q.q,
        q.community_id.map(CommunityId),
        q.limit.unwrap_or(20),
    )
    .await?;
    Ok(Json(hits))
}
