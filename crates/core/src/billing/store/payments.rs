//! Payments (`payments`): money taken, reversed or refunded, each with its receipt number,
//! and the settlements a payment made (read back for its receipt).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::{Payment, SettledLine};
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const PAY_COLS: &str = "id, community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
     payer, note, reason, reverses_id, reversed_by, cashier_id, cashier_name, business_date, paid_at";

pub(crate) async fn of_unit(
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

pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
    id: PaymentId,
) -> CoreResult<Option<Payment>> {
    q.fetch_optional(
        &format!("SELECT {PAY_COLS} FROM payments WHERE id = $1 AND community_id = $2"),
        args![id, c],
    )
    .await
}

/// The payment recorded under an idempotency key.
pub(crate) async fn by_key(
    q: &mut impl Queries,
    c: CommunityId,
    key: &str,
) -> CoreResult<Option<Payment>> {
    q.fetch_optional(
        &format!(
            "SELECT {PAY_COLS} FROM payments WHERE community_id = $1 AND idempotency_key = $2"
        ),
        args![c, key],
    )
    .await
}

/// The digest of the request that recorded the payment.
pub(crate) async fn request_digest(
    q: &mut impl Queries,
    id: PaymentId,
) -> CoreResult<Option<String>> {
    let (d,): (Option<String>,) = q
        .fetch_one(
            "SELECT request_digest FROM payments WHERE id = $1",
            args![id],
        )
        .await?;
    Ok(d)
}

pub(crate) async fn settled_lines(
    q: &mut impl Queries,
    c: CommunityId,
    payment: PaymentId,
) -> CoreResult<Vec<SettledLine>> {
    q.fetch_all(
        "SELECT s.charge_id, ch.description, ch.period, s.amount_fen FROM settlements s \
         JOIN charges ch ON ch.id = s.charge_id WHERE s.community_id = $1 AND s.payment_id = $2 ORDER BY s.id",
        args![c, payment],
    )
    .await
}

/// What a payment settled on each charge: `(charge_id, amount_fen)`.
pub(crate) async fn payment_shares(
    tx: &mut Tx,
    c: CommunityId,
    payment: PaymentId,
) -> CoreResult<Vec<(ChargeId, i64)>> {
    tx.fetch_all(
        "SELECT charge_id, amount_fen FROM settlements WHERE community_id = $1 AND payment_id = $2 \
         AND source = 'payment' ORDER BY id",
        args![c, payment],
    )
    .await
}

/// The payment's community, when it belongs to the company.
pub(crate) async fn community_of(
    q: &mut impl Queries,
    id: PaymentId,
    company: CompanyId,
) -> CoreResult<Option<CommunityId>> {
    let c: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT p.community_id FROM payments p JOIN communities c ON c.id = p.community_id \
             WHERE p.id = $1 AND c.company_id = $2",
            args![id, company],
        )
        .await?;
    Ok(c.map(|(c,)| c))
}

/// The payment's unit.
pub(crate) async fn unit_of(
    q: &mut impl Queries,
    c: CommunityId,
    id: PaymentId,
) -> CoreResult<Option<UnitId>> {
    let unit: Option<(UnitId,)> = q
        .fetch_optional(
            "SELECT unit_id FROM payments WHERE id = $1 AND community_id = $2",
            args![id, c],
        )
        .await?;
    Ok(unit.map(|(u,)| u))
}

/// Payments of a business day by receipt number, one cashier's or all.
pub(crate) async fn of_day(
    q: &mut impl Queries,
    c: CommunityId,
    day: NaiveDate,
    cashier: Option<i64>,
) -> CoreResult<Vec<Payment>> {
    let (sql, a) = of_day_sql(c, day, cashier);
    q.fetch_all(&sql, a).await
}

/// The SQL of [`of_day`] (read by the `payments_day` index in receipt order).
pub(crate) fn of_day_sql(c: CommunityId, day: NaiveDate, cashier: Option<i64>) -> (String, Args) {
    let only = if cashier.is_some() {
        " AND cashier_id = $3"
    } else {
        " AND $3 IS NULL"
    };
    (
        format!(
            "SELECT {PAY_COLS} FROM payments WHERE community_id = $1 AND business_date = $2{only} ORDER BY receipt_no"
        ),
        args![c, day, cashier],
    )
}

/// Who recorded a payment and when.
pub(crate) struct Desk<'a> {
    pub cashier: Option<UserId>,
    pub cashier_name: &'a str,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
}

/// A payment taken at the desk.
pub(crate) struct NewPayment<'a> {
    pub unit_id: UnitId,
    pub receipt_no: i64,
    pub kind: &'a str,
    pub method: &'a str,
    pub amount_fen: i64,
    pub to_prepaid_fen: i64,
    pub payer: &'a str,
    pub note: Option<String>,
    pub idempotency_key: Option<&'a str>,
    pub request_digest: &'a str,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    p: NewPayment<'_>,
    d: Desk<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
         payer, note, idempotency_key, request_digest, cashier_id, cashier_name, business_date, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
        args![
            c,
            p.unit_id,
            p.receipt_no,
            p.kind,
            p.method,
            p.amount_fen,
            p.to_prepaid_fen,
            p.payer,
            p.note,
            p.idempotency_key,
            p.request_digest,
            d.cashier,
            d.cashier_name,
            d.day,
            d.now
        ],
    )
    .await
}

/// The counter-entry of `orig`: the opposite amounts, pointing at it.
pub(crate) async fn insert_reversal(
    tx: &mut Tx,
    c: CommunityId,
    orig: &Payment,
    receipt_no: i64,
    kind: &str,
    reason: &str,
    d: Desk<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
         payer, reason, reverses_id, cashier_id, cashier_name, business_date, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14) RETURNING id",
        args![
            c,
            orig.unit_id,
            receipt_no,
            kind,
            orig.method.as_str(),
            -orig.amount_fen,
            -orig.to_prepaid_fen,
            orig.payer.as_str(),
            reason,
            orig.id,
            d.cashier,
            d.cashier_name,
            d.day,
            d.now
        ],
    )
    .await
}

/// Money paid back from the prepaid balance (`amount_fen` negative).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_refund(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    receipt_no: i64,
    kind: &str,
    method: &str,
    amount_fen: i64,
    reason: &str,
    d: Desk<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO payments (community_id, unit_id, receipt_no, kind, method, amount_fen, to_prepaid_fen, \
         payer, reason, cashier_id, cashier_name, business_date, paid_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
        args![
            c,
            unit,
            receipt_no,
            kind,
            method,
            amount_fen,
            amount_fen,
            "",
            reason,
            d.cashier,
            d.cashier_name,
            d.day,
            d.now
        ],
    )
    .await
}

/// Marks a payment reversed by `by`, unless it already is; 0 rows then.
pub(crate) async fn mark_reversed(tx: &mut Tx, id: PaymentId, by: PaymentId) -> CoreResult<u64> {
    tx.execute(
        "UPDATE payments SET reversed_by = $1 WHERE id = $2 AND reversed_by IS NULL",
        args![by, id],
    )
    .await
}
