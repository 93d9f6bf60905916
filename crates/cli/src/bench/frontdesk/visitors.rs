//! Visitors at the gate: a year of visits and their passes bulk-loaded, the passes valid now
//! that the check-ins scan, and the check-ins timed.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::time::Instant;

use chrono::{DateTime, Duration, Utc};
use hyper::Method;
use hyper::body::Bytes;
use serde_json::{Value, json};
use wuye_core::Core;
use wuye_core::shared::ids::CommunityId;

use super::super::client::{Conn, api_request};
use super::super::data::{Names, Rng};
use super::super::report::{pass, pct};
use super::super::store::frontdesk::{self as store, Host, PassRow, VisitRow};
use super::super::store::{self as common};
use super::{AnyResult, Desk};

const CHECKIN_TARGET_MS: f64 = 5.0;

/// Temporary and workers' passes each community issued over the year (one in three a
/// worker's): a few thousand in all, each the entry of many visits.
const DESK_PASSES: usize = 300;
const TEMPORARY_DAYS: i64 = 30;
const WORKER_DAYS: i64 = 90;
/// A visit by a desk's pass takes one begun in the last this many days (within its window
/// whichever its kind).
const DESK_PASS_RECENT_DAYS: i64 = 28;
/// Of a hundred visits: by a guest's pass, by a desk's pass; the rest walk-ins.
const BY_GUEST_PASS: u64 = 60;
const BY_DESK_PASS: u64 = 18;
/// Visits planned at a time (their INSERTs split 1,000 rows a statement), and per transaction.
const BATCH: usize = 1000;
const PER_TX: usize = 50_000;
/// One in this many of the fresh guests' codes is scanned a second time.
const AGAIN_EVERY: usize = 5;

const GUEST_PURPOSES: [&str; 4] = ["探亲访友", "朋友聚会", "商务拜访", "家教"];
const TEMPORARY_PURPOSES: [&str; 4] = ["家政服务", "保姆", "护工", "送水送奶"];
const WORKER_PURPOSE: &str = "装修施工";
const WALK_IN_PURPOSES: [&str; 5] = ["探亲访友", "送货上门", "维修上门", "商务拜访", "看房"];
const PLATES: [&str; 5] = ["粤B", "沪A", "京N", "浙A", "苏E"];

/// The code of the `seq`-th pass of the `k`-th community: distinct for distinct `seq` below
/// 10^8 (48,271 is prime to 10^8, so multiplying permutes the eight-digit numbers), and
/// scattered over the index as the service's random codes are.
fn pass_code(k: usize, seq: usize) -> String {
    format!(
        "{:08}",
        (seq as u64 * 48_271 + (k as u64 + 1) * 1_000_003) % 100_000_000
    )
}

fn plate(rng: &mut Rng) -> String {
    let p = PLATES[rng.below(PLATES.len() as u64) as usize];
    format!("{p}{:05}", rng.below(100_000))
}

/// Mostly one visitor, sometimes a couple or a family.
fn party_size(rng: &mut Rng) -> i64 {
    match rng.below(10) {
        0..=6 => 1,
        7..=8 => 2,
        _ => 3 + rng.below(2) as i64,
    }
}

fn pick<T: Copy>(rng: &mut Rng, of: &[T]) -> T {
    of[rng.below(of.len() as u64) as usize]
}

/// How a visit came in.
enum Entry {
    Guest,
    /// The `j`-th desk pass of its community.
    Desk(usize),
    WalkIn,
}

/// The passes the check-ins scan, in the order they are scanned.
pub(super) struct Fresh {
    community: CommunityId,
    /// (code, pass id, a guest's?)
    passes: Vec<(String, i64, bool)>,
    /// The id before the first of them.
    after: i64,
}

/// What every visit of a year, and every pass, is planned from.
struct Year<'a> {
    desks: &'a [Desk],
    names: Names,
    now: DateTime<Utc>,
    /// The first visit's moment and the step between two (ids follow time).
    first: DateTime<Utc>,
    step_ms: f64,
    /// The first desk pass's start and the step between two of a community; a community's
    /// start a tenth of a step after the one before, so they are written in (j, community) order.
    desk_first: DateTime<Utc>,
    desk_step_ms: i64,
    /// Every community's desk passes (`k * DESK_PASSES + j`), their entries counted ahead.
    desk: Vec<PassRow>,
    /// Desk passes written so far, in order of start.
    desk_written: usize,
    /// Per community: passes coded so far (the next one's `seq`), temporary passes numbered.
    coded: Vec<usize>,
    temporary: Vec<usize>,
    visit_id0: i64,
    next_pass: i64,
}

