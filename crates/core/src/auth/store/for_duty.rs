//! What rosters, handovers and incidents read of accounts: the staff of a community (everyone
//! but owners, assigned to it or reaching every community), and those of some roles (whom an
//! incident's escalation level tells).

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The active staff of a community: (id, display name, role code), by name.
pub(crate) async fn staff_of(
    q: &mut impl Queries,
    company: CompanyId,
    community: CommunityId,
) -> CoreResult<Vec<(UserId, String, String)>> {
    q.fetch_all(
        "SELECT u.id, u.display_name, u.role FROM users u JOIN roles r ON r.code = u.role \
         WHERE u.company_id = $1 AND u.active = $2 AND u.role <> $3 \
         AND (r.all_communities = $2 OR EXISTS (SELECT 1 FROM user_communities uc \
         WHERE uc.user_id = u.id AND uc.community_id = $4)) ORDER BY u.display_name, u.id",
        args![company, true, super::super::model::OWNER_ROLE, community],
    )
    .await
}
