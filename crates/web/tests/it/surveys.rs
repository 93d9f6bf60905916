//! Satisfaction surveys and the opinion library (issue 13, points 4 and 5), over the API on a
//! fresh database: the builder and its refusals naming the field; publishing tells the people
//! asked; owners answer once each, change it while open, never after; required questions named;
//! the analysis checked by hand; anonymity kept in the analysis, the export and the library;
//! opinions from comments, low scores and complaints, their filters and the reply that reaches
//! the owner; another community's survey stays unseen.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use super::{app, error_fields};

/// Today in the communities' time zone (the fixtures' default, Asia/Shanghai).
fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn questionnaire(title: &str, anonymous: bool, buildings: &[i64]) -> Value {
    json!({
        "title": title,
        "audience": "owners",
        "building_ids": buildings,
        "anonymous": anonymous,
        "opens_on": today().to_string(),
        "closes_on": (today() + Duration::days(30)).to_string(),
        "questions": [
            {"kind": "single", "text": "您对保安服务是否满意", "required": true, "options": ["满意", "一般", "不满意"],
             "topic": "security"},
            {"kind": "multiple", "text": "您最关心哪些方面", "options": ["卫生", "安全", "维修"]},
            {"kind": "score", "text": "总体评分", "required": true, "topic": "service"},
            {"kind": "text", "text": "其他意见", "topic": "environment"}
        ]
    })
}

/// A manager of community A and a survey of A built and published; its id and question ids.
async fn published(app: &TestApp, pm: &Api, body: Value) -> (i64, Vec<i64>) {
    let a = app.community_a.0;
    let (st, s) = pm
        .post(&format!("/api/v1/communities/{a}/surveys"), body)
        .await;
    assert_eq!(st, 201, "{s}");
    let id = s["id"].as_i64().expect("survey id");
    let (st, s) = pm
        .post(&format!("/api/v1/surveys/{id}/open"), json!({}))
        .await;
    assert_eq!(st, 200, "{s}");
    assert_eq!(s["state"], "open");
    let qs = s["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .map(|q| q["id"].as_i64().expect("question id"))
        .collect();
    (id, qs)
}

fn sheet(qs: &[i64], single: i64, multiple: &[i64], score: i64, text: Option<&str>) -> Value {
    let mut answers = vec![
        json!({"question_id": qs[0], "choices": [single]}),
        json!({"question_id": qs[1], "choices": multiple}),
        json!({"question_id": qs[2], "score": score}),
    ];
    if let Some(t) = text {
        answers.push(json!({"question_id": qs[3], "text": t}));
    }
    json!({ "answers": answers })
}

async fn manager(app: &TestApp, name: &str) -> Api {
    app.api_as(name, "project_manager", &[app.community_a])
        .await
}

#[tokio::test]
async fn a_survey_of_each_kind_is_built_and_bad_fields_are_named() {
    let app = app().await;
    let pm = manager(&app, "sv_pm1").await;
    let a = app.community_a.0;
    let path = format!("/api/v1/communities/{a}/surveys");
    let (st, s) = pm
        .post(&path, questionnaire("2026 下半年满意度调查", false, &[]))
        .await;
    assert_eq!(st, 201, "{s}");
    assert_eq!(s["state"], "draft");
    let kinds: Vec<&str> = s["questions"]
        .as_array()
        .expect("questions")
        .iter()
        .filter_map(|q| q["kind"].as_str())
        .collect();
    assert_eq!(kinds, ["single", "multiple", "score", "text"]);
    assert_eq!(
        s["questions"][0]["options"],
        json!(["满意", "一般", "不满意"])
    );
    assert_eq!(s["opens_on"], today().to_string());
    assert_eq!(s["closes_on"], (today() + Duration::days(30)).to_string());

    // Each refusal names its field.
    let mut bad = questionnaire("", false, &[]);
    bad["closes_on"] = json!((today() - Duration::days(1)).to_string());
    bad["questions"][0]["options"] = json!([]);
    let (st, e) = pm.post(&path, bad).await;
    assert_eq!(st, 422, "{e}");
    let f = error_fields(&e);
    for want in [
        ("title", "required"),
        ("closes_on", "survey_closes_before_opens"),
        ("questions[0].options", "survey_options_required"),
    ] {
        assert!(
            f.contains(&(want.0.into(), want.1.into())),
            "{want:?} in {f:?}"
        );
    }
    let mut none = questionnaire("无题目", false, &[]);
    none["questions"] = json!([]);
    let (st, e) = pm.post(&path, none).await;
    assert_eq!(
        (st.as_u16(), e["field"].as_str()),
        (422, Some("questions")),
        "{e}"
    );
    assert_eq!(
        app.count("surveys").await,
        1,
        "refused surveys write nothing"
    );

    // A draft is edited; once published its questions are fixed.
    let id = s["id"].as_i64().expect("id");
    let mut edited = questionnaire("2026 下半年满意度调查（修订）", false, &[]);
    edited["questions"].as_array_mut().expect("qs").pop();
    let (st, v) = pm
        .put(&format!("/api/v1/surveys/{id}"), edited.clone())
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["questions"].as_array().map(Vec::len), Some(3));
    let (st, _) = pm
        .post(&format!("/api/v1/surveys/{id}/open"), json!({}))
        .await;
    assert_eq!(st, 200);
    let (st, v) = pm.put(&format!("/api/v1/surveys/{id}"), edited).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("survey_not_draft")),
        "{v}"
    );
}

