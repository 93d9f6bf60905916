//! The rules of rosters, with no I/O: shift patterns (local times, weekdays, season), the
//! defaults of the 24小时值班制度, when a shift runs on a day and the instants it covers (a shift
//! crossing midnight belongs to the day it starts), overlaps between one person's shifts, a
//! month's days, and the gaps of a month grid.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::DutyCode;
use crate::shared::code_enum;
use crate::shared::error::FieldError;

code_enum!(Season, DutyCode::UnknownSeason, {
    All = "all", "全年", "All year";
    SpringSummer = "spring_summer", "春夏季（3–8月）", "Spring and summer (Mar–Aug)";
    AutumnWinter = "autumn_winter", "秋冬季（9–2月）", "Autumn and winter (Sep–Feb)";
});

impl Season {
    /// Whether a day falls in the season. The seed names 春夏 and 秋冬 without dates: March to
    /// August and September to February are the centre's reading, documented in docs/duty.md.
    pub fn covers(self, day: NaiveDate) -> bool {
        let m = day.month();
        match self {
            Season::All => true,
            Season::SpringSummer => (3..=8).contains(&m),
            Season::AutumnWinter => !(3..=8).contains(&m),
        }
    }
}

code_enum!(LeaveKind, DutyCode::UnknownLeaveKind, {
    Annual = "annual", "年假", "Annual leave";
    Sick = "sick", "病假", "Sick leave";
    Personal = "personal", "事假", "Personal leave";
    Compensatory = "compensatory", "调休", "Time off in lieu";
    Other = "other", "其他", "Other";
});

code_enum!(ItemKind, DutyCode::UnknownItemKind, {
    Request = "request", "未完成报事", "Open request";
    Cash = "cash", "未日结现金", "Cash not daily-closed";
    Incident = "incident", "突发事件", "Incident";
    Finding = "finding", "巡检发现", "Patrol finding";
    Equipment = "equipment", "设备异常", "Equipment needing attention";
    Key = "key", "钥匙未还", "Key out";
    Note = "note", "交接事项", "Note";
});

code_enum!(ItemState, DutyCode::UnknownItemState, {
    Open = "open", "未结", "Open";
    Closed = "closed", "已结", "Closed";
});

code_enum!(HandoverState, DutyCode::UnknownHandoverState, {
    Open = "open", "待接班签字", "Awaiting sign-off";
    Signed = "signed", "已签收", "Signed";
});

/// A shift pattern as a manager sends it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct ShiftForSave {
    /// Short code kept in the roster (`security_a`), letters, digits, `_` and `-`.
    pub code: String,
    pub name: String,
    /// Local start, `HH:MM`.
    pub starts: String,
    /// Local end, `HH:MM`; not after the start: it ends the next day.
    pub ends: String,
    /// ISO weekdays it runs, 1 = Monday … 7 = Sunday (`[1,2,3,4,5,6]`).
    pub weekdays: Vec<u32>,
    /// `all`, `spring_summer` (March–August) or `autumn_winter` (September–February).
    pub season: String,
    /// The roster team expected to cover it (秩序维护部, 客服前台 …).
    pub team: String,
    /// Fewer people than this on a day is flagged (0: optional).
    #[serde(default)]
    pub min_staff: i64,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

/// A checked pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pattern {
    pub code: String,
    pub name: String,
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub weekdays: Vec<u32>,
    pub season: Season,
    pub team: String,
    pub min_staff: i64,
    pub active: bool,
}

pub fn parse_time(field: &str, raw: &str) -> Result<NaiveTime, FieldError> {
    NaiveTime::parse_from_str(raw.trim(), "%H:%M")
        .map_err(|_| FieldError::new(field, DutyCode::InvalidTime))
}

pub fn hhmm(t: NaiveTime) -> String {
    t.format("%H:%M").to_string()
}

/// Weekdays as stored: `"123456"`.
pub fn weekdays_code(days: &[u32]) -> String {
    days.iter().map(|d| d.to_string()).collect()
}

pub fn weekdays_of(code: &str) -> Vec<u32> {
    code.chars().filter_map(|c| c.to_digit(10)).collect()
}

