//! Use cases of the registry, one file per entity. Each write: authorize with `Ctx`, validate
//! the whole input (every bad field reported at once), run in one transaction, record the audit
//! entry in it. The SQL is in `store`; nothing here names a table.

mod buildings;
mod communities;
mod inspections;
mod parking;
mod people;
mod search;
mod units;

pub use buildings::*;
pub use communities::*;
pub use inspections::*;
pub use parking::*;
pub use people::*;
pub use search::*;
pub use units::*;

use crate::Core;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::store;

// ---------------------------------------------------------------------------------------------
// Scope

/// The communities the actor reaches, in id order.
pub async fn reachable_communities(core: &Core, ctx: &Ctx) -> CoreResult<Vec<CommunityId>> {
    match ctx.community_ids() {
        Some(ids) => Ok(ids),
        None => store::communities::ids_of_company(&core.db, ctx.company_id).await,
    }
}

/// A community out of the actor's reach is not found, like one that does not exist.
fn reach(ctx: &Ctx, c: CommunityId, entity: &'static str) -> CoreResult<()> {
    if ctx.reaches(c) {
        Ok(())
    } else {
        Err(CoreError::NotFound(entity))
    }
}

/// The communities a list covers: the one asked for (in reach), or all the actor reaches.
async fn scope(
    core: &Core,
    ctx: &Ctx,
    community: Option<CommunityId>,
) -> CoreResult<Vec<CommunityId>> {
    match community {
        Some(c) => {
            reach(ctx, c, "community")?;
            Ok(vec![c])
        }
        None => reachable_communities(core, ctx).await,
    }
}
