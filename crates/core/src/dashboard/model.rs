//! The dashboard's figures and the pure rules that add them up: a community's months as stored,
//! the rates a view shows (on time, satisfaction, collection, rounds walked, maintenance on time)
//! and the months a view covers.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::shared::ids::*;

/// How many months each community's stored figures reach back (the current one included).
pub const STORED_MONTHS: u32 = 24;
/// The longest view.
pub const MAX_MONTHS: u32 = 12;

/// One month of a community (or of several added up): requests registered in it and their
/// clocks, the bills of its period, the rounds and maintenance orders due in it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema, sqlx::FromRow)]
pub struct MonthFigures {
    /// `2026-12`.
    pub period: String,
    pub requests: i64,
    /// Done or closed.
    pub resolved: i64,
    pub complaints: i64,
    pub rated: i64,
    /// The ratings (1–5) added up.
    pub rating_sum: i64,
    /// Clocks met on time, met late, and unmet past due.
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    /// What the period's bills billed and collected (fen).
    pub billed_fen: i64,
    pub collected_fen: i64,
    /// Patrol rounds whose window ended, and of them walked to the end.
    pub rounds: i64,
    pub rounds_done: i64,
    /// Maintenance orders due, and of them done by their due day.
    pub maintenance_due: i64,
    pub maintenance_on_time: i64,
}

impl MonthFigures {
    pub fn empty(period: &str) -> Self {
        MonthFigures {
            period: period.to_string(),
            ..MonthFigures::default()
        }
    }

    pub fn add(&mut self, o: &MonthFigures) {
        self.requests += o.requests;
        self.resolved += o.resolved;
        self.complaints += o.complaints;
        self.rated += o.rated;
        self.rating_sum += o.rating_sum;
        self.on_time += o.on_time;
        self.late += o.late;
        self.overdue += o.overdue;
        self.billed_fen += o.billed_fen;
        self.collected_fen += o.collected_fen;
        self.rounds += o.rounds;
        self.rounds_done += o.rounds_done;
        self.maintenance_due += o.maintenance_due;
        self.maintenance_on_time += o.maintenance_on_time;
    }

    pub fn rates(&self) -> DashboardRates {
        DashboardRates {
            on_time_rate: ratio(self.on_time, self.on_time + self.late + self.overdue),
            satisfaction: (self.rated > 0)
                .then(|| (self.rating_sum as f64 / self.rated as f64 * 100.0).round() / 100.0),
            resolution_rate: ratio(self.resolved, self.requests),
            complaint_rate: ratio(self.complaints, self.requests),
            collection_rate: ratio(self.collected_fen, self.billed_fen),
            round_rate: ratio(self.rounds_done, self.rounds),
            maintenance_rate: ratio(self.maintenance_on_time, self.maintenance_due),
        }
    }
}

/// The rates of some figures, 0–1 with four decimals (satisfaction: the mean rating 1–5 with
/// two); none when nothing counted.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct DashboardRates {
    /// Clocks met on time of those met or past due.
    pub on_time_rate: Option<f64>,
    pub satisfaction: Option<f64>,
    pub resolution_rate: Option<f64>,
    /// Complaints of the requests registered.
    pub complaint_rate: Option<f64>,
    /// Collected of what the bills billed (收缴率).
    pub collection_rate: Option<f64>,
    /// Rounds walked to the end of those due (巡检完成率).
    pub round_rate: Option<f64>,
    /// Maintenance orders done by their due day of those due.
    pub maintenance_rate: Option<f64>,
}

pub fn ratio(a: i64, b: i64) -> Option<f64> {
    (b > 0).then(|| (a as f64 / b as f64 * 10_000.0).round() / 10_000.0)
}

/// What is overdue by age as of the figures' day (fen), and on how many units.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ArrearsAgeing {
    pub units: i64,
    pub d0_30_fen: i64,
    pub d31_90_fen: i64,
    pub d91_180_fen: i64,
    pub over_180_fen: i64,
}

impl ArrearsAgeing {
    pub fn total_fen(&self) -> i64 {
        self.d0_30_fen + self.d31_90_fen + self.d91_180_fen + self.over_180_fen
    }

    pub fn add(&mut self, o: &ArrearsAgeing) {
        self.units += o.units;
        self.d0_30_fen += o.d0_30_fen;
        self.d31_90_fen += o.d31_90_fen;
        self.d91_180_fen += o.d91_180_fen;
        self.over_180_fen += o.over_180_fen;
    }
}

