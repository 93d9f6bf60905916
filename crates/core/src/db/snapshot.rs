//! Read-only snapshot transactions that stream their rows, for a backup's manifest: its row
//! counts and money checksums must describe exactly the state the backup copied, and a money
//! table of ten million rows must not be held in memory to hash it.
//!
//! SQLite: a deferred transaction on the reader pool; in WAL mode its first read fixes the
//! snapshot and no writer waits for it. PostgreSQL: `REPEATABLE READ READ ONLY`, whose snapshot
//! can be exported so that `pg_dump --snapshot` dumps the very same state.

use futures_util::TryStreamExt;
use sqlx::AssertSqlSafe;

use super::{Db, Tx, to_sqlite_sql};
use crate::shared::error::CoreResult;

impl Db {
    /// A read-only transaction whose reads all see one state of the database.
    pub async fn begin_snapshot(&self) -> CoreResult<Tx> {
        match self {
            Db::Sqlite { reader, .. } => Ok(Tx::Sqlite(reader.begin().await?)),
            Db::Postgres { pool, follow } => {
                let mut tx = pool.begin().await?;
                sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(&mut *tx)
                    .await?;
                Ok(Tx::Postgres(tx, follow.clone()))
            }
        }
    }
}

impl Tx {
    /// Runs `sql` (no arguments; one text column) and hands each value to `f` as it arrives.
    /// Returns the number of rows.
    pub async fn for_each_text(&mut self, sql: &str, mut f: impl FnMut(&str)) -> CoreResult<u64> {
        let mut n = 0u64;
        match self {
            Tx::Sqlite(t) => {
                let sql = AssertSqlSafe(to_sqlite_sql(sql));
                let mut rows = sqlx::query_scalar::<_, String>(sql).fetch(&mut **t);
                while let Some(v) = rows.try_next().await? {
                    f(&v);
                    n += 1;
                }
            }
            Tx::Postgres(t, _) => {
                let sql = AssertSqlSafe(sql.to_string());
                let mut rows = sqlx::query_scalar::<_, String>(sql).fetch(&mut **t);
                while let Some(v) = rows.try_next().await? {
                    f(&v);
                    n += 1;
                }
            }
        }
        Ok(n)
    }
}
