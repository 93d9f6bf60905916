//! Buildings (楼栋): named uniquely within a community, deletable only while they hold no unit.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_multiline, required_text};

use super::{get_community, reach};

pub async fn list_buildings(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<Building>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    store::buildings::list(&core.db, community).await
}

pub async fn get_building(core: &Core, ctx: &Ctx, id: BuildingId) -> CoreResult<Building> {
    let b: Building = store::buildings::get(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("building"))?;
    reach(ctx, b.community_id, "building")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(b)
}

fn check_floors(f: Option<i64>) -> Result<Option<i64>, FieldError> {
    match f {
        Some(n) if !(1..=200).contains(&n) => {
            Err(FieldError::new("floors", RegistryCode::FloorsOutOfRange)
                .with("min", 1)
                .with("max", 200))
        }
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
    if store::buildings::name_taken(&mut tx, input.community_id, name.clone(), None).await? {
        return Err(CoreError::conflict("name", RegistryCode::DuplicateBuilding));
    }
    let now = Utc::now();
    let id = store::buildings::insert(
        &mut tx,
        input.community_id,
        name,
        floors.flatten(),
        note.flatten(),
        now,
    )
    .await
    .map_err(|e| e.or_conflict("name", RegistryCode::DuplicateBuilding))?;
    let b = store::buildings::get_in(&mut tx, BuildingId(id)).await?;
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
    if store::buildings::name_taken(&mut tx, before.community_id, name.clone(), Some(id)).await? {
        return Err(CoreError::conflict("name", RegistryCode::DuplicateBuilding));
    }
    store::buildings::update(&mut tx, id, name, floors, note, Utc::now())
        .await
        .map_err(|e| e.or_conflict("name", RegistryCode::DuplicateBuilding))?;
    let b = store::buildings::get_in(&mut tx, id).await?;
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
    let n = store::buildings::unit_count(&mut tx, id).await?;
    if n > 0 {
        return Err(CoreError::Conflict(
            FieldError::new("id", RegistryCode::BuildingHasUnits).with("count", n),
        ));
    }
    store::buildings::delete(&mut tx, id).await?;
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
