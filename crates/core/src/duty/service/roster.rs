//! The month grids: a team's month as a grid (person × day → shifts) with its gaps, short
//! shifts, overlaps and shifts on leave flagged; setting a month in one step (every cell checked:
//! a day of leave and an overlap with the person's other shifts are refused, named by field);
//! copying last month; swaps and leave; who is on duty now.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::DutyCode;
use super::super::model::{self, Coverage, LeaveKind};
use super::super::store;
use super::super::store::roster::{AssignmentRow, Cell, LeaveRow, NewSwap};
use super::{Shift, StaffMember, require_staff_in, shifts_of, staff_rows, tz_of};
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::error::{CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

/// A person's row of the month grid: for each day of the month, his shift codes that day.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterRow {
    pub user_id: UserId,
    pub name: String,
    /// One list per day of the month, in order.
    pub days: Vec<Vec<String>>,
    /// Days (of the month, from 1) he is on leave.
    pub leave_days: Vec<u32>,
}

/// A flagged cell: a person on two overlapping shifts, or on a shift on a day of leave.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterConflict {
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub user_id: UserId,
    pub name: String,
    pub shift_code: String,
    /// The other shift (an overlap) or the kind of leave.
    pub other: String,
}

/// A team's month.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RosterMonth {
    pub community_id: CommunityId,
    pub team: String,
    /// `YYYY-MM`.
    pub month: String,
    #[schema(value_type = Vec<String>)]
    pub days: Vec<NaiveDate>,
    /// The community's active patterns (the codes a cell may hold).
    pub shifts: Vec<Shift>,
    pub rows: Vec<RosterRow>,
    /// The team's patterns with nobody (`gap`) or too few (`short`) on a day.
    pub coverage: Vec<Coverage>,
    pub overlaps: Vec<RosterConflict>,
    /// Shifts set before the person's leave was recorded.
    pub on_leave: Vec<RosterConflict>,
    pub leaves: Vec<Leave>,
    pub swaps: Vec<Swap>,
    /// The community's teams (for a picker).
    pub teams: Vec<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Leave {
    pub id: LeaveId,
    pub community_id: CommunityId,
    pub user_id: UserId,
    pub name: String,
    #[schema(value_type = String, format = Date)]
    pub starts_on: NaiveDate,
    #[schema(value_type = String, format = Date)]
    pub ends_on: NaiveDate,
    pub kind: LeaveKind,
    pub note: Option<String>,
    pub approved_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Swap {
    pub id: SwapId,
    pub team: String,
    #[schema(value_type = String, format = Date)]
    pub day: NaiveDate,
    pub user_a: UserId,
    pub name_a: String,
    /// A's shifts before the swap (B's after it), comma-separated.
    pub shifts_a: String,
    pub user_b: UserId,
    pub name_b: String,
    pub shifts_b: String,
    pub reason: Option<String>,
    /// The manager who approved it.
    pub approved_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
}

/// One cell set by a manager.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct AssignmentForSet {
    pub user_id: UserId,
    /// `YYYY-MM-DD`, in the month.
    pub day: String,
    pub shift_code: String,
}

