//! Machine rooms (配电房, 水泵房, 发电机房 …): the rooms, their run and duty log (readings with
//! limits, flagged when outside them, and the technician's remarks), their visitor records
//! (非值班人员进出有记录), and the CCTV systems with the days of footage they keep (flagged below
//! 7, as the audit sheet demands).

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::may_see;
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::equipment::error::EquipmentCode;
use crate::equipment::model::{self, LogReading, RoomKind};
use crate::equipment::store;
use crate::equipment::store::rooms::{CctvFields, CctvRow, RoomRow, VisitFields};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MachineRoom {
    pub id: MachineRoomId,
    pub community_id: CommunityId,
    pub kind: RoomKind,
    pub name: String,
    pub location: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RoomForCreate {
    /// `power`, `pump`, `generator`, `fire_control`, `monitoring`, `elevator`, `other`.
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
}

/// A run or duty log entry.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomLog {
    pub id: i64,
    pub room_id: MachineRoomId,
    pub logged_at: DateTime<Utc>,
    pub on_duty: String,
    pub readings: Vec<RoomLogReading>,
    /// A reading outside its limits.
    pub out_of_range: bool,
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomLogReading {
    pub key: String,
    pub value: String,
    pub min: Option<String>,
    pub max: Option<String>,
    pub out_of_range: bool,
}

/// A log entry as entered: readings one per line, `电压=380` or `电压=380[360,400]`.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RoomLogForCreate {
    pub on_duty: String,
    #[serde(default)]
    pub readings: String,
    #[serde(default)]
    pub remarks: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RoomVisit {
    pub id: i64,
    pub room_id: MachineRoomId,
    pub visitor: String,
    pub company: Option<String>,
    pub purpose: String,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub accompanied_by: Option<String>,
}

/// A visit as entered; `entered_at` is now when not given.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct VisitForCreate {
    pub visitor: String,
    #[serde(default)]
    pub company: Option<String>,
    pub purpose: String,
    #[serde(default)]
    pub entered_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub left_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub accompanied_by: Option<String>,
}

/// A CCTV system.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Cctv {
    pub id: CctvId,
    pub community_id: CommunityId,
    pub name: String,
    pub room_id: Option<MachineRoomId>,
    pub cameras: i64,
    /// Days of footage kept.
    pub retention_days: i64,
    /// Fewer than 7 days (the audit sheet's minimum).
    pub retention_too_short: bool,
    pub checked_on: Option<NaiveDate>,
    pub notes: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CctvForUpdate {
    pub name: String,
    #[serde(default)]
    pub room_id: Option<MachineRoomId>,
    #[serde(default)]
    pub cameras: i64,
    pub retention_days: i64,
    /// When the retention was last checked (`YYYY-MM-DD`).
    #[serde(default)]
    pub checked_on: Option<String>,
    #[serde(default)]
    pub notes: Option<String>,
}

fn room_of(r: RoomRow) -> CoreResult<MachineRoom> {
    Ok(MachineRoom {
        id: r.id,
        community_id: r.community_id,
        kind: RoomKind::from_stored(&r.kind)?,
        name: r.name,
        location: r.location,
    })
}

fn cctv_of(r: CctvRow) -> Cctv {
    Cctv {
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        room_id: r.room_id,
        cameras: r.cameras,
        retention_too_short: model::retention_too_short(r.retention_days),
        retention_days: r.retention_days,
        checked_on: r.checked_on,
        notes: r.notes,
    }
}

pub(crate) async fn cctvs_of(
    q: &mut impl Queries,
    community: CommunityId,
) -> CoreResult<Vec<Cctv>> {
    Ok(store::rooms::cctvs(q, community)
        .await?
        .into_iter()
        .map(cctv_of)
        .collect())
}

