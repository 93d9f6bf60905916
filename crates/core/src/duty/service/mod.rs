//! The use cases of shift patterns: a community adopts the defaults in one step, a manager adds
//! and edits patterns; staff read them. Who counts as staff of a community, its time zone and
//! the crate-public reads for patrols live here too. The month grids, leave and swaps are in
//! [`roster`], handovers in [`handover`] with their system-filled items in [`sources`].

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::DutyCode;
use super::model::{self, DEFAULT_SHIFTS, Season, ShiftForSave, Times};
use super::store;
use super::store::shifts::{ShiftFields, ShiftRow};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

pub mod handover;
pub mod on_duty;
pub mod roster;
pub mod sources;

/// A shift pattern.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Shift {
    pub id: ShiftId,
    pub community_id: CommunityId,
    pub code: String,
    pub name: String,
    /// Local `HH:MM`.
    pub starts: String,
    pub ends: String,
    /// It ends the next day (it belongs to the day it starts).
    pub crosses_midnight: bool,
    /// ISO weekdays, 1 = Monday.
    pub weekdays: Vec<u32>,
    pub season: Season,
    pub team: String,
    pub min_staff: i64,
    pub active: bool,
}

impl Shift {
    pub(crate) fn times(&self) -> CoreResult<Times<'_>> {
        Ok(Times {
            starts: model::parse_time("starts", &self.starts)
                .map_err(|_| CoreError::internal(format!("shift {}: stored start", self.id)))?,
            ends: model::parse_time("ends", &self.ends)
                .map_err(|_| CoreError::internal(format!("shift {}: stored end", self.id)))?,
            weekdays: &self.weekdays,
            season: self.season,
        })
    }
}

pub(crate) fn shift_of(r: ShiftRow) -> CoreResult<Shift> {
    let s = Shift {
        id: r.id,
        community_id: r.community_id,
        crosses_midnight: r.ends <= r.starts,
        weekdays: model::weekdays_of(&r.weekdays),
        season: Season::from_stored(&r.season)?,
        code: r.code,
        name: r.name,
        starts: r.starts,
        ends: r.ends,
        team: r.team,
        min_staff: r.min_staff,
        active: r.active,
    };
    s.times()?;
    Ok(s)
}

/// A member of the community's staff (a roster row, a handover's incoming person).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StaffMember {
    pub user_id: UserId,
    pub name: String,
    pub role: String,
}

/// Every staff role of a community reaches duty pages (rosters, handovers, reporting an
/// incident); owners never do. An unreachable community is not found.
pub(crate) fn require_staff_in(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    if ctx.role == crate::auth::model::OWNER_ROLE {
        return Err(CoreError::Forbidden);
    }
    Ok(())
}

/// The community's time zone (shift times are its local times).
pub(crate) async fn tz_of(q: &mut impl Queries, ctx: &Ctx, c: CommunityId) -> CoreResult<Tz> {
    let tz = crate::registry::store::for_tickets::community_timezone(q, c, ctx.company_id)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    Ok(crate::shared::calendar::zone(&tz))
}

/// Today in the zone.
pub(crate) fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

