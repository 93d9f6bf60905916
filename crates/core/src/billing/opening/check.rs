//! Reading and checking an opening-arrears workbook: the zip-bomb guard (`shared::xlsx`), the
//! header row, then every row validated against the community's units, fee items and earlier
//! imports — each bad cell reported with its spreadsheet row, Chinese column header and field,
//! nothing written.
//!
//! The first sheet is read as a stream of cells, one row at a time, not as a whole range: a
//! 600,000-line file held as calamine cells takes ~300 MB; the checked lines a fraction of it.

use std::collections::{HashMap, HashSet};
use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use chrono::{Datelike, NaiveDate};

use crate::billing::model::Period;
use crate::billing::setup::FeeItem;
use crate::registry::import::ImportRowError;
use crate::shared::error::{CommonCode, CoreError, CoreResult, ErrorCode, FieldError};
use crate::shared::money::Money;
use crate::shared::resolve::UnitLabels;
use crate::shared::xlsx::declared_unpacked_size;

use super::*;

/// The header is looked for in the first rows, so a title line above it is tolerated.
const HEADER_SEARCH_ROWS: u32 = 10;
/// Excel's day 0 for serial dates (the 1900 system, past its leap-year bug).
const EXCEL_EPOCH: (i32, u32, u32) = (1899, 12, 30);
/// Columns beyond this are ignored (the template has 9).
const MAX_COLS: usize = 64;

/// What the rows are checked against.
pub(super) struct Known {
    pub units: UnitLabels,
    pub items: Vec<FeeItem>,
    pub existing: HashSet<(i64, i64, NaiveDate, NaiveDate)>,
    pub switch: NaiveDate,
}

pub(super) struct Checked {
    pub lines: Vec<Line>,
    pub errors: Vec<ImportRowError>,
    /// Data rows read (empty rows skipped).
    pub count: usize,
}

/// A line's identity in a file: unit, fee item, first and last month.
type LineKey = (i64, i64, (i32, u32), (i32, u32));

/// The workbook after the zip-bomb guard, opened (nothing of the sheet read yet).
fn open(bytes: Vec<u8>) -> CoreResult<Xlsx<Cursor<Vec<u8>>>> {
    let total = declared_unpacked_size(&bytes).ok_or_else(|| invalid_file(BillingCode::NotXlsx))?;
    if total > MAX_OPENING_UNPACKED {
        return Err(CoreError::Invalid(vec![
            file_error(BillingCode::FileTooLargeUnpacked).with(
                "max",
                format!("{} MB", MAX_OPENING_UNPACKED / (1024 * 1024)),
            ),
        ]));
    }
    open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| invalid_file(BillingCode::NotXlsx))
}

