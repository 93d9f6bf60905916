//! The requests benchmark's fixture: each community's staff, and a year of requests with their
//! SLA clocks planned deterministically from their index and bulk-loaded as if the scanner had
//! run until a chosen moment, so that a known number of clocks are due when the timed scanner
//! pass starts — the pass is then checked against that number, not just timed.

use chrono::Utc;
use wuye_core::Core;
use wuye_core::auth::{self, UserForCreate};
use wuye_core::shared::ids::{CommunityId, CompanyId, UserId};

use super::super::AnyResult;
use super::super::data::{Names, Rng};
use super::super::store::{self, ClockRow, RequestRow};
use super::topic::{Topic, topic};

/// Clocks the SLA fixture leaves due at "now" (past their warning or deadline, not yet handled).
const DUE_CLOCKS: usize = 1000;

/// Requests per multi-row INSERT (30 bound values a row; clocks: 2 rows of 13 per request) and
/// per transaction.
const REQ_BATCH: usize = 500;
const REQ_PER_TX: usize = 10_000;

/// The staff of one community: desk agents (first responders), technicians and cleaners
/// (assignees), a project manager (escalations).
pub(super) struct Staff {
    pub(super) community: CommunityId,
    pub(super) agents: Vec<UserId>,
    pub(super) workers: Vec<UserId>,
    pub(super) units: Vec<i64>,
}

/// Per community: 3 desk agents, 3 technicians, a cleaner and a project manager, all able to
/// log in without the first-login password change.
pub(super) async fn hire_staff(
    core: &Core,
    company: CompanyId,
    communities: &[CommunityId],
) -> AnyResult<Vec<Staff>> {
    let mut staff = Vec::new();
    for (k, c) in communities.iter().enumerate() {
        let mut agents = Vec::new();
        for a in 0..3 {
            agents.push(
                staff_user(core, company, format!("agent{k}{a}"), "service_agent", *c).await?,
            );
        }
        let mut workers = Vec::new();
        for w in 0..3 {
            workers.push(staff_user(core, company, format!("tech{k}{w}"), "technician", *c).await?);
        }
        workers.push(staff_user(core, company, format!("clean{k}0"), "cleaning", *c).await?);
        staff_user(core, company, format!("manager{k}0"), "project_manager", *c).await?;
        staff.push(Staff {
            community: *c,
            agents,
            workers,
            units: store::unit_ids(core, *c).await?,
        });
    }
    Ok(staff)
}

async fn staff_user(
    core: &Core,
    company: CompanyId,
    username: String,
    role: &str,
    community: CommunityId,
) -> AnyResult<UserId> {
    let u = auth::create_user_as_system(
        core,
        company,
        UserForCreate {
            display_name: format!("{}{}", role, &username[username.len() - 2..]),
            username,
            role: role.into(),
            password: "bench-password-2026".into(),
            communities: vec![community],
        },
    )
    .await?;
    store::clear_must_change_password(core, u.user.id).await?;
    Ok(u.user.id)
}

/// When the open/closed request `i` of `n` was registered: evenly over the year before `now`
/// (ids follow time), with some jitter.
fn created_at_of(
    i: usize,
    n: usize,
    now: chrono::DateTime<Utc>,
    rng: &mut Rng,
) -> chrono::DateTime<Utc> {
    let span_ms = 365 * 86_400_000i64 - 60_000;
    let step = span_ms as f64 / n.max(1) as f64;
    let jitter = (rng.below(1000) as f64 / 1000.0 - 0.5) * step * 0.8;
    let ms = ((i as f64 + 0.5) * step + jitter) as i64;
    now - chrono::Duration::milliseconds(span_ms) + chrono::Duration::milliseconds(ms)
}

