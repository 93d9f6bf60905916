//! The cashier's desk (find a unit, see what it owes, take a payment) and what a payment leaves:
//! receipts, their reversal, the unit statement and charge reversals.

use super::*;

// The cashier's desk

#[derive(Template)]
#[template(path = "billing/cashier.html")]
pub(super) struct CashierPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) unit: String,
    pub(super) owed: Option<Owed>,
    pub(super) methods: Vec<(&'static str, &'static str)>,
    /// A fresh key per rendered form: a double submit records one payment.
    pub(super) key: String,
    pub(super) amount: String,
    pub(super) payer: String,
    pub(super) unit_err: String,
}

pub(super) async fn render_cashier(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    unit_q: String,
    err: Option<CoreError>,
    amount: String,
    payer: String,
) -> PageResult {
    if !u.ctx.has(Perm::BillingCollect) {
        return Err(PageError::new(u, CoreError::Forbidden));
    }
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let mut unit_err = String::new();
    let mut owed = None;
    if !unit_q.trim().is_empty() {
        let id = match unit_q.trim().parse::<i64>() {
            Ok(id) => Ok(UnitId(id)),
            Err(_) => {
                wuye_core::shared::resolve::unit_by_label(
                    &st.core,
                    &u.ctx,
                    c,
                    unit_q.trim(),
                    "unit",
                )
                .await
            }
        };
        match id {
            Ok(id) => owed = Some(billing::owed(&st.core, &u.ctx, id).await.or_page(u)?),
            Err(e) => {
                unit_err = e
                    .iter()
                    .map(|x| crate::error::field_message(u.locale, x))
                    .collect::<Vec<_>>()
                    .join("；")
            }
        }
    }
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&CashierPage {
        s,
        communities,
        community: c.0,
        unit: owed.as_ref().map_or(unit_q, |o| o.unit_label.clone()),
        owed,
        methods: labels(PayMethod::ALL, u.locale),
        key: wuye_core::shared::crypto::random_token(),
        amount,
        payer,
        unit_err,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn cashier_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render_cashier(
        &st,
        &u,
        q.community,
        q.unit.unwrap_or_default(),
        None,
        String::new(),
        String::new(),
    )
    .await
}

pub(super) async fn pay(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let get = |k: &str| field(&pairs, k);
    let unit: i64 = get("unit_id").parse().unwrap_or(0);
    let c: i64 = get("community_id").parse().unwrap_or(0);
    let charge_ids: Vec<i64> = pairs
        .iter()
        .filter(|(k, _)| k == "charge_ids")
        .filter_map(|(_, v)| v.parse().ok())
        .collect();
    // A payment entered late (补录): its time as the community's wall clock shows it.
    let mut errs = Vec::new();
    let paid_at = if get("paid_at").trim().is_empty() {
        None
    } else {
        let community = wuye_core::registry::get_community(&st.core, &u.ctx, CommunityId(c))
            .await
            .or_page(&u)?;
        crate::console::forms::form_time(
            "paid_at",
            &get("paid_at"),
            crate::console::forms::tz_of(&community),
            &mut errs,
        )
    };
    if !errs.is_empty() {
        return render_cashier(
            &st,
            &u,
            Some(c),
            unit.to_string(),
            Some(CoreError::Invalid(errs)),
            get("amount"),
            get("payer"),
        )
        .await;
    }
    let input = PaymentForCreate {
        unit_id: UnitId(unit),
        method: get("method"),
        amount: get("amount"),
        payer: get("payer"),
        charge_ids,
        note: Some(get("note")),
        idempotency_key: Some(get("idempotency_key")),
        paid_at,
    };
    match billing::pay(&st.core, &u.ctx, input).await {
        Ok(d) => {
            let p = &d.payment;
            let key = if d.replayed {
                "flash.payment_replayed"
            } else {
                "flash.paid"
            };
            let msg = u.locale.tf(
                key,
                &[
                    ("amount", Money(p.amount_fen).grouped()),
                    ("receipt", p.receipt_no.to_string()),
                ],
            );
            Ok(done(&st, &u, &format!("/receipts/{}", p.id), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_cashier(
                &st,
                &u,
                Some(c),
                unit.to_string(),
                Some(e),
                get("amount"),
                get("payer"),
            )
            .await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Receipts and statements

#[derive(Template)]
#[template(path = "billing/receipt.html")]
pub(super) struct ReceiptPage {
    pub(super) s: Shell,
    pub(super) r: Receipt,
    pub(super) method: String,
    pub(super) kind_label: String,
    pub(super) can_reverse: bool,
}

pub(super) async fn render_receipt(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    err: Option<CoreError>,
) -> PageResult {
    let r = billing::receipt(&st.core, &u.ctx, id).await.or_page(u)?;
    let method = PayMethod::parse("", &r.payment.method)
        .map(|m| m.zh())
        .unwrap_or("")
        .to_string();
    let can_reverse = u.ctx.has(Perm::BillingManage)
        && r.payment.kind == "payment"
        && r.payment.reversed_by.is_none();
    let s = match &err {
        Some(e) => Shell::of(u).with_error(e),
        None => Shell::of(u),
    };
    let kind_label = match r.payment.kind.as_str() {
        "payment" => String::new(),
        k => u.locale.t(&format!("bl.kind.{k}")).to_string(),
    };
    Ok(page(&ReceiptPage {
        s,
        r,
        method,
        kind_label,
        can_reverse,
    }))
}

pub(super) async fn receipt_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_receipt(&st, &u, id, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct ReasonForm {
    pub(super) reason: String,
}

pub(super) async fn reverse_payment(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    match billing::reverse_payment(&st.core, &u.ctx, id, Reason { reason: f.reason }).await {
        Ok(d) => {
            let p = &d.payment;
            let msg = u.locale.tf(
                "flash.payment_reversed",
                &[
                    ("amount", Money(-p.amount_fen).grouped()),
                    ("receipt", p.receipt_no.to_string()),
                ],
            );
            Ok(done(&st, &u, &format!("/receipts/{}", p.id), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_receipt(&st, &u, id, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "billing/statement.html")]
pub(super) struct StatementPage {
    pub(super) s: Shell,
    pub(super) st: Statement,
    pub(super) can_reverse: bool,
    pub(super) late_fees: Vec<LateFeeLine>,
    pub(super) reminders: Vec<Reminder>,
    pub(super) methods: Vec<(&'static str, &'static str)>,
}

pub(super) async fn render_statement(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    err: Option<CoreError>,
) -> PageResult {
    let loaded = async {
        Ok::<_, CoreError>((
            billing::statement(&st.core, &u.ctx, UnitId(id)).await?,
            billing::owed(&st.core, &u.ctx, UnitId(id)).await?,
            billing::unit_reminders(&st.core, &u.ctx, UnitId(id)).await?,
        ))
    }
    .await;
    let (s_, owed, reminders) = loaded.or_page(u)?;
    Ok(page(&StatementPage {
        s: match &err {
            Some(e) => Shell::of(u).with_error(e),
            None => Shell::of(u),
        },
        st: s_,
        can_reverse: u.ctx.has(Perm::BillingManage),
        late_fees: owed.late_fees,
        reminders,
        methods: labels(ReminderMethod::ALL, u.locale),
    }))
}

impl StatementPage {
    fn method_label(&self, code: &str) -> String {
        self.methods
            .iter()
            .find(|m| m.0 == code)
            .map_or(code, |m| m.1)
            .to_string()
    }
}

pub(super) async fn statement_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_statement(&st, &u, id, None).await
}

pub(super) async fn reverse_charge(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReasonForm>,
) -> PageResult {
    let c = billing::reverse_charge(&st.core, &u.ctx, id, Reason { reason: f.reason })
        .await
        .or_page(&u)?;
    let msg = u.locale.tf(
        "flash.charge_reversed",
        &[
            ("description", c.description.as_str()),
            ("amount", &Money(c.amount_fen.abs()).grouped()),
        ],
    );
    Ok(done(
        &st,
        &u,
        &format!("/units/{}/statement", c.unit_id),
        msg,
    ))
}
