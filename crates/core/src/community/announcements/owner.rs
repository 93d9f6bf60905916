//! Notices as an owner sees them in the portal: those showing now in his community, for
//! everyone or for a building he lives in, with which he has read; opening one marks it read.

use chrono::Utc;

use super::model;
use super::service::{Announcement, expand};
use crate::Core;
use crate::community::store::announcements as store;
use crate::registry::store::for_community as registry;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

/// The owner's community and the buildings he lives in.
async fn owner(core: &Core, ctx: &Ctx) -> CoreResult<(CommunityId, Vec<i64>)> {
    let me = crate::portal::profile(core, ctx).await?;
    let his = registry::buildings_of_person(&mut core.db.read(), me.community_id, me.person_id)
        .await?
        .into_iter()
        .map(|b| b.0)
        .collect();
    Ok((me.community_id, his))
}

/// The notices showing for the owner now, pinned first then newest, each marked read or not.
pub async fn my_announcements(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Announcement>> {
    let (c, his) = owner(core, ctx).await?;
    let now = Utc::now();
    let mut q = core.db.read();
    let rows = store::live(&mut q, c, now, 200).await?;
    let ids: Vec<AnnouncementId> = rows.iter().map(|r| r.id).collect();
    let read = store::read_by(&mut q, c, ctx.user_id, &ids).await?;
    let all = expand(&mut q, c, &rows, &read, now).await?;
    Ok(all
        .into_iter()
        .filter(|a| {
            let bs: Vec<i64> = a.building_ids.iter().map(|b| b.0).collect();
            model::reaches(a.scope, &bs, &his)
        })
        .collect())
}

/// One notice showing for the owner; the first opening marks it read.
pub async fn my_announcement(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
) -> CoreResult<Announcement> {
    let (c, his) = owner(core, ctx).await?;
    let now = Utc::now();
    let mut q = core.db.read();
    let row = store::get(&mut q, id)
        .await?
        .filter(|r| r.community_id == c)
        .ok_or(CoreError::NotFound("announcement"))?;
    let mut v = expand(&mut q, c, &[row], &[id], now).await?;
    let a = v.pop().ok_or(CoreError::NotFound("announcement"))?;
    let bs: Vec<i64> = a.building_ids.iter().map(|b| b.0).collect();
    let showing = a.status == super::model::NoticeStatus::Live;
    if !showing || !model::reaches(a.scope, &bs, &his) {
        return Err(CoreError::NotFound("announcement"));
    }
    drop(q);
    let mut tx = core.db.begin().await?;
    store::mark_read(&mut tx, c, id, ctx.user_id, now).await?;
    tx.commit().await?;
    Ok(a)
}

/// How many notices showing for the owner he has not read (the portal's badge).
pub async fn my_unread_announcements(core: &Core, ctx: &Ctx) -> CoreResult<i64> {
    Ok(my_announcements(core, ctx)
        .await?
        .iter()
        .filter(|a| !a.read)
        .count() as i64)
}
