//! SQL of decoration (`decoration_settings`, `decorations`, `decoration_workers`,
//! `decoration_inspections`, `decoration_violations`, `decoration_files`). Every state change is
//! a conditional UPDATE on the state it leaves, so two desks doing the same thing at once do it
//! once.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A community's decoration defaults.
    pub(crate) struct SettingsRow {
        pub deposit_fen: i64,
        pub management_fee_per_m2_fen: i64,
        pub rubbish_fee_fen: i64,
        pub work_hours: String,
        pub max_days: i64,
    }
}

crate::row! {
    /// A decoration with its unit's label.
    pub(crate) struct DecorationRow {
        pub id: DecorationId,
        pub community_id: CommunityId,
        pub number: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub applicant_id: PersonId,
        pub applicant_name: String,
        pub source: String,
        pub contractor: String,
        pub contractor_licence: Option<String>,
        pub foreman: String,
        pub foreman_phone_enc: Option<Vec<u8>>,
        pub scope: String,
        pub starts_on: NaiveDate,
        pub ends_on: NaiveDate,
        pub planned_ends_on: NaiveDate,
        pub fire_letter_signed: bool,
        pub state: String,
        pub decided_by: Option<UserId>,
        pub decided_at: Option<DateTime<Utc>>,
        pub decision_note: Option<String>,
        pub deposit_fen: Option<i64>,
        pub management_fee_fen: Option<i64>,
        pub rubbish_fee_fen: Option<i64>,
        pub management_charge_id: Option<i64>,
        pub rubbish_charge_id: Option<i64>,
        pub deposit_id: Option<i64>,
        pub permit_issued_by: Option<UserId>,
        pub permit_issued_at: Option<DateTime<Utc>>,
        pub unit_state_before: Option<String>,
        pub accepted_by: Option<UserId>,
        pub accepted_at: Option<DateTime<Utc>>,
        pub acceptance_note: Option<String>,
        pub deducted_fen: Option<i64>,
        pub refunded_fen: Option<i64>,
        pub closed_by: Option<UserId>,
        pub closed_at: Option<DateTime<Utc>>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

crate::row! {
    pub(crate) struct WorkerRow {
        pub name: String,
        pub trade: Option<String>,
        pub phone_enc: Option<Vec<u8>>,
    }
}

crate::row! {
    pub(crate) struct InspectionRow {
        pub id: i64,
        pub kind: String,
        pub note: Option<String>,
        pub inspected_by: Option<UserId>,
        pub inspected_at: DateTime<Utc>,
    }
}

crate::row! {
    pub(crate) struct ViolationRow {
        pub id: i64,
        pub decoration_id: DecorationId,
        pub inspection_id: i64,
        pub kind: String,
        pub description: String,
        pub deadline: NaiveDate,
        pub deduction_fen: i64,
        pub rectified_at: Option<DateTime<Utc>>,
        pub rectified_by: Option<UserId>,
        pub rectify_note: Option<String>,
    }
}

crate::row! {
    pub(crate) struct FileRow {
        pub id: i64,
        pub inspection_id: Option<i64>,
        pub label: String,
        pub name: String,
        pub content_type: String,
        pub path: String,
        pub created_at: DateTime<Utc>,
    }
}

const SELECT: &str = "SELECT d.id, d.community_id, d.number, d.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     d.applicant_id, d.applicant_name, d.source, d.contractor, d.contractor_licence, d.foreman, d.foreman_phone_enc, \
     d.scope, d.starts_on, d.ends_on, d.planned_ends_on, d.fire_letter_signed, d.state, d.decided_by, d.decided_at, \
     d.decision_note, d.deposit_fen, d.management_fee_fen, d.rubbish_fee_fen, d.management_charge_id, \
     d.rubbish_charge_id, d.deposit_id, d.permit_issued_by, d.permit_issued_at, d.unit_state_before, d.accepted_by, \
     d.accepted_at, d.acceptance_note, d.deducted_fen, d.refunded_fen, d.closed_by, d.closed_at, d.created_by, \
     d.created_at FROM decorations d JOIN units u ON u.id = d.unit_id JOIN buildings b ON b.id = u.building_id";

pub(crate) async fn settings(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<SettingsRow>> {
    q.fetch_optional(
        "SELECT deposit_fen, management_fee_per_m2_fen, rubbish_fee_fen, work_hours, max_days \
         FROM decoration_settings WHERE community_id = $1",
        args![c],
    )
    .await
}

pub(crate) async fn save_settings(
    tx: &mut Tx,
    c: CommunityId,
    s: &SettingsRow,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "INSERT INTO decoration_settings (community_id, deposit_fen, management_fee_per_m2_fen, rubbish_fee_fen, \
         work_hours, max_days, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (community_id) DO UPDATE SET deposit_fen = $2, management_fee_per_m2_fen = $3, \
         rubbish_fee_fen = $4, work_hours = $5, max_days = $6, updated_by = $7, updated_at = $8",
        args![
            c,
            s.deposit_fen,
            s.management_fee_per_m2_fen,
            s.rubbish_fee_fen,
            &s.work_hours,
            s.max_days,
            by,
            now
        ],
    )
    .await
}

/// An application to write.
pub(crate) struct NewDecoration<'a> {
    pub number: &'a str,
    pub unit: UnitId,
    pub applicant: PersonId,
    pub applicant_name: &'a str,
    pub source: &'a str,
    pub contractor: &'a str,
    pub contractor_licence: Option<&'a str>,
    pub foreman: &'a str,
    pub foreman_phone_enc: Option<Vec<u8>>,
    pub scope: &'a str,
    pub starts_on: NaiveDate,
    pub ends_on: NaiveDate,
    pub fire_letter_signed: bool,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    d: &NewDecoration<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<DecorationId> {
    let id = tx
        .insert_id(
            "INSERT INTO decorations (community_id, number, unit_id, applicant_id, applicant_name, source, contractor, \
             contractor_licence, foreman, foreman_phone_enc, scope, starts_on, ends_on, planned_ends_on, \
             fire_letter_signed, state, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14, 'applied', $15, $16) RETURNING id",
            args![
                c,
                d.number,
                d.unit,
                d.applicant,
                d.applicant_name,
                d.source,
                d.contractor,
                d.contractor_licence,
                d.foreman,
                d.foreman_phone_enc.clone(),
                d.scope,
                d.starts_on,
                d.ends_on,
                d.fire_letter_signed,
                by,
                now
            ],
        )
        .await?;
    Ok(DecorationId(id))
}

pub(crate) async fn insert_worker(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    name: &str,
    trade: Option<&str>,
    phone_enc: Option<Vec<u8>>,
) -> CoreResult<u64> {
    tx.execute(
        "INSERT INTO decoration_workers (community_id, decoration_id, name, trade, phone_enc) \
         VALUES ($1, $2, $3, $4, $5)",
        args![c, d, name, trade, phone_enc],
    )
    .await
}

pub(crate) async fn get(
    q: &mut impl Queries,
    id: DecorationId,
) -> CoreResult<Option<DecorationRow>> {
    q.fetch_optional(&format!("{SELECT} WHERE d.id = $1"), args![id])
        .await
}

/// The unit's decoration applied for or under way, if any: `(id, number)`.
pub(crate) async fn live_of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Option<(DecorationId, String)>> {
    q.fetch_optional(
        "SELECT id, number FROM decorations WHERE community_id = $1 AND unit_id = $2 \
         AND state IN ('applied', 'approved', 'working') ORDER BY id LIMIT 1",
        args![c, unit],
    )
    .await
}

/// The community's decorations in a state (or all; `live`: applied, approved or under way),
/// newest first.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    state: Option<&str>,
    limit: i64,
) -> CoreResult<Vec<DecorationRow>> {
    q.fetch_all(
        &format!(
            "{SELECT} WHERE d.community_id = $1 AND ($2 IS NULL OR d.state = $2 OR ($2 = 'live' AND \
             d.state IN ('applied', 'approved', 'working'))) ORDER BY d.id DESC LIMIT $3"
        ),
        args![c, state, limit],
    )
    .await
}

/// The decorations of units the person is on, newest first.
pub(crate) async fn of_units(
    q: &mut impl Queries,
    units: &[UnitId],
) -> CoreResult<Vec<DecorationRow>> {
    let mut out = Vec::new();
    for u in units {
        out.extend(
            q.fetch_all::<DecorationRow>(
                &format!("{SELECT} WHERE d.unit_id = $1 ORDER BY d.id DESC LIMIT 50"),
                args![*u],
            )
            .await?,
        );
    }
    out.sort_by_key(|d| std::cmp::Reverse(d.id));
    Ok(out)
}

pub(crate) async fn workers(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<WorkerRow>> {
    q.fetch_all(
        "SELECT name, trade, phone_enc FROM decoration_workers WHERE community_id = $1 \
         AND decoration_id = $2 ORDER BY id",
        args![c, d],
    )
    .await
}

/// A decision on an application: approved with its money, or refused.
pub(crate) struct Decision<'a> {
    pub state: &'a str,
    pub note: Option<&'a str>,
    pub money: Option<(i64, i64, i64)>,
    pub charges: (Option<i64>, Option<i64>),
}

pub(crate) async fn decide(
    tx: &mut Tx,
    id: DecorationId,
    d: &Decision<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    let (deposit, management, rubbish) = match d.money {
        Some((a, b, c)) => (Some(a), Some(b), Some(c)),
        None => (None, None, None),
    };
    tx.execute(
        "UPDATE decorations SET state = $1, decision_note = $2, deposit_fen = $3, management_fee_fen = $4, \
         rubbish_fee_fen = $5, management_charge_id = $6, rubbish_charge_id = $7, decided_by = $8, decided_at = $9 \
         WHERE id = $10 AND state = 'applied'",
        args![
            d.state,
            d.note,
            deposit,
            management,
            rubbish,
            d.charges.0,
            d.charges.1,
            by,
            now,
            id
        ],
    )
    .await
}

/// Moves a decoration from one state to another; 0 rows when it was not in `from`.
pub(crate) async fn set_state(
    tx: &mut Tx,
    id: DecorationId,
    from: &str,
    to: &str,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET state = $1 WHERE id = $2 AND state = $3",
        args![to, id, from],
    )
    .await
}

