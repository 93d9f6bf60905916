//! What phones send: batches of scans made with or without signal, each recorded once by the
//! phone's own id however often the sync is retried; photos; and a finding turned into a
//! request. The server judges the evidence and flags — never refuses — what a guard did in the
//! field: a stale label, a phone clock far from the server's, a scan far from the checkpoint,
//! out of the task's window or of the route's order, an abnormal result or a reading out of
//! its limits, a required item left empty. It refuses only what cannot be a real scan: an
//! unreadable label, a checkpoint not on the task, a task not the person's, a device time that
//! is no time, results for items the checkpoint never had.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::patrols::error::PatrolCode;
use crate::patrols::model::{self, CheckKind, ScanMethod, TaskState};
use crate::patrols::store::scans::{self as store, NewResult, NewScan};
use crate::patrols::store::setup::{self as setup_store, CheckpointRow, ItemRow};
use crate::patrols::store::tasks::{self as task_store, Progress, TaskRow};
use crate::shared::error::{CommonCode, CoreError, CoreResult, ErrorCode, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// Scans one sync may carry.
pub const MAX_SCANS_PER_SYNC: usize = 500;

/// One item's result at a scan.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ResultForSync {
    pub item_id: PatrolItemId,
    /// Normal (true) or abnormal (false), for an ok item.
    #[serde(default)]
    pub ok: Option<bool>,
    /// A number as typed ("0.35").
    #[serde(default)]
    pub value: Option<String>,
    /// The option chosen.
    #[serde(default)]
    pub choice: Option<String>,
    #[serde(default)]
    pub text: Option<String>,
    /// The phone's id of a photo sent to `/patrol/photos`.
    #[serde(default)]
    pub photo_client_id: Option<String>,
}

/// A checkpoint reached, as the phone recorded it.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ScanForSync {
    /// The phone's id of this record (8–64 letters, digits, `-`, `_`): a retried sync
    /// records it once.
    pub client_id: String,
    pub task_id: PatrolTaskId,
    pub method: ScanMethod,
    /// What the label says (`WYP:<checkpoint>:<secret>`), scanned or typed.
    #[serde(default)]
    pub code: Option<String>,
    /// The NFC tag's id, for an NFC scan.
    #[serde(default)]
    pub nfc_tag: Option<String>,
    /// The phone's clock at the scan.
    pub device_at: DateTime<Utc>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
    #[serde(default)]
    pub accuracy_m: Option<f64>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub results: Vec<ResultForSync>,
}

/// A batch of scans.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SyncBatch {
    /// The phone's clock when it sent the batch: its offset to the server's clock corrects
    /// the scans' times.
    pub sent_at: DateTime<Utc>,
    pub scans: Vec<ScanForSync>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SyncStatus {
    /// Recorded now.
    Recorded,
    /// Recorded by an earlier sync: nothing written.
    Duplicate,
    /// Not a scan the server can record (see `error`); the phone drops it.
    Rejected,
}

