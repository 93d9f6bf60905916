//! Move-outs (迁出核验, issue 15 point 8; seed 000's 客户迁出核验单). The desk opens a numbered
//! check (QC-000001) for a unit's people who leave on a day and works through its checklist, read
//! live from the modules that hold each thing:
//! - arrears: what the unit owes with its late fees (billing) — zero, or a manager's recorded
//!   waiver;
//! - keys: the unit's keys out on loan, and spare keys deposited by one who leaves still in the
//!   cabinet (to be handed back and retired) — none;
//! - items lent to the unit and not back — none;
//! - deposits the unit has held in billing — refunded there, or kept with a manager's reason (a
//!   tenant leaves, the owner's decoration deposit stays);
//! - passes of the unit still valid, of a host who leaves or the desk's for the unit — revoked on
//!   completion; parcels still held are shown for the desk to hand over.
//!
//! Completion happens once, in one transaction: the checklist read again, the passes revoked, the
//! leaving people's links to the unit removed (their portal reaches it no more), the unit's state
//! set (空置 when nobody is left, unless the desk says otherwise), and what the checklist stood at
//! kept on the record for the printed 客户迁出核验单.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::MoveOutState;
use super::super::store::moveouts::{self as store, Closing, MoveOutRow};
use super::{require_desk, required_desk_unit, staff_names, today_in, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::registry::model::UnitState;
use crate::registry::store::for_frontdesk as registry;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::optional_text;
use crate::{Core, Ctx, Perm};

/// How far ahead a move-out is planned.
const MAX_DAYS_AHEAD: i64 = 90;

/// One who leaves.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leaver {
    pub person_id: PersonId,
    pub name: String,
    /// owner, member, tenant.
    pub relation: String,
}

/// A key that holds the move-out.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct KeyHeld {
    pub code: String,
    /// `out` (lent, not back) or `deposited` (a leaver's spare key still in the cabinet).
    pub why: String,
    pub borrower: Option<String>,
}

/// A deposit the unit still has held in billing.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepositHeld {
    pub id: i64,
    pub kind: String,
    pub amount_fen: i64,
    pub payer: String,
}

/// The checklist as it stands.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveOutCheck {
    /// What the unit owes, late fees included (fen).
    pub arrears_fen: i64,
    pub keys: Vec<KeyHeld>,
    /// Items lent to the unit and not back ("雨伞 × 1 · 张三").
    pub item_loans: Vec<String>,
    pub deposits: Vec<DepositHeld>,
    pub deposits_fen: i64,
    /// Passes revoked on completion.
    pub passes: i64,
    /// Parcels still held for the unit (to hand over; they do not hold the move-out).
    pub parcels_held: i64,
    /// Nothing holds it but what a manager may waive (arrears, deposits kept).
    pub clear: bool,
}