/// Links the deposit the cashier took; 0 rows when one is linked already.
pub(crate) async fn set_deposit(tx: &mut Tx, id: DecorationId, deposit: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET deposit_id = $1 WHERE id = $2 AND state = 'approved' AND deposit_id IS NULL",
        args![deposit, id],
    )
    .await
}

pub(crate) async fn issue_permit(
    tx: &mut Tx,
    id: DecorationId,
    unit_state_before: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET state = 'working', unit_state_before = $1, permit_issued_by = $2, \
         permit_issued_at = $3 WHERE id = $4 AND state = 'approved'",
        args![unit_state_before, by, now, id],
    )
    .await
}

pub(crate) async fn extend(
    tx: &mut Tx,
    id: DecorationId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET ends_on = $1 WHERE id = $2 AND state = 'working' AND ends_on = $3",
        args![to, id, from],
    )
    .await
}

pub(crate) async fn accept(
    tx: &mut Tx,
    id: DecorationId,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET state = 'accepted', acceptance_note = $1, accepted_by = $2, accepted_at = $3 \
         WHERE id = $4 AND state = 'working'",
        args![note, by, now, id],
    )
    .await
}

pub(crate) async fn close(
    tx: &mut Tx,
    id: DecorationId,
    deducted: i64,
    refunded: i64,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET state = 'closed', deducted_fen = $1, refunded_fen = $2, closed_by = $3, \
         closed_at = $4 WHERE id = $5 AND state = 'accepted'",
        args![deducted, refunded, by, now, id],
    )
    .await
}

