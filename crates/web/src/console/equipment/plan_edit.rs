//! A maintenance plan's page: its form filled with the plan as it is, saved through the same
//! service as the API's `PUT /api/v1/maintenance-plans/{id}` (a refusal comes back with the
//! message beside its field), and the box that stops or restarts it.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use wuye_core::CoreError;
use wuye_core::equipment::model::{Anchor, Frequency, System};
use wuye_core::equipment::{self as eq, MaintenancePlan};
use wuye_core::shared::ids::*;

use super::rooms::{PlanForm, plan_input};
use super::{shell, shown};
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::{Opt, opts};
use crate::console::{OrPage, PageError, PageResult, Shell, page};
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new().route("/maintenance/plans/{id}", get(show).post(save))
}

#[derive(Template)]
#[template(path = "equipment/plan.html")]
struct PlanPage {
    s: Shell,
    id: i64,
    community: i64,
    template_key: Option<String>,
    systems: Vec<Opt>,
    frequencies: Vec<Opt>,
    anchors: Vec<Opt>,
    f: PlanForm,
}

/// The form as the plan stands; the item by its code, as the new-plan form asks for it.
async fn form_of(st: &AppState, u: &ConsoleUser, p: &MaintenancePlan) -> PlanForm {
    let code = match p.equipment_id {
        Some(i) => eq::get_equipment(&st.core, &u.ctx, i)
            .await
            .map(|e| e.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let calendar = !matches!(p.frequency, Frequency::OnMonths | Frequency::Meter);
    PlanForm {
        community: p.community_id.0.to_string(),
        equipment_code: code,
        system: p.system.code().into(),
        title: p.title.clone(),
        frequency: p.frequency.code().into(),
        every: if calendar {
            p.every.to_string()
        } else {
            String::new()
        },
        months: p
            .months
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(","),
        day: p.day_of_month.map(|d| d.to_string()).unwrap_or_default(),
        anchor: p.anchor.code().into(),
        start_on: p.start_on.to_string(),
        meter: p.meter.clone().unwrap_or_default(),
        threshold: p.threshold.clone().unwrap_or_default(),
        checklist: p.checklist.join("\n"),
        required_attachments: p.required_attachments.join("\n"),
        contractor: p.contractor.clone().unwrap_or_default(),
        active: if p.active { "1".into() } else { String::new() },
    }
}

fn render(
    u: &ConsoleUser,
    p: &MaintenancePlan,
    f: PlanForm,
    err: Option<&CoreError>,
) -> axum::response::Response {
    let l = u.locale;
    shown(
        page(&PlanPage {
            s: shell(u, err),
            id: p.id.0,
            community: p.community_id.0,
            template_key: p.template_key.clone(),
            systems: opts(System::ALL, l),
            frequencies: opts(Frequency::ALL, l),
            anchors: opts(Anchor::ALL, l),
            f,
        }),
        err,
        u,
    )
}

/// Only a manager opens the form (`equipment.manage`); another community's plan is not found.
async fn managed(
    st: &AppState,
    u: &ConsoleUser,
    id: MaintenancePlanId,
) -> Result<MaintenancePlan, PageError> {
    let p = eq::get_plan(&st.core, &u.ctx, id).await.or_page(u)?;
    u.ctx
        .require_in(wuye_core::Perm::EquipmentManage, p.community_id)
        .map_err(|e| PageError::new(u, e))?;
    Ok(p)
}

async fn show(State(st): State<AppState>, u: ConsoleUser, Path(id): Path<i64>) -> PageResult {
    let p = managed(&st, &u, MaintenancePlanId(id)).await?;
    let f = form_of(&st, &u, &p).await;
    Ok(render(&u, &p, f, None))
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<PlanForm>,
) -> PageResult {
    let p = managed(&st, &u, MaintenancePlanId(id)).await?;
    let mut input = plan_input(&st, &u, p.community_id, &f).await?;
    // What the form does not show stays as it is.
    input.assignee_id = p.assignee_id;
    input.lead_days = Some(p.lead_days);
    input.active = Some(f.active == "1");
    match eq::update_plan(&st.core, &u.ctx, p.id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/maintenance/plans?community={}", p.community_id.0),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            Ok(render(&u, &p, f, Some(&e)))
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
