//! Evidence from the system beside an audit's items (issue 16 point 2): where wuye already holds
//! what an item asks for — return visits for 客户需求信息受理, the key ledger for 钥匙管理, every
//! cashier day closed for 收费服务管理 — the audit shows it, counted over the quarter before the
//! audit (before its sign-off once signed), with a link to the records. The auditor still judges;
//! a fact to look at is flagged (`warn`).

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::super::model::EvidenceKind;
use super::super::store;
use super::audits::reached;
use crate::db::Queries;
use crate::frontdesk::tz_of;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// How far back the evidence looks: a quarter.
pub const EVIDENCE_DAYS: i64 = 90;

/// One fact: a count, out of how many when it is a share.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EvidenceFact {
    /// What is counted (`registered`, `rated`, `left_open`, …; the console's label is
    /// `qa.ev.<code>`).
    pub code: String,
    pub value: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub of: Option<i64>,
    /// The value as read: "12 / 15", "4.60".
    pub text: String,
    /// Something the auditor should look at (a day not closed, a key overdue, a rating under 3).
    pub warn: bool,
}

/// What the system holds for one item of the audit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemEvidence {
    pub item_id: i64,
    pub kind: EvidenceKind,
    pub facts: Vec<EvidenceFact>,
    /// The console page with the records.
    pub link: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEvidence {
    pub audit_id: AuditId,
    /// The local days counted, both included.
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub items: Vec<ItemEvidence>,
}

fn fact(code: &str, value: i64) -> EvidenceFact {
    EvidenceFact {
        code: code.into(),
        value,
        of: None,
        text: value.to_string(),
        warn: false,
    }
}

fn share(code: &str, value: i64, of: i64) -> EvidenceFact {
    EvidenceFact {
        of: Some(of),
        text: format!("{value} / {of}"),
        warn: value < of,
        ..fact(code, value)
    }
}

fn warn_if(mut f: EvidenceFact, warn: bool) -> EvidenceFact {
    f.warn = warn;
    f
}

/// The window the evidence counts: instants `from`..`to` and their local days.
struct Window {
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    from_day: NaiveDate,
    to_day: NaiveDate,
    today: NaiveDate,
}

impl Window {
    fn days(&self) -> (String, String) {
        (self.from_day.to_string(), self.to_day.to_string())
    }
}

async fn facts_of(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    kind: EvidenceKind,
    w: &Window,
) -> CoreResult<Vec<EvidenceFact>> {
    use EvidenceKind as E;
    Ok(match kind {
        E::Requests | E::Complaints | E::Satisfaction => {
            let (from, to) = w.days();
            let tallies =
                crate::tickets::store::for_quality::request_tallies(q, c, &from, &to).await?;
            let pick = |complaint: bool| {
                tallies
                    .iter()
                    .find(|t| (t.complaint == 1) == complaint)
                    .cloned()
                    .unwrap_or_default()
            };
            match kind {
                E::Satisfaction => {
                    let (a, b) = (pick(false), pick(true));
                    let (rated, sum, low) = (
                        a.rated + b.rated,
                        a.rating_sum + b.rating_sum,
                        a.low + b.low,
                    );
                    let mut avg = fact("rating_avg", 0);
                    if rated > 0 {
                        avg.value = (sum * 100 + rated / 2) / rated;
                        avg.text = format!("{}.{:02}", avg.value / 100, avg.value % 100);
                    } else {
                        avg.text = "—".into();
                    }
                    vec![
                        fact("rated", rated),
                        avg,
                        warn_if(fact("rated_low", low), low > 0),
                    ]
                }
                _ => {
                    let t = pick(kind == E::Complaints);
                    vec![
                        fact("registered", t.registered),
                        share("dispatched", t.dispatched, t.registered),
                        share("closed", t.closed, t.registered),
                        share("rated", t.closed_rated, t.closed),
                        warn_if(fact("rated_low", t.low), t.low > 0),
                    ]
                }
            }
        }
        E::Keys => {
            let t = crate::frontdesk::store::for_quality::key_tally(q, c, w.from, w.to).await?;
            vec![
                fact("keys", t.keys),
                fact("lent_out", t.lent_out),
                warn_if(fact("keys_overdue", t.overdue), t.overdue > 0),
                share("loans_returned", t.returned, t.loans),
            ]
        }
        E::Vacant => {
            let t = crate::registry::store::for_quality::vacant_tally(q, c, w.from_day, w.to_day)
                .await?;
            vec![
                share("vacant_inspected", t.inspected, t.vacant),
                fact("inspections", t.inspections),
            ]
        }
        E::Activities => {
            let t =
                crate::community::store::for_quality::activity_tally(q, c, w.from, w.to).await?;
            vec![
                warn_if(fact("activities", t.held), t.held == 0),
                share("activities_summarised", t.summarised, t.done),
            ]
        }
        E::Notices => {
            let t = crate::community::store::for_quality::notice_tally(q, c, w.from, w.to).await?;
            vec![
                warn_if(fact("notices_published", t.published), t.published == 0),
                fact("notices_showing", t.showing),
                warn_if(fact("board_kept", t.board), t.board == 0),
            ]
        }
        E::Charging => {
            use crate::billing::store::for_quality as b;
            let t = b::charging_tally(q, c, w.from_day, w.to_day, w.today).await?;
            let (reminders, units) = b::reminder_tally(q, c, w.from, w.to).await?;
            vec![
                share("days_closed", t.closed, t.days),
                warn_if(fact("days_left_open", t.left_open), t.left_open > 0),
                fact("reminders", reminders),
                fact("reminded_units", units),
            ]
        }
        E::KeyCustomers => {
            let (all, noted) = crate::registry::store::for_quality::key_customers(q, c).await?;
            vec![
                warn_if(fact("key_customers", all), all == 0),
                share("key_customers_noted", noted, all),
            ]
        }
        E::Incidents => {
            let t = crate::incidents::store::for_quality::incident_tally(
                q,
                ctx.company_id,
                c,
                (w.from, w.to),
                (w.from_day, w.to_day),
            )
            .await?;
            vec![
                share("incidents_closed", t.closed, t.incidents),
                warn_if(fact("plans", t.plans), t.plans == 0),
                warn_if(fact("drills", t.drills), t.drills == 0),
            ]
        }
        E::Cctv => {
            let t = crate::equipment::store::for_quality::cctv_tally(q, c, w.from_day).await?;
            vec![
                warn_if(fact("cctv_systems", t.systems), t.systems == 0),
                fact("cameras", t.cameras),
                warn_if(
                    fact("retention_days", t.min_retention),
                    t.systems > 0 && t.min_retention < MIN_RETENTION_DAYS,
                ),
                share("cctv_checked", t.checked, t.systems),
            ]
        }
        E::MachineRooms => {
            let t = crate::equipment::store::for_quality::room_tally(q, c, w.from, w.to).await?;
            vec![
                fact("rooms", t.rooms),
                warn_if(fact("room_logs", t.logs), t.rooms > 0 && t.logs == 0),
                warn_if(fact("out_of_range", t.out_of_range), t.out_of_range > 0),
                fact("room_visits", t.visits),
            ]
        }
    })
}

