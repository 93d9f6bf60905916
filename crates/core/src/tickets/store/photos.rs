//! Photos of requests (`request_photos`): the rows; the files live under the data directory.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::photos::Photo;

const PHOTO_SELECT: &str = "SELECT p.id, p.request_id, p.stage, p.content_type, p.size_bytes, \
    u.display_name AS uploaded_by_name, p.created_at FROM request_photos p \
    JOIN users u ON u.id = p.uploaded_by";

/// Photos a request has (counted inside the transaction that adds one).
pub(in crate::tickets) async fn count(
    tx: &mut Tx,
    community: CommunityId,
    request: RequestId,
) -> CoreResult<i64> {
    let (count,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM request_photos WHERE community_id = $1 AND request_id = $2",
            args![community, request],
        )
        .await?;
    Ok(count)
}

/// A photo's row.
pub(in crate::tickets) struct NewPhoto<'a> {
    pub community: CommunityId,
    pub request: RequestId,
    pub stage: &'a str,
    pub file_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub by: UserId,
    pub at: DateTime<Utc>,
}

/// Adds a photo's row and reads it back.
pub(in crate::tickets) async fn insert(tx: &mut Tx, p: NewPhoto<'_>) -> CoreResult<Photo> {
    let pid = tx
        .insert_id(
            "INSERT INTO request_photos (community_id, request_id, stage, file_name, content_type, \
             size_bytes, uploaded_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![
                p.community,
                p.request,
                p.stage,
                p.file_name,
                p.content_type,
                p.size,
                p.by,
                p.at
            ],
        )
        .await?;
    tx.fetch_one(&format!("{PHOTO_SELECT} WHERE p.id = $1"), args![pid])
        .await
}

pub(in crate::tickets) async fn of_request(
    db: &Db,
    community: CommunityId,
    request: RequestId,
) -> CoreResult<Vec<Photo>> {
    db.read()
        .fetch_all(
            &format!(
                "{PHOTO_SELECT} WHERE p.community_id = $1 AND p.request_id = $2 ORDER BY p.id"
            ),
            args![community, request],
        )
        .await
}

/// A photo's file name and content type.
pub(in crate::tickets) async fn file_of(
    db: &Db,
    community: CommunityId,
    request: RequestId,
    photo: i64,
) -> CoreResult<Option<(String, String)>> {
    db.read()
        .fetch_optional(
            "SELECT file_name, content_type FROM request_photos WHERE community_id = $1 \
             AND request_id = $2 AND id = $3",
            args![community, request, photo],
        )
        .await
}
