//! Idempotency keys of writes (`idempotency_keys`): what a write done under a key produced,
//! per community and scope, so a retry — on this node or another — answers the first result
//! instead of writing again.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Db, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;

/// A key as stored: the digest of the first request's body and what it wrote.
pub struct KeyRow {
    pub digest: String,
    pub entity_id: i64,
}

/// The key's row, if a write used it (inline on SQLite: it runs before every keyed write).
pub async fn find(
    db: &Db,
    community: CommunityId,
    scope: &str,
    key: &str,
) -> CoreResult<Option<KeyRow>> {
    let rows: Vec<(String, i64)> = db
        .fetch_all_inline(
            "SELECT digest, entity_id FROM idempotency_keys \
             WHERE community_id = $1 AND scope = $2 AND key = $3",
            args![community, scope, key],
        )
        .await?;
    Ok(rows
        .into_iter()
        .next()
        .map(|(digest, entity_id)| KeyRow { digest, entity_id }))
}

/// A key to record with the write it belongs to.
pub struct NewKey<'a> {
    pub community: CommunityId,
    pub key: &'a str,
    pub digest: &'a str,
    pub entity_id: i64,
}

/// Records keys in the write's own transaction, in one statement (none: nothing is written).
/// A key already taken fails the statement (the primary key), and so the whole write.
pub async fn insert(
    tx: &mut impl Writes,
    scope: &str,
    keys: &[NewKey<'_>],
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if keys.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(keys.len(), 6);
    for k in keys {
        b.row([
            Value::from(k.community),
            Value::from(scope),
            Value::from(k.key),
            Value::from(k.digest),
            Value::from(k.entity_id),
            Value::from(now),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO idempotency_keys (community_id, scope, key, digest, entity_id, created_at)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// Drops the keys recorded before `before`; returns how many.
pub async fn purge(tx: &mut Tx, before: DateTime<Utc>) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM idempotency_keys WHERE created_at < $1",
        args![before],
    )
    .await
}
