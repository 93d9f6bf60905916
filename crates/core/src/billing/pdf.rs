//! Receipts (收据) and reminder notices (催缴通知单) as PDF files with Chinese text.
//!
//! The font is embedded, as a subset of the glyphs the file uses (krilla), so a receipt prints
//! the same in every reader: one that relied on the reader's own `STSong-Light` printed "NO."
//! as "NQ" under Poppler. The font file is a setting (`WUYE_PDF_FONT`, Debian's
//! fonts-wqy-microhei by default); a missing one is a clear 503 naming it, not a broken file.

use std::path::{Path, PathBuf};
use std::sync::Mutex;

use krilla::Document;
use krilla::geom::{PathBuilder, Point};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};

use super::arrears::NoticeBatch;
use super::ledger::Charge;
use super::model::capitals;
use super::receipts::Receipt;
use crate::shared::error::{CommonCode, CoreError, CoreResult};
use crate::shared::money::Money;

/// Where Debian's fonts-wqy-microhei puts its font (`.ci/install-deps.sh` installs it).
pub const DEFAULT_FONT: &str = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc";

/// A4 in points.
const W: f64 = 595.0;
const H: f64 = 842.0;

/// One drawing operation, in points from the bottom-left corner (as a form is measured).
enum Op {
    Text {
        x: f64,
        y: f64,
        size: f64,
        s: String,
    },
    Line {
        x1: f64,
        y1: f64,
        x2: f64,
        y2: f64,
    },
    /// A filled black rectangle (the modules of a QR code).
    Rect {
        x: f64,
        y: f64,
        w: f64,
        h: f64,
    },
}

/// One page's drawing operations.
#[derive(Default)]
pub struct Page {
    ops: Vec<Op>,
}

impl Page {
    /// Text at (x, y) from the bottom-left corner, `size` points.
    pub fn text(&mut self, x: f64, y: f64, size: f64, s: &str) {
        self.ops.push(Op::Text {
            x,
            y,
            size,
            s: s.to_string(),
        });
    }
    /// A line from (x1, y1) to (x2, y2).
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        self.ops.push(Op::Line { x1, y1, x2, y2 });
    }
    /// A filled rectangle whose top-left corner is (x, y) from the bottom-left of the page.
    pub fn rect(&mut self, x: f64, y: f64, w: f64, h: f64) {
        self.ops.push(Op::Rect { x, y, w, h });
    }
}

/// The font of `path`, read once per process (a receipt is printed many times a day).
pub fn font(path: &Path) -> CoreResult<Font> {
    static LOADED: Mutex<Option<(PathBuf, Font)>> = Mutex::new(None);
    let mut loaded = LOADED.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((p, f)) = loaded.as_ref()
        && p == path
    {
        return Ok(f.clone());
    }
    let missing = || CoreError::Unavailable {
        code: CommonCode::PdfFontMissing,
        detail: path.display().to_string(),
    };
    let data = std::fs::read(path).map_err(|_| missing())?;
    let f = Font::new(data.into(), 0).ok_or_else(missing)?;
    *loaded = Some((path.to_path_buf(), f.clone()));
    Ok(f)
}

/// Assembles pages into a PDF file with `font` embedded.
pub fn document(pages: &[Page], font: &Font) -> CoreResult<Vec<u8>> {
    let mut doc = Document::new();
    let size = PageSettings::from_wh(W as f32, H as f32)
        .ok_or_else(|| CoreError::Internal("page size".into()))?;
    for p in pages {
        let mut page = doc.start_page_with(size.clone());
        let mut surface = page.surface();
        for op in &p.ops {
            match op {
                Op::Text { x, y, size, s } => surface.draw_text(
                    Point::from_xy(*x as f32, (H - y) as f32),
                    font.clone(),
                    *size as f32,
                    s,
                    false,
                    TextDirection::Auto,
                ),
                Op::Line { x1, y1, x2, y2 } => {
                    let mut b = PathBuilder::new();
                    b.move_to(*x1 as f32, (H - y1) as f32);
                    b.line_to(*x2 as f32, (H - y2) as f32);
                    if let Some(path) = b.finish() {
                        // Stroked, not filled; text is filled only (a stroke set while
                        // drawing text would outline its glyphs).
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            width: 0.6,
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                        surface.set_stroke(None);
                        surface.set_fill(Some(Fill::default()));
                    }
                }
                Op::Rect { x, y, w, h } => {
                    let mut b = PathBuilder::new();
                    let (top, left) = ((H - y) as f32, *x as f32);
                    b.move_to(left, top);
                    b.line_to(left + *w as f32, top);
                    b.line_to(left + *w as f32, top + *h as f32);
                    b.line_to(left, top + *h as f32);
                    b.close();
                    if let Some(path) = b.finish() {
                        surface.draw_path(&path);
                    }
                }
            }
        }
        surface.finish();
        page.finish();
    }
    doc.finish()
        .map_err(|e| CoreError::Internal(format!("PDF: {e:?}")))
}

/// The full-width yuan sign, as Chinese forms print it.
fn yuan(f: i64) -> String {
    format!("￥{}", Money(f).grouped())
}

