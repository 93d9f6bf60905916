//! Attachments of notices (images and PDF): the type is read from the file's first bytes, the
//! size capped, and the file written under the data directory before its row commits — a file
//! whose row failed is removed. A company-wide notice's attachment goes to every copy.

use std::path::PathBuf;

use chrono::Utc;

use super::model::StoredState;
use super::service::{Attachment, managed};
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::error::CommunityCode;
use crate::community::store::announcements as store;
use crate::shared::crypto::random_bytes;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

/// Largest attachment accepted.
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Attachments one notice may carry.
pub const MAX_ATTACHMENTS: i64 = 10;

/// The type of an attachment from its first bytes: (content type, extension).
pub fn sniff_attachment(b: &[u8]) -> Option<(&'static str, &'static str)> {
    if b.starts_with(b"%PDF-") {
        return Some(("application/pdf", "pdf"));
    }
    crate::tickets::photos::sniff_image(b)
}

fn dir_of(core: &Core, c: CommunityId, id: AnnouncementId) -> PathBuf {
    core.settings
        .files_dir
        .join("announcements")
        .join(c.to_string())
        .join(id.to_string())
}

pub(super) async fn remove_dir(core: &Core, c: CommunityId, id: AnnouncementId) {
    let _ = tokio::fs::remove_dir_all(dir_of(core, c, id)).await;
}

/// A name fit to show and to offer as the download's name: the last path part, no control
/// characters, at most 100 characters.
fn clean_name(name: &str, ext: &str) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let s: String = base
        .chars()
        .filter(|c| !c.is_control() && !matches!(c, '"' | ';'))
        .take(100)
        .collect();
    if s.trim().is_empty() {
        format!("attachment.{ext}")
    } else {
        s.trim().to_string()
    }
}

/// Adds an attachment to a notice that is not withdrawn (to every copy of a company-wide one).
pub async fn add_attachment(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
    name: &str,
    bytes: &[u8],
) -> CoreResult<Attachment> {
    if bytes.is_empty() {
        return Err(CoreError::invalid("file", CommonCode::Required));
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", CommonCode::FileTooLarge).with("max", "10 MB"),
        ]));
    }
    let Some((content_type, ext)) = sniff_attachment(bytes) else {
        return Err(CoreError::invalid("file", CommunityCode::NotAnAttachment));
    };
    let original = clean_name(name, ext);
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    super::service::may_change(&mut tx, ctx, &r).await?;
    if r.state == StoredState::Withdrawn.code() {
        return Err(CoreError::conflict(
            "state",
            CommunityCode::NoticeNotPublished,
        ));
    }
    if store::file_count(&mut tx, r.community_id, id).await? >= MAX_ATTACHMENTS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", CommunityCode::TooManyAttachments).with("max", MAX_ATTACHMENTS),
        ]));
    }
    let copies = store::copies(&mut tx, &r).await?;
    let file_name = format!("{}.{ext}", hex::encode(random_bytes::<12>()));
    let mut written = Vec::new();
    let saved = async {
        let now = Utc::now();
        let mut mine = 0;
        for copy in &copies {
            let path = dir_of(core, copy.community_id, copy.id).join(&file_name);
            let (p, data) = (path.clone(), bytes.to_vec());
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(p.parent().unwrap_or(std::path::Path::new(".")))?;
                std::fs::write(&p, data)
            })
            .await
            .map_err(CoreError::internal)?
            .map_err(CoreError::internal)?;
            written.push(path);
            let fid = store::insert_file(
                &mut tx,
                &store::NewFile {
                    community: copy.community_id,
                    notice: copy.id,
                    file_name: &file_name,
                    original_name: &original,
                    content_type,
                    size: bytes.len() as i64,
                    by: ctx.actor(),
                    at: now,
                },
            )
            .await?;
            if copy.id == id {
                mine = fid;
            }
        }
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Create, "announcement_file", mine)
                .community(r.community_id)
                .after(&serde_json::json!({"announcement": id, "name": &original, "size": bytes.len()})),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(mine)
    }
    .await;
    match saved {
        Ok(fid) => Ok(Attachment {
            id: fid,
            name: original,
            content_type: content_type.into(),
            size_bytes: bytes.len() as i64,
        }),
        Err(e) => {
            for p in written {
                let _ = tokio::fs::remove_file(p).await;
            }
            Err(e)
        }
    }
}

/// Removes an attachment of a draft (staff).
pub async fn delete_attachment(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
    file: i64,
) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if r.state != StoredState::Draft.code() {
        return Err(CoreError::conflict("state", CommunityCode::NoticeNotDraft));
    }
    super::service::may_change(&mut tx, ctx, &r).await?;
    let name = store::delete_file(&mut tx, r.community_id, id, file)
        .await?
        .ok_or(CoreError::NotFound("attachment"))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "announcement_file", file)
            .community(r.community_id)
            .before(&serde_json::json!({"announcement": id})),
    )
    .await?;
    tx.commit().await?;
    let _ = tokio::fs::remove_file(dir_of(core, r.community_id, id).join(name)).await;
    Ok(())
}

/// An attachment's name, type and bytes, for the staff who manage the notice or an owner it
/// shows for.
pub async fn attachment_file(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
    file: i64,
) -> CoreResult<(String, String, Vec<u8>)> {
    let c = if ctx.role == crate::auth::OWNER_ROLE {
        super::owner::my_announcement(core, ctx, id)
            .await?
            .community_id
    } else {
        managed(&mut core.db.read(), ctx, id).await?.community_id
    };
    let row = store::files_of(&mut core.db.read(), c, &[id])
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(CoreError::NotFound("attachment"))?;
    let bytes = tokio::fs::read(dir_of(core, c, id).join(&row.file_name))
        .await
        .map_err(|_| CoreError::NotFound("attachment"))?;
    Ok((row.original_name, row.content_type, bytes))
}
