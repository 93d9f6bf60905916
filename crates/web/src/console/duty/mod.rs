//! The duty pages (值班表): a team's month grid (person × day → shift letter) with its gaps,
//! short shifts, overlaps and shifts on leave marked; the whole month set in one form (a select
//! per cell, no script) and last month copied; shift patterns (adopt the defaults in one click,
//! add, edit); leave and swaps. Every rule is the duty service's: a refused month comes back
//! with each message in its cell. Leave and swaps are in [`leave`], patterns in [`shifts`],
//! handovers in [`handovers`].

mod handovers;
mod leave;
mod shifts;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{Datelike, NaiveDate, Weekday};
use serde::Deserialize;
use wuye_core::duty::{
    self, AssignmentForSet, RosterCopy, RosterForSet, RosterMonth, Shift, StaffMember,
};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::flash::{done, refused};
use super::forms::{Opt, chosen_community};
use super::{OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/duty", get(month))
        .route("/duty/edit", get(edit))
        .route("/duty/roster", post(set_month))
        .route("/duty/copy", post(copy))
        .merge(leave::router())
        .merge(shifts::router())
        .merge(handovers::router())
}

/// A posted form's fields in order (names repeat: checkboxes, numbered slots).
pub(super) struct Fields(Vec<(String, String)>);

impl Fields {
    pub(super) fn of(body: &str) -> Self {
        Fields(serde_urlencoded::from_str(body).unwrap_or_default())
    }
    /// The first value of `name`, trimmed (empty when absent).
    pub(super) fn get(&self, name: &str) -> String {
        self.0
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.trim().to_string())
            .unwrap_or_default()
    }
    /// Every value of `name`, as sent.
    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
            .collect()
    }
}

/// Blank person rows the month form offers below the rostered ones.
const BLANK_ROWS: usize = 2;

#[derive(Deserialize, Default)]
struct MonthQ {
    community: Option<String>,
    month: Option<String>,
    team: Option<String>,
}

/// The communities the user works in (id, name) and the one the page opens on.
pub(super) async fn community_of(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<&str>,
) -> Result<(Vec<(i64, String)>, i64), PageError> {
    let list = super::surveys::communities(st, u).await?;
    let want = want.and_then(|c| c.trim().parse().ok());
    let c = chosen_community(&list, want, u.community)
        .ok_or_else(|| PageError::new(u, CoreError::NotFound("community")))?;
    Ok((list, c))
}

fn this_month() -> String {
    chrono::Utc::now()
        .with_timezone(&super::forms::default_zone())
        .format("%Y-%m")
        .to_string()
}

/// The month before or after `m` (`YYYY-MM`), for the arrows.
fn shift_month(m: &str, by: i32) -> String {
    let Ok(d) = NaiveDate::parse_from_str(&format!("{m}-01"), "%Y-%m-%d") else {
        return this_month();
    };
    let d = if by < 0 {
        d.pred_opt().unwrap_or(d).with_day(1).unwrap_or(d)
    } else {
        d.with_day(28).unwrap_or(d) + chrono::Duration::days(4)
    };
    d.format("%Y-%m").to_string()
}

/// A shift as the grid shows it: a letter, its name and hours.
pub struct Legend {
    pub letter: String,
    pub code: String,
    pub name: String,
    pub hours: String,
    pub team: String,
}

/// The legend of a team's month: the team's patterns first (A, B, C …), then the other
/// patterns its people hold that month; a pattern nobody holds of another team is left out.
fn legend(m: &RosterMonth, team: &str) -> Vec<Legend> {
    let used = |s: &&Shift| {
        m.rows
            .iter()
            .any(|r| r.days.iter().any(|d| d.contains(&s.code)))
    };
    let mine = m.shifts.iter().filter(|s| s.team == team);
    let others = m.shifts.iter().filter(|s| s.team != team).filter(used);
    let list: Vec<&Shift> = if m.shifts.iter().any(|s| s.team == team) {
        mine.chain(others).collect()
    } else {
        m.shifts.iter().collect()
    };
    list.into_iter()
        .enumerate()
        .map(|(i, s)| Legend {
            letter: letter(i),
            code: s.code.clone(),
            name: s.name.clone(),
            hours: format!("{}–{}", s.starts, s.ends),
            team: s.team.clone(),
        })
        .collect()
}

