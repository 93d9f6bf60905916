//! Every SQL text of the benchmarks: the fixtures are bulk-loaded straight into the tables of
//! several modules (far faster than their services, and shaped exactly like what the services
//! write), and the checks count rows behind the services' backs. Keeping all of it here means a
//! schema change has one place to look in the CLI, and the benchmark files hold only what they
//! measure.
//!
//! The multi-row INSERTs bind anonymous `?` placeholders (see [`bind`]), so they are SQLite-only,
//! like the benchmarks themselves.

use chrono::{DateTime, Utc};
use wuye_core::db::{Args, Tx, Value};
use wuye_core::shared::ids::{CommunityId, CompanyId, UserId};
use wuye_core::{Core, args};

use super::AnyResult;

type Ts = DateTime<Utc>;

/// Binds `v` to an anonymous `?` placeholder (SQLite only; bound in textual order).
///
/// SQLite reports the name of a numbered `?NNN` parameter by a linear search of the statement's
/// parameter list, and sqlx (0.9, `SqliteArguments::bind`) asks for the name of every parameter
/// while binding, so a statement with `n` numbered parameters costs O(n²) to bind — at a few
/// thousand parameters that dominates a multi-row INSERT. Anonymous `?` parameters have no name
/// to look up; the fixtures write them directly so their speed does not depend on how
/// `to_sqlite_sql` rewrites `$n`.
fn bind(a: &mut Args, v: impl Into<Value>) -> &'static str {
    a.0.push(v.into());
    "?"
}

// ---------------------------------------------------------------------------------------------
// Database housekeeping

/// The highest id of `table` (0 when empty), so bulk-loaded rows can carry their own ids.
pub(super) async fn max_id(core: &Core, table: &str) -> AnyResult<i64> {
    let (m,): (i64,) = core
        .db
        .read()
        .fetch_one(
            &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
            args![],
        )
        .await?;
    Ok(m)
}

/// Sets the writer connection's page cache (KiB): big while bulk-loading a fixture, back to the
/// production setting afterwards.
pub(super) async fn writer_cache_kib(core: &Core, kib: i64) -> AnyResult<()> {
    if let Some(w) = core.db.sqlite_writer() {
        sqlx::query(sqlx::AssertSqlSafe(format!("PRAGMA cache_size = -{kib}")))
            .execute(w)
            .await?;
    }
    Ok(())
}

/// `PRAGMA wal_checkpoint(TRUNCATE)`: the bulk load moved into the database file.
pub(crate) async fn checkpoint(core: &Core) -> AnyResult<()> {
    if let Some(w) = core.db.sqlite_writer() {
        sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(w)
            .await?;
    }
    Ok(())
}

/// `ANALYZE` in its own transaction: the planner statistics a long-running database has.
pub(super) async fn analyze(core: &Core) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute("ANALYZE", args![]).await?;
    tx.commit().await?;
    Ok(())
}

/// The database's size in bytes, as SQLite counts its pages.
pub(super) async fn database_bytes(core: &Core) -> AnyResult<i64> {
    let (size,): (i64,) = core
        .db
        .read()
        .fetch_one(
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()",
            args![],
        )
        .await?;
    Ok(size)
}

// ---------------------------------------------------------------------------------------------
// Registry fixture: buildings, units, people and their links

pub(super) struct BuildingRow {
    pub id: i64,
    pub community: CommunityId,
    pub name: String,
    pub floors: i64,
}

pub(super) struct UnitRow {
    pub id: i64,
    pub community: CommunityId,
    pub building: i64,
    pub unit_no: String,
    pub floor: i64,
    pub building_area: i64,
    pub inner_area: i64,
    pub use_kind: &'static str,
    pub state: &'static str,
}

/// A person with the phone (and, for owners, the ID number) already encrypted and
/// blind-indexed.
pub(super) struct PersonRow {
    pub id: i64,
    pub community: CommunityId,
    pub name: String,
    pub phone_enc: Vec<u8>,
    pub phone_hash: Vec<u8>,
    pub id_no_enc: Option<Vec<u8>>,
    pub id_no_hash: Option<Vec<u8>>,
}

pub(super) struct UnitPersonRow {
    pub community: CommunityId,
    pub unit: i64,
    pub person: i64,
    pub relation: &'static str,
}

