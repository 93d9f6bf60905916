//! The switching page (切换上线, under 收费设置): download the three templates, upload a file to
//! preview it (nothing written) or post it, see the per-row errors; and the deposit register —
//! the community's deposits with the total held, a deposit recorded at the desk, a refund.
//! Every rule is in `billing::switch`; this file turns forms into its calls.

use super::*;
use crate::console::forms::CommonCode;
use crate::error::WebCode;
use wuye_core::billing::switch::{self, Deposit, DepositFilter, DepositKind, SwitchReport};

pub(super) struct ReportView {
    pub(super) title: &'static str,
    pub(super) summary: String,
    pub(super) report: SwitchReport,
    /// `(row, column, message)`.
    pub(super) errors: Vec<(usize, String, String)>,
}

#[derive(Template)]
#[template(path = "billing/switching.html")]
pub(super) struct SwitchingPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) report: Option<ReportView>,
    pub(super) deposits: Vec<Deposit>,
    pub(super) held_count: i64,
    pub(super) held_fen: i64,
    pub(super) kinds: Vec<(&'static str, &'static str)>,
    pub(super) methods: Vec<(&'static str, &'static str)>,
    pub(super) can_refund: bool,
}

impl SwitchingPage {
    fn yuan(&self, fen: impl std::borrow::Borrow<i64>) -> String {
        Money(*fen.borrow()).grouped()
    }
    /// "¥500.00", or nothing for a line without an amount.
    fn amount(&self, fen: &Option<i64>) -> String {
        fen.map(|f| format!("¥{}", Money(f).grouped()))
            .unwrap_or_default()
    }
    fn kind_label(&self, code: &str) -> &'static str {
        self.kinds.iter().find(|k| k.0 == code).map_or("", |k| k.1)
    }
    fn method_label(&self, code: &Option<String>) -> &'static str {
        code.as_deref()
            .and_then(|c| self.methods.iter().find(|m| m.0 == c))
            .map_or("", |m| m.1)
    }
}

/// The three imports: their URL segment, title key and kind.
const KINDS: [(&str, &str); 3] = [
    ("opening-prepaid", "sw.opening_prepaid"),
    ("deposits", "sw.deposits"),
    ("meter-baselines", "sw.meter_baselines"),
];

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    report: Option<ReportView>,
    err: Option<CoreError>,
) -> PageResult {
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let list = switch::list_deposits(&st.core, &u.ctx, c, &DepositFilter::default())
        .await
        .or_page(u)?;
    let (mut s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    if let Some(r) = &report
        && r.errors.is_empty()
    {
        s.notice = Some(r.summary.clone());
    }
    let mut page_r = page(&SwitchingPage {
        s,
        communities,
        community: c.0,
        report,
        deposits: list.deposits,
        held_count: list.held_count,
        held_fen: list.held_fen,
        kinds: setup::labels(DepositKind::ALL, u.locale),
        methods: setup::labels(PayMethod::ALL, u.locale),
        can_refund: u.ctx.has(Perm::BillingManage),
    });
    *page_r.status_mut() = status;
    Ok(page_r)
}

pub(super) async fn switching_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render(&st, &u, q.community, None, None).await
}

pub(super) async fn template(
    State(_st): State<AppState>,
    u: ConsoleUser,
    axum::extract::Path(kind): axum::extract::Path<String>,
) -> PageResult {
    let bytes = match kind.as_str() {
        "opening-prepaid" => switch::opening_prepaid_template(),
        "deposits" => switch::deposits_template(),
        "meter-baselines" => switch::meter_baselines_template(),
        _ => Err(CoreError::NotFound("template")),
    }
    .or_page(&u)?;
    Ok(crate::api::import::xlsx(
        bytes,
        &format!("{kind}-template.xlsx"),
    ))
}

