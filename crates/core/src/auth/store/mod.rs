//! SQL of accounts.

pub mod for_registry;
pub mod for_tickets;

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId, UserId};

use super::model::{Role, User};

pub(super) const USER_COLS: &str = "id, username, display_name, role, active, must_change_password, failed_logins, locked_until, created_at";

#[derive(sqlx::FromRow)]
pub(super) struct LoginRow {
    pub id: UserId,
    pub company_id: CompanyId,
    pub password_hash: String,
    pub active: bool,
    pub locked_until: Option<DateTime<Utc>>,
}

#[derive(sqlx::FromRow)]
pub(super) struct CtxRow {
    pub id: UserId,
    pub company_id: CompanyId,
    pub username: String,
    pub display_name: String,
    pub role: String,
    pub active: bool,
    pub must_change_password: bool,
    pub permissions: String,
    pub all_communities: bool,
}

pub(super) async fn login_row(db: &Db, username: &str) -> CoreResult<Option<LoginRow>> {
    db.read()
        .fetch_optional(
            "SELECT id, company_id, password_hash, active, locked_until FROM users WHERE username = $1",
            args![username],
        )
        .await
}

pub(super) async fn ctx_row_read(db: &Db, user: UserId) -> CoreResult<Option<CtxRow>> {
    db.read()
        .fetch_optional(
            "SELECT u.id, u.company_id, u.username, u.display_name, u.role, u.active, u.must_change_password, r.permissions, r.all_communities \
             FROM users u JOIN roles r ON r.code = u.role WHERE u.id = $1",
            args![user],
        )
        .await
}

pub(super) async fn user_communities(db: &Db, user: UserId) -> CoreResult<Vec<CommunityId>> {
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            "SELECT community_id FROM user_communities WHERE user_id = $1 ORDER BY community_id",
            args![user],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub(super) async fn get_user(db: &Db, company: CompanyId, id: UserId) -> CoreResult<Option<User>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {USER_COLS} FROM users WHERE id = $1 AND company_id = $2"),
            args![id, company],
        )
        .await
}

pub(super) async fn get_role(db: &Db, code: &str) -> CoreResult<Option<Role>> {
    db.read()
        .fetch_optional(
            "SELECT code, name_zh, name_en, permissions, all_communities, builtin FROM roles WHERE code = $1",
            args![code],
        )
        .await
}

pub(super) async fn set_communities(
    tx: &mut Tx,
    user: UserId,
    communities: &[CommunityId],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM user_communities WHERE user_id = $1",
        args![user],
    )
    .await?;
    for c in communities {
        tx.execute(
            "INSERT INTO user_communities (user_id, community_id) VALUES ($1, $2)",
            args![user, *c],
        )
        .await?;
    }
    Ok(())
}

/// Community ids among `ids` that exist in the company.
pub(super) async fn existing_communities(
    db: &Db,
    company: CompanyId,
    ids: &[CommunityId],
) -> CoreResult<Vec<CommunityId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let company_ph = a.push(company);
    let list: Vec<String> = ids.iter().map(|c| a.push(*c)).collect();
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            &format!(
                "SELECT id FROM communities WHERE company_id = {company_ph} AND id IN ({})",
                list.join(",")
            ),
            a,
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
