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

/// What a run reads once: the standards that start a period in the month, the fee items,
/// the units and the parking spaces.
struct RunData {
    runnable: Vec<(Standard, Period)>,
    items: BTreeMap<i64, String>,
    units: Vec<UnitRow>,
    spaces: Vec<SpaceRow>,
}

async fn load(q: &mut impl Queries, c: CommunityId, year: i32, month: u32) -> CoreResult<RunData> {
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
    let mut units: Vec<UnitRow> = if runnable.iter().any(|(s, _)| s.method() != Method::PerSpace) {
        all_units(q, c).await?
    } else {
        Vec::new()
    };
    // Billing dates are set for the few units handed over or moved out inside a period.
    let dates: Vec<(i64, Option<NaiveDate>, Option<NaiveDate>)> = q
        .fetch_all(
            "SELECT unit_id, billing_from, billing_until FROM billing_accounts WHERE community_id = $1 \
             AND (billing_from IS NOT NULL OR billing_until IS NOT NULL)",
            args![c],
        )
        .await?;
    if !dates.is_empty() {
        let by_unit: std::collections::HashMap<i64, (Option<NaiveDate>, Option<NaiveDate>)> =
            dates.into_iter().map(|(u, f, t)| (u, (f, t))).collect();
        for u in &mut units {
            if let Some((f, t)) = by_unit.get(&u.id) {
                u.billing_from = *f;
                u.billing_until = *t;
            }
        }
    }
    units.sort_unstable_by_key(|u| u.id);
    let spaces: Vec<SpaceRow> = if runnable.iter().any(|(s, _)| s.method() == Method::PerSpace) {
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
    Ok(RunData {
        runnable,
        items,
        units,
        spaces,
    })
}

/// Every unit of the community, as one JSON array in one row: a run reads hundreds of
/// thousands of units, and one row costs far less than as many rows through the driver.
async fn all_units(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<UnitRow>> {
    let sql = match q.backend() {
        crate::db::Backend::Sqlite => {
            "SELECT json_group_array(json_array(id, building_id, building_area, inner_area, use_kind, state)) \
             FROM units WHERE community_id = $1"
        }
        crate::db::Backend::Postgres => {
            "SELECT CAST(json_agg(json_build_array(id, building_id, building_area, inner_area, use_kind, state)) AS TEXT) \
             FROM units WHERE community_id = $1"
        }
    };
    let (json,): (Option<String>,) = q.fetch_one(sql, args![c]).await?;
    type Row = (i64, i64, i64, Option<i64>, String, String);
    let rows: Vec<Row> = match json {
        Some(j) => serde_json::from_str(&j).map_err(CoreError::internal)?,
        None => Vec::new(),
    };
    Ok(rows
        .into_iter()
        .map(
            |(id, building_id, building_area, inner_area, use_kind, state)| UnitRow {
                id,
                building_id,
                building_area,
                inner_area,
                use_kind,
                state,
                billing_from: None,
                billing_until: None,
            },
        )
        .collect())
}

/// The lines of one standard (a standard at a time keeps a run of a million lines small in
/// memory). `(lines, skipped)`.
fn lines_of(d: &RunData, s: &Standard, p: &Period) -> (Vec<NewCharge>, i64) {
    let mut out = Vec::new();
    let mut skipped = 0;
    let item = d.items.get(&s.fee_item_id).cloned().unwrap_or_default();
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
    let rounding = s.rounding();
    let line = |area: i64, covered: i64, pct: i64| LineInput {
        method,
        price: Price(s.price_e4),
        area,
        months: p.months,
        covered_days: covered,
        period_days: days,
        pct,
        rounding,
    };
    if method == Method::PerSpace {
        for sp in &d.spaces {
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
        return (out, skipped);
    }
    out.reserve(d.units.len());
    for u in &d.units {
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
    (out, skipped)
}

#[derive(Default)]
struct Tally {
    by_item: BTreeMap<i64, (i64, i64)>,
    units: std::collections::BTreeSet<i64>,
    charges: i64,
    total: i64,
    skipped: i64,
}

impl Tally {
    fn add(&mut self, lines: &[NewCharge], skipped: i64) {
        for l in lines {
            let e = self.by_item.entry(l.fee_item_id).or_default();
            e.0 += 1;
            e.1 += l.amount_fen;
            self.units.insert(l.unit_id);
            self.total += l.amount_fen;
        }
        self.charges += lines.len() as i64;
        self.skipped += skipped;
    }

    fn preview(
        self,
        c: CommunityId,
        period: &str,
        items: &BTreeMap<i64, String>,
        already_posted: bool,
    ) -> RunPreview {
        RunPreview {
            community_id: c,
            period: period.to_string(),
            items: self
                .by_item
                .iter()
                .map(|(id, (n, t))| ItemTotal {
                    fee_item_id: *id,
                    fee_item: items.get(id).cloned().unwrap_or_default(),
                    charges: *n,
                    total_fen: *t,
                })
                .collect(),
            charges: self.charges,
            total_fen: self.total,
            units: self.units.len() as i64,
            skipped: self.skipped,
            already_posted,
        }
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
    let d = load(&mut r, c, y, m).await?;
    let mut t = Tally::default();
    for (s, p) in &d.runnable {
        let (lines, skipped) = lines_of(&d, s, p);
        t.add(&lines, skipped);
    }
    Ok(t.preview(c, &key, &d.items, posted.is_some()))
}

/// On SQLite, a bulk insert keeps the charges' indexes in a larger page cache (64 MiB instead
/// of 4) while it runs: a run's second standard inserts into the middle of the unit index, and
/// with the small cache each of those pages is read back from the OS over and over.
pub async fn bulk_cache(tx: &mut Tx, on: bool) -> CoreResult<()> {
    if tx.backend() == crate::db::Backend::Sqlite {
        let kib = if on { -65_536 } else { -4_096 };
        tx.execute(&format!("PRAGMA cache_size = {kib}"), args![])
            .await?;
    }
    Ok(())
}

/// Rows per INSERT statement.
const CHUNK: usize = 1000;

/// Writes lines as multi-row INSERTs. What a run's lines share (community, item, standard,
/// period, due date, who, when) is bound once per statement and selected beside a `VALUES`
/// list of what differs, so a row costs five bound values instead of seventeen.
pub async fn insert_charges(
    tx: &mut Tx,
    c: CommunityId,
    run: i64,
    period: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
    lines: Vec<NewCharge>,
) -> CoreResult<()> {
    let mut rest = lines.into_iter().peekable();
    while let Some(first) = rest.next() {
        let shared = (
            first.fee_item_id,
            first.standard_id,
            first.period_from,
            first.period_to,
            first.due_date,
        );
        let mut chunk = vec![first];
        while chunk.len() < CHUNK
            && rest.peek().is_some_and(|l| {
                (
                    l.fee_item_id,
                    l.standard_id,
                    l.period_from,
                    l.period_to,
                    l.due_date,
                ) == shared
            })
        {
            if let Some(l) = rest.next() {
                chunk.push(l);
            }
        }
        let mut a = Args::with_capacity(11 + chunk.len() * 5);
        let mut sql = String::with_capacity(400 + chunk.len() * 32);
        sql.push_str(
            "INSERT INTO charges (community_id, fee_item_id, standard_id, bill_run_id, kind, period, \
             period_from, period_to, due_date, created_by, created_at, settled_fen, unit_id, space_id, \
             description, basis, amount_fen) SELECT ",
        );
        let consts: [crate::db::Value; 11] = [
            c.into(),
            shared.0.into(),
            shared.1.into(),
            run.into(),
            ChargeKind::Bill.code().into(),
            period.into(),
            shared.2.into(),
            shared.3.into(),
            shared.4.into(),
            actor.map(|u| u.0).into(),
            now.into(),
        ];
        for v in consts {
            sql.push_str(&a.push(v));
            sql.push_str(", ");
        }
        sql.push_str("0, v.column1, v.column2, v.column3, v.column4, v.column5 FROM (VALUES ");
        for (i, l) in chunk.into_iter().enumerate() {
            if i > 0 {
                sql.push(',');
            }
            let (u, sp, d, b, m) = (
                a.push(l.unit_id),
                a.push(l.space_id),
                a.push(l.description),
                a.push(l.basis),
                a.push(l.amount_fen),
            );
            sql.push_str(&format!("({u}, {sp}, {d}, {b}, {m})"));
        }
        sql.push_str(") AS v");
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
    // Read on the reader: the write transaction only writes.
    let d = {
        let mut r = core.db.read();
        community_tz(&mut r, ctx, c).await?;
        load(&mut r, c, y, m).await?
    };
    let mut tx = core.db.begin().await?;
    let tz = community_tz(&mut tx, ctx, c).await?;
    let run = tx
        .insert_id(
            "INSERT INTO bill_runs (community_id, period, charges, total_fen, prepaid_applied_fen, created_by, created_at) \
             VALUES ($1, $2, 0, 0, 0, $3, $4) RETURNING id",
            args![c, key.as_str(), ctx.actor(), now],
        )
        .await
        .map_err(|e| e.or_conflict("period", "period_already_posted"))?;
    // A standard or unit changed between the read and the write would make the lines stale;
    // on SQLite the single writer already excludes it, on PostgreSQL the unique period does.
    let mut t = Tally::default();
    bulk_cache(&mut tx, true).await?;
    for (s, p) in &d.runnable {
        let (lines, skipped) = lines_of(&d, s, p);
        t.charges += lines.len() as i64;
        t.total += lines.iter().map(|l| l.amount_fen).sum::<i64>();
        insert_charges(&mut tx, c, run, &key, ctx.actor(), now, lines).await?;
        t.skipped += skipped;
    }
    bulk_cache(&mut tx, false).await?;
    drop(d);
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
        "UPDATE bill_runs SET charges = $1, total_fen = $2, prepaid_applied_fen = $3 WHERE id = $4",
        args![t.charges, t.total, applied, run],
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

/// Every line a run of the period would write, computed as `post` computes them (for the
/// benchmark's baseline: a plain batched INSERT of the same rows).
pub async fn lines_for(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    period: &str,
) -> CoreResult<Vec<NewCharge>> {
    ctx.require_in(Perm::BillingManage, c)?;
    let (y, m, _) = parse_period(period)?;
    let d = load(&mut core.db.read(), c, y, m).await?;
    let mut all = Vec::new();
    for (s, p) in &d.runnable {
        all.extend(lines_of(&d, s, p).0);
    }
    Ok(all)
}