/// A team's whole month: every cell (what is not listed is cleared).
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct RosterForSet {
    pub team: String,
    #[serde(default)]
    pub assignments: Vec<AssignmentForSet>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RosterCopy {
    pub team: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct SwapForCreate {
    /// `YYYY-MM-DD`.
    pub day: String,
    pub user_a: UserId,
    pub user_b: UserId,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct LeaveForCreate {
    pub user_id: UserId,
    /// First and last day, both included (`YYYY-MM-DD`).
    pub starts_on: String,
    pub ends_on: String,
    /// `annual`, `sick`, `personal`, `compensatory` or `other`.
    pub kind: String,
    #[serde(default)]
    pub note: Option<String>,
}

fn parse_day(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, CommonCode::InvalidDate))
}

fn last_of(first: NaiveDate) -> NaiveDate {
    *model::days_of_month(first).last().unwrap_or(&first)
}

fn names(staff: &[StaffMember]) -> BTreeMap<UserId, String> {
    staff.iter().map(|s| (s.user_id, s.name.clone())).collect()
}

/// The local span of a person's shift of a day, when its code is known.
fn span(
    by_code: &BTreeMap<&str, &Shift>,
    code: &str,
    day: NaiveDate,
) -> Option<(NaiveDateTime, NaiveDateTime)> {
    let s = by_code.get(code)?;
    s.times().ok().map(|t| t.local(day))
}

fn leave_of(r: LeaveRow, names: &BTreeMap<UserId, String>) -> CoreResult<Leave> {
    Ok(Leave {
        id: r.id,
        community_id: r.community_id,
        user_id: r.user_id,
        name: names.get(&r.user_id).cloned().unwrap_or_default(),
        starts_on: r.starts_on,
        ends_on: r.ends_on,
        kind: LeaveKind::from_stored(&r.kind)?,
        note: r.note,
        approved_by: r.approved_by,
        created_at: r.created_at,
    })
}

/// A team's month with its flags (any staff of the community reads it: the desk needs it).
pub async fn get_roster(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    month: &str,
    team: &str,
) -> CoreResult<RosterMonth> {
    require_staff_in(ctx, c)?;
    let first = model::parse_month("month", month).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut q = core.db.read();
    tz_of(&mut q, ctx, c).await?;
    month_view(&mut q, ctx, c, first, team.trim()).await
}

async fn month_view(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    first: NaiveDate,
    team: &str,
) -> CoreResult<RosterMonth> {
    let days = model::days_of_month(first);
    let last = last_of(first);
    let shifts: Vec<Shift> = shifts_of(q, c)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    let by_code: BTreeMap<&str, &Shift> = shifts.iter().map(|s| (s.code.as_str(), s)).collect();
    let staff = staff_rows(q, ctx, c).await?;
    let names = names(&staff);
    let grid = store::roster::of_team(q, c, team, first, last).await?;
    let people: BTreeSet<UserId> = grid.iter().map(|a| a.user_id).collect();
    let people_v: Vec<UserId> = people.iter().copied().collect();
    // Everyone's shifts of the month (and the day around it) count for coverage and overlaps.
    let all = store::roster::between(
        q,
        c,
        first - Duration::days(1),
        last + Duration::days(1),
        None,
    )
    .await?;
    let leaves: Vec<Leave> = store::roster::leaves_between(q, c, first, last, None)
        .await?
        .into_iter()
        .map(|r| leave_of(r, &names))
        .collect::<CoreResult<_>>()?;
    let on_leave_day = |u: UserId, d: NaiveDate| {
        leaves
            .iter()
            .find(|l| l.user_id == u && l.starts_on <= d && d <= l.ends_on)
    };
    let mut rows = Vec::new();
    for u in &people_v {
        let mut cells = vec![Vec::new(); days.len()];
        for a in grid.iter().filter(|a| a.user_id == *u) {
            cells[(a.day.day() - 1) as usize].push(a.shift_code.clone());
        }
        rows.push(RosterRow {
            user_id: *u,
            name: names.get(u).cloned().unwrap_or_else(|| format!("#{u}")),
            days: cells,
            leave_days: days
                .iter()
                .filter(|d| on_leave_day(*u, **d).is_some())
                .map(|d| d.day())
                .collect(),
        });
    }
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    let team_patterns: Vec<(String, model::Times<'_>, i64)> = shifts
        .iter()
        .filter(|s| s.team == team)
        .filter_map(|s| Some((s.code.clone(), s.times().ok()?, s.min_staff)))
        .collect();
    let coverage = model::coverage(&days, &team_patterns, |d, code| {
        all.iter()
            .filter(|a| a.day == d && a.shift_code == code && on_leave_day(a.user_id, d).is_none())
            .count() as i64
    });
    let mut overlaps = Vec::new();
    for u in &people_v {
        let mine: Vec<&AssignmentRow> = all.iter().filter(|a| a.user_id == *u).collect();
        for (i, a) in mine.iter().enumerate() {
            for b in &mine[i + 1..] {
                if let (Some(x), Some(y)) = (
                    span(&by_code, &a.shift_code, a.day),
                    span(&by_code, &b.shift_code, b.day),
                ) && model::overlaps(x, y)
                    && (a.team == team || b.team == team)
                    && a.day >= first
                    && a.day <= last
                {
                    overlaps.push(RosterConflict {
                        day: a.day,
                        user_id: *u,
                        name: names.get(u).cloned().unwrap_or_default(),
                        shift_code: a.shift_code.clone(),
                        other: format!("{} {}", b.day, b.shift_code),
                    });
                }
            }
        }
    }
    let on_leave = grid
        .iter()
        .filter_map(|a| {
            on_leave_day(a.user_id, a.day).map(|l| RosterConflict {
                day: a.day,
                user_id: a.user_id,
                name: names.get(&a.user_id).cloned().unwrap_or_default(),
                shift_code: a.shift_code.clone(),
                other: l.kind.code().into(),
            })
        })
        .collect();
    let swaps = store::roster::swaps_between(q, c, first, last)
        .await?
        .into_iter()
        .filter(|s| s.team == team)
        .map(|s| Swap {
            id: s.id,
            team: s.team,
            day: s.day,
            name_a: names.get(&s.user_a).cloned().unwrap_or_default(),
            name_b: names.get(&s.user_b).cloned().unwrap_or_default(),
            user_a: s.user_a,
            shifts_a: s.shifts_a,
            user_b: s.user_b,
            shifts_b: s.shifts_b,
            reason: s.reason,
            approved_by: s.approved_by,
            created_at: s.created_at,
        })
        .collect();
    let mut teams = store::roster::teams(q, c).await?;
    if !team.is_empty() && !teams.iter().any(|t| t == team) {
        teams.push(team.to_string());
    }
    Ok(RosterMonth {
        community_id: c,
        team: team.to_string(),
        month: first.format("%Y-%m").to_string(),
        days,
        shifts,
        rows,
        coverage,
        overlaps,
        on_leave,
        leaves: leaves
            .into_iter()
            .filter(|l| people.contains(&l.user_id))
            .collect(),
        swaps,
        teams,
    })
}

/// Checks a month's cells: each names its field (`assignments[3].day`) — a person not of the
/// staff, a day outside the month, an unknown shift, a twice-given cell, a day of leave, a shift
/// overlapping another of the person's (in any team, the days around the month included).
async fn checked_cells(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    team: &str,
    first: NaiveDate,
    input: &[AssignmentForSet],
) -> CoreResult<Vec<Cell>> {
    let last = last_of(first);
    let staff = staff_rows(q, ctx, c).await?;
    let shifts: Vec<Shift> = shifts_of(q, c)
        .await?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    let by_code: BTreeMap<&str, &Shift> = shifts.iter().map(|s| (s.code.as_str(), s)).collect();
    let mut errs = Vec::new();
    let mut cells: Vec<(usize, Cell)> = Vec::new();
    let mut seen = BTreeSet::new();
    for (i, a) in input.iter().enumerate() {
        let f = |n: &str| format!("assignments[{i}].{n}");
        let mut ok = true;
        if !staff.iter().any(|s| s.user_id == a.user_id) {
            errs.push(FieldError::new(f("user_id"), DutyCode::NotStaff));
            ok = false;
        }
        let day = match parse_day(&f("day"), &a.day) {
            Ok(d) if d < first || d > last => {
                errs.push(FieldError::new(f("day"), DutyCode::DayOutsideMonth));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let code = a.shift_code.trim();
        if !by_code.contains_key(code) {
            errs.push(FieldError::new(f("shift_code"), DutyCode::UnknownShift));
            ok = false;
        }
        if let (Some(d), true) = (day, ok) {
            if !seen.insert((d, a.user_id, code.to_string())) {
                errs.push(FieldError::new(
                    f("shift_code"),
                    DutyCode::DuplicateAssignment,
                ));
            } else {
                cells.push((i, (d, a.user_id, code.to_string())));
            }
        }
    }
    let users: Vec<UserId> = cells
        .iter()
        .map(|(_, c)| c.1)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let leaves = store::roster::leaves_between(q, c, first, last, Some(&users)).await?;
    for (i, (d, u, _)) in &cells {
        if let Some(l) = leaves
            .iter()
            .find(|l| l.user_id == *u && l.starts_on <= *d && *d <= l.ends_on)
        {
            errs.push(
                FieldError::new(format!("assignments[{i}].day"), DutyCode::OnLeave)
                    .with("day", d)
                    .with("kind", &l.kind),
            );
        }
    }
    // The person's shifts kept elsewhere: other teams', and this team's outside the month.
    let kept: Vec<AssignmentRow> = store::roster::between(
        q,
        c,
        first - Duration::days(1),
        last + Duration::days(1),
        Some(&users),
    )
    .await?
    .into_iter()
    .filter(|a| a.team != team || a.day < first || a.day > last)
    .collect();
    for (n, (i, (d, u, code))) in cells.iter().enumerate() {
        let Some(mine) = span(&by_code, code, *d) else {
            continue;
        };
        let earlier_new = cells[..n]
            .iter()
            .filter(|(_, o)| o.1 == *u)
            .map(|(_, o)| (o.0, o.2.clone()));
        let others = kept
            .iter()
            .filter(|a| a.user_id == *u)
            .map(|a| (a.day, a.shift_code.clone()));
        if let Some((od, oc)) = earlier_new
            .chain(others)
            .find(|(od, oc)| span(&by_code, oc, *od).is_some_and(|s| model::overlaps(mine, s)))
        {
            errs.push(
                FieldError::new(format!("assignments[{i}].shift_code"), DutyCode::Overlap)
                    .with("other", &oc)
                    .with("day", od),
            );
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    Ok(cells.into_iter().map(|(_, c)| c).collect())
}

fn team_of(raw: &str) -> CoreResult<String> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(CoreError::invalid("team", CommonCode::Required));
    }
    if t.chars().count() > 30 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("team", CommonCode::TooLong).with("max", 30),
        ]));
    }
    Ok(t.to_string())
}

