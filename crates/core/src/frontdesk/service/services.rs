//! The desk's other services (issue 15 point 10; seed 000's 商务服务, 破/换门锁; seed 003's
//! 复印/传真登记): a published price list per community (复印, 传真, 刻字, 门禁卡/磁卡代售 …) a
//! manager keeps; each sale at the desk priced from it and charged to the buyer's unit in billing
//! (the paid-service item, due that day, paid at the cashier — never a till at the desk); and locks
//! changed or broken open (破/换门锁) only for an owner of the unit whose ID the desk checked
//! against the registry, with a fee charged the same way when there is one.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::FrontdeskCode;
use super::super::model::LockKind;
use super::super::store::services::{
    self as store, LockRow, NewLock, NewSale, SaleRow, ServiceRow,
};
use super::{
    Resident, require_desk, require_manage, required_desk_unit, staff_names, today_in, tz_of,
    unit_person,
};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::crypto::mask_id_number;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{IdNumber, optional_text, required_text};
use crate::{Core, Ctx};

/// The most one unit of a service costs: ¥10,000.
const MAX_PRICE_FEN: i64 = 1_000_000;
/// The most units sold at once.
const MAX_QUANTITY: i64 = 1_000;

/// A service of the price list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskService {
    pub id: DeskServiceId,
    pub community_id: CommunityId,
    pub name: String,
    /// 页, 张, 个 …
    pub unit_name: String,
    pub price_fen: i64,
    pub retired: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DeskServiceForSave {
    /// 复印（A4 黑白）, 传真, 刻字, 门禁卡 …
    pub name: String,
    /// The unit it is sold by (页, 张, 个).
    pub unit_name: String,
    /// Yuan a unit (more than 0).
    pub price: String,
    #[serde(default)]
    pub retired: Option<bool>,
}

