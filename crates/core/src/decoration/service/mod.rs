//! What decoration's use cases share: the decoration as clients see it (with its workers,
//! inspections, violations, files and extensions), reaching one, the community's settings, and
//! the check a worker's pass makes of its decoration.

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::DecorationCode;
use super::model::{DecorationState, FileLabel, InspectionKind, ViolationKind};
use super::store::{self, DecorationRow, SettingsRow};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::frontdesk::{require_desk, require_manage, staff_names};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::required_text;
use crate::{Core, Ctx};

pub mod apply;
pub mod close;
pub mod works;

pub use apply::*;
pub use close::*;
pub use works::*;

/// A community's decoration defaults.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationSettings {
    pub community_id: CommunityId,
    /// 装修押金 (fen).
    pub deposit_fen: i64,
    /// 装修管理费 per m² of building area (fen).
    pub management_fee_per_m2_fen: i64,
    /// 垃圾清运费 per application (fen).
    pub rubbish_fee_fen: i64,
    /// When work is allowed, as printed on the permit (08:00-12:00, 14:00-18:00).
    pub work_hours: String,
    /// The longest period of works, and of one extension (days).
    pub max_days: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationSettingsForSave {
    /// Yuan, 0 to 100000.
    pub deposit: String,
    /// Yuan per m², 0 to 100.
    pub management_fee_per_m2: String,
    /// Yuan, 0 to 10000.
    pub rubbish_fee: String,
    pub work_hours: String,
    /// 1 to 365.
    pub max_days: i64,
}

/// A worker named on the application.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationWorker {
    pub name: String,
    pub trade: Option<String>,
    /// Masked.
    pub phone: Option<String>,
}

