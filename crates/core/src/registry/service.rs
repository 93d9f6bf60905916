//! Use cases of the registry. Each write: authorize with `Ctx`, validate the whole input (every
//! bad field reported at once), run in one transaction, record the audit entry in it.

use chrono::Utc;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, AuditRecord, Entry};
use crate::db::{Args, Tx};
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{
    Area, IdNumber, Phone, optional_multiline, optional_text, parse_code, parse_plate, query_text,
    required_multiline, required_text,
};

use super::model::*;
use super::store::{self, *};

// ---------------------------------------------------------------------------------------------
// Scope

/// The communities the actor reaches, in id order.
pub async fn reachable_communities(core: &Core, ctx: &Ctx) -> CoreResult<Vec<CommunityId>> {
    match ctx.community_ids() {
        Some(ids) => Ok(ids),
        None => {
            let rows: Vec<(CommunityId,)> = core
                .db
                .read()
                .fetch_all(
                    "SELECT id FROM communities WHERE company_id = $1 ORDER BY id",
                    args![ctx.company_id],
                )
                .await?;
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
    }
}

fn reach(ctx: &Ctx, c: CommunityId, entity: &'static str) -> CoreResult<()> {
    if ctx.reaches(c) {
        Ok(())
    } else {
        Err(CoreError::NotFound(entity))
    }
}

// ---------------------------------------------------------------------------------------------
// Communities

const COMMUNITY_COLS: &str = "id, code, name, address, timezone, created_at, updated_at";

fn check_timezone(tz: Option<&str>) -> Result<String, FieldError> {
    let tz = tz
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("Asia/Shanghai");
    tz.parse::<chrono_tz::Tz>()
        .map(|_| tz.to_string())
        .map_err(|_| FieldError::new("timezone", "unknown_timezone"))
}

pub async fn list_communities(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Community>> {
    ctx.require(Perm::RegistryRead)?;
    let ids = reachable_communities(core, ctx).await?;
    let mut a = Args::new();
    let company = a.push(ctx.company_id);
    let cond = in_list(&mut a, "id", &ids);
    core.db
        .read()
        .fetch_all(
            &format!("SELECT {COMMUNITY_COLS} FROM communities WHERE company_id = {company} AND {cond} ORDER BY code"),
            a,
        )
        .await
}

pub async fn get_community(core: &Core, ctx: &Ctx, id: CommunityId) -> CoreResult<Community> {
    reach(ctx, id, "community")?;
    core.db
        .read()
        .fetch_optional(
            &format!("SELECT {COMMUNITY_COLS} FROM communities WHERE id = $1 AND company_id = $2"),
            args![id, ctx.company_id],
        )
        .await?
        .ok_or(CoreError::NotFound("community"))
}

pub async fn create_community(
    core: &Core,
    ctx: &Ctx,
    input: CommunityForCreate,
) -> CoreResult<Community> {
    ctx.require(Perm::CommunityManage)?;
    let mut c = Checks::new();
    let code = c.take(parse_code("code", &input.code, 20));
    let name = c.take(required_text("name", &input.name, 50));
    let address = c.take(optional_multiline("address", input.address.as_deref(), 200));
    let tz = c.take(check_timezone(input.timezone.as_deref()));
    c.finish()?;
    let (Some(code), Some(name), Some(address), Some(tz)) = (code, name, address, tz) else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM communities WHERE company_id = $1 AND code = $2",
            args![ctx.company_id, code.as_str()],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("code", "duplicate_community_code"));
    }
    let row: Community = tx
        .fetch_one(
            &format!(
                "INSERT INTO communities (company_id, code, name, address, timezone, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COMMUNITY_COLS}"
            ),
            args![ctx.company_id, code, name, address, tz, now],
        )
        .await
        .map_err(|e| e.or_conflict("code", "duplicate_community_code"))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "community", row.id.0)
            .community(row.id)
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    // The company admins' contexts list the communities they reach.
    core.forget_ctx();
    Ok(row)
}