/// Sets a team's whole month in one step: every cell checked first, nothing written when one
/// is refused.
pub async fn set_roster(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    month: &str,
    input: RosterForSet,
) -> CoreResult<RosterMonth> {
    ctx.require_in(Perm::DutyManage, c)?;
    let first = model::parse_month("month", month).map_err(|e| CoreError::Invalid(vec![e]))?;
    let team = team_of(&input.team)?;
    tz_of(&mut core.db.read(), ctx, c).await?;
    let mut tx = core.db.begin().await?;
    let cells = checked_cells(&mut tx, ctx, c, &team, first, &input.assignments).await?;
    store::roster::replace(
        &mut tx,
        c,
        &team,
        first,
        last_of(first),
        &cells,
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "duty_roster", c.0)
            .community(c)
            .after(&serde_json::json!({ "team": team, "month": month, "cells": cells.len() })),
    )
    .await?;
    let v = month_view(&mut tx, ctx, c, first, &team).await?;
    tx.commit().await?;
    Ok(v)
}

/// Copies last month's grid of the team into this month, day of the month by day of the month
/// (days this month lacks are dropped); a cell on a day of leave or overlapping is refused as
/// when set by hand. A month that has a grid already: 409.
pub async fn copy_last_month(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    month: &str,
    input: RosterCopy,
) -> CoreResult<RosterMonth> {
    ctx.require_in(Perm::DutyManage, c)?;
    let first = model::parse_month("month", month).map_err(|e| CoreError::Invalid(vec![e]))?;
    let team = team_of(&input.team)?;
    tz_of(&mut core.db.read(), ctx, c).await?;
    let mut tx = core.db.begin().await?;
    if !store::roster::of_team(&mut tx, c, &team, first, last_of(first))
        .await?
        .is_empty()
    {
        return Err(CoreError::conflict("month", DutyCode::MonthNotEmpty));
    }
    let prev = model::previous_month(first);
    let source = store::roster::of_team(&mut tx, c, &team, prev, last_of(prev)).await?;
    if source.is_empty() {
        return Err(CoreError::conflict("month", DutyCode::NothingToCopy));
    }
    let wanted: Vec<AssignmentForSet> = source
        .iter()
        .filter_map(|a| {
            let d = first.with_day(a.day.day())?;
            Some(AssignmentForSet {
                user_id: a.user_id,
                day: d.to_string(),
                shift_code: a.shift_code.clone(),
            })
        })
        .collect();
    let cells = checked_cells(&mut tx, ctx, c, &team, first, &wanted).await?;
    store::roster::insert(&mut tx, c, &team, &cells, ctx.actor(), Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "duty_roster", c.0)
            .community(c)
            .after(&serde_json::json!({ "team": team, "month": month, "copied_from": prev.format("%Y-%m").to_string(),
                "cells": cells.len() })),
    )
    .await?;
    let v = month_view(&mut tx, ctx, c, first, &team).await?;
    tx.commit().await?;
    Ok(v)
}

