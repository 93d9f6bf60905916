//! Following the PostgreSQL primary across a failover, without a restart.
//!
//! With a multi-host URL (`pg_hosts`), the pool is built on the first host that is the kind of
//! server the URL asks for (`target_session_attrs`, read-write for the primary). sqlx connects a
//! pool to one host, so three things keep it on the right one:
//! - every new pooled connection checks the server it reached (`after_connect`): a connection
//!   to a standby or a demoted primary is refused, never handed to a query;
//! - an error that means the server is gone or read-only (`is_server_lost`: the connection
//!   refused or reset, `25006 read_only_sql_transaction`, `57P01`–`57P03` shutdowns, class `08`)
//!   wakes a task that walks the host list again until it finds the wanted server, and points
//!   the pool's future connections at it (`Pool::set_connect_options`);
//! - sqlx's pool re-reads its connect options on every connection attempt, so a request waiting
//!   for a connection during the outage lands on the new primary as soon as it is found.
//!
//! Once a walk has found no wanted server, queries are refused at once (`ready`) until one is
//! found; the edge answers those, like the errors above, with `503 database_unavailable`
//! (`CoreError::is_db_unavailable`), and the client may retry.
//! A dead server's pooled connections fail their next query (or, idle for a while, sqlx's ping
//! before use) and are dropped; a promoted or demoted server restarts under pg_auto_failover,
//! which closes its sessions too.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgConnection, PgDatabaseError, PgPoolOptions};
use sqlx::{Connection, PgPool};
use tokio::sync::Notify;

use super::pg_hosts::{PgHosts, SessionAttrs};
use crate::shared::error::{CoreError, CoreResult};

/// How long one host may take to answer a probe: a host that is down refuses at once, one
/// cut off by the network would hang the walk for every host after it.
const PROBE_TIMEOUT: Duration = Duration::from_secs(2);
/// Pauses between walks of the list while no host is the wanted server (a standby not yet
/// promoted): short at first, as a promotion usually follows within seconds.
const RETRY_FIRST: Duration = Duration::from_millis(200);
const RETRY_MAX: Duration = Duration::from_secs(1);

/// The hosts, the wanted kind of server, and the wake-up of the task that finds it again.
#[derive(Debug)]
pub struct Follow {
    hosts: PgHosts,
    wake: Notify,
    /// The host the pool connects to now (an index into `hosts`).
    current: AtomicUsize,
    /// No host was the wanted server at the last walk: queries fail at once (`ready`) rather
    /// than each waiting out the pool's acquire timeout against a dead host.
    lost: AtomicBool,
}

impl Follow {
    fn new(hosts: PgHosts) -> Arc<Follow> {
        Arc::new(Follow {
            hosts,
            wake: Notify::new(),
            current: AtomicUsize::new(0),
            lost: AtomicBool::new(false),
        })
    }

    /// Finds the wanted server, builds the pool on it, and starts the task that follows it.
    pub(super) async fn connect(
        hosts: PgHosts,
        pool: PgPoolOptions,
    ) -> CoreResult<(PgPool, Arc<Follow>)> {
        let follow = Follow::new(hosts);
        let first = follow.find().await.map_err(|why| {
            CoreError::internal(format!(
                "no {:?} PostgreSQL server among {}: {why}",
                follow.hosts.attrs,
                follow.hosts.labels()
            ))
        })?;
        follow.current.store(first, Ordering::Relaxed);
        let check = Arc::clone(&follow);
        let pool = pool
            .after_connect(move |conn, _| {
                let follow = Arc::clone(&check);
                Box::pin(async move { follow.check_new(conn).await })
            })
            .connect_with(follow.hosts.hosts[first].options.clone())
            .await?;
        tracing::info!(host = %follow.hosts.hosts[first].label, "PostgreSQL server found");
        tokio::spawn(Arc::clone(&follow).run(pool.clone()));
        Ok((pool, follow))
    }

    /// Wakes the search for the server when `e` says it is gone or no longer the wanted kind.
    pub fn observe(&self, e: &CoreError) {
        if let CoreError::Db(e) = e
            && is_server_lost(e)
        {
            self.wake.notify_one();
        }
    }

    /// Refuses a query at once while the wanted server is known to be missing (a failover under
    /// way): the caller answers 503 now instead of after the pool's acquire timeout.
    pub fn ready(&self) -> CoreResult<()> {
        if self.lost.load(Ordering::Relaxed) {
            return Err(CoreError::Db(sqlx::Error::Io(std::io::Error::new(
                std::io::ErrorKind::NotConnected,
                "no PostgreSQL primary found yet (a failover is under way)",
            ))));
        }
        Ok(())
    }

