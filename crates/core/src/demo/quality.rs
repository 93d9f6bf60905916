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
    Ok(())
}
