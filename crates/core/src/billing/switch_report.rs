//! The switch report (期初数据核对表): when a centre switches to wuye, the manager checks what the
//! opening imports brought in against what the files said, per fee item, side by side — lines,
//! outstanding arrears, late fees the old system had accrued — with the opening arrears still
//! open by age, the community's units and owners, the opening prepaid balances and the deposits
//! held, and signs it off. A sign-off keeps the totals
//! it saw and whether they matched; it is audit-logged, and a later import shows beside it.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::optional_text;

use super::AgeingRow;
use super::reports::{Cell, sheet_xlsx};
use super::setup::*;
use super::store;

/// One fee item: what the files brought in beside what the ledger holds.
#[derive(Debug, Clone, Default, Serialize, ToSchema, sqlx::FromRow)]
pub struct SwitchItem {
    /// `None` on the total row.
    pub fee_item_id: Option<i64>,
    pub fee_item: String,
    /// Lines of the files (opening_lines).
    pub file_lines: i64,
    /// Amount less what was paid under the old system, summed over the files' lines.
    pub file_outstanding_fen: i64,
    /// Late fees the old system had accrued, as the files said.
    pub file_late_fee_fen: i64,
    /// Opening charges posted.
    pub ledger_charges: i64,
    /// Their amounts as posted (payments since the switch do not change this).
    pub ledger_outstanding_fen: i64,
    /// Late-fee charges posted for opening lines.
    pub ledger_late_fee_fen: i64,
}

impl SwitchItem {
    /// The files and the ledger agree, line for line and fen for fen.
    pub fn matches(&self) -> bool {
        self.file_lines == self.ledger_charges
            && self.file_outstanding_fen == self.ledger_outstanding_fen
            && self.file_late_fee_fen == self.ledger_late_fee_fen
    }
}

/// A manager's sign-off of the report.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct SignOff {
    pub id: i64,
    pub signed_by: Option<UserId>,
    pub signer: String,
    pub signed_at: DateTime<Utc>,
    pub note: Option<String>,
    /// Whether every total matched when it was signed.
    pub totals_match: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SwitchReconciliation {
    pub community_id: CommunityId,
    pub community: String,
    pub as_of: NaiveDate,
    /// The first import's switch date (none before any import).
    pub switch_date: Option<NaiveDate>,
    pub imports: i64,
    pub units: i64,
    /// People registered as owners of a unit.
    pub owners: i64,
    pub items: Vec<SwitchItem>,
    pub total: SwitchItem,
    /// Every item matches.
    pub totals_match: bool,
    /// The opening arrears still open, by age of their original due date.
    pub ageing: AgeingRow,
    /// Units credited an opening prepaid balance, and its total.
    pub prepaid_units: i64,
    pub prepaid_fen: i64,
    /// Deposits brought in by import, and all deposits held now (imported or taken at the desk).
    pub deposits_imported: i64,
    pub deposits_imported_fen: i64,
    pub deposits_held: i64,
    pub deposits_held_fen: i64,
    pub sign_offs: Vec<SignOff>,
}

