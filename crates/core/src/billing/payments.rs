//! Taking money at the desk (收款): a payment settles the unit's open charges oldest first (or
//! those the payer picks), any excess goes to the prepaid balance; each payment draws the next
//! receipt number of its community (no gaps: the counter moves in the payment's transaction)
//! and an idempotency key makes a retried request record it once. Reversals (红冲) and refunds
//! (退款) add a counter-entry with its own receipt number and leave the original intact.
//!
//! The cashier's day (日结): every payment first upserts the cashier's row for the day, which
//! refuses it once the day is closed; closing updates the same row, so on PostgreSQL a close
//! and a payment are serialised by that row's lock and the close's totals include every
//! payment that got in.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};

use super::ledger::*;
use super::model::*;
use super::setup::*;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Payment {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    /// Unique in the community, without gaps.
    pub receipt_no: i64,
    /// payment, reversal, refund.
    pub kind: String,
    /// cash, wechat, alipay, bank, pos.
    pub method: String,
    /// Signed: a reversal or refund is negative.
    pub amount_fen: i64,
    /// The part that went to (or, negative, came from) the prepaid balance.
    pub to_prepaid_fen: i64,
    pub payer: String,
    pub note: Option<String>,
    pub reason: Option<String>,
    pub reverses_id: Option<i64>,
    pub reversed_by: Option<i64>,
    pub cashier_id: Option<i64>,
    pub cashier_name: String,
    pub business_date: NaiveDate,
    pub paid_at: DateTime<Utc>,
}

const PAY_COLS: &str = "id, community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
     payer, note, reason, reverses_id, reversed_by, cashier_id, cashier_name, business_date, paid_at";

