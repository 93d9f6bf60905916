//! Use cases of accounts: login, sessions, API tokens, user and role administration.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use argon2::{Algorithm, Argon2, Params, PasswordHasher, PasswordVerifier, Version};
use chrono::{Duration, Utc};

use crate::args;
use crate::audit::{self, Action, Entry};
use crate::shared::crypto::{random_bytes, random_token, token_hash};
use crate::shared::ctx::{Ctx, Perm, Scope};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::{ApiTokenId, CommunityId, CompanyId, UserId};
use crate::shared::values::required_text;
use crate::{Core, PasswordCost};

use super::model::*;
use super::store::{self, USER_COLS};

fn argon(cost: PasswordCost) -> Argon2<'static> {
    let params = match cost {
        PasswordCost::Standard => Params::new(19 * 1024, 2, 1, None),
        PasswordCost::Low => Params::new(64, 1, 1, None),
    }
    .expect("valid Argon2 parameters");
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

/// Argon2id hash (PHC string), computed off the async runtime.
pub async fn hash_password(cost: PasswordCost, password: &str) -> CoreResult<String> {
    let pw = password.to_owned();
    tokio::task::spawn_blocking(move || {
        let salt = random_bytes::<16>();
        argon(cost)
            .hash_password_with_salt(pw.as_bytes(), &salt)
            .map(|h| h.to_string())
            .map_err(CoreError::internal)
    })
    .await
    .map_err(CoreError::internal)?
}

/// Checks a password against a stored hash; the parameters come from the hash itself.
pub async fn verify_password(hash: &str, password: &str) -> bool {
    let (h, pw) = (hash.to_owned(), password.to_owned());
    tokio::task::spawn_blocking(move || {
        Argon2::default()
            .verify_password(pw.as_bytes(), h.as_str())
            .is_ok()
    })
    .await
    .unwrap_or(false)
}

/// Inserts the built-in roles that are missing (an admin's edits to existing ones are kept).
pub async fn ensure_roles(core: &Core) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    for r in BUILTIN_ROLES {
        let perms: Vec<&str> = r.perms.iter().map(|p| p.code()).collect();
        tx.execute(
            "INSERT INTO roles (code, name_zh, name_en, permissions, all_communities, builtin) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (code) DO NOTHING",
            args![
                r.code,
                r.name_zh,
                r.name_en,
                perms.join(","),
                r.all_communities,
                true
            ],
        )
        .await?;
    }
    tx.commit().await
}

/// What a successful login hands back.
#[derive(Debug)]
pub struct LoginOk {
    /// The session token for the cookie (only its hash is stored).
    pub token: String,
    pub ctx: Ctx,
    pub must_change_password: bool,
}

fn system_ctx_for(company: CompanyId, user: UserId, username: &str) -> Ctx {
    let mut c = Ctx::system(company);
    c.user_id = user;
    c.username = username.to_owned();
    c.display_name = username.to_owned();
    c
}

/// Checks the password and verifies the account is usable. Every failure answers the same
/// `bad_credentials` (no hint whether the user exists) except a locked account.
async fn authenticate(
    core: &Core,
    username: &str,
    password: &str,
) -> CoreResult<(UserId, CompanyId)> {
    let username = username.trim().to_lowercase();
    if username.is_empty() || username.len() > 64 || username.chars().any(char::is_control) {
        return Err(CoreError::Unauthorized("bad_credentials"));
    }
    let row = store::login_row(&core.db, &username).await?;
    let Some(row) = row else {
        // Spend the same time as a real check so timing does not reveal unknown users.
        static DUMMY: OnceLock<String> = OnceLock::new();
        let dummy = match DUMMY.get() {
            Some(d) => d.clone(),
            None => {
                let d = hash_password(core.settings.password_cost, "not-a-password-0").await?;
                DUMMY.get_or_init(|| d).clone()
            }
        };
        verify_password(&dummy, password).await;
        return Err(CoreError::Unauthorized("bad_credentials"));
    };
    let now = Utc::now();
    if row.locked_until.is_some_and(|t| t > now) {
        return Err(CoreError::Unauthorized("account_locked"));
    }
    let ok = verify_password(&row.password_hash, password).await;
    let actor = system_ctx_for(row.company_id, row.id, &username);
    let mut tx = core.db.begin().await?;
    if !ok || !row.active {
        // Counted in the database, not from the value read before the password check: parallel
        // guesses each add one, so a burst of them cannot all see the same count and slip by.
        let (failures,): (i64,) = tx
            .fetch_one(
                "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
                args![row.id],
            )
            .await?;
        let locked = lock_after_failure(failures).map(|d| now + d);
        if locked.is_some() {
            tx.execute(
                "UPDATE users SET locked_until = $1 WHERE id = $2",
                args![locked, row.id],
            )
            .await?;
        }
        audit::record(
            &mut tx,
            &actor,
            Entry::new(Action::LoginFailed, "user", row.id.0)
                .after(&serde_json::json!({ "failed_logins": failures, "locked_until": locked })),
        )
        .await?;
        tx.commit().await?;
        return Err(CoreError::Unauthorized(if locked.is_some() {
            "account_locked"
        } else {
            "bad_credentials"
        }));
    }
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        args![row.id],
    )
    .await?;
    audit::record(&mut tx, &actor, Entry::new(Action::Login, "user", row.id.0)).await?;
    tx.commit().await?;
    Ok((row.id, row.company_id))
}

