//! The company's audit sheets (督导评分细则): the list, and a sheet's items as its current version
//! prints them — section, item, the elements checked and the scoring rule.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use wuye_core::quality::{self, AuditSheet};
use wuye_core::shared::ids::*;

use super::super::{Id, OrPage, PageResult, Shell, page};
use super::pts;
use crate::AppState;
use crate::extract::ConsoleUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit-sheets", get(list))
        .route("/audit-sheets/{id}", get(one))
}

#[derive(Template)]
#[template(path = "quality/sheets.html")]
struct ListPage {
    s: Shell,
    sheets: Vec<AuditSheet>,
}

impl ListPage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
}

async fn list(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let sheets = quality::list_sheets(&st.core, &u.ctx).await.or_page(&u)?;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        sheets,
    }))
}

#[derive(Template)]
#[template(path = "quality/sheet.html")]
struct OnePage {
    s: Shell,
    sheet: AuditSheet,
}

impl OnePage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let sheet = quality::get_sheet(&st.core, &u.ctx, AuditSheetId(id))
        .await
        .or_page(&u)?;
    Ok(page(&OnePage {
        s: Shell::of(&u),
        sheet,
    }))
}