/// A violation found on an inspection.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationViolation {
    pub id: i64,
    pub inspection_id: i64,
    pub kind: ViolationKind,
    pub description: String,
    /// Rectified by this day.
    pub deadline: NaiveDate,
    /// What it documents off the deposit (fen).
    pub deduction_fen: i64,
    pub rectified_at: Option<DateTime<Utc>>,
    pub rectified_by_name: Option<String>,
    pub rectify_note: Option<String>,
    /// Past its deadline and not rectified.
    pub overdue: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationInspection {
    pub id: i64,
    pub kind: InspectionKind,
    pub note: Option<String>,
    pub inspected_by_name: Option<String>,
    pub inspected_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationFile {
    pub id: i64,
    /// The inspection whose photo it is.
    pub inspection_id: Option<i64>,
    pub label: FileLabel,
    pub name: String,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DecorationExtended {
    pub from_day: NaiveDate,
    pub to_day: NaiveDate,
    pub reason: String,
    pub extended_by_name: Option<String>,
    pub extended_at: DateTime<Utc>,
}

/// A decoration.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Decoration {
    pub id: DecorationId,
    pub community_id: CommunityId,
    /// ZX-000001: the application's and the permit's number.
    pub number: String,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub applicant_id: PersonId,
    pub applicant_name: String,
    /// `portal` or `desk`.
    pub source: String,
    pub contractor: String,
    pub contractor_licence: Option<String>,
    pub foreman: String,
    /// Masked.
    pub foreman_phone: Option<String>,
    pub scope: String,
    pub starts_on: NaiveDate,
    /// The end as it stands (after extensions).
    pub ends_on: NaiveDate,
    /// The end applied for.
    pub planned_ends_on: NaiveDate,
    pub fire_letter_signed: bool,
    pub state: DecorationState,
    pub decided_by_name: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The approval's note or the refusal's reason.
    pub decision_note: Option<String>,
    /// Fixed on approval (fen).
    pub deposit_fen: Option<i64>,
    pub management_fee_fen: Option<i64>,
    pub rubbish_fee_fen: Option<i64>,
    /// The charges posted on approval (billing), and what is still to pay on them.
    pub management_charge_id: Option<i64>,
    pub rubbish_charge_id: Option<i64>,
    pub fees_outstanding_fen: i64,
    /// The deposit billing holds for it.
    pub deposit_id: Option<i64>,
    pub permit_issued_by_name: Option<String>,
    pub permit_issued_at: Option<DateTime<Utc>>,
    pub accepted_by_name: Option<String>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub acceptance_note: Option<String>,
    /// What the deposit refund kept and paid back (fen).
    pub deducted_fen: Option<i64>,
    pub refunded_fen: Option<i64>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by_name: Option<String>,
    pub workers: Vec<DecorationWorker>,
    pub inspections: Vec<DecorationInspection>,
    pub violations: Vec<DecorationViolation>,
    pub files: Vec<DecorationFile>,
    pub extensions: Vec<DecorationExtended>,
    /// Workers' passes issued for it.
    pub passes: Vec<crate::frontdesk::VisitorPass>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DecorationFilter {
    /// applied, approved, refused, cancelled, working, accepted, closed, `live` (applied,
    /// approved or working) or `all` (the default).
    pub state: Option<String>,
}

/// The defaults when a community has saved none: ¥2,000 deposit, ¥3/m², ¥300 rubbish, 90 days.
fn default_settings() -> SettingsRow {
    SettingsRow {
        deposit_fen: 200_000,
        management_fee_per_m2_fen: 300,
        rubbish_fee_fen: 30_000,
        work_hours: "08:00-12:00, 14:00-18:00".into(),
        max_days: 90,
    }
}

pub(crate) async fn settings_of(q: &mut impl Queries, c: CommunityId) -> CoreResult<SettingsRow> {
    Ok(store::settings(q, c)
        .await?
        .unwrap_or_else(default_settings))
}

fn settings_view(c: CommunityId, s: SettingsRow) -> DecorationSettings {
    DecorationSettings {
        community_id: c,
        deposit_fen: s.deposit_fen,
        management_fee_per_m2_fen: s.management_fee_per_m2_fen,
        rubbish_fee_fen: s.rubbish_fee_fen,
        work_hours: s.work_hours,
        max_days: s.max_days,
    }
}

/// The community's decoration defaults (the desk's).
pub async fn decoration_settings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<DecorationSettings> {
    require_sight(ctx, c)?;
    Ok(settings_view(c, settings_of(&mut core.db.read(), c).await?))
}

/// A sum in yuan within `0..=max_fen`.
pub(crate) fn yuan_in(field: &str, raw: &str, max_fen: i64) -> Result<i64, FieldError> {
    let m = Money::from_yuan_str(field, raw)?;
    if m.0 < 0 || m.0 > max_fen {
        return Err(FieldError::new(field, DecorationCode::SettingRange)
            .with("min", "0")
            .with("max", Money(max_fen).to_string()));
    }
    Ok(m.0)
}

/// Saves the community's defaults (`frontdesk.manage`); decorations approved keep their money.
pub async fn save_decoration_settings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: DecorationSettingsForSave,
) -> CoreResult<DecorationSettings> {
    require_manage(ctx, c)?;
    let mut ch = Checks::new();
    let deposit = ch.take(yuan_in("deposit", &input.deposit, 10_000_000));
    let per_m2 = ch.take(yuan_in(
        "management_fee_per_m2",
        &input.management_fee_per_m2,
        10_000,
    ));
    let rubbish = ch.take(yuan_in("rubbish_fee", &input.rubbish_fee, 1_000_000));
    let hours = ch.take(required_text("work_hours", &input.work_hours, 100));
    if !(1..=365).contains(&input.max_days) {
        ch.push(
            FieldError::new("max_days", DecorationCode::SettingRange)
                .with("min", 1)
                .with("max", 365),
        );
    }
    ch.finish()?;
    let (
        Some(deposit_fen),
        Some(management_fee_per_m2_fen),
        Some(rubbish_fee_fen),
        Some(work_hours),
    ) = (deposit, per_m2, rubbish, hours)
    else {
        return Err(CoreError::internal("validated decoration settings"));
    };
    let row = SettingsRow {
        deposit_fen,
        management_fee_per_m2_fen,
        rubbish_fee_fen,
        work_hours,
        max_days: input.max_days,
    };
    let mut tx = core.db.begin().await?;
    let before = settings_view(c, settings_of(&mut tx, c).await?);
    store::save_settings(&mut tx, c, &row, ctx.actor(), Utc::now()).await?;
    let after = settings_view(c, row);
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "decoration_settings", c.0)
            .community(c)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Who sees a community's decorations: its desk, and its cashiers (who take the deposit).
fn require_sight(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    require_desk(ctx, c).or_else(|_| ctx.require_in(crate::Perm::BillingCollect, c))
}

/// The decoration when the user reaches its community and may do `perm` there (the desk's work
/// when none); otherwise not found.
pub(crate) async fn reached_for(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: DecorationId,
    perm: Option<crate::Perm>,
) -> CoreResult<DecorationRow> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("decoration"))?;
    let c = r.community_id;
    let may = match perm {
        Some(p) => require_sight(ctx, c).and_then(|_| ctx.require_in(p, c)),
        None => require_desk(ctx, c),
    };
    may.map_err(|_| CoreError::NotFound("decoration"))?;
    Ok(r)
}