/// The community's machine rooms.
pub async fn list_rooms(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<MachineRoom>> {
    may_see(ctx, community)?;
    store::rooms::rooms(&mut core.db.read(), community)
        .await?
        .into_iter()
        .map(room_of)
        .collect()
}

async fn seen_room(core: &Core, ctx: &Ctx, id: MachineRoomId) -> CoreResult<RoomRow> {
    let r = store::rooms::get_room(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("machine_room"))?;
    may_see(ctx, r.community_id)?;
    Ok(r)
}

pub async fn get_room(core: &Core, ctx: &Ctx, id: MachineRoomId) -> CoreResult<MachineRoom> {
    room_of(seen_room(core, ctx, id).await?)
}

/// Adds a machine room (needs `equipment.manage`); names are unique in the community.
pub async fn create_room(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: RoomForCreate,
) -> CoreResult<MachineRoom> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let mut c = Checks::new();
    let kind = c.take(RoomKind::parse("kind", &input.kind));
    let name = c.take(model::text("name", Some(&input.name), true, 50));
    let location = c.take(model::text(
        "location",
        input.location.as_deref(),
        false,
        200,
    ));
    c.finish()?;
    let (kind, name) = (
        kind.unwrap_or(RoomKind::Other),
        name.flatten().unwrap_or_default(),
    );
    let mut tx = core.db.begin().await?;
    let id = store::rooms::insert_room(
        &mut tx,
        community,
        kind.code(),
        &name,
        location.flatten().as_deref(),
        Utc::now(),
    )
    .await
    .map_err(|e| e.or_conflict("name", EquipmentCode::DuplicateRoom))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "machine_room", id.0)
            .community(community)
            .after(&serde_json::json!({ "name": name, "kind": kind.code() })),
    )
    .await?;
    tx.commit().await?;
    get_room(core, ctx, id).await
}

fn log_of(r: store::rooms::LogRow) -> RoomLog {
    let readings: Vec<LogReading> = serde_json::from_str(&r.readings).unwrap_or_default();
    RoomLog {
        id: r.id,
        room_id: r.room_id,
        logged_at: r.logged_at,
        on_duty: r.on_duty,
        readings: readings
            .into_iter()
            .map(|x| RoomLogReading {
                out_of_range: x.out_of_range(),
                key: x.key,
                value: model::show_value(x.value_milli),
                min: x.min_milli.map(model::show_value),
                max: x.max_milli.map(model::show_value),
            })
            .collect(),
        out_of_range: r.out_of_range,
        remarks: r.remarks,
    }
}

/// A room's log, newest first.
pub async fn list_room_logs(
    core: &Core,
    ctx: &Ctx,
    room: MachineRoomId,
) -> CoreResult<Vec<RoomLog>> {
    let r = seen_room(core, ctx, room).await?;
    Ok(
        store::rooms::logs(&mut core.db.read(), r.community_id, room)
            .await?
            .into_iter()
            .map(log_of)
            .collect(),
    )
}

/// Writes a run or duty log entry (needs `equipment.work`); a reading outside its limits flags
/// the entry.
pub async fn add_room_log(
    core: &Core,
    ctx: &Ctx,
    room: MachineRoomId,
    input: RoomLogForCreate,
) -> CoreResult<RoomLog> {
    let r = seen_room(core, ctx, room).await?;
    ctx.require(Perm::EquipmentWork)?;
    let mut c = Checks::new();
    let on_duty = c.take(model::text("on_duty", Some(&input.on_duty), true, 50));
    let remarks = c.take(model::text(
        "remarks",
        input.remarks.as_deref(),
        false,
        model::MAX_TEXT,
    ));
    let readings = match model::parse_log_readings(&input.readings) {
        Ok(v) => v,
        Err(e) => {
            e.into_iter().for_each(|x| c.push(x));
            Vec::new()
        }
    };
    if readings.is_empty() && remarks.as_ref().is_some_and(Option::is_none) && c.0.is_empty() {
        c.push(FieldError::new("readings", CommonCode::Required));
    }
    c.finish()?;
    let out = readings.iter().any(LogReading::out_of_range);
    let json = serde_json::to_string(&readings).map_err(CoreError::internal)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let id = store::rooms::insert_log(
        &mut tx,
        r.community_id,
        room,
        now,
        &on_duty.flatten().unwrap_or_default(),
        &json,
        out,
        remarks.flatten().as_deref(),
        ctx.actor(),
        now,
    )
    .await?;
    tx.commit().await?;
    list_room_logs(core, ctx, room)
        .await?
        .into_iter()
        .find(|l| l.id == id)
        .ok_or(CoreError::NotFound("room_log"))
}

