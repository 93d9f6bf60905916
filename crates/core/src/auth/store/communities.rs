//! SQL of community assignments: which communities a user works in. The two reads of the
//! registry's `communities` table (a company's communities; which of some ids exist) stay here
//! until the registry's store offers them to accounts (there is no `registry/store/for_auth.rs`
//! yet); they resolve a user's scope and validate an assignment, both rules of accounts.

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId, UserId};

pub(crate) async fn user_communities(db: &Db, user: UserId) -> CoreResult<Vec<CommunityId>> {
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            "SELECT community_id FROM user_communities WHERE user_id = $1 ORDER BY community_id",
            args![user],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Every assignment of the company's users, by community: (user, community).
pub(crate) async fn company_links(
    db: &Db,
    company: CompanyId,
) -> CoreResult<Vec<(UserId, CommunityId)>> {
    db.read()
        .fetch_all(
            "SELECT uc.user_id, uc.community_id FROM user_communities uc JOIN users u ON u.id = uc.user_id \
             WHERE u.company_id = $1 ORDER BY uc.community_id",
            args![company],
        )
        .await
}

/// Replaces the user's assignments.
pub(crate) async fn set_communities(
    tx: &mut Tx,
    user: UserId,
    communities: &[CommunityId],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM user_communities WHERE user_id = $1",
        args![user],
    )
    .await?;
    for c in communities {
        add_community(tx, user, *c).await?;
    }
    Ok(())
}

async fn add_community(tx: &mut Tx, user: UserId, community: CommunityId) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO user_communities (user_id, community_id) VALUES ($1, $2)",
        args![user, community],
    )
    .await?;
    Ok(())
}