/// Footage kept for fewer days than this is flagged (the public-security norm of 30 days).
pub const MIN_RETENTION_DAYS: i64 = 30;

fn link(kind: EvidenceKind, c: CommunityId, w: &Window) -> String {
    use EvidenceKind as E;
    match kind {
        E::Requests | E::Satisfaction => format!(
            "/requests/stats?community_id={c}&from={}&to={}",
            w.from_day, w.to_day
        ),
        E::Complaints => format!("/requests/complaints?community_id={c}"),
        E::Keys => format!("/keys?community={c}"),
        E::Vacant => format!("/communities/{c}"),
        E::Activities => format!("/activities?community_id={c}"),
        E::Notices => format!("/notices?community_id={c}"),
        E::Charging => format!("/daily-close?community={c}"),
        E::KeyCustomers => format!("/people?community_id={c}&key=1"),
        E::Incidents => format!("/incidents?community={c}"),
        E::Cctv | E::MachineRooms => format!("/machine-rooms?community={c}"),
    }
}

/// What the system holds for the audit's items, over the quarter up to its sign-off (or now).
pub async fn audit_evidence(core: &Core, ctx: &Ctx, id: AuditId) -> CoreResult<AuditEvidence> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    let c = r.community_id;
    let tz = tz_of(&mut q, ctx, c).await?;
    let now = Utc::now();
    let to = r.signed_at.unwrap_or(now);
    let from = to - Duration::days(EVIDENCE_DAYS);
    let w = Window {
        from,
        to,
        from_day: from.with_timezone(&tz).date_naive(),
        to_day: to.with_timezone(&tz).date_naive(),
        today: now.with_timezone(&tz).date_naive(),
    };
    let mut by_kind: HashMap<EvidenceKind, Vec<EvidenceFact>> = HashMap::new();
    let mut items = Vec::new();
    for p in store::parts(&mut q, c, id).await? {
        for i in store::items(&mut q, p.version_id).await? {
            let Some(kind) = EvidenceKind::of_item(&i.item) else {
                continue;
            };
            let facts = match by_kind.get(&kind) {
                Some(f) => f.clone(),
                None => {
                    let f = facts_of(&mut q, ctx, c, kind, &w).await?;
                    by_kind.insert(kind, f.clone());
                    f
                }
            };
            items.push(ItemEvidence {
                item_id: i.id,
                kind,
                facts,
                link: link(kind, c, &w),
            });
        }
    }
    Ok(AuditEvidence {
        audit_id: id,
        from: w.from_day,
        to: w.to_day,
        items,
    })
}
