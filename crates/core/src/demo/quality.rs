//! The demo community's quality audit: the auditor's audit with the seed's two sheets (客户服务
//! 25 %, 设施设备 75 %), a few elements found missing, signed off; its rectification tasks, the
//! first given to the project manager.

use crate::Core;
use crate::quality::{self, AuditForCreate, AuditSheetChoice, ElementScore, ItemScoreInput};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, UserId};

/// (item, element index, deduction) found missing.
const MISSING: &[(&str, usize, &str)] = &[
    ("钥匙管理", 2, "1"),
    ("空置房管理", 0, "0.5"),
    ("信息公示", 1, "1"),
    ("备用应急发电机", 1, "0.5"),
];

pub(super) async fn seed_quality(
    core: &Core,
    c: CommunityId,
    auditor: UserId,
    manager: UserId,
) -> CoreResult<()> {
    let ctx = crate::auth::load_ctx(core, auditor).await?;
    let sheets = quality::list_sheets(core, &ctx).await?;
    let choice = |i: usize, w: i64| AuditSheetChoice {
        sheet_id: sheets[i].id,
        weight_pct: w,
    };
    let audit = quality::open_audit(
        core,
        &ctx,
        c,
        AuditForCreate {
            sheets: vec![choice(0, 25), choice(1, 75)],
            method: Some("open".into()),
            note: Some("第四季度品质检查".into()),
        },
    )
    .await?;
    for part in &audit.parts {
        for i in &part.items {
            let elements = (0..i.item.elements.len())
                .map(|k| {
                    match MISSING
                        .iter()
                        .find(|(n, e, _)| *n == i.item.item && *e == k)
                    {
                        Some((_, _, d)) => ElementScore {
                            present: false,
                            deduction: Some((*d).into()),
                        },
                        None => ElementScore {
                            present: true,
                            deduction: None,
                        },
                    }
                })
                .collect();
            let input = ItemScoreInput {
                elements,
                method: None,
                note: None,
            };
            quality::score_item(core, &ctx, audit.id, i.item.id, input).await?;
        }
    }
    quality::sign_audit(core, &ctx, audit.id).await?;
    let tasks = quality::list_rectifications(core, &ctx, c, Default::default()).await?;
    if let Some(t) = tasks.first() {
        let input = quality::RectAssignInput {
            assignee_id: manager,
            days: None,
        };
        quality::assign_rectification(core, &ctx, t.id, input).await?;
    }
    seed_campaign(core, &ctx, c, manager, vec![choice(0, 25), choice(1, 75)]).await
}

/// The company's quality campaign (专项工作) over the demo community, in its acceptance phase
/// today: the self-check plan half done, one task overdue, the final audit opened.
async fn seed_campaign(
    core: &Core,
    ctx: &crate::Ctx,
    c: CommunityId,
    manager: UserId,
    sheets: Vec<AuditSheetChoice>,
) -> CoreResult<()> {
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let phase = |from: i64, to: i64| quality::CampaignPhaseInput {
        starts_on: today + chrono::Duration::days(from),
        ends_on: today + chrono::Duration::days(to),
        tasks: None,
    };
    let input = quality::CampaignForCreate {
        name: "物业基础服务管理品质提升专项工作".into(),
        aim: Some("提高全员服务意识、强化项目内部管理、提升岗位服务技能。".into()),
        year: None,
        phases: Some(vec![
            phase(-40, -31),
            phase(-30, -21),
            phase(-20, -11),
            phase(-10, 3),
            phase(20, 23),
        ]),
        community_ids: vec![c],
        sheets,
    };
    let camp = quality::create_campaign(core, ctx, input).await?;
    let plan: [(&str, &str, i64, bool); 4] = [
        ("self_check", "召开岗位服务批评与自我批评会", -28, true),
        (
            "self_check",
            "整理客户档案清册，电子资料专人加密管理",
            -24,
            true,
        ),
        ("prevent", "完善钥匙借用登记，补齐三月台帐", -13, false),
        ("acceptance", "配合公司验收核查，备齐各类记录", 2, false),
    ];
    for (phase, title, day, done) in plan {
        let input = quality::CampaignTaskInput {
            phase: phase.into(),
            title: title.into(),
            owner_id: manager,
            due_on: today + chrono::Duration::days(day),
        };
        let t = quality::add_campaign_task(core, ctx, camp.id, c, input).await?;
        if done {
            let note = quality::CampaignTaskDone {
                note: Some("已完成，资料归档".into()),
            };
            quality::finish_campaign_task(core, ctx, t.id, note).await?;
        }
    }
    quality::open_campaign_audit(core, ctx, camp.id, c).await?;
    Ok(())
}
