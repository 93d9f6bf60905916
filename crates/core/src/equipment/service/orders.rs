//! Maintenance orders (保养工单): the list (overdue ones flagged) and its .xlsx export, an order
//! with its files, the worker's progress and completion (every checklist line ticked, materials
//! and labour entered, every required attachment present — else refused naming what is
//! missing), and a manager's acceptance or return. State changes are conditional UPDATEs: of two
//! managers accepting at once, one wins and the other is told it was accepted already.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::{may_see, today_in, zone_of};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::equipment::error::EquipmentCode;
use crate::equipment::model::{self, OrderState, Performer, System};
use crate::equipment::store;
use crate::equipment::store::maintenance::{OrderQuery, OrderRow};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// A maintenance order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaintenanceOrder {
    pub id: MaintenanceOrderId,
    pub community_id: CommunityId,
    pub plan_id: MaintenancePlanId,
    pub equipment_id: Option<EquipmentId>,
    pub equipment_name: Option<String>,
    pub system: System,
    pub title: String,
    pub due_on: NaiveDate,
    /// Not done by its due date (flagged in lists).
    pub overdue: bool,
    /// A meter order: the reading that crossed the threshold.
    pub meter_value: Option<String>,
    pub checklist: Vec<ChecklistLine>,
    pub required_attachments: Vec<String>,
    pub performer: Performer,
    pub contractor: Option<String>,
    pub assignee_id: Option<UserId>,
    pub materials: Option<String>,
    pub labour: Option<String>,
    pub remarks: Option<String>,
    pub state: OrderState,
    pub done_by: Option<UserId>,
    pub done_on: Option<NaiveDate>,
    pub done_at: Option<DateTime<Utc>>,
    pub accepted_by: Option<UserId>,
    pub accepted_at: Option<DateTime<Utc>>,
    /// Why a manager returned it.
    pub return_note: Option<String>,
    pub overdue_notified_at: Option<DateTime<Utc>>,
    /// Its files (empty in lists).
    pub files: Vec<OrderFile>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceChecklistLine)]
pub struct ChecklistLine {
    pub text: String,
    pub done: bool,
}

