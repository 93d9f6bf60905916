//! The owner's survey pages in the portal, made for a phone: the surveys that ask him, and the
//! answer sheet — radio buttons, check boxes and a text box in one plain form (no script), sent
//! again to change the answer until the survey closes. A refused sheet comes back with what he
//! chose and the message beside the question.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use wuye_core::CoreError;
use wuye_core::shared::ids::*;
use wuye_core::surveys::model::{AnswerForSubmit, QuestionKind};
use wuye_core::surveys::{self, MySurvey, ResponseForSubmit};

use super::flash::done;
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal/surveys", get(list))
        .route("/portal/surveys/{id}", get(form).post(submit))
}

fn local(t: chrono::DateTime<chrono::Utc>) -> String {
    t.with_timezone(&super::forms::default_zone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[derive(Template)]
#[template(path = "portal/surveys.html")]
struct ListPage {
    s: Shell,
    rows: Vec<MySurvey>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let rows = surveys::my_surveys(&st.core, &u.ctx).await.or_page(&u)?;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        rows,
    }))
}

/// One question of the sheet, with what is chosen.
pub struct Item {
    pub id: i64,
    pub kind: &'static str,
    pub text: String,
    pub required: bool,
    /// (value, label, chosen): the options of a choice, or the scores 1–5.
    pub choices: Vec<(i64, String, bool)>,
    pub text_value: String,
    pub err: String,
}

#[derive(Template)]
#[template(path = "portal/survey.html")]
struct FormPage {
    s: Shell,
    m: MySurvey,
    /// "You answered on …" (empty: not yet).
    answered_at: String,
    items: Vec<Item>,
}

fn render(
    u: &ConsoleUser,
    m: MySurvey,
    given: &[AnswerForSubmit],
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let items = m
        .survey
        .questions
        .iter()
        .map(|q| {
            let a = given.iter().find(|a| a.question_id == q.id.0);
            let choices = match q.kind {
                QuestionKind::Score => (1..=5)
                    .map(|v| (v, v.to_string(), a.and_then(|a| a.score) == Some(v)))
                    .collect(),
                QuestionKind::Text => Vec::new(),
                _ => q
                    .options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| {
                        let i = i as i64;
                        (i, o.clone(), a.is_some_and(|a| a.choices.contains(&i)))
                    })
                    .collect(),
            };
            Item {
                id: q.id.0,
                kind: q.kind.code(),
                text: q.text.clone(),
                required: q.required,
                choices,
                text_value: a.and_then(|a| a.text.clone()).unwrap_or_default(),
                err: s.ferr(&format!("q{}", q.id)),
            }
        })
        .collect();
    let mut r = page(&FormPage {
        answered_at: m
            .answered_at
            .map(|t| l.tf("sv.you_answered", &[("at", local(t))]))
            .unwrap_or_default(),
        s,
        items,
        m,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn form(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let m = surveys::my_survey(&st.core, &u.ctx, SurveyId(id))
        .await
        .or_page(&u)?;
    let given = m.answers.clone();
    render(&u, m, &given, None)
}

/// The sheet as posted: `q<id>` once per chosen option, the score, or the text.
fn parse(body: &str, m: &MySurvey) -> Vec<AnswerForSubmit> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(body).unwrap_or_default();
    m.survey
        .questions
        .iter()
        .filter_map(|q| {
            let key = format!("q{}", q.id);
            let values: Vec<&str> = pairs
                .iter()
                .filter(|(k, _)| *k == key)
                .map(|(_, v)| v.as_str())
                .collect();
            if values.is_empty() {
                return None;
            }
            let mut a = AnswerForSubmit {
                question_id: q.id.0,
                ..Default::default()
            };
            match q.kind {
                // An unreadable score stays out of range, so it is refused by name.
                QuestionKind::Score => a.score = values[0].trim().parse().ok().or(Some(0)),
                QuestionKind::Text => a.text = Some(values.join("\n")),
                _ => {
                    a.choices = values
                        .iter()
                        .map(|v| v.trim().parse().unwrap_or(-1))
                        .collect()
                }
            }
            Some(a)
        })
        .collect()
}

async fn submit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let id = SurveyId(id);
    let m = surveys::my_survey(&st.core, &u.ctx, id).await.or_page(&u)?;
    let answers = parse(&body, &m);
    let input = ResponseForSubmit {
        answers: answers.clone(),
    };
    match surveys::submit(&st.core, &u.ctx, id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/portal/surveys/{id}"),
            u.locale.t("sv.submitted"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&u, m, &answers, Some(e))
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
