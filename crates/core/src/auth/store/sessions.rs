//! SQL of console sessions. They live in the database so that any node can serve any user;
//! only the hash of a session token is stored.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CompanyId, UserId};

#[derive(sqlx::FromRow)]
pub(crate) struct SessionRow {
    pub user_id: UserId,
    pub last_seen_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

pub(crate) async fn by_hash(db: &Db, hash: &str) -> CoreResult<Option<SessionRow>> {
    db.read()
        .fetch_optional(
            "SELECT user_id, last_seen_at, expires_at FROM sessions WHERE token_hash = $1",
            args![hash],
        )
        .await
}

/// The user of a session: (id, company, username).
pub(crate) async fn user_of(
    tx: &mut Tx,
    hash: &str,
) -> CoreResult<Option<(UserId, CompanyId, String)>> {
    tx.fetch_optional(
        "SELECT u.id, u.company_id, u.username FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.token_hash = $1",
        args![hash],
    )
    .await
}

pub(crate) async fn delete(tx: &mut Tx, hash: &str) -> CoreResult<()> {
    tx.execute("DELETE FROM sessions WHERE token_hash = $1", args![hash])
        .await?;
    Ok(())
}

/// Clears the user's expired sessions, so the table does not grow.
pub(crate) async fn delete_expired(
    tx: &mut Tx,
    user: UserId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND expires_at < $2",
        args![user, now],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert(
    tx: &mut Tx,
    hash: &str,
    user: UserId,
    now: DateTime<Utc>,
    expires_at: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO sessions (token_hash, user_id, created_at, last_seen_at, expires_at) VALUES ($1, $2, $3, $3, $4)",
        args![hash, user, now, expires_at],
    )
    .await?;
    Ok(())
}

pub(crate) async fn touch(tx: &mut Tx, hash: &str, now: DateTime<Utc>) -> CoreResult<()> {
    tx.execute(
        "UPDATE sessions SET last_seen_at = $1 WHERE token_hash = $2",
        args![now, hash],
    )
    .await?;
    Ok(())
}

/// Ends every session of the user but the one whose hash is `keep` (empty: none kept).
pub(crate) async fn delete_others(tx: &mut Tx, user: UserId, keep: &str) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2",
        args![user, keep],
    )
    .await?;
    Ok(())
}

/// Ends every session of the user.
pub(crate) async fn delete_all_of(tx: &mut Tx, user: UserId) -> CoreResult<()> {
    tx.execute("DELETE FROM sessions WHERE user_id = $1", args![user])
        .await?;
    Ok(())
}
