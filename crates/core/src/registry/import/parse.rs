//! Reading the uploaded workbook: refusing a zip bomb or a non-workbook before anything is
//! unpacked, finding the header row, and turning calamine's cells into what the checks read.

use calamine::{Data, Range};

use crate::registry::error::RegistryCode;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::xlsx::{SheetError, declared_unpacked_size, first_sheet};

use super::*;

/// A cell as the validators see it.
pub(super) enum Cell<'a> {
    Empty,
    Text(&'a str),
    Int(i64),
    Float(f64),
    /// Dates, booleans: validated through their text, which no numeric field accepts.
    Other(String),
    /// `#N/A`, `#DIV/0!`, …: a broken formula, never a value.
    Error,
}

pub(super) fn cell(d: Option<&Data>) -> Cell<'_> {
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
pub(super) fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e17 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

impl Cell<'_> {
    pub(super) fn is_empty(&self) -> bool {
        matches!(self, Cell::Empty)
    }
    /// The cell as text; `None` when empty. An error cell is reported by the caller.
    pub(super) fn text(&self) -> Option<String> {
        match self {
            Cell::Empty | Cell::Error => None,
            Cell::Text(s) => Some((*s).to_string()),
            Cell::Int(i) => Some(i.to_string()),
            Cell::Float(f) => Some(number_text(*f)),
            Cell::Other(s) => Some(s.clone()),
        }
    }
}

pub(super) fn row_is_empty(row: &[Data]) -> bool {
    row.iter().all(|d| cell(Some(d)).is_empty())
}

pub(super) fn header_key(d: &Data) -> Option<&str> {
    match d {
        // "房号*" or "*房号" as some templates mark required columns.
        Data::String(s) => Some(s.trim().trim_matches('*').trim()),
        _ => None,
    }
}

/// Which range column holds each template column, from one header row.
pub(super) fn map_columns(row: &[Data]) -> [Option<usize>; NCOLS] {
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
pub(super) fn find_header(range: &Range<Data>) -> (usize, [Option<usize>; NCOLS]) {
    for (i, row) in range.rows().take(HEADER_SEARCH_ROWS).enumerate() {
        let map = map_columns(row);
        if map.iter().any(Option::is_some) {
            return (i, map);
        }
    }
    (0, [None; NCOLS])
}

/// Refuses an archive that unpacks to more than `max` bytes (a zip bomb) before anything is
/// inflated; returns the declared total.
pub(super) fn check_unpacked_size(bytes: &[u8], max: u64) -> CoreResult<u64> {
    let total = declared_unpacked_size(bytes).ok_or_else(|| invalid_file(RegistryCode::NotXlsx))?;
    if total > max {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", RegistryCode::FileTooLargeUnpacked)
                .with("max", format!("{} MB", max / (1024 * 1024))),
        ]));
    }
    Ok(total)
}

pub(super) fn parse_workbook(bytes: Vec<u8>) -> CoreResult<Range<Data>> {
    check_unpacked_size(&bytes, MAX_UNPACKED)?;
    first_sheet(bytes).map_err(|e| match e {
        SheetError::NotXlsx => invalid_file(RegistryCode::NotXlsx),
        SheetError::NoSheet => invalid_file(RegistryCode::EmptyFile),
    })
}