/// The decoration for the desk's work.
pub(crate) async fn reached(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: DecorationId,
) -> CoreResult<DecorationRow> {
    reached_for(q, ctx, id, None).await
}

pub(crate) fn state_of(r: &DecorationRow) -> CoreResult<DecorationState> {
    DecorationState::from_stored(&r.state)
}

/// What is still to pay on the fees approval posted.
pub(crate) async fn fees_outstanding(tx: &mut Tx, r: &DecorationRow) -> CoreResult<(i64, i64)> {
    let mut owed = (0, 0);
    if let Some(ch) = r.management_charge_id {
        owed.0 = crate::billing::ledger::outstanding_in(tx, r.community_id, ch).await?;
    }
    if let Some(ch) = r.rubbish_charge_id {
        owed.1 = crate::billing::ledger::outstanding_in(tx, r.community_id, ch).await?;
    }
    Ok(owed)
}

/// The decoration as clients see it, read in the caller's transaction.
pub(crate) async fn view(
    core: &Core,
    tx: &mut Tx,
    ctx: &Ctx,
    id: DecorationId,
) -> CoreResult<Decoration> {
    let r = store::get(tx, id)
        .await?
        .ok_or(CoreError::NotFound("decoration"))?;
    let c = r.community_id;
    let names = staff_names(tx, ctx, c).await?;
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let today = crate::frontdesk::today_in(crate::frontdesk::tz_of(tx, ctx, c).await?);
    let mask = |enc: &Option<Vec<u8>>| -> CoreResult<Option<String>> {
        enc.as_ref()
            .map(|b| {
                core.crypto
                    .decrypt(b)
                    .map(|p| crate::shared::crypto::mask_phone(&p))
            })
            .transpose()
    };
    let mut workers = Vec::new();
    for w in store::workers(tx, c, id).await? {
        workers.push(DecorationWorker {
            phone: mask(&w.phone_enc)?,
            name: w.name,
            trade: w.trade,
        });
    }
    let mut inspections = Vec::new();
    for i in store::inspections(tx, c, id).await? {
        inspections.push(DecorationInspection {
            id: i.id,
            kind: InspectionKind::from_stored(&i.kind)?,
            note: i.note,
            inspected_by_name: name(i.inspected_by),
            inspected_at: i.inspected_at,
        });
    }
    let mut violations = Vec::new();
    for v in store::violations(tx, c, id).await? {
        violations.push(DecorationViolation {
            id: v.id,
            inspection_id: v.inspection_id,
            kind: ViolationKind::from_stored(&v.kind)?,
            overdue: v.rectified_at.is_none() && v.deadline < today,
            description: v.description,
            deadline: v.deadline,
            deduction_fen: v.deduction_fen,
            rectified_at: v.rectified_at,
            rectified_by_name: name(v.rectified_by),
            rectify_note: v.rectify_note,
        });
    }
    let mut files = Vec::new();
    for f in store::files(tx, c, id).await? {
        files.push(DecorationFile {
            id: f.id,
            inspection_id: f.inspection_id,
            label: FileLabel::from_stored(&f.label)?,
            name: f.name,
            content_type: f.content_type,
            created_at: f.created_at,
        });
    }
    let extensions = store::extensions(tx, c, id)
        .await?
        .into_iter()
        .map(|e| DecorationExtended {
            from_day: e.from_day,
            to_day: e.to_day,
            reason: e.reason,
            extended_by_name: name(e.extended_by),
            extended_at: e.extended_at,
        })
        .collect();
    let passes = crate::frontdesk::decoration_passes(core, tx, ctx, c, id).await?;
    let owed = fees_outstanding(tx, &r).await?;
    Ok(Decoration {
        state: state_of(&r)?,
        foreman_phone: mask(&r.foreman_phone_enc)?,
        decided_by_name: name(r.decided_by),
        permit_issued_by_name: name(r.permit_issued_by),
        accepted_by_name: name(r.accepted_by),
        created_by_name: name(r.created_by),
        closed_by_name: name(r.closed_by),
        fees_outstanding_fen: owed.0 + owed.1,
        id: r.id,
        community_id: c,
        number: r.number,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        applicant_id: r.applicant_id,
        applicant_name: r.applicant_name,
        source: r.source,
        contractor: r.contractor,
        contractor_licence: r.contractor_licence,
        foreman: r.foreman,
        scope: r.scope,
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        planned_ends_on: r.planned_ends_on,
        fire_letter_signed: r.fire_letter_signed,
        decided_at: r.decided_at,
        decision_note: r.decision_note,
        deposit_fen: r.deposit_fen,
        management_fee_fen: r.management_fee_fen,
        rubbish_fee_fen: r.rubbish_fee_fen,
        management_charge_id: r.management_charge_id,
        rubbish_charge_id: r.rubbish_charge_id,
        deposit_id: r.deposit_id,
        permit_issued_at: r.permit_issued_at,
        accepted_at: r.accepted_at,
        acceptance_note: r.acceptance_note,
        deducted_fen: r.deducted_fen,
        refunded_fen: r.refunded_fen,
        closed_at: r.closed_at,
        workers,
        inspections,
        violations,
        files,
        extensions,
        passes,
        created_at: r.created_at,
    })
}

