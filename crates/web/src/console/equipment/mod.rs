//! The equipment pages (设备): the ledger with its filters and the form to add an item, an
//! item's page (status, a reading, its plans, orders, readings and history) and the QR label
//! sheet; maintenance orders (overdue flagged) with the worker's form and the manager's
//! acceptance ([`orders`]); plans with the manuals' defaults and the job run as of a date, and
//! machine rooms with their logs, visits and CCTV retention ([`rooms`]). Phone-friendly: one
//! column of plain forms.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::equipment::model::{Status, System};
use wuye_core::equipment::{
    self as eq, Equipment, EquipmentFilter, EquipmentForUpdate, EquipmentPage,
};
use wuye_core::shared::ids::*;

use super::flash::done;
use super::forms::{Opt, chosen_community, label, opts};
use super::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

mod item_edit;
mod orders;
mod plan_edit;
mod rooms;

/// The page frame, with the refusal of a form shown beside its fields.
pub(super) fn shell(u: &ConsoleUser, err: Option<&CoreError>) -> Shell {
    match err {
        Some(e) => Shell::of(u).with_error(e),
        None => Shell::of(u),
    }
}

/// A page answering a refused form carries the refusal's status (422, 409), as the API would.
pub(super) fn shown(
    r: axum::response::Response,
    err: Option<&CoreError>,
    u: &ConsoleUser,
) -> axum::response::Response {
    let mut r = r;
    if let Some(e) = err {
        *r.status_mut() = crate::error::describe(e, u.locale).0;
    }
    r
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/equipment", get(list).post(create))
        .route("/equipment/labels", get(labels))
        .route("/equipment/import/template.xlsx", get(template))
        .route("/equipment/import", post(import))
        .route("/equipment/{id}", get(item))
        .route("/equipment/{id}/status", post(set_status))
        .route("/equipment/{id}/readings", post(add_reading))
        .route("/equipment/{id}/files", post(add_file))
        .route("/equipment/{id}/files/{file}", get(file))
        .merge(item_edit::router())
        .merge(plan_edit::router())
        .merge(orders::router())
        .merge(rooms::router())
}

/// The communities the user reaches, as (id, name).
pub(super) async fn communities(
    st: &AppState,
    u: &ConsoleUser,
) -> Result<Vec<(i64, String)>, PageError> {
    Ok(wuye_core::registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect())
}

/// The community chosen by the query, the one remembered, or the first.
pub(super) async fn community_of(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<&str>,
) -> Result<(Vec<(i64, String)>, i64), PageError> {
    let list = communities(st, u).await?;
    let want = want.and_then(|c| c.trim().parse().ok());
    let c = chosen_community(&list, want, u.community)
        .ok_or_else(|| PageError::new(u, CoreError::NotFound("community")))?;
    Ok((list, c))
}

pub struct ItemRow {
    pub id: EquipmentId,
    pub code: String,
    pub name: String,
    pub system: &'static str,
    pub location: String,
    pub status: &'static str,
    pub status_code: &'static str,
    pub warranty: String,
    pub warranty_soon: bool,
}

fn row(e: &Equipment, l: crate::locale::Locale) -> ItemRow {
    ItemRow {
        id: e.id,
        code: e.code.clone(),
        name: e.name.clone(),
        system: label(System::ALL, &e.system, l),
        location: e.location.clone().unwrap_or_default(),
        status: label(Status::ALL, &e.status, l),
        status_code: e.status.code(),
        warranty: e.warranty_until.map(|d| d.to_string()).unwrap_or_default(),
        warranty_soon: e.warranty_soon,
    }
}

#[derive(Template)]
#[template(path = "equipment/list.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    systems: Vec<Opt>,
    statuses: Vec<Opt>,
    f: ListQ,
    rows: Vec<ItemRow>,
    can_manage: bool,
    new: ItemForm,
    short_retention: Vec<String>,
    overdue: usize,
    /// The refused cells of an import: "第 3 行 编码：…".
    import_errors: Vec<String>,
}

#[derive(Deserialize, Default, Clone)]
struct ListQ {
    community: Option<String>,
    #[serde(default)]
    system: String,
    #[serde(default)]
    status: String,
    #[serde(default)]
    q: String,
}

/// The add-an-item form as posted.
#[derive(Deserialize, Default, Clone)]
pub(super) struct ItemForm {
    #[serde(default)]
    pub community: String,
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub category: String,
    #[serde(default)]
    pub code: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub location: String,
    #[serde(default)]
    pub model: String,
    #[serde(default)]
    pub maker: String,
    #[serde(default)]
    pub supplier: String,
    #[serde(default)]
    pub install_on: String,
    #[serde(default)]
    pub warranty_until: String,
    #[serde(default)]
    pub parent_code: String,
}

