//! The opinion library (意见征集库): every opinion in one list — survey comments and low
//! scores (written with the answer), complaints and suggestions (written with the request, see
//! [`from_request`]) — searchable by text, topic, state, source and period; a manager re-tags
//! its topic, sets its follow-up state, and replies to the person through notifications.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::error::SurveyCode;
use super::super::model::{OpinionSource, OpinionState, Topic};
use super::super::store;
use super::super::store::opinions::{Filter, NewOpinion, OpinionRow};
use crate::audit::{self, Action, Entry};
use crate::db::Writes;
use crate::notify::{InApp, Note, model::Event};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Opinion {
    pub id: OpinionId,
    pub community_id: CommunityId,
    pub source: OpinionSource,
    pub topic: Topic,
    pub state: OpinionState,
    pub body: String,
    pub survey_id: Option<SurveyId>,
    pub survey_title: Option<String>,
    pub question_id: Option<QuestionId>,
    pub score: Option<i64>,
    /// The complaint or suggestion it came from.
    pub request_id: Option<RequestId>,
    /// Who said it (none for an anonymous survey's answer, or when unknown).
    pub person_name: Option<String>,
    /// Whether a reply reaches the person (he has a portal account).
    pub can_reply: bool,
    pub reply: Option<String>,
    pub replied_at: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn opinion_of(r: OpinionRow) -> CoreResult<Opinion> {
    Ok(Opinion {
        id: r.id,
        community_id: r.community_id,
        source: OpinionSource::from_stored(&r.source)?,
        topic: Topic::from_stored(&r.topic)?,
        state: OpinionState::from_stored(&r.state)?,
        body: r.body,
        survey_id: r.survey_id,
        survey_title: r.survey_title,
        question_id: r.question_id,
        score: r.score,
        request_id: r.request_id,
        person_name: if r.anonymous { None } else { r.person_name },
        can_reply: r.user_id.is_some(),
        reply: r.reply,
        replied_at: r.replied_at,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// What the library is filtered by.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OpinionFilter {
    /// The community (none: every community the caller reaches).
    pub community_id: Option<CommunityId>,
    /// `pending` (待处理), `adopted` (已采纳), `replied` (已答复) or `rejected` (不采纳).
    pub state: Option<String>,
    /// `environment`, `security`, `engineering`, `service`, `fees`, `greening` or `other`.
    pub topic: Option<String>,
    /// `survey_comment`, `survey_low_score`, `complaint` or `suggestion`.
    pub source: Option<String>,
    /// Words in the opinion or its reply.
    pub q: Option<String>,
    /// From this day (`YYYY-MM-DD`, UTC) …
    pub from: Option<String>,
    /// … to this day, included.
    pub to: Option<String>,
    /// Only those of one survey.
    pub survey_id: Option<SurveyId>,
}

fn day(field: &str, raw: Option<&str>) -> Result<Option<NaiveDate>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .map(Some)
            .map_err(|_| FieldError::new(field, CommonCode::InvalidDate)),
    }
}

fn nonempty(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// The opinions matching the filter, newest first (at most 500).
pub async fn list_opinions(core: &Core, ctx: &Ctx, f: &OpinionFilter) -> CoreResult<Vec<Opinion>> {
    ctx.require(Perm::SurveysManage)?;
    let communities: Vec<CommunityId> = match f.community_id {
        Some(c) => {
            ctx.require_in(Perm::SurveysManage, c)?;
            vec![c]
        }
        None => match ctx.community_ids() {
            Some(list) => list,
            None => {
                crate::registry::store::communities::ids_of_company(&core.db, ctx.company_id)
                    .await?
            }
        },
    };
    let mut checks = Checks::new();
    let state = nonempty(&f.state).and_then(|s| checks.take(OpinionState::parse("state", s)));
    let topic = nonempty(&f.topic).and_then(|s| checks.take(Topic::parse("topic", s)));
    let source = nonempty(&f.source).and_then(|s| checks.take(OpinionSource::parse("source", s)));
    let from = checks.take(day("from", f.from.as_deref())).flatten();
    let to = checks.take(day("to", f.to.as_deref())).flatten();
    checks.finish()?;
    let at = |d: NaiveDate| d.and_hms_opt(0, 0, 0).map(|t| t.and_utc());
    let rows = store::opinions::list(
        &core.db,
        &Filter {
            communities: &communities,
            state: state.map(|s| s.code()),
            topic: topic.map(|t| t.code()),
            source: source.map(|s| s.code()),
            text: nonempty(&f.q),
            from: from.and_then(at),
            until: to.map(|d| d + Duration::days(1)).and_then(at),
            survey: f.survey_id,
        },
    )
    .await?;
    rows.into_iter().map(opinion_of).collect()
}

async fn managed(core: &Core, ctx: &Ctx, id: OpinionId) -> CoreResult<OpinionRow> {
    let r = store::opinions::get(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("opinion"))?;
    ctx.require(Perm::SurveysManage)?;
    Ok(r)
}

pub async fn get_opinion(core: &Core, ctx: &Ctx, id: OpinionId) -> CoreResult<Opinion> {
    opinion_of(managed(core, ctx, id).await?)
}

/// A change of an opinion's topic or follow-up state.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct OpinionForUpdate {
    pub topic: Option<String>,
    pub state: Option<String>,
}

pub async fn update_opinion(
    core: &Core,
    ctx: &Ctx,
    id: OpinionId,
    input: OpinionForUpdate,
) -> CoreResult<Opinion> {
    let r = managed(core, ctx, id).await?;
    let mut checks = Checks::new();
    let topic = match nonempty(&input.topic) {
        Some(t) => checks.take(Topic::parse("topic", t)).map(|t| t.code()),
        None => Some(Topic::from_stored(&r.topic)?.code()),
    };
    let state = match nonempty(&input.state) {
        Some(s) => checks
            .take(OpinionState::parse("state", s))
            .map(|s| s.code()),
        None => Some(OpinionState::from_stored(&r.state)?.code()),
    };
    checks.finish()?;
    let (Some(topic), Some(state)) = (topic, state) else {
        return Err(CoreError::internal("checked opinion"));
    };
    let mut tx = core.db.begin().await?;
    store::opinions::update(
        &mut tx,
        r.community_id,
        id,
        topic,
        state,
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "opinion", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "topic": r.topic, "state": r.state }))
            .after(&serde_json::json!({ "topic": topic, "state": state })),
    )
    .await?;
    tx.commit().await?;
    get_opinion(core, ctx, id).await
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct OpinionReply {
    pub reply: String,
}