fn valid_code(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 30
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Checks a pattern; each error names its field under `prefix` (`shifts[2].ends`).
pub fn check_pattern(prefix: &str, p: &ShiftForSave) -> Result<Pattern, Vec<FieldError>> {
    use crate::shared::error::CommonCode;
    let f = |n: &str| format!("{prefix}{n}");
    let mut errs = Vec::new();
    let code = p.code.trim().to_string();
    if !valid_code(&code) {
        errs.push(FieldError::new(f("code"), CommonCode::InvalidCode));
    }
    let name = p.name.trim().to_string();
    if name.is_empty() {
        errs.push(FieldError::new(f("name"), CommonCode::Required));
    } else if name.chars().count() > 30 {
        errs.push(FieldError::new(f("name"), CommonCode::TooLong).with("max", 30));
    }
    let team = p.team.trim().to_string();
    if team.is_empty() {
        errs.push(FieldError::new(f("team"), CommonCode::Required));
    } else if team.chars().count() > 30 {
        errs.push(FieldError::new(f("team"), CommonCode::TooLong).with("max", 30));
    }
    let starts = parse_time(&f("starts"), &p.starts)
        .map_err(|e| errs.push(e))
        .ok();
    let ends = parse_time(&f("ends"), &p.ends)
        .map_err(|e| errs.push(e))
        .ok();
    if let (Some(s), Some(e)) = (starts, ends)
        && s == e
    {
        errs.push(FieldError::new(f("ends"), DutyCode::EmptyShift));
    }
    let mut weekdays = p.weekdays.clone();
    weekdays.sort();
    weekdays.dedup();
    if weekdays.is_empty() || weekdays.iter().any(|d| !(1..=7).contains(d)) {
        errs.push(FieldError::new(f("weekdays"), DutyCode::InvalidWeekdays));
    }
    let season = Season::parse(&f("season"), &p.season)
        .map_err(|e| errs.push(e))
        .ok();
    if !(0..=50).contains(&p.min_staff) {
        errs.push(FieldError::new(f("min_staff"), CommonCode::Invalid));
    }
    match (starts, ends, season) {
        (Some(starts), Some(ends), Some(season)) if errs.is_empty() => Ok(Pattern {
            code,
            name,
            starts,
            ends,
            weekdays,
            season,
            team,
            min_staff: p.min_staff,
            active: p.active,
        }),
        _ => Err(errs),
    }
}

/// The times a pattern needs to place a shift: start, end, weekdays, season.
#[derive(Debug, Clone, Copy)]
pub struct Times<'a> {
    pub starts: NaiveTime,
    pub ends: NaiveTime,
    pub weekdays: &'a [u32],
    pub season: Season,
}

impl Times<'_> {
    /// Whether the shift is worked on this day (its weekday and season).
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        self.weekdays.contains(&day.weekday().number_from_monday()) && self.season.covers(day)
    }

    /// Whether it ends on the next day.
    pub fn crosses_midnight(&self) -> bool {
        self.ends <= self.starts
    }

    /// The local start and end of the shift of `day` (the end may be on the next day).
    pub fn local(&self, day: NaiveDate) -> (chrono::NaiveDateTime, chrono::NaiveDateTime) {
        let end_day = if self.crosses_midnight() {
            day + Duration::days(1)
        } else {
            day
        };
        (day.and_time(self.starts), end_day.and_time(self.ends))
    }

    /// The instants the shift of `day` covers, in the community's zone.
    pub fn window(&self, tz: Tz, day: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        let end_day = if self.crosses_midnight() {
            day + Duration::days(1)
        } else {
            day
        };
        (
            crate::shared::calendar::local_to_utc(tz, day, self.starts),
            crate::shared::calendar::local_to_utc(tz, end_day, self.ends),
        )
    }
}

/// Two shifts overlap when each starts before the other ends (back to back is fine: the
/// security shifts 08–16, 16–24, 0–8).
pub fn overlaps<T: PartialOrd>(a: (T, T), b: (T, T)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// The month `YYYY-MM`: its first day.
pub fn parse_month(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(&format!("{}-01", raw.trim()), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, DutyCode::InvalidMonth))
}

