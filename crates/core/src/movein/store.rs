//! SQL of move-ins (`move_ins`) and their warranty items (`warranty_items`). Completion and each
//! step of a warranty item are conditional UPDATEs on the state they leave.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A move-in with its unit's label.
    #[derive(Clone)]
    pub(crate) struct MoveInRow {
        pub id: MoveInId,
        pub community_id: CommunityId,
        pub number: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub owner_id: PersonId,
        pub owner_name: String,
        pub notice_day: NaiveDate,
        pub state: String,
        pub identity_checked: bool,
        pub purchase_checked: bool,
        pub agreement_signed: bool,
        pub rules_signed: bool,
        pub record_card_done: bool,
        pub note: Option<String>,
        pub handover_day: Option<NaiveDate>,
        pub arrears_fen: Option<i64>,
        pub arrears_waiver: Option<String>,
        pub keys_handed: Option<String>,
        pub state_before: Option<String>,
        pub state_after: Option<String>,
        pub survey_scores: Option<String>,
        pub survey_comment: Option<String>,
        pub surveyed_at: Option<DateTime<Utc>>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub closed_by: Option<UserId>,
        pub closed_at: Option<DateTime<Utc>>,
    }
}

crate::row! {
    /// A warranty item with its unit's label and its move-in's number.
    pub(crate) struct WarrantyRow {
        pub id: i64,
        pub move_in_id: MoveInId,
        pub number: String,
        pub unit_label: String,
        pub room: String,
        pub item: String,
        pub description: String,
        pub contractor: String,
        pub due_on: NaiveDate,
        pub state: String,
        pub fixed_at: Option<DateTime<Utc>>,
        pub fixed_note: Option<String>,
        pub verified_at: Option<DateTime<Utc>>,
        pub verified_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const SELECT: &str = "SELECT m.id, m.community_id, m.number, m.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     m.owner_id, m.owner_name, m.notice_day, m.state, m.identity_checked, m.purchase_checked, m.agreement_signed, \
     m.rules_signed, m.record_card_done, m.note, m.handover_day, m.arrears_fen, m.arrears_waiver, m.keys_handed, \
     m.state_before, m.state_after, m.survey_scores, m.survey_comment, m.surveyed_at, m.created_by, m.created_at, \
     m.closed_by, m.closed_at FROM move_ins m JOIN units u ON u.id = m.unit_id JOIN buildings b ON b.id = u.building_id";

const WARRANTY: &str = "SELECT w.id, w.move_in_id, m.number, b.name || '-' || u.unit_no AS unit_label, \
     w.room, w.item, w.description, w.contractor, w.due_on, w.state, w.fixed_at, w.fixed_note, w.verified_at, \
     w.verified_by, w.created_at FROM warranty_items w JOIN move_ins m ON m.id = w.move_in_id \
     JOIN units u ON u.id = w.unit_id JOIN buildings b ON b.id = u.building_id";

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    number: &str,
    unit: UnitId,
    owner: (PersonId, &str),
    notice_day: NaiveDate,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<MoveInId> {
    let id = tx
        .insert_id(
            "INSERT INTO move_ins (community_id, number, unit_id, owner_id, owner_name, notice_day, state, \
             identity_checked, purchase_checked, agreement_signed, rules_signed, record_card_done, note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, 'open', $7, $7, $7, $7, $7, $8, $9, $10) \
             RETURNING id",
            args![c, number, unit, owner.0, owner.1, notice_day, false, note, by, now],
        )
        .await?;
    Ok(MoveInId(id))
}

pub(crate) async fn get(q: &mut impl Queries, id: MoveInId) -> CoreResult<Option<MoveInRow>> {
    q.fetch_optional(&format!("{SELECT} WHERE m.id = $1"), args![id])
        .await
}

/// The unit's open move-in, if any: its number.
pub(crate) async fn open_of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<(String,)>> {
    q.fetch_optional(
        "SELECT number FROM move_ins WHERE community_id = $1 AND unit_id = $2 AND state = 'open'",
        args![c, unit],
    )
    .await
}

/// The community's move-ins in a state (or all): open ones by notice day, others newest first.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<MoveInRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE m.community_id = $1 AND ($2 IS NULL OR m.state = $2) \
             ORDER BY m.state <> 'open', CASE WHEN m.state = 'open' THEN m.notice_day END, m.id DESC LIMIT $3"
        ),
        args![c, state, limit],
    )
    .await
}

/// The owner's move-ins (the portal's).
pub(crate) async fn of_owner(q: &mut impl Queries, owner: PersonId) -> CoreResult<Vec<MoveInRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE m.owner_id = $1 AND m.state <> 'cancelled' ORDER BY m.id DESC LIMIT 20"
        ),
        args![owner],
    )
    .await
}

