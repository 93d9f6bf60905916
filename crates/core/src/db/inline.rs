//! Reads that run on the calling thread (SQLite only), for short queries on hot paths.
//!
//! sqlx drives each SQLite connection from a worker thread of its own: a query is a message to
//! that thread, every row a message back, and each message may wake a sleeping thread. For a
//! page of 20 requests with their clocks that hand-off cost more than SQLite's work. Here a
//! small pool of read-only rusqlite connections to the same file (the same SQLite library,
//! shared with sqlx) runs the query where it is asked, with cached prepared statements, and
//! decodes the rows straight into the caller's type ([`FromInline`]).
//!
//! Only for queries that take well under a millisecond: the calling thread is a runtime worker
//! and serves nothing else meanwhile. PostgreSQL, and an in-memory SQLite database (which other
//! connections cannot open), take the usual sqlx path.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{OpenFlags, Row, ToSql};

use super::{Args, Value};
use crate::shared::error::{CoreError, CoreResult};

/// Idle connections kept; more may be open at once, the extra ones are closed after use.
const KEEP_IDLE: usize = 8;

/// A type read from a row of an inline query.
pub trait FromInline: Sized {
    fn from_inline(row: &Row<'_>) -> rusqlite::Result<Self>;
}

/// Read-only connections to one SQLite file.
pub struct InlinePool {
    path: PathBuf,
    idle: Mutex<Vec<rusqlite::Connection>>,
}

impl std::fmt::Debug for InlinePool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlinePool")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

fn sqlite_err(e: rusqlite::Error) -> CoreError {
    CoreError::internal(format!("sqlite: {e}"))
}

/// Opens a connection of ours to the file (no SQLite mutex: one thread uses it at a time).
pub(super) fn connect(
    path: &Path,
    flags: OpenFlags,
    busy: Duration,
    pragmas: &str,
    statements: usize,
) -> CoreResult<rusqlite::Connection> {
    let c = rusqlite::Connection::open_with_flags(path, flags | OpenFlags::SQLITE_OPEN_NO_MUTEX)
        .map_err(sqlite_err)?;
    c.busy_timeout(busy).map_err(sqlite_err)?;
    c.execute_batch(pragmas).map_err(sqlite_err)?;
    c.set_prepared_statement_cache_capacity(statements);
    Ok(c)
}

impl InlinePool {
    /// `None` for a database only one connection can see (in memory).
    pub fn for_file(path: &Path) -> Option<InlinePool> {
        let p = path.to_string_lossy();
        if p.is_empty() || p.contains(":memory:") || p.contains("mode=memory") {
            return None;
        }
        Some(InlinePool {
            path: path.to_path_buf(),
            idle: Mutex::new(Vec::new()),
        })
    }

    fn open(&self) -> CoreResult<rusqlite::Connection> {
        connect(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_ONLY,
            Duration::from_secs(5),
            "PRAGMA cache_size = -4096; PRAGMA temp_store = memory;",
            64,
        )
    }

    /// Closes the idle connections (`Db::close`).
    pub fn close(&self) {
        super::lock(&self.idle).clear();
    }

    /// Runs `f` on an idle connection (or a new one), on this thread.
    pub fn run<T>(&self, f: impl FnOnce(&Inline<'_>) -> CoreResult<T>) -> CoreResult<T> {
        let taken = super::lock(&self.idle).pop();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        let out = f(&Inline(&conn));
        let mut idle = super::lock(&self.idle);
        if idle.len() < KEEP_IDLE {
            idle.push(conn);
        }
        out
    }
}

/// A connection lent to [`InlinePool::run`].
pub struct Inline<'a>(&'a rusqlite::Connection);

impl Inline<'_> {
    /// All rows of a query (`$n` placeholders, as everywhere).
    pub fn fetch_all<T: FromInline>(&self, sql: &str, args: &Args) -> CoreResult<Vec<T>> {
        let mut st = self
            .0
            .prepare_cached(&super::to_sqlite_sql(sql))
            .map_err(sqlite_err)?;
        let mut rows = st
            .query(rusqlite::params_from_iter(args.0.iter()))
            .map_err(sqlite_err)?;
        let mut out = Vec::new();
        while let Some(r) = rows.next().map_err(sqlite_err)? {
            out.push(T::from_inline(r).map_err(sqlite_err)?);
        }
        Ok(out)
    }
}

/// The SQLite file's second write connection, for group commits (`db::group`): a batch is
/// written on the calling thread in one go instead of a message to sqlx's writer thread per
/// statement. It is used only while the sqlx writer connection is held (`Db::write_inline`),
/// so the two never hold SQLite's write lock at once.
pub struct InlineWriter {
    path: PathBuf,
    conn: Mutex<Option<rusqlite::Connection>>,
}

