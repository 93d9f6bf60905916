//! The spreadsheet side of the switching imports: a template per import (the sheet to fill in,
//! with drop-downs, and a 说明 sheet explaining each column), and reading an upload into rows of
//! text cells addressed by column, with every problem reported by row and Chinese header.
//!
//! The units import (`registry::import`) does the same for its one fixed layout and reserves
//! ids for 100k-row speed; these files are small (a community's units at most) and share one
//! column list type instead, so three imports stay one reader. The zip-bomb guard and the sheet
//! opener are the shared ones in `shared::xlsx`.

use calamine::{Data, Range};
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, Workbook};

use crate::registry::import::{ImportRowError, MAX_IMPORT_ERRORS};
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::xlsx::{
    SheetError, declared_unpacked_size, first_sheet, freeze_header, header_format, xlsx_err,
};

// The file-level refusals mean what the units import means by them: one code each, one text.
use crate::registry::error::RegistryCode as FileCode;

/// An upload that unpacks to more than this is refused unread (these sheets are small).
const MAX_UNPACKED: u64 = 50 * 1024 * 1024;
/// More data rows than this and the file is refused before validation.
pub const MAX_ROWS: usize = 50_000;
/// The header is looked for in the first rows, so a title line above it is tolerated.
const HEADER_SEARCH_ROWS: usize = 10;

/// One column of an import's template.
pub struct Col {
    pub header: &'static str,
    pub field: &'static str,
    pub required: bool,
    pub width: f64,
    pub help: &'static str,
    /// The allowed values, offered as a drop-down.
    pub list: &'static [&'static str],
    /// An example value for row 2.
    pub example: &'static str,
}

