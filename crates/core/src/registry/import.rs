//! Bulk import of units (with their owners) from an Excel workbook, and export of units and
//! people to Excel.
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
//! `INSERT … VALUES (…),(…)` chunks instead and assigns ids itself ([`reserve_ids`]), so units,
//! people, links and audit entries go in without reading anything back; existing owners are
//! looked up by chunks of blind indexes. The workbook is parsed on a blocking
//! thread so a large upload does not stall the async runtime.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::{DateTime, SubsecRound, Utc};
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};

use crate::Core;
use crate::args;
use crate::audit::Action;
use crate::db::{Args, Backend, Tx, Value};
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{
    Area, IdNumber, Phone, optional_multiline, optional_text, parse_code, required_text,
};

use super::model::*;
use super::service::{PersonFields, UnitFields, get_community};

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
/// Rows per multi-row INSERT. The widest statement (units) binds 9 values per row plus a few
/// shared ones: ~4,500 parameters, far under SQLite's 32,766 and PostgreSQL's 65,535.
const CHUNK_ROWS: usize = 500;
/// The header is looked for in the first rows, so a title line above it is tolerated.
const HEADER_SEARCH_ROWS: usize = 10;
/// Hashes per lookup of existing people (one bound parameter each).
const LOOKUP_CHUNK: usize = 1_000;
/// An .xlsx whose entries unpack to more than this (200 MiB) in total is refused unread. A
/// sheet of [`MAX_IMPORT_ROWS`] rows like the 100k bench's (an owner with phone and ID number on
/// every row) unpacks to about 85 MB.
pub const MAX_UNPACKED: u64 = 200 * 1024 * 1024;

/// One column of the template.
struct Column {
    header: &'static str,
    field: &'static str,
    /// The header must be present in an imported file.
    required: bool,
    width: f64,
    help: &'static str,
}

const COLUMNS: [Column; 11] = [
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
const BUILDING: usize = 0;
const UNIT_NO: usize = 1;
const FLOOR: usize = 2;
const BUILDING_AREA: usize = 3;
const INNER_AREA: usize = 4;
const USE_KIND: usize = 5;
const STATE: usize = 6;
const OWNER_NAME: usize = 7;
const OWNER_PHONE: usize = 8;
const OWNER_ID: usize = 9;
const NOTE: usize = 10;
const NCOLS: usize = COLUMNS.len();

pub(super) fn xlsx_err(e: XlsxError) -> CoreError {
    CoreError::internal(format!("writing the workbook: {e}"))
}

fn invalid_file(code: &'static str) -> CoreError {
    CoreError::invalid("file", code)
}

// ---------------------------------------------------------------------------------------------
// Template

fn header_format() -> Format {
    Format::new().set_bold().set_background_color(0xD9E1F2)
}

fn zh_labels<T>(all: &[(T, &'static str, &'static str, &'static str)]) -> Vec<&'static str> {
    all.iter().map(|(_, _, zh, _)| *zh).collect()
}

/// The template (.xlsx bytes): header row + one example row + a second sheet "说明" explaining
/// each column and the allowed values.
pub fn template_xlsx() -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let required = header_format().set_font_color(0xC00000);
    let optional = header_format();
    let text = Format::new().set_num_format("@");
    let uses = zh_labels(UnitUse::ALL);
    let states = zh_labels(UnitState::ALL);
    {
        let ws = wb.add_worksheet();
        ws.set_name("房屋").map_err(xlsx_err)?;
        for (i, c) in COLUMNS.iter().enumerate() {
            let col = i as u16;
            ws.set_column_width(col, c.width).map_err(xlsx_err)?;
            ws.write_string_with_format(
                0,
                col,
                c.header,
                if c.required { &required } else { &optional },
            )
            .map_err(xlsx_err)?;
        }
        // Text cells, so a phone, an ID number or a unit number typed in keeps its digits.
        for col in [UNIT_NO, OWNER_PHONE, OWNER_ID] {
            ws.set_column_format(col as u16, &text).map_err(xlsx_err)?;
        }
        let last = MAX_IMPORT_ROWS as u32;
        for (col, list) in [(USE_KIND, &uses), (STATE, &states)] {
            let dv = DataValidation::new()
                .allow_list_strings(list)
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, col as u16, last, col as u16, &dv)
                .map_err(xlsx_err)?;
        }
        ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
        write_example(ws, &text)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明").map_err(xlsx_err)?;
        let wrap = Format::new().set_text_wrap();
        for (i, (h, w)) in [
            ("列名", 12.0),
            ("是否必填", 10.0),
            ("说明", 60.0),
            ("可选值", 40.0),
        ]
        .into_iter()
        .enumerate()
        {
            ws.set_column_width(i as u16, w).map_err(xlsx_err)?;
            ws.write_string_with_format(0, i as u16, h, &optional)
                .map_err(xlsx_err)?;
        }
        for (i, c) in COLUMNS.iter().enumerate() {
            let row = i as u32 + 1;
            let allowed = match i {
                USE_KIND => uses.join("、"),
                STATE => states.join("、"),
                _ => String::new(),
            };
            ws.write_string(row, 0, c.header).map_err(xlsx_err)?;
            ws.write_string(row, 1, if c.required { "是" } else { "否" })
                .map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, c.help, &wrap)
                .map_err(xlsx_err)?;
            ws.write_string(row, 3, allowed).map_err(xlsx_err)?;
        }
        let notes = [
            "第一个工作表的第一行是列名，列的顺序可以调整；多余的列会被忽略。第2行是示例，导入前请删除或改成真实数据。",
            "导入时先检查全部行：只要有一处错误，整个文件都不会导入，并逐行列出错误（行号、列名、原因）。",
            "一次最多导入20万行；空行会被跳过。文件解压后不能超过200 MB。",
        ];
        let base = COLUMNS.len() as u32 + 2;
        for (i, n) in notes.iter().enumerate() {
            ws.write_string(base + i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn write_example(ws: &mut Worksheet, text: &Format) -> CoreResult<()> {
    let r = 1;
    ws.write_string(r, BUILDING as u16, "1栋")
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, UNIT_NO as u16, "101", text)
        .map_err(xlsx_err)?;
    ws.write_number(r, FLOOR as u16, 1.0).map_err(xlsx_err)?;
    ws.write_number(r, BUILDING_AREA as u16, 89.5)
        .map_err(xlsx_err)?;
    ws.write_number(r, INNER_AREA as u16, 72.3)
        .map_err(xlsx_err)?;
    ws.write_string(r, USE_KIND as u16, UnitUse::Residential.zh())
        .map_err(xlsx_err)?;
    ws.write_string(r, STATE as u16, UnitState::Occupied.zh())
        .map_err(xlsx_err)?;
    ws.write_string(r, OWNER_NAME as u16, "张三")
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, OWNER_PHONE as u16, "13812345678", text)
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, OWNER_ID as u16, "11010519491231002X", text)
        .map_err(xlsx_err)?;
    ws.write_string(r, NOTE as u16, "示例行，导入前请删除")
        .map_err(xlsx_err)?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Reading cells

/// A cell as the validators see it.
enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    /// Dates, booleans: validated through their text, which no numeric field accepts.
    Other(String),
    /// `#N/A`, `#DIV/0!`, …: a broken formula, never a value.
    Error,
}

fn cell(d: Option<&Data>) -> Cell<'_> {
    match d {
        None | Some(Data::Empty) => Cell::Empty,
        Some(Data::String(s)) => {
            let t = s.trim();
            if t.is_empty() {
                Cell::Empty
            } else {
                Cell::Text(t)
            }
        }
        Some(Data::Int(i)) => Cell::Int(*i),
        Some(Data::Float(f)) => Cell::Float(*f),
        Some(Data::Error(_)) => Cell::Error,
        Some(other) => Cell::Other(other.to_string()),
    }
}

/// A number as a person would type it: 13812345678.0 → "13812345678", never "1.3812345678e10".
fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Cell<'_> {
    fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
    /// The cell as text; `None` when empty. An error cell is reported by the caller.
    fn text(&self) -> Option<String> {
        match self {
            Cell::Empty | Cell::Error => None,
            Cell::Text(s) => Some((*s).to_string()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(number_text(*f)),
            Cell::Other(s) => Some(s.clone()),
        }
    }
}

fn row_is_empty(row: &[Data]) -> bool {
    row.iter().all(|d| cell(Some(d)).is_empty())
}

fn header_key(d: &Data) -> Option<&str> {
    match d {
        // "房号*" or "*房号" as some templates mark required columns.
        Data::String(s) => Some(s.trim().trim_matches('*').trim()),
        _ => None,
    }
}

/// Which range column holds each template column, from one header row.
fn map_columns(row: &[Data]) -> [Option<usize>; NCOLS] {
    let mut map = [None; NCOLS];
    for (i, d) in row.iter().enumerate() {
        if let Some(k) = header_key(d)
            && let Some(c) = COLUMNS.iter().position(|c| c.header == k)
            && map[c].is_none()
        {
            map[c] = Some(i);
        }
    }
    map
}

/// The header row (relative to the range) and its column map: the first of the first rows that
/// names any template column.
fn find_header(range: &Range<Data>) -> (usize, [Option<usize>; NCOLS]) {
    for (i, row) in range.rows().take(HEADER_SEARCH_ROWS).enumerate() {
        let map = map_columns(row);
        if map.iter().any(Option::is_some) {
            return (i, map);
        }
    }
    (0, [None; NCOLS])
}

/// The uncompressed size the archive declares: the sum over the entries of its central
/// directory, read by the same zip reader (version and settings) calamine opens it with, which
/// refuses to inflate an entry beyond its declared size — so this bounds what parsing unpacks.
/// `None`: not a zip archive.
fn declared_unpacked_size(bytes: &[u8]) -> Option<u64> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let meta = zip.metadata();
    let mut total = 0u64;
    for i in 0..meta.len() {
        total = total.saturating_add(meta.entry(i).ok()?.size());
    }
    Some(total)
}

/// Refuses an archive that unpacks to more than `max` bytes (a zip bomb) before anything is
/// inflated; returns the declared total.
fn check_unpacked_size(bytes: &[u8], max: u64) -> CoreResult<u64> {
    let total = declared_unpacked_size(bytes).ok_or_else(|| invalid_file("not_xlsx"))?;
    if total > max {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", "file_too_large_unpacked")
                .with("max", format!("{} MB", max / (1024 * 1024))),
        ]));
    }
    Ok(total)
}