/// A receipt on the top half of an A4 page (the usual 收据 size, cut or folded).
pub fn receipt_pdf(r: &Receipt, method: &str, kind: &str, font: &Font) -> CoreResult<Vec<u8>> {
    let mut p = Page::default();
    let left = 50.0;
    let right = W - 50.0;
    let mut y = H - 60.0;
    p.text(left, y, 18.0, &format!("{} 收据", r.company));
    p.text(right - 150.0, y, 12.0, &r.receipt_no);
    y -= 24.0;
    p.text(left, y, 11.0, &format!("项目：{}", r.community));
    if !kind.is_empty() {
        p.text(right - 150.0, y, 12.0, kind);
    }
    y -= 18.0;
    p.text(
        left,
        y,
        11.0,
        &format!(
            "房屋：{}    交款人：{}    付款方式：{}",
            r.unit_label, r.payment.payer, method
        ),
    );
    y -= 12.0;
    p.line(left, y, right, y);
    y -= 18.0;
    p.text(left, y, 11.0, "收费项目");
    p.text(right - 120.0, y, 11.0, "金额");
    y -= 8.0;
    p.line(left, y, right, y);
    for l in &r.lines {
        y -= 18.0;
        p.text(left, y, 11.0, &l.description);
        p.text(right - 120.0, y, 11.0, &yuan(l.amount_fen));
    }
    if r.payment.to_prepaid_fen != 0 {
        y -= 18.0;
        p.text(left, y, 11.0, "预存");
        p.text(right - 120.0, y, 11.0, &yuan(r.payment.to_prepaid_fen));
    }
    y -= 10.0;
    p.line(left, y, right, y);
    y -= 20.0;
    p.text(
        left,
        y,
        12.0,
        &format!(
            "合计：{}    大写：{}",
            yuan(r.payment.amount_fen),
            r.amount_capitals
        ),
    );
    y -= 20.0;
    let reason = r
        .payment
        .reason
        .as_deref()
        .map(|x| format!("    原因：{x}"))
        .unwrap_or_default();
    p.text(
        left,
        y,
        10.0,
        &format!(
            "收款人：{}    时间：{}{reason}",
            r.payment.cashier_name, r.paid_at_local
        ),
    );
    y -= 16.0;
    let owed = if r.still_owed_fen > 0 {
        format!("    尚欠：{}", yuan(r.still_owed_fen))
    } else {
        String::new()
    };
    p.text(
        left,
        y,
        10.0,
        &format!("预存余额：{}{owed}", yuan(r.prepaid_after_fen)),
    );
    document(&[p], font)
}

/// A batch of reminder notices, one page each.
pub fn notices_pdf(b: &NoticeBatch, font: &Font) -> CoreResult<Vec<u8>> {
    let pages: Vec<Page> = b
        .notices
        .iter()
        .map(|n| {
            let mut p = Page::default();
            let left = 60.0;
            let right = W - 60.0;
            let mut y = H - 80.0;
            p.text(W / 2.0 - 54.0, y, 20.0, "催缴通知单");
            y -= 40.0;
            let to = n
                .owner_name
                .as_deref()
                .map(|o| format!("{} {o} 业主：", n.unit_label))
                .unwrap_or_else(|| format!("{} 业主/住户：", n.unit_label));
            p.text(left, y, 12.0, &to);
            y -= 24.0;
            for line in [
                format!(
                    "截至 {}，您的房屋尚有以下费用未缴，请尽快到物业服务中心缴纳。",
                    b.as_of
                ),
                "逾期将按公示的收费标准计收滞纳金。如已缴纳，请忽略本通知。".to_string(),
            ] {
                p.text(left, y, 11.0, &line);
                y -= 18.0;
            }
            y -= 6.0;
            p.line(left, y, right, y);
            y -= 18.0;
            p.text(left, y, 11.0, "费用");
            p.text(right - 190.0, y, 11.0, "截止日");
            p.text(right - 90.0, y, 11.0, "未缴金额");
            for c in n.charges.iter().take(30) {
                y -= 18.0;
                p.text(left, y, 10.5, &c.description);
                p.text(right - 190.0, y, 10.5, &c.due_date.to_string());
                p.text(right - 90.0, y, 10.5, &yuan(Charge::outstanding(c)));
            }
            if n.late_fee_fen > 0 {
                y -= 18.0;
                p.text(left, y, 10.5, "滞纳金");
                p.text(right - 90.0, y, 10.5, &yuan(n.late_fee_fen));
            }
            y -= 10.0;
            p.line(left, y, right, y);
            y -= 20.0;
            let total = n.owed_fen + n.late_fee_fen;
            p.text(
                left,
                y,
                12.0,
                &format!("合计：{}（{}）", yuan(total), capitals(total)),
            );
            y -= 40.0;
            p.text(
                right - 220.0,
                y,
                11.0,
                &format!("{} {}", b.company, b.community),
            );
            y -= 18.0;
            p.text(right - 220.0, y, 11.0, &b.as_of.to_string());
            p
        })
        .collect();
    if pages.is_empty() {
        let mut p = Page::default();
        p.text(60.0, H - 80.0, 14.0, "没有符合条件的欠费户。");
        return document(&[p], font);
    }
    document(&pages, font)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_font_is_a_clear_error_naming_it() {
        let e = font(Path::new("/nonexistent/wuye-font.ttc")).expect_err("an error");
        match e {
            CoreError::Unavailable { code, detail } => {
                assert_eq!(code, CommonCode::PdfFontMissing);
                assert_eq!(detail, "/nonexistent/wuye-font.ttc");
            }
            e => panic!("{e:?}"),
        }
    }
}
