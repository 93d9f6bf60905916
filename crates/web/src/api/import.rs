//! Spreadsheets over the API: the import template, importing units with owners (all rows or
//! none, with a per-row error report), and .xlsx exports of registry lists.

use axum::Json;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use wuye_core::registry::export;
use wuye_core::registry::import::{self, ImportReport};
use wuye_core::registry::{self, PersonFilter, UnitFilter};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::{BuildingId, CommunityId};
use wuye_core::{CoreError, CoreResult, Ctx, FieldError};

use crate::AppState;
use crate::error::{ApiResult, ErrorBody};
use crate::extract::{ApiCtx, ApiPath, ApiQuery};
use crate::locale::Locale;

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(template))
        .routes(routes!(import_units))
        .routes(routes!(export_units))
        .routes(routes!(export_people))
        .routes(routes!(export_buildings))
        .routes(routes!(export_vehicles))
        .routes(routes!(export_spaces))
        .routes(routes!(export_key_customers))
        .routes(routes!(export_vacant_units))
}

/// An .xlsx download (not cached: exports carry personal data, masked or not).
pub fn xlsx(bytes: Vec<u8>, filename: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A streamed export as a download: the workbook's temp file read out in 64 KiB chunks, so a
/// million-row sheet never sits in memory (not cached, as [`xlsx`]).
pub fn xlsx_file(f: wuye_core::shared::export::ExportFile, filename: &str) -> Response {
    use tokio::io::AsyncReadExt;
    let len = f.len;
    let file = tokio::fs::File::from_std(f.file);
    let chunks = futures_util::stream::unfold(Some(file), |file| async move {
        let mut file = file?;
        let mut buf = vec![0u8; 64 * 1024];
        match file.read(&mut buf).await {
            Ok(0) => None,
            Ok(n) => {
                buf.truncate(n);
                Some((Ok::<_, std::io::Error>(buf), Some(file)))
            }
            Err(e) => Some((Err(e), None)),
        }
    });
    (
        [
            (header::CONTENT_TYPE, XLSX.to_string()),
            (header::CONTENT_LENGTH, len.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{filename}\""),
            ),
            (header::CACHE_CONTROL, "no-store".to_string()),
        ],
        Body::from_stream(chunks),
    )
        .into_response()
}

/// Human size of a byte limit ("20 MB").
pub fn size_label(bytes: usize) -> String {
    format!("{} MB", bytes / (1024 * 1024))
}

/// Reads an upload body up to the configured limit; over it is `file_too_large`, not a 500.
pub async fn read_limited(body: Body, limit: usize) -> CoreResult<Vec<u8>> {
    axum::body::to_bytes(body, limit)
        .await
        .map(|b| b.to_vec())
        .map_err(|_| {
            CoreError::Invalid(vec![
                FieldError::new("file", CommonCode::FileTooLarge).with("max", size_label(limit)),
            ])
        })
}

/// The template for importing units with owners.
#[utoipa::path(get, path = "/api/v1/import/units/template.xlsx", tag = "import", security(("bearer" = [])),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "the template")))]
async fn template(_caller: ApiCtx) -> ApiResult<Response> {
    Ok(xlsx(import::template_xlsx()?, "units-template.xlsx"))
}

#[derive(Serialize, ToSchema)]
pub struct ImportRejected {
    /// `import_rows_invalid`
    pub code: String,
    pub message: String,
    /// Every bad cell: row, column, field, code; each with its message.
    pub errors: Vec<RowErrorBody>,
    pub report: ImportReport,
}

