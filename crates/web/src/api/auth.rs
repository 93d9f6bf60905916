//! Accounts over the API: tokens from a password, the caller's own tokens and password.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::auth::{self, ApiToken};
use wuye_core::shared::ids::ApiTokenId;

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiJson, ApiPath, ClientSource};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login_token))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Deserialize, ToSchema)]
pub struct LoginForToken {
    pub username: String,
    pub password: String,
    /// A label for the token, e.g. the integration's name.
    pub token_name: Option<String>,
}

#[derive(Serialize, ToSchema)]
pub struct NewToken {
    /// The bearer token. Shown once; only its hash is stored.
    pub token: String,
    #[serde(flatten)]
    pub info: ApiToken,
}

/// Exchanges a username and password for a new API token. Throttled like the console login:
/// after too many failures from the caller's address (at all, or at this account) the answer is
/// 429 `too_many_attempts` with `Retry-After`, whatever the password, until failures leave the
/// window. The account is never locked for other addresses.
#[utoipa::path(post, path = "/api/v1/auth/token", tag = "auth", request_body = LoginForToken,
    responses((status = 201, body = NewToken),
        (status = 401, description = "`bad_credentials`: unknown user, wrong password or inactive account", body = ErrorBody),
        (status = 429, description = "`too_many_attempts`: too many failed logins from this address", body = ErrorBody,
            headers(("Retry-After" = u64, description = "Seconds until the next attempt is heard")))))]
async fn login_token(
    State(s): State<AppState>,
    ClientSource(source): ClientSource,
    ApiJson(b): ApiJson<LoginForToken>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    let name = b.token_name.unwrap_or_else(|| "api".into());
    let (info, token) =
        auth::password_token(&s.core, &b.username, &b.password, &name, &source).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })))
}

#[derive(Serialize, ToSchema)]
pub struct Me {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub permissions: Vec<String>,
    pub communities: Vec<i64>,
}

/// The caller: role, permissions and communities.
#[utoipa::path(get, path = "/api/v1/me", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(a: ApiCtx) -> Json<Me> {
    let c = a.ctx;
    Json(Me {
        id: c.user_id.0,
        username: c.username.clone(),
        display_name: c.display_name.clone(),
        role: c.role.clone(),
        permissions: c.perms.iter().map(|p| p.code().to_string()).collect(),
        communities: c
            .community_ids()
            .unwrap_or_default()
            .iter()
            .map(|c| c.0)
            .collect(),
    })
}

#[derive(Deserialize, ToSchema)]
pub struct PasswordChange {
    pub old_password: String,
    pub new_password: String,
}

/// Changes the caller's password.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "auth", security(("bearer" = [])), request_body = PasswordChange,
    responses((status = 204), (status = 422, body = ErrorBody)))]
async fn change_password(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<PasswordChange>,
) -> ApiResult<StatusCode> {
    let keep = Some(a.token.as_str());
    auth::change_password(&s.core, &a.ctx, &b.old_password, &b.new_password, keep).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller's API tokens.
#[utoipa::path(get, path = "/api/v1/me/tokens", tag = "auth", security(("bearer" = [])), responses((status = 200, body = Vec<ApiToken>)))]
async fn list_tokens(State(s): State<AppState>, a: ApiCtx) -> ApiResult<Json<Vec<ApiToken>>> {
    Ok(Json(auth::list_api_tokens(&s.core, &a.ctx).await?))
}

#[derive(Deserialize, ToSchema)]
pub struct TokenForCreate {
    pub name: String,
}

/// Creates an API token for the caller.
#[utoipa::path(post, path = "/api/v1/me/tokens", tag = "auth", security(("bearer" = [])), request_body = TokenForCreate,
    responses((status = 201, body = NewToken), (status = 422, body = ErrorBody)))]
async fn create_token(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiJson(b): ApiJson<TokenForCreate>,
) -> ApiResult<(StatusCode, Json<NewToken>)> {
    let (info, token) = auth::create_api_token(&s.core, &a.ctx, &b.name).await?;
    Ok((StatusCode::CREATED, Json(NewToken { token, info })))
}

/// Revokes a token (the caller's own; a user manager may revoke anyone's).
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "auth", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 204), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn revoke_token(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<StatusCode> {
    auth::revoke_api_token(&s.core, &a.ctx, ApiTokenId(id)).await?;
    Ok(StatusCode::NO_CONTENT)
}
