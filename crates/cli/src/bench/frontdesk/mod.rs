//! `wuye bench frontdesk`: the desk at the gate (issue 15): parcels and visitors.
//!
//! The fixture: 10 communities of 1,000 units and 2,500 people (the registry fixture), three
//! desk agents each, and a year of use bulk-loaded ([`parcels`], [`visitors`]):
//! - `parcels` parcels received evenly over the past year (ids follow time), in every
//!   community, most handed over within hours or days (some by ID card, some reminded first),
//!   one in a hundred returned, and the ~2,000 of the last six days still on the shelves with
//!   distinct pick-up codes;
//! - `visits` visits over the same year, most by an owner's guest pass used once, some by a
//!   temporary or construction worker's pass used again and again within its dates (a few
//!   thousand of those), the rest walk-ins the host confirmed; all gone out but the last day's.
//!   Then `checkins` passes of the desk's community valid now and never used, half guests',
//!   half temporary passes of 30 days.
//!
//! No ANALYZE of its own: the database is reopened as a restarted server opens it, and the
//! server started afresh on it. On `wuye serve` in a child process, with a desk agent's token:
//!
//! 1. Pick-up by code: `lookups` codes looked up one at a time on one keep-alive connection, as
//!    a desk does: `GET /api/v1/communities/{id}/parcels/by-code/{code}`; nine in ten the code
//!    of a parcel held in the community (200, the parcel of that code), one in ten a code held
//!    nowhere (404), each kind timed apart. Target: p99 ≤ 5 ms for the held codes.
//! 2. Check-in by pass code: each fresh pass scanned once, one at a time on one keep-alive
//!    connection, as a gate does (`POST /api/v1/communities/{id}/visitors/check-in`, 201 with
//!    the visit), then a sample of the guests' codes again (422 `pass_used`, timed apart).
//!    Target: p99 ≤ 5 ms for the 201s, every answer right, one visit per 201.
//! 3. Intake: `connections` keep-alive connections receiving parcels (`POST /api/v1/
//!    communities/{id}/parcels`, each with a tracking number of its own, for a unit of the
//!    community) for `seconds` after the warm-up, into the table of a year. Target: ≥ 2,000
//!    parcels/s, every answer 201 and every 201 a row.
//!
//! The same targets on SQLite and on PostgreSQL.

mod parcels;
mod visitors;

use std::time::{Duration, Instant};

use wuye_core::Core;
use wuye_core::auth::{self, UserForCreate};
use wuye_core::shared::ids::{CommunityId, CompanyId, UserId};

use super::client::WARMUP;
use super::data::Rng;
use super::populate::populate;
use super::store::frontdesk::{self as store, Host, Resident};
use super::store::{self as common, checkpoint};
use super::workdir::{Engine, WorkDir, fresh_core, new_community, reopen};
use super::{AnyResult, WorkDirArgs, server};

const COMMUNITIES: usize = 10;
const UNITS_PER_COMMUNITY: usize = 1000;
const PEOPLE_PER_COMMUNITY: usize = 2500;
const AGENTS_PER_COMMUNITY: usize = 3;

/// What the fixture holds and how much each part measures.
pub(super) struct Sizes {
    pub(super) parcels: usize,
    pub(super) lookups: usize,
    pub(super) visits: usize,
    pub(super) checkins: usize,
}

/// A community with its units, residents and desk agents.
struct Desk {
    id: CommunityId,
    units: Vec<i64>,
    residents: Vec<Resident>,
    hosts: Vec<Host>,
    agents: Vec<UserId>,
}

async fn desk_agent(
    core: &Core,
    company: CompanyId,
    name: String,
    c: CommunityId,
) -> AnyResult<UserId> {
    let u = auth::create_user_as_system(
        core,
        company,
        UserForCreate {
            display_name: format!("前台{}", &name[name.len() - 3..]),
            username: name,
            role: "service_agent".into(),
            password: "bench-password-2026".into(),
            communities: vec![c],
        },
    )
    .await?;
    common::clear_must_change_password(core, u.user.id).await?;
    Ok(u.user.id)
}

