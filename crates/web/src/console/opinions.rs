//! The opinion library's pages (意见征集库): the list with its filters (community, state,
//! topic, source, words, period), and an opinion's page where the manager re-tags it, sets its
//! follow-up state and replies to the person.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::shared::ids::*;
use wuye_core::surveys::model::{OpinionSource, OpinionState, Topic};
use wuye_core::surveys::{self, Opinion, OpinionFilter, OpinionForUpdate, OpinionReply};

use super::flash::done;
use super::forms::{Opt, chosen_community, label};
use super::surveys::{communities, opts};
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/opinions", get(list))
        .route("/opinions/{id}", get(detail).post(update))
        .route("/opinions/{id}/reply", post(reply))
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&super::forms::default_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

pub struct Row {
    pub id: OpinionId,
    pub at: String,
    pub source: &'static str,
    pub topic: &'static str,
    pub state: &'static str,
    pub state_code: &'static str,
    pub body: String,
    pub person: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: String,
    state: String,
    topic: String,
    source: String,
    q: String,
    from: String,
    to: String,
    survey_id: String,
}

#[derive(Template)]
#[template(path = "surveys/opinions.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    f: ListQ,
    states: Vec<Opt>,
    topics: Vec<Opt>,
    sources: Vec<Opt>,
    rows: Vec<Row>,
}

fn row(o: &Opinion, l: crate::locale::Locale) -> Row {
    Row {
        id: o.id,
        at: local(o.created_at),
        source: label(OpinionSource::ALL, &o.source, l),
        topic: label(Topic::ALL, &o.topic, l),
        state: label(OpinionState::ALL, &o.state, l),
        state_code: o.state.code(),
        body: o.body.clone(),
        person: o
            .person_name
            .clone()
            .unwrap_or_else(|| l.t("sv.op.anonymous").to_string()),
    }
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    u.ctx.require(wuye_core::Perm::SurveysManage).or_page(&u)?;
    let l = u.locale;
    let communities = communities(&st, &u).await?;
    let want = q.community.trim().parse().ok();
    let Some(community) = chosen_community(&communities, want, u.community) else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let f = OpinionFilter {
        community_id: Some(CommunityId(community)),
        state: Some(q.state.clone()),
        topic: Some(q.topic.clone()),
        source: Some(q.source.clone()),
        q: Some(q.q.clone()),
        from: Some(q.from.clone()),
        to: Some(q.to.clone()),
        survey_id: q.survey_id.trim().parse().ok().map(SurveyId),
    };
    let (rows, s) = match surveys::list_opinions(&st.core, &u.ctx, &f).await {
        Ok(list) => (list.iter().map(|o| row(o, l)).collect(), Shell::of(&u)),
        Err(e @ CoreError::Invalid(_)) => (Vec::new(), Shell::of(&u).with_error(&e)),
        Err(e) => return Err(PageError::new(&u, e)),
    };
    Ok(page(&ListPage {
        s,
        communities,
        community,
        f: q,
        states: opts(OpinionState::ALL, l),
        topics: opts(Topic::ALL, l),
        sources: opts(OpinionSource::ALL, l),
        rows,
    }))
}

#[derive(Template)]
#[template(path = "surveys/opinion.html")]
struct DetailPage {
    s: Shell,
    o: Opinion,
    r: Row,
    states: Vec<Opt>,
    topics: Vec<Opt>,
    reply: String,
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: OpinionId,
    reply: String,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let o = surveys::get_opinion(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut resp = page(&DetailPage {
        s,
        r: row(&o, l),
        o,
        states: opts(OpinionState::ALL, l),
        topics: opts(Topic::ALL, l),
        reply,
    });
    *resp.status_mut() = status;
    Ok(resp)
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_detail(&st, &u, OpinionId(id), String::new(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct UpdateForm {
    topic: String,
    state: String,
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<UpdateForm>,
) -> PageResult {
    let input = OpinionForUpdate {
        topic: Some(f.topic),
        state: Some(f.state),
    };
    match surveys::update_opinion(&st.core, &u.ctx, OpinionId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/opinions/{id}"),
            u.locale.t("sv.op.updated"),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            render_detail(&st, &u, OpinionId(id), String::new(), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReplyForm {
    reply: String,
}

async fn reply(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReplyForm>,
) -> PageResult {
    let input = OpinionReply {
        reply: f.reply.clone(),
    };
    match surveys::reply_opinion(&st.core, &u.ctx, OpinionId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/opinions/{id}"),
            u.locale.t("sv.op.replied"),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            render_detail(&st, &u, OpinionId(id), f.reply, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
