//! Statistics of requests: counts and rates by period, community, type, category, channel and
//! person; the on-time rate of each clock; a trend by day or month; the quarterly complaint
//! analysis (季度投诉汇总分析) with its .xlsx; staff KPIs.
//!
//! Periods are local dates (`created_day`, written at registration in the community's time
//! zone), so a quarter is a range of text keys both databases compare and index alike, and one
//! aggregate pass over the period answers each table.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::Core;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::error::TicketCode;
use super::model::*;
use super::store::{
    self,
    stats::{AggRow, Scope, group_key},
};

#[derive(Debug, Clone, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// One community, or every community the caller reaches.
    pub community_id: Option<CommunityId>,
    /// First day (local), inclusive.
    #[param(value_type = String, format = Date)]
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    /// Last day (local), inclusive.
    #[param(value_type = String, format = Date)]
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    /// `kind` (default), `category`, `channel`, `assignee`, `first_responder`, `community`.
    pub group_by: Option<String>,
    pub kind: Option<String>,
    pub category: Option<String>,
}

/// Counts and rates of one group (or of the whole period).
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StatsRow {
    pub key: String,
    /// A readable name for person and community keys (codes are labelled by the caller).
    pub name: Option<String>,
    pub count: i64,
    /// Done or closed.
    pub resolved: i64,
    pub closed: i64,
    /// Closed without ever being reopened.
    pub first_time_fixed: i64,
    pub reopened: i64,
    pub rated: i64,
    /// Ratings below 3.
    pub unsatisfied: i64,
    /// Average satisfaction (1–5) of the rated ones.
    pub satisfaction: Option<f64>,
    /// Average minutes from registration to done.
    pub avg_handling_minutes: Option<i64>,
    /// resolved / count.
    pub resolution_rate: Option<f64>,
    /// Sums behind the averages, so totals weigh each group by what it averaged.
    #[serde(skip)]
    sums: (i64, i64, i64),
    /// first_time_fixed / closed.
    pub first_time_fix_rate: Option<f64>,
    /// reopened / count.
    pub reopen_rate: Option<f64>,
}

fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 10_000.0).round() / 10_000.0)
}

impl From<AggRow> for StatsRow {
    fn from(r: AggRow) -> Self {
        StatsRow {
            name: None,
            satisfaction: (r.rated > 0)
                .then(|| (r.satisfaction_sum as f64 / r.rated as f64 * 100.0).round() / 100.0),
            avg_handling_minutes: (r.handled > 0).then(|| r.handling_sum / r.handled / 60),
            resolution_rate: ratio(r.resolved, r.count),
            first_time_fix_rate: ratio(r.first_time_fixed, r.closed),
            reopen_rate: ratio(r.reopened, r.count),
            key: r.key,
            count: r.count,
            resolved: r.resolved,
            closed: r.closed,
            first_time_fixed: r.first_time_fixed,
            reopened: r.reopened,
            rated: r.rated,
            unsatisfied: r.unsatisfied,
            sums: (r.satisfaction_sum, r.handled, r.handling_sum),
        }
    }
}

/// The on-time record of one clock over the period.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ClockStat {
    pub clock: String,
    pub met_on_time: i64,
    pub met_late: i64,
    /// Not met and past due.
    pub overdue: i64,
    /// Not met and not yet due.
    pub running: i64,
    #[sqlx(skip)]
    /// met_on_time / (met_on_time + met_late + overdue).
    pub on_time_rate: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TrendPoint {
    /// `2026-12-01` (by day) or `2026-12` (by month).
    pub period: String,
    pub count: i64,
    pub resolved: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Stats {
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub group_by: String,
    pub total: StatsRow,
    pub groups: Vec<StatsRow>,
    pub clocks: Vec<ClockStat>,
    pub trend: Vec<TrendPoint>,
}

/// The longest period one query covers (a year and a bit: year-on-year views).
const MAX_DAYS: i64 = 400;

async fn scope(core: &Core, ctx: &Ctx, q: &StatsQuery) -> CoreResult<Scope> {
    if !ctx.has(Perm::TicketsManage) {
        return Err(CoreError::Forbidden);
    }
    let communities = match q.community_id {
        Some(c) if ctx.reaches(c) => vec![c],
        Some(_) => return Err(CoreError::NotFound("community")),
        None => crate::registry::reachable_communities(core, ctx).await?,
    };
    if q.to < q.from {
        return Err(CoreError::invalid("to", TicketCode::PeriodReversed));
    }
    if (q.to - q.from).num_days() > MAX_DAYS {
        return Err(CoreError::Invalid(vec![
            crate::shared::error::FieldError::new("to", TicketCode::PeriodTooLong)
                .with("max", MAX_DAYS),
        ]));
    }
    let kind = match q.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(k) => Some(
            RequestKind::parse("kind", k)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code()
                .to_string(),
        ),
        None => None,
    };
    let category = match q.category.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => Some(
            crate::shared::values::query_text("category", c, 30)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .to_string(),
        ),
        None => None,
    };
    Ok(Scope {
        communities,
        from: q.from.format("%Y-%m-%d").to_string(),
        to: q.to.format("%Y-%m-%d").to_string(),
        kind,
        category,
        cancelled: RequestState::Cancelled.code(),
    })
}

