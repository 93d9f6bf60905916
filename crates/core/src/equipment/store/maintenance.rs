//! SQL of maintenance: plans, the orders they make (one per plan and occasion, by a unique key),
//! the conditional UPDATEs that make doing, accepting and the overdue notice happen once, the
//! order files, and meter readings with the claim of a threshold crossing.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A maintenance plan as stored.
    pub(crate) struct PlanRow {
        pub id: MaintenancePlanId,
        pub community_id: CommunityId,
        pub equipment_id: Option<EquipmentId>,
        pub system: String,
        pub title: String,
        pub frequency: String,
        pub interval_n: i64,
        pub months: Option<String>,
        pub day_of_month: Option<i64>,
        pub anchor: String,
        pub start_on: NaiveDate,
        pub meter: Option<String>,
        pub threshold_milli: Option<i64>,
        pub meter_next_milli: Option<i64>,
        pub checklist: String,
        pub required_attachments: String,
        pub performer: String,
        pub contractor: Option<String>,
        pub assignee_id: Option<UserId>,
        pub lead_days: i64,
        pub active: bool,
        pub template_key: Option<String>,
    }
}

const PLAN_COLS: &str = "id, community_id, equipment_id, system, title, frequency, interval_n, \
     months, day_of_month, anchor, start_on, meter, threshold_milli, meter_next_milli, checklist, \
     required_attachments, performer, contractor, assignee_id, lead_days, active, template_key";

/// The fields of a plan that are written.
#[derive(Debug, Clone)]
pub(crate) struct PlanFields {
    pub equipment_id: Option<EquipmentId>,
    pub system: String,
    pub title: String,
    pub frequency: String,
    pub interval_n: i64,
    pub months: Option<String>,
    pub day_of_month: Option<i64>,
    pub anchor: String,
    pub start_on: NaiveDate,
    pub meter: Option<String>,
    pub threshold_milli: Option<i64>,
    pub checklist: String,
    pub required_attachments: String,
    pub performer: String,
    pub contractor: Option<String>,
    pub assignee_id: Option<UserId>,
    pub lead_days: i64,
    pub active: bool,
}

/// A plan's written columns, in the order both the INSERT and the UPDATE list them.
fn plan_values(f: &PlanFields, meter_next: Option<i64>) -> Args {
    args![
        f.equipment_id,
        f.system.as_str(),
        f.title.as_str(),
        f.frequency.as_str(),
        f.interval_n,
        f.months.clone(),
        f.day_of_month,
        f.anchor.as_str(),
        f.start_on,
        f.meter.clone(),
        f.threshold_milli,
        meter_next,
        f.checklist.as_str(),
        f.required_attachments.as_str(),
        f.performer.as_str(),
        f.contractor.clone(),
        f.assignee_id,
        f.lead_days,
        f.active,
    ]
}

/// Writes a plan; with a template key, a second adoption of the same default writes nothing
/// (`None`).
pub(crate) async fn insert_plan(
    tx: &mut Tx,
    community: CommunityId,
    f: &PlanFields,
    meter_next: Option<i64>,
    template_key: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<Option<MaintenancePlanId>> {
    let r: Option<(MaintenancePlanId,)> = tx
        .fetch_optional(
            "INSERT INTO maintenance_plans (community_id, equipment_id, system, title, frequency, \
             interval_n, months, day_of_month, anchor, start_on, meter, threshold_milli, \
             meter_next_milli, checklist, required_attachments, performer, contractor, \
             assignee_id, lead_days, active, template_key, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
             $18, $19, $20, $21, $22, $23, $23) \
             ON CONFLICT (community_id, template_key) DO NOTHING RETURNING id",
            {
                let mut a = args![community];
                a.0.extend(plan_values(f, meter_next).0);
                a.0.extend(args![template_key, by, now].0);
                a
            },
        )
        .await?;
    Ok(r.map(|(i,)| i))
}

pub(crate) async fn update_plan(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenancePlanId,
    f: &PlanFields,
    meter_next: Option<i64>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE maintenance_plans SET equipment_id = $1, system = $2, title = $3, frequency = $4, \
         interval_n = $5, months = $6, day_of_month = $7, anchor = $8, start_on = $9, meter = $10, \
         threshold_milli = $11, meter_next_milli = $12, checklist = $13, \
         required_attachments = $14, performer = $15, contractor = $16, assignee_id = $17, \
         lead_days = $18, active = $19, updated_at = $20 WHERE community_id = $21 AND id = $22",
        {
            let mut a = plan_values(f, meter_next);
            a.0.extend(args![now, community, id].0);
            a
        },
    )
    .await
}

pub(crate) async fn get_plan(
    q: &mut impl Queries,
    id: MaintenancePlanId,
) -> CoreResult<Option<PlanRow>> {
    q.fetch_optional(
        &format!("SELECT {PLAN_COLS} FROM maintenance_plans WHERE id = $1"),
        args![id],
    )
    .await
}

