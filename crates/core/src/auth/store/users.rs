//! SQL of the users table: the login and context reads, the count of failed logins shown to
//! administrators, and the writes of user administration.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CompanyId, UserId};

use super::super::model::User;

pub(crate) const USER_COLS: &str = "id, username, display_name, role, active, must_change_password, failed_logins, locked_until, created_at";

#[derive(sqlx::FromRow)]
pub(crate) struct LoginRow {
    pub id: UserId,
    pub company_id: CompanyId,
    pub password_hash: String,
    pub active: bool,
}

#[derive(sqlx::FromRow)]
pub(crate) struct CtxRow {
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

pub(crate) async fn login_row(db: &Db, username: &str) -> CoreResult<Option<LoginRow>> {
    db.read()
        .fetch_optional(
            "SELECT id, company_id, password_hash, active FROM users WHERE username = $1",
            args![username],
        )
        .await
}

pub(crate) async fn ctx_row_read(db: &Db, user: UserId) -> CoreResult<Option<CtxRow>> {
    db.read()
        .fetch_optional(
            "SELECT u.id, u.company_id, u.username, u.display_name, u.role, u.active, u.must_change_password, r.permissions, r.all_communities \
             FROM users u JOIN roles r ON r.code = u.role WHERE u.id = $1",
            args![user],
        )
        .await
}

pub(crate) async fn get_user(db: &Db, company: CompanyId, id: UserId) -> CoreResult<Option<User>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {USER_COLS} FROM users WHERE id = $1 AND company_id = $2"),
            args![id, company],
        )
        .await
}

/// The company's users by username.
pub(crate) async fn list_users(db: &Db, company: CompanyId) -> CoreResult<Vec<User>> {
    db.read()
        .fetch_all(
            &format!("SELECT {USER_COLS} FROM users WHERE company_id = $1 ORDER BY username"),
            args![company],
        )
        .await
}

/// The user with this (lower-case) username, in any company: usernames are unique overall.
pub(crate) async fn id_by_username(db: &Db, username: &str) -> CoreResult<Option<UserId>> {
    let row: Option<(UserId,)> = db
        .read()
        .fetch_optional("SELECT id FROM users WHERE username = $1", args![username])
        .await?;
    Ok(row.map(|r| r.0))
}

pub(crate) async fn password_hash(db: &Db, user: UserId) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = db
        .read()
        .fetch_optional("SELECT password_hash FROM users WHERE id = $1", args![user])
        .await?;
    Ok(row.map(|r| r.0))
}

/// Adds one failed login and returns the new count (the failures since the last success, shown
/// to administrators; the throttle counts per source address in `login_failures`).
pub(crate) async fn count_failed_login(tx: &mut Tx, user: UserId) -> CoreResult<i64> {
    let (failures,): (i64,) = tx
        .fetch_one(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 RETURNING failed_logins",
            args![user],
        )
        .await?;
    Ok(failures)
}

/// A successful login forgets the failures (and a lock left by an older version).
pub(crate) async fn clear_failures(tx: &mut Tx, user: UserId) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1",
        args![user],
    )
    .await?;
    Ok(())
}

/// The user's own new password: no change is required of him any more.
pub(crate) async fn set_own_password(
    tx: &mut Tx,
    user: UserId,
    hash: String,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET password_hash = $1, must_change_password = $2, updated_at = $3 WHERE id = $4",
        args![hash, false, now, user],
    )
    .await?;
    Ok(())
}

/// A new active user who must change the given password at first login.
pub(crate) async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    username: &str,
    display: String,
    role: &str,
    hash: String,
    now: DateTime<Utc>,
) -> CoreResult<UserId> {
    let id = tx
        .insert_id(
            "INSERT INTO users (company_id, username, display_name, role, password_hash, active, must_change_password, \
             failed_logins, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
            args![company, username, display, role, hash, true, true, now],
        )
        .await?;
    Ok(UserId(id))
}

/// Changes the given fields; `None` keeps the stored value.
pub(crate) async fn update(
    tx: &mut Tx,
    id: UserId,
    display: Option<String>,
    role: Option<String>,
    active: Option<bool>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET display_name = COALESCE($1, display_name), role = COALESCE($2, role), \
         active = COALESCE($3, active), updated_at = $4 WHERE id = $5",
        args![display, role, active, now, id],
    )
    .await?;
    Ok(())
}

/// A password set by a user manager: the user must change it, and any lock is lifted.
pub(crate) async fn reset_password(tx: &mut Tx, id: UserId, hash: String) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET password_hash = $1, must_change_password = $2, failed_logins = 0, locked_until = NULL WHERE id = $3",
        args![hash, true, id],
    )
    .await?;
    Ok(())
}

/// Lets the user keep his password (the demo's users keep the published one).
pub(crate) async fn keep_password(tx: &mut Tx, id: UserId) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET must_change_password = $1 WHERE id = $2",
        args![false, id],
    )
    .await?;
    Ok(())
}

/// The names of these users, as the console shows them (the people who signed up for an
/// activity).
pub(crate) async fn display_names(
    q: &mut impl crate::db::Queries,
    users: &[UserId],
) -> CoreResult<Vec<(UserId, String)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = crate::db::Args::new();
    let cond = crate::db::in_list(&mut a, "id", users);
    q.fetch_all(
        &format!("SELECT id, display_name FROM users WHERE {cond}"),
        a,
    )
    .await
}
