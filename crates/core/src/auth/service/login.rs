//! Password login (throttled per source address and account, see `attempts`), console sessions, the context of a logged-in user, logout
//! and the change of one's own password: the use cases of someone holding a password or a
//! session cookie.

use std::sync::OnceLock;

use chrono::{Duration, Utc};

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::crypto::{random_token, token_hash};
use crate::shared::ctx::{Ctx, Scope};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::{CompanyId, UserId};

use super::super::error::AuthCode;
use super::super::model::*;
use super::super::store;
use super::super::throttle::LoginSource;
use super::attempts;
use super::{hash_password, system_ctx_for, verify_password};

/// What a successful login hands back.
#[derive(Debug)]
pub struct LoginOk {
    /// The session token for the cookie (only its hash is stored).
    pub token: String,
    pub ctx: Ctx,
    pub must_change_password: bool,
}

/// Checks the password and verifies the account is usable. Every failure answers the same
/// `bad_credentials` (no hint whether the user exists); a source that has failed too often (at
/// all, or at this account) is refused with `too_many_attempts` before the password is checked.
/// The account itself is never locked: a stranger's guesses must not lock out its owner.
pub(super) async fn authenticate(
    core: &Core,
    username: &str,
    password: &str,
    source: &LoginSource,
) -> CoreResult<(UserId, CompanyId)> {
    let username = username.trim().to_lowercase();
    let attempt = attempts::begin(core, source, &username).await?;
    if username.is_empty() || username.len() > 64 || username.chars().any(char::is_control) {
        return Err(CoreError::unauthorized(AuthCode::BadCredentials));
    }
    let row = store::users::login_row(&core.db, &username).await?;
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
        return Err(CoreError::unauthorized(AuthCode::BadCredentials));
    };
    let ok = verify_password(&row.password_hash, password).await;
    let actor = system_ctx_for(row.company_id, row.id, &username);
    let mut tx = core.db.begin().await?;
    if !ok || !row.active {
        // The user's count of failures since the last success is for the administrator's eyes
        // (and the audit entry); the throttle counts per source in `attempts`.
        let failures = store::users::count_failed_login(&mut tx, row.id).await?;
        audit::record(
            &mut tx,
            &actor,
            Entry::new(Action::LoginFailed, "user", row.id.0).after(
                &serde_json::json!({ "failed_logins": failures, "source": source.as_str() }),
            ),
        )
        .await?;
        tx.commit().await?;
        return Err(CoreError::unauthorized(AuthCode::BadCredentials));
    }
    attempts::succeeded(&mut tx, &attempt).await?;
    store::users::clear_failures(&mut tx, row.id).await?;
    audit::record(&mut tx, &actor, Entry::new(Action::Login, "user", row.id.0)).await?;
    tx.commit().await?;
    Ok((row.id, row.company_id))
}