    /// The check of a new pooled connection.
    async fn check_new(&self, conn: &mut PgConnection) -> Result<(), sqlx::Error> {
        let (in_recovery, read_only) = server_state(conn).await?;
        let attrs = self.hosts.attrs;
        if attrs == SessionAttrs::PreferStandby || attrs.accepts(in_recovery, read_only) {
            return Ok(());
        }
        self.wake.notify_one();
        Err(sqlx::Error::Configuration(
            format!("the server is not {attrs:?} (in recovery: {in_recovery}); looking again")
                .into(),
        ))
    }

    /// Waits for a wake-up, walks the hosts until the wanted server answers, points the pool
    /// at it; until the pool is closed.
    async fn run(self: Arc<Self>, pool: PgPool) {
        loop {
            tokio::select! {
                _ = self.wake.notified() => {}
                _ = pool.close_event() => return,
            }
            let mut pause = RETRY_FIRST;
            loop {
                if pool.is_closed() {
                    return;
                }
                match self.find().await {
                    Ok(i) => {
                        let before = self.current.swap(i, Ordering::Relaxed);
                        pool.set_connect_options(self.hosts.hosts[i].options.clone());
                        self.lost.store(false, Ordering::Relaxed);
                        if before != i {
                            tracing::warn!(
                                from = %self.hosts.hosts[before].label,
                                to = %self.hosts.hosts[i].label,
                                "PostgreSQL server changed; the pool follows it"
                            );
                        }
                        break;
                    }
                    Err(why) => {
                        if !self.lost.swap(true, Ordering::Relaxed) {
                            tracing::warn!(%why, "no wanted PostgreSQL server; looking until one is");
                        }
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(RETRY_MAX);
                    }
                }
            }
        }
    }

    /// The first host, in the URL's order, that is the wanted kind of server; or what each said.
    async fn find(&self) -> Result<usize, String> {
        let attrs = self.hosts.attrs;
        let mut fallback = None;
        let mut said = Vec::new();
        for (i, h) in self.hosts.hosts.iter().enumerate() {
            match tokio::time::timeout(PROBE_TIMEOUT, probe(&h.options)).await {
                Ok(Ok((in_recovery, read_only))) => {
                    if attrs.accepts(in_recovery, read_only) {
                        return Ok(i);
                    }
                    fallback.get_or_insert(i);
                    let kind = if in_recovery {
                        "a standby"
                    } else {
                        "read-only"
                    };
                    said.push(format!("{} is {kind}", h.label));
                }
                Ok(Err(e)) => said.push(format!("{}: {e}", h.label)),
                Err(_) => said.push(format!("{}: no answer in {PROBE_TIMEOUT:?}", h.label)),
            }
        }
        match (attrs, fallback) {
            (SessionAttrs::PreferStandby, Some(i)) => Ok(i),
            _ => Err(said.join("; ")),
        }
    }
}

/// Opens a connection of its own to one host, asks its state, closes it.
async fn probe(options: &PgConnectOptions) -> Result<(bool, bool), sqlx::Error> {
    let mut conn = PgConnection::connect_with(options).await?;
    let state = server_state(&mut conn).await;
    let _ = conn.close().await;
    state
}

/// Whether the server is in recovery (a standby) and whether it refuses writes. Both are asked:
/// pg_auto_failover keeps a just-promoted standby read-only (out of recovery, but
/// `default_transaction_read_only` on) until the monitor confirms the old primary is gone, so
/// `read-write` must not take it for the primary before then.
async fn server_state(conn: &mut PgConnection) -> Result<(bool, bool), sqlx::Error> {
    sqlx::query_as("SELECT pg_is_in_recovery(), current_setting('transaction_read_only') = 'on'")
        .fetch_one(conn)
        .await
}

/// Whether an error means the database server is gone, shutting down, not accepting
/// connections, or no longer writable: worth looking for the primary again, and for the
/// client worth retrying shortly. Database codes count only from PostgreSQL (SQLite's are
/// numbers of another meaning).
pub fn is_server_lost(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_) | sqlx::Error::PoolTimedOut | sqlx::Error::PoolClosed => true,
        sqlx::Error::Database(d) => d
            .try_downcast_ref::<PgDatabaseError>()
            .is_some_and(|pg| is_lost_code(pg.code())),
        _ => false,
    }
}

