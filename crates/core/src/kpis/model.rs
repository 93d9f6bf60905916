//! The indicator library (考核关键指标库) the system measures by itself, each indicator's unit and
//! direction, how an actual figure attains its target, and the built-in scorecards per role.

use serde::Serialize;
use utoipa::ToSchema;

use super::error::KpiCode;
use crate::shared::code_enum;

code_enum!(Indicator, KpiCode::UnknownIndicator, {
    CallsAnswered = "calls_answered", "热线接听量", "Calls answered";
    Registered = "registered", "受理登记量", "Requests registered";
    Resolved = "resolved", "办结量", "Work orders resolved";
    ResolutionRate = "resolution_rate", "解决率", "Resolution rate";
    OnTimeRate = "on_time_rate", "及时率", "On-time rate";
    FirstTimeFix = "first_time_fix_rate", "一次修复率", "First-time fix rate";
    ComplaintRate = "complaint_rate", "投诉率", "Complaint rate";
    Satisfaction = "satisfaction", "满意度", "Satisfaction";
    PatrolRate = "patrol_rate", "巡检完成率", "Patrol rounds walked";
    MaintenanceRate = "maintenance_rate", "保养准时率", "Maintenance on time";
});

/// How an indicator's figures read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Count,
    /// 0–1, typed and shown as a percentage.
    Rate,
    /// A mean rating 1–5.
    Rating,
}

impl Indicator {
    pub fn unit(self) -> Unit {
        match self {
            Indicator::CallsAnswered | Indicator::Registered | Indicator::Resolved => Unit::Count,
            Indicator::Satisfaction => Unit::Rating,
            _ => Unit::Rate,
        }
    }

    /// Lower is better (the complaint rate).
    pub fn lower_is_better(self) -> bool {
        self == Indicator::ComplaintRate
    }
}

/// How far an actual figure reaches its target, 0–1: higher-is-better figures as actual ÷ target,
/// lower-is-better ones in full at or below the target and as target ÷ actual above it.
pub fn attainment(i: Indicator, actual: f64, target: f64) -> f64 {
    if target <= 0.0 {
        return 0.0;
    }
    let a = if i.lower_is_better() {
        if actual <= target {
            1.0
        } else {
            target / actual
        }
    } else {
        actual / target
    };
    a.clamp(0.0, 1.0)
}

/// One line of a scorecard as shown: the indicator, its weight, its target and what the person
/// did.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ScoreLine {
    pub indicator: Indicator,
    pub weight_pct: i64,
    /// In the indicator's unit: a count, a rate 0–1, a mean rating.
    pub target: f64,
    pub actual: Option<f64>,
    /// 0–1; none when nothing was measured.
    pub attainment: Option<f64>,
}

/// A card's score 0–100: the weighted attainment over the lines measured, so a person is not
/// marked down for what he had nothing of; none when no line was measured.
pub fn score(lines: &[ScoreLine]) -> Option<f64> {
    let (w, s) = lines
        .iter()
        .filter_map(|l| l.attainment.map(|a| (l.weight_pct as f64, a)))
        .fold((0.0, 0.0), |(w, s), (lw, a)| (w + lw, s + lw * a));
    (w > 0.0).then(|| (s / w * 10_000.0).round() / 100.0)
}

/// A built-in card's line: the indicator, its weight (%) and its target in the indicator's unit.
pub type DefaultLine = (Indicator, i64, f64);

/// The built-in cards, by role.
pub const DEFAULT_CARDS: &[(&str, &[DefaultLine])] = &[
    (
        "service_agent",
        &[
            (Indicator::CallsAnswered, 20, 300.0),
            (Indicator::Registered, 20, 150.0),
            (Indicator::Satisfaction, 30, 4.5),
            (Indicator::ComplaintRate, 30, 0.02),
        ],
    ),
    (
        "technician",
        &[
            (Indicator::Resolved, 20, 60.0),
            (Indicator::OnTimeRate, 30, 0.95),
            (Indicator::FirstTimeFix, 20, 0.9),
            (Indicator::Satisfaction, 20, 4.5),
            (Indicator::MaintenanceRate, 10, 0.95),
        ],
    ),
    ("security", &[(Indicator::PatrolRate, 100, 0.98)]),
    (
        "cleaning",
        &[
            (Indicator::PatrolRate, 50, 0.98),
            (Indicator::ResolutionRate, 50, 0.95),
        ],
    ),
    (
        "project_manager",
        &[
            (Indicator::ResolutionRate, 30, 0.95),
            (Indicator::OnTimeRate, 30, 0.95),
            (Indicator::Satisfaction, 40, 4.5),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn line(i: Indicator, w: i64, target: f64, actual: Option<f64>) -> ScoreLine {
        ScoreLine {
            indicator: i,
            weight_pct: w,
            target,
            actual,
            attainment: actual.map(|a| attainment(i, a, target)),
        }
    }

    #[test]
    fn attainment_caps_at_the_target_and_reads_complaints_the_other_way() {
        assert_eq!(attainment(Indicator::Resolved, 30.0, 60.0), 0.5);
        assert_eq!(attainment(Indicator::Resolved, 90.0, 60.0), 1.0);
        assert_eq!(attainment(Indicator::ComplaintRate, 0.01, 0.02), 1.0);
        assert_eq!(attainment(Indicator::ComplaintRate, 0.04, 0.02), 0.5);
        assert_eq!(attainment(Indicator::ComplaintRate, 0.0, 0.02), 1.0);
    }

    #[test]
    fn a_score_weighs_the_lines_measured_only() {
        let lines = [
            line(Indicator::Resolved, 20, 60.0, Some(45.0)),
            line(Indicator::OnTimeRate, 30, 0.95, Some(0.95)),
            line(Indicator::Satisfaction, 50, 4.5, None),
        ];
        // (20 × 0.75 + 30 × 1) ÷ 50 = 90.
        assert_eq!(score(&lines), Some(90.0));
        assert_eq!(score(&lines[2..]), None);
    }

    #[test]
    fn the_built_in_cards_weigh_100_each() {
        for (role, lines) in DEFAULT_CARDS {
            assert_eq!(lines.iter().map(|l| l.1).sum::<i64>(), 100, "{role}");
        }
    }
}
