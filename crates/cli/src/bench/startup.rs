//! `wuye bench startup`: how fast `wuye serve` answers and how little memory it holds idle on a
//! large database (targets on either engine: ready ≤ 1 s, idle RSS ≤ 60 MB), measured on the
//! real binary in a child process, three starts in a row.

use std::time::{Duration, Instant};

use chrono::Utc;
use wuye_core::Core;
use wuye_core::shared::ids::{CommunityId, CompanyId};

use super::data::{Names, Rng, unit_no_of};
use super::populate::populate;
use super::report::{mib_kb, pass, proc_status_kb};
use super::server;
use super::store::{self, AuditRow, checkpoint};
use super::workdir::{Engine, WorkDir, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs};

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
        let size = store::database_bytes(core).await?;
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
                values.push(AuditRow {
                    community,
                    at,
                    unit: unit as i64,
                    before,
                    after,
                });
            }
            store::insert_audit(&mut tx, company, "基准管理员", values).await?;
        }
        tx.commit().await?;
    }
    eprintln!();
    Ok(rows)
}

struct StartupRun {
    ready: Duration,
    polls: usize,
    idle_rss_kb: Option<u64>,
    hwm_kb: Option<u64>,
}

/// Starts the server, times it until `GET /login` answers 200, waits 2 s idle, reads its RSS,
/// stops it.
async fn startup_once(engine: &Engine, wd: &WorkDir, n: usize) -> AnyResult<StartupRun> {
    let server = server::start(engine, wd, &n.to_string()).await?;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let pid = server.pid();
    let run = StartupRun {
        ready: server.ready,
        polls: server.polls,
        idle_rss_kb: proc_status_kb(Some(pid), "VmRSS:"),
        hwm_kb: proc_status_kb(Some(pid), "VmHWM:"),
    };
    server.stop();
    Ok(run)
}

pub(super) async fn bench_startup(
    size_mb: u64,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    println!(
        "== bench startup: `wuye serve` on a {size_mb} MiB {} database, 3 starts ==",
        engine.label()
    );
    let wd = WorkDir::new("startup", work)?;
    let exe = std::env::current_exe()?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let c1 = new_community(&core, company, "BENCHA", "基准一期").await?;
    let c2 = new_community(&core, company, "BENCHB", "基准二期").await?;
    let t = Instant::now();
    store::writer_cache_kib(&core, 256 * 1024).await?;
    // Registry rows in proportion (≈ 5 % of the file), the rest audit history.
    let people = ((size_mb as usize) * 100).clamp(1_000, 1_000_000);
    let pop = populate(&core, &[c1, c2], people * 2 / 5, people).await?;
    let audit_rows = fill_audit(&core, company, &[c1, c2], size_mb * 1_048_576).await?;
    checkpoint(&core).await?;
    let bytes = store::database_bytes(&core).await?;
    core.db.close().await;
    drop(core);
    println!(
        "  database          {:.0} MiB: {} units, {} people, {audit_rows} audit entries (~2 KB JSON each), built in {:.1} s (not timed)",
        bytes as f64 / 1_048_576.0,
        pop.units,
        pop.people,
        t.elapsed().as_secs_f64()
    );
    println!("  server            {}", server::command_line(&exe, &wd));
    println!(
        "  {:<5} {:>10} {:>7} {:>14} {:>14}",
        "run", "ready ms", "polls", "idle RSS", "peak RSS"
    );
    let mut ok = true;
    for n in 1..=3 {
        let r = startup_once(engine, &wd, n).await?;
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
