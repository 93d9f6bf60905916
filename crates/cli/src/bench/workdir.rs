//! Where a benchmark runs and what it starts from: a throwaway directory (never the configured
//! data dir, so a benchmark cannot touch real data) holding the key, and a freshly migrated
//! database — SQLite in that directory, or a schema of its own in the PostgreSQL database the
//! benchmark was given — set up the way `wuye serve` would find them.

use std::path::PathBuf;

use wuye_core::auth;
use wuye_core::db::{Db, DbOptions};
use wuye_core::registry::{self, CommunityForCreate};
use wuye_core::shared::crypto::Crypto;
use wuye_core::shared::ids::{CommunityId, CompanyId};
use wuye_core::{Core, CoreRef, Ctx, Settings};

use super::{AnyResult, WorkDirArgs, store};

/// The PostgreSQL URL the user chose for the benchmark: `--database-url` on the command line,
/// else `WUYE_BENCH_DATABASE_URL`. The parsed value alone cannot tell: `--database-url` is also
/// the global option of every command, whose environment variable (`WUYE_DATABASE_URL`, the
/// configured server's database) clap hands down to the subcommand's option of the same name —
/// and a benchmark must never run on the configured database because it happens to be set.
fn chosen_url(parsed: Option<&str>) -> Option<String> {
    let on_command_line =
        std::env::args().any(|a| a == "--database-url" || a.starts_with("--database-url="));
    if on_command_line {
        return parsed.map(str::to_string);
    }
    let own = std::env::var("WUYE_BENCH_DATABASE_URL")
        .ok()
        .filter(|v| !v.is_empty());
    if own.is_none() && parsed.is_some() {
        println!(
            "note: WUYE_DATABASE_URL (the configured database) is not used by benchmarks; \
             give --database-url or WUYE_BENCH_DATABASE_URL to run on PostgreSQL"
        );
    }
    own
}

/// The database engine a benchmark runs on.
pub(crate) enum Engine {
    Sqlite,
    /// A schema of its own in the database of `url`, dropped by [`Engine::finish`] unless kept.
    Postgres {
        url: String,
        schema: String,
        keep: bool,
    },
}

impl Engine {
    pub(crate) fn of(name: &str, a: &WorkDirArgs) -> AnyResult<Engine> {
        match &chosen_url(a.database_url.as_deref()) {
            None => Ok(Engine::Sqlite),
            Some(url) if url.starts_with("postgres://") || url.starts_with("postgresql://") => {
                Ok(Engine::Postgres {
                    url: url.clone(),
                    // Lower-case letters, digits and `_` only: it is spliced into DDL.
                    schema: format!("wuye_bench_{name}_{}", std::process::id()),
                    keep: a.keep,
                })
            }
            Some(_) => Err(
                "--database-url takes a postgres:// URL (the default engine, SQLite, needs none)"
                    .into(),
            ),
        }
    }

    pub(crate) fn is_postgres(&self) -> bool {
        matches!(self, Engine::Postgres { .. })
    }

    /// "SQLite" or "PostgreSQL", for the benchmarks' headings.
    pub(crate) fn label(&self) -> &'static str {
        match self {
            Engine::Sqlite => "SQLite",
            Engine::Postgres { .. } => "PostgreSQL",
        }
    }

    pub(crate) fn describe(&self) -> String {
        match self {
            Engine::Sqlite => "SQLite in the working directory".into(),
            Engine::Postgres { schema, keep, .. } => format!(
                "PostgreSQL, schema {schema} of the --database-url database ({})",
                if *keep { "kept" } else { "dropped at the end" }
            ),
        }
    }

    /// What `wuye serve` is given as its database: the SQLite file, or the URL with the
    /// benchmark's schema as its `search_path`.
    pub(crate) fn server_url(&self, wd: &WorkDir) -> String {
        match self {
            Engine::Sqlite => wd.db_path().to_string_lossy().to_string(),
            Engine::Postgres { url, schema, .. } => {
                let sep = if url.contains('?') { '&' } else { '?' };
                format!("{url}{sep}options[search_path]={schema}")
            }
        }
    }

    /// A migrated database: the SQLite file of `wd`, or a new schema of the PostgreSQL database.
    pub(crate) async fn connect(&self, wd: &WorkDir) -> AnyResult<Db> {
        let db = match self {
            Engine::Sqlite => {
                Db::connect(&wd.db_path().to_string_lossy(), &DbOptions::default()).await?
            }
            Engine::Postgres { url, schema, .. } => {
                let admin = admin(url).await?;
                store::create_schema(&admin, schema).await?;
                admin.close().await;
                Db::connect(
                    url,
                    &DbOptions {
                        pg_schema: Some(schema.clone()),
                        ..DbOptions::default()
                    },
                )
                .await?
            }
        };
        db.migrate().await?;
        Ok(db)
    }

    /// Drops the benchmark's schema (unless kept); nothing to do on SQLite, whose file goes
    /// with the working directory.
    pub(crate) async fn finish(&self) -> AnyResult<()> {
        if let Engine::Postgres {
            url,
            schema,
            keep: false,
        } = self
        {
            let admin = admin(url).await?;
            store::drop_schema(&admin, schema).await?;
            admin.close().await;
            println!("dropped schema {schema}");
        } else if let Engine::Postgres { schema, .. } = self {
            println!("kept schema {schema}");
        }
        Ok(())
    }
}