pub(crate) async fn insert_inspection(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    kind: &str,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO decoration_inspections (community_id, decoration_id, kind, note, inspected_by, inspected_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![c, d, kind, note, by, now],
    )
    .await
}

pub(crate) async fn inspections(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<InspectionRow>> {
    q.fetch_all(
        "SELECT id, kind, note, inspected_by, inspected_at FROM decoration_inspections \
         WHERE community_id = $1 AND decoration_id = $2 ORDER BY inspected_at, id",
        args![c, d],
    )
    .await
}

/// A violation to write.
pub(crate) struct NewViolation<'a> {
    pub kind: &'a str,
    pub description: &'a str,
    pub deadline: NaiveDate,
    pub deduction_fen: i64,
}

pub(crate) async fn insert_violation(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    inspection: i64,
    v: &NewViolation<'_>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO decoration_violations (community_id, decoration_id, inspection_id, kind, description, \
         deadline, deduction_fen) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![
            c,
            d,
            inspection,
            v.kind,
            v.description,
            v.deadline,
            v.deduction_fen
        ],
    )
    .await
}

const VIOLATION: &str = "SELECT id, decoration_id, inspection_id, kind, description, deadline, deduction_fen, \
     rectified_at, rectified_by, rectify_note FROM decoration_violations";

