//! People (业主, household members, tenants) and their links to units. Phone and ID number are
//! encrypted with a blind index beside each before they reach the store; they leave masked, and
//! only `reveal_person` returns them in clear (audit-logged).

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Tx;
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store::{
    self, PersonRow,
    people::{PersonQuery, PersonValues},
};
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{IdNumber, Phone, optional_multiline, query_text, required_text};

use super::{get_community, get_unit, reach, scope, unit_detail};

pub(in crate::registry) fn person_from_row(
    core: &Core,
    r: PersonRow,
    units: Vec<PersonUnit>,
) -> Person {
    let phone = r
        .phone_enc
        .and_then(|b| core.crypto.decrypt(&b).ok())
        .map(|p| mask_phone(&p));
    let id_number = r
        .id_no_enc
        .and_then(|b| core.crypto.decrypt(&b).ok())
        .map(|p| mask_id_number(&p));
    Person {
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        phone,
        id_number,
        is_key_customer: r.is_key_customer,
        key_customer_note: r.key_customer_note,
        note: r.note,
        units,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub(in crate::registry) async fn people_by_ids(
    core: &Core,
    ids: &[PersonId],
) -> CoreResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let rows = store::people::by_ids(&core.db, ids).await?;
    people_with_links(core, rows).await
}

pub(in crate::registry) async fn people_with_links(
    core: &Core,
    rows: Vec<PersonRow>,
) -> CoreResult<Vec<Person>> {
    let ids: Vec<PersonId> = rows.iter().map(|r| r.id).collect();
    let links = store::links_of_people(&core.db, &ids).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let mine = links
                .iter()
                .filter(|l| l.person_id == r.id)
                .cloned()
                .collect();
            person_from_row(core, r, mine)
        })
        .collect())
}

pub async fn get_person(core: &Core, ctx: &Ctx, id: PersonId) -> CoreResult<Person> {
    let r = store::person_row(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("person"))?;
    reach(ctx, r.community_id, "person")?;
    ctx.require(Perm::RegistryRead)?;
    let links = store::links_of_people(&core.db, &[id]).await?;
    Ok(person_from_row(core, r, links))
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PersonFilter {
    pub community_id: Option<CommunityId>,
    /// Name prefix.
    pub name: Option<String>,
    pub key_customers_only: Option<bool>,
    pub after_id: Option<i64>,
    pub limit: Option<i64>,
}

pub async fn list_people(core: &Core, ctx: &Ctx, f: &PersonFilter) -> CoreResult<Vec<Person>> {
    ctx.require(Perm::RegistryRead)?;
    let ids = scope(core, ctx, f.community_id).await?;
    let name = query_text("name", f.name.as_deref().unwrap_or(""), 50)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let q = PersonQuery {
        communities: &ids,
        name,
        key_customers_only: f.key_customers_only == Some(true),
        after: f.after_id,
        limit: f.limit.unwrap_or(200).clamp(1, 10_000),
    };
    let rows = store::people::list(&core.db, &q).await?;
    people_with_links(core, rows).await
}

/// Validated person fields with encrypted personal data.
pub struct PersonFields {
    pub name: String,
    pub phone: Option<Phone>,
    pub id_number: Option<IdNumber>,
}

/// A person's `name` is labelled 姓名 in messages, where a community's or building's is 名称.
fn person_name(e: FieldError) -> FieldError {
    e.with("label", "person_name")
}

pub fn validate_person_core(
    name: &str,
    phone: Option<&str>,
    id_no: Option<&str>,
) -> Result<PersonFields, Vec<FieldError>> {
    let mut c = Checks::new();
    let name = c.take(required_text("name", name, 50).map_err(person_name));
    let phone = match phone.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => c.take(Phone::parse("phone", p).map(Some)),
        None => Some(None),
    };
    let id_number = match id_no.map(str::trim).filter(|s| !s.is_empty()) {
        Some(p) => c.take(IdNumber::parse("id_number", p).map(Some)),
        None => Some(None),
    };
    match (name, phone, id_number) {
        (Some(name), Some(phone), Some(id_number)) if c.0.is_empty() => Ok(PersonFields {
            name,
            phone,
            id_number,
        }),
        _ => Err(c.0),
    }
}

/// Inserts a person (personal data encrypted, blind-indexed) and returns the id.
pub(in crate::registry) async fn insert_person(
    core: &Core,
    tx: &mut Tx,
    community: CommunityId,
    f: &PersonFields,
    key_customer: bool,
    key_note: Option<String>,
    note: Option<String>,
) -> CoreResult<PersonId> {
    let (phone_enc, phone_hash) = encrypt_opt(core, "phone", f.phone.as_ref().map(Phone::as_str));
    let (id_enc, id_hash) = encrypt_opt(
        core,
        "id_number",
        f.id_number.as_ref().map(IdNumber::as_str),
    );
    let now = Utc::now();
    let values = PersonValues {
        name: f.name.as_str(),
        phone_enc,
        phone_hash,
        id_no_enc: id_enc,
        id_no_hash: id_hash,
        is_key_customer: key_customer,
        key_customer_note: key_note,
        note,
    };
    let id = store::people::insert(tx, community, values, now).await?;
    Ok(PersonId(id))
}