/// The statistics of a period (needs `tickets.manage`).
pub async fn stats(core: &Core, ctx: &Ctx, q: &StatsQuery) -> CoreResult<Stats> {
    let sc = scope(core, ctx, q).await?;
    let group_by = q.group_by.as_deref().unwrap_or("kind").to_string();
    let key = group_key(&group_by)
        .ok_or_else(|| CoreError::invalid("group_by", TicketCode::UnknownGroupBy))?;
    // Trend by day over two months or less, else by month (folded from days here: no string
    // function runs on every row).
    let by_day = (q.to - q.from).num_days() <= 62;
    // One pass over the period's requests gives both the groups and the trend (grouped by
    // both, folded here); the clocks are read at the same time on another connection.
    let (rows, clocks) = tokio::try_join!(
        store::stats::by_key_and_day(&core.db, &sc, key),
        clock_stats(core, &sc, None)
    )?;
    let mut by_key: Vec<AggRow> = Vec::new();
    let mut have: HashMap<String, (i64, i64)> = HashMap::new();
    for r in rows {
        let mut day = r.period.clone().unwrap_or_default();
        if !by_day {
            day.truncate(7);
        }
        let t = have.entry(day).or_default();
        t.0 += r.count;
        t.1 += r.resolved;
        match by_key.iter_mut().find(|g| g.key == r.key) {
            Some(g) => {
                g.count += r.count;
                g.resolved += r.resolved;
                g.closed += r.closed;
                g.first_time_fixed += r.first_time_fixed;
                g.reopened += r.reopened;
                g.rated += r.rated;
                g.unsatisfied += r.unsatisfied;
                g.satisfaction_sum += r.satisfaction_sum;
                g.handled += r.handled;
                g.handling_sum += r.handling_sum;
            }
            None => by_key.push(r),
        }
    }
    by_key.sort_by(|a, b| b.count.cmp(&a.count).then(a.key.cmp(&b.key)));
    let mut groups: Vec<StatsRow> = by_key.into_iter().map(StatsRow::from).collect();
    let total = total_of(&groups);
    match group_by.as_str() {
        "assignee" | "first_responder" => name_users(core, &mut groups).await?,
        "community" => name_communities(core, ctx, &mut groups).await?,
        _ => {}
    }
    let mut trend = Vec::new();
    let mut d = q.from;
    while d <= q.to {
        let key = if by_day {
            d.format("%Y-%m-%d").to_string()
        } else {
            d.format("%Y-%m").to_string()
        };
        if trend.last().is_none_or(|p: &TrendPoint| p.period != key) {
            let (count, resolved) = have.remove(&key).unwrap_or((0, 0));
            trend.push(TrendPoint {
                period: key,
                count,
                resolved,
            });
        }
        d = match d.succ_opt() {
            Some(n) => n,
            None => break,
        };
    }
    Ok(Stats {
        from: q.from,
        to: q.to,
        group_by,
        total,
        groups,
        clocks,
        trend,
    })
}

/// The on-time record of each clock of the scope's requests (`kinds` narrows them further):
/// met clocks are counted from the `request_clocks_stats` index alone (`met_late` is set when a
/// clock is met); only the few still running are read for their deadlines.
async fn clock_stats(
    core: &Core,
    sc: &Scope,
    kinds: Option<&[&str]>,
) -> CoreResult<Vec<ClockStat>> {
    let (met, open) = store::stats::clock_counts(&core.db, sc, kinds).await?;
    let mut out: Vec<ClockStat> = Vec::new();
    let entry = |out: &mut Vec<ClockStat>, clock: &str| -> usize {
        match out.iter().position(|c| c.clock == clock) {
            Some(i) => i,
            None => {
                out.push(ClockStat {
                    clock: clock.to_string(),
                    met_on_time: 0,
                    met_late: 0,
                    overdue: 0,
                    running: 0,
                    on_time_rate: None,
                });
                out.len() - 1
            }
        }
    };
    for m in met {
        let i = entry(&mut out, &m.clock);
        match m.met_late {
            Some(0) => out[i].met_on_time += m.n,
            Some(_) => out[i].met_late += m.n,
            None => {}
        }
    }
    for o in open {
        let i = entry(&mut out, &o.clock);
        out[i].overdue += o.overdue;
        out[i].running += o.n - o.overdue;
    }
    for c in &mut out {
        c.on_time_rate = ratio(c.met_on_time, c.met_on_time + c.met_late + c.overdue);
    }
    out.sort_by_key(|c| {
        ClockKind::ALL
            .iter()
            .position(|(_, code, ..)| *code == c.clock)
            .unwrap_or(99)
    });
    Ok(out)
}

