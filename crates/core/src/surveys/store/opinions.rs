//! SQL of the opinion library (`opinions`): rows written by survey answers (comments and low
//! scores, replaced while still pending when the answer changes) and by complaints and
//! suggestions (in the request's own transaction), the filtered list, and the follow-up.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Db, Queries, Tx, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// An opinion as the library lists it.
    pub(crate) struct OpinionRow {
        pub id: OpinionId,
        pub community_id: CommunityId,
        pub source: String,
        pub topic: String,
        pub state: String,
        pub body: String,
        pub survey_id: Option<SurveyId>,
        pub survey_title: Option<String>,
        pub anonymous: bool,
        pub question_id: Option<QuestionId>,
        pub score: Option<i64>,
        pub request_id: Option<RequestId>,
        pub user_id: Option<UserId>,
        pub person_name: Option<String>,
        pub reply: Option<String>,
        pub replied_at: Option<DateTime<Utc>>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

const COLS: &str = "o.id, o.community_id, o.source, o.topic, o.state, o.body, o.survey_id, \
     s.title AS survey_title, (s.id IS NOT NULL AND s.anonymous) AS anonymous, o.question_id, \
     o.score, o.request_id, o.user_id, o.person_name, o.reply, o.replied_at, o.created_at, \
     o.updated_at";

/// An opinion to write.
pub(crate) struct NewOpinion {
    pub community: CommunityId,
    pub source: &'static str,
    pub topic: &'static str,
    pub body: String,
    pub survey: Option<SurveyId>,
    pub question: Option<QuestionId>,
    pub response: Option<ResponseId>,
    pub score: Option<i64>,
    pub request: Option<RequestId>,
    pub user: Option<UserId>,
    pub person_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// Writes opinions in one statement; one already there for the same answer (handled, so not
/// replaced) stays as it is.
pub(crate) async fn insert(tx: &mut impl Writes, rows: &[NewOpinion]) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), 14);
    for r in rows {
        b.row([
            Value::from(r.community),
            Value::from(r.source),
            Value::from(r.topic),
            Value::from("pending"),
            Value::from(r.body.clone()),
            Value::from(r.survey),
            Value::from(r.question),
            Value::from(r.response),
            Value::from(r.score),
            Value::from(r.request),
            Value::from(r.user),
            Value::from(r.person_name.clone()),
            Value::from(r.at),
            Value::from(r.at),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO opinions (community_id, source, topic, state, body, survey_id, question_id, \
         response_id, score, request_id, user_id, person_name, created_at, updated_at)",
        " ON CONFLICT (community_id, response_id, question_id) DO NOTHING",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// Drops the still-pending opinions of a response (its answers are being replaced).
pub(crate) async fn delete_pending_of_response(
    tx: &mut Tx,
    community: CommunityId,
    response: ResponseId,
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM opinions WHERE community_id = $1 AND response_id = $2 AND state = 'pending'",
        args![community, response],
    )
    .await?;
    Ok(())
}

/// What the library is filtered by (all optional but the communities).
pub(crate) struct Filter<'a> {
    pub communities: &'a [CommunityId],
    pub state: Option<&'a str>,
    pub topic: Option<&'a str>,
    pub source: Option<&'a str>,
    pub text: Option<&'a str>,
    pub from: Option<DateTime<Utc>>,
    pub until: Option<DateTime<Utc>>,
    pub survey: Option<SurveyId>,
}

/// The opinions matching, newest first, at most 500.
pub(crate) async fn list(db: &Db, f: &Filter<'_>) -> CoreResult<Vec<OpinionRow>> {
    let mut a = crate::db::Args::new();
    let mut cond = vec![crate::db::in_list(&mut a, "o.community_id", f.communities)];
    if let Some(s) = f.state {
        cond.push(format!("o.state = {}", a.push(s)));
    }
    if let Some(t) = f.topic {
        cond.push(format!("o.topic = {}", a.push(t)));
    }
    if let Some(s) = f.source {
        cond.push(format!("o.source = {}", a.push(s)));
    }
    if let Some(t) = f.text {
        let like = format!(
            "%{}%",
            t.replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_")
        );
        cond.push(format!(
            "(LOWER(o.body) LIKE LOWER({p}) ESCAPE '\\' OR LOWER(COALESCE(o.reply, '')) LIKE LOWER({p}) ESCAPE '\\')",
            p = a.push(like)
        ));
    }
    if let Some(t) = f.from {
        cond.push(format!("o.created_at >= {}", a.push(t)));
    }
    if let Some(t) = f.until {
        cond.push(format!("o.created_at < {}", a.push(t)));
    }
    if let Some(s) = f.survey {
        cond.push(format!("o.survey_id = {}", a.push(s)));
    }
    db.read()
        .fetch_all(
            &format!(
                "SELECT {COLS} FROM opinions o LEFT JOIN surveys s ON s.id = o.survey_id \
                 WHERE {} ORDER BY o.id DESC LIMIT 500",
                cond.join(" AND ")
            ),
            a,
        )
        .await
}

/// An opinion by id, whatever its community (the service checks the reach).
pub(crate) async fn get(q: &mut impl Queries, id: OpinionId) -> CoreResult<Option<OpinionRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM opinions o LEFT JOIN surveys s ON s.id = o.survey_id WHERE o.id = $1"),
        args![id],
    )
    .await
}

/// Sets an opinion's topic and state.
pub(crate) async fn update(
    tx: &mut Tx,
    community: CommunityId,
    id: OpinionId,
    topic: &str,
    state: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE opinions SET topic = $1, state = $2, handled_by = $3, updated_at = $4 \
         WHERE community_id = $5 AND id = $6",
        args![topic, state, by, now, community, id],
    )
    .await
}

/// Records the reply sent back: the opinion is 已答复.
pub(crate) async fn reply(
    tx: &mut Tx,
    community: CommunityId,
    id: OpinionId,
    text: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE opinions SET reply = $1, replied_at = $2, state = 'replied', handled_by = $3, \
         updated_at = $2 WHERE community_id = $4 AND id = $5",
        args![text, now, by, community, id],
    )
    .await
}
