//! The opening prepaid balances (期初预存) import: per unit (房号 as the desk types it), the
//! amount the old system held for it. Each credits the unit's prepaid balance with an entry of
//! kind `opening` — not a payment: it was received before the switch, so no daily close counts
//! it and it is income only when it settles a charge — and then settles the unit's open charges
//! oldest first, as prepaid money always does.

use std::collections::{HashMap, HashSet};

use chrono::{SubsecRound, Utc};

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::optional_text;

use super::super::ledger::{apply_prepaid, move_prepaid, positive_money, unit_label};
use super::super::setup::*;
use super::super::store;
use super::sheet::{self, Col, Errors};
use super::*;

const UNIT: usize = 0;
const AMOUNT: usize = 1;
const NOTE: usize = 2;

static COLS: [Col; 3] = [
    Col {
        header: "房号",
        field: "unit",
        required: true,
        width: 14.0,
        help: "必填。房屋，按收费台的写法：楼栋-房号，如“1栋-1801”。每套房屋只能有一行。",
        list: &[],
        example: "1栋-1801",
    },
    Col {
        header: "金额",
        field: "amount",
        required: true,
        width: 12.0,
        help: "必填。原系统中该房屋的预存余额，单位元，大于0，最多两位小数，如500.00。",
        list: &[],
        example: "500.00",
    },
    Col {
        header: "备注",
        field: "note",
        required: false,
        width: 24.0,
        help: "选填。不超过200个字。",
        list: &[],
        example: crate::shared::xlsx::EXAMPLE_NOTE,
    },
];

/// The opening prepaid template (.xlsx).
pub fn opening_prepaid_template() -> CoreResult<Vec<u8>> {
    sheet::template(
        "期初预存",
        &COLS,
        &[
            "期初预存不是本期收入，不计入任何一天的日结；导入后自动抵扣该房屋的欠费（从最早的开始）。",
            "每套房屋只能导入一次期初预存；同一文件重复导入时，已导入的房屋会被逐行指出，不会重复入账。",
        ],
    )
}

struct Line {
    row: usize,
    unit: UnitId,
    amount: i64,
    note: Option<String>,
}

/// Imports opening prepaid balances (`billing.manage` in the community): every row checked
/// first; with any error, or with `preview`, nothing is written. `progress(done, total)` is
/// called per row checked and written (total = twice the rows).
pub async fn import_opening_prepaid(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    bytes: &[u8],
    preview: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<SwitchReport> {
    ctx.require_in(Perm::BillingManage, c)?;
    let mut r = core.db.read();
    community_tz(&mut r, ctx, c).await?;
    if !settings_in(&mut r, c).await?.prepaid_enabled {
        return Err(CoreError::invalid("file", SwitchCode::PrepaidDisabled));
    }
    let rows = sheet::read(bytes, &COLS).await?;
    let total = rows.len() * 2;
    let done: HashSet<i64> = store::switch::units_with_opening(&mut r, c)
        .await?
        .into_iter()
        .map(|u| u.0)
        .collect();
    let mut errs = Errors::new(&COLS);
    let mut units = UnitCache::new();
    let mut seen: HashMap<UnitId, usize> = HashMap::new();
    let mut lines = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        progress(i, total);
        let unit = match errs.required(row, UNIT) {
            Some(label) => errs.take(row.n, UNIT, units.get(core, ctx, c, &label, "unit").await),
            None => None,
        };
        let amount = errs
            .required(row, AMOUNT)
            .and_then(|a| errs.take(row.n, AMOUNT, positive_money("amount", &a)));
        let note = errs.text(row, NOTE).and_then(|n| {
            let checked = crate::shared::xlsx::not_the_example("note", n.as_deref())
                .and_then(|_| optional_text("note", n.as_deref(), 200));
            errs.take(row.n, NOTE, checked)
        });
        let Some(unit) = unit else { continue };
        if let Some(first) = seen.get(&unit) {
            errs.push(
                row.n,
                UNIT,
                FieldError::new("unit", SwitchCode::DuplicateRow).with("row", first),
            );
            continue;
        }
        seen.insert(unit, row.n);
        if done.contains(&unit.0) {
            errs.push(
                row.n,
                UNIT,
                FieldError::new("unit", SwitchCode::OpeningPrepaidExists),
            );
            continue;
        }
        if let (Some(amount), Some(note)) = (amount, note) {
            lines.push(Line {
                row: row.n,
                unit,
                amount: amount.0,
                note,
            });
        }
    }
    let mut report = SwitchReport {
        kind: "opening_prepaid".into(),
        preview,
        rows: rows.len(),
        total_fen: lines.iter().map(|l| l.amount).sum(),
        errors: errs.list,
        ..Default::default()
    };
    for l in &lines {
        report.lines.push(ImportLine {
            row: l.row,
            unit_id: l.unit.0,
            unit_label: unit_label(&mut r, c, l.unit).await?,
            amount_fen: Some(l.amount),
            detail: l.note.clone().unwrap_or_default(),
        });
    }
    if !report.errors.is_empty() || preview {
        return Ok(report);
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut tx = core.db.begin().await?;
    for (i, l) in lines.iter().enumerate() {
        // The unique index on a unit's opening entry catches an import running at the same time.
        move_prepaid(&mut tx, c, l.unit, "opening", l.amount, None, None, now)
            .await
            .map_err(|e| e.or_conflict("file", SwitchCode::OpeningPrepaidExists))?;
        apply_prepaid(&mut tx, c, l.unit, now).await?;
        progress(rows.len() + i, total);
    }
    report.created = lines.len();
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Import, "opening_prepaid", c.0)
            .community(c)
            .after(&serde_json::json!({
                "rows": report.rows,
                "created": report.created,
                "total_fen": report.total_fen,
                "lines": report.lines,
            })),
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    Ok(report)
}
