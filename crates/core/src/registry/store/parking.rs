//! SQL of parking spaces and vehicles. Both show their holder's name through a read-only join
//! to people, and a vehicle its space's code.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::registry::model::{ParkingSpace, Vehicle};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::{SPACE_SELECT, VEHICLE_SELECT};

// ---------------------------------------------------------------------------------------------
// Parking spaces

/// The community's spaces by code, capped for the page.
pub(in crate::registry) async fn spaces(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<ParkingSpace>> {
    db.read()
        .fetch_all(
            &format!("{SPACE_SELECT} WHERE s.community_id = $1 ORDER BY s.code LIMIT 5000"),
            args![community],
        )
        .await
}

pub(in crate::registry) async fn space(
    db: &Db,
    id: ParkingSpaceId,
) -> CoreResult<Option<ParkingSpace>> {
    db.read()
        .fetch_optional(&format!("{SPACE_SELECT} WHERE s.id = $1"), args![id])
        .await
}

/// The space as the transaction sees it (just written).
pub(in crate::registry) async fn space_in(
    tx: &mut Tx,
    id: ParkingSpaceId,
) -> CoreResult<ParkingSpace> {
    tx.fetch_one(&format!("{SPACE_SELECT} WHERE s.id = $1"), args![id])
        .await
}

/// True when the space exists in the community.
pub(in crate::registry) async fn space_in_community(
    db: &Db,
    id: ParkingSpaceId,
    community: CommunityId,
) -> CoreResult<bool> {
    let ok: Option<(i64,)> = db
        .read()
        .fetch_optional(
            "SELECT id FROM parking_spaces WHERE id = $1 AND community_id = $2",
            args![id, community],
        )
        .await?;
    Ok(ok.is_some())
}

pub(in crate::registry) async fn space_code_taken(
    tx: &mut Tx,
    community: CommunityId,
    code: &str,
) -> CoreResult<bool> {
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM parking_spaces WHERE community_id = $1 AND code = $2",
            args![community, code],
        )
        .await?;
    Ok(dup.is_some())
}

/// A space's stored fields.
pub(in crate::registry) struct SpaceValues {
    pub state: String,
    pub unit: Option<UnitId>,
    pub person: Option<PersonId>,
    pub note: Option<String>,
}

pub(in crate::registry) async fn insert_space(
    tx: &mut Tx,
    community: CommunityId,
    code: String,
    v: SpaceValues,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO parking_spaces (community_id, code, state, unit_id, person_id, note, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        args![community, code, v.state, v.unit, v.person, v.note, now],
    )
    .await
}

pub(in crate::registry) async fn update_space(
    tx: &mut Tx,
    id: ParkingSpaceId,
    v: SpaceValues,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE parking_spaces SET state = $1, unit_id = $2, person_id = $3, note = $4, updated_at = $5 WHERE id = $6",
        args![v.state, v.unit, v.person, v.note, now, id],
    )
    .await
}

/// Deletes the space; vehicles parked on it keep existing without a space.
pub(in crate::registry) async fn delete_space(tx: &mut Tx, id: ParkingSpaceId) -> CoreResult<()> {
    tx.execute(
        "UPDATE vehicles SET space_id = NULL WHERE space_id = $1",
        args![id],
    )
    .await?;
    tx.execute("DELETE FROM parking_spaces WHERE id = $1", args![id])
        .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Vehicles

/// The community's vehicles by plate, capped for the page.
pub(in crate::registry) async fn vehicles(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<Vehicle>> {
    db.read()
        .fetch_all(
            &format!("{VEHICLE_SELECT} WHERE v.community_id = $1 ORDER BY v.plate LIMIT 5000"),
            args![community],
        )
        .await
}

pub(in crate::registry) async fn vehicle(db: &Db, id: VehicleId) -> CoreResult<Option<Vehicle>> {
    db.read()
        .fetch_optional(&format!("{VEHICLE_SELECT} WHERE v.id = $1"), args![id])
        .await
}

/// The vehicle as the transaction sees it (just written).
pub(in crate::registry) async fn vehicle_in(tx: &mut Tx, id: VehicleId) -> CoreResult<Vehicle> {
    tx.fetch_one(&format!("{VEHICLE_SELECT} WHERE v.id = $1"), args![id])
        .await
}

/// True when another vehicle of the community (not `except`) has this plate.
pub(in crate::registry) async fn plate_taken(
    tx: &mut Tx,
    community: CommunityId,
    plate: &str,
    except: Option<VehicleId>,
) -> CoreResult<bool> {
    let dup: Option<(i64,)> = match except {
        None => {
            tx.fetch_optional(
                "SELECT id FROM vehicles WHERE community_id = $1 AND plate = $2",
                args![community, plate],
            )
            .await?
        }
        Some(id) => {
            tx.fetch_optional(
                "SELECT id FROM vehicles WHERE community_id = $1 AND plate = $2 AND id <> $3",
                args![community, plate, id],
            )
            .await?
        }
    };
    Ok(dup.is_some())
}

/// A vehicle's stored fields.
pub(in crate::registry) struct VehicleValues {
    pub plate: String,
    pub person: Option<PersonId>,
    pub unit: Option<UnitId>,
    pub space: Option<ParkingSpaceId>,
    pub brand: Option<String>,
    pub color: Option<String>,
}

pub(in crate::registry) async fn insert_vehicle(
    tx: &mut Tx,
    community: CommunityId,
    v: VehicleValues,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO vehicles (community_id, plate, person_id, unit_id, space_id, brand, color, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
        args![community, v.plate, v.person, v.unit, v.space, v.brand, v.color, now],
    )
    .await
}

pub(in crate::registry) async fn update_vehicle(
    tx: &mut Tx,
    id: VehicleId,
    v: VehicleValues,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE vehicles SET plate = $1, person_id = $2, unit_id = $3, space_id = $4, brand = $5, color = $6, \
         updated_at = $7 WHERE id = $8",
        args![v.plate, v.person, v.unit, v.space, v.brand, v.color, now, id],
    )
    .await
}

pub(in crate::registry) async fn delete_vehicle(tx: &mut Tx, id: VehicleId) -> CoreResult<u64> {
    tx.execute("DELETE FROM vehicles WHERE id = $1", args![id])
        .await
}
