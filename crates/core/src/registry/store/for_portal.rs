//! What the owner portal reads of the registry: the units a person owns or lives in.

use crate::args;
use crate::db::Db;
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, PersonId, UnitId};

/// A person's community and name.
pub async fn person(db: &Db, person: PersonId) -> CoreResult<Option<(CommunityId, String)>> {
    db.read()
        .fetch_optional(
            "SELECT community_id, name FROM people WHERE id = $1",
            args![person],
        )
        .await
}

/// How many units the person is linked to (any relation).
pub async fn unit_link_count(db: &Db, community: CommunityId, person: PersonId) -> CoreResult<i64> {
    let (links,): (i64,) = db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM unit_people WHERE community_id = $1 AND person_id = $2",
            args![community, person],
        )
        .await?;
    Ok(links)
}

/// The person's units: (unit, "1栋-1801", relation), by building and unit number.
pub async fn units_of_person(
    db: &Db,
    community: CommunityId,
    person: PersonId,
) -> CoreResult<Vec<(UnitId, String, String)>> {
    db.read()
        .fetch_all(
            "SELECT u.id AS unit_id, b.name || '-' || u.unit_no AS label, l.relation \
             FROM unit_people l JOIN units u ON u.id = l.unit_id JOIN buildings b ON b.id = u.building_id \
             WHERE l.community_id = $1 AND l.person_id = $2 ORDER BY b.name, u.unit_no",
            args![community, person],
        )
        .await
}
