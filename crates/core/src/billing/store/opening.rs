//! Opening arrears (`opening_imports`, `opening_lines`) and the rows an import posts into
//! `charges` and `late_fees`. The writes are multi-row `INSERT … VALUES` chunks (`db::Bulk`)
//! with the charges' ids reserved ahead, so a file of 600,000 lines goes in without reading
//! anything back.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Queries, Tx, Value};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

/// Rows per multi-row INSERT: the widest (charges) binds 10 values a row, 20,000 parameters,
/// under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK: usize = 2_000;

/// An earlier import of a file, with its totals.
#[derive(sqlx::FromRow)]
pub(crate) struct ImportRow {
    pub id: i64,
    pub switch_date: NaiveDate,
    pub lines: i64,
    pub units: i64,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub outstanding_fen: i64,
    pub late_fee_fen: i64,
}

const IMPORT_COLS: &str =
    "id, switch_date, lines, units, amount_fen, paid_fen, outstanding_fen, late_fee_fen";

pub(crate) async fn by_hash(
    q: &mut impl Queries,
    c: CommunityId,
    hash: &str,
) -> CoreResult<Option<ImportRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {IMPORT_COLS} FROM opening_imports WHERE community_id = $1 AND content_hash = $2"
        ),
        args![c, hash],
    )
    .await
}

/// An import's lines by fee item: (fee item id, lines, outstanding, late fee).
pub(crate) async fn totals_by_item(
    q: &mut impl Queries,
    c: CommunityId,
    import: i64,
) -> CoreResult<Vec<(i64, i64, i64, i64)>> {
    q.fetch_all(
        "SELECT fee_item_id, CAST(COUNT(*) AS BIGINT), CAST(SUM(amount_fen - paid_fen) AS BIGINT), \
         CAST(SUM(late_fee_fen) AS BIGINT) FROM opening_lines \
         WHERE community_id = $1 AND import_id = $2 GROUP BY fee_item_id ORDER BY fee_item_id",
        args![c, import],
    )
    .await
}

/// The keys of every line brought in before: (unit, fee item, period from, period to).
pub(crate) async fn existing_keys(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, i64, NaiveDate, NaiveDate)>> {
    q.fetch_all(
        "SELECT unit_id, fee_item_id, period_from, period_to FROM opening_lines WHERE community_id = $1",
        args![c],
    )
    .await
}

/// The import's row; `None` when the same file's row is already there (a second upload that
/// raced the first: PostgreSQL waits for it to commit, SQLite has one writer).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_import(
    tx: &mut Tx,
    c: CommunityId,
    hash: &str,
    switch: NaiveDate,
    t: &ImportRow,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO opening_imports (community_id, content_hash, switch_date, lines, units, \
             amount_fen, paid_fen, outstanding_fen, late_fee_fen, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             ON CONFLICT (community_id, content_hash) DO NOTHING RETURNING id",
            args![
                c,
                hash,
                switch,
                t.lines,
                t.units,
                t.amount_fen,
                t.paid_fen,
                t.outstanding_fen,
                t.late_fee_fen,
                by,
                now
            ],
        )
        .await?;
    Ok(row.map(|r| r.0))
}