/// The template: the data sheet (header, drop-downs, text-formatted cells, an example row)
/// and a 说明 sheet explaining each column and the rules of the import.
pub fn template(sheet: &str, cols: &[Col], notes: &[&str]) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let required = header_format().set_font_color(0xC00000);
    let optional = header_format();
    let text = Format::new().set_num_format("@");
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet).map_err(xlsx_err)?;
        for (i, c) in cols.iter().enumerate() {
            let col = i as u16;
            ws.set_column_width(col, c.width).map_err(xlsx_err)?;
            // Text cells, so a unit number or an amount keeps what was typed.
            ws.set_column_format(col, &text).map_err(xlsx_err)?;
            ws.write_string_with_format(
                0,
                col,
                c.header,
                if c.required { &required } else { &optional },
            )
            .map_err(xlsx_err)?;
            if !c.list.is_empty() {
                let dv = DataValidation::new()
                    .allow_list_strings(c.list)
                    .map_err(xlsx_err)?;
                ws.add_data_validation(1, col, MAX_ROWS as u32, col, &dv)
                    .map_err(xlsx_err)?;
            }
            ws.write_string_with_format(1, col, c.example, &text)
                .map_err(xlsx_err)?;
        }
        freeze_header(ws)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明").map_err(xlsx_err)?;
        let wrap = Format::new().set_text_wrap();
        for (i, (h, w)) in [
            ("列名", 12.0),
            ("是否必填", 10.0),
            ("说明", 60.0),
            ("可选值", 30.0),
        ]
        .into_iter()
        .enumerate()
        {
            ws.set_column_width(i as u16, w).map_err(xlsx_err)?;
            ws.write_string_with_format(0, i as u16, h, &optional)
                .map_err(xlsx_err)?;
        }
        for (i, c) in cols.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, c.header).map_err(xlsx_err)?;
            ws.write_string(row, 1, if c.required { "是" } else { "否" })
                .map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, c.help, &wrap)
                .map_err(xlsx_err)?;
            ws.write_string(row, 3, c.list.join("、"))
                .map_err(xlsx_err)?;
        }
        let common = [
            "第一个工作表的第一行是列名，列的顺序可以调整；多余的列会被忽略。第2行是示例，导入前请删除或改成真实数据。",
            "导入时先检查全部行：只要有一处错误，整个文件都不会导入，并逐行列出错误（行号、列名、原因）。可以先“预览”，预览不写入任何数据。",
        ];
        let base = cols.len() as u32 + 2;
        for (i, n) in common.iter().chain(notes).enumerate() {
            ws.write_string(base + i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn invalid_file(code: impl crate::shared::error::ErrorCode) -> CoreError {
    CoreError::invalid("file", code)
}

/// One data row: its spreadsheet row number (header = 1 when it is the first row) and its
/// cells by template column, as text (`None`: empty), or `Err` for a broken formula.
pub struct Row {
    pub n: usize,
    pub cells: Vec<Result<Option<String>, ()>>,
}

fn cell_text(d: Option<&Data>) -> Result<Option<String>, ()> {
    Ok(match d {
        None | Some(Data::Empty) => None,
        Some(Data::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Data::Int(i)) => Some(i.to_string()),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Some(format!("{}", *f as i64))
        }
        Some(Data::Float(f)) => Some(format!("{f}")),
        // An Excel date is days since 1899-12-30 (the 1900 system every current Excel writes).
        Some(Data::DateTime(d)) => NaiveDate::from_ymd_opt(1899, 12, 30)
            .and_then(|e| e.checked_add_days(chrono::Days::new(d.as_f64().max(0.0) as u64)))
            .map(|t| t.to_string()),
        Some(Data::Error(_)) => return Err(()),
        Some(other) => Some(other.to_string()),
    })
}

/// Reads the upload's first sheet into rows. Refused as a whole (422 on `file`): not an .xlsx,
/// more than 50 MB unpacked, a required column missing, no data row, too many rows.
pub async fn read(bytes: &[u8], cols: &'static [Col]) -> CoreResult<Vec<Row>> {
    let owned = bytes.to_vec();
    let range = tokio::task::spawn_blocking(move || open(owned))
        .await
        .map_err(CoreError::internal)??;
    let (header, map) = find_header(&range, cols);
    let missing: Vec<&str> = cols
        .iter()
        .zip(map.iter())
        .filter(|(c, m)| c.required && m.is_none())
        .map(|(c, _)| c.header)
        .collect();
    if !missing.is_empty() {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", FileCode::MissingColumns).with("columns", missing.join("、")),
        ]));
    }
    let start = range.start().map_or(0, |(r, _)| r as usize);
    let mut rows = Vec::new();
    for (i, r) in range.rows().enumerate().skip(header + 1) {
        let cells: Vec<_> = map
            .iter()
            .map(|m| cell_text(m.and_then(|j| r.get(j))))
            .collect();
        if cells.iter().all(|c| matches!(c, Ok(None))) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(CoreError::Invalid(vec![
                FieldError::new("file", FileCode::TooManyRows).with("max", MAX_ROWS),
            ]));
        }
        rows.push(Row {
            n: start + i + 1,
            cells,
        });
    }
    if rows.is_empty() {
        return Err(invalid_file(FileCode::EmptyFile));
    }
    Ok(rows)
}

fn open(bytes: Vec<u8>) -> CoreResult<Range<Data>> {
    let total = declared_unpacked_size(&bytes).ok_or_else(|| invalid_file(FileCode::NotXlsx))?;
    if total > MAX_UNPACKED {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", FileCode::FileTooLargeUnpacked)
                .with("max", format!("{} MB", MAX_UNPACKED / (1024 * 1024))),
        ]));
    }
    first_sheet(bytes).map_err(|e| match e {
        SheetError::NotXlsx => invalid_file(FileCode::NotXlsx),
        SheetError::NoSheet => invalid_file(FileCode::EmptyFile),
    })
}