pub async fn update_community(
    core: &Core,
    ctx: &Ctx,
    id: CommunityId,
    input: CommunityForUpdate,
) -> CoreResult<Community> {
    ctx.require(Perm::CommunityManage)?;
    let before = get_community(core, ctx, id).await?;
    let mut c = Checks::new();
    let name = match input.name.as_deref() {
        Some(n) => c.take(required_text("name", n, 50)),
        None => Some(before.name.clone()),
    };
    let address = match input.address.as_deref() {
        Some(a) => c.take(optional_multiline("address", Some(a), 200)),
        None => Some(before.address.clone()),
    };
    let tz = match input.timezone.as_deref() {
        Some(t) => c.take(check_timezone(Some(t))),
        None => Some(before.timezone.clone()),
    };
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let row: Community = tx
        .fetch_one(
            &format!(
                "UPDATE communities SET name = $1, address = $2, timezone = $3, updated_at = $4 WHERE id = $5 \
                 RETURNING {COMMUNITY_COLS}"
            ),
            args![name, address.flatten(), tz, Utc::now(), id],
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "community", id.0)
            .community(id)
            .before(&before)
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

// ---------------------------------------------------------------------------------------------
// Buildings

pub async fn list_buildings(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<Building>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    core.db
        .read()
        .fetch_all(
            &format!("{BUILDING_SELECT} WHERE b.community_id = $1 ORDER BY b.name"),
            args![community],
        )
        .await
}

pub async fn get_building(core: &Core, ctx: &Ctx, id: BuildingId) -> CoreResult<Building> {
    let b: Building = core
        .db
        .read()
        .fetch_optional(&format!("{BUILDING_SELECT} WHERE b.id = $1"), args![id])
        .await?
        .ok_or(CoreError::NotFound("building"))?;
    reach(ctx, b.community_id, "building")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(b)
}

fn check_floors(f: Option<i64>) -> Result<Option<i64>, FieldError> {
    match f {
        Some(n) if !(1..=200).contains(&n) => Err(FieldError::new("floors", "floors_out_of_range")
            .with("min", 1)
            .with("max", 200)),
        other => Ok(other),
    }
}

pub async fn create_building(
    core: &Core,
    ctx: &Ctx,
    input: BuildingForCreate,
) -> CoreResult<Building> {
    ctx.require_in(Perm::RegistryWrite, input.community_id)?;
    get_community(core, ctx, input.community_id).await?;
    let mut c = Checks::new();
    let name = c.take(required_text("name", &input.name, 30));
    let floors = c.take(check_floors(input.floors));
    let note = c.take(optional_multiline("note", input.note.as_deref(), 500));
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM buildings WHERE community_id = $1 AND name = $2",
            args![input.community_id, name.clone()],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("name", "duplicate_building"));
    }
    let now = Utc::now();
    let id = tx
        .insert_id(
            "INSERT INTO buildings (community_id, name, floors, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
            args![input.community_id, name, floors.flatten(), note.flatten(), now],
        )
        .await
        .map_err(|e| e.or_conflict("name", "duplicate_building"))?;
    let b: Building = tx
        .fetch_one(&format!("{BUILDING_SELECT} WHERE b.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "building", id)
            .community(b.community_id)
            .after(&b),
    )
    .await?;
    tx.commit().await?;
    Ok(b)
}

pub async fn update_building(
    core: &Core,
    ctx: &Ctx,
    id: BuildingId,
    input: BuildingForUpdate,
) -> CoreResult<Building> {
    let before = get_building(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut c = Checks::new();
    let name = match input.name.as_deref() {
        Some(n) => c.take(required_text("name", n, 30)),
        None => Some(before.name.clone()),
    };
    let floors = match input.floors {
        Some(f) => c.take(check_floors(Some(f))).flatten(),
        None => before.floors,
    };
    let note = match input.note.as_deref() {
        Some(n) => c.take(optional_multiline("note", Some(n), 500)).flatten(),
        None => before.note.clone(),
    };
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let dup: Option<(BuildingId,)> = tx
        .fetch_optional(
            "SELECT id FROM buildings WHERE community_id = $1 AND name = $2 AND id <> $3",
            args![before.community_id, name.clone(), id],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("name", "duplicate_building"));
    }
    tx.execute(
        "UPDATE buildings SET name = $1, floors = $2, note = $3, updated_at = $4 WHERE id = $5",
        args![name, floors, note, Utc::now(), id],
    )
    .await
    .map_err(|e| e.or_conflict("name", "duplicate_building"))?;
    let b: Building = tx
        .fetch_one(&format!("{BUILDING_SELECT} WHERE b.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "building", id.0)
            .community(b.community_id)
            .before(&before)
            .after(&b),
    )
    .await?;
    tx.commit().await?;
    Ok(b)
}

pub async fn delete_building(core: &Core, ctx: &Ctx, id: BuildingId) -> CoreResult<()> {
    let before = get_building(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut tx = core.db.begin().await?;
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM units WHERE building_id = $1",
            args![id],
        )
        .await?;
    if n > 0 {
        return Err(CoreError::Conflict(
            FieldError::new("id", "building_has_units").with("count", n),
        ));
    }
    tx.execute("DELETE FROM buildings WHERE id = $1", args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "building", id.0)
            .community(before.community_id)
            .before(&before),
    )
    .await?;
    tx.commit().await
}

// ---------------------------------------------------------------------------------------------
// Units

fn unit_from_row(r: UnitRow) -> Unit {
    Unit {
        id: r.id,
        community_id: r.community_id,
        building_id: r.building_id,
        building_name: r.building_name,
        unit_no: r.unit_no,
        floor: r.floor,
        building_area: Area(r.building_area),
        inner_area: r.inner_area.map(Area),
        use_kind: UnitUse::parse("use_kind", &r.use_kind).unwrap_or(UnitUse::Other),
        state: UnitState::parse("state", &r.state).unwrap_or(UnitState::Vacant),
        keeper_user_id: r.keeper_user_id,
        keeper_name: r.keeper_name,
        note: r.note,
        created_at: r.created_at,
        updated_at: r.updated_at,
    }
}

pub async fn get_unit(core: &Core, ctx: &Ctx, id: UnitId) -> CoreResult<Unit> {
    let r = store::unit_row(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("unit"))?;
    reach(ctx, r.community_id, "unit")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(unit_from_row(r))
}

