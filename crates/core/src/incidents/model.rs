//! The rules of plans and incidents, with no I/O: kinds, severities, states and timeline events;
//! a plan's checklist and escalation ladder and how they are checked; the seven plans shipped;
//! which level of the ladder is due at an instant.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::IncidentCode;
use crate::shared::code_enum;
use crate::shared::error::{CommonCode, FieldError};
use crate::shared::ids::UserId;

code_enum!(IncidentKind, IncidentCode::UnknownKind, {
    Fire = "fire", "火灾", "Fire";
    Flood = "flood", "水浸 / 爆管", "Flood or burst pipe";
    PowerCut = "power_cut", "停电", "Power cut";
    Elevator = "elevator", "电梯困人", "Elevator entrapment";
    GasLeak = "gas_leak", "燃气泄漏", "Gas leak";
    SevereWeather = "severe_weather", "雨雪天气", "Severe weather";
    PublicSecurity = "public_security", "治安事件", "Public-security event";
    Other = "other", "其他", "Other";
});

code_enum!(Severity, IncidentCode::UnknownSeverity, {
    Minor = "minor", "一般", "Minor";
    Major = "major", "较大", "Major";
    Critical = "critical", "重大", "Critical";
});

code_enum!(IncidentState, IncidentCode::UnknownState, {
    Open = "open", "处理中", "Open";
    Closed = "closed", "已结案", "Closed";
});

code_enum!(EventKind, IncidentCode::UnknownEvent, {
    Opened = "opened", "事件上报，预案启动", "Reported, plan activated";
    Notified = "notified", "已通知", "Notified";
    Escalated = "escalated", "升级通知", "Escalated";
    Acknowledged = "acknowledged", "已响应", "Acknowledged";
    Step = "step", "步骤完成", "Step done";
    Note = "note", "记录", "Note";
    UnitsNotified = "units_notified", "已通知受影响住户", "Affected units told";
    Analysis = "analysis", "过程分析与结论", "Analysis and conclusion";
    Closed = "closed", "结案", "Closed";
});

/// A step of a plan's checklist and the role that does it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct PlanStep {
    pub text: String,
    /// A role code (`security`, `technician`, `service_agent`, `project_manager` …).
    pub role: String,
}

/// A level of the escalation ladder: told this many minutes after the incident opened unless it
/// was acknowledged or closed by then (the first level, usually 0, at once).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
pub struct PlanLevel {
    pub after_minutes: i64,
    /// Role codes: every active user of the community with one is told.
    #[serde(default)]
    pub roles: Vec<String>,
    /// People told by name.
    #[serde(default)]
    pub user_ids: Vec<UserId>,
}

/// A plan as a manager sends it.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct PlanForSave {
    /// `fire`, `flood`, `power_cut`, `elevator`, `gas_leak`, `severe_weather`, `public_security`
    /// or `other`.
    pub kind: String,
    pub name: String,
    #[serde(default)]
    pub summary: Option<String>,
    pub steps: Vec<PlanStep>,
    pub ladder: Vec<PlanLevel>,
    #[serde(default = "yes")]
    pub active: bool,
}

fn yes() -> bool {
    true
}

pub const MAX_STEPS: usize = 40;
pub const MAX_LEVELS: usize = 6;

