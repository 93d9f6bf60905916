//! Database access for both backends.
//!
//! `Db` is an enum over a SQLite and a PostgreSQL pool. Every SQL text in the code base is written
//! once, with PostgreSQL's numbered placeholders (`$1`, `$2`, …); for SQLite they are rewritten to
//! `?1`, `?2`, … here, in one place. Arguments travel as [`Value`]s so that a NULL keeps its SQL
//! type (PostgreSQL rejects an untyped NULL bound to a text column as `int8`).
//!
//! SQLite gets one writer connection and several readers: SQLite serialises writers anyway, and a
//! single in-process writer that opens its transactions with `BEGIN IMMEDIATE` never sees
//! `SQLITE_BUSY_SNAPSHOT`, which a deferred transaction upgrading from read to write can.
//!
//! `LIMIT` is written as a literal (a clamped integer), never bound: SQLite (3.51) compiles a
//! bound LIMIT into the plan and marks the statement expired whenever that parameter is bound
//! again, so a cached statement with `LIMIT $n` was parsed and planned anew on every run.

pub mod bulk;
mod checkpoint;
pub mod follow;
pub mod group;
pub mod inline;
mod optimize;
pub mod pg_hosts;
pub mod plans;
pub mod row;
mod snapshot;
mod value;

pub use bulk::Bulk;
pub use inline::{FromInline, InlineTx};
pub use value::{Args, Array, Value, in_list};

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, PgPool, Postgres, Sqlite, SqlitePool, Transaction};

use crate::shared::error::{CoreError, CoreResult};

/// Takes a lock of this module's in-process state (queues, idle connections), which a panic
/// while holding it cannot leave half-changed (a push, a pop, a take).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A row type that decodes from both backends.
pub trait FromBothRows:
    for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}
impl<T> FromBothRows for T where
    T: for<'r> sqlx::FromRow<'r, SqliteRow> + for<'r> sqlx::FromRow<'r, PgRow> + Send + Unpin
{
}

/// The connection pools.
#[derive(Clone, Debug)]
pub enum Db {
    Sqlite {
        reader: SqlitePool,
        writer: SqlitePool,
        /// Read-only connections used on the calling thread (`inline`); none in memory.
        inline: Option<std::sync::Arc<inline::InlinePool>>,
        /// The thread checkpointing the WAL (`checkpoint`); none in memory.
        checkpointer: Option<std::sync::Arc<checkpoint::Checkpointer>>,
        /// The second write connection, for group commits (`Db::begin_inline`).
        inline_writer: Option<std::sync::Arc<inline::InlineWriter>>,
    },
    /// `follow` is set for a multi-host URL: it finds the primary again after a failover.
    Postgres {
        pool: PgPool,
        follow: Option<Arc<follow::Follow>>,
    },
}

/// An open transaction on either backend. Dropping it without `commit` rolls back.
pub enum Tx {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>, Option<Arc<follow::Follow>>),
}

/// Refuses a query at once while the follower (if any) knows no primary.
fn ready(follow: Option<&follow::Follow>) -> CoreResult<()> {
    follow.map_or(Ok(()), follow::Follow::ready)
}

/// Tells the follower (if any) about an error, so a lost primary is looked for again.
fn watch<T>(follow: Option<&follow::Follow>, r: CoreResult<T>) -> CoreResult<T> {
    if let (Some(f), Err(e)) = (follow, &r) {
        f.observe(e);
    }
    r
}

/// PostgreSQL connections per process when `WUYE_DATABASE_POOL` is not set: twice this
/// machine's cores, from 4 to 16 (the usual sizing for a server on the same machine). A pool
/// larger than the cores can run adds server processes that take turns on them: on 2 cores,
/// 4 connections served the desk's list 10–15 % faster than 16, and registrations as well.
pub fn default_pool_size() -> u32 {
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get() as u32);
    (2 * cores).clamp(4, 16)
}

/// Options for opening a database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// PostgreSQL pool size.
    pub max_connections: u32,
    /// SQLite reader pool size.
    pub sqlite_readers: u32,
    /// PostgreSQL `search_path`, used by tests to give each test its own schema.
    pub pg_schema: Option<String>,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: default_pool_size(),
            sqlite_readers: 4,
            pg_schema: None,
        }
    }
}

