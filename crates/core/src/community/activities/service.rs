//! The staff's use cases of activities: plan, edit, open for sign-up (telling the community's
//! owners), cancel, and close with a summary; and reading them with their counts.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, ActivityState, Plan};
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::community_of;
use crate::community::error::CommunityCode;
use crate::community::store::activities::{self as store, ActivityRow, PlanText};
use crate::db::Queries;
use crate::notify::{self, InApp, Note, model::Event};
use crate::registry::store::for_community as registry;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;

/// An activity as staff and owners see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Activity {
    pub id: ActivityId,
    pub community_id: CommunityId,
    pub title: String,
    /// 活动目的.
    pub aim: String,
    /// 活动方案: programme, roles, safety.
    pub plan: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    /// Sign-up closes then (else at the start).
    pub signup_until: Option<DateTime<Utc>>,
    /// People; none: no limit.
    pub capacity: Option<i64>,
    /// Seats taken.
    pub confirmed: i64,
    pub waiting: i64,
    pub checked_in: i64,
    /// Yuan.
    pub budget: String,
    pub state: ActivityState,
    /// Whether people may sign up now.
    pub signup_open: bool,
    /// 活动总结, written when it is closed.
    pub summary: String,
    /// What it really cost, yuan (once closed).
    pub cost: Option<String>,
    pub opened_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActivityForSave {
    pub title: String,
    pub aim: String,
    #[serde(default)]
    pub plan: String,
    pub place: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub signup_until: Option<DateTime<Utc>>,
    /// People; absent: no limit.
    pub capacity: Option<i64>,
    /// Yuan, at most two decimals ("1200.00"); absent: none.
    pub budget: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ActivityForFinish {
    /// 活动总结: what happened, how many came, what to do better.
    pub summary: String,
    /// What it really cost, yuan.
    pub cost: String,
}

pub(super) fn decode(
    r: &ActivityRow,
    counts: (i64, i64),
    now: DateTime<Utc>,
) -> CoreResult<Activity> {
    let state = ActivityState::decode(&r.state)
        .ok_or_else(|| CoreError::internal(format!("activity {}: a stored state", r.id)))?;
    Ok(Activity {
        id: r.id,
        community_id: r.community_id,
        title: r.title.clone(),
        aim: r.aim.clone(),
        plan: r.plan.clone(),
        place: r.place.clone(),
        starts_at: r.starts_at,
        ends_at: r.ends_at,
        signup_until: r.signup_until,
        capacity: r.capacity,
        confirmed: r.taken,
        waiting: counts.0,
        checked_in: counts.1,
        budget: Money(r.budget_fen).to_string(),
        state,
        signup_open: model::signup_open(state, r.starts_at, r.signup_until, now),
        summary: r.summary.clone(),
        cost: r.cost_fen.map(|c| Money(c).to_string()),
        opened_at: r.opened_at,
        done_at: r.done_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub(super) async fn with_counts(
    q: &mut impl Queries,
    c: CommunityId,
    rows: &[ActivityRow],
    now: DateTime<Utc>,
) -> CoreResult<Vec<Activity>> {
    let ids: Vec<ActivityId> = rows.iter().map(|r| r.id).collect();
    let counts: BTreeMap<ActivityId, (i64, i64)> = store::counts(q, c, &ids)
        .await?
        .into_iter()
        .map(|(a, w, ch)| (a, (w, ch)))
        .collect();
    rows.iter()
        .map(|r| decode(r, counts.get(&r.id).copied().unwrap_or((0, 0)), now))
        .collect()
}

/// An activity the actor may run.
pub(super) async fn managed(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: ActivityId,
) -> CoreResult<ActivityRow> {
    let r = store::get(q, id)
        .await?
        .ok_or(CoreError::NotFound("activity"))?;
    if !ctx.reaches(r.community_id) {
        return Err(CoreError::NotFound("activity"));
    }
    community_of(q, ctx, r.community_id).await?;
    Ok(r)
}

fn checked(input: &ActivityForSave, now: DateTime<Utc>) -> CoreResult<i64> {
    let mut errs = model::check(
        &Plan {
            title: &input.title,
            aim: &input.aim,
            plan: &input.plan,
            place: &input.place,
            starts_at: input.starts_at,
            ends_at: input.ends_at,
            signup_until: input.signup_until,
            capacity: input.capacity,
        },
        now,
    );
    let budget = match input
        .budget
        .as_deref()
        .map(str::trim)
        .filter(|b| !b.is_empty())
    {
        Some(b) => match Money::from_yuan_str("budget", b) {
            Ok(m) if m.0 < 0 => {
                errs.push(FieldError::new("budget", CommonCode::NotANumber));
                0
            }
            Ok(m) => m.0,
            Err(e) => {
                errs.push(e);
                0
            }
        },
        None => 0,
    };
    if errs.is_empty() {
        Ok(budget)
    } else {
        Err(CoreError::Invalid(errs))
    }
}

fn text<'a>(input: &'a ActivityForSave, budget_fen: i64) -> PlanText<'a> {
    PlanText {
        title: input.title.trim(),
        aim: input.aim.trim(),
        plan: input.plan.trim(),
        place: input.place.trim(),
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        signup_until: input.signup_until,
        capacity: input.capacity,
        budget_fen,
    }
}

pub async fn list_activities(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    state: Option<&str>,
) -> CoreResult<Vec<Activity>> {
    let mut q = core.db.read();
    community_of(&mut q, ctx, c).await?;
    let state = match state.filter(|s| !s.is_empty()) {
        Some(s) => Some(
            ActivityState::decode(s)
                .ok_or_else(|| CoreError::invalid("state", CommunityCode::ActivityNotOpen))?
                .code(),
        ),
        None => None,
    };
    let rows = store::list(&mut q, c, state).await?;
    with_counts(&mut q, c, &rows, Utc::now()).await
}

pub async fn get_activity(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<Activity> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    let mut v = with_counts(&mut q, r.community_id, &[r], Utc::now()).await?;
    v.pop().ok_or(CoreError::NotFound("activity"))
}

async fn reread(
    tx: &mut crate::db::Tx,
    id: ActivityId,
    now: DateTime<Utc>,
) -> CoreResult<Activity> {
    let r = store::get(tx, id)
        .await?
        .ok_or(CoreError::NotFound("activity"))?;
    let mut v = with_counts(tx, r.community_id, &[r], now).await?;
    v.pop().ok_or(CoreError::NotFound("activity"))
}

/// Plans an activity (staff only see it until it is opened).
pub async fn create_activity(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: ActivityForSave,
) -> CoreResult<Activity> {
    let now = Utc::now();
    let budget = checked(&input, now)?;
    let mut tx = core.db.begin().await?;
    community_of(&mut tx, ctx, c).await?;
    let p = text(&input, budget);
    let id = store::insert(&mut tx, c, &p, ctx.actor(), now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "activity", id.0)
            .community(c)
            .after(
                &serde_json::json!({"title": p.title, "place": p.place, "starts_at": p.starts_at,
                                       "capacity": p.capacity, "budget_fen": p.budget_fen}),
            ),
    )
    .await?;
    let out = reread(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Edits a plan not yet opened.
pub async fn update_activity(
    core: &Core,
    ctx: &Ctx,
    id: ActivityId,
    input: ActivityForSave,
) -> CoreResult<Activity> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if r.state != ActivityState::Planned.code() {
        return Err(CoreError::conflict(
            "state",
            CommunityCode::ActivityNotPlanned,
        ));
    }
    let budget = checked(&input, now)?;
    let p = text(&input, budget);
    store::update_plan(&mut tx, id, &p, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "activity", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"title": &r.title, "starts_at": r.starts_at, "capacity": r.capacity}))
            .after(&serde_json::json!({"title": p.title, "starts_at": p.starts_at, "capacity": p.capacity})),
    )
    .await?;
    let out = reread(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Opens a planned activity for sign-up; the community's owners hear of it in the same
/// transaction (`activity_opened`).
pub async fn open_activity(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<Activity> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if r.state != ActivityState::Planned.code() {
        return Err(CoreError::conflict(
            "state",
            CommunityCode::ActivityNotPlanned,
        ));
    }
    if r.starts_at <= now {
        return Err(CoreError::invalid("starts_at", CommunityCode::StartsInPast));
    }
    store::move_state(&mut tx, id, &["planned"], "open", now).await?;
    let tz = registry::community(&mut tx, r.community_id, ctx.company_id)
        .await?
        .map(|(_, tz)| crate::shared::calendar::zone(&tz))
        .ok_or(CoreError::NotFound("community"))?;
    let owners: Vec<UserId> = crate::portal::store::community_accounts(&mut tx, r.community_id)
        .await?
        .into_iter()
        .map(|(_, u, _)| u)
        .collect();
    let note = Note {
        community: r.community_id,
        event: Event::ActivityOpened,
        params: vec![
            ("title".into(), r.title.clone()),
            (
                "date".into(),
                r.starts_at
                    .with_timezone(&tz)
                    .format("%m月%d日 %H:%M")
                    .to_string(),
            ),
        ],
        request: None,
        link: Some(format!("/portal/activities#a{id}")),
    };
    notify::enqueue_many(
        &core.channels,
        &mut tx,
        &[(note, owners)],
        InApp::Write,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "activity", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": &r.state}))
            .after(&serde_json::json!({"state": "open"})),
    )
    .await?;
    let out = reread(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Cancels a planned or open activity.
pub async fn cancel_activity(core: &Core, ctx: &Ctx, id: ActivityId) -> CoreResult<Activity> {
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if store::move_state(&mut tx, id, &["planned", "open"], "cancelled", now).await? == 0 {
        return Err(CoreError::conflict("state", CommunityCode::ActivityClosed));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "activity", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": &r.state}))
            .after(&serde_json::json!({"state": "cancelled"})),
    )
    .await?;
    let out = reread(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(out)
}

/// Closes an open activity with its summary and real cost (活动总结), once it has begun.
pub async fn finish_activity(
    core: &Core,
    ctx: &Ctx,
    id: ActivityId,
    input: ActivityForFinish,
) -> CoreResult<Activity> {
    let now = Utc::now();
    let mut errs = Vec::new();
    let summary = input.summary.trim();
    if summary.is_empty() {
        errs.push(FieldError::new("summary", CommonCode::Required));
    } else if summary.chars().count() > 10_000 {
        errs.push(FieldError::new("summary", CommonCode::TooLong).with("max", 10_000));
    }
    let cost = match Money::from_yuan_str("cost", input.cost.trim()) {
        Ok(m) if m.0 < 0 => {
            errs.push(FieldError::new("cost", CommonCode::NotANumber));
            0
        }
        Ok(m) => m.0,
        Err(e) => {
            errs.push(e);
            0
        }
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    if r.state != ActivityState::Open.code() {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    if r.starts_at > now {
        return Err(CoreError::conflict("state", CommunityCode::ActivityNotOpen));
    }
    store::finish(&mut tx, id, summary, cost, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "activity", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": &r.state}))
            .after(&serde_json::json!({"state": "done", "cost_fen": cost})),
    )
    .await?;
    let out = reread(&mut tx, id, now).await?;
    tx.commit().await?;
    Ok(out)
}