/// `08…` connection exceptions, `25006` read-only transaction (a demoted primary), `57P01`
/// admin shutdown, `57P02` crash shutdown, `57P03` cannot connect now (starting or promoting).
fn is_lost_code(code: &str) -> bool {
    code.starts_with("08") || matches!(code, "25006" | "57P01" | "57P02" | "57P03")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::args;
    use crate::db::{Db, DbOptions};

    /// The test server's URL (`WUYE_TEST_DATABASE_URL`) with a dead host (port 1 refuses at
    /// once) put before it: `postgres://app:app@127.0.0.1:1,127.0.0.1:55432/app`.
    fn with_dead_host_first(extra: &str) -> Option<String> {
        let url = std::env::var("WUYE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))?;
        let (head, tail) = url.split_once('@')?;
        let sep = if tail.contains('?') { '&' } else { '?' };
        Some(format!("{head}@127.0.0.1:1,{tail}{sep}{extra}"))
    }

    #[tokio::test]
    async fn a_dead_first_host_is_passed_over_for_the_primary() {
        let Some(url) = with_dead_host_first("target_session_attrs=read-write") else {
            return; // PostgreSQL only
        };
        let db = Db::connect(&url, &DbOptions::default()).await.expect(&url);
        let (one,): (i32,) = db.read().fetch_one("SELECT 1", args![]).await.unwrap();
        assert_eq!(one, 1);
        let mut tx = db.begin().await.unwrap();
        let (writable,): (String,) = tx
            .fetch_one("SHOW transaction_read_only", args![])
            .await
            .unwrap();
        assert_eq!(writable, "off");
        tx.commit().await.unwrap();
        db.close().await;
    }

    #[tokio::test]
    async fn no_server_of_the_wanted_kind_says_what_each_host_is() {
        let Some(url) = with_dead_host_first("target_session_attrs=standby") else {
            return;
        };
        let e = Db::connect(&url, &DbOptions::default())
            .await
            .expect_err("the test server is a primary, not a standby")
            .to_string();
        assert!(
            e.contains("no Standby PostgreSQL server among 127.0.0.1:1, "),
            "{e}"
        );
        assert!(
            e.contains("127.0.0.1:1: ") && e.contains("is read-only"),
            "{e}"
        );
        assert!(!e.contains(":app@"), "no password in the message: {e}");
    }

    #[tokio::test]
    async fn a_lost_server_wakes_the_search_and_the_pool_follows_the_one_found() {
        let Some(url) = with_dead_host_first("target_session_attrs=read-write") else {
            return;
        };
        let hosts = PgHosts::parse(&url).unwrap();
        let (dead, live) = (hosts.hosts[0].clone(), hosts.hosts[1].clone());
        // The pool starts on the dead host, as after its primary was killed.
        let pool = PgPoolOptions::new()
            .max_connections(2)
            .acquire_timeout(Duration::from_secs(5))
            .connect_lazy_with(dead.options.clone());
        let follow = Follow::new(hosts);
        tokio::spawn(Arc::clone(&follow).run(pool.clone()));
        let lost = sqlx::Error::Io(std::io::ErrorKind::ConnectionReset.into());
        follow.observe(&CoreError::Db(lost));
        let deadline = std::time::Instant::now() + Duration::from_secs(10);
        while pool.connect_options().get_port() != live.options.get_port() {
            assert!(std::time::Instant::now() < deadline, "the pool never moved");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        assert_eq!(follow.current.load(Ordering::Relaxed), 1);
        follow.ready().expect("found: queries go through");
        let (one,): (i32,) = sqlx::query_as("SELECT 1").fetch_one(&pool).await.unwrap();
        assert_eq!(one, 1);
        pool.close().await;
    }

    #[test]
    fn lost_codes_are_the_ones_a_failover_raises() {
        for c in ["08006", "08001", "25006", "57P01", "57P02", "57P03"] {
            assert!(is_lost_code(c), "{c}");
        }
        for c in ["23505", "40001", "57014", "53300", "42P01"] {
            assert!(!is_lost_code(c), "{c}");
        }
        let refused = std::io::Error::from(std::io::ErrorKind::ConnectionRefused);
        assert!(is_server_lost(&sqlx::Error::Io(refused)));
        assert!(is_server_lost(&sqlx::Error::PoolTimedOut));
        assert!(!is_server_lost(&sqlx::Error::RowNotFound));
    }
}
