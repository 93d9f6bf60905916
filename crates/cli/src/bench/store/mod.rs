//! Every SQL text of the benchmarks: the fixtures are bulk-loaded straight into the tables of
//! several modules (far faster than their services, and shaped exactly like what the services
//! write), and the checks count rows behind the services' backs. Keeping all of it here means a
//! schema change has one place to look in the CLI, and the benchmark files hold only what they
//! measure.
//!
//! The SQL runs on both engines. The multi-row INSERTs number their placeholders in textual
//! order (see [`bind`]); where the engines differ (housekeeping, sizes, PostgreSQL's schema and
//! sequences) a function picks the text by `core.db.backend()`.

mod billing;
pub(crate) mod dashboard;
pub(crate) mod frontdesk;
pub(crate) mod kpis;
pub(crate) mod notify;
pub(crate) mod partition;
pub(crate) mod patrols;
mod requests;

pub(crate) use billing::*;
pub(crate) use requests::*;

use chrono::{DateTime, Utc};
use wuye_core::db::{Args, Backend, Db, Tx, Value};
use wuye_core::shared::ids::{CommunityId, CompanyId, UserId};
use wuye_core::{Core, args};

use super::AnyResult;

type Ts = DateTime<Utc>;

/// Binds `v` to the next numbered placeholder (`$n`, bound in textual order).
///
/// Numbered without a gap in textual order, they are what `to_sqlite_sql` turns into anonymous
/// `?` on SQLite: a numbered `?NNN` costs a linear search of the parameter names on each bind
/// (quadratic over a multi-row INSERT of thousands of values), an anonymous one nothing.
/// PostgreSQL takes the `$n` as written.
pub(crate) fn bind(a: &mut Args, v: impl Into<Value>) -> String {
    a.0.push(v.into());
    format!("${}", a.0.len())
}

// ---------------------------------------------------------------------------------------------
// PostgreSQL schema of a run

/// The schema a benchmark works in on PostgreSQL (`name` is the benchmark's, made of lower-case
/// letters, digits and `_`, so it can be spliced into DDL).
pub(crate) async fn create_schema(admin: &Db, name: &str) -> AnyResult<()> {
    let mut tx = admin.begin().await?;
    tx.execute(&format!("CREATE SCHEMA {name}"), args![])
        .await?;
    tx.commit().await?;
    Ok(())
}

pub(crate) async fn drop_schema(admin: &Db, name: &str) -> AnyResult<()> {
    let mut tx = admin.begin().await?;
    tx.execute(&format!("DROP SCHEMA IF EXISTS {name} CASCADE"), args![])
        .await?;
    tx.commit().await?;
    Ok(())
}

/// After rows were bulk-loaded with their own ids: PostgreSQL's identity sequences move past
/// them, so the services' next inserts do not collide (SQLite takes the highest rowid + 1 by
/// itself).
pub(crate) async fn sync_ids(core: &Core, tables: &[&str]) -> AnyResult<()> {
    if core.db.backend() != Backend::Postgres {
        return Ok(());
    }
    let mut tx = core.db.begin().await?;
    for t in tables {
        tx.execute(
            &format!(
                "SELECT setval(pg_get_serial_sequence('{t}', 'id'), (SELECT COALESCE(MAX(id), 0) + 1 FROM {t}), false)"
            ),
            args![],
        )
        .await?;
    }
    tx.commit().await?;
    Ok(())
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

/// The database's size in bytes: SQLite's pages; on PostgreSQL the benchmark's schema (tables
/// with their indexes and TOAST), not the rest of the database.
pub(crate) async fn database_bytes(core: &Core) -> AnyResult<i64> {
    let sql = match core.db.backend() {
        Backend::Sqlite => {
            "SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()"
        }
        Backend::Postgres => {
            "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c \
             JOIN pg_namespace n ON n.oid = c.relnamespace \
             WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'm')"
        }
    };
    let (size,): (i64,) = core.db.read().fetch_one(sql, args![]).await?;
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

pub(crate) async fn count(core: &Core, sql: &str, a: Args) -> AnyResult<i64> {
    let (n,): (i64,) = core.db.read().fetch_one(sql, a).await?;
    Ok(n)
}
