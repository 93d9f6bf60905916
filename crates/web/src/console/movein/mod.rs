//! Move-in pages (入伙): the list — open hand-overs by notice day — with the form that opens one
//! ([`self`]); a hand-over's page with the 入伙流转表, the defects and the completion ([`one`]);
//! the community's 保修要求处理表 and the owner's own hand-over in the portal ([`warranty`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::movein::model::MoveInState;
use wuye_core::movein::{self, MoveIn, MoveInFilter, MoveInForCreate};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use super::duty::community_of;
use super::flash::done;
use super::forms::label;
use super::{PageError, PageResult, Shell, form_outcome, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

mod one;
mod warranty;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/move-ins", get(list).post(open))
        .merge(one::router())
        .merge(warranty::router())
}

/// A move-in as the lists show it.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub owner: String,
    pub day: String,
    pub done: usize,
    pub state: &'static str,
    pub state_code: &'static str,
}

pub fn row(m: &MoveIn, l: crate::locale::Locale) -> Row {
    Row {
        id: m.id.0,
        number: m.number.clone(),
        unit: m.unit_label.clone(),
        owner: m.owner_name.clone(),
        day: m.handover_day.unwrap_or(m.notice_day).to_string(),
        done: m.checks.iter().filter(|c| c.done).count(),
        state: label(MoveInState::ALL, &m.state, l),
        state_code: m.state.code(),
    }
}

pub fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// A date typed in a form, or its problem pushed on `field`.
pub fn form_day(field: &str, raw: &str, errs: &mut Vec<FieldError>) -> Option<NaiveDate> {
    let raw = raw.trim();
    if raw.is_empty() {
        return None;
    }
    NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map_err(|_| {
            errs.push(FieldError::new(
                field,
                wuye_core::shared::error::CommonCode::InvalidDate,
            ))
        })
        .ok()
}

#[derive(Template)]
#[template(path = "movein/moveins.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    q: ListQ,
    rows: Vec<Row>,
    f: OpenForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    /// `open` (default), `completed`, `cancelled`, `all`.
    show: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OpenForm {
    community: i64,
    unit_label: String,
    notice_day: String,
    note: String,
}

async fn render_list(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: ListQ,
    f: Option<OpenForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let state = match q.show.as_str() {
        "all" => None,
        "" => Some("open".to_string()),
        x => Some(x.to_string()),
    };
    let rows = match movein::list_move_ins(&st.core, &u.ctx, CommunityId(c), MoveInFilter { state })
        .await
    {
        Ok(v) => v.iter().map(|m| row(m, u.locale)).collect(),
        Err(CoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(u, e)),
    };
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        q,
        rows,
        f: f.unwrap_or(OpenForm {
            community: c,
            ..Default::default()
        }),
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, Shell::of(&u), q, None).await
}

async fn open(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<OpenForm>,
) -> PageResult {
    let c = f.community;
    let mut errs = Vec::new();
    let day = form_day("notice_day", &f.notice_day, &mut errs);
    let r = if errs.is_empty() {
        let input = MoveInForCreate {
            unit_id: None,
            unit_label: some(&f.unit_label),
            owner_id: None,
            notice_day: day,
            note: some(&f.note),
        };
        movein::open_move_in(&st.core, &u.ctx, CommunityId(c), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    let q = ListQ {
        community: Some(c.to_string()),
        show: String::new(),
    };
    form_outcome(
        &u,
        r,
        |m| {
            let msg = u.locale.t("mi.opened").replace("{number}", &m.number);
            done(&st, &u, &format!("/move-ins/{}", m.id), msg)
        },
        |s| render_list(&st, &u, s, q, Some(f.clone())),
    )
    .await
}
