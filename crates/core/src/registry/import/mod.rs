//! Bulk import of units (with their owners) from an Excel workbook, in steps: `template` (the
//! file to fill in), `parse` (cells and the header of the uploaded sheet), `check` (every row
//! validated, nothing written), `write` (the bulk write). The export of units and people, which
//! shares the template's columns, is in `registry::export` and re-exported here.
//!
//! The import is all-or-nothing: every row is validated with the same rules as the forms
//! (`parse_code`, `check_floor`, `Area`, `Phone`, `IdNumber`, …), every bad cell is reported with
//! its spreadsheet row and Chinese column header, and only a file without a single error is
//! written — in one transaction, with a `create` audit entry per unit and per person created (so a
//! unit's history starts with its import) and one `import` entry summing up.
//!
//! An owner already in the community's register (same ID number; for an owner given without
//! one, same phone and name) is linked to the new unit, not created a second time.
//!
//! A zip bomb is refused before it is unpacked: the declared sizes of the archive's entries must
//! add up to at most [`MAX_UNPACKED`] bytes (the zip reader refuses to inflate an entry beyond its
//! declared size, so the declaration bounds what parsing can unpack).
//!
//! Speed: the per-row services cost one statement per row (~40k rows/s on SQLite), too slow for a
//! community of 100k units, their owners and the links between them. The import writes multi-row
//! `INSERT … VALUES (…),(…)` chunks instead (`db::Bulk`, and `audit::Batch` for the entries)
//! and assigns ids itself (`store::import::reserve_ids`), so units,
//! people, links and audit entries go in without reading anything back; existing owners are
//! looked up by chunks of blind indexes. The workbook is parsed on a blocking
//! thread so a large upload does not stall the async runtime.

mod check;
mod parse;
mod template;
mod write;

#[cfg(test)]
mod tests;

use std::collections::HashSet;

use chrono::{SubsecRound, Utc};

use crate::Core;
use crate::audit::{self, Action};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

use super::error::RegistryCode;
use super::service::get_community;
use super::store;

pub use super::export::{export_people_xlsx, export_units_xlsx, mask_numbers, unit_owner_labels};
pub use template::template_xlsx;

/// One problem in one cell. `row` is the 1-based spreadsheet row (header = row 1), `column` the
/// Chinese header text of the column (e.g. "房号"), `field` the API field name ("unit_no"),
/// `code` a stable snake_case error code (the validators' codes: "required", "invalid_phone",
/// "id_number_check_digit", "too_many_decimals", "duplicate_unit_no", …), `params` interpolation
/// values (like [`FieldError::params`]).
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct ImportRowError {
    pub row: usize,
    pub column: String,
    pub field: String,
    pub code: String,
    pub params: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, serde::Serialize, utoipa::ToSchema)]
pub struct ImportReport {
    /// Data rows read (header excluded, wholly empty rows skipped).
    pub rows: usize,
    pub buildings_created: usize,
    pub units_created: usize,
    pub people_created: usize,
    /// Owners already in the community's register (same ID number, or without one the same
    /// phone and name), linked to their new units instead of created again; counted once each.
    pub people_linked: usize,
    /// Non-empty = nothing was written.
    pub errors: Vec<ImportRowError>,
}

/// More data rows than this and the file is refused before validation.
pub const MAX_IMPORT_ROWS: usize = 200_000;
/// The report stops collecting errors here; a file this broken needs fixing at the source.
pub const MAX_IMPORT_ERRORS: usize = 1_000;
const PROGRESS_EVERY: usize = 1_000;
/// Rows per multi-row INSERT. The widest statement (units) binds 12 values per row: 6,000
/// parameters, far under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK_ROWS: usize = 500;
/// The header is looked for in the first rows, so a title line above it is tolerated.
const HEADER_SEARCH_ROWS: usize = 10;
/// An .xlsx whose entries unpack to more than this (200 MiB) in total is refused unread. A
/// sheet of [`MAX_IMPORT_ROWS`] rows like the 100k bench's (an owner with phone and ID number on
/// every row) unpacks to about 85 MB.
pub const MAX_UNPACKED: u64 = 200 * 1024 * 1024;

/// One column of the template.
pub(in crate::registry) struct Column {
    pub(in crate::registry) header: &'static str,
    pub(in crate::registry) field: &'static str,
    /// The header must be present in an imported file.
    pub(in crate::registry) required: bool,
    pub(in crate::registry) width: f64,
    pub(in crate::registry) help: &'static str,
}