fn visit_of(v: store::rooms::VisitRow) -> RoomVisit {
    RoomVisit {
        id: v.id,
        room_id: v.room_id,
        visitor: v.visitor,
        company: v.company,
        purpose: v.purpose,
        entered_at: v.entered_at,
        left_at: v.left_at,
        accompanied_by: v.accompanied_by,
    }
}

/// A room's visitors, newest first.
pub async fn list_room_visits(
    core: &Core,
    ctx: &Ctx,
    room: MachineRoomId,
) -> CoreResult<Vec<RoomVisit>> {
    let r = seen_room(core, ctx, room).await?;
    Ok(
        store::rooms::visits(&mut core.db.read(), r.community_id, room)
            .await?
            .into_iter()
            .map(visit_of)
            .collect(),
    )
}

/// Records a visitor of a room (needs `equipment.work`).
pub async fn add_room_visit(
    core: &Core,
    ctx: &Ctx,
    room: MachineRoomId,
    input: VisitForCreate,
) -> CoreResult<RoomVisit> {
    let r = seen_room(core, ctx, room).await?;
    ctx.require(Perm::EquipmentWork)?;
    let now = Utc::now();
    let mut c = Checks::new();
    let visitor = c.take(model::text("visitor", Some(&input.visitor), true, 50));
    let company = c.take(model::text("company", input.company.as_deref(), false, 100));
    let purpose = c.take(model::text("purpose", Some(&input.purpose), true, 200));
    let with = c.take(model::text(
        "accompanied_by",
        input.accompanied_by.as_deref(),
        false,
        50,
    ));
    let entered_at = input.entered_at.unwrap_or(now);
    if entered_at > now + Duration::minutes(5) {
        c.push(FieldError::new("entered_at", CommonCode::TimeInFuture));
    }
    if input.left_at.is_some_and(|l| l < entered_at) {
        c.push(FieldError::new("left_at", EquipmentCode::LeftBeforeEntered));
    }
    c.finish()?;
    let (visitor, company, purpose, with) = (
        visitor.flatten().unwrap_or_default(),
        company.flatten(),
        purpose.flatten().unwrap_or_default(),
        with.flatten(),
    );
    let mut tx = core.db.begin().await?;
    let id = store::rooms::insert_visit(
        &mut tx,
        r.community_id,
        room,
        &VisitFields {
            visitor: &visitor,
            company: company.as_deref(),
            purpose: &purpose,
            entered_at,
            left_at: input.left_at,
            accompanied_by: with.as_deref(),
        },
        ctx.actor(),
        now,
    )
    .await?;
    tx.commit().await?;
    visit(core, ctx, room, id).await
}

async fn visit(core: &Core, ctx: &Ctx, room: MachineRoomId, id: i64) -> CoreResult<RoomVisit> {
    list_room_visits(core, ctx, room)
        .await?
        .into_iter()
        .find(|v| v.id == id)
        .ok_or(CoreError::NotFound("room_visit"))
}

/// Records that a visitor left, now (needs `equipment.work`); a visit already closed: 409.
pub async fn visit_left(
    core: &Core,
    ctx: &Ctx,
    room: MachineRoomId,
    id: i64,
) -> CoreResult<RoomVisit> {
    let r = seen_room(core, ctx, room).await?;
    ctx.require(Perm::EquipmentWork)?;
    let mut tx = core.db.begin().await?;
    if store::rooms::visit_left(&mut tx, r.community_id, room, id, Utc::now()).await? == 0 {
        drop(tx);
        visit(core, ctx, room, id).await?;
        return Err(CoreError::conflict(
            "left_at",
            EquipmentCode::LeftBeforeEntered,
        ));
    }
    tx.commit().await?;
    visit(core, ctx, room, id).await
}