/// A file of an order: `label` is the required attachment it answers, or free text.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceOrderFile)]
pub struct OrderFile {
    pub id: i64,
    pub label: String,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

/// The worker's entries on an order: the indexes (from 0) of the ticked checklist lines,
/// materials, labour and remarks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[schema(as = MaintenanceOrderWork)]
pub struct OrderWork {
    #[serde(default)]
    pub checked: Vec<usize>,
    #[serde(default)]
    pub materials: Option<String>,
    #[serde(default)]
    pub labour: Option<String>,
    #[serde(default)]
    pub remarks: Option<String>,
}

/// What the order list is filtered by.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
#[schema(as = MaintenanceOrderFilter)]
pub struct OrderFilter {
    /// `open`, `done` or `accepted`.
    pub state: Option<String>,
    /// Only overdue orders.
    pub overdue: Option<bool>,
    pub equipment_id: Option<EquipmentId>,
    pub plan_id: Option<MaintenancePlanId>,
}

/// Why an order is returned.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
#[schema(as = MaintenanceOrderReturn)]
pub struct OrderReturn {
    pub note: String,
}

fn ticks(raw: &str) -> Vec<bool> {
    raw.split(',').map(|t| t.trim() == "1").collect()
}

pub(crate) fn order_of(
    r: OrderRow,
    today: NaiveDate,
    files: Vec<OrderFile>,
) -> CoreResult<MaintenanceOrder> {
    let state = OrderState::from_stored(&r.state)?;
    let t = ticks(&r.checked);
    let checklist = model::lines(&r.checklist)
        .into_iter()
        .enumerate()
        .map(|(i, text)| ChecklistLine {
            text,
            done: t.get(i).copied().unwrap_or(false),
        })
        .collect();
    Ok(MaintenanceOrder {
        id: r.id,
        community_id: r.community_id,
        plan_id: r.plan_id,
        equipment_id: r.equipment_id,
        equipment_name: r.equipment_name,
        system: System::from_stored(&r.system)?,
        title: r.title,
        overdue: model::is_overdue(state, r.due_on, today),
        due_on: r.due_on,
        meter_value: r.meter_value_milli.map(model::show_value),
        checklist,
        required_attachments: model::lines(&r.required_attachments),
        performer: Performer::from_stored(&r.performer)?,
        contractor: r.contractor,
        assignee_id: r.assignee_id,
        materials: r.materials,
        labour: r.labour,
        remarks: r.remarks,
        state,
        done_by: r.done_by,
        done_on: r.done_on,
        done_at: r.done_at,
        accepted_by: r.accepted_by,
        accepted_at: r.accepted_at,
        return_note: r.return_note,
        overdue_notified_at: r.overdue_notified_at,
        files,
    })
}

pub(crate) async fn orders_where(
    q: &mut impl Queries,
    community: CommunityId,
    today: NaiveDate,
    f: &OrderQuery,
) -> CoreResult<Vec<MaintenanceOrder>> {
    store::maintenance::orders(q, community, f)
        .await?
        .into_iter()
        .map(|r| order_of(r, today, Vec::new()))
        .collect()
}

/// The community's maintenance orders: open ones soonest due first (overdue flagged), then the
/// rest newest first.
pub async fn list_orders(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    f: &OrderFilter,
) -> CoreResult<Vec<MaintenanceOrder>> {
    let mut q = core.db.read();
    let (_, today, query) = order_query(&mut q, ctx, community, f).await?;
    orders_where(&mut q, community, today, &query).await
}

/// The list's checks and what its filter picks (the list's and its export's): the actor sees
/// the community's orders, a state is a known one; with the community's zone and today (which
/// the overdue filter and flag count from).
async fn order_query(
    q: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    f: &OrderFilter,
) -> CoreResult<(Tz, NaiveDate, OrderQuery)> {
    may_see(ctx, community)?;
    let (_, tz) = zone_of(q, community).await?;
    let today = today_in(tz, Utc::now());
    let state = match f.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            OrderState::parse("state", s)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let query = OrderQuery {
        state,
        overdue_on: f.overdue.unwrap_or(false).then_some(today),
        item: f.equipment_id,
        plan: f.plan_id,
        assignee: None,
    };
    Ok((tz, today, query))
}

/// An order as the export writes it: with the names of the people on it (the list carries
/// their ids only).
struct OrderLine {
    o: MaintenanceOrder,
    assignee: Option<String>,
    done_by: Option<String>,
    accepted_by: Option<String>,
}

const ORDER_COLUMNS: &[Column<OrderLine>] = &[
    col("工单编号", 9.0, |l| Cell::Int(l.o.id.0)),
    col("工单标题", 20.0, |l| Cell::from(&l.o.title)),
    col("系统", 12.0, |l| Cell::Label(l.o.system.zh())),
    col("设备", 16.0, |l| Cell::from(&l.o.equipment_name)),
    col("到期日", 11.0, |l| Cell::Day(l.o.due_on)),
    col("状态", 8.0, |l| Cell::Label(l.o.state.zh())),
    col("逾期", 6.0, |l| Cell::from(l.o.overdue)),
    col("执行方", 12.0, |l| Cell::Label(l.o.performer.zh())),
    col("外包单位", 14.0, |l| Cell::from(&l.o.contractor)),
    col("负责人", 10.0, |l| Cell::from(&l.assignee)),
    col("检查项完成", 10.0, |l| {
        let done = l.o.checklist.iter().filter(|c| c.done).count();
        Cell::Text(format!("{done}/{}", l.o.checklist.len()))
    }),
    col("触发读数", 10.0, |l| Cell::from(&l.o.meter_value)),
    col("材料", 20.0, |l| Cell::from(&l.o.materials)),
    col("人工", 14.0, |l| Cell::from(&l.o.labour)),
    col("备注", 20.0, |l| Cell::from(&l.o.remarks)),
    col("完成人", 10.0, |l| Cell::from(&l.done_by)),
    col("完成时间", 16.0, |l| Cell::from(l.o.done_at)),
    col("验收人", 10.0, |l| Cell::from(&l.accepted_by)),
    col("验收时间", 16.0, |l| Cell::from(l.o.accepted_at)),
    col("退回原因", 20.0, |l| Cell::from(&l.o.return_note)),
];

/// Every order the list's filter picks, as .xlsx, streamed: newest first (by id, not the
/// list's open-first order, so that the pages follow each other exactly), with no cap.
pub async fn orders_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    f: &OrderFilter,
) -> CoreResult<ExportFile> {
    let mut q = core.db.read();
    let (tz, today, query) = order_query(&mut q, ctx, community, f).await?;
    let sink = Sink::new("保养工单", ORDER_COLUMNS, tz);
    let mut sink = sink.by_id(|l| l.o.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let rows =
                store::maintenance::orders_page(&mut q, community, &query, below, PAGE).await?;
            // One look-up of names per page, not one per order.
            let mut people: Vec<UserId> = rows
                .iter()
                .flat_map(|r| [r.assignee_id, r.done_by, r.accepted_by])
                .flatten()
                .collect();
            people.sort();
            people.dedup();
            let names: BTreeMap<UserId, String> =
                crate::auth::store::users::display_names(&mut q, &people)
                    .await?
                    .into_iter()
                    .collect();
            let name = |u: Option<UserId>| u.and_then(|u| names.get(&u).cloned());
            rows.into_iter()
                .map(|r| -> CoreResult<OrderLine> {
                    let o = order_of(r, today, Vec::new())?;
                    Ok(OrderLine {
                        assignee: name(o.assignee_id),
                        done_by: name(o.done_by),
                        accepted_by: name(o.accepted_by),
                        o,
                    })
                })
                .collect()
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

pub(crate) async fn seen_order(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
) -> CoreResult<OrderRow> {
    let r = store::maintenance::get_order(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("maintenance_order"))?;
    may_see(ctx, r.community_id)?;
    Ok(r)
}

/// One order with its files.
pub async fn get_order(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
) -> CoreResult<MaintenanceOrder> {
    let r = seen_order(core, ctx, id).await?;
    let mut q = core.db.read();
    let (_, tz) = zone_of(&mut q, r.community_id).await?;
    let files = store::maintenance::order_files(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .map(|f| OrderFile {
            id: f.id,
            label: f.label,
            content_type: f.content_type,
            created_at: f.created_at,
        })
        .collect();
    order_of(r, today_in(tz, Utc::now()), files)
}

/// The worker's entries checked: ticks (`1,0,…`), materials, labour, remarks.
type Work = (String, Option<String>, Option<String>, Option<String>);

/// Checks the worker's entries against the order's checklist.
fn checked_work(r: &OrderRow, w: &OrderWork) -> CoreResult<Work> {
    let n = model::lines(&r.checklist).len();
    let mut c = Checks::new();
    if let Some(i) = w.checked.iter().find(|i| **i >= n) {
        c.push(FieldError::new("checked", CommonCode::Invalid).with("line", i + 1));
    }
    let materials = c.take(model::text("materials", w.materials.as_deref(), false, 500));
    let labour = c.take(model::text("labour", w.labour.as_deref(), false, 200));
    let remarks = c.take(model::text(
        "remarks",
        w.remarks.as_deref(),
        false,
        model::MAX_TEXT,
    ));
    c.finish()?;
    let ticks: Vec<&str> = (0..n)
        .map(|i| if w.checked.contains(&i) { "1" } else { "0" })
        .collect();
    Ok((
        ticks.join(","),
        materials.flatten(),
        labour.flatten(),
        remarks.flatten(),
    ))
}

/// Saves the worker's progress on an open order (needs `equipment.work`).
pub async fn save_order_work(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
    w: OrderWork,
) -> CoreResult<MaintenanceOrder> {
    let r = seen_order(core, ctx, id).await?;
    ctx.require(Perm::EquipmentWork)?;
    let (ticks, materials, labour, remarks) = checked_work(&r, &w)?;
    let mut tx = core.db.begin().await?;
    let n = store::maintenance::save_work(
        &mut tx,
        r.community_id,
        id,
        &ticks,
        materials.as_deref(),
        labour.as_deref(),
        remarks.as_deref(),
        Utc::now(),
    )
    .await?;
    if n == 0 {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotOpen));
    }
    tx.commit().await?;
    get_order(core, ctx, id).await
}

/// Completes an open order with the worker's entries (needs `equipment.work`): every checklist
/// line ticked, materials and labour entered, and a file for every required attachment; else
/// refused naming each missing one and nothing is written.
pub async fn complete_order(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
    w: OrderWork,
) -> CoreResult<MaintenanceOrder> {
    let r = seen_order(core, ctx, id).await?;
    ctx.require(Perm::EquipmentWork)?;
    if r.state != OrderState::Open.code() {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotOpen));
    }
    let (ticks, materials, labour, remarks) = checked_work(&r, &w)?;
    let mut errs = Vec::new();
    for (i, line) in model::lines(&r.checklist).iter().enumerate() {
        if !w.checked.contains(&i) {
            errs.push(
                FieldError::new("checked", EquipmentCode::ChecklistIncomplete).with("line", line),
            );
        }
    }
    if materials.is_none() {
        errs.push(FieldError::new("materials", CommonCode::Required));
    }
    if labour.is_none() {
        errs.push(FieldError::new("labour", CommonCode::Required));
    }
    let mut tx = core.db.begin().await?;
    let have: Vec<String> = store::maintenance::order_files(&mut tx, r.community_id, id)
        .await?
        .into_iter()
        .map(|f| f.label)
        .collect();
    for need in model::lines(&r.required_attachments) {
        if !have.contains(&need) {
            errs.push(
                FieldError::new("attachments", EquipmentCode::AttachmentMissing).with("name", need),
            );
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let (_, tz) = zone_of(&mut tx, r.community_id).await?;
    store::maintenance::save_work(
        &mut tx,
        r.community_id,
        id,
        &ticks,
        materials.as_deref(),
        labour.as_deref(),
        remarks.as_deref(),
        now,
    )
    .await?;
    if store::maintenance::mark_done(
        &mut tx,
        r.community_id,
        id,
        ctx.actor(),
        today_in(tz, now),
        now,
    )
    .await?
        == 0
    {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotOpen));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "maintenance_order", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "open" }))
            .after(
                &serde_json::json!({ "state": "done", "materials": materials, "labour": labour }),
            ),
    )
    .await?;
    tx.commit().await?;
    get_order(core, ctx, id).await
}

