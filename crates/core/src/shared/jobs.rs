//! Background jobs on several nodes (SLA scanner, late-fee accrual; the outbox worker and
//! patrol task generation as they come): how each due item's effect happens exactly once; and
//! the housekeeping that drops idempotency keys once no retry can need them.
//!
//! Every node runs every job. Two mechanisms, with different duties:
//! - **The lease** (`jobs` table, [`claim_lease`]) keeps a job to one node at a time. It only
//!   saves work: a lease expires while a slow node still runs (a pause, a long batch), and then
//!   two nodes run the same pass. Correctness must never depend on it.
//! - **The claim of a due item**, written in the same transaction as the item's effect, is what
//!   makes the effect happen once. Either the item's own row is the claim — a conditional
//!   `UPDATE … SET done_at = $now WHERE … AND done_at IS NULL RETURNING …` (the SLA clocks'
//!   `warned_at`/`breached_at`, a community's late-fee day in `late_fee_runs`) — or, when the
//!   item has no row to mark, a row of `job_claims` keyed (community, job, item), inserted with
//!   [`claim_items`]. A second pass's claim finds the item taken (PostgreSQL makes a concurrent
//!   update or insert wait for the first transaction and re-check), so it writes nothing; a pass
//!   that dies before its commit leaves the item unclaimed for the next one.
//!
//! On PostgreSQL the selection of due rows ends with [`skip_locked`], so a second node skips
//! the rows the first holds and takes the next ones instead of waiting for them. SQLite has one
//! writer, so passes never overlap there.

use chrono::{DateTime, Duration, Utc};

use crate::Core;
use crate::shared::error::CoreResult;

pub use crate::shared::store::jobs::{claim_items, skip_locked};

/// A name for this process among the nodes (its pid and a random tag), as leases record it.
pub fn node_name() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        hex::encode(crate::shared::crypto::random_bytes::<4>())
    )
}

/// Takes (or renews) the lease of job `name` for `lease`; `false` when another node holds it.
pub async fn claim_lease(
    core: &Core,
    name: &str,
    owner: &str,
    lease: Duration,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    let mut tx = core.db.begin().await?;
    let claimed =
        crate::shared::store::jobs::claim_lease(&mut tx, name, owner, now + lease, now).await?;
    tx.commit().await?;
    Ok(claimed)
}

/// Records the result of a run, if `owner` still holds the lease.
pub async fn finish_lease(core: &Core, name: &str, owner: &str, result: &str) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    crate::shared::store::jobs::finish_lease(&mut tx, name, owner, result, Utc::now()).await?;
    tx.commit().await
}

/// Runs `pass` every `every` until the process ends; a pass that did something is logged with
/// its count, one that failed with its error, under the job's name `what`.
pub fn spawn_every<F, Fut>(
    core: crate::CoreRef,
    every: std::time::Duration,
    what: &'static str,
    pass: F,
) -> tokio::task::JoinHandle<()>
where
    F: Fn(crate::CoreRef) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = CoreResult<usize>> + Send,
{
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match pass(core.clone()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(job = what, count = n, "job pass done"),
                Err(e) => tracing::error!(job = what, error = %e, "job pass failed"),
            }
        }
    })
}

/// How long an idempotency key answers a retry: far longer than any client retries a write.
pub const KEY_RETENTION_DAYS: i64 = 30;

/// One pass of housekeeping: drops the idempotency keys older than [`KEY_RETENTION_DAYS`].
/// Deleting twice is harmless, so every node runs it without a lease.
pub async fn housekeep(core: &Core, now: DateTime<Utc>) -> CoreResult<u64> {
    let mut tx = core.db.begin().await?;
    let n =
        crate::shared::store::idempotency::purge(&mut tx, now - Duration::days(KEY_RETENTION_DAYS))
            .await?;
    tx.commit().await?;
    Ok(n)
}

/// Runs [`housekeep`] every `every` until the process ends.
pub fn spawn_housekeeping(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match housekeep(&core, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(keys = n, "old idempotency keys dropped"),
                Err(e) => tracing::error!(error = %e, "housekeeping failed"),
            }
        }
    })
}
