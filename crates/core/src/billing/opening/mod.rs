//! Opening arrears (期初欠费, issue 17 point 1): what each unit already owed when its service
//! centre switched to wuye, brought in once from a spreadsheet — in steps like the units import:
//! `template` (the file to fill in, with a 说明 sheet and the community's fee items as a
//! drop-down), `check` (every row parsed and validated, nothing written) and the write here.
//!
//! Decisions (docs/billing.md §10 says the same for the desk):
//! - **The switch date is the import date**, today in the community's time zone. A line's
//!   period cannot end in a month after it, and its original due date cannot be after it.
//! - **What was paid of a line under the old system (已缴金额) is not posted at all**: the
//!   charge carries only the rest (金额 − 已缴金额), its basis text keeps both figures, and the
//!   line row keeps them too. Posting the amount and a settlement would count money that never
//!   passed this ledger as income of the switch day; this way the income, the daily close and
//!   the receipts only ever see money taken here. A fully paid line posts no charge.
//! - **Opening charges are kind `opening`**, immutable like any charge (reversed, never edited),
//!   due on their original due date, so the desk settles them oldest first and the ageing puts
//!   them in the bucket of their real age. They are arrears brought in, not billed revenue of
//!   any period: the collection rate (bill-run charges of a period) leaves them out; the money
//!   later collected on them is income of the day it is taken.
//! - **Late fees start at the switch date.** Each opening charge already past its grace on the
//!   switch date gets its `late_fees` row at once, with the days up to the switch date marked as
//!   posted (`posted_days`), so the daily job and the desk compute only the days after it —
//!   the same offset a late-fee posting leaves. The old system's late fee (已计滞纳金) is posted
//!   as a `late_fee` charge (期初滞纳金) and recorded as that posting's fee (`posted_fen`), so
//!   the cap counts it and no day before the switch is charged again.
//! - **Idempotent twice over.** A file whose content (SHA-256) was imported before in the
//!   community answers that import's result (`replayed`) and creates nothing; a line whose
//!   (unit, fee item, period from–to) was brought in by any earlier file is a row error
//!   `already_imported`, so a corrected file cannot post the same debt twice.
//! - All rows or none, one transaction; a preview runs every check and writes nothing.

mod check;
mod template;

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::{NaiveDate, SubsecRound, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action};
use crate::registry::import::ImportRowError;
use crate::registry::store::for_billing;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;

use super::error::BillingCode;
use super::model::ChargeKind;
use super::setup::{community_tz, today_in};
use super::store;
use super::store::opening::{ImportRow, NewCharge, NewLateFee, NewLine};

pub use template::{blank_opening_template_xlsx, opening_template_xlsx};

/// More data rows than this and the file is refused before validation.
pub const MAX_OPENING_ROWS: usize = 1_000_000;
/// The report stops collecting errors here.
pub const MAX_OPENING_ERRORS: usize = 1_000;
/// An .xlsx that unpacks to more than this (400 MiB) is refused unread; 600,000 lines like the
/// bench's unpack to about 120 MB.
pub const MAX_OPENING_UNPACKED: u64 = 400 * 1024 * 1024;

/// Lines turned into rows and written per step of the write.
const WRITE_CHUNK: usize = 2_000;

/// One column of the template.
pub(super) struct Column {
    pub header: &'static str,
    pub field: &'static str,
    pub required: bool,
    pub width: f64,
    pub help: &'static str,
}