/// A sale at the desk.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeskSale {
    pub id: DeskSaleId,
    pub community_id: CommunityId,
    pub service_id: DeskServiceId,
    pub name: String,
    pub unit_name: String,
    pub quantity: i64,
    /// The price a unit it was sold at.
    pub price_fen: i64,
    pub amount_fen: i64,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub buyer_name: String,
    /// Its charge in billing.
    pub charge_id: Option<i64>,
    pub note: Option<String>,
    pub sold_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DeskSaleForCreate {
    /// Units sold (1–1,000, default 1).
    #[serde(default)]
    pub quantity: Option<i64>,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`): the charge is that unit's.
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit, or a name.
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub buyer_name: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DeskDayQuery {
    /// The local day (default today, community time).
    pub day: Option<NaiveDate>,
}

/// A lock changed or broken open.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LockChange {
    pub id: LockChangeId,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub person_id: PersonId,
    pub owner_name: String,
    /// The ID checked, masked.
    pub id_masked: String,
    pub kind: LockKind,
    pub locksmith: String,
    pub reason: String,
    pub fee_fen: i64,
    pub charge_id: Option<i64>,
    pub done_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct LockChangeForCreate {
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as the desk types it (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// The owner (a person of the unit who owns it); or his registered name.
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub owner_name: Option<String>,
    /// The ID number the owner shows: checked against the registry's.
    pub id_number: String,
    /// `change` (换锁) or `break` (破锁开门).
    pub kind: String,
    /// Who does it (the locksmith or the centre's technician).
    pub locksmith: String,
    pub reason: String,
    /// Yuan charged to the unit; empty or 0: none.
    #[serde(default)]
    pub fee: Option<String>,
}

fn service_of(r: ServiceRow) -> DeskService {
    DeskService {
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        unit_name: r.unit_name,
        price_fen: r.price_fen,
        retired: r.retired_at.is_some(),
    }
}

/// Yuan from 0.01 to the most a service costs; its problem named.
fn price(field: &str, raw: &str) -> Result<i64, FieldError> {
    let m = crate::billing::ledger::positive_money(field, raw)?;
    if m.0 > MAX_PRICE_FEN {
        return Err(FieldError::new(field, CommonCode::TooLarge));
    }
    Ok(m.0)
}

/// The community's price list, those retired last (`frontdesk.work`).
pub async fn list_desk_services(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Vec<DeskService>> {
    require_desk(ctx, c)?;
    Ok(store::services(&mut core.db.read(), c)
        .await?
        .into_iter()
        .map(service_of)
        .collect())
}

async fn reached_service(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: DeskServiceId,
) -> CoreResult<ServiceRow> {
    let r = store::service(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("desk_service"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("desk_service"))?;
    Ok(r)
}

fn check_service(input: &DeskServiceForSave) -> CoreResult<(String, String, i64)> {
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let unit = required_text("unit_name", &input.unit_name, 6)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let p = price("price", &input.price)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok((name, unit, p))
}

fn duplicate(e: CoreError) -> CoreError {
    if e.is_unique_violation() {
        CoreError::invalid("name", FrontdeskCode::ServiceDuplicate)
    } else {
        e
    }
}

/// Adds a service to the price list (`frontdesk.manage`).
pub async fn create_desk_service(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: DeskServiceForSave,
) -> CoreResult<DeskService> {
    require_manage(ctx, c)?;
    let (name, unit, p) = check_service(&input)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let retired = input.retired.unwrap_or(false);
    let id = store::insert_service(&mut tx, c, &name, &unit, p, retired, now)
        .await
        .map_err(duplicate)?;
    let v = service_of(
        store::service(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("desk_service"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "desk_service", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// Changes a service's name, unit or price, or retires it (`frontdesk.manage`); sales made keep
/// the price they were sold at.
pub async fn update_desk_service(
    core: &Core,
    ctx: &Ctx,
    id: DeskServiceId,
    input: DeskServiceForSave,
) -> CoreResult<DeskService> {
    let mut tx = core.db.begin().await?;
    let before = reached_service(&mut tx, ctx, id).await?;
    let c = before.community_id;
    require_manage(ctx, c)?;
    let (name, unit, p) = check_service(&input)?;
    let now = Utc::now();
    let retired = input.retired.unwrap_or(before.retired_at.is_some());
    store::update_service(&mut tx, c, id, &name, &unit, p, retired, now)
        .await
        .map_err(duplicate)?;
    let after = service_of(
        store::service(&mut tx, id)
            .await?
            .ok_or(CoreError::NotFound("desk_service"))?,
    );
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "desk_service", id.0)
            .community(c)
            .before(&service_of(before))
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

fn sale_of(r: SaleRow, names: &std::collections::HashMap<UserId, String>) -> DeskSale {
    DeskSale {
        sold_by_name: r
            .sold_by
            .map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
        id: r.id,
        community_id: r.community_id,
        service_id: r.service_id,
        name: r.name,
        unit_name: r.unit_name,
        quantity: r.quantity,
        price_fen: r.price_fen,
        amount_fen: r.amount_fen,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        buyer_name: r.buyer_name,
        charge_id: r.charge_id,
        note: r.note,
        created_at: r.created_at,
    }
}

/// The unit and the person the desk typed, with its problems pushed, named.
async fn unit_and_person(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    (unit_id, label): (Option<UnitId>, Option<&str>),
    (person, name): (Option<PersonId>, Option<String>),
    fields: (&str, &str),
    errs: &mut Vec<FieldError>,
) -> CoreResult<(Option<UnitId>, Resident)> {
    let unit = required_desk_unit(core, ctx, c, unit_id, label, errs).await?;
    let who = unit_person(
        &mut core.db.read(),
        c,
        unit,
        Resident {
            person,
            name,
            phone_enc: None,
        },
        fields,
        FrontdeskCode::BuyerRequired,
        errs,
    )
    .await?;
    Ok((unit, who))
}

/// Sells a service of the price list at the desk (`frontdesk.work`), charged to the buyer's
/// unit in the same transaction.
pub async fn sell_desk_service(
    core: &Core,
    ctx: &Ctx,
    id: DeskServiceId,
    input: DeskSaleForCreate,
) -> CoreResult<DeskSale> {
    let s = reached_service(&mut core.db.read(), ctx, id).await?;
    let c = s.community_id;
    if s.retired_at.is_some() {
        return Err(CoreError::conflict(
            "service_id",
            FrontdeskCode::ServiceRetired,
        ));
    }
    let mut errs = Vec::new();
    let quantity = input.quantity.unwrap_or(1);
    if !(1..=MAX_QUANTITY).contains(&quantity) {
        errs.push(
            FieldError::new("quantity", FrontdeskCode::ServiceQuantityRange)
                .with("max", MAX_QUANTITY),
        );
    }
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let typed = optional_text("buyer_name", input.buyer_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let (unit, who) = unit_and_person(
        core,
        ctx,
        c,
        (input.unit_id, input.unit_label.as_deref()),
        (input.person_id, typed),
        ("person_id", "buyer_name"),
        &mut errs,
    )
    .await?;
    let (Some(unit), Some(buyer), true) = (unit, who.name, errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let amount = s.price_fen * quantity;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let what = format!("{} × {quantity}{}", s.name, s.unit_name);
    let basis = format!("¥{}/{} × {quantity}", Money(s.price_fen), s.unit_name);
    let charge =
        crate::billing::ledger::charge_service_in(&mut tx, ctx, c, unit, &what, basis, amount)
            .await?;
    let sid = store::insert_sale(
        &mut tx,
        c,
        NewSale {
            service: id,
            name: &s.name,
            unit_name: &s.unit_name,
            quantity,
            price_fen: s.price_fen,
            amount_fen: amount,
            unit,
            buyer_name: &buyer,
            charge: Some(charge),
            note: note.as_deref(),
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    let row = store::sale(&mut tx, sid)
        .await?
        .ok_or(CoreError::NotFound("desk_sale"))?;
    let names = staff_names(&mut tx, ctx, c).await?;
    let v = sale_of(row, &names);
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "desk_sale", sid.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

/// The community's sales of a day (default today), newest first (`frontdesk.work`).
pub async fn list_desk_sales(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    day: Option<NaiveDate>,
) -> CoreResult<Vec<DeskSale>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let tz = tz_of(&mut q, ctx, c).await?;
    let day = day.unwrap_or_else(|| today_in(tz));
    super::venues::check_day("day", day, today_in(tz))?;
    let from = crate::shared::calendar::local_to_utc(tz, day, chrono::NaiveTime::MIN);
    let to =
        crate::shared::calendar::local_to_utc(tz, day + Duration::days(1), chrono::NaiveTime::MIN);
    let rows = store::sales(&mut q, c, from, to, 1_000).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    Ok(rows.into_iter().map(|r| sale_of(r, &names)).collect())
}

fn lock_of(
    r: LockRow,
    names: &std::collections::HashMap<UserId, String>,
) -> CoreResult<LockChange> {
    Ok(LockChange {
        kind: LockKind::parse("kind", &r.kind).map_err(|e| CoreError::Invalid(vec![e]))?,
        done_by_name: r
            .done_by
            .map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
        id: r.id,
        community_id: r.community_id,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        owner_name: r.owner_name,
        id_masked: r.id_masked,
        locksmith: r.locksmith,
        reason: r.reason,
        fee_fen: r.fee_fen,
        charge_id: r.charge_id,
        created_at: r.created_at,
    })
}

/// Records a lock changed or broken open (`frontdesk.work`): only for an owner of the unit, the
/// ID he shows matching the registry's (an owner with no ID on file is sent to update his record
/// first); a fee is charged to the unit in the same transaction.
pub async fn change_lock(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: LockChangeForCreate,
) -> CoreResult<LockChange> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let kind = LockKind::parse("kind", &input.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let locksmith = required_text("locksmith", &input.locksmith, 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let reason = required_text("reason", &input.reason, 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let fee = match input
        .fee
        .as_deref()
        .map(str::trim)
        .filter(|f| !f.is_empty() && *f != "0")
    {
        Some(f) => price("fee", f)
            .map_err(|e| errs.push(e))
            .unwrap_or_default(),
        None => 0,
    };
    let idn = IdNumber::parse("id_number", &input.id_number)
        .map_err(|e| errs.push(e))
        .ok();
    let typed = optional_text("owner_name", input.owner_name.as_deref(), 30)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let (unit, who) = unit_and_person(
        core,
        ctx,
        c,
        (input.unit_id, input.unit_label.as_deref()),
        (input.person_id, typed),
        ("person_id", "owner_name"),
        &mut errs,
    )
    .await?;
    let mut q = core.db.read();
    let owner = match (unit, who.person) {
        (Some(u), Some(p)) if crate::registry::store::for_frontdesk::owns(&mut q, u, p).await? => {
            Some(p)
        }
        (Some(_), _)
            if !errs
                .iter()
                .any(|e| e.field == "person_id" || e.field == "owner_name") =>
        {
            errs.push(FieldError::new("owner_name", FrontdeskCode::LockNotOwner));
            None
        }
        _ => None,
    };
    if let (Some(p), Some(idn)) = (owner, &idn) {
        match crate::registry::store::for_frontdesk::id_hash(&mut q, c, p).await? {
            None => errs.push(FieldError::new("id_number", FrontdeskCode::LockNoIdOnFile)),
            Some(h) if h != core.crypto.blind_index("id_number", idn.as_str()) => {
                errs.push(FieldError::new("id_number", FrontdeskCode::LockWrongId))
            }
            Some(_) => {}
        }
    }
    drop(q);
    let (Some(unit), Some(person), Some(name), Some(kind), Some(idn), true) =
        (unit, owner, who.name, kind, idn, errs.is_empty())
    else {
        return Err(CoreError::Invalid(errs));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let masked = mask_id_number(idn.as_str());
    let id = store::insert_lock(
        &mut tx,
        c,
        NewLock {
            unit,
            person,
            owner_name: &name,
            id_masked: &masked,
            kind: kind.code(),
            locksmith: &locksmith,
            reason: &reason,
            fee_fen: fee,
            by: ctx.actor(),
        },
        now,
    )
    .await?;
    if fee > 0 {
        let what = format!("{}：{}", kind.zh(), reason);
        let basis = format!("¥{}", Money(fee));
        let charge =
            crate::billing::ledger::charge_service_in(&mut tx, ctx, c, unit, &what, basis, fee)
                .await?;
        store::set_lock_charge(&mut tx, id, charge).await?;
    }
    let row = store::lock(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("lock_change"))?;
    let names = staff_names(&mut tx, ctx, c).await?;
    let v = lock_of(row, &names)?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "lock_change", id.0)
            .community(c)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LockFilter {
    pub unit_id: Option<i64>,
}

/// The community's lock changes, newest first; at most 500 (`frontdesk.work`).
pub async fn list_lock_changes(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: LockFilter,
) -> CoreResult<Vec<LockChange>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let rows = store::locks(&mut q, c, f.unit_id.map(UnitId), 500).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    rows.into_iter().map(|r| lock_of(r, &names)).collect()
}
