//! The daily close: the days' totals, closing and confirming a day, reminders and waivers
//! recorded against it.

use super::*;
use crate::console::forms::CommonCode;

// The daily close

#[derive(Template)]
#[template(path = "billing/days.html")]
pub(super) struct DaysPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) days: Vec<CashierDay>,
    pub(super) today: Vec<Payment>,
    pub(super) can_confirm: bool,
    pub(super) my_id: i64,
}

impl DaysPage {
    /// Today's takings on this page: (total, of which cash), for the close's confirmation.
    fn today_total(&self) -> i64 {
        self.today.iter().map(|p| p.amount_fen).sum()
    }
    fn today_cash(&self) -> i64 {
        self.today
            .iter()
            .filter(|p| p.method == "cash")
            .map(|p| p.amount_fen)
            .sum()
    }
    fn method_label(&self, code: &str) -> String {
        method_label(code, self.s.l)
    }
}

/// A payment method's name in the page's language.
fn method_label(code: &str, l: crate::locale::Locale) -> String {
    PayMethod::parse("", code)
        .map(|m| {
            if l == crate::locale::Locale::En {
                PayMethod::ALL.iter().find(|x| x.0 == m).map_or("", |x| x.3)
            } else {
                m.zh()
            }
        })
        .unwrap_or("")
        .to_string()
}

pub(super) async fn render_days(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    err: Option<CoreError>,
) -> PageResult {
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let loaded = async {
        Ok::<_, CoreError>((
            billing::list_days(
                &st.core,
                &u.ctx,
                DayFilter {
                    community_id: c,
                    from: None,
                },
            )
            .await?,
            billing::list_payments(
                &st.core,
                &u.ctx,
                PaymentFilter {
                    community_id: c,
                    date: None,
                    cashier_id: u.ctx.actor().map(|x| x.0),
                },
            )
            .await?,
        ))
    }
    .await;
    let (days, today) = loaded.or_page(u)?;
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&DaysPage {
        s,
        communities,
        community: c.0,
        days,
        today,
        can_confirm: u.ctx.has(Perm::BillingManage),
        my_id: u.ctx.actor().map_or(0, |x| x.0),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn days_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render_days(&st, &u, q.community, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CloseForm {
    pub(super) community_id: i64,
    pub(super) date: String,
    pub(super) note: String,
    pub(super) cashier_id: i64,
}

pub(super) fn parse_date(raw: &str) -> Result<Option<chrono::NaiveDate>, CoreError> {
    if raw.trim().is_empty() {
        return Ok(None);
    }
    chrono::NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map(Some)
        .map_err(|_| CoreError::invalid("date", CommonCode::InvalidDate))
}

pub(super) async fn close_day(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> PageResult {
    let r = match parse_date(&f.date) {
        Ok(date) => billing::close_day(
            &st.core,
            &u.ctx,
            DayClose {
                community_id: CommunityId(f.community_id),
                date,
                note: Some(f.note),
            },
        )
        .await
        .map(|d| {
            u.locale.tf(
                "flash.day_closed",
                &[
                    ("date", d.business_date.to_string()),
                    ("n", d.payments.to_string()),
                    ("total", Money(d.total_fen).grouped()),
                    ("cash", Money(d.cash_fen).grouped()),
                ],
            )
        }),
        Err(e) => Err(e),
    };
    days_after(&st, &u, f.community_id, r).await
}

pub(super) async fn confirm_day(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CloseForm>,
) -> PageResult {
    let r = match parse_date(&f.date) {
        Ok(Some(date)) => billing::confirm_day(
            &st.core,
            &u.ctx,
            DayConfirm {
                community_id: CommunityId(f.community_id),
                cashier_id: f.cashier_id,
                date,
            },
        )
        .await
        .map(|d| {
            u.locale.tf(
                "flash.day_confirmed",
                &[
                    ("date", d.business_date.to_string()),
                    ("cashier", d.cashier_name),
                    ("cash", Money(d.cash_fen).grouped()),
                ],
            )
        }),
        Ok(None) => Err(CoreError::invalid("date", CommonCode::Required)),
        Err(e) => Err(e),
    };
    days_after(&st, &u, f.community_id, r).await
}

pub(super) async fn days_after(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    r: Result<String, CoreError>,
) -> PageResult {
    match r {
        Ok(msg) => Ok(done(st, u, &format!("/daily-close?community={c}"), msg)),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_days(st, u, Some(c), Some(e)).await
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReminderForm {
    pub(super) method: String,
    pub(super) result: String,
    pub(super) next_step: String,
}

pub(super) async fn add_reminder(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReminderForm>,
) -> PageResult {
    let r = billing::record_reminder(
        &st.core,
        &u.ctx,
        ReminderForCreate {
            unit_id: UnitId(id),
            method: f.method,
            result: f.result,
            next_step: Some(f.next_step),
        },
    )
    .await;
    match r {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/units/{id}/statement"),
            u.locale.t("flash.reminder_recorded"),
        )),
        Err(e @ CoreError::Invalid(_)) => render_statement(&st, &u, id, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn waive(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    let line = billing::waive_late_fee(&st.core, &u.ctx, id, Reason { reason: f.reason })
        .await
        .or_page(&u)?;
    let unit = billing::charge_unit(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let msg = u.locale.tf(
        "flash.late_fee_waived",
        &[("description", line.description)],
    );
    Ok(done(&st, &u, &format!("/units/{unit}/statement"), msg))
}

// The day sheet (日结单): one cashier's day to print and sign.

#[derive(Template)]
#[template(path = "billing/day_sheet.html")]
pub(super) struct DaySheetPage {
    pub(super) s: Shell,
    pub(super) community: String,
    pub(super) day: CashierDay,
    pub(super) payments: Vec<Payment>,
    pub(super) tz: chrono_tz::Tz,
}

impl DaySheetPage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).grouped()
    }
    fn time(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        t.with_timezone(&self.tz).format("%H:%M").to_string()
    }
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        crate::console::forms::local_time(*t, self.tz)
    }
    fn method_label(&self, code: &str) -> String {
        method_label(code, self.s.l)
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SheetQuery {
    pub(super) community: String,
    pub(super) date: String,
    pub(super) cashier: String,
}

pub(super) async fn day_sheet(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<SheetQuery>,
) -> PageResult {
    let (communities, c) = pick(&st, &u, q.community.trim().parse().ok())
        .await
        .or_page(&u)?;
    let date = match parse_date(&q.date).or_page(&u)? {
        Some(d) => d,
        None => {
            return Err(PageError::new(
                &u,
                CoreError::invalid("date", CommonCode::Required),
            ));
        }
    };
    let cashier = match q.cashier.trim() {
        "" => u.ctx.actor().map_or(0, |x| x.0),
        s => s
            .parse()
            .map_err(|_| PageError::new(&u, CoreError::NotFound("cashier_day")))?,
    };
    let day = billing::cashier_day(&st.core, &u.ctx, c, cashier, date)
        .await
        .or_page(&u)?;
    let payments = billing::list_payments(
        &st.core,
        &u.ctx,
        PaymentFilter {
            community_id: c,
            date: Some(date),
            cashier_id: Some(cashier),
        },
    )
    .await
    .or_page(&u)?;
    Ok(page(&DaySheetPage {
        s: Shell::of(&u),
        community: communities
            .into_iter()
            .find(|x| x.0 == c.0)
            .map(|x| x.1)
            .unwrap_or_default(),
        tz: zone(&st, &u, c).await,
        day,
        payments,
    }))
}
