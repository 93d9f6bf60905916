//! Checkpoint labels: a PDF sheet of QR labels to print and stick on site, and the reprint that
//! voids the old ones (a new secret: a photo of an old label no longer proves a visit).

use chrono::Utc;

use super::setup::managed;
use crate::audit::{self, Action, Entry};
use crate::billing::pdf::{Page, document, font};
use crate::patrols::model;
use crate::patrols::store::setup as store;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// Labels per A4 sheet: two columns, four rows.
const COLS: usize = 2;
const ROWS: usize = 4;

/// A sheet of labels for these checkpoints (none given: every active one), each with its QR
/// code, the code in letters for typing, the checkpoint's name and place, and the label's
/// version.
pub async fn labels_pdf(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    only: &[CheckpointId],
) -> CoreResult<Vec<u8>> {
    let (community, _) = managed(core, ctx, c).await?;
    let ids: Vec<i64> = only.iter().map(|k| k.0).collect();
    let rows = store::checkpoints(
        &mut core.db.read(),
        c,
        (!ids.is_empty()).then_some(ids.as_slice()),
    )
    .await?;
    let rows: Vec<_> = rows
        .into_iter()
        .filter(|r| r.active || !only.is_empty())
        .collect();
    if rows.is_empty() {
        return Err(CoreError::NotFound("checkpoint"));
    }
    let f = font(&core.settings.pdf_font)?;
    let mut pages = Vec::new();
    for sheet in rows.chunks(COLS * ROWS) {
        let mut page = Page::default();
        for (n, r) in sheet.iter().enumerate() {
            let (col, row) = (n % COLS, n / COLS);
            let (x0, top) = (30.0 + col as f64 * 275.0, 812.0 - row as f64 * 198.0);
            // The cut lines.
            page.line(x0, top, x0 + 265.0, top);
            page.line(x0, top - 188.0, x0 + 265.0, top - 188.0);
            page.line(x0, top, x0, top - 188.0);
            page.line(x0 + 265.0, top, x0 + 265.0, top - 188.0);
            let code = model::label_code(r.id.0, &r.secret);
            let qr = qrcode::QrCode::new(code.as_bytes()).map_err(CoreError::internal)?;
            let width = qr.width();
            let module = 130.0 / width as f64;
            let (qx, qy) = (x0 + 10.0, top - 12.0);
            for (i, dark) in qr.to_colors().iter().enumerate() {
                if *dark == qrcode::Color::Dark {
                    let (mx, my) = ((i % width) as f64, (i / width) as f64);
                    page.rect(
                        qx + mx * module,
                        qy - my * module,
                        module + 0.05,
                        module + 0.05,
                    );
                }
            }
            let tx = x0 + 150.0;
            page.text(tx, top - 24.0, 8.0, &community);
            page.text(tx, top - 44.0, 13.0, &clip(&r.name, 8));
            if let Some(l) = &r.location {
                page.text(tx, top - 62.0, 8.0, &clip(l, 14));
            }
            page.text(tx, top - 86.0, 8.0, "巡检点 · 请扫码");
            page.text(tx, top - 100.0, 7.0, &format!("第 {} 版", r.label_version));
            page.text(x0 + 10.0, top - 160.0, 9.0, &code);
            page.text(
                x0 + 10.0,
                top - 176.0,
                7.0,
                "无法扫码时在巡检页输入上方编码",
            );
        }
        pages.push(page);
    }
    document(&pages, &f)
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        s.chars().take(n).collect::<String>() + "…"
    }
}

/// A new label for a checkpoint: a new secret and version; scans of the old label are flagged
/// `stale_label` from now on.
pub async fn reprint_label(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: CheckpointId,
) -> CoreResult<i64> {
    managed(core, ctx, c).await?;
    let mut tx = core.db.begin().await?;
    if store::rotate_secret(&mut tx, c, id, &model::new_secret(), Utc::now()).await? == 0 {
        return Err(CoreError::NotFound("checkpoint"));
    }
    let version = store::checkpoint(&mut tx, c, id)
        .await?
        .map(|r| r.label_version)
        .unwrap_or(0);
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "patrol_label", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    Ok(version)
}
