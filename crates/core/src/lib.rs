//! wuye's domain and persistence: no HTTP types here. The web crate and the CLI call the
//! services of these modules; each service authorizes with a [`Ctx`], validates, runs in one
//! transaction and writes the audit log.

pub mod audit;
pub mod auth;
pub mod db;
pub mod demo;
pub mod keys;

pub mod portal;
pub mod registry;
pub mod shared;
pub mod tickets;

pub use shared::ctx::{Ctx, Perm};
pub use shared::error::{CoreError, CoreResult, FieldError};

use std::sync::Arc;

use chrono::Duration;

use crate::db::Db;
use crate::shared::crypto::Crypto;

/// How expensive password hashes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PasswordCost {
    /// Argon2id with the OWASP-recommended parameters (19 MiB, 2 passes).
    Standard,
    /// Cheap hashes, for tests only.
    Low,
}

#[derive(Debug, Clone)]
pub struct Settings {
    pub password_cost: PasswordCost,
    /// A session unused this long expires.
    pub session_idle: Duration,
    /// A session expires this long after login, used or not.
    pub session_max: Duration,
    /// Where uploaded files (request photos) are kept: `<data dir>/files`.
    pub files_dir: std::path::PathBuf,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_cost: PasswordCost::Standard,
            session_idle: Duration::hours(2),
            session_max: Duration::hours(12),
            files_dir: std::path::PathBuf::from("data/files"),
        }
    }
}

/// Everything a service needs: the database, the personal-data keys, the settings.
#[derive(Debug)]
pub struct Core {
    pub db: Db,
    pub crypto: Crypto,
    pub settings: Settings,
}

pub type CoreRef = Arc<Core>;

impl Core {
    pub fn new(db: Db, crypto: Crypto, settings: Settings) -> CoreRef {
        Arc::new(Core {
            db,
            crypto,
            settings,
        })
    }
}