impl<'a> Year<'a> {
    fn new(desks: &'a [Desk], n: usize, visit_id0: i64, pass_id0: i64) -> Year<'a> {
        let now = Utc::now() - Duration::minutes(1);
        let year_ms = 365 * 86_400_000i64;
        let first = now - Duration::milliseconds(year_ms);
        // Desk passes from a month before the year (so its first visits find some) to the day
        // before now.
        let desk_first = first - Duration::days(TEMPORARY_DAYS);
        let desk_step_ms =
            (now - Duration::days(1) - desk_first).num_milliseconds() / DESK_PASSES as i64;
        let mut y = Year {
            desks,
            names: Names::new(),
            now,
            first,
            step_ms: year_ms as f64 / n.max(1) as f64,
            desk_first,
            desk_step_ms,
            desk: Vec::with_capacity(desks.len() * DESK_PASSES),
            desk_written: 0,
            coded: vec![DESK_PASSES; desks.len()],
            temporary: vec![0; desks.len()],
            visit_id0,
            next_pass: pass_id0 + 1,
        };
        for k in 0..desks.len() {
            let (mut temporary, mut workers) = (0, 0);
            for j in 0..DESK_PASSES {
                let worker = j % 3 == 2;
                let number = if worker {
                    workers += 1;
                    format!("SG-{workers:05}")
                } else {
                    temporary += 1;
                    format!("LS-{temporary:05}")
                };
                let p = y.desk_pass(k, j, worker, number);
                y.desk.push(p);
            }
            y.temporary[k] = temporary;
        }
        y.count_entries(n);
        y
    }

    fn desk_start(&self, k: usize, j: usize) -> DateTime<Utc> {
        self.desk_first
            + Duration::milliseconds(
                self.desk_step_ms * j as i64 + self.desk_step_ms * k as i64 / 10,
            )
    }

    /// The `j`-th desk pass of the `k`-th community, its id, entries and first use to come.
    fn desk_pass(&self, k: usize, j: usize, worker: bool, number: String) -> PassRow {
        let d = &self.desks[k];
        let mut rng = Rng(0x5EED_0025 ^ ((k * DESK_PASSES + j) as u64).wrapping_mul(0x9E37));
        let start = self.desk_start(k, j);
        let host = pick_host(&mut rng, &d.hosts);
        let (kind, days, purpose, plate, party) = if worker {
            let plate = rng.chance(50).then(|| plate(&mut rng));
            let party = 1 + rng.below(4) as i64;
            ("worker", WORKER_DAYS, WORKER_PURPOSE, plate, party)
        } else {
            let purpose = pick(&mut rng, &TEMPORARY_PURPOSES);
            ("temporary", TEMPORARY_DAYS, purpose, None, 1)
        };
        PassRow {
            id: 0,
            community: d.id,
            kind,
            code: pass_code(k, j),
            number: Some(number),
            holder_name: self.names.name(&mut rng),
            unit: host.map(|h| h.0),
            unit_label: host.map(|h| h.1.clone()),
            host: host.map(|h| h.2),
            host_name: host.map(|h| h.3.clone()),
            purpose,
            plate,
            party_size: party,
            valid_from: start,
            valid_until: start + Duration::days(days),
            used_at: None,
            entries: 0,
            created_by: Some(pick(&mut rng, &d.agents)),
            created_at: start - Duration::minutes(rng.below(120) as i64),
        }
    }

    /// The `i`-th visit's draw: its generator (to go on drawing the rest of the visit from),
    /// community, entry and moment; deterministic in `i`.
    fn draw(&self, i: usize) -> (Rng, usize, Entry, DateTime<Utc>) {
        let mut rng = Rng(0x5EED_0026 ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let in_at = self.first + Duration::milliseconds(((i as f64 + 0.5) * self.step_ms) as i64);
        let k = rng.below(self.desks.len() as u64) as usize;
        let entry = match rng.below(100) {
            r if r < BY_GUEST_PASS => Entry::Guest,
            r if r < BY_GUEST_PASS + BY_DESK_PASS => {
                // One of the passes begun in the last weeks: valid at `in_at` whatever its kind.
                let since = (in_at - self.desk_first).num_milliseconds()
                    - self.desk_step_ms * k as i64 / 10;
                let last = ((since / self.desk_step_ms) as usize).min(DESK_PASSES - 1);
                let recent = (Duration::days(DESK_PASS_RECENT_DAYS).num_milliseconds()
                    / self.desk_step_ms)
                    .max(1) as usize;
                let lo = (last + 1).saturating_sub(recent);
                Entry::Desk(lo + rng.below((last - lo + 1) as u64) as usize)
            }
            _ => Entry::WalkIn,
        };
        (rng, k, entry, in_at)
    }

    /// Each desk pass's entries and first use, from the visits to come: written before them.
    fn count_entries(&mut self, n: usize) {
        for i in 0..n {
            if let (_, k, Entry::Desk(j), in_at) = self.draw(i) {
                let p = &mut self.desk[k * DESK_PASSES + j];
                p.entries += 1;
                p.used_at.get_or_insert(in_at);
            }
        }
    }

    /// Writes (into `out`) the desk passes begun by `t`, with their ids.
    fn desk_passes_until(&mut self, t: DateTime<Utc>, out: &mut Vec<PassRow>) {
        let communities = self.desks.len();
        while self.desk_written < self.desk.len() {
            let (j, k) = (
                self.desk_written / communities,
                self.desk_written % communities,
            );
            if self.desk_start(k, j) > t {
                break;
            }
            let p = &mut self.desk[k * DESK_PASSES + j];
            p.id = self.next_pass;
            self.next_pass += 1;
            out.push(p.clone());
            self.desk_written += 1;
        }
    }

    /// A new pass's id and code in the `k`-th community.
    fn new_pass(&mut self, k: usize) -> (i64, String) {
        let id = self.next_pass;
        self.next_pass += 1;
        self.coded[k] += 1;
        (id, pass_code(k, self.coded[k] - 1))
    }

    /// The visits `from..to`, and the passes to write before them.
    fn chunk(&mut self, from: usize, to: usize) -> (Vec<PassRow>, Vec<VisitRow>) {
        let (mut passes, mut visits) = (Vec::new(), Vec::with_capacity(to - from));
        let desks = self.desks;
        for i in from..to {
            let (mut rng, k, entry, in_at) = self.draw(i);
            self.desk_passes_until(in_at, &mut passes);
            let d = &desks[k];
            let mut v = VisitRow {
                id: self.visit_id0 + i as i64 + 1,
                community: d.id,
                pass: None,
                visitor_name: String::new(),
                unit: None,
                unit_label: None,
                host: None,
                host_name: None,
                purpose: "",
                plate: None,
                party_size: 1,
                // A pass is its host's word: confirmed as it is scanned.
                answer: Some("confirmed"),
                answered_how: Some("pass"),
                answered_at: Some(in_at),
                answered_by: None,
                in_at,
                in_by: pick(&mut rng, &d.agents),
                out_at: None,
                out_by: None,
            };
            match entry {
                Entry::Guest => {
                    let p = self.guest_pass(&mut rng, k, in_at);
                    v.pass = Some(p.id);
                    copy_pass(&mut v, &p);
                    passes.push(p);
                }
                Entry::Desk(j) => {
                    let p = &self.desk[k * DESK_PASSES + j];
                    v.pass = Some(p.id);
                    copy_pass(&mut v, p);
                }
                Entry::WalkIn => self.walk_in(&mut rng, k, &mut v),
            }
            // Everyone has gone out but the last day's visitors.
            if in_at <= self.now - Duration::days(1) {
                let stay = Duration::minutes(20 + rng.below(300) as i64);
                v.out_at = Some(v.out_at.unwrap_or(in_at + stay));
                v.out_by = Some(pick(&mut rng, &d.agents));
            } else {
                v.out_at = None;
            }
            visits.push(v);
        }
        (passes, visits)
    }

    /// The guest's pass an owner registered for a visit at `in_at`, used by it.
    fn guest_pass(&mut self, rng: &mut Rng, k: usize, in_at: DateTime<Utc>) -> PassRow {
        let (id, code) = self.new_pass(k);
        let mut p = self.guest_pass_from(rng, k, id, code, in_at);
        p.used_at = Some(in_at);
        p.entries = 1;
        p
    }

    /// A guest's pass valid at `at`, unused, as the portal writes it (no desk member's).
    fn guest_pass_from(
        &self,
        rng: &mut Rng,
        k: usize,
        id: i64,
        code: String,
        at: DateTime<Utc>,
    ) -> PassRow {
        let host = pick_host(rng, &self.desks[k].hosts);
        let valid_from = at - Duration::minutes(10 + rng.below(360) as i64);
        PassRow {
            id,
            community: self.desks[k].id,
            kind: "guest",
            code,
            number: None,
            holder_name: self.names.name(rng),
            unit: host.map(|h| h.0),
            unit_label: host.map(|h| h.1.clone()),
            host: host.map(|h| h.2),
            host_name: host.map(|h| h.3.clone()),
            purpose: pick(rng, &GUEST_PURPOSES),
            plate: rng.chance(25).then(|| plate(rng)),
            party_size: party_size(rng),
            valid_from,
            valid_until: valid_from + Duration::days(1 + rng.below(3) as i64),
            used_at: None,
            entries: 0,
            created_by: None,
            created_at: valid_from - Duration::minutes(rng.below(2880) as i64),
        }
    }

    /// A walk-in the desk registered: the host answers in the portal mostly, on the phone
    /// sometimes, refuses now and then, or never answers.
    fn walk_in(&self, rng: &mut Rng, k: usize, v: &mut VisitRow) {
        let d = &self.desks[k];
        let host = pick_host(rng, &d.hosts);
        v.visitor_name = self.names.name(rng);
        v.unit = host.map(|h| h.0);
        v.unit_label = host.map(|h| h.1.clone());
        v.host = host.map(|h| h.2);
        v.host_name = host.map(|h| h.3.clone());
        v.purpose = pick(rng, &WALK_IN_PURPOSES);
        v.plate = rng.chance(15).then(|| plate(rng));
        v.party_size = party_size(rng);
        let asked = v.in_at + Duration::minutes(1 + rng.below(10) as i64);
        let (answer, how, at, by) = match rng.below(100) {
            0..=69 => (Some("confirmed"), Some("portal"), Some(asked), None),
            70..=89 => (
                Some("confirmed"),
                Some("call"),
                Some(v.in_at),
                Some(pick(rng, &d.agents)),
            ),
            90..=94 => {
                v.out_at = Some(asked + Duration::minutes(2));
                (Some("refused"), Some("portal"), Some(asked), None)
            }
            _ => (None, None, None, None),
        };
        (v.answer, v.answered_how, v.answered_at, v.answered_by) = (answer, how, at, by);
    }

    /// `n` passes of the first community valid now and never used, half guests', half
    /// temporary passes of 30 days, in the order the gate will scan them.
    fn fresh(&mut self, n: usize, out: &mut Vec<PassRow>) -> Fresh {
        let now = Utc::now();
        let after = self.next_pass - 1;
        let mut rng = Rng(0x5EED_0027);
        let mut scan = Vec::with_capacity(n);
        for f in 0..n {
            let (id, code) = self.new_pass(0);
            let p = if f % 2 == 0 {
                self.guest_pass_from(&mut rng, 0, id, code, now)
            } else {
                self.temporary[0] += 1;
                let number = format!("LS-{:05}", self.temporary[0]);
                // Past the year's desk passes: a generator of its own.
                let j = DESK_PASSES * self.desks.len() + f;
                let mut p = self.desk_pass(0, j, false, number);
                (p.id, p.code) = (id, code);
                p.valid_from = now - Duration::minutes(rng.below(5 * 1440) as i64);
                p.valid_until = p.valid_from + Duration::days(TEMPORARY_DAYS);
                p.created_at = p.valid_from - Duration::minutes(rng.below(120) as i64);
                p
            };
            scan.push((p.code.clone(), p.id, p.kind == "guest"));
            out.push(p);
        }
        // Not in the order they were issued: visitors come whenever they come.
        for k in (1..scan.len()).rev() {
            scan.swap(k, rng.below(k as u64 + 1) as usize);
        }
        Fresh {
            community: self.desks[0].id,
            passes: scan,
            after,
        }
    }
}

fn pick_host<'h>(rng: &mut Rng, hosts: &'h [Host]) -> Option<&'h Host> {
    (!hosts.is_empty()).then(|| &hosts[rng.below(hosts.len() as u64) as usize])
}

