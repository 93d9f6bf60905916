//! `wuye bench kpis`: a month's staff KPIs of a company of 5,000 staff (250 communities × 20:
//! desk agents, technicians, guards, cleaners), over HTTP to `wuye serve` in a child process.
//! The database grows a year of their work itself (a statement a day: each community's requests
//! registered by its agents and worked by its technicians, with their two clocks, and as many
//! hotline calls); then last month's KPIs of the whole company — every person's figures and score
//! by his role's card, every team — are asked `--runs` times on one keep-alive connection.
//! Target on SQLite and on PostgreSQL: p99 ≤ 500 ms.

use std::time::Instant;

use chrono::{Datelike, Utc};
use hyper::Method;
use wuye_core::auth;

use super::client::{Conn, api_request};
use super::report::{pass, pct};
use super::store::kpis as store;
use super::workdir::{Engine, WorkDir, company_admin, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs, server};

const TARGET_MS: f64 = 500.0;

pub(super) async fn bench_kpis(
    communities: usize,
    per_day: i64,
    runs: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    println!(
        "== bench kpis: {communities} communities × {} staff, {per_day} requests a day each for a year ({}) ==",
        store::PER,
        engine.label()
    );
    let wd = WorkDir::new("kpis", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let now = Utc::now();
    let today = (now + chrono::Duration::hours(8)).date_naive();
    let t = Instant::now();
    for k in 0..communities {
        new_community(&core, company, &format!("K{k:04}"), &format!("绩效小区{k}")).await?;
    }
    let admin = company_admin(&core, company, "kpi_admin").await?;
    let hash = store::password_hash(&core, "kpi_admin").await?;
    let (c0, s0) = store::insert_staff(&core, company, &hash, now).await?;
    println!(
        "  staff             {} people in {communities} communities in {:.1} s",
        communities as i64 * store::PER,
        t.elapsed().as_secs_f64()
    );
    let t = Instant::now();
    let mut grown = 0;
    for back in (1..=365).rev() {
        let day = today - chrono::Duration::days(back);
        let at = wuye_core::shared::calendar::local_to_utc(
            wuye_core::shared::calendar::zone(""),
            day,
            chrono::NaiveTime::from_hms_opt(10, 0, 0).unwrap_or_default(),
        );
        grown += store::insert_day(&core, company, c0, s0, day, at, per_day).await?;
    }
    println!(
        "  work              {grown} requests (two clocks each) and {grown} hotline calls over a year in {:.1} s",
        t.elapsed().as_secs_f64()
    );
    // What a running server has done before anyone asks: the dashboard job's pass over every
    // community (a server started afresh runs it at once, which would weigh on the timed reads).
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    wuye_core::dashboard::refresh_out_of_date(&core, Utc::now()).await?;
    let last_month = wuye_core::dashboard::month_start(today, 1);
    let month = last_month.format("%Y-%m").to_string();
    let ctx = auth::load_ctx(&core, admin).await?;
    let (_, token) = auth::create_api_token(&core, &ctx, "bench").await?;
    core.db.close().await;
    let srv = server::start(engine, &wd, "kpis").await?;
    let addr = srv.addr();
    let mut conn = Conn::connect(addr).await?;
    let path = format!("/api/v1/kpis?month={month}");
    let mut times = Vec::with_capacity(runs);
    let (mut people, mut scored, mut assigned) = (0, 0, 0);
    for i in 0..=runs {
        let req = api_request(Method::GET, addr, &path, &token, None);
        let t = Instant::now();
        let (status, bytes) = conn.exchange(req).await?;
        let took = t.elapsed();
        if status != 200 {
            return Err(format!("{path}: {status} {}", String::from_utf8_lossy(&bytes)).into());
        }
        let v: serde_json::Value = serde_json::from_slice(&bytes)?;
        let ps = v["people"].as_array().cloned().unwrap_or_default();
        people = ps.len();
        scored = ps.iter().filter(|p| !p["score"].is_null()).count();
        assigned = ps
            .iter()
            .map(|p| p["figures"]["assigned"].as_i64().unwrap_or(0))
            .sum::<i64>();
        if i > 0 {
            times.push(took);
        }
    }
    times.sort();
    let (p50, p99) = (pct(&times, 50.0), pct(&times, 99.0));
    let expected = per_day
        * communities as i64
        * last_month.with_day(1).map_or(30, |d| {
            let next = wuye_core::dashboard::month_start(d + chrono::Duration::days(32), 0);
            (next - d).num_days()
        });
    let ok = p99 <= TARGET_MS && assigned == expected;
    println!(
        "  month {month}     p50 {p50:.1} ms, p99 {p99:.1} ms over {runs} reads; {people} people ({scored} scored), \
         {assigned} work orders counted (expected {expected})   {}",
        pass(ok)
    );
    srv.stop();
    if ok {
        Ok(())
    } else {
        Err(format!("the month's KPIs missed p99 ≤ {TARGET_MS} ms or miscounted").into())
    }
}
