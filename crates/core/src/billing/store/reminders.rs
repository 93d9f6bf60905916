//! Arrears and reminders (`reminders`): the ageing and arrears reads over open charges (with
//! their units and buildings joined for the labels), and the reminder log.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::{AgeingRow, ArrearsUnit, Reminder};
use crate::db::{Args, Backend, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// `as_of − due_date` in days, as each backend subtracts dates (`$2` is the as-of date).
pub(super) fn age_expr(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "CAST(julianday($2) - julianday(ch.due_date) AS INTEGER)",
        Backend::Postgres => "($2 - ch.due_date)",
    }
}

pub(super) const OPEN: &str =
    "ch.reversed_by IS NULL AND ch.kind <> 'reversal' AND ch.settled_fen < ch.amount_fen";

/// What is overdue as of a day, by building and by age.
pub(crate) async fn ageing(
    q: &mut impl Queries,
    c: CommunityId,
    as_of: NaiveDate,
) -> CoreResult<Vec<AgeingRow>> {
    let (sql, a) = ageing_sql(q.backend(), c, as_of);
    q.fetch_all(&sql, a).await
}

/// The SQL of [`ageing`].
pub(crate) fn ageing_sql(b: Backend, c: CommunityId, as_of: NaiveDate) -> (String, Args) {
    let age = age_expr(b);
    let owed = "(ch.amount_fen - ch.settled_fen)";
    (
        format!(
            "SELECT u.building_id, b.name AS building, COUNT(DISTINCT ch.unit_id) AS units, \
             CAST(SUM(CASE WHEN {age} <= 30 THEN {owed} ELSE 0 END) AS BIGINT) AS d0_30_fen, \
             CAST(SUM(CASE WHEN {age} > 30 AND {age} <= 90 THEN {owed} ELSE 0 END) AS BIGINT) AS d31_90_fen, \
             CAST(SUM(CASE WHEN {age} > 90 AND {age} <= 180 THEN {owed} ELSE 0 END) AS BIGINT) AS d91_180_fen, \
             CAST(SUM(CASE WHEN {age} > 180 THEN {owed} ELSE 0 END) AS BIGINT) AS over_180_fen, \
             CAST(SUM({owed}) AS BIGINT) AS total_fen \
             FROM charges ch JOIN units u ON u.id = ch.unit_id JOIN buildings b ON b.id = u.building_id \
             WHERE ch.community_id = $1 AND {OPEN} AND ch.due_date < $2 \
             GROUP BY u.building_id, b.name ORDER BY b.name"
        ),
        args![c, as_of],
    )
}

/// The units with overdue charges, most owed first.
pub(crate) async fn arrears_units(
    q: &mut impl Queries,
    c: CommunityId,
    as_of: NaiveDate,
    building: Option<i64>,
    min_days: i64,
) -> CoreResult<Vec<ArrearsUnit>> {
    let (sql, a) = arrears_units_sql(q.backend(), c, as_of, building, min_days);
    q.fetch_all(&sql, a).await
}

/// The SQL of [`arrears_units`]: the open charges walked by unit (`charges_unit`), grouped
/// per unit in that order, and only the groups sorted by what they owe.
pub(crate) fn arrears_units_sql(
    b: Backend,
    c: CommunityId,
    as_of: NaiveDate,
    building: Option<i64>,
    min_days: i64,
) -> (String, Args) {
    let age = age_expr(b).replace("ch.due_date", "MIN(ch.due_date)");
    (
        format!(
            "SELECT ch.unit_id, u.building_id, b.name || '-' || u.unit_no AS unit_label, COUNT(*) AS charges, \
             CAST(SUM(ch.amount_fen - ch.settled_fen) AS BIGINT) AS owed_fen, MIN(ch.due_date) AS oldest_due, \
             CAST({age} AS BIGINT) AS days, \
             (SELECT MAX(rm.at) FROM reminders rm WHERE rm.community_id = ch.community_id AND rm.unit_id = ch.unit_id) AS last_reminder_at \
             FROM charges ch JOIN units u ON u.id = ch.unit_id JOIN buildings b ON b.id = u.building_id \
             WHERE ch.community_id = $1 AND {OPEN} AND ch.due_date < $2 AND ($3 IS NULL OR u.building_id = $3) \
             GROUP BY ch.community_id, ch.unit_id, u.building_id, b.name, u.unit_no \
             HAVING {age} >= $4 ORDER BY owed_fen DESC, unit_label LIMIT 2000"
        ),
        args![c, as_of, building, min_days],
    )
}

const REM_COLS: &str =
    "id, community_id, unit_id, at, method, owed_fen, result, next_step, by_name";

/// Who chased the unit.
pub(crate) struct By<'a> {
    pub id: Option<UserId>,
    pub name: &'a str,
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    at: DateTime<Utc>,
    method: &str,
    owed: i64,
    result: &str,
    next_step: Option<String>,
    by: By<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO reminders (community_id, unit_id, at, method, owed_fen, result, next_step, by_id, by_name) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![c, unit, at, method, owed, result, next_step, by.id, by.name],
    )
    .await
}

/// A reminder notice issued to the unit.
pub(crate) async fn insert_notice(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    at: DateTime<Utc>,
    owed: i64,
    result: &str,
    by: By<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO reminders (community_id, unit_id, at, method, owed_fen, result, next_step, by_id, by_name) \
         VALUES ($1, $2, $3, 'notice', $4, $5, NULL, $6, $7) RETURNING id",
        args![c, unit, at, owed, result, by.id, by.name],
    )
    .await
}

pub(crate) async fn get(tx: &mut Tx, id: ReminderId) -> CoreResult<Reminder> {
    tx.fetch_one(
        &format!("SELECT {REM_COLS} FROM reminders WHERE id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Reminder>> {
    q.fetch_all(
        &format!(
            "SELECT {REM_COLS} FROM reminders WHERE community_id = $1 AND unit_id = $2 ORDER BY at DESC, id DESC"
        ),
        args![c, unit],
    )
    .await
}