/// Rewrites `$n` placeholders for SQLite. When they appear exactly as `$1, $2, …, $n` in order
/// (the common case, and every bulk insert), they become plain `?`: SQLite resolves a numbered
/// `?NNN` by a linear search of the statement's parameter names on each bind, which makes a
/// statement with thousands of parameters bind in quadratic time. Otherwise (a number repeated
/// or out of order) they become `?n`.
pub fn to_sqlite_sql(sql: &str) -> String {
    let bytes = sql.as_bytes();
    let mut numbers = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'$' && bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            let start = i + 1;
            let mut j = start;
            while j < bytes.len() && bytes[j].is_ascii_digit() {
                j += 1;
            }
            numbers.push(sql[start..j].parse::<usize>().unwrap_or(0));
            i = j;
        } else {
            i += 1;
        }
    }
    let sequential = numbers.iter().enumerate().all(|(k, n)| *n == k + 1);
    let mut out = String::with_capacity(sql.len());
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '$' && chars.peek().is_some_and(|n| n.is_ascii_digit()) {
            out.push('?');
            if sequential {
                while chars.peek().is_some_and(|n| n.is_ascii_digit()) {
                    chars.next();
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for v in $args.0 {
            q = match v {
                Value::I64(x) => q.bind(x),
                Value::Str(x) => q.bind(x),
                Value::Bool(x) => q.bind(x),
                Value::Time(x) => q.bind(x),
                Value::Date(x) => q.bind(x),
                Value::Bytes(x) => q.bind(x),
                Value::Array(x) => q.bind(x),
            };
        }
        q
    }};
}

/// Runs `$body` with `$conn` bound to the SQLite or the PostgreSQL executor and `$sql` to the
/// backend's SQL text.
macro_rules! dispatch {
    ($self:expr, $sql:expr, |$conn:ident, $s:ident| $body:expr) => {
        match $self {
            Executor::SqlitePool($conn) => {
                let $s = AssertSqlSafe(to_sqlite_sql($sql));
                $body
            }
            Executor::PgPool($conn) => {
                let $s = AssertSqlSafe($sql.to_string());
                $body
            }
            Executor::PgConn($conn) => {
                let $s = AssertSqlSafe($sql.to_string());
                let $conn = &mut **$conn;
                $body
            }
            Executor::SqliteTx($conn) => {
                let $s = AssertSqlSafe(to_sqlite_sql($sql));
                let $conn = &mut **$conn;
                $body
            }
            Executor::PgTx($conn) => {
                let $s = AssertSqlSafe($sql.to_string());
                let $conn = &mut **$conn;
                $body
            }
        }
    };
}

