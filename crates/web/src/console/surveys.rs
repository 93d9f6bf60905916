//! The manager's survey pages (满意度调查): the community's surveys with the half-year
//! reminder, the questionnaire builder (a plain form of numbered question slots, no script:
//! more slots appear after each save), and a survey's page — its builder while a draft, its
//! live analysis with SVG charts and the export buttons once published.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::registry;
use wuye_core::shared::ids::*;
use wuye_core::surveys::model::{
    Audience, QuestionForCreate, QuestionKind, SurveyForUpdate, SurveyState, Topic,
};
use wuye_core::surveys::{self, QuestionAnalysis, Survey, SurveyAnalysis};

use super::charts::{Bar, bars};
use super::flash::done;
use super::forms::{Opt, chosen_community, label};
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/surveys", get(list))
        .route("/surveys/new", get(new_page).post(create))
        .route("/surveys/{id}", get(detail).post(save))
        .route("/surveys/{id}/open", post(open))
        .route("/surveys/{id}/close", post(close))
        .route("/surveys/{id}/export.xlsx", get(export))
        .route("/surveys/{id}/report.pdf", get(report))
}

/// Blank question slots offered below the filled ones.
const BLANK_SLOTS: usize = 5;

pub(super) fn opts<T>(
    all: &'static [(T, &'static str, &'static str, &'static str)],
    l: Locale,
) -> Vec<Opt> {
    all.iter()
        .map(|(_, code, zh, en)| Opt {
            code: code.to_string(),
            label: if l == Locale::En { en } else { zh }.to_string(),
        })
        .collect()
}

pub struct Row {
    pub id: SurveyId,
    pub title: String,
    pub period: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub responses: i64,
}

#[derive(Template)]
#[template(path = "surveys/list.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rows: Vec<Row>,
    /// The reminder: (due, never surveyed, last opened as a date).
    due: bool,
    never: bool,
    last: String,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
}

/// The communities the user manages surveys in, as (id, name).
pub(super) async fn communities(
    st: &AppState,
    u: &ConsoleUser,
) -> Result<Vec<(i64, String)>, PageError> {
    Ok(registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect())
}

fn date_of(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&super::forms::default_zone())
        .format("%Y-%m-%d")
        .to_string()
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    u.ctx.require(wuye_core::Perm::SurveysManage).or_page(&u)?;
    let communities = communities(&st, &u).await?;
    let want = q.community.and_then(|c| c.trim().parse().ok());
    let Some(community) = chosen_community(&communities, want, u.community) else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let c = CommunityId(community);
    let list = surveys::list_surveys(&st.core, &u.ctx, c)
        .await
        .or_page(&u)?;
    let r = surveys::reminder(&st.core, &u.ctx, c).await.or_page(&u)?;
    let l = u.locale;
    let rows = list
        .into_iter()
        .map(|x| Row {
            id: x.id,
            title: x.title,
            period: format!("{} — {}", x.opens_on, x.closes_on),
            state: label(SurveyState::ALL, &x.state, l),
            state_code: x.state.code(),
            responses: x.responses,
        })
        .collect();
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community,
        rows,
        due: r.due,
        never: r.last_opened_at.is_none(),
        last: r.last_opened_at.map(date_of).unwrap_or_default(),
    }))
}

/// One question slot of the builder.
pub struct Slot {
    pub i: usize,
    pub kind: String,
    pub text: String,
    pub required: bool,
    pub options: String,
    pub topic: String,
    pub err: String,
}

#[derive(Template)]
#[template(path = "surveys/builder.html")]
struct BuilderPage {
    s: Shell,
    /// Where the form goes: `/surveys/new` or `/surveys/{id}`.
    action: String,
    survey: Option<SurveyId>,
    community: i64,
    community_name: String,
    f: SurveyForUpdate,
    buildings: Vec<(i64, String, bool)>,
    slots: Vec<Slot>,
    kinds: Vec<Opt>,
    topics: Vec<Opt>,
    audiences: Vec<Opt>,
}

