//! What the company dashboard (经营看板) reads of billing: what one community's bills of each
//! period billed and collected (the collection rate's numbers, as `collection_rate` counts them),
//! and what is overdue by age as of a day.

use chrono::NaiveDate;

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::reminders::{OPEN, age_expr};

/// What a period's bills billed and collected.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct PeriodTotals {
    pub period: String,
    pub billed_fen: i64,
    pub collected_fen: i64,
}

/// The community's bills of periods `from`..=`to` (`2026-01`), by period.
pub(crate) async fn billed_by_period(
    q: &mut impl Queries,
    c: CommunityId,
    from: &str,
    to: &str,
) -> CoreResult<Vec<PeriodTotals>> {
    q.fetch_all(
        "SELECT ch.period, CAST(SUM(ch.amount_fen) AS BIGINT) AS billed_fen, \
         CAST(SUM(ch.settled_fen) AS BIGINT) AS collected_fen FROM charges ch \
         WHERE ch.community_id = $1 AND ch.period >= $2 AND ch.period <= $3 AND ch.kind = 'bill' \
         AND ch.reversed_by IS NULL GROUP BY ch.period",
        args![c, from, to],
    )
    .await
}

/// What is overdue as of a day, by age (0–30, 31–90, 91–180, over 180 days), and on how many
/// units.
#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct AgeingTotals {
    pub units: i64,
    pub d0_30_fen: i64,
    pub d31_90_fen: i64,
    pub d91_180_fen: i64,
    pub over_180_fen: i64,
}

/// The community's overdue charges as of `as_of`, by age.
pub(crate) async fn ageing_totals(
    q: &mut impl Queries,
    c: CommunityId,
    as_of: NaiveDate,
) -> CoreResult<AgeingTotals> {
    let age = age_expr(q.backend());
    let owed = "(ch.amount_fen - ch.settled_fen)";
    q.fetch_one(
        &format!(
            "SELECT COUNT(DISTINCT ch.unit_id) AS units, \
             CAST(COALESCE(SUM(CASE WHEN {age} <= 30 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d0_30_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 30 AND {age} <= 90 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d31_90_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 90 AND {age} <= 180 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS d91_180_fen, \
             CAST(COALESCE(SUM(CASE WHEN {age} > 180 THEN {owed} ELSE 0 END), 0) AS BIGINT) AS over_180_fen \
             FROM charges ch WHERE ch.community_id = $1 AND {OPEN} AND ch.due_date < $2"
        ),
        args![c, as_of],
    )
    .await
}
