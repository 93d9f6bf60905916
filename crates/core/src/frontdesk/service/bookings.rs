//! Bookings of venues and rooms (公共场地/会议室预约, issue 15 point 9): owners book in the
//! portal for one of their units, the desk books for a resident (or, for a free venue, anyone by
//! name and phone). A booking holds whole slots inside the opening hours, within the days ahead
//! the venue allows, for no more people than it holds. Each slot is a row whose primary key is
//! the venue and the slot's start, so two bookings of the last slot at once: one wins, the other
//! gets 409 `venue_slot_taken` and nothing of it is written.
//!
//! The fee is money, so it is billing's: the hours × the hourly fee, charged to the booking's
//! unit in the booking's transaction (billing's paid-service item) and collected at the cashier.
//! A booking cancelled up to the venue's notice before its start has its charge reversed (红冲);
//! later only the desk cancels it, and the fee is kept unless a manager waives it. A fee already
//! paid is not withdrawn here: billing's rule is that the payment is reversed first.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, BookingState};
use super::super::store::venues::{self as store, BookingRow, BookingWhere, NewBooking, VenueRow};
use super::venues::{Venue, VenueDayPlan, at, hours_of, plan, reached_venue, venue_of};
use super::{
    Resident, desk_unit, optional_phone, require_desk, staff_names, today_in, tz_of, unit_person,
};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::crypto::mask_phone;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

/// A booking of a venue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueBooking {
    pub id: VenueBookingId,
    pub community_id: CommunityId,
    pub venue_id: VenueId,
    pub venue_name: String,
    /// The local day.
    pub day: NaiveDate,
    /// `HH:MM` local.
    pub start: String,
    pub end: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub unit_id: Option<UnitId>,
    /// "1栋-1801".
    pub unit_label: Option<String>,
    pub person_id: Option<PersonId>,
    pub booker_name: String,
    /// Masked.
    pub phone: Option<String>,
    pub purpose: String,
    pub attendees: i64,
    /// The fee in fen (0: free).
    pub fee_fen: i64,
    /// Its charge in billing, if it has a fee.
    pub charge_id: Option<i64>,
    /// `portal` or `desk`.
    pub source: String,
    pub booked_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub state: BookingState,
    /// Cancelled free until then.
    pub cancels_free_until: DateTime<Utc>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancelled_by_name: Option<String>,
    pub cancel_reason: Option<String>,
    /// On a cancellation: the fee kept (a late one) or withdrawn.
    pub fee_kept: Option<bool>,
}

