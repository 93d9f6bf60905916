//! Settings from flags, `WUYE_*` environment variables and a config file, in that order of
//! precedence. The config file holds `WUYE_NAME=value` lines (the same names as the environment
//! variables), so one vocabulary serves all three.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use clap::Args;

#[derive(Args, Debug, Clone, Default)]
pub struct Common {
    /// Config file of WUYE_*=value lines.
    #[arg(long, env = "WUYE_CONFIG", global = true)]
    pub config: Option<PathBuf>,
    /// Directory for the SQLite database, uploads and the key file.
    #[arg(long, env = "WUYE_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
    /// postgres://user:pass@host:port/db to run on PostgreSQL instead of the embedded SQLite.
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
