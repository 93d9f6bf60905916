//! Reading and checking an opening-arrears workbook: the zip-bomb guard and the first sheet
//! (`shared::xlsx`), the header row, then every row validated against the community's units,
//! fee items and earlier imports — each bad cell reported with its spreadsheet row, Chinese
//! column header and field, nothing written.

use std::collections::{HashMap, HashSet};

use calamine::{Data, Range};
use chrono::NaiveDate;

use crate::billing::model::Period;
use crate::billing::setup::FeeItem;
use crate::registry::import::ImportRowError;
use crate::shared::error::{CommonCode, CoreError, CoreResult, ErrorCode, FieldError};
use crate::shared::money::Money;
use crate::shared::resolve::UnitLabels;
use crate::shared::xlsx::{SheetError, declared_unpacked_size, first_sheet};

use super::*;

/// The header is looked for in the first rows, so a title line above it is tolerated.
const HEADER_SEARCH_ROWS: usize = 10;
/// Excel's day 0 for serial dates (the 1900 system, past its leap-year bug).
const EXCEL_EPOCH: (i32, u32, u32) = (1899, 12, 30);

pub(super) fn parse_workbook(bytes: Vec<u8>) -> CoreResult<Range<Data>> {
    let total = declared_unpacked_size(&bytes).ok_or_else(|| invalid_file(BillingCode::NotXlsx))?;
    if total > MAX_OPENING_UNPACKED {
        return Err(CoreError::Invalid(vec![
            file_error(BillingCode::FileTooLargeUnpacked).with(
                "max",
                format!("{} MB", MAX_OPENING_UNPACKED / (1024 * 1024)),
            ),
        ]));
    }
    first_sheet(bytes).map_err(|e| match e {
        SheetError::NotXlsx => invalid_file(BillingCode::NotXlsx),
        SheetError::NoSheet => invalid_file(BillingCode::EmptyFile),
    })
}

/// Where the data is: the header row, the range column of each template column, the count of
/// non-empty data rows.
pub(super) struct Sheet {
    pub header: usize,
    pub map: [Option<usize>; NCOLS],
    pub count: usize,
}

fn header_key(d: &Data) -> Option<&str> {
    match d {
        Data::String(s) => Some(s.trim().trim_matches('*').trim()),
        _ => None,
    }
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
    epoch.checked_add_days(chrono::Days::new(f.floor() as u64))
}

fn row_is_empty(row: &[Data]) -> bool {
    row.iter().all(|d| text_of(d).is_none())
}

impl Sheet {
    pub(super) fn locate(range: &Range<Data>) -> CoreResult<Sheet> {
        if range.is_empty() {
            return Err(invalid_file(BillingCode::EmptyFile));
        }
        let mut found = (0, [None; NCOLS]);
        for (i, row) in range.rows().take(HEADER_SEARCH_ROWS).enumerate() {
            let mut map = [None; NCOLS];
            for (j, d) in row.iter().enumerate() {
                if let Some(k) = header_key(d)
                    && let Some(c) = COLUMNS.iter().position(|c| c.header == k)
                    && map[c].is_none()
                {
                    map[c] = Some(j);
                }
            }
            if map.iter().any(Option::is_some) {
                found = (i, map);
                break;
            }
        }
        let (header, map) = found;
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
        let count = range
            .rows()
            .skip(header + 1)
            .filter(|r| !row_is_empty(r))
            .count();
        if count == 0 {
            return Err(invalid_file(BillingCode::EmptyFile));
        }
        if count > MAX_OPENING_ROWS {
            return Err(CoreError::Invalid(vec![
                file_error(BillingCode::TooManyRows).with("max", MAX_OPENING_ROWS),
            ]));
        }
        Ok(Sheet { header, map, count })
    }
}

/// A line's identity in a file: unit, fee item, first and last month.
type LineKey = (i64, i64, (i32, u32), (i32, u32));

