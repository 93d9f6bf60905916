//! The ledger of a unit: charges (应收) — posted by bill runs, by hand, from paid services or as
//! late fees — and their reversals (红冲); what a unit owes (oldest first) and its statement; the
//! prepaid balance (预存) settling new charges as they post.
//!
//! A charge's amount never changes. What it still owes is `amount − settled`, zero once it is
//! reversed; `settled_fen` moves only together with a `settlements` row, in one transaction,
//! through a conditional UPDATE that refuses to settle more than the charge owes — so two
//! cashiers settling one charge at the same moment settle it once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};

use super::error::BillingCode;
use super::model::*;
use super::setup::*;
use super::store;

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Charge {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub fee_item_id: i64,
    pub standard_id: Option<i64>,
    pub space_id: Option<i64>,
    pub bill_run_id: Option<i64>,
    /// bill, manual, service, late_fee, reversal.
    pub kind: String,
    /// "2026-07": the period's first month.
    pub period: Option<String>,
    pub period_from: Option<NaiveDate>,
    pub period_to: Option<NaiveDate>,
    pub description: String,
    /// How the amount was computed: "89.50 ㎡ × ¥2.35 × 3 月".
    pub basis: String,
    pub amount_fen: i64,
    pub settled_fen: i64,
    pub due_date: NaiveDate,
    pub reverses_id: Option<i64>,
    pub reversed_by: Option<i64>,
    pub reason: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl Charge {
    /// What is still owed on it.
    pub fn outstanding(&self) -> i64 {
        if self.reversed_by.is_some() || self.kind == ChargeKind::Reversal.code() {
            0
        } else {
            self.amount_fen - self.settled_fen
        }
    }
}

/// Open charges of a unit, oldest due first.
pub(super) async fn open_charges(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Charge>> {
    store::charges::open(q, c, unit).await
}

/// Settles `amount` of a charge, refusing to settle more than it owes (a concurrent settlement
/// got there first: 409, and the caller's transaction is dropped).
#[allow(clippy::too_many_arguments)]
pub(super) async fn settle(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    payment: Option<PaymentId>,
    source: &str,
    amount: i64,
    now: DateTime<Utc>,
    day: NaiveDate,
    paid_on: NaiveDate,
) -> CoreResult<()> {
    if store::charges::add_settled(tx, c, charge, amount).await? != 1 {
        return Err(CoreError::conflict(
            "charge_ids",
            BillingCode::ChargeAlreadySettled,
        ));
    }
    store::charges::insert_settlement(tx, c, charge, payment, source, amount, now, (day, paid_on))
        .await
}

/// Moves a unit's prepaid balance by `delta` (recording why), refusing to go below zero.
#[allow(clippy::too_many_arguments)]
pub(super) async fn move_prepaid(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    kind: &str,
    delta: i64,
    payment: Option<i64>,
    charge: Option<i64>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    if delta == 0 {
        return Ok(());
    }
    let balance = store::accounts::add_prepaid(tx, c, unit, delta, now).await?;
    if balance.is_none_or(|p| p < 0) {
        return Err(CoreError::conflict(
            "amount",
            BillingCode::PrepaidAlreadyUsed,
        ));
    }
    store::accounts::insert_entry(tx, c, unit, kind, delta, payment, charge, now).await
}

/// Lets the unit's prepaid balance settle its open charges, oldest first. Returns the amount
/// applied.
pub(super) async fn apply_prepaid(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    let acc = account_in(tx, c, unit).await?;
    if acc.prepaid_fen <= 0 {
        return Ok(0);
    }
    let (_, _, tz) = community_header(tx, c).await?;
    let day = now.with_timezone(&tz).date_naive();
    // A deduction is a settlement like a payment: late fees up to the day before are posted
    // first (and settled by it too), the days from today on follow what it leaves.
    super::latefees::post_before(tx, c, unit, day, None, now).await?;
    let open = open_charges(tx, c, unit).await?;
    let owed: Vec<(i64, i64)> = open.iter().map(|ch| (ch.id, ch.outstanding())).collect();
    let (shares, _) = allocate(&owed, acc.prepaid_fen);
    if shares.is_empty() {
        return Ok(0);
    }
    let mut applied = 0;
    for (id, amt) in shares {
        settle(tx, c, ChargeId(id), None, "prepaid", amt, now, day, day).await?;
        move_prepaid(tx, c, unit, "deduction", -amt, None, Some(id), now).await?;
        applied += amt;
    }
    super::latefees::after_settling(tx, c, unit, day).await?;
    Ok(applied)
}

/// What a unit owes now: its open charges oldest first, their total, and the prepaid balance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Owed {
    pub unit_id: UnitId,
    pub community_id: CommunityId,
    /// "1栋-1801".
    pub unit_label: String,
    pub charges: Vec<Charge>,
    /// Σ outstanding of the charges.
    pub total_fen: i64,
    /// Late fees accrued on them, not yet posted (a payment posts them first).
    pub late_fees: Vec<super::latefees::LateFeeLine>,
    pub late_fee_fen: i64,
    pub prepaid_fen: i64,
    pub prepaid_enabled: bool,
}

pub(super) async fn unit_label(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<String> {
    let (b, u) = crate::registry::store::for_billing::unit_names(q, c, unit).await?;
    Ok(format!("{b}-{u}"))
}

pub async fn owed(core: &Core, ctx: &Ctx, unit: UnitId) -> CoreResult<Owed> {
    let mut r = core.db.read();
    let c = unit_community(&mut r, ctx, unit).await?;
    require_billing(ctx, c)?;
    owed_in(&mut r, c, unit).await
}

pub(crate) async fn owed_in(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Owed> {
    let charges = open_charges(q, c, unit).await?;
    let acc = account_in(q, c, unit).await?;
    let settings = settings_in(q, c).await?;
    let late_fees: Vec<_> = super::latefees::unit_late_fees(q, c, unit)
        .await?
        .into_iter()
        .filter(|l| l.accrued_fen > 0)
        .collect();
    Ok(Owed {
        unit_id: unit,
        community_id: c,
        unit_label: unit_label(q, c, unit).await?,
        total_fen: charges.iter().map(Charge::outstanding).sum(),
        late_fee_fen: late_fees.iter().map(|l| l.accrued_fen).sum(),
        late_fees,
        charges,
        prepaid_fen: acc.prepaid_fen,
        prepaid_enabled: settings.prepaid_enabled,
    })
}

/// A unit's statement (对账单): every charge and every payment, with the running totals.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Statement {
    pub unit_id: UnitId,
    pub unit_label: String,
    pub charges: Vec<Charge>,
    pub payments: Vec<super::payments::Payment>,
    /// Σ charges (reversals included, negative).
    pub charged_fen: i64,
    /// Σ payments (reversals and refunds included, negative).
    pub paid_fen: i64,
    /// The opening prepaid balance brought from the old system (期初预存; no payment).
    pub opening_fen: i64,
    /// What is owed now (Σ outstanding).
    pub owed_fen: i64,
    pub prepaid_fen: i64,
    /// charged − paid − opening = owed − prepaid.
    pub balance_fen: i64,
}

pub async fn statement(core: &Core, ctx: &Ctx, unit: UnitId) -> CoreResult<Statement> {
    let mut r = core.db.read();
    let c = unit_community(&mut r, ctx, unit).await?;
    require_billing(ctx, c)?;
    statement_in(&mut r, c, unit).await
}

/// The unit a charge belongs to, for a page that goes back to that unit's statement.
pub async fn charge_unit(core: &Core, ctx: &Ctx, charge: i64) -> CoreResult<UnitId> {
    let mut r = core.db.read();
    let c = match store::charges::community_of(&mut r, ChargeId(charge), ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => c,
        _ => return Err(CoreError::NotFound("charge")),
    };
    require_billing(ctx, c)?;
    Ok(get_charge_in(&mut r, c, charge).await?.unit_id)
}

pub(crate) async fn statement_in(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Statement> {
    let charges = store::charges::of_unit(q, c, unit).await?;
    let payments = super::payments::unit_payments(q, c, unit).await?;
    let acc = account_in(q, c, unit).await?;
    let charged: i64 = charges.iter().map(|c| c.amount_fen).sum();
    let paid: i64 = payments.iter().map(|p| p.amount_fen).sum();
    let owed: i64 = charges.iter().map(Charge::outstanding).sum();
    let opening = store::switch::opening_of_unit(q, c, unit).await?;
    Ok(Statement {
        unit_id: unit,
        unit_label: unit_label(q, c, unit).await?,
        charges,
        payments,
        charged_fen: charged,
        paid_fen: paid,
        opening_fen: opening,
        owed_fen: owed,
        prepaid_fen: acc.prepaid_fen,
        balance_fen: charged - paid - opening,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ChargeForCreate {
    pub unit_id: UnitId,
    pub fee_item_id: i64,
    /// Yuan, at most two decimals; may be left empty when `standard_id` names a one-off
    /// standard, whose price it then is.
    #[serde(default)]
    pub amount: String,
    /// A one-off standard of the schedule (装修押金, 门禁卡工本费 …).
    pub standard_id: Option<i64>,
    pub description: String,
    /// Default: today.
    pub due_date: Option<NaiveDate>,
    /// Why it is charged by hand (an adjustment, a one-off fee).
    pub reason: Option<String>,
}

/// Parses a positive amount of money (zero and negative amounts are refused by name).
pub fn positive_money(field: &str, raw: &str) -> Result<Money, FieldError> {
    if raw.trim().starts_with('-') {
        return Err(FieldError::new(field, CommonCode::MustBePositive));
    }
    let m = Money::from_yuan_str(field, raw)?;
    if m.0 <= 0 {
        return Err(FieldError::new(field, CommonCode::MustBePositive));
    }
    Ok(m)
}

pub(super) async fn get_charge_in(
    q: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Charge> {
    store::charges::get(q, c, ChargeId(id))
        .await?
        .ok_or(CoreError::NotFound("charge"))
}

/// Posts a charge by hand (an adjustment or a one-off fee); the unit's prepaid balance settles
/// it at once if it can.
pub async fn create_charge(
    core: &Core,
    ctx: &Ctx,
    mut input: ChargeForCreate,
) -> CoreResult<Charge> {
    if let Some(sid) = input.standard_id {
        let mut r = core.db.read();
        let c = unit_community(&mut r, ctx, input.unit_id).await?;
        let s = match store::standards::in_community(&mut r, c, StandardId(sid)).await? {
            Some(s) if s.method()? == Method::OneOff => s,
            _ => {
                return Err(CoreError::invalid(
                    "standard_id",
                    BillingCode::NotAOneOffStandard,
                ));
            }
        };
        input.fee_item_id = s.fee_item_id;
        if input.amount.trim().is_empty() {
            input.amount = Money(Rounding::HalfUp.div(i128::from(s.price_e4), 100)).to_string();
        }
    }
    let mut ch = Checks::new();
    let amount = ch.take(positive_money("amount", &input.amount));
    let desc = ch.take(required_text("description", &input.description, 100));
    let reason = ch.take(optional_text("reason", input.reason.as_deref(), 200));
    ch.finish()?;
    let (Some(amount), Some(desc), Some(reason)) = (amount, desc, reason) else {
        return Err(CoreError::internal("validated charge"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    if fee_item_in(&mut tx, c, input.fee_item_id).await?.is_none() {
        return Err(CoreError::invalid(
            "fee_item_id",
            BillingCode::UnknownFeeItem,
        ));
    }
    let tz = community_tz(&mut tx, ctx, c).await?;
    let due = input.due_date.unwrap_or_else(|| today_in(tz));
    let id = store::charges::insert_manual(
        &mut tx,
        c,
        store::charges::ManualCharge {
            unit_id: input.unit_id,
            fee_item_id: input.fee_item_id,
            kind: ChargeKind::Manual.code(),
            description: &desc,
            basis: format!("¥{amount}"),
            amount_fen: amount.0,
            due_date: due,
            reason,
        },
        ctx.actor(),
        now,
    )
    .await?;
    apply_prepaid(&mut tx, c, input.unit_id, now).await?;
    let after = get_charge_in(&mut tx, c, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "charge", id)
            .community(c)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Reason {
    pub reason: String,
}

/// Reverses a charge (红冲): a counter-charge of the opposite amount, pointing at the original,
/// which owes nothing from then on. A charge with money on it is reversed after that payment
/// is; a reversal is never reversed.
pub async fn reverse_charge(core: &Core, ctx: &Ctx, id: i64, input: Reason) -> CoreResult<Charge> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let c = match store::charges::community_of(&mut tx, ChargeId(id), ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => c,
        _ => return Err(CoreError::NotFound("charge")),
    };
    ctx.require_in(Perm::BillingManage, c)?;
    let orig = get_charge_in(&mut tx, c, id).await?;
    if orig.kind == ChargeKind::Reversal.code() {
        return Err(CoreError::conflict(
            "id",
            BillingCode::CannotReverseReversal,
        ));
    }
    if orig.reversed_by.is_some() {
        return Err(CoreError::conflict("id", BillingCode::AlreadyReversed));
    }
    if orig.settled_fen != 0 {
        return Err(CoreError::conflict("id", BillingCode::ChargeHasPayments));
    }
    let after = reverse_in(&mut tx, ctx, c, &orig, &reason).await?;
    tx.commit().await?;
    Ok(after)
}

/// Writes the counter-charge of `orig` and marks it reversed, in the caller's transaction; the
/// caller has checked it may be (not a reversal, not reversed, nothing paid on it).
async fn reverse_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    orig: &Charge,
    reason: &str,
) -> CoreResult<Charge> {
    let now = Utc::now();
    let tz = community_tz(tx, ctx, c).await?;
    let rid = store::charges::insert_reversal(
        tx,
        c,
        orig,
        ChargeKind::Reversal.code(),
        format!("红冲：{}", orig.description),
        today_in(tz),
        reason,
        ctx.actor(),
        now,
    )
    .await?;
    if store::charges::mark_reversed(tx, ChargeId(orig.id), ChargeId(rid)).await? != 1 {
        return Err(CoreError::conflict("id", BillingCode::AlreadyReversed));
    }
    let after = get_charge_in(tx, c, rid).await?;
    audit::record(
        tx,
        ctx,
        Entry::new(Action::Create, "charge_reversal", rid)
            .community(c)
            .before(orig)
            .after(&after),
    )
    .await?;
    Ok(after)
}

/// A paid service another module sells (a venue booked by the hour …), charged to the unit in
/// the caller's transaction under the community's paid-service fee item, due today; collected at
/// the cashier like any charge.
pub(crate) async fn charge_service_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    description: &str,
    basis: String,
    amount_fen: i64,
) -> CoreResult<i64> {
    let item = service_fee_item(tx, c, Utc::now()).await?;
    charge_item_in(tx, ctx, c, unit, item, description, basis, amount_fen).await
}

/// A decoration's fee (装修管理费, 垃圾清运费), charged like a paid service but under the
/// community's decoration fee item (created on first use), so the reports show it as such.
pub(crate) async fn charge_decoration_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    description: &str,
    basis: String,
    amount_fen: i64,
) -> CoreResult<i64> {
    let now = Utc::now();
    let item = match store::fee_items::item_of_kind(tx, c, FeeKind::Decoration.code()).await? {
        Some(id) => id,
        None => store::fee_items::create_module_item(
            tx,
            c,
            ("DECORATION", "装修费用", "decoration"),
            now,
        )
        .await?
        .ok_or_else(|| CoreError::conflict("pending", BillingCode::ServiceItemCodeTaken))?,
    };
    charge_item_in(tx, ctx, c, unit, item, description, basis, amount_fen).await
}

/// A charge another module collects for a third party (报刊订阅 for the post office …), in the
/// caller's transaction, under the community's agency item of `code` (代收代缴, created on first
/// use); an item of that code of another kind is the manager's to rename first (409).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn charge_agency_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    (code, name): (&str, &str),
    description: &str,
    basis: String,
    amount_fen: i64,
) -> CoreResult<i64> {
    let taken = || CoreError::conflict("pending", BillingCode::ServiceItemCodeTaken);
    let item = match store::fee_items::item_of_code(tx, c, code).await? {
        Some((id, kind)) if kind == FeeKind::Agency.code() => id,
        Some(_) => return Err(taken()),
        None => {
            let made = store::fee_items::create_module_item(
                tx,
                c,
                (code, name, FeeKind::Agency.code()),
                Utc::now(),
            )
            .await?;
            match made {
                Some(id) => id,
                // Made at the same moment by another desk: use it when it is an agency item.
                None => match store::fee_items::item_of_code(tx, c, code).await? {
                    Some((id, kind)) if kind == FeeKind::Agency.code() => id,
                    _ => return Err(taken()),
                },
            }
        }
    };
    charge_item_in(tx, ctx, c, unit, item, description, basis, amount_fen).await
}

/// What is still owed on the charges under the agency item of `code`: charge id → fen (a charge
/// not listed is paid or reversed).
pub(crate) async fn owed_under_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<std::collections::HashMap<i64, i64>> {
    Ok(match store::fee_items::item_of_code(q, c, code).await? {
        Some((item, _)) => store::charges::owed_under_item(q, c, item)
            .await?
            .into_iter()
            .collect(),
        None => Default::default(),
    })
}

/// What is still to pay on a charge another module raised (0 once settled or reversed).
pub(crate) async fn outstanding_in(tx: &mut Tx, c: CommunityId, id: i64) -> CoreResult<i64> {
    let ch = get_charge_in(tx, c, id).await?;
    Ok(if ch.reversed_by.is_some() {
        0
    } else {
        ch.amount_fen - ch.settled_fen
    })
}

#[allow(clippy::too_many_arguments)]
async fn charge_item_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    item: i64,
    description: &str,
    basis: String,
    amount_fen: i64,
) -> CoreResult<i64> {
    let now = Utc::now();
    let tz = community_tz(tx, ctx, c).await?;
    let id = store::charges::insert_service(
        tx,
        c,
        unit,
        item,
        ChargeKind::Service.code(),
        description,
        basis,
        amount_fen,
        today_in(tz),
        ctx.actor(),
        now,
    )
    .await?;
    let after = get_charge_in(tx, c, id).await?;
    audit::record(
        tx,
        ctx,
        Entry::new(Action::Create, "charge", id)
            .community(c)
            .after(&after),
    )
    .await?;
    Ok(id)
}

/// Withdraws a service charge another module raised (its service cancelled), in the caller's
/// transaction: reversed (红冲) while nothing is paid on it. `Ok(false)` when money is on it —
/// billing's rule: the payment is reversed first.
pub(crate) async fn withdraw_service_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    id: i64,
    reason: &str,
) -> CoreResult<bool> {
    let orig = get_charge_in(tx, c, id).await?;
    if orig.reversed_by.is_some() {
        return Ok(true);
    }
    if orig.settled_fen != 0 {
        return Ok(false);
    }
    reverse_in(tx, ctx, c, &orig, reason).await?;
    Ok(true)
}

/// The fee item paid services are charged under; created on first use.
async fn service_fee_item(tx: &mut Tx, c: CommunityId, now: DateTime<Utc>) -> CoreResult<i64> {
    if let Some(id) = store::fee_items::service_item(tx, c).await? {
        return Ok(id);
    }
    // The code is taken by an item of another kind: the manager must make a service item.
    store::fee_items::create_module_item(tx, c, ("SERVICE", "有偿服务", "service"), now)
        .await?
        .ok_or_else(|| CoreError::conflict("pending", BillingCode::ServiceItemCodeTaken))
}

/// Posts the paid services that requests handed over (`pending_charges`) as charges of their
/// units, each exactly once: the hand-over row is claimed by a conditional UPDATE before its
/// charge is written, in one transaction. Returns the number posted.
pub(super) async fn post_pending_in(
    tx: &mut Tx,
    c: CommunityId,
    actor: Option<UserId>,
    due: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(UnitId, i64)>> {
    let rows = crate::tickets::store::for_billing::unposted(tx, c).await?;
    if rows.is_empty() {
        return Ok(vec![]);
    }
    let item = service_fee_item(tx, c, now).await?;
    let mut out = Vec::new();
    for p in rows {
        let cid = store::charges::insert_service(
            tx,
            c,
            p.unit_id,
            item,
            ChargeKind::Service.code(),
            &p.description,
            format!("¥{}", Money(p.amount_fen)),
            p.amount_fen,
            due,
            actor,
            now,
        )
        .await?;
        if crate::tickets::store::for_billing::mark_posted(tx, p.id, cid).await? != 1 {
            return Err(CoreError::conflict(
                "pending",
                BillingCode::PendingAlreadyPosted,
            ));
        }
        out.push((p.unit_id, cid));
    }
    Ok(out)
}

/// Posts the community's pending paid services now (they are also posted by every bill run).
pub async fn post_pending(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<i64> {
    ctx.require_in(Perm::BillingManage, c)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let posted = post_pending_in(&mut tx, c, ctx.actor(), today_in(tz), now)
        .await
        .map_err(|e| e.or_conflict("pending", BillingCode::PendingAlreadyPosted))?;
    for (unit, _) in &posted {
        apply_prepaid(&mut tx, c, *unit, now).await?;
    }
    if !posted.is_empty() {
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Create, "pending_charges_posted", c.0)
                .community(c)
                .after(&serde_json::json!({ "charges": posted.iter().map(|p| p.1).collect::<Vec<_>>() })),
        )
        .await?;
    }
    tx.commit().await?;
    Ok(posted.len() as i64)
}
