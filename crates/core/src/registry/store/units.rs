//! SQL of units: the unit list's keyset pages, the single-unit writes, and what a unit page
//! gathers around a unit (its links, vehicles, spaces).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Tx};
use crate::registry::model::{ParkingSpace, Vehicle};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::{SPACE_SELECT, UNIT_SELECT, UnitRow, VEHICLE_SELECT, in_list};

/// The unit as the transaction sees it (just written).
pub(in crate::registry) async fn row_in(tx: &mut Tx, id: UnitId) -> CoreResult<UnitRow> {
    tx.fetch_one(&format!("{UNIT_SELECT} WHERE u.id = $1"), args![id])
        .await
}

/// The conditions of a unit list, already validated (codes checked, prefix upper-cased).
pub(in crate::registry) struct UnitQuery<'a> {
    pub communities: &'a [CommunityId],
    pub building: Option<BuildingId>,
    pub state: Option<&'static str>,
    pub use_kind: Option<&'static str>,
    /// Unit-number prefix; empty = any.
    pub unit_no: &'a str,
    pub after: Option<i64>,
    pub limit: i64,
}

/// One keyset page of units in id order.
pub(in crate::registry) async fn list(db: &Db, q: &UnitQuery<'_>) -> CoreResult<Vec<UnitRow>> {
    let mut a = Args::new();
    let mut sql = format!(
        "{UNIT_SELECT} WHERE {}",
        in_list(&mut a, "u.community_id", q.communities)
    );
    if let Some(b) = q.building {
        sql.push_str(&format!(" AND u.building_id = {}", a.push(b)));
    }
    if let Some(s) = q.state {
        sql.push_str(&format!(" AND u.state = {}", a.push(s)));
    }
    if let Some(s) = q.use_kind {
        sql.push_str(&format!(" AND u.use_kind = {}", a.push(s)));
    }
    if !q.unit_no.is_empty() {
        let p = q.unit_no;
        let lo = a.push(p);
        let hi = a.push(crate::registry::model::prefix_end(p));
        sql.push_str(&format!(" AND u.unit_no >= {lo} AND u.unit_no < {hi}"));
    }
    if let Some(after) = q.after {
        sql.push_str(&format!(" AND u.id > {}", a.push(after)));
    }
    let limit = q.limit;
    sql.push_str(&format!(" ORDER BY u.id LIMIT {limit}"));
    db.read().fetch_all(&sql, a).await
}

/// True when another unit of the building (not `except`) has this number.
pub(in crate::registry) async fn number_taken(
    tx: &mut Tx,
    community: CommunityId,
    building: BuildingId,
    unit_no: &str,
    except: Option<UnitId>,
) -> CoreResult<bool> {
    let dup: Option<(i64,)> = match except {
        None => {
            tx.fetch_optional(
                "SELECT id FROM units WHERE community_id = $1 AND building_id = $2 AND unit_no = $3",
                args![community, building, unit_no],
            )
            .await?
        }
        Some(id) => {
            tx.fetch_optional(
                "SELECT id FROM units WHERE community_id = $1 AND building_id = $2 AND unit_no = $3 AND id <> $4",
                args![community, building, unit_no, id],
            )
            .await?
        }
    };
    Ok(dup.is_some())
}

/// A unit's stored fields, codes as stored.
pub(in crate::registry) struct UnitValues<'a> {
    pub unit_no: &'a str,
    pub floor: i64,
    pub building_area: i64,
    pub inner_area: Option<i64>,
    pub use_kind: &'static str,
    pub state: &'static str,
    pub note: Option<String>,
}

pub(in crate::registry) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    building: BuildingId,
    v: UnitValues<'_>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO units (community_id, building_id, unit_no, floor, building_area, inner_area, use_kind, state, note, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        args![
            community,
            building,
            v.unit_no,
            v.floor,
            v.building_area,
            v.inner_area,
            v.use_kind,
            v.state,
            v.note,
            now
        ],
    )
    .await
}

pub(in crate::registry) async fn update(
    tx: &mut Tx,
    id: UnitId,
    v: UnitValues<'_>,
    keeper: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE units SET unit_no = $1, floor = $2, building_area = $3, inner_area = $4, use_kind = $5, state = $6, \
         keeper_user_id = $7, note = $8, updated_at = $9 WHERE id = $10",
        args![v.unit_no, v.floor, v.building_area, v.inner_area, v.use_kind, v.state, keeper, v.note, now, id],
    )
    .await
}

/// How many people, vehicles and parking spaces are attached to the unit.
pub(in crate::registry) async fn attached_count(tx: &mut Tx, id: UnitId) -> CoreResult<i64> {
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM unit_people WHERE unit_id = $1) + (SELECT COUNT(*) FROM vehicles WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM parking_spaces WHERE unit_id = $1)",
            args![id],
        )
        .await?;
    Ok(n)
}

/// Deletes the unit's vacant-unit inspections (they go with the unit).
pub(in crate::registry) async fn delete_inspections(tx: &mut Tx, id: UnitId) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM vacant_inspections WHERE unit_id = $1",
        args![id],
    )
    .await
}

/// Deletes the unit. Requests, charges and payments keep their unit: the database refuses the
/// delete (a foreign-key violation) when any points at it.
pub(in crate::registry) async fn delete(tx: &mut Tx, id: UnitId) -> CoreResult<u64> {
    tx.execute("DELETE FROM units WHERE id = $1", args![id])
        .await
}

/// One link of a unit to a person, relation as stored.
#[derive(sqlx::FromRow)]
pub(in crate::registry) struct LinkRow {
    pub link_id: i64,
    pub relation: String,
    pub person_id: PersonId,
}

/// The unit's people links, in link order.
pub(in crate::registry) async fn links(db: &Db, id: UnitId) -> CoreResult<Vec<LinkRow>> {
    db.read()
        .fetch_all(
            "SELECT id AS link_id, relation, person_id FROM unit_people WHERE unit_id = $1 ORDER BY id",
            args![id],
        )
        .await
}

/// The unit's vehicles and those of its people.
pub(in crate::registry) async fn vehicles(db: &Db, id: UnitId) -> CoreResult<Vec<Vehicle>> {
    db.read()
        .fetch_all(
            &format!(
                "{VEHICLE_SELECT} WHERE v.unit_id = $1 OR v.person_id IN (SELECT person_id FROM unit_people WHERE unit_id = $1) ORDER BY v.id"
            ),
            args![id],
        )
        .await
}

pub(in crate::registry) async fn spaces(db: &Db, id: UnitId) -> CoreResult<Vec<ParkingSpace>> {
    db.read()
        .fetch_all(
            &format!("{SPACE_SELECT} WHERE s.unit_id = $1 ORDER BY s.code"),
            args![id],
        )
        .await
}
