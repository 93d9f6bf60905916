//! Setting the fees: a community's billing settings, fee items (收费项目) with their late-fee
//! rule, charge standards (收费标准) with the units or spaces they apply to, each unit's billing
//! dates, and the published fee schedule (明码标价).

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::registry::SpaceState;
use crate::registry::{UnitState, UnitUse};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{parse_code, required_text};

use super::error::BillingCode;
use super::model::*;
use super::store;
use crate::registry::store::for_billing;

/// May the actor see a community's billing (the cashier's desk or the manager's pages)?
pub fn require_billing(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    if ctx.has(Perm::BillingCollect) || ctx.has(Perm::BillingManage) {
        Ok(())
    } else {
        Err(CoreError::Forbidden)
    }
}

pub(super) use crate::shared::calendar::zone as tz_of;

/// The community's time zone (the company check included).
pub(super) async fn community_tz(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Tz> {
    for_billing::community_timezone(q, c, ctx.company_id)
        .await?
        .map(|t| tz_of(&t))
        .ok_or(CoreError::NotFound("community"))
}

/// The company's and the community's names and the community's time zone, as receipts and
/// notices print them (no access check: callers have made theirs).
pub(super) async fn community_header(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(String, String, Tz)> {
    let (company, community, tz) = for_billing::community_header(q, c).await?;
    Ok((company, community, tz_of(&tz)))
}

/// Today in the community's time zone.
pub(super) fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct BillingSettings {
    /// An overpayment goes to the unit's prepaid balance (预存); when off, it is refused.
    pub prepaid_enabled: bool,
    /// A meter reading whose usage is above this many times the meter's recent average is
    /// flagged for confirmation (2–20, default 3).
    #[serde(default = "default_jump")]
    pub meter_jump_factor: i64,
    /// Large items are not released (大件物品放行) while the unit owes charges past due, unless a
    /// manager lets them through with a recorded reason; when off, the desk only sees the sum.
    #[serde(default)]
    pub release_blocks_arrears: bool,
}

fn default_jump() -> i64 {
    3
}

pub async fn settings(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<BillingSettings> {
    require_billing(ctx, c)?;
    settings_in(&mut core.db.read(), c).await
}

pub(crate) async fn settings_in(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<BillingSettings> {
    Ok(match store::settings::get(q, c).await? {
        Some((prepaid_enabled, meter_jump_factor, release_blocks_arrears)) => BillingSettings {
            prepaid_enabled,
            meter_jump_factor,
            release_blocks_arrears,
        },
        None => BillingSettings {
            prepaid_enabled: true,
            meter_jump_factor: default_jump(),
            release_blocks_arrears: false,
        },
    })
}

pub async fn save_settings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    s: BillingSettings,
) -> CoreResult<BillingSettings> {
    ctx.require_in(Perm::BillingManage, c)?;
    if !(2..=20).contains(&s.meter_jump_factor) {
        return Err(CoreError::invalid(
            "meter_jump_factor",
            BillingCode::OutOfRange,
        ));
    }
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, c).await?;
    let before = settings_in(&mut tx, c).await?;
    store::settings::save(
        &mut tx,
        c,
        s.prepaid_enabled,
        s.meter_jump_factor,
        s.release_blocks_arrears,
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "billing_settings", c.0)
            .community(c)
            .before(&before)
            .after(&s),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

// ---------------------------------------------------------------------------------------------
// Fee items

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct FeeItem {
    pub id: i64,
    pub community_id: CommunityId,
    pub code: String,
    pub name: String,
    /// property, parking, water, electricity, gas, shared, decoration, service, agency, fund,
    /// one_off, other.
    pub kind: String,
    /// Late fee per day in parts per million of the overdue principal (0.05 % = 500).
    pub late_fee_ppm: i64,
    pub late_fee_grace_days: i64,
    /// At most this percent of the principal; none = no cap.
    pub late_fee_cap_pct: Option<i64>,
    pub active: bool,
}

impl FeeItem {
    pub fn late_fee_rule(&self) -> LateFeeRule {
        LateFeeRule {
            ppm_per_day: self.late_fee_ppm,
            grace_days: self.late_fee_grace_days,
            cap_pct: self.late_fee_cap_pct,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct FeeItemForSave {
    pub community_id: CommunityId,
    /// Letters, digits, dashes: `WYF`, `PARK`.
    pub code: String,
    pub name: String,
    #[schema(value_type = FeeKind)]
    pub kind: String,
    /// Late fee in percent of the principal per day ("0.05"); empty or "0" = none.
    pub late_fee_rate: Option<String>,
    pub late_fee_grace_days: Option<i64>,
    /// Percent of the principal the late fee never exceeds ("100"); empty = no cap.
    pub late_fee_cap_pct: Option<i64>,
    pub active: Option<bool>,
}

pub async fn list_fee_items(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<FeeItem>> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    store::fee_items::list(&mut core.db.read(), c).await
}

pub(super) async fn fee_item_in(
    q: &mut impl Queries,
    c: CommunityId,
    id: i64,
) -> CoreResult<Option<FeeItem>> {
    store::fee_items::by_id(q, c, FeeItemId(id)).await
}

/// Creates or updates a fee item by its code.
pub async fn save_fee_item(core: &Core, ctx: &Ctx, input: FeeItemForSave) -> CoreResult<FeeItem> {
    ctx.require_in(Perm::BillingManage, input.community_id)?;
    let mut c = Checks::new();
    let code = c.take(parse_code("code", &input.code, 20));
    let name = c.take(required_text("name", &input.name, 40));
    let kind = c.take(FeeKind::parse("kind", &input.kind));
    let ppm = c.take(LateFeeRule::parse_rate_pct(
        "late_fee_rate",
        input.late_fee_rate.as_deref().unwrap_or(""),
    ));
    let grace = input.late_fee_grace_days.unwrap_or(0);
    if !(0..=365).contains(&grace) {
        c.push(FieldError::new(
            "late_fee_grace_days",
            BillingCode::OutOfRange,
        ));
    }
    if let Some(p) = input.late_fee_cap_pct
        && !(1..=100).contains(&p)
    {
        c.push(FieldError::new("late_fee_cap_pct", BillingCode::OutOfRange));
    }
    c.finish()?;
    let (Some(code), Some(name), Some(kind), Some(ppm)) = (code, name, kind, ppm) else {
        return Err(CoreError::internal("validated fee item"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, input.community_id).await?;
    let before = store::fee_items::by_code(&mut tx, input.community_id, &code).await?;
    store::fee_items::upsert(
        &mut tx,
        input.community_id,
        store::fee_items::ItemWrite {
            code: &code,
            name: &name,
            kind: kind.code(),
            late_fee_ppm: ppm,
            late_fee_grace_days: grace,
            late_fee_cap_pct: input.late_fee_cap_pct,
            active: input.active.unwrap_or(true),
        },
        now,
    )
    .await?;
    let after = store::fee_items::by_code(&mut tx, input.community_id, &code)
        .await?
        .ok_or(CoreError::NotFound("row"))?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "fee_item",
        after.id,
    )
    .community(input.community_id)
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Charge standards

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Standard {
    pub id: i64,
    pub community_id: CommunityId,
    pub fee_item_id: i64,
    pub name: String,
    /// fixed, building_area, inner_area, meter, per_space, one_off.
    pub method: String,
    /// Yuan × 10 000 (¥2.35 = 23500); per month except for one-off and meter standards.
    pub price_e4: i64,
    /// Meter standards: tiered prices per period, "10:3.45;20:4.83;*:5.83" (empty = one price).
    pub tiers: String,
    pub cycle: String,
    pub cycle_start_month: i64,
    pub due_day: i64,
    pub rounding: String,
    /// Comma-separated building ids; empty = every building.
    pub building_ids: String,
    pub use_kinds: String,
    pub unit_states: String,
    pub space_states: String,
    pub vacant_pct: i64,
    pub active: bool,
}

impl Standard {
    pub fn method(&self) -> CoreResult<Method> {
        Method::from_stored(&self.method)
    }
    pub fn cycle(&self) -> CoreResult<Cycle> {
        Cycle::from_stored(&self.cycle)
    }
    pub fn rounding(&self) -> CoreResult<Rounding> {
        Rounding::from_stored(&self.rounding)
    }
    /// "¥2.35 /㎡·月 × 建筑面积" — how the schedule prints it.
    pub fn price_text(&self) -> CoreResult<String> {
        let p = Price(self.price_e4);
        Ok(match self.method()? {
            Method::BuildingArea => format!("¥{p} /㎡·月（建筑面积）"),
            Method::InnerArea => format!("¥{p} /㎡·月（套内面积）"),
            Method::Fixed => format!("¥{p} /户·月"),
            Method::PerSpace => format!("¥{p} /个·月"),
            Method::Meter => format!("¥{p} /用量"),
            Method::OneOff => format!("¥{p} /次"),
        })
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct StandardForSave {
    pub community_id: CommunityId,
    pub fee_item_id: i64,
    pub name: String,
    #[schema(value_type = Method)]
    pub method: String,
    /// Yuan, at most four decimals ("2.35").
    pub price: String,
    /// Meter standards: tiered prices per period, "10:3.45;20:4.83;*:5.83".
    pub tiers: Option<String>,
    /// monthly (default), quarterly, yearly, once.
    #[schema(value_type = Option<Cycle>)]
    pub cycle: Option<String>,
    /// The month a quarterly or yearly cycle starts (1–12, default 1).
    pub cycle_start_month: Option<i64>,
    /// Day of the period's first month the charge is due (1–31, default 15).
    pub due_day: Option<i64>,
    /// half_up (default), down, up.
    #[schema(value_type = Option<Rounding>)]
    pub rounding: Option<String>,
    /// Only these buildings; empty = all.
    #[serde(default)]
    pub building_ids: Vec<i64>,
    /// Only units of these uses (residential, shop, …); empty = all.
    #[serde(default)]
    pub use_kinds: Vec<String>,
    /// Only units in these states (occupied, vacant, …); empty = all but unsold.
    #[serde(default)]
    pub unit_states: Vec<String>,
    /// Per-space standards: only spaces in these states (sold, rented, …); empty = sold and rented.
    #[serde(default)]
    pub space_states: Vec<String>,
    /// Percent of the amount a vacant unit pays (default 100).
    pub vacant_pct: Option<i64>,
    pub active: Option<bool>,
}

pub async fn list_standards(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Standard>> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    store::standards::list(&mut core.db.read(), c).await
}

struct ValidStandard {
    tiers: String,
    name: String,
    method: Method,
    price: Price,
    cycle: Cycle,
    start: i64,
    due_day: i64,
    rounding: Rounding,
    buildings: String,
    uses: String,
    states: String,
    spaces: String,
    vacant_pct: i64,
}

fn join_codes<T>(
    c: &mut Checks,
    field: &str,
    raw: &[String],
    parse: impl Fn(&str, &str) -> Result<T, FieldError>,
) -> String {
    let mut out = Vec::new();
    for (i, s) in raw.iter().enumerate() {
        if c.take(parse(&format!("{field}[{i}]"), s)).is_some() {
            out.push(s.trim().to_string());
        }
    }
    out.join(",")
}

fn validate_standard(input: &StandardForSave) -> CoreResult<ValidStandard> {
    let mut c = Checks::new();
    let name = c.take(required_text("name", &input.name, 40));
    let method = c.take(Method::parse("method", &input.method));
    let price = c.take(Price::parse("price", &input.price));
    let cycle = match method {
        Some(Method::OneOff) => Some(Cycle::Once),
        _ => c.take(Cycle::parse(
            "cycle",
            input.cycle.as_deref().unwrap_or("monthly"),
        )),
    };
    if method.is_some_and(|m| m != Method::OneOff) && cycle == Some(Cycle::Once) {
        c.push(FieldError::new("cycle", BillingCode::CycleNeedsPeriod));
    }
    let rounding = c.take(Rounding::parse(
        "rounding",
        input.rounding.as_deref().unwrap_or("half_up"),
    ));
    let tiers_raw = input.tiers.as_deref().unwrap_or("").trim().to_string();
    if c.take(parse_tiers("tiers", &tiers_raw)).is_some()
        && !tiers_raw.is_empty()
        && method.is_some_and(|m| m != Method::Meter)
    {
        c.push(FieldError::new("tiers", BillingCode::TiersNeedMeter));
    }
    let start = input.cycle_start_month.unwrap_or(1);
    if !(1..=12).contains(&start) {
        c.push(FieldError::new(
            "cycle_start_month",
            BillingCode::OutOfRange,
        ));
    }
    let due_day = input.due_day.unwrap_or(15);
    if !(1..=31).contains(&due_day) {
        c.push(FieldError::new("due_day", BillingCode::OutOfRange));
    }
    let vacant_pct = input.vacant_pct.unwrap_or(100);
    if !(0..=100).contains(&vacant_pct) {
        c.push(FieldError::new("vacant_pct", BillingCode::OutOfRange));
    }
    let uses = join_codes(&mut c, "use_kinds", &input.use_kinds, |f, s| {
        UnitUse::parse(f, s).map(|u| u.code())
    });
    let states = join_codes(&mut c, "unit_states", &input.unit_states, |f, s| {
        UnitState::parse(f, s).map(|u| u.code())
    });
    let spaces = join_codes(&mut c, "space_states", &input.space_states, |f, s| {
        SpaceState::parse(f, s).map(|u| u.code())
    });
    c.finish()?;
    // Codes typed as Chinese labels are stored as codes.
    let uses = canon(&uses, |s| UnitUse::parse("", s).map(|v| v.code()));
    let states = canon(&states, |s| UnitState::parse("", s).map(|v| v.code()));
    let spaces = canon(&spaces, |s| SpaceState::parse("", s).map(|v| v.code()));
    let (Some(name), Some(method), Some(price), Some(cycle), Some(rounding)) =
        (name, method, price, cycle, rounding)
    else {
        return Err(CoreError::internal("validated standard"));
    };
    let buildings: Vec<String> = input.building_ids.iter().map(|b| b.to_string()).collect();
    Ok(ValidStandard {
        tiers: tiers_raw,
        name,
        method,
        price,
        cycle,
        start,
        due_day,
        rounding,
        buildings: buildings.join(","),
        uses,
        states,
        spaces,
        vacant_pct,
    })
}

fn canon(list: &str, f: impl Fn(&str) -> Result<&'static str, FieldError>) -> String {
    list.split(',')
        .filter(|s| !s.is_empty())
        .filter_map(|s| f(s).ok())
        .collect::<Vec<_>>()
        .join(",")
}

/// Creates a standard (`id` none) or replaces one. Charges already posted keep their amounts.
pub async fn save_standard(
    core: &Core,
    ctx: &Ctx,
    id: Option<i64>,
    input: StandardForSave,
) -> CoreResult<Standard> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let v = validate_standard(&input)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, c).await?;
    if fee_item_in(&mut tx, c, input.fee_item_id).await?.is_none() {
        return Err(CoreError::invalid(
            "fee_item_id",
            BillingCode::UnknownFeeItem,
        ));
    }
    for (i, b) in input.building_ids.iter().enumerate() {
        if !for_billing::building_exists(&mut tx, c, *b).await? {
            return Err(CoreError::invalid(
                format!("building_ids[{i}]"),
                BillingCode::UnknownBuilding,
            ));
        }
    }
    let w = store::standards::StandardWrite {
        fee_item_id: input.fee_item_id,
        name: &v.name,
        method: v.method.code(),
        price_e4: v.price.0,
        tiers: &v.tiers,
        cycle: v.cycle.code(),
        cycle_start_month: v.start,
        due_day: v.due_day,
        rounding: v.rounding.code(),
        building_ids: &v.buildings,
        use_kinds: &v.uses,
        unit_states: &v.states,
        space_states: &v.spaces,
        vacant_pct: v.vacant_pct,
        active: input.active.unwrap_or(true),
    };
    let (before, sid) = match id {
        None => (None, store::standards::insert(&mut tx, c, &w, now).await?),
        Some(id) => {
            let before = store::standards::in_community(&mut tx, c, StandardId(id))
                .await?
                .ok_or(CoreError::NotFound("charge_standard"))?;
            store::standards::update(&mut tx, c, StandardId(id), &w, now).await?;
            (Some(before), id)
        }
    };
    let after = store::standards::by_id(&mut tx, StandardId(sid)).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "charge_standard",
        sid,
    )
    .community(c)
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// Unit accounts: billing dates and the prepaid balance

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct Account {
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub prepaid_fen: i64,
    /// First day charged (交房/入伙); none = always.
    pub billing_from: Option<NaiveDate>,
    /// Last day charged (迁出); none = still charged.
    pub billing_until: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AccountForUpdate {
    pub billing_from: Option<NaiveDate>,
    pub billing_until: Option<NaiveDate>,
}

/// The unit's community (its company checked, reachable by the actor).
pub(super) async fn unit_community(
    q: &mut impl Queries,
    ctx: &Ctx,
    unit: UnitId,
) -> CoreResult<CommunityId> {
    match for_billing::unit_community(q, unit, ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => Ok(c),
        _ => Err(CoreError::NotFound("unit")),
    }
}

pub(super) async fn account_in(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Account> {
    let row = store::accounts::get(q, c, unit).await?;
    Ok(row.unwrap_or(Account {
        community_id: c,
        unit_id: unit,
        prepaid_fen: 0,
        billing_from: None,
        billing_until: None,
    }))
}

pub async fn account(core: &Core, ctx: &Ctx, unit: UnitId) -> CoreResult<Account> {
    let mut r = core.db.read();
    let c = unit_community(&mut r, ctx, unit).await?;
    require_billing(ctx, c)?;
    account_in(&mut r, c, unit).await
}

/// Sets the days a unit is charged for; bill runs prorate a period by them.
pub async fn update_account(
    core: &Core,
    ctx: &Ctx,
    unit: UnitId,
    input: AccountForUpdate,
) -> CoreResult<Account> {
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, unit).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    if let (Some(f), Some(u)) = (input.billing_from, input.billing_until)
        && u < f
    {
        return Err(CoreError::invalid(
            "billing_until",
            BillingCode::UntilBeforeFrom,
        ));
    }
    let before = account_in(&mut tx, c, unit).await?;
    store::accounts::set_dates(
        &mut tx,
        c,
        unit,
        input.billing_from,
        input.billing_until,
        Utc::now(),
    )
    .await?;
    let after = account_in(&mut tx, c, unit).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "billing_account", unit.0)
            .community(c)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Starts a unit's billing on its hand-over day (入伙), in the caller's transaction: bill runs
/// prorate the period it falls in. Its last day, if set, stays.
pub(crate) async fn start_billing_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    unit: UnitId,
    from: NaiveDate,
) -> CoreResult<()> {
    let before = account_in(tx, c, unit).await?;
    store::accounts::set_dates(tx, c, unit, Some(from), before.billing_until, Utc::now()).await?;
    let after = account_in(tx, c, unit).await?;
    audit::record(
        tx,
        ctx,
        Entry::new(Action::Update, "billing_account", unit.0)
            .community(c)
            .before(&before)
            .after(&after),
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// The published fee schedule (明码标价)

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScheduleLine {
    pub fee_item: String,
    pub kind: String,
    pub standard: String,
    /// "¥2.35 /㎡·月（建筑面积）".
    pub price: String,
    pub cycle: String,
    pub due_day: i64,
    /// "逾期 10 天后每日 0.05%，不超过本金" or empty.
    pub late_fee: String,
    /// "空置房按 70% 收取" or empty.
    pub note: String,
}

/// The community's active standards as the notice board shows them; every user who reaches
/// the community (owners included) may read it.
pub async fn schedule(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<ScheduleLine>> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    let items = list_fee_items(core, ctx, c).await?;
    let stds = list_standards(core, ctx, c).await?;
    let mut out = Vec::new();
    for s in stds.iter().filter(|s| s.active) {
        let Some(item) = items.iter().find(|i| i.id == s.fee_item_id && i.active) else {
            continue;
        };
        let r = item.late_fee_rule();
        let late_fee = if r.ppm_per_day > 0 {
            let cap = match r.cap_pct {
                Some(100) => "，不超过本金".to_string(),
                Some(p) => format!("，不超过本金的 {p}%"),
                None => String::new(),
            };
            format!(
                "逾期 {} 天后每日 {}%{cap}",
                r.grace_days,
                rate_pct(r.ppm_per_day)
            )
        } else {
            String::new()
        };
        let note = if s.vacant_pct < 100 {
            format!("空置房按 {}% 收取", s.vacant_pct)
        } else {
            String::new()
        };
        out.push(ScheduleLine {
            fee_item: item.name.clone(),
            kind: FeeKind::from_stored(&item.kind)?.zh().to_string(),
            standard: s.name.clone(),
            price: s.price_text()?,
            cycle: s.cycle()?.zh().to_string(),
            due_day: s.due_day,
            late_fee,
            note,
        });
    }
    Ok(out)
}
