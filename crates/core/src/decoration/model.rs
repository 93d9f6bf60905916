//! The decoration's states and kinds, and its money as pure rules: the management fee from the
//! unit's building area, and what a deposit pays back after its documented deductions.

use chrono::NaiveDate;

use super::error::DecorationCode;
use crate::shared::code_enum;

code_enum!(DecorationState, DecorationCode::UnknownState, {
    Applied = "applied", "待审批", "Awaiting approval";
    Approved = "approved", "已批准待缴费", "Approved, money due";
    Refused = "refused", "未批准", "Refused";
    Cancelled = "cancelled", "已撤销", "Cancelled";
    Working = "working", "施工中", "Works under way";
    Accepted = "accepted", "已验收", "Accepted";
    Closed = "closed", "押金已结清", "Deposit settled";
});

code_enum!(ViolationKind, DecorationCode::UnknownViolationKind, {
    OutsideHours = "outside_hours", "非规定时间施工", "Working outside the allowed hours";
    LoadBearing = "load_bearing", "拆改承重结构", "Altering load-bearing structure";
    Facade = "facade", "改变外立面或门窗", "Changing the facade or windows";
    Waterproofing = "waterproofing", "破坏防水层", "Damaging the waterproofing";
    SharedPipes = "shared_pipes", "改动公共管线", "Altering shared pipes or wiring";
    Rubbish = "rubbish", "装修垃圾乱堆放", "Rubbish left in common areas";
    FireSafety = "fire_safety", "违反消防安全规定", "Breaking fire-safety rules";
    NoPass = "no_pass", "施工人员未办证", "Workers without passes";
    Other = "other", "其他", "Other";
});

code_enum!(InspectionKind, DecorationCode::UnknownInspectionKind, {
    Routine = "routine", "日常巡查", "Site inspection";
    Acceptance = "acceptance", "竣工验收", "Completion acceptance";
});

code_enum!(FileLabel, DecorationCode::UnknownFileLabel, {
    Drawing = "drawing", "施工图纸", "Drawing";
    FireLetter = "fire_letter", "防火责任书", "Fire-safety letter";
    Licence = "licence", "施工单位资质", "Contractor's licence";
    Photo = "photo", "现场照片", "Site photo";
    Other = "other", "其他", "Other";
});

impl DecorationState {
    /// Applied or under way: the unit has no second one.
    pub fn is_live(self) -> bool {
        matches!(self, Self::Applied | Self::Approved | Self::Working)
    }
}

/// The management fee (装修管理费): the building area (hundredths of m²) × the fee per m² (fen),
/// rounded half up to the fen.
pub fn management_fee(area_centi_m2: i64, per_m2_fen: i64) -> i64 {
    let raw = i128::from(area_centi_m2) * i128::from(per_m2_fen);
    ((raw + 50) / 100) as i64
}

/// What a deposit pays back after its deductions: `(deducted, refunded)`; `Err(held)` when the
/// deductions exceed it.
pub fn refund_after(deposit_fen: i64, deductions: &[i64]) -> Result<(i64, i64), i64> {
    let deducted: i64 = deductions.iter().sum();
    if deducted > deposit_fen || deductions.iter().any(|d| *d < 0) {
        return Err(deposit_fen);
    }
    Ok((deducted, deposit_fen - deducted))
}

/// Days the works last, both ends counted.
pub fn period_days(starts: NaiveDate, ends: NaiveDate) -> i64 {
    (ends - starts).num_days() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn management_fee_rounds_half_up() {
        // 89.50 m² × ¥3.00 = ¥268.50
        assert_eq!(management_fee(8950, 300), 26850);
        // 89.55 m² × ¥2.55 = ¥228.3525 → ¥228.35
        assert_eq!(management_fee(8955, 255), 22835);
        // 120.10 m² × ¥1.05 = ¥126.105 → ¥126.11
        assert_eq!(management_fee(12010, 105), 12611);
        assert_eq!(management_fee(0, 300), 0);
    }

    #[test]
    fn deductions_come_off_the_deposit() {
        assert_eq!(refund_after(200000, &[30000, 5050]), Ok((35050, 164950)));
        assert_eq!(refund_after(200000, &[]), Ok((0, 200000)));
        assert_eq!(refund_after(200000, &[200000]), Ok((200000, 0)));
        assert_eq!(refund_after(200000, &[150000, 50001]), Err(200000));
        assert_eq!(refund_after(100, &[-1]), Err(100));
    }

    #[test]
    fn a_period_counts_both_ends() {
        let d = |s| NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert_eq!(period_days(d("2026-12-07"), d("2026-12-07")), 1);
        assert_eq!(period_days(d("2026-12-07"), d("2027-03-06")), 90);
    }
}