#[tokio::test]
async fn owners_answer_once_change_it_while_open_and_never_after() {
    let app = app().await;
    let pm = manager(&app, "sv_pm2").await;
    let owner = app.api_as("yz_sv2", "owner", &[app.community_a]).await;
    let (id, qs) = published(&app, &pm, questionnaire("业主答卷", false, &[])).await;
    let path = format!("/api/v1/portal/surveys/{id}/response");

    let (_, list) = owner.get("/api/v1/portal/surveys").await;
    assert_eq!(list[0]["survey"]["id"], id, "{list}");
    assert_eq!(list[0]["answerable"], true);

    // A required question left out is named; a score of 6 is refused by its field.
    let (st, e) = owner
        .put(
            &path,
            json!({"answers": [{"question_id": qs[2], "score": 4}]}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["field"], format!("q{}", qs[0]));
    assert_eq!(e["code"], "survey_answer_required");
    assert!(
        e["message"]
            .as_str()
            .unwrap_or("")
            .contains("您对保安服务是否满意"),
        "{e}"
    );
    let (st, e) = owner.put(&path, sheet(&qs, 0, &[], 6, None)).await;
    assert_eq!(
        (st.as_u16(), e["field"].clone()),
        (422, json!(format!("q{}", qs[2]))),
        "{e}"
    );
    assert_eq!(e["code"], "survey_score_range");
    assert_eq!(app.count("survey_responses").await, 0);

    let (st, v) = owner
        .put(&path, sheet(&qs, 0, &[0, 2], 5, Some("电梯常坏")))
        .await;
    assert_eq!(st, 200, "{v}");
    assert!(v["answered_at"].is_string());
    // Answered again: the same one response, its answers replaced.
    let (st, v) = owner.put(&path, sheet(&qs, 2, &[1], 2, None)).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(app.count("survey_responses").await, 1);
    assert_eq!(
        app.count("survey_answers").await,
        3,
        "single + one option + score"
    );
    let (_, mine) = owner.get(&format!("/api/v1/portal/surveys/{id}")).await;
    assert_eq!(mine["answers"][0]["choices"], json!([2]), "{mine}");
    assert_eq!(mine["answers"][2]["score"], 2);
    // The analysis counts the changed sheet only (the running counts took the first one back).
    let (_, a) = pm.get(&format!("/api/v1/surveys/{id}/analysis")).await;
    let counts: Vec<i64> = a["questions"][0]["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["count"].as_i64())
        .collect();
    assert_eq!(counts, [0, 0, 1], "{a}");
    assert_eq!(a["questions"][1]["answered"], 1);
    assert_eq!(a["questions"][2]["scores"], json!([0, 1, 0, 0, 0]));
    assert_eq!(
        a["questions"][3]["answered"], 0,
        "the comment was taken back"
    );

    // Closed: refused, naming the survey.
    let (st, _) = pm
        .post(&format!("/api/v1/surveys/{id}/close"), json!({}))
        .await;
    assert_eq!(st, 200);
    let (st, e) = owner.put(&path, sheet(&qs, 1, &[], 4, None)).await;
    assert_eq!(
        (st.as_u16(), e["field"].as_str(), e["code"].as_str()),
        (422, Some("survey_id"), Some("survey_closed")),
        "{e}"
    );
    let (_, mine) = owner.get(&format!("/api/v1/portal/surveys/{id}")).await;
    assert_eq!(mine["answers"][2]["score"], 2, "the answer stays as it was");
}

#[tokio::test]
async fn two_first_answers_at_once_end_as_one_response() {
    let app = app().await;
    let pm = manager(&app, "sv_pm3").await;
    let owner = app.api_as("yz_sv3", "owner", &[app.community_a]).await;
    let (id, qs) = published(&app, &pm, questionnaire("并发答卷", false, &[])).await;
    let path = format!("/api/v1/portal/surveys/{id}/response");
    let (a, b) = tokio::join!(
        owner.put(&path, sheet(&qs, 0, &[0], 5, None)),
        owner.put(&path, sheet(&qs, 1, &[1, 2], 3, None)),
    );
    assert_eq!((a.0.as_u16(), b.0.as_u16()), (200, 200), "{} {}", a.1, b.1);
    assert_eq!(app.count("survey_responses").await, 1);
    let answers = app.count("survey_answers").await;
    assert!(
        answers == 3 || answers == 4,
        "one sheet's answers, not both: {answers}"
    );
    let (_, a) = pm.get(&format!("/api/v1/surveys/{id}/analysis")).await;
    assert_eq!(a["responses"], 1);
    assert_eq!(a["questions"][2]["answered"], 1, "counted once: {a}");
    let options: i64 = a["questions"][1]["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["count"].as_i64())
        .sum();
    assert_eq!(options + 2, answers, "the counts match the answer rows");
}

#[tokio::test]
async fn the_analysis_is_checked_by_hand_and_anonymity_holds() {
    let app = app().await;
    let pm = manager(&app, "sv_pm4").await;
    let (id, qs) = published(&app, &pm, questionnaire("匿名调查", true, &[])).await;
    // Four owners answer with scores 5, 4, 3, 1; a fifth owner does not answer.
    let mut owners = Vec::new();
    for i in 0..5 {
        owners.push(
            app.api_as(&format!("yz_sv4_{i}"), "owner", &[app.community_a])
                .await,
        );
    }
    let path = format!("/api/v1/portal/surveys/{id}/response");
    for (o, (score, single)) in owners.iter().zip([(5, 0), (4, 0), (3, 1), (1, 2)]) {
        let text = (score == 1).then_some("垃圾清运太慢");
        let (st, v) = o.put(&path, sheet(&qs, single, &[0, 1], score, text)).await;
        assert_eq!(st, 200, "{v}");
    }
    let (st, a) = pm.get(&format!("/api/v1/surveys/{id}/analysis")).await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(
        (a["responses"].as_i64(), a["targeted"].as_i64()),
        (Some(4), Some(5)),
        "{a}"
    );
    // 4 of 5 asked: 80 %. Scores 5, 4, 3, 1: mean 3.25; 4 and 5 are two of four: index 50 %.
    assert_eq!(a["response_rate"], 80.0);
    assert_eq!(a["mean_score"], 3.25);
    assert_eq!(a["satisfaction_index"], 50.0);
    let score = &a["questions"][2];
    assert_eq!(score["scores"], json!([1, 0, 1, 1, 1]));
    assert_eq!(score["mean"], 3.25);
    let single = &a["questions"][0];
    let counts: Vec<i64> = single["options"]
        .as_array()
        .expect("options")
        .iter()
        .filter_map(|o| o["count"].as_i64())
        .collect();
    assert_eq!(counts, [2, 1, 1]);
    assert_eq!(single["options"][0]["share"], 50.0);
    let multiple = &a["questions"][1];
    assert_eq!(multiple["answered"], 4, "respondents, not rows");
    assert_eq!(multiple["options"][0]["share"], 100.0);
    assert_eq!(a["questions"][3]["comments"], json!(["垃圾清运太慢"]));

    // Nobody is named: not in the analysis, not in the export, not in the library.
    let names: Vec<String> = (0..5).map(|i| format!("yz_sv4_{i}业主")).collect();
    let text = a.to_string();
    assert!(names.iter().all(|n| !text.contains(n.as_str())), "{text}");
    let r = pm
        .client
        .get(format!("{}/api/v1/surveys/{id}/export", pm.base))
        .bearer_auth(pm.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    use calamine::Reader;
    let mut wb: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).expect("workbook");
    let sheets = wb.sheet_names();
    assert_eq!(sheets, ["汇总", "答卷"]);
    let rows = wb.worksheet_range("答卷").expect("答卷");
    assert_eq!(rows.height(), 5, "header + four sheets");
    let header: Vec<String> = rows
        .rows()
        .next()
        .expect("header")
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert!(!header.contains(&"姓名".to_string()), "{header:?}");
    let all: String = rows.rows().flatten().map(|c| c.to_string()).collect();
    assert!(names.iter().all(|n| !all.contains(n.as_str())));
    let (_, ops) = pm.get(&format!("/api/v1/opinions?survey_id={id}")).await;
    assert_eq!(
        ops.as_array().map(Vec::len),
        Some(2),
        "the comment and the score of 1: {ops}"
    );
    assert!(
        ops.as_array()
            .expect("list")
            .iter()
            .all(|o| o["person_name"].is_null())
    );
}

#[tokio::test]
async fn publishing_tells_the_owners_asked_and_no_one_else() {
    let app = app().await;
    let admin = app.admin().await;
    let pm = manager(&app, "sv_pm5").await;
    let asked = app.api_as("yz_sv5a", "owner", &[app.community_a]).await;
    let elsewhere = app.api_as("yz_sv5b", "owner", &[app.community_b]).await;
    // A second building of A, where nobody lives yet.
    let (st, b2) = admin
        .post(
            "/api/v1/buildings",
            json!({"community_id": app.community_a.0, "name": "2栋", "floors": 6}),
        )
        .await;
    assert_eq!(st, 201, "{b2}");
    let b2 = b2["id"].as_i64().expect("building");
    let (one, _) = published(
        &app,
        &pm,
        questionnaire("1栋调查", false, &[app.building_a.0]),
    )
    .await;
    let (two, qs2) = published(&app, &pm, questionnaire("2栋调查", false, &[b2])).await;

    let events = |v: &Value| -> Vec<String> {
        v.as_array()
            .into_iter()
            .flatten()
            .filter(|n| n["event"] == "survey_opened")
            .filter_map(|n| n["link"].as_str().map(str::to_string))
            .collect()
    };
    let (_, inbox) = asked.get("/api/v1/notifications").await;
    assert_eq!(
        events(&inbox),
        [format!("/portal/surveys/{one}")],
        "{inbox}"
    );
    assert!(inbox.to_string().contains("1栋调查"));
    let (_, other) = elsewhere.get("/api/v1/notifications").await;
    assert!(events(&other).is_empty(), "{other}");

    // The survey of building 2 does not ask him: refused by name.
    let (st, e) = asked
        .put(
            &format!("/api/v1/portal/surveys/{two}/response"),
            sheet(&qs2, 0, &[], 4, None),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["field"].as_str(), e["code"].as_str()),
        (422, Some("survey_id"), Some("survey_not_targeted")),
        "{e}"
    );
    let (_, mine) = asked.get("/api/v1/portal/surveys").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1), "{mine}");
}

