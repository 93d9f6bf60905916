//! Spreadsheet helpers every module's imports and exports share (rust_xlsxwriter to write,
//! calamine to read): the header row (and the header cells of a table further down), the write
//! error, opening an upload's first sheet and
//! measuring what an upload would unpack to. They raise no error code of their own: what a
//! refused file is called (`not_xlsx`, …) is the calling module's code, so the caller maps
//! [`SheetError`] to it.

use std::io::Cursor;

use calamine::{Data, Range, Reader, Xlsx, open_workbook_from_rs};
use rust_xlsxwriter::{Format, Worksheet, XlsxError};

use super::error::{CoreError, CoreResult, FieldError};

/// A failure writing a workbook: never the user's fault.
pub fn xlsx_err(e: XlsxError) -> CoreError {
    CoreError::internal(format!("writing the workbook: {e}"))
}

/// The look of a header cell: bold on light blue.
pub fn header_format() -> Format {
    Format::new().set_bold().set_background_color(0xD9E1F2)
}

/// Writes row 0 as a header (`(text, column width)` per column) and freezes it, so it stays in
/// view while scrolling a long export.
pub fn write_header_row(ws: &mut Worksheet, headers: &[(&str, f64)]) -> CoreResult<()> {
    let f = header_format();
    for (i, (h, w)) in headers.iter().enumerate() {
        ws.set_column_width(i as u16, *w).map_err(xlsx_err)?;
        ws.write_string_with_format(0, i as u16, *h, &f)
            .map_err(xlsx_err)?;
    }
    freeze_header(ws)
}

/// Freezes row 0, so the header stays in view while scrolling a long sheet (for a header
/// written cell by cell, e.g. one whose columns differ in look).
pub fn freeze_header(ws: &mut Worksheet) -> CoreResult<()> {
    ws.set_freeze_panes(1, 0).map_err(xlsx_err)?;
    Ok(())
}

/// Writes `headers` into `row` from column 0 in format `f`: the header of a table that does
/// not start the sheet (below a title, or one of several tables), so nothing is frozen and
/// the widths are the caller's.
pub fn write_header_cells(
    ws: &mut Worksheet,
    row: u32,
    headers: &[&str],
    f: &Format,
) -> CoreResult<()> {
    for (i, h) in headers.iter().enumerate() {
        ws.write_string_with_format(row, i as u16, *h, f)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// The uncompressed size the archive declares: the sum over the entries of its central
/// directory, read by the same zip reader (version and settings) calamine opens it with, which
/// refuses to inflate an entry beyond its declared size — so this bounds what parsing unpacks.
/// `None`: not a zip archive.
pub fn declared_unpacked_size(bytes: &[u8]) -> Option<u64> {
    let zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let meta = zip.metadata();
    let mut total = 0u64;
    for i in 0..meta.len() {
        total = total.saturating_add(meta.entry(i).ok()?.size());
    }
    Some(total)
}

/// Why an upload's first sheet could not be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SheetError {
    /// Not an .xlsx workbook, or its first sheet is unreadable.
    NotXlsx,
    /// A workbook without any sheet.
    NoSheet,
}

/// The cells of the workbook's first sheet.
pub fn first_sheet(bytes: Vec<u8>) -> Result<Range<Data>, SheetError> {
    let mut wb: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| SheetError::NotXlsx)?;
    match wb.worksheet_range_at(0) {
        None => Err(SheetError::NoSheet),
        Some(Err(_)) => Err(SheetError::NotXlsx),
        Some(Ok(r)) => Ok(r),
    }
}

/// The note the import templates write on their example row (row 2), and the 说明 sheet tells to
/// delete. The money imports (opening arrears, prepaid, deposits) refuse a file with the example
/// still in it at that row, rather than post the example's made-up figures to a real unit; the
/// units import lets its example row create its example unit.
pub const EXAMPLE_NOTE: &str = "示例行，导入前请删除";

/// Refuses a row whose note is still the template's example marker.
pub fn not_the_example(field: &str, note: Option<&str>) -> Result<(), FieldError> {
    match note {
        Some(n) if n.trim() == EXAMPLE_NOTE => {
            Err(FieldError::new(field, super::error::CommonCode::ExampleRow))
        }
        _ => Ok(()),
    }
}