/// The builder's form as posted: the survey's fields and the numbered question slots, blank
/// slots left out (their numbers close up, so the errors' `questions[i]` match the slots shown).
fn parse_builder(body: &str) -> (i64, SurveyForUpdate) {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    let get = |k: &str| {
        pairs
            .iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut f = SurveyForUpdate {
        title: get("title"),
        intro: Some(get("intro")),
        audience: get("audience"),
        building_ids: pairs
            .iter()
            .filter(|(n, _)| n == "building_ids")
            .filter_map(|(_, v)| v.parse().ok().map(BuildingId))
            .collect(),
        anonymous: !get("anonymous").is_empty(),
        opens_on: get("opens_on"),
        closes_on: get("closes_on"),
        questions: Vec::new(),
    };
    for i in 0..wuye_core::surveys::model::MAX_QUESTIONS + BLANK_SLOTS {
        let text = get(&format!("q{i}_text"));
        let options = get(&format!("q{i}_options"));
        if text.trim().is_empty() && options.trim().is_empty() {
            continue;
        }
        f.questions.push(QuestionForCreate {
            kind: get(&format!("q{i}_kind")),
            text,
            required: !get(&format!("q{i}_required")).is_empty(),
            options: options.lines().map(str::to_string).collect(),
            topic: Some(get(&format!("q{i}_topic"))),
        });
    }
    (get("community").trim().parse().unwrap_or(0), f)
}

fn form_of(s: &Survey) -> SurveyForUpdate {
    SurveyForUpdate {
        title: s.title.clone(),
        intro: s.intro.clone(),
        audience: s.audience.code().into(),
        building_ids: s.building_ids.clone(),
        anonymous: s.anonymous,
        opens_on: s.opens_on.clone(),
        closes_on: s.closes_on.clone(),
        questions: s
            .questions
            .iter()
            .map(|q| QuestionForCreate {
                kind: q.kind.code().into(),
                text: q.text.clone(),
                required: q.required,
                options: q.options.clone(),
                topic: Some(q.topic.code().into()),
            })
            .collect(),
    }
}

async fn render_builder(
    st: &AppState,
    u: &ConsoleUser,
    survey: Option<SurveyId>,
    community: i64,
    f: SurveyForUpdate,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let c = CommunityId(community);
    let name = communities(st, u)
        .await?
        .into_iter()
        .find(|x| x.0 == community)
        .map(|x| x.1)
        .ok_or_else(|| PageError::new(u, CoreError::NotFound("community")))?;
    let buildings = registry::list_buildings(&st.core, &u.ctx, c)
        .await
        .or_page(u)?
        .into_iter()
        .map(|b| (b.id.0, b.name, f.building_ids.contains(&b.id)))
        .collect();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut slots: Vec<Slot> = f
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| Slot {
            i,
            kind: q.kind.clone(),
            text: q.text.clone(),
            required: q.required,
            options: q.options.join("\n"),
            topic: q.topic.clone().unwrap_or_default(),
            err: ["text", "kind", "options", "topic"]
                .iter()
                .map(|k| s.ferr(&format!("questions[{i}].{k}")))
                .filter(|e| !e.is_empty())
                .collect::<Vec<_>>()
                .join("；"),
        })
        .collect();
    let n = slots.len();
    slots.extend((n..n + BLANK_SLOTS).map(|i| Slot {
        i,
        kind: QuestionKind::Score.code().into(),
        text: String::new(),
        required: true,
        options: String::new(),
        topic: Topic::Other.code().into(),
        err: String::new(),
    }));
    let mut r = page(&BuilderPage {
        s,
        action: survey.map_or("/surveys/new".into(), |id| format!("/surveys/{id}")),
        survey,
        community,
        community_name: name,
        f,
        buildings,
        slots,
        kinds: opts(QuestionKind::ALL, l),
        topics: opts(Topic::ALL, l),
        audiences: opts(Audience::ALL, l),
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> PageResult {
    u.ctx.require(wuye_core::Perm::SurveysManage).or_page(&u)?;
    let communities = communities(&st, &u).await?;
    let want = q.community.and_then(|c| c.trim().parse().ok());
    let Some(community) = chosen_community(&communities, want, u.community) else {
        return Err(PageError::new(&u, CoreError::NotFound("community")));
    };
    let today = chrono::Utc::now()
        .with_timezone(&super::forms::default_zone())
        .date_naive();
    let f = SurveyForUpdate {
        audience: Audience::Owners.code().into(),
        opens_on: today.to_string(),
        closes_on: (today + chrono::Duration::days(30)).to_string(),
        ..Default::default()
    };
    render_builder(&st, &u, None, community, f, None).await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (community, f) = parse_builder(&body);
    match surveys::create_survey(&st.core, &u.ctx, CommunityId(community), f.clone()).await {
        Ok(s) => Ok(done(
            &st,
            &u,
            &format!("/surveys/{}", s.id),
            u.locale.t("sv.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_builder(&st, &u, None, community, f, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let id = SurveyId(id);
    let (_, f) = parse_builder(&body);
    let cur = surveys::get_survey(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    match surveys::update_survey(&st.core, &u.ctx, id, f.clone()).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/surveys/{id}"),
            u.locale.t("sv.saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_builder(&st, &u, Some(id), cur.community_id.0, f, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

/// One question's figures as the page shows them.
pub struct QView {
    pub n: usize,
    pub text: String,
    pub kind: String,
    pub answered: i64,
    pub chart: String,
    pub mean: String,
    pub satisfaction: String,
    pub comments: Vec<String>,
}

#[derive(Template)]
#[template(path = "surveys/detail.html")]
struct DetailPage {
    s: Shell,
    a: SurveyAnalysis,
    state: &'static str,
    audience: &'static str,
    buildings: String,
    rate: String,
    index: String,
    mean: String,
    questions: Vec<QView>,
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{v:.1}%")).unwrap_or_else(|| "—".into())
}

fn qview(n: usize, q: &QuestionAnalysis, l: Locale) -> QView {
    let id = format!("chart-q{}", q.question_id);
    let none = l.t("sv.no_answers");
    let chart = match q.kind {
        QuestionKind::Single | QuestionKind::Multiple => {
            let items: Vec<Bar> = q
                .options
                .iter()
                .map(|o| {
                    Bar::new(
                        o.label.clone(),
                        o.count as f64,
                        format!("{}（{:.1}%）", o.count, o.share),
                    )
                })
                .collect();
            bars(&id, &q.text, &items, None, none)
        }
        QuestionKind::Score => {
            let items: Vec<Bar> = q
                .scores
                .unwrap_or_default()
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    Bar::new(
                        format!("{} {}", i + 1, l.t("sv.score")),
                        *c as f64,
                        c.to_string(),
                    )
                })
                .collect();
            bars(&id, &q.text, &items, None, none)
        }
        QuestionKind::Text => String::new(),
    };
    QView {
        n,
        text: q.text.clone(),
        kind: label(QuestionKind::ALL, &q.kind, l).to_string(),
        answered: q.answered,
        chart,
        mean: q.mean.map(|m| format!("{m:.2}")).unwrap_or_default(),
        satisfaction: q
            .satisfaction
            .map(|v| format!("{v:.1}%"))
            .unwrap_or_default(),
        comments: q.comments.clone(),
    }
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let id = SurveyId(id);
    let sv = surveys::get_survey(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    if sv.state == SurveyState::Draft {
        let c = sv.community_id.0;
        return render_builder(&st, &u, Some(id), c, form_of(&sv), None).await;
    }
    let a = surveys::analysis(&st.core, &u.ctx, id).await.or_page(&u)?;
    let l = u.locale;
    let names: Vec<String> = if a.survey.building_ids.is_empty() {
        vec![l.t("sv.whole").to_string()]
    } else {
        registry::list_buildings(&st.core, &u.ctx, a.survey.community_id)
            .await
            .or_page(&u)?
            .into_iter()
            .filter(|b| a.survey.building_ids.contains(&b.id))
            .map(|b| b.name)
            .collect()
    };
    Ok(page(&DetailPage {
        s: Shell::of(&u),
        state: label(SurveyState::ALL, &a.survey.state, l),
        audience: label(Audience::ALL, &a.survey.audience, l),
        buildings: names.join("、"),
        rate: pct(a.response_rate),
        index: pct(a.satisfaction_index),
        mean: a
            .mean_score
            .map(|m| format!("{m:.2}"))
            .unwrap_or_else(|| "—".into()),
        questions: a
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| qview(i + 1, q, l))
            .collect(),
        a,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn open(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = surveys::open_survey(&st.core, &u.ctx, SurveyId(id)).await;
    said(&st, &u, id, r, "sv.opened")
}

async fn close(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = surveys::close_survey(&st.core, &u.ctx, SurveyId(id)).await;
    said(&st, &u, id, r, "sv.closed")
}

/// Back to the survey's page saying what publishing or closing did, or why it did nothing.
fn said(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    r: Result<Survey, CoreError>,
    key: &str,
) -> PageResult {
    let to = format!("/surveys/{id}");
    match r {
        Ok(_) => Ok(done(st, u, &to, u.locale.t(key))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let msg = describe(&e, u.locale).3;
            Ok(super::flash::refused(st, u, &to, msg))
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    let bytes = surveys::export_xlsx(&st.core, &u.ctx, SurveyId(id))
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(
        bytes,
        &format!("survey-{id}.xlsx"),
    ))
}

async fn report(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> Result<Response, PageError> {
    let bytes = surveys::report_pdf(&st.core, &u.ctx, SurveyId(id))
        .await
        .or_page(&u)?;
    Ok(crate::api::billing::pdf(bytes, &format!("survey-{id}.pdf")).into_response())
}

/// The home page's reminder: the communities (names) whose last survey is over six months old.
pub(super) async fn due_communities(st: &AppState, u: &ConsoleUser) -> Vec<(i64, String)> {
    if !u.ctx.has(wuye_core::Perm::SurveysManage) {
        return Vec::new();
    }
    let Ok(list) = communities(st, u).await else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (id, name) in list {
        if let Ok(r) = surveys::reminder(&st.core, &u.ctx, CommunityId(id)).await
            && r.due
        {
            out.push((id, name));
        }
    }
    out
}
