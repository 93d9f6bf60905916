//! Parking spaces (车位) and vehicles (车辆). Both may name a unit and a holder of their own
//! community; an update's id fields follow one rule (absent keeps, 0 clears, another replaces).

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store::{
    self,
    parking::{SpaceValues, VehicleValues},
};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_multiline, optional_text, parse_code, parse_plate};

use super::{get_community, reach};

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
        c.push(FieldError::new("unit_id", RegistryCode::UnknownUnit));
    }
    if let Some(p) = person
        && store::person_row(&core.db, p)
            .await?
            .is_none_or(|r| r.community_id != community)
    {
        c.push(FieldError::new("person_id", RegistryCode::UnknownPerson));
    }
    Ok(())
}

/// A vehicle's space must be one of the community's.
async fn check_space(
    core: &Core,
    c: &mut Checks,
    community: CommunityId,
    space: Option<ParkingSpaceId>,
) -> CoreResult<()> {
    if let Some(s) = space
        && !store::parking::space_in_community(&core.db, s, community).await?
    {
        c.push(FieldError::new("space_id", RegistryCode::UnknownSpace));
    }
    Ok(())
}

/// What a write that lost a race to a delete answers. The unit, holder and space were checked
/// before the write transaction; one deleted meanwhile fails the write's foreign key, and is
/// then named like one that was never there (422 on its field), not as a server error.
async fn gone_since_checked(
    core: &Core,
    community: CommunityId,
    (unit, person, space): (Option<UnitId>, Option<PersonId>, Option<ParkingSpaceId>),
    e: CoreError,
) -> CoreError {
    if !e.is_foreign_key_violation() {
        return e;
    }
    let mut c = Checks::new();
    if let Err(again) = check_holder(core, &mut c, community, unit, person).await {
        return again;
    }
    if let Err(again) = check_space(core, &mut c, community, space).await {
        return again;
    }
    c.finish().err().unwrap_or(e)
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

// ---------------------------------------------------------------------------------------------
// Parking spaces

pub async fn list_spaces(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<ParkingSpace>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    store::parking::spaces(&core.db, community).await
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
    if store::parking::space_code_taken(&mut tx, input.community_id, code.as_str()).await? {
        return Err(CoreError::conflict(
            "code",
            RegistryCode::DuplicateSpaceCode,
        ));
    }
    let now = Utc::now();
    let values = SpaceValues {
        state: state.code().to_string(),
        unit: input.unit_id,
        person: input.person_id,
        note: note.flatten(),
    };
    let refs = (input.unit_id, input.person_id, None);
    let id =
        match store::parking::insert_space(&mut tx, input.community_id, code, values, now).await {
            Ok(id) => id,
            Err(e) => {
                drop(tx);
                let e = e.or_conflict("code", RegistryCode::DuplicateSpaceCode);
                return Err(gone_since_checked(core, input.community_id, refs, e).await);
            }
        };
    let s = store::parking::space_in(&mut tx, ParkingSpaceId(id)).await?;
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
    let s = store::parking::space(&core.db, id)
        .await?
        .ok_or(CoreError::NotFound("parking_space"))?;
    reach(ctx, s.community_id, "parking_space")?;
    ctx.require(Perm::RegistryRead)?;
    Ok(s)
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
    let values = SpaceValues {
        state,
        unit: id_change(input.unit_id, before.unit_id, UnitId),
        person: id_change(input.person_id, before.person_id, PersonId),
        note,
    };
    let refs = (
        id_set(input.unit_id, UnitId),
        id_set(input.person_id, PersonId),
        None,
    );
    let mut tx = core.db.begin().await?;
    if let Err(e) = store::parking::update_space(&mut tx, id, values, Utc::now()).await {
        drop(tx);
        return Err(gone_since_checked(core, before.community_id, refs, e).await);
    }
    let after = store::parking::space_in(&mut tx, id).await?;
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
    store::parking::delete_space(&mut tx, id).await?;
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

// ---------------------------------------------------------------------------------------------
// Vehicles

pub async fn list_vehicles(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<Vehicle>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    store::parking::vehicles(&core.db, community).await
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
    check_space(core, &mut c, input.community_id, input.space_id).await?;
    c.finish()?;
    let Some(plate) = plate else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let mut tx = core.db.begin().await?;
    if store::parking::plate_taken(&mut tx, input.community_id, plate.as_str(), None).await? {
        return Err(CoreError::conflict("plate", RegistryCode::DuplicatePlate));
    }
    let now = Utc::now();
    let values = VehicleValues {
        plate,
        person: input.person_id,
        unit: input.unit_id,
        space: input.space_id,
        brand: brand.flatten(),
        color: color.flatten(),
    };
    let refs = (input.unit_id, input.person_id, input.space_id);
    let id = match store::parking::insert_vehicle(&mut tx, input.community_id, values, now).await {
        Ok(id) => id,
        Err(e) => {
            drop(tx);
            let e = e.or_conflict("plate", RegistryCode::DuplicatePlate);
            return Err(gone_since_checked(core, input.community_id, refs, e).await);
        }
    };
    let v = store::parking::vehicle_in(&mut tx, VehicleId(id)).await?;
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
    let v = store::parking::vehicle(&core.db, id)
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
    check_space(
        core,
        &mut c,
        community,
        id_set(input.space_id, ParkingSpaceId),
    )
    .await?;
    c.finish()?;
    let Some(plate) = plate else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let mut tx = core.db.begin().await?;
    if store::parking::plate_taken(&mut tx, community, plate.as_str(), Some(id)).await? {
        return Err(CoreError::conflict("plate", RegistryCode::DuplicatePlate));
    }
    let values = VehicleValues {
        plate,
        person: id_change(input.person_id, before.person_id, PersonId),
        unit: id_change(input.unit_id, before.unit_id, UnitId),
        space: id_change(input.space_id, before.space_id, ParkingSpaceId),
        brand,
        color,
    };
    let refs = (
        id_set(input.unit_id, UnitId),
        id_set(input.person_id, PersonId),
        id_set(input.space_id, ParkingSpaceId),
    );
    if let Err(e) = store::parking::update_vehicle(&mut tx, id, values, Utc::now()).await {
        drop(tx);
        let e = e.or_conflict("plate", RegistryCode::DuplicatePlate);
        return Err(gone_since_checked(core, community, refs, e).await);
    }
    let after = store::parking::vehicle_in(&mut tx, id).await?;
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
    store::parking::delete_vehicle(&mut tx, id).await?;
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
