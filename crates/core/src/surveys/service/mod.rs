//! The use cases of surveys: a manager builds a questionnaire as a draft, edits it, opens it
//! (its targeted owners hear of it through notifications, in the same transaction) and closes
//! it; the community is reminded when its last survey is over six months old. Answering is in
//! [`answer`], the figures and their exports in [`analysis`], the opinion library in
//! [`opinions`].

use chrono::{DateTime, Duration, NaiveTime, Utc};
use chrono_tz::Tz;
use serde::Serialize;
use utoipa::ToSchema;

use super::error::SurveyCode;
use super::model::{
    self, Audience, QuestionKind, Questionnaire, SurveyForUpdate, SurveyState, Topic,
};
use super::store;
use super::store::surveys::{NewQuestion, QuestionRow, SurveyFields, SurveyRow};
use crate::audit::{self, Action, Entry};
use crate::notify::{InApp, Note, model::Event};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

pub mod analysis;
pub mod answer;
pub mod opinions;

/// A survey with its questions.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Survey {
    pub id: SurveyId,
    pub community_id: CommunityId,
    pub title: String,
    pub intro: Option<String>,
    pub audience: Audience,
    /// The buildings asked; empty: the whole community.
    pub building_ids: Vec<BuildingId>,
    /// Answers are not shown with who gave them (analysis, export, opinion library).
    pub anonymous: bool,
    /// The period as dates of the community's day (`YYYY-MM-DD`), both included.
    pub opens_on: String,
    pub closes_on: String,
    /// The same period as instants: answers from `opens_at`, until before `closes_at`.
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
    pub state: SurveyState,
    /// How many have answered.
    pub responses: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub opened_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    /// In their order (empty in lists).
    pub questions: Vec<SurveyQuestion>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyQuestion {
    pub id: QuestionId,
    pub kind: QuestionKind,
    pub text: String,
    pub required: bool,
    /// The choices, in order (their index from 0 is what an answer sends).
    pub options: Vec<String>,
    pub topic: Topic,
}

/// Whether a community is due for a survey (the last opened over six months ago, or none).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SurveyReminder {
    pub community_id: CommunityId,
    pub due: bool,
    /// When its latest survey opened.
    pub last_opened_at: Option<DateTime<Utc>>,
}

