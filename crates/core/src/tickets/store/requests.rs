//! The requests table: the row as the table holds it (with the names of the people, team and
//! unit it points to), the reads of one request and of a page, the guarded update of an action,
//! and the multi-row insert of a batch of registrations.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Backend, Bulk, Db, Queries, Reader, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::in_list;

crate::row! {
    /// A request as stored, in the column order of [`REQUEST_SELECT`].
    pub(in crate::tickets) struct RequestRow {
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
}

/// The columns of [`RequestRow`] (a literal, so that [`REQUEST_SELECT`] is one too). The names
/// of the people, team and unit are scalar subqueries rather than joins: PostgreSQL plans them
/// one by one instead of searching the orders of a seven-table join (0.23 ms instead of 1.6 ms
/// for a page), and it plans a statement on every call when its generic plan looks no cheaper.
macro_rules! request_columns {
    () => {
        "SELECT r.id, r.community_id, r.number, r.kind, r.category, \
    r.channel, r.urgency, r.complex, r.unit_id, \
    (SELECT b.name || '-' || u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
     WHERE u.id = r.unit_id) AS unit_label, \
    r.person_id, r.location, r.contact_name, r.contact_phone_enc, r.description, r.state, r.hold_from, \
    r.hold_reason, r.first_responder_id, \
    (SELECT display_name FROM users WHERE id = r.first_responder_id) AS first_responder_name, \
    r.assignee_id, (SELECT display_name FROM users WHERE id = r.assignee_id) AS assignee_name, \
    r.team_id, (SELECT name FROM teams WHERE id = r.team_id) AS team_name, r.promise_at, \
    r.promise_postponed, r.escalations, \
    r.reopen_count, r.materials, r.labour_minutes, r.charge_fen, r.satisfaction, r.rating_comment, \
    r.rated_via, r.created_at, r.updated_at, r.accepted_at, r.on_site_at, r.done_at, r.closed_at "
    };
}

pub(in crate::tickets) const REQUEST_SELECT: &str = concat!(request_columns!(), "FROM requests r");

/// One request, on the reader pool.
pub(in crate::tickets) async fn load(db: &Db, id: RequestId) -> CoreResult<Option<RequestRow>> {
    db.read()
        .fetch_optional(&format!("{REQUEST_SELECT} WHERE r.id = $1"), args![id])
        .await
}

/// One request, read inside the transaction that will update it.
pub(in crate::tickets) async fn load_in(
    tx: &mut Tx,
    id: RequestId,
) -> CoreResult<Option<RequestRow>> {
    tx.fetch_optional(&format!("{REQUEST_SELECT} WHERE r.id = $1"), args![id])
        .await
}

/// Which requests of a page a user sees.
#[derive(Clone, Copy)]
pub(in crate::tickets) enum Seen<'a> {
    /// Every request of the communities.
    All,
    /// Those he registered (首问).
    Mine(UserId),
    /// His work orders.
    Assigned(UserId),
    /// The pool he may grab from: `state` pooled, unrouted or routed to his teams.
    Pool { me: UserId, pooled: &'a str },
    /// What he registered or holds, and the pool when he works orders.
    Own { me: UserId, pooled: Option<&'a str> },
}

/// The filters of a page of requests, already validated.
pub(in crate::tickets) struct Page<'a> {
    pub communities: &'a [CommunityId],
    pub seen: Seen<'a>,
    pub state: Option<&'a str>,
    /// States left out (closed and cancelled, for open requests only).
    pub not_in: Option<[&'a str; 2]>,
    pub kind: Option<&'a str>,
    pub category: Option<String>,
    pub assignee: Option<UserId>,
    pub unit: Option<UnitId>,
    pub team: Option<i64>,
    /// Only these requests (those with a clock in some state, found from the open clocks).
    pub only: Option<&'a [i64]>,
    pub before: Option<i64>,
    pub limit: i64,
}

/// Above this many communities a page's ids are read in one arm over all of them (and sorted):
/// SQLite caps a compound SELECT at 500 arms, and a company-wide reader sees most rows anyway.
const MERGED_COMMUNITIES: usize = 64;

/// The values of a page's SQL: on PostgreSQL ids and codes are written into the text (only
/// integers, and strings of `a-z` and `_`, so nothing can change the statement), on SQLite
/// everything is a parameter (it plans a statement without its arguments anyway).
struct Written {
    args: Args,
    literal: bool,
}

impl Written {
    fn push(&mut self, v: impl Into<Value>) -> String {
        let v = v.into();
        if self.literal {
            match &v {
                Value::I64(Some(x)) => return x.to_string(),
                Value::Str(Some(s))
                    if !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase() || b == b'_') =>
                {
                    return format!("'{s}'");
                }
                _ => {}
            }
        }
        self.args.push(v)
    }
}

