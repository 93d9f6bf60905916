//! SQL of venues and rooms booked (`venues`), their bookings (`venue_bookings`) and the slots
//! each booking holds (`venue_slots`, whose primary key lets only one booking hold a slot).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A venue with its hours, rules and fee.
    pub(crate) struct VenueRow {
        pub id: VenueId,
        pub community_id: CommunityId,
        pub name: String,
        pub location: Option<String>,
        pub capacity: i64,
        pub opens_min: i64,
        pub closes_min: i64,
        pub slot_minutes: i64,
        pub max_hours: i64,
        pub advance_days: i64,
        pub cancel_hours: i64,
        pub hourly_fee_fen: i64,
        pub rules: Option<String>,
        pub portal: bool,
        pub retired_at: Option<DateTime<Utc>>,
    }
}

const VENUE_COLS: &str = "id, community_id, name, location, capacity, opens_min, closes_min, slot_minutes, \
     max_hours, advance_days, cancel_hours, hourly_fee_fen, rules, portal, retired_at";

pub(crate) async fn venues(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<VenueRow>> {
    q.fetch_all(
        &format!(
            "SELECT {VENUE_COLS} FROM venues WHERE community_id = $1 \
             ORDER BY retired_at IS NOT NULL, name, id"
        ),
        args![c],
    )
    .await
}

pub(crate) async fn venue(q: &mut impl Queries, id: VenueId) -> CoreResult<Option<VenueRow>> {
    q.fetch_optional(
        &format!("SELECT {VENUE_COLS} FROM venues WHERE id = $1"),
        args![id],
    )
    .await
}

/// A venue's settings as saved.
pub(crate) struct VenueSave<'a> {
    pub name: &'a str,
    pub location: Option<&'a str>,
    pub capacity: i64,
    pub opens_min: i64,
    pub closes_min: i64,
    pub slot_minutes: i64,
    pub max_hours: i64,
    pub advance_days: i64,
    pub cancel_hours: i64,
    pub hourly_fee_fen: i64,
    pub rules: Option<&'a str>,
    pub portal: bool,
    pub retired: bool,
}

pub(crate) async fn insert_venue(
    tx: &mut Tx,
    c: CommunityId,
    s: &VenueSave<'_>,
    now: DateTime<Utc>,
) -> CoreResult<VenueId> {
    let id = tx
        .insert_id(
            "INSERT INTO venues (community_id, name, location, capacity, opens_min, closes_min, slot_minutes, \
             max_hours, advance_days, cancel_hours, hourly_fee_fen, rules, portal, retired_at, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             RETURNING id",
            args![c, s.name, s.location, s.capacity, s.opens_min, s.closes_min, s.slot_minutes,
                  s.max_hours, s.advance_days, s.cancel_hours, s.hourly_fee_fen, s.rules, s.portal,
                  s.retired.then_some(now), now],
        )
        .await?;
    Ok(VenueId(id))
}

/// Saves a venue's settings (bookings made keep their times and fees).
pub(crate) async fn update_venue(
    tx: &mut Tx,
    c: CommunityId,
    id: VenueId,
    s: &VenueSave<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE venues SET name = $1, location = $2, capacity = $3, opens_min = $4, closes_min = $5, \
         slot_minutes = $6, max_hours = $7, advance_days = $8, cancel_hours = $9, hourly_fee_fen = $10, \
         rules = $11, portal = $12, retired_at = CASE WHEN $13 THEN COALESCE(retired_at, $14) ELSE NULL END, \
         updated_at = $14 WHERE community_id = $15 AND id = $16",
        args![s.name, s.location, s.capacity, s.opens_min, s.closes_min, s.slot_minutes,
              s.max_hours, s.advance_days, s.cancel_hours, s.hourly_fee_fen, s.rules, s.portal,
              s.retired, now, c, id],
    )
    .await
}

crate::row! {
    /// A booking with its venue's name and its unit's label.
    pub(crate) struct BookingRow {
        pub id: VenueBookingId,
        pub community_id: CommunityId,
        pub venue_id: VenueId,
        pub venue_name: String,
        pub day: NaiveDate,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub unit_id: Option<UnitId>,
        pub unit_label: Option<String>,
        pub person_id: Option<PersonId>,
        pub booker_name: String,
        pub phone_enc: Option<Vec<u8>>,
        pub purpose: String,
        pub attendees: i64,
        pub fee_fen: i64,
        pub charge_id: Option<i64>,
        pub source: String,
        pub booked_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub cancelled_at: Option<DateTime<Utc>>,
        pub cancelled_by: Option<UserId>,
        pub cancel_reason: Option<String>,
        pub fee_kept: Option<bool>,
    }
}

const BOOKING_SELECT: &str = "SELECT k.id, k.community_id, k.venue_id, v.name AS venue_name, k.day, \
     k.starts_at, k.ends_at, k.unit_id, \
     CASE WHEN k.unit_id IS NULL THEN NULL ELSE b.name || '-' || u.unit_no END AS unit_label, \
     k.person_id, k.booker_name, k.phone_enc, k.purpose, k.attendees, k.fee_fen, k.charge_id, k.source, \
     k.booked_by, k.created_at, k.cancelled_at, k.cancelled_by, k.cancel_reason, k.fee_kept \
     FROM venue_bookings k JOIN venues v ON v.id = k.venue_id \
     LEFT JOIN units u ON u.id = k.unit_id LEFT JOIN buildings b ON b.id = u.building_id";

