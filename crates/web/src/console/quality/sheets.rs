//! The company's audit sheets (督导评分细则): the list, a sheet's items as its current version
//! prints them — section, item, the elements checked and the scoring rule — and the form that adds
//! a sheet or edits one into its next version.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use wuye_core::quality::{self, AuditSheet, SheetForSave, SheetItemInput};
use wuye_core::shared::ids::*;

use super::super::flash::done;
use super::super::movein::some;
use super::super::{Id, OrPage, PageResult, Shell, form_outcome, page};
use super::pts;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audit-sheets", get(list).post(create))
        .route("/audit-sheets/new", get(new_form))
        .route("/audit-sheets/{id}", get(one).post(update))
        .route("/audit-sheets/{id}/edit", get(edit_form))
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

/// Blank rows offered below a sheet's items, to add some.
const SPARE_ROWS: usize = 3;

/// An item's row of the form, as typed (elements one per line).
#[derive(Default, Clone)]
struct Row {
    section: String,
    item: String,
    standard: String,
    elements: String,
    max: String,
    deduct_min: String,
    deduct_max: String,
}

#[derive(Template)]
#[template(path = "quality/sheet_edit.html")]
struct EditPage {
    s: Shell,
    /// None: a new sheet.
    id: Option<i64>,
    code: String,
    /// The sheet's name (not `name`: a form macro's parameter is called so).
    title: String,
    weight: String,
    active: bool,
    version: i64,
    rows: Vec<Row>,
}

impl EditPage {
    /// The problems of row `k`'s field, named as the service names them.
    fn ierr(&self, k: &usize, field: &str) -> String {
        let mut out = self.s.ferr(&format!("items[{k}].{field}"));
        if field == "elements" {
            for j in 0..wuye_core::quality::model::MAX_ELEMENTS {
                out += &self.s.ferr(&format!("items[{k}].elements[{j}]"));
            }
        }
        out
    }
}

fn with_spare(mut rows: Vec<Row>) -> Vec<Row> {
    rows.extend((0..SPARE_ROWS).map(|_| Row::default()));
    rows
}

async fn new_form(u: ConsoleUser) -> PageResult {
    Ok(page(&EditPage {
        s: Shell::of(&u),
        id: None,
        code: String::new(),
        title: String::new(),
        weight: "25".into(),
        active: true,
        version: 0,
        rows: with_spare(Vec::new()),
    }))
}

async fn edit_form(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let sheet = quality::get_sheet(&st.core, &u.ctx, AuditSheetId(id))
        .await
        .or_page(&u)?;
    let rows = sheet
        .items
        .iter()
        .map(|i| Row {
            section: i.section.clone(),
            item: i.item.clone(),
            standard: i.standard.clone().unwrap_or_default(),
            elements: i.elements.join("\n"),
            max: pts(&i.max_cp),
            deduct_min: pts(&i.deduct_min_cp),
            deduct_max: pts(&i.deduct_max_cp),
        })
        .collect();
    Ok(page(&EditPage {
        s: Shell::of(&u),
        id: Some(id),
        code: sheet.code,
        title: sheet.name,
        weight: sheet.weight_pct.to_string(),
        active: sheet.active,
        version: sheet.version,
        rows: with_spare(rows),
    }))
}

/// The form as sent: its rows (those left wholly blank dropped) and the sheet it saves.
fn read_form(s: Shell, f: &[(String, String)]) -> (EditPage, SheetForSave, Vec<Row>) {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let n = f.iter().filter(|(n, _)| n.starts_with("item_")).count();
    let rows: Vec<Row> = (0..n)
        .map(|k| Row {
            section: get(&format!("section_{k}")),
            item: get(&format!("item_{k}")),
            standard: get(&format!("standard_{k}")),
            elements: get(&format!("elements_{k}")),
            max: get(&format!("max_{k}")),
            deduct_min: get(&format!("deduct_min_{k}")),
            deduct_max: get(&format!("deduct_max_{k}")),
        })
        .filter(|r| {
            [
                &r.section,
                &r.item,
                &r.standard,
                &r.elements,
                &r.max,
                &r.deduct_min,
                &r.deduct_max,
            ]
            .iter()
            .any(|v| !v.trim().is_empty())
        })
        .collect();
    let items = rows
        .iter()
        .map(|r| SheetItemInput {
            section: r.section.clone(),
            item: r.item.clone(),
            standard: some(&r.standard),
            elements: r
                .elements
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_string)
                .collect(),
            max: r.max.clone(),
            deduct_min: r.deduct_min.clone(),
            deduct_max: r.deduct_max.clone(),
        })
        .collect();
    let weight = get("weight_pct");
    let version: i64 = get("version").trim().parse().unwrap_or(0);
    let input = SheetForSave {
        code: some(&get("code")),
        name: get("name"),
        // A weight that is no number is sent on as 0, which the service names as out of range.
        weight_pct: weight.trim().parse().unwrap_or(0),
        active: Some(!get("active").is_empty()),
        items,
        version: (version > 0).then_some(version),
    };
    let page = EditPage {
        s,
        id: None,
        code: get("code"),
        title: get("name"),
        weight,
        active: !get("active").is_empty(),
        version,
        rows: Vec::new(),
    };
    (page, input, rows)
}

async fn save(
    st: &AppState,
    u: &ConsoleUser,
    id: Option<i64>,
    f: Vec<(String, String)>,
) -> PageResult {
    let (mut again, input, rows) = read_form(Shell::of(u), &f);
    let r = match id {
        Some(id) => quality::update_sheet(&st.core, &u.ctx, AuditSheetId(id), input).await,
        None => quality::create_sheet(&st.core, &u.ctx, input).await,
    };
    again.id = id;
    again.rows = with_spare(rows);
    form_outcome(
        u,
        r,
        |sheet| {
            done(
                st,
                u,
                &format!("/audit-sheets/{}", sheet.id),
                u.locale.t("qa.sheet_saved"),
            )
        },
        |s| async move {
            again.s = s;
            Ok(page(&again))
        },
    )
    .await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&st, &u, None, f).await
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    save(&st, &u, Some(id), f).await
}