/// Whether request `i` of `n` is still open: the newest four fifths of `open`, and one fifth
/// spread over the older ones (on hold, or done and waiting for the return visit).
fn is_open_at(i: usize, n: usize, open: usize) -> bool {
    let old = open / 5;
    let recent = open - old;
    if i + recent >= n {
        return true;
    }
    let span = n - recent;
    if old == 0 {
        return false;
    }
    let stride = (span / old).max(1);
    i % stride == stride - 1 && i / stride < old
}

pub(super) type Ts = chrono::DateTime<Utc>;

/// One bulk-loaded clock: its times and what the scanner has recorded.
struct PlannedClock {
    clock: &'static str,
    start: Ts,
    due: Ts,
    warn: Ts,
    met: Option<Ts>,
    paused: Option<Ts>,
}

/// One bulk-loaded request, deterministic in its index.
struct PlannedRequest {
    community: usize,
    topic: Topic,
    unit: Option<i64>,
    contact: String,
    state: &'static str,
    responder: i64,
    assignee: Option<i64>,
    created: Ts,
    accepted: Option<Ts>,
    on_site: Option<Ts>,
    done: Option<Ts>,
    closed: Option<Ts>,
    hold_since: Option<Ts>,
    satisfaction: Option<i64>,
    labour: Option<i64>,
    clocks: [PlannedClock; 2],
}

fn minutes(rng: &mut Rng, from: i64, to: i64) -> chrono::Duration {
    chrono::Duration::seconds(from * 60 + rng.below(((to - from) * 60).max(1) as u64) as i64)
}