pub(in crate::registry) const COLUMNS: [Column; 11] = [
    Column {
        header: "楼栋",
        field: "building_name",
        required: true,
        width: 10.0,
        help: "必填。楼栋名称，不超过30个字，如“1栋”。系统中还没有的楼栋会自动创建。",
    },
    Column {
        header: "房号",
        field: "unit_no",
        required: true,
        width: 10.0,
        help: "必填。字母、数字和“-”，不超过20个字符，如“101”“A-1203”；同一楼栋内不能重复，也不能与系统中已有的房屋重复。",
    },
    Column {
        header: "楼层",
        field: "floor",
        required: true,
        width: 8.0,
        help: "必填。整数，-5到200，不能为0；地下室用负数，如-1。",
    },
    Column {
        header: "建筑面积",
        field: "building_area",
        required: true,
        width: 12.0,
        help: "必填。平方米，大于0，最多两位小数，如89.50。",
    },
    Column {
        header: "套内面积",
        field: "inner_area",
        required: false,
        width: 12.0,
        help: "选填。平方米，最多两位小数，不能大于建筑面积。",
    },
    Column {
        header: "用途",
        field: "use_kind",
        required: false,
        width: 8.0,
        help: "选填，默认“住宅”。",
    },
    Column {
        header: "状态",
        field: "state",
        required: false,
        width: 8.0,
        help: "选填，默认“空置”。",
    },
    Column {
        header: "业主姓名",
        field: "owner_name",
        required: false,
        width: 12.0,
        help: "选填。不超过50个字；填写后关联为此房屋的业主：本小区已有证件号码相同的人员（未填证件号码时：姓名和电话都相同的人员）就关联该人员，否则新建。填了电话或证件号码时必填。同一文件中姓名和证件号码（或电话）相同的业主只创建一次。",
    },
    Column {
        header: "业主电话",
        field: "owner_phone",
        required: false,
        width: 16.0,
        help: "选填。11位手机号，或带区号的固定电话（如021-62345678）。请以文本格式填写。",
    },
    Column {
        header: "证件号码",
        field: "owner_id_number",
        required: false,
        width: 22.0,
        help: "选填。18位居民身份证号码，校验位须正确。必须以文本格式填写，否则Excel会丢失末几位数字。",
    },
    Column {
        header: "备注",
        field: "note",
        required: false,
        width: 20.0,
        help: "选填。不超过500个字。",
    },
];
pub(in crate::registry) const BUILDING: usize = 0;
pub(in crate::registry) const UNIT_NO: usize = 1;
pub(in crate::registry) const FLOOR: usize = 2;
pub(in crate::registry) const BUILDING_AREA: usize = 3;
pub(in crate::registry) const INNER_AREA: usize = 4;
pub(in crate::registry) const USE_KIND: usize = 5;
pub(in crate::registry) const STATE: usize = 6;
pub(in crate::registry) const OWNER_NAME: usize = 7;
pub(in crate::registry) const OWNER_PHONE: usize = 8;
pub(in crate::registry) const OWNER_ID: usize = 9;
pub(in crate::registry) const NOTE: usize = 10;
const NCOLS: usize = COLUMNS.len();

fn invalid_file(code: RegistryCode) -> CoreError {
    CoreError::invalid("file", code)
}

// ---------------------------------------------------------------------------------------------
// Import

/// Validates every row, then applies ALL rows in ONE transaction or none.
///
/// Structural problems (bytes are not an .xlsx workbook, it would unpack to more than
/// [`MAX_UNPACKED`] bytes, no sheet, missing required header columns, no data rows, more than
/// [`MAX_IMPORT_ROWS`] rows) are `CoreError::Invalid` on the field `file`: `not_xlsx`,
/// `file_too_large_unpacked` (param `max`: "200 MB"), `empty_file`, `missing_columns` (param
/// `columns`: the missing headers joined with "、"), `too_many_rows` (param `max`). Row-level
/// problems are returned as `Ok(report)` with `errors` filled and nothing written.
///
/// Written with the data, at one time and by `ctx`'s actor: a `create` audit entry per unit
/// (after = the unit as [`Unit`]) and per person created (after = the person as [`Person`], phone
/// and ID number masked), then one `import` entry with the counts.
///
/// `progress(done, total)` is called now and then: `total` is twice the data rows; the first
/// half counts rows validated, the second rows written.
pub async fn import_units_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    bytes: &[u8],
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<ImportReport> {
    ctx.require_in(Perm::RegistryWrite, community)?;
    get_community(core, ctx, community).await?;

    let owned = bytes.to_vec();
    let range = tokio::task::spawn_blocking(move || parse::parse_workbook(owned))
        .await
        .map_err(CoreError::internal)??;
    if range.is_empty() {
        return Err(invalid_file(RegistryCode::EmptyFile));
    }
    let (header, map) = parse::find_header(&range);
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(map.iter())
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", RegistryCode::MissingColumns)
                .with("columns", missing.join("、")),
        ]));
    }
    let count = range
        .rows()
        .skip(header + 1)
        .filter(|r| !parse::row_is_empty(r))
        .count();
    if count == 0 {
        return Err(invalid_file(RegistryCode::EmptyFile));
    }
    if count > MAX_IMPORT_ROWS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", RegistryCode::TooManyRows).with("max", MAX_IMPORT_ROWS),
        ]));
    }
    let total = count * 2;
    progress(0, total);

    // Read before the write transaction so the write lock is held only for writing; a unit added
    // meanwhile is still caught by the UNIQUE constraint.
    let existing = store::import::existing_units(&core.db, community).await?;
    let existing: HashSet<(String, String)> = existing.into_iter().collect();
    let checked = check::check_sheet(&range, header, &map, count, &existing, progress);
    drop(range);
    if !checked.errors.0.is_empty() {
        return Ok(ImportReport {
            rows: checked.count,
            errors: checked.errors.0,
            ..Default::default()
        });
    }

    // Microseconds, as PostgreSQL keeps them: the audit entries show exactly what is stored.
    let now = Utc::now().trunc_subsecs(6);
    let mut tx = core.db.begin().await?;
    let report = write::write_rows(
        core,
        &mut tx,
        ctx,
        community,
        &checked.rows,
        count,
        now,
        progress,
    )
    .await?;
    let report = ImportReport {
        rows: checked.count,
        ..report
    };
    let mut summary = audit::Batch::new(ctx, community, now, Action::Import, "unit", 1);
    summary.push(
        None,
        serde_json::json!({
            "rows": report.rows,
            "buildings_created": report.buildings_created,
            "units_created": report.units_created,
            "people_created": report.people_created,
            "people_linked": report.people_linked,
        })
        .to_string(),
    );
    audit::record_batch(&mut tx, summary).await?;
    tx.commit().await?;
    // An import may multiply the community's units and people: the planner's statistics catch
    // up now rather than at the next periodic refresh.
    core.db.optimize().await;
    progress(total, total);
    Ok(report)
}