/// The community's time zone (its period's dates are its days).
pub(crate) async fn tz_of(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Tz> {
    let tz = crate::registry::store::for_tickets::community_timezone(
        &mut core.db.read(),
        community,
        ctx.company_id,
    )
    .await?
    .ok_or(CoreError::NotFound("community"))?;
    Ok(crate::shared::calendar::zone(&tz))
}

fn start_of(tz: Tz, day: chrono::NaiveDate) -> DateTime<Utc> {
    crate::shared::calendar::local_to_utc(tz, day, NaiveTime::MIN)
}

fn decode_buildings(raw: Option<&str>) -> Vec<BuildingId> {
    raw.unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

pub(crate) fn survey_of(r: SurveyRow, qs: Vec<QuestionRow>, tz: Tz) -> CoreResult<Survey> {
    let questions = qs
        .into_iter()
        .map(|q| {
            Ok(SurveyQuestion {
                id: q.id,
                kind: QuestionKind::from_stored(&q.kind)?,
                text: q.text,
                required: q.required,
                options: q
                    .options
                    .as_deref()
                    .map(|o| o.lines().map(str::to_string).collect())
                    .unwrap_or_default(),
                topic: Topic::from_stored(&q.topic)?,
            })
        })
        .collect::<CoreResult<Vec<_>>>()?;
    let last_day = (r.closes_at - Duration::seconds(1))
        .with_timezone(&tz)
        .date_naive();
    Ok(Survey {
        id: r.id,
        community_id: r.community_id,
        title: r.title,
        intro: r.intro,
        audience: Audience::from_stored(&r.audience)?,
        building_ids: decode_buildings(r.buildings.as_deref()),
        anonymous: r.anonymous,
        opens_on: r.opens_at.with_timezone(&tz).date_naive().to_string(),
        closes_on: last_day.to_string(),
        opens_at: r.opens_at,
        closes_at: r.closes_at,
        state: SurveyState::from_stored(&r.state)?,
        responses: r.responses,
        created_at: r.created_at,
        updated_at: r.updated_at,
        opened_at: r.opened_at,
        closed_at: r.closed_at,
        questions,
    })
}

/// A survey the staff member may manage (another community's: not found).
async fn managed(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<SurveyRow> {
    let r = store::surveys::get(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("survey"))?;
    ctx.require(Perm::SurveysManage)?;
    Ok(r)
}

/// A survey with its questions, for the staff who manage surveys.
pub async fn get_survey(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<Survey> {
    let r = managed(core, ctx, id).await?;
    let qs = store::surveys::questions(&mut core.db.read(), r.community_id, id).await?;
    let tz = tz_of(core, ctx, r.community_id).await?;
    survey_of(r, qs, tz)
}

/// A community's surveys, newest first (without their questions).
pub async fn list_surveys(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<Survey>> {
    ctx.require_in(Perm::SurveysManage, community)?;
    let tz = tz_of(core, ctx, community).await?;
    store::surveys::list(&core.db, community, None)
        .await?
        .into_iter()
        .map(|r| survey_of(r, Vec::new(), tz))
        .collect()
}

/// Whether the community is due for a survey (SPEC §7: at least every half year).
pub async fn reminder(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<SurveyReminder> {
    ctx.require_in(Perm::SurveysManage, community)?;
    let last = store::surveys::last_opened(&core.db, community).await?;
    Ok(SurveyReminder {
        community_id: community,
        due: model::survey_due(last, Utc::now()),
        last_opened_at: last,
    })
}

/// Checks the questionnaire and its buildings (of the community).
async fn checked(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: &SurveyForUpdate,
) -> CoreResult<Questionnaire> {
    let q = model::check_questionnaire(input).map_err(CoreError::Invalid)?;
    if !q.buildings.is_empty() {
        let ours: Vec<BuildingId> = crate::registry::list_buildings(core, ctx, community)
            .await?
            .into_iter()
            .map(|b| b.id)
            .collect();
        if let Some(b) = q.buildings.iter().find(|b| !ours.contains(b)) {
            return Err(CoreError::Invalid(vec![
                FieldError::new("building_ids", SurveyCode::UnknownBuilding).with("id", b),
            ]));
        }
    }
    Ok(q)
}

fn fields(q: &Questionnaire, tz: Tz) -> SurveyFields<'_> {
    let joined: Vec<String> = q.buildings.iter().map(|b| b.to_string()).collect();
    SurveyFields {
        title: &q.title,
        intro: q.intro.as_deref(),
        audience: q.audience.code(),
        buildings: (!joined.is_empty()).then(|| joined.join(",")),
        anonymous: q.anonymous,
        opens_at: start_of(tz, q.opens_on),
        closes_at: start_of(tz, q.closes_on + Duration::days(1)),
    }
}

fn new_questions(q: &Questionnaire) -> Vec<NewQuestion<'_>> {
    q.questions
        .iter()
        .map(|x| NewQuestion {
            kind: x.kind.code(),
            text: &x.text,
            required: x.required,
            options: (!x.options.is_empty()).then(|| x.options.join("\n")),
            topic: x.topic.code(),
        })
        .collect()
}

/// Builds a survey as a draft.
pub async fn create_survey(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: SurveyForUpdate,
) -> CoreResult<Survey> {
    ctx.require_in(Perm::SurveysManage, community)?;
    let q = checked(core, ctx, community, &input).await?;
    let tz = tz_of(core, ctx, community).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    let id = store::surveys::insert(&mut tx, community, &fields(&q, tz), ctx.actor(), now).await?;
    store::surveys::replace_questions(&mut tx, community, id, &new_questions(&q)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "survey", id.0)
            .community(community)
            .after(&serde_json::json!({ "title": q.title, "questions": q.questions.len() })),
    )
    .await?;
    tx.commit().await?;
    get_survey(core, ctx, id).await
}

/// Edits a draft: its fields and its whole list of questions.
pub async fn update_survey(
    core: &Core,
    ctx: &Ctx,
    id: SurveyId,
    input: SurveyForUpdate,
) -> CoreResult<Survey> {
    let r = managed(core, ctx, id).await?;
    if r.state != SurveyState::Draft.code() {
        return Err(CoreError::conflict("state", SurveyCode::NotDraft));
    }
    let q = checked(core, ctx, r.community_id, &input).await?;
    let tz = tz_of(core, ctx, r.community_id).await?;
    let mut tx = core.db.begin().await?;
    if store::surveys::update_draft(&mut tx, r.community_id, id, &fields(&q, tz), Utc::now())
        .await?
        == 0
    {
        return Err(CoreError::conflict("state", SurveyCode::NotDraft));
    }
    store::surveys::replace_questions(&mut tx, r.community_id, id, &new_questions(&q)).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "survey", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "title": r.title }))
            .after(&serde_json::json!({ "title": q.title, "questions": q.questions.len() })),
    )
    .await?;
    tx.commit().await?;
    get_survey(core, ctx, id).await
}

