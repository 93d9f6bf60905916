//! The requests benchmark's fixture (a year of requests and their SLA clocks) and the counts
//! that check the scanner and the API against it.

use chrono::{DateTime, Utc};
use wuye_core::db::{Args, Tx};
use wuye_core::shared::ids::CommunityId;
use wuye_core::{Core, args};

use super::super::AnyResult;
use super::{bind, count};

type Ts = DateTime<Utc>;

// ---------------------------------------------------------------------------------------------
// Requests fixture and its checks

/// One bulk-loaded request, every column decided by the planner.
pub(crate) struct RequestRow {
    pub id: i64,
    pub community: CommunityId,
    pub number: String,
    pub kind: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub urgency: &'static str,
    pub complex: bool,
    pub unit: Option<i64>,
    pub location: Option<&'static str>,
    pub contact: String,
    pub description: &'static str,
    pub state: &'static str,
    pub hold_from: Option<&'static str>,
    pub hold_reason: Option<&'static str>,
    pub hold_since: Option<Ts>,
    pub responder: i64,
    pub assignee: Option<i64>,
    pub promise_at: Ts,
    pub escalations: i64,
    pub labour: Option<i64>,
    pub satisfaction: Option<i64>,
    pub rated_via: Option<&'static str>,
    pub created: Ts,
    pub updated: Ts,
    pub accepted: Option<Ts>,
    pub on_site: Option<Ts>,
    pub done: Option<Ts>,
    pub closed: Option<Ts>,
    pub day: String,
    pub handling_seconds: Option<i64>,
}

/// One bulk-loaded SLA clock, with what the scanner recorded.
pub(crate) struct ClockRow {
    pub community: CommunityId,
    pub request: i64,
    pub clock: &'static str,
    pub started: Ts,
    pub due: Ts,
    pub warn: Ts,
    pub paused: Option<Ts>,
    pub met: Option<Ts>,
    pub warned: Option<Ts>,
    pub breached: Option<Ts>,
    pub day: String,
    pub kind: &'static str,
    pub category: &'static str,
    pub met_late: Option<i64>,
}

pub(crate) async fn insert_requests(tx: &mut Tx, rows: Vec<RequestRow>) -> AnyResult<()> {
    let mut ra = Args::with_capacity(rows.len() * 30);
    let mut rvals = Vec::with_capacity(rows.len());
    for r in rows {
        rvals.push(format!(
            "({},{},{},{},{},{},{},{},{},NULL,{},{},NULL,{},{},{},{},{},{},{},{},{},{},0,NULL,{},NULL,{},NULL,{},{},{},{},{},{},{},{},{})",
            bind(&mut ra, r.id),
            bind(&mut ra, r.community),
            bind(&mut ra, r.number),
            bind(&mut ra, r.kind),
            bind(&mut ra, r.category),
            bind(&mut ra, r.channel),
            bind(&mut ra, r.urgency),
            bind(&mut ra, r.complex),
            bind(&mut ra, r.unit),
            bind(&mut ra, r.location),
            bind(&mut ra, r.contact),
            bind(&mut ra, r.description),
            bind(&mut ra, r.state),
            bind(&mut ra, r.hold_from),
            bind(&mut ra, r.hold_reason),
            bind(&mut ra, r.hold_since),
            bind(&mut ra, r.responder),
            bind(&mut ra, r.assignee),
            bind(&mut ra, r.promise_at),
            bind(&mut ra, false),
            bind(&mut ra, r.escalations),
            bind(&mut ra, r.labour),
            bind(&mut ra, r.satisfaction),
            bind(&mut ra, r.rated_via),
            bind(&mut ra, r.created),
            bind(&mut ra, r.updated),
            bind(&mut ra, r.accepted),
            bind(&mut ra, r.on_site),
            bind(&mut ra, r.done),
            bind(&mut ra, r.closed),
            bind(&mut ra, r.day),
            bind(&mut ra, r.handling_seconds),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO requests (id, community_id, number, kind, category, channel, urgency, complex, \
             unit_id, person_id, location, contact_name, contact_phone_enc, description, state, hold_from, \
             hold_reason, hold_since, first_responder_id, assignee_id, promise_at, promise_postponed, \
             escalations, reopen_count, materials, labour_minutes, charge_fen, satisfaction, rating_comment, \
             rated_via, created_at, updated_at, accepted_at, on_site_at, done_at, closed_at, created_day, \
             handling_seconds) VALUES {}",
            rvals.join(",")
        ),
        ra,
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_clocks(tx: &mut Tx, rows: Vec<ClockRow>) -> AnyResult<()> {
    let mut ca = Args::with_capacity(rows.len() * 10);
    let mut cvals = Vec::with_capacity(rows.len());
    for c in rows {
        cvals.push(format!(
            "({},{},{},{},{},{},{},{},{},{},{},{},{},{},{})",
            bind(&mut ca, c.community),
            bind(&mut ca, c.request),
            bind(&mut ca, c.clock),
            bind(&mut ca, c.started),
            bind(&mut ca, c.due),
            bind(&mut ca, c.warn),
            bind(&mut ca, false),
            bind(&mut ca, c.paused),
            bind(&mut ca, c.met),
            bind(&mut ca, c.warned),
            bind(&mut ca, c.breached),
            bind(&mut ca, c.day),
            bind(&mut ca, c.kind),
            bind(&mut ca, c.category),
            bind(&mut ca, c.met_late),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO request_clocks (community_id, request_id, clock, started_at, due_at, warn_at, \
             pauses_on_hold, paused_since, met_at, warned_at, breached_at, created_day, kind, category, \
             met_late) VALUES {}",
            cvals.join(",")
        ),
        ca,
    )
    .await?;
    Ok(())
}

/// A community's request-number counter (0 before its first request).
pub(crate) async fn request_counter(core: &Core, c: CommunityId) -> AnyResult<i64> {
    let v: Option<(i64,)> = core
        .db
        .read()
        .fetch_optional(
            "SELECT value FROM community_counters WHERE community_id = $1 AND name = $2",
            args![c, "request"],
        )
        .await?;
    Ok(v.map_or(0, |v| v.0))
}

/// Sets a community's request-number counter past the bulk-loaded numbers.
pub(crate) async fn set_request_counter(tx: &mut Tx, c: CommunityId, value: i64) -> AnyResult<()> {
    tx.execute(
        "INSERT INTO community_counters (community_id, name, value) VALUES ($1, $2, $3) \
         ON CONFLICT (community_id, name) DO UPDATE SET value = $3",
        args![c, "request", value],
    )
    .await?;
    Ok(())
}

pub(crate) async fn count_requests(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM requests", args![]).await
}

pub(crate) async fn count_open_requests(core: &Core) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM requests WHERE state NOT IN ('closed', 'cancelled')",
        args![],
    )
    .await
}

/// Running clocks past their warning time, not yet warned, before their deadline at `now`.
pub(crate) async fn count_clocks_to_warn(core: &Core, now: Ts) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND warned_at IS NULL AND warn_at <= $1 AND due_at > $1",
        args![now],
    )
    .await
}

/// Running clocks past their deadline at `now`, not yet escalated.
pub(crate) async fn count_clocks_to_breach(core: &Core, now: Ts) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND breached_at IS NULL AND due_at <= $1",
        args![now],
    )
    .await
}

pub(crate) async fn count_notifications(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM notifications", args![]).await
}
