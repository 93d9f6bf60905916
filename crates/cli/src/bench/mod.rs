//! `wuye bench …`: the benchmarks of issue #2, and `requests` of the requests and work orders
//! issue, runnable by anyone on their own machine.
//!
//! Each benchmark works in a fresh working directory (default: the system temp dir's
//! `wuye-bench-<name>-<pid>`; a given `--dir` must be absent or empty) holding its key, and on its
//! own database: SQLite in that directory, or, with `--database-url postgres://…` (or
//! `WUYE_BENCH_DATABASE_URL`), a schema of its own in that PostgreSQL database
//! (`wuye_bench_<name>_<pid>`), so nothing else there is touched. Never the configured data dir
//! or database (`WUYE_DATABASE_URL` is not read: a benchmark must not land on real data by
//! accident). Directory and schema are deleted at the end unless `--keep`. Each prints its
//! figures and PASS/FAIL against the targets of the engine it ran on, and exits non-zero when a
//! target is missed. The figures only mean something for a release build (`cargo build
//! --release`).
//!
//! One file per benchmark (`import`, `search`, `startup`, `requests/`, `billing`, `opening`,
//! `partition`, `operations`, `frontdesk`, `dashboard`, `kpis`); what several share lives once: the working directory, the engine and fresh
//! core (`workdir`), `wuye serve` in a child process (`server`), the invented but realistic data
//! (`data`), the registry fixture (`populate`), the load client over HTTP (`client`), figures
//! and percentiles (`report`), and every SQL text (`store`).

mod billing;
mod client;
mod dashboard;
mod data;
mod export;
mod frontdesk;
mod import;
mod kpis;
mod notify;
mod opening;
mod operations;
mod partition;
mod populate;
mod report;
mod requests;
mod search;
mod server;
mod startup;
mod store;
mod surveys;
mod workdir;

use std::path::PathBuf;

use clap::Subcommand;

use report::{cores, load_average};

pub(crate) type AnyResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;

/// Where a benchmark works.
#[derive(clap::Args, Debug, Clone)]
pub struct WorkDirArgs {
    /// PostgreSQL database to run on (postgres://…): the benchmark creates a schema of its own
    /// there (wuye_bench_<name>_<pid>) and drops it at the end unless --keep. Default: SQLite
    /// in the working directory.
    #[arg(long, env = "WUYE_BENCH_DATABASE_URL", hide_env_values = true)]
    pub(crate) database_url: Option<String>,
    /// Working directory; must be absent or empty, and is deleted afterwards
    /// (default: <temp dir>/wuye-bench-<name>-<pid>).
    #[arg(long)]
    pub(crate) dir: Option<PathBuf>,
    /// Keeps the working directory (database, key, workbook, server logs) and the PostgreSQL
    /// schema afterwards.
    #[arg(long)]
    pub(crate) keep: bool,
}

