//! Late fees (滞纳金, SPEC §4 and seed 000 逾期支付的处理方式): each fee item's daily rate on the
//! overdue principal after its grace period, capped at a share of the principal.
//!
//! **A day's fee is what was outstanding on that day × the rate**, whatever order the daily job,
//! the payments and the nodes ran in. Day `d` of a charge is the date `due + grace + d`; what
//! was outstanding on it is the principal less every settlement whose `paid_on` date is on or
//! before it (a part payment on day 30 already lowers day 30). The fee is therefore not added
//! up day by day from "the outstanding now" — which made a payment taken before the day's run
//! shrink the days already past — but recomputed from the settlements' dates each time:
//! - the daily job moves the community's accrual day (`late_fee_runs.as_of`); every open
//!   overdue charge is read as carried to that day, its unposted fee computed from the
//!   settlements where it is read (the stored row holds it as of the last write to it). One
//!   run after a week of downtime therefore gives exactly what seven runs in order would have,
//!   and the job writes one row per community, not one per overdue charge;
//! - a settlement (payment, prepaid deduction) first brings the unit's late fees up to the day
//!   before its date and posts them as late-fee charges the payment can settle, then settles,
//!   then recomputes the unposted days with the settlement in (the job may already have
//!   accrued the payment's own day, or — a backdated payment — several days after it).
//!
//! Posted late-fee charges are history: a backdated payment reduces only the days not yet
//! posted (`posted_days`); what was posted stays, and a manager corrects it by reversing that
//! charge. Rounding (half-up at the fen) is applied to the running total (`posted_e6` + the
//! unposted fee), so the postings of a charge add up to its whole fee rounded once.
//! A manager may waive a charge's late fee with a reason; it stops accruing.
//!
//! The job claims a community's day by a conditional upsert of its `late_fee_runs` row, so
//! several nodes accrue each day exactly once; running the same day again changes nothing
//! (the day never goes back).

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::required_text;
use crate::{Core, CoreRef};

use super::error::BillingCode;
use super::ledger::{Reason, get_charge_in};
use super::model::*;
use super::setup::*;
use super::store;
use super::store::late_fees::LfRow;

pub use super::store::late_fees::accrue_in;

/// Accrues a community's late fees up to today, unless that day was already accrued. Returns
/// `None` when it was.
pub async fn accrue_today(core: &Core, c: CommunityId, tz_name: &str) -> CoreResult<Option<u64>> {
    let today = today_in(tz_of(tz_name));
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let n = store::late_fees::advance(&mut tx, c, today, now).await?;
    tx.commit().await?;
    Ok(n)
}

/// Accrues every community whose day is due; returns (communities, charges).
pub async fn run_late_fees(core: &Core) -> CoreResult<(u64, u64)> {
    let all = crate::registry::store::for_billing::all_communities(&mut core.db.read()).await?;
    let mut done = (0, 0);
    for (c, tz) in all {
        if let Some(n) = accrue_today(core, c, &tz).await? {
            done.0 += 1;
            done.1 += n;
        }
    }
    Ok(done)
}

/// Accrues late fees every `every` (each community once a day) until the process ends.
pub fn spawn_late_fees(core: CoreRef, every: std::time::Duration) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_late_fees(&core).await {
                Ok((0, _)) => {}
                Ok((n, charges)) => {
                    tracing::info!(communities = n, charges, "late fees accrued")
                }
                Err(e) => tracing::error!(error = %e, "late-fee accrual failed"),
            }
        }
    })
}

/// A charge's late fee as the desk shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LateFeeLine {
    pub charge_id: i64,
    /// The overdue charge's description.
    pub description: String,
    pub due_date: NaiveDate,
    pub outstanding_fen: i64,
    /// Days counted (past the grace period).
    pub days: i64,
    /// Accrued and not yet posted, rounded half-up to the fen, within the cap.
    pub accrued_fen: i64,
    /// Already posted as late-fee charges.
    pub posted_fen: i64,
    /// The days those postings covered (a backdated payment changes only the days after).
    pub posted_days: i64,
    /// "0.05%/天，宽限 10 天，不超过本金".
    pub rule: String,
    pub waived: bool,
}

impl LfRow {
    /// The whole fee in fen once `more_e6` joins the posted history: rounded half-up once,
    /// within the cap.
    fn total_with(&self, more_e6: i64) -> i64 {
        let fee = Rounding::HalfUp.div(i128::from(self.posted_e6) + i128::from(more_e6), 1_000_000);
        match self.late_fee_cap_pct {
            Some(p) => {
                let cap = Rounding::Down.div(i128::from(self.amount_fen) * i128::from(p), 100);
                fee.min(cap)
            }
            None => fee,
        }
    }
    /// The accrued, unposted fee in fen.
    fn accrued(&self) -> i64 {
        (self.total_with(self.accrued_e6) - self.posted_fen).max(0)
    }
    fn line(&self) -> LateFeeLine {
        let cap = match self.late_fee_cap_pct {
            Some(100) => "，不超过本金".to_string(),
            Some(p) => format!("，不超过本金的 {p}%"),
            None => String::new(),
        };
        LateFeeLine {
            charge_id: self.charge_id,
            description: self.description.clone(),
            due_date: self.due_date,
            outstanding_fen: self.amount_fen - self.settled_fen,
            days: self.days,
            accrued_fen: if self.waived_at.is_some() {
                0
            } else {
                self.accrued()
            },
            posted_fen: self.posted_fen,
            posted_days: self.posted_days,
            rule: format!(
                "{}%/天，宽限 {} 天{cap}",
                rate_pct(self.late_fee_ppm),
                self.late_fee_grace_days
            ),
            waived: self.waived_at.is_some(),
        }
    }
}

