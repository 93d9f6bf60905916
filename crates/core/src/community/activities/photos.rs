//! Photos of an activity (活动图片): images only, read from their first bytes, written under the
//! data directory before their row commits (a file whose row failed is removed).

use std::path::PathBuf;

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::model::ActivityState;
use super::service::managed;
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::error::CommunityCode;
use crate::community::store::activities as store;
use crate::shared::crypto::random_bytes;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

pub const MAX_ACTIVITY_PHOTO_BYTES: usize = 8 * 1024 * 1024;
pub const MAX_ACTIVITY_PHOTOS: i64 = 30;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivityPhoto {
    pub id: i64,
    pub content_type: String,
}

fn dir_of(core: &Core, c: CommunityId, id: ActivityId) -> PathBuf {
    core.settings
        .files_dir
        .join("activities")
        .join(c.to_string())
        .join(id.to_string())
}

/// Adds a photo to an activity that is open or done.
pub async fn add_activity_photo(
    core: &Core,
    ctx: &Ctx,
    id: ActivityId,
    bytes: &[u8],
) -> CoreResult<ActivityPhoto> {
    if bytes.is_empty() {
        return Err(CoreError::invalid("photo", CommonCode::Required));
    }
    if bytes.len() > MAX_ACTIVITY_PHOTO_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "8 MB"),
        ]));
    }
    let Some((content_type, ext)) = crate::tickets::photos::sniff_image(bytes) else {
        return Err(CoreError::invalid("photo", CommunityCode::NotAPhoto));
    };
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if !matches!(
        ActivityState::decode(&r.state),
        Some(ActivityState::Open | ActivityState::Done)
    ) {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    if store::photo_count(&mut tx, r.community_id, id).await? >= MAX_ACTIVITY_PHOTOS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommunityCode::TooManyAttachments)
                .with("max", MAX_ACTIVITY_PHOTOS),
        ]));
    }
    let name = format!("{}.{ext}", hex::encode(random_bytes::<12>()));
    let path = dir_of(core, r.community_id, id).join(&name);
    let (p, data) = (path.clone(), bytes.to_vec());
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(p.parent().unwrap_or(std::path::Path::new(".")))?;
        std::fs::write(&p, data)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(CoreError::internal)?;
    let saved = async {
        let pid = store::insert_photo(
            &mut tx,
            r.community_id,
            id,
            (&name, content_type, bytes.len() as i64),
            ctx.actor(),
            Utc::now(),
        )
        .await?;
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Create, "activity_photo", pid)
                .community(r.community_id)
                .after(&serde_json::json!({"activity": id, "size": bytes.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(pid)
    }
    .await;
    match saved {
        Ok(pid) => Ok(ActivityPhoto {
            id: pid,
            content_type: content_type.into(),
        }),
        Err(e) => {
            let _ = tokio::fs::remove_file(&path).await;
            Err(e)
        }
    }
}

pub async fn list_activity_photos(
    core: &Core,
    ctx: &Ctx,
    id: ActivityId,
) -> CoreResult<Vec<ActivityPhoto>> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    Ok(store::photos(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .map(|(pid, _, ct)| ActivityPhoto {
            id: pid,
            content_type: ct,
        })
        .collect())
}

/// A photo's type and bytes, for the staff who run the activity.
pub async fn activity_photo_file(
    core: &Core,
    ctx: &Ctx,
    id: ActivityId,
    photo: i64,
) -> CoreResult<(String, Vec<u8>)> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    let (_, name, ct) = store::photos(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .find(|(pid, _, _)| *pid == photo)
        .ok_or(CoreError::NotFound("photo"))?;
    let bytes = tokio::fs::read(dir_of(core, r.community_id, id).join(name))
        .await
        .map_err(|_| CoreError::NotFound("photo"))?;
    Ok((ct, bytes))
}
