//! SQL of API tokens. Only a token's hash and its first characters (to recognise it in a list)
//! are stored.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{ApiTokenId, CompanyId, UserId};

use super::super::model::ApiToken;

#[derive(sqlx::FromRow)]
pub(crate) struct ActiveToken {
    pub id: ApiTokenId,
    pub user_id: UserId,
    pub last_used_at: Option<DateTime<Utc>>,
}

/// The token with this hash, unless revoked or expired at `now`.
pub(crate) async fn active(
    db: &Db,
    hash: String,
    now: DateTime<Utc>,
) -> CoreResult<Option<ActiveToken>> {
    db.read()
        .fetch_optional(
            "SELECT id, user_id, last_used_at FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL \
             AND (expires_at IS NULL OR expires_at > $2)",
            args![hash, now],
        )
        .await
}

pub(crate) async fn touch(tx: &mut Tx, id: ApiTokenId, now: DateTime<Utc>) -> CoreResult<()> {
    tx.execute(
        "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2",
        args![now, id],
    )
    .await?;
    Ok(())
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    tx: &mut Tx,
    user: UserId,
    name: String,
    hash: String,
    prefix: String,
    now: DateTime<Utc>,
    expires_at: Option<DateTime<Utc>>,
) -> CoreResult<ApiToken> {
    tx.fetch_one(
        "INSERT INTO api_tokens (user_id, name, token_hash, prefix, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6) \
         RETURNING id, name, prefix, created_at, last_used_at, revoked_at, expires_at",
        args![user, name, hash, prefix, now, expires_at],
    )
    .await
}

/// The user's tokens, newest first.
pub(crate) async fn list(db: &Db, user: UserId) -> CoreResult<Vec<ApiToken>> {
    db.read()
        .fetch_all(
            "SELECT id, name, prefix, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
            args![user],
        )
        .await
}

/// Who holds the token: (user, the user's company).
pub(crate) async fn holder(tx: &mut Tx, id: ApiTokenId) -> CoreResult<Option<(UserId, CompanyId)>> {
    tx.fetch_optional(
        "SELECT t.user_id, u.company_id FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.id = $1",
        args![id],
    )
    .await
}

/// Revokes every live token of the user but the one whose hash is `keep` (none when empty).
pub(crate) async fn revoke_all_of(
    tx: &mut Tx,
    user: UserId,
    keep: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL \
         AND token_hash <> $3",
        args![now, user, keep],
    )
    .await
}

/// Revokes the token unless it already is; returns the rows changed (0 or 1).
pub(crate) async fn revoke(tx: &mut Tx, id: ApiTokenId, now: DateTime<Utc>) -> CoreResult<u64> {
    tx.execute(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL",
        args![now, id],
    )
    .await
}
