//! The opening-arrears template: the sheet to fill in (header, text-formatted label and month
//! columns so Excel keeps `2025-07` as typed, the community's fee items as a drop-down, an
//! example row) and a 说明 sheet explaining every column and the rules of the import.

use rust_xlsxwriter::{DataValidation, Format, Workbook, Worksheet};

use crate::Core;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::CoreResult;
use crate::shared::ids::CommunityId;
use crate::shared::xlsx::{freeze_header, header_format, xlsx_err};

use super::*;

/// The template with the community's active fee items (names) as the drop-down of 收费项目.
pub async fn opening_template_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<u8>> {
    ctx.require_in(Perm::BillingManage, community)?;
    let names: Vec<String> = store::fee_items::list(&mut core.db.read(), community)
        .await?
        .into_iter()
        .filter(|i| i.active)
        .map(|i| i.name)
        .collect();
    build(&names)
}

/// The template without a community (the CLI's, before one is chosen): 收费项目 is free text.
pub fn blank_opening_template_xlsx() -> CoreResult<Vec<u8>> {
    build(&[])
}

fn build(items: &[String]) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let required = header_format().set_font_color(0xC00000);
    let optional = header_format();
    let text = Format::new().set_num_format("@");
    {
        let ws = wb.add_worksheet();
        ws.set_name("期初欠费").map_err(xlsx_err)?;
        for (i, c) in COLUMNS.iter().enumerate() {
            ws.set_column_width(i as u16, c.width).map_err(xlsx_err)?;
            ws.write_string_with_format(
                0,
                i as u16,
                c.header,
                if c.required { &required } else { &optional },
            )
            .map_err(xlsx_err)?;
        }
        for col in [UNIT, FEE_ITEM, PERIOD_FROM, PERIOD_TO, DUE_DATE] {
            ws.set_column_format(col as u16, &text).map_err(xlsx_err)?;
        }
        // A list validation holds at most 255 characters of names: a longer list is left out
        // rather than cut (a code or a name typed by hand is accepted all the same).
        let joined: usize = items.iter().map(|n| n.chars().count() + 1).sum();
        if !items.is_empty() && joined <= 255 {
            let dv = DataValidation::new()
                .allow_list_strings(items)
                .map_err(xlsx_err)?
                .ignore_blank(true);
            ws.add_data_validation(1, FEE_ITEM as u16, 1_048_575, FEE_ITEM as u16, &dv)
                .map_err(xlsx_err)?;
        }
        freeze_header(ws)?;
        example(ws, &text, items.first().map_or("物业费", String::as_str))?;
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("说明").map_err(xlsx_err)?;
        let wrap = Format::new().set_text_wrap();
        for (i, (h, w)) in [("列名", 12.0), ("是否必填", 10.0), ("说明", 70.0)]
            .into_iter()
            .enumerate()
        {
            ws.set_column_width(i as u16, w).map_err(xlsx_err)?;
            ws.write_string_with_format(0, i as u16, h, &optional)
                .map_err(xlsx_err)?;
        }
        for (i, c) in COLUMNS.iter().enumerate() {
            let row = i as u32 + 1;
            ws.write_string(row, 0, c.header).map_err(xlsx_err)?;
            ws.write_string(row, 1, if c.required { "是" } else { "否" })
                .map_err(xlsx_err)?;
            ws.write_string_with_format(row, 2, c.help, &wrap)
                .map_err(xlsx_err)?;
        }
        let notes = [
            "每行是一套房屋一个收费项目一个账期的欠费。导入当天即切换日期：账期不能晚于当月，原应缴日期不能晚于今天。",
            "导入时先检查全部行：只要有一处错误，整个文件都不会导入，并逐行列出错误（行号、列名、原因）。可先“预览”，预览不写入任何数据。",
            "同一文件重复导入不会重复入账；同一房屋、收费项目和账期已导入过的行会被拒绝。",
            "期初欠费按原应缴日期计算账龄，不计入切换当期的收缴率和收入；收到款项时计入收款当天的收入。",
            "第一行是列名，列的顺序可以调整；第2行是示例，导入前请删除或改成真实数据。",
        ];
        let base = COLUMNS.len() as u32 + 2;
        for (i, n) in notes.iter().enumerate() {
            ws.write_string(base + i as u32, 0, *n).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn example(ws: &mut Worksheet, text: &Format, item: &str) -> CoreResult<()> {
    let r = 1;
    for (col, v) in [
        (UNIT, "1栋-1801"),
        (FEE_ITEM, item),
        (PERIOD_FROM, "2025-07"),
        (PERIOD_TO, "2025-09"),
        (DUE_DATE, "2025-07-15"),
    ] {
        ws.write_string_with_format(r, col as u16, v, text)
            .map_err(xlsx_err)?;
    }
    ws.write_number(r, AMOUNT as u16, 630.98)
        .map_err(xlsx_err)?;
    ws.write_number(r, PAID as u16, 100.0).map_err(xlsx_err)?;
    ws.write_number(r, LATE_FEE as u16, 12.5)
        .map_err(xlsx_err)?;
    ws.write_string(r, NOTE as u16, crate::shared::xlsx::EXAMPLE_NOTE)
        .map_err(xlsx_err)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_has_the_columns_and_the_notes_sheet() {
        let bytes = build(&["物业费".into(), "停车费".into()]).expect("template");
        let range = crate::shared::xlsx::first_sheet(bytes).expect("sheet");
        let header: Vec<String> = range
            .rows()
            .next()
            .expect("header")
            .iter()
            .map(|d| d.to_string())
            .collect();
        let want: Vec<&str> = COLUMNS.iter().map(|c| c.header).collect();
        assert_eq!(header, want);
    }
}
