//! Bill runs (`bill_runs`) and the bulk write of a run's charges. The bulk statement's shape
//! (what is bound once per statement, what per row, the chunk size) is tuned against the
//! benchmark's baselines (SQLite: a plain batched INSERT; PostgreSQL: `INSERT … SELECT FROM
//! UNNEST`): change it only with the benchmark at hand.

use chrono::{DateTime, Utc};

use crate::args;
use crate::billing::model::ChargeKind;
use crate::billing::{BillRun, NewCharge};
use crate::db::{Args, Backend, Bulk, Queries, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The run of a period, when one is posted.
pub(crate) async fn posted(q: &mut impl Queries, c: CommunityId, period: &str) -> CoreResult<bool> {
    let posted: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM bill_runs WHERE community_id = $1 AND period = $2",
            args![c, period],
        )
        .await?;
    Ok(posted.is_some())
}

/// Starts the period's run (a unique key refuses a second one).
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO bill_runs (community_id, period, charges, total_fen, prepaid_applied_fen, created_by, created_at) \
         VALUES ($1, $2, 0, 0, 0, $3, $4) RETURNING id",
        args![c, period, actor, now],
    )
    .await
}

pub(crate) async fn set_totals(
    tx: &mut Tx,
    run: BillRunId,
    charges: i64,
    total: i64,
    applied: i64,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE bill_runs SET charges = $1, total_fen = $2, prepaid_applied_fen = $3 WHERE id = $4",
        args![charges, total, applied, run],
    )
    .await?;
    Ok(())
}

pub(crate) async fn get(tx: &mut Tx, run: BillRunId) -> CoreResult<BillRun> {
    tx.fetch_one(
        "SELECT id, community_id, period, charges, total_fen, prepaid_applied_fen, created_at \
         FROM bill_runs WHERE id = $1",
        args![run],
    )
    .await
}

pub(crate) async fn list(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<BillRun>> {
    q.fetch_all(
        "SELECT id, community_id, period, charges, total_fen, prepaid_applied_fen, created_at \
         FROM bill_runs WHERE community_id = $1 ORDER BY period DESC",
        args![c],
    )
    .await
}

/// On SQLite, a bulk insert keeps the charges' indexes in a larger page cache (64 MiB instead
/// of 4) while it runs: a run's second standard inserts into the middle of the unit index, and
/// with the small cache each of those pages is read back from the OS over and over.
pub async fn bulk_cache(tx: &mut Tx, on: bool) -> CoreResult<()> {
    if tx.backend() == crate::db::Backend::Sqlite {
        let kib = if on { -65_536 } else { -4_096 };
        tx.execute(&format!("PRAGMA cache_size = {kib}"), args![])
            .await?;
    }
    Ok(())
}

/// Rows per INSERT statement.
const CHUNK: usize = 1000;

/// Rows per UNNEST statement on PostgreSQL: few statements, and five arrays of a few MB.
const UNNEST_ROWS: usize = 100_000;

/// The columns of a charge a run writes: first the eleven a chunk of lines shares, bound once
/// per statement, then the five that differ by line.
const CHARGE_INSERT: &str = "INSERT INTO charges (community_id, fee_item_id, standard_id, bill_run_id, kind, period, \
     period_from, period_to, due_date, created_by, created_at, settled_fen, unit_id, space_id, \
     description, basis, amount_fen) SELECT ";

/// What a chunk of a run's lines shares, in `CHARGE_INSERT`'s order.
fn shared_values(
    c: CommunityId,
    run: i64,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    l: &NewCharge,
) -> [Value; 11] {
    let shared = l.terms();
    [
        c.into(),
        shared.0.into(),
        shared.1.into(),
        run.into(),
        ChargeKind::Bill.code().into(),
        period.into(),
        shared.2.into(),
        shared.3.into(),
        shared.4.into(),
        actor.map(|u| u.0).into(),
        now.into(),
    ]
}

/// Writes a run's lines: on SQLite as multi-row INSERTs, on PostgreSQL as `INSERT … SELECT FROM
/// UNNEST` of one array per column that differs (a row then costs no parameter of its own and
/// no planning). What a run's lines share (community, item, standard, period, due date, who,
/// when) is bound once per statement. The caller has held the lines' units
/// (`charges::hold_community_units`).
pub async fn insert_charges(
    tx: &mut Tx,
    c: CommunityId,
    run: i64,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    lines: Vec<NewCharge>,
) -> CoreResult<()> {
    if tx.backend() == Backend::Postgres {
        return unnest_charges(tx, c, run, period, actor, now, lines).await;
    }
    for chunk in NewCharge::chunks_sharing_terms(lines, CHUNK) {
        let mut shared_args = Args::with_capacity(11);
        let mut head = String::with_capacity(400);
        head.push_str(CHARGE_INSERT);
        for v in shared_values(c, run, period, actor, now, &chunk[0]) {
            head.push_str(&shared_args.push(v));
            head.push_str(", ");
        }
        head.push_str("0, v.column1, v.column2, v.column3, v.column4, v.column5 FROM (");
        let mut rows = Bulk::after(shared_args, chunk.len(), 5);
        for l in chunk {
            rows.row([
                l.unit_id.into(),
                l.space_id.into(),
                l.description.into(),
                l.basis.into(),
                l.amount_fen.into(),
            ]);
        }
        let (sql, a) = rows.finish(&head, ") AS v");
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

async fn unnest_charges(
    tx: &mut Tx,
    c: CommunityId,
    run: i64,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    lines: Vec<NewCharge>,
) -> CoreResult<()> {
    let sql = format!(
        "{CHARGE_INSERT}$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, u.unit_id, u.space_id, \
         u.description, u.basis, u.amount_fen \
         FROM UNNEST($12::BIGINT[], $13::BIGINT[], $14::TEXT[], $15::TEXT[], $16::BIGINT[]) \
         AS u (unit_id, space_id, description, basis, amount_fen)"
    );
    for chunk in NewCharge::chunks_sharing_terms(lines, UNNEST_ROWS) {
        let mut a = Args(shared_values(c, run, period, actor, now, &chunk[0]).into());
        let n = chunk.len();
        let (mut units, mut spaces, mut descriptions, mut bases, mut amounts) = (
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
            Vec::with_capacity(n),
        );
        for l in chunk {
            units.push(Some(l.unit_id));
            spaces.push(l.space_id);
            descriptions.push(l.description);
            bases.push(l.basis);
            amounts.push(Some(l.amount_fen));
        }
        for col in [
            units.into(),
            spaces.into(),
            descriptions.into(),
            bases.into(),
            amounts.into(),
        ] {
            a.0.push(col);
        }
        tx.execute(&sql, a).await?;
    }
    Ok(())
}
