//! What the owner portal reads and writes of accounts: an owner's account is a user of role
//! `owner`, opened inactive and activated with a code; requests from the portal go to the
//! community's service desk, a user found here.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::Tx;
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId, UserId};

/// A re-issued activation code starts the count of wrong codes afresh.
pub async fn reset_failures(tx: &mut Tx, user: UserId, now: DateTime<Utc>) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET failed_logins = 0, updated_at = $1 WHERE id = $2",
        args![now, user],
    )
    .await?;
    Ok(())
}

/// A new inactive owner account with an unusable password (set at activation).
pub async fn insert_owner_user(
    tx: &mut Tx,
    company: CompanyId,
    username: &str,
    name: &str,
    placeholder: String,
    now: DateTime<Utc>,
) -> CoreResult<UserId> {
    Ok(UserId(
        tx.insert_id(
            "INSERT INTO users (company_id, username, display_name, role, password_hash, active, \
             must_change_password, failed_logins, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
            args![
                company,
                username,
                name,
                "owner",
                placeholder,
                false,
                false,
                now
            ],
        )
        .await?,
    ))
}

/// Counts one activation try unless `max` were already made; `None` when the limit is reached.
/// Counted in the database first, so parallel guesses cannot all slip under the limit.
pub async fn count_activation_try(tx: &mut Tx, user: UserId, max: i64) -> CoreResult<Option<i64>> {
    let counted: Option<(i64,)> = tx
        .fetch_optional(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 AND failed_logins < $2 \
             RETURNING failed_logins",
            args![user, max],
        )
        .await?;
    Ok(counted.map(|c| c.0))
}

/// The owner's own password opens the account.
pub async fn activate_user(
    tx: &mut Tx,
    user: UserId,
    hash: String,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE users SET password_hash = $1, active = $2, must_change_password = $3, \
         failed_logins = 0, locked_until = NULL, updated_at = $4 WHERE id = $5",
        args![hash, true, false, now, user],
    )
    .await?;
    Ok(())
}

/// Active users assigned to the community whose role may dispatch requests, with their role's
/// permissions, by id.
pub async fn dispatchers(
    tx: &mut Tx,
    company: CompanyId,
    community: CommunityId,
) -> CoreResult<Vec<(UserId, String)>> {
    tx.fetch_all(
        "SELECT u.id, r.permissions FROM users u JOIN roles r ON r.code = u.role \
         JOIN user_communities uc ON uc.user_id = u.id \
         WHERE u.company_id = $1 AND uc.community_id = $2 AND u.active = $3 \
         AND r.permissions LIKE $4 ORDER BY u.id",
        args![company, community, true, "%tickets.dispatch%"],
    )
    .await
}
