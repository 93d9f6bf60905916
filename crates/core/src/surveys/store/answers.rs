//! SQL of answers: one response row per person and survey (the unique key settles two
//! concurrent first answers), its answer rows replaced whole on each edit; the counts the
//! analysis reads straight from the covering index; the export's rows; and the bulk path the
//! benchmark grows a survey with.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Bulk, Db, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Rows per statement of the bulk writes (at most 6 values a row, well under both backends'
/// limits).
const CHUNK: usize = 2000;

/// Writes the person's response (or touches the one he has) and returns its id. Two first
/// answers at once: the second waits on the first's key and updates its row.
pub(crate) async fn upsert_response(
    tx: &mut Tx,
    community: CommunityId,
    survey: SurveyId,
    user: UserId,
    now: DateTime<Utc>,
) -> CoreResult<ResponseId> {
    let (id,): (ResponseId,) = tx
        .fetch_one(
            "INSERT INTO survey_responses (community_id, survey_id, user_id, submitted_at, updated_at) \
             VALUES ($1, $2, $3, $4, $4) ON CONFLICT (community_id, survey_id, user_id) \
             DO UPDATE SET updated_at = excluded.updated_at RETURNING id",
            args![community, survey, user, now],
        )
        .await?;
    Ok(id)
}

/// One answer row: an option's index or a score in `value`, or a text.
pub(crate) struct NewAnswer {
    pub question: QuestionId,
    pub value: Option<i64>,
    pub text: Option<String>,
}