/// Reads the first sheet row by row and checks every row (on a blocking thread: it is CPU
/// work). File-level refusals are errors; row problems are in the result.
pub(super) fn read_and_check(
    bytes: Vec<u8>,
    k: &Known,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<Checked> {
    let mut wb = open(bytes)?;
    let name = wb
        .sheet_names()
        .first()
        .cloned()
        .ok_or_else(|| invalid_file(BillingCode::EmptyFile))?;
    let mut cells = wb
        .worksheet_cells_reader(&name)
        .map_err(|_| invalid_file(BillingCode::NotXlsx))?;
    // For the progress only: the rows the sheet declares.
    let declared = {
        let d = cells.dimensions();
        d.end.0.saturating_sub(d.start.0) as usize
    };
    let mut c = Checker::new(k, declared.max(1));
    let mut row: Vec<Data> = Vec::with_capacity(NCOLS);
    let mut at: Option<u32> = None;
    while let Some(cell) = cells
        .next_cell()
        .map_err(|_| invalid_file(BillingCode::NotXlsx))?
    {
        let (r, col) = cell.get_position();
        if at != Some(r) {
            if let Some(prev) = at {
                c.row(prev, &row, progress)?;
            }
            row.clear();
            at = Some(r);
        }
        let col = col as usize;
        if col < MAX_COLS {
            if row.len() <= col {
                row.resize(col + 1, Data::Empty);
            }
            row[col] = Data::from(cell.get_value().clone());
        }
    }
    if let Some(prev) = at {
        c.row(prev, &row, progress)?;
    }
    c.finish()
}

fn header_key(d: &Data) -> Option<&str> {
    match d {
        Data::String(s) => Some(s.trim().trim_matches('*').trim()),
        _ => None,
    }
}

/// The template column of each sheet column, from a header row (`None`: no template header).
fn map_header(row: &[Data]) -> Option<[Option<usize>; NCOLS]> {
    let mut map = [None; NCOLS];
    for (j, d) in row.iter().enumerate() {
        if let Some(k) = header_key(d)
            && let Some(c) = COLUMNS.iter().position(|c| c.header == k)
            && map[c].is_none()
        {
            map[c] = Some(j);
        }
    }
    map.iter().any(Option::is_some).then_some(map)
}

fn text_of(d: &Data) -> Option<String> {
    match d {
        Data::Empty => None,
        Data::String(s) => {
            let t = s.trim();
            (!t.is_empty()).then(|| t.to_string())
        }
        Data::Int(i) => Some(i.to_string()),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e17 => Some(format!("{}", *f as i64)),
        Data::Float(f) => Some(format!("{f}")),
        Data::DateTime(d) => serial_date(d.as_f64()).map(|d| d.to_string()),
        Data::Error(_) => Some("#ERROR".into()),
        other => Some(other.to_string()),
    }
}

fn serial_date(f: f64) -> Option<NaiveDate> {
    let epoch = NaiveDate::from_ymd_opt(EXCEL_EPOCH.0, EXCEL_EPOCH.1, EXCEL_EPOCH.2)?;
    epoch.checked_add_days(chrono::Days::new(f.max(0.0).floor() as u64))
}

fn row_is_empty(row: &[Data]) -> bool {
    row.iter().all(|d| text_of(d).is_none())
}

struct Errors(Vec<ImportRowError>);

impl Errors {
    fn push(&mut self, row: usize, col: usize, e: FieldError) {
        if self.0.len() < MAX_OPENING_ERRORS {
            self.0.push(ImportRowError {
                row,
                column: COLUMNS[col].header.into(),
                field: COLUMNS[col].field.into(),
                code: e.code.into(),
                params: e.params.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            });
        }
    }
    fn code(&mut self, row: usize, col: usize, code: impl ErrorCode) {
        self.push(row, col, FieldError::new(COLUMNS[col].field, code));
    }
}

/// A month "2025-07" (also "2025/07", or a date: its month).
fn month(raw: &str) -> Result<(i32, u32), FieldError> {
    let s = raw.trim().replace('/', "-");
    let s = if s.len() == 10 && s.as_bytes()[7] == b'-' {
        s[..7].to_string()
    } else {
        s
    };
    Period::parse_month("", &s)
}

fn date(raw: &str) -> Option<NaiveDate> {
    let s = raw.trim().replace('/', "-");
    NaiveDate::parse_from_str(&s, "%Y-%m-%d").ok()
}

/// Yuan as typed: refuses a minus sign by name before the shared parser.
fn money(raw: &str) -> Result<i64, FieldError> {
    if raw.trim().starts_with('-') {
        return Err(FieldError::new("", BillingCode::MustNotBeNegative));
    }
    Money::from_yuan_str("", raw).map(|m| m.0)
}

/// The rows' checker, fed one row at a time.
struct Checker<'a> {
    k: &'a Known,
    by_code: HashMap<&'a str, usize>,
    by_name: HashMap<&'a str, Option<usize>>,
    switch_month: (i32, u32),
    /// The sheet's first row, and once found the header's row and column map.
    first: Option<u32>,
    header: Option<[Option<usize>; NCOLS]>,
    seen: HashMap<LineKey, usize>,
    errs: Errors,
    lines: Vec<Line>,
    count: usize,
    declared: usize,
}