/// One connection to the PostgreSQL database itself, to create or drop a benchmark's schema.
async fn admin(url: &str) -> AnyResult<Db> {
    let one = DbOptions {
        max_connections: 1,
        ..DbOptions::default()
    };
    Ok(Db::connect(url, &one).await?)
}

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

/// A migrated database (see [`Engine::connect`]) with a fresh key written to `wuye.key` in the
/// working directory, as `wuye serve` reads it, the roles and one company — what `open()` does
/// for a data dir.
pub(crate) async fn fresh_core(wd: &WorkDir, engine: &Engine) -> AnyResult<(CoreRef, CompanyId)> {
    fresh_core_with(wd, engine, Settings::default()).await
}

/// [`fresh_core`] with settings of the benchmark's own (the notification channels).
pub(crate) async fn fresh_core_with(
    wd: &WorkDir,
    engine: &Engine,
    settings: Settings,
) -> AnyResult<(CoreRef, CompanyId)> {
    let key = Crypto::generate_key_hex();
    std::fs::write(wd.path.join("wuye.key"), &key)?;
    let db = engine.connect(wd).await?;
    let core = Core::new(db, Crypto::from_hex(&key)?, settings);
    auth::ensure_roles(&core).await?;
    let company = auth::ensure_company(&core, "基准测试物业公司").await?;
    Ok((core, company))
}

/// The database of `wd` opened again, as a restarted `wuye serve` opens it: whatever the server
/// does to a database at open (SQLite: its planner statistics) it then does to the populated
/// one. Closes `core`'s pools first.
pub(crate) async fn reopen(core: CoreRef, wd: &WorkDir, engine: &Engine) -> AnyResult<CoreRef> {
    core.db.close().await;
    drop(core);
    reopen_plain(wd, engine).await
}

/// The database of `wd` opened again after its core was closed (or its server stopped).
pub(crate) async fn reopen_plain(wd: &WorkDir, engine: &Engine) -> AnyResult<CoreRef> {
    let db = match engine {
        Engine::Sqlite => {
            Db::connect(&wd.db_path().to_string_lossy(), &DbOptions::default()).await?
        }
        Engine::Postgres { url, schema, .. } => {
            Db::connect(
                url,
                &DbOptions {
                    pg_schema: Some(schema.clone()),
                    ..DbOptions::default()
                },
            )
            .await?
        }
    };
    let key = std::fs::read_to_string(wd.path.join("wuye.key"))?;
    Ok(Core::new(
        db,
        Crypto::from_hex(key.trim())?,
        Settings::default(),
    ))
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

/// A company admin (every community, every permission) the benchmark's HTTP reads log in as.
pub(crate) async fn company_admin(
    core: &Core,
    company: CompanyId,
    username: &str,
) -> AnyResult<wuye_core::shared::ids::UserId> {
    Ok(wuye_core::auth::create_user_as_system(
        core,
        company,
        wuye_core::auth::UserForCreate {
            username: username.into(),
            display_name: "总经理".into(),
            role: "company_admin".into(),
            password: "bench-password-2026".into(),
            communities: vec![],
        },
    )
    .await?
    .user
    .id)
}
