//! Applications: the desk records one for an owner of the unit, or the owner applies in the
//! portal; a manager approves it once — its fees posted as charges of the unit, its deposit fixed
//! — or refuses it with a reason; it is cancelled before the permit while no money is taken.

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::DecorationCode;
use super::super::model::{self, DecorationState};
use super::super::store::{self, Decision, NewDecoration};
use super::{Decoration, reached, record_and_view, settings_of, state_of, view, yuan_in};
use crate::db::Tx;
use crate::frontdesk::{
    Resident, optional_phone, require_desk, require_manage, required_desk_unit, unit_person,
};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// How far ahead works may start.
const MAX_DAYS_AHEAD: i64 = 90;
/// Workers named on one application.
const MAX_WORKERS: usize = 50;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct WorkerForCreate {
    pub name: String,
    /// 水电工, 木工, 泥瓦工 …
    #[serde(default)]
    pub trade: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
}

/// What the works are: the same at the desk and in the portal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationWorks {
    /// The contractor (施工单位), or the owner's own name when he hires workers himself.
    pub contractor: String,
    /// Its licence or qualification number.
    #[serde(default)]
    pub contractor_licence: Option<String>,
    /// Who answers for the site (现场负责人).
    pub foreman: String,
    #[serde(default)]
    pub foreman_phone: Option<String>,
    /// What is done (施工内容及范围).
    pub scope: String,
    /// From today, within 90 days.
    pub starts_on: NaiveDate,
    /// Within the community's longest period.
    pub ends_on: NaiveDate,
    #[serde(default)]
    pub workers: Vec<WorkerForCreate>,
    /// The fire-safety responsibility letter (防火责任书) is signed.
    #[serde(default)]
    pub fire_letter_signed: bool,
}

/// The desk records an owner's application.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as typed (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// An owner of the unit; or his name as registered.
    #[serde(default)]
    pub applicant_id: Option<PersonId>,
    #[serde(default)]
    pub applicant_name: Option<String>,
    #[serde(flatten)]
    pub works: DecorationWorks,
}

/// The owner applies in the portal.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationRequest {
    /// One of the units he owns.
    pub unit_id: UnitId,
    #[serde(flatten)]
    pub works: DecorationWorks,
}

/// A manager's approval: the money defaults to the community's settings (the management fee on
/// the unit's building area).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationApproval {
    /// Yuan.
    #[serde(default)]
    pub deposit: Option<String>,
    #[serde(default)]
    pub management_fee: Option<String>,
    #[serde(default)]
    pub rubbish_fee: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationRefusal {
    pub reason: String,
}

struct Checked {
    contractor: String,
    licence: Option<String>,
    foreman: String,
    foreman_phone_enc: Option<Vec<u8>>,
    scope: String,
    workers: Vec<(String, Option<String>, Option<Vec<u8>>)>,
}

