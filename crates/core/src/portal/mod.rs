//! The owner portal (业主端): accounts the service centre opens for owners and residents, their
//! first login with an activation code, and what an owner does on his phone — report a request
//! for one of his units, follow it, rate it when it is done.
//!
//! An owner account is a user of role `owner` tied to one registry person. Its username is
//! `yz` + the person's id (printed on the activation slip with the code): a phone number would
//! put personal data in clear in the users table. The account stays inactive until the owner
//! sets a password with the activation code; five wrong codes void it (the centre issues a new
//! one). An owner sees requests about his units or that he reported, nothing else.

pub mod error;
use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::auth::{check_password, hash_password};
use crate::db::{Args, Tx};
use crate::shared::crypto::{random_bytes, token_hash};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::tickets::{
    self, Category, Event, EventAction, Request, RequestForCreate, RequestKind, RequestState,
    SATISFIED_FROM, VisitPolicy,
};

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
    let row: Option<(CommunityId, String)> = core
        .db
        .read()
        .fetch_optional(
            "SELECT community_id, name FROM people WHERE id = $1",
            args![person],
        )
        .await?;
    let (community, name) = row
        .filter(|(c, _)| ctx.reaches(*c))
        .ok_or(CoreError::NotFound("person"))?;
    ctx.require_in(Perm::RegistryWrite, community)?;
    let (links,): (i64,) = core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM unit_people WHERE community_id = $1 AND person_id = $2",
            args![community, person],
        )
        .await?;
    if links == 0 {
        return Err(CoreError::invalid("person_id", "person_has_no_unit"));
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
    let existing: Option<(UserId,)> = tx
        .fetch_optional(
            "SELECT user_id FROM owner_accounts WHERE person_id = $1",
            args![person],
        )
        .await?;
    let user = match existing {
        Some((u,)) => {
            tx.execute(
                "UPDATE owner_accounts SET activation_hash = $1, activation_expires_at = $2 \
                 WHERE user_id = $3",
                args![code_hash(&username, &code), expires, u],
            )
            .await?;
            tx.execute(
                "UPDATE users SET failed_logins = 0, updated_at = $1 WHERE id = $2",
                args![now, u],
            )
            .await?;
            u
        }
        None => {
            let id = UserId(
                tx.insert_id(
                    "INSERT INTO users (company_id, username, display_name, role, password_hash, active, \
                     must_change_password, failed_logins, created_at, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8, $8) RETURNING id",
                    args![
                        ctx.company_id,
                        username.as_str(),
                        name.as_str(),
                        "owner",
                        placeholder,
                        false,
                        false,
                        now
                    ],
                )
                .await
                .map_err(|e| e.or_conflict("person_id", "account_exists"))?,
            );
            tx.execute(
                "INSERT INTO user_communities (user_id, community_id) VALUES ($1, $2)",
                args![id, community],
            )
            .await?;
            tx.execute(
                "INSERT INTO owner_accounts (user_id, company_id, community_id, person_id, \
                 activation_hash, activation_expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                args![
                    id,
                    ctx.company_id,
                    community,
                    person,
                    code_hash(&username, &code),
                    expires,
                    now
                ],
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

/// The owner's first login: the activation code sets his password and opens the account.
pub async fn activate(core: &Core, input: Activation) -> CoreResult<()> {
    let username = input.username.trim().to_lowercase();
    let bad = || CoreError::invalid("activation_code", "bad_activation_code");
    if crate::auth::parse_username("username", &username).is_err()
        || input.activation_code.chars().any(char::is_control)
    {
        return Err(bad());
    }
    #[derive(sqlx::FromRow)]
    struct Pending {
        id: UserId,
        company_id: CompanyId,
        community_id: CommunityId,
        activation_hash: Option<String>,
        activation_expires_at: Option<DateTime<Utc>>,
        failed_logins: i64,
    }
    let row: Option<Pending> = core
        .db
        .read()
        .fetch_optional(
            "SELECT u.id, u.company_id, o.community_id, o.activation_hash, o.activation_expires_at, \
             u.failed_logins FROM users u JOIN owner_accounts o ON o.user_id = u.id WHERE u.username = $1",
            args![username.as_str()],
        )
        .await?;
    let Some(Pending {
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
    check_password("password", &input.password).map_err(|e| CoreError::Invalid(vec![e]))?;
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
    let counted: Option<(i64,)> = tx
        .fetch_optional(
            "UPDATE users SET failed_logins = failed_logins + 1 WHERE id = $1 AND failed_logins < $2 \
             RETURNING failed_logins",
            args![user, MAX_ACTIVATION_FAILURES],
        )
        .await?;
    if counted.is_none() || !matches || failures >= MAX_ACTIVATION_FAILURES {
        tx.commit().await?;
        return Err(bad());
    }
    let hash = hash_password(core.settings.password_cost, &input.password).await?;
    tx.execute(
        "UPDATE users SET password_hash = $1, active = $2, must_change_password = $3, \
         failed_logins = 0, locked_until = NULL, updated_at = $4 WHERE id = $5",
        args![hash, true, false, now, user],
    )
    .await?;
    tx.execute(
        "UPDATE owner_accounts SET activation_hash = NULL, activation_expires_at = NULL, \
         activated_at = $1 WHERE user_id = $2",
        args![now, user],
    )
    .await?;
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
    let row: Option<(PersonId, CommunityId, String)> = core
        .db
        .read()
        .fetch_optional(
            "SELECT o.person_id, o.community_id, p.name FROM owner_accounts o \
             JOIN people p ON p.id = o.person_id WHERE o.user_id = $1",
            args![ctx.user_id],
        )
        .await?;
    let (person_id, community_id, name) = row.ok_or(CoreError::Forbidden)?;
    let units: Vec<OwnerUnit> = core
        .db
        .read()
        .fetch_all(
            "SELECT u.id AS unit_id, b.name || '-' || u.unit_no AS label, l.relation \
             FROM unit_people l JOIN units u ON u.id = l.unit_id JOIN buildings b ON b.id = u.building_id \
             WHERE l.community_id = $1 AND l.person_id = $2 ORDER BY b.name, u.unit_no",
            args![community_id, person_id],
        )
        .await?;
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
async fn desk_owner(tx: &mut Tx, company: CompanyId, community: CommunityId) -> CoreResult<UserId> {
    let rows: Vec<(UserId, String)> = tx
        .fetch_all(
            "SELECT u.id, r.permissions FROM users u JOIN roles r ON r.code = u.role \
             JOIN user_communities uc ON uc.user_id = u.id \
             WHERE u.company_id = $1 AND uc.community_id = $2 AND u.active = $3 \
             AND r.permissions LIKE $4 ORDER BY u.id",
            args![company, community, true, "%tickets.dispatch%"],
        )
        .await?;
    rows.iter()
        .find(|(_, p)| !p.contains("tickets.manage"))
        .or(rows.first())
        .map(|(u, _)| *u)
        .ok_or_else(|| CoreError::invalid("community_id", "no_service_desk"))
}

pub async fn report(core: &Core, ctx: &Ctx, input: PortalRequestForCreate) -> CoreResult<Request> {
    let me = profile(core, ctx).await?;
    if !me.units.iter().any(|u| u.unit_id == input.unit_id) {
        return Err(CoreError::invalid("unit_id", "not_your_unit"));
    }
    let kind = RequestKind::parse("kind", &input.kind).map_err(|e| CoreError::Invalid(vec![e]))?;
    if kind == RequestKind::ComplaintSerious {
        return Err(CoreError::invalid("kind", "unknown_request_kind"));
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
    let events: Vec<Event> = core
        .db
        .read()
        .fetch_all(
            "SELECT id, at, actor_id, actor_name, action, from_state, to_state, NULL AS note, \
             assignee_id FROM request_events WHERE community_id = $1 AND request_id = $2 \
             AND action NOT IN ('clock_warning', 'clock_breach', 'escalate') ORDER BY id",
            args![r.community_id, id],
        )
        .await?;
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
        c.push(FieldError::new("satisfaction", "satisfaction_out_of_range"));
    }
    let comment = c.take(crate::shared::values::optional_multiline(
        "comment",
        input.comment.as_deref(),
        500,
    ));
    c.finish()?;
    if r.state != RequestState::Done {
        return Err(CoreError::conflict("state", "request_not_done"));
    }
    if r.rated_via.as_deref() == Some("portal") {
        return Err(CoreError::conflict("satisfaction", "already_rated"));
    }
    let cats: Vec<Category> = tickets::list_categories(core, ctx).await?;
    let policy = cats
        .iter()
        .find(|x| x.code == r.category)
        .and_then(|x| VisitPolicy::parse("visit_policy", &x.visit_policy).ok())
        .unwrap_or(VisitPolicy::Always);
    let satisfied = input.satisfaction >= SATISFIED_FROM;
    let next = match (satisfied, policy) {
        (false, _) => RequestState::Registered,
        (true, VisitPolicy::Unrated) => RequestState::Closed,
        (true, VisitPolicy::Always) => RequestState::Done,
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let mut a = Args::new();
    let mut sql = format!(
        "UPDATE requests SET state = {}, updated_at = {}, satisfaction = {}, rating_comment = {}, rated_via = {}",
        a.push(next.code()),
        a.push(now),
        a.push(input.satisfaction),
        a.push(comment.flatten()),
        // Reopened: the owner rates again when the work is done again.
        a.push((next != RequestState::Registered).then_some("portal"))
    );
    match next {
        RequestState::Closed => sql.push_str(&format!(", closed_at = {}", a.push(now))),
        RequestState::Registered => sql.push_str(&format!(
            ", done_at = NULL, reopen_count = reopen_count + {}",
            a.push(1i64)
        )),
        _ => {}
    }
    sql.push_str(&format!(
        " WHERE id = {} AND state = {} AND updated_at = {}",
        a.push(id),
        a.push(RequestState::Done.code()),
        a.push(r.updated_at)
    ));
    if tx.execute(&sql, a).await? != 1 {
        return Err(CoreError::conflict("state", "request_changed"));
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
