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

code_enum!(EvidenceKind, QualityCode::UnknownEvidence, {
    Requests = "requests", "报事受理、派工与回访", "Requests, dispatch and call-backs";
    Complaints = "complaints", "投诉处理与季度分析", "Complaints and their quarterly analysis";
    Satisfaction = "satisfaction", "回访评价", "Ratings from call-backs";
    Keys = "keys", "钥匙台账", "The key ledger";
    Vacant = "vacant", "空置房巡查记录", "Vacant-unit inspections";
    Activities = "activities", "社区活动记录", "Activity records";
    Notices = "notices", "公告与公示栏", "Notices and the public board";
    Charging = "charging", "收银日结与催缴记录", "Daily closes and reminders";
    KeyCustomers = "key_customers", "重点客户名单", "The key-customer list";
    Incidents = "incidents", "突发事件、预案与演练", "Incidents, plans and drills";
    Cctv = "cctv", "监控系统与录像保存", "CCTV and its retention";
    MachineRooms = "machine_rooms", "机房运行记录", "Machine-room logs";
});

/// The words of an item's name that say what wuye holds for it, first match wins: "备用应急发电机"
/// is a machine room's, not an incident's; "经营管理活动" is not a community activity.
const EVIDENCE_WORDS: &[(&str, EvidenceKind)] = &[
    ("投诉", EvidenceKind::Complaints),
    ("满意度", EvidenceKind::Satisfaction),
    ("回访", EvidenceKind::Satisfaction),
    ("需求", EvidenceKind::Requests),
    ("报修", EvidenceKind::Requests),
    ("报事", EvidenceKind::Requests),
    ("钥匙", EvidenceKind::Keys),
    ("空置", EvidenceKind::Vacant),
    ("社区活动", EvidenceKind::Activities),
    ("公示", EvidenceKind::Notices),
    ("公告", EvidenceKind::Notices),
    ("收费", EvidenceKind::Charging),
    ("重点客户", EvidenceKind::KeyCustomers),
    ("监控", EvidenceKind::Cctv),
    ("机房", EvidenceKind::MachineRooms),
    ("发电机", EvidenceKind::MachineRooms),
    ("应急", EvidenceKind::Incidents),
    ("突发", EvidenceKind::Incidents),
];

impl EvidenceKind {
    /// What the system holds for an item, read from its name: the seed's items and the company's
    /// own items named alike ("钥匙管理" on a 秩序维护 sheet) get the same evidence.
    pub fn of_item(item: &str) -> Option<EvidenceKind> {
        EVIDENCE_WORDS
            .iter()
            .find(|(w, _)| item.contains(w))
            .map(|(_, k)| *k)
    }
}

code_enum!(CampaignPhase, QualityCode::UnknownPhase, {
    Mobilise = "mobilise", "发动宣讲", "Mobilise";
    SelfCheck = "self_check", "自查自纠", "Self-check";
    Prevent = "prevent", "整改预防", "Rectify and prevent";
    Acceptance = "acceptance", "检查验收", "Acceptance";
    Summary = "summary", "专项总结", "Summary";
});

code_enum!(CampaignState, QualityCode::UnknownCampaignState, {
    Running = "running", "进行中", "Running";
    Closed = "closed", "已总结", "Closed";
});

/// A phase of the seed: its first and last day (month, day) and its key points, one a line.
pub type SeedPhase = (CampaignPhase, (u32, u32), (u32, u32), &'static str);

/// The seed's five phases (物业基础服务管理品质提升专项工作).
pub const SEED_PHASES: [SeedPhase; 5] = [
    (
        CampaignPhase::Mobilise,
        (9, 25),
        (10, 15),
        "编制品质提升方案报公司审批\n召开发动会，正式启动专项工作\n组织学习岗位职责、操作规程、工作标准和服务要求\n全员参与，会议培训留存书面资料",
    ),
    (
        CampaignPhase::SelfCheck,
        (10, 16),
        (10, 30),
        "召开岗位服务批评与自我批评会\n编制本项目品质提升实施方案报备，逐项写明责任人和完成时间\n组织专业理论知识培训一次\n专业考试并提交考试报告",
    ),
    (
        CampaignPhase::Prevent,
        (11, 1),
        (11, 25),
        "召开专业服务研讨会议，逐一解决重点难点问题\n深入项目督促查找及解决问题\n完善制度、规程、标准，编制事前干预性制度",
    ),
    (
        CampaignPhase::Acceptance,
        (11, 26),
        (11, 28),
        "公司领导组织验收\n明查、暗访、岗位询问、客户回访、笔试综合进行\n100分制评分，按等级奖罚",
    ),
    (
        CampaignPhase::Summary,
        (12, 29),
        (12, 31),
        "召开品质提升工作总结会\n总结查找及解决的问题与方法，为今后工作提供经验",
    ),
];

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

    #[test]
    fn the_seeds_items_find_their_evidence_by_name() {
        use EvidenceKind as E;
        for (item, kind) in [
            ("客户需求信息受理", Some(E::Requests)),
            ("客户投诉管理", Some(E::Complaints)),
            ("客户满意度管理", Some(E::Satisfaction)),
            ("钥匙管理", Some(E::Keys)),
            ("社区活动", Some(E::Activities)),
            ("空置房管理", Some(E::Vacant)),
            ("经营管理活动", None),
            ("信息公示", Some(E::Notices)),
            ("收费服务管理", Some(E::Charging)),
            ("客户关系修复与重点客户关系维护", Some(E::KeyCustomers)),
            ("突发应急事件处理", Some(E::Incidents)),
            ("配电机房", Some(E::MachineRooms)),
            ("备用应急发电机", Some(E::MachineRooms)),
            ("监控设备", Some(E::Cctv)),
            ("制度建设", None),
        ] {
            assert_eq!(EvidenceKind::of_item(item), kind, "{item}");
        }
    }
}
