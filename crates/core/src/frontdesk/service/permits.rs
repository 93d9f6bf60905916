//! After-hours work permits (非办公时间加班, seed 000, issue 15 point 10): the desk issues a
//! numbered permit (JB-000001) for work in a unit outside the centre's hours — the applicant a
//! person of the unit, who works and what, from when to when (at most a day, starting within 30
//! days) — the guard looks it up by its number and sees whether it is in force now; the desk
//! revokes it once, with why.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::store::services::{self as store, NewPermit, PermitRow};
use super::{
    Resident, require_desk, required_desk_unit, staff_names, today_in, tz_of, unit_person,
};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// The longest a permit runs.
const MAX_HOURS: i64 = 24;
/// How far ahead a permit starts.
const MAX_DAYS_AHEAD: i64 = 30;

/// An after-hours work permit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AfterHoursPermit {
    pub id: AfterHoursPermitId,
    pub community_id: CommunityId,
    /// JB-000001: what the guard types.
    pub number: String,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub applicant_id: Option<PersonId>,
    pub applicant_name: String,
    /// Who works (names, a company, how many).
    pub workers: String,
    /// What is done.
    pub work: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Not revoked and now within its time.
    pub in_force: bool,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoke_reason: Option<String>,
    pub issued_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PermitForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit; or his registered name.
    #[serde(default)]
    pub applicant_id: Option<PersonId>,
    #[serde(default)]
    pub applicant_name: Option<String>,
    /// 装修队 3 人（王师傅等）…
    pub workers: String,
    /// 铺地砖, 安装空调 …
    pub work: String,
    pub starts_at: DateTime<Utc>,
    /// After the start, within 24 hours.
    pub ends_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PermitRevoke {
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PermitFilter {
    /// The local day whose permits are listed (default today, community time).
    pub day: Option<NaiveDate>,
}

fn permit_of(
    r: PermitRow,
    names: &std::collections::HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> AfterHoursPermit {
    AfterHoursPermit {
        in_force: r.revoked_at.is_none() && r.starts_at <= now && now < r.ends_at,
        issued_by_name: r
            .created_by
            .map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
        id: r.id,
        community_id: r.community_id,
        number: r.number,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        applicant_id: r.applicant_id,
        applicant_name: r.applicant_name,
        workers: r.workers,
        work: r.work,
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        revoked_at: r.revoked_at,
        revoke_reason: r.revoke_reason,
        created_at: r.created_at,
    }
}

async fn view(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: AfterHoursPermitId,
) -> CoreResult<AfterHoursPermit> {
    let r = store::permit(q, id)
        .await?
        .ok_or(CoreError::NotFound("after_hours_permit"))?;
    let names = staff_names(q, ctx, r.community_id).await?;
    Ok(permit_of(r, &names, Utc::now()))
}

/// Issues a permit at the desk (`frontdesk.work`) for a person of the unit.
pub async fn issue_permit(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: PermitForCreate,
) -> CoreResult<AfterHoursPermit> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let workers = required_text("workers", &input.workers, 100)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let work = required_text("work", &input.work, 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let now = Utc::now();
    if input.starts_at < now - Duration::days(1)
        || input.starts_at > now + Duration::days(MAX_DAYS_AHEAD)
    {
        errs.push(
            FieldError::new("starts_at", FrontdeskCode::PermitStartRange)
                .with("max", MAX_DAYS_AHEAD),
        );
    }
    if input.ends_at <= input.starts_at
        || input.ends_at > input.starts_at + Duration::hours(MAX_HOURS)
    {
        errs.push(FieldError::new("ends_at", FrontdeskCode::PermitSpan).with("max", MAX_HOURS));
    }
    let typed = optional_text("applicant_name", input.applicant_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let unit = required_desk_unit(
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
            person: input.applicant_id,
            name: typed,
            phone_enc: None,
        },
        ("applicant_id", "applicant_name"),
        FrontdeskCode::PermitApplicantRequired,
        &mut errs,
    )
    .await?;
    // The applicant is a person of the unit, not just a name.
    if unit.is_some() && who.person.is_none() && who.name.is_some() {
        errs.push(FieldError::new(
            "applicant_name",
            FrontdeskCode::PermitNotOfUnit,
        ));
    }
    let (Some(unit), Some(name), true) = (unit, who.name, errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let mut tx = core.db.begin().await?;
    let n = crate::shared::store::advance_counter(&mut tx, c, "after_hours", 1).await?;
    let number = format!("JB-{n:06}");
    let id = store::insert_permit(
        &mut tx,
        c,
        NewPermit {
            number: &number,
            unit,
            applicant: who.person,
            applicant_name: &name,
            workers: &workers,
            work: &work,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    let v = view(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "after_hours_permit", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The permit of this number (JB-000001, case ignored), as the guard types it.
pub async fn permit_by_number(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    number: &str,
) -> CoreResult<AfterHoursPermit> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let r = store::permit_by_number(&mut q, c, &number.trim().to_uppercase())
        .await?
        .ok_or(CoreError::NotFound("after_hours_permit"))?;
    let names = staff_names(&mut q, ctx, c).await?;
    Ok(permit_of(r, &names, Utc::now()))
}

/// The permits running on a day (default today), by start (`frontdesk.work`).
pub async fn list_permits(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: PermitFilter,
) -> CoreResult<Vec<AfterHoursPermit>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let day = f.day.unwrap_or_else(|| today_in(tz));
    super::venues::check_day("day", day, today_in(tz))?;
    let midnight = chrono::NaiveTime::MIN;
    let from = crate::shared::calendar::local_to_utc(tz, day, midnight);
    let to = crate::shared::calendar::local_to_utc(tz, day + Duration::days(1), midnight);
    let rows = store::permits(&mut q, c, from, to, 500).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    let now = Utc::now();
    Ok(rows
        .into_iter()
        .map(|r| permit_of(r, &names, now))
        .collect())
}

/// Revokes a permit once, with why (`frontdesk.work`).
pub async fn revoke_permit(
    core: &Core,
    ctx: &Ctx,
    id: AfterHoursPermitId,
    input: PermitRevoke,
) -> CoreResult<AfterHoursPermit> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = store::permit(&mut tx, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("after_hours_permit"))?;
    let c = r.community_id;
    require_desk(ctx, c).map_err(|_| CoreError::NotFound("after_hours_permit"))?;
    if store::revoke_permit(&mut tx, c, id, ctx.actor(), &reason, now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::PermitRevoked));
    }
    let v = view(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "after_hours_permit", id.0)
            .community(c)
            .before(&serde_json::json!({"revoked_at": null}))
            .after(&serde_json::json!({"revoked_at": now, "reason": reason})),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
