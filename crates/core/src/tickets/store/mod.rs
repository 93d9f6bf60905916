//! SQL of requests: row types as the tables hold them, and the queries the service and the
//! scanner share.

pub mod for_billing;
pub mod for_portal;

use chrono::{DateTime, Duration, NaiveDate, Utc};

use crate::args;
use crate::db::inline::Cols;
use crate::db::{Args, FromInline, Queries, Tx};
use crate::shared::calendar::{Calendar, DayKind};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::model::DEFAULT_CATEGORIES;

#[derive(sqlx::FromRow)]
pub(super) struct RequestRow {
    pub id: RequestId,
    pub community_id: CommunityId,
    pub number: String,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub urgency: String,
    pub complex: bool,
    pub unit_id: Option<UnitId>,
    pub unit_label: Option<String>,
    pub person_id: Option<PersonId>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub contact_phone_enc: Option<Vec<u8>>,
    pub description: String,
    pub state: String,
    pub hold_from: Option<String>,
    pub hold_reason: Option<String>,
    pub first_responder_id: UserId,
    pub first_responder_name: String,
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    pub team_id: Option<i64>,
    pub team_name: Option<String>,
    pub promise_at: DateTime<Utc>,
    pub promise_postponed: bool,
    pub escalations: i64,
    pub reopen_count: i64,
    pub materials: Option<String>,
    pub labour_minutes: Option<i64>,
    pub charge_fen: Option<i64>,
    pub satisfaction: Option<i64>,
    pub rating_comment: Option<String>,
    pub rated_via: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub accepted_at: Option<DateTime<Utc>>,
    pub on_site_at: Option<DateTime<Utc>>,
    pub done_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
}

impl FromInline for RequestRow {
    fn from_inline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // In the order of REQUEST_SELECT.
        let mut c = Cols::new(r);
        Ok(RequestRow {
            id: c.get("id")?,
            community_id: c.get("community_id")?,
            number: c.get("number")?,
            kind: c.get("kind")?,
            category: c.get("category")?,
            channel: c.get("channel")?,
            urgency: c.get("urgency")?,
            complex: c.flag("complex")?,
            unit_id: c.get("unit_id")?,
            unit_label: c.get("unit_label")?,
            person_id: c.get("person_id")?,
            location: c.get("location")?,
            contact_name: c.get("contact_name")?,
            contact_phone_enc: c.get("contact_phone_enc")?,
            description: c.get("description")?,
            state: c.get("state")?,
            hold_from: c.get("hold_from")?,
            hold_reason: c.get("hold_reason")?,
            first_responder_id: c.get("first_responder_id")?,
            first_responder_name: c.get("first_responder_name")?,
            assignee_id: c.get("assignee_id")?,
            assignee_name: c.get("assignee_name")?,
            team_id: c.get("team_id")?,
            team_name: c.get("team_name")?,
            promise_at: c.time("promise_at")?,
            promise_postponed: c.flag("promise_postponed")?,
            escalations: c.get("escalations")?,
            reopen_count: c.get("reopen_count")?,
            materials: c.get("materials")?,
            labour_minutes: c.get("labour_minutes")?,
            charge_fen: c.get("charge_fen")?,
            satisfaction: c.get("satisfaction")?,
            rating_comment: c.get("rating_comment")?,
            rated_via: c.get("rated_via")?,
            created_at: c.time("created_at")?,
            updated_at: c.time("updated_at")?,
            accepted_at: c.opt_time("accepted_at")?,
            on_site_at: c.opt_time("on_site_at")?,
            done_at: c.opt_time("done_at")?,
            closed_at: c.opt_time("closed_at")?,
        })
    }
}

pub(super) const REQUEST_SELECT: &str = "SELECT r.id, r.community_id, r.number, r.kind, r.category, \
    r.channel, r.urgency, r.complex, r.unit_id, \
    CASE WHEN u.id IS NULL THEN NULL ELSE b.name || '-' || u.unit_no END AS unit_label, \
    r.person_id, r.location, r.contact_name, r.contact_phone_enc, r.description, r.state, r.hold_from, \
    r.hold_reason, r.first_responder_id, fr.display_name AS first_responder_name, r.assignee_id, \
    asg.display_name AS assignee_name, r.team_id, tm.name AS team_name, r.promise_at, r.promise_postponed, r.escalations, \
    r.reopen_count, r.materials, r.labour_minutes, r.charge_fen, r.satisfaction, r.rating_comment, \
    r.rated_via, r.created_at, r.updated_at, r.accepted_at, r.on_site_at, r.done_at, r.closed_at \
    FROM requests r JOIN users fr ON fr.id = r.first_responder_id \
    LEFT JOIN users asg ON asg.id = r.assignee_id LEFT JOIN teams tm ON tm.id = r.team_id \
    LEFT JOIN units u ON u.id = r.unit_id LEFT JOIN buildings b ON b.id = u.building_id";

#[derive(sqlx::FromRow)]
pub(super) struct ClockRow {
    pub request_id: RequestId,
    pub clock: String,
    pub started_at: DateTime<Utc>,
    pub due_at: DateTime<Utc>,
    pub warn_at: DateTime<Utc>,
    pub met_at: Option<DateTime<Utc>>,
    pub paused_since: Option<DateTime<Utc>>,
    pub breached_at: Option<DateTime<Utc>>,
}

impl FromInline for ClockRow {
    fn from_inline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // In the order of CLOCK_COLS.
        let mut c = Cols::new(r);
        Ok(ClockRow {
            request_id: c.get("request_id")?,
            clock: c.get("clock")?,
            started_at: c.time("started_at")?,
            due_at: c.time("due_at")?,
            warn_at: c.time("warn_at")?,
            met_at: c.opt_time("met_at")?,
            paused_since: c.opt_time("paused_since")?,
            breached_at: c.opt_time("breached_at")?,
        })
    }
}

