//! An item's edit form: the new-item form's fields filled with the item as it stands, saved
//! through the same service as the API's `PUT /api/v1/equipment/{id}` (a refusal comes back
//! with the message beside its field). Its status has its own form on the item's page.

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::routing::get;
use wuye_core::CoreError;
use wuye_core::equipment::model::System;
use wuye_core::equipment::{self as eq, Equipment};
use wuye_core::shared::ids::*;

use super::{ItemForm, item_input, shell, shown};
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::{Opt, opts};
use crate::console::{OrPage, PageError, PageResult, Shell, page};
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new().route("/equipment/{id}/edit", get(show).post(save))
}

#[derive(Template)]
#[template(path = "equipment/item_edit.html")]
struct EditPage {
    s: Shell,
    id: i64,
    code: String,
    community: i64,
    systems: Vec<Opt>,
    f: ItemForm,
}

async fn form_of(st: &AppState, u: &ConsoleUser, e: &Equipment) -> ItemForm {
    let parent_code = match e.parent_id {
        Some(p) => eq::get_equipment(&st.core, &u.ctx, p)
            .await
            .map(|p| p.code)
            .unwrap_or_default(),
        None => String::new(),
    };
    let text = |v: &Option<String>| v.clone().unwrap_or_default();
    ItemForm {
        community: e.community_id.0.to_string(),
        system: e.system.code().into(),
        category: text(&e.category),
        code: e.code.clone(),
        name: e.name.clone(),
        location: text(&e.location),
        model: text(&e.model),
        maker: text(&e.maker),
        supplier: text(&e.supplier),
        install_on: e.install_on.map(|d| d.to_string()).unwrap_or_default(),
        warranty_until: e.warranty_until.map(|d| d.to_string()).unwrap_or_default(),
        parent_code,
    }
}

fn render(
    u: &ConsoleUser,
    e: &Equipment,
    f: ItemForm,
    err: Option<&CoreError>,
) -> axum::response::Response {
    shown(
        page(&EditPage {
            s: shell(u, err),
            id: e.id.0,
            code: e.code.clone(),
            community: e.community_id.0,
            systems: opts(System::ALL, u.locale),
            f,
        }),
        err,
        u,
    )
}

/// Only a manager opens the form (`equipment.manage`); another community's item is not found.
async fn managed(st: &AppState, u: &ConsoleUser, id: EquipmentId) -> Result<Equipment, PageError> {
    let e = eq::get_equipment(&st.core, &u.ctx, id).await.or_page(u)?;
    u.ctx
        .require_in(wuye_core::Perm::EquipmentManage, e.community_id)
        .map_err(|err| PageError::new(u, err))?;
    Ok(e)
}

async fn show(State(st): State<AppState>, u: ConsoleUser, Path(id): Path<i64>) -> PageResult {
    let e = managed(&st, &u, EquipmentId(id)).await?;
    let f = form_of(&st, &u, &e).await;
    Ok(render(&u, &e, f, None))
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult {
    let e = managed(&st, &u, EquipmentId(id)).await?;
    let mut input = item_input(&st, &u, e.community_id, &f).await?;
    // What this form does not show stays as it is.
    input.status = Some(e.status.code().into());
    input.building_id = e.building_id;
    input.notes = e.notes.clone();
    match eq::update_equipment(&st.core, &u.ctx, e.id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/equipment/{}", e.id),
            u.locale.t("eq.saved"),
        )),
        Err(err @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            Ok(render(&u, &e, f, Some(&err)))
        }
        Err(err) => Err(PageError::new(&u, err)),
    }
}