fn total_of(groups: &[StatsRow]) -> StatsRow {
    let sum = |f: fn(&StatsRow) -> i64| groups.iter().map(f).sum::<i64>();
    StatsRow::from(AggRow {
        key: "total".into(),
        period: None,
        count: sum(|g| g.count),
        resolved: sum(|g| g.resolved),
        closed: sum(|g| g.closed),
        first_time_fixed: sum(|g| g.first_time_fixed),
        reopened: sum(|g| g.reopened),
        rated: sum(|g| g.rated),
        unsatisfied: sum(|g| g.unsatisfied),
        satisfaction_sum: sum(|g| g.sums.0),
        handled: sum(|g| g.sums.1),
        handling_sum: sum(|g| g.sums.2),
    })
}

async fn name_users(core: &Core, groups: &mut [StatsRow]) -> CoreResult<()> {
    let ids: Vec<i64> = groups.iter().filter_map(|g| g.key.parse().ok()).collect();
    if ids.is_empty() {
        return Ok(());
    }
    let names = crate::auth::store::for_tickets::display_names(&core.db, &ids).await?;
    name_groups(groups, &names);
    Ok(())
}

async fn name_communities(core: &Core, ctx: &Ctx, groups: &mut [StatsRow]) -> CoreResult<()> {
    let names =
        crate::registry::store::for_tickets::community_names(&core.db, ctx.company_id).await?;
    name_groups(groups, &names);
    Ok(())
}

/// Names the groups whose key is one of the ids.
fn name_groups(groups: &mut [StatsRow], names: &[(i64, String)]) {
    for g in groups {
        g.name = g
            .key
            .parse::<i64>()
            .ok()
            .and_then(|id| names.iter().find(|(i, _)| *i == id).map(|(_, n)| n.clone()));
    }
}

// ---------------------------------------------------------------------------------------------
// Staff KPIs

/// One staff member's record over a period.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct StaffKpi {
    pub user_id: UserId,
    pub name: String,
    /// Hotline calls logged.
    pub calls_answered: i64,
    /// Requests registered (first responder).
    pub registered: i64,
    /// Work orders assigned.
    pub assigned: i64,
    /// Of those, done or closed.
    pub resolved: i64,
    pub resolution_rate: Option<f64>,
    /// Of the rated work orders, the share rated below 3 (the owner complained of the work).
    pub complaint_rate: Option<f64>,
    pub satisfaction: Option<f64>,
}

/// Staff KPIs of a period: calls answered, requests registered, work orders resolved, complaint
/// rate and satisfaction (needs `tickets.manage`).
pub async fn staff_kpis(core: &Core, ctx: &Ctx, q: &StatsQuery) -> CoreResult<Vec<StaffKpi>> {
    let sc = scope(core, ctx, q).await?;
    let db = &core.db;
    let mut out: HashMap<i64, StaffKpi> = HashMap::new();
    let assigned = store::stats::by_assignee(db, &sc).await?;
    for r in assigned {
        let Ok(id) = r.key.parse::<i64>() else {
            continue;
        };
        let row = StatsRow::from(r);
        let k = out.entry(id).or_default();
        k.assigned = row.count;
        k.resolved = row.resolved;
        k.resolution_rate = row.resolution_rate;
        k.complaint_rate = ratio(row.unsatisfied, row.rated);
        k.satisfaction = row.satisfaction;
    }
    let registered = store::stats::by_first_responder(db, &sc).await?;
    for r in registered {
        out.entry(r.user_id).or_default().registered = r.n;
    }
    let calls = store::stats::calls_by_taker(db, &sc).await?;
    for r in calls {
        out.entry(r.user_id).or_default().calls_answered = r.n;
    }
    let ids: Vec<i64> = out.keys().copied().collect();
    if !ids.is_empty() {
        let names = crate::auth::store::for_tickets::display_names(db, &ids).await?;
        for (id, n) in names {
            if let Some(k) = out.get_mut(&id) {
                k.name = n;
                k.user_id = UserId(id);
            }
        }
    }
    let mut v: Vec<StaffKpi> = out.into_values().filter(|k| !k.name.is_empty()).collect();
    v.sort_by(|a, b| {
        b.registered
            .cmp(&a.registered)
            .then(b.assigned.cmp(&a.assigned))
            .then(a.name.cmp(&b.name))
    });
    Ok(v)
}

mod complaints;
mod dashboard;
mod xlsx;

pub use complaints::*;
pub use dashboard::*;
pub use xlsx::*;