pub async fn list_units(core: &Core, ctx: &Ctx, f: &UnitFilter) -> CoreResult<Vec<Unit>> {
    ctx.require(Perm::RegistryRead)?;
    let ids = match f.community_id {
        Some(c) => {
            reach(ctx, c, "community")?;
            vec![c]
        }
        None => reachable_communities(core, ctx).await?,
    };
    let mut a = Args::new();
    let mut sql = format!(
        "{UNIT_SELECT} WHERE {}",
        in_list(&mut a, "u.community_id", &ids)
    );
    if let Some(b) = f.building_id {
        sql.push_str(&format!(" AND u.building_id = {}", a.push(b)));
    }
    if let Some(s) = f.state.as_deref().filter(|s| !s.is_empty()) {
        let s = UnitState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?;
        sql.push_str(&format!(" AND u.state = {}", a.push(s.code())));
    }
    if let Some(s) = f.use_kind.as_deref().filter(|s| !s.is_empty()) {
        let s = UnitUse::parse("use_kind", s).map_err(|e| CoreError::Invalid(vec![e]))?;
        sql.push_str(&format!(" AND u.use_kind = {}", a.push(s.code())));
    }
    let unit_no = query_text("unit_no", f.unit_no.as_deref().unwrap_or(""), 20)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    if !unit_no.is_empty() {
        let p = unit_no.to_uppercase();
        let lo = a.push(p.as_str());
        let hi = a.push(prefix_end(&p));
        sql.push_str(&format!(" AND u.unit_no >= {lo} AND u.unit_no < {hi}"));
    }
    if let Some(after) = f.after_id {
        sql.push_str(&format!(" AND u.id > {}", a.push(after)));
    }
    let limit = f.limit.unwrap_or(200).clamp(1, 10_000);
    sql.push_str(&format!(" ORDER BY u.id LIMIT {limit}"));
    let rows: Vec<UnitRow> = core.db.read().fetch_all(&sql, a).await?;
    Ok(rows.into_iter().map(unit_from_row).collect())
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
            CoreError::NotFound(_) => CoreError::invalid("building_id", "unknown_building"),
            e => e,
        })?;
    ctx.require_in(Perm::RegistryWrite, building.community_id)?;
    let f = validate_unit(&input).map_err(CoreError::Invalid)?;
    let mut tx = core.db.begin().await?;
    let id = insert_unit(&mut tx, building.community_id, building.id, &f).await?;
    let row: UnitRow = tx
        .fetch_one(&format!("{UNIT_SELECT} WHERE u.id = $1"), args![id])
        .await?;
    let unit = unit_from_row(row);
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
pub(super) async fn insert_unit(
    tx: &mut Tx,
    community: CommunityId,
    building: BuildingId,
    f: &UnitFields,
) -> CoreResult<UnitId> {
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM units WHERE community_id = $1 AND building_id = $2 AND unit_no = $3",
            args![community, building, f.unit_no.as_str()],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("unit_no", "duplicate_unit_no"));
    }
    let now = Utc::now();
    let id = tx
        .insert_id(
            "INSERT INTO units (community_id, building_id, unit_no, floor, building_area, inner_area, use_kind, state, note, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            args![
                community,
                building,
                f.unit_no.as_str(),
                f.floor,
                f.building_area.0,
                f.inner_area.map(|a| a.0),
                f.use_kind.code(),
                f.state.code(),
                f.note.clone(),
                now
            ],
        )
        .await
        .map_err(|e| if e.is_unique_violation() { CoreError::conflict("unit_no", "duplicate_unit_no") } else { e })?;
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
            let ok: Option<(i64,)> = core
                .db
                .read()
                .fetch_optional(
                    "SELECT u.id FROM users u JOIN roles r ON r.code = u.role WHERE u.id = $1 AND u.company_id = $2 \
                     AND u.active = $3 AND r.permissions LIKE $4 AND (r.all_communities = $3 OR EXISTS \
                     (SELECT 1 FROM user_communities uc WHERE uc.user_id = u.id AND uc.community_id = $5))",
                    args![k, ctx.company_id, true, "%registry.read%", before.community_id],
                )
                .await?;
            if ok.is_none() {
                c.push(FieldError::new("keeper_user_id", "unknown_user"));
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
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM units WHERE community_id = $1 AND building_id = $2 AND unit_no = $3 AND id <> $4",
            args![before.community_id, before.building_id, unit_no.as_str(), id],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("unit_no", "duplicate_unit_no"));
    }
    tx.execute(
        "UPDATE units SET unit_no = $1, floor = $2, building_area = $3, inner_area = $4, use_kind = $5, state = $6, \
         keeper_user_id = $7, note = $8, updated_at = $9 WHERE id = $10",
        args![unit_no, floor, ba.0, ia.map(|a| a.0), use_kind.code(), state.code(), keeper, note, Utc::now(), id],
    )
    .await
    .map_err(|e| e.or_conflict("unit_no", "duplicate_unit_no"))?;
    let row: UnitRow = tx
        .fetch_one(&format!("{UNIT_SELECT} WHERE u.id = $1"), args![id])
        .await?;
    let unit = unit_from_row(row);
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
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT (SELECT COUNT(*) FROM unit_people WHERE unit_id = $1) + (SELECT COUNT(*) FROM vehicles WHERE unit_id = $1) \
             + (SELECT COUNT(*) FROM parking_spaces WHERE unit_id = $1)",
            args![id],
        )
        .await?;
    if n > 0 {
        return Err(CoreError::conflict("id", "unit_has_people"));
    }
    tx.execute(
        "DELETE FROM vacant_inspections WHERE unit_id = $1",
        args![id],
    )
    .await?;
    // Requests, charges and payments keep their unit: such a unit is never deleted.
    tx.execute("DELETE FROM units WHERE id = $1", args![id])
        .await
        .map_err(|e| {
            if e.is_foreign_key_violation() {
                CoreError::conflict("id", "unit_has_records")
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
    #[derive(sqlx::FromRow)]
    struct L {
        link_id: i64,
        relation: String,
        person_id: PersonId,
    }
    let links: Vec<L> = core
        .db
        .read()
        .fetch_all(
            "SELECT id AS link_id, relation, person_id FROM unit_people WHERE unit_id = $1 ORDER BY id",
            args![id],
        )
        .await?;
    let person_ids: Vec<PersonId> = links.iter().map(|l| l.person_id).collect();
    let people = people_by_ids(core, &person_ids).await?;
    let people = links
        .into_iter()
        .filter_map(|l| {
            let person = people.iter().find(|p| p.id == l.person_id)?.clone();
            Some(UnitPerson {
                link_id: l.link_id,
                relation: Relation::parse("relation", &l.relation).unwrap_or(Relation::Member),
                person,
            })
        })
        .collect();
    let vehicles = core
        .db
        .read()
        .fetch_all(
            &format!(
                "{VEHICLE_SELECT} WHERE v.unit_id = $1 OR v.person_id IN (SELECT person_id FROM unit_people WHERE unit_id = $1) ORDER BY v.id"
            ),
            args![id],
        )
        .await?;
    let parking = core
        .db
        .read()
        .fetch_all(
            &format!("{SPACE_SELECT} WHERE s.unit_id = $1 ORDER BY s.code"),
            args![id],
        )
        .await?;
    let inspections = list_inspections(core, id).await?;
    let history: Vec<AuditRecord> =
        audit::history(&core.db, unit.community_id, "unit", id.0).await?;
    Ok(UnitDetail {
        unit,
        people,
        vehicles,
        parking,
        inspections,
        history,
    })
}

// ---------------------------------------------------------------------------------------------
// People

fn person_from_row(core: &Core, r: PersonRow, units: Vec<PersonUnit>) -> Person {
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

async fn people_by_ids(core: &Core, ids: &[PersonId]) -> CoreResult<Vec<Person>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let ph: Vec<String> = ids.iter().map(|p| a.push(*p)).collect();
    let rows: Vec<PersonRow> = core
        .db
        .read()
        .fetch_all(
            &format!("{PERSON_SELECT} WHERE p.id IN ({})", ph.join(",")),
            a,
        )
        .await?;
    people_with_links(core, rows).await
}

async fn people_with_links(core: &Core, rows: Vec<PersonRow>) -> CoreResult<Vec<Person>> {
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
    let ids = match f.community_id {
        Some(c) => {
            reach(ctx, c, "community")?;
            vec![c]
        }
        None => reachable_communities(core, ctx).await?,
    };
    let mut a = Args::new();
    let mut sql = format!(
        "{PERSON_SELECT} WHERE {}",
        in_list(&mut a, "p.community_id", &ids)
    );
    let name = query_text("name", f.name.as_deref().unwrap_or(""), 50)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    if let Some(n) = Some(name).filter(|s| !s.is_empty()) {
        let lo = a.push(n);
        let hi = a.push(prefix_end(n));
        sql.push_str(&format!(" AND p.name >= {lo} AND p.name < {hi}"));
    }
    if f.key_customers_only == Some(true) {
        sql.push_str(&format!(" AND p.is_key_customer = {}", a.push(true)));
    }
    if let Some(after) = f.after_id {
        sql.push_str(&format!(" AND p.id > {}", a.push(after)));
    }
    let limit = f.limit.unwrap_or(200).clamp(1, 10_000);
    sql.push_str(&format!(" ORDER BY p.id LIMIT {limit}"));
    let rows: Vec<PersonRow> = core.db.read().fetch_all(&sql, a).await?;
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
pub(super) async fn insert_person(
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
    let id = tx
        .insert_id(
            "INSERT INTO people (community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, is_key_customer, \
             key_customer_note, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10) RETURNING id",
            args![community, f.name.as_str(), phone_enc, phone_hash, id_enc, id_hash, key_customer, key_note, note, now],
        )
        .await?;
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
            c.push(FieldError::new("relation", "required"));
            None
        }
        (None, _) => Some(None),
    };
    if let Some(u) = input.unit_id {
        match store::unit_row(&core.db, u).await? {
            Some(r) if r.community_id == input.community_id => {}
            _ => c.push(FieldError::new("unit_id", "unknown_unit")),
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
        let existing: Option<(PersonId,)> = core
            .db
            .read()
            .fetch_optional(
                "SELECT id FROM people WHERE community_id = $1 AND id_no_hash = $2 LIMIT 1",
                args![input.community_id, hash],
            )
            .await?;
        if let Some((pid,)) = existing {
            return Err(CoreError::Conflict(
                FieldError::new("id_number", "duplicate_id_number").with("person_id", pid),
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
    let row: PersonRow = tx
        .fetch_one(&format!("{PERSON_SELECT} WHERE p.id = $1"), args![id])
        .await?;
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
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM unit_people WHERE unit_id = $1 AND person_id = $2",
            args![unit, person],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("person_id", "already_linked"));
    }
    tx.insert_id(
        "INSERT INTO unit_people (community_id, unit_id, person_id, relation, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id",
        args![community, unit, person, rel.code(), Utc::now()],
    )
    .await
    .map_err(|e| e.or_conflict("person_id", "already_linked"))
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
    tx.execute(
        "UPDATE people SET name = $1, is_key_customer = $2, key_customer_note = $3, note = $4, updated_at = $5 WHERE id = $6",
        args![name, input.is_key_customer.unwrap_or(before.is_key_customer), key_note, note, Utc::now(), id],
    )
    .await?;
    if let Some(p) = phone {
        let (enc, hash) = encrypt_opt(core, "phone", p.as_ref().map(Phone::as_str));
        tx.execute(
            "UPDATE people SET phone_enc = $1, phone_hash = $2 WHERE id = $3",
            args![enc, hash, id],
        )
        .await?;
    }
    if let Some(p) = id_no {
        let (enc, hash) = encrypt_opt(core, "id_number", p.as_ref().map(IdNumber::as_str));
        tx.execute(
            "UPDATE people SET id_no_enc = $1, id_no_hash = $2 WHERE id = $3",
            args![enc, hash, id],
        )
        .await?;
    }
    let row: PersonRow = tx
        .fetch_one(&format!("{PERSON_SELECT} WHERE p.id = $1"), args![id])
        .await?;
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
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "person", id.0)
            .community(before.community_id)
            .before(&before),
    )
    .await?;
    tx.commit().await
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
        return Err(CoreError::invalid("person_id", "unknown_person"));
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
    let link: Option<(PersonId, String)> = tx
        .fetch_optional(
            "SELECT person_id, relation FROM unit_people WHERE id = $1 AND unit_id = $2",
            args![link_id, unit],
        )
        .await?;
    let Some((person, relation)) = link else {
        return Err(CoreError::NotFound("link"));
    };
    tx.execute("DELETE FROM unit_people WHERE id = $1", args![link_id])
        .await?;
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
    tx.commit().await
}

// ---------------------------------------------------------------------------------------------
// Parking spaces and vehicles

async fn check_holder(
    core: &Core,
    c: &mut Checks,
    community: CommunityId,
    unit: Option<UnitId>,
    person: Option<PersonId>,
) -> CoreResult<()> {
    if let Some(u) = unit
        && store::unit_row(&core.db, u)
            .await?
            .is_none_or(|r| r.community_id != community)
    {
        c.push(FieldError::new("unit_id", "unknown_unit"));
    }
    if let Some(p) = person
        && store::person_row(&core.db, p)
            .await?
            .is_none_or(|r| r.community_id != community)
    {
        c.push(FieldError::new("person_id", "unknown_person"));
    }
    Ok(())
}

pub async fn list_spaces(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<ParkingSpace>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    core.db
        .read()
        .fetch_all(
            &format!("{SPACE_SELECT} WHERE s.community_id = $1 ORDER BY s.code LIMIT 5000"),
            args![community],
        )
        .await
}

pub async fn create_space(
    core: &Core,
    ctx: &Ctx,
    input: ParkingSpaceForCreate,
) -> CoreResult<ParkingSpace> {
    ctx.require_in(Perm::RegistryWrite, input.community_id)?;
    get_community(core, ctx, input.community_id).await?;
    let mut c = Checks::new();
    let code = c.take(parse_code("code", &input.code, 20));
    let state = c.take(SpaceState::parse("state", &input.state));
    let note = c.take(optional_multiline("note", input.note.as_deref(), 500));
    check_holder(
        core,
        &mut c,
        input.community_id,
        input.unit_id,
        input.person_id,
    )
    .await?;
    c.finish()?;
    let (Some(code), Some(state)) = (code, state) else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let mut tx = core.db.begin().await?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM parking_spaces WHERE community_id = $1 AND code = $2",
            args![input.community_id, code.as_str()],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("code", "duplicate_space_code"));
    }
    let now = Utc::now();
    let id = tx
        .insert_id(
            "INSERT INTO parking_spaces (community_id, code, state, unit_id, person_id, note, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
            args![input.community_id, code, state.code(), input.unit_id, input.person_id, note.flatten(), now],
        )
        .await
        .map_err(|e| e.or_conflict("code", "duplicate_space_code"))?;
    let s: ParkingSpace = tx
        .fetch_one(&format!("{SPACE_SELECT} WHERE s.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "parking_space", id)
            .community(s.community_id)
            .after(&s),
    )
    .await?;
    tx.commit().await?;
    Ok(s)
}

pub async fn get_space(core: &Core, ctx: &Ctx, id: ParkingSpaceId) -> CoreResult<ParkingSpace> {
    let s: ParkingSpace = core
        .db
        .read()
        .fetch_optional(&format!("{SPACE_SELECT} WHERE s.id = $1"), args![id])
        .await?
        .ok_or(CoreError::NotFound("parking_space"))?;
    reach(ctx, s.community_id, "parking_space")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(s)
}

/// An id field of an update: absent keeps the value before, 0 clears it, another replaces it.
fn id_change<T>(input: Option<i64>, before: Option<T>, wrap: fn(i64) -> T) -> Option<T> {
    match input {
        None => before,
        Some(0) => None,
        Some(n) => Some(wrap(n)),
    }
}

/// The id an update sets anew (not kept, not cleared): the one to check.
fn id_set<T>(input: Option<i64>, wrap: fn(i64) -> T) -> Option<T> {
    input.filter(|n| *n != 0).map(wrap)
}

/// Changes a space's state (已售/出租/临时/空闲), unit, holder or note; the audit entry keeps
/// the space before and after, so its history survives the change.
pub async fn update_space(
    core: &Core,
    ctx: &Ctx,
    id: ParkingSpaceId,
    input: ParkingSpaceForUpdate,
) -> CoreResult<ParkingSpace> {
    let before = get_space(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let mut c = Checks::new();
    let state = match input.state.as_deref() {
        Some(s) => c
            .take(SpaceState::parse("state", s))
            .map(|s| s.code().to_string()),
        None => Some(before.state.clone()),
    };
    let note = match input.note.as_deref() {
        Some(n) => c.take(optional_multiline("note", Some(n), 500)).flatten(),
        None => before.note.clone(),
    };
    check_holder(
        core,
        &mut c,
        before.community_id,
        id_set(input.unit_id, UnitId),
        id_set(input.person_id, PersonId),
    )
    .await?;
    c.finish()?;
    let Some(state) = state else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let unit = id_change(input.unit_id, before.unit_id, UnitId);
    let person = id_change(input.person_id, before.person_id, PersonId);
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE parking_spaces SET state = $1, unit_id = $2, person_id = $3, note = $4, updated_at = $5 WHERE id = $6",
        args![state, unit, person, note, Utc::now(), id],
    )
    .await?;
    let after: ParkingSpace = tx
        .fetch_one(&format!("{SPACE_SELECT} WHERE s.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "parking_space", id.0)
            .community(after.community_id)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_space(core: &Core, ctx: &Ctx, id: ParkingSpaceId) -> CoreResult<()> {
    let s = get_space(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, s.community_id)?;
    let mut tx = core.db.begin().await?;
    tx.execute(
        "UPDATE vehicles SET space_id = NULL WHERE space_id = $1",
        args![id],
    )
    .await?;
    tx.execute("DELETE FROM parking_spaces WHERE id = $1", args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "parking_space", id.0)
            .community(s.community_id)
            .before(&s),
    )
    .await?;
    tx.commit().await
}

pub async fn list_vehicles(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<Vehicle>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    core.db
        .read()
        .fetch_all(
            &format!("{VEHICLE_SELECT} WHERE v.community_id = $1 ORDER BY v.plate LIMIT 5000"),
            args![community],
        )
        .await
}

pub async fn create_vehicle(
    core: &Core,
    ctx: &Ctx,
    input: VehicleForCreate,
) -> CoreResult<Vehicle> {
    ctx.require_in(Perm::RegistryWrite, input.community_id)?;
    get_community(core, ctx, input.community_id).await?;
    let mut c = Checks::new();
    let plate = c.take(parse_plate("plate", &input.plate));
    let brand = c.take(optional_text("brand", input.brand.as_deref(), 30));
    let color = c.take(optional_text("color", input.color.as_deref(), 10));
    check_holder(
        core,
        &mut c,
        input.community_id,
        input.unit_id,
        input.person_id,
    )
    .await?;
    if let Some(s) = input.space_id {
        let ok: Option<(i64,)> = core
            .db
            .read()
            .fetch_optional(
                "SELECT id FROM parking_spaces WHERE id = $1 AND community_id = $2",
                args![s, input.community_id],
            )
            .await?;
        if ok.is_none() {
            c.push(FieldError::new("space_id", "unknown_space"));
        }
    }
    c.finish()?;
    let Some(plate) = plate else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let mut tx = core.db.begin().await?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM vehicles WHERE community_id = $1 AND plate = $2",
            args![input.community_id, plate.as_str()],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("plate", "duplicate_plate"));
    }
    let now = Utc::now();
    let id = tx
        .insert_id(
            "INSERT INTO vehicles (community_id, plate, person_id, unit_id, space_id, brand, color, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) RETURNING id",
            args![input.community_id, plate, input.person_id, input.unit_id, input.space_id, brand.flatten(), color.flatten(), now],
        )
        .await
        .map_err(|e| e.or_conflict("plate", "duplicate_plate"))?;
    let v: Vehicle = tx
        .fetch_one(&format!("{VEHICLE_SELECT} WHERE v.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "vehicle", id)
            .community(v.community_id)
            .after(&v),
    )
    .await?;
    tx.commit().await?;
    Ok(v)
}

pub async fn get_vehicle(core: &Core, ctx: &Ctx, id: VehicleId) -> CoreResult<Vehicle> {
    let v: Vehicle = core
        .db
        .read()
        .fetch_optional(&format!("{VEHICLE_SELECT} WHERE v.id = $1"), args![id])
        .await?
        .ok_or(CoreError::NotFound("vehicle"))?;
    reach(ctx, v.community_id, "vehicle")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(v)
}

/// Changes a vehicle's plate, owner, unit, space, brand or colour, with the same checks as
/// [`create_vehicle`]; a plate another vehicle of the community has is a conflict.
pub async fn update_vehicle(
    core: &Core,
    ctx: &Ctx,
    id: VehicleId,
    input: VehicleForUpdate,
) -> CoreResult<Vehicle> {
    let before = get_vehicle(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, before.community_id)?;
    let community = before.community_id;
    let mut c = Checks::new();
    let plate = match input.plate.as_deref() {
        Some(p) => c.take(parse_plate("plate", p)),
        None => Some(before.plate.clone()),
    };
    let brand = match input.brand.as_deref() {
        Some(b) => c.take(optional_text("brand", Some(b), 30)).flatten(),
        None => before.brand.clone(),
    };
    let color = match input.color.as_deref() {
        Some(b) => c.take(optional_text("color", Some(b), 10)).flatten(),
        None => before.color.clone(),
    };
    check_holder(
        core,
        &mut c,
        community,
        id_set(input.unit_id, UnitId),
        id_set(input.person_id, PersonId),
    )
    .await?;
    if let Some(s) = id_set(input.space_id, ParkingSpaceId) {
        let ok: Option<(i64,)> = core
            .db
            .read()
            .fetch_optional(
                "SELECT id FROM parking_spaces WHERE id = $1 AND community_id = $2",
                args![s, community],
            )
            .await?;
        if ok.is_none() {
            c.push(FieldError::new("space_id", "unknown_space"));
        }
    }
    c.finish()?;
    let Some(plate) = plate else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let person = id_change(input.person_id, before.person_id, PersonId);
    let unit = id_change(input.unit_id, before.unit_id, UnitId);
    let space = id_change(input.space_id, before.space_id, ParkingSpaceId);
    let mut tx = core.db.begin().await?;
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM vehicles WHERE community_id = $1 AND plate = $2 AND id <> $3",
            args![community, plate.as_str(), id],
        )
        .await?;
    if dup.is_some() {
        return Err(CoreError::conflict("plate", "duplicate_plate"));
    }
    tx.execute(
        "UPDATE vehicles SET plate = $1, person_id = $2, unit_id = $3, space_id = $4, brand = $5, color = $6, \
         updated_at = $7 WHERE id = $8",
        args![plate, person, unit, space, brand, color, Utc::now(), id],
    )
    .await
    .map_err(|e| e.or_conflict("plate", "duplicate_plate"))?;
    let after: Vehicle = tx
        .fetch_one(&format!("{VEHICLE_SELECT} WHERE v.id = $1"), args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "vehicle", id.0)
            .community(community)
            .before(&before)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn delete_vehicle(core: &Core, ctx: &Ctx, id: VehicleId) -> CoreResult<()> {
    let v = get_vehicle(core, ctx, id).await?;
    ctx.require_in(Perm::RegistryWrite, v.community_id)?;
    let mut tx = core.db.begin().await?;
    tx.execute("DELETE FROM vehicles WHERE id = $1", args![id])
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "vehicle", id.0)
            .community(v.community_id)
            .before(&v),
    )
    .await?;
    tx.commit().await
}

