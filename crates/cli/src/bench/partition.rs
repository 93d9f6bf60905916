//! `wuye bench partition` (PostgreSQL only): the plan for one company of 10,000 communities —
//! every tenant table keyed by `community_id` first, so the schema can be hash-partitioned (or
//! sharded, the Citus model) by community. Populates many communities, re-creates `requests` and
//! `charges` as hash-partitioned by community beside their unpartitioned twins, asserts with
//! EXPLAIN that each hot query touches one partition, and times both layouts on the same rows.

use std::time::{Duration, Instant};

use wuye_core::auth::{self, UserForCreate};
use wuye_core::shared::ids::CommunityId;

use super::data::Rng;
use super::populate::populate;
use super::report::{pass, pct};
use super::store::{self, partition::Hot};
use super::workdir::{Engine, WorkDir, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs};

/// Monthly bills stored per unit, and lines per bill.
const MONTHS: i64 = 12;
const ITEMS: i64 = 5;
/// Lookups timed per query and layout.
const LOOKUPS: usize = 400;

/// The partitions of `table` named in a plan's lines (`charges_p3`, …), each once.
fn partitions_in(plan: &[String], table: &str) -> Vec<String> {
    let prefix = format!("{table}_p");
    let mut found: Vec<String> = plan
        .iter()
        .flat_map(|l| l.split_whitespace())
        .filter_map(|w| {
            let digits = w.strip_prefix(&prefix)?;
            let n: String = digits.chars().take_while(char::is_ascii_digit).collect();
            (!n.is_empty()).then(|| format!("{prefix}{n}"))
        })
        .collect();
    found.sort();
    found.dedup();
    found
}

