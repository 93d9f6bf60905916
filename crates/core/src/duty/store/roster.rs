//! SQL of the month grids, leave and swaps, and the crate-public reads other modules use (who is
//! on a shift of a day, whether a person is on leave).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Bulk, Queries, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A person on a shift on a day.
    pub(crate) struct AssignmentRow {
        pub team: String,
        pub day: NaiveDate,
        pub user_id: UserId,
        pub shift_code: String,
    }
}

const COLS: &str = "team, day, user_id, shift_code";

/// A team's grid between two days (both included).
pub(crate) async fn of_team(
    q: &mut impl Queries,
    c: CommunityId,
    team: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<AssignmentRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM duty_assignments WHERE community_id = $1 AND team = $2 \
             AND day >= $3 AND day <= $4 ORDER BY day, user_id, shift_code"
        ),
        args![c, team, from, to],
    )
    .await
}

/// Every team's assignments between two days (both included); only these people's when given.
pub(crate) async fn between(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    users: Option<&[UserId]>,
) -> CoreResult<Vec<AssignmentRow>> {
    let mut a = args![c, from, to];
    let only = match users {
        Some(u) => format!(" AND {}", crate::db::in_list(&mut a, "user_id", u)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM duty_assignments WHERE community_id = $1 AND day >= $2 AND day <= $3{only} \
             ORDER BY day, shift_code, user_id"
        ),
        a,
    )
    .await
}

/// The roster teams of the community: those of its patterns and those with a grid.
pub(crate) async fn teams(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<String>> {
    let rows: Vec<(String,)> = q
        .fetch_all(
            "SELECT team FROM duty_shifts WHERE community_id = $1 AND active = $2 \
             UNION SELECT DISTINCT team FROM duty_assignments WHERE community_id = $1 ORDER BY 1",
            args![c, true],
        )
        .await?;
    Ok(rows.into_iter().map(|(t,)| t).collect())
}

/// A cell of a grid to write: day, person, shift.
pub(crate) type Cell = (NaiveDate, UserId, String);

/// Replaces a team's grid between two days with these cells.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn replace(
    tx: &mut Tx,
    c: CommunityId,
    team: &str,
    from: NaiveDate,
    to: NaiveDate,
    cells: &[Cell],
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM duty_assignments WHERE community_id = $1 AND team = $2 AND day >= $3 AND day <= $4",
        args![c, team, from, to],
    )
    .await?;
    insert(tx, c, team, cells, by, now).await
}

