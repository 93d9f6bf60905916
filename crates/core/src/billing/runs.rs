//! Bill runs (生成账单): a period's charges for every unit (and parking space) of a community,
//! from the active charge standards, in one transaction. A run is unique per community and
//! period, so running it twice writes nothing twice; the preview computes the same lines
//! without writing. Rows go in as multi-row INSERTs, a chunk at a time.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::error::BillingCode;
use super::ledger::{apply_prepaid, post_pending_in};
use super::model::*;
use super::setup::*;
use super::store;

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

/// What a run bills the units of one building.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BuildingTotal {
    pub building_id: i64,
    pub building: String,
    pub units: i64,
    pub charges: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RunPreview {
    pub community_id: CommunityId,
    pub period: String,
    pub items: Vec<ItemTotal>,
    /// The same lines by building (a parking space counts in its unit's building).
    pub buildings: Vec<BuildingTotal>,
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

impl NewCharge {
    /// What a statement binds once for all its rows: item, standard, period and due date.
    pub fn terms(&self) -> (i64, i64, NaiveDate, NaiveDate, NaiveDate) {
        (
            self.fee_item_id,
            self.standard_id,
            self.period_from,
            self.period_to,
            self.due_date,
        )
    }

    /// Splits a run's lines into runs of consecutive lines sharing their terms, at most `max`
    /// each: one INSERT per chunk binds the terms once.
    pub fn chunks_sharing_terms(lines: Vec<NewCharge>, max: usize) -> Vec<Vec<NewCharge>> {
        let mut out: Vec<Vec<NewCharge>> = Vec::new();
        for l in lines {
            match out.last_mut() {
                Some(c) if c.len() < max && c[0].terms() == l.terms() => c.push(l),
                _ => out.push(vec![l]),
            }
        }
        out
    }
}

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

use crate::registry::store::for_billing::{self, SpaceRow};

/// What a run reads once: the standards that start a period in the month, the fee items,
/// the units and the parking spaces.
struct RunData {
    runnable: Vec<(Standard, Period)>,
    items: BTreeMap<i64, String>,
    units: Vec<UnitRow>,
    spaces: Vec<SpaceRow>,
}

async fn load(q: &mut impl Queries, c: CommunityId, year: i32, month: u32) -> CoreResult<RunData> {
    let stds = store::standards::active(q, c).await?;
    let items: BTreeMap<i64, String> = store::fee_items::names(q, c).await?.into_iter().collect();
    let mut runnable: Vec<(Standard, Period)> = Vec::new();
    let (mut per_unit, mut per_space) = (false, false);
    for s in stds {
        let method = s.method()?;
        if matches!(method, Method::Meter | Method::OneOff) {
            continue;
        }
        // A broken rounding fails the read, before a run has written anything.
        s.rounding()?;
        if let Some(p) = period_starting(s.cycle()?, s.cycle_start_month as u32, year, month) {
            per_space |= method == Method::PerSpace;
            per_unit |= method != Method::PerSpace;
            runnable.push((s, p));
        }
    }
    let mut units: Vec<UnitRow> = if per_unit {
        all_units(q, c).await?
    } else {
        Vec::new()
    };
    // Billing dates are set for the few units handed over or moved out inside a period.
    let dates = store::accounts::billing_dates(q, c).await?;
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
    let spaces: Vec<SpaceRow> = if per_space {
        for_billing::unit_spaces(q, c).await?
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

/// Every unit of the community, read as one JSON array in one row (see
/// `for_billing::all_units_json`).
async fn all_units(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<UnitRow>> {
    let json = for_billing::all_units_json(q, c).await?;
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
fn lines_of(d: &RunData, s: &Standard, p: &Period) -> CoreResult<(Vec<NewCharge>, i64)> {
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
    let method = s.method()?;
    let rounding = s.rounding()?;
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
        return Ok((out, skipped));
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
    Ok((out, skipped))
}

#[derive(Default)]
struct Tally {
    by_item: BTreeMap<i64, (i64, i64)>,
    /// (charges, total) by unit.
    by_unit: BTreeMap<i64, (i64, i64)>,
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
            let u = self.by_unit.entry(l.unit_id).or_default();
            u.0 += 1;
            u.1 += l.amount_fen;
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
        buildings: Vec<BuildingTotal>,
        already_posted: bool,
    ) -> RunPreview {
        RunPreview {
            buildings,
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
            units: self.by_unit.len() as i64,
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
    let posted = store::runs::posted(&mut r, c, &key).await?;
    let d = load(&mut r, c, y, m).await?;
    let mut t = Tally::default();
    for (s, p) in &d.runnable {
        let (lines, skipped) = lines_of(&d, s, p)?;
        t.add(&lines, skipped);
    }
    let buildings = by_building(&mut r, c, &d, &t.by_unit).await?;
    Ok(t.preview(c, &key, &d.items, buildings, posted))
}

/// The tally's units folded into their buildings, in the buildings' order.
async fn by_building(
    q: &mut impl Queries,
    c: CommunityId,
    d: &RunData,
    by_unit: &BTreeMap<i64, (i64, i64)>,
) -> CoreResult<Vec<BuildingTotal>> {
    if by_unit.is_empty() {
        return Ok(Vec::new());
    }
    // A run of parking spaces alone read no units.
    let loaded;
    let units = if d.units.is_empty() {
        loaded = all_units(q, c).await?;
        &loaded
    } else {
        &d.units
    };
    let building_of: BTreeMap<i64, i64> = units.iter().map(|u| (u.id, u.building_id)).collect();
    let mut out: Vec<BuildingTotal> = for_billing::building_names(q, c)
        .await?
        .into_iter()
        .map(|(id, name)| BuildingTotal {
            building_id: id,
            building: name,
            units: 0,
            charges: 0,
            total_fen: 0,
        })
        .collect();
    for (unit, (n, total)) in by_unit {
        let Some(b) = building_of.get(unit) else {
            continue;
        };
        if let Some(x) = out.iter_mut().find(|x| x.building_id == *b) {
            x.units += 1;
            x.charges += n;
            x.total_fen += total;
        }
    }
    out.retain(|b| b.charges > 0);
    Ok(out)
}

pub use super::store::runs::{bulk_cache, insert_charges};

/// Tells the owners with a portal account what the run posted for each of their units
/// (`bill_posted`), in the run's transaction.
async fn tell_owners(
    core: &Core,
    tx: &mut crate::db::Tx,
    c: CommunityId,
    period: &str,
    per_unit: &std::collections::HashMap<i64, i64>,
    now: chrono::DateTime<Utc>,
) -> CoreResult<()> {
    use crate::registry::store::for_community as registry;
    let accounts: std::collections::HashMap<PersonId, UserId> =
        crate::portal::store::community_accounts(tx, c)
            .await?
            .into_iter()
            .map(|(p, u, _)| (p, u))
            .collect();
    if accounts.is_empty() || per_unit.is_empty() {
        return Ok(());
    }
    let mut owners: std::collections::HashMap<UnitId, Vec<UserId>> = Default::default();
    for (unit, person) in registry::owners_by_unit(tx, c).await? {
        if let Some(u) = accounts.get(&person) {
            owners.entry(unit).or_default().push(*u);
        }
    }
    let labels: std::collections::HashMap<UnitId, String> =
        registry::unit_labels(tx, c).await?.into_iter().collect();
    let items: Vec<(crate::notify::Note, Vec<UserId>)> = owners
        .into_iter()
        .filter_map(|(unit, to)| {
            let amount = *per_unit.get(&unit.0)?;
            let note = crate::notify::Note {
                community: c,
                event: crate::notify::model::Event::BillPosted,
                params: vec![
                    (
                        "unit".into(),
                        labels.get(&unit).cloned().unwrap_or_default(),
                    ),
                    ("period".into(), period.to_string()),
                    (
                        "amount".into(),
                        crate::shared::money::Money(amount).to_string(),
                    ),
                ],
                request: None,
                link: Some("/portal/billing".into()),
            };
            Some((note, to))
        })
        .collect();
    crate::notify::enqueue_many(&core.channels, tx, &items, crate::notify::InApp::Write, now).await
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
    let run = store::runs::insert(&mut tx, c, &key, ctx.actor(), now)
        .await
        .map_err(|e| e.or_conflict("period", BillingCode::PeriodAlreadyPosted))?;
    // A standard or unit changed between the read and the write would make the lines stale;
    // on SQLite the single writer already excludes it, on PostgreSQL the unique period does.
    let mut t = Tally::default();
    // What each unit owes of this run, for its owners' bill_posted message.
    let mut per_unit: std::collections::HashMap<i64, i64> = std::collections::HashMap::new();
    bulk_cache(&mut tx, true).await?;
    let held = store::charges::hold_community_units(&mut tx, c).await?;
    for (s, p) in &d.runnable {
        let (lines, skipped) = lines_of(&d, s, p)?;
        held.check(lines.iter().map(|l| l.unit_id))?;
        t.charges += lines.len() as i64;
        t.total += lines.iter().map(|l| l.amount_fen).sum::<i64>();
        for l in &lines {
            *per_unit.entry(l.unit_id).or_default() += l.amount_fen;
        }
        insert_charges(&mut tx, c, run, &key, ctx.actor(), now, lines).await?;
        t.skipped += skipped;
    }
    bulk_cache(&mut tx, false).await?;
    drop(d);
    post_pending_in(&mut tx, c, ctx.actor(), today_in(tz), now).await?;
    let prepaid = store::accounts::with_prepaid(&mut tx, c).await?;
    let mut applied = 0;
    for (unit,) in prepaid {
        applied += apply_prepaid(&mut tx, c, unit, now).await?;
    }
    store::runs::set_totals(&mut tx, BillRunId(run), t.charges, t.total, applied).await?;
    tell_owners(core, &mut tx, c, &key, &per_unit, now).await?;
    let after = store::runs::get(&mut tx, BillRunId(run)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "bill_run", run)
            .community(c)
            .after(&after),
    )
    .await?;
    tx.commit().await?;
    // A run adds a month of charges at once: the planner's statistics catch up now rather
    // than at the next periodic refresh.
    core.db.optimize().await;
    Ok(after)
}

pub async fn list_runs(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<BillRun>> {
    require_billing(ctx, c)?;
    store::runs::list(&mut core.db.read(), c).await
}

/// The period a report opens on: the latest billed up to this month (bills are often
/// quarterly, so this month may have none yet), else this month. `YYYY-MM`.
pub async fn report_period(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<String> {
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let this_month = today_in(tz).format("%Y-%m").to_string();
    Ok(store::runs::list(&mut r, c)
        .await?
        .into_iter()
        .map(|run| run.period)
        .find(|p| *p <= this_month)
        .unwrap_or(this_month))
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
        all.extend(lines_of(&d, s, p)?.0);
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(unit: i64, item: i64) -> NewCharge {
        let d = |m| NaiveDate::from_ymd_opt(2026, m, 1).expect("a date");
        NewCharge {
            unit_id: unit,
            fee_item_id: item,
            standard_id: item,
            space_id: None,
            period_from: d(1),
            period_to: d(2),
            description: String::new(),
            basis: String::new(),
            amount_fen: 100,
            due_date: d(2),
        }
    }

    #[test]
    fn chunks_keep_order_share_their_terms_and_respect_the_size() {
        let lines = vec![line(1, 7), line(2, 7), line(3, 7), line(1, 8), line(2, 7)];
        let chunks: Vec<Vec<(i64, i64)>> = NewCharge::chunks_sharing_terms(lines, 2)
            .into_iter()
            .map(|c| c.iter().map(|l| (l.unit_id, l.fee_item_id)).collect())
            .collect();
        assert_eq!(
            chunks,
            vec![
                vec![(1, 7), (2, 7)],
                vec![(3, 7)],
                vec![(1, 8)],
                vec![(2, 7)]
            ]
        );
    }
}
