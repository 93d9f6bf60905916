//! Incidents: any staff member reports one and its plan is activated (the steps copied, level 1
//! told through the outbox in the same transaction); a manager acknowledges it (escalation stops)
//! or escalates it by hand; a leased job tells the next level when nobody acknowledged it in
//! time, each level once; steps are ticked with time and who; the affected buildings get a
//! notice in one step; it closes with the analysis and conclusion. Every event goes on the
//! timeline in the order it happened.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::IncidentCode;
use super::super::model::{self, EventKind, IncidentKind, IncidentState, PlanLevel, Severity};
use super::super::store;
use super::super::store::incidents::{IncidentRow, NewIncident};
use super::{Plan, plan_of};
use crate::audit::{self, Action, Entry};
use crate::community::announcements::AnnouncementForCreate;
use crate::db::{Queries, Tx};
use crate::duty::{StaffMember, require_staff_in, staff_rows};
use crate::notify::{InApp, Note, model::Event};
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct IncidentStep {
    pub id: i64,
    pub position: i64,
    pub text: String,
    pub role: String,
    pub done_at: Option<DateTime<Utc>>,
    pub done_by: Option<UserId>,
    pub done_by_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TimelineEvent {
    pub at: DateTime<Utc>,
    pub kind: EventKind,
    pub detail: String,
    pub by_user: Option<UserId>,
    pub by_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AffectedUnit {
    pub unit_id: UnitId,
    pub label: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Incident {
    pub id: IncidentId,
    pub community_id: CommunityId,
    pub plan_id: Option<PlanId>,
    pub plan_name: Option<String>,
    pub kind: IncidentKind,
    pub title: String,
    pub place: String,
    pub severity: Severity,
    pub started_at: DateTime<Utc>,
    pub reported_by: Option<UserId>,
    pub reporter_name: Option<String>,
    pub building_ids: Vec<BuildingId>,
    pub units: Vec<AffectedUnit>,
    pub state: IncidentState,
    /// The highest level of the ladder told so far.
    pub level: i64,
    pub ladder: Vec<PlanLevel>,
    pub acknowledged_at: Option<DateTime<Utc>>,
    pub acknowledged_by: Option<UserId>,
    /// The notice sent to the affected units.
    pub notice_id: Option<AnnouncementId>,
    pub analysis: Option<String>,
    pub conclusion: Option<String>,
    pub opened_at: DateTime<Utc>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<UserId>,
    /// In order (empty in lists).
    pub steps: Vec<IncidentStep>,
    /// Every event in the order it happened (empty in lists).
    pub timeline: Vec<TimelineEvent>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct IncidentForCreate {
    /// The plan to activate; absent: the company's active plan of the kind.
    #[serde(default)]
    pub plan_id: Option<PlanId>,
    /// `fire`, `flood`, `power_cut`, `elevator`, `gas_leak`, `severe_weather`, `public_security`.
    pub kind: String,
    pub title: String,
    pub place: String,
    /// `minor`, `major` or `critical`.
    pub severity: String,
    /// When it started (default: now); not later than now.
    #[serde(default)]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub building_ids: Vec<BuildingId>,
    #[serde(default)]
    pub unit_ids: Vec<UnitId>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IncidentNote {
    pub text: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct UnitsNotice {
    /// The notice's title (default: the incident's).
    #[serde(default)]
    pub title: Option<String>,
    pub body: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct IncidentForClose {
    pub analysis: String,
    pub conclusion: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IncidentFilter {
    /// `open` or `closed`.
    pub state: Option<String>,
}

fn ids_of<T: std::str::FromStr>(raw: Option<&str>) -> Vec<T> {
    raw.unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn joined<T: ToString>(v: &[T]) -> Option<String> {
    (!v.is_empty()).then(|| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(",")
    })
}

/// The incident's plan, with the ladder the incident was opened with.
async fn plan_for(q: &mut impl Queries, r: &IncidentRow) -> CoreResult<Option<Plan>> {
    let Some(p) = r.plan_id else {
        return Ok(None);
    };
    let Some(mut plan) = store::plans::get(q, p).await?.map(plan_of).transpose()? else {
        return Ok(None);
    };
    if let Some(l) = &r.ladder {
        plan.ladder = serde_json::from_str(l).map_err(CoreError::internal)?;
    }
    Ok(Some(plan))
}

/// A staff member's name as an incident shows it (`#id` for one no longer on the staff).
pub(super) fn name_in(staff: &[StaffMember], u: Option<UserId>) -> Option<String> {
    u.map(|u| {
        staff
            .iter()
            .find(|s| s.user_id == u)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("#{u}"))
    })
}

async fn view(q: &mut impl Queries, ctx: &Ctx, r: IncidentRow, full: bool) -> CoreResult<Incident> {
    let staff = staff_rows(q, ctx, r.community_id).await?;
    view_with(q, &staff, r, full).await
}

/// An incident, the community's staff read already (a list reads them once, not per row).
pub(super) async fn view_with(
    q: &mut impl Queries,
    staff: &[StaffMember],
    r: IncidentRow,
    full: bool,
) -> CoreResult<Incident> {
    let plan = plan_for(q, &r).await?;
    let name = |u: Option<UserId>| name_in(staff, u);
    let (steps, timeline) = if full {
        let steps = store::incidents::steps(q, r.community_id, r.id)
            .await?
            .into_iter()
            .map(|s| IncidentStep {
                done_by_name: name(s.done_by),
                id: s.id,
                position: s.position,
                text: s.text,
                role: s.role,
                done_at: s.done_at,
                done_by: s.done_by,
            })
            .collect();
        let timeline = store::incidents::events(q, r.community_id, r.id)
            .await?
            .into_iter()
            .map(|e| {
                Ok(TimelineEvent {
                    by_name: name(e.by_user),
                    at: e.at,
                    kind: EventKind::from_stored(&e.kind)?,
                    detail: e.detail,
                    by_user: e.by_user,
                })
            })
            .collect::<CoreResult<_>>()?;
        (steps, timeline)
    } else {
        (Vec::new(), Vec::new())
    };
    let unit_ids: Vec<UnitId> = ids_of(r.units.as_deref());
    let units = crate::registry::store::for_community::units_among(q, r.community_id, &unit_ids)
        .await?
        .into_iter()
        .map(|(unit_id, _, label)| AffectedUnit { unit_id, label })
        .collect();
    Ok(Incident {
        id: r.id,
        community_id: r.community_id,
        plan_id: r.plan_id,
        plan_name: plan.as_ref().map(|p| p.name.clone()),
        kind: IncidentKind::from_stored(&r.kind)?,
        severity: Severity::from_stored(&r.severity)?,
        reporter_name: name(r.reported_by),
        building_ids: ids_of(r.buildings.as_deref()),
        units,
        state: IncidentState::from_stored(&r.state)?,
        ladder: plan.map(|p| p.ladder).unwrap_or_default(),
        title: r.title,
        place: r.place,
        started_at: r.started_at,
        reported_by: r.reported_by,
        level: r.level,
        acknowledged_at: r.acknowledged_at,
        acknowledged_by: r.acknowledged_by,
        notice_id: r.notice_id,
        analysis: r.analysis,
        conclusion: r.conclusion,
        opened_at: r.opened_at,
        closed_at: r.closed_at,
        closed_by: r.closed_by,
        steps,
        timeline,
    })
}

/// Whom a level tells: the community's staff with one of its roles, and the people it names
/// who are staff of the community.
fn told_by(level: &PlanLevel, staff: &[StaffMember]) -> Vec<(UserId, String)> {
    let named: BTreeSet<UserId> = level.user_ids.iter().copied().collect();
    staff
        .iter()
        .filter(|s| named.contains(&s.user_id) || level.roles.contains(&s.role))
        .map(|s| (s.user_id, s.name.clone()))
        .collect()
}

/// Tells level `n` (from 1) of the ladder, and puts it on the timeline with whom and when.
#[allow(clippy::too_many_arguments)]
async fn tell_level(
    core: &Core,
    tx: &mut Tx,
    ctx: &Ctx,
    r: &IncidentRow,
    ladder: &[PlanLevel],
    n: i64,
    event: EventKind,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let Some(level) = ladder.get((n - 1) as usize) else {
        return Ok(());
    };
    let staff = staff_rows(tx, ctx, r.community_id).await?;
    let to = told_by(level, &staff);
    let kind = IncidentKind::from_stored(&r.kind)?;
    let (ev, mut params) = if event == EventKind::Escalated {
        (
            Event::IncidentEscalated,
            vec![("level".to_string(), n.to_string())],
        )
    } else {
        (
            Event::IncidentOpened,
            vec![("kind".to_string(), kind.zh().to_string())],
        )
    };
    params.push(("title".into(), r.title.clone()));
    params.push(("place".into(), r.place.clone()));
    let note = Note {
        community: r.community_id,
        event: ev,
        params,
        request: None,
        link: Some(format!("/incidents/{}", r.id)),
    };
    let ids: Vec<UserId> = to.iter().map(|(u, _)| *u).collect();
    crate::notify::enqueue(&core.channels, tx, &note, &ids, InApp::Write, now).await?;
    let names: Vec<&str> = to.iter().map(|(_, n)| n.as_str()).collect();
    let detail = format!(
        "第{n}级（{} 分钟）：{}（{} 人）",
        level.after_minutes,
        if names.is_empty() {
            "—".to_string()
        } else {
            names.join("、")
        },
        names.len()
    );
    store::incidents::add_event(
        tx,
        r.community_id,
        r.id,
        now,
        event.code(),
        &detail,
        ctx.actor(),
    )
    .await
}

/// Reports an incident and activates its plan: the steps copied, level 1 of the ladder told
/// at once (`incident_opened`), the opening and the notification on the timeline — one
/// transaction. Any staff member of the community may report.
pub async fn open_incident(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: IncidentForCreate,
) -> CoreResult<Incident> {
    require_staff_in(ctx, c)?;
    let now = Utc::now();
    let mut errs = Vec::new();
    let kind = IncidentKind::parse("kind", &input.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let severity = Severity::parse("severity", &input.severity)
        .map_err(|e| errs.push(e))
        .ok();
    let text = |f: &str, raw: &str, errs: &mut Vec<FieldError>| {
        let t = raw.trim().to_string();
        if t.is_empty() {
            errs.push(FieldError::new(f, CommonCode::Required));
        } else if t.chars().count() > 100 {
            errs.push(FieldError::new(f, CommonCode::TooLong).with("max", 100));
        }
        t
    };
    let title = text("title", &input.title, &mut errs);
    let place = text("place", &input.place, &mut errs);
    let started_at = input.started_at.unwrap_or(now);
    if started_at > now + Duration::minutes(1) {
        errs.push(FieldError::new("started_at", IncidentCode::StartsInFuture));
    }
    let mut tx = core.db.begin().await?;
    crate::duty::tz_of(&mut tx, ctx, c).await?;
    let plan = match (input.plan_id, kind) {
        (Some(p), _) => {
            let p = store::plans::get(&mut tx, p)
                .await?
                .filter(|p| p.company_id == ctx.company_id && p.active)
                .filter(|p| kind.is_none_or(|k| p.kind == k.code()));
            if p.is_none() {
                errs.push(FieldError::new("plan_id", IncidentCode::UnknownPlan));
            }
            p
        }
        (None, Some(k)) => {
            let p = store::plans::active_of_kind(&mut tx, ctx.company_id, k.code()).await?;
            if p.is_none() {
                errs.push(FieldError::new("kind", IncidentCode::NoPlan));
            }
            p
        }
        (None, None) => None,
    };
    let buildings: BTreeSet<BuildingId> = input.building_ids.iter().copied().collect();
    let ours: Vec<BuildingId> = crate::registry::store::for_community::buildings(&mut tx, c)
        .await?
        .into_iter()
        .map(|(b, _)| b)
        .collect();
    if let Some(b) = buildings.iter().find(|b| !ours.contains(b)) {
        errs.push(FieldError::new("building_ids", IncidentCode::UnknownBuilding).with("id", b));
    }
    let units: BTreeSet<UnitId> = input.unit_ids.iter().copied().collect();
    let units_v: Vec<UnitId> = units.iter().copied().collect();
    let found = crate::registry::store::for_community::units_among(&mut tx, c, &units_v).await?;
    if let Some(u) = units_v
        .iter()
        .find(|u| !found.iter().any(|(f, ..)| f == *u))
    {
        errs.push(FieldError::new("unit_ids", IncidentCode::UnknownUnit).with("id", u));
    }
    let (Some(kind), Some(severity), Some(plan), true) = (kind, severity, plan, errs.is_empty())
    else {
        return Err(CoreError::Invalid(errs));
    };
    let plan = plan_of(plan)?;
    let buildings_v: Vec<BuildingId> = buildings.into_iter().collect();
    let n = NewIncident {
        plan: Some(plan.id),
        kind: kind.code(),
        title: &title,
        place: &place,
        severity: severity.code(),
        started_at,
        buildings: joined(&buildings_v),
        units: joined(&units_v),
        ladder: serde_json::to_string(&plan.ladder).map_err(CoreError::internal)?,
    };
    let id = store::incidents::insert(&mut tx, c, &n, ctx.actor(), now).await?;
    let steps: Vec<(String, String)> = plan
        .steps
        .iter()
        .map(|s| (s.text.clone(), s.role.clone()))
        .collect();
    store::incidents::insert_steps(&mut tx, c, id, &steps).await?;
    let opened = format!(
        "{} · {} · {}：{}（启动《{}》）",
        kind.zh(),
        severity.zh(),
        place,
        title,
        plan.name
    );
    store::incidents::add_event(
        &mut tx,
        c,
        id,
        now,
        EventKind::Opened.code(),
        &opened,
        ctx.actor(),
    )
    .await?;
    let row = store::incidents::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("incident"))?;
    tell_level(
        core,
        &mut tx,
        ctx,
        &row,
        &plan.ladder,
        1,
        EventKind::Notified,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "incident", id.0)
            .community(c)
            .after(&serde_json::json!({ "kind": kind.code(), "title": title, "plan": plan.id })),
    )
    .await?;
    let v = view(&mut tx, ctx, row, true).await?;
    tx.commit().await?;
    Ok(v)
}

async fn reached(q: &mut impl Queries, ctx: &Ctx, id: IncidentId) -> CoreResult<IncidentRow> {
    let r = store::incidents::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("incident"))?;
    require_staff_in(ctx, r.community_id).map_err(|_| CoreError::NotFound("incident"))?;
    Ok(r)
}

fn open(r: &IncidentRow) -> CoreResult<()> {
    if r.state != IncidentState::Open.code() {
        return Err(CoreError::conflict("state", IncidentCode::NotOpen));
    }
    Ok(())
}

/// An incident with its steps and timeline (any staff member of the community).
pub async fn get_incident(core: &Core, ctx: &Ctx, id: IncidentId) -> CoreResult<Incident> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r, true).await
}

/// The community's incidents, newest first (the latest 500).
pub async fn list_incidents(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: IncidentFilter,
) -> CoreResult<Vec<Incident>> {
    let mut q = core.db.read();
    let (state, _) = listed(&mut q, ctx, c, &f).await?;
    let staff = staff_rows(&mut q, ctx, c).await?;
    let mut out = Vec::new();
    for r in store::incidents::page(&mut q, c, state, i64::MAX, 500).await? {
        out.push(view_with(&mut q, &staff, r, false).await?);
    }
    Ok(out)
}

/// The list's checks (the list's and its export's): a staff member of the community, a known
/// state; the state's code and the community's zone (which an unknown community has not).
pub(super) async fn listed(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    f: &IncidentFilter,
) -> CoreResult<(Option<&'static str>, chrono_tz::Tz)> {
    require_staff_in(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(IncidentState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let tz = crate::duty::tz_of(q, ctx, c).await?;
    Ok((state.map(|s| s.code()), tz))
}

/// Runs `f` on an open incident the actor reaches, in one transaction with the audit entry, and
/// returns the incident after it.
async fn change<F>(
    core: &Core,
    ctx: &Ctx,
    id: IncidentId,
    manage: bool,
    what: &str,
    f: F,
) -> CoreResult<Incident>
where
    F: AsyncFnOnce(&mut Tx, &IncidentRow, DateTime<Utc>) -> CoreResult<serde_json::Value>,
{
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    if manage {
        ctx.require_in(Perm::IncidentsManage, r.community_id)?;
    }
    open(&r)?;
    let now = Utc::now();
    let after = f(&mut tx, &r, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "incident", id.0)
            .community(r.community_id)
            .after(&serde_json::json!({ what: after })),
    )
    .await?;
    let row = store::incidents::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("incident"))?;
    let v = view(&mut tx, ctx, row, true).await?;
    tx.commit().await?;
    Ok(v)
}

/// A manager acknowledges the incident: it is being handled, the ladder stops.
pub async fn acknowledge_incident(core: &Core, ctx: &Ctx, id: IncidentId) -> CoreResult<Incident> {
    change(core, ctx, id, true, "acknowledged", async |tx, r, now| {
        if store::incidents::acknowledge(tx, r.community_id, r.id, ctx.actor(), now).await? == 0 {
            return Err(CoreError::conflict(
                "state",
                IncidentCode::AlreadyAcknowledged,
            ));
        }
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::Acknowledged.code(),
            "",
            ctx.actor(),
        )
        .await?;
        Ok(serde_json::json!(now))
    })
    .await
}

/// Tells the next level of the ladder now (a manager who will not wait for its minutes).
pub async fn escalate_incident(core: &Core, ctx: &Ctx, id: IncidentId) -> CoreResult<Incident> {
    change(core, ctx, id, true, "escalated", async |tx, r, now| {
        let ladder = plan_for(tx, r).await?.map(|p| p.ladder).unwrap_or_default();
        let next = r.level + 1;
        if next as usize > ladder.len()
            || store::incidents::raise_level_by_hand(tx, r.community_id, r.id, next).await? == 0
        {
            return Err(CoreError::conflict("level", IncidentCode::LadderDone));
        }
        tell_level(core, tx, ctx, r, &ladder, next, EventKind::Escalated, now).await?;
        Ok(serde_json::json!(next))
    })
    .await
}

/// Ticks a step of the checklist with its time and who (any staff member on the scene).
pub async fn tick_step(core: &Core, ctx: &Ctx, id: IncidentId, step: i64) -> CoreResult<Incident> {
    change(core, ctx, id, false, "step", async |tx, r, now| {
        let steps = store::incidents::steps(tx, r.community_id, r.id).await?;
        let s = steps
            .iter()
            .find(|s| s.id == step)
            .ok_or_else(|| CoreError::invalid("step", IncidentCode::UnknownStep))?;
        if store::incidents::tick(tx, r.community_id, r.id, step, ctx.actor(), now).await? == 0 {
            return Err(CoreError::conflict("step", IncidentCode::StepDone));
        }
        let detail = format!("{}. {}", s.position, s.text);
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::Step.code(),
            &detail,
            ctx.actor(),
        )
        .await?;
        Ok(serde_json::json!(step))
    })
    .await
}

/// Adds a line to the timeline (what was seen, who arrived).
pub async fn add_incident_note(
    core: &Core,
    ctx: &Ctx,
    id: IncidentId,
    input: IncidentNote,
) -> CoreResult<Incident> {
    let text = input.text.trim().to_string();
    if text.is_empty() {
        return Err(CoreError::invalid("text", CommonCode::Required));
    }
    if text.chars().count() > 500 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("text", CommonCode::TooLong).with("max", 500),
        ]));
    }
    change(core, ctx, id, false, "note", async |tx, r, now| {
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::Note.code(),
            &text,
            ctx.actor(),
        )
        .await?;
        Ok(serde_json::json!(text))
    })
    .await
}