fn parse_workbook(bytes: Vec<u8>) -> CoreResult<Range<Data>> {
    check_unpacked_size(&bytes, MAX_UNPACKED)?;
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| invalid_file("not_xlsx"))?;
    match wb.worksheet_range_at(0) {
        None => Err(invalid_file("empty_file")),
        Some(Err(_)) => Err(invalid_file("not_xlsx")),
        Some(Ok(r)) => Ok(r),
    }
}

// ---------------------------------------------------------------------------------------------
// Validation

/// Collects row errors up to [`MAX_IMPORT_ERRORS`].
#[derive(Default)]
struct Errors(Vec<ImportRowError>);

impl Errors {
    fn full(&self) -> bool {
        self.0.len() >= MAX_IMPORT_ERRORS
    }
    fn push(&mut self, row: usize, col: usize, e: FieldError) {
        if self.full() {
            return;
        }
        let c = &COLUMNS[col];
        self.0.push(ImportRowError {
            row,
            column: c.header.to_string(),
            field: c.field.to_string(),
            code: e.code.to_string(),
            params: e
                .params
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        });
    }
    /// Keeps the value of an `Ok`, records the error of an `Err` against `col`.
    fn take<T>(&mut self, row: usize, col: usize, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(row, col, e);
                None
            }
        }
    }
}

/// One valid row, ready to write.
struct RowData {
    building: String,
    unit: UnitFields,
    owner: Option<PersonFields>,
}

/// The validation of a whole sheet.
struct Checked {
    rows: Vec<RowData>,
    /// Data rows read (empty rows skipped).
    count: usize,
    errors: Errors,
}

/// The cells of one row, addressed by template column.
struct RowCells<'a> {
    row: &'a [Data],
    map: &'a [Option<usize>; NCOLS],
}

impl RowCells<'_> {
    fn get(&self, col: usize) -> Cell<'_> {
        cell(self.map[col].and_then(|i| self.row.get(i)))
    }
}

fn field(col: usize) -> &'static str {
    COLUMNS[col].field
}

fn text_cell(errs: &mut Errors, n: usize, c: &RowCells, col: usize) -> Option<Option<String>> {
    let v = c.get(col);
    if matches!(v, Cell::Error) {
        errs.push(n, col, FieldError::new(field(col), "cell_error"));
        return None;
    }
    Some(v.text())
}

fn required_cell(errs: &mut Errors, n: usize, c: &RowCells, col: usize) -> Option<String> {
    match text_cell(errs, n, c, col)? {
        Some(s) => Some(s),
        None => {
            errs.push(n, col, FieldError::new(field(col), "required"));
            None
        }
    }
}

fn parse_floor(c: Cell) -> Result<i64, FieldError> {
    let f = field(FLOOR);
    let not_int = || FieldError::new(f, "not_an_integer");
    let v = match c {
        Cell::Empty => return Err(FieldError::new(f, "required")),
        Cell::Error => return Err(FieldError::new(f, "cell_error")),
        Cell::Int(i) => i,
        Cell::Float(x) if x.fract() == 0.0 && x.abs() < 1e9 => x as i64,
        Cell::Float(_) => return Err(not_int()),
        Cell::Text(s) => match s.parse::<i64>() {
            Ok(i) => i,
            Err(_) => match s.parse::<f64>() {
                Ok(x) if x.fract() == 0.0 && x.abs() < 1e9 => x as i64,
                Ok(_) => return Err(not_int()),
                Err(_) => return Err(FieldError::new(f, "not_a_number")),
            },
        },
        Cell::Other(_) => return Err(FieldError::new(f, "not_a_number")),
    };
    check_floor(f, v)
}

/// `None` = empty cell.
fn parse_area(col: usize, c: Cell) -> Result<Option<Area>, FieldError> {
    let f = field(col);
    match c {
        Cell::Empty => Ok(None),
        Cell::Error => Err(FieldError::new(f, "cell_error")),
        Cell::Float(x) => Area::from_f64(f, x).map(Some),
        Cell::Int(i) => Area::parse(f, &i.to_string()).map(Some),
        Cell::Text(s) => Area::parse(f, s).map(Some),
        Cell::Other(s) => Area::parse(f, &s).map(Some),
    }
}

fn parse_id_number(c: Cell) -> Result<Option<IdNumber>, FieldError> {
    let f = field(OWNER_ID);
    match c {
        Cell::Empty => Ok(None),
        Cell::Error => Err(FieldError::new(f, "cell_error")),
        // A number cell has lost the last digits (doubles hold 15–16) and cannot hold an X.
        Cell::Float(_) => Err(FieldError::new(f, "invalid_id_number")),
        Cell::Int(i) => IdNumber::parse(f, &i.to_string()).map(Some),
        Cell::Text(s) => IdNumber::parse(f, s).map(Some),
        Cell::Other(s) => IdNumber::parse(f, &s).map(Some),
    }
}

/// Who a row's owner is, for recognising the same person on several rows of one file.
#[derive(Hash, PartialEq, Eq)]
enum OwnerKey {
    IdNumber(String, String),
    Phone(String, String),
}

/// Validates one non-empty row. Returns the row's (building, unit number) when both are valid,
/// for the duplicate checks, and the row when every cell is (the errors are in `errs`).
fn check_row(
    errs: &mut Errors,
    n: usize,
    c: &RowCells,
) -> (Option<(String, String)>, Option<RowData>) {
    let before = errs.0.len();
    let building = required_cell(errs, n, c, BUILDING)
        .and_then(|s| errs.take(n, BUILDING, required_text(field(BUILDING), &s, 30)));
    let unit_no = required_cell(errs, n, c, UNIT_NO)
        .and_then(|s| errs.take(n, UNIT_NO, parse_code(field(UNIT_NO), &s, 20)));
    let floor = errs.take(n, FLOOR, parse_floor(c.get(FLOOR)));
    let ba = match errs.take(
        n,
        BUILDING_AREA,
        parse_area(BUILDING_AREA, c.get(BUILDING_AREA)),
    ) {
        Some(Some(a)) => Some(a),
        Some(None) => {
            errs.push(
                n,
                BUILDING_AREA,
                FieldError::new(field(BUILDING_AREA), "required"),
            );
            None
        }
        None => None,
    };
    let ia = errs.take(n, INNER_AREA, parse_area(INNER_AREA, c.get(INNER_AREA)));
    if let (Some(b), Some(i)) = (ba, ia) {
        errs.take(n, INNER_AREA, check_areas(b, i));
    }
    let use_kind = text_cell(errs, n, c, USE_KIND).and_then(|s| match s {
        None => Some(UnitUse::Residential),
        Some(s) => errs.take(n, USE_KIND, UnitUse::parse(field(USE_KIND), &s)),
    });
    let state = text_cell(errs, n, c, STATE).and_then(|s| match s {
        None => Some(UnitState::Vacant),
        Some(s) => errs.take(n, STATE, UnitState::parse(field(STATE), &s)),
    });
    let owner_name = text_cell(errs, n, c, OWNER_NAME).and_then(|s| {
        errs.take(
            n,
            OWNER_NAME,
            optional_text(field(OWNER_NAME), s.as_deref(), 50),
        )
    });
    let phone_cell = c.get(OWNER_PHONE);
    let has_phone = !phone_cell.is_empty();
    let phone = match phone_cell {
        Cell::Error => {
            errs.push(
                n,
                OWNER_PHONE,
                FieldError::new(field(OWNER_PHONE), "cell_error"),
            );
            None
        }
        other => match other.text() {
            None => Some(None),
            Some(s) => errs
                .take(n, OWNER_PHONE, Phone::parse(field(OWNER_PHONE), &s))
                .map(Some),
        },
    };
    let id_cell = c.get(OWNER_ID);
    let has_id = !id_cell.is_empty();
    let id_number = errs.take(n, OWNER_ID, parse_id_number(id_cell));
    if (has_phone || has_id) && matches!(owner_name, Some(None)) {
        errs.push(
            n,
            OWNER_NAME,
            FieldError::new(field(OWNER_NAME), "required"),
        );
    }
    let note = text_cell(errs, n, c, NOTE)
        .and_then(|s| errs.take(n, NOTE, optional_multiline(field(NOTE), s.as_deref(), 500)));
    let key = match (&building, &unit_no) {
        (Some(b), Some(u)) => Some((b.clone(), u.clone())),
        _ => None,
    };
    if errs.0.len() != before || errs.full() {
        return (key, None);
    }
    let (
        Some(building),
        Some(unit_no),
        Some(floor),
        Some(building_area),
        Some(inner_area),
        Some(use_kind),
        Some(state),
    ) = (building, unit_no, floor, ba, ia, use_kind, state)
    else {
        return (key, None);
    };
    let (Some(owner_name), Some(phone), Some(id_number), Some(note)) =
        (owner_name, phone, id_number, note)
    else {
        return (key, None);
    };
    let row = RowData {
        building,
        unit: UnitFields {
            unit_no,
            floor,
            building_area,
            inner_area,
            use_kind,
            state,
            note,
        },
        owner: owner_name.map(|name| PersonFields {
            name,
            phone,
            id_number,
        }),
    };
    (key, Some(row))
}