impl FromInline for super::model::SlaOverride {
    fn from_inline(r: &rusqlite::Row<'_>) -> rusqlite::Result<Self> {
        // id, community_id, category, clock, enabled, minutes, working_days, pauses_on_hold
        let mut c = Cols::new(r);
        Ok(super::model::SlaOverride {
            id: c.get("id")?,
            community_id: c.get("community_id")?,
            category: c.get("category")?,
            clock: c.get("clock")?,
            enabled: c.flag("enabled")?,
            minutes: c.get("minutes")?,
            working_days: c.get("working_days")?,
            pauses_on_hold: c.flag("pauses_on_hold")?,
        })
    }
}

pub(super) const CLOCK_COLS: &str =
    "request_id, clock, started_at, due_at, warn_at, met_at, paused_since, breached_at";

/// `col IN ($…)` over ids; an empty list matches nothing.
pub(super) fn in_list<T: Copy + Into<crate::db::Value>>(
    a: &mut Args,
    col: &str,
    ids: &[T],
) -> String {
    if ids.is_empty() {
        return "1 = 0".into();
    }
    let ph: Vec<String> = ids.iter().map(|c| a.push(*c)).collect();
    format!("{col} IN ({})", ph.join(","))
}

/// The company calendar around `start`: the listed days from a week before to a year after
/// (a working-day clock never reaches further).
pub(super) async fn calendar_near(
    tx: &mut impl Queries,
    company: CompanyId,
    start: DateTime<Utc>,
) -> CoreResult<Calendar> {
    let from = (start - Duration::days(7)).date_naive();
    let to = (start + Duration::days(366)).date_naive();
    let rows: Vec<(NaiveDate, String)> = tx
        .fetch_all(
            "SELECT day, kind FROM calendar_days WHERE company_id = $1 AND day >= $2 AND day <= $3",
            args![company, from, to],
        )
        .await?;
    Ok(Calendar::new(rows.into_iter().map(|(d, k)| {
        (
            d,
            if k == "workday" {
                DayKind::Workday
            } else {
                DayKind::Holiday
            },
        )
    })))
}

/// Adds the default categories a company lacks (an admin's edits are kept; categories are
/// deactivated, never deleted, so none comes back unwanted).
pub async fn seed_categories(tx: &mut Tx, company: CompanyId) -> CoreResult<()> {
    for (i, (code, zh, en, mode, visit)) in DEFAULT_CATEGORIES.iter().enumerate() {
        tx.execute(
            "INSERT INTO ticket_categories (company_id, code, name_zh, name_en, dispatch_mode, \
             visit_policy, active, sort) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (company_id, code) DO NOTHING",
            args![
                company,
                *code,
                *zh,
                *en,
                mode.code(),
                visit.code(),
                true,
                (i as i64 + 1) * 10
            ],
        )
        .await?;
    }
    Ok(())
}

/// Gives every company the default categories it lacks (at start: companies created before
/// the tickets module have none).
pub async fn ensure_categories(core: &crate::Core) -> CoreResult<()> {
    let companies: Vec<(CompanyId,)> = core
        .db
        .read()
        .fetch_all("SELECT id FROM companies", args![])
        .await?;
    let mut tx = core.db.begin().await?;
    for (c,) in companies {
        seed_categories(&mut tx, c).await?;
    }
    tx.commit().await
}

/// Writes one line of a request's timeline.
#[allow(clippy::too_many_arguments)]
pub(super) async fn event(
    tx: &mut Tx,
    community: CommunityId,
    request: RequestId,
    at: DateTime<Utc>,
    actor: Option<UserId>,
    actor_name: &str,
    action: &str,
    from: Option<&str>,
    to: Option<&str>,
    note: Option<&str>,
    assignee: Option<UserId>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO request_events (community_id, request_id, at, actor_id, actor_name, action, \
         from_state, to_state, note, assignee_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            community, request, at, actor, actor_name, action, from, to, note, assignee
        ],
    )
    .await?;
    Ok(())
}

/// A message to one staff member.
pub(super) async fn notify(
    tx: &mut Tx,
    community: CommunityId,
    user: UserId,
    at: DateTime<Utc>,
    kind: &str,
    request: RequestId,
    clock: Option<&str>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO notifications (community_id, user_id, at, kind, request_id, clock) \
         VALUES ($1, $2, $3, $4, $5, $6)",
        args![community, user, at, kind, request, clock],
    )
    .await?;
    Ok(())
}

/// Active users of a community whose role has `perm` (assigned to it, or reaching every
/// community of the company).
pub(super) async fn users_with_perm(
    tx: &mut impl Queries,
    company: CompanyId,
    community: CommunityId,
    perm: &str,
    include_all_communities: bool,
) -> CoreResult<Vec<(UserId, String)>> {
    let mut a = args![company, community, format!("%{perm}%"), true];
    let all = if include_all_communities {
        format!(" OR r.all_communities = {}", a.push(true))
    } else {
        String::new()
    };
    tx.fetch_all(
        &format!(
            "SELECT u.id, u.display_name FROM users u JOIN roles r ON r.code = u.role \
             WHERE u.company_id = $1 AND r.permissions LIKE $3 AND u.active = $4 \
             AND (u.id IN (SELECT user_id FROM user_communities WHERE community_id = $2){all}) \
             ORDER BY u.id"
        ),
        a,
    )
    .await
}
