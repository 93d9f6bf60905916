//! The SLA scanner (run under the job lease of `shared::jobs`), staff notifications, and the
//! company calendar the working-day clocks count on.
//!
//! Exactly once per clock: a warning is recorded by `UPDATE … SET warned_at = now WHERE …
//! warned_at IS NULL RETURNING …` and the messages are written in the same transaction, so a
//! clock whose update found it already warned sends nothing (the clock's row is the item's
//! claim, see `shared::jobs`). On PostgreSQL a second node skips the clocks the first has
//! locked (`SKIP LOCKED`) and takes the next ones; one it still meets re-checks
//! `warned_at IS NULL` after the first commits, which no longer holds; on SQLite there is one
//! writer. The lease only saves the work of running the scan twice: correctness does not
//! depend on it.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};

use crate::audit::{self, Action, Entry};
use crate::shared::calendar::{CalendarDay, CalendarLineError, DayKind, parse_calendar_file};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::jobs;
use crate::{Core, CoreRef};

use super::error::TicketCode;
use super::model::{ClockKind, EventAction};
use super::store;
use crate::notify::model::Event as NotifyEvent;
use crate::notify::store::inbox::NewInApp;
use crate::notify::{InApp, Note};

/// What one pass of the scanner did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct ScanReport {
    pub warned: usize,
    pub breached: usize,
}

/// Clocks handled per transaction.
const SCAN_BATCH: i64 = 500;

/// One pass: warns the owner (and the assignee) of every clock past its warning time, and
/// escalates every clock past its deadline to the community's managers, each exactly once.
pub async fn scan_clocks(core: &Core, now: DateTime<Utc>) -> CoreResult<ScanReport> {
    scan_in(core, now, None).await
}

/// [`scan_clocks`], for every community or one.
async fn scan_in(
    core: &Core,
    now: DateTime<Utc>,
    only: Option<CommunityId>,
) -> CoreResult<ScanReport> {
    let mut report = ScanReport::default();
    let mut managers: HashMap<CommunityId, Vec<UserId>> = HashMap::new();
    for breach in [false, true] {
        loop {
            let mut tx = core.db.begin().await?;
            let flagged = if breach {
                store::clocks::flag_breached(&mut tx, now, SCAN_BATCH, only).await?
            } else {
                store::clocks::flag_warned(&mut tx, now, SCAN_BATCH, only).await?
            };
            if flagged.is_empty() {
                break;
            }
            let n = flagged.len();
            let ids: Vec<RequestId> = flagged.iter().map(|f| f.request_id).collect();
            let targets = store::clocks::targets(&mut tx, &ids).await?;
            // The batch's messages outside the app, written together after the loop.
            let mut told: Vec<(Note, Vec<UserId>)> = Vec::with_capacity(flagged.len());
            for f in &flagged {
                let Some(t) = targets.iter().find(|t| t.id == f.request_id) else {
                    continue;
                };
                let (kind, action) = if breach {
                    ("sla_breach", EventAction::ClockBreach)
                } else {
                    ("sla_warning", EventAction::ClockWarning)
                };
                let mut to: Vec<UserId> = if breach {
                    match managers.get(&f.community_id) {
                        Some(m) => m.clone(),
                        None => {
                            let mut m = crate::auth::store::for_tickets::users_with_perm(
                                &mut tx,
                                t.company_id,
                                f.community_id,
                                "tickets.manage",
                                false,
                            )
                            .await?;
                            if m.is_empty() {
                                // No manager assigned: the company's admins hear of it.
                                m = crate::auth::store::for_tickets::users_with_perm(
                                    &mut tx,
                                    t.company_id,
                                    f.community_id,
                                    "tickets.manage",
                                    true,
                                )
                                .await?;
                            }
                            let ids: Vec<UserId> = m.into_iter().map(|x| x.0).collect();
                            managers.insert(f.community_id, ids.clone());
                            ids
                        }
                    }
                } else {
                    let mut v = vec![t.first_responder_id];
                    v.extend(t.assignee_id.filter(|a| *a != t.first_responder_id));
                    v
                };
                to.sort();
                to.dedup();
                let rows: Vec<NewInApp<'_>> = to
                    .iter()
                    .map(|u| NewInApp {
                        community: f.community_id,
                        user: *u,
                        at: now,
                        kind,
                        request: Some(f.request_id),
                        clock: Some(&f.clock),
                        event: None,
                        title: None,
                        body: None,
                        link: None,
                    })
                    .collect();
                crate::notify::store::inbox::insert(&mut tx, &rows).await?;
                let clock = ClockKind::parse("clock", &f.clock)
                    .map(|c| c.zh().to_string())
                    .unwrap_or_else(|_| f.clock.clone());
                let due = f
                    .due_at
                    .with_timezone(&crate::shared::calendar::zone(&t.timezone))
                    .format("%m-%d %H:%M")
                    .to_string();
                let note = Note {
                    community: f.community_id,
                    event: if breach {
                        NotifyEvent::SlaBreach
                    } else {
                        NotifyEvent::SlaWarning
                    },
                    params: vec![
                        ("number".into(), t.number.clone()),
                        ("clock".into(), clock),
                        ("due".into(), due),
                    ],
                    request: Some(f.request_id),
                    link: Some(format!("/requests/{}", f.request_id)),
                };
                told.push((note, to));
                store::events::event(
                    &mut tx,
                    f.community_id,
                    f.request_id,
                    now,
                    None,
                    "system",
                    action.code(),
                    None,
                    None,
                    Some(&f.clock),
                    None,
                )
                .await?;
            }
            crate::notify::enqueue_many(&core.channels, &mut tx, &told, InApp::Written, now)
                .await?;
            tx.commit().await?;
            if breach {
                report.breached += n;
            } else {
                report.warned += n;
            }
            if (n as i64) < SCAN_BATCH {
                break;
            }
        }
    }
    Ok(report)
}

