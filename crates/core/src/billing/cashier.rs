//! The cashier's day (日结): every payment first upserts the cashier's row for the day, which
//! refuses it once the day is closed; closing updates the same row, so on PostgreSQL a close
//! and a payment are serialised by that row's lock and the close's totals include every
//! payment that got in. A manager then confirms he received the day's cash.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::optional_text;

use super::error::BillingCode;
use super::model::*;
use super::setup::*;
use super::store;
use super::store::cashier_days::DayRow;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MethodTotal {
    pub method: String,
    pub count: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CashierDay {
    pub community_id: CommunityId,
    pub cashier_id: i64,
    pub cashier_name: String,
    pub business_date: NaiveDate,
    pub payments: i64,
    pub by_method: Vec<MethodTotal>,
    pub total_fen: i64,
    /// Cash to hand over (严禁现金在项目部门过夜).
    pub cash_fen: i64,
    pub closed_at: Option<DateTime<Utc>>,
    pub confirmed_by: Option<i64>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub note: Option<String>,
    /// Not closed, and the day is over.
    pub overdue: bool,
}

async fn day_totals(
    q: &mut impl Queries,
    c: CommunityId,
    cashier: i64,
    day: NaiveDate,
) -> CoreResult<(Vec<MethodTotal>, i64)> {
    let rows = store::cashier_days::totals(q, c, cashier, day).await?;
    let n = rows.iter().map(|r| r.1).sum();
    Ok((
        rows.into_iter()
            .map(|(method, count, total_fen)| MethodTotal {
                method,
                count,
                total_fen,
            })
            .collect(),
        n,
    ))
}

async fn day_view(
    q: &mut impl Queries,
    c: CommunityId,
    row: DayRow,
    today: NaiveDate,
) -> CoreResult<CashierDay> {
    let (by_method, n) = day_totals(q, c, row.cashier_id, row.business_date).await?;
    let name = crate::auth::store::for_billing::cashier_name(q, row.cashier_id).await?;
    Ok(CashierDay {
        community_id: c,
        cashier_id: row.cashier_id,
        cashier_name: name.unwrap_or_else(|| "system".into()),
        business_date: row.business_date,
        payments: n,
        total_fen: by_method.iter().map(|m| m.total_fen).sum(),
        cash_fen: by_method
            .iter()
            .filter(|m| m.method == PayMethod::Cash.code())
            .map(|m| m.total_fen)
            .sum(),
        by_method,
        overdue: row.closed_at.is_none() && row.business_date < today,
        closed_at: row.closed_at,
        confirmed_by: row.confirmed_by,
        confirmed_at: row.confirmed_at,
        note: row.note,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DayClose {
    pub community_id: CommunityId,
    /// Default: today. An earlier day left open may be closed late.
    pub date: Option<NaiveDate>,
    pub note: Option<String>,
}

/// Closes the actor's day: its totals are fixed and it takes no more payments.
pub async fn close_day(core: &Core, ctx: &Ctx, input: DayClose) -> CoreResult<CashierDay> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingCollect, c)?;
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let today = today_in(tz);
    let day = input.date.unwrap_or(today);
    if day > today {
        return Err(CoreError::invalid("date", BillingCode::DateInFuture));
    }
    let cashier = ctx.actor().map_or(0, |u| u.0);
    let row = store::cashier_days::close(&mut tx, c, cashier, day, now, note).await?;
    if row.is_none() {
        return Err(CoreError::conflict("date", BillingCode::DayAlreadyClosed));
    }
    let (by_method, _) = day_totals(&mut tx, c, cashier, day).await?;
    let total: i64 = by_method.iter().map(|m| m.total_fen).sum();
    let cash: i64 = by_method
        .iter()
        .filter(|m| m.method == PayMethod::Cash.code())
        .map(|m| m.total_fen)
        .sum();
    store::cashier_days::set_totals(
        &mut tx,
        c,
        cashier,
        day,
        serde_json::to_string(&by_method).unwrap_or_default(),
        total,
        cash,
    )
    .await?;
    let row = store::cashier_days::get(&mut tx, c, cashier, day)
        .await?
        .ok_or(CoreError::NotFound("row"))?;
    let view = day_view(&mut tx, c, row, today).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "daily_close", cashier)
            .community(c)
            .after(&view),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct DayConfirm {
    pub community_id: CommunityId,
    pub cashier_id: i64,
    pub date: NaiveDate,
}

/// The manager confirms he received the closed day's cash (交接确认).
pub async fn confirm_day(core: &Core, ctx: &Ctx, input: DayConfirm) -> CoreResult<CashierDay> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let row = store::cashier_days::get(&mut tx, c, input.cashier_id, input.date).await?;
    let Some(row) = row else {
        return Err(CoreError::NotFound("cashier_day"));
    };
    if row.closed_at.is_none() {
        return Err(CoreError::conflict("date", BillingCode::DayNotClosed));
    }
    let n = store::cashier_days::confirm(
        &mut tx,
        c,
        input.cashier_id,
        input.date,
        ctx.actor().map(|u| u.0),
        now,
    )
    .await?;
    if n != 1 {
        return Err(CoreError::conflict(
            "date",
            BillingCode::DayAlreadyConfirmed,
        ));
    }
    let row = store::cashier_days::get(&mut tx, c, input.cashier_id, input.date)
        .await?
        .ok_or(CoreError::NotFound("row"))?;
    let view = day_view(&mut tx, c, row, today_in(tz)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "daily_close", input.cashier_id)
            .community(c)
            .after(&view),
    )
    .await?;
    tx.commit().await?;
    Ok(view)
}

