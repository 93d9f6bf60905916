//! What the front desk reads of the registry: a unit's label in a community (a unit's key is
//! tagged with it) and a person of the community with the units he is on (an owner depositing
//! his spare key).

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The unit's label (`1栋-1801`) when it is of the community.
pub(crate) async fn unit_label(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<String>> {
    let row: Option<(String, String)> = q
        .fetch_optional(
            "SELECT b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
             WHERE u.id = $1 AND u.community_id = $2",
            args![unit, c],
        )
        .await?;
    Ok(row.map(|(b, n)| format!("{b}-{n}")))
}

/// The person's name when he is of the community.
pub(crate) async fn person_name(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = q
        .fetch_optional(
            "SELECT name FROM people WHERE id = $1 AND community_id = $2",
            args![person, c],
        )
        .await?;
    Ok(row.map(|(n,)| n))
}

/// Whether the person is an owner of the unit.
pub(crate) async fn owns(q: &mut impl Queries, unit: UnitId, person: PersonId) -> CoreResult<bool> {
    let row: Option<(PersonId,)> = q
        .fetch_optional(
            "SELECT person_id FROM unit_people WHERE unit_id = $1 AND person_id = $2 AND relation = 'owner'",
            args![unit, person],
        )
        .await?;
    Ok(row.is_some())
}

/// The unit's owners, in the order they were recorded.
pub(crate) async fn owners_of(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<PersonId>> {
    let rows: Vec<(PersonId,)> = q
        .fetch_all(
            "SELECT person_id FROM unit_people WHERE community_id = $1 AND unit_id = $2 \
             AND relation = 'owner' ORDER BY id",
            args![c, unit],
        )
        .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}
