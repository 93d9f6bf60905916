//! The worker's journal of messages a provider took (`<data dir>/outbox-sent.journal`): the
//! outbox id is appended the moment the answer arrives, before the database records it.
//!
//! Why: between the provider's "250 OK" and the commit that marks the row sent lies a database
//! round trip (a millisecond or more on a durable PostgreSQL). A node killed there leaves the row
//! pending, and the next pass would send it again. One `write` to a file survives the process
//! (the kernel keeps it), and takes microseconds: the next pass of the restarted node reads the
//! journal first and marks those messages sent instead of sending them twice. An entry is only
//! ever written after the provider took the message, so the journal can never hide one that was
//! not sent; at worst (another node took the rows over before this one came back) it does not
//! help. Each pass starts with nothing in flight, so it reconciles and then empties the file.

use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use chrono::{DateTime, Utc};

use super::store;
use crate::Core;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::OutboxId;

pub struct Journal {
    path: PathBuf,
    file: Mutex<std::fs::File>,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Journal({})", self.path.display())
    }
}

fn io(e: std::io::Error) -> CoreError {
    CoreError::internal(format!("outbox journal: {e}"))
}

impl Journal {
    pub fn open(path: &Path) -> CoreResult<Journal> {
        let file = std::fs::OpenOptions::new()
            .create(true)
            .read(true)
            .append(true)
            .open(path)
            .map_err(io)?;
        Ok(Journal {
            path: path.to_path_buf(),
            file: Mutex::new(file),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Notes that the provider took message `id` (one `write`: no flush to disk is needed to
    /// outlive the process).
    pub fn record(&self, id: OutboxId) {
        if let Ok(mut f) = self.file.lock()
            && let Err(e) = f.write_all(format!("{}\n", id.0).as_bytes())
        {
            tracing::error!(error = %e, "outbox journal: write failed");
        }
    }

    /// Marks sent every journaled message still pending (a node that died before recording it),
    /// then empties the journal. Returns how many it marked.
    pub async fn reconcile(&self, core: &Core, now: DateTime<Utc>) -> CoreResult<u64> {
        let ids: Vec<i64> = {
            let mut f = self
                .file
                .lock()
                .map_err(|_| io(std::io::ErrorKind::Other.into()))?;
            let mut text = String::new();
            f.rewind().map_err(io)?;
            f.read_to_string(&mut text).map_err(io)?;
            if text.is_empty() {
                return Ok(0);
            }
            text.lines().filter_map(|l| l.trim().parse().ok()).collect()
        };
        let mut marked = 0;
        for chunk in ids.chunks(500) {
            let mut tx = core.db.begin().await?;
            marked += store::outbox::mark_journaled(&mut tx, chunk, now).await?;
            tx.commit().await?;
        }
        let f = self
            .file
            .lock()
            .map_err(|_| io(std::io::ErrorKind::Other.into()))?;
        f.set_len(0).map_err(io)?;
        Ok(marked)
    }
}
