//! Maintenance plans (保养计划): their checks and writes, adopting the manuals' defaults in one
//! step, and the job that makes each plan's orders ahead of their due date (once per occasion:
//! the order's unique key) and tells the managers and the assignee once when an order is overdue
//! (a conditional UPDATE claims the notice). The job runs under a lease on every node; a manager
//! may run it for his community "as of" a date to catch up.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{may_see, today_in, zone_of};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::equipment::error::EquipmentCode;
use crate::equipment::model::{
    self, Anchor, DEFAULT_PLANS, Frequency, LastOrder, Performer, Schedule, System,
};
use crate::equipment::store;
use crate::equipment::store::maintenance::{NewOrder, PlanFields, PlanRow};
use crate::notify::{InApp, Note, model::Event};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// A maintenance plan.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MaintenancePlan {
    pub id: MaintenancePlanId,
    pub community_id: CommunityId,
    /// The item it maintains; none: the whole system of the community.
    pub equipment_id: Option<EquipmentId>,
    pub system: System,
    pub title: String,
    pub frequency: Frequency,
    /// N of every N days, weeks or months.
    pub every: i64,
    /// The months of "on given months".
    pub months: Vec<u32>,
    pub day_of_month: Option<i64>,
    pub anchor: Anchor,
    pub start_on: NaiveDate,
    /// Meter plans: the meter watched (运行小时), every how many units, and the reading at which
    /// the next order is made.
    pub meter: Option<String>,
    pub threshold: Option<String>,
    pub next_at_reading: Option<String>,
    pub checklist: Vec<String>,
    pub required_attachments: Vec<String>,
    pub performer: Performer,
    pub contractor: Option<String>,
    pub assignee_id: Option<UserId>,
    pub lead_days: i64,
    pub active: bool,
    /// The manuals' default it was adopted from.
    pub template_key: Option<String>,
}

/// A plan as entered. Calendar plans: `frequency` `days`, `weeks` or `months` with `every`, or
/// `on_months` with `months` ("3,9") and `day`; `anchor` `schedule` (default) or `completion`.
/// Meter plans: `frequency` `meter` with `meter` (运行小时) and `threshold` (every how many
/// units), on an item.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PlanForUpdate {
    #[serde(default)]
    pub equipment_id: Option<EquipmentId>,
    /// The system, for a plan of a whole system (taken from the item otherwise).
    #[serde(default)]
    pub system: Option<String>,
    pub title: String,
    pub frequency: String,
    #[serde(default)]
    pub every: Option<i64>,
    #[serde(default)]
    pub months: Option<String>,
    #[serde(default)]
    pub day: Option<i64>,
    #[serde(default)]
    pub anchor: Option<String>,
    pub start_on: String,
    #[serde(default)]
    pub meter: Option<String>,
    #[serde(default)]
    pub threshold: Option<String>,
    #[serde(default)]
    pub checklist: Vec<String>,
    #[serde(default)]
    pub required_attachments: Vec<String>,
    /// `staff` (default) or `contractor` (then `contractor` names it).
    #[serde(default)]
    pub performer: Option<String>,
    #[serde(default)]
    pub contractor: Option<String>,
    #[serde(default)]
    pub assignee_id: Option<UserId>,
    #[serde(default)]
    pub lead_days: Option<i64>,
    #[serde(default)]
    pub active: Option<bool>,
}

/// What adopting the defaults did.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = MaintenanceDefaultsAdopted)]
pub struct Adopted {
    /// Plans created now.
    pub created: usize,
    /// Defaults the community had adopted already.
    pub existing: usize,
}

/// What a pass of the maintenance job did.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct MaintenanceRun {
    /// Orders made.
    pub created: usize,
    /// Overdue orders whose people were told.
    pub notified: usize,
}

