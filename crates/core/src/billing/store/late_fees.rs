//! Late fees (`late_fees`, `late_fee_runs`): the community's accrual day, the rows a
//! settlement brings forward and the desk posts or a manager waives, and the reads that carry
//! each open charge's fee to the accrual day. A row stores the fee as of the last write that
//! touched its charge (a settlement, a posting, a waiver, the opening import); the days from
//! there to the community's day are computed where the fee is read, from the same settlements,
//! so the daily job writes one row per community instead of rewriting every overdue charge.

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

/// The charges that accrue a late fee at all, as a condition on `ch` and its fee item `f`.
const ACCRUING: &str = "ch.reversed_by IS NULL AND ch.kind IN ('bill', 'manual', 'service', 'opening') \
     AND f.late_fee_ppm > 0";

/// Whether the charge `ch` (fee item `f`, late fee `lf`, possibly missing) moves forward to the
/// day index `k` of the accrual day: open, not waived, and `k` past the days it has.
fn moves_sql(k: &str) -> String {
    format!(
        "({ACCRUING} AND lf.waived_at IS NULL AND ch.settled_fen < ch.amount_fen \
         AND {k} > COALESCE(lf.days, 0))"
    )
}

/// The community's accrual day (the last day the daily job or a manager accrued to).
pub(crate) async fn accrual_day(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<NaiveDate>> {
    let day: Option<(NaiveDate,)> = q
        .fetch_optional(
            "SELECT as_of FROM late_fee_runs WHERE community_id = $1",
            args![c],
        )
        .await?;
    Ok(day.map(|(d,)| d))
}

/// How many of the community's charges the day `$2` moves forward: the open charges overdue on
/// it that have not accrued that far (what the day adds to the desk's figures).
pub(crate) async fn count_moving(tx: &mut Tx, c: CommunityId, day: NaiveDate) -> CoreResult<u64> {
    let k = format!(
        "({} - f.late_fee_grace_days)",
        days_between(tx.backend(), "$2", "ch.due_date")
    );
    let (n,): (i64,) = tx
        .fetch_one(
            &format!(
                "SELECT COUNT(*) FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
                 LEFT JOIN late_fees lf ON lf.community_id = ch.community_id AND lf.charge_id = ch.id \
                 WHERE ch.community_id = $1 AND {}",
                moves_sql(&k)
            ),
            args![c, day],
        )
        .await?;
    Ok(n as u64)
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
         WHERE ch.community_id = $1 AND {ACCRUING} AND lf.waived_at IS NULL AND ch.unit_id = $3 AND (lf.charge_id IS NOT NULL OR (ch.settled_fen < ch.amount_fen AND {k} > 0))) b \
         WHERE TRUE ORDER BY b.id \
         ON CONFLICT (community_id, charge_id) DO UPDATE SET \
         accrued_e6 = excluded.accrued_e6, days = excluded.days \
         WHERE late_fees.waived_at IS NULL AND late_fees.posted_days = excluded.posted_days"
    )
}

/// Brings the late fees of a unit's charges up to `through`, or to the community's accrual
/// day if later (at least; days accrued beyond it stay), and recomputes their unposted fee from
/// the settlements as they now stand. Carrying an open charge to the accrual day first is what
/// a daily rewrite of every row would have done, so the fee of a charge that a settlement then
/// closes stops at the same days whether or not the rows had been rewritten.
pub(crate) async fn refresh_unit(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    through: NaiveDate,
) -> CoreResult<u64> {
    let day = accrual_day(tx, c).await?;
    let through = day.map_or(through, |d| d.max(through));
    tx.execute(&unit_upsert_sql(tx.backend()), args![c, through, unit])
        .await
}

