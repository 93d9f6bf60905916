//! Registering a request (登记). Every check and lookup runs first, on the reader pool; then
//! the write. The desk, the API and the portal hand their prepared request to a group commit
//! (`db::group`), so registrations arriving together share one transaction and one statement
//! per table; a hotline call converted into a request writes alone, in a transaction the caller
//! finishes (the call is marked converted in it).
//!
//! A request's number comes from the community's counter, advanced once per batch by the
//! number of its requests there, so numbers stay gapless and in the order the batch lists them.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;

use chrono::{DateTime, SubsecRound, Utc};

use crate::Core;
use crate::audit::{self, Action, Entry, Who};
use crate::db::group::GroupCommit;
use crate::db::{Db, Tx, Writes};
use crate::shared::crypto::mask_phone;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::store::idempotency::NewKey;
use crate::shared::values::{Phone, optional_text, required_multiline};
use crate::{auth, registry};

use super::error::TicketCode;
use super::model::*;
use super::service::{check_assignee, clock_rank, next_in_turn, parse_category_code, tz_of};
use super::store::{
    self, clocks::NewClock, events::NewEvent, requests::NewRequest, requests::Setting,
};
use crate::notify::model::Event as NotifyEvent;
use crate::notify::store::inbox::NewInApp;
use crate::notify::{InApp, Note};

/// Registrations written together at most (the INSERT of requests binds 24 values a row).
const MAX_BATCH: usize = 64;

/// The queue of registrations waiting for the writer.
pub type RequestQueue = GroupCommit<Prepared, Request>;

pub fn request_queue() -> RequestQueue {
    GroupCommit::new(MAX_BATCH, write_batch)
}

impl Setting {
    fn category(&self) -> Option<Category> {
        Some(Category {
            id: self.category_id?,
            code: self.code.clone()?,
            name_zh: self.name_zh.clone()?,
            name_en: self.name_en.clone()?,
            dispatch_mode: self.dispatch_mode.clone()?,
            visit_policy: self.visit_policy.clone()?,
            active: self.active?,
            sort: self.sort?,
        })
    }

    fn team(&self) -> Option<(i64, String)> {
        Some((self.team_id?, self.team_name.clone()?))
    }
}

struct Validated {
    kind: RequestKind,
    category: Category,
    channel: Channel,
    urgency: Urgency,
    location: Option<String>,
    contact_name: Option<String>,
    contact_phone: Option<Phone>,
    description: String,
}

/// A request checked and looked up, ready to be written.
pub struct Prepared {
    who: Who,
    community: CommunityId,
    now: DateTime<Utc>,
    /// For a request entered late (补录): what the audit log keeps of it.
    late: Option<serde_json::Value>,
    /// The day of `now` in the community's time zone (`YYYY-MM-DD`), for statistics.
    day: String,
    prefix: &'static str,
    kind: RequestKind,
    category: String,
    channel: Channel,
    urgency: Urgency,
    complex: bool,
    unit_id: Option<UnitId>,
    unit_label: Option<String>,
    person_id: Option<PersonId>,
    location: Option<String>,
    contact_name: Option<String>,
    phone_enc: Option<Vec<u8>>,
    /// The contact's number as shown (masked).
    contact_phone: Option<String>,
    description: String,
    state: RequestState,
    first_responder: UserId,
    first_responder_name: String,
    assignee: Option<UserId>,
    assignee_name: Option<String>,
    team: Option<(i64, String)>,
    promise: DateTime<Utc>,
    clocks: Vec<(ClockRule, DateTime<Utc>, DateTime<Utc>)>,
    /// The idempotency key the caller sent and the digest of its input, recorded with the row.
    key: Option<(String, String)>,
    /// The channels the reporting owner is told through.
    channels: std::sync::Arc<crate::notify::channels::Channels>,
    /// The reporter's portal account, told that the request was received.
    reporter_account: Option<UserId>,
}

/// Registers a request; the actor becomes its first responder (首问责任人).
pub async fn create_request(
    core: &Core,
    ctx: &Ctx,
    input: RequestForCreate,
) -> CoreResult<Request> {
    ctx.require_in(Perm::TicketsRegister, input.community_id)?;
    create_request_for(core, ctx, input, ctx.user_id).await
}

