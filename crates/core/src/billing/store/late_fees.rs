//! Late fees (`late_fees`, `late_fee_runs`): the set-based daily accrual, the claim of a
//! community's day, and the rows the desk posts or a manager waives. The accrual is a
//! benchmarked hot path: its statement is one upsert over the community's open charges, each
//! day's fee taken at that day's outstanding from the settlements' `paid_on` dates.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Backend, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Days from `due` to `date` as each backend subtracts dates (both are column or parameter
/// expressions of type date).
fn days_between(b: Backend, date: &str, due: &str) -> String {
    match b {
        Backend::Sqlite => format!("CAST(julianday({date}) - julianday({due}) AS INTEGER)"),
        Backend::Postgres => format!("({date} - {due})"),
    }
}

/// The fee in fen × 10⁶ of days `(a, n]` of the charge in the derived table `b`, each day at
/// what was outstanding on it: the principal less every settlement paid on or before that day.
/// Day `d` is the date `due + grace + d`; a settlement paid on the date of day `k` counts from
/// day `k` on (the case: a part payment on day 30 already lowers day 30's fee).
fn fee_sql(be: Backend, a: &str, n: &str) -> String {
    let k = format!(
        "({} - b.grace)",
        days_between(be, "COALESCE(s.paid_on, s.on_date)", "b.due")
    );
    format!(
        "b.ppm * (({n} - {a}) * b.amt - COALESCE((SELECT CAST(SUM(s.amount_fen * \
         CASE WHEN {k} - 1 > {a} THEN CASE WHEN {k} - 1 < {n} THEN {n} - {k} + 1 ELSE 0 END \
         ELSE {n} - {a} END) AS BIGINT) FROM settlements s \
         WHERE s.community_id = b.cid AND s.charge_id = b.id), 0))"
    )
}

/// The community's open charges that are overdue as of `$2`, with what the fee needs: `n` is
/// the day index of `$2` (day 1 is the first day after the grace period).
fn overdue_sql(be: Backend) -> String {
    let k = format!(
        "({} - f.late_fee_grace_days)",
        days_between(be, "$2", "ch.due_date")
    );
    format!(
        "SELECT ch.community_id AS cid, ch.id, ch.amount_fen AS amt, ch.due_date AS due, \
         f.late_fee_ppm AS ppm, f.late_fee_grace_days AS grace, {k} AS n \
         FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
         WHERE ch.community_id = $1 AND ch.reversed_by IS NULL AND ch.kind IN ('bill', 'manual', 'service', 'opening') \
         AND f.late_fee_ppm > 0 AND ch.settled_fen < ch.amount_fen AND {k} > 0"
    )
}

/// The daily job's first statement: the late fees already accruing move forward to day `n`.
/// A plain UPDATE (each row read and rewritten once) costs a third of what the same rows cost
/// through an upsert's conflict path on PostgreSQL, and `late_fees` leaves room on its pages
/// (fillfactor, migration 0012) so the daily rewrite stays on the page (HOT). A row a
/// settlement's refresh already brought to day `n` is left alone (`days < n`, re-checked by
/// PostgreSQL against a row that changed under the statement).
fn job_update_sql(be: Backend) -> String {
    let fee = fee_sql(be, "late_fees.posted_days", "b.n");
    format!(
        "UPDATE late_fees SET days = b.n, accrued_e6 = {fee} FROM ({}) b \
         WHERE late_fees.community_id = b.cid AND late_fees.charge_id = b.id \
         AND late_fees.waived_at IS NULL AND late_fees.days < b.n",
        overdue_sql(be)
    )
}

/// The daily job's second statement: the charges overdue for the first time start accruing.
/// A settlement's refresh may insert the same row meanwhile (PostgreSQL): the conflict then
/// takes the further of the two, as the unit's upsert does.
fn job_insert_sql(be: Backend) -> String {
    let fee = fee_sql(be, "0", "b.n");
    format!(
        "INSERT INTO late_fees (community_id, charge_id, days, accrued_e6, posted_fen, posted_days, posted_e6) \
         SELECT b.cid, b.id, b.n, {fee}, 0, 0, 0 FROM ({}) b \
         WHERE NOT EXISTS (SELECT 1 FROM late_fees lf WHERE lf.community_id = b.cid AND lf.charge_id = b.id) \
         ORDER BY b.id \
         ON CONFLICT (community_id, charge_id) DO UPDATE SET \
         accrued_e6 = excluded.accrued_e6, days = excluded.days \
         WHERE late_fees.waived_at IS NULL AND excluded.days > late_fees.days \
         AND late_fees.posted_days = excluded.posted_days",
        overdue_sql(be)
    )
}

