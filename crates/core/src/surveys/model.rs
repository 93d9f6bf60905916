//! The rules of surveys and opinions, with no I/O: the kinds of question, a survey's states, who
//! it asks, the topics and follow-up states of the opinion library; checking a questionnaire and
//! an answer sheet (each error names its field); the figures of the analysis (mean score, the
//! satisfaction index, the response rate) and when a community is due for its next survey.

use chrono::{DateTime, Months, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::SurveyCode;
use crate::shared::code_enum;
use crate::shared::error::{CommonCode, FieldError};
use crate::shared::ids::BuildingId;

code_enum!(QuestionKind, SurveyCode::UnknownQuestionKind, {
    Single = "single", "单选", "Single choice";
    Multiple = "multiple", "多选", "Multiple choice";
    Score = "score", "评分（1–5 分）", "Score (1–5)";
    Text = "text", "文字意见", "Text";
});

impl QuestionKind {
    pub fn is_choice(self) -> bool {
        matches!(self, QuestionKind::Single | QuestionKind::Multiple)
    }
}

code_enum!(SurveyState, SurveyCode::UnknownSurveyState, {
    Draft = "draft", "草稿", "Draft";
    Open = "open", "进行中", "Open";
    Closed = "closed", "已结束", "Closed";
});

code_enum!(Audience, SurveyCode::UnknownAudience, {
    Owners = "owners", "仅业主", "Owners only";
    Residents = "residents", "业主、家庭成员及租户", "Owners, household members and tenants";
});

code_enum!(Topic, SurveyCode::UnknownTopic, {
    Environment = "environment", "环境卫生", "Cleanliness";
    Security = "security", "安全秩序", "Safety and order";
    Engineering = "engineering", "工程维修", "Repairs and engineering";
    Service = "service", "客户服务", "Customer service";
    Fees = "fees", "收费", "Fees";
    Greening = "greening", "绿化", "Greenery";
    Other = "other", "其他", "Other";
});

impl Topic {
    /// The topic of a complaint or suggestion from its request category (the company's own
    /// categories fall under 其他 until someone re-tags them).
    pub fn of_category(category: &str) -> Topic {
        match category {
            "water" | "power" | "elevator" | "lighting" | "doors_locks" => Topic::Engineering,
            "noise" | "parking" => Topic::Security,
            "sanitation" => Topic::Environment,
            "greening" => Topic::Greening,
            "fees" => Topic::Fees,
            _ => Topic::Service,
        }
    }
}

code_enum!(OpinionState, SurveyCode::UnknownOpinionState, {
    Pending = "pending", "待处理", "Pending";
    Adopted = "adopted", "已采纳", "Adopted";
    Replied = "replied", "已答复", "Replied";
    Rejected = "rejected", "不采纳", "Not adopted";
});

code_enum!(OpinionSource, SurveyCode::UnknownOpinionSource, {
    SurveyComment = "survey_comment", "调查留言", "Survey comment";
    SurveyLowScore = "survey_low_score", "调查低分（1–2 分）", "Low survey score (1–2)";
    Complaint = "complaint", "投诉", "Complaint";
    Suggestion = "suggestion", "建议", "Suggestion";
});

/// A score below this is an opinion of its own (1 and 2 of 5: 不满意, 很不满意).
pub const LOW_SCORE: i64 = 3;
/// Scores at or above this count as satisfied in the index (4 满意, 5 非常满意).
pub const SATISFIED_SCORE: i64 = 4;
pub const MAX_QUESTIONS: usize = 50;
pub const MAX_OPTIONS: usize = 20;
pub const MAX_TEXT_ANSWER: usize = 500;

/// One question as the builder sends it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct QuestionForCreate {
    /// `single`, `multiple`, `score` (1–5) or `text`.
    pub kind: String,
    pub text: String,
    #[serde(default)]
    pub required: bool,
    /// The choices of a single or multiple choice question (at least two); ignored otherwise.
    #[serde(default)]
    pub options: Vec<String>,
    /// The opinion library's topic for this question's comments and low scores (`other` when
    /// not given).
    #[serde(default)]
    pub topic: Option<String>,
}