/// The community's CCTV systems (flagged below 7 days of footage).
pub async fn list_cctv(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Vec<Cctv>> {
    may_see(ctx, community)?;
    cctvs_of(&mut core.db.read(), community).await
}

async fn check_cctv(
    q: &mut impl Queries,
    community: CommunityId,
    input: &CctvForUpdate,
) -> CoreResult<(String, Option<NaiveDate>, Option<String>)> {
    let mut c = Checks::new();
    let name = c.take(model::text("name", Some(&input.name), true, 50));
    let notes = c.take(model::text("notes", input.notes.as_deref(), false, 500));
    let checked_on = c.take(model::date("checked_on", input.checked_on.as_deref()));
    if !(0..=3650).contains(&input.retention_days) {
        c.push(FieldError::new("retention_days", CommonCode::Invalid));
    }
    if !(0..=10_000).contains(&input.cameras) {
        c.push(FieldError::new("cameras", CommonCode::Invalid));
    }
    if let Some(room) = input.room_id
        && !store::rooms::rooms(q, community)
            .await?
            .iter()
            .any(|r| r.id == room)
    {
        c.push(FieldError::new("room_id", EquipmentCode::UnknownRoom));
    }
    c.finish()?;
    Ok((
        name.flatten().unwrap_or_default(),
        checked_on.flatten(),
        notes.flatten(),
    ))
}

/// Adds a CCTV system (needs `equipment.manage`).
pub async fn create_cctv(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: CctvForUpdate,
) -> CoreResult<Cctv> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let mut tx = core.db.begin().await?;
    let (name, checked_on, notes) = check_cctv(&mut tx, community, &input).await?;
    let f = CctvFields {
        name: &name,
        room_id: input.room_id,
        cameras: input.cameras,
        retention_days: input.retention_days,
        checked_on,
        notes: notes.as_deref(),
    };
    let id = store::rooms::insert_cctv(&mut tx, community, &f, Utc::now())
        .await
        .map_err(|e| e.or_conflict("name", EquipmentCode::DuplicateCctv))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "cctv", id.0)
            .community(community)
            .after(&serde_json::json!({ "name": name, "retention_days": input.retention_days })),
    )
    .await?;
    tx.commit().await?;
    get_cctv(core, ctx, id).await
}

pub async fn get_cctv(core: &Core, ctx: &Ctx, id: CctvId) -> CoreResult<Cctv> {
    let r = store::rooms::get_cctv(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("cctv"))?;
    may_see(ctx, r.community_id)?;
    Ok(cctv_of(r))
}

/// Edits a CCTV system, e.g. its retention after a check (needs `equipment.manage`).
pub async fn update_cctv(
    core: &Core,
    ctx: &Ctx,
    id: CctvId,
    input: CctvForUpdate,
) -> CoreResult<Cctv> {
    let before = get_cctv(core, ctx, id).await?;
    ctx.require(Perm::EquipmentManage)?;
    let c = before.community_id;
    let mut tx = core.db.begin().await?;
    let (name, checked_on, notes) = check_cctv(&mut tx, c, &input).await?;
    let f = CctvFields {
        name: &name,
        room_id: input.room_id,
        cameras: input.cameras,
        retention_days: input.retention_days,
        checked_on,
        notes: notes.as_deref(),
    };
    store::rooms::update_cctv(&mut tx, c, id, &f, Utc::now())
        .await
        .map_err(|e| e.or_conflict("name", EquipmentCode::DuplicateCctv))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "cctv", id.0)
            .community(c)
            .before(&serde_json::json!({ "name": before.name, "retention_days": before.retention_days }))
            .after(&serde_json::json!({ "name": name, "retention_days": input.retention_days })),
    )
    .await?;
    tx.commit().await?;
    get_cctv(core, ctx, id).await
}