/// The SQL of a page of requests, newest first, and its arguments.
///
/// The page's ids are chosen first, from the indexes alone, then joined to their rows and
/// names. Each community (and each branch of [`Seen::Own`]) is one arm that walks its index
/// backwards in id order (`requests_community`, `requests_first_responder`,
/// `requests_assignee`, `requests_state`) and stops at the page size; the arms' ids are merged
/// and cut to the page. A list over the two communities the desk sees thus reads at most a
/// page per arm and sorts no community, whatever the planner's statistics say: with
/// `community_id IN (…)` the planner had to read and sort every row of the communities (with
/// their joins), unless statistics told it to walk the whole table in id order instead.
///
/// The engines merge ordered arms from different texts: SQLite from plain arms under the
/// compound's ORDER BY (it sorts the rows of an arm written as a subquery with its own LIMIT,
/// though they come in order), PostgreSQL only from arms that are such subqueries (it sorts
/// plain ones).
///
/// On PostgreSQL the page names its communities, users and codes as literals, not parameters
/// (see [`Written`]). A pooled connection prepares each text once and, from its sixth call on,
/// may run one generic plan made for any arguments; with few communities the generic plan
/// walked `requests_pkey` backwards and filtered, reading the whole table for a community where
/// the agent had registered nothing. And when the generic plan looks dearer than the first five
/// (as it does when the agent's own requests are most of a community), PostgreSQL plans the
/// statement again on every call. A text without parameters is planned once per connection,
/// for the values it names; a connection keeps one per user and set of communities it lists.
pub(in crate::tickets) fn page_sql(p: &Page<'_>, backend: Backend) -> (String, Args) {
    let mut a = Written {
        args: Args::new(),
        literal: backend == Backend::Postgres,
    };
    // A page of given requests is one arm led by their ids (the primary key gives them in
    // order); per-community arms would walk each community's index to find them.
    let per_community =
        p.communities.len() <= MERGED_COMMUNITIES && !p.communities.is_empty() && p.only.is_none();
    let scopes: Vec<Option<CommunityId>> = if per_community {
        p.communities.iter().copied().map(Some).collect()
    } else {
        vec![None]
    };
    let limit = p.limit;
    let mut arms = Vec::new();
    let mut branches = 1;
    for scope in scopes {
        let within = match scope {
            Some(c) => format!("r.community_id = {}", a.push(c)),
            None => in_list(&mut a.args, "r.community_id", p.communities),
        };
        let seen: Vec<String> = match p.seen {
            Seen::All => vec![String::new()],
            Seen::Mine(me) => vec![format!(" AND r.first_responder_id = {}", a.push(me))],
            Seen::Assigned(me) => vec![format!(" AND r.assignee_id = {}", a.push(me))],
            Seen::Pool { me, pooled } => {
                let st = a.push(pooled);
                let mine = super::teams::pool_condition(&a.push(me));
                vec![format!(" AND r.state = {st} AND {mine}")]
            }
            // Registered by him, or his, or in the pool: one arm each (merged without
            // duplicates), as an OR of the three could not walk any one index in order.
            Seen::Own { me, pooled } => {
                let mut v = vec![
                    format!(" AND r.first_responder_id = {}", a.push(me)),
                    format!(" AND r.assignee_id = {}", a.push(me)),
                ];
                if let Some(s) = pooled {
                    v.push(format!(" AND r.state = {}", a.push(s)));
                }
                v
            }
        };
        branches = seen.len();
        for branch in seen {
            let filters = page_filters(&mut a, p);
            arms.push(format!(
                "SELECT r.id FROM requests r WHERE {within}{branch}{filters}"
            ));
        }
    }
    let ids = if arms.len() == 1 {
        format!("{} ORDER BY r.id DESC LIMIT {limit}", arms.remove(0))
    } else {
        // Arms of different communities never share a row; branches of one may.
        let union = if branches > 1 {
            " UNION "
        } else {
            " UNION ALL "
        };
        let arms: Vec<String> = match backend {
            Backend::Sqlite => arms,
            Backend::Postgres => arms
                .into_iter()
                .map(|arm| format!("SELECT id FROM ({arm} ORDER BY r.id DESC LIMIT {limit}) a"))
                .collect(),
        };
        format!("{} ORDER BY id DESC LIMIT {limit}", arms.join(union))
    };
    let sql = format!(
        concat!(
            request_columns!(),
            "FROM ({}) p JOIN requests r ON r.id = p.id ORDER BY p.id DESC LIMIT {}"
        ),
        ids, limit
    );
    (sql, a.args)
}