/// Checks a request as `create_request` would, without registering it: a form with problems of
/// its own shows them together with the service's, and nothing is written while any remain.
pub async fn check_request(core: &Core, ctx: &Ctx, input: RequestForCreate) -> CoreResult<()> {
    ctx.require_in(Perm::TicketsRegister, input.community_id)?;
    prepare(core, ctx, input, ctx.user_id, None)
        .await
        .map(|_| ())
}

/// Registers a request whose first responder is `first_responder` (the owner portal: the
/// actor is the owner, the request belongs to the service desk). The caller authorizes.
pub async fn create_request_for(
    core: &Core,
    ctx: &Ctx,
    input: RequestForCreate,
    first_responder: UserId,
) -> CoreResult<Request> {
    let p = prepare(core, ctx, input, first_responder, None).await?;
    core.requests.submit(&core.db, p).await
}

/// The scope of requests' idempotency keys (`idempotency_keys.scope`).
const KEY_SCOPE: &str = "request";

/// A registration and whether it was done before: the same idempotency key and input sent again
/// (a retry whose first answer was lost, on this node or another) answer the first request.
#[derive(Debug)]
pub struct Registered {
    pub request: Request,
    pub replayed: bool,
}

/// Registers a request under an idempotency key (none: as [`create_request`]). The key is the
/// community's: the same key with the same input answers the request it registered (however
/// many times and on whichever node it is retried); with a different input it is refused
/// (`idempotency_key_reused`). The key is written with the request in the group commit's
/// transaction, so the two are committed together or not at all.
pub async fn create_request_keyed(
    core: &Core,
    ctx: &Ctx,
    input: RequestForCreate,
    key: Option<&str>,
) -> CoreResult<Registered> {
    ctx.require_in(Perm::TicketsRegister, input.community_id)?;
    let Some(raw) = key else {
        let request = create_request_for(core, ctx, input, ctx.user_id).await?;
        return Ok(Registered {
            request,
            replayed: false,
        });
    };
    let key = idempotency_key(raw)?;
    let c = input.community_id;
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    let dig = input_digest(&input)?;
    if let Some(done) = replay(core, ctx, c, &key, &dig).await? {
        return Ok(done);
    }
    let mut p = prepare(core, ctx, input, ctx.user_id, None).await?;
    p.key = Some((key.clone(), dig.clone()));
    match core.requests.submit(&core.db, p).await {
        Ok(request) => Ok(Registered {
            request,
            replayed: false,
        }),
        // A concurrent attempt with the same key committed first (here or on another node):
        // its request is the answer. Any other failure stands.
        Err(e) => match replay(core, ctx, c, &key, &dig).await? {
            Some(done) => Ok(done),
            None => Err(e),
        },
    }
}

/// A key as sent: 1–100 visible ASCII characters (a UUID, say).
fn idempotency_key(raw: &str) -> CoreResult<String> {
    let k = raw.trim();
    if k.is_empty() || k.len() > 100 || !k.bytes().all(|b| b.is_ascii_graphic()) {
        return Err(CoreError::invalid(
            "idempotency_key",
            TicketCode::InvalidIdempotencyKey,
        ));
    }
    Ok(k.to_string())
}

/// The digest of an input: what "the same request again" means.
fn input_digest(input: &RequestForCreate) -> CoreResult<String> {
    use sha2::{Digest, Sha256};
    let json = serde_json::to_vec(input).map_err(|e| CoreError::internal(e.to_string()))?;
    Ok(hex::encode(Sha256::digest(&json)))
}

/// What a key already registered: the request (same input), a refusal (another input), or
/// nothing yet.
async fn replay(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    key: &str,
    dig: &str,
) -> CoreResult<Option<Registered>> {
    let Some(k) = crate::shared::store::idempotency::find(&core.db, c, KEY_SCOPE, key).await?
    else {
        return Ok(None);
    };
    let reused = || CoreError::conflict("idempotency_key", TicketCode::IdempotencyKeyReused);
    if k.digest != dig {
        return Err(reused());
    }
    match super::service::get_request(core, ctx, RequestId(k.entity_id)).await {
        Ok(request) => Ok(Some(Registered {
            request,
            replayed: true,
        })),
        // Registered by someone whose requests the caller may not see: not the caller's retry.
        Err(CoreError::NotFound(_)) => Err(reused()),
        Err(e) => Err(e),
    }
}

