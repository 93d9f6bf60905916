//! The import's write: every row of a checked file in one transaction, as multi-row inserts with
//! ids reserved ahead (the statements are in `store::import`). Existing owners are recognised
//! and linked instead of created twice; each unit and person created gets its `create` audit
//! entry, written in bulk like the data (`audit::Batch`). `wuye bench import` (100k rows) measures this path.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use crate::Core;
use crate::audit::{self, Action, Batch};
use crate::db::{Bulk, Tx, Value};
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store;
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::{IdNumber, Phone};

use super::check::{OwnerKey, RowData};
use super::*;

fn json(v: &impl serde::Serialize) -> CoreResult<String> {
    serde_json::to_string(v).map_err(CoreError::internal)
}

/// One distinct owner named in the file.
struct Owner {
    /// The first row naming them.
    first: usize,
    id_hash: Option<Vec<u8>>,
    phone_hash: Option<Vec<u8>>,
    /// The person of the community's register they are, if any.
    existing: Option<PersonId>,
}

/// Finds the owners already in the community's register: the person with the same ID number
/// (the one created first when there are several); for an owner without an ID number, the person
/// with the same phone AND the same name. One query per [`LOOKUP_CHUNK`] hashes.
async fn find_existing(
    tx: &mut Tx,
    community: CommunityId,
    rows: &[RowData],
    owners: &mut [Owner],
) -> CoreResult<()> {
    let mut ids: Vec<&Vec<u8>> = owners.iter().filter_map(|o| o.id_hash.as_ref()).collect();
    ids.sort_unstable();
    ids.dedup();
    let found = store::import::people_by_id_hashes(tx, community, &ids).await?;
    let mut by_id: HashMap<Vec<u8>, PersonId> = HashMap::with_capacity(found.len());
    for (p, h) in found {
        by_id.entry(h).or_insert(p);
    }

    let mut phones: Vec<&Vec<u8>> = owners
        .iter()
        .filter(|o| o.id_hash.is_none())
        .filter_map(|o| o.phone_hash.as_ref())
        .collect();
    phones.sort_unstable();
    phones.dedup();
    let found = store::import::people_by_phone_hashes(tx, community, &phones).await?;
    let mut by_phone: HashMap<(Vec<u8>, String), PersonId> = HashMap::with_capacity(found.len());
    for (p, name, h) in found {
        by_phone.entry((h, name)).or_insert(p);
    }

    for o in owners.iter_mut() {
        o.existing = match (&o.id_hash, &o.phone_hash) {
            (Some(id), _) => by_id.get(id).copied(),
            (None, Some(phone)) => {
                let name = rows[o.first].owner.as_ref().map(|p| p.name.clone());
                name.and_then(|n| by_phone.get(&(phone.clone(), n)).copied())
            }
            (None, None) => None,
        };
    }
    Ok(())
}

