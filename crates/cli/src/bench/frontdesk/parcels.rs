//! Parcels at the desk: a year of them bulk-loaded, pick-up by code, and intake.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::Utc;
use hyper::Method;
use serde_json::json;
use wuye_core::Core;
use wuye_core::shared::crypto::mask_id_number;
use wuye_core::shared::ids::CommunityId;

use super::super::client::{Conn, RequestGen, api_request, load, print_load};
use super::super::data::{Names, Rng, id_number_of, phone_of};
use super::super::report::{pass, pct};
use super::super::server::Server;
use super::super::store::frontdesk::{self as store, ParcelRow};
use super::super::store::{self as common};
use super::{AnyResult, Desk};

const INTAKE_TARGET: f64 = 2000.0;
const LOOKUP_TARGET_MS: f64 = 5.0;

/// Parcels still held in all, and the newest rows they are drawn from (one in eight of them:
/// about six days of a year of 1,000,000, the rest of those days picked up already).
const HELD: usize = 2000;
const HELD_EVERY: usize = 8;
/// Rows per INSERT (24 values each) and per transaction.
const BATCH: usize = 1000;
const PER_TX: usize = 50_000;

const CARRIERS: [(&str, &str); 7] = [
    ("顺丰", "SF"),
    ("京东", "JD"),
    ("中通", "ZT"),
    ("圆通", "YT"),
    ("韵达", "YD"),
    ("申通", "ST"),
    ("极兔", "JT"),
];

/// The code of the `i`-th parcel held: distinct for distinct `i` below 1,000,000 (7,919 is
/// prime to 10^6, so multiplying permutes the six-digit numbers). Codes of larger `i` are held
/// nowhere: the unknown codes of the lookups.
fn held_code(i: usize) -> String {
    format!("{:06}", (i as u64 * 7919 + 123_457) % 1_000_000)
}

/// What every parcel of a year is planned from.
struct Year<'a> {
    core: &'a Core,
    desks: &'a [Desk],
    names: Names,
    /// Parcels in all, and the id before the first.
    n: usize,
    id0: i64,
    now: chrono::DateTime<Utc>,
    /// Parcels held so far: the next held one's code is `held_code(held)`.
    held: usize,
}

