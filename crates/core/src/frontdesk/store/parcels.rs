//! SQL of parcels and mail held at the desk: receiving (the held code's unique index settles a
//! code drawn twice), finding a held parcel by its code, the lists, picking up with the
//! signature, returning, and the reminders of parcels waiting long.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Queries, Rows, Tx, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A parcel as stored.
    pub(crate) struct ParcelRow {
        pub id: ParcelId,
        pub community_id: CommunityId,
        pub kind: String,
        pub carrier: String,
        pub tracking_no: Option<String>,
        pub unit_id: Option<UnitId>,
        pub recipient_id: Option<PersonId>,
        pub recipient_name: String,
        pub phone_enc: Option<Vec<u8>>,
        pub shelf: Option<String>,
        pub code: String,
        pub state: String,
        pub note: Option<String>,
        pub received_at: DateTime<Utc>,
        pub received_by: Option<UserId>,
        pub reminded_at: Option<DateTime<Utc>>,
        pub reminders: i64,
        pub picked_at: Option<DateTime<Utc>>,
        pub picked_by_name: Option<String>,
        pub pickup_method: Option<String>,
        pub id_number_masked: Option<String>,
        pub handed_by: Option<UserId>,
        pub returned_at: Option<DateTime<Utc>>,
        pub return_note: Option<String>,
    }
}

const COLS: &str = "id, community_id, kind, carrier, tracking_no, unit_id, recipient_id, recipient_name, \
     phone_enc, shelf, code, state, note, received_at, received_by, reminded_at, reminders, picked_at, \
     picked_by_name, pickup_method, id_number_masked, handed_by, returned_at, return_note";

/// A parcel to write.
pub(crate) struct NewParcel<'a> {
    pub kind: &'static str,
    pub carrier: &'a str,
    pub tracking_no: Option<&'a str>,
    pub unit: Option<UnitId>,
    pub recipient: Option<PersonId>,
    pub recipient_name: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub shelf: Option<&'a str>,
    pub code: &'a str,
    pub note: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Writes a held parcel; `None` when its code or tracking number is held already (the unique
/// indexes; nothing is written and the transaction goes on).
pub(crate) async fn insert(
    tx: &mut impl Writes,
    c: CommunityId,
    p: &NewParcel<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<ParcelId>> {
    let row: Vec<(ParcelId,)> = tx
        .fetch_all(
            "INSERT INTO parcels (community_id, kind, carrier, tracking_no, unit_id, recipient_id, recipient_name, \
             phone_enc, shelf, code, state, note, received_at, received_by, reminders) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'held', $11, $12, $13, 0) \
             ON CONFLICT DO NOTHING RETURNING id",
            args![c, p.kind, p.carrier, p.tracking_no, p.unit, p.recipient, p.recipient_name,
                  p.phone_enc.clone(), p.shelf, p.code, p.note, now, p.by],
        )
        .await?;
    Ok(row.first().map(|(id,)| *id))
}

pub(crate) async fn get(q: &mut impl Queries, id: ParcelId) -> CoreResult<Option<ParcelRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM parcels WHERE id = $1"),
        args![id],
    )
    .await
}

/// The parcel held under this code in the community.
pub(crate) async fn held_by_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<Option<ParcelRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {COLS} FROM parcels WHERE community_id = $1 AND code = $2 AND state = 'held'"
        ),
        args![c, code],
    )
    .await
}

/// Whether a parcel of this carrier and tracking number is held.
pub(crate) async fn tracking_held(
    q: &mut impl Rows,
    c: CommunityId,
    carrier: &str,
    tracking_no: &str,
) -> CoreResult<bool> {
    let row: Vec<(ParcelId,)> = q
        .rows(
            "SELECT id FROM parcels WHERE community_id = $1 AND carrier = $2 AND tracking_no = $3 \
             AND state = 'held'",
            args![c, carrier, tracking_no],
        )
        .await?;
    Ok(!row.is_empty())
}

/// What a list of parcels is narrowed by.
pub(crate) struct ParcelWhere<'a> {
    pub state: Option<&'a str>,
    pub unit: Option<UnitId>,
    /// Received before this (parcels waiting long).
    pub before: Option<DateTime<Utc>>,
    /// The end of a tracking number, or a part of the recipient's name.
    pub text: Option<&'a str>,
    /// Below this id, newest first whatever else is asked (an export's pages).
    pub below_id: Option<i64>,
}

