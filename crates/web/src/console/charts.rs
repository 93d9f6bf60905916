//! Charts drawn on the server as inline SVG: bars, stacked bars and a line, each with its
//! numbers written on it and a `<title>`, so a chart reads without script, prints as shown and
//! says what it shows to a screen reader. Sizes are in viewBox units: the SVG scales to its box.

use std::fmt::Write;

use crate::locale::Locale;

/// One bar, or one point of a line: its label under the axis, its value and the text shown.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: f64, shown: impl Into<String>) -> Self {
        Bar {
            label: label.into(),
            value,
            shown: shown.into(),
        }
    }
}

/// One row of a stacked bar chart: its label and one value per series.
pub struct Stack {
    pub label: String,
    pub values: Vec<i64>,
}

/// A series of a stacked chart: its name in the legend and its CSS class (`s-bad`, `s-warn`,
/// `s-ok`, `s-idle`, `s-0`…`s-3`).
pub struct Series<'a> {
    pub name: &'a str,
    pub class: &'a str,
}

/// A period `2026-12` under its chart's axis: "12月", "Dec".
pub fn month_label(period: &str, l: Locale) -> String {
    let m: usize = period.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(0);
    const EN: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    match (l, m) {
        (_, 0) | (_, 13..) => period.to_string(),
        (Locale::En, m) => EN[m - 1].to_string(),
        (_, m) => format!("{m}月"),
    }
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

const W: f64 = 480.0;
const H: f64 = 220.0;
/// Below the title line.
const TOP: f64 = 44.0;
const BOTTOM: f64 = 36.0;
const LEFT: f64 = 8.0;

fn open(o: &mut String, id: &str, title: &str, height: f64) {
    let _ = write!(
        o,
        r#"<svg class="chart" id="{}" viewBox="0 0 {W} {height}" role="img" aria-labelledby="{}-t"><title id="{}-t">{}</title>"#,
        esc(id),
        esc(id),
        esc(id),
        esc(title)
    );
    let _ = write!(
        o,
        r#"<text class="ttl" x="{LEFT}" y="18">{}</text>"#,
        esc(title)
    );
}

fn empty(o: &mut String, height: f64, none: &str) {
    let _ = write!(
        o,
        r#"<text class="none" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        W / 2.0,
        height / 2.0,
        esc(none)
    );
}

/// Vertical bars scaled to `max` (or the largest value), each with its shown value above it.
pub fn bars(id: &str, title: &str, items: &[Bar], max: Option<f64>, none: &str) -> String {
    let mut o = String::new();
    open(&mut o, id, title, H);
    let top = max
        .unwrap_or(0.0)
        .max(items.iter().map(|b| b.value).fold(0.0, f64::max));
    let base = H - BOTTOM;
    let _ = write!(
        o,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/>"#,
        W - LEFT
    );
    if items.is_empty() || top <= 0.0 {
        empty(&mut o, H, none);
    } else {
        let slot = (W - 2.0 * LEFT) / items.len() as f64;
        let width = (slot * 0.6).min(56.0);
        for (i, b) in items.iter().enumerate() {
            let x = LEFT + slot * i as f64 + (slot - width) / 2.0;
            let h = (b.value.max(0.0) / top) * (base - TOP);
            let cx = x + width / 2.0;
            let _ = write!(
                o,
                r#"<rect class="bar" x="{x:.1}" y="{:.1}" width="{width:.1}" height="{h:.1}"><title>{}：{}</title></rect><text class="val" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text><text class="lbl" x="{cx:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                base - h,
                esc(&b.label),
                esc(&b.shown),
                base - h - 6.0,
                esc(&b.shown),
                base + 18.0,
                esc(&b.label)
            );
        }
    }
    o.push_str("</svg>");
    o
}

/// A line through the points that have a value (a gap where one has none), scaled to `max`.
pub fn line(
    id: &str,
    title: &str,
    points: &[(String, Option<f64>, String)],
    max: f64,
    none: &str,
) -> String {
    let mut o = String::new();
    open(&mut o, id, title, H);
    let base = H - BOTTOM;
    let _ = write!(
        o,
        r#"<line class="axis" x1="{LEFT}" y1="{base}" x2="{}" y2="{base}"/>"#,
        W - LEFT
    );
    if points.iter().all(|p| p.1.is_none()) || max <= 0.0 {
        empty(&mut o, H, none);
        o.push_str("</svg>");
        return o;
    }
    let slot = (W - 2.0 * LEFT) / points.len().max(1) as f64;
    let at = |i: usize, v: f64| {
        (
            LEFT + slot * i as f64 + slot / 2.0,
            base - (v.clamp(0.0, max) / max) * (base - TOP),
        )
    };
    let mut path = String::new();
    let mut pen_down = false;
    for (i, (_, v, _)) in points.iter().enumerate() {
        match v {
            Some(v) => {
                let (x, y) = at(i, *v);
                let _ = write!(path, "{}{x:.1},{y:.1} ", if pen_down { "L" } else { "M" });
                pen_down = true;
            }
            None => pen_down = false,
        }
    }
    let _ = write!(o, r#"<path class="line" d="{}"/>"#, path.trim_end());
    for (i, (label, v, shown)) in points.iter().enumerate() {
        let (x, _) = at(i, 0.0);
        if let Some(v) = v {
            let (x, y) = at(i, *v);
            let _ = write!(
                o,
                r#"<circle class="dot" cx="{x:.1}" cy="{y:.1}" r="4"><title>{}：{}</title></circle><text class="val" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
                esc(label),
                esc(shown),
                y - 9.0,
                esc(shown)
            );
        }
        let _ = write!(
            o,
            r#"<text class="lbl" x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"#,
            base + 18.0,
            esc(label)
        );
    }
    o.push_str("</svg>");
    o
}

/// Horizontal bars, one per row, each cut into its series (scaled to the largest row's sum),
/// with the legend on top and each row's total at its end.
pub fn stacked(id: &str, title: &str, rows: &[Stack], series: &[Series<'_>], none: &str) -> String {
    let row_h = 30.0;
    // Room for the longest label at 12 px: a Chinese character about 12 units, a Latin one 6.5.
    let label_w = rows
        .iter()
        .map(|r| {
            r.label
                .chars()
                .map(|c| if c.is_ascii() { 6.5 } else { 12.0 })
                .sum::<f64>()
        })
        .fold(0.0, f64::max)
        .clamp(48.0, 180.0)
        + 10.0;
    // An empty chart keeps room under its legend for the words that say so.
    let height = TOP + 8.0 + row_h * rows.len().max(3) as f64 + 8.0;
    let mut o = String::new();
    open(&mut o, id, title, height);
    let mut x = LEFT;
    for s in series {
        let _ = write!(
            o,
            r#"<rect class="{}" x="{x:.1}" y="28" width="12" height="12"/><text class="lgd" x="{:.1}" y="38">{}</text>"#,
            esc(s.class),
            x + 16.0,
            esc(s.name)
        );
        x += 28.0 + 13.0 * s.name.chars().count() as f64;
    }
    let top = rows
        .iter()
        .map(|r| r.values.iter().sum::<i64>())
        .max()
        .unwrap_or(0);
    if top <= 0 {
        empty(&mut o, height + TOP / 2.0, none);
        o.push_str("</svg>");
        return o;
    }
    let span = W - LEFT - label_w - 56.0;
    for (i, r) in rows.iter().enumerate() {
        let y = TOP + 8.0 + row_h * i as f64;
        let _ = write!(
            o,
            r#"<text class="lbl" x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#,
            LEFT + label_w - 6.0,
            y + 17.0,
            esc(&r.label)
        );
        let mut x = LEFT + label_w;
        for (v, s) in r.values.iter().zip(series) {
            if *v <= 0 {
                continue;
            }
            let w = *v as f64 / top as f64 * span;
            let _ = write!(
                o,
                r#"<rect class="{}" x="{x:.1}" y="{:.1}" width="{w:.1}" height="22"><title>{} {}：{v}</title></rect>"#,
                esc(s.class),
                y + 2.0,
                esc(&r.label),
                esc(s.name)
            );
            x += w;
        }
        let _ = write!(
            o,
            r#"<text class="val" x="{:.1}" y="{:.1}">{}</text>"#,
            x + 6.0,
            y + 17.0,
            r.values.iter().sum::<i64>()
        );
    }
    o.push_str("</svg>");
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_and_escape_labels() {
        let s = bars(
            "c",
            "收缴率 <月>",
            &[
                Bar::new("10月", 50.0, "50%"),
                Bar::new("A&B", 100.0, "100%"),
            ],
            None,
            "无数据",
        );
        assert!(s.contains("收缴率 &lt;月&gt;"), "{s}");
        assert!(s.contains("A&amp;B"));
        // The largest bar spans the plot's height (220 − 36 − 44 = 140), the other half of it.
        assert!(s.contains(r#"height="140.0""#), "{s}");
        assert!(s.contains(r#"height="70.0""#), "{s}");
        assert!(!s.contains("无数据"));
        assert!(bars("c", "t", &[], None, "无数据").contains("无数据"));
    }

    #[test]
    fn a_line_breaks_where_a_point_has_no_value() {
        let p = |l: &str, v: Option<f64>| (l.to_string(), v, String::new());
        let s = line(
            "l",
            "t",
            &[p("1", Some(1.0)), p("2", None), p("3", Some(0.5))],
            1.0,
            "-",
        );
        assert_eq!(s.matches('M').count(), 2, "{s}");
        assert!(!s.contains('L'), "{s}");
        assert_eq!(s.matches("<circle").count(), 2);
    }

    #[test]
    fn stacked_rows_show_their_totals() {
        let s = stacked(
            "s",
            "t",
            &[Stack {
                label: "响应".into(),
                values: vec![2, 0, 3],
            }],
            &[
                Series {
                    name: "超时",
                    class: "s-bad",
                },
                Series {
                    name: "预警",
                    class: "s-warn",
                },
                Series {
                    name: "计时中",
                    class: "s-ok",
                },
            ],
            "-",
        );
        // Three legend keys, two segments (a zero draws nothing).
        assert_eq!(s.matches("<rect").count(), 3 + 2, "{s}");
        assert!(s.contains(">5</text>"), "{s}");
    }
}
