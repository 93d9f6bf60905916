//! Computing, keeping and reading the dashboard's figures; the job; the .xlsx.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::DashboardCode;
use super::model::*;
use super::store;
use crate::registry::Community;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::xlsx::{write_header_row, xlsx_err};
use crate::tickets::stats::{OpenClocks, sort_open, tally_open};
use crate::{Core, Ctx, Perm};

/// A view of at most this many communities computes every one afresh; a wider one recomputes at
/// most this many of its out-of-date ones.
const LIVE: usize = 8;
/// Kept figures older than this are out of date whatever the audit log says.
const MAX_AGE_MINUTES: i64 = 10;
/// An audit entry stamped up to this long before a computation began may belong to a
/// transaction that committed after the computation read: such figures are out of date.
const COMMIT_SLACK_SECONDS: i64 = 2;

#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CompanyDashboardQuery {
    /// One community, or every community the caller reaches.
    pub community_id: Option<CommunityId>,
    /// The last month shown, `2026-12` (default the current one); one of the last 12.
    pub to: Option<String>,
    /// How many months, 1–12 (default 6).
    pub months: Option<u32>,
}

/// DashboardFigures with their rates.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardFigures {
    #[serde(flatten)]
    pub figures: MonthFigures,
    #[serde(flatten)]
    pub rates: DashboardRates,
}

impl From<MonthFigures> for DashboardFigures {
    fn from(figures: MonthFigures) -> Self {
        let rates = figures.rates();
        DashboardFigures { figures, rates }
    }
}

/// One community over the window, and where it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DashboardCommunity {
    pub community_id: CommunityId,
    pub code: String,
    pub name: String,
    /// The window's months added up (`period` empty).
    pub window: DashboardFigures,
    pub arrears: ArrearsAgeing,
    pub maintenance_overdue: i64,
    pub rect_open: i64,
    pub rect_overdue: i64,
    pub audit: Option<AuditGrade>,
    /// Unmet clocks past due, and past their warning time, now.
    pub breached: i64,
    pub at_risk: i64,
    /// When the figures shown began to be computed.
    pub as_of: DateTime<Utc>,
}

/// How many communities' latest audit has each grade.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct AuditGradeCounts {
    pub excellent: i64,
    pub good: i64,
    pub fail: i64,
    /// Never audited.
    pub none: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompanyDashboard {
    pub community_id: Option<CommunityId>,
    /// First and last month, `2026-07` … `2026-12`.
    pub from: String,
    pub to: String,
    /// The oldest figures shown began to be computed then.
    pub as_of: Option<DateTime<Utc>>,
    /// Communities shown from figures computed before their latest change (the job catches up).
    pub behind: i64,
    /// Unmet clocks by kind and where they stand now.
    pub open: Vec<OpenClocks>,
    /// Month by month, oldest first.
    pub trend: Vec<DashboardFigures>,
    /// The window as one (`period` empty).
    pub total: DashboardFigures,
    pub arrears: ArrearsAgeing,
    pub maintenance_overdue: i64,
    pub rect_open: i64,
    pub rect_overdue: i64,
    pub grades: AuditGradeCounts,
    pub communities: Vec<DashboardCommunity>,
}

fn local_today(c: &Community, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&crate::shared::calendar::zone(&c.timezone))
        .date_naive()
}