/// Logs in with a password and opens a session. `previous` is the session the browser had, which
/// is ended: a session id is never carried across a login (session fixation).
pub async fn login(
    core: &Core,
    username: &str,
    password: &str,
    previous: Option<&str>,
) -> CoreResult<LoginOk> {
    let (user_id, _) = authenticate(core, username, password).await?;
    let token = random_token();
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if let Some(prev) = previous {
        tx.execute(
            "DELETE FROM sessions WHERE token_hash = $1",
            args![token_hash(prev)],
        )
        .await?;
    }
    // Expired sessions of this user are cleared at each login, so the table does not grow.
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2",
        args![user_id, now],
    )
    .await?;
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        args![token_hash(&token), user_id, now, now + core.settings.session_max],
    )
    .await?;
    tx.commit().await?;
    let ctx = load_ctx(core, user_id).await?;
    let must_change = store::get_user(&core.db, ctx.company_id, user_id)
        .await?
        .is_some_and(|u| u.must_change_password);
    Ok(LoginOk {
        token,
        ctx,
        must_change_password: must_change,
    })
}

/// Builds the context of an active user.
pub async fn load_ctx(core: &Core, user: UserId) -> CoreResult<Ctx> {
    let row = store::ctx_row_read(&core.db, user)
        .await?
        .filter(|r| r.active)
        .ok_or(CoreError::Unauthorized("session_expired"))?;
    let perms: BTreeSet<Perm> = row
        .permissions
        .split(',')
        .filter_map(|p| Perm::parse(p.trim()))
        .collect();
    // "All communities" is resolved to the company's list here, so `Ctx::reaches` can never
    // let a user of one company into another company's community.
    let scope = if row.all_communities {
        let ids: Vec<(CommunityId,)> = core
            .db
            .read()
            .fetch_all(
                "SELECT id FROM communities WHERE company_id = $1",
                args![row.company_id],
            )
            .await?;
        Scope::Only(ids.into_iter().map(|r| r.0).collect())
    } else {
        Scope::Only(
            store::user_communities(&core.db, row.id)
                .await?
                .into_iter()
                .collect(),
        )
    };
    Ok(Ctx {
        user_id: row.id,
        company_id: row.company_id,
        username: row.username,
        display_name: row.display_name,
        role: row.role,
        perms,
        scope,
        must_change_password: row.must_change_password,
    })
}

/// The context of a session cookie; an expired or idle session is deleted and refused.
pub async fn session_ctx(core: &Core, token: &str) -> CoreResult<Ctx> {
    #[derive(sqlx::FromRow)]
    struct S {
        user_id: UserId,
        last_seen_at: chrono::DateTime<Utc>,
        expires_at: chrono::DateTime<Utc>,
    }
    let h = token_hash(token);
    let s: Option<S> = core
        .db
        .read()
        .fetch_optional(
            "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
            args![h.as_str()],
        )
        .await?;
    let Some(s) = s else {
        return Err(CoreError::Unauthorized("session_expired"));
    };
    let now = Utc::now();
    if now >= s.expires_at || now - s.last_seen_at > core.settings.session_idle {
        let mut tx = core.db.begin().await?;
        tx.execute("DELETE FROM sessions WHERE token_hash = $1", args![h])
            .await?;
        tx.commit().await?;
        return Err(CoreError::Unauthorized("session_expired"));
    }
    // Touch at most once a minute: a page view should not always cost a write.
    if now - s.last_seen_at > Duration::seconds(60) {
        let mut tx = core.db.begin().await?;
        tx.execute(
            "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
            args![now, h],
        )
        .await?;
        tx.commit().await?;
    }
    load_ctx(core, s.user_id).await
}

