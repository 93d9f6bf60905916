//! Emergency plans, incidents and drills (issue 14 point 9), over the API on a fresh database:
//! the seven shipped plans; a plan's checklist and ladder checked field by field; an incident's
//! timeline in order with its times (opening, notification, a step, escalation by the job — each
//! level once —, the notice to the affected units, the analysis, closing); acknowledging stops
//! the ladder; drills.

use chrono::{DateTime, Duration, Utc};
use serde_json::json;

use super::duty::staff;
use super::{app, error_fields};

#[tokio::test]
async fn an_incident_has_its_timeline_in_order_with_times() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, _agent) = staff(&app, "agent", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (_, tech) = staff(&app, "tech1", "technician").await;
    let path = format!("/api/v1/communities/{a}/incidents");
    // Bad input, each named; nothing written.
    let (st, e) = guard
        .post(
            &path,
            json!({"kind": "meteor", "title": "", "place": "3栋", "severity": "big",
                             "building_ids": [app.building_b.0],
                             "started_at": (Utc::now() + Duration::hours(2)).to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let fields: Vec<String> = error_fields(&e).into_iter().map(|(f, _)| f).collect();
    for f in ["kind", "severity", "title", "started_at", "building_ids"] {
        assert!(fields.contains(&f.to_string()), "{f}: {e}");
    }
    assert_eq!(app.count("incidents").await, 0);
    // A guard reports a burst pipe in 1栋's garage: the flood plan is activated.
    let before = Utc::now() - Duration::seconds(1);
    let (st, inc) = guard
        .post(&path, json!({"kind": "flood", "title": "地下车库爆管", "place": "1栋地下车库", "severity": "major",
                             "building_ids": [app.building_a.0]}))
        .await;
    assert_eq!(st, 201, "{inc}");
    let id = inc["id"].as_i64().unwrap();
    assert_eq!(inc["plan_name"], "水浸 / 爆管应急预案");
    assert_eq!(inc["steps"].as_array().map(Vec::len), Some(6));
    assert_eq!(inc["level"], 1);
    let notified = inc["timeline"][1]["detail"].as_str().unwrap();
    for who in ["agent姓名", "guard1姓名", "tech1姓名"] {
        assert!(notified.contains(who), "{notified}");
    }
    assert!(
        !notified.contains("manager1姓名"),
        "the manager is level 2: {notified}"
    );
    // Level 1 was told through the outbox, in the same transaction.
    let (st, inbox) = tech.get("/api/v1/notifications").await;
    assert_eq!(st, 200, "{inbox}");
    assert!(inbox.to_string().contains("地下车库爆管"), "{inbox}");
    // The technician shuts the valve (step 1).
    let step1 = inc["steps"][0]["id"].as_i64().unwrap();
    let (st, inc) = tech
        .post(&format!("/api/v1/incidents/{id}/steps/{step1}"), json!({}))
        .await;
    assert_eq!(st, 200, "{inc}");
    assert!(inc["steps"][0]["done_at"].is_string());
    assert_eq!(inc["steps"][0]["done_by_name"], "tech1姓名");
    let (st, e) = tech
        .post(&format!("/api/v1/incidents/{id}/steps/{step1}"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("incident_step_done"))
    );
    // Nobody acknowledged it: after 15 minutes the job tells level 2, once.
    let opened: DateTime<Utc> = inc["opened_at"].as_str().unwrap().parse().unwrap();
    let later = opened + Duration::minutes(16);
    assert_eq!(
        wuye_core::incidents::run_escalations(&app.core, opened + Duration::minutes(5))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        wuye_core::incidents::run_escalations(&app.core, later)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        wuye_core::incidents::run_escalations(&app.core, later)
            .await
            .unwrap(),
        0
    );
    let (_, inc) = pm.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(inc["level"], 2);
    // The affected building is told in one step: a 停水停电 notice, published.
    let (st, e) = guard
        .post(
            &format!("/api/v1/incidents/{id}/notify-units"),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(st, 403, "{e}");
    let (st, inc) = pm
        .post(
            &format!("/api/v1/incidents/{id}/notify-units"),
            json!({"body": "1栋地下车库水管爆裂，正在抢修，请勿进入。"}),
        )
        .await;
    assert_eq!(st, 200, "{inc}");
    let notice = inc["notice_id"].as_i64().unwrap();
    let (st, n) = pm.get(&format!("/api/v1/announcements/{notice}")).await;
    assert_eq!(st, 200, "{n}");
    assert_eq!(
        (n["category"].as_str(), n["scope"].as_str()),
        (Some("outage"), Some("buildings"))
    );
    assert!(n["publish_at"].is_string(), "{n}");
    let (st, e) = pm
        .post(
            &format!("/api/v1/incidents/{id}/notify-units"),
            json!({"body": "again"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("incident_units_notified"))
    );
    // Closing needs the analysis and the conclusion.
    let (st, e) = pm
        .post(
            &format!("/api/v1/incidents/{id}/close"),
            json!({"analysis": " ", "conclusion": ""}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        vec![
            (
                "analysis".to_string(),
                "incident_analysis_required".to_string()
            ),
            (
                "conclusion".to_string(),
                "incident_conclusion_required".to_string()
            )
        ]
    );
    let (st, inc) = pm
        .post(&format!("/api/v1/incidents/{id}/close"),
              json!({"analysis": "管道老化，冬季低温冻裂。", "conclusion": "已更换管段，排查同批管道。"}))
        .await;
    assert_eq!(st, 200, "{inc}");
    assert_eq!(inc["state"], "closed");
    let kinds: Vec<&str> = inc["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(
        kinds,
        [
            "opened",
            "notified",
            "step",
            "escalated",
            "units_notified",
            "analysis",
            "closed"
        ]
    );
    let times: Vec<DateTime<Utc>> = inc["timeline"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["at"].as_str().unwrap().parse().unwrap())
        .collect();
    assert!(times[0] >= before);
    // The escalation is stamped at the job's "as of" time, 16 minutes after opening.
    assert_eq!(times[3], later);
    assert!(times[3] > times[2]);
    assert!(times[4] <= times[5] && times[5] <= times[6]);
    assert!(
        inc["timeline"][3]["detail"]
            .as_str()
            .unwrap()
            .contains("manager1姓名")
    );
    let (st, e) = tech
        .post(
            &format!("/api/v1/incidents/{id}/steps/{}", inc["steps"][1]["id"]),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("incident_not_open"))
    );
    // Acknowledged in time, an incident escalates no further.
    let (_, other) = guard
        .post(&path, json!({"kind": "elevator", "title": "3号梯困人", "place": "2栋3号梯", "severity": "major"}))
        .await;
    let oid = other["id"].as_i64().unwrap();
    let (st, o) = pm
        .post(&format!("/api/v1/incidents/{oid}/acknowledge"), json!({}))
        .await;
    assert_eq!(st, 200, "{o}");
    assert_eq!(
        wuye_core::incidents::run_escalations(&app.core, Utc::now() + Duration::hours(3))
            .await
            .unwrap(),
        0
    );
    // By hand, a manager still may.
    let (_, o) = pm
        .post(&format!("/api/v1/incidents/{oid}/escalate"), json!({}))
        .await;
    assert_eq!(o["level"], 2, "{o}");
    let (st, list) = guard.get(&format!("{path}?state=open")).await;
    assert_eq!((st.as_u16(), list.as_array().map(Vec::len)), (200, Some(1)));
}

#[tokio::test]
async fn the_plan_library_and_drills() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, tech) = staff(&app, "tech1", "technician").await;
    let (st, plans) = tech.get("/api/v1/emergency-plans").await;
    assert_eq!(st, 200);
    let plans = plans.as_array().unwrap().clone();
    assert_eq!(plans.len(), 7);
    let kinds: Vec<&str> = plans.iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "fire",
            "flood",
            "power_cut",
            "elevator",
            "gas_leak",
            "severe_weather",
            "public_security"
        ]
    );
    assert_eq!(plans[0]["ladder"][1]["after_minutes"], 15);
    let bad = json!({"kind": "fire", "name": "火灾应急预案", "steps": [{"text": "报警", "role": "astronaut"}],
                     "ladder": [{"after_minutes": 10, "roles": ["security"]}, {"after_minutes": 5, "roles": []}]});
    let (st, e) = pm.post("/api/v1/emergency-plans", bad).await;
    assert_eq!(st, 422);
    let fields: Vec<String> = error_fields(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(
        fields,
        [
            "steps[0].role",
            "ladder[1].after_minutes",
            "ladder[1].roles"
        ]
    );
    let good = json!({"kind": "fire", "name": "火灾应急预案", "steps": [{"text": "报警", "role": "security"}],
                      "ladder": [{"after_minutes": 0, "roles": ["security"]}]});
    let (st, e) = pm.post("/api/v1/emergency-plans", good.clone()).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("plan_duplicate_name"))
    );
    let (st, _) = tech.post("/api/v1/emergency-plans", good).await;
    assert_eq!(st, 403);
    // Drills.
    let plan = plans[0]["id"].as_i64().unwrap();
    let path = format!("/api/v1/communities/{a}/drills");
    let future = (Utc::now() + Duration::days(3)).date_naive().to_string();
    let (st, e) = pm.post(&path, json!({"plan_id": plan, "held_on": future, "place": "", "participants": "秩序维护部6人", "findings": "x"})).await;
    assert_eq!(st, 422);
    let fields: Vec<String> = error_fields(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["held_on", "place"]);
    let (st, d) = pm
        .post(&path, json!({"plan_id": plan, "held_on": "2026-11-09", "place": "小区中心广场",
                             "participants": "秩序维护部6人、工程部2人、客服2人", "findings": "疏散用时4分钟；2号消火栓水压偏低，已报修。"}))
        .await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(d["plan_name"], "火灾应急预案");
    let (st, _) = tech.post(&path, json!({"plan_id": plan, "held_on": "2026-11-09", "place": "x", "participants": "x", "findings": "x"})).await;
    assert_eq!(st, 403);
    let (st, list) = tech.get(&path).await;
    assert_eq!((st.as_u16(), list.as_array().map(Vec::len)), (200, Some(1)));
    let owner = app.api_as("owner1", "owner", &[app.community_a]).await;
    let (st, _) = owner.get("/api/v1/emergency-plans").await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn an_open_incident_escalates_by_the_ladder_it_was_opened_with() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (st, inc) = guard
        .post(&format!("/api/v1/communities/{a}/incidents"),
              json!({"kind": "power_cut", "title": "2栋停电", "place": "2栋配电室", "severity": "minor"}))
        .await;
    assert_eq!(st, 201, "{inc}");
    let id = inc["id"].as_i64().unwrap();
    assert_eq!(inc["ladder"][1]["after_minutes"], 15);
    let opened: DateTime<Utc> = inc["opened_at"].as_str().unwrap().parse().unwrap();
    // The plan is rewritten meanwhile: its second level after 40 minutes.
    let (_, plans) = pm.get("/api/v1/emergency-plans").await;
    let mut plan = plans
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["kind"] == "power_cut")
        .unwrap()
        .clone();
    let pid = plan["id"].as_i64().unwrap();
    plan["ladder"][1]["after_minutes"] = json!(40);
    let (st, saved) = pm
        .put(&format!("/api/v1/emergency-plans/{pid}"), plan)
        .await;
    assert_eq!(st, 200, "{saved}");
    assert_eq!(saved["ladder"][1]["after_minutes"], 40);
    // The open incident keeps its own: level 2 is due 15 minutes after it opened, once.
    let (_, inc) = pm.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(inc["ladder"][1]["after_minutes"], 15, "{inc}");
    let at = opened + Duration::minutes(16);
    assert_eq!(
        wuye_core::incidents::run_escalations(&app.core, at)
            .await
            .unwrap(),
        1
    );
    let (_, inc) = pm.get(&format!("/api/v1/incidents/{id}")).await;
    assert_eq!(inc["level"], 2);
    // One opened now follows the plan as rewritten.
    let (st, next) = guard
        .post(&format!("/api/v1/communities/{a}/incidents"),
              json!({"kind": "power_cut", "title": "3栋停电", "place": "3栋配电室", "severity": "minor"}))
        .await;
    assert_eq!(st, 201, "{next}");
    assert_eq!(next["ladder"][1]["after_minutes"], 40);
}
