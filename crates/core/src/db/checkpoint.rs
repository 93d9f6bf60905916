//! WAL checkpoints off the commit path (SQLite).
//!
//! By default the connection whose commit takes the WAL past 1,000 pages copies the WAL back
//! into the database and syncs the file, inside that commit. With one writer that is every
//! writer's wait: under a burst of registrations the writer spent its time in `fsync` while the
//! CPU idled. Here a thread of its own checkpoints every 100 ms (`PASSIVE`: it never blocks the
//! writer or a reader), and the writer's automatic checkpoint is kept only as a backstop at
//! `BACKSTOP_PAGES`, should this thread fall behind.
//!
//! The same thread refreshes the planner's statistics every few hours (`optimize`).
//!
//! The thread holds a weak reference: when the last clone of the `Db` is dropped, or `close`
//! is called, it stops within one period.

use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Weak};
use std::time::{Duration, Instant};

use super::optimize;

/// The writer's own automatic checkpoint, if this thread has not run for ~40 MB of WAL.
pub const BACKSTOP_PAGES: u32 = 10_000;

const PERIOD: Duration = Duration::from_millis(100);

/// Keeps the checkpoint thread running while alive.
#[derive(Debug, Default)]
pub struct Checkpointer {
    stop: AtomicBool,
}

impl Checkpointer {
    /// Starts the thread for the database at `path`; `None` if it cannot open it (the writer's
    /// automatic checkpoint then does the work, as it would without this).
    pub fn start(
        path: &Path,
        readers: Option<Arc<super::inline::InlinePool>>,
    ) -> Option<Arc<Checkpointer>> {
        let conn = super::inline::connect(
            path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE,
            Duration::from_secs(1),
            "",
            4,
        )
        .ok()?;
        let me = Arc::new(Checkpointer::default());
        let weak: Weak<Checkpointer> = Arc::downgrade(&me);
        std::thread::Builder::new()
            .name("wuye-checkpoint".into())
            .spawn(move || {
                // The database was optimized when it was opened.
                let mut next_optimize = Instant::now() + optimize::PERIOD;
                loop {
                    std::thread::sleep(PERIOD);
                    match weak.upgrade() {
                        Some(c) if !c.stop.load(Ordering::Relaxed) => {}
                        _ => return,
                    }
                    // (busy, frames in the WAL, frames copied); errors are retried next period.
                    if let Err(e) =
                        conn.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |r| r.get::<_, i64>(0))
                    {
                        tracing::debug!(error = %e, "checkpoint");
                    }
                    if Instant::now() >= next_optimize {
                        if optimize::on_connection(&conn) {
                            next_optimize = Instant::now() + optimize::PERIOD;
                            // Idle inline readers would keep the statistics they loaded.
                            if let Some(r) = &readers {
                                r.close();
                            }
                        } else {
                            next_optimize = Instant::now() + optimize::RETRY;
                        }
                    }
                }
            })
            .ok()?;
        Some(me)
    }

    pub fn stop(&self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
