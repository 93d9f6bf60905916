//! Leave and swaps (请假 / 换班): a month's leave with the form that records one (a manager takes
//! back one entered by mistake) and the swaps recorded with the form for a new one. The duty
//! service refuses a swap into leave or an overlap; a refusal re-renders the form.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::duty::model::LeaveKind;
use wuye_core::duty::{self, LeaveForCreate, StaffMember, SwapForCreate};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::super::flash::done;
use super::super::forms::{Opt, label, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{MonthQ, community_of, said, this_month};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/duty/leave", get(leave_page).post(add_leave))
        .route("/duty/leave/{id}/delete", post(delete_leave))
        .route("/duty/swaps", post(swap))
}

pub struct LeaveRow {
    pub id: i64,
    pub name: String,
    pub span: String,
    pub kind: &'static str,
    pub note: String,
}

#[derive(Template)]
#[template(path = "duty/leave.html")]
struct LeavePage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    month: String,
    leaves: Vec<LeaveRow>,
    swaps: Vec<String>,
    staff: Vec<StaffMember>,
    kinds: Vec<Opt>,
    can_edit: bool,
    f: LeaveForm,
    w: SwapForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LeaveForm {
    community: i64,
    user_id: i64,
    starts_on: String,
    ends_on: String,
    kind: String,
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SwapForm {
    community: i64,
    day: String,
    user_a: i64,
    user_b: i64,
    reason: String,
    team: String,
}

async fn render_leave(
    st: &AppState,
    u: &ConsoleUser,
    q: MonthQ,
    s: Shell,
    f: LeaveForm,
    w: SwapForm,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let month = q
        .month
        .filter(|m| !m.trim().is_empty())
        .unwrap_or_else(this_month);
    let cid = CommunityId(c);
    let l = u.locale;
    let leaves = duty::list_leaves(&st.core, &u.ctx, cid, &month)
        .await
        .or_page(u)?;
    let m = duty::get_roster(&st.core, &u.ctx, cid, &month, &w.team)
        .await
        .or_page(u)?;
    let staff = duty::list_staff(&st.core, &u.ctx, cid).await.or_page(u)?;
    Ok(page(&LeavePage {
        s,
        communities,
        community: c,
        leaves: leaves
            .into_iter()
            .map(|x| LeaveRow {
                id: x.id.0,
                name: x.name,
                span: format!("{} — {}", x.starts_on, x.ends_on),
                kind: label(LeaveKind::ALL, &x.kind, l),
                note: x.note.unwrap_or_default(),
            })
            .collect(),
        swaps: m
            .swaps
            .iter()
            .map(|x| {
                format!(
                    "{} {}（{}）⇄ {}（{}）{}",
                    x.day,
                    x.name_a,
                    x.shifts_a,
                    x.name_b,
                    x.shifts_b,
                    x.reason.clone().unwrap_or_default()
                )
            })
            .collect(),
        month,
        staff,
        kinds: opts(LeaveKind::ALL, l),
        can_edit: u.ctx.has(Perm::DutyManage),
        f,
        w,
    }))
}

async fn leave_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<MonthQ>,
) -> PageResult {
    let s = Shell::of(&u);
    let f = LeaveForm {
        kind: LeaveKind::Annual.code().into(),
        ..Default::default()
    };
    render_leave(&st, &u, q, s, f, SwapForm::default()).await
}

fn back_to_leave(c: i64, day: &str) -> String {
    let month: String = day.chars().take(7).collect();
    if month.len() == 7 {
        format!("/duty/leave?community={c}&month={month}")
    } else {
        format!("/duty/leave?community={c}")
    }
}

async fn add_leave(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<LeaveForm>,
) -> PageResult {
    let input = LeaveForCreate {
        user_id: UserId(f.user_id),
        starts_on: f.starts_on.clone(),
        ends_on: f.ends_on.clone(),
        kind: f.kind.clone(),
        note: Some(f.note.clone()),
    };
    match duty::add_leave(&st.core, &u.ctx, CommunityId(f.community), input).await {
        Ok(_) => {
            let to = back_to_leave(f.community, &f.starts_on);
            Ok(done(&st, &u, &to, u.locale.t("du.leave_added")))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let q = MonthQ {
                community: Some(f.community.to_string()),
                month: Some(f.starts_on.chars().take(7).collect()),
                team: None,
            };
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_leave(&st, &u, q, s, f, SwapForm::default()).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Back {
    community: i64,
    month: String,
}

async fn delete_leave(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(b): CsrfForm<Back>,
) -> PageResult {
    let to = back_to_leave(b.community, &b.month);
    let r = duty::delete_leave(&st.core, &u.ctx, LeaveId(id)).await;
    said(&st, &u, &to, r, "du.leave_deleted")
}

async fn swap(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(w): CsrfForm<SwapForm>,
) -> PageResult {
    let input = SwapForCreate {
        day: w.day.clone(),
        user_a: UserId(w.user_a),
        user_b: UserId(w.user_b),
        reason: Some(w.reason.clone()),
    };
    match duty::record_swap(&st.core, &u.ctx, CommunityId(w.community), input).await {
        Ok(_) => {
            let to = back_to_leave(w.community, &w.day);
            Ok(done(&st, &u, &to, u.locale.t("du.swapped")))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let q = MonthQ {
                community: Some(w.community.to_string()),
                month: Some(w.day.chars().take(7).collect()),
                team: None,
            };
            let s = Shell::of(&u).with_error(&e);
            let f = LeaveForm {
                kind: LeaveKind::Annual.code().into(),
                ..Default::default()
            };
            let mut r = render_leave(&st, &u, q, s, f, w).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
