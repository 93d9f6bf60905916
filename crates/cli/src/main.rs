//! The `wuye` binary: serve, migrate, backup, restore, import, user, bench.

mod backup;
mod bench;
mod config;
mod notify_config;
mod switching;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use wuye_core::auth::{self, UserForCreate};
use wuye_core::db::{Db, DbOptions};
use wuye_core::shared::crypto::Crypto;
use wuye_core::shared::ids::CommunityId;
use wuye_core::{Core, CoreRef, Ctx, Settings, args, billing, demo, keys, registry};

use config::{Common, Resolved, Security};

#[derive(Parser)]
#[command(
    name = "wuye",
    version,
    about = "wuye 物业 — property service centre system"
)]
struct Cli {
    #[command(flatten)]
    common: Common,
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs the web console and the API.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "WUYE_LISTEN")]
        listen: Option<String>,
        /// Seeds invented demo data into an empty database.
        #[arg(long, env = "WUYE_DEMO", value_parser = clap::builder::FalseyValueParser::new())]
        demo: bool,
        /// Marks cookies Secure (behind HTTPS).
        #[arg(long, env = "WUYE_SECURE_COOKIES", value_parser = clap::builder::FalseyValueParser::new())]
        secure_cookies: bool,
        #[command(flatten)]
        security: Security,
    },
    /// Applies database migrations and exits.
    Migrate,
    /// Backs up into a new directory, while the server keeps serving: the database (SQLite's
    /// VACUUM INTO, or pg_dump of one snapshot), the key, uploaded files, and a manifest of row
    /// counts and money checksums.
    Backup {
        dir: PathBuf,
        /// Leaves the personal-data key out (keep it apart; the copy is unreadable without it).
        #[arg(long)]
        no_key: bool,
    },
    /// Restores a backup directory into an empty data dir (and, on PostgreSQL, an empty
    /// database), then checks row counts and money checksums against its manifest.
    Restore { dir: PathBuf },
    /// Imports from a spreadsheet.
    Import {
        #[command(subcommand)]
        what: ImportCmd,
    },
    /// Manages users.
    User {
        #[command(subcommand)]
        what: UserCmd,
    },
    /// Runs a benchmark and prints its figures.
    Bench {
        #[command(subcommand)]
        what: bench::BenchCmd,
    },
}

#[derive(Subcommand)]
enum ImportCmd {
    /// Imports units with their owners from .xlsx (all rows or none).
    Units {
        file: PathBuf,
        /// Community code (e.g. YGHY) or id.
        #[arg(long)]
        community: String,
    },
    /// Writes the import template.
    Template { file: PathBuf },
    /// Imports opening prepaid balances (期初预存) from .xlsx (all rows or none).
    OpeningPrepaid(switching::ImportArgs),
    /// Imports deposits held (押金) from .xlsx (all rows or none).
    Deposits(switching::ImportArgs),
    /// Imports meter baselines (抄表基数) from .xlsx (all rows or none).
    MeterBaselines(switching::ImportArgs),
    /// Writes the opening prepaid template.
    OpeningPrepaidTemplate { file: PathBuf },
    /// Writes the deposits template.
    DepositsTemplate { file: PathBuf },
    /// Writes the meter baselines template.
    MeterBaselinesTemplate { file: PathBuf },
    /// Imports opening arrears (期初欠费) from .xlsx: all rows or none; the same file twice
    /// posts nothing twice.
    OpeningArrears {
        file: PathBuf,
        /// Community code (e.g. YGHY) or id.
        #[arg(long)]
        community: String,
        /// Checks every row and prints the totals, writing nothing.
        #[arg(long)]
        preview: bool,
    },
    /// Writes the opening-arrears template (with the community's fee items as a drop-down
    /// when `--community` is given).
    OpeningArrearsTemplate {
        file: PathBuf,
        #[arg(long)]
        community: Option<String>,
    },
}

