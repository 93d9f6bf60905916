//! The pure rules of patrols: when a plan's tasks fall (local windows of the community's time
//! zone turned into UTC instants), what a label's code says, how far a phone was from its
//! checkpoint, and which item results are findings. No SQL, no I/O.

use std::collections::BTreeSet;

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveTime, Utc, Weekday};
use chrono_tz::Tz;

use super::error::PatrolCode;
use crate::shared::code_enum;

// What a round is for.
code_enum!(RouteKind, PatrolCode::UnknownRouteKind, {
    Security = "security", "秩序巡逻", "Security round";
    Cleaning = "cleaning", "保洁检查", "Cleaning check";
    Greening = "greening", "绿化检查", "Greening check";
    Engineering = "engineering", "工程巡检", "Engineering round";
});

// What an item asks.
code_enum!(CheckKind, PatrolCode::UnknownCheckKind, {
    Ok = "ok", "正常/异常", "Normal / abnormal";
    Number = "number", "数值", "Number";
    Choice = "choice", "选项", "Choice";
    Text = "text", "文字", "Text";
    Photo = "photo", "拍照", "Photo";
});

// How often a plan's route is walked.
code_enum!(PatrolFrequency, PatrolCode::UnknownPatrolFrequency, {
    Hourly = "hourly", "每隔N小时", "Every N hours";
    Daily = "daily", "每天", "Daily";
    Weekly = "weekly", "每周", "Weekly";
    Monthly = "monthly", "每月", "Monthly";
});

// Where a task stands.
code_enum!(TaskState, PatrolCode::UnknownTaskState, {
    Pending = "pending", "待巡检", "Pending";
    Active = "active", "巡检中", "In progress";
    Done = "done", "已完成", "Done";
    Missed = "missed", "未完成", "Missed";
});

// How a checkpoint was recognised on site.
code_enum!(ScanMethod, PatrolCode::UnknownScanMethod, {
    Qr = "qr", "扫码", "QR code";
    Nfc = "nfc", "NFC", "NFC";
    Code = "code", "输入编码", "Code typed";
});

/// The schedule of a plan, parsed and valid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub frequency: PatrolFrequency,
    /// Hourly: the hours between two tasks (1–24).
    pub every_hours: u32,
    /// Weekly: the days (Monday = 1 … Sunday = 7).
    pub weekdays: BTreeSet<u32>,
    /// Monthly: the dates (1–31; past the month's end: its last day).
    pub month_days: BTreeSet<u32>,
    pub window_start: NaiveTime,
    /// At or before the start: the next day.
    pub window_end: NaiveTime,
    /// How long a task has to be finished from its start.
    pub duration: Duration,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
}

/// One task a plan asks for: due from `starts_at` to `ends_at`, on the community's `day`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Occurrence {
    pub day: NaiveDate,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// A local wall time of the community as an instant.
pub fn instant(tz: Tz, day: NaiveDate, t: NaiveTime) -> DateTime<Utc> {
    crate::shared::calendar::local_to_utc(tz, day, t)
}

