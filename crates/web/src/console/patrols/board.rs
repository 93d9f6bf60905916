//! The manager's patrol pages: the day's board of a community (every round with its people,
//! progress and state, missed ones marked, exported as .xlsx) and a round's page (each scan
//! with its times as the phone had them and as received, distance, flags and results, and the
//! checkpoints missing).
//! Checkpoints, routes and plans are set up through the API (`/api/v1/communities/{id}/patrol-*`);
//! the labels' PDF is linked from the board.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use wuye_core::patrols::{self, PatrolTask, TaskDetail};
use wuye_core::shared::ids::*;

use super::super::{Ids, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::extract::ConsoleUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrols", get(board))
        .route("/patrols/export.xlsx", get(export))
        .route("/patrols/{community}/tasks/{id}", get(task))
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&super::super::forms::default_zone())
        .format("%m-%d %H:%M")
        .to_string()
}

#[derive(Deserialize)]
struct BoardQuery {
    community_id: Option<i64>,
    day: Option<String>,
}

#[derive(Template)]
#[template(path = "patrols/board.html")]
struct BoardPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    day: String,
    rows: Vec<(PatrolTask, String, String)>,
}

/// The board's communities (the user's), the one it shows and its day (none: today).
async fn board_of(
    st: &AppState,
    u: &ConsoleUser,
    q: &BoardQuery,
) -> Result<(Vec<(i64, String)>, i64, Option<chrono::NaiveDate>), PageError> {
    u.ctx.require(wuye_core::Perm::PatrolsManage).or_page(u)?;
    let all = wuye_core::registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let listed: Vec<(i64, String)> = all.iter().map(|c| (c.id.0, c.name.clone())).collect();
    let c = super::super::forms::chosen_community(&listed, q.community_id, u.community)
        .ok_or_else(|| PageError::new(u, wuye_core::CoreError::NotFound("community")))?;
    let day = q
        .day
        .as_deref()
        .and_then(|d| chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d").ok());
    Ok((listed, c, day))
}

async fn board(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<BoardQuery>,
) -> PageResult {
    let (listed, c, day) = board_of(&st, &u, &q).await?;
    let (day, tasks) = patrols::day_board(&st.core, &u.ctx, CommunityId(c), day, None)
        .await
        .or_page(&u)?;
    let rows = tasks
        .into_iter()
        .map(|t| {
            let (a, b) = (local(t.starts_at), local(t.ends_at));
            (t, a, b)
        })
        .collect();
    Ok(page(&BoardPage {
        s: Shell::of(&u),
        communities: listed,
        community: c,
        day: day.to_string(),
        rows,
    }))
}

/// The board's day as .xlsx: every round of it.
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<BoardQuery>,
) -> Result<axum::response::Response, PageError> {
    let (_, c, day) = board_of(&st, &u, &q).await?;
    let file = patrols::day_tasks_xlsx(&st.core, &u.ctx, CommunityId(c), day, None)
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "patrol-tasks.xlsx"))
}

#[derive(Template)]
#[template(path = "patrols/task.html")]
struct TaskPage {
    s: Shell,
    community: i64,
    detail: TaskDetail,
    window: String,
    /// Per scan: (scanned, device, received) as local times.
    times: Vec<(String, String, String)>,
    state_label: String,
    /// Per scan, its flags in words.
    flags: Vec<Vec<String>>,
}

async fn task(State(st): State<AppState>, u: ConsoleUser, Ids(c, id): Ids) -> PageResult {
    let d = patrols::task_detail(&st.core, &u.ctx, CommunityId(c), PatrolTaskId(id))
        .await
        .or_page(&u)?;
    let window = format!("{} – {}", local(d.task.starts_at), local(d.task.ends_at));
    let times = d
        .scans
        .iter()
        .map(|s| {
            (
                local(s.scanned_at),
                local(s.device_at),
                local(s.received_at),
            )
        })
        .collect();
    let l = u.locale;
    let state_label = l
        .t(&format!("pt.state_{}", d.task.state.code()))
        .to_string();
    let flags = d
        .scans
        .iter()
        .map(|s| {
            s.flags
                .iter()
                .map(|f| l.t(&format!("pb.flag.{f}")).to_string())
                .collect()
        })
        .collect();
    Ok(page(&TaskPage {
        s: Shell::of(&u),
        community: c,
        detail: d,
        window,
        times,
        state_label,
        flags,
    }))
}
