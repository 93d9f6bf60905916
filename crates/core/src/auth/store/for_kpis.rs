//! What staff KPIs read of accounts: the active staff of some communities with their role.

use crate::args;
use crate::db::{Queries, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// A staff member as the KPIs list him.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct StaffRow {
    pub id: UserId,
    pub display_name: String,
    pub role: String,
    pub role_name: String,
}

/// The company's active users assigned to any of the communities (owners and the owners'
/// committee are not staff), by name.
pub(crate) async fn staff(
    q: &mut impl Queries,
    company: CompanyId,
    communities: &[CommunityId],
) -> CoreResult<Vec<StaffRow>> {
    let mut a = args![company, true];
    let w = in_list(&mut a, "uc.community_id", communities);
    q.fetch_all(
        &format!(
            "SELECT u.id, u.display_name, u.role, r.name_zh AS role_name FROM users u \
             JOIN roles r ON r.code = u.role WHERE u.company_id = $1 AND u.active = $2 \
             AND u.role NOT IN ('owner', 'committee') AND EXISTS (SELECT 1 FROM user_communities uc \
             WHERE uc.user_id = u.id AND {w}) ORDER BY u.display_name, u.id"
        ),
        a,
    )
    .await
}
