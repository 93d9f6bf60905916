//! `wuye bench billing`: a bill run of 200,000 units × 5 fee items (1,000,000 charges) against
//! the engine's plain way of inserting the same rows into the same table (SQLite: batched
//! multi-row INSERTs; PostgreSQL: `INSERT … SELECT FROM UNNEST`), with the run's peak memory;
//! late-fee accrual over the open charges; and the cashier's "what is owed" view and a unit's
//! statement over a table of many millions of charges.

use std::time::Instant;

use wuye_core::billing::{self, BillRunForCreate, FeeItemForSave, StandardForSave};
use wuye_core::shared::ids::{CommunityId, UnitId};
use wuye_core::{Core, Ctx};

use super::populate::populate;
use super::report::{mib_kb, pass, pct, proc_status_kb};
use super::store::{self, checkpoint};
use super::workdir::{Engine, WorkDir, fresh_core, new_community, reopen};
use super::{AnyResult, WorkDirArgs};

/// Five monthly standards that apply to every unit sold.
async fn fees(core: &Core, ctx: &Ctx, c: CommunityId) -> AnyResult<()> {
    let defs = [
        ("WYF", "物业费", "property", "building_area", "2.35"),
        ("DTF", "电梯费", "shared", "building_area", "0.35"),
        ("LJF", "生活垃圾处理费", "other", "fixed", "15"),
        ("GTD", "公共照明电费", "shared", "building_area", "0.12"),
        ("ECGS", "二次供水费", "water", "fixed", "5.5"),
    ];
    for (code, name, kind, method, price) in defs {
        let item = billing::save_fee_item(
            core,
            ctx,
            FeeItemForSave {
                community_id: c,
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                late_fee_rate: Some("0.05".into()),
                late_fee_grace_days: Some(10),
                late_fee_cap_pct: Some(100),
                active: Some(true),
            },
        )
        .await?;
        billing::save_standard(
            core,
            ctx,
            None,
            StandardForSave {
                community_id: c,
                fee_item_id: item.id,
                name: name.into(),
                method: method.into(),
                price: price.into(),
                tiers: None,
                cycle: Some("monthly".into()),
                cycle_start_month: None,
                due_day: Some(15),
                rounding: None,
                building_ids: vec![],
                use_kinds: vec![],
                unit_states: vec![],
                space_states: vec![],
                vacant_pct: None,
                active: Some(true),
            },
        )
        .await?;
    }
    Ok(())
}

/// Resets this process's peak RSS (VmHWM), so the next reading is the peak of what follows.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The run's targets on each engine: seconds per 1,000,000 charges, and the most it may take
/// over the baseline.
fn run_targets(engine: &Engine) -> (f64, f64, &'static str) {
    if engine.is_postgres() {
        (6.0, 1.5, "INSERT … SELECT FROM UNNEST")
    } else {
        (5.0, 2.0, "plain batched INSERT")
    }
}

