//! Receipts (收据) and reminder notices (催缴通知单) as PDF files with Chinese text.
//!
//! Written by hand rather than with a PDF crate: a receipt needs text, lines and one font, and
//! PDF's standard CJK font `STSong-Light` with the `UniGB-UCS2-H` encoding (Adobe-GB1) needs no
//! font file at all — every PDF reader (Acrobat, pdf.js in browsers, Poppler, phones) supplies
//! it — so a receipt is a couple of kilobytes, the binary carries no font, and no dependency or
//! system font is needed to make one. Text is written as UCS-2 (every Chinese character in use is
//! in the Basic Multilingual Plane; anything outside it is written as "?").

use std::fmt::Write as _;

use super::arrears::NoticeBatch;
use super::ledger::Charge;
use super::model::capitals;
use super::receipts::Receipt;
use crate::shared::money::Money;

/// A4 in points.
const W: f64 = 595.0;
const H: f64 = 842.0;

/// One page's drawing operations.
#[derive(Default)]
pub struct Page {
    ops: String,
}

impl Page {
    /// Text at (x, y) from the bottom-left corner, `size` points.
    pub fn text(&mut self, x: f64, y: f64, size: f64, s: &str) {
        let mut hex = String::with_capacity(s.len() * 4);
        for c in s.chars() {
            let u = u32::from(c);
            let u = if u > 0xFFFF { u32::from('?') } else { u };
            let _ = write!(hex, "{u:04X}");
        }
        let _ = writeln!(
            self.ops,
            "BT /F1 {size:.1} Tf {x:.1} {y:.1} Td <{hex}> Tj ET"
        );
    }
    /// A line from (x1, y1) to (x2, y2).
    pub fn line(&mut self, x1: f64, y1: f64, x2: f64, y2: f64) {
        let _ = writeln!(self.ops, "0.6 w {x1:.1} {y1:.1} m {x2:.1} {y2:.1} l S");
    }
}

/// Assembles pages into a PDF file.
pub fn document(pages: &[Page]) -> Vec<u8> {
    let mut out: Vec<u8> = b"%PDF-1.4\n%\xE2\xE3\xCF\xD3\n".to_vec();
    let mut offsets = Vec::new();
    let obj = |out: &mut Vec<u8>, offsets: &mut Vec<usize>, body: &str| {
        offsets.push(out.len());
        let n = offsets.len();
        out.extend_from_slice(format!("{n} 0 obj\n{body}\nendobj\n").as_bytes());
    };
    // 1 catalog, 2 pages, 3 font, 4 descendant font, 5 descriptor; then page, content pairs.
    let kids: Vec<String> = (0..pages.len())
        .map(|i| format!("{} 0 R", 6 + 2 * i))
        .collect();
    obj(&mut out, &mut offsets, "<< /Type /Catalog /Pages 2 0 R >>");
    obj(
        &mut out,
        &mut offsets,
        &format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            pages.len()
        ),
    );
    obj(
        &mut out,
        &mut offsets,
        "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [4 0 R] >>",
    );
    obj(
        &mut out,
        &mut offsets,
        "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light \
         /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor 5 0 R \
         /DW 1000 /W [1 95 500] >>",
    );
    obj(
        &mut out,
        &mut offsets,
        "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] \
         /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
    );
    for (i, p) in pages.iter().enumerate() {
        obj(
            &mut out,
            &mut offsets,
            &format!(
                "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {W} {H}] /Resources << /Font << /F1 3 0 R >> >> /Contents {} 0 R >>",
                7 + 2 * i
            ),
        );
        obj(
            &mut out,
            &mut offsets,
            &format!("<< /Length {} >>\nstream\n{}endstream", p.ops.len(), p.ops),
        );
    }
    let xref = out.len();
    let mut x = format!("xref\n0 {}\n0000000000 65535 f \n", offsets.len() + 1);
    for o in &offsets {
        let _ = writeln!(x, "{o:010} 00000 n ");
    }
    let _ = write!(
        x,
        "trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n",
        offsets.len() + 1
    );
    out.extend_from_slice(x.as_bytes());
    out
}

/// The full-width yuan sign: GB2312 has it, the half-width one is not in every reader's CMap.
fn yuan(f: i64) -> String {
    format!("￥{}", Money(f))
}

/// A receipt on the top half of an A4 page (the usual 收据 size, cut or folded).
pub fn receipt_pdf(r: &Receipt, method: &str, kind: &str) -> Vec<u8> {
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
    p.text(
        left,
        y,
        10.0,
        &format!("预存余额：{}", yuan(r.prepaid_after_fen)),
    );
    document(&[p])
}

/// A batch of reminder notices, one page each.
pub fn notices_pdf(b: &NoticeBatch) -> Vec<u8> {
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
            p.text(left, y, 12.0, &format!("{} 业主/住户：", n.unit_label));
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
            y -= 10.0;
            p.line(left, y, right, y);
            y -= 20.0;
            p.text(
                left,
                y,
                12.0,
                &format!("合计：{}（{}）", yuan(n.owed_fen), capitals(n.owed_fen)),
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
        return document(&[p]);
    }
    document(&pages)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pdf_with_chinese_text_and_a_consistent_xref() {
        let mut p = Page::default();
        p.text(50.0, 800.0, 12.0, "收据 ￥21.50 贰拾壹元伍角");
        let pdf = document(&[p]);
        let s = String::from_utf8_lossy(&pdf);
        assert!(s.starts_with("%PDF-1.4"));
        assert!(s.contains("/STSong-Light"));
        // 收 = U+6536, 据 = U+636E.
        assert!(s.contains("<6536636E"));
        assert!(s.trim_end().ends_with("%%EOF"));
        // Each xref entry points at its object.
        let xref = s.rfind("\nxref\n").expect("xref") + 1;
        let entries: Vec<usize> = s[xref..]
            .lines()
            .skip(3)
            .take_while(|l| l.ends_with(" n "))
            .map(|l| l[..10].parse().expect("offset"))
            .collect();
        assert_eq!(entries.len(), 7);
        for (i, off) in entries.iter().enumerate() {
            assert!(
                pdf[*off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()),
                "object {}",
                i + 1
            );
        }
    }
}
