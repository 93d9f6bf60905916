//! Use cases of requests: reading them (one, a page, the board, an owner's), their timeline,
//! who a request may go to (assignable users, round-robin), and the helpers registering and
//! acting share. Writes are in `actions` (acting on a request) and `create` (registering).
//! Services authorize with `Ctx` and validate; the SQL is the store's.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use crate::Core;
use crate::db::Queries;
use crate::shared::crypto::mask_phone;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CommonCode, CoreError, CoreResult, ErrorCode, FieldError};
use crate::shared::ids::*;

use super::error::TicketCode;
use super::model::*;
use super::store::{self, clocks::ClockRow, requests::RequestRow};

pub(super) fn invalid(field: &str, code: impl ErrorCode) -> CoreError {
    CoreError::invalid(field, code)
}

/// A category code: 1–30 of a-z, 0-9, `_`, `-` (stored lower-case; `doors_locks`).
pub fn parse_category_code(field: &str, raw: &str) -> Result<String, FieldError> {
    let s = raw.trim().to_lowercase();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    if s.chars().count() > 30
        || !s
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-')
    {
        return Err(FieldError::new(field, CommonCode::InvalidCode));
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
pub(in crate::tickets) async fn community_tz(
    tx: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Tz> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    crate::registry::store::for_tickets::community_timezone(tx, c, ctx.company_id)
        .await?
        .map(|t| tz_of(&t))
        .ok_or(CoreError::NotFound("community"))
}

/// May the actor see this request? Dispatchers and managers see every request of their
/// communities; others see what they registered, what is assigned to them, and the pool.
pub(super) fn may_see(ctx: &Ctx, r: &RequestRow) -> bool {
    if !ctx.reaches(r.community_id) {
        return false;
    }
    ctx.has(Perm::TicketsDispatch)
        || ctx.has(Perm::TicketsManage)
        || r.first_responder_id == ctx.user_id
        || r.assignee_id == Some(ctx.user_id)
        || (r.state == RequestState::Pooled.code() && ctx.has(Perm::TicketsWork))
}

/// A stored request's state, strictly.
pub(super) fn state_of(r: &RequestRow) -> CoreResult<RequestState> {
    RequestState::from_stored(&r.state)
}

fn clock_from_row(c: &ClockRow, now: DateTime<Utc>) -> CoreResult<Clock> {
    let kind = ClockKind::from_stored(&c.clock)?;
    let paused = c.paused_since.is_some();
    // A paused clock's remaining time is frozen at the moment it stopped.
    let reference = c.paused_since.unwrap_or(now);
    Ok(Clock {
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
pub(in crate::tickets) fn clock_rank(c: &Clock) -> (u8, DateTime<Utc>) {
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

fn request_from_row(core: &Core, r: RequestRow, clocks: Vec<Clock>) -> CoreResult<Request> {
    // The scanner does not write the request row (it would lock it after the clock rows, the
    // other order from an action's): its escalations are counted from the clocks.
    let escalations = r.escalations + clocks.iter().filter(|c| c.escalated).count() as i64;
    let phone = r
        .contact_phone_enc
        .as_deref()
        .and_then(|b| core.crypto.decrypt(b).ok())
        .map(|p| mask_phone(&p));
    Ok(Request {
        id: r.id,
        community_id: r.community_id,
        kind: RequestKind::from_stored(&r.kind)?,
        channel: Channel::from_stored(&r.channel)?,
        urgency: Urgency::from_stored(&r.urgency)?,
        state: state_of(&r)?,
        number: r.number,
        category: r.category,
        complex: r.complex,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        location: r.location,
        contact_name: r.contact_name,
        contact_phone: phone,
        description: r.description,
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
    })
}

/// Requests with their clocks (one query for all the clocks of the page).
async fn with_clocks(
    core: &Core,
    r: &mut crate::db::Reader<'_>,
    rows: Vec<RequestRow>,
    now: DateTime<Utc>,
) -> CoreResult<Vec<Request>> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<RequestId> = rows.iter().map(|r| r.id).collect();
    let communities: Vec<CommunityId> = {
        let mut c: Vec<CommunityId> = rows.iter().map(|r| r.community_id).collect();
        c.sort();
        c.dedup();
        c
    };
    let clocks = store::clocks::of_requests(r, &communities, &ids).await?;
    let mut by_req: std::collections::HashMap<RequestId, Vec<Clock>> = Default::default();
    for c in &clocks {
        by_req
            .entry(c.request_id)
            .or_default()
            .push(clock_from_row(c, now)?);
    }
    rows.into_iter()
        .map(|r| {
            let mut cl = by_req.remove(&r.id).unwrap_or_default();
            cl.sort_by_key(clock_rank);
            request_from_row(core, r, cl)
        })
        .collect()
}

/// The request's row, if the actor may see it.
pub(super) async fn visible_row(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<RequestRow> {
    store::requests::load(&core.db, id)
        .await?
        .filter(|r| may_see(ctx, r))
        .ok_or(CoreError::NotFound("request"))
}

pub async fn get_request(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Request> {
    let row = visible_row(core, ctx, id).await?;
    with_clocks(core, &mut core.db.read(), vec![row], Utc::now())
        .await?
        .pop()
        .ok_or(CoreError::NotFound("request"))
}

pub async fn timeline(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Vec<Event>> {
    let r = get_request(core, ctx, id).await?;
    store::events::timeline(&core.db, r.community_id, id).await
}

/// A request filter, validated and authorized: what a page of the list and the export read.
pub(super) struct RequestQuery {
    communities: Vec<CommunityId>,
    seen: store::requests::Seen<'static>,
    state: Option<&'static str>,
    not_in: Option<[&'static str; 2]>,
    kind: Option<&'static str>,
    category: Option<String>,
    assignee: Option<UserId>,
    unit: Option<UnitId>,
    team: Option<i64>,
    clock: Option<(&'static str, ClockStatus)>,
}

/// Checks a list's filter: the community in reach (all the actor reaches without one), who
/// sees what (`view`), and each code.
pub(super) async fn request_query(
    core: &Core,
    ctx: &Ctx,
    f: &RequestFilter,
) -> CoreResult<RequestQuery> {
    use store::requests::Seen;
    let communities = match f.community_id {
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
    let me = ctx.user_id;
    let pooled = RequestState::Pooled.code();
    let seen = match f.view.as_deref().unwrap_or("") {
        "mine" => Seen::Mine(me),
        "assigned" => Seen::Assigned(me),
        "pool" => {
            if !ctx.has(Perm::TicketsWork) {
                return Err(CoreError::Forbidden);
            }
            Seen::Pool { me, pooled }
        }
        "" | "all" if sees_all => Seen::All,
        "" | "all" => Seen::Own {
            me,
            pooled: ctx.has(Perm::TicketsWork).then_some(pooled),
        },
        _ => return Err(invalid("view", TicketCode::UnknownView)),
    };
    let mut state = None;
    let mut not_in = None;
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        let s = RequestState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?;
        state = Some(s.code());
    } else if f.open.unwrap_or(false) {
        not_in = Some([RequestState::Closed.code(), RequestState::Cancelled.code()]);
    }
    let kind = match f.kind.as_deref().filter(|s| !s.is_empty()) {
        Some(k) => Some(
            RequestKind::parse("kind", k)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let category = match f.category.as_deref().filter(|s| !s.is_empty()) {
        Some(c) => Some(
            crate::shared::values::query_text("category", c, 30)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .to_string(),
        ),
        None => None,
    };
    Ok(RequestQuery {
        communities,
        seen,
        state,
        not_in,
        kind,
        category,
        assignee: f.assignee_id,
        unit: f.unit_id,
        team: f.team_id,
        clock: clock_filter(f.clock.as_deref())?,
    })
}

impl RequestQuery {
    /// Up to `limit` requests below id `before`, newest first, with their clocks.
    pub(super) async fn page(
        &self,
        core: &Core,
        r: &mut crate::db::Reader<'_>,
        before: Option<i64>,
        limit: i64,
    ) -> CoreResult<Vec<Request>> {
        // A clock state is looked up in the open clocks first: the page then reads just those
        // requests (the newest 2,000 of them), not the community's every request to find them.
        let only = match self.clock {
            Some((code, _)) => {
                let ids =
                    store::clocks::requests_in_state(r, &self.communities, code, Utc::now(), 2000)
                        .await?;
                if ids.is_empty() {
                    return Ok(Vec::new());
                }
                Some(ids)
            }
            None => None,
        };
        let rows = store::requests::page(
            r,
            store::requests::Page {
                communities: &self.communities,
                seen: self.seen,
                state: self.state,
                not_in: self.not_in,
                kind: self.kind,
                category: self.category.clone(),
                assignee: self.assignee,
                unit: self.unit,
                team: self.team,
                only: only.as_deref(),
                before,
                limit,
            },
        )
        .await?;
        let mut v = with_clocks(core, r, rows, Utc::now()).await?;
        // The SQL found requests with such a clock; kept are those whose most urgent clock it is.
        if let Some((_, want)) = self.clock {
            v.retain(|r| {
                r.clocks
                    .first()
                    .is_some_and(|c| c.met_at.is_none() && c.status == want)
            });
        }
        Ok(v)
    }
}

/// Requests the actor may see, newest first. `view`: `mine` (I registered them, 首问),
/// `assigned` (my work orders), `pool` (open to grab), or all the actor may see.
pub async fn list_requests(core: &Core, ctx: &Ctx, f: &RequestFilter) -> CoreResult<Vec<Request>> {
    let q = request_query(core, ctx, f).await?;
    let mut r = core.db.read_pinned();
    q.page(
        core,
        &mut r,
        f.before_id,
        f.limit.unwrap_or(100).clamp(1, 500),
    )
    .await
}

/// A clock-state filter's value: where a request's most urgent clock stands.
fn clock_filter(s: Option<&str>) -> CoreResult<Option<(&'static str, ClockStatus)>> {
    Ok(match s.map(str::trim).filter(|s| !s.is_empty()) {
        None => None,
        Some("breached") => Some(("breached", ClockStatus::Breached)),
        Some("at_risk") => Some(("at_risk", ClockStatus::AtRisk)),
        Some("running") => Some(("running", ClockStatus::Running)),
        Some("paused") => Some(("paused", ClockStatus::Paused)),
        Some(_) => return Err(invalid("clock", TicketCode::UnknownClockState)),
    })
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
// Who a request may go to

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
    let v = workers(&mut tx, ctx, community).await?;
    tx.commit().await?;
    Ok(v)
}

/// The community's users who work orders.
pub(super) async fn workers(
    tx: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<(UserId, String)>> {
    crate::auth::store::for_tickets::users_with_perm(
        tx,
        ctx.company_id,
        community,
        "tickets.work",
        false,
    )
    .await
}

/// The assignee's name, when he may take work orders in the community.
pub(super) async fn check_assignee(
    tx: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    user: UserId,
) -> CoreResult<String> {
    workers(tx, ctx, community)
        .await?
        .into_iter()
        .find(|(u, _)| *u == user)
        .map(|(_, n)| n)
        .ok_or_else(|| invalid("assignee_id", TicketCode::NotAssignable))
}

/// Round-robin: the worker of the community whose last assignment is the oldest (never
/// assigned first), so work goes round in turn.
pub(super) async fn next_in_turn(
    tx: &mut impl Queries,
    ctx: &Ctx,
    community: CommunityId,
    team: Option<i64>,
) -> CoreResult<Option<(UserId, String)>> {
    let mut workers = workers(tx, ctx, community).await?;
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
    let users: Vec<UserId> = workers.iter().map(|(u, _)| *u).collect();
    let last: std::collections::HashMap<UserId, Option<i64>> =
        store::events::last_assignments(tx, community, &users)
            .await?
            .into_iter()
            .collect();
    Ok(workers
        .into_iter()
        .min_by_key(|(u, _)| (last.get(u).copied().flatten(), *u)))
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
    let rows = store::requests::of_owner(
        &core.db,
        community,
        person,
        units,
        RequestKind::RepairUnit.code(),
        only,
    )
    .await?;
    let mut v = with_clocks(core, &mut core.db.read(), rows, Utc::now()).await?;
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
