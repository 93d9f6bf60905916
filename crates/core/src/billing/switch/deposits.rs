//! The deposits a property centre holds (押金: 装修押金, 门禁卡押金 and others): recorded at the
//! desk (money taken now, or a deposit already held when the desk starts using wuye) or by the
//! import, listed per unit and per community with the total held, and refunded once.
//!
//! A deposit is not a charge and not income: it never enters a unit's ledger or the income
//! reports. Money it moves at the desk is in the cashier's daily close like a payment or a
//! refund: taken with a method, it adds to that day's totals by method; refunded, it is money
//! out of the refunding user's day (negative, like a prepaid refund). The close of a day already
//! closed refuses both (409 `day_closed`).
//!
//! Refunding needs `billing.manage` — the same as refunding prepaid money: paying money back
//! is the manager's decision (after the decoration inspection), not the desk's; recording a
//! deposit needs `billing.collect`.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Tx;
use crate::shared::code_enum;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};

use super::super::ledger::positive_money;
use super::super::model::PayMethod;
use super::super::payments::open_day;
use super::super::setup::*;
use super::super::store;
use super::SwitchCode;

code_enum!(DepositKind, SwitchCode::UnknownDepositKind, {
    Decoration = "decoration", "装修押金", "Decoration deposit";
    Card = "card", "门禁卡押金", "Access card deposit";
    Loan = "loan", "借用押金", "Item loan deposit";
    Other = "other", "其他押金", "Other deposit";
});

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Deposit {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    /// "1栋-1801".
    pub unit_label: String,
    /// decoration, card, other.
    pub kind: String,
    pub amount_fen: i64,
    pub received_on: NaiveDate,
    pub payer: String,
    pub note: Option<String>,
    /// `desk` or `import`.
    pub source: String,
    /// How the money was taken, when it was taken at the desk in wuye (then it is in that
    /// day's close); none for a deposit held from before.
    pub received_method: Option<String>,
    /// `held` or `refunded`.
    pub state: String,
    pub refunded_at: Option<DateTime<Utc>>,
    pub refund_method: Option<String>,
    pub refund_reason: Option<String>,
    pub refunded_by_name: Option<String>,
    /// The business day whose close counts the refund.
    pub refund_business_date: Option<NaiveDate>,
    /// Kept against documented deductions on refund (a decoration's violations); the refund
    /// paid back `amount_fen - deducted_fen`.
    pub deducted_fen: i64,
    pub deduction_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DepositForCreate {
    pub unit_id: UnitId,
    /// decoration, card, other (or 装修押金 …).
    pub kind: String,
    /// Yuan, positive, at most two decimals.
    pub amount: String,
    /// Who paid it.
    pub payer: String,
    /// Money taken now: cash, wechat, alipay, bank or pos; it is counted in today's close.
    /// Empty: a deposit already held (received before the switch), in no close.
    pub method: Option<String>,
    /// When it was received (default today; with `method`, today only).
    pub received_on: Option<NaiveDate>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DepositRefund {
    /// How the money goes back: cash, wechat, alipay, bank, pos.
    pub method: String,
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DepositFilter {
    /// `held` or `refunded`; default both.
    pub state: Option<String>,
}

/// A community's deposits and what it holds.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DepositList {
    pub deposits: Vec<Deposit>,
    /// Deposits still held.
    pub held_count: i64,
    /// Σ of the deposits still held.
    pub held_fen: i64,
}

fn not_future(field: &str, d: NaiveDate, today: NaiveDate) -> Result<NaiveDate, FieldError> {
    if d > today {
        return Err(FieldError::new(
            field,
            super::super::error::BillingCode::DateInFuture,
        ));
    }
    Ok(d)
}

/// Records a deposit at the desk.
pub async fn create_deposit(
    core: &Core,
    ctx: &Ctx,
    input: DepositForCreate,
) -> CoreResult<Deposit> {
    let mut ch = Checks::new();
    let kind = ch.take(DepositKind::parse("kind", &input.kind));
    let amount = ch.take(positive_money("amount", &input.amount));
    let payer = ch.take(required_text("payer", &input.payer, 50));
    let note = ch.take(optional_text("note", input.note.as_deref(), 200));
    let method = match input
        .method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => ch.take(PayMethod::parse("method", m)).map(Some),
        None => Some(None),
    };
    ch.finish()?;
    let (Some(kind), Some(amount), Some(payer), Some(note), Some(method)) =
        (kind, amount, payer, note, method)
    else {
        return Err(CoreError::internal("validated deposit"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingCollect, c)?;
    let today = today_in(community_tz(&mut tx, ctx, c).await?);
    let received_on = input.received_on.unwrap_or(today);
    if method.is_some() && received_on != today {
        return Err(CoreError::invalid("received_on", SwitchCode::MustBeToday));
    }
    not_future("received_on", received_on, today).map_err(|e| CoreError::Invalid(vec![e]))?;
    if method.is_some() {
        open_day(&mut tx, c, ctx.actor().map_or(0, |u| u.0), today).await?;
    }
    let id = store::deposits::insert(
        &mut tx,
        c,
        &store::deposits::NewDeposit {
            unit_id: input.unit_id,
            kind: kind.code(),
            amount_fen: amount.0,
            received_on,
            payer: &payer,
            note: note.as_deref(),
            source: "desk",
            taken: method.map(|m| (m.code(), today)),
        },
        ctx.actor(),
        now,
    )
    .await?;
    let d = deposit_in(&mut tx, c, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "deposit", id)
            .community(c)
            .after(&d),
    )
    .await?;
    tx.commit().await?;
    Ok(d)
}

async fn deposit_in(
    q: &mut impl crate::db::Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Deposit> {
    store::deposits::get(q, c, id)
        .await?
        .ok_or(CoreError::NotFound("deposit"))
}

async fn deposit_community(
    q: &mut impl crate::db::Queries,
    ctx: &Ctx,
    id: i64,
) -> CoreResult<CommunityId> {
    match store::deposits::community_of(q, id, ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => Ok(c),
        _ => Err(CoreError::NotFound("deposit")),
    }
}

/// One deposit.
pub async fn get_deposit(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Deposit> {
    let mut r = core.db.read();
    let c = deposit_community(&mut r, ctx, id).await?;
    require_billing(ctx, c)?;
    deposit_in(&mut r, c, id).await
}

/// A unit's deposits, newest first.
pub async fn unit_deposits(core: &Core, ctx: &Ctx, unit: UnitId) -> CoreResult<Vec<Deposit>> {
    let mut r = core.db.read();
    let c = unit_community(&mut r, ctx, unit).await?;
    require_billing(ctx, c)?;
    store::deposits::of_unit(&mut r, c, unit).await
}

/// A community's deposits building by building, and the total it holds.
pub async fn list_deposits(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: &DepositFilter,
) -> CoreResult<DepositList> {
    require_billing(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s @ ("held" | "refunded")) => Some(s),
        Some(_) => {
            return Err(CoreError::invalid(
                "state",
                crate::shared::error::CommonCode::Invalid,
            ));
        }
    };
    let mut r = core.db.read();
    let deposits = store::deposits::of_community(&mut r, c, state).await?;
    let (held_count, held_fen) = store::deposits::held_total(&mut r, c).await?;
    Ok(DepositList {
        deposits,
        held_count,
        held_fen,
    })
}

/// Pays a held deposit back in full, once (409 `deposit_already_refunded` after that); the
/// money is out of today's close of the user who refunds it.
pub async fn refund_deposit(
    core: &Core,
    ctx: &Ctx,
    id: i64,
    input: DepositRefund,
) -> CoreResult<Deposit> {
    let mut ch = Checks::new();
    let method = ch.take(PayMethod::parse("method", &input.method));
    let reason = ch.take(required_text("reason", &input.reason, 200));
    ch.finish()?;
    let (Some(method), Some(reason)) = (method, reason) else {
        return Err(CoreError::internal("validated deposit refund"));
    };
    let mut tx = core.db.begin().await?;
    let c = deposit_community(&mut tx, ctx, id).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    let before = deposit_in(&mut tx, c, id).await?;
    if before.state != "held" {
        return Err(CoreError::conflict(
            "id",
            SwitchCode::DepositAlreadyRefunded,
        ));
    }
    refund_in(&mut tx, ctx, c, id, method, &reason, (0, None)).await?;
    let after = deposit_in(&mut tx, c, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "deposit_refund", id)
            .community(c)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Pays a held deposit back inside the caller's transaction, out of today's close of the user
/// who does it (409 `deposit_already_refunded` when it is not held). The caller has checked
/// that the user may: the desk that takes a lent item back pays its deposit back there; a
/// decoration keeps `kept` (fen, with what documents it) against its violations and pays back
/// the rest.
pub(crate) async fn refund_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    id: i64,
    method: PayMethod,
    reason: &str,
    kept: (i64, Option<&str>),
) -> CoreResult<()> {
    let day = today_in(community_tz(tx, ctx, c).await?);
    open_day(tx, c, ctx.actor().map_or(0, |u| u.0), day).await?;
    let refund = store::deposits::Refund {
        method: method.code(),
        reason,
        by: ctx.actor(),
        by_name: &ctx.display_name,
        day,
        now: Utc::now(),
        deducted_fen: kept.0,
        deduction_note: kept.1,
    };
    if store::deposits::refund(tx, c, id, &refund).await? != 1 {
        return Err(CoreError::conflict(
            "id",
            SwitchCode::DepositAlreadyRefunded,
        ));
    }
    Ok(())
}

/// A deposit the desk takes now for another module's business (an item lent).
pub(crate) struct Taken<'a> {
    pub unit: UnitId,
    pub kind: DepositKind,
    pub amount_fen: i64,
    pub payer: &'a str,
    pub method: PayMethod,
    pub note: Option<&'a str>,
}

/// Records a deposit taken now inside the caller's transaction: in today's close of the user
/// who takes it, audited like one recorded on the deposits page. The caller has checked that
/// the user may.
pub(crate) async fn take_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    t: Taken<'_>,
) -> CoreResult<Deposit> {
    let today = today_in(community_tz(tx, ctx, c).await?);
    open_day(tx, c, ctx.actor().map_or(0, |u| u.0), today).await?;
    let id = store::deposits::insert(
        tx,
        c,
        &store::deposits::NewDeposit {
            unit_id: t.unit,
            kind: t.kind.code(),
            amount_fen: t.amount_fen,
            received_on: today,
            payer: t.payer,
            note: t.note,
            source: "desk",
            taken: Some((t.method.code(), today)),
        },
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    let d = deposit_in(tx, c, id).await?;
    audit::record(
        tx,
        ctx,
        Entry::new(Action::Create, "deposit", id)
            .community(c)
            .after(&d),
    )
    .await?;
    Ok(d)
}