/// Reads the decoration back after a change, records the change in the audit log with what it
/// was before, and commits.
pub(crate) async fn record_and_view(
    core: &Core,
    mut tx: Tx,
    ctx: &Ctx,
    id: DecorationId,
    what: &str,
    before: Option<&Decoration>,
) -> CoreResult<Decoration> {
    let after = view(core, &mut tx, ctx, id).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        what,
        id.0,
    )
    .community(after.community_id)
    .after(&after);
    if let Some(b) = before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// A decoration the desk reaches.
pub async fn get_decoration(core: &Core, ctx: &Ctx, id: DecorationId) -> CoreResult<Decoration> {
    let mut tx = core.db.begin().await?;
    reached_for(&mut tx, ctx, id, Some(crate::Perm::RegistryRead)).await?;
    let v = view(core, &mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The community's decorations, newest first; at most 500.
pub async fn list_decorations(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: DecorationFilter,
) -> CoreResult<Vec<Decoration>> {
    require_sight(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some("live") => Some("live"),
        Some("all") => None,
        Some(s) => Some(
            DecorationState::parse("state", s)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let mut tx = core.db.begin().await?;
    let rows = store::list(&mut tx, c, state, 500).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(core, &mut tx, ctx, r.id).await?);
    }
    tx.commit().await?;
    Ok(out)
}

/// Whether a worker's pass fits its decoration: a worker's pass, the decoration of the
/// community under way, the pass inside its period (local days). The problems, named.
pub(crate) async fn pass_fits(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
    worker: bool,
    (from, until): (DateTime<Utc>, DateTime<Utc>),
    tz: Tz,
) -> CoreResult<Vec<FieldError>> {
    let Some((_, state, starts, ends)) = store::for_pass(q, c, d).await? else {
        return Ok(vec![FieldError::new(
            "decoration_id",
            DecorationCode::UnknownDecoration,
        )]);
    };
    if !worker || state != DecorationState::Working.code() {
        return Ok(vec![FieldError::new(
            "decoration_id",
            DecorationCode::PassNotWorking,
        )]);
    }
    let day = |t: DateTime<Utc>| t.with_timezone(&tz).date_naive();
    // A pass until midnight after the last day ends on that day.
    let last = day(until - chrono::Duration::seconds(1));
    if day(from) < starts || last > ends {
        return Ok(vec![
            FieldError::new("valid_until", DecorationCode::PassOutsidePeriod)
                .with("starts_on", starts)
                .with("ends_on", ends),
        ]);
    }
    Ok(vec![])
}
