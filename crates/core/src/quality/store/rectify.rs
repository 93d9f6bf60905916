//! SQL of rectification tasks (整改): the tasks an audit's sign-off writes (`rectifications`),
//! what happened to each round by round (`rectification_events`) and the owner's photos
//! (`rectification_photos`). Every change of state is a conditional UPDATE on the state (and
//! round) it starts from, so two people acting at once cannot both land.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    #[derive(Clone)]
    pub(crate) struct RectRow {
        pub id: RectificationId,
        pub community_id: CommunityId,
        pub audit_id: AuditId,
        pub audit_number: String,
        pub number: String,
        pub sheet_name: String,
        pub section: String,
        pub item: String,
        pub finding: String,
        pub deduction_cp: i64,
        pub owner_id: Option<UserId>,
        pub round: i64,
        pub state: String,
        pub due_at: DateTime<Utc>,
        pub done_note: Option<String>,
        pub done_at: Option<DateTime<Utc>>,
        pub overdue_told_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

crate::row! {
    pub(crate) struct EventRow {
        pub round: i64,
        pub kind: String,
        pub note: Option<String>,
        pub due_at: Option<DateTime<Utc>>,
        pub by_user: Option<UserId>,
        pub at: DateTime<Utc>,
    }
}

crate::row! {
    pub(crate) struct PhotoRow {
        pub id: i64,
        pub round: i64,
        pub content_type: String,
        pub path: String,
        pub created_at: DateTime<Utc>,
    }
}

const RECT: &str = "SELECT r.id, r.community_id, r.audit_id, a.number AS audit_number, r.number, \
     r.sheet_name, r.section, r.item, r.finding, r.deduction_cp, r.owner_id, r.round, r.state, r.due_at, \
     r.done_note, r.done_at, r.overdue_told_at, r.created_at, r.updated_at \
     FROM rectifications r JOIN audits a ON a.id = r.audit_id";

/// A task the sign-off writes.
pub(crate) struct NewRect<'a> {
    pub audit: AuditId,
    pub item_id: i64,
    pub number: &'a str,
    pub sheet_name: &'a str,
    pub section: &'a str,
    pub item: &'a str,
    pub finding: &'a str,
    pub deduction_cp: i64,
    pub due_at: DateTime<Utc>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    r: &NewRect<'_>,
    now: DateTime<Utc>,
) -> CoreResult<RectificationId> {
    let (id,): (RectificationId,) = tx
        .fetch_one(
            "INSERT INTO rectifications (community_id, audit_id, item_id, number, sheet_name, section, item, \
             finding, deduction_cp, round, state, due_at, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, 'open', $10, $11, $11) RETURNING id",
            args![
                c,
                r.audit,
                r.item_id,
                r.number,
                r.sheet_name,
                r.section,
                r.item,
                r.finding,
                r.deduction_cp,
                r.due_at,
                now
            ],
        )
        .await?;
    Ok(id)
}

pub(crate) async fn get(q: &mut impl Queries, id: RectificationId) -> CoreResult<Option<RectRow>> {
    q.fetch_optional(&format!("{RECT} WHERE r.id = $1"), args![id])
        .await
}

/// Which tasks a list shows.
#[derive(Default)]
pub(crate) struct RectWhere {
    pub state: Option<&'static str>,
    pub owner: Option<UserId>,
    pub audit: Option<AuditId>,
    /// Open and past their deadline at this moment.
    pub overdue_at: Option<DateTime<Utc>>,
}

/// The conditions of `w` on the community's tasks (`$1`), their values pushed to `a`.
fn rect_cond(w: &RectWhere, a: &mut Args) -> String {
    let mut cond = String::from("r.community_id = $1");
    if let Some(s) = w.state {
        cond += &format!(" AND r.state = {}", a.push(s));
    }
    if let Some(o) = w.owner {
        cond += &format!(" AND r.owner_id = {}", a.push(o));
    }
    if let Some(au) = w.audit {
        cond += &format!(" AND r.audit_id = {}", a.push(au));
    }
    if let Some(now) = w.overdue_at {
        cond += &format!(" AND r.state = 'open' AND r.due_at < {}", a.push(now));
    }
    cond
}

/// The community's tasks, open ones by deadline first, then the rest newest first.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    w: &RectWhere,
    limit: i64,
) -> CoreResult<Vec<RectRow>> {
    let mut a: Args = args![c];
    let cond = rect_cond(w, &mut a);
    let lim = a.push(limit);
    q.fetch_all(
        &format!(
            "{RECT} WHERE {cond} ORDER BY r.state NOT IN ('open', 'submitted'), \
             CASE WHEN r.state IN ('open', 'submitted') THEN r.due_at END, \
             CASE WHEN r.state IN ('open', 'submitted') THEN r.id END, r.id DESC LIMIT {lim}"
        ),
        a,
    )
    .await
}

