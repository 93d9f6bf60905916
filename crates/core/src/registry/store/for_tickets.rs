//! What service requests read of the registry (a unit with its people, a person's name), so
//! that the requests' own SQL never queries the registry's tables by itself.

use crate::args;
use crate::db::{Db, Queries, Reader};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// A community's time zone name, if it is of the company.
pub async fn community_timezone(
    tx: &mut impl Queries,
    community: CommunityId,
    company: CompanyId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            "SELECT timezone FROM communities WHERE id = $1 AND company_id = $2",
            args![community, company],
        )
        .await?;
    Ok(row.map(|(t,)| t))
}

/// A unit's community and label (`building-unit`), a row per person of the unit (one row with
/// no person when it has none; no row when the unit does not exist). Inline on SQLite: every
/// registration of a unit's request reads it, and the (unit_id, person_id) key serves the join.
pub async fn unit_with_people(
    r: &mut Reader<'_>,
    unit: UnitId,
) -> CoreResult<Vec<(CommunityId, String, Option<PersonId>)>> {
    r.fetch_all_inline(
        "SELECT u.community_id, b.name || '-' || u.unit_no, up.person_id FROM units u \
         JOIN buildings b ON b.id = u.building_id \
         LEFT JOIN unit_people up ON up.unit_id = u.id WHERE u.id = $1",
        args![unit],
    )
    .await
}

/// A person's community, name and encrypted phone (inline on SQLite, as above).
pub async fn person(
    r: &mut Reader<'_>,
    person: PersonId,
) -> CoreResult<Option<(CommunityId, String, Option<Vec<u8>>)>> {
    Ok(r.fetch_all_inline(
        "SELECT community_id, name, phone_enc FROM people WHERE id = $1",
        args![person],
    )
    .await?
    .pop())
}

/// The names of the company's communities by id (statistics by community).
pub async fn community_names(db: &Db, company: CompanyId) -> CoreResult<Vec<(i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT id, name FROM communities WHERE company_id = $1",
            args![company],
        )
        .await
}
