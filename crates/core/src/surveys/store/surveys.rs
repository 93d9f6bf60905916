//! SQL of questionnaires: a survey's row and its ordered questions, the list of a community's
//! surveys with their answer counts, and when the community's last survey opened.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Db, Queries, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A survey as stored.
    pub(crate) struct SurveyRow {
        pub id: SurveyId,
        pub community_id: CommunityId,
        pub title: String,
        pub intro: Option<String>,
        pub audience: String,
        pub buildings: Option<String>,
        pub anonymous: bool,
        pub opens_at: DateTime<Utc>,
        pub closes_at: DateTime<Utc>,
        pub state: String,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
        pub opened_at: Option<DateTime<Utc>>,
        pub closed_at: Option<DateTime<Utc>>,
        /// How many have answered.
        pub responses: i64,
    }
}

crate::row! {
    /// A question as stored.
    pub(crate) struct QuestionRow {
        pub id: QuestionId,
        pub kind: String,
        pub text: String,
        pub required: bool,
        pub options: Option<String>,
        pub topic: String,
    }
}

const COLS: &str = "s.id, s.community_id, s.title, s.intro, s.audience, s.buildings, s.anonymous, \
     s.opens_at, s.closes_at, s.state, s.created_at, s.updated_at, s.opened_at, s.closed_at, \
     (SELECT COUNT(*) FROM survey_responses r WHERE r.community_id = s.community_id \
     AND r.survey_id = s.id) AS responses";

/// The fields of a survey that are written (new or edited).
pub(crate) struct SurveyFields<'a> {
    pub title: &'a str,
    pub intro: Option<&'a str>,
    pub audience: &'a str,
    pub buildings: Option<String>,
    pub anonymous: bool,
    pub opens_at: DateTime<Utc>,
    pub closes_at: DateTime<Utc>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    f: &SurveyFields<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<SurveyId> {
    let id = tx
        .insert_id(
            "INSERT INTO surveys (community_id, title, intro, audience, buildings, anonymous, \
             opens_at, closes_at, state, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'draft', $9, $10, $10) RETURNING id",
            args![
                community,
                f.title,
                f.intro,
                f.audience,
                f.buildings.clone(),
                f.anonymous,
                f.opens_at,
                f.closes_at,
                by,
                now
            ],
        )
        .await?;
    Ok(SurveyId(id))
}

/// Rewrites a draft (only a draft: 0 rows when it has opened meanwhile).
pub(crate) async fn update_draft(
    tx: &mut Tx,
    community: CommunityId,
    id: SurveyId,
    f: &SurveyFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE surveys SET title = $1, intro = $2, audience = $3, buildings = $4, anonymous = $5, \
         opens_at = $6, closes_at = $7, updated_at = $8 \
         WHERE community_id = $9 AND id = $10 AND state = 'draft'",
        args![
            f.title,
            f.intro,
            f.audience,
            f.buildings.clone(),
            f.anonymous,
            f.opens_at,
            f.closes_at,
            now,
            community,
            id
        ],
    )
    .await
}

/// A question to write.
pub(crate) struct NewQuestion<'a> {
    pub kind: &'a str,
    pub text: &'a str,
    pub required: bool,
    pub options: Option<String>,
    pub topic: &'a str,
}

/// Replaces a draft's questions with these, in this order.
pub(crate) async fn replace_questions(
    tx: &mut Tx,
    community: CommunityId,
    survey: SurveyId,
    qs: &[NewQuestion<'_>],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM survey_questions WHERE community_id = $1 AND survey_id = $2",
        args![community, survey],
    )
    .await?;
    if qs.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(qs.len(), 8);
    for (i, q) in qs.iter().enumerate() {
        b.row([
            Value::from(community),
            Value::from(survey),
            Value::from(i as i64),
            Value::from(q.kind),
            Value::from(q.text),
            Value::from(q.required),
            Value::from(q.options.clone()),
            Value::from(q.topic),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO survey_questions (community_id, survey_id, position, kind, text, required, \
         options, topic)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// A survey by id, whatever its community (the service checks the reach).
pub(crate) async fn get(q: &mut impl Queries, id: SurveyId) -> CoreResult<Option<SurveyRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM surveys s WHERE s.id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn questions(
    q: &mut impl Queries,
    community: CommunityId,
    survey: SurveyId,
) -> CoreResult<Vec<QuestionRow>> {
    q.fetch_all(
        "SELECT id, kind, text, required, options, topic \
         FROM survey_questions WHERE community_id = $1 AND survey_id = $2 ORDER BY position",
        args![community, survey],
    )
    .await
}

/// A community's surveys, newest first; only those in one state when asked.
pub(crate) async fn list(
    db: &Db,
    community: CommunityId,
    state: Option<&str>,
) -> CoreResult<Vec<SurveyRow>> {
    let mut a = args![community];
    let cond = match state {
        Some(s) => format!(" AND s.state = {}", a.push(s)),
        None => String::new(),
    };
    db.read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM surveys s WHERE s.community_id = $1{cond} ORDER BY s.id DESC LIMIT 500"
            ),
            a,
        )
        .await
}

/// Opens a draft (0 rows: it was not a draft any more).
pub(crate) async fn open(
    tx: &mut Tx,
    community: CommunityId,
    id: SurveyId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE surveys SET state = 'open', opened_at = $1, updated_at = $1 \
         WHERE community_id = $2 AND id = $3 AND state = 'draft'",
        args![now, community, id],
    )
    .await
}

/// Closes an open survey (0 rows: it was not open).
pub(crate) async fn close(
    tx: &mut Tx,
    community: CommunityId,
    id: SurveyId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE surveys SET state = 'closed', closed_at = $1, updated_at = $1 \
         WHERE community_id = $2 AND id = $3 AND state = 'open'",
        args![now, community, id],
    )
    .await
}

/// When the community's latest survey opened (none ever opened: None).
pub(crate) async fn last_opened(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Option<DateTime<Utc>>> {
    let row: Option<(Option<DateTime<Utc>>,)> = db
        .read()
        .fetch_optional(
            "SELECT MAX(opened_at) FROM surveys WHERE community_id = $1",
            args![community],
        )
        .await?;
    Ok(row.and_then(|r| r.0))
}
