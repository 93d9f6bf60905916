//! Small items the desk lends (雨伞/工具借用, issue 15 point 4): each item with its stock, an
//! optional deposit a piece and the days a loan runs; lending (to a unit's resident, or a
//! name and phone), returning, and the list of loans out with those overdue first.
//!
//! A deposit is money, so it is billing's: taken with its method into billing's deposits
//! (kind `loan`, in the lending agent's close of the day) in the loan's own transaction, and
//! paid back there when the item comes back — never a second ledger at the desk. A deposit is
//! a unit's in billing, so an item with a deposit is lent to a unit's resident.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::{self, ItemLoanState};
use super::super::store::lending::{self as store, ItemRow, ItemSave, LoanRow, LoanWhere, NewLoan};
use super::{
    Resident, desk_unit, optional_phone, require_desk, require_manage, staff_names, unit_person,
};
use crate::audit::{self, Action, Entry};
use crate::billing::model::PayMethod;
use crate::billing::switch::deposits::{self as deposits, DepositKind, Taken};
use crate::db::{Queries, Tx};
use crate::shared::crypto::mask_phone;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// The most pieces of one item the desk keeps.
const MAX_STOCK: i64 = 10_000;
/// The most pieces lent at once.
const MAX_QUANTITY: i64 = 20;
/// The largest deposit a piece: ¥10,000.
const MAX_DEPOSIT_FEN: i64 = 1_000_000;

/// An item the desk lends.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LendItem {
    pub id: LendItemId,
    pub community_id: CommunityId,
    pub name: String,
    pub stock: i64,
    pub out: i64,
    /// Pieces in, to lend.
    pub available: i64,
    /// The deposit a piece, in fen (0: none).
    pub deposit_fen: i64,
    /// Days a loan runs unless the desk sets its due time.
    pub loan_days: i64,
    pub note: Option<String>,
    pub retired: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct LendItemForSave {
    /// 雨伞, 梯子, 工具箱 …
    pub name: String,
    /// Pieces the desk has (0–10,000; not below those out).
    pub stock: i64,
    /// The deposit a piece in yuan; empty or 0: none.
    #[serde(default)]
    pub deposit: Option<String>,
    /// Days a loan runs (1–30, default 1).
    #[serde(default)]
    pub loan_days: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
    /// Retired: no longer lent (loans out still come back).
    #[serde(default)]
    pub retired: Option<bool>,
}

