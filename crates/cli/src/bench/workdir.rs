//! Where a benchmark runs and what it starts from: a throwaway directory (never the configured
//! data dir, so a benchmark cannot touch real data) holding a freshly migrated database and key,
//! set up the way `wuye serve` would find them.

use std::path::PathBuf;

use wuye_core::auth;
use wuye_core::db::{Db, DbOptions};
use wuye_core::registry::{self, CommunityForCreate};
use wuye_core::shared::crypto::Crypto;
use wuye_core::shared::ids::{CommunityId, CompanyId};
use wuye_core::{Core, CoreRef, Ctx, Settings};

use super::{AnyResult, WorkDirArgs};

/// The benchmark's directory; deleted on drop (errors included) unless kept.
pub(crate) struct WorkDir {
    pub(crate) path: PathBuf,
    keep: bool,
    /// Created by us (removed whole) or given empty (only its contents removed).
    created: bool,
}

impl WorkDir {
    pub(crate) fn new(name: &str, a: &WorkDirArgs) -> AnyResult<WorkDir> {
        let path = match &a.dir {
            Some(d) => d.clone(),
            None => std::env::temp_dir().join(format!("wuye-bench-{name}-{}", std::process::id())),
        };
        let created = if path.exists() {
            if std::fs::read_dir(&path)?.next().is_some() {
                return Err(format!(
                    "{} is not empty: a benchmark needs a fresh directory (it deletes its contents afterwards)",
                    path.display()
                )
                .into());
            }
            false
        } else {
            std::fs::create_dir_all(&path)?;
            true
        };
        println!(
            "working directory: {}{}",
            path.display(),
            if a.keep {
                " (kept)"
            } else {
                " (deleted at the end)"
            }
        );
        Ok(WorkDir {
            path,
            keep: a.keep,
            created,
        })
    }

    pub(crate) fn db_path(&self) -> PathBuf {
        self.path.join("wuye.db")
    }
}

impl Drop for WorkDir {
    fn drop(&mut self) {
        if self.keep {
            println!("kept {}", self.path.display());
            return;
        }
        let res = if self.created {
            std::fs::remove_dir_all(&self.path)
        } else {
            std::fs::read_dir(&self.path).and_then(|entries| {
                for e in entries {
                    let p = e?.path();
                    if p.is_dir() {
                        std::fs::remove_dir_all(&p)?
                    } else {
                        std::fs::remove_file(&p)?
                    }
                }
                Ok(())
            })
        };
        if let Err(e) = res {
            eprintln!("could not delete {}: {e}", self.path.display());
        }
    }
}

/// A migrated database in `dir` with a fresh key (written to `wuye.key` as `wuye serve` reads
/// it), the roles and one company — what `open()` does for a data dir.
pub(crate) async fn fresh_core(wd: &WorkDir) -> AnyResult<(CoreRef, CompanyId)> {
    let key = Crypto::generate_key_hex();
    std::fs::write(wd.path.join("wuye.key"), &key)?;
    let db = Db::connect(&wd.db_path().to_string_lossy(), &DbOptions::default()).await?;
    db.migrate().await?;
    let core = Core::new(db, Crypto::from_hex(&key)?, Settings::default());
    auth::ensure_roles(&core).await?;
    let company = auth::ensure_company(&core, "基准测试物业公司").await?;
    Ok((core, company))
}

pub(crate) async fn new_community(
    core: &Core,
    company: CompanyId,
    code: &str,
    name: &str,
) -> AnyResult<CommunityId> {
    let c = registry::create_community(
        core,
        &Ctx::system(company),
        CommunityForCreate {
            code: code.into(),
            name: name.into(),
            address: None,
            timezone: None,
        },
    )
    .await?;
    Ok(c.id)
}

/// A migrated PostgreSQL database given by URL (a throwaway one: what the benchmark writes
/// stays), with the roles and one company; the key lives in the working directory.
pub(crate) async fn postgres_core(wd: &WorkDir, url: &str) -> AnyResult<(CoreRef, CompanyId)> {
    let key = Crypto::generate_key_hex();
    std::fs::write(wd.path.join("wuye.key"), &key)?;
    let db = Db::connect(url, &DbOptions::default()).await?;
    db.migrate().await?;
    let core = Core::new(db, Crypto::from_hex(&key)?, Settings::default());
    auth::ensure_roles(&core).await?;
    let company = auth::ensure_company(&core, "基准测试物业公司").await?;
    Ok((core, company))
}
