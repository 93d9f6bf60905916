//! The 入伙通知书 (seed 000) as a PDF: the owner and the unit, the day to come, what to bring,
//! the fees billing holds for the unit now, the steps of the day as the 入伙流转表 runs them, and
//! the office's contact line.

use super::{MoveIn, get_move_in};
use crate::billing::pdf::{Page, document, font};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::{Core, Ctx};

/// What the owner brings (seed 000: 身份证, 购房合同, 入伙通知书).
const BRING: &[&str] = &[
    "1. 本通知书；",
    "2. 业主身份证原件及复印件（委托他人办理的，另带授权委托书及受托人身份证）；",
    "3. 购房合同及付款凭证原件；",
    "4. 需预缴的物业服务费等费用（可现金、微信、支付宝或刷卡）。",
];

/// The steps of the day, in the 入伙流转表's order.
const STEPS: &[&str] = &[
    "① 核验身份证件与购房资料  ② 签署《物业服务协议》《临时管理规约》  ③ 填写业户资料卡",
    "④ 缴纳相关费用  ⑤ 领取钥匙  ⑥ 与工作人员共同验房，填写房屋验收表  ⑦ 填写交房满意度调查表",
];

fn wrap(s: &str, width: usize) -> Vec<String> {
    let chars: Vec<char> = s.chars().collect();
    chars.chunks(width).map(|c| c.iter().collect()).collect()
}

/// The notice of a move-in as a PDF.
pub async fn move_in_notice_pdf(core: &Core, ctx: &Ctx, id: MoveInId) -> CoreResult<Vec<u8>> {
    let m: MoveIn = get_move_in(core, ctx, id).await?;
    let community = crate::registry::get_community(core, ctx, m.community_id).await?;
    let f = font(&core.settings.pdf_font)?;
    let mut p = Page::default();
    let left = 60.0;
    p.text(240.0, 780.0, 18.0, "入伙通知书");
    p.text(
        left,
        750.0,
        10.0,
        &format!("{} · 编号 {}", community.name, m.number),
    );
    let mut y = 718.0;
    p.text(left, y, 12.0, &format!("尊敬的 {} 业主：", m.owner_name));
    y -= 24.0;
    let body = format!(
        "您购买的 {} 房屋已具备交付条件。请于 {} 携带下列资料到物业服务中心办理入伙手续。",
        m.unit_label, m.notice_day
    );
    for line in wrap(&body, 34) {
        p.text(left + 20.0, y, 11.0, &line);
        y -= 18.0;
    }
    y -= 8.0;
    p.text(left, y, 12.0, "请携带：");
    for b in BRING {
        y -= 18.0;
        p.text(left + 20.0, y, 10.5, b);
    }
    y -= 28.0;
    p.text(left, y, 12.0, "办理流程：");
    for s in STEPS {
        y -= 18.0;
        p.text(left + 20.0, y, 10.5, s);
    }
    if let Some(live) = &m.live {
        y -= 28.0;
        let fees = if live.owed_fen > 0 {
            format!(
                "截至今日，该房屋应缴费用合计 ¥{}（以办理当日账单为准）。",
                Money(live.owed_fen)
            )
        } else {
            "截至今日，该房屋暂无应缴费用。".to_string()
        };
        p.text(left, y, 11.0, &fees);
    }
    y -= 28.0;
    for line in wrap(
        "如您不能按期办理，请提前与物业服务中心联系另行预约。逾期未办理的，自通知之日起视为交付。",
        36,
    ) {
        p.text(left, y, 10.5, &line);
        y -= 18.0;
    }
    y -= 30.0;
    p.text(330.0, y, 11.0, &format!("{} 物业服务中心", community.name));
    y -= 20.0;
    p.text(
        330.0,
        y,
        11.0,
        &m.created_at.format("%Y年%m月%d日").to_string(),
    );
    document(&[p], &f)
}