fn join_lines(v: &[String]) -> String {
    v.iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

pub(crate) fn plan_of(r: PlanRow) -> CoreResult<MaintenancePlan> {
    Ok(MaintenancePlan {
        id: r.id,
        community_id: r.community_id,
        equipment_id: r.equipment_id,
        system: System::from_stored(&r.system)?,
        title: r.title,
        frequency: Frequency::from_stored(&r.frequency)?,
        every: r.interval_n,
        months: r
            .months
            .as_deref()
            .and_then(|m| model::parse_months(m).ok())
            .unwrap_or_default(),
        day_of_month: r.day_of_month,
        anchor: Anchor::from_stored(&r.anchor)?,
        start_on: r.start_on,
        meter: r.meter,
        threshold: r.threshold_milli.map(model::show_value),
        next_at_reading: r.meter_next_milli.map(model::show_value),
        checklist: model::lines(&r.checklist),
        required_attachments: model::lines(&r.required_attachments),
        performer: Performer::from_stored(&r.performer)?,
        contractor: r.contractor,
        assignee_id: r.assignee_id,
        lead_days: r.lead_days,
        active: r.active,
        template_key: r.template_key,
    })
}

/// The schedule of a calendar plan (none for a meter plan).
pub(crate) fn schedule_of(r: &PlanRow) -> CoreResult<Option<Schedule>> {
    let frequency = Frequency::from_stored(&r.frequency)?;
    if frequency == Frequency::Meter {
        return Ok(None);
    }
    Ok(Some(Schedule {
        frequency,
        every: u32::try_from(r.interval_n.max(1)).unwrap_or(1),
        months: r
            .months
            .as_deref()
            .and_then(|m| model::parse_months(m).ok())
            .unwrap_or_default(),
        day: u32::try_from(r.day_of_month.unwrap_or(1).clamp(1, 31)).unwrap_or(1),
        anchor: Anchor::from_stored(&r.anchor)?,
        start_on: r.start_on,
    }))
}

pub(crate) async fn plans_of(
    q: &mut impl Queries,
    community: CommunityId,
    item: Option<EquipmentId>,
) -> CoreResult<Vec<MaintenancePlan>> {
    store::maintenance::plans(q, community, item)
        .await?
        .into_iter()
        .map(plan_of)
        .collect()
}

/// Checks a plan as entered; every refused field is named.
async fn check_plan(
    q: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    input: &PlanForUpdate,
) -> CoreResult<PlanFields> {
    let mut c = Checks::new();
    let title = c.take(model::text(
        "title",
        Some(&input.title),
        true,
        model::MAX_NAME,
    ));
    let frequency = c.take(Frequency::parse("frequency", &input.frequency));
    let anchor = match input.anchor.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(a) => c.take(Anchor::parse("anchor", a)),
        None => Some(Anchor::Schedule),
    };
    let performer = match input.performer.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(p) => c.take(Performer::parse("performer", p)),
        None => Some(Performer::Staff),
    };
    let contractor = c.take(model::text(
        "contractor",
        input.contractor.as_deref(),
        false,
        model::MAX_NAME,
    ));
    if performer == Some(Performer::Contractor) && matches!(contractor, Some(None)) {
        c.push(FieldError::new(
            "contractor",
            EquipmentCode::ContractorRequired,
        ));
    }
    let start_on = match c.take(model::date("start_on", Some(&input.start_on))) {
        Some(None) => {
            c.push(FieldError::new("start_on", CommonCode::Required));
            None
        }
        d => d.flatten(),
    };
    let item = match input.equipment_id {
        Some(i) => match store::items::get_in(q, community, i).await? {
            Some(r) => Some(r),
            None => {
                c.push(FieldError::new("equipment_id", EquipmentCode::UnknownItem));
                None
            }
        },
        None => None,
    };
    let system = match (
        &item,
        input.system.as_deref().filter(|s| !s.trim().is_empty()),
    ) {
        (Some(r), _) => System::from_stored(&r.system).ok(),
        (None, Some(s)) => c.take(System::parse("system", s)),
        (None, None) => {
            c.push(FieldError::new("system", CommonCode::Choose));
            None
        }
    };
    let every = input.every.unwrap_or(1);
    let (mut months, mut day, mut meter, mut threshold) = (None, None, None, None);
    match frequency {
        Some(Frequency::Days | Frequency::Weeks | Frequency::Months)
            if !(1..=366).contains(&every) =>
        {
            c.push(FieldError::new("every", CommonCode::MustBePositive));
        }
        Some(Frequency::OnMonths) => {
            if let Some(m) = c.take(model::parse_months(input.months.as_deref().unwrap_or(""))) {
                months = Some(m.iter().map(u32::to_string).collect::<Vec<_>>().join(","));
            }
            let d = input.day.unwrap_or(1);
            if !(1..=31).contains(&d) {
                c.push(FieldError::new("day", EquipmentCode::DayRange));
            }
            day = Some(d);
        }
        Some(Frequency::Meter) => {
            if input.equipment_id.is_none() {
                c.push(FieldError::new(
                    "equipment_id",
                    EquipmentCode::MeterNeedsItem,
                ));
            }
            meter = c
                .take(model::text("meter", input.meter.as_deref(), true, 30))
                .flatten();
            match c.take(model::parse_value(
                "threshold",
                input.threshold.as_deref().unwrap_or(""),
            )) {
                Some(t) if t <= 0 => {
                    c.push(FieldError::new("threshold", CommonCode::MustBePositive))
                }
                Some(t) => threshold = Some(t),
                None => {}
            }
        }
        _ => {}
    }
    let lead_days = input.lead_days.unwrap_or(model::DEFAULT_LEAD_DAYS);
    if !(0..=90).contains(&lead_days) {
        c.push(FieldError::new("lead_days", CommonCode::Invalid));
    }
    if input.checklist.len() > model::MAX_CHECKLIST {
        c.push(FieldError::new("checklist", CommonCode::TooLong).with("max", model::MAX_CHECKLIST));
    }
    if let Some(a) = input.assignee_id {
        let staff = crate::auth::store::for_tickets::users_with_perm(
            q,
            ctx.company_id,
            community,
            Perm::EquipmentWork.code(),
            true,
        )
        .await?;
        if !staff.iter().any(|(u, _)| *u == a) {
            c.push(FieldError::new(
                "assignee_id",
                EquipmentCode::UnknownAssignee,
            ));
        }
    }
    c.finish()?;
    Ok(PlanFields {
        equipment_id: input.equipment_id,
        system: system.map(|s| s.code()).unwrap_or("other").to_string(),
        title: title.flatten().unwrap_or_default(),
        frequency: frequency.map(|f| f.code()).unwrap_or_default().to_string(),
        interval_n: every,
        months,
        day_of_month: day,
        anchor: anchor.map(|a| a.code()).unwrap_or("schedule").to_string(),
        start_on: start_on.unwrap_or_default(),
        meter,
        threshold_milli: threshold,
        checklist: join_lines(&input.checklist),
        required_attachments: join_lines(&input.required_attachments),
        performer: performer.map(|p| p.code()).unwrap_or("staff").to_string(),
        contractor: contractor.flatten(),
        assignee_id: input.assignee_id,
        lead_days,
        active: input.active.unwrap_or(true),
    })
}