/// Checks a plan; `roles` are the role codes that exist. Each error names its field
/// (`steps[2].role`, `ladder[1].after_minutes`).
pub fn check_plan(p: &PlanForSave, roles: &[String]) -> Result<IncidentKind, Vec<FieldError>> {
    let mut errs = Vec::new();
    let kind = IncidentKind::parse("kind", &p.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let name = p.name.trim();
    if name.is_empty() {
        errs.push(FieldError::new("name", CommonCode::Required));
    } else if name.chars().count() > 60 {
        errs.push(FieldError::new("name", CommonCode::TooLong).with("max", 60));
    }
    if p.steps.is_empty() {
        errs.push(FieldError::new("steps", IncidentCode::NoSteps));
    } else if p.steps.len() > MAX_STEPS {
        errs.push(FieldError::new("steps", CommonCode::TooLarge).with("max", MAX_STEPS));
    }
    for (i, s) in p.steps.iter().enumerate() {
        if s.text.trim().is_empty() {
            errs.push(FieldError::new(
                format!("steps[{i}].text"),
                CommonCode::Required,
            ));
        } else if s.text.trim().chars().count() > 200 {
            errs.push(
                FieldError::new(format!("steps[{i}].text"), CommonCode::TooLong).with("max", 200),
            );
        }
        if !roles.iter().any(|r| r == s.role.trim()) {
            errs.push(FieldError::new(
                format!("steps[{i}].role"),
                IncidentCode::UnknownRole,
            ));
        }
    }
    if p.ladder.is_empty() {
        errs.push(FieldError::new("ladder", IncidentCode::NoLadder));
    } else if p.ladder.len() > MAX_LEVELS {
        errs.push(FieldError::new("ladder", CommonCode::TooLarge).with("max", MAX_LEVELS));
    }
    let mut before = -1;
    for (i, l) in p.ladder.iter().enumerate() {
        if l.after_minutes <= before || l.after_minutes > 7 * 24 * 60 {
            errs.push(FieldError::new(
                format!("ladder[{i}].after_minutes"),
                IncidentCode::LadderOrder,
            ));
        }
        before = l.after_minutes;
        if l.roles.is_empty() && l.user_ids.is_empty() {
            errs.push(FieldError::new(
                format!("ladder[{i}].roles"),
                IncidentCode::LevelEmpty,
            ));
        }
        if let Some(j) = l
            .roles
            .iter()
            .position(|r| !roles.iter().any(|x| x == r.trim()))
        {
            errs.push(
                FieldError::new(format!("ladder[{i}].roles"), IncidentCode::UnknownRole)
                    .with("role", &l.roles[j]),
            );
        }
    }
    match kind {
        Some(k) if errs.is_empty() => Ok(k),
        _ => Err(errs),
    }
}

/// The levels due at `now` for an incident opened at `opened` that has told `told` levels (1 is
/// told at opening): the numbers (from 1) of those whose minutes have passed, in order. An
/// acknowledged or closed incident escalates no further (the caller checks).
pub fn levels_due(
    ladder: &[PlanLevel],
    opened: DateTime<Utc>,
    told: i64,
    now: DateTime<Utc>,
) -> Vec<i64> {
    ladder
        .iter()
        .enumerate()
        .map(|(i, l)| (i as i64 + 1, l))
        .filter(|(n, l)| *n > told && opened + Duration::minutes(l.after_minutes) <= now)
        .map(|(n, _)| n)
        .collect()
}

/// A shipped plan: kind, name, summary, steps (text, role).
pub type DefaultPlan = (
    IncidentKind,
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

/// The default ladder of a shipped plan: those on site at once, the project manager after 15
/// minutes, the company after 60.
pub fn default_ladder() -> Vec<PlanLevel> {
    let l = |m: i64, roles: &[&str]| PlanLevel {
        after_minutes: m,
        roles: roles.iter().map(|r| r.to_string()).collect(),
        user_ids: Vec::new(),
    };
    vec![
        l(0, &["service_agent", "security", "technician"]),
        l(15, &["project_manager"]),
        l(60, &["company_admin"]),
    ]
}

/// The seven plans shipped with every company.
pub const DEFAULT_PLANS: &[DefaultPlan] = &[
    (
        IncidentKind::Fire,
        "火灾应急预案",
        "发现火情：报警、疏散、初期扑救、配合消防。",
        &[
            ("确认火情位置与规模，立即拨打119报警", "security"),
            (
                "启动消防广播，组织住户沿疏散通道撤离，禁止乘电梯",
                "security",
            ),
            ("切断着火区域非消防电源，启动消防水泵与排烟", "technician"),
            ("使用灭火器、消火栓进行初期扑救", "security"),
            ("在小区入口引导消防车，清理消防通道", "security"),
            ("统计伤亡与财产损失，安抚住户", "service_agent"),
        ],
    ),
    (
        IncidentKind::Flood,
        "水浸 / 爆管应急预案",
        "管道爆裂或水浸：关阀、止水、排水、防触电。",
        &[
            ("确认漏水位置，关闭上游供水阀门", "technician"),
            ("切断受影响区域电源，防止触电", "technician"),
            ("用沙袋围堵，转移电梯至安全楼层并停运", "security"),
            ("组织排水，清理积水", "cleaning"),
            ("通知受影响住户，登记财产损失", "service_agent"),
            ("抢修管道，恢复供水并记录", "technician"),
        ],
    ),
    (
        IncidentKind::PowerCut,
        "停电应急预案",
        "突然停电：查明原因、启动应急电源、检查电梯困人。",
        &[
            ("查明停电范围与原因，联系供电部门", "technician"),
            ("启动备用发电机，保障消防、电梯、监控用电", "technician"),
            ("逐台检查电梯是否困人", "security"),
            ("加强巡逻，维持秩序，开启应急照明", "security"),
            ("向住户说明情况与预计恢复时间", "service_agent"),
        ],
    ),
    (
        IncidentKind::Elevator,
        "电梯困人应急预案",
        "电梯困人：安抚、通知维保单位、专业人员救援。",
        &[
            ("通过对讲安抚被困人员，了解人数与身体状况", "security"),
            ("通知电梯维保单位，要求30分钟内到场", "service_agent"),
            ("在电梯层门外设置警示，防止他人使用", "security"),
            ("持证人员配合维保单位盘车救援", "technician"),
            ("救出后询问身体状况，必要时送医，记录经过", "service_agent"),
        ],
    ),
    (
        IncidentKind::GasLeak,
        "燃气泄漏应急预案",
        "燃气泄漏：禁止明火与电器开关，疏散，通知燃气公司。",
        &[
            ("关闭燃气总阀，禁止开关电器、使用明火和手机", "technician"),
            ("打开门窗通风，疏散周边住户", "security"),
            ("拨打燃气公司抢修电话，必要时拨打119", "service_agent"),
            ("设置警戒区，禁止无关人员进入", "security"),
            ("配合燃气公司检修，确认安全后恢复供气", "technician"),
        ],
    ),
    (
        IncidentKind::SevereWeather,
        "雨雪天气应急预案",
        "暴雨、台风、冰雪：预警、巡查、防滑防涝。",
        &[
            (
                "发布天气预警，提醒住户收回阳台物品、关好门窗",
                "service_agent",
            ),
            ("检查排水沟、雨水井、地下车库挡水设施", "technician"),
            ("加固或移除高空悬挂物，修剪危树", "cleaning"),
            ("雪天在出入口、坡道铺设防滑垫，及时除雪", "cleaning"),
            ("加强巡查，发现积水、倒树、漏雨及时处理", "security"),
        ],
    ),
    (
        IncidentKind::PublicSecurity,
        "治安事件应急预案",
        "盗窃、斗殴、可疑人员：控制现场、报警、保护证据。",
        &[
            ("赶赴现场，制止事态扩大，保护人身安全", "security"),
            ("拨打110报警，封锁出入口", "security"),
            ("保护现场，调取并保存监控录像", "security"),
            ("配合公安机关调查，登记证人信息", "service_agent"),
            ("事后加强巡逻与门岗管理", "security"),
        ],
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn roles() -> Vec<String> {
        [
            "security",
            "technician",
            "service_agent",
            "project_manager",
            "company_admin",
            "cleaning",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect()
    }

    #[test]
    fn shipped_plans_pass_their_own_check() {
        assert_eq!(DEFAULT_PLANS.len(), 7);
        for (kind, name, summary, steps) in DEFAULT_PLANS {
            let p = PlanForSave {
                kind: kind.code().into(),
                name: (*name).into(),
                summary: Some((*summary).into()),
                steps: steps
                    .iter()
                    .map(|(t, r)| PlanStep {
                        text: (*t).into(),
                        role: (*r).into(),
                    })
                    .collect(),
                ladder: default_ladder(),
                active: true,
            };
            assert_eq!(check_plan(&p, &roles()), Ok(*kind));
        }
    }

    #[test]
    fn a_plan_is_checked_field_by_field() {
        let p = PlanForSave {
            kind: "meteor".into(),
            name: " ".into(),
            summary: None,
            steps: vec![PlanStep {
                text: "报警".into(),
                role: "astronaut".into(),
            }],
            ladder: vec![
                PlanLevel {
                    after_minutes: 10,
                    roles: vec!["security".into()],
                    user_ids: vec![],
                },
                PlanLevel {
                    after_minutes: 10,
                    roles: vec![],
                    user_ids: vec![],
                },
            ],
            active: true,
        };
        let errs = check_plan(&p, &roles()).unwrap_err();
        let fields: Vec<&str> = errs.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "kind",
                "name",
                "steps[0].role",
                "ladder[1].after_minutes",
                "ladder[1].roles"
            ]
        );
    }

    #[test]
    fn levels_fall_due_by_their_minutes() {
        let opened = DateTime::parse_from_rfc3339("2026-12-06T02:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let ladder = default_ladder();
        assert!(levels_due(&ladder, opened, 1, opened + Duration::minutes(14)).is_empty());
        assert_eq!(
            levels_due(&ladder, opened, 1, opened + Duration::minutes(15)),
            [2]
        );
        assert_eq!(
            levels_due(&ladder, opened, 1, opened + Duration::minutes(90)),
            [2, 3]
        );
        assert!(levels_due(&ladder, opened, 3, opened + Duration::minutes(90)).is_empty());
    }
}
