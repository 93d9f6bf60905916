//! The switch report's reads (期初核对): what the opening imports say they brought in
//! (`opening_imports`, `opening_lines`, as typed in the files) beside what the ledger holds
//! (`charges` of kind `opening` and the late-fee charges posted for opening lines), the opening
//! arrears still open by age, and the manager's sign-offs (`switch_signoffs`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::AgeingRow;
use crate::billing::switch_report::{SignOff, SwitchItem};
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::reminders::{OPEN, age_expr};

/// Per fee item: the files' lines and sums beside the ledger's opening charges. An item in the
/// files only, or in the ledger only, still has its row (the other side zero).
pub(crate) async fn items(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<SwitchItem>> {
    q.fetch_all(
        "SELECT fi.id AS fee_item_id, fi.name AS fee_item, \
         COALESCE(f.lines, 0) AS file_lines, \
         COALESCE(f.outstanding, 0) AS file_outstanding_fen, \
         COALESCE(f.late_fee, 0) AS file_late_fee_fen, \
         COALESCE(l.charges, 0) AS ledger_charges, \
         COALESCE(l.amount, 0) AS ledger_outstanding_fen, \
         COALESCE(lf.amount, 0) AS ledger_late_fee_fen \
         FROM fee_items fi \
         LEFT JOIN (SELECT fee_item_id, COUNT(*) AS lines, \
              CAST(SUM(amount_fen - paid_fen) AS BIGINT) AS outstanding, \
              CAST(SUM(late_fee_fen) AS BIGINT) AS late_fee \
              FROM opening_lines WHERE community_id = $1 GROUP BY fee_item_id) f \
           ON f.fee_item_id = fi.id \
         LEFT JOIN (SELECT fee_item_id, COUNT(*) AS charges, CAST(SUM(amount_fen) AS BIGINT) AS amount \
              FROM charges WHERE community_id = $1 AND kind = 'opening' GROUP BY fee_item_id) l \
           ON l.fee_item_id = fi.id \
         LEFT JOIN (SELECT ol.fee_item_id, CAST(SUM(ch.amount_fen) AS BIGINT) AS amount \
              FROM opening_lines ol JOIN charges ch ON ch.id = ol.late_fee_charge_id \
              WHERE ol.community_id = $1 GROUP BY ol.fee_item_id) lf \
           ON lf.fee_item_id = fi.id \
         WHERE fi.community_id = $1 AND (f.lines IS NOT NULL OR l.charges IS NOT NULL) \
         ORDER BY fi.id",
        args![c],
    )
    .await
}

/// The opening arrears still open, by age of their original due date as of `as_of`.
pub(crate) async fn ageing(
    q: &mut impl Queries,
    c: CommunityId,
    as_of: NaiveDate,
) -> CoreResult<AgeingRow> {
    let age = age_expr(q.backend());
    let owed = "(ch.amount_fen - ch.settled_fen)";
    q.fetch_one(
        &format!(
            "SELECT CAST(NULL AS BIGINT) AS building_id, '' AS building, \
             COUNT(DISTINCT ch.unit_id) AS units, \
             CAST(COALESCE(SUM(CASE WHEN {age} <= 30 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d0_30_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 30 AND {age} <= 90 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d31_90_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 90 AND {age} <= 180 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d91_180_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 180 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS over_180_fen, \
             CAST(COALESCE(SUM({owed}), 0) AS BIGINT) AS total_fen \
             FROM charges ch WHERE ch.community_id = $1 AND ch.kind = 'opening' AND {OPEN} \
             AND ch.due_date < $2"
        ),
        args![c, as_of],
    )
    .await
}

/// The imports' own totals, as each file was summed when it was posted: (imports, lines,
/// first switch date).
pub(crate) async fn imports(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(i64, i64, Option<NaiveDate>)> {
    q.fetch_one(
        "SELECT COUNT(*), CAST(COALESCE(SUM(lines), 0) AS BIGINT), MIN(switch_date) \
         FROM opening_imports WHERE community_id = $1",
        args![c],
    )
    .await
}

/// Opening prepaid balances credited: (units, total).
pub(crate) async fn opening_prepaid(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(i64, i64)> {
    q.fetch_one(
        "SELECT COUNT(*), CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM prepaid_entries \
         WHERE community_id = $1 AND kind = 'opening'",
        args![c],
    )
    .await
}

/// Deposits: (imported count, imported total, held count, held total).
pub(crate) async fn deposits(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(i64, i64, i64, i64)> {
    q.fetch_one(
        "SELECT CAST(COALESCE(SUM(CASE WHEN source = 'import' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN source = 'import' THEN amount_fen ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN state = 'held' THEN 1 ELSE 0 END), 0) AS BIGINT), \
         CAST(COALESCE(SUM(CASE WHEN state = 'held' THEN amount_fen ELSE 0 END), 0) AS BIGINT) \
         FROM deposits WHERE community_id = $1",
        args![c],
    )
    .await
}

pub(crate) async fn sign_offs(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<SignOff>> {
    q.fetch_all(
        "SELECT s.id, s.signed_by, s.signer, s.signed_at, s.note, s.totals_match \
         FROM switch_signoffs s WHERE s.community_id = $1 ORDER BY s.id",
        args![c],
    )
    .await
}

pub(crate) struct NewSignOff<'a> {
    pub community: CommunityId,
    pub user: Option<UserId>,
    pub signer: &'a str,
    pub at: DateTime<Utc>,
    pub note: Option<&'a str>,
    pub totals_match: bool,
    pub totals: String,
}

pub(crate) async fn insert_sign_off(tx: &mut Tx, s: NewSignOff<'_>) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO switch_signoffs (community_id, signed_by, signer, signed_at, note, \
         totals_match, totals) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![
            s.community,
            s.user,
            s.signer,
            s.at,
            s.note,
            s.totals_match,
            s.totals
        ],
    )
    .await
}