/// A booking to write.
pub(crate) struct NewBooking<'a> {
    pub venue: VenueId,
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub unit: Option<UnitId>,
    pub person: Option<PersonId>,
    pub booker_name: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub purpose: &'a str,
    pub attendees: i64,
    pub fee_fen: i64,
    pub source: &'a str,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_booking(
    tx: &mut Tx,
    c: CommunityId,
    k: NewBooking<'_>,
    now: DateTime<Utc>,
) -> CoreResult<VenueBookingId> {
    let id = tx
        .insert_id(
            "INSERT INTO venue_bookings (community_id, venue_id, day, starts_at, ends_at, unit_id, person_id, \
             booker_name, phone_enc, purpose, attendees, fee_fen, source, booked_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING id",
            args![c, k.venue, k.day, k.starts_at, k.ends_at, k.unit, k.person, k.booker_name,
                  k.phone_enc, k.purpose, k.attendees, k.fee_fen, k.source, k.by, now],
        )
        .await?;
    Ok(VenueBookingId(id))
}

/// Holds one slot for a booking; a unique violation when another booking holds it.
pub(crate) async fn hold_slot(
    tx: &mut Tx,
    c: CommunityId,
    venue: VenueId,
    starts_at: DateTime<Utc>,
    booking: VenueBookingId,
) -> CoreResult<u64> {
    tx.execute(
        "INSERT INTO venue_slots (community_id, venue_id, starts_at, booking_id) VALUES ($1, $2, $3, $4)",
        args![c, venue, starts_at, booking],
    )
    .await
}

/// Frees the slots a booking held.
pub(crate) async fn free_slots(
    tx: &mut Tx,
    c: CommunityId,
    booking: VenueBookingId,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM venue_slots WHERE community_id = $1 AND booking_id = $2",
        args![c, booking],
    )
    .await
}

pub(crate) async fn set_charge(tx: &mut Tx, id: VenueBookingId, charge: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE venue_bookings SET charge_id = $1 WHERE id = $2",
        args![charge, id],
    )
    .await
}

/// Whose booking holds a slot already, if any.
pub(crate) async fn slot_holder(
    q: &mut impl Queries,
    c: CommunityId,
    venue: VenueId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Option<VenueBookingId>> {
    q.fetch_optional::<(i64,)>(
        "SELECT booking_id FROM venue_slots WHERE community_id = $1 AND venue_id = $2 AND starts_at >= $3 \
         AND starts_at < $4 ORDER BY starts_at LIMIT 1",
        args![c, venue, from, to],
    )
    .await
    .map(|o| o.map(|(b,)| VenueBookingId(b)))
}

pub(crate) async fn booking(
    q: &mut impl Queries,
    id: VenueBookingId,
) -> CoreResult<Option<BookingRow>> {
    q.fetch_optional(&format!("{BOOKING_SELECT} WHERE k.id = $1"), args![id])
        .await
}

/// Marks a booking cancelled; 0 rows when it was already (or meanwhile).
pub(crate) async fn mark_cancelled(
    tx: &mut Tx,
    c: CommunityId,
    id: VenueBookingId,
    by: Option<UserId>,
    reason: Option<&str>,
    fee_kept: bool,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE venue_bookings SET cancelled_at = $1, cancelled_by = $2, cancel_reason = $3, fee_kept = $4 \
         WHERE community_id = $5 AND id = $6 AND cancelled_at IS NULL",
        args![now, by, reason, fee_kept, c, id],
    )
    .await
}

/// What a list of bookings is narrowed by.
pub(crate) struct BookingWhere {
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
    pub venue: Option<VenueId>,
    /// Booked (`Some(true)`), cancelled (`Some(false)`), or both.
    pub live: Option<bool>,
}

/// The community's bookings over days, by start.
pub(crate) async fn bookings(
    q: &mut impl Queries,
    c: CommunityId,
    w: &BookingWhere,
    limit: i64,
) -> CoreResult<Vec<BookingRow>> {
    q.fetch_all(
        &format!(
            "{BOOKING_SELECT} WHERE k.community_id = $1 AND k.day >= $2 AND k.day <= $3 \
             AND ($4 IS NULL OR k.venue_id = $4) \
             AND ($5 IS NULL OR ($5 = 1 AND k.cancelled_at IS NULL) OR ($5 = 0 AND k.cancelled_at IS NOT NULL)) \
             ORDER BY k.starts_at, k.venue_id, k.id LIMIT $6"
        ),
        args![c, w.from_day, w.to_day, w.venue, w.live.map(i64::from), limit],
    )
    .await
}

/// A person's bookings in the community, those to come first.
pub(crate) async fn of_person(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
    limit: i64,
) -> CoreResult<Vec<BookingRow>> {
    q.fetch_all(
        &format!(
            "{BOOKING_SELECT} WHERE k.community_id = $1 AND k.person_id = $2 \
             ORDER BY k.starts_at DESC, k.id DESC LIMIT $3"
        ),
        args![c, person, limit],
    )
    .await
}
