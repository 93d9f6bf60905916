//! Acting on a request: the work order's life (dispatch, grab, accept, on site, done, hold,
//! resume, escalate, postpone, return visit, close, cancel). Every action authorizes with
//! `Ctx` through the model's permission matrix and state machine, validates its input, and runs
//! in one transaction that also writes the clocks, the timeline, the notices and the audit log.
//! Its UPDATE is guarded by the state it read, so two people acting at once cannot both
//! succeed (two technicians grabbing one order: exactly one wins, the other gets
//! `request_already_taken`).

use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, ErrorCode, FieldError};
use crate::shared::ids::*;
use crate::shared::values::optional_multiline;

use super::error::TicketCode;
use super::model::*;
use super::service::{check_assignee, get_request, invalid, may_see, state_of, visible_row};
use super::store::{self, requests::Sets};
use crate::notify::model::Event as NotifyEvent;
use crate::notify::{InApp, Note};

/// Writes a timeline line for an action taken outside [`act`] (the owner's rating).
pub async fn record_event(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    r: &Request,
    at: DateTime<Utc>,
    action: EventAction,
    from: RequestState,
    to: RequestState,
) -> CoreResult<()> {
    store::events::event(
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
    tx: &mut crate::db::Tx,
    community: CommunityId,
    user: UserId,
    at: DateTime<Utc>,
    kind: &str,
    request: RequestId,
) -> CoreResult<()> {
    crate::notify::store::inbox::insert(
        tx,
        &[crate::notify::store::inbox::NewInApp {
            community,
            user,
            at,
            kind,
            request: Some(request),
            clock: None,
            event: None,
            title: None,
            body: None,
            link: None,
        }],
    )
    .await
}

fn note_required(input: &RequestAction) -> CoreResult<String> {
    match optional_multiline("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?
    {
        Some(n) => Ok(n),
        None => Err(invalid("note", TicketCode::ReasonRequired)),
    }
}

/// Runs one action on a request (see [`RequestAction`]) and returns the request as it is now.
pub async fn act(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    input: RequestAction,
) -> CoreResult<Request> {
    let now = Utc::now();
    let Some(at) = input.received_at else {
        return act_at(core, ctx, id, input, now).await;
    };
    // Only a return visit is entered after the fact (a call back made from a list, a visit
    // made on site); the work order's own steps are taken as they happen.
    if EventAction::parse("action", &input.action).ok() != Some(EventAction::Visit) {
        return Err(invalid("received_at", TicketCode::ReceivedAtOnlyForVisit));
    }
    let h = crate::shared::backdate::happened(
        ctx,
        "received_at",
        Some(at),
        now,
        core.settings.backdate_window,
    )?
    .ok_or_else(|| CoreError::internal("checked visit time"))?;
    act_at(core, ctx, id, input, h.happened_at).await
}

/// What an action changes besides the state: the columns it sets, the final state, and who
/// hears of it.
struct Effects {
    sets: Sets,
    note: Option<String>,
    assignee_event: Option<UserId>,
    notify_user: Option<UserId>,
    final_state: RequestState,
    charge_lines: Option<Vec<super::services::ChargeLine>>,
}

/// [`act`] at a given time (the owner portal's rating and tests use it).
pub async fn act_at(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
    input: RequestAction,
    now: DateTime<Utc>,
) -> CoreResult<Request> {
    use EventAction as A;
    let action =
        EventAction::parse("action", &input.action).map_err(|e| CoreError::Invalid(vec![e]))?;
    if matches!(
        action,
        A::Register | A::Rate | A::Reopen | A::ClockWarning | A::ClockBreach
    ) {
        return Err(invalid("action", TicketCode::UnknownAction));
    }
    let mut tx = core.db.begin().await?;
    let row = store::requests::load_in(&mut tx, id)
        .await?
        // A worker who lost a race for a pooled order learns it was taken, not that it vanished.
        .filter(|r| {
            may_see(ctx, r)
                || (action == A::Grab && ctx.reaches(r.community_id) && ctx.has(Perm::TicketsWork))
        })
        .ok_or(CoreError::NotFound("request"))?;
    let community = row.community_id;
    let state = state_of(&row)?;
    let me = ctx.user_id;
    let who = Actor {
        dispatcher: ctx.has(Perm::TicketsDispatch) || ctx.has(Perm::TicketsManage),
        worker: ctx.has(Perm::TicketsWork),
        assignee: row.assignee_id == Some(me),
        first_responder: row.first_responder_id == me,
    };
    if !may_act(action, state, who) {
        return Err(CoreError::Forbidden);
    }
    if matches!(action, A::Accept | A::OnSite) && !who.assignee {
        return Err(CoreError::conflict(
            "assignee_id",
            TicketCode::AssignedToSomeoneElse,
        ));
    }

    let next = if action == A::Resume {
        if state != RequestState::OnHold {
            return Err(CoreError::conflict("state", TicketCode::RequestNotOnHold));
        }
        match row.hold_from.as_deref() {
            Some(s) => stored_state(s)?,
            None => RequestState::Registered,
        }
    } else {
        let dispatch_action = if action == A::Dispatch && is_in_hand(state) {
            A::Transfer
        } else {
            action
        };
        match transition(state, dispatch_action) {
            Ok(s) => s,
            Err(_) if action == A::Grab => {
                return Err(CoreError::conflict(
                    "state",
                    TicketCode::RequestAlreadyTaken,
                ));
            }
            Err(code) => return Err(CoreError::conflict("state", code)),
        }
    };

    let fx = effects(&mut tx, ctx, &row, state, next, action, &input, now).await?;
    let Effects {
        sets,
        note,
        assignee_event,
        mut notify_user,
        final_state,
        charge_lines,
    } = fx;

    let n = store::requests::update_guarded(
        &mut tx,
        id,
        state.code(),
        row.updated_at,
        final_state.code(),
        now,
        sets,
    )
    .await?;
    if n != 1 {
        let code = if action == A::Grab {
            TicketCode::RequestAlreadyTaken
        } else {
            TicketCode::RequestChanged
        };
        return Err(CoreError::conflict("state", code));
    }

    if let Some(lines) = &charge_lines {
        super::services::record_lines(&mut tx, community, &row, lines, now).await?;
    }

    // Clocks.
    let met: Vec<&str> = clocks_met_by(action).iter().map(|k| k.code()).collect();
    if !met.is_empty() {
        store::clocks::meet(&mut tx, community, id, now, &met).await?;
    }
    match action {
        A::Hold => store::clocks::pause(&mut tx, community, id, now).await?,
        A::Resume => {
            // Each deadline (and its warning) moves later by the time the clock stood still.
            for (cid, since, due, warn) in store::clocks::paused(&mut tx, community, id).await? {
                let held = (now - since).max(Duration::zero());
                store::clocks::restart(&mut tx, cid, due + held, warn + held).await?;
            }
        }
        // A cancelled request (a duplicate, a mistake) has no clocks to meet or to count.
        A::Cancel => store::clocks::delete_of(&mut tx, community, id).await?,
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
    let reopened = action == A::Visit && final_state == RequestState::Registered;
    store::events::event(
        &mut tx,
        community,
        id,
        now,
        actor,
        name,
        event_action.code(),
        Some(state.code()),
        // A visit that reopens shows "done" here and the reopening on its own line.
        Some(if reopened {
            next.code()
        } else {
            final_state.code()
        }),
        note.as_deref(),
        assignee_event,
    )
    .await?;
    if reopened {
        store::events::event(
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
        self::notify_user(&mut tx, community, u, now, kind, id).await?;
    }
    if action == A::Escalate {
        for (m, _) in crate::auth::store::for_tickets::users_with_perm(
            &mut tx,
            ctx.company_id,
            community,
            "tickets.manage",
            false,
        )
        .await?
        {
            self::notify_user(&mut tx, community, m, now, "escalated", id).await?;
        }
    }
    // The owner who reported hears that someone was sent, and that it is done.
    let owner_event = match action {
        A::Dispatch | A::Grab if assignee_event.is_some() && row.assignee_id != assignee_event => {
            Some(NotifyEvent::RequestDispatched)
        }
        A::Done => Some(NotifyEvent::RequestDone),
        _ => None,
    };
    if let (Some(event), Some(person)) = (owner_event, row.person_id) {
        let to: Vec<UserId> = crate::notify::accounts_of_people(&mut tx, &[person])
            .await?
            .into_iter()
            .map(|(_, u)| u)
            .collect();
        if !to.is_empty() {
            let mut params = vec![("number".to_string(), row.number.clone())];
            if let Some(w) = assignee_event {
                let name = crate::auth::store::for_tickets::display_name(&mut tx, w).await?;
                params.push(("worker".into(), name));
            }
            let note = Note {
                community,
                event,
                params,
                request: Some(id),
                link: Some(format!("/portal/requests/{id}")),
            };
            crate::notify::enqueue(
                &core.channels,
                &mut tx,
                &note,
                &to,
                InApp::Write,
                Utc::now(),
            )
            .await?;
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
                // A return visit entered late (补录): when it took place and when it was entered.
                "entered_late": input.received_at.and_then(|_| {
                    crate::shared::backdate::Happened {
                        happened_at: now,
                        entered_at: Utc::now(),
                        late: now < Utc::now() - crate::shared::backdate::PRESENT,
                    }
                    .audit("received_at")
                }),
            })),
    )
    .await?;
    tx.commit().await?;
    get_request(core, ctx, id).await
}

/// A state stored in `hold_from`, strictly.
fn stored_state(s: &str) -> CoreResult<RequestState> {
    RequestState::from_stored(s)
}

/// Validates the action's input and works out what it changes (see [`Effects`]).
#[allow(clippy::too_many_arguments)]
async fn effects(
    tx: &mut crate::db::Tx,
    ctx: &Ctx,
    row: &store::requests::RequestRow,
    state: RequestState,
    next: RequestState,
    action: EventAction,
    input: &RequestAction,
    now: DateTime<Utc>,
) -> CoreResult<Effects> {
    use EventAction as A;
    let community = row.community_id;
    let me = ctx.user_id;
    let mut fx = Effects {
        sets: Vec::new(),
        note: optional_multiline("note", input.note.as_deref(), 500)
            .map_err(|e| CoreError::Invalid(vec![e]))?,
        assignee_event: None,
        notify_user: None,
        final_state: next,
        charge_lines: None,
    };
    let sets = &mut fx.sets;
    match action {
        A::Dispatch | A::Transfer if input.assignee_id.is_none() && input.team_id.is_some() => {
            // To a team: into the team's pool.
            let t = input.team_id.unwrap_or_default();
            if super::teams::members(tx, community, t).await?.is_none() {
                return Err(invalid("team_id", TicketCode::UnknownTeam));
            }
            fx.final_state = RequestState::Pooled;
            sets.push(("team_id", t.into()));
            sets.push(("assignee_id", Option::<UserId>::None.into()));
            sets.push(("accepted_at", Option::<DateTime<Utc>>::None.into()));
        }
        A::Dispatch | A::Transfer => {
            let a = input
                .assignee_id
                .ok_or_else(|| invalid("assignee_id", CommonCode::Required))?;
            check_assignee(tx, ctx, community, a).await?;
            if row.assignee_id == Some(a) && is_in_hand(state) {
                return Err(invalid("assignee_id", TicketCode::AlreadyAssigned));
            }
            sets.push(("assignee_id", a.into()));
            sets.push(("accepted_at", Option::<DateTime<Utc>>::None.into()));
            fx.assignee_event = Some(a);
            fx.notify_user = Some(a);
        }
        A::ToPool => {
            fx.note = Some(note_required(input)?);
            sets.push(("assignee_id", Option::<UserId>::None.into()));
        }
        A::Grab => {
            // A team's pool is for the team's members.
            if let Some(t) = row.team_id
                && let Some(members) = super::teams::members(tx, community, t).await?
                && !members.is_empty()
                && !members.contains(&me)
            {
                return Err(CoreError::conflict("team_id", TicketCode::NotInTeam));
            }
            sets.push(("assignee_id", me.into()));
            sets.push(("accepted_at", now.into()));
            fx.assignee_event = Some(me);
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
                c.push(FieldError::new("labour_minutes", TicketCode::OutOfRange));
            }
            c.finish()?;
            let lines = super::services::price_lines(tx, community, &input.services).await?;
            if !lines.is_empty() && row.unit_id.is_none() {
                return Err(invalid("services", TicketCode::ChargeNeedsUnit));
            }
            let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
            sets.push(("materials", materials.flatten().into()));
            sets.push(("labour_minutes", input.labour_minutes.into()));
            sets.push(("charge_fen", (!lines.is_empty()).then_some(total).into()));
            fx.charge_lines = Some(lines);
            sets.push(("done_at", now.into()));
            sets.push((
                "handling_seconds",
                (now - row.created_at).num_seconds().max(0).into(),
            ));
            fx.notify_user = Some(row.first_responder_id).filter(|u| *u != me);
        }
        A::Hold => {
            fx.note = Some(note_required(input)?);
            sets.push(("hold_from", state.code().into()));
            sets.push(("hold_reason", fx.note.clone().into()));
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
            fx.note = Some(note_required(input)?);
            if row.promise_postponed {
                return Err(CoreError::conflict(
                    "promise_at",
                    TicketCode::PromiseAlreadyPostponed,
                ));
            }
            let p = input
                .promise_at
                .ok_or_else(|| invalid("promise_at", CommonCode::Required))?;
            if p <= row.promise_at {
                return Err(invalid("promise_at", TicketCode::PromiseNotLater));
            }
            check_promise(row.created_at, p, now).map_err(|code| invalid("promise_at", code))?;
            sets.push(("promise_at", p.into()));
            sets.push(("promise_postponed", true.into()));
        }
        A::Visit => {
            if row.done_at.is_some_and(|d| now < d) {
                return Err(invalid("received_at", TicketCode::VisitBeforeDone));
            }
            let score = input
                .satisfaction
                .ok_or_else(|| invalid("satisfaction", CommonCode::Required))?;
            if !(1..=5).contains(&score) {
                return Err(invalid("satisfaction", TicketCode::SatisfactionOutOfRange));
            }
            let via = VisitChannel::parse(
                "visit_channel",
                input.visit_channel.as_deref().unwrap_or("phone"),
            )
            .map_err(|e| CoreError::Invalid(vec![e]))?;
            sets.push(("satisfaction", score.into()));
            sets.push(("rating_comment", fx.note.clone().into()));
            sets.push(("rated_via", via.code().into()));
            if score < SATISFIED_FROM {
                // Reopened: back to the desk, to be dispatched again (to the same technician or
                // another); the last assignee stays on record until then.
                fx.final_state = RequestState::Registered;
                sets.push(("reopen_count", (row.reopen_count + 1).into()));
                sets.push(("done_at", Option::<DateTime<Utc>>::None.into()));
            } else {
                fx.final_state = RequestState::Closed;
                sets.push(("closed_at", now.into()));
            }
        }
        A::Close => sets.push(("closed_at", now.into())),
        A::Cancel => {
            fx.note = Some(note_required(input)?);
            sets.push(("closed_at", now.into()));
        }
        A::Feedback if fx.note.is_none() => {
            return Err(invalid("note", CommonCode::Required));
        }
        _ => {}
    }
    Ok(fx)
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
        return Err(invalid("ids", CommonCode::Required));
    }
    if ids.len() > 500 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("ids", TicketCode::TooMany).with("max", 500),
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
                // The failure's own code, as a client would have seen it acting on this one.
                let code = match &e {
                    CoreError::Invalid(v) => v
                        .first()
                        .map(|f| f.code)
                        .unwrap_or(CommonCode::Invalid.as_str()),
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
    let row = visible_row(core, ctx, id).await?;
    let open = state_of(&row)?.is_open();
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
