//! Late fees (滞纳金, SPEC §4 and seed 000 逾期支付的处理方式): each fee item's daily rate on the
//! overdue principal after its grace period, capped at a share of the principal.
//!
//! A daily job accrues every open charge of a community in one set-based upsert: the days past
//! grace, and the fee in fen × 10⁶, each new day adding `outstanding × rate` — so a part
//! payment slows the fee from that day on, and the fee of an untouched charge is exactly
//! `principal × rate × (days overdue − grace)`. Accruals are not charges: what a unit owes
//! shows them as their own lines, and taking a payment first posts what has accrued as a
//! late-fee charge (immutable from then on, reversible like any charge). A manager may waive a
//! charge's late fee with a reason; it stops accruing.
//!
//! The job claims a community's day by moving `late_fee_runs.as_of` forward in the same
//! transaction as the upsert, so several nodes accrue each day exactly once.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Backend, Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::required_text;
use crate::{Core, CoreRef};

use super::ledger::{Reason, get_charge_in};
use super::model::*;
use super::setup::*;

/// Accrues a community's late fees up to `today` inside `tx`. Returns the charges touched.
pub async fn accrue_in(tx: &mut Tx, c: CommunityId, today: NaiveDate) -> CoreResult<u64> {
    // Days past the grace period, as each backend subtracts dates.
    let days = match tx.backend() {
        Backend::Sqlite => {
            "(CAST(julianday($2) - julianday(ch.due_date) AS INTEGER) - f.late_fee_grace_days)"
        }
        Backend::Postgres => "(($2 - ch.due_date) - f.late_fee_grace_days)",
    };
    tx.execute(
        &format!(
            "INSERT INTO late_fees (community_id, charge_id, days, accrued_e6, posted_fen) \
             SELECT ch.community_id, ch.id, {days}, (ch.amount_fen - ch.settled_fen) * f.late_fee_ppm * {days}, 0 \
             FROM charges ch JOIN fee_items f ON f.id = ch.fee_item_id \
             WHERE ch.community_id = $1 AND ch.reversed_by IS NULL AND ch.kind IN ('bill', 'manual', 'service') \
             AND ch.settled_fen < ch.amount_fen AND f.late_fee_ppm > 0 AND {days} > 0 ORDER BY ch.id \
             ON CONFLICT (community_id, charge_id) DO UPDATE SET \
             accrued_e6 = late_fees.accrued_e6 + (excluded.accrued_e6 / excluded.days) * (excluded.days - late_fees.days), \
             days = excluded.days \
             WHERE late_fees.waived_at IS NULL AND excluded.days > late_fees.days"
        ),
        args![c, today],
    )
    .await
}

/// Accrues a community's late fees up to today, unless that day was already accrued. Returns
/// `None` when it was.
pub async fn accrue_today(core: &Core, c: CommunityId, tz_name: &str) -> CoreResult<Option<u64>> {
    let today = today_in(tz_of(tz_name));
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let claimed: Option<(NaiveDate,)> = tx
        .fetch_optional(
            "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, 0, $3) \
             ON CONFLICT (community_id) DO UPDATE SET as_of = $2, ran_at = $3 \
             WHERE late_fee_runs.as_of < $2 RETURNING as_of",
            args![c, today, now],
        )
        .await?;
    if claimed.is_none() {
        return Ok(None);
    }
    let n = accrue_in(&mut tx, c, today).await?;
    tx.execute(
        "UPDATE late_fee_runs SET charges = $1 WHERE community_id = $2",
        args![n as i64, c],
    )
    .await?;
    tx.commit().await?;
    Ok(Some(n))
}

/// Accrues every community whose day is due; returns (communities, charges).
pub async fn run_late_fees(core: &Core) -> CoreResult<(u64, u64)> {
    let all: Vec<(CommunityId, String)> = core
        .db
        .read()
        .fetch_all("SELECT id, timezone FROM communities ORDER BY id", args![])
        .await?;
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
    /// "0.05%/天，宽限 10 天，不超过本金".
    pub rule: String,
    pub waived: bool,
}

#[derive(sqlx::FromRow)]
struct LfRow {
    charge_id: i64,
    days: i64,
    accrued_e6: i64,
    posted_fen: i64,
    waived_at: Option<DateTime<Utc>>,
    description: String,
    due_date: NaiveDate,
    amount_fen: i64,
    settled_fen: i64,
    fee_item_id: i64,
    period: Option<String>,
    late_fee_ppm: i64,
    late_fee_grace_days: i64,
    late_fee_cap_pct: Option<i64>,
}

const LF_SELECT: &str = "SELECT lf.charge_id, lf.days, lf.accrued_e6, lf.posted_fen, lf.waived_at, \
     ch.description, ch.due_date, ch.amount_fen, ch.settled_fen, ch.fee_item_id, ch.period, \
     f.late_fee_ppm, f.late_fee_grace_days, f.late_fee_cap_pct FROM late_fees lf \
     JOIN charges ch ON ch.id = lf.charge_id AND ch.community_id = lf.community_id \
     JOIN fee_items f ON f.id = ch.fee_item_id";

