//! Use cases of requests and work orders. Every write authorizes with `Ctx`, validates the whole
//! input, runs in one transaction that also writes the timeline and the audit log, and guards
//! its UPDATE with the state it read, so two people acting at once cannot both succeed (two
//! technicians grabbing one order: exactly one wins, the other gets `request_already_taken`).

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::Serialize;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Args, Queries, Tx};
use crate::shared::crypto::mask_phone;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_multiline, optional_text};

use super::model::*;
use super::store::{self, *};

pub(super) fn invalid(field: &str, code: &'static str) -> CoreError {
    CoreError::invalid(field, code)
}

/// A category code: 1–30 of a-z, 0-9, `_`, `-` (stored lower-case; `doors_locks`).
pub fn parse_category_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Err(FieldError::new(field, "required"));
    }
    if s.chars().count() > 30
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(FieldError::new(field, "invalid_code"));
    }
    Ok(s)
}

/// Staff who deal with requests (owners are not).
pub fn is_staff(ctx: &Ctx) -> bool {
    [
        Perm::TicketsRegister,
        Perm::TicketsDispatch,
        Perm::TicketsWork,
        Perm::TicketsManage,
    ]
    .into_iter()
    .any(|p| ctx.has(p))
}

pub(super) use crate::shared::calendar::zone as tz_of;

/// The community's company check and time zone; an unreachable community is `NotFound`.
pub(super) async fn community_tz(
    tx: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Tz> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    let row: Option<(String,)> = tx
        .fetch_optional(
            "SELECT timezone FROM communities WHERE id = $1 AND company_id = $2",
            args![c, ctx.company_id],
        )
        .await?;
    row.map(|(t,)| tz_of(&t))
        .ok_or(CoreError::NotFound("community"))
}

/// May the actor see this request? Dispatchers and managers see every request of their
/// communities; others see what they registered, what is assigned to them, and the pool.
fn may_see(ctx: &Ctx, r: &RequestRow) -> bool {
    if !ctx.reaches(r.community_id) {
        return false;
    }
    ctx.has(Perm::TicketsDispatch)
        || ctx.has(Perm::TicketsManage)
        || r.first_responder_id == ctx.user_id
        || r.assignee_id == Some(ctx.user_id)
        || (r.state == RequestState::Pooled.code() && ctx.has(Perm::TicketsWork))
}

fn clock_from_row(c: &ClockRow, now: DateTime<Utc>) -> Option<Clock> {
    let kind = ClockKind::parse("clock", &c.clock).ok()?;
    let paused = c.paused_since.is_some();
    // A paused clock's remaining time is frozen at the moment it stopped.
    let reference = c.paused_since.unwrap_or(now);
    Some(Clock {
        clock: kind,
        started_at: c.started_at,
        due_at: c.due_at,
        warn_at: c.warn_at,
        met_at: c.met_at,
        paused,
        escalated: c.breached_at.is_some(),
        status: clock_status(now, c.due_at, c.warn_at, c.met_at, c.paused_since),
        remaining_seconds: c
            .met_at
            .is_none()
            .then(|| (c.due_at - reference).num_seconds()),
    })
}

/// Worst first: breached, at risk, running, paused, met; then by due time.
pub(super) fn clock_rank(c: &Clock) -> (u8, DateTime<Utc>) {
    let r = match c.status {
        ClockStatus::Breached if c.met_at.is_none() => 0,
        ClockStatus::AtRisk => 1,
        ClockStatus::Running => 2,
        ClockStatus::Paused => 3,
        ClockStatus::Breached => 4,
        ClockStatus::Met => 5,
    };
    (r, c.due_at)
}

fn request_from_row(core: &Core, r: RequestRow, clocks: Vec<Clock>) -> Request {
    // The scanner does not write the request row (it would lock it after the clock rows, the
    // other order from an action's): its escalations are counted from the clocks.
    let escalations = r.escalations + clocks.iter().filter(|c| c.escalated).count() as i64;
    let phone = r
        .contact_phone_enc
        .as_deref()
        .and_then(|b| core.crypto.decrypt(b).ok())
        .map(|p| mask_phone(&p));
    Request {
        id: r.id,
        community_id: r.community_id,
        number: r.number,
        kind: RequestKind::parse("kind", &r.kind).unwrap_or(RequestKind::Help),
        category: r.category,
        channel: Channel::parse("channel", &r.channel).unwrap_or(Channel::Internal),
        urgency: Urgency::parse("urgency", &r.urgency).unwrap_or(Urgency::Normal),
        complex: r.complex,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        location: r.location,
        contact_name: r.contact_name,
        contact_phone: phone,
        description: r.description,
        state: RequestState::parse("state", &r.state).unwrap_or(RequestState::Registered),
        hold_reason: r.hold_reason,
        first_responder_id: r.first_responder_id,
        first_responder_name: r.first_responder_name,
        assignee_id: r.assignee_id,
        assignee_name: r.assignee_name,
        team_id: r.team_id,
        team_name: r.team_name,
        promise_at: r.promise_at,
        promise_postponed: r.promise_postponed,
        escalations,
        reopen_count: r.reopen_count,
        materials: r.materials,
        labour_minutes: r.labour_minutes,
        charge_fen: r.charge_fen,
        satisfaction: r.satisfaction,
        rating_comment: r.rating_comment,
        rated_via: r.rated_via,
        created_at: r.created_at,
        updated_at: r.updated_at,
        accepted_at: r.accepted_at,
        on_site_at: r.on_site_at,
        done_at: r.done_at,
        closed_at: r.closed_at,
        clocks,
    }
}

