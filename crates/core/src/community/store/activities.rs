//! SQL of activities: the plans, the sign-ups and the photos.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const COLS: &str = "id, community_id, title, aim, plan, place, starts_at, ends_at, signup_until, \
                    capacity, taken, budget_fen, state, summary, cost_fen, created_at, opened_at, \
                    done_at, updated_at";

crate::row! {
    /// An activity as stored.
    #[derive(Clone)]
    pub(crate) struct ActivityRow {
        pub id: ActivityId,
        pub community_id: CommunityId,
        pub title: String,
        pub aim: String,
        pub plan: String,
        pub place: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub signup_until: Option<DateTime<Utc>>,
        pub capacity: Option<i64>,
        pub taken: i64,
        pub budget_fen: i64,
        pub state: String,
        pub summary: String,
        pub cost_fen: Option<i64>,
        pub created_at: DateTime<Utc>,
        pub opened_at: Option<DateTime<Utc>>,
        pub done_at: Option<DateTime<Utc>>,
        pub updated_at: DateTime<Utc>,
    }
}

/// What a plan writes.
pub(crate) struct PlanText<'a> {
    pub title: &'a str,
    pub aim: &'a str,
    pub plan: &'a str,
    pub place: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub signup_until: Option<DateTime<Utc>>,
    pub capacity: Option<i64>,
    pub budget_fen: i64,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    p: &PlanText<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<ActivityId> {
    let id = tx
        .insert_id(
            "INSERT INTO activities (community_id, title, aim, plan, place, starts_at, ends_at, \
             signup_until, capacity, taken, budget_fen, state, summary, created_by, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, $10, 'planned', '', $11, $12, $12) \
             RETURNING id",
            args![
                c,
                p.title,
                p.aim,
                p.plan,
                p.place,
                p.starts_at,
                p.ends_at,
                p.signup_until,
                p.capacity,
                p.budget_fen,
                by,
                now
            ],
        )
        .await?;
    Ok(ActivityId(id))
}

pub(crate) async fn update_plan(
    tx: &mut Tx,
    id: ActivityId,
    p: &PlanText<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE activities SET title = $2, aim = $3, plan = $4, place = $5, starts_at = $6, \
         ends_at = $7, signup_until = $8, capacity = $9, budget_fen = $10, updated_at = $11 \
         WHERE id = $1 AND state = 'planned'",
        args![
            id,
            p.title,
            p.aim,
            p.plan,
            p.place,
            p.starts_at,
            p.ends_at,
            p.signup_until,
            p.capacity,
            p.budget_fen,
            now
        ],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: ActivityId) -> CoreResult<Option<ActivityRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM activities WHERE id = $1"),
        args![id],
    )
    .await
}

/// A community's activities, latest start first (at most 500); `state` filters.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
) -> CoreResult<Vec<ActivityRow>> {
    let mut a = args![c];
    let cond = match state {
        Some(s) => format!(" AND state = {}", a.push(s)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM activities WHERE community_id = $1{cond} \
             ORDER BY starts_at DESC, id DESC LIMIT 500"
        ),
        a,
    )
    .await
}

/// Moves an activity from `from` to `to`; 0 when it was not in `from` any more.
pub(crate) async fn move_state(
    tx: &mut Tx,
    id: ActivityId,
    from: &[&str],
    to: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    let mut a = args![id, to, now];
    let cond = in_list(&mut a, "state", from);
    let stamp = match to {
        "open" => ", opened_at = $3",
        "done" => ", done_at = $3",
        _ => "",
    };
    tx.execute(
        &format!(
            "UPDATE activities SET state = $2, updated_at = $3{stamp} WHERE id = $1 AND {cond}"
        ),
        a,
    )
    .await
}

pub(crate) async fn finish(
    tx: &mut Tx,
    id: ActivityId,
    summary: &str,
    cost_fen: i64,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE activities SET state = 'done', summary = $2, cost_fen = $3, done_at = $4, \
         updated_at = $4 WHERE id = $1 AND state = 'open'",
        args![id, summary, cost_fen, now],
    )
    .await
}

/// Takes a seat if one is left. The condition is evaluated under the row's lock, so of two
/// sign-ups for the last seat one takes it and the other finds none.
pub(crate) async fn take_seat(tx: &mut Tx, id: ActivityId) -> CoreResult<bool> {
    Ok(tx
        .execute(
            "UPDATE activities SET taken = taken + 1 WHERE id = $1 AND state = 'open' \
             AND (capacity IS NULL OR taken < capacity)",
            args![id],
        )
        .await?
        == 1)
}

