//! Large items released (大件物品放行, issue 15 point 5). An owner or a tenant applies in the
//! portal (the slip waits for the desk) or at the desk (checked at once); the desk checks the
//! applicant against the unit's people, records the owner's consent for a tenant, and applies
//! the community's arrears rule (billing's settings: refused while the unit owes past due, unless
//! a manager lets it through with a reason; otherwise the sum is only shown). The approved slip
//! has a number (FX-000001) the guard scans or types; he marks it passed once, on its day.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{AuthorisationHow, ReleaseState};
use super::super::store::releases::{self as store, Check, NewSlip, SlipRow};
use super::{desk_unit, require_desk, staff_names, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::registry::model::Relation;
use crate::registry::store::for_frontdesk as registry;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

/// How far ahead a move may be planned.
const MAX_DAYS_AHEAD: i64 = 30;

/// A release slip.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReleaseSlip {
    pub id: ReleaseSlipId,
    pub community_id: CommunityId,
    /// FX-000001: what the guard scans or types.
    pub number: String,
    pub unit_id: UnitId,
    /// "1栋-1801".
    pub unit_label: String,
    pub applicant_id: PersonId,
    pub applicant_name: String,
    /// owner, member, tenant.
    pub relation: String,
    /// What goes out (沙发一张、冰箱一台 …).
    pub items: String,
    pub vehicle_plate: Option<String>,
    /// When it is to be moved; the slip is valid on that local day.
    pub planned_at: DateTime<Utc>,
    pub planned_day: NaiveDate,
    /// `portal` or `desk`.
    pub source: String,
    pub state: ReleaseState,
    /// For a tenant: how the owner consented (written, phone_call, in_person).
    pub owner_consent: Option<String>,
    pub consent_note: Option<String>,
    /// What the unit owed past due when the desk checked it (fen).
    pub arrears_fen: Option<i64>,
    /// A manager's reason for releasing despite arrears.
    pub arrears_override: Option<String>,
    pub checked_by_name: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub refuse_reason: Option<String>,
    pub passed_by_name: Option<String>,
    pub passed_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReleaseForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit; or else his name as registered.
    #[serde(default)]
    pub applicant_id: Option<PersonId>,
    #[serde(default)]
    pub applicant_name: Option<String>,
    pub items: String,
    #[serde(default)]
    pub vehicle_plate: Option<String>,
    /// From today, within 30 days.
    pub planned_at: DateTime<Utc>,
    /// For a tenant: how the owner consented (written, phone_call, in_person).
    #[serde(default)]
    pub owner_consent: Option<String>,
    #[serde(default)]
    pub consent_note: Option<String>,
    /// A manager's reason for releasing despite arrears the community's rule refuses.
    #[serde(default)]
    pub arrears_override: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReleaseRequest {
    /// One of the owner's (or tenant's) units.
    pub unit_id: UnitId,
    pub items: String,
    #[serde(default)]
    pub vehicle_plate: Option<String>,
    pub planned_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReleaseCheck {
    #[serde(default)]
    pub owner_consent: Option<String>,
    #[serde(default)]
    pub consent_note: Option<String>,
    #[serde(default)]
    pub arrears_override: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReleaseRefusal {
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReleaseFilter {
    /// The planned day (default today, local).
    pub day: Option<NaiveDate>,
    /// pending, approved, refused, passed.
    pub state: Option<String>,
}

fn local_day(t: DateTime<Utc>, tz: Tz) -> NaiveDate {
    t.with_timezone(&tz).date_naive()
}

fn slip_of(
    r: SlipRow,
    names: &std::collections::HashMap<UserId, String>,
    tz: Tz,
) -> CoreResult<ReleaseSlip> {
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    Ok(ReleaseSlip {
        state: ReleaseState::from_stored(&r.state)?,
        planned_day: local_day(r.planned_at, tz),
        checked_by_name: name(r.checked_by),
        passed_by_name: name(r.passed_by),
        id: r.id,
        community_id: r.community_id,
        number: r.number,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        applicant_id: r.applicant_id,
        applicant_name: r.applicant_name,
        relation: r.relation,
        items: r.items,
        vehicle_plate: r.vehicle_plate,
        planned_at: r.planned_at,
        source: r.source,
        owner_consent: r.owner_consent,
        consent_note: r.consent_note,
        arrears_fen: r.arrears_fen,
        arrears_override: r.arrears_override,
        checked_at: r.checked_at,
        refuse_reason: r.refuse_reason,
        passed_at: r.passed_at,
        created_at: r.created_at,
    })
}

async fn view(q: &mut impl Queries, ctx: &Ctx, id: ReleaseSlipId) -> CoreResult<ReleaseSlip> {
    let r = store::get(q, id)
        .await?
        .ok_or(CoreError::NotFound("release_slip"))?;
    let names = staff_names(q, ctx, r.community_id).await?;
    let tz = tz_of(q, ctx, r.community_id).await?;
    slip_of(r, &names, tz)
}

/// What is asked of every slip: the items, the plate, a planned time from today within 30 days.
fn check_slip(
    items: &str,
    plate: Option<&str>,
    planned_at: DateTime<Utc>,
    tz: Tz,
    errs: &mut Vec<FieldError>,
) -> (String, Option<String>) {
    let items = required_text("items", items, 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let plate = optional_text("vehicle_plate", plate, 12)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let today = local_day(Utc::now(), tz);
    let day = local_day(planned_at, tz);
    if day < today || day > today + Duration::days(MAX_DAYS_AHEAD) {
        errs.push(
            FieldError::new("planned_at", FrontdeskCode::ReleasePlannedRange)
                .with("max", MAX_DAYS_AHEAD),
        );
    }
    (items, plate)
}

/// The desk's check of a slip: the owner's consent for a tenant, the arrears rule. `Ok` with
/// what to record, or the refusal, named.
async fn desk_check(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    relation: &str,
    input: &ReleaseCheck,
    tz: Tz,
) -> CoreResult<(
    Option<AuthorisationHow>,
    Option<String>,
    i64,
    Option<String>,
)> {
    let mut errs = Vec::new();
    let consent = match input
        .owner_consent
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(h) => AuthorisationHow::parse("owner_consent", h)
            .map_err(|e| errs.push(e))
            .ok(),
        None => None,
    };
    if relation == Relation::Tenant.code() && consent.is_none() && errs.is_empty() {
        errs.push(FieldError::new(
            "owner_consent",
            FrontdeskCode::ReleaseConsentRequired,
        ));
    }
    let note = optional_text("consent_note", input.consent_note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let over = optional_text("arrears_override", input.arrears_override.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    // Past due: the charges whose due date has passed, and the late fees on them.
    let today = local_day(Utc::now(), tz);
    let owed = crate::billing::ledger::owed_in(tx, c, unit).await?;
    let arrears: i64 = owed
        .charges
        .iter()
        .filter(|ch| ch.due_date < today)
        .map(|ch| ch.outstanding())
        .sum::<i64>()
        + owed.late_fee_fen;
    let blocks = crate::billing::setup::settings_in(tx, c)
        .await?
        .release_blocks_arrears;
    if blocks && arrears > 0 {
        match &over {
            None => {
                return Err(CoreError::Conflict(
                    FieldError::new("arrears_override", FrontdeskCode::ReleaseArrears)
                        .with("owed", Money(arrears).to_string()),
                ));
            }
            Some(_) if ctx.require_in(Perm::FrontdeskManage, c).is_err() => {
                return Err(CoreError::invalid(
                    "arrears_override",
                    FrontdeskCode::ReleaseOverrideManager,
                ));
            }
            Some(_) => {}
        }
    }
    let over = over.filter(|_| blocks && arrears > 0);
    Ok((consent, note, arrears, over))
}

async fn next_number(tx: &mut Tx, c: CommunityId) -> CoreResult<String> {
    let n = crate::shared::store::advance_counter(tx, c, "release", 1).await?;
    Ok(format!("FX-{n:06}"))
}

/// Issues a slip at the desk (`frontdesk.work`): the applicant found among the unit's people,
/// checked at once (consent, arrears), approved with its number — or refused, named, nothing
/// written.
pub async fn issue_release(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: ReleaseForCreate,
) -> CoreResult<ReleaseSlip> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let unit = desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        &mut errs,
    )
    .await?;
    if unit.is_none() && errs.is_empty() {
        errs.push(FieldError::new(
            "unit_label",
            crate::shared::error::CommonCode::Required,
        ));
    }
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let (items, plate) = check_slip(
        &input.items,
        input.vehicle_plate.as_deref(),
        input.planned_at,
        tz,
        &mut errs,
    );
    let name = optional_text("applicant_name", input.applicant_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut applicant = input.applicant_id;
    if let (None, Some(u), Some(n)) = (applicant, unit, name.as_deref())
        && let [p] = registry::unit_people_named(&mut q, c, u, n).await?[..]
    {
        applicant = Some(p);
    }
    let relation = match (applicant, unit) {
        (Some(p), Some(u)) => registry::relation_of(&mut q, c, u, p).await?,
        _ => None,
    };
    if relation.is_none() && unit.is_some() {
        let field = if input.applicant_id.is_some() {
            "applicant_id"
        } else {
            "applicant_name"
        };
        errs.push(FieldError::new(field, FrontdeskCode::ReleaseNotOfUnit));
    }
    drop(q);
    let (Some(unit), Some(applicant), Some(relation)) = (unit, applicant, relation) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let check = ReleaseCheck {
        owner_consent: input.owner_consent.clone(),
        consent_note: input.consent_note.clone(),
        arrears_override: input.arrears_override.clone(),
    };
    let (consent, note, arrears, over) =
        desk_check(&mut tx, ctx, c, unit, &relation, &check, tz).await?;
    let number = next_number(&mut tx, c).await?;
    let id = store::insert(
        &mut tx,
        c,
        &NewSlip {
            number: &number,
            unit,
            applicant,
            relation: &relation,
            items: &items,
            plate: plate.as_deref(),
            planned_at: input.planned_at,
            source: "desk",
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    let k = Check {
        consent: consent.map(|h| h.code()),
        consent_note: note.as_deref(),
        arrears_fen: arrears,
        arrears_override: over.as_deref(),
        by: ctx.actor(),
    };
    store::approve(&mut tx, c, id, &k, now).await?;
    let v = view(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "release_slip", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// An owner's or tenant's application in the portal, for one of his units: it waits for the
/// desk's check.
pub async fn request_release(
    core: &Core,
    ctx: &Ctx,
    input: ReleaseRequest,
) -> CoreResult<ReleaseSlip> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let Some(unit) = me.units.iter().find(|u| u.unit_id == input.unit_id) else {
        return Err(CoreError::invalid(
            "unit_id",
            FrontdeskCode::ReleaseNotOfUnit,
        ));
    };
    let mut errs = Vec::new();
    let tz = tz_of(&mut core.db.read(), ctx, c).await?;
    let (items, plate) = check_slip(
        &input.items,
        input.vehicle_plate.as_deref(),
        input.planned_at,
        tz,
        &mut errs,
    );
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let number = next_number(&mut tx, c).await?;
    let id = store::insert(
        &mut tx,
        c,
        &NewSlip {
            number: &number,
            unit: unit.unit_id,
            applicant: me.person_id,
            relation: &unit.relation,
            items: &items,
            plate: plate.as_deref(),
            planned_at: input.planned_at,
            source: "portal",
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    let v = view(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "release_slip", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: ReleaseSlipId) -> CoreResult<SlipRow> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("release_slip"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("release_slip"))?;
    Ok(r)
}

/// A slip.
pub async fn get_release(core: &Core, ctx: &Ctx, id: ReleaseSlipId) -> CoreResult<ReleaseSlip> {
    let mut q = core.db.read();
    reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, id).await
}

/// The slip of this number in the community (the guard scans or types it).
pub async fn release_by_number(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    number: &str,
) -> CoreResult<ReleaseSlip> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let r = store::by_number(&mut q, c, &number.trim().to_uppercase())
        .await?
        .ok_or(CoreError::NotFound("release_slip"))?;
    view(&mut q, ctx, r.id).await
}

/// The desk checks an application from the portal (`frontdesk.work`): consent, arrears; once.
pub async fn approve_release(
    core: &Core,
    ctx: &Ctx,
    id: ReleaseSlipId,
    input: ReleaseCheck,
) -> CoreResult<ReleaseSlip> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if r.state != ReleaseState::Pending.code() {
        return Err(CoreError::conflict("id", FrontdeskCode::ReleaseNotPending));
    }
    let tz = tz_of(&mut tx, ctx, c).await?;
    let (consent, note, arrears, over) =
        desk_check(&mut tx, ctx, c, r.unit_id, &r.relation, &input, tz).await?;
    let k = Check {
        consent: consent.map(|h| h.code()),
        consent_note: note.as_deref(),
        arrears_fen: arrears,
        arrears_override: over.as_deref(),
        by: ctx.actor(),
    };
    if store::approve(&mut tx, c, id, &k, now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::ReleaseNotPending));
    }
    let v = view(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "release_slip", id.0)
            .community(c)
            .before(&serde_json::json!({"state": r.state}))
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The desk refuses an application, with the reason the applicant sees.
pub async fn refuse_release(
    core: &Core,
    ctx: &Ctx,
    id: ReleaseSlipId,
    input: ReleaseRefusal,
) -> CoreResult<ReleaseSlip> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if store::refuse(&mut tx, c, id, &reason, ctx.actor(), now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::ReleaseNotPending));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "release_slip", id.0)
            .community(c)
            .before(&serde_json::json!({"state": r.state}))
            .after(&serde_json::json!({"state": "refused", "reason": reason})),
    )
    .await?;
    let v = view(&mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The guard lets the items out on an approved slip, on its day, once.
pub async fn pass_release(core: &Core, ctx: &Ctx, id: ReleaseSlipId) -> CoreResult<ReleaseSlip> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let tz = tz_of(&mut tx, ctx, c).await?;
    let refusal = |code| CoreError::conflict("id", code);
    match ReleaseState::from_stored(&r.state)? {
        ReleaseState::Approved => {}
        ReleaseState::Passed => return Err(refusal(FrontdeskCode::ReleasePassed)),
        _ => return Err(refusal(FrontdeskCode::ReleaseNotApproved)),
    }
    let day = local_day(r.planned_at, tz);
    if day != local_day(now, tz) {
        return Err(CoreError::Invalid(vec![
            FieldError::new("id", FrontdeskCode::ReleaseWrongDay).with("day", day.to_string()),
        ]));
    }
    if store::pass(&mut tx, c, id, ctx.actor(), now).await? != 1 {
        return Err(refusal(FrontdeskCode::ReleasePassed));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "release_slip", id.0)
            .community(c)
            .before(&serde_json::json!({"state": "approved"}))
            .after(&serde_json::json!({"state": "passed"})),
    )
    .await?;
    let v = view(&mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The community's slips of a day (default today), by planned time.
pub async fn list_releases(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: ReleaseFilter,
) -> CoreResult<Vec<ReleaseSlip>> {
    require_desk(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(ReleaseState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let day = f.day.unwrap_or_else(|| local_day(Utc::now(), tz));
    let midnight = chrono::NaiveTime::MIN;
    let from = crate::shared::calendar::local_to_utc(tz, day, midnight);
    let to = crate::shared::calendar::local_to_utc(tz, day + Duration::days(1), midnight);
    let rows = store::list(&mut q, c, state.map(|s| s.code()), from, to).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    rows.into_iter().map(|r| slip_of(r, &names, tz)).collect()
}

/// The applicant's slips in the portal, newest first (staff names left out).
pub async fn my_releases(core: &Core, ctx: &Ctx) -> CoreResult<Vec<ReleaseSlip>> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, me.community_id).await?;
    let none = Default::default();
    store::of_applicant(&mut q, me.community_id, me.person_id)
        .await?
        .into_iter()
        .map(|r| {
            slip_of(r, &none, tz).map(|mut v| {
                v.checked_by_name = None;
                v.passed_by_name = None;
                v
            })
        })
        .collect()
}
