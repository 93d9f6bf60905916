//! What notices and the public board read of the registry: a community's name and time zone,
//! the company's communities (a company-wide notice has a copy in each), the buildings, and who
//! lives in which building (whom a notice reaches).

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The community's name and time zone name, if it is the company's.
pub(crate) async fn community(
    q: &mut impl Queries,
    c: CommunityId,
    company: CompanyId,
) -> CoreResult<Option<(String, String)>> {
    q.fetch_optional(
        "SELECT name, timezone FROM communities WHERE id = $1 AND company_id = $2",
        args![c, company],
    )
    .await
}

/// The company's communities, in id order.
pub(crate) async fn communities(
    q: &mut impl Queries,
    company: CompanyId,
) -> CoreResult<Vec<CommunityId>> {
    let rows: Vec<(CommunityId,)> = q
        .fetch_all(
            "SELECT id FROM communities WHERE company_id = $1 ORDER BY id",
            args![company],
        )
        .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// The community's buildings: (id, name), by name.
pub(crate) async fn buildings(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(BuildingId, String)>> {
    q.fetch_all(
        "SELECT id, name FROM buildings WHERE community_id = $1 ORDER BY name",
        args![c],
    )
    .await
}

/// Who lives in which building (owners, residents, tenants alike): (person, building), once
/// per pair.
pub(crate) async fn people_by_building(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(PersonId, BuildingId)>> {
    q.fetch_all(
        "SELECT DISTINCT l.person_id, u.building_id FROM unit_people l \
         JOIN units u ON u.id = l.unit_id WHERE l.community_id = $1",
        args![c],
    )
    .await
}

/// The buildings a person lives in.
pub(crate) async fn buildings_of_person(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
) -> CoreResult<Vec<BuildingId>> {
    let rows: Vec<(BuildingId,)> = q
        .fetch_all(
            "SELECT DISTINCT u.building_id FROM unit_people l JOIN units u ON u.id = l.unit_id \
             WHERE l.community_id = $1 AND l.person_id = $2",
            args![c, person],
        )
        .await?;
    Ok(rows.into_iter().map(|(b,)| b).collect())
}

/// The community's company, name and time zone name (the public board knows only its
/// community).
pub(crate) async fn company_of(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<(CompanyId, String, String)>> {
    q.fetch_optional(
        "SELECT company_id, name, timezone FROM communities WHERE id = $1",
        args![c],
    )
    .await
}

/// The owners of each unit of the community: (unit, person).
pub(crate) async fn owners_by_unit(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(UnitId, PersonId)>> {
    q.fetch_all(
        "SELECT unit_id, person_id FROM unit_people WHERE community_id = $1 AND relation = 'owner'",
        args![c],
    )
    .await
}

/// Each unit of the community as people name it: (unit, "1栋-1801").
pub(crate) async fn unit_labels(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(UnitId, String)>> {
    q.fetch_all(
        "SELECT u.id, b.name || '-' || u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
         WHERE u.community_id = $1",
        args![c],
    )
    .await
}

/// The time zone names of these communities (`None`: all), by id: patrol tasks fall on each
/// community's own clock.
pub(crate) async fn time_zones(
    q: &mut impl Queries,
    communities: Option<&[i64]>,
) -> CoreResult<Vec<(CommunityId, String)>> {
    let mut a = crate::db::Args::new();
    let only = match communities {
        Some(cs) => format!(" WHERE {}", crate::db::in_list(&mut a, "id", cs)),
        None => String::new(),
    };
    q.fetch_all(&format!("SELECT id, timezone FROM communities{only}"), a)
        .await
}

/// Units of the community among `ids`: (unit, its building, "1栋-1801") — an incident's affected
/// units, checked and labelled.
pub(crate) async fn units_among(
    q: &mut impl Queries,
    c: CommunityId,
    ids: &[UnitId],
) -> CoreResult<Vec<(UnitId, BuildingId, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = crate::db::in_list(&mut a, "u.id", ids);
    q.fetch_all(
        &format!(
            "SELECT u.id, u.building_id, b.name || '-' || u.unit_no FROM units u \
             JOIN buildings b ON b.id = u.building_id WHERE u.community_id = $1 AND {cond}"
        ),
        a,
    )
    .await
}
