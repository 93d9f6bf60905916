//! SQL of move-outs (`move_outs`, `move_out_people`) and what their checklist reads of the desk's
//! own tables: the unit's keys out or deposited, its items lent, its live passes, its parcels held.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A move-out with its unit's label.
    pub(crate) struct MoveOutRow {
        pub id: MoveOutId,
        pub community_id: CommunityId,
        pub number: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub planned_day: NaiveDate,
        pub reason: Option<String>,
        pub note: Option<String>,
        pub state: String,
        pub arrears_fen: Option<i64>,
        pub arrears_waiver: Option<String>,
        pub deposits_fen: Option<i64>,
        pub deposits_kept: Option<String>,
        pub passes_revoked: Option<i64>,
        pub parcels_held: Option<i64>,
        pub state_before: Option<String>,
        pub state_after: Option<String>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub closed_by: Option<UserId>,
        pub closed_at: Option<DateTime<Utc>>,
    }
}

const SELECT: &str = "SELECT m.id, m.community_id, m.number, m.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     m.planned_day, m.reason, m.note, m.state, m.arrears_fen, m.arrears_waiver, m.deposits_fen, m.deposits_kept, \
     m.passes_revoked, m.parcels_held, m.state_before, m.state_after, m.created_by, m.created_at, m.closed_by, \
     m.closed_at FROM move_outs m JOIN units u ON u.id = m.unit_id JOIN buildings b ON b.id = u.building_id";

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    number: &str,
    unit: UnitId,
    day: NaiveDate,
    reason: Option<&str>,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<MoveOutId> {
    let id = tx
        .insert_id(
            "INSERT INTO move_outs (community_id, number, unit_id, planned_day, reason, note, state, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $8) RETURNING id",
            args![c, number, unit, day, reason, note, by, now],
        )
        .await?;
    Ok(MoveOutId(id))
}

pub(crate) async fn insert_person(
    tx: &mut Tx,
    c: CommunityId,
    m: MoveOutId,
    person: PersonId,
    name: &str,
    relation: &str,
) -> CoreResult<u64> {
    tx.execute(
        "INSERT INTO move_out_people (community_id, move_out_id, person_id, name, relation) \
         VALUES ($1, $2, $3, $4, $5)",
        args![c, m, person, name, relation],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: MoveOutId) -> CoreResult<Option<MoveOutRow>> {
    q.fetch_optional(&format!("{SELECT} WHERE m.id = $1"), args![id])
        .await
}

/// Who leaves: (person, name, relation).
pub(crate) async fn people(
    q: &mut impl Queries,
    c: CommunityId,
    m: MoveOutId,
) -> CoreResult<Vec<(PersonId, String, String)>> {
    q.fetch_all(
        "SELECT person_id, name, relation FROM move_out_people WHERE community_id = $1 AND move_out_id = $2 \
         ORDER BY CASE relation WHEN 'owner' THEN 0 WHEN 'member' THEN 1 ELSE 2 END, person_id",
        args![c, m],
    )
    .await
}

/// The community's move-outs in a state (or all), open ones by day, others newest first.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<MoveOutRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE m.community_id = $1 AND ($2 IS NULL OR m.state = $2) \
             ORDER BY m.state <> 'open', CASE WHEN m.state = 'open' THEN m.planned_day END, \
             m.closed_at DESC, m.id DESC LIMIT $3"
        ),
        args![c, state, limit],
    )
    .await
}

/// What a completion records.
pub(crate) struct Closing<'a> {
    pub state: &'a str,
    pub arrears_fen: Option<i64>,
    pub arrears_waiver: Option<&'a str>,
    pub deposits_fen: Option<i64>,
    pub deposits_kept: Option<&'a str>,
    pub passes_revoked: Option<i64>,
    pub parcels_held: Option<i64>,
    pub state_before: Option<&'a str>,
    pub state_after: Option<&'a str>,
}

/// Completes or cancels an open move-out; 0 rows when it is not open (any more).
pub(crate) async fn close(
    tx: &mut Tx,
    c: CommunityId,
    id: MoveOutId,
    k: &Closing<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE move_outs SET state = $1, arrears_fen = $2, arrears_waiver = $3, deposits_fen = $4, \
         deposits_kept = $5, passes_revoked = $6, parcels_held = $7, state_before = $8, state_after = $9, \
         closed_by = $10, closed_at = $11 WHERE community_id = $12 AND id = $13 AND state = 'open'",
        args![k.state, k.arrears_fen, k.arrears_waiver, k.deposits_fen, k.deposits_kept,
              k.passes_revoked, k.parcels_held, k.state_before, k.state_after, by, now, c, id],
    )
    .await
}

/// The unit's keys that hold a move-out: out on loan (code, borrower), or deposited by one who
/// leaves and still in the cabinet (code, "").
pub(crate) async fn unit_keys(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<(String, String, Option<PersonId>, Option<String>)>> {
    q.fetch_all(
        "SELECT k.code, k.state, k.deposited_by, l.borrower_name FROM key_items k \
         LEFT JOIN key_loans l ON l.community_id = k.community_id AND l.key_id = k.id AND l.returned_at IS NULL \
         WHERE k.community_id = $1 AND k.unit_id = $2 AND k.state <> 'retired' ORDER BY k.code",
        args![c, unit],
    )
    .await
}

/// The unit's items lent and not back: (item, pieces, borrower).
pub(crate) async fn unit_loans_out(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<(String, i64, String)>> {
    q.fetch_all(
        "SELECT i.name, l.quantity, l.borrower_name FROM item_loans l JOIN lend_items i ON i.id = l.item_id \
         WHERE l.community_id = $1 AND l.unit_id = $2 AND l.returned_at IS NULL ORDER BY l.lent_at",
        args![c, unit],
    )
    .await
}

/// The unit's passes still valid, of a host who leaves or of none (the desk's for the unit):
/// (id, host).
pub(crate) async fn unit_live_passes(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    now: DateTime<Utc>,
) -> CoreResult<Vec<(VisitorPassId, Option<PersonId>)>> {
    q.fetch_all(
        "SELECT id, host_person_id FROM visitor_passes WHERE community_id = $1 AND unit_id = $2 \
         AND revoked_at IS NULL AND valid_until > $3 ORDER BY id",
        args![c, unit, now],
    )
    .await
}

/// Parcels held at the desk for the unit.
pub(crate) async fn unit_parcels_held(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<i64> {
    let (n,): (i64,) = q
        .fetch_one(
            "SELECT COUNT(*) FROM parcels WHERE community_id = $1 AND unit_id = $2 AND state = 'held'",
            args![c, unit],
        )
        .await?;
    Ok(n)
}