/// Replies to the person who gave the opinion: his inbox gets it (`opinion_replied`, and his
/// outside channels as he chose), the opinion is 已答复.
pub async fn reply_opinion(
    core: &Core,
    ctx: &Ctx,
    id: OpinionId,
    input: OpinionReply,
) -> CoreResult<Opinion> {
    let r = managed(core, ctx, id).await?;
    let text = input.reply.trim();
    if text.is_empty() {
        return Err(CoreError::invalid("reply", SurveyCode::ReplyRequired));
    }
    if text.chars().count() > 1000 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("reply", CommonCode::TooLong).with("max", 1000),
        ]));
    }
    let Some(user) = r.user_id else {
        return Err(CoreError::invalid("reply", SurveyCode::NoOneToReply));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    store::opinions::reply(&mut tx, r.community_id, id, text, ctx.actor(), now).await?;
    let summary: String = r.body.chars().take(30).collect();
    let note = Note {
        community: r.community_id,
        event: Event::OpinionReplied,
        params: vec![
            ("opinion".into(), summary),
            ("reply".into(), text.to_string()),
        ],
        request: None,
        link: Some("/portal/surveys".into()),
    };
    crate::notify::enqueue(&core.channels, &mut tx, &note, &[user], InApp::Write, now).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "opinion", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": r.state }))
            .after(&serde_json::json!({ "state": "replied", "reply": text })),
    )
    .await?;
    tx.commit().await?;
    get_opinion(core, ctx, id).await
}

/// What a complaint or suggestion brings to the library, written by tickets with the request.
pub struct RequestOpinion<'a> {
    pub community: CommunityId,
    pub request: RequestId,
    /// A complaint (else a suggestion).
    pub complaint: bool,
    pub category: &'a str,
    pub description: &'a str,
    /// The reporter's portal account (the reply reaches him) and name, when known.
    pub user: Option<UserId>,
    pub person_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// Writes the opinions of newly registered complaints and suggestions, in the registration's
/// own transaction (tickets calls it; a request of another kind brings none).
pub async fn from_request(tx: &mut impl Writes, rows: &[RequestOpinion<'_>]) -> CoreResult<()> {
    let rows: Vec<NewOpinion> = rows
        .iter()
        .map(|r| NewOpinion {
            community: r.community,
            source: if r.complaint {
                OpinionSource::Complaint.code()
            } else {
                OpinionSource::Suggestion.code()
            },
            topic: Topic::of_category(r.category).code(),
            body: r.description.to_string(),
            survey: None,
            question: None,
            response: None,
            score: None,
            request: Some(r.request),
            user: r.user,
            person_name: r.person_name.clone(),
            at: r.at,
        })
        .collect();
    store::opinions::insert(tx, &rows).await
}
