//! SQL of the personal-data key check (`crate::keys`): the fingerprint row in `system_settings`.
//! Accounts own it because the key check is a security guard like sessions and tokens, and
//! `system_settings` holds nothing else. Whether encrypted personal data exists is asked of the
//! registry (`registry/store/for_auth.rs`).

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;

/// The value of a system setting, if stored.
pub(crate) async fn setting(db: &Db, name: &str) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = db
        .read()
        .fetch_optional(
            "SELECT value FROM system_settings WHERE name = $1",
            args![name],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// Stores a system setting unless it is already set (the first value wins).
pub(crate) async fn insert_setting(tx: &mut Tx, name: &str, value: String) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO system_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        args![name, value],
    )
    .await?;
    Ok(())
}