/// Records a swap approved by the manager: the two people exchange all their shifts of the day.
/// Refused: the same person twice, neither on duty that day, either on leave, a swapped shift
/// overlapping the person's shifts of the days around.
pub async fn record_swap(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: SwapForCreate,
) -> CoreResult<Swap> {
    ctx.require_in(Perm::DutyManage, c)?;
    let day = parse_day("day", &input.day).map_err(|e| CoreError::Invalid(vec![e]))?;
    if input.user_a == input.user_b {
        return Err(CoreError::invalid("user_b", DutyCode::SwapSamePerson));
    }
    let mut tx = core.db.begin().await?;
    tz_of(&mut tx, ctx, c).await?;
    let staff = staff_rows(&mut tx, ctx, c).await?;
    let names = names(&staff);
    let mut errs = Vec::new();
    for (f, u) in [("user_a", input.user_a), ("user_b", input.user_b)] {
        if !names.contains_key(&u) {
            errs.push(FieldError::new(f, DutyCode::NotStaff));
        } else if store::roster::on_leave(&mut tx, c, u, day).await? {
            errs.push(FieldError::new(f, DutyCode::OnLeave).with("day", day));
        }
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let a_rows = store::roster::take_day(&mut tx, c, day, input.user_a).await?;
    let b_rows = store::roster::take_day(&mut tx, c, day, input.user_b).await?;
    if a_rows.is_empty() && b_rows.is_empty() {
        return Err(CoreError::invalid("day", DutyCode::NothingToSwap));
    }
    let shifts: Vec<Shift> = shifts_of(&mut tx, c).await?;
    let by_code: BTreeMap<&str, &Shift> = shifts.iter().map(|s| (s.code.as_str(), s)).collect();
    // Each takes the other's shifts: check them against his own of the days around.
    for (f, u, taken) in [
        ("user_a", input.user_a, &b_rows),
        ("user_b", input.user_b, &a_rows),
    ] {
        let around = store::roster::between(
            &mut tx,
            c,
            day - Duration::days(1),
            day + Duration::days(1),
            Some(&[u]),
        )
        .await?;
        for t in taken.iter() {
            let Some(mine) = span(&by_code, &t.shift_code, day) else {
                continue;
            };
            if let Some(o) = around.iter().find(|o| {
                span(&by_code, &o.shift_code, o.day).is_some_and(|s| model::overlaps(mine, s))
            }) {
                return Err(CoreError::Invalid(vec![
                    FieldError::new(f, DutyCode::Overlap)
                        .with("other", &o.shift_code)
                        .with("day", o.day),
                ]));
            }
        }
    }
    let now = Utc::now();
    for (u, rows) in [(input.user_b, &a_rows), (input.user_a, &b_rows)] {
        for r in rows.iter() {
            store::roster::insert(
                &mut tx,
                c,
                &r.team,
                &[(day, u, r.shift_code.clone())],
                ctx.actor(),
                now,
            )
            .await?;
        }
    }
    let codes = |rows: &[AssignmentRow]| {
        rows.iter()
            .map(|r| r.shift_code.as_str())
            .collect::<Vec<_>>()
            .join(",")
    };
    let team = a_rows
        .first()
        .or(b_rows.first())
        .map(|r| r.team.clone())
        .unwrap_or_default();
    let reason = input
        .reason
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let s = NewSwap {
        team: &team,
        day,
        user_a: input.user_a,
        shifts_a: codes(&a_rows),
        user_b: input.user_b,
        shifts_b: codes(&b_rows),
        reason,
    };
    let id = store::roster::insert_swap(&mut tx, c, &s, ctx.actor(), now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "duty_swap", id.0)
            .community(c)
            .after(
                &serde_json::json!({ "day": day, "user_a": input.user_a, "shifts_a": s.shifts_a,
                "user_b": input.user_b, "shifts_b": s.shifts_b }),
            ),
    )
    .await?;
    tx.commit().await?;
    Ok(Swap {
        id,
        team: team.clone(),
        day,
        user_a: input.user_a,
        name_a: names.get(&input.user_a).cloned().unwrap_or_default(),
        shifts_a: s.shifts_a.clone(),
        user_b: input.user_b,
        name_b: names.get(&input.user_b).cloned().unwrap_or_default(),
        shifts_b: s.shifts_b.clone(),
        reason: reason.map(str::to_string),
        approved_by: ctx.actor(),
        created_at: now,
    })
}

