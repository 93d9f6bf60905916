//! What notifications read of the registry: a community's company, name and time zone (its
//! messages name it; its quiet hours are its own), and the people's phones (encrypted, copied
//! as they are into the outbox).

use crate::args;
use crate::db::Writes;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The community's company, name and time zone name.
pub(crate) async fn community(
    q: &mut impl Writes,
    c: CommunityId,
) -> CoreResult<Option<(CompanyId, String, String)>> {
    let mut rows: Vec<(CompanyId, String, String)> = q
        .fetch_all(
            "SELECT company_id, name, timezone FROM communities WHERE id = $1",
            args![c],
        )
        .await?;
    Ok(rows.pop())
}

/// The encrypted phones of these people (those with one).
pub(crate) async fn phones(
    q: &mut impl Writes,
    people: &[PersonId],
) -> CoreResult<Vec<(PersonId, Vec<u8>)>> {
    if people.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = crate::db::Args::new();
    let cond = crate::db::in_list(&mut a, "id", people);
    q.fetch_all(
        &format!("SELECT id, phone_enc FROM people WHERE {cond} AND phone_enc IS NOT NULL"),
        a,
    )
    .await
}

/// A unit's label parts (building name, unit number) and its owners.
pub(crate) async fn unit_owners(
    q: &mut impl Writes,
    unit: UnitId,
) -> CoreResult<Option<(String, Vec<PersonId>)>> {
    let label: Vec<(String, String)> = q
        .fetch_all(
            "SELECT b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
             WHERE u.id = $1",
            args![unit],
        )
        .await?;
    let Some((building, no)) = label.into_iter().next() else {
        return Ok(None);
    };
    let owners: Vec<(PersonId,)> = q
        .fetch_all(
            "SELECT person_id FROM unit_people WHERE unit_id = $1 AND relation = 'owner'",
            args![unit],
        )
        .await?;
    Ok(Some((
        format!("{building}-{no}"),
        owners.into_iter().map(|(p,)| p).collect(),
    )))
}
