//! API tokens: the context a bearer token opens (cached, so an API call does not always cost a
//! read), tokens created for integrations and tokens obtained with a password, their list and
//! their revocation.

use chrono::{DateTime, Duration, Utc};

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::crypto::{random_token, token_hash};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::ApiTokenId;
use crate::shared::values::required_text;

use super::super::error::AuthCode;
use super::super::model::*;
use super::super::store;
use super::super::throttle::LoginSource;
use super::load_ctx;
use super::login::authenticate;

/// The context of an API bearer token.
pub async fn token_ctx(core: &Core, token: &str) -> CoreResult<Ctx> {
    let hash = token_hash(token);
    if let Some(c) = core.cached_ctx(&hash) {
        return Ok(c);
    }
    let ctx = token_ctx_read(core, token).await?;
    core.cache_ctx(hash, &ctx);
    Ok(ctx)
}

async fn token_ctx_read(core: &Core, token: &str) -> CoreResult<Ctx> {
    let t = store::tokens::active(&core.db, token_hash(token), Utc::now())
        .await?
        .ok_or(CoreError::unauthorized(AuthCode::InvalidToken))?;
    let now = Utc::now();
    if t.last_used_at
        .is_none_or(|l| now - l > Duration::seconds(60))
    {
        let mut tx = core.db.begin().await?;
        store::tokens::touch(&mut tx, t.id, now).await?;
        tx.commit().await?;
    }
    load_ctx(core, t.user_id)
        .await
        .map_err(|_| CoreError::unauthorized(AuthCode::InvalidToken))
}

/// Creates an API token for the acting user; the clear token is returned once, only its hash kept.
pub async fn create_api_token(
    core: &Core,
    ctx: &Ctx,
    name: &str,
) -> CoreResult<(ApiToken, String)> {
    insert_api_token(core, ctx, name, None).await
}

async fn insert_api_token(
    core: &Core,
    ctx: &Ctx,
    name: &str,
    expires_at: Option<DateTime<Utc>>,
) -> CoreResult<(ApiToken, String)> {
    let name = required_text("name", name, 64).map_err(|e| CoreError::Invalid(vec![e]))?;
    let token = format!("wy_{}", random_token());
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let t = store::tokens::insert(
        &mut tx,
        ctx.user_id,
        name,
        token_hash(&token),
        token[..10].to_string(),
        now,
        expires_at,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "api_token", t.id.0).after(&t),
    )
    .await?;
    tx.commit().await?;
    Ok((t, token))
}

/// Logs in with a password and returns a new API token (for integrations that start from a
/// username and password). Throttled like the console login.
pub async fn password_token(
    core: &Core,
    username: &str,
    password: &str,
    name: &str,
    source: &LoginSource,
) -> CoreResult<(ApiToken, String)> {
    let (user, company) = authenticate(core, username, password, source).await?;
    if store::users::get_user(&core.db, company, user)
        .await?
        .is_some_and(|u| u.must_change_password)
    {
        return Err(CoreError::unauthorized(AuthCode::PasswordChangeRequired));
    }
    let ctx = load_ctx(core, user).await?;
    let expires = Utc::now() + Duration::days(PASSWORD_TOKEN_DAYS);
    insert_api_token(core, &ctx, name, Some(expires)).await
}

pub async fn list_api_tokens(core: &Core, ctx: &Ctx) -> CoreResult<Vec<ApiToken>> {
    store::tokens::list(&core.db, ctx.user_id).await
}

/// Revokes one of the acting user's tokens (a user manager may revoke anyone's in the company).
pub async fn revoke_api_token(core: &Core, ctx: &Ctx, id: ApiTokenId) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    let Some((owner, company)) = store::tokens::holder(&mut tx, id).await? else {
        return Err(CoreError::NotFound("api_token"));
    };
    if company != ctx.company_id || (owner != ctx.user_id && !ctx.has(Perm::UsersManage)) {
        return Err(CoreError::NotFound("api_token"));
    }
    if store::tokens::revoke(&mut tx, id, Utc::now()).await? == 0 {
        return Err(CoreError::conflict("id", AuthCode::AlreadyRevoked));
    }
    audit::record(&mut tx, ctx, Entry::new(Action::Delete, "api_token", id.0)).await?;
    tx.commit().await?;
    core.forget_ctx();
    Ok(())
}
