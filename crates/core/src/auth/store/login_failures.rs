//! SQL of the login throttle's failures: one row per failed password (or activation code)
//! attempt, kept for the throttle's window. They are in the database, not in a node's memory,
//! so every node serving the database counts the same guesses. The account is stored as a hash
//! of the typed username: people type passwords into the username box, and those must not sit
//! here in clear.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;

#[derive(sqlx::FromRow)]
pub(crate) struct FailureRow {
    pub id: i64,
    pub same_source: bool,
    pub same_account: bool,
    pub failed_at: DateTime<Utc>,
}

/// The failures since `since` that concern an attempt: those of its source and of its account.
pub(crate) async fn recent(
    db: &Db,
    source: &str,
    account: &str,
    since: DateTime<Utc>,
) -> CoreResult<Vec<FailureRow>> {
    db.read()
        .fetch_all(
            "SELECT id, source = $1 AS same_source, account = $2 AS same_account, failed_at \
             FROM login_failures WHERE failed_at > $3 AND (source = $1 OR account = $2)",
            args![source, account, since],
        )
        .await
}

/// Records an attempt as a failure (until it proves right) and returns its id.
pub(crate) async fn insert(
    tx: &mut Tx,
    source: &str,
    account: &str,
    at: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO login_failures (source, account, failed_at) VALUES ($1, $2, $3) RETURNING id",
        args![source, account, at],
    )
    .await
}

pub(crate) async fn delete(tx: &mut Tx, id: i64) -> CoreResult<()> {
    tx.execute("DELETE FROM login_failures WHERE id = $1", args![id])
        .await?;
    Ok(())
}

/// Forgets a source's failures at an account (after the right password from that source).
pub(crate) async fn forget(tx: &mut Tx, source: &str, account: &str) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM login_failures WHERE source = $1 AND account = $2",
        args![source, account],
    )
    .await?;
    Ok(())
}

/// Drops the failures that left the window, so the table holds one window's worth.
pub(crate) async fn prune(tx: &mut Tx, before: DateTime<Utc>) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM login_failures WHERE failed_at <= $1",
        args![before],
    )
    .await?;
    Ok(())
}
