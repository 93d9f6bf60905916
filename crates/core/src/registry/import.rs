//! Bulk import of units (with their owners) from an Excel workbook, and export of units and
//! people to Excel.
//!
//! The import is all-or-nothing: every row is validated with the same rules as the forms
//! (`parse_code`, `check_floor`, `Area`, `Phone`, `IdNumber`, …), every bad cell is reported with
//! its spreadsheet row and Chinese column header, and only a file without a single error is
//! written — in one transaction, with one audit entry.
//!
//! Speed: the per-row services cost one statement per row (~40k rows/s on SQLite), too slow for a
//! community of 100k units, their owners and the links between them. The import writes multi-row
//! `INSERT … VALUES (…),(…)` chunks instead and assigns ids itself ([`reserve_ids`]), so units,
//! people and links go in without reading anything back. The workbook is parsed on a blocking
//! thread so a large upload does not stall the async runtime.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use chrono::Utc;
use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet, XlsxError};

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Args, Backend, Tx, Value};
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{Area, IdNumber, Phone, optional_text, parse_code, required_text};

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
        help: "必填。楼栋名称,不超过30个字,如“1栋”。系统中还没有的楼栋会自动创建。",
    },
    Column {
        header: "房号",
        field: "unit_no",
        required: true,
        width: 10.0,
        help: "必填。字母、数字和“-”,不超过20个字符,如“101”“A-1203”;同一楼栋内不能重复,也不能与系统中已有的房屋重复。",
    },
    Column {
        header: "楼层",
        field: "floor",
        required: true,
        width: 8.0,
        help: "必填。整数,-5到200,不能为0;地下室用负数,如-1。",
    },
    Column {
        header: "建筑面积",
        field: "building_area",
        required: true,
        width: 12.0,
        help: "必填。平方米,大于0,最多两位小数,如89.50。",
    },
    Column {
        header: "套内面积",
        field: "inner_area",
        required: false,
        width: 12.0,
        help: "选填。平方米,最多两位小数,不能大于建筑面积。",
    },
    Column {
        header: "用途",
        field: "use_kind",
        required: false,
        width: 8.0,
        help: "选填,默认“住宅”。",
    },
    Column {
        header: "状态",
        field: "state",
        required: false,
        width: 8.0,
        help: "选填,默认“空置”。",
    },
    Column {
        header: "业主姓名",
        field: "owner_name",
        required: false,
        width: 12.0,
        help: "选填。不超过50个字;填写后创建该业主并关联为此房屋的业主。填了电话或证件号码时必填。同一文件中姓名和证件号码(或电话)相同的业主只创建一次。",
    },
    Column {
        header: "业主电话",
        field: "owner_phone",
        required: false,
        width: 16.0,
        help: "选填。11位手机号,或带区号的固定电话(如021-62345678)。请以文本格式填写。",
    },
    Column {
        header: "证件号码",
        field: "owner_id_number",
        required: false,
        width: 22.0,
        help: "选填。18位居民身份证号码,校验位须正确。必须以文本格式填写,否则Excel会丢失末几位数字。",
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

fn xlsx_err(e: XlsxError) -> CoreError {
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
            "第一个工作表的第一行是列名,列的顺序可以调整;多余的列会被忽略。第2行是示例,导入前请删除或改成真实数据。",
            "导入时先检查全部行:只要有一处错误,整个文件都不会导入,并逐行列出错误(行号、列名、原因)。",
            "一次最多导入200,000行;空行会被跳过。",
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
    ws.write_string(r, NOTE as u16, "示例行,导入前请删除")
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

fn parse_workbook(bytes: Vec<u8>) -> CoreResult<Range<Data>> {
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
        .and_then(|s| errs.take(n, NOTE, optional_text(field(NOTE), s.as_deref(), 500)));
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
/// Structural problems (bytes are not an .xlsx workbook, no sheet, missing required header
/// columns, no data rows, more than [`MAX_IMPORT_ROWS`] rows) are `CoreError::Invalid` on the
/// field `file`: `not_xlsx`, `empty_file`, `missing_columns` (param `columns`: the missing
/// headers joined with ","), `too_many_rows` (param `max`). Row-level problems are returned as
/// `Ok(report)` with `errors` filled and nothing written.
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
            FieldError::new("file", "missing_columns").with("columns", missing.join(",")),
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

    let mut tx = core.db.begin().await?;
    let (report, people) =
        write_rows(core, &mut tx, community, &checked.rows, count, progress).await?;
    let report = ImportReport {
        rows: checked.count,
        people_created: people,
        ..report
    };
    audit::record(
        &mut tx,
        ctx,
        Entry {
            community_id: Some(community),
            action: Action::Import,
            entity: "unit",
            entity_id: None,
            before: None,
            after: Some(serde_json::json!({
                "rows": report.rows,
                "buildings_created": report.buildings_created,
                "units_created": report.units_created,
                "people_created": report.people_created,
            })),
        },
    )
    .await?;
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
}

impl Values {
    fn new(head: &str, params: usize) -> Self {
        let mut sql = String::with_capacity(head.len() + params * 7);
        sql.push_str(head);
        Self {
            sql,
            args: Args::with_capacity(params),
            rows: 0,
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
    async fn execute(self, tx: &mut Tx) -> CoreResult<u64> {
        if self.rows == 0 {
            return Ok(0);
        }
        tx.execute(&self.sql, self.args).await
    }
}

/// Writes the validated rows; returns the counts (people separately).
async fn write_rows(
    core: &Core,
    tx: &mut Tx,
    community: CommunityId,
    rows: &[RowData],
    count: usize,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<(ImportReport, usize)> {
    let now = Utc::now();
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

    // Owners: one person per distinct owner of the file; `owner_of[i]` is row i's person index
    // and `first_of[p]` the row that creates person p.
    let mut owner_of: Vec<Option<usize>> = Vec::with_capacity(rows.len());
    let mut first_of: Vec<usize> = Vec::new();
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
        let p = match key.map(|k| seen.get(&k).copied().ok_or(k)) {
            Some(Ok(p)) => p,
            Some(Err(k)) => {
                seen.insert(k, first_of.len());
                first_of.push(i);
                first_of.len() - 1
            }
            None => {
                first_of.push(i);
                first_of.len() - 1
            }
        };
        owner_of.push(Some(p));
    }
    drop(seen);

    let unit_ids = reserve_ids(tx, "units", rows.len()).await?;
    let person_ids = reserve_ids(tx, "people", first_of.len()).await?;
    let mut next_person = 0;
    for (c, chunk) in rows.chunks(CHUNK_ROWS).enumerate() {
        let base = c * CHUNK_ROWS;
        let ids = &unit_ids[base..base + chunk.len()];

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
        }
        v.execute(tx).await.map_err(|e| {
            if e.is_unique_violation() {
                CoreError::conflict("unit_no", "duplicate_unit_no")
            } else {
                e
            }
        })?;

        // The people first seen in this chunk (a person's first row never lies in a later chunk).
        let end = base + chunk.len();
        let start_person = next_person;
        while next_person < first_of.len() && first_of[next_person] < end {
            next_person += 1;
        }
        let mut v = Values::new(
            "INSERT INTO people (id, community_id, name, phone_enc, phone_hash, id_no_enc, id_no_hash, \
             is_key_customer, created_at, updated_at) VALUES ",
            (next_person - start_person) * 10,
        );
        for (p, row) in first_of
            .iter()
            .enumerate()
            .take(next_person)
            .skip(start_person)
        {
            let Some(o) = &rows[*row].owner else {
                return Err(CoreError::internal("owner missing"));
            };
            let phone = o.phone.as_ref().map(Phone::as_str);
            let idn = o.id_number.as_ref().map(IdNumber::as_str);
            v.row([
                person_ids[p].into(),
                community.into(),
                o.name.as_str().into(),
                phone.map(|x| core.crypto.encrypt(x)).into(),
                phone.map(|x| core.crypto.blind_index("phone", x)).into(),
                idn.map(|x| core.crypto.encrypt(x)).into(),
                idn.map(|x| core.crypto.blind_index("id_number", x)).into(),
                false.into(),
                now.into(),
                now.into(),
            ]);
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
                    person_ids[p].into(),
                    Relation::Owner.code().into(),
                    now.into(),
                ]);
            }
        }
        v.execute(tx).await?;
        progress(count + end, total);
    }
    let report = ImportReport {
        buildings_created,
        units_created: rows.len(),
        ..Default::default()
    };
    Ok((report, first_of.len()))
}

// ---------------------------------------------------------------------------------------------
// Export

/// Masks every clear phone or ID number inside free text (runs of 7+ digits; 18-character ID
/// numbers ending in X included), so an export cannot leak one whatever the caller passes in.
/// Masked text ("138****5678") passes unchanged.
fn mask_numbers(s: &str) -> String {
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

    fn file_error(r: CoreResult<ImportReport>) -> FieldError {
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
        assert_eq!(u.note.as_deref(), Some("示例行,导入前请删除"));

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
            serde_json::json!({"rows": 1, "buildings_created": 1, "units_created": 1, "people_created": 1})
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
                vec![("columns", "楼栋,房号,楼层,建筑面积".to_string())]
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
                    "示例行,导入前请删除"
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
            "imported {n} units with owners ({} KiB .xlsx) in {elapsed:?}",
            file.len() / 1024
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
        assert_eq!(
            counts(&e).await,
            [buildings as i64, n as i64, n as i64, 0, 0]
        );
        assert_eq!(links(&e).await, n as i64);
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
