//! The company calendar: which days are working days, and deadline arithmetic over it.
//!
//! A day is a working day when it is Monday to Friday and not a holiday, or when it is a
//! make-up working day (调休上班, e.g. a Sunday worked to bridge a holiday block). The days that
//! differ from the plain week are stored per company (`calendar_days`) and can be imported from a
//! text file such as the State Council's annual schedule (see [`parse_calendar_file`]).
//!
//! Working-day clocks are counted in the community's time zone: a clock of `n` working days that
//! starts on a working day ends at the same time of day on the `n`-th working day after it
//! (office hours play no part); one that starts on a rest day counts the next working day as its
//! first and ends at the end of its `n`-th working day, the midnight after it (registered
//! Saturday 10:00, one working day: due Tuesday 00:00, i.e. the end of Monday; five working days:
//! due the next Saturday 00:00, the end of Friday, not Monday 00:00).

use crate::shared::error::CommonCode;
use std::collections::BTreeMap;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, TimeZone, Utc, Weekday};
use chrono_tz::Tz;

use super::error::FieldError;

/// What a listed day is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// A public holiday (or a bridging rest day) that falls on a weekday or weekend.
    Holiday,
    /// A weekend day worked to make up for a holiday (调休上班).
    Workday,
}

impl DayKind {
    pub fn code(self) -> &'static str {
        match self {
            DayKind::Holiday => "holiday",
            DayKind::Workday => "workday",
        }
    }
    pub fn parse(field: &str, s: &str) -> Result<DayKind, FieldError> {
        match s.trim() {
            "holiday" | "休" | "假" | "休息" | "放假" => Ok(DayKind::Holiday),
            "workday" | "班" | "上班" | "调休上班" => Ok(DayKind::Workday),
            _ => Err(FieldError::new(field, CommonCode::UnknownDayKind)),
        }
    }
}

/// The days of a company's calendar that differ from the plain week.
#[derive(Debug, Clone, Default)]
pub struct Calendar {
    days: BTreeMap<NaiveDate, DayKind>,
}

/// A clock that stops counting after this many days without a working day is misconfigured
/// (a calendar listing a whole year as holidays); deadlines then fall back to plain days.
const MAX_SCAN_DAYS: i64 = 3660;

impl Calendar {
    pub fn new(days: impl IntoIterator<Item = (NaiveDate, DayKind)>) -> Self {
        Calendar {
            days: days.into_iter().collect(),
        }
    }

    pub fn is_working_day(&self, d: NaiveDate) -> bool {
        match self.days.get(&d) {
            Some(DayKind::Holiday) => false,
            Some(DayKind::Workday) => true,
            None => !matches!(d.weekday(), Weekday::Sat | Weekday::Sun),
        }
    }

    /// The first working day strictly after `d`.
    pub fn next_working_day(&self, d: NaiveDate) -> NaiveDate {
        let mut x = d;
        for _ in 0..MAX_SCAN_DAYS {
            x = x.succ_opt().unwrap_or(x);
            if self.is_working_day(x) {
                return x;
            }
        }
        d.succ_opt().unwrap_or(d)
    }

    /// The deadline `n` working days after `start`, in time zone `tz` (see the module docs).
    pub fn add_working_days(&self, start: DateTime<Utc>, n: u32, tz: Tz) -> DateTime<Utc> {
        let local = start.with_timezone(&tz);
        let date = local.date_naive();
        if self.is_working_day(date) {
            let mut day = date;
            for _ in 0..n {
                day = self.next_working_day(day);
            }
            return local_to_utc(tz, day, local.time());
        }
        // From a rest day the next working day is day 1, and the clock ends when day n ends:
        // at the midnight right after it, not at the start of the next working day (which, after
        // a Friday, would be Monday 00:00 and give the weekend away).
        let mut day = self.next_working_day(date);
        if n == 0 {
            return local_to_utc(tz, day, NaiveTime::MIN);
        }
        for _ in 1..n {
            day = self.next_working_day(day);
        }
        local_to_utc(tz, day.succ_opt().unwrap_or(day), NaiveTime::MIN)
    }

