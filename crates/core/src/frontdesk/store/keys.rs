//! SQL of the key ledger: cabinets, keys (with the loan they are out on), authorisations, the
//! lending register, and what the overdue job and handovers read.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A cabinet with how many keys it holds and how many are out.
    pub(crate) struct CabinetRow {
        pub id: KeyCabinetId,
        pub community_id: CommunityId,
        pub name: String,
        pub location: Option<String>,
        pub keeper_id: UserId,
        pub keys: i64,
        pub out: i64,
    }
}

const CABINET_COLS: &str = "c.id, c.community_id, c.name, c.location, c.keeper_id, \
     (SELECT COUNT(*) FROM key_items k WHERE k.community_id = c.community_id AND k.cabinet_id = c.id \
      AND k.state <> 'retired') AS keys, \
     (SELECT COUNT(*) FROM key_items k WHERE k.community_id = c.community_id AND k.cabinet_id = c.id \
      AND k.state = 'out') AS out";

pub(crate) async fn cabinets(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<CabinetRow>> {
    q.fetch_all(
        &format!("SELECT {CABINET_COLS} FROM key_cabinets c WHERE c.community_id = $1 ORDER BY c.name, c.id"),
        args![c],
    )
    .await
}

pub(crate) async fn cabinet(
    q: &mut impl Queries,
    id: KeyCabinetId,
) -> CoreResult<Option<CabinetRow>> {
    q.fetch_optional(
        &format!("SELECT {CABINET_COLS} FROM key_cabinets c WHERE c.id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn insert_cabinet(
    tx: &mut Tx,
    c: CommunityId,
    name: &str,
    location: Option<&str>,
    keeper: UserId,
    now: DateTime<Utc>,
) -> CoreResult<KeyCabinetId> {
    let id = tx
        .insert_id(
            "INSERT INTO key_cabinets (community_id, name, location, keeper_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            args![c, name, location, keeper, now],
        )
        .await?;
    Ok(KeyCabinetId(id))
}

pub(crate) async fn update_cabinet(
    tx: &mut Tx,
    id: KeyCabinetId,
    name: &str,
    location: Option<&str>,
    keeper: UserId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_cabinets SET name = $1, location = $2, keeper_id = $3, updated_at = $4 WHERE id = $5",
        args![name, location, keeper, now, id],
    )
    .await
}

crate::row! {
    /// A key with its cabinet and, when out, its open loan.
    pub(crate) struct KeyRow {
        pub id: KeyId,
        pub community_id: CommunityId,
        pub cabinet_id: KeyCabinetId,
        pub cabinet_name: String,
        pub keeper_id: UserId,
        pub position: String,
        pub code: String,
        pub kind: String,
        pub unit_id: Option<UnitId>,
        pub opens: String,
        pub copies: i64,
        pub deposited_by: Option<PersonId>,
        pub state: String,
        pub note: Option<String>,
        pub loan_id: Option<KeyLoanId>,
    }
}

const KEY_FROM: &str = "SELECT k.id, k.community_id, k.cabinet_id, c.name AS cabinet_name, c.keeper_id, \
     k.position, k.code, k.kind, k.unit_id, k.opens, k.copies, k.deposited_by, k.state, k.note, \
     l.id AS loan_id \
     FROM key_items k JOIN key_cabinets c ON c.id = k.cabinet_id \
     LEFT JOIN key_loans l ON l.community_id = k.community_id AND l.key_id = k.id AND l.returned_at IS NULL";

pub(crate) async fn key(q: &mut impl Queries, id: KeyId) -> CoreResult<Option<KeyRow>> {
    q.fetch_optional(&format!("{KEY_FROM} WHERE k.id = $1"), args![id])
        .await
}

/// The key with this code in the community (the desk scans or types the tag).
pub(crate) async fn key_by_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<Option<KeyRow>> {
    q.fetch_optional(
        &format!("{KEY_FROM} WHERE k.community_id = $1 AND k.code = $2"),
        args![c, code],
    )
    .await
}

/// What a list of keys is narrowed by.
pub(crate) struct KeyWhere<'a> {
    pub state: Option<&'a str>,
    pub cabinet: Option<KeyCabinetId>,
    pub unit: Option<UnitId>,
    /// A code or what it opens, as a prefix of the code or a part of the text.
    pub text: Option<&'a str>,
    pub overdue_at: Option<DateTime<Utc>>,
}

pub(crate) async fn keys(
    q: &mut impl Queries,
    c: CommunityId,
    w: &KeyWhere<'_>,
    limit: i64,
) -> CoreResult<Vec<KeyRow>> {
    let mut a = args![c];
    let mut cond = String::from("k.community_id = $1");
    if let Some(s) = w.state {
        cond += &format!(" AND k.state = {}", a.push(s));
    }
    if let Some(x) = w.cabinet {
        cond += &format!(" AND k.cabinet_id = {}", a.push(x));
    }
    if let Some(u) = w.unit {
        cond += &format!(" AND k.unit_id = {}", a.push(u));
    }
    if let Some(t) = w.text {
        let p1 = a.push(format!("{}%", t.to_uppercase()));
        let p2 = a.push(format!("%{t}%"));
        cond += &format!(" AND (k.code LIKE {p1} OR k.opens LIKE {p2})");
    }
    if let Some(now) = w.overdue_at {
        cond += &format!(" AND l.due_at < {}", a.push(now));
    }
    let lim = a.push(limit);
    q.fetch_all(
        &format!("{KEY_FROM} WHERE {cond} ORDER BY c.name, k.position, k.code LIMIT {lim}"),
        a,
    )
    .await
}

/// Whether another key of the community has this code, or hangs at this position of the
/// cabinet.
pub(crate) async fn clashes(
    q: &mut impl Queries,
    c: CommunityId,
    except: Option<KeyId>,
    code: &str,
    cabinet: KeyCabinetId,
    position: &str,
) -> CoreResult<(bool, bool)> {
    let except = except.map(|k| k.0).unwrap_or(0);
    let rows: Vec<(String, KeyCabinetId, String)> = q
        .fetch_all(
            "SELECT code, cabinet_id, position FROM key_items WHERE community_id = $1 AND id <> $2 \
             AND state <> 'retired' AND (code = $3 OR (cabinet_id = $4 AND position = $5))",
            args![c, except, code, cabinet, position],
        )
        .await?;
    let code_taken = rows.iter().any(|r| r.0 == code);
    let place_taken = rows.iter().any(|r| r.1 == cabinet && r.2 == position);
    Ok((code_taken, place_taken))
}

/// A key to write.
pub(crate) struct KeyFields<'a> {
    pub cabinet: KeyCabinetId,
    pub position: &'a str,
    pub code: &'a str,
    pub kind: &'static str,
    pub unit: Option<UnitId>,
    pub opens: &'a str,
    pub copies: i64,
    pub deposited_by: Option<PersonId>,
    pub note: Option<&'a str>,
}

