//! Taking money at the desk (收款): a payment settles the unit's open charges oldest first (or
//! those the payer picks), any excess goes to the prepaid balance; each payment draws the next
//! receipt number of its community (no gaps: the counter moves in the payment's transaction)
//! and an idempotency key makes a retried request record it once. Reversals (红冲) and refunds
//! (退款) add a counter-entry with its own receipt number and leave the original intact.
//! Receipts are in `receipts.rs`, the cashier's day in `cashier.rs`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};

use super::error::BillingCode;
use super::ledger::*;
use super::model::*;
use super::setup::*;
use super::store;

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

pub(super) async fn unit_payments(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Payment>> {
    store::payments::of_unit(q, c, unit).await
}

pub(super) async fn payment_in(
    q: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Payment> {
    store::payments::get(q, c, PaymentId(id))
        .await?
        .ok_or(CoreError::NotFound("payment"))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaymentForCreate {
    pub unit_id: UnitId,
    /// cash, wechat, alipay, bank, pos.
    #[schema(value_type = PayMethod)]
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
    /// When the money was really taken (RFC 3339), for a payment entered late (补录): at most
    /// the backdating window back (`WUYE_BACKDATE_DAYS`, default 7 days), never in the future;
    /// more than five minutes back needs `records.backdate`. The late fee counts the payment
    /// from this day on; the payment is still counted in today's daily close (日结) with the
    /// next receipt number. Default: now.
    pub paid_at: Option<DateTime<Utc>>,
}

/// The cashier's row of the day, upserted; a closed day refuses the payment.
pub(super) async fn open_day(
    tx: &mut Tx,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<()> {
    let closed = store::cashier_days::count_payment(tx, c, cashier, day).await?;
    if closed.is_some() {
        return Err(CoreError::conflict("business_date", BillingCode::DayClosed));
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
    // Appended only when given, so the digests of payments stored before stay valid.
    if let Some(t) = input.paid_at {
        h.update(format!("|{}", t.to_rfc3339()));
    }
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

pub(super) async fn settled_lines(
    q: &mut impl Queries,
    c: CommunityId,
    payment: i64,
) -> CoreResult<Vec<SettledLine>> {
    store::payments::settled_lines(q, c, PaymentId(payment)).await
}

async fn by_key(
    q: &mut impl Queries,
    c: CommunityId,
    key: &str,
) -> CoreResult<Option<(Payment, Option<String>)>> {
    let Some(p) = store::payments::by_key(q, c, key).await? else {
        return Ok(None);
    };
    let d = store::payments::request_digest(q, PaymentId(p.id)).await?;
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
            BillingCode::IdempotencyKeyReused,
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
        ch.push(FieldError::new("charge_ids", BillingCode::TooMany).with("max", 200));
    }
    let mut seen = std::collections::HashSet::new();
    for (i, id) in input.charge_ids.iter().enumerate() {
        if !seen.insert(*id) {
            ch.push(FieldError::new(
                format!("charge_ids[{i}]"),
                BillingCode::DuplicateCharge,
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
            replay(core, c, k, &dig).await?.ok_or_else(|| {
                CoreError::conflict("idempotency_key", BillingCode::IdempotencyKeyReused)
            })
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
    let happened = crate::shared::backdate::happened(
        ctx,
        "paid_at",
        input.paid_at,
        now,
        core.settings.backdate_window,
    )?;
    let mut tx = core.db.begin().await?;
    // Inside the writer: a retry that raced the first request sees it now.
    if let Some(k) = key
        && let Some((p, d)) = by_key(&mut tx, c, k).await?
    {
        if d.as_deref() != Some(dig) {
            return Err(CoreError::conflict(
                "idempotency_key",
                BillingCode::IdempotencyKeyReused,
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
    // The payment belongs to the cashier's day it is entered on (today's close, the next
    // receipt number: both stay exact and gapless); the money counts from when it was really
    // taken (`paid_at`): the late fee from that day on.
    let day = today_in(tz);
    let paid_at = happened.map_or(now, |h| h.happened_at);
    let paid_on = paid_at.with_timezone(&tz).date_naive();
    let cashier = ctx.actor().map_or(0, |u| u.0);
    open_day(&mut tx, c, cashier, day).await?;
    // What has accrued as late fees up to the day before becomes charges the payment can settle.
    super::latefees::post_before(&mut tx, c, input.unit_id, paid_on, ctx.actor(), now).await?;
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
                    let exists =
                        store::charges::of_unit_exists(&mut tx, c, input.unit_id, ChargeId(*id))
                            .await?;
                    return Err(if exists {
                        CoreError::conflict(
                            format!("charge_ids[{i}]"),
                            BillingCode::ChargeAlreadySettled,
                        )
                    } else {
                        CoreError::invalid(format!("charge_ids[{i}]"), BillingCode::UnknownCharge)
                    });
                }
            }
        }
        v
    };
    let (shares, left) = allocate(&order, amount);
    if left > 0 && !settings_in(&mut tx, c).await?.prepaid_enabled {
        return Err(CoreError::Invalid(vec![
            FieldError::new("amount", BillingCode::AmountExceedsOwed)
                .with("owed", crate::shared::money::Money(amount - left)),
        ]));
    }
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let pid = store::payments::insert(
        &mut tx,
        c,
        store::payments::NewPayment {
            unit_id: input.unit_id,
            receipt_no: receipt,
            kind: PaymentKind::Payment.code(),
            method: method.code(),
            amount_fen: amount,
            to_prepaid_fen: left,
            payer,
            note,
            idempotency_key: key,
            request_digest: dig,
        },
        store::payments::Desk {
            cashier: ctx.actor(),
            cashier_name: &ctx.display_name,
            day,
            now: paid_at,
        },
    )
    .await?;
    for (cid, amt) in &shares {
        settle(
            &mut tx,
            c,
            ChargeId(*cid),
            Some(PaymentId(pid)),
            "payment",
            *amt,
            now,
            day,
            paid_on,
        )
        .await?;
    }
    super::latefees::after_settling(&mut tx, c, input.unit_id, paid_on).await?;
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
    // The unit's owners hear of the receipt.
    let (unit_label, owners) = crate::notify::unit_owner_accounts(&mut tx, input.unit_id).await?;
    let note = crate::notify::Note {
        community: c,
        event: crate::notify::model::Event::ReceiptIssued,
        params: vec![
            ("unit".into(), unit_label),
            ("receipt".into(), format!("NO.{receipt}")),
            (
                "amount".into(),
                crate::shared::money::Money(amount).to_string(),
            ),
        ],
        request: None,
        link: Some(format!("/portal/receipts/{pid}")),
    };
    crate::notify::enqueue(
        &core.channels,
        &mut tx,
        &note,
        &owners,
        crate::notify::InApp::Write,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "payment", pid)
            .community(c)
            .after(&serde_json::json!({
                "payment": &payment,
                "settled": &settled,
                "entered_late": happened.and_then(|h| h.audit("paid_at")),
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(PaymentDone {
        payment,
        settled,
        replayed: false,
    })
}

pub(super) async fn payment_community(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: i64,
) -> CoreResult<CommunityId> {
    match store::payments::community_of(q, PaymentId(id), ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => Ok(c),
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
        return Err(CoreError::conflict(
            "id",
            BillingCode::CannotReverseReversal,
        ));
    }
    if orig.reversed_by.is_some() {
        return Err(CoreError::conflict("id", BillingCode::AlreadyReversed));
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let day = today_in(tz);
    open_day(&mut tx, c, ctx.actor().map_or(0, |u| u.0), day).await?;
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let rid = store::payments::insert_reversal(
        &mut tx,
        c,
        &orig,
        receipt,
        PaymentKind::Reversal.code(),
        &reason,
        store::payments::Desk {
            cashier: ctx.actor(),
            cashier_name: &ctx.display_name,
            day,
            now,
        },
    )
    .await?;
    let n = store::payments::mark_reversed(&mut tx, PaymentId(id), PaymentId(rid)).await?;
    if n != 1 {
        return Err(CoreError::conflict("id", BillingCode::AlreadyReversed));
    }
    let shares = store::payments::payment_shares(&mut tx, c, PaymentId(id)).await?;
    for (cid, amt) in shares {
        settle(
            &mut tx,
            c,
            cid,
            Some(PaymentId(rid)),
            "reversal",
            -amt,
            now,
            day,
            day,
        )
        .await?;
    }
    // The charges owe again from today on; the days before keep what the payment settled.
    super::latefees::after_settling(&mut tx, c, orig.unit_id, day).await?;
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
    #[schema(value_type = PayMethod)]
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
            FieldError::new("amount", BillingCode::AmountExceedsPrepaid)
                .with("prepaid", crate::shared::money::Money(acc.prepaid_fen)),
        ]));
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let day = today_in(tz);
    open_day(&mut tx, c, ctx.actor().map_or(0, |u| u.0), day).await?;
    let receipt = crate::shared::store::next_counter(&mut tx, c, "receipt").await?;
    let rid = store::payments::insert_refund(
        &mut tx,
        c,
        input.unit_id,
        receipt,
        PaymentKind::Refund.code(),
        method.code(),
        -amount.0,
        &reason,
        store::payments::Desk {
            cashier: ctx.actor(),
            cashier_name: &ctx.display_name,
            day,
            now,
        },
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