    /// Whole working days from `a` to `b` (for statistics): working days whose start lies in
    /// `(a, b]` counted in `tz`.
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> i64 {
        let mut n = 0;
        let mut d = a;
        while d < b {
            d = d.succ_opt().unwrap_or(b);
            if self.is_working_day(d) {
                n += 1;
            }
        }
        n
    }
}

/// A community's time zone from its stored name; Asia/Shanghai (the default of SPEC) when the
/// name is not one chrono-tz knows.
pub fn zone(name: &str) -> Tz {
    name.parse().unwrap_or(chrono_tz::Asia::Shanghai)
}

/// A local date and time as UTC. A time skipped by a daylight-saving change moves forward by an
/// hour; an ambiguous one takes the earlier instant. (China has no DST; other zones may.)
pub fn local_to_utc(tz: Tz, day: NaiveDate, time: NaiveTime) -> DateTime<Utc> {
    let naive = day.and_time(time);
    match tz.from_local_datetime(&naive) {
        chrono::LocalResult::Single(t) => t.with_timezone(&Utc),
        chrono::LocalResult::Ambiguous(a, _) => a.with_timezone(&Utc),
        chrono::LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .unwrap_or_else(|| Utc.from_utc_datetime(&naive)),
    }
}

/// One day of an imported calendar file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct CalendarDay {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    /// `holiday` or `workday`.
    #[schema(value_type = String)]
    pub kind: DayKind,
    pub name: String,
}

/// A line of a calendar file that could not be read: its number (from 1) and the reason.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
pub struct CalendarLineError {
    pub line: usize,
    #[schema(value_type = String)]
    pub code: CommonCode,
}

/// Reads a calendar file: one entry per line, `DATE,KIND,NAME` or `FROM..TO,KIND,NAME` (commas,
/// tabs or spaces between the parts), KIND `holiday`/`休` or `workday`/`班`. Blank lines and lines
/// starting with `#` are skipped. Every bad line is reported; nothing is returned unless all are
/// good.
///
/// ```text
/// # 2027 国务院办公厅 部分节假日安排
/// 2027-02-06..2027-02-12,休,春节
/// 2027-02-14,班,春节调休
/// ```
pub fn parse_calendar_file(text: &str) -> Result<Vec<CalendarDay>, Vec<CalendarLineError>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.trim().trim_start_matches('\u{feff}');
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let parts: Vec<&str> = line
            .split([',', '，', '\t', ' '])
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect();
        let err = |code: CommonCode| CalendarLineError { line: i + 1, code };
        if parts.len() < 2 {
            errs.push(err(CommonCode::CalendarLineFormat));
            continue;
        }
        let Ok(kind) = DayKind::parse("kind", parts[1]) else {
            errs.push(err(CommonCode::UnknownDayKind));
            continue;
        };
        let name = parts[2..].join(" ");
        if name.chars().count() > 50 || name.chars().any(char::is_control) {
            errs.push(err(CommonCode::CalendarNameInvalid));
            continue;
        }
        let (from, to) = match parts[0].split_once("..") {
            Some((a, b)) => (parse_day(a), parse_day(b)),
            None => (parse_day(parts[0]), parse_day(parts[0])),
        };
        let (Some(from), Some(to)) = (from, to) else {
            errs.push(err(CommonCode::InvalidDate));
            continue;
        };
        if to < from || (to - from).num_days() > 31 {
            errs.push(err(CommonCode::CalendarRangeInvalid));
            continue;
        }
        let mut d = from;
        while d <= to {
            out.push(CalendarDay {
                day: d,
                kind,
                name: name.clone(),
            });
            d = match d.succ_opt() {
                Some(n) => n,
                None => break,
            };
        }
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

