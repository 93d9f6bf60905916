//! The use cases of the front desk, one file per capability ([`keys`] and [`loans`] so far), and what they
//! share: who may work the desk of a community, its staff's names, its time zone.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

use crate::db::Queries;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Ctx, Perm};

pub mod intake;
pub mod keys;
pub mod lending;
pub mod loans;
pub mod parcels;
pub mod passes;
pub mod releases;
pub mod visitors;

/// The desk's daily work in the community (`frontdesk.work`); an unreachable community is not
/// found.
pub(crate) fn require_desk(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    ctx.require_in(Perm::FrontdeskWork, c)
}

/// The desk's settings in the community (`frontdesk.manage`).
pub(crate) fn require_manage(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    ctx.require_in(Perm::FrontdeskManage, c)
}

/// The community's staff: id → display name.
pub(crate) async fn staff_names(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<HashMap<UserId, String>> {
    Ok(crate::auth::store::for_duty::staff_of(q, ctx.company_id, c)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The community's time zone (an authorisation's last day is a local day).
pub(crate) async fn tz_of(q: &mut impl Queries, ctx: &Ctx, c: CommunityId) -> CoreResult<Tz> {
    let tz = crate::registry::store::for_tickets::community_timezone(q, c, ctx.company_id)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    Ok(crate::shared::calendar::zone(&tz))
}

pub(crate) fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}
