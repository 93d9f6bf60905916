//! The community's side of the service centre (社区, SPEC §7): notices to owners (公告) and the
//! public board each community keeps (三公开公示栏). Notices reach owners in the portal and,
//! through `notify`, on their phones; an emergency (停水停电) goes out at once, quiet hours or not.

pub mod activities;
pub mod announcements;
pub mod board;
pub mod error;
pub(crate) mod store;

use crate::db::Queries;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::CommunityId;

/// The community's name, if the actor may publish in it (notices, the board, activities): he
/// reaches it, holds `announcements.manage`, and it is his company's.
pub(crate) async fn community_of(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<String> {
    ctx.require_in(Perm::AnnouncementsManage, c)?;
    crate::registry::store::for_community::community(q, c, ctx.company_id)
        .await?
        .map(|(name, _)| name)
        .ok_or(CoreError::NotFound("community"))
}