/// Sets the 入伙流转表's checks of an open move-in; 0 rows when it is not open.
pub(crate) async fn set_checks(
    tx: &mut Tx,
    id: MoveInId,
    checks: [bool; 5],
    note: Option<&str>,
) -> CoreResult<u64> {
    let [a, b, c, d, e] = checks;
    tx.execute(
        "UPDATE move_ins SET identity_checked = $1, purchase_checked = $2, agreement_signed = $3, rules_signed = $4, \
         record_card_done = $5, note = $6 WHERE id = $7 AND state = 'open'",
        args![a, b, c, d, e, note, id],
    )
    .await
}

/// What a completion records.
pub(crate) struct Completion<'a> {
    pub handover_day: NaiveDate,
    pub arrears_fen: i64,
    pub arrears_waiver: Option<&'a str>,
    pub keys_handed: &'a str,
    pub state_before: &'a str,
    pub state_after: &'a str,
}

pub(crate) async fn complete(
    tx: &mut Tx,
    id: MoveInId,
    k: &Completion<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE move_ins SET state = 'completed', handover_day = $1, arrears_fen = $2, arrears_waiver = $3, \
         keys_handed = $4, state_before = $5, state_after = $6, closed_by = $7, closed_at = $8 \
         WHERE id = $9 AND state = 'open'",
        args![
            k.handover_day,
            k.arrears_fen,
            k.arrears_waiver,
            k.keys_handed,
            k.state_before,
            k.state_after,
            by,
            now,
            id
        ],
    )
    .await
}

pub(crate) async fn cancel(
    tx: &mut Tx,
    id: MoveInId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE move_ins SET state = 'cancelled', closed_by = $1, closed_at = $2 WHERE id = $3 AND state = 'open'",
        args![by, now, id],
    )
    .await
}

/// Records the owner's scores once; 0 rows when rated already or not completed.
pub(crate) async fn rate(
    tx: &mut Tx,
    id: MoveInId,
    scores: &str,
    comment: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE move_ins SET survey_scores = $1, survey_comment = $2, surveyed_at = $3 \
         WHERE id = $4 AND state = 'completed' AND survey_scores IS NULL",
        args![scores, comment, now, id],
    )
    .await
}

/// A defect to write.
pub(crate) struct NewDefect<'a> {
    pub room: &'a str,
    pub item: &'a str,
    pub description: &'a str,
    pub contractor: &'a str,
    pub due_on: NaiveDate,
}

pub(crate) async fn insert_defect(
    tx: &mut Tx,
    c: CommunityId,
    m: MoveInId,
    unit: UnitId,
    d: &NewDefect<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO warranty_items (community_id, move_in_id, unit_id, room, item, description, contractor, due_on, \
         state, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) RETURNING id",
        args![c, m, unit, d.room, d.item, d.description, d.contractor, d.due_on, by, now],
    )
    .await
}

pub(crate) async fn defects(
    q: &mut impl Queries,
    c: CommunityId,
    m: MoveInId,
) -> CoreResult<Vec<WarrantyRow>> {
    q.fetch_all(
        &format!("{WARRANTY} WHERE w.community_id = $1 AND w.move_in_id = $2 ORDER BY w.id"),
        args![c, m],
    )
    .await
}

pub(crate) async fn defect(q: &mut impl Queries, id: i64) -> CoreResult<Option<WarrantyRow>> {
    q.fetch_optional(&format!("{WARRANTY} WHERE w.id = $1"), args![id])
        .await
}

/// The community's warranty items (保修要求处理表): of a contractor, in a state; oldest due first.
pub(crate) async fn warranty_list(
    q: &mut impl Queries,
    c: CommunityId,
    contractor: Option<&str>,
    state: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<WarrantyRow>> {
    q.fetch_all(
        &format!(
            "{WARRANTY} WHERE w.community_id = $1 AND ($2 IS NULL OR w.contractor = $2) \
             AND ($3 IS NULL OR w.state = $3) ORDER BY w.state = 'verified', w.due_on, w.id LIMIT $4"
        ),
        args![c, contractor, state, limit],
    )
    .await
}

/// Moves a warranty item on; 0 rows when it was not in `from`.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn step_defect(
    tx: &mut Tx,
    id: i64,
    from: &str,
    to: &str,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    // fixed: when and what the contractor did; verified: when and by whom; open again: both
    // cleared, the note kept as why.
    tx.execute(
        "UPDATE warranty_items SET state = $1, \
         fixed_at = CASE WHEN $1 = 'fixed' THEN $2 WHEN $1 = 'open' THEN NULL ELSE fixed_at END, \
         fixed_note = CASE WHEN $1 = 'verified' THEN fixed_note ELSE $3 END, \
         verified_at = CASE WHEN $1 = 'verified' THEN $2 ELSE NULL END, \
         verified_by = CASE WHEN $1 = 'verified' THEN $4 ELSE NULL END \
         WHERE id = $5 AND state = $6",
        args![to, now, note, by, id, from],
    )
    .await
}
