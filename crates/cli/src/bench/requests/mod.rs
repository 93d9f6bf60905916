//! `wuye bench requests`: requests and work orders under load — registering over the API
//! (target ≥ 3,000/s, p99 ≤ 50 ms), the agent's open requests (≥ 5,000/s), an SLA scanner pass
//! over a year of requests (≤ 1 s), a quarter's statistics (≤ 300 ms) and the home pages' reads
//! (the manager's dashboard ≤ 600 ms, the desk's day ≤ 200 ms), the same targets on either
//! engine. The API is measured on `wuye serve` started as a child process on the
//! benchmark's database and loaded from this process over loopback, so routing, auth and JSON
//! are in the figure and the load generator does not share the server's runtime. No ANALYZE of
//! its own: the planner has only the statistics the server keeps.

mod fixture;
mod topic;

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hyper::Method;
use wuye_core::auth;

use super::client::{Conn, RequestGen, WARMUP, api_request, load, print_load};
use super::data::{Names, Rng, phone_of};
use super::populate::populate;
use super::report::{pass, pct};
use super::server;
use super::store::{self, checkpoint};
use super::workdir::{Engine, WorkDir, fresh_core, new_community, reopen};
use super::{AnyResult, WorkDirArgs};
use fixture::{hire_staff, populate_requests};
use topic::topic;

