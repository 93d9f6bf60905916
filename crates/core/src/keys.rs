//! Guarding the personal-data key: the database remembers the fingerprint of the key its phone
//! and ID numbers were encrypted with, and refuses another one. Without this, a lost key file
//! would be replaced by a fresh key at start, old records would read as empty and new ones
//! would be encrypted under a different key than the old ones.
//!
//! The SQL lives in accounts' store (`auth/store/keys.rs`): the check is a security guard like
//! sessions and tokens.

use crate::auth::store::keys as store;
use crate::db::Db;
use crate::shared::crypto::Crypto;
use crate::shared::error::{CoreError, CoreResult};

const NAME: &str = "key_fingerprint";

/// The fingerprint the database holds, if any.
pub async fn stored_fingerprint(db: &Db) -> CoreResult<Option<String>> {
    store::setting(db, NAME).await
}

/// Whether any personal data is stored encrypted.
pub async fn has_encrypted_data(db: &Db) -> CoreResult<bool> {
    crate::registry::store::for_auth::has_encrypted_data(db).await
}

/// Checks `crypto` against the database, recording its fingerprint on first use. A database
/// whose data predates the fingerprint is accepted when a stored value decrypts with the key.
pub async fn check(db: &Db, crypto: &Crypto) -> CoreResult<()> {
    let fp = crypto.fingerprint();
    match stored_fingerprint(db).await? {
        Some(s) if s == fp => Ok(()),
        Some(_) => Err(CoreError::internal(
            "the personal-data key (WUYE_KEY or the data dir's wuye.key) is not the key this database was \
             encrypted with; restore the right key from your backup",
        )),
        None => {
            let sample = crate::registry::store::for_auth::encrypted_sample(db).await?;
            if let Some((phone, id)) = sample
                && let Some(blob) = phone.or(id)
                && crypto.decrypt(&blob).is_err()
            {
                return Err(CoreError::internal(
                    "this database holds personal data encrypted with another key; restore the right key from your backup",
                ));
            }
            let mut tx = db.begin().await?;
            store::insert_setting(&mut tx, NAME, fp).await?;
            tx.commit().await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::DbOptions;

    #[tokio::test]
    async fn a_second_key_is_refused() {
        let dir = std::env::temp_dir().join(format!("wuye-keys-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("k.db");
        let _ = std::fs::remove_file(&path);
        let db = Db::connect(&path.to_string_lossy(), &DbOptions::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        let a = Crypto::new(&[1u8; 32]);
        let b = Crypto::new(&[2u8; 32]);
        assert_eq!(stored_fingerprint(&db).await.unwrap(), None);
        check(&db, &a).await.unwrap();
        assert_eq!(
            stored_fingerprint(&db).await.unwrap(),
            Some(a.fingerprint())
        );
        check(&db, &a).await.unwrap();
        assert!(check(&db, &b).await.is_err(), "another key is refused");
        assert_ne!(a.fingerprint(), b.fingerprint());
        db.close().await;
        let _ = std::fs::remove_dir_all(&dir);
    }
}
