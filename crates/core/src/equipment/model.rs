//! The rules of equipment, maintenance and machine rooms, with no I/O: the systems and states of
//! an item, the frequencies of a plan and **when its next order is due** (every N days, weeks or
//! months, or on given months, counted from the schedule or from the last completion; month ends
//! clamp: Jan 31 + 1 month is Feb 28), when an order is overdue, when a warranty is near its
//! end, the parsing of readings (exact thousandths) and of a room log's `name=value[min,max]`
//! lines, and the manuals' default plans (seed 002) a community adopts in one step.

use chrono::{Datelike, Duration, Months, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::EquipmentCode;
use crate::shared::code_enum;
use crate::shared::error::{CommonCode, FieldError};

code_enum!(System, EquipmentCode::UnknownSystem, {
    Power = "power", "供配电", "Power supply";
    Generator = "generator", "备用发电机", "Standby generator";
    WeakCurrent = "weak_current", "弱电", "Weak current";
    Cctv = "cctv", "监控", "CCTV";
    Elevator = "elevator", "电梯", "Elevators";
    Water = "water", "给排水/二次供水", "Water supply and drainage";
    Fire = "fire", "消防", "Fire protection";
    Lighting = "lighting", "照明", "Lighting";
    Lightning = "lightning", "避雷", "Lightning protection";
    CommonParts = "common_parts", "共用部位", "Common parts";
    Other = "other", "其他", "Other";
});

code_enum!(Status, EquipmentCode::UnknownStatus, {
    InService = "in_service", "正常运行", "In service";
    Abnormal = "abnormal", "运行异常", "Abnormal";
    UnderRepair = "under_repair", "维修中", "Under repair";
    Retired = "retired", "已报废", "Retired";
});

impl Status {
    /// Whether the handover and the overview call attention to it.
    pub fn needs_attention(self) -> bool {
        matches!(self, Status::Abnormal | Status::UnderRepair)
    }
}

code_enum!(Frequency, EquipmentCode::UnknownFrequency, {
    Days = "days", "每 N 天", "Every N days";
    Weeks = "weeks", "每 N 周", "Every N weeks";
    Months = "months", "每 N 个月", "Every N months";
    OnMonths = "on_months", "每年指定月份", "On given months";
    Meter = "meter", "按读数（运行小时等）", "By meter reading";
});

code_enum!(Anchor, EquipmentCode::UnknownAnchor, {
    Schedule = "schedule", "按计划日期顺延", "From the scheduled date";
    Completion = "completion", "按上次完成日期起算", "From the last completion";
});

code_enum!(Performer, EquipmentCode::UnknownPerformer, {
    Staff = "staff", "本公司人员", "Our staff";
    Contractor = "contractor", "外包维保单位", "Contractor";
});

code_enum!(OrderState, EquipmentCode::UnknownOrderState, {
    Open = "open", "待保养", "Open";
    Done = "done", "待验收", "Done, to accept";
    Accepted = "accepted", "已验收", "Accepted";
});

code_enum!(RoomKind, EquipmentCode::UnknownRoomKind, {
    Power = "power", "配电房", "Power room";
    Pump = "pump", "水泵房", "Pump room";
    Generator = "generator", "发电机房", "Generator room";
    FireControl = "fire_control", "消防控制室", "Fire control room";
    Monitoring = "monitoring", "监控室", "Monitoring room";
    Elevator = "elevator", "电梯机房", "Elevator machine room";
    Other = "other", "其他机房", "Other";
});

/// A CCTV system keeping fewer days of footage than this is flagged (监控录像资料保存期限至少7天,
/// seed 001's audit sheet).
pub const MIN_RETENTION_DAYS: i64 = 7;
/// A warranty ending within this many days is shown as ending soon.
pub const WARRANTY_SOON_DAYS: i64 = 30;
/// How many days ahead plans make their orders unless a plan says otherwise.
pub const DEFAULT_LEAD_DAYS: i64 = 7;
/// A meter order is due this many days after the reading that crossed the threshold.
pub const METER_ORDER_DAYS: i64 = 7;
pub const MAX_NAME: usize = 100;
pub const MAX_TEXT: usize = 2000;
pub const MAX_CHECKLIST: usize = 50;

/// When and how often a plan's orders fall due (not for meter plans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub frequency: Frequency,
    /// N of every N days/weeks/months.
    pub every: u32,
    /// The months of `OnMonths` (1–12, sorted).
    pub months: Vec<u32>,
    /// The day in those months (clamped to the month's end).
    pub day: u32,
    pub anchor: Anchor,
    /// The first scheduled date.
    pub start_on: NaiveDate,
}