/// Registers a request in a transaction handed back uncommitted, so the caller may add to it.
/// `received` is when the request really came in (a hotline call converted later): its clocks,
/// its registration time and its statistics day are that moment, never later than now.
pub(super) async fn create_in(
    core: &Core,
    ctx: &Ctx,
    input: RequestForCreate,
    first_responder: UserId,
    received: Option<DateTime<Utc>>,
) -> CoreResult<(Tx, Request)> {
    let p = prepare(core, ctx, input, first_responder, received).await?;
    let mut tx = core.db.begin().await?;
    let created = write_in(&mut tx, std::slice::from_ref(&p))
        .await?
        .pop()
        .ok_or_else(|| CoreError::internal("registered request"))?;
    Ok((tx, created))
}

/// Checks the input and does every lookup, on the reader pool (a write transaction never
/// waits for a read connection: on PostgreSQL, a full pool of transactions each waiting for one
/// more connection would stall).
async fn prepare(
    core: &Core,
    ctx: &Ctx,
    input: RequestForCreate,
    first_responder: UserId,
    received: Option<DateTime<Utc>>,
) -> CoreResult<Prepared> {
    let community = input.community_id;
    // A time the caller gives (a paper form entered late) is checked; one handed over by a
    // converted call was checked when the call was logged.
    let mut time_error = None;
    let happened = match (received, input.received_at) {
        (None, Some(at)) => match crate::shared::backdate::check_time(
            "received_at",
            at,
            Utc::now(),
            core.settings.backdate_window,
        ) {
            Ok(h) if h.late && !ctx.has(Perm::RecordsBackdate) => {
                return Err(CoreError::Forbidden);
            }
            Ok(h) => Some(h),
            Err(e) => {
                time_error = Some(e);
                None
            }
        },
        _ => None,
    };
    // Microseconds, as PostgreSQL keeps them: the request returned is the one read later. The
    // clocks run from when the request came in.
    let now = received
        .or(happened.map(|h| h.happened_at))
        .map_or_else(Utc::now, |r| r.min(Utc::now()))
        .trunc_subsecs(6);
    // Every lookup runs before the write transaction's first statement, on the reader pool
    // (the frequent ones inline on SQLite: `db::inline`).
    let mut rd = core.db.read_pinned();
    if !ctx.reaches(community) {
        return Err(CoreError::NotFound("community"));
    }
    let cat_code = parse_category_code("category", &input.category).unwrap_or_default();
    // The community's time zone, the category and the team that handles it, in one query.
    let setting = store::requests::setting(&mut rd, community, ctx.company_id, &cat_code)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    let tz = tz_of(&setting.timezone);

    let mut c = Checks::new();
    if let Some(e) = time_error {
        c.push(e);
    }
    let kind = c.take(RequestKind::parse("kind", &input.kind));
    let channel = c.take(Channel::parse("channel", &input.channel));
    let urgency = c.take(Urgency::parse(
        "urgency",
        input
            .urgency
            .as_deref()
            .filter(|s| !s.is_empty())
            .unwrap_or("normal"),
    ));
    let location = c.take(optional_text("location", input.location.as_deref(), 100));
    let mut contact_name = c.take(optional_text(
        "contact_name",
        input.contact_name.as_deref(),
        50,
    ));
    let contact_phone = match input.contact_phone.as_deref().map(str::trim) {
        None | Some("") => Some(None),
        Some(p) => c.take(Phone::parse("contact_phone", p).map(Some)),
    };
    let description = c.take(required_multiline("description", &input.description, 2000));
    let category = match setting.category() {
        Some(cat) if cat.active => Some(cat),
        _ if input.category.trim().is_empty() => {
            c.push(FieldError::new("category", CommonCode::Choose));
            None
        }
        _ => {
            c.push(FieldError::new("category", TicketCode::UnknownCategory));
            None
        }
    };
    // The unit must be one of this community's; one the actor cannot reach does not exist.
    let mut unit_people: Vec<PersonId> = Vec::new();
    let mut unit_label: Option<String> = None;
    if let Some(u) = input.unit_id {
        // The unit with its people, a row each.
        let rows = registry::store::for_tickets::unit_with_people(&mut rd, u).await?;
        unit_people = rows.iter().filter_map(|r| r.2).collect();
        match rows.into_iter().next() {
            Some((uc, label, _)) if uc == community => unit_label = Some(label),
            Some((uc, _, _)) if ctx.reaches(uc) => {
                c.push(FieldError::new("unit_id", TicketCode::UnitNotInCommunity))
            }
            _ => c.push(FieldError::new("unit_id", TicketCode::UnknownUnit)),
        }
    } else if kind == Some(RequestKind::RepairUnit) {
        c.push(FieldError::new(
            "unit_id",
            TicketCode::UnitRequiredForRepair,
        ));
    }
    let mut person_phone: Option<Vec<u8>> = None;
    // The reporter's portal account hears that it was received: looked up here, beside the
    // other reads, so the batch writer has nothing more to read.
    let mut reporter_account: Option<UserId> = None;
    if let Some(p) = input.person_id {
        reporter_account = crate::notify::accounts_of_people(&mut rd, &[p])
            .await?
            .first()
            .map(|(_, u)| *u);
        let row = registry::store::for_tickets::person(&mut rd, p).await?;
        match row {
            Some((pc, name, phone)) if pc == community => {
                if input.unit_id.is_some() && !unit_people.contains(&p) {
                    c.push(FieldError::new("person_id", TicketCode::PersonNotOfUnit));
                }
                if contact_name.as_ref().is_some_and(Option::is_none) {
                    contact_name = Some(Some(name));
                }
                person_phone = phone;
            }
            _ => c.push(FieldError::new("person_id", TicketCode::UnknownPerson)),
        }
    }
    let promise = input
        .promise_at
        .map(|p| p.trunc_subsecs(6))
        .unwrap_or(now + DEFAULT_PROMISE);
    if let Err(code) = check_promise(now, promise, now) {
        c.push(FieldError::new("promise_at", code));
    }
    let mut assignee_name: Option<String> = None;
    if let Some(a) = input.assignee_id {
        if !ctx.has(Perm::TicketsDispatch) {
            return Err(CoreError::Forbidden);
        }
        match check_assignee(&mut rd, ctx, community, a).await {
            Ok(name) => assignee_name = Some(name),
            Err(CoreError::Invalid(e)) => c.0.extend(e),
            Err(e) => return Err(e),
        }
    }
    c.finish()?;
    let (
        Some(kind),
        Some(channel),
        Some(urgency),
        Some(location),
        Some(contact_name),
        Some(contact_phone),
        Some(description),
        Some(category),
    ) = (
        kind,
        channel,
        urgency,
        location,
        contact_name,
        contact_phone,
        description,
        category,
    )
    else {
        return Err(CoreError::internal("validated request"));
    };
    let v = Validated {
        kind,
        category,
        channel,
        urgency,
        location,
        contact_name,
        contact_phone,
        description,
    };

    // Where the request goes first: the named assignee, else the category's mode.
    let mode = DispatchMode::from_stored(&v.category.dispatch_mode)?;
    let team = setting.team();
    let (state, assignee) = match (input.assignee_id, mode) {
        (Some(a), _) => (RequestState::Dispatched, Some(a)),
        (None, DispatchMode::Pool) => (RequestState::Pooled, None),
        (None, DispatchMode::RoundRobin) => {
            match next_in_turn(&mut rd, ctx, community, team.as_ref().map(|t| t.0)).await? {
                Some((a, name)) => {
                    assignee_name = Some(name);
                    (RequestState::Dispatched, Some(a))
                }
                None => (RequestState::Registered, None),
            }
        }
        (None, DispatchMode::Manual) => (RequestState::Registered, None),
    };
    let first_responder_name = if first_responder == ctx.user_id {
        ctx.display_name.clone()
    } else {
        auth::store::for_tickets::display_name(&mut rd, first_responder).await?
    };
    // The clocks start now.
    let overrides = store::settings::overrides_for_new(&mut rd, community).await?;
    let rules = effective_clocks(
        ClockInput {
            kind: v.kind,
            category: &v.category.code,
            urgency: v.urgency,
            channel: v.channel,
            complex: input.complex.unwrap_or(false),
        },
        &overrides,
    );
    let cal = if rules.iter().any(|r| matches!(r.span, Span::WorkingDays(_))) {
        super::sla::calendar_near(&mut rd, ctx.company_id, now).await?
    } else {
        Default::default()
    };
    let clocks: Vec<(ClockRule, DateTime<Utc>, DateTime<Utc>)> = rules
        .iter()
        .map(|r| {
            let due = due_at(now, r.span, &cal, tz);
            (*r, due, warn_at(now, due))
        })
        .collect();

    let day = now.with_timezone(&tz).format("%Y-%m-%d").to_string();
    let prefix = if v.kind.is_repair() {
        "BX"
    } else if v.kind.is_complaint() {
        "TS"
    } else {
        "FW"
    };
    let phone_enc = match &v.contact_phone {
        Some(p) => Some(core.crypto.encrypt(p.as_str())),
        None => person_phone,
    };
    let contact_phone = match &v.contact_phone {
        Some(p) => Some(mask_phone(p.as_str())),
        None => phone_enc
            .as_deref()
            .and_then(|b| core.crypto.decrypt(b).ok())
            .map(|p| mask_phone(&p)),
    };
    Ok(Prepared {
        channels: core.channels.clone(),
        reporter_account,
        who: Who::of(ctx),
        community,
        now,
        late: happened.and_then(|h| h.audit("received_at")),
        day,
        prefix,
        kind: v.kind,
        category: v.category.code,
        channel: v.channel,
        urgency: v.urgency,
        complex: input.complex.unwrap_or(false),
        unit_id: input.unit_id,
        unit_label,
        person_id: input.person_id,
        location: v.location,
        contact_name: v.contact_name,
        phone_enc,
        contact_phone,
        description: v.description,
        state,
        first_responder,
        first_responder_name,
        assignee,
        assignee_name,
        team,
        promise,
        clocks,
        key: None,
    })
}