/// One scheduled run of the scanner on this node: runs a pass if it gets the lease (held for
/// `lease`, renewed by each of its passes).
pub async fn run_scanner_once(
    core: &Core,
    node: &str,
    lease: Duration,
) -> CoreResult<Option<ScanReport>> {
    let now = Utc::now();
    if !jobs::claim_lease(core, "sla_scanner", node, lease, now).await? {
        return Ok(None);
    }
    let r = scan_clocks(core, now).await?;
    jobs::finish_lease(
        core,
        "sla_scanner",
        node,
        &format!("warned {} breached {}", r.warned, r.breached),
    )
    .await?;
    Ok(Some(r))
}

/// How far back a manager's catch-up scan may start.
pub const CATCH_UP_DAYS: i64 = 31;

/// A manager's catch-up run of the scanner for one community after downtime (补扫): a pass as
/// of the end of each day from `from` (default today) to yesterday, in order, then one as of now — so a clock
/// that fell due on a missed day is warned or escalated as of that day, each exactly once.
/// Running it again changes nothing (every clock it would flag is flagged).
pub async fn scan_as_of(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    from: Option<NaiveDate>,
) -> CoreResult<ScanReport> {
    ctx.require_in(Perm::TicketsManage, c)?;
    let tz = crate::registry::store::for_tickets::community_timezone(
        &mut core.db.read(),
        c,
        ctx.company_id,
    )
    .await?
    .ok_or(CoreError::NotFound("community"))?;
    let tz = crate::shared::calendar::zone(&tz);
    let now = Utc::now();
    let today = now.with_timezone(&tz).date_naive();
    let from = from.unwrap_or(today);
    if from > today {
        return Err(CoreError::invalid("as_of", CommonCode::TimeInFuture));
    }
    if from < today - Duration::days(CATCH_UP_DAYS) {
        return Err(CoreError::Invalid(vec![
            FieldError::new("as_of", CommonCode::TooFarBack).with("days", CATCH_UP_DAYS),
        ]));
    }
    let mut total = ScanReport::default();
    let mut day = from;
    while day < today {
        let next = day.succ_opt().ok_or(CoreError::internal("date"))?;
        // The last moment of `day` in the community's zone.
        let end = crate::shared::calendar::local_to_utc(tz, next, chrono::NaiveTime::MIN)
            - Duration::microseconds(1);
        let r = scan_in(core, end, Some(c)).await?;
        total.warned += r.warned;
        total.breached += r.breached;
        day = next;
    }
    let r = scan_in(core, now, Some(c)).await?;
    total.warned += r.warned;
    total.breached += r.breached;
    Ok(total)
}

/// Runs the scanner every `every` until the process ends.
pub fn spawn_scanner(core: CoreRef, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    let node = jobs::node_name();
    // Three periods (at least 10 s): a node that died hands the scan over soon; a pass that
    // outlives its lease overlaps another node's, which the clocks' claims make harmless.
    let lease = Duration::from_std(every * 3)
        .unwrap_or(Duration::seconds(90))
        .max(Duration::seconds(10));
    let core = Arc::clone(&core);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_scanner_once(&core, &node, lease).await {
                Ok(Some(r)) if r.warned + r.breached > 0 => {
                    tracing::info!(warned = r.warned, breached = r.breached, "SLA scan")
                }
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "SLA scan failed"),
            }
        }
    })
}

// ---------------------------------------------------------------------------------------------
// Notifications: the inbox is the notify module's.

pub use crate::notify::{Notification, notifications, unread_count};

