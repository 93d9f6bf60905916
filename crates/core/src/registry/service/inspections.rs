//! Inspections of vacant units (空置房巡查): who looked at an empty unit, when, and what they
//! found; recorded as a change of the unit so its history shows them.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::required_multiline;

use super::get_unit;

pub(in crate::registry) async fn list_inspections(
    core: &Core,
    unit: UnitId,
) -> CoreResult<Vec<VacantInspection>> {
    store::inspections::of_unit(&core.db, unit).await
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
        c.push(FieldError::new("inspected_on", RegistryCode::DateInFuture));
    }
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let id = store::inspections::insert(
        &mut tx,
        u.community_id,
        unit,
        input.inspected_on,
        ctx.actor(),
        findings,
        Utc::now(),
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