/// A visit by a pass: who it names, for whom, why.
fn copy_pass(v: &mut VisitRow, p: &PassRow) {
    v.visitor_name = p.holder_name.clone();
    v.unit = p.unit;
    v.unit_label = p.unit_label.clone();
    v.host = p.host;
    v.host_name = p.host_name.clone();
    v.purpose = p.purpose;
    v.plate = p.plate.clone();
    v.party_size = p.party_size;
}

/// Bulk-loads `n` visits of a year with their passes, then `checkins` passes of the first
/// community valid now (see the module doc of `bench frontdesk`); returns the latter.
pub(super) async fn grow_visits(
    core: &Core,
    desks: &[Desk],
    n: usize,
    checkins: usize,
) -> AnyResult<Fresh> {
    let mut year = Year::new(
        desks,
        n,
        common::max_id(core, "visits").await?,
        common::max_id(core, "visitor_passes").await?,
    );
    let mut i = 0;
    while i < n {
        let end = (i + PER_TX).min(n);
        let mut tx = core.db.begin().await?;
        while i < end {
            let to = (i + BATCH).min(end);
            let (passes, visits) = year.chunk(i, to);
            store::insert_passes(&mut tx, passes).await?;
            store::insert_visits(&mut tx, visits).await?;
            i = to;
        }
        tx.commit().await?;
    }
    // The desk passes a short year's visits did not reach, and the passes to scan.
    let mut passes = Vec::new();
    year.desk_passes_until(year.now, &mut passes);
    let fresh = year.fresh(checkins, &mut passes);
    let mut tx = core.db.begin().await?;
    store::insert_passes(&mut tx, passes).await?;
    tx.commit().await?;
    common::sync_ids(core, &["visitor_passes", "visits"]).await?;
    Ok(fresh)
}

