//! The import template: the sheet to fill in (header, text-formatted number columns, lists of
//! allowed uses and states, an example row) and a second sheet explaining every column, so a
//! file made from it passes the checks by construction.

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet};

use crate::registry::model::*;
use crate::shared::error::CoreResult;
use crate::shared::xlsx::{freeze_header, header_format, xlsx_err};

use super::*;

fn zh_labels<T>(all: &[(T, &'static str, &'static str, &'static str)]) -> Vec<&'static str> {
    all.iter().map(|(_, _, zh, _)| *zh).collect()
}

/// The template (.xlsx bytes): header row + one example row + a second sheet "说明" explaining
/// each column and the allowed values.
pub fn template_xlsx() -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let required = header_format().set_font_color(0xC00000);
    let optional = header_format();
    let text = Format::new().set_num_format("@");
    let uses = zh_labels(UnitUse::ALL);
    let states = zh_labels(UnitState::ALL);
    {
        let ws = wb.add_worksheet();
        ws.set_name("房屋").map_err(xlsx_err)?;
        for (i, c) in COLUMNS.iter().enumerate() {
            let col = i as u16;
            ws.set_column_width(col, c.width).map_err(xlsx_err)?;
            ws.write_string_with_format(
                0,
                col,
                c.header,
                if c.required { &required } else { &optional },
            )
            .map_err(xlsx_err)?;
        }
        // Text cells, so a phone, an ID number or a unit number typed in keeps its digits.
        for col in [UNIT_NO, OWNER_PHONE, OWNER_ID] {
            ws.set_column_format(col as u16, &text).map_err(xlsx_err)?;
        }
        let last = MAX_IMPORT_ROWS as u32;
        for (col, list) in [(USE_KIND, &uses), (STATE, &states)] {
            let dv = DataValidation::new()
                .allow_list_strings(list)
                .map_err(xlsx_err)?;
            ws.add_data_validation(1, col as u16, last, col as u16, &dv)
                .map_err(xlsx_err)?;
        }
        freeze_header(ws)?;
        write_example(ws, &text)?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明").map_err(xlsx_err)?;
        let wrap = Format::new().set_text_wrap();
        for (i, (h, w)) in [
            ("列名", 12.0),
            ("是否必填", 10.0),
            ("说明", 60.0),
            ("可选值", 40.0),
        ]
        .into_iter()
        .enumerate()
        {
            ws.set_column_width(i as u16, w).map_err(xlsx_err)?;
            ws.write_string_with_format(0, i as u16, h, &optional)
                .map_err(xlsx_err)?;
        }
        for (i, c) in COLUMNS.iter().enumerate() {
            let row = i as u32 + 1;
            let allowed = match i {
                USE_KIND => uses.join("、"),
                STATE => states.join("、"),
                _ => String::new(),
            };
            ws.write_string(row, 0, c.header).map_err(xlsx_err)?;
            ws.write_string(row, 1, if c.required { "是" } else { "否" })
                .map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, c.help, &wrap)
                .map_err(xlsx_err)?;
            ws.write_string(row, 3, allowed).map_err(xlsx_err)?;
        }
        let notes = [
            "第一个工作表的第一行是列名，列的顺序可以调整；多余的列会被忽略。第2行是示例，导入前请删除或改成真实数据。",
            "导入时先检查全部行：只要有一处错误，整个文件都不会导入，并逐行列出错误（行号、列名、原因）。",
            "一次最多导入20万行；空行会被跳过。文件解压后不能超过200 MB。",
        ];
        let base = COLUMNS.len() as u32 + 2;
        for (i, n) in notes.iter().enumerate() {
            ws.write_string(base + i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn write_example(ws: &mut Worksheet, text: &Format) -> CoreResult<()> {
    let r = 1;
    ws.write_string(r, BUILDING as u16, "1栋")
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, UNIT_NO as u16, "101", text)
        .map_err(xlsx_err)?;
    ws.write_number(r, FLOOR as u16, 1.0).map_err(xlsx_err)?;
    ws.write_number(r, BUILDING_AREA as u16, 89.5)
        .map_err(xlsx_err)?;
    ws.write_number(r, INNER_AREA as u16, 72.3)
        .map_err(xlsx_err)?;
    ws.write_string(r, USE_KIND as u16, UnitUse::Residential.zh())
        .map_err(xlsx_err)?;
    ws.write_string(r, STATE as u16, UnitState::Occupied.zh())
        .map_err(xlsx_err)?;
    ws.write_string(r, OWNER_NAME as u16, "张三")
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, OWNER_PHONE as u16, "13812345678", text)
        .map_err(xlsx_err)?;
    ws.write_string_with_format(r, OWNER_ID as u16, "11010519491231002X", text)
        .map_err(xlsx_err)?;
    ws.write_string(r, NOTE as u16, crate::shared::xlsx::EXAMPLE_NOTE)
        .map_err(xlsx_err)?;
    Ok(())
}