/// The community's plans (of one item when given), by title.
pub(crate) async fn plans(
    q: &mut impl Queries,
    community: CommunityId,
    item: Option<EquipmentId>,
) -> CoreResult<Vec<PlanRow>> {
    let mut a = args![community];
    let w = match item {
        Some(i) => format!(" AND equipment_id = {}", a.push(i)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {PLAN_COLS} FROM maintenance_plans WHERE community_id = $1{w} \
             ORDER BY system, title, id"
        ),
        a,
    )
    .await
}

/// Active calendar plans (of one community, or of all), for the order generator.
pub(crate) async fn calendar_plans(
    q: &mut impl Queries,
    community: Option<CommunityId>,
) -> CoreResult<Vec<PlanRow>> {
    let mut a = args![true];
    let w = match community {
        Some(c) => format!(" AND community_id = {}", a.push(c)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {PLAN_COLS} FROM maintenance_plans WHERE active = $1 \
             AND frequency <> 'meter'{w} ORDER BY community_id, id LIMIT 20000"
        ),
        a,
    )
    .await
}

/// Active meter plans watching this meter of this item.
pub(crate) async fn meter_plans(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
    meter: &str,
) -> CoreResult<Vec<PlanRow>> {
    q.fetch_all(
        &format!(
            "SELECT {PLAN_COLS} FROM maintenance_plans WHERE community_id = $1 \
             AND equipment_id = $2 AND frequency = 'meter' AND meter = $3 AND active = $4 \
             ORDER BY id"
        ),
        args![community, item, meter, true],
    )
    .await
}

/// Claims a threshold crossing: moves the plan's next threshold on to `next` if `value` has
/// reached the current one. PostgreSQL makes a concurrent claim wait and re-check the
/// condition, so two readings crossing at once claim once.
pub(crate) async fn claim_crossing(
    tx: &mut Tx,
    community: CommunityId,
    plan: MaintenancePlanId,
    value: i64,
    next: i64,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let r: Option<(i64,)> = tx
        .fetch_optional(
            "UPDATE maintenance_plans SET meter_next_milli = $1, updated_at = $2 \
             WHERE community_id = $3 AND id = $4 AND meter_next_milli <= $5 \
             RETURNING meter_next_milli",
            args![next, now, community, plan, value],
        )
        .await?;
    Ok(r.map(|(n,)| n))
}

crate::row! {
    /// A maintenance order as stored, with its item's name.
    pub(crate) struct OrderRow {
        pub id: MaintenanceOrderId,
        pub community_id: CommunityId,
        pub plan_id: MaintenancePlanId,
        pub equipment_id: Option<EquipmentId>,
        pub equipment_name: Option<String>,
        pub system: String,
        pub title: String,
        pub due_on: NaiveDate,
        pub meter_value_milli: Option<i64>,
        pub checklist: String,
        pub checked: String,
        pub required_attachments: String,
        pub performer: String,
        pub contractor: Option<String>,
        pub assignee_id: Option<UserId>,
        pub materials: Option<String>,
        pub labour: Option<String>,
        pub remarks: Option<String>,
        pub state: String,
        pub done_by: Option<UserId>,
        pub done_on: Option<NaiveDate>,
        pub done_at: Option<DateTime<Utc>>,
        pub accepted_by: Option<UserId>,
        pub accepted_at: Option<DateTime<Utc>>,
        pub return_note: Option<String>,
        pub overdue_notified_at: Option<DateTime<Utc>>,
    }
}

const ORDER_COLS: &str = "o.id, o.community_id, o.plan_id, o.equipment_id, e.name AS equipment_name, \
     o.system, o.title, o.due_on, o.meter_value_milli, o.checklist, o.checked, \
     o.required_attachments, o.performer, o.contractor, o.assignee_id, o.materials, o.labour, \
     o.remarks, o.state, o.done_by, o.done_on, o.done_at, o.accepted_by, o.accepted_at, \
     o.return_note, o.overdue_notified_at";

const ORDER_FROM: &str = "maintenance_orders o LEFT JOIN equipment e \
     ON e.community_id = o.community_id AND e.id = o.equipment_id";

/// An order to write (made from its plan).
pub(crate) struct NewOrder<'a> {
    pub plan: &'a PlanRow,
    pub slot: String,
    pub due_on: NaiveDate,
    pub meter_value: Option<i64>,
}