pub(crate) async fn insert_key(
    tx: &mut Tx,
    c: CommunityId,
    k: &KeyFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<KeyId> {
    let id = tx
        .insert_id(
            "INSERT INTO key_items (community_id, cabinet_id, position, code, kind, unit_id, opens, copies, \
             deposited_by, state, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'in', $10, $11, $11) RETURNING id",
            args![c, k.cabinet, k.position, k.code, k.kind, k.unit, k.opens, k.copies, k.deposited_by, k.note, now],
        )
        .await?;
    Ok(KeyId(id))
}

pub(crate) async fn update_key(
    tx: &mut Tx,
    id: KeyId,
    k: &KeyFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_items SET cabinet_id = $1, position = $2, code = $3, kind = $4, unit_id = $5, opens = $6, \
         copies = $7, deposited_by = $8, note = $9, updated_at = $10 WHERE id = $11",
        args![k.cabinet, k.position, k.code, k.kind, k.unit, k.opens, k.copies, k.deposited_by, k.note, now, id],
    )
    .await
}

/// Moves a key from one state to another; 0 rows when it was not in `from` (another desk was
/// first).
pub(crate) async fn set_state(
    tx: &mut Tx,
    c: CommunityId,
    id: KeyId,
    from: &str,
    to: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_items SET state = $1, updated_at = $2 WHERE community_id = $3 AND id = $4 AND state = $5",
        args![to, now, c, id, from],
    )
    .await
}