fn parse_day(s: &str) -> Option<NaiveDate> {
    let s = s.trim();
    NaiveDate::parse_from_str(s, "%Y-%m-%d")
        .or_else(|_| NaiveDate::parse_from_str(s, "%Y/%m/%d"))
        .ok()
        .filter(|d| (1900..=2200).contains(&d.year()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }
    /// A Shanghai local time as UTC.
    fn sh(s: &str) -> DateTime<Utc> {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").expect("time");
        local_to_utc(chrono_tz::Asia::Shanghai, n.date(), n.time())
    }
    const SH: Tz = chrono_tz::Asia::Shanghai;

    /// Mid-Autumn and National Day 2026 as the State Council published them (国办发明电 of
    /// 2025-11-04): 09-25..09-27 and 10-01..10-07 off, Sunday 09-20 and Saturday 10-10 worked.
    fn autumn_2026() -> Calendar {
        let file = "# 2026 中秋节、国庆节\n2026-09-25..2026-09-27,休,中秋节\n\
                    2026-10-01..2026-10-07,休,国庆节\n2026-09-20,班,国庆节调休\n2026-10-10 班 国庆节调休\n";
        let days = parse_calendar_file(file).expect("parses");
        assert_eq!(days.len(), 12);
        Calendar::new(days.into_iter().map(|x| (x.day, x.kind)))
    }

    #[test]
    fn plain_week() {
        let c = Calendar::default();
        assert!(c.is_working_day(d("2026-12-04"))); // Friday
        assert!(!c.is_working_day(d("2026-12-05"))); // Saturday
        assert_eq!(c.next_working_day(d("2026-12-04")), d("2026-12-07"));
    }

    #[test]
    fn five_working_days_over_a_weekend() {
        let c = Calendar::default();
        // Wednesday 2026-12-02 15:30 + 5 working days = Wednesday 12-09 15:30.
        assert_eq!(
            c.add_working_days(sh("2026-12-02 15:30"), 5, SH),
            sh("2026-12-09 15:30")
        );
        // Friday 17:00 + 3 = Wednesday 17:00.
        assert_eq!(
            c.add_working_days(sh("2026-12-04 17:00"), 3, SH),
            sh("2026-12-09 17:00")
        );
        // Saturday 10:00 + 1: counting starts Monday 00:00, due Tuesday 00:00.
        assert_eq!(
            c.add_working_days(sh("2026-12-05 10:00"), 1, SH),
            sh("2026-12-08 00:00")
        );
        // A serious complaint (5 working days) registered on Saturday 12-05: Monday 12-07 is
        // day 1, Friday 12-11 day 5; due at the end of Friday (Saturday 00:00), not Monday 00:00.
        assert_eq!(
            c.add_working_days(sh("2026-12-05 10:00"), 5, SH),
            sh("2026-12-12 00:00")
        );
        // The same on Sunday 23:59, and 4 working days: the end of Thursday.
        assert_eq!(
            c.add_working_days(sh("2026-12-06 23:59"), 5, SH),
            sh("2026-12-12 00:00")
        );
        assert_eq!(
            c.add_working_days(sh("2026-12-06 23:59"), 4, SH),
            sh("2026-12-11 00:00")
        );
        // A working day before and after office hours keeps its time of day: Friday 07:00 and
        // 22:00, one working day, are due Monday 07:00 and 22:00.
        assert_eq!(
            c.add_working_days(sh("2026-12-04 07:00"), 1, SH),
            sh("2026-12-07 07:00")
        );
        assert_eq!(
            c.add_working_days(sh("2026-12-04 22:00"), 1, SH),
            sh("2026-12-07 22:00")
        );
    }

    #[test]
    fn working_days_across_a_holiday_block_with_make_up_days() {
        let c = autumn_2026();
        assert!(c.is_working_day(d("2026-09-20")), "Sunday made a workday");
        assert!(!c.is_working_day(d("2026-10-05")), "Monday in the block");
        assert!(c.is_working_day(d("2026-10-10")), "Saturday made a workday");
        // Serious complaint registered Wednesday 09-30 11:00, 5 working days:
        // 10-08 (Thu) 1, 10-09 (Fri) 2, 10-10 (Sat, make-up) 3, 10-12 (Mon) 4, 10-13 (Tue) 5.
        assert_eq!(
            c.add_working_days(sh("2026-09-30 11:00"), 5, SH),
            sh("2026-10-13 11:00")
        );
        // Registered on Sunday 09-20 (a make-up working day) 09:00, 3 working days:
        // 09-21 1, 09-22 2, 09-23 3.
        assert_eq!(
            c.add_working_days(sh("2026-09-20 09:00"), 3, SH),
            sh("2026-09-23 09:00")
        );
        // Thursday 09-24 16:00 + 1: Friday 09-25 is Mid-Autumn, then the weekend: Monday 09-28.
        assert_eq!(
            c.add_working_days(sh("2026-09-24 16:00"), 1, SH),
            sh("2026-09-28 16:00")
        );
        // Registered on 10-03 (holiday) 20:00, 3 working days: 10-08 (Thu) 1, 10-09 (Fri) 2,
        // 10-10 (Sat, make-up) 3; due at the end of 10-10, i.e. 10-11 00:00 (a Sunday), not
        // 10-12 00:00 (the start of the 4th working day).
        assert_eq!(
            c.add_working_days(sh("2026-10-03 20:00"), 3, SH),
            sh("2026-10-11 00:00")
        );
        // On a holiday inside the block, 1 working day: the end of 10-08.
        assert_eq!(
            c.add_working_days(sh("2026-10-05 09:00"), 1, SH),
            sh("2026-10-09 00:00")
        );
        // Registered on the make-up Saturday 10-10 at 18:30 (a working day), 1 working day: the
        // same time on the next working day, Monday 10-12.
        assert_eq!(
            c.add_working_days(sh("2026-10-10 18:30"), 1, SH),
            sh("2026-10-12 18:30")
        );
        // On the Mid-Autumn holiday (Friday 09-25), 2 working days: Monday 09-28 1, Tuesday
        // 09-29 2, due at the end of Tuesday.
        assert_eq!(
            c.add_working_days(sh("2026-09-25 08:00"), 2, SH),
            sh("2026-09-30 00:00")
        );
        // (09-30, 10-12]: 10-08, 10-09, 10-10, 10-12.
        assert_eq!(c.working_days_between(d("2026-09-30"), d("2026-10-12")), 4);
    }

    #[test]
    fn shanghai_midnight_is_the_previous_utc_day() {
        let c = Calendar::default();
        // Thursday 2026-12-03 07:00 Shanghai is Wednesday 23:00 UTC: the local day counts.
        let start = sh("2026-12-03 07:00");
        assert_eq!(start.date_naive(), d("2026-12-02"));
        assert_eq!(c.add_working_days(start, 1, SH), sh("2026-12-04 07:00"));
        assert_eq!(c.add_working_days(start, 2, SH), sh("2026-12-07 07:00"));
    }

    #[test]
    fn the_shipped_2026_schedule_reads() {
        let days = parse_calendar_file(crate::demo::CALENDAR_2026).expect("the 2026 file");
        let c = Calendar::new(days.iter().map(|d| (d.day, d.kind)));
        // 3 + 9 + 3 + 5 + 3 + 3 + 7 days off, 6 make-up working days.
        assert_eq!(days.len(), 33 + 6);
        assert!(
            !c.is_working_day(d("2026-02-23")),
            "Monday, last day of Spring Festival"
        );
        assert!(
            c.is_working_day(d("2026-02-28")),
            "Saturday, made a workday"
        );
        // A serious complaint on Friday 2026-02-13 10:00: 5 working days are 02-14 (Sat, worked),
        // 02-24, 02-25, 02-26, 02-27.
        assert_eq!(
            c.add_working_days(sh("2026-02-13 10:00"), 5, SH),
            sh("2026-02-27 10:00")
        );
    }

    #[test]
    fn calendar_file_errors_name_the_line() {
        let bad = "2026-10-01,休,国庆\nnonsense\n2026-13-01,休,x\n2026-10-01,玩,x\n2026-10-08..2026-10-01,休,x";
        assert_eq!(
            parse_calendar_file(bad).expect_err("bad lines"),
            vec![
                CalendarLineError {
                    line: 2,
                    code: CommonCode::CalendarLineFormat
                },
                CalendarLineError {
                    line: 3,
                    code: CommonCode::InvalidDate
                },
                CalendarLineError {
                    line: 4,
                    code: CommonCode::UnknownDayKind
                },
                CalendarLineError {
                    line: 5,
                    code: CommonCode::CalendarRangeInvalid
                },
            ]
        );
    }
}