impl std::fmt::Debug for InlineWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InlineWriter")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl InlineWriter {
    pub fn new(path: &Path) -> Self {
        Self {
            path: path.to_path_buf(),
            conn: Mutex::new(None),
        }
    }

    fn open(&self) -> CoreResult<rusqlite::Connection> {
        // As the sqlx writer is configured (`Db::open_sqlite`); batches of different sizes are
        // different statements, hence the large statement cache.
        connect(
            &self.path,
            OpenFlags::SQLITE_OPEN_READ_WRITE,
            Duration::from_secs(10),
            &format!(
                "PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; PRAGMA cache_size = -16384; \
                 PRAGMA temp_store = memory; PRAGMA wal_autocheckpoint = {}; \
                 PRAGMA journal_size_limit = 67108864;",
                super::checkpoint::BACKSTOP_PAGES
            ),
            512,
        )
    }

    /// Closes the connection if idle (`Db::close`).
    pub fn close(&self) {
        super::lock(&self.conn).take();
    }

    /// Opens a write transaction (`BEGIN IMMEDIATE`) if the file's write lock is free now;
    /// `None` when another process (another node on the same file) holds it. The caller holds
    /// the sqlx writer, and waits between tries without blocking its thread: SQLite's busy
    /// handler would sleep on the async runtime's thread, where the lock's holder — in one
    /// process with two handles on the file, as the two-node tests run — may need to go on.
    pub(super) fn try_begin(self: &std::sync::Arc<Self>) -> CoreResult<Option<InlineTx>> {
        let taken = super::lock(&self.conn).take();
        let conn = match taken {
            Some(c) => c,
            None => self.open()?,
        };
        conn.busy_timeout(Duration::ZERO).map_err(sqlite_err)?;
        let begun = conn.execute_batch("BEGIN IMMEDIATE");
        conn.busy_timeout(Duration::from_secs(10))
            .map_err(sqlite_err)?;
        match begun {
            Ok(()) => Ok(Some(InlineTx {
                conn: Some(conn),
                home: std::sync::Arc::clone(self),
                open: true,
            })),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy =>
            {
                *super::lock(&self.conn) = Some(conn);
                Ok(None)
            }
            Err(e) => Err(sqlite_err(e)),
        }
    }
}

/// A write transaction of the [`InlineWriter`]; dropped without `commit`, it rolls back.
pub struct InlineTx {
    conn: Option<rusqlite::Connection>,
    home: std::sync::Arc<InlineWriter>,
    open: bool,
}

impl InlineTx {
    fn conn(&self) -> CoreResult<&rusqlite::Connection> {
        self.conn
            .as_ref()
            .ok_or_else(|| CoreError::internal("inline transaction used after its end"))
    }

    pub fn execute(&mut self, sql: &str, args: &Args) -> CoreResult<u64> {
        let conn = self.conn()?;
        let mut st = conn
            .prepare_cached(&super::to_sqlite_sql(sql))
            .map_err(sqlite_err)?;
        let n = st
            .execute(rusqlite::params_from_iter(args.0.iter()))
            .map_err(sqlite_err)?;
        Ok(n as u64)
    }

    pub fn fetch_all<T: FromInline>(&mut self, sql: &str, args: &Args) -> CoreResult<Vec<T>> {
        Inline(self.conn()?).fetch_all(sql, args)
    }

    pub fn commit(mut self) -> CoreResult<()> {
        self.conn()?.execute_batch("COMMIT").map_err(sqlite_err)?;
        self.open = false;
        Ok(())
    }

    /// Commits a bulk write (tens of megabytes of WAL) without the backstop checkpoint its
    /// commit would otherwise run: copying the whole WAL back and syncing it inside the commit
    /// tripled the commit of a day's patrol rounds. The checkpoint thread copies it within
    /// its period, beside the readers (`checkpoint`).
    pub fn commit_bulk(mut self) -> CoreResult<()> {
        let conn = self.conn()?;
        conn.execute_batch("PRAGMA wal_autocheckpoint = 0")
            .map_err(sqlite_err)?;
        let committed = conn.execute_batch("COMMIT");
        // Set back whatever came of the commit: the connection is reused.
        let restored = conn.execute_batch(&format!(
            "PRAGMA wal_autocheckpoint = {}",
            super::checkpoint::BACKSTOP_PAGES
        ));
        committed.map_err(sqlite_err)?;
        self.open = false;
        if restored.is_err() {
            // Committed all the same; a connection left without its backstop is not reused.
            self.conn.take();
        }
        Ok(())
    }
}

impl Drop for InlineTx {
    fn drop(&mut self) {
        if let Some(conn) = self.conn.take() {
            if self.open && conn.execute_batch("ROLLBACK").is_err() {
                // A connection in an unknown state is not reused.
                return;
            }
            *super::lock(&self.home.conn) = Some(conn);
        }
    }
}