/// The unit's own keys in the cabinet, not an owner's deposited spare: `(id, code)` — what a
/// move-in hands over.
pub(crate) async fn unit_keys_in(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<(KeyId, String)>> {
    q.fetch_all(
        "SELECT id, code FROM key_items WHERE community_id = $1 AND unit_id = $2 AND kind = 'unit' \
         AND deposited_by IS NULL AND state = 'in' ORDER BY code",
        args![c, unit],
    )
    .await
}

crate::row! {
    /// An owner's authorisation for his deposited key.
    pub(crate) struct AuthorisationRow {
        pub id: KeyAuthorisationId,
        pub community_id: CommunityId,
        pub key_id: KeyId,
        pub person_name: String,
        pub phone_enc: Option<Vec<u8>>,
        pub valid_until: Option<NaiveDate>,
        pub how: String,
        pub note: Option<String>,
        pub recorded_by: Option<UserId>,
        pub recorded_at: DateTime<Utc>,
        pub revoked_at: Option<DateTime<Utc>>,
    }
}

const AUTH_COLS: &str = "id, community_id, key_id, person_name, phone_enc, valid_until, how, note, \
     recorded_by, recorded_at, revoked_at";

pub(crate) async fn authorisations(
    q: &mut impl Queries,
    c: CommunityId,
    key: KeyId,
) -> CoreResult<Vec<AuthorisationRow>> {
    q.fetch_all(
        &format!(
            "SELECT {AUTH_COLS} FROM key_authorisations WHERE community_id = $1 AND key_id = $2 ORDER BY id DESC"
        ),
        args![c, key],
    )
    .await
}

pub(crate) async fn authorisation(
    q: &mut impl Queries,
    id: KeyAuthorisationId,
) -> CoreResult<Option<AuthorisationRow>> {
    q.fetch_optional(
        &format!("SELECT {AUTH_COLS} FROM key_authorisations WHERE id = $1"),
        args![id],
    )
    .await
}

/// An authorisation to write.
pub(crate) struct NewAuthorisation<'a> {
    pub key: KeyId,
    pub person_name: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub valid_until: Option<NaiveDate>,
    pub how: &'static str,
    pub note: Option<&'a str>,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_authorisation(
    tx: &mut Tx,
    c: CommunityId,
    n: NewAuthorisation<'_>,
    now: DateTime<Utc>,
) -> CoreResult<KeyAuthorisationId> {
    let id = tx
        .insert_id(
            "INSERT INTO key_authorisations (community_id, key_id, person_name, phone_enc, valid_until, how, note, \
             recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            args![c, n.key, n.person_name, n.phone_enc, n.valid_until, n.how, n.note, n.by, now],
        )
        .await?;
    Ok(KeyAuthorisationId(id))
}

/// Revokes an authorisation in force; 0 rows when it was revoked already.
pub(crate) async fn revoke_authorisation(
    tx: &mut Tx,
    c: CommunityId,
    id: KeyAuthorisationId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_authorisations SET revoked_at = $1, revoked_by = $2 \
         WHERE community_id = $3 AND id = $4 AND revoked_at IS NULL",
        args![now, by, c, id],
    )
    .await
}

crate::row! {
    /// A line of the lending register, with its key's code and what it opens.
    pub(crate) struct LoanRow {
        pub id: KeyLoanId,
        pub community_id: CommunityId,
        pub key_id: KeyId,
        pub code: String,
        pub opens: String,
        pub keeper_id: UserId,
        pub borrower_user_id: Option<UserId>,
        pub borrower_name: String,
        pub borrower_phone_enc: Option<Vec<u8>>,
        pub purpose: String,
        pub authorisation_id: Option<KeyAuthorisationId>,
        pub lent_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
        pub lent_by: Option<UserId>,
        pub returned_at: Option<DateTime<Utc>>,
        pub returned_to: Option<UserId>,
        pub return_note: Option<String>,
    }
}

const LOAN_FROM: &str = "SELECT l.id, l.community_id, l.key_id, k.code, k.opens, c.keeper_id, l.borrower_user_id, \
     l.borrower_name, l.borrower_phone_enc, l.purpose, l.authorisation_id, l.lent_at, l.due_at, l.lent_by, \
     l.returned_at, l.returned_to, l.return_note \
     FROM key_loans l JOIN key_items k ON k.id = l.key_id JOIN key_cabinets c ON c.id = k.cabinet_id";

