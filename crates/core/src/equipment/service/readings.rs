//! Meter readings of an item (运行小时 of a generator or pump), entered by hand or on a patrol.
//! A reading that reaches a meter plan's threshold makes exactly one order in the reading's own
//! transaction: the plan's next threshold is moved on by a conditional UPDATE, so of two readings
//! arriving at once only one claims the crossing.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{seen, today_in, zone_of};
use crate::db::{Queries, Tx};

use crate::equipment::model;
use crate::equipment::store;
use crate::equipment::store::maintenance::NewOrder;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// A reading of an item's meter.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EquipmentReading)]
pub struct Reading {
    pub id: i64,
    pub equipment_id: EquipmentId,
    pub meter: String,
    /// As people write it (`1234.5`).
    pub value: String,
    pub read_at: DateTime<Utc>,
    pub read_by: Option<UserId>,
    /// `manual` or `patrol`.
    pub source: String,
}

/// A reading as entered by hand.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ReadingForCreate {
    /// The meter's name (运行小时).
    pub meter: String,
    /// The value, at most three decimals.
    pub value: String,
    /// When it was read; now when not given (not in the future).
    #[serde(default)]
    pub read_at: Option<DateTime<Utc>>,
}

/// What recording a reading did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadingRecorded {
    pub reading_id: i64,
    /// The orders the reading made (a threshold crossed).
    pub orders: Vec<MaintenanceOrderId>,
}

pub(crate) async fn readings_of(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
) -> CoreResult<Vec<Reading>> {
    Ok(store::maintenance::readings(q, community, item)
        .await?
        .into_iter()
        .map(|r| Reading {
            id: r.id,
            equipment_id: r.equipment_id,
            meter: r.meter,
            value: model::show_value(r.value_milli),
            read_at: r.read_at,
            read_by: r.read_by,
            source: r.source,
        })
        .collect())
}

/// Records a reading of an item's meter, in the caller's transaction, and makes the order of
/// every meter plan whose threshold it reaches (once per crossing). For the patrol module: a
/// reading taken on a round is written with the round.
///
/// `value` is rounded to thousandths; `source` says where it came from (`patrol`, `manual`).
/// An item not of `community` is `NotFound("equipment")`; an empty meter name or a value that is
/// not a finite number is refused naming `meter` or `value`.
#[allow(clippy::too_many_arguments)]
pub async fn record_reading_tx(
    tx: &mut Tx,
    community: CommunityId,
    equipment: EquipmentId,
    meter: &str,
    value: f64,
    at: DateTime<Utc>,
    by: Option<UserId>,
    source: &str,
) -> CoreResult<ReadingRecorded> {
    let milli = model::milli_of(value)
        .ok_or_else(|| CoreError::invalid("value", CommonCode::NotANumber))?;
    record_milli_tx(tx, community, equipment, meter, milli, at, by, source).await
}

/// [`record_reading_tx`] of a value already in thousandths (a patrol's reading).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn record_milli_tx(
    tx: &mut Tx,
    community: CommunityId,
    equipment: EquipmentId,
    meter: &str,
    milli: i64,
    at: DateTime<Utc>,
    by: Option<UserId>,
    source: &str,
) -> CoreResult<ReadingRecorded> {
    let meter = model::text("meter", Some(meter), true, 30)
        .map_err(|e| CoreError::Invalid(vec![e]))?
        .unwrap_or_default();
    if store::items::get_in(tx, community, equipment)
        .await?
        .is_none()
    {
        return Err(CoreError::NotFound("equipment"));
    }
    let now = Utc::now();
    let reading_id = store::maintenance::insert_reading(
        tx, community, equipment, &meter, milli, at, by, source, now,
    )
    .await?;
    let mut orders = Vec::new();
    let plans = store::maintenance::meter_plans(tx, community, equipment, &meter).await?;
    if plans.is_empty() {
        return Ok(ReadingRecorded { reading_id, orders });
    }
    let (_, tz) = zone_of(tx, community).await?;
    let due_on = today_in(tz, at) + Duration::days(model::METER_ORDER_DAYS);
    for p in plans {
        let (Some(threshold), Some(next)) = (p.threshold_milli, p.meter_next_milli) else {
            continue;
        };
        if milli < next {
            continue;
        }
        // The next order falls due `threshold` units after this reading.
        let Some(_) =
            store::maintenance::claim_crossing(tx, community, p.id, milli, milli + threshold, now)
                .await?
        else {
            continue;
        };
        let o = NewOrder {
            plan: &p,
            slot: format!("m:{next}"),
            due_on,
            meter_value: Some(milli),
        };
        if let Some(id) = store::maintenance::insert_order(tx, &o, now).await? {
            orders.push(id);
        }
    }
    Ok(ReadingRecorded { reading_id, orders })
}

/// Records a reading by hand (needs `equipment.work`).
pub async fn record_reading(
    core: &Core,
    ctx: &Ctx,
    equipment: EquipmentId,
    input: ReadingForCreate,
) -> CoreResult<ReadingRecorded> {
    let r = seen(core, ctx, equipment).await?;
    ctx.require(Perm::EquipmentWork)?;
    let mut errs = Vec::new();
    let milli = model::parse_value("value", &input.value)
        .map_err(|e| errs.push(e))
        .ok();
    if input.meter.trim().is_empty() {
        errs.push(FieldError::new("meter", CommonCode::Required));
    }
    let now = Utc::now();
    let at = input.read_at.unwrap_or(now);
    if at > now + Duration::minutes(5) {
        errs.push(FieldError::new("read_at", CommonCode::TimeInFuture));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let mut tx = core.db.begin().await?;
    let out = record_milli_tx(
        &mut tx,
        r.community_id,
        equipment,
        &input.meter,
        milli.unwrap_or_default(),
        at,
        ctx.actor(),
        "manual",
    )
    .await?;
    tx.commit().await?;
    Ok(out)
}

/// An item's readings, newest first.
pub async fn list_readings(
    core: &Core,
    ctx: &Ctx,
    equipment: EquipmentId,
) -> CoreResult<Vec<Reading>> {
    let r = seen(core, ctx, equipment).await?;
    readings_of(&mut core.db.read(), r.community_id, equipment).await
}