// ---------------------------------------------------------------------------------------------
// Vacant units: inspections

async fn list_inspections(core: &Core, unit: UnitId) -> CoreResult<Vec<VacantInspection>> {
    core.db
        .read()
        .fetch_all(
            "SELECT i.id, i.unit_id, i.inspected_on, i.inspector_id, u.display_name AS inspector_name, i.findings, i.created_at \
             FROM vacant_inspections i LEFT JOIN users u ON u.id = i.inspector_id WHERE i.unit_id = $1 ORDER BY i.inspected_on DESC, i.id DESC",
            args![unit],
        )
        .await
}

/// Records an inspection of a vacant unit (空置房巡查) by the acting user.
pub async fn add_inspection(
    core: &Core,
    ctx: &Ctx,
    unit: UnitId,
    input: InspectionForCreate,
) -> CoreResult<VacantInspection> {
    let u = get_unit(core, ctx, unit).await?;
    ctx.require_in(Perm::RegistryWrite, u.community_id)?;
    let mut c = Checks::new();
    let findings = c.take(required_multiline("findings", &input.findings, 1000));
    let today = Utc::now().date_naive();
    if input.inspected_on > today + chrono::Duration::days(1) {
        c.push(FieldError::new("inspected_on", "date_in_future"));
    }
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let id = tx
        .insert_id(
            "INSERT INTO vacant_inspections (community_id, unit_id, inspected_on, inspector_id, findings, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
            args![u.community_id, unit, input.inspected_on, ctx.actor(), findings, Utc::now()],
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "unit", unit.0)
            .community(u.community_id)
            .after(&serde_json::json!({
                "inspection_id": id, "inspected_on": input.inspected_on,
            })),
    )
    .await?;
    tx.commit().await?;
    list_inspections(core, unit)
        .await?
        .into_iter()
        .find(|i| i.id.0 == id)
        .ok_or(CoreError::NotFound("inspection"))
}