pub(crate) async fn loan(q: &mut impl Queries, id: KeyLoanId) -> CoreResult<Option<LoanRow>> {
    q.fetch_optional(&format!("{LOAN_FROM} WHERE l.id = $1"), args![id])
        .await
}

/// What the register is narrowed by.
pub(crate) struct LoanWhere {
    pub key: Option<KeyId>,
    pub open: bool,
    pub overdue_at: Option<DateTime<Utc>>,
}

/// The register, newest first.
pub(crate) async fn loans(
    q: &mut impl Queries,
    c: CommunityId,
    w: &LoanWhere,
    limit: i64,
) -> CoreResult<Vec<LoanRow>> {
    let mut a: Args = args![c];
    let mut cond = String::from("l.community_id = $1");
    if let Some(k) = w.key {
        cond += &format!(" AND l.key_id = {}", a.push(k));
    }
    if w.open || w.overdue_at.is_some() {
        cond += " AND l.returned_at IS NULL";
    }
    if let Some(now) = w.overdue_at {
        cond += &format!(" AND l.due_at < {}", a.push(now));
    }
    let lim = a.push(limit);
    q.fetch_all(
        &format!("{LOAN_FROM} WHERE {cond} ORDER BY l.id DESC LIMIT {lim}"),
        a,
    )
    .await
}

/// A loan to write.
pub(crate) struct NewLoan<'a> {
    pub key: KeyId,
    pub borrower_user: Option<UserId>,
    pub borrower_name: &'a str,
    pub borrower_phone_enc: Option<Vec<u8>>,
    pub purpose: &'a str,
    pub authorisation: Option<KeyAuthorisationId>,
    pub due_at: DateTime<Utc>,
    pub by: Option<UserId>,
}

/// Writes a loan; a key already out fails on the partial unique index (a unique violation).
pub(crate) async fn insert_loan(
    tx: &mut Tx,
    c: CommunityId,
    n: NewLoan<'_>,
    now: DateTime<Utc>,
) -> CoreResult<KeyLoanId> {
    let id = tx
        .insert_id(
            "INSERT INTO key_loans (community_id, key_id, borrower_user_id, borrower_name, borrower_phone_enc, \
             purpose, authorisation_id, lent_at, due_at, lent_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
            args![c, n.key, n.borrower_user, n.borrower_name, n.borrower_phone_enc, n.purpose,
                  n.authorisation, now, n.due_at, n.by],
        )
        .await?;
    Ok(KeyLoanId(id))
}

/// Closes the key's open loan; 0 rows when it was returned already.
pub(crate) async fn close_loan(
    tx: &mut Tx,
    c: CommunityId,
    id: KeyLoanId,
    to: Option<UserId>,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_loans SET returned_at = $1, returned_to = $2, return_note = $3 \
         WHERE community_id = $4 AND id = $5 AND returned_at IS NULL",
        args![now, to, note, c, id],
    )
    .await
}

/// Every community's loans past due and not yet told (the job's batch), oldest due first.
pub(crate) async fn overdue_untold(
    q: &mut impl Queries,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<LoanRow>> {
    q.fetch_all(
        &format!(
            "{LOAN_FROM} WHERE l.returned_at IS NULL AND l.due_at < $1 AND l.overdue_told_at IS NULL \
             ORDER BY l.due_at LIMIT $2"
        ),
        args![now, limit],
    )
    .await
}

/// Marks a loan told of being overdue; 0 rows when another node told it first.
pub(crate) async fn mark_told(
    tx: &mut Tx,
    c: CommunityId,
    id: KeyLoanId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE key_loans SET overdue_told_at = $1 WHERE community_id = $2 AND id = $3 AND overdue_told_at IS NULL",
        args![now, c, id],
    )
    .await
}

/// The community's keys out, for a handover: due first.
pub(crate) async fn open_loans(
    q: &mut impl Queries,
    c: CommunityId,
    limit: i64,
) -> CoreResult<Vec<LoanRow>> {
    q.fetch_all(
        &format!(
            "{LOAN_FROM} WHERE l.community_id = $1 AND l.returned_at IS NULL ORDER BY l.due_at LIMIT $2"
        ),
        args![c, limit],
    )
    .await
}
