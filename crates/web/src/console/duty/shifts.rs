//! The shift patterns page (班次设置): the community's patterns, the defaults of the
//! 24小时值班制度 adopted in one click, a pattern added or edited in a plain form (weekdays as
//! checkboxes). The duty service checks every field; a refusal re-renders the form.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::duty::model::{Season, ShiftForSave};
use wuye_core::duty::{self, Shift};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::super::flash::done;
use super::super::forms::{Opt, label, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{community_of, said};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/duty/shifts", get(list).post(create))
        .route("/duty/shifts/defaults", post(adopt))
        .route("/duty/shifts/{id}", post(update))
}

pub struct ShiftRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub hours: String,
    pub days: String,
    pub season: &'static str,
    pub team: String,
    pub min_staff: i64,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "duty/shifts.html")]
struct ShiftsPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rows: Vec<ShiftRow>,
    can_edit: bool,
    /// The form: a new pattern, or the one being edited (`editing`).
    editing: i64,
    f: ShiftForSave,
    seasons: Vec<Opt>,
    /// The weekday checkboxes: (ISO number, word, ticked).
    weekdays: Vec<(u32, &'static str, bool)>,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
    edit: Option<String>,
}

fn days_text(days: &[u32], s: &Shell) -> String {
    if days.len() == 7 {
        return s.t("du.every_day").to_string();
    }
    days.iter()
        .map(|d| s.t(&format!("du.wd{d}")))
        .collect::<Vec<_>>()
        .join("、")
}

fn form_of(x: &Shift) -> ShiftForSave {
    ShiftForSave {
        code: x.code.clone(),
        name: x.name.clone(),
        starts: x.starts.clone(),
        ends: x.ends.clone(),
        weekdays: x.weekdays.clone(),
        season: x.season.code().into(),
        team: x.team.clone(),
        min_staff: x.min_staff,
        active: x.active,
    }
}

fn blank() -> ShiftForSave {
    ShiftForSave {
        code: String::new(),
        name: String::new(),
        starts: "08:00".into(),
        ends: "17:00".into(),
        weekdays: (1..=7).collect(),
        season: Season::All.code().into(),
        team: String::new(),
        min_staff: 1,
        active: true,
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<&str>,
    s: Shell,
    editing: i64,
    f: Option<ShiftForSave>,
) -> PageResult {
    let (communities, c) = community_of(st, u, want).await?;
    let list = duty::list_shifts(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let f = f.unwrap_or_else(|| {
        list.iter()
            .find(|x| x.id.0 == editing)
            .map(form_of)
            .unwrap_or_else(blank)
    });
    let rows = list
        .iter()
        .map(|x| ShiftRow {
            id: x.id.0,
            code: x.code.clone(),
            name: x.name.clone(),
            hours: format!("{}–{}", x.starts, x.ends),
            days: days_text(&x.weekdays, &s),
            season: label(Season::ALL, &x.season, u.locale),
            team: x.team.clone(),
            min_staff: x.min_staff,
            active: x.active,
        })
        .collect();
    let weekdays = (1..=7)
        .map(|d| (d, s.t(&format!("du.wd{d}")), f.weekdays.contains(&d)))
        .collect();
    Ok(page(&ShiftsPage {
        weekdays,
        seasons: opts(Season::ALL, u.locale),
        can_edit: u.ctx.has(Perm::DutyManage),
        s,
        communities,
        community: c,
        rows,
        editing,
        f,
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let editing = q.edit.and_then(|e| e.parse().ok()).unwrap_or(0);
    render(
        &st,
        &u,
        q.community.as_deref(),
        Shell::of(&u),
        editing,
        None,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CommunityForm {
    community: i64,
}

async fn adopt(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CommunityForm>,
) -> PageResult {
    let to = format!("/duty/shifts?community={}", f.community);
    let r = duty::adopt_default_shifts(&st.core, &u.ctx, CommunityId(f.community)).await;
    said(&st, &u, &to, r.map(|_| ()), "du.adopted")
}

/// The pattern form as posted (weekdays repeat).
fn parse(body: &str) -> (i64, ShiftForSave) {
    let fields = super::Fields::of(body);
    let get = |k: &str| fields.get(k);
    let f = ShiftForSave {
        code: get("code"),
        name: get("name"),
        starts: get("starts"),
        ends: get("ends"),
        weekdays: fields
            .all("weekdays")
            .iter()
            .filter_map(|v| v.parse().ok())
            .collect(),
        season: get("season"),
        team: get("team"),
        min_staff: get("min_staff").parse().unwrap_or(-1),
        active: !get("active").is_empty(),
    };
    (get("community").parse().unwrap_or(0), f)
}

async fn refused_form(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    editing: i64,
    f: ShiftForSave,
    e: CoreError,
) -> PageResult {
    let status = describe(&e, u.locale).0;
    let s = Shell::of(u).with_error(&e);
    let mut r = render(st, u, Some(&c.to_string()), s, editing, Some(f)).await?;
    *r.status_mut() = status;
    Ok(r)
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (c, f) = parse(&body);
    match duty::create_shift(&st.core, &u.ctx, CommunityId(c), f.clone()).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/duty/shifts?community={c}"),
            u.locale.t("du.shift_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused_form(&st, &u, c, 0, f, e).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (c, f) = parse(&body);
    match duty::update_shift(&st.core, &u.ctx, ShiftId(id), f.clone()).await {
        Ok(x) => Ok(done(
            &st,
            &u,
            &format!("/duty/shifts?community={}", x.community_id),
            u.locale.t("du.shift_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused_form(&st, &u, c, id, f, e).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