/// Bound exactly as sqlx binds the same value, so a text column compares the same either way.
impl ToSql for Value {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        use rusqlite::types::Value as V;
        Ok(match self {
            Value::I64(Some(x)) => ToSqlOutput::Owned(V::Integer(*x)),
            Value::Str(Some(s)) => ToSqlOutput::Borrowed(ValueRef::Text(s.as_bytes())),
            Value::Bool(Some(b)) => ToSqlOutput::Owned(V::Integer(i64::from(*b))),
            Value::Time(Some(t)) => {
                ToSqlOutput::Owned(V::Text(t.to_rfc3339_opts(SecondsFormat::AutoSi, false)))
            }
            Value::Date(Some(d)) => ToSqlOutput::Owned(V::Text(d.format("%F").to_string())),
            Value::Bytes(Some(b)) => ToSqlOutput::Borrowed(ValueRef::Blob(b)),
            Value::Array(_) => {
                return Err(rusqlite::Error::ToSqlConversionFailure(
                    "an array is bound on PostgreSQL only".into(),
                ));
            }
            Value::I64(None)
            | Value::Str(None)
            | Value::Bool(None)
            | Value::Time(None)
            | Value::Date(None)
            | Value::Bytes(None) => ToSqlOutput::Owned(V::Null),
        })
    }
}

/// A row's columns read in order, by index (a lookup by name compares every column's name, and
/// it was a third of a page's cost). Debug builds, the tests among them, check each column's
/// name against the one the caller expects, so a reordered SELECT fails loudly.
pub struct Cols<'r, 's> {
    row: &'r Row<'s>,
    i: usize,
}

impl<'r, 's> Cols<'r, 's> {
    pub fn new(row: &'r Row<'s>) -> Self {
        Self { row, i: 0 }
    }

    fn index(&mut self, name: &str) -> usize {
        debug_assert_eq!(
            self.row.as_ref().column_name(self.i).ok(),
            Some(name),
            "column {} of the query",
            self.i
        );
        self.i += 1;
        self.i - 1
    }

    pub fn get<T: rusqlite::types::FromSql>(&mut self, name: &str) -> rusqlite::Result<T> {
        let i = self.index(name);
        self.row.get(i)
    }

    /// A 0/1 column as a bool.
    pub fn flag(&mut self, name: &str) -> rusqlite::Result<bool> {
        self.get::<i64>(name).map(|v| v != 0)
    }

    /// A timestamp as sqlx writes it (RFC 3339) or as SQLite's own functions do.
    pub fn time(&mut self, name: &str) -> rusqlite::Result<DateTime<Utc>> {
        let i = self.i;
        self.opt_time(name)?
            .ok_or(rusqlite::Error::InvalidColumnType(
                i,
                name.to_string(),
                rusqlite::types::Type::Null,
            ))
    }

    pub fn opt_time(&mut self, name: &str) -> rusqlite::Result<Option<DateTime<Utc>>> {
        let i = self.index(name);
        let Some(s) = self.row.get::<_, Option<String>>(i)? else {
            return Ok(None);
        };
        parse_time(&s)
            .map(Some)
            .ok_or(rusqlite::Error::InvalidColumnType(
                i,
                name.to_string(),
                rusqlite::types::Type::Text,
            ))
    }
}

fn parse_time(s: &str) -> Option<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%F %T%.f")
        .ok()
        .map(|n| n.and_utc())
}

macro_rules! tuple_from_inline {
    ($($t:ident $i:tt),+) => {
        impl<$($t: rusqlite::types::FromSql),+> FromInline for ($($t,)+) {
            fn from_inline(row: &Row<'_>) -> rusqlite::Result<Self> {
                Ok(($(row.get::<_, $t>($i)?,)+))
            }
        }
    };
}
tuple_from_inline!(A 0);
tuple_from_inline!(A 0, B 1);
tuple_from_inline!(A 0, B 1, C 2);
tuple_from_inline!(A 0, B 1, C 2, D 3);

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn values_bind_as_sqlx_binds_them_and_times_read_back() {
        let c = rusqlite::Connection::open_in_memory().expect("memory db");
        let t = Utc
            .with_ymd_and_hms(2026, 12, 2, 3, 4, 5)
            .single()
            .expect("time")
            + chrono::Duration::microseconds(123_456);
        let args = crate::args![t, true, Option::<i64>::None, "文本"];
        let (text, b, n, s): (String, i64, Option<i64>, String) = c
            .query_row(
                "SELECT ?1, ?2, ?3, ?4",
                rusqlite::params_from_iter(args.0.iter()),
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .expect("row");
        assert_eq!(text, "2026-12-02T03:04:05.123456+00:00");
        assert_eq!((b, n, s.as_str()), (1, None, "文本"));
        let back: DateTime<Utc> = c
            .query_row("SELECT ?1 AS at", [&text], |r| Cols::new(r).time("at"))
            .expect("time");
        assert_eq!(back, t);
        let plain: DateTime<Utc> = c
            .query_row("SELECT '2026-12-02 03:04:05' AS at", [], |r| {
                Cols::new(r).time("at")
            })
            .expect("time");
        assert_eq!(
            plain,
            Utc.with_ymd_and_hms(2026, 12, 2, 3, 4, 5)
                .single()
                .expect("t")
        );
    }
}
