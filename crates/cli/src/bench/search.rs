//! `wuye bench search`: the desk's one search box over a registry of a million people (target on
//! either engine: p99 ≤ 20 ms), with a query mix shaped like what a desk types, timed per kind of
//! query so a slow kind cannot hide behind fast ones. No ANALYZE of its own: the planner has the
//! statistics the server keeps (SQLite: what `wuye serve` gathers at open; PostgreSQL:
//! autovacuum's).

use std::time::{Duration, Instant};

use wuye_core::auth::{self, UserForCreate};
use wuye_core::registry::{self, HitKind};

use super::data::{Names, Rng, UNITS_PER_BUILDING, phone_of, unit_no_of};
use super::populate::populate;
use super::report::{pass, pct};
use super::store::{self, checkpoint};
use super::workdir::{Engine, WorkDir, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs};

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

pub(super) async fn bench_search(
    people: usize,
    queries: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let units = people * 2 / 5;
    println!(
        "== bench search: {people} people, {units} units in 2 communities, {queries} queries ({}) ==",
        engine.label()
    );
    let wd = WorkDir::new("search", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let c1 = new_community(&core, company, "BENCHA", "基准一期").await?;
    let c2 = new_community(&core, company, "BENCHB", "基准二期").await?;

    let t = Instant::now();
    store::writer_cache_kib(&core, 256 * 1024).await?;
    let pop = populate(&core, &[c1, c2], units, people).await?;
    // The population stands in for an import of the register, which ends by refreshing the
    // planner statistics of what it wrote (`Db::optimize`, as `registry::import` does).
    core.db.optimize().await;
    let pop_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    checkpoint(&core).await?;
    store::writer_cache_kib(&core, 4096).await?;
    let checkpoint_secs = t.elapsed().as_secs_f64();
    println!(
        "  population        {} buildings, {} units, {} people, {} links in {pop_secs:.1} s ({:.0} rows/s); checkpoint {checkpoint_secs:.1} s; database {:.0} MiB",
        pop.buildings,
        pop.units,
        pop.people,
        pop.links,
        (pop.units + pop.people + pop.links) as f64 / pop_secs.max(1e-9),
        store::database_bytes(&core).await? as f64 / 1_048_576.0,
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
