//! Quality campaigns (专项工作, issue 16 point 5): the company runs seed 001's 品质提升专项工作 with
//! its five phases and their dates (发动宣讲, 自查自纠, 整改预防, 检查验收, 专项总结) over some of its
//! communities; each community keeps its self-check plan (what, who, by when — the seed insists
//! on 责任人 and 完成时间) and is given its final audit from the acceptance phase on, with the sheets
//! and weights the campaign fixed; the campaign is closed with its summary.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::QualityCode;
use super::super::model::{self, AuditMethod, AuditState, CampaignPhase, CampaignState, Grade};
use super::super::store::campaigns::{self as cs, CampaignRow, NewCampaign, NewTask, PhaseRow};
use super::super::store::{self};
use super::audits::{insert_open, pinned_sheets, record};
use super::{Audit, AuditSheetChoice};
use crate::audit::{self as log, Action, Entry};
use crate::db::Queries;
use crate::frontdesk::{staff_names, tz_of};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_multiline, optional_text, required_multiline, required_text};
use crate::{Core, Ctx, Perm};

/// Most communities in one campaign.
pub const MAX_CAMPAIGN_COMMUNITIES: usize = 500;

/// A phase's dates as given; its key points default to the seed's.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CampaignPhaseInput {
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    /// Key points, one a line.
    #[serde(default)]
    pub tasks: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CampaignForCreate {
    pub name: String,
    #[serde(default)]
    pub aim: Option<String>,
    /// The year of the seed's dates (09-25 to 12-31) when `phases` is left out; default this year.
    #[serde(default)]
    pub year: Option<i32>,
    /// The five phases in order (发动宣讲, 自查自纠, 整改预防, 检查验收, 专项总结), each ending on or
    /// after it starts and before the next starts; default the seed's dates in `year`.
    #[serde(default)]
    pub phases: Option<Vec<CampaignPhaseInput>>,
    /// 1 to 500 communities the user audits.
    pub community_ids: Vec<CommunityId>,
    /// The final audit's sheets and weights (summing to 100).
    pub sheets: Vec<AuditSheetChoice>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignPhaseView {
    pub phase: CampaignPhase,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub tasks: Vec<String>,
}

/// A community's final audit as the campaign shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignAudit {
    pub id: AuditId,
    pub number: String,
    pub state: AuditState,
    /// Once signed off.
    pub total_cp: Option<i64>,
    pub grade: Option<Grade>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignMember {
    pub community_id: CommunityId,
    pub community_name: String,
    /// The self-check plan's tasks and those done.
    pub tasks: i64,
    pub done: i64,
    pub audit: Option<CampaignAudit>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Campaign {
    pub id: CampaignId,
    pub name: String,
    pub aim: Option<String>,
    pub state: CampaignState,
    pub phases: Vec<CampaignPhaseView>,
    /// The phase today falls in (local), if any.
    pub current_phase: Option<CampaignPhase>,
    pub sheets: Vec<AuditSheetChoice>,
    /// The communities taking part that the user reaches.
    pub communities: Vec<CampaignMember>,
    pub summary: Option<String>,
    pub created_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
}

/// A task of a community's self-check plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CampaignTask {
    pub id: CampaignTaskId,
    pub community_id: CommunityId,
    pub phase: CampaignPhase,
    pub title: String,
    pub owner_id: UserId,
    pub owner_name: String,
    pub due_on: NaiveDate,
    pub done_at: Option<DateTime<Utc>>,
    pub done_note: Option<String>,
    /// Not done and past its day (local).
    pub overdue: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CampaignTaskInput {
    /// mobilise, self_check, prevent, acceptance, summary.
    pub phase: String,
    pub title: String,
    /// A staff member of the community (责任人).
    pub owner_id: UserId,
    /// Within the campaign (完成时间).
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CampaignTaskDone {
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct CampaignClose {
    /// What the campaign found and solved, and how (专项总结).
    pub summary: String,
}

fn sheets_text(sheets: &[AuditSheetChoice]) -> String {
    sheets
        .iter()
        .map(|s| format!("{}:{}", s.sheet_id, s.weight_pct))
        .collect::<Vec<_>>()
        .join(",")
}

fn sheets_of(text: &str) -> Vec<AuditSheetChoice> {
    text.split(',')
        .filter_map(|p| {
            let (id, w) = p.split_once(':')?;
            Some(AuditSheetChoice {
                sheet_id: AuditSheetId(id.parse().ok()?),
                weight_pct: w.parse().ok()?,
            })
        })
        .collect()
}

/// The seed's phases in `year`.
fn seed_phases(year: i32) -> Vec<PhaseRow> {
    model::SEED_PHASES
        .iter()
        .enumerate()
        .filter_map(|(n, (phase, (m1, d1), (m2, d2), tasks))| {
            Some(PhaseRow {
                position: n as i64 + 1,
                phase: phase.code().into(),
                starts_on: NaiveDate::from_ymd_opt(year, *m1, *d1)?,
                ends_on: NaiveDate::from_ymd_opt(year, *m2, *d2)?,
                tasks: (*tasks).into(),
            })
        })
        .collect()
}

/// The phases given, checked: five, in order, none overlapping.
fn checked_phases(given: &[CampaignPhaseInput], errs: &mut Vec<FieldError>) -> Vec<PhaseRow> {
    if given.len() != model::SEED_PHASES.len() {
        errs.push(FieldError::new("phases", QualityCode::PhaseDates));
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut last_end: Option<NaiveDate> = None;
    for (n, (p, (phase, .., seed_tasks))) in given.iter().zip(model::SEED_PHASES).enumerate() {
        if last_end.is_some_and(|e| p.starts_on <= e) {
            errs.push(FieldError::new(
                format!("phases[{n}].starts_on"),
                QualityCode::PhaseDates,
            ));
        }
        if p.ends_on < p.starts_on {
            errs.push(FieldError::new(
                format!("phases[{n}].ends_on"),
                QualityCode::PhaseDates,
            ));
        }
        last_end = Some(p.ends_on);
        let tasks = optional_multiline(&format!("phases[{n}].tasks"), p.tasks.as_deref(), 2000)
            .map_err(|e| errs.push(e))
            .unwrap_or_default()
            .unwrap_or_else(|| seed_tasks.to_string());
        out.push(PhaseRow {
            position: n as i64 + 1,
            phase: phase.code().into(),
            starts_on: p.starts_on,
            ends_on: p.ends_on,
            tasks,
        });
    }
    out
}

/// Starts a campaign (`quality.manage`): its phases, communities and the final audit's sheets.
pub async fn create_campaign(
    core: &Core,
    ctx: &Ctx,
    input: CampaignForCreate,
) -> CoreResult<Campaign> {
    ctx.require(Perm::QualityManage)?;
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let aim = optional_multiline("aim", input.aim.as_deref(), 1000)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let phases = match &input.phases {
        Some(p) => checked_phases(p, &mut errs),
        None => {
            let year = input.year.unwrap_or_else(|| Utc::now().year());
            if !(2000..=2100).contains(&year) {
                errs.push(
                    FieldError::new("year", QualityCode::CampaignDate)
                        .with("from", "2000-01-01")
                        .with("to", "2100-12-31"),
                );
            }
            seed_phases(year.clamp(2000, 2100))
        }
    };
    let ids = &input.community_ids;
    if ids.is_empty() || ids.len() > MAX_CAMPAIGN_COMMUNITIES {
        errs.push(
            FieldError::new("community_ids", QualityCode::CampaignCommunities)
                .with("max", MAX_CAMPAIGN_COMMUNITIES),
        );
    }
    for (n, c) in ids.iter().enumerate() {
        if ctx.require_in(Perm::QualityManage, *c).is_err() || ids[..n].contains(c) {
            errs.push(FieldError::new(
                format!("community_ids[{n}]"),
                QualityCode::NotInCampaign,
            ));
        }
    }
    let mut tx = core.db.begin().await?;
    pinned_sheets(&mut tx, ctx, &input.sheets, &mut errs).await?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let now = Utc::now();
    let sheets = sheets_text(&input.sheets);
    let new = NewCampaign {
        name: &name,
        aim: aim.as_deref(),
        sheets: &sheets,
    };
    let id = cs::insert(&mut tx, ctx.company_id, &new, ctx.actor(), now).await?;
    for p in &phases {
        cs::insert_phase(&mut tx, ctx.company_id, id, p.position, p).await?;
    }
    for c in ids {
        cs::insert_member(&mut tx, *c, id).await?;
    }
    let row = running(&mut tx, ctx, id).await?;
    let after = view(&mut tx, ctx, row).await?;
    log::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "quality_campaign", id.0).after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

async fn running(q: &mut impl Queries, ctx: &Ctx, id: CampaignId) -> CoreResult<CampaignRow> {
    cs::campaign(q, ctx.company_id, id)
        .await?
        .ok_or(CoreError::NotFound("quality_campaign"))
}

/// Who keeps a community's plan: its auditors, and its managers (`duty.manage`).
fn may_plan(ctx: &Ctx, c: CommunityId) -> bool {
    ctx.require_in(Perm::QualityManage, c).is_ok() || ctx.require_in(Perm::DutyManage, c).is_ok()
}

async fn view(q: &mut impl Queries, ctx: &Ctx, r: CampaignRow) -> CoreResult<Campaign> {
    let phases: Vec<CampaignPhaseView> = cs::phases(q, r.id)
        .await?
        .into_iter()
        .map(|p| {
            Ok(CampaignPhaseView {
                phase: CampaignPhase::from_stored(&p.phase)?,
                starts_on: p.starts_on,
                ends_on: p.ends_on,
                tasks: p.tasks.lines().map(str::to_string).collect(),
            })
        })
        .collect::<CoreResult<_>>()?;
    // The company's phases run on the days of SPEC's default zone; a community's own deadlines
    // (tasks, the final audit) on its own.
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let mut communities = Vec::new();
    for m in cs::members(q, r.id).await? {
        if !ctx.reaches(m.community_id) {
            continue;
        }
        let audit = match m.audit_id {
            Some(a) => store::audit(q, a).await?.map(|a| {
                Ok::<_, CoreError>(CampaignAudit {
                    id: a.id,
                    number: a.number,
                    state: AuditState::from_stored(&a.state)?,
                    total_cp: a.total_cp,
                    grade: a.grade.as_deref().map(Grade::from_stored).transpose()?,
                })
            }),
            None => None,
        }
        .transpose()?;
        communities.push(CampaignMember {
            community_id: m.community_id,
            community_name: m.community_name,
            tasks: m.tasks,
            done: m.done,
            audit,
        });
    }
    Ok(Campaign {
        current_phase: phases
            .iter()
            .find(|p| p.starts_on <= today && today <= p.ends_on)
            .map(|p| p.phase),
        id: r.id,
        name: r.name,
        aim: r.aim,
        state: CampaignState::from_stored(&r.state)?,
        phases,
        sheets: sheets_of(&r.sheets),
        communities,
        summary: r.summary,
        created_at: r.created_at,
        closed_at: r.closed_at,
    })
}

/// The company's campaigns over a community the user audits or manages.
pub async fn list_campaigns(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Campaign>> {
    if !ctx.has(Perm::QualityManage) && !ctx.has(Perm::DutyManage) {
        return Err(CoreError::Forbidden);
    }
    let mut q = core.db.read();
    let mut out = Vec::new();
    for r in cs::campaigns(&mut q, ctx.company_id).await? {
        let v = view(&mut q, ctx, r).await?;
        if v.communities.iter().any(|m| may_plan(ctx, m.community_id)) {
            out.push(v);
        }
    }
    Ok(out)
}

pub async fn get_campaign(core: &Core, ctx: &Ctx, id: CampaignId) -> CoreResult<Campaign> {
    let mut q = core.db.read();
    let r = running(&mut q, ctx, id).await?;
    let v = view(&mut q, ctx, r).await?;
    if !v.communities.iter().any(|m| may_plan(ctx, m.community_id)) {
        return Err(CoreError::NotFound("quality_campaign"));
    }
    Ok(v)
}

/// The campaign, the community checked to take part and reached by one who keeps its plan.
async fn member(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: CampaignId,
    c: CommunityId,
) -> CoreResult<CampaignRow> {
    if !may_plan(ctx, c) {
        return Err(CoreError::NotFound("quality_campaign"));
    }
    let r = running(q, ctx, id).await?;
    if !cs::is_member(q, id, c).await? {
        return Err(CoreError::NotFound("quality_campaign"));
    }
    Ok(r)
}

fn task_view(
    t: cs::TaskRow,
    names: &std::collections::HashMap<UserId, String>,
    today: NaiveDate,
) -> CoreResult<CampaignTask> {
    Ok(CampaignTask {
        phase: CampaignPhase::from_stored(&t.phase)?,
        owner_name: names
            .get(&t.owner_id)
            .cloned()
            .unwrap_or_else(|| format!("#{}", t.owner_id)),
        overdue: t.done_at.is_none() && t.due_on < today,
        id: t.id,
        community_id: t.community_id,
        title: t.title,
        owner_id: t.owner_id,
        due_on: t.due_on,
        done_at: t.done_at,
        done_note: t.done_note,
    })
}

/// A community's self-check plan in the campaign, by deadline.
pub async fn campaign_tasks(
    core: &Core,
    ctx: &Ctx,
    id: CampaignId,
    c: CommunityId,
) -> CoreResult<Vec<CampaignTask>> {
    let mut q = core.db.read();
    member(&mut q, ctx, id, c).await?;
    let names = staff_names(&mut q, ctx, c).await?;
    let today = Utc::now()
        .with_timezone(&tz_of(&mut q, ctx, c).await?)
        .date_naive();
    cs::tasks(&mut q, c, id)
        .await?
        .into_iter()
        .map(|t| task_view(t, &names, today))
        .collect()
}

/// Adds a task to a community's plan: what, its phase, its owner (a staff member of the
/// community) and its day within the campaign.
pub async fn add_campaign_task(
    core: &Core,
    ctx: &Ctx,
    id: CampaignId,
    c: CommunityId,
    input: CampaignTaskInput,
) -> CoreResult<CampaignTask> {
    let mut tx = core.db.begin().await?;
    member(&mut tx, ctx, id, c).await?;
    let mut errs = Vec::new();
    let phase = CampaignPhase::parse("phase", &input.phase)
        .map_err(|e| errs.push(e))
        .ok();
    let title = required_text("title", &input.title, 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let names = staff_names(&mut tx, ctx, c).await?;
    if !names.contains_key(&input.owner_id) {
        errs.push(FieldError::new("owner_id", QualityCode::UnknownOwner));
    }
    let phases = cs::phases(&mut tx, id).await?;
    let (from, to) = (
        phases.first().map(|p| p.starts_on),
        phases.last().map(|p| p.ends_on),
    );
    if let (Some(from), Some(to)) = (from, to)
        && !(from..=to).contains(&input.due_on)
    {
        errs.push(
            FieldError::new("due_on", QualityCode::CampaignDate)
                .with("from", from.to_string())
                .with("to", to.to_string()),
        );
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    if cs::hold_running(&mut tx, id).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::CampaignClosed));
    }
    let Some(phase) = phase else {
        return Err(CoreError::Invalid(errs));
    };
    let new = NewTask {
        phase: phase.code(),
        title: &title,
        owner: input.owner_id,
        due_on: input.due_on,
    };
    let task = cs::insert_task(&mut tx, c, id, &new, ctx.actor(), Utc::now()).await?;
    let row = cs::task(&mut tx, task)
        .await?
        .ok_or(CoreError::NotFound("campaign_task"))?;
    let today = Utc::now()
        .with_timezone(&tz_of(&mut tx, ctx, c).await?)
        .date_naive();
    let after = task_view(row, &names, today)?;
    log::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "campaign_task", task.0)
            .community(c)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Marks a plan's task done, once: by its owner or one who keeps the plan.
pub async fn finish_campaign_task(
    core: &Core,
    ctx: &Ctx,
    task: CampaignTaskId,
    input: CampaignTaskDone,
) -> CoreResult<CampaignTask> {
    let mut tx = core.db.begin().await?;
    let t = cs::task(&mut tx, task)
        .await?
        .filter(|t| ctx.reaches(t.community_id))
        .ok_or(CoreError::NotFound("campaign_task"))?;
    let c = t.community_id;
    running(&mut tx, ctx, t.campaign_id).await?;
    if ctx.actor() != Some(t.owner_id) && !may_plan(ctx, c) {
        return Err(CoreError::conflict("id", QualityCode::NotTaskOwner));
    }
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    if cs::hold_running(&mut tx, t.campaign_id).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::CampaignClosed));
    }
    if cs::finish_task(&mut tx, c, task, note.as_deref(), Utc::now()).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::TaskDone));
    }
    let names = staff_names(&mut tx, ctx, c).await?;
    let today = Utc::now()
        .with_timezone(&tz_of(&mut tx, ctx, c).await?)
        .date_naive();
    let row = cs::task(&mut tx, task)
        .await?
        .ok_or(CoreError::NotFound("campaign_task"))?;
    let after = task_view(row, &names, today)?;
    log::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "campaign_task", task.0)
            .community(c)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