fn opt(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn render_list(
    st: &AppState,
    u: &ConsoleUser,
    q: ListQ,
    new: ItemForm,
    err: Option<&CoreError>,
) -> PageResult {
    render_list_with(st, u, q, new, err, Vec::new()).await
}

async fn render_list_with(
    st: &AppState,
    u: &ConsoleUser,
    q: ListQ,
    new: ItemForm,
    err: Option<&CoreError>,
    import_errors: Vec<String>,
) -> PageResult {
    let (communities, community) = community_of(st, u, q.community.as_deref()).await?;
    let c = CommunityId(community);
    let f = EquipmentFilter {
        system: opt(&q.system),
        status: opt(&q.status),
        building_id: None,
        q: opt(&q.q),
    };
    let items = eq::list_equipment(&st.core, &u.ctx, c, &f)
        .await
        .or_page(u)?;
    let att = eq::attention(&st.core, &u.ctx, c).await.or_page(u)?;
    let l = u.locale;
    let s = shell(u, err);
    Ok(shown(
        page(&ListPage {
            s,
            communities,
            community,
            systems: opts(System::ALL, l),
            statuses: opts(Status::ALL, l),
            rows: items.iter().map(|e| row(e, l)).collect(),
            f: q,
            can_manage: u.ctx.has(wuye_core::Perm::EquipmentManage),
            new,
            short_retention: att
                .short_retention
                .iter()
                .map(|c| format!("{}（{} 天）", c.name, c.retention_days))
                .collect(),
            overdue: att.overdue.len(),
            import_errors,
        }),
        err,
        u,
    ))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, q, ItemForm::default(), None).await
}

