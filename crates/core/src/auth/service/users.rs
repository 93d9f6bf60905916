//! User and role administration: what a user manager (`users.manage`) does — list, create and
//! change users and their community assignments, set a role's permissions.

use std::collections::BTreeSet;

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::{CommunityId, CompanyId, UserId};
use crate::shared::values::required_text;

use super::super::error::AuthCode;
use super::super::model::*;
use super::super::store;
use super::hash_password;

pub async fn list_roles(core: &Core) -> CoreResult<Vec<Role>> {
    store::roles::list_roles(&core.db).await
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
    let before = store::roles::get_role(&core.db, code)
        .await?
        .ok_or(CoreError::NotFound("role"))?;
    let mut set = BTreeSet::new();
    for p in perms {
        set.insert(
            Perm::parse(p)
                .ok_or_else(|| CoreError::invalid("permissions", AuthCode::UnknownPermission))?,
        );
    }
    if code == "company_admin" && !set.contains(&Perm::UsersManage) {
        return Err(CoreError::invalid(
            "permissions",
            AuthCode::AdminKeepsUsersManage,
        ));
    }
    let joined: Vec<&str> = set.iter().map(|p| p.code()).collect();
    let mut tx = core.db.begin().await?;
    store::roles::set_permissions(&mut tx, code, joined.join(",")).await?;
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
    let users = store::users::list_users(&core.db, ctx.company_id).await?;
    let links = store::communities::company_links(&core.db, ctx.company_id).await?;
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
    let user = store::users::get_user(&core.db, ctx.company_id, id)
        .await?
        .ok_or(CoreError::NotFound("user"))?;
    let communities = store::communities::user_communities(&core.db, id).await?;
    Ok(UserView { user, communities })
}

/// Checks a role and an assignment, `role` and `communities` being what the user will have (the
/// new value or the one kept). Residents are not staff: an owner's reach comes from his unit, so
/// no staff form makes one; a committee member sits for one community.
async fn check_role_and_communities(
    core: &Core,
    ctx: &Ctx,
    checks: &mut Checks,
    role: Option<&str>,
    became_owner: bool,
    communities: Option<&[CommunityId]>,
) -> CoreResult<()> {
    if let Some(role) = role
        && store::roles::get_role(&core.db, role).await?.is_none()
    {
        checks.push(FieldError::new("role", AuthCode::UnknownRole));
    }
    if role == Some(OWNER_ROLE) && became_owner {
        checks.push(FieldError::new("role", AuthCode::OwnerAccountFromRegistry));
    }
    if role == Some(COMMITTEE_ROLE)
        && communities.is_some_and(|cs| cs.iter().collect::<BTreeSet<_>>().len() != 1)
    {
        checks.push(FieldError::new(
            "communities",
            AuthCode::CommitteeOneCommunity,
        ));
    }
    if let Some(cs) = communities {
        let found =
            crate::registry::store::for_auth::existing_communities(&core.db, ctx.company_id, cs)
                .await?;
        if found.len() != cs.iter().collect::<BTreeSet<_>>().len() {
            checks.push(FieldError::new("communities", AuthCode::UnknownCommunity));
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
        true,
        Some(&input.communities),
    )
    .await?;
    checks.finish()?;
    let (Some(username), Some(display)) = (username, display) else {
        return Err(CoreError::internal("validated fields missing"));
    };
    if store::users::id_by_username(&core.db, username.as_str())
        .await?
        .is_some()
    {
        return Err(CoreError::conflict("username", AuthCode::DuplicateUsername));
    }
    let hash = hash_password(core.settings.password_cost, &input.password).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let id = store::users::insert(
        &mut tx,
        ctx.company_id,
        username.as_str(),
        display,
        input.role.as_str(),
        hash,
        now,
    )
    .await
    .map_err(|e| e.or_conflict("username", AuthCode::DuplicateUsername))?;
    store::communities::set_communities(&mut tx, id, &input.communities).await?;
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
        checks.push(FieldError::new("active", AuthCode::CannotDeactivateSelf));
    }
    // The role and assignment the user will have: a change of either is checked with the other.
    let role = input.role.as_deref().unwrap_or(before.user.role.as_str());
    let communities = input.communities.as_deref().unwrap_or(&before.communities);
    let became_owner = role == OWNER_ROLE && before.user.role != OWNER_ROLE;
    if input.role.is_some() || input.communities.is_some() {
        check_role_and_communities(
            core,
            ctx,
            &mut checks,
            Some(role),
            became_owner,
            Some(communities),
        )
        .await?;
    }
    checks.finish()?;
    let hash = match input.reset_password.as_deref() {
        Some(p) => Some(hash_password(core.settings.password_cost, p).await?),
        None => None,
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    store::users::update(&mut tx, id, display, input.role.clone(), input.active, now).await?;
    if let Some(h) = hash {
        store::users::reset_password(&mut tx, id, h).await?;
    }
    // A reset password or a deactivation ends every session and every API token of the user.
    if input.reset_password.is_some() || input.active == Some(false) {
        store::sessions::delete_all_of(&mut tx, id).await?;
        store::tokens::revoke_all_of(&mut tx, id, "", now).await?;
    }
    if let Some(cs) = &input.communities {
        store::communities::set_communities(&mut tx, id, cs).await?;
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

/// The id of a username (case-insensitive), for the operator's CLI and test fixtures.
pub async fn user_id_by_username(core: &Core, username: &str) -> CoreResult<Option<UserId>> {
    store::users::id_by_username(&core.db, username.trim().to_lowercase().as_str()).await
}

/// Creates a user as the system (CLI `wuye user create`, demo data): no permission check.
pub async fn create_user_as_system(
    core: &Core,
    company: CompanyId,
    input: UserForCreate,
) -> CoreResult<UserView> {
    create_user(core, &Ctx::system(company), input).await
}