// ---------------------------------------------------------------------------------------------
// Search

/// Finds units by number prefix, people by name prefix or exact phone, vehicles by plate
/// prefix, within the actor's communities (or one of them). At most `limit` hits of each kind.
pub async fn search(
    core: &Core,
    ctx: &Ctx,
    q: &str,
    community: Option<CommunityId>,
    limit: i64,
) -> CoreResult<Vec<SearchHit>> {
    ctx.require(Perm::RegistryRead)?;
    let q = query_text("q", q, 50).map_err(|e| CoreError::Invalid(vec![e]))?;
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let ids = match community {
        Some(c) => {
            reach(ctx, c, "community")?;
            vec![c]
        }
        None => reachable_communities(core, ctx).await?,
    };
    let limit = limit.clamp(1, 100);
    let mut hits = Vec::new();

    // People by exact phone (through the blind index).
    if let Ok(phone) = Phone::parse("q", q) {
        let mut a = Args::new();
        let cond = in_list(&mut a, "p.community_id", &ids);
        let h = a.push(core.crypto.blind_index("phone", phone.as_str()));
        let rows: Vec<PersonRow> = core
            .db
            .read()
            .fetch_all(
                &format!("{PERSON_SELECT} WHERE {cond} AND p.phone_hash = {h} LIMIT {limit}"),
                a,
            )
            .await?;
        push_people(core, &mut hits, rows).await?;
    }
    // Units by number prefix, or by the label the system shows ("1栋-1801", "A座-101"): a
    // building name (with or without its 栋/座/号楼 suffix), a dash, a unit number prefix.
    // Both readings of "1-1801": unit number "1-1801", and unit "1801" of building "1"/"1栋".
    let mut unit_queries: Vec<(Option<String>, String)> = Vec::new();
    if q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        unit_queries.push((None, q.to_uppercase()));
    }
    if let Some((b, u)) = q.rsplit_once('-')
        && !b.trim().is_empty()
        && !u.is_empty()
        && u.chars().all(|c| c.is_ascii_alphanumeric())
    {
        unit_queries.push((Some(b.trim().to_string()), u.to_uppercase()));
    }
    for (building, p) in unit_queries {
        let mut a = Args::new();
        let cond = in_list(&mut a, "u.community_id", &ids);
        let (lo, hi) = (a.push(p.as_str()), a.push(prefix_end(&p)));
        let mut sql =
            format!("{UNIT_SELECT} WHERE {cond} AND u.unit_no >= {lo} AND u.unit_no < {hi}");
        if let Some(b) = building {
            let names: Vec<String> = ["", "栋", "座", "号楼"]
                .iter()
                .map(|suffix| a.push(format!("{b}{suffix}")))
                .collect();
            sql.push_str(&format!(" AND b.name IN ({})", names.join(",")));
        }
        sql.push_str(&format!(
            " ORDER BY u.community_id, u.unit_no LIMIT {limit}"
        ));
        let rows: Vec<UnitRow> = core.db.read().fetch_all(&sql, a).await?;
        for r in rows {
            if hits
                .iter()
                .any(|h: &SearchHit| matches!(h.kind, HitKind::Unit) && h.id == r.id.0)
            {
                continue;
            }
            hits.push(SearchHit {
                kind: HitKind::Unit,
                id: r.id.0,
                community_id: r.community_id,
                title: format!("{}-{}", r.building_name, r.unit_no),
                detail: String::new(),
                unit_id: Some(r.id),
                use_kind: UnitUse::parse("use_kind", &r.use_kind).ok(),
                state: UnitState::parse("state", &r.state).ok(),
            });
        }
    }
    // People by name prefix (names have no digits).
    if !q.chars().any(|c| c.is_ascii_digit()) {
        let mut a = Args::new();
        let cond = in_list(&mut a, "p.community_id", &ids);
        let (lo, hi) = (a.push(q), a.push(prefix_end(q)));
        let rows: Vec<PersonRow> = core
            .db
            .read()
            .fetch_all(
                &format!("{PERSON_SELECT} WHERE {cond} AND p.name >= {lo} AND p.name < {hi} ORDER BY p.community_id, p.name LIMIT {limit}"),
                a,
            )
            .await?;
        push_people(core, &mut hits, rows).await?;
    }
    // Vehicles by plate prefix (a plate starts with a province character).
    let plate_q: String = q
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '·'))
        .collect::<String>()
        .to_uppercase();
    if plate_q.chars().next().is_some_and(|c| !c.is_ascii()) && plate_q.chars().count() >= 2 {
        let mut a = Args::new();
        let cond = in_list(&mut a, "v.community_id", &ids);
        let (lo, hi) = (a.push(plate_q.as_str()), a.push(prefix_end(&plate_q)));
        let rows: Vec<Vehicle> = core
            .db
            .read()
            .fetch_all(
                &format!("{VEHICLE_SELECT} WHERE {cond} AND v.plate >= {lo} AND v.plate < {hi} ORDER BY v.community_id, v.plate LIMIT {limit}"),
                a,
            )
            .await?;
        for v in rows {
            hits.push(SearchHit {
                kind: HitKind::Vehicle,
                id: v.id.0,
                community_id: v.community_id,
                title: v.plate,
                detail: v.person_name.unwrap_or_default(),
                unit_id: v.unit_id,
                use_kind: None,
                state: None,
            });
        }
    }
    Ok(hits)
}