/// The community's parcels, newest first (oldest first when waiting long is asked, unless
/// paging by id).
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    w: &ParcelWhere<'_>,
    limit: i64,
) -> CoreResult<Vec<ParcelRow>> {
    let mut a: Args = args![c];
    let mut cond = String::from("community_id = $1");
    if let Some(s) = w.state {
        cond += &format!(" AND state = {}", a.push(s));
    }
    if let Some(u) = w.unit {
        cond += &format!(" AND unit_id = {}", a.push(u));
    }
    if let Some(t) = w.before {
        cond += &format!(" AND received_at < {}", a.push(t));
    }
    if let Some(t) = w.text {
        let p1 = a.push(format!("%{}", t.to_uppercase()));
        let p2 = a.push(format!("%{t}%"));
        cond += &format!(" AND (tracking_no LIKE {p1} OR recipient_name LIKE {p2})");
    }
    if let Some(id) = w.below_id {
        cond += &format!(" AND id < {}", a.push(id));
    }
    let order = if w.before.is_some() && w.below_id.is_none() {
        "received_at, id"
    } else {
        "id DESC"
    };
    let lim = a.push(limit);
    q.fetch_all(
        &format!("SELECT {COLS} FROM parcels WHERE {cond} ORDER BY {order} LIMIT {lim}"),
        a,
    )
    .await
}

/// The person's parcels: those held, and those handed over since `since`, newest first.
pub(crate) async fn of_recipient(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
    since: DateTime<Utc>,
) -> CoreResult<Vec<ParcelRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM parcels WHERE recipient_id = $1 AND community_id = $2 \
             AND (state = 'held' OR received_at >= $3) ORDER BY id DESC LIMIT 100"
        ),
        args![person, c, since],
    )
    .await
}

/// How the parcel was handed over.
pub(crate) struct Pickup<'a> {
    pub picked_by_name: &'a str,
    pub method: &'static str,
    pub id_number_masked: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Marks a held parcel picked up; 0 rows when it was not held any more (picked at another
/// desk a moment before).
pub(crate) async fn pick_up(
    tx: &mut Tx,
    c: CommunityId,
    id: ParcelId,
    p: &Pickup<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE parcels SET state = 'picked', picked_at = $1, picked_by_name = $2, pickup_method = $3, \
         id_number_masked = $4, handed_by = $5 WHERE community_id = $6 AND id = $7 AND state = 'held'",
        args![now, p.picked_by_name, p.method, p.id_number_masked, p.by, c, id],
    )
    .await
}

pub(crate) async fn insert_signature(
    tx: &mut Tx,
    c: CommunityId,
    id: ParcelId,
    png: Vec<u8>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO parcel_signatures (parcel_id, community_id, png, created_at) VALUES ($1, $2, $3, $4)",
        args![id, c, png, now],
    )
    .await?;
    Ok(())
}

pub(crate) async fn signature(
    q: &mut impl Queries,
    c: CommunityId,
    id: ParcelId,
) -> CoreResult<Option<Vec<u8>>> {
    let row: Option<(Vec<u8>,)> = q
        .fetch_optional(
            "SELECT png FROM parcel_signatures WHERE community_id = $1 AND parcel_id = $2",
            args![c, id],
        )
        .await?;
    Ok(row.map(|(p,)| p))
}

/// Returns a held parcel to its carrier; 0 rows when it was not held any more.
pub(crate) async fn give_back(
    tx: &mut Tx,
    c: CommunityId,
    id: ParcelId,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE parcels SET state = 'returned', returned_at = $1, return_note = $2 \
         WHERE community_id = $3 AND id = $4 AND state = 'held'",
        args![now, note, c, id],
    )
    .await
}

/// Counts a reminder of a held parcel not reminded since `since`; 0 rows when it was.
pub(crate) async fn mark_reminded(
    tx: &mut Tx,
    c: CommunityId,
    id: ParcelId,
    since: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE parcels SET reminded_at = $1, reminders = reminders + 1 WHERE community_id = $2 AND id = $3 \
         AND state = 'held' AND (reminded_at IS NULL OR reminded_at < $4)",
        args![now, c, id, since],
    )
    .await
}
