//! Settings from flags, `WUYE_*` environment variables and a config file, in that order of
//! precedence. The config file holds `WUYE_NAME=value` lines (the same names as the environment
//! variables), so one vocabulary serves all three.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use axum::http::HeaderName;
use clap::Args;
use wuye_core::auth::LoginThrottle;

#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Config file of WUYE_*=value lines.
    #[arg(long, env = "WUYE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database, uploads and the key file.
    #[arg(long, env = "WUYE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// postgres://user:pass@host:port/db to run on PostgreSQL instead of the embedded SQLite.
    /// Several hosts with target_session_attrs=read-write (pg_auto_failover's `pg_autoctl show
    /// uri`) make wuye follow the primary through a failover: docs/failover.md.
    #[arg(long, env = "WUYE_DATABASE_URL", global = true)]
    pub database_url: Option<String>,
    /// Personal-data master key, 64 hex digits (default: the data dir's key file).
    #[arg(long, env = "WUYE_KEY", global = true, hide_env_values = true)]
    pub key: Option<String>,
}

/// Resolved settings.
pub struct Resolved {
    pub data_dir: PathBuf,
    pub database_url: String,
    pub key: Option<String>,
    pub file: HashMap<String, String>,
}

fn read_file(path: &Path) -> Result<HashMap<String, String>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read config file {}: {e}", path.display()))?;
    Ok(text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().trim_matches('"').to_string()))
        .collect())
}

impl Common {
    pub fn resolve(&self) -> Result<Resolved, String> {
        let file = match &self.config {
            Some(p) => read_file(p)?,
            None => HashMap::new(),
        };
        let data_dir = self
            .data_dir
            .clone()
            .or_else(|| file.get("WUYE_DATA_DIR").map(PathBuf::from))
            .unwrap_or_else(|| PathBuf::from("data"));
        let database_url = self
            .database_url
            .clone()
            .or_else(|| file.get("WUYE_DATABASE_URL").cloned())
            .unwrap_or_else(|| data_dir.join("wuye.db").to_string_lossy().to_string());
        let key = self.key.clone().or_else(|| file.get("WUYE_KEY").cloned());
        Ok(Resolved {
            data_dir,
            database_url,
            key,
            file,
        })
    }
}

impl Resolved {
    /// A setting from the config file when the flag and the environment left it unset.
    pub fn or_file(&self, flag: Option<String>, name: &str) -> Option<String> {
        flag.or_else(|| self.file.get(name).cloned())
    }

    /// A text setting with no flag (`WUYE_PDF_FONT`): the environment, then the config file.
    pub fn text(&self, name: &str) -> Option<String> {
        std::env::var(name)
            .ok()
            .or_else(|| self.file.get(name).cloned())
            .filter(|v| !v.trim().is_empty())
    }

    /// A whole number setting with no flag (`WUYE_SCAN_SECONDS`, `WUYE_BACKDATE_DAYS`): the
    /// environment, then the config file, then `default`; one that is not a number in
    /// `min..=max` stops the start with a message naming it.
    pub fn number(&self, name: &str, default: u64, min: u64, max: u64) -> Result<u64, String> {
        let raw = std::env::var(name)
            .ok()
            .or_else(|| self.file.get(name).cloned());
        match raw.as_deref().map(str::trim) {
            None | Some("") => Ok(default),
            Some(v) => match v.parse::<u64>() {
                Ok(n) if (min..=max).contains(&n) => Ok(n),
                _ => Err(format!(
                    "{name}={v}: expected a whole number from {min} to {max}"
                )),
            },
        }
    }
}

/// The settings of login throttling and of the reverse proxy in front (serve only).
#[derive(Args, Debug, Clone, Default)]
pub struct Security {
    /// Seconds failed logins count for (the throttle's sliding window) [default: 900].
    #[arg(long, env = "WUYE_LOGIN_WINDOW_SECS")]
    pub login_window_secs: Option<String>,
    /// Failed logins from one address within the window before it gets 429 (0: no limit)
    /// [default: 20].
    #[arg(long, env = "WUYE_LOGIN_MAX_PER_SOURCE")]
    pub login_max_per_source: Option<String>,
    /// Failed logins at one account from one address within the window (0: no limit)
    /// [default: 5].
    #[arg(long, env = "WUYE_LOGIN_MAX_PER_ACCOUNT_SOURCE")]
    pub login_max_per_account_source: Option<String>,
    /// Failed logins at one account from all addresses within the window: the last resort,
    /// which holds back the real user too (0: no limit) [default: 100].
    #[arg(long, env = "WUYE_LOGIN_MAX_PER_ACCOUNT")]
    pub login_max_per_account: Option<String>,
    /// The header your reverse proxy puts the client's address in (X-Forwarded-For, X-Real-IP).
    /// Unset: the TCP peer's address, and such headers are ignored.
    #[arg(long, env = "WUYE_TRUSTED_PROXY_HEADER")]
    pub trusted_proxy_header: Option<String>,
    /// The site's public URL (https://wy.example.cn): the origin console forms may come from.
    /// Unset: the request's own Host.
    #[arg(long, env = "WUYE_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// A whole number of a setting, or the default when unset.
fn number(r: &Resolved, flag: Option<String>, name: &str, default: i64) -> Result<i64, String> {
    match r.or_file(flag, name) {
        None => Ok(default),
        Some(v) => v
            .trim()
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .ok_or_else(|| format!("{name} must be a whole number ≥ 0, not {v:?}")),
    }
}

impl Security {
    pub fn login_throttle(&self, r: &Resolved) -> Result<LoginThrottle, String> {
        let d = LoginThrottle::default();
        let window = number(
            r,
            self.login_window_secs.clone(),
            "WUYE_LOGIN_WINDOW_SECS",
            d.window.num_seconds(),
        )?;
        if window == 0 {
            return Err("WUYE_LOGIN_WINDOW_SECS must be at least 1".into());
        }
        Ok(LoginThrottle {
            window: chrono::Duration::seconds(window),
            per_source: number(
                r,
                self.login_max_per_source.clone(),
                "WUYE_LOGIN_MAX_PER_SOURCE",
                d.per_source,
            )?,
            per_account_source: number(
                r,
                self.login_max_per_account_source.clone(),
                "WUYE_LOGIN_MAX_PER_ACCOUNT_SOURCE",
                d.per_account_source,
            )?,
            per_account: number(
                r,
                self.login_max_per_account.clone(),
                "WUYE_LOGIN_MAX_PER_ACCOUNT",
                d.per_account,
            )?,
        })
    }

    pub fn trusted_proxy_header(&self, r: &Resolved) -> Result<Option<HeaderName>, String> {
        r.or_file(
            self.trusted_proxy_header.clone(),
            "WUYE_TRUSTED_PROXY_HEADER",
        )
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(|v| {
            HeaderName::from_bytes(v.to_ascii_lowercase().as_bytes())
                .map_err(|_| format!("WUYE_TRUSTED_PROXY_HEADER is not a header name: {v:?}"))
        })
        .transpose()
    }

    pub fn public_url(&self, r: &Resolved) -> Result<Option<String>, String> {
        match r.or_file(self.public_url.clone(), "WUYE_PUBLIC_URL") {
            Some(u) if wuye_web::csrf::public_origin(&u).is_none() => Err(format!(
                "WUYE_PUBLIC_URL must be a URL such as https://wy.example.cn, not {u:?}"
            )),
            other => Ok(other.filter(|u| !u.trim().is_empty())),
        }
    }
}
