//! A month's staff KPIs and scorecards; the cards' editing; the .xlsx.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Utc};
use rust_xlsxwriter::{Format, Workbook};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::KpiCode;
use super::model::*;
use super::store;
use crate::audit::{self, Action, Entry};
use crate::dashboard::ratio;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::xlsx::{write_header_row, xlsx_err};
use crate::{Core, Ctx, Perm};

/// At most this many indicators on a card.
pub const MAX_LINES: usize = 10;

#[derive(Debug, Clone, Default, Deserialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KpiQuery {
    /// `2026-11` (default the current month).
    pub month: Option<String>,
    /// One community, or every community the caller reaches.
    pub community_id: Option<CommunityId>,
}

/// One clock kind's record of a person's (or a team's) work.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct ClockKpi {
    pub clock: String,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
    pub on_time_rate: Option<f64>,
}

/// A person's (or a team's) month. Rates 0–1 with four decimals; none when nothing counted.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct KpiFigures {
    pub calls_answered: i64,
    pub registered: i64,
    /// Work orders that went to him, and of them done or closed.
    pub assigned: i64,
    pub resolved: i64,
    pub resolution_rate: Option<f64>,
    /// His work orders' clocks: met on time of those met or past due, all kinds and per kind.
    pub on_time_rate: Option<f64>,
    pub clocks: Vec<ClockKpi>,
    pub closed: i64,
    pub first_time_fixed: i64,
    /// Closed without being reopened, of those closed.
    pub first_time_fix_rate: Option<f64>,
    pub rated: i64,
    pub unsatisfied: i64,
    #[serde(skip)]
    rating_sum: i64,
    /// Of the rated work orders, the share rated below 3.
    pub complaint_rate: Option<f64>,
    /// The mean rating 1–5.
    pub satisfaction: Option<f64>,
    pub rounds: i64,
    pub rounds_done: i64,
    pub patrol_rate: Option<f64>,
    pub maintenance_due: i64,
    pub maintenance_on_time: i64,
    pub maintenance_rate: Option<f64>,
}

impl KpiFigures {
    fn add(&mut self, o: &KpiFigures) {
        self.calls_answered += o.calls_answered;
        self.registered += o.registered;
        self.assigned += o.assigned;
        self.resolved += o.resolved;
        self.closed += o.closed;
        self.first_time_fixed += o.first_time_fixed;
        self.rated += o.rated;
        self.unsatisfied += o.unsatisfied;
        self.rating_sum += o.rating_sum;
        self.rounds += o.rounds;
        self.rounds_done += o.rounds_done;
        self.maintenance_due += o.maintenance_due;
        self.maintenance_on_time += o.maintenance_on_time;
        for c in &o.clocks {
            self.clock(&c.clock).on_time += c.on_time;
            self.clock(&c.clock).late += c.late;
            self.clock(&c.clock).overdue += c.overdue;
        }
    }

    fn clock(&mut self, kind: &str) -> &mut ClockKpi {
        let i = match self.clocks.iter().position(|c| c.clock == kind) {
            Some(i) => i,
            None => {
                self.clocks.push(ClockKpi {
                    clock: kind.to_string(),
                    ..ClockKpi::default()
                });
                self.clocks.len() - 1
            }
        };
        &mut self.clocks[i]
    }

    /// The rates of the counts.
    fn finish(&mut self) {
        self.resolution_rate = ratio(self.resolved, self.assigned);
        self.first_time_fix_rate = ratio(self.first_time_fixed, self.closed);
        self.complaint_rate = ratio(self.unsatisfied, self.rated);
        self.satisfaction = (self.rated > 0)
            .then(|| (self.rating_sum as f64 / self.rated as f64 * 100.0).round() / 100.0);
        self.patrol_rate = ratio(self.rounds_done, self.rounds);
        self.maintenance_rate = ratio(self.maintenance_on_time, self.maintenance_due);
        let (mut a, mut b) = (0, 0);
        for c in &mut self.clocks {
            c.on_time_rate = ratio(c.on_time, c.on_time + c.late + c.overdue);
            a += c.on_time;
            b += c.on_time + c.late + c.overdue;
        }
        self.on_time_rate = ratio(a, b);
        self.clocks.sort_by_key(|c| {
            crate::tickets::model::ClockKind::ALL
                .iter()
                .position(|(_, code, ..)| *code == c.clock)
                .unwrap_or(99)
        });
    }

