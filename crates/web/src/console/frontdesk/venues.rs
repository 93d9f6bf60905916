//! Venues and rooms booked (公共场地/会议室预约): the desk's day view — every venue's slots, a
//! free one a link that fills the booking form, a taken one naming its booker — the day's
//! bookings with their cancel buttons, and the booking form; a manager adds venues and edits
//! them (`/venues/{id}`). The owner's page in the portal picks a venue and a day, shows which
//! slots are free (never whose), books for one of his units and cancels while it is free to.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::{
    self, BookingCancel, BookingFilter, BookingForCreate, BookingRequest, Venue, VenueBooking,
    VenueDayPlan, VenueForSave,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::{community_of, said};
use super::super::flash::done;
use super::super::forms::default_zone;
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::manages;
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/venues", get(desk).post(book))
        .route("/venues/new", post(add_venue))
        .route("/venues/{id}", get(venue_page).post(save_venue))
        .route("/venue-bookings/{id}/cancel", post(cancel))
        .route("/portal/venues", get(mine).post(request))
        .route("/portal/venue-bookings/{id}/cancel", post(cancel_mine))
}

/// A booking as the lists show it.
pub struct BookingRow {
    pub id: i64,
    pub venue: String,
    pub day: String,
    pub span: String,
    pub booker: String,
    pub unit: String,
    pub phone: String,
    pub purpose: String,
    pub attendees: i64,
    pub fee: String,
    pub cancelled: bool,
    pub cancel_note: String,
    /// Still cancelled free.
    pub free: bool,
    /// Begun or over: no cancelling.
    pub started: bool,
    pub source: String,
}

fn yuan(fen: i64) -> String {
    Money(fen).to_string()
}

fn booking_row(b: &VenueBooking, l: crate::locale::Locale) -> BookingRow {
    let now = chrono::Utc::now();
    BookingRow {
        id: b.id.0,
        venue: b.venue_name.clone(),
        day: b.day.to_string(),
        span: format!("{}–{}", b.start, b.end),
        booker: b.booker_name.clone(),
        unit: b.unit_label.clone().unwrap_or_default(),
        phone: b.phone.clone().unwrap_or_default(),
        purpose: b.purpose.clone(),
        attendees: b.attendees,
        fee: if b.fee_fen > 0 {
            yuan(b.fee_fen)
        } else {
            String::new()
        },
        cancelled: b.cancelled_at.is_some(),
        cancel_note: match (b.cancelled_at.is_some(), b.fee_kept) {
            (false, _) => String::new(),
            (true, Some(true)) => l.t("fd.booking_fee_kept").to_string(),
            (true, _) => b.cancel_reason.clone().unwrap_or_default(),
        },
        free: now <= b.cancels_free_until,
        started: b.starts_at <= now,
        source: b.source.clone(),
    }
}

/// A venue's hours, slot and fee in one line.
fn terms(v: &Venue, l: crate::locale::Locale) -> String {
    let mut t = format!(
        "{}–{} · {} {} · ≤ {} {}",
        v.opens,
        v.closes,
        v.slot_minutes,
        l.t("fd.minutes"),
        v.capacity,
        l.t("fd.people")
    );
    if v.hourly_fee_fen > 0 {
        t.push_str(&format!(
            " · ¥{}/{}",
            yuan(v.hourly_fee_fen),
            l.t("fd.hour")
        ));
    }
    t
}

#[derive(Template)]
#[template(path = "frontdesk/venues.html")]
struct DeskPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    can_manage: bool,
    day: String,
    plans: Vec<(VenueDayPlan, String)>,
    venues: Vec<Venue>,
    bookings: Vec<BookingRow>,
    f: BookForm,
    add: VenueForm,
}

