//! The delivery log of the outbox (发送记录): a community's messages with their addresses
//! masked, each one's attempts, a given-up message sent again, and the counts by state. For the
//! managers (`notify.manage`) of the community.

use chrono::{DateTime, Utc};

use super::error::NotifyCode;
use super::model::{Channel, Event};
use super::service::blank;
use super::store;
use super::store::outbox::LogFilter;
use crate::shared::crypto::mask_phone;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxMessage {
    pub id: OutboxId,
    pub community_id: CommunityId,
    pub user_id: Option<UserId>,
    pub event: String,
    pub channel: String,
    /// The address, masked.
    pub to: String,
    pub subject: String,
    pub body: String,
    /// `pending`, `sent` or `failed` (given up).
    pub state: String,
    pub attempts: i64,
    pub due_at: DateTime<Utc>,
    pub created_at: DateTime<Utc>,
    pub sent_at: Option<DateTime<Utc>>,
    pub provider_ref: Option<String>,
    pub last_error: Option<String>,
}

#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxAttempt {
    pub at: DateTime<Utc>,
    pub node: String,
    /// `sent`, `retry`, `failed`, `in_doubt` (a worker died during the try).
    pub outcome: String,
    pub detail: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::IntoParams)]
pub struct OutboxFilter {
    pub community_id: Option<i64>,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub event: Option<String>,
    pub user_id: Option<i64>,
    /// Messages older than this id (the next page).
    pub before: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

/// An address as the log shows it: `138****0001`, `z***@example.com`, `o-ab***`.
fn mask(channel: &str, clear: &str) -> String {
    match channel {
        "sms" => mask_phone(clear),
        "email" => match clear.split_once('@') {
            Some((l, d)) => format!("{}***@{d}", l.chars().next().unwrap_or('*')),
            None => "***".into(),
        },
        _ => format!("{}***", clear.chars().take(4).collect::<String>()),
    }
}

fn message_view(core: &Core, r: store::outbox::MessageRow) -> OutboxMessage {
    let to = core
        .crypto
        .decrypt(&r.address_enc)
        .map(|a| mask(&r.channel, &a))
        .unwrap_or_else(|_| "***".into());
    OutboxMessage {
        id: r.id,
        community_id: r.community_id,
        user_id: r.user_id,
        event: r.event,
        channel: r.channel,
        to,
        subject: r.subject,
        body: r.body,
        state: r.state,
        attempts: r.attempts,
        due_at: r.due_at,
        created_at: r.created_at,
        sent_at: r.sent_at,
        provider_ref: r.provider_ref,
        last_error: r.last_error,
    }
}

/// A community's messages, newest first.
pub async fn outbox(core: &Core, ctx: &Ctx, f: OutboxFilter) -> CoreResult<Vec<OutboxMessage>> {
    let c = CommunityId(f.community_id.ok_or_else(|| {
        CoreError::invalid("community_id", crate::shared::error::CommonCode::Required)
    })?);
    ctx.require_in(Perm::NotifyManage, c)?;
    let mut errs = Vec::new();
    let state = blank(f.state.as_deref());
    if state.is_some_and(|s| !["pending", "sent", "failed"].contains(&s)) {
        errs.push(FieldError::new(
            "state",
            crate::shared::error::CommonCode::Invalid,
        ));
    }
    let channel = blank(f.channel.as_deref());
    if channel.is_some_and(|c| Channel::parse(c).is_none()) {
        errs.push(FieldError::new("channel", NotifyCode::UnknownChannel));
    }
    let event = blank(f.event.as_deref());
    if event.is_some_and(|e| Event::parse(e).is_none()) {
        errs.push(FieldError::new("event", NotifyCode::UnknownEvent));
    }
    let limit = f.limit.unwrap_or(50);
    if !(1..=200).contains(&limit) {
        errs.push(
            FieldError::new("limit", crate::shared::error::CommonCode::Invalid)
                .with("min", 1)
                .with("max", 200),
        );
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let rows = store::outbox::list(
        &core.db,
        &LogFilter {
            community: c,
            state,
            channel,
            event,
            user: f.user_id.map(UserId),
            before: f.before.map(OutboxId),
            limit,
        },
    )
    .await?;
    Ok(rows.into_iter().map(|r| message_view(core, r)).collect())
}

/// A message with each try at it.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxDetail {
    pub message: OutboxMessage,
    pub attempts: Vec<OutboxAttempt>,
}

async fn reachable(core: &Core, ctx: &Ctx, id: OutboxId) -> CoreResult<store::outbox::MessageRow> {
    ctx.require(Perm::NotifyManage)?;
    let mut tx = core.db.begin().await?;
    let row = store::outbox::get(&mut tx, id).await?;
    drop(tx);
    match row {
        Some(r) if ctx.reaches(r.community_id) => Ok(r),
        _ => Err(CoreError::NotFound("message")),
    }
}

pub async fn outbox_message(core: &Core, ctx: &Ctx, id: OutboxId) -> CoreResult<OutboxDetail> {
    let r = reachable(core, ctx, id).await?;
    let attempts = store::outbox::attempts(&core.db, r.community_id, id)
        .await?
        .into_iter()
        .map(|a| OutboxAttempt {
            at: a.at,
            node: a.node,
            outcome: a.outcome,
            detail: a.detail,
        })
        .collect();
    Ok(OutboxDetail {
        message: message_view(core, r),
        attempts,
    })
}

/// Sends a given-up message again (the number was corrected, the template approved).
pub async fn resend(core: &Core, ctx: &Ctx, id: OutboxId) -> CoreResult<OutboxDetail> {
    let r = reachable(core, ctx, id).await?;
    if r.state != "failed" {
        return Err(CoreError::invalid("id", NotifyCode::MessageAlreadySent));
    }
    let mut tx = core.db.begin().await?;
    store::outbox::requeue(&mut tx, id, Utc::now()).await?;
    crate::audit::record(
        &mut tx,
        ctx,
        crate::audit::Entry::new(crate::audit::Action::Update, "outbox", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": "failed"}))
            .after(&serde_json::json!({"state": "pending"})),
    )
    .await?;
    tx.commit().await?;
    outbox_message(core, ctx, id).await
}

/// Messages by state, in one community.
#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct OutboxCounts {
    pub pending: i64,
    pub sent: i64,
    pub failed: i64,
}

pub async fn outbox_counts(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<OutboxCounts> {
    ctx.require_in(Perm::NotifyManage, c)?;
    Ok(tally(store::outbox::counts(&core.db, c).await?))
}

fn tally(rows: Vec<(String, i64)>) -> OutboxCounts {
    let mut t = OutboxCounts::default();
    for (s, n) in rows {
        match s.as_str() {
            "pending" => t.pending = n,
            "sent" => t.sent = n,
            _ => t.failed += n,
        }
    }
    t
}

/// Every message's count by state (the benchmark's tally; no access check: the CLI's).
pub async fn all_counts(core: &Core) -> CoreResult<OutboxCounts> {
    Ok(tally(store::outbox::all_counts(&core.db).await?))
}