#[derive(Subcommand)]
enum UserCmd {
    /// Creates a user (the first one creates the company too).
    Create {
        #[arg(long)]
        username: String,
        #[arg(long)]
        name: String,
        /// company_admin, project_manager, service_agent, technician, security, cleaning, cashier, quality_auditor, owner, committee
        #[arg(long, default_value = "company_admin")]
        role: String,
        #[arg(long, env = "WUYE_NEW_PASSWORD", hide_env_values = true)]
        password: String,
        /// Community codes or ids (repeatable).
        #[arg(long)]
        community: Vec<String>,
    },
    /// Creates an API token for a user and prints it.
    Token {
        username: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// An error as the operator should read it: input problems in Chinese, naming the field.
fn describe(e: &(dyn std::error::Error + Send + Sync + 'static)) -> String {
    let l = wuye_web::locale::Locale::Zh;
    match e.downcast_ref::<wuye_core::CoreError>() {
        Some(wuye_core::CoreError::Invalid(errs)) => errs
            .iter()
            .map(|f| l.field_error(&f.field, f.code, &f.params))
            .collect::<Vec<_>>()
            .join("；"),
        Some(wuye_core::CoreError::Conflict(f)) => l.field_error(&f.field, f.code, &f.params),
        _ => e.to_string(),
    }
}

/// A progress bar for a long import.
fn progress_bar(msg: &'static str) -> AnyResult<ProgressBar> {
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")?
            .progress_chars("=> "),
    );
    bar.set_message(msg);
    Ok(bar)
}

/// What an opening-arrears import did (or, previewed, would do), or its errors by row.
fn print_opening(r: &billing::opening::OpeningReport, secs: f64) {
    let yuan = |f: i64| wuye_core::shared::money::Money(f).to_string();
    if !r.errors.is_empty() {
        let l = wuye_web::locale::Locale::Zh;
        println!(
            "未导入任何数据 / nothing imported: {} errors",
            r.errors.len()
        );
        for e in &r.errors {
            println!(
                "  第 {} 行 [{}] {}",
                e.row,
                e.column,
                l.field_error("", &e.code, &e.params)
            );
        }
        return;
    }
    let what = match (r.replayed, r.preview) {
        (true, _) => "此文件已导入过，未重复入账 / imported before, nothing posted twice",
        (false, true) => "预览，未写入 / preview, nothing written",
        (false, false) => "导入成功 / imported",
    };
    println!(
        "{what}: {} rows, {} units, switch date {}, outstanding ¥{}, late fees ¥{} (amounts ¥{}, paid before ¥{}), {} charges + {} late-fee charges in {secs:.2} s",
        r.rows,
        r.units,
        r.switch_date,
        yuan(r.outstanding_fen),
        yuan(r.late_fee_fen),
        yuan(r.amount_fen),
        yuan(r.paid_fen),
        r.charges_created,
        r.late_fee_charges_created,
    );
    for t in &r.by_fee_item {
        println!(
            "  {}（{}）: {} lines, ¥{} + late fees ¥{}",
            t.name,
            t.code,
            t.lines,
            yuan(t.outstanding_fen),
            yuan(t.late_fee_fen)
        );
    }
}

/// Reads a file, naming it when that fails.
fn read_file(path: &Path) -> AnyResult<Vec<u8>> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()).into())
}

// The server allocates for every request (rows, JSON, HTTP buffers) on two threads; mimalloc's
// thread-local free lists took glibc malloc's 7–8 % of the server's CPU under the request
// benchmarks (docs/benchmarks.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("WUYE_LOG").unwrap_or_else(|_| {
                tracing_subscriber::EnvFilter::new("info,sqlx=warn,tower_http=warn")
            }),
        )
        .init();
    let cli = Cli::parse();
    if let Err(e) = run(cli).await {
        eprintln!("错误 / error: {}", describe(e.as_ref()));
        std::process::exit(1);
    }
}

/// Loads the personal-data key: configured, or the data dir's key file, created on first use.
/// Loads the personal-data key: configured, or the data dir's key file. A fresh database gets a
/// generated key file; a database that already holds encrypted data never does (its key must be
/// restored, or every phone and ID number in it would be lost).
async fn load_key(r: &Resolved, db: &Db) -> AnyResult<Crypto> {
    if let Some(k) = &r.key {
        return Ok(Crypto::from_hex(k)?);
    }
    let path = r.data_dir.join("wuye.key");
    if path.exists() {
        return Ok(Crypto::from_hex(&std::fs::read_to_string(&path)?)?);
    }
    if keys::stored_fingerprint(db).await?.is_some() || keys::has_encrypted_data(db).await? {
        return Err(format!(
            "no personal-data key: {} is missing and WUYE_KEY is not set, but this database holds data \
             encrypted with a key. Restore the key file from your backup (or set WUYE_KEY).",
            path.display()
        )
        .into());
    }
    std::fs::create_dir_all(&r.data_dir)?;
    let key = Crypto::generate_key_hex();
    write_private(&path, &key)?;
    tracing::warn!(
        path = %path.display(),
        "no key configured: generated a new personal-data key file. Back it up — without it phone and ID numbers cannot be read."
    );
    Ok(Crypto::from_hex(&key)?)
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}