/// The latest order of a plan: its due date and, once done, the day it was done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LastOrder {
    pub due_on: NaiveDate,
    pub done_on: Option<NaiveDate>,
}

/// `d` plus `n` months, on `day` of that month or its last day (Jan 31 + 1 month = Feb 28, or
/// 29 in a leap year).
pub fn add_months(d: NaiveDate, n: u32, day: u32) -> NaiveDate {
    let first = NaiveDate::from_ymd_opt(d.year(), d.month(), 1).unwrap_or(d);
    let target = first.checked_add_months(Months::new(n)).unwrap_or(first);
    on_day(target.year(), target.month(), day)
}

/// `day` of a month, or the month's last day when it has fewer.
pub fn on_day(year: i32, month: u32, day: u32) -> NaiveDate {
    let mut d = day.clamp(1, 31);
    loop {
        if let Some(x) = NaiveDate::from_ymd_opt(year, month, d) {
            return x;
        }
        d -= 1;
    }
}

/// The first date of the given months (on `day`) on or after `from`.
fn on_months_from(months: &[u32], day: u32, from: NaiveDate) -> Option<NaiveDate> {
    (0..3).find_map(|dy| {
        months
            .iter()
            .map(|m| on_day(from.year() + dy, *m, day))
            .filter(|d| *d >= from)
            .min()
    })
}

/// The `k`-th date of the series counted from the start (k = 0 is the start itself). Months are
/// counted from the start each time, so a series from Jan 31 is Feb 28, Mar 31, Apr 30.
fn series(s: &Schedule, k: u32) -> NaiveDate {
    let n = s.every.max(1);
    match s.frequency {
        Frequency::Days => s.start_on + Duration::days(i64::from(k) * i64::from(n)),
        Frequency::Weeks => s.start_on + Duration::days(i64::from(k) * i64::from(n) * 7),
        _ => add_months(s.start_on, k * n, s.start_on.day()),
    }
}

/// The step after a completion on `done`: N days, weeks or months (clamped) later.
fn after(s: &Schedule, done: NaiveDate) -> NaiveDate {
    let n = s.every.max(1);
    match s.frequency {
        Frequency::Days => done + Duration::days(i64::from(n)),
        Frequency::Weeks => done + Duration::days(i64::from(n) * 7),
        _ => add_months(done, n, done.day()),
    }
}

/// The due date of a plan's next order, given its latest order (`None`: it has none yet).
///
/// - The first order is due on the start date (for given months: their first date on or after
///   it).
/// - **From the schedule**: the next date of the series after the latest order's due date,
///   whether or not that order was done (a late order does not move the plan).
/// - **From the last completion**: N days/weeks/months after the day the latest order was done;
///   for given months, their first date after that day. While the latest order is not done there
///   is no next one (`None`).
/// - Meter plans have no calendar (`None`).
pub fn next_due(s: &Schedule, last: Option<LastOrder>) -> Option<NaiveDate> {
    if s.frequency == Frequency::Meter {
        return None;
    }
    let Some(last) = last else {
        return match s.frequency {
            Frequency::OnMonths => on_months_from(&s.months, s.day, s.start_on),
            _ => Some(s.start_on),
        };
    };
    match (s.anchor, s.frequency) {
        (Anchor::Completion, Frequency::OnMonths) => {
            on_months_from(&s.months, s.day, last.done_on? + Duration::days(1))
        }
        (Anchor::Completion, _) => Some(after(s, last.done_on?)),
        (Anchor::Schedule, Frequency::OnMonths) => {
            on_months_from(&s.months, s.day, last.due_on + Duration::days(1))
        }
        (Anchor::Schedule, _) => {
            // Count from the start: a first guess from the gap, then step to the first date
            // after the latest due date.
            let gap = (last.due_on - s.start_on).num_days().max(0);
            let n = i64::from(s.every.max(1));
            let mut k = match s.frequency {
                Frequency::Days => gap / n,
                Frequency::Weeks => gap / (7 * n),
                _ => gap / (31 * n),
            } as u32;
            while series(s, k) <= last.due_on {
                k += 1;
            }
            Some(series(s, k))
        }
    }
}