/// Why a scan was rejected: the field (`scans[3].code`) and the code.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncError {
    pub field: String,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncOutcome {
    pub client_id: String,
    pub status: SyncStatus,
    pub scan_id: Option<ScanId>,
    /// What the server flagged: stale_label, skew, far, out_of_window, out_of_order,
    /// abnormal, out_of_limits, incomplete.
    pub flags: Vec<String>,
    pub error: Option<SyncError>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SyncReport {
    pub received_at: DateTime<Utc>,
    /// The phone's clock minus the server's, in seconds.
    pub clock_skew_s: i64,
    /// One per scan sent, in the order sent.
    pub outcomes: Vec<SyncOutcome>,
}

pub(super) fn valid_client_id(s: &str) -> bool {
    (8..=64).contains(&s.len())
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn reject(client_id: &str, field: String, code: impl ErrorCode) -> SyncOutcome {
    SyncOutcome {
        client_id: client_id.to_string(),
        status: SyncStatus::Rejected,
        scan_id: None,
        flags: Vec::new(),
        error: Some(SyncError {
            field,
            code: code.as_str().to_string(),
        }),
    }
}

/// A scan that passed the checks, waiting for its row.
struct Accepted {
    index: usize,
    scan: NewScan,
    results: Vec<NewResult>,
    flags: Vec<String>,
}

/// What one result says: the row, and its flags.
fn judge_result(
    item: &ItemRow,
    r: &ResultForSync,
    field: &str,
) -> Result<(NewResult, Vec<&'static str>), FieldError> {
    let kind = CheckKind::from_stored(&item.kind)
        .map_err(|_| FieldError::new(format!("{field}.item_id"), PatrolCode::UnknownItem))?;
    let mut flags = Vec::new();
    let mut row = NewResult {
        community: CommunityId(0),
        scan: ScanId(0),
        item: item.id,
        ok: None,
        value_milli: None,
        choice: None,
        text: r
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| t.chars().take(500).collect()),
        photo_client_id: r.photo_client_id.clone().filter(|p| valid_client_id(p)),
        finding: false,
    };
    match kind {
        CheckKind::Ok => {
            row.ok = r.ok;
            if r.ok == Some(false) {
                row.finding = true;
                flags.push("abnormal");
            }
        }
        CheckKind::Number => {
            if let Some(v) = r.value.as_deref().map(str::trim).filter(|v| !v.is_empty()) {
                let v = model::parse_milli(v).ok_or_else(|| {
                    FieldError::new(format!("{field}.value"), PatrolCode::NumberInvalid)
                })?;
                row.value_milli = Some(v);
                if model::out_of_limits(v, item.min_milli, item.max_milli) {
                    row.finding = true;
                    flags.push("out_of_limits");
                }
            }
        }
        CheckKind::Choice => {
            if let Some(c) = r.choice.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
                let options = model::option_lines(item.options.as_deref());
                if !options.iter().any(|o| o == c) {
                    return Err(FieldError::new(
                        format!("{field}.choice"),
                        PatrolCode::ChoiceInvalid,
                    ));
                }
                if model::option_lines(item.abnormal_options.as_deref())
                    .iter()
                    .any(|o| o == c)
                {
                    row.finding = true;
                    flags.push("abnormal");
                }
                row.choice = Some(c.to_string());
            }
        }
        CheckKind::Text | CheckKind::Photo => {}
    }
    Ok((row, flags))
}

fn answered(kind: &str, r: &NewResult) -> bool {
    match kind {
        "ok" => r.ok.is_some(),
        "number" => r.value_milli.is_some(),
        "choice" => r.choice.is_some(),
        "text" => r.text.is_some(),
        "photo" => r.photo_client_id.is_some(),
        _ => false,
    }
}

