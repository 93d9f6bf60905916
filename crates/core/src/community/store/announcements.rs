//! SQL of notices: the notices themselves, the buildings each is for, their attachments and
//! who read them.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const COLS: &str = "id, community_id, series_id, scope, category, title, body, pinned, state, \
                    publish_at, expires_at, notified_at, created_by, created_at, published_by, updated_at";

crate::row! {
    /// A notice as stored.
    #[derive(Clone)]
    pub(crate) struct NoticeRow {
        pub id: AnnouncementId,
        pub community_id: CommunityId,
        pub series_id: Option<AnnouncementId>,
        pub scope: String,
        pub category: String,
        pub title: String,
        pub body: String,
        pub pinned: bool,
        pub state: String,
        pub publish_at: Option<DateTime<Utc>>,
        pub expires_at: Option<DateTime<Utc>>,
        pub notified_at: Option<DateTime<Utc>>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub published_by: Option<UserId>,
        pub updated_at: DateTime<Utc>,
    }
}

/// What is written of a notice when it is created or edited.
pub(crate) struct NoticeText<'a> {
    pub scope: &'a str,
    pub category: &'a str,
    pub title: &'a str,
    pub body: &'a str,
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    series: Option<AnnouncementId>,
    t: &NoticeText<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<AnnouncementId> {
    let id = tx
        .insert_id(
            "INSERT INTO announcements (community_id, series_id, scope, category, title, body, \
             pinned, state, expires_at, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'draft', $8, $9, $10, $10) RETURNING id",
            args![
                c,
                series,
                t.scope,
                t.category,
                t.title,
                t.body,
                t.pinned,
                t.expires_at,
                by,
                now
            ],
        )
        .await?;
    Ok(AnnouncementId(id))
}

/// Makes the first copy of a company-wide notice the head of its series.
pub(crate) async fn set_series(tx: &mut Tx, id: AnnouncementId) -> CoreResult<()> {
    tx.execute(
        "UPDATE announcements SET series_id = $1 WHERE id = $1",
        args![id],
    )
    .await?;
    Ok(())
}

pub(crate) async fn update_text(
    tx: &mut Tx,
    id: AnnouncementId,
    t: &NoticeText<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE announcements SET category = $2, title = $3, body = $4, pinned = $5, \
         expires_at = $6, updated_at = $7 WHERE id = $1 AND state = 'draft'",
        args![id, t.category, t.title, t.body, t.pinned, t.expires_at, now],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: AnnouncementId) -> CoreResult<Option<NoticeRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM announcements WHERE id = $1"),
        args![id],
    )
    .await
}

/// The copies of a company-wide notice (the notice alone when it has none).
pub(crate) async fn copies(tx: &mut Tx, n: &NoticeRow) -> CoreResult<Vec<NoticeRow>> {
    match n.series_id {
        Some(s) => {
            tx.fetch_all(
                &format!("SELECT {COLS} FROM announcements WHERE series_id = $1 ORDER BY id"),
                args![s],
            )
            .await
        }
        None => Ok(vec![n.clone()]),
    }
}

/// A community's notices, pinned first then newest; `state` filters on what is stored.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    category: Option<&str>,
) -> CoreResult<Vec<NoticeRow>> {
    let mut a = args![c];
    let mut cond = String::new();
    if let Some(s) = state {
        cond.push_str(&format!(" AND state = {}", a.push(s)));
    }
    if let Some(k) = category {
        cond.push_str(&format!(" AND category = {}", a.push(k)));
    }
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM announcements WHERE community_id = $1{cond} \
             ORDER BY COALESCE(publish_at, created_at) DESC, id DESC LIMIT 500"
        ),
        a,
    )
    .await
}

/// The notices showing in a community at `now`, pinned first then newest.
pub(crate) async fn live(
    q: &mut impl Queries,
    c: CommunityId,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<NoticeRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM announcements WHERE community_id = $1 AND state = 'published' \
             AND publish_at <= $2 AND (expires_at IS NULL OR expires_at > $2) \
             ORDER BY pinned DESC, publish_at DESC, id DESC LIMIT $3"
        ),
        args![c, now, limit],
    )
    .await
}

pub(crate) async fn publish(
    tx: &mut Tx,
    id: AnnouncementId,
    at: DateTime<Utc>,
    notified: Option<DateTime<Utc>>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE announcements SET state = 'published', publish_at = $2, notified_at = $3, \
         published_by = $4, updated_at = $5 WHERE id = $1 AND state = 'draft'",
        args![id, at, notified, by, now],
    )
    .await
}

pub(crate) async fn withdraw(
    tx: &mut Tx,
    id: AnnouncementId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE announcements SET state = 'withdrawn', updated_at = $2 \
         WHERE id = $1 AND state = 'published'",
        args![id, now],
    )
    .await
}

pub(crate) async fn delete(tx: &mut Tx, id: AnnouncementId) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM announcements WHERE id = $1 AND state = 'draft'",
        args![id],
    )
    .await
}

/// Published notices whose time came and whose notifications are not written yet (the
/// scheduler's queue, oldest first).
pub(crate) async fn due(
    q: &mut impl Queries,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<NoticeRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM announcements WHERE state = 'published' AND notified_at IS NULL \
             AND publish_at <= $1 ORDER BY publish_at, id LIMIT $2"
        ),
        args![now, limit],
    )
    .await
}

