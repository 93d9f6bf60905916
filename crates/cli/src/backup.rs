//! `wuye backup DIR` and `wuye restore DIR`, for both engines.
//!
//! A backup is a directory: the database (`wuye.db`, SQLite's `VACUUM INTO` of one snapshot, or
//! `wuye.pgdump`, `pg_dump --format=custom` of the snapshot the manifest was taken in), the
//! personal-data key (`wuye.key`, unless `--no-key`: without it no phone or ID number in the copy
//! can be read), the uploaded files (`files/`, request photos), and `manifest.json`: every
//! table's row count and a checksum of each money table (`wuye_core::backup`). A restore goes
//! only into an empty target, then takes the manifest of what it restored and refuses to call
//! it done unless it matches.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use wuye_core::backup::{self, Manifest};
use wuye_core::db::{Db, DbOptions};

use crate::config::Resolved;
use crate::{AnyResult, open, write_private};

const MANIFEST: &str = "manifest.json";
const SQLITE_FILE: &str = "wuye.db";
const PG_FILE: &str = "wuye.pgdump";
const KEY_FILE: &str = "wuye.key";
const FILES_DIR: &str = "files";

fn is_postgres(r: &Resolved) -> bool {
    r.database_url.starts_with("postgres")
}

fn sqlite_path(r: &Resolved) -> PathBuf {
    PathBuf::from(
        r.database_url
            .strip_prefix("sqlite://")
            .unwrap_or(&r.database_url),
    )
}