/// Opens a draft for answers: its questions are fixed from now on, and every person it asks
/// hears of it (`survey_opened`) in the same transaction.
pub async fn open_survey(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<Survey> {
    let r = managed(core, ctx, id).await?;
    if r.state != SurveyState::Draft.code() {
        return Err(CoreError::conflict("state", SurveyCode::NotDraft));
    }
    let now = Utc::now();
    if r.closes_at <= now {
        return Err(CoreError::invalid("closes_on", SurveyCode::PeriodOver));
    }
    let tz = tz_of(core, ctx, r.community_id).await?;
    let s = survey_of(r, Vec::new(), tz)?;
    let mut tx = core.db.begin().await?;
    if store::surveys::open(&mut tx, s.community_id, id, now).await? == 0 {
        return Err(CoreError::conflict("state", SurveyCode::NotDraft));
    }
    let to = crate::portal::store::accounts_in(
        &mut tx,
        s.community_id,
        s.audience == Audience::Owners,
        &s.building_ids,
    )
    .await?;
    let note = Note {
        community: s.community_id,
        event: Event::SurveyOpened,
        params: vec![
            ("title".into(), s.title.clone()),
            ("until".into(), s.closes_on.clone()),
        ],
        request: None,
        link: Some(format!("/portal/surveys/{id}")),
    };
    crate::notify::enqueue_many(
        &core.channels,
        &mut tx,
        &[(note, to.clone())],
        InApp::Write,
        now,
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "survey", id.0)
            .community(s.community_id)
            .before(&serde_json::json!({ "state": "draft" }))
            .after(&serde_json::json!({ "state": "open", "asked": to.len() })),
    )
    .await?;
    tx.commit().await?;
    get_survey(core, ctx, id).await
}

/// Closes an open survey: no answer is taken or changed after this.
pub async fn close_survey(core: &Core, ctx: &Ctx, id: SurveyId) -> CoreResult<Survey> {
    let r = managed(core, ctx, id).await?;
    let mut tx = core.db.begin().await?;
    if store::surveys::close(&mut tx, r.community_id, id, Utc::now()).await? == 0 {
        return Err(CoreError::conflict("state", SurveyCode::NotOpen));
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "survey", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "state": "open" }))
            .after(&serde_json::json!({ "state": "closed" })),
    )
    .await?;
    tx.commit().await?;
    get_survey(core, ctx, id).await
}

/// How many people a survey asks now (its activated portal accounts in its target).
pub(crate) async fn targeted(core: &Core, s: &Survey) -> CoreResult<i64> {
    crate::portal::store::count_accounts_in(
        &core.db,
        s.community_id,
        s.audience == Audience::Owners,
        &s.building_ids,
    )
    .await
}