fn encrypt_opt(core: &Core, kind: &str, v: Option<&str>) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    match v {
        Some(v) => (
            Some(core.crypto.encrypt(v)),
            Some(core.crypto.blind_index(kind, v)),
        ),
        None => (None, None),
    }
}

pub async fn create_person(core: &Core, ctx: &Ctx, input: PersonForCreate) -> CoreResult<Person> {
    ctx.require_in(Perm::RegistryWrite, input.community_id)?;
    get_community(core, ctx, input.community_id).await?;
    let mut errors = match validate_person_core(
        &input.name,
        input.phone.as_deref(),
        input.id_number.as_deref(),
    ) {
        Ok(_) => Vec::new(),
        Err(e) => e,
    };
    let mut c = Checks::new();
    let key_note = c.take(optional_multiline(
        "key_customer_note",
        input.key_customer_note.as_deref(),
        500,
    ));
    let note = c.take(optional_multiline("note", input.note.as_deref(), 500));
    let relation = match (&input.unit_id, input.relation.as_deref()) {
        (Some(_), Some(r)) => c.take(Relation::parse("relation", r).map(Some)),
        (Some(_), None) => {
            c.push(FieldError::new("relation", CommonCode::Required));
            None
        }
        (None, _) => Some(None),
    };
    if let Some(u) = input.unit_id {
        match store::unit_row(&core.db, u).await? {
            Some(r) if r.community_id == input.community_id => {}
            _ => c.push(FieldError::new("unit_id", RegistryCode::UnknownUnit)),
        }
    }
    errors.extend(c.0);
    if !errors.is_empty() {
        return Err(CoreError::Invalid(errors));
    }
    let f = validate_person_core(
        &input.name,
        input.phone.as_deref(),
        input.id_number.as_deref(),
    )
    .map_err(CoreError::Invalid)?;
    // One person, one record: an ID number already registered in the community is that person
    // (link them to the unit instead).
    if let Some(id_no) = &f.id_number {
        let hash = core.crypto.blind_index("id_number", id_no.as_str());
        let existing = store::people::by_id_number_hash(&core.db, input.community_id, hash).await?;
        if let Some(pid) = existing {
            return Err(CoreError::Conflict(
                FieldError::new("id_number", RegistryCode::DuplicateIdNumber)
                    .with("person_id", pid),
            ));
        }
    }
    let mut tx = core.db.begin().await?;
    let id = insert_person(
        core,
        &mut tx,
        input.community_id,
        &f,
        input.is_key_customer,
        key_note.flatten(),
        note.flatten(),
    )
    .await?;
    if let (Some(unit), Some(Some(rel))) = (input.unit_id, relation) {
        insert_link(&mut tx, input.community_id, unit, id, rel).await?;
    }
    let row = store::people::row_in(&mut tx, id).await?;
    let person = person_from_row(core, row, Vec::new());
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "person", id.0)
            .community(input.community_id)
            .after(&person),
    )
    .await?;
    if let Some(unit) = input.unit_id {
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Update, "unit", unit.0)
                .community(input.community_id)
                .after(&serde_json::json!({
                    "person_added": person.name, "person_id": id, "relation": input.relation,
                })),
        )
        .await?;
    }
    tx.commit().await?;
    get_person(core, ctx, id).await
}

async fn insert_link(
    tx: &mut Tx,
    community: CommunityId,
    unit: UnitId,
    person: PersonId,
    rel: Relation,
) -> CoreResult<i64> {
    if store::people::link_exists(tx, unit, person).await? {
        return Err(CoreError::conflict(
            "person_id",
            RegistryCode::AlreadyLinked,
        ));
    }
    store::people::insert_link(tx, community, unit, person, rel.code(), Utc::now())
        .await
        .map_err(|e| e.or_conflict("person_id", RegistryCode::AlreadyLinked))
}