/// Computes a community's figures from its own rows.
async fn compute(core: &Core, c: &Community, now: DateTime<Utc>) -> CoreResult<CommunityFigures> {
    let today = local_today(c, now);
    let first = month_start(today, STORED_MONTHS - 1);
    let ps = periods(today, STORED_MONTHS);
    let mut months: Vec<MonthFigures> = ps.iter().map(|p| MonthFigures::empty(p)).collect();
    let index: HashMap<String, usize> = ps.iter().cloned().zip(0..).collect();
    let at = |day: &str| index.get(period_of(day)).copied();
    let (from_day, to_day) = (first.to_string(), today.to_string());
    let mut r = core.db.read();
    use crate::{billing, equipment, patrols, quality, tickets};
    for d in tickets::store::for_dashboard::request_days(&mut r, c.id, &from_day, &to_day).await? {
        if let Some(i) = at(&d.day) {
            let m = &mut months[i];
            m.requests += d.requests;
            m.resolved += d.resolved;
            m.complaints += d.complaints;
            m.rated += d.rated;
            m.rating_sum += d.rating_sum;
        }
    }
    for d in
        tickets::store::for_dashboard::clock_days(&mut r, c.id, &from_day, &to_day, now).await?
    {
        if let Some(i) = at(&d.day) {
            let m = &mut months[i];
            m.on_time += d.on_time;
            m.late += d.late;
            m.overdue += d.overdue;
        }
    }
    let (p0, p1) = (&ps[0], &ps[ps.len() - 1]);
    for p in billing::store::for_dashboard::billed_by_period(&mut r, c.id, p0, p1).await? {
        if let Some(i) = at(&p.period) {
            months[i].billed_fen += p.billed_fen;
            months[i].collected_fen += p.collected_fen;
        }
    }
    for d in patrols::store::for_dashboard::rounds_by_day(&mut r, c.id, first, today, now).await? {
        if let Some(i) = at(&d.day.to_string()) {
            months[i].rounds += d.tasks;
            months[i].rounds_done += d.done;
        }
    }
    for d in
        equipment::store::for_dashboard::orders_by_day(&mut r, c.id, first, today, today).await?
    {
        if let Some(i) = at(&d.day.to_string()) {
            months[i].maintenance_due += d.due;
            months[i].maintenance_on_time += d.on_time;
        }
    }
    let a = billing::store::for_dashboard::ageing_totals(&mut r, c.id, today).await?;
    let maintenance_overdue =
        equipment::store::for_dashboard::overdue_count(&mut r, c.id, today).await?;
    let (rect_open, rect_overdue) =
        quality::store::for_dashboard::open_rectifications(&mut r, c.id, now).await?;
    let audit = quality::store::for_dashboard::latest_audit(&mut r, c.id)
        .await?
        .map(|l| AuditGrade {
            audit_id: l.id,
            number: l.number,
            total_cp: l.total_cp,
            grade: l.grade,
            signed_at: l.signed_at,
        });
    Ok(CommunityFigures {
        months,
        arrears: ArrearsAgeing {
            units: a.units,
            d0_30_fen: a.d0_30_fen,
            d31_90_fen: a.d31_90_fen,
            d91_180_fen: a.d91_180_fen,
            over_180_fen: a.over_180_fen,
        },
        maintenance_overdue,
        rect_open,
        rect_overdue,
        audit,
    })
}

/// Computes a community's figures and keeps them; `now` is when computing began.
async fn refresh(core: &Core, c: &Community, now: DateTime<Utc>) -> CoreResult<()> {
    let f = compute(core, c, now).await?;
    let mut tx = core.db.begin().await?;
    store::save(&mut tx, c.id, now, local_today(c, now), &f).await?;
    tx.commit().await
}

/// The communities whose kept figures are missing or may be out of date.
async fn out_of_date(
    core: &Core,
    communities: &[&Community],
    now: DateTime<Utc>,
) -> CoreResult<(Vec<CommunityId>, HashMap<CommunityId, store::Standing>)> {
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let (kept, changed) = tokio::try_join!(
        store::standings(&core.db, &ids),
        crate::audit::store::last_changes(&core.db, &ids)
    )?;
    let kept: HashMap<CommunityId, store::Standing> =
        kept.into_iter().map(|s| (s.community_id, s)).collect();
    let changed: HashMap<CommunityId, Option<DateTime<Utc>>> = changed.into_iter().collect();
    let stale = communities
        .iter()
        .filter(|c| match kept.get(&c.id) {
            None => true,
            Some(s) => {
                s.day != local_today(c, now)
                    || s.started_at < now - Duration::minutes(MAX_AGE_MINUTES)
                    || changed.get(&c.id).copied().flatten().is_some_and(|at| {
                        at + Duration::seconds(COMMIT_SLACK_SECONDS) >= s.started_at
                    })
            }
        })
        .map(|c| c.id)
        .collect();
    Ok((stale, kept))
}