/// The reading at which a meter plan's first order falls due: the meter's latest reading (or 0)
/// plus the threshold.
async fn first_threshold(
    q: &mut impl Queries,
    community: CommunityId,
    f: &PlanFields,
) -> CoreResult<Option<i64>> {
    match (f.equipment_id, f.meter.as_deref(), f.threshold_milli) {
        (Some(i), Some(m), Some(t)) => {
            let last = store::maintenance::latest_value(q, community, i, m).await?;
            Ok(Some(last.unwrap_or(0) + t))
        }
        _ => Ok(None),
    }
}

/// A community's plans.
pub async fn list_plans(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<MaintenancePlan>> {
    may_see(ctx, community)?;
    plans_of(&mut core.db.read(), community, None).await
}

async fn managed_plan(core: &Core, ctx: &Ctx, id: MaintenancePlanId) -> CoreResult<PlanRow> {
    let r = store::maintenance::get_plan(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("plan"))?;
    may_see(ctx, r.community_id)?;
    Ok(r)
}

pub async fn get_plan(
    core: &Core,
    ctx: &Ctx,
    id: MaintenancePlanId,
) -> CoreResult<MaintenancePlan> {
    plan_of(managed_plan(core, ctx, id).await?)
}

/// Makes a plan (needs `equipment.manage`).
pub async fn create_plan(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: PlanForUpdate,
) -> CoreResult<MaintenancePlan> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let mut tx = core.db.begin().await?;
    let f = check_plan(&mut tx, ctx, community, &input).await?;
    let next = first_threshold(&mut tx, community, &f).await?;
    let id = store::maintenance::insert_plan(
        &mut tx,
        community,
        &f,
        next,
        None,
        ctx.actor(),
        Utc::now(),
    )
    .await?
    .ok_or_else(|| CoreError::internal("plan not written"))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "maintenance_plan", id.0)
            .community(community)
            .after(&serde_json::json!({ "title": f.title, "frequency": f.frequency })),
    )
    .await?;
    tx.commit().await?;
    get_plan(core, ctx, id).await
}