/// Writes a unit's late fees as they read on the community's accrual day (nothing before the
/// first), so a change made to the stored row starts from what the desk was shown.
///
/// On PostgreSQL the unit's rows are locked first: a payment on the unit still in flight is
/// waited for, and the rows are then computed from what it committed, not from a snapshot
/// taken before it (a row a payment posted meanwhile is left as the payment wrote it, by the
/// upsert's `posted_days` condition). SQLite's single writer orders the two already.
pub(crate) async fn carry_unit(tx: &mut Tx, c: CommunityId, unit: UnitId) -> CoreResult<()> {
    if tx.backend() == Backend::Postgres {
        let _: Vec<(i64,)> = tx
            .fetch_all(
                "SELECT lf.charge_id FROM late_fees lf JOIN charges ch \
                 ON ch.community_id = lf.community_id AND ch.id = lf.charge_id \
                 WHERE lf.community_id = $1 AND ch.unit_id = $2 ORDER BY lf.charge_id FOR UPDATE OF lf",
                args![c, unit],
            )
            .await?;
    }
    if let Some(day) = accrual_day(tx, c).await? {
        tx.execute(&unit_upsert_sql(tx.backend()), args![c, day, unit])
            .await?;
    }
    Ok(())
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

/// Moves the community's accrual day forward to `day`, unless it is there or later already
/// (`None`). The claim is a conditional upsert of the community's one `late_fee_runs` row, so
/// several nodes, or a node and a manager, move each day once. Returns the charges the day
/// moves forward: every open charge overdue on it, each a day (or more) further.
pub(crate) async fn advance(
    tx: &mut Tx,
    c: CommunityId,
    day: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<Option<u64>> {
    let claimed: Option<(NaiveDate,)> = tx
        .fetch_optional(
            "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (community_id) DO UPDATE SET as_of = $2, ran_at = $3 \
             WHERE late_fee_runs.as_of < $2 RETURNING as_of",
            args![c, day, now],
        )
        .await?;
    if claimed.is_none() {
        return Ok(None);
    }
    let n = count_moving(tx, c, day).await?;
    tx.execute(
        "UPDATE late_fee_runs SET charges = $1 WHERE community_id = $2",
        args![n as i64, c],
    )
    .await?;
    Ok(Some(n))
}

/// Accrues a community's late fees up to `day` inside `tx`: moves its accrual day there (days
/// already accrued are left alone, so running a day twice changes nothing). Returns the
/// charges it moved forward.
pub async fn accrue_in(tx: &mut Tx, c: CommunityId, day: NaiveDate) -> CoreResult<u64> {
    Ok(advance(tx, c, day, Utc::now()).await?.unwrap_or(0))
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

/// A charge's late fee as of the accrual day `$3` (NULL: none yet), for the charges of
/// `ch.community_id = $1 AND {filter}` that have a row or move forward on that day. A charge
/// that moves has its days and unposted fee computed here, as the daily job used to write
/// them; the others read as stored.
fn lf_select(be: Backend, filter: &str) -> String {
    let k = format!(
        "({} - f.late_fee_grace_days)",
        days_between(be, "$3", "ch.due_date")
    );
    let moves = moves_sql(&k);
    let fee = fee_sql(be, "b.posted_days", "b.days");
    format!(
        "SELECT b.charge_id, b.days, CASE WHEN b.moves THEN {fee} ELSE b.accrued_e6 END AS accrued_e6, \
         b.posted_fen, b.posted_days, b.posted_e6, b.waived_at, b.description, b.due_date, b.amount_fen, \
         b.settled_fen, b.fee_item_id, b.period, b.late_fee_ppm, b.late_fee_grace_days, b.late_fee_cap_pct \
         FROM (SELECT ch.community_id AS cid, ch.id, ch.id AS charge_id, ch.amount_fen AS amt, ch.due_date AS due, \
         f.late_fee_ppm AS ppm, f.late_fee_grace_days AS grace, {moves} AS moves, \
         CASE WHEN {moves} THEN {k} ELSE COALESCE(lf.days, 0) END AS days, \
         COALESCE(lf.accrued_e6, 0) AS accrued_e6, COALESCE(lf.posted_fen, 0) AS posted_fen, \
         COALESCE(lf.posted_days, 0) AS posted_days, COALESCE(lf.posted_e6, 0) AS posted_e6, lf.waived_at, \
         lf.charge_id AS lf_id, ch.description, ch.due_date, ch.amount_fen, ch.settled_fen, ch.fee_item_id, \
         ch.period, f.late_fee_ppm, f.late_fee_grace_days, f.late_fee_cap_pct \
         FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
         LEFT JOIN late_fees lf ON lf.community_id = ch.community_id AND lf.charge_id = ch.id \
         WHERE ch.community_id = $1 AND {filter} AND ch.reversed_by IS NULL) b \
         WHERE b.lf_id IS NOT NULL OR b.moves ORDER BY b.due_date, b.charge_id"
    )
}

/// The late fees of a unit's live charges as of the accrual day, oldest due first.
pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<LfRow>> {
    let day = accrual_day(q, c).await?;
    q.fetch_all(
        &lf_select(q.backend(), "ch.unit_id = $2"),
        args![c, unit, day],
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

/// A charge's late fee as of the accrual day.
pub(crate) async fn of_charge(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
) -> CoreResult<Option<LfRow>> {
    let day = accrual_day(tx, c).await?;
    tx.fetch_optional(
        &lf_select(tx.backend(), "ch.id = $2"),
        args![c, charge, day],
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