/// Declares the 422 body of a spreadsheet import: its rows' errors (`$rejected`) or a refusal
/// of the file itself, such as `not_xlsx` ([`ErrorBody`]). `anyOf`, not `oneOf`: a row report
/// is also a valid error body.
macro_rules! refused_schema {
    ($(#[$m:meta])* $name:ident, $rejected:ident) => {
        $(#[$m])*
        pub struct $name;

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::schema::AnyOfBuilder::new()
                    .item(utoipa::openapi::Ref::from_schema_name(stringify!($rejected)))
                    .item(utoipa::openapi::Ref::from_schema_name("ErrorBody"))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {
            fn schemas(
                schemas: &mut Vec<(
                    String,
                    utoipa::openapi::RefOr<utoipa::openapi::schema::Schema>,
                )>,
            ) {
                use utoipa::PartialSchema;
                schemas.push((stringify!($rejected).into(), $rejected::schema()));
                schemas.push(("ErrorBody".into(), $crate::error::ErrorBody::schema()));
                <$rejected as utoipa::ToSchema>::schemas(schemas);
            }
        }
    };
}
pub(crate) use refused_schema;

refused_schema!(
    /// What the units import answers with 422.
    ImportRefused,
    ImportRejected
);

/// `?preview=true`: check every row and answer what would be posted, writing nothing.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// Check every row and answer what would be posted, writing nothing.
    #[serde(default)]
    pub preview: bool,
}

#[derive(Serialize, ToSchema)]
pub struct RowErrorBody {
    pub row: usize,
    pub column: String,
    pub field: String,
    pub code: String,
    pub message: String,
}

pub fn row_message(l: Locale, e: &import::ImportRowError) -> String {
    l.field_error("", &e.code, &e.params)
}

/// Imports units with owners from the .xlsx sent as the request body. Either every row is
/// applied or none: row errors answer 422 with the report of every bad cell.
#[utoipa::path(post, path = "/api/v1/communities/{id}/import/units", tag = "import", security(("bearer" = [])),
    params(("id" = i64, Path)),
    request_body(content = Vec<u8>, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    responses((status = 200, body = ImportReport), (status = 413, body = ErrorBody), (status = 422, body = ImportRefused)))]