/// A loan of an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemLoan {
    pub id: ItemLoanId,
    pub community_id: CommunityId,
    pub item_id: LendItemId,
    pub item_name: String,
    pub quantity: i64,
    pub unit_id: Option<UnitId>,
    /// "1栋-1801".
    pub unit_label: Option<String>,
    pub person_id: Option<PersonId>,
    pub borrower_name: String,
    /// Masked.
    pub phone: Option<String>,
    pub lent_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub lent_by_name: Option<String>,
    /// The deposit taken (billing's deposits), if the item has one.
    pub deposit_id: Option<i64>,
    pub deposit_fen: Option<i64>,
    /// How it was paid.
    pub deposit_method: Option<String>,
    /// `held` or `refunded`.
    pub deposit_state: Option<String>,
    pub note: Option<String>,
    pub returned_at: Option<DateTime<Utc>>,
    pub returned_to_name: Option<String>,
    pub return_note: Option<String>,
    /// Closed as lost: its pieces left the stock and its deposit was kept.
    pub lost: bool,
    /// Out and past its due time.
    pub overdue: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemLoanForCreate {
    /// Pieces (1–20, default 1).
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit; or else a typed name (matched to the unit's people when one has
    /// it).
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub borrower_name: Option<String>,
    #[serde(default)]
    pub phone: Option<String>,
    /// Due back (default: now plus the item's days); within 30 days.
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// How the deposit is paid (cash, wechat, alipay, bank, pos): required when the item has
    /// one.
    #[serde(default)]
    pub deposit_method: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemReturn {
    /// How the deposit goes back (default: as it was paid).
    #[serde(default)]
    pub refund_method: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
    /// The borrower lost it: the pieces leave the stock and the deposit is kept in full.
    #[serde(default)]
    pub lost: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ItemLoanFilter {
    /// `out` or `returned`; default both (out first, by due time).
    pub state: Option<String>,
    /// Out and past due only.
    pub overdue: Option<bool>,
    pub item_id: Option<i64>,
    pub unit_id: Option<i64>,
}

fn item_of(r: ItemRow) -> LendItem {
    LendItem {
        id: r.id,
        community_id: r.community_id,
        available: if r.retired_at.is_some() {
            0
        } else {
            r.stock - r.out_count
        },
        name: r.name,
        stock: r.stock,
        out: r.out_count,
        deposit_fen: r.deposit_fen,
        loan_days: r.loan_days,
        note: r.note,
        retired: r.retired_at.is_some(),
    }
}

fn loan_of(
    core: &Core,
    r: LoanRow,
    names: &std::collections::HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> CoreResult<ItemLoan> {
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    Ok(ItemLoan {
        phone: r
            .phone_enc
            .as_ref()
            .map(|b| core.crypto.decrypt(b).map(|p| mask_phone(&p)))
            .transpose()?,
        overdue: model::overdue(r.due_at, r.returned_at, now),
        lent_by_name: name(r.lent_by),
        returned_to_name: name(r.returned_to),
        id: r.id,
        community_id: r.community_id,
        item_id: r.item_id,
        item_name: r.item_name,
        quantity: r.quantity,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        borrower_name: r.borrower_name,
        lent_at: r.lent_at,
        due_at: r.due_at,
        deposit_id: r.deposit_id,
        deposit_fen: r.deposit_fen,
        deposit_method: r.deposit_method,
        deposit_state: r.deposit_state,
        note: r.note,
        returned_at: r.returned_at,
        return_note: r.return_note,
        lost: r.lost,
    })
}

/// The items the community's desk lends, those retired last.
pub async fn list_lend_items(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<LendItem>> {
    require_desk(ctx, c)?;
    Ok(store::items(&mut core.db.read(), c)
        .await?
        .into_iter()
        .map(item_of)
        .collect())
}

async fn reached_item(q: &mut impl Queries, ctx: &Ctx, id: LendItemId) -> CoreResult<ItemRow> {
    let r = store::item(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("lend_item"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("lend_item"))?;
    Ok(r)
}

/// An item the desk lends.
pub async fn get_lend_item(core: &Core, ctx: &Ctx, id: LendItemId) -> CoreResult<LendItem> {
    Ok(item_of(reached_item(&mut core.db.read(), ctx, id).await?))
}

struct Checked {
    name: String,
    stock: i64,
    deposit_fen: i64,
    loan_days: i64,
    note: Option<String>,
}

fn check_item(input: &LendItemForSave) -> CoreResult<Checked> {
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !(0..=MAX_STOCK).contains(&input.stock) {
        errs.push(FieldError::new("stock", FrontdeskCode::StockRange).with("max", MAX_STOCK));
    }
    let deposit_fen = match input
        .deposit
        .as_deref()
        .map(str::trim)
        .filter(|d| !d.is_empty())
    {
        Some(d) => match Money::from_yuan_str("deposit", d) {
            Ok(m) if (0..=MAX_DEPOSIT_FEN).contains(&m.0) => m.0,
            Ok(_) => {
                errs.push(FieldError::new(
                    "deposit",
                    crate::shared::error::CommonCode::TooLarge,
                ));
                0
            }
            Err(e) => {
                errs.push(e);
                0
            }
        },
        None => 0,
    };
    let loan_days = input.loan_days.unwrap_or(1);
    if !(1..=model::MAX_LOAN_DAYS).contains(&loan_days) {
        errs.push(
            FieldError::new("loan_days", FrontdeskCode::LoanDaysRange)
                .with("max", model::MAX_LOAN_DAYS),
        );
    }
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(Checked {
        name,
        stock: input.stock,
        deposit_fen,
        loan_days,
        note,
    })
}

fn duplicate(e: CoreError) -> CoreError {
    if e.is_unique_violation() {
        CoreError::invalid("name", FrontdeskCode::DuplicateItem)
    } else {
        e
    }
}

/// Adds an item to lend (`frontdesk.manage`).
pub async fn create_lend_item(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: LendItemForSave,
) -> CoreResult<LendItem> {
    require_manage(ctx, c)?;
    let k = check_item(&input)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let save = ItemSave {
        name: &k.name,
        stock: k.stock,
        deposit_fen: k.deposit_fen,
        loan_days: k.loan_days,
        note: k.note.as_deref(),
        retired: input.retired.unwrap_or(false),
    };
    let id = store::insert_item(&mut tx, c, &save, now)
        .await
        .map_err(duplicate)?;
    let v = item_of(
        store::item(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("lend_item"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "lend_item", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Changes an item's stock, deposit, days or name, or retires it (`frontdesk.manage`); the
/// stock cannot fall below the pieces out. A new deposit applies to loans from then on.
pub async fn update_lend_item(
    core: &Core,
    ctx: &Ctx,
    id: LendItemId,
    input: LendItemForSave,
) -> CoreResult<LendItem> {
    let mut tx = core.db.begin().await?;
    let before = reached_item(&mut tx, ctx, id).await?;
    let c = before.community_id;
    require_manage(ctx, c)?;
    let k = check_item(&input)?;
    let now = Utc::now();
    let save = ItemSave {
        name: &k.name,
        stock: k.stock,
        deposit_fen: k.deposit_fen,
        loan_days: k.loan_days,
        note: k.note.as_deref(),
        retired: input.retired.unwrap_or(before.retired_at.is_some()),
    };
    if store::update_item(&mut tx, c, id, &save, now)
        .await
        .map_err(duplicate)?
        != 1
    {
        let out = store::item(&mut tx, id).await?.map_or(0, |r| r.out_count);
        return Err(CoreError::Invalid(vec![
            FieldError::new("stock", FrontdeskCode::StockBelowOut).with("out", out),
        ]));
    }
    let after = item_of(
        store::item(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("lend_item"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "lend_item", id.0)
            .community(c)
            .before(&item_of(before))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Who borrows: the unit, its person, the name and the phone (encrypted).
struct Borrower {
    unit: Option<UnitId>,
    person: Option<PersonId>,
    name: String,
    phone_enc: Option<Vec<u8>>,
}

/// Finds the borrower as the desk typed him; errors are pushed, named.
async fn borrower(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: &ItemLoanForCreate,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Option<Borrower>> {
    let phone = optional_phone("phone", input.phone.as_deref(), errs);
    let typed = optional_text("borrower_name", input.borrower_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let unit = desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        errs,
    )
    .await?;
    let given = Resident {
        person: input.person_id,
        name: typed,
        phone_enc: phone.as_ref().map(|p| core.crypto.encrypt(p.as_str())),
    };
    let fields = ("person_id", "borrower_name");
    let Resident {
        person,
        name,
        phone_enc,
    } = unit_person(
        &mut core.db.read(),
        c,
        unit,
        given,
        fields,
        FrontdeskCode::BorrowerRequired,
        errs,
    )
    .await?;
    Ok(name.map(|name| Borrower {
        unit,
        person,
        name,
        phone_enc,
    }))
}

/// Lends pieces of an item (`frontdesk.work`), taking its deposit into billing in the same
/// transaction; fewer pieces in than asked (the last one lent by another desk a moment before)
/// is refused.
pub async fn lend_item(
    core: &Core,
    ctx: &Ctx,
    id: LendItemId,
    input: ItemLoanForCreate,
) -> CoreResult<ItemLoan> {
    let item = reached_item(&mut core.db.read(), ctx, id).await?;
    let c = item.community_id;
    let now = Utc::now();
    let mut errs = Vec::new();
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        errs.push(
            FieldError::new("quantity", FrontdeskCode::QuantityRange).with("max", MAX_QUANTITY),
        );
    }
    let due_at = input
        .due_at
        .unwrap_or_else(|| now + Duration::days(item.loan_days));
    if let Err(e) = model::check_due("due_at", now, due_at) {
        errs.push(e);
    }
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let who = borrower(core, ctx, c, &input, &mut errs).await?;
    let method = match input
        .deposit_method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        _ if item.deposit_fen == 0 => None,
        Some(m) => PayMethod::parse("deposit_method", m)
            .map_err(|e| errs.push(e))
            .ok(),
        None => {
            errs.push(FieldError::new(
                "deposit_method",
                FrontdeskCode::DepositMethodRequired,
            ));
            None
        }
    };
    if item.deposit_fen > 0
        && who.as_ref().is_some_and(|b| b.unit.is_none())
        && !errs.iter().any(|e| e.field.starts_with("unit"))
    {
        errs.push(FieldError::new(
            "unit_label",
            FrontdeskCode::DepositNeedsUnit,
        ));
    }
    let Some(who) = who.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let mut tx = core.db.begin().await?;
    if store::take_out(&mut tx, c, id, quantity, now).await? != 1 {
        return Err(not_lent(&mut tx, id).await?);
    }
    let deposit = match (method, who.unit) {
        (Some(method), Some(unit)) => {
            let memo = format!("{} × {quantity}", item.name);
            let d = deposits::take_in(
                &mut tx,
                ctx,
                c,
                Taken {
                    unit,
                    kind: DepositKind::Loan,
                    amount_fen: item.deposit_fen * quantity,
                    payer: &who.name,
                    method,
                    note: Some(&memo),
                },
            )
            .await?;
            Some(d.id)
        }
        _ => None,
    };
    let loan = store::insert_loan(
        &mut tx,
        c,
        NewLoan {
            item: id,
            quantity,
            unit: who.unit,
            person: who.person,
            borrower_name: &who.name,
            phone_enc: who.phone_enc.clone(),
            due_at,
            by: ctx.actor(),
            deposit,
            note: note.as_deref(),
        },
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "item_loan", loan.0)
            .community(c)
            .after(
                &serde_json::json!({"item": item.name, "quantity": quantity, "unit_id": who.unit,
                "borrower": who.name, "due_at": due_at, "deposit_id": deposit}),
            ),
    )
    .await?;
    let v = read_loan(core, &mut tx, ctx, loan).await?;
    tx.commit().await?;
    Ok(v)
}

/// Why pieces were not taken out: retired, or fewer in than asked.
async fn not_lent(tx: &mut Tx, id: LendItemId) -> CoreResult<CoreError> {
    let r = store::item(tx, id)
        .await?
        .ok_or(CoreError::NotFound("lend_item"))?;
    Ok(if r.retired_at.is_some() {
        CoreError::conflict("item_id", FrontdeskCode::ItemRetired)
    } else {
        CoreError::Conflict(
            FieldError::new("quantity", FrontdeskCode::OutOfStock)
                .with("available", r.stock - r.out_count),
        )
    })
}

async fn read_loan(
    core: &Core,
    q: &mut impl Queries,
    ctx: &Ctx,
    id: ItemLoanId,
) -> CoreResult<ItemLoan> {
    let r = store::loan(q, id)
        .await?
        .ok_or(CoreError::NotFound("item_loan"))?;
    let names = staff_names(q, ctx, r.community_id).await?;
    loan_of(core, r, &names, Utc::now())
}

async fn reached_loan(q: &mut impl Queries, ctx: &Ctx, id: ItemLoanId) -> CoreResult<LoanRow> {
    let r = store::loan(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("item_loan"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("item_loan"))?;
    Ok(r)
}

/// A loan.
pub async fn get_item_loan(core: &Core, ctx: &Ctx, id: ItemLoanId) -> CoreResult<ItemLoan> {
    let mut q = core.db.read();
    let r = reached_loan(&mut q, ctx, id).await?;
    let names = staff_names(&mut q, ctx, r.community_id).await?;
    loan_of(core, r, &names, Utc::now())
}

/// Takes lent pieces back (`frontdesk.work`), once, and pays the deposit back in the same
/// transaction, out of the returning agent's close of the day. A loss (`lost`) closes the loan
/// too: the pieces leave the stock and the deposit is kept in full (nothing leaves the drawer).
pub async fn return_item_loan(
    core: &Core,
    ctx: &Ctx,
    id: ItemLoanId,
    input: ItemReturn,
) -> CoreResult<ItemLoan> {
    let mut errs = Vec::new();
    let method = match input
        .refund_method
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        Some(m) => PayMethod::parse("refund_method", m)
            .map_err(|e| errs.push(e))
            .ok(),
        None => None,
    };
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = reached_loan(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let lost = input.lost;
    if store::mark_returned(&mut tx, c, id, ctx.actor(), (note.as_deref(), lost), now).await? != 1 {
        return Err(CoreError::conflict("id", FrontdeskCode::LoanReturned));
    }
    let back = if lost {
        store::write_off(&mut tx, c, r.item_id, r.quantity, now).await?
    } else {
        store::put_back(&mut tx, c, r.item_id, r.quantity, now).await?
    };
    if back != 1 {
        return Err(CoreError::internal("pieces out of a loan out"));
    }
    if let (Some(d), Some("held")) = (r.deposit_id, r.deposit_state.as_deref()) {
        let paid = r
            .deposit_method
            .as_deref()
            .map(|m| PayMethod::parse("refund_method", m))
            .transpose()
            .map_err(|e| CoreError::Invalid(vec![e]))?;
        let Some(method) = method.or(paid) else {
            return Err(CoreError::invalid(
                "refund_method",
                crate::shared::error::CommonCode::Required,
            ));
        };
        if lost {
            // Kept in full: settled with nothing paid back, so nothing leaves the drawer.
            let reason = format!("{} × {} 遗失，押金不退", r.item_name, r.quantity);
            let kept = r.deposit_fen.unwrap_or(0);
            deposits::refund_in(
                &mut tx,
                ctx,
                c,
                d,
                method,
                &reason,
                (kept, Some("物品遗失")),
            )
            .await?;
        } else {
            let reason = format!("{} × {} 已归还", r.item_name, r.quantity);
            deposits::refund_in(&mut tx, ctx, c, d, method, &reason, (0, None)).await?;
        }
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "item_loan", id.0)
            .community(c)
            .before(&serde_json::json!({"returned_at": null}))
            .after(&serde_json::json!({"returned_at": now, "note": note, "lost": lost})),
    )
    .await?;
    let v = read_loan(core, &mut tx, ctx, id).await?;
    tx.commit().await?;
    Ok(v)
}

/// The community's loans: out first by due time (`?overdue=true`: only those past due), then
/// returned ones newest first; at most 500.
pub async fn list_item_loans(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: ItemLoanFilter,
) -> CoreResult<Vec<ItemLoan>> {
    require_desk(ctx, c)?;
    let out = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(
            ItemLoanState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?
                == ItemLoanState::Out,
        ),
    };
    let now = Utc::now();
    let w = LoanWhere {
        out,
        due_before: f.overdue.unwrap_or(false).then_some(now),
        item: f.item_id.map(LendItemId),
        unit: f.unit_id.map(UnitId),
    };
    let mut q = core.db.read();
    let rows = store::loans(&mut q, c, &w, 500).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    rows.into_iter()
        .map(|r| loan_of(core, r, &names, now))
        .collect()
}

/// One pass as of `now`: every item out past its due time and not yet told is told to its
/// borrower once — his portal accounts, or an SMS to the phone the desk took — under the job's
/// lease; a loan with no way to reach the borrower is marked told all the same (the desk's list
/// flags it). Returns how many were told.
pub async fn run_item_reminders(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    const JOB: &str = "items_overdue";
    let node = super::loans::node();
    if !crate::shared::jobs::claim_lease(core, JOB, node, Duration::seconds(120), now).await? {
        return Ok(0);
    }
    let mut told = 0;
    for l in store::overdue_untold(&mut core.db.read(), now, 500).await? {
        let accounts = match l.person_id {
            Some(p) => crate::notify::accounts_of_people(&mut core.db.read(), &[p])
                .await?
                .into_iter()
                .map(|(_, u)| u)
                .collect(),
            None => Vec::new(),
        };
        let mut tx = core.db.begin().await?;
        let tz = crate::registry::store::for_notify::community(&mut tx, l.community_id)
            .await?
            .map(|(_, _, tz)| crate::shared::calendar::zone(&tz))
            .unwrap_or_else(|| crate::shared::calendar::zone(""));
        if store::mark_told(&mut tx, l.community_id, l.id, now).await? == 1 {
            let note = crate::notify::Note {
                community: l.community_id,
                event: crate::notify::model::Event::ItemLoanOverdue,
                params: vec![
                    ("item".into(), l.item_name.clone()),
                    ("quantity".into(), l.quantity.to_string()),
                    (
                        "due".into(),
                        l.due_at
                            .with_timezone(&tz)
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                    ),
                ],
                request: None,
                link: None,
            };
            if !accounts.is_empty() {
                let write = crate::notify::InApp::Write;
                crate::notify::enqueue(&core.channels, &mut tx, &note, &accounts, write, now)
                    .await?;
                told += 1;
            } else if let Some(phone) = l.phone_enc.clone()
                && crate::notify::enqueue_sms(&core.channels, &mut tx, &note, phone, now).await?
            {
                told += 1;
            }
        }
        tx.commit().await?;
    }
    crate::shared::jobs::finish_lease(core, JOB, node, &format!("told {told}")).await?;
    Ok(told)
}
