//! SQL of a community's shift patterns.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A shift pattern as stored (times `HH:MM`, weekdays `"123456"`).
    pub(crate) struct ShiftRow {
        pub id: ShiftId,
        pub community_id: CommunityId,
        pub code: String,
        pub name: String,
        pub starts: String,
        pub ends: String,
        pub weekdays: String,
        pub season: String,
        pub team: String,
        pub min_staff: i64,
        pub active: bool,
    }
}

const COLS: &str =
    "id, community_id, code, name, starts, ends, weekdays, season, team, min_staff, active";

/// The community's patterns in their order (inactive ones too).
pub(crate) async fn list(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<ShiftRow>> {
    q.fetch_all(
        &format!("SELECT {COLS} FROM duty_shifts WHERE community_id = $1 ORDER BY position, id"),
        args![c],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: ShiftId) -> CoreResult<Option<ShiftRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM duty_shifts WHERE id = $1"),
        args![id],
    )
    .await
}

/// A pattern to write.
pub(crate) struct ShiftFields<'a> {
    pub code: &'a str,
    pub name: &'a str,
    pub starts: String,
    pub ends: String,
    pub weekdays: String,
    pub season: &'a str,
    pub team: &'a str,
    pub min_staff: i64,
    pub active: bool,
}

/// Adds a pattern at the end; none when its code exists already.
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    f: &ShiftFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<ShiftId>> {
    let row: Option<(ShiftId,)> = tx
        .fetch_optional(
            "INSERT INTO duty_shifts (community_id, code, name, starts, ends, weekdays, season, team, \
             min_staff, position, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
             $9, (SELECT COALESCE(MAX(position), 0) + 1 FROM duty_shifts WHERE community_id = $1), $10, $11, $11) \
             ON CONFLICT (community_id, code) DO NOTHING RETURNING id",
            args![
                c,
                f.code,
                f.name,
                f.starts.clone(),
                f.ends.clone(),
                f.weekdays.clone(),
                f.season,
                f.team,
                f.min_staff,
                f.active,
                now
            ],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Rewrites a pattern (its code stays: the roster keeps it).
pub(crate) async fn update(
    tx: &mut Tx,
    c: CommunityId,
    id: ShiftId,
    f: &ShiftFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE duty_shifts SET name = $1, starts = $2, ends = $3, weekdays = $4, season = $5, team = $6, \
         min_staff = $7, active = $8, updated_at = $9 WHERE community_id = $10 AND id = $11",
        args![
            f.name,
            f.starts.clone(),
            f.ends.clone(),
            f.weekdays.clone(),
            f.season,
            f.team,
            f.min_staff,
            f.active,
            now,
            c,
            id
        ],
    )
    .await
}

/// A shift for a picker (patrol plans choose the shift a round belongs to): code, name, start,
/// end (`HH:MM`, the end may be the next day), active patterns in their order.
// Called by the patrols module (built in parallel, merged by the lead).
#[allow(dead_code)]
pub(crate) async fn picker(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(String, String, String, String)>> {
    q.fetch_all(
        "SELECT code, name, starts, ends FROM duty_shifts WHERE community_id = $1 AND active = $2 \
         ORDER BY position, id",
        args![c, true],
    )
    .await
}
