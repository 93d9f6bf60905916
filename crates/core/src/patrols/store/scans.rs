//! SQL of what phones send: scans (each once, by the phone's id), item results, photos; what a
//! task's scans add up to; findings and the requests made of them.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Queries, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Rows per statement (at most 17 values a row).
const CHUNK: usize = 1000;

/// A scan to write.
pub(crate) struct NewScan {
    pub community: CommunityId,
    pub task: PatrolTaskId,
    pub checkpoint: CheckpointId,
    pub client_id: String,
    pub user: Option<UserId>,
    pub method: &'static str,
    pub label_ok: bool,
    pub device_at: DateTime<Utc>,
    pub scanned_at: DateTime<Utc>,
    pub received_at: DateTime<Utc>,
    pub clock_skew_s: i64,
    pub lat_micro: Option<i64>,
    pub lng_micro: Option<i64>,
    pub accuracy_m: Option<i64>,
    pub distance_m: Option<i64>,
    pub flags: String,
    pub note: Option<String>,
}

/// Writes the scans not recorded before; returns the new ones as (id, client id).
pub(crate) async fn insert_scans(
    tx: &mut Tx,
    scans: &[NewScan],
) -> CoreResult<Vec<(ScanId, String)>> {
    let mut out = Vec::new();
    for chunk in scans.chunks(CHUNK) {
        let mut b = Bulk::with_capacity(chunk.len(), 17);
        for s in chunk {
            b.row([
                Value::from(s.community),
                Value::from(s.task),
                Value::from(s.checkpoint),
                Value::from(s.client_id.clone()),
                Value::from(s.user),
                Value::from(s.method),
                Value::from(s.label_ok),
                Value::from(s.device_at),
                Value::from(s.scanned_at),
                Value::from(s.received_at),
                Value::from(s.clock_skew_s),
                Value::from(s.lat_micro),
                Value::from(s.lng_micro),
                Value::from(s.accuracy_m),
                Value::from(s.distance_m),
                Value::from(s.flags.clone()),
                Value::from(s.note.clone()),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO patrol_scans (community_id, task_id, checkpoint_id, client_id, user_id, \
             method, label_ok, device_at, scanned_at, received_at, clock_skew_s, lat_micro, \
             lng_micro, accuracy_m, distance_m, flags, note)",
            " ON CONFLICT (community_id, client_id) DO NOTHING RETURNING id, client_id",
        );
        let rows: Vec<(ScanId, String)> = tx.fetch_all(&sql, a).await?;
        out.extend(rows);
    }
    Ok(out)
}

/// An item result to write.
pub(crate) struct NewResult {
    pub community: CommunityId,
    pub scan: ScanId,
    pub item: PatrolItemId,
    pub ok: Option<bool>,
    pub value_milli: Option<i64>,
    pub choice: Option<String>,
    pub text: Option<String>,
    pub photo_client_id: Option<String>,
    pub finding: bool,
}

pub(crate) async fn insert_results(tx: &mut Tx, rows: &[NewResult]) -> CoreResult<()> {
    for chunk in rows.chunks(CHUNK) {
        let mut b = Bulk::with_capacity(chunk.len(), 9);
        for r in chunk {
            b.row([
                Value::from(r.community),
                Value::from(r.scan),
                Value::from(r.item),
                Value::from(r.ok),
                Value::from(r.value_milli),
                Value::from(r.choice.clone()),
                Value::from(r.text.clone()),
                Value::from(r.photo_client_id.clone()),
                Value::from(r.finding),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO patrol_results (community_id, scan_id, item_id, ok, value_milli, choice, \
             text, photo_client_id, finding)",
            "",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// The checkpoints scanned on a task: (checkpoint, first scan time, whether any scan of it was
/// flagged), with the task's latest scan time.
pub(crate) async fn task_tally(
    tx: &mut Tx,
    c: CommunityId,
    task: PatrolTaskId,
) -> CoreResult<Vec<(CheckpointId, DateTime<Utc>, DateTime<Utc>, i64)>> {
    tx.fetch_all(
        "SELECT checkpoint_id, MIN(scanned_at), MAX(scanned_at), \
         CAST(SUM(CASE WHEN flags = '' THEN 0 ELSE 1 END) AS BIGINT) \
         FROM patrol_scans WHERE community_id = $1 AND task_id = $2 GROUP BY checkpoint_id",
        args![c, task],
    )
    .await
}

crate::row! {
    /// A scan as stored, with the checkpoint's and the walker's names.
    pub(crate) struct ScanRow {
        pub id: ScanId,
        pub checkpoint_id: CheckpointId,
        pub checkpoint_name: String,
        pub user_id: Option<UserId>,
        pub method: String,
        pub label_ok: bool,
        pub device_at: DateTime<Utc>,
        pub scanned_at: DateTime<Utc>,
        pub received_at: DateTime<Utc>,
        pub clock_skew_s: i64,
        pub distance_m: Option<i64>,
        pub flags: String,
        pub note: Option<String>,
    }
}

const SCAN_COLS: &str = "s.id, s.checkpoint_id, k.name AS checkpoint_name, s.user_id, s.method, s.label_ok, s.device_at, s.scanned_at, s.received_at, \
     s.clock_skew_s, s.distance_m, s.flags, s.note";

/// The scans of a task, in the order they were made.
pub(crate) async fn scans_of_task(
    q: &mut impl Queries,
    c: CommunityId,
    task: PatrolTaskId,
) -> CoreResult<Vec<ScanRow>> {
    q.fetch_all(
        &format!(
            "SELECT {SCAN_COLS} FROM patrol_scans s JOIN patrol_checkpoints k \
             ON k.community_id = s.community_id AND k.id = s.checkpoint_id \
             WHERE s.community_id = $1 AND s.task_id = $2 ORDER BY s.scanned_at, s.id"
        ),
        args![c, task],
    )
    .await
}

crate::row! {
    /// An item result with its item's label and kind.
    pub(crate) struct ResultRow {
        pub id: PatrolResultId,
        pub scan_id: ScanId,
        pub item_id: PatrolItemId,
        pub label: String,
        pub kind: String,
        pub unit: Option<String>,
        pub ok: Option<bool>,
        pub value_milli: Option<i64>,
        pub choice: Option<String>,
        pub text: Option<String>,
        pub photo_client_id: Option<String>,
        pub finding: bool,
        pub request_id: Option<RequestId>,
    }
}

const RESULT_COLS: &str = "r.id, r.scan_id, r.item_id, i.label, i.kind, i.unit, r.ok, \
     r.value_milli, r.choice, r.text, r.photo_client_id, r.finding, r.request_id";

const RESULT_FROM: &str = "patrol_results r JOIN patrol_items i \
     ON i.community_id = r.community_id AND i.id = r.item_id";

/// The results of these scans.
pub(crate) async fn results_of_scans(
    q: &mut impl Queries,
    c: CommunityId,
    scans: &[i64],
) -> CoreResult<Vec<ResultRow>> {
    if scans.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = crate::db::in_list(&mut a, "r.scan_id", scans);
    q.fetch_all(
        &format!(
            "SELECT {RESULT_COLS} FROM {RESULT_FROM} WHERE r.community_id = $1 AND {cond} \
             ORDER BY r.scan_id, i.position"
        ),
        a,
    )
    .await
}

crate::row! {
    /// A finding with where and when it was made.
    pub(crate) struct FindingRow {
        pub id: PatrolResultId,
        pub community_id: CommunityId,
        pub label: String,
        pub kind: String,
        pub unit: Option<String>,
        pub ok: Option<bool>,
        pub value_milli: Option<i64>,
        pub choice: Option<String>,
        pub text: Option<String>,
        pub photo_client_id: Option<String>,
        pub request_id: Option<RequestId>,
        pub task_id: PatrolTaskId,
        pub checkpoint_id: CheckpointId,
        pub checkpoint_name: String,
        pub location: Option<String>,
        pub scanned_at: DateTime<Utc>,
    }
}

const FINDING_COLS: &str = "r.id, r.community_id, i.label, i.kind, i.unit, r.ok, r.value_milli, \
     r.choice, r.text, r.photo_client_id, r.request_id, s.task_id, s.checkpoint_id, \
     k.name AS checkpoint_name, k.location, s.scanned_at";

const FINDING_FROM: &str = "patrol_results r \
     JOIN patrol_items i ON i.community_id = r.community_id AND i.id = r.item_id \
     JOIN patrol_scans s ON s.community_id = r.community_id AND s.id = r.scan_id \
     JOIN patrol_checkpoints k ON k.community_id = s.community_id AND k.id = s.checkpoint_id";

pub(crate) async fn finding(
    q: &mut impl Queries,
    c: CommunityId,
    id: PatrolResultId,
) -> CoreResult<Option<FindingRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE r.community_id = $1 AND r.id = $2 \
             AND r.finding = $3"
        ),
        args![c, id, true],
    )
    .await
}

/// A community's findings, newest first (`open`: those with no request yet).
pub(crate) async fn findings(
    q: &mut impl Queries,
    c: CommunityId,
    open: bool,
    limit: i64,
) -> CoreResult<Vec<FindingRow>> {
    let only_open = if open {
        " AND r.request_id IS NULL".to_string()
    } else {
        String::new()
    };
    q.fetch_all(
        &format!(
            "SELECT {FINDING_COLS} FROM {FINDING_FROM} WHERE r.community_id = $1 \
             AND r.finding = $2{only_open} ORDER BY r.id DESC LIMIT $3"
        ),
        args![c, true, limit],
    )
    .await
}

/// Links a finding to its request, once (0 rows: it has one already).
pub(crate) async fn set_request(
    tx: &mut Tx,
    c: CommunityId,
    id: PatrolResultId,
    request: RequestId,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE patrol_results SET request_id = $1 WHERE community_id = $2 AND id = $3 \
         AND request_id IS NULL",
        args![request, c, id],
    )
    .await
}

/// A photo's row.
pub(crate) struct NewPhoto<'a> {
    pub community: CommunityId,
    pub task: PatrolTaskId,
    pub client_id: &'a str,
    pub user: Option<UserId>,
    pub content_type: &'a str,
    pub size: i64,
}

/// Writes a photo's row unless the phone sent it before; its id when new.
pub(crate) async fn insert_photo(
    tx: &mut Tx,
    p: &NewPhoto<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    tx.fetch_optional::<(i64,)>(
        "INSERT INTO patrol_photos (community_id, task_id, client_id, user_id, content_type, \
         size, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (community_id, client_id) DO NOTHING RETURNING id",
        args![
            p.community,
            p.task,
            p.client_id,
            p.user,
            p.content_type,
            p.size,
            now
        ],
    )
    .await
    .map(|r| r.map(|(id,)| id))
}

/// A photo's content type and task, by the phone's id.
pub(crate) async fn photo(
    q: &mut impl Queries,
    c: CommunityId,
    client_id: &str,
) -> CoreResult<Option<(String, PatrolTaskId)>> {
    q.fetch_optional(
        "SELECT content_type, task_id FROM patrol_photos WHERE community_id = $1 AND client_id = $2",
        args![c, client_id],
    )
    .await
}

/// Scans already recorded under these phone ids (a retried sync): (client id, task).
pub(crate) async fn known_scans(
    q: &mut impl Queries,
    c: CommunityId,
    client_ids: &[String],
) -> CoreResult<Vec<(String, PatrolTaskId)>> {
    if client_ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let list: Vec<String> = client_ids.iter().map(|id| a.push(id.clone())).collect();
    q.fetch_all(
        &format!(
            "SELECT client_id, task_id FROM patrol_scans WHERE community_id = $1 \
             AND client_id IN ({})",
            list.join(", ")
        ),
        a,
    )
    .await
}