/// What the rows are checked against.
pub(super) struct Known<'a> {
    pub units: &'a UnitLabels,
    pub items: &'a [FeeItem],
    pub existing: &'a HashSet<(i64, i64, NaiveDate, NaiveDate)>,
    pub switch: NaiveDate,
}

pub(super) struct Checked {
    pub lines: Vec<Line>,
    pub errors: Vec<ImportRowError>,
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

/// A month "2025-07" (also "2025/07", or a date cell: its month).
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

pub(super) fn check_rows(
    range: &Range<Data>,
    sheet: &Sheet,
    k: &Known<'_>,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> Checked {
    let mut errs = Errors(Vec::new());
    let mut lines = Vec::with_capacity(sheet.count);
    let by_code: HashMap<&str, usize> = k
        .items
        .iter()
        .enumerate()
        .map(|(i, f)| (f.code.as_str(), i))
        .collect();
    let mut by_name: HashMap<&str, Option<usize>> = HashMap::new();
    for (i, f) in k.items.iter().enumerate() {
        by_name
            .entry(f.name.as_str())
            .and_modify(|v| *v = None)
            .or_insert(Some(i));
    }
    let switch_month = (
        chrono::Datelike::year(&k.switch),
        chrono::Datelike::month(&k.switch),
    );
    let mut seen: HashMap<LineKey, usize> = HashMap::new();
    let mut done = 0;
    for (i, row) in range.rows().enumerate().skip(sheet.header + 1) {
        if row_is_empty(row) {
            continue;
        }
        done += 1;
        if done % 1_000 == 0 {
            progress(done, sheet.count * 2);
        }
        let r = range.start().map_or(0, |(r0, _)| r0 as usize) + i + 1;
        let cell = |c: usize| sheet.map[c].and_then(|j| row.get(j)).and_then(text_of);
        let before = errs.0.len();
        let required = |errs: &mut Errors, c: usize| {
            let v = cell(c);
            if v.is_none() {
                errs.code(r, c, CommonCode::Required);
            }
            v
        };

        let unit = required(&mut errs, UNIT).and_then(|v| match k.units.resolve(&v) {
            Ok(u) => Some(u),
            Err(code) => {
                errs.code(r, UNIT, code);
                None
            }
        });
        let item = required(&mut errs, FEE_ITEM).and_then(|v| {
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
        let from = month_of(&mut errs, PERIOD_FROM);
        let to = month_of(&mut errs, PERIOD_TO);
        if let (Some(f), Some(t)) = (from, to)
            && f > t
        {
            errs.code(r, PERIOD_TO, BillingCode::UntilBeforeFrom);
        }
        let due = required(&mut errs, DUE_DATE).and_then(|v| match date(&v) {
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
        let amount = required(&mut errs, AMOUNT).and_then(|v| match money(&v) {
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
        let paid = optional(&mut errs, PAID);
        let late_fee = optional(&mut errs, LATE_FEE);
        if let (Some(a), Some(p)) = (amount, paid)
            && p > a
        {
            errs.code(r, PAID, BillingCode::PaidExceedsAmount);
        }
        let note = cell(NOTE);
        if note.as_ref().is_some_and(|n| n.chars().count() > 200) {
            errs.push(
                r,
                NOTE,
                FieldError::new("note", CommonCode::TooLong).with("max", 200),
            );
        }
        if errs.0.len() > before {
            continue;
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
            continue;
        };
        let key = (unit.0, k.items[item].id, from, to);
        if let Some(first) = seen.get(&key) {
            errs.push(
                r,
                PERIOD_FROM,
                FieldError::new("period_from", BillingCode::DuplicateLine).with("row", *first),
            );
            continue;
        }
        seen.insert(key, r);
        let stored = (unit.0, k.items[item].id, month_first(from), month_last(to));
        if k.existing.contains(&stored) {
            errs.code(r, PERIOD_FROM, BillingCode::AlreadyImported);
            continue;
        }
        lines.push(Line {
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
    Checked {
        lines,
        errors: errs.0,
    }
}