/// An order not done by its due date is overdue from the next day on.
pub fn is_overdue(state: OrderState, due_on: NaiveDate, today: NaiveDate) -> bool {
    state == OrderState::Open && due_on < today
}

/// A warranty still running that ends within [`WARRANTY_SOON_DAYS`].
pub fn warranty_soon(until: Option<NaiveDate>, today: NaiveDate) -> bool {
    until.is_some_and(|u| u >= today && u <= today + Duration::days(WARRANTY_SOON_DAYS))
}

/// A CCTV system keeping too few days of footage.
pub fn retention_too_short(days: i64) -> bool {
    days < MIN_RETENTION_DAYS
}

/// A reading as entered (`1234.5`) in exact thousandths.
pub fn parse_value(field: &str, raw: &str) -> Result<i64, FieldError> {
    let s = raw.trim();
    if s.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    let (neg, body) = match s.strip_prefix('-') {
        Some(b) => (true, b),
        None => (false, s),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    if !digits(int) || (!frac.is_empty() && !digits(frac)) || body.ends_with('.') {
        return Err(FieldError::new(field, CommonCode::NotANumber));
    }
    if frac.len() > 3 {
        return Err(FieldError::new(field, CommonCode::TooManyDecimals).with("max", 3));
    }
    if int.len() > 12 {
        return Err(FieldError::new(field, CommonCode::TooLarge));
    }
    let i: i64 = int
        .parse()
        .map_err(|_| FieldError::new(field, CommonCode::NotANumber))?;
    let f: i64 = format!("{frac:0<3}")
        .parse()
        .map_err(|_| FieldError::new(field, CommonCode::NotANumber))?;
    let v = i * 1000 + f;
    Ok(if neg { -v } else { v })
}

/// A value in thousandths as people write it (`1234.5`, `12`).
pub fn show_value(milli: i64) -> String {
    let sign = if milli < 0 { "-" } else { "" };
    let a = milli.unsigned_abs();
    let (i, f) = (a / 1000, a % 1000);
    if f == 0 {
        format!("{sign}{i}")
    } else {
        let frac = format!("{f:03}");
        format!("{sign}{i}.{}", frac.trim_end_matches('0'))
    }
}

/// A float reading (from a patrol's form) in thousandths, rounded.
pub fn milli_of(v: f64) -> Option<i64> {
    (v.is_finite() && v.abs() < 1e12).then(|| (v * 1000.0).round() as i64)
}

/// One reading of a room log: a name, a value and its optional limits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct LogReading {
    pub key: String,
    pub value_milli: i64,
    pub min_milli: Option<i64>,
    pub max_milli: Option<i64>,
}

impl LogReading {
    /// Outside its limits.
    pub fn out_of_range(&self) -> bool {
        self.min_milli.is_some_and(|m| self.value_milli < m)
            || self.max_milli.is_some_and(|m| self.value_milli > m)
    }
    /// `name=value[min,max]`, as it is entered.
    pub fn show(&self) -> String {
        let mut s = format!("{}={}", self.key, show_value(self.value_milli));
        if self.min_milli.is_some() || self.max_milli.is_some() {
            s.push_str(&format!(
                "[{},{}]",
                self.min_milli.map(show_value).unwrap_or_default(),
                self.max_milli.map(show_value).unwrap_or_default()
            ));
        }
        s
    }
}