fn letter(i: usize) -> String {
    let a = (b'A' + (i % 26) as u8) as char;
    if i < 26 {
        a.to_string()
    } else {
        format!("{a}{}", i / 26)
    }
}

fn letters_of(leg: &[Legend], codes: &[String]) -> String {
    codes
        .iter()
        .map(|c| {
            leg.iter()
                .find(|l| &l.code == c)
                .map_or(c.clone(), |l| l.letter.clone())
        })
        .collect::<Vec<_>>()
        .join("+")
}

pub struct DayHead {
    pub d: u32,
    pub wd: &'static str,
    pub weekend: bool,
    /// Gaps and short shifts of the team that day (`缺A`, `A 1/2`).
    pub flags: Vec<String>,
    pub detail: String,
}

pub struct GridCell {
    pub text: String,
    /// The cell's codes as the form sends them (comma-separated).
    pub value: String,
    /// `leave`, `flag` (overlap or shift on leave), `bad` (refused) or empty.
    pub class: &'static str,
    pub title: String,
    pub err: String,
}

pub struct GridRow {
    pub r: usize,
    pub user_id: i64,
    pub name: String,
    pub cells: Vec<GridCell>,
}

fn weekday_word(d: NaiveDate, en: bool) -> &'static str {
    let (zh, e) = match d.weekday() {
        Weekday::Mon => ("一", "M"),
        Weekday::Tue => ("二", "T"),
        Weekday::Wed => ("三", "W"),
        Weekday::Thu => ("四", "T"),
        Weekday::Fri => ("五", "F"),
        Weekday::Sat => ("六", "S"),
        Weekday::Sun => ("日", "S"),
    };
    if en { e } else { zh }
}

fn heads(m: &RosterMonth, leg: &[Legend], s: &Shell) -> Vec<DayHead> {
    let en = s.l == crate::locale::Locale::En;
    m.days
        .iter()
        .map(|d| {
            let mine: Vec<_> = m.coverage.iter().filter(|c| c.day == *d).collect();
            let letter_of = |code: &str| {
                leg.iter()
                    .find(|l| l.code == code)
                    .map_or(code.to_string(), |l| l.letter.clone())
            };
            DayHead {
                d: d.day(),
                wd: weekday_word(*d, en),
                weekend: d.weekday().number_from_monday() >= 6,
                flags: mine
                    .iter()
                    .map(|c| {
                        if c.flag == "gap" {
                            format!("{}{}", s.t("du.gap_short"), letter_of(&c.shift_code))
                        } else {
                            format!("{} {}/{}", letter_of(&c.shift_code), c.staffed, c.min_staff)
                        }
                    })
                    .collect(),
                detail: mine
                    .iter()
                    .map(|c| {
                        let what = if c.flag == "gap" {
                            "du.gap"
                        } else {
                            "du.short"
                        };
                        format!(
                            "{} {} {}/{}",
                            c.shift_code,
                            s.t(what),
                            c.staffed,
                            c.min_staff
                        )
                    })
                    .collect::<Vec<_>>()
                    .join("；"),
            }
        })
        .collect()
}

/// The grid's rows as the page shows them, flags on their cells.
fn rows_of(m: &RosterMonth, leg: &[Legend], s: &Shell) -> Vec<GridRow> {
    m.rows
        .iter()
        .enumerate()
        .map(|(r, row)| GridRow {
            r,
            user_id: row.user_id.0,
            name: row.name.clone(),
            cells: row
                .days
                .iter()
                .enumerate()
                .map(|(i, codes)| {
                    let day = m.days[i];
                    let d = day.day();
                    let leave = row.leave_days.contains(&d);
                    let flags: Vec<String> = m
                        .overlaps
                        .iter()
                        .filter(|o| o.user_id == row.user_id && o.day == day)
                        .map(|o| format!("{}：{} / {}", s.t("du.overlap"), o.shift_code, o.other))
                        .chain(
                            m.on_leave
                                .iter()
                                .filter(|o| o.user_id == row.user_id && o.day == day)
                                .map(|o| format!("{}：{}", s.t("du.on_leave"), o.shift_code)),
                        )
                        .collect();
                    GridCell {
                        text: if codes.is_empty() && leave {
                            s.t("du.leave_short").to_string()
                        } else {
                            letters_of(leg, codes)
                        },
                        value: codes.join(","),
                        class: if !flags.is_empty() {
                            "flag"
                        } else if leave {
                            "leave"
                        } else {
                            ""
                        },
                        title: flags.join("；"),
                        err: String::new(),
                    }
                })
                .collect(),
        })
        .collect()
}

