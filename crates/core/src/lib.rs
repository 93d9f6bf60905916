//! wuye's domain and persistence: no HTTP types here. The web crate and the CLI call the
//! services of these modules; each service authorizes with a [`Ctx`], validates, runs in one
//! transaction and writes the audit log.

pub mod audit;
pub mod auth;
pub mod backup;
pub mod billing;
pub mod community;
pub mod dashboard;
pub mod db;
pub mod decoration;
pub mod demo;
pub mod duty;
pub mod equipment;
pub mod frontdesk;
pub mod hot_lists;
pub mod incidents;
pub mod keys;
pub mod kpis;
mod layout;
pub mod movein;
pub mod notify;

pub mod patrols;
pub mod periodicals;
pub mod portal;
pub mod quality;
pub mod registry;
pub mod shared;
pub mod surveys;
pub mod tickets;

pub use shared::ctx::{Ctx, Perm};
pub use shared::error::{CoreError, CoreResult, ErrorCode, FieldError};

/// Every error code of every module, as clients see them: each must have zh-CN and en text.
pub const ERROR_CODES: &[&[&str]] = &[
    shared::error::CommonCode::CODES,
    audit::error::AuditCode::CODES,
    auth::error::AuthCode::CODES,
    billing::error::BillingCode::CODES,
    billing::switch::SwitchCode::CODES,
    community::error::CommunityCode::CODES,
    decoration::error::DecorationCode::CODES,
    duty::error::DutyCode::CODES,
    incidents::error::IncidentCode::CODES,
    equipment::error::EquipmentCode::CODES,
    frontdesk::error::FrontdeskCode::CODES,
    movein::error::MoveInCode::CODES,
    notify::error::NotifyCode::CODES,
    periodicals::error::PeriodicalCode::CODES,
    patrols::error::PatrolCode::CODES,
    portal::error::PortalCode::CODES,
    quality::error::QualityCode::CODES,
    registry::error::RegistryCode::CODES,
    shared::resolve::ResolveCode::CODES,
    surveys::error::SurveyCode::CODES,
    tickets::error::TicketCode::CODES,
];

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
    /// How long a node reuses the context of an API token without reading it again. Changes to
    /// users, roles, tokens and communities clear it on the node that makes them; other nodes
    /// see them after at most this long.
    pub token_ctx_ttl: std::time::Duration,
    /// The limits of failed logins per source address and account (`WUYE_LOGIN_*`).
    pub login_throttle: auth::LoginThrottle,
    /// How far back a request, a call, a return visit or a payment may be dated when entered
    /// late (补录; `WUYE_BACKDATE_DAYS`, default 7 days).
    pub backdate_window: Duration,
    /// The CJK font receipts and notices embed (`WUYE_PDF_FONT`; a TrueType or OpenType file or
    /// collection, Debian's fonts-wqy-microhei by default).
    pub pdf_font: std::path::PathBuf,
    /// The outside channels of notifications (`WUYE_SMTP_*`, `WUYE_SMS_*`, `WUYE_WECHAT_*`);
    /// none by default: in-app only.
    pub channels: notify::channels::ChannelSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            password_cost: PasswordCost::Standard,
            session_idle: Duration::hours(2),
            session_max: Duration::hours(12),
            files_dir: std::path::PathBuf::from("data/files"),
            token_ctx_ttl: std::time::Duration::from_secs(2),
            login_throttle: auth::LoginThrottle::default(),
            backdate_window: Duration::days(7),
            pdf_font: std::path::PathBuf::from(billing::pdf::DEFAULT_FONT),
            channels: Default::default(),
        }
    }
}

/// Everything a service needs: the database, the personal-data keys, the settings.
#[derive(Debug)]
pub struct Core {
    pub db: Db,
    pub crypto: Crypto,
    pub settings: Settings,
    /// API token (its hash) → the caller's context, for `settings.token_ctx_ttl`.
    token_ctx: std::sync::Mutex<std::collections::HashMap<String, (Ctx, std::time::Instant)>>,
    /// Registrations waiting to be written together (group commit).
    pub(crate) requests: tickets::create::RequestQueue,
    /// Parcels received at the desks, waiting to be written together (group commit).
    pub(crate) parcels: frontdesk::ParcelQueue,
    /// The live outside channels (the outbox worker sends through them).
    pub channels: Arc<notify::channels::Channels>,
}

pub type CoreRef = Arc<Core>;

impl Core {
    pub fn new(db: Db, crypto: Crypto, settings: Settings) -> CoreRef {
        // `serve` checks the settings before it gets here; a bad one left over is logged and
        // its channel left out, rather than the process refusing to start.
        let channels = notify::channels::Channels::new(&settings.channels).unwrap_or_else(|e| {
            tracing::error!(error = %e, "notification channels: e-mail left out");
            let mut s = settings.channels.clone();
            s.smtp = None;
            notify::channels::Channels::new(&s).unwrap_or_default()
        });
        Arc::new(Core {
            channels: Arc::new(channels),
            db,
            crypto,
            settings,
            token_ctx: Default::default(),
            requests: tickets::create::request_queue(),
            parcels: frontdesk::parcel_queue(),
        })
    }

    /// The cached context of a token (by its hash), if fresh.
    pub(crate) fn cached_ctx(&self, token_hash: &str) -> Option<Ctx> {
        let ttl = self.settings.token_ctx_ttl;
        let map = self.token_ctx.lock().ok()?;
        map.get(token_hash)
            .filter(|(_, at)| at.elapsed() < ttl)
            .map(|(c, _)| c.clone())
    }

    pub(crate) fn cache_ctx(&self, token_hash: String, ctx: &Ctx) {
        if self.settings.token_ctx_ttl.is_zero() {
            return;
        }
        if let Ok(mut map) = self.token_ctx.lock() {
            // Bounded: a burst of distinct tokens cannot grow it without end.
            if map.len() > 10_000 {
                map.clear();
            }
            map.insert(token_hash, (ctx.clone(), std::time::Instant::now()));
        }
    }

    /// Forgets every cached token context (after a change to users, roles, tokens or
    /// communities).
    pub fn forget_ctx(&self) {
        if let Ok(mut map) = self.token_ctx.lock() {
            map.clear();
        }
    }
}