/// A move-out check (迁出核验单).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MoveOut {
    pub id: MoveOutId,
    pub community_id: CommunityId,
    /// QC-000001.
    pub number: String,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub planned_day: NaiveDate,
    pub reason: Option<String>,
    pub note: Option<String>,
    pub state: MoveOutState,
    pub leaving: Vec<Leaver>,
    /// The checklist now, while open.
    pub check: Option<MoveOutCheck>,
    /// What it stood at on completion.
    pub arrears_fen: Option<i64>,
    pub arrears_waiver: Option<String>,
    pub deposits_fen: Option<i64>,
    pub deposits_kept: Option<String>,
    pub passes_revoked: Option<i64>,
    pub parcels_held: Option<i64>,
    pub state_before: Option<String>,
    pub state_after: Option<String>,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_by_name: Option<String>,
    pub closed_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveOutForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// Who leaves (people of the unit); empty: everybody on it.
    #[serde(default)]
    pub person_ids: Vec<PersonId>,
    /// The moving day (default today); from today, within 90 days.
    #[serde(default)]
    pub planned_day: Option<NaiveDate>,
    /// 租约到期, 房屋出售 …
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MoveOutComplete {
    /// A manager lets it complete with arrears: why.
    #[serde(default)]
    pub arrears_waiver: Option<String>,
    /// A manager keeps the unit's held deposits: why (the owner stays).
    #[serde(default)]
    pub deposits_kept: Option<String>,
    /// The unit's state after (default: vacant when nobody is left, else as it was).
    #[serde(default)]
    pub unit_state: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MoveOutFilter {
    /// `open`, `completed` or `cancelled`; default all (open first, by day).
    pub state: Option<String>,
}

fn yuan(fen: i64) -> String {
    Money(fen).to_string()
}

/// Reads the checklist of a unit for these leavers.
async fn check(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    leaving: &[PersonId],
    now: DateTime<Utc>,
) -> CoreResult<MoveOutCheck> {
    let owed = crate::billing::ledger::owed_in(q, c, unit).await?;
    let keys: Vec<KeyHeld> = store::unit_keys(q, c, unit)
        .await?
        .into_iter()
        .filter_map(|(code, state, depositor, borrower)| {
            if state == "out" {
                Some(KeyHeld {
                    code,
                    why: "out".into(),
                    borrower,
                })
            } else if depositor.is_some_and(|d| leaving.contains(&d)) {
                Some(KeyHeld {
                    code,
                    why: "deposited".into(),
                    borrower: None,
                })
            } else {
                None
            }
        })
        .collect();
    let item_loans: Vec<String> = store::unit_loans_out(q, c, unit)
        .await?
        .into_iter()
        .map(|(item, n, who)| format!("{item} × {n} · {who}"))
        .collect();
    let deposits: Vec<DepositHeld> = crate::billing::store::deposits::of_unit(q, c, unit)
        .await?
        .into_iter()
        .filter(|d| d.state == "held")
        .map(|d| DepositHeld {
            id: d.id,
            kind: d.kind,
            amount_fen: d.amount_fen,
            payer: d.payer,
        })
        .collect();
    let passes = passes_to_revoke(q, c, unit, leaving, now).await?.len() as i64;
    Ok(MoveOutCheck {
        arrears_fen: owed.total_fen + owed.late_fee_fen,
        clear: keys.is_empty() && item_loans.is_empty(),
        deposits_fen: deposits.iter().map(|d| d.amount_fen).sum(),
        keys,
        item_loans,
        deposits,
        passes,
        parcels_held: store::unit_parcels_held(q, c, unit).await?,
    })
}

/// The unit's live passes of a host who leaves, or of no host (the desk's for the unit).
async fn passes_to_revoke(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    leaving: &[PersonId],
    now: DateTime<Utc>,
) -> CoreResult<Vec<VisitorPassId>> {
    Ok(store::unit_live_passes(q, c, unit, now)
        .await?
        .into_iter()
        .filter(|(_, host)| host.is_none_or(|h| leaving.contains(&h)))
        .map(|(id, _)| id)
        .collect())
}

async fn view(q: &mut impl Queries, ctx: &Ctx, r: MoveOutRow) -> CoreResult<MoveOut> {
    let c = r.community_id;
    let leaving: Vec<Leaver> = store::people(q, c, r.id)
        .await?
        .into_iter()
        .map(|(person_id, name, relation)| Leaver {
            person_id,
            name,
            relation,
        })
        .collect();
    let state = MoveOutState::parse("state", &r.state).map_err(|e| CoreError::Invalid(vec![e]))?;
    let check = if state == MoveOutState::Open {
        let ids: Vec<PersonId> = leaving.iter().map(|l| l.person_id).collect();
        Some(check(q, c, r.unit_id, &ids, Utc::now()).await?)
    } else {
        None
    };
    let names = staff_names(q, ctx, c).await?;
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    Ok(MoveOut {
        created_by_name: name(r.created_by),
        closed_by_name: name(r.closed_by),
        id: r.id,
        community_id: c,
        number: r.number,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        planned_day: r.planned_day,
        reason: r.reason,
        note: r.note,
        state,
        leaving,
        check,
        arrears_fen: r.arrears_fen,
        arrears_waiver: r.arrears_waiver,
        deposits_fen: r.deposits_fen,
        deposits_kept: r.deposits_kept,
        passes_revoked: r.passes_revoked,
        parcels_held: r.parcels_held,
        state_before: r.state_before,
        state_after: r.state_after,
        created_at: r.created_at,
        closed_at: r.closed_at,
    })
}

/// Opens a move-out check for people of a unit (`frontdesk.work`).
pub async fn open_move_out(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: MoveOutForCreate,
) -> CoreResult<MoveOut> {
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
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let today = today_in(tz);
    let day = input.planned_day.unwrap_or(today);
    if day < today || day > today + chrono::Duration::days(MAX_DAYS_AHEAD) {
        errs.push(
            FieldError::new("planned_day", FrontdeskCode::MoveOutDayRange)
                .with("max", MAX_DAYS_AHEAD),
        );
    }
    let reason = optional_text("reason", input.reason.as_deref(), 100)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let people = match unit {
        Some(u) => registry::unit_people(&mut q, c, u).await?,
        None => Vec::new(),
    };
    let leaving: Vec<(PersonId, String, String)> = if input.person_ids.is_empty() {
        people.clone()
    } else {
        people
            .iter()
            .filter(|p| input.person_ids.contains(&p.0))
            .cloned()
            .collect()
    };
    if unit.is_some()
        && (leaving.is_empty()
            || input
                .person_ids
                .iter()
                .any(|p| !people.iter().any(|x| x.0 == *p)))
    {
        errs.push(FieldError::new(
            "person_ids",
            FrontdeskCode::MoveOutNotOfUnit,
        ));
    }
    drop(q);
    let Some(unit) = unit.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let n = crate::shared::store::advance_counter(&mut tx, c, "move_out", 1).await?;
    let number = format!("QC-{n:06}");
    let id = store::insert(
        &mut tx,
        c,
        &number,
        unit,
        day,
        reason.as_deref(),
        note.as_deref(),
        ctx.actor(),
        now,
    )
    .await?;
    for (p, name, relation) in &leaving {
        store::insert_person(&mut tx, c, id, *p, name, relation).await?;
    }
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("move_out"))?;
    let v = view(&mut tx, ctx, row).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "move_out", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: MoveOutId) -> CoreResult<MoveOutRow> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("move_out"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("move_out"))?;
    Ok(r)
}