pub(crate) async fn free_seat(tx: &mut Tx, id: ActivityId) -> CoreResult<()> {
    tx.execute(
        "UPDATE activities SET taken = taken - 1 WHERE id = $1 AND taken > 0",
        args![id],
    )
    .await?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Sign-ups

crate::row! {
    /// A sign-up as stored.
    pub(crate) struct SignupRow {
        pub id: i64,
        pub user_id: UserId,
        pub state: String,
        pub checked_in_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
    }
}

const SIGNUP_COLS: &str = "id, user_id, state, checked_in_at, created_at";

/// Writes a sign-up, or renews one given up earlier (it goes to the end of the line); false when
/// the user already has a live one.
pub(crate) async fn put_signup(
    tx: &mut Tx,
    c: CommunityId,
    activity: ActivityId,
    user: UserId,
    state: &str,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    Ok(tx
        .execute(
            "INSERT INTO activity_signups (community_id, activity_id, user_id, state, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (community_id, activity_id, user_id) DO UPDATE SET state = excluded.state, \
             checked_in_at = NULL, created_at = excluded.created_at, updated_at = excluded.updated_at \
             WHERE activity_signups.state = 'cancelled'",
            args![c, activity, user, state, now],
        )
        .await?
        == 1)
}

pub(crate) async fn signup_of(
    q: &mut impl Queries,
    c: CommunityId,
    activity: ActivityId,
    user: UserId,
) -> CoreResult<Option<SignupRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {SIGNUP_COLS} FROM activity_signups WHERE community_id = $1 \
             AND activity_id = $2 AND user_id = $3"
        ),
        args![c, activity, user],
    )
    .await
}

pub(crate) async fn signup(
    q: &mut impl Queries,
    c: CommunityId,
    activity: ActivityId,
    id: i64,
) -> CoreResult<Option<SignupRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {SIGNUP_COLS} FROM activity_signups WHERE community_id = $1 \
             AND activity_id = $2 AND id = $3"
        ),
        args![c, activity, id],
    )
    .await
}

/// An activity's sign-ups: seats first, then the waiting list in its order, then those given up.
pub(crate) async fn signups(
    q: &mut impl Queries,
    c: CommunityId,
    activity: ActivityId,
) -> CoreResult<Vec<SignupRow>> {
    q.fetch_all(
        &format!(
            "SELECT {SIGNUP_COLS} FROM activity_signups WHERE community_id = $1 AND activity_id = $2 \
             ORDER BY CASE state WHEN 'confirmed' THEN 0 WHEN 'waiting' THEN 1 ELSE 2 END, created_at, id"
        ),
        args![c, activity],
    )
    .await
}

/// The first on the waiting list.
pub(crate) async fn first_waiting(
    tx: &mut Tx,
    c: CommunityId,
    activity: ActivityId,
) -> CoreResult<Option<SignupRow>> {
    tx.fetch_optional(
        &format!(
            "SELECT {SIGNUP_COLS} FROM activity_signups WHERE community_id = $1 AND activity_id = $2 \
             AND state = 'waiting' ORDER BY created_at, id LIMIT 1"
        ),
        args![c, activity],
    )
    .await
}

/// Moves a sign-up from `from` to `to`; false when it was not in `from` any more.
pub(crate) async fn move_signup(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> CoreResult<bool> {
    Ok(tx
        .execute(
            "UPDATE activity_signups SET state = $3, updated_at = $4 WHERE id = $1 AND state = $2",
            args![id, from, to, now],
        )
        .await?
        == 1)
}

pub(crate) async fn check_in(tx: &mut Tx, id: i64, now: DateTime<Utc>) -> CoreResult<u64> {
    tx.execute(
        "UPDATE activity_signups SET checked_in_at = $2, updated_at = $2 \
         WHERE id = $1 AND state = 'confirmed' AND checked_in_at IS NULL",
        args![id, now],
    )
    .await
}

/// The user's live sign-ups in a community: (activity, state).
pub(crate) async fn mine(
    q: &mut impl Queries,
    c: CommunityId,
    user: UserId,
) -> CoreResult<Vec<(ActivityId, String)>> {
    q.fetch_all(
        "SELECT activity_id, state FROM activity_signups WHERE community_id = $1 AND user_id = $2",
        args![c, user],
    )
    .await
}

/// Per activity of these: (activity, waiting, checked in).
pub(crate) async fn counts(
    q: &mut impl Queries,
    c: CommunityId,
    ids: &[ActivityId],
) -> CoreResult<Vec<(ActivityId, i64, i64)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = in_list(&mut a, "activity_id", ids);
    q.fetch_all(
        &format!(
            "SELECT activity_id, SUM(CASE WHEN state = 'waiting' THEN 1 ELSE 0 END), \
             SUM(CASE WHEN checked_in_at IS NOT NULL THEN 1 ELSE 0 END) FROM activity_signups \
             WHERE community_id = $1 AND {cond} GROUP BY activity_id"
        ),
        a,
    )
    .await
}

// ---------------------------------------------------------------------------------------------
// Photos

pub(crate) async fn insert_photo(
    tx: &mut Tx,
    c: CommunityId,
    activity: ActivityId,
    (file_name, content_type, size): (&str, &str, i64),
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO activity_photos (community_id, activity_id, file_name, content_type, \
         size_bytes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![c, activity, file_name, content_type, size, by, now],
    )
    .await
}

pub(crate) async fn photo_count(
    tx: &mut Tx,
    c: CommunityId,
    activity: ActivityId,
) -> CoreResult<i64> {
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM activity_photos WHERE community_id = $1 AND activity_id = $2",
            args![c, activity],
        )
        .await?;
    Ok(n)
}

/// An activity's photos: (id, file name, content type).
pub(crate) async fn photos(
    q: &mut impl Queries,
    c: CommunityId,
    activity: ActivityId,
) -> CoreResult<Vec<(i64, String, String)>> {
    q.fetch_all(
        "SELECT id, file_name, content_type FROM activity_photos WHERE community_id = $1 \
         AND activity_id = $2 ORDER BY id",
        args![c, activity],
    )
    .await
}