/// A manager accepts a done order (needs `equipment.manage`). Of two accepting at once, one
/// wins; the other gets a conflict on `state`.
pub async fn accept_order(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
) -> CoreResult<MaintenanceOrder> {
    let r = seen_order(core, ctx, id).await?;
    ctx.require(Perm::EquipmentManage)?;
    let mut tx = core.db.begin().await?;
    if store::maintenance::mark_accepted(&mut tx, r.community_id, id, ctx.actor(), Utc::now())
        .await?
        == 0
    {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotDone));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "maintenance_order", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "done" }))
            .after(&serde_json::json!({ "state": "accepted" })),
    )
    .await?;
    tx.commit().await?;
    get_order(core, ctx, id).await
}

/// A manager returns a done order to be done again, saying why (needs `equipment.manage`).
pub async fn return_order(
    core: &Core,
    ctx: &Ctx,
    id: MaintenanceOrderId,
    input: OrderReturn,
) -> CoreResult<MaintenanceOrder> {
    let r = seen_order(core, ctx, id).await?;
    ctx.require(Perm::EquipmentManage)?;
    let note = model::text("note", Some(&input.note), true, 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?
        .unwrap_or_default();
    let mut tx = core.db.begin().await?;
    if store::maintenance::mark_returned(&mut tx, r.community_id, id, &note, Utc::now()).await? == 0
    {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotDone));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "maintenance_order", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "done" }))
            .after(&serde_json::json!({ "state": "open", "note": note })),
    )
    .await?;
    tx.commit().await?;
    get_order(core, ctx, id).await
}
