//! `wuye bench …`: the benchmarks of issue #2, and `requests` of the requests and work orders
//! issue, runnable by anyone on their own machine.
//!
//! Each benchmark works in a fresh working directory (default: the system temp dir's
//! `wuye-bench-<name>-<pid>`; a given `--dir` must be absent or empty) on its own SQLite database
//! and key, never in the configured data dir, and deletes it at the end unless `--keep`. Each
//! prints its figures and PASS/FAIL against the target, and exits non-zero when a target is
//! missed. The figures only mean something for a release build (`cargo build --release`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::Utc;
use clap::Subcommand;
use rust_xlsxwriter::{Format, Workbook};
use wuye_core::auth::{self, UserForCreate};
use wuye_core::db::{Args, Db, DbOptions, Value};
use wuye_core::registry::{self, CommunityForCreate, HitKind, Relation};
use wuye_core::shared::crypto::Crypto;
use wuye_core::shared::ids::{CommunityId, CompanyId};
use wuye_core::shared::values::IdNumber;
use wuye_core::{Core, CoreRef, Ctx, Settings, args};

type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Where a benchmark works.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkDirArgs {
    /// Working directory; must be absent or empty, and is deleted afterwards
    /// (default: <temp dir>/wuye-bench-<name>-<pid>).
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keeps the working directory (database, key, workbook, server logs) afterwards.
    #[arg(long)]
    keep: bool,
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Imports a generated .xlsx of units with owners (target: 100,000 rows in ≤ 10 s).
    Import {
        /// Data rows (units, each with an owner).
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Searches a registry of 1,000,000 people in 2 communities (target: p99 ≤ 20 ms).
    Search {
        /// People to populate (units: 2 per 5 people).
        #[arg(long, default_value_t = 1_000_000)]
        people: usize,
        /// Queries to time: 1/3 unit-number prefixes, 1/3 name prefixes, 1/3 phones.
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        /// Skips ANALYZE after populating (what a database that never ran it sees).
        #[arg(long)]
        no_analyze: bool,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Starts `wuye serve` on a large database, 3 times (targets: ready ≤ 1 s, idle RSS ≤ 60 MB).
    Startup {
        /// Database size to build, in MiB.
        #[arg(long, default_value_t = 1024)]
        size_mb: u64,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Requests and work orders: registering over the API (target ≥ 3,000/s, p99 ≤ 50 ms), the
    /// agent's open requests (≥ 5,000/s), and an SLA scanner pass over 1,000,000 requests (≤ 1 s).
    Requests {
        /// Seconds of load for each API benchmark, after a 1.5 s warm-up.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent keep-alive connections, each with one request in flight.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Requests (two clocks each) to populate for the scanner, spread over a year.
        #[arg(long, default_value_t = 1_000_000)]
        requests: usize,
        /// Of which still open.
        #[arg(long, default_value_t = 50_000)]
        open: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Billing: a bill run of 200,000 units × 5 items (target ≤ 5 s and ≤ 2× a plain batched
    /// INSERT of the same rows, peak RSS ≤ 300 MB), and what a unit owes and its statement
    /// (p99 ≤ 10 ms).
    Billing {
        #[arg(long, default_value_t = 200_000)]
        units: usize,
        /// Monthly runs stored before the lookups (10 × 1,000,000 charges by default); the
        /// baseline's rows stay in place of the first run's.
        #[arg(long, default_value_t = 10)]
        periods: usize,
        /// Units looked up for the owed and statement timings.
        #[arg(long, default_value_t = 2000)]
        lookups: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
}

pub async fn run(r: &crate::config::Resolved, cmd: BenchCmd) -> AnyResult<()> {
    if r.database_url.starts_with("postgres") {
        println!(
            "note: benchmarks always run on SQLite in their own directory; the configured database is not used"
        );
    }
    if cfg!(debug_assertions) {
        println!(
            "WARNING: debug build — the figures are not representative; use `cargo build --release`"
        );
    }
    println!(
        "machine: {} cores, load average {}",
        cores(),
        load_average()
    );
    match cmd {
        BenchCmd::Import { rows, work } => bench_import(rows, &work).await,
        BenchCmd::Search {
            people,
            queries,
            no_analyze,
            work,
        } => bench_search(people, queries, !no_analyze, &work).await,
        BenchCmd::Startup { size_mb, work } => bench_startup(size_mb, &work).await,
        BenchCmd::Requests {
            seconds,
            connections,
            requests,
            open,
            work,
        } => bench_requests(seconds, connections.max(1), requests, open, &work).await,
        BenchCmd::Billing {
            units,
            periods,
            lookups,
            work,
        } => {
            crate::bench_billing::bench_billing(units, periods.clamp(1, 12), lookups.max(1), &work)
                .await
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Working directory, fresh core, machine figures

/// The benchmark's directory; deleted on drop (errors included) unless kept.
pub(crate) struct WorkDir {
    path: PathBuf,
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

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|_| "unknown".into())
}

/// A `kB` figure of /proc/<pid>/status (`None` = this process).
pub(crate) fn proc_status_kb(pid: Option<u32>, key: &str) -> Option<u64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/status"),
        None => "/proc/self/status".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    let line = text.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

pub(crate) fn mib_kb(kb: Option<u64>) -> String {
    kb.map_or_else(
        || "n/a".to_string(),
        |k| format!("{:.1} MiB", k as f64 / 1024.0),
    )
}

pub(crate) fn pass(ok: bool) -> &'static str {
    if ok { "PASS" } else { "FAIL" }
}

pub(crate) fn file_mib(p: &Path) -> f64 {
    std::fs::metadata(p).map_or(0.0, |m| m.len() as f64 / 1_048_576.0)
}

// ---------------------------------------------------------------------------------------------
// Realistic data

/// splitmix64: small, fast, deterministic (the same data on every run).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n` > 0).
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// The 100 commonest Chinese surnames with their approximate share (in 1/10,000 of the
/// population), so a surname prefix is as selective as in a real registry (王 ≈ 7 %).
const SURNAMES: [(&str, u32); 100] = [
    ("王", 712),
    ("李", 700),
    ("张", 674),
    ("刘", 510),
    ("陈", 461),
    ("杨", 322),
    ("黄", 245),
    ("赵", 219),
    ("吴", 205),
    ("周", 193),
    ("徐", 145),
    ("孙", 138),
    ("马", 129),
    ("朱", 128),
    ("胡", 116),
    ("郭", 113),
    ("何", 106),
    ("林", 101),
    ("高", 100),
    ("罗", 95),
    ("郑", 81),
    ("梁", 81),
    ("谢", 71),
    ("宋", 63),
    ("唐", 62),
    ("许", 60),
    ("韩", 58),
    ("冯", 56),
    ("邓", 55),
    ("曹", 54),
    ("彭", 51),
    ("曾", 50),
    ("肖", 49),
    ("田", 46),
    ("董", 45),
    ("袁", 42),
    ("潘", 42),
    ("于", 41),
    ("蒋", 40),
    ("蔡", 39),
    ("余", 38),
    ("杜", 37),
    ("叶", 36),
    ("程", 35),
    ("苏", 34),
    ("魏", 34),
    ("吕", 33),
    ("丁", 32),
    ("任", 31),
    ("沈", 30),
    ("姚", 29),
    ("卢", 29),
    ("姜", 28),
    ("崔", 27),
    ("钟", 27),
    ("谭", 26),
    ("陆", 25),
    ("汪", 25),
    ("范", 24),
    ("金", 24),
    ("石", 24),
    ("廖", 23),
    ("贾", 23),
    ("夏", 22),
    ("韦", 22),
    ("付", 21),
    ("方", 21),
    ("白", 20),
    ("邹", 20),
    ("孟", 19),
    ("熊", 19),
    ("秦", 19),
    ("邱", 18),
    ("江", 18),
    ("尹", 17),
    ("薛", 17),
    ("闫", 17),
    ("段", 16),
    ("雷", 16),
    ("侯", 15),
    ("龙", 15),
    ("史", 15),
    ("陶", 14),
    ("黎", 14),
    ("贺", 14),
    ("顾", 13),
    ("毛", 13),
    ("郝", 13),
    ("龚", 12),
    ("邵", 12),
    ("万", 12),
    ("钱", 11),
    ("严", 11),
    ("覃", 11),
    ("武", 11),
    ("戴", 10),
    ("莫", 10),
    ("孔", 10),
    ("向", 10),
    ("常", 10),
];

/// Common characters of given names.
const GIVEN: &str = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂华建国文红玉志海春晓燕宇浩鹏辉飞林斌波宁欣琳婷雪梅俊峰亮成东新云龙佳慧颖萍荣凤莉鑫博睿子轩梓涵怡晨阳雨思嘉一欢瑞凯琪璐倩悦晶丹健帅昊天泽诗馨蕾可然源彬毅达辰航淑珍玲霖德永金福生军庆民光学忠立荣家祥振";

struct Names {
    cum: Vec<u32>,
    total: u32,
    given: Vec<char>,
}

impl Names {
    fn new() -> Names {
        let mut cum = Vec::with_capacity(SURNAMES.len());
        let mut total = 0;
        for (_, w) in SURNAMES {
            total += w;
            cum.push(total);
        }
        Names {
            cum,
            total,
            given: GIVEN.chars().collect(),
        }
    }
    /// A surname drawn by its frequency.
    fn surname(&self, rng: &mut Rng) -> &'static str {
        let r = rng.below(u64::from(self.total)) as u32;
        let i = self
            .cum
            .partition_point(|&c| c <= r)
            .min(SURNAMES.len() - 1);
        SURNAMES[i].0
    }
    fn given_char(&self, rng: &mut Rng) -> char {
        self.given[rng.below(self.given.len() as u64) as usize]
    }
    /// Surname + one (30 %) or two given characters.
    fn with_surname(&self, rng: &mut Rng, surname: &str) -> String {
        let mut s = String::with_capacity(12);
        s.push_str(surname);
        s.push(self.given_char(rng));
        if rng.chance(70) {
            s.push(self.given_char(rng));
        }
        s
    }
    fn name(&self, rng: &mut Rng) -> String {
        let s = self.surname(rng);
        self.with_surname(rng, s)
    }
}

/// The mobile number of person `i`: distinct for distinct `i` (below 800,000,000).
fn phone_of(i: u64) -> String {
    const PREFIXES: [&str; 8] = ["139", "138", "137", "136", "135", "158", "186", "188"];
    let p = PREFIXES[(i % 8) as usize];
    // Multiplying by a number coprime with 10^8 permutes the 8-digit numbers.
    let n = (i / 8).wrapping_mul(7_919_333) % 100_000_000;
    format!("{p}{n:08}")
}

/// A valid resident ID number for person `i`, distinct for `i` below 16.8 million.
fn id_number_of(i: u64) -> String {
    const REGIONS: [&str; 6] = ["110105", "310104", "440305", "330106", "510107", "420106"];
    let region = REGIONS[(i % 6) as usize];
    let seq = i % 1000;
    let rest = i / 1000;
    let year = 1950 + rest % 50;
    let month = 1 + (rest / 50) % 12;
    let day = 1 + (rest / 600) % 28;
    IdNumber::with_check_digit(&format!("{region}{year:04}{month:02}{day:02}{seq:03}"))
}

const UNITS_PER_BUILDING: usize = 500;
const UNITS_PER_FLOOR: usize = 20;

/// Floor and number ("1801") of the `k`-th unit of a building: 25 floors of 20 units.
fn unit_no_of(k: usize) -> (i64, String) {
    let floor = k / UNITS_PER_FLOOR + 1;
    (
        floor as i64,
        format!("{floor}{:02}", k % UNITS_PER_FLOOR + 1),
    )
}

// ---------------------------------------------------------------------------------------------
// 1. Import

const IMPORT_HEADERS: [&str; 11] = [
    "楼栋",
    "房号",
    "楼层",
    "建筑面积",
    "套内面积",
    "用途",
    "状态",
    "业主姓名",
    "业主电话",
    "证件号码",
    "备注",
];

/// A workbook like the import template filled in: `rows` units in buildings of 500, each with
/// an owner (name, mobile, ID number as text cells).
fn import_workbook(rows: usize) -> AnyResult<Vec<u8>> {
    let names = Names::new();
    let mut rng = Rng(0x5EED_0001);
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name("房屋")?;
    for (c, h) in IMPORT_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    const STATES: [&str; 4] = ["自住", "自住", "空置", "出租"];
    for i in 0..rows {
        let r = i as u32 + 1;
        let building = format!("{}栋", i / UNITS_PER_BUILDING + 1);
        let (floor, unit_no) = unit_no_of(i % UNITS_PER_BUILDING);
        let area_cents = 6_000 + rng.below(12_000); // 60.00 – 179.99 m²
        let inner_cents = area_cents * 78 / 100;
        ws.write_string(r, 0, &building)?;
        ws.write_string_with_format(r, 1, &unit_no, &text)?;
        ws.write_number(r, 2, floor as f64)?;
        ws.write_number(r, 3, area_cents as f64 / 100.0)?;
        ws.write_number(r, 4, inner_cents as f64 / 100.0)?;
        ws.write_string(r, 5, "住宅")?;
        ws.write_string(r, 6, STATES[rng.below(4) as usize])?;
        ws.write_string(r, 7, names.name(&mut rng))?;
        ws.write_string_with_format(r, 8, phone_of(i as u64), &text)?;
        ws.write_string_with_format(r, 9, id_number_of(i as u64), &text)?;
    }
    Ok(wb.save_to_buffer()?)
}

async fn bench_import(rows: usize, work: &WorkDirArgs) -> AnyResult<()> {
    println!("== bench import: {rows} units with owners from .xlsx (SQLite) ==");
    let wd = WorkDir::new("import", work)?;
    let t = Instant::now();
    // On its own thread, so the allocator can hand the generator's memory back when it ends
    // and the peak RSS below is the import's.
    let bytes = std::thread::spawn(move || import_workbook(rows).map_err(|e| e.to_string()))
        .join()
        .map_err(|_| "the workbook generator panicked")??;
    let file = wd.path.join("units.xlsx");
    std::fs::write(&file, &bytes)?;
    drop(bytes);
    let gen_secs = t.elapsed().as_secs_f64();
    let (core, company) = fresh_core(&wd).await?;
    let community = new_community(&core, company, "BENCH", "基准小区").await?;
    let bytes = std::fs::read(&file)?;
    // Resets the peak RSS (VmHWM) so it covers the import only, not the workbook generation.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_status_kb(None, "VmRSS:");

    let t = Instant::now();
    let report = registry::import::import_units_xlsx(
        &core,
        &Ctx::system(company),
        community,
        &bytes,
        &|_, _| {},
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let hwm = proc_status_kb(None, "VmHWM:");
    core.db.close().await;
    if !report.errors.is_empty() {
        for e in report.errors.iter().take(5) {
            println!("  row {} [{}] {}", e.row, e.column, e.code);
        }
        return Err(format!(
            "the generated workbook was refused: {} errors",
            report.errors.len()
        )
        .into());
    }
    let target = 10.0 * rows as f64 / 100_000.0;
    let ok = secs <= target;
    println!(
        "  workbook          {:.1} MiB, generated in {gen_secs:.1} s (not timed)",
        file_mib(&file)
    );
    println!(
        "  rows              {} (buildings {}, units {}, people {})",
        report.rows, report.buildings_created, report.units_created, report.people_created
    );
    println!(
        "  import time       {secs:.2} s (import_units_xlsx only: parse, validate, write, commit)"
    );
    println!(
        "  rate              {:.0} rows/s",
        rows as f64 / secs.max(1e-9)
    );
    let above = match (hwm, rss_before) {
        (Some(h), Some(b)) if hwm_reset => format!(
            "; {} above the RSS before the import",
            mib_kb(Some(h.saturating_sub(b)))
        ),
        _ => String::new(),
    };
    println!(
        "  peak RSS          {} ({}{above})",
        mib_kb(hwm),
        if hwm_reset {
            "VmHWM during the import"
        } else {
            "VmHWM of the whole run, generation included"
        },
    );
    println!(
        "  target            ≤ {target:.1} s{}: {}",
        if rows == 100_000 {
            ""
        } else {
            " (10 s per 100,000 rows, scaled)"
        },
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("import target missed: {secs:.2} s > {target:.1} s").into())
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk population (search and startup fixtures)

pub(crate) struct Population {
    buildings: usize,
    units: usize,
    people: usize,
    links: usize,
}

async fn max_id(core: &Core, table: &str) -> AnyResult<i64> {
    let (m,): (i64,) = core
        .db
        .read()
        .fetch_one(
            &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
            args![],
        )
        .await?;
    Ok(m)
}

/// Sets the writer connection's page cache (KiB): big while bulk-loading a fixture, back to the
/// production setting afterwards.
async fn writer_cache_kib(core: &Core, kib: i64) -> AnyResult<()> {
    if let Some(w) = core.db.sqlite_writer() {
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
            .execute(w)
            .await?;
    }
    Ok(())
}

/// Binds `v` to an anonymous `?` placeholder (SQLite only; bound in textual order).
///
/// SQLite reports the name of a numbered `?NNN` parameter by a linear search of the statement's
/// parameter list, and sqlx (0.9, `SqliteArguments::bind`) asks for the name of every parameter
/// while binding, so a statement with `n` numbered parameters costs O(n²) to bind — at a few
/// thousand parameters that dominates a multi-row INSERT. Anonymous `?` parameters have no name
/// to look up; the fixtures write them directly so their speed does not depend on how
/// `to_sqlite_sql` rewrites `$n`.
fn bind(a: &mut Args, v: impl Into<Value>) -> &'static str {
    a.0.push(v.into());
    "?"
}

/// Units per statement: units bind 8 values a row, people 6; a batch of units with 3 people each
/// stays far below SQLite's 32,766 parameters.
const BATCH_UNITS: usize = 400;
const UNITS_PER_TX: usize = 50_000;

/// Bulk-inserts `units` units (buildings of 500, spread evenly over `communities`) and `people`
/// people, each linked to one unit (its first person as owner, the others as household
/// members), with multi-row INSERTs in big transactions. Phones are encrypted and
/// blind-indexed exactly like `insert_person`; owners also get an ID number.
pub(crate) async fn populate(
    core: &Core,
    communities: &[CommunityId],
    units: usize,
    people: usize,
) -> AnyResult<Population> {
    let names = Names::new();
    let mut rng = Rng(0x5EED_0002);
    let now = Utc::now();
    let ncomm = communities.len().max(1);
    let per_comm = units.div_ceil(ncomm);
    let (b0, u0, p0) = (
        max_id(core, "buildings").await?,
        max_id(core, "units").await?,
        max_id(core, "people").await?,
    );

    // Buildings: ids b0+1 … in (community, building) order.
    let per_comm_buildings = per_comm.div_ceil(UNITS_PER_BUILDING);
    let mut tx = core.db.begin().await?;
    let mut buildings = 0;
    for (k, c) in communities.iter().enumerate() {
        let in_comm = units.saturating_sub(k * per_comm).min(per_comm);
        let nb = in_comm.div_ceil(UNITS_PER_BUILDING);
        for chunk in (0..nb).collect::<Vec<_>>().chunks(500) {
            let mut a = Args::new();
            let values: Vec<String> = chunk
                .iter()
                .map(|b| {
                    let id = b0 + (k * per_comm_buildings + b) as i64 + 1;
                    format!(
                        "({},{},{},{},{},{})",
                        bind(&mut a, id),
                        bind(&mut a, *c),
                        bind(&mut a, format!("{}栋", b + 1)),
                        bind(&mut a, 25),
                        bind(&mut a, now),
                        bind(&mut a, now)
                    )
                })
                .collect();
            tx.execute(
                &format!("INSERT INTO buildings (id, community_id, name, floors, created_at, updated_at) VALUES {}", values.join(",")),
                a,
            )
            .await?;
            buildings += chunk.len();
        }
    }
    tx.commit().await?;

    const STATES: [&str; 4] = ["occupied", "occupied", "vacant", "rented"];
    let mut next_person = p0;
    let mut links = 0;
    let mut tx = core.db.begin().await?;
    let mut start = 0;
    while start < units {
        let end = (start + BATCH_UNITS).min(units);
        // Units of the batch (a batch may straddle two communities: grouped per community).
        let mut ua = Args::new();
        let mut uvals = Vec::with_capacity(end - start);
        let mut pa = Args::new();
        let mut pvals = Vec::new();
        let mut la = Args::new();
        let mut lvals = Vec::new();
        for j in start..end {
            let k = j / per_comm;
            let community = communities
                .get(k)
                .copied()
                .ok_or("community index out of range")?;
            let local = j % per_comm;
            let b = local / UNITS_PER_BUILDING;
            let building = b0 + (k * per_comm_buildings + b) as i64 + 1;
            let (floor, unit_no) = unit_no_of(local % UNITS_PER_BUILDING);
            let unit_id = u0 + j as i64 + 1;
            let area = 6_000 + rng.below(12_000) as i64;
            uvals.push(format!(
                "({},{},{},{},{},{},{},{},{},NULL,{},{})",
                bind(&mut ua, unit_id),
                bind(&mut ua, community),
                bind(&mut ua, building),
                bind(&mut ua, unit_no),
                bind(&mut ua, floor),
                bind(&mut ua, area),
                bind(&mut ua, area * 78 / 100),
                bind(&mut ua, "residential"),
                bind(&mut ua, STATES[rng.below(4) as usize]),
                bind(&mut ua, now),
                bind(&mut ua, now),
            ));
            // People of this unit: `people` spread evenly over the units.
            let here = (people as u128 * (j as u128 + 1) / units as u128
                - people as u128 * j as u128 / units as u128) as usize;
            let family = names.surname(&mut rng);
            for n in 0..here {
                next_person += 1;
                let pidx = (next_person - p0 - 1) as u64;
                let name = if n == 0 || rng.chance(60) {
                    names.with_surname(&mut rng, family)
                } else {
                    names.name(&mut rng)
                };
                let phone = phone_of(pidx);
                let (id_enc, id_hash) = if n == 0 {
                    let idn = id_number_of(pidx);
                    (
                        Some(core.crypto.encrypt(&idn)),
                        Some(core.crypto.blind_index("id_number", &idn)),
                    )
                } else {
                    (None, None)
                };
                pvals.push(format!(
                    "({},{},{},{},{},{},{},{},{},{})",
                    bind(&mut pa, next_person),
                    bind(&mut pa, community),
                    bind(&mut pa, name),
                    bind(&mut pa, core.crypto.encrypt(&phone)),
                    bind(&mut pa, core.crypto.blind_index("phone", &phone)),
                    bind(&mut pa, id_enc),
                    bind(&mut pa, id_hash),
                    bind(&mut pa, false),
                    bind(&mut pa, now),
                    bind(&mut pa, now),
                ));
                lvals.push(format!(
                    "({},{},{},{},{})",
                    bind(&mut la, community),
                    bind(&mut la, unit_id),
                    bind(&mut la, next_person),
                    bind(
                        &mut la,
                        if n == 0 {
                            Relation::Owner.code()
                        } else {
                            Relation::Member.code()
                        }
                    ),
                    bind(&mut la, now),
                ));
            }
        }
        tx.execute(
            &format!(
                "INSERT INTO units (id, community_id, building_id, unit_no, floor, building_area, inner_area, use_kind, state, \
                 note, created_at, updated_at) VALUES {}",
                uvals.join(",")
            ),
            ua,
        )
        .await?;
        if !pvals.is_empty() {
            tx.execute(
                &format!(
                    "INSERT INTO people (id, community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, is_key_customer, \
                     created_at, updated_at) VALUES {}",
                    pvals.join(",")
                ),
                pa,
            )
            .await?;
            tx.execute(
                &format!(
                    "INSERT INTO unit_people (community_id, unit_id, person_id, relation, created_at) VALUES {}",
                    lvals.join(",")
                ),
                la,
            )
            .await?;
            links += lvals.len();
        }
        if end / UNITS_PER_TX != start / UNITS_PER_TX || end == units {
            tx.commit().await?;
            eprint!(
                "\r  populating: {end}/{units} units, {} people",
                next_person - p0
            );
            tx = core.db.begin().await?;
        }
        start = end;
    }
    tx.commit().await?;
    eprintln!();
    Ok(Population {
        buildings,
        units,
        people: (next_person - p0) as usize,
        links,
    })
}

/// `PRAGMA wal_checkpoint(TRUNCATE)`: the bulk load moved into the database file.
pub(crate) async fn checkpoint(core: &Core) -> AnyResult<()> {
    if let Some(w) = core.db.sqlite_writer() {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(w)
            .await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// 2. Search

#[derive(Clone, Copy, PartialEq, Eq)]
enum QueryKind {
    Unit,
    Name,
    Phone,
}

impl QueryKind {
    fn label(self) -> &'static str {
        match self {
            QueryKind::Unit => "unit-number prefix",
            QueryKind::Name => "name prefix",
            QueryKind::Phone => "full phone",
        }
    }
}

/// The query mix: a third unit-number prefixes ("1801", "18", "180", "3"), a third name
/// prefixes (bare surnames and surname + first given character, surnames by frequency), a third
/// phones of existing people; shuffled.
fn search_queries(n: usize, people: usize) -> Vec<(QueryKind, String)> {
    let names = Names::new();
    let mut rng = Rng(0x5EED_0003);
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let q = match i % 3 {
            0 => {
                let (_, no) = unit_no_of(rng.below(UNITS_PER_BUILDING as u64) as usize);
                let len = match rng.below(10) {
                    0..=4 => no.len(),
                    5..=7 => no.len() - 2,
                    _ => (no.len() - 1).max(1),
                };
                (QueryKind::Unit, no[..len].to_string())
            }
            1 => {
                let s = names.surname(&mut rng);
                let q = if rng.chance(50) {
                    s.to_string()
                } else {
                    format!("{s}{}", names.given_char(&mut rng))
                };
                (QueryKind::Name, q)
            }
            _ => (QueryKind::Phone, phone_of(rng.below(people.max(1) as u64))),
        };
        out.push(q);
    }
    // Fisher–Yates, so the kinds interleave irregularly.
    for i in (1..out.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        out.swap(i, j);
    }
    out
}

/// Nearest-rank percentile of sorted durations, in ms.
pub(crate) fn pct(sorted: &[Duration], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1].as_secs_f64() * 1000.0
}

async fn bench_search(
    people: usize,
    queries: usize,
    analyze: bool,
    work: &WorkDirArgs,
) -> AnyResult<()> {
    let units = people * 2 / 5;
    println!(
        "== bench search: {people} people, {units} units in 2 communities, {queries} queries (SQLite) =="
    );
    let wd = WorkDir::new("search", work)?;
    let (core, company) = fresh_core(&wd).await?;
    let c1 = new_community(&core, company, "BENCHA", "基准一期").await?;
    let c2 = new_community(&core, company, "BENCHB", "基准二期").await?;

    let t = Instant::now();
    writer_cache_kib(&core, 256 * 1024).await?;
    let pop = populate(&core, &[c1, c2], units, people).await?;
    let pop_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    if analyze {
        let mut tx = core.db.begin().await?;
        tx.execute("ANALYZE", args![]).await?;
        tx.commit().await?;
    }
    checkpoint(&core).await?;
    writer_cache_kib(&core, 4096).await?;
    let analyze_secs = t.elapsed().as_secs_f64();
    println!(
        "  population        {} buildings, {} units, {} people, {} links in {pop_secs:.1} s ({:.0} rows/s); {} + checkpoint {analyze_secs:.1} s; database {:.0} MiB",
        pop.buildings,
        pop.units,
        pop.people,
        pop.links,
        (pop.units + pop.people + pop.links) as f64 / pop_secs.max(1e-9),
        if analyze { "ANALYZE" } else { "no ANALYZE" },
        file_mib(&wd.db_path()),
    );

    // A company administrator: scoped (by load_ctx) to the company's two communities.
    let user = auth::create_user_as_system(
        &core,
        company,
        UserForCreate {
            username: "bench_admin".into(),
            display_name: "基准管理员".into(),
            role: "company_admin".into(),
            password: "bench-password-2026".into(),
            communities: vec![],
        },
    )
    .await?;
    let ctx = auth::load_ctx(&core, user.user.id).await?;

    let qs = search_queries(queries, pop.people);
    let mut timed: Vec<(QueryKind, Duration, usize, &str)> = Vec::with_capacity(qs.len());
    let deadline = Instant::now() + Duration::from_secs(600);
    for (kind, q) in &qs {
        if Instant::now() > deadline {
            println!("  (stopped after 10 minutes)");
            break;
        }
        let t = Instant::now();
        let hits = registry::search(&core, &ctx, q, None, 20).await?;
        let d = t.elapsed();
        let n = match kind {
            QueryKind::Unit => hits
                .iter()
                .filter(|h| matches!(h.kind, HitKind::Unit))
                .count(),
            _ => hits
                .iter()
                .filter(|h| matches!(h.kind, HitKind::Person))
                .count(),
        };
        timed.push((*kind, d, n, q.as_str()));
    }

    println!(
        "  {:<20} {:>6} {:>8} {:>8} {:>8} {:>8} {:>9} {:>8}",
        "query kind", "count", "p50 ms", "p95 ms", "p99 ms", "max ms", "avg hits", "no hit"
    );
    let mut overall_p99 = 0.0;
    for kind in [
        Some(QueryKind::Unit),
        Some(QueryKind::Name),
        Some(QueryKind::Phone),
        None,
    ] {
        let sel: Vec<&(QueryKind, Duration, usize, &str)> = timed
            .iter()
            .filter(|t| kind.is_none_or(|k| t.0 == k))
            .collect();
        let mut d: Vec<Duration> = sel.iter().map(|t| t.1).collect();
        d.sort();
        let hits: usize = sel.iter().map(|t| t.2).sum();
        let none = sel.iter().filter(|t| t.2 == 0).count();
        let p99 = pct(&d, 99.0);
        if kind.is_none() {
            overall_p99 = p99;
        }
        println!(
            "  {:<20} {:>6} {:>8.2} {:>8.2} {:>8.2} {:>8.2} {:>9.1} {:>8}",
            kind.map_or("all", QueryKind::label),
            d.len(),
            pct(&d, 50.0),
            pct(&d, 95.0),
            p99,
            pct(&d, 100.0),
            hits as f64 / d.len().max(1) as f64,
            none
        );
    }
    let mut slowest: Vec<&(QueryKind, Duration, usize, &str)> = timed.iter().collect();
    slowest.sort_by_key(|t| std::cmp::Reverse(t.1));
    let list: Vec<String> = slowest
        .iter()
        .take(5)
        .map(|t| format!("{:?} {:.1} ms", t.3, t.1.as_secs_f64() * 1000.0))
        .collect();
    println!("  slowest           {}", list.join(", "));
    core.db.close().await;
    let ok = overall_p99 <= 20.0;
    println!(
        "  target            p99 ≤ 20 ms over all queries: {} ({overall_p99:.2} ms)",
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("search target missed: p99 {overall_p99:.2} ms > 20 ms").into())
    }
}

// ---------------------------------------------------------------------------------------------
// 3. Startup

/// Fills `audit_log` with update entries carrying ~1 KB before and after JSON until the
/// database reaches `target` bytes. Returns the rows written.
async fn fill_audit(
    core: &Core,
    company: CompanyId,
    communities: &[CommunityId],
    target: u64,
) -> AnyResult<usize> {
    const ROWS_PER_STMT: usize = 500;
    const STMTS_PER_TX: usize = 40;
    let mut rng = Rng(0x5EED_0004);
    let names = Names::new();
    let notes: Vec<String> = (0..256)
        .map(|_| {
            (0..260)
                .map(|_| names.given_char(&mut rng))
                .collect::<String>()
        })
        .collect();
    let started = Instant::now();
    let now = Utc::now();
    let max_tx = (target / (ROWS_PER_STMT * STMTS_PER_TX * 1500) as u64) as usize * 2 + 10;
    let mut rows = 0;
    for _ in 0..max_tx {
        let (size,): (i64,) = core
            .db
            .read()
            .fetch_one(
                "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
                args![],
            )
            .await?;
        eprint!(
            "\r  filling: {} MiB of {} MiB",
            size / 1_048_576,
            target / 1_048_576
        );
        if size as u64 >= target {
            break;
        }
        if started.elapsed() > Duration::from_secs(3600) {
            return Err("building the database took more than an hour".into());
        }
        let mut tx = core.db.begin().await?;
        for _ in 0..STMTS_PER_TX {
            let mut a = Args::with_capacity(ROWS_PER_STMT * 10);
            let mut values = Vec::with_capacity(ROWS_PER_STMT);
            for _ in 0..ROWS_PER_STMT {
                rows += 1;
                let community = communities
                    .get(rows % communities.len().max(1))
                    .copied()
                    .ok_or("no community")?;
                let unit = rng.below(100_000) + 1;
                let at = now - chrono::Duration::seconds(rows as i64 * 97);
                let mk = |state: &str, note: &str, area: u64| {
                    serde_json::json!({
                        "id": unit, "community_id": community, "building_name": format!("{}栋", unit / 500 + 1),
                        "unit_no": unit_no_of(unit as usize % 500).1, "floor": unit % 25 + 1,
                        "building_area": format!("{}.{:02}", area / 100, area % 100), "use_kind": "residential",
                        "state": state, "note": note, "updated_at": at,
                    })
                    .to_string()
                };
                let area = 6_000 + rng.below(12_000);
                let before = mk("vacant", &notes[rng.below(256) as usize], area);
                let after = mk("occupied", &notes[rng.below(256) as usize], area);
                values.push(format!(
                    "({},{},NULL,{},{},{},{},{},{},{})",
                    bind(&mut a, company),
                    bind(&mut a, community),
                    bind(&mut a, "基准管理员"),
                    bind(&mut a, at),
                    bind(&mut a, "update"),
                    bind(&mut a, "unit"),
                    bind(&mut a, unit as i64),
                    bind(&mut a, before),
                    bind(&mut a, after)
                ));
            }
            tx.execute(
                &format!(
                    "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, entity, entity_id, \
                     before_json, after_json) VALUES {}",
                    values.join(",")
                ),
                a,
            )
            .await?;
        }
        tx.commit().await?;
    }
    eprintln!();
    Ok(rows)
}

/// Kills the server it holds when dropped (errors included).
struct Server(std::process::Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> AnyResult<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(l.local_addr()?.port())
}

/// One raw `GET path` on 127.0.0.1: the status code of the answer.
async fn http_status(port: u16, path: &str) -> std::io::Result<u16> {
    let s = tokio::net::TcpStream::connect(("127.0.0.1", port)).await?;
    let req = format!("GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n");
    let mut sent = 0;
    while sent < req.len() {
        s.writable().await?;
        match s.try_write(&req.as_bytes()[sent..]) {
            Ok(n) => sent += n,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    let mut buf = Vec::with_capacity(1024);
    let mut chunk = [0u8; 1024];
    while !buf.windows(2).any(|w| w == b"\r\n") && buf.len() < 16 * 1024 {
        s.readable().await?;
        match s.try_read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
            Err(e) => return Err(e),
        }
    }
    // "HTTP/1.1 200 OK"
    let line = String::from_utf8_lossy(&buf);
    line.split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| {
            std::io::Error::other(format!(
                "not an HTTP answer: {:?}",
                line.lines().next().unwrap_or("")
            ))
        })
}

struct StartupRun {
    ready: Duration,
    polls: usize,
    idle_rss_kb: Option<u64>,
    hwm_kb: Option<u64>,
}

/// Spawns `wuye --data-dir <dir> serve --listen 127.0.0.1:<port>`, times it until `GET /login`
/// answers 200, waits 2 s idle, reads its RSS, kills it.
async fn startup_once(exe: &Path, dir: &Path, n: usize) -> AnyResult<StartupRun> {
    let port = free_port()?;
    let log = dir.join(format!("serve-{n}.log"));
    let out = std::fs::File::create(&log)?;
    let err = out.try_clone()?;
    let mut cmd = std::process::Command::new(exe);
    cmd.arg("--data-dir")
        .arg(dir)
        .arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .env("WUYE_LOG", "warn");
    // Only the benchmark's directory: nothing configured elsewhere may redirect the server.
    for v in [
        "WUYE_CONFIG",
        "WUYE_DATABASE_URL",
        "WUYE_KEY",
        "WUYE_DATA_DIR",
        "WUYE_LISTEN",
        "WUYE_DEMO",
    ] {
        cmd.env_remove(v);
    }
    cmd.stdin(std::process::Stdio::null())
        .stdout(out)
        .stderr(err);
    let started = Instant::now();
    let mut server = Server(cmd.spawn()?);
    let deadline = started + Duration::from_secs(30);
    let mut polls = 0;
    let ready = loop {
        polls += 1;
        if let Ok(Ok(200)) =
            tokio::time::timeout(Duration::from_secs(2), http_status(port, "/login")).await
        {
            break started.elapsed();
        }
        if let Some(status) = server.0.try_wait()? {
            let text = std::fs::read_to_string(&log).unwrap_or_default();
            return Err(format!("the server exited ({status}) before answering:\n{text}").into());
        }
        if Instant::now() > deadline {
            return Err(format!(
                "the server did not answer GET /login with 200 within 30 s (log: {})",
                log.display()
            )
            .into());
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = server.0.id();
    let idle_rss_kb = proc_status_kb(Some(pid), "VmRSS:");
    let hwm_kb = proc_status_kb(Some(pid), "VmHWM:");
    drop(server);
    Ok(StartupRun {
        ready,
        polls,
        idle_rss_kb,
        hwm_kb,
    })
}

async fn bench_startup(size_mb: u64, work: &WorkDirArgs) -> AnyResult<()> {
    println!("== bench startup: `wuye serve` on a {size_mb} MiB SQLite database, 3 starts ==");
    let wd = WorkDir::new("startup", work)?;
    let exe = std::env::current_exe()?;
    let (core, company) = fresh_core(&wd).await?;
    let c1 = new_community(&core, company, "BENCHA", "基准一期").await?;
    let c2 = new_community(&core, company, "BENCHB", "基准二期").await?;
    let t = Instant::now();
    writer_cache_kib(&core, 256 * 1024).await?;
    // Registry rows in proportion (≈ 5 % of the file), the rest audit history.
    let people = ((size_mb as usize) * 100).clamp(1_000, 1_000_000);
    let pop = populate(&core, &[c1, c2], people * 2 / 5, people).await?;
    let audit_rows = fill_audit(&core, company, &[c1, c2], size_mb * 1_048_576).await?;
    checkpoint(&core).await?;
    core.db.close().await;
    drop(core);
    println!(
        "  database          {:.0} MiB: {} units, {} people, {audit_rows} audit entries (~2 KB JSON each), built in {:.1} s (not timed)",
        file_mib(&wd.db_path()),
        pop.units,
        pop.people,
        t.elapsed().as_secs_f64()
    );
    println!(
        "  server            {} --data-dir {} serve --listen 127.0.0.1:<free port>",
        exe.display(),
        wd.path.display()
    );
    println!(
        "  {:<5} {:>10} {:>7} {:>14} {:>14}",
        "run", "ready ms", "polls", "idle RSS", "peak RSS"
    );
    let mut ok = true;
    for n in 1..=3 {
        let r = startup_once(&exe, &wd.path, n).await?;
        let rss_ok = r.idle_rss_kb.is_some_and(|k| k <= 60 * 1024);
        ok &= r.ready <= Duration::from_secs(1) && rss_ok;
        println!(
            "  {n:<5} {:>10.0} {:>7} {:>14} {:>14}",
            r.ready.as_secs_f64() * 1000.0,
            r.polls,
            mib_kb(r.idle_rss_kb),
            mib_kb(r.hwm_kb)
        );
    }
    println!(
        "  target            ready ≤ 1000 ms and idle RSS ≤ 60 MiB on every run: {}",
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err("startup target missed".into())
    }
}

// ---------------------------------------------------------------------------------------------
// 4. Requests (service requests and work orders)

/// Load on the API: `--connections` keep-alive connections, each with one request in flight at
/// a time, for a warm-up and then the timed window.
const WARMUP: Duration = Duration::from_millis(1500);

/// Clocks the SLA fixture leaves due at "now" (past their warning or deadline, not yet handled).
const DUE_CLOCKS: usize = 1000;

/// Requests per multi-row INSERT (30 bound values a row; clocks: 2 rows of 13 per request) and
/// per transaction.
const REQ_BATCH: usize = 500;
const REQ_PER_TX: usize = 10_000;

/// The kinds of request a desk registers, with their share in percent, and the categories each
/// draws from.
const REQUEST_MIX: [(&str, u64, &[&str]); 7] = [
    (
        "repair_unit",
        45,
        &["water", "water", "power", "doors_locks", "other"],
    ),
    (
        "repair_common",
        20,
        &[
            "elevator",
            "lighting",
            "lighting",
            "water",
            "power",
            "doors_locks",
        ],
    ),
    (
        "complaint_general",
        10,
        &["noise", "sanitation", "parking", "greening"],
    ),
    ("complaint_serious", 2, &["noise", "other"]),
    ("inquiry", 13, &["fees", "fees", "other"]),
    ("suggestion", 5, &["greening", "sanitation", "other"]),
    ("help", 5, &["other", "doors_locks"]),
];

fn description_of(category: &str, rng: &mut Rng) -> &'static str {
    let list: &[&str] = match category {
        "water" => &[
            "卫生间下水道堵塞，马桶冲水不畅",
            "厨房水龙头漏水，关不紧",
            "楼上渗水，卧室天花板有水渍",
            "热水器进水阀滴水",
        ],
        "power" => &[
            "家里跳闸，空开合不上",
            "客厅插座没电",
            "入户电表箱有焦味，请尽快派人查看",
        ],
        "elevator" => &[
            "2号电梯门关不上，反复开合",
            "电梯运行时有异响",
            "电梯18楼按钮失灵",
        ],
        "lighting" => &["楼道声控灯不亮", "地下车库B2区灯管闪烁", "单元门口路灯不亮"],
        "doors_locks" => &[
            "单元门门禁刷卡无反应",
            "入户门锁芯卡住，钥匙拧不动",
            "消防通道门闭门器损坏",
        ],
        "noise" => &[
            "楼上夜间装修噪音，影响休息",
            "小区广场舞音响太吵",
            "隔壁空调外机噪音大",
        ],
        "sanitation" => &[
            "垃圾桶满溢未及时清运",
            "楼道有杂物堆放，存在消防隐患",
            "地库有积水和异味",
        ],
        "greening" => &["绿化带杂草过高", "树枝遮挡窗户，请修剪"],
        "parking" => &["车位被外来车辆占用", "道闸不识别车牌，抬杆慢"],
        "fees" => &[
            "咨询物业费缴费方式",
            "物业费发票如何开具",
            "水电费账单金额有疑问",
        ],
        _ => &[
            "快递柜无法取件",
            "咨询装修申请流程",
            "门口有流浪猫，请协助处理",
        ],
    };
    list[rng.below(list.len() as u64) as usize]
}

const LOCATIONS: [&str; 6] = [
    "1栋电梯厅",
    "3栋一单元楼道",
    "地下车库B2区",
    "东门岗亭旁",
    "中心花园",
    "5栋架空层",
];

/// What a request is about: kind, category, channel, urgency, complex, description, location.
struct Topic {
    kind: &'static str,
    category: &'static str,
    channel: &'static str,
    urgency: &'static str,
    complex: bool,
    description: &'static str,
    location: Option<&'static str>,
}

fn topic(rng: &mut Rng) -> Topic {
    let mut r = rng.below(100);
    let mut pick = REQUEST_MIX[0];
    for m in REQUEST_MIX {
        if r < m.1 {
            pick = m;
            break;
        }
        r -= m.1;
    }
    let (kind, _, cats) = pick;
    let category = cats[rng.below(cats.len() as u64) as usize];
    let channel = match rng.below(10) {
        0..=3 => "front_desk",
        4..=7 => "hotline",
        _ => "wechat",
    };
    Topic {
        kind,
        category,
        channel,
        urgency: if rng.chance(8) { "urgent" } else { "normal" },
        complex: category == "lighting" && rng.chance(20),
        description: description_of(category, rng),
        location: (kind != "repair_unit").then(|| LOCATIONS[rng.below(6) as usize]),
    }
}

/// One keep-alive HTTP/1.1 connection that sends a request and reads its answer (just enough
/// HTTP for our own server: `Content-Length` or chunked bodies).
struct HttpConn {
    s: tokio::net::TcpStream,
    buf: Vec<u8>,
    chunk: Vec<u8>,
}

impl HttpConn {
    async fn connect(addr: std::net::SocketAddr) -> std::io::Result<HttpConn> {
        let s = tokio::net::TcpStream::connect(addr).await?;
        s.set_nodelay(true)?;
        Ok(HttpConn {
            s,
            buf: Vec::with_capacity(64 * 1024),
            chunk: vec![0; 64 * 1024],
        })
    }

    async fn write_all(&self, mut data: &[u8]) -> std::io::Result<()> {
        while !data.is_empty() {
            self.s.writable().await?;
            match self.s.try_write(data) {
                Ok(n) => data = &data[n..],
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }

    async fn fill(&mut self) -> std::io::Result<()> {
        loop {
            self.s.readable().await?;
            match self.s.try_read(&mut self.chunk) {
                Ok(0) => return Err(std::io::ErrorKind::UnexpectedEof.into()),
                Ok(n) => {
                    self.buf.extend_from_slice(&self.chunk[..n]);
                    return Ok(());
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Sends `req` (a whole HTTP/1.1 request) and returns the answer's status and body.
    async fn exchange(&mut self, req: &[u8]) -> std::io::Result<(u16, Vec<u8>)> {
        self.write_all(req).await?;
        let head_end = loop {
            if let Some(p) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break p + 4;
            }
            self.fill().await?;
        };
        let head = String::from_utf8_lossy(&self.buf[..head_end]).to_ascii_lowercase();
        let status: u16 = head
            .split_whitespace()
            .nth(1)
            .and_then(|c| c.parse().ok())
            .ok_or_else(|| std::io::Error::other("not an HTTP answer"))?;
        let length = head.lines().find_map(|l| {
            l.strip_prefix("content-length:")
                .and_then(|v| v.trim().parse::<usize>().ok())
        });
        let chunked = head
            .lines()
            .any(|l| l.starts_with("transfer-encoding:") && l.contains("chunked"));
        let (consumed, body) = match (length, chunked) {
            (Some(n), _) => {
                while self.buf.len() < head_end + n {
                    self.fill().await?;
                }
                (head_end + n, self.buf[head_end..head_end + n].to_vec())
            }
            (None, true) => loop {
                if let Some((used, body)) = dechunk(&self.buf[head_end..]) {
                    break (head_end + used, body);
                }
                self.fill().await?;
            },
            (None, false) => (head_end, Vec::new()),
        };
        self.buf.drain(..consumed);
        Ok((status, body))
    }
}

/// A complete chunked body at the start of `b`: the bytes it takes and the body, or `None`
/// while incomplete.
fn dechunk(b: &[u8]) -> Option<(usize, Vec<u8>)> {
    let mut pos = 0;
    let mut body = Vec::new();
    loop {
        let line_end = pos + b[pos..].windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&b[pos..line_end]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        let data = line_end + 2;
        if size == 0 {
            // No trailers from our server: the body ends with an empty line.
            return (b.len() >= data + 2).then_some((data + 2, body));
        }
        if b.len() < data + size + 2 {
            return None;
        }
        body.extend_from_slice(&b[data..data + size]);
        pos = data + size + 2;
    }
}

fn http_request(
    method: &str,
    addr: std::net::SocketAddr,
    path: &str,
    token: &str,
    body: Option<&str>,
) -> Vec<u8> {
    let mut r = format!(
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nAuthorization: Bearer {token}\r\nAccept: application/json\r\n"
    );
    match body {
        Some(b) => {
            r.push_str(&format!(
                "Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{b}",
                b.len()
            ));
        }
        None => r.push_str("\r\n"),
    }
    r.into_bytes()
}

/// Builds the `seq`-th request of connection `conn`.
type RequestGen = std::sync::Arc<dyn Fn(usize, u64) -> Vec<u8> + Send + Sync>;

struct LoadReport {
    /// Latencies of the answers completed inside the timed window, sorted.
    lat: Vec<Duration>,
    window: Duration,
    /// Every answer by status, warm-up and tail included.
    statuses: std::collections::BTreeMap<u16, u64>,
    io_errors: u64,
    peak_in_flight: usize,
    /// The body of the first unexpected answer.
    sample: Option<String>,
}

impl LoadReport {
    fn rate(&self) -> f64 {
        self.lat.len() as f64 / self.window.as_secs_f64()
    }
    fn total(&self) -> u64 {
        self.statuses.values().sum()
    }
    fn unexpected(&self, expect: u16) -> u64 {
        self.statuses
            .iter()
            .filter(|(s, _)| **s != expect)
            .map(|(_, n)| n)
            .sum::<u64>()
            + self.io_errors
    }
}

/// Runs `conns` connections against `addr`, each sending the next request as soon as the last
/// answer arrived, for `WARMUP` + `window`.
async fn load(
    addr: std::net::SocketAddr,
    conns: usize,
    window: Duration,
    expect: u16,
    make: RequestGen,
) -> AnyResult<LoadReport> {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let mut connected = Vec::with_capacity(conns);
    for _ in 0..conns {
        connected.push(HttpConn::connect(addr).await?);
    }
    let in_flight = Arc::new(AtomicUsize::new(0));
    let peak = Arc::new(AtomicUsize::new(0));
    let t0 = Instant::now();
    let (m0, m1) = (t0 + WARMUP, t0 + WARMUP + window);
    let mut tasks = Vec::with_capacity(conns);
    for (k, mut c) in connected.into_iter().enumerate() {
        let make = Arc::clone(&make);
        let (in_flight, peak) = (Arc::clone(&in_flight), Arc::clone(&peak));
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(1 << 16);
            let mut statuses = std::collections::BTreeMap::<u16, u64>::new();
            let mut io_errors = 0;
            let mut sample = None;
            let mut seq = 0;
            loop {
                let start = Instant::now();
                if start >= m1 {
                    break;
                }
                let req = make(k, seq);
                seq += 1;
                let n = in_flight.fetch_add(1, Ordering::Relaxed) + 1;
                peak.fetch_max(n, Ordering::Relaxed);
                let res = c.exchange(&req).await;
                in_flight.fetch_sub(1, Ordering::Relaxed);
                let end = Instant::now();
                match res {
                    Ok((status, body)) => {
                        *statuses.entry(status).or_default() += 1;
                        if status != expect && sample.is_none() {
                            sample = Some(format!(
                                "{status} {}",
                                String::from_utf8_lossy(&body[..body.len().min(300)])
                            ));
                        }
                        if end >= m0 && end <= m1 {
                            lat.push(end - start);
                        }
                    }
                    Err(e) => {
                        io_errors += 1;
                        if sample.is_none() {
                            sample = Some(format!("I/O error: {e}"));
                        }
                        match HttpConn::connect(addr).await {
                            Ok(fresh) => c = fresh,
                            Err(_) => break,
                        }
                    }
                }
            }
            (lat, statuses, io_errors, sample)
        }));
    }
    let mut r = LoadReport {
        lat: Vec::new(),
        window,
        statuses: Default::default(),
        io_errors: 0,
        peak_in_flight: 0,
        sample: None,
    };
    for t in tasks {
        let (lat, statuses, io_errors, sample) = t.await?;
        r.lat.extend(lat);
        for (s, n) in statuses {
            *r.statuses.entry(s).or_default() += n;
        }
        r.io_errors += io_errors;
        r.sample = r.sample.or(sample);
    }
    r.lat.sort();
    r.peak_in_flight = peak.load(Ordering::Relaxed);
    Ok(r)
}

fn print_load(label: &str, r: &LoadReport, expect: u16) {
    let statuses: Vec<String> = r.statuses.iter().map(|(s, n)| format!("{s}×{n}")).collect();
    println!(
        "  {label:<17} {:.0} requests/s over {:.1} s; latency p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; \
         peak in flight {}; answers {} ({}), I/O errors {}",
        r.rate(),
        r.window.as_secs_f64(),
        pct(&r.lat, 50.0),
        pct(&r.lat, 99.0),
        pct(&r.lat, 100.0),
        r.peak_in_flight,
        r.total(),
        statuses.join(", "),
        r.io_errors
    );
    if let Some(s) = &r.sample
        && r.unexpected(expect) > 0
    {
        println!("  first unexpected  {s}");
    }
}

/// The staff of one community: desk agents (first responders), technicians and cleaners
/// (assignees), a project manager (escalations).
struct Staff {
    community: CommunityId,
    agents: Vec<wuye_core::shared::ids::UserId>,
    workers: Vec<wuye_core::shared::ids::UserId>,
    units: Vec<i64>,
}

async fn staff_user(
    core: &Core,
    company: CompanyId,
    username: String,
    role: &str,
    community: CommunityId,
) -> AnyResult<wuye_core::shared::ids::UserId> {
    let u = auth::create_user_as_system(
        core,
        company,
        UserForCreate {
            display_name: format!("{}{}", role, &username[username.len() - 2..]),
            username,
            role: role.into(),
            password: "bench-password-2026".into(),
            communities: vec![community],
        },
    )
    .await?;
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE users SET must_change_password = $1 WHERE id = $2",
        args![false, u.user.id],
    )
    .await?;
    tx.commit().await?;
    Ok(u.user.id)
}

/// When the open/closed request `i` of `n` was registered: evenly over the year before `now`
/// (ids follow time), with some jitter.
fn created_at_of(
    i: usize,
    n: usize,
    now: chrono::DateTime<Utc>,
    rng: &mut Rng,
) -> chrono::DateTime<Utc> {
    let span_ms = 365 * 86_400_000i64 - 60_000;
    let step = span_ms as f64 / n.max(1) as f64;
    let jitter = (rng.below(1000) as f64 / 1000.0 - 0.5) * step * 0.8;
    let ms = ((i as f64 + 0.5) * step + jitter) as i64;
    now - chrono::Duration::milliseconds(span_ms) + chrono::Duration::milliseconds(ms)
}

/// Whether request `i` of `n` is still open: the newest four fifths of `open`, and one fifth
/// spread over the older ones (on hold, or done and waiting for the return visit).
fn is_open_at(i: usize, n: usize, open: usize) -> bool {
    let old = open / 5;
    let recent = open - old;
    if i + recent >= n {
        return true;
    }
    let span = n - recent;
    if old == 0 {
        return false;
    }
    let stride = (span / old).max(1);
    i % stride == stride - 1 && i / stride < old
}

type Ts = chrono::DateTime<Utc>;

/// One bulk-loaded clock: its times and what the scanner has recorded.
struct PlannedClock {
    clock: &'static str,
    start: Ts,
    due: Ts,
    warn: Ts,
    met: Option<Ts>,
    paused: Option<Ts>,
}

/// One bulk-loaded request, deterministic in its index.
struct PlannedRequest {
    community: usize,
    topic: Topic,
    unit: Option<i64>,
    contact: String,
    state: &'static str,
    responder: i64,
    assignee: Option<i64>,
    created: Ts,
    accepted: Option<Ts>,
    on_site: Option<Ts>,
    done: Option<Ts>,
    closed: Option<Ts>,
    hold_since: Option<Ts>,
    satisfaction: Option<i64>,
    labour: Option<i64>,
    clocks: [PlannedClock; 2],
}

fn minutes(rng: &mut Rng, from: i64, to: i64) -> chrono::Duration {
    chrono::Duration::seconds(from * 60 + rng.below(((to - from) * 60).max(1) as u64) as i64)
}

fn plan_request(
    i: usize,
    n: usize,
    open: bool,
    now: Ts,
    staff: &[Staff],
    names: &Names,
) -> PlannedRequest {
    let mut rng = Rng(0x5EED_0005 ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let created = created_at_of(i, n, now, &mut rng);
    let community = rng.below(staff.len() as u64) as usize;
    let st = &staff[community];
    let topic = topic(&mut rng);
    let unit = (topic.kind == "repair_unit" && !st.units.is_empty())
        .then(|| st.units[rng.below(st.units.len() as u64) as usize]);
    let responder = st.agents[rng.below(st.agents.len() as u64) as usize].0;
    let worker = st.workers[rng.below(st.workers.len() as u64) as usize].0;
    let on_site_span = if topic.kind.starts_with("complaint") {
        60
    } else {
        30
    };
    let spans = [("feedback", 240), ("on_site", on_site_span)];
    let latest = now - chrono::Duration::minutes(1);
    // When each clock would be met, if at all (feedback given; technician on site).
    let mut met = [
        rng.chance(if open { 65 } else { 100 })
            .then(|| created + minutes(&mut rng, 10, 330)),
        rng.chance(if open { 60 } else { 100 })
            .then(|| created + minutes(&mut rng, 5, 80)),
    ];
    let state;
    let (mut accepted, mut on_site, mut done, mut closed, mut hold_since) =
        (None, None, None, None, None);
    let mut satisfaction = None;
    let mut labour = None;
    let mut paused = [None, None];
    if open {
        for m in &mut met {
            *m = m.filter(|t| *t <= latest);
        }
        let all_met = met.iter().all(Option::is_some);
        let r = rng.below(100);
        state = if all_met && r < 45 {
            "done"
        } else if met[1].is_some() {
            if r.is_multiple_of(10) {
                "on_hold"
            } else {
                "on_site"
            }
        } else {
            match r % 10 {
                0 => "registered",
                1 => "pooled",
                2..=4 => "dispatched",
                5..=7 => "accepted",
                _ => "on_hold",
            }
        };
        if state != "registered" && state != "pooled" && state != "dispatched" {
            accepted = Some((created + minutes(&mut rng, 1, 5)).min(latest));
        }
        on_site = met[1];
        if state == "done" {
            let last = met.iter().flatten().max().copied().unwrap_or(created);
            done = Some((last + minutes(&mut rng, 10, 180)).min(latest));
            labour = Some(15 + rng.below(120) as i64);
        }
        if state == "on_hold" {
            hold_since = Some(accepted.or(on_site).unwrap_or(created).max(created));
        }
    } else {
        let last = met.iter().flatten().max().copied().unwrap_or(created);
        if rng.chance(3) {
            // Cancelled at the desk: the running clocks stop.
            state = "cancelled";
            let at = (created + minutes(&mut rng, 5, 120)).min(latest);
            closed = Some(at);
            for (k, m) in met.iter_mut().enumerate() {
                if m.is_some_and(|t| t > at) {
                    *m = None;
                }
                if m.is_none() {
                    paused[k] = Some(at);
                }
            }
        } else {
            state = "closed";
            accepted = Some((created + minutes(&mut rng, 1, 5)).min(latest));
            on_site = met[1].map(|t| t.min(latest));
            let d = (last + minutes(&mut rng, 10, 2 * 1440)).min(latest);
            done = Some(d);
            closed = Some((d + minutes(&mut rng, 60, 3 * 1440)).min(latest));
            for m in &mut met {
                *m = m.map(|t| t.min(d));
            }
            satisfaction = Some([5, 5, 5, 4, 4, 3][rng.below(6) as usize]);
            labour = Some(15 + rng.below(120) as i64);
        }
    }
    let assignee = (!matches!(state, "registered" | "pooled" | "cancelled")).then_some(worker);
    let clocks = [0, 1].map(|k| {
        let (clock, span) = spans[k];
        let due = created + chrono::Duration::minutes(span);
        PlannedClock {
            clock,
            start: created,
            due,
            warn: wuye_core::tickets::warn_at(created, due),
            met: met[k],
            paused: paused[k],
        }
    });
    PlannedRequest {
        community,
        contact: names.name(&mut rng),
        topic,
        unit,
        state,
        responder,
        assignee,
        created,
        accepted,
        on_site,
        done,
        closed,
        hold_since,
        satisfaction,
        labour,
        clocks,
    }
}

/// The time a clock last crossed a threshold (warning or deadline) by `now`, while running.
fn last_crossing(c: &PlannedClock, now: Ts) -> Option<Ts> {
    if c.met.is_some() || c.paused.is_some() {
        return None;
    }
    if c.due <= now {
        Some(c.due)
    } else if c.warn <= now {
        Some(c.warn)
    } else {
        None
    }
}

/// What the scanner recorded by its last pass at `last_scan`: (warned_at, breached_at).
fn scanner_marks(c: &PlannedClock, last_scan: Ts) -> (Option<Ts>, Option<Ts>) {
    // Running until it was met, paused, or until now.
    let until = c.met.or(c.paused).unwrap_or(last_scan).min(last_scan);
    let warned = (c.warn <= until).then_some(c.warn);
    let breached = (c.due <= until).then_some(c.due);
    (warned, breached)
}

struct RequestPopulation {
    requests: usize,
    clocks: usize,
    last_scan: Ts,
}

/// Bulk-inserts `n` requests (`open` of them open) with two clocks each over the year before
/// `now`, as if the scanner ran until `last_scan`, chosen so that `DUE_CLOCKS` clocks crossed a
/// threshold since.
async fn populate_requests(
    core: &Core,
    staff: &[Staff],
    n: usize,
    open: usize,
    now: Ts,
) -> AnyResult<RequestPopulation> {
    let names = Names::new();
    // The scanner's last pass: the DUE_CLOCKS-th latest crossing of an open request's clock.
    let mut crossings: Vec<Ts> = (0..n)
        .filter(|i| is_open_at(*i, n, open))
        .flat_map(|i| {
            let p = plan_request(i, n, true, now, staff, &names);
            p.clocks
                .iter()
                .filter_map(|c| last_crossing(c, now))
                .collect::<Vec<_>>()
        })
        .collect();
    crossings.sort_by(|a, b| b.cmp(a));
    let last_scan = match crossings.get(DUE_CLOCKS) {
        Some(t) => *t,
        None => crossings
            .last()
            .map_or(now, |t| *t - chrono::Duration::seconds(1)),
    };

    let mut counters = Vec::with_capacity(staff.len());
    for s in staff {
        let v: Option<(i64,)> = core
            .db
            .read()
            .fetch_optional(
                "SELECT value FROM community_counters WHERE community_id = $1 AND name = $2",
                args![s.community, "request"],
            )
            .await?;
        counters.push(v.map_or(0, |v| v.0));
    }
    let r0 = max_id(core, "requests").await?;
    let mut clocks = 0;
    let mut tx = core.db.begin().await?;
    let mut start = 0;
    while start < n {
        let end = (start + REQ_BATCH).min(n);
        let mut ra = Args::with_capacity((end - start) * 30);
        let mut rvals = Vec::with_capacity(end - start);
        let mut ca = Args::with_capacity((end - start) * 20);
        let mut cvals = Vec::with_capacity((end - start) * 2);
        for i in start..end {
            let p = plan_request(i, n, is_open_at(i, n, open), now, staff, &names);
            let id = r0 + i as i64 + 1;
            let community = staff[p.community].community;
            counters[p.community] += 1;
            let prefix = match p.topic.kind {
                k if k.starts_with("repair") => "BX",
                k if k.starts_with("complaint") => "TS",
                _ => "FW",
            };
            // The local date in the communities' zone (Asia/Shanghai, UTC+8 all year).
            let day = (p.created + chrono::Duration::hours(8))
                .format("%Y-%m-%d")
                .to_string();
            let mut escalations = 0i64;
            for c in &p.clocks {
                let (warned, breached) = scanner_marks(c, last_scan);
                escalations += i64::from(breached.is_some());
                cvals.push(format!(
                    "({},{},{},{},{},{},0,{},{},{},{},{},{},{},{})",
                    bind(&mut ca, community),
                    bind(&mut ca, id),
                    bind(&mut ca, c.clock),
                    bind(&mut ca, c.start),
                    bind(&mut ca, c.due),
                    bind(&mut ca, c.warn),
                    bind(&mut ca, c.paused),
                    bind(&mut ca, c.met),
                    bind(&mut ca, warned),
                    bind(&mut ca, breached),
                    bind(&mut ca, day.as_str()),
                    bind(&mut ca, p.topic.kind),
                    bind(&mut ca, p.topic.category),
                    bind(&mut ca, c.met.map(|m| i64::from(m > c.due))),
                ));
                clocks += 1;
            }
            let updated = [p.accepted, p.on_site, p.done, p.closed, p.hold_since]
                .into_iter()
                .flatten()
                .chain(p.clocks.iter().filter_map(|c| c.met))
                .max()
                .unwrap_or(p.created)
                .max(p.created);
            let held = p.hold_since.is_some();
            rvals.push(format!(
                "({},{},{},{},{},{},{},{},{},NULL,{},{},NULL,{},{},{},{},{},{},{},{},0,{},0,NULL,{},NULL,{},NULL,{},{},{},{},{},{},{},{},{})",
                bind(&mut ra, id),
                bind(&mut ra, community),
                bind(&mut ra, format!("{prefix}-{:06}", counters[p.community])),
                bind(&mut ra, p.topic.kind),
                bind(&mut ra, p.topic.category),
                bind(&mut ra, p.topic.channel),
                bind(&mut ra, p.topic.urgency),
                bind(&mut ra, p.topic.complex),
                bind(&mut ra, p.unit),
                bind(&mut ra, p.topic.location),
                bind(&mut ra, p.contact),
                bind(&mut ra, p.topic.description),
                bind(&mut ra, p.state),
                bind(&mut ra, held.then_some("accepted")),
                bind(&mut ra, held.then_some("等待业主在家")),
                bind(&mut ra, p.hold_since),
                bind(&mut ra, p.responder),
                bind(&mut ra, p.assignee),
                bind(&mut ra, p.created + chrono::Duration::days(2)),
                bind(&mut ra, escalations),
                bind(&mut ra, p.labour),
                bind(&mut ra, p.satisfaction),
                bind(&mut ra, p.satisfaction.map(|_| "phone")),
                bind(&mut ra, p.created),
                bind(&mut ra, updated),
                bind(&mut ra, p.accepted),
                bind(&mut ra, p.on_site),
                bind(&mut ra, p.done),
                bind(&mut ra, p.closed),
                bind(&mut ra, day),
                bind(&mut ra, p.done.map(|d| (d - p.created).num_seconds())),
            ));
        }
        tx.execute(
            &format!(
                "INSERT INTO requests (id, community_id, number, kind, category, channel, urgency, complex, \
                 unit_id, person_id, location, contact_name, contact_phone_enc, description, state, hold_from, \
                 hold_reason, hold_since, first_responder_id, assignee_id, promise_at, promise_postponed, \
                 escalations, reopen_count, materials, labour_minutes, charge_fen, satisfaction, rating_comment, \
                 rated_via, created_at, updated_at, accepted_at, on_site_at, done_at, closed_at, created_day, \
                 handling_seconds) VALUES {}",
                rvals.join(",")
            ),
            ra,
        )
        .await?;
        tx.execute(
            &format!(
                "INSERT INTO request_clocks (community_id, request_id, clock, started_at, due_at, warn_at, \
                 pauses_on_hold, paused_since, met_at, warned_at, breached_at, created_day, kind, category, \
                 met_late) VALUES {}",
                cvals.join(",")
            ),
            ca,
        )
        .await?;
        if end / REQ_PER_TX != start / REQ_PER_TX || end == n {
            tx.commit().await?;
            eprint!("\r  populating: {end}/{n} requests");
            tx = core.db.begin().await?;
        }
        start = end;
    }
    for (s, v) in staff.iter().zip(&counters) {
        tx.execute(
            "INSERT INTO community_counters (community_id, name, value) VALUES ($1, $2, $3) \
             ON CONFLICT (community_id, name) DO UPDATE SET value = $3",
            args![s.community, "request", *v],
        )
        .await?;
    }
    tx.commit().await?;
    eprintln!();
    Ok(RequestPopulation {
        requests: n,
        clocks,
        last_scan,
    })
}

async fn count(core: &Core, sql: &str, a: Args) -> AnyResult<i64> {
    let (n,): (i64,) = core.db.read().fetch_one(sql, a).await?;
    Ok(n)
}

/// In order, on one database: (1) the real application on a loopback port, a desk agent with an
/// API token registering a realistic mix of requests on `connections` connections (then every 201
/// must be a row); (2) the same agent's "my open requests" page over what was registered; (3) a
/// year of requests bulk-loaded as if the scanner last ran hours ago, so that ~1,000 clocks are
/// due, and two timed passes of `scan_clocks`; (4) the list again among the million rows, for
/// information (no target of its own).
async fn bench_requests(
    seconds: u64,
    connections: usize,
    requests: usize,
    open: usize,
    work: &WorkDirArgs,
) -> AnyResult<()> {
    use std::sync::Arc;
    let open = open.min(requests);
    println!(
        "== bench requests: the requests API ({connections} connections, {seconds} s after {:.1} s warm-up) \
         and the SLA scanner over {requests} requests, {open} open (SQLite) ==",
        WARMUP.as_secs_f64()
    );
    let window = Duration::from_secs(seconds.max(1));
    let wd = WorkDir::new("requests", work)?;
    let (core, company) = fresh_core(&wd).await?;
    let codes = [
        ("BENCHA", "基准一期"),
        ("BENCHB", "基准二期"),
        ("BENCHC", "基准三期"),
        ("BENCHD", "基准四期"),
    ];
    let mut communities = Vec::new();
    for (code, name) in codes {
        communities.push(new_community(&core, company, code, name).await?);
    }
    let t = Instant::now();
    populate(
        &core,
        &communities,
        2_000 * communities.len(),
        5_000 * communities.len(),
    )
    .await?;
    let mut staff = Vec::new();
    for (k, c) in communities.iter().enumerate() {
        let mut agents = Vec::new();
        for a in 0..3 {
            agents.push(
                staff_user(&core, company, format!("agent{k}{a}"), "service_agent", *c).await?,
            );
        }
        let mut workers = Vec::new();
        for w in 0..3 {
            workers
                .push(staff_user(&core, company, format!("tech{k}{w}"), "technician", *c).await?);
        }
        workers.push(staff_user(&core, company, format!("clean{k}0"), "cleaning", *c).await?);
        staff_user(
            &core,
            company,
            format!("manager{k}0"),
            "project_manager",
            *c,
        )
        .await?;
        let units: Vec<(i64,)> = core
            .db
            .read()
            .fetch_all(
                "SELECT id FROM units WHERE community_id = $1 ORDER BY id",
                args![*c],
            )
            .await?;
        staff.push(Staff {
            community: *c,
            agents,
            workers,
            units: units.into_iter().map(|u| u.0).collect(),
        });
    }
    let agent = staff[0].agents[0];
    let ctx = auth::load_ctx(&core, agent).await?;
    let (_, token) = auth::create_api_token(&core, &ctx, "bench").await?;
    let pairs: Vec<(i64, i64)> = core
        .db
        .read()
        .fetch_all(
            "SELECT unit_id, person_id FROM unit_people WHERE community_id = $1",
            args![communities[0]],
        )
        .await?;
    println!(
        "  fixture           {} communities, {} units, {} people, {} staff (desk agents, technicians, cleaners, managers) in {:.1} s",
        communities.len(),
        2_000 * communities.len(),
        5_000 * communities.len(),
        staff.len() * 8,
        t.elapsed().as_secs_f64()
    );

    // The application, served in this process on a free loopback port.
    let app = wuye_web::app(Arc::clone(&core), wuye_web::WebConfig::default());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = stopped.await;
            })
            .await
    });
    println!("  server            wuye_web::app on http://{addr} (in this process)");

    // 1. Registering requests.
    let c1 = communities[0];
    let tok = token.clone();
    let make: RequestGen = Arc::new(move |conn, seq| {
        let names = Names::new();
        let mut rng = Rng(0x5EED_0006 ^ ((conn as u64) << 40) ^ seq);
        let t = topic(&mut rng);
        let (unit, person) = match t.kind {
            "repair_unit" if !pairs.is_empty() => {
                let (u, p) = pairs[rng.below(pairs.len() as u64) as usize];
                (Some(u), rng.chance(50).then_some(p))
            }
            _ => (None, None),
        };
        let body = serde_json::json!({
            "community_id": c1,
            "kind": t.kind,
            "category": t.category,
            "channel": t.channel,
            "urgency": t.urgency,
            "complex": t.complex,
            "unit_id": unit,
            "person_id": person,
            "location": t.location,
            "contact_name": names.name(&mut rng),
            "contact_phone": phone_of(rng.below(1_000_000)),
            "description": t.description,
        })
        .to_string();
        http_request("POST", addr, "/api/v1/requests", &tok, Some(&body))
    });
    let create = load(addr, connections, window, 201, make).await?;
    print_load("create", &create, 201);
    let rows = count(&core, "SELECT COUNT(*) FROM requests", args![]).await?;
    let created = create.statuses.get(&201).copied().unwrap_or(0);
    let consistent = rows == created as i64 && create.unexpected(201) == 0;
    println!(
        "  check             {rows} rows in requests, {created} answers 201, {} other answers or errors: {}",
        create.unexpected(201),
        pass(consistent)
    );
    let create_ok = create.rate() >= 3000.0 && pct(&create.lat, 99.0) <= 50.0 && consistent;
    println!(
        "  target            create ≥ 3,000 requests/s, p99 ≤ 50 ms, every answer 201: {}",
        pass(create_ok)
    );

    // 2. "My open requests".
    let list_path = "/api/v1/requests?view=mine&open=true&limit=20";
    let mut probe = HttpConn::connect(addr).await?;
    let (status, body) = probe
        .exchange(&http_request("GET", addr, list_path, &token, None))
        .await?;
    drop(probe);
    let page: Vec<serde_json::Value> = serde_json::from_slice(&body).unwrap_or_default();
    let mine = page
        .iter()
        .filter(|r| r["first_responder_id"] == serde_json::json!(agent.0))
        .count();
    println!(
        "  list probe        GET {list_path}: {status}, {} requests ({mine} registered by the agent)",
        page.len()
    );
    let tok = token.clone();
    let list_gen: RequestGen =
        Arc::new(move |_, _| http_request("GET", addr, list_path, &tok, None));
    let list = load(addr, connections, window, 200, Arc::clone(&list_gen)).await?;
    print_load("list mine/open", &list, 200);
    let list_ok = list.rate() >= 5000.0 && list.unexpected(200) == 0 && page.len() == 20;
    println!(
        "  target            list ≥ 5,000 requests/s, every answer 200 with 20 requests: {} (p99 {:.2} ms)",
        pass(list_ok),
        pct(&list.lat, 99.0)
    );

    // 3. The SLA scanner over a year of requests.
    let now = Utc::now();
    let t = Instant::now();
    writer_cache_kib(&core, 256 * 1024).await?;
    let pop = populate_requests(&core, &staff, requests, open, now).await?;
    let load_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut tx = core.db.begin().await?;
    tx.execute("ANALYZE", args![]).await?;
    tx.commit().await?;
    checkpoint(&core).await?;
    writer_cache_kib(&core, 4096).await?;
    let analyze_secs = t.elapsed().as_secs_f64();
    let open_rows = count(
        &core,
        "SELECT COUNT(*) FROM requests WHERE state NOT IN ('closed', 'cancelled')",
        args![],
    )
    .await?;
    let to_warn = count(
        &core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND warned_at IS NULL AND warn_at <= $1 AND due_at > $1",
        args![now],
    )
    .await?;
    let to_breach = count(
        &core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND breached_at IS NULL AND due_at <= $1",
        args![now],
    )
    .await?;
    println!(
        "  population        {} requests + {} clocks in {load_secs:.1} s ({:.0} rows/s); ANALYZE + checkpoint {analyze_secs:.1} s; \
         database {:.0} MiB",
        pop.requests,
        pop.clocks,
        (pop.requests + pop.clocks) as f64 / load_secs.max(1e-9),
        file_mib(&wd.db_path())
    );
    println!(
        "  due at now        {open_rows} open requests in all; last scan {:.1} h before now; {to_warn} clocks to warn, \
         {to_breach} to escalate",
        (now - pop.last_scan).num_seconds() as f64 / 3600.0
    );
    let notes0 = count(&core, "SELECT COUNT(*) FROM notifications", args![]).await?;
    let t = Instant::now();
    let first = wuye_core::tickets::scan_clocks(&core, now).await?;
    let first_secs = t.elapsed().as_secs_f64();
    let notes = count(&core, "SELECT COUNT(*) FROM notifications", args![]).await? - notes0;
    let t = Instant::now();
    let second = wuye_core::tickets::scan_clocks(&core, now).await?;
    let second_secs = t.elapsed().as_secs_f64();
    println!(
        "  scan pass 1       {:.3} s: warned {}, escalated {}, {notes} notifications written",
        first_secs, first.warned, first.breached
    );
    println!(
        "  scan pass 2       {:.3} s: warned {}, escalated {} (steady state)",
        second_secs, second.warned, second.breached
    );
    let handled = first.warned as i64 == to_warn && first.breached as i64 == to_breach;
    let scan_ok =
        first_secs <= 1.0 && second_secs <= 1.0 && handled && second == Default::default();
    println!(
        "  target            a scanner pass ≤ 1 s, every due clock handled once: {}",
        pass(scan_ok)
    );

    // 4. A quarter's statistics over the million requests: the most recent full quarter, every
    // community, grouped by type, with the clocks' on-time rates and the trend; best of 3 runs.
    let sys = wuye_core::Ctx::system(company);
    let today = (now + chrono::Duration::hours(8)).date_naive();
    let q_now = (chrono::Datelike::month(&today) - 1) / 3 + 1;
    let (qy, qq) = if q_now == 1 {
        (chrono::Datelike::year(&today) - 1, 4)
    } else {
        (chrono::Datelike::year(&today), q_now - 1)
    };
    let (from, to) = wuye_core::tickets::quarter_range(qy, qq)?;
    let query = wuye_core::tickets::StatsQuery {
        community_id: None,
        from,
        to,
        group_by: Some("kind".into()),
        kind: None,
        category: None,
    };
    let mut best = f64::MAX;
    let mut counted = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let st = wuye_core::tickets::stats(&core, &sys, &query).await?;
        best = best.min(t.elapsed().as_secs_f64());
        counted = st.total.count;
    }
    let mut best_cat = f64::MAX;
    for _ in 0..3 {
        let q = wuye_core::tickets::StatsQuery {
            group_by: Some("category".into()),
            category: Some("water".into()),
            ..query.clone()
        };
        let t = Instant::now();
        wuye_core::tickets::stats(&core, &sys, &q).await?;
        best_cat = best_cat.min(t.elapsed().as_secs_f64());
    }
    println!(
        "  quarter stats     {qy} Q{qq} ({from} – {to}): {counted} requests; {:.0} ms by type over every community; \
         {:.0} ms for one category",
        best * 1000.0,
        best_cat * 1000.0
    );
    let stats_ok = best <= 0.3 && best_cat <= 0.3;
    println!(
        "  target            a quarter's statistics ≤ 300 ms: {}",
        pass(stats_ok)
    );

    // 5. "My open requests" again, now among a year of requests (for information).
    let list2 = load(addr, connections, window, 200, list_gen).await?;
    print_load("list at scale", &list2, 200);
    println!(
        "  (information)     list ≥ 5,000 requests/s with {} requests in the database: {}",
        count(&core, "SELECT COUNT(*) FROM requests", args![]).await?,
        pass(list2.rate() >= 5000.0 && list2.unexpected(200) == 0)
    );

    let _ = stop.send(());
    server.await??;
    core.db.close().await;
    let mut missed = Vec::new();
    if !create_ok {
        missed.push("create");
    }
    if !list_ok {
        missed.push("list");
    }
    if !scan_ok {
        missed.push("scanner");
    }
    if !stats_ok {
        missed.push("statistics");
    }
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("requests targets missed: {}", missed.join(", ")).into())
    }
}