/// `n` fresh ids of `charges`, taken inside the write transaction (SQLite: after the largest,
/// the one writer holding the lock; PostgreSQL: from the identity's sequence).
pub(crate) async fn reserve_charge_ids(tx: &mut Tx, n: usize) -> CoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.backend() {
        Backend::Sqlite => {
            let (max,): (i64,) = tx
                .fetch_one("SELECT COALESCE(MAX(id), 0) FROM charges", Args::new())
                .await?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
        Backend::Postgres => {
            let rows: Vec<(i64,)> = tx
                .fetch_all(
                    "SELECT nextval(pg_get_serial_sequence('charges', 'id')) FROM generate_series(1, $1)",
                    args![n as i64],
                )
                .await?;
            if rows.len() != n {
                return Err(CoreError::internal("the id sequence returned too few ids"));
            }
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
    }
}

/// A charge an opening line posts (its principal of kind `opening`, or its late fee).
pub(crate) struct NewCharge {
    pub id: i64,
    pub unit_id: i64,
    pub fee_item_id: i64,
    pub kind: &'static str,
    pub period: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub description: String,
    pub basis: String,
    pub amount_fen: i64,
    pub due_date: NaiveDate,
}

pub(crate) async fn insert_charges(
    tx: &mut Tx,
    c: CommunityId,
    rows: Vec<NewCharge>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    super::charges::hold_units(tx, c, rows.iter().map(|r| r.unit_id)).await?;
    let mut rest = rows.into_iter().peekable();
    while rest.peek().is_some() {
        let shared = args![c, by, now];
        let mut b = Bulk::after(shared, CHUNK, 11);
        for r in rest.by_ref().take(CHUNK) {
            b.row([
                Value::from(r.id),
                r.unit_id.into(),
                r.fee_item_id.into(),
                r.kind.into(),
                r.period.into(),
                r.period_from.into(),
                r.period_to.into(),
                r.description.into(),
                r.basis.into(),
                r.amount_fen.into(),
                r.due_date.into(),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO charges (community_id, created_by, created_at, settled_fen, id, unit_id, \
             fee_item_id, kind, period, period_from, period_to, description, basis, amount_fen, due_date) \
             SELECT $1, $2, $3, 0, column1, column2, column3, column4, column5, column6, column7, \
             column8, column9, column10, column11 FROM (",
            ") AS v",
        );
        tx.execute(&sql, a).await?;
    }
    // PostgreSQL's identity was advanced by nextval; SQLite takes MAX(id) next time.
    Ok(())
}

/// The late-fee rows that make an opening charge accrue from the switch date on: days
/// `(0, posted_days]` count as posted (with the old system's fee, if any), so the daily job
/// and the desk compute only the days after it.
pub(crate) struct NewLateFee {
    pub charge_id: i64,
    pub posted_days: i64,
    pub posted_fen: i64,
}

pub(crate) async fn insert_late_fees(
    tx: &mut Tx,
    c: CommunityId,
    rows: Vec<NewLateFee>,
) -> CoreResult<()> {
    let mut rest = rows.into_iter().peekable();
    while rest.peek().is_some() {
        let mut b = Bulk::after(args![c], CHUNK, 4);
        for r in rest.by_ref().take(CHUNK) {
            b.row([
                Value::from(r.charge_id),
                r.posted_days.into(),
                r.posted_fen.into(),
                (r.posted_fen * 1_000_000).into(),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO late_fees (community_id, charge_id, days, accrued_e6, posted_fen, posted_days, posted_e6) \
             SELECT $1, column1, column2, 0, column3, column2, column4 FROM (",
            ") AS v",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// A line as brought in.
pub(crate) struct NewLine {
    pub row_no: i64,
    pub unit_id: i64,
    pub fee_item_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub due_date: NaiveDate,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub late_fee_fen: i64,
    pub charge_id: Option<i64>,
    pub late_fee_charge_id: Option<i64>,
}

/// Inserts the lines; returns how many went in (fewer than given: a line another import
/// brought in meanwhile, which the caller refuses).
pub(crate) async fn insert_lines(
    tx: &mut Tx,
    c: CommunityId,
    import: i64,
    rows: Vec<NewLine>,
) -> CoreResult<u64> {
    let mut n = 0;
    let mut rest = rows.into_iter().peekable();
    while rest.peek().is_some() {
        let mut b = Bulk::after(args![c, import], CHUNK, 11);
        for r in rest.by_ref().take(CHUNK) {
            b.row([
                Value::from(r.row_no),
                r.unit_id.into(),
                r.fee_item_id.into(),
                r.period_from.into(),
                r.period_to.into(),
                r.due_date.into(),
                r.amount_fen.into(),
                r.paid_fen.into(),
                r.late_fee_fen.into(),
                r.charge_id.into(),
                r.late_fee_charge_id.into(),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO opening_lines (community_id, import_id, row_no, unit_id, fee_item_id, \
             period_from, period_to, due_date, amount_fen, paid_fen, late_fee_fen, charge_id, \
             late_fee_charge_id) SELECT $1, $2, column1, column2, column3, column4, column5, \
             column6, column7, column8, column9, column10, column11 FROM (",
            // `WHERE TRUE`: SQLite reads `ON` after a bare `FROM (…)` as a join.
            ") AS v WHERE TRUE ON CONFLICT (community_id, unit_id, fee_item_id, period_from, period_to) DO NOTHING",
        );
        n += tx.execute(&sql, a).await?;
    }
    Ok(n)
}
