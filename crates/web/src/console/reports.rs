//! Request reports of the console: statistics of a period with the clocks' on-time rates, a
//! trend chart (SVG drawn here, no script) and staff KPIs; the quarterly complaint analysis
//! (季度投诉汇总分析) and its .xlsx.

use crate::console::forms::CommonCode;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::{Datelike, NaiveDate, Utc};
use serde::Deserialize;
use wuye_core::registry;
use wuye_core::shared::ids::CommunityId;
use wuye_core::tickets::{
    self, ClockKind, ComplaintAnalysis, QuarterQuery, RequestKind, RequestState, StaffKpi, Stats,
    StatsQuery, StatsRow,
};
use wuye_core::{CoreError, FieldError};

use super::forms::{Opt, label_of, opts};
use super::{OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::extract::ConsoleUser;
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests/stats", get(stats_page))
        .route("/requests/complaints", get(complaints_page))
        .route("/requests/complaints.xlsx", get(complaints_xlsx))
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&super::forms::default_zone())
        .date_naive()
}

fn pct(r: Option<f64>) -> String {
    r.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

fn sat(r: Option<f64>) -> String {
    r.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
}

fn minutes(m: Option<i64>, l: Locale) -> String {
    match m {
        None => "—".into(),
        Some(m) if m < 60 => format!("{m}{}", if l == Locale::En { " min" } else { " 分钟" }),
        Some(m) => format!(
            "{:.1}{}",
            m as f64 / 60.0,
            if l == Locale::En { " h" } else { " 小时" }
        ),
    }
}

/// One row of a statistics table, ready to show.
pub struct RowView {
    pub label: String,
    pub count: i64,
    pub resolved: i64,
    pub resolution: String,
    pub first_fix: String,
    pub reopen: String,
    pub satisfaction: String,
    pub handling: String,
}

fn row_view(r: &StatsRow, label: String, l: Locale) -> RowView {
    RowView {
        label,
        count: r.count,
        resolved: r.resolved,
        resolution: pct(r.resolution_rate),
        first_fix: pct(r.first_time_fix_rate),
        reopen: pct(r.reopen_rate),
        satisfaction: sat(r.satisfaction),
        handling: minutes(r.avg_handling_minutes, l),
    }
}

pub struct ClockView {
    pub name: String,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    pub running: i64,
    pub rate: String,
}

/// One bar pair of the trend chart, in SVG user units.
pub struct Bar {
    pub x: i64,
    pub w: i64,
    pub y: i64,
    pub h: i64,
    pub ry: i64,
    pub rh: i64,
    pub label: String,
    pub show_label: bool,
    pub count: i64,
    pub resolved: i64,
}

pub const CHART_W: i64 = 760;
pub const CHART_H: i64 = 180;
const CHART_LEFT: i64 = 36;
const CHART_TOP: i64 = 10;

fn bars(s: &Stats) -> (Vec<Bar>, i64) {
    let n = s.trend.len().max(1) as i64;
    let max = s.trend.iter().map(|p| p.count).max().unwrap_or(0).max(1);
    let plot_w = CHART_W - CHART_LEFT - 8;
    // A few bars stay slim; many share the width.
    let slot = (plot_w / n).clamp(2, 48);
    let w = (slot * 7 / 10).max(1);
    let every = (n / 12).max(1);
    let bars = s
        .trend
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let h = p.count * CHART_H / max;
            let rh = p.resolved * CHART_H / max;
            let label = if p.period.len() == 10 {
                p.period[5..].to_string()
            } else {
                p.period.clone()
            };
            Bar {
                x: CHART_LEFT + i as i64 * slot,
                w,
                y: CHART_TOP + CHART_H - h,
                h,
                ry: CHART_TOP + CHART_H - rh,
                rh,
                label,
                show_label: i as i64 % every == 0,
                count: p.count,
                resolved: p.resolved,
            }
        })
        .collect();
    (bars, max)
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct StatsForm {
    community_id: String,
    from: String,
    to: String,
    group_by: String,
    kind: String,
    category: String,
}

pub struct KpiView {
    pub name: String,
    pub calls: i64,
    pub registered: i64,
    pub assigned: i64,
    pub resolved: i64,
    pub resolution: String,
    pub complaint: String,
    pub satisfaction: String,
}

