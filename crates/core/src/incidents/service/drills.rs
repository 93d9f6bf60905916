//! Drills (演练): recorded after they are held, with their plan, date, place, participants and
//! findings; listed per community; printed as the audit sheet's drill record.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::IncidentCode;
use super::super::store;
use super::super::store::drills::{DrillRow, NewDrill};
use crate::audit::{self, Action, Entry};
use crate::duty::require_staff_in;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Drill {
    pub id: DrillId,
    pub community_id: CommunityId,
    pub plan_id: PlanId,
    pub plan_name: String,
    #[schema(value_type = String, format = Date)]
    pub held_on: NaiveDate,
    pub place: String,
    /// Who took part, as written (names, teams, numbers).
    pub participants: String,
    pub findings: String,
    pub created_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct DrillForCreate {
    pub plan_id: PlanId,
    /// `YYYY-MM-DD`, not later than today.
    pub held_on: String,
    pub place: String,
    pub participants: String,
    pub findings: String,
}

fn text(field: &str, raw: &str, max: usize, errs: &mut Vec<FieldError>) -> String {
    let t = raw.trim();
    if t.is_empty() {
        errs.push(FieldError::new(field, CommonCode::Required));
    } else if t.chars().count() > max {
        errs.push(FieldError::new(field, CommonCode::TooLong).with("max", max));
    }
    t.to_string()
}

async fn drill_of(core: &Core, r: DrillRow) -> CoreResult<Drill> {
    let plan_name = store::plans::get(&mut core.db.read(), r.plan_id)
        .await?
        .map(|p| p.name)
        .unwrap_or_default();
    Ok(Drill {
        id: r.id,
        community_id: r.community_id,
        plan_id: r.plan_id,
        plan_name,
        held_on: r.held_on,
        place: r.place,
        participants: r.participants,
        findings: r.findings,
        created_by: r.created_by,
        created_at: r.created_at,
    })
}

/// Records a drill held (`incidents.manage`).
pub async fn record_drill(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: DrillForCreate,
) -> CoreResult<Drill> {
    ctx.require_in(Perm::IncidentsManage, c)?;
    let tz = crate::duty::tz_of(&mut core.db.read(), ctx, c).await?;
    let mut errs = Vec::new();
    let plan_ok = store::plans::get(&mut core.db.read(), input.plan_id)
        .await?
        .is_some_and(|p| p.company_id == ctx.company_id);
    if !plan_ok {
        errs.push(FieldError::new("plan_id", IncidentCode::UnknownPlan));
    }
    let held_on = match NaiveDate::parse_from_str(input.held_on.trim(), "%Y-%m-%d") {
        Ok(d) if d > Utc::now().with_timezone(&tz).date_naive() => {
            errs.push(FieldError::new("held_on", IncidentCode::DrillInFuture));
            None
        }
        Ok(d) => Some(d),
        Err(_) => {
            errs.push(FieldError::new("held_on", CommonCode::InvalidDate));
            None
        }
    };
    let place = text("place", &input.place, 100, &mut errs);
    let participants = text("participants", &input.participants, 1000, &mut errs);
    let findings = text("findings", &input.findings, 4000, &mut errs);
    let (Some(held_on), true) = (held_on, errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let mut tx = core.db.begin().await?;
    let d = NewDrill {
        plan: input.plan_id,
        held_on,
        place: &place,
        participants: &participants,
        findings: &findings,
    };
    let id = store::drills::insert(&mut tx, c, &d, ctx.actor(), Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "drill", id.0)
            .community(c)
            .after(&serde_json::json!({ "plan": input.plan_id, "held_on": held_on })),
    )
    .await?;
    tx.commit().await?;
    get_drill(core, ctx, id).await
}

pub async fn get_drill(core: &Core, ctx: &Ctx, id: DrillId) -> CoreResult<Drill> {
    let r = store::drills::get(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("drill"))?;
    require_staff_in(ctx, r.community_id)?;
    drill_of(core, r).await
}

/// The community's drills, latest first (any staff member).
pub async fn list_drills(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Drill>> {
    require_staff_in(ctx, c)?;
    let mut out = Vec::new();
    for r in store::drills::list(&mut core.db.read(), c).await? {
        out.push(drill_of(core, r).await?);
    }
    Ok(out)
}
