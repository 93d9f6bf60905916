//! SQL of visitors and passes: a pass written under a code the community has not used (the
//! code's unique index settles a code drawn twice), found by its code, used (once for a
//! guest's pass: the update's condition settles two gates scanning it at once), revoked; a
//! visit written at the gate, answered by its host once, checked out once; the lists.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A pass as stored.
    pub(crate) struct PassRow {
        pub id: VisitorPassId,
        pub community_id: CommunityId,
        pub kind: String,
        pub code: String,
        pub number: Option<String>,
        pub holder_name: String,
        pub id_type: Option<String>,
        pub id_number_enc: Option<Vec<u8>>,
        pub id_number_masked: Option<String>,
        pub phone_enc: Option<Vec<u8>>,
        pub unit_id: Option<UnitId>,
        pub unit_label: Option<String>,
        pub host_person_id: Option<PersonId>,
        pub host_name: Option<String>,
        pub purpose: Option<String>,
        pub plate: Option<String>,
        pub party_size: i64,
        pub valid_from: DateTime<Utc>,
        pub valid_until: DateTime<Utc>,
        pub used_at: Option<DateTime<Utc>>,
        pub entries: i64,
        pub revoked_at: Option<DateTime<Utc>>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub decoration_id: Option<DecorationId>,
        pub photo_path: Option<String>,
        pub photo_type: Option<String>,
    }
}

const PASS_COLS: &str = "id, community_id, kind, code, number, holder_name, id_type, id_number_enc, \
     id_number_masked, phone_enc, unit_id, unit_label, host_person_id, host_name, purpose, plate, party_size, \
     valid_from, valid_until, used_at, entries, revoked_at, created_by, created_at, decoration_id, photo_path, photo_type";

/// Who comes in, to whom, why: shared by a pass and a visit.
pub(crate) struct Visitor<'a> {
    pub name: &'a str,
    pub id_type: Option<&'static str>,
    pub id_number_enc: Option<Vec<u8>>,
    pub id_number_masked: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
    pub unit: Option<UnitId>,
    pub unit_label: Option<String>,
    pub host: Option<PersonId>,
    pub host_name: Option<String>,
    pub purpose: Option<&'a str>,
    pub plate: Option<&'a str>,
    pub party_size: i64,
}

/// A pass to write.
pub(crate) struct NewPass<'a> {
    pub kind: &'static str,
    pub code: &'a str,
    pub number: Option<&'a str>,
    pub v: &'a Visitor<'a>,
    pub valid_from: DateTime<Utc>,
    pub valid_until: DateTime<Utc>,
    pub by: Option<UserId>,
    /// A worker's pass for a decoration.
    pub decoration: Option<DecorationId>,
}

