//! The quarter's quality results (issue 16 point 3): the company's reward/penalty table by
//! position (奖罚标准; the seed's figures until the company saves its own) and, per community, the
//! last audit signed off in the quarter with its grade, what each position gains or loses by it,
//! the team bonus, and where the audits' rectification tasks stand — as JSON and as .xlsx.

use std::collections::HashMap;

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::error::QualityCode;
use super::super::model::{self, Grade};
use super::super::store::report as store;
use crate::audit::{self, Action, Entry};
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::xlsx::{write_header_row, xlsx_err};
use crate::{Core, Ctx, Perm};

/// The seed's table: (position, penalty when the audit fails, reward when it is excellent), in fen.
const DEFAULTS: [(&str, i64, i64); 4] = [
    ("项目经理", 50_000, 100_000),
    ("分管副经理", 40_000, 80_000),
    ("部门主任/副主任", 30_000, 60_000),
    ("班长/领班", 10_000, 0),
];
/// The team bonus at 96 points and above (fen).
const TEAM_BONUS: i64 = 300_000;
/// The stored row holding the team bonus sits before the positions.
const TEAM_POSITION: i64 = -1;
pub const MAX_POSITIONS: usize = 20;

/// A position's stake in its community's grade (fen).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RewardPosition {
    pub label: String,
    /// Lost when the audit fails (≤ 79).
    pub penalty_fen: i64,
    /// Gained when it is excellent (≥ 91).
    pub reward_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RewardTable {
    pub positions: Vec<RewardPosition>,
    /// Gained by the team at 96 points and above.
    pub team_bonus_fen: i64,
    /// The seed's figures: the company has not saved its own.
    pub is_default: bool,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RewardPositionInput {
    pub label: String,
    /// Yuan ("500"), 0 for none.
    pub penalty: String,
    pub reward: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RewardTableInput {
    /// 1 to 20 positions, each named once.
    pub positions: Vec<RewardPositionInput>,
    pub team_bonus: String,
}

async fn table(q: &mut impl crate::db::Queries, company: CompanyId) -> CoreResult<RewardTable> {
    let rows = store::rewards(q, company).await?;
    if rows.is_empty() {
        return Ok(RewardTable {
            positions: DEFAULTS
                .iter()
                .map(|(l, p, r)| RewardPosition {
                    label: (*l).into(),
                    penalty_fen: *p,
                    reward_fen: *r,
                })
                .collect(),
            team_bonus_fen: TEAM_BONUS,
            is_default: true,
        });
    }
    let mut t = RewardTable {
        positions: Vec::new(),
        team_bonus_fen: 0,
        is_default: false,
    };
    for r in rows {
        if r.position == TEAM_POSITION {
            t.team_bonus_fen = r.reward_fen;
        } else {
            t.positions.push(RewardPosition {
                label: r.label,
                penalty_fen: r.penalty_fen,
                reward_fen: r.reward_fen,
            });
        }
    }
    Ok(t)
}

/// The company's reward/penalty table (`quality.manage`).
pub async fn reward_table(core: &Core, ctx: &Ctx) -> CoreResult<RewardTable> {
    ctx.require(Perm::QualityManage)?;
    table(&mut core.db.read(), ctx.company_id).await
}

/// Saves the company's table whole (`quality.manage`): every problem named by its place
/// (`positions[2].penalty`).
pub async fn save_reward_table(
    core: &Core,
    ctx: &Ctx,
    input: RewardTableInput,
) -> CoreResult<RewardTable> {
    ctx.require(Perm::QualityManage)?;
    let mut errs = Vec::new();
    let mut money = |field: String, raw: &str| match Money::from_yuan_str(&field, raw) {
        Ok(m) => m.0,
        Err(e) => {
            errs.push(e);
            0
        }
    };
    let team = money("team_bonus".into(), &input.team_bonus);
    let mut rows = vec![(TEAM_POSITION, "团队奖励".to_string(), 0, team)];
    for (k, p) in input.positions.iter().enumerate() {
        let penalty = money(format!("positions[{k}].penalty"), &p.penalty);
        let reward = money(format!("positions[{k}].reward"), &p.reward);
        rows.push((k as i64, p.label.trim().to_string(), penalty, reward));
    }
    if input.positions.is_empty() || input.positions.len() > MAX_POSITIONS {
        errs.push(
            FieldError::new("positions", QualityCode::PositionsRange).with("max", MAX_POSITIONS),
        );
    }
    for (k, (_, label, ..)) in rows.iter().enumerate().skip(1) {
        let field = format!("positions[{}].label", k - 1);
        if label.is_empty() {
            errs.push(FieldError::new(field, CommonCode::Required));
        } else if label.chars().count() > 20 {
            errs.push(FieldError::new(field, CommonCode::TooLong).with("max", 20));
        } else if rows[1..k].iter().any(|(_, l, ..)| l == label) {
            errs.push(FieldError::new(field, QualityCode::PositionTwice));
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let mut tx = core.db.begin().await?;
    let before = table(&mut tx, ctx.company_id).await?;
    store::save_rewards(&mut tx, ctx.company_id, &rows).await?;
    let after = table(&mut tx, ctx.company_id).await?;
    let e = Entry::new(Action::Update, "quality_rewards", ctx.company_id.0)
        .before(&before)
        .after(&after);
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// What a grade earns each position (fen, a penalty negative) and the team.
fn stakes(t: &RewardTable, total_cp: i64, grade: Grade) -> (Vec<i64>, i64) {
    let each = t
        .positions
        .iter()
        .map(|p| match grade {
            Grade::Fail => -p.penalty_fen,
            Grade::Good => 0,
            Grade::Excellent => p.reward_fen,
        })
        .collect();
    let team = if model::team_bonus(total_cp) {
        t.team_bonus_fen
    } else {
        0
    };
    (each, team)
}

/// A community's quarter.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CommunityQuality {
    pub community_id: CommunityId,
    pub community_name: String,
    /// Audits signed off in the quarter.
    pub audits: i64,
    /// The last of them: its result is the quarter's.
    pub audit_id: Option<AuditId>,
    pub audit_number: Option<String>,
    pub total_cp: Option<i64>,
    pub grade: Option<Grade>,
    pub team_bonus: bool,
    /// Per position of the table, in its order (fen; a penalty negative).
    pub amounts_fen: Vec<i64>,
    pub team_fen: i64,
    /// The positions' and the team's amounts together.
    pub total_fen: i64,
    /// The quarter's audits' rectification tasks by state, and the open ones overdue now.
    pub rect_open: i64,
    pub rect_submitted: i64,
    pub rect_passed: i64,
    pub rect_kept: i64,
    pub rect_overdue: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct QualityReport {
    /// 2026-Q4.
    pub quarter: String,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub table: RewardTable,
    pub rows: Vec<CommunityQuality>,
    /// Per position over the communities (fen).
    pub totals_fen: Vec<i64>,
    pub team_total_fen: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    /// 2026-Q4; this quarter when absent.
    #[serde(default)]
    pub quarter: Option<String>,
}

/// The quarter's results of every community the actor audits (`quality.manage`): the last audit
/// signed off in the quarter (in the community's time zone) decides its grade and what each
/// position of the reward table gains or loses.
pub async fn quality_report(core: &Core, ctx: &Ctx, q: &QuarterQuery) -> CoreResult<QualityReport> {
    ctx.require(Perm::QualityManage)?;
    let now = Utc::now();
    let quarter = match q
        .quarter
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(s) => s.to_string(),
        None => crate::billing::reports::quarter_of(
            now.with_timezone(&crate::shared::calendar::zone(""))
                .date_naive(),
        ),
    };
    let (_, _, from, to) = crate::billing::reports::parse_quarter("quarter", &quarter)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let communities: Vec<_> = crate::registry::list_communities(core, ctx)
        .await?
        .into_iter()
        .filter(|c| ctx.require_in(Perm::QualityManage, c.id).is_ok())
        .collect();
    let ids: Vec<CommunityId> = communities.iter().map(|c| c.id).collect();
    let start = |d: NaiveDate, tz| crate::shared::calendar::local_to_utc(tz, d, NaiveTime::MIN);
    let after = to + Duration::days(1);
    let mut q = core.db.read();
    let table = table(&mut q, ctx.company_id).await?;
    // A day either side covers every time zone; each community keeps its own quarter below.
    let window = (
        start(from, chrono_tz::UTC) - Duration::days(1),
        start(after, chrono_tz::UTC) + Duration::days(1),
    );
    let mut signed: HashMap<CommunityId, Vec<store::SignedRow>> = HashMap::new();
    for r in store::signed_between(&mut q, &ids, window.0, window.1).await? {
        signed.entry(r.community_id).or_default().push(r);
    }
    let mut rows = Vec::new();
    let mut audits = Vec::new();
    for c in &communities {
        let tz = crate::shared::calendar::zone(&c.timezone);
        let (a, b): (DateTime<Utc>, DateTime<Utc>) = (start(from, tz), start(after, tz));
        let mine: Vec<&store::SignedRow> = signed
            .get(&c.id)
            .map(|v| {
                v.iter()
                    .filter(|r| r.signed_at >= a && r.signed_at < b)
                    .collect()
            })
            .unwrap_or_default();
        audits.extend(mine.iter().map(|r| r.id));
        let last = mine.last();
        let grade = last.map(|r| Grade::from_stored(&r.grade)).transpose()?;
        let (amounts, team) = match (last, grade) {
            (Some(r), Some(g)) => stakes(&table, r.total_cp, g),
            _ => (vec![0; table.positions.len()], 0),
        };
        rows.push(CommunityQuality {
            community_id: c.id,
            community_name: c.name.clone(),
            audits: mine.len() as i64,
            audit_id: last.map(|r| r.id),
            audit_number: last.map(|r| r.number.clone()),
            total_cp: last.map(|r| r.total_cp),
            grade,
            team_bonus: last.is_some_and(|r| model::team_bonus(r.total_cp)),
            total_fen: amounts.iter().sum::<i64>() + team,
            amounts_fen: amounts,
            team_fen: team,
            rect_open: 0,
            rect_submitted: 0,
            rect_passed: 0,
            rect_kept: 0,
            rect_overdue: 0,
        });
    }
    for n in store::rect_counts(&mut q, &ids, &audits, now).await? {
        let Some(r) = rows.iter_mut().find(|r| r.community_id == n.community_id) else {
            continue;
        };
        match n.state.as_str() {
            "open" => r.rect_open += n.n,
            "submitted" => r.rect_submitted += n.n,
            "passed" => r.rect_passed += n.n,
            _ => r.rect_kept += n.n,
        }
        r.rect_overdue += n.overdue;
    }
    let totals_fen = (0..table.positions.len())
        .map(|k| rows.iter().map(|r| r.amounts_fen[k]).sum())
        .collect();
    let team_total_fen = rows.iter().map(|r| r.team_fen).sum();
    let total_fen = rows.iter().map(|r| r.total_fen).sum();
    Ok(QualityReport {
        quarter,
        from,
        to,
        table,
        rows,
        totals_fen,
        team_total_fen,
        total_fen,
    })
}

/// The report as .xlsx: one row per community, a total row: (file name, bytes).
pub async fn quality_report_xlsx(
    core: &Core,
    ctx: &Ctx,
    q: &QuarterQuery,
) -> CoreResult<(String, Vec<u8>)> {
    let r = quality_report(core, ctx, q).await?;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("品质核查季度结果").map_err(xlsx_err)?;
    let mut headers: Vec<(String, f64)> = ["项目", "核查次数", "最近核查", "得分", "等级"]
        .iter()
        .map(|h| (h.to_string(), 12.0))
        .collect();
    headers.extend(r.table.positions.iter().map(|p| (p.label.clone(), 14.0)));
    headers.extend(
        [
            "团队奖励",
            "合计",
            "整改中",
            "待复查",
            "复查通过",
            "保留扣分",
            "逾期",
        ]
        .iter()
        .map(|h| (h.to_string(), 10.0)),
    );
    let refs: Vec<(&str, f64)> = headers.iter().map(|(h, w)| (h.as_str(), *w)).collect();
    write_header_row(ws, &refs)?;
    let money = Format::new().set_num_format("#,##0.00");
    let yuan = |f: i64| f as f64 / 100.0;
    for (i, c) in r.rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &c.community_name)
            .map_err(xlsx_err)?;
        ws.write_number(row, 1, c.audits as f64).map_err(xlsx_err)?;
        if let (Some(n), Some(t), Some(g)) = (&c.audit_number, c.total_cp, c.grade) {
            ws.write_string(row, 2, n).map_err(xlsx_err)?;
            ws.write_number(row, 3, t as f64 / 100.0)
                .map_err(xlsx_err)?;
            ws.write_string(row, 4, g.zh()).map_err(xlsx_err)?;
        }
        let mut col = 5;
        for a in c.amounts_fen.iter().chain([&c.team_fen, &c.total_fen]) {
            ws.write_number_with_format(row, col, yuan(*a), &money)
                .map_err(xlsx_err)?;
            col += 1;
        }
        for n in [
            c.rect_open,
            c.rect_submitted,
            c.rect_passed,
            c.rect_kept,
            c.rect_overdue,
        ] {
            ws.write_number(row, col, n as f64).map_err(xlsx_err)?;
            col += 1;
        }
    }
    let row = r.rows.len() as u32 + 1;
    ws.write_string(row, 0, "合计").map_err(xlsx_err)?;
    for (k, a) in r
        .totals_fen
        .iter()
        .chain([&r.team_total_fen, &r.total_fen])
        .enumerate()
    {
        ws.write_number_with_format(row, 5 + k as u16, yuan(*a), &money)
            .map_err(xlsx_err)?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    Ok((format!("quality-{}.xlsx", r.quarter), bytes))
}