impl Year<'_> {
    /// The `i`-th parcel, deterministic in `i`.
    fn parcel(&mut self, i: usize) -> ParcelRow {
        let (core, desks, names, n, now) = (self.core, self.desks, &self.names, self.n, self.now);
        let mut rng = Rng(0x5EED_0015 ^ (i as u64).wrapping_mul(0xD1B5_4A32_D192_ED03));
        let year_ms = 365 * 86_400_000i64;
        let step = year_ms as f64 / n.max(1) as f64;
        let received_at = now - chrono::Duration::milliseconds(year_ms)
            + chrono::Duration::milliseconds(((i as f64 + 0.5) * step) as i64);
        let d = &desks[rng.below(desks.len() as u64) as usize];
        let agent = d.agents[rng.below(d.agents.len() as u64) as usize];
        let (kind, carrier, tracking_no) = match rng.below(100) {
            0..=93 => {
                let (carrier, prefix) = CARRIERS[rng.below(CARRIERS.len() as u64) as usize];
                ("parcel", carrier, Some(format!("{prefix}{i:012}")))
            }
            94..=96 => ("letter", "中国邮政", None),
            97..=98 => ("periodical", "中国邮政", None),
            _ => ("registered", "EMS", Some(format!("XA{i:09}CN"))),
        };
        // Most parcels name a resident of the unit (the desk picks him, his registry phone is
        // kept); the others a name and a phone typed from the label.
        let (unit, recipient, recipient_name, phone_enc) = if !d.residents.is_empty()
            && rng.chance(85)
        {
            let (u, p, name, phone) = &d.residents[rng.below(d.residents.len() as u64) as usize];
            (Some(*u), Some(*p), name.clone(), phone.clone())
        } else {
            let unit =
                (!d.units.is_empty()).then(|| d.units[rng.below(d.units.len() as u64) as usize]);
            let phone = rng
                .chance(60)
                .then(|| core.crypto.encrypt(&phone_of(rng.below(100_000_000))));
            (unit, None, names.name(&mut rng), phone)
        };
        let shelf = format!(
            "{}-{}",
            char::from(b'A' + rng.below(6) as u8),
            1 + rng.below(9)
        );
        let held = i + HELD * HELD_EVERY >= n && i % HELD_EVERY == HELD_EVERY - 1;
        let mut row = ParcelRow {
            id: self.id0 + i as i64 + 1,
            community: d.id,
            kind,
            carrier,
            tracking_no,
            unit,
            recipient,
            recipient_name,
            phone_enc,
            shelf,
            code: format!("{:06}", rng.below(1_000_000)),
            state: "held",
            received_at,
            received_by: agent,
            reminded_at: None,
            reminders: 0,
            picked_at: None,
            picked_by_name: None,
            pickup_method: None,
            id_number_masked: None,
            handed_by: None,
            returned_at: None,
            return_note: None,
        };
        // The newest parcels' later moments would fall after now: they are clamped to it.
        let by_now = |t: chrono::DateTime<Utc>| t.min(now.max(received_at));
        if held {
            row.code = held_code(self.held);
            self.held += 1;
            if now - received_at > chrono::Duration::days(3) {
                row.reminders = 1;
                row.reminded_at = Some(received_at + chrono::Duration::days(3));
            }
            return row;
        }
        if rng.chance(1) {
            row.state = "returned";
            row.returned_at = Some(by_now(received_at + chrono::Duration::days(7)));
            row.return_note = Some("超期未取，退回快递员");
            return row;
        }
        // Half picked up the same day, most of the rest within three days, a few after a week.
        let waited = chrono::Duration::minutes(match rng.below(100) {
            0..=49 => 10 + rng.below(600) as i64,
            50..=89 => 600 + rng.below(3 * 1440) as i64,
            _ => 3 * 1440 + rng.below(5 * 1440) as i64,
        });
        let picked_at = by_now(received_at + waited);
        if waited > chrono::Duration::days(3) {
            row.reminders = 1;
            row.reminded_at = Some(by_now(received_at + chrono::Duration::days(3)));
        }
        row.state = "picked";
        row.picked_at = Some(picked_at);
        row.picked_by_name = Some(if rng.chance(85) {
            row.recipient_name.clone()
        } else {
            names.name(&mut rng)
        });
        if rng.chance(8) {
            row.pickup_method = Some("id_card");
            row.id_number_masked = Some(mask_id_number(&id_number_of(rng.below(16_000_000))));
        } else {
            row.pickup_method = Some("code");
        }
        row.handed_by = Some(d.agents[rng.below(d.agents.len() as u64) as usize]);
        row
    }
}

/// Bulk-loads `n` parcels (see the module doc); returns the codes held in `lookup`.
pub(super) async fn grow_parcels(
    core: &Core,
    desks: &[Desk],
    n: usize,
    lookup: CommunityId,
) -> AnyResult<Vec<String>> {
    let mut year = Year {
        core,
        desks,
        names: Names::new(),
        n,
        id0: common::max_id(core, "parcels").await?,
        now: Utc::now() - chrono::Duration::minutes(1),
        held: 0,
    };
    let mut codes = Vec::new();
    let mut i = 0;
    while i < n {
        let end = (i + PER_TX).min(n);
        let mut tx = core.db.begin().await?;
        while i < end {
            let to = (i + BATCH).min(end);
            let rows: Vec<ParcelRow> = (i..to).map(|k| year.parcel(k)).collect();
            codes.extend(
                rows.iter()
                    .filter(|r| r.state == "held" && r.community == lookup)
                    .map(|r| r.code.clone()),
            );
            store::insert_parcels(&mut tx, rows).await?;
            i = to;
        }
        tx.commit().await?;
    }
    common::sync_ids(core, &["parcels"]).await?;
    Ok(codes)
}

