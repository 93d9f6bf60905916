//! What the home page shows of requests: the desk's day (registered today, breached, at risk)
//! and the manager's charts (open clocks by where they stand, the months' volume, on-time rate
//! and satisfaction).

use super::*;
use crate::console::charts::{self, Bar, Series, Stack};

/// The desk's day as the home page lists it.
pub struct DeskPanel {
    pub today: Vec<RequestView>,
    pub breached: Vec<RequestView>,
    pub at_risk: Vec<RequestView>,
}

/// The desk's day, for a user who registers, dispatches or manages requests.
pub(in crate::console) async fn desk_panel(
    st: &AppState,
    u: &ConsoleUser,
) -> Result<Option<DeskPanel>, CoreError> {
    let c = &u.ctx;
    if !(c.has(Perm::TicketsRegister) || c.has(Perm::TicketsDispatch)) {
        return Ok(None);
    }
    let day = tickets::desk_day(&st.core, &u.ctx).await?;
    let lk = Lookup::load(st, u).await?;
    let l = u.locale;
    let views = |v: Vec<Request>| v.into_iter().map(|r| lk.view(r, l)).collect();
    Ok(Some(DeskPanel {
        today: views(day.registered_today),
        breached: views(day.breached),
        at_risk: views(day.at_risk),
    }))
}

/// The unmet clocks by kind, stacked by where they stand now (breached, at risk, running,
/// paused), as SVG: the home page's and the company dashboard's.
pub(in crate::console) fn open_clocks_chart(open: &[OpenClocks], l: Locale) -> String {
    let rows: Vec<Stack> = open
        .iter()
        .map(|o| Stack {
            label: label_of(ClockKind::ALL, &o.clock, l),
            values: vec![o.breached, o.at_risk, o.running, o.paused],
        })
        .collect();
    let series = [
        ("tk.clock.breached", "s-bad"),
        ("tk.clock.at_risk", "s-warn"),
        ("tk.clock.running", "s-ok"),
        ("tk.clock.paused", "s-idle"),
    ]
    .map(|(k, class)| Series {
        name: l.t(k),
        class,
    });
    charts::stacked(
        "chart-open",
        l.t("home.chart.open"),
        &rows,
        &series,
        l.t("chart.none"),
    )
}

/// The manager's request charts, as SVG.
pub struct RequestCharts {
    pub open: String,
    pub volume: String,
    pub on_time: String,
    pub satisfaction: String,
}

/// The request charts of every community the manager reaches, over the six months to today.
pub(in crate::console) async fn request_charts(
    st: &AppState,
    u: &ConsoleUser,
) -> Result<Option<RequestCharts>, CoreError> {
    if !u.ctx.has(Perm::TicketsManage) {
        return Ok(None);
    }
    let l = u.locale;
    let today = Utc::now().with_timezone(&default_zone()).date_naive();
    let d = tickets::dashboard(
        &st.core,
        &u.ctx,
        &DashboardQuery {
            community_id: None,
            to: today,
            months: Some(6),
        },
    )
    .await?;
    let none = l.t("chart.none");
    let month = |p: &str| charts::month_label(p, l);
    let pct = |r: Option<f64>| r.map(|x| format!("{:.0}%", x * 100.0)).unwrap_or_default();
    Ok(Some(RequestCharts {
        open: open_clocks_chart(&d.open, l),
        volume: charts::bars(
            "chart-volume",
            l.t("home.chart.volume"),
            &d.months
                .iter()
                .map(|m| Bar::new(month(&m.period), m.count as f64, m.count.to_string()))
                .collect::<Vec<_>>(),
            None,
            none,
        ),
        on_time: charts::line(
            "chart-on-time",
            l.t("home.chart.on_time"),
            &d.months
                .iter()
                .map(|m| (month(&m.period), m.on_time_rate, pct(m.on_time_rate)))
                .collect::<Vec<_>>(),
            1.0,
            none,
        ),
        satisfaction: charts::line(
            "chart-satisfaction",
            l.t("home.chart.satisfaction"),
            &d.months
                .iter()
                .map(|m| {
                    (
                        month(&m.period),
                        m.satisfaction,
                        m.satisfaction
                            .map(|s| format!("{s:.1}"))
                            .unwrap_or_default(),
                    )
                })
                .collect::<Vec<_>>(),
            5.0,
            none,
        ),
    }))
}
