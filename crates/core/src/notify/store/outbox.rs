//! SQL of the outbox (`outbox`) and of each attempt at a message (`outbox_attempts`): the
//! multi-row write of an event's messages, the worker's lease of a batch, the marks it leaves
//! (sent, retry, failed) and the delivery log's reads.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Bulk, Db, Queries, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::jobs::skip_locked;

/// One message on one outside channel, as an event writes it.
pub(crate) struct NewMessage {
    pub community: CommunityId,
    pub user: Option<UserId>,
    pub event: &'static str,
    pub channel: &'static str,
    pub address_enc: Vec<u8>,
    pub subject: String,
    pub body: String,
    /// The event's placeholders in order, as a JSON array of `[name, value]`.
    pub params: String,
    pub emergency: bool,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
}

/// Writes messages in one statement (none: nothing is written).
pub(crate) async fn insert(tx: &mut impl Writes, rows: &[NewMessage]) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), 13);
    for m in rows {
        b.row([
            Value::from(m.community),
            Value::from(m.user),
            Value::from(m.event),
            Value::from(m.channel),
            Value::from(m.address_enc.clone()),
            Value::from(m.subject.as_str()),
            Value::from(m.body.as_str()),
            Value::from(m.params.as_str()),
            Value::from(m.emergency),
            Value::from("pending"),
            Value::from(0i64),
            Value::from(m.due_at),
            Value::from(m.created_at),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO outbox (community_id, user_id, event, channel, address_enc, subject, body, \
         params, emergency, state, attempts, due_at, created_at)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

crate::row! {
    /// A message a worker took to send.
    pub(crate) struct Claimed {
        pub id: OutboxId,
        pub community_id: CommunityId,
        pub event: String,
        pub channel: String,
        pub address_enc: Vec<u8>,
        pub subject: String,
        pub body: String,
        pub params: String,
        pub emergency: bool,
        pub attempts: i64,
        /// The node whose lease ran out with the message still pending: it died mid-way.
        pub lease_owner: Option<String>,
    }
}

/// Takes up to `limit` due messages for `node` until `until`: the oldest due first; on
/// PostgreSQL rows another node is taking are skipped, not waited for.
pub(crate) async fn claim(
    tx: &mut Tx,
    node: &str,
    now: DateTime<Utc>,
    until: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<Claimed>> {
    let lock = skip_locked(tx.backend());
    let rows: Vec<Claimed> = tx
        .fetch_all(
            &format!(
                "SELECT id, community_id, event, channel, address_enc, subject, body, params, \
                 emergency, attempts, lease_owner FROM outbox \
                 WHERE state = 'pending' AND due_at <= $1 AND (lease_until IS NULL OR lease_until < $1) \
                 ORDER BY due_at, id LIMIT $2{lock}"
            ),
            args![now, limit],
        )
        .await?;
    if rows.is_empty() {
        return Ok(rows);
    }
    let mut a = args![node, until];
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let cond = crate::db::in_list(&mut a, "id", &ids);
    tx.execute(
        &format!(
            "UPDATE outbox SET lease_owner = $1, lease_until = $2, attempts = attempts + 1 \
             WHERE {cond}"
        ),
        a,
    )
    .await?;
    Ok(rows)
}

/// How a try ended.
pub(crate) enum Mark<'a> {
    Sent { provider_ref: Option<&'a str> },
    Retry { due: DateTime<Utc>, why: &'a str },
    Failed { why: &'a str },
}

/// Records a try's end on the message; `false` when it was no longer pending (another node's
/// late try already marked it).
pub(crate) async fn mark(
    tx: &mut Tx,
    id: OutboxId,
    now: DateTime<Utc>,
    m: &Mark<'_>,
) -> CoreResult<bool> {
    let n = match m {
        Mark::Sent { provider_ref } => {
            tx.execute(
                "UPDATE outbox SET state = 'sent', sent_at = $1, provider_ref = $2, \
                 lease_owner = NULL, lease_until = NULL, last_error = NULL \
                 WHERE id = $3 AND state = 'pending'",
                args![now, *provider_ref, id],
            )
            .await?
        }
        Mark::Retry { due, why } => {
            tx.execute(
                "UPDATE outbox SET due_at = $1, last_error = $2, lease_owner = NULL, \
                 lease_until = NULL WHERE id = $3 AND state = 'pending'",
                args![*due, *why, id],
            )
            .await?
        }
        Mark::Failed { why } => {
            tx.execute(
                "UPDATE outbox SET state = 'failed', last_error = $1, lease_owner = NULL, \
                 lease_until = NULL WHERE id = $2 AND state = 'pending'",
                args![*why, id],
            )
            .await?
        }
    };
    Ok(n == 1)
}

/// Marks sent the messages of a restarted node's journal that are still pending (the provider
/// took them; the node died before recording it), each with a line of its history.
pub(crate) async fn mark_journaled(
    tx: &mut Tx,
    ids: &[i64],
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    if ids.is_empty() {
        return Ok(0);
    }
    let mut a = args![now];
    let cond = crate::db::in_list(&mut a, "id", ids);
    let rows: Vec<(OutboxId, CommunityId)> = tx
        .fetch_all(
            &format!(
                "UPDATE outbox SET state = 'sent', sent_at = $1, lease_owner = NULL, \
                 lease_until = NULL, last_error = NULL WHERE {cond} AND state = 'pending' \
                 RETURNING id, community_id"
            ),
            a,
        )
        .await?;
    let lines: Vec<NewAttempt<'_>> = rows
        .iter()
        .map(|(id, c)| NewAttempt {
            community: *c,
            message: *id,
            at: now,
            node: "journal",
            outcome: "sent",
            detail: Some(
                "taken by the provider before the node stopped; recorded from its journal",
            ),
        })
        .collect();
    insert_attempts(tx, &lines).await?;
    Ok(rows.len() as u64)
}

/// One line of a message's history.
pub(crate) struct NewAttempt<'a> {
    pub community: CommunityId,
    pub message: OutboxId,
    pub at: DateTime<Utc>,
    pub node: &'a str,
    pub outcome: &'static str,
    pub detail: Option<&'a str>,
}

pub(crate) async fn insert_attempts(
    tx: &mut impl Writes,
    rows: &[NewAttempt<'_>],
) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), 6);
    for r in rows {
        b.row([
            Value::from(r.community),
            Value::from(r.message),
            Value::from(r.at),
            Value::from(r.node),
            Value::from(r.outcome),
            Value::from(r.detail),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO outbox_attempts (community_id, outbox_id, at, node, outcome, detail)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

crate::row! {
    /// A message as the delivery log lists it.
    pub(crate) struct MessageRow {
        pub id: OutboxId,
        pub community_id: CommunityId,
        pub user_id: Option<UserId>,
        pub event: String,
        pub channel: String,
        pub address_enc: Vec<u8>,
        pub subject: String,
        pub body: String,
        pub state: String,
        pub attempts: i64,
        pub due_at: DateTime<Utc>,
        pub created_at: DateTime<Utc>,
        pub sent_at: Option<DateTime<Utc>>,
        pub provider_ref: Option<String>,
        pub last_error: Option<String>,
    }
}

const MESSAGE_COLUMNS: &str = "id, community_id, user_id, event, channel, address_enc, subject, \
    body, state, attempts, due_at, created_at, sent_at, provider_ref, last_error";

/// What the delivery log narrows to.
pub(crate) struct LogFilter<'a> {
    pub community: CommunityId,
    pub state: Option<&'a str>,
    pub channel: Option<&'a str>,
    pub event: Option<&'a str>,
    pub user: Option<UserId>,
    pub before: Option<OutboxId>,
    pub limit: i64,
}

/// A community's messages, newest first.
pub(crate) async fn list(db: &Db, f: &LogFilter<'_>) -> CoreResult<Vec<MessageRow>> {
    let mut a = args![f.community];
    let mut cond = String::from("community_id = $1");
    if let Some(s) = f.state {
        cond.push_str(&format!(" AND state = {}", a.push(s)));
    }
    if let Some(c) = f.channel {
        cond.push_str(&format!(" AND channel = {}", a.push(c)));
    }
    if let Some(e) = f.event {
        cond.push_str(&format!(" AND event = {}", a.push(e)));
    }
    if let Some(u) = f.user {
        cond.push_str(&format!(" AND user_id = {}", a.push(u)));
    }
    if let Some(b) = f.before {
        cond.push_str(&format!(" AND id < {}", a.push(b)));
    }
    let limit = a.push(f.limit);
    db.read()
        .fetch_all(
            &format!(
                "SELECT {MESSAGE_COLUMNS} FROM outbox WHERE {cond} ORDER BY id DESC LIMIT {limit}"
            ),
            a,
        )
        .await
}

pub(crate) async fn get(q: &mut impl Queries, id: OutboxId) -> CoreResult<Option<MessageRow>> {
    q.fetch_optional(
        &format!("SELECT {MESSAGE_COLUMNS} FROM outbox WHERE id = $1"),
        args![id],
    )
    .await
}

/// A community's messages counted by state.
pub(crate) async fn counts(db: &Db, community: CommunityId) -> CoreResult<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            "SELECT state, COUNT(*) FROM outbox WHERE community_id = $1 GROUP BY state",
            args![community],
        )
        .await
}

/// Every message's count by state (the benchmark's tally).
pub(crate) async fn all_counts(db: &Db) -> CoreResult<Vec<(String, i64)>> {
    db.read()
        .fetch_all(
            "SELECT state, COUNT(*) FROM outbox GROUP BY state",
            Args::new(),
        )
        .await
}

crate::row! {
    /// One try at a message.
    pub(crate) struct AttemptRow {
        pub at: DateTime<Utc>,
        pub node: String,
        pub outcome: String,
        pub detail: Option<String>,
    }
}

pub(crate) async fn attempts(
    db: &Db,
    community: CommunityId,
    id: OutboxId,
) -> CoreResult<Vec<AttemptRow>> {
    db.read()
        .fetch_all(
            "SELECT at, node, outcome, detail FROM outbox_attempts \
             WHERE community_id = $1 AND outbox_id = $2 ORDER BY id",
            args![community, id],
        )
        .await
}

/// Puts a failed message back in the queue, due now, with a fresh count of tries.
pub(crate) async fn requeue(tx: &mut Tx, id: OutboxId, now: DateTime<Utc>) -> CoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE outbox SET state = 'pending', due_at = $1, attempts = 0, lease_owner = NULL, \
             lease_until = NULL WHERE id = $2 AND state = 'failed'",
            args![now, id],
        )
        .await?;
    Ok(n == 1)
}

/// Deletes up to `limit` sent messages created before `before`, oldest first, with their
/// attempts; returns how many. The oldest rows come first in id order, so the scan stops early.
pub(crate) async fn purge_sent(tx: &mut Tx, before: DateTime<Utc>, limit: i64) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox WHERE state = 'sent' \
         AND created_at < $1 ORDER BY id LIMIT $2)",
        args![before, limit],
    )
    .await
}