enum Executor<'a> {
    SqlitePool(&'a SqlitePool),
    PgPool(&'a PgPool),
    PgConn(&'a mut sqlx::pool::PoolConnection<Postgres>),
    SqliteTx(&'a mut Transaction<'static, Sqlite>),
    PgTx(&'a mut Transaction<'static, Postgres>),
}

impl Executor<'_> {
    async fn fetch_all<T: FromBothRows>(self, sql: &str, args: Args) -> CoreResult<Vec<T>> {
        dispatch!(self, sql, |c, s| Ok(bind_all!(
            sqlx::query_as::<_, T>(s),
            args
        )
        .fetch_all(c)
        .await?))
    }
    async fn fetch_optional<T: FromBothRows>(self, sql: &str, args: Args) -> CoreResult<Option<T>> {
        dispatch!(self, sql, |c, s| Ok(bind_all!(
            sqlx::query_as::<_, T>(s),
            args
        )
        .fetch_optional(c)
        .await?))
    }
    async fn execute(self, sql: &str, args: Args) -> CoreResult<u64> {
        dispatch!(self, sql, |c, s| Ok(bind_all!(sqlx::query(s), args)
            .execute(c)
            .await?
            .rows_affected()))
    }
}

/// The query methods shared by [`Db`] (auto-commit, reads) and [`Tx`] (inside a transaction).
macro_rules! query_methods {
    () => {
        /// All rows of a query.
        pub async fn fetch_all<T: FromBothRows>(
            &mut self,
            sql: &str,
            args: Args,
        ) -> CoreResult<Vec<T>> {
            let (e, f) = self.exec().await?;
            ready(f)?;
            watch(f, e.fetch_all(sql, args).await)
        }
        /// At most one row.
        pub async fn fetch_optional<T: FromBothRows>(
            &mut self,
            sql: &str,
            args: Args,
        ) -> CoreResult<Option<T>> {
            let (e, f) = self.exec().await?;
            ready(f)?;
            watch(f, e.fetch_optional(sql, args).await)
        }
        /// Exactly one row; none is `CoreError::NotFound` for `entity`.
        pub async fn fetch_one<T: FromBothRows>(&mut self, sql: &str, args: Args) -> CoreResult<T> {
            let (e, f) = self.exec().await?;
            ready(f)?;
            watch(f, e.fetch_optional(sql, args).await)?.ok_or(CoreError::NotFound("row"))
        }
        /// A statement; returns the number of rows affected.
        pub async fn execute(&mut self, sql: &str, args: Args) -> CoreResult<u64> {
            let (e, f) = self.exec().await?;
            ready(f)?;
            watch(f, e.execute(sql, args).await)
        }
        /// An `INSERT … RETURNING id`.
        pub async fn insert_id(&mut self, sql: &str, args: Args) -> CoreResult<i64> {
            let (id,): (i64,) = self.fetch_one(sql, args).await?;
            Ok(id)
        }
    };
}

/// How long a pooled PostgreSQL connection may sit idle before it is pinged when taken.
const PING_IDLE: Duration = Duration::from_secs(5);

impl Db {
    /// Opens a database from a URL: `postgres://…` for PostgreSQL, `sqlite://path` or a plain
    /// file path for SQLite (created when missing). A PostgreSQL URL may list several hosts
    /// with `target_session_attrs` (see [`pg_hosts`] and [`follow`]).
    pub async fn connect(url: &str, opts: &DbOptions) -> CoreResult<Db> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let with_schema = |co: PgConnectOptions| match &opts.pg_schema {
                Some(schema) => co.options([("search_path", schema.as_str())]),
                None => co,
            };
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .min_connections(0)
                // sqlx pings a connection on every acquire by default: a round trip per query
                // on a busy server. A connection in use within the last seconds is known to
                // work; one idle longer is pinged first, so one to a server that went away is
                // replaced before a query fails on it (a busy one fails its query instead, and
                // `follow` answers 503).
                .test_before_acquire(false)
                .before_acquire(|conn, meta| {
                    Box::pin(async move {
                        if meta.idle_for > PING_IDLE {
                            sqlx::Connection::ping(conn).await?;
                        }
                        Ok(true)
                    })
                })
                .acquire_timeout(Duration::from_secs(10));
            let mut hosts = match pg_hosts::PgHosts::parse_if_needed(url)? {
                Some(h) => h,
                None => {
                    // One host, any server: sqlx's own reading of the URL, as always.
                    let pool = pool
                        .connect_with(with_schema(PgConnectOptions::from_str(url)?))
                        .await?;
                    optimize::spawn_on_postgres(&pool);
                    return Ok(Db::Postgres { pool, follow: None });
                }
            };
            for h in &mut hosts.hosts {
                h.options = with_schema(h.options.clone());
            }
            let (pool, follow) = follow::Follow::connect(hosts, pool).await?;
            optimize::spawn_on_postgres(&pool);
            Ok(Db::Postgres {
                pool,
                follow: Some(follow),
            })
        } else {
            let path = url.strip_prefix("sqlite://").unwrap_or(url);
            Self::open_sqlite(Path::new(path), opts).await
        }
    }

    async fn open_sqlite(path: &Path, opts: &DbOptions) -> CoreResult<Db> {
        let base = SqliteConnectOptions::new()
            .filename(path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(10))
            .pragma("cache_size", "-4096")
            .pragma("temp_store", "memory");
        let inline = inline::InlinePool::for_file(path).map(std::sync::Arc::new);
        // A file database gets its checkpoints from a thread of its own (`checkpoint`); the
        // writer's own is a backstop. The WAL is cut back to 64 MiB after a checkpoint.
        let wbase = if inline.is_some() {
            base.clone()
                .pragma("wal_autocheckpoint", checkpoint::BACKSTOP_PAGES.to_string())
                .pragma("journal_size_limit", "67108864")
        } else {
            base.clone()
        };
        // No ping before handing out a connection (sqlx's default): a connection to a local
        // file cannot be lost the way a network one can, and the ping is one more round trip
        // to the connection's worker thread for every query.
        let writer = SqlitePoolOptions::new()
            .max_connections(1)
            .min_connections(1)
            .test_before_acquire(false)
            .connect_with(wbase)
            .await?;
        // Before the readers open, so that they plan with the statistics it leaves.
        optimize::on_writer(&writer, "open").await;
        let checkpointer = match &inline {
            Some(p) => checkpoint::Checkpointer::start(path, Some(p.clone())),
            None => None,
        };
        let reader = SqlitePoolOptions::new()
            .max_connections(opts.sqlite_readers.max(1))
            .min_connections(0)
            .test_before_acquire(false)
            .connect_with(base.read_only(true))
            .await?;
        let inline_writer = inline
            .as_ref()
            .map(|_| std::sync::Arc::new(inline::InlineWriter::new(path)));
        Ok(Db::Sqlite {
            reader,
            writer,
            inline,
            checkpointer,
            inline_writer,
        })
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite { .. } => Backend::Sqlite,
            Db::Postgres { .. } => Backend::Postgres,
        }
    }

    /// Applies pending migrations of this backend's tree.
    pub async fn migrate(&self) -> CoreResult<()> {
        match self {
            Db::Sqlite { writer, .. } => sqlx::migrate!("./migrations/sqlite").run(writer).await?,
            Db::Postgres { pool, .. } => sqlx::migrate!("./migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    /// Starts a write transaction.
    pub async fn begin(&self) -> CoreResult<Tx> {
        Ok(match self {
            Db::Sqlite { writer, .. } => Tx::Sqlite(writer.begin_with("BEGIN IMMEDIATE").await?),
            Db::Postgres { pool, follow } => {
                ready(follow.as_deref())?;
                let tx = watch(
                    follow.as_deref(),
                    pool.begin().await.map_err(CoreError::from),
                )?;
                Tx::Postgres(tx, follow.clone())
            }
        })
    }

    /// All rows of a short read, run on the calling thread on SQLite (see [`inline`]), on the
    /// pool on PostgreSQL. For hot paths whose query takes well under a millisecond.
    pub async fn fetch_all_inline<T: FromBothRows + FromInline>(
        &self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        self.read().fetch_all_inline(sql, args).await
    }

    /// A write transaction run on the calling thread (SQLite file databases, see
    /// [`inline::InlineWriter`]), or `None`: use [`Db::begin`]. The returned guard holds the
    /// sqlx writer connection, so no other write runs meanwhile; keep it until the commit.
    pub async fn begin_inline(&self) -> CoreResult<Option<(WriterSlot, InlineTx)>> {
        match self {
            Db::Sqlite {
                writer,
                inline_writer: Some(w),
                ..
            } => {
                let slot = WriterSlot(writer.acquire().await?);
                // As long as the writer's busy timeout, in short sleeps that leave the thread.
                let deadline = std::time::Instant::now() + Duration::from_secs(10);
                loop {
                    if let Some(tx) = w.try_begin()? {
                        return Ok(Some((slot, tx)));
                    }
                    if std::time::Instant::now() >= deadline {
                        return Err(CoreError::internal("sqlite: database is locked"));
                    }
                    tokio::time::sleep(Duration::from_millis(2)).await;
                }
            }
            _ => Ok(None),
        }
    }

    /// A read handle: queries run on the reader pool, auto-committed.
    pub fn read(&self) -> Reader<'_> {
        Reader {
            db: self,
            pinned: false,
            pg: None,
        }
    }

    /// A reader that runs all its queries on one PostgreSQL connection, taken at the first and
    /// given back when the reader is dropped (on SQLite, the same as [`Db::read`]). For hot
    /// paths that read several times. Never keep one across [`Db::begin`] or a wait for a group
    /// commit: a request holding a reader's connection while it waits for another could, with
    /// enough of them, leave the pool empty.
    pub fn read_pinned(&self) -> Reader<'_> {
        Reader {
            db: self,
            pinned: true,
            pg: None,
        }
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite {
                reader,
                writer,
                checkpointer,
                inline,
                inline_writer,
            } => {
                if let Some(c) = checkpointer {
                    c.stop();
                }
                optimize::on_writer(writer, "close").await;
                if let Some(p) = inline {
                    p.close();
                }
                if let Some(w) = inline_writer {
                    w.close();
                }
                reader.close().await;
                writer.close().await;
            }
            Db::Postgres { pool, .. } => pool.close().await,
        }
    }

    /// Refreshes the planner statistics where they may have gone stale (`optimize`), e.g.
    /// after a bill run or an import wrote many rows: SQLite's `PRAGMA optimize`, PostgreSQL's
    /// ANALYZE of the tables autovacuum would analyze on its next round.
    pub async fn optimize(&self) {
        match self {
            Db::Sqlite { writer, .. } => optimize::on_writer(writer, "after a large write").await,
            Db::Postgres { pool, .. } => optimize::on_postgres(pool, "after a large write").await,
        }
    }

    /// Runs `VACUUM INTO` (SQLite only) on a reader connection: a consistent, compacted copy
    /// of one snapshot, taken while the server keeps serving (in WAL mode no writer waits).
    pub async fn backup_sqlite(&self, dest: &Path) -> CoreResult<()> {
        match self {
            Db::Sqlite { reader, .. } => {
                let dest = dest.to_string_lossy().to_string();
                sqlx::query("VACUUM INTO ?1")
                    .bind(dest)
                    .execute(reader)
                    .await?;
                Ok(())
            }
            Db::Postgres { .. } => Err(CoreError::Invalid(vec![
                crate::shared::error::FieldError::new(
                    "database_url",
                    crate::shared::error::CommonCode::BackupPostgresUnsupported,
                ),
            ])),
        }
    }

    /// The SQLite pools, for bulk paths that need backend-specific SQL.
    pub fn sqlite_writer(&self) -> Option<&SqlitePool> {
        match self {
            Db::Sqlite { writer, .. } => Some(writer),
            Db::Postgres { .. } => None,
        }
    }
}