pub async fn update_person(
    core: &Core,
    ctx: &Ctx,
    id: PersonId,
    input: PersonForUpdate,
) -> CoreResult<Person> {
    let before = get_person(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut c = Checks::new();
    let name = match input.name.as_deref() {
        Some(n) => c.take(required_text("name", n, 50).map_err(person_name)),
        None => Some(before.name.clone()),
    };
    // Some(None) = clear, Some(Some(v)) = set, None = keep.
    let phone: Option<Option<Phone>> = match input.phone.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(p) => c.take(Phone::parse("phone", p)).map(Some),
        None => None,
    };
    let id_no: Option<Option<IdNumber>> = match input.id_number.as_deref().map(str::trim) {
        Some("") => Some(None),
        Some(p) => c.take(IdNumber::parse("id_number", p)).map(Some),
        None => None,
    };
    let key_note = match input.key_customer_note.as_deref() {
        Some(n) => c
            .take(optional_multiline("key_customer_note", Some(n), 500))
            .flatten(),
        None => before.key_customer_note.clone(),
    };
    let note = match input.note.as_deref() {
        Some(n) => c.take(optional_multiline("note", Some(n), 500)).flatten(),
        None => before.note.clone(),
    };
    c.finish()?;
    let mut tx = core.db.begin().await?;
    store::people::update(
        &mut tx,
        id,
        name,
        input.is_key_customer.unwrap_or(before.is_key_customer),
        key_note,
        note,
        Utc::now(),
    )
    .await?;
    if let Some(p) = phone {
        let (enc, hash) = encrypt_opt(core, "phone", p.as_ref().map(Phone::as_str));
        store::people::set_phone(&mut tx, id, enc, hash).await?;
    }
    if let Some(p) = id_no {
        let (enc, hash) = encrypt_opt(core, "id_number", p.as_ref().map(IdNumber::as_str));
        store::people::set_id_number(&mut tx, id, enc, hash).await?;
    }
    let row = store::people::row_in(&mut tx, id).await?;
    let after = person_from_row(core, row, before.units.clone());
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "person", id.0)
            .community(before.community_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_person(core: &Core, ctx: &Ctx, id: PersonId) -> CoreResult<()> {
    let before = get_person(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut tx = core.db.begin().await?;
    // Requests, keys, parcels, visits … keep their person: such a person is never deleted.
    store::people::delete(&mut tx, id).await.map_err(|e| {
        if e.is_foreign_key_violation() {
            CoreError::conflict("id", RegistryCode::PersonHasRecords)
        } else {
            e
        }
    })?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "person", id.0)
            .community(before.community_id)
            .before(&before),
    )
    .await?;
    tx.commit().await?;
    core.forget_ctx();
    Ok(())
}

/// The clear phone and ID number, for roles with `pii.reveal`; every call is audit-logged.
pub async fn reveal_person(core: &Core, ctx: &Ctx, id: PersonId) -> CoreResult<PersonClear> {
    let r = store::person_row(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("person"))?;
    reach(ctx, r.community_id, "person")?;
    ctx.require(Perm::PiiReveal)?;
    let phone = r
        .phone_enc
        .as_deref()
        .map(|b| core.crypto.decrypt(b))
        .transpose()?;
    let id_number = r
        .id_no_enc
        .as_deref()
        .map(|b| core.crypto.decrypt(b))
        .transpose()?;
    let mut tx = core.db.begin().await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Reveal, "person", id.0)
            .community(r.community_id)
            .after(&serde_json::json!({ "fields": ["phone", "id_number"] })),
    )
    .await?;
    tx.commit().await?;
    Ok(PersonClear {
        id,
        phone,
        id_number,
    })
}

pub async fn link_person(
    core: &Core,
    ctx: &Ctx,
    unit: UnitId,
    input: LinkForCreate,
) -> CoreResult<UnitDetail> {
    let u = get_unit(core, ctx, unit).await?;
    ctx.require_in(Perm::RegistryWrite, u.community_id)?;
    let rel =
        Relation::parse("relation", &input.relation).map_err(|e| CoreError::Invalid(vec![e]))?;
    let p = store::person_row(&core.db, input.person_id).await?;
    let Some(p) = p.filter(|p| p.community_id == u.community_id) else {
        return Err(CoreError::invalid("person_id", RegistryCode::UnknownPerson));
    };
    let mut tx = core.db.begin().await?;
    let link = insert_link(&mut tx, u.community_id, unit, p.id, rel).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "unit", unit.0)
            .community(u.community_id)
            .after(&serde_json::json!({
                "person_added": p.name, "person_id": p.id, "relation": rel.code(), "link_id": link,
            })),
    )
    .await?;
    tx.commit().await?;
    unit_detail(core, ctx, unit).await
}

pub async fn unlink_person(core: &Core, ctx: &Ctx, unit: UnitId, link_id: i64) -> CoreResult<()> {
    let u = get_unit(core, ctx, unit).await?;
    ctx.require_in(Perm::RegistryWrite, u.community_id)?;
    let mut tx = core.db.begin().await?;
    let link = store::people::link_of_unit(&mut tx, link_id, unit).await?;
    let Some((person, relation)) = link else {
        return Err(CoreError::NotFound("link"));
    };
    store::people::delete_link(&mut tx, link_id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "unit", unit.0)
            .community(u.community_id)
            .before(&serde_json::json!({
                "person_removed": person, "relation": relation,
            })),
    )
    .await?;
    tx.commit().await?;
    // A portal account's reach follows its person's units: cached contexts must not outlive it.
    core.forget_ctx();
    Ok(())
}