pub(crate) async fn violations(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<ViolationRow>> {
    q.fetch_all(
        &format!("{VIOLATION} WHERE community_id = $1 AND decoration_id = $2 ORDER BY id"),
        args![c, d],
    )
    .await
}

pub(crate) async fn violation(q: &mut impl Queries, id: i64) -> CoreResult<Option<ViolationRow>> {
    q.fetch_optional(&format!("{VIOLATION} WHERE id = $1"), args![id])
        .await
}

/// Marks a violation rectified; 0 rows when it was already.
pub(crate) async fn rectify(
    tx: &mut Tx,
    id: i64,
    note: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decoration_violations SET rectified_at = $1, rectified_by = $2, rectify_note = $3 \
         WHERE id = $4 AND rectified_at IS NULL",
        args![now, by, note, id],
    )
    .await
}

/// A file to write.
pub(crate) struct NewFile<'a> {
    pub inspection: Option<i64>,
    pub label: &'a str,
    pub name: &'a str,
    pub content_type: &'a str,
    pub path: &'a str,
}

pub(crate) async fn insert_file(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    f: &NewFile<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO decoration_files (community_id, decoration_id, inspection_id, label, name, content_type, path, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        args![
            c,
            d,
            f.inspection,
            f.label,
            f.name,
            f.content_type,
            f.path,
            by,
            now
        ],
    )
    .await
}

pub(crate) async fn files(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<FileRow>> {
    q.fetch_all(
        "SELECT id, inspection_id, label, name, content_type, path, created_at FROM decoration_files \
         WHERE community_id = $1 AND decoration_id = $2 ORDER BY id",
        args![c, d],
    )
    .await
}

pub(crate) async fn file_count(tx: &mut Tx, c: CommunityId, d: DecorationId) -> CoreResult<i64> {
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM decoration_files WHERE community_id = $1 AND decoration_id = $2",
            args![c, d],
        )
        .await?;
    Ok(n)
}

/// What a worker's pass needs of its decoration: `(unit, state, starts_on, ends_on)` when it is
/// of the community.
pub(crate) async fn for_pass(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Option<(UnitId, String, NaiveDate, NaiveDate)>> {
    q.fetch_optional(
        "SELECT unit_id, state, starts_on, ends_on FROM decorations WHERE community_id = $1 AND id = $2",
        args![c, d],
    )
    .await
}

crate::row! {
    pub(crate) struct ExtensionRow {
        pub from_day: NaiveDate,
        pub to_day: NaiveDate,
        pub reason: String,
        pub extended_by: Option<UserId>,
        pub extended_at: DateTime<Utc>,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_extension(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    from: NaiveDate,
    to: NaiveDate,
    reason: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "INSERT INTO decoration_extensions (community_id, decoration_id, from_day, to_day, reason, extended_by, \
         extended_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![c, d, from, to, reason, by, now],
    )
    .await
}

pub(crate) async fn extensions(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<ExtensionRow>> {
    q.fetch_all(
        "SELECT from_day, to_day, reason, extended_by, extended_at FROM decoration_extensions \
         WHERE community_id = $1 AND decoration_id = $2 ORDER BY id",
        args![c, d],
    )
    .await
}

/// Records the fire-safety letter signed (its scan uploaded).
pub(crate) async fn fire_letter_signed(tx: &mut Tx, id: DecorationId) -> CoreResult<u64> {
    tx.execute(
        "UPDATE decorations SET fire_letter_signed = $1 WHERE id = $2",
        args![true, id],
    )
    .await
}