/// Ends a session; the logout is audit-logged for the session's user.
pub async fn logout(core: &Core, token: &str) -> CoreResult<()> {
    let h = token_hash(token);
    let mut tx = core.db.begin().await?;
    let user: Option<(UserId, CompanyId, String)> = tx
        .fetch_optional(
            "SELECT u.id, u.company_id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
            args![h.as_str()],
        )
        .await?;
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", args![h])
        .await?;
    if let Some((id, company, username)) = user {
        let actor = system_ctx_for(company, id, &username);
        audit::record(&mut tx, &actor, Entry::new(Action::Logout, "user", id.0)).await?;
    }
    tx.commit().await
}

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
    #[derive(sqlx::FromRow)]
    struct T {
        id: ApiTokenId,
        user_id: UserId,
        last_used_at: Option<chrono::DateTime<Utc>>,
    }
    let t: Option<T> = core
        .db
        .read()
        .fetch_optional(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
            args![token_hash(token), Utc::now()],
        )
        .await?;
    let t = t.ok_or(CoreError::Unauthorized("invalid_token"))?;
    let now = Utc::now();
    if t.last_used_at
        .is_none_or(|l| now - l > Duration::seconds(60))
    {
        let mut tx = core.db.begin().await?;
        tx.execute(
            "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
            args![now, t.id],
        )
        .await?;
        tx.commit().await?;
    }
    load_ctx(core, t.user_id)
        .await
        .map_err(|_| CoreError::Unauthorized("invalid_token"))
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
    expires_at: Option<chrono::DateTime<Utc>>,
) -> CoreResult<(ApiToken, String)> {
    let name = required_text("name", name, 64).map_err(|e| CoreError::Invalid(vec![e]))?;
    let token = format!("wy_{}", random_token());
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let t: ApiToken = tx
        .fetch_one(
            "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) \
             RETURNING id, name, prefix, created_at, last_used_at, revoked_at, expires_at",
            args![ctx.user_id, name, token_hash(&token), token[..10].to_string(), now, expires_at],
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
) -> CoreResult<(ApiToken, String)> {
    let (user, company) = authenticate(core, username, password).await?;
    if store::get_user(&core.db, company, user)
        .await?
        .is_some_and(|u| u.must_change_password)
    {
        return Err(CoreError::Unauthorized("password_change_required"));
    }
    let ctx = load_ctx(core, user).await?;
    let expires = Utc::now() + Duration::days(PASSWORD_TOKEN_DAYS);
    insert_api_token(core, &ctx, name, Some(expires)).await
}

pub async fn list_api_tokens(core: &Core, ctx: &Ctx) -> CoreResult<Vec<ApiToken>> {
    core.db
        .read()
        .fetch_all(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
            args![ctx.user_id],
        )
        .await
}

/// Revokes one of the acting user's tokens (a user manager may revoke anyone's in the company).
pub async fn revoke_api_token(core: &Core, ctx: &Ctx, id: ApiTokenId) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    let owner: Option<(UserId, CompanyId)> = tx
        .fetch_optional(
            "SELECT t.user_id, u.company_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
            args![id],
        )
        .await?;
    let Some((owner, company)) = owner else {
        return Err(CoreError::NotFound("api_token"));
    };
    if company != ctx.company_id || (owner != ctx.user_id && !ctx.has(Perm::UsersManage)) {
        return Err(CoreError::NotFound("api_token"));
    }
    let n = tx
        .execute(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
            args![Utc::now(), id],
        )
        .await?;
    if n == 0 {
        return Err(CoreError::conflict("id", "already_revoked"));
    }
    audit::record(&mut tx, ctx, Entry::new(Action::Delete, "api_token", id.0)).await?;
    tx.commit().await?;
    core.forget_ctx();
    Ok(())
}