/// Records a batch of scans from the acting person's phone.
pub async fn sync_scans(core: &Core, ctx: &Ctx, batch: SyncBatch) -> CoreResult<SyncReport> {
    ctx.require(Perm::PatrolsWalk)?;
    if batch.scans.len() > MAX_SCANS_PER_SYNC {
        return Err(CoreError::Invalid(vec![
            FieldError::new("scans", PatrolCode::TooManyScans).with("max", MAX_SCANS_PER_SYNC),
        ]));
    }
    let now = Utc::now();
    let skew = (batch.sent_at - now).num_seconds();
    let mut outcomes: Vec<Option<SyncOutcome>> = vec![None; batch.scans.len()];
    if batch.scans.is_empty() {
        return Ok(SyncReport {
            received_at: now,
            clock_skew_s: skew,
            outcomes: Vec::new(),
        });
    }
    // The tasks, only in the communities the person reaches.
    let reach = ctx
        .community_ids()
        .map(|cs| cs.into_iter().map(|c| c.0).collect::<Vec<_>>());
    let task_ids: Vec<i64> = batch
        .scans
        .iter()
        .map(|s| s.task_id.0)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut q = core.db.read();
    let tasks: HashMap<PatrolTaskId, TaskRow> =
        task_store::tasks_by_id(&mut q, reach.as_deref(), &task_ids)
            .await?
            .into_iter()
            .map(|t| (t.id, t))
            .collect();
    let communities: BTreeSet<CommunityId> = tasks.values().map(|t| t.community_id).collect();
    let manager = ctx.has(Perm::PatrolsManage);
    let mut stops: HashMap<RouteId, Vec<CheckpointId>> = HashMap::new();
    let mut checkpoints: HashMap<CheckpointId, (CommunityId, CheckpointRow)> = HashMap::new();
    let mut by_tag: HashMap<(CommunityId, String), CheckpointId> = HashMap::new();
    let mut items: HashMap<CheckpointId, Vec<ItemRow>> = HashMap::new();
    let mut known: HashSet<(CommunityId, String)> = HashSet::new();
    for &c in &communities {
        let mine: Vec<&TaskRow> = tasks.values().filter(|t| t.community_id == c).collect();
        let routes: Vec<i64> = mine.iter().map(|t| t.route_id.0).collect();
        for (r, _, k) in setup_store::stops(&mut q, c, &routes).await? {
            stops.entry(r).or_default().push(k);
        }
        let cp_ids: Vec<i64> = mine
            .iter()
            .flat_map(|t| stops.get(&t.route_id).into_iter().flatten())
            .map(|k| k.0)
            .collect();
        for k in setup_store::checkpoints(&mut q, c, Some(&cp_ids)).await? {
            if let Some(tag) = &k.nfc_tag {
                by_tag.insert((c, tag.clone()), k.id);
            }
            checkpoints.insert(k.id, (c, k));
        }
        for i in setup_store::items_any(&mut q, c, &cp_ids).await? {
            items.entry(i.checkpoint_id).or_default().push(i);
        }
        let client_ids: Vec<String> = batch
            .scans
            .iter()
            .filter(|s| tasks.get(&s.task_id).is_some_and(|t| t.community_id == c))
            .map(|s| s.client_id.clone())
            .collect();
        for (cid, _) in store::known_scans(&mut q, c, &client_ids).await? {
            known.insert((c, cid));
        }
    }
    let mut accepted: Vec<Accepted> = Vec::new();
    // The checkpoints each task has in this batch or before, for the order check.
    let mut seen: HashMap<PatrolTaskId, HashSet<CheckpointId>> = HashMap::new();
    let mut order: Vec<usize> = (0..batch.scans.len()).collect();
    order.sort_by_key(|&i| batch.scans[i].device_at);
    let mut batch_ids: HashSet<&str> = HashSet::new();
    for i in order {
        let s = &batch.scans[i];
        let f = |name: &str| format!("scans[{i}].{name}");
        if !valid_client_id(&s.client_id) {
            outcomes[i] = Some(reject(&s.client_id, f("client_id"), CommonCode::Invalid));
            continue;
        }
        let Some(task) = tasks.get(&s.task_id) else {
            outcomes[i] = Some(reject(&s.client_id, f("task_id"), PatrolCode::NotYourTask));
            continue;
        };
        let c = task.community_id;
        if known.contains(&(c, s.client_id.clone())) || !batch_ids.insert(&s.client_id) {
            outcomes[i] = Some(SyncOutcome {
                client_id: s.client_id.clone(),
                status: SyncStatus::Duplicate,
                scan_id: None,
                flags: Vec::new(),
                error: None,
            });
            continue;
        }
        let walkers = task_store::walkers_of(&task.walkers);
        if !manager && !walkers.is_empty() && !walkers.contains(&ctx.user_id) {
            outcomes[i] = Some(reject(&s.client_id, f("task_id"), PatrolCode::NotYourTask));
            continue;
        }
        let scanned_at = s.device_at - Duration::seconds(skew);
        if scanned_at < now - Duration::days(7) || scanned_at > now + Duration::minutes(10) {
            outcomes[i] = Some(reject(
                &s.client_id,
                f("device_at"),
                PatrolCode::BadDeviceTime,
            ));
            continue;
        }
        // Which checkpoint: the label's code, or the NFC tag.
        let (checkpoint, label_ok) = match s.method {
            ScanMethod::Nfc => match s
                .nfc_tag
                .as_deref()
                .and_then(|t| by_tag.get(&(c, t.trim().to_string())))
            {
                Some(k) => (*k, true),
                None => {
                    outcomes[i] = Some(reject(
                        &s.client_id,
                        f("nfc_tag"),
                        PatrolCode::CheckpointNotOnTask,
                    ));
                    continue;
                }
            },
            ScanMethod::Qr | ScanMethod::Code => {
                match s.code.as_deref().and_then(model::parse_label_code) {
                    Some((id, secret)) => {
                        let k = CheckpointId(id);
                        let ok = checkpoints
                            .get(&k)
                            .is_some_and(|(_, row)| row.secret == secret);
                        (k, ok)
                    }
                    None => {
                        outcomes[i] =
                            Some(reject(&s.client_id, f("code"), PatrolCode::LabelUnreadable));
                        continue;
                    }
                }
            }
        };
        let route = stops.get(&task.route_id).map(Vec::as_slice).unwrap_or(&[]);
        let Some((_, cp)) = checkpoints
            .get(&checkpoint)
            .filter(|_| route.contains(&checkpoint))
        else {
            let field = if s.method == ScanMethod::Nfc {
                "nfc_tag"
            } else {
                "code"
            };
            outcomes[i] = Some(reject(
                &s.client_id,
                f(field),
                PatrolCode::CheckpointNotOnTask,
            ));
            continue;
        };
        let mut flags: Vec<String> = Vec::new();
        if !label_ok {
            flags.push("stale_label".into());
        }
        if skew.abs() > model::MAX_CLOCK_SKEW_S {
            flags.push("skew".into());
        }
        if scanned_at < task.starts_at || scanned_at >= task.ends_at {
            flags.push("out_of_window".into());
        }
        let position = match (s.lat, s.lng) {
            (Some(lat), Some(lng))
                if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) =>
            {
                Some(((lat * 1e6).round() as i64, (lng * 1e6).round() as i64))
            }
            _ => None,
        };
        let accuracy = s
            .accuracy_m
            .filter(|a| a.is_finite() && *a >= 0.0)
            .map(|a| a.round().min(1e6) as i64);
        let distance = match (position, cp.lat_micro, cp.lng_micro) {
            (Some(p), Some(la), Some(ln)) => Some(model::distance_m(p, (la, ln))),
            _ => None,
        };
        if let Some(d) = distance
            && d > cp.radius_m + accuracy.unwrap_or(0).min(100)
        {
            flags.push("far".into());
        }
        let done = seen.entry(task.id).or_default();
        if task.ordered {
            let pos = route.iter().position(|k| *k == checkpoint).unwrap_or(0);
            if route[..pos].iter().any(|k| !done.contains(k)) && !done.is_empty()
                || pos > 0 && done.is_empty()
            {
                flags.push("out_of_order".into());
            }
        }
        // Item results.
        let own = items.get(&checkpoint).map(Vec::as_slice).unwrap_or(&[]);
        let mut results = Vec::new();
        let mut bad = None;
        let mut given = HashSet::new();
        for (j, r) in s.results.iter().enumerate() {
            let field = f(&format!("results[{j}]"));
            let Some(item) = own.iter().find(|it| it.id == r.item_id) else {
                bad = Some(FieldError::new(
                    format!("{field}.item_id"),
                    PatrolCode::UnknownItem,
                ));
                break;
            };
            if !given.insert(item.id) {
                continue;
            }
            match judge_result(item, r, &field) {
                Ok((mut row, fl)) => {
                    row.community = c;
                    for x in fl {
                        if !flags.iter().any(|y| y == x) {
                            flags.push(x.to_string());
                        }
                    }
                    results.push(row);
                }
                Err(e) => {
                    bad = Some(e);
                    break;
                }
            }
        }
        if let Some(e) = bad {
            outcomes[i] = Some(SyncOutcome {
                error: Some(SyncError {
                    field: e.field,
                    code: e.code.to_string(),
                }),
                ..reject(&s.client_id, String::new(), CommonCode::Invalid)
            });
            continue;
        }
        let incomplete = own
            .iter()
            .filter(|it| it.position >= 0 && it.required)
            .any(|it| {
                !results
                    .iter()
                    .any(|r| r.item == it.id && answered(&it.kind, r))
            });
        if incomplete {
            flags.push("incomplete".into());
        }
        done.insert(checkpoint);
        accepted.push(Accepted {
            index: i,
            scan: NewScan {
                community: c,
                task: task.id,
                checkpoint,
                client_id: s.client_id.clone(),
                user: ctx.actor(),
                method: s.method.code(),
                label_ok,
                device_at: s.device_at,
                scanned_at,
                received_at: now,
                clock_skew_s: skew,
                lat_micro: position.map(|p| p.0),
                lng_micro: position.map(|p| p.1),
                accuracy_m: accuracy,
                distance_m: distance,
                flags: flags.join(","),
                note: s
                    .note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(|n| n.chars().take(500).collect()),
            },
            results,
            flags,
        });
    }
    drop(q);
    if !accepted.is_empty() {
        let mut tx = core.db.begin().await?;
        let scans: Vec<NewScan> = accepted.iter().map(|a| clone_scan(&a.scan)).collect();
        let written: HashMap<String, ScanId> = store::insert_scans(&mut tx, &scans)
            .await?
            .into_iter()
            .map(|(id, cid)| (cid, id))
            .collect();
        let mut rows = Vec::new();
        let mut readings = Vec::new();
        let mut touched: BTreeSet<(CommunityId, PatrolTaskId)> = BTreeSet::new();
        for a in &mut accepted {
            let i = a.index;
            match written.get(&a.scan.client_id) {
                Some(id) => {
                    for mut r in std::mem::take(&mut a.results) {
                        r.scan = *id;
                        if let (Some(v), Some((e, meter))) =
                            (r.value_milli, meter_of(&items, a.scan.checkpoint, r.item))
                        {
                            readings.push((a.scan.community, e, meter, v, a.scan.scanned_at));
                        }
                        rows.push(r);
                    }
                    touched.insert((a.scan.community, a.scan.task));
                    outcomes[i] = Some(SyncOutcome {
                        client_id: a.scan.client_id.clone(),
                        status: SyncStatus::Recorded,
                        scan_id: Some(*id),
                        flags: a.flags.clone(),
                        error: None,
                    });
                }
                // A concurrent sync of the same record committed first.
                None => {
                    outcomes[i] = Some(SyncOutcome {
                        client_id: a.scan.client_id.clone(),
                        status: SyncStatus::Duplicate,
                        scan_id: None,
                        flags: Vec::new(),
                        error: None,
                    })
                }
            }
        }
        store::insert_results(&mut tx, &rows).await?;
        // A reading of an equipment meter goes to the equipment with the round, and may make
        // its meter plan's order; a field reading is never refused, so what the ledger cannot
        // take stays on the round alone.
        for (c, e, meter, v, at) in readings {
            match crate::equipment::record_milli_tx(
                &mut tx,
                c,
                e,
                meter,
                v,
                at,
                ctx.actor(),
                "patrol",
            )
            .await
            {
                Ok(_) | Err(CoreError::NotFound(_) | CoreError::Invalid(_)) => {}
                Err(e) => return Err(e),
            }
        }
        for (c, t) in touched {
            if let Some(task) = tasks.get(&t) {
                let route = stops.get(&task.route_id).map(Vec::as_slice).unwrap_or(&[]);
                update_progress(&mut tx, c, task, route).await?;
            }
        }
        tx.commit().await?;
    }
    Ok(SyncReport {
        received_at: now,
        clock_skew_s: skew,
        outcomes: outcomes
            .into_iter()
            .map(|o| o.unwrap_or_else(|| reject("", String::new(), CommonCode::Invalid)))
            .collect(),
    })
}

