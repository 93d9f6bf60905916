//! Meter readings (抄表): the meters of units (water, electricity, gas), each priced by a charge
//! standard of method `meter` (one price or tiers per period); readings entered on a page laid
//! out by building or imported from .xlsx; the last reading carries forward; a reading below the
//! last one, or a usage beyond the community's factor times the meter's recent average, is
//! flagged and charges nothing until a manager confirms it (a reading below the last one,
//! confirmed, means the meter was replaced: the usage is the new reading). Every other reading
//! posts its usage charge at once.

use std::collections::HashMap;

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::code_enum;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::xlsx::first_sheet;

use super::error::BillingCode;
use super::ledger::apply_prepaid;
use super::model::*;
use super::setup::*;
use super::store;

code_enum!(MeterKind, BillingCode::UnknownMeterKind, {
    Water = "water", "水表", "Water meter";
    Electricity = "electricity", "电表", "Electricity meter";
    Gas = "gas", "燃气表", "Gas meter";
});

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Meter {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    /// "1栋-1801".
    pub unit_label: String,
    pub building_id: i64,
    /// water, electricity, gas.
    pub kind: String,
    pub standard_id: i64,
    /// The last reading, in hundredths (carried forward).
    pub last_value: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct MeterForCreate {
    pub unit_id: UnitId,
    #[schema(value_type = MeterKind)]
    pub kind: String,
    /// A standard of method `meter` of the unit's community.
    pub standard_id: i64,
    /// The reading when installed (default 0).
    pub initial_value: Option<String>,
}

/// Installs a meter on a unit (one per kind).
pub async fn create_meter(core: &Core, ctx: &Ctx, input: MeterForCreate) -> CoreResult<Meter> {
    let kind = MeterKind::parse("kind", &input.kind).map_err(|e| CoreError::Invalid(vec![e]))?;
    let initial = parse_reading(
        "initial_value",
        input.initial_value.as_deref().unwrap_or("0"),
    )
    .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingManage, c)?;
    meter_standard(&mut tx, c, input.standard_id, "standard_id").await?;
    let id = store::meters::insert(
        &mut tx,
        c,
        input.unit_id,
        kind.code(),
        input.standard_id,
        initial,
        Utc::now(),
    )
    .await
    .map_err(|e| e.or_conflict("kind", BillingCode::DuplicateMeter))?;
    let m = store::meters::get(&mut tx, MeterId(id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "meter", id)
            .community(c)
            .after(&m),
    )
    .await?;
    tx.commit().await?;
    Ok(m)
}