/// The upsert of one unit's late fees through `$2`: its open charges, and every charge of it
/// that has a late fee already (a fully settled one keeps its days; its unposted fee is
/// recomputed from the settlements).
fn unit_upsert_sql(be: Backend) -> String {
    let k = format!(
        "({} - f.late_fee_grace_days)",
        days_between(be, "$2", "ch.due_date")
    );
    let fee = fee_sql(be, "b.pd", "b.n");
    format!(
        "INSERT INTO late_fees (community_id, charge_id, days, accrued_e6, posted_fen, posted_days, posted_e6) \
         SELECT b.cid, b.id, b.n, {fee}, 0, b.pd, 0 FROM (\
         SELECT ch.community_id AS cid, ch.id, ch.amount_fen AS amt, ch.due_date AS due, \
         f.late_fee_ppm AS ppm, f.late_fee_grace_days AS grace, \
         CASE WHEN ch.settled_fen < ch.amount_fen AND {k} > COALESCE(lf.days, 0) \
         THEN {k} ELSE COALESCE(lf.days, 0) END AS n, COALESCE(lf.posted_days, 0) AS pd \
         FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
         LEFT JOIN late_fees lf ON lf.community_id = ch.community_id AND lf.charge_id = ch.id \
         WHERE ch.community_id = $1 AND ch.reversed_by IS NULL AND ch.kind IN ('bill', 'manual', 'service', 'opening') \
         AND f.late_fee_ppm > 0 AND lf.waived_at IS NULL \
         AND ch.unit_id = $3 AND (lf.charge_id IS NOT NULL OR (ch.settled_fen < ch.amount_fen AND {k} > 0))) b \
         WHERE TRUE ORDER BY b.id \
         ON CONFLICT (community_id, charge_id) DO UPDATE SET \
         accrued_e6 = excluded.accrued_e6, days = excluded.days \
         WHERE late_fees.waived_at IS NULL"
    )
}

/// Accrues a community's late fees up to `today` inside `tx` (days already accrued are left
/// alone, so running a day twice changes nothing). Returns the charges touched.
///
/// The unposted fee is recomputed from the settlements' dates rather than added to, so one
/// run after days of downtime gives exactly what a run on each missed day in order would have,
/// and a settlement that committed out of order (a backdated payment) is taken at its date.
pub async fn accrue_in(tx: &mut Tx, c: CommunityId, today: NaiveDate) -> CoreResult<u64> {
    let be = tx.backend();
    let moved = tx.execute(&job_update_sql(be), args![c, today]).await?;
    let started = tx.execute(&job_insert_sql(be), args![c, today]).await?;
    Ok(moved + started)
}

/// Brings the late fees of a unit's charges up to `through` (at least; days accrued beyond it
/// stay) and recomputes their unposted fee from the settlements as they now stand.
pub(crate) async fn refresh_unit(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    through: NaiveDate,
) -> CoreResult<u64> {
    tx.execute(&unit_upsert_sql(tx.backend()), args![c, through, unit])
        .await
}

/// A unit's late fees with what is to be posted through `through`: the fee of the days
/// `(posted_days, k]`, k the day index of `through`, each at its day's outstanding.
#[derive(sqlx::FromRow)]
pub(crate) struct ToPost {
    pub charge_id: i64,
    pub posted_days: i64,
    pub through_days: i64,
    pub chunk_e6: i64,
}

pub(crate) async fn to_post(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    through: NaiveDate,
) -> CoreResult<Vec<ToPost>> {
    let be = tx.backend();
    let k = format!("({} - b.grace)", days_between(be, "$2", "b.due"));
    let fee = fee_sql(be, "b.pd", &k);
    tx.fetch_all(
        &format!(
            "SELECT b.id AS charge_id, b.pd AS posted_days, {k} AS through_days, {fee} AS chunk_e6 FROM (\
             SELECT ch.community_id AS cid, ch.id, ch.amount_fen AS amt, ch.due_date AS due, \
             f.late_fee_ppm AS ppm, f.late_fee_grace_days AS grace, lf.posted_days AS pd \
             FROM late_fees lf JOIN charges ch ON ch.id = lf.charge_id AND ch.community_id = lf.community_id \
             JOIN fee_items f ON f.id = ch.fee_item_id \
             WHERE ch.community_id = $1 AND ch.unit_id = $3 AND ch.reversed_by IS NULL \
             AND lf.waived_at IS NULL) b WHERE {k} > b.pd ORDER BY b.id"
        ),
        args![c, through, unit],
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

/// Records a run made by hand as the community's day, if later than the one recorded.
pub(crate) async fn record_run(
    tx: &mut Tx,
    c: CommunityId,
    today: NaiveDate,
    n: i64,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (community_id) DO UPDATE SET as_of = $2, charges = $3, ran_at = $4 \
         WHERE late_fee_runs.as_of < $2",
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
    pub posted_days: i64,
    pub posted_e6: i64,
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

const LF_SELECT: &str = "SELECT lf.charge_id, lf.days, lf.accrued_e6, lf.posted_fen, lf.posted_days, lf.posted_e6, lf.waived_at, \
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

/// Records a posting of days `(posted_days, through]`: `chunk_e6` joins the posted history and
/// `amount` the posted fen; only if nobody posted since `posted_days` was read (0 rows when
/// another desk posted first). The unposted fee is recomputed by the caller's refresh.
pub(crate) async fn claim_posting(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    p: &ToPost,
    amount: i64,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE late_fees SET posted_days = $1, posted_e6 = posted_e6 + $2, posted_fen = posted_fen + $3, \
         days = CASE WHEN days < $1 THEN $1 ELSE days END, accrued_e6 = 0 \
         WHERE community_id = $4 AND charge_id = $5 AND posted_days = $6 AND waived_at IS NULL",
        args![p.through_days, p.chunk_e6, amount, c, charge, p.posted_days],
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
