//! Users, roles and community assignments (company admin).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::auth::{self, Role, UserForCreate, UserForUpdate, UserView};
use wuye_core::shared::ids::UserId;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(get_user, update_user))
        .routes(routes!(list_roles))
        .routes(routes!(update_role))
}

/// Users of the company with their communities.
#[utoipa::path(get, path = "/api/v1/users", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
async fn list_users(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<UserView>>> {
    Ok(Json(auth::list_users(&s.core, &a.ctx).await?))
}

/// Creates a user; the password must be changed at first login.
#[utoipa::path(post, path = "/api/v1/users", tag = "admin", security(("bearer" = [])), request_body = UserForCreate,
    responses((status = 201, body = UserView), (status = 409, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn create_user(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<UserForCreate>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    Ok((
        StatusCode::CREATED,
        Json(auth::create_user(&s.core, &a.ctx, b).await?),
    ))
}

#[utoipa::path(get, path = "/api/v1/users/{id}", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, body = UserView), (status = 404, body = ErrorBody)))]
async fn get_user(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(auth::get_user(&s.core, &a.ctx, UserId(id)).await?))
}

/// Changes a user's name, role, active flag, communities, or resets the password.
#[utoipa::path(patch, path = "/api/v1/users/{id}", tag = "admin", security(("bearer" = [])), params(("id" = i64, Path)), request_body = UserForUpdate,
    responses((status = 200, body = UserView), (status = 422, body = ErrorBody)))]
async fn update_user(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiJson(b): ApiJson<UserForUpdate>,
) -> ApiResult<Json<UserView>> {
    Ok(Json(
        auth::update_user(&s.core, &a.ctx, UserId(id), b).await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/roles", tag = "admin", security(("bearer" = [])), responses((status = 200, body = Vec<Role>)))]
async fn list_roles(State(s): State<AppState>, _caller: ApiCtx) -> ApiResult<Json<Vec<Role>>> {
    Ok(Json(auth::list_roles(&s.core).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct RolePerms {
    /// Permission codes: community.manage, registry.read, registry.write, pii.reveal, users.manage, audit.read.
    pub permissions: Vec<String>,
}

/// Sets a role's permissions.
#[utoipa::path(put, path = "/api/v1/roles/{code}", tag = "admin", security(("bearer" = [])), params(("code" = String, Path)), request_body = RolePerms,
    responses((status = 200, body = Role), (status = 403, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn update_role(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(code): ApiPath<String>,
    ApiJson(b): ApiJson<RolePerms>,
) -> ApiResult<Json<Role>> {
    Ok(Json(
        auth::update_role_perms(&s.core, &a.ctx, &code, &b.permissions).await?,
    ))
}