pub async fn backup(r: &Resolved, dir: &Path, with_key: bool) -> AnyResult<()> {
    if dir.exists() && std::fs::read_dir(dir)?.next().is_some() {
        return Err(format!(
            "{} is not empty: a backup goes into a new directory",
            dir.display()
        )
        .into());
    }
    let started = Instant::now();
    let core = open(r).await?;
    create_private_dir(dir)?;
    let manifest = if is_postgres(r) {
        let mut tx = core.db.begin_snapshot().await?;
        let snapshot = backup::export_snapshot(&mut tx).await?;
        let (url, password) = split_password(&r.database_url);
        let dest = dir.join(PG_FILE);
        // pg_dump writes into the file as it finds it, keeping its mode: the dump holds personal data.
        write_private(&dest, "")?;
        let dump = tokio::task::spawn_blocking(move || {
            let mut c = pg_tool("pg_dump");
            c.args(["--format=custom", "--no-owner", "--no-privileges"])
                .arg(format!("--snapshot={snapshot}"))
                .arg(format!("--file={}", dest.display()))
                .arg(format!("--dbname={url}"));
            run_tool(c, password.as_deref())
        });
        let manifest = backup::manifest_in(&mut tx).await;
        let dumped = dump.await?;
        tx.commit().await?;
        dumped?;
        manifest?
    } else {
        let dest = dir.join(SQLITE_FILE);
        // VACUUM INTO fills an empty file and keeps its mode: the copy holds personal data.
        write_private(&dest, "")?;
        core.db.backup_sqlite(&dest).await?;
        // The manifest of the copy itself: it holds exactly the snapshot VACUUM INTO read.
        let copy = Db::connect(&dest.to_string_lossy(), &DbOptions::default()).await?;
        let m = backup::manifest(&copy).await;
        copy.close().await;
        drop(copy);
        // Reading the copy in WAL mode left an empty log and its index behind; a log with
        // frames in it (never, for a copy only read) stays.
        let wal = dest.with_extension("db-wal");
        if std::fs::metadata(&wal).is_ok_and(|m| m.len() == 0) {
            let _ = std::fs::remove_file(&wal);
            let _ = std::fs::remove_file(dest.with_extension("db-shm"));
        }
        m?
    };
    core.db.close().await;
    if with_key {
        let key = match &r.key {
            Some(k) => k.clone(),
            None => std::fs::read_to_string(r.data_dir.join(KEY_FILE))?,
        };
        write_private(&dir.join(KEY_FILE), key.trim())?;
    }
    let files = copy_tree(&r.data_dir.join(FILES_DIR), &dir.join(FILES_DIR))?;
    std::fs::write(dir.join(MANIFEST), serde_json::to_string_pretty(&manifest)?)?;
    println!(
        "已备份 / backed up to {}: {} tables, {} rows, {} money tables with checksums, {} files{}, in {:.1} s",
        dir.display(),
        manifest.tables.len(),
        manifest.rows(),
        manifest.money.len(),
        files,
        if with_key {
            ""
        } else {
            " (without the key: keep it apart, the copy cannot be read without it)"
        },
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

pub async fn restore(r: &Resolved, dir: &Path) -> AnyResult<()> {
    let started = Instant::now();
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(dir.join(MANIFEST))
            .map_err(|e| format!("{}: no {MANIFEST} ({e}): not a wuye backup", dir.display()))?,
    )?;
    let engine = if is_postgres(r) { "postgres" } else { "sqlite" };
    if manifest.engine != engine {
        return Err(format!(
            "this backup is of a {} database; the configured database is {engine}",
            manifest.engine
        )
        .into());
    }
    let files_dest = r.data_dir.join(FILES_DIR);
    if files_dest.exists() && std::fs::read_dir(&files_dest)?.next().is_some() {
        return Err(format!(
            "{} is not empty: restore into a fresh data dir",
            files_dest.display()
        )
        .into());
    }
    let key_dest = r.data_dir.join(KEY_FILE);
    let key_src = dir.join(KEY_FILE);
    if r.key.is_none() && !key_src.exists() && !key_dest.exists() {
        return Err(
            "the backup holds no key (taken with --no-key): put the key file in the data dir or set WUYE_KEY first".into(),
        );
    }
    std::fs::create_dir_all(&r.data_dir)?;
    if is_postgres(r) {
        let db = Db::connect(&r.database_url, &DbOptions::default()).await?;
        let empty = backup::is_empty(&db).await?;
        db.close().await;
        if !empty {
            return Err(
                "the configured PostgreSQL database has tables: restore into an empty database"
                    .into(),
            );
        }
        let (url, password) = split_password(&r.database_url);
        let src = dir.join(PG_FILE);
        tokio::task::spawn_blocking(move || {
            let mut c = pg_tool("pg_restore");
            c.args([
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
            ])
            .arg(format!("--dbname={url}"))
            .arg(src);
            run_tool(c, password.as_deref())
        })
        .await??;
    } else {
        let dest = sqlite_path(r);
        if dest.exists() && std::fs::metadata(&dest)?.len() > 0 {
            return Err(format!("{} exists: restore into a fresh data dir", dest.display()).into());
        }
        let _ = std::fs::remove_file(&dest);
        write_private(&dest, "")?;
        std::fs::copy(dir.join(SQLITE_FILE), &dest)?;
    }
    if r.key.is_none() && !key_dest.exists() {
        write_private(&key_dest, std::fs::read_to_string(&key_src)?.trim())?;
    }
    let files = copy_tree(&dir.join(FILES_DIR), &files_dest)?;
    // Opening checks the key against the database's fingerprint and applies newer migrations.
    let core = open(r).await?;
    let restored = backup::manifest(&core.db).await?;
    core.db.close().await;
    let differences = manifest.differences(&restored);
    if !differences.is_empty() {
        return Err(format!(
            "the restored database differs from the backup's manifest:\n  {}",
            differences.join("\n  ")
        )
        .into());
    }
    println!(
        "已恢复并校验 / restored and verified: {} tables, {} rows, {} money tables match their checksums, {} files, in {:.1} s",
        manifest.tables.len(),
        manifest.rows(),
        manifest.money.len(),
        files,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

/// `pg_dump` or `pg_restore`: `WUYE_PG_BIN_DIR/<tool>` when set, else the one on the PATH
/// (Debian's wrapper picks the newest installed).
fn pg_tool(name: &str) -> Command {
    match std::env::var_os("WUYE_PG_BIN_DIR") {
        Some(d) => Command::new(Path::new(&d).join(name)),
        None => Command::new(name),
    }
}

/// Runs a PostgreSQL tool with the password in its environment, never on its command line
/// (where `ps` shows it).
fn run_tool(mut c: Command, password: Option<&str>) -> AnyResult<()> {
    if let Some(p) = password {
        c.env("PGPASSWORD", p);
    }
    let name = c.get_program().to_string_lossy().to_string();
    let out = c
        .output()
        .map_err(|e| format!("cannot run {name} ({e}): install PostgreSQL's client tools"))?;
    if !out.status.success() {
        return Err(format!(
            "{name} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        )
        .into());
    }
    Ok(())
}

/// The URL without its password, and the password percent-decoded.
fn split_password(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://") else {
        return (url.to_string(), None);
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_string(), None);
    };
    let Some(colon) = rest[..at].find(':') else {
        return (url.to_string(), None);
    };
    let password = percent_decode(&rest[colon + 1..at]);
    let stripped = format!(
        "{}{}{}",
        &url[..scheme_end + 3],
        &rest[..colon],
        &rest[at..]
    );
    (stripped, Some(password))
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(v) = u8::from_str_radix(&s[i + 1..i + 3], 16)
        {
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(unix)]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)
}

#[cfg(not(unix))]
fn create_private_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)
}

/// Copies a directory tree (absent: nothing); returns the number of files copied.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<u64> {
    if !from.is_dir() {
        return Ok(0);
    }
    std::fs::create_dir_all(to)?;
    let mut n = 0;
    for e in std::fs::read_dir(from)? {
        let e = e?;
        let dest = to.join(e.file_name());
        if e.file_type()?.is_dir() {
            n += copy_tree(&e.path(), &dest)?;
        } else {
            std::fs::copy(e.path(), &dest)?;
            n += 1;
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_password_leaves_the_url_for_the_environment() {
        assert_eq!(
            split_password("postgres://app:s%40cret@127.0.0.1:5432/app?sslmode=disable"),
            (
                "postgres://app@127.0.0.1:5432/app?sslmode=disable".to_string(),
                Some("s@cret".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://app:pw@h1:5432,h2:5433/app?target_session_attrs=read-write"),
            (
                "postgres://app@h1:5432,h2:5433/app?target_session_attrs=read-write".to_string(),
                Some("pw".to_string())
            )
        );
        assert_eq!(
            split_password("postgres://app@127.0.0.1/app"),
            ("postgres://app@127.0.0.1/app".to_string(), None)
        );
        assert_eq!(
            split_password("postgres:///app?host=/run/postgresql"),
            ("postgres:///app?host=/run/postgresql".to_string(), None)
        );
    }
}
