//! Unit tests of the survey rules, with figures computed by hand.

use chrono::{TimeZone, Utc};

use super::*;

fn q(kind: &str, text: &str, options: &[&str]) -> QuestionForCreate {
    QuestionForCreate {
        kind: kind.into(),
        text: text.into(),
        required: true,
        options: options.iter().map(|s| s.to_string()).collect(),
        topic: None,
    }
}

fn survey(questions: Vec<QuestionForCreate>) -> SurveyForUpdate {
    SurveyForUpdate {
        title: "2026 下半年满意度调查".into(),
        intro: None,
        audience: "owners".into(),
        building_ids: vec![],
        anonymous: false,
        opens_on: "2026-12-01".into(),
        closes_on: "2026-12-31".into(),
        questions,
    }
}

fn fields(e: Vec<FieldError>) -> Vec<(String, &'static str)> {
    e.into_iter().map(|e| (e.field, e.code)).collect()
}

#[test]
fn a_questionnaire_of_each_kind_checks_out() {
    let s = check_questionnaire(&survey(vec![
        q(
            "single",
            "您对保安服务是否满意",
            &["满意", "一般", "不满意", " "],
        ),
        q("multiple", "您最关心哪些方面", &["卫生", "安全", "维修"]),
        q("score", "总体评分", &[]),
        q("text", "其他意见", &["ignored"]),
    ]))
    .expect("valid");
    assert_eq!(s.questions.len(), 4);
    assert_eq!(
        s.questions[0].options,
        ["满意", "一般", "不满意"],
        "blank options dropped"
    );
    assert!(
        s.questions[3].options.is_empty(),
        "a text question keeps no options"
    );
    assert_eq!(s.questions[2].topic, Topic::Other);
}

#[test]
fn each_error_names_its_field() {
    let mut bad = survey(vec![q("single", "选一个", &[]), q("dance", "x", &[])]);
    bad.title = "  ".into();
    bad.closes_on = "2026-11-30".into();
    let e = fields(check_questionnaire(&bad).expect_err("invalid"));
    assert!(e.contains(&("title".into(), "required")), "{e:?}");
    assert!(
        e.contains(&("closes_on".into(), "survey_closes_before_opens")),
        "{e:?}"
    );
    assert!(
        e.contains(&("questions[0].options".into(), "survey_options_required")),
        "{e:?}"
    );
    assert!(
        e.contains(&("questions[1].kind".into(), "unknown_question_kind")),
        "{e:?}"
    );
    let e = fields(check_questionnaire(&survey(vec![])).expect_err("no questions"));
    assert_eq!(e, [("questions".into(), "survey_no_questions")]);
}

fn asked() -> Vec<AskedQuestion> {
    let a = |id, kind, required, n| AskedQuestion {
        id,
        kind,
        text: format!("问题{id}"),
        required,
        options_count: n,
    };
    vec![
        a(1, QuestionKind::Single, true, 3),
        a(2, QuestionKind::Multiple, false, 3),
        a(3, QuestionKind::Score, true, 0),
        a(4, QuestionKind::Text, false, 0),
    ]
}

fn ans(id: i64, choices: &[i64], score: Option<i64>, text: Option<&str>) -> AnswerForSubmit {
    AnswerForSubmit {
        question_id: id,
        choices: choices.to_vec(),
        score,
        text: text.map(Into::into),
    }
}

#[test]
fn answers_are_checked_against_their_questions() {
    let ok = check_answers(
        &asked(),
        &[
            ans(1, &[2], None, None),
            ans(2, &[0, 2, 0], None, None),
            ans(3, &[], Some(2), None),
            ans(4, &[], None, Some(" 电梯常坏 ")),
        ],
    )
    .expect("valid");
    assert_eq!(ok[1].values, [0, 2], "a repeated option counts once");
    assert_eq!(ok[3].text.as_deref(), Some("电梯常坏"));
    let o = opinions_in(&asked(), &ok);
    assert_eq!(
        o,
        [
            (3, OpinionSource::SurveyLowScore, Some(2)),
            (4, OpinionSource::SurveyComment, None)
        ]
    );

    // A required question left out names the question; a score of 6 and option 3 of 3 are refused.
    let e = check_answers(
        &asked(),
        &[ans(2, &[3], None, None), ans(3, &[], Some(6), None)],
    )
    .expect_err("bad");
    assert_eq!(e[0].field, "q1");
    assert_eq!(e[0].code, "survey_answer_required");
    assert_eq!(e[0].params[0], ("question", "问题1".to_string()));
    let codes: Vec<_> = e.iter().map(|e| (e.field.as_str(), e.code)).collect();
    assert!(
        codes.contains(&("q2", "survey_invalid_choice")),
        "{codes:?}"
    );
    assert!(codes.contains(&("q3", "survey_score_range")), "{codes:?}");
    let e = check_answers(
        &asked(),
        &[ans(1, &[0, 1], None, None), ans(3, &[], Some(0), None)],
    )
    .expect_err("bad");
    assert_eq!(
        e.iter().map(|e| e.code).collect::<Vec<_>>(),
        ["survey_invalid_choice", "survey_score_range"]
    );
}

#[test]
fn mean_and_index_by_hand() {
    // Scores 5, 4, 3, 1: mean 13 / 4 = 3.25; two of four are 4 or 5: 50.0 %.
    let mut c = ScoreCounts::default();
    for s in [5, 4, 3, 1] {
        c.add(s, 1);
    }
    assert_eq!(c.0, [1, 0, 1, 1, 1]);
    assert_eq!(c.mean(), Some(3.25));
    assert_eq!(c.satisfaction(), Some(50.0));
    // 2 of 3 satisfied: 66.7 %.
    let mut c = ScoreCounts::default();
    c.add(5, 1);
    c.add(4, 1);
    c.add(2, 1);
    assert_eq!(c.satisfaction(), Some(66.7));
    assert_eq!(c.mean(), Some(3.67));
    assert_eq!(ScoreCounts::default().satisfaction(), None);
    assert_eq!(response_rate(3, 8), Some(37.5));
    assert_eq!(response_rate(0, 0), None);
}

#[test]
fn a_community_is_due_six_months_after_its_last_survey() {
    let t = |y, m, d| {
        Utc.with_ymd_and_hms(y, m, d, 0, 0, 0)
            .single()
            .expect("a time")
    };
    assert!(survey_due(None, t(2026, 12, 5)));
    assert!(!survey_due(Some(t(2026, 6, 6)), t(2026, 12, 5)));
    assert!(survey_due(Some(t(2026, 6, 5)), t(2026, 12, 5)));
}

#[test]
fn complaint_categories_map_to_topics() {
    assert_eq!(Topic::of_category("sanitation"), Topic::Environment);
    assert_eq!(Topic::of_category("elevator"), Topic::Engineering);
    assert_eq!(Topic::of_category("fees"), Topic::Fees);
    assert_eq!(Topic::of_category("company_own"), Topic::Service);
}