#[derive(Template)]
#[template(path = "duty/month.html")]
struct MonthPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    month: String,
    prev: String,
    next: String,
    team: String,
    /// The team as a query value.
    team_q: String,
    teams: Vec<String>,
    legend: Vec<Legend>,
    heads: Vec<DayHead>,
    rows: Vec<GridRow>,
    /// The flags as a list under the grid (for reading and printing).
    problems: Vec<String>,
    can_edit: bool,
    /// The month form: the staff picker of blank rows and each cell's choices.
    editing: bool,
    staff: Vec<StaffMember>,
    choices: Vec<Opt>,
}

impl MonthPage {
    /// Whether `value` is among the cell choices (a combination set through the API is added).
    fn known(&self, value: &str) -> bool {
        value.is_empty() || self.choices.iter().any(|o| o.code == value)
    }
}

async fn roster(
    st: &AppState,
    u: &ConsoleUser,
    q: &MonthQ,
) -> Result<(Vec<(i64, String)>, i64, String, RosterMonth), PageError> {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let month = q
        .month
        .clone()
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(this_month);
    let mut team = q.team.clone().unwrap_or_default();
    let cid = CommunityId(c);
    let mut m = duty::get_roster(&st.core, &u.ctx, cid, &month, &team)
        .await
        .or_page(u)?;
    if team.trim().is_empty()
        && let Some(t) = m.teams.first().cloned()
    {
        team = t;
        m = duty::get_roster(&st.core, &u.ctx, cid, &month, &team)
            .await
            .or_page(u)?;
    }
    Ok((communities, c, team, m))
}

fn problems(m: &RosterMonth, s: &Shell) -> Vec<String> {
    // Shifts by name (the codes are for the form).
    let name = |code: &str| {
        m.shifts
            .iter()
            .find(|x| x.code == code)
            .map_or(code.to_string(), |x| x.name.clone())
    };
    let mut out: Vec<String> = m
        .coverage
        .iter()
        .map(|c| {
            let what = if c.flag == "gap" {
                "du.gap"
            } else {
                "du.short"
            };
            format!(
                "{} {} {}（{}/{}）",
                c.day.format("%m-%d"),
                name(&c.shift_code),
                s.t(what),
                c.staffed,
                c.min_staff
            )
        })
        .collect();
    out.extend(m.overlaps.iter().map(|o| {
        format!(
            "{} {} {}：{} / {}",
            o.day.format("%m-%d"),
            o.name,
            s.t("du.overlap"),
            name(&o.shift_code),
            o.other
        )
    }));
    out.extend(m.on_leave.iter().map(|o| {
        format!(
            "{} {} {}：{}",
            o.day.format("%m-%d"),
            o.name,
            s.t("du.on_leave"),
            name(&o.shift_code)
        )
    }));
    out
}

fn choices(m: &RosterMonth, leg: &[Legend], team: &str) -> Vec<Opt> {
    let mine = leg.iter().any(|l| l.team == team);
    leg.iter()
        .filter(|l| !mine || l.team == team)
        .map(|l| Opt {
            code: l.code.clone(),
            label: l.letter.clone(),
        })
        .chain(
            m.rows
                .iter()
                .flat_map(|r| r.days.iter())
                .filter(|codes| codes.len() > 1)
                .map(|codes| Opt {
                    code: codes.join(","),
                    label: letters_of(leg, codes),
                }),
        )
        .fold(Vec::new(), |mut acc: Vec<Opt>, o| {
            if !acc.iter().any(|x| x.code == o.code) {
                acc.push(o);
            }
            acc
        })
}

