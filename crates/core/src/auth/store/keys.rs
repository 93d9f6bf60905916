//! SQL of the personal-data key check (`crate::keys`): the fingerprint row in `system_settings`
//! and the probe for encrypted personal data. Accounts own it because the key check is a
//! security guard like sessions and tokens, and `system_settings` holds nothing else; the two
//! reads of the registry's `people` table only ask whether (and which) encrypted blob exists, and
//! stay beside the check until the registry's store offers them (there is no
//! `registry/store/for_auth.rs` yet).

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;

/// A person's encrypted phone and ID number.
pub(crate) type EncryptedPair = (Option<Vec<u8>>, Option<Vec<u8>>);

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

/// Whether any personal data is stored encrypted.
pub(crate) async fn has_encrypted_data(db: &Db) -> CoreResult<bool> {
    let row: Option<(i64,)> = db
        .read()
        .fetch_optional(
            "SELECT id FROM people WHERE phone_enc IS NOT NULL OR id_no_enc IS NOT NULL LIMIT 1",
            args![],
        )
        .await?;
    Ok(row.is_some())
}

/// The encrypted values of one person who has any.
pub(crate) async fn encrypted_sample(db: &Db) -> CoreResult<Option<EncryptedPair>> {
    db.read()
        .fetch_optional(
            "SELECT phone_enc, id_no_enc FROM people WHERE phone_enc IS NOT NULL OR id_no_enc IS NOT NULL LIMIT 1",
            args![],
        )
        .await
}
