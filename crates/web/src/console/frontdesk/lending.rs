//! The desk's lending of small items (雨伞/工具借用): the lending form first (the item, how
//! many, the unit and name as the desk types them, how the deposit is paid), the loans out
//! with those overdue first, each with its return button (the deposit paid back as it was
//! paid, or otherwise), and the items with their stock. A manager adds and edits items
//! (`/lend-items/{id}`).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::billing::model::PayMethod;
use wuye_core::frontdesk::{
    self, ItemLoan, ItemLoanFilter, ItemLoanForCreate, ItemReturn, LendItem, LendItemForSave,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::{community_of, said};
use super::super::flash::done;
use super::super::forms::{Opt, form_time, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{manages, zone};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/lending", get(desk).post(lend))
        .route("/lend-items", post(add_item))
        .route("/lend-items/{id}", get(item_page).post(save_item))
        .route("/item-loans/{id}/return", post(give_back))
}

/// A loan as the desk's list shows it.
pub struct LoanRow {
    pub id: i64,
    pub item: String,
    pub quantity: i64,
    pub borrower: String,
    pub unit: String,
    pub phone: String,
    pub lent: String,
    pub due: String,
    pub overdue: bool,
    pub returned: String,
    pub lost: bool,
    pub deposit: String,
    pub deposit_held: bool,
    pub by: String,
}

fn yuan(fen: i64) -> String {
    Money(fen).to_string()
}

fn loan_row(l: &ItemLoan, tz: chrono_tz::Tz) -> LoanRow {
    LoanRow {
        id: l.id.0,
        item: l.item_name.clone(),
        quantity: l.quantity,
        borrower: l.borrower_name.clone(),
        unit: l.unit_label.clone().unwrap_or_default(),
        phone: l.phone.clone().unwrap_or_default(),
        lent: local_time(l.lent_at, tz),
        due: local_time(l.due_at, tz),
        overdue: l.overdue,
        returned: l.returned_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        lost: l.lost,
        deposit: l.deposit_fen.map(yuan).unwrap_or_default(),
        deposit_held: l.deposit_state.as_deref() == Some("held"),
        by: l.lent_by_name.clone().unwrap_or_default(),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/lending.html")]
struct DeskPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    can_manage: bool,
    items: Vec<LendItem>,
    methods: Vec<Opt>,
    q: DeskQ,
    f: LendForm,
    add: ItemForm,
    loans: Vec<LoanRow>,
}

impl DeskPage {
    fn deposit_of(&self, i: &LendItem) -> String {
        if i.deposit_fen > 0 {
            yuan(i.deposit_fen)
        } else {
            String::new()
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeskQ {
    community: Option<String>,
    /// `out` (default), `overdue`, `returned`, `all`.
    show: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LendForm {
    community: i64,
    item_id: i64,
    quantity: String,
    unit_label: String,
    borrower_name: String,
    phone: String,
    deposit_method: String,
    due_at: String,
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ItemForm {
    community: i64,
    name: String,
    stock: String,
    deposit: String,
    loan_days: String,
    note: String,
    retired: String,
}

impl ItemForm {
    fn input(&self) -> LendItemForSave {
        let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        LendItemForSave {
            name: self.name.clone(),
            // A stock left empty or not a number is refused by its range, named.
            stock: self.stock.trim().parse().unwrap_or(-1),
            deposit: some(&self.deposit),
            loan_days: some(&self.loan_days).map(|d| d.parse().unwrap_or(0)),
            note: some(&self.note),
            retired: Some(self.retired == "1"),
        }
    }
}

async fn render_desk(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: DeskQ,
    f: Option<LendForm>,
    add: Option<ItemForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let items = frontdesk::list_lend_items(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let filter = ItemLoanFilter {
        state: match q.show.as_str() {
            "returned" => Some("returned".into()),
            "all" => None,
            _ => Some("out".into()),
        },
        overdue: Some(q.show == "overdue"),
        item_id: None,
        unit_id: None,
    };
    let loans = frontdesk::list_item_loans(&st.core, &u.ctx, CommunityId(c), filter)
        .await
        .or_page(u)?
        .iter()
        .map(|l| loan_row(l, tz))
        .collect();
    let f = f.unwrap_or_else(|| LendForm {
        community: c,
        quantity: "1".into(),
        deposit_method: "cash".into(),
        ..Default::default()
    });
    let add = add.unwrap_or_else(|| ItemForm {
        community: c,
        loan_days: "1".into(),
        ..Default::default()
    });
    Ok(page(&DeskPage {
        s,
        communities,
        community: c,
        can_manage: manages(u),
        items,
        methods: opts(PayMethod::ALL, u.locale),
        q,
        f,
        add,
        loans,
    }))
}

async fn desk(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DeskQ>) -> PageResult {
    render_desk(&st, &u, Shell::of(&u), q, None, None).await
}

/// The desk page again with a refused form's input and each message beside its field.
async fn again(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    e: CoreError,
    f: Option<LendForm>,
    add: Option<ItemForm>,
) -> PageResult {
    let status = describe(&e, u.locale).0;
    let s = Shell::of(u).with_error(&e);
    let q = DeskQ {
        community: Some(c.to_string()),
        show: String::new(),
    };
    let mut r = render_desk(st, u, s, q, f, add).await?;
    *r.status_mut() = status;
    Ok(r)
}

async fn lend(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<LendForm>,
) -> PageResult {
    let c = f.community;
    let tz = zone(&st, &u, c).await;
    let mut errs = Vec::new();
    let due_at = if f.due_at.trim().is_empty() {
        None
    } else {
        form_time("due_at", &f.due_at, tz, &mut errs)
    };
    if f.item_id <= 0 {
        errs.push(wuye_core::FieldError::new(
            "item_id",
            wuye_core::shared::error::CommonCode::Choose,
        ));
    }
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let r = if errs.is_empty() {
        let input = ItemLoanForCreate {
            quantity: some(&f.quantity).map(|q| q.parse().unwrap_or(0)),
            unit_id: None,
            unit_label: some(&f.unit_label),
            person_id: None,
            borrower_name: some(&f.borrower_name),
            phone: some(&f.phone),
            due_at,
            deposit_method: some(&f.deposit_method),
            note: some(&f.note),
        };
        frontdesk::lend_item(&st.core, &u.ctx, LendItemId(f.item_id), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    match r {
        Ok(l) => {
            let msg = u
                .locale
                .t("fd.item_lent")
                .replace("{item}", &l.item_name)
                .replace("{n}", &l.quantity.to_string())
                .replace("{name}", &l.borrower_name);
            Ok(done(&st, &u, &format!("/lending?community={c}"), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            again(&st, &u, c, e, Some(f), None).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReturnForm {
    community: i64,
    refund_method: String,
    note: String,
    lost: String,
}

async fn give_back(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReturnForm>,
) -> PageResult {
    let input = ItemReturn {
        refund_method: Some(f.refund_method).filter(|m| !m.is_empty()),
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
        lost: f.lost == "1",
    };
    let key = if input.lost {
        "fd.item_written_off"
    } else {
        "fd.item_returned"
    };
    let r = frontdesk::return_item_loan(&st.core, &u.ctx, ItemLoanId(id), input).await;
    let to = format!("/lending?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), key)
}

async fn add_item(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult {
    let c = f.community;
    match frontdesk::create_lend_item(&st.core, &u.ctx, CommunityId(c), f.input()).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/lending?community={c}"),
            u.locale.t("fd.item_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            again(&st, &u, c, e, None, Some(f)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/lend_item.html")]
struct ItemPage {
    s: Shell,
    id: i64,
    it: LendItem,
    f: ItemForm,
    history: Vec<LoanRow>,
}

async fn render_item(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    id: i64,
    f: Option<ItemForm>,
) -> PageResult {
    let it = frontdesk::get_lend_item(&st.core, &u.ctx, LendItemId(id))
        .await
        .or_page(u)?;
    let c = it.community_id;
    let tz = zone(st, u, c.0).await;
    let filter = ItemLoanFilter {
        item_id: Some(id),
        ..Default::default()
    };
    let history = frontdesk::list_item_loans(&st.core, &u.ctx, c, filter)
        .await
        .or_page(u)?
        .iter()
        .map(|l| loan_row(l, tz))
        .collect();
    let f = f.unwrap_or_else(|| ItemForm {
        community: c.0,
        name: it.name.clone(),
        stock: it.stock.to_string(),
        deposit: if it.deposit_fen > 0 {
            yuan(it.deposit_fen)
        } else {
            String::new()
        },
        loan_days: it.loan_days.to_string(),
        note: it.note.clone().unwrap_or_default(),
        retired: if it.retired {
            "1".into()
        } else {
            String::new()
        },
    });
    Ok(page(&ItemPage {
        s,
        id,
        it,
        f,
        history,
    }))
}

async fn item_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_item(&st, &u, Shell::of(&u), id, None).await
}

async fn save_item(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult {
    match frontdesk::update_lend_item(&st.core, &u.ctx, LendItemId(id), f.input()).await {
        Ok(it) => Ok(done(
            &st,
            &u,
            &format!("/lending?community={}", it.community_id),
            u.locale.t("fd.item_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_item(&st, &u, s, id, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
