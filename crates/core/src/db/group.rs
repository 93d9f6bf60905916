//! Group commit: small writes of one kind that arrive together share one transaction.
//!
//! SQLite has one writer. When every registration ran its own transaction, each paid for
//! `BEGIN IMMEDIATE`, a handful of statements and `COMMIT`, one at a time, while the others
//! queued for the writer; under load the queue, not the work, set the latency. Here a caller
//! queues its prepared job and waits. When no batch is being written, it starts a task that
//! takes everything queued (up to `max_batch`), writes it with one call of the write function
//! (one transaction, multi-row statements), hands each caller its own result, and goes on
//! while jobs keep arriving. A lone caller is written at once, as before.
//!
//! The batch is written by a spawned task, not by a caller's future: a client that hangs up
//! drops its own future, and that must not roll back the others' work.

use std::collections::VecDeque;
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use tokio::sync::oneshot;

use super::{Db, lock};
use crate::shared::error::{CoreError, CoreResult};

/// Writes a batch in one go; returns one result per job, in the jobs' order.
pub type WriteBatch<J, R> =
    fn(Db, Vec<J>) -> Pin<Box<dyn Future<Output = Vec<CoreResult<R>>> + Send>>;

type Waiter<R> = oneshot::Sender<CoreResult<R>>;

struct State<J, R> {
    queue: VecDeque<(J, Waiter<R>)>,
    /// A task is writing; it takes what is queued when its batch is done.
    draining: bool,
}

/// A queue of jobs written in batches by `write`.
pub struct GroupCommit<J, R> {
    state: Arc<Mutex<State<J, R>>>,
    max_batch: usize,
    write: WriteBatch<J, R>,
}

impl<J, R> std::fmt::Debug for GroupCommit<J, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GroupCommit")
            .field("max_batch", &self.max_batch)
            .finish_non_exhaustive()
    }
}

impl<J: Send + 'static, R: Send + 'static> GroupCommit<J, R> {
    pub fn new(max_batch: usize, write: WriteBatch<J, R>) -> Self {
        Self {
            state: Arc::new(Mutex::new(State {
                queue: VecDeque::new(),
                draining: false,
            })),
            max_batch: max_batch.max(1),
            write,
        }
    }

    /// Queues `job` and waits for its result.
    pub async fn submit(&self, db: &Db, job: J) -> CoreResult<R> {
        let (tx, rx) = oneshot::channel();
        let start = {
            let mut st = lock(&self.state);
            st.queue.push_back((job, tx));
            !std::mem::replace(&mut st.draining, true)
        };
        if start {
            let drainer = Drainer {
                state: Arc::clone(&self.state),
                finished: false,
            };
            tokio::spawn(drainer.run(db.clone(), self.max_batch, self.write));
        }
        rx.await
            .map_err(|_| CoreError::internal("group commit: the batch was lost"))?
    }
}

/// The task writing batches. Dropped (its work done, or a panic in `write`), it lets the next
/// caller start a new one and fails whatever is still queued rather than leave it waiting.
struct Drainer<J, R> {
    state: Arc<Mutex<State<J, R>>>,
    /// Set when the queue was found empty and the flag cleared.
    finished: bool,
}

impl<J: Send + 'static, R: Send + 'static> Drainer<J, R> {
    async fn run(mut self, db: Db, max_batch: usize, write: WriteBatch<J, R>) {
        loop {
            let batch: Vec<(J, Waiter<R>)> = {
                let mut st = lock(&self.state);
                if st.queue.is_empty() {
                    st.draining = false;
                    drop(st);
                    self.finished = true;
                    return;
                }
                let n = st.queue.len().min(max_batch);
                st.queue.drain(..n).collect()
            };
            let (jobs, waiters): (Vec<J>, Vec<Waiter<R>>) = batch.into_iter().unzip();
            let results = write(db.clone(), jobs).await;
            // A result per job; a missing one drops its waiter, which then gets an error.
            for (w, r) in waiters.into_iter().zip(results) {
                let _ = w.send(r);
            }
        }
    }
}

impl<J, R> Drop for Drainer<J, R> {
    fn drop(&mut self) {
        if !self.finished {
            // A panic in `write`: the waiters of the queue get an error instead of waiting.
            let mut st = lock(&self.state);
            st.draining = false;
            st.queue.clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    static LARGEST: AtomicUsize = AtomicUsize::new(0);

    fn double(
        _db: Db,
        jobs: Vec<i64>,
    ) -> Pin<Box<dyn Future<Output = Vec<CoreResult<i64>>> + Send>> {
        Box::pin(async move {
            LARGEST.fetch_max(jobs.len(), Ordering::Relaxed);
            // Slow enough for the other callers to queue up behind the first batch.
            tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            jobs.into_iter()
                .map(|j| {
                    if j < 0 {
                        Err(CoreError::NotFound("job"))
                    } else {
                        Ok(j * 2)
                    }
                })
                .collect()
        })
    }

    #[tokio::test]
    async fn callers_are_grouped_and_each_gets_its_own_result() {
        let path = std::env::temp_dir().join(format!("wuye-group-{}.db", std::process::id()));
        let db = Db::connect(path.to_string_lossy().as_ref(), &Default::default())
            .await
            .expect("db");
        let g = Arc::new(GroupCommit::new(8, double));
        let mut hs = Vec::new();
        for i in -3..50i64 {
            let (g, db) = (Arc::clone(&g), db.clone());
            hs.push(tokio::spawn(async move { (i, g.submit(&db, i).await) }));
        }
        for h in hs {
            let (i, r) = h.await.expect("task");
            match r {
                Ok(v) => assert_eq!(v, i * 2),
                Err(e) => assert!(i < 0 && matches!(e, CoreError::NotFound("job"))),
            }
        }
        let largest = LARGEST.load(Ordering::Relaxed);
        assert!((2..=8).contains(&largest), "largest batch {largest}");
        assert!(!lock(&g.state).draining);
        // A later caller starts a new batch.
        assert_eq!(g.submit(&db, 21).await.expect("alone"), 42);
        db.close().await;
        for ext in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{}{ext}", path.display()));
        }
    }
}
