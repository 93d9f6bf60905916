//! Move-in's states, the 入伙流转表's checks, the warranty item's states, and the satisfaction
//! survey's questions (交房流程满意度调查表) as pure rules.

use super::error::MoveInCode;
use crate::shared::code_enum;

code_enum!(MoveInState, MoveInCode::UnknownState, {
    Open = "open", "办理中", "Open";
    Completed = "completed", "已入伙", "Moved in";
    Cancelled = "cancelled", "已取消", "Cancelled";
});

code_enum!(WarrantyState, MoveInCode::UnknownWarrantyState, {
    Open = "open", "待维修", "To fix";
    Fixed = "fixed", "已维修待验证", "Fixed, to verify";
    Verified = "verified", "已验证", "Verified";
});

/// The checks of the 入伙流转表 the desk ticks, in its order: (field, zh, en).
pub const CHECKS: &[(&str, &str, &str)] = &[
    (
        "identity_checked",
        "核验身份证件",
        "Identity documents seen",
    ),
    (
        "purchase_checked",
        "核验购房合同/付款凭证",
        "Purchase contract and payment seen",
    ),
    (
        "agreement_signed",
        "签署物业服务协议",
        "Service agreement signed",
    ),
    (
        "rules_signed",
        "签署临时管理规约",
        "Interim management rules signed",
    ),
    (
        "record_card_done",
        "填写业户资料卡",
        "Owner's record card completed",
    ),
];

/// The questions of the hand-over satisfaction survey, each scored 1 (very poor) to 5.
pub const SURVEY_QUESTIONS: &[(&str, &str)] = &[
    ("接待人员服务态度", "The staff's manner"),
    ("办理手续效率", "How quickly it was done"),
    ("陪同验房的专业程度", "The accompanied inspection"),
    ("入伙资料的说明", "How the documents were explained"),
    ("对交房流程的总体满意度", "The hand-over overall"),
];

/// Parses the five scores; `None` when they are not five of 1 to 5.
pub fn survey_scores(scores: &[i64]) -> Option<String> {
    (scores.len() == SURVEY_QUESTIONS.len() && scores.iter().all(|s| (1..=5).contains(s))).then(
        || {
            scores
                .iter()
                .map(i64::to_string)
                .collect::<Vec<_>>()
                .join(",")
        },
    )
}

/// The mean of stored scores ("5,4,5,5,4" → 4.6), to one decimal.
pub fn survey_mean(stored: &str) -> Option<f64> {
    let v: Vec<f64> = stored
        .split(',')
        .filter_map(|s| s.trim().parse::<f64>().ok())
        .collect();
    if v.is_empty() {
        return None;
    }
    Some((v.iter().sum::<f64>() / v.len() as f64 * 10.0).round() / 10.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_are_five_of_one_to_five() {
        assert_eq!(
            survey_scores(&[5, 4, 5, 5, 4]).as_deref(),
            Some("5,4,5,5,4")
        );
        assert_eq!(survey_scores(&[5, 4, 5, 5]), None);
        assert_eq!(survey_scores(&[5, 4, 5, 5, 6]), None);
        assert_eq!(survey_scores(&[0, 4, 5, 5, 5]), None);
        assert_eq!(survey_mean("5,4,5,5,4"), Some(4.6));
        assert_eq!(survey_mean("3,3,4,4,4"), Some(3.6));
        assert_eq!(survey_mean(""), None);
    }
}
