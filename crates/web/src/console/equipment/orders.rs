//! Maintenance order pages (保养工单): the community's orders with overdue ones flagged (and
//! their .xlsx export), and an order's page — the worker ticks its checklist, enters materials
//! and labour, uploads each required attachment (one small form per attachment, no script), and
//! completes it; a manager accepts it or returns it with a reason.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::equipment::model::{OrderState, Performer, System};
use wuye_core::equipment::{self as eq, MaintenanceOrder, OrderFilter, OrderWork};
use wuye_core::shared::ids::*;

use super::{community_of, shell, shown};
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::label;
use crate::console::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/maintenance/orders", get(list))
        .route("/maintenance/orders/export.xlsx", get(export))
        .route("/maintenance/orders/{id}", get(detail).post(save))
        .route("/maintenance/orders/{id}/accept", post(accept))
        .route("/maintenance/orders/{id}/return", post(give_back))
        .route("/maintenance/orders/{id}/files", post(upload))
        .route("/maintenance/orders/{id}/files/{file}", get(file))
}

pub struct OrderRow {
    pub id: MaintenanceOrderId,
    pub title: String,
    pub item: String,
    pub system: &'static str,
    pub due_on: String,
    pub overdue: bool,
    pub state: &'static str,
    pub state_code: &'static str,
}

pub fn order_row(o: &MaintenanceOrder, l: Locale) -> OrderRow {
    OrderRow {
        id: o.id,
        title: o.title.clone(),
        item: o.equipment_name.clone().unwrap_or_default(),
        system: label(System::ALL, &o.system, l),
        due_on: o.due_on.to_string(),
        overdue: o.overdue,
        state: label(OrderState::ALL, &o.state, l),
        state_code: o.state.code(),
    }
}

#[derive(Template)]
#[template(path = "equipment/orders.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    state: String,
    overdue: bool,
    rows: Vec<OrderRow>,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
    #[serde(default)]
    state: String,
    #[serde(default)]
    overdue: String,
}

/// The page's filter: a state, only the overdue.
fn order_filter(q: &ListQ) -> OrderFilter {
    OrderFilter {
        state: Some(q.state.clone()).filter(|s| !s.is_empty()),
        overdue: Some(q.overdue == "1"),
        equipment_id: None,
        plan_id: None,
    }
}

/// The orders as .xlsx: every one the page's filters pick.
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> Result<axum::response::Response, PageError> {
    let (_, community) = community_of(&st, &u, q.community.as_deref()).await?;
    let file = eq::orders_xlsx(&st.core, &u.ctx, CommunityId(community), &order_filter(&q))
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(
        file,
        "maintenance-orders.xlsx",
    ))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, community) = community_of(&st, &u, q.community.as_deref()).await?;
    let overdue = q.overdue == "1";
    let f = order_filter(&q);
    let rows = eq::list_orders(&st.core, &u.ctx, CommunityId(community), &f)
        .await
        .or_page(&u)?
        .iter()
        .map(|o| order_row(o, u.locale))
        .collect();
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community,
        state: q.state,
        overdue,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "equipment/order.html")]
struct OrderPage {
    s: Shell,
    o: MaintenanceOrder,
    row: OrderRow,
    performer: &'static str,
    /// Each required attachment with whether a file answers it, and the encoded label.
    required: Vec<(String, bool, String)>,
    can_work: bool,
    can_manage: bool,
    materials: String,
    labour: String,
    remarks: String,
}