/// The switch report of a community (billing staff of the community).
pub async fn switch_report(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<SwitchReconciliation> {
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let as_of = today_in(tz);
    let (_, community, _) =
        crate::registry::store::for_billing::community_header(&mut r, c).await?;
    let (units, owners) =
        crate::registry::store::for_billing::unit_and_owner_counts(&mut r, c).await?;
    let (imports, _, switch_date) = store::switch_report::imports(&mut r, c).await?;
    let items = store::switch_report::items(&mut r, c).await?;
    let mut total = SwitchItem {
        fee_item: "合计".into(),
        ..Default::default()
    };
    for i in &items {
        total.file_lines += i.file_lines;
        total.file_outstanding_fen += i.file_outstanding_fen;
        total.file_late_fee_fen += i.file_late_fee_fen;
        total.ledger_charges += i.ledger_charges;
        total.ledger_outstanding_fen += i.ledger_outstanding_fen;
        total.ledger_late_fee_fen += i.ledger_late_fee_fen;
    }
    let ageing = store::switch_report::ageing(&mut r, c, as_of).await?;
    let (prepaid_units, prepaid_fen) = store::switch_report::opening_prepaid(&mut r, c).await?;
    let (deposits_imported, deposits_imported_fen, deposits_held, deposits_held_fen) =
        store::switch_report::deposits(&mut r, c).await?;
    let sign_offs = store::switch_report::sign_offs(&mut r, c).await?;
    Ok(SwitchReconciliation {
        community_id: c,
        community,
        as_of,
        switch_date,
        imports,
        units,
        owners,
        totals_match: items.iter().all(SwitchItem::matches),
        items,
        total,
        ageing,
        prepaid_units,
        prepaid_fen,
        deposits_imported,
        deposits_imported_fen,
        deposits_held,
        deposits_held_fen,
        sign_offs,
    })
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct SignOffForCreate {
    pub note: Option<String>,
}

/// The manager signs the report off (`billing.manage`): who, when, and the totals seen.
pub async fn sign_off_switch(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: SignOffForCreate,
) -> CoreResult<SignOff> {
    ctx.require_in(Perm::BillingManage, c)?;
    let mut checks = Checks::new();
    let note = checks.take(optional_text("note", input.note.as_deref(), 500));
    checks.finish()?;
    let note = note.flatten();
    let report = switch_report(core, ctx, c).await?;
    let now = Utc::now();
    let totals = serde_json::json!({ "items": report.items, "total": report.total }).to_string();
    let mut tx = core.db.begin().await?;
    let id = store::switch_report::insert_sign_off(
        &mut tx,
        store::switch_report::NewSignOff {
            community: c,
            user: ctx.actor(),
            signer: &ctx.display_name,
            at: now,
            note: note.as_deref(),
            totals_match: report.totals_match,
            totals,
        },
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "switch_signoff", id)
            .community(c)
            .after(&serde_json::json!({
                "totals_match": report.totals_match, "total": report.total, "note": note,
            })),
    )
    .await?;
    tx.commit().await?;
    Ok(SignOff {
        id,
        signed_by: ctx.actor(),
        signer: ctx.display_name.clone(),
        signed_at: now,
        note,
        totals_match: report.totals_match,
    })
}

/// The report as an .xlsx sheet: (file name, bytes).
pub async fn switch_report_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<(String, Vec<u8>)> {
    let r = switch_report(core, ctx, c).await?;
    let headers = [
        "收费项目",
        "文件行数",
        "入账笔数",
        "文件欠费金额",
        "入账欠费金额",
        "文件滞纳金",
        "入账滞纳金",
        "核对",
    ];
    let row = |i: &SwitchItem| {
        vec![
            Cell::Text(i.fee_item.clone()),
            Cell::Int(i.file_lines),
            Cell::Int(i.ledger_charges),
            Cell::Fen(i.file_outstanding_fen),
            Cell::Fen(i.ledger_outstanding_fen),
            Cell::Fen(i.file_late_fee_fen),
            Cell::Fen(i.ledger_late_fee_fen),
            Cell::Text(if i.matches() { "一致" } else { "不一致" }.into()),
        ]
    };
    let mut rows: Vec<Vec<Cell>> = r.items.iter().map(row).collect();
    rows.push(row(&r.total));
    rows.push(vec![]);
    rows.push(vec![
        Cell::Text("房屋数".into()),
        Cell::Int(r.units),
        Cell::Text("业主数".into()),
        Cell::Int(r.owners),
    ]);
    rows.push(vec![
        Cell::Text("期初欠费账龄".into()),
        Cell::Text("0–30 天".into()),
        Cell::Fen(r.ageing.d0_30_fen),
        Cell::Text("31–90 天".into()),
        Cell::Fen(r.ageing.d31_90_fen),
    ]);
    rows.push(vec![
        Cell::Text(String::new()),
        Cell::Text("91–180 天".into()),
        Cell::Fen(r.ageing.d91_180_fen),
        Cell::Text("180 天以上".into()),
        Cell::Fen(r.ageing.over_180_fen),
    ]);
    rows.push(vec![
        Cell::Text("期初预存".into()),
        Cell::Int(r.prepaid_units),
        Cell::Fen(r.prepaid_fen),
    ]);
    rows.push(vec![
        Cell::Text("导入押金".into()),
        Cell::Int(r.deposits_imported),
        Cell::Fen(r.deposits_imported_fen),
        Cell::Text("在押押金".into()),
        Cell::Int(r.deposits_held),
        Cell::Fen(r.deposits_held_fen),
    ]);
    for s in &r.sign_offs {
        rows.push(vec![
            Cell::Text("签核".into()),
            Cell::Text(s.signer.clone()),
            Cell::Text(s.signed_at.to_rfc3339()),
            Cell::Text(
                if s.totals_match {
                    "一致"
                } else {
                    "不一致"
                }
                .into(),
            ),
            Cell::Text(s.note.clone().unwrap_or_default()),
        ]);
    }
    let title = format!("{} 期初数据核对表（{}）", r.community, r.as_of);
    Ok((
        format!("switch-report-{}.xlsx", r.as_of),
        sheet_xlsx(&title, &headers, &rows)?,
    ))
}