/// A room log's readings, one per line: `电压=380` or `电压=380[360,400]` (either limit may be
/// left out: `水压=0.2[0.15,]`). Each bad line is named by its number.
pub fn parse_log_readings(raw: &str) -> Result<Vec<LogReading>, Vec<FieldError>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    for (i, line) in raw.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        let bad = || FieldError::new("readings", EquipmentCode::ReadingFormat).with("line", i + 1);
        let Some((key, rest)) = line.split_once(['=', '：', ':']) else {
            errs.push(bad());
            continue;
        };
        let key = key.trim();
        let (value, limits) = match rest.split_once('[') {
            Some((v, l)) => (v, Some(l.trim_end_matches(']'))),
            None => (rest, None),
        };
        let Ok(value_milli) = parse_value("readings", value) else {
            errs.push(bad());
            continue;
        };
        let (mut min_milli, mut max_milli) = (None, None);
        if let Some(l) = limits {
            let Some((lo, hi)) = l.split_once(',') else {
                errs.push(bad());
                continue;
            };
            let lim = |t: &str| {
                let t = t.trim();
                if t.is_empty() {
                    Ok(None)
                } else {
                    parse_value("readings", t).map(Some)
                }
            };
            match (lim(lo), lim(hi)) {
                (Ok(a), Ok(b)) => (min_milli, max_milli) = (a, b),
                _ => {
                    errs.push(bad());
                    continue;
                }
            }
        }
        if key.is_empty() || key.chars().count() > 30 {
            errs.push(bad());
            continue;
        }
        out.push(LogReading {
            key: key.to_string(),
            value_milli,
            min_milli,
            max_milli,
        });
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// The months of "on given months" as entered (`3,9` or `3、9`), sorted, each 1–12.
pub fn parse_months(raw: &str) -> Result<Vec<u32>, FieldError> {
    let mut v = Vec::new();
    for p in raw
        .split([',', '，', '、', ' '])
        .filter(|p| !p.trim().is_empty())
    {
        let m: u32 = p
            .trim()
            .parse()
            .map_err(|_| FieldError::new("months", EquipmentCode::MonthRange))?;
        if !(1..=12).contains(&m) {
            return Err(FieldError::new("months", EquipmentCode::MonthRange));
        }
        v.push(m);
    }
    if v.is_empty() {
        return Err(FieldError::new("months", CommonCode::Required));
    }
    v.sort_unstable();
    v.dedup();
    Ok(v)
}

/// Lines of a text area: trimmed, blank ones dropped.
pub fn lines(raw: &str) -> Vec<String> {
    raw.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
        .collect()
}

/// One default plan of the manuals (seed 002 服务管理方案 / 房屋维修管理). Adopted, it becomes a
/// plan of the whole system in the community (no item of its own): its orders go to whoever
/// looks after that system.
#[derive(Debug, Clone, Copy)]
pub struct DefaultPlan {
    pub key: &'static str,
    pub system: System,
    pub title: &'static str,
    pub frequency: Frequency,
    pub every: u32,
    pub months: &'static [u32],
    pub day: u32,
    pub checklist: &'static [&'static str],
    pub required_attachments: &'static [&'static str],
    pub performer: Performer,
}

