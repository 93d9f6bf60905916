//! The tables of background jobs: `jobs` (one lease per job) and `job_claims` (one row per
//! job and due item). See `shared::jobs` for how the two work together.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;

/// Takes (or renews) a job's lease until `until`; `false` when another owner holds it.
pub async fn claim_lease(
    tx: &mut Tx,
    name: &str,
    owner: &str,
    until: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    tx.execute(
        "INSERT INTO jobs (name) VALUES ($1) ON CONFLICT (name) DO NOTHING",
        args![name],
    )
    .await?;
    let n = tx
        .execute(
            "UPDATE jobs SET lease_owner = $1, lease_until = $2 WHERE name = $3 \
             AND (lease_until IS NULL OR lease_until < $4 OR lease_owner = $1)",
            args![owner, until, name, now],
        )
        .await?;
    Ok(n == 1)
}

/// Records a job's run, if `owner` still holds its lease.
pub async fn finish_lease(
    tx: &mut Tx,
    name: &str,
    owner: &str,
    result: &str,
    at: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE jobs SET last_run_at = $1, last_result = $2 WHERE name = $3 AND lease_owner = $4",
        args![at, result, name, owner],
    )
    .await?;
    Ok(())
}

/// Claims due items of a job, (community, item) each, inside the caller's transaction; returns
/// those this call claimed — not those a pass already claimed. On PostgreSQL a concurrent pass's
/// insert of the same key waits for the first to commit or roll back, then finds it taken or
/// takes it; the keys go in sorted, so two passes wait for each other in one order and never
/// deadlock.
pub async fn claim_items(
    tx: &mut impl Writes,
    job: &str,
    items: &[(CommunityId, String)],
    node: &str,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(CommunityId, String)>> {
    let mut items = items.to_vec();
    items.sort();
    items.dedup();
    let mut out = Vec::with_capacity(items.len());
    if tx.engine() == Backend::Postgres {
        if items.is_empty() {
            return Ok(out);
        }
        let a = Args(vec![
            Value::from(job),
            Value::from(node),
            Value::from(now),
            items.iter().map(|i| Some(i.0.0)).collect::<Vec<_>>().into(),
            items.iter().map(|i| i.1.clone()).collect::<Vec<_>>().into(),
        ]);
        return tx
            .fetch_all(
                "INSERT INTO job_claims (community_id, job, item, node, claimed_at) \
                 SELECT x.c, $1, x.i, $2, $3 FROM UNNEST($4::BIGINT[], $5::TEXT[]) \
                 WITH ORDINALITY AS x (c, i, n) ORDER BY x.n \
                 ON CONFLICT (community_id, job, item) DO NOTHING RETURNING community_id, item",
                a,
            )
            .await;
    }
    // 2 values a row and 3 bound once: well under SQLite's 32,766.
    for chunk in items.chunks(10_000) {
        let mut b = Bulk::after(args![job, node, now], chunk.len(), 2);
        for (c, item) in chunk {
            b.row([Value::from(*c), Value::from(item)]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO job_claims (community_id, job, item, node, claimed_at) \
             SELECT column1, $1, column2, $2, $3 FROM (",
            ") WHERE true ON CONFLICT (community_id, job, item) DO NOTHING \
             RETURNING community_id, item",
        );
        let rows: Vec<(CommunityId, String)> = tx.fetch_all(&sql, a).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// The locking clause a job's selection of due rows ends with: on PostgreSQL the rows another
/// pass holds are skipped instead of waited for, so two nodes split the work; SQLite has one
/// writer and needs none.
pub fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    }
}