/// Writes an order unless its plan has one for this occasion already (`None`).
pub(crate) async fn insert_order(
    tx: &mut Tx,
    o: &NewOrder<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<MaintenanceOrderId>> {
    let p = o.plan;
    let unticked = p
        .checklist
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|_| "0")
        .collect::<Vec<_>>()
        .join(",");
    let r: Option<(MaintenanceOrderId,)> = tx
        .fetch_optional(
            "INSERT INTO maintenance_orders (community_id, plan_id, equipment_id, system, title, \
             slot, due_on, meter_value_milli, checklist, checked, required_attachments, \
             performer, contractor, assignee_id, state, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 'open', $15, $15) \
             ON CONFLICT (community_id, plan_id, slot) DO NOTHING RETURNING id",
            args![
                p.community_id,
                p.id,
                p.equipment_id,
                p.system.as_str(),
                p.title.as_str(),
                o.slot.as_str(),
                o.due_on,
                o.meter_value,
                p.checklist.as_str(),
                unticked,
                p.required_attachments.as_str(),
                p.performer.as_str(),
                p.contractor.clone(),
                p.assignee_id,
                now
            ],
        )
        .await?;
    Ok(r.map(|(i,)| i))
}

/// The latest calendar order of a plan: its due date and the day it was done.
pub(crate) async fn last_calendar_order(
    q: &mut impl Queries,
    community: CommunityId,
    plan: MaintenancePlanId,
) -> CoreResult<Option<(NaiveDate, Option<NaiveDate>)>> {
    q.fetch_optional(
        "SELECT due_on, done_on FROM maintenance_orders WHERE community_id = $1 AND plan_id = $2 \
         AND slot NOT LIKE 'm:%' ORDER BY due_on DESC, id DESC LIMIT 1",
        args![community, plan],
    )
    .await
}

pub(crate) async fn get_order(
    q: &mut impl Queries,
    id: MaintenanceOrderId,
) -> CoreResult<Option<OrderRow>> {
    q.fetch_optional(
        &format!("SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE o.id = $1"),
        args![id],
    )
    .await
}

/// What the order list is filtered by.
#[derive(Debug, Clone, Default)]
pub(crate) struct OrderQuery {
    pub state: Option<&'static str>,
    /// Open orders due before this day.
    pub overdue_on: Option<NaiveDate>,
    pub item: Option<EquipmentId>,
    pub plan: Option<MaintenancePlanId>,
    pub assignee: Option<UserId>,
}

/// The WHERE of the order list and its export: the community's orders `f` picks.
fn order_where(a: &mut Args, community: CommunityId, f: &OrderQuery) -> String {
    let mut w = format!("o.community_id = {}", a.push(community));
    if let Some(s) = f.state {
        w.push_str(&format!(" AND o.state = {}", a.push(s)));
    }
    if let Some(d) = f.overdue_on {
        w.push_str(&format!(
            " AND o.state = 'open' AND o.due_on < {}",
            a.push(d)
        ));
    }
    if let Some(i) = f.item {
        w.push_str(&format!(" AND o.equipment_id = {}", a.push(i)));
    }
    if let Some(p) = f.plan {
        w.push_str(&format!(" AND o.plan_id = {}", a.push(p)));
    }
    if let Some(u) = f.assignee {
        w.push_str(&format!(" AND o.assignee_id = {}", a.push(u)));
    }
    w
}

/// The community's orders: open ones soonest due first, the rest newest first.
pub(crate) async fn orders(
    q: &mut impl Queries,
    community: CommunityId,
    f: &OrderQuery,
) -> CoreResult<Vec<OrderRow>> {
    let mut a = Args::new();
    let w = order_where(&mut a, community, f);
    q.fetch_all(
        &format!(
            "SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE {w} \
             ORDER BY CASE WHEN o.state = 'open' THEN 0 ELSE 1 END, \
             CASE WHEN o.state = 'open' THEN o.due_on END, o.id DESC LIMIT 1000"
        ),
        a,
    )
    .await
}

/// The orders the list's `f` picks with ids below `below`, newest first: the export's pages
/// (by id, not the list's open-first order, so that paging by id is exact).
pub(crate) async fn orders_page(
    q: &mut impl Queries,
    community: CommunityId,
    f: &OrderQuery,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<OrderRow>> {
    let mut a = Args::new();
    let w = order_where(&mut a, community, f);
    let below = a.push(below);
    q.fetch_all(
        &format!(
            "SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE {w} AND o.id < {below} \
             ORDER BY o.id DESC LIMIT {limit}"
        ),
        a,
    )
    .await
}

/// Open orders overdue on `today` not yet notified (of one community, or of all), for the job.
pub(crate) async fn overdue_unnotified(
    q: &mut impl Queries,
    community: Option<CommunityId>,
    today: NaiveDate,
) -> CoreResult<Vec<OrderRow>> {
    let mut a = args![today];
    let w = match community {
        Some(c) => format!(" AND o.community_id = {}", a.push(c)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {ORDER_COLS} FROM {ORDER_FROM} WHERE o.state = 'open' AND o.due_on < $1 \
             AND o.overdue_notified_at IS NULL{w} ORDER BY o.community_id, o.id LIMIT 1000"
        ),
        a,
    )
    .await
}

/// Marks the overdue notice sent; `false` when another pass sent it first.
pub(crate) async fn claim_overdue_notice(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenanceOrderId,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    Ok(tx
        .execute(
            "UPDATE maintenance_orders SET overdue_notified_at = $1 WHERE community_id = $2 \
             AND id = $3 AND overdue_notified_at IS NULL AND state = 'open'",
            args![now, community, id],
        )
        .await?
        == 1)
}

/// Saves the worker's progress on an open order (ticks, materials, labour, remarks).
#[allow(clippy::too_many_arguments)]
pub(crate) async fn save_work(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenanceOrderId,
    checked: &str,
    materials: Option<&str>,
    labour: Option<&str>,
    remarks: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE maintenance_orders SET checked = $1, materials = $2, labour = $3, remarks = $4, \
         updated_at = $5 WHERE community_id = $6 AND id = $7 AND state = 'open'",
        args![checked, materials, labour, remarks, now, community, id],
    )
    .await
}

