//! Registry pages (业户档案) of the console: communities, buildings, units, people, vehicles,
//! parking spaces, the Excel import and the Excel exports.
//!
//! Handlers parse, call the registry service and render; every rule (who may do what, what is
//! valid) lives in `wuye_core::registry`, so these pages and `/api/v1` cannot disagree. Writes
//! follow Post/Redirect/Get. A rejected form is shown again with the user's input, each message
//! beside its field ([`FormErr`]: a page with several forms shows them only on the form that was
//! sent), and the status of the error (422/409).
//!
//! HTML inputs arrive as text and an empty input as "", so each form is read into a struct of
//! `String`s and numbers are converted here; one that does not parse is reported on its field
//! like a service error.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Multipart, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use serde_json::{Map, Value};
use wuye_core::audit::AuditRecord;
use wuye_core::registry::export;
use wuye_core::registry::import::{self, ImportRowError, MAX_IMPORT_ERRORS};
use wuye_core::registry::{
    self, Building, BuildingForCreate, BuildingForUpdate, Community, CommunityForCreate,
    CommunityForUpdate, Decimal, InspectionForCreate, LinkForCreate, ParkingSpace,
    ParkingSpaceForCreate, ParkingSpaceForUpdate, Person, PersonFilter, PersonForCreate,
    PersonForUpdate, Relation, SpaceState, Unit, UnitFilter, UnitForCreate, UnitForUpdate,
    UnitState, UnitUse, VacantInspection, Vehicle, VehicleForCreate, VehicleForUpdate,
};
use wuye_core::shared::ids::{
    BuildingId, CommunityId, ParkingSpaceId, PersonId, UnitId, VehicleId,
};
use wuye_core::{CoreError, CoreResult, FieldError};

use super::forms::{Opt, label, label_of as label_code, local_time, opts as options, tz_of};
use super::{Id, Ids, Shell, error_page, page};
use crate::AppState;
use crate::error::{describe, field_message};
use crate::extract::{ConsoleUser, CsrfForm, CsrfRejected, csrf_ok, urlencode};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/communities/new",
            get(community_new_page).post(community_create),
        )
        .route("/communities/{id}", get(community_page))
        .route("/communities/{id}/edit", post(community_update))
        .route("/communities/{id}/buildings", post(building_create))
        .route("/communities/{id}/units", get(units_page))
        .route(
            "/communities/{id}/vehicles",
            get(vehicles_page).post(vehicle_create),
        )
        .route(
            "/communities/{id}/parking",
            get(parking_page).post(space_create),
        )
        .route("/communities/{id}/units.xlsx", get(export_units))
        .route("/communities/{id}/people.xlsx", get(export_people))
        .route("/communities/{id}/buildings.xlsx", get(export_buildings))
        .route("/communities/{id}/vehicles.xlsx", get(export_vehicles))
        .route("/communities/{id}/parking-spaces.xlsx", get(export_spaces))
        .route(
            "/communities/{id}/key-customers.xlsx",
            get(export_key_customers),
        )
        .route(
            "/communities/{id}/vacant-units.xlsx",
            get(export_vacant_units),
        )
        .route("/buildings/{id}", get(building_page))
        .route("/buildings/{id}/edit", post(building_update))
        .route("/buildings/{id}/delete", post(building_delete))
        .route("/buildings/{id}/units", post(unit_create))
        .route("/units/{id}", get(unit_page))
        .route("/units/{id}/edit", post(unit_update))
        .route("/units/{id}/keeper", post(unit_keeper))
        .route("/units/{id}/delete", post(unit_delete))
        .route("/units/{id}/people", post(unit_person_create))
        .route("/units/{id}/links", post(unit_link))
        .route("/units/{id}/links/{link}/delete", post(unit_unlink))
        .route("/units/{id}/vehicles", post(unit_vehicle_create))
        .route("/units/{id}/parking", post(unit_space_create))
        .route("/units/{id}/inspections", post(unit_inspection))
        .route("/people", get(people_page))
        .route("/people/{id}", get(person_page))
        .route("/people/{id}/edit", post(person_update))
        .route("/people/{id}/delete", post(person_delete))
        .route("/people/{id}/reveal", post(person_reveal))
        .route("/vehicles/{id}", get(vehicle_page))
        .route("/vehicles/{id}/edit", post(vehicle_update))
        .route("/vehicles/{id}/delete", post(vehicle_delete))
        .route("/parking/{id}", get(space_page))
        .route("/parking/{id}/edit", post(space_update))
        .route("/parking/{id}/delete", post(space_delete))
        .route("/import", get(import_page).post(import_upload))
        .route("/import/template.xlsx", get(import_template))
}

// ---------------------------------------------------------------------------------------------
// Shared pieces

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
/// Rows per page of the long lists; the exports page through everything with this many.
const LIST_PAGE: i64 = 200;
const EXPORT_PAGE: i64 = 10_000;
/// A building page lists every unit of the building.
const BUILDING_UNITS: i64 = 2_000;

fn see(path: &str) -> Response {
    Redirect::to(path).into_response()
}

fn with_status(mut r: Response, status: StatusCode) -> Response {
    *r.status_mut() = status;
    r
}

/// Errors the user can fix on the form; anything else gets the error page.
fn is_form_error(e: &CoreError) -> bool {
    matches!(e, CoreError::Invalid(_) | CoreError::Conflict(_))
}

/// The error of the one form of a page that was rejected, for showing beside its fields.
pub struct FormErr {
    l: Locale,
    form: &'static str,
    err: Option<CoreError>,
}

impl FormErr {
    fn none(l: Locale) -> Self {
        FormErr {
            l,
            form: "",
            err: None,
        }
    }
    /// The message(s) of one field of one form; empty unless that form was the one rejected.
    pub fn get(&self, form: &str, field: &str) -> String {
        if self.form != form {
            return String::new();
        }
        match &self.err {
            Some(CoreError::Invalid(errs)) => errs
                .iter()
                .filter(|x| x.field == field)
                .map(|x| field_message(self.l, x))
                .collect::<Vec<_>>()
                .join("；"),
            Some(CoreError::Conflict(x)) if x.field == field => field_message(self.l, x),
            _ => String::new(),
        }
    }
}

/// The layout, the per-field errors and the status of a page shown after `err` (or normally).
fn shell_for(
    u: &ConsoleUser,
    form: &'static str,
    err: Option<CoreError>,
) -> (Shell, FormErr, StatusCode) {
    match err {
        Some(e) => {
            let status = describe(&e, u.locale).0;
            (
                Shell::of(u).with_error(&e),
                FormErr {
                    l: u.locale,
                    form,
                    err: Some(e),
                },
                status,
            )
        }
        None => (Shell::of(u), FormErr::none(u.locale), StatusCode::OK),
    }
}

/// Empty → `None`, otherwise the trimmed text.
fn opt(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_string())
}

/// An integer typed in a form: empty → `None`; text that is not one → an error on the field.
fn int(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    let t = raw.trim();
    if t.is_empty() {
        return None;
    }
    match t.parse() {
        Ok(n) => Some(n),
        Err(_) => {
            errs.push(FieldError::new(field, "not_a_number"));
            None
        }
    }
}

/// A required integer: empty is `required`.
fn required_int(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    if raw.trim().is_empty() {
        errs.push(FieldError::new(field, "required"));
        return None;
    }
    int(errs, field, raw)
}

/// Runs `f` when the form's own conversions found nothing, else reports those.
async fn unless<T>(errs: Vec<FieldError>, f: impl Future<Output = CoreResult<T>>) -> CoreResult<T> {
    if errs.is_empty() {
        f.await
    } else {
        Err(CoreError::Invalid(errs))
    }
}

#[derive(Deserialize, Default)]
struct Empty {}

/// Where a button sends the user back to: only a path of this site.
fn safe_back(b: &str, fallback: &str) -> String {
    if b.starts_with('/') && !b.starts_with("//") && !b.contains('\\') {
        b.to_string()
    } else {
        fallback.to_string()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BackForm {
    back: String,
}

fn today(tz: Tz) -> String {
    Utc::now().with_timezone(&tz).format("%Y-%m-%d").to_string()
}

fn text(o: &Option<String>) -> String {
    o.clone().unwrap_or_default()
}

/// "20 MB" for a byte limit.
fn size_label(bytes: usize) -> String {
    const MB: usize = 1024 * 1024;
    if bytes >= MB && bytes.is_multiple_of(MB) {
        format!("{} MB", bytes / MB)
    } else if bytes >= MB {
        format!("{:.1} MB", bytes as f64 / MB as f64)
    } else {
        format!("{} KB", bytes.div_ceil(1024))
    }
}

fn xlsx_response(bytes: Vec<u8>, filename: &str) -> Response {
    let mut r = bytes.into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(XLSX));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{filename}\"")) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

/// A unit as a table row.
pub struct UnitRow {
    pub id: UnitId,
    pub building_id: BuildingId,
    pub building_name: String,
    pub unit_no: String,
    pub floor: i64,
    pub building_area: String,
    pub inner_area: String,
    pub use_label: &'static str,
    pub state_label: &'static str,
    pub owners: String,
}

fn unit_row(u: &Unit, owners: &HashMap<UnitId, Vec<String>>, l: Locale) -> UnitRow {
    UnitRow {
        id: u.id,
        building_id: u.building_id,
        building_name: u.building_name.clone(),
        unit_no: u.unit_no.clone(),
        floor: u.floor,
        building_area: u.building_area.to_string(),
        inner_area: u.inner_area.map(|a| a.to_string()).unwrap_or_default(),
        use_label: label(UnitUse::ALL, &u.use_kind, l),
        state_label: label(UnitState::ALL, &u.state, l),
        owners: owners.get(&u.id).map(|o| o.join("、")).unwrap_or_default(),
    }
}

