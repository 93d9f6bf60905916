//! Points, methods, states and grades of quality audits, and the pure rules of scoring: an item's
//! deduction, a sheet's score on 100 points, the weighted total, the grade and the team bonus.
//! Points are kept in hundredths (cp): 0.5 point is 50.

use super::error::QualityCode;
use crate::shared::code_enum;
use crate::shared::error::FieldError;

code_enum!(AuditMethod, QualityCode::UnknownMethod, {
    Open = "open", "明查", "Open inspection";
    Covert = "covert", "暗访", "Covert visit";
    Interview = "interview", "岗位询问", "Staff interview";
    ReturnVisit = "return_visit", "客户回访", "Customer call-back";
    Written = "written", "笔试", "Written test";
});

code_enum!(AuditState, QualityCode::UnknownState, {
    Open = "open", "进行中", "Open";
    Signed = "signed", "已签发", "Signed off";
});

code_enum!(Grade, QualityCode::UnknownGrade, {
    Fail = "fail", "不及格", "Fail";
    Good = "good", "良好", "Good";
    Excellent = "excellent", "优秀", "Excellent";
});

code_enum!(RectState, QualityCode::UnknownRectState, {
    Open = "open", "整改中", "Being rectified";
    Submitted = "submitted", "待复查", "Awaiting recheck";
    Passed = "passed", "复查通过", "Passed";
    Kept = "kept", "关闭（扣分保留）", "Closed, deduction kept";
});

code_enum!(RecheckOutcome, QualityCode::UnknownOutcome, {
    Passed = "passed", "复查通过", "Passed";
    Again = "again", "二次整改", "Rectify again";
    Kept = "kept", "关闭（扣分保留）", "Close, deduction kept";
});

/// A rectification's deadline by default, and at most (working days).
pub const RECTIFY_DAYS: u32 = 5;
pub const MAX_RECTIFY_DAYS: i64 = 60;
/// A second rectification is the last round.
pub const MAX_ROUNDS: i64 = 2;
/// Photos the owner may add in a round.
pub const MAX_RECT_PHOTOS: usize = 9;

/// Most items on a sheet, and most elements an item checks.
pub const MAX_ITEMS: usize = 200;
pub const MAX_ELEMENTS: usize = 12;

/// Parses points with at most two decimals ("0.5" → 50).
pub fn parse_points(field: &str, raw: &str) -> Result<i64, FieldError> {
    let bad = || FieldError::new(field, QualityCode::InvalidPoints);
    let s = raw.trim();
    let (whole, frac) = s.split_once('.').unwrap_or((s, ""));
    if whole.is_empty()
        || whole.len() > 4
        || frac.len() > 2
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return Err(bad());
    }
    let w: i64 = whole.parse().map_err(|_| bad())?;
    let f: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    Ok(w * 100 + f)
}

/// "4", "0.5", "96.25": points as a reader writes them.
pub fn points(cp: i64) -> String {
    let sign = if cp < 0 { "-" } else { "" };
    let (w, f) = (cp.abs() / 100, cp.abs() % 100);
    match f {
        0 => format!("{sign}{w}"),
        f if f % 10 == 0 => format!("{sign}{w}.{}", f / 10),
        f => format!("{sign}{w}.{f:02}"),
    }
}

/// `a / b` rounded half up, for non-negative values.
fn div_half_up(a: i64, b: i64) -> i64 {
    (2 * a + b) / (2 * b)
}

/// What an item loses: the deductions of its missing elements, at most its maximum.
pub fn item_deduction(max_cp: i64, deductions: &[i64]) -> i64 {
    deductions.iter().sum::<i64>().min(max_cp)
}

/// A sheet's score on 100 points (cp): what is left of its maximum, as a share of it.
pub fn sheet_score(max_cp: i64, deducted_cp: i64) -> i64 {
    if max_cp <= 0 {
        return 0;
    }
    div_half_up((max_cp - deducted_cp).max(0) * 10_000, max_cp)
}

/// The weighted total (cp) of sheet scores (cp) and their weights (%, summing to 100).
pub fn weighted_total(parts: &[(i64, i64)]) -> i64 {
    div_half_up(parts.iter().map(|(s, w)| s * w).sum(), 100)
}

/// The seed's grade of a total, read on whole points rounded half up: 79 and below fail, 80 to 90
/// good, 91 and above excellent.
pub fn grade(total_cp: i64) -> Grade {
    match div_half_up(total_cp.max(0), 100) {
        ..=79 => Grade::Fail,
        80..=90 => Grade::Good,
        _ => Grade::Excellent,
    }
}

/// 96 points and above earn the team its bonus (团队奖励).
pub fn team_bonus(total_cp: i64) -> bool {
    div_half_up(total_cp.max(0), 100) >= 96
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_parse_and_print_in_hundredths() {
        assert_eq!(parse_points("p", "0.5"), Ok(50));
        assert_eq!(parse_points("p", "2"), Ok(200));
        assert_eq!(parse_points("p", "0.25"), Ok(25));
        assert!(parse_points("p", "0.255").is_err());
        assert!(parse_points("p", "-1").is_err());
        assert!(parse_points("p", "").is_err());
        assert!(parse_points("p", "1.").is_ok());
        assert_eq!(points(50), "0.5");
        assert_eq!(points(9625), "96.25");
        assert_eq!(points(400), "4");
    }

    #[test]
    fn a_sheet_scores_what_is_left_of_its_maximum_on_100() {
        // 客户服务 (100 points) less 0.5 + 2 + 1.5: 96.
        assert_eq!(sheet_score(10_000, 400), 9_600);
        // The facility sheet as the seed gives it (20 points) less 1.2: 94.
        assert_eq!(sheet_score(2_000, 120), 9_400);
        // 20 points less 0.3: 98.5; less 0.33: 98.35.
        assert_eq!(sheet_score(2_000, 30), 9_850);
        assert_eq!(sheet_score(2_000, 33), 9_835);
        // An item loses at most its maximum.
        assert_eq!(item_deduction(500, &[200, 200, 200]), 500);
        assert_eq!(item_deduction(500, &[50, 0, 150]), 200);
    }

    #[test]
    fn the_weighted_total_is_graded_by_the_seeds_bands() {
        // 96 × 25 % + 90 × 75 % = 24 + 67.5 = 91.5.
        assert_eq!(weighted_total(&[(9_600, 25), (9_000, 75)]), 9_150);
        // 98.35 × 25 % + 94 × 75 % = 24.5875 + 70.5 = 95.0875 → 95.09.
        assert_eq!(weighted_total(&[(9_835, 25), (9_400, 75)]), 9_509);
        assert_eq!(grade(7_949), Grade::Fail);
        assert_eq!(grade(7_950), Grade::Good);
        assert_eq!(grade(9_049), Grade::Good);
        assert_eq!(grade(9_050), Grade::Excellent);
        assert_eq!(grade(10_000), Grade::Excellent);
        assert!(!team_bonus(9_549));
        assert!(team_bonus(9_550));
    }
}