/// Auto-committed reads (SQLite: the reader pool).
pub struct Reader<'a> {
    db: &'a Db,
    /// Keeps the connection of its first query (PostgreSQL, see [`Db::read_pinned`]).
    pinned: bool,
    /// The PostgreSQL connection taken at the first query of a pinned reader.
    pg: Option<sqlx::pool::PoolConnection<Postgres>>,
}

impl Reader<'_> {
    /// A pinned reader ([`Db::read_pinned`]) on PostgreSQL takes one pooled connection at its
    /// first query and keeps it for the next ones: sqlx pings a connection each time it goes
    /// back to the pool, so a use case reading three times would otherwise pay three extra
    /// round trips.
    async fn exec(&mut self) -> CoreResult<(Executor<'_>, Option<&follow::Follow>)> {
        match self.db {
            Db::Sqlite { reader, .. } => Ok((Executor::SqlitePool(reader), None)),
            Db::Postgres { pool, follow } if !self.pinned => {
                Ok((Executor::PgPool(pool), follow.as_deref()))
            }
            Db::Postgres { pool, follow } => {
                let follow = follow.as_deref();
                if self.pg.is_none() {
                    ready(follow)?;
                    let conn = watch(follow, pool.acquire().await.map_err(CoreError::from))?;
                    self.pg = Some(conn);
                }
                let conn = self.pg.as_mut().expect("acquired above");
                Ok((Executor::PgConn(conn), follow))
            }
        }
    }
    query_methods!();

    /// All rows of a short read, run on the calling thread on SQLite (see [`inline`]), on this
    /// reader's connection on PostgreSQL. For hot paths whose query takes well under a
    /// millisecond.
    pub async fn fetch_all_inline<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        match self.db {
            Db::Sqlite {
                inline: Some(p), ..
            } => p.run(|c| c.fetch_all(sql, &args)),
            _ => self.fetch_all(sql, args).await,
        }
    }
}