/// Every day of the month that starts on `first`.
pub fn days_of_month(first: NaiveDate) -> Vec<NaiveDate> {
    first
        .iter_days()
        .take_while(|d| d.month() == first.month())
        .collect()
}

/// The first day of the month before.
pub fn previous_month(first: NaiveDate) -> NaiveDate {
    let prev = first - Duration::days(1);
    prev.with_day(1).unwrap_or(prev)
}

/// One default pattern: code, name, start, end, weekdays, season, team, minimum staff.
pub type DefaultShift = (
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    &'static str,
    Season,
    &'static str,
    i64,
);

/// The 24小时值班制度 of the seed (物业服务公司24小时值班制度 §3): office hours 7:50–17:30 in
/// spring and summer and 7:50–18:30 in autumn and winter; the front desk 17:30–20:00 Monday to
/// Saturday (two of customer service and one of another group); the monitoring centre 20:00 to
/// 9:00 the next day; two technicians until 22:00 and one staying overnight; security in three
/// shifts around the clock (the seed gives no hours: 8–16, 16–24, 0–8).
pub const DEFAULT_SHIFTS: &[DefaultShift] = &[
    (
        "office_ss",
        "正常班（春夏）",
        "07:50",
        "17:30",
        "1234567",
        Season::SpringSummer,
        "客服前台",
        1,
    ),
    (
        "office_aw",
        "正常班（秋冬）",
        "07:50",
        "18:30",
        "1234567",
        Season::AutumnWinter,
        "客服前台",
        1,
    ),
    (
        "desk_evening",
        "前台晚间值班",
        "17:30",
        "20:00",
        "123456",
        Season::All,
        "客服前台",
        3,
    ),
    (
        "monitor_night",
        "监控中心夜班",
        "20:00",
        "09:00",
        "1234567",
        Season::All,
        "监控中心",
        1,
    ),
    (
        "tech_evening",
        "技术员值班",
        "17:30",
        "22:00",
        "1234567",
        Season::All,
        "工程部",
        2,
    ),
    (
        "tech_overnight",
        "技术员留宿",
        "22:00",
        "07:50",
        "1234567",
        Season::All,
        "工程部",
        1,
    ),
    (
        "security_a",
        "保安早班",
        "08:00",
        "16:00",
        "1234567",
        Season::All,
        "秩序维护部",
        1,
    ),
    (
        "security_b",
        "保安中班",
        "16:00",
        "00:00",
        "1234567",
        Season::All,
        "秩序维护部",
        1,
    ),
    (
        "security_c",
        "保安夜班",
        "00:00",
        "08:00",
        "1234567",
        Season::All,
        "秩序维护部",
        1,
    ),
];

/// A flag of the month view: a shift with nobody (`gap`) or fewer than its minimum (`short`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct Coverage {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub shift_code: String,
    pub staffed: i64,
    pub min_staff: i64,
    /// `gap` (nobody) or `short`.
    pub flag: String,
}