pub(super) const COLUMNS: [Column; 9] = [
    Column {
        header: "房号",
        field: "unit",
        required: true,
        width: 14.0,
        help: "必填。房屋，如“1栋-1801”（楼栋-房号；只有一个楼栋有此房号时可只填房号）。",
    },
    Column {
        header: "收费项目",
        field: "fee_item",
        required: true,
        width: 14.0,
        help: "必填。本小区收费项目的编码或名称（可从下拉列表选择）。",
    },
    Column {
        header: "账期起",
        field: "period_from",
        required: true,
        width: 10.0,
        help: "必填。欠费账期的第一个月，格式 YYYY-MM，如 2025-07。",
    },
    Column {
        header: "账期止",
        field: "period_to",
        required: true,
        width: 10.0,
        help: "必填。欠费账期的最后一个月，格式 YYYY-MM，不早于账期起，不晚于导入当月。",
    },
    Column {
        header: "原应缴日期",
        field: "due_date",
        required: true,
        width: 12.0,
        help: "必填。原系统中的应缴日期，格式 YYYY-MM-DD，不晚于今天；账龄和滞纳金按此日期计算。",
    },
    Column {
        header: "金额",
        field: "amount",
        required: true,
        width: 12.0,
        help: "必填。原应收金额（元），大于0，最多两位小数。",
    },
    Column {
        header: "已缴金额",
        field: "paid",
        required: false,
        width: 12.0,
        help: "选填。原系统中已缴的部分（元），不能大于金额；只导入未缴部分，已缴部分不计入本系统的收入。",
    },
    Column {
        header: "已计滞纳金",
        field: "late_fee",
        required: false,
        width: 12.0,
        help: "选填。原系统计提至今的滞纳金（元），作为期初滞纳金入账；此后的滞纳金从导入当天起计算，不重复计算导入前的天数。",
    },
    Column {
        header: "备注",
        field: "note",
        required: false,
        width: 20.0,
        help: "选填。不超过200个字。",
    },
];
pub(super) const UNIT: usize = 0;
pub(super) const FEE_ITEM: usize = 1;
pub(super) const PERIOD_FROM: usize = 2;
pub(super) const PERIOD_TO: usize = 3;
pub(super) const DUE_DATE: usize = 4;
pub(super) const AMOUNT: usize = 5;
pub(super) const PAID: usize = 6;
pub(super) const LATE_FEE: usize = 7;
pub(super) const NOTE: usize = 8;
pub(super) const NCOLS: usize = COLUMNS.len();

/// The lines of one fee item in an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningItemTotal {
    pub fee_item_id: i64,
    pub code: String,
    pub name: String,
    pub lines: i64,
    /// Posted as `opening` charges: amount less what was paid, summed.
    pub outstanding_fen: i64,
    /// Posted as opening late-fee charges.
    pub late_fee_fen: i64,
}

/// What an opening-arrears import did, or (preview) would do.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OpeningReport {
    /// True: checked only, nothing written.
    pub preview: bool,
    /// True: this very file was imported before; its result is answered and nothing created.
    pub replayed: bool,
    pub import_id: Option<i64>,
    /// The switch date: the import's day in the community's time zone. Late fees of the
    /// opening charges count from the day after it.
    pub switch_date: NaiveDate,
    /// Data rows read (empty rows skipped).
    pub rows: usize,
    /// Distinct units.
    pub units: usize,
    pub amount_fen: i64,
    pub paid_fen: i64,
    pub outstanding_fen: i64,
    pub late_fee_fen: i64,
    /// Charges of kind `opening` created (a fully paid line creates none).
    pub charges_created: usize,
    /// Opening late-fee charges created.
    pub late_fee_charges_created: usize,
    pub by_fee_item: Vec<OpeningItemTotal>,
    /// Non-empty = nothing was written.
    pub errors: Vec<ImportRowError>,
}

/// A checked line.
pub(super) struct Line {
    pub row: usize,
    pub unit: UnitId,
    pub fee_item: usize,
    pub from: (i32, u32),
    pub to: (i32, u32),
    pub due: NaiveDate,
    pub amount: i64,
    pub paid: i64,
    pub late_fee: i64,
    pub note: Option<String>,
}