fn enc(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    id: MaintenanceOrderId,
    entered: Option<&WorkForm>,
    err: Option<&CoreError>,
) -> PageResult {
    let mut o = eq::get_order(&st.core, &u.ctx, id).await.or_page(u)?;
    let l = u.locale;
    if let Some(w) = entered {
        for (i, line) in o.checklist.iter_mut().enumerate() {
            line.done = w.ticked().contains(&i);
        }
    }
    let required = o
        .required_attachments
        .iter()
        .map(|r| (r.clone(), o.files.iter().any(|f| &f.label == r), enc(r)))
        .collect();
    let s = shell(u, err);
    Ok(shown(
        page(&OrderPage {
            s,
            row: order_row(&o, l),
            performer: label(Performer::ALL, &o.performer, l),
            required,
            can_work: u.ctx.has(wuye_core::Perm::EquipmentWork),
            can_manage: u.ctx.has(wuye_core::Perm::EquipmentManage),
            materials: entered.map_or(o.materials.clone().unwrap_or_default(), |w| {
                w.materials.clone()
            }),
            labour: entered.map_or(o.labour.clone().unwrap_or_default(), |w| w.labour.clone()),
            remarks: entered.map_or(o.remarks.clone().unwrap_or_default(), |w| w.remarks.clone()),
            o,
        }),
        err,
        u,
    ))
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render(&st, &u, MaintenanceOrderId(id), None, None).await
}

/// The worker's form: `c` once per ticked line (its index), the texts, and which button.
#[derive(Default)]
struct WorkForm {
    ticks: Vec<usize>,
    materials: String,
    labour: String,
    remarks: String,
    complete: bool,
}

impl WorkForm {
    fn parse(body: &str) -> WorkForm {
        let mut w = WorkForm::default();
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
        for (k, v) in pairs {
            match k.as_str() {
                "c" => w.ticks.extend(v.parse::<usize>().ok()),
                "materials" => w.materials = v,
                "labour" => w.labour = v,
                "remarks" => w.remarks = v,
                "complete" => w.complete = true,
                _ => {}
            }
        }
        w
    }
    fn ticked(&self) -> &[usize] {
        &self.ticks
    }
    fn work(&self) -> OrderWork {
        let o = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
        OrderWork {
            checked: self.ticks.clone(),
            materials: o(&self.materials),
            labour: o(&self.labour),
            remarks: o(&self.remarks),
        }
    }
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let id = MaintenanceOrderId(id);
    let w = WorkForm::parse(&body);
    let r = if w.complete {
        eq::complete_order(&st.core, &u.ctx, id, w.work()).await
    } else {
        eq::save_order_work(&st.core, &u.ctx, id, w.work()).await
    };
    let msg = if w.complete {
        "eq.order_done"
    } else {
        "eq.saved"
    };
    match r {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/maintenance/orders/{id}"),
            u.locale.t(msg),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, id, Some(&w), Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

type Empty = CsrfForm<Vec<(String, String)>>;

async fn accept(State(st): State<AppState>, u: ConsoleUser, Id(id): Id, _: Empty) -> PageResult {
    let id = MaintenanceOrderId(id);
    match eq::accept_order(&st.core, &u.ctx, id).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/maintenance/orders/{id}"),
            u.locale.t("eq.order_accepted"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, id, None, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize)]
struct ReturnForm {
    #[serde(default)]
    note: String,
}

async fn give_back(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReturnForm>,
) -> PageResult {
    let id = MaintenanceOrderId(id);
    match eq::return_order(&st.core, &u.ctx, id, eq::OrderReturn { note: f.note }).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/maintenance/orders/{id}"),
            u.locale.t("eq.order_returned"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, id, None, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
struct LabelQ {
    #[serde(default)]
    label: String,
}

async fn upload(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<LabelQ>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let id = MaintenanceOrderId(id);
    let r = match crate::console::community::one_file(&u, mp, eq::MAX_FILE_BYTES, "file").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => Err(e),
        Ok(Ok((name, bytes))) => {
            let label = if q.label.trim().is_empty() {
                name
            } else {
                q.label.clone()
            };
            eq::add_order_file(&st.core, &u.ctx, id, &label, &bytes)
                .await
                .map(|_| ())
        }
    };
    match r {
        Ok(()) => Ok(done(
            &st,
            &u,
            &format!("/maintenance/orders/{id}"),
            u.locale.t("eq.attached"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, id, None, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn file(State(st): State<AppState>, u: ConsoleUser, Ids(id, file): Ids) -> PageResult {
    let (ct, name, bytes) = eq::order_file(&st.core, &u.ctx, MaintenanceOrderId(id), file)
        .await
        .or_page(&u)?;
    Ok(crate::console::file_response(ct, &name, bytes))
}
