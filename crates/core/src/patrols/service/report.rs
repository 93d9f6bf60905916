//! What managers read back: a task with its scans, results and the checkpoints still missing;
//! the findings waiting for work; and the completion report of a period by plan and by month.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::setup::managed;
use super::tasks::{PatrolTask, task_of};
use crate::patrols::error::PatrolCode;
use crate::patrols::model::{self, CheckKind, ScanMethod, TaskState};
use crate::patrols::store::scans as store;
use crate::patrols::store::setup as setup_store;
use crate::patrols::store::tasks as task_store;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// An item's result at a scan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolResult {
    pub id: PatrolResultId,
    pub item_id: PatrolItemId,
    pub label: String,
    pub kind: CheckKind,
    /// What was recorded, as text ("正常", "0.35 MPa", the choice, the text).
    pub value: Option<String>,
    pub text: Option<String>,
    pub photo_client_id: Option<String>,
    /// Abnormal, or a reading out of its limits.
    pub finding: bool,
    /// The request made of the finding.
    pub request_id: Option<RequestId>,
}

/// A scan with its results.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PatrolScan {
    pub id: ScanId,
    pub checkpoint_id: CheckpointId,
    pub checkpoint_name: String,
    pub user_id: Option<UserId>,
    pub method: ScanMethod,
    /// The label's secret matched the current label.
    pub label_ok: bool,
    /// The phone's clock at the scan, and the scan's time corrected by the phone's offset.
    pub device_at: DateTime<Utc>,
    pub scanned_at: DateTime<Utc>,
    /// When the server received it (later when the phone had no signal).
    pub received_at: DateTime<Utc>,
    pub clock_skew_s: i64,
    pub distance_m: Option<i64>,
    pub flags: Vec<String>,
    pub note: Option<String>,
    pub results: Vec<PatrolResult>,
}

/// A task with everything recorded on it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TaskDetail {
    pub task: PatrolTask,
    pub scans: Vec<PatrolScan>,
    /// The route's checkpoints not scanned yet (names, in route order).
    pub missing: Vec<String>,
}

fn value_text(
    kind: CheckKind,
    ok: Option<bool>,
    v: Option<i64>,
    choice: Option<&str>,
    unit: Option<&str>,
) -> Option<String> {
    match kind {
        CheckKind::Ok => ok.map(|o| if o { "正常" } else { "异常" }.to_string()),
        CheckKind::Number => v.map(|v| {
            format!(
                "{}{}",
                model::milli_text(v),
                unit.map(|u| format!(" {u}")).unwrap_or_default()
            )
        }),
        CheckKind::Choice => choice.map(str::to_string),
        CheckKind::Text | CheckKind::Photo => None,
    }
}