pub async fn open(r: &Resolved) -> AnyResult<CoreRef> {
    open_with(r, auth::LoginThrottle::default()).await
}

/// Opens the database with the login throttle of `serve`'s settings.
async fn open_with(r: &Resolved, login_throttle: auth::LoginThrottle) -> AnyResult<CoreRef> {
    if !r.database_url.starts_with("postgres") {
        std::fs::create_dir_all(&r.data_dir)?;
        // The database holds personal data: readable by its owner only (SQLite gives the WAL
        // and shared-memory files the same mode).
        let file = Path::new(
            r.database_url
                .strip_prefix("sqlite://")
                .unwrap_or(&r.database_url),
        );
        if !file.exists() {
            write_private(file, "")?;
        }
    }
    let pool = r.number(
        "WUYE_DATABASE_POOL",
        u64::from(wuye_core::db::default_pool_size()),
        1,
        1_000,
    )?;
    let db = Db::connect(
        &r.database_url,
        &DbOptions {
            max_connections: pool as u32,
            ..DbOptions::default()
        },
    )
    .await?;
    db.migrate().await?;
    let crypto = load_key(r, &db).await?;
    keys::check(&db, &crypto).await?;
    let core = Core::new(
        db,
        crypto,
        Settings {
            files_dir: r.data_dir.join("files"),
            login_throttle,
            backdate_window: chrono::Duration::days(
                r.number("WUYE_BACKDATE_DAYS", 7, 0, 366)? as i64
            ),
            pdf_font: r
                .text("WUYE_PDF_FONT")
                .map(std::path::PathBuf::from)
                .unwrap_or_else(|| Settings::default().pdf_font),
            channels: notify_config::channels(r)?,
            ..Settings::default()
        },
    );
    auth::ensure_roles(&core).await?;
    wuye_core::tickets::ensure_categories(&core).await?;
    wuye_core::incidents::ensure_plans(&core).await?;
    Ok(core)
}

async fn community_by_ref(
    core: &Core,
    r: &str,
) -> AnyResult<(CommunityId, wuye_core::shared::ids::CompanyId)> {
    let row: Option<(CommunityId, wuye_core::shared::ids::CompanyId)> = match r.parse::<i64>() {
        Ok(id) => {
            core.db
                .read()
                .fetch_optional(
                    "SELECT id, company_id FROM communities WHERE id = $1",
                    args![id],
                )
                .await?
        }
        Err(_) => {
            core.db
                .read()
                .fetch_optional(
                    "SELECT id, company_id FROM communities WHERE code = $1",
                    args![r.to_uppercase()],
                )
                .await?
        }
    };
    row.ok_or_else(|| format!("unknown community: {r}").into())
}

