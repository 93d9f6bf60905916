//! Units (房屋): the keyset list, the single-unit writes with their checks (shared with the
//! spreadsheet import through `validate_unit` and `UnitFields`), and the unit page that gathers
//! the unit's people, vehicles, spaces, inspections and history.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, AuditRecord, Entry};
use crate::db::Tx;
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store::{
    self, UnitRow,
    units::{UnitQuery, UnitValues},
};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{Area, optional_multiline, parse_code, query_text};

use super::{get_building, list_inspections, people_by_ids, reach, scope};

/// The unit of a stored row; an unknown stored use or state is an internal error.
pub(in crate::registry) fn unit_from_row(r: UnitRow) -> CoreResult<Unit> {
    Ok(Unit {
        use_kind: UnitUse::from_stored(&r.use_kind)?,
        state: UnitState::from_stored(&r.state)?,
        id: r.id,
        community_id: r.community_id,
        building_id: r.building_id,
        building_name: r.building_name,
        unit_no: r.unit_no,
        floor: r.floor,
        building_area: Area(r.building_area),
        inner_area: r.inner_area.map(Area),
        keeper_user_id: r.keeper_user_id,
        keeper_name: r.keeper_name,
        note: r.note,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

pub async fn get_unit(core: &Core, ctx: &Ctx, id: UnitId) -> CoreResult<Unit> {
    let r = store::unit_row(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("unit"))?;
    reach(ctx, r.community_id, "unit")?;
    ctx.require(Perm::RegistryRead)?;
    unit_from_row(r)
}

pub async fn list_units(core: &Core, ctx: &Ctx, f: &UnitFilter) -> CoreResult<Vec<Unit>> {
    ctx.require(Perm::RegistryRead)?;
    let ids = scope(core, ctx, f.community_id).await?;
    let state = match f.state.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            UnitState::parse("state", s)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let use_kind = match f.use_kind.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(
            UnitUse::parse("use_kind", s)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let unit_no = query_text("unit_no", f.unit_no.as_deref().unwrap_or(""), 20)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let unit_no = unit_no.to_uppercase();
    let q = UnitQuery {
        communities: &ids,
        building: f.building_id,
        state,
        use_kind,
        unit_no: &unit_no,
        after: f.after_id,
        limit: f.limit.unwrap_or(200).clamp(1, 10_000),
    };
    let rows = store::units::list(&core.db, &q).await?;
    rows.into_iter().map(unit_from_row).collect()
}

/// Validated unit fields, shared by the form, the API and the spreadsheet import.
pub struct UnitFields {
    pub unit_no: String,
    pub floor: i64,
    pub building_area: Area,
    pub inner_area: Option<Area>,
    pub use_kind: UnitUse,
    pub state: UnitState,
    pub note: Option<String>,
}

pub fn validate_unit(input: &UnitForCreate) -> Result<UnitFields, Vec<FieldError>> {
    let mut c = Checks::new();
    let unit_no = c.take(parse_code("unit_no", &input.unit_no, 20));
    let floor = c.take(check_floor("floor", input.floor));
    let ba = c.take(input.building_area.to_area("building_area"));
    let ia = match &input.inner_area {
        Some(d) => c.take(d.to_area("inner_area").map(Some)),
        None => Some(None),
    };
    let use_kind = c.take(UnitUse::parse("use_kind", &input.use_kind));
    let state = c.take(UnitState::parse("state", &input.state));
    let note = c.take(optional_multiline("note", input.note.as_deref(), 500));
    if let (Some(b), Some(i)) = (ba, ia) {
        c.take(check_areas(b, i));
    }
    match (unit_no, floor, ba, ia, use_kind, state, note) {
        (
            Some(unit_no),
            Some(floor),
            Some(building_area),
            Some(inner_area),
            Some(use_kind),
            Some(state),
            Some(note),
        ) if c.0.is_empty() => Ok(UnitFields {
            unit_no,
            floor,
            building_area,
            inner_area,
            use_kind,
            state,
            note,
        }),
        _ => Err(c.0),
    }
}

pub async fn create_unit(core: &Core, ctx: &Ctx, input: UnitForCreate) -> CoreResult<Unit> {
    let building = get_building(core, ctx, input.building_id)
        .await
        .map_err(|e| match e {
            CoreError::NotFound(_) => {
                CoreError::invalid("building_id", RegistryCode::UnknownBuilding)
            }
            e => e,
        })?;
    ctx.require_in(Perm::RegistryWrite, building.community_id)?;
    let f = validate_unit(&input).map_err(CoreError::Invalid)?;
    let mut tx = core.db.begin().await?;
    let id = insert_unit(&mut tx, building.community_id, building.id, &f).await?;
    let row = store::units::row_in(&mut tx, id).await?;
    let unit = unit_from_row(row)?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "unit", id.0)
            .community(unit.community_id)
            .after(&unit),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

/// Inserts a unit; a duplicate number in the building is a conflict on `unit_no`.
pub(in crate::registry) async fn insert_unit(
    tx: &mut Tx,
    community: CommunityId,
    building: BuildingId,
    f: &UnitFields,
) -> CoreResult<UnitId> {
    if store::units::number_taken(tx, community, building, f.unit_no.as_str(), None).await? {
        return Err(CoreError::conflict(
            "unit_no",
            RegistryCode::DuplicateUnitNo,
        ));
    }
    let now = Utc::now();
    let values = UnitValues {
        unit_no: f.unit_no.as_str(),
        floor: f.floor,
        building_area: f.building_area.0,
        inner_area: f.inner_area.map(|a| a.0),
        use_kind: f.use_kind.code(),
        state: f.state.code(),
        note: f.note.clone(),
    };
    let id = store::units::insert(tx, community, building, values, now)
        .await
        .map_err(|e| e.or_conflict("unit_no", RegistryCode::DuplicateUnitNo))?;
    Ok(UnitId(id))
}

pub async fn update_unit(
    core: &Core,
    ctx: &Ctx,
    id: UnitId,
    input: UnitForUpdate,
) -> CoreResult<Unit> {
    let before = get_unit(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut c = Checks::new();
    let unit_no = match input.unit_no.as_deref() {
        Some(s) => c.take(parse_code("unit_no", s, 20)),
        None => Some(before.unit_no.clone()),
    };
    let floor = match input.floor {
        Some(f) => c.take(check_floor("floor", f)),
        None => Some(before.floor),
    };
    let ba = match &input.building_area {
        Some(d) => c.take(d.to_area("building_area")),
        None => Some(before.building_area),
    };
    let ia = match &input.inner_area {
        Some(Decimal::Text(s)) if s.trim().is_empty() => Some(None),
        Some(d) => c.take(d.to_area("inner_area")).map(Some),
        None => Some(before.inner_area),
    };
    let use_kind = match input.use_kind.as_deref() {
        Some(s) => c.take(UnitUse::parse("use_kind", s)),
        None => Some(before.use_kind),
    };
    let state = match input.state.as_deref() {
        Some(s) => c.take(UnitState::parse("state", s)),
        None => Some(before.state),
    };
    let note = match input.note.as_deref() {
        Some(n) => c.take(optional_multiline("note", Some(n), 500)).flatten(),
        None => before.note.clone(),
    };
    let keeper = match input.keeper_user_id {
        Some(0) => None,
        Some(k) => {
            // A keeper is active staff who reaches this community (not an owner or committee
            // member: their roles read nothing of the registry).
            let ok = crate::auth::store::for_registry::is_keeper_candidate(
                &core.db,
                k,
                ctx.company_id,
                before.community_id,
            )
            .await?;
            if !ok {
                c.push(FieldError::new("keeper_user_id", RegistryCode::UnknownUser));
            }
            Some(UserId(k))
        }
        None => before.keeper_user_id,
    };
    if let (Some(b), Some(i)) = (ba, ia) {
        c.take(check_areas(b, i));
    }
    c.finish()?;
    let (Some(unit_no), Some(floor), Some(ba), Some(ia), Some(use_kind), Some(state)) =
        (unit_no, floor, ba, ia, use_kind, state)
    else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let mut tx = core.db.begin().await?;
    if store::units::number_taken(
        &mut tx,
        before.community_id,
        before.building_id,
        unit_no.as_str(),
        Some(id),
    )
    .await?
    {
        return Err(CoreError::conflict(
            "unit_no",
            RegistryCode::DuplicateUnitNo,
        ));
    }
    let values = UnitValues {
        unit_no: unit_no.as_str(),
        floor,
        building_area: ba.0,
        inner_area: ia.map(|a| a.0),
        use_kind: use_kind.code(),
        state: state.code(),
        note,
    };
    store::units::update(&mut tx, id, values, keeper, Utc::now())
        .await
        .map_err(|e| e.or_conflict("unit_no", RegistryCode::DuplicateUnitNo))?;
    let row = store::units::row_in(&mut tx, id).await?;
    let unit = unit_from_row(row)?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "unit", id.0)
            .community(unit.community_id)
            .before(&before)
            .after(&unit),
    )
    .await?;
    tx.commit().await?;
    Ok(unit)
}

/// Deletes a unit with nobody and nothing attached; otherwise a conflict saying what is attached.
pub async fn delete_unit(core: &Core, ctx: &Ctx, id: UnitId) -> CoreResult<()> {
    let before = get_unit(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut tx = core.db.begin().await?;
    let n = store::units::attached_count(&mut tx, id).await?;
    if n > 0 {
        return Err(CoreError::conflict("id", RegistryCode::UnitHasPeople));
    }
    store::units::delete_inspections(&mut tx, id).await?;
    // Requests, charges and payments keep their unit: such a unit is never deleted.
    store::units::delete(&mut tx, id).await.map_err(|e| {
        if e.is_foreign_key_violation() {
            CoreError::conflict("id", RegistryCode::UnitHasRecords)
        } else {
            e
        }
    })?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "unit", id.0)
            .community(before.community_id)
            .before(&before),
    )
    .await?;
    tx.commit().await
}

pub async fn unit_detail(core: &Core, ctx: &Ctx, id: UnitId) -> CoreResult<UnitDetail> {
    let unit = get_unit(core, ctx, id).await?;
    let links = store::units::links(&core.db, id).await?;
    let person_ids: Vec<PersonId> = links.iter().map(|l| l.person_id).collect();
    let people = people_by_ids(core, &person_ids).await?;
    let mut linked = Vec::with_capacity(links.len());
    for l in links {
        let Some(person) = people.iter().find(|p| p.id == l.person_id).cloned() else {
            continue;
        };
        linked.push(UnitPerson {
            link_id: l.link_id,
            relation: Relation::from_stored(&l.relation)?,
            person,
        });
    }
    let vehicles = store::units::vehicles(&core.db, id).await?;
    let parking = store::units::spaces(&core.db, id).await?;
    let inspections = list_inspections(core, id).await?;
    let history: Vec<AuditRecord> =
        audit::history(&core.db, unit.community_id, "unit", id.0).await?;
    Ok(UnitDetail {
        unit,
        people: linked,
        vehicles,
        parking,
        inspections,
        history,
    })
}

/// Who may keep the unit while it is vacant (看管人): the active staff of its community, by name
/// (needs `registry.write`, as setting one does).
pub async fn keeper_candidates(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<(UserId, String)>> {
    ctx.require_in(Perm::RegistryWrite, community)?;
    Ok(
        crate::auth::store::for_registry::keeper_candidates(&core.db, ctx.company_id, community)
            .await?
            .into_iter()
            .map(|(id, name)| (UserId(id), name))
            .collect(),
    )
}
