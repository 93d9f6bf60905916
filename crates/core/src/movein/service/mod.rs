//! The move-in and its checklist: opened, the checks ticked, completed once, cancelled, rated.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::MoveInCode;
use super::model::{self, CHECKS, MoveInState};
use super::store::{self, Completion, MoveInRow};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::frontdesk::{
    require_desk, require_manage, required_desk_unit, staff_names, today_in, tz_of,
};
use crate::registry::model::UnitState;
use crate::registry::store::for_frontdesk as registry;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::optional_text;
use crate::{Core, Ctx};

pub mod notice;
pub mod warranty;

pub use notice::*;
pub use warranty::*;

/// How far ahead the owner is invited, and how far back a hand-over is recorded.
const NOTICE_DAYS_AHEAD: i64 = 90;
const NOTICE_DAYS_BACK: i64 = 30;
const HANDOVER_DAYS_BACK: i64 = 30;

/// One check of the 入伙流转表.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveInCheck {
    /// identity_checked, purchase_checked, agreement_signed, rules_signed, record_card_done.
    pub field: String,
    pub label: String,
    pub done: bool,
}

/// What billing and the key ledger hold for the unit now (while open).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveInLive {
    /// What the unit owes with its late fees (fen).
    pub owed_fen: i64,
    /// The unit's own keys in the cabinet, to hand over.
    pub keys: Vec<String>,
    /// The unit's state now.
    pub unit_state: String,
}

