//! SQL of machine rooms: the rooms, their run and duty log entries, their visitors, and the CCTV
//! systems with their footage retention.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A machine room.
    pub(crate) struct RoomRow {
        pub id: MachineRoomId,
        pub community_id: CommunityId,
        pub kind: String,
        pub name: String,
        pub location: Option<String>,
    }
}

pub(crate) async fn insert_room(
    tx: &mut Tx,
    community: CommunityId,
    kind: &str,
    name: &str,
    location: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<MachineRoomId> {
    Ok(MachineRoomId(
        tx.insert_id(
            "INSERT INTO machine_rooms (community_id, kind, name, location, created_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
            args![community, kind, name, location, now],
        )
        .await?,
    ))
}

pub(crate) async fn rooms(
    q: &mut impl Queries,
    community: CommunityId,
) -> CoreResult<Vec<RoomRow>> {
    q.fetch_all(
        "SELECT id, community_id, kind, name, location FROM machine_rooms \
         WHERE community_id = $1 ORDER BY kind, name",
        args![community],
    )
    .await
}

pub(crate) async fn get_room(
    q: &mut impl Queries,
    id: MachineRoomId,
) -> CoreResult<Option<RoomRow>> {
    q.fetch_optional(
        "SELECT id, community_id, kind, name, location FROM machine_rooms WHERE id = $1",
        args![id],
    )
    .await
}

crate::row! {
    /// A run or duty log entry of a room.
    pub(crate) struct LogRow {
        pub id: i64,
        pub room_id: MachineRoomId,
        pub logged_at: DateTime<Utc>,
        pub on_duty: String,
        pub readings: String,
        pub out_of_range: bool,
        pub remarks: Option<String>,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_log(
    tx: &mut Tx,
    community: CommunityId,
    room: MachineRoomId,
    at: DateTime<Utc>,
    on_duty: &str,
    readings: &str,
    out_of_range: bool,
    remarks: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO machine_room_logs (community_id, room_id, logged_at, on_duty, readings, \
         out_of_range, remarks, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![
            community,
            room,
            at,
            on_duty,
            readings,
            out_of_range,
            remarks,
            by,
            now
        ],
    )
    .await
}

/// A room's latest log entries, newest first.
pub(crate) async fn logs(
    q: &mut impl Queries,
    community: CommunityId,
    room: MachineRoomId,
) -> CoreResult<Vec<LogRow>> {
    q.fetch_all(
        "SELECT id, room_id, logged_at, on_duty, readings, out_of_range, remarks \
         FROM machine_room_logs WHERE community_id = $1 AND room_id = $2 \
         ORDER BY logged_at DESC, id DESC LIMIT 200",
        args![community, room],
    )
    .await
}

crate::row! {
    /// A visit to a room.
    pub(crate) struct VisitRow {
        pub id: i64,
        pub room_id: MachineRoomId,
        pub visitor: String,
        pub company: Option<String>,
        pub purpose: String,
        pub entered_at: DateTime<Utc>,
        pub left_at: Option<DateTime<Utc>>,
        pub accompanied_by: Option<String>,
    }
}

/// A visit to write.
pub(crate) struct VisitFields<'a> {
    pub visitor: &'a str,
    pub company: Option<&'a str>,
    pub purpose: &'a str,
    pub entered_at: DateTime<Utc>,
    pub left_at: Option<DateTime<Utc>>,
    pub accompanied_by: Option<&'a str>,
}

pub(crate) async fn insert_visit(
    tx: &mut Tx,
    community: CommunityId,
    room: MachineRoomId,
    v: &VisitFields<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO machine_room_visits (community_id, room_id, visitor, company, purpose, \
         entered_at, left_at, accompanied_by, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        args![
            community,
            room,
            v.visitor,
            v.company,
            v.purpose,
            v.entered_at,
            v.left_at,
            v.accompanied_by,
            by,
            now
        ],
    )
    .await
}

/// Records when a visitor left (once).
pub(crate) async fn visit_left(
    tx: &mut Tx,
    community: CommunityId,
    room: MachineRoomId,
    id: i64,
    at: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE machine_room_visits SET left_at = $1 WHERE community_id = $2 AND room_id = $3 \
         AND id = $4 AND left_at IS NULL AND entered_at <= $1",
        args![at, community, room, id],
    )
    .await
}

pub(crate) async fn visits(
    q: &mut impl Queries,
    community: CommunityId,
    room: MachineRoomId,
) -> CoreResult<Vec<VisitRow>> {
    q.fetch_all(
        "SELECT id, room_id, visitor, company, purpose, entered_at, left_at, accompanied_by \
         FROM machine_room_visits WHERE community_id = $1 AND room_id = $2 \
         ORDER BY entered_at DESC, id DESC LIMIT 200",
        args![community, room],
    )
    .await
}

crate::row! {
    /// A CCTV system.
    pub(crate) struct CctvRow {
        pub id: CctvId,
        pub community_id: CommunityId,
        pub name: String,
        pub room_id: Option<MachineRoomId>,
        pub cameras: i64,
        pub retention_days: i64,
        pub checked_on: Option<NaiveDate>,
        pub notes: Option<String>,
    }
}

const CCTV_COLS: &str =
    "id, community_id, name, room_id, cameras, retention_days, checked_on, notes";

/// A CCTV system to write.
pub(crate) struct CctvFields<'a> {
    pub name: &'a str,
    pub room_id: Option<MachineRoomId>,
    pub cameras: i64,
    pub retention_days: i64,
    pub checked_on: Option<NaiveDate>,
    pub notes: Option<&'a str>,
}

pub(crate) async fn insert_cctv(
    tx: &mut Tx,
    community: CommunityId,
    f: &CctvFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<CctvId> {
    Ok(CctvId(
        tx.insert_id(
            "INSERT INTO cctv_systems (community_id, name, room_id, cameras, retention_days, \
             checked_on, notes, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            args![
                community,
                f.name,
                f.room_id,
                f.cameras,
                f.retention_days,
                f.checked_on,
                f.notes,
                now
            ],
        )
        .await?,
    ))
}

pub(crate) async fn update_cctv(
    tx: &mut Tx,
    community: CommunityId,
    id: CctvId,
    f: &CctvFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE cctv_systems SET name = $1, room_id = $2, cameras = $3, retention_days = $4, \
         checked_on = $5, notes = $6, updated_at = $7 WHERE community_id = $8 AND id = $9",
        args![
            f.name,
            f.room_id,
            f.cameras,
            f.retention_days,
            f.checked_on,
            f.notes,
            now,
            community,
            id
        ],
    )
    .await
}

pub(crate) async fn cctvs(
    q: &mut impl Queries,
    community: CommunityId,
) -> CoreResult<Vec<CctvRow>> {
    q.fetch_all(
        &format!("SELECT {CCTV_COLS} FROM cctv_systems WHERE community_id = $1 ORDER BY name"),
        args![community],
    )
    .await
}

pub(crate) async fn get_cctv(q: &mut impl Queries, id: CctvId) -> CoreResult<Option<CctvRow>> {
    q.fetch_optional(
        &format!("SELECT {CCTV_COLS} FROM cctv_systems WHERE id = $1"),
        args![id],
    )
    .await
}