/// Validates every data row below the header. `existing` holds (building name, unit number) of
/// the community's units.
fn check_sheet(
    range: &Range<Data>,
    header: usize,
    map: &[Option<usize>; NCOLS],
    count: usize,
    existing: &HashSet<(String, String)>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Checked {
    // Spreadsheet row number of the range's first row.
    let first_row = range.start().map_or(0, |(r, _)| r as usize) + 1;
    let total = count * 2;
    let mut errs = Errors::default();
    let mut rows = Vec::with_capacity(count);
    let mut first_seen: HashMap<(String, String), usize> = HashMap::with_capacity(count);
    let mut done = 0;
    for (i, row) in range.rows().enumerate().skip(header + 1) {
        if row_is_empty(row) {
            continue;
        }
        if errs.full() {
            break;
        }
        let n = first_row + i;
        done += 1;
        if done % PROGRESS_EVERY == 0 {
            progress(done, total);
        }
        let (key, checked) = check_row(&mut errs, n, &RowCells { row, map });
        // Duplicates are checked even on a row with other errors, so every problem shows at once.
        let Some(key) = key else {
            continue;
        };
        if existing.contains(&key) {
            errs.push(
                n,
                UNIT_NO,
                FieldError::new(field(UNIT_NO), "duplicate_unit_no").with("existing", 1),
            );
            continue;
        }
        if let Some(first) = first_seen.get(&key) {
            errs.push(
                n,
                UNIT_NO,
                FieldError::new(field(UNIT_NO), "duplicate_unit_no").with("first_row", first),
            );
            continue;
        }
        first_seen.insert(key, n);
        if let Some(r) = checked {
            rows.push(r);
        }
    }
    progress(count, total);
    Checked {
        rows,
        count,
        errors: errs,
    }
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
    let range = tokio::task::spawn_blocking(move || parse_workbook(owned))
        .await
        .map_err(CoreError::internal)??;
    if range.is_empty() {
        return Err(invalid_file("empty_file"));
    }
    let (header, map) = find_header(&range);
    let missing: Vec<&str> = COLUMNS
        .iter()
        .zip(map.iter())
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", "missing_columns").with("columns", missing.join("、")),
        ]));
    }
    let count = range
        .rows()
        .skip(header + 1)
        .filter(|r| !row_is_empty(r))
        .count();
    if count == 0 {
        return Err(invalid_file("empty_file"));
    }
    if count > MAX_IMPORT_ROWS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", "too_many_rows").with("max", MAX_IMPORT_ROWS),
        ]));
    }
    let total = count * 2;
    progress(0, total);

    // Read before the write transaction so the write lock is held only for writing; a unit added
    // meanwhile is still caught by the UNIQUE constraint.
    let existing: Vec<(String, String)> = core
        .db
        .read()
        .fetch_all(
            "SELECT b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id WHERE u.community_id = $1",
            args![community],
        )
        .await?;
    let existing: HashSet<(String, String)> = existing.into_iter().collect();
    let checked = check_sheet(&range, header, &map, count, &existing, progress);
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
    let report = write_rows(
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
    let mut summary = AuditRows::new(ctx, community, now, Action::Import, "unit", 1);
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
    summary.execute(&mut tx).await?;
    tx.commit().await?;
    progress(total, total);
    Ok(report)
}

/// `n` fresh ids for `table`, which the caller then inserts explicitly. SQLite: the write
/// transaction (`BEGIN IMMEDIATE`) holds the database's write lock, so nobody else can take ids
/// above the current maximum before commit. PostgreSQL: taken from the identity column's
/// sequence (`GENERATED BY DEFAULT` accepts explicit ids), so concurrent inserts never collide.
async fn reserve_ids(tx: &mut Tx, table: &'static str, n: usize) -> CoreResult<Vec<i64>> {
    if n == 0 {
        return Ok(Vec::new());
    }
    match tx.backend() {
        Backend::Sqlite => {
            let (max,): (i64,) = tx
                .fetch_one(
                    &format!("SELECT COALESCE(MAX(id), 0) FROM {table}"),
                    Args::new(),
                )
                .await?;
            Ok((1..=n as i64).map(|i| max + i).collect())
        }
        Backend::Postgres => {
            let rows: Vec<(i64,)> = tx
                .fetch_all(
                    "SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)",
                    args![table, n as i64],
                )
                .await?;
            if rows.len() != n {
                return Err(CoreError::internal("the id sequence returned too few ids"));
            }
            Ok(rows.into_iter().map(|r| r.0).collect())
        }
    }
}

/// A multi-row `INSERT … VALUES (…),(…)` under construction.
///
/// Placeholders are `$1, $2, …` in text order, which the db layer hands SQLite as plain `?`
/// (see `db::to_sqlite_sql`: numbered `?NNN` bind in quadratic time — 58% of a 100k-row import).
struct Values {
    sql: String,
    args: Args,
    rows: usize,
    /// Appended after the last row.
    tail: &'static str,
}

impl Values {
    fn new(head: &str, params: usize) -> Self {
        Self::with_args(head, Args::with_capacity(params), "", params)
    }

    /// After `args` already bound by `head`, with `tail` after the rows.
    fn with_args(head: &str, args: Args, tail: &'static str, params: usize) -> Self {
        let mut sql = String::with_capacity(head.len() + params * 7 + tail.len());
        sql.push_str(head);
        Self {
            sql,
            args,
            rows: 0,
            tail,
        }
    }

    fn row<const N: usize>(&mut self, vals: [Value; N]) {
        if self.rows > 0 {
            self.sql.push(',');
        }
        self.rows += 1;
        self.sql.push('(');
        for (i, v) in vals.into_iter().enumerate() {
            if i > 0 {
                self.sql.push(',');
            }
            // `$n` in order: the db layer turns them into plain `?` for SQLite, which binds
            // thousands of parameters in linear time.
            let p = self.args.push(v);
            self.sql.push_str(&p);
        }
        self.sql.push(')');
    }

    /// Runs the statement; no rows, no statement.
    async fn execute(mut self, tx: &mut Tx) -> CoreResult<u64> {
        if self.rows == 0 {
            return Ok(0);
        }
        self.sql.push_str(self.tail);
        tx.execute(&self.sql, self.args).await
    }
}

/// Audit entries of one action on one kind of entity, written like the data: many per
/// statement, with the import's actor, community and time bound once and only the entity id and
/// the after-image per entry — the rows `audit::record` writes one at a time:
///
/// `INSERT INTO audit_log (…) SELECT $1, …, $7, column1, NULL, column2
/// FROM (VALUES ($8, $9), …) AS v` — SQLite and PostgreSQL both name the columns of a VALUES
/// list `column1`, `column2`, ….
struct AuditRows(Values);

impl AuditRows {
    fn new(
        ctx: &Ctx,
        community: CommunityId,
        at: DateTime<Utc>,
        action: Action,
        entity: &'static str,
        rows: usize,
    ) -> Self {
        let mut args = Args::with_capacity(7 + rows * 2);
        let shared = [
            args.push(ctx.company_id),
            args.push(community),
            args.push(ctx.actor()),
            args.push(ctx.display_name.as_str()),
            args.push(at),
            args.push(action.code()),
            args.push(entity),
        ];
        let head = format!(
            "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, \
             entity, entity_id, before_json, after_json) \
             SELECT {}, column1, NULL, column2 FROM (VALUES ",
            shared.join(", ")
        );
        Self(Values::with_args(&head, args, ") AS v", rows * 2))
    }

    /// An entry on the entity `id` (`None`: on the kind as a whole, like the import summary).
    fn push(&mut self, id: Option<i64>, after: String) {
        self.0.row([id.into(), after.into()]);
    }

    async fn execute(self, tx: &mut Tx) -> CoreResult<u64> {
        self.0.execute(tx).await
    }
}

fn json(v: &impl serde::Serialize) -> CoreResult<String> {
    serde_json::to_string(v).map_err(CoreError::internal)
}

/// One distinct owner named in the file.
struct Owner {
    /// The first row naming them.
    first: usize,
    id_hash: Option<Vec<u8>>,
    phone_hash: Option<Vec<u8>>,
    /// The person of the community's register they are, if any.
    existing: Option<PersonId>,
}

/// `SELECT id, <key column>[, name] FROM people WHERE community_id = … AND <key column> IN (…)`
/// over chunks of `hashes`, lowest id first.
async fn people_by_hash<T: crate::db::FromBothRows>(
    tx: &mut Tx,
    community: CommunityId,
    select: &str,
    column: &str,
    hashes: &[&Vec<u8>],
) -> CoreResult<Vec<T>> {
    let mut out = Vec::new();
    for chunk in hashes.chunks(LOOKUP_CHUNK) {
        let mut a = Args::with_capacity(chunk.len() + 1);
        let c = a.push(community);
        let list: Vec<String> = chunk.iter().map(|h| a.push((*h).clone())).collect();
        let sql = format!(
            "SELECT {select} FROM people WHERE community_id = {c} AND {column} IN ({}) ORDER BY id",
            list.join(",")
        );
        out.extend(tx.fetch_all::<T>(&sql, a).await?);
    }
    Ok(out)
}

/// Finds the owners already in the community's register: the person with the same ID number
/// (the one created first when there are several); for an owner without an ID number, the person
/// with the same phone AND the same name. One query per [`LOOKUP_CHUNK`] hashes.
async fn find_existing(
    tx: &mut Tx,
    community: CommunityId,
    rows: &[RowData],
    owners: &mut [Owner],
) -> CoreResult<()> {
    let mut ids: Vec<&Vec<u8>> = owners.iter().filter_map(|o| o.id_hash.as_ref()).collect();
    ids.sort_unstable();
    ids.dedup();
    let found: Vec<(PersonId, Vec<u8>)> =
        people_by_hash(tx, community, "id, id_no_hash", "id_no_hash", &ids).await?;
    let mut by_id: HashMap<Vec<u8>, PersonId> = HashMap::with_capacity(found.len());
    for (p, h) in found {
        by_id.entry(h).or_insert(p);
    }

    let mut phones: Vec<&Vec<u8>> = owners
        .iter()
        .filter(|o| o.id_hash.is_none())
        .filter_map(|o| o.phone_hash.as_ref())
        .collect();
    phones.sort_unstable();
    phones.dedup();
    let found: Vec<(PersonId, String, Vec<u8>)> =
        people_by_hash(tx, community, "id, name, phone_hash", "phone_hash", &phones).await?;
    let mut by_phone: HashMap<(Vec<u8>, String), PersonId> = HashMap::with_capacity(found.len());
    for (p, name, h) in found {
        by_phone.entry((h, name)).or_insert(p);
    }

    for o in owners.iter_mut() {
        o.existing = match (&o.id_hash, &o.phone_hash) {
            (Some(id), _) => by_id.get(id).copied(),
            (None, Some(phone)) => {
                let name = rows[o.first].owner.as_ref().map(|p| p.name.clone());
                name.and_then(|n| by_phone.get(&(phone.clone(), n)).copied())
            }
            (None, None) => None,
        };
    }
    Ok(())
}

