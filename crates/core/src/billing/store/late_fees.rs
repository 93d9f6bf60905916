//! Late fees (`late_fees`, `late_fee_runs`): the set-based daily accrual, the claim of a
//! community's day, and the rows the desk posts or a manager waives. The accrual is a
//! benchmarked hot path: its statement is one upsert over the community's open charges.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Backend, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Accrues a community's late fees up to `today` inside `tx`. Returns the charges touched.
pub async fn accrue_in(tx: &mut Tx, c: CommunityId, today: NaiveDate) -> CoreResult<u64> {
    // Days past the grace period, as each backend subtracts dates.
    let days = match tx.backend() {
        Backend::Sqlite => {
            "(CAST(julianday($2) - julianday(ch.due_date) AS INTEGER) - f.late_fee_grace_days)"
        }
        Backend::Postgres => "(($2 - ch.due_date) - f.late_fee_grace_days)",
    };
    tx.execute(
        &format!(
            "INSERT INTO late_fees (community_id, charge_id, days, accrued_e6, posted_fen) \
             SELECT ch.community_id, ch.id, {days}, (ch.amount_fen - ch.settled_fen) * f.late_fee_ppm * {days}, 0 \
             FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
             WHERE ch.community_id = $1 AND ch.reversed_by IS NULL AND ch.kind IN ('bill', 'manual', 'service') \
             AND ch.settled_fen < ch.amount_fen AND f.late_fee_ppm > 0 AND {days} > 0 ORDER BY ch.id \
             ON CONFLICT (community_id, charge_id) DO UPDATE SET \
             accrued_e6 = late_fees.accrued_e6 + (excluded.accrued_e6 / excluded.days) * (excluded.days - late_fees.days), \
             days = excluded.days \
             WHERE late_fees.waived_at IS NULL AND excluded.days > late_fees.days"
        ),
        args![c, today],
    )
    .await
}

/// Claims the community's day: true when `today` was not yet accrued.
pub(crate) async fn claim_day(
    tx: &mut Tx,
    c: CommunityId,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    let claimed: Option<(NaiveDate,)> = tx
        .fetch_optional(
            "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (community_id) DO UPDATE SET as_of = $2, ran_at = $3 \
             WHERE late_fee_runs.as_of < $2 RETURNING as_of",
            args![c, today, now],
        )
        .await?;
    Ok(claimed.is_some())
}

pub(crate) async fn set_run_charges(tx: &mut Tx, c: CommunityId, n: i64) -> CoreResult<()> {
    tx.execute(
        "UPDATE late_fee_runs SET charges = $1 WHERE community_id = $2",
        args![n, c],
    )
    .await?;
    Ok(())
}

/// Records a run made by hand as the community's day.
pub(crate) async fn record_run(
    tx: &mut Tx,
    c: CommunityId,
    today: NaiveDate,
    n: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (community_id) DO UPDATE SET as_of = $2, charges = $3, ran_at = $4",
        args![c, today, n, now],
    )
    .await?;
    Ok(())
}

/// A charge's late fee with what its rule and line need.
#[derive(sqlx::FromRow)]
pub(crate) struct LfRow {
    pub charge_id: i64,
    pub days: i64,
    pub accrued_e6: i64,
    pub posted_fen: i64,
    pub waived_at: Option<DateTime<Utc>>,
    pub description: String,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    pub settled_fen: i64,
    pub fee_item_id: i64,
    pub period: Option<String>,
    pub late_fee_ppm: i64,
    pub late_fee_grace_days: i64,
    pub late_fee_cap_pct: Option<i64>,
}

const LF_SELECT: &str = "SELECT lf.charge_id, lf.days, lf.accrued_e6, lf.posted_fen, lf.waived_at, \
     ch.description, ch.due_date, ch.amount_fen, ch.settled_fen, ch.fee_item_id, ch.period, \
     f.late_fee_ppm, f.late_fee_grace_days, f.late_fee_cap_pct FROM late_fees lf \
     JOIN charges ch ON ch.id = lf.charge_id AND ch.community_id = lf.community_id \
     JOIN fee_items f ON f.id = ch.fee_item_id";

/// The late fees of a unit's live charges, oldest due first.
pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<LfRow>> {
    q.fetch_all(
        &format!(
            "{LF_SELECT} WHERE ch.community_id = $1 AND ch.unit_id = $2 AND ch.reversed_by IS NULL \
             ORDER BY ch.due_date, ch.id"
        ),
        args![c, unit],
    )
    .await
}

/// The unit's accrued, unwaived late fees, in charge order.
pub(crate) async fn postable(tx: &mut Tx, c: CommunityId, unit: UnitId) -> CoreResult<Vec<LfRow>> {
    tx.fetch_all(
        &format!(
            "{LF_SELECT} WHERE ch.community_id = $1 AND ch.unit_id = $2 AND lf.waived_at IS NULL \
             AND ch.reversed_by IS NULL AND lf.accrued_e6 > 0 ORDER BY ch.id"
        ),
        args![c, unit],
    )
    .await
}

/// Moves `amount` from accrued to posted, only if the accrual is still `accrued_e6`; 0 rows
/// when another desk posted it first.
pub(crate) async fn claim_posting(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    amount: i64,
    accrued_e6: i64,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE late_fees SET accrued_e6 = 0, posted_fen = posted_fen + $1 WHERE community_id = $2 \
         AND charge_id = $3 AND accrued_e6 = $4 AND waived_at IS NULL",
        args![amount, c, charge, accrued_e6],
    )
    .await
}

pub(crate) async fn of_charge(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
) -> CoreResult<Option<LfRow>> {
    tx.fetch_optional(
        &format!("{LF_SELECT} WHERE lf.community_id = $1 AND lf.charge_id = $2"),
        args![c, charge],
    )
    .await
}

/// Waives the late fee if it is still what was read; 0 rows otherwise.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn waive(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    accrued_e6: i64,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE late_fees SET waived_at = $1, waived_by = $2, waived_reason = $3, accrued_e6 = 0 \
         WHERE community_id = $4 AND charge_id = $5 AND waived_at IS NULL AND accrued_e6 = $6",
        args![now, by, reason, c, charge, accrued_e6],
    )
    .await
}
