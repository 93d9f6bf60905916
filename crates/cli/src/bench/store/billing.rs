//! The billing benchmark's housekeeping and its PostgreSQL baseline: the same rows a bill run
//! writes, in PostgreSQL's fastest plain INSERT (`INSERT … SELECT FROM UNNEST` of one array per
//! column), which the run is held to within 1.5×.

use chrono::{DateTime, Utc};
use wuye_core::billing::{ChargeKind, NewCharge};
use wuye_core::db::{Backend, Db};
use wuye_core::shared::ids::CommunityId;
use wuye_core::{Core, args};

use super::super::AnyResult;
use super::count;

/// Empties a community's charges (the baseline re-inserts the same rows).
pub(crate) async fn delete_charges(core: &Core, c: CommunityId) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute("DELETE FROM charges WHERE community_id = $1", args![c])
        .await?;
    tx.commit().await?;
    Ok(())
}

/// PostgreSQL: frees the deleted rows' space and index entries for reuse, so the baseline
/// writes into a table as clean as the run found (SQLite reuses freed pages by itself).
pub(crate) async fn vacuum_charges(core: &Core) -> AnyResult<()> {
    if let Db::Postgres { pool, .. } = &core.db {
        sqlx::query("VACUUM charges").execute(pool).await?;
    }
    Ok(())
}

pub(crate) async fn count_charges(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM charges", args![]).await
}

/// Rows per UNNEST statement: big enough that the statement count does not matter, small enough
/// that five arrays of it stay a few MB.
const UNNEST_ROWS: usize = 100_000;

/// The PostgreSQL baseline: `lines` (as a run of `period` computes them) inserted in one
/// transaction by `INSERT … SELECT … FROM UNNEST($…::bigint[], …)`, what a run shares bound once
/// per statement, as the run's own INSERTs do. Returns the rows written.
pub(crate) async fn unnest_charges(
    core: &Core,
    c: CommunityId,
    period: &str,
    now: DateTime<Utc>,
    lines: Vec<NewCharge>,
) -> AnyResult<usize> {
    let Db::Postgres { pool, .. } = &core.db else {
        return Err("the UNNEST baseline is PostgreSQL's".into());
    };
    debug_assert_eq!(core.db.backend(), Backend::Postgres);
    let n = lines.len();
    let mut tx = pool.begin().await?;
    for chunk in NewCharge::chunks_sharing_terms(lines, UNNEST_ROWS) {
        let shared = chunk[0].terms();
        let mut units = Vec::with_capacity(chunk.len());
        let mut spaces = Vec::with_capacity(chunk.len());
        let mut descriptions = Vec::with_capacity(chunk.len());
        let mut bases = Vec::with_capacity(chunk.len());
        let mut amounts = Vec::with_capacity(chunk.len());
        for l in chunk {
            units.push(l.unit_id);
            spaces.push(l.space_id);
            descriptions.push(l.description);
            bases.push(l.basis);
            amounts.push(l.amount_fen);
        }
        sqlx::query(
            "INSERT INTO charges (community_id, fee_item_id, standard_id, bill_run_id, kind, period, \
             period_from, period_to, due_date, created_by, created_at, settled_fen, unit_id, space_id, \
             description, basis, amount_fen) \
             SELECT $1, $2, $3, 0, $4, $5, $6, $7, $8, NULL, $9, 0, u.unit_id, u.space_id, \
             u.description, u.basis, u.amount_fen \
             FROM UNNEST($10::BIGINT[], $11::BIGINT[], $12::TEXT[], $13::TEXT[], $14::BIGINT[]) \
             AS u (unit_id, space_id, description, basis, amount_fen)",
        )
        .bind(c.0)
        .bind(shared.0)
        .bind(shared.1)
        .bind(ChargeKind::Bill.code())
        .bind(period)
        .bind(shared.2)
        .bind(shared.3)
        .bind(shared.4)
        .bind(now)
        .bind(units)
        .bind(spaces)
        .bind(descriptions)
        .bind(bases)
        .bind(amounts)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(n)
}