#[derive(Template)]
#[template(path = "tickets/stats.html")]
struct StatsPage {
    s: Shell,
    f: StatsForm,
    communities: Vec<Opt>,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    groupings: Vec<Opt>,
    total: RowView,
    rows: Vec<RowView>,
    clocks: Vec<ClockView>,
    bars: Vec<Bar>,
    max: i64,
    kpis: Vec<KpiView>,
}

impl StatsPage {
    fn chart_w(&self) -> i64 {
        CHART_W
    }
    fn chart_h(&self) -> i64 {
        CHART_H + CHART_TOP + 24
    }
    fn base_y(&self) -> i64 {
        CHART_TOP + CHART_H
    }
    fn label_y(&self) -> i64 {
        CHART_TOP + CHART_H + 16
    }
}

fn parse_day(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<NaiveDate> {
    match NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d") {
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new(field, CommonCode::InvalidDate));
            None
        }
    }
}

fn community(errs: &mut Vec<FieldError>, raw: &str) -> Option<CommunityId> {
    match raw.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(CommunityId(n)),
            Err(_) => {
                errs.push(FieldError::new("community_id", CommonCode::NotANumber));
                None
            }
        },
    }
}

/// The communities the user reaches, as a filter's options (none when the list fails: the
/// filter then offers all).
pub(super) async fn community_opts(st: &AppState, u: &ConsoleUser) -> Vec<Opt> {
    registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| Opt {
            code: c.id.to_string(),
            label: c.name,
        })
        .collect()
}

