//! Bill runs (生成账单): a period's charges for every unit (and parking space) of a community,
//! from the active charge standards, in one transaction. A run is unique per community and
//! period, so running it twice writes nothing twice; the preview computes the same lines
//! without writing. Rows go in as multi-row INSERTs, a chunk at a time.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Args, Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::ledger::{apply_prepaid, post_pending_in};
use super::model::*;
use super::setup::*;

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct BillRunForCreate {
    pub community_id: CommunityId,
    /// The first month of the period: "2026-07".
    pub period: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemTotal {
    pub fee_item_id: i64,
    pub fee_item: String,
    pub charges: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunPreview {
    pub community_id: CommunityId,
    pub period: String,
    pub items: Vec<ItemTotal>,
    pub charges: i64,
    pub total_fen: i64,
    /// Units charged at least once.
    pub units: i64,
    /// Lines left out: a unit outside its billing dates, a space with no unit, inner area unknown.
    pub skipped: i64,
    /// A run for this period is already posted (posting again is refused).
    pub already_posted: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct BillRun {
    pub id: i64,
    pub community_id: CommunityId,
    pub period: String,
    pub charges: i64,
    pub total_fen: i64,
    pub prepaid_applied_fen: i64,
    pub created_at: DateTime<Utc>,
}

/// One charge a run will write.
pub struct NewCharge {
    pub unit_id: i64,
    pub fee_item_id: i64,
    pub standard_id: i64,
    pub space_id: Option<i64>,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub description: String,
    pub basis: String,
    pub amount_fen: i64,
    pub due_date: NaiveDate,
}

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    building_id: i64,
    building_area: i64,
    inner_area: Option<i64>,
    use_kind: String,
    state: String,
    billing_from: Option<NaiveDate>,
    billing_until: Option<NaiveDate>,
}

#[derive(sqlx::FromRow)]
struct SpaceRow {
    id: i64,
    code: String,
    state: String,
    unit_id: i64,
    billing_from: Option<NaiveDate>,
    billing_until: Option<NaiveDate>,
}

/// Computes a period's lines. `(lines, skipped)`.
async fn compute(
    q: &mut impl Queries,
    c: CommunityId,
    year: i32,
    month: u32,
) -> CoreResult<(Vec<NewCharge>, i64, BTreeMap<i64, String>)> {
    let stds: Vec<Standard> = q
        .fetch_all(
            &format!(
                "SELECT {STD_COLS} FROM charge_standards s WHERE community_id = $1 AND active = $2 \
                 AND EXISTS (SELECT 1 FROM fee_items f WHERE f.id = s.fee_item_id AND f.active = $2) \
                 ORDER BY fee_item_id, id"
            ),
            args![c, true],
        )
        .await?;
    let items: Vec<(i64, String)> = q
        .fetch_all(
            "SELECT id, name FROM fee_items WHERE community_id = $1",
            args![c],
        )
        .await?;
    let items: BTreeMap<i64, String> = items.into_iter().collect();
    let runnable: Vec<(Standard, Period)> = stds
        .into_iter()
        .filter(|s| !matches!(s.method(), Method::Meter | Method::OneOff))
        .filter_map(|s| {
            let p = period_starting(s.cycle(), s.cycle_start_month as u32, year, month)?;
            Some((s, p))
        })
        .collect();
    let mut out = Vec::new();
    let mut skipped = 0;
    if runnable.is_empty() {
        return Ok((out, skipped, items));
    }
    let units: Vec<UnitRow> = q
        .fetch_all(
            "SELECT u.id, u.building_id, u.building_area, u.inner_area, u.use_kind, u.state, \
             a.billing_from, a.billing_until FROM units u LEFT JOIN billing_accounts a \
             ON a.community_id = u.community_id AND a.unit_id = u.id WHERE u.community_id = $1 ORDER BY u.id",
            args![c],
        )
        .await?;
    let needs_spaces = runnable.iter().any(|(s, _)| s.method() == Method::PerSpace);
    let spaces: Vec<SpaceRow> = if needs_spaces {
        q.fetch_all(
            "SELECT p.id, p.code, p.state, p.unit_id, a.billing_from, a.billing_until FROM parking_spaces p \
             LEFT JOIN billing_accounts a ON a.community_id = p.community_id AND a.unit_id = p.unit_id \
             WHERE p.community_id = $1 AND p.unit_id IS NOT NULL ORDER BY p.id",
            args![c],
        )
        .await?
    } else {
        Vec::new()
    };
    for (s, p) in &runnable {
        let item = items.get(&s.fee_item_id).cloned().unwrap_or_default();
        let from = p.first_day();
        let to = p.last_day();
        let days = p.days();
        let due = due_date(p, s.due_day as u32);
        let description = if p.months == 1 {
            format!("{item} {}", p.key())
        } else {
            let (ly, lm) = add_months(p.year, p.month, p.months - 1);
            format!("{item} {}～{ly:04}-{lm:02}", p.key())
        };
        let method = s.method();
        let line = |area: i64, covered: i64, pct: i64| LineInput {
            method,
            price: Price(s.price_e4),
            area,
            months: p.months,
            covered_days: covered,
            period_days: days,
            pct,
            rounding: s.rounding(),
        };
        if method == Method::PerSpace {
            for sp in &spaces {
                let ok_state = if s.space_states.is_empty() {
                    sp.state == "sold" || sp.state == "rented"
                } else {
                    list_allows(&s.space_states, &sp.state)
                };
                if !ok_state {
                    continue;
                }
                let covered = covered_days(p, sp.billing_from, sp.billing_until);
                if covered == 0 {
                    skipped += 1;
                    continue;
                }
                let l = line(0, covered, 100);
                out.push(NewCharge {
                    unit_id: sp.unit_id,
                    fee_item_id: s.fee_item_id,
                    standard_id: s.id,
                    space_id: Some(sp.id),
                    period_from: from,
                    period_to: to,
                    description: format!("{description}（车位 {}）", sp.code),
                    basis: line_basis(&l),
                    amount_fen: line_amount(&l),
                    due_date: due,
                });
            }
            continue;
        }
        for u in &units {
            let ok_state = if s.unit_states.is_empty() {
                u.state != "unsold"
            } else {
                list_allows(&s.unit_states, &u.state)
            };
            if !ok_state
                || !list_allows(&s.use_kinds, &u.use_kind)
                || !list_allows(&s.building_ids, &u.building_id.to_string())
            {
                continue;
            }
            let area = match method {
                Method::BuildingArea => u.building_area,
                Method::InnerArea => match u.inner_area {
                    Some(a) => a,
                    None => {
                        skipped += 1;
                        continue;
                    }
                },
                _ => 0,
            };
            let covered = covered_days(p, u.billing_from, u.billing_until);
            if covered == 0 {
                skipped += 1;
                continue;
            }
            let pct = if u.state == "vacant" {
                s.vacant_pct
            } else {
                100
            };
            let l = line(area, covered, pct);
            let amount = line_amount(&l);
            if amount == 0 {
                skipped += 1;
                continue;
            }
            out.push(NewCharge {
                unit_id: u.id,
                fee_item_id: s.fee_item_id,
                standard_id: s.id,
                space_id: None,
                period_from: from,
                period_to: to,
                description: description.clone(),
                basis: line_basis(&l),
                amount_fen: amount,
                due_date: due,
            });
        }
    }
    Ok((out, skipped, items))
}

fn summarize(
    c: CommunityId,
    period: &str,
    lines: &[NewCharge],
    skipped: i64,
    items: &BTreeMap<i64, String>,
    already_posted: bool,
) -> RunPreview {
    let mut by_item: BTreeMap<i64, (i64, i64)> = BTreeMap::new();
    let mut units = std::collections::BTreeSet::new();
    for l in lines {
        let e = by_item.entry(l.fee_item_id).or_default();
        e.0 += 1;
        e.1 += l.amount_fen;
        units.insert(l.unit_id);
    }
    RunPreview {
        community_id: c,
        period: period.to_string(),
        items: by_item
            .iter()
            .map(|(id, (n, t))| ItemTotal {
                fee_item_id: *id,
                fee_item: items.get(id).cloned().unwrap_or_default(),
                charges: *n,
                total_fen: *t,
            })
            .collect(),
        charges: lines.len() as i64,
        total_fen: lines.iter().map(|l| l.amount_fen).sum(),
        units: units.len() as i64,
        skipped,
        already_posted,
    }
}

fn parse_period(raw: &str) -> CoreResult<(i32, u32, String)> {
    let (y, m) = Period::parse_month("period", raw).map_err(|e| CoreError::Invalid(vec![e]))?;
    Ok((y, m, format!("{y:04}-{m:02}")))
}

/// What a run would post, without writing anything.
pub async fn preview(core: &Core, ctx: &Ctx, input: BillRunForCreate) -> CoreResult<RunPreview> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let (y, m, key) = parse_period(&input.period)?;
    let mut r = core.db.read();
    community_tz(&mut r, ctx, c).await?;
    let posted: Option<(i64,)> = r
        .fetch_optional(
            "SELECT id FROM bill_runs WHERE community_id = $1 AND period = $2",
            args![c, key.as_str()],
        )
        .await?;
    let (lines, skipped, items) = compute(&mut r, c, y, m).await?;
    Ok(summarize(
        c,
        &key,
        &lines,
        skipped,
        &items,
        posted.is_some(),
    ))
}

/// Rows per INSERT statement.
const CHUNK: usize = 1000;

/// Writes lines as multi-row INSERTs.
pub async fn insert_charges(
    tx: &mut Tx,
    c: CommunityId,
    run: i64,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    lines: &[NewCharge],
) -> CoreResult<()> {
    for chunk in lines.chunks(CHUNK) {
        let mut sql = String::with_capacity(80 + chunk.len() * 120);
        sql.push_str(
            "INSERT INTO charges (community_id, unit_id, fee_item_id, standard_id, space_id, bill_run_id, \
             kind, period, period_from, period_to, description, basis, amount_fen, settled_fen, due_date, \
             dedupe_key, created_by, created_at) VALUES ",
        );
        let mut a = Args::with_capacity(chunk.len() * 17);
        for (i, l) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let key = match l.space_id {
                Some(s) => format!("b{}:{period}:s{s}", l.standard_id),
                None => format!("b{}:{period}:u{}", l.standard_id, l.unit_id),
            };
            sql.push('(');
            let vals: [crate::db::Value; 17] = [
                c.into(),
                l.unit_id.into(),
                l.fee_item_id.into(),
                l.standard_id.into(),
                l.space_id.into(),
                run.into(),
                ChargeKind::Bill.code().into(),
                period.into(),
                l.period_from.into(),
                l.period_to.into(),
                l.description.as_str().into(),
                l.basis.as_str().into(),
                l.amount_fen.into(),
                l.due_date.into(),
                key.into(),
                actor.map(|u| u.0).into(),
                now.into(),
            ];
            for (k, v) in vals.into_iter().enumerate() {
                if k > 0 {
                    sql.push_str(", ");
                }
                if k == 13 {
                    // settled_fen starts at zero.
                    sql.push_str("0, ");
                }
                sql.push_str(&a.push(v));
            }
            sql.push(')');
        }
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// Posts a period's bills: every line of the preview, the pending paid services, then each
/// unit's prepaid balance settles what it can. A second run for the period is refused.
pub async fn post(core: &Core, ctx: &Ctx, input: BillRunForCreate) -> CoreResult<BillRun> {
    let c = input.community_id;
    ctx.require_in(Perm::BillingManage, c)?;
    let (y, m, key) = parse_period(&input.period)?;
    let now = Utc::now();
    // Computed on the reader: the write transaction only writes.
    let (lines, _, _) = {
        let mut r = core.db.read();
        community_tz(&mut r, ctx, c).await?;
        compute(&mut r, c, y, m).await?
    };
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    let run = tx
        .insert_id(
            "INSERT INTO bill_runs (community_id, period, charges, total_fen, prepaid_applied_fen, created_by, created_at) \
             VALUES ($1, $2, $3, $4, 0, $5, $6) RETURNING id",
            args![c, key.as_str(), lines.len() as i64, total, ctx.actor(), now],
        )
        .await
        .map_err(|e| e.or_conflict("period", "period_already_posted"))?;
    // A standard or unit changed between the read and the write would make the lines stale;
    // on SQLite the single writer already excludes it, on PostgreSQL the unique period does.
    insert_charges(&mut tx, c, run, &key, ctx.actor(), now, &lines)
        .await
        .map_err(|e| e.or_conflict("period", "period_already_posted"))?;
    post_pending_in(&mut tx, c, ctx.actor(), today_in(tz), now).await?;
    let prepaid: Vec<(UnitId,)> = tx
        .fetch_all(
            "SELECT unit_id FROM billing_accounts WHERE community_id = $1 AND prepaid_fen > 0",
            args![c],
        )
        .await?;
    let mut applied = 0;
    for (unit,) in prepaid {
        applied += apply_prepaid(&mut tx, c, unit, now).await?;
    }
    tx.execute(
        "UPDATE bill_runs SET prepaid_applied_fen = $1 WHERE id = $2",
        args![applied, run],
    )
    .await?;
    let after: BillRun = tx
        .fetch_one(
            "SELECT id, community_id, period, charges, total_fen, prepaid_applied_fen, created_at \
             FROM bill_runs WHERE id = $1",
            args![run],
        )
        .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "bill_run", run)
            .community(c)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    Ok(after)
}

pub async fn list_runs(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<BillRun>> {
    require_billing(ctx, c)?;
    core.db
        .read()
        .fetch_all(
            "SELECT id, community_id, period, charges, total_fen, prepaid_applied_fen, created_at \
             FROM bill_runs WHERE community_id = $1 ORDER BY period DESC",
            args![c],
        )
        .await
}
