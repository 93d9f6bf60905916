//! The quarterly complaint analysis (季度投诉汇总分析): the quarter's complaints by category
//! against the previous quarter, the resolve clock's on-time rate, satisfaction, the units that
//! complained repeatedly, and every complaint.

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::Core;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CommonCode, CoreError, CoreResult};
use crate::shared::ids::*;

use super::super::error::TicketCode;
use super::super::model::RequestKind;
use super::super::store;
use super::{ClockStat, StatsQuery, StatsRow, clock_stats, scope, total_of};

/// One complaint of the quarter.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ComplaintLine {
    pub id: RequestId,
    pub number: String,
    pub created_day: String,
    pub kind: String,
    pub category: String,
    pub unit_label: Option<String>,
    pub location: Option<String>,
    pub description: String,
    pub state: String,
    pub satisfaction: Option<i64>,
    pub handling_seconds: Option<i64>,
    pub reopen_count: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RepeatUnit {
    pub unit_label: String,
    pub complaints: i64,
}

/// 季度投诉汇总分析: the quarter's complaints by category, against the previous quarter, with
/// the resolve clock's on-time rate, satisfaction, the units that complained repeatedly, and
/// every complaint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ComplaintAnalysis {
    pub year: i32,
    pub quarter: u32,
    #[schema(value_type = String, format = Date)]
    pub from: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub to: NaiveDate,
    pub total: StatsRow,
    pub serious: i64,
    pub previous_total: i64,
    /// (total − previous) / previous.
    pub change_rate: Option<f64>,
    pub by_category: Vec<StatsRow>,
    pub clocks: Vec<ClockStat>,
    pub repeat_units: Vec<RepeatUnit>,
    pub items: Vec<ComplaintLine>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QuarterQuery {
    pub community_id: Option<CommunityId>,
    pub year: i32,
    /// 1–4.
    pub quarter: u32,
}

pub fn quarter_range(year: i32, quarter: u32) -> CoreResult<(NaiveDate, NaiveDate)> {
    if !(1..=4).contains(&quarter) {
        return Err(CoreError::invalid("quarter", TicketCode::QuarterOutOfRange));
    }
    let start = NaiveDate::from_ymd_opt(year, (quarter - 1) * 3 + 1, 1)
        .ok_or_else(|| CoreError::invalid("year", CommonCode::InvalidDate))?;
    let next = if quarter == 4 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        NaiveDate::from_ymd_opt(year, quarter * 3 + 1, 1)
    }
    .ok_or_else(|| CoreError::invalid("year", CommonCode::InvalidDate))?;
    Ok((start, next.pred_opt().unwrap_or(next)))
}

pub async fn complaint_analysis(
    core: &Core,
    ctx: &Ctx,
    q: &QuarterQuery,
) -> CoreResult<ComplaintAnalysis> {
    if !(2000..=2200).contains(&q.year) {
        return Err(CoreError::invalid("year", CommonCode::InvalidDate));
    }
    let (from, to) = quarter_range(q.year, q.quarter)?;
    let (py, pq) = if q.quarter == 1 {
        (q.year - 1, 4)
    } else {
        (q.year, q.quarter - 1)
    };
    let (pfrom, pto) = quarter_range(py, pq)?;
    let base = |from, to, group: &str| StatsQuery {
        community_id: q.community_id,
        from,
        to,
        group_by: Some(group.into()),
        kind: None,
        category: None,
    };
    let sc = scope(core, ctx, &base(from, to, "category")).await?;
    let complaints = [
        RequestKind::ComplaintGeneral.code(),
        RequestKind::ComplaintSerious.code(),
    ];
    let db = &core.db;
    let rows = store::stats::by_category(db, &sc, &complaints).await?;
    let by_category: Vec<StatsRow> = rows.into_iter().map(StatsRow::from).collect();
    let total = total_of(&by_category);
    let prev = scope(core, ctx, &base(pfrom, pto, "category")).await?;
    let previous_total = store::stats::count(db, &prev, &complaints).await?;
    let clocks = clock_stats(core, &sc, Some(&complaints)).await?;
    let items = store::stats::lines(db, &sc, &complaints).await?;
    let serious = items
        .iter()
        .filter(|i| i.kind == RequestKind::ComplaintSerious.code())
        .count() as i64;
    let mut per_unit: HashMap<String, i64> = HashMap::new();
    for i in &items {
        if let Some(u) = &i.unit_label {
            *per_unit.entry(u.clone()).or_default() += 1;
        }
    }
    let mut repeat_units: Vec<RepeatUnit> = per_unit
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .map(|(unit_label, complaints)| RepeatUnit {
            unit_label,
            complaints,
        })
        .collect();
    repeat_units.sort_by(|a, b| {
        b.complaints
            .cmp(&a.complaints)
            .then(a.unit_label.cmp(&b.unit_label))
    });
    Ok(ComplaintAnalysis {
        year: q.year,
        quarter: q.quarter,
        from,
        to,
        change_rate: (previous_total > 0).then(|| {
            ((total.count - previous_total) as f64 / previous_total as f64 * 10_000.0).round()
                / 10_000.0
        }),
        total,
        serious,
        previous_total,
        by_category,
        clocks,
        repeat_units,
        items,
    })
}