/// Recomputes every community whose kept figures may be out of date (the job's pass); returns
/// how many it recomputed.
pub async fn refresh_out_of_date(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    const JOB: &str = "dashboard figures";
    let node = crate::shared::jobs::node_name();
    if !crate::shared::jobs::claim_lease(core, JOB, &node, Duration::seconds(600), now).await? {
        return Ok(0);
    }
    let all: Vec<Community> = crate::registry::store::communities::all(&core.db)
        .await?
        .into_iter()
        .map(|(_, c)| c)
        .collect();
    let mut done = 0;
    for chunk in all.chunks(500) {
        let refs: Vec<&Community> = chunk.iter().collect();
        let (stale, _) = out_of_date(core, &refs, now).await?;
        for c in chunk.iter().filter(|c| stale.contains(&c.id)) {
            refresh(core, c, Utc::now()).await?;
            done += 1;
        }
    }
    crate::shared::jobs::finish_lease(core, JOB, &node, &format!("recomputed {done}")).await?;
    Ok(done)
}

/// Runs [`refresh_out_of_date`] every `every` until the process ends.
pub fn spawn_dashboard_job(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::shared::jobs::spawn_every(core, every, "dashboard figures", |core| async move {
        refresh_out_of_date(&core, Utc::now()).await
    })
}

/// The communities a view covers: all the caller reaches, or the one asked for.
async fn scope(core: &Core, ctx: &Ctx, q: &CompanyDashboardQuery) -> CoreResult<Vec<Community>> {
    ctx.require(Perm::TicketsManage)?;
    let all = crate::registry::list_communities(core, ctx).await?;
    match q.community_id {
        None => Ok(all),
        Some(id) => {
            let one: Vec<Community> = all.into_iter().filter(|c| c.id == id).collect();
            if one.is_empty() {
                return Err(CoreError::NotFound("community"));
            }
            Ok(one)
        }
    }
}

/// The window's months: (first, last, the periods), checked against what is kept.
fn window_of(q: &CompanyDashboardQuery, today: NaiveDate) -> CoreResult<Vec<String>> {
    let months = q.months.unwrap_or(6);
    if !(1..=MAX_MONTHS).contains(&months) {
        return Err(CoreError::Invalid(vec![
            FieldError::new("months", DashboardCode::MonthsRange).with("max", MAX_MONTHS),
        ]));
    }
    let to = match q.to.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today,
        Some(raw) => {
            let (y, m) = crate::billing::model::Period::parse_month("to", raw)
                .map_err(|e| CoreError::Invalid(vec![e]))?;
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today)
        }
    };
    let to = month_start(to, 0);
    let earliest = month_start(today, STORED_MONTHS - months);
    if to > month_start(today, 0) || to < earliest {
        return Err(CoreError::Invalid(vec![
            FieldError::new("to", DashboardCode::PeriodRange)
                .with("max", STORED_MONTHS - months + 1),
        ]));
    }
    Ok(periods(to, months))
}

