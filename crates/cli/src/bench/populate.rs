//! The registry fixture several benchmarks start from (search, startup, requests, billing):
//! buildings, units and people bulk-loaded far faster than the services could, with phones and
//! ID numbers encrypted and blind-indexed exactly as the services store them, so searches and
//! lookups see what a real registry holds.

use chrono::Utc;
use wuye_core::Core;
use wuye_core::registry::Relation;
use wuye_core::shared::ids::CommunityId;

use super::AnyResult;
use super::data::{Names, Rng, UNITS_PER_BUILDING, id_number_of, phone_of, unit_no_of};
use super::store::{self, BuildingRow, PersonRow, UnitPersonRow, UnitRow};

pub(crate) struct Population {
    pub(super) buildings: usize,
    pub(super) units: usize,
    pub(super) people: usize,
    pub(super) links: usize,
}

/// Units per statement: units bind 11 values a row, people 10; a batch of units with 3 people
/// each stays far below SQLite's 32,766 parameters and PostgreSQL's 65,535.
const BATCH_UNITS: usize = 400;
const UNITS_PER_TX: usize = 50_000;

/// Bulk-inserts `units` units (buildings of 500, spread evenly over `communities`) and `people`
/// people, each linked to one unit (its first person as owner, the others as household
/// members), with multi-row INSERTs in big transactions. Phones are encrypted and
/// blind-indexed exactly like `insert_person`; owners also get an ID number.
pub(crate) async fn populate(
    core: &Core,
    communities: &[CommunityId],
    units: usize,
    people: usize,
) -> AnyResult<Population> {
    let names = Names::new();
    let mut rng = Rng(0x5EED_0002);
    let now = Utc::now();
    let ncomm = communities.len().max(1);
    let per_comm = units.div_ceil(ncomm);
    let (b0, u0, p0) = (
        store::max_id(core, "buildings").await?,
        store::max_id(core, "units").await?,
        store::max_id(core, "people").await?,
    );

    // Buildings: ids b0+1 … in (community, building) order.
    let per_comm_buildings = per_comm.div_ceil(UNITS_PER_BUILDING);
    let mut tx = core.db.begin().await?;
    let mut buildings = 0;
    for (k, c) in communities.iter().enumerate() {
        let in_comm = units.saturating_sub(k * per_comm).min(per_comm);
        let nb = in_comm.div_ceil(UNITS_PER_BUILDING);
        for chunk in (0..nb).collect::<Vec<_>>().chunks(500) {
            let rows: Vec<BuildingRow> = chunk
                .iter()
                .map(|b| BuildingRow {
                    id: b0 + (k * per_comm_buildings + b) as i64 + 1,
                    community: *c,
                    name: format!("{}栋", b + 1),
                    floors: 25,
                })
                .collect();
            store::insert_buildings(&mut tx, &rows, now).await?;
            buildings += chunk.len();
        }
    }
    tx.commit().await?;

    const STATES: [&str; 4] = ["occupied", "occupied", "vacant", "rented"];
    let mut next_person = p0;
    let mut links = 0;
    let mut tx = core.db.begin().await?;
    let mut start = 0;
    while start < units {
        let end = (start + BATCH_UNITS).min(units);
        // Units of the batch (a batch may straddle two communities: grouped per community).
        let mut unit_rows = Vec::with_capacity(end - start);
        let mut person_rows = Vec::new();
        let mut link_rows = Vec::new();
        for j in start..end {
            let k = j / per_comm;
            let community = communities
                .get(k)
                .copied()
                .ok_or("community index out of range")?;
            let local = j % per_comm;
            let b = local / UNITS_PER_BUILDING;
            let building = b0 + (k * per_comm_buildings + b) as i64 + 1;
            let (floor, unit_no) = unit_no_of(local % UNITS_PER_BUILDING);
            let unit_id = u0 + j as i64 + 1;
            let area = 6_000 + rng.below(12_000) as i64;
            unit_rows.push(UnitRow {
                id: unit_id,
                community,
                building,
                unit_no,
                floor,
                building_area: area,
                inner_area: area * 78 / 100,
                use_kind: "residential",
                state: STATES[rng.below(4) as usize],
            });
            // People of this unit: `people` spread evenly over the units.
            let here = (people as u128 * (j as u128 + 1) / units as u128
                - people as u128 * j as u128 / units as u128) as usize;
            let family = names.surname(&mut rng);
            for n in 0..here {
                next_person += 1;
                let pidx = (next_person - p0 - 1) as u64;
                let name = if n == 0 || rng.chance(60) {
                    names.with_surname(&mut rng, family)
                } else {
                    names.name(&mut rng)
                };
                let phone = phone_of(pidx);
                let (id_no_enc, id_no_hash) = if n == 0 {
                    let idn = id_number_of(pidx);
                    (
                        Some(core.crypto.encrypt(&idn)),
                        Some(core.crypto.blind_index("id_number", &idn)),
                    )
                } else {
                    (None, None)
                };
                person_rows.push(PersonRow {
                    id: next_person,
                    community,
                    name,
                    phone_enc: core.crypto.encrypt(&phone),
                    phone_hash: core.crypto.blind_index("phone", &phone),
                    id_no_enc,
                    id_no_hash,
                });
                link_rows.push(UnitPersonRow {
                    community,
                    unit: unit_id,
                    person: next_person,
                    relation: if n == 0 {
                        Relation::Owner.code()
                    } else {
                        Relation::Member.code()
                    },
                });
            }
        }
        store::insert_units(&mut tx, unit_rows, now).await?;
        links += link_rows.len();
        store::insert_people(&mut tx, person_rows, link_rows, now).await?;
        if end / UNITS_PER_TX != start / UNITS_PER_TX || end == units {
            tx.commit().await?;
            eprint!(
                "\r  populating: {end}/{units} units, {} people",
                next_person - p0
            );
            tx = core.db.begin().await?;
        }
        start = end;
    }
    tx.commit().await?;
    store::sync_ids(core, &["buildings", "units", "people"]).await?;
    eprintln!();
    Ok(Population {
        buildings,
        units,
        people: (next_person - p0) as usize,
        links,
    })
}