/// Changes the acting user's password. Every other session of the user ends (a stolen session
/// must not outlive the password it was opened with); `keep_session` is the token of the session
/// making the change, if it is a console session.
pub async fn change_password(
    core: &Core,
    ctx: &Ctx,
    old: &str,
    new: &str,
    keep_session: Option<&str>,
) -> CoreResult<()> {
    #[derive(sqlx::FromRow)]
    struct H {
        password_hash: String,
    }
    let h: H = core
        .db
        .read()
        .fetch_optional(
            "SELECT password_hash FROM users WHERE id = $1",
            args![ctx.user_id],
        )
        .await?
        .ok_or(CoreError::NotFound("user"))?;
    if !verify_password(&h.password_hash, old).await {
        return Err(CoreError::invalid("old_password", "wrong_password"));
    }
    check_password("new_password", new).map_err(|e| CoreError::Invalid(vec![e]))?;
    if old == new {
        return Err(CoreError::invalid("new_password", "password_unchanged"));
    }
    let hash = hash_password(core.settings.password_cost, new).await?;
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4",
        args![hash, false, Utc::now(), ctx.user_id],
    )
    .await?;
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        args![
            ctx.user_id,
            keep_session.map(token_hash).unwrap_or_default()
        ],
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "user", ctx.user_id.0)
            .after(&serde_json::json!({ "password": "changed" })),
    )
    .await?;
    tx.commit().await?;
    core.forget_ctx();
    Ok(())
}

pub async fn list_roles(core: &Core) -> CoreResult<Vec<Role>> {
    core.db
        .read()
        .fetch_all(
            "SELECT code, name_zh, name_en, permissions, all_communities, builtin FROM roles ORDER BY builtin DESC, code",
            args![],
        )
        .await
}

/// Sets the permissions of a role. The company admin role keeps user management, so the
/// company can never lock itself out.
pub async fn update_role_perms(
    core: &Core,
    ctx: &Ctx,
    code: &str,
    perms: &[String],
) -> CoreResult<Role> {
    ctx.require(Perm::UsersManage)?;
    let before = store::get_role(&core.db, code)
        .await?
        .ok_or(CoreError::NotFound("role"))?;
    let mut set = BTreeSet::new();
    for p in perms {
        set.insert(
            Perm::parse(p)
                .ok_or_else(|| CoreError::invalid("permissions", "unknown_permission"))?,
        );
    }
    if code == "company_admin" && !set.contains(&Perm::UsersManage) {
        return Err(CoreError::invalid(
            "permissions",
            "admin_keeps_users_manage",
        ));
    }
    let joined: Vec<&str> = set.iter().map(|p| p.code()).collect();
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE roles SET permissions = $1 WHERE code = $2",
        args![joined.join(","), code],
    )
    .await?;
    let after = Role {
        permissions: joined.join(","),
        ..before.clone()
    };
    let mut e = Entry::new(Action::Update, "role", 0)
        .before(&before)
        .after(&after);
    e.entity_id = None;
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    core.forget_ctx();
    Ok(after)
}

pub async fn list_users(core: &Core, ctx: &Ctx) -> CoreResult<Vec<UserView>> {
    ctx.require(Perm::UsersManage)?;
    let users: Vec<User> = core
        .db
        .read()
        .fetch_all(
            &format!("SELECT {USER_COLS} FROM users WHERE company_id = $1 ORDER BY username"),
            args![ctx.company_id],
        )
        .await?;
    let links: Vec<(UserId, CommunityId)> = core
        .db
        .read()
        .fetch_all(
            "SELECT uc.user_id, uc.community_id FROM user_communities uc JOIN users u ON u.id = uc.user_id \
             WHERE u.company_id = $1 ORDER BY uc.community_id",
            args![ctx.company_id],
        )
        .await?;
    Ok(users
        .into_iter()
        .map(|u| {
            let communities = links.iter().filter(|l| l.0 == u.id).map(|l| l.1).collect();
            UserView {
                user: u,
                communities,
            }
        })
        .collect())
}

pub async fn get_user(core: &Core, ctx: &Ctx, id: UserId) -> CoreResult<UserView> {
    if id != ctx.user_id {
        ctx.require(Perm::UsersManage)?;
    }
    let user = store::get_user(&core.db, ctx.company_id, id)
        .await?
        .ok_or(CoreError::NotFound("user"))?;
    let communities = store::user_communities(&core.db, id).await?;
    Ok(UserView { user, communities })
}

async fn check_role_and_communities(
    core: &Core,
    ctx: &Ctx,
    checks: &mut Checks,
    role: Option<&str>,
    communities: Option<&[CommunityId]>,
) -> CoreResult<()> {
    if let Some(role) = role
        && store::get_role(&core.db, role).await?.is_none()
    {
        checks.push(FieldError::new("role", "unknown_role"));
    }
    if let Some(cs) = communities {
        let found = store::existing_communities(&core.db, ctx.company_id, cs).await?;
        if found.len() != cs.iter().collect::<BTreeSet<_>>().len() {
            checks.push(FieldError::new("communities", "unknown_community"));
        }
    }
    Ok(())
}

