//! The owner portal's use cases: opening and activating an owner's account, his profile, his
//! requests and their rating. The rules of what an owner may see and do live here; the rows come
//! from the stores of the modules that own them (registry, requests, accounts) and from
//! `store` (owner accounts).

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::auth::service::attempts;
use crate::auth::store::for_portal as accounts;
use crate::auth::{LoginSource, check_password, hash_password};
use crate::registry::store::for_portal as registry;
use crate::shared::crypto::{random_bytes, token_hash};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::tickets::store::for_portal as requests;
use crate::tickets::{
    self, Category, Event, EventAction, Request, RequestForCreate, RequestKind, RequestState,
    SATISFIED_FROM, VisitPolicy,
};

use super::error::PortalCode;
use super::store;

/// How long an activation code is valid.
pub const ACTIVATION_VALID: Duration = Duration::days(14);
/// Wrong activation codes before the code is void.
const MAX_ACTIVATION_FAILURES: i64 = 5;

/// What the centre hands the owner (printed or sent).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ActivationSlip {
    pub username: String,
    pub display_name: String,
    /// Eight digits, shown once.
    pub activation_code: String,
    pub expires_at: DateTime<Utc>,
}

fn new_code() -> String {
    let b = random_bytes::<8>();
    let n = u64::from_le_bytes(b) % 100_000_000;
    format!("{n:08}")
}

fn code_hash(username: &str, code: &str) -> String {
    token_hash(&format!("{username}:{code}"))
}

