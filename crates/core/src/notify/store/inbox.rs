//! SQL of the in-app inbox (`notifications`): every module's messages to a user, staff or owner.
//! A request's messages carry the request and its clock, which the page words itself; the other
//! events carry their own title and body.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Db, Tx, Value, Writes};
use crate::notify::service::Notification;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// One in-app message.
pub(crate) struct NewInApp<'a> {
    pub community: CommunityId,
    pub user: UserId,
    pub at: DateTime<Utc>,
    /// A request message's kind (`assigned`, `sla_warning`, …) or an event's code.
    pub kind: &'a str,
    pub request: Option<RequestId>,
    pub clock: Option<&'a str>,
    /// An event's code, title and body (none for a request message of the old kind).
    pub event: Option<&'a str>,
    pub title: Option<&'a str>,
    pub body: Option<&'a str>,
    pub link: Option<&'a str>,
}

/// Writes messages in one statement (none: nothing is written).
pub(crate) async fn insert(tx: &mut impl Writes, rows: &[NewInApp<'_>]) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), 10);
    for n in rows {
        b.row([
            Value::from(n.community),
            Value::from(n.user),
            Value::from(n.at),
            Value::from(n.kind),
            Value::from(n.request),
            Value::from(n.clock),
            Value::from(n.event),
            Value::from(n.title),
            Value::from(n.body),
            Value::from(n.link),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO notifications (community_id, user_id, at, kind, request_id, clock, event, \
         title, body, link)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// A user's messages, newest first, at most 200.
pub(crate) async fn list(
    db: &Db,
    user: UserId,
    unread_only: bool,
) -> CoreResult<Vec<Notification>> {
    let unread = if unread_only {
        " AND n.read_at IS NULL"
    } else {
        ""
    };
    db.read()
        .fetch_all(
            &format!(
                "SELECT n.id, n.community_id, n.at, n.kind, n.request_id, r.number AS request_number, \
                 n.clock, n.event, n.title, n.body, n.link, n.read_at FROM notifications n \
                 LEFT JOIN requests r ON r.id = n.request_id \
                 WHERE n.user_id = $1{unread} ORDER BY n.id DESC LIMIT 200"
            ),
            args![user],
        )
        .await
}

pub(crate) async fn unread_count(db: &Db, user: UserId) -> CoreResult<i64> {
    let (n,): (i64,) = db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL",
            args![user],
        )
        .await?;
    Ok(n)
}

/// Marks a user's unread messages read (one, or all); returns how many.
pub(crate) async fn mark_read(
    tx: &mut Tx,
    user: UserId,
    one: Option<NotificationId>,
    at: DateTime<Utc>,
) -> CoreResult<u64> {
    match one {
        Some(id) => {
            tx.execute(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 \
                 AND read_at IS NULL",
                args![at, user, id],
            )
            .await
        }
        None => {
            tx.execute(
                "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL",
                args![at, user],
            )
            .await
        }
    }
}
