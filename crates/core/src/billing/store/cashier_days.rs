//! The cashiers' days (`cashier_days`): one row per cashier and business day, upserted by
//! every payment and by the close, so that on PostgreSQL the row's lock orders the two.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// A cashier's day as stored.
#[derive(sqlx::FromRow)]
pub(crate) struct DayRow {
    pub cashier_id: i64,
    pub business_date: NaiveDate,
    pub closed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
}

const DAY_COLS: &str = "cashier_id, business_date, closed_at, confirmed_by, confirmed_at, note";

/// Counts one more payment on the cashier's day; returns when the day was closed, if it was.
pub(crate) async fn count_payment(
    tx: &mut Tx,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<Option<DateTime<Utc>>> {
    let (closed,): (Option<DateTime<Utc>>,) = tx
        .fetch_one(
            "INSERT INTO cashier_days (community_id, cashier_id, business_date, payments) VALUES ($1, $2, $3, 1) \
             ON CONFLICT (community_id, cashier_id, business_date) DO UPDATE SET payments = cashier_days.payments + 1 \
             RETURNING closed_at",
            args![c, cashier, day],
        )
        .await?;
    Ok(closed)
}

/// `(method, count, total_fen)` of the cashier's money that day, by method: payments (refunds
/// and reversals negative), deposits taken at the desk, and deposits refunded (negative, less what was kept against deductions) — a
/// deposit is not income, but it is money in or out of the drawer the close hands over.
pub(crate) async fn totals(
    q: &mut impl Queries,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<Vec<(String, i64, i64)>> {
    q.fetch_all(
        "SELECT method, COUNT(*), CAST(SUM(amount_fen) AS BIGINT) FROM ( \
         SELECT method, amount_fen FROM payments WHERE community_id = $1 \
         AND business_date = $2 AND COALESCE(cashier_id, 0) = $3 \
         UNION ALL SELECT received_method, amount_fen FROM deposits WHERE community_id = $1 \
         AND received_business_date = $2 AND received_by = $3 AND received_method IS NOT NULL \
         UNION ALL SELECT refund_method, deducted_fen - amount_fen FROM deposits WHERE community_id = $1 \
         AND refund_business_date = $2 AND refunded_by = $3) m GROUP BY method ORDER BY method",
        args![c, day, cashier],
    )
    .await
}

/// Closes the day (creating its row if no payment did); none when it was already closed.
pub(crate) async fn close(
    tx: &mut Tx,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
    now: DateTime<Utc>,
    note: Option<String>,
) -> CoreResult<Option<(Option<DateTime<Utc>>,)>> {
    tx.fetch_optional(
        "INSERT INTO cashier_days (community_id, cashier_id, business_date, payments, closed_at, note) \
         VALUES ($1, $2, $3, 0, $4, $5) ON CONFLICT (community_id, cashier_id, business_date) \
         DO UPDATE SET closed_at = $4, note = $5 WHERE cashier_days.closed_at IS NULL RETURNING closed_at",
        args![c, cashier, day, now, note],
    )
    .await
}

/// Fixes the closed day's totals.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn set_totals(
    tx: &mut Tx,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
    totals_json: String,
    total: i64,
    cash: i64,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE cashier_days SET totals_json = $1, total_fen = $2, cash_fen = $3 \
         WHERE community_id = $4 AND cashier_id = $5 AND business_date = $6",
        args![totals_json, total, cash, c, cashier, day],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<Option<DayRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND cashier_id = $2 AND business_date = $3"
        ),
        args![c, cashier, day],
    )
    .await
}

/// Records who received the day's cash; 0 rows when it was already confirmed.
pub(crate) async fn confirm(
    tx: &mut Tx,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
    by: Option<i64>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE cashier_days SET confirmed_by = $1, confirmed_at = $2 WHERE community_id = $3 \
         AND cashier_id = $4 AND business_date = $5 AND confirmed_at IS NULL",
        args![by, now, c, cashier, day],
    )
    .await
}

/// Days from `from` (and every day left open), newest first; only `me`'s when `mine`.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    mine: bool,
    me: i64,
) -> CoreResult<Vec<DayRow>> {
    q.fetch_all(
        &format!(
            "SELECT {DAY_COLS} FROM cashier_days WHERE community_id = $1 AND (business_date >= $2 OR closed_at IS NULL) \
             AND ($3 = FALSE OR cashier_id = $4) ORDER BY business_date DESC, cashier_id"
        ),
        args![c, from, mine, me],
    )
    .await
}

/// The cashier's days not yet daily-closed, oldest first (a handover lists the cash he holds).
pub(crate) async fn open_days_of(
    q: &mut impl Queries,
    c: CommunityId,
    cashier: i64,
) -> CoreResult<Vec<NaiveDate>> {
    let rows: Vec<(NaiveDate,)> = q
        .fetch_all(
            "SELECT business_date FROM cashier_days WHERE community_id = $1 AND cashier_id = $2 \
             AND closed_at IS NULL ORDER BY business_date",
            args![c, cashier],
        )
        .await?;
    Ok(rows.into_iter().map(|(d,)| d).collect())
}
