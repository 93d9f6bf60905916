//! What an audit's evidence (品质核查) reads of equipment: the CCTV systems and their retention
//! (监控系统), and the machine rooms' logs and visitors (配电机房).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct CctvTally {
    pub systems: i64,
    pub cameras: i64,
    /// The shortest retention of any system (days); 0 without systems.
    pub min_retention: i64,
    /// Systems checked on or after the window's first day.
    pub checked: i64,
}

pub(crate) async fn cctv_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
) -> CoreResult<CctvTally> {
    q.fetch_one(
        "SELECT COUNT(*) AS systems, CAST(COALESCE(SUM(cameras), 0) AS BIGINT) AS cameras, \
         CAST(COALESCE(MIN(retention_days), 0) AS BIGINT) AS min_retention, \
         COALESCE(SUM(CASE WHEN checked_on >= $2 THEN 1 ELSE 0 END), 0) AS checked \
         FROM cctv_systems WHERE community_id = $1",
        args![c, from],
    )
    .await
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct RoomTally {
    pub rooms: i64,
    /// Log entries of the window, and those with a reading out of range.
    pub logs: i64,
    pub out_of_range: i64,
    /// Visitors recorded in the window.
    pub visits: i64,
}

pub(crate) async fn room_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<RoomTally> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM machine_rooms WHERE community_id = $1) AS rooms, \
         (SELECT COUNT(*) FROM machine_room_logs WHERE community_id = $1 AND logged_at >= $2 \
          AND logged_at < $3) AS logs, \
         (SELECT COUNT(*) FROM machine_room_logs WHERE community_id = $1 AND logged_at >= $2 \
          AND logged_at < $3 AND out_of_range = $4) AS out_of_range, \
         (SELECT COUNT(*) FROM machine_room_visits WHERE community_id = $1 AND entered_at >= $2 \
          AND entered_at < $3) AS visits",
        args![c, from, to, true],
    )
    .await
}