/// Checks the works against the community's settings; problems pushed, named.
fn check_works(
    core: &Core,
    w: &DecorationWorks,
    today: NaiveDate,
    max_days: i64,
    errs: &mut Vec<FieldError>,
) -> Checked {
    let mut text = |field: &str, raw: &str, max: usize| {
        required_text(field, raw, max)
            .map_err(|e| errs.push(e))
            .unwrap_or_default()
    };
    let contractor = text("contractor", &w.contractor, 100);
    let foreman = text("foreman", &w.foreman, 40);
    let scope = text("scope", &w.scope, 1000);
    let licence = optional_text("contractor_licence", w.contractor_licence.as_deref(), 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let foreman_phone_enc = optional_phone("foreman_phone", w.foreman_phone.as_deref(), errs)
        .map(|p| core.crypto.encrypt(p.as_str()));
    if w.starts_on < today || w.starts_on > today + Duration::days(MAX_DAYS_AHEAD) {
        errs.push(
            FieldError::new("starts_on", DecorationCode::StartRange).with("max", MAX_DAYS_AHEAD),
        );
    } else if w.ends_on < w.starts_on || model::period_days(w.starts_on, w.ends_on) > max_days {
        errs.push(FieldError::new("ends_on", DecorationCode::PeriodRange).with("max", max_days));
    }
    if w.workers.len() > MAX_WORKERS {
        errs.push(
            FieldError::new("workers", DecorationCode::WorkersRange).with("max", MAX_WORKERS),
        );
    }
    let mut workers = Vec::new();
    for (i, x) in w.workers.iter().take(MAX_WORKERS).enumerate() {
        let name = required_text(&format!("workers[{i}].name"), &x.name, 40)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
        let trade = optional_text(&format!("workers[{i}].trade"), x.trade.as_deref(), 20)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
        let phone = optional_phone(&format!("workers[{i}].phone"), x.phone.as_deref(), errs)
            .map(|p| core.crypto.encrypt(p.as_str()));
        workers.push((name, trade, phone));
    }
    Checked {
        contractor,
        licence,
        foreman,
        foreman_phone_enc,
        scope,
        workers,
    }
}

/// Writes the application (ZX-000001) with its workers, refusing a unit that has one applied for
/// or under way.
async fn write_application(
    core: &Core,
    mut tx: Tx,
    ctx: &Ctx,
    c: CommunityId,
    (unit, applicant, applicant_name, source): (UnitId, PersonId, &str, &str),
    w: &DecorationWorks,
    k: Checked,
) -> CoreResult<Decoration> {
    if let Some((_, number)) = store::live_of_unit(&mut tx, c, unit).await? {
        return Err(CoreError::Conflict(
            FieldError::new("unit_id", DecorationCode::UnitBusy).with("number", number),
        ));
    }
    let n = crate::shared::store::advance_counter(&mut tx, c, "decoration", 1).await?;
    let number = format!("ZX-{n:06}");
    let id = store::insert(
        &mut tx,
        c,
        &NewDecoration {
            number: &number,
            unit,
            applicant,
            applicant_name,
            source,
            contractor: &k.contractor,
            contractor_licence: k.licence.as_deref(),
            foreman: &k.foreman,
            foreman_phone_enc: k.foreman_phone_enc,
            scope: &k.scope,
            starts_on: w.starts_on,
            ends_on: w.ends_on,
            fire_letter_signed: w.fire_letter_signed,
        },
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    for (name, trade, phone) in k.workers {
        store::insert_worker(&mut tx, c, id, &name, trade.as_deref(), phone).await?;
    }
    record_and_view(core, tx, ctx, id, "decoration", None).await
}

/// The desk records an owner's application (`frontdesk.work`).
pub async fn apply_decoration(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: DecorationForCreate,
) -> CoreResult<Decoration> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let unit = required_desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        &mut errs,
    )
    .await?;
    let mut tx = core.db.begin().await?;
    let who = unit_person(
        &mut tx,
        c,
        unit,
        Resident {
            person: input.applicant_id,
            name: input
                .applicant_name
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            phone_enc: None,
        },
        ("applicant_id", "applicant_name"),
        crate::frontdesk::error::FrontdeskCode::PermitApplicantRequired,
        &mut errs,
    )
    .await?;
    if let (Some(u), Some(p)) = (unit, who.person)
        && !crate::registry::store::for_frontdesk::owns(&mut tx, u, p).await?
    {
        errs.push(FieldError::new("applicant_id", DecorationCode::NotOwner));
    } else if unit.is_some()
        && who.person.is_none()
        && !errs.iter().any(|e| e.field.starts_with("applicant"))
    {
        errs.push(FieldError::new("applicant_name", DecorationCode::NotOwner));
    }
    let s = settings_of(&mut tx, c).await?;
    let today = crate::frontdesk::today_in(crate::frontdesk::tz_of(&mut tx, ctx, c).await?);
    let k = check_works(core, &input.works, today, s.max_days, &mut errs);
    let (Some(unit), Some(person), Some(name)) = (unit, who.person, who.name) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    write_application(
        core,
        tx,
        ctx,
        c,
        (unit, person, &name, "desk"),
        &input.works,
        k,
    )
    .await
}

/// The owner applies in the portal for one of the units he owns.
pub async fn request_decoration(
    core: &Core,
    ctx: &Ctx,
    input: DecorationRequest,
) -> CoreResult<Decoration> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let owned = me
        .units
        .iter()
        .any(|u| u.unit_id == input.unit_id && u.relation == "owner");
    let mut errs = Vec::new();
    if !owned {
        errs.push(FieldError::new("unit_id", DecorationCode::NotOwner));
    }
    let mut tx = core.db.begin().await?;
    let s = settings_of(&mut tx, c).await?;
    let today = crate::frontdesk::today_in(crate::frontdesk::tz_of(&mut tx, ctx, c).await?);
    let k = check_works(core, &input.works, today, s.max_days, &mut errs);
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let name = me.name.clone();
    write_application(
        core,
        tx,
        ctx,
        c,
        (input.unit_id, me.person_id, &name, "portal"),
        &input.works,
        k,
    )
    .await
}

