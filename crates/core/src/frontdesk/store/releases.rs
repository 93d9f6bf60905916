//! SQL of large-item release slips (`release_slips`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A slip with its unit's label and the applicant's name.
    pub(crate) struct SlipRow {
        pub id: ReleaseSlipId,
        pub community_id: CommunityId,
        pub number: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub applicant_id: PersonId,
        pub applicant_name: String,
        pub relation: String,
        pub items: String,
        pub vehicle_plate: Option<String>,
        pub planned_at: DateTime<Utc>,
        pub source: String,
        pub state: String,
        pub owner_consent: Option<String>,
        pub consent_note: Option<String>,
        pub arrears_fen: Option<i64>,
        pub arrears_override: Option<String>,
        pub checked_by: Option<UserId>,
        pub checked_at: Option<DateTime<Utc>>,
        pub refuse_reason: Option<String>,
        pub passed_by: Option<UserId>,
        pub passed_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
    }
}

const SELECT: &str = "SELECT s.id, s.community_id, s.number, s.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     s.applicant_id, p.name AS applicant_name, s.relation, s.items, s.vehicle_plate, s.planned_at, s.source, \
     s.state, s.owner_consent, s.consent_note, s.arrears_fen, s.arrears_override, s.checked_by, s.checked_at, \
     s.refuse_reason, s.passed_by, s.passed_at, s.created_at \
     FROM release_slips s JOIN units u ON u.id = s.unit_id JOIN buildings b ON b.id = u.building_id \
     JOIN people p ON p.id = s.applicant_id";

/// A slip to write.
pub(crate) struct NewSlip<'a> {
    pub number: &'a str,
    pub unit: UnitId,
    pub applicant: PersonId,
    pub relation: &'a str,
    pub items: &'a str,
    pub plate: Option<&'a str>,
    pub planned_at: DateTime<Utc>,
    pub source: &'a str,
    pub by: Option<UserId>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    s: &NewSlip<'_>,
    now: DateTime<Utc>,
) -> CoreResult<ReleaseSlipId> {
    let id = tx
        .insert_id(
            "INSERT INTO release_slips (community_id, number, unit_id, applicant_id, relation, items, \
             vehicle_plate, planned_at, source, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'pending', $10, $11) RETURNING id",
            args![c, s.number, s.unit, s.applicant, s.relation, s.items, s.plate, s.planned_at,
                  s.source, s.by, now],
        )
        .await?;
    Ok(ReleaseSlipId(id))
}

pub(crate) async fn get(q: &mut impl Queries, id: ReleaseSlipId) -> CoreResult<Option<SlipRow>> {
    q.fetch_optional(&format!("{SELECT} WHERE s.id = $1"), args![id])
        .await
}

pub(crate) async fn by_number(
    q: &mut impl Queries,
    c: CommunityId,
    number: &str,
) -> CoreResult<Option<SlipRow>> {
    q.fetch_optional(
        &format!("{SELECT} WHERE s.community_id = $1 AND s.number = $2"),
        args![c, number],
    )
    .await
}

/// What the desk's check decided.
pub(crate) struct Check<'a> {
    pub consent: Option<&'a str>,
    pub consent_note: Option<&'a str>,
    pub arrears_fen: i64,
    pub arrears_override: Option<&'a str>,
    pub by: Option<UserId>,
}

/// Approves a pending slip; 0 rows when it is not pending (checked meanwhile).
pub(crate) async fn approve(
    tx: &mut Tx,
    c: CommunityId,
    id: ReleaseSlipId,
    k: &Check<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE release_slips SET state = 'approved', owner_consent = $1, consent_note = $2, arrears_fen = $3, \
         arrears_override = $4, checked_by = $5, checked_at = $6 \
         WHERE community_id = $7 AND id = $8 AND state = 'pending'",
        args![k.consent, k.consent_note, k.arrears_fen, k.arrears_override, k.by, now, c, id],
    )
    .await
}

/// Refuses a pending slip; 0 rows when it is not pending.
pub(crate) async fn refuse(
    tx: &mut Tx,
    c: CommunityId,
    id: ReleaseSlipId,
    reason: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE release_slips SET state = 'refused', refuse_reason = $1, checked_by = $2, checked_at = $3 \
         WHERE community_id = $4 AND id = $5 AND state = 'pending'",
        args![reason, by, now, c, id],
    )
    .await
}

/// Marks an approved slip passed at the gate; 0 rows when it is not approved (passed already).
pub(crate) async fn pass(
    tx: &mut Tx,
    c: CommunityId,
    id: ReleaseSlipId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE release_slips SET state = 'passed', passed_by = $1, passed_at = $2 \
         WHERE community_id = $3 AND id = $4 AND state = 'approved'",
        args![by, now, c, id],
    )
    .await
}

/// The community's slips planned in `[from, to)`, optionally in one state, by planned time.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Vec<SlipRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE s.community_id = $1 AND s.planned_at >= $2 AND s.planned_at < $3 \
             AND ($4 IS NULL OR s.state = $4) ORDER BY s.planned_at, s.id LIMIT 500"
        ),
        args![c, from, to, state],
    )
    .await
}

/// The slips a person applied for, newest first.
pub(crate) async fn of_applicant(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
) -> CoreResult<Vec<SlipRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE s.community_id = $1 AND s.applicant_id = $2 ORDER BY s.created_at DESC, s.id DESC LIMIT 50"
        ),
        args![c, person],
    )
    .await
}