/// open → done, once.
pub(crate) async fn mark_done(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenanceOrderId,
    by: Option<UserId>,
    on: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE maintenance_orders SET state = 'done', done_by = $1, done_on = $2, done_at = $3, \
         updated_at = $3 WHERE community_id = $4 AND id = $5 AND state = 'open'",
        args![by, on, now, community, id],
    )
    .await
}

/// done → accepted, once: of two managers accepting at once, one gets 1 row, the other 0.
pub(crate) async fn mark_accepted(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenanceOrderId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE maintenance_orders SET state = 'accepted', accepted_by = $1, accepted_at = $2, \
         updated_at = $2 WHERE community_id = $3 AND id = $4 AND state = 'done'",
        args![by, now, community, id],
    )
    .await
}

/// done → open again with the manager's reason.
pub(crate) async fn mark_returned(
    tx: &mut Tx,
    community: CommunityId,
    id: MaintenanceOrderId,
    note: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE maintenance_orders SET state = 'open', done_by = NULL, done_on = NULL, \
         done_at = NULL, return_note = $1, updated_at = $2 \
         WHERE community_id = $3 AND id = $4 AND state = 'done'",
        args![note, now, community, id],
    )
    .await
}

crate::row! {
    /// A file of an order.
    pub(crate) struct OrderFileRow {
        pub id: i64,
        pub label: String,
        pub content_type: String,
        pub path: String,
        pub created_at: DateTime<Utc>,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_order_file(
    tx: &mut Tx,
    community: CommunityId,
    order: MaintenanceOrderId,
    label: &str,
    content_type: &str,
    path: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO maintenance_order_files (community_id, order_id, label, content_type, path, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![community, order, label, content_type, path, by, now],
    )
    .await
}

pub(crate) async fn order_files(
    q: &mut impl Queries,
    community: CommunityId,
    order: MaintenanceOrderId,
) -> CoreResult<Vec<OrderFileRow>> {
    q.fetch_all(
        "SELECT id, label, content_type, path, created_at FROM maintenance_order_files \
         WHERE community_id = $1 AND order_id = $2 ORDER BY id",
        args![community, order],
    )
    .await
}

crate::row! {
    /// A meter reading of an item.
    pub(crate) struct ReadingRow {
        pub id: i64,
        pub equipment_id: EquipmentId,
        pub meter: String,
        pub value_milli: i64,
        pub read_at: DateTime<Utc>,
        pub read_by: Option<UserId>,
        pub source: String,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_reading(
    tx: &mut Tx,
    community: CommunityId,
    item: EquipmentId,
    meter: &str,
    value: i64,
    at: DateTime<Utc>,
    by: Option<UserId>,
    source: &str,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO equipment_readings (community_id, equipment_id, meter, value_milli, read_at, \
         read_by, source, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        args![community, item, meter, value, at, by, source, now],
    )
    .await
}

/// An item's readings, newest first.
pub(crate) async fn readings(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
) -> CoreResult<Vec<ReadingRow>> {
    q.fetch_all(
        "SELECT id, equipment_id, meter, value_milli, read_at, read_by, source \
         FROM equipment_readings WHERE community_id = $1 AND equipment_id = $2 \
         ORDER BY read_at DESC, id DESC LIMIT 500",
        args![community, item],
    )
    .await
}

/// The highest reading of a meter of an item (a new meter plan counts on from it).
pub(crate) async fn latest_value(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
    meter: &str,
) -> CoreResult<Option<i64>> {
    let (v,): (Option<i64>,) = q
        .fetch_one(
            "SELECT MAX(value_milli) FROM equipment_readings WHERE community_id = $1 \
             AND equipment_id = $2 AND meter = $3",
            args![community, item, meter],
        )
        .await?;
    Ok(v)
}