/// A questionnaire as the builder sends it (new or edited draft).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SurveyForUpdate {
    pub title: String,
    #[serde(default)]
    pub intro: Option<String>,
    /// `owners` (owners only) or `residents` (owners, household members and tenants).
    pub audience: String,
    /// The buildings asked; empty: the whole community.
    #[serde(default)]
    pub building_ids: Vec<BuildingId>,
    #[serde(default)]
    pub anonymous: bool,
    /// The first day of the period, in the community's time zone (`YYYY-MM-DD`).
    pub opens_on: String,
    /// The last day of the period, in the community's time zone (answers until its end).
    pub closes_on: String,
    /// In their order.
    pub questions: Vec<QuestionForCreate>,
}

/// A checked question.
#[derive(Debug, Clone, PartialEq)]
pub struct Question {
    pub kind: QuestionKind,
    pub text: String,
    pub required: bool,
    pub options: Vec<String>,
    pub topic: Topic,
}

/// A checked questionnaire.
#[derive(Debug, Clone, PartialEq)]
pub struct Questionnaire {
    pub title: String,
    pub intro: Option<String>,
    pub audience: Audience,
    pub buildings: Vec<BuildingId>,
    pub anonymous: bool,
    pub opens_on: NaiveDate,
    pub closes_on: NaiveDate,
    pub questions: Vec<Question>,
}

fn text(field: &str, raw: &str, max: usize) -> Result<String, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    if t.chars().count() > max {
        return Err(FieldError::new(field, CommonCode::TooLong).with("max", max));
    }
    Ok(t.to_string())
}

/// A question's field error names its label (题目, 选项, …) and the question's number, so the
/// message reads well beside the field and in the API's message alike.
fn labelled(e: FieldError) -> FieldError {
    let Some(rest) = e.field.strip_prefix("questions[") else {
        return e;
    };
    let n = rest
        .split(']')
        .next()
        .and_then(|i| i.parse::<usize>().ok())
        .map_or(0, |i| i + 1);
    let label = if rest.contains("].options") {
        "question_options"
    } else if rest.ends_with("].kind") {
        "question_kind"
    } else if rest.ends_with("].topic") {
        "question_topic"
    } else {
        "question_text"
    };
    e.with("label", label).with("n", n)
}

/// Keeps an `Ok`'s value, records an `Err`.
fn keep<T>(r: Result<T, FieldError>, errs: &mut Vec<FieldError>) -> Option<T> {
    match r {
        Ok(v) => Some(v),
        Err(e) => {
            errs.push(e);
            None
        }
    }
}

fn date(field: &str, raw: &str) -> Result<NaiveDate, FieldError> {
    let t = raw.trim();
    if t.is_empty() {
        return Err(FieldError::new(field, CommonCode::Required));
    }
    NaiveDate::parse_from_str(t, "%Y-%m-%d")
        .map_err(|_| FieldError::new(field, CommonCode::InvalidDate))
}