async fn import_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    req: Request,
) -> ApiResult<Response> {
    let bytes = read_limited(req.into_body(), s.cfg.max_upload_bytes).await?;
    let report =
        import::import_units_xlsx(&s.core, &a.ctx, CommunityId(id), &bytes, &|_, _| {}).await?;
    if report.errors.is_empty() {
        return Ok(Json(report).into_response());
    }
    let errors = row_error_bodies(a.locale, &report.errors);
    let body = ImportRejected {
        code: "import_rows_invalid".into(),
        message: a.locale.tf(
            "err.import_rows_invalid",
            &[("count", report.errors.len().to_string())],
        ),
        errors,
        report,
    };
    Ok((StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response())
}

/// Each bad cell with its message ("第 3 行 [金额]：…") in the caller's language.
pub fn row_error_bodies(l: Locale, errors: &[import::ImportRowError]) -> Vec<RowErrorBody> {
    errors
        .iter()
        .map(|e| RowErrorBody {
            row: e.row,
            column: e.column.clone(),
            field: e.field.clone(),
            code: e.code.clone(),
            message: l.tf(
                "err.import_row",
                &[
                    ("row", e.row.to_string()),
                    ("column", e.column.clone()),
                    ("message", row_message(l, e)),
                ],
            ),
        })
        .collect()
}

/// All units of a community, page by page.
pub async fn all_units(s: &AppState, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<registry::Unit>> {
    all_units_where(s, ctx, c, UnitFilter::default()).await
}

/// All units of a community that pass the filter's building, state, use and number prefix,
/// page by page.
pub async fn all_units_where(
    s: &AppState,
    ctx: &Ctx,
    c: CommunityId,
    filter: UnitFilter,
) -> CoreResult<Vec<registry::Unit>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let f = UnitFilter {
            community_id: Some(c),
            after_id: after,
            limit: Some(10_000),
            ..filter.clone()
        };
        let page = registry::list_units(&s.core, ctx, &f).await?;
        let done = page.len() < 10_000;
        after = page.last().map(|u| u.id.0);
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// All people of a community, page by page.
pub async fn all_people(
    s: &AppState,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Vec<registry::Person>> {
    let mut out = Vec::new();
    let mut after = None;
    loop {
        let f = PersonFilter {
            community_id: Some(c),
            after_id: after,
            limit: Some(10_000),
            ..Default::default()
        };
        let page = registry::list_people(&s.core, ctx, &f).await?;
        let done = page.len() < 10_000;
        after = page.last().map(|p| p.id.0);
        out.extend(page);
        if done {
            return Ok(out);
        }
    }
}

/// Which units an export holds: all of the community's, or those of one building, state, use or
/// number prefix (the filters of the console's unit list).
#[derive(Deserialize, IntoParams, Default)]
#[into_params(parameter_in = Query)]
pub struct UnitsExportQuery {
    pub building_id: Option<i64>,
    #[param(value_type = Option<wuye_core::registry::UnitState>)]
    pub state: Option<String>,
    #[param(value_type = Option<wuye_core::registry::UnitUse>)]
    pub use_kind: Option<String>,
    /// Unit number prefix.
    pub unit_no: Option<String>,
}

/// The community's units as .xlsx (owners' phones masked), optionally only those of one
/// building, state, use or number prefix.
#[utoipa::path(get, path = "/api/v1/communities/{id}/units.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path), UnitsExportQuery),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "units"), (status = 404, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn export_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
    ApiQuery(q): ApiQuery<UnitsExportQuery>,
) -> ApiResult<Response> {
    let c = CommunityId(id);
    let filter = UnitFilter {
        building_id: q.building_id.map(BuildingId),
        state: q.state,
        use_kind: q.use_kind,
        unit_no: q.unit_no,
        ..Default::default()
    };
    let units = all_units_where(&s, &a.ctx, c, filter).await?;
    let owners = import::unit_owner_labels(&s.core, &a.ctx, c).await?;
    Ok(xlsx(
        import::export_units_xlsx(&units, &owners)?,
        "units.xlsx",
    ))
}

/// The community's people as .xlsx (phones and ID numbers masked).
#[utoipa::path(get, path = "/api/v1/communities/{id}/people.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "people"), (status = 404, body = ErrorBody)))]
async fn export_people(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    let people = all_people(&s, &a.ctx, CommunityId(id)).await?;
    Ok(xlsx(import::export_people_xlsx(&people)?, "people.xlsx"))
}

/// The community's buildings as .xlsx.
#[utoipa::path(get, path = "/api/v1/communities/{id}/buildings.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "buildings"), (status = 404, body = ErrorBody)))]
async fn export_buildings(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(xlsx(
        export::buildings_xlsx(&s.core, &a.ctx, CommunityId(id)).await?,
        "buildings.xlsx",
    ))
}

/// The community's vehicles as .xlsx (owners' phones masked).
#[utoipa::path(get, path = "/api/v1/communities/{id}/vehicles.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "vehicles"), (status = 404, body = ErrorBody)))]
async fn export_vehicles(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(xlsx(
        export::vehicles_xlsx(&s.core, &a.ctx, CommunityId(id)).await?,
        "vehicles.xlsx",
    ))
}

/// The community's parking spaces as .xlsx (holders' phones masked).
#[utoipa::path(get, path = "/api/v1/communities/{id}/parking-spaces.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "parking spaces"), (status = 404, body = ErrorBody)))]
async fn export_spaces(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(xlsx(
        export::spaces_xlsx(&s.core, &a.ctx, CommunityId(id)).await?,
        "parking-spaces.xlsx",
    ))
}

/// The community's key customers (重点客户) as .xlsx (phones masked).
#[utoipa::path(get, path = "/api/v1/communities/{id}/key-customers.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "key customers"), (status = 404, body = ErrorBody)))]
async fn export_key_customers(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(xlsx(
        export::key_customers_xlsx(&s.core, &a.ctx, CommunityId(id)).await?,
        "key-customers.xlsx",
    ))
}

/// The community's vacant units (空置房) with owners (phones masked), keeper and last
/// inspection as .xlsx.
#[utoipa::path(get, path = "/api/v1/communities/{id}/vacant-units.xlsx", tag = "import", security(("bearer" = [])), params(("id" = i64, Path)),
    responses((status = 200, content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", description = "vacant units"), (status = 404, body = ErrorBody)))]
async fn export_vacant_units(
    State(s): State<AppState>,
    a: ApiCtx,
    ApiPath(id): ApiPath<i64>,
) -> ApiResult<Response> {
    Ok(xlsx(
        export::vacant_units_xlsx(&s.core, &a.ctx, CommunityId(id)).await?,
        "vacant-units.xlsx",
    ))
}