/// Rewrites a plan (needs `equipment.manage`); its orders made so far stay as they are.
pub async fn update_plan(
    core: &Core,
    ctx: &Ctx,
    id: MaintenancePlanId,
    input: PlanForUpdate,
) -> CoreResult<MaintenancePlan> {
    let r = managed_plan(core, ctx, id).await?;
    ctx.require(Perm::EquipmentManage)?;
    let c = r.community_id;
    let mut tx = core.db.begin().await?;
    let f = check_plan(&mut tx, ctx, c, &input).await?;
    // A meter plan keeps its next threshold unless what it watches changed.
    let next = if f.meter == r.meter
        && f.threshold_milli == r.threshold_milli
        && f.equipment_id == r.equipment_id
    {
        r.meter_next_milli
    } else {
        first_threshold(&mut tx, c, &f).await?
    };
    store::maintenance::update_plan(&mut tx, c, id, &f, next, Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "maintenance_plan", id.0)
            .community(c)
            .before(&serde_json::json!({ "title": r.title, "frequency": r.frequency, "active": r.active }))
            .after(&serde_json::json!({ "title": f.title, "frequency": f.frequency, "active": f.active })),
    )
    .await?;
    tx.commit().await?;
    get_plan(core, ctx, id).await
}

/// Adopts the manuals' default plans (seed 002) in one step, as plans of whole systems starting
/// on `start_on`: water tanks cleaned in April and October with the test report, drainage
/// checked monthly, the septic tank cleared yearly, fire equipment inspected monthly and fully
/// tested yearly with the contractor's report, the generator test-run monthly, one safety survey
/// of common parts a year. Adopting twice adds nothing (one plan per default and community).
pub async fn adopt_defaults(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    start_on: NaiveDate,
) -> CoreResult<Adopted> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let mut tx = core.db.begin().await?;
    let now = Utc::now();
    let (mut created, mut existing) = (0, 0);
    for d in DEFAULT_PLANS {
        let f = PlanFields {
            equipment_id: None,
            system: d.system.code().to_string(),
            title: d.title.to_string(),
            frequency: d.frequency.code().to_string(),
            interval_n: i64::from(d.every),
            months: (!d.months.is_empty()).then(|| {
                d.months
                    .iter()
                    .map(u32::to_string)
                    .collect::<Vec<_>>()
                    .join(",")
            }),
            day_of_month: (d.frequency == Frequency::OnMonths).then_some(i64::from(d.day)),
            anchor: Anchor::Schedule.code().to_string(),
            start_on,
            meter: None,
            threshold_milli: None,
            checklist: d.checklist.join("\n"),
            required_attachments: d.required_attachments.join("\n"),
            performer: d.performer.code().to_string(),
            contractor: (d.performer == Performer::Contractor).then(|| "外包维保单位".to_string()),
            assignee_id: None,
            lead_days: model::DEFAULT_LEAD_DAYS,
            active: true,
        };
        match store::maintenance::insert_plan(
            &mut tx,
            community,
            &f,
            None,
            Some(d.key),
            ctx.actor(),
            now,
        )
        .await?
        {
            Some(id) => {
                created += 1;
                audit::record(
                    &mut tx,
                    ctx,
                    Entry::new(Action::Create, "maintenance_plan", id.0)
                        .community(community)
                        .after(&serde_json::json!({ "title": d.title, "template": d.key })),
                )
                .await?;
            }
            None => existing += 1,
        }
    }
    tx.commit().await?;
    Ok(Adopted { created, existing })
}

/// Makes the orders of one plan due by `today + lead days`, each once. Returns how many.
async fn generate_for(
    tx: &mut Tx,
    p: &PlanRow,
    today: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let Some(s) = schedule_of(p)? else {
        return Ok(0);
    };
    let horizon = today + Duration::days(p.lead_days.max(0));
    let mut made = 0;
    // A plan far behind catches up a bounded number of orders per pass.
    for _ in 0..50 {
        let last = store::maintenance::last_calendar_order(tx, p.community_id, p.id)
            .await?
            .map(|(due_on, done_on)| LastOrder { due_on, done_on });
        let Some(due) = model::next_due(&s, last) else {
            break;
        };
        if due > horizon {
            break;
        }
        let o = NewOrder {
            plan: p,
            slot: due.to_string(),
            due_on: due,
            meter_value: None,
        };
        if store::maintenance::insert_order(tx, &o, now)
            .await?
            .is_none()
        {
            break;
        }
        made += 1;
    }
    Ok(made)
}

