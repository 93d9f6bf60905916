//! A request's timeline (`request_events`): single lines written by actions and the scanner,
//! the multi-row writes of a registration batch, and its reads. (The staff's messages are the
//! notify module's inbox.)

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Bulk, Db, Queries, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::model::Event;

/// Writes one line of a request's timeline.
#[allow(clippy::too_many_arguments)]
pub(in crate::tickets) async fn event(
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

/// A timeline line of a registration batch.
pub(in crate::tickets) struct NewEvent<'a> {
    pub community: CommunityId,
    pub request: RequestId,
    pub at: DateTime<Utc>,
    pub actor: Option<UserId>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from: Option<&'a str>,
    pub to: &'a str,
    pub assignee: Option<UserId>,
}

/// Writes timeline lines in one statement.
pub(in crate::tickets) async fn insert_events(
    tx: &mut impl Writes,
    lines: &[NewEvent<'_>],
) -> CoreResult<()> {
    let mut b = Bulk::with_capacity(lines.len(), 9);
    for l in lines {
        b.row([
            Value::from(l.community),
            Value::from(l.request),
            Value::from(l.at),
            Value::from(l.actor),
            Value::from(l.actor_name),
            Value::from(l.action),
            Value::from(l.from),
            Value::from(l.to),
            Value::from(l.assignee),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO request_events (community_id, request_id, at, actor_id, actor_name, \
         action, from_state, to_state, assignee_id)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// A request's timeline, oldest first.
pub(in crate::tickets) async fn timeline(
    db: &Db,
    community: CommunityId,
    id: RequestId,
) -> CoreResult<Vec<Event>> {
    db.read()
        .fetch_all(
            "SELECT id, at, actor_id, actor_name, action, from_state, to_state, note, assignee_id \
             FROM request_events WHERE community_id = $1 AND request_id = $2 ORDER BY id",
            args![community, id],
        )
        .await
}

/// For each of `users`, the id of the latest timeline line that assigned work to him
/// (dispatch, transfer or grab), `None` if he never got any: one statement, one index seek on
/// request_events_assignee per user (a `GROUP BY` would read every assignment of each).
pub(in crate::tickets) async fn last_assignments(
    tx: &mut impl Queries,
    community: CommunityId,
    users: &[UserId],
) -> CoreResult<Vec<(UserId, Option<i64>)>> {
    if users.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let c = a.push(community);
    let arms: Vec<String> = users
        .iter()
        .map(|u| {
            let u = a.push(*u);
            format!(
                "SELECT {u} AS user_id, (SELECT MAX(id) FROM request_events \
                 WHERE community_id = {c} AND assignee_id = {u}) AS last"
            )
        })
        .collect();
    tx.fetch_all(&arms.join(" UNION ALL "), a).await
}
