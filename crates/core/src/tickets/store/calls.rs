//! The hotline call log (`hotline_calls`), with the taker's name and the linked request's number.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct CallRow {
    pub id: i64,
    pub community_id: CommunityId,
    pub call_at: DateTime<Utc>,
    pub caller_name: Option<String>,
    pub caller_phone_enc: Option<Vec<u8>>,
    pub content: String,
    pub result: Option<String>,
    pub transferred_to: Option<String>,
    pub taken_by: UserId,
    pub taken_by_name: String,
    pub request_id: Option<RequestId>,
    pub request_number: Option<String>,
}

const CALL_SELECT: &str = "SELECT h.id, h.community_id, h.call_at, h.caller_name, h.caller_phone_enc, \
    h.content, h.result, h.transferred_to, h.taken_by, u.display_name AS taken_by_name, h.request_id, \
    r.number AS request_number FROM hotline_calls h JOIN users u ON u.id = h.taken_by \
    LEFT JOIN requests r ON r.id = h.request_id";

/// A call as logged.
pub(in crate::tickets) struct NewCall<'a> {
    pub community: CommunityId,
    pub call_at: DateTime<Utc>,
    /// The local day of `call_at`.
    pub day: &'a str,
    pub caller_name: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub content: &'a str,
    pub result: Option<String>,
    pub transferred_to: Option<String>,
    pub taken_by: UserId,
    pub at: DateTime<Utc>,
}

/// Logs a call and reads it back.
pub(in crate::tickets) async fn insert(tx: &mut Tx, c: NewCall<'_>) -> CoreResult<CallRow> {
    let id = tx
        .insert_id(
            "INSERT INTO hotline_calls (community_id, call_at, call_day, caller_name, caller_phone_enc, \
             content, result, transferred_to, taken_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![
                c.community,
                c.call_at,
                c.day,
                c.caller_name,
                c.phone_enc,
                c.content,
                c.result,
                c.transferred_to,
                c.taken_by,
                c.at
            ],
        )
        .await?;
    tx.fetch_one(&format!("{CALL_SELECT} WHERE h.id = $1"), args![id])
        .await
}

/// The calls of a community's local day, latest first.
pub(in crate::tickets) async fn of_day(
    db: &Db,
    community: CommunityId,
    day: &str,
) -> CoreResult<Vec<CallRow>> {
    db.read()
        .fetch_all(
            &format!("{CALL_SELECT} WHERE h.community_id = $1 AND h.call_day = $2 ORDER BY h.call_at DESC"),
            args![community, day],
        )
        .await
}

/// A community's calls (of one local day, or all) with ids below `below`, newest first.
pub(in crate::tickets) async fn page(
    q: &mut impl Queries,
    community: CommunityId,
    day: Option<&str>,
    below: i64,
    limit: i64,
) -> CoreResult<Vec<CallRow>> {
    let mut a = Args::new();
    let mut w = format!(
        "h.community_id = {} AND h.id < {}",
        a.push(community),
        a.push(below)
    );
    if let Some(d) = day {
        w.push_str(&format!(" AND h.call_day = {}", a.push(d)));
    }
    q.fetch_all(
        &format!("{CALL_SELECT} WHERE {w} ORDER BY h.id DESC LIMIT {limit}"),
        a,
    )
    .await
}

pub(in crate::tickets) async fn get(db: &Db, id: i64) -> CoreResult<Option<CallRow>> {
    db.read()
        .fetch_optional(&format!("{CALL_SELECT} WHERE h.id = $1"), args![id])
        .await
}

/// Links a call to the request it became, unless it already has one; `false` if it had.
pub(in crate::tickets) async fn link_request(
    tx: &mut Tx,
    call: i64,
    request: RequestId,
) -> CoreResult<bool> {
    let n = tx
        .execute(
            "UPDATE hotline_calls SET request_id = $1 WHERE id = $2 AND request_id IS NULL",
            args![request, call],
        )
        .await?;
    Ok(n == 1)
}
