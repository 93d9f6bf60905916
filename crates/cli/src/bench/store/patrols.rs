//! Patrols (`wuye bench operations`): the labels' secrets a phone reads, a plan's latest rounds,
//! the scans stored, and a community's year of rounds walked — written server-side with
//! INSERT … SELECT in the shape the sync service writes them.

use chrono::{DateTime, Utc};
use wuye_core::shared::ids::{CommunityId, UserId};
use wuye_core::{Core, args};

use super::super::AnyResult;

type Ts = DateTime<Utc>;

/// Every checkpoint of `c` with its label's secret, as (id, secret).
pub(crate) async fn checkpoint_secrets(
    core: &Core,
    c: CommunityId,
) -> AnyResult<Vec<(i64, String)>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT id, secret FROM patrol_checkpoints WHERE community_id = $1 ORDER BY id",
            args![c],
        )
        .await?)
}

/// The `n` latest rounds of `plan` that began before `now`, newest first, as (id, starts_at).
pub(crate) async fn latest_rounds(
    core: &Core,
    c: CommunityId,
    plan: i64,
    now: Ts,
    n: i64,
) -> AnyResult<Vec<(i64, Ts)>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT id, starts_at FROM patrol_tasks WHERE community_id = $1 AND plan_id = $2 \
             AND starts_at <= $3 ORDER BY starts_at DESC LIMIT $4",
            args![c, plan, now, n],
        )
        .await?)
}

/// Scans stored for `c` (all communities with `None`).
pub(crate) async fn count_patrol_scans(core: &Core, c: Option<CommunityId>) -> AnyResult<i64> {
    match c {
        Some(c) => {
            super::count(
                core,
                "SELECT COUNT(*) FROM patrol_scans WHERE community_id = $1",
                args![c],
            )
            .await
        }
        None => super::count(core, "SELECT COUNT(*) FROM patrol_scans", args![]).await,
    }
}

/// Walks every round of `c` that ended before `before` and is still pending, as phones would
/// have: one round in 37 missed; the others done with each checkpoint of the route scanned
/// (one scan in 50 flagged abnormal) and each check item answered. Returns (rounds, scans).
pub(crate) async fn walk_rounds(
    core: &Core,
    c: CommunityId,
    by: UserId,
    before: Ts,
) -> AnyResult<(u64, u64)> {
    let mut tx = core.db.begin().await?;
    // The results go to the scans written here: those after the highest id before.
    let (last,): (i64,) = tx
        .fetch_one("SELECT COALESCE(MAX(id), 0) FROM patrol_scans", args![])
        .await?;
    let scans = tx
        .execute(
            "INSERT INTO patrol_scans (community_id, task_id, checkpoint_id, client_id, user_id, \
             method, label_ok, device_at, scanned_at, received_at, clock_skew_s, flags) \
             SELECT t.community_id, t.id, s.checkpoint_id, 'y-' || t.id || '-' || s.position, $2, \
             'qr', TRUE, t.starts_at, t.starts_at, t.ends_at, 0, \
             CASE WHEN (t.id + s.position) % 50 = 0 THEN 'abnormal' ELSE '' END \
             FROM patrol_tasks t JOIN patrol_route_stops s ON s.community_id = t.community_id \
             AND s.route_id = t.route_id \
             WHERE t.community_id = $1 AND t.ends_at < $3 AND t.state = 'pending' AND t.id % 37 <> 0",
            args![c, by, before],
        )
        .await?;
    tx.execute(
        "INSERT INTO patrol_results (community_id, scan_id, item_id, ok, value_milli, finding) \
         SELECT sc.community_id, sc.id, i.id, CASE WHEN i.kind = 'ok' THEN sc.flags = '' END, \
         CASE WHEN i.kind = 'number' THEN 450 END, i.kind = 'ok' AND sc.flags <> '' \
         FROM patrol_scans sc JOIN patrol_items i ON i.community_id = sc.community_id \
         AND i.checkpoint_id = sc.checkpoint_id \
         WHERE sc.community_id = $1 AND sc.id > $2",
        args![c, last],
    )
    .await?;
    let rounds = tx
        .execute(
            "UPDATE patrol_tasks SET \
             state = CASE WHEN id % 37 = 0 THEN 'missed' ELSE 'done' END, \
             scanned = CASE WHEN id % 37 = 0 THEN 0 ELSE checkpoints END, \
             flagged = CASE WHEN id % 37 = 0 THEN 0 ELSE (SELECT COUNT(*) FROM patrol_scans sc \
             WHERE sc.community_id = patrol_tasks.community_id AND sc.task_id = patrol_tasks.id \
             AND sc.flags <> '') END, \
             started_at = CASE WHEN id % 37 = 0 THEN NULL ELSE starts_at END, \
             finished_at = CASE WHEN id % 37 = 0 THEN NULL ELSE starts_at END, \
             missed_at = CASE WHEN id % 37 = 0 THEN ends_at END \
             WHERE community_id = $1 AND ends_at < $2 AND state = 'pending'",
            args![c, before],
        )
        .await?;
    tx.commit().await?;
    Ok((rounds, scans))
}
