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
//!
//! One file per entity (communities and buildings, units, people, vehicles and parking, the
//! import, the exports, the change histories); this file holds the router and the pieces they
//! share (form conversions, the per-form error, the unit row).

use crate::console::forms::CommonCode;
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
use super::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::{describe, field_message};
use crate::extract::{ConsoleUser, CsrfForm, CsrfRejected, urlencode};
use crate::locale::Locale;

mod communities;
mod exports;
pub(super) mod history;
mod imports;
mod parking;
mod people;
#[cfg(test)]
mod tests;
mod unit_hub;
mod units;

use communities::*;
use exports::*;
use history::*;
use imports::*;
pub(super) use imports::{Upload, read_upload, too_large};
use parking::*;
use people::*;
use unit_hub::*;
use units::*;

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

/// Back to `path` after a form, saying what was done (`flash.created`, `flash.saved`,
/// `flash.deleted`) to `what`.
fn said(st: &AppState, u: &ConsoleUser, path: &str, key: &str, what: &str) -> Response {
    super::flash::done(st, u, path, u.locale.tf(key, &[("what", what)]))
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
            errs.push(FieldError::new(field, CommonCode::NotANumber));
            None
        }
    }
}

/// A required integer: empty is `required`.
fn required_int(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    if raw.trim().is_empty() {
        errs.push(FieldError::new(field, CommonCode::Required));
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
