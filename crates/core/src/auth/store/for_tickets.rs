//! What service requests read of accounts: the users of a community who hold a permission (the
//! technicians a request may go to, the managers an escalation reaches).

use crate::args;
use crate::db::{Args, Db, Queries};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Active users of a community whose role has `perm` (assigned to it, or reaching every
/// community of the company when `include_all_communities`), by id.
pub async fn users_with_perm(
    tx: &mut impl Queries,
    company: CompanyId,
    community: CommunityId,
    perm: &str,
    include_all_communities: bool,
) -> CoreResult<Vec<(UserId, String)>> {
    let mut a = args![company, community, format!("%{perm}%"), true];
    let all = if include_all_communities {
        format!(" OR r.all_communities = {}", a.push(true))
    } else {
        String::new()
    };
    tx.fetch_all(
        &format!(
            "SELECT u.id, u.display_name FROM users u JOIN roles r ON r.code = u.role \
             WHERE u.company_id = $1 AND r.permissions LIKE $3 AND u.active = $4 \
             AND (u.id IN (SELECT user_id FROM user_communities WHERE community_id = $2){all}) \
             ORDER BY u.id"
        ),
        a,
    )
    .await
}

/// A user's display name (the user exists: `NotFound` otherwise).
pub async fn display_name(tx: &mut impl Queries, user: UserId) -> CoreResult<String> {
    let (n,): (String,) = tx
        .fetch_one("SELECT display_name FROM users WHERE id = $1", args![user])
        .await?;
    Ok(n)
}

/// The display names of users by id (unknown ids are left out).
pub async fn display_names(db: &Db, ids: &[i64]) -> CoreResult<Vec<(i64, String)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let cond = crate::db::in_list(&mut a, "id", ids);
    db.read()
        .fetch_all(
            &format!("SELECT id, display_name FROM users WHERE {cond}"),
            a,
        )
        .await
}

/// Every company's id (seeding each one's defaults at start).
pub async fn companies(db: &Db) -> CoreResult<Vec<CompanyId>> {
    let rows: Vec<(CompanyId,)> = db
        .read()
        .fetch_all("SELECT id FROM companies", args![])
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