/// The equipment and meter a number item reads, if it reads one.
fn meter_of(
    items: &HashMap<CheckpointId, Vec<ItemRow>>,
    checkpoint: CheckpointId,
    item: PatrolItemId,
) -> Option<(EquipmentId, &str)> {
    let it = items.get(&checkpoint)?.iter().find(|it| it.id == item)?;
    Some((EquipmentId(it.equipment_id?), it.meter.as_deref()?))
}

fn clone_scan(s: &NewScan) -> NewScan {
    NewScan {
        community: s.community,
        task: s.task,
        checkpoint: s.checkpoint,
        client_id: s.client_id.clone(),
        user: s.user,
        method: s.method,
        label_ok: s.label_ok,
        device_at: s.device_at,
        scanned_at: s.scanned_at,
        received_at: s.received_at,
        clock_skew_s: s.clock_skew_s,
        lat_micro: s.lat_micro,
        lng_micro: s.lng_micro,
        accuracy_m: s.accuracy_m,
        distance_m: s.distance_m,
        flags: s.flags.clone(),
        note: s.note.clone(),
    }
}

/// What the task's scans add up to: the route's checkpoints scanned, the flagged scans, when it
/// began and — every checkpoint scanned — when it was finished. A task marked missed that
/// a late sync completes is done (late: finished after its end).
async fn update_progress(
    tx: &mut crate::db::Tx,
    c: CommunityId,
    task: &TaskRow,
    route: &[CheckpointId],
) -> CoreResult<()> {
    let tally = store::task_tally(tx, c, task.id).await?;
    let on_route: Vec<_> = tally.iter().filter(|t| route.contains(&t.0)).collect();
    let scanned = on_route.len() as i64;
    let flagged: i64 = tally.iter().map(|t| t.3).sum();
    let started_at = tally.iter().map(|t| t.1).min();
    let complete = scanned >= task.checkpoints.min(route.len() as i64).max(1);
    let finished_at = if complete {
        on_route.iter().map(|t| t.2).max()
    } else {
        None
    };
    let was = TaskState::from_stored(&task.state)?;
    let state = match (complete, was) {
        (true, _) => TaskState::Done,
        (false, TaskState::Missed) => TaskState::Missed,
        (false, _) if scanned > 0 => TaskState::Active,
        (false, s) => s,
    };
    task_store::set_progress(
        tx,
        c,
        task.id,
        &Progress {
            state: state.code(),
            scanned,
            flagged,
            started_at,
            finished_at,
        },
    )
    .await
}
