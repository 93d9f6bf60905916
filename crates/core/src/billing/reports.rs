//! Billing reports: the collection report of a span of days (客服中心日/月销售报表: payments by
//! day and method, income by fee item), the quarterly publication of income and expenses for
//! owners (每季度公布收支, expenses entered by finance), the common maintenance fund statement
//! (共有资金), and every report (ageing, arrears, collection rate included) as an .xlsx sheet.

use chrono::{Datelike, NaiveDate, Utc};
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::required_text;
use crate::shared::xlsx::{write_header_cells, xlsx_err};

use super::error::BillingCode;
use super::ledger::positive_money;
use super::model::{FeeKind, PayMethod};
use super::setup::*;
use super::store;

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct DayMethod {
    pub business_date: NaiveDate,
    pub method: String,
    pub count: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ItemIncome {
    pub fee_item_id: i64,
    pub fee_item: String,
    pub kind: String,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectionReport {
    pub community_id: CommunityId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub days: Vec<DayMethod>,
    /// Money taken (payments less reversals and refunds).
    pub total_fen: i64,
    /// What was settled on charges those days, by fee item — by payments and from prepaid
    /// balances (money paid into a prepaid balance is income when it settles a charge).
    pub by_item: Vec<ItemIncome>,
    /// Net movement of prepaid balances in the span.
    pub prepaid_fen: i64,
}

fn check_span(from: NaiveDate, to: NaiveDate) -> CoreResult<()> {
    if to < from {
        return Err(CoreError::invalid("to", BillingCode::UntilBeforeFrom));
    }
    if (to - from).num_days() > 366 {
        return Err(CoreError::invalid("to", BillingCode::SpanTooLong));
    }
    Ok(())
}

/// Income by fee item in a span: what was settled on charges (by payments, less their
/// reversals, and from prepaid balances) on the span's business days, by item. Money paid into
/// a prepaid balance becomes income when it settles a charge.
async fn income_by_item(
    core: &Core,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    kind: Option<&str>,
) -> CoreResult<Vec<ItemIncome>> {
    store::reports::income_by_item(&mut core.db.read(), c, from, to, kind).await
}

/// The collection report of a span (a day for the daily report, a month for the monthly).
pub async fn collection_report(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<CollectionReport> {
    require_billing(ctx, c)?;
    check_span(from, to)?;
    community_tz(&mut core.db.read(), ctx, c).await?;
    let days = store::reports::payments_by_day(&mut core.db.read(), c, from, to).await?;
    let prepaid = store::reports::prepaid_moved(&mut core.db.read(), c, from, to).await?;
    Ok(CollectionReport {
        community_id: c,
        from,
        to,
        total_fen: days.iter().map(|d| d.total_fen).sum(),
        days,
        by_item: income_by_item(core, c, from, to, None).await?,
        prepaid_fen: prepaid.unwrap_or(0),
    })
}

// ---------------------------------------------------------------------------------------------
// Expenses and the quarterly publication

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Expense {
    pub id: i64,
    pub community_id: CommunityId,
    pub spent_on: NaiveDate,
    pub category: String,
    pub description: String,
    pub amount_fen: i64,
    /// Paid from the common maintenance fund (共有资金).
    pub from_fund: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ExpenseForCreate {
    pub community_id: CommunityId,
    pub spent_on: NaiveDate,
    /// "人工费", "公共能耗", "维修养护", "绿化保洁" …
    pub category: String,
    pub description: String,
    /// Yuan, at most two decimals.
    pub amount: String,
    #[serde(default)]
    pub from_fund: bool,
}

/// Enters an expense (finance: `billing.manage`).
pub async fn create_expense(
    core: &Core,
    ctx: &Ctx,
    input: ExpenseForCreate,
) -> CoreResult<Expense> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let mut ch = Checks::new();
    let cat = ch.take(required_text("category", &input.category, 20));
    let desc = ch.take(required_text("description", &input.description, 100));
    let amount = ch.take(positive_money("amount", &input.amount));
    ch.finish()?;
    let (Some(cat), Some(desc), Some(amount)) = (cat, desc, amount) else {
        return Err(CoreError::internal("validated expense"));
    };
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, c).await?;
    let id = store::reports::insert_expense(
        &mut tx,
        c,
        store::reports::ExpenseWrite {
            spent_on: input.spent_on,
            category: &cat,
            description: &desc,
            amount_fen: amount.0,
            from_fund: input.from_fund,
        },
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    let e = store::reports::expense(&mut tx, ExpenseId(id)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "expense", id)
            .community(c)
            .after(&e),
    )
    .await?;
    tx.commit().await?;
    Ok(e)
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct CategoryTotal {
    pub category: String,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Publication {
    pub community_id: CommunityId,
    pub community: String,
    /// "2026 年第 3 季度".
    pub title: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub income: Vec<ItemIncome>,
    pub income_fen: i64,
    pub expenses: Vec<CategoryTotal>,
    pub expense_fen: i64,
    /// income − expenses.
    pub balance_fen: i64,
}

/// Parses "2026-Q3" into its first and last day.
pub fn parse_quarter(
    field: &str,
    raw: &str,
) -> Result<(i32, u32, NaiveDate, NaiveDate), FieldError> {
    let bad = || FieldError::new(field, BillingCode::InvalidQuarter);
    let (y, q) = raw.trim().split_once("-Q").ok_or_else(bad)?;
    let y: i32 = y.parse().map_err(|_| bad())?;
    let q: u32 = q.parse().map_err(|_| bad())?;
    if !(2000..=2099).contains(&y) || !(1..=4).contains(&q) {
        return Err(bad());
    }
    let from = NaiveDate::from_ymd_opt(y, (q - 1) * 3 + 1, 1).ok_or_else(bad)?;
    let (ny, nm) = if q == 4 { (y + 1, 1) } else { (y, q * 3 + 1) };
    let to = NaiveDate::from_ymd_opt(ny, nm, 1)
        .and_then(|d| d.pred_opt())
        .ok_or_else(bad)?;
    Ok((y, q, from, to))
}

/// The quarter's income by fee item and expenses by category, for the owners' notice board.
/// Everyone who reaches the community may read it (the owners' committee included).
pub async fn publication(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    quarter: &str,
) -> CoreResult<Publication> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    let (y, q, from, to) =
        parse_quarter("quarter", quarter).map_err(|e| CoreError::Invalid(vec![e]))?;
    let community =
        crate::registry::store::for_billing::community_name(&mut core.db.read(), c, ctx.company_id)
            .await?
            .ok_or(CoreError::NotFound("community"))?;
    // The fund is its own account: neither its income nor its spending is the service's.
    let income: Vec<ItemIncome> = income_by_item(core, c, from, to, None)
        .await?
        .into_iter()
        .filter(|i| i.kind != FeeKind::Fund.code())
        .collect();
    let expenses =
        store::reports::expenses_by_category(&mut core.db.read(), c, from, to, false).await?;
    let income_fen = income.iter().map(|i| i.total_fen).sum();
    let expense_fen = expenses.iter().map(|e| e.total_fen).sum();
    Ok(Publication {
        community_id: c,
        community,
        title: format!("{y} 年第 {q} 季度"),
        from,
        to,
        income,
        income_fen,
        expenses,
        expense_fen,
        balance_fen: income_fen - expense_fen,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundLine {
    pub day: NaiveDate,
    pub description: String,
    /// In (collected) positive, out (spent) negative.
    pub amount_fen: i64,
    pub balance_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FundStatement {
    pub community_id: CommunityId,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub opening_fen: i64,
    pub lines: Vec<FundLine>,
    pub closing_fen: i64,
}

/// The common maintenance fund's account (共有资金): what fee items of kind `fund` collected,
/// what was spent from it, with the running balance.
pub async fn fund_statement(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<FundStatement> {
    if !ctx.reaches(c) {
        return Err(CoreError::NotFound("community"));
    }
    check_span(from, to)?;
    community_tz(&mut core.db.read(), ctx, c).await?;
    let ins = store::reports::fund_collected(&mut core.db.read(), c, to).await?;
    let outs = store::reports::fund_spent(&mut core.db.read(), c, true, to).await?;
    let mut moves: Vec<(NaiveDate, String, i64)> = ins
        .into_iter()
        .map(|(d, a)| (d, "共有资金收缴".to_string(), a))
        .chain(outs.into_iter().map(|(d, s, a)| (d, s, -a)))
        .collect();
    moves.sort_by_key(|m| m.0);
    let opening: i64 = moves.iter().filter(|m| m.0 < from).map(|m| m.2).sum();
    let mut bal = opening;
    let lines = moves
        .into_iter()
        .filter(|m| m.0 >= from)
        .map(|(day, description, amount_fen)| {
            bal += amount_fen;
            FundLine {
                day,
                description,
                amount_fen,
                balance_fen: bal,
            }
        })
        .collect();
    Ok(FundStatement {
        community_id: c,
        from,
        to,
        opening_fen: opening,
        lines,
        closing_fen: bal,
    })
}

// ---------------------------------------------------------------------------------------------
// .xlsx

/// A cell of an exported sheet.
pub enum Cell {
    Text(String),
    Int(i64),
    /// Fen, written as yuan with two decimals.
    Fen(i64),
}

/// One sheet: a title row, a header row, the rows.
pub fn sheet_xlsx(title: &str, headers: &[&str], rows: &[Vec<Cell>]) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    let bold = Format::new().set_bold();
    let money = Format::new().set_num_format("#,##0.00");
    ws.write_string_with_format(0, 0, title, &bold)
        .map_err(xlsx_err)?;
    write_header_cells(ws, 2, headers, &bold)?;
    for i in 0..headers.len() {
        ws.set_column_width(i as u16, 16).map_err(xlsx_err)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32 + 3;
        for (i, cell) in row.iter().enumerate() {
            let col = i as u16;
            match cell {
                Cell::Text(s) => ws.write_string(r, col, s).map(|_| ()),
                Cell::Int(n) => ws.write_number(r, col, *n as f64).map(|_| ()),
                Cell::Fen(f) => ws
                    .write_number_with_format(r, col, *f as f64 / 100.0, &money)
                    .map(|_| ()),
            }
            .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// The method's Chinese label.
pub fn method_zh(code: &str) -> &'static str {
    PayMethod::parse("", code).map(|m| m.zh()).unwrap_or("")
}

/// The quarter containing a day, as "2026-Q3".
pub fn quarter_of(d: NaiveDate) -> String {
    format!("{}-Q{}", d.year(), (d.month() - 1) / 3 + 1)
}

pub fn money_text(f: i64) -> String {
    Money(f).to_string()
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// collection, publication, fund, ageing, arrears, rate.
    pub report: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// For `rate`: "2026-07".
    pub period: Option<String>,
    /// For `publication`: "2026-Q3".
    pub quarter: Option<String>,
    pub as_of: Option<NaiveDate>,
}

/// A billing report as an .xlsx workbook: (file name, bytes).
pub async fn export_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    q: &ReportQuery,
) -> CoreResult<(String, Vec<u8>)> {
    let today = {
        let mut r = core.db.read();
        today_in(community_tz(&mut r, ctx, c).await?)
    };
    let from = q.from.unwrap_or(today.with_day(1).unwrap_or(today));
    let to = q.to.unwrap_or(today);
    let t = |s: &str| Cell::Text(s.to_string());
    match q.report.as_str() {
        "collection" => {
            let r = collection_report(core, ctx, c, from, to).await?;
            let mut rows: Vec<Vec<Cell>> = r
                .days
                .iter()
                .map(|d| {
                    vec![
                        Cell::Text(d.business_date.to_string()),
                        t(method_zh(&d.method)),
                        Cell::Int(d.count),
                        Cell::Fen(d.total_fen),
                    ]
                })
                .collect();
            rows.push(vec![t("合计"), t(""), t(""), Cell::Fen(r.total_fen)]);
            rows.push(vec![]);
            rows.push(vec![t("收费项目"), t(""), t(""), t("实收")]);
            for i in &r.by_item {
                rows.push(vec![
                    Cell::Text(i.fee_item.clone()),
                    t(""),
                    t(""),
                    Cell::Fen(i.total_fen),
                ]);
            }
            rows.push(vec![t("转入预存"), t(""), t(""), Cell::Fen(r.prepaid_fen)]);
            Ok((
                format!("collection-{from}-{to}.xlsx"),
                sheet_xlsx(
                    &format!("收费报表 {from} 至 {to}"),
                    &["日期", "方式", "笔数", "金额（元）"],
                    &rows,
                )?,
            ))
        }
        "publication" => {
            let quarter = q.quarter.clone().unwrap_or_else(|| quarter_of(today));
            let p = publication(core, ctx, c, &quarter).await?;
            let mut rows = vec![vec![t("收入")]];
            for i in &p.income {
                rows.push(vec![Cell::Text(i.fee_item.clone()), Cell::Fen(i.total_fen)]);
            }
            rows.push(vec![t("收入合计"), Cell::Fen(p.income_fen)]);
            rows.push(vec![t("支出")]);
            for e in &p.expenses {
                rows.push(vec![Cell::Text(e.category.clone()), Cell::Fen(e.total_fen)]);
            }
            rows.push(vec![t("支出合计"), Cell::Fen(p.expense_fen)]);
            rows.push(vec![t("结余"), Cell::Fen(p.balance_fen)]);
            Ok((
                format!("publication-{quarter}.xlsx"),
                sheet_xlsx(
                    &format!("{} {} 收支公示", p.community, p.title),
                    &["项目", "金额（元）"],
                    &rows,
                )?,
            ))
        }
        "fund" => {
            let f = fund_statement(core, ctx, c, from, to).await?;
            let mut rows = vec![vec![t(""), t("期初余额"), t(""), Cell::Fen(f.opening_fen)]];
            for l in &f.lines {
                rows.push(vec![
                    Cell::Text(l.day.to_string()),
                    Cell::Text(l.description.clone()),
                    Cell::Fen(l.amount_fen),
                    Cell::Fen(l.balance_fen),
                ]);
            }
            rows.push(vec![t(""), t("期末余额"), t(""), Cell::Fen(f.closing_fen)]);
            Ok((
                format!("fund-{from}-{to}.xlsx"),
                sheet_xlsx(
                    &format!("共有资金账户 {from} 至 {to}"),
                    &["日期", "摘要", "发生额（元）", "余额（元）"],
                    &rows,
                )?,
            ))
        }
        "ageing" => {
            let a = super::arrears::ageing(core, ctx, c, q.as_of).await?;
            let row = |b: &super::arrears::AgeingRow, name: &str| {
                vec![
                    Cell::Text(name.to_string()),
                    Cell::Int(b.units),
                    Cell::Fen(b.d0_30_fen),
                    Cell::Fen(b.d31_90_fen),
                    Cell::Fen(b.d91_180_fen),
                    Cell::Fen(b.over_180_fen),
                    Cell::Fen(b.total_fen),
                ]
            };
            let mut rows: Vec<Vec<Cell>> =
                a.buildings.iter().map(|b| row(b, &b.building)).collect();
            rows.push(row(&a.total, "合计"));
            Ok((
                format!("ageing-{}.xlsx", a.as_of),
                sheet_xlsx(
                    &format!("欠费账龄 截至 {}", a.as_of),
                    &[
                        "楼栋",
                        "欠费户数",
                        "0–30 天",
                        "31–90 天",
                        "91–180 天",
                        "180 天以上",
                        "合计",
                    ],
                    &rows,
                )?,
            ))
        }
        "arrears" => {
            let f = super::arrears::ArrearsFilter {
                as_of: q.as_of,
                ..Default::default()
            };
            let us = super::arrears::arrears_units(core, ctx, c, &f).await?;
            // Reminders were logged at moments; the sheet shows the community's date of each.
            let tz = community_tz(&mut core.db.read(), ctx, c).await?;
            let rows: Vec<Vec<Cell>> = us
                .iter()
                .map(|u| {
                    vec![
                        Cell::Text(u.unit_label.clone()),
                        Cell::Int(u.charges),
                        Cell::Fen(u.owed_fen),
                        Cell::Text(u.oldest_due.to_string()),
                        Cell::Int(u.days),
                        Cell::Text(
                            u.last_reminder_at
                                .map(|d| d.with_timezone(&tz).format("%Y-%m-%d").to_string())
                                .unwrap_or_default(),
                        ),
                    ]
                })
                .collect();
            Ok((
                "arrears.xlsx".to_string(),
                sheet_xlsx(
                    "欠费户清单",
                    &[
                        "房屋",
                        "笔数",
                        "欠费（元）",
                        "最早截止日",
                        "逾期天数",
                        "最近催缴",
                    ],
                    &rows,
                )?,
            ))
        }
        "rate" => {
            let period = q
                .period
                .clone()
                .unwrap_or_else(|| format!("{:04}-{:02}", today.year(), today.month()));
            let r = super::arrears::collection_rate(core, ctx, c, &period).await?;
            let pct = |bp: Option<i64>| {
                bp.map(|b| format!("{}.{:02}%", b / 100, b % 100))
                    .unwrap_or_default()
            };
            let mut rows = Vec::new();
            for (label, list) in [("收费项目", &r.by_item), ("楼栋", &r.by_building)] {
                rows.push(vec![Cell::Text(label.to_string())]);
                for x in list.iter() {
                    rows.push(vec![
                        Cell::Text(x.name.clone()),
                        Cell::Fen(x.billed_fen),
                        Cell::Fen(x.collected_fen),
                        Cell::Text(pct(x.rate_bp)),
                    ]);
                }
            }
            rows.push(vec![
                t("合计"),
                Cell::Fen(r.billed_fen),
                Cell::Fen(r.collected_fen),
                Cell::Text(pct(r.rate_bp)),
            ]);
            Ok((
                format!("collection-rate-{}.xlsx", r.period),
                sheet_xlsx(
                    &format!("收缴率 账期 {}", r.period),
                    &["", "应收（元）", "实收（元）", "收缴率"],
                    &rows,
                )?,
            ))
        }
        _ => Err(CoreError::invalid("report", BillingCode::UnknownReport)),
    }
}
