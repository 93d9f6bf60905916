//! Arrears, payment notices and the reports (collection rate, expenses, the Excel export): the
//! pages that read the ledger across units rather than for one.

use super::*;
use crate::console::forms::CommonCode;

// Arrears, notices, reports

#[derive(Template)]
#[template(path = "billing/arrears.html")]
pub(super) struct ArrearsPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) ageing: Ageing,
    pub(super) units: Vec<ArrearsUnit>,
    pub(super) tz: chrono_tz::Tz,
    /// This page (from 1) and how many there are.
    pub(super) page: i64,
    pub(super) pages: i64,
}

impl ArrearsPage {
    /// The community's date of a moment.
    fn day(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.tz).format("%Y-%m-%d").to_string()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReportsQuery {
    pub(super) community: Option<i64>,
    pub(super) as_of: Option<String>,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) period: Option<String>,
    pub(super) quarter: Option<String>,
    /// The arrears list's page, from 1.
    pub(super) page: Option<String>,
}

/// Units on one page of the arrears list.
const ARREARS_PAGE: i64 = 100;

pub(super) fn opt_date(raw: &Option<String>) -> Result<Option<chrono::NaiveDate>, CoreError> {
    parse_date(raw.as_deref().unwrap_or(""))
}

pub(super) async fn arrears_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ReportsQuery>,
) -> PageResult {
    let (communities, c) = pick(&st, &u, q.community).await.or_page(&u)?;
    let tz = zone(&st, &u, c).await;
    // Any number typed in the address is a page between the first and a million-th.
    let page_no = q
        .page
        .as_deref()
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, 1_000_000);
    let loaded = async {
        let as_of = opt_date(&q.as_of)?;
        let ageing = billing::ageing(&st.core, &u.ctx, c, as_of).await?;
        let units = billing::arrears_units(
            &st.core,
            &u.ctx,
            c,
            &ArrearsFilter {
                as_of,
                offset: Some((page_no - 1) * ARREARS_PAGE),
                limit: Some(ARREARS_PAGE),
                ..Default::default()
            },
        )
        .await?;
        Ok::<_, CoreError>((ageing, units))
    }
    .await;
    let (ageing, units) = loaded.or_page(&u)?;
    let pages = ((ageing.total.units + ARREARS_PAGE - 1) / ARREARS_PAGE).max(1);
    Ok(page(&ArrearsPage {
        page: page_no,
        pages,
        s: Shell::of(&u),
        communities,
        community: c.0,
        ageing,
        units,
        tz,
    }))
}

#[derive(Template)]
#[template(path = "billing/notices.html")]
pub(super) struct NoticesPage {
    pub(super) s: Shell,
    pub(super) batch: NoticeBatch,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct NoticesForm {
    pub(super) community_id: i64,
    pub(super) as_of: String,
    pub(super) min_days: String,
}

/// The arrears filter of the notices form.
pub(super) fn notice_filter(f: &NoticesForm) -> Result<ArrearsFilter, CoreError> {
    let mut errs = Vec::new();
    let min_days = opt_int("min_days", &f.min_days, &mut errs);
    let as_of = parse_date(&f.as_of)?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(ArrearsFilter {
        building_id: None,
        min_days,
        as_of,
        offset: None,
        limit: None,
    })
}

pub(super) async fn issue_notices(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<NoticesForm>,
) -> PageResult {
    let filter = notice_filter(&f).or_page(&u)?;
    let batch = billing::issue_notices(&st.core, &u.ctx, CommunityId(f.community_id), filter)
        .await
        .or_page(&u)?;
    Ok(page(&NoticesPage {
        s: Shell::of(&u),
        batch,
    }))
}

#[derive(Template)]
#[template(path = "billing/reports.html")]
pub(super) struct ReportsPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) report: CollectionReport,
    pub(super) rate: CollectionRate,
    pub(super) publication: Option<Publication>,
    pub(super) quarter: String,
    pub(super) can_manage: bool,
    /// The collection rate of the six periods to this one, and of this one by building (SVG).
    pub(super) rate_chart: String,
    pub(super) building_chart: String,
}