/// Tells the affected units in one step: a notice of category 停水停电 (sent at once, quiet
/// hours or not) scoped to the affected buildings (the units' buildings included; the whole
/// community when none), written and published with the timeline entry, once.
pub async fn notify_affected_units(
    core: &Core,
    ctx: &Ctx,
    id: IncidentId,
    input: UnitsNotice,
) -> CoreResult<Incident> {
    let body = input.body.trim().to_string();
    if body.is_empty() {
        return Err(CoreError::invalid("body", CommonCode::Required));
    }
    change(core, ctx, id, true, "units_notified", async |tx, r, now| {
        if r.notice_id.is_some() {
            return Err(CoreError::conflict("notice", IncidentCode::UnitsNotified));
        }
        let mut buildings: BTreeSet<BuildingId> =
            ids_of(r.buildings.as_deref()).into_iter().collect();
        let units: Vec<UnitId> = ids_of(r.units.as_deref());
        for (_, b, _) in
            crate::registry::store::for_community::units_among(tx, r.community_id, &units).await?
        {
            buildings.insert(b);
        }
        let title = input
            .title
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .unwrap_or(&r.title)
            .to_string();
        let scope = if buildings.is_empty() {
            "community"
        } else {
            "buildings"
        };
        let notice = AnnouncementForCreate {
            scope: scope.into(),
            category: "outage".into(),
            title: title.clone(),
            body: body.clone(),
            pinned: true,
            expires_at: None,
            building_ids: buildings.iter().copied().collect(),
        };
        let nid =
            crate::community::announcements::create_in(tx, ctx, r.community_id, notice).await?;
        crate::community::announcements::publish_in(core, tx, ctx, nid, Default::default()).await?;
        if store::incidents::set_notice(tx, r.community_id, r.id, nid).await? == 0 {
            return Err(CoreError::conflict("notice", IncidentCode::UnitsNotified));
        }
        let names: BTreeMap<BuildingId, String> =
            crate::registry::store::for_community::buildings(tx, r.community_id)
                .await?
                .into_iter()
                .collect();
        let whom: Vec<String> = buildings
            .iter()
            .filter_map(|b| names.get(b).cloned())
            .collect();
        let detail = format!(
            "公告《{title}》已发布：{}",
            if whom.is_empty() {
                "全小区".to_string()
            } else {
                whom.join("、")
            }
        );
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::UnitsNotified.code(),
            &detail,
            ctx.actor(),
        )
        .await?;
        Ok(serde_json::json!(nid))
    })
    .await
}