fn last_day_of_month(day: NaiveDate) -> u32 {
    let (y, m) = (day.year(), day.month());
    let first_next = if m == 12 {
        NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    first_next
        .and_then(|d| d.pred_opt())
        .map(|d| d.day())
        .unwrap_or(28)
}

impl Schedule {
    /// Whether the plan walks its route on this day at all.
    pub fn runs_on(&self, day: NaiveDate) -> bool {
        if day < self.starts_on || self.ends_on.is_some_and(|e| day > e) {
            return false;
        }
        match self.frequency {
            PatrolFrequency::Hourly | PatrolFrequency::Daily => true,
            PatrolFrequency::Weekly => self.weekdays.contains(&day.weekday().number_from_monday()),
            PatrolFrequency::Monthly => {
                let last = last_day_of_month(day);
                self.month_days.iter().any(|&d| d.min(last) == day.day())
            }
        }
    }

    /// The tasks of one local day, in order.
    pub fn occurrences(&self, tz: Tz, day: NaiveDate) -> Vec<Occurrence> {
        if !self.runs_on(day) {
            return Vec::new();
        }
        let start = instant(tz, day, self.window_start);
        let end_day = if self.window_end <= self.window_start {
            day.succ_opt().unwrap_or(day)
        } else {
            day
        };
        let window_end = instant(tz, end_day, self.window_end);
        match self.frequency {
            PatrolFrequency::Hourly => {
                let step = Duration::hours(i64::from(self.every_hours.max(1)));
                let mut out = Vec::new();
                let mut at = start;
                while at < window_end {
                    out.push(Occurrence {
                        day,
                        starts_at: at,
                        ends_at: at + self.duration,
                    });
                    at += step;
                }
                out
            }
            _ => vec![Occurrence {
                day,
                starts_at: start,
                ends_at: start + self.duration,
            }],
        }
    }
}

impl Schedule {
    /// The first task that starts after `after`, looking at most 62 days ahead (a monthly plan
    /// on the 31st still has one); `None` when the plan has ended or never runs in that span.
    pub fn next_start(&self, tz: Tz, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        // From the day before: a night window opened yesterday may still have tasks to come.
        let first = after.with_timezone(&tz).date_naive().pred_opt()?;
        (0..=63)
            .filter_map(|n| first.checked_add_days(chrono::Days::new(n)))
            .flat_map(|day| self.occurrences(tz, day))
            .map(|o| o.starts_at)
            .find(|s| *s > after)
    }
}

/// Parses "1,3,5" into a set within `lo..=hi`; `None` for anything else (or nothing).
pub fn parse_days(s: &str, lo: u32, hi: u32) -> Option<BTreeSet<u32>> {
    let mut out = BTreeSet::new();
    for part in s.split([',', '，', ' ']).filter(|p| !p.trim().is_empty()) {
        let n: u32 = part.trim().parse().ok()?;
        if n < lo || n > hi {
            return None;
        }
        out.insert(n);
    }
    (!out.is_empty()).then_some(out)
}

/// Writes a set as "1,3,5".
pub fn days_text(days: &BTreeSet<u32>) -> String {
    days.iter()
        .map(|d| d.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// Parses "HH:MM".
pub fn parse_time(s: &str) -> Option<NaiveTime> {
    NaiveTime::parse_from_str(s.trim(), "%H:%M").ok()
}

pub fn weekday_name_zh(d: Weekday) -> &'static str {
    match d {
        Weekday::Mon => "周一",
        Weekday::Tue => "周二",
        Weekday::Wed => "周三",
        Weekday::Thu => "周四",
        Weekday::Fri => "周五",
        Weekday::Sat => "周六",
        Weekday::Sun => "周日",
    }
}

/// What a label says: `WYP:<checkpoint id>:<secret>`. The QR carries it and it is printed under
/// the code, so it can be typed where no camera reads it.
pub fn label_code(checkpoint: i64, secret: &str) -> String {
    format!("WYP:{checkpoint}:{secret}")
}

/// The checkpoint id and secret of a label's code (spaces and case forgiven when typed).
pub fn parse_label_code(code: &str) -> Option<(i64, String)> {
    let code = code.trim();
    let rest = code
        .strip_prefix("WYP:")
        .or_else(|| code.strip_prefix("wyp:"))?;
    let (id, secret) = rest.split_once(':')?;
    let id: i64 = id.trim().parse().ok()?;
    let secret = secret.trim().to_ascii_uppercase();
    (id > 0 && !secret.is_empty()).then_some((id, secret))
}

/// A new label secret: 8 characters a person can type (no 0/O, 1/I).
pub fn new_secret() -> String {
    const ALPHABET: &[u8] = b"23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
    crate::shared::crypto::random_bytes::<8>()
        .iter()
        .map(|b| ALPHABET[usize::from(*b) % ALPHABET.len()] as char)
        .collect()
}

/// Metres between two points given in micro-degrees (haversine on a 6,371 km sphere).
pub fn distance_m(a: (i64, i64), b: (i64, i64)) -> i64 {
    let to_rad = |micro: i64| (micro as f64 / 1_000_000.0).to_radians();
    let (lat1, lng1, lat2, lng2) = (to_rad(a.0), to_rad(a.1), to_rad(b.0), to_rad(b.1));
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lng2 - lng1) / 2.0).sin().powi(2);
    let d = 2.0 * 6_371_000.0 * h.sqrt().asin();
    d.round() as i64
}

/// A phone clock further than this from the server's is flagged (its times are corrected by
/// the offset either way).
pub const MAX_CLOCK_SKEW_S: i64 = 300;

/// Parses a decimal reading ("0.35", "-2", "1234.5") into thousandths.
pub fn parse_milli(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, digits) = match s.strip_prefix('-') {
        Some(r) => (true, r),
        None => (false, s),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    if int.is_empty() && frac.is_empty() {
        return None;
    }
    if !int.chars().all(|c| c.is_ascii_digit())
        || !frac.chars().all(|c| c.is_ascii_digit())
        || frac.len() > 3
        || int.len() > 12
    {
        return None;
    }
    let int: i64 = if int.is_empty() { 0 } else { int.parse().ok()? };
    let mut f = frac.to_string();
    while f.len() < 3 {
        f.push('0');
    }
    let v = int * 1000 + f.parse::<i64>().ok()?;
    Some(if neg { -v } else { v })
}

/// Thousandths as a short decimal ("0.35", "12").
pub fn milli_text(v: i64) -> String {
    let sign = if v < 0 { "-" } else { "" };
    let a = v.unsigned_abs();
    let (i, f) = (a / 1000, a % 1000);
    if f == 0 {
        format!("{sign}{i}")
    } else {
        let frac = format!("{f:03}");
        format!("{sign}{i}.{}", frac.trim_end_matches('0'))
    }
}

/// Whether a number lies outside its limits (either may be absent).
pub fn out_of_limits(v: i64, min: Option<i64>, max: Option<i64>) -> bool {
    min.is_some_and(|m| v < m) || max.is_some_and(|m| v > m)
}

/// The lines of an options text, trimmed, empty ones dropped.
pub fn option_lines(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests;
