//! Photos of a request: what the reporter saw, and the finished work. The type is read from the
//! file's first bytes (JPEG, PNG or WebP; a name or a declared type proves nothing), the size is
//! capped, and the file is written under the data directory before its row is committed — a
//! file whose row failed is removed, so nothing is left half-written.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::crypto::random_bytes;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

use super::error::TicketCode;
use super::model::{Request, RequestState};
use super::store;

/// Largest photo accepted.
pub const MAX_PHOTO_BYTES: usize = 5 * 1024 * 1024;
/// Photos one request may carry.
pub const MAX_PHOTOS: i64 = 18;

/// The image type of a file from its first bytes: (content type, extension).
pub fn sniff_image(b: &[u8]) -> Option<(&'static str, &'static str)> {
    if b.starts_with(&[0xFF, 0xD8, 0xFF]) {
        Some(("image/jpeg", "jpg"))
    } else if b.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]) {
        Some(("image/png", "png"))
    } else if b.len() >= 12 && &b[..4] == b"RIFF" && &b[8..12] == b"WEBP" {
        Some(("image/webp", "webp"))
    } else {
        None
    }
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Photo {
    pub id: i64,
    pub request_id: RequestId,
    /// `report` (what was reported) or `done` (the finished work).
    pub stage: String,
    pub content_type: String,
    pub size_bytes: i64,
    pub uploaded_by_name: String,
    pub created_at: DateTime<Utc>,
}

fn dir_of(core: &Core, r: &Request) -> PathBuf {
    core.settings
        .files_dir
        .join("requests")
        .join(r.community_id.to_string())
        .join(r.id.to_string())
}

/// The request, if the actor may see it: staff through the request rules, an owner through
/// his portal.
async fn visible(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Request> {
    if ctx.role == crate::auth::OWNER_ROLE {
        Ok(crate::portal::my_request(core, ctx, id).await?.0)
    } else {
        super::service::get_request(core, ctx, id).await
    }
}

/// Checks photos before the request they will go with is written (the registration form sends
/// both): each an image within the size, and not more than a request may carry.
pub fn check_photos(files: &[Vec<u8>]) -> CoreResult<()> {
    if files.len() as i64 > MAX_PHOTOS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", TicketCode::TooManyPhotos).with("max", MAX_PHOTOS),
        ]));
    }
    for f in files {
        if f.len() > MAX_PHOTO_BYTES {
            return Err(CoreError::Invalid(vec![
                FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
            ]));
        }
        if sniff_image(f).is_none() {
            return Err(CoreError::invalid("photo", TicketCode::NotAnImage));
        }
    }
    Ok(())
}

/// Adds a photo to a request the actor may see and that is still open. `stage` is `report` or
/// `done`.
pub async fn add_photo(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    stage: &str,
    bytes: &[u8],
) -> CoreResult<Photo> {
    let r = visible(core, ctx, id).await?;
    if !matches!(stage, "report" | "done") {
        return Err(CoreError::invalid("stage", TicketCode::UnknownPhotoStage));
    }
    if bytes.is_empty() {
        return Err(CoreError::invalid("photo", CommonCode::Required));
    }
    if bytes.len() > MAX_PHOTO_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]));
    }
    let Some((content_type, ext)) = sniff_image(bytes) else {
        return Err(CoreError::invalid("photo", TicketCode::NotAnImage));
    };
    if matches!(r.state, RequestState::Closed | RequestState::Cancelled) {
        return Err(CoreError::conflict("state", TicketCode::RequestClosed));
    }
    write_photo(core, ctx, &r, stage, bytes, content_type, ext).await
}

/// A photo of what was reported, for a request another module has just registered on the
/// actor's behalf (a patrol finding): the caller authorized; the image is checked here.
pub(crate) async fn attach_report_photo(
    core: &Core,
    ctx: &Ctx,
    r: &Request,
    bytes: &[u8],
) -> CoreResult<Photo> {
    check_photos(&[bytes.to_vec()])?;
    let (content_type, ext) =
        sniff_image(bytes).ok_or_else(|| CoreError::invalid("photo", TicketCode::NotAnImage))?;
    write_photo(core, ctx, r, "report", bytes, content_type, ext).await
}

/// Writes the file, then its row; the file goes again if the row fails.
async fn write_photo(
    core: &Core,
    ctx: &Ctx,
    r: &Request,
    stage: &str,
    bytes: &[u8],
    content_type: &'static str,
    ext: &'static str,
) -> CoreResult<Photo> {
    let id = r.id;
    let dir = dir_of(core, r);
    let name = format!("{}.{ext}", hex::encode(random_bytes::<12>()));
    let path = dir.join(&name);
    let data = bytes.to_vec();
    let p = path.clone();
    tokio::task::spawn_blocking(move || -> std::io::Result<()> {
        std::fs::create_dir_all(p.parent().unwrap_or(std::path::Path::new(".")))?;
        std::fs::write(&p, data)
    })
    .await
    .map_err(CoreError::internal)?
    .map_err(CoreError::internal)?;
    let saved = async {
        let mut tx = core.db.begin().await?;
        // Counted inside the transaction that adds the row.
        let count = store::photos::count(&mut tx, r.community_id, id).await?;
        if count >= MAX_PHOTOS {
            return Err(CoreError::Invalid(vec![
                FieldError::new("photo", TicketCode::TooManyPhotos).with("max", MAX_PHOTOS),
            ]));
        }
        let photo = store::photos::insert(
            &mut tx,
            store::photos::NewPhoto {
                community: r.community_id,
                request: id,
                stage,
                file_name: &name,
                content_type,
                size: bytes.len() as i64,
                by: ctx.user_id,
                at: Utc::now(),
            },
        )
        .await?;
        let pid = photo.id;
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Create, "request_photo", pid)
                .community(r.community_id)
                .after(&photo),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(photo)
    }
    .await;
    if saved.is_err() {
        let _ = tokio::fs::remove_file(&path).await;
    }
    saved
}

pub async fn list_photos(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Vec<Photo>> {
    let r = visible(core, ctx, id).await?;
    store::photos::of_request(&core.db, r.community_id, id).await
}

/// A photo's bytes and type, for whoever may see its request.
pub async fn photo_file(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    photo: i64,
) -> CoreResult<(String, Vec<u8>)> {
    let r = visible(core, ctx, id).await?;
    let row = store::photos::file_of(&core.db, r.community_id, id, photo).await?;
    let (name, content_type) = row.ok_or(CoreError::NotFound("photo"))?;
    let bytes = tokio::fs::read(dir_of(core, &r).join(name))
        .await
        .map_err(|_| CoreError::NotFound("photo"))?;
    Ok((content_type, bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_known_by_their_first_bytes() {
        assert_eq!(
            sniff_image(&[0xFF, 0xD8, 0xFF, 0xE0, 0]),
            Some(("image/jpeg", "jpg"))
        );
        assert_eq!(
            sniff_image(b"\x89PNG\r\n\x1a\n\0\0"),
            Some(("image/png", "png"))
        );
        assert_eq!(
            sniff_image(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(("image/webp", "webp"))
        );
        assert_eq!(sniff_image(b"%PDF-1.7"), None);
        assert_eq!(sniff_image(b"<svg xmlns="), None);
        assert_eq!(sniff_image(b""), None);
    }
}