/// A community's latest signed audit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct AuditGrade {
    pub audit_id: AuditId,
    pub number: String,
    /// The weighted total in hundredths of a point.
    pub total_cp: i64,
    /// `excellent`, `good` or `fail`.
    pub grade: String,
    pub signed_at: DateTime<Utc>,
}

/// What is stored of a community: its months (oldest first, [`STORED_MONTHS`] of them up to the
/// local current month) and where it stands on the day they were computed.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CommunityFigures {
    pub months: Vec<MonthFigures>,
    pub arrears: ArrearsAgeing,
    pub maintenance_overdue: i64,
    /// Rectifications not yet closed, and of them past their deadline.
    pub rect_open: i64,
    pub rect_overdue: i64,
    pub audit: Option<AuditGrade>,
}

/// The first day of the month `back` months before `d`'s.
pub fn month_start(d: NaiveDate, back: u32) -> NaiveDate {
    let m0 = d.year() * 12 + d.month0() as i32 - back as i32;
    NaiveDate::from_ymd_opt(m0.div_euclid(12), m0.rem_euclid(12) as u32 + 1, 1).unwrap_or(d)
}

/// `2026-12` of a day (or of a `2026-12-07` key).
pub fn period_of(day: &str) -> &str {
    day.get(..7).unwrap_or(day)
}

/// The periods `to` and the `months - 1` before it, oldest first.
pub fn periods(to: NaiveDate, months: u32) -> Vec<String> {
    (0..months)
        .rev()
        .map(|b| month_start(to, b).format("%Y-%m").to_string())
        .collect()
}

/// Adds up the stored months of `periods` (missing ones count as nothing).
pub fn window(stored: &[MonthFigures], periods: &[String]) -> Vec<MonthFigures> {
    periods
        .iter()
        .map(|p| {
            stored
                .iter()
                .find(|m| &m.period == p)
                .cloned()
                .unwrap_or_else(|| MonthFigures::empty(p))
        })
        .collect()
}

/// All the months of a window as one.
pub fn total(months: &[MonthFigures]) -> MonthFigures {
    let mut t = MonthFigures::empty("");
    for m in months {
        t.add(m);
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_run_back_over_the_year_end() {
        let d = NaiveDate::from_ymd_opt(2026, 2, 14).unwrap();
        assert_eq!(periods(d, 4), ["2025-11", "2025-12", "2026-01", "2026-02"]);
        assert_eq!(periods(d, 1), ["2026-02"]);
        assert_eq!(period_of("2026-02-14"), "2026-02");
    }

    #[test]
    fn rates_count_what_counted_and_none_when_nothing_did() {
        let m = MonthFigures {
            period: "2026-11".into(),
            requests: 8,
            resolved: 6,
            complaints: 1,
            rated: 3,
            rating_sum: 13,
            on_time: 7,
            late: 2,
            overdue: 1,
            billed_fen: 300_000,
            collected_fen: 270_050,
            rounds: 40,
            rounds_done: 37,
            maintenance_due: 0,
            maintenance_on_time: 0,
        };
        let r = m.rates();
        assert_eq!(r.on_time_rate, Some(0.7));
        assert_eq!(r.satisfaction, Some(4.33));
        assert_eq!(r.resolution_rate, Some(0.75));
        assert_eq!(r.complaint_rate, Some(0.125));
        assert_eq!(r.collection_rate, Some(0.9002));
        assert_eq!(r.round_rate, Some(0.925));
        assert_eq!(r.maintenance_rate, None);
    }

    #[test]
    fn a_window_adds_up_its_months_and_fills_the_missing_ones() {
        let a = MonthFigures {
            period: "2026-10".into(),
            requests: 2,
            billed_fen: 100,
            collected_fen: 50,
            ..MonthFigures::default()
        };
        let b = MonthFigures {
            period: "2026-12".into(),
            requests: 3,
            billed_fen: 100,
            collected_fen: 100,
            ..MonthFigures::default()
        };
        let ps = periods(NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(), 3);
        let w = window(&[a, b], &ps);
        assert_eq!(w.len(), 3);
        assert_eq!(w[1], MonthFigures::empty("2026-11"));
        let t = total(&w);
        assert_eq!((t.requests, t.billed_fen, t.collected_fen), (5, 200, 150));
        assert_eq!(t.rates().collection_rate, Some(0.75));
    }
}
