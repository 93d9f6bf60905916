//! SQL of people and their links to units. Phone and ID number are stored encrypted with a
//! blind index beside each; this file only moves the bytes, the service encrypts and masks.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::{PERSON_SELECT, PersonRow, in_list};

pub(in crate::registry) async fn by_ids(db: &Db, ids: &[PersonId]) -> CoreResult<Vec<PersonRow>> {
    let mut a = Args::new();
    let ph: Vec<String> = ids.iter().map(|p| a.push(*p)).collect();
    db.read()
        .fetch_all(
            &format!("{PERSON_SELECT} WHERE p.id IN ({})", ph.join(",")),
            a,
        )
        .await
}

/// The person as the transaction sees it (just written).
pub(in crate::registry) async fn row_in(tx: &mut Tx, id: PersonId) -> CoreResult<PersonRow> {
    tx.fetch_one(&format!("{PERSON_SELECT} WHERE p.id = $1"), args![id])
        .await
}

/// The conditions of a people list, already validated.
pub(in crate::registry) struct PersonQuery<'a> {
    pub communities: &'a [CommunityId],
    /// Name prefix; empty = any.
    pub name: &'a str,
    pub key_customers_only: bool,
    pub after: Option<i64>,
    pub limit: i64,
}

/// One keyset page of people in id order.
pub(in crate::registry) async fn list(db: &Db, q: &PersonQuery<'_>) -> CoreResult<Vec<PersonRow>> {
    let mut a = Args::new();
    let mut sql = format!(
        "{PERSON_SELECT} WHERE {}",
        in_list(&mut a, "p.community_id", q.communities)
    );
    if let Some(n) = Some(q.name).filter(|s| !s.is_empty()) {
        let lo = a.push(n);
        let hi = a.push(crate::registry::model::prefix_end(n));
        sql.push_str(&format!(" AND p.name >= {lo} AND p.name < {hi}"));
    }
    if q.key_customers_only {
        sql.push_str(&format!(" AND p.is_key_customer = {}", a.push(true)));
    }
    if let Some(after) = q.after {
        sql.push_str(&format!(" AND p.id > {}", a.push(after)));
    }
    let limit = q.limit;
    sql.push_str(&format!(" ORDER BY p.id LIMIT {limit}"));
    db.read().fetch_all(&sql, a).await
}

/// The person of the community with this ID-number blind index, if any.
pub(in crate::registry) async fn by_id_number_hash(
    db: &Db,
    community: CommunityId,
    hash: Vec<u8>,
) -> CoreResult<Option<PersonId>> {
    let existing: Option<(PersonId,)> = db
        .read()
        .fetch_optional(
            "SELECT id FROM people WHERE community_id = $1 AND id_no_hash = $2 LIMIT 1",
            args![community, hash],
        )
        .await?;
    Ok(existing.map(|(p,)| p))
}

/// A person's stored fields: personal data already encrypted and blind-indexed.
pub(in crate::registry) struct PersonValues<'a> {
    pub name: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub phone_hash: Option<Vec<u8>>,
    pub id_no_enc: Option<Vec<u8>>,
    pub id_no_hash: Option<Vec<u8>>,
    pub is_key_customer: bool,
    pub key_customer_note: Option<String>,
    pub note: Option<String>,
}

pub(in crate::registry) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    v: PersonValues<'_>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO people (community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, is_key_customer, \
         key_customer_note, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
        args![community, v.name, v.phone_enc, v.phone_hash, v.id_no_enc, v.id_no_hash, v.is_key_customer, v.key_customer_note, v.note, now],
    )
    .await
}

/// Updates the fields that are not personal data.
#[allow(clippy::too_many_arguments)]
pub(in crate::registry) async fn update(
    tx: &mut Tx,
    id: PersonId,
    name: Option<String>,
    is_key_customer: bool,
    key_customer_note: Option<String>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE people SET name = $1, is_key_customer = $2, key_customer_note = $3, note = $4, updated_at = $5 WHERE id = $6",
        args![name, is_key_customer, key_customer_note, note, now, id],
    )
    .await
}

pub(in crate::registry) async fn set_phone(
    tx: &mut Tx,
    id: PersonId,
    enc: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE people SET phone_enc = $1, phone_hash = $2 WHERE id = $3",
        args![enc, hash, id],
    )
    .await
}

pub(in crate::registry) async fn set_id_number(
    tx: &mut Tx,
    id: PersonId,
    enc: Option<Vec<u8>>,
    hash: Option<Vec<u8>>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE people SET id_no_enc = $1, id_no_hash = $2 WHERE id = $3",
        args![enc, hash, id],
    )
    .await
}

/// Deletes the person: their unit links go, their vehicles and parking spaces stay without a
/// holder.
pub(in crate::registry) async fn delete(tx: &mut Tx, id: PersonId) -> CoreResult<()> {
    tx.execute("DELETE FROM unit_people WHERE person_id = $1", args![id])
        .await?;
    tx.execute(
        "UPDATE vehicles SET person_id = NULL WHERE person_id = $1",
        args![id],
    )
    .await?;
    tx.execute(
        "UPDATE parking_spaces SET person_id = NULL WHERE person_id = $1",
        args![id],
    )
    .await?;
    tx.execute("DELETE FROM people WHERE id = $1", args![id])
        .await?;
    Ok(())
}

/// True when the person is already linked to the unit.
pub(in crate::registry) async fn link_exists(
    tx: &mut Tx,
    unit: UnitId,
    person: PersonId,
) -> CoreResult<bool> {
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM unit_people WHERE unit_id = $1 AND person_id = $2",
            args![unit, person],
        )
        .await?;
    Ok(dup.is_some())
}

pub(in crate::registry) async fn insert_link(
    tx: &mut Tx,
    community: CommunityId,
    unit: UnitId,
    person: PersonId,
    relation: &'static str,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO unit_people (community_id, unit_id, person_id, relation, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        args![community, unit, person, relation, now],
    )
    .await
}

/// The person and relation (as stored) of a link of the unit.
pub(in crate::registry) async fn link_of_unit(
    tx: &mut Tx,
    link: i64,
    unit: UnitId,
) -> CoreResult<Option<(PersonId, String)>> {
    tx.fetch_optional(
        "SELECT person_id, relation FROM unit_people WHERE id = $1 AND unit_id = $2",
        args![link, unit],
    )
    .await
}

pub(in crate::registry) async fn delete_link(tx: &mut Tx, link: i64) -> CoreResult<u64> {
    tx.execute("DELETE FROM unit_people WHERE id = $1", args![link])
        .await
}

/// The owners of some of the community's units, first linked first: (unit, name, encrypted
/// phone), for search hits, the arrears list and the reminder notices.
pub(crate) async fn unit_owners(
    q: &mut impl Queries,
    c: CommunityId,
    units: &[i64],
) -> CoreResult<Vec<(i64, String, Option<Vec<u8>>)>> {
    let mut a = args![c, "owner"];
    let among = in_list(&mut a, "up.unit_id", units);
    q.fetch_all(
        &format!(
            "SELECT up.unit_id, p.name, p.phone_enc FROM unit_people up \
             JOIN people p ON p.id = up.person_id \
             WHERE up.community_id = $1 AND up.relation = $2 AND {among} ORDER BY up.unit_id, up.id"
        ),
        a,
    )
    .await
}