fn rate_charts(
    rate: &CollectionRate,
    trend: &[RateMonth],
    l: crate::locale::Locale,
) -> (String, String) {
    use crate::console::charts::{self, Bar};
    let pct = |bp: Option<i64>| {
        bp.map(|b| format!("{:.1}%", b as f64 / 100.0))
            .unwrap_or_default()
    };
    let none = l.t("chart.none");
    let by_month = charts::line(
        "chart-rate-months",
        l.t("home.chart.rate"),
        &trend
            .iter()
            .map(|m| {
                (
                    charts::month_label(&m.period, l),
                    m.rate_bp.map(|b| b as f64 / 10_000.0),
                    pct(m.rate_bp),
                )
            })
            .collect::<Vec<_>>(),
        1.0,
        none,
    );
    let by_building = charts::bars(
        "chart-rate-buildings",
        &format!("{} {}", l.t("bl.rate_by_building"), rate.period),
        &rate
            .by_building
            .iter()
            .map(|b| {
                Bar::new(
                    b.name.clone(),
                    b.rate_bp.unwrap_or(0) as f64,
                    pct(b.rate_bp),
                )
            })
            .collect::<Vec<_>>(),
        Some(10_000.0),
        none,
    );
    (by_month, by_building)
}

impl ReportsPage {
    fn method(&self, code: &str) -> String {
        billing::method_zh(code).to_string()
    }
    fn pct(&self, bp: &Option<i64>) -> String {
        bp.map(|b| format!("{}.{:02}%", b / 100, b % 100))
            .unwrap_or_else(|| "—".into())
    }
}

pub(super) async fn reports_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ReportsQuery>,
) -> PageResult {
    let (communities, c) = pick(&st, &u, q.community).await.or_page(&u)?;
    let today = chrono::Utc::now()
        .with_timezone(&crate::console::forms::default_zone())
        .date_naive();
    let loaded = async {
        let from = opt_date(&q.from)?
            .unwrap_or_else(|| chrono::Datelike::with_day(&today, 1).unwrap_or(today));
        let to = opt_date(&q.to)?.unwrap_or(today);
        let report = billing::collection_report(&st.core, &u.ctx, c, from, to).await?;
        let period = match q.period.clone().filter(|p| !p.trim().is_empty()) {
            Some(p) => p,
            None => billing::report_period(&st.core, &u.ctx, c).await?,
        };
        let rate = billing::collection_rate(&st.core, &u.ctx, c, &period).await?;
        let trend = billing::collection_rate_trend(&st.core, &u.ctx, c, &rate.period, 6).await?;
        let quarter = q
            .quarter
            .clone()
            .filter(|p| !p.trim().is_empty())
            .unwrap_or_else(|| billing::quarter_of(today));
        let publication = billing::publication(&st.core, &u.ctx, c, &quarter).await?;
        Ok::<_, CoreError>((report, rate, trend, publication, quarter))
    }
    .await;
    let (report, rate, trend, publication, quarter) = loaded.or_page(&u)?;
    let (rate_chart, building_chart) = rate_charts(&rate, &trend, u.locale);
    Ok(page(&ReportsPage {
        rate_chart,
        building_chart,
        s: Shell::of(&u),
        communities,
        community: c.0,
        report,
        rate,
        publication: Some(publication),
        quarter,
        can_manage: u.ctx.has(Perm::BillingManage),
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExpenseForm {
    pub(super) community_id: i64,
    pub(super) spent_on: String,
    pub(super) category: String,
    pub(super) description: String,
    pub(super) amount: String,
    pub(super) from_fund: Option<String>,
}

pub(super) async fn add_expense(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ExpenseForm>,
) -> PageResult {
    let day = parse_date(&f.spent_on)
        .or_page(&u)?
        .ok_or_else(|| PageError::new(&u, CoreError::invalid("spent_on", CommonCode::Required)))?;
    billing::create_expense(
        &st.core,
        &u.ctx,
        ExpenseForCreate {
            community_id: CommunityId(f.community_id),
            spent_on: day,
            category: f.category,
            description: f.description,
            amount: f.amount,
            from_fund: f.from_fund.is_some(),
        },
    )
    .await
    .or_page(&u)?;
    Ok(Redirect::to(&format!("/billing/reports?community={}", f.community_id)).into_response())
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ExportQuery {
    pub(super) community: i64,
    pub(super) report: String,
    pub(super) from: Option<String>,
    pub(super) to: Option<String>,
    pub(super) period: Option<String>,
    pub(super) quarter: Option<String>,
    pub(super) as_of: Option<String>,
}

pub(super) async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ExportQuery>,
) -> PageResult {
    let parsed = (|| {
        Ok::<_, CoreError>(ReportQuery {
            report: q.report.clone(),
            from: opt_date(&q.from)?,
            to: opt_date(&q.to)?,
            period: q.period.clone(),
            quarter: q.quarter.clone(),
            as_of: opt_date(&q.as_of)?,
        })
    })();
    let rq = parsed.or_page(&u)?;
    let (name, bytes) = billing::export_xlsx(&st.core, &u.ctx, CommunityId(q.community), &rq)
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, &name))
}
