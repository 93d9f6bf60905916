//! Planner statistics kept fresh by the server itself (SQLite), as SQLite recommends for
//! long-lived connections: `PRAGMA optimize` over all tables when the database is opened, again
//! every few hours (from the checkpoint thread), after large writes ([`super::Db::optimize`])
//! and when it is closed.
//!
//! Without statistics the planner guesses, and on a community of 97,000 requests it guessed a
//! sort of the whole community for every page (issue 18). The hot lists no longer depend on
//! statistics (their indexes match their order, see `db::plans`), but every other query does.
//!
//! `0x10012`: analyze the tables that may benefit (0x02) with a temporary `analysis_limit`
//! (0x10: each ANALYZE reads a bounded sample of each index, however large the table), checking
//! every table (0x10000) rather than only those this connection has read: the connection that
//! runs it is the writer (or the checkpoint thread's), which reads few tables. The `0x10002`
//! SQLite's documentation shows for opening leaves out the limit: on a 389 MB database never
//! analyzed it ran a full ANALYZE for 2 s, holding the write lock (see docs/scale.md).
//!
//! Each connection loads the statistics when it first reads the schema and keeps them: the
//! readers opened after `optimize` see the new ones; sqlx recycles its readers within half an
//! hour, and the inline readers kept idle are dropped after each periodic run.
//!
//! PostgreSQL's autovacuum analyzes a table once a tenth of it changed, but only on its next
//! round (a minute), and a query planned meanwhile without statistics may be planned badly: right
//! after an import of a million people, a person card's unit links were hash-joined over every
//! unit (88 ms instead of 0.2). So after a large write ([`on_postgres`]), and in the background
//! at open, the server analyzes the tables of its schema that changed that much since their last
//! analysis, the rule autovacuum applies, at once.

use std::time::{Duration, Instant};

use sqlx::{PgPool, SqlitePool};

/// What `optimize` is asked to do (see the module docs).
pub(super) const PRAGMA: &str = "PRAGMA optimize = 0x10012";

/// How often the checkpoint thread runs it.
pub(super) const PERIOD: Duration = Duration::from_secs(4 * 3600);

/// After a failed run (the database busy past the thread's timeout), the next try.
pub(super) const RETRY: Duration = Duration::from_secs(60);

fn log(moment: &'static str, took: Duration) {
    let ms = took.as_secs_f64() * 1000.0;
    if took > Duration::from_millis(200) {
        tracing::info!(moment, ms, "planner statistics refreshed (PRAGMA optimize)");
    } else {
        tracing::debug!(moment, ms, "planner statistics refreshed (PRAGMA optimize)");
    }
}

/// Runs it on the sqlx writer (open, close, after large writes). A failure is logged, not
/// returned: statistics make plans better, never correct.
pub(super) async fn on_writer(writer: &SqlitePool, moment: &'static str) {
    let start = Instant::now();
    match sqlx::query(PRAGMA).execute(writer).await {
        Ok(_) => log(moment, start.elapsed()),
        Err(e) => tracing::warn!(moment, error = %e, "PRAGMA optimize failed"),
    }
}

/// Runs it on a connection of ours (the checkpoint thread's); `false` if it failed.
pub(super) fn on_connection(conn: &rusqlite::Connection) -> bool {
    let start = Instant::now();
    match conn.execute_batch(PRAGMA) {
        Ok(()) => {
            log("periodic", start.elapsed());
            true
        }
        Err(e) => {
            tracing::debug!(error = %e, "PRAGMA optimize (periodic), retried later");
            false
        }
    }
}

/// The tables of the current schema changed by more than a tenth (and 1,000 rows) since they
/// were last analyzed, as autovacuum's default threshold counts them.
const PG_STALE: &str = "SELECT relname::text FROM pg_stat_user_tables \
     WHERE schemaname = current_schema() \
     AND n_mod_since_analyze > GREATEST(1000, (n_live_tup + n_dead_tup) / 10) ORDER BY relname";

/// How often a PostgreSQL server looks for stale statistics after the open.
const PG_PERIOD: Duration = Duration::from_secs(10);

/// In the background, at open (a server is ready at once, whatever there is to analyze) and then
/// every [`PG_PERIOD`] until the pool is closed. Right after a burst of registrations the desk's
/// list on two nodes answered 553/s (p99 137 ms) and 4,615/s a minute later, once autovacuum had
/// analyzed: each connection had planned it for the few requests the community had before. The
/// check is one read of `pg_stat_user_tables`; a table is analyzed only once it is stale.
pub(super) fn spawn_on_postgres(pool: &PgPool) {
    let pool = pool.clone();
    tokio::spawn(async move {
        on_postgres(&pool, "open").await;
        let mut tick = tokio::time::interval(PG_PERIOD);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tick.tick().await;
        loop {
            tick.tick().await;
            if pool.is_closed() {
                return;
            }
            on_postgres(&pool, "periodic").await;
        }
    });
}

/// Analyzes the tables whose statistics are stale (see the module docs). A failure is logged,
/// not returned (quietly when the pool was closed meanwhile).
pub(super) async fn on_postgres(pool: &PgPool, moment: &'static str) {
    let start = Instant::now();
    let failed = |what: &str, e: sqlx::Error| {
        if pool.is_closed() {
            tracing::debug!(moment, error = %e, "{what} failed (pool closed)");
        } else {
            tracing::warn!(moment, error = %e, "{what} failed");
        }
    };
    let stale: Vec<(String,)> = match sqlx::query_as(PG_STALE).fetch_all(pool).await {
        Ok(t) => t,
        Err(e) => return failed("reading the tables to analyze", e),
    };
    for (table,) in &stale {
        // A name from the catalog, quoted as an identifier.
        let sql = format!("ANALYZE \"{}\"", table.replace('"', "\"\""));
        if let Err(e) = sqlx::query(sqlx::AssertSqlSafe(sql)).execute(pool).await {
            failed("ANALYZE", e);
        }
    }
    if !stale.is_empty() {
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        tracing::info!(
            moment,
            ms,
            tables = stale.len(),
            "planner statistics refreshed (ANALYZE)"
        );
    }
}