/// The conditions of a page besides its communities and who sees what.
fn page_filters(a: &mut Written, p: &Page<'_>) -> String {
    let mut sql = String::new();
    if let Some(s) = p.state {
        sql.push_str(&format!(" AND r.state = {}", a.push(s)));
    } else if let Some([x, y]) = p.not_in {
        sql.push_str(&format!(
            " AND r.state NOT IN ({}, {})",
            a.push(x),
            a.push(y)
        ));
    }
    if let Some(k) = p.kind {
        sql.push_str(&format!(" AND r.kind = {}", a.push(k)));
    }
    if let Some(c) = &p.category {
        sql.push_str(&format!(" AND r.category = {}", a.push(c.as_str())));
    }
    if let Some(u) = p.assignee {
        sql.push_str(&format!(" AND r.assignee_id = {}", a.push(u)));
    }
    if let Some(u) = p.unit {
        sql.push_str(&format!(" AND r.unit_id = {}", a.push(u)));
    }
    if let Some(t) = p.team {
        sql.push_str(&format!(" AND r.team_id = {}", a.push(t)));
    }
    if let Some(ids) = p.only {
        let list: Vec<String> = ids.iter().map(|i| a.push(*i)).collect();
        sql.push_str(&format!(" AND r.id IN ({})", list.join(", ")));
    }
    // A parameter always: a text per page would crowd the connection's statement cache.
    if let Some(b) = p.before {
        sql.push_str(&format!(" AND r.id < {}", a.args.push(b)));
    }
    sql
}

/// A page of requests, newest first (inline on SQLite: the console's busiest read).
pub(in crate::tickets) async fn page(
    r: &mut Reader<'_>,
    p: Page<'_>,
) -> CoreResult<Vec<RequestRow>> {
    let (sql, a) = page_sql(&p, r.backend());
    r.fetch_all_inline(&sql, a).await
}

/// An owner's requests: those he reported, and the requests of `kind` on his units; newest
/// first, at most 100; `only` picks one by id.
pub(in crate::tickets) async fn of_owner(
    db: &Db,
    community: CommunityId,
    person: PersonId,
    units: &[UnitId],
    kind: &str,
    only: Option<RequestId>,
) -> CoreResult<Vec<RequestRow>> {
    let mut a = Args::new();
    let c = a.push(community);
    let p = a.push(person);
    let u = in_list(&mut a, "r.unit_id", units);
    let k = a.push(kind);
    let one = match only {
        Some(id) => format!(" AND r.id = {}", a.push(id)),
        None => String::new(),
    };
    db.read()
        .fetch_all(
            &format!(
                "{REQUEST_SELECT} WHERE r.community_id = {c} AND (r.person_id = {p} OR ({u} AND r.kind = {k})){one} \
                 ORDER BY r.id DESC LIMIT 100"
            ),
            a,
        )
        .await
}