impl DeskPage {
    fn fee_of(&self, v: &Venue) -> String {
        yuan(v.hourly_fee_fen)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeskQ {
    community: Option<String>,
    day: String,
    /// A free slot clicked: the form filled with it.
    venue: i64,
    start: String,
    end: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct BookForm {
    community: i64,
    venue_id: i64,
    day: String,
    start: String,
    end: String,
    unit_label: String,
    booker_name: String,
    phone: String,
    purpose: String,
    attendees: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct VenueForm {
    community: i64,
    name: String,
    location: String,
    capacity: String,
    opens: String,
    closes: String,
    slot_minutes: String,
    max_hours: String,
    advance_days: String,
    cancel_hours: String,
    hourly_fee: String,
    rules: String,
    portal: String,
    retired: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A number typed, or one its range refuses by name.
fn number(s: &str) -> Option<i64> {
    some(s).map(|n| n.parse().unwrap_or(-1))
}

impl VenueForm {
    fn input(&self) -> VenueForSave {
        VenueForSave {
            name: self.name.clone(),
            location: some(&self.location),
            capacity: number(&self.capacity).unwrap_or(-1),
            opens: self.opens.clone(),
            closes: self.closes.clone(),
            slot_minutes: number(&self.slot_minutes),
            max_hours: number(&self.max_hours),
            advance_days: number(&self.advance_days),
            cancel_hours: number(&self.cancel_hours),
            hourly_fee: some(&self.hourly_fee),
            rules: some(&self.rules),
            portal: Some(self.portal == "1"),
            retired: Some(self.retired == "1"),
        }
    }

    fn of(v: &Venue) -> Self {
        VenueForm {
            community: v.community_id.0,
            name: v.name.clone(),
            location: v.location.clone().unwrap_or_default(),
            capacity: v.capacity.to_string(),
            opens: v.opens.clone(),
            closes: v.closes.clone(),
            slot_minutes: v.slot_minutes.to_string(),
            max_hours: v.max_hours.to_string(),
            advance_days: v.advance_days.to_string(),
            cancel_hours: v.cancel_hours.to_string(),
            hourly_fee: if v.hourly_fee_fen > 0 {
                yuan(v.hourly_fee_fen)
            } else {
                String::new()
            },
            rules: v.rules.clone().unwrap_or_default(),
            portal: if v.portal { "1".into() } else { String::new() },
            retired: if v.retired { "1".into() } else { String::new() },
        }
    }

    fn blank(c: i64) -> Self {
        VenueForm {
            community: c,
            opens: "08:00".into(),
            closes: "21:00".into(),
            slot_minutes: "60".into(),
            max_hours: "4".into(),
            advance_days: "14".into(),
            cancel_hours: "24".into(),
            portal: "1".into(),
            ..Default::default()
        }
    }
}

fn day_of(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

async fn render_desk(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: DeskQ,
    f: Option<BookForm>,
    add: Option<VenueForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let plan = frontdesk::venue_day(&st.core, &u.ctx, CommunityId(c), day_of(&q.day))
        .await
        .or_page(u)?;
    let venues = frontdesk::list_venues(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let filter = BookingFilter {
        day: Some(plan.day),
        ..Default::default()
    };
    let bookings = frontdesk::list_bookings(&st.core, &u.ctx, CommunityId(c), filter)
        .await
        .or_page(u)?
        .iter()
        .map(|b| booking_row(b, u.locale))
        .collect();
    let day = plan.day.to_string();
    let f = f.unwrap_or_else(|| BookForm {
        community: c,
        venue_id: q.venue,
        day: day.clone(),
        start: q.start.clone(),
        end: q.end.clone(),
        attendees: "1".into(),
        ..Default::default()
    });
    Ok(page(&DeskPage {
        s,
        communities,
        community: c,
        can_manage: manages(u),
        plans: plan
            .venues
            .into_iter()
            .map(|p| {
                let t = terms(&p.venue, u.locale);
                (p, t)
            })
            .collect(),
        venues,
        bookings,
        day,
        f,
        add: add.unwrap_or_else(|| VenueForm::blank(c)),
    }))
}

async fn desk(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DeskQ>) -> PageResult {
    render_desk(&st, &u, Shell::of(&u), q, None, None).await
}

/// The desk page again with a refused form's input and each message beside its field.
async fn again(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    day: &str,
    e: CoreError,
    f: Option<BookForm>,
    add: Option<VenueForm>,
) -> PageResult {
    let status = describe(&e, u.locale).0;
    let s = Shell::of(u).with_error(&e);
    let q = DeskQ {
        community: Some(c.to_string()),
        day: day.to_string(),
        ..Default::default()
    };
    let mut r = render_desk(st, u, s, q, f, add).await?;
    *r.status_mut() = status;
    Ok(r)
}

async fn book(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<BookForm>,
) -> PageResult {
    let c = f.community;
    let mut errs = Vec::new();
    if f.venue_id <= 0 {
        errs.push(wuye_core::FieldError::new(
            "venue_id",
            wuye_core::shared::error::CommonCode::Choose,
        ));
    }
    let day = day_of(&f.day);
    if day.is_none() {
        errs.push(wuye_core::FieldError::new(
            "day",
            wuye_core::shared::error::CommonCode::Required,
        ));
    }
    let r = match day {
        Some(day) if errs.is_empty() => {
            let input = BookingForCreate {
                day,
                start: f.start.clone(),
                end: f.end.clone(),
                unit_id: None,
                unit_label: some(&f.unit_label),
                person_id: None,
                booker_name: some(&f.booker_name),
                phone: some(&f.phone),
                purpose: f.purpose.clone(),
                attendees: number(&f.attendees),
            };
            frontdesk::book_venue(&st.core, &u.ctx, VenueId(f.venue_id), input).await
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    match r {
        Ok(b) => {
            let msg = u
                .locale
                .t("fd.venue_booked")
                .replace("{venue}", &b.venue_name)
                .replace("{span}", &format!("{} {}–{}", b.day, b.start, b.end));
            Ok(done(
                &st,
                &u,
                &format!("/venues?community={c}&day={}", b.day),
                msg,
            ))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let day = f.day.clone();
            again(&st, &u, c, &day, e, Some(f), None).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelForm {
    community: i64,
    day: String,
    reason: String,
    waive_fee: String,
}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CancelForm>,
) -> PageResult {
    let input = BookingCancel {
        reason: some(&f.reason),
        waive_fee: Some(f.waive_fee == "1"),
    };
    let r = frontdesk::cancel_booking(&st.core, &u.ctx, VenueBookingId(id), input).await;
    let to = format!("/venues?community={}&day={}", f.community, f.day.trim());
    said(&st, &u, &to, r.map(|_| ()), "fd.booking_cancelled")
}

async fn add_venue(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<VenueForm>,
) -> PageResult {
    let c = f.community;
    match frontdesk::create_venue(&st.core, &u.ctx, CommunityId(c), f.input()).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/venues?community={c}"),
            u.locale.t("fd.venue_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            again(&st, &u, c, "", e, None, Some(f)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/venue.html")]
struct VenuePage {
    s: Shell,
    id: i64,
    v: Venue,
    add: VenueForm,
    upcoming: Vec<BookingRow>,
}

async fn render_venue(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    id: i64,
    f: Option<VenueForm>,
) -> PageResult {
    let v = frontdesk::get_venue(&st.core, &u.ctx, VenueId(id))
        .await
        .or_page(u)?;
    let filter = BookingFilter {
        days: Some(31),
        venue_id: Some(id),
        state: Some("booked".into()),
        ..Default::default()
    };
    let upcoming = frontdesk::list_bookings(&st.core, &u.ctx, v.community_id, filter)
        .await
        .or_page(u)?
        .iter()
        .map(|b| booking_row(b, u.locale))
        .collect();
    Ok(page(&VenuePage {
        s,
        id,
        add: f.unwrap_or_else(|| VenueForm::of(&v)),
        v,
        upcoming,
    }))
}

async fn venue_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_venue(&st, &u, Shell::of(&u), id, None).await
}

async fn save_venue(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VenueForm>,
) -> PageResult {
    match frontdesk::update_venue(&st.core, &u.ctx, VenueId(id), f.input()).await {
        Ok(v) => Ok(done(
            &st,
            &u,
            &format!("/venues?community={}", v.community_id),
            u.locale.t("fd.venue_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_venue(&st, &u, s, id, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "portal/venues.html")]
struct MinePage {
    s: Shell,
    venues: Vec<(Venue, String)>,
    /// The venue chosen and its day.
    plan: Option<VenueDayPlan>,
    day: String,
    units: Vec<(i64, String)>,
    rows: Vec<BookingRow>,
    f: RequestForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct MineQ {
    venue: i64,
    day: String,
    start: String,
    end: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RequestForm {
    venue_id: i64,
    unit_id: i64,
    day: String,
    start: String,
    end: String,
    purpose: String,
    attendees: String,
}

async fn render_mine(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: MineQ,
    f: Option<RequestForm>,
) -> PageResult {
    let me = wuye_core::portal::profile(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let venues = frontdesk::portal_venues(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let chosen = f
        .as_ref()
        .map(|f| f.venue_id)
        .filter(|v| *v > 0)
        .or(Some(q.venue).filter(|v| *v > 0))
        .or(venues.first().map(|v| v.id.0));
    let day = f.as_ref().map(|f| f.day.as_str()).unwrap_or(&q.day);
    let plan = match chosen {
        Some(v) => Some(
            frontdesk::portal_venue_day(&st.core, &u.ctx, VenueId(v), day_of(day))
                .await
                .or_page(u)?,
        ),
        None => None,
    };
    let day = plan
        .as_ref()
        .map(|_| {
            day_of(day).unwrap_or_else(|| {
                chrono::Utc::now()
                    .with_timezone(&default_zone())
                    .date_naive()
            })
        })
        .map(|d| d.to_string())
        .unwrap_or_default();
    let rows = frontdesk::my_bookings(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .iter()
        .map(|b| booking_row(b, u.locale))
        .collect();
    let f = f.unwrap_or_else(|| RequestForm {
        venue_id: chosen.unwrap_or(0),
        unit_id: me.units.first().map(|x| x.unit_id.0).unwrap_or(0),
        day: day.clone(),
        start: q.start.clone(),
        end: q.end.clone(),
        attendees: "1".into(),
        ..Default::default()
    });
    Ok(page(&MinePage {
        s,
        venues: venues
            .into_iter()
            .map(|v| {
                let t = terms(&v, u.locale);
                (v, t)
            })
            .collect(),
        plan,
        day,
        units: me
            .units
            .iter()
            .map(|x| (x.unit_id.0, x.label.clone()))
            .collect(),
        rows,
        f,
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<MineQ>) -> PageResult {
    render_mine(&st, &u, Shell::of(&u), q, None).await
}

async fn request(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RequestForm>,
) -> PageResult {
    let r = match day_of(&f.day) {
        Some(day) => {
            let input = BookingRequest {
                venue_id: VenueId(f.venue_id),
                unit_id: UnitId(f.unit_id),
                day,
                start: f.start.clone(),
                end: f.end.clone(),
                purpose: f.purpose.clone(),
                attendees: number(&f.attendees),
            };
            frontdesk::request_booking(&st.core, &u.ctx, input).await
        }
        None => Err(CoreError::invalid(
            "day",
            wuye_core::shared::error::CommonCode::Required,
        )),
    };
    match r {
        Ok(b) => {
            let msg = u
                .locale
                .t("fd.venue_booked")
                .replace("{venue}", &b.venue_name)
                .replace("{span}", &format!("{} {}–{}", b.day, b.start, b.end));
            let to = format!("/portal/venues?venue={}&day={}", b.venue_id, b.day);
            Ok(done(&st, &u, &to, msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_mine(&st, &u, s, MineQ::default(), Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelMineForm {
    reason: String,
}

async fn cancel_mine(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CancelMineForm>,
) -> PageResult {
    let input = BookingCancel {
        reason: some(&f.reason),
        waive_fee: None,
    };
    let r = frontdesk::cancel_my_booking(&st.core, &u.ctx, VenueBookingId(id), input).await;
    said(
        &st,
        &u,
        "/portal/venues",
        r.map(|_| ()),
        "fd.booking_cancelled",
    )
}
