//! The SQL of backups: the catalog (tables, columns, primary keys) of either engine, row counts,
//! money sums and the rows a money checksum hashes, and PostgreSQL's exported snapshot.
//!
//! Table and column names come from the catalog, never from a caller, and are quoted.

use crate::args;
use crate::db::{Backend, Tx};
use crate::shared::error::CoreResult;

/// The schema's tables, by name, without sqlx's migration ledger.
pub(super) async fn tables(tx: &mut Tx) -> CoreResult<Vec<String>> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
             AND name <> '_sqlx_migrations' ORDER BY name"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' \
             AND table_name <> '_sqlx_migrations' ORDER BY table_name"
        }
    };
    let rows: Vec<(String,)> = tx.fetch_all(sql, args![]).await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// A table's columns in order, each with its position in the primary key (0: not in it).
pub(super) async fn columns(tx: &mut Tx, table: &str) -> CoreResult<Vec<(String, i64)>> {
    let sql = match tx.backend() {
        Backend::Sqlite => {
            "SELECT name, CAST(pk AS INTEGER) FROM pragma_table_info($1) ORDER BY cid"
        }
        Backend::Postgres => {
            "SELECT CAST(c.column_name AS TEXT), CAST(COALESCE(k.ordinal_position, 0) AS BIGINT) \
             FROM information_schema.columns c \
             LEFT JOIN information_schema.table_constraints t ON t.table_schema = c.table_schema \
               AND t.table_name = c.table_name AND t.constraint_type = 'PRIMARY KEY' \
             LEFT JOIN information_schema.key_column_usage k ON k.constraint_schema = t.constraint_schema \
               AND k.constraint_name = t.constraint_name AND k.column_name = c.column_name \
             WHERE c.table_schema = current_schema() AND c.table_name = $1 \
             ORDER BY c.ordinal_position"
        }
    };
    tx.fetch_all(sql, args![table.to_string()]).await
}

fn quoted(name: &str) -> String {
    format!("\"{}\"", name.replace('"', "\"\""))
}

pub(super) async fn count(tx: &mut Tx, table: &str) -> CoreResult<i64> {
    let sql = format!("SELECT COUNT(*) FROM {}", quoted(table));
    let (n,): (i64,) = tx.fetch_one(&sql, args![]).await?;
    Ok(n)
}

/// The sum of an integer column, as text: PostgreSQL sums BIGINT into NUMERIC.
pub(super) async fn sum(tx: &mut Tx, table: &str, column: &str) -> CoreResult<String> {
    let sql = format!(
        "SELECT CAST(COALESCE(SUM({}), 0) AS TEXT) FROM {}",
        quoted(column),
        quoted(table)
    );
    let (s,): (String,) = tx.fetch_one(&sql, args![]).await?;
    Ok(s)
}

/// Streams each row's `columns` as one `|`-joined line, in `order`'s order.
pub(super) async fn each_line(
    tx: &mut Tx,
    table: &str,
    columns: &[String],
    order: &[String],
    f: impl FnMut(&str),
) -> CoreResult<u64> {
    let line = columns
        .iter()
        .map(|c| format!("COALESCE(CAST({} AS TEXT), '')", quoted(c)))
        .collect::<Vec<_>>()
        .join(" || '|' || ");
    let order = order
        .iter()
        .map(|c| quoted(c))
        .collect::<Vec<_>>()
        .join(", ");
    let sql = format!("SELECT {line} FROM {} ORDER BY {order}", quoted(table));
    tx.for_each_text(&sql, f).await
}

/// The newest migration applied.
pub(super) async fn migration(tx: &mut Tx) -> CoreResult<i64> {
    let (v,): (i64,) = tx
        .fetch_one(
            "SELECT CAST(COALESCE(MAX(version), 0) AS BIGINT) FROM _sqlx_migrations",
            args![],
        )
        .await?;
    Ok(v)
}

/// Exports the transaction's snapshot for `pg_dump --snapshot` (PostgreSQL).
pub(super) async fn export_snapshot(tx: &mut Tx) -> CoreResult<String> {
    let (s,): (String,) = tx.fetch_one("SELECT pg_export_snapshot()", args![]).await?;
    Ok(s)
}
