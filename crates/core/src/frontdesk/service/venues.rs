//! Venues and rooms the centre lets (公共场地/会议室, issue 15 point 9): each with its opening
//! hours, the slot bookings are made of (30 or 60 minutes), the longest booking, how far ahead
//! one books, until when a booking is cancelled free, its capacity, rules and an hourly fee;
//! and the desk's day view of every venue's slots. Bookings themselves are in
//! [`super::bookings`].

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, SLOT_MINUTES, VenueHours};
use super::super::store::venues::{self as store, BookingWhere, VenueRow, VenueSave};
use super::{require_desk, require_manage, today_in, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// The most people a venue is set to hold.
const MAX_CAPACITY: i64 = 10_000;
/// The most a venue costs an hour: ¥10,000.
const MAX_HOURLY_FEN: i64 = 1_000_000;

/// A venue or room residents book.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Venue {
    pub id: VenueId,
    pub community_id: CommunityId,
    pub name: String,
    pub location: Option<String>,
    pub capacity: i64,
    /// Opening time, `HH:MM` local.
    pub opens: String,
    /// Closing time, `HH:MM` local (`24:00`: midnight).
    pub closes: String,
    /// A booking is made of slots this long (30 or 60 minutes), from the opening time.
    pub slot_minutes: i64,
    /// The longest booking, in hours.
    pub max_hours: i64,
    /// How many days ahead one books (0: today only).
    pub advance_days: i64,
    /// Cancelled free up to this many hours before the start.
    pub cancel_hours: i64,
    /// The fee an hour in fen (0: free), a charge of the booking's unit.
    pub hourly_fee_fen: i64,
    pub rules: Option<String>,
    /// Owners book it in the portal (otherwise only the desk does).
    pub portal: bool,
    pub retired: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VenueForSave {
    /// 多功能厅, 会议室, 羽毛球场 …
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    /// People it holds (1–10,000).
    pub capacity: i64,
    /// `HH:MM`, e.g. `08:00`.
    pub opens: String,
    /// `HH:MM` after the opening, e.g. `21:00` (`24:00`: midnight).
    pub closes: String,
    /// 30 or 60 (default 60); the opening hours must be a whole number of slots.
    #[serde(default)]
    pub slot_minutes: Option<i64>,
    /// The longest booking in hours (1–24, default 4).
    #[serde(default)]
    pub max_hours: Option<i64>,
    /// Days ahead one books (0–90, default 14).
    #[serde(default)]
    pub advance_days: Option<i64>,
    /// Hours before the start a booking is still cancelled free (0–168, default 24).
    #[serde(default)]
    pub cancel_hours: Option<i64>,
    /// The fee an hour in yuan; empty or 0: free.
    #[serde(default)]
    pub hourly_fee: Option<String>,
    #[serde(default)]
    pub rules: Option<String>,
    /// Owners book it in the portal (default true).
    #[serde(default)]
    pub portal: Option<bool>,
    /// Retired: no longer booked (bookings made stand).
    #[serde(default)]
    pub retired: Option<bool>,
}

pub(super) fn venue_of(r: VenueRow) -> Venue {
    Venue {
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        location: r.location,
        capacity: r.capacity,
        opens: model::hhmm(r.opens_min),
        closes: model::hhmm(r.closes_min),
        slot_minutes: r.slot_minutes,
        max_hours: r.max_hours,
        advance_days: r.advance_days,
        cancel_hours: r.cancel_hours,
        hourly_fee_fen: r.hourly_fee_fen,
        rules: r.rules,
        portal: r.portal,
        retired: r.retired_at.is_some(),
    }
}

pub(super) fn hours_of(r: &VenueRow) -> VenueHours {
    VenueHours {
        opens_min: r.opens_min,
        closes_min: r.closes_min,
        slot_minutes: r.slot_minutes,
        max_hours: r.max_hours,
    }
}

/// The instant a local day's minute is (minute 1440 is the next day's midnight).
pub(super) fn at(tz: Tz, day: NaiveDate, min: i64) -> DateTime<Utc> {
    let day = day + Duration::days(min / 1440);
    let t = chrono::NaiveTime::from_num_seconds_from_midnight_opt(((min % 1440) * 60) as u32, 0)
        .unwrap_or(chrono::NaiveTime::MIN);
    crate::shared::calendar::local_to_utc(tz, day, t)
}

/// The community's venues, those retired last (`frontdesk.work`).
pub async fn list_venues(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Venue>> {
    require_desk(ctx, c)?;
    Ok(store::venues(&mut core.db.read(), c)
        .await?
        .into_iter()
        .map(venue_of)
        .collect())
}

pub(super) async fn reached_venue(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: VenueId,
) -> CoreResult<VenueRow> {
    let r = store::venue(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("venue"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("venue"))?;
    Ok(r)
}

/// A venue.
pub async fn get_venue(core: &Core, ctx: &Ctx, id: VenueId) -> CoreResult<Venue> {
    Ok(venue_of(reached_venue(&mut core.db.read(), ctx, id).await?))
}

struct Checked {
    name: String,
    location: Option<String>,
    opens: i64,
    closes: i64,
    slot: i64,
    max_hours: i64,
    advance_days: i64,
    cancel_hours: i64,
    fee: i64,
    rules: Option<String>,
}

fn range(errs: &mut Vec<FieldError>, field: &str, v: i64, min: i64, max: i64) {
    if !(min..=max).contains(&v) {
        errs.push(
            FieldError::new(field, FrontdeskCode::VenueRange)
                .with("min", min)
                .with("max", max),
        );
    }
}

fn check_venue(input: &VenueForSave) -> CoreResult<Checked> {
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let location = optional_text("location", input.location.as_deref(), 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let rules = optional_text("rules", input.rules.as_deref(), 1000)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    range(&mut errs, "capacity", input.capacity, 1, MAX_CAPACITY);
    let mut time = |field: &str, raw: &str| match model::parse_hhmm(raw) {
        Some(m) => Some(m),
        None => {
            errs.push(FieldError::new(field, FrontdeskCode::VenueTime));
            None
        }
    };
    let opens = time("opens", &input.opens);
    let closes = time("closes", &input.closes);
    let slot = input.slot_minutes.unwrap_or(60);
    if !SLOT_MINUTES.contains(&slot) {
        errs.push(FieldError::new(
            "slot_minutes",
            FrontdeskCode::VenueSlotLength,
        ));
    }
    if let (Some(o), Some(c)) = (opens, closes) {
        if o >= c {
            errs.push(FieldError::new("closes", FrontdeskCode::VenueHoursOrder));
        } else if SLOT_MINUTES.contains(&slot) && (c - o) % slot != 0 {
            errs.push(FieldError::new("closes", FrontdeskCode::VenueSlotLength));
        }
    }
    let max_hours = input.max_hours.unwrap_or(4);
    range(&mut errs, "max_hours", max_hours, 1, 24);
    let advance_days = input.advance_days.unwrap_or(14);
    range(&mut errs, "advance_days", advance_days, 0, 90);
    let cancel_hours = input.cancel_hours.unwrap_or(24);
    range(&mut errs, "cancel_hours", cancel_hours, 0, 168);
    let fee = match input
        .hourly_fee
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => match Money::from_yuan_str("hourly_fee", d) {
            Ok(m) if (0..=MAX_HOURLY_FEN).contains(&m.0) => m.0,
            Ok(m) if m.0 < 0 => {
                errs.push(FieldError::new("hourly_fee", CommonCode::MustBePositive));
                0
            }
            Ok(_) => {
                errs.push(FieldError::new("hourly_fee", CommonCode::TooLarge));
                0
            }
            Err(e) => {
                errs.push(e);
                0
            }
        },
        None => 0,
    };
    match (opens, closes) {
        (Some(opens), Some(closes)) if errs.is_empty() => Ok(Checked {
            name,
            location,
            opens,
            closes,
            slot,
            max_hours,
            advance_days,
            cancel_hours,
            fee,
            rules,
        }),
        _ => Err(CoreError::Invalid(errs)),
    }
}

fn save_of<'a>(k: &'a Checked, input: &VenueForSave, retired: bool) -> VenueSave<'a> {
    VenueSave {
        name: &k.name,
        location: k.location.as_deref(),
        capacity: input.capacity,
        opens_min: k.opens,
        closes_min: k.closes,
        slot_minutes: k.slot,
        max_hours: k.max_hours,
        advance_days: k.advance_days,
        cancel_hours: k.cancel_hours,
        hourly_fee_fen: k.fee,
        rules: k.rules.as_deref(),
        portal: input.portal.unwrap_or(true),
        retired,
    }
}

fn duplicate(e: CoreError) -> CoreError {
    if e.is_unique_violation() {
        CoreError::invalid("name", FrontdeskCode::VenueDuplicate)
    } else {
        e
    }
}

/// Adds a venue (`frontdesk.manage`).
pub async fn create_venue(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: VenueForSave,
) -> CoreResult<Venue> {
    require_manage(ctx, c)?;
    let k = check_venue(&input)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let save = save_of(&k, &input, input.retired.unwrap_or(false));
    let id = store::insert_venue(&mut tx, c, &save, now)
        .await
        .map_err(duplicate)?;
    let v = venue_of(
        store::venue(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("venue"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "venue", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Changes a venue's hours, rules or fee, or retires it (`frontdesk.manage`); bookings made keep
/// their times and fees.
pub async fn update_venue(
    core: &Core,
    ctx: &Ctx,
    id: VenueId,
    input: VenueForSave,
) -> CoreResult<Venue> {
    let mut tx = core.db.begin().await?;
    let before = reached_venue(&mut tx, ctx, id).await?;
    let c = before.community_id;
    require_manage(ctx, c)?;
    let k = check_venue(&input)?;
    let now = Utc::now();
    let save = save_of(
        &k,
        &input,
        input.retired.unwrap_or(before.retired_at.is_some()),
    );
    store::update_venue(&mut tx, c, id, &save, now)
        .await
        .map_err(duplicate)?;
    let after = venue_of(
        store::venue(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("venue"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "venue", id.0)
            .community(c)
            .before(&venue_of(before))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VenueDayQuery {
    /// The local day (default today, community time).
    pub day: Option<NaiveDate>,
}

/// One slot of a venue's day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueSlot {
    /// `HH:MM`.
    pub start: String,
    pub end: String,
    /// Begun or over.
    pub past: bool,
    /// The booking holding it, if any (the portal shows only that it is taken).
    pub taken: bool,
    pub booking_id: Option<VenueBookingId>,
    /// Who booked it and for which unit (the desk's view only).
    pub booker: Option<String>,
    pub purpose: Option<String>,
}

/// A venue's slots on a day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueDayPlan {
    pub venue: Venue,
    pub slots: Vec<VenueSlot>,
}

/// The desk's view of a day: every venue in use with its slots, free or whose.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VenueDay {
    pub day: NaiveDate,
    pub venues: Vec<VenueDayPlan>,
}

/// The slots of `venue` on `day`, marked from its live bookings; names only for the desk.
pub(super) fn plan(
    v: &VenueRow,
    bookings: &[store::BookingRow],
    tz: Tz,
    day: NaiveDate,
    now: DateTime<Utc>,
    names: bool,
) -> Vec<VenueSlot> {
    let h = hours_of(v);
    h.slots()
        .into_iter()
        .map(|s| {
            let t = at(tz, day, s);
            let holder = bookings.iter().find(|b| {
                b.venue_id == v.id && b.cancelled_at.is_none() && b.starts_at <= t && t < b.ends_at
            });
            VenueSlot {
                start: model::hhmm(s),
                end: model::hhmm(s + h.slot_minutes),
                past: t < now,
                taken: holder.is_some(),
                booking_id: holder.filter(|_| names).map(|b| b.id),
                booker: holder.filter(|_| names).map(|b| match &b.unit_label {
                    Some(u) => format!("{} · {u}", b.booker_name),
                    None => b.booker_name.clone(),
                }),
                purpose: holder.filter(|_| names).map(|b| b.purpose.clone()),
            }
        })
        .collect()
}

/// A day asked for: within ten years of today (a year 9999 typed is named, not computed with).
pub(super) fn check_day(field: &str, day: NaiveDate, today: NaiveDate) -> CoreResult<()> {
    const MAX: i64 = 3_660;
    if (day - today).num_days().abs() > MAX {
        return Err(CoreError::Invalid(vec![
            FieldError::new(field, FrontdeskCode::VenueDayRange).with("max", MAX),
        ]));
    }
    Ok(())
}

/// Every venue in use on a day (default today, community time) with its slots and whose they
/// are (`frontdesk.work`).
pub async fn venue_day(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    day: Option<NaiveDate>,
) -> CoreResult<VenueDay> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let day = day.unwrap_or_else(|| today_in(tz));
    check_day("day", day, today_in(tz))?;
    let venues = store::venues(&mut q, c).await?;
    let w = BookingWhere {
        from_day: day,
        to_day: day,
        venue: None,
        live: Some(true),
    };
    let bookings = store::bookings(&mut q, c, &w, 2_000).await?;
    let now = Utc::now();
    Ok(VenueDay {
        day,
        venues: venues
            .into_iter()
            .filter(|v| v.retired_at.is_none())
            .map(|v| VenueDayPlan {
                slots: plan(&v, &bookings, tz, day, now, true),
                venue: venue_of(v),
            })
            .collect(),
    })
}