pub(super) async fn insert_buildings(tx: &mut Tx, rows: &[BuildingRow], now: Ts) -> AnyResult<()> {
    let mut a = Args::new();
    let values: Vec<String> = rows
        .iter()
        .map(|b| {
            format!(
                "({},{},{},{},{},{})",
                bind(&mut a, b.id),
                bind(&mut a, b.community),
                bind(&mut a, b.name.as_str()),
                bind(&mut a, b.floors),
                bind(&mut a, now),
                bind(&mut a, now)
            )
        })
        .collect();
    tx.execute(
        &format!("INSERT INTO buildings (id, community_id, name, floors, created_at, updated_at) VALUES {}", values.join(",")),
        a,
    )
    .await?;
    Ok(())
}

pub(super) async fn insert_units(tx: &mut Tx, rows: Vec<UnitRow>, now: Ts) -> AnyResult<()> {
    let mut ua = Args::new();
    let mut uvals = Vec::with_capacity(rows.len());
    for u in rows {
        uvals.push(format!(
            "({},{},{},{},{},{},{},{},{},NULL,{},{})",
            bind(&mut ua, u.id),
            bind(&mut ua, u.community),
            bind(&mut ua, u.building),
            bind(&mut ua, u.unit_no),
            bind(&mut ua, u.floor),
            bind(&mut ua, u.building_area),
            bind(&mut ua, u.inner_area),
            bind(&mut ua, u.use_kind),
            bind(&mut ua, u.state),
            bind(&mut ua, now),
            bind(&mut ua, now),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO units (id, community_id, building_id, unit_no, floor, building_area, inner_area, use_kind, state, \
             note, created_at, updated_at) VALUES {}",
            uvals.join(",")
        ),
        ua,
    )
    .await?;
    Ok(())
}

/// People and their links to units, in one go (both lists may be empty).
pub(super) async fn insert_people(
    tx: &mut Tx,
    people: Vec<PersonRow>,
    links: Vec<UnitPersonRow>,
    now: Ts,
) -> AnyResult<()> {
    if people.is_empty() {
        return Ok(());
    }
    let mut pa = Args::new();
    let mut pvals = Vec::with_capacity(people.len());
    for p in people {
        pvals.push(format!(
            "({},{},{},{},{},{},{},{},{},{})",
            bind(&mut pa, p.id),
            bind(&mut pa, p.community),
            bind(&mut pa, p.name),
            bind(&mut pa, p.phone_enc),
            bind(&mut pa, p.phone_hash),
            bind(&mut pa, p.id_no_enc),
            bind(&mut pa, p.id_no_hash),
            bind(&mut pa, false),
            bind(&mut pa, now),
            bind(&mut pa, now),
        ));
    }
    let mut la = Args::new();
    let mut lvals = Vec::with_capacity(links.len());
    for l in links {
        lvals.push(format!(
            "({},{},{},{},{})",
            bind(&mut la, l.community),
            bind(&mut la, l.unit),
            bind(&mut la, l.person),
            bind(&mut la, l.relation),
            bind(&mut la, now),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO people (id, community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, is_key_customer, \
             created_at, updated_at) VALUES {}",
            pvals.join(",")
        ),
        pa,
    )
    .await?;
    tx.execute(
        &format!(
            "INSERT INTO unit_people (community_id, unit_id, person_id, relation, created_at) VALUES {}",
            lvals.join(",")
        ),
        la,
    )
    .await?;
    Ok(())
}

/// The ids of a community's units, in order.
pub(super) async fn unit_ids(core: &Core, c: CommunityId) -> AnyResult<Vec<i64>> {
    let units: Vec<(i64,)> = core
        .db
        .read()
        .fetch_all(
            "SELECT id FROM units WHERE community_id = $1 ORDER BY id",
            args![c],
        )
        .await?;
    Ok(units.into_iter().map(|u| u.0).collect())
}

/// The lowest and highest unit id of a community.
pub(super) async fn unit_id_range(core: &Core, c: CommunityId) -> AnyResult<(i64, i64)> {
    Ok(core
        .db
        .read()
        .fetch_one(
            "SELECT MIN(id), MAX(id) FROM units WHERE community_id = $1",
            args![c],
        )
        .await?)
}

/// Every (unit, person) link of a community.
pub(super) async fn unit_people(core: &Core, c: CommunityId) -> AnyResult<Vec<(i64, i64)>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT unit_id, person_id FROM unit_people WHERE community_id = $1",
            args![c],
        )
        .await?)
}

/// Every unsold unit of a community becomes occupied, so each one is billed.
pub(super) async fn sell_all_units(core: &Core, c: CommunityId) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE units SET state = 'occupied' WHERE community_id = $1 AND state = 'unsold'",
        args![c],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Accounts, audit history