/// Checks a questionnaire; every problem is reported, each naming its field
/// (`title`, `questions`, `questions[2].options`, `closes_on`, …).
pub fn check_questionnaire(input: &SurveyForUpdate) -> Result<Questionnaire, Vec<FieldError>> {
    let mut errs = Vec::new();
    let title = keep(text("title", &input.title, 100), &mut errs);
    let intro = input
        .intro
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| text("intro", s, 1000));
    let intro = match intro {
        Some(r) => keep(r, &mut errs),
        None => None,
    };
    let audience = keep(Audience::parse("audience", &input.audience), &mut errs);
    let opens = keep(date("opens_on", &input.opens_on), &mut errs);
    let closes = keep(date("closes_on", &input.closes_on), &mut errs);
    if let (Some(o), Some(c)) = (opens, closes)
        && c < o
    {
        errs.push(FieldError::new("closes_on", SurveyCode::ClosesBeforeOpens));
    }
    if input.questions.is_empty() {
        errs.push(FieldError::new("questions", SurveyCode::NoQuestions));
    }
    if input.questions.len() > MAX_QUESTIONS {
        errs.push(
            FieldError::new("questions", SurveyCode::TooManyQuestions).with("max", MAX_QUESTIONS),
        );
    }
    let mut questions = Vec::new();
    for (i, q) in input.questions.iter().enumerate() {
        let f = |name: &str| format!("questions[{i}].{name}");
        let kind = keep(QuestionKind::parse(&f("kind"), &q.kind), &mut errs);
        let qtext = keep(text(&f("text"), &q.text, 200), &mut errs);
        let topic = match q.topic.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            Some(t) => keep(Topic::parse(&f("topic"), t), &mut errs),
            None => Some(Topic::Other),
        };
        let mut options = Vec::new();
        if let Some(k) = kind
            && k.is_choice()
        {
            for (j, o) in q.options.iter().enumerate() {
                let o = o.trim();
                if o.is_empty() {
                    continue;
                }
                match text(&format!("questions[{i}].options[{j}]"), o, 100) {
                    Ok(o) => options.push(o),
                    Err(e) => errs.push(e),
                }
            }
            if options.len() < 2 {
                errs.push(FieldError::new(f("options"), SurveyCode::OptionsRequired));
            } else if options.len() > MAX_OPTIONS {
                errs.push(
                    FieldError::new(f("options"), SurveyCode::TooManyOptions)
                        .with("max", MAX_OPTIONS),
                );
            }
        }
        if let (Some(kind), Some(text), Some(topic)) = (kind, qtext, topic) {
            questions.push(Question {
                kind,
                text,
                required: q.required,
                options,
                topic,
            });
        }
    }
    if !errs.is_empty() {
        return Err(errs.into_iter().map(labelled).collect());
    }
    match (title, audience, opens, closes) {
        (Some(title), Some(audience), Some(opens_on), Some(closes_on)) => {
            let mut buildings = input.building_ids.clone();
            buildings.sort();
            buildings.dedup();
            Ok(Questionnaire {
                title,
                intro,
                audience,
                buildings,
                anonymous: input.anonymous,
                opens_on,
                closes_on,
                questions,
            })
        }
        _ => Err(vec![FieldError::new("title", CommonCode::Invalid)]),
    }
}

/// A question as the answer sheet sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct AskedQuestion {
    pub id: i64,
    pub kind: QuestionKind,
    pub text: String,
    pub required: bool,
    pub options_count: usize,
}

/// One answer as the owner sends it: the chosen options (by their index from 0), a score, or
/// a text, as the question's kind asks.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, PartialEq)]
pub struct AnswerForSubmit {
    pub question_id: i64,
    #[serde(default)]
    pub choices: Vec<i64>,
    #[serde(default)]
    pub score: Option<i64>,
    #[serde(default)]
    pub text: Option<String>,
}

/// A checked answer: one value per chosen option or the score, or the text.
#[derive(Debug, Clone, PartialEq)]
pub struct Answer {
    pub question_id: i64,
    pub values: Vec<i64>,
    pub text: Option<String>,
}

/// The field an answer's error names: `q<question id>` (the answer form's field).
pub fn answer_field(question_id: i64) -> String {
    format!("q{question_id}")
}

/// Checks an answer sheet against the questions: a required question left out names the
/// question (`{question}`), a score outside 1–5 or an option the question lacks names its field.
pub fn check_answers(
    questions: &[AskedQuestion],
    answers: &[AnswerForSubmit],
) -> Result<Vec<Answer>, Vec<FieldError>> {
    let mut errs = Vec::new();
    for a in answers {
        if !questions.iter().any(|q| q.id == a.question_id) {
            errs.push(
                FieldError::new("answers", SurveyCode::UnknownQuestion).with("id", a.question_id),
            );
        }
    }
    let mut out = Vec::new();
    for q in questions {
        let field = answer_field(q.id);
        let given = answers.iter().find(|a| a.question_id == q.id);
        let mut values: Vec<i64> = Vec::new();
        let mut text = None;
        if let Some(a) = given {
            match q.kind {
                QuestionKind::Single | QuestionKind::Multiple => {
                    values = a.choices.clone();
                    values.sort();
                    values.dedup();
                    let bad = values
                        .iter()
                        .any(|v| *v < 0 || *v as usize >= q.options_count)
                        || (q.kind == QuestionKind::Single && values.len() > 1);
                    if bad {
                        errs.push(
                            FieldError::new(&field, SurveyCode::InvalidChoice)
                                .with("question", &q.text)
                                .with("label", "answer"),
                        );
                        continue;
                    }
                }
                QuestionKind::Score => {
                    if let Some(s) = a.score {
                        if !(1..=5).contains(&s) {
                            errs.push(
                                FieldError::new(&field, SurveyCode::ScoreRange)
                                    .with("question", &q.text)
                                    .with("label", "answer"),
                            );
                            continue;
                        }
                        values.push(s);
                    }
                }
                QuestionKind::Text => {
                    let t = a.text.as_deref().map(str::trim).unwrap_or("");
                    if t.chars().count() > MAX_TEXT_ANSWER {
                        errs.push(
                            FieldError::new(&field, CommonCode::TooLong)
                                .with("max", MAX_TEXT_ANSWER),
                        );
                        continue;
                    }
                    if !t.is_empty() {
                        text = Some(t.to_string());
                    }
                }
            }
        }
        if values.is_empty() && text.is_none() {
            if q.required {
                errs.push(
                    FieldError::new(&field, SurveyCode::AnswerRequired)
                        .with("question", &q.text)
                        .with("label", "answer"),
                );
            }
            continue;
        }
        out.push(Answer {
            question_id: q.id,
            values,
            text,
        });
    }
    if errs.is_empty() { Ok(out) } else { Err(errs) }
}

