//! `wuye bench …`: the benchmarks of issue #2, and `requests` of the requests and work orders
//! issue, runnable by anyone on their own machine.
//!
//! Each benchmark works in a fresh working directory (default: the system temp dir's
//! `wuye-bench-<name>-<pid>`; a given `--dir` must be absent or empty) on its own SQLite database
//! and key, never in the configured data dir, and deletes it at the end unless `--keep`. Each
//! prints its figures and PASS/FAIL against the target, and exits non-zero when a target is
//! missed. The figures only mean something for a release build (`cargo build --release`).
//!
//! One file per benchmark (`import`, `search`, `startup`, `requests/`, `billing`, `opening`); what several
//! share lives once: the working directory and fresh core (`workdir`), the invented but
//! realistic data (`data`), the registry fixture (`populate`), the load client over HTTP
//! (`client`), figures and percentiles (`report`), and every SQL text (`store`).

mod billing;
mod client;
mod data;
mod import;
mod opening;
mod populate;
mod report;
mod requests;
mod search;
mod startup;
mod store;
mod workdir;

use std::path::PathBuf;

use clap::Subcommand;

use report::{cores, load_average};

pub(crate) type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Where a benchmark works.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkDirArgs {
    /// Working directory; must be absent or empty, and is deleted afterwards
    /// (default: <temp dir>/wuye-bench-<name>-<pid>).
    #[arg(long)]
    pub(crate) dir: Option<PathBuf>,
    /// Keeps the working directory (database, key, workbook, server logs) afterwards.
    #[arg(long)]
    pub(crate) keep: bool,
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
    /// Opening arrears: imports 600,000 lines (100,000 units × 3 items × 2 quarters) from
    /// .xlsx (target ≤ 30 s, peak RSS ≤ 300 MB). SQLite, or the PostgreSQL database given.
    Opening {
        #[arg(long, default_value_t = 100_000)]
        units: usize,
        /// A throwaway PostgreSQL database to run on instead of SQLite (what it writes stays).
        #[arg(long, env = "WUYE_BENCH_DATABASE_URL", hide_env_values = true)]
        database_url: Option<String>,
        /// Only writes the generated workbook to this file (the benchmark runs this in a child
        /// process, so the generator's memory is not in the import's peak).
        #[arg(long, hide = true)]
        generate_to: Option<PathBuf>,
        /// Only writes the units workbook (PostgreSQL: the units come in by the registry import).
        #[arg(long, hide = true)]
        generate_units_to: Option<PathBuf>,
        #[command(flatten)]
        work: WorkDirArgs,
    },
}

pub async fn run(r: &crate::config::Resolved, cmd: BenchCmd) -> AnyResult<()> {
    if r.database_url.starts_with("postgres") {
        println!(
            "note: benchmarks run on SQLite in their own directory (bench opening: on the PostgreSQL of --database-url); the configured database is not used"
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
        BenchCmd::Import { rows, work } => import::bench_import(rows, &work).await,
        BenchCmd::Search {
            people,
            queries,
            no_analyze,
            work,
        } => search::bench_search(people, queries, !no_analyze, &work).await,
        BenchCmd::Startup { size_mb, work } => startup::bench_startup(size_mb, &work).await,
        BenchCmd::Requests {
            seconds,
            connections,
            requests,
            open,
            work,
        } => requests::bench_requests(seconds, connections.max(1), requests, open, &work).await,
        BenchCmd::Billing {
            units,
            periods,
            lookups,
            work,
        } => billing::bench_billing(units, periods.clamp(1, 12), lookups.max(1), &work).await,
        BenchCmd::Opening {
            generate_to: Some(file),
            units,
            ..
        } => opening::generate_to(units.max(1), &file),
        BenchCmd::Opening {
            generate_units_to: Some(file),
            units,
            ..
        } => Ok(std::fs::write(
            file,
            import::import_workbook(units.max(1))?,
        )?),
        BenchCmd::Opening {
            units,
            database_url,
            work,
            ..
        } => opening::bench_opening(units.max(1), database_url, &work).await,
    }
}
