//! The tables of background jobs: `jobs` (one lease per job) and `job_claims` (one row per
//! job and due item). See `shared::jobs` for how the two work together.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Backend, Tx, Writes};
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

/// Claims one due item of a job inside the caller's transaction; `false` when a pass already
/// claimed it (on PostgreSQL a concurrent pass's insert waits for the first to commit or roll
/// back, then finds the key taken or takes it).
pub async fn claim_item(
    tx: &mut impl Writes,
    community: CommunityId,
    job: &str,
    item: &str,
    node: &str,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    let n = tx
        .execute(
            "INSERT INTO job_claims (community_id, job, item, node, claimed_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id, job, item) DO NOTHING",
            args![community, job, item, node, now],
        )
        .await?;
    Ok(n == 1)
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