/// Requests with their clocks (one query for all the clocks of the page).
async fn with_clocks(
    core: &Core,
    rows: Vec<RequestRow>,
    now: DateTime<Utc>,
) -> CoreResult<Vec<Request>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let ids: Vec<RequestId> = rows.iter().map(|r| r.id).collect();
    let communities: Vec<CommunityId> = {
        let mut c: Vec<CommunityId> = rows.iter().map(|r| r.community_id).collect();
        c.sort();
        c.dedup();
        c
    };
    let cc = in_list(&mut a, "community_id", &communities);
    let rc = in_list(&mut a, "request_id", &ids);
    let clocks: Vec<ClockRow> = core
        .db
        .fetch_all_inline(
            &format!("SELECT {CLOCK_COLS} FROM request_clocks WHERE {cc} AND {rc}"),
            a,
        )
        .await?;
    let mut by_req: std::collections::HashMap<RequestId, Vec<Clock>> = Default::default();
    for c in &clocks {
        if let Some(k) = clock_from_row(c, now) {
            by_req.entry(c.request_id).or_default().push(k);
        }
    }
    Ok(rows
        .into_iter()
        .map(|r| {
            let mut cl = by_req.remove(&r.id).unwrap_or_default();
            cl.sort_by_key(clock_rank);
            request_from_row(core, r, cl)
        })
        .collect())
}

async fn load_row(core: &Core, id: RequestId) -> CoreResult<Option<RequestRow>> {
    core.db
        .read()
        .fetch_optional(&format!("{REQUEST_SELECT} WHERE r.id = $1"), args![id])
        .await
}