pub(crate) async fn staff_rows(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Vec<StaffMember>> {
    Ok(crate::auth::store::for_duty::staff_of(q, ctx.company_id, c)
        .await?
        .into_iter()
        .map(|(user_id, name, role)| StaffMember {
            user_id,
            name,
            role,
        })
        .collect())
}

/// The community's staff, by name (the roster's and the handover's pickers).
pub async fn list_staff(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<StaffMember>> {
    require_staff_in(ctx, c)?;
    staff_rows(&mut core.db.read(), ctx, c).await
}

pub(crate) async fn shifts_of(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<Shift>> {
    store::shifts::list(q, c)
        .await?
        .into_iter()
        .map(shift_of)
        .collect()
}

/// The community's shift patterns in their order.
pub async fn list_shifts(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Shift>> {
    require_staff_in(ctx, c)?;
    shifts_of(&mut core.db.read(), c).await
}

/// Adopts the default patterns of the 24小时值班制度 in one step (those whose code the community
/// lacks); a community that has them all already: 409.
pub async fn adopt_default_shifts(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Vec<Shift>> {
    ctx.require_in(Perm::DutyManage, c)?;
    tz_of(&mut core.db.read(), ctx, c).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let mut added = Vec::new();
    for (code, name, starts, ends, days, season, team, min) in DEFAULT_SHIFTS {
        let f = ShiftFields {
            code,
            name,
            starts: (*starts).into(),
            ends: (*ends).into(),
            weekdays: (*days).into(),
            season: season.code(),
            team,
            min_staff: *min,
            active: true,
        };
        if store::shifts::insert(&mut tx, c, &f, now).await?.is_some() {
            added.push(*code);
        }
    }
    if added.is_empty() {
        return Err(CoreError::conflict("shifts", DutyCode::AlreadyAdopted));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "duty_shifts", c.0)
            .community(c)
            .after(&serde_json::json!({ "adopted": added })),
    )
    .await?;
    tx.commit().await?;
    shifts_of(&mut core.db.read(), c).await
}

fn fields(p: &model::Pattern) -> ShiftFields<'_> {
    ShiftFields {
        code: &p.code,
        name: &p.name,
        starts: model::hhmm(p.starts),
        ends: model::hhmm(p.ends),
        weekdays: model::weekdays_code(&p.weekdays),
        season: p.season.code(),
        team: &p.team,
        min_staff: p.min_staff,
        active: p.active,
    }
}

/// Adds a pattern (its code must be new in the community: 409 on `code` otherwise).
pub async fn create_shift(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: ShiftForSave,
) -> CoreResult<Shift> {
    ctx.require_in(Perm::DutyManage, c)?;
    let p = model::check_pattern("", &input).map_err(CoreError::Invalid)?;
    tz_of(&mut core.db.read(), ctx, c).await?;
    let mut tx = core.db.begin().await?;
    let id = store::shifts::insert(&mut tx, c, &fields(&p), Utc::now())
        .await?
        .ok_or_else(|| CoreError::conflict("code", DutyCode::DuplicateShift))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "duty_shift", id.0)
            .community(c)
            .after(&serde_json::json!({ "code": p.code, "name": p.name })),
    )
    .await?;
    tx.commit().await?;
    store::shifts::get(&mut core.db.read(), id)
        .await?
        .ok_or(CoreError::NotFound("shift"))
        .and_then(shift_of)
}

/// Edits a pattern; its code stays (the roster keeps it).
pub async fn update_shift(
    core: &Core,
    ctx: &Ctx,
    id: ShiftId,
    mut input: ShiftForSave,
) -> CoreResult<Shift> {
    let r = store::shifts::get(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("shift"))?;
    ctx.require_in(Perm::DutyManage, r.community_id)?;
    input.code = r.code.clone();
    let p = model::check_pattern("", &input).map_err(CoreError::Invalid)?;
    let mut tx = core.db.begin().await?;
    store::shifts::update(&mut tx, r.community_id, id, &fields(&p), Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "duty_shift", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "name": r.name, "starts": r.starts, "ends": r.ends }))
            .after(
                &serde_json::json!({ "name": p.name, "starts": model::hhmm(p.starts),
                "ends": model::hhmm(p.ends) }),
            ),
    )
    .await?;
    tx.commit().await?;
    store::shifts::get(&mut core.db.read(), id)
        .await?
        .ok_or(CoreError::NotFound("shift"))
        .and_then(shift_of)
}

/// A shift for a picker: code, name, local start and end.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ShiftPick {
    pub code: String,
    pub name: String,
    pub starts: String,
    pub ends: String,
}

/// The community's active shift patterns for a picker (crate-public: patrol plans choose the
/// shift a round belongs to).
// Called by the patrols module (built in parallel, merged by the lead).
#[allow(dead_code)]
pub(crate) async fn shift_picker(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<ShiftPick>> {
    Ok(store::shifts::picker(tx, c)
        .await?
        .into_iter()
        .map(|(code, name, starts, ends)| ShiftPick {
            code,
            name,
            starts,
            ends,
        })
        .collect())
}

/// The people on a shift of a day, leaving out those on leave (crate-public: patrols give
/// rounds to them).
pub(crate) async fn people_on_shift(
    tx: &mut impl Queries,
    community: CommunityId,
    shift_code: &str,
    day: NaiveDate,
) -> CoreResult<Vec<UserId>> {
    store::roster::people_on_shift(tx, community, shift_code, day).await
}

/// Who is on leave between two days in these communities: (community, person, first day, last
/// day) — patrols give no round to them.
pub(crate) async fn leaves_in(
    q: &mut impl Queries,
    communities: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<(CommunityId, UserId, NaiveDate, NaiveDate)>> {
    store::roster::leaves_in(q, communities, from, to).await
}

/// Whether a person is on leave that day.
#[allow(dead_code)]
pub(crate) async fn on_leave(
    tx: &mut Tx,
    community: CommunityId,
    user: UserId,
    day: NaiveDate,
) -> CoreResult<bool> {
    store::roster::on_leave(tx, community, user, day).await
}
