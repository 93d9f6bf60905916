//! The printed move-out check (客户迁出核验单, seed 000) as a PDF: the unit and who leaves, each
//! item of the checklist with what it stood at (or stands at, while open), the waivers a manager
//! recorded, and lines for the resident's and the desk's signatures.

use super::moveouts::{MoveOut, get_move_out};
use crate::billing::pdf::{Page, document, font};
use crate::frontdesk::model::MoveOutState;
use crate::registry::model::{Relation, UnitState};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::{Core, Ctx};

fn state_zh(code: &str) -> String {
    UnitState::parse("state", code).map_or_else(|_| code.to_string(), |s| s.zh().to_string())
}

fn relation_zh(code: &str) -> String {
    Relation::parse("relation", code).map_or_else(|_| code.to_string(), |r| r.zh().to_string())
}

/// The lines of the sheet: (item, result).
fn rows(m: &MoveOut) -> Vec<(String, String)> {
    let yuan = |f: i64| format!("¥{}", Money(f));
    let mut out = Vec::new();
    let (arrears, deposits, passes, parcels) = match &m.check {
        Some(k) => (
            Some(k.arrears_fen),
            Some(k.deposits_fen),
            Some(k.passes),
            Some(k.parcels_held),
        ),
        None => (
            m.arrears_fen,
            m.deposits_fen,
            m.passes_revoked,
            m.parcels_held,
        ),
    };
    let arrears_text = match (arrears, &m.arrears_waiver) {
        (Some(0), _) => "已结清".to_string(),
        (Some(f), Some(w)) => format!("欠费 {}，经理批准：{w}", yuan(f)),
        (Some(f), None) => format!("欠费 {}（未结清）", yuan(f)),
        (None, _) => "—".to_string(),
    };
    out.push(("费用结清".to_string(), arrears_text));
    let keys = match &m.check {
        Some(k) if !k.keys.is_empty() => {
            let codes: Vec<&str> = k.keys.iter().map(|x| x.code.as_str()).collect();
            format!("未归还：{}", codes.join("、"))
        }
        _ if m.state == MoveOutState::Cancelled => "—".to_string(),
        _ => "已归还 / 无".to_string(),
    };
    out.push(("钥匙归还".to_string(), keys));
    let items = match &m.check {
        Some(k) if !k.item_loans.is_empty() => format!("未归还：{}", k.item_loans.join("、")),
        _ if m.state == MoveOutState::Cancelled => "—".to_string(),
        _ => "已归还 / 无".to_string(),
    };
    out.push(("借用物品".to_string(), items));
    let dep = match (deposits, &m.deposits_kept) {
        (Some(0), _) => "已退还 / 无".to_string(),
        (Some(f), Some(w)) => format!("保留 {}：{w}", yuan(f)),
        (Some(f), None) => format!("未退：{}", yuan(f)),
        (None, _) => "—".to_string(),
    };
    out.push(("押金退还".to_string(), dep));
    let passes_text = match (passes, m.state) {
        (Some(n), MoveOutState::Open) => format!("待注销 {n} 张"),
        (Some(n), _) => format!("已注销 {n} 张"),
        (None, _) => "—".to_string(),
    };
    out.push(("出入证注销".to_string(), passes_text));
    out.push((
        "待领快递".to_string(),
        parcels.map_or("—".to_string(), |n| format!("{n} 件")),
    ));
    let state = match (&m.state_before, &m.state_after) {
        (Some(b), Some(a)) => format!("{} → {}", state_zh(b), state_zh(a)),
        _ => "—".to_string(),
    };
    out.push(("房屋状态".to_string(), state));
    out
}

/// The sheet of a move-out as a PDF.
pub async fn move_out_pdf(core: &Core, ctx: &Ctx, id: MoveOutId) -> CoreResult<Vec<u8>> {
    let m = get_move_out(core, ctx, id).await?;
    let community = crate::registry::get_community(core, ctx, m.community_id).await?;
    let f = font(&core.settings.pdf_font)?;
    let mut p = Page::default();
    let (left, right) = (60.0, 535.0);
    p.text(210.0, 780.0, 18.0, "客户迁出核验单");
    p.text(
        left,
        750.0,
        10.0,
        &format!("{} · 编号 {}", community.name, m.number),
    );
    let state = match m.state {
        MoveOutState::Open => "核验中",
        MoveOutState::Completed => "已迁出",
        MoveOutState::Cancelled => "已取消",
    };
    p.text(430.0, 750.0, 10.0, state);
    let leavers: Vec<String> = m
        .leaving
        .iter()
        .map(|l| format!("{}（{}）", l.name, relation_zh(&l.relation)))
        .collect();
    let mut y = 720.0;
    for (k, v) in [
        ("房号", m.unit_label.clone()),
        ("迁出人", leavers.join("、")),
        ("迁出日期", m.planned_day.to_string()),
        ("迁出原因", m.reason.clone().unwrap_or_default()),
    ] {
        p.text(left, y, 11.0, k);
        p.text(left + 80.0, y, 11.0, &v);
        y -= 22.0;
    }
    y -= 8.0;
    p.line(left, y + 16.0, right, y + 16.0);
    p.text(left, y, 11.0, "核验项目");
    p.text(left + 120.0, y, 11.0, "核验结果");
    y -= 8.0;
    p.line(left, y, right, y);
    for (item, result) in rows(&m) {
        y -= 20.0;
        p.text(left, y, 11.0, &item);
        p.text(left + 120.0, y, 10.0, &result);
        y -= 8.0;
        p.line(left, y, right, y);
    }
    if let Some(n) = &m.note {
        y -= 24.0;
        p.text(left, y, 10.0, &format!("备注：{n}"));
    }
    y -= 48.0;
    p.text(left, y, 11.0, "客户签字：");
    p.text(300.0, y, 11.0, "客服核验人：");
    p.line(left + 60.0, y - 4.0, 260.0, y - 4.0);
    p.line(370.0, y - 4.0, right, y - 4.0);
    y -= 30.0;
    let closed = m
        .closed_at
        .map(|t| t.format("%Y-%m-%d").to_string())
        .unwrap_or_default();
    p.text(left, y, 11.0, &format!("日期：{closed}"));
    if let Some(by) = &m.closed_by_name {
        p.text(300.0, y, 11.0, &format!("经办：{by}"));
    }
    document(&[p], &f)
}