/// What of an answer sheet goes to the opinion library: each text answer (a comment) and each
/// score below [`LOW_SCORE`], as (question id, source, score).
pub fn opinions_in(
    questions: &[AskedQuestion],
    answers: &[Answer],
) -> Vec<(i64, OpinionSource, Option<i64>)> {
    let mut out = Vec::new();
    for a in answers {
        let Some(q) = questions.iter().find(|q| q.id == a.question_id) else {
            continue;
        };
        match q.kind {
            QuestionKind::Text if a.text.is_some() => {
                out.push((q.id, OpinionSource::SurveyComment, None))
            }
            QuestionKind::Score => {
                if let Some(s) = a.values.first().copied().filter(|s| *s < LOW_SCORE) {
                    out.push((q.id, OpinionSource::SurveyLowScore, Some(s)));
                }
            }
            _ => {}
        }
    }
    out
}

/// The figures of score answers: how many of each score 1..5.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScoreCounts(pub [i64; 5]);

impl ScoreCounts {
    pub fn add(&mut self, score: i64, n: i64) {
        if (1..=5).contains(&score) {
            self.0[(score - 1) as usize] += n;
        }
    }
    pub fn total(&self) -> i64 {
        self.0.iter().sum()
    }
    /// The mean score, to two decimals; none without answers.
    pub fn mean(&self) -> Option<f64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let sum: i64 = self
            .0
            .iter()
            .enumerate()
            .map(|(i, c)| (i as i64 + 1) * c)
            .sum();
        Some(round(sum as f64 / n as f64, 2))
    }
    /// The satisfaction index (满意度), in percent to one decimal: the share of scores of 4
    /// (满意) and 5 (非常满意) among all scores given. None without answers.
    pub fn satisfaction(&self) -> Option<f64> {
        let n = self.total();
        if n == 0 {
            return None;
        }
        let satisfied: i64 = self.0[(SATISFIED_SCORE - 1) as usize..].iter().sum();
        Some(round(satisfied as f64 * 100.0 / n as f64, 1))
    }
}

fn round(v: f64, places: i32) -> f64 {
    let f = 10f64.powi(places);
    (v * f).round() / f
}

/// The response rate in percent to one decimal: answers / people asked (none asked: none).
pub fn response_rate(responses: i64, targeted: i64) -> Option<f64> {
    (targeted > 0).then(|| round(responses as f64 * 100.0 / targeted as f64, 1))
}

/// How long after its last survey a community is due for the next (SPEC §7: at least every
/// half year).
pub const SURVEY_EVERY_MONTHS: u32 = 6;

/// Whether a community whose last survey opened at `last` is due for another.
pub fn survey_due(last: Option<DateTime<Utc>>, now: DateTime<Utc>) -> bool {
    match last {
        None => true,
        Some(t) => t
            .checked_add_months(Months::new(SURVEY_EVERY_MONTHS))
            .is_none_or(|due| due <= now),
    }
}

#[cfg(test)]
mod tests;