/// Pick-up by code: `lookups` lookups one after another on one connection, every tenth of an unknown
/// code; true when the target is met.
pub(super) async fn bench_lookups(
    addr: std::net::SocketAddr,
    token: &str,
    c: CommunityId,
    held: &[String],
    lookups: usize,
) -> AnyResult<bool> {
    let mut conn = Conn::connect(addr).await?;
    let (mut found, mut unknown) = (Vec::with_capacity(lookups), Vec::new());
    let (mut wrong, mut wrong_sample) = (0usize, None);
    let mut statuses = std::collections::BTreeMap::<(bool, u16), u64>::new();
    let t = Instant::now();
    for i in 0..lookups {
        let is_held = i % 10 != 9;
        let code = if is_held {
            held[(i - i / 10) % held.len()].clone()
        } else {
            held_code(HELD * 2 + i / 10)
        };
        let path = format!("/api/v1/communities/{c}/parcels/by-code/{code}");
        let req = api_request(Method::GET, addr, &path, token, None);
        let start = Instant::now();
        let (status, body) = conn.exchange(req).await?;
        let took = start.elapsed();
        *statuses.entry((is_held, status)).or_default() += 1;
        let expect = if is_held { 200 } else { 404 };
        let right = status == expect
            && (!is_held || {
                let v: serde_json::Value = serde_json::from_slice(&body).unwrap_or_default();
                v["code"] == code.as_str() && v["state"] == "held"
            });
        if !right {
            wrong += 1;
            wrong_sample.get_or_insert_with(|| {
                format!(
                    "{code}: {status} {}",
                    String::from_utf8_lossy(&body[..body.len().min(300)])
                )
            });
        }
        if is_held {
            found.push(took);
        } else {
            unknown.push(took);
        }
    }
    let total_s = t.elapsed().as_secs_f64();
    found.sort();
    unknown.sort();
    let show = |held: bool| -> String {
        statuses
            .iter()
            .filter(|((h, _), _)| *h == held)
            .map(|((_, s), n)| format!("{s}×{n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "  by code, held     {} lookups of {} codes: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; answers {}",
        found.len(),
        held.len(),
        pct(&found, 50.0),
        pct(&found, 99.0),
        pct(&found, 100.0),
        show(true)
    );
    println!(
        "  by code, unknown  {} lookups: p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; answers {}",
        unknown.len(),
        pct(&unknown, 50.0),
        pct(&unknown, 99.0),
        pct(&unknown, 100.0),
        show(false)
    );
    println!(
        "  by code, all      {lookups} lookups in {total_s:.2} s ({:.0}/s, one at a time)",
        lookups as f64 / total_s.max(1e-9)
    );
    if let Some(s) = &wrong_sample {
        println!("  first unexpected  {s}");
    }
    let p99 = pct(&found, 99.0);
    let good = p99 <= LOOKUP_TARGET_MS && wrong == 0 && !found.is_empty();
    println!(
        "  target            held codes p99 ≤ {LOOKUP_TARGET_MS} ms, every answer right ({wrong} wrong): {}",
        pass(good)
    );
    Ok(good)
}

/// Intake: the agent's token on `connections` connections receiving parcels into the desk's
/// community for `window` after the warm-up; stops the server once done, so the rows are
/// counted with no request left in flight. True when the target is met.
pub(super) async fn bench_intake(
    core: &Core,
    srv: Server,
    token: &str,
    desk: &Desk,
    connections: usize,
    window: Duration,
) -> AnyResult<bool> {
    let (addr, c) = (srv.addr(), desk.id);
    let before = common::max_id(core, "parcels").await?;
    let units = Arc::new(desk.units.clone());
    let path = format!("/api/v1/communities/{c}/parcels");
    let tok = token.to_string();
    let make: RequestGen = Arc::new(move |conn, seq| {
        let unit = units[(conn * 7919 + seq as usize * 31) % units.len()];
        let body = json!({
            "carrier": "顺丰",
            "tracking_no": format!("SF7{conn:03}{seq:010}"),
            "unit_id": unit,
            "recipient_name": "张三",
            "shelf": "A-1",
        })
        .to_string();
        api_request(Method::POST, addr, &path, &tok, Some(body))
    });
    let intake = load(addr, connections, window, 201, make).await?;
    srv.stop();
    print_load("intake", &intake, 201);
    let rows = store::count_parcels_after(core, c, before).await?;
    let created = intake.statuses.get(&201).copied().unwrap_or(0);
    let consistent = rows == created as i64 && intake.unexpected(201) == 0;
    println!(
        "  check             {rows} parcels written, {created} answers 201, {} other answers or errors: {}",
        intake.unexpected(201),
        pass(consistent)
    );
    let ok = intake.rate() >= INTAKE_TARGET && consistent;
    println!(
        "  target            intake ≥ {INTAKE_TARGET:.0} parcels/s, every answer 201: {} ({:.0}/s, p50 {:.2} ms, p99 {:.2} ms)",
        pass(ok),
        intake.rate(),
        pct(&intake.lat, 50.0),
        pct(&intake.lat, 99.0)
    );
    Ok(ok)
}