impl<'a> Checker<'a> {
    fn new(k: &'a Known, declared: usize) -> Self {
        let by_code = k
            .items
            .iter()
            .enumerate()
            .map(|(i, f)| (f.code.as_str(), i))
            .collect();
        let mut by_name: HashMap<&str, Option<usize>> = HashMap::new();
        for (i, f) in k.items.iter().enumerate() {
            // A name two items share names neither.
            by_name
                .entry(f.name.as_str())
                .and_modify(|v| *v = None)
                .or_insert(Some(i));
        }
        Self {
            k,
            by_code,
            by_name,
            switch_month: (k.switch.year(), k.switch.month()),
            first: None,
            header: None,
            seen: HashMap::new(),
            errs: Errors(Vec::new()),
            lines: Vec::with_capacity(declared.min(MAX_OPENING_ROWS)),
            count: 0,
            declared,
        }
    }

    /// One row of the sheet (`at`: its 0-based index).
    fn row(
        &mut self,
        at: u32,
        row: &[Data],
        progress: &(dyn Fn(usize, usize) + Send + Sync),
    ) -> CoreResult<()> {
        let first = *self.first.get_or_insert(at);
        let Some(map) = self.header else {
            if at < first + HEADER_SEARCH_ROWS {
                self.header = map_header(row);
            }
            return Ok(());
        };
        if row_is_empty(row) {
            return Ok(());
        }
        self.count += 1;
        if self.count > MAX_OPENING_ROWS {
            return Err(CoreError::Invalid(vec![
                file_error(BillingCode::TooManyRows).with("max", MAX_OPENING_ROWS),
            ]));
        }
        if self.count.is_multiple_of(1_000) {
            progress(self.count, 2 * self.declared.max(self.count));
        }
        self.check(at as usize + 1, &map, row);
        Ok(())
    }

    fn finish(self) -> CoreResult<Checked> {
        let Some(map) = self.header else {
            // No header at all: every required column is missing.
            let all: Vec<&str> = COLUMNS
                .iter()
                .filter(|c| c.required)
                .map(|c| c.header)
                .collect();
            return Err(if self.first.is_none() {
                invalid_file(BillingCode::EmptyFile)
            } else {
                CoreError::Invalid(vec![
                    file_error(BillingCode::MissingColumns).with("columns", all.join("、")),
                ])
            });
        };
        let missing: Vec<&str> = COLUMNS
            .iter()
            .zip(map.iter())
            .filter(|(c, m)| c.required && m.is_none())
            .map(|(c, _)| c.header)
            .collect();
        if !missing.is_empty() {
            return Err(CoreError::Invalid(vec![
                file_error(BillingCode::MissingColumns).with("columns", missing.join("、")),
            ]));
        }
        if self.count == 0 {
            return Err(invalid_file(BillingCode::EmptyFile));
        }
        Ok(Checked {
            lines: self.lines,
            errors: self.errs.0,
            count: self.count,
        })
    }