// ---------------------------------------------------------------------------------------------
// Communities

#[derive(Deserialize, Default)]
#[serde(default)]
struct CommunityInput {
    code: String,
    name: String,
    address: String,
    timezone: String,
}

impl CommunityInput {
    fn of(c: &Community) -> Self {
        CommunityInput {
            code: c.code.clone(),
            name: c.name.clone(),
            address: text(&c.address),
            timezone: c.timezone.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/community_new.html")]
struct CommunityNewPage {
    s: Shell,
    f: CommunityInput,
    err: Option<CoreError>,
}

async fn community_new_page(u: ConsoleUser) -> Response {
    let s = Shell::of(&u);
    if !s.can_manage {
        return error_page(&u, CoreError::Forbidden);
    }
    let f = CommunityInput {
        timezone: "Asia/Shanghai".into(),
        ..Default::default()
    };
    page(&CommunityNewPage { s, f, err: None })
}

async fn community_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CommunityInput>,
) -> Response {
    let input = CommunityForCreate {
        code: f.code.clone(),
        name: f.name.clone(),
        address: opt(&f.address),
        timezone: opt(&f.timezone),
    };
    match registry::create_community(&st.core, &u.ctx, input).await {
        Ok(c) => see(&format!("/communities/{}", c.id)),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, u.locale).0;
            with_status(
                page(&CommunityNewPage {
                    s: Shell::of(&u).with_error(&e),
                    f,
                    err: Some(e),
                }),
                status,
            )
        }
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct BuildingInput {
    name: String,
    floors: String,
    note: String,
}

impl BuildingInput {
    fn of(b: &Building) -> Self {
        BuildingInput {
            name: b.name.clone(),
            floors: b.floors.map(|f| f.to_string()).unwrap_or_default(),
            note: text(&b.note),
        }
    }
}

enum CommunityForm {
    None,
    Building(BuildingInput),
    Edit(CommunityInput),
}

#[derive(Template)]
#[template(path = "registry/community.html")]
struct CommunityPage {
    s: Shell,
    c: Community,
    counts: [i64; 5],
    buildings: Vec<Building>,
    b: BuildingInput,
    edit: CommunityInput,
    fe: FormErr,
}

async fn render_community(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    form: CommunityForm,
    err: Option<CoreError>,
) -> Response {
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let counts = match registry::community_counts(&st.core, &u.ctx, id).await {
        Ok(n) => n,
        Err(e) => return error_page(u, e),
    };
    let buildings = match registry::list_buildings(&st.core, &u.ctx, id).await {
        Ok(b) => b,
        Err(e) => return error_page(u, e),
    };
    let mut b = BuildingInput::default();
    let mut edit = CommunityInput::of(&c);
    let name = match form {
        CommunityForm::None => "",
        CommunityForm::Building(f) => {
            b = f;
            "building"
        }
        CommunityForm::Edit(f) => {
            edit = CommunityInput {
                code: c.code.clone(),
                ..f
            };
            "community"
        }
    };
    let (s, fe, status) = shell_for(u, name, err);
    with_status(
        page(&CommunityPage {
            s,
            c,
            counts,
            buildings,
            b,
            edit,
            fe,
        }),
        status,
    )
}

async fn community_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_community(&st, &u, CommunityId(id), CommunityForm::None, None).await
}

async fn community_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CommunityInput>,
) -> Response {
    let id = CommunityId(id);
    let input = CommunityForUpdate {
        name: Some(f.name.clone()),
        address: Some(f.address.clone()),
        timezone: Some(f.timezone.clone()),
    };
    match registry::update_community(&st.core, &u.ctx, id, input).await {
        Ok(_) => see(&format!("/communities/{id}")),
        Err(e) if is_form_error(&e) => {
            render_community(&st, &u, id, CommunityForm::Edit(f), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

async fn building_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BuildingInput>,
) -> Response {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let floors = int(&mut errs, "floors", &f.floors);
    let input = BuildingForCreate {
        community_id: id,
        name: f.name.clone(),
        floors,
        note: opt(&f.note),
    };
    match unless(errs, registry::create_building(&st.core, &u.ctx, input)).await {
        Ok(b) => see(&format!("/buildings/{}", b.id)),
        Err(e) if is_form_error(&e) => {
            render_community(&st, &u, id, CommunityForm::Building(f), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Buildings

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct UnitInput {
    unit_no: String,
    floor: String,
    building_area: String,
    inner_area: String,
    use_kind: String,
    state: String,
    note: String,
}

impl UnitInput {
    fn new_unit() -> Self {
        UnitInput {
            use_kind: UnitUse::Residential.code().into(),
            state: UnitState::Vacant.code().into(),
            ..Default::default()
        }
    }
    fn of(u: &Unit) -> Self {
        UnitInput {
            unit_no: u.unit_no.clone(),
            floor: u.floor.to_string(),
            building_area: u.building_area.to_string(),
            inner_area: u.inner_area.map(|a| a.to_string()).unwrap_or_default(),
            use_kind: u.use_kind.code().into(),
            state: u.state.code().into(),
            note: text(&u.note),
        }
    }
}

enum BuildingForm {
    None,
    Unit(UnitInput),
    Edit(BuildingInput),
    Delete,
}

#[derive(Template)]
#[template(path = "registry/building.html")]
struct BuildingPage {
    s: Shell,
    c: Community,
    b: Building,
    units: Vec<UnitRow>,
    truncated: bool,
    f: UnitInput,
    edit: BuildingInput,
    uses: Vec<Opt>,
    states: Vec<Opt>,
    fe: FormErr,
}

async fn render_building(
    st: &AppState,
    u: &ConsoleUser,
    id: BuildingId,
    form: BuildingForm,
    err: Option<CoreError>,
) -> Response {
    let b = match registry::get_building(&st.core, &u.ctx, id).await {
        Ok(b) => b,
        Err(e) => return error_page(u, e),
    };
    let c = match registry::get_community(&st.core, &u.ctx, b.community_id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let filter = UnitFilter {
        community_id: Some(b.community_id),
        building_id: Some(b.id),
        limit: Some(BUILDING_UNITS),
        ..Default::default()
    };
    let units = match registry::list_units(&st.core, &u.ctx, &filter).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let owners = match import::unit_owner_labels(&st.core, &u.ctx, b.community_id).await {
        Ok(o) => o,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let truncated = units.len() as i64 >= BUILDING_UNITS;
    let mut units: Vec<UnitRow> = units.iter().map(|x| unit_row(x, &owners, l)).collect();
    units.sort_by(|a, b| (a.floor, &a.unit_no).cmp(&(b.floor, &b.unit_no)));
    let mut f = UnitInput::new_unit();
    let mut edit = BuildingInput::of(&b);
    let name = match form {
        BuildingForm::None => "",
        BuildingForm::Unit(x) => {
            f = x;
            "unit"
        }
        BuildingForm::Edit(x) => {
            edit = x;
            "building"
        }
        BuildingForm::Delete => "delete",
    };
    let (s, fe, status) = shell_for(u, name, err);
    let page_ = BuildingPage {
        s,
        c,
        b,
        units,
        truncated,
        f,
        edit,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
        fe,
    };
    with_status(page(&page_), status)
}

async fn building_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_building(&st, &u, BuildingId(id), BuildingForm::None, None).await
}

async fn building_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BuildingInput>,
) -> Response {
    let id = BuildingId(id);
    let mut errs = Vec::new();
    let floors = int(&mut errs, "floors", &f.floors);
    let input = BuildingForUpdate {
        name: Some(f.name.clone()),
        floors,
        note: Some(f.note.clone()),
    };
    match unless(errs, registry::update_building(&st.core, &u.ctx, id, input)).await {
        Ok(_) => see(&format!("/buildings/{id}")),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Edit(f), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

async fn building_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let id = BuildingId(id);
    let b = match registry::get_building(&st.core, &u.ctx, id).await {
        Ok(b) => b,
        Err(e) => return error_page(&u, e),
    };
    match registry::delete_building(&st.core, &u.ctx, id).await {
        Ok(()) => see(&format!("/communities/{}", b.community_id)),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Delete, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

async fn unit_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<UnitInput>,
) -> Response {
    let id = BuildingId(id);
    let mut errs = Vec::new();
    let floor = required_int(&mut errs, "floor", &f.floor);
    let input = UnitForCreate {
        building_id: id,
        unit_no: f.unit_no.clone(),
        // Only a stand-in when the floor did not parse: the input is then not saved.
        floor: floor.unwrap_or(1),
        building_area: Decimal::Text(f.building_area.clone()),
        inner_area: opt(&f.inner_area).map(Decimal::Text),
        use_kind: f.use_kind.clone(),
        state: f.state.clone(),
        note: opt(&f.note),
    };
    if !errs.is_empty() {
        // Every bad field at once: the service's checks of the other fields as well.
        if let Err(more) = registry::validate_unit(&input) {
            errs.extend(more.into_iter().filter(|e| e.field != "floor"));
        }
    }
    match unless(errs, registry::create_unit(&st.core, &u.ctx, input)).await {
        Ok(unit) => see(&format!("/units/{}", unit.id)),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Unit(f), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Units list of a community

#[derive(Deserialize, Default)]
#[serde(default)]
struct UnitsQ {
    building_id: String,
    state: String,
    use_kind: String,
    unit_no: String,
    after_id: String,
}

#[derive(Template)]
#[template(path = "registry/units.html")]
struct UnitsPage {
    s: Shell,
    c: Community,
    buildings: Vec<Building>,
    q: UnitsQ,
    units: Vec<UnitRow>,
    next: Option<String>,
    uses: Vec<Opt>,
    states: Vec<Opt>,
    export_href: String,
}

async fn units_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<UnitsQ>, QueryRejection>,
) -> Response {
    let id = CommunityId(id);
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let buildings = match registry::list_buildings(&st.core, &u.ctx, id).await {
        Ok(b) => b,
        Err(e) => return error_page(&u, e),
    };
    let l = u.locale;
    let mut s = Shell::of(&u);
    let filter = UnitFilter {
        community_id: Some(id),
        building_id: q.building_id.trim().parse().ok().map(BuildingId),
        state: opt(&q.state),
        use_kind: opt(&q.use_kind),
        unit_no: opt(&q.unit_no),
        after_id: q.after_id.trim().parse().ok(),
        limit: Some(LIST_PAGE),
    };
    let (units, status) = match registry::list_units(&st.core, &u.ctx, &filter).await {
        Ok(v) => (v, StatusCode::OK),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, l).0;
            s = s.with_error(&e);
            (Vec::new(), status)
        }
        Err(e) => return error_page(&u, e),
    };
    let next = (units.len() as i64 >= LIST_PAGE).then(|| units.last().map(|x| x.id)).flatten().map(|last| {
        format!(
            "/communities/{id}/units?building_id={}&state={}&use_kind={}&unit_no={}&after_id={last}",
            urlencode(&q.building_id),
            urlencode(&q.state),
            urlencode(&q.use_kind),
            urlencode(&q.unit_no)
        )
    });
    let owners = match import::unit_owner_labels(&st.core, &u.ctx, id).await {
        Ok(o) => o,
        Err(e) => return error_page(&u, e),
    };
    let units = units.iter().map(|x| unit_row(x, &owners, l)).collect();
    let p = UnitsPage {
        s,
        export_href: units_export_href(c.id, &q),
        c,
        buildings,
        q,
        units,
        next,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
    };
    with_status(page(&p), status)
}

// ---------------------------------------------------------------------------------------------
// Units

#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonInput {
    name: String,
    phone: String,
    id_number: String,
    relation: String,
    is_key_customer: Option<String>,
    key_customer_note: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LinkInput {
    person_id: String,
    relation: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VehicleInput {
    plate: String,
    brand: String,
    color: String,
    person_id: String,
    space_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpaceInput {
    code: String,
    state: String,
    unit_id: String,
    person_id: String,
    note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct InspectionInput {
    inspected_on: String,
    findings: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct KeeperInput {
    keeper_user_id: String,
}

/// The unit page's forms, each with what it shows.
struct UnitForms {
    edit: UnitInput,
    keeper: KeeperInput,
    person: PersonInput,
    link: LinkInput,
    vehicle: VehicleInput,
    space: SpaceInput,
    insp: InspectionInput,
}

/// The form of the unit page that was sent, with its input.
enum UnitForm {
    None,
    Edit(UnitInput),
    Keeper(KeeperInput),
    Person(PersonInput),
    Link(LinkInput),
    Vehicle(VehicleInput),
    Space(SpaceInput),
    Inspection(InspectionInput),
    Delete,
}

impl UnitForms {
    fn new(u: &Unit, tz: Tz) -> Self {
        UnitForms {
            edit: UnitInput::of(u),
            keeper: KeeperInput {
                keeper_user_id: u
                    .keeper_user_id
                    .map(|k| k.0.to_string())
                    .unwrap_or_default(),
            },
            person: PersonInput {
                relation: Relation::Owner.code().into(),
                ..Default::default()
            },
            link: LinkInput {
                relation: Relation::Owner.code().into(),
                ..Default::default()
            },
            vehicle: VehicleInput::default(),
            space: SpaceInput {
                state: SpaceState::Sold.code().into(),
                ..Default::default()
            },
            insp: InspectionInput {
                inspected_on: today(tz),
                findings: String::new(),
            },
        }
    }
    /// Puts the sent input in its form; the form's name.
    fn apply(&mut self, f: UnitForm) -> &'static str {
        match f {
            UnitForm::None => "",
            UnitForm::Edit(x) => {
                self.edit = x;
                "edit"
            }
            UnitForm::Keeper(x) => {
                self.keeper = x;
                "keeper"
            }
            UnitForm::Person(x) => {
                self.person = x;
                "person"
            }
            UnitForm::Link(x) => {
                self.link = x;
                "link"
            }
            UnitForm::Vehicle(x) => {
                self.vehicle = x;
                "vehicle"
            }
            UnitForm::Space(x) => {
                self.space = x;
                "space"
            }
            UnitForm::Inspection(x) => {
                self.insp = x;
                "inspection"
            }
            UnitForm::Delete => "delete",
        }
    }
}

/// A person linked to the unit, as the page shows them.
pub struct UnitPersonRow {
    pub link_id: i64,
    pub person_id: PersonId,
    pub name: String,
    pub relation: &'static str,
    pub phone: String,
    pub id_number: String,
    pub is_key_customer: bool,
    pub key_customer_note: String,
}

pub struct VehicleRow {
    pub id: VehicleId,
    pub plate: String,
    pub brand: String,
    pub color: String,
    pub person_id: Option<PersonId>,
    pub person_name: String,
    pub unit_id: Option<UnitId>,
    pub space_code: String,
}

fn vehicle_row(v: &Vehicle) -> VehicleRow {
    VehicleRow {
        id: v.id,
        plate: v.plate.clone(),
        brand: text(&v.brand),
        color: text(&v.color),
        person_id: v.person_id,
        person_name: text(&v.person_name),
        unit_id: v.unit_id,
        space_code: text(&v.space_code),
    }
}

pub struct SpaceRow {
    pub id: ParkingSpaceId,
    pub code: String,
    pub state: String,
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub holder_name: String,
    pub note: String,
}

fn space_row(p: &ParkingSpace, l: Locale) -> SpaceRow {
    SpaceRow {
        id: p.id,
        code: p.code.clone(),
        state: label_code(SpaceState::ALL, &p.state, l),
        unit_id: p.unit_id,
        person_id: p.person_id,
        holder_name: text(&p.holder_name),
        note: text(&p.note),
    }
}

pub struct InspectionRow {
    pub inspected_on: NaiveDate,
    pub inspector: String,
    pub findings: String,
}

fn inspection_row(i: &VacantInspection) -> InspectionRow {
    InspectionRow {
        inspected_on: i.inspected_on,
        inspector: text(&i.inspector_name),
        findings: i.findings.clone(),
    }
}

/// One change of a record: when (in the community's time zone), who, what, and what it changed
/// in words.
pub struct HistoryRow {
    pub at: String,
    pub actor: String,
    pub action: &'static str,
    pub lines: Vec<String>,
}

/// How a recorded value reads.
#[derive(Clone, Copy, PartialEq)]
enum Shown {
    Plain,
    UnitUse,
    UnitState,
    SpaceState,
    /// A record id, shown as "#12".
    Id,
}

/// A field of a record as its history shows it: its key in the recorded JSON, the locale key of
/// its label, how its value reads, and whether it is one of the key facts of a created record.
struct Field {
    key: &'static str,
    label: &'static str,
    shown: Shown,
    fact: bool,
}

const fn field(key: &'static str, label: &'static str, shown: Shown, fact: bool) -> Field {
    Field {
        key,
        label,
        shown,
        fact,
    }
}

/// The fields a unit's history shows. The keeper is shown by name (the id says nothing to a
/// reader); ids, times and the community are left out.
const UNIT_FIELDS: &[Field] = &[
    field("building_name", "field.building", Shown::Plain, true),
    field("unit_no", "field.unit_no", Shown::Plain, true),
    field("floor", "field.floor", Shown::Plain, true),
    field("building_area", "field.building_area", Shown::Plain, true),
    field("inner_area", "field.inner_area", Shown::Plain, false),
    field("use_kind", "field.use_kind", Shown::UnitUse, true),
    field("state", "field.state", Shown::UnitState, true),
    field("keeper_name", "field.keeper_user_id", Shown::Plain, false),
    field("note", "field.note", Shown::Plain, false),
];

const VEHICLE_FIELDS: &[Field] = &[
    field("plate", "field.plate", Shown::Plain, true),
    field("brand", "field.brand", Shown::Plain, true),
    field("color", "field.color", Shown::Plain, true),
    field("person_name", "reg.vehicle_owner", Shown::Plain, true),
    field("unit_id", "field.unit_id", Shown::Id, true),
    field("space_code", "field.space_id", Shown::Plain, true),
];

const SPACE_FIELDS: &[Field] = &[
    field("code", "field.code", Shown::Plain, true),
    field("state", "field.state", Shown::SpaceState, true),
    field("unit_id", "field.unit_id", Shown::Id, true),
    field("holder_name", "reg.space_holder", Shown::Plain, true),
    field("note", "field.note", Shown::Plain, true),
];

/// A recorded value in words: codes as their labels, nothing as "—".
fn shown(how: Shown, v: &Value, l: Locale) -> String {
    let keyed = |prefix: &str, code: &str| {
        l.get(&format!("{prefix}.{code}"))
            .map_or_else(|| code.to_string(), str::to_string)
    };
    match v {
        Value::Null => "—".to_string(),
        Value::String(t) if t.is_empty() => "—".to_string(),
        Value::String(t) => match how {
            Shown::UnitUse => keyed("unit_use", t),
            Shown::UnitState => keyed("unit_state", t),
            Shown::SpaceState => label_code(SpaceState::ALL, t, l),
            Shown::Plain | Shown::Id => t.clone(),
        },
        Value::Number(n) if how == Shown::Id => format!("#{n}"),
        Value::Number(n) => n.to_string(),
        other => other.to_string(),
    }
}

/// "建筑面积：89.50" / "Building area: 89.50".
fn labelled(l: Locale, label: &str, value: &str) -> String {
    match l {
        Locale::Zh => format!("{label}：{value}"),
        Locale::En => format!("{label}: {value}"),
    }
}

/// The relation of a link entry ("owner", or the Chinese label a spreadsheet gave) in words.
fn relation_words(v: Option<&Value>, l: Locale) -> &'static str {
    v.and_then(Value::as_str)
        .and_then(|r| Relation::parse("relation", r).ok())
        .map_or_else(|| l.t("reg.people"), |r| label(Relation::ALL, &r, l))
}

/// Keys that change with every write and say nothing to a reader.
const NOISE: [&str; 2] = ["created_at", "updated_at"];

/// What one audit entry did, in lines a reader understands: of an update only the fields that
/// changed ("建筑面积：89.50 → 90.25", codes as labels), of a created or deleted record its key
/// facts, of a person linked to or removed from a unit "添加业主 张三" / "移除租户 李四".
/// `names` names the people an entry knows only by id. An entry of another shape is shown as
/// its JSON, so nothing recorded is hidden.
fn change_lines(
    fields: &[Field],
    before: Option<&Value>,
    after: Option<&Value>,
    l: Locale,
    names: &HashMap<i64, String>,
) -> Vec<String> {
    if let Some(a) = after {
        if let Some(name) = a.get("person_added") {
            let who = name.as_str().unwrap_or_default();
            return vec![l.tf(
                "reg.history_person_added",
                &[
                    ("relation", relation_words(a.get("relation"), l)),
                    ("name", who),
                ],
            )];
        }
        if let (Some(_), Some(day)) = (a.get("inspection_id"), a.get("inspected_on")) {
            return vec![l.tf(
                "reg.history_inspection",
                &[("date", shown(Shown::Plain, day, l))],
            )];
        }
    }
    if let Some(id) = before.and_then(|b| b.get("person_removed")) {
        let who = id
            .as_i64()
            .and_then(|i| names.get(&i).cloned())
            .unwrap_or_else(|| shown(Shown::Id, id, l));
        let relation = relation_words(before.and_then(|b| b.get("relation")), l);
        return vec![l.tf(
            "reg.history_person_removed",
            &[("relation", relation), ("name", who.as_str())],
        )];
    }
    let lines: Vec<String> = match (before, after) {
        (Some(Value::Object(b)), Some(Value::Object(a))) => fields
            .iter()
            .filter_map(|f| {
                let (x, y) = (
                    b.get(f.key).unwrap_or(&Value::Null),
                    a.get(f.key).unwrap_or(&Value::Null),
                );
                (shown(f.shown, x, l) != shown(f.shown, y, l)).then(|| {
                    let change = format!("{} → {}", shown(f.shown, x, l), shown(f.shown, y, l));
                    labelled(l, l.t(f.label), &change)
                })
            })
            .collect(),
        (None, Some(Value::Object(m))) | (Some(Value::Object(m)), None) => fields
            .iter()
            .filter(|f| f.fact)
            .filter_map(|f| {
                let v = m.get(f.key).filter(|v| !v.is_null())?;
                Some(labelled(l, l.t(f.label), &shown(f.shown, v, l)))
            })
            .collect(),
        _ => Vec::new(),
    };
    if !lines.is_empty() {
        return lines;
    }
    // Nothing the field list knows: the raw record, without the timestamps.
    let raw = |v: Option<&Value>| match v {
        Some(Value::Object(m)) => {
            let quiet: Map<String, Value> = m
                .iter()
                .filter(|(k, _)| !NOISE.contains(&k.as_str()))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            (!quiet.is_empty()).then(|| Value::Object(quiet).to_string())
        }
        Some(Value::Null) | None => None,
        Some(v) => Some(v.to_string()),
    };
    match (before, after) {
        // An update that changed nothing shown (e.g. a keeper replaced by a namesake).
        (Some(Value::Object(_)), Some(Value::Object(_))) => Vec::new(),
        (b, a) => raw(b).into_iter().chain(raw(a)).collect(),
    }
}

fn parse_json(s: &Option<String>) -> Option<Value> {
    s.as_deref()
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
}

fn history_rows(
    h: &[AuditRecord],
    fields: &[Field],
    tz: Tz,
    l: Locale,
    names: &HashMap<i64, String>,
) -> Vec<HistoryRow> {
    h.iter()
        .map(|r| {
            let (before, after) = (parse_json(&r.before_json), parse_json(&r.after_json));
            HistoryRow {
                at: local_time(r.at, tz),
                actor: r.actor_name.clone(),
                action: l.t(&format!("history.{}", r.action)),
                lines: change_lines(fields, before.as_ref(), after.as_ref(), l, names),
            }
        })
        .collect()
}

/// Names of the people a unit's history mentions: those linked now, those it added, and, for
/// anyone removed since, their record if it still exists ("#id" otherwise).
async fn history_names(
    st: &AppState,
    u: &ConsoleUser,
    h: &[AuditRecord],
    linked: &[registry::UnitPerson],
) -> HashMap<i64, String> {
    let mut names: HashMap<i64, String> = linked
        .iter()
        .map(|p| (p.person.id.0, p.person.name.clone()))
        .collect();
    let mut removed = Vec::new();
    for r in h {
        if let Some(a) = parse_json(&r.after_json)
            && let (Some(id), Some(name)) = (
                a.get("person_id").and_then(Value::as_i64),
                a.get("person_added").and_then(Value::as_str),
            )
        {
            names.entry(id).or_insert_with(|| name.to_string());
        }
        if let Some(id) =
            parse_json(&r.before_json).and_then(|b| b.get("person_removed").and_then(Value::as_i64))
        {
            removed.push(id);
        }
    }
    // A history holds at most 200 entries; look up only the few names still missing.
    for id in removed.into_iter().take(50) {
        if names.contains_key(&id) {
            continue;
        }
        if let Ok(p) = registry::get_person(&st.core, &u.ctx, PersonId(id)).await {
            names.insert(id, p.name);
        }
    }
    names
}

#[derive(Template)]
#[template(path = "registry/unit.html")]
struct UnitPage {
    s: Shell,
    c: Community,
    unit: Unit,
    use_label: &'static str,
    state_label: &'static str,
    is_vacant: bool,
    people: Vec<UnitPersonRow>,
    vehicles: Vec<VehicleRow>,
    spaces: Vec<SpaceRow>,
    inspections: Vec<InspectionRow>,
    history: Vec<HistoryRow>,
    f: UnitForms,
    uses: Vec<Opt>,
    states: Vec<Opt>,
    relations: Vec<Opt>,
    space_states: Vec<Opt>,
    fe: FormErr,
}

async fn render_unit(
    st: &AppState,
    u: &ConsoleUser,
    id: UnitId,
    form: UnitForm,
    err: Option<CoreError>,
) -> Response {
    let d = match registry::unit_detail(&st.core, &u.ctx, id).await {
        Ok(d) => d,
        Err(e) => return error_page(u, e),
    };
    let c = match registry::get_community(&st.core, &u.ctx, d.unit.community_id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let tz = tz_of(&c);
    let names = history_names(st, u, &d.history, &d.people).await;
    let mut f = UnitForms::new(&d.unit, tz);
    let name = f.apply(form);
    let (s, fe, status) = shell_for(u, name, err);
    let people = d
        .people
        .iter()
        .map(|p| UnitPersonRow {
            link_id: p.link_id,
            person_id: p.person.id,
            name: p.person.name.clone(),
            relation: label(Relation::ALL, &p.relation, l),
            phone: text(&p.person.phone),
            id_number: text(&p.person.id_number),
            is_key_customer: p.person.is_key_customer,
            key_customer_note: text(&p.person.key_customer_note),
        })
        .collect();
    let p = UnitPage {
        s,
        use_label: label(UnitUse::ALL, &d.unit.use_kind, l),
        state_label: label(UnitState::ALL, &d.unit.state, l),
        is_vacant: d.unit.state == UnitState::Vacant,
        people,
        vehicles: d.vehicles.iter().map(vehicle_row).collect(),
        spaces: d.parking.iter().map(|x| space_row(x, l)).collect(),
        inspections: d.inspections.iter().map(inspection_row).collect(),
        history: history_rows(&d.history, UNIT_FIELDS, tz, l, &names),
        unit: d.unit,
        c,
        f,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
        relations: options(Relation::ALL, l),
        space_states: options(SpaceState::ALL, l),
        fe,
    };
    with_status(page(&p), status)
}

/// After a unit-page form: back to the unit, or the page again with the error.
async fn unit_done<T>(
    st: &AppState,
    u: &ConsoleUser,
    id: UnitId,
    res: CoreResult<T>,
    form: UnitForm,
) -> Response {
    match res {
        Ok(_) => see(&format!("/units/{id}")),
        Err(e) if is_form_error(&e) => render_unit(st, u, id, form, Some(e)).await,
        Err(e) => error_page(u, e),
    }
}

async fn unit_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_unit(&st, &u, UnitId(id), UnitForm::None, None).await
}

async fn unit_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<UnitInput>,
) -> Response {
    let id = UnitId(id);
    let mut errs = Vec::new();
    let floor = required_int(&mut errs, "floor", &f.floor);
    let input = UnitForUpdate {
        unit_no: Some(f.unit_no.clone()),
        floor,
        building_area: Some(Decimal::Text(f.building_area.clone())),
        // Empty clears the inner area.
        inner_area: Some(Decimal::Text(f.inner_area.clone())),
        use_kind: Some(f.use_kind.clone()),
        state: Some(f.state.clone()),
        keeper_user_id: None,
        note: Some(f.note.clone()),
    };
    let res = unless(errs, registry::update_unit(&st.core, &u.ctx, id, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Edit(f)).await
}

async fn unit_keeper(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<KeeperInput>,
) -> Response {
    let id = UnitId(id);
    let mut errs = Vec::new();
    // Empty or 0 clears the keeper.
    let keeper = int(&mut errs, "keeper_user_id", &f.keeper_user_id).unwrap_or(0);
    let input = UnitForUpdate {
        keeper_user_id: Some(keeper),
        ..Default::default()
    };
    let res = unless(errs, registry::update_unit(&st.core, &u.ctx, id, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Keeper(f)).await
}

async fn unit_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let id = UnitId(id);
    let unit = match registry::get_unit(&st.core, &u.ctx, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    match registry::delete_unit(&st.core, &u.ctx, id).await {
        Ok(()) => see(&format!("/buildings/{}", unit.building_id)),
        Err(e) if is_form_error(&e) => render_unit(&st, &u, id, UnitForm::Delete, Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

async fn unit_person_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PersonInput>,
) -> Response {
    let id = UnitId(id);
    let unit = match registry::get_unit(&st.core, &u.ctx, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let input = PersonForCreate {
        community_id: unit.community_id,
        name: f.name.clone(),
        phone: opt(&f.phone),
        id_number: opt(&f.id_number),
        is_key_customer: f.is_key_customer.is_some(),
        key_customer_note: opt(&f.key_customer_note),
        note: opt(&f.note),
        unit_id: Some(id),
        relation: Some(f.relation.clone()),
    };
    let res = registry::create_person(&st.core, &u.ctx, input).await;
    unit_done(&st, &u, id, res, UnitForm::Person(f)).await
}

async fn unit_link(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<LinkInput>,
) -> Response {
    let id = UnitId(id);
    let mut errs = Vec::new();
    let person = required_int(&mut errs, "person_id", &f.person_id).unwrap_or(0);
    let input = LinkForCreate {
        person_id: PersonId(person),
        relation: f.relation.clone(),
    };
    let res = unless(errs, registry::link_person(&st.core, &u.ctx, id, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Link(f)).await
}

async fn unit_unlink(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, link): Ids,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let id = UnitId(id);
    let res = registry::unlink_person(&st.core, &u.ctx, id, link).await;
    unit_done(&st, &u, id, res, UnitForm::None).await
}

async fn unit_vehicle_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleInput>,
) -> Response {
    let id = UnitId(id);
    let unit = match registry::get_unit(&st.core, &u.ctx, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let mut errs = Vec::new();
    let input = VehicleForCreate {
        community_id: unit.community_id,
        plate: f.plate.clone(),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        unit_id: Some(id),
        space_id: int(&mut errs, "space_id", &f.space_id).map(ParkingSpaceId),
        brand: opt(&f.brand),
        color: opt(&f.color),
    };
    let res = unless(errs, registry::create_vehicle(&st.core, &u.ctx, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Vehicle(f)).await
}

async fn unit_space_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceInput>,
) -> Response {
    let id = UnitId(id);
    let unit = match registry::get_unit(&st.core, &u.ctx, id).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let input = ParkingSpaceForCreate {
        community_id: unit.community_id,
        code: f.code.clone(),
        state: f.state.clone(),
        unit_id: Some(id),
        person_id: None,
        note: opt(&f.note),
    };
    let res = registry::create_space(&st.core, &u.ctx, input).await;
    unit_done(&st, &u, id, res, UnitForm::Space(f)).await
}

async fn unit_inspection(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<InspectionInput>,
) -> Response {
    let id = UnitId(id);
    let mut errs = Vec::new();
    let day = match f.inspected_on.trim() {
        "" => {
            errs.push(FieldError::new("inspected_on", "required"));
            None
        }
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new("inspected_on", "invalid_date"));
                None
            }
        },
    };
    let res = match day {
        Some(d) if errs.is_empty() => {
            let input = InspectionForCreate {
                inspected_on: d,
                findings: f.findings.clone(),
            };
            registry::add_inspection(&st.core, &u.ctx, id, input)
                .await
                .map(|_| ())
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    unit_done(&st, &u, id, res, UnitForm::Inspection(f)).await
}

// ---------------------------------------------------------------------------------------------
// People

#[derive(Deserialize, Default)]
#[serde(default)]
struct PeopleQ {
    community_id: String,
    name: String,
    key: String,
    after_id: String,
}

/// A link of a person to a unit, as a list shows it.
pub struct LinkRow {
    pub unit_id: UnitId,
    pub label: String,
    pub relation: String,
}

fn link_rows(p: &Person, l: Locale) -> Vec<LinkRow> {
    p.units
        .iter()
        .map(|x| LinkRow {
            unit_id: x.unit_id,
            label: x.label.clone(),
            relation: label_code(Relation::ALL, &x.relation, l),
        })
        .collect()
}

pub struct PersonRow {
    pub id: PersonId,
    pub name: String,
    pub community: String,
    pub phone: String,
    pub is_key_customer: bool,
    pub units: Vec<LinkRow>,
}

#[derive(Template)]
#[template(path = "registry/people.html")]
struct PeoplePage {
    s: Shell,
    communities: Vec<Community>,
    q: PeopleQ,
    /// `CommunityId(0)` when all are shown.
    selected: CommunityId,
    key_only: bool,
    people: Vec<PersonRow>,
    next: Option<String>,
}

async fn people_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    q: Result<Query<PeopleQ>, QueryRejection>,
) -> Response {
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let communities = match registry::list_communities(&st.core, &u.ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let l = u.locale;
    let selected: Option<CommunityId> = q.community_id.trim().parse().ok().map(CommunityId);
    let key_only = !q.key.is_empty();
    let filter = PersonFilter {
        community_id: selected,
        name: opt(&q.name),
        key_customers_only: Some(key_only),
        after_id: q.after_id.trim().parse().ok(),
        limit: Some(LIST_PAGE),
    };
    let mut s = Shell::of(&u);
    let (people, status) = match registry::list_people(&st.core, &u.ctx, &filter).await {
        Ok(v) => (v, StatusCode::OK),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, l).0;
            s = s.with_error(&e);
            (Vec::new(), status)
        }
        Err(e) => return error_page(&u, e),
    };
    let next = (people.len() as i64 >= LIST_PAGE)
        .then(|| people.last().map(|p| p.id))
        .flatten()
        .map(|last| {
            format!(
                "/people?community_id={}&name={}&key={}&after_id={last}",
                urlencode(&q.community_id),
                urlencode(&q.name),
                urlencode(&q.key)
            )
        });
    let names: HashMap<CommunityId, &str> = communities
        .iter()
        .map(|c| (c.id, c.name.as_str()))
        .collect();
    let people = people
        .iter()
        .map(|p| PersonRow {
            id: p.id,
            name: p.name.clone(),
            community: names
                .get(&p.community_id)
                .map(|n| n.to_string())
                .unwrap_or_default(),
            phone: text(&p.phone),
            is_key_customer: p.is_key_customer,
            units: link_rows(p, l),
        })
        .collect();
    let selected = selected.unwrap_or(CommunityId(0));
    with_status(
        page(&PeoplePage {
            s,
            communities,
            q,
            selected,
            key_only,
            people,
            next,
        }),
        status,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PersonEditInput {
    name: String,
    phone: String,
    id_number: String,
    clear_phone: Option<String>,
    clear_id_number: Option<String>,
    is_key_customer: Option<String>,
    key_customer_note: String,
    note: String,
}

#[derive(Template)]
#[template(path = "registry/person.html")]
struct PersonPage {
    s: Shell,
    c: Community,
    p: Person,
    units: Vec<LinkRow>,
    f: PersonEditInput,
    fe: FormErr,
}

async fn render_person(
    st: &AppState,
    u: &ConsoleUser,
    id: PersonId,
    input: Option<PersonEditInput>,
    err: Option<CoreError>,
) -> Response {
    let p = match registry::get_person(&st.core, &u.ctx, id).await {
        Ok(p) => p,
        Err(e) => return error_page(u, e),
    };
    let c = match registry::get_community(&st.core, &u.ctx, p.community_id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let f = input.unwrap_or_else(|| PersonEditInput {
        name: p.name.clone(),
        is_key_customer: p.is_key_customer.then(|| "on".to_string()),
        key_customer_note: text(&p.key_customer_note),
        note: text(&p.note),
        ..Default::default()
    });
    let name = if err.is_some() { "person" } else { "" };
    let (s, fe, status) = shell_for(u, name, err);
    let units = link_rows(&p, u.locale);
    with_status(
        page(&PersonPage {
            s,
            c,
            p,
            units,
            f,
            fe,
        }),
        status,
    )
}

async fn person_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_person(&st, &u, PersonId(id), None, None).await
}

/// A phone or ID number field of the edit form: blank keeps the stored value (the form never
/// shows it in clear), the "clear" box removes it.
fn replace(value: &str, clear: bool) -> Option<String> {
    if clear {
        Some(String::new())
    } else {
        opt(value)
    }
}

async fn person_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PersonEditInput>,
) -> Response {
    let id = PersonId(id);
    let input = PersonForUpdate {
        name: Some(f.name.clone()),
        phone: replace(&f.phone, f.clear_phone.is_some()),
        id_number: replace(&f.id_number, f.clear_id_number.is_some()),
        is_key_customer: Some(f.is_key_customer.is_some()),
        key_customer_note: Some(f.key_customer_note.clone()),
        note: Some(f.note.clone()),
    };
    match registry::update_person(&st.core, &u.ctx, id, input).await {
        Ok(_) => see(&format!("/people/{id}")),
        Err(e) if is_form_error(&e) => render_person(&st, &u, id, Some(f), Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

async fn person_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let id = PersonId(id);
    let p = match registry::get_person(&st.core, &u.ctx, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&u, e),
    };
    match registry::delete_person(&st.core, &u.ctx, id).await {
        Ok(()) => see(&format!("/people?community_id={}", p.community_id)),
        Err(e) if is_form_error(&e) => render_person(&st, &u, id, None, Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

#[derive(Template)]
#[template(path = "registry/reveal.html")]
struct RevealPage {
    s: Shell,
    p: Person,
    phone: String,
    id_number: String,
}

/// The clear phone and ID number; the service writes the audit entry. Answered to the POST
/// itself (no redirect): every showing is a reveal of its own, and the page is not cached.
async fn person_reveal(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let id = PersonId(id);
    let clear = match registry::reveal_person(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let p = match registry::get_person(&st.core, &u.ctx, id).await {
        Ok(p) => p,
        Err(e) => return error_page(&u, e),
    };
    let mut r = page(&RevealPage {
        s: Shell::of(&u),
        p,
        phone: text(&clear.phone),
        id_number: text(&clear.id_number),
    });
    r.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

// ---------------------------------------------------------------------------------------------
// Vehicles and parking spaces of a community

#[derive(Template)]
#[template(path = "registry/vehicles.html")]
struct VehiclesPage {
    s: Shell,
    c: Community,
    vehicles: Vec<VehicleRow>,
    spaces: Vec<SpaceRow>,
    f: VehicleInput,
    fe: FormErr,
}

async fn render_vehicles(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    f: VehicleInput,
    err: Option<CoreError>,
) -> Response {
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let vehicles = match registry::list_vehicles(&st.core, &u.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let spaces = match registry::list_spaces(&st.core, &u.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let (s, fe, status) = shell_for(u, "vehicle", err);
    let p = VehiclesPage {
        s,
        c,
        vehicles: vehicles.iter().map(vehicle_row).collect(),
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        f,
        fe,
    };
    with_status(page(&p), status)
}

async fn vehicles_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    render_vehicles(&st, &u, CommunityId(id), VehicleInput::default(), None).await
}

async fn vehicle_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleInput>,
) -> Response {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let input = VehicleForCreate {
        community_id: id,
        plate: f.plate.clone(),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        unit_id: None,
        space_id: int(&mut errs, "space_id", &f.space_id).map(ParkingSpaceId),
        brand: opt(&f.brand),
        color: opt(&f.color),
    };
    match unless(errs, registry::create_vehicle(&st.core, &u.ctx, input)).await {
        Ok(_) => see(&format!("/communities/{id}/vehicles")),
        Err(e) if is_form_error(&e) => render_vehicles(&st, &u, id, f, Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

async fn vehicle_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BackForm>,
) -> Response {
    match registry::delete_vehicle(&st.core, &u.ctx, VehicleId(id)).await {
        Ok(()) => see(&safe_back(&f.back, "/")),
        Err(e) => error_page(&u, e),
    }
}

/// Where an edit page was opened from (`?back=/units/12`), to return there after saving.
#[derive(Deserialize, Default)]
#[serde(default)]
struct BackQ {
    back: String,
}

/// An id typed in an edit form: empty clears it (0 to the service), text that is not a number
/// is an error on the field.
fn id_or_clear(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    Some(int(errs, field, raw).unwrap_or(0))
}

fn id_text<T: std::fmt::Display>(id: Option<T>) -> String {
    id.map(|x| x.to_string()).unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct VehicleEditInput {
    plate: String,
    brand: String,
    color: String,
    person_id: String,
    unit_id: String,
    space_id: String,
    back: String,
}

impl VehicleEditInput {
    fn of(v: &Vehicle, back: String) -> Self {
        VehicleEditInput {
            plate: v.plate.clone(),
            brand: text(&v.brand),
            color: text(&v.color),
            person_id: id_text(v.person_id),
            unit_id: id_text(v.unit_id),
            space_id: id_text(v.space_id),
            back,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/vehicle.html")]
struct VehiclePage {
    s: Shell,
    c: Community,
    v: VehicleRow,
    f: VehicleEditInput,
    spaces: Vec<SpaceRow>,
    history: Vec<HistoryRow>,
    back: String,
    fe: FormErr,
}

async fn render_vehicle(
    st: &AppState,
    u: &ConsoleUser,
    id: VehicleId,
    input: Option<VehicleEditInput>,
    back: &str,
    err: Option<CoreError>,
) -> Response {
    let v = match registry::get_vehicle(&st.core, &u.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let c = match registry::get_community(&st.core, &u.ctx, v.community_id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let spaces = match registry::list_spaces(&st.core, &u.ctx, c.id).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let history = match wuye_core::audit::history(&st.core.db, c.id, "vehicle", id.0).await {
        Ok(h) => h,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let back = safe_back(back, &format!("/communities/{}/vehicles", c.id));
    let f = input.unwrap_or_else(|| VehicleEditInput::of(&v, back.clone()));
    let (s, fe, status) = shell_for(u, "vehicle", err);
    let p = VehiclePage {
        s,
        v: vehicle_row(&v),
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        history: history_rows(&history, VEHICLE_FIELDS, tz_of(&c), l, &HashMap::new()),
        c,
        f,
        back,
        fe,
    };
    with_status(page(&p), status)
}

async fn vehicle_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<BackQ>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    render_vehicle(&st, &u, VehicleId(id), None, &q.back, None).await
}

async fn vehicle_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleEditInput>,
) -> Response {
    let id = VehicleId(id);
    let mut errs = Vec::new();
    let input = VehicleForUpdate {
        plate: Some(f.plate.clone()),
        person_id: id_or_clear(&mut errs, "person_id", &f.person_id),
        unit_id: id_or_clear(&mut errs, "unit_id", &f.unit_id),
        space_id: id_or_clear(&mut errs, "space_id", &f.space_id),
        brand: Some(f.brand.clone()),
        color: Some(f.color.clone()),
    };
    match unless(errs, registry::update_vehicle(&st.core, &u.ctx, id, input)).await {
        Ok(v) => see(&safe_back(
            &f.back,
            &format!("/communities/{}/vehicles", v.community_id),
        )),
        Err(e) if is_form_error(&e) => {
            let back = f.back.clone();
            render_vehicle(&st, &u, id, Some(f), &back, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

#[derive(Template)]
#[template(path = "registry/parking.html")]
struct ParkingPage {
    s: Shell,
    c: Community,
    spaces: Vec<SpaceRow>,
    f: SpaceInput,
    states: Vec<Opt>,
    fe: FormErr,
}

async fn render_parking(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    f: SpaceInput,
    err: Option<CoreError>,
) -> Response {
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let spaces = match registry::list_spaces(&st.core, &u.ctx, id).await {
        Ok(v) => v,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let (s, fe, status) = shell_for(u, "space", err);
    let p = ParkingPage {
        s,
        c,
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        f,
        states: options(SpaceState::ALL, l),
        fe,
    };
    with_status(page(&p), status)
}

async fn parking_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    let f = SpaceInput {
        state: SpaceState::Sold.code().into(),
        ..Default::default()
    };
    render_parking(&st, &u, CommunityId(id), f, None).await
}

async fn space_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceInput>,
) -> Response {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let input = ParkingSpaceForCreate {
        community_id: id,
        code: f.code.clone(),
        state: f.state.clone(),
        unit_id: int(&mut errs, "unit_id", &f.unit_id).map(UnitId),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        note: opt(&f.note),
    };
    match unless(errs, registry::create_space(&st.core, &u.ctx, input)).await {
        Ok(_) => see(&format!("/communities/{id}/parking")),
        Err(e) if is_form_error(&e) => render_parking(&st, &u, id, f, Some(e)).await,
        Err(e) => error_page(&u, e),
    }
}

async fn space_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BackForm>,
) -> Response {
    match registry::delete_space(&st.core, &u.ctx, ParkingSpaceId(id)).await {
        Ok(()) => see(&safe_back(&f.back, "/")),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SpaceEditInput {
    state: String,
    unit_id: String,
    person_id: String,
    note: String,
    back: String,
}

impl SpaceEditInput {
    fn of(p: &ParkingSpace, back: String) -> Self {
        SpaceEditInput {
            state: p.state.clone(),
            unit_id: id_text(p.unit_id),
            person_id: id_text(p.person_id),
            note: text(&p.note),
            back,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/space.html")]
struct SpacePage {
    s: Shell,
    c: Community,
    p: SpaceRow,
    f: SpaceEditInput,
    states: Vec<Opt>,
    history: Vec<HistoryRow>,
    back: String,
    fe: FormErr,
}

async fn render_space(
    st: &AppState,
    u: &ConsoleUser,
    id: ParkingSpaceId,
    input: Option<SpaceEditInput>,
    back: &str,
    err: Option<CoreError>,
) -> Response {
    let p = match registry::get_space(&st.core, &u.ctx, id).await {
        Ok(p) => p,
        Err(e) => return error_page(u, e),
    };
    let c = match registry::get_community(&st.core, &u.ctx, p.community_id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let history = match wuye_core::audit::history(&st.core.db, c.id, "parking_space", id.0).await {
        Ok(h) => h,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let back = safe_back(back, &format!("/communities/{}/parking", c.id));
    let f = input.unwrap_or_else(|| SpaceEditInput::of(&p, back.clone()));
    let (s, fe, status) = shell_for(u, "space", err);
    let page_ = SpacePage {
        s,
        p: space_row(&p, l),
        states: options(SpaceState::ALL, l),
        history: history_rows(&history, SPACE_FIELDS, tz_of(&c), l, &HashMap::new()),
        c,
        f,
        back,
        fe,
    };
    with_status(page(&page_), status)
}

async fn space_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<BackQ>, QueryRejection>,
) -> Response {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    render_space(&st, &u, ParkingSpaceId(id), None, &q.back, None).await
}

async fn space_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceEditInput>,
) -> Response {
    let id = ParkingSpaceId(id);
    let mut errs = Vec::new();
    let input = ParkingSpaceForUpdate {
        state: Some(f.state.clone()),
        unit_id: id_or_clear(&mut errs, "unit_id", &f.unit_id),
        person_id: id_or_clear(&mut errs, "person_id", &f.person_id),
        note: Some(f.note.clone()),
    };
    match unless(errs, registry::update_space(&st.core, &u.ctx, id, input)).await {
        Ok(p) => see(&safe_back(
            &f.back,
            &format!("/communities/{}/parking", p.community_id),
        )),
        Err(e) if is_form_error(&e) => {
            let back = f.back.clone();
            render_space(&st, &u, id, Some(f), &back, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Import

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportQ {
    community_id: String,
    done: String,
    rows: String,
    buildings: String,
    units: String,
    people: String,
}

/// What a successful import created (carried through the redirect in the query).
pub struct ImportOk {
    pub community_id: CommunityId,
    pub message: String,
}

/// One bad cell, as the error table shows it.
pub struct ImportErrRow {
    pub row: usize,
    pub column: String,
    pub message: String,
}

#[derive(Template)]
#[template(path = "registry/import.html")]
struct ImportPage {
    s: Shell,
    communities: Vec<Community>,
    /// `CommunityId(0)` when none is chosen.
    selected: CommunityId,
    max: String,
    ok: Option<ImportOk>,
    rows: usize,
    errors: Vec<ImportErrRow>,
    truncated: bool,
    fe: FormErr,
}

async fn render_import(
    st: &AppState,
    u: &ConsoleUser,
    selected: Option<CommunityId>,
    ok: Option<ImportOk>,
    report: Option<(usize, Vec<ImportRowError>)>,
    err: Option<CoreError>,
) -> Response {
    let communities = match registry::list_communities(&st.core, &u.ctx).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let l = u.locale;
    let (s, fe, mut status) = shell_for(u, "import", err);
    let (rows, errs) = report.unwrap_or_default();
    let truncated = errs.len() >= MAX_IMPORT_ERRORS;
    let errors: Vec<ImportErrRow> = errs
        .iter()
        .map(|e| ImportErrRow {
            row: e.row,
            column: e.column.clone(),
            message: l.field_error(&e.field, &e.code, &e.params),
        })
        .collect();
    if !errors.is_empty() {
        status = StatusCode::UNPROCESSABLE_ENTITY;
    }
    // With one community there is nothing to choose.
    let selected = match (selected, communities.as_slice()) {
        (Some(c), _) => c,
        (None, [only]) => only.id,
        (None, _) => CommunityId(0),
    };
    let p = ImportPage {
        s,
        communities,
        selected,
        max: size_label(st.cfg.max_upload_bytes),
        ok,
        rows,
        errors,
        truncated,
        fe,
    };
    with_status(page(&p), status)
}

async fn import_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    q: Result<Query<ImportQ>, QueryRejection>,
) -> Response {
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let selected: Option<CommunityId> = q.community_id.trim().parse().ok().map(CommunityId);
    let ok = match (selected, q.done.as_str()) {
        (Some(c), "1") => {
            let n = |s: &str| s.trim().parse::<usize>().unwrap_or(0).to_string();
            let params = [
                ("rows", n(&q.rows)),
                ("buildings", n(&q.buildings)),
                ("units", n(&q.units)),
                ("people", n(&q.people)),
            ];
            Some(ImportOk {
                community_id: c,
                message: u.locale.tf("import.ok", &params),
            })
        }
        _ => None,
    };
    render_import(&st, &u, selected, ok, None, None).await
}

async fn import_template(u: ConsoleUser) -> Response {
    match import::template_xlsx() {
        Ok(bytes) => xlsx_response(bytes, "units-template.xlsx"),
        Err(e) => error_page(&u, e),
    }
}

fn too_large(max: usize) -> CoreError {
    CoreError::Invalid(vec![
        FieldError::new("file", "file_too_large").with("max", size_label(max)),
    ])
}

/// The fields of an upload form.
#[derive(Default)]
pub(super) struct Upload {
    pub csrf: Option<String>,
    pub community: Option<String>,
    pub file: Vec<u8>,
    pub too_large: bool,
    /// The body could not be read as a form (not a size problem).
    pub broken: bool,
    /// The form's other small fields.
    pub other: Vec<(String, String)>,
}

/// Reads the upload, keeping at most `max` bytes of the file. Past the limit the rest is read
/// and dropped (up to the server's hard stop), so the browser gets the answer rather than a
/// connection reset mid-upload.
pub(super) async fn read_upload(mut mp: Multipart, max: usize, declared_too_large: bool) -> Upload {
    let mut up = Upload {
        too_large: declared_too_large,
        ..Default::default()
    };
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    up.too_large = true;
                } else {
                    up.broken = true;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let mut buf: Vec<u8> = Vec::new();
        let cap = if name == "file" { max } else { 4096 };
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > cap {
                        if name == "file" {
                            up.too_large = true;
                        }
                        // Keep reading to drain the body; store nothing more.
                        buf.clear();
                        buf.shrink_to_fit();
                        continue;
                    }
                    if !(up.too_large && name == "file") {
                        buf.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(e) => {
                    if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                        up.too_large = true;
                    } else {
                        up.broken = true;
                    }
                    return up;
                }
            }
        }
        match name.as_str() {
            "_csrf" => up.csrf = Some(String::from_utf8_lossy(&buf).into_owned()),
            "community_id" => up.community = Some(String::from_utf8_lossy(&buf).into_owned()),
            "file" if !up.too_large => up.file = buf,
            "file" => {}
            _ => up
                .other
                .push((name, String::from_utf8_lossy(&buf).into_owned())),
        }
    }
    up
}

async fn import_upload(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    mp: Result<Multipart, MultipartRejection>,
) -> Response {
    let max = st.cfg.max_upload_bytes;
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    // The file's bytes plus the form's few other fields and the multipart framing.
    let declared_too_large = declared > max + 64 * 1024;
    let up = match mp {
        Ok(mp) => read_upload(mp, max, declared_too_large).await,
        Err(_) => Upload {
            broken: true,
            ..Default::default()
        },
    };
    // A form cut short by the size limit may have lost its token too; a too-large upload changes
    // nothing, so it is answered with its own message either way.
    if !up.too_large && !csrf_ok(&headers, up.csrf.as_deref()) {
        return CsrfRejected(u.locale).into_response();
    }
    let selected: Option<CommunityId> = up
        .community
        .as_deref()
        .and_then(|c| c.trim().parse().ok())
        .map(CommunityId);
    let err = if up.too_large {
        Some(too_large(max))
    } else if up.broken {
        Some(CoreError::invalid("file", "invalid_json"))
    } else if selected.is_none() {
        Some(CoreError::invalid("community_id", "required"))
    } else if up.file.is_empty() {
        Some(CoreError::invalid("file", "required"))
    } else {
        None
    };
    if let Some(e) = err {
        return render_import(&st, &u, selected, None, None, Some(e)).await;
    }
    let Some(community) = selected else {
        return render_import(
            &st,
            &u,
            None,
            None,
            None,
            Some(CoreError::invalid("community_id", "required")),
        )
        .await;
    };
    match import::import_units_xlsx(&st.core, &u.ctx, community, &up.file, &|_, _| {}).await {
        Ok(r) if r.errors.is_empty() => see(&format!(
            "/import?community_id={community}&done=1&rows={}&buildings={}&units={}&people={}",
            r.rows, r.buildings_created, r.units_created, r.people_created
        )),
        Ok(r) => {
            render_import(
                &st,
                &u,
                Some(community),
                None,
                Some((r.rows, r.errors)),
                None,
            )
            .await
        }
        Err(e) if is_form_error(&e) => {
            render_import(&st, &u, Some(community), None, None, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Export

/// The units list's filters as the query of its export link: the export holds what the list
/// shows, every page of it.
fn units_export_href(c: CommunityId, q: &UnitsQ) -> String {
    format!(
        "/communities/{c}/units.xlsx?building_id={}&state={}&use_kind={}&unit_no={}",
        urlencode(&q.building_id),
        urlencode(&q.state),
        urlencode(&q.use_kind),
        urlencode(&q.unit_no)
    )
}

async fn export_units(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<UnitsQ>, QueryRejection>,
) -> Response {
    let id = CommunityId(id);
    // A malformed query string exports every unit.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let mut units: Vec<Unit> = Vec::new();
    let mut after = None;
    loop {
        let f = UnitFilter {
            community_id: Some(id),
            building_id: q.building_id.trim().parse().ok().map(BuildingId),
            state: opt(&q.state),
            use_kind: opt(&q.use_kind),
            unit_no: opt(&q.unit_no),
            after_id: after,
            limit: Some(EXPORT_PAGE),
        };
        let batch = match registry::list_units(&st.core, &u.ctx, &f).await {
            Ok(b) => b,
            Err(e) => return error_page(&u, e),
        };
        let n = batch.len() as i64;
        after = batch.last().map(|x| x.id.0);
        units.extend(batch);
        if n < EXPORT_PAGE {
            break;
        }
    }
    let owners = match import::unit_owner_labels(&st.core, &u.ctx, id).await {
        Ok(o) => o,
        Err(e) => return error_page(&u, e),
    };
    // Writing a large workbook is CPU work: off the async threads.
    let res = tokio::task::spawn_blocking(move || import::export_units_xlsx(&units, &owners)).await;
    match res.map_err(CoreError::internal).and_then(|r| r) {
        Ok(bytes) => xlsx_response(bytes, &format!("units-{}.xlsx", c.code)),
        Err(e) => error_page(&u, e),
    }
}

async fn export_people(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    let id = CommunityId(id);
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(&u, e),
    };
    let mut people: Vec<Person> = Vec::new();
    let mut after = None;
    loop {
        let f = PersonFilter {
            community_id: Some(id),
            after_id: after,
            limit: Some(EXPORT_PAGE),
            ..Default::default()
        };
        let batch = match registry::list_people(&st.core, &u.ctx, &f).await {
            Ok(b) => b,
            Err(e) => return error_page(&u, e),
        };
        let n = batch.len() as i64;
        after = batch.last().map(|x| x.id.0);
        people.extend(batch);
        if n < EXPORT_PAGE {
            break;
        }
    }
    let res = tokio::task::spawn_blocking(move || import::export_people_xlsx(&people)).await;
    match res.map_err(CoreError::internal).and_then(|r| r) {
        Ok(bytes) => xlsx_response(bytes, &format!("people-{}.xlsx", c.code)),
        Err(e) => error_page(&u, e),
    }
}

/// The registry lists exported by `wuye_core::registry::export`.
#[derive(Clone, Copy)]
enum List {
    Buildings,
    Vehicles,
    Spaces,
    KeyCustomers,
    VacantUnits,
}

async fn export_list(st: &AppState, u: &ConsoleUser, id: CommunityId, list: List) -> Response {
    let c = match registry::get_community(&st.core, &u.ctx, id).await {
        Ok(c) => c,
        Err(e) => return error_page(u, e),
    };
    let (core, ctx) = (&st.core, &u.ctx);
    let (res, name) = match list {
        List::Buildings => (export::buildings_xlsx(core, ctx, id).await, "buildings"),
        List::Vehicles => (export::vehicles_xlsx(core, ctx, id).await, "vehicles"),
        List::Spaces => (export::spaces_xlsx(core, ctx, id).await, "parking-spaces"),
        List::KeyCustomers => (
            export::key_customers_xlsx(core, ctx, id).await,
            "key-customers",
        ),
        List::VacantUnits => (
            export::vacant_units_xlsx(core, ctx, id).await,
            "vacant-units",
        ),
    };
    match res {
        Ok(bytes) => xlsx_response(bytes, &format!("{name}-{}.xlsx", c.code)),
        Err(e) => error_page(u, e),
    }
}

async fn export_buildings(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    export_list(&st, &u, CommunityId(id), List::Buildings).await
}

async fn export_vehicles(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    export_list(&st, &u, CommunityId(id), List::Vehicles).await
}

async fn export_spaces(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    export_list(&st, &u, CommunityId(id), List::Spaces).await
}

async fn export_key_customers(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    export_list(&st, &u, CommunityId(id), List::KeyCustomers).await
}

async fn export_vacant_units(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> Response {
    export_list(&st, &u, CommunityId(id), List::VacantUnits).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_people_write_them() {
        assert_eq!(size_label(20 * 1024 * 1024), "20 MB");
        assert_eq!(size_label(1536 * 1024), "1.5 MB");
        assert_eq!(size_label(1000), "1 KB");
    }

    fn lines(before: Option<Value>, after: Option<Value>, l: Locale) -> Vec<String> {
        let names = HashMap::from([(7, "李四".to_string())]);
        change_lines(UNIT_FIELDS, before.as_ref(), after.as_ref(), l, &names)
    }

    #[test]
    fn history_shows_only_what_changed_in_words() {
        let before = serde_json::json!({"id": 3, "unit_no": "301", "floor": 3, "building_area": "89.50",
            "use_kind": "residential", "state": "occupied", "keeper_user_id": null, "keeper_name": null,
            "note": null, "updated_at": "2026-01-01T00:00:00Z"});
        let mut after = before.clone();
        after["building_area"] = "90.25".into();
        after["state"] = "rented".into();
        after["updated_at"] = "2026-02-01T00:00:00Z".into();
        assert_eq!(
            lines(Some(before.clone()), Some(after.clone()), Locale::Zh),
            vec!["建筑面积：89.50 → 90.25", "状态：自住 → 出租"]
        );
        assert_eq!(
            lines(Some(before.clone()), Some(after), Locale::En),
            vec!["Building area: 89.50 → 90.25", "State: Occupied → Rented"]
        );
        // A keeper appears by name; clearing a note reads as "—".
        let mut kept = before.clone();
        kept["keeper_user_id"] = 5.into();
        kept["keeper_name"] = "小李".into();
        kept["note"] = "钥匙在前台".into();
        let mut cleared = kept.clone();
        cleared["note"] = Value::Null;
        assert_eq!(
            lines(Some(before), Some(kept.clone()), Locale::Zh),
            vec!["空置房看管人：— → 小李", "备注：— → 钥匙在前台"]
        );
        assert_eq!(
            lines(Some(kept), Some(cleared), Locale::Zh),
            vec!["备注：钥匙在前台 → —"]
        );
    }

    #[test]
    fn history_shows_a_created_units_key_facts() {
        let created = serde_json::json!({"id": 3, "building_name": "1栋", "unit_no": "301", "floor": 3,
            "building_area": "89.50", "inner_area": "72.30", "use_kind": "shop", "state": "vacant",
            "keeper_name": null, "created_at": "x"});
        assert_eq!(
            lines(None, Some(created), Locale::Zh),
            vec![
                "楼栋：1栋",
                "房号：301",
                "楼层：3",
                "建筑面积：89.50",
                "用途：商铺",
                "状态：空置"
            ]
        );
    }

    #[test]
    fn history_shows_people_linked_and_removed_by_name() {
        let added = serde_json::json!({"person_added": "张三", "person_id": 6, "relation": "owner", "link_id": 1});
        assert_eq!(lines(None, Some(added), Locale::Zh), vec!["添加业主 张三"]);
        // The form may have sent the Chinese label.
        let added = serde_json::json!({"person_added": "王五", "person_id": 8, "relation": "租户"});
        assert_eq!(lines(None, Some(added), Locale::Zh), vec!["添加租户 王五"]);
        let removed = serde_json::json!({"person_removed": 7, "relation": "tenant"});
        assert_eq!(
            lines(Some(removed), None, Locale::Zh),
            vec!["移除租户 李四"]
        );
        let unknown = serde_json::json!({"person_removed": 99, "relation": "member"});
        assert_eq!(
            lines(Some(unknown), None, Locale::Zh),
            vec!["移除家庭成员 #99"]
        );
        let inspected = serde_json::json!({"inspection_id": 4, "inspected_on": "2026-03-05"});
        assert_eq!(
            lines(None, Some(inspected), Locale::Zh),
            vec!["添加巡查记录（2026-03-05）"]
        );
    }

    #[test]
    fn history_of_spaces_and_vehicles_uses_their_labels() {
        let names = HashMap::new();
        let before = serde_json::json!({"code": "B2-017", "state": "vacant", "unit_id": null, "holder_name": null});
        let after = serde_json::json!({"code": "B2-017", "state": "rented", "unit_id": 12, "holder_name": "张三"});
        assert_eq!(
            change_lines(
                SPACE_FIELDS,
                Some(&before),
                Some(&after),
                Locale::Zh,
                &names
            ),
            vec!["状态：空闲 → 出租", "房屋：— → #12", "使用人：— → 张三"]
        );
        let before =
            serde_json::json!({"plate": "沪A12345", "person_name": "张三", "space_code": null});
        let after =
            serde_json::json!({"plate": "沪A12346", "person_name": "张三", "space_code": "B2-017"});
        assert_eq!(
            change_lines(
                VEHICLE_FIELDS,
                Some(&before),
                Some(&after),
                Locale::Zh,
                &names
            ),
            vec!["车牌号：沪A12345 → 沪A12346", "车位：— → B2-017"]
        );
        // An entry of a shape no field list knows is shown as recorded, not dropped.
        let odd = serde_json::json!({"merged_into": 5, "updated_at": "x"});
        assert_eq!(
            change_lines(UNIT_FIELDS, None, Some(&odd), Locale::Zh, &names),
            vec![r#"{"merged_into":5}"#]
        );
    }

    #[test]
    fn only_local_paths_are_followed_back() {
        assert_eq!(safe_back("/units/3", "/"), "/units/3");
        assert_eq!(safe_back("//evil.example", "/"), "/");
        assert_eq!(safe_back("https://evil.example", "/"), "/");
    }
}
