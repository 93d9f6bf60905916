//! The meter baselines import (抄表基数): per meter — its unit and kind, or its id (表编号) — the
//! last reading taken under the old system and its date, so the first period read in wuye
//! charges the right usage (1234.5 then 1250 is 15.5).
//!
//! The rule: a baseline sets the meter's last reading (`last_value`) and its date
//! (`baseline_on`) while the meter has no reading in wuye; a meter already read in wuye is
//! refused by row (`meter_already_read`) — its usage is wuye's own from then on. The meter must
//! exist (installed with its standard on 抄表 or `POST /api/v1/meters`): a unit without that
//! meter is `unknown_meter`. Importing the same file again sets the same values: nothing is
//! created twice.

use std::collections::HashMap;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

use super::super::error::BillingCode;
use super::super::ledger::unit_label;
use super::super::meters::MeterKind;
use super::super::model::{parse_reading, reading_text};
use super::super::setup::*;
use super::super::store;
use super::sheet::{self, Col, Errors};
use super::*;

const UNIT: usize = 0;
const KIND: usize = 1;
const METER: usize = 2;
const VALUE: usize = 3;
const READ_ON: usize = 4;

static COLS: [Col; 5] = [
    Col {
        header: "房号",
        field: "unit",
        required: false,
        width: 14.0,
        help: "填写表编号时可不填，否则必填。房屋，按收费台的写法：楼栋-房号，如“1栋-1801”。",
        list: &[],
        example: "1栋-1801",
    },
    Col {
        header: "表类型",
        field: "kind",
        required: false,
        width: 10.0,
        help: "填写表编号时可不填，否则必填。从下拉列表选择。",
        list: &["水表", "电表", "燃气表"],
        example: "水表",
    },
    Col {
        header: "表编号",
        field: "meter_id",
        required: false,
        width: 10.0,
        help: "选填。系统中的表编号（抄表页面上显示）；填写后按编号找表。",
        list: &[],
        example: "",
    },
    Col {
        header: "读数",
        field: "value",
        required: true,
        width: 12.0,
        help: "必填。原系统最后一次抄表的读数，不小于0，最多两位小数，如1234.5。",
        list: &[],
        example: "1234.5",
    },
    Col {
        header: "抄表日期",
        field: "read_on",
        required: true,
        width: 12.0,
        help: "必填。该读数的抄表日期，如2026-06-30，不能晚于今天。",
        list: &[],
        example: "2026-06-30",
    },
];

/// The meter baselines template (.xlsx).
pub fn meter_baselines_template() -> CoreResult<Vec<u8>> {
    sheet::template(
        "抄表基数",
        &COLS,
        &[
            "表必须先在系统中建好（抄表页面，或接口 POST /api/v1/meters）；基数只能设在系统中还没有抄表记录的表上，已有抄表记录的表会被逐行指出。",
            "导入后该表的上次读数即为基数，第一次抄表的用量 = 本期读数 − 基数。同一文件重复导入只会写入相同的基数。",
        ],
    )
}

/// Imports meter baselines (`billing.manage` in the community): all rows or none; with
/// `preview`, nothing is written.
pub async fn import_meter_baselines(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    bytes: &[u8],
    preview: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<SwitchReport> {
    ctx.require_in(Perm::BillingManage, c)?;
    let mut r = core.db.read();
    let today = today_in(community_tz(&mut r, ctx, c).await?);
    let rows = sheet::read(bytes, &COLS).await?;
    let total = rows.len() * 2;
    // (id, unit, kind, readings)
    let meters = store::switch::meters_with_readings(&mut r, c).await?;
    let by_id: HashMap<i64, (i64, String, i64)> = meters
        .iter()
        .map(|(id, u, k, n)| (*id, (*u, k.clone(), *n)))
        .collect();
    let by_unit: HashMap<(i64, String), i64> = meters
        .iter()
        .map(|(id, u, k, _)| ((*u, k.clone()), *id))
        .collect();
    let mut errs = Errors::new(&COLS);
    let mut units = UnitCache::new();
    let mut seen: HashMap<i64, usize> = HashMap::new();
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        progress(i, total);
        let id = errs.text(row, METER).flatten();
        let value = errs
            .required(row, VALUE)
            .and_then(|v| errs.take(row.n, VALUE, parse_reading("value", &v)));
        let read_on = errs.date(row, READ_ON).and_then(|d| {
            let r = if d > today {
                Err(FieldError::new("read_on", BillingCode::DateInFuture))
            } else {
                Ok(d)
            };
            errs.take(row.n, READ_ON, r)
        });
        let (meter, col) = if let Some(id) = id {
            let m = id
                .parse::<i64>()
                .ok()
                .filter(|m| by_id.contains_key(m))
                .ok_or_else(|| FieldError::new("meter_id", BillingCode::UnknownMeter));
            (errs.take(row.n, METER, m), METER)
        } else {
            let unit = match errs.required(row, UNIT) {
                Some(l) => errs.take(row.n, UNIT, units.get(core, ctx, c, &l, "unit").await),
                None => None,
            };
            let kind = errs
                .required(row, KIND)
                .and_then(|k| errs.take(row.n, KIND, MeterKind::parse("kind", &k)));
            let m = match (unit, kind) {
                (Some(u), Some(k)) => {
                    let m = by_unit
                        .get(&(u.0, k.code().to_string()))
                        .copied()
                        .ok_or_else(|| FieldError::new("kind", BillingCode::UnknownMeter));
                    errs.take(row.n, KIND, m)
                }
                _ => None,
            };
            (m, KIND)
        };
        let Some(meter) = meter else { continue };
        if let Some(first) = seen.get(&meter) {
            let f = COLS[col].field;
            errs.push(
                row.n,
                col,
                FieldError::new(f, SwitchCode::DuplicateRow).with("row", first),
            );
            continue;
        }
        seen.insert(meter, row.n);
        let Some((unit, kind, readings)) = by_id.get(&meter).cloned() else {
            continue;
        };
        if readings > 0 {
            let f = COLS[col].field;
            errs.push(row.n, col, FieldError::new(f, SwitchCode::MeterAlreadyRead));
            continue;
        }
        if let (Some(value), Some(read_on)) = (value, read_on) {
            lines.push((row.n, meter, unit, kind, value, read_on));
        }
    }
    let mut report = SwitchReport {
        kind: "meter_baselines".into(),
        preview,
        rows: rows.len(),
        errors: errs.list,
        ..Default::default()
    };
    for (n, meter, unit, kind, value, on) in &lines {
        let k = MeterKind::from_stored(kind)?;
        report.lines.push(ImportLine {
            row: *n,
            unit_id: *unit,
            unit_label: unit_label(&mut r, c, UnitId(*unit)).await?,
            amount_fen: None,
            detail: format!("{} #{meter} {} @ {on}", k.zh(), reading_text(*value)),
        });
    }
    if !report.errors.is_empty() || preview {
        return Ok(report);
    }
    let mut tx = core.db.begin().await?;
    for (i, (_, meter, _, _, value, on)) in lines.iter().enumerate() {
        // A reading saved meanwhile wins: the baseline is refused rather than moved under it.
        if store::switch::set_baseline(&mut tx, c, *meter, *value, *on).await? != 1 {
            return Err(CoreError::conflict("file", SwitchCode::MeterAlreadyRead));
        }
        progress(rows.len() + i, total);
    }
    report.created = lines.len();
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Import, "meter_baseline", c.0)
            .community(c)
            .after(&serde_json::json!({
                "rows": report.rows,
                "updated": report.created,
                "lines": report.lines,
            })),
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    Ok(report)
}