/// The decorations of the units the owner is on, newest first.
pub async fn my_decorations(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Decoration>> {
    let me = crate::portal::profile(core, ctx).await?;
    let units: Vec<UnitId> = me.units.iter().map(|u| u.unit_id).collect();
    let mut tx = core.db.begin().await?;
    let rows = store::of_units(&mut tx, &units).await?;
    let mut out = Vec::new();
    for r in rows {
        out.push(view(core, &mut tx, ctx, r.id).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// The owner withdraws his application before it is decided.
pub async fn cancel_my_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
) -> CoreResult<Decoration> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut tx = core.db.begin().await?;
    let r = store::get(&mut tx, id)
        .await?
        .filter(|r| me.units.iter().any(|u| u.unit_id == r.unit_id))
        .ok_or(CoreError::NotFound("decoration"))?;
    if state_of(&r)? != DecorationState::Applied {
        return Err(CoreError::conflict("state", DecorationCode::NotCancellable));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    if store::set_state(&mut tx, id, "applied", "cancelled").await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotCancellable));
    }
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// A manager approves an application once (`frontdesk.manage`): the fire-safety letter signed,
/// its fees posted as charges of the unit, its deposit fixed.
pub async fn approve_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationApproval,
) -> CoreResult<Decoration> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    require_manage(ctx, c)?;
    if state_of(&r)? != DecorationState::Applied {
        return Err(CoreError::conflict("state", DecorationCode::NotApplied));
    }
    let s = settings_of(&mut tx, c).await?;
    let area = crate::registry::store::for_frontdesk::unit_area(&mut tx, c, r.unit_id)
        .await?
        .unwrap_or(0);
    let mut errs = Vec::new();
    let mut amount = |field: &str, raw: &Option<String>, default: i64, max: i64| match raw
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(raw) => yuan_in(field, raw, max)
            .map_err(|e| errs.push(e))
            .unwrap_or(0),
        None => default,
    };
    let deposit = amount("deposit", &input.deposit, s.deposit_fen, 10_000_000);
    let management = amount(
        "management_fee",
        &input.management_fee,
        model::management_fee(area, s.management_fee_per_m2_fen),
        10_000_000,
    );
    let rubbish = amount(
        "rubbish_fee",
        &input.rubbish_fee,
        s.rubbish_fee_fen,
        1_000_000,
    );
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !r.fire_letter_signed {
        errs.push(FieldError::new(
            "fire_letter_signed",
            DecorationCode::FireLetter,
        ));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let mut charge = async |what: &str, fen: i64, basis: String| -> CoreResult<Option<i64>> {
        if fen == 0 {
            return Ok(None);
        }
        let desc = format!("{what}（{} {}）", r.number, r.unit_label);
        crate::billing::ledger::charge_decoration_in(&mut tx, ctx, c, r.unit_id, &desc, basis, fen)
            .await
            .map(Some)
    };
    let m = charge(
        "装修管理费",
        management,
        format!(
            "{} m² × ¥{}",
            crate::shared::values::Area(area),
            crate::shared::money::Money(s.management_fee_per_m2_fen)
        ),
    )
    .await?;
    let g = charge("垃圾清运费", rubbish, "按户".into()).await?;
    let d = Decision {
        state: "approved",
        note: note.as_deref(),
        money: Some((deposit, management, rubbish)),
        charges: (m, g),
    };
    if store::decide(&mut tx, id, &d, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotApplied));
    }
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// A manager refuses an application once, with why.
pub async fn refuse_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationRefusal,
) -> CoreResult<Decoration> {
    let reason =
        required_text("reason", &input.reason, 500).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    require_manage(ctx, r.community_id)?;
    if state_of(&r)? != DecorationState::Applied {
        return Err(CoreError::conflict("state", DecorationCode::NotApplied));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let d = Decision {
        state: "refused",
        note: Some(&reason),
        money: None,
        charges: (None, None),
    };
    if store::decide(&mut tx, id, &d, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotApplied));
    }
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// The desk cancels an application before the permit (`frontdesk.work`): an approved one's
/// fees are withdrawn (红冲) while nothing is paid on them and no deposit is taken.
pub async fn cancel_decoration(core: &Core, ctx: &Ctx, id: DecorationId) -> CoreResult<Decoration> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let state = state_of(&r)?;
    if !matches!(state, DecorationState::Applied | DecorationState::Approved) {
        return Err(CoreError::conflict("state", DecorationCode::NotCancellable));
    }
    if r.deposit_id.is_some() {
        return Err(CoreError::conflict("deposit", DecorationCode::MoneyTaken));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let why = format!("装修申请 {} 撤销", r.number);
    for (field, ch) in [
        ("management_fee", r.management_charge_id),
        ("rubbish_fee", r.rubbish_charge_id),
    ] {
        if let Some(ch) = ch
            && !crate::billing::ledger::withdraw_service_in(&mut tx, ctx, c, ch, &why).await?
        {
            return Err(CoreError::conflict(field, DecorationCode::MoneyTaken));
        }
    }
    if store::set_state(&mut tx, id, state.code(), "cancelled").await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotCancellable));
    }
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}