/// A move-out with its checklist as it stands (while open).
pub async fn get_move_out(core: &Core, ctx: &Ctx, id: MoveOutId) -> CoreResult<MoveOut> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r).await
}

/// The community's move-outs: open ones by day first, then the closed newest first; at most 500.
pub async fn list_move_outs(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: MoveOutFilter,
) -> CoreResult<Vec<MoveOut>> {
    require_desk(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(MoveOutState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?),
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

/// What holds the completion, each named: arrears without a manager's waiver, keys, items,
/// deposits without a manager's reason.
fn holds(
    k: &MoveOutCheck,
    waiver: Option<&str>,
    kept: Option<&str>,
    manager: bool,
) -> Vec<FieldError> {
    let mut errs = Vec::new();
    if k.arrears_fen > 0 && waiver.is_none() {
        errs.push(
            FieldError::new("arrears_waiver", FrontdeskCode::MoveOutArrears)
                .with("owed", yuan(k.arrears_fen)),
        );
    }
    if waiver.is_some() && k.arrears_fen > 0 && !manager {
        errs.push(FieldError::new(
            "arrears_waiver",
            FrontdeskCode::MoveOutWaiverManager,
        ));
    }
    if !k.keys.is_empty() {
        let codes: Vec<&str> = k.keys.iter().map(|x| x.code.as_str()).collect();
        errs.push(
            FieldError::new("keys", FrontdeskCode::MoveOutKeys).with("keys", codes.join("、")),
        );
    }
    if !k.item_loans.is_empty() {
        errs.push(
            FieldError::new("item_loans", FrontdeskCode::MoveOutItemsOut)
                .with("items", k.item_loans.join("、")),
        );
    }
    if k.deposits_fen > 0 && kept.is_none() {
        errs.push(
            FieldError::new("deposits_kept", FrontdeskCode::MoveOutDeposits)
                .with("held", yuan(k.deposits_fen)),
        );
    }
    if kept.is_some() && k.deposits_fen > 0 && !manager {
        errs.push(FieldError::new(
            "deposits_kept",
            FrontdeskCode::MoveOutWaiverManager,
        ));
    }
    errs
}

/// Completes a move-out once (`frontdesk.work`; waivers `frontdesk.manage`): the checklist read
/// again in the transaction, passes revoked, the leavers unlinked from the unit, its state set.
pub async fn complete_move_out(
    core: &Core,
    ctx: &Ctx,
    id: MoveOutId,
    input: MoveOutComplete,
) -> CoreResult<MoveOut> {
    let mut errs = Vec::new();
    let waiver = optional_text("arrears_waiver", input.arrears_waiver.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let kept = optional_text("deposits_kept", input.deposits_kept.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let wanted = match input
        .unit_state
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => UnitState::parse("unit_state", s)
            .map_err(|e| errs.push(e))
            .ok(),
        None => None,
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if r.state != MoveOutState::Open.code() {
        return Err(CoreError::conflict("id", FrontdeskCode::MoveOutNotOpen));
    }
    let leaving: Vec<PersonId> = store::people(&mut tx, c, id)
        .await?
        .into_iter()
        .map(|(p, _, _)| p)
        .collect();
    let k = check(&mut tx, c, r.unit_id, &leaving, now).await?;
    let manager = ctx.require_in(Perm::FrontdeskManage, c).is_ok();
    let errs = holds(&k, waiver.as_deref(), kept.as_deref(), manager);
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let revoked = passes_to_revoke(&mut tx, c, r.unit_id, &leaving, now).await?;
    for p in &revoked {
        super::super::store::visitors::revoke_pass(&mut tx, c, *p, now).await?;
    }
    for p in &leaving {
        registry::unlink(&mut tx, c, r.unit_id, *p).await?;
    }
    let before = registry::unit_state(&mut tx, c, r.unit_id).await?;
    let nobody_left = registry::unit_people(&mut tx, c, r.unit_id)
        .await?
        .is_empty();
    let after = wanted
        .map(|s| s.code().to_string())
        .or_else(|| nobody_left.then(|| UnitState::Vacant.code().to_string()))
        .or_else(|| before.clone());
    if let Some(s) = after.as_deref().filter(|s| Some(*s) != before.as_deref()) {
        registry::set_unit_state(&mut tx, c, r.unit_id, s, now).await?;
    }
    let closing = Closing {
        state: MoveOutState::Completed.code(),
        arrears_fen: Some(k.arrears_fen),
        arrears_waiver: waiver.as_deref().filter(|_| k.arrears_fen > 0),
        deposits_fen: Some(k.deposits_fen),
        deposits_kept: kept.as_deref().filter(|_| k.deposits_fen > 0),
        passes_revoked: Some(revoked.len() as i64),
        parcels_held: Some(k.parcels_held),
        state_before: before.as_deref(),
        state_after: after.as_deref(),
    };
    if store::close(&mut tx, c, id, &closing, ctx.actor(), now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::MoveOutNotOpen));
    }
    let v = read_in(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "move_out", id.0)
            .community(c)
            .before(&serde_json::json!({"state": "open", "unit_state": before}))
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    // A portal account's reach follows its person's units: cached contexts must not outlive it.
    core.forget_ctx();
    Ok(v)
}

async fn read_in(tx: &mut Tx, ctx: &Ctx, id: MoveOutId) -> CoreResult<MoveOut> {
    let r = store::get(tx, id)
        .await?
        .ok_or(CoreError::NotFound("move_out"))?;
    view(tx, ctx, r).await
}

/// Cancels an open move-out (the people stay); once.
pub async fn cancel_move_out(core: &Core, ctx: &Ctx, id: MoveOutId) -> CoreResult<MoveOut> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let closing = Closing {
        state: MoveOutState::Cancelled.code(),
        arrears_fen: None,
        arrears_waiver: None,
        deposits_fen: None,
        deposits_kept: None,
        passes_revoked: None,
        parcels_held: None,
        state_before: None,
        state_after: None,
    };
    if store::close(&mut tx, c, id, &closing, ctx.actor(), now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::MoveOutNotOpen));
    }
    let v = read_in(&mut tx, ctx, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "move_out", id.0)
            .community(c)
            .before(&serde_json::json!({"state": "open"}))
            .after(&serde_json::json!({"state": "cancelled"})),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}
