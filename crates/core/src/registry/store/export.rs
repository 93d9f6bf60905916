//! SQL of the exports: whole lists of one community with no page cap (an export holds every
//! row), and the side lookups that label them (owners, phones, unit labels, last inspections).

use chrono::NaiveDate;

use crate::args;
use crate::db::Db;
use crate::registry::model::{ParkingSpace, Vehicle};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::{SPACE_SELECT, UNIT_SELECT, UnitRow, VEHICLE_SELECT};

/// Every owner link of the community: (unit, owner's name, encrypted phone), in link order.
pub(in crate::registry) async fn owner_links(
    db: &Db,
    community: CommunityId,
    owner: &'static str,
) -> CoreResult<Vec<(UnitId, String, Option<Vec<u8>>)>> {
    db.read()
        .fetch_all(
            "SELECT up.unit_id, p.name, p.phone_enc FROM unit_people up JOIN people p ON p.id = up.person_id \
             WHERE up.community_id = $1 AND up.relation = $2 ORDER BY up.unit_id, up.id",
            args![community, owner],
        )
        .await
}

/// Which of the registry's tables a side lookup follows (`person_id`, `unit_id` columns).
#[derive(Clone, Copy)]
pub(in crate::registry) enum HeldBy {
    Vehicles,
    ParkingSpaces,
}

impl HeldBy {
    fn table(self) -> &'static str {
        match self {
            HeldBy::Vehicles => "vehicles",
            HeldBy::ParkingSpaces => "parking_spaces",
        }
    }
}

/// Encrypted phones of the people the rows of `of` point at.
pub(in crate::registry) async fn holder_phones(
    db: &Db,
    community: CommunityId,
    of: HeldBy,
) -> CoreResult<Vec<(PersonId, Option<Vec<u8>>)>> {
    let of = of.table();
    db.read()
        .fetch_all(
            &format!(
                "SELECT p.id, p.phone_enc FROM people p WHERE p.community_id = $1 AND p.id IN \
                 (SELECT person_id FROM {of} WHERE community_id = $1)"
            ),
            args![community],
        )
        .await
}

/// (unit, building name, unit number) of the units the rows of `of` point at.
pub(in crate::registry) async fn held_units(
    db: &Db,
    community: CommunityId,
    of: HeldBy,
) -> CoreResult<Vec<(UnitId, String, String)>> {
    let of = of.table();
    db.read()
        .fetch_all(
            &format!(
                "SELECT u.id, b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
                 WHERE u.community_id = $1 AND u.id IN (SELECT unit_id FROM {of} WHERE community_id = $1)"
            ),
            args![community],
        )
        .await
}

/// Every vehicle of the community, by plate.
pub(in crate::registry) async fn vehicles(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<Vehicle>> {
    db.read()
        .fetch_all(
            &format!("{VEHICLE_SELECT} WHERE v.community_id = $1 ORDER BY v.plate"),
            args![community],
        )
        .await
}

/// Every parking space of the community, by code.
pub(in crate::registry) async fn spaces(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<ParkingSpace>> {
    db.read()
        .fetch_all(
            &format!("{SPACE_SELECT} WHERE s.community_id = $1 ORDER BY s.code"),
            args![community],
        )
        .await
}

/// Every unit of the community in the given state, by building and number.
pub(in crate::registry) async fn units_in_state(
    db: &Db,
    community: CommunityId,
    state: &'static str,
) -> CoreResult<Vec<UnitRow>> {
    db.read()
        .fetch_all(
            &format!(
                "{UNIT_SELECT} WHERE u.community_id = $1 AND u.state = $2 ORDER BY b.name, u.unit_no"
            ),
            args![community, state],
        )
        .await
}

/// The inspections of the community's units in the given state: (unit, day, findings), newest
/// first per unit.
pub(in crate::registry) async fn inspections_of_units_in_state(
    db: &Db,
    community: CommunityId,
    state: &'static str,
) -> CoreResult<Vec<(UnitId, NaiveDate, String)>> {
    db.read()
        .fetch_all(
            "SELECT i.unit_id, i.inspected_on, i.findings FROM vacant_inspections i \
             WHERE i.community_id = $1 AND i.unit_id IN (SELECT id FROM units WHERE community_id = $1 AND state = $2) \
             ORDER BY i.unit_id, i.inspected_on DESC, i.id DESC",
            args![community, state],
        )
        .await
}