pub(super) async fn unit_payments(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Payment>> {
    q.fetch_all(
        &format!(
            "SELECT {PAY_COLS} FROM payments WHERE community_id = $1 AND unit_id = $2 ORDER BY paid_at, id"
        ),
        args![c, unit],
    )
    .await
}

async fn payment_in(q: &mut impl Queries, c: CommunityId, id: i64) -> CoreResult<Payment> {
    q.fetch_optional(
        &format!("SELECT {PAY_COLS} FROM payments WHERE id = $1 AND community_id = $2"),
        args![id, c],
    )
    .await?
    .ok_or(CoreError::NotFound("payment"))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaymentForCreate {
    pub unit_id: UnitId,
    /// cash, wechat, alipay, bank, pos.
    pub method: String,
    /// Yuan, at most two decimals.
    pub amount: String,
    /// Who paid (the owner's name as he gives it).
    pub payer: String,
    /// Settle these charges (in this order) instead of the oldest first.
    #[serde(default)]
    pub charge_ids: Vec<i64>,
    pub note: Option<String>,
    /// The same key sent again records nothing new and answers the first payment.
    pub idempotency_key: Option<String>,
}

/// The cashier's row of the day, upserted; a closed day refuses the payment.
async fn open_day(tx: &mut Tx, c: CommunityId, cashier: i64, day: NaiveDate) -> CoreResult<()> {
    let (closed,): (Option<DateTime<Utc>>,) = tx
        .fetch_one(
            "INSERT INTO cashier_days (community_id, cashier_id, business_date, payments) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (community_id, cashier_id, business_date) DO UPDATE SET payments = cashier_days.payments + 1 \
             RETURNING closed_at",
            args![c, cashier, day],
        )
        .await?;
    if closed.is_some() {
        return Err(CoreError::conflict("business_date", "day_closed"));
    }
    Ok(())
}

/// What makes two requests the same payment: "100" and "100.00" are one amount.
fn digest(input: &PaymentForCreate, amount_fen: i64) -> String {
    let mut h = Sha256::new();
    h.update(format!(
        "{}|{}|{}|{}|{:?}",
        input.unit_id,
        input.method.trim(),
        amount_fen,
        input.payer.trim(),
        input.charge_ids
    ));
    hex::encode(h.finalize())
}

/// A payment and the charges it settled.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PaymentDone {
    pub payment: Payment,
    pub settled: Vec<SettledLine>,
    /// True when an earlier request with the same idempotency key recorded it.
    pub replayed: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SettledLine {
    pub charge_id: i64,
    pub description: String,
    pub period: Option<String>,
    pub amount_fen: i64,
}

async fn settled_lines(
    q: &mut impl Queries,
    c: CommunityId,
    payment: i64,
) -> CoreResult<Vec<SettledLine>> {
    q.fetch_all(
        "SELECT s.charge_id, ch.description, ch.period, s.amount_fen FROM settlements s \
         JOIN charges ch ON ch.id = s.charge_id WHERE s.community_id = $1 AND s.payment_id = $2 ORDER BY s.id",
        args![c, payment],
    )
    .await
}

async fn by_key(
    q: &mut impl Queries,
    c: CommunityId,
    key: &str,
) -> CoreResult<Option<(Payment, Option<String>)>> {
    let p: Option<Payment> = q
        .fetch_optional(
            &format!(
                "SELECT {PAY_COLS} FROM payments WHERE community_id = $1 AND idempotency_key = $2"
            ),
            args![c, key],
        )
        .await?;
    let Some(p) = p else { return Ok(None) };
    let (d,): (Option<String>,) = q
        .fetch_one(
            "SELECT request_digest FROM payments WHERE id = $1",
            args![p.id],
        )
        .await?;
    Ok(Some((p, d)))
}

async fn replay(
    core: &Core,
    c: CommunityId,
    key: &str,
    dig: &str,
) -> CoreResult<Option<PaymentDone>> {
    let mut r = core.db.read();
    match by_key(&mut r, c, key).await? {
        Some((p, d)) if d.as_deref() == Some(dig) => {
            let settled = settled_lines(&mut r, c, p.id).await?;
            Ok(Some(PaymentDone {
                payment: p,
                settled,
                replayed: true,
            }))
        }
        Some(_) => Err(CoreError::conflict(
            "idempotency_key",
            "idempotency_key_reused",
        )),
        None => Ok(None),
    }
}

/// Takes a payment at the desk.
pub async fn pay(core: &Core, ctx: &Ctx, input: PaymentForCreate) -> CoreResult<PaymentDone> {
    let mut ch = Checks::new();
    let method = ch.take(PayMethod::parse("method", &input.method));
    let amount = ch.take(positive_money("amount", &input.amount));
    let payer = ch.take(required_text("payer", &input.payer, 40));
    let note = ch.take(optional_text("note", input.note.as_deref(), 200));
    let key = ch.take(optional_text(
        "idempotency_key",
        input.idempotency_key.as_deref(),
        100,
    ));
    if input.charge_ids.len() > 200 {
        ch.push(FieldError::new("charge_ids", "too_many").with("max", 200));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in input.charge_ids.iter().enumerate() {
        if !seen.insert(*id) {
            ch.push(FieldError::new(
                format!("charge_ids[{i}]"),
                "duplicate_charge",
            ));
        }
    }
    ch.finish()?;
    let (Some(method), Some(amount), Some(payer), Some(note), Some(key)) =
        (method, amount, payer, note, key)
    else {
        return Err(CoreError::internal("validated payment"));
    };
    let c = unit_community(&mut core.db.read(), ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingCollect, c)?;
    let dig = digest(&input, amount.0);
    if let Some(k) = &key
        && let Some(done) = replay(core, c, k, &dig).await?
    {
        return Ok(done);
    }
    match pay_once(
        core,
        ctx,
        c,
        &input,
        method,
        amount.0,
        &payer,
        note,
        key.as_deref(),
        &dig,
    )
    .await
    {
        // The same key committed by a concurrent request first: answer that payment.
        Err(e) if e.is_unique_violation() && key.is_some() => {
            let k = key.as_deref().unwrap_or_default();
            replay(core, c, k, &dig)
                .await?
                .ok_or_else(|| CoreError::conflict("idempotency_key", "idempotency_key_reused"))
        }
        r => r,
    }
}

#[allow(clippy::too_many_arguments)]
async fn pay_once(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: &PaymentForCreate,
    method: PayMethod,
    amount: i64,
    payer: &str,
    note: Option<String>,
    key: Option<&str>,
    dig: &str,
) -> CoreResult<PaymentDone> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    // Inside the writer: a retry that raced the first request sees it now.
    if let Some(k) = key
        && let Some((p, d)) = by_key(&mut tx, c, k).await?
    {
        if d.as_deref() != Some(dig) {
            return Err(CoreError::conflict(
                "idempotency_key",
                "idempotency_key_reused",
            ));
        }
        let settled = settled_lines(&mut tx, c, p.id).await?;
        return Ok(PaymentDone {
            payment: p,
            settled,
            replayed: true,
        });
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let day = today_in(tz);
    let cashier = ctx.actor().map_or(0, |u| u.0);
    open_day(&mut tx, c, cashier, day).await?;
    // What has accrued as late fees becomes charges the payment can settle.
    super::latefees::post_accrued(&mut tx, c, input.unit_id, ctx.actor(), now).await?;
    let open = open_charges(&mut tx, c, input.unit_id).await?;
    let order: Vec<(i64, i64)> = if input.charge_ids.is_empty() {
        open.iter().map(|ch| (ch.id, ch.outstanding())).collect()
    } else {
        let mut v = Vec::new();
        for (i, id) in input.charge_ids.iter().enumerate() {
            match open.iter().find(|ch| ch.id == *id) {
                Some(ch) => v.push((ch.id, ch.outstanding())),
                None => {
                    // Not this unit's, or nothing left to settle on it.
                    let exists: Option<(i64,)> = tx
                        .fetch_optional(
                            "SELECT id FROM charges WHERE id = $1 AND community_id = $2 AND unit_id = $3",
                            args![*id, c, input.unit_id],
                        )
                        .await?;
                    return Err(if exists.is_some() {
                        CoreError::conflict(format!("charge_ids[{i}]"), "charge_already_settled")
                    } else {
                        CoreError::invalid(format!("charge_ids[{i}]"), "unknown_charge")
                    });
                }
            }
        }
        v
    };
    let (shares, left) = allocate(&order, amount);
    if left > 0 && !settings_in(&mut tx, c).await?.prepaid_enabled {
        return Err(CoreError::Invalid(vec![
            FieldError::new("amount", "amount_exceeds_owed")
                .with("owed", crate::shared::money::Money(amount - left)),
        ]));
    }
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let pid = tx
        .insert_id(
            "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
             payer, note, idempotency_key, request_digest, cashier_id, cashier_name, business_date, paid_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            args![
                c,
                input.unit_id,
                receipt,
                PaymentKind::Payment.code(),
                method.code(),
                amount,
                left,
                payer,
                note,
                key,
                dig,
                ctx.actor(),
                ctx.display_name.as_str(),
                day,
                now
            ],
        )
        .await?;
    for (cid, amt) in &shares {
        settle(&mut tx, c, *cid, Some(pid), "payment", *amt, now, day).await?;
    }
    move_prepaid(
        &mut tx,
        c,
        input.unit_id,
        "deposit",
        left,
        Some(pid),
        None,
        now,
    )
    .await?;
    let payment = payment_in(&mut tx, c, pid).await?;
    let settled = settled_lines(&mut tx, c, pid).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "payment", pid)
            .community(c)
            .after(&serde_json::json!({ "payment": &payment, "settled": &settled })),
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentDone {
        payment,
        settled,
        replayed: false,
    })
}

async fn payment_community(q: &mut impl Queries, ctx: &Ctx, id: i64) -> CoreResult<CommunityId> {
    let c: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT p.community_id FROM payments p JOIN communities c ON c.id = p.community_id \
             WHERE p.id = $1 AND c.company_id = $2",
            args![id, ctx.company_id],
        )
        .await?;
    match c {
        Some((c,)) if ctx.reaches(c) => Ok(c),
        _ => Err(CoreError::NotFound("payment")),
    }
}