/// The item a form describes. A parent code not in the ledger becomes an unknown id, which the
/// service refuses naming `parent_id`.
pub(super) async fn item_input(
    st: &AppState,
    u: &ConsoleUser,
    c: CommunityId,
    f: &ItemForm,
) -> Result<EquipmentForUpdate, PageError> {
    let parent_id = match opt(&f.parent_code) {
        Some(code) => eq::list_equipment(
            &st.core,
            &u.ctx,
            c,
            &EquipmentFilter {
                q: Some(code.clone()),
                ..Default::default()
            },
        )
        .await
        .or_page(u)?
        .into_iter()
        .find(|e| e.code == code)
        .map(|e| e.id)
        .or(Some(EquipmentId(0))),
        None => None,
    };
    Ok(EquipmentForUpdate {
        system: f.system.clone(),
        category: opt(&f.category),
        code: f.code.clone(),
        name: f.name.clone(),
        location: opt(&f.location),
        building_id: None,
        model: opt(&f.model),
        maker: opt(&f.maker),
        supplier: opt(&f.supplier),
        install_on: opt(&f.install_on),
        warranty_until: opt(&f.warranty_until),
        status: None,
        parent_id,
        notes: None,
    })
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ItemForm>,
) -> PageResult {
    let q = ListQ {
        community: Some(f.community.clone()),
        ..Default::default()
    };
    let (_, community) = community_of(&st, &u, Some(&f.community)).await?;
    let c = CommunityId(community);
    let input = item_input(&st, &u, c, &f).await?;
    match eq::create_equipment(&st.core, &u.ctx, c, input).await {
        Ok(e) => Ok(done(
            &st,
            &u,
            &format!("/equipment/{}", e.id),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_list(&st, &u, q, f, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "equipment/item.html")]
struct ItemPage {
    s: Shell,
    p: EquipmentPage,
    system: &'static str,
    status: &'static str,
    statuses: Vec<Opt>,
    plans: Vec<(String, String)>,
    orders: Vec<orders::OrderRow>,
    history: Vec<(String, String, String)>,
}

async fn render_item(
    st: &AppState,
    u: &ConsoleUser,
    id: EquipmentId,
    err: Option<&CoreError>,
) -> PageResult {
    let p = eq::equipment_page(&st.core, &u.ctx, id).await.or_page(u)?;
    let l = u.locale;
    let s = shell(u, err);
    Ok(shown(
        page(&ItemPage {
            s,
            system: label(System::ALL, &p.item.system, l),
            status: label(Status::ALL, &p.item.status, l),
            statuses: opts(Status::ALL, l),
            plans: p
                .plans
                .iter()
                .map(|x| (x.title.clone(), rooms::frequency_text(x, l)))
                .collect(),
            orders: p.orders.iter().map(|o| orders::order_row(o, l)).collect(),
            history: p
                .history
                .iter()
                .map(|h| {
                    (
                        h.at.with_timezone(&super::forms::default_zone())
                            .format("%Y-%m-%d %H:%M")
                            .to_string(),
                        h.actor_name.clone(),
                        h.after_json.clone().unwrap_or_default(),
                    )
                })
                .collect(),
            p,
        }),
        err,
        u,
    ))
}

async fn item(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_item(&st, &u, EquipmentId(id), None).await
}

#[derive(Deserialize)]
struct StatusForm {
    status: String,
}

async fn set_status(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<StatusForm>,
) -> PageResult {
    let id = EquipmentId(id);
    match eq::set_equipment_status(&st.core, &u.ctx, id, &f.status).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/equipment/{id}"),
            u.locale.t("eq.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_item(&st, &u, id, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize)]
struct ReadingForm {
    meter: String,
    value: String,
}

async fn add_reading(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReadingForm>,
) -> PageResult {
    let id = EquipmentId(id);
    let input = eq::ReadingForCreate {
        meter: f.meter,
        value: f.value,
        read_at: None,
    };
    match eq::record_reading(&st.core, &u.ctx, id, input).await {
        Ok(r) => {
            let msg = if r.orders.is_empty() {
                u.locale.t("eq.reading_saved")
            } else {
                u.locale.t("eq.reading_ordered")
            };
            Ok(done(&st, &u, &format!("/equipment/{id}"), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_item(&st, &u, id, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct Label {
    pub code: String,
    pub name: String,
    pub system: String,
    pub location: String,
    pub svg: String,
}

#[derive(Template)]
#[template(path = "equipment/labels.html")]
struct LabelsPage {
    s: Shell,
    community: i64,
    labels: Vec<Label>,
}

/// The QR label sheet: each code opens the item's page (after login). Printed from the browser.
async fn labels(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: axum::http::HeaderMap,
    Query(q): Query<ListQ>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = EquipmentFilter {
        system: opt(&q.system),
        status: None,
        building_id: None,
        q: opt(&q.q),
    };
    // The configured public address, else this request's host (as the community board does).
    let base = match &st.cfg.public_url {
        Some(p) => p.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            let scheme = if st.cfg.secure_cookies {
                "https"
            } else {
                "http"
            };
            format!("{scheme}://{host}")
        }
    };
    let labels = eq::equipment_labels(&st.core, &u.ctx, CommunityId(community), &f)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|l| Label {
            svg: qr_svg(&format!("{base}{}", l.path)),
            code: l.code,
            name: l.name,
            system: l.system,
            location: l.location.unwrap_or_default(),
        })
        .collect();
    Ok(page(&LabelsPage {
        s: Shell::of(&u),
        community,
        labels,
    }))
}

pub(crate) fn qr_svg(url: &str) -> String {
    match qrcode::QrCode::new(url.as_bytes()) {
        Ok(code) => code
            .render::<qrcode::render::svg::Color<'_>>()
            .min_dimensions(120, 120)
            .quiet_zone(true)
            .build(),
        Err(_) => String::new(),
    }
}

async fn template(u: ConsoleUser) -> PageResult {
    let bytes = eq::equipment_template_xlsx().or_page(&u)?;
    Ok(crate::api::import::xlsx(bytes, "equipment-template.xlsx"))
}

#[derive(Deserialize, Default)]
struct CommunityQ {
    community: Option<String>,
}

/// Imports the ledger from an uploaded .xlsx: all rows or none, each refused cell listed by
/// row and column above the ledger.
async fn import(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQ>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let (_, community) = community_of(&st, &u, q.community.as_deref()).await?;
    let lq = ListQ {
        community: Some(community.to_string()),
        ..Default::default()
    };
    let bytes = match crate::console::community::one_file(&u, mp, 5 * 1024 * 1024, "file").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => return render_list(&st, &u, lq, ItemForm::default(), Some(&e)).await,
        Ok(Ok((_, bytes))) => bytes,
    };
    match eq::import_equipment(&st.core, &u.ctx, CommunityId(community), bytes).await {
        Ok(r) if r.errors.is_empty() => {
            let msg = u
                .locale
                .t("eq.imported")
                .replace("{n}", &r.created.to_string());
            Ok(done(
                &st,
                &u,
                &format!("/equipment?community={community}"),
                msg,
            ))
        }
        Ok(r) => {
            let l = u.locale;
            let lines = r
                .errors
                .iter()
                .map(|e| {
                    let msg = l.field_error(&e.field, &e.code, &e.params);
                    l.t("eq.import_row")
                        .replace("{row}", &e.row.to_string())
                        .replace("{column}", &e.column)
                        .replace("{message}", &msg)
                })
                .collect();
            let mut resp = render_list_with(&st, &u, lq, ItemForm::default(), None, lines).await?;
            *resp.status_mut() = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
            Ok(resp)
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_list(&st, &u, lq, ItemForm::default(), Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
struct NameQ {
    #[serde(default)]
    name: String,
}

/// Adds a document or photo to an item (its name from the form's query, else the file's).
async fn add_file(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<NameQ>,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let id = EquipmentId(id);
    let r = match crate::console::community::one_file(&u, mp, eq::MAX_FILE_BYTES, "file").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => Err(e),
        Ok(Ok((name, bytes))) => {
            let name = if q.name.trim().is_empty() {
                name
            } else {
                q.name.clone()
            };
            eq::add_equipment_file(&st.core, &u.ctx, id, Some(&name), &bytes)
                .await
                .map(|_| ())
        }
    };
    match r {
        Ok(()) => Ok(done(
            &st,
            &u,
            &format!("/equipment/{id}"),
            u.locale.t("eq.attached"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_item(&st, &u, id, Some(&e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn file(State(st): State<AppState>, u: ConsoleUser, Ids(id, file): Ids) -> PageResult {
    let (ct, name, bytes) = eq::equipment_file(&st.core, &u.ctx, EquipmentId(id), file)
        .await
        .or_page(&u)?;
    Ok(crate::console::file_response(ct, &name, bytes))
}
