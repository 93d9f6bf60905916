//! What an owner does with surveys in the portal: the surveys that ask him, one of them with his
//! answer so far, and his answer sheet — one per person, replaced whole while the survey is
//! open; its comments and low scores go to the opinion library in the same transaction.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::SurveyCode;
use super::super::model::{
    self, AnswerForSubmit, AskedQuestion, Audience, QuestionKind, SurveyState,
};
use super::super::store;
use super::super::store::answers::NewAnswer;
use super::super::store::opinions::NewOpinion;
use super::{Survey, survey_of, tz_of};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// A survey as the owner sees it, with his answer so far.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MySurvey {
    pub survey: Survey,
    /// Whether he may answer (or change his answer) now.
    pub answerable: bool,
    /// When he last answered (none: not yet).
    pub answered_at: Option<DateTime<Utc>>,
    /// His answers, by question.
    pub answers: Vec<AnswerForSubmit>,
}

/// An answer sheet.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ResponseForSubmit {
    /// One per question answered; a required question left out is refused, naming it
    /// (field `q<question id>`).
    pub answers: Vec<AnswerForSubmit>,
}

/// Where the portal user lives: community, and (building, relation) of each of his units.
struct Home {
    community: CommunityId,
    name: String,
    links: Vec<(BuildingId, String)>,
}

async fn home(core: &Core, ctx: &Ctx) -> CoreResult<Home> {
    let rows = crate::portal::store::homes_of(&core.db, ctx.user_id).await?;
    let Some(first) = rows.first() else {
        return Err(CoreError::Forbidden);
    };
    let community = first.0;
    let name = first.3.clone();
    Ok(Home {
        community,
        name,
        links: rows
            .into_iter()
            .filter(|r| r.0 == community)
            .map(|r| (r.1, r.2))
            .collect(),
    })
}

/// Whether the survey asks someone living in these units.
fn asks(s: &Survey, links: &[(BuildingId, String)]) -> bool {
    links.iter().any(|(b, rel)| {
        (s.audience == Audience::Residents || rel == "owner")
            && (s.building_ids.is_empty() || s.building_ids.contains(b))
    })
}

fn answerable(s: &Survey, now: DateTime<Utc>) -> bool {
    s.state == SurveyState::Open && s.opens_at <= now && now < s.closes_at
}

/// The surveys open to the owner (and those closed that he answered), newest first.
pub async fn my_surveys(core: &Core, ctx: &Ctx) -> CoreResult<Vec<MySurvey>> {
    let h = home(core, ctx).await?;
    let tz = tz_of(core, ctx, h.community).await?;
    let answered = store::answers::answered(&core.db, h.community, ctx.user_id).await?;
    let now = Utc::now();
    let mut out = Vec::new();
    for r in store::surveys::list(&core.db, h.community, None).await? {
        if r.state == SurveyState::Draft.code() {
            continue;
        }
        let s = survey_of(r, Vec::new(), tz)?;
        let mine = answered.iter().find(|a| a.0 == s.id).map(|a| a.1);
        if !asks(&s, &h.links) || (!answerable(&s, now) && mine.is_none()) {
            continue;
        }
        out.push(MySurvey {
            answerable: answerable(&s, now),
            answered_at: mine,
            answers: Vec::new(),
            survey: s,
        });
    }
    Ok(out)
}

