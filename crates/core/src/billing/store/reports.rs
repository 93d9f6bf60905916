//! The reads of billing's reports (payments by day and method, income by fee item, the fund's
//! moves, the collection rate) and the expenses finance enters (`expenses`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::{CategoryTotal, DayMethod, Expense, ItemIncome, RateRow};
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// What was settled on charges in a span of business days, by fee item (optionally of one
/// kind).
pub(crate) async fn income_by_item(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    kind: Option<&str>,
) -> CoreResult<Vec<ItemIncome>> {
    q.fetch_all(
        "SELECT ch.fee_item_id, f.name AS fee_item, f.kind, CAST(SUM(s.amount_fen) AS BIGINT) AS total_fen \
         FROM settlements s JOIN charges ch ON ch.id = s.charge_id \
         JOIN fee_items f ON f.id = ch.fee_item_id WHERE s.community_id = $1 AND s.on_date >= $2 \
         AND s.on_date <= $3 AND ($4 IS NULL OR f.kind = $4) \
         GROUP BY ch.fee_item_id, f.name, f.kind ORDER BY f.name",
        args![c, from, to, kind],
    )
    .await
}

/// Payments of a span by business day and method.
pub(crate) async fn payments_by_day(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<DayMethod>> {
    q.fetch_all(
        "SELECT business_date, method, COUNT(*) AS count, CAST(SUM(amount_fen) AS BIGINT) AS total_fen \
         FROM payments WHERE community_id = $1 AND business_date >= $2 AND business_date <= $3 \
         GROUP BY business_date, method ORDER BY business_date, method",
        args![c, from, to],
    )
    .await
}

/// The net movement of prepaid balances by the payments of a span.
pub(crate) async fn prepaid_moved(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Option<i64>> {
    let (prepaid,): (Option<i64>,) = q
        .fetch_one(
            "SELECT CAST(SUM(to_prepaid_fen) AS BIGINT) FROM payments WHERE community_id = $1 \
             AND business_date >= $2 AND business_date <= $3",
            args![c, from, to],
        )
        .await?;
    Ok(prepaid)
}

/// An expense as entered.
pub(crate) struct ExpenseWrite<'a> {
    pub spent_on: NaiveDate,
    pub category: &'a str,
    pub description: &'a str,
    pub amount_fen: i64,
    pub from_fund: bool,
}

pub(crate) async fn insert_expense(
    tx: &mut Tx,
    c: CommunityId,
    e: ExpenseWrite<'_>,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO expenses (community_id, spent_on, category, description, amount_fen, from_fund, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![
            c,
            e.spent_on,
            e.category,
            e.description,
            e.amount_fen,
            e.from_fund,
            actor,
            now
        ],
    )
    .await
}

pub(crate) async fn expense(tx: &mut Tx, id: ExpenseId) -> CoreResult<Expense> {
    tx.fetch_one(
        "SELECT id, community_id, spent_on, category, description, amount_fen, from_fund FROM expenses WHERE id = $1",
        args![id],
    )
    .await
}

/// Expenses of a span by category, from the fund or not.
pub(crate) async fn expenses_by_category(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    from_fund: bool,
) -> CoreResult<Vec<CategoryTotal>> {
    q.fetch_all(
        "SELECT category, CAST(SUM(amount_fen) AS BIGINT) AS total_fen FROM expenses WHERE community_id = $1 \
         AND spent_on >= $2 AND spent_on <= $3 AND from_fund = $4 GROUP BY category ORDER BY category",
        args![c, from, to, from_fund],
    )
    .await
}

/// What fund items collected, by day, up to `to`.
pub(crate) async fn fund_collected(
    q: &mut impl Queries,
    c: CommunityId,
    to: NaiveDate,
) -> CoreResult<Vec<(NaiveDate, i64)>> {
    q.fetch_all(
        "SELECT s.on_date, CAST(SUM(s.amount_fen) AS BIGINT) FROM settlements s \
         JOIN charges ch ON ch.id = s.charge_id JOIN fee_items f ON f.id = ch.fee_item_id \
         WHERE s.community_id = $1 AND f.kind = 'fund' AND s.on_date <= $2 GROUP BY s.on_date",
        args![c, to],
    )
    .await
}

/// What was spent from the fund up to `to`: `(day, description, amount_fen)`.
pub(crate) async fn fund_spent(
    q: &mut impl Queries,
    c: CommunityId,
    from_fund: bool,
    to: NaiveDate,
) -> CoreResult<Vec<(NaiveDate, String, i64)>> {
    q.fetch_all(
        "SELECT spent_on, description, amount_fen FROM expenses WHERE community_id = $1 AND from_fund = $2 \
         AND spent_on <= $3 ORDER BY spent_on, id",
        args![c, from_fund, to],
    )
    .await
}

const RATE_BASE: &str = "FROM charges ch WHERE ch.community_id = $1 AND ch.period = $2 AND ch.kind = 'bill' \
                AND ch.reversed_by IS NULL";

/// What a period's bills billed and collected, by fee item.
pub(crate) async fn rate_by_item(
    q: &mut impl Queries,
    c: CommunityId,
    period: &str,
) -> CoreResult<Vec<RateRow>> {
    q.fetch_all(
        &format!(
            "SELECT ch.fee_item_id AS key_id, f.name, CAST(SUM(ch.amount_fen) AS BIGINT) AS billed_fen, \
             CAST(SUM(ch.settled_fen) AS BIGINT) AS collected_fen {} GROUP BY ch.fee_item_id, f.name ORDER BY f.name",
            RATE_BASE.replace("FROM charges ch", "FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id")
        ),
        args![c, period],
    )
    .await
}

/// What a period's bills billed and collected, by building.
pub(crate) async fn rate_by_building(
    q: &mut impl Queries,
    c: CommunityId,
    period: &str,
) -> CoreResult<Vec<RateRow>> {
    q.fetch_all(
        &format!(
            "SELECT u.building_id AS key_id, b.name, CAST(SUM(ch.amount_fen) AS BIGINT) AS billed_fen, \
             CAST(SUM(ch.settled_fen) AS BIGINT) AS collected_fen {} GROUP BY u.building_id, b.name ORDER BY b.name",
            RATE_BASE.replace(
                "FROM charges ch",
                "FROM charges ch JOIN units u ON u.id = ch.unit_id JOIN buildings b ON b.id = u.building_id"
            )
        ),
        args![c, period],
    )
    .await
}