/// A task with its scans and results.
pub async fn task_detail(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: PatrolTaskId,
) -> CoreResult<TaskDetail> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let row = task_store::task(&mut q, c, id)
        .await?
        .ok_or(CoreError::NotFound("task"))?;
    let route = row.route_id;
    let people: Vec<i64> = task_store::walkers_of(&row.walkers)
        .into_iter()
        .map(|u| u.0)
        .collect();
    let names: Vec<String> = crate::auth::store::for_tickets::display_names(&core.db, &people)
        .await?
        .into_iter()
        .map(|(_, n)| n)
        .collect();
    let task = task_of(row, names)?;
    let scans = store::scans_of_task(&mut q, c, id).await?;
    let scan_ids: Vec<i64> = scans.iter().map(|s| s.id.0).collect();
    let results = store::results_of_scans(&mut q, c, &scan_ids).await?;
    let stops = setup_store::stops(&mut q, c, &[route.0]).await?;
    let cps: Vec<i64> = stops.iter().map(|s| s.2.0).collect();
    let names: HashMap<CheckpointId, String> = setup_store::checkpoints(&mut q, c, Some(&cps))
        .await?
        .into_iter()
        .map(|k| (k.id, k.name))
        .collect();
    let missing = stops
        .iter()
        .filter(|s| !scans.iter().any(|x| x.checkpoint_id == s.2))
        .filter_map(|s| names.get(&s.2).cloned())
        .collect();
    let scans = scans
        .into_iter()
        .map(|s| {
            let results = results
                .iter()
                .filter(|r| r.scan_id == s.id)
                .map(|r| {
                    let kind = CheckKind::from_stored(&r.kind)?;
                    Ok(PatrolResult {
                        id: r.id,
                        item_id: r.item_id,
                        label: r.label.clone(),
                        kind,
                        value: value_text(
                            kind,
                            r.ok,
                            r.value_milli,
                            r.choice.as_deref(),
                            r.unit.as_deref(),
                        ),
                        text: r.text.clone(),
                        photo_client_id: r.photo_client_id.clone(),
                        finding: r.finding,
                        request_id: r.request_id,
                    })
                })
                .collect::<CoreResult<Vec<_>>>()?;
            Ok(PatrolScan {
                id: s.id,
                checkpoint_id: s.checkpoint_id,
                checkpoint_name: s.checkpoint_name,
                user_id: s.user_id,
                method: ScanMethod::from_stored(&s.method)?,
                label_ok: s.label_ok,
                device_at: s.device_at,
                scanned_at: s.scanned_at,
                received_at: s.received_at,
                clock_skew_s: s.clock_skew_s,
                distance_m: s.distance_m,
                flags: s
                    .flags
                    .split(',')
                    .filter(|f| !f.is_empty())
                    .map(str::to_string)
                    .collect(),
                note: s.note,
                results,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(TaskDetail {
        task,
        scans,
        missing,
    })
}

/// A finding: an abnormal result or a reading out of its limits.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Finding {
    pub id: PatrolResultId,
    pub community_id: CommunityId,
    pub task_id: PatrolTaskId,
    pub checkpoint_id: CheckpointId,
    pub checkpoint_name: String,
    pub location: Option<String>,
    pub label: String,
    pub value: Option<String>,
    pub text: Option<String>,
    pub photo_client_id: Option<String>,
    pub scanned_at: DateTime<Utc>,
    pub request_id: Option<RequestId>,
}

/// The community's latest findings (`open`: those not yet turned into a request).
pub async fn findings(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    open: bool,
) -> CoreResult<Vec<Finding>> {
    managed(core, ctx, c).await?;
    store::findings(&mut core.db.read(), c, open, 200)
        .await?
        .into_iter()
        .map(|f| {
            let kind = CheckKind::from_stored(&f.kind)?;
            Ok(Finding {
                id: f.id,
                community_id: f.community_id,
                task_id: f.task_id,
                checkpoint_id: f.checkpoint_id,
                checkpoint_name: f.checkpoint_name,
                location: f.location,
                value: value_text(
                    kind,
                    f.ok,
                    f.value_milli,
                    f.choice.as_deref(),
                    f.unit.as_deref(),
                ),
                label: f.label,
                text: f.text,
                photo_client_id: f.photo_client_id,
                scanned_at: f.scanned_at,
                request_id: f.request_id,
            })
        })
        .collect()
}

/// Counts of tasks: by state, late ones (finished after their end), checkpoints.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct PatrolCompletion {
    pub tasks: i64,
    pub done: i64,
    /// Done, but finished after the task's end.
    pub late: i64,
    pub missed: i64,
    /// Not yet due or under way.
    pub open: i64,
    pub checkpoints: i64,
    pub scanned: i64,
    pub flagged: i64,
    /// Done tasks per hundred tasks that are over (done or missed), one decimal.
    pub rate: Option<f64>,
}

impl PatrolCompletion {
    fn add(&mut self, l: &task_store::CompletionLine) {
        self.tasks += l.tasks;
        match l.state.as_str() {
            "done" => {
                self.done += l.tasks;
                self.late += l.late;
            }
            "missed" => self.missed += l.tasks,
            _ => self.open += l.tasks,
        }
        self.checkpoints += l.checkpoints;
        self.scanned += l.scanned;
        self.flagged += l.flagged;
    }
    fn finish(&mut self) {
        let over = self.done + self.missed;
        self.rate = (over > 0).then(|| (self.done as f64 * 1000.0 / over as f64).round() / 10.0);
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PlanCompletion {
    pub plan_id: PatrolPlanId,
    pub plan_name: String,
    #[serde(flatten)]
    pub counts: PatrolCompletion,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthCompletion {
    /// `YYYY-MM`.
    pub month: String,
    #[serde(flatten)]
    pub counts: PatrolCompletion,
}

/// How the rounds of a period went, by plan and by month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CompletionReport {
    pub community_id: CommunityId,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub total: PatrolCompletion,
    pub plans: Vec<PlanCompletion>,
    pub months: Vec<MonthCompletion>,
}

/// The completion report of the community's days `from..=to` (at most 366 days; by default
/// the year up to today).
pub async fn completion_report(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> CoreResult<CompletionReport> {
    let (_, tz) = managed(core, ctx, c).await?;
    let to = to.unwrap_or_else(|| Utc::now().with_timezone(&tz).date_naive());
    let from = from.unwrap_or(to - Duration::days(364));
    if to < from || (to - from).num_days() > 366 {
        return Err(CoreError::invalid("to", PatrolCode::EndsBeforeStarts));
    }
    let start = crate::shared::calendar::local_to_utc(tz, from, NaiveTime::MIN);
    let end = crate::shared::calendar::local_to_utc(tz, to + Duration::days(1), NaiveTime::MIN);
    let mut q = core.db.read();
    let lines = task_store::completion(&mut q, c, start, end).await?;
    let names: HashMap<PatrolPlanId, String> = setup_store::plans(&mut q, c)
        .await?
        .into_iter()
        .map(|p| (p.id, p.name))
        .collect();
    let mut total = PatrolCompletion::default();
    let mut plans: BTreeMap<PatrolPlanId, PatrolCompletion> = BTreeMap::new();
    let mut months: BTreeMap<String, PatrolCompletion> = BTreeMap::new();
    for l in &lines {
        let _ = TaskState::from_stored(&l.state)?;
        total.add(l);
        plans.entry(l.plan_id).or_default().add(l);
        months
            .entry(l.day.format("%Y-%m").to_string())
            .or_default()
            .add(l);
    }
    total.finish();
    Ok(CompletionReport {
        community_id: c,
        from,
        to,
        total,
        plans: plans
            .into_iter()
            .map(|(id, mut counts)| {
                counts.finish();
                PlanCompletion {
                    plan_id: id,
                    plan_name: names.get(&id).cloned().unwrap_or_default(),
                    counts,
                }
            })
            .collect(),
        months: months
            .into_iter()
            .map(|(month, mut counts)| {
                counts.finish();
                MonthCompletion { month, counts }
            })
            .collect(),
    })
}