/// What the desk books.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BookingForCreate {
    /// The local day.
    pub day: NaiveDate,
    /// `HH:MM`, on a slot's edge.
    pub start: String,
    pub end: String,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`); required when the venue has a fee.
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit; or else a typed name (matched to the unit's people when one has it).
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub booker_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// 业主生日会, 业委会会议 …
    pub purpose: String,
    /// People coming (default 1; at most the capacity).
    #[serde(default)]
    pub attendees: Option<i64>,
}

/// What an owner books in the portal, for one of his units.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BookingRequest {
    pub venue_id: VenueId,
    pub unit_id: UnitId,
    pub day: NaiveDate,
    pub start: String,
    pub end: String,
    pub purpose: String,
    #[serde(default)]
    pub attendees: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct BookingCancel {
    #[serde(default)]
    pub reason: Option<String>,
    /// A late cancellation's fee withdrawn all the same (a manager's decision).
    #[serde(default)]
    pub waive_fee: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct BookingFilter {
    /// The first day (default today, community time).
    pub day: Option<NaiveDate>,
    /// Days from it (1–31, default 1).
    pub days: Option<i64>,
    pub venue_id: Option<i64>,
    /// `booked` or `cancelled`; default both.
    pub state: Option<String>,
}

fn booking_of(
    core: &Core,
    r: BookingRow,
    cancel_hours: i64,
    names: &std::collections::HashMap<UserId, String>,
    tz: Tz,
) -> CoreResult<VenueBooking> {
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%H:%M").to_string();
    let end = if r.ends_at.with_timezone(&tz).date_naive() > r.day {
        "24:00".to_string()
    } else {
        local(r.ends_at)
    };
    Ok(VenueBooking {
        phone: r
            .phone_enc
            .as_ref()
            .map(|b| core.crypto.decrypt(b).map(|p| mask_phone(&p)))
            .transpose()?,
        start: local(r.starts_at),
        end,
        state: if r.cancelled_at.is_some() {
            BookingState::Cancelled
        } else {
            BookingState::Booked
        },
        cancels_free_until: r.starts_at - chrono::Duration::hours(cancel_hours),
        booked_by_name: name(r.booked_by),
        cancelled_by_name: name(r.cancelled_by),
        id: r.id,
        community_id: r.community_id,
        venue_id: r.venue_id,
        venue_name: r.venue_name,
        day: r.day,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        booker_name: r.booker_name,
        purpose: r.purpose,
        attendees: r.attendees,
        fee_fen: r.fee_fen,
        charge_id: r.charge_id,
        source: r.source,
        created_at: r.created_at,
        cancelled_at: r.cancelled_at,
        cancel_reason: r.cancel_reason,
        fee_kept: r.fee_kept,
    })
}

/// When, in whose name, what for: checked before a booking is written.
struct Placement {
    day: NaiveDate,
    start: i64,
    end: i64,
    unit: Option<UnitId>,
    person: Option<PersonId>,
    name: String,
    phone_enc: Option<Vec<u8>>,
    purpose: String,
    attendees: i64,
    source: &'static str,
}

/// Checks the span, the day, the people and the purpose against the venue; errors pushed, named.
#[allow(clippy::too_many_arguments)]
fn check_span(
    v: &VenueRow,
    tz: Tz,
    day: NaiveDate,
    start: &str,
    end: &str,
    attendees: Option<i64>,
    purpose: &str,
    errs: &mut Vec<FieldError>,
) -> Option<(i64, i64, i64, String)> {
    let s = model::parse_hhmm(start);
    let e = model::parse_hhmm(end);
    if s.is_none() {
        errs.push(FieldError::new("start", FrontdeskCode::VenueTime));
    }
    if e.is_none() {
        errs.push(FieldError::new("end", FrontdeskCode::VenueTime));
    }
    let today = today_in(tz);
    if day < today || day > today + chrono::Duration::days(v.advance_days) {
        errs.push(FieldError::new("day", FrontdeskCode::VenueDayRange).with("max", v.advance_days));
    }
    let attendees = attendees.unwrap_or(1);
    if attendees < 1 || attendees > v.capacity {
        errs.push(
            FieldError::new("attendees", FrontdeskCode::VenueOverCapacity)
                .with("capacity", v.capacity),
        );
    }
    let purpose = required_text("purpose", purpose, 100)
        .map_err(|e| errs.push(e))
        .ok();
    let (s, e) = (s?, e?);
    match hours_of(v).booking_slots(s, e) {
        Ok(_) if errs.is_empty() && at(tz, day, e) <= Utc::now() => {
            errs.push(FieldError::new("start", FrontdeskCode::VenueInPast));
            None
        }
        Ok(_) => Some((s, e, attendees, purpose?)),
        Err(x) => {
            errs.push(x);
            None
        }
    }
}

/// Writes a booking, its slots and its charge in one transaction; a slot held by another
/// booking (now or a moment before) refuses the whole booking.
async fn place(core: &Core, ctx: &Ctx, v: &VenueRow, p: Placement) -> CoreResult<VenueBooking> {
    let c = v.community_id;
    if v.retired_at.is_some() {
        return Err(CoreError::conflict("venue_id", FrontdeskCode::VenueRetired));
    }
    let tz = tz_of(&mut core.db.read(), ctx, c).await?;
    let starts_at = at(tz, p.day, p.start);
    let ends_at = at(tz, p.day, p.end);
    let minutes = p.end - p.start;
    let fee = model::booking_fee(v.hourly_fee_fen, minutes);
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if store::slot_holder(&mut tx, c, v.id, starts_at, ends_at)
        .await?
        .is_some()
    {
        return Err(CoreError::conflict("start", FrontdeskCode::VenueSlotTaken));
    }
    let id = store::insert_booking(
        &mut tx,
        c,
        NewBooking {
            venue: v.id,
            day: p.day,
            starts_at,
            ends_at,
            unit: p.unit,
            person: p.person,
            booker_name: &p.name,
            phone_enc: p.phone_enc.clone(),
            purpose: &p.purpose,
            attendees: p.attendees,
            fee_fen: fee,
            source: p.source,
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    for s in hours_of(v)
        .booking_slots(p.start, p.end)
        .unwrap_or_default()
    {
        store::hold_slot(&mut tx, c, v.id, at(tz, p.day, s), id)
            .await
            .map_err(|e| e.or_conflict("start", FrontdeskCode::VenueSlotTaken))?;
    }
    if let (true, Some(unit)) = (fee > 0, p.unit) {
        let what = format!(
            "场地预约：{} {} {}–{}",
            v.name,
            p.day,
            model::hhmm(p.start),
            model::hhmm(p.end)
        );
        let basis = format!("¥{}/时 × {} 分钟", Money(v.hourly_fee_fen), minutes);
        let charge =
            crate::billing::ledger::charge_service_in(&mut tx, ctx, c, unit, &what, basis, fee)
                .await?;
        store::set_charge(&mut tx, id, charge).await?;
    }
    let v_out = read(core, &mut tx, ctx, id, v.cancel_hours, tz).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "venue_booking", id.0)
            .community(c)
            .after(&v_out),
    )
    .await?;
    tx.commit().await?;
    Ok(v_out)
}

async fn read(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    id: VenueBookingId,
    cancel_hours: i64,
    tz: Tz,
) -> CoreResult<VenueBooking> {
    let r = store::booking(q, id)
        .await?
        .ok_or(CoreError::NotFound("venue_booking"))?;
    let names = staff_names(q, ctx, r.community_id).await?;
    booking_of(core, r, cancel_hours, &names, tz)
}

/// Books a venue at the desk (`frontdesk.work`) for a unit's resident, or — a free venue — for
/// anyone by name and phone; its fee is charged to the unit at once.
pub async fn book_venue(
    core: &Core,
    ctx: &Ctx,
    id: VenueId,
    input: BookingForCreate,
) -> CoreResult<VenueBooking> {
    let v = reached_venue(&mut core.db.read(), ctx, id).await?;
    let c = v.community_id;
    let tz = tz_of(&mut core.db.read(), ctx, c).await?;
    let mut errs = Vec::new();
    let span = check_span(
        &v,
        tz,
        input.day,
        &input.start,
        &input.end,
        input.attendees,
        &input.purpose,
        &mut errs,
    );
    let phone = optional_phone("phone", input.phone.as_deref(), &mut errs);
    let typed = optional_text("booker_name", input.booker_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let unit = desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        &mut errs,
    )
    .await?;
    let who = unit_person(
        &mut core.db.read(),
        c,
        unit,
        Resident {
            person: input.person_id,
            name: typed,
            phone_enc: phone.as_ref().map(|p| core.crypto.encrypt(p.as_str())),
        },
        ("person_id", "booker_name"),
        FrontdeskCode::VenueBookerRequired,
        &mut errs,
    )
    .await?;
    if v.hourly_fee_fen > 0 && unit.is_none() && !errs.iter().any(|e| e.field.starts_with("unit")) {
        errs.push(FieldError::new(
            "unit_label",
            FrontdeskCode::VenueFeeNeedsUnit,
        ));
    }
    let (Some((start, end, attendees, purpose)), Some(name), true) =
        (span, who.name, errs.is_empty())
    else {
        return Err(CoreError::Invalid(errs));
    };
    let p = Placement {
        day: input.day,
        start,
        end,
        unit,
        person: who.person,
        name,
        phone_enc: who.phone_enc,
        purpose,
        attendees,
        source: "desk",
    };
    place(core, ctx, &v, p).await
}

/// The venues an owner books in the portal: his community's, open to the portal, in use.
pub async fn portal_venues(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Venue>> {
    let me = crate::portal::profile(core, ctx).await?;
    Ok(store::venues(&mut core.db.read(), me.community_id)
        .await?
        .into_iter()
        .filter(|v| v.portal && v.retired_at.is_none())
        .map(venue_of)
        .collect())
}

/// A venue the owner may book in the portal.
async fn portal_venue(core: &Core, ctx: &Ctx, id: VenueId) -> CoreResult<(VenueRow, CommunityId)> {
    let me = crate::portal::profile(core, ctx).await?;
    let v = store::venue(&mut core.db.read(), id)
        .await?
        .filter(|v| v.community_id == me.community_id)
        .ok_or(CoreError::NotFound("venue"))?;
    if !v.portal {
        return Err(CoreError::invalid(
            "venue_id",
            FrontdeskCode::VenueNotInPortal,
        ));
    }
    Ok((v, me.community_id))
}

/// A venue's slots on a day as an owner sees them: free or taken, never whose.
pub async fn portal_venue_day(
    core: &Core,
    ctx: &Ctx,
    id: VenueId,
    day: Option<NaiveDate>,
) -> CoreResult<VenueDayPlan> {
    let (v, c) = portal_venue(core, ctx, id).await?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let day = day.unwrap_or_else(|| today_in(tz));
    super::venues::check_day("day", day, today_in(tz))?;
    let w = BookingWhere {
        from_day: day,
        to_day: day,
        venue: Some(id),
        live: Some(true),
    };
    let bookings = store::bookings(&mut q, c, &w, 500).await?;
    Ok(VenueDayPlan {
        slots: plan(&v, &bookings, tz, day, Utc::now(), false),
        venue: venue_of(v),
    })
}

/// An owner's (member's, tenant's) booking in the portal for one of his units; its fee is
/// charged to that unit.
pub async fn request_booking(
    core: &Core,
    ctx: &Ctx,
    input: BookingRequest,
) -> CoreResult<VenueBooking> {
    let me = crate::portal::profile(core, ctx).await?;
    let (v, c) = portal_venue(core, ctx, input.venue_id).await?;
    let tz = tz_of(&mut core.db.read(), ctx, c).await?;
    let mut errs = Vec::new();
    if !me.units.iter().any(|u| u.unit_id == input.unit_id) {
        errs.push(FieldError::new("unit_id", FrontdeskCode::VenueNotYourUnit));
    }
    let span = check_span(
        &v,
        tz,
        input.day,
        &input.start,
        &input.end,
        input.attendees,
        &input.purpose,
        &mut errs,
    );
    let (Some((start, end, attendees, purpose)), true) = (span, errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let phone_enc = crate::registry::store::for_frontdesk::person_of_unit(
        &mut core.db.read(),
        c,
        input.unit_id,
        me.person_id,
    )
    .await?
    .and_then(|(_, phone, _)| phone);
    let p = Placement {
        day: input.day,
        start,
        end,
        unit: Some(input.unit_id),
        person: Some(me.person_id),
        name: me.name.clone(),
        phone_enc,
        purpose,
        attendees,
        source: "portal",
    };
    let mut b = place(core, ctx, &v, p).await?;
    b.booked_by_name = None;
    Ok(b)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: VenueBookingId) -> CoreResult<BookingRow> {
    let r = store::booking(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("venue_booking"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("venue_booking"))?;
    Ok(r)
}

/// A booking.
pub async fn get_booking(core: &Core, ctx: &Ctx, id: VenueBookingId) -> CoreResult<VenueBooking> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    let v = store::venue(&mut q, r.venue_id)
        .await?
        .ok_or(CoreError::NotFound("venue"))?;
    let tz = tz_of(&mut q, ctx, r.community_id).await?;
    read(core, &mut q, ctx, id, v.cancel_hours, tz).await
}

/// Who cancels: the desk (late ones too, a manager waiving the fee) or the booker in the portal
/// (only while free).
#[derive(PartialEq)]
enum Canceller {
    Desk,
    Booker,
}

async fn cancel(
    core: &Core,
    ctx: &Ctx,
    r: BookingRow,
    input: BookingCancel,
    who: Canceller,
) -> CoreResult<VenueBooking> {
    let c = r.community_id;
    let reason = optional_text("reason", input.reason.as_deref(), 200)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut q = core.db.read();
    let v = store::venue(&mut q, r.venue_id)
        .await?
        .ok_or(CoreError::NotFound("venue"))?;
    let tz = tz_of(&mut q, ctx, c).await?;
    drop(q);
    let now = Utc::now();
    if r.cancelled_at.is_some() {
        return Err(CoreError::conflict("id", FrontdeskCode::BookingCancelled));
    }
    if r.starts_at <= now {
        return Err(CoreError::conflict("id", FrontdeskCode::BookingStarted));
    }
    let free = model::cancels_free(r.starts_at, v.cancel_hours, now);
    let waive = input.waive_fee.unwrap_or(false);
    if !free && who == Canceller::Booker {
        return Err(CoreError::Invalid(vec![
            FieldError::new("id", FrontdeskCode::BookingCancelLate).with("hours", v.cancel_hours),
        ]));
    }
    if !free && waive && ctx.require_in(Perm::FrontdeskManage, c).is_err() {
        return Err(CoreError::invalid(
            "waive_fee",
            FrontdeskCode::BookingWaiveManager,
        ));
    }
    let withdraw = r.charge_id.is_some() && (free || waive);
    let mut tx = core.db.begin().await?;
    if store::mark_cancelled(
        &mut tx,
        c,
        r.id,
        ctx.actor(),
        reason.as_deref(),
        r.charge_id.is_some() && !withdraw,
        now,
    )
    .await?
        != 1
    {
        return Err(CoreError::conflict("id", FrontdeskCode::BookingCancelled));
    }
    store::free_slots(&mut tx, c, r.id).await?;
    if let (true, Some(charge)) = (withdraw, r.charge_id) {
        let why = format!("场地预约取消：{} {}", r.venue_name, r.day);
        if !crate::billing::ledger::withdraw_service_in(&mut tx, ctx, c, charge, &why).await? {
            return Err(CoreError::conflict("id", FrontdeskCode::BookingFeePaid));
        }
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "venue_booking", r.id.0)
            .community(c)
            .before(&serde_json::json!({"cancelled_at": null}))
            .after(&serde_json::json!({"cancelled_at": now, "reason": reason,
                "fee_withdrawn": withdraw})),
    )
    .await?;
    let out = read(core, &mut tx, ctx, r.id, v.cancel_hours, tz).await?;
    tx.commit().await?;
    Ok(out)
}

/// Cancels a booking at the desk (`frontdesk.work`): free up to the venue's notice (its charge
/// reversed), later with the fee kept unless a manager waives it.
pub async fn cancel_booking(
    core: &Core,
    ctx: &Ctx,
    id: VenueBookingId,
    input: BookingCancel,
) -> CoreResult<VenueBooking> {
    let r = reached(&mut core.db.read(), ctx, id).await?;
    cancel(core, ctx, r, input, Canceller::Desk).await
}

/// Cancels one's own booking in the portal, while it is free to cancel.
pub async fn cancel_my_booking(
    core: &Core,
    ctx: &Ctx,
    id: VenueBookingId,
    input: BookingCancel,
) -> CoreResult<VenueBooking> {
    let me = crate::portal::profile(core, ctx).await?;
    let r = store::booking(&mut core.db.read(), id)
        .await?
        .filter(|r| r.community_id == me.community_id && r.person_id == Some(me.person_id))
        .ok_or(CoreError::NotFound("venue_booking"))?;
    let input = BookingCancel {
        waive_fee: None,
        ..input
    };
    let mut b = cancel(core, ctx, r, input, Canceller::Booker).await?;
    b.booked_by_name = None;
    b.cancelled_by_name = None;
    Ok(b)
}

/// The community's bookings over days (default today), by start (`frontdesk.work`); at most
/// 1,000.
pub async fn list_bookings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: BookingFilter,
) -> CoreResult<Vec<VenueBooking>> {
    require_desk(ctx, c)?;
    let live = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            BookingState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?
                == BookingState::Booked,
        ),
    };
    let days = f.days.unwrap_or(1);
    if !(1..=31).contains(&days) {
        return Err(CoreError::Invalid(vec![
            FieldError::new("days", FrontdeskCode::VenueRange)
                .with("min", 1)
                .with("max", 31),
        ]));
    }
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let from_day = f.day.unwrap_or_else(|| today_in(tz));
    super::venues::check_day("day", from_day, today_in(tz))?;
    let w = BookingWhere {
        from_day,
        to_day: from_day + chrono::Duration::days(days - 1),
        venue: f.venue_id.map(VenueId),
        live,
    };
    let rows = store::bookings(&mut q, c, &w, 1_000).await?;
    venue_views(core, &mut q, ctx, c, rows, tz).await
}

/// Bookings as shown, each with its venue's notice.
async fn venue_views(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    rows: Vec<BookingRow>,
    tz: Tz,
) -> CoreResult<Vec<VenueBooking>> {
    let notice: std::collections::HashMap<VenueId, i64> = store::venues(q, c)
        .await?
        .into_iter()
        .map(|v| (v.id, v.cancel_hours))
        .collect();
    let names = staff_names(q, ctx, c).await?;
    rows.into_iter()
        .map(|r| {
            let h = notice.get(&r.venue_id).copied().unwrap_or(0);
            booking_of(core, r, h, &names, tz)
        })
        .collect()
}

/// The owner's own bookings in the portal, newest first (staff names left out).
pub async fn my_bookings(core: &Core, ctx: &Ctx) -> CoreResult<Vec<VenueBooking>> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let rows = store::of_person(&mut q, c, me.person_id, 200).await?;
    let mut out = venue_views(core, &mut q, ctx, c, rows, tz).await?;
    for b in &mut out {
        b.booked_by_name = None;
        b.cancelled_by_name = None;
    }
    Ok(out)
}