/// The late fees of a unit's charges (accrued or posted or waived).
pub(super) async fn unit_late_fees(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<LateFeeLine>> {
    let rows = store::late_fees::of_unit(q, c, unit).await?;
    Ok(rows.iter().map(LfRow::line).collect())
}

/// Before a settlement dated `paid_on`: brings the unit's late fees up to the day before it
/// and posts them as late-fee charges, so the payment can settle them. The days from `paid_on`
/// on depend on what the settlement pays and stay unposted (see [`after_settling`]). Each
/// posting is claimed by a conditional UPDATE, so two desks never post the same days twice;
/// rows are taken in charge order, as the daily accrual takes them, so the two never deadlock.
pub(super) async fn post_before(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    paid_on: NaiveDate,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let Some(through) = paid_on.pred_opt() else {
        return Ok(());
    };
    store::late_fees::refresh_unit(tx, c, unit, through).await?;
    let posts = store::late_fees::to_post(tx, c, unit, through).await?;
    if posts.is_empty() {
        return Ok(());
    }
    let rows = store::late_fees::of_unit(tx, c, unit).await?;
    for p in posts {
        let Some(r) = rows.iter().find(|r| r.charge_id == p.charge_id) else {
            continue;
        };
        let amt = (r.total_with(p.chunk_e6) - r.posted_fen).max(0);
        if store::late_fees::claim_posting(tx, c, ChargeId(p.charge_id), &p, amt).await? != 1 {
            return Err(CoreError::conflict(
                "charge_ids",
                BillingCode::ChargeAlreadySettled,
            ));
        }
        if amt == 0 {
            continue;
        }
        let line = r.line();
        store::charges::insert_late_fee(
            tx,
            c,
            store::charges::LateFeeCharge {
                unit_id: unit,
                fee_item_id: r.fee_item_id,
                kind: ChargeKind::LateFee.code(),
                period: r.period.as_deref(),
                description: format!("滞纳金：{}", r.description),
                basis: format!(
                    "逾期第 {}–{} 天 × {}",
                    p.posted_days + 1,
                    p.through_days,
                    line.rule
                ),
                amount_fen: amt,
                due_date: r.due_date,
            },
            actor,
            now,
        )
        .await?;
    }
    Ok(())
}

/// After a settlement dated `paid_on` (or its reversal): recomputes the unit's unposted late
/// fees with it, from `paid_on` on — the job may have accrued that day already, or, for a
/// backdated payment, several days after it.
pub(super) async fn after_settling(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    paid_on: NaiveDate,
) -> CoreResult<()> {
    let through = paid_on.pred_opt().unwrap_or(paid_on);
    store::late_fees::refresh_unit(tx, c, unit, through).await?;
    Ok(())
}

/// Waives a charge's late fee (a manager, with a reason; audit-logged): what accrued is
/// dropped and nothing more accrues. What was already posted is reversed like any charge.
pub async fn waive_late_fee(
    core: &Core,
    ctx: &Ctx,
    charge: i64,
    input: Reason,
) -> CoreResult<LateFeeLine> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let c = match store::charges::community_of(&mut tx, ChargeId(charge), ctx.company_id).await? {
        Some(c) if ctx.reaches(c) => c,
        _ => return Err(CoreError::NotFound("charge")),
    };
    ctx.require_in(Perm::BillingManage, c)?;
    let ch = get_charge_in(&mut tx, c, charge).await?;
    store::late_fees::carry_unit(&mut tx, c, ch.unit_id).await?;
    let Some(before) = store::late_fees::of_charge(&mut tx, c, ChargeId(charge)).await? else {
        return Err(CoreError::conflict("id", BillingCode::NoLateFee));
    };
    if before.waived_at.is_some() {
        return Err(CoreError::conflict("id", BillingCode::LateFeeAlreadyWaived));
    }
    // What was read is what is waived: a payment that posted it meanwhile makes this a 409.
    let n = store::late_fees::waive(
        &mut tx,
        c,
        ChargeId(charge),
        before.accrued_e6,
        ctx.actor(),
        &reason,
        now,
    )
    .await?;
    if n != 1 {
        return Err(CoreError::conflict("id", BillingCode::LateFeeChanged));
    }
    let after = store::late_fees::of_charge(&mut tx, c, ChargeId(charge))
        .await?
        .ok_or(CoreError::NotFound("row"))?;
    let (b, a) = (before.line(), after.line());
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "late_fee_waiver", charge)
            .community(c)
            .before(&b)
            .after(&serde_json::json!({ "late_fee": &a, "reason": reason, "waived_fen": b.accrued_fen })),
    )
    .await?;
    tx.commit().await?;
    Ok(a)
}

/// Accrues a community's late fees now, as of today (a manager; the daily job does the same).
pub async fn accrue_now(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<u64> {
    accrue_as_of(core, ctx, c, None).await
}

/// A manager's run of the accrual as of `as_of` (default today; never later): catching up
/// after downtime, or bringing the fees to a month end before a report. Days already accrued
/// are left alone, so running the same date twice changes nothing; one run over several
/// missed days gives exactly what a run on each of them, in order, would have (the fee is
/// recomputed from the settlements' dates, see the module docs). The community's run date
/// only moves forward.
pub async fn accrue_as_of(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    as_of: Option<NaiveDate>,
) -> CoreResult<u64> {
    ctx.require_in(Perm::BillingManage, c)?;
    let today = today_in(community_tz(&mut core.db.read(), ctx, c).await?);
    let day = as_of.unwrap_or(today);
    if day > today {
        return Err(CoreError::invalid("as_of", BillingCode::DateInFuture));
    }
    let mut tx = core.db.begin().await?;
    let n = accrue_in(&mut tx, c, day).await?;
    tx.commit().await?;
    Ok(n)
}