/// Previews or posts an uploaded file (`kind`, `action` = preview | post).
pub(super) async fn import(
    State(st): State<AppState>,
    u: ConsoleUser,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let up = match mp {
        Ok(mp) => crate::console::registry::read_upload(mp, st.cfg.max_upload_bytes, false).await,
        Err(_) => crate::console::registry::Upload {
            broken: true,
            ..Default::default()
        },
    };
    if !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let c = CommunityId(
        up.community
            .as_deref()
            .and_then(|c| c.trim().parse().ok())
            .unwrap_or(0),
    );
    let other = |k: &str| field(&up.other, k);
    let kind = other("kind");
    let preview = other("action") != "post";
    let Some((_, title)) = KINDS.iter().find(|k| k.0 == kind) else {
        return render(
            &st,
            &u,
            Some(c.0),
            None,
            Some(CoreError::invalid("kind", CommonCode::Invalid)),
        )
        .await;
    };
    if up.too_large || up.broken || up.file.is_empty() {
        let e = if up.too_large {
            CoreError::invalid("file", CommonCode::FileTooLarge)
        } else {
            CoreError::invalid("file", WebCode::NotXlsx)
        };
        return render(&st, &u, Some(c.0), None, Some(e)).await;
    }
    let quiet = |_: usize, _: usize| {};
    let r = match kind.as_str() {
        "opening-prepaid" => {
            switch::import_opening_prepaid(&st.core, &u.ctx, c, &up.file, preview, &quiet).await
        }
        "deposits" => switch::import_deposits(&st.core, &u.ctx, c, &up.file, preview, &quiet).await,
        _ => switch::import_meter_baselines(&st.core, &u.ctx, c, &up.file, preview, &quiet).await,
    };
    match r {
        Ok(report) => {
            let l = u.locale;
            let total = Money(report.total_fen).to_string();
            let summary = if !report.errors.is_empty() {
                l.tf(
                    "err.import_rows_invalid",
                    &[("count", report.errors.len().to_string())],
                )
            } else if report.preview {
                l.tf(
                    "sw.previewed",
                    &[("rows", report.lines.len().to_string()), ("total", total)],
                )
            } else {
                l.tf(
                    "sw.posted",
                    &[("rows", report.created.to_string()), ("total", total)],
                )
            };
            let errors = report
                .errors
                .iter()
                .map(|e| {
                    (
                        e.row,
                        e.column.clone(),
                        crate::api::import::row_message(l, e),
                    )
                })
                .collect();
            let rejected = !report.errors.is_empty();
            let view = ReportView {
                title: l.t(title),
                summary,
                report,
                errors,
            };
            let mut resp = render(&st, &u, Some(c.0), Some(view), None).await?;
            // A page showing a rejected file answers 422, like the API.
            if rejected {
                *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            }
            Ok(resp)
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, Some(c.0), None, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize)]
pub(super) struct DepositForm {
    community_id: i64,
    unit: String,
    kind: String,
    amount: String,
    payer: String,
    #[serde(default)]
    method: String,
    #[serde(default)]
    received_on: String,
    #[serde(default)]
    note: String,
}

/// Records a deposit at the desk (the unit typed as `1栋-1801`).
pub(super) async fn create_deposit(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<DepositForm>,
) -> PageResult {
    let c = CommunityId(f.community_id);
    let r = async {
        let unit =
            wuye_core::shared::resolve::unit_by_label(&st.core, &u.ctx, c, f.unit.trim(), "unit")
                .await
                .map_err(CoreError::Invalid)?;
        let received_on = match f.received_on.trim() {
            "" => None,
            d => Some(
                chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d")
                    .map_err(|_| CoreError::invalid("received_on", CommonCode::InvalidDate))?,
            ),
        };
        switch::create_deposit(
            &st.core,
            &u.ctx,
            switch::DepositForCreate {
                unit_id: unit,
                kind: f.kind.clone(),
                amount: f.amount.clone(),
                payer: f.payer.clone(),
                method: Some(f.method.clone()),
                received_on,
                note: Some(f.note.clone()),
            },
        )
        .await
    }
    .await;
    after(&st, &u, c, r.map(|_| ())).await
}

#[derive(Deserialize)]
pub(super) struct RefundForm {
    community_id: i64,
    method: String,
    reason: String,
}

pub(super) async fn refund_deposit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RefundForm>,
) -> PageResult {
    let r = switch::refund_deposit(
        &st.core,
        &u.ctx,
        id,
        switch::DepositRefund {
            method: f.method,
            reason: f.reason,
        },
    )
    .await;
    after(&st, &u, CommunityId(f.community_id), r.map(|_| ())).await
}

async fn after(
    st: &AppState,
    u: &ConsoleUser,
    c: CommunityId,
    r: Result<(), CoreError>,
) -> PageResult {
    match r {
        Ok(()) => Ok(
            Redirect::to(&format!("/billing/switching?community={}#deposits", c.0)).into_response(),
        ),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(st, u, Some(c.0), None, Some(e)).await
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}
