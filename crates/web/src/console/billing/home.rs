//! What the home page shows of billing: the cashier's takings today and his days still open,
//! and the manager's charts (collection rate by month, arrears by age) of the chosen community.

use chrono::Utc;

use super::*;
use crate::console::charts::{self, Bar};

/// The cashier's day as the home page shows it.
pub struct TakingsPanel {
    pub community: String,
    /// Today's takings of the user (his own day, or every cashier's for a manager).
    pub today_fen: i64,
    pub today_count: i64,
    /// Days not yet closed, oldest first; `overdue` ones are past.
    pub open_days: Vec<CashierDay>,
}

impl TakingsPanel {
    pub fn any_overdue(&self) -> bool {
        self.open_days.iter().any(|d| d.overdue)
    }
    pub fn yuan(&self, fen: impl std::borrow::Borrow<i64>) -> String {
        Money(*fen.borrow()).grouped()
    }
}

async fn today(st: &AppState, u: &ConsoleUser, c: CommunityId) -> chrono::NaiveDate {
    Utc::now().with_timezone(&zone(st, u, c).await).date_naive()
}

/// The takings of the chosen community, for a user who collects.
pub(in crate::console) async fn takings_panel(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
) -> Result<Option<TakingsPanel>, CoreError> {
    if !u.ctx.has(Perm::BillingCollect) {
        return Ok(None);
    }
    let (list, c) = pick(st, u, want).await?;
    let t = billing::takings(&st.core, &u.ctx, c).await?;
    Ok(Some(TakingsPanel {
        community: list
            .into_iter()
            .find(|x| x.0 == c.0)
            .map(|x| x.1)
            .unwrap_or_default(),
        today_fen: t.today_fen,
        today_count: t.today_payments,
        open_days: t.open_days,
    }))
}

/// The manager's billing charts, as SVG.
pub struct BillingCharts {
    pub community_id: i64,
    pub communities: Vec<(i64, String)>,
    pub rate: String,
    pub ageing: String,
}

/// The chosen community's collection rate over the six months to this one, and its arrears by
/// age today.
pub(in crate::console) async fn billing_charts(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
) -> Result<Option<BillingCharts>, CoreError> {
    if !u.ctx.has(Perm::BillingManage) {
        return Ok(None);
    }
    let l = u.locale;
    let (communities, c) = pick(st, u, want).await?;
    let period = today(st, u, c).await.format("%Y-%m").to_string();
    let (trend, ageing) = tokio::try_join!(
        billing::collection_rate_trend(&st.core, &u.ctx, c, &period, 6),
        billing::ageing(&st.core, &u.ctx, c, None)
    )?;
    let none = l.t("chart.none");
    let month = |p: &str| charts::month_label(p, l);
    let rate = charts::line(
        "chart-rate",
        l.t("home.chart.rate"),
        &trend
            .iter()
            .map(|m| {
                let r = m.rate_bp.map(|bp| bp as f64 / 10_000.0);
                (
                    month(&m.period),
                    r,
                    m.rate_bp
                        .map(|bp| format!("{:.1}%", bp as f64 / 100.0))
                        .unwrap_or_default(),
                )
            })
            .collect::<Vec<_>>(),
        1.0,
        none,
    );
    let t = &ageing.total;
    let buckets = [
        ("bl.age.0_30", t.d0_30_fen),
        ("bl.age.31_90", t.d31_90_fen),
        ("bl.age.91_180", t.d91_180_fen),
        ("bl.age.over_180", t.over_180_fen),
    ];
    let ageing = charts::bars(
        "chart-ageing",
        l.t("home.chart.ageing"),
        &buckets
            .iter()
            .map(|(k, fen)| Bar::new(l.t(k), *fen as f64, format!("¥{}", Money(*fen).grouped())))
            .collect::<Vec<_>>(),
        None,
        none,
    );
    Ok(Some(BillingCharts {
        community_id: c.0,
        communities,
        rate,
        ageing,
    }))
}
