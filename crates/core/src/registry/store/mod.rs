//! SQL of the registry: every statement of the module is here, one file per entity, so the
//! tuned texts live in one place and the services keep only rules. Row types here are what the
//! tables hold; the service turns them into the model's types (codes decoded strictly, areas
//! typed, personal data masked). The `for_*` files are what other modules read of our tables.

pub mod buildings;
pub mod communities;
pub mod export;
pub mod for_auth;
pub mod for_billing;
pub mod for_community;
pub mod for_frontdesk;
pub mod for_notify;
pub mod for_portal;
pub mod for_quality;
pub mod for_tickets;
pub mod import;
pub mod inspections;
pub mod parking;
pub mod people;
pub mod search;
pub mod units;

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(sqlx::FromRow)]
pub(super) struct UnitRow {
    pub id: UnitId,
    pub community_id: CommunityId,
    pub building_id: BuildingId,
    pub building_name: String,
    pub unit_no: String,
    pub floor: i64,
    pub building_area: i64,
    pub inner_area: Option<i64>,
    pub use_kind: String,
    pub state: String,
    pub keeper_user_id: Option<UserId>,
    pub keeper_name: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// Units with their building's name. `+u.building_id` (unary plus, a no-op in both databases)
/// keeps SQLite from driving the join from buildings: after ANALYZE, its STAT4 statistics
/// otherwise judge some unit-number prefixes ("20", "25" over 400,000 units) broad enough to scan
/// every building and sort all matches (10–28 ms) instead of walking `units_unit_no` in order and
/// stopping at LIMIT (0.2 ms). Measured with `wuye bench search`.
pub(super) const UNIT_SELECT: &str = "SELECT u.id, u.community_id, u.building_id, b.name AS building_name, u.unit_no, \
    u.floor, u.building_area, u.inner_area, u.use_kind, u.state, u.keeper_user_id, k.display_name AS keeper_name, \
    u.note, u.created_at, u.updated_at FROM units u JOIN buildings b ON b.id = +u.building_id \
    LEFT JOIN users k ON k.id = u.keeper_user_id";

#[derive(sqlx::FromRow)]
pub(super) struct PersonRow {
    pub id: PersonId,
    pub community_id: CommunityId,
    pub name: String,
    pub phone_enc: Option<Vec<u8>>,
    pub id_no_enc: Option<Vec<u8>>,
    pub is_key_customer: bool,
    pub key_customer_note: Option<String>,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

pub(super) const PERSON_SELECT: &str = "SELECT p.id, p.community_id, p.name, p.phone_enc, p.id_no_enc, \
    p.is_key_customer, p.key_customer_note, p.note, p.created_at, p.updated_at FROM people p";

pub(super) const BUILDING_SELECT: &str = "SELECT b.id, b.community_id, b.name, b.floors, b.note, \
    (SELECT COUNT(*) FROM units u WHERE u.building_id = b.id) AS unit_count, b.created_at, b.updated_at FROM buildings b";

pub(super) const SPACE_SELECT: &str = "SELECT s.id, s.community_id, s.code, s.state, s.unit_id, s.person_id, \
    p.name AS holder_name, s.note, s.created_at, s.updated_at FROM parking_spaces s LEFT JOIN people p ON p.id = s.person_id";

pub(super) const VEHICLE_SELECT: &str = "SELECT v.id, v.community_id, v.plate, v.person_id, p.name AS person_name, \
    v.unit_id, v.space_id, s.code AS space_code, v.brand, v.color, v.created_at, v.updated_at FROM vehicles v \
    LEFT JOIN people p ON p.id = v.person_id LEFT JOIN parking_spaces s ON s.id = v.space_id";

pub(super) const LINK_SELECT: &str = "SELECT up.id AS link_id, up.unit_id, up.person_id, \
    b.name || '-' || u.unit_no AS label, up.relation FROM unit_people up JOIN units u ON u.id = up.unit_id \
    JOIN buildings b ON b.id = u.building_id";

pub(super) use crate::db::in_list;

pub(super) async fn unit_row(db: &Db, id: UnitId) -> CoreResult<Option<UnitRow>> {
    db.read()
        .fetch_optional(&format!("{UNIT_SELECT} WHERE u.id = $1"), args![id])
        .await
}

pub(super) async fn person_row(db: &Db, id: PersonId) -> CoreResult<Option<PersonRow>> {
    db.read()
        .fetch_optional(&format!("{PERSON_SELECT} WHERE p.id = $1"), args![id])
        .await
}

/// The unit links of the given people, for the person cards.
pub(super) async fn links_of_people(
    db: &Db,
    people: &[PersonId],
) -> CoreResult<Vec<super::model::PersonUnit>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let cond = in_list(&mut a, "up.person_id", people);
    db.read()
        .fetch_all(&format!("{LINK_SELECT} WHERE {cond} ORDER BY up.id"), a)
        .await
}

/// The sizes of a community's register for its overview: buildings, units, people, vehicles,
/// parking spaces.
pub(in crate::registry) async fn community_counts(db: &Db, c: CommunityId) -> CoreResult<[i64; 5]> {
    let mut out = [0; 5];
    for (i, t) in ["buildings", "units", "people", "vehicles", "parking_spaces"]
        .iter()
        .enumerate()
    {
        out[i] = count(
            db,
            &format!("SELECT COUNT(*) FROM {t} WHERE community_id = $1"),
            args![c],
        )
        .await?;
    }
    Ok(out)
}

/// Rows counted by a `SELECT COUNT(*) …`.
pub(super) async fn count(db: &Db, sql: &str, a: Args) -> CoreResult<i64> {
    let (n,): (i64,) = db.read().fetch_one(sql, a).await?;
    Ok(n)
}

/// The registry's hot lists with the SQL their stores run (checked by the plan test, on a
/// database without statistics): the desk's search by unit number and by name.
pub fn hot_lists(s: &crate::db::plans::Sample) -> Vec<crate::db::plans::HotList> {
    use crate::db::plans::HotList;
    let both = [s.community, s.other_community];
    vec![
        HotList::new(
            "search units by number",
            search::units_by_prefix_sql(&both, None, "18", 20),
        ),
        HotList::new(
            "search units by building and number",
            search::units_by_prefix_sql(&both, Some("1".into()), "18", 20),
        ),
        HotList::new(
            "search people by name",
            search::people_by_name_prefix_sql(&both, "王", 20),
        ),
    ]
}
