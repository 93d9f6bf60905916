//! What the registry reads of accounts (a vacant unit's keeper, the users of a community), so
//! that the registry's own SQL never queries the account tables by itself.

use crate::args;
use crate::db::Db;
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId};

/// True when `user` can keep a vacant unit of `community`: active staff of the company whose
/// role reads the registry and reaches that community (not an owner or committee member: their
/// roles read nothing of the registry).
pub(crate) async fn is_keeper_candidate(
    db: &Db,
    user: i64,
    company: CompanyId,
    community: CommunityId,
) -> CoreResult<bool> {
    let ok: Option<(i64,)> = db
        .read()
        .fetch_optional(
            "SELECT u.id FROM users u JOIN roles r ON r.code = u.role WHERE u.id = $1 AND u.company_id = $2 \
             AND u.active = $3 AND r.permissions LIKE $4 AND (r.all_communities = $3 OR EXISTS \
             (SELECT 1 FROM user_communities uc WHERE uc.user_id = u.id AND uc.community_id = $5))",
            args![user, company, true, "%registry.read%", community],
        )
        .await?;
    Ok(ok.is_some())
}

/// The active staff who may keep a vacant unit of the community (those
/// [`is_keeper_candidate`] accepts), by name: (id, display name).
pub(crate) async fn keeper_candidates(
    db: &Db,
    company: CompanyId,
    community: CommunityId,
) -> CoreResult<Vec<(i64, String)>> {
    db.read()
        .fetch_all(
            "SELECT u.id, u.display_name FROM users u JOIN roles r ON r.code = u.role \
             WHERE u.company_id = $1 AND u.active = $2 AND r.permissions LIKE $3 \
             AND (r.all_communities = $2 OR EXISTS (SELECT 1 FROM user_communities uc \
             WHERE uc.user_id = u.id AND uc.community_id = $4)) ORDER BY u.display_name, u.id",
            args![company, true, "%registry.read%", community],
        )
        .await
}