#[tokio::test]
async fn another_communitys_survey_and_opinions_stay_unseen() {
    let app = app().await;
    let admin = app.admin().await;
    let b = app.community_b.0;
    let (st, s) = admin
        .post(
            &format!("/api/v1/communities/{b}/surveys"),
            questionnaire("乙小区调查", false, &[]),
        )
        .await;
    assert_eq!(st, 201, "{s}");
    let id = s["id"].as_i64().expect("id");
    let pm = manager(&app, "sv_pm6").await;
    for path in [
        format!("/api/v1/surveys/{id}"),
        format!("/api/v1/surveys/{id}/analysis"),
        format!("/api/v1/communities/{b}/surveys"),
    ] {
        let (st, _) = pm.get(&path).await;
        assert_eq!(st, 404, "{path}");
    }
    let (st, _) = pm
        .post(&format!("/api/v1/surveys/{id}/open"), json!({}))
        .await;
    assert_eq!(st, 404);
    let owner = app.api_as("yz_sv6", "owner", &[app.community_a]).await;
    let (st, _) = owner.get(&format!("/api/v1/portal/surveys/{id}")).await;
    assert_eq!(st, 404);
    // A service agent (no surveys.manage) may not build one in his own community.
    let agent = app
        .api_as("sv_agent", "service_agent", &[app.community_a])
        .await;
    let (st, _) = agent
        .post(
            &format!("/api/v1/communities/{}/surveys", app.community_a.0),
            questionnaire("无权", false, &[]),
        )
        .await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn opinions_come_from_complaints_low_scores_and_comments_and_a_reply_reaches_the_owner() {
    let app = app().await;
    let pm = manager(&app, "sv_pm7").await;
    let a = app.community_a.0;
    // A complaint and a suggestion registered at the desk; a repair brings no opinion.
    for (kind, category, text) in [
        ("complaint_general", "sanitation", "楼道垃圾三天没人清"),
        ("suggestion", "greening", "建议在南门多种些树"),
        ("repair_common", "water", "地下室漏水"),
    ] {
        let (st, v) = pm
            .post(
                "/api/v1/requests",
                json!({"community_id": a, "kind": kind, "category": category, "channel": "front_desk",
                       "location": "3栋", "description": text, "contact_name": "王先生"}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let owner = app.api_as("yz_sv7", "owner", &[app.community_a]).await;
    let (id, qs) = published(&app, &pm, questionnaire("实名调查", false, &[])).await;
    let (st, v) = owner
        .put(
            &format!("/api/v1/portal/surveys/{id}/response"),
            sheet(&qs, 0, &[], 2, Some("希望物业多公示收费明细")),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    let (st, all) = pm.get(&format!("/api/v1/opinions?community_id={a}")).await;
    assert_eq!(st, 200, "{all}");
    let mut sources: Vec<(String, String)> = all
        .as_array()
        .expect("list")
        .iter()
        .map(|o| {
            (
                o["source"].as_str().unwrap_or("").into(),
                o["topic"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        [
            ("complaint".into(), "environment".into()),
            ("suggestion".into(), "greening".into()),
            ("survey_comment".into(), "environment".into()),
            ("survey_low_score".into(), "service".into()),
        ]
    );
    let comment = all
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["source"] == "survey_comment")
        .expect("the comment")
        .clone();
    assert_eq!(
        comment["person_name"], "yz_sv7业主",
        "a named survey names him"
    );
    assert!(all.to_string().contains("楼道垃圾三天没人清"));

    // Filters: state, topic, source, words, period.
    let ids = |v: &Value| v.as_array().map(Vec::len).unwrap_or(0);
    let (_, v) = pm
        .get(&format!(
            "/api/v1/opinions?community_id={a}&source=complaint"
        ))
        .await;
    assert_eq!(ids(&v), 1);
    let (_, v) = pm
        .get(&format!(
            "/api/v1/opinions?community_id={a}&topic=environment"
        ))
        .await;
    assert_eq!(ids(&v), 2);
    let (_, v) = pm
        .get(&format!("/api/v1/opinions?community_id={a}&q=收费明细"))
        .await;
    assert_eq!(ids(&v), 1);
    let tomorrow = (Utc::now() + Duration::days(1)).date_naive();
    let (_, v) = pm
        .get(&format!(
            "/api/v1/opinions?community_id={a}&from={tomorrow}"
        ))
        .await;
    assert_eq!(ids(&v), 0);
    let (st, e) = pm
        .get(&format!("/api/v1/opinions?community_id={a}&state=done"))
        .await;
    assert_eq!(
        (st.as_u16(), e["field"].as_str()),
        (422, Some("state")),
        "{e}"
    );

    // Re-tagged and replied: the owner's inbox has the reply; the state filter follows.
    let oid = comment["id"].as_i64().expect("opinion id");
    let (st, v) = pm
        .patch(
            &format!("/api/v1/opinions/{oid}"),
            json!({"topic": "fees", "state": "adopted"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["topic"].as_str(), v["state"].as_str()),
        (200, Some("fees"), Some("adopted")),
        "{v}"
    );
    let (st, e) = pm
        .post(
            &format!("/api/v1/opinions/{oid}/reply"),
            json!({"reply": "  "}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["field"].as_str()),
        (422, Some("reply")),
        "{e}"
    );
    let (st, v) = pm
        .post(
            &format!("/api/v1/opinions/{oid}/reply"),
            json!({"reply": "下月起每季度公示收费明细"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["state"].as_str()),
        (200, Some("replied")),
        "{v}"
    );
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let replies: Vec<&Value> = inbox
        .as_array()
        .into_iter()
        .flatten()
        .filter(|n| n["event"] == "opinion_replied")
        .collect();
    assert_eq!(replies.len(), 1, "{inbox}");
    assert!(
        replies[0]["body"]
            .as_str()
            .unwrap_or("")
            .contains("下月起每季度公示收费明细")
    );
    let (_, v) = pm
        .get(&format!("/api/v1/opinions?community_id={a}&state=replied"))
        .await;
    assert_eq!(ids(&v), 1);
    let (_, v) = pm
        .get(&format!("/api/v1/opinions?community_id={a}&state=pending"))
        .await;
    assert_eq!(ids(&v), 3);
    // A desk complaint without a portal account: nobody to reply to.
    let complaint = all
        .as_array()
        .expect("list")
        .iter()
        .find(|o| o["source"] == "complaint")
        .expect("complaint");
    assert_eq!(complaint["can_reply"], false);
    let (st, e) = pm
        .post(
            &format!("/api/v1/opinions/{}/reply", complaint["id"]),
            json!({"reply": "已安排保洁"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (422, Some("opinion_no_one_to_reply")),
        "{e}"
    );

    // Changing the answer keeps the handled opinion and drops the pending one it no longer has.
    let (st, _) = owner
        .put(
            &format!("/api/v1/portal/surveys/{id}/response"),
            sheet(&qs, 0, &[], 5, Some("希望物业多公示收费明细")),
        )
        .await;
    assert_eq!(st, 200);
    let (_, v) = pm.get(&format!("/api/v1/opinions?survey_id={id}")).await;
    assert_eq!(
        ids(&v),
        1,
        "the low score is gone, the replied comment stays: {v}"
    );
    assert_eq!(v[0]["state"], "replied");
}

#[tokio::test]
async fn the_manager_is_reminded_until_a_survey_opens() {
    let app = app().await;
    let pm = manager(&app, "sv_pm8").await;
    let a = app.community_a.0;
    let (_, r) = pm
        .get(&format!("/api/v1/communities/{a}/survey-reminder"))
        .await;
    assert_eq!(
        (r["due"].as_bool(), r["last_opened_at"].is_null()),
        (Some(true), true),
        "{r}"
    );
    published(&app, &pm, questionnaire("本期调查", false, &[])).await;
    let (_, r) = pm
        .get(&format!("/api/v1/communities/{a}/survey-reminder"))
        .await;
    assert_eq!(r["due"], false, "{r}");
}

/// The console's pages as a manager and an owner use them: plain forms, no script.
#[tokio::test]
async fn the_pages_build_publish_answer_and_show_the_analysis() {
    use super::console::{console_login, csrf_from};
    let app = app().await;
    app.user("sv_pm9", "project_manager", &[app.community_a])
        .await;
    let owner_id = app.owner("yz_sv9", app.community_a).await;
    let (owner_name,): (String,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT username FROM users WHERE id = $1",
            wuye_core::args![owner_id],
        )
        .await
        .expect("owner's username");
    let base = &app.base;
    let (pm, token) = console_login(&app, "sv_pm9").await;
    let text =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.text().await.expect("body")) };

    // Reminded on the home page and the list, as no survey ever opened.
    let (_, home) = text(pm.get(format!("{base}/")).send().await.expect("home")).await;
    assert!(
        home.contains("id=\"home-survey-due\""),
        "home page reminder"
    );
    let a = app.community_a.0;
    let (st, list) = text(
        pm.get(format!("{base}/surveys?community={a}"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(st, 200, "{list}");
    assert!(list.contains("id=\"sv-due\""));

    // A refused builder comes back with the input and the message beside the question.
    let form = |title: &str, options: &str| {
        vec![
            ("_csrf".to_string(), token.clone()),
            ("community".into(), a.to_string()),
            ("title".into(), title.to_string()),
            ("audience".into(), "owners".into()),
            ("opens_on".into(), today().to_string()),
            (
                "closes_on".into(),
                (today() + Duration::days(10)).to_string(),
            ),
            ("q0_text".into(), "您对保洁是否满意".into()),
            ("q0_kind".into(), "single".into()),
            ("q0_topic".into(), "environment".into()),
            ("q0_required".into(), "1".into()),
            ("q0_options".into(), options.to_string()),
            ("q1_text".into(), "".into()),
            ("q3_text".into(), "总体评分".into()),
            ("q3_kind".into(), "score".into()),
            ("q3_required".into(), "1".into()),
        ]
    };
    let (st, page) = text(
        pm.post(format!("{base}/surveys/new"))
            .form(&form("保洁调查", ""))
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("至少需要两个选项"), "{page}");
    assert!(page.contains("value=\"保洁调查\""), "the input is kept");
    let r = pm
        .post(format!("{base}/surveys/new"))
        .form(&form("保洁调查", "满意\n不满意"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let at = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let id: i64 = at
        .trim_start_matches("/surveys/")
        .parse()
        .expect("survey id");
    let (_, draft) = text(pm.get(format!("{base}{at}")).send().await.expect("draft")).await;
    assert!(
        draft.contains("id=\"sv-open\""),
        "a draft shows its builder and the publish button"
    );
    assert!(
        draft.contains("总体评分"),
        "the blank slot between closed up"
    );
    let r = pm
        .post(format!("{base}/surveys/{id}/open"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .expect("open");
    assert_eq!(r.status(), 303);

    // The owner answers on his phone page; a required question left out is named beside it.
    let (ow, _) = console_login(&app, &owner_name).await;
    let (_, mine) = text(
        ow.get(format!("{base}/portal/surveys"))
            .send()
            .await
            .expect("mine"),
    )
    .await;
    assert!(mine.contains(&format!("id=\"my-survey-{id}\"")), "{mine}");
    let (st, sheet) = text(
        ow.get(format!("{base}/portal/surveys/{id}"))
            .send()
            .await
            .expect("sheet"),
    )
    .await;
    assert_eq!(st, 200);
    let otoken = csrf_from(&sheet);
    let (_, s) = app
        .admin()
        .await
        .get(&format!("/api/v1/surveys/{id}"))
        .await;
    let q0 = s["questions"][0]["id"].as_i64().expect("q0");
    let q1 = s["questions"][1]["id"].as_i64().expect("q1");
    let (st, refused) = text(
        ow.post(format!("{base}/portal/surveys/{id}"))
            .form(&[("_csrf", otoken.as_str()), (&format!("q{q0}"), "1")])
            .send()
            .await
            .expect("post"),
    )
    .await;
    assert_eq!(st, 422);
    assert!(refused.contains("请回答必答题“总体评分”"), "{refused}");
    let r = ow
        .post(format!("{base}/portal/surveys/{id}"))
        .form(&[
            ("_csrf", otoken.as_str()),
            (&format!("q{q0}"), "1"),
            (&format!("q{q1}"), "4"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let (_, after) = text(
        ow.get(format!("{base}/portal/surveys/{id}"))
            .send()
            .await
            .expect("sheet"),
    )
    .await;
    assert!(after.contains("id=\"sv-answered\""), "{after}");

    // The manager sees the live figures and a chart per question; the exports download.
    let (_, detail) = text(
        pm.get(format!("{base}/surveys/{id}"))
            .send()
            .await
            .expect("detail"),
    )
    .await;
    assert!(detail.contains("<b id=\"sv-responses\">1</b>"), "{detail}");
    assert!(
        detail.contains("<b id=\"sv-index\">100.0%</b>"),
        "one score of 4"
    );
    assert!(detail.contains("<svg"), "charts");
    let r = pm
        .get(format!("{base}/surveys/{id}/export.xlsx"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.expect("bytes")[..2], b"PK");
    let r = pm
        .get(format!("{base}/surveys/{id}/report.pdf"))
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.status(), 200);
    let pdf = r.bytes().await.expect("bytes");
    let (words, _) = super::pdf_text_and_fonts(&pdf);
    assert!(words.contains("保洁调查"), "{words}");
    let (st, _) = text(
        pm.get(format!("{base}/opinions?community={a}"))
            .send()
            .await
            .expect("opinions"),
    )
    .await;
    assert_eq!(st, 200);
}