fn plan_request(
    i: usize,
    n: usize,
    open: bool,
    now: Ts,
    staff: &[Staff],
    names: &Names,
) -> PlannedRequest {
    let mut rng = Rng(0x5EED_0005 ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
    let created = created_at_of(i, n, now, &mut rng);
    let community = rng.below(staff.len() as u64) as usize;
    let st = &staff[community];
    let topic = topic(&mut rng);
    let unit = (topic.kind == "repair_unit" && !st.units.is_empty())
        .then(|| st.units[rng.below(st.units.len() as u64) as usize]);
    let responder = st.agents[rng.below(st.agents.len() as u64) as usize].0;
    let worker = st.workers[rng.below(st.workers.len() as u64) as usize].0;
    let on_site_span = if topic.kind.starts_with("complaint") {
        60
    } else {
        30
    };
    let spans = [("feedback", 240), ("on_site", on_site_span)];
    let latest = now - chrono::Duration::minutes(1);
    // When each clock would be met, if at all (feedback given; technician on site).
    let mut met = [
        rng.chance(if open { 65 } else { 100 })
            .then(|| created + minutes(&mut rng, 10, 330)),
        rng.chance(if open { 60 } else { 100 })
            .then(|| created + minutes(&mut rng, 5, 80)),
    ];
    let state;
    let (mut accepted, mut on_site, mut done, mut closed, mut hold_since) =
        (None, None, None, None, None);
    let mut satisfaction = None;
    let mut labour = None;
    let mut paused = [None, None];
    if open {
        for m in &mut met {
            *m = m.filter(|t| *t <= latest);
        }
        let all_met = met.iter().all(Option::is_some);
        let r = rng.below(100);
        state = if all_met && r < 45 {
            "done"
        } else if met[1].is_some() {
            if r.is_multiple_of(10) {
                "on_hold"
            } else {
                "on_site"
            }
        } else {
            match r % 10 {
                0 => "registered",
                1 => "pooled",
                2..=4 => "dispatched",
                5..=7 => "accepted",
                _ => "on_hold",
            }
        };
        if state != "registered" && state != "pooled" && state != "dispatched" {
            accepted = Some((created + minutes(&mut rng, 1, 5)).min(latest));
        }
        on_site = met[1];
        if state == "done" {
            let last = met.iter().flatten().max().copied().unwrap_or(created);
            done = Some((last + minutes(&mut rng, 10, 180)).min(latest));
            labour = Some(15 + rng.below(120) as i64);
        }
        if state == "on_hold" {
            hold_since = Some(accepted.or(on_site).unwrap_or(created).max(created));
        }
    } else {
        let last = met.iter().flatten().max().copied().unwrap_or(created);
        if rng.chance(3) {
            // Cancelled at the desk: the running clocks stop.
            state = "cancelled";
            let at = (created + minutes(&mut rng, 5, 120)).min(latest);
            closed = Some(at);
            for (k, m) in met.iter_mut().enumerate() {
                if m.is_some_and(|t| t > at) {
                    *m = None;
                }
                if m.is_none() {
                    paused[k] = Some(at);
                }
            }
        } else {
            state = "closed";
            accepted = Some((created + minutes(&mut rng, 1, 5)).min(latest));
            on_site = met[1].map(|t| t.min(latest));
            let d = (last + minutes(&mut rng, 10, 2 * 1440)).min(latest);
            done = Some(d);
            closed = Some((d + minutes(&mut rng, 60, 3 * 1440)).min(latest));
            for m in &mut met {
                *m = m.map(|t| t.min(d));
            }
            satisfaction = Some([5, 5, 5, 4, 4, 3][rng.below(6) as usize]);
            labour = Some(15 + rng.below(120) as i64);
        }
    }
    let assignee = (!matches!(state, "registered" | "pooled" | "cancelled")).then_some(worker);
    let clocks = [0, 1].map(|k| {
        let (clock, span) = spans[k];
        let due = created + chrono::Duration::minutes(span);
        PlannedClock {
            clock,
            start: created,
            due,
            warn: wuye_core::tickets::warn_at(created, due),
            met: met[k],
            paused: paused[k],
        }
    });
    PlannedRequest {
        community,
        contact: names.name(&mut rng),
        topic,
        unit,
        state,
        responder,
        assignee,
        created,
        accepted,
        on_site,
        done,
        closed,
        hold_since,
        satisfaction,
        labour,
        clocks,
    }
}

/// The time a clock last crossed a threshold (warning or deadline) by `now`, while running.
fn last_crossing(c: &PlannedClock, now: Ts) -> Option<Ts> {
    if c.met.is_some() || c.paused.is_some() {
        return None;
    }
    if c.due <= now {
        Some(c.due)
    } else if c.warn <= now {
        Some(c.warn)
    } else {
        None
    }
}

/// What the scanner recorded by its last pass at `last_scan`: (warned_at, breached_at).
fn scanner_marks(c: &PlannedClock, last_scan: Ts) -> (Option<Ts>, Option<Ts>) {
    // Running until it was met, paused, or until now.
    let until = c.met.or(c.paused).unwrap_or(last_scan).min(last_scan);
    let warned = (c.warn <= until).then_some(c.warn);
    let breached = (c.due <= until).then_some(c.due);
    (warned, breached)
}

pub(super) struct RequestPopulation {
    pub(super) requests: usize,
    pub(super) clocks: usize,
    pub(super) last_scan: Ts,
}

/// Bulk-inserts `n` requests (`open` of them open) with two clocks each over the year before
/// `now`, as if the scanner ran until `last_scan`, chosen so that `DUE_CLOCKS` clocks crossed a
/// threshold since.
pub(super) async fn populate_requests(
    core: &Core,
    staff: &[Staff],
    n: usize,
    open: usize,
    now: Ts,
) -> AnyResult<RequestPopulation> {
    let names = Names::new();
    // The scanner's last pass: the DUE_CLOCKS-th latest crossing of an open request's clock.
    let mut crossings: Vec<Ts> = (0..n)
        .filter(|i| is_open_at(*i, n, open))
        .flat_map(|i| {
            let p = plan_request(i, n, true, now, staff, &names);
            p.clocks
                .iter()
                .filter_map(|c| last_crossing(c, now))
                .collect::<Vec<_>>()
        })
        .collect();
    crossings.sort_by(|a, b| b.cmp(a));
    let last_scan = match crossings.get(DUE_CLOCKS) {
        Some(t) => *t,
        None => crossings
            .last()
            .map_or(now, |t| *t - chrono::Duration::seconds(1)),
    };

    let mut counters = Vec::with_capacity(staff.len());
    for s in staff {
        counters.push(store::request_counter(core, s.community).await?);
    }
    let r0 = store::max_id(core, "requests").await?;
    let mut clocks = 0;
    let mut tx = core.db.begin().await?;
    let mut start = 0;
    while start < n {
        let end = (start + REQ_BATCH).min(n);
        let mut rows = Vec::with_capacity(end - start);
        let mut clock_rows = Vec::with_capacity((end - start) * 2);
        for i in start..end {
            let p = plan_request(i, n, is_open_at(i, n, open), now, staff, &names);
            let id = r0 + i as i64 + 1;
            let community = staff[p.community].community;
            counters[p.community] += 1;
            let prefix = match p.topic.kind {
                k if k.starts_with("repair") => "BX",
                k if k.starts_with("complaint") => "TS",
                _ => "FW",
            };
            // The local date in the communities' zone (Asia/Shanghai, UTC+8 all year).
            let day = (p.created + chrono::Duration::hours(8))
                .format("%Y-%m-%d")
                .to_string();
            let mut escalations = 0i64;
            for c in &p.clocks {
                let (warned, breached) = scanner_marks(c, last_scan);
                escalations += i64::from(breached.is_some());
                clock_rows.push(ClockRow {
                    community,
                    request: id,
                    clock: c.clock,
                    started: c.start,
                    due: c.due,
                    warn: c.warn,
                    paused: c.paused,
                    met: c.met,
                    warned,
                    breached,
                    day: day.clone(),
                    kind: p.topic.kind,
                    category: p.topic.category,
                    met_late: c.met.map(|m| i64::from(m > c.due)),
                });
                clocks += 1;
            }
            let updated = [p.accepted, p.on_site, p.done, p.closed, p.hold_since]
                .into_iter()
                .flatten()
                .chain(p.clocks.iter().filter_map(|c| c.met))
                .max()
                .unwrap_or(p.created)
                .max(p.created);
            let held = p.hold_since.is_some();
            rows.push(RequestRow {
                id,
                community,
                number: format!("{prefix}-{:06}", counters[p.community]),
                kind: p.topic.kind,
                category: p.topic.category,
                channel: p.topic.channel,
                urgency: p.topic.urgency,
                complex: p.topic.complex,
                unit: p.unit,
                location: p.topic.location,
                contact: p.contact,
                description: p.topic.description,
                state: p.state,
                hold_from: held.then_some("accepted"),
                hold_reason: held.then_some("等待业主在家"),
                hold_since: p.hold_since,
                responder: p.responder,
                assignee: p.assignee,
                promise_at: p.created + chrono::Duration::days(2),
                escalations,
                labour: p.labour,
                satisfaction: p.satisfaction,
                rated_via: p.satisfaction.map(|_| "phone"),
                created: p.created,
                updated,
                accepted: p.accepted,
                on_site: p.on_site,
                done: p.done,
                closed: p.closed,
                day,
                handling_seconds: p.done.map(|d| (d - p.created).num_seconds()),
            });
        }
        store::insert_requests(&mut tx, rows).await?;
        store::insert_clocks(&mut tx, clock_rows).await?;
        if end / REQ_PER_TX != start / REQ_PER_TX || end == n {
            tx.commit().await?;
            eprint!("\r  populating: {end}/{n} requests");
            tx = core.db.begin().await?;
        }
        start = end;
    }
    for (s, v) in staff.iter().zip(&counters) {
        store::set_request_counter(&mut tx, s.community, *v).await?;
    }
    tx.commit().await?;
    store::sync_ids(core, &["requests"]).await?;
    eprintln!();
    Ok(RequestPopulation {
        requests: n,
        clocks,
        last_scan,
    })
}