fn write_batch(
    db: Db,
    jobs: Vec<Prepared>,
) -> Pin<Box<dyn Future<Output = Vec<CoreResult<Request>>> + Send>> {
    Box::pin(async move {
        if jobs.len() > 1 {
            match write_committed(&db, &jobs).await {
                Ok(done) => return done.into_iter().map(Ok).collect(),
                // Something in the batch failed (a unit deleted meanwhile, say): each is
                // written alone below, so one request's problem is its own.
                Err(e) => {
                    tracing::debug!(error = %e, "batch of {} registrations retried one by one", jobs.len())
                }
            }
        }
        let mut out = Vec::with_capacity(jobs.len());
        for j in &jobs {
            out.push(
                write_committed(&db, std::slice::from_ref(j))
                    .await
                    .and_then(|mut v| {
                        v.pop()
                            .ok_or_else(|| CoreError::internal("registered request"))
                    }),
            );
        }
        out
    })
}

async fn write_committed(db: &Db, jobs: &[Prepared]) -> CoreResult<Vec<Request>> {
    if let Some((_slot, mut tx)) = db.begin_inline().await? {
        let done = write_in(&mut tx, jobs).await?;
        tx.commit()?;
        return Ok(done);
    }
    let mut tx = db.begin().await?;
    let done = write_in(&mut tx, jobs).await?;
    tx.commit().await?;
    Ok(done)
}