/// Reverses a payment (红冲): a counter-entry of the opposite amount with its own receipt
/// number; the charges it settled owe again and what it put into the prepaid balance comes out.
pub async fn reverse_payment(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: Reason,
) -> CoreResult<PaymentDone> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let c = payment_community(&mut tx, ctx, id).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    let orig = payment_in(&mut tx, c, id).await?;
    if orig.kind != PaymentKind::Payment.code() {
        return Err(CoreError::conflict("id", "cannot_reverse_reversal"));
    }
    if orig.reversed_by.is_some() {
        return Err(CoreError::conflict("id", "already_reversed"));
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let day = today_in(tz);
    open_day(&mut tx, c, ctx.actor().map_or(0, |u| u.0), day).await?;
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let rid = tx
        .insert_id(
            "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
             payer, reason, reverses_id, cashier_id, cashier_name, business_date, paid_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
            args![
                c,
                orig.unit_id,
                receipt,
                PaymentKind::Reversal.code(),
                orig.method.as_str(),
                -orig.amount_fen,
                -orig.to_prepaid_fen,
                orig.payer.as_str(),
                reason.as_str(),
                id,
                ctx.actor(),
                ctx.display_name.as_str(),
                day,
                now
            ],
        )
        .await?;
    let n = tx
        .execute(
            "UPDATE payments SET reversed_by = $1 WHERE id = $2 AND reversed_by IS NULL",
            args![rid, id],
        )
        .await?;
    if n != 1 {
        return Err(CoreError::conflict("id", "already_reversed"));
    }
    let shares: Vec<(i64, i64)> = tx
        .fetch_all(
            "SELECT charge_id, amount_fen FROM settlements WHERE community_id = $1 AND payment_id = $2 \
             AND source = 'payment' ORDER BY id",
            args![c, id],
        )
        .await?;
    for (cid, amt) in shares {
        settle(&mut tx, c, cid, Some(rid), "reversal", -amt, now, day).await?;
    }
    move_prepaid(
        &mut tx,
        c,
        orig.unit_id,
        "reversal",
        -orig.to_prepaid_fen,
        Some(rid),
        None,
        now,
    )
    .await?;
    let payment = payment_in(&mut tx, c, rid).await?;
    let settled = settled_lines(&mut tx, c, rid).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "payment_reversal", rid)
            .community(c)
            .before(&orig)
            .after(&payment),
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentDone {
        payment,
        settled,
        replayed: false,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RefundForCreate {
    pub unit_id: UnitId,
    /// How the money goes back: cash, wechat, alipay, bank, pos.
    pub method: String,
    /// Yuan; at most the prepaid balance.
    pub amount: String,
    pub reason: String,
}

/// Pays back part of a unit's prepaid balance (退款), with its own receipt number.
pub async fn refund(core: &Core, ctx: &Ctx, input: RefundForCreate) -> CoreResult<Payment> {
    let mut ch = Checks::new();
    let method = ch.take(PayMethod::parse("method", &input.method));
    let amount = ch.take(positive_money("amount", &input.amount));
    let reason = ch.take(required_text("reason", &input.reason, 200));
    ch.finish()?;
    let (Some(method), Some(amount), Some(reason)) = (method, amount, reason) else {
        return Err(CoreError::internal("validated refund"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    let acc = account_in(&mut tx, c, input.unit_id).await?;
    if amount.0 > acc.prepaid_fen {
        return Err(CoreError::Invalid(vec![
            FieldError::new("amount", "amount_exceeds_prepaid")
                .with("prepaid", crate::shared::money::Money(acc.prepaid_fen)),
        ]));
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let day = today_in(tz);
    open_day(&mut tx, c, ctx.actor().map_or(0, |u| u.0), day).await?;
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let rid = tx
        .insert_id(
            "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
             payer, reason, cashier_id, cashier_name, business_date, paid_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            args![
                c,
                input.unit_id,
                receipt,
                PaymentKind::Refund.code(),
                method.code(),
                -amount.0,
                -amount.0,
                "",
                reason.as_str(),
                ctx.actor(),
                ctx.display_name.as_str(),
                day,
                now
            ],
        )
        .await?;
    move_prepaid(
        &mut tx,
        c,
        input.unit_id,
        "refund",
        -amount.0,
        Some(rid),
        None,
        now,
    )
    .await?;
    let p = payment_in(&mut tx, c, rid).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "refund", rid)
            .community(c)
            .after(&p),
    )
    .await?;
    tx.commit().await?;
    Ok(p)
}

// ---------------------------------------------------------------------------------------------
// Receipts

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Receipt {
    pub company: String,
    pub community: String,
    pub unit_label: String,
    pub payment: Payment,
    /// "NO.00000012".
    pub receipt_no: String,
    pub lines: Vec<SettledLine>,
    /// 大写: "贰佰壹拾元叁角叁分".
    pub amount_capitals: String,
    pub prepaid_after_fen: i64,
    /// When it was paid, in the community's time zone: "2026-12-02 09:05:17".
    pub paid_at_local: String,
}

pub fn receipt_no_text(n: i64) -> String {
    format!("NO.{n:08}")
}

pub async fn receipt(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Receipt> {
    let mut r = core.db.read();
    let c = payment_community(&mut r, ctx, id).await?;
    require_billing(ctx, c)?;
    receipt_in(&mut r, c, id).await
}

pub(crate) async fn receipt_in(
    r: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Receipt> {
    let p = payment_in(r, c, id).await?;
    let (company, community, tz) = community_header(r, c).await?;
    let lines = settled_lines(r, c, id).await?;
    let acc = account_in(r, c, p.unit_id).await?;
    let paid_at_local = p
        .paid_at
        .with_timezone(&tz)
        .format("%Y-%m-%d %H:%M:%S")
        .to_string();
    Ok(Receipt {
        company,
        community,
        unit_label: unit_label(r, c, p.unit_id).await?,
        receipt_no: receipt_no_text(p.receipt_no),
        amount_capitals: capitals(p.amount_fen),
        payment: p,
        lines,
        prepaid_after_fen: acc.prepaid_fen,
        paid_at_local,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PaymentFilter {
    pub community_id: CommunityId,
    /// One business day (default: today).
    pub date: Option<NaiveDate>,
    /// Only this cashier's.
    pub cashier_id: Option<i64>,
}

/// Payments of a business day (the cashier's list).
pub async fn list_payments(core: &Core, ctx: &Ctx, f: PaymentFilter) -> CoreResult<Vec<Payment>> {
    require_billing(ctx, f.community_id)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, f.community_id).await?;
    let day = f.date.unwrap_or_else(|| today_in(tz));
    let only = if f.cashier_id.is_some() {
        " AND cashier_id = $3"
    } else {
        " AND $3 IS NULL"
    };
    r.fetch_all(
        &format!(
            "SELECT {PAY_COLS} FROM payments WHERE community_id = $1 AND business_date = $2{only} ORDER BY receipt_no"
        ),
        args![f.community_id, day, f.cashier_id],
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Daily close (日结)

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodTotal {
    pub method: String,
    pub count: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CashierDay {
    pub community_id: CommunityId,
    pub cashier_id: i64,
    pub cashier_name: String,
    pub business_date: NaiveDate,
    pub payments: i64,
    pub by_method: Vec<MethodTotal>,
    pub total_fen: i64,
    /// Cash to hand over (严禁现金在项目部门过夜).
    pub cash_fen: i64,
    pub closed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// Not closed, and the day is over.
    pub overdue: bool,
}

#[derive(sqlx::FromRow)]
struct DayRow {
    cashier_id: i64,
    business_date: NaiveDate,
    closed_at: Option<DateTime<Utc>>,
    confirmed_by: Option<i64>,
    confirmed_at: Option<DateTime<Utc>>,
    note: Option<String>,
}

async fn day_totals(
    q: &mut impl Queries,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<(Vec<MethodTotal>, i64)> {
    let rows: Vec<(String, i64, i64)> = q
        .fetch_all(
            "SELECT method, COUNT(*), CAST(SUM(amount_fen) AS BIGINT) FROM payments WHERE community_id = $1 \
             AND business_date = $2 AND COALESCE(cashier_id, 0) = $3 GROUP BY method ORDER BY method",
            args![c, day, cashier],
        )
        .await?;
    let n = rows.iter().map(|r| r.1).sum();
    Ok((
        rows.into_iter()
            .map(|(method, count, total_fen)| MethodTotal {
                method,
                count,
                total_fen,
            })
            .collect(),
        n,
    ))
}

async fn day_view(
    q: &mut impl Queries,
    c: CommunityId,
    row: DayRow,
    today: NaiveDate,
) -> CoreResult<CashierDay> {
    let (by_method, n) = day_totals(q, c, row.cashier_id, row.business_date).await?;
    let name: Option<(String,)> = q
        .fetch_optional(
            "SELECT display_name FROM users WHERE id = $1",
            args![row.cashier_id],
        )
        .await?;
    Ok(CashierDay {
        community_id: c,
        cashier_id: row.cashier_id,
        cashier_name: name.map(|n| n.0).unwrap_or_else(|| "system".into()),
        business_date: row.business_date,
        payments: n,
        total_fen: by_method.iter().map(|m| m.total_fen).sum(),
        cash_fen: by_method
            .iter()
            .filter(|m| m.method == PayMethod::Cash.code())
            .map(|m| m.total_fen)
            .sum(),
        by_method,
        overdue: row.closed_at.is_none() && row.business_date < today,
        closed_at: row.closed_at,
        confirmed_by: row.confirmed_by,
        confirmed_at: row.confirmed_at,
        note: row.note,
    })
}

const DAY_COLS: &str = "cashier_id, business_date, closed_at, confirmed_by, confirmed_at, note";

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DayClose {
    pub community_id: CommunityId,
    /// Default: today. An earlier day left open may be closed late.
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Closes the actor's day: its totals are fixed and it takes no more payments.
pub async fn close_day(core: &Core, ctx: &Ctx, input: DayClose) -> CoreResult<CashierDay> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingCollect, c)?;
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let today = today_in(tz);
    let day = input.date.unwrap_or(today);
    if day > today {
        return Err(CoreError::invalid("date", "date_in_future"));
    }
    let cashier = ctx.actor().map_or(0, |u| u.0);
    let row: Option<(Option<DateTime<Utc>>,)> = tx
        .fetch_optional(
            "INSERT INTO cashier_days (community_id, cashier_id, business_date, payments, closed_at, note) \
             VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (community_id, cashier_id, business_date) \
             DO UPDATE SET closed_at = $4, note = $5 WHERE cashier_days.closed_at IS NULL RETURNING closed_at",
            args![c, cashier, day, now, note],
        )
        .await?;
    if row.is_none() {
        return Err(CoreError::conflict("date", "day_already_closed"));
    }
    let (by_method, _) = day_totals(&mut tx, c, cashier, day).await?;
    let total: i64 = by_method.iter().map(|m| m.total_fen).sum();
    let cash: i64 = by_method
        .iter()
        .filter(|m| m.method == PayMethod::Cash.code())
        .map(|m| m.total_fen)
        .sum();
    tx.execute(
        "UPDATE cashier_days SET totals_json = $1, total_fen = $2, cash_fen = $3 \
         WHERE community_id = $4 AND cashier_id = $5 AND business_date = $6",
        args![
            serde_json::to_string(&by_method).unwrap_or_default(),
            total,
            cash,
            c,
            cashier,
            day
        ],
    )
    .await?;
    let row: DayRow = tx
        .fetch_one(
            &format!(
                "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND cashier_id = $2 AND business_date = $3"
            ),
            args![c, cashier, day],
        )
        .await?;
    let view = day_view(&mut tx, c, row, today).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "daily_close", cashier)
            .community(c)
            .after(&view),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DayConfirm {
    pub community_id: CommunityId,
    pub cashier_id: i64,
    pub date: NaiveDate,
}

/// The manager confirms he received the closed day's cash (交接确认).
pub async fn confirm_day(core: &Core, ctx: &Ctx, input: DayConfirm) -> CoreResult<CashierDay> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let row: Option<DayRow> = tx
        .fetch_optional(
            &format!(
                "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND cashier_id = $2 AND business_date = $3"
            ),
            args![c, input.cashier_id, input.date],
        )
        .await?;
    let Some(row) = row else {
        return Err(CoreError::NotFound("cashier_day"));
    };
    if row.closed_at.is_none() {
        return Err(CoreError::conflict("date", "day_not_closed"));
    }
    let n = tx
        .execute(
            "UPDATE cashier_days SET confirmed_by = $1, confirmed_at = $2 WHERE community_id = $3 \
             AND cashier_id = $4 AND business_date = $5 AND confirmed_at IS NULL",
            args![
                ctx.actor().map(|u| u.0),
                now,
                c,
                input.cashier_id,
                input.date
            ],
        )
        .await?;
    if n != 1 {
        return Err(CoreError::conflict("date", "day_already_confirmed"));
    }
    let row: DayRow = tx
        .fetch_one(
            &format!(
                "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND cashier_id = $2 AND business_date = $3"
            ),
            args![c, input.cashier_id, input.date],
        )
        .await?;
    let view = day_view(&mut tx, c, row, today_in(tz)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "daily_close", input.cashier_id)
            .community(c)
            .after(&view),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayFilter {
    pub community_id: CommunityId,
    /// Days from (default: 30 days ago).
    pub from: Option<NaiveDate>,
}

/// The cashiers' days of a community, newest first; days left open after they ended are
/// flagged `overdue`. A cashier sees his own, a manager everyone's.
pub async fn list_days(core: &Core, ctx: &Ctx, f: DayFilter) -> CoreResult<Vec<CashierDay>> {
    let c = f.community_id;
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let today = today_in(tz);
    let from = f.from.unwrap_or(today - chrono::Duration::days(30));
    let mine = !ctx.has(Perm::BillingManage);
    let rows: Vec<DayRow> = r
        .fetch_all(
            &format!(
                "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND (business_date >= $2 OR closed_at IS NULL) \
                 AND ($3 = FALSE OR cashier_id = $4) ORDER BY business_date DESC, cashier_id"
            ),
            args![c, from, mine, ctx.actor().map_or(0, |u| u.0)],
        )
        .await?;
    let mut out = Vec::new();
    for row in rows {
        out.push(day_view(&mut r, c, row, today).await?);
    }
    Ok(out)
}

/// The receipt as a PDF file (Chinese text): (file name, bytes).
pub fn receipt_file(r: &Receipt) -> (String, Vec<u8>) {
    let method = PayMethod::parse("", &r.payment.method)
        .map(|m| m.zh())
        .unwrap_or("");
    let kind = PaymentKind::parse("", &r.payment.kind)
        .ok()
        .filter(|k| *k != PaymentKind::Payment)
        .map(|k| k.zh())
        .unwrap_or("");
    (
        format!("receipt-{}.pdf", r.receipt_no),
        super::pdf::receipt_pdf(r, method, kind),
    )
}