/// Tells the community's equipment managers and the assignee that an order is overdue, once.
async fn notify_overdue(
    core: &Core,
    tx: &mut Tx,
    company: CompanyId,
    o: &store::maintenance::OrderRow,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    if !store::maintenance::claim_overdue_notice(tx, o.community_id, o.id, now).await? {
        return Ok(false);
    }
    let mut to: Vec<UserId> = crate::auth::store::for_tickets::users_with_perm(
        tx,
        company,
        o.community_id,
        Perm::EquipmentManage.code(),
        false,
    )
    .await?
    .into_iter()
    .map(|(u, _)| u)
    .collect();
    to.extend(o.assignee_id);
    to.sort();
    to.dedup();
    let note = Note {
        community: o.community_id,
        event: Event::MaintenanceOverdue,
        params: vec![
            ("title".into(), o.title.clone()),
            ("due".into(), o.due_on.to_string()),
        ],
        request: None,
        link: Some(format!("/maintenance/orders/{}", o.id)),
    };
    crate::notify::enqueue(&core.channels, tx, &note, &to, InApp::Write, now).await?;
    Ok(true)
}

/// One pass for one community as of `today`: its plans' orders, then its overdue notices.
async fn run_community(
    core: &Core,
    community: CommunityId,
    plans: &[PlanRow],
    today: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<MaintenanceRun> {
    let mut run = MaintenanceRun::default();
    for p in plans.iter().filter(|p| p.community_id == community) {
        let mut tx = core.db.begin().await?;
        run.created += generate_for(&mut tx, p, today, now).await?;
        tx.commit().await?;
    }
    let mut q = core.db.read();
    let (company, _) = zone_of(&mut q, community).await?;
    let due = store::maintenance::overdue_unnotified(&mut q, Some(community), today).await?;
    drop(q);
    for o in due {
        let mut tx = core.db.begin().await?;
        if notify_overdue(core, &mut tx, company, &o, now).await? {
            run.notified += 1;
        }
        tx.commit().await?;
    }
    Ok(run)
}

/// Runs the maintenance job for one community as of a date (a manager catching up, or a test):
/// makes the orders due by then and tells of the orders overdue by then. Needs
/// `equipment.manage`. Running it twice makes nothing new.
pub async fn run_maintenance_as_of(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    as_of: NaiveDate,
) -> CoreResult<MaintenanceRun> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let plans = store::maintenance::calendar_plans(&mut core.db.read(), Some(community)).await?;
    run_community(core, community, &plans, as_of, Utc::now()).await
}

/// One pass of the job over every community, each as of its own today.
pub async fn run_maintenance(core: &Core, now: DateTime<Utc>) -> CoreResult<MaintenanceRun> {
    let plans = store::maintenance::calendar_plans(&mut core.db.read(), None).await?;
    let mut communities: Vec<CommunityId> = plans.iter().map(|p| p.community_id).collect();
    // Overdue orders of communities without calendar plans (meter orders) count too.
    let tomorrow = now.date_naive() + Duration::days(1);
    communities.extend(
        store::maintenance::overdue_unnotified(&mut core.db.read(), None, tomorrow)
            .await?
            .iter()
            .map(|o| o.community_id),
    );
    communities.sort();
    communities.dedup();
    let mut total = MaintenanceRun::default();
    for c in communities {
        let (_, tz) = zone_of(&mut core.db.read(), c).await?;
        let r = run_community(core, c, &plans, today_in(tz, now), now).await?;
        total.created += r.created;
        total.notified += r.notified;
    }
    Ok(total)
}

/// Runs [`run_maintenance`] every `every` under the job's lease until the process ends.
pub fn spawn_maintenance(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let node = crate::shared::jobs::node_name();
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let now = Utc::now();
            let lease = Duration::seconds(i64::try_from(every.as_secs()).unwrap_or(60).max(30) * 2);
            match crate::shared::jobs::claim_lease(&core, "maintenance", &node, lease, now).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(e) => {
                    tracing::error!(error = %e, "maintenance lease failed");
                    continue;
                }
            }
            let result = match run_maintenance(&core, now).await {
                Ok(r) => {
                    if r.created + r.notified > 0 {
                        tracing::info!(
                            orders = r.created,
                            overdue = r.notified,
                            "maintenance job ran"
                        );
                    }
                    format!("ok: {} orders, {} overdue told", r.created, r.notified)
                }
                Err(e) => {
                    tracing::error!(error = %e, "maintenance job failed");
                    format!("error: {e}")
                }
            };
            let _ = crate::shared::jobs::finish_lease(&core, "maintenance", &node, &result).await;
        }
    })
}
