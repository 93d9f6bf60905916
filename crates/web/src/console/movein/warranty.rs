//! The community's 保修要求处理表 — the warranty items of every hand-over, by contractor and state,
//! open and due first, each linking to its hand-over — and the owner's own hand-over in the
//! portal, where he answers the survey once.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::movein::model::{SURVEY_QUESTIONS, WarrantyState};
use wuye_core::movein::{self, MoveIn, MoveInSurvey, WarrantyFilter, WarrantyItem};
use wuye_core::shared::ids::*;

use super::super::duty::community_of;
use super::super::flash::done;
use super::super::forms::{Opt, label, opts, pick};
use super::super::{Id, OrPage, PageError, PageResult, Shell, form_outcome, page};
use super::one::scores;
use super::{Row, row, some};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/warranty-items", get(list))
        .route("/portal/move-ins", get(mine))
        .route("/portal/move-ins/{id}/survey", post(rate_mine))
}

#[derive(Template)]
#[template(path = "movein/warranty.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    q: ListQ,
    states: Vec<Opt>,
    items: Vec<WarrantyItem>,
}

impl ListPage {
    fn state(&self, w: &WarrantyState) -> &'static str {
        label(WarrantyState::ALL, w, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    contractor: String,
    state: String,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = WarrantyFilter {
        contractor: some(&q.contractor),
        state: some(&q.state),
    };
    let items = match movein::list_warranty(&st.core, &u.ctx, CommunityId(c), f).await {
        Ok(v) => v,
        Err(CoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(&u, e)),
    };
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community: c,
        states: opts(WarrantyState::ALL, u.locale),
        q,
        items,
    }))
}

#[derive(Template)]
#[template(path = "portal/move_ins.html")]
struct MinePage {
    s: Shell,
    rows: Vec<(Row, MoveIn)>,
    questions: Vec<&'static str>,
}

async fn render_mine(st: &AppState, u: &ConsoleUser, s: Shell) -> PageResult {
    let rows = movein::my_move_ins(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .map(|m| (row(&m, u.locale), m))
        .collect();
    Ok(page(&MinePage {
        s,
        rows,
        questions: SURVEY_QUESTIONS
            .iter()
            .map(|(zh, en)| pick(u.locale, zh, en))
            .collect(),
    }))
}

async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render_mine(&st, &u, Shell::of(&u)).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SurveyForm {
    q0: String,
    q1: String,
    q2: String,
    q3: String,
    q4: String,
    comment: String,
}

async fn rate_mine(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SurveyForm>,
) -> PageResult {
    let input = MoveInSurvey {
        scores: scores([&f.q0, &f.q1, &f.q2, &f.q3, &f.q4]),
        comment: some(&f.comment),
    };
    let r = movein::rate_my_move_in(&st.core, &u.ctx, MoveInId(id), input).await;
    form_outcome(
        &u,
        r,
        |_| done(&st, &u, "/portal/move-ins", u.locale.t("mi.survey_thanks")),
        |s| render_mine(&st, &u, s),
    )
    .await
}