impl Tx {
    async fn exec(&mut self) -> CoreResult<(Executor<'_>, Option<&follow::Follow>)> {
        Ok(match self {
            Tx::Sqlite(t) => (Executor::SqliteTx(t), None),
            Tx::Postgres(t, follow) => (Executor::PgTx(t), follow.as_deref()),
        })
    }
    query_methods!();

    pub fn backend(&self) -> Backend {
        match self {
            Tx::Sqlite(_) => Backend::Sqlite,
            Tx::Postgres(..) => Backend::Postgres,
        }
    }

    pub async fn commit(self) -> CoreResult<()> {
        match self {
            Tx::Sqlite(t) => t.commit().await?,
            Tx::Postgres(t, follow) => {
                watch(follow.as_deref(), t.commit().await.map_err(CoreError::from))?
            }
        }
        Ok(())
    }
}

/// Reads that work on a [`Reader`] (auto-committed, the reader pool) and on a [`Tx`] alike, so a
/// use case can do its lookups before opening a write transaction (on SQLite they then run
/// beside other writers instead of queueing on the one writer connection).
#[allow(async_fn_in_trait)]
pub trait Queries {
    fn backend(&self) -> Backend;
    async fn fetch_all<T: FromBothRows>(&mut self, sql: &str, args: Args) -> CoreResult<Vec<T>>;
    async fn fetch_optional<T: FromBothRows>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Option<T>>;
    async fn fetch_one<T: FromBothRows>(&mut self, sql: &str, args: Args) -> CoreResult<T> {
        self.fetch_optional(sql, args)
            .await?
            .ok_or(CoreError::NotFound("row"))
    }
}

