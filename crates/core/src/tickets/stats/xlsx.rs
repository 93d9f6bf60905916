//! The quarterly complaint analysis as a workbook: a summary sheet and the list of complaints,
//! labelled in the caller's language (codes become names here, not in the analysis).

use std::collections::HashMap;

use rust_xlsxwriter::{Format, Workbook};

use crate::Core;
use crate::shared::ctx::Ctx;
use crate::shared::error::CoreResult;
use crate::shared::xlsx::{header_format, write_header_cells, write_header_row, xlsx_err};

use super::super::model::{ClockKind, RequestKind, RequestState};
use super::ComplaintAnalysis;

/// The labels the workbook needs, in the caller's language.
pub struct SheetLabels {
    pub category: HashMap<String, String>,
    pub kind: HashMap<String, String>,
    pub state: HashMap<String, String>,
    pub clock: HashMap<String, String>,
}

fn pct(r: Option<f64>) -> String {
    r.map(|x| format!("{:.1}%", x * 100.0))
        .unwrap_or_else(|| "—".into())
}

/// The quarterly complaint analysis as .xlsx: a summary sheet and the list of complaints.
pub fn complaint_analysis_xlsx(a: &ComplaintAnalysis, l: &SheetLabels) -> CoreResult<Vec<u8>> {
    let label =
        |m: &HashMap<String, String>, k: &str| m.get(k).cloned().unwrap_or_else(|| k.to_string());
    let mut wb = Workbook::new();
    let head = header_format();
    let title = Format::new().set_bold().set_font_size(14);
    {
        let ws = wb.add_worksheet();
        ws.set_name("汇总").map_err(xlsx_err)?;
        ws.set_column_width(0, 18).map_err(xlsx_err)?;
        for c in 1..8 {
            ws.set_column_width(c, 12).map_err(xlsx_err)?;
        }
        ws.write_string_with_format(
            0,
            0,
            format!("{} 年第 {} 季度投诉汇总分析", a.year, a.quarter),
            &title,
        )
        .map_err(xlsx_err)?;
        ws.write_string(1, 0, format!("统计期间：{} 至 {}", a.from, a.to))
            .map_err(xlsx_err)?;
        let facts: [(&str, String); 6] = [
            ("投诉总数", a.total.count.to_string()),
            ("其中重大投诉", a.serious.to_string()),
            ("上季度投诉数", a.previous_total.to_string()),
            ("环比变化", pct(a.change_rate)),
            (
                "满意度（平均分）",
                a.total
                    .satisfaction
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_else(|| "—".into()),
            ),
            ("重新打开率", pct(a.total.reopen_rate)),
        ];
        for (i, (k, v)) in facts.iter().enumerate() {
            ws.write_string(3 + i as u32, 0, *k).map_err(xlsx_err)?;
            ws.write_string(3 + i as u32, 1, v).map_err(xlsx_err)?;
        }
        let mut r = 10u32;
        write_header_cells(
            ws,
            r,
            &[
                "类别",
                "投诉数",
                "已解决",
                "解决率",
                "一次解决率",
                "满意度",
                "平均处理（分钟）",
            ],
            &head,
        )?;
        for g in &a.by_category {
            r += 1;
            ws.write_string(r, 0, label(&l.category, &g.key))
                .map_err(xlsx_err)?;
            ws.write_number(r, 1, g.count as f64).map_err(xlsx_err)?;
            ws.write_number(r, 2, g.resolved as f64).map_err(xlsx_err)?;
            ws.write_string(r, 3, pct(g.resolution_rate))
                .map_err(xlsx_err)?;
            ws.write_string(r, 4, pct(g.first_time_fix_rate))
                .map_err(xlsx_err)?;
            ws.write_string(
                r,
                5,
                g.satisfaction
                    .map(|s| format!("{s:.2}"))
                    .unwrap_or_default(),
            )
            .map_err(xlsx_err)?;
            if let Some(m) = g.avg_handling_minutes {
                ws.write_number(r, 6, m as f64).map_err(xlsx_err)?;
            }
        }
        r += 2;
        write_header_cells(
            ws,
            r,
            &["时限", "按时", "超时完成", "超时未完成", "按时率"],
            &head,
        )?;
        for c in &a.clocks {
            r += 1;
            ws.write_string(r, 0, label(&l.clock, &c.clock))
                .map_err(xlsx_err)?;
            ws.write_number(r, 1, c.met_on_time as f64)
                .map_err(xlsx_err)?;
            ws.write_number(r, 2, c.met_late as f64).map_err(xlsx_err)?;
            ws.write_number(r, 3, c.overdue as f64).map_err(xlsx_err)?;
            ws.write_string(r, 4, pct(c.on_time_rate))
                .map_err(xlsx_err)?;
        }
        r += 2;
        write_header_cells(ws, r, &["重复投诉房屋", "投诉次数"], &head)?;
        for u in &a.repeat_units {
            r += 1;
            ws.write_string(r, 0, &u.unit_label).map_err(xlsx_err)?;
            ws.write_number(r, 1, u.complaints as f64)
                .map_err(xlsx_err)?;
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("投诉明细").map_err(xlsx_err)?;
        write_header_row(
            ws,
            &[
                ("单号", 12.0),
                ("日期", 12.0),
                ("类型", 10.0),
                ("类别", 10.0),
                ("房屋/位置", 14.0),
                ("内容", 40.0),
                ("状态", 10.0),
                ("满意度", 8.0),
                ("处理时长（分钟）", 14.0),
                ("重开次数", 8.0),
            ],
        )?;
        for (i, it) in a.items.iter().enumerate() {
            let r = i as u32 + 1;
            ws.write_string(r, 0, &it.number).map_err(xlsx_err)?;
            ws.write_string(r, 1, &it.created_day).map_err(xlsx_err)?;
            ws.write_string(r, 2, label(&l.kind, &it.kind))
                .map_err(xlsx_err)?;
            ws.write_string(r, 3, label(&l.category, &it.category))
                .map_err(xlsx_err)?;
            ws.write_string(
                r,
                4,
                it.unit_label
                    .clone()
                    .or(it.location.clone())
                    .unwrap_or_default(),
            )
            .map_err(xlsx_err)?;
            ws.write_string(r, 5, crate::registry::import::mask_numbers(&it.description))
                .map_err(xlsx_err)?;
            ws.write_string(r, 6, label(&l.state, &it.state))
                .map_err(xlsx_err)?;
            if let Some(s) = it.satisfaction {
                ws.write_number(r, 7, s as f64).map_err(xlsx_err)?;
            }
            if let Some(s) = it.handling_seconds {
                ws.write_number(r, 8, (s / 60) as f64).map_err(xlsx_err)?;
            }
            ws.write_number(r, 9, it.reopen_count as f64)
                .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn table<T>(all: &[(T, &str, &str, &str)]) -> HashMap<String, String> {
    all.iter()
        .map(|(_, c, zh, _)| (c.to_string(), zh.to_string()))
        .collect()
}

/// Default labels (Chinese) from the code tables and the company's categories.
pub async fn sheet_labels(core: &Core, ctx: &Ctx) -> CoreResult<SheetLabels> {
    let cats = super::super::settings::list_categories(core, ctx).await?;
    Ok(SheetLabels {
        category: cats.into_iter().map(|c| (c.code, c.name_zh)).collect(),
        kind: table(RequestKind::ALL),
        state: table(RequestState::ALL),
        clock: table(ClockKind::ALL),
    })
}