/// Closes the incident with the analysis and conclusion the audit sheet asks for (both
/// required, named by field).
pub async fn close_incident(
    core: &Core,
    ctx: &Ctx,
    id: IncidentId,
    input: IncidentForClose,
) -> CoreResult<Incident> {
    let analysis = input.analysis.trim().to_string();
    let conclusion = input.conclusion.trim().to_string();
    let mut errs = Vec::new();
    if analysis.is_empty() {
        errs.push(FieldError::new("analysis", IncidentCode::AnalysisRequired));
    }
    if conclusion.is_empty() {
        errs.push(FieldError::new(
            "conclusion",
            IncidentCode::ConclusionRequired,
        ));
    }
    for (f, t) in [("analysis", &analysis), ("conclusion", &conclusion)] {
        if t.chars().count() > 4000 {
            errs.push(FieldError::new(f, CommonCode::TooLong).with("max", 4000));
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    change(core, ctx, id, true, "closed", async |tx, r, now| {
        store::incidents::set_analysis(tx, r.community_id, r.id, &analysis, &conclusion).await?;
        let short: String = conclusion.chars().take(80).collect();
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::Analysis.code(),
            &short,
            ctx.actor(),
        )
        .await?;
        if store::incidents::close(tx, r.community_id, r.id, ctx.actor(), now).await? == 0 {
            return Err(CoreError::conflict("state", IncidentCode::NotOpen));
        }
        store::incidents::add_event(
            tx,
            r.community_id,
            r.id,
            now,
            EventKind::Closed.code(),
            "",
            ctx.actor(),
        )
        .await?;
        Ok(serde_json::json!(now))
    })
    .await
}

/// The job's lease name.
const JOB: &str = "incident_escalation";

fn node() -> &'static str {
    static NODE: OnceLock<String> = OnceLock::new();
    NODE.get_or_init(crate::shared::jobs::node_name)
}

