//! Staff KPIs (issue 16 point 6), over the API and the console: a month of work orders adds up
//! per person (hand-computed: assigned, resolved, first-time fix, complaint rate, satisfaction,
//! on time) and per team, each scored by his role's card (the built-in one, then the company's
//! own); bad cards named by line and field; who may see and change them; the .xlsx; the page.

use serde_json::{Value, json};

use super::daily_use::html;
use super::duty::staff;
use super::{app, error_fields, new_unit};

pub(crate) async fn act(api: &wuye_testkit::Api, id: i64, body: Value) {
    let (st, v) = api
        .post(&format!("/api/v1/requests/{id}/actions"), body)
        .await;
    assert_eq!(st, 200, "{v}");
}

#[tokio::test]
async fn a_month_of_work_orders_scores_each_person_by_his_card() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, agent) = staff(&app, "ka1", "service_agent").await;
    let (tech_id, tech) = staff(&app, "kt1", "technician").await;
    let (_, pm) = staff(&app, "kp1", "project_manager").await;
    let unit = new_unit(&admin, app.building_a.0, "0301").await;
    let (st, team) = admin
        .post(
            &format!("/api/v1/communities/{a}/teams"),
            json!({"community_id": a, "name": "维修一班", "member_ids": [tech_id.0], "categories": []}),
        )
        .await;
    assert_eq!(st, 201, "{team}");

    // Three work orders to the technician: two done and visited (rated 5 and 2: the second
    // reopens), one open.
    let mut ids = Vec::new();
    for k in 0..3 {
        let (st, r) = agent
            .post(
                "/api/v1/requests",
                json!({"community_id": a, "kind": "repair_unit", "category": "water",
                       "channel": "front_desk", "unit_id": unit, "description": format!("漏水{k}")}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
        let id = r["id"].as_i64().expect("id");
        act(
            &agent,
            id,
            json!({"action": "dispatch", "assignee_id": tech_id.0}),
        )
        .await;
        ids.push(id);
    }
    for (id, rating) in [(ids[0], 5), (ids[1], 2)] {
        act(&tech, id, json!({"action": "accept"})).await;
        act(&tech, id, json!({"action": "done", "note": "已修好"})).await;
        act(
            &agent,
            id,
            json!({"action": "visit", "satisfaction": rating}),
        )
        .await;
    }

    let (st, k) = pm.get(&format!("/api/v1/kpis?community_id={a}")).await;
    assert_eq!(st, 200, "{k}");
    let person = |id: i64| -> Value {
        k["people"]
            .as_array()
            .expect("people")
            .iter()
            .find(|p| p["user_id"] == id)
            .cloned()
            .unwrap_or_else(|| panic!("{id} in {k}"))
    };
    let t = person(tech_id.0);
    let f = &t["figures"];
    assert_eq!(f["assigned"], 3);
    // Rated 2, the second was reopened by its visit: one resolved, and closed first time.
    assert_eq!(f["resolved"], 1, "{f}");
    assert_eq!(f["resolution_rate"], 0.3333);
    assert_eq!(f["closed"], 1);
    assert_eq!(f["first_time_fix_rate"], 1.0);
    assert_eq!(f["complaint_rate"], 0.5);
    assert_eq!(f["satisfaction"], 3.5);
    assert_eq!(f["on_time_rate"], 1.0);
    assert_eq!(f["maintenance_rate"], Value::Null);
    // The built-in technician's card: resolved 1 of 60 (w20), on time 100 % (w30), first-time
    // fix 100 % of 90 % (w20), satisfaction 3.5 of 4.5 (w20); maintenance (w10) not measured:
    // (20 × 0.0167 + 30 + 20 + 20 × 0.7778) ÷ 90 = 73.21.
    assert_eq!(t["score"], 73.21, "{t}");
    assert_eq!(t["lines"].as_array().map(Vec::len), Some(5));
    let ag = agent_of(&k, "ka1姓名");
    assert_eq!(ag["figures"]["registered"], 3);
    assert_eq!(k["teams"][0]["name"], "维修一班");
    assert_eq!(k["teams"][0]["figures"]["resolved"], 1);
    assert_eq!(k["teams"][0]["members"], 1);

    // The company's own card for technicians; bad cards named by line.
    let card = |lines: Value| json!({ "lines": lines });
    for (body, expect) in [
        (
            card(
                json!([{"indicator": "resolved", "weight_pct": 50, "target": "2"},
                        {"indicator": "satisfaction", "weight_pct": 40, "target": "4"}]),
            ),
            vec![("lines", "kpi_weights_sum")],
        ),
        (
            card(
                json!([{"indicator": "speed", "weight_pct": 50, "target": "2"},
                        {"indicator": "on_time_rate", "weight_pct": 50, "target": "120"}]),
            ),
            vec![
                ("lines[0].indicator", "unknown_kpi_indicator"),
                ("lines[1].target", "kpi_target_range"),
            ],
        ),
        (
            card(
                json!([{"indicator": "resolved", "weight_pct": 50, "target": "2"},
                        {"indicator": "办结量", "weight_pct": 50, "target": "4"}]),
            ),
            vec![("lines[1].indicator", "kpi_indicator_twice")],
        ),
        (card(json!([])), vec![("lines", "kpi_lines_range")]),
        (
            card(
                json!([{"indicator": "resolved", "weight_pct": i64::MAX, "target": "2"},
                        {"indicator": "satisfaction", "weight_pct": i64::MAX, "target": "4"}]),
            ),
            vec![
                ("lines[0].weight_pct", "kpi_weight_range"),
                ("lines[1].weight_pct", "kpi_weight_range"),
            ],
        ),
    ] {
        let (st, e) = admin.put("/api/v1/kpi-scorecards/technician", body).await;
        assert_eq!(st, 422, "{e}");
        let want: Vec<(String, String)> = expect
            .iter()
            .map(|(f, c)| (f.to_string(), c.to_string()))
            .collect();
        assert_eq!(error_fields(&e), want);
    }
    let (st, e) = admin
        .put(
            "/api/v1/kpi-scorecards/nobody",
            card(json!([{"indicator": "resolved", "weight_pct": 100, "target": "2"}])),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)[0].1.as_str()),
        (422, "unknown_kpi_role")
    );
    let good = card(
        json!([{"indicator": "resolved", "weight_pct": 50, "target": "2"},
                           {"indicator": "满意度", "weight_pct": 50, "target": "4"}]),
    );
    assert_eq!(
        pm.put("/api/v1/kpi-scorecards/technician", good.clone())
            .await
            .0,
        403
    );
    let (st, c) = admin.put("/api/v1/kpi-scorecards/technician", good).await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(c["is_default"], false);
    let (_, k) = pm.get(&format!("/api/v1/kpis?community_id={a}")).await;
    // 50 × 1/2 + 50 × 3.5/4 = 68.75.
    let t = k["people"]
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["user_id"] == tech_id.0)
        .cloned()
        .expect("tech");
    assert_eq!(t["score"], 68.75);

    // Who sees what; bad months.
    let other = app
        .api_as("kpb", "project_manager", &[app.community_b])
        .await;
    assert_eq!(
        other.get(&format!("/api/v1/kpis?community_id={a}")).await.0,
        404
    );
    assert_eq!(tech.get("/api/v1/kpis").await.0, 403);
    let (st, e) = pm.get("/api/v1/kpis?month=2026-13").await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("month".into(), "invalid_period".into())]
    );
    let resp = pm
        .client
        .get(format!("{}/api/v1/kpis.xlsx", pm.base))
        .bearer_auth(pm.token.as_deref().expect("token"))
        .send()
        .await
        .expect("xlsx");
    assert!(resp.bytes().await.expect("bytes").starts_with(b"PK"));

    // The page: the person's row, the team, the cards.
    let (web, _) = super::console::console_login(&app, "kp1").await;
    let page = html(&web, &app.base, "/kpis").await;
    for id in [
        format!("kpi-{}", tech_id.0),
        "kpi-teams".into(),
        "card-technician".into(),
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains("68.75"));
}

fn agent_of(k: &Value, name: &str) -> Value {
    k["people"]
        .as_array()
        .expect("people")
        .iter()
        .find(|p| p["name"] == name)
        .cloned()
        .unwrap_or_else(|| panic!("{name} in {k}"))
}
