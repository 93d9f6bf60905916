//! The works: the cashier takes the deposit, the desk issues the permit once the money is in,
//! inspects the site (notes, photos, violations with deadlines and deductions), records a
//! violation rectified, extends the period, and keeps the application's files.

use chrono::{Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::DecorationCode;
use super::super::model::{DecorationState, FileLabel, InspectionKind, ViolationKind};
use super::super::store::{self, NewFile, NewViolation};
use super::{
    Decoration, DecorationFile, reached, reached_for, record_and_view, settings_of, state_of, view,
};
use crate::billing::model::PayMethod;
use crate::billing::switch::deposits::{self, DepositKind, Taken};
use crate::registry::model::UnitState;
use crate::shared::crypto::random_bytes;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

/// A violation's rectification deadline is at most this far ahead.
const MAX_DEADLINE_DAYS: i64 = 30;
/// Files on one decoration.
const MAX_FILES: i64 = 60;

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationDepositTaking {
    /// cash, wechat, alipay, bank or pos: in today's close of who takes it.
    pub method: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationViolationForCreate {
    /// outside_hours, load_bearing, facade, waterproofing, shared_pipes, rubbish, fire_safety,
    /// no_pass, other (or 非规定时间施工 …).
    pub kind: String,
    pub description: String,
    /// Rectified by this day: from today, within 30 days.
    pub deadline: NaiveDate,
    /// Yuan off the deposit it documents (default 0).
    #[serde(default)]
    pub deduction: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationInspectionForCreate {
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub violations: Vec<DecorationViolationForCreate>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ViolationRectified {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationExtension {
    /// After the current end, within the community's longest period of it.
    pub ends_on: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecorationFileLabel {
    /// drawing, fire_letter, licence, photo, other (default photo).
    pub label: Option<String>,
    /// The inspection a photo is of.
    pub inspection_id: Option<i64>,
}

fn require_state(
    r: &store::DecorationRow,
    want: DecorationState,
    code: DecorationCode,
) -> CoreResult<()> {
    if state_of(r)? != want {
        return Err(CoreError::conflict("state", code));
    }
    Ok(())
}

/// The cashier takes the deposit fixed on approval (`billing.collect`), once, into billing's
/// deposits (in today's close).
pub async fn take_decoration_deposit(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationDepositTaking,
) -> CoreResult<Decoration> {
    let method =
        PayMethod::parse("method", &input.method).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = reached_for(&mut tx, ctx, id, Some(Perm::BillingCollect)).await?;
    let c = r.community_id;
    require_state(&r, DecorationState::Approved, DecorationCode::NotApproved)?;
    let amount = r.deposit_fen.unwrap_or(0);
    if r.deposit_id.is_some() || amount == 0 {
        return Err(CoreError::conflict("deposit", DecorationCode::DepositTaken));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let note = format!("装修押金 {}", r.number);
    let d = deposits::take_in(
        &mut tx,
        ctx,
        c,
        Taken {
            unit: r.unit_id,
            kind: DepositKind::Decoration,
            amount_fen: amount,
            payer: &r.applicant_name,
            method,
            note: Some(&note),
        },
    )
    .await?;
    if store::set_deposit(&mut tx, id, d.id).await? != 1 {
        return Err(CoreError::conflict("deposit", DecorationCode::DepositTaken));
    }
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// The desk issues the permit once the fees are paid and the deposit taken (`frontdesk.work`):
/// the works are under way and the unit is 装修中.
pub async fn issue_decoration_permit(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
) -> CoreResult<Decoration> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    require_state(&r, DecorationState::Approved, DecorationCode::NotApproved)?;
    let owed = super::fees_outstanding(&mut tx, &r).await?;
    let mut errs = Vec::new();
    for (field, fen) in [("management_fee", owed.0), ("rubbish_fee", owed.1)] {
        if fen > 0 {
            errs.push(
                FieldError::new(field, DecorationCode::Unpaid)
                    .with("what", format!("¥{}", Money(fen))),
            );
        }
    }
    if r.deposit_fen.unwrap_or(0) > 0 && r.deposit_id.is_none() {
        errs.push(
            FieldError::new("deposit", DecorationCode::Unpaid)
                .with("what", format!("¥{}", Money(r.deposit_fen.unwrap_or(0)))),
        );
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let reg = crate::registry::store::for_frontdesk::unit_state(&mut tx, c, r.unit_id)
        .await?
        .unwrap_or_else(|| UnitState::Vacant.code().into());
    let now = Utc::now();
    if store::issue_permit(&mut tx, id, &reg, ctx.actor(), now).await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotApproved));
    }
    crate::registry::store::for_frontdesk::set_unit_state(
        &mut tx,
        c,
        r.unit_id,
        UnitState::Decorating.code(),
        now,
    )
    .await?;
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// The desk records a site inspection (`frontdesk.work`) while the works are under way, with the
/// violations found: each with a deadline and the deduction it documents (all of them together
/// within the deposit).
pub async fn inspect_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationInspectionForCreate,
) -> CoreResult<Decoration> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    require_state(&r, DecorationState::Working, DecorationCode::NotWorking)?;
    let today = crate::frontdesk::today_in(crate::frontdesk::tz_of(&mut tx, ctx, c).await?);
    let mut errs = Vec::new();
    let note = optional_text("note", input.note.as_deref(), 1000)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut found = Vec::new();
    for (i, v) in input.violations.iter().enumerate().take(20) {
        let f = |k: &str| format!("violations[{i}].{k}");
        let kind = ViolationKind::parse(&f("kind"), &v.kind)
            .map_err(|e| errs.push(e))
            .ok();
        let desc = required_text(&f("description"), &v.description, 500)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
        if v.deadline < today || v.deadline > today + Duration::days(MAX_DEADLINE_DAYS) {
            errs.push(
                FieldError::new(f("deadline"), DecorationCode::DeadlineRange)
                    .with("max", MAX_DEADLINE_DAYS),
            );
        }
        let deduction = match v
            .deduction
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(raw) => super::yuan_in(&f("deduction"), raw, 10_000_000)
                .map_err(|e| errs.push(e))
                .unwrap_or(0),
            None => 0,
        };
        if let Some(kind) = kind {
            found.push((kind, desc, v.deadline, deduction));
        }
    }
    if input.violations.len() > 20 {
        errs.push(FieldError::new("violations", DecorationCode::WorkersRange).with("max", 20));
    }
    let held = r.deposit_fen.unwrap_or(0);
    let so_far: i64 = store::violations(&mut tx, c, id)
        .await?
        .iter()
        .map(|v| v.deduction_fen)
        .sum();
    if so_far + found.iter().map(|v| v.3).sum::<i64>() > held {
        errs.push(
            FieldError::new("violations", DecorationCode::DeductionTooLarge)
                .with("max", format!("¥{}", Money(held))),
        );
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let now = Utc::now();
    let ins = store::insert_inspection(
        &mut tx,
        c,
        id,
        InspectionKind::Routine.code(),
        note.as_deref(),
        ctx.actor(),
        now,
    )
    .await?;
    for (kind, description, deadline, deduction_fen) in &found {
        store::insert_violation(
            &mut tx,
            c,
            id,
            ins,
            &NewViolation {
                kind: kind.code(),
                description,
                deadline: *deadline,
                deduction_fen: *deduction_fen,
            },
        )
        .await?;
    }
    record_and_view(core, tx, ctx, id, "decoration_inspection", Some(&before)).await
}

/// The desk records a violation rectified, once (`frontdesk.work`).
pub async fn rectify_violation(
    core: &Core,
    ctx: &Ctx,
    violation: i64,
    input: ViolationRectified,
) -> CoreResult<Decoration> {
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let v = store::violation(&mut tx, violation)
        .await?
        .ok_or(CoreError::NotFound("violation"))?;
    let r = reached(&mut tx, ctx, v.decoration_id)
        .await
        .map_err(|_| CoreError::NotFound("violation"))?;
    require_state(&r, DecorationState::Working, DecorationCode::NotWorking)?;
    let before = view(core, &mut tx, ctx, r.id).await?;
    if store::rectify(&mut tx, violation, note.as_deref(), ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("id", DecorationCode::Rectified));
    }
    record_and_view(core, tx, ctx, r.id, "decoration_violation", Some(&before)).await
}

/// The desk extends the works' period with a reason (`frontdesk.work`).
pub async fn extend_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationExtension,
) -> CoreResult<Decoration> {
    let reason = required_text("reason", &input.reason, 200);
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    require_state(&r, DecorationState::Working, DecorationCode::NotWorking)?;
    let s = settings_of(&mut tx, c).await?;
    let mut errs = Vec::new();
    if input.ends_on <= r.ends_on || input.ends_on > r.ends_on + Duration::days(s.max_days) {
        errs.push(
            FieldError::new("ends_on", DecorationCode::ExtensionRange)
                .with("ends_on", r.ends_on)
                .with("max", s.max_days),
        );
    }
    let reason = reason.map_err(|e| errs.push(e)).unwrap_or_default();
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    if store::extend(&mut tx, id, r.ends_on, input.ends_on).await? != 1 {
        return Err(CoreError::conflict("ends_on", DecorationCode::NotWorking));
    }
    store::insert_extension(
        &mut tx,
        c,
        id,
        r.ends_on,
        input.ends_on,
        &reason,
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    record_and_view(core, tx, ctx, id, "decoration", Some(&before)).await
}

/// Adds a file (`frontdesk.work`): a drawing, the contractor's licence, the signed fire-safety
/// letter (which records it signed), or a site photo (of an inspection). Refused once the
/// deposit is settled.
pub async fn add_decoration_file(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    q: DecorationFileLabel,
    bytes: &[u8],
) -> CoreResult<DecorationFile> {
    let label = match q.label.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(l) => FileLabel::parse("label", l).map_err(|e| CoreError::Invalid(vec![e]))?,
        None => FileLabel::Photo,
    };
    let (ct, ext) = crate::shared::files::checked("file", bytes, DecorationCode::NotADocument)?;
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if state_of(&r)? == DecorationState::Closed {
        return Err(CoreError::conflict("state", DecorationCode::NotWorking));
    }
    if let Some(ins) = q.inspection_id
        && !store::inspections(&mut tx, c, id)
            .await?
            .iter()
            .any(|i| i.id == ins)
    {
        return Err(CoreError::invalid(
            "inspection_id",
            DecorationCode::UnknownDecoration,
        ));
    }
    if store::file_count(&mut tx, c, id).await? >= MAX_FILES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", DecorationCode::TooManyFiles).with("max", MAX_FILES),
        ]));
    }
    let rel = format!(
        "decoration/{c}/{id}/{}.{ext}",
        hex::encode(random_bytes::<12>())
    );
    let path = core.settings.files_dir.join(&rel);
    let name = format!("{}.{ext}", label.zh());
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        let before = view(core, &mut tx, ctx, id).await?;
        let now = Utc::now();
        let fid = store::insert_file(
            &mut tx,
            c,
            id,
            &NewFile {
                inspection: q.inspection_id,
                label: label.code(),
                name: &name,
                content_type: ct,
                path: &rel,
            },
            ctx.actor(),
            now,
        )
        .await?;
        if label == FileLabel::FireLetter {
            store::fire_letter_signed(&mut tx, id).await?;
        }
        record_and_view(core, tx, ctx, id, "decoration_file", Some(&before)).await?;
        Ok::<_, CoreError>(DecorationFile {
            id: fid,
            inspection_id: q.inspection_id,
            label,
            name: name.clone(),
            content_type: ct.into(),
            created_at: now,
        })
    })
    .await
}

/// A file of a decoration: its type, name and bytes.
pub async fn decoration_file(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    file: i64,
) -> CoreResult<(String, String, Vec<u8>)> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    let f = store::files(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(CoreError::NotFound("file"))?;
    let bytes = crate::shared::files::read(core.settings.files_dir.join(&f.path)).await?;
    Ok((f.content_type, f.name, bytes))
}
