//! The demo community's duty and incident records: the default shifts adopted, this month's
//! roster of the security team (three guards rotating the three shifts, one of them on leave two
//! days — the grid shows those gaps) and of the desk, a handover waiting for the incoming
//! guard's signature, an elevator entrapment three days ago closed with its analysis, and a fire
//! drill held last week. Everything goes through the duty and incidents services.

use chrono::{Datelike, Duration, Utc};

use crate::auth::{self, UserForCreate};
use crate::duty::{self, AssignmentForSet, HandoverForCreate, LeaveForCreate, RosterForSet};
use crate::incidents::model::IncidentKind;
use crate::incidents::{self, DrillForCreate, IncidentForClose, IncidentForCreate, IncidentNote};
use crate::shared::ids::{CommunityId, UserId};
use crate::{Core, CoreResult, Ctx};

/// The two guards who share the security shifts with 孙队长 (security): (username, name).
const GUARDS: &[(&str, &str)] = &[("guard1", "刘保安"), ("guard2", "何保安")];

async fn guard(
    core: &Core,
    company: crate::shared::ids::CompanyId,
    c: CommunityId,
    username: &str,
    name: &str,
) -> CoreResult<UserId> {
    let u = auth::create_user_as_system(
        core,
        company,
        UserForCreate {
            username: username.into(),
            display_name: name.into(),
            role: "security".into(),
            password: super::DEMO_PASSWORD.into(),
            communities: vec![c],
        },
    )
    .await?;
    let mut tx = core.db.begin().await?;
    auth::store::users::keep_password(&mut tx, u.user.id).await?;
    tx.commit().await?;
    Ok(u.user.id)
}

/// `people` are (security, agent, manager, cashier, auditor).
pub(super) async fn seed_duty(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    people: [UserId; 5],
) -> CoreResult<()> {
    let [security, agent, manager, cashier, auditor] = people;
    incidents::ensure_plans(core).await?;
    duty::adopt_default_shifts(core, sys, c).await?;
    let g1 = guard(core, sys.company_id, c, GUARDS[0].0, GUARDS[0].1).await?;
    let g2 = guard(core, sys.company_id, c, GUARDS[1].0, GUARDS[1].1).await?;

    let today = Utc::now()
        .with_timezone(&crate::shared::calendar::zone(""))
        .date_naive();
    let first = today.with_day(1).unwrap_or(today);
    let month = first.format("%Y-%m").to_string();
    let days = duty::model::days_of_month(first);
    // 何保安 is on annual leave on the 20th and 21st: nobody takes his shift (the grid's gaps).
    let (leave_from, leave_to) = (first + Duration::days(19), first + Duration::days(20));
    duty::add_leave(
        core,
        sys,
        c,
        LeaveForCreate {
            user_id: g2,
            starts_on: leave_from.to_string(),
            ends_on: leave_to.to_string(),
            kind: "annual".into(),
            note: Some("探亲".into()),
        },
    )
    .await?;
    let cell = |u: UserId, d: chrono::NaiveDate, code: &str| AssignmentForSet {
        user_id: u,
        day: d.to_string(),
        shift_code: code.into(),
    };
    let mut guards = Vec::new();
    for (i, d) in days.iter().enumerate() {
        for (k, u) in [security, g1, g2].into_iter().enumerate() {
            if u == g2 && (leave_from..=leave_to).contains(d) {
                continue;
            }
            let code = ["security_a", "security_b", "security_c"][(i + k) % 3];
            guards.push(cell(u, *d, code));
        }
    }
    duty::set_roster(
        core,
        sys,
        c,
        &month,
        RosterForSet {
            team: "秩序维护部".into(),
            assignments: guards,
        },
    )
    .await?;
    let office = if (3..=8).contains(&first.month()) {
        "office_ss"
    } else {
        "office_aw"
    };
    let mut desk = Vec::new();
    for d in &days {
        desk.push(cell(agent, *d, office));
        if d.weekday().number_from_monday() <= 6 {
            for u in [manager, cashier, auditor] {
                desk.push(cell(u, *d, "desk_evening"));
            }
        }
    }
    duty::set_roster(
        core,
        sys,
        c,
        &month,
        RosterForSet {
            team: "客服前台".into(),
            assignments: desk,
        },
    )
    .await?;

    // The morning guard hands over to the next one; the incoming guard has not signed yet.
    let sun = auth::load_ctx(core, security).await?;
    duty::start_handover(
        core,
        &sun,
        c,
        HandoverForCreate {
            team: "秩序维护部".into(),
            shift_code: Some("security_a".into()),
            incoming_id: g1,
            note: Some("岗亭钥匙两把、对讲机三台已当面点清。".into()),
            lines: vec![
                "3号岗对讲机电池老化，已报领用".into(),
                "地下车库B区两盏照明不亮，已报修".into(),
            ],
        },
    )
    .await?;

    // An elevator entrapment three days ago, handled by its plan and closed.
    let pm = auth::load_ctx(core, manager).await?;
    let x = incidents::open_incident(
        core,
        &sun,
        c,
        IncidentForCreate {
            plan_id: None,
            kind: IncidentKind::Elevator.code().into(),
            title: "2栋1号电梯困人".into(),
            place: "2栋1号电梯（停在7–8层之间）".into(),
            severity: "minor".into(),
            started_at: Some(Utc::now() - Duration::days(3)),
            building_ids: Vec::new(),
            unit_ids: Vec::new(),
        },
    )
    .await?;
    incidents::acknowledge_incident(core, &pm, x.id).await?;
    for s in &x.steps {
        incidents::tick_step(core, &sun, x.id, s.id).await?;
    }
    incidents::add_incident_note(
        core,
        &sun,
        x.id,
        IncidentNote {
            text: "被困 2 人，情绪稳定；维保单位 25 分钟到场，手动盘车放人，无人受伤。".into(),
        },
    )
    .await?;
    incidents::close_incident(
        core,
        &pm,
        x.id,
        IncidentForClose {
            analysis:
                "门机板接触不良致轿厢急停；监控中心 1 分钟内接警，安抚与维保到场均在预案时限内。"
                    .into(),
            conclusion:
                "维保单位更换门机板并全面检查，电梯恢复运行；通知维保单位本月加做一次专项检查。"
                    .into(),
        },
    )
    .await?;

    // Last week's fire drill.
    let fire = incidents::list_plans(core, &pm)
        .await?
        .into_iter()
        .find(|p| p.kind == IncidentKind::Fire && p.active);
    if let Some(p) = fire {
        incidents::record_drill(
            core,
            &pm,
            c,
            DrillForCreate {
                plan_id: p.id,
                held_on: (today - Duration::days(7)).to_string(),
                place: "小区中心广场、3栋".into(),
                participants: "秩序维护部 3 人、工程部 2 人、客服 2 人，业主 20 余人".into(),
                findings: "疏散用时 6 分钟；3栋 12 层消防门闭门器失效，已报修；灭火器演示到位。"
                    .into(),
            },
        )
        .await?;
    }
    Ok(())
}
