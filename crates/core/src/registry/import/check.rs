//! Validation of every row of the sheet before anything is written: the same rules as the
//! forms, each bad cell reported with its row and Chinese header, duplicates within the file and
//! against the register caught, so only a clean file reaches the write.

use std::collections::{HashMap, HashSet};

use calamine::{Data, Range};

use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::service::{PersonFields, UnitFields};
use crate::shared::error::{CommonCode, FieldError};
use crate::shared::values::{
    Area, IdNumber, Phone, optional_multiline, optional_text, parse_code, required_text,
};

use super::parse::{Cell, cell, row_is_empty};
use super::*;

/// Collects row errors up to [`MAX_IMPORT_ERRORS`].
#[derive(Default)]
pub(super) struct Errors(pub(super) Vec<ImportRowError>);

impl Errors {
    pub(super) fn full(&self) -> bool {
        self.0.len() >= MAX_IMPORT_ERRORS
    }
    pub(super) fn push(&mut self, row: usize, col: usize, e: FieldError) {
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
    pub(super) fn take<T>(
        &mut self,
        row: usize,
        col: usize,
        r: Result<T, FieldError>,
    ) -> Option<T> {
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
pub(super) struct RowData {
    pub(super) building: String,
    pub(super) unit: UnitFields,
    pub(super) owner: Option<PersonFields>,
}

/// The validation of a whole sheet.
pub(super) struct Checked {
    pub(super) rows: Vec<RowData>,
    /// Data rows read (empty rows skipped).
    pub(super) count: usize,
    pub(super) errors: Errors,
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
        errs.push(n, col, FieldError::new(field(col), RegistryCode::CellError));
        return None;
    }
    Some(v.text())
}

fn required_cell(errs: &mut Errors, n: usize, c: &RowCells, col: usize) -> Option<String> {
    match text_cell(errs, n, c, col)? {
        Some(s) => Some(s),
        None => {
            errs.push(n, col, FieldError::new(field(col), CommonCode::Required));
            None
        }
    }
}

fn parse_floor(c: Cell) -> Result<i64, FieldError> {
    let f = field(FLOOR);
    let not_int = || FieldError::new(f, RegistryCode::NotAnInteger);
    let v = match c {
        Cell::Empty => return Err(FieldError::new(f, CommonCode::Required)),
        Cell::Error => return Err(FieldError::new(f, RegistryCode::CellError)),
        Cell::Int(i) => i,
        Cell::Float(x) if x.fract() == 0.0 && x.abs() < 1e9 => x as i64,
        Cell::Float(_) => return Err(not_int()),
        Cell::Text(s) => match s.parse::<i64>() {
            Ok(i) => i,
            Err(_) => match s.parse::<f64>() {
                Ok(x) if x.fract() == 0.0 && x.abs() < 1e9 => x as i64,
                Ok(_) => return Err(not_int()),
                Err(_) => return Err(FieldError::new(f, CommonCode::NotANumber)),
            },
        },
        Cell::Other(_) => return Err(FieldError::new(f, CommonCode::NotANumber)),
    };
    check_floor(f, v)
}

/// `None` = empty cell.
fn parse_area(col: usize, c: Cell) -> Result<Option<Area>, FieldError> {
    let f = field(col);
    match c {
        Cell::Empty => Ok(None),
        Cell::Error => Err(FieldError::new(f, RegistryCode::CellError)),
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
        Cell::Error => Err(FieldError::new(f, RegistryCode::CellError)),
        // A number cell has lost the last digits (doubles hold 15–16) and cannot hold an X.
        Cell::Float(_) => Err(FieldError::new(f, CommonCode::InvalidIdNumber)),
        Cell::Int(i) => IdNumber::parse(f, &i.to_string()).map(Some),
        Cell::Text(s) => IdNumber::parse(f, s).map(Some),
        Cell::Other(s) => IdNumber::parse(f, &s).map(Some),
    }
}

/// Who a row's owner is, for recognising the same person on several rows of one file.
#[derive(Hash, PartialEq, Eq)]
pub(super) enum OwnerKey {
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
                FieldError::new(field(BUILDING_AREA), CommonCode::Required),
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
                FieldError::new(field(OWNER_PHONE), RegistryCode::CellError),
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
            FieldError::new(field(OWNER_NAME), CommonCode::Required),
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
pub(super) fn check_sheet(
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
                FieldError::new(field(UNIT_NO), RegistryCode::DuplicateUnitNo).with("existing", 1),
            );
            continue;
        }
        if let Some(first) = first_seen.get(&key) {
            errs.push(
                n,
                UNIT_NO,
                FieldError::new(field(UNIT_NO), RegistryCode::DuplicateUnitNo)
                    .with("first_row", first),
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