/// What the load left, as the reopened database counts it.
pub(super) async fn print_stored(core: &Core, fresh: &Fresh, n: usize, secs: f64) -> AnyResult<()> {
    let (all, inside) = (
        store::count_visits(core, None, false).await?,
        store::count_visits(core, None, true).await?,
    );
    let in_c0 = store::count_visits(core, Some(fresh.community), false).await?;
    let (guest, temporary, worker) = (
        store::count_passes(core, "guest").await?,
        store::count_passes(core, "temporary").await?,
        store::count_passes(core, "worker").await?,
    );
    println!(
        "  visits            {all} stored in {secs:.1} s ({:.0} visits/s with their passes), {inside} inside; \
         passes: {guest} guests', {temporary} temporary, {worker} workers'; the desk's community: {in_c0} \
         visits, {} passes valid now to scan",
        n as f64 / secs.max(1e-9),
        fresh.passes.len()
    );
    Ok(())
}

/// One scan at the gate: the answer's status and body, and how long it took.
async fn scan(
    conn: &mut Conn,
    addr: SocketAddr,
    token: &str,
    path: &str,
    code: &str,
) -> AnyResult<(u16, Bytes, std::time::Duration)> {
    let body = json!({ "code": code }).to_string();
    let req = api_request(Method::POST, addr, path, token, Some(body));
    let start = Instant::now();
    let (status, body) = conn.exchange(req).await?;
    Ok((status, body, start.elapsed()))
}