#[allow(clippy::too_many_arguments)]
fn month_page(
    u: &ConsoleUser,
    s: Shell,
    communities: Vec<(i64, String)>,
    c: i64,
    team: String,
    m: &RosterMonth,
    rows: Option<Vec<GridRow>>,
    staff: Vec<StaffMember>,
) -> MonthPage {
    let leg = legend(m, &team);
    let editing = rows.is_some();
    let rows = rows.unwrap_or_else(|| rows_of(m, &leg, &s));
    let mut teams = m.teams.clone();
    if !team.is_empty() && !teams.contains(&team) {
        teams.push(team.clone());
    }
    MonthPage {
        heads: heads(m, &leg, &s),
        problems: problems(m, &s),
        choices: choices(m, &leg, &team),
        prev: shift_month(&m.month, -1),
        next: shift_month(&m.month, 1),
        month: m.month.clone(),
        can_edit: u.ctx.has(Perm::DutyManage),
        legend: leg,
        rows,
        s,
        communities,
        community: c,
        team_q: enc(&team),
        team,
        teams,
        editing,
        staff,
    }
}

async fn month(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<MonthQ>) -> PageResult {
    let (communities, c, team, m) = roster(&st, &u, &q).await?;
    Ok(page(&month_page(
        &u,
        Shell::of(&u),
        communities,
        c,
        team,
        &m,
        None,
        Vec::new(),
    )))
}

