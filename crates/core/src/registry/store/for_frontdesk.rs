//! What the front desk reads of the registry: a unit's label in a community (a unit's key is
//! tagged with it) and a person of the community with the units he is on (an owner depositing
//! his spare key); and what a move-out changes: the unit's people and its state.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
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

/// A person of the unit: name, encrypted phone and ID number's blind index (a parcel's
/// recipient: his phone gets the pick-up code, his ID is checked at pick-up).
pub(crate) async fn person_of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    person: PersonId,
) -> CoreResult<Option<(String, Option<Vec<u8>>, Option<Vec<u8>>)>> {
    q.fetch_optional(
        "SELECT p.name, p.phone_enc, p.id_no_hash FROM unit_people up JOIN people p ON p.id = up.person_id \
         WHERE up.community_id = $1 AND up.unit_id = $2 AND up.person_id = $3",
        args![c, unit, person],
    )
    .await
}

/// A person's ID number's blind index, when he is of the community and has one.
pub(crate) async fn id_hash(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
) -> CoreResult<Option<Vec<u8>>> {
    let row: Option<(Option<Vec<u8>>,)> = q
        .fetch_optional(
            "SELECT id_no_hash FROM people WHERE id = $1 AND community_id = $2",
            args![person, c],
        )
        .await?;
    Ok(row.and_then(|(h,)| h))
}

/// The people on the unit whose name is exactly this one (a label's name matched to the
/// registry, so the recipient's account is told).
pub(crate) async fn unit_people_named(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    name: &str,
) -> CoreResult<Vec<PersonId>> {
    let rows: Vec<(PersonId,)> = q
        .fetch_all(
            "SELECT DISTINCT p.id FROM unit_people up JOIN people p ON p.id = up.person_id \
             WHERE up.community_id = $1 AND up.unit_id = $2 AND p.name = $3",
            args![c, unit, name],
        )
        .await?;
    Ok(rows.into_iter().map(|(p,)| p).collect())
}

/// How a person is of a unit (`owner`, `member`, `tenant`), when he is.
pub(crate) async fn relation_of(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    person: PersonId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = q
        .fetch_optional(
            "SELECT relation FROM unit_people WHERE community_id = $1 AND unit_id = $2 AND person_id = $3 \
             ORDER BY CASE relation WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END LIMIT 1",
            args![c, unit, person],
        )
        .await?;
    Ok(row.map(|(r,)| r))
}

/// The unit's people: (person, name, relation), owners first.
pub(crate) async fn unit_people(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<(PersonId, String, String)>> {
    q.fetch_all(
        "SELECT p.id, p.name, up.relation FROM unit_people up JOIN people p ON p.id = up.person_id \
         WHERE up.community_id = $1 AND up.unit_id = $2 \
         ORDER BY CASE up.relation WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, up.id",
        args![c, unit],
    )
    .await
}

/// Ends a person's link to a unit (he has moved out).
pub(crate) async fn unlink(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    person: PersonId,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM unit_people WHERE community_id = $1 AND unit_id = $2 AND person_id = $3",
        args![c, unit, person],
    )
    .await
}

/// The unit's state (空置, 自住, 出租 …).
pub(crate) async fn unit_state(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = q
        .fetch_optional(
            "SELECT state FROM units WHERE community_id = $1 AND id = $2",
            args![c, unit],
        )
        .await?;
    Ok(row.map(|(s,)| s))
}

/// Sets the unit's state.
pub(crate) async fn set_unit_state(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    state: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE units SET state = $1, updated_at = $2 WHERE community_id = $3 AND id = $4",
        args![state, now, c, unit],
    )
    .await
}

/// The unit's building area (hundredths of m²) when it is of the community: a decoration's
/// management fee is charged on it.
pub(crate) async fn unit_area(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = q
        .fetch_optional(
            "SELECT building_area FROM units WHERE community_id = $1 AND id = $2",
            args![c, unit],
        )
        .await?;
    Ok(row.map(|(a,)| a))
}
