//! SQL of handovers and their items: the handover row, its items in order, the open items of a
//! team's latest handover (what carries over), closing an item and signing.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A handover as stored.
    pub(crate) struct HandoverRow {
        pub id: HandoverId,
        pub community_id: CommunityId,
        pub team: String,
        pub shift_code: Option<String>,
        pub day: NaiveDate,
        pub outgoing_id: UserId,
        pub incoming_id: UserId,
        pub note: Option<String>,
        pub state: String,
        pub created_at: DateTime<Utc>,
        pub signed_at: Option<DateTime<Utc>>,
        pub signed_by: Option<UserId>,
    }
}

const COLS: &str = "id, community_id, team, shift_code, day, outgoing_id, incoming_id, note, state, \
     created_at, signed_at, signed_by";

crate::row! {
    /// An item of a handover.
    pub(crate) struct ItemRow {
        pub id: HandoverItemId,
        pub handover_id: HandoverId,
        pub kind: String,
        pub source_ref: Option<String>,
        pub text: String,
        pub state: String,
        pub origin_id: Option<i64>,
        pub created_at: DateTime<Utc>,
        pub closed_at: Option<DateTime<Utc>>,
        pub closed_by: Option<UserId>,
    }
}

const ITEM_COLS: &str = "id, handover_id, kind, source_ref, text, state, origin_id, \
     created_at, closed_at, closed_by";

/// A handover to write.
pub(crate) struct NewHandover<'a> {
    pub team: &'a str,
    pub shift_code: Option<&'a str>,
    pub day: NaiveDate,
    pub outgoing: UserId,
    pub incoming: UserId,
    pub note: Option<&'a str>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    h: &NewHandover<'_>,
    now: DateTime<Utc>,
) -> CoreResult<HandoverId> {
    let id = tx
        .insert_id(
            "INSERT INTO handovers (community_id, team, shift_code, day, outgoing_id, incoming_id, note, \
             state, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
            args![c, h.team, h.shift_code, h.day, h.outgoing, h.incoming, h.note, now],
        )
        .await?;
    Ok(HandoverId(id))
}

pub(crate) async fn get(q: &mut impl Queries, id: HandoverId) -> CoreResult<Option<HandoverRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM handovers WHERE id = $1"),
        args![id],
    )
    .await
}

/// The community's handovers, newest first; one team's when given.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    team: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<HandoverRow>> {
    let mut a = args![c];
    let only = match team {
        Some(t) => format!(" AND team = {}", a.push(t)),
        None => String::new(),
    };
    let lim = a.push(limit);
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM handovers WHERE community_id = $1{only} ORDER BY id DESC LIMIT {lim}"
        ),
        a,
    )
    .await
}

/// The team's latest handover before this one (what the next one carries over from).
pub(crate) async fn latest_of_team(
    q: &mut impl Queries,
    c: CommunityId,
    team: &str,
) -> CoreResult<Option<HandoverRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {COLS} FROM handovers WHERE community_id = $1 AND team = $2 ORDER BY id DESC LIMIT 1"
        ),
        args![c, team],
    )
    .await
}

pub(crate) async fn items(
    q: &mut impl Queries,
    c: CommunityId,
    h: HandoverId,
) -> CoreResult<Vec<ItemRow>> {
    q.fetch_all(
        &format!(
            "SELECT {ITEM_COLS} FROM handover_items WHERE community_id = $1 AND handover_id = $2 \
             ORDER BY position, id"
        ),
        args![c, h],
    )
    .await
}

pub(crate) async fn item(q: &mut impl Queries, id: HandoverItemId) -> CoreResult<Option<ItemRow>> {
    q.fetch_optional(
        &format!("SELECT {ITEM_COLS} FROM handover_items WHERE id = $1"),
        args![id],
    )
    .await
}

/// An item to add: kind, source, text, the item it carries over from.
pub(crate) struct NewItem {
    pub kind: &'static str,
    pub source_ref: Option<String>,
    pub text: String,
    pub origin: Option<i64>,
}

/// Adds items after the handover's last one.
pub(crate) async fn add_items(
    tx: &mut Tx,
    c: CommunityId,
    h: HandoverId,
    items: &[NewItem],
    now: DateTime<Utc>,
) -> CoreResult<()> {
    for it in items {
        tx.execute(
            "INSERT INTO handover_items (community_id, handover_id, position, kind, source_ref, text, state, \
             origin_id, created_at) VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM handover_items \
             WHERE community_id = $1 AND handover_id = $2), $3, $4, $5, 'open', $6, $7)",
            args![c, h, it.kind, it.source_ref.clone(), it.text.clone(), it.origin, now],
        )
        .await?;
    }
    Ok(())
}

/// Closes an open item; 0 rows when it was closed already.
pub(crate) async fn close_item(
    tx: &mut Tx,
    c: CommunityId,
    id: HandoverItemId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE handover_items SET state = 'closed', closed_at = $1, closed_by = $2 \
         WHERE community_id = $3 AND id = $4 AND state = 'open'",
        args![now, by, c, id],
    )
    .await
}

/// Signs an open handover; 0 rows when it was signed already.
pub(crate) async fn sign(
    tx: &mut Tx,
    c: CommunityId,
    id: HandoverId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE handovers SET state = 'signed', signed_at = $1, signed_by = $2 \
         WHERE community_id = $3 AND id = $4 AND state = 'open'",
        args![now, by, c, id],
    )
    .await
}