/// A benchmark's staff skip the first-login password change (they log in by API token).
pub(super) async fn clear_must_change_password(core: &Core, user: UserId) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE users SET must_change_password = $1 WHERE id = $2",
        args![false, user],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// An `update` entry on a unit with its before and after JSON.
pub(super) struct AuditRow {
    pub community: CommunityId,
    pub at: Ts,
    pub unit: i64,
    pub before: String,
    pub after: String,
}

pub(super) async fn insert_audit(
    tx: &mut Tx,
    company: CompanyId,
    actor_name: &str,
    rows: Vec<AuditRow>,
) -> AnyResult<()> {
    let mut a = Args::with_capacity(rows.len() * 10);
    let mut values = Vec::with_capacity(rows.len());
    for r in rows {
        values.push(format!(
            "({},{},NULL,{},{},{},{},{},{},{})",
            bind(&mut a, company),
            bind(&mut a, r.community),
            bind(&mut a, actor_name),
            bind(&mut a, r.at),
            bind(&mut a, "update"),
            bind(&mut a, "unit"),
            bind(&mut a, r.unit),
            bind(&mut a, r.before),
            bind(&mut a, r.after)
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, entity, entity_id, \
             before_json, after_json) VALUES {}",
            values.join(",")
        ),
        a,
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Requests fixture and its checks

/// One bulk-loaded request, every column decided by the planner.
pub(super) struct RequestRow {
    pub id: i64,
    pub community: CommunityId,
    pub number: String,
    pub kind: &'static str,
    pub category: &'static str,
    pub channel: &'static str,
    pub urgency: &'static str,
    pub complex: bool,
    pub unit: Option<i64>,
    pub location: Option<&'static str>,
    pub contact: String,
    pub description: &'static str,
    pub state: &'static str,
    pub hold_from: Option<&'static str>,
    pub hold_reason: Option<&'static str>,
    pub hold_since: Option<Ts>,
    pub responder: i64,
    pub assignee: Option<i64>,
    pub promise_at: Ts,
    pub escalations: i64,
    pub labour: Option<i64>,
    pub satisfaction: Option<i64>,
    pub rated_via: Option<&'static str>,
    pub created: Ts,
    pub updated: Ts,
    pub accepted: Option<Ts>,
    pub on_site: Option<Ts>,
    pub done: Option<Ts>,
    pub closed: Option<Ts>,
    pub day: String,
    pub handling_seconds: Option<i64>,
}

/// One bulk-loaded SLA clock, with what the scanner recorded.
pub(super) struct ClockRow {
    pub community: CommunityId,
    pub request: i64,
    pub clock: &'static str,
    pub started: Ts,
    pub due: Ts,
    pub warn: Ts,
    pub paused: Option<Ts>,
    pub met: Option<Ts>,
    pub warned: Option<Ts>,
    pub breached: Option<Ts>,
    pub day: String,
    pub kind: &'static str,
    pub category: &'static str,
    pub met_late: Option<i64>,
}

pub(super) async fn insert_requests(tx: &mut Tx, rows: Vec<RequestRow>) -> AnyResult<()> {
    let mut ra = Args::with_capacity(rows.len() * 30);
    let mut rvals = Vec::with_capacity(rows.len());
    for r in rows {
        rvals.push(format!(
            "({},{},{},{},{},{},{},{},{},NULL,{},{},NULL,{},{},{},{},{},{},{},{},0,{},0,NULL,{},NULL,{},NULL,{},{},{},{},{},{},{},{},{})",
            bind(&mut ra, r.id),
            bind(&mut ra, r.community),
            bind(&mut ra, r.number),
            bind(&mut ra, r.kind),
            bind(&mut ra, r.category),
            bind(&mut ra, r.channel),
            bind(&mut ra, r.urgency),
            bind(&mut ra, r.complex),
            bind(&mut ra, r.unit),
            bind(&mut ra, r.location),
            bind(&mut ra, r.contact),
            bind(&mut ra, r.description),
            bind(&mut ra, r.state),
            bind(&mut ra, r.hold_from),
            bind(&mut ra, r.hold_reason),
            bind(&mut ra, r.hold_since),
            bind(&mut ra, r.responder),
            bind(&mut ra, r.assignee),
            bind(&mut ra, r.promise_at),
            bind(&mut ra, r.escalations),
            bind(&mut ra, r.labour),
            bind(&mut ra, r.satisfaction),
            bind(&mut ra, r.rated_via),
            bind(&mut ra, r.created),
            bind(&mut ra, r.updated),
            bind(&mut ra, r.accepted),
            bind(&mut ra, r.on_site),
            bind(&mut ra, r.done),
            bind(&mut ra, r.closed),
            bind(&mut ra, r.day),
            bind(&mut ra, r.handling_seconds),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO requests (id, community_id, number, kind, category, channel, urgency, complex, \
             unit_id, person_id, location, contact_name, contact_phone_enc, description, state, hold_from, \
             hold_reason, hold_since, first_responder_id, assignee_id, promise_at, promise_postponed, \
             escalations, reopen_count, materials, labour_minutes, charge_fen, satisfaction, rating_comment, \
             rated_via, created_at, updated_at, accepted_at, on_site_at, done_at, closed_at, created_day, \
             handling_seconds) VALUES {}",
            rvals.join(",")
        ),
        ra,
    )
    .await?;
    Ok(())
}

pub(super) async fn insert_clocks(tx: &mut Tx, rows: Vec<ClockRow>) -> AnyResult<()> {
    let mut ca = Args::with_capacity(rows.len() * 10);
    let mut cvals = Vec::with_capacity(rows.len());
    for c in rows {
        cvals.push(format!(
            "({},{},{},{},{},{},0,{},{},{},{},{},{},{},{})",
            bind(&mut ca, c.community),
            bind(&mut ca, c.request),
            bind(&mut ca, c.clock),
            bind(&mut ca, c.started),
            bind(&mut ca, c.due),
            bind(&mut ca, c.warn),
            bind(&mut ca, c.paused),
            bind(&mut ca, c.met),
            bind(&mut ca, c.warned),
            bind(&mut ca, c.breached),
            bind(&mut ca, c.day),
            bind(&mut ca, c.kind),
            bind(&mut ca, c.category),
            bind(&mut ca, c.met_late),
        ));
    }
    tx.execute(
        &format!(
            "INSERT INTO request_clocks (community_id, request_id, clock, started_at, due_at, warn_at, \
             pauses_on_hold, paused_since, met_at, warned_at, breached_at, created_day, kind, category, \
             met_late) VALUES {}",
            cvals.join(",")
        ),
        ca,
    )
    .await?;
    Ok(())
}

/// A community's request-number counter (0 before its first request).
pub(super) async fn request_counter(core: &Core, c: CommunityId) -> AnyResult<i64> {
    let v: Option<(i64,)> = core
        .db
        .read()
        .fetch_optional(
            "SELECT value FROM community_counters WHERE community_id = $1 AND name = $2",
            args![c, "request"],
        )
        .await?;
    Ok(v.map_or(0, |v| v.0))
}

/// Sets a community's request-number counter past the bulk-loaded numbers.
pub(super) async fn set_request_counter(tx: &mut Tx, c: CommunityId, value: i64) -> AnyResult<()> {
    tx.execute(
        "INSERT INTO community_counters (community_id, name, value) VALUES ($1, $2, $3) \
         ON CONFLICT (community_id, name) DO UPDATE SET value = $3",
        args![c, "request", value],
    )
    .await?;
    Ok(())
}

async fn count(core: &Core, sql: &str, a: Args) -> AnyResult<i64> {
    let (n,): (i64,) = core.db.read().fetch_one(sql, a).await?;
    Ok(n)
}

pub(super) async fn count_requests(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM requests", args![]).await
}

pub(super) async fn count_open_requests(core: &Core) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM requests WHERE state NOT IN ('closed', 'cancelled')",
        args![],
    )
    .await
}

/// Running clocks past their warning time, not yet warned, before their deadline at `now`.
pub(super) async fn count_clocks_to_warn(core: &Core, now: Ts) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND warned_at IS NULL AND warn_at <= $1 AND due_at > $1",
        args![now],
    )
    .await
}

/// Running clocks past their deadline at `now`, not yet escalated.
pub(super) async fn count_clocks_to_breach(core: &Core, now: Ts) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM request_clocks WHERE met_at IS NULL AND paused_since IS NULL \
         AND breached_at IS NULL AND due_at <= $1",
        args![now],
    )
    .await
}

pub(super) async fn count_notifications(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM notifications", args![]).await
}

// ---------------------------------------------------------------------------------------------
// Billing

/// Empties a community's charges (the baseline re-inserts the same rows).
pub(super) async fn delete_charges(core: &Core, c: CommunityId) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute("DELETE FROM charges WHERE community_id = $1", args![c])
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(super) async fn count_charges(core: &Core) -> AnyResult<i64> {
    count(core, "SELECT COUNT(*) FROM charges", args![]).await
}