/// Marks all of the actor's messages read.
pub async fn mark_read(core: &Core, ctx: &Ctx) -> CoreResult<u64> {
    crate::notify::mark_read(core, ctx, None).await
}

// ---------------------------------------------------------------------------------------------
// The company calendar

/// The listed days of a year (holidays and make-up working days).
pub async fn calendar_year(core: &Core, ctx: &Ctx, year: i32) -> CoreResult<Vec<CalendarDay>> {
    let from = NaiveDate::from_ymd_opt(year, 1, 1)
        .ok_or_else(|| CoreError::invalid("year", CommonCode::InvalidDate))?;
    let to = NaiveDate::from_ymd_opt(year, 12, 31)
        .ok_or_else(|| CoreError::invalid("year", CommonCode::InvalidDate))?;
    store::settings::calendar_days(&core.db, ctx.company_id, from, to)
        .await?
        .into_iter()
        .map(|(day, kind, name)| {
            Ok(CalendarDay {
                day,
                kind: day_kind(&kind)?,
                name,
            })
        })
        .collect()
}

/// Sets days of the calendar (an import or one edited day). Needs `community.manage` (the
/// calendar is the company's). Days already listed are replaced.
pub async fn save_calendar_days(core: &Core, ctx: &Ctx, days: &[CalendarDay]) -> CoreResult<usize> {
    ctx.require(Perm::CommunityManage)?;
    for d in days {
        if d.name.chars().count() > 50 || d.name.chars().any(char::is_control) {
            return Err(CoreError::invalid("name", CommonCode::CalendarNameInvalid));
        }
        if !(1900..=2200).contains(&d.day.year()) {
            return Err(CoreError::invalid("day", CommonCode::InvalidDate));
        }
    }
    let mut tx = core.db.begin().await?;
    for d in days {
        store::settings::save_calendar_day(&mut tx, ctx.company_id, d.day, d.kind.code(), &d.name)
            .await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry {
            community_id: None,
            action: Action::Update,
            entity: "calendar",
            entity_id: None,
            before: None,
            after: serde_json::to_value(days).ok(),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(days.len())
}

/// Removes a listed day (it follows the plain week again).
pub async fn delete_calendar_day(core: &Core, ctx: &Ctx, day: NaiveDate) -> CoreResult<()> {
    ctx.require(Perm::CommunityManage)?;
    let mut tx = core.db.begin().await?;
    let n = store::settings::delete_calendar_day(&mut tx, ctx.company_id, day).await?;
    if n == 0 {
        return Err(CoreError::NotFound("calendar_day"));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry {
            community_id: None,
            action: Action::Delete,
            entity: "calendar",
            entity_id: None,
            before: Some(serde_json::json!({ "day": day })),
            after: None,
        },
    )
    .await?;
    tx.commit().await
}

/// Why a calendar file was refused: every bad line.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarImportErrors {
    pub lines: Vec<CalendarLineError>,
}

/// Imports a calendar file (see [`parse_calendar_file`]): all lines or none.
pub async fn import_calendar(
    core: &Core,
    ctx: &Ctx,
    text: &str,
) -> CoreResult<Result<usize, Vec<CalendarLineError>>> {
    ctx.require(Perm::CommunityManage)?;
    match parse_calendar_file(text) {
        Ok(days) if days.is_empty() => Err(CoreError::Invalid(vec![FieldError::new(
            "file",
            TicketCode::CalendarFileEmpty,
        )])),
        Ok(days) => Ok(Ok(save_calendar_days(core, ctx, &days).await?)),
        Err(lines) => Ok(Err(lines)),
    }
}

/// A stored calendar day's kind, strictly (the codes `DayKind::code` writes).
pub(super) fn day_kind(code: &str) -> CoreResult<DayKind> {
    match code {
        "workday" => Ok(DayKind::Workday),
        "holiday" => Ok(DayKind::Holiday),
        _ => Err(CoreError::internal(format!(
            "unknown stored calendar day kind: {code:?}"
        ))),
    }
}

/// The company calendar around `start`: the listed days from a week before to a year after
/// (a working-day clock never reaches further).
pub(crate) async fn calendar_near(
    tx: &mut impl crate::db::Queries,
    company: CompanyId,
    start: DateTime<Utc>,
) -> CoreResult<crate::shared::calendar::Calendar> {
    let from = (start - Duration::days(7)).date_naive();
    let to = (start + Duration::days(366)).date_naive();
    let rows = store::settings::calendar_kinds(tx, company, from, to).await?;
    let mut days = Vec::with_capacity(rows.len());
    for (d, k) in rows {
        days.push((d, day_kind(&k)?));
    }
    Ok(crate::shared::calendar::Calendar::new(days))
}