pub(super) async fn bench_billing(
    units: usize,
    periods: usize,
    lookups: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    println!(
        "== bench billing: {units} units × 5 items, {periods} monthly runs ({}) ==",
        engine.label()
    );
    let (secs_per_m, max_ratio, baseline) = run_targets(engine);
    let wd = WorkDir::new("billing", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let ctx = Ctx::system(company);
    let c = new_community(&core, company, "BILL", "基准收费小区").await?;
    let t = Instant::now();
    populate(&core, &[c], units, 0).await?;
    // Everything sold: every unit is billed for every item.
    store::sell_all_units(&core, c).await?;
    fees(&core, &ctx, c).await?;
    checkpoint(&core).await?;
    println!(
        "population: {units} units in {:.1} s",
        t.elapsed().as_secs_f64()
    );

    // 1. The bill run: compute, insert, pending services, prepaid, audit — one transaction.
    reset_peak_rss();
    let rss_before = proc_status_kb(None, "VmRSS:");
    let t = Instant::now();
    let run = billing::post(
        &core,
        &ctx,
        BillRunForCreate {
            community_id: c,
            period: "2026-01".into(),
        },
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let peak = proc_status_kb(None, "VmHWM:");
    checkpoint(&core).await?;

    // 2. The baseline: the same rows, computed beforehand, into the same table and indexes
    //    (emptied first) — SQLite: plain batched INSERTs of the run's statement; PostgreSQL:
    //    its fastest plain INSERT, one array per column unnested.
    store::delete_charges(&core, c).await?;
    store::vacuum_charges(&core).await?;
    checkpoint(&core).await?;
    let lines = billing::lines_for(&core, &ctx, c, "2026-01").await?;
    let n = lines.len();
    let t = Instant::now();
    if engine.is_postgres() {
        store::unnest_charges(&core, c, "2026-01", chrono::Utc::now(), lines).await?;
    } else {
        let mut tx = core.db.begin().await?;
        billing::bulk_cache(&mut tx, true).await?;
        billing::insert_charges(&mut tx, c, 0, "2026-01", None, chrono::Utc::now(), lines).await?;
        billing::bulk_cache(&mut tx, false).await?;
        tx.commit().await?;
    }
    let plain = t.elapsed().as_secs_f64();
    checkpoint(&core).await?;

    let ratio = secs / plain;
    println!(
        "bill run of {} charges, total ¥{}",
        run.charges,
        wuye_core::shared::money::Money(run.total_fen)
    );
    println!(
        "  bill run              {secs:.2} s ({:.0} rows/s)",
        run.charges as f64 / secs
    );
    println!(
        "  baseline              {plain:.2} s ({:.0} rows/s, {n} rows; {baseline})",
        n as f64 / plain
    );
    let ok_time = secs <= secs_per_m * (run.charges as f64 / 1_000_000.0).max(0.2);
    println!("  target ≤ {secs_per_m} s per 1,000,000: {}", pass(ok_time));
    println!(
        "  run / baseline = {ratio:.2} (target ≤ {max_ratio}): {}",
        pass(ratio <= max_ratio)
    );
    println!(
        "  peak RSS during the run {} (before it {}; target ≤ 300 MB): {}",
        mib_kb(peak),
        mib_kb(rss_before),
        pass(peak.is_some_and(|k| k <= 300 * 1024))
    );

    // 3. Late fees: every one of the 1,000,000 charges is overdue. Each day moves the
    //    community's accrual day and counts the charges it carries a day further; the fees are
    //    computed where they are read (the owed and statement lookups below).
    let mut accrual = Vec::new();
    for day in ["2026-03-01", "2026-03-02"] {
        let day = chrono::NaiveDate::parse_from_str(day, "%Y-%m-%d")?;
        let t = Instant::now();
        let mut tx = core.db.begin().await?;
        let n = billing::accrue_in(&mut tx, c, day).await?;
        tx.commit().await?;
        accrual.push((day, n, t.elapsed().as_secs_f64()));
        checkpoint(&core).await?;
    }
    for (day, n, secs) in &accrual {
        println!(
            "late-fee accrual as of {day}: {n} open charges in {secs:.2} s (target ≤ 3 s per 1,000,000): {}",
            pass(*secs <= 3.0 * (*n as f64 / 1_000_000.0).max(0.2))
        );
    }
    let ok_fees = accrual
        .iter()
        .all(|(_, n, secs)| *secs <= 3.0 * (*n as f64 / 1_000_000.0).max(0.2));

    // 4. More periods, so the table holds `periods` × the run (10,000,000 charges by default).
    let t = Instant::now();
    for m in 2..=periods {
        billing::post(
            &core,
            &ctx,
            BillRunForCreate {
                community_id: c,
                period: format!("2026-{m:02}"),
            },
        )
        .await?;
        checkpoint(&core).await?;
    }
    let stored = store::count_charges(&core).await?;
    println!(
        "stored {stored} charges ({} more runs in {:.1} s, database {:.0} MiB)",
        periods.saturating_sub(1),
        t.elapsed().as_secs_f64(),
        store::database_bytes(&core).await? as f64 / 1_048_576.0
    );
    // As a server restarted on this database opens it (the months went by meanwhile).
    let core = reopen(core, &wd, engine).await?;

    // 5. What is owed and the statement, for random units.
    let mut rng = 0x5EED_0004_u64;
    let (min_u, max_u) = store::unit_id_range(&core, c).await?;
    let mut owed_t = Vec::with_capacity(lookups);
    let mut stmt_t = Vec::with_capacity(lookups);
    for _ in 0..lookups {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        let u = UnitId(min_u + (rng % (max_u - min_u + 1) as u64) as i64);
        let t = Instant::now();
        let o = billing::owed(&core, &ctx, u).await?;
        owed_t.push(t.elapsed());
        let t = Instant::now();
        let s = billing::statement(&core, &ctx, u).await?;
        stmt_t.push(t.elapsed());
        // The first period's five charges (at least) are overdue on the accrual day: their fees are
        // computed here, at the read.
        if o.charges.len() != 5 * periods
            || s.charges.len() != 5 * periods
            || o.late_fees.len() < 5
            || o.late_fee_fen <= 0
        {
            return Err(format!(
                "unit {u}: {} owed, {} in statement, {} late fees (¥{} fen)",
                o.charges.len(),
                s.charges.len(),
                o.late_fees.len(),
                o.late_fee_fen
            )
            .into());
        }
    }
    owed_t.sort();
    stmt_t.sort();
    let p99o = pct(&owed_t, 99.0);
    let p99s = pct(&stmt_t, 99.0);
    println!(
        "what is owed: p50 {:.2} ms, p99 {p99o:.2} ms; statement: p50 {:.2} ms, p99 {p99s:.2} ms ({lookups} units, {stored} charges stored): {}",
        pct(&owed_t, 50.0),
        pct(&stmt_t, 50.0),
        pass(p99o <= 10.0 && p99s <= 10.0)
    );
    // 6. The manager's home page charts of this community (for information): the collection
    //    rate of the six periods to the last one billed, and the arrears by age.
    let last = format!("2026-{periods:02}");
    let mut best_trend = f64::MAX;
    let mut best_ageing = f64::MAX;
    for _ in 0..3 {
        let t = Instant::now();
        billing::collection_rate_trend(&core, &ctx, c, &last, 6).await?;
        best_trend = best_trend.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        billing::ageing(&core, &ctx, c, None).await?;
        best_ageing = best_ageing.min(t.elapsed().as_secs_f64());
    }
    println!(
        "home page charts (information): collection rate of six periods to {last} {:.0} ms; arrears by age {:.0} ms ({stored} charges, none paid)",
        best_trend * 1000.0,
        best_ageing * 1000.0
    );
    core.db.close().await;
    let ok = ok_time
        && ok_fees
        && ratio <= max_ratio
        && peak.is_some_and(|k| k <= 300 * 1024)
        && p99o <= 10.0
        && p99s <= 10.0;
    drop(wd);
    if ok {
        Ok(())
    } else {
        Err("a billing target was missed".into())
    }
}
