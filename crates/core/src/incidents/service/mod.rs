//! The plan library: the seven shipped plans (added to a company with none), a manager adds and
//! edits plans; every staff member reads them. Incidents are in [`incidents`] (their .xlsx
//! export in [`export`]), drills in [`drills`].

use chrono::Utc;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::IncidentCode;
use super::model::{self, IncidentKind, PlanForSave, PlanLevel, PlanStep};
use super::store;
use super::store::plans::{PlanFields, PlanRow};
use crate::audit::{self, Action, Entry};
use crate::db::Tx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

pub mod drills;
pub mod export;
pub mod incidents;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Plan {
    pub id: PlanId,
    pub kind: IncidentKind,
    pub name: String,
    pub summary: Option<String>,
    pub steps: Vec<PlanStep>,
    pub ladder: Vec<PlanLevel>,
    /// Shipped with the system (editable like any other).
    pub builtin: bool,
    pub active: bool,
    pub updated_at: chrono::DateTime<Utc>,
}

pub(crate) fn plan_of(r: PlanRow) -> CoreResult<Plan> {
    Ok(Plan {
        id: r.id,
        kind: IncidentKind::from_stored(&r.kind)?,
        steps: serde_json::from_str(&r.steps).map_err(CoreError::internal)?,
        ladder: serde_json::from_str(&r.ladder).map_err(CoreError::internal)?,
        name: r.name,
        summary: r.summary,
        builtin: r.builtin,
        active: r.active,
        updated_at: r.updated_at,
    })
}

/// Staff of the company (not owners) read the library.
fn require_staff(ctx: &Ctx) -> CoreResult<()> {
    if ctx.role == crate::auth::model::OWNER_ROLE {
        return Err(CoreError::Forbidden);
    }
    Ok(())
}

/// Adds the shipped plans to a company that has none (its first day, or at start for companies
/// older than the library).
pub(crate) async fn seed_plans(tx: &mut Tx, company: CompanyId) -> CoreResult<()> {
    if store::plans::any(tx, company).await? {
        return Ok(());
    }
    let now = Utc::now();
    let ladder = serde_json::to_string(&model::default_ladder()).map_err(CoreError::internal)?;
    for (kind, name, summary, steps) in model::DEFAULT_PLANS {
        let steps: Vec<PlanStep> = steps
            .iter()
            .map(|(t, r)| PlanStep {
                text: (*t).into(),
                role: (*r).into(),
            })
            .collect();
        let f = PlanFields {
            kind: kind.code(),
            name,
            summary: Some(summary),
            steps: serde_json::to_string(&steps).map_err(CoreError::internal)?,
            ladder: ladder.clone(),
            active: true,
        };
        store::plans::insert(tx, company, &f, true, now).await?;
    }
    Ok(())
}

/// Gives every company without plans the shipped ones (at start).
pub async fn ensure_plans(core: &Core) -> CoreResult<()> {
    let companies = crate::auth::store::for_tickets::companies(&core.db).await?;
    let mut tx = core.db.begin().await?;
    for c in companies {
        seed_plans(&mut tx, c).await?;
    }
    tx.commit().await
}

/// The company's plans (any staff member).
pub async fn list_plans(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Plan>> {
    require_staff(ctx)?;
    store::plans::list(&mut core.db.read(), ctx.company_id)
        .await?
        .into_iter()
        .map(plan_of)
        .collect()
}

pub async fn get_plan(core: &Core, ctx: &Ctx, id: PlanId) -> CoreResult<Plan> {
    require_staff(ctx)?;
    store::plans::get(&mut core.db.read(), id)
        .await?
        .filter(|r| r.company_id == ctx.company_id)
        .ok_or(CoreError::NotFound("plan"))
        .and_then(plan_of)
}

async fn checked(core: &Core, input: &PlanForSave) -> CoreResult<()> {
    let roles: Vec<String> = crate::auth::store::roles::list_roles(&core.db)
        .await?
        .into_iter()
        .map(|r| r.code)
        .filter(|c| c != crate::auth::model::OWNER_ROLE)
        .collect();
    model::check_plan(input, &roles)
        .map(|_| ())
        .map_err(CoreError::Invalid)
}

fn fields(input: &PlanForSave) -> CoreResult<PlanFields<'_>> {
    let steps: Vec<PlanStep> = input
        .steps
        .iter()
        .map(|s| PlanStep {
            text: s.text.trim().into(),
            role: s.role.trim().into(),
        })
        .collect();
    Ok(PlanFields {
        kind: input.kind.trim(),
        name: input.name.trim(),
        summary: input
            .summary
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty()),
        steps: serde_json::to_string(&steps).map_err(CoreError::internal)?,
        ladder: serde_json::to_string(&input.ladder).map_err(CoreError::internal)?,
        active: input.active,
    })
}

/// Adds a plan to the library (`incidents.manage`); a name the company has: 409 on `name`.
pub async fn create_plan(core: &Core, ctx: &Ctx, input: PlanForSave) -> CoreResult<Plan> {
    ctx.require(Perm::IncidentsManage)?;
    checked(core, &input).await?;
    let kind = IncidentKind::parse("kind", &input.kind).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut input = input;
    input.kind = kind.code().into();
    let mut tx = core.db.begin().await?;
    let id = store::plans::insert(&mut tx, ctx.company_id, &fields(&input)?, false, Utc::now())
        .await?
        .ok_or_else(|| CoreError::conflict("name", IncidentCode::DuplicateName))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "emergency_plan", id.0)
            .after(&serde_json::json!({ "kind": input.kind, "name": input.name.trim() })),
    )
    .await?;
    tx.commit().await?;
    get_plan(core, ctx, id).await
}

/// Rewrites a plan (incidents already open keep the steps they copied).
pub async fn update_plan(
    core: &Core,
    ctx: &Ctx,
    id: PlanId,
    input: PlanForSave,
) -> CoreResult<Plan> {
    ctx.require(Perm::IncidentsManage)?;
    let before = get_plan(core, ctx, id).await?;
    checked(core, &input).await?;
    let kind = IncidentKind::parse("kind", &input.kind).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut input = input;
    input.kind = kind.code().into();
    let mut tx = core.db.begin().await?;
    if store::plans::update(&mut tx, ctx.company_id, id, &fields(&input)?, Utc::now()).await? == 0 {
        return Err(CoreError::conflict("name", IncidentCode::DuplicateName));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "emergency_plan", id.0)
            .before(&serde_json::json!({ "name": before.name, "steps": before.steps.len() }))
            .after(&serde_json::json!({ "name": input.name.trim(), "steps": input.steps.len() })),
    )
    .await?;
    tx.commit().await?;
    get_plan(core, ctx, id).await
}