/// Writes prepared requests: their numbers, rows, clocks, first timeline lines, notices to the
/// assignees and audit entries, one statement each for the whole batch.
async fn write_in(tx: &mut impl Writes, jobs: &[Prepared]) -> CoreResult<Vec<Request>> {
    // Numbers: the counter of each community moves once, by its count in the batch.
    let mut next_no: HashMap<CommunityId, i64> = HashMap::new();
    for j in jobs {
        if next_no.contains_key(&j.community) {
            continue;
        }
        let k = jobs.iter().filter(|x| x.community == j.community).count() as i64;
        let last = crate::shared::store::advance_counter(tx, j.community, "request", k).await?;
        next_no.insert(j.community, last - k + 1);
    }
    let mut numbers = Vec::with_capacity(jobs.len());
    for j in jobs {
        let n = next_no.entry(j.community).or_default();
        numbers.push(format!("{}-{:06}", j.prefix, *n));
        *n += 1;
    }

    let rows: Vec<NewRequest<'_>> = jobs
        .iter()
        .zip(&numbers)
        .map(|(j, number)| NewRequest {
            community: j.community,
            number,
            kind: j.kind.code(),
            category: &j.category,
            channel: j.channel.code(),
            urgency: j.urgency.code(),
            complex: j.complex,
            unit: j.unit_id,
            person: j.person_id,
            location: j.location.clone(),
            contact_name: j.contact_name.clone(),
            phone_enc: j.phone_enc.clone(),
            description: &j.description,
            state: j.state.code(),
            first_responder: j.first_responder,
            assignee: j.assignee,
            promise: j.promise,
            now: j.now,
            day: &j.day,
            team: j.team.as_ref().map(|t| t.0),
        })
        .collect();
    let ids = store::requests::insert_batch(tx, &rows).await?;
    // RETURNING does not promise the order of VALUES: match by the unique number.
    let by_number: HashMap<(CommunityId, &str), RequestId> = ids
        .iter()
        .map(|(id, c, n)| ((*c, n.as_str()), *id))
        .collect();
    let mut req_ids = Vec::with_capacity(jobs.len());
    for (j, number) in jobs.iter().zip(&numbers) {
        let id = by_number
            .get(&(j.community, number.as_str()))
            .copied()
            .ok_or_else(|| CoreError::internal("inserted request"))?;
        req_ids.push(id);
    }

    let mut clocks = Vec::new();
    for (j, id) in jobs.iter().zip(&req_ids) {
        for (r, due, warn) in &j.clocks {
            clocks.push(NewClock {
                community: j.community,
                request: *id,
                clock: r.clock.code(),
                started: j.now,
                due: *due,
                warn: *warn,
                pauses_on_hold: r.pauses_on_hold,
                day: &j.day,
                kind: j.kind.code(),
                category: &j.category,
            });
        }
    }
    store::clocks::insert_batch(tx, &clocks).await?;

    // The first lines of each timeline: registered, then dispatched or pooled.
    let registered = RequestState::Registered.code();
    let mut lines = Vec::with_capacity(jobs.len() * 2);
    for (j, id) in jobs.iter().zip(&req_ids) {
        let line = |action: EventAction, from: Option<&'static str>, to, who| NewEvent {
            community: j.community,
            request: *id,
            at: j.now,
            actor: j.who.actor,
            actor_name: &j.who.name,
            action: action.code(),
            from,
            to,
            assignee: who,
        };
        lines.push(line(EventAction::Register, None, registered, None));
        if j.state != RequestState::Registered {
            let action = if j.state == RequestState::Pooled {
                EventAction::ToPool
            } else {
                EventAction::Dispatch
            };
            lines.push(line(action, Some(registered), j.state.code(), j.assignee));
        }
    }
    store::events::insert_events(tx, &lines).await?;

    let notices: Vec<NewInApp<'_>> = jobs
        .iter()
        .zip(&req_ids)
        .filter_map(|(j, id)| {
            j.assignee.map(|u| NewInApp {
                community: j.community,
                user: u,
                at: j.now,
                kind: "assigned",
                request: Some(*id),
                clock: None,
                event: None,
                title: None,
                body: None,
                link: None,
            })
        })
        .collect();
    crate::notify::store::inbox::insert(tx, &notices).await?;

    // Complaints and suggestions go to the opinion library (意见征集库) with the request.
    let opinions: Vec<crate::surveys::RequestOpinion<'_>> = jobs
        .iter()
        .zip(&req_ids)
        .filter(|(j, _)| j.kind.is_complaint() || j.kind == RequestKind::Suggestion)
        .map(|(j, id)| crate::surveys::RequestOpinion {
            community: j.community,
            request: *id,
            complaint: j.kind.is_complaint(),
            category: &j.category,
            description: &j.description,
            user: j.reporter_account,
            person_name: j.contact_name.clone(),
            at: j.now,
        })
        .collect();
    crate::surveys::from_request(tx, &opinions).await?;

    // The owners who reported (those with a portal account) hear that it was received.
    let mut told: Vec<(Note, Vec<UserId>)> = Vec::new();
    for ((j, id), number) in jobs.iter().zip(&req_ids).zip(&numbers) {
        let Some(account) = j.reporter_account else {
            continue;
        };
        let place = j
            .unit_label
            .clone()
            .or_else(|| j.location.clone())
            .unwrap_or_default();
        let note = Note {
            community: j.community,
            event: NotifyEvent::RequestRegistered,
            params: vec![
                ("number".into(), number.clone()),
                ("location".into(), place),
            ],
            request: Some(*id),
            link: Some(format!("/portal/requests/{id}")),
        };
        told.push((note, vec![account]));
    }
    if let Some(j) = jobs.first() {
        crate::notify::enqueue_many(&j.channels, tx, &told, InApp::Write, Utc::now()).await?;
    }

    let keys: Vec<NewKey<'_>> = jobs
        .iter()
        .zip(&req_ids)
        .filter_map(|(j, id)| {
            j.key.as_ref().map(|(key, digest)| NewKey {
                community: j.community,
                key,
                digest,
                entity_id: id.0,
            })
        })
        .collect();
    crate::shared::store::idempotency::insert(tx, KEY_SCOPE, &keys, Utc::now()).await?;

    let created: Vec<Request> = jobs
        .iter()
        .zip(req_ids)
        .zip(numbers)
        .map(|((j, id), number)| view(j, id, number))
        .collect();
    let entries: Vec<(&Who, Entry<'_>)> = jobs
        .iter()
        .zip(&created)
        .map(|(j, r)| {
            (
                &j.who,
                match &j.late {
                    None => Entry::new(Action::Create, "request", r.id.0)
                        .community(j.community)
                        .after(r),
                    Some(late) => Entry::new(Action::Create, "request", r.id.0)
                        .community(j.community)
                        .after(&serde_json::json!({ "request": r, "entered_late": late })),
                },
            )
        })
        .collect();
    audit::record_all(tx, &entries).await?;
    Ok(created)
}

