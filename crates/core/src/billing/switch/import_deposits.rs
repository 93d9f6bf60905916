//! The deposits import (押金): per row a unit, the deposit's kind, amount, the date it was
//! received, who paid it and a note. The deposits were received before the switch: they are in
//! no daily close. A row equal to a deposit already recorded (same unit, kind, amount, date and
//! payer) is refused by name, so importing a file twice records nothing twice.

use std::collections::{HashMap, HashSet};

use chrono::{NaiveDate, SubsecRound, Utc};

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};

use super::super::error::BillingCode;
use super::super::ledger::{positive_money, unit_label};
use super::super::setup::*;
use super::super::store;
use super::sheet::{self, Col, Errors};
use super::*;

const UNIT: usize = 0;
const KIND: usize = 1;
const AMOUNT: usize = 2;
const RECEIVED: usize = 3;
const PAYER: usize = 4;
const NOTE: usize = 5;

static COLS: [Col; 6] = [
    Col {
        header: "房号",
        field: "unit",
        required: true,
        width: 14.0,
        help: "必填。房屋，按收费台的写法：楼栋-房号，如“1栋-1801”。",
        list: &[],
        example: "1栋-1801",
    },
    Col {
        header: "押金类型",
        field: "kind",
        required: true,
        width: 12.0,
        help: "必填。从下拉列表选择。",
        list: &["装修押金", "门禁卡押金", "其他押金"],
        example: "装修押金",
    },
    Col {
        header: "金额",
        field: "amount",
        required: true,
        width: 12.0,
        help: "必填。单位元，大于0，最多两位小数，如3000.00。",
        list: &[],
        example: "3000.00",
    },
    Col {
        header: "收取日期",
        field: "received_on",
        required: true,
        width: 12.0,
        help: "必填。收取押金的日期，如2026-03-15，不能晚于今天。",
        list: &[],
        example: "2026-03-15",
    },
    Col {
        header: "交款人",
        field: "payer",
        required: true,
        width: 12.0,
        help: "必填。交押金的人（业主或装修公司），不超过50个字。",
        list: &[],
        example: "张三",
    },
    Col {
        header: "备注",
        field: "note",
        required: false,
        width: 24.0,
        help: "选填。不超过200个字，如收据号。",
        list: &[],
        example: crate::shared::xlsx::EXAMPLE_NOTE,
    },
];

/// The deposits template (.xlsx).
pub fn deposits_template() -> CoreResult<Vec<u8>> {
    sheet::template(
        "押金",
        &COLS,
        &[
            "押金不是应收，也不是收入；导入的押金是切换前收取的，不计入任何一天的日结。退还押金在收费系统中办理，计入当天日结的支出。",
            "房屋、类型、金额、收取日期和交款人都相同的押金视为同一笔：同一文件中重复或已经导入过的，会被逐行指出，不会重复登记。",
        ],
    )
}

type Key = (i64, &'static str, i64, NaiveDate, String);

/// Imports deposits held (`billing.manage` in the community): all rows or none; with
/// `preview`, nothing is written.
pub async fn import_deposits(
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
    let known: HashSet<(i64, String, i64, NaiveDate, String)> = store::deposits::keys(&mut r, c)
        .await?
        .into_iter()
        .collect();
    let mut errs = Errors::new(&COLS);
    let mut units = UnitCache::new();
    let mut seen: HashMap<Key, usize> = HashMap::new();
    let mut lines: Vec<(usize, Key, Option<String>)> = Vec::new();
    for (i, row) in rows.iter().enumerate() {
        progress(i, total);
        let unit = match errs.required(row, UNIT) {
            Some(label) => errs.take(row.n, UNIT, units.get(core, ctx, c, &label, "unit").await),
            None => None,
        };
        let kind = errs
            .required(row, KIND)
            .and_then(|k| errs.take(row.n, KIND, DepositKind::parse("kind", &k)));
        let amount = errs
            .required(row, AMOUNT)
            .and_then(|a| errs.take(row.n, AMOUNT, positive_money("amount", &a)));
        let received = errs.date(row, RECEIVED).and_then(|d| {
            let r = if d > today {
                Err(FieldError::new("received_on", BillingCode::DateInFuture))
            } else {
                Ok(d)
            };
            errs.take(row.n, RECEIVED, r)
        });
        let payer = errs
            .required(row, PAYER)
            .and_then(|p| errs.take(row.n, PAYER, required_text("payer", &p, 50)));
        let note = errs.text(row, NOTE).and_then(|n| {
            let checked = crate::shared::xlsx::not_the_example("note", n.as_deref())
                .and_then(|_| optional_text("note", n.as_deref(), 200));
            errs.take(row.n, NOTE, checked)
        });
        let (Some(unit), Some(kind), Some(amount), Some(received), Some(payer), Some(note)) =
            (unit, kind, amount, received, payer, note)
        else {
            continue;
        };
        let key: Key = (unit.0, kind.code(), amount.0, received, payer);
        if let Some(first) = seen.get(&key) {
            errs.push(
                row.n,
                UNIT,
                FieldError::new("unit", SwitchCode::DuplicateRow).with("row", first),
            );
            continue;
        }
        seen.insert(key.clone(), row.n);
        let stored = (key.0, key.1.to_string(), key.2, key.3, key.4.clone());
        if known.contains(&stored) {
            errs.push(
                row.n,
                UNIT,
                FieldError::new("unit", SwitchCode::DepositAlreadyRecorded),
            );
            continue;
        }
        lines.push((row.n, key, note));
    }
    let mut report = SwitchReport {
        kind: "deposits".into(),
        preview,
        rows: rows.len(),
        total_fen: lines.iter().map(|l| l.1.2).sum(),
        errors: errs.list,
        ..Default::default()
    };
    for (n, k, _) in &lines {
        let kind = DepositKind::from_stored(k.1)?;
        report.lines.push(ImportLine {
            row: *n,
            unit_id: k.0,
            unit_label: unit_label(&mut r, c, UnitId(k.0)).await?,
            amount_fen: Some(k.2),
            detail: format!("{} {} {}", kind.zh(), k.3, k.4),
        });
    }
    if !report.errors.is_empty() || preview {
        return Ok(report);
    }
    let now = Utc::now().trunc_subsecs(6);
    let mut tx = core.db.begin().await?;
    let mut ids = Vec::with_capacity(lines.len());
    for (i, (_, k, note)) in lines.iter().enumerate() {
        let id = store::deposits::insert(
            &mut tx,
            c,
            &store::deposits::NewDeposit {
                unit_id: UnitId(k.0),
                kind: k.1,
                amount_fen: k.2,
                received_on: k.3,
                payer: &k.4,
                note: note.as_deref(),
                source: "import",
                taken: None,
            },
            ctx.actor(),
            now,
        )
        .await?;
        ids.push(id);
        progress(rows.len() + i, total);
    }
    report.created = ids.len();
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Import, "deposit", c.0)
            .community(c)
            .after(&serde_json::json!({
                "rows": report.rows,
                "created": report.created,
                "total_fen": report.total_fen,
                "deposit_ids": ids,
            })),
    )
    .await?;
    tx.commit().await?;
    progress(total, total);
    Ok(report)
}