fn content_hash(bytes: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn month_first(m: (i32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(m.0, m.1, 1).unwrap_or_default()
}

fn month_last(m: (i32, u32)) -> NaiveDate {
    let (y, mo) = super::model::add_months(m.0, m.1, 1);
    NaiveDate::from_ymd_opt(y, mo, 1)
        .and_then(|d| d.pred_opt())
        .unwrap_or_default()
}

fn month_key(m: (i32, u32)) -> String {
    format!("{:04}-{:02}", m.0, m.1)
}

/// Checks (and unless `preview`, posts) an opening-arrears workbook: all rows or none.
///
/// The file itself refused (not an .xlsx, a zip bomb, no data rows, missing columns, too many
/// rows) is `CoreError::Invalid` on `file`; row problems come back as `Ok(report)` with
/// `errors` filled and nothing written. `progress(done, total)`: total is twice the rows, the
/// first half checked, the second written.
pub async fn import_opening_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    bytes: &[u8],
    preview: bool,
    progress: &(dyn Fn(usize, usize) + Send + Sync),
) -> CoreResult<OpeningReport> {
    ctx.require_in(Perm::BillingManage, community)?;
    let tz = community_tz(&mut core.db.read(), ctx, community).await?;
    let switch = today_in(tz);
    let hash = content_hash(bytes);
    let items = store::fee_items::list(&mut core.db.read(), community).await?;

    if let Some(done) = store::opening::by_hash(&mut core.db.read(), community, &hash).await? {
        return replay(core, community, done, preview, &items).await;
    }

    let known = check::Known {
        units: crate::shared::resolve::UnitLabels::new(
            for_billing::unit_labels(&mut core.db.read(), community).await?,
        ),
        items,
        existing: store::opening::existing_keys(&mut core.db.read(), community)
            .await?
            .into_iter()
            .collect(),
        switch,
    };
    let owned = bytes.to_vec();
    // The checks run on a blocking thread, which needs 'static data: their inputs move there
    // and come back, and the thread's progress is relayed from here every 200 ms.
    let seen = Arc::new((AtomicUsize::new(0), AtomicUsize::new(0)));
    let relay = seen.clone();
    let mut task = tokio::task::spawn_blocking(move || {
        let r = check::read_and_check(owned, &known, &|done, total| {
            relay.0.store(done, Ordering::Relaxed);
            relay.1.store(total, Ordering::Relaxed);
        });
        (r, known)
    });
    let (checked, known) = loop {
        tokio::select! {
            r = &mut task => break r.map_err(CoreError::internal)?,
            _ = tokio::time::sleep(std::time::Duration::from_millis(200)) => {
                let total = seen.1.load(Ordering::Relaxed);
                if total > 0 {
                    progress(seen.0.load(Ordering::Relaxed), total);
                }
            }
        }
    };
    let checked = checked?;
    let items = known.items;
    let count = checked.count;
    progress(count, count * 2);
    let mut report = summarise(&checked.lines, &items, switch, preview);
    report.rows = count;
    if !checked.errors.is_empty() || preview {
        report.errors = checked.errors;
        return Ok(report);
    }

    let now = Utc::now().trunc_subsecs(6);
    let totals = ImportRow {
        id: 0,
        switch_date: switch,
        lines: report.rows as i64,
        units: report.units as i64,
        amount_fen: report.amount_fen,
        paid_fen: report.paid_fen,
        outstanding_fen: report.outstanding_fen,
        late_fee_fen: report.late_fee_fen,
    };
    let mut tx = core.db.begin().await?;
    let Some(import) =
        store::opening::insert_import(&mut tx, community, &hash, switch, &totals, ctx.actor(), now)
            .await?
    else {
        // The same file, posted by another request that committed first.
        drop(tx);
        let done = store::opening::by_hash(&mut core.db.read(), community, &hash)
            .await?
            .ok_or_else(|| CoreError::internal("the import vanished"))?;
        return replay(core, community, done, false, &items).await;
    };
    // Chunk by chunk, so the charges' texts of a 600,000-line file are never all in memory.
    let total = count * 2;
    let mut written = 0;
    for chunk in checked.lines.chunks(WRITE_CHUNK) {
        let (charges, late_fees, lines) = postings(chunk, &items, switch);
        let ids = store::opening::reserve_charge_ids(&mut tx, charges.len()).await?;
        let charges: Vec<NewCharge> = charges
            .into_iter()
            .zip(ids)
            .map(|(mut c, id)| {
                c.id = id;
                c
            })
            .collect();
        let id_of = |i: Option<usize>| i.map(|i| charges[i].id);
        let late_fees: Vec<NewLateFee> = late_fees
            .into_iter()
            .map(|(i, posted_days, posted_fen)| NewLateFee {
                charge_id: charges[i].id,
                posted_days,
                posted_fen,
            })
            .collect();
        let lines: Vec<NewLine> = lines
            .into_iter()
            .map(|(mut l, principal, fee)| {
                l.charge_id = id_of(principal);
                l.late_fee_charge_id = id_of(fee);
                l
            })
            .collect();
        let n_lines = lines.len() as u64;
        store::opening::insert_charges(&mut tx, community, charges, ctx.actor(), now).await?;
        store::opening::insert_late_fees(&mut tx, community, late_fees).await?;
        if store::opening::insert_lines(&mut tx, community, import, lines).await? != n_lines {
            // Another file brought in one of these lines meanwhile: nothing of this one stays.
            return Err(CoreError::conflict("file", BillingCode::AlreadyImported));
        }
        written += chunk.len();
        progress(count + written, total);
    }
    let mut summary = audit::Batch::new(ctx, community, now, Action::Import, "opening_arrears", 1);
    summary.push(
        Some(import),
        serde_json::json!({
            "switch_date": switch,
            "rows": report.rows,
            "units": report.units,
            "amount_fen": report.amount_fen,
            "paid_fen": report.paid_fen,
            "outstanding_fen": report.outstanding_fen,
            "late_fee_fen": report.late_fee_fen,
            "charges_created": report.charges_created,
            "late_fee_charges_created": report.late_fee_charges_created,
        })
        .to_string(),
    );
    audit::record_batch(&mut tx, summary).await?;
    tx.commit().await?;
    progress(count * 2, count * 2);
    report.import_id = Some(import);
    Ok(report)
}

/// The totals of checked lines, by fee item in the order of the community's items.
fn summarise(
    lines: &[Line],
    items: &[super::setup::FeeItem],
    switch: NaiveDate,
    preview: bool,
) -> OpeningReport {
    let mut by: BTreeMap<usize, OpeningItemTotal> = BTreeMap::new();
    let mut units = HashSet::new();
    let mut r = OpeningReport {
        preview,
        replayed: false,
        import_id: None,
        switch_date: switch,
        rows: lines.len(),
        units: 0,
        amount_fen: 0,
        paid_fen: 0,
        outstanding_fen: 0,
        late_fee_fen: 0,
        charges_created: 0,
        late_fee_charges_created: 0,
        by_fee_item: Vec::new(),
        errors: Vec::new(),
    };
    for l in lines {
        units.insert(l.unit);
        r.amount_fen += l.amount;
        r.paid_fen += l.paid;
        r.outstanding_fen += l.amount - l.paid;
        r.late_fee_fen += l.late_fee;
        r.charges_created += usize::from(l.amount > l.paid);
        r.late_fee_charges_created += usize::from(l.late_fee > 0);
        let item = &items[l.fee_item];
        let t = by.entry(l.fee_item).or_insert_with(|| OpeningItemTotal {
            fee_item_id: item.id,
            code: item.code.clone(),
            name: item.name.clone(),
            lines: 0,
            outstanding_fen: 0,
            late_fee_fen: 0,
        });
        t.lines += 1;
        t.outstanding_fen += l.amount - l.paid;
        t.late_fee_fen += l.late_fee;
    }
    r.units = units.len();
    r.by_fee_item = by.into_values().collect();
    r
}

/// The charges, late-fee rows and line rows of checked lines (charge ids still to assign: the
/// late-fee rows and lines point at charges by their index).
#[allow(clippy::type_complexity)]
fn postings(
    lines: &[Line],
    items: &[super::setup::FeeItem],
    switch: NaiveDate,
) -> (
    Vec<NewCharge>,
    Vec<(usize, i64, i64)>,
    Vec<(NewLine, Option<usize>, Option<usize>)>,
) {
    let mut charges = Vec::with_capacity(lines.len());
    let mut late_fees = Vec::new();
    let mut out = Vec::with_capacity(lines.len());
    for l in lines {
        let item = &items[l.fee_item];
        let (from, to) = (month_first(l.from), month_last(l.to));
        let span = if l.from == l.to {
            month_key(l.from)
        } else {
            format!("{}–{}", month_key(l.from), month_key(l.to))
        };
        let outstanding = l.amount - l.paid;
        let note = l
            .note
            .as_deref()
            .map(|n| format!("；{n}"))
            .unwrap_or_default();
        let principal = (outstanding > 0).then(|| {
            let basis = if l.paid > 0 {
                format!(
                    "期初导入：原应收 ¥{}，已缴 ¥{}，欠 ¥{}{note}",
                    Money(l.amount),
                    Money(l.paid),
                    Money(outstanding)
                )
            } else {
                format!("期初导入：原应收 ¥{}{note}", Money(l.amount))
            };
            charges.push(NewCharge {
                id: 0,
                unit_id: l.unit.0,
                fee_item_id: item.id,
                kind: ChargeKind::Opening.code(),
                period: month_key(l.from),
                period_from: from,
                period_to: to,
                description: format!("期初欠费：{} {span}", item.name),
                basis,
                amount_fen: outstanding,
                due_date: l.due,
            });
            charges.len() - 1
        });
        let fee = (l.late_fee > 0).then(|| {
            charges.push(NewCharge {
                id: 0,
                unit_id: l.unit.0,
                fee_item_id: item.id,
                kind: ChargeKind::LateFee.code(),
                period: month_key(l.from),
                period_from: from,
                period_to: to,
                description: format!("期初滞纳金：{} {span}", item.name),
                basis: format!("原系统计提至 {switch}"),
                amount_fen: l.late_fee,
                due_date: l.due,
            });
            charges.len() - 1
        });
        if let Some(p) = principal {
            // Days past the grace on the switch date count as posted: the fee starts after it.
            let days = (switch - l.due).num_days() - item.late_fee_grace_days;
            if days > 0 || l.late_fee > 0 {
                late_fees.push((p, days.max(0), l.late_fee));
            }
        }
        out.push((
            NewLine {
                row_no: l.row as i64,
                unit_id: l.unit.0,
                fee_item_id: item.id,
                period_from: from,
                period_to: to,
                due_date: l.due,
                amount_fen: l.amount,
                paid_fen: l.paid,
                late_fee_fen: l.late_fee,
                charge_id: None,
                late_fee_charge_id: None,
            },
            principal,
            fee,
        ));
    }
    (charges, late_fees, out)
}

/// The answer to a file imported before: its result, nothing created.
async fn replay(
    core: &Core,
    community: CommunityId,
    done: ImportRow,
    preview: bool,
    items: &[super::setup::FeeItem],
) -> CoreResult<OpeningReport> {
    let by = store::opening::totals_by_item(&mut core.db.read(), community, done.id).await?;
    let by_fee_item = by
        .into_iter()
        .map(|(id, lines, outstanding, fee)| {
            let item = items.iter().find(|i| i.id == id);
            OpeningItemTotal {
                fee_item_id: id,
                code: item.map(|i| i.code.clone()).unwrap_or_default(),
                name: item.map(|i| i.name.clone()).unwrap_or_default(),
                lines,
                outstanding_fen: outstanding,
                late_fee_fen: fee,
            }
        })
        .collect();
    Ok(OpeningReport {
        preview,
        replayed: true,
        import_id: Some(done.id),
        switch_date: done.switch_date,
        rows: done.lines as usize,
        units: done.units as usize,
        amount_fen: done.amount_fen,
        paid_fen: done.paid_fen,
        outstanding_fen: done.outstanding_fen,
        late_fee_fen: done.late_fee_fen,
        charges_created: 0,
        late_fee_charges_created: 0,
        by_fee_item,
        errors: Vec::new(),
    })
}

/// A refusal of the file as a whole, on the field `file`.
pub(super) fn invalid_file(code: BillingCode) -> CoreError {
    CoreError::invalid("file", code)
}

pub(super) fn file_error(code: BillingCode) -> FieldError {
    FieldError::new("file", code)
}