/// The dashboard of the communities the caller reaches (needs `tickets.manage`).
pub async fn company_dashboard(
    core: &Core,
    ctx: &Ctx,
    q: &CompanyDashboardQuery,
) -> CoreResult<CompanyDashboard> {
    let now = Utc::now();
    let communities = scope(core, ctx, q).await?;
    let today = communities
        .first()
        .map(|c| local_today(c, now))
        .unwrap_or_else(|| now.date_naive());
    let ps = window_of(q, today)?;
    let refs: Vec<&Community> = communities.iter().collect();
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let (stale, kept) = out_of_date(core, &refs, now).await?;
    // A community with nothing kept has nothing to show: it is computed whatever the budget.
    let mut budget = LIVE;
    let redo: Vec<&Community> = if communities.len() <= LIVE {
        refs.clone()
    } else {
        refs.iter()
            .filter(|c| stale.contains(&c.id))
            .filter(|c| {
                !kept.contains_key(&c.id)
                    || (budget > 0 && {
                        budget -= 1;
                        true
                    })
            })
            .copied()
            .collect()
    };
    futures_util::future::try_join_all(redo.iter().map(|c| refresh(core, c, now))).await?;
    let (from, to) = (ps[0].clone(), ps[ps.len() - 1].clone());
    let (kept, by_community, by_month, open) = tokio::try_join!(
        store::standings(&core.db, &ids),
        store::window_by_community(&core.db, &ids, &from, &to),
        store::window_by_month(&core.db, &ids, &from, &to),
        async {
            let mut r = core.db.read();
            crate::tickets::store::for_dashboard::open_clocks(&mut r, &ids, now).await
        }
    )?;
    let kept: HashMap<CommunityId, store::Standing> =
        kept.into_iter().map(|s| (s.community_id, s)).collect();
    let windows: HashMap<CommunityId, MonthFigures> = by_community
        .into_iter()
        .map(|w| (w.community_id, w.figures))
        .collect();
    let mut clocks: Vec<OpenClocks> = Vec::new();
    let mut late_now: HashMap<CommunityId, (i64, i64)> = HashMap::new();
    for o in open {
        let e = late_now.entry(o.community_id).or_default();
        e.0 += o.breached;
        e.1 += o.at_risk;
        tally_open(
            &mut clocks,
            &o.clock,
            [o.breached, o.at_risk, o.paused, o.n],
        );
    }
    sort_open(&mut clocks);
    let redone: Vec<CommunityId> = redo.iter().map(|c| c.id).collect();
    let behind = stale.iter().filter(|id| !redone.contains(id)).count() as i64;
    let mut rows = Vec::with_capacity(communities.len());
    let (mut arrears, mut maintenance_overdue, mut rect_open, mut rect_overdue) =
        (ArrearsAgeing::default(), 0, 0, 0);
    let mut grades = AuditGradeCounts::default();
    let mut as_of: Option<DateTime<Utc>> = None;
    for c in &communities {
        let Some(s) = kept.get(&c.id) else {
            continue;
        };
        let window = windows
            .get(&c.id)
            .cloned()
            .unwrap_or_else(|| MonthFigures::empty(""));
        let audit = s.audit();
        match audit.as_ref().map(|a| a.grade.as_str()) {
            Some("excellent") => grades.excellent += 1,
            Some("good") => grades.good += 1,
            Some(_) => grades.fail += 1,
            None => grades.none += 1,
        }
        let a = s.arrears();
        arrears.add(&a);
        maintenance_overdue += s.maintenance_overdue;
        rect_open += s.rect_open;
        rect_overdue += s.rect_overdue;
        as_of = Some(as_of.map_or(s.started_at, |t| t.min(s.started_at)));
        let (breached, at_risk) = late_now.get(&c.id).copied().unwrap_or_default();
        rows.push(DashboardCommunity {
            community_id: c.id,
            code: c.code.clone(),
            name: c.name.clone(),
            window: window.into(),
            arrears: a,
            maintenance_overdue: s.maintenance_overdue,
            rect_open: s.rect_open,
            rect_overdue: s.rect_overdue,
            audit,
            breached,
            at_risk,
            as_of: s.started_at,
        });
    }
    let trend: Vec<MonthFigures> = window(&by_month, &ps);
    let total = super::model::total(&trend);
    Ok(CompanyDashboard {
        community_id: q.community_id,
        from,
        to,
        as_of,
        behind,
        open: clocks,
        trend: trend.into_iter().map(DashboardFigures::from).collect(),
        total: total.into(),
        arrears,
        maintenance_overdue,
        rect_open,
        rect_overdue,
        grades,
        communities: rows,
    })
}

fn rate_cell(r: Option<f64>) -> Option<f64> {
    r.map(|v| (v * 10_000.0).round() / 10_000.0)
}

