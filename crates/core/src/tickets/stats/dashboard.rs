//! The home pages' reads of requests: the manager's dashboard (the open clocks by where they
//! stand now; the last months' count, resolution, on-time rate and satisfaction) and the desk's
//! day (registered today, breached and at risk).

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::Core;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::super::model::{ClockKind, Request, RequestFilter};
use super::super::service::{clock_rank, community_tz, list_requests};
use super::super::store;
use super::{StatsQuery, ratio, scope};

#[derive(Debug, Clone, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    /// One community, or every community the caller reaches.
    pub community_id: Option<CommunityId>,
    /// The last day the months run to (local); its month is the last one shown.
    #[param(value_type = String, format = Date)]
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// How many months, 1–12 (default 6).
    pub months: Option<u32>,
}

/// The unmet clocks of one kind (响应, 到场, 完成 …) by where they stand now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpenClocks {
    pub clock: String,
    /// Past due and not paused.
    pub breached: i64,
    /// Past the warning time, not yet due.
    pub at_risk: i64,
    /// Before the warning time.
    pub running: i64,
    /// Stopped while the request is on hold.
    pub paused: i64,
}

/// Adds a count of unmet clocks of kind `clock` — [breached, at risk, paused, all] — to `open`.
pub(crate) fn tally_open(open: &mut Vec<OpenClocks>, clock: &str, n: [i64; 4]) {
    let i = match open.iter().position(|c| c.clock == clock) {
        Some(i) => i,
        None => {
            open.push(OpenClocks {
                clock: clock.to_string(),
                breached: 0,
                at_risk: 0,
                running: 0,
                paused: 0,
            });
            open.len() - 1
        }
    };
    let c = &mut open[i];
    c.breached += n[0];
    c.at_risk += n[1];
    c.paused += n[2];
    c.running += n[3] - n[0] - n[1] - n[2];
}

/// Orders open clocks as the clock kinds are listed.
pub(crate) fn sort_open(open: &mut [OpenClocks]) {
    open.sort_by_key(|c| {
        ClockKind::ALL
            .iter()
            .position(|(_, code, ..)| *code == c.clock)
            .unwrap_or(99)
    });
}

/// One month of the dashboard's trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthTrend {
    /// `2026-12`.
    pub period: String,
    pub count: i64,
    pub resolved: i64,
    /// Clocks met on time of those met or past due, 0–1; none when no clock counted.
    pub on_time_rate: Option<f64>,
    /// Average rating 1–5 of the month's rated requests.
    pub satisfaction: Option<f64>,
    pub rated: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Dashboard {
    pub open: Vec<OpenClocks>,
    pub months: Vec<MonthTrend>,
}