impl Queries for Reader<'_> {
    fn backend(&self) -> Backend {
        self.db.backend()
    }
    async fn fetch_all<T: FromBothRows>(&mut self, sql: &str, args: Args) -> CoreResult<Vec<T>> {
        let (e, f) = self.exec().await?;
        ready(f)?;
        watch(f, e.fetch_all(sql, args).await)
    }
    async fn fetch_optional<T: FromBothRows>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Option<T>> {
        let (e, f) = self.exec().await?;
        ready(f)?;
        watch(f, e.fetch_optional(sql, args).await)
    }
}

impl Queries for Tx {
    fn backend(&self) -> Backend {
        Tx::backend(self)
    }
    async fn fetch_all<T: FromBothRows>(&mut self, sql: &str, args: Args) -> CoreResult<Vec<T>> {
        let (e, f) = self.exec().await?;
        ready(f)?;
        watch(f, e.fetch_all(sql, args).await)
    }
    async fn fetch_optional<T: FromBothRows>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Option<T>> {
        let (e, f) = self.exec().await?;
        ready(f)?;
        watch(f, e.fetch_optional(sql, args).await)
    }
}

/// The sqlx writer connection, held while an [`InlineTx`] writes.
pub struct WriterSlot(#[allow(dead_code)] sqlx::pool::PoolConnection<Sqlite>);

/// The writes of a use case that runs either in a [`Tx`] or in an [`InlineTx`] (group commits).
#[allow(async_fn_in_trait)]
pub trait Writes {
    /// Which engine runs the writes (an [`InlineTx`] is SQLite's).
    fn engine(&self) -> Backend;
    async fn execute(&mut self, sql: &str, args: Args) -> CoreResult<u64>;
    async fn fetch_all<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>>;
}

impl Writes for Tx {
    fn engine(&self) -> Backend {
        Tx::backend(self)
    }
    async fn execute(&mut self, sql: &str, args: Args) -> CoreResult<u64> {
        Tx::execute(self, sql, args).await
    }
    async fn fetch_all<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        Tx::fetch_all(self, sql, args).await
    }
}

impl Writes for InlineTx {
    fn engine(&self) -> Backend {
        Backend::Sqlite
    }
    async fn execute(&mut self, sql: &str, args: Args) -> CoreResult<u64> {
        InlineTx::execute(self, sql, &args)
    }
    async fn fetch_all<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        InlineTx::fetch_all(self, sql, &args)
    }
}

/// Rows read alike by a [`Reader`], a [`Tx`] and an [`InlineTx`]: for reads that feed a bulk
/// write, which on SQLite then reads on the inline writer's own connection (on the calling
/// thread, without a message per row).
#[allow(async_fn_in_trait)]
pub trait Rows {
    async fn rows<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>>;
}

/// A reader and a transaction read through their own queries.
impl<Q: Queries> Rows for Q {
    async fn rows<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        Queries::fetch_all(self, sql, args).await
    }
}

impl Rows for InlineTx {
    async fn rows<T: FromBothRows + FromInline>(
        &mut self,
        sql: &str,
        args: Args,
    ) -> CoreResult<Vec<T>> {
        InlineTx::fetch_all(self, sql, &args)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_become_sqlite_numbered() {
        assert_eq!(
            to_sqlite_sql("SELECT a FROM t WHERE x = $1 AND y = $12 OR z = $1"),
            "SELECT a FROM t WHERE x = ?1 AND y = ?12 OR z = ?1"
        );
        assert_eq!(
            to_sqlite_sql("INSERT INTO t VALUES ($1, $2), ($3, $4)"),
            "INSERT INTO t VALUES (?, ?), (?, ?)"
        );
        assert_eq!(
            to_sqlite_sql("UPDATE t SET a = $2 WHERE b = $1"),
            "UPDATE t SET a = ?2 WHERE b = ?1"
        );
        assert_eq!(to_sqlite_sql("SELECT '$' || a"), "SELECT '$' || a");
    }
}