/// One pass of escalation as of `now`: every open incident nobody acknowledged has the levels
/// whose minutes passed told, each level once (a conditional UPDATE of its level in the same
/// transaction as the messages). Runs under the job's lease: one node at a time. Returns how
/// many levels were told.
pub async fn run_escalations(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    if !crate::shared::jobs::claim_lease(core, JOB, node(), Duration::seconds(120), now).await? {
        return Ok(0);
    }
    let mut told = 0;
    for r in store::incidents::unacknowledged(&mut core.db.read(), 500).await? {
        let Some(company) =
            crate::registry::store::for_community::company_of(&mut core.db.read(), r.community_id)
                .await?
                .map(|(c, ..)| c)
        else {
            continue;
        };
        let ctx = Ctx::system_as(company, "job");
        let ladder = plan_for(&mut core.db.read(), &r)
            .await?
            .map(|p| p.ladder)
            .unwrap_or_default();
        for n in model::levels_due(&ladder, r.opened_at, r.level, now) {
            let mut tx = core.db.begin().await?;
            if store::incidents::raise_level(&mut tx, r.community_id, r.id, n).await? == 1 {
                tell_level(
                    core,
                    &mut tx,
                    &ctx,
                    &r,
                    &ladder,
                    n,
                    EventKind::Escalated,
                    now,
                )
                .await?;
                told += 1;
            }
            tx.commit().await?;
        }
    }
    crate::shared::jobs::finish_lease(core, JOB, node(), &format!("told {told}")).await?;
    Ok(told)
}

/// Runs [`run_escalations`] every `every` until the process ends.
pub fn spawn_escalations(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::shared::jobs::spawn_every(core, every, "incident escalations", |core| async move {
        run_escalations(&core, Utc::now()).await
    })
}

/// How many incidents of the community are open (the staff home page).
pub async fn open_incidents(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Incident>> {
    list_incidents(
        core,
        ctx,
        c,
        IncidentFilter {
            state: Some("open".into()),
        },
    )
    .await
}
