//! The printed release slip (大件物品放行条) as a PDF: its number large enough for the guard to
//! read at a glance, the unit and the applicant, what goes out and on which vehicle, the moving
//! day, the desk's check (the owner's consent for a tenant, the arrears and a manager's reason),
//! and lines for the applicant's, the desk's and the gate's signatures.

use super::releases::get_release;
use crate::billing::pdf::{Page, document, font};
use crate::frontdesk::model::{AuthorisationHow, ReleaseState};
use crate::registry::model::Relation;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::{Core, Ctx};

/// The slip of a release as a PDF (`frontdesk.work`).
pub async fn release_pdf(core: &Core, ctx: &Ctx, id: ReleaseSlipId) -> CoreResult<Vec<u8>> {
    let r = get_release(core, ctx, id).await?;
    let community = crate::registry::get_community(core, ctx, r.community_id).await?;
    let f = font(&core.settings.pdf_font)?;
    let relation = Relation::parse("relation", &r.relation)
        .map_or_else(|_| r.relation.clone(), |x| x.zh().to_string());
    let state = match r.state {
        ReleaseState::Pending => "待审核（不得放行）",
        ReleaseState::Approved => "已批准",
        ReleaseState::Refused => "不予放行",
        ReleaseState::Passed => "已放行",
    };
    let mut p = Page::default();
    let (left, right) = (60.0, 535.0);
    p.text(215.0, 780.0, 18.0, "大件物品放行条");
    p.text(left, 750.0, 10.0, &community.name);
    p.text(left, 715.0, 24.0, &r.number);
    p.text(400.0, 720.0, 12.0, state);
    p.line(left, 700.0, right, 700.0);
    let mut rows = vec![
        ("房号", r.unit_label.clone()),
        ("申请人", format!("{}（{relation}）", r.applicant_name)),
        ("搬出物品", r.items.clone()),
        ("车牌号", r.vehicle_plate.clone().unwrap_or_default()),
        ("放行日期", format!("{}（仅当日有效）", r.planned_day)),
    ];
    if let Some(c) = &r.owner_consent {
        let how =
            AuthorisationHow::parse("how", c).map_or_else(|_| c.clone(), |h| h.zh().to_string());
        let note = r.consent_note.clone().unwrap_or_default();
        rows.push(("业主同意", format!("{how} {note}")));
    }
    if let Some(f) = r.arrears_fen.filter(|f| *f > 0) {
        let why = r.arrears_override.clone().unwrap_or_default();
        rows.push(("逾期欠费", format!("¥{} {why}", Money(f))));
    }
    if let Some(by) = &r.checked_by_name {
        rows.push(("核验人", by.clone()));
    }
    if let Some(t) = r.passed_at {
        let tz = crate::shared::calendar::zone(&community.timezone);
        let at = t.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string();
        rows.push(("放行时间", at));
    }
    let mut y = 675.0;
    for (k, v) in rows {
        p.text(left, y, 11.0, k);
        // Long lists of items wrap at 34 characters a line.
        let chars: Vec<char> = v.chars().collect();
        for (i, chunk) in chars.chunks(34).enumerate() {
            let line: String = chunk.iter().collect();
            p.text(left + 80.0, y - 16.0 * i as f64, 11.0, &line);
        }
        y -= 16.0 * chars.len().div_ceil(34).max(1) as f64 + 10.0;
    }
    y -= 30.0;
    for (i, who) in ["申请人签字：", "客服签字：", "门岗签字："]
        .iter()
        .enumerate()
    {
        let x = left + 160.0 * i as f64;
        p.text(x, y, 11.0, who);
        p.line(x, y - 24.0, x + 140.0, y - 24.0);
    }
    document(&[p], &f)
}
