//! What accounts read of the registry: which communities of the company exist (a user's
//! assignments, a role that reaches all of them), and whether any personal data is stored
//! encrypted (the key check at start-up).

use crate::args;
use crate::db::{Args, Db, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId};

/// A person's encrypted phone and ID number.
pub(crate) type EncryptedPair = (Option<Vec<u8>>, Option<Vec<u8>>);

/// Every community of the company (a role that reaches all of them).
pub(crate) async fn company_communities(
    db: &Db,
    company: CompanyId,
) -> CoreResult<Vec<CommunityId>> {
    super::communities::ids_of_company(db, company).await
}

/// Community ids among `ids` that exist in the company.
pub(crate) async fn existing_communities(
    db: &Db,
    company: CompanyId,
    ids: &[CommunityId],
) -> CoreResult<Vec<CommunityId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let company_ph = a.push(company);
    let ids = in_list(&mut a, "id", ids);
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            &format!("SELECT id FROM communities WHERE company_id = {company_ph} AND {ids}"),
            a,
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Whether any personal data is stored encrypted.
pub(crate) async fn has_encrypted_data(db: &Db) -> CoreResult<bool> {
    let row: Option<(i64,)> = db
        .read()
        .fetch_optional(
            "SELECT id FROM people WHERE phone_enc IS NOT NULL OR id_no_enc IS NOT NULL LIMIT 1",
            args![],
        )
        .await?;
    Ok(row.is_some())
}

/// The encrypted values of one person who has any.
pub(crate) async fn encrypted_sample(db: &Db) -> CoreResult<Option<EncryptedPair>> {
    db.read()
        .fetch_optional(
            "SELECT phone_enc, id_no_enc FROM people WHERE phone_enc IS NOT NULL OR id_no_enc IS NOT NULL LIMIT 1",
            args![],
        )
        .await
}