/// Claims a due notice's notifications: only one node's claim changes the row.
pub(crate) async fn claim_notified(
    tx: &mut Tx,
    id: AnnouncementId,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    Ok(tx
        .execute(
            "UPDATE announcements SET notified_at = $2 WHERE id = $1 AND state = 'published' \
             AND notified_at IS NULL",
            args![id, now],
        )
        .await?
        == 1)
}

// ---------------------------------------------------------------------------------------------
// The buildings of a notice

pub(crate) async fn set_buildings(
    tx: &mut Tx,
    c: CommunityId,
    id: AnnouncementId,
    buildings: &[BuildingId],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM announcement_buildings WHERE community_id = $1 AND announcement_id = $2",
        args![c, id],
    )
    .await?;
    for b in buildings {
        tx.execute(
            "INSERT INTO announcement_buildings (community_id, announcement_id, building_id) \
             VALUES ($1, $2, $3)",
            args![c, id, *b],
        )
        .await?;
    }
    Ok(())
}

/// The buildings of each of these notices: (notice, building).
pub(crate) async fn buildings_of(
    q: &mut impl Queries,
    c: CommunityId,
    ids: &[AnnouncementId],
) -> CoreResult<Vec<(AnnouncementId, BuildingId)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = in_list(&mut a, "announcement_id", ids);
    q.fetch_all(
        &format!(
            "SELECT announcement_id, building_id FROM announcement_buildings \
             WHERE community_id = $1 AND {cond} ORDER BY announcement_id, building_id"
        ),
        a,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Readers

/// Records a reader's first reading (a second changes nothing).
pub(crate) async fn mark_read(
    tx: &mut Tx,
    c: CommunityId,
    id: AnnouncementId,
    user: UserId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO announcement_reads (community_id, announcement_id, user_id, read_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (community_id, announcement_id, user_id) DO NOTHING",
        args![c, id, user, now],
    )
    .await?;
    Ok(())
}

/// Which of these notices the user has read.
pub(crate) async fn read_by(
    q: &mut impl Queries,
    c: CommunityId,
    user: UserId,
    ids: &[AnnouncementId],
) -> CoreResult<Vec<AnnouncementId>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c, user];
    let cond = in_list(&mut a, "announcement_id", ids);
    let rows: Vec<(AnnouncementId,)> = q
        .fetch_all(
            &format!(
                "SELECT announcement_id FROM announcement_reads WHERE community_id = $1 \
                 AND user_id = $2 AND {cond}"
            ),
            a,
        )
        .await?;
    Ok(rows.into_iter().map(|(i,)| i).collect())
}

/// Everyone who read a notice.
pub(crate) async fn readers(
    q: &mut impl Queries,
    c: CommunityId,
    id: AnnouncementId,
) -> CoreResult<Vec<UserId>> {
    let rows: Vec<(UserId,)> = q
        .fetch_all(
            "SELECT user_id FROM announcement_reads WHERE community_id = $1 AND announcement_id = $2",
            args![c, id],
        )
        .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

// ---------------------------------------------------------------------------------------------
// Attachments

crate::row! {
    /// An attachment of a notice.
    pub(crate) struct FileRow {
        pub id: i64,
        pub announcement_id: AnnouncementId,
        pub file_name: String,
        pub original_name: String,
        pub content_type: String,
        pub size_bytes: i64,
    }
}

pub(crate) struct NewFile<'a> {
    pub community: CommunityId,
    pub notice: AnnouncementId,
    pub file_name: &'a str,
    pub original_name: &'a str,
    pub content_type: &'a str,
    pub size: i64,
    pub by: Option<UserId>,
    pub at: DateTime<Utc>,
}

pub(crate) async fn insert_file(tx: &mut Tx, f: &NewFile<'_>) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO announcement_files (community_id, announcement_id, file_name, original_name, \
         content_type, size_bytes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         RETURNING id",
        args![
            f.community,
            f.notice,
            f.file_name,
            f.original_name,
            f.content_type,
            f.size,
            f.by,
            f.at
        ],
    )
    .await
}

pub(crate) async fn files_of(
    q: &mut impl Queries,
    c: CommunityId,
    ids: &[AnnouncementId],
) -> CoreResult<Vec<FileRow>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = in_list(&mut a, "announcement_id", ids);
    q.fetch_all(
        &format!(
            "SELECT id, announcement_id, file_name, original_name, content_type, size_bytes \
             FROM announcement_files WHERE community_id = $1 AND {cond} \
             ORDER BY announcement_id, id"
        ),
        a,
    )
    .await
}

pub(crate) async fn delete_file(
    tx: &mut Tx,
    c: CommunityId,
    id: AnnouncementId,
    file: i64,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = tx
        .fetch_optional(
            "DELETE FROM announcement_files WHERE community_id = $1 AND announcement_id = $2 \
             AND id = $3 RETURNING file_name",
            args![c, id, file],
        )
        .await?;
    Ok(row.map(|(f,)| f))
}

/// How many files each notice of a series carries is counted on the copy at hand.
pub(crate) async fn file_count(tx: &mut Tx, c: CommunityId, id: AnnouncementId) -> CoreResult<i64> {
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM announcement_files WHERE community_id = $1 AND announcement_id = $2",
            args![c, id],
        )
        .await?;
    Ok(n)
}