async fn run(cli: Cli) -> AnyResult<()> {
    let r = cli.common.resolve()?;
    match cli.cmd {
        Cmd::Serve {
            listen,
            demo: want_demo,
            secure_cookies,
            security,
        } => {
            let started = Instant::now();
            let listen = r
                .or_file(listen, "WUYE_LISTEN")
                .unwrap_or_else(|| "127.0.0.1:8080".into());
            let truthy = |name: &str| {
                r.file
                    .get(name)
                    .is_some_and(|v| matches!(v.as_str(), "true" | "1" | "yes" | "on"))
            };
            let want_demo = want_demo || truthy("WUYE_DEMO");
            let secure_cookies = secure_cookies || truthy("WUYE_SECURE_COOKIES");
            let login_throttle = security.login_throttle(&r)?;
            let trusted_proxy_header = security.trusted_proxy_header(&r)?;
            let public_url = security.public_url(&r)?;
            let core = open_with(&r, login_throttle).await?;
            if want_demo && !demo::is_seeded(&core).await? {
                println!("正在生成演示数据 / seeding demo data …");
                let t = Instant::now();
                demo::seed(&core).await?;
                println!(
                    "演示数据已生成 / demo data ready in {:.1} s",
                    t.elapsed().as_secs_f64()
                );
            }
            let cfg = wuye_web::WebConfig {
                secure_cookies,
                trusted_proxy_header,
                public_url,
                ..Default::default()
            };
            let app = wuye_web::app(Arc::clone(&core), cfg);
            let listener = tokio::net::TcpListener::bind(&listen).await?;
            let addr = listener.local_addr()?;
            let backend = if r.database_url.starts_with("postgres") {
                "PostgreSQL".to_string()
            } else {
                format!("SQLite {}", r.database_url)
            };
            println!(
                "wuye 已启动 / listening on http://{addr}  ({backend}, ready in {} ms)",
                started.elapsed().as_millis()
            );
            println!("API 文档 / API docs: http://{addr}/api/docs");
            if want_demo {
                println!(
                    "演示账号 / demo logins (password: {}):",
                    demo::DEMO_PASSWORD
                );
                for (u, name, role) in demo::DEMO_USERS {
                    println!("  {u:<10} {name}  ({role})");
                }
            }
            // Every node runs the SLA scanner (every WUYE_SCAN_SECONDS, default 30); the job
            // lease lets one of them scan at a time.
            let scanner = wuye_core::tickets::spawn_scanner(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number("WUYE_SCAN_SECONDS", 30, 1, 86_400)?),
            );
            // Late fees accrue once a day per community (the claim is in the database).
            let late_fees = wuye_core::billing::spawn_late_fees(
                Arc::clone(&core),
                std::time::Duration::from_secs(600),
            );
            // Old idempotency keys go once they can no longer meet a retry.
            let housekeeping = wuye_core::shared::jobs::spawn_housekeeping(
                Arc::clone(&core),
                std::time::Duration::from_secs(3600),
            );
            // Every node sends the outbox; each message is leased to one of them at a time.
            let outbox = wuye_core::notify::worker::spawn(
                Arc::clone(&core),
                wuye_core::shared::jobs::node_name(),
                notify_config::worker(&r)?,
            );
            // Scheduled notices tell their readers when they show (each claimed by one node).
            let notices = wuye_core::community::announcements::spawn_scheduler(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number("WUYE_NOTICE_SECONDS", 30, 1, 3600)?),
            );
            // Patrol tasks are generated a day ahead and rounds past their end swept (each
            // community's day and each round claimed once across nodes).
            let patrols = wuye_core::patrols::spawn_patrol_job(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number("WUYE_PATROL_SECONDS", 60, 1, 3600)?),
            );
            // Incidents nobody acknowledged in time tell the next level of their plan's ladder
            // (under one lease, each level once).
            let escalations = wuye_core::incidents::spawn_escalations(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number("WUYE_INCIDENT_SECONDS", 30, 1, 3600)?),
            );
            // Maintenance orders made ahead from the plans, overdue ones flagged and told once.
            let maintenance = wuye_core::equipment::spawn_maintenance(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number(
                    "WUYE_MAINTENANCE_SECONDS",
                    300,
                    5,
                    86_400,
                )?),
            );
            // Keys out past their due time are told to their borrower and keeper, once.
            let frontdesk = wuye_core::frontdesk::spawn_frontdesk_job(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number(
                    "WUYE_FRONTDESK_SECONDS",
                    60,
                    5,
                    86_400,
                )?),
            );
            // Rectification tasks past their deadline are told to their owner and auditors, once.
            let quality = wuye_core::quality::spawn_quality_job(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number("WUYE_QUALITY_SECONDS", 300, 5, 86_400)?),
            );
            // The company dashboard's kept figures of each community are recomputed once out of date.
            let dashboard = wuye_core::dashboard::spawn_dashboard_job(
                Arc::clone(&core),
                std::time::Duration::from_secs(r.number(
                    "WUYE_DASHBOARD_SECONDS",
                    120,
                    5,
                    86_400,
                )?),
            );
            // The peer address is the login throttle's source when no proxy header is trusted.
            let app = app.into_make_service_with_connect_info::<std::net::SocketAddr>();
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await?;
            scanner.abort();
            late_fees.abort();
            housekeeping.abort();
            outbox.abort();
            notices.abort();
            patrols.abort();
            escalations.abort();
            maintenance.abort();
            frontdesk.abort();
            quality.abort();
            dashboard.abort();
            core.db.close().await;
        }
        Cmd::Migrate => {
            open(&r).await?;
            println!("migrations applied");
        }
        Cmd::Backup { dir, no_key } => backup::backup(&r, &dir, !no_key).await?,
        Cmd::Restore { dir } => backup::restore(&r, &dir).await?,
        Cmd::Import {
            what: ImportCmd::Template { file },
        } => {
            std::fs::write(&file, registry::import::template_xlsx()?)?;
            println!("template written to {}", file.display());
        }
        Cmd::Import {
            what: ImportCmd::OpeningPrepaid(a),
        } => switching::import(&r, switching::Kind::OpeningPrepaid, a).await?,
        Cmd::Import {
            what: ImportCmd::Deposits(a),
        } => switching::import(&r, switching::Kind::Deposits, a).await?,
        Cmd::Import {
            what: ImportCmd::MeterBaselines(a),
        } => switching::import(&r, switching::Kind::MeterBaselines, a).await?,
        Cmd::Import {
            what: ImportCmd::OpeningPrepaidTemplate { file },
        } => switching::template(switching::Kind::OpeningPrepaid, &file)?,
        Cmd::Import {
            what: ImportCmd::DepositsTemplate { file },
        } => switching::template(switching::Kind::Deposits, &file)?,
        Cmd::Import {
            what: ImportCmd::MeterBaselinesTemplate { file },
        } => switching::template(switching::Kind::MeterBaselines, &file)?,
        Cmd::Import {
            what: ImportCmd::Units { file, community },
        } => {
            let core = open(&r).await?;
            let (community, company) = community_by_ref(&core, &community).await?;
            let bytes = read_file(&file)?;
            let bar = ProgressBar::new(0);
            bar.set_style(
                ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")?
                    .progress_chars("=> "),
            );
            bar.set_message("导入中 / importing");
            let b2 = bar.clone();
            let progress = move |done: usize, total: usize| {
                b2.set_length(total as u64);
                b2.set_position(done as u64);
            };
            let t = Instant::now();
            let report = registry::import::import_units_xlsx(
                &core,
                &Ctx::system_as(company, "import"),
                community,
                &bytes,
                &progress,
            )
            .await?;
            bar.finish_and_clear();
            if report.errors.is_empty() {
                println!(
                    "导入成功 / imported: {} rows, {} buildings, {} units, {} new people, {} existing people linked in {:.2} s",
                    report.rows,
                    report.buildings_created,
                    report.units_created,
                    report.people_created,
                    report.people_linked,
                    t.elapsed().as_secs_f64()
                );
            } else {
                let l = wuye_web::locale::Locale::Zh;
                println!(
                    "未导入任何数据 / nothing imported: {} errors",
                    report.errors.len()
                );
                for e in &report.errors {
                    println!(
                        "  第 {} 行 [{}] {}",
                        e.row,
                        e.column,
                        l.field_error("", &e.code, &e.params)
                    );
                }
                std::process::exit(2);
            }
        }
        Cmd::Import {
            what: ImportCmd::OpeningArrearsTemplate { file, community },
        } => {
            let bytes = match community {
                Some(code) => {
                    let core = open(&r).await?;
                    let (c, company) = community_by_ref(&core, &code).await?;
                    billing::opening::opening_template_xlsx(
                        &core,
                        &Ctx::system_as(company, "import"),
                        c,
                    )
                    .await?
                }
                None => billing::opening::blank_opening_template_xlsx()?,
            };
            std::fs::write(&file, bytes)?;
            println!("template written to {}", file.display());
        }
        Cmd::Import {
            what:
                ImportCmd::OpeningArrears {
                    file,
                    community,
                    preview,
                },
        } => {
            let core = open(&r).await?;
            let (community, company) = community_by_ref(&core, &community).await?;
            let bytes = read_file(&file)?;
            let bar = progress_bar("导入中 / importing")?;
            let b2 = bar.clone();
            let progress = move |done: usize, total: usize| {
                b2.set_length(total as u64);
                b2.set_position(done as u64);
            };
            let t = Instant::now();
            let report = billing::opening::import_opening_xlsx(
                &core,
                &Ctx::system_as(company, "import"),
                community,
                &bytes,
                preview,
                &progress,
            )
            .await?;
            bar.finish_and_clear();
            print_opening(&report, t.elapsed().as_secs_f64());
            if !report.errors.is_empty() {
                std::process::exit(2);
            }
        }
        Cmd::User {
            what:
                UserCmd::Create {
                    username,
                    name,
                    role,
                    password,
                    community,
                },
        } => {
            let core = open(&r).await?;
            let company = auth::ensure_company(&core, "物业服务公司").await?;
            let mut communities = Vec::new();
            for c in &community {
                communities.push(community_by_ref(&core, c).await?.0);
            }
            let u = auth::create_user_as_system(
                &core,
                company,
                UserForCreate {
                    username,
                    display_name: name,
                    role,
                    password,
                    communities,
                },
            )
            .await?;
            println!(
                "user {} created (id {}); the password must be changed at first login",
                u.user.username, u.user.id
            );
        }
        Cmd::User {
            what: UserCmd::Token { username, name },
        } => {
            let core = open(&r).await?;
            let id = auth::user_id_by_username(&core, &username)
                .await?
                .ok_or("unknown user")?;
            let ctx = auth::load_ctx(&core, id).await?;
            let (_, token) = auth::create_api_token(&core, &ctx, &name).await?;
            println!("{token}");
        }
        Cmd::Bench { what } => bench::run(what).await?,
    }
    Ok(())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
    tracing::info!("shutting down");
}