fn find_header(range: &Range<Data>, cols: &[Col]) -> (usize, Vec<Option<usize>>) {
    for (i, row) in range.rows().take(HEADER_SEARCH_ROWS).enumerate() {
        let mut map = vec![None; cols.len()];
        for (j, d) in row.iter().enumerate() {
            if let Data::String(s) = d {
                let k = s.trim().trim_matches('*').trim();
                if let Some(c) = cols.iter().position(|c| c.header == k)
                    && map[c].is_none()
                {
                    map[c] = Some(j);
                }
            }
        }
        if map.iter().any(Option::is_some) {
            return (i, map);
        }
    }
    (0, vec![None; cols.len()])
}

/// A date as typed: 2026-07-01, 2026/7/1, or an ISO date-time cell (2026-07-01T00:00:00).
fn parse_date(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
        .or_else(|| {
            s.split_once('T')
                .and_then(|(d, _)| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
        })
}

/// The row errors of one import, capped at [`MAX_IMPORT_ERRORS`].
pub struct Errors {
    cols: &'static [Col],
    pub list: Vec<ImportRowError>,
}

impl Errors {
    pub fn new(cols: &'static [Col]) -> Self {
        Errors { cols, list: vec![] }
    }
    pub fn push(&mut self, row: usize, col: usize, e: FieldError) {
        if self.list.len() >= MAX_IMPORT_ERRORS {
            return;
        }
        let c = &self.cols[col];
        self.list.push(ImportRowError {
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
    pub fn take<T>(&mut self, row: usize, col: usize, r: Result<T, FieldError>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(e) => {
                self.push(row, col, e);
                None
            }
        }
    }
    /// The cell's text: `None` (and an error) when required and empty, or a broken formula.
    pub fn text(&mut self, r: &Row, col: usize) -> Option<Option<String>> {
        match &r.cells[col] {
            Ok(v) => Some(v.clone()),
            Err(()) => {
                self.push(
                    r.n,
                    col,
                    FieldError::new(self.cols[col].field, FileCode::CellError),
                );
                None
            }
        }
    }
    pub fn required(&mut self, r: &Row, col: usize) -> Option<String> {
        match self.text(r, col)? {
            Some(s) => Some(s),
            None => {
                self.push(
                    r.n,
                    col,
                    FieldError::new(self.cols[col].field, CommonCode::Required),
                );
                None
            }
        }
    }
    /// A date cell: an Excel date, or text as 2026-07-01 or 2026/7/1.
    pub fn date(&mut self, r: &Row, col: usize) -> Option<NaiveDate> {
        let s = self.required(r, col)?;
        let d = parse_date(&s)
            .ok_or_else(|| FieldError::new(self.cols[col].field, CommonCode::InvalidDate));
        self.take(r.n, col, d)
    }
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_read_as_people_typed_them() {
        assert_eq!(cell_text(Some(&Data::Float(500.0))), Ok(Some("500".into())));
        assert_eq!(
            cell_text(Some(&Data::Float(1234.5))),
            Ok(Some("1234.5".into()))
        );
        assert_eq!(
            cell_text(Some(&Data::Float(1.234))),
            Ok(Some("1.234".into()))
        );
        assert_eq!(cell_text(Some(&Data::String("  ".into()))), Ok(None));
        assert_eq!(cell_text(Some(&Data::Int(-5))), Ok(Some("-5".into())));
        assert_eq!(
            cell_text(Some(&Data::Error(calamine::CellErrorType::NA))),
            Err(())
        );
        // 46096 days after 1899-12-30 is 2026-03-15.
        let excel =
            calamine::ExcelDateTime::new(46096.0, calamine::ExcelDateTimeType::DateTime, false);
        assert_eq!(
            cell_text(Some(&Data::DateTime(excel))),
            Ok(Some("2026-03-15".into()))
        );
    }

    #[test]
    fn dates_in_the_usual_spellings() {
        let d = NaiveDate::from_ymd_opt(2026, 7, 1);
        assert_eq!(parse_date("2026-07-01"), d);
        assert_eq!(parse_date("2026/7/1"), d);
        assert_eq!(parse_date("2026-07-01T00:00:00"), d);
        assert_eq!(parse_date("昨天"), None);
        assert_eq!(parse_date("2026-13-01"), None);
    }
}