pub async fn create_user(core: &Core, ctx: &Ctx, input: UserForCreate) -> CoreResult<UserView> {
    ctx.require(Perm::UsersManage)?;
    let mut checks = Checks::new();
    let username = checks.take(parse_username("username", &input.username));
    let display = checks.take(required_text("display_name", &input.display_name, 50));
    checks.take(check_password("password", &input.password));
    check_role_and_communities(
        core,
        ctx,
        &mut checks,
        Some(&input.role),
        Some(&input.communities),
    )
    .await?;
    checks.finish()?;
    let (Some(username), Some(display)) = (username, display) else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let exists: Option<(UserId,)> = core
        .db
        .read()
        .fetch_optional(
            "SELECT id FROM users WHERE username = $1",
            args![username.as_str()],
        )
        .await?;
    if exists.is_some() {
        return Err(CoreError::conflict("username", "duplicate_username"));
    }
    let hash = hash_password(core.settings.password_cost, &input.password).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let id = tx
        .insert_id(
            "INSERT INTO users (company_id, username, display_name, role, password_hash, active, must_change_password, \
             failed_logins, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
            args![ctx.company_id, username.as_str(), display, input.role.as_str(), hash, true, true, now],
        )
        .await
        .map_err(|e| if e.is_unique_violation() { CoreError::conflict("username", "duplicate_username") } else { e })?;
    let id = UserId(id);
    store::set_communities(&mut tx, id, &input.communities).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "user", id.0).after(&serde_json::json!({
            "username": username, "role": input.role, "communities": input.communities
        })),
    )
    .await?;
    tx.commit().await?;
    get_user(core, ctx, id).await
}

pub async fn update_user(
    core: &Core,
    ctx: &Ctx,
    id: UserId,
    input: UserForUpdate,
) -> CoreResult<UserView> {
    ctx.require(Perm::UsersManage)?;
    let before = get_user(core, ctx, id).await?;
    let mut checks = Checks::new();
    let display = match input.display_name.as_deref() {
        Some(d) => checks.take(required_text("display_name", d, 50)),
        None => None,
    };
    if let Some(p) = input.reset_password.as_deref() {
        checks.take(check_password("reset_password", p));
    }
    if id == ctx.user_id && input.active == Some(false) {
        checks.push(FieldError::new("active", "cannot_deactivate_self"));
    }
    check_role_and_communities(
        core,
        ctx,
        &mut checks,
        input.role.as_deref(),
        input.communities.as_deref(),
    )
    .await?;
    checks.finish()?;
    let hash = match input.reset_password.as_deref() {
        Some(p) => Some(hash_password(core.settings.password_cost, p).await?),
        None => None,
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE users SET display_name = COALESCE($1, display_name), role = COALESCE($2, role), \
         active = COALESCE($3, active), updated_at = $4 WHERE id = $5",
        args![display, input.role.clone(), input.active, now, id],
    )
    .await?;
    if let Some(h) = hash {
        tx.execute(
            "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
            args![h, true, id],
        )
        .await?;
        // A reset password ends every open session of the user.
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
            .await?;
    }
    if input.active == Some(false) {
        tx.execute("DELETE FROM sessions WHERE user_id = $1", args![id])
            .await?;
    }
    if let Some(cs) = &input.communities {
        store::set_communities(&mut tx, id, cs).await?;
    }
    let after = serde_json::json!({
        "display_name": input.display_name, "role": input.role, "active": input.active,
        "communities": input.communities, "password_reset": input.reset_password.is_some(),
    });
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "user", id.0)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    core.forget_ctx();
    get_user(core, ctx, id).await
}

/// Creates the first company (when the database has none) and returns its id.
pub async fn ensure_company(core: &Core, name: &str) -> CoreResult<CompanyId> {
    let existing: Option<(CompanyId,)> = core
        .db
        .read()
        .fetch_optional("SELECT id FROM companies ORDER BY id LIMIT 1", args![])
        .await?;
    let mut tx = core.db.begin().await?;
    let id = match existing {
        Some((id,)) => id,
        None => CompanyId(
            tx.insert_id(
                "INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id",
                args![name, Utc::now()],
            )
            .await?,
        ),
    };
    // Request categories came with the tickets module: a company from before it gets them too.
    crate::tickets::store::seed_categories(&mut tx, id).await?;
    tx.commit().await?;
    Ok(id)
}

/// Creates a user as the system (CLI `wuye user create`, demo data): no permission check.
pub async fn create_user_as_system(
    core: &Core,
    company: CompanyId,
    input: UserForCreate,
) -> CoreResult<UserView> {
    create_user(core, &Ctx::system(company), input).await
}