async fn stats_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(mut f): Query<StatsForm>,
) -> PageResult {
    let l = u.locale;
    let t = today();
    if f.from.is_empty() {
        f.from = t.with_day(1).unwrap_or(t).format("%Y-%m-%d").to_string();
    }
    if f.to.is_empty() {
        f.to = t.format("%Y-%m-%d").to_string();
    }
    if f.group_by.is_empty() {
        f.group_by = "kind".into();
    }
    let mut errs = Vec::new();
    let from = parse_day(&mut errs, "from", &f.from);
    let to = parse_day(&mut errs, "to", &f.to);
    let community_id = community(&mut errs, &f.community_id);
    let (Some(from), Some(to)) = (from, to) else {
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    };
    if !errs.is_empty() {
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    }
    let q = StatsQuery {
        community_id,
        from,
        to,
        group_by: Some(f.group_by.clone()),
        kind: Some(f.kind.clone()),
        category: Some(f.category.clone()),
    };
    let s = tickets::stats(&st.core, &u.ctx, &q).await.or_page(&u)?;
    let kpis = tickets::staff_kpis(&st.core, &u.ctx, &q)
        .await
        .unwrap_or_default();
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let cat_name = |code: &str| {
        cats.iter()
            .find(|c| c.code == code)
            .map(|c| {
                if l == Locale::En {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    };
    let label = |r: &StatsRow| -> String {
        match s.group_by.as_str() {
            "kind" => label_of(RequestKind::ALL, &r.key, l),
            "category" => cat_name(&r.key),
            "channel" => label_of(tickets::Channel::ALL, &r.key, l),
            _ => r.name.clone().unwrap_or_else(|| {
                if r.key.is_empty() {
                    l.t("tk.unassigned").to_string()
                } else {
                    r.key.clone()
                }
            }),
        }
    };
    let rows = s.groups.iter().map(|r| row_view(r, label(r), l)).collect();
    let total = row_view(&s.total, l.t("tk.total").to_string(), l);
    let clocks = s
        .clocks
        .iter()
        .map(|c| ClockView {
            name: label_of(ClockKind::ALL, &c.clock, l),
            on_time: c.met_on_time,
            late: c.met_late,
            overdue: c.overdue,
            running: c.running,
            rate: pct(c.on_time_rate),
        })
        .collect();
    let (bars, max) = bars(&s);
    let kpis = kpis
        .into_iter()
        .map(|k: StaffKpi| KpiView {
            name: k.name,
            calls: k.calls_answered,
            registered: k.registered,
            assigned: k.assigned,
            resolved: k.resolved,
            resolution: pct(k.resolution_rate),
            complaint: pct(k.complaint_rate),
            satisfaction: sat(k.satisfaction),
        })
        .collect();
    let groupings = [
        "kind",
        "category",
        "channel",
        "assignee",
        "first_responder",
        "community",
    ]
    .iter()
    .map(|g| Opt {
        code: g.to_string(),
        label: l.t(&format!("tk.group.{g}")).to_string(),
    })
    .collect();
    Ok(page(&StatsPage {
        s: Shell::of(&u),
        communities: community_opts(&st, &u).await,
        kinds: opts(RequestKind::ALL, l),
        categories: cats
            .iter()
            .map(|c| Opt {
                code: c.code.clone(),
                label: if l == Locale::En {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                },
            })
            .collect(),
        groupings,
        f,
        total,
        rows,
        clocks,
        bars,
        max,
        kpis,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct QuarterForm {
    community_id: String,
    year: String,
    quarter: String,
}

impl QuarterForm {
    fn query(&self, errs: &mut Vec<FieldError>) -> QuarterQuery {
        let t = today();
        let year = match self.year.trim() {
            "" => t.year(),
            s => s.parse().unwrap_or_else(|_| {
                errs.push(FieldError::new("year", CommonCode::NotANumber));
                t.year()
            }),
        };
        let quarter = match self.quarter.trim() {
            "" => (t.month() - 1) / 3 + 1,
            s => s.parse().unwrap_or_else(|_| {
                errs.push(FieldError::new("quarter", CommonCode::NotANumber));
                1
            }),
        };
        QuarterQuery {
            community_id: community(errs, &self.community_id),
            year,
            quarter,
        }
    }
}

pub struct ComplaintView {
    pub id: i64,
    pub number: String,
    pub day: String,
    pub kind: String,
    pub category: String,
    pub place: String,
    pub description: String,
    pub state: String,
    pub satisfaction: String,
}

#[derive(Template)]
#[template(path = "tickets/complaints.html")]
struct ComplaintsPage {
    s: Shell,
    a: ComplaintAnalysis,
    community_id: String,
    communities: Vec<Opt>,
    rows: Vec<RowView>,
    clocks: Vec<ClockView>,
    items: Vec<ComplaintView>,
    change: String,
    satisfaction: String,
}

async fn complaints_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(f): Query<QuarterForm>,
) -> PageResult {
    let l = u.locale;
    let mut errs = Vec::new();
    let q = f.query(&mut errs);
    if !errs.is_empty() {
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    }
    let a = tickets::complaint_analysis(&st.core, &u.ctx, &q)
        .await
        .or_page(&u)?;
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let cat_name = |code: &str| {
        cats.iter()
            .find(|c| c.code == code)
            .map(|c| {
                if l == Locale::En {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                }
            })
            .unwrap_or_else(|| code.to_string())
    };
    let rows = a
        .by_category
        .iter()
        .map(|r| row_view(r, cat_name(&r.key), l))
        .collect();
    let clocks = a
        .clocks
        .iter()
        .map(|c| ClockView {
            name: label_of(ClockKind::ALL, &c.clock, l),
            on_time: c.met_on_time,
            late: c.met_late,
            overdue: c.overdue,
            running: c.running,
            rate: pct(c.on_time_rate),
        })
        .collect();
    let items = a
        .items
        .iter()
        .map(|i| ComplaintView {
            id: i.id.0,
            number: i.number.clone(),
            day: i.created_day.clone(),
            kind: label_of(RequestKind::ALL, &i.kind, l),
            category: cat_name(&i.category),
            place: i
                .unit_label
                .clone()
                .or(i.location.clone())
                .unwrap_or_default(),
            description: i.description.clone(),
            state: label_of(RequestState::ALL, &i.state, l),
            satisfaction: i.satisfaction.map(|s| s.to_string()).unwrap_or_default(),
        })
        .collect();
    let change = pct(a.change_rate);
    let satisfaction = sat(a.total.satisfaction);
    Ok(page(&ComplaintsPage {
        s: Shell::of(&u),
        community_id: f.community_id,
        communities: community_opts(&st, &u).await,
        rows,
        clocks,
        items,
        change,
        satisfaction,
        a,
    }))
}

async fn complaints_xlsx(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(f): Query<QuarterForm>,
) -> PageResult {
    let mut errs = Vec::new();
    let q = f.query(&mut errs);
    if !errs.is_empty() {
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    }
    let res = async {
        let a = tickets::complaint_analysis(&st.core, &u.ctx, &q).await?;
        let labels = tickets::sheet_labels(&st.core, &u.ctx).await?;
        tickets::complaint_analysis_xlsx(&a, &labels)
    }
    .await;
    let bytes = res.or_page(&u)?;
    Ok(crate::api::import::xlsx(
        bytes,
        &format!("complaints-{}-q{}.xlsx", q.year, q.quarter),
    ))
}
