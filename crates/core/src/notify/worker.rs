//! The outbox worker: every node runs one. A pass leases a batch of due messages (on PostgreSQL
//! skipping the rows another node is taking), sends them on a few concurrent connections, and
//! records each message's end in its own small transaction as soon as the provider answered:
//! sent, retry later (with backoff, and never into the quiet hours for an SMS), or given up.
//!
//! Delivery is once per message as far as the sender can make it: the moment a provider took a
//! message its id goes to the node's journal (`journal`), and then the row is marked sent. A
//! worker killed mid-batch leaves its leased rows pending; the restarted node first marks sent
//! what its journal holds, and when the lease runs out the rest are sent again with an
//! `in_doubt` attempt, under the same id (the e-mail's Message-ID, the SMS provider's caller
//! reference), by which a receiver can recognise a copy (docs/notifications.md).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use chrono::{Duration, Utc};
use chrono_tz::Tz;

use super::channels::{Failure, Outgoing};
use super::journal::Journal;
use super::model::{self, Channel};
use super::store;
use super::store::outbox::{Claimed, Mark, NewAttempt};
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;
use crate::{Core, CoreRef};

/// How a worker works.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Messages leased per pass.
    pub batch: i64,
    /// Messages in flight at once.
    pub concurrency: usize,
    /// How long a lease lasts: past it, another node takes the message again.
    pub lease: Duration,
    /// The wait after a pass that found nothing due.
    pub idle: std::time::Duration,
    /// How long a sent message stays in the delivery log (`WUYE_OUTBOX_KEEP_DAYS`).
    pub keep: Duration,
    /// The journal of messages the providers took (`journal`); none: a node killed between a
    /// provider's answer and its record sends that message again.
    pub journal: Option<Arc<Journal>>,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            batch: 200,
            concurrency: 8,
            lease: Duration::seconds(120),
            idle: std::time::Duration::from_millis(500),
            keep: Duration::days(90),
            journal: None,
        }
    }
}

/// What a pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retried: usize,
    pub failed: usize,
    /// Messages a dead worker had left, sent again.
    pub in_doubt: usize,
    /// Messages a dead worker had sent but not recorded, recorded from the journal.
    pub journaled: usize,
}

impl Pass {
    pub fn handled(&self) -> usize {
        self.sent + self.retried + self.failed
    }
}

/// One pass: lease, send, record.
pub async fn run_once(core: &CoreRef, node: &str, opts: &WorkerOptions) -> CoreResult<Pass> {
    run_once_at(core, node, opts, Utc::now()).await
}

/// [`run_once`] as of `now`: the messages due by then (a catch-up, or a test of what the next
/// hours bring).
pub async fn run_once_at(
    core: &CoreRef,
    node: &str,
    opts: &WorkerOptions,
    now: chrono::DateTime<Utc>,
) -> CoreResult<Pass> {
    // Nothing is in flight between passes: what the journal holds is settled first.
    let mut journaled = 0;
    if let Some(j) = &opts.journal {
        journaled = j.reconcile(core, now).await? as usize;
    }
    let mut tx = core.db.begin().await?;
    let batch = store::outbox::claim(&mut tx, node, now, now + opts.lease, opts.batch).await?;
    if batch.is_empty() {
        return Ok(Pass {
            journaled,
            ..Pass::default()
        });
    }
    let doubts: Vec<NewAttempt<'_>> = batch
        .iter()
        .filter(|m| m.lease_owner.is_some())
        .map(|m| NewAttempt {
            community: m.community_id,
            message: m.id,
            at: now,
            node: m.lease_owner.as_deref().unwrap_or(""),
            outcome: "in_doubt",
            detail: Some("the worker stopped before recording the answer; sent again"),
        })
        .collect();
    let in_doubt = doubts.len();
    store::outbox::insert_attempts(&mut tx, &doubts).await?;
    drop(doubts);
    let mut communities: Vec<CommunityId> = batch.iter().map(|m| m.community_id).collect();
    communities.sort();
    communities.dedup();
    let mut zones: HashMap<CommunityId, Tz> = HashMap::new();
    for c in communities {
        if let Some((_, _, tz)) = crate::registry::store::for_notify::community(&mut tx, c).await? {
            zones.insert(c, crate::shared::calendar::zone(&tz));
        }
    }
    tx.commit().await?;

    let queue = Arc::new(Mutex::new(VecDeque::from(batch)));
    let zones = Arc::new(zones);
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..opts.concurrency.max(1) {
        let (core, queue, zones, node, journal) = (
            core.clone(),
            queue.clone(),
            zones.clone(),
            node.to_string(),
            opts.journal.clone(),
        );
        tasks.spawn(async move {
            let mut pass = Pass::default();
            loop {
                let next = queue.lock().ok().and_then(|mut q| q.pop_front());
                let Some(m) = next else { break };
                let tz = zones
                    .get(&m.community_id)
                    .copied()
                    .unwrap_or(chrono_tz::Asia::Shanghai);
                match deliver(&core, &node, &m, tz, now, journal.as_deref()).await {
                    Ok(Outcome::Sent) => pass.sent += 1,
                    Ok(Outcome::Retry) => pass.retried += 1,
                    Ok(Outcome::Failed) => pass.failed += 1,
                    // The record failed (the database went away): the lease runs out and the
                    // message is taken again, in doubt.
                    Err(e) => tracing::error!(error = %e, id = m.id.0, "outbox: recording failed"),
                }
            }
            pass
        });
    }
    let mut total = Pass {
        in_doubt,
        journaled,
        ..Pass::default()
    };
    while let Some(r) = tasks.join_next().await {
        if let Ok(p) = r {
            total.sent += p.sent;
            total.retried += p.retried;
            total.failed += p.failed;
        }
    }
    Ok(total)
}