    /// The figure an indicator reads; none when nothing counted.
    pub fn value(&self, i: Indicator) -> Option<f64> {
        let n = |v: i64| Some(v as f64);
        match i {
            Indicator::CallsAnswered => n(self.calls_answered),
            Indicator::Registered => n(self.registered),
            Indicator::Resolved => n(self.resolved),
            Indicator::ResolutionRate => self.resolution_rate,
            Indicator::OnTimeRate => self.on_time_rate,
            Indicator::FirstTimeFix => self.first_time_fix_rate,
            Indicator::ComplaintRate => self.complaint_rate,
            Indicator::Satisfaction => self.satisfaction,
            Indicator::PatrolRate => self.patrol_rate,
            Indicator::MaintenanceRate => self.maintenance_rate,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonKpi {
    pub user_id: UserId,
    pub name: String,
    pub role: String,
    pub role_name: String,
    pub figures: KpiFigures,
    /// His role's card with what he did; empty when the role has no card.
    pub lines: Vec<ScoreLine>,
    /// 0–100; none when no line was measured.
    pub score: Option<f64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TeamKpi {
    pub team_id: i64,
    pub name: String,
    pub community_id: CommunityId,
    pub members: i64,
    pub figures: KpiFigures,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MonthKpis {
    /// `2026-11`.
    pub month: String,
    pub people: Vec<PersonKpi>,
    pub teams: Vec<TeamKpi>,
}

/// A card line: the indicator, its weight and its target in the indicator's unit.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CardLine {
    pub indicator: Indicator,
    pub weight_pct: i64,
    /// A count, a rate 0–1, or a mean rating 1–5.
    pub target: f64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Scorecard {
    pub role: String,
    pub role_name: String,
    pub lines: Vec<CardLine>,
    /// The built-in card: the company has not saved its own.
    pub is_default: bool,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct CardLineInput {
    /// An indicator code or its Chinese name.
    pub indicator: String,
    pub weight_pct: i64,
    /// A count ("300"), a rate in % ("95"), or a mean rating ("4.5").
    pub target: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct ScorecardInput {
    pub lines: Vec<CardLineInput>,
}

/// Every staff role's card: the company's own where it saved one, the built-in one otherwise.
async fn cards_of(core: &Core, company: CompanyId) -> CoreResult<Vec<Scorecard>> {
    let roles = crate::auth::list_roles(core).await?;
    let own = store::cards(&mut core.db.read(), company).await?;
    let mut out = Vec::new();
    for r in roles {
        if r.code == crate::auth::OWNER_ROLE || r.code == crate::auth::COMMITTEE_ROLE {
            continue;
        }
        let mine: Vec<&store::CardRow> = own.iter().filter(|c| c.role == r.code).collect();
        let (lines, is_default) = if mine.is_empty() {
            let lines = DEFAULT_CARDS
                .iter()
                .find(|(role, _)| *role == r.code)
                .map(|(_, ls)| {
                    ls.iter()
                        .map(|(i, w, t)| CardLine {
                            indicator: *i,
                            weight_pct: *w,
                            target: *t,
                        })
                        .collect()
                })
                .unwrap_or_default();
            (lines, true)
        } else {
            let mut lines = Vec::new();
            for c in mine {
                lines.push(CardLine {
                    indicator: Indicator::from_stored(&c.indicator)?,
                    weight_pct: c.weight_pct,
                    target: c.target_milli as f64 / 1000.0,
                });
            }
            (lines, false)
        };
        out.push(Scorecard {
            role: r.code,
            role_name: r.name_zh,
            lines,
            is_default,
        });
    }
    Ok(out)
}

/// The scorecards of every staff role (`tickets.manage`).
pub async fn scorecards(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Scorecard>> {
    ctx.require(Perm::TicketsManage)?;
    cards_of(core, ctx.company_id).await
}

/// Saves a role's card (`users.manage`: it decides how staff are judged).
pub async fn save_scorecard(
    core: &Core,
    ctx: &Ctx,
    role: &str,
    input: ScorecardInput,
) -> CoreResult<Scorecard> {
    ctx.require(Perm::UsersManage)?;
    let before = cards_of(core, ctx.company_id).await?;
    let Some(old) = before.iter().find(|c| c.role == role) else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "role",
            KpiCode::UnknownRole,
        )]));
    };
    let mut errs = Vec::new();
    if input.lines.is_empty() || input.lines.len() > MAX_LINES {
        errs.push(FieldError::new("lines", KpiCode::LinesRange).with("max", MAX_LINES));
    }
    let mut rows: Vec<(String, i64, i64)> = Vec::new();
    let mut seen: Vec<Indicator> = Vec::new();
    for (k, l) in input.lines.iter().enumerate() {
        let at = |f: &str| format!("lines[{k}].{f}");
        let indicator = match Indicator::parse(&at("indicator"), &l.indicator) {
            Ok(i) if seen.contains(&i) => {
                errs.push(FieldError::new(at("indicator"), KpiCode::IndicatorTwice));
                None
            }
            Ok(i) => {
                seen.push(i);
                Some(i)
            }
            Err(e) => {
                errs.push(e);
                None
            }
        };
        if !(1..=100).contains(&l.weight_pct) {
            errs.push(FieldError::new(at("weight_pct"), KpiCode::WeightRange));
        }
        let Some(i) = indicator else {
            continue;
        };
        let target = l
            .target
            .trim()
            .trim_end_matches('%')
            .parse::<f64>()
            .ok()
            .filter(|t| t.is_finite() && *t > 0.0);
        let target = match (i.unit(), target) {
            (Unit::Rate, Some(t)) if t <= 100.0 => Some(t / 100.0),
            (Unit::Rating, Some(t)) if t <= 5.0 => Some(t),
            (Unit::Count, Some(t)) if t <= 1_000_000.0 => Some(t),
            _ => None,
        };
        match target {
            Some(t) => rows.push((
                i.code().to_string(),
                l.weight_pct,
                (t * 1000.0).round() as i64,
            )),
            None => errs.push(FieldError::new(at("target"), KpiCode::TargetRange)),
        }
    }
    // Only weights each within 1–100 are added up (any weight a client sends would overflow).
    if errs.is_empty() {
        let total: i64 = input.lines.iter().map(|l| l.weight_pct).sum();
        if total != 100 {
            errs.push(FieldError::new("lines", KpiCode::WeightsSum).with("total", total));
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let mut tx = core.db.begin().await?;
    store::replace_card(&mut tx, ctx.company_id, role, &rows).await?;
    let e = Entry::new(Action::Update, "kpi_scorecard", ctx.company_id.0)
        .before(&old.lines)
        .after(&rows);
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    cards_of(core, ctx.company_id)
        .await?
        .into_iter()
        .find(|c| c.role == role)
        .ok_or_else(|| CoreError::internal("a saved card is gone"))
}

/// The month's first and last local day.
fn month_of(q: &KpiQuery) -> CoreResult<(String, NaiveDate, NaiveDate)> {
    let today = Utc::now()
        .with_timezone(&crate::shared::calendar::zone(""))
        .date_naive();
    let first = match q.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => today.with_day(1).unwrap_or(today),
        Some(raw) => {
            let (y, m) = crate::billing::model::Period::parse_month("month", raw)
                .map_err(|e| CoreError::Invalid(vec![e]))?;
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(today)
        }
    };
    let next = crate::dashboard::month_start(first + Duration::days(32), 0);
    Ok((
        first.format("%Y-%m").to_string(),
        first,
        next - Duration::days(1),
    ))
}

/// A month's KPIs of the staff of the communities the caller reaches (or one of them), each
/// scored by his role's card, and of the request teams (`tickets.manage`).
pub async fn month_kpis(core: &Core, ctx: &Ctx, q: &KpiQuery) -> CoreResult<MonthKpis> {
    ctx.require(Perm::TicketsManage)?;
    let (month, first, last) = month_of(q)?;
    let mut communities: Vec<CommunityId> = crate::registry::list_communities(core, ctx)
        .await?
        .into_iter()
        .map(|c| c.id)
        .collect();
    if let Some(c) = q.community_id {
        if !communities.contains(&c) {
            return Err(CoreError::NotFound("community"));
        }
        communities = vec![c];
    }
    let now = Utc::now();
    let (from, to) = (first.to_string(), last.to_string());
    let tz = crate::shared::calendar::zone("");
    let (t0, t1) = (
        crate::shared::calendar::local_to_utc(tz, first, NaiveTime::MIN),
        crate::shared::calendar::local_to_utc(tz, last + Duration::days(1), NaiveTime::MIN),
    );
    let cs = &communities;
    use crate::{equipment, patrols, tickets};
    let (staff, work, registered, calls, clocks, rounds, orders, teams, cards) = tokio::try_join!(
        async {
            crate::auth::store::for_kpis::staff(&mut core.db.read(), ctx.company_id, cs).await
        },
        async {
            tickets::store::for_kpis::work_by_assignee(&mut core.db.read(), cs, &from, &to).await
        },
        async {
            tickets::store::for_kpis::registered_by(&mut core.db.read(), cs, &from, &to).await
        },
        async { tickets::store::for_kpis::calls_by(&mut core.db.read(), cs, &from, &to).await },
        async {
            tickets::store::for_kpis::clocks_by_assignee(&mut core.db.read(), cs, &from, &to, now)
                .await
        },
        async {
            patrols::store::for_kpis::rounds_by_walker(&mut core.db.read(), cs, t0, t1, now).await
        },
        async {
            let upto = last.min(now.with_timezone(&tz).date_naive());
            equipment::store::for_kpis::orders_by_assignee(&mut core.db.read(), cs, first, upto)
                .await
        },
        async { tickets::store::for_kpis::team_members(&mut core.db.read(), cs).await },
        cards_of(core, ctx.company_id),
    )?;
    let mut by: HashMap<i64, KpiFigures> = HashMap::new();
    for w in work {
        let f = by.entry(w.user_id).or_default();
        f.assigned = w.assigned;
        f.resolved = w.resolved;
        f.closed = w.closed;
        f.first_time_fixed = w.first_time_fixed;
        f.rated = w.rated;
        f.unsatisfied = w.unsatisfied;
        f.rating_sum = w.rating_sum;
    }
    for r in registered {
        by.entry(r.user_id).or_default().registered = r.n;
    }
    for r in calls {
        by.entry(r.user_id).or_default().calls_answered = r.n;
    }
    for c in clocks {
        let k = by.entry(c.user_id).or_default().clock(&c.clock);
        k.on_time += c.on_time;
        k.late += c.late;
        k.overdue += c.overdue;
    }
    for r in rounds {
        for u in r.people() {
            let f = by.entry(u.0).or_default();
            f.rounds += r.rounds;
            f.rounds_done += r.done;
        }
    }
    for o in orders {
        let f = by.entry(o.user_id).or_default();
        f.maintenance_due = o.due;
        f.maintenance_on_time = o.on_time;
    }
    let mut team_map: BTreeMap<i64, TeamKpi> = BTreeMap::new();
    for m in teams {
        let t = team_map.entry(m.team_id).or_insert_with(|| TeamKpi {
            team_id: m.team_id,
            name: m.name.clone(),
            community_id: m.community_id,
            members: 0,
            figures: KpiFigures::default(),
        });
        t.members += 1;
        if let Some(f) = by.get(&m.user_id) {
            t.figures.add(f);
        }
    }
    let cards: HashMap<String, Scorecard> =
        cards.into_iter().map(|c| (c.role.clone(), c)).collect();
    let people = staff
        .into_iter()
        .map(|s| {
            let mut figures = by.remove(&s.id.0).unwrap_or_default();
            figures.finish();
            let lines: Vec<ScoreLine> = cards
                .get(&s.role)
                .map(|c| {
                    c.lines
                        .iter()
                        .map(|l| {
                            let actual = figures.value(l.indicator);
                            ScoreLine {
                                indicator: l.indicator,
                                weight_pct: l.weight_pct,
                                target: l.target,
                                actual,
                                attainment: actual.map(|a| {
                                    (attainment(l.indicator, a, l.target) * 10_000.0).round()
                                        / 10_000.0
                                }),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            PersonKpi {
                user_id: s.id,
                name: s.display_name,
                role: s.role,
                role_name: s.role_name,
                score: score(&lines),
                figures,
                lines,
            }
        })
        .collect();
    let teams = team_map
        .into_values()
        .map(|mut t| {
            t.figures.finish();
            t
        })
        .collect();
    Ok(MonthKpis {
        month,
        people,
        teams,
    })
}

fn pct_cell(
    ws: &mut rust_xlsxwriter::Worksheet,
    row: u32,
    col: u16,
    v: Option<f64>,
    f: &Format,
) -> CoreResult<()> {
    if let Some(v) = v {
        ws.write_number_with_format(row, col, v, f)
            .map_err(xlsx_err)?;
    }
    Ok(())
}

/// The month's KPIs as .xlsx: a sheet of people (with their score), a sheet of teams.
pub async fn month_kpis_xlsx(
    core: &Core,
    ctx: &Ctx,
    q: &KpiQuery,
) -> CoreResult<(String, Vec<u8>)> {
    let k = month_kpis(core, ctx, q).await?;
    let mut wb = Workbook::new();
    let pct = Format::new().set_num_format("0.0%");
    let heads: [(&str, f64); 13] = [
        ("热线接听量", 10.0),
        ("受理登记量", 10.0),
        ("派单量", 8.0),
        ("办结量", 8.0),
        ("解决率", 8.0),
        ("及时率", 8.0),
        ("一次修复率", 10.0),
        ("投诉率", 8.0),
        ("满意度", 8.0),
        ("巡检", 8.0),
        ("巡检完成率", 10.0),
        ("保养", 8.0),
        ("保养准时率", 10.0),
    ];
    let write_figures = |ws: &mut rust_xlsxwriter::Worksheet,
                         row: u32,
                         c0: u16,
                         f: &KpiFigures|
     -> CoreResult<()> {
        for (j, n) in [f.calls_answered, f.registered, f.assigned, f.resolved]
            .into_iter()
            .enumerate()
        {
            ws.write_number(row, c0 + j as u16, n as f64)
                .map_err(xlsx_err)?;
        }
        pct_cell(ws, row, c0 + 4, f.resolution_rate, &pct)?;
        pct_cell(ws, row, c0 + 5, f.on_time_rate, &pct)?;
        pct_cell(ws, row, c0 + 6, f.first_time_fix_rate, &pct)?;
        pct_cell(ws, row, c0 + 7, f.complaint_rate, &pct)?;
        if let Some(s) = f.satisfaction {
            ws.write_number(row, c0 + 8, s).map_err(xlsx_err)?;
        }
        ws.write_number(row, c0 + 9, f.rounds as f64)
            .map_err(xlsx_err)?;
        pct_cell(ws, row, c0 + 10, f.patrol_rate, &pct)?;
        ws.write_number(row, c0 + 11, f.maintenance_due as f64)
            .map_err(xlsx_err)?;
        pct_cell(ws, row, c0 + 12, f.maintenance_rate, &pct)?;
        Ok(())
    };
    let ws = wb.add_worksheet();
    ws.set_name("员工绩效").map_err(xlsx_err)?;
    let mut h: Vec<(&str, f64)> = vec![("姓名", 12.0), ("岗位", 12.0), ("得分", 8.0)];
    h.extend(heads.iter().copied());
    write_header_row(ws, &h)?;
    for (i, p) in k.people.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &p.name).map_err(xlsx_err)?;
        ws.write_string(row, 1, &p.role_name).map_err(xlsx_err)?;
        if let Some(s) = p.score {
            ws.write_number(row, 2, s).map_err(xlsx_err)?;
        }
        write_figures(ws, row, 3, &p.figures)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("班组绩效").map_err(xlsx_err)?;
    let mut h: Vec<(&str, f64)> = vec![("班组", 14.0), ("人数", 6.0)];
    h.extend(heads.iter().copied());
    write_header_row(ws, &h)?;
    for (i, t) in k.teams.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_string(row, 0, &t.name).map_err(xlsx_err)?;
        ws.write_number(row, 1, t.members as f64)
            .map_err(xlsx_err)?;
        write_figures(ws, row, 2, &t.figures)?;
    }
    let bytes = wb.save_to_buffer().map_err(xlsx_err)?;
    Ok((format!("kpis-{}.xlsx", k.month), bytes))
}