/// The defaults of the manuals: 二次供水每年两次清洗水池并索取检测报告; 排水（污）每月排查; 每年一次
/// 化粪池清掏; 消防设备每月巡查、每年全面检测; 发电机按规定周期试运行; 每年一次共用部位及共用设施设备安全普查.
pub const DEFAULT_PLANS: &[DefaultPlan] = &[
    DefaultPlan {
        key: "water_tank_cleaning",
        system: System::Water,
        title: "二次供水水池（箱）清洗消毒",
        frequency: Frequency::OnMonths,
        every: 1,
        months: &[4, 10],
        day: 15,
        checklist: &[
            "停水通知已张贴",
            "水池（箱）清洗、消毒",
            "水质取样送检",
            "人孔加锁",
        ],
        required_attachments: &["水质检测报告"],
        performer: Performer::Contractor,
    },
    DefaultPlan {
        key: "drainage_monthly",
        system: System::Water,
        title: "排水（污）管道月度排查",
        frequency: Frequency::Months,
        every: 1,
        months: &[],
        day: 1,
        checklist: &[
            "进口无堵塞",
            "井盖贴合严密",
            "管道标识清晰",
            "无滴漏、无松脱",
        ],
        required_attachments: &[],
        performer: Performer::Staff,
    },
    DefaultPlan {
        key: "septic_tank_yearly",
        system: System::Water,
        title: "化粪池清掏",
        frequency: Frequency::Months,
        every: 12,
        months: &[],
        day: 1,
        checklist: &["清掏完成", "井盖复位", "现场清洁"],
        required_attachments: &[],
        performer: Performer::Contractor,
    },
    DefaultPlan {
        key: "fire_monthly",
        system: System::Fire,
        title: "消防设施月度巡查",
        frequency: Frequency::Months,
        every: 1,
        months: &[],
        day: 1,
        checklist: &[
            "灭火器压力正常、在有效期内",
            "消火栓箱配件齐全",
            "应急照明、疏散指示正常",
            "消防通道畅通",
        ],
        required_attachments: &[],
        performer: Performer::Staff,
    },
    DefaultPlan {
        key: "fire_yearly_test",
        system: System::Fire,
        title: "消防设施年度全面检测",
        frequency: Frequency::Months,
        every: 12,
        months: &[],
        day: 1,
        checklist: &[
            "火灾自动报警系统联动测试",
            "喷淋系统测试",
            "防排烟系统测试",
            "消防泵启动测试",
        ],
        required_attachments: &["消防检测报告"],
        performer: Performer::Contractor,
    },
    DefaultPlan {
        key: "generator_test_run",
        system: System::Generator,
        title: "备用发电机试运行",
        frequency: Frequency::Months,
        every: 1,
        months: &[],
        day: 1,
        checklist: &[
            "蓄电池电压正常",
            "油位、水位正常",
            "空载试运行 15 分钟",
            "无跑冒滴漏",
            "运行记录已填写",
        ],
        required_attachments: &[],
        performer: Performer::Staff,
    },
    DefaultPlan {
        key: "common_parts_survey",
        system: System::CommonParts,
        title: "共用部位及共用设施设备年度安全普查",
        frequency: Frequency::Months,
        every: 12,
        months: &[],
        day: 1,
        checklist: &[
            "房屋共用部位检查",
            "共用设施设备检查",
            "制订维修和管理计划",
            "上报委托方",
        ],
        required_attachments: &["安全普查报告"],
        performer: Performer::Staff,
    },
];

/// Checks a text field: required or not, at most `max` characters.
pub fn text(
    field: &str,
    raw: Option<&str>,
    required: bool,
    max: usize,
) -> Result<Option<String>, FieldError> {
    let t = raw.map(str::trim).filter(|t| !t.is_empty());
    match t {
        None if required => Err(FieldError::new(field, CommonCode::Required)),
        None => Ok(None),
        Some(t) if t.chars().count() > max => {
            Err(FieldError::new(field, CommonCode::TooLong).with("max", max))
        }
        Some(t) => Ok(Some(t.to_string())),
    }
}

/// A date as entered (`2026-03-01`); empty is none.
pub fn date(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, FieldError> {
    match raw.map(str::trim).filter(|t| !t.is_empty()) {
        None => Ok(None),
        Some(t) => NaiveDate::parse_from_str(t, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(field, CommonCode::InvalidDate)),
    }
}

#[cfg(test)]
mod tests;