/// One cashier's day (his 日结单): a cashier reads his own, a manager anyone's.
pub async fn cashier_day(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    cashier: i64,
    date: NaiveDate,
) -> CoreResult<CashierDay> {
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    if !ctx.has(Perm::BillingManage) && ctx.actor().map_or(0, |u| u.0) != cashier {
        return Err(CoreError::NotFound("cashier_day"));
    }
    let row = store::cashier_days::get(&mut r, c, cashier, date)
        .await?
        .ok_or(CoreError::NotFound("cashier_day"))?;
    day_view(&mut r, c, row, today_in(tz)).await
}

/// What the cashier's home shows: today's takings (his own, or every cashier's for a manager)
/// and the days still open, oldest first.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Takings {
    pub community_id: CommunityId,
    #[schema(value_type = String, format = Date)]
    pub today: NaiveDate,
    pub today_fen: i64,
    pub today_payments: i64,
    pub open_days: Vec<CashierDay>,
}

pub async fn takings(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Takings> {
    let days = list_days(
        core,
        ctx,
        DayFilter {
            community_id: c,
            from: None,
        },
    )
    .await?;
    let tz = community_tz(&mut core.db.read(), ctx, c).await?;
    let today = today_in(tz);
    let (mut today_fen, mut today_payments) = (0, 0);
    for d in days.iter().filter(|d| d.business_date == today) {
        today_fen += d.total_fen;
        today_payments += d.payments;
    }
    let mut open_days: Vec<CashierDay> =
        days.into_iter().filter(|d| d.closed_at.is_none()).collect();
    open_days.sort_by_key(|d| d.business_date);
    Ok(Takings {
        community_id: c,
        today,
        today_fen,
        today_payments,
        open_days,
    })
}

#[derive(Debug, Clone, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct DayFilter {
    pub community_id: CommunityId,
    /// Days from (default: 30 days ago).
    pub from: Option<NaiveDate>,
}

/// The cashiers' days of a community, newest first; days left open after they ended are
/// flagged `overdue`. A cashier sees his own, a manager everyone's.
pub async fn list_days(core: &Core, ctx: &Ctx, f: DayFilter) -> CoreResult<Vec<CashierDay>> {
    let c = f.community_id;
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let today = today_in(tz);
    let from = f.from.unwrap_or(today - chrono::Duration::days(30));
    let mine = !ctx.has(Perm::BillingManage);
    let rows =
        store::cashier_days::list(&mut r, c, from, mine, ctx.actor().map_or(0, |u| u.0)).await?;
    let mut out = Vec::new();
    for row in rows {
        out.push(day_view(&mut r, c, row, today).await?);
    }
    Ok(out)
}