/// Logs in with a password and opens a session. `previous` is the session the browser had, which
/// is ended: a session id is never carried across a login (session fixation). `source` is the
/// client's address, for the throttle.
pub async fn login(
    core: &Core,
    username: &str,
    password: &str,
    previous: Option<&str>,
    source: &LoginSource,
) -> CoreResult<LoginOk> {
    let (user_id, _) = authenticate(core, username, password, source).await?;
    let token = random_token();
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if let Some(prev) = previous {
        store::sessions::delete(&mut tx, &token_hash(prev)).await?;
    }
    // Expired sessions of this user are cleared at each login, so the table does not grow.
    store::sessions::delete_expired(&mut tx, user_id, now).await?;
    store::sessions::insert(
        &mut tx,
        &token_hash(&token),
        user_id,
        now,
        now + core.settings.session_max,
    )
    .await?;
    tx.commit().await?;
    let ctx = load_ctx(core, user_id).await?;
    let must_change = store::users::get_user(&core.db, ctx.company_id, user_id)
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
    let row = store::users::ctx_row_read(&core.db, user)
        .await?
        .filter(|r| r.active)
        .ok_or(CoreError::unauthorized(AuthCode::SessionExpired))?;
    let perms = decode_perms(&row.permissions)?;
    // "All communities" is resolved to the company's list here, so `Ctx::reaches` can never
    // let a user of one company into another company's community.
    let scope = if row.role == OWNER_ROLE {
        // What he owns decides: the community where his account's person still has a unit.
        Scope::Only(
            crate::portal::store::reach_of(&core.db, row.id)
                .await?
                .into_iter()
                .collect(),
        )
    } else if row.role == COMMITTEE_ROLE {
        // A committee sits for one community; an account assigned to several (made before the
        // rule) reaches none until an admin names the one.
        let mine = store::communities::user_communities(&core.db, row.id).await?;
        Scope::Only(if mine.len() == 1 {
            mine.into_iter().collect()
        } else {
            Default::default()
        })
    } else if row.all_communities {
        Scope::Only(
            crate::registry::store::for_auth::company_communities(&core.db, row.company_id)
                .await?
                .into_iter()
                .collect(),
        )
    } else {
        Scope::Only(
            store::communities::user_communities(&core.db, row.id)
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
    let h = token_hash(token);
    let Some(s) = store::sessions::by_hash(&core.db, &h).await? else {
        return Err(CoreError::unauthorized(AuthCode::SessionExpired));
    };
    let now = Utc::now();
    if now >= s.expires_at || now - s.last_seen_at > core.settings.session_idle {
        let mut tx = core.db.begin().await?;
        store::sessions::delete(&mut tx, &h).await?;
        tx.commit().await?;
        return Err(CoreError::unauthorized(AuthCode::SessionExpired));
    }
    // Touch at most once a minute: a page view should not always cost a write.
    if now - s.last_seen_at > Duration::seconds(60) {
        let mut tx = core.db.begin().await?;
        store::sessions::touch(&mut tx, &h, now).await?;
        tx.commit().await?;
    }
    load_ctx(core, s.user_id).await
}

/// Ends a session; the logout is audit-logged for the session's user.
pub async fn logout(core: &Core, token: &str) -> CoreResult<()> {
    let h = token_hash(token);
    let mut tx = core.db.begin().await?;
    let user = store::sessions::user_of(&mut tx, &h).await?;
    store::sessions::delete(&mut tx, &h).await?;
    if let Some((id, company, username)) = user {
        let actor = system_ctx_for(company, id, &username);
        audit::record(&mut tx, &actor, Entry::new(Action::Logout, "user", id.0)).await?;
    }
    tx.commit().await
}

/// Changes the acting user's password. Every other session and every API token of the user ends
/// (a stolen session or token must not outlive the password it was got with); `keep_session` is
/// the secret of the console session or the API token making the change, which goes on.
pub async fn change_password(
    core: &Core,
    ctx: &Ctx,
    old: &str,
    new: &str,
    keep_session: Option<&str>,
) -> CoreResult<()> {
    let stored = store::users::password_hash(&core.db, ctx.user_id)
        .await?
        .ok_or(CoreError::NotFound("user"))?;
    if !verify_password(&stored, old).await {
        return Err(CoreError::invalid("old_password", AuthCode::WrongPassword));
    }
    check_password("new_password", new).map_err(|e| CoreError::Invalid(vec![e]))?;
    if old == new {
        return Err(CoreError::invalid(
            "new_password",
            AuthCode::PasswordUnchanged,
        ));
    }
    let hash = hash_password(core.settings.password_cost, new).await?;
    let mut tx = core.db.begin().await?;
    store::users::set_own_password(&mut tx, ctx.user_id, hash, Utc::now()).await?;
    let keep = keep_session.map(token_hash).unwrap_or_default();
    store::sessions::delete_others(&mut tx, ctx.user_id, &keep).await?;
    store::tokens::revoke_all_of(&mut tx, ctx.user_id, &keep, Utc::now()).await?;
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
