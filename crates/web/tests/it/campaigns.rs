//! Quality campaigns (issue 16 point 5), over the API and the console on a fresh database: the
//! seed's five phases and dates, bad input named with nothing written, a community's self-check
//! plan kept by its manager (owner and day checked), a task done once by its owner, the final
//! audit opened once from the acceptance phase on with the campaign's sheets, another company's
//! community unseen, and the summary that closes it for good.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};

use super::daily_use::html;
use super::duty::staff;
use super::{app, error_fields};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

fn code(e: &Value) -> String {
    e["code"].as_str().unwrap_or_default().to_string()
}

/// Five phases around `today`: the acceptance phase runs now.
fn phases(today: NaiveDate) -> Value {
    let d = |n: i64| (today + Duration::days(n)).to_string();
    json!([
        {"starts_on": d(-40), "ends_on": d(-31)},
        {"starts_on": d(-30), "ends_on": d(-21), "tasks": "召开批评与自我批评会\n编制实施方案"},
        {"starts_on": d(-20), "ends_on": d(-11)},
        {"starts_on": d(-10), "ends_on": d(5)},
        {"starts_on": d(6), "ends_on": d(10)},
    ])
}

#[tokio::test]
async fn a_campaign_runs_its_phases_plans_audits_and_closes() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "qc1", "quality_auditor").await;
    let (_, pm) = staff(&app, "qc2", "project_manager").await;
    let (tech_id, tech) = staff(&app, "qc3", "technician").await;
    let (_, agent) = staff(&app, "qc4", "service_agent").await;
    let (_, sheets) = qa.get("/api/v1/audit-sheets").await;
    let cs = sheets
        .as_array()
        .expect("sheets")
        .iter()
        .find(|s| s["code"] == "customer_service")
        .expect("the seed's sheet")["id"]
        .clone();
    let today = super::latefees::today();

    // The seed's dates by default.
    let body = json!({"name": "品质提升专项工作", "year": 2027, "community_ids": [a],
                      "sheets": [{"sheet_id": cs, "weight_pct": 100}]});
    let (st, seed) = qa.post("/api/v1/quality-campaigns", body).await;
    assert_eq!(st, 201, "{seed}");
    let dates: Vec<(String, String, String)> = seed["phases"]
        .as_array()
        .expect("phases")
        .iter()
        .map(|p| {
            (
                p["phase"].as_str().unwrap_or_default().into(),
                p["starts_on"].as_str().unwrap_or_default().into(),
                p["ends_on"].as_str().unwrap_or_default().into(),
            )
        })
        .collect();
    let want = [
        ("mobilise", "2027-09-25", "2027-10-15"),
        ("self_check", "2027-10-16", "2027-10-30"),
        ("prevent", "2027-11-01", "2027-11-25"),
        ("acceptance", "2027-11-26", "2027-11-28"),
        ("summary", "2027-12-29", "2027-12-31"),
    ];
    assert_eq!(
        dates,
        want.map(|(p, s, e)| (p.to_string(), s.to_string(), e.to_string()))
    );
    assert!(seed["phases"][1]["tasks"].as_array().expect("points").len() >= 3);
    // Its acceptance has not begun: no final audit yet.
    let (st, e) = qa
        .post(
            &format!(
                "/api/v1/quality-campaigns/{}/communities/{a}/audit",
                seed["id"]
            ),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (409, "campaign_before_acceptance".into()),
        "{e}"
    );

    // Bad input named, nothing written.
    let before = app.count("quality_campaigns").await;
    let mut bad_phases = phases(today);
    bad_phases[1]["starts_on"] = json!((today - Duration::days(35)).to_string());
    bad_phases[3]["ends_on"] = json!((today - Duration::days(15)).to_string());
    for (body, want) in [
        (
            json!({"name": " ", "year": 1900, "community_ids": [], "sheets": []}),
            vec!["name", "year", "community_ids", "sheets"],
        ),
        (
            json!({"name": "x", "phases": bad_phases, "community_ids": [a, a, 999_999],
                   "sheets": [{"sheet_id": cs, "weight_pct": 60}]}),
            vec![
                "phases[1].starts_on",
                "phases[3].ends_on",
                "community_ids[1]",
                "community_ids[2]",
                "sheets",
            ],
        ),
        (
            json!({"name": "x", "phases": [], "community_ids": [a],
                   "sheets": [{"sheet_id": cs, "weight_pct": i64::MAX}]}),
            vec!["phases", "sheets[0].weight_pct"],
        ),
    ] {
        let (st, e) = qa.post("/api/v1/quality-campaigns", body).await;
        assert_eq!(st, 422, "{e}");
        let mut got = fields(&e);
        got.sort();
        let mut want: Vec<String> = want.into_iter().map(String::from).collect();
        want.sort();
        assert_eq!(got, want, "{e}");
    }
    assert_eq!(app.count("quality_campaigns").await, before);
    let (st, _) = pm
        .post(
            "/api/v1/quality-campaigns",
            json!({"name": "x", "community_ids": [a], "sheets": [{"sheet_id": cs, "weight_pct": 100}]}),
        )
        .await;
    assert_eq!(st, 403);

    // A campaign in its acceptance phase now.
    let (st, camp) = qa
        .post(
            "/api/v1/quality-campaigns",
            json!({"name": "冬季品质提升", "phases": phases(today), "community_ids": [a],
                   "sheets": [{"sheet_id": cs, "weight_pct": 100}]}),
        )
        .await;
    assert_eq!(st, 201, "{camp}");
    assert_eq!(camp["current_phase"], "acceptance");
    assert_eq!(
        camp["phases"][1]["tasks"],
        json!(["召开批评与自我批评会", "编制实施方案"])
    );
    let id = camp["id"].as_i64().expect("id");

    // The community's manager keeps its plan: owner and day checked.
    let plan = format!("/api/v1/quality-campaigns/{id}/communities/{a}/tasks");
    let (st, e) = pm
        .post(
            &plan,
            json!({"phase": "later", "title": " ", "owner_id": 999_999,
                   "due_on": (today + Duration::days(30)).to_string()}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["phase", "title", "owner_id", "due_on"]);
    let (st, t) = pm
        .post(
            &plan,
            json!({"phase": "self_check", "title": "整理客户档案清册", "owner_id": tech_id.0,
                   "due_on": (today - Duration::days(1)).to_string()}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(
        (t["overdue"].clone(), t["owner_name"].is_string()),
        (json!(true), true)
    );
    let (st, _) = agent.post(&plan, json!({})).await;
    assert!(st == 404 || st == 422, "{st}");
    let done = format!("/api/v1/campaign-tasks/{}/done", t["id"]);
    let (st, e) = agent.post(&done, json!({})).await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (409, "campaign_task_not_owner".into()),
        "{e}"
    );
    let (st, v) = tech.post(&done, json!({"note": "已装订"})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["overdue"].clone(), v["done_note"].clone()),
        (json!(false), json!("已装订"))
    );
    let (st, e) = tech.post(&done, json!({})).await;
    assert_eq!((st.as_u16(), code(&e)), (409, "campaign_task_done".into()));
    let (_, tasks) = pm.get(&plan).await;
    assert_eq!(tasks.as_array().map(Vec::len), Some(1), "{tasks}");

    // The final audit: once, with the campaign's sheet.
    let open = format!("/api/v1/quality-campaigns/{id}/communities/{a}/audit");
    let (st, _) = pm.post(&open, json!({})).await;
    assert_eq!(st, 403);
    let (st, au) = qa.post(&open, json!({})).await;
    assert_eq!(st, 201, "{au}");
    assert_eq!(au["parts"][0]["sheet_id"], cs);
    let (st, e) = qa.post(&open, json!({})).await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (409, "campaign_audit_opened".into())
    );
    let (_, v) = pm.get(&format!("/api/v1/quality-campaigns/{id}")).await;
    assert_eq!(v["communities"][0]["audit"]["number"], au["number"], "{v}");
    assert_eq!(
        (
            v["communities"][0]["tasks"].clone(),
            v["communities"][0]["done"].clone()
        ),
        (json!(1), json!(1))
    );

    // Another community's auditor does not see it.
    let other = app
        .api_as("qcb", "quality_auditor", &[app.community_b])
        .await;
    let (st, _) = other.get(&format!("/api/v1/quality-campaigns/{id}")).await;
    assert_eq!(st, 404);
    let (st, _) = other.get(&plan).await;
    assert_eq!(st, 404);

    // The pages.
    let (web, _) = super::console::console_login(&app, "qc2").await;
    let list = html(&web, &app.base, "/quality-campaigns").await;
    assert!(list.contains("id=\"nav-quality-campaigns\""), "{list}");
    assert!(
        list.contains("冬季品质提升") && !list.contains("id=\"campaign-form\""),
        "{list}"
    );
    let page = html(&web, &app.base, &format!("/quality-campaigns/{id}")).await;
    assert!(
        page.contains("id=\"phase-acceptance\" class=\"now\""),
        "{page}"
    );
    assert!(
        page.contains("整理客户档案清册") && page.contains("id=\"task-form\""),
        "{page}"
    );
    let (web, _) = super::console::console_login(&app, "qc1").await;
    let list = html(&web, &app.base, "/quality-campaigns").await;
    assert!(list.contains("id=\"campaign-form\""), "{list}");

    // The summary closes it; nothing changes after.
    let close = format!("/api/v1/quality-campaigns/{id}/close");
    let (st, e) = qa.post(&close, json!({"summary": " "})).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["summary".to_string()])
    );
    let (st, v) = qa
        .post(
            &close,
            json!({"summary": "查找问题12项，解决11项；档案管理纳入月度检查。"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "closed");
    let (st, e) = qa.post(&close, json!({"summary": "再次"})).await;
    assert_eq!((st.as_u16(), code(&e)), (409, "campaign_closed".into()));
    let (st, e) = pm
        .post(
            &plan,
            json!({"phase": "summary", "title": "总结会", "owner_id": tech_id.0,
                   "due_on": today.to_string()}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), code(&e)),
        (409, "campaign_closed".into()),
        "{e}"
    );
}