/// In order, on one database: (1) `wuye serve` in a child process, a desk agent with an API
/// token registering a realistic mix of requests on `connections` connections (then every 201
/// must be a row); (2) the same agent's "my open requests" page over what was registered; (3) a
/// year of requests bulk-loaded as if the scanner last ran hours ago, so that ~1,000 clocks are
/// due, and two timed passes of `scan_clocks`; (4) a quarter's statistics; (5) the list again
/// among the million rows on a server started afresh on them, for information (no target of
/// its own).
pub(super) async fn bench_requests(
    seconds: u64,
    connections: usize,
    requests: usize,
    open: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let open = open.min(requests);
    println!(
        "== bench requests: the requests API ({connections} connections, {seconds} s after {:.1} s warm-up) \
         and the SLA scanner over {requests} requests, {open} open ({}) ==",
        WARMUP.as_secs_f64(),
        engine.label()
    );
    let window = Duration::from_secs(seconds.max(1));
    let wd = WorkDir::new("requests", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
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
    let staff = hire_staff(&core, company, &communities).await?;
    let agent = staff[0].agents[0];
    let ctx = auth::load_ctx(&core, agent).await?;
    let (_, token) = auth::create_api_token(&core, &ctx, "bench").await?;
    let pairs = store::unit_people(&core, communities[0]).await?;
    println!(
        "  fixture           {} communities, {} units, {} people, {} staff (desk agents, technicians, cleaners, managers) in {:.1} s",
        communities.len(),
        2_000 * communities.len(),
        5_000 * communities.len(),
        staff.len() * 8,
        t.elapsed().as_secs_f64()
    );

    // The server, in a process of its own on the benchmark's database.
    let exe = std::env::current_exe()?;
    let srv = server::start(engine, &wd, "api").await?;
    let addr = srv.addr();
    println!(
        "  server            {} (pid {}, ready in {} ms; the load comes from this process)",
        server::command_line(&exe, &wd).replace("<free port>", &addr.port().to_string()),
        srv.pid(),
        srv.ready.as_millis()
    );

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
        api_request(Method::POST, addr, "/api/v1/requests", &tok, Some(body))
    });
    let create = load(addr, connections, window, 201, make).await?;
    print_load("create", &create, 201);
    let rows = store::count_requests(&core).await?;
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
    let mut probe = Conn::connect(addr).await?;
    let (status, body) = probe
        .exchange(api_request(Method::GET, addr, list_path, &token, None))
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
        Arc::new(move |_, _| api_request(Method::GET, addr, list_path, &tok, None));
    let list = load(addr, connections, window, 200, list_gen).await?;
    print_load("list mine/open", &list, 200);
    let list_ok = list.rate() >= 5000.0 && list.unexpected(200) == 0 && page.len() == 20;
    println!(
        "  target            list ≥ 5,000 requests/s, every answer 200 with 20 requests: {} (p99 {:.2} ms)",
        pass(list_ok),
        pct(&list.lat, 99.0)
    );

    srv.stop();

    // 3. The SLA scanner over a year of requests.
    let now = Utc::now();
    let t = Instant::now();
    store::writer_cache_kib(&core, 256 * 1024).await?;
    let pop = populate_requests(&core, &staff, requests, open, now).await?;
    let load_secs = t.elapsed().as_secs_f64();
    let t = Instant::now();
    checkpoint(&core).await?;
    store::writer_cache_kib(&core, 4096).await?;
    let checkpoint_secs = t.elapsed().as_secs_f64();
    // As the server finds the database when it starts on it.
    let core = reopen(core, &wd, engine).await?;
    let open_rows = store::count_open_requests(&core).await?;
    let to_warn = store::count_clocks_to_warn(&core, now).await?;
    let to_breach = store::count_clocks_to_breach(&core, now).await?;
    println!(
        "  population        {} requests + {} clocks in {load_secs:.1} s ({:.0} rows/s); checkpoint {checkpoint_secs:.1} s; \
         database {:.0} MiB",
        pop.requests,
        pop.clocks,
        (pop.requests + pop.clocks) as f64 / load_secs.max(1e-9),
        store::database_bytes(&core).await? as f64 / 1_048_576.0
    );
    println!(
        "  due at now        {open_rows} open requests in all; last scan {:.1} h before now; {to_warn} clocks to warn, \
         {to_breach} to escalate",
        (now - pop.last_scan).num_seconds() as f64 / 3600.0
    );
    let notes0 = store::count_notifications(&core).await?;
    let t = Instant::now();
    let first = wuye_core::tickets::scan_clocks(&core, now).await?;
    let first_secs = t.elapsed().as_secs_f64();
    let notes = store::count_notifications(&core).await? - notes0;
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

    // 4b. The home pages' reads over the same year: the manager's dashboard (every community,
    //     the six months to today: open clocks by state, the months' counts, on-time rates and
    //     satisfaction) and the desk's day (today's, breached, at risk); best of 3 runs.
    let dash_q = wuye_core::tickets::DashboardQuery {
        community_id: None,
        to: today,
        months: Some(6),
    };
    let (mut best_dash, mut best_desk) = (f64::MAX, f64::MAX);
    let mut breached = 0;
    for _ in 0..3 {
        let t = Instant::now();
        wuye_core::tickets::dashboard(&core, &sys, &dash_q).await?;
        best_dash = best_dash.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        breached = wuye_core::tickets::desk_day(&core, &sys)
            .await?
            .breached
            .len();
        best_desk = best_desk.min(t.elapsed().as_secs_f64());
    }
    println!(
        "  home pages        dashboard over six months {:.0} ms; desk's day {:.0} ms ({breached} breached listed)",
        best_dash * 1000.0,
        best_desk * 1000.0
    );
    let home_ok = best_dash <= 0.6 && best_desk <= 0.2;
    println!(
        "  target            the dashboard ≤ 600 ms, the desk's day ≤ 200 ms: {}",
        pass(home_ok)
    );

    // 5. "My open requests" again, now among a year of requests (for information), on a server
    //    started on them.
    let srv = server::start(engine, &wd, "at-scale").await?;
    let addr = srv.addr();
    let tok = token.clone();
    let list_gen: RequestGen =
        Arc::new(move |_, _| api_request(Method::GET, addr, list_path, &tok, None));
    let list2 = load(addr, connections, window, 200, list_gen).await?;
    print_load("list at scale", &list2, 200);
    println!(
        "  (information)     list ≥ 5,000 requests/s with {} requests in the database: {}",
        store::count_requests(&core).await?,
        pass(list2.rate() >= 5000.0 && list2.unexpected(200) == 0)
    );

    srv.stop();
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
    if !home_ok {
        missed.push("home pages");
    }
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("requests targets missed: {}", missed.join(", ")).into())
    }
}