/// Writes the validated rows with their audit entries; returns the counts (all but `rows`).
#[allow(clippy::too_many_arguments)]
async fn write_rows(
    core: &Core,
    tx: &mut Tx,
    ctx: &Ctx,
    community: CommunityId,
    rows: &[RowData],
    count: usize,
    now: DateTime<Utc>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<ImportReport> {
    let total = count * 2;

    // Buildings: the few missing ones one by one.
    let known: Vec<(BuildingId, String)> = tx
        .fetch_all(
            "SELECT id, name FROM buildings WHERE community_id = $1",
            args![community],
        )
        .await?;
    let mut buildings: HashMap<String, BuildingId> =
        known.into_iter().map(|(id, name)| (name, id)).collect();
    let mut buildings_created = 0;
    for r in rows {
        if !buildings.contains_key(&r.building) {
            let id = tx
                .insert_id(
                    "INSERT INTO buildings (community_id, name, created_at, updated_at) VALUES ($1, $2, $3, $3) RETURNING id",
                    args![community, r.building.as_str(), now],
                )
                .await?;
            buildings.insert(r.building.clone(), BuildingId(id));
            buildings_created += 1;
        }
    }

    // Owners: one per distinct owner of the file; `owner_of[i]` is row i's owner index.
    let mut owner_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    let mut owners: Vec<Owner> = Vec::new();
    let mut seen: HashMap<OwnerKey, usize> = HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        let Some(o) = &r.owner else {
            owner_of.push(None);
            continue;
        };
        let key = match (&o.id_number, &o.phone) {
            (Some(id), _) => Some(OwnerKey::IdNumber(o.name.clone(), id.as_str().to_string())),
            (None, Some(p)) => Some(OwnerKey::Phone(o.name.clone(), p.as_str().to_string())),
            (None, None) => None,
        };
        let known = match &key {
            Some(k) => seen.get(k).copied(),
            None => None,
        };
        let p = match known {
            Some(p) => p,
            None => {
                if let Some(k) = key {
                    seen.insert(k, owners.len());
                }
                owners.push(Owner {
                    first: i,
                    id_hash: o
                        .id_number
                        .as_ref()
                        .map(|x| core.crypto.blind_index("id_number", x.as_str())),
                    phone_hash: o
                        .phone
                        .as_ref()
                        .map(|x| core.crypto.blind_index("phone", x.as_str())),
                    existing: None,
                });
                owners.len() - 1
            }
        };
        owner_of.push(Some(p));
    }
    drop(seen);
    find_existing(tx, community, rows, &mut owners).await?;

    // Ids: the new people (in the order of their first rows) get reserved ones.
    let new_owners: Vec<usize> = (0..owners.len())
        .filter(|p| owners[*p].existing.is_none())
        .collect();
    let unit_ids = reserve_ids(tx, "units", rows.len()).await?;
    let new_ids = reserve_ids(tx, "people", new_owners.len()).await?;
    let mut person_of: Vec<PersonId> = owners
        .iter()
        .map(|o| o.existing.unwrap_or(PersonId(0)))
        .collect();
    for (p, id) in new_owners.iter().zip(&new_ids) {
        person_of[*p] = PersonId(*id);
    }
    let people_linked = owners
        .iter()
        .filter_map(|o| o.existing)
        .collect::<HashSet<_>>()
        .len();

    let mut next_new = 0;
    for (c, chunk) in rows.chunks(CHUNK_ROWS).enumerate() {
        let base = c * CHUNK_ROWS;
        let ids = &unit_ids[base..base + chunk.len()];
        let mut unit_log = AuditRows::new(ctx, community, now, Action::Create, "unit", chunk.len());

        let mut v = Values::new(
            "INSERT INTO units (id, community_id, building_id, unit_no, floor, building_area, inner_area, use_kind, \
             state, note, created_at, updated_at) VALUES ",
            chunk.len() * 12,
        );
        for (r, id) in chunk.iter().zip(ids) {
            let b = buildings
                .get(&r.building)
                .copied()
                .ok_or_else(|| CoreError::internal("building id missing"))?;
            let u = &r.unit;
            v.row([
                (*id).into(),
                community.into(),
                b.into(),
                u.unit_no.as_str().into(),
                u.floor.into(),
                u.building_area.0.into(),
                u.inner_area.map(|x| x.0).into(),
                u.use_kind.code().into(),
                u.state.code().into(),
                u.note.clone().into(),
                now.into(),
                now.into(),
            ]);
            // The unit as `create_unit` logs it.
            let unit = Unit {
                id: UnitId(*id),
                community_id: community,
                building_id: b,
                building_name: r.building.clone(),
                unit_no: u.unit_no.clone(),
                floor: u.floor,
                building_area: u.building_area,
                inner_area: u.inner_area,
                use_kind: u.use_kind,
                state: u.state,
                keeper_user_id: None,
                keeper_name: None,
                note: u.note.clone(),
                created_at: now,
                updated_at: now,
            };
            unit_log.push(Some(unit.id.0), json(&unit)?);
        }
        v.execute(tx).await.map_err(|e| {
            if e.is_unique_violation() {
                CoreError::conflict("unit_no", "duplicate_unit_no")
            } else {
                e
            }
        })?;

        // The new people first named in this chunk (a person's first row never lies in a later
        // chunk than their other rows).
        let end = base + chunk.len();
        let start_new = next_new;
        while next_new < new_owners.len() && owners[new_owners[next_new]].first < end {
            next_new += 1;
        }
        let mut person_log = AuditRows::new(
            ctx,
            community,
            now,
            Action::Create,
            "person",
            next_new - start_new,
        );
        let mut v = Values::new(
            "INSERT INTO people (id, community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, \
             is_key_customer, created_at, updated_at) VALUES ",
            (next_new - start_new) * 10,
        );
        for &p in &new_owners[start_new..next_new] {
            let owner = &owners[p];
            let Some(o) = &rows[owner.first].owner else {
                return Err(CoreError::internal("owner missing"));
            };
            let phone = o.phone.as_ref().map(Phone::as_str);
            let idn = o.id_number.as_ref().map(IdNumber::as_str);
            let id = person_of[p];
            v.row([
                id.into(),
                community.into(),
                o.name.as_str().into(),
                phone.map(|x| core.crypto.encrypt(x)).into(),
                owner.phone_hash.clone().into(),
                idn.map(|x| core.crypto.encrypt(x)).into(),
                owner.id_hash.clone().into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
            // The person as `create_person` logs it: phone and ID number masked.
            let person = Person {
                id,
                community_id: community,
                name: o.name.clone(),
                phone: phone.map(mask_phone),
                id_number: idn.map(mask_id_number),
                is_key_customer: false,
                key_customer_note: None,
                note: None,
                units: Vec::new(),
                created_at: now,
                updated_at: now,
            };
            person_log.push(Some(id.0), json(&person)?);
        }
        v.execute(tx).await?;

        let mut v = Values::new(
            "INSERT INTO unit_people (community_id, unit_id, person_id, relation, created_at) VALUES ",
            chunk.len() * 5,
        );
        for (i, id) in ids.iter().enumerate() {
            if let Some(p) = owner_of[base + i] {
                v.row([
                    community.into(),
                    (*id).into(),
                    person_of[p].into(),
                    Relation::Owner.code().into(),
                    now.into(),
                ]);
            }
        }
        v.execute(tx).await?;
        unit_log.execute(tx).await?;
        person_log.execute(tx).await?;
        progress(count + end, total);
    }
    Ok(ImportReport {
        buildings_created,
        units_created: rows.len(),
        people_created: new_owners.len(),
        people_linked,
        ..Default::default()
    })
}

// ---------------------------------------------------------------------------------------------
// Export

/// Masks every clear phone or ID number inside free text (runs of 7+ digits; 18-character ID
/// numbers ending in X included), so an export cannot leak one whatever the caller passes in.
/// Masked text ("138****5678") passes unchanged. Shared with the other exports.
pub fn mask_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 17 && chars.get(i).is_some_and(|c| matches!(c, 'X' | 'x')) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        if run.len() >= 15 {
            out.push_str(&mask_id_number(&run));
        } else if run.len() >= 7 {
            out.push_str(&mask_phone(&run));
        } else {
            out.push_str(&run);
        }
    }
    out
}

