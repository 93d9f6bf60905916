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
