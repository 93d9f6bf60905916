//! SQL of the public boards (`community_boards`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A board as stored; the lists are JSON.
    pub(crate) struct BoardRow {
        pub community_id: CommunityId,
        pub slug: String,
        pub services: String,
        pub contacts: String,
        pub complaint_phone: String,
        pub on_duty: String,
        pub note: String,
        pub updated_at: DateTime<Utc>,
    }
}

const COLS: &str =
    "community_id, slug, services, contacts, complaint_phone, on_duty, note, updated_at";

pub(crate) async fn of_community(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<BoardRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM community_boards WHERE community_id = $1"),
        args![c],
    )
    .await
}

pub(crate) async fn by_slug(q: &mut impl Queries, slug: &str) -> CoreResult<Option<BoardRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM community_boards WHERE slug = $1"),
        args![slug],
    )
    .await
}

/// Gives a community its empty board once (a second call changes nothing).
pub(crate) async fn create_empty(
    tx: &mut Tx,
    c: CommunityId,
    slug: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO community_boards (community_id, slug, services, contacts, complaint_phone, \
         on_duty, note, updated_at) VALUES ($1, $2, '[]', '[]', '', '[]', '', $3) \
         ON CONFLICT (community_id) DO NOTHING",
        args![c, slug, now],
    )
    .await?;
    Ok(())
}

pub(crate) struct BoardText<'a> {
    pub services: &'a str,
    pub contacts: &'a str,
    pub complaint_phone: &'a str,
    pub on_duty: &'a str,
    pub note: &'a str,
}

pub(crate) async fn save(
    tx: &mut Tx,
    c: CommunityId,
    b: &BoardText<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE community_boards SET services = $2, contacts = $3, complaint_phone = $4, \
         on_duty = $5, note = $6, updated_by = $7, updated_at = $8 WHERE community_id = $1",
        args![
            c,
            b.services,
            b.contacts,
            b.complaint_phone,
            b.on_duty,
            b.note,
            by,
            now
        ],
    )
    .await?;
    Ok(())
}

/// A new public address for the board (the old one stops working).
pub(crate) async fn set_slug(
    tx: &mut Tx,
    c: CommunityId,
    slug: &str,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE community_boards SET slug = $2, updated_at = $3 WHERE community_id = $1",
        args![c, slug, now],
    )
    .await?;
    Ok(())
}
