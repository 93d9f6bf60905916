//! The audit log: every create, update and delete with actor, time, before and after.

use serde_json::{Value, json};

use crate::{app, new_unit};

#[tokio::test]
async fn changes_are_logged_with_before_and_after_and_scoped() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "601").await;
    admin
        .patch(&format!("/api/v1/units/{unit}"), json!({"floor": 6}))
        .await;
    let other = new_unit(&admin, app.building_a.0, "602").await;
    admin.delete(&format!("/api/v1/units/{other}")).await;
    new_unit(&admin, app.building_b.0, "601").await;

    let (st, log) = admin
        .get(&format!("/api/v1/audit?entity=unit&entity_id={unit}"))
        .await;
    assert_eq!(st, 200);
    let log = log.as_array().expect("log");
    let actions: Vec<&str> = log
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(actions, vec!["update", "create"]);
    assert_eq!(log[0]["actor_name"], "admin姓名");
    let before: Value =
        serde_json::from_str(log[0]["before_json"].as_str().expect("before")).expect("json");
    let after: Value =
        serde_json::from_str(log[0]["after_json"].as_str().expect("after")).expect("json");
    assert_eq!(
        (before["floor"].as_i64(), after["floor"].as_i64()),
        (Some(3), Some(6))
    );
    let (_, del) = admin
        .get(&format!(
            "/api/v1/audit?entity=unit&entity_id={other}&action=delete"
        ))
        .await;
    assert_eq!(del[0]["after_json"], Value::Null);
    assert!(del[0]["before_json"].as_str().unwrap_or("").contains("602"));

    // A project manager of A sees A's entries only.
    let pm = app
        .api_as("pmgr", "project_manager", &[app.community_a])
        .await;
    let (_, log) = pm.get("/api/v1/audit?entity=unit").await;
    let communities: Vec<i64> = log
        .as_array()
        .expect("log")
        .iter()
        .map(|e| e["community_id"].as_i64().unwrap_or(0))
        .collect();
    assert!(!communities.is_empty());
    assert!(
        communities.iter().all(|c| *c == app.community_a.0),
        "{communities:?}"
    );

    // A failed write leaves no entry.
    let n = app.count("audit_log").await;
    admin.post("/api/v1/units", json!({"building_id": app.building_a.0, "unit_no": "601", "floor": 6, "building_area": 1, "use_kind": "shop", "state": "vacant"})).await;
    assert_eq!(app.count("audit_log").await, n);
}