/// The dashboard as .xlsx: a sheet of communities, a sheet of months: (file name, bytes).
pub async fn company_dashboard_xlsx(
    core: &Core,
    ctx: &Ctx,
    q: &CompanyDashboardQuery,
) -> CoreResult<(String, Vec<u8>)> {
    let d = company_dashboard(core, ctx, q).await?;
    let mut wb = Workbook::new();
    let money = Format::new().set_num_format("#,##0.00");
    let pct = Format::new().set_num_format("0.00%");
    let yuan = |f: i64| f as f64 / 100.0;
    let ws = wb.add_worksheet();
    ws.set_name("各项目").map_err(xlsx_err)?;
    write_header_row(
        ws,
        &[
            ("项目编号", 10.0),
            ("项目", 16.0),
            ("请求数", 9.0),
            ("已办结", 9.0),
            ("投诉", 8.0),
            ("准时率", 9.0),
            ("满意度", 8.0),
            ("应收(元)", 14.0),
            ("实收(元)", 14.0),
            ("收缴率", 9.0),
            ("欠费(元)", 14.0),
            ("欠费>180天(元)", 14.0),
            ("巡检完成率", 10.0),
            ("保养准时率", 10.0),
            ("保养逾期", 9.0),
            ("当前超时", 9.0),
            ("整改未关闭", 10.0),
            ("整改逾期", 9.0),
            ("最近核查得分", 12.0),
            ("等级", 8.0),
        ],
    )?;
    for (i, c) in d.communities.iter().enumerate() {
        let row = i as u32 + 1;
        let (f, r) = (&c.window.figures, &c.window.rates);
        ws.write_string(row, 0, &c.code).map_err(xlsx_err)?;
        ws.write_string(row, 1, &c.name).map_err(xlsx_err)?;
        for (col, n) in [(2, f.requests), (3, f.resolved), (4, f.complaints)] {
            ws.write_number(row, col, n as f64).map_err(xlsx_err)?;
        }
        for (col, v) in [
            (5, r.on_time_rate),
            (9, r.collection_rate),
            (12, r.round_rate),
            (13, r.maintenance_rate),
        ] {
            if let Some(v) = rate_cell(v) {
                ws.write_number_with_format(row, col, v, &pct)
                    .map_err(xlsx_err)?;
            }
        }
        if let Some(s) = r.satisfaction {
            ws.write_number(row, 6, s).map_err(xlsx_err)?;
        }
        for (col, fen) in [
            (7, f.billed_fen),
            (8, f.collected_fen),
            (10, c.arrears.total_fen()),
            (11, c.arrears.over_180_fen),
        ] {
            ws.write_number_with_format(row, col, yuan(fen), &money)
                .map_err(xlsx_err)?;
        }
        for (col, n) in [
            (14, c.maintenance_overdue),
            (15, c.breached),
            (16, c.rect_open),
            (17, c.rect_overdue),
        ] {
            ws.write_number(row, col, n as f64).map_err(xlsx_err)?;
        }
        if let Some(a) = &c.audit {
            ws.write_number(row, 18, a.total_cp as f64 / 100.0)
                .map_err(xlsx_err)?;
            let g = crate::quality::model::Grade::from_stored(&a.grade)?;
            ws.write_string(row, 19, g.zh()).map_err(xlsx_err)?;
        }
    }
    let ws = wb.add_worksheet();
    ws.set_name("月度趋势").map_err(xlsx_err)?;
    write_header_row(
        ws,
        &[
            ("月份", 10.0),
            ("请求数", 9.0),
            ("已办结", 9.0),
            ("准时率", 9.0),
            ("满意度", 8.0),
            ("应收(元)", 14.0),
            ("实收(元)", 14.0),
            ("收缴率", 9.0),
            ("巡检完成率", 10.0),
            ("保养准时率", 10.0),
        ],
    )?;
    for (i, m) in d.trend.iter().enumerate() {
        let row = i as u32 + 1;
        let (f, r) = (&m.figures, &m.rates);
        ws.write_string(row, 0, &f.period).map_err(xlsx_err)?;
        ws.write_number(row, 1, f.requests as f64)
            .map_err(xlsx_err)?;
        ws.write_number(row, 2, f.resolved as f64)
            .map_err(xlsx_err)?;
        if let Some(s) = r.satisfaction {
            ws.write_number(row, 4, s).map_err(xlsx_err)?;
        }
        ws.write_number_with_format(row, 5, yuan(f.billed_fen), &money)
            .map_err(xlsx_err)?;
        ws.write_number_with_format(row, 6, yuan(f.collected_fen), &money)
            .map_err(xlsx_err)?;
        for (col, v) in [
            (3, r.on_time_rate),
            (7, r.collection_rate),
            (8, r.round_rate),
            (9, r.maintenance_rate),
        ] {
            if let Some(v) = rate_cell(v) {
                ws.write_number_with_format(row, col, v, &pct)
                    .map_err(xlsx_err)?;
            }
        }
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    Ok((format!("dashboard-{}-{}.xlsx", d.from, d.to), bytes))
}