#[derive(Subcommand)]
pub enum BenchCmd {
    /// Imports a generated .xlsx of 100,000 units with owners. Target on SQLite and on
    /// PostgreSQL: ≤ 10 s (scaled to --rows).
    Import {
        /// Data rows (units, each with an owner).
        #[arg(long, default_value_t = 100_000)]
        rows: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Searches a registry of 1,000,000 people in 2 communities. Target on SQLite and on
    /// PostgreSQL: p99 ≤ 20 ms over the query mix (the desk types as fast on either).
    Search {
        /// People to populate (units: 2 per 5 people).
        #[arg(long, default_value_t = 1_000_000)]
        people: usize,
        /// Queries to time: 1/3 unit-number prefixes, 1/3 name prefixes, 1/3 phones.
        #[arg(long, default_value_t = 2000)]
        queries: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Starts `wuye serve` on a large database, 3 times. Targets on SQLite and on PostgreSQL:
    /// ready ≤ 1 s and idle RSS ≤ 60 MB (the server holds connections, not data, on either).
    Startup {
        /// Database size to build, in MiB.
        #[arg(long, default_value_t = 1024)]
        size_mb: u64,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Requests and work orders, over HTTP to `wuye serve` in a child process: registering
    /// (target ≥ 3,000/s, p99 ≤ 50 ms), the desk agent's open requests (≥ 5,000/s), an SLA
    /// scanner pass over 1,000,000 requests (≤ 1 s), a quarter's statistics (≤ 300 ms) and the
    /// home pages' reads (dashboard ≤ 600 ms, desk's day ≤ 200 ms). The same targets on SQLite
    /// and on PostgreSQL.
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
    /// Billing: a bill run of 200,000 units × 5 items (1,000,000 charges), late-fee accrual,
    /// and what a unit owes and its statement among 10,000,000 charges. Targets — SQLite: run
    /// ≤ 5 s and ≤ 2× a plain batched INSERT of the same rows; PostgreSQL: run ≤ 6 s and ≤ 1.5×
    /// a raw INSERT … SELECT FROM UNNEST of the same rows into the same table and indexes (both
    /// baselines measured in the same run). Both: peak RSS ≤ 300 MB, accrual ≤ 3 s per
    /// 1,000,000, owed and statement p99 ≤ 10 ms.
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
    /// .xlsx. Target on SQLite and on PostgreSQL: ≤ 30 s and peak RSS ≤ 300 MB.
    Opening {
        #[arg(long, default_value_t = 100_000)]
        units: usize,
        /// Only writes the generated workbook to this file (the benchmark runs this in a child
        /// process, so the generator's memory is not in the import's peak).
        #[arg(long, hide = true)]
        generate_to: Option<PathBuf>,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Notifications: 100,000 e-mails through the outbox to a real SMTP server (aiosmtpd),
    /// sent by `wuye serve` in a child process that is killed (SIGKILL) midway and started
    /// again. Target on SQLite and on PostgreSQL: ≥ 500 delivered/s, 0 missing, 0 duplicates.
    Notify {
        #[arg(long, default_value_t = 100_000)]
        messages: usize,
        /// Staff members each note goes to (each with an e-mail address).
        #[arg(long, default_value_t = 100)]
        staff: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Satisfaction surveys: a survey of 10 questions grown to 50,000 answer sheets through the
    /// service's bulk path, then its analysis (counts per question, means, the satisfaction
    /// index, the response rate) read from a core opened afresh. Target on SQLite and on
    /// PostgreSQL: p99 ≤ 200 ms.
    Surveys {
        /// Answer sheets (people answering).
        #[arg(long, default_value_t = 50_000)]
        sheets: usize,
        /// Analyses timed.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// Patrols at a company's scale: one day's rounds generated for 1,000 communities × 40
    /// plans (target ≤ 2 s); 10,000 offline scans from 100 phones synced over HTTP to `wuye
    /// serve` in a child process (≤ 2 s, each recorded once); a community's year completion
    /// report among ≈ 5,000,000 stored scans (p99 ≤ 300 ms). The same targets on SQLite and on
    /// PostgreSQL.
    Operations {
        #[arg(long, default_value_t = 1000)]
        communities: usize,
        /// Phones syncing at once, each with 5 rounds × 20 checkpoints.
        #[arg(long, default_value_t = 100)]
        phones: usize,
        /// Scans to store (years of rounds walked) before the report is timed.
        #[arg(long, default_value_t = 5_000_000)]
        scans: usize,
        /// Reports timed.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// The desk at the gate, over HTTP to `wuye serve` in a child process: a pick-up code looked
    /// up among a year of 1,000,000 parcels in 10 communities (target p99 ≤ 5 ms), a visitor's
    /// pass checked in by its code among a year of 1,000,000 visits (p99 ≤ 5 ms), and parcels
    /// received by a desk agent on many connections (≥ 2,000/s, every answer 201). The same
    /// targets on SQLite and on PostgreSQL.
    Frontdesk {
        /// Seconds of intake load, after a 1.5 s warm-up.
        #[arg(long, default_value_t = 10)]
        seconds: u64,
        /// Concurrent keep-alive connections of the intake, each with one request in flight.
        #[arg(long, default_value_t = 32)]
        connections: usize,
        /// Parcels stored (a year of them, about 2,000 still held) before the lookups.
        #[arg(long, default_value_t = 1_000_000)]
        parcels: usize,
        /// Pick-up codes looked up, one at a time (one in ten unknown).
        #[arg(long, default_value_t = 2000)]
        lookups: usize,
        /// Visits stored (a year of them, most by a guest's pass) before the check-ins.
        #[arg(long, default_value_t = 1_000_000)]
        visits: usize,
        /// Passes checked in, one at a time, each once (half guests', half temporary); one in
        /// five of the guests' is scanned again (refused: used).
        #[arg(long, default_value_t = 2000)]
        checkins: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// The company dashboard over HTTP to `wuye serve` in a child process: 1,000 communities,
    /// 1,000,000 units, a year of 5,000,000 requests (10,000,000 clocks) and 10 months of bills
    /// (10,000,000 charges) grown by the database; the job's pass keeps each community's
    /// figures (timed); then the whole company's dashboard (6 and 12 months) and one
    /// community's (computed afresh) are each viewed `--runs` times. Target on SQLite and on
    /// PostgreSQL: p99 ≤ 200 ms each.
    Dashboard {
        #[arg(long, default_value_t = 1000)]
        communities: usize,
        #[arg(long, default_value_t = 1_000_000)]
        units: usize,
        /// Requests over the year (two clocks each), spread evenly over communities and days.
        #[arg(long, default_value_t = 5_000_000)]
        requests: usize,
        /// Views timed per kind.
        #[arg(long, default_value_t = 50)]
        runs: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// The company's requests list exported to .xlsx over HTTP to `wuye serve` in a child
    /// process, after a year of requests grown by the database. Target on SQLite and on
    /// PostgreSQL: 1,000,000 rows in ≤ 30 s, the server's peak memory ≤ 150 MB.
    Export {
        #[arg(long, default_value_t = 100)]
        communities: usize,
        /// Requests over the year, spread evenly over communities and days.
        #[arg(long, default_value_t = 1_000_000)]
        rows: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// A month's staff KPIs of 5,000 staff (250 communities × 20) over HTTP to `wuye serve` in
    /// a child process, after a year of their work grown by the database (requests with two
    /// clocks each, hotline calls). Target on SQLite and on PostgreSQL: p99 ≤ 500 ms.
    Kpis {
        #[arg(long, default_value_t = 250)]
        communities: usize,
        /// Requests a day in each community (and as many hotline calls).
        #[arg(long, default_value_t = 20)]
        per_day: i64,
        /// Reads timed.
        #[arg(long, default_value_t = 20)]
        runs: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
    /// PostgreSQL only: `requests` and `charges` declaratively hash-partitioned by community
    /// (the sharding plan for a company of 10,000 communities). Checks with EXPLAIN that the
    /// desk's list, what a unit owes, its statement and a community's arrears each touch one
    /// partition, and times them against the same rows unpartitioned.
    Partition {
        /// Communities to populate.
        #[arg(long, default_value_t = 1000)]
        communities: usize,
        /// Hash partitions of each table.
        #[arg(long, default_value_t = 16)]
        partitions: usize,
        /// Units per community (each billed 5 items × 12 months).
        #[arg(long, default_value_t = 200)]
        units: usize,
        /// Requests per community.
        #[arg(long, default_value_t = 1000)]
        requests: usize,
        #[command(flatten)]
        work: WorkDirArgs,
    },
}

/// The benchmark's name, which names its working directory and PostgreSQL schema too.
fn name_of(cmd: &BenchCmd) -> (&'static str, &WorkDirArgs) {
    match cmd {
        BenchCmd::Import { work, .. } => ("import", work),
        BenchCmd::Search { work, .. } => ("search", work),
        BenchCmd::Startup { work, .. } => ("startup", work),
        BenchCmd::Requests { work, .. } => ("requests", work),
        BenchCmd::Billing { work, .. } => ("billing", work),
        BenchCmd::Opening { work, .. } => ("opening", work),
        BenchCmd::Partition { work, .. } => ("partition", work),
        BenchCmd::Notify { work, .. } => ("notify", work),
        BenchCmd::Surveys { work, .. } => ("surveys", work),
        BenchCmd::Operations { work, .. } => ("operations", work),
        BenchCmd::Frontdesk { work, .. } => ("frontdesk", work),
        BenchCmd::Dashboard { work, .. } => ("dashboard", work),
        BenchCmd::Kpis { work, .. } => ("kpis", work),
        BenchCmd::Export { work, .. } => ("export", work),
    }
}

pub async fn run(cmd: BenchCmd) -> AnyResult<()> {
    if let BenchCmd::Opening {
        generate_to: Some(file),
        units,
        ..
    } = &cmd
    {
        return opening::generate_to((*units).max(1), file);
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
    let (name, work) = name_of(&cmd);
    let engine = workdir::Engine::of(name, work)?;
    println!("engine: {}", engine.describe());
    let res = match cmd {
        BenchCmd::Import { rows, work } => import::bench_import(rows, &work, &engine).await,
        BenchCmd::Search {
            people,
            queries,
            work,
        } => search::bench_search(people, queries, &work, &engine).await,
        BenchCmd::Startup { size_mb, work } => {
            startup::bench_startup(size_mb, &work, &engine).await
        }
        BenchCmd::Requests {
            seconds,
            connections,
            requests,
            open,
            work,
        } => {
            requests::bench_requests(seconds, connections.max(1), requests, open, &work, &engine)
                .await
        }
        BenchCmd::Billing {
            units,
            periods,
            lookups,
            work,
        } => {
            billing::bench_billing(units, periods.clamp(1, 12), lookups.max(1), &work, &engine)
                .await
        }
        BenchCmd::Notify {
            messages,
            staff,
            work,
        } => notify::bench_notify(messages.max(1), staff.clamp(1, 10_000), &work, &engine).await,
        BenchCmd::Surveys { sheets, runs, work } => {
            surveys::bench_surveys(sheets.max(1), runs.max(1), &work, &engine).await
        }
        BenchCmd::Operations {
            communities,
            phones,
            scans,
            runs,
            work,
        } => {
            operations::bench_operations(
                communities.max(1),
                phones.clamp(1, 1000),
                scans,
                runs.max(1),
                &work,
                &engine,
            )
            .await
        }
        BenchCmd::Frontdesk {
            seconds,
            connections,
            parcels,
            lookups,
            visits,
            checkins,
            work,
        } => {
            let sizes = frontdesk::Sizes {
                parcels,
                lookups: lookups.max(1),
                visits,
                checkins,
            };
            frontdesk::bench_frontdesk(seconds, connections.max(1), sizes, &work, &engine).await
        }
        BenchCmd::Dashboard {
            communities,
            units,
            requests,
            runs,
            work,
        } => {
            dashboard::bench_dashboard(
                communities.max(1),
                units.max(communities.max(1)),
                requests,
                runs.max(1),
                &work,
                &engine,
            )
            .await
        }
        BenchCmd::Export {
            communities,
            rows,
            work,
        } => export::bench_export(communities.max(1), rows.max(1), &work, &engine).await,
        BenchCmd::Kpis {
            communities,
            per_day,
            runs,
            work,
        } => {
            kpis::bench_kpis(
                communities.max(1),
                per_day.max(1),
                runs.max(1),
                &work,
                &engine,
            )
            .await
        }
        BenchCmd::Opening { units, work, .. } => {
            opening::bench_opening(units.max(1), &work, &engine).await
        }
        BenchCmd::Partition {
            communities,
            partitions,
            units,
            requests,
            work,
        } => {
            partition::bench_partition(
                communities.max(1),
                partitions.clamp(2, 256),
                units.max(1),
                requests.max(1),
                &work,
                &engine,
            )
            .await
        }
    };
    // The schema goes whether the benchmark passed, failed or stopped on an error.
    engine.finish().await?;
    res
}