/// A move-in.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveIn {
    pub id: MoveInId,
    pub community_id: CommunityId,
    /// RH-000001.
    pub number: String,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub owner_id: PersonId,
    pub owner_name: String,
    /// The day the owner is invited to.
    pub notice_day: NaiveDate,
    pub state: MoveInState,
    pub checks: Vec<MoveInCheck>,
    pub note: Option<String>,
    /// While open.
    pub live: Option<MoveInLive>,
    pub handover_day: Option<NaiveDate>,
    /// What the unit owed when completed, and a manager's waiver.
    pub arrears_fen: Option<i64>,
    pub arrears_waiver: Option<String>,
    /// The keys handed over (codes).
    pub keys_handed: Vec<String>,
    pub state_before: Option<String>,
    pub state_after: Option<String>,
    /// The owner's five scores (1–5) and their mean.
    pub survey_scores: Vec<i64>,
    pub survey_mean: Option<f64>,
    pub survey_comment: Option<String>,
    pub surveyed_at: Option<DateTime<Utc>>,
    pub warranty: Vec<WarrantyItem>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveInForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as typed (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// An owner of the unit (default: its first owner).
    #[serde(default)]
    pub owner_id: Option<PersonId>,
    /// The day he is invited to: 30 days back to 90 ahead (default today).
    #[serde(default)]
    pub notice_day: Option<NaiveDate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The 入伙流转表's checks as ticked now (all five each time).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveInChecks {
    #[serde(default)]
    pub identity_checked: bool,
    #[serde(default)]
    pub purchase_checked: bool,
    #[serde(default)]
    pub agreement_signed: bool,
    #[serde(default)]
    pub rules_signed: bool,
    #[serde(default)]
    pub record_card_done: bool,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveInComplete {
    /// The day the unit is handed over: today or up to 30 days back (default today); billing
    /// starts on it.
    #[serde(default)]
    pub handover_day: Option<NaiveDate>,
    /// The unit's state after: occupied (default), rented or vacant.
    #[serde(default)]
    pub unit_state: Option<String>,
    /// A manager's reason for completing while the unit owes.
    #[serde(default)]
    pub arrears_waiver: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveInSurvey {
    /// Five scores, 1 (very poor) to 5 (very good), in the survey's order.
    pub scores: Vec<i64>,
    #[serde(default)]
    pub comment: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MoveInFilter {
    /// open, completed, cancelled; default all.
    pub state: Option<String>,
}

fn checks_of(r: &MoveInRow) -> [bool; 5] {
    [
        r.identity_checked,
        r.purchase_checked,
        r.agreement_signed,
        r.rules_signed,
        r.record_card_done,
    ]
}

/// What the unit owes with its late fees (fen).
async fn owed_fen(q: &mut impl Queries, c: CommunityId, unit: UnitId) -> CoreResult<i64> {
    let o = crate::billing::ledger::owed_in(q, c, unit).await?;
    Ok(o.total_fen + o.late_fee_fen)
}

pub(crate) async fn view(q: &mut impl Queries, ctx: &Ctx, r: MoveInRow) -> CoreResult<MoveIn> {
    let c = r.community_id;
    let state = MoveInState::from_stored(&r.state)?;
    let live = if state == MoveInState::Open {
        Some(MoveInLive {
            owed_fen: owed_fen(q, c, r.unit_id).await?,
            keys: crate::frontdesk::unit_keys_in(q, c, r.unit_id).await?,
            unit_state: registry::unit_state(q, c, r.unit_id)
                .await?
                .unwrap_or_default(),
        })
    } else {
        None
    };
    let names = staff_names(q, ctx, c).await?;
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let checks = CHECKS
        .iter()
        .zip(checks_of(&r))
        .map(|((field, zh, _), done)| MoveInCheck {
            field: (*field).into(),
            label: (*zh).into(),
            done,
        })
        .collect();
    let warranty = warranty::items_of(q, ctx, c, r.id).await?;
    Ok(MoveIn {
        created_by_name: name(r.created_by),
        closed_by_name: name(r.closed_by),
        survey_mean: r.survey_scores.as_deref().and_then(model::survey_mean),
        survey_scores: r
            .survey_scores
            .as_deref()
            .map(|s| s.split(',').filter_map(|x| x.parse().ok()).collect())
            .unwrap_or_default(),
        keys_handed: r
            .keys_handed
            .as_deref()
            .map(|s| {
                s.split(',')
                    .filter(|x| !x.is_empty())
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default(),
        id: r.id,
        community_id: c,
        number: r.number,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        owner_id: r.owner_id,
        owner_name: r.owner_name,
        notice_day: r.notice_day,
        state,
        checks,
        note: r.note,
        live,
        handover_day: r.handover_day,
        arrears_fen: r.arrears_fen,
        arrears_waiver: r.arrears_waiver,
        state_before: r.state_before,
        state_after: r.state_after,
        survey_comment: r.survey_comment,
        surveyed_at: r.surveyed_at,
        warranty,
        created_at: r.created_at,
        closed_at: r.closed_at,
    })
}

pub(crate) async fn reached(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: MoveInId,
) -> CoreResult<MoveInRow> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("move_in"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("move_in"))?;
    Ok(r)
}

/// Reads the move-in back after a change, audits it against `before`, commits.
async fn record(
    mut tx: Tx,
    ctx: &Ctx,
    id: MoveInId,
    before: Option<&MoveIn>,
) -> CoreResult<MoveIn> {
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("move_in"))?;
    let after = view(&mut tx, ctx, row).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "move_in",
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

/// Opens a move-in for an owner of a unit (`frontdesk.work`).
pub async fn open_move_in(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: MoveInForCreate,
) -> CoreResult<MoveIn> {
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
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let day = input.notice_day.unwrap_or(today);
    if day < today - Duration::days(NOTICE_DAYS_BACK)
        || day > today + Duration::days(NOTICE_DAYS_AHEAD)
    {
        errs.push(
            FieldError::new("notice_day", MoveInCode::NoticeRange)
                .with("min", NOTICE_DAYS_BACK)
                .with("max", NOTICE_DAYS_AHEAD),
        );
    }
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut owner = None;
    if let Some(u) = unit {
        let owners = registry::owners_of(&mut tx, c, u).await?;
        let pick = input.owner_id.or_else(|| owners.first().copied());
        match pick.filter(|p| owners.contains(p)) {
            Some(p) => {
                let name = registry::person_name(&mut tx, c, p)
                    .await?
                    .unwrap_or_default();
                owner = Some((p, name));
            }
            None => errs.push(FieldError::new("owner_id", MoveInCode::NotOwner)),
        }
        if let Some((number,)) = store::open_of_unit(&mut tx, c, u).await? {
            errs.push(FieldError::new("unit_label", MoveInCode::UnitBusy).with("number", number));
        }
    }
    let (Some(unit), Some((person, name))) = (unit, owner) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let n = crate::shared::store::advance_counter(&mut tx, c, "move_in", 1).await?;
    let number = format!("RH-{n:06}");
    let id = store::insert(
        &mut tx,
        c,
        &number,
        unit,
        (person, &name),
        day,
        note.as_deref(),
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    record(tx, ctx, id, None).await
}

pub async fn get_move_in(core: &Core, ctx: &Ctx, id: MoveInId) -> CoreResult<MoveIn> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r).await
}

/// The community's move-ins, open ones by notice day first; at most 500.
pub async fn list_move_ins(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: MoveInFilter,
) -> CoreResult<Vec<MoveIn>> {
    require_desk(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(MoveInState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let mut q = core.db.read();
    let rows = store::list(&mut q, c, state.map(|s| s.code()), 500).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(view(&mut q, ctx, r).await?);
    }
    Ok(out)
}

/// Ticks the 入伙流转表's checks as they stand (`frontdesk.work`), while open.
pub async fn set_move_in_checks(
    core: &Core,
    ctx: &Ctx,
    id: MoveInId,
    input: MoveInChecks,
) -> CoreResult<MoveIn> {
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let before = view(&mut tx, ctx, r).await?;
    let checks = [
        input.identity_checked,
        input.purchase_checked,
        input.agreement_signed,
        input.rules_signed,
        input.record_card_done,
    ];
    if store::set_checks(
        &mut tx,
        id,
        checks,
        note.as_deref().or(before.note.as_deref()),
    )
    .await?
        != 1
    {
        return Err(CoreError::conflict("state", MoveInCode::NotOpen));
    }
    record(tx, ctx, id, Some(&before)).await
}

/// Completes a move-in once (`frontdesk.work`; a waiver of arrears is a manager's): every check
/// ticked, nothing owed, the keys handed over, the unit's state set and billing started on the
/// hand-over day.
pub async fn complete_move_in(
    core: &Core,
    ctx: &Ctx,
    id: MoveInId,
    input: MoveInComplete,
) -> CoreResult<MoveIn> {
    let mut errs = Vec::new();
    let waiver = optional_text("arrears_waiver", input.arrears_waiver.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let after_state = match input
        .unit_state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        None => Some(UnitState::Occupied),
        Some(s) => match UnitState::parse("unit_state", s) {
            Ok(st @ (UnitState::Occupied | UnitState::Rented | UnitState::Vacant)) => Some(st),
            Ok(_) => {
                errs.push(FieldError::new("unit_state", MoveInCode::UnitStateAfter));
                None
            }
            Err(e) => {
                errs.push(e);
                None
            }
        },
    };
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if MoveInState::from_stored(&r.state)? != MoveInState::Open {
        return Err(CoreError::conflict("state", MoveInCode::NotOpen));
    }
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let day = input.handover_day.unwrap_or(today);
    if day > today || day < today - Duration::days(HANDOVER_DAYS_BACK) {
        errs.push(
            FieldError::new("handover_day", MoveInCode::HandoverRange)
                .with("min", HANDOVER_DAYS_BACK),
        );
    }
    for ((field, ..), done) in CHECKS.iter().zip(checks_of(&r)) {
        if !done {
            errs.push(FieldError::new(*field, MoveInCode::CheckNotDone));
        }
    }
    let owed = owed_fen(&mut tx, c, r.unit_id).await?;
    if owed > 0 {
        match &waiver {
            None => errs.push(
                FieldError::new("arrears_waiver", MoveInCode::Arrears).with("owed", Money(owed)),
            ),
            Some(_) if require_manage(ctx, c).is_err() => {
                errs.push(FieldError::new("arrears_waiver", MoveInCode::WaiverManager))
            }
            Some(_) => {}
        }
    }
    let Some(after_state) = after_state.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let before = view(&mut tx, ctx, r.clone()).await?;
    let now = Utc::now();
    let why = format!("入伙交付业主 {}", r.number);
    let keys = crate::frontdesk::hand_over_unit_keys(&mut tx, ctx, c, r.unit_id, &why).await?;
    let state_before = registry::unit_state(&mut tx, c, r.unit_id)
        .await?
        .unwrap_or_default();
    registry::set_unit_state(&mut tx, c, r.unit_id, after_state.code(), now).await?;
    crate::billing::setup::start_billing_in(&mut tx, ctx, c, r.unit_id, day).await?;
    let k = Completion {
        handover_day: day,
        arrears_fen: owed,
        arrears_waiver: waiver.as_deref().filter(|_| owed > 0),
        keys_handed: &keys.join(","),
        state_before: &state_before,
        state_after: after_state.code(),
    };
    if store::complete(&mut tx, id, &k, ctx.actor(), now).await? != 1 {
        return Err(CoreError::conflict("state", MoveInCode::NotOpen));
    }
    record(tx, ctx, id, Some(&before)).await
}

/// Cancels an open move-in (`frontdesk.work`).
pub async fn cancel_move_in(core: &Core, ctx: &Ctx, id: MoveInId) -> CoreResult<MoveIn> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let before = view(&mut tx, ctx, r).await?;
    if store::cancel(&mut tx, id, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("state", MoveInCode::NotOpen));
    }
    record(tx, ctx, id, Some(&before)).await
}

async fn rate_in(mut tx: Tx, ctx: &Ctx, r: MoveInRow, input: MoveInSurvey) -> CoreResult<MoveIn> {
    let mut errs = Vec::new();
    let scores = model::survey_scores(&input.scores);
    if scores.is_none() {
        errs.push(FieldError::new("scores", MoveInCode::SurveyScores));
    }
    let comment = optional_text("comment", input.comment.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let Some(scores) = scores.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let id = r.id;
    let before = view(&mut tx, ctx, r.clone()).await?;
    if store::rate(&mut tx, id, &scores, comment.as_deref(), Utc::now()).await? != 1 {
        let code = if r.survey_scores.is_some() {
            MoveInCode::SurveyDone
        } else {
            MoveInCode::SurveyNotCompleted
        };
        return Err(CoreError::conflict("scores", code));
    }
    record(tx, ctx, id, Some(&before)).await
}

/// The desk records the owner's hand-over survey (filled on paper or a tablet), once.
pub async fn rate_move_in(
    core: &Core,
    ctx: &Ctx,
    id: MoveInId,
    input: MoveInSurvey,
) -> CoreResult<MoveIn> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    rate_in(tx, ctx, r, input).await
}

/// The owner's move-ins (portal).
pub async fn my_move_ins(core: &Core, ctx: &Ctx) -> CoreResult<Vec<MoveIn>> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut q = core.db.read();
    let mut out = Vec::new();
    for r in store::of_owner(&mut q, me.person_id).await? {
        out.push(view(&mut q, ctx, r).await?);
    }
    Ok(out)
}

/// The owner rates his own hand-over in the portal, once.
pub async fn rate_my_move_in(
    core: &Core,
    ctx: &Ctx,
    id: MoveInId,
    input: MoveInSurvey,
) -> CoreResult<MoveIn> {
    let me = crate::portal::profile(core, ctx).await?;
    let mut tx = core.db.begin().await?;
    let r = store::get(&mut tx, id)
        .await?
        .filter(|r| r.owner_id == me.person_id)
        .ok_or(CoreError::NotFound("move_in"))?;
    rate_in(tx, ctx, r, input).await
}