/// Adds cells to a team's grid.
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    team: &str,
    cells: &[Cell],
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    for chunk in cells.chunks(500) {
        let mut b = Bulk::with_capacity(chunk.len(), 7);
        for (day, user, code) in chunk {
            b.row([
                Value::from(c),
                Value::from(team),
                Value::from(*day),
                Value::from(*user),
                Value::from(code.as_str()),
                Value::from(by),
                Value::from(now),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO duty_assignments (community_id, team, day, user_id, shift_code, created_by, created_at)",
            "",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// Takes a person's shifts of a day off the grid, returning them (for a swap).
pub(crate) async fn take_day(
    tx: &mut Tx,
    c: CommunityId,
    day: NaiveDate,
    user: UserId,
) -> CoreResult<Vec<AssignmentRow>> {
    let rows: Vec<AssignmentRow> = tx
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM duty_assignments WHERE community_id = $1 AND day = $2 AND user_id = $3 \
                 ORDER BY shift_code"
            ),
            args![c, day, user],
        )
        .await?;
    tx.execute(
        "DELETE FROM duty_assignments WHERE community_id = $1 AND day = $2 AND user_id = $3",
        args![c, day, user],
    )
    .await?;
    Ok(rows)
}

/// The people on a shift of a day, leaving out those on leave that day (crate-public: patrol
/// rounds are given to them).
pub(crate) async fn people_on_shift(
    tx: &mut impl Queries,
    c: CommunityId,
    shift_code: &str,
    day: NaiveDate,
) -> CoreResult<Vec<UserId>> {
    let rows: Vec<(UserId,)> = tx
        .fetch_all(
            "SELECT DISTINCT a.user_id FROM duty_assignments a WHERE a.community_id = $1 \
             AND a.shift_code = $2 AND a.day = $3 AND NOT EXISTS (SELECT 1 FROM duty_leaves l \
             WHERE l.community_id = $1 AND l.user_id = a.user_id AND l.starts_on <= $3 AND l.ends_on >= $3) \
             ORDER BY a.user_id",
            args![c, shift_code, day],
        )
        .await?;
    Ok(rows.into_iter().map(|(u,)| u).collect())
}

crate::row! {
    /// A leave as stored.
    pub(crate) struct LeaveRow {
        pub id: LeaveId,
        pub community_id: CommunityId,
        pub user_id: UserId,
        pub starts_on: NaiveDate,
        pub ends_on: NaiveDate,
        pub kind: String,
        pub note: Option<String>,
        pub approved_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const LEAVE_COLS: &str =
    "id, community_id, user_id, starts_on, ends_on, kind, note, approved_by, created_at";

/// Whether the person is on leave that day (crate-public: patrols give no round to him).
pub(crate) async fn on_leave(
    q: &mut impl Queries,
    c: CommunityId,
    user: UserId,
    day: NaiveDate,
) -> CoreResult<bool> {
    let row: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM duty_leaves WHERE community_id = $1 AND user_id = $2 \
             AND starts_on <= $3 AND ends_on >= $3 LIMIT 1",
            args![c, user, day],
        )
        .await?;
    Ok(row.is_some())
}

/// Leave that touches the days between `from` and `to`; only these people's when given.
pub(crate) async fn leaves_between(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    users: Option<&[UserId]>,
) -> CoreResult<Vec<LeaveRow>> {
    let mut a: Args = args![c, from, to];
    let only = match users {
        Some(u) => format!(" AND {}", crate::db::in_list(&mut a, "user_id", u)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {LEAVE_COLS} FROM duty_leaves WHERE community_id = $1 AND ends_on >= $2 \
             AND starts_on <= $3{only} ORDER BY starts_on, user_id"
        ),
        a,
    )
    .await
}

/// Who is on leave between `from` and `to` in these communities: (community, person, first
/// day, last day). One read for a whole generation pass of patrol tasks.
pub(crate) async fn leaves_in(
    q: &mut impl Queries,
    communities: &[i64],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<(CommunityId, UserId, NaiveDate, NaiveDate)>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut a: Args = args![from, to];
    let cond = crate::db::in_list(&mut a, "community_id", communities);
    q.fetch_all(
        &format!(
            "SELECT community_id, user_id, starts_on, ends_on FROM duty_leaves \
             WHERE {cond} AND ends_on >= $1 AND starts_on <= $2"
        ),
        a,
    )
    .await
}

pub(crate) async fn leave(q: &mut impl Queries, id: LeaveId) -> CoreResult<Option<LeaveRow>> {
    q.fetch_optional(
        &format!("SELECT {LEAVE_COLS} FROM duty_leaves WHERE id = $1"),
        args![id],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_leave(
    tx: &mut Tx,
    c: CommunityId,
    user: UserId,
    starts_on: NaiveDate,
    ends_on: NaiveDate,
    kind: &str,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<LeaveId> {
    let id = tx
        .insert_id(
            "INSERT INTO duty_leaves (community_id, user_id, starts_on, ends_on, kind, note, approved_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![c, user, starts_on, ends_on, kind, note, by, now],
        )
        .await?;
    Ok(LeaveId(id))
}

pub(crate) async fn delete_leave(tx: &mut Tx, c: CommunityId, id: LeaveId) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM duty_leaves WHERE community_id = $1 AND id = $2",
        args![c, id],
    )
    .await
}

crate::row! {
    /// A swap as recorded.
    pub(crate) struct SwapRow {
        pub id: SwapId,
        pub team: String,
        pub day: NaiveDate,
        pub user_a: UserId,
        pub shifts_a: String,
        pub user_b: UserId,
        pub shifts_b: String,
        pub reason: Option<String>,
        pub approved_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

/// A swap to record: team, day, (person, his shifts before) twice, reason.
pub(crate) struct NewSwap<'a> {
    pub team: &'a str,
    pub day: NaiveDate,
    pub user_a: UserId,
    pub shifts_a: String,
    pub user_b: UserId,
    pub shifts_b: String,
    pub reason: Option<&'a str>,
}

pub(crate) async fn insert_swap(
    tx: &mut Tx,
    c: CommunityId,
    s: &NewSwap<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<SwapId> {
    let id = tx
        .insert_id(
            "INSERT INTO duty_swaps (community_id, team, day, user_a, shifts_a, user_b, shifts_b, reason, \
             approved_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![
                c,
                s.team,
                s.day,
                s.user_a,
                s.shifts_a.clone(),
                s.user_b,
                s.shifts_b.clone(),
                s.reason,
                by,
                now
            ],
        )
        .await?;
    Ok(SwapId(id))
}

/// The swaps of days between `from` and `to`, in day order.
pub(crate) async fn swaps_between(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<SwapRow>> {
    q.fetch_all(
        "SELECT id, team, day, user_a, shifts_a, user_b, shifts_b, reason, approved_by, created_at \
         FROM duty_swaps WHERE community_id = $1 AND day >= $2 AND day <= $3 ORDER BY day, id",
        args![c, from, to],
    )
    .await
}
