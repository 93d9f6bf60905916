//! What the owner portal reads of service requests: an owner's own requests and their timeline.
//! And the one write it makes: the owner's rating of a finished request.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, RequestId};
use crate::tickets::{Event, RequestState};

/// A request's timeline as an owner sees it: no notes, no clock warnings or escalations.
pub async fn owner_timeline(
    db: &Db,
    community: CommunityId,
    id: RequestId,
) -> CoreResult<Vec<Event>> {
    db.read()
        .fetch_all(
            "SELECT id, at, actor_id, actor_name, action, from_state, to_state, NULL AS note, \
             assignee_id FROM request_events WHERE community_id = $1 AND request_id = $2 \
             AND action NOT IN ('clock_warning', 'clock_breach', 'escalate') ORDER BY id",
            args![community, id],
        )
        .await
}

/// What an owner's rating writes.
pub struct OwnerRating {
    pub next: RequestState,
    pub now: DateTime<Utc>,
    pub satisfaction: i64,
    pub comment: Option<String>,
    /// `Some("portal")` unless the request is reopened (the owner rates again when it is done
    /// again).
    pub rated_via: Option<&'static str>,
}

/// Records the rating on a done request unchanged since `seen` (its `updated_at`), moving it to
/// `r.next`; returns the rows changed (0: someone else changed it first).
pub async fn rate(
    tx: &mut Tx,
    id: RequestId,
    seen: DateTime<Utc>,
    r: OwnerRating,
) -> CoreResult<u64> {
    let (next, now) = (r.next, r.now);
    let mut a = Args::new();
    let mut sql = format!(
        "UPDATE requests SET state = {}, updated_at = {}, satisfaction = {}, rating_comment = {}, rated_via = {}",
        a.push(next.code()),
        a.push(now),
        a.push(r.satisfaction),
        a.push(r.comment),
        a.push(r.rated_via)
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
        a.push(seen)
    ));
    tx.execute(&sql, a).await
}
