//! Deposits held (`deposits`): written at the desk or by an import, listed per unit and per
//! community, refunded once (a conditional UPDATE on the state, so two refunds at the same moment
//! pay back once).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::switch::Deposit;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const DEPOSIT_SELECT: &str = "SELECT d.id, d.community_id, d.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     d.kind, d.amount_fen, d.received_on, d.payer, d.note, d.source, d.received_method, d.state, \
     d.refunded_at, d.refund_method, d.refund_reason, d.refunded_by_name, d.refund_business_date, d.deducted_fen, \
     d.deduction_note, d.created_at \
     FROM deposits d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id";

/// A deposit to write.
pub(crate) struct NewDeposit<'a> {
    pub unit_id: UnitId,
    pub kind: &'a str,
    pub amount_fen: i64,
    pub received_on: NaiveDate,
    pub payer: &'a str,
    pub note: Option<&'a str>,
    /// "desk" or "import".
    pub source: &'a str,
    /// Taken at the desk now: the method and the cashier's business day it counts in.
    pub taken: Option<(&'a str, NaiveDate)>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    d: &NewDeposit<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    let received_by = d.taken.map(|_| by.map_or(0, |u| u.0));
    tx.insert_id(
        "INSERT INTO deposits (community_id, unit_id, kind, amount_fen, received_on, payer, note, source, \
         received_method, received_by, received_business_date, state, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'held', $12, $13) RETURNING id",
        args![
            c,
            d.unit_id,
            d.kind,
            d.amount_fen,
            d.received_on,
            d.payer,
            d.note,
            d.source,
            d.taken.map(|t| t.0),
            received_by,
            d.taken.map(|t| t.1),
            by,
            now
        ],
    )
    .await
}

pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Option<Deposit>> {
    q.fetch_optional(
        &format!("{DEPOSIT_SELECT} WHERE d.community_id = $1 AND d.id = $2"),
        args![c, id],
    )
    .await
}

/// The community a deposit belongs to, within the company.
pub(crate) async fn community_of(
    q: &mut impl Queries,
    id: i64,
    company: CompanyId,
) -> CoreResult<Option<CommunityId>> {
    let row: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT d.community_id FROM deposits d JOIN communities c ON c.id = d.community_id \
             WHERE d.id = $1 AND c.company_id = $2",
            args![id, company],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// A unit's deposits, newest received first.
pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Deposit>> {
    q.fetch_all(
        &format!(
            "{DEPOSIT_SELECT} WHERE d.community_id = $1 AND d.unit_id = $2 ORDER BY d.received_on DESC, d.id DESC"
        ),
        args![c, unit],
    )
    .await
}

/// The community's deposits building by building, optionally in one state.
pub(crate) async fn of_community(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
) -> CoreResult<Vec<Deposit>> {
    q.fetch_all(
        &format!(
            "{DEPOSIT_SELECT} WHERE d.community_id = $1 AND ($2 IS NULL OR d.state = $2) \
             ORDER BY b.name, u.floor, u.unit_no, d.received_on, d.id"
        ),
        args![c, state],
    )
    .await
}

/// `(count, Σ amount)` of the deposits held in the community.
pub(crate) async fn held_total(q: &mut impl Queries, c: CommunityId) -> CoreResult<(i64, i64)> {
    q.fetch_one(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM deposits \
         WHERE community_id = $1 AND state = 'held'",
        args![c],
    )
    .await
}

/// The refund written onto a held deposit.
pub(crate) struct Refund<'a> {
    pub method: &'a str,
    pub reason: &'a str,
    pub by: Option<UserId>,
    pub by_name: &'a str,
    pub day: NaiveDate,
    pub now: DateTime<Utc>,
    /// Kept against documented deductions (a decoration's violations); the rest is paid back.
    pub deducted_fen: i64,
    pub deduction_note: Option<&'a str>,
}

/// Marks a held deposit refunded; 0 rows when it was refunded already (or meanwhile), or when
/// the deductions exceed it.
pub(crate) async fn refund(
    tx: &mut Tx,
    c: CommunityId,
    id: i64,
    r: &Refund<'_>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE deposits SET state = 'refunded', refunded_at = $1, refund_method = $2, refund_reason = $3, \
         refunded_by = $4, refunded_by_name = $5, refund_business_date = $6, deducted_fen = $7, \
         deduction_note = $8 WHERE community_id = $9 AND id = $10 AND state = 'held' AND amount_fen >= $7",
        args![
            r.now,
            r.method,
            r.reason,
            r.by.map_or(0, |u| u.0),
            r.by_name,
            r.day,
            r.deducted_fen,
            r.deduction_note,
            c,
            id
        ],
    )
    .await
}

/// The keys `(unit, kind, amount, received_on, payer)` of the community's deposits, held or
/// refunded: an imported row equal to one of them is already recorded.
pub(crate) async fn keys(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, String, i64, NaiveDate, String)>> {
    q.fetch_all(
        "SELECT unit_id, kind, amount_fen, received_on, payer FROM deposits WHERE community_id = $1",
        args![c],
    )
    .await
}