pub(super) async fn bench_partition(
    communities: usize,
    partitions: usize,
    units: usize,
    requests: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    if !engine.is_postgres() {
        return Err(
            "bench partition runs on PostgreSQL only: give --database-url postgres://…".into(),
        );
    }
    println!(
        "== bench partition: {communities} communities × {units} units ({} charges) and {requests} requests each, \
         hash-partitioned into {partitions} (PostgreSQL) ==",
        communities as i64 * units as i64 * MONTHS * ITEMS
    );
    let wd = WorkDir::new("partition", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;

    let t = Instant::now();
    let mut ids: Vec<CommunityId> = Vec::with_capacity(communities);
    for k in 0..communities {
        ids.push(
            new_community(&core, company, &format!("P{k:05}"), &format!("分区小区{k}")).await?,
        );
    }
    populate(&core, &ids, communities * units, 0).await?;
    // The desk agent every request is registered by (one login, all communities' rows).
    let agent = auth::create_user_as_system(
        &core,
        company,
        UserForCreate {
            username: "desk_agent".into(),
            display_name: "客服".into(),
            role: "service_agent".into(),
            password: "bench-password-2026".into(),
            communities: vec![ids[0]],
        },
    )
    .await?
    .user
    .id;
    store::partition::insert_fee_items(&core, company).await?;
    let charges = store::partition::insert_charges(&core, company, MONTHS, ITEMS).await?;
    let reqs = store::partition::insert_requests(&core, company, agent, requests as i64).await?;
    println!(
        "  population        {communities} communities, {} units, {charges} charges, {reqs} requests in {:.1} s",
        communities * units,
        t.elapsed().as_secs_f64()
    );

    let t = Instant::now();
    let mut copied = Vec::new();
    for table in store::partition::TABLES {
        copied.push(store::partition::partition(&core, table, partitions).await?);
    }
    println!(
        "  partitioned       requests ({} rows) and charges ({} rows) into {partitions} hash partitions each \
         by community_id, primary key (community_id, id), in {:.1} s; the unpartitioned tables stay as \
         requests_flat and charges_flat",
        copied[0],
        copied[1],
        t.elapsed().as_secs_f64()
    );

    // The statistics a server has: autovacuum's, not an ANALYZE of the benchmark's own.
    let t = Instant::now();
    let deadline = t + Duration::from_secs(300);
    loop {
        let mut left = 0;
        for table in store::partition::TABLES {
            left += store::partition::unanalyzed(&core, table).await?;
        }
        if left == 0 {
            println!(
                "  statistics        autovacuum analyzed every table and partition after {:.0} s",
                t.elapsed().as_secs_f64()
            );
            break;
        }
        if Instant::now() > deadline {
            println!(
                "  statistics        {left} tables or partitions still not analyzed by autovacuum after 300 s (timed anyway)"
            );
            break;
        }
        tokio::time::sleep(Duration::from_secs(5)).await;
    }

    let sample = store::partition::sample_units(&core, 97).await?;
    let as_of = chrono::NaiveDate::from_ymd_opt(2026, 1, 1).ok_or("date")?;
    let (c0, u0) = *sample.first().ok_or("no units")?;

    // 1. EXPLAIN: each hot query on the partitioned table names exactly one partition.
    let mut pruned_ok = true;
    for hot in Hot::ALL {
        let key = if hot == Hot::DeskList { agent.0 } else { u0 };
        let plan = hot.explain(&core, hot.table(), c0, key, as_of).await?;
        let parts = partitions_in(&plan, hot.table());
        let ok = parts.len() == 1;
        pruned_ok &= ok;
        println!(
            "  EXPLAIN           {:<30} community {c0}: partitions {} — {}",
            hot.label(),
            parts.join(", "),
            pass(ok)
        );
        if !ok {
            for l in &plan {
                println!("                    {l}");
            }
        }
    }

    // 2. Timings on both layouts, the same lookups in the same order, alternating layouts so
    //    neither has the warmer cache.
    println!(
        "  {:<30} {:>14} {:>14} {:>14} {:>14}",
        "query (ms)", "flat p50", "flat p99", "parted p50", "parted p99"
    );
    let mut rng = Rng(0x5EED_0007);
    for hot in Hot::ALL {
        let flat = format!("{}_flat", hot.table());
        let mut times = [Vec::with_capacity(LOOKUPS), Vec::with_capacity(LOOKUPS)];
        let mut rows = [0usize, 0usize];
        for i in 0..LOOKUPS + 20 {
            let (c, u) = sample[rng.below(sample.len() as u64) as usize];
            let key = if hot == Hot::DeskList { agent.0 } else { u };
            for (k, table) in [flat.as_str(), hot.table()].into_iter().enumerate() {
                let t = Instant::now();
                let n = hot.run(&core, table, c, key, as_of).await?;
                // The first 20 rounds warm both layouts up, untimed.
                if i >= 20 {
                    times[k].push(t.elapsed());
                    rows[k] += n;
                }
            }
        }
        if rows[0] != rows[1] {
            return Err(format!(
                "{}: {} rows unpartitioned, {} partitioned",
                hot.label(),
                rows[0],
                rows[1]
            )
            .into());
        }
        for t in &mut times {
            t.sort();
        }
        println!(
            "  {:<30} {:>14.2} {:>14.2} {:>14.2} {:>14.2}   ({:.1} rows each)",
            hot.label(),
            pct(&times[0], 50.0),
            pct(&times[0], 99.0),
            pct(&times[1], 50.0),
            pct(&times[1], 99.0),
            rows[0] as f64 / LOOKUPS as f64
        );
    }
    core.db.close().await;
    drop(wd);
    println!(
        "  target            every hot query touches one partition: {}",
        pass(pruned_ok)
    );
    if pruned_ok {
        Ok(())
    } else {
        Err("a hot query touches more than one partition".into())
    }
}

#[cfg(test)]
mod tests {
    use super::partitions_in;

    #[test]
    fn a_plan_names_its_partitions_once_each() {
        let plan: Vec<String> = [
            "Limit",
            "  ->  Index Scan Backward using requests_p3_pkey on requests_p3 r",
            "        Index Cond: (community_id = 5)",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(partitions_in(&plan, "requests"), ["requests_p3"]);
        let two: Vec<String> = [
            "Append",
            "  ->  Seq Scan on charges_p0 charges_1",
            "  ->  Seq Scan on charges_p12 charges_2",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        assert_eq!(
            partitions_in(&two, "charges"),
            ["charges_p0", "charges_p12"]
        );
    }
}