pub(super) async fn bench_frontdesk(
    seconds: u64,
    connections: usize,
    sizes: Sizes,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let Sizes {
        parcels,
        lookups,
        visits,
        checkins,
    } = sizes;
    println!(
        "== bench frontdesk: pick-up by code among {parcels} parcels ({lookups} lookups), check-in by pass code \
         among {visits} visits ({checkins} passes), intake over the API ({connections} connections, {seconds} s \
         after {:.1} s warm-up) ({}) ==",
        WARMUP.as_secs_f64(),
        engine.label()
    );
    let window = Duration::from_secs(seconds.max(1));
    let wd = WorkDir::new("frontdesk", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;

    // The fixture.
    let t = Instant::now();
    let mut cs = Vec::with_capacity(COMMUNITIES);
    for k in 0..COMMUNITIES {
        cs.push(
            new_community(
                &core,
                company,
                &format!("FD{k:02}"),
                &format!("前台小区{k}"),
            )
            .await?,
        );
    }
    populate(
        &core,
        &cs,
        UNITS_PER_COMMUNITY * COMMUNITIES,
        PEOPLE_PER_COMMUNITY * COMMUNITIES,
    )
    .await?;
    let mut desks = Vec::with_capacity(COMMUNITIES);
    for (k, c) in cs.iter().enumerate() {
        let mut agents = Vec::with_capacity(AGENTS_PER_COMMUNITY);
        for a in 0..AGENTS_PER_COMMUNITY {
            agents.push(desk_agent(&core, company, format!("desk{k:02}{a}"), *c).await?);
        }
        desks.push(Desk {
            id: *c,
            units: common::unit_ids(&core, *c).await?,
            residents: store::residents(&core, *c).await?,
            hosts: store::hosts(&core, *c).await?,
            agents,
        });
    }
    let c0 = cs[0];
    let ctx = auth::load_ctx(&core, desks[0].agents[0]).await?;
    let (_, token) = auth::create_api_token(&core, &ctx, "bench").await?;
    println!(
        "  fixture           {COMMUNITIES} communities, {} units, {} people, {} desk agents in {:.1} s",
        UNITS_PER_COMMUNITY * COMMUNITIES,
        PEOPLE_PER_COMMUNITY * COMMUNITIES,
        AGENTS_PER_COMMUNITY * COMMUNITIES,
        t.elapsed().as_secs_f64()
    );

    // A year of parcels and of visits, and the passes to scan: all before the server starts.
    common::writer_cache_kib(&core, 256 * 1024).await?;
    let t = Instant::now();
    let mut held_codes = parcels::grow_parcels(&core, &desks, parcels, c0).await?;
    let parcels_s = t.elapsed().as_secs_f64();
    let t = Instant::now();
    let fresh = visitors::grow_visits(&core, &desks, visits, checkins).await?;
    let visits_s = t.elapsed().as_secs_f64();
    checkpoint(&core).await?;
    common::writer_cache_kib(&core, 4096).await?;
    // As the server finds the database when it starts on it.
    let core = reopen(core, &wd, engine).await?;
    let (all, held_all) = (
        store::count_parcels(&core, None, None).await?,
        store::count_parcels(&core, None, Some("held")).await?,
    );
    let (in_c0, held_c0) = (
        store::count_parcels(&core, Some(c0), None).await?,
        store::count_parcels(&core, Some(c0), Some("held")).await?,
    );
    println!(
        "  parcels           {all} stored in {parcels_s:.1} s ({:.0} rows/s), {held_all} held; the desk's community: \
         {in_c0}, {held_c0} held",
        parcels as f64 / parcels_s.max(1e-9),
    );
    visitors::print_stored(&core, &fresh, visits, visits_s).await?;
    println!(
        "  database          {:.0} MiB",
        common::database_bytes(&core).await? as f64 / 1_048_576.0
    );

    let exe = std::env::current_exe()?;
    let srv = server::start(engine, &wd, "frontdesk").await?;
    let addr = srv.addr();
    println!(
        "  server            {} (pid {}, ready in {} ms; the load comes from this process)",
        server::command_line(&exe, &wd).replace("<free port>", &addr.port().to_string()),
        srv.pid(),
        srv.ready.as_millis()
    );

    // 1. Pick-up by code.
    let lookup_ok = if held_codes.is_empty() {
        println!(
            "  by code           no parcel held in the desk's community (--parcels too small): FAIL"
        );
        false
    } else {
        // Not in the order they were shelved: a recipient comes whenever he comes.
        let mut rng = Rng(0x5EED_0016);
        for k in (1..held_codes.len()).rev() {
            held_codes.swap(k, rng.below(k as u64 + 1) as usize);
        }
        parcels::bench_lookups(addr, &token, c0, &held_codes, lookups).await?
    };

    // 2. Check-in by pass code.
    let checkin_ok = visitors::bench_checkins(&core, addr, &token, c0, &fresh).await?;

    // 3. Intake (stops the server).
    let intake_ok =
        parcels::bench_intake(&core, srv, &token, &desks[0], connections, window).await?;
    core.db.close().await;
    let missed: Vec<&str> = [
        (lookup_ok, "pick-up by code"),
        (checkin_ok, "check-in by pass code"),
        (intake_ok, "intake"),
    ]
    .into_iter()
    .filter(|(ok, _)| !ok)
    .map(|(_, what)| what)
    .collect();
    if missed.is_empty() {
        Ok(())
    } else {
        Err(format!("frontdesk targets missed: {}", missed.join(", ")).into())
    }
}