enum Outcome {
    Sent,
    Retry,
    Failed,
}

/// Sends one message and records how it went.
async fn deliver(
    core: &Core,
    node: &str,
    m: &Claimed,
    tz: Tz,
    as_of: chrono::DateTime<Utc>,
    journal: Option<&Journal>,
) -> CoreResult<Outcome> {
    let attempts = m.attempts + 1;
    let channel = Channel::parse(&m.channel);
    let answer = match (channel, core.crypto.decrypt(&m.address_enc)) {
        (None, _) => Err(Failure::GiveUp(format!("unknown channel {}", m.channel))),
        (_, Err(_)) => Err(Failure::GiveUp("the address cannot be read".into())),
        (Some(ch), Ok(to)) => {
            let params: Vec<(String, String)> = serde_json::from_str(&m.params).unwrap_or_default();
            let out = Outgoing {
                id: m.id.0,
                to: &to,
                subject: &m.subject,
                body: &m.body,
                event: &m.event,
                params: &params,
            };
            core.channels.send(ch, &out).await
        }
    };
    if let (Ok(_), Some(j)) = (&answer, journal) {
        j.record(m.id);
    }
    let now = Utc::now().max(as_of);
    let (mark, outcome, detail): (Mark<'_>, Outcome, Option<String>) = match &answer {
        Ok(r) => (
            Mark::Sent {
                provider_ref: r.as_deref(),
            },
            Outcome::Sent,
            r.clone(),
        ),
        Err(Failure::Retry(why)) if attempts < model::MAX_ATTEMPTS => {
            let due = model::not_before(
                channel.unwrap_or(Channel::Email),
                m.emergency,
                now + model::backoff(attempts),
                tz,
            );
            (Mark::Retry { due, why }, Outcome::Retry, Some(why.clone()))
        }
        Err(Failure::Retry(why)) => (
            Mark::Failed { why },
            Outcome::Failed,
            Some(format!("gave up after {attempts} tries: {why}")),
        ),
        Err(Failure::GiveUp(why)) => (Mark::Failed { why }, Outcome::Failed, Some(why.clone())),
    };
    let code = match outcome {
        Outcome::Sent => "sent",
        Outcome::Retry => "retry",
        Outcome::Failed => "failed",
    };
    let mut tx = core.db.begin().await?;
    store::outbox::mark(&mut tx, m.id, now, &mark).await?;
    store::outbox::insert_attempts(
        &mut tx,
        &[NewAttempt {
            community: m.community_id,
            message: m.id,
            at: now,
            node,
            outcome: code,
            detail: detail.as_deref(),
        }],
    )
    .await?;
    tx.commit().await?;
    Ok(outcome)
}

/// Deletes the sent messages older than `keep`, with their attempts, a few thousand per
/// transaction (the writer is never held long). Every node may run it: deleting twice is
/// harmless.
pub async fn purge_sent(
    core: &Core,
    keep: Duration,
    now: chrono::DateTime<Utc>,
) -> CoreResult<u64> {
    let mut total = 0;
    loop {
        let mut tx = core.db.begin().await?;
        let n = store::outbox::purge_sent(&mut tx, now - keep, 5000).await?;
        tx.commit().await?;
        total += n;
        if n < 5000 {
            return Ok(total);
        }
    }
}

/// Runs passes until the process ends: back to back while messages are due, `opts.idle` apart
/// when none are; the old sent messages go once an hour.
pub fn spawn(core: CoreRef, node: String, opts: WorkerOptions) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut purged_at: Option<std::time::Instant> = None;
        loop {
            if purged_at.is_none_or(|t| t.elapsed() > std::time::Duration::from_secs(3600)) {
                purged_at = Some(std::time::Instant::now());
                match purge_sent(&core, opts.keep, Utc::now()).await {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(messages = n, "old sent messages dropped"),
                    Err(e) => tracing::error!(error = %e, "outbox purge failed"),
                }
            }
            match run_once(&core, &node, &opts).await {
                Ok(p) if p.handled() > 0 || p.in_doubt > 0 || p.journaled > 0 => {
                    tracing::debug!(?p, "outbox pass");
                }
                Ok(_) => tokio::time::sleep(opts.idle).await,
                Err(e) => {
                    tracing::error!(error = %e, "outbox pass failed");
                    tokio::time::sleep(opts.idle).await;
                }
            }
        }
    })
}