/// Replaces a response's answers with these.
pub(crate) async fn replace_answers(
    tx: &mut Tx,
    community: CommunityId,
    survey: SurveyId,
    response: ResponseId,
    rows: &[NewAnswer],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM survey_answers WHERE community_id = $1 AND response_id = $2",
        args![community, response],
    )
    .await?;
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), 6);
    for r in rows {
        b.row([
            Value::from(community),
            Value::from(survey),
            Value::from(response),
            Value::from(r.question),
            Value::from(r.value),
            Value::from(r.text.clone()),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO survey_answers (community_id, survey_id, response_id, question_id, value, text)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// The person's response to a survey, if any: its id and when it was last changed.
pub(crate) async fn response_of(
    db: &Db,
    community: CommunityId,
    survey: SurveyId,
    user: UserId,
) -> CoreResult<Option<(ResponseId, DateTime<Utc>)>> {
    db.read()
        .fetch_optional(
            "SELECT id, updated_at FROM survey_responses WHERE community_id = $1 AND survey_id = $2 \
             AND user_id = $3",
            args![community, survey, user],
        )
        .await
}

/// A response's answer rows: (question, value, text).
pub(crate) async fn answers_of(
    db: &Db,
    community: CommunityId,
    response: ResponseId,
) -> CoreResult<Vec<(QuestionId, Option<i64>, Option<String>)>> {
    db.read()
        .fetch_all(
            "SELECT question_id, value, text FROM survey_answers WHERE community_id = $1 \
             AND response_id = $2",
            args![community, response],
        )
        .await
}

/// The surveys the person has answered, with when he last changed his answer.
pub(crate) async fn answered(
    db: &Db,
    community: CommunityId,
    user: UserId,
) -> CoreResult<Vec<(SurveyId, DateTime<Utc>)>> {
    db.read()
        .fetch_all(
            "SELECT survey_id, updated_at FROM survey_responses WHERE community_id = $1 \
             AND user_id = $2",
            args![community, user],
        )
        .await
}

/// A response's answer rows inside the transaction replacing them (the tallies take the old
/// ones back).
pub(crate) async fn answers_in(
    tx: &mut Tx,
    community: CommunityId,
    response: ResponseId,
) -> CoreResult<Vec<(QuestionId, Option<i64>)>> {
    tx.fetch_all(
        "SELECT question_id, value FROM survey_answers WHERE community_id = $1 AND response_id = $2",
        args![community, response],
    )
    .await
}

/// Moves the running counts by these deltas: (question, value, change), in a fixed order so
/// that two answers written at once lock the rows alike.
pub(crate) async fn tally(
    tx: &mut Tx,
    community: CommunityId,
    survey: SurveyId,
    deltas: &[(QuestionId, i64, i64)],
) -> CoreResult<()> {
    let mut d: Vec<&(QuestionId, i64, i64)> = deltas.iter().filter(|x| x.2 != 0).collect();
    d.sort();
    for chunk in d.chunks(CHUNK) {
        let mut b = Bulk::with_capacity(chunk.len(), 5);
        for (q, v, n) in chunk {
            b.row([
                Value::from(community),
                Value::from(survey),
                Value::from(*q),
                Value::from(*v),
                Value::from(*n),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO survey_tallies (community_id, survey_id, question_id, value, n)",
            " ON CONFLICT (community_id, survey_id, question_id, value) \
             DO UPDATE SET n = survey_tallies.n + excluded.n",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// A survey's running counts: (question, value, how many); value -1 counts who answered.
pub(crate) async fn tallies(
    db: &Db,
    community: CommunityId,
    survey: SurveyId,
) -> CoreResult<Vec<(QuestionId, i64, i64)>> {
    db.read()
        .fetch_all(
            "SELECT question_id, value, n FROM survey_tallies WHERE community_id = $1 \
             AND survey_id = $2",
            args![community, survey],
        )
        .await
}

/// The latest text answers to a question, at most `limit`.
pub(crate) async fn latest_texts(
    db: &Db,
    community: CommunityId,
    survey: SurveyId,
    question: QuestionId,
    limit: i64,
) -> CoreResult<Vec<String>> {
    let rows: Vec<(String,)> = db
        .read()
        .fetch_all(
            "SELECT text FROM survey_answers WHERE community_id = $1 AND survey_id = $2 \
             AND question_id = $3 AND value IS NULL AND text IS NOT NULL \
             ORDER BY response_id DESC LIMIT $4",
            args![community, survey, question, limit],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

crate::row! {
    /// One answer row of a survey with its response, for the export.
    pub(crate) struct ExportRow {
        pub response_id: ResponseId,
        /// The service hides it for an anonymous survey.
        pub user_id: UserId,
        pub updated_at: DateTime<Utc>,
        pub question_id: QuestionId,
        pub value: Option<i64>,
        pub text: Option<String>,
    }
}

/// Every answer row of a survey, by response, for the export.
pub(crate) async fn all_rows(
    db: &Db,
    community: CommunityId,
    survey: SurveyId,
) -> CoreResult<Vec<ExportRow>> {
    db.read()
        .fetch_all(
            "SELECT r.id AS response_id, r.user_id, r.updated_at, a.question_id, a.value, a.text \
             FROM survey_responses r JOIN survey_answers a ON a.community_id = r.community_id \
             AND a.response_id = r.id WHERE r.community_id = $1 AND r.survey_id = $2 \
             ORDER BY r.id, a.question_id, a.value",
            args![community, survey],
        )
        .await
}

/// Writes many whole responses at once (the benchmark's way of growing a survey to its size):
/// responses in one multi-row statement per chunk, then their answers likewise. Returns how
/// many responses were written.
pub(crate) async fn bulk_insert(
    tx: &mut Tx,
    community: CommunityId,
    survey: SurveyId,
    responses: &[(UserId, Vec<NewAnswer>)],
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    for chunk in responses.chunks(CHUNK) {
        let mut b = Bulk::with_capacity(chunk.len(), 5);
        for (user, _) in chunk {
            b.row([
                Value::from(community),
                Value::from(survey),
                Value::from(*user),
                Value::from(now),
                Value::from(now),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO survey_responses (community_id, survey_id, user_id, submitted_at, updated_at)",
            " RETURNING id, user_id",
        );
        let ids: Vec<(ResponseId, UserId)> = tx.fetch_all(&sql, a).await?;
        let by_user: std::collections::HashMap<UserId, ResponseId> =
            ids.into_iter().map(|(r, u)| (u, r)).collect();
        let rows: Vec<(ResponseId, &NewAnswer)> = chunk
            .iter()
            .filter_map(|(u, ans)| by_user.get(u).map(|r| (*r, ans)))
            .flat_map(|(r, ans)| ans.iter().map(move |a| (r, a)))
            .collect();
        for part in rows.chunks(CHUNK) {
            let mut b = Bulk::with_capacity(part.len(), 6);
            for (r, x) in part {
                b.row([
                    Value::from(community),
                    Value::from(survey),
                    Value::from(*r),
                    Value::from(x.question),
                    Value::from(x.value),
                    Value::from(x.text.clone()),
                ]);
            }
            let (sql, a) = b.finish(
                "INSERT INTO survey_answers (community_id, survey_id, response_id, question_id, value, text)",
                "",
            );
            tx.execute(&sql, a).await?;
        }
    }
    let mut counts: std::collections::BTreeMap<(QuestionId, i64), i64> = Default::default();
    for (_, ans) in responses {
        for (q, v) in tally_keys(ans) {
            *counts.entry((q, v)).or_default() += 1;
        }
    }
    let deltas: Vec<(QuestionId, i64, i64)> =
        counts.into_iter().map(|((q, v), n)| (q, v, n)).collect();
    tally(tx, community, survey, &deltas).await?;
    Ok(responses.len())
}

/// What one sheet adds to the running counts: each chosen option or score, and one "answered"
/// (-1) per question it answers.
pub(crate) fn tally_keys(rows: &[NewAnswer]) -> Vec<(QuestionId, i64)> {
    let mut out: Vec<(QuestionId, i64)> = rows
        .iter()
        .filter_map(|r| r.value.map(|v| (r.question, v)))
        .collect();
    let mut asked: Vec<QuestionId> = rows.iter().map(|r| r.question).collect();
    asked.sort();
    asked.dedup();
    out.extend(asked.into_iter().map(|q| (q, -1)));
    out
}