/// Writes the validated rows with their audit entries; returns the counts (all but `rows`).
#[allow(clippy::too_many_arguments)]
pub(super) async fn write_rows(
    core: &Core,
    tx: &mut Tx,
    ctx: &Ctx,
    community: CommunityId,
    rows: &[RowData],
    count: usize,
    now: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<ImportReport> {
    let total = count * 2;

    // Buildings: the few missing ones one by one.
    let known = store::import::buildings(tx, community).await?;
    let mut buildings: HashMap<String, BuildingId> =
        known.into_iter().map(|(id, name)| (name, id)).collect();
    let mut buildings_created = 0;
    for r in rows {
        if !buildings.contains_key(&r.building) {
            let id =
                store::import::insert_building(tx, community, r.building.as_str(), now).await?;
            buildings.insert(r.building.clone(), BuildingId(id));
            buildings_created += 1;
        }
    }

    // Owners: one per distinct owner of the file; `owner_of[i]` is row i's owner index.
    let mut owner_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    let mut owners: Vec<Owner> = Vec::new();
    let mut seen: HashMap<OwnerKey, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let Some(o) = &r.owner else {
            owner_of.push(None);
            continue;
        };
        let key = match (&o.id_number, &o.phone) {
            (Some(id), _) => Some(OwnerKey::IdNumber(o.name.clone(), id.as_str().to_string())),
            (None, Some(p)) => Some(OwnerKey::Phone(o.name.clone(), p.as_str().to_string())),
            (None, None) => None,
        };
        let known = match &key {
            Some(k) => seen.get(k).copied(),
            None => None,
        };
        let p = match known {
            Some(p) => p,
            None => {
                if let Some(k) = key {
                    seen.insert(k, owners.len());
                }
                owners.push(Owner {
                    first: i,
                    id_hash: o
                        .id_number
                        .as_ref()
                        .map(|x| core.crypto.blind_index("id_number", x.as_str())),
                    phone_hash: o
                        .phone
                        .as_ref()
                        .map(|x| core.crypto.blind_index("phone", x.as_str())),
                    existing: None,
                });
                owners.len() - 1
            }
        };
        owner_of.push(Some(p));
    }
    drop(seen);
    find_existing(tx, community, rows, &mut owners).await?;

    // Ids: the new people (in the order of their first rows) get reserved ones.
    let new_owners: Vec<usize> = (0..owners.len())
        .filter(|p| owners[*p].existing.is_none())
        .collect();
    let unit_ids = store::import::reserve_ids(tx, "units", rows.len()).await?;
    let new_ids = store::import::reserve_ids(tx, "people", new_owners.len()).await?;
    let mut person_of: Vec<PersonId> = owners
        .iter()
        .map(|o| o.existing.unwrap_or(PersonId(0)))
        .collect();
    for (p, id) in new_owners.iter().zip(&new_ids) {
        person_of[*p] = PersonId(*id);
    }
    let people_linked = owners
        .iter()
        .filter_map(|o| o.existing)
        .collect::<HashSet<_>>()
        .len();

    let mut next_new = 0;
    for (c, chunk) in rows.chunks(CHUNK_ROWS).enumerate() {
        let base = c * CHUNK_ROWS;
        let ids = &unit_ids[base..base + chunk.len()];
        let mut unit_log = Batch::new(ctx, community, now, Action::Create, "unit", chunk.len());

        let mut v = Bulk::with_capacity(chunk.len(), 12);
        for (r, id) in chunk.iter().zip(ids) {
            let b = buildings
                .get(&r.building)
                .copied()
                .ok_or_else(|| CoreError::internal("building id missing"))?;
            let u = &r.unit;
            v.row([
                Value::from(*id),
                community.into(),
                b.into(),
                u.unit_no.as_str().into(),
                u.floor.into(),
                u.building_area.0.into(),
                u.inner_area.map(|x| x.0).into(),
                u.use_kind.code().into(),
                u.state.code().into(),
                u.note.clone().into(),
                now.into(),
                now.into(),
            ]);
            // The unit as `create_unit` logs it.
            let unit = Unit {
                id: UnitId(*id),
                community_id: community,
                building_id: b,
                building_name: r.building.clone(),
                unit_no: u.unit_no.clone(),
                floor: u.floor,
                building_area: u.building_area,
                inner_area: u.inner_area,
                use_kind: u.use_kind,
                state: u.state,
                keeper_user_id: None,
                keeper_name: None,
                note: u.note.clone(),
                created_at: now,
                updated_at: now,
            };
            unit_log.push(Some(unit.id.0), json(&unit)?);
        }
        store::import::insert_units(tx, v).await.map_err(|e| {
            if e.is_unique_violation() {
                CoreError::conflict("unit_no", RegistryCode::DuplicateUnitNo)
            } else {
                e
            }
        })?;

        // The new people first named in this chunk (a person's first row never lies in a later
        // chunk than their other rows).
        let end = base + chunk.len();
        let start_new = next_new;
        while next_new < new_owners.len() && owners[new_owners[next_new]].first < end {
            next_new += 1;
        }
        let mut person_log = Batch::new(
            ctx,
            community,
            now,
            Action::Create,
            "person",
            next_new - start_new,
        );
        let mut v = Bulk::with_capacity(next_new - start_new, 10);
        for &p in &new_owners[start_new..next_new] {
            let owner = &owners[p];
            let Some(o) = &rows[owner.first].owner else {
                return Err(CoreError::internal("owner missing"));
            };
            let phone = o.phone.as_ref().map(Phone::as_str);
            let idn = o.id_number.as_ref().map(IdNumber::as_str);
            let id = person_of[p];
            v.row([
                Value::from(id),
                community.into(),
                o.name.as_str().into(),
                phone.map(|x| core.crypto.encrypt(x)).into(),
                owner.phone_hash.clone().into(),
                idn.map(|x| core.crypto.encrypt(x)).into(),
                owner.id_hash.clone().into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
            // The person as `create_person` logs it: phone and ID number masked.
            let person = Person {
                id,
                community_id: community,
                name: o.name.clone(),
                phone: phone.map(mask_phone),
                id_number: idn.map(mask_id_number),
                is_key_customer: false,
                key_customer_note: None,
                note: None,
                units: Vec::new(),
                created_at: now,
                updated_at: now,
            };
            person_log.push(Some(id.0), json(&person)?);
        }
        store::import::insert_people(tx, v).await?;

        let mut v = Bulk::with_capacity(chunk.len(), 5);
        for (i, id) in ids.iter().enumerate() {
            if let Some(p) = owner_of[base + i] {
                v.row([
                    Value::from(community),
                    (*id).into(),
                    person_of[p].into(),
                    Relation::Owner.code().into(),
                    now.into(),
                ]);
            }
        }
        store::import::insert_links(tx, v).await?;
        audit::record_batch(tx, unit_log).await?;
        audit::record_batch(tx, person_log).await?;
        progress(count + end, total);
    }
    Ok(ImportReport {
        buildings_created,
        units_created: rows.len(),
        people_created: new_owners.len(),
        people_linked,
        ..Default::default()
    })
}