pub async fn get_request(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Request> {
    let row = load_row(core, id)
        .await?
        .filter(|r| may_see(ctx, r))
        .ok_or(CoreError::NotFound("request"))?;
    with_clocks(core, vec![row], Utc::now())
        .await?
        .pop()
        .ok_or(CoreError::NotFound("request"))
}

pub async fn timeline(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Vec<Event>> {
    let r = get_request(core, ctx, id).await?;
    core.db
        .read()
        .fetch_all(
            "SELECT id, at, actor_id, actor_name, action, from_state, to_state, note, assignee_id \
             FROM request_events WHERE community_id = $1 AND request_id = $2 ORDER BY id",
            args![r.community_id, id],
        )
        .await
}

/// Requests the actor may see, newest first. `view`: `mine` (I registered them, 首问),
/// `assigned` (my work orders), `pool` (open to grab), or all the actor may see.
pub async fn list_requests(core: &Core, ctx: &Ctx, f: &RequestFilter) -> CoreResult<Vec<Request>> {
    let ids = match f.community_id {
        Some(c) => {
            if !ctx.reaches(c) {
                return Err(CoreError::NotFound("community"));
            }
            vec![c]
        }
        None => crate::registry::reachable_communities(core, ctx).await?,
    };
    let sees_all = ctx.has(Perm::TicketsDispatch) || ctx.has(Perm::TicketsManage);
    if !sees_all && !ctx.has(Perm::TicketsRegister) && !ctx.has(Perm::TicketsWork) {
        return Err(CoreError::Forbidden);
    }
    let mut a = Args::new();
    let mut sql = format!(
        "{REQUEST_SELECT} WHERE {}",
        in_list(&mut a, "r.community_id", &ids)
    );
    let me = ctx.user_id;
    match f.view.as_deref().unwrap_or("") {
        "mine" => sql.push_str(&format!(" AND r.first_responder_id = {}", a.push(me))),
        "assigned" => sql.push_str(&format!(" AND r.assignee_id = {}", a.push(me))),
        "pool" => {
            if !ctx.has(Perm::TicketsWork) {
                return Err(CoreError::Forbidden);
            }
            let st = a.push(RequestState::Pooled.code());
            let mine = super::teams::pool_condition(&mut a, me);
            sql.push_str(&format!(" AND r.state = {st} AND {mine}"));
        }
        "" | "all" => {
            if !sees_all {
                let m1 = a.push(me);
                let m2 = a.push(me);
                let pool = if ctx.has(Perm::TicketsWork) {
                    format!(" OR r.state = {}", a.push(RequestState::Pooled.code()))
                } else {
                    String::new()
                };
                sql.push_str(&format!(
                    " AND (r.first_responder_id = {m1} OR r.assignee_id = {m2}{pool})"
                ));
            }
        }
        _ => return Err(invalid("view", "unknown_view")),
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        let s = RequestState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?;
        sql.push_str(&format!(" AND r.state = {}", a.push(s.code())));
    } else if f.open.unwrap_or(false) {
        sql.push_str(&format!(
            " AND r.state NOT IN ({}, {})",
            a.push(RequestState::Closed.code()),
            a.push(RequestState::Cancelled.code())
        ));
    }
    if let Some(k) = f.kind.as_deref().filter(|s| !s.is_empty()) {
        let k = RequestKind::parse("kind", k).map_err(|e| CoreError::Invalid(vec![e]))?;
        sql.push_str(&format!(" AND r.kind = {}", a.push(k.code())));
    }
    if let Some(c) = f.category.as_deref().filter(|s| !s.is_empty()) {
        let c = crate::shared::values::query_text("category", c, 30)
            .map_err(|e| CoreError::Invalid(vec![e]))?;
        sql.push_str(&format!(" AND r.category = {}", a.push(c)));
    }
    if let Some(u) = f.assignee_id {
        sql.push_str(&format!(" AND r.assignee_id = {}", a.push(u)));
    }
    if let Some(u) = f.unit_id {
        sql.push_str(&format!(" AND r.unit_id = {}", a.push(u)));
    }
    if let Some(b) = f.before_id {
        sql.push_str(&format!(" AND r.id < {}", a.push(b)));
    }
    let limit = f.limit.unwrap_or(100).clamp(1, 500);
    sql.push_str(&format!(" ORDER BY r.id DESC LIMIT {limit}"));
    let rows: Vec<RequestRow> = core.db.fetch_all_inline(&sql, a).await?;
    with_clocks(core, rows, Utc::now()).await
}

/// The manager's board: open requests, breached clocks first, then at-risk ones, then by the
/// nearest deadline.
pub async fn board(core: &Core, ctx: &Ctx, mut f: RequestFilter) -> CoreResult<Vec<Request>> {
    if !(ctx.has(Perm::TicketsDispatch) || ctx.has(Perm::TicketsManage)) {
        return Err(CoreError::Forbidden);
    }
    f.open = Some(true);
    f.limit = Some(f.limit.unwrap_or(500));
    let mut v = list_requests(core, ctx, &f).await?;
    v.sort_by_key(|r| {
        r.clocks
            .first()
            .map(clock_rank)
            .unwrap_or((9, DateTime::<Utc>::MAX_UTC))
    });
    Ok(v)
}

// ---------------------------------------------------------------------------------------------
// Categories

pub async fn list_categories(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Category>> {
    core.db
        .read()
        .fetch_all(
            "SELECT id, code, name_zh, name_en, dispatch_mode, visit_policy, active, sort \
             FROM ticket_categories WHERE company_id = $1 ORDER BY sort, id",
            args![ctx.company_id],
        )
        .await
}

/// Creates or updates a category by its code (needs `tickets.manage` and `community.manage`).
pub async fn save_category(core: &Core, ctx: &Ctx, input: CategoryForSave) -> CoreResult<Category> {
    ctx.require(Perm::TicketsManage)?;
    // Categories are the company's: one community's manager does not change them for all
    // (company-level settings go with `community.manage`, as communities do).
    ctx.require(Perm::CommunityManage)?;
    let mut c = Checks::new();
    let code = c.take(parse_category_code("code", &input.code));
    let zh = c.take(crate::shared::values::required_text(
        "name_zh",
        &input.name_zh,
        30,
    ));
    let en = c.take(optional_text("name_en", input.name_en.as_deref(), 50));
    let mode = c.take(DispatchMode::parse("dispatch_mode", &input.dispatch_mode));
    let visit = c.take(VisitPolicy::parse("visit_policy", &input.visit_policy));
    c.finish()?;
    let (Some(code), Some(zh), Some(en), Some(mode), Some(visit)) = (code, zh, en, mode, visit)
    else {
        return Err(CoreError::internal("validated category"));
    };
    let code = code.to_lowercase();
    let mut tx = core.db.begin().await?;
    let before: Option<Category> = tx
        .fetch_optional(
            "SELECT id, code, name_zh, name_en, dispatch_mode, visit_policy, active, sort \
             FROM ticket_categories WHERE company_id = $1 AND code = $2",
            args![ctx.company_id, code.as_str()],
        )
        .await?;
    let en = en.unwrap_or_else(|| code.clone());
    let active = input.active.unwrap_or(true);
    let id = match &before {
        Some(b) => {
            tx.execute(
                "UPDATE ticket_categories SET name_zh = $1, name_en = $2, dispatch_mode = $3, \
                 visit_policy = $4, active = $5 WHERE id = $6",
                args![zh.as_str(), en.as_str(), mode.code(), visit.code(), active, b.id],
            )
            .await?;
            b.id
        }
        None => CategoryId(
            tx.insert_id(
                "INSERT INTO ticket_categories (company_id, code, name_zh, name_en, dispatch_mode, \
                 visit_policy, active, sort) VALUES ($1, $2, $3, $4, $5, $6, $7, \
                 (SELECT COALESCE(MAX(sort), 0) + 10 FROM ticket_categories WHERE company_id = $1)) \
                 RETURNING id",
                args![
                    ctx.company_id,
                    code.as_str(),
                    zh.as_str(),
                    en.as_str(),
                    mode.code(),
                    visit.code(),
                    active
                ],
            )
            .await
            .map_err(|e| e.or_conflict("code", "duplicate_category"))?,
        ),
    };
    let after: Category = tx
        .fetch_one(
            "SELECT id, code, name_zh, name_en, dispatch_mode, visit_policy, active, sort \
             FROM ticket_categories WHERE id = $1",
            args![id],
        )
        .await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "request_category",
        id.0,
    )
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

pub(super) async fn find_category(
    tx: &mut impl Queries,
    company: CompanyId,
    code: &str,
) -> CoreResult<Option<Category>> {
    tx.fetch_optional(
        "SELECT id, code, name_zh, name_en, dispatch_mode, visit_policy, active, sort \
         FROM ticket_categories WHERE company_id = $1 AND code = $2",
        args![company, code],
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// SLA settings

pub async fn list_overrides(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<SlaOverride>> {
    ctx.require_in(Perm::TicketsManage, community)?;
    core.db
        .read()
        .fetch_all(
            "SELECT id, community_id, category, clock, enabled, minutes, working_days, pauses_on_hold \
             FROM sla_overrides WHERE community_id = $1 ORDER BY category, clock",
            args![community],
        )
        .await
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SlaOverrideForSave {
    pub community_id: CommunityId,
    /// A category code, or `*` for every category.
    pub category: String,
    /// `feedback`, `on_site`, `resolve`, `reply`, `solution`, `hotline`.
    pub clock: String,
    pub enabled: bool,
    /// Length in minutes, or …
    pub minutes: Option<i64>,
    /// … in working days (exactly one of the two when enabled).
    pub working_days: Option<i64>,
    #[serde(default)]
    pub pauses_on_hold: bool,
}

/// Sets one clock of one category for a community (needs `tickets.manage` there).
pub async fn save_override(
    core: &Core,
    ctx: &Ctx,
    input: SlaOverrideForSave,
) -> CoreResult<SlaOverride> {
    ctx.require_in(Perm::TicketsManage, input.community_id)?;
    let mut c = Checks::new();
    let clock = c.take(ClockKind::parse("clock", &input.clock));
    let category = input.category.trim().to_lowercase();
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, input.community_id).await?;
    let known = category == "*"
        || (parse_category_code("category", &category).is_ok()
            && find_category(&mut tx, ctx.company_id, &category)
                .await?
                .is_some());
    if !known {
        c.push(FieldError::new("category", "unknown_category"));
    }
    if input.enabled {
        match (input.minutes, input.working_days) {
            (Some(m), None) if (1..=60 * 24 * 60).contains(&m) => {}
            (None, Some(d)) if (1..=60).contains(&d) => {}
            (Some(_), None) => c.push(FieldError::new("minutes", "out_of_range")),
            (None, Some(_)) => c.push(FieldError::new("working_days", "out_of_range")),
            _ => c.push(FieldError::new("minutes", "minutes_or_working_days")),
        }
    }
    c.finish()?;
    let clock = clock.ok_or_else(|| CoreError::internal("validated clock"))?;
    let (minutes, days) = if input.enabled {
        (input.minutes, input.working_days)
    } else {
        (None, None)
    };
    tx.execute(
        "INSERT INTO sla_overrides (community_id, category, clock, enabled, minutes, working_days, \
         pauses_on_hold, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (community_id, category, clock) DO UPDATE SET enabled = $4, minutes = $5, \
         working_days = $6, pauses_on_hold = $7, updated_at = $8",
        args![
            input.community_id,
            category.as_str(),
            clock.code(),
            input.enabled,
            minutes,
            days,
            input.pauses_on_hold,
            Utc::now()
        ],
    )
    .await?;
    let saved: SlaOverride = tx
        .fetch_one(
            "SELECT id, community_id, category, clock, enabled, minutes, working_days, pauses_on_hold \
             FROM sla_overrides WHERE community_id = $1 AND category = $2 AND clock = $3",
            args![input.community_id, category.as_str(), clock.code()],
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "sla_override", saved.id)
            .community(input.community_id)
            .after(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}

// ---------------------------------------------------------------------------------------------
// Registering

/// Users a request of the community can be dispatched to (their role works orders).
pub async fn assignable_users(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<(UserId, String)>> {
    if !ctx.reaches(community) {
        return Err(CoreError::NotFound("community"));
    }
    if !is_staff(ctx) {
        return Err(CoreError::Forbidden);
    }
    let mut tx = core.db.begin().await?;
    let v =
        store::users_with_perm(&mut tx, ctx.company_id, community, "tickets.work", false).await?;
    tx.commit().await?;
    Ok(v)
}

/// The assignee's name, when he may take work orders in the community.
pub(super) async fn check_assignee(
    tx: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    user: UserId,
) -> CoreResult<String> {
    store::users_with_perm(tx, ctx.company_id, community, "tickets.work", false)
        .await?
        .into_iter()
        .find(|(u, _)| *u == user)
        .map(|(_, n)| n)
        .ok_or_else(|| invalid("assignee_id", "not_assignable"))
}

/// Round-robin: the worker of the community whose last assignment is the oldest (never
/// assigned first), so work goes round in turn.
pub(super) async fn next_in_turn(
    tx: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    team: Option<i64>,
) -> CoreResult<Option<(UserId, String)>> {
    let mut workers =
        store::users_with_perm(tx, ctx.company_id, community, "tickets.work", false).await?;
    // A category with a team goes round the team's members (all workers when it has none).
    if let Some(t) = team
        && let Some(members) = super::teams::members(tx, community, t).await?
        && !members.is_empty()
    {
        workers.retain(|(u, _)| members.contains(u));
    }
    if workers.is_empty() {
        return Ok(None);
    }
    // Each worker's latest assignment (dispatch, transfer or grab: the timeline lines that name
    // an assignee), one index seek each on request_events_assignee.
    let mut pick: Option<(Option<i64>, UserId, String)> = None;
    for (u, name) in workers {
        let (last,): (Option<i64>,) = tx
            .fetch_one(
                "SELECT MAX(id) FROM request_events WHERE community_id = $1 AND assignee_id = $2",
                args![community, u],
            )
            .await?;
        if pick.as_ref().is_none_or(|(l, p, _)| (last, u) < (*l, *p)) {
            pick = Some((last, u, name));
        }
    }
    Ok(pick.map(|(_, u, n)| (u, n)))
}

/// An owner's requests: those he reported, and the in-unit repairs of his units (a complaint
/// about a unit is not its owner's business), newest first; `only` picks one by id.
pub async fn list_for_owner(
    core: &Core,
    community: CommunityId,
    person: PersonId,
    units: &[UnitId],
    only: Option<RequestId>,
) -> CoreResult<Vec<Request>> {
    let mut a = Args::new();
    let c = a.push(community);
    let p = a.push(person);
    let u = in_list(&mut a, "r.unit_id", units);
    let k = a.push(RequestKind::RepairUnit.code());
    let one = match only {
        Some(id) => format!(" AND r.id = {}", a.push(id)),
        None => String::new(),
    };
    let rows: Vec<RequestRow> = core
        .db
        .read()
        .fetch_all(
            &format!(
                "{REQUEST_SELECT} WHERE r.community_id = {c} AND (r.person_id = {p} OR ({u} AND r.kind = {k})){one} \
                 ORDER BY r.id DESC LIMIT 100"
            ),
            a,
        )
        .await?;
    let mut v = with_clocks(core, rows, Utc::now()).await?;
    for r in &mut v {
        // What the owner sees: no internal notes, no other household member's contact.
        r.hold_reason = None;
        r.materials = None;
        if r.person_id != Some(person) {
            r.contact_name = None;
            r.contact_phone = None;
        }
    }
    Ok(v)
}

/// Writes a timeline line for an action taken outside [`act`] (the owner's rating).
pub async fn record_event(
    tx: &mut Tx,
    ctx: &Ctx,
    r: &Request,
    at: DateTime<Utc>,
    action: EventAction,
    from: RequestState,
    to: RequestState,
) -> CoreResult<()> {
    store::event(
        tx,
        r.community_id,
        r.id,
        at,
        ctx.actor(),
        &ctx.display_name,
        action.code(),
        Some(from.code()),
        Some(to.code()),
        None,
        None,
    )
    .await
}

/// A message to one staff member about a request.
pub async fn notify_user(
    tx: &mut Tx,
    community: CommunityId,
    user: UserId,
    at: DateTime<Utc>,
    kind: &str,
    request: RequestId,
) -> CoreResult<()> {
    store::notify(tx, community, user, at, kind, request, None).await
}

// ---------------------------------------------------------------------------------------------
// Acting on a request

fn note_required(input: &RequestAction) -> CoreResult<String> {
    match optional_multiline("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?
    {
        Some(n) => Ok(n),
        None => Err(invalid("note", "reason_required")),
    }
}

/// A worker holds the order: dispatching it again is a transfer.
fn is_in_hand(s: RequestState) -> bool {
    matches!(
        s,
        RequestState::Dispatched | RequestState::Accepted | RequestState::OnSite
    )
}

/// Runs one action on a request (see [`RequestAction`]) and returns the request as it is now.
pub async fn act(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    input: RequestAction,
) -> CoreResult<Request> {
    act_at(core, ctx, id, input, Utc::now()).await
}

/// [`act`] at a given time (the owner portal's rating and tests use it).
pub async fn act_at(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    input: RequestAction,
    now: DateTime<Utc>,
) -> CoreResult<Request> {
    let action =
        EventAction::parse("action", &input.action).map_err(|e| CoreError::Invalid(vec![e]))?;
    if matches!(
        action,
        EventAction::Register
            | EventAction::Rate
            | EventAction::Reopen
            | EventAction::ClockWarning
            | EventAction::ClockBreach
    ) {
        return Err(invalid("action", "unknown_action"));
    }
    let mut tx = core.db.begin().await?;
    let row: RequestRow = tx
        .fetch_optional(&format!("{REQUEST_SELECT} WHERE r.id = $1"), args![id])
        .await?
        // A worker who lost a race for a pooled order learns it was taken, not that it vanished.
        .filter(|r| {
            may_see(ctx, r)
                || (action == EventAction::Grab
                    && ctx.reaches(r.community_id)
                    && ctx.has(Perm::TicketsWork))
        })
        .ok_or(CoreError::NotFound("request"))?;
    let community = row.community_id;
    let state = RequestState::parse("state", &row.state).unwrap_or(RequestState::Registered);
    let me = ctx.user_id;
    let is_dispatcher = ctx.has(Perm::TicketsDispatch) || ctx.has(Perm::TicketsManage);
    let is_assignee = row.assignee_id == Some(me);
    let is_owner = row.first_responder_id == me;

    // Who may do what.
    use EventAction as A;
    let allowed = match action {
        A::Dispatch | A::Transfer | A::Cancel | A::Visit | A::Close => is_dispatcher,
        // A request back at the desk (reopened) is not the last assignee's until dispatched again.
        A::ToPool | A::Hold => is_dispatcher || (is_assignee && is_in_hand(state)),
        A::Resume => is_dispatcher || is_assignee,
        A::Escalate | A::Feedback | A::Postpone => is_dispatcher || is_owner,
        A::Grab => ctx.has(Perm::TicketsWork),
        A::Accept | A::OnSite => ctx.has(Perm::TicketsWork),
        // The assignee finishes the work; at the desk, a request never dispatched (an inquiry
        // answered on the spot) may be finished by its dispatcher.
        A::Done => {
            (is_assignee && is_in_hand(state))
                || (is_dispatcher && state == RequestState::Registered)
        }
        _ => false,
    };
    if !allowed {
        return Err(CoreError::Forbidden);
    }
    if matches!(action, A::Accept | A::OnSite) && !is_assignee {
        return Err(CoreError::conflict(
            "assignee_id",
            "assigned_to_someone_else",
        ));
    }

    let next = if action == A::Resume {
        if state != RequestState::OnHold {
            return Err(CoreError::conflict("state", "request_not_on_hold"));
        }
        row.hold_from
            .as_deref()
            .and_then(|s| RequestState::parse("state", s).ok())
            .unwrap_or(RequestState::Registered)
    } else {
        let dispatch_action = if action == A::Dispatch && is_in_hand(state) {
            A::Transfer
        } else {
            action
        };
        transition(state, dispatch_action).map_err(|code| {
            let code = if action == A::Grab {
                "request_already_taken"
            } else {
                code
            };
            CoreError::conflict("state", code)
        })?
    };

    // The columns this action sets, besides state and updated_at.
    let mut sets: Vec<(&str, crate::db::Value)> = Vec::new();
    let mut note: Option<String> = optional_multiline("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut assignee_event: Option<UserId> = None;
    let mut notify_user: Option<UserId> = None;
    let mut final_state = next;
    let mut charge_lines: Option<Vec<super::services::ChargeLine>> = None;
    match action {
        A::Dispatch | A::Transfer if input.assignee_id.is_none() && input.team_id.is_some() => {
            // To a team: into the team's pool.
            let t = input.team_id.unwrap_or_default();
            if super::teams::members(&mut tx, community, t)
                .await?
                .is_none()
            {
                return Err(invalid("team_id", "unknown_team"));
            }
            final_state = RequestState::Pooled;
            sets.push(("team_id", t.into()));
            sets.push(("assignee_id", Option::<UserId>::None.into()));
            sets.push(("accepted_at", Option::<DateTime<Utc>>::None.into()));
        }
        A::Dispatch | A::Transfer => {
            let a = input
                .assignee_id
                .ok_or_else(|| invalid("assignee_id", "required"))?;
            check_assignee(&mut tx, ctx, community, a).await?;
            if row.assignee_id == Some(a) && is_in_hand(state) {
                return Err(invalid("assignee_id", "already_assigned"));
            }
            sets.push(("assignee_id", a.into()));
            sets.push(("accepted_at", Option::<DateTime<Utc>>::None.into()));
            assignee_event = Some(a);
            notify_user = Some(a);
        }
        A::ToPool => {
            note = Some(note_required(&input)?);
            sets.push(("assignee_id", Option::<UserId>::None.into()));
        }
        A::Grab => {
            // A team's pool is for the team's members.
            if let Some(t) = row.team_id
                && let Some(members) = super::teams::members(&mut tx, community, t).await?
                && !members.is_empty()
                && !members.contains(&me)
            {
                return Err(CoreError::conflict("team_id", "not_in_team"));
            }
            sets.push(("assignee_id", me.into()));
            sets.push(("accepted_at", now.into()));
            assignee_event = Some(me);
        }
        A::Accept => sets.push(("accepted_at", now.into())),
        A::OnSite => sets.push(("on_site_at", now.into())),
        A::Done => {
            let mut c = Checks::new();
            let materials = c.take(optional_multiline(
                "materials",
                input.materials.as_deref(),
                500,
            ));
            if let Some(m) = input.labour_minutes
                && !(0..=10_000).contains(&m)
            {
                c.push(FieldError::new("labour_minutes", "out_of_range"));
            }
            c.finish()?;
            let lines = super::services::price_lines(&mut tx, community, &input.services).await?;
            if !lines.is_empty() && row.unit_id.is_none() {
                return Err(invalid("services", "charge_needs_unit"));
            }
            let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
            sets.push(("materials", materials.flatten().into()));
            sets.push(("labour_minutes", input.labour_minutes.into()));
            sets.push(("charge_fen", (!lines.is_empty()).then_some(total).into()));
            charge_lines = Some(lines);
            sets.push(("done_at", now.into()));
            sets.push((
                "handling_seconds",
                (now - row.created_at).num_seconds().max(0).into(),
            ));
            notify_user = Some(row.first_responder_id).filter(|u| *u != me);
        }
        A::Hold => {
            note = Some(note_required(&input)?);
            sets.push(("hold_from", state.code().into()));
            sets.push(("hold_reason", note.clone().into()));
            sets.push(("hold_since", now.into()));
        }
        A::Resume => {
            sets.push(("hold_from", Option::<String>::None.into()));
            sets.push(("hold_reason", Option::<String>::None.into()));
            sets.push(("hold_since", Option::<DateTime<Utc>>::None.into()));
        }
        A::Escalate => {
            sets.push(("escalations", (row.escalations + 1).into()));
        }
        A::Postpone => {
            note = Some(note_required(&input)?);
            if row.promise_postponed {
                return Err(CoreError::conflict(
                    "promise_at",
                    "promise_already_postponed",
                ));
            }
            let p = input
                .promise_at
                .ok_or_else(|| invalid("promise_at", "required"))?;
            if p <= row.promise_at {
                return Err(invalid("promise_at", "promise_not_later"));
            }
            check_promise(row.created_at, p, now).map_err(|code| invalid("promise_at", code))?;
            sets.push(("promise_at", p.into()));
            sets.push(("promise_postponed", true.into()));
        }
        A::Visit => {
            let score = input
                .satisfaction
                .ok_or_else(|| invalid("satisfaction", "required"))?;
            if !(1..=5).contains(&score) {
                return Err(invalid("satisfaction", "satisfaction_out_of_range"));
            }
            let via = VisitChannel::parse(
                "visit_channel",
                input.visit_channel.as_deref().unwrap_or("phone"),
            )
            .map_err(|e| CoreError::Invalid(vec![e]))?;
            sets.push(("satisfaction", score.into()));
            sets.push(("rating_comment", note.clone().into()));
            sets.push(("rated_via", via.code().into()));
            if score < SATISFIED_FROM {
                // Reopened: back to the desk, to be dispatched again (to the same technician or
                // another); the last assignee stays on record until then.
                final_state = RequestState::Registered;
                sets.push(("reopen_count", (row.reopen_count + 1).into()));
                sets.push(("done_at", Option::<DateTime<Utc>>::None.into()));
            } else {
                final_state = RequestState::Closed;
                sets.push(("closed_at", now.into()));
            }
        }
        A::Close => sets.push(("closed_at", now.into())),
        A::Cancel => {
            note = Some(note_required(&input)?);
            sets.push(("closed_at", now.into()));
        }
        A::Feedback if note.is_none() => return Err(invalid("note", "required")),
        _ => {}
    }

    // The guarded update: it applies only if nobody changed the request since it was read.
    let mut a = Args::new();
    let mut sql = format!(
        "UPDATE requests SET state = {}, updated_at = {}",
        a.push(final_state.code()),
        a.push(now)
    );
    for (col, v) in sets {
        sql.push_str(&format!(", {col} = {}", a.push(v)));
    }
    sql.push_str(&format!(
        " WHERE id = {} AND state = {} AND updated_at = {}",
        a.push(id),
        a.push(state.code()),
        a.push(row.updated_at)
    ));
    if tx.execute(&sql, a).await? != 1 {
        let code = if action == A::Grab {
            "request_already_taken"
        } else {
            "request_changed"
        };
        return Err(CoreError::conflict("state", code));
    }

    if let Some(lines) = &charge_lines {
        super::services::record_lines(&mut tx, community, &row, lines, now).await?;
    }

    // Clocks.
    let met = clocks_met_by(action);
    if !met.is_empty() {
        let mut a = Args::new();
        let at = a.push(now);
        let (c, r) = (a.push(community), a.push(id));
        let list = in_list(
            &mut a,
            "clock",
            &met.iter().map(|k| k.code()).collect::<Vec<_>>(),
        );
        tx.execute(
            &format!(
                "UPDATE request_clocks SET met_at = {at}, met_late = CASE WHEN due_at < {at} THEN 1 ELSE 0 END WHERE community_id = {c} AND request_id = {r} \
                 AND met_at IS NULL AND {list}"
            ),
            a,
        )
        .await?;
    }
    match action {
        A::Hold => {
            tx.execute(
                "UPDATE request_clocks SET paused_since = $1 WHERE community_id = $2 AND request_id = $3 \
                 AND met_at IS NULL AND pauses_on_hold = $4 AND paused_since IS NULL",
                args![now, community, id, true],
            )
            .await?;
        }
        A::Resume => resume_clocks(&mut tx, community, id, now).await?,
        A::Cancel => {
            // A cancelled request (a duplicate, a mistake) has no clocks to meet or to count.
            tx.execute(
                "DELETE FROM request_clocks WHERE community_id = $1 AND request_id = $2",
                args![community, id],
            )
            .await?;
        }
        _ => {}
    }

    // Timeline, notifications, audit.
    let actor = ctx.actor();
    let name = ctx.display_name.as_str();
    let event_action = if action == A::Dispatch && is_in_hand(state) {
        A::Transfer
    } else {
        action
    };
    store::event(
        &mut tx,
        community,
        id,
        now,
        actor,
        name,
        event_action.code(),
        Some(state.code()),
        // A visit that reopens shows "done" here and the reopening on its own line.
        Some(
            if action == A::Visit && final_state == RequestState::Registered {
                next.code()
            } else {
                final_state.code()
            },
        ),
        note.as_deref(),
        assignee_event,
    )
    .await?;
    if action == A::Visit && final_state == RequestState::Registered {
        store::event(
            &mut tx,
            community,
            id,
            now,
            actor,
            name,
            A::Reopen.code(),
            Some(next.code()),
            Some(final_state.code()),
            None,
            None,
        )
        .await?;
        notify_user = Some(row.first_responder_id);
    }
    if let Some(u) = notify_user {
        let kind = match action {
            A::Done => "done",
            A::Visit => "reopened",
            _ => "assigned",
        };
        store::notify(&mut tx, community, u, now, kind, id, None).await?;
    }
    if action == A::Escalate {
        for (m, _) in
            store::users_with_perm(&mut tx, ctx.company_id, community, "tickets.manage", false)
                .await?
        {
            store::notify(&mut tx, community, m, now, "escalated", id, None).await?;
        }
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "request", id.0)
            .community(community)
            .before(&serde_json::json!({
                "state": state.code(),
                "assignee_id": row.assignee_id,
                "promise_at": row.promise_at,
            }))
            .after(&serde_json::json!({
                "action": event_action.code(),
                "state": final_state.code(),
                "assignee_id": assignee_event.or(if action == A::ToPool { None } else { row.assignee_id }),
                "note": note,
            })),
    )
    .await?;
    tx.commit().await?;
    get_request(core, ctx, id).await
}

/// Restarts the clocks stopped by a hold: each deadline (and its warning) moves later by the
/// time the clock stood still.
async fn resume_clocks(
    tx: &mut Tx,
    community: CommunityId,
    id: RequestId,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    type Paused = (i64, DateTime<Utc>, DateTime<Utc>, DateTime<Utc>);
    let paused: Vec<Paused> = tx
        .fetch_all(
            "SELECT id, paused_since, due_at, warn_at FROM request_clocks WHERE community_id = $1 \
             AND request_id = $2 AND paused_since IS NOT NULL AND met_at IS NULL",
            args![community, id],
        )
        .await?;
    for (cid, since, due, warn) in paused {
        let held = (now - since).max(Duration::zero());
        tx.execute(
            "UPDATE request_clocks SET paused_since = NULL, due_at = $1, warn_at = $2 WHERE id = $3",
            args![due + held, warn + held, cid],
        )
        .await?;
    }
    Ok(())
}

/// One request a bulk reassignment could not move, and why.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct BulkFailure {
    pub id: RequestId,
    pub code: String,
}

#[derive(Debug, Clone, Default, Serialize, utoipa::ToSchema)]
pub struct BulkResult {
    pub moved: Vec<RequestId>,
    pub failed: Vec<BulkFailure>,
}

/// Reassigns several requests to one worker (the manager's board): each is dispatched or
/// transferred in its own transaction, with its own timeline line and audit entry; one that
/// cannot move (closed, already his, out of reach) is reported, the others still move.
pub async fn bulk_reassign(
    core: &Core,
    ctx: &Ctx,
    ids: &[RequestId],
    assignee: UserId,
    note: Option<String>,
) -> CoreResult<BulkResult> {
    if !(ctx.has(Perm::TicketsDispatch) || ctx.has(Perm::TicketsManage)) {
        return Err(CoreError::Forbidden);
    }
    if ids.is_empty() {
        return Err(invalid("ids", "required"));
    }
    if ids.len() > 500 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("ids", "too_many").with("max", 500),
        ]));
    }
    let mut out = BulkResult::default();
    for id in ids {
        let input = RequestAction {
            action: EventAction::Dispatch.code().into(),
            assignee_id: Some(assignee),
            note: note.clone(),
            ..Default::default()
        };
        match act(core, ctx, *id, input).await {
            Ok(_) => out.moved.push(*id),
            Err(e) => {
                let code = match &e {
                    CoreError::Invalid(v) => v.first().map(|f| f.code).unwrap_or("invalid"),
                    CoreError::Conflict(f) => f.code,
                    CoreError::NotFound(_) => "not_found",
                    CoreError::Forbidden => "forbidden",
                    _ => return Err(e),
                };
                out.failed.push(BulkFailure {
                    id: *id,
                    code: code.to_string(),
                });
            }
        }
    }
    Ok(out)
}

/// The contact's phone in full, for whoever must call the customer: the request's assignee
/// (the technician on his way) or staff with `pii.reveal`. Every reveal is audit-logged.
pub async fn reveal_contact(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Option<String>> {
    let row = load_row(core, id)
        .await?
        .filter(|r| may_see(ctx, r))
        .ok_or(CoreError::NotFound("request"))?;
    let open = RequestState::parse("state", &row.state).is_ok_and(RequestState::is_open);
    let assignee = row.assignee_id == Some(ctx.user_id) && open;
    if !(assignee || ctx.has(Perm::PiiReveal)) {
        return Err(CoreError::Forbidden);
    }
    let phone = row
        .contact_phone_enc
        .as_deref()
        .map(|b| core.crypto.decrypt(b))
        .transpose()?;
    let mut tx = core.db.begin().await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Reveal, "request", id.0)
            .community(row.community_id)
            .after(&serde_json::json!({ "field": "contact_phone" })),
    )
    .await?;
    tx.commit().await?;
    Ok(phone)
}