/// The first day of the month `back` months before `d`'s.
fn month_start(d: NaiveDate, back: u32) -> NaiveDate {
    let m0 = d.year() * 12 + d.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// The dashboard of the requests a manager reaches (needs `tickets.manage`).
pub async fn dashboard(core: &Core, ctx: &Ctx, q: &DashboardQuery) -> CoreResult<Dashboard> {
    let months = q.months.unwrap_or(6).clamp(1, 12);
    let from = month_start(q.to, months - 1);
    let sc = scope(
        core,
        ctx,
        &StatsQuery {
            community_id: q.community_id,
            from,
            to: q.to,
            group_by: None,
            kind: None,
            category: None,
        },
    )
    .await?;
    let (open_rows, rows, clocks) = tokio::try_join!(
        store::stats::open_clocks_now(&core.db, &sc.communities),
        store::stats::by_key_and_day(&core.db, &sc, "r.kind"),
        store::stats::clocks_by_day(&core.db, &sc),
    )?;
    let mut open: Vec<OpenClocks> = Vec::new();
    for o in open_rows {
        tally_open(&mut open, &o.clock, [o.breached, o.at_risk, o.paused, o.n]);
    }
    sort_open(&mut open);
    // (count, resolved, rated, satisfaction sum, on time, late, overdue) by month.
    let mut by_month: BTreeMap<String, [i64; 7]> = BTreeMap::new();
    for back in (0..months).rev() {
        by_month.insert(month_start(q.to, back).format("%Y-%m").to_string(), [0; 7]);
    }
    let month = |day: &str| day.get(..7).unwrap_or(day).to_string();
    for r in rows {
        if let Some(m) = by_month.get_mut(&month(r.period.as_deref().unwrap_or(""))) {
            m[0] += r.count;
            m[1] += r.resolved;
            m[2] += r.rated;
            m[3] += r.satisfaction_sum;
        }
    }
    for c in clocks {
        if let Some(m) = by_month.get_mut(&month(&c.day)) {
            m[4] += c.on_time;
            m[5] += c.late;
            m[6] += c.overdue;
        }
    }
    let months = by_month
        .into_iter()
        .map(|(period, m)| MonthTrend {
            period,
            count: m[0],
            resolved: m[1],
            rated: m[2],
            satisfaction: (m[2] > 0).then(|| (m[3] as f64 / m[2] as f64 * 100.0).round() / 100.0),
            on_time_rate: ratio(m[4], m[4] + m[5] + m[6]),
        })
        .collect();
    Ok(Dashboard { open, months })
}

/// The desk's day: what it registered today and the open requests it sees whose clocks broke or
/// are about to, worst first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskDay {
    /// Registered by the caller today (each community's local day), newest first; at most 50.
    pub registered_today: Vec<Request>,
    /// Requests whose most urgent clock is past due, most overdue first; at most 100.
    pub breached: Vec<Request>,
    /// Requests whose most urgent clock is past its warning time, nearest deadline first; at
    /// most 100.
    pub at_risk: Vec<Request>,
}

/// The desk's day (needs `tickets.register`, `tickets.dispatch` or `tickets.manage`).
pub async fn desk_day(core: &Core, ctx: &Ctx) -> CoreResult<DeskDay> {
    if !(ctx.has(Perm::TicketsRegister)
        || ctx.has(Perm::TicketsDispatch)
        || ctx.has(Perm::TicketsManage))
    {
        return Err(CoreError::Forbidden);
    }
    let filter = |view: &str, clock: Option<&str>, limit: i64| RequestFilter {
        view: Some(view.into()),
        open: Some(clock.is_some()),
        clock: clock.map(str::to_string),
        limit: Some(limit),
        ..RequestFilter::default()
    };
    let mine = if ctx.has(Perm::TicketsRegister) {
        list_requests(core, ctx, &filter("mine", None, 50)).await?
    } else {
        Vec::new()
    };
    let now = Utc::now();
    let mut zones: HashMap<CommunityId, Tz> = HashMap::new();
    let mut registered_today = Vec::new();
    for r in mine {
        let tz = match zones.get(&r.community_id) {
            Some(tz) => *tz,
            None => {
                let tz = community_tz(&mut core.db.read(), ctx, r.community_id).await?;
                zones.insert(r.community_id, tz);
                tz
            }
        };
        if r.created_at.with_timezone(&tz).date_naive() == now.with_timezone(&tz).date_naive() {
            registered_today.push(r);
        }
    }
    let worst_first = |mut v: Vec<Request>| {
        v.sort_by_key(|r| {
            r.clocks
                .first()
                .map(clock_rank)
                .unwrap_or((9, DateTime::<Utc>::MAX_UTC))
        });
        v
    };
    let (b, a) = (
        filter("", Some("breached"), 100),
        filter("", Some("at_risk"), 100),
    );
    let (breached, at_risk) =
        tokio::try_join!(list_requests(core, ctx, &b), list_requests(core, ctx, &a))?;
    Ok(DeskDay {
        registered_today,
        breached: worst_first(breached),
        at_risk: worst_first(at_risk),
    })
}

#[cfg(test)]
mod tests {
    use super::month_start;
    use chrono::NaiveDate;

    #[test]
    fn months_count_back_across_years() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 31).unwrap();
        assert_eq!(
            month_start(d, 0),
            NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()
        );
        assert_eq!(
            month_start(d, 5),
            NaiveDate::from_ymd_opt(2025, 10, 1).unwrap()
        );
        assert_eq!(
            month_start(d, 14),
            NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()
        );
    }
}