/// The tasks [`list`] picks under `w` whose id is below `below`, newest first: an export's
/// pages (by id, so none is skipped or repeated while tasks change state meanwhile).
pub(crate) async fn page(
    q: &mut impl Queries,
    c: CommunityId,
    w: &RectWhere,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<RectRow>> {
    let mut a: Args = args![c];
    let cond = rect_cond(w, &mut a);
    let below = a.push(below);
    q.fetch_all(
        &format!("{RECT} WHERE {cond} AND r.id < {below} ORDER BY r.id DESC LIMIT {limit}"),
        a,
    )
    .await
}

/// Sets the owner (and the deadline) of a task not yet closed; 0 when it closed meanwhile. A new
/// deadline may be told of again when it passes.
pub(crate) async fn assign(
    tx: &mut Tx,
    id: RectificationId,
    owner: UserId,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE rectifications SET owner_id = $2, overdue_told_at = CASE WHEN due_at = $3 THEN overdue_told_at END, \
         due_at = $3, updated_at = $4 WHERE id = $1 AND state IN ('open', 'submitted')",
        args![id, owner, due_at, now],
    )
    .await
}

/// The owner's record of a round: open → submitted; 0 when the task is not open in that round.
pub(crate) async fn submit(
    tx: &mut Tx,
    id: RectificationId,
    round: i64,
    note: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE rectifications SET state = 'submitted', done_note = $3, done_at = $4, updated_at = $4 \
         WHERE id = $1 AND round = $2 AND state = 'open'",
        args![id, round, note, now],
    )
    .await
}

/// Closes a task from `from` (in its round) as `to` (passed or kept); 0 when it moved meanwhile.
pub(crate) async fn close(
    tx: &mut Tx,
    id: RectificationId,
    (from, round): (&str, i64),
    to: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE rectifications SET state = $4, updated_at = $5 WHERE id = $1 AND state = $2 AND round = $3",
        args![id, from, round, to, now],
    )
    .await
}

/// A second rectification: the next round, open again with a new deadline.
pub(crate) async fn again(
    tx: &mut Tx,
    id: RectificationId,
    round: i64,
    due_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE rectifications SET state = 'open', round = round + 1, due_at = $3, done_note = NULL, \
         done_at = NULL, overdue_told_at = NULL, updated_at = $4 \
         WHERE id = $1 AND state = 'submitted' AND round = $2",
        args![id, round, due_at, now],
    )
    .await
}

/// An event of a task's history.
pub(crate) struct NewEvent<'a> {
    pub round: i64,
    pub kind: &'a str,
    pub note: Option<&'a str>,
    pub due_at: Option<DateTime<Utc>>,
}

pub(crate) async fn insert_event(
    tx: &mut Tx,
    c: CommunityId,
    id: RectificationId,
    e: &NewEvent<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO rectification_events (community_id, rectification_id, round, kind, note, due_at, by_user, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![c, id, e.round, e.kind, e.note, e.due_at, by, now],
    )
    .await?;
    Ok(())
}

pub(crate) async fn events(
    q: &mut impl Queries,
    c: CommunityId,
    id: RectificationId,
) -> CoreResult<Vec<EventRow>> {
    q.fetch_all(
        "SELECT round, kind, note, due_at, by_user, at FROM rectification_events \
         WHERE community_id = $1 AND rectification_id = $2 ORDER BY id",
        args![c, id],
    )
    .await
}

pub(crate) async fn insert_photo(
    tx: &mut Tx,
    c: CommunityId,
    id: RectificationId,
    (round, content_type, path): (i64, &str, &str),
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    let (pid,): (i64,) = tx
        .fetch_one(
            "INSERT INTO rectification_photos (community_id, rectification_id, round, content_type, path, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![c, id, round, content_type, path, by, now],
        )
        .await?;
    Ok(pid)
}

pub(crate) async fn photos(
    q: &mut impl Queries,
    c: CommunityId,
    id: RectificationId,
) -> CoreResult<Vec<PhotoRow>> {
    q.fetch_all(
        "SELECT id, round, content_type, path, created_at FROM rectification_photos \
         WHERE community_id = $1 AND rectification_id = $2 ORDER BY id",
        args![c, id],
    )
    .await
}

/// Open tasks past their deadline not yet told of, across communities, the most overdue first.
pub(crate) async fn overdue_untold(
    q: &mut impl Queries,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<RectRow>> {
    q.fetch_all(
        &format!(
            "{RECT} WHERE r.state = 'open' AND r.overdue_told_at IS NULL AND r.due_at < $1 \
             ORDER BY r.due_at LIMIT $2"
        ),
        args![now, limit],
    )
    .await
}

/// Marks a task told of being overdue in its round; 0 when another node told it first.
pub(crate) async fn mark_told(
    tx: &mut Tx,
    c: CommunityId,
    id: RectificationId,
    round: i64,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE rectifications SET overdue_told_at = $4 WHERE community_id = $1 AND id = $2 AND round = $3 \
         AND state = 'open' AND overdue_told_at IS NULL",
        args![c, id, round, now],
    )
    .await
}