/// Records leave (approved by the manager who enters it). Shifts already set on those days are
/// not removed: the month view flags them until someone else takes them.
pub async fn add_leave(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: LeaveForCreate,
) -> CoreResult<Leave> {
    ctx.require_in(Perm::DutyManage, c)?;
    let mut errs = Vec::new();
    let starts = parse_day("starts_on", &input.starts_on)
        .map_err(|e| errs.push(e))
        .ok();
    let ends = parse_day("ends_on", &input.ends_on)
        .map_err(|e| errs.push(e))
        .ok();
    let kind = LeaveKind::parse("kind", &input.kind)
        .map_err(|e| errs.push(e))
        .ok();
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errs.push(FieldError::new("ends_on", DutyCode::EndsBeforeStarts));
    }
    let note = input
        .note
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    if note.is_some_and(|n| n.chars().count() > 200) {
        errs.push(FieldError::new("note", CommonCode::TooLong).with("max", 200));
    }
    let mut tx = core.db.begin().await?;
    tz_of(&mut tx, ctx, c).await?;
    let staff = staff_rows(&mut tx, ctx, c).await?;
    if !staff.iter().any(|s| s.user_id == input.user_id) {
        errs.push(FieldError::new("user_id", DutyCode::NotStaff));
    }
    let (Some(s), Some(e), Some(kind), true) = (starts, ends, kind, errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let now = Utc::now();
    let id = store::roster::insert_leave(
        &mut tx,
        c,
        input.user_id,
        s,
        e,
        kind.code(),
        note,
        ctx.actor(),
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "duty_leave", id.0)
            .community(c)
            .after(&serde_json::json!({ "user": input.user_id, "from": s, "to": e, "kind": kind.code() })),
    )
    .await?;
    let row = store::roster::leave(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("leave"))?;
    tx.commit().await?;
    leave_of(row, &names(&staff))
}

/// Leave touching a month (`YYYY-MM`).
pub async fn list_leaves(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    month: &str,
) -> CoreResult<Vec<Leave>> {
    require_staff_in(ctx, c)?;
    let first = model::parse_month("month", month).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut q = core.db.read();
    tz_of(&mut q, ctx, c).await?;
    let names = names(&staff_rows(&mut q, ctx, c).await?);
    store::roster::leaves_between(&mut q, c, first, last_of(first), None)
        .await?
        .into_iter()
        .map(|r| leave_of(r, &names))
        .collect()
}

/// Takes back a leave entered by mistake.
pub async fn delete_leave(core: &Core, ctx: &Ctx, id: LeaveId) -> CoreResult<()> {
    let r = store::roster::leave(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("leave"))?;
    ctx.require_in(Perm::DutyManage, r.community_id)?;
    let mut tx = core.db.begin().await?;
    store::roster::delete_leave(&mut tx, r.community_id, id).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "duty_leave", id.0)
            .community(r.community_id)
            .before(
                &serde_json::json!({ "user": r.user_id, "from": r.starts_on, "to": r.ends_on }),
            ),
    )
    .await?;
    tx.commit().await
}