    /// Checks data row `r` (1-based, as the spreadsheet numbers it).
    fn check(&mut self, r: usize, map: &[Option<usize>; NCOLS], row: &[Data]) {
        let k = self.k;
        let switch_month = self.switch_month;
        let (by_code, by_name) = (&self.by_code, &self.by_name);
        let errs = &mut self.errs;
        let self_seen = &mut self.seen;
        let self_lines = &mut self.lines;
        let cell = |c: usize| map[c].and_then(|j| row.get(j)).and_then(text_of);
        let before = errs.0.len();
        let required = |errs: &mut Errors, c: usize| {
            let v = cell(c);
            if v.is_none() {
                errs.code(r, c, CommonCode::Required);
            }
            v
        };

        let unit = required(&mut *errs, UNIT).and_then(|v| match k.units.resolve(&v) {
            Ok(u) => Some(u),
            Err(code) => {
                errs.code(r, UNIT, code);
                None
            }
        });
        let item = required(&mut *errs, FEE_ITEM).and_then(|v| {
            let hit = by_code
                .get(v.as_str())
                .copied()
                .or_else(|| by_name.get(v.as_str()).copied().flatten());
            if hit.is_none() {
                errs.code(r, FEE_ITEM, BillingCode::UnknownFeeItem);
            }
            hit
        });
        let month_of = |errs: &mut Errors, c: usize| {
            required(errs, c).and_then(|v| match month(&v) {
                Ok(m) if m > switch_month => {
                    errs.push(
                        r,
                        c,
                        FieldError::new(COLUMNS[c].field, BillingCode::PeriodAfterSwitch)
                            .with("date", k.switch),
                    );
                    None
                }
                Ok(m) => Some(m),
                Err(e) => {
                    errs.push(r, c, e);
                    None
                }
            })
        };
        let from = month_of(&mut *errs, PERIOD_FROM);
        let to = month_of(&mut *errs, PERIOD_TO);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            errs.code(r, PERIOD_TO, BillingCode::UntilBeforeFrom);
        }
        let due = required(&mut *errs, DUE_DATE).and_then(|v| match date(&v) {
            None => {
                errs.code(r, DUE_DATE, CommonCode::InvalidDate);
                None
            }
            Some(d) if d > k.switch => {
                errs.code(r, DUE_DATE, BillingCode::DateInFuture);
                None
            }
            Some(d) => Some(d),
        });
        let amount = required(&mut *errs, AMOUNT).and_then(|v| match money(&v) {
            Ok(0) => {
                errs.code(r, AMOUNT, CommonCode::MustBePositive);
                None
            }
            Ok(a) => Some(a),
            Err(e) => {
                errs.push(r, AMOUNT, e);
                None
            }
        });
        let optional = |errs: &mut Errors, c: usize| match cell(c).map(|v| money(&v)) {
            None => Some(0),
            Some(Ok(a)) => Some(a),
            Some(Err(e)) => {
                errs.push(r, c, e);
                None
            }
        };
        let paid = optional(&mut *errs, PAID);
        let late_fee = optional(&mut *errs, LATE_FEE);
        if let (Some(a), Some(p)) = (amount, paid)
            && p > a
        {
            errs.code(r, PAID, BillingCode::PaidExceedsAmount);
        }
        let note = cell(NOTE);
        if let Err(e) = crate::shared::xlsx::not_the_example("note", note.as_deref()) {
            errs.push(r, NOTE, e);
        }
        if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
            errs.push(
                r,
                NOTE,
                FieldError::new("note", CommonCode::TooLong).with("max", 200),
            );
        }
        if errs.0.len() > before {
            return;
        }
        let (
            Some(unit),
            Some(item),
            Some(from),
            Some(to),
            Some(due),
            Some(amount),
            Some(paid),
            Some(late_fee),
        ) = (unit, item, from, to, due, amount, paid, late_fee)
        else {
            return;
        };
        let key = (unit.0, k.items[item].id, from, to);
        if let Some(first) = self_seen.get(&key) {
            errs.push(
                r,
                PERIOD_FROM,
                FieldError::new("period_from", BillingCode::DuplicateLine).with("row", *first),
            );
            return;
        }
        self_seen.insert(key, r);
        let stored = (unit.0, k.items[item].id, month_first(from), month_last(to));
        if k.existing.contains(&stored) {
            errs.code(r, PERIOD_FROM, BillingCode::AlreadyImported);
            return;
        }
        self_lines.push(Line {
            row: r,
            unit,
            fee_item: item,
            from,
            to,
            due,
            amount,
            paid,
            late_fee,
            note,
        });
    }
}