/// The month form: the rostered rows and blank ones with a staff picker.
async fn edit(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<MonthQ>) -> PageResult {
    let (communities, c, team, m) = roster(&st, &u, &q).await?;
    u.ctx
        .require_in(Perm::DutyManage, CommunityId(c))
        .or_page(&u)?;
    let staff = duty::list_staff(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(&u)?;
    let s = Shell::of(&u);
    let leg = legend(&m, &team);
    let mut rows = rows_of(&m, &leg, &s);
    let n = rows.len();
    rows.extend((n..n + BLANK_ROWS).map(|r| blank_row(r, m.days.len())));
    Ok(page(&month_page(
        &u,
        s,
        communities,
        c,
        team,
        &m,
        Some(rows),
        staff,
    )))
}

fn blank_row(r: usize, days: usize) -> GridRow {
    GridRow {
        r,
        user_id: 0,
        name: String::new(),
        cells: (0..days)
            .map(|_| GridCell {
                text: String::new(),
                value: String::new(),
                class: "",
                title: String::new(),
                err: String::new(),
            })
            .collect(),
    }
}

/// The month form as posted: (community, month, team, rows, the assignments and the cell each
/// came from, so a refusal `assignments[i]` is shown in its cell).
type Posted = (
    i64,
    String,
    String,
    Vec<GridRow>,
    RosterForSet,
    Vec<(usize, usize)>,
);

fn parse_month_form(body: &str) -> Posted {
    let f = Fields::of(body);
    let get = |k: &str| f.get(k);
    let month = get("month");
    let team = get("team");
    let days = NaiveDate::parse_from_str(&format!("{month}-01"), "%Y-%m-%d")
        .map(|f| wuye_core::duty::model::days_of_month(f).len())
        .unwrap_or(0);
    let rows_n: usize = get("rows").parse().unwrap_or(0).min(200);
    let mut rows = Vec::new();
    let mut set = RosterForSet {
        team: team.clone(),
        assignments: Vec::new(),
    };
    let mut at = Vec::new();
    for r in 0..rows_n {
        let user: i64 = get(&format!("p{r}")).parse().unwrap_or(0);
        let mut row = blank_row(r, days);
        row.user_id = user;
        row.name = get(&format!("n{r}"));
        for d in 0..days {
            let v = get(&format!("c{r}_{}", d + 1));
            if user > 0 {
                for code in v.split(',').map(str::trim).filter(|c| !c.is_empty()) {
                    at.push((r, d));
                    set.assignments.push(AssignmentForSet {
                        user_id: UserId(user),
                        day: format!("{month}-{:02}", d + 1),
                        shift_code: code.to_string(),
                    });
                }
            }
            row.cells[d].value = v;
        }
        rows.push(row);
    }
    (
        get("community").parse().unwrap_or(0),
        month,
        team,
        rows,
        set,
        at,
    )
}

async fn set_month(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (c, month, team, mut rows, set, at) = parse_month_form(&body);
    let cid = CommunityId(c);
    match duty::set_roster(&st.core, &u.ctx, cid, &month, set).await {
        Ok(_) => {
            let to = format!("/duty?community={c}&month={month}&team={}", enc(&team));
            Ok(done(&st, &u, &to, u.locale.t("du.saved")))
        }
        Err(e @ CoreError::Invalid(_)) => {
            let s = Shell::of(&u).with_error(&e);
            for (i, (r, d)) in at.iter().enumerate() {
                let msg = ["day", "shift_code", "user_id"]
                    .iter()
                    .map(|k| s.ferr(&format!("assignments[{i}].{k}")))
                    .filter(|m| !m.is_empty())
                    .collect::<Vec<_>>()
                    .join("；");
                if !msg.is_empty() {
                    let cell = &mut rows[*r].cells[*d];
                    cell.class = "bad";
                    cell.err = msg;
                }
            }
            let q = MonthQ {
                community: Some(c.to_string()),
                month: Some(month),
                team: Some(team),
            };
            let (communities, c, team, m) = roster(&st, &u, &q).await?;
            let staff = duty::list_staff(&st.core, &u.ctx, cid).await.or_page(&u)?;
            for row in rows.iter_mut().filter(|r| r.name.is_empty()) {
                if let Some(p) = staff.iter().find(|p| p.user_id.0 == row.user_id) {
                    row.name = p.name.clone();
                }
            }
            let status = describe(&e, u.locale).0;
            let mut r = page(&month_page(
                &u,
                s,
                communities,
                c,
                team,
                &m,
                Some(rows),
                staff,
            ));
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) fn enc(s: &str) -> String {
    crate::extract::urlencode(s)
}

#[derive(Deserialize)]
struct CopyForm {
    community: i64,
    month: String,
    team: String,
}

async fn copy(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CopyForm>,
) -> PageResult {
    let to = format!(
        "/duty?community={}&month={}&team={}",
        f.community,
        enc(&f.month),
        enc(&f.team)
    );
    let r = duty::copy_last_month(
        &st.core,
        &u.ctx,
        CommunityId(f.community),
        &f.month,
        RosterCopy {
            team: f.team.clone(),
        },
    )
    .await;
    said(&st, &u, &to, r.map(|_| ()), "du.copied")
}

/// Back to `to` saying what an action did, or why it did nothing.
pub(super) fn said(
    st: &AppState,
    u: &ConsoleUser,
    to: &str,
    r: Result<(), CoreError>,
    key: &str,
) -> PageResult {
    match r {
        Ok(()) => Ok(done(st, u, to, u.locale.t(key))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let msg = describe(&e, u.locale).3;
            Ok(refused(st, u, to, msg))
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn months_step_across_the_year() {
        assert_eq!(shift_month("2026-01", -1), "2025-12");
        assert_eq!(shift_month("2026-12", 1), "2027-01");
        assert_eq!(shift_month("2026-03", 1), "2026-04");
        assert_eq!(letter(0), "A");
        assert_eq!(letter(27), "B1");
    }

    #[test]
    fn the_month_form_names_the_cell_of_each_assignment() {
        let body = "community=3&month=2026-02&team=%E4%BF%9D&rows=2&p0=7&n0=A&c0_1=a&c0_3=a%2Cb\
                    &p1=0&c1_2=a";
        let (c, month, team, rows, set, at) = parse_month_form(body);
        assert_eq!((c, month.as_str(), team.as_str()), (3, "2026-02", "保"));
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].cells.len(), 28);
        assert_eq!(set.assignments.len(), 3);
        assert_eq!(set.assignments[2].day, "2026-02-03");
        assert_eq!(set.assignments[2].shift_code, "b");
        assert_eq!(at, vec![(0, 0), (0, 2), (0, 2)]);
    }
}