/// The gaps of a month: for each day, each pattern that runs that day with a minimum, how many
/// are on it (`count(day, code)`).
pub fn coverage(
    days: &[NaiveDate],
    patterns: &[(String, Times<'_>, i64)],
    count: impl Fn(NaiveDate, &str) -> i64,
) -> Vec<Coverage> {
    let mut out = Vec::new();
    for &d in days {
        for (code, t, min) in patterns {
            if *min <= 0 || !t.runs_on(d) {
                continue;
            }
            let n = count(d, code);
            if n < *min {
                out.push(Coverage {
                    day: d,
                    shift_code: code.clone(),
                    staffed: n,
                    min_staff: *min,
                    flag: if n == 0 { "gap" } else { "short" }.into(),
                });
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> NaiveTime {
        NaiveTime::parse_from_str(s, "%H:%M").unwrap()
    }
    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn seasons_split_march_and_september() {
        assert!(Season::SpringSummer.covers(d("2026-03-01")));
        assert!(Season::SpringSummer.covers(d("2026-08-31")));
        assert!(!Season::SpringSummer.covers(d("2026-09-01")));
        assert!(Season::AutumnWinter.covers(d("2026-02-28")));
        assert!(Season::AutumnWinter.covers(d("2026-12-06")));
    }

    #[test]
    fn a_night_shift_belongs_to_its_first_day() {
        let w = [1, 2, 3, 4, 5, 6, 7];
        let night = Times {
            starts: t("20:00"),
            ends: t("09:00"),
            weekdays: &w,
            season: Season::All,
        };
        let tz = chrono_tz::Asia::Shanghai;
        let (s, e) = night.window(tz, d("2026-12-06"));
        // 20:00 on the 6th in Shanghai is 12:00 UTC; 09:00 on the 7th is 01:00 UTC.
        assert_eq!(s.to_rfc3339(), "2026-12-06T12:00:00+00:00");
        assert_eq!(e.to_rfc3339(), "2026-12-07T01:00:00+00:00");
        // The evening desk runs Monday to Saturday: 2026-12-06 is a Sunday.
        let desk = Times {
            starts: t("17:30"),
            ends: t("20:00"),
            weekdays: &[1, 2, 3, 4, 5, 6],
            season: Season::All,
        };
        assert!(!desk.runs_on(d("2026-12-06")));
        assert!(desk.runs_on(d("2026-12-07")));
    }

    #[test]
    fn back_to_back_is_not_an_overlap() {
        let w = [1, 2, 3, 4, 5, 6, 7];
        let a = Times {
            starts: t("08:00"),
            ends: t("16:00"),
            weekdays: &w,
            season: Season::All,
        };
        let b = Times {
            starts: t("16:00"),
            ends: t("00:00"),
            weekdays: &w,
            season: Season::All,
        };
        let c = Times {
            starts: t("00:00"),
            ends: t("08:00"),
            weekdays: &w,
            season: Season::All,
        };
        let night = Times {
            starts: t("20:00"),
            ends: t("09:00"),
            weekdays: &w,
            season: Season::All,
        };
        let day = d("2026-12-06");
        let next = d("2026-12-07");
        assert!(!overlaps(a.local(day), b.local(day)));
        assert!(!overlaps(b.local(day), c.local(next)));
        // Night monitoring until 9:00 and the 8:00 security shift of the next day: one hour.
        assert!(overlaps(night.local(day), a.local(next)));
        assert!(overlaps(night.local(day), b.local(day)));
    }

    #[test]
    fn months_and_gaps() {
        let first = parse_month("month", "2026-02").unwrap();
        assert_eq!(days_of_month(first).len(), 28);
        assert_eq!(previous_month(d("2026-01-01")), d("2025-12-01"));
        assert!(parse_month("month", "2026-13").is_err());
        let w = [1, 2, 3, 4, 5, 6];
        let desk = Times {
            starts: t("17:30"),
            ends: t("20:00"),
            weekdays: &w,
            season: Season::All,
        };
        let days = [d("2026-12-05"), d("2026-12-06"), d("2026-12-07")];
        let flags = coverage(&days, &[("desk".into(), desk, 2)], |day, _| {
            if day == d("2026-12-05") { 1 } else { 0 }
        });
        // Saturday short (1 of 2), Sunday not worked, Monday a gap.
        assert_eq!(flags.len(), 2);
        assert_eq!(
            (flags[0].day, flags[0].flag.as_str()),
            (d("2026-12-05"), "short")
        );
        assert_eq!(
            (flags[1].day, flags[1].flag.as_str()),
            (d("2026-12-07"), "gap")
        );
    }

    #[test]
    fn patterns_are_checked_field_by_field() {
        let p = ShiftForSave {
            code: "bad code".into(),
            name: "".into(),
            starts: "25:00".into(),
            ends: "08:00".into(),
            weekdays: vec![0],
            season: "winter".into(),
            team: "秩序维护部".into(),
            min_staff: 1,
            active: true,
        };
        let errs = check_pattern("", &p).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["code", "name", "starts", "weekdays", "season"]);
        for (code, _, s, e, ..) in DEFAULT_SHIFTS {
            assert!(valid_code(code));
            assert_ne!(t(s), t(e));
        }
    }
}
