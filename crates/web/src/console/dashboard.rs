//! The company dashboard page (经营看板): the tiles (each a link to its list), the charts drawn as
//! SVG on the server, the table of communities, the period and community filters, the .xlsx.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use wuye_core::dashboard::{self, CompanyDashboard, CompanyDashboardQuery};
use wuye_core::quality::model::Grade;
use wuye_core::shared::money::Money;

use super::charts::{self, Bar};
use super::forms::{Opt, label_of};
use super::{OrPage, PageResult, Shell, page};
use crate::AppState;
use crate::extract::ConsoleUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/dashboard", get(show))
        .route("/dashboard.xlsx", get(xlsx))
}

/// The filters as the form sends them (blank for the defaults).
#[derive(Deserialize, Default)]
#[serde(default)]
struct DashQ {
    community: String,
    to: String,
    months: String,
}

impl DashQ {
    fn query(&self) -> CompanyDashboardQuery {
        CompanyDashboardQuery {
            community_id: self
                .community
                .trim()
                .parse()
                .ok()
                .map(wuye_core::shared::ids::CommunityId),
            to: Some(self.to.trim().to_string()).filter(|s| !s.is_empty()),
            months: self.months.trim().parse().ok(),
        }
    }
}

struct DashCharts {
    open: String,
    on_time: String,
    satisfaction: String,
    collection: String,
    ageing: String,
    rounds: String,
}

#[derive(Template)]
#[template(path = "dashboard.html")]
struct DashPage {
    s: Shell,
    d: CompanyDashboard,
    communities: Vec<Opt>,
    months_opts: Vec<u32>,
    months: u32,
    charts: DashCharts,
    /// `&community=…` for the tiles' links when one community is shown.
    cq: String,
    /// The filters, for the .xlsx link.
    query: String,
}

impl DashPage {
    fn yuan(&self, fen: impl std::borrow::Borrow<i64>) -> String {
        Money(*fen.borrow()).grouped()
    }
    fn pct(&self, r: &Option<f64>) -> String {
        r.map(|x| format!("{:.1}%", x * 100.0))
            .unwrap_or_else(|| "—".into())
    }
    fn sat(&self, r: &Option<f64>) -> String {
        r.map(|x| format!("{x:.2}")).unwrap_or_else(|| "—".into())
    }
    fn pts(&self, cp: &i64) -> String {
        format!("{:.2}", *cp as f64 / 100.0)
    }
    fn grade(&self, g: &str) -> String {
        label_of(Grade::ALL, g, self.s.l)
    }
    fn chosen(&self, code: &str) -> bool {
        self.d.community_id.is_some_and(|c| c.to_string() == code)
    }
    fn breached(&self) -> i64 {
        self.d.open.iter().map(|o| o.breached).sum()
    }
    fn at_risk(&self) -> i64 {
        self.d.open.iter().map(|o| o.at_risk).sum()
    }
    fn as_of(&self) -> String {
        self.d
            .as_of
            .map(|t| {
                t.with_timezone(&wuye_core::shared::calendar::zone(""))
                    .format("%Y-%m-%d %H:%M")
                    .to_string()
            })
            .unwrap_or_default()
    }
}

fn charts_of(d: &CompanyDashboard, s: &Shell) -> DashCharts {
    let l = s.l;
    let none = l.t("chart.none");
    let month = |p: &str| charts::month_label(p, l);
    let pct = |r: Option<f64>| r.map(|x| format!("{:.0}%", x * 100.0)).unwrap_or_default();
    let rate_line =
        |id: &str, title: &str, f: &dyn Fn(&dashboard::DashboardFigures) -> Option<f64>| {
            charts::line(
                id,
                title,
                &d.trend
                    .iter()
                    .map(|m| (month(&m.figures.period), f(m), pct(f(m))))
                    .collect::<Vec<_>>(),
                1.0,
                none,
            )
        };
    let a = &d.arrears;
    let buckets = [
        ("bl.age.0_30", a.d0_30_fen),
        ("bl.age.31_90", a.d31_90_fen),
        ("bl.age.91_180", a.d91_180_fen),
        ("bl.age.over_180", a.over_180_fen),
    ];
    DashCharts {
        open: super::tickets::open_clocks_chart(&d.open, l),
        on_time: rate_line("chart-on-time", l.t("home.chart.on_time"), &|m| {
            m.rates.on_time_rate
        }),
        satisfaction: charts::line(
            "chart-satisfaction",
            l.t("home.chart.satisfaction"),
            &d.trend
                .iter()
                .map(|m| {
                    let v = m.rates.satisfaction;
                    (
                        month(&m.figures.period),
                        v,
                        v.map(|s| format!("{s:.1}")).unwrap_or_default(),
                    )
                })
                .collect::<Vec<_>>(),
            5.0,
            none,
        ),
        collection: rate_line("chart-collection", l.t("home.chart.rate"), &|m| {
            m.rates.collection_rate
        }),
        ageing: charts::bars(
            "chart-ageing",
            l.t("home.chart.ageing"),
            &buckets
                .iter()
                .map(|(k, fen)| {
                    Bar::new(l.t(k), *fen as f64, format!("¥{}", Money(*fen).grouped()))
                })
                .collect::<Vec<_>>(),
            None,
            none,
        ),
        rounds: rate_line("chart-rounds", l.t("db.chart.rounds"), &|m| {
            m.rates.round_rate
        }),
    }
}

async fn show(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DashQ>) -> PageResult {
    let query = q.query();
    let d = dashboard::company_dashboard(&st.core, &u.ctx, &query)
        .await
        .or_page(&u)?;
    let s = Shell::of(&u);
    let charts = charts_of(&d, &s);
    let cq = d
        .community_id
        .map(|c| format!("&community={c}"))
        .unwrap_or_default();
    let filters = format!(
        "community={}&to={}&months={}",
        d.community_id.map(|c| c.to_string()).unwrap_or_default(),
        d.to,
        d.trend.len()
    );
    Ok(page(&DashPage {
        s,
        months: d.trend.len() as u32,
        d,
        communities: super::reports::community_opts(&st, &u).await,
        months_opts: vec![3, 6, 12],
        charts,
        cq,
        query: filters,
    }))
}

async fn xlsx(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DashQ>) -> PageResult {
    let (name, bytes) = dashboard::company_dashboard_xlsx(&st.core, &u.ctx, &q.query())
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, &name))
}