fn line(label: &str, what: &str, lat: &[std::time::Duration], answers: &str) {
    println!(
        "  {label:<17} {what}: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; answers {answers}",
        pct(lat, 50.0),
        pct(lat, 99.0),
        pct(lat, 100.0),
    );
}

/// Check-in by pass code: every fresh pass scanned once, one at a time on one connection, then
/// one in [`AGAIN_EVERY`] of the guests' a second time; true when the target is met.
pub(super) async fn bench_checkins(
    core: &Core,
    addr: SocketAddr,
    token: &str,
    c: CommunityId,
    fresh: &Fresh,
) -> AnyResult<bool> {
    if fresh.passes.is_empty() {
        println!("  check-in          no pass to scan (--checkins 0): FAIL");
        return Ok(false);
    }
    let before = common::max_id(core, "visits").await?;
    let path = format!("/api/v1/communities/{c}/visitors/check-in");
    let mut conn = Conn::connect(addr).await?;
    // Keyed by which scans: guests' passes, temporary passes, guests' again.
    let mut statuses = BTreeMap::<(u8, u16), u64>::new();
    let (mut lat, mut used) = ([Vec::new(), Vec::new()], Vec::new());
    let (mut wrong, mut wrong_sample) = (0usize, None);
    let mut note = |wrong: &mut usize, code: &str, status: u16, body: &Bytes| {
        *wrong += 1;
        wrong_sample.get_or_insert_with(|| {
            format!(
                "{code}: {status} {}",
                String::from_utf8_lossy(&body[..body.len().min(300)])
            )
        });
    };
    let t = Instant::now();
    for (code, id, guest) in &fresh.passes {
        let (status, body, took) = scan(&mut conn, addr, token, &path, code).await?;
        let which = u8::from(!guest);
        *statuses.entry((which, status)).or_default() += 1;
        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
        if !(status == 201 && v["pass_id"] == *id && v["inside"] == true) {
            note(&mut wrong, code, status, &body);
        }
        lat[usize::from(which)].push(took);
    }
    let once_s = t.elapsed().as_secs_f64();
    let again: Vec<&(String, i64, bool)> = fresh
        .passes
        .iter()
        .filter(|p| p.2)
        .step_by(AGAIN_EVERY)
        .collect();
    for (code, _, _) in &again {
        let (status, body, took) = scan(&mut conn, addr, token, &path, code).await?;
        *statuses.entry((2, status)).or_default() += 1;
        let v: Value = serde_json::from_slice(&body).unwrap_or_default();
        if !(status == 422 && v["errors"][0]["code"] == "pass_used") {
            note(&mut wrong, code, status, &body);
        }
        used.push(took);
    }
    let show = |which: u8| -> String {
        statuses
            .iter()
            .filter(|((w, _), _)| *w == which)
            .map(|((_, s), n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    for l in &mut lat {
        l.sort();
    }
    used.sort();
    let mut created_lat: Vec<_> = lat.concat();
    created_lat.sort();
    let kinds = ["guests' passes", "temporary passes"];
    for (which, l) in lat.iter().enumerate() {
        line(
            if which == 0 {
                "check-in, guest"
            } else {
                "check-in, temp."
            },
            &format!("{} scans of {}", l.len(), kinds[which]),
            l,
            &show(which as u8),
        );
    }
    line(
        "check-in, all",
        &format!(
            "{} scans in {once_s:.2} s ({:.0}/s, one at a time)",
            created_lat.len(),
            created_lat.len() as f64 / once_s.max(1e-9)
        ),
        &created_lat,
        &format!("{}, {}", show(0), show(1)),
    );
    line(
        "check-in, used",
        &format!("{} guests' codes scanned again", used.len()),
        &used,
        &show(2),
    );
    if let Some(s) = &wrong_sample {
        println!("  first unexpected  {s}");
    }
    let created: u64 = statuses
        .iter()
        .filter(|((_, s), _)| *s == 201)
        .map(|(_, n)| n)
        .sum();
    let rows = store::count_visits_after(core, c, before).await?;
    let entered = store::count_passes_entered_once(core, c, fresh.after).await?;
    let consistent = rows == created as i64 && entered == fresh.passes.len() as i64;
    println!(
        "  check             {rows} visits written, {created} answers 201, {entered} of the {} passes entered \
         once: {}",
        fresh.passes.len(),
        pass(consistent)
    );
    let p99 = pct(&created_lat, 99.0);
    let good = p99 <= CHECKIN_TARGET_MS && wrong == 0 && consistent;
    println!(
        "  target            check-in p99 ≤ {CHECKIN_TARGET_MS} ms on the 201s, every answer right ({wrong} wrong), \
         a visit per 201: {}",
        pass(good)
    );
    Ok(good)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pass_codes_are_eight_digits_and_distinct_in_a_community() {
        let mut seen = std::collections::HashSet::new();
        for seq in 0..200_000 {
            let c = pass_code(3, seq);
            assert_eq!(c.len(), 8);
            assert!(seen.insert(c));
        }
    }
}