async fn meter_standard(
    q: &mut impl Queries,
    c: CommunityId,
    id: i64,
    field: &str,
) -> CoreResult<Standard> {
    match store::standards::in_community(q, c, StandardId(id)).await? {
        Some(s) if s.method()? == Method::Meter => Ok(s),
        _ => Err(CoreError::invalid(field, BillingCode::NotAMeterStandard)),
    }
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeterFilter {
    pub building_id: Option<i64>,
    pub kind: Option<String>,
}

/// The meters of a community, building by building.
pub async fn list_meters(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: &MeterFilter,
) -> CoreResult<Vec<Meter>> {
    require_billing(ctx, c)?;
    store::meters::list(&mut core.db.read(), c, f.building_id, f.kind.as_deref()).await
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReadingInput {
    pub meter_id: i64,
    /// The reading, at most two decimals.
    pub value: String,
    /// Confirms a flagged reading at once (a manager).
    #[serde(default)]
    pub confirm: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReadingsForSave {
    pub community_id: CommunityId,
    /// "2026-07".
    pub period: String,
    pub readings: Vec<ReadingInput>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Reading {
    pub id: i64,
    pub meter_id: i64,
    pub period: String,
    pub prev_value: i64,
    pub value: i64,
    pub usage: i64,
    /// below_last, jump; none when normal.
    pub flag: Option<String>,
    pub confirmed_at: Option<chrono::DateTime<Utc>>,
    /// The usage charge; none while a flag waits for confirmation.
    pub charge_id: Option<i64>,
}

/// Posts a reading's usage charge and moves the meter forward.
#[allow(clippy::too_many_arguments)]
async fn charge_reading(
    tx: &mut Tx,
    c: CommunityId,
    m: &Meter,
    period: &Period,
    prev: i64,
    value: i64,
    usage: i64,
    actor: Option<UserId>,
) -> CoreResult<Option<i64>> {
    let s = meter_standard(tx, c, m.standard_id, "standard_id").await?;
    let tiers = parse_tiers("tiers", &s.tiers).map_err(|e| CoreError::Invalid(vec![e]))?;
    let (amount, basis) = usage_amount(usage, &tiers, Price(s.price_e4), s.rounding()?);
    // Moves the meter only from the reading this one follows: a concurrent confirmation or
    // entry of the same meter gets a 409 instead of a second charge.
    if store::meters::advance(tx, MeterId(m.id), prev, value).await? != 1 {
        return Err(CoreError::conflict(
            "meter_id",
            BillingCode::ReadingOutdated,
        ));
    }
    if amount <= 0 {
        return Ok(None);
    }
    let item = store::fee_items::name(tx, FeeItemId(s.fee_item_id)).await?;
    let kind = MeterKind::from_stored(&m.kind)?.zh();
    // A period's usage is known at its end: it is due in the next month.
    let (ny, nm) = add_months(period.year, period.month, 1);
    let id = store::charges::insert_usage(
        tx,
        c,
        store::charges::UsageCharge {
            unit_id: m.unit_id,
            fee_item_id: s.fee_item_id,
            standard_id: s.id,
            kind: ChargeKind::Bill.code(),
            period: period.key(),
            period_from: period.first_day(),
            period_to: period.last_day(),
            description: format!(
                "{item} {}（{kind} {} → {}）",
                period.key(),
                reading_text(prev),
                reading_text(value)
            ),
            basis,
            amount_fen: amount,
            due_date: due_date(
                &Period {
                    year: ny,
                    month: nm,
                    months: 1,
                },
                s.due_day as u32,
            ),
        },
        actor,
        Utc::now(),
    )
    .await?;
    apply_prepaid(tx, c, m.unit_id, Utc::now()).await?;
    Ok(Some(id))
}

/// Saves a period's readings, all or none: each is checked against the last reading and the
/// meter's recent usage; normal ones (and flagged ones confirmed) post their usage charge.
pub async fn save_readings(
    core: &Core,
    ctx: &Ctx,
    input: ReadingsForSave,
) -> CoreResult<Vec<Reading>> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingCollect, c)?;
    let (y, mo) =
        Period::parse_month("period", &input.period).map_err(|e| CoreError::Invalid(vec![e]))?;
    let period = Period {
        year: y,
        month: mo,
        months: 1,
    };
    if input.readings.is_empty() || input.readings.len() > 5000 {
        return Err(CoreError::invalid("readings", BillingCode::OutOfRange));
    }
    let mut errs = Vec::new();
    let mut values = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (i, r) in input.readings.iter().enumerate() {
        match parse_reading(&format!("readings[{i}].value"), &r.value) {
            Ok(v) => values.push(v),
            Err(e) => {
                errs.push(e);
                values.push(0);
            }
        }
        if !seen.insert(r.meter_id) {
            errs.push(FieldError::new(
                format!("readings[{i}].meter_id"),
                BillingCode::DuplicateMeter,
            ));
        }
        if r.confirm && !ctx.has(Perm::BillingManage) {
            errs.push(FieldError::new(
                format!("readings[{i}].confirm"),
                BillingCode::ConfirmNeedsManager,
            ));
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let factor = settings_in(&mut core.db.read(), c).await?.meter_jump_factor;
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, c).await?;
    let mut out = Vec::new();
    let mut charged = 0;
    for (i, (r, value)) in input.readings.iter().zip(values).enumerate() {
        let key = period.key();
        let Some(m) = store::meters::in_community(&mut tx, c, MeterId(r.meter_id)).await? else {
            return Err(CoreError::invalid(
                format!("readings[{i}].meter_id"),
                BillingCode::UnknownMeter,
            ));
        };
        let existing = store::meters::reading_of_period(&mut tx, c, m.id, &key).await?;
        if existing
            .as_ref()
            .is_some_and(|e| e.charge_id.is_some() || e.confirmed_at.is_some())
        {
            return Err(CoreError::conflict(
                format!("readings[{i}].meter_id"),
                BillingCode::ReadingAlreadyCharged,
            ));
        }
        if store::meters::later_reading(&mut tx, c, m.id, &key).await? {
            return Err(CoreError::conflict(
                format!("readings[{i}].meter_id"),
                BillingCode::ReadingPeriodPassed,
            ));
        }
        let prev = m.last_value;
        let recent = store::meters::recent_usages(&mut tx, c, m.id, &key).await?;
        let (usage, flag) = if value < prev {
            (value, Some("below_last"))
        } else {
            let usage = value - prev;
            let avg = if recent.is_empty() {
                0
            } else {
                recent.iter().map(|x| x.0).sum::<i64>() / recent.len() as i64
            };
            let jump = avg > 0 && usage > avg * factor;
            (usage, jump.then_some("jump"))
        };
        let confirmed = flag.is_some() && r.confirm;
        let charge = if flag.is_none() || confirmed {
            let ch =
                charge_reading(&mut tx, c, &m, &period, prev, value, usage, ctx.actor()).await?;
            charged += 1;
            ch
        } else {
            None
        };
        let now = Utc::now();
        let (confirmed_by, confirmed_at) = if confirmed {
            (ctx.actor(), Some(now))
        } else {
            (None, None)
        };
        let w = store::meters::ReadingWrite {
            prev,
            value,
            usage,
            flag,
            confirmed_by,
            confirmed_at,
            charge,
            actor: ctx.actor(),
            now,
        };
        if existing.is_some() {
            store::meters::update_reading(&mut tx, c, m.id, &key, w).await?;
        } else {
            store::meters::insert_reading(&mut tx, c, m.id, &key, w).await?;
        }
        let saved = store::meters::reading_of_period(&mut tx, c, m.id, &key)
            .await?
            .ok_or(CoreError::NotFound("row"))?;
        out.push(saved);
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "meter_readings", c.0)
            .community(c)
            .after(&serde_json::json!({ "period": period.key(), "readings": out.len(), "charged": charged,
                "flagged": out.iter().filter(|r| r.flag.is_some() && r.charge_id.is_none()).count() })),
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// Confirms a flagged reading (a manager): its usage is charged (for a reading below the last
/// one, the meter was replaced and the usage is the new reading).
pub async fn confirm_reading(core: &Core, ctx: &Ctx, id: i64) -> CoreResult<Reading> {
    let row = store::meters::reading_community(&mut core.db.read(), ReadingId(id), ctx.company_id)
        .await?;
    let c = match row {
        Some(c) if ctx.reaches(c) => c,
        _ => return Err(CoreError::NotFound("meter_reading")),
    };
    ctx.require_in(Perm::BillingManage, c)?;
    let mut tx = core.db.begin().await?;
    let r = store::meters::reading(&mut tx, ReadingId(id)).await?;
    if r.flag.is_none() || r.confirmed_at.is_some() || r.charge_id.is_some() {
        return Err(CoreError::conflict("id", BillingCode::ReadingNotFlagged));
    }
    let m = store::meters::get(&mut tx, MeterId(r.meter_id)).await?;
    if m.last_value != r.prev_value {
        return Err(CoreError::conflict("id", BillingCode::ReadingOutdated));
    }
    let (y, mo) =
        Period::parse_month("period", &r.period).map_err(|e| CoreError::Invalid(vec![e]))?;
    let period = Period {
        year: y,
        month: mo,
        months: 1,
    };
    let charge = charge_reading(
        &mut tx,
        c,
        &m,
        &period,
        r.prev_value,
        r.value,
        r.usage,
        ctx.actor(),
    )
    .await?;
    store::meters::confirm_reading(&mut tx, ReadingId(id), ctx.actor(), Utc::now(), charge).await?;
    let after = store::meters::reading(&mut tx, ReadingId(id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "meter_reading", id)
            .community(c)
            .before(&r)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// A period's readings of a community by meter id.
pub async fn period_readings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    period: &str,
) -> CoreResult<HashMap<i64, Reading>> {
    require_billing(ctx, c)?;
    let rows = store::meters::readings_of_period(&mut core.db.read(), c, period).await?;
    Ok(rows.into_iter().map(|r| (r.meter_id, r)).collect())
}

/// Reads an .xlsx of readings: columns 房屋 (as "1栋-1801"), 表类型 (水表/电表/燃气表 or the
/// code) and 本期读数, one header row. Each row names its problem (`rows[3].unit`).
pub async fn readings_from_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    bytes: &[u8],
) -> CoreResult<Vec<ReadingInput>> {
    use calamine::Data;
    // A workbook without a sheet is as unusable here as a file that is no workbook.
    let range = first_sheet(bytes.to_vec())
        .map_err(|_| CoreError::invalid("file", BillingCode::NotXlsx))?;
    let meters = list_meters(core, ctx, c, &MeterFilter::default()).await?;
    let by_key: HashMap<(String, String), i64> = meters
        .iter()
        .map(|m| ((m.unit_label.clone(), m.kind.clone()), m.id))
        .collect();
    let text = |d: &Data| match d {
        Data::String(s) => s.trim().to_string(),
        Data::Float(f) => {
            if f.fract() == 0.0 {
                format!("{}", *f as i64)
            } else {
                format!("{f:.2}")
            }
        }
        Data::Int(i) => i.to_string(),
        _ => String::new(),
    };
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, row) in range.rows().enumerate().skip(1) {
        let cells: Vec<String> = row.iter().map(text).collect();
        if cells.iter().all(String::is_empty) {
            continue;
        }
        let get = |k: usize| cells.get(k).cloned().unwrap_or_default();
        let kind = match MeterKind::parse(&format!("rows[{}].kind", i + 1), &get(1)) {
            Ok(k) => k,
            Err(e) => {
                errs.push(e);
                continue;
            }
        };
        match by_key.get(&(get(0), kind.code().to_string())) {
            Some(id) => out.push(ReadingInput {
                meter_id: *id,
                value: get(2),
                confirm: false,
            }),
            None => errs.push(FieldError::new(
                format!("rows[{}].unit", i + 1),
                BillingCode::UnknownMeter,
            )),
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(out)
}