/// The columns an action sets besides state and updated_at (named by the action's rules in
/// the service; the names are the requests table's columns).
pub(in crate::tickets) type Sets = Vec<(&'static str, Value)>;

/// The guarded update of an action: it applies only if nobody changed the request since it
/// was read (same state, same `updated_at`). Returns the rows changed (1, or 0 on a race).
#[allow(clippy::too_many_arguments)]
pub(in crate::tickets) async fn update_guarded(
    tx: &mut Tx,
    id: RequestId,
    read_state: &str,
    read_updated_at: DateTime<Utc>,
    state: &str,
    now: DateTime<Utc>,
    sets: Sets,
) -> CoreResult<u64> {
    let mut a = Args::new();
    let mut sql = format!(
        "UPDATE requests SET state = {}, updated_at = {}",
        a.push(state),
        a.push(now)
    );
    for (col, v) in sets {
        sql.push_str(&format!(", {col} = {}", a.push(v)));
    }
    sql.push_str(&format!(
        " WHERE id = {} AND state = {} AND updated_at = {}",
        a.push(id),
        a.push(read_state),
        a.push(read_updated_at)
    ));
    tx.execute(&sql, a).await
}

/// A request to insert, as its columns take it.
pub(in crate::tickets) struct NewRequest<'a> {
    pub community: CommunityId,
    pub number: &'a str,
    pub kind: &'a str,
    pub category: &'a str,
    pub channel: &'a str,
    pub urgency: &'a str,
    pub complex: bool,
    pub unit: Option<UnitId>,
    pub person: Option<PersonId>,
    pub location: Option<String>,
    pub contact_name: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub description: &'a str,
    pub state: &'a str,
    pub first_responder: UserId,
    pub assignee: Option<UserId>,
    pub promise: DateTime<Utc>,
    pub now: DateTime<Utc>,
    /// The local day of `now`, for statistics.
    pub day: &'a str,
    pub team: Option<i64>,
}

/// Inserts a batch of requests in one statement; returns (id, community, number) of each, in
/// no promised order (RETURNING does not keep the order of VALUES).
pub(in crate::tickets) async fn insert_batch(
    tx: &mut impl Writes,
    rows: &[NewRequest<'_>],
) -> CoreResult<Vec<(RequestId, CommunityId, String)>> {
    let mut b = Bulk::with_capacity(rows.len(), 24);
    for r in rows {
        b.row([
            Value::from(r.community),
            Value::from(r.number),
            Value::from(r.kind),
            Value::from(r.category),
            Value::from(r.channel),
            Value::from(r.urgency),
            Value::from(r.complex),
            Value::from(r.unit),
            Value::from(r.person),
            Value::from(r.location.clone()),
            Value::from(r.contact_name.clone()),
            Value::from(r.phone_enc.clone()),
            Value::from(r.description),
            Value::from(r.state),
            Value::from(r.first_responder),
            Value::from(r.assignee),
            Value::from(r.promise),
            Value::from(false),
            Value::from(0i64),
            Value::from(0i64),
            Value::from(r.now),
            Value::from(r.now),
            Value::from(r.day),
            Value::from(r.team),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO requests (community_id, number, kind, category, channel, urgency, \
         complex, unit_id, person_id, location, contact_name, contact_phone_enc, \
         description, state, first_responder_id, assignee_id, promise_at, \
         promise_postponed, escalations, reopen_count, created_at, updated_at, \
         created_day, team_id)",
        " RETURNING id, community_id, number",
    );
    tx.fetch_all(&sql, a).await
}

crate::row! {
    /// What registering needs of a community in one query: its time zone, the category asked
    /// for and the team that handles it (the community row joined to the requests' tables).
    pub(in crate::tickets) struct Setting {
        pub timezone: String,
        pub team_id: Option<i64>,
        pub team_name: Option<String>,
        pub category_id: Option<CategoryId>,
        pub code: Option<String>,
        pub name_zh: Option<String>,
        pub name_en: Option<String>,
        pub dispatch_mode: Option<String>,
        pub visit_policy: Option<String>,
        pub active: Option<bool>,
        pub sort: Option<i64>,
    }
}

/// The community's setting for a new request of `category` (inline on SQLite: every
/// registration reads it).
pub(in crate::tickets) async fn setting(
    r: &mut Reader<'_>,
    community: CommunityId,
    company: CompanyId,
    category: &str,
) -> CoreResult<Option<Setting>> {
    Ok(r
        .fetch_all_inline::<Setting>(
            "SELECT c.timezone, t.id AS team_id, t.name AS team_name, \
             k.id AS category_id, k.code, k.name_zh, k.name_en, k.dispatch_mode, k.visit_policy, k.active, k.sort \
             FROM communities c \
             LEFT JOIN ticket_categories k ON k.company_id = c.company_id AND k.code = $3 \
             LEFT JOIN team_categories tc ON tc.community_id = c.id AND tc.category = $3 \
             LEFT JOIN teams t ON t.id = tc.team_id \
             WHERE c.id = $1 AND c.company_id = $2",
            args![community, company, category],
        )
        .await?
        .pop())
}