/// The request as written, with its clocks just started.
fn view(j: &Prepared, id: RequestId, number: String) -> Request {
    let now = j.now;
    let mut clocks: Vec<Clock> = j
        .clocks
        .iter()
        .map(|(r, due, warn)| Clock {
            clock: r.clock,
            started_at: now,
            due_at: *due,
            warn_at: *warn,
            met_at: None,
            paused: false,
            escalated: false,
            status: clock_status(now, *due, *warn, None, None),
            remaining_seconds: Some((*due - now).num_seconds()),
        })
        .collect();
    clocks.sort_by_key(clock_rank);
    Request {
        id,
        community_id: j.community,
        number,
        kind: j.kind,
        category: j.category.clone(),
        channel: j.channel,
        urgency: j.urgency,
        complex: j.complex,
        unit_id: j.unit_id,
        unit_label: j.unit_label.clone(),
        person_id: j.person_id,
        location: j.location.clone(),
        contact_name: j.contact_name.clone(),
        contact_phone: j.contact_phone.clone(),
        description: j.description.clone(),
        state: j.state,
        hold_reason: None,
        first_responder_id: j.first_responder,
        first_responder_name: j.first_responder_name.clone(),
        assignee_id: j.assignee,
        assignee_name: j.assignee_name.clone(),
        team_id: j.team.as_ref().map(|t| t.0),
        team_name: j.team.as_ref().map(|t| t.1.clone()),
        promise_at: j.promise,
        promise_postponed: false,
        escalations: 0,
        reopen_count: 0,
        materials: None,
        labour_minutes: None,
        charge_fen: None,
        satisfaction: None,
        rating_comment: None,
        rated_via: None,
        created_at: now,
        updated_at: now,
        accepted_at: None,
        on_site_at: None,
        done_at: None,
        closed_at: None,
        clocks,
    }
}