fn write_headers(ws: &mut Worksheet, headers: &[(&str, f64)]) -> CoreResult<()> {
    let f = header_format();
    for (i, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(i as u16, *w).map_err(xlsx_err)?;
        ws.write_string_with_format(0, i as u16, *h, &f)
            .map_err(xlsx_err)?;
    }
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

fn area_number(a: Area) -> f64 {
    a.0 as f64 / 100.0
}

/// The owners of each unit of a community as export labels: "张三 138****5678" (phone masked,
/// omitted when unknown), in link order. For [`export_units_xlsx`].
pub async fn unit_owner_labels(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<HashMap<UnitId, Vec<String>>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    let rows: Vec<(UnitId, String, Option<Vec<u8>>)> = core
        .db
        .read()
        .fetch_all(
            "SELECT up.unit_id, p.name, p.phone_enc FROM unit_people up JOIN people p ON p.id = up.person_id \
             WHERE up.community_id = $1 AND up.relation = $2 ORDER BY up.unit_id, up.id",
            args![community, Relation::Owner.code()],
        )
        .await?;
    let mut out: HashMap<UnitId, Vec<String>> = HashMap::new();
    for (unit, name, phone) in rows {
        let label = match phone.and_then(|b| core.crypto.decrypt(&b).ok()) {
            Some(p) => format!("{name} {}", mask_phone(&p)),
            None => name,
        };
        out.entry(unit).or_default().push(label);
    }
    Ok(out)
}

/// .xlsx of units: one row each, the template's unit columns with Chinese headers and labels,
/// the owners (as given, e.g. by [`unit_owner_labels`]) joined with "、" in one 业主 column;
/// any clear phone or ID number in them is masked.
pub fn export_units_xlsx(
    units: &[Unit],
    owners: &HashMap<UnitId, Vec<String>>,
) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("房屋").map_err(xlsx_err)?;
    write_headers(
        ws,
        &[
            (COLUMNS[BUILDING].header, 10.0),
            (COLUMNS[UNIT_NO].header, 10.0),
            (COLUMNS[FLOOR].header, 8.0),
            (COLUMNS[BUILDING_AREA].header, 12.0),
            (COLUMNS[INNER_AREA].header, 12.0),
            (COLUMNS[USE_KIND].header, 8.0),
            (COLUMNS[STATE].header, 8.0),
            ("业主", 30.0),
            (COLUMNS[NOTE].header, 20.0),
        ],
    )?;
    let area = Format::new().set_num_format("0.00");
    for (i, u) in units.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, u.building_name.as_str())
            .map_err(xlsx_err)?;
        ws.write_string(r, 1, u.unit_no.as_str())
            .map_err(xlsx_err)?;
        ws.write_number(r, 2, u.floor as f64).map_err(xlsx_err)?;
        ws.write_number_with_format(r, 3, area_number(u.building_area), &area)
            .map_err(xlsx_err)?;
        if let Some(a) = u.inner_area {
            ws.write_number_with_format(r, 4, area_number(a), &area)
                .map_err(xlsx_err)?;
        }
        ws.write_string(r, 5, u.use_kind.zh()).map_err(xlsx_err)?;
        ws.write_string(r, 6, u.state.zh()).map_err(xlsx_err)?;
        if let Some(o) = owners.get(&u.id).filter(|o| !o.is_empty()) {
            let joined: Vec<String> = o.iter().map(|s| mask_numbers(s)).collect();
            ws.write_string(r, 7, joined.join("、")).map_err(xlsx_err)?;
        }
        if let Some(n) = &u.note {
            ws.write_string(r, 8, mask_numbers(n)).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// .xlsx of people: name, masked phone, masked ID number, key customer 是/否, units, note.
pub fn export_people_xlsx(people: &[Person]) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").map_err(xlsx_err)?;
    write_headers(
        ws,
        &[
            ("姓名", 12.0),
            ("电话", 16.0),
            ("证件号码", 22.0),
            ("重点客户", 10.0),
            ("房屋", 30.0),
            ("备注", 20.0),
        ],
    )?;
    for (i, p) in people.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, p.name.as_str()).map_err(xlsx_err)?;
        // `Person` carries masked values already; masking again is idempotent and guards a
        // caller that filled in clear ones.
        if let Some(ph) = &p.phone {
            ws.write_string(r, 1, mask_phone(ph)).map_err(xlsx_err)?;
        }
        if let Some(id) = &p.id_number {
            ws.write_string(r, 2, mask_id_number(id))
                .map_err(xlsx_err)?;
        }
        ws.write_string(r, 3, if p.is_key_customer { "是" } else { "否" })
            .map_err(xlsx_err)?;
        let units: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        ws.write_string(r, 4, units.join("、")).map_err(xlsx_err)?;
        if let Some(n) = &p.note {
            ws.write_string(r, 5, mask_numbers(n)).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Instant;

    use super::*;
    use crate::auth;
    use crate::db::{Db, DbOptions};
    use crate::registry::{self, CommunityForCreate, HitKind, PersonFilter, UnitFilter};
    use crate::shared::crypto::Crypto;
    use crate::{CoreRef, PasswordCost, Settings};

    struct Env {
        core: CoreRef,
        ctx: Ctx,
        community: CommunityId,
        path: PathBuf,
    }

    impl Drop for Env {
        fn drop(&mut self) {
            if self.path.as_os_str().is_empty() {
                return;
            }
            for suffix in ["", "-wal", "-shm"] {
                let mut p = self.path.clone().into_os_string();
                p.push(suffix);
                let _ = std::fs::remove_file(p);
            }
        }
    }

    /// A fresh database: a SQLite file in the temp dir, or — when `WUYE_TEST_DATABASE_URL` names
    /// a PostgreSQL server — a schema of its own there.
    async fn open_db(name: &str) -> (Db, PathBuf) {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let unique = format!("{name}_{}_{nanos}", std::process::id());
        if let Some(url) = std::env::var("WUYE_TEST_DATABASE_URL")
            .ok()
            .filter(|u| u.starts_with("postgres"))
        {
            let schema = format!("t_import_{unique}");
            let admin = Db::connect(&url, &DbOptions::default()).await.unwrap();
            let mut tx = admin.begin().await.unwrap();
            tx.execute(&format!("CREATE SCHEMA {schema}"), args![])
                .await
                .unwrap();
            tx.commit().await.unwrap();
            admin.close().await;
            let opts = DbOptions {
                pg_schema: Some(schema),
                ..Default::default()
            };
            let db = Db::connect(&url, &opts).await.unwrap();
            db.migrate().await.unwrap();
            return (db, PathBuf::new());
        }
        let path = std::env::temp_dir().join(format!("wuye-import-{unique}.db"));
        let db = Db::connect(&path.to_string_lossy(), &DbOptions::default())
            .await
            .unwrap();
        db.migrate().await.unwrap();
        (db, path)
    }

    async fn env(name: &str) -> Env {
        let (db, path) = open_db(name).await;
        let core = Core::new(
            db,
            Crypto::new(&[1u8; 32]),
            Settings {
                password_cost: PasswordCost::Low,
                ..Default::default()
            },
        );
        auth::ensure_roles(&core).await.unwrap();
        let company = auth::ensure_company(&core, "测试物业").await.unwrap();
        let ctx = Ctx::system(company);
        let c = registry::create_community(
            &core,
            &ctx,
            CommunityForCreate {
                code: "C1".into(),
                name: "测试小区".into(),
                address: None,
                timezone: None,
            },
        )
        .await
        .unwrap();
        Env {
            core,
            ctx,
            community: c.id,
            path,
        }
    }

    fn no_progress() -> impl Fn(usize, usize) + Send + Sync {
        |_, _| {}
    }

    /// A cell to write in a test workbook.
    enum V {
        S(&'static str),
        N(f64),
        E,
    }

    fn workbook(rows: &[Vec<V>]) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (r, row) in rows.iter().enumerate() {
            for (c, v) in row.iter().enumerate() {
                let (r, c) = (r as u32, c as u16);
                match v {
                    V::S(s) => ws.write_string(r, c, *s).map(|_| ()).unwrap(),
                    V::N(n) => ws.write_number(r, c, *n).map(|_| ()).unwrap(),
                    V::E => {}
                }
            }
        }
        wb.save_to_buffer().unwrap()
    }

    fn header() -> Vec<V> {
        COLUMNS.iter().map(|c| V::S(c.header)).collect()
    }

    /// 楼栋, 房号, 楼层, 建筑面积, 套内面积, 用途, 状态, 业主姓名, 业主电话, 证件号码, 备注.
    fn unit_row(
        b: &'static str,
        no: &'static str,
        floor: f64,
        area: f64,
        owner: V,
        phone: V,
        id: V,
    ) -> Vec<V> {
        vec![
            V::S(b),
            V::S(no),
            V::N(floor),
            V::N(area),
            V::E,
            V::E,
            V::E,
            owner,
            phone,
            id,
            V::E,
        ]
    }

    async fn counts(e: &Env) -> [i64; 5] {
        registry::community_counts(&e.core, &e.ctx, e.community)
            .await
            .unwrap()
    }

    async fn links(e: &Env) -> i64 {
        let (n,): (i64,) = e
            .core
            .db
            .read()
            .fetch_one(
                "SELECT COUNT(*) FROM unit_people WHERE community_id = $1",
                args![e.community],
            )
            .await
            .unwrap();
        n
    }

    /// (entity, action, entries) of the community's audit log on units and people.
    async fn audit_counts(e: &Env) -> Vec<(String, String, i64)> {
        e.core
            .db
            .read()
            .fetch_all(
                "SELECT entity, action, COUNT(*) FROM audit_log WHERE community_id = $1 \
                 AND entity IN ('unit', 'person') GROUP BY entity, action ORDER BY entity, action",
                args![e.community],
            )
            .await
            .unwrap()
    }

    fn read_sheet(bytes: &[u8]) -> Vec<Vec<String>> {
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes.to_vec())).unwrap();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        range
            .rows()
            .map(|r| r.iter().map(|d| d.to_string()).collect())
            .collect()
    }

    fn errs(report: &ImportReport) -> Vec<(usize, &str, &str)> {
        report
            .errors
            .iter()
            .map(|e| (e.row, e.column.as_str(), e.code.as_str()))
            .collect()
    }

    fn file_error<T: std::fmt::Debug>(r: CoreResult<T>) -> FieldError {
        match r {
            Err(CoreError::Invalid(mut v)) if v.len() == 1 => v.remove(0),
            other => panic!("expected one file error, got {other:?}"),
        }
    }

    #[tokio::test]
    async fn template_example_row_imports() {
        let e = env("template").await;
        let template = template_xlsx().unwrap();
        // The template has the explanation sheet.
        let wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(template.clone())).unwrap();
        assert_eq!(
            wb.sheet_names(),
            vec!["房屋".to_string(), "说明".to_string()]
        );

        let calls = AtomicUsize::new(0);
        let last = std::sync::Mutex::new((0, 0));
        let progress = |d: usize, t: usize| {
            calls.fetch_add(1, Ordering::Relaxed);
            *last.lock().unwrap() = (d, t);
        };
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &template, &progress)
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            (
                r.rows,
                r.buildings_created,
                r.units_created,
                r.people_created
            ),
            (1, 1, 1, 1)
        );
        assert_eq!(*last.lock().unwrap(), (2, 2));
        assert!(calls.load(Ordering::Relaxed) >= 2);

        // Ids taken by the import do not collide with ordinary inserts afterwards.
        let later = registry::create_person(
            &e.core,
            &e.ctx,
            registry::PersonForCreate {
                community_id: e.community,
                name: "李四".into(),
                phone: None,
                id_number: None,
                is_key_customer: false,
                key_customer_note: None,
                note: None,
                unit_id: None,
                relation: None,
            },
        )
        .await
        .unwrap();
        assert_eq!(counts(&e).await, [1, 1, 2, 0, 0]);
        registry::delete_person(&e.core, &e.ctx, later.id)
            .await
            .unwrap();

        let units = registry::list_units(
            &e.core,
            &e.ctx,
            &UnitFilter {
                community_id: Some(e.community),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(units.len(), 1);
        let u = &units[0];
        assert_eq!(
            (u.building_name.as_str(), u.unit_no.as_str(), u.floor),
            ("1栋", "101", 1)
        );
        assert_eq!(
            (u.building_area, u.inner_area),
            (Area(8950), Some(Area(7230)))
        );
        assert_eq!(
            (u.use_kind, u.state),
            (UnitUse::Residential, UnitState::Occupied)
        );
        assert_eq!(u.note.as_deref(), Some("示例行，导入前请删除"));

        let d = registry::unit_detail(&e.core, &e.ctx, u.id).await.unwrap();
        assert_eq!(d.people.len(), 1);
        assert_eq!(d.people[0].relation, Relation::Owner);
        assert_eq!(d.people[0].person.name, "张三");
        assert_eq!(d.people[0].person.phone.as_deref(), Some("138****5678"));
        assert_eq!(
            d.people[0].person.id_number.as_deref(),
            Some("110105********002X")
        );
        let clear = registry::reveal_person(&e.core, &e.ctx, d.people[0].person.id)
            .await
            .unwrap();
        assert_eq!(clear.phone.as_deref(), Some("13812345678"));
        assert_eq!(clear.id_number.as_deref(), Some("11010519491231002X"));

        let hits = registry::search(&e.core, &e.ctx, "13812345678", Some(e.community), 10)
            .await
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert!(matches!(hits[0].kind, HitKind::Person));
        assert_eq!(
            (hits[0].title.as_str(), hits[0].unit_id),
            ("张三", Some(u.id))
        );

        let log = crate::audit::list(
            &e.core.db,
            &e.ctx,
            &crate::audit::AuditFilter {
                action: Some("import".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(
            (
                log[0].entity.as_str(),
                log[0].entity_id,
                log[0].community_id
            ),
            ("unit", None, Some(e.community.0))
        );
        let after: serde_json::Value =
            serde_json::from_str(log[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(
            after,
            serde_json::json!({
                "rows": 1, "buildings_created": 1, "units_created": 1, "people_created": 1,
                "people_linked": 0,
            })
        );

        // The same file again: the unit exists now, nothing is written.
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &template, &no_progress())
            .await
            .unwrap();
        assert_eq!(errs(&r), vec![(2, "房号", "duplicate_unit_no")]);
        assert_eq!(
            r.errors[0].params,
            vec![("existing".to_string(), "1".to_string())]
        );
        assert_eq!(counts(&e).await, [1, 1, 1, 0, 0]);
    }

    #[tokio::test]
    async fn bad_rows_are_all_reported_and_nothing_is_written() {
        let e = env("bad").await;
        let seed = workbook(&[
            header(),
            unit_row("1栋", "101", 1.0, 90.0, V::S("赵一"), V::E, V::E),
        ]);
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &seed, &no_progress())
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let before = counts(&e).await;
        assert_eq!(before, [1, 1, 1, 0, 0]);

        let mut inner_too_big = unit_row("2栋", "301", 3.0, 80.0, V::E, V::E, V::E);
        inner_too_big[4] = V::N(80.01);
        let mut many = unit_row(
            "2栋",
            "302",
            3.5,
            1.234,
            V::E,
            V::S("138"),
            V::N(110105194912310020.0),
        );
        many[5] = V::S("别墅");
        let bad = workbook(&[
            header(),
            unit_row("1栋", "201", 2.0, -89.0, V::E, V::E, V::E),
            unit_row("1栋", "202", 2.0, 89.123, V::E, V::E, V::E),
            unit_row("1栋", "203", 2.0, 90.0, V::S("李四"), V::S("1381234"), V::E),
            unit_row(
                "1栋",
                "204",
                2.0,
                90.0,
                V::S("王五"),
                V::E,
                V::S("110105194912310021"),
            ),
            unit_row(
                "1栋",
                "205",
                2.0,
                90.0,
                V::S("钱六"),
                V::S("13900001111"),
                V::E,
            ),
            unit_row("1栋", "205", 2.0, 90.0, V::E, V::E, V::E),
            unit_row("1栋", "101", 1.0, 90.0, V::E, V::E, V::E),
            unit_row("1栋", "206", 2.0, 90.0, V::E, V::S("13900002222"), V::E),
            vec![],
            inner_too_big,
            many,
            vec![V::E, V::S("a b"), V::S("x"), V::E],
            // Duplicates of and on rows with other errors are reported too.
            unit_row("1栋", "201", 2.0, 90.0, V::E, V::E, V::E),
            unit_row("1栋", "101", 0.0, 90.0, V::E, V::E, V::E),
        ]);
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &bad, &no_progress())
            .await
            .unwrap();
        assert_eq!(r.rows, 13, "the empty row 10 is skipped");
        assert_eq!(
            (r.buildings_created, r.units_created, r.people_created),
            (0, 0, 0)
        );
        assert_eq!(
            errs(&r),
            vec![
                (2, "建筑面积", "must_be_positive"),
                (3, "建筑面积", "too_many_decimals"),
                (4, "业主电话", "invalid_phone"),
                (5, "证件号码", "id_number_check_digit"),
                (7, "房号", "duplicate_unit_no"),
                (8, "房号", "duplicate_unit_no"),
                (9, "业主姓名", "required"),
                (11, "套内面积", "inner_area_exceeds_building_area"),
                (12, "楼层", "not_an_integer"),
                (12, "建筑面积", "too_many_decimals"),
                (12, "用途", "unknown_unit_use"),
                (12, "业主电话", "invalid_phone"),
                (12, "证件号码", "invalid_id_number"),
                (12, "业主姓名", "required"),
                (13, "楼栋", "required"),
                (13, "房号", "invalid_code"),
                (13, "楼层", "not_a_number"),
                (13, "建筑面积", "required"),
                (14, "房号", "duplicate_unit_no"),
                (15, "楼层", "floor_out_of_range"),
                (15, "房号", "duplicate_unit_no"),
            ]
        );
        let e7 = &r.errors[4];
        assert_eq!(
            (e7.field.as_str(), e7.params.clone()),
            ("unit_no", vec![("first_row".to_string(), "6".to_string())])
        );
        assert_eq!(
            r.errors[5].params,
            vec![("existing".to_string(), "1".to_string())]
        );
        assert_eq!(r.errors[2].field, "owner_phone");
        assert_eq!(r.errors[2].params, Vec::<(String, String)>::new());
        assert_eq!(
            r.errors[1].params,
            vec![("max".to_string(), "2".to_string())]
        );
        assert_eq!(
            r.errors[18].params,
            vec![("first_row".to_string(), "2".to_string())]
        );
        assert_eq!(
            r.errors[20].params,
            vec![("existing".to_string(), "1".to_string())]
        );
        assert_eq!(counts(&e).await, before, "nothing half-written");
        assert_eq!(links(&e).await, 1);
    }

    #[tokio::test]
    async fn errors_are_capped() {
        let e = env("cap").await;
        let mut rows = vec![header()];
        // Two bad cells per row (floor 0, bad phone), 600 rows: 1,200 errors.
        rows.extend(
            (0..600).map(|_| unit_row("1栋", "101", 0.0, 90.0, V::S("周八"), V::S("x"), V::E)),
        );
        let r = import_units_xlsx(
            &e.core,
            &e.ctx,
            e.community,
            &workbook(&rows),
            &no_progress(),
        )
        .await
        .unwrap();
        assert_eq!(r.rows, 600);
        assert_eq!(r.errors.len(), MAX_IMPORT_ERRORS);
        assert_eq!(
            errs(&r)[..3],
            [
                (2, "楼层", "floor_out_of_range"),
                (2, "业主电话", "invalid_phone"),
                (3, "楼层", "floor_out_of_range")
            ]
        );
        assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
    }

    #[tokio::test]
    async fn structural_problems_are_file_errors() {
        let e = env("structure").await;
        let fe = file_error(
            import_units_xlsx(
                &e.core,
                &e.ctx,
                e.community,
                b"not a workbook",
                &no_progress(),
            )
            .await,
        );
        assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));

        let no_unit_no = workbook(&[
            vec![V::S("楼栋"), V::S("楼层"), V::S("建筑面积")],
            vec![V::S("1栋"), V::N(1.0), V::N(90.0)],
        ]);
        let fe = file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &no_unit_no, &no_progress()).await,
        );
        assert_eq!(
            (fe.code, fe.params.clone()),
            ("missing_columns", vec![("columns", "房号".to_string())])
        );

        let no_headers = workbook(&[vec![V::S("a"), V::S("b")], vec![V::S("1"), V::S("2")]]);
        let fe = file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &no_headers, &no_progress()).await,
        );
        assert_eq!(
            (fe.code, fe.params.clone()),
            (
                "missing_columns",
                vec![("columns", "楼栋、房号、楼层、建筑面积".to_string())]
            )
        );

        let header_only = workbook(&[header(), vec![], vec![V::S(" ")]]);
        let fe = file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &header_only, &no_progress()).await,
        );
        assert_eq!(fe.code, "empty_file");

        let mut reader = e.ctx.clone();
        reader.perms.remove(&Perm::RegistryWrite);
        let r = import_units_xlsx(
            &e.core,
            &reader,
            e.community,
            &template_xlsx().unwrap(),
            &no_progress(),
        )
        .await;
        assert!(matches!(r, Err(CoreError::Forbidden)), "{r:?}");
        let r = import_units_xlsx(
            &e.core,
            &e.ctx,
            CommunityId(999),
            &template_xlsx().unwrap(),
            &no_progress(),
        )
        .await;
        assert!(matches!(r, Err(CoreError::NotFound("community"))), "{r:?}");
        assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
    }

    #[tokio::test]
    async fn numbers_spaces_column_order_and_shared_owners() {
        let e = env("cells").await;
        // Shuffled columns, padded headers, a title row above, numeric cells, an empty row.
        let file = workbook(&[
            vec![V::S("某某小区房屋清单")],
            vec![
                V::S(" 房号 "),
                V::S("业主电话"),
                V::S("楼栋"),
                V::S("建筑面积"),
                V::S("楼层 "),
                V::S("业主姓名"),
                V::S("证件号码"),
                V::S("用途"),
                V::S("其他列"),
            ],
            vec![
                V::N(301.0),
                V::N(13700001111.0),
                V::S("A座"),
                V::N(89.5),
                V::N(3.0),
                V::S("孙七"),
                V::E,
                V::S("shop"),
                V::S("x"),
            ],
            vec![],
            vec![
                V::S("302"),
                V::N(13700001111.0),
                V::S("A座"),
                V::S("100"),
                V::S("3"),
                V::S("孙七"),
                V::E,
                V::E,
                V::E,
            ],
            vec![
                V::S("b1-01"),
                V::E,
                V::S("B座"),
                V::N(30.0),
                V::N(-1.0),
                V::E,
                V::E,
                V::S("车库"),
                V::E,
            ],
        ]);
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            (
                r.rows,
                r.buildings_created,
                r.units_created,
                r.people_created
            ),
            (3, 2, 3, 1)
        );
        let units = registry::list_units(
            &e.core,
            &e.ctx,
            &UnitFilter {
                community_id: Some(e.community),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let got: Vec<_> = units
            .iter()
            .map(|u| {
                (
                    u.building_name.as_str(),
                    u.unit_no.as_str(),
                    u.floor,
                    u.building_area.0,
                    u.use_kind,
                    u.state,
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("A座", "301", 3, 8950, UnitUse::Shop, UnitState::Vacant),
                (
                    "A座",
                    "302",
                    3,
                    10000,
                    UnitUse::Residential,
                    UnitState::Vacant
                ),
                (
                    "B座",
                    "B1-01",
                    -1,
                    3000,
                    UnitUse::Parking,
                    UnitState::Vacant
                ),
            ]
        );
        let hits = registry::search(&e.core, &e.ctx, "13700001111", Some(e.community), 10)
            .await
            .unwrap();
        assert_eq!(hits.len(), 1);
        let p = registry::get_person(&e.core, &e.ctx, PersonId(hits[0].id))
            .await
            .unwrap();
        let labels: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(labels, vec!["A座-301", "A座-302"], "one owner of two units");
        assert_eq!(links(&e).await, 2);
    }

    #[tokio::test]
    async fn exports_mask_personal_data() {
        let e = env("export").await;
        import_units_xlsx(
            &e.core,
            &e.ctx,
            e.community,
            &template_xlsx().unwrap(),
            &no_progress(),
        )
        .await
        .unwrap();
        let units = registry::list_units(
            &e.core,
            &e.ctx,
            &UnitFilter {
                community_id: Some(e.community),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let mut owners = unit_owner_labels(&e.core, &e.ctx, e.community)
            .await
            .unwrap();
        assert_eq!(
            owners.get(&units[0].id),
            Some(&vec!["张三 138****5678".to_string()])
        );
        // A careless caller passing a clear number still gets it masked.
        owners
            .entry(units[0].id)
            .or_default()
            .push("李四 13900001111 11010519491231002X".into());
        let sheet = read_sheet(&export_units_xlsx(&units, &owners).unwrap());
        assert_eq!(
            sheet,
            vec![
                vec![
                    "楼栋",
                    "房号",
                    "楼层",
                    "建筑面积",
                    "套内面积",
                    "用途",
                    "状态",
                    "业主",
                    "备注"
                ],
                vec![
                    "1栋",
                    "101",
                    "1",
                    "89.5",
                    "72.3",
                    "住宅",
                    "自住",
                    "张三 138****5678、李四 139****1111 110105********002X",
                    "示例行，导入前请删除"
                ],
            ]
        );

        let people = registry::list_people(
            &e.core,
            &e.ctx,
            &PersonFilter {
                community_id: Some(e.community),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let sheet = read_sheet(&export_people_xlsx(&people).unwrap());
        assert_eq!(
            sheet,
            vec![
                vec!["姓名", "电话", "证件号码", "重点客户", "房屋", "备注"],
                vec![
                    "张三",
                    "138****5678",
                    "110105********002X",
                    "否",
                    "1栋-101",
                    ""
                ],
            ]
        );
        for cell in sheet.iter().flatten() {
            assert!(
                !cell.contains("13812345678") && !cell.contains("1231002"),
                "{cell}"
            );
        }
    }

    // -----------------------------------------------------------------------------------------
    // Zip bombs

    /// What each entry of the archive really inflates to.
    fn real_unpacked_sizes(bytes: &[u8]) -> Vec<u64> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).unwrap();
        (0..zip.len())
            .map(|i| std::io::copy(&mut zip.by_index(i).unwrap(), &mut std::io::sink()).unwrap())
            .collect()
    }

    fn u16_at(b: &[u8], i: usize) -> usize {
        u16::from_le_bytes([b[i], b[i + 1]]) as usize
    }

    fn u32_at(b: &[u8], i: usize) -> usize {
        u32::from_le_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]) as usize
    }

    /// `bytes` with the uncompressed sizes the central directory declares for the named entries
    /// replaced, the data left as it is: walks the End-of-Central-Directory record (0x06054b50)
    /// to the directory's entries (0x02014b50, uncompressed size at offset 24).
    fn declare_sizes(bytes: &[u8], sizes: &[(&str, u32)]) -> Vec<u8> {
        let mut out = bytes.to_vec();
        let eocd = (0..=out.len() - 22)
            .rev()
            .find(|i| out[*i..*i + 4] == 0x0605_4b50u32.to_le_bytes())
            .unwrap();
        let entries = u16_at(&out, eocd + 10);
        let mut at = u32_at(&out, eocd + 16);
        let mut patched = 0;
        for _ in 0..entries {
            assert_eq!(out[at..at + 4], 0x0201_4b50u32.to_le_bytes());
            let (name_len, extra, comment) = (
                u16_at(&out, at + 28),
                u16_at(&out, at + 30),
                u16_at(&out, at + 32),
            );
            let name = String::from_utf8(out[at + 46..at + 46 + name_len].to_vec()).unwrap();
            if let Some((_, size)) = sizes.iter().find(|(n, _)| *n == name) {
                out[at + 24..at + 28].copy_from_slice(&size.to_le_bytes());
                patched += 1;
            }
            at += 46 + name_len + extra + comment;
        }
        assert_eq!(patched, sizes.len(), "entries not found");
        out
    }

    #[test]
    fn unpacked_size_is_the_real_sum_and_is_capped() {
        assert_eq!(MAX_UNPACKED, 200 * 1024 * 1024);
        // 20,000 alike rows: the sheet compresses many times over.
        let mut rows = vec![header()];
        rows.extend((0..20_000).map(|_| {
            unit_row(
                "1栋",
                "101",
                1.0,
                90.0,
                V::S("张三"),
                V::S("13812345678"),
                V::E,
            )
        }));
        let file = workbook(&rows);
        let real = real_unpacked_sizes(&file);
        let total: u64 = real.iter().sum();
        assert!(real.len() > 5, "{real:?}");
        assert_eq!(declared_unpacked_size(&file), Some(total));
        assert!(
            total > 8 * file.len() as u64 && total > 1 << 20,
            "{total} bytes from {}",
            file.len()
        );

        assert_eq!(check_unpacked_size(&file, total).unwrap(), total);
        assert_eq!(check_unpacked_size(&file, MAX_UNPACKED).unwrap(), total);
        let fe = file_error(check_unpacked_size(&file, total - 1));
        assert_eq!(
            (fe.field.as_str(), fe.code),
            ("file", "file_too_large_unpacked")
        );
        let fe = file_error(check_unpacked_size(&file, 1024 * 1024));
        assert_eq!(
            (fe.code, fe.params),
            ("file_too_large_unpacked", vec![("max", "1 MB".to_string())])
        );

        for junk in [&b""[..], b"not a workbook", b"PK\x03\x04\x14\x00\x00\x00"] {
            let fe = file_error(check_unpacked_size(junk, MAX_UNPACKED));
            assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));
        }
    }

    #[tokio::test]
    async fn zip_bombs_are_refused_unread() {
        let e = env("bomb").await;
        let template = template_xlsx().unwrap();
        let sheet = "xl/worksheets/sheet1.xml";
        let strings = "xl/sharedStrings.xml";
        let refused = |fe: FieldError| {
            assert_eq!(
                (fe.field.as_str(), fe.code, fe.params),
                (
                    "file",
                    "file_too_large_unpacked",
                    vec![("max", "200 MB".to_string())]
                )
            );
        };
        // One entry over the limit.
        let bomb = declare_sizes(&template, &[(sheet, 300 << 20)]);
        assert!(declared_unpacked_size(&bomb).unwrap() > MAX_UNPACKED);
        refused(file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &bomb, &no_progress()).await,
        ));
        // Entries each under the limit, together over it.
        let bomb = declare_sizes(&template, &[(sheet, 150 << 20), (strings, 60 << 20)]);
        refused(file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &bomb, &no_progress()).await,
        ));
        // Declaring less than the entry holds does not get more past: the zip reader stops at
        // the declared size, and the workbook is not readable.
        let liar = declare_sizes(&template, &[(sheet, 100)]);
        assert!(
            declared_unpacked_size(&liar).unwrap() < declared_unpacked_size(&template).unwrap()
        );
        let fe = file_error(
            import_units_xlsx(&e.core, &e.ctx, e.community, &liar, &no_progress()).await,
        );
        assert_eq!((fe.field.as_str(), fe.code), ("file", "not_xlsx"));
        assert_eq!(counts(&e).await, [0, 0, 0, 0, 0]);
        assert_eq!(audit_counts(&e).await, vec![]);
    }

    // -----------------------------------------------------------------------------------------
    // Audit, existing owners, wording

    #[tokio::test]
    async fn every_unit_and_person_created_is_audited() {
        let e = env("audit").await;
        let mut ctx = e.ctx.clone();
        ctx.user_id = UserId(42);
        ctx.display_name = "王经理".into();
        let r = import_units_xlsx(
            &e.core,
            &ctx,
            e.community,
            &template_xlsx().unwrap(),
            &no_progress(),
        )
        .await
        .unwrap();
        assert_eq!((r.units_created, r.people_created), (1, 1));
        let units = registry::list_units(
            &e.core,
            &e.ctx,
            &UnitFilter {
                community_id: Some(e.community),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let u = &units[0];

        // The unit's history starts with its creation, logged as `create_unit` logs it.
        let d = registry::unit_detail(&e.core, &e.ctx, u.id).await.unwrap();
        assert_eq!(d.history.len(), 1);
        let h = &d.history[0];
        assert_eq!(
            (
                h.action.as_str(),
                h.entity.as_str(),
                h.entity_id,
                h.community_id,
                h.actor_id,
                h.actor_name.as_str(),
                h.before_json.as_deref(),
            ),
            (
                "create",
                "unit",
                Some(u.id.0),
                Some(e.community.0),
                Some(42),
                "王经理",
                None
            )
        );
        let after: serde_json::Value =
            serde_json::from_str(h.after_json.as_deref().unwrap()).unwrap();
        assert_eq!(after, serde_json::to_value(u).unwrap());
        let fields: Vec<&serde_json::Value> = [
            "unit_no",
            "building_name",
            "floor",
            "building_area",
            "inner_area",
            "use_kind",
            "state",
        ]
        .iter()
        .map(|k| &after[k])
        .collect();
        assert_eq!(
            serde_json::json!(fields),
            serde_json::json!(["101", "1栋", 1, "89.50", "72.30", "residential", "occupied"])
        );
        assert_eq!(h.at, u.created_at);

        // The person: masked, never clear.
        let log: Vec<_> = crate::audit::list(
            &e.core.db,
            &e.ctx,
            &crate::audit::AuditFilter {
                community_id: Some(e.community.0),
                ..Default::default()
            },
        )
        .await
        .unwrap()
        .into_iter()
        .filter(|l| l.entity != "community")
        .collect();
        let got: Vec<_> = log
            .iter()
            .map(|l| (l.action.as_str(), l.entity.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![("import", "unit"), ("create", "person"), ("create", "unit")]
        );
        let p = registry::get_person(&e.core, &e.ctx, PersonId(log[1].entity_id.unwrap()))
            .await
            .unwrap();
        assert_eq!(p.name, "张三");
        let json = log[1].after_json.as_deref().unwrap();
        let after: serde_json::Value = serde_json::from_str(json).unwrap();
        let mut expected = serde_json::to_value(&p).unwrap();
        expected["units"] = serde_json::json!([]);
        assert_eq!(after, expected);
        assert_eq!(
            (&after["phone"], &after["id_number"]),
            (
                &serde_json::json!("138****5678"),
                &serde_json::json!("110105********002X")
            )
        );
        for clear in ["13812345678", "11010519491231002X", "1231002"] {
            assert!(!json.contains(clear), "{json}");
        }
        // One actor, one time, one company for all three.
        for l in &log {
            assert_eq!(
                (l.actor_id, l.actor_name.as_str(), l.at),
                (Some(42), "王经理", u.created_at)
            );
        }
        let (n,): (i64,) = e
            .core
            .db
            .read()
            .fetch_one(
                "SELECT COUNT(*) FROM audit_log WHERE company_id = $1 AND community_id = $2 \
                 AND entity <> 'community'",
                args![e.ctx.company_id, e.community],
            )
            .await
            .unwrap();
        assert_eq!(n, 3);
    }

    fn leak(s: String) -> &'static str {
        Box::leak(s.into_boxed_str())
    }

    async fn person(
        e: &Env,
        c: CommunityId,
        name: &str,
        phone: Option<&str>,
        id: Option<&str>,
    ) -> PersonId {
        registry::create_person(
            &e.core,
            &e.ctx,
            registry::PersonForCreate {
                community_id: c,
                name: name.into(),
                phone: phone.map(Into::into),
                id_number: id.map(Into::into),
                is_key_customer: false,
                key_customer_note: None,
                note: None,
                unit_id: None,
                relation: None,
            },
        )
        .await
        .unwrap()
        .id
    }

    #[tokio::test]
    async fn existing_owners_are_linked_not_duplicated() {
        let e = env("existing").await;
        let other = registry::create_community(
            &e.core,
            &e.ctx,
            CommunityForCreate {
                code: "C2".into(),
                name: "别的小区".into(),
                address: None,
                timezone: None,
            },
        )
        .await
        .unwrap()
        .id;
        let idn = |n: u32| leak(IdNumber::with_check_digit(&format!("11010519800101{n:03}")));
        let a = person(&e, e.community, "张三", Some("13800000001"), Some(idn(1))).await;
        let b = person(&e, e.community, "李四", Some("13800000002"), None).await;
        let c = person(&e, e.community, "王五", Some("13800000003"), None).await;
        let d = person(&e, e.community, "钱七", Some("13800000004"), Some(idn(4))).await;
        // Same ID number, but in another community: not this community's person.
        person(&e, other, "赵六", None, Some(idn(5))).await;
        assert_eq!(counts(&e).await, [0, 0, 4, 0, 0]);

        let file = workbook(&[
            header(),
            // Same ID number (the name as typed differs): A.
            unit_row("1栋", "101", 1.0, 90.0, V::S("张三丰"), V::E, V::S(idn(1))),
            // No ID number, same phone and name: B, twice.
            unit_row(
                "1栋",
                "102",
                1.0,
                90.0,
                V::S("李四"),
                V::S("13800000002"),
                V::E,
            ),
            unit_row(
                "1栋",
                "103",
                1.0,
                90.0,
                V::S("李四"),
                V::S("13800000002"),
                V::E,
            ),
            // Same phone, another name: new.
            unit_row(
                "1栋",
                "104",
                1.0,
                90.0,
                V::S("王五五"),
                V::S("13800000003"),
                V::E,
            ),
            // An ID number known only in the other community: new.
            unit_row("1栋", "105", 1.0, 90.0, V::S("赵六"), V::E, V::S(idn(5))),
            // An unknown ID number with B's phone and name: new (the ID number decides).
            unit_row(
                "1栋",
                "106",
                1.0,
                90.0,
                V::S("李四"),
                V::S("13800000002"),
                V::S(idn(6)),
            ),
            // No ID number, same phone and name as D (who has one): D.
            unit_row(
                "1栋",
                "107",
                1.0,
                90.0,
                V::S("钱七"),
                V::S("13800000004"),
                V::E,
            ),
            // No owner.
            unit_row("1栋", "108", 1.0, 90.0, V::E, V::E, V::E),
        ]);
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
            .await
            .unwrap();
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            (r.rows, r.units_created, r.people_created, r.people_linked),
            (8, 8, 3, 3)
        );
        assert_eq!(counts(&e).await, [1, 8, 7, 0, 0]);

        let owners: Vec<(String, PersonId)> = e
            .core
            .db
            .read()
            .fetch_all(
                "SELECT u.unit_no, up.person_id FROM unit_people up JOIN units u ON u.id = up.unit_id \
                 WHERE up.community_id = $1 AND up.relation = 'owner' ORDER BY u.unit_no",
                args![e.community],
            )
            .await
            .unwrap();
        let of = |no: &str| owners.iter().find(|(n, _)| n == no).map(|(_, p)| *p);
        assert_eq!(owners.len(), 7);
        assert_eq!(
            [of("101"), of("102"), of("103"), of("107")],
            [Some(a), Some(b), Some(b), Some(d)]
        );
        let new: HashSet<PersonId> = [of("104"), of("105"), of("106")]
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(new.len(), 3);
        assert!(new.iter().all(|p| ![a, b, c, d].contains(p)), "{new:?}");
        // An existing person is linked as they are.
        let pa = registry::get_person(&e.core, &e.ctx, a).await.unwrap();
        assert_eq!(pa.name, "张三");
        let labels: Vec<&str> = pa.units.iter().map(|u| u.label.as_str()).collect();
        assert_eq!(labels, vec!["1栋-101"]);

        // 4 people created before, 3 by the import; 8 units; the import.
        assert_eq!(
            audit_counts(&e).await,
            vec![
                ("person".to_string(), "create".to_string(), 7),
                ("unit".to_string(), "create".to_string(), 8),
                ("unit".to_string(), "import".to_string(), 1),
            ]
        );
        let log = crate::audit::list(
            &e.core.db,
            &e.ctx,
            &crate::audit::AuditFilter {
                action: Some("import".into()),
                ..Default::default()
            },
        )
        .await
        .unwrap();
        let after: serde_json::Value =
            serde_json::from_str(log[0].after_json.as_deref().unwrap()).unwrap();
        assert_eq!(
            after,
            serde_json::json!({
                "rows": 8, "buildings_created": 1, "units_created": 8, "people_created": 3,
                "people_linked": 3,
            })
        );
    }

    #[test]
    fn explanations_use_chinese_punctuation() {
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(template_xlsx().unwrap())).unwrap();
        let range = wb.worksheet_range("说明").unwrap();
        let chinese: Vec<&String> = range
            .used_cells()
            .filter_map(|(_, _, d)| match d {
                Data::String(s) if s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)) => {
                    Some(s)
                }
                _ => None,
            })
            .collect();
        let sentences: Vec<&&String> = chinese.iter().filter(|s| s.ends_with('。')).collect();
        assert_eq!(sentences.len(), COLUMNS.len() + 3, "{chinese:?}");
        for s in &chinese {
            for ascii in [',', ';', ':', '(', ')'] {
                assert!(!s.contains(ascii), "{s:?} has {ascii:?}");
            }
        }
        assert!(chinese.iter().any(|s| s.contains('，')));
        assert!(chinese.iter().any(|s| s.contains('；')));
        assert!(chinese.iter().any(|s| s.contains('：')));
        assert!(chinese.iter().any(|s| s.contains("住宅、")));
        assert_eq!(MAX_IMPORT_ROWS, 200_000, "the notes say 20万行");
    }

    /// Rows with an owner each (phone and ID number): `buildings` buildings of `per` units.
    fn generated(buildings: usize, per: usize) -> Vec<u8> {
        let mut wb = Workbook::new();
        let ws = wb.add_worksheet();
        for (c, col) in COLUMNS.iter().enumerate() {
            ws.write_string(0, c as u16, col.header).unwrap();
        }
        let mut r = 1u32;
        for b in 0..buildings {
            let bname = format!("{}栋", b + 1);
            for u in 0..per {
                let floor = (u / 10 + 1) as f64;
                let no = format!("{}{:02}", u / 10 + 1, u % 10 + 1);
                let serial = r as usize;
                let id = IdNumber::with_check_digit(&format!(
                    "110105198001{:02}{:03}",
                    serial % 28 + 1,
                    serial % 1000
                ));
                ws.write_string(r, 0, bname.as_str()).unwrap();
                ws.write_string(r, 1, no.as_str()).unwrap();
                ws.write_number(r, 2, floor).unwrap();
                ws.write_number(r, 3, 80.0 + (serial % 4000) as f64 / 100.0)
                    .unwrap();
                ws.write_number(r, 4, 70.5).unwrap();
                ws.write_string(r, 5, "住宅").unwrap();
                ws.write_string(r, 6, "自住").unwrap();
                ws.write_string(r, 7, format!("业主{serial}")).unwrap();
                ws.write_string(r, 8, format!("139{serial:08}")).unwrap();
                ws.write_string(r, 9, id).unwrap();
                r += 1;
            }
        }
        wb.save_to_buffer().unwrap()
    }

    async fn import_generated(name: &str, buildings: usize, per: usize) {
        let e = env(name).await;
        let file = generated(buildings, per);
        let n = buildings * per;
        let started = Instant::now();
        let r = import_units_xlsx(&e.core, &e.ctx, e.community, &file, &no_progress())
            .await
            .unwrap();
        let elapsed = started.elapsed();
        eprintln!(
            "imported {n} units with owners ({} KiB .xlsx, {} KiB unpacked) in {elapsed:?}",
            file.len() / 1024,
            declared_unpacked_size(&file).unwrap_or(0) / 1024
        );
        assert!(
            r.errors.is_empty(),
            "{:?}",
            &r.errors[..r.errors.len().min(5)]
        );
        assert_eq!(
            (
                r.rows,
                r.buildings_created,
                r.units_created,
                r.people_created
            ),
            (n, buildings, n, n)
        );
        assert_eq!(r.people_linked, 0);
        assert_eq!(
            counts(&e).await,
            [buildings as i64, n as i64, n as i64, 0, 0]
        );
        assert_eq!(links(&e).await, n as i64);
        assert_eq!(
            audit_counts(&e).await,
            vec![
                ("person".to_string(), "create".to_string(), n as i64),
                ("unit".to_string(), "create".to_string(), n as i64),
                ("unit".to_string(), "import".to_string(), 1),
            ]
        );
        let phone = format!("139{:08}", n / 2);
        let hits = registry::search(&e.core, &e.ctx, &phone, Some(e.community), 10)
            .await
            .unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].title, format!("业主{}", n / 2));
    }

    #[tokio::test]
    async fn imports_5000_rows() {
        import_generated("5k", 10, 500).await;
    }

    /// `cargo test -p wuye-core --release -- --ignored bench_import_100k --nocapture`
    #[tokio::test]
    #[ignore]
    async fn bench_import_100k() {
        import_generated("100k", 100, 1000).await;
    }
}