/// A survey that asks the portal user (another community's, or a draft: not found).
async fn asked(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<(Home, Survey)> {
    let h = home(core, ctx).await?;
    let r = store::surveys::get(&mut core.db.read(), id)
        .await?
        .filter(|r| r.community_id == h.community && r.state != SurveyState::Draft.code())
        .ok_or(CoreError::NotFound("survey"))?;
    let qs = store::surveys::questions(&mut core.db.read(), h.community, id).await?;
    let tz = tz_of(core, ctx, h.community).await?;
    let s = survey_of(r, qs, tz)?;
    if !asks(&s, &h.links) {
        return Err(CoreError::invalid("survey_id", SurveyCode::NotTargeted));
    }
    Ok((h, s))
}

/// One survey with the owner's answer so far.
pub async fn my_survey(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<MySurvey> {
    let (h, s) = asked(core, ctx, id).await?;
    let mine = store::answers::response_of(&core.db, h.community, id, ctx.user_id).await?;
    let mut answers: Vec<AnswerForSubmit> = Vec::new();
    if let Some((response, _)) = mine {
        let mut by_q: HashMap<QuestionId, AnswerForSubmit> = HashMap::new();
        for (q, value, text) in store::answers::answers_of(&core.db, h.community, response).await? {
            let kind = s.questions.iter().find(|x| x.id == q).map(|x| x.kind);
            let a = by_q.entry(q).or_insert_with(|| AnswerForSubmit {
                question_id: q.0,
                ..Default::default()
            });
            match (kind, value) {
                (Some(QuestionKind::Score), Some(v)) => a.score = Some(v),
                (_, Some(v)) => a.choices.push(v),
                (_, None) => a.text = text,
            }
        }
        answers = s
            .questions
            .iter()
            .filter_map(|q| by_q.remove(&q.id))
            .collect();
    }
    Ok(MySurvey {
        answerable: answerable(&s, Utc::now()),
        answered_at: mine.map(|m| m.1),
        answers,
        survey: s,
    })
}

/// The owner answers (or changes his answer): one response per person, whatever the number
/// of submissions, even two at once.
pub async fn submit(
    core: &Core,
    ctx: &Ctx,
    id: SurveyId,
    input: ResponseForSubmit,
) -> CoreResult<MySurvey> {
    let (h, s) = asked(core, ctx, id).await?;
    let now = Utc::now();
    if s.state == SurveyState::Closed || now >= s.closes_at {
        return Err(CoreError::invalid("survey_id", SurveyCode::SurveyClosed));
    }
    if now < s.opens_at {
        return Err(CoreError::invalid("survey_id", SurveyCode::NotYetOpen));
    }
    let questions = asked_questions(&s);
    let answers = model::check_answers(&questions, &input.answers).map_err(CoreError::Invalid)?;
    let rows = new_answers(&answers);
    let opinions: Vec<NewOpinion> = model::opinions_in(&questions, &answers)
        .into_iter()
        .filter_map(|(qid, source, score)| {
            let q = s.questions.iter().find(|x| x.id.0 == qid)?;
            let body = match score {
                Some(sc) => format!("{}：{sc} 分", q.text),
                None => answers
                    .iter()
                    .find(|a| a.question_id == qid)?
                    .text
                    .clone()?,
            };
            Some(NewOpinion {
                community: h.community,
                source: source.code(),
                topic: q.topic.code(),
                body,
                survey: Some(s.id),
                question: Some(q.id),
                response: None,
                score,
                request: None,
                user: Some(ctx.user_id),
                person_name: (!s.anonymous).then(|| h.name.clone()),
                at: now,
            })
        })
        .collect();
    let mut tx = core.db.begin().await?;
    let response =
        store::answers::upsert_response(&mut tx, h.community, id, ctx.user_id, now).await?;
    // The running counts: the old sheet's taken back, the new one's added.
    let old: Vec<NewAnswer> = store::answers::answers_in(&mut tx, h.community, response)
        .await?
        .into_iter()
        .map(|(question, value)| NewAnswer {
            question,
            value,
            text: None,
        })
        .collect();
    let mut deltas: std::collections::BTreeMap<(QuestionId, i64), i64> = Default::default();
    for k in store::answers::tally_keys(&old) {
        *deltas.entry(k).or_default() -= 1;
    }
    for k in store::answers::tally_keys(&rows) {
        *deltas.entry(k).or_default() += 1;
    }
    let deltas: Vec<(QuestionId, i64, i64)> =
        deltas.into_iter().map(|((q, v), n)| (q, v, n)).collect();
    store::answers::tally(&mut tx, h.community, id, &deltas).await?;
    store::answers::replace_answers(&mut tx, h.community, id, response, &rows).await?;
    store::opinions::delete_pending_of_response(&mut tx, h.community, response).await?;
    let opinions: Vec<NewOpinion> = opinions
        .into_iter()
        .map(|o| NewOpinion {
            response: Some(response),
            ..o
        })
        .collect();
    store::opinions::insert(&mut tx, &opinions).await?;
    tx.commit().await?;
    my_survey(core, ctx, id).await
}

/// Many answer sheets at once, each checked as [`submit`] checks one (the benchmark grows a
/// survey to its size this way): for a staff member who manages the survey; the people are
/// portal account ids. No opinion is written: the library takes what owners submit.
pub async fn bulk_responses(
    core: &Core,
    ctx: &Ctx,
    id: SurveyId,
    sheets: &[(UserId, Vec<AnswerForSubmit>)],
) -> CoreResult<usize> {
    let s = super::get_survey(core, ctx, id).await?;
    if s.state != SurveyState::Open {
        return Err(CoreError::invalid("survey_id", SurveyCode::NotOpen));
    }
    let questions = asked_questions(&s);
    let mut rows = Vec::with_capacity(sheets.len());
    for (user, answers) in sheets {
        let checked = model::check_answers(&questions, answers).map_err(CoreError::Invalid)?;
        rows.push((*user, new_answers(&checked)));
    }
    let mut tx = core.db.begin().await?;
    let n = store::answers::bulk_insert(&mut tx, s.community_id, id, &rows, Utc::now()).await?;
    tx.commit().await?;
    Ok(n)
}

/// The questions as the answer sheet's check sees them.
fn asked_questions(s: &Survey) -> Vec<AskedQuestion> {
    s.questions
        .iter()
        .map(|q| AskedQuestion {
            id: q.id.0,
            kind: q.kind,
            text: q.text.clone(),
            required: q.required,
            options_count: q.options.len(),
        })
        .collect()
}

fn new_answers(answers: &[model::Answer]) -> Vec<NewAnswer> {
    answers
        .iter()
        .flat_map(|a| {
            let q = QuestionId(a.question_id);
            let values = a.values.iter().map(move |v| NewAnswer {
                question: q,
                value: Some(*v),
                text: None,
            });
            let text = a.text.clone().map(|t| NewAnswer {
                question: q,
                value: None,
                text: Some(t),
            });
            values.chain(text)
        })
        .collect()
}