/// Opens (or re-issues the activation code of) the portal account of a person who lives in a
/// unit of the community. Needs `registry.write` there.
pub async fn open_account(core: &Core, ctx: &Ctx, person: PersonId) -> CoreResult<ActivationSlip> {
    let (community, name) = registry::person(&core.db, person)
        .await?
        .filter(|(c, _)| ctx.reaches(*c))
        .ok_or(CoreError::NotFound("person"))?;
    ctx.require_in(Perm::RegistryWrite, community)?;
    if registry::unit_link_count(&core.db, community, person).await? == 0 {
        return Err(CoreError::invalid("person_id", PortalCode::PersonHasNoUnit));
    }
    let username = format!("yz{}", person.0);
    let code = new_code();
    let now = Utc::now();
    let expires = now + ACTIVATION_VALID;
    // An unusable password until the owner activates the account.
    let placeholder = hash_password(
        core.settings.password_cost,
        &crate::shared::crypto::random_token(),
    )
    .await?;
    let mut tx = core.db.begin().await?;
    let user = match store::account_of_person(&mut tx, person).await? {
        Some(u) => {
            store::reissue(&mut tx, u, code_hash(&username, &code), expires).await?;
            accounts::reset_failures(&mut tx, u, now).await?;
            u
        }
        None => {
            let id = accounts::insert_owner_user(
                &mut tx,
                ctx.company_id,
                username.as_str(),
                name.as_str(),
                placeholder,
                now,
            )
            .await
            .map_err(|e| e.or_conflict("person_id", PortalCode::AccountExists))?;
            store::insert(
                &mut tx,
                store::NewAccount {
                    user: id,
                    company: ctx.company_id,
                    community,
                    person,
                    code_hash: code_hash(&username, &code),
                    expires,
                    now,
                },
            )
            .await?;
            id
        }
    };
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "owner_account", user.0)
            .community(community)
            .after(&serde_json::json!({ "person_id": person, "username": username, "activation_issued": true })),
    )
    .await?;
    tx.commit().await?;
    Ok(ActivationSlip {
        username,
        display_name: name,
        activation_code: code,
        expires_at: expires,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Activation {
    pub username: String,
    pub activation_code: String,
    pub password: String,
}

/// The owner's first login: the activation code sets his password and opens the account. A code
/// is a secret like a password: its guesses go through the login throttle of `source` (the
/// client's address), beside the account's own cap on tries.
pub async fn activate(core: &Core, input: Activation, source: &LoginSource) -> CoreResult<()> {
    let username = input.username.trim().to_lowercase();
    let bad = || CoreError::invalid("activation_code", PortalCode::BadActivationCode);
    // The new password's policy first: a too-short password is a typing matter, not a guess.
    check_password("password", &input.password).map_err(|e| CoreError::Invalid(vec![e]))?;
    let attempt = attempts::begin(core, source, &username).await?;
    if crate::auth::parse_username("username", &username).is_err()
        || input.activation_code.chars().any(char::is_control)
    {
        return Err(bad());
    }
    let row = store::pending(&core.db, username.as_str()).await?;
    let Some(store::Pending {
        id: user,
        company_id: company,
        community_id: community,
        activation_hash: hash,
        activation_expires_at: expires,
        failed_logins: failures,
    }) = row
    else {
        return Err(bad());
    };
    let now = Utc::now();
    let matches = hash.as_deref()
        == Some(code_hash(&username, input.activation_code.trim()).as_str())
        && expires.is_some_and(|t| t > now);
    let mut actor = Ctx::system(company);
    actor.user_id = user;
    actor.display_name = username.clone();
    let mut tx = core.db.begin().await?;
    // Every try is counted first, in the database: parallel guesses cannot all slip under the
    // limit by reading the same count.
    let counted = accounts::count_activation_try(&mut tx, user, MAX_ACTIVATION_FAILURES).await?;
    if counted.is_none() || !matches || failures >= MAX_ACTIVATION_FAILURES {
        tx.commit().await?;
        return Err(bad());
    }
    let hash = hash_password(core.settings.password_cost, &input.password).await?;
    accounts::activate_user(&mut tx, user, hash, now).await?;
    attempts::succeeded(&mut tx, &attempt).await?;
    store::mark_activated(&mut tx, user, now).await?;
    audit::record(
        &mut tx,
        &actor,
        Entry::new(Action::Update, "owner_account", user.0)
            .community(community)
            .after(&serde_json::json!({ "activated": true })),
    )
    .await?;
    tx.commit().await
}

/// The owner behind a portal session: his person, community and units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerProfile {
    pub person_id: PersonId,
    pub community_id: CommunityId,
    pub name: String,
    pub units: Vec<OwnerUnit>,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct OwnerUnit {
    pub unit_id: UnitId,
    /// "1栋-1801".
    pub label: String,
    pub relation: String,
}

pub async fn profile(core: &Core, ctx: &Ctx) -> CoreResult<OwnerProfile> {
    let (person_id, community_id, name) = store::owner_of(&core.db, ctx.user_id)
        .await?
        .ok_or(CoreError::Forbidden)?;
    let units = registry::units_of_person(&core.db, community_id, person_id)
        .await?
        .into_iter()
        .map(|(unit_id, label, relation)| OwnerUnit {
            unit_id,
            label,
            relation,
        })
        .collect();
    Ok(OwnerProfile {
        person_id,
        community_id,
        name,
        units,
    })
}

/// A request reported by an owner.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PortalRequestForCreate {
    pub unit_id: UnitId,
    /// `repair_unit`, `repair_common`, `complaint_general`, `inquiry`, `suggestion` or `help`
    /// (a serious complaint is the centre's classification).
    pub kind: String,
    pub category: String,
    pub description: String,
    pub location: Option<String>,
}

/// The staff member who owns requests coming in from the portal: the community's service desk
/// (the first agent assigned to it; a manager when there is none).
async fn desk_owner(
    tx: &mut crate::db::Tx,
    company: CompanyId,
    community: CommunityId,
) -> CoreResult<UserId> {
    let rows = accounts::dispatchers(tx, company, community).await?;
    rows.iter()
        .find(|(_, p)| !p.contains("tickets.manage"))
        .or(rows.first())
        .map(|(u, _)| *u)
        .ok_or_else(|| CoreError::invalid("community_id", PortalCode::NoServiceDesk))
}

pub async fn report(core: &Core, ctx: &Ctx, input: PortalRequestForCreate) -> CoreResult<Request> {
    let me = profile(core, ctx).await?;
    if !me.units.iter().any(|u| u.unit_id == input.unit_id) {
        return Err(CoreError::invalid("unit_id", PortalCode::NotYourUnit));
    }
    let kind = RequestKind::parse("kind", &input.kind).map_err(|e| CoreError::Invalid(vec![e]))?;
    if kind == RequestKind::ComplaintSerious {
        return Err(CoreError::invalid("kind", PortalCode::UnknownRequestKind));
    }
    let desk = {
        let mut tx = core.db.begin().await?;
        let d = desk_owner(&mut tx, ctx.company_id, me.community_id).await?;
        tx.commit().await?;
        d
    };
    tickets::create_request_for(
        core,
        ctx,
        RequestForCreate {
            community_id: me.community_id,
            kind: input.kind,
            category: input.category,
            channel: "portal".into(),
            urgency: None,
            complex: None,
            unit_id: Some(input.unit_id),
            person_id: Some(me.person_id),
            location: input.location,
            contact_name: None,
            contact_phone: None,
            description: input.description,
            promise_at: None,
            assignee_id: None,
            received_at: None,
        },
        desk,
    )
    .await
}

/// The owner's requests: those he reported and those about his units, newest first.
pub async fn my_requests(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Request>> {
    let me = profile(core, ctx).await?;
    let units: Vec<UnitId> = me.units.iter().map(|u| u.unit_id).collect();
    tickets::list_for_owner(core, me.community_id, me.person_id, &units, None).await
}

/// One of the owner's requests with its timeline (actions and times; internal notes are not
/// shown to owners).
pub async fn my_request(
    core: &Core,
    ctx: &Ctx,
    id: RequestId,
) -> CoreResult<(Request, Vec<Event>)> {
    let me = profile(core, ctx).await?;
    let units: Vec<UnitId> = me.units.iter().map(|u| u.unit_id).collect();
    let r = tickets::list_for_owner(core, me.community_id, me.person_id, &units, Some(id))
        .await?
        .pop()
        .ok_or(CoreError::NotFound("request"))?;
    let events: Vec<Event> = requests::owner_timeline(&core.db, r.community_id, id).await?;
    Ok((r, events))
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct Rating {
    /// 1 (very unsatisfied) … 5 (very satisfied).
    pub satisfaction: i64,
    pub comment: Option<String>,
}

/// The owner rates a finished request. Satisfied: the request closes when its category visits
/// only unrated requests, else it waits for the centre's return visit. Unsatisfied (below 3):
/// the request is reopened and goes back to the desk.
pub async fn rate(core: &Core, ctx: &Ctx, id: RequestId, input: Rating) -> CoreResult<Request> {
    let (r, _) = my_request(core, ctx, id).await?;
    // Who reported it rates it; a repair of his unit registered without a reporter (a call
    // taken at the desk) is his to rate too, one reported by his tenant is the tenant's.
    let me = profile(core, ctx).await?;
    let his = r.person_id == Some(me.person_id)
        || (r.person_id.is_none() && r.kind == RequestKind::RepairUnit);
    if !his {
        return Err(CoreError::Forbidden);
    }
    let mut c = Checks::new();
    if !(1..=5).contains(&input.satisfaction) {
        c.push(FieldError::new(
            "satisfaction",
            PortalCode::SatisfactionOutOfRange,
        ));
    }
    let comment = c.take(crate::shared::values::optional_multiline(
        "comment",
        input.comment.as_deref(),
        500,
    ));
    c.finish()?;
    if r.state != RequestState::Done {
        return Err(CoreError::conflict("state", PortalCode::RequestNotDone));
    }
    if r.rated_via.as_deref() == Some("portal") {
        return Err(CoreError::conflict(
            "satisfaction",
            PortalCode::AlreadyRated,
        ));
    }
    let cats: Vec<Category> = tickets::list_categories(core, ctx).await?;
    // A category no longer listed visits every request; a stored policy that does not decode is
    // an internal error, never quietly taken for "always".
    let policy = match cats.iter().find(|x| x.code == r.category) {
        Some(x) => VisitPolicy::parse("visit_policy", &x.visit_policy).map_err(|e| {
            CoreError::internal(format!(
                "stored visit policy {:?}: {}",
                x.visit_policy, e.code
            ))
        })?,
        None => VisitPolicy::Always,
    };
    let satisfied = input.satisfaction >= SATISFIED_FROM;
    let next = match (satisfied, policy) {
        (false, _) => RequestState::Registered,
        (true, VisitPolicy::Unrated) => RequestState::Closed,
        (true, VisitPolicy::Always) => RequestState::Done,
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let rating = requests::OwnerRating {
        next,
        now,
        satisfaction: input.satisfaction,
        comment: comment.flatten(),
        // Reopened: the owner rates again when the work is done again.
        rated_via: (next != RequestState::Registered).then_some("portal"),
    };
    if requests::rate(&mut tx, id, r.updated_at, rating).await? != 1 {
        return Err(CoreError::conflict("state", PortalCode::RequestChanged));
    }
    tickets::record_event(
        &mut tx,
        ctx,
        &r,
        now,
        EventAction::Rate,
        RequestState::Done,
        next,
    )
    .await?;
    if next == RequestState::Registered {
        tickets::record_event(
            &mut tx,
            ctx,
            &r,
            now,
            EventAction::Reopen,
            RequestState::Done,
            next,
        )
        .await?;
    }
    if next != RequestState::Closed {
        // The desk hears of it: a visit is due, or the owner is unsatisfied.
        let kind = if satisfied { "rated" } else { "reopened" };
        tickets::notify_user(&mut tx, r.community_id, r.first_responder_id, now, kind, id).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "request", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": r.state.code() }))
            .after(&serde_json::json!({
                "action": "rate", "state": next.code(), "satisfaction": input.satisfaction,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(my_request(core, ctx, id).await?.0)
}