async fn push_people(
    core: &Core,
    hits: &mut Vec<SearchHit>,
    rows: Vec<PersonRow>,
) -> CoreResult<()> {
    for p in people_with_links(core, rows).await? {
        if hits
            .iter()
            .any(|h| matches!(h.kind, HitKind::Person) && h.id == p.id.0)
        {
            continue;
        }
        let units: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        hits.push(SearchHit {
            kind: HitKind::Person,
            id: p.id.0,
            community_id: p.community_id,
            title: p.name.clone(),
            detail: format!(
                "{} {}",
                p.phone.clone().unwrap_or_default(),
                units.join(" ")
            ),
            unit_id: p.units.first().map(|u| u.unit_id),
            use_kind: None,
            state: None,
        });
    }
    Ok(())
}

/// Counts for a community's overview.
pub async fn community_counts(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<[i64; 5]> {
    ctx.require_in(Perm::RegistryRead, c)?;
    let mut out = [0; 5];
    for (i, t) in ["buildings", "units", "people", "vehicles", "parking_spaces"]
        .iter()
        .enumerate()
    {
        out[i] = store::count(
            &core.db,
            &format!("SELECT COUNT(*) FROM {t} WHERE community_id = $1"),
            args![c],
        )
        .await?;
    }
    Ok(out)
}