impl LfRow {
    /// The accrued fee in fen, within what the cap leaves.
    fn accrued(&self) -> i64 {
        let fee = Rounding::HalfUp.div(i128::from(self.accrued_e6), 1_000_000);
        match self.late_fee_cap_pct {
            Some(p) => {
                let cap = Rounding::Down.div(i128::from(self.amount_fen) * i128::from(p), 100);
                fee.min((cap - self.posted_fen).max(0))
            }
            None => fee,
        }
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
    let rows: Vec<LfRow> = q
        .fetch_all(
            &format!(
                "{LF_SELECT} WHERE ch.community_id = $1 AND ch.unit_id = $2 AND ch.reversed_by IS NULL \
                 ORDER BY ch.due_date, ch.id"
            ),
            args![c, unit],
        )
        .await?;
    Ok(rows.iter().map(LfRow::line).collect())
}

/// Posts what has accrued on a unit's charges as late-fee charges (before a payment settles
/// them). Each accrual is claimed by a conditional UPDATE, so two desks never post it twice;
/// rows are taken in charge order, as the daily accrual takes them, so the two never deadlock.
pub(super) async fn post_accrued(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    let rows: Vec<LfRow> = tx
        .fetch_all(
            &format!(
                "{LF_SELECT} WHERE ch.community_id = $1 AND ch.unit_id = $2 AND lf.waived_at IS NULL \
                 AND ch.reversed_by IS NULL AND lf.accrued_e6 > 0 ORDER BY ch.id"
            ),
            args![c, unit],
        )
        .await?;
    for r in rows {
        let amt = r.accrued();
        let n = tx
            .execute(
                "UPDATE late_fees SET accrued_e6 = 0, posted_fen = posted_fen + $1 WHERE community_id = $2 \
                 AND charge_id = $3 AND accrued_e6 = $4 AND waived_at IS NULL",
                args![amt, c, r.charge_id, r.accrued_e6],
            )
            .await?;
        if n != 1 {
            return Err(CoreError::conflict("charge_ids", "charge_already_settled"));
        }
        if amt == 0 {
            continue;
        }
        let line = r.line();
        tx.execute(
            "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, period, description, basis, \
             amount_fen, settled_fen, due_date, reverses_id, created_by, created_at) VALUES ($1, $2, $3, $4, \
             $5, $6, $7, $8, 0, $9, NULL, $10, $11)",
            args![
                c,
                unit,
                r.fee_item_id,
                ChargeKind::LateFee.code(),
                r.period.as_deref(),
                format!("滞纳金：{}", r.description),
                format!("逾期 {} 天 × {}", r.days, line.rule),
                amt,
                r.due_date,
                actor,
                now
            ],
        )
        .await?;
    }
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
    let c: Option<(CommunityId,)> = tx
        .fetch_optional(
            "SELECT ch.community_id FROM charges ch JOIN communities c ON c.id = ch.community_id \
             WHERE ch.id = $1 AND c.company_id = $2",
            args![charge, ctx.company_id],
        )
        .await?;
    let c = match c {
        Some((c,)) if ctx.reaches(c) => c,
        _ => return Err(CoreError::NotFound("charge")),
    };
    ctx.require_in(Perm::BillingManage, c)?;
    get_charge_in(&mut tx, c, charge).await?;
    let before: Option<LfRow> = tx
        .fetch_optional(
            &format!("{LF_SELECT} WHERE lf.community_id = $1 AND lf.charge_id = $2"),
            args![c, charge],
        )
        .await?;
    let Some(before) = before else {
        return Err(CoreError::conflict("id", "no_late_fee"));
    };
    if before.waived_at.is_some() {
        return Err(CoreError::conflict("id", "late_fee_already_waived"));
    }
    // What was read is what is waived: a payment that posted it meanwhile makes this a 409.
    let n = tx
        .execute(
            "UPDATE late_fees SET waived_at = $1, waived_by = $2, waived_reason = $3, accrued_e6 = 0 \
             WHERE community_id = $4 AND charge_id = $5 AND waived_at IS NULL AND accrued_e6 = $6",
            args![now, ctx.actor(), reason.as_str(), c, charge, before.accrued_e6],
        )
        .await?;
    if n != 1 {
        return Err(CoreError::conflict("id", "late_fee_changed"));
    }
    let after: LfRow = tx
        .fetch_one(
            &format!("{LF_SELECT} WHERE lf.community_id = $1 AND lf.charge_id = $2"),
            args![c, charge],
        )
        .await?;
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
    ctx.require_in(Perm::BillingManage, c)?;
    let today = today_in(community_tz(&mut core.db.read(), ctx, c).await?);
    let mut tx = core.db.begin().await?;
    let n = accrue_in(&mut tx, c, today).await?;
    tx.execute(
        "INSERT INTO late_fee_runs (community_id, as_of, charges, ran_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (community_id) DO UPDATE SET as_of = $2, charges = $3, ran_at = $4",
        args![c, today, n as i64, Utc::now()],
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}