/// Opens a community's final audit (检查验收, `quality.manage`) with the campaign's sheets, once,
/// from the acceptance phase's first day on.
pub async fn open_campaign_audit(
    core: &Core,
    ctx: &Ctx,
    id: CampaignId,
    c: CommunityId,
) -> CoreResult<Audit> {
    ctx.require_in(Perm::QualityManage, c)?;
    let mut tx = core.db.begin().await?;
    let r = member(&mut tx, ctx, id, c).await?;
    let acceptance = cs::phases(&mut tx, id)
        .await?
        .into_iter()
        .find(|p| p.phase == CampaignPhase::Acceptance.code())
        .map(|p| p.starts_on);
    let today = Utc::now()
        .with_timezone(&tz_of(&mut tx, ctx, c).await?)
        .date_naive();
    if let Some(from) = acceptance
        && today < from
    {
        return Err(CoreError::Conflict(
            FieldError::new("id", QualityCode::BeforeAcceptance).with("from", from.to_string()),
        ));
    }
    if cs::hold_running(&mut tx, id).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::CampaignClosed));
    }
    let mut errs = Vec::new();
    let pinned = pinned_sheets(&mut tx, ctx, &sheets_of(&r.sheets), &mut errs).await?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let note = format!("{} · {}", r.name, CampaignPhase::Acceptance.zh());
    let audit = insert_open(&mut tx, ctx, c, (AuditMethod::Open, Some(&note)), pinned).await?;
    if cs::set_audit(&mut tx, c, id, audit).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::FinalAuditOpened));
    }
    record(tx, ctx, audit, None).await
}

/// Closes the campaign with its summary (专项总结, `quality.manage` in every community taking part);
/// nothing changes after.
pub async fn close_campaign(
    core: &Core,
    ctx: &Ctx,
    id: CampaignId,
    input: CampaignClose,
) -> CoreResult<Campaign> {
    ctx.require(Perm::QualityManage)?;
    let summary = required_multiline("summary", &input.summary, 4000)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = running(&mut tx, ctx, id).await?;
    // Only one who audits every community taking part closes it for all.
    for m in cs::members(&mut tx, id).await? {
        ctx.require_in(Perm::QualityManage, m.community_id)
            .map_err(|_| CoreError::NotFound("quality_campaign"))?;
    }
    let before = view(&mut tx, ctx, r).await?;
    if cs::close(&mut tx, id, &summary, ctx.actor(), Utc::now()).await? == 0 {
        return Err(CoreError::conflict("id", QualityCode::CampaignClosed));
    }
    let row = running(&mut tx, ctx, id).await?;
    let after = view(&mut tx, ctx, row).await?;
    log::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "quality_campaign", id.0)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}
