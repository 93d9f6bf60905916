//! The owner's decorations in the portal (phone-sized): each application with its state, the
//! money to pay at the cashier, the inspections' violations with their deadlines; the form that
//! applies for one of his own units; withdrawing one not yet decided.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::decoration::model::ViolationKind;
use wuye_core::decoration::{self as dec, Decoration, DecorationRequest};
use wuye_core::shared::ids::*;

use super::super::flash::done;
use super::super::forms::label;
use super::super::{Id, OrPage, PageResult, Shell, form_outcome, page};
use super::{Row, WorksForm, row, yuan};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/decorations", get(mine).post(apply))
        .route("/portal/decorations/{id}/cancel", post(cancel))
}

#[derive(Template)]
#[template(path = "portal/decorations.html")]
struct MinePage {
    s: Shell,
    units: Vec<(i64, String)>,
    rows: Vec<(Row, Decoration)>,
    f: ApplyForm,
    w: WorksForm,
}

impl MinePage {
    fn yuan(&self, fen: &i64) -> String {
        yuan(*fen)
    }
    fn violation_kind(&self, k: &ViolationKind) -> &'static str {
        label(ViolationKind::ALL, k, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ApplyForm {
    unit_id: i64,
    #[serde(flatten)]
    w: WorksForm,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, f: Option<ApplyForm>) -> PageResult {
    let me = wuye_core::portal::profile(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let rows = dec::my_decorations(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .map(|d| (row(&d, u.locale), d))
        .collect();
    let owned: Vec<(i64, String)> = me
        .units
        .iter()
        .filter(|x| x.relation == "owner")
        .map(|x| (x.unit_id.0, x.label.clone()))
        .collect();
    let f = f.unwrap_or_else(|| ApplyForm {
        unit_id: owned.first().map(|x| x.0).unwrap_or(0),
        ..Default::default()
    });
    Ok(page(&MinePage {
        s,
        units: owned,
        rows,
        w: f.w.clone(),
        f,
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render(&st, &u, Shell::of(&u), None).await
}

async fn apply(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ApplyForm>,
) -> PageResult {
    let r = match f.w.works() {
        Ok(works) => {
            let input = DecorationRequest {
                unit_id: UnitId(f.unit_id),
                works,
            };
            dec::request_decoration(&st.core, &u.ctx, input).await
        }
        Err(e) => Err(e),
    };
    form_outcome(
        &u,
        r,
        |d| {
            let msg = u.locale.t("dec.applied").replace("{number}", &d.number);
            done(&st, &u, "/portal/decorations", msg)
        },
        |s| render(&st, &u, s, Some(f.clone())),
    )
    .await
}

/// A form with nothing but its CSRF token (an action's button).
#[derive(Deserialize, Default)]
struct Nothing {}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Nothing>,
) -> PageResult {
    let r = dec::cancel_my_decoration(&st.core, &u.ctx, DecorationId(id)).await;
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, "/portal/decorations", u.locale.t("dec.cancelled")),
        |s| render(&st, &u, s, None),
    )
    .await
}