/// Writes a pass; `None` when its code (or number) is the community's already: nothing is
/// written and the transaction goes on.
pub(crate) async fn insert_pass(
    tx: &mut Tx,
    c: CommunityId,
    p: &NewPass<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<VisitorPassId>> {
    let v = p.v;
    let row: Option<(VisitorPassId,)> = tx
        .fetch_optional(
            "INSERT INTO visitor_passes (community_id, kind, code, number, holder_name, id_type, id_number_enc, \
             id_number_masked, phone_enc, unit_id, unit_label, host_person_id, host_name, purpose, plate, party_size, \
             valid_from, valid_until, entries, created_by, created_at, decoration_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, 0, $19, $20, $21) \
             ON CONFLICT DO NOTHING RETURNING id",
            args![c, p.kind, p.code, p.number, v.name, v.id_type, v.id_number_enc.clone(),
                  v.id_number_masked.clone(), v.phone_enc.clone(), v.unit, v.unit_label.clone(), v.host,
                  v.host_name.clone(), v.purpose, v.plate, v.party_size, p.valid_from, p.valid_until, p.by, now,
                  p.decoration],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

/// How many passes of this kind the community has issued (the next printed number).
pub(crate) async fn count_passes(
    q: &mut impl Queries,
    c: CommunityId,
    kind: &str,
) -> CoreResult<i64> {
    let (n,): (i64,) = q
        .fetch_one(
            "SELECT COUNT(*) FROM visitor_passes WHERE community_id = $1 AND kind = $2",
            args![c, kind],
        )
        .await?;
    Ok(n)
}

pub(crate) async fn number_taken(
    q: &mut impl Queries,
    c: CommunityId,
    number: &str,
) -> CoreResult<bool> {
    let row: Option<(VisitorPassId,)> = q
        .fetch_optional(
            "SELECT id FROM visitor_passes WHERE community_id = $1 AND number = $2",
            args![c, number],
        )
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn get_pass(
    q: &mut impl Queries,
    id: VisitorPassId,
) -> CoreResult<Option<PassRow>> {
    q.fetch_optional(
        &format!("SELECT {PASS_COLS} FROM visitor_passes WHERE id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn pass_by_code(
    q: &mut impl Queries,
    c: CommunityId,
    code: &str,
) -> CoreResult<Option<PassRow>> {
    q.fetch_optional(
        &format!("SELECT {PASS_COLS} FROM visitor_passes WHERE community_id = $1 AND code = $2"),
        args![c, code],
    )
    .await
}

/// The community's passes, newest first: of a kind, or those valid at `valid_at`.
pub(crate) async fn list_passes(
    q: &mut impl Queries,
    c: CommunityId,
    kind: Option<&str>,
    valid_at: Option<DateTime<Utc>>,
    limit: i64,
) -> CoreResult<Vec<PassRow>> {
    let mut a: Args = args![c];
    let mut cond = String::from("community_id = $1");
    if let Some(k) = kind {
        cond += &format!(" AND kind = {}", a.push(k));
    }
    if let Some(t) = valid_at {
        let p = a.push(t);
        cond += &format!(
            " AND revoked_at IS NULL AND valid_from <= {p} AND valid_until > {p} \
             AND (kind <> 'guest' OR used_at IS NULL)"
        );
    }
    let lim = a.push(limit);
    q.fetch_all(
        &format!(
            "SELECT {PASS_COLS} FROM visitor_passes WHERE {cond} ORDER BY id DESC LIMIT {lim}"
        ),
        a,
    )
    .await
}

/// The passes an owner issued (his guests'), newest first, those ending after `since`.
pub(crate) async fn passes_of_host(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
    since: DateTime<Utc>,
) -> CoreResult<Vec<PassRow>> {
    q.fetch_all(
        &format!(
            "SELECT {PASS_COLS} FROM visitor_passes WHERE host_person_id = $1 AND community_id = $2 \
             AND kind = 'guest' AND valid_until >= $3 ORDER BY id DESC LIMIT 100"
        ),
        args![person, c, since],
    )
    .await
}

/// Counts an entry on the pass; a guest's pass only while unused. 0: used meanwhile.
pub(crate) async fn use_pass(
    tx: &mut Tx,
    id: VisitorPassId,
    once: bool,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    let sql = if once {
        "UPDATE visitor_passes SET used_at = $2, entries = entries + 1 \
         WHERE id = $1 AND revoked_at IS NULL AND used_at IS NULL"
    } else {
        "UPDATE visitor_passes SET used_at = COALESCE(used_at, $2), entries = entries + 1 \
         WHERE id = $1 AND revoked_at IS NULL"
    };
    tx.execute(sql, args![id, now]).await
}

/// The passes issued for a decoration, newest first.
pub(crate) async fn decoration_passes(
    q: &mut impl Queries,
    c: CommunityId,
    d: DecorationId,
) -> CoreResult<Vec<PassRow>> {
    q.fetch_all(
        &format!(
            "SELECT {PASS_COLS} FROM visitor_passes WHERE community_id = $1 AND decoration_id = $2 ORDER BY id DESC"
        ),
        args![c, d],
    )
    .await
}

/// Revokes the passes of a decoration's workers still in force (its works accepted or
/// stopped); the number revoked.
pub(crate) async fn revoke_decoration_passes(
    tx: &mut Tx,
    c: CommunityId,
    d: DecorationId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE visitor_passes SET revoked_at = $3 WHERE community_id = $1 AND decoration_id = $2 \
         AND revoked_at IS NULL AND valid_until > $3",
        args![c, d, now],
    )
    .await
}

/// Sets a pass's photo (its file under the data directory and its type).
pub(crate) async fn set_photo(
    tx: &mut Tx,
    c: CommunityId,
    id: VisitorPassId,
    path: &str,
    content_type: &str,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE visitor_passes SET photo_path = $1, photo_type = $2 WHERE community_id = $3 AND id = $4",
        args![path, content_type, c, id],
    )
    .await
}

pub(crate) async fn revoke_pass(
    tx: &mut Tx,
    c: CommunityId,
    id: VisitorPassId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE visitor_passes SET revoked_at = $3 WHERE id = $1 AND community_id = $2 AND revoked_at IS NULL",
        args![id, c, now],
    )
    .await
}

crate::row! {
    /// A visit as stored.
    pub(crate) struct VisitRow {
        pub id: VisitId,
        pub community_id: CommunityId,
        pub pass_id: Option<VisitorPassId>,
        pub visitor_name: String,
        pub id_type: Option<String>,
        pub id_number_enc: Option<Vec<u8>>,
        pub id_number_masked: Option<String>,
        pub phone_enc: Option<Vec<u8>>,
        pub unit_id: Option<UnitId>,
        pub unit_label: Option<String>,
        pub host_person_id: Option<PersonId>,
        pub host_name: Option<String>,
        pub purpose: Option<String>,
        pub plate: Option<String>,
        pub party_size: i64,
        pub answer: Option<String>,
        pub answered_how: Option<String>,
        pub answered_at: Option<DateTime<Utc>>,
        pub answered_by: Option<UserId>,
        pub in_at: DateTime<Utc>,
        pub in_by: Option<UserId>,
        pub out_at: Option<DateTime<Utc>>,
        pub out_by: Option<UserId>,
    }
}

const VISIT_COLS: &str = "id, community_id, pass_id, visitor_name, id_type, id_number_enc, id_number_masked, \
     phone_enc, unit_id, unit_label, host_person_id, host_name, purpose, plate, party_size, answer, answered_how, \
     answered_at, answered_by, in_at, in_by, out_at, out_by";

/// The host's answer when it is known as the visitor comes in (a pass, a call).
pub(crate) struct Answer {
    pub answer: &'static str,
    pub how: &'static str,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_visit(
    tx: &mut Tx,
    c: CommunityId,
    pass: Option<VisitorPassId>,
    v: &Visitor<'_>,
    answer: Option<&Answer>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<VisitId> {
    let (a, how, who, at) = match answer {
        Some(x) => (Some(x.answer), Some(x.how), x.by, Some(now)),
        None => (None, None, None, None),
    };
    let (id,): (VisitId,) = tx
        .fetch_one(
            "INSERT INTO visits (community_id, pass_id, visitor_name, id_type, id_number_enc, id_number_masked, \
             phone_enc, unit_id, unit_label, host_person_id, host_name, purpose, plate, party_size, answer, \
             answered_how, answered_at, answered_by, in_at, in_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20) \
             RETURNING id",
            args![c, pass, v.name, v.id_type, v.id_number_enc.clone(), v.id_number_masked.clone(),
                  v.phone_enc.clone(), v.unit, v.unit_label.clone(), v.host, v.host_name.clone(), v.purpose,
                  v.plate, v.party_size, a, how, at, who, now, by],
        )
        .await?;
    Ok(id)
}

pub(crate) async fn get_visit(q: &mut impl Queries, id: VisitId) -> CoreResult<Option<VisitRow>> {
    q.fetch_optional(
        &format!("SELECT {VISIT_COLS} FROM visits WHERE id = $1"),
        args![id],
    )
    .await
}

/// Which visits a list shows.
pub(crate) struct VisitWhere<'a> {
    /// Came in within [from, to).
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Still inside.
    pub inside: bool,
    /// A part of the visitor's name or the plate.
    pub text: Option<&'a str>,
    /// Below this id (an export's pages).
    pub below_id: Option<i64>,
}

pub(crate) async fn list_visits(
    q: &mut impl Queries,
    c: CommunityId,
    w: &VisitWhere<'_>,
    limit: i64,
) -> CoreResult<Vec<VisitRow>> {
    let mut a: Args = args![c];
    let mut cond = String::from("community_id = $1");
    if let Some(t) = w.from {
        cond += &format!(" AND in_at >= {}", a.push(t));
    }
    if let Some(t) = w.to {
        cond += &format!(" AND in_at < {}", a.push(t));
    }
    if w.inside {
        cond += " AND out_at IS NULL";
    }
    if let Some(t) = w.text {
        let p = a.push(format!("%{t}%"));
        cond += &format!(" AND (visitor_name LIKE {p} OR plate LIKE {p})");
    }
    if let Some(id) = w.below_id {
        cond += &format!(" AND id < {}", a.push(id));
    }
    let lim = a.push(limit);
    q.fetch_all(
        &format!("SELECT {VISIT_COLS} FROM visits WHERE {cond} ORDER BY id DESC LIMIT {lim}"),
        a,
    )
    .await
}

/// The visits to the person (he is their host), newest first, since `since`.
pub(crate) async fn visits_of_host(
    q: &mut impl Queries,
    c: CommunityId,
    person: PersonId,
    since: DateTime<Utc>,
) -> CoreResult<Vec<VisitRow>> {
    q.fetch_all(
        &format!(
            "SELECT {VISIT_COLS} FROM visits WHERE host_person_id = $1 AND community_id = $2 AND in_at >= $3 \
             ORDER BY id DESC LIMIT 100"
        ),
        args![person, c, since],
    )
    .await
}

/// Records the host's answer once. 0: answered already.
pub(crate) async fn answer_visit(
    tx: &mut Tx,
    c: CommunityId,
    id: VisitId,
    a: &Answer,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE visits SET answer = $3, answered_how = $4, answered_by = $5, answered_at = $6 \
         WHERE id = $1 AND community_id = $2 AND answer IS NULL",
        args![id, c, a.answer, a.how, a.by, now],
    )
    .await
}

/// The visitor leaves, once. 0: gone already.
pub(crate) async fn check_out(
    tx: &mut Tx,
    c: CommunityId,
    id: VisitId,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE visits SET out_at = $3, out_by = $4 WHERE id = $1 AND community_id = $2 AND out_at IS NULL",
        args![id, c, now, by],
    )
    .await
}
