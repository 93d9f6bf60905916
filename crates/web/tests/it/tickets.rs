//! Service requests and work orders through the API: the whole flow, who may do what, the bad
//! inputs, the pool race, hold pausing a clock, and the SLA scanner on two nodes.

use chrono::{DateTime, Duration, SubsecRound, Utc};
use serde_json::{Value, json};
use wuye_core::args;
use wuye_testkit::{Api, TestApp};

use crate::{app, error_fields, new_unit};

/// Creates a request through the API and returns it.
async fn register(api: &Api, body: Value) -> Value {
    let (st, v) = api.post("/api/v1/requests", body).await;
    assert_eq!(st, 201, "{v}");
    v
}

async fn act(api: &Api, id: i64, body: Value) -> (u16, Value) {
    let (st, v) = api
        .post(&format!("/api/v1/requests/{id}/actions"), body)
        .await;
    (st.as_u16(), v)
}

/// The actions of a timeline, in order.
fn actions(timeline: &Value) -> Vec<&str> {
    timeline
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect()
}

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a time: {v}"))
}

fn clock<'a>(r: &'a Value, name: &str) -> &'a Value {
    r["clocks"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["clock"] == name))
        .unwrap_or_else(|| panic!("clock {name} in {r}"))
}

struct Crew {
    admin: Api,
    agent: Api,
    tech: Api,
    tech_id: i64,
    unit: i64,
    /// "更换水龙头" at ¥35.50 on community A's price list.
    tap: i64,
}

async fn crew(app: &TestApp) -> Crew {
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "1801").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let tech = app.api_as("tech", "technician", &[app.community_a]).await;
    let (_, list) = agent
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    let tech_id = list[0]["id"]
        .as_i64()
        .expect("the technician is assignable");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let (st, tap) = admin
        .put(
            &format!("/api/v1/communities/{}/paid-services", app.community_a.0),
            json!({"community_id": 0, "code": "tap", "name": "更换水龙头", "unit_name": "个", "price": "35.50"}),
        )
        .await;
    assert_eq!(st, 200, "{tap}");
    Crew {
        tap: tap["id"].as_i64().expect("service id"),
        admin,
        agent,
        tech,
        tech_id,
        unit,
    }
}

#[tokio::test]
async fn register_dispatch_work_and_close_with_a_return_visit() {
    let app = app().await;
    let c = crew(&app).await;
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
               "channel": "hotline", "unit_id": c.unit, "contact_name": "王先生",
               "contact_phone": "13812345678", "description": "厨房水管漏水"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    assert_eq!(r["number"], "BX-000001");
    assert_eq!(r["state"], "registered");
    assert_eq!(r["unit_label"], "1栋-1801");
    assert_eq!(r["contact_phone"], "138****5678", "masked");
    // The promise defaults to two days; water faults need someone on site in 30 min; the
    // hotline answers in 48 h; any request is fed back in 4 h.
    let created = time(&r["created_at"]);
    assert_eq!(time(&r["promise_at"]) - created, Duration::days(2));
    assert_eq!(
        time(&clock(&r, "on_site")["due_at"]) - created,
        Duration::minutes(30)
    );
    assert_eq!(
        time(&clock(&r, "feedback")["due_at"]) - created,
        Duration::hours(4)
    );
    assert_eq!(
        time(&clock(&r, "hotline")["due_at"]) - created,
        Duration::hours(48)
    );
    assert_eq!(clock(&r, "on_site")["status"], "running");
    assert_eq!(r["clocks"].as_array().map(Vec::len), Some(3));

    // Not yet done: no visit, no closing.
    let (st, v) = act(&c.agent, id, json!({"action": "close"})).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("request_not_done")));
    let (st, v) = act(&c.agent, id, json!({"action": "visit", "satisfaction": 5})).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("request_not_done")));

    // The technician sees nothing before it is his.
    let (st, _) = c.tech.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(st, 404);
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    assert_eq!((st, v["state"].as_str()), (200, Some("dispatched")), "{v}");
    let (_, mine) = c.tech.get("/api/v1/requests?view=assigned").await;
    assert_eq!(mine[0]["id"], id);
    let (_, notes) = c.tech.get("/api/v1/notifications?unread=true").await;
    assert_eq!(notes[0]["kind"], "assigned");

    let (st, v) = act(&c.tech, id, json!({"action": "on_site"})).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("request_not_assignable"))
    );
    // The technician on his way may see the customer's number in full (audit-logged).
    let (st, v) = c
        .tech
        .post(&format!("/api/v1/requests/{id}/contact"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), v["contact_phone"].as_str()),
        (200, Some("13812345678"))
    );
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'request' AND action = 'reveal' AND entity_id = $1",
            args![id],
        )
        .await
        .expect("count");
    assert_eq!(n, 1);
    let other = app.api_as("tech_x", "technician", &[app.community_a]).await;
    let (st, _) = other
        .post(&format!("/api/v1/requests/{id}/contact"), json!({}))
        .await;
    assert_eq!(st, 404, "not his order: he does not see it at all");
    let (st, _) = act(&c.tech, id, json!({"action": "accept"})).await;
    assert_eq!(st, 200);
    let (st, v) = act(&c.tech, id, json!({"action": "on_site"})).await;
    assert_eq!(st, 200);
    assert_eq!(clock(&v, "on_site")["status"], "met");
    let (st, v) = act(
        &c.tech,
        id,
        json!({"action": "done", "materials": "三通 1 个", "labour_minutes": 40,
               "services": [{"service_id": 999999, "quantity": 1}, {"service_id": c.tap, "quantity": 0}]}),
    )
    .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        [
            ("services[0].service_id".into(), "unknown_service".into()),
            ("services[1].quantity".into(), "out_of_range".into())
        ]
    );
    let (st, v) = act(
        &c.tech,
        id,
        json!({"action": "done", "materials": "三通 1 个", "labour_minutes": 40,
               "services": [{"service_id": c.tap, "quantity": 2}], "note": "更换三通"}),
    )
    .await;
    assert_eq!((st, v["state"].as_str()), (200, Some("done")), "{v}");
    assert_eq!(v["charge_fen"], 7100, "2 × ¥35.50");
    // Handed over to billing: one pending charge on the unit.
    let (_, pending) = c
        .admin
        .get(&format!(
            "/api/v1/communities/{}/pending-charges",
            app.community_a.0
        ))
        .await;
    assert_eq!(pending.as_array().map(Vec::len), Some(1), "{pending}");
    assert_eq!(
        (
            pending[0]["unit_id"].as_i64(),
            pending[0]["amount_fen"].as_i64(),
            pending[0]["source"].as_str()
        ),
        (Some(c.unit), Some(7100), Some("request"))
    );
    let (_, lines) = c.agent.get(&format!("/api/v1/requests/{id}/charges")).await;
    assert_eq!(lines[0]["name"], "更换水龙头");
    assert_eq!(lines[0]["amount_fen"], 7100);
    assert_eq!(v["labour_minutes"], 40);
    for k in ["feedback", "on_site", "hotline"] {
        assert_eq!(clock(&v, k)["status"], "met", "{k}");
    }
    // The first responder sees it in "my requests" with the work's state.
    let (_, mine) = c.agent.get("/api/v1/requests?view=mine").await;
    assert_eq!(
        (mine[0]["id"].as_i64(), mine[0]["state"].as_str()),
        (Some(id), Some("done"))
    );

    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "visit", "satisfaction": 5, "note": "很满意"}),
    )
    .await;
    assert_eq!((st, v["state"].as_str()), (200, Some("closed")), "{v}");
    assert_eq!(v["rated_via"], "phone");

    // The whole story, in the timeline and in the audit log.
    let (_, tl) = c
        .agent
        .get(&format!("/api/v1/requests/{id}/timeline"))
        .await;
    let actions = actions(&tl);
    assert_eq!(
        actions,
        ["register", "dispatch", "accept", "on_site", "done", "visit"]
    );
    assert_eq!(tl[1]["actor_name"], "agent姓名");
    assert_eq!(tl[4]["note"], "更换三通");
    assert_eq!(tl[5]["to_state"], "closed");
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'request' AND entity_id = $1",
            args![id],
        )
        .await
        .expect("count");
    assert_eq!(n, 7, "one audit entry per change, and the reveal");
}

#[tokio::test]
async fn bad_input_is_refused_and_nothing_is_written() {
    let app = app().await;
    let c = crew(&app).await;
    let admin = c.admin.clone();
    let unit_b = new_unit(&admin, app.building_b.0, "101").await;
    let base = json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
                      "channel": "front_desk", "description": "漏水"});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let before = app.count("requests").await;

    // Several problems at once, each named.
    let (st, v) = admin
        .post(
            "/api/v1/requests",
            with(
                json!({"kind": "party", "category": "magic", "channel": "", "description": " ",
                        "contact_phone": "12"}),
            ),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let fields: Vec<String> = error_fields(&v).into_iter().map(|f| f.0).collect();
    for f in [
        "kind",
        "channel",
        "contact_phone",
        "description",
        "category",
    ] {
        assert!(fields.contains(&f.to_string()), "{f} in {v}");
    }
    // A NUL byte (PostgreSQL refuses it in text) is an unknown category, not a server error.
    let (st, v) = admin
        .post(
            "/api/v1/requests",
            with(json!({"category": "wa\u{0}ter", "unit_id": c.unit})),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("category")));
    let (st, _) = app
        .api(None)
        .post(
            "/api/v1/portal/activate",
            json!({"username": "yz\u{0}1", "activation_code": "1\u{0}", "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(st, 422);
    // An in-unit repair needs a unit; an unknown unit; a unit of another community.
    let (_, v) = admin.post("/api/v1/requests", base.clone()).await;
    assert_eq!(
        error_fields(&v),
        [("unit_id".into(), "unit_required_for_repair".into())]
    );
    let (_, v) = admin
        .post("/api/v1/requests", with(json!({"unit_id": 999999})))
        .await;
    assert_eq!(
        error_fields(&v),
        [("unit_id".into(), "unknown_unit".into())]
    );
    let (_, v) = admin
        .post("/api/v1/requests", with(json!({"unit_id": unit_b})))
        .await;
    assert_eq!(
        error_fields(&v),
        [("unit_id".into(), "unit_not_in_community".into())]
    );
    // The agent of community A does not know community B's unit exists.
    let (_, v) = c
        .agent
        .post("/api/v1/requests", with(json!({"unit_id": unit_b})))
        .await;
    assert_eq!(
        error_fields(&v),
        [("unit_id".into(), "unknown_unit".into())]
    );
    // A promise beyond seven days.
    let far = (Utc::now() + Duration::days(8)).to_rfc3339();
    let (st, v) = c
        .agent
        .post(
            "/api/v1/requests",
            with(json!({"unit_id": c.unit, "promise_at": far})),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str(), v["code"].as_str()),
        (422, Some("promise_at"), Some("promise_beyond_7_days"))
    );
    assert!(v["message"].as_str().unwrap_or("").contains("7 天"), "{v}");
    // Another community entirely.
    let (st, _) = c
        .agent
        .post(
            "/api/v1/requests",
            with(json!({"community_id": app.community_b.0})),
        )
        .await;
    assert_eq!(st, 404);
    // A technician does not register requests.
    let (st, _) = c
        .tech
        .post("/api/v1/requests", with(json!({"unit_id": c.unit})))
        .await;
    assert_eq!(st, 403);
    // Wrong JSON types name the field.
    let (st, v) = c
        .agent
        .post("/api/v1/requests", with(json!({"unit_id": "abc"})))
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("unit_id")));
    assert_eq!(app.count("requests").await, before, "nothing written");
    assert_eq!(app.count("request_clocks").await, 0);
    assert_eq!(app.count("request_events").await, 0);

    // The promise: postponed once with a reason, never twice, never beyond the week.
    let r = register(&c.agent, with(json!({"unit_id": c.unit}))).await;
    let id = r["id"].as_i64().expect("id");
    let created = time(&r["created_at"]);
    let later = (created + Duration::days(5)).to_rfc3339();
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "postpone", "promise_at": later}),
    )
    .await;
    assert_eq!((st, v["code"].as_str()), (422, Some("reason_required")));
    let too_far = (created + Duration::days(7) + Duration::hours(1)).to_rfc3339();
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "postpone", "promise_at": too_far, "note": "等配件"}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (422, Some("promise_beyond_7_days"))
    );
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "postpone", "promise_at": later, "note": "等配件"}),
    )
    .await;
    assert_eq!(
        (st, v["promise_postponed"].as_bool()),
        (200, Some(true)),
        "{v}"
    );
    let even_later = (created + Duration::days(6)).to_rfc3339();
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "postpone", "promise_at": even_later, "note": "还要等"}),
    )
    .await;
    assert_eq!(
        (st, v["code"].as_str()),
        (409, Some("promise_already_postponed"))
    );
    let (_, r2) = c.agent.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(time(&r2["promise_at"]), created + Duration::days(5));

    // Accepting an order assigned to someone else.
    let other = app.api_as("tech2", "technician", &[app.community_a]).await;
    act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    let (st, _) = act(&other, id, json!({"action": "accept"})).await;
    assert_eq!(st, 404, "tech2 does not even see tech's order");
    let (_, v) = admin
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    let tech2_id = v
        .as_array()
        .expect("list")
        .iter()
        .find(|u| u["name"] == "tech2姓名")
        .and_then(|u| u["id"].as_i64())
        .expect("tech2");
    let manager = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let (st, v) = act(&manager, id, json!({"action": "accept"})).await;
    assert_eq!(
        (st, v["code"].as_str()),
        (403, Some("forbidden")),
        "a manager does not work orders"
    );
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": tech2_id}),
    )
    .await;
    assert_eq!(
        (st, v["state"].as_str()),
        (200, Some("dispatched")),
        "a second dispatch is a transfer"
    );
    let (st, v) = act(&c.tech, id, json!({"action": "accept"})).await;
    assert_eq!(st, 404, "transferred away from tech: {v}");
    let (_, tl) = c
        .agent
        .get(&format!("/api/v1/requests/{id}/timeline"))
        .await;
    assert_eq!(
        tl.as_array()
            .and_then(|a| a.last())
            .map(|e| e["action"].clone()),
        Some(json!("transfer"))
    );
    // Unknown action; satisfaction out of range.
    let (st, v) = act(&c.agent, id, json!({"action": "explode"})).await;
    assert_eq!((st, v["field"].as_str()), (422, Some("action")));
}

#[tokio::test]
async fn two_technicians_grab_one_order_and_exactly_one_wins() {
    let app = app().await;
    let c = crew(&app).await;
    let tech2 = app.api_as("tech2", "technician", &[app.community_a]).await;
    // Lighting goes to the pool by default.
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "lighting",
               "channel": "patrol", "location": "3栋电梯厅", "description": "灯不亮"}),
    )
    .await;
    assert_eq!(r["state"], "pooled");
    let id = r["id"].as_i64().expect("id");
    let (_, pool) = tech2.get("/api/v1/requests?view=pool").await;
    assert_eq!(pool[0]["id"], id);
    for _round in 0..3 {
        let (a, b) = tokio::join!(
            act(&c.tech, id, json!({"action": "grab"})),
            act(&tech2, id, json!({"action": "grab"}))
        );
        let mut codes = [a.0, b.0];
        codes.sort();
        assert_eq!(codes, [200, 409], "{a:?} {b:?}");
        let loser = if a.0 == 409 { &a.1 } else { &b.1 };
        assert_eq!(loser["code"], "request_already_taken");
        let winner = if a.0 == 200 { &c.tech } else { &tech2 };
        let (st, v) = act(
            winner,
            id,
            json!({"action": "to_pool", "note": "缺少灯管，退回"}),
        )
        .await;
        assert_eq!((st, v["state"].as_str()), (200, Some("pooled")), "{v}");
    }
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM request_events WHERE request_id = $1 AND action = 'grab'",
            args![id],
        )
        .await
        .expect("count");
    assert_eq!(n, 3, "one grab recorded per round");
}

#[tokio::test]
async fn registrations_arriving_together_are_numbered_without_gaps_and_written_whole() {
    let app = app().await;
    let c = crew(&app).await;
    let ca = app.community_a.0;
    let mut set = tokio::task::JoinSet::new();
    for k in 0..40 {
        let agent = c.agent.clone();
        let body = match k % 4 {
            0 => json!({"community_id": ca, "kind": "repair_unit", "category": "water",
                        "channel": "front_desk", "unit_id": c.unit, "description": format!("漏水 {k}")}),
            1 => json!({"community_id": ca, "kind": "complaint_general", "category": "noise",
                        "channel": "hotline", "description": format!("夜间噪音 {k}")}),
            // Lighting goes to the pool: a second timeline line.
            2 => json!({"community_id": ca, "kind": "repair_common", "category": "lighting",
                        "channel": "patrol", "location": "2栋大堂", "description": format!("灯不亮 {k}")}),
            _ => json!({"community_id": ca, "kind": "inquiry", "category": "fees",
                        "channel": "wechat", "description": format!("咨询物业费 {k}")}),
        };
        set.spawn(async move { (k, agent.post("/api/v1/requests", body).await) });
    }
    let mut numbers = Vec::new();
    let mut answers = Vec::new();
    while let Some(done) = set.join_next().await {
        let (k, (st, v)) = done.expect("task");
        assert_eq!(st, 201, "{v}");
        let number = v["number"].as_str().expect("number").to_string();
        let prefix = ["BX", "TS", "BX", "FW"][k % 4];
        assert!(number.starts_with(&format!("{prefix}-")), "{k}: {number}");
        assert_eq!(
            v["description"]
                .as_str()
                .map(|d| d.ends_with(&format!(" {k}"))),
            Some(true)
        );
        numbers.push(number[3..].parse::<i64>().expect("numeric part"));
        answers.push((k, v));
    }
    numbers.sort();
    assert_eq!(
        numbers,
        (1..=40).collect::<Vec<i64>>(),
        "gapless, each once"
    );
    for (k, v) in &answers {
        let id = v["id"].as_i64().expect("id");
        // What was answered is what was stored.
        let (st, stored) = c.agent.get(&format!("/api/v1/requests/{id}")).await;
        assert_eq!(st, 200);
        assert_eq!(stored["number"], v["number"]);
        assert_eq!(stored["state"], v["state"]);
        assert_eq!(
            stored["clocks"].as_array().map(Vec::len),
            v["clocks"].as_array().map(Vec::len)
        );
        assert!(!v["clocks"].as_array().expect("clocks").is_empty());
        let (_, tl) = c
            .agent
            .get(&format!("/api/v1/requests/{id}/timeline"))
            .await;
        let actions = actions(&tl);
        let expected: &[&str] = if k % 4 == 2 {
            &["register", "to_pool"]
        } else {
            &["register"]
        };
        assert_eq!(actions, expected, "{k}");
        assert_eq!(v["state"], if k % 4 == 2 { "pooled" } else { "registered" });
    }
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'request' AND action = 'create'",
            args![],
        )
        .await
        .expect("count");
    assert_eq!(n, 40, "one audit entry each");
}

#[tokio::test]
async fn an_unsatisfied_owner_reopens_the_request() {
    let app = app().await;
    let c = crew(&app).await;
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "complaint_general", "category": "noise",
               "channel": "front_desk", "unit_id": c.unit, "description": "楼上装修噪音"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    assert_eq!(r["number"], "TS-000001");
    let created = time(&r["created_at"]);
    assert_eq!(
        time(&clock(&r, "on_site")["due_at"]) - created,
        Duration::hours(1)
    );
    assert_eq!(
        time(&clock(&r, "resolve")["due_at"]) - created,
        Duration::hours(8)
    );
    act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    act(&c.tech, id, json!({"action": "accept"})).await;
    let (st, _) = act(&c.tech, id, json!({"action": "done", "note": "已协调"})).await;
    assert_eq!(st, 200);
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "visit", "satisfaction": 2, "note": "仍然很吵"}),
    )
    .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "registered");
    assert_eq!(v["reopen_count"], 1);
    assert_eq!(v["satisfaction"], 2);
    assert_eq!(
        v["assignee_id"], c.tech_id,
        "the last assignee stays on record"
    );
    let (st, v) = act(&c.agent, id, json!({"action": "visit", "satisfaction": 9})).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("request_not_done")));
    // Back at the desk: the last technician cannot finish or hold it until it is dispatched again.
    let (st, _) = act(&c.tech, id, json!({"action": "done"})).await;
    assert_eq!(st, 403);
    let (st, _) = act(&c.tech, id, json!({"action": "hold", "note": "x"})).await;
    assert_eq!(st, 403);
    // A register-only role does not browse the pool.
    let guard = app.api_as("guard", "security", &[app.community_a]).await;
    let (st, _) = guard.get("/api/v1/requests?view=pool").await;
    assert_eq!(st, 403);
    let (st, _) = guard
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    assert_eq!(st, 200, "the desk roles may see whom to dispatch to");
    // Dispatched again, to the same technician.
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    assert_eq!((st, v["state"].as_str()), (200, Some("dispatched")), "{v}");
    let (_, notes) = c.agent.get("/api/v1/notifications").await;
    assert!(
        notes
            .as_array()
            .expect("notes")
            .iter()
            .any(|n| n["kind"] == "reopened" && n["request_id"] == id),
        "{notes}"
    );
}

#[tokio::test]
async fn a_clock_configured_to_pause_stops_while_on_hold() {
    let app = app().await;
    let c = crew(&app).await;
    let manager = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let path = format!("/api/v1/communities/{}/sla", app.community_a.0);
    // Bad settings name their field.
    let (st, v) = manager
        .put(
            &path,
            json!({"community_id": 0, "category": "noise", "clock": "resolve", "enabled": true}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("minutes")));
    let (st, v) = manager
        .put(&path, json!({"community_id": 0, "category": "nothing", "clock": "resolve", "enabled": true, "minutes": 60}))
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("category")));
    let (st, _) = c
        .agent
        .put(&path, json!({"community_id": 0, "category": "noise", "clock": "resolve", "enabled": true, "minutes": 600}))
        .await;
    assert_eq!(st, 403, "agents do not set the clocks");
    // Noise complaints here: resolved in 10 h, paused while on hold.
    let (st, v) = manager
        .put(
            &path,
            json!({"community_id": 0, "category": "noise", "clock": "resolve", "enabled": true,
                           "minutes": 600, "pauses_on_hold": true}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "complaint_general", "category": "noise",
               "channel": "front_desk", "description": "夜间施工"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    let created = time(&r["created_at"]);
    let due = time(&clock(&r, "resolve")["due_at"]);
    assert_eq!(due - created, Duration::hours(10));
    let on_site_due = time(&clock(&r, "on_site")["due_at"]);

    let (st, v) = act(&c.agent, id, json!({"action": "hold"})).await;
    assert_eq!((st, v["code"].as_str()), (422, Some("reason_required")));
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "hold", "note": "等业主回家"}),
    )
    .await;
    assert_eq!((st, v["state"].as_str()), (200, Some("on_hold")), "{v}");
    assert_eq!(clock(&v, "resolve")["status"], "paused");
    assert_eq!(
        clock(&v, "on_site")["paused"],
        false,
        "on_site does not pause"
    );
    // Two hours on hold (moved back in the database rather than waited for).
    let mut tx = app.core.db.begin().await.expect("begin");
    tx.execute(
        "UPDATE request_clocks SET paused_since = $1 WHERE request_id = $2 AND clock = 'resolve'",
        args![Utc::now() - Duration::hours(2), id],
    )
    .await
    .expect("backdate");
    tx.commit().await.expect("commit");
    let (st, v) = act(&c.agent, id, json!({"action": "resume"})).await;
    assert_eq!((st, v["state"].as_str()), (200, Some("registered")), "{v}");
    let moved = time(&clock(&v, "resolve")["due_at"]) - due;
    assert!(
        moved >= Duration::hours(2) && moved < Duration::hours(2) + Duration::seconds(30),
        "the deadline moved by the time held: {moved}"
    );
    assert_eq!(time(&clock(&v, "on_site")["due_at"]), on_site_due);
    let (st, v) = act(&c.agent, id, json!({"action": "resume"})).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("request_not_on_hold")));
}

#[tokio::test]
async fn the_scanner_warns_and_escalates_exactly_once_across_two_nodes() {
    let app = app().await;
    let c = crew(&app).await;
    let _manager = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let mut ids = Vec::new();
    for i in 0..30 {
        let r = register(
            &c.agent,
            json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "elevator",
                   "channel": "front_desk", "location": format!("{i}号电梯"), "description": "困人"}),
        )
        .await;
        ids.push(r["id"].as_i64().expect("id"));
    }
    // 30 requests × (feedback 4 h, on site 30 min) = 60 clocks.
    let second = app.second_core().await;
    // 26 minutes on: every on-site clock (30 min, warned 6 min before) is at risk.
    let at = Utc::now() + Duration::minutes(26);
    let (a, b) = tokio::join!(
        wuye_core::tickets::scan_clocks(&app.core, at),
        wuye_core::tickets::scan_clocks(&second, at)
    );
    let (a, b) = (a.expect("scan 1"), b.expect("scan 2"));
    assert_eq!(a.warned + b.warned, 30, "{a:?} {b:?}");
    assert_eq!(a.breached + b.breached, 0);
    // 5 hours on: all 60 clocks breached; the feedback clocks (warned at 4 h − 48 min) were
    // never warned before their breach: the breach stands for both.
    let at = Utc::now() + Duration::hours(5);
    let (a, b) = tokio::join!(
        wuye_core::tickets::scan_clocks(&app.core, at),
        wuye_core::tickets::scan_clocks(&second, at)
    );
    let (a, b) = (a.expect("scan 1"), b.expect("scan 2"));
    assert_eq!(
        (a.breached + b.breached, a.warned + b.warned),
        (60, 0),
        "{a:?} {b:?}"
    );
    let again = wuye_core::tickets::scan_clocks(&app.core, at + Duration::hours(1))
        .await
        .expect("scan");
    assert_eq!(again, Default::default(), "nothing twice");

    let count = |sql: &'static str| {
        let core = app.core.clone();
        async move {
            let (n,): (i64,) = core.db.read().fetch_one(sql, args![]).await.expect("count");
            n
        }
    };
    // Warnings go to the owner (agent) and the assignee (none here); breaches to the manager.
    assert_eq!(
        count("SELECT COUNT(*) FROM notifications WHERE kind = 'sla_warning'").await,
        30
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM notifications WHERE kind = 'sla_breach'").await,
        60
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM request_events WHERE action = 'clock_breach'").await,
        60
    );
    assert_eq!(
        count("SELECT COUNT(*) FROM request_clocks WHERE breached_at IS NOT NULL").await,
        60
    );
    let (_, r) = c.agent.get(&format!("/api/v1/requests/{}", ids[0])).await;
    // Still open and past due (the breach time was simulated; real time has not passed): the
    // clock is running, and the board shows breached and at-risk first.
    assert_eq!(r["escalations"], 2);
    // The lease: one node holds the job, the other is refused until it expires.
    let now = Utc::now();
    assert!(
        wuye_core::shared::jobs::claim_lease(
            &app.core,
            "sla_scanner",
            "node-a",
            Duration::seconds(60),
            now
        )
        .await
        .expect("claim")
    );
    assert!(
        !wuye_core::shared::jobs::claim_lease(
            &second,
            "sla_scanner",
            "node-b",
            Duration::seconds(60),
            now
        )
        .await
        .expect("claim")
    );
    assert!(
        wuye_core::shared::jobs::claim_lease(
            &second,
            "sla_scanner",
            "node-b",
            Duration::seconds(60),
            now + Duration::seconds(61)
        )
        .await
        .expect("claim")
    );
    second.db.close().await;
}

#[tokio::test]
async fn round_robin_and_the_board() {
    let app = app().await;
    let c = crew(&app).await;
    let t2 = app.user("tech2", "technician", &[app.community_a]).await;
    // Sanitation goes round in turn.
    let mut got = Vec::new();
    for _ in 0..4 {
        let r = register(
            &c.agent,
            json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "sanitation",
                   "channel": "front_desk", "location": "地库", "description": "有垃圾"}),
        )
        .await;
        assert_eq!(r["state"], "dispatched");
        got.push(r["assignee_id"].as_i64().expect("assignee"));
    }
    assert_eq!(got, [c.tech_id, t2.0, c.tech_id, t2.0]);
    let (st, board) = c.agent.get("/api/v1/requests/board").await;
    assert_eq!(st, 200);
    assert_eq!(board.as_array().map(Vec::len), Some(4));
    let (st, _) = c.tech.get("/api/v1/requests/board").await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn the_calendar_imports_from_a_file_and_feeds_working_day_clocks() {
    let app = app().await;
    let admin = app.admin().await;
    let file = "# 2026 国庆节\n2026-10-01..2026-10-07,休,国庆节\n2026-09-20,班,国庆节调休\n2026-10-10,班,国庆节调休\n";
    let (st, v) = admin
        .post("/api/v1/calendar/import", json!({"text": file}))
        .await;
    assert_eq!((st.as_u16(), v["saved"].as_i64()), (200, Some(9)), "{v}");
    let (_, year) = admin.get("/api/v1/calendar?year=2026").await;
    assert_eq!(year.as_array().map(Vec::len), Some(9));
    assert_eq!(year[0]["day"], "2026-09-20");
    assert_eq!(year[0]["kind"], "workday");
    let bad = "2026-10-01,休,国庆\n2026-02-30,休,x\n";
    let (st, v) = admin
        .post("/api/v1/calendar/import", json!({"text": bad}))
        .await;
    assert_eq!(st, 422);
    assert_eq!(error_fields(&v), [("line 2".into(), "invalid_date".into())]);
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let (st, _) = agent
        .post("/api/v1/calendar/import", json!({"text": file}))
        .await;
    assert_eq!(st, 403);
    let (st, _) = admin.delete("/api/v1/calendar/2026-10-10").await;
    assert_eq!(st, 204);
    let (st, _) = admin.delete("/api/v1/calendar/2026-10-10").await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn the_desk_form_finds_the_unit_by_label_or_by_phone() {
    let app = app().await;
    let c = crew(&app).await;
    let (st, p) = c
        .admin
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "李四", "phone": "13900001111",
                   "unit_id": c.unit, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (web, token) = crate::console::console_login(&app, "agent").await;
    let post = |form: Vec<(&'static str, String)>| {
        let web = web.clone();
        let url = format!("{}/requests/new", app.base);
        async move {
            let r = web.post(url).form(&form).send().await.expect("post");
            let status = r.status().as_u16();
            let loc = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (status, loc, r.text().await.unwrap_or_default())
        }
    };
    let base = |unit: &str, phone: &str| {
        vec![
            ("_csrf", token.clone()),
            ("community_id", app.community_a.0.to_string()),
            ("kind", "repair_unit".to_string()),
            ("category", "water".to_string()),
            ("channel", "hotline".to_string()),
            ("urgency", "normal".to_string()),
            ("unit", unit.to_string()),
            ("contact_phone", phone.to_string()),
            ("description", "卫生间漏水".to_string()),
        ]
    };
    // An unknown unit: the form comes back with the message beside the field.
    let (st, _, html) = post(base("9栋-9999", "")).await;
    assert_eq!(st, 422);
    assert!(html.contains("房屋（楼栋-房号）：房屋不存在"), "{html}");
    assert_eq!(app.count("requests").await, 0);
    // A problem of the form's own (the assignee is not a number) on an otherwise valid request:
    // the form comes back and nothing is registered (resubmitting would make a second one).
    let mut bad = base("1栋-1801", "");
    bad.push(("assignee_id", "x".to_string()));
    let (st, _, _) = post(bad).await;
    assert_eq!(st, 422);
    assert_eq!(app.count("requests").await, 0);
    // By label.
    let (st, loc, _) = post(base("1栋-1801", "")).await;
    assert_eq!((st, loc.starts_with("/requests/")), (303, true));
    // By the owner's phone alone: the owner and the unit are found.
    let (st, loc, _) = post(base("", "13900001111")).await;
    assert_eq!(st, 303);
    let id: i64 = loc.trim_start_matches("/requests/").parse().expect("id");
    let (_, r) = c.agent.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(r["unit_id"], c.unit);
    assert_eq!(r["person_id"], p["id"]);
    assert_eq!(
        r["contact_name"], "李四",
        "the person's name fills the contact"
    );
    assert_eq!(r["contact_phone"], "139****1111");
    // Photos from the request's page (multipart form); a text file is refused on the page.
    let upload = |name: &'static str, bytes: Vec<u8>| {
        let web = web.clone();
        let token = token.clone();
        let url = format!("{}/requests/{id}/photos", app.base);
        async move {
            let part = reqwest::multipart::Part::bytes(bytes).file_name(name);
            let form = reqwest::multipart::Form::new()
                .text("_csrf", token)
                .text("stage", "report")
                .part("photo", part);
            let r = web.post(url).multipart(form).send().await.expect("upload");
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }
    };
    let (st, html) = upload("notes.jpg", b"just text".to_vec()).await;
    assert_eq!(st, 422);
    assert!(html.contains("不是图片"), "{html}");
    let (st, _) = upload("leak.jpg", vec![0xFF, 0xD8, 0xFF, 0xE1, 1, 2, 3]).await;
    assert_eq!(st, 303);
    let page = web
        .get(format!("{}/requests/{id}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(page.contains(&format!("/requests/{id}/photos/")), "{page}");

    // The request's page and the lists render.
    for path in [
        format!("/requests/{id}"),
        "/requests".to_string(),
        "/requests?view=mine".to_string(),
    ] {
        let r = web
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200, "{path}");
        let html = r.text().await.unwrap_or_default();
        assert!(html.contains("BX-000002"), "{path}: {html}");
    }
}

#[tokio::test]
async fn statistics_quarterly_complaints_kpis_and_the_call_log() {
    use chrono::Datelike;
    let app = app().await;
    let c = crew(&app).await;
    let manager = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let quarter = (today.month() - 1) / 3 + 1;
    let (year, prev_q) = if quarter == 1 {
        (today.year() - 1, 4)
    } else {
        (today.year(), quarter - 1)
    };
    let prev_day = wuye_core::tickets::quarter_range(year, prev_q)
        .expect("quarter")
        .0
        .format("%Y-%m-%d")
        .to_string();

    let reg = |kind: &'static str, category: &'static str, unit: Option<i64>| {
        let agent = c.agent.clone();
        let community = app.community_a.0;
        async move {
            let mut b = json!({"community_id": community, "kind": kind, "category": category,
                               "channel": "front_desk", "location": "大堂", "description": "测试"});
            if let Some(u) = unit {
                b["unit_id"] = json!(u);
            }
            register(&agent, b).await["id"].as_i64().expect("id")
        }
    };
    let noise1 = reg("complaint_general", "noise", Some(c.unit)).await;
    let noise2 = reg("complaint_general", "noise", Some(c.unit)).await;
    let serious = reg("complaint_serious", "water", None).await;
    let leak1 = reg("repair_unit", "water", Some(c.unit)).await;
    let _leak2 = reg("repair_unit", "water", Some(c.unit)).await;
    let old = reg("complaint_general", "noise", None).await;
    let mut tx = app.core.db.begin().await.expect("begin");
    for t in ["requests", "request_clocks"] {
        let col = if t == "requests" { "id" } else { "request_id" };
        tx.execute(
            &format!("UPDATE {t} SET created_day = $1 WHERE {col} = $2"),
            args![prev_day.as_str(), old],
        )
        .await
        .expect("move to the previous quarter");
    }
    tx.commit().await.expect("commit");

    // noise1 closed satisfied, noise2 reopened, leak1 closed satisfied.
    for (id, score) in [(noise1, 5), (noise2, 2), (leak1, 5)] {
        act(
            &c.agent,
            id,
            json!({"action": "dispatch", "assignee_id": c.tech_id}),
        )
        .await;
        act(&c.tech, id, json!({"action": "accept"})).await;
        let (st, _) = act(&c.tech, id, json!({"action": "done"})).await;
        assert_eq!(st, 200);
        let (st, _) = act(
            &c.agent,
            id,
            json!({"action": "visit", "satisfaction": score}),
        )
        .await;
        assert_eq!(st, 200);
    }

    let (from, to) = wuye_core::tickets::quarter_range(today.year(), quarter).expect("quarter");
    let q = format!(
        "/api/v1/requests/stats?community_id={}&from={from}&to={to}",
        app.community_a.0
    );
    let (st, s) = manager.get(&q).await;
    assert_eq!(st, 200, "{s}");
    let total = &s["total"];
    assert_eq!(total["count"], 5);
    assert_eq!(total["closed"], 2);
    assert_eq!(total["first_time_fixed"], 2);
    assert_eq!(total["reopened"], 1);
    assert_eq!(total["rated"], 3);
    assert_eq!(total["unsatisfied"], 1);
    assert_eq!(total["satisfaction"], 4.0, "(5 + 2 + 5) / 3");
    assert_eq!(total["reopen_rate"], 0.2);
    assert_eq!(total["first_time_fix_rate"], 1.0);
    let kinds: Vec<(String, i64)> = s["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["key"].as_str().unwrap_or("").to_string(),
                g["count"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        kinds,
        vec![
            ("complaint_general".to_string(), 2),
            ("repair_unit".to_string(), 2),
            ("complaint_serious".to_string(), 1)
        ]
    );
    assert_eq!(kinds.len(), 3);
    let feedback = s["clocks"]
        .as_array()
        .expect("clocks")
        .iter()
        .find(|c| c["clock"] == "feedback")
        .expect("feedback clock");
    // Three done within 4 h: met on time; two still running. (The reopened one stays met.)
    assert_eq!(
        (
            feedback["met_on_time"].as_i64(),
            feedback["running"].as_i64(),
            feedback["on_time_rate"].as_f64()
        ),
        (Some(3), Some(2), Some(1.0))
    );
    let trend_total: i64 = s["trend"]
        .as_array()
        .expect("trend")
        .iter()
        .map(|p| p["count"].as_i64().unwrap_or(0))
        .sum();
    assert_eq!(trend_total, 5);
    let (st, by) = manager.get(&format!("{q}&group_by=assignee")).await;
    assert_eq!(st, 200);
    assert!(
        by["groups"]
            .as_array()
            .expect("groups")
            .iter()
            .any(|g| g["name"] == "tech姓名" && g["count"] == 3),
        "{by}"
    );
    // Bad periods and groupings name their field; agents see no statistics.
    let (st, v) = manager
        .get(&format!("/api/v1/requests/stats?from={to}&to={from}"))
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("to")));
    let (st, v) = manager.get(&format!("{q}&group_by=mood")).await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("group_by")));
    let (st, v) = manager
        .get("/api/v1/requests/stats?from=2026-13-01&to=2026-12-31")
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("from")));
    let (st, _) = c.agent.get(&q).await;
    assert_eq!(st, 403);

    // The quarter's complaints against the previous quarter.
    let qa = format!(
        "/api/v1/requests/complaint-analysis?community_id={}&year={}&quarter={quarter}",
        app.community_a.0,
        today.year()
    );
    let (st, a) = manager.get(&qa).await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["total"]["count"], 3);
    assert_eq!(a["serious"], 1);
    assert_eq!(a["previous_total"], 1);
    assert_eq!(a["change_rate"], 2.0);
    assert_eq!(a["repeat_units"][0]["unit_label"], "1栋-1801");
    assert_eq!(a["repeat_units"][0]["complaints"], 2);
    assert_eq!(a["items"].as_array().map(Vec::len), Some(3));
    assert!(serious > 0);
    let resp = manager
        .client
        .get(format!(
            "{}{}",
            app.base,
            qa.replace("complaint-analysis", "complaint-analysis.xlsx")
        ))
        .bearer_auth(manager.token.clone().unwrap_or_default())
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.expect("bytes");
    assert_eq!(&bytes[..2], b"PK", "an .xlsx (zip) file");
    let (st, v) = manager
        .get(&format!(
            "/api/v1/requests/complaint-analysis?year={}&quarter=5",
            today.year()
        ))
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("quarter")));

    // The hotline call log; one call becomes a request.
    let (st, call) = c
        .agent
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": app.community_a.0, "caller_name": "周女士", "caller_phone": "13600001234",
                   "content": "咨询停车月卡办理", "result": "已答复", "transferred_to": "停车场"}),
        )
        .await;
    assert_eq!(st, 201, "{call}");
    assert_eq!(call["caller_phone"], "136****1234");
    let (st, v) = c
        .agent
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": app.community_a.0, "content": " ", "caller_phone": "123"}),
        )
        .await;
    assert_eq!(st, 422);
    let fields: Vec<String> = error_fields(&v).into_iter().map(|f| f.0).collect();
    assert_eq!(fields, ["caller_phone", "content"]);
    let (_, call2) = c
        .agent
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": app.community_a.0, "caller_name": "吴先生", "caller_phone": "13600005678",
                   "content": "楼道灯坏了"}),
        )
        .await;
    let path = format!("/api/v1/hotline-calls/{}/request", call2["id"]);
    let (st, r) = c
        .agent
        .post(
            &path,
            json!({"kind": "repair_common", "category": "lighting", "location": "2栋3楼"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(
        (
            r["channel"].as_str(),
            r["description"].as_str(),
            r["contact_name"].as_str(),
            r["contact_phone"].as_str()
        ),
        (
            Some("hotline"),
            Some("楼道灯坏了"),
            Some("吴先生"),
            Some("136****5678")
        )
    );
    let (st, v) = c
        .agent
        .post(
            &path,
            json!({"kind": "repair_common", "category": "lighting"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("call_already_converted"))
    );
    let (_, calls) = c
        .agent
        .get(&format!(
            "/api/v1/hotline-calls?community_id={}",
            app.community_a.0
        ))
        .await;
    assert_eq!(calls.as_array().map(Vec::len), Some(2));
    assert_eq!(calls[0]["request_number"], r["number"]);

    // Staff KPIs.
    let (st, k) = manager
        .get(&format!(
            "/api/v1/requests/kpis?community_id={}&from={from}&to={to}",
            app.community_a.0
        ))
        .await;
    assert_eq!(st, 200, "{k}");
    let agent = k
        .as_array()
        .expect("kpis")
        .iter()
        .find(|x| x["name"] == "agent姓名")
        .expect("agent");
    assert_eq!(
        (
            agent["registered"].as_i64(),
            agent["calls_answered"].as_i64()
        ),
        (Some(6), Some(2))
    );
    let tech = k
        .as_array()
        .expect("kpis")
        .iter()
        .find(|x| x["name"] == "tech姓名")
        .expect("tech");
    assert_eq!(
        (tech["assigned"].as_i64(), tech["resolved"].as_i64()),
        (Some(3), Some(2))
    );
    assert_eq!(
        tech["complaint_rate"].as_f64(),
        Some(0.3333),
        "1 unsatisfied of 3 rated"
    );
}

#[tokio::test]
async fn console_reports_calls_settings_and_bulk_reassign() {
    let app = app().await;
    let c = crew(&app).await;
    app.user("boss", "project_manager", &[app.community_a])
        .await;
    let (web, token) = crate::console::console_login(&app, "boss").await;
    let get = |path: &'static str| {
        let web = web.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = web.get(url).send().await.expect("get");
            (r.status().as_u16(), r.text().await.unwrap_or_default())
        }
    };
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let web = web.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = web.post(url).form(&form).send().await.expect("post");
            let loc = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (r.status().as_u16(), loc, r.text().await.unwrap_or_default())
        }
    };
    let mut ids = Vec::new();
    for _ in 0..3 {
        let r = register(
            &c.agent,
            json!({"community_id": app.community_a.0, "kind": "complaint_general", "category": "noise",
                   "channel": "front_desk", "unit_id": c.unit, "description": "噪音"}),
        )
        .await;
        ids.push(r["id"].as_i64().expect("id"));
    }
    act(
        &c.agent,
        ids[2],
        json!({"action": "cancel", "note": "重复登记"}),
    )
    .await;

    // The board reassigns the selected requests; a cancelled one is reported, not moved.
    let (st, _, html) = post(
        "/requests/bulk".into(),
        vec![
            ("_csrf", token.clone()),
            ("ids", ids[0].to_string()),
            ("ids", ids[1].to_string()),
            ("ids", ids[2].to_string()),
            ("assignee_id", c.tech_id.to_string()),
        ],
    )
    .await;
    assert_eq!(st, 200);
    assert!(html.contains("已转派：2"), "{html}");
    assert!(html.contains("工单当前状态不允许此操作"), "{html}");
    let (_, mine) = c.tech.get("/api/v1/requests?view=assigned").await;
    assert_eq!(mine.as_array().map(Vec::len), Some(2));

    let (st, html) = get("/requests?view=board").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("bulk-reassign") && html.contains("tech姓名"),
        "{html}"
    );
    let (st, html) = get("/requests/stats").await;
    assert_eq!(st, 200);
    assert!(
        html.contains("<svg id=\"trend\"") && html.contains("id=\"stat-count\">2<"),
        "{html}"
    );
    let (st, html) = get("/requests/complaints").await;
    assert_eq!(st, 200);
    assert!(html.contains("id=\"complaints-total\">2<"), "{html}");
    let r = web
        .get(format!("{}/requests/complaints.xlsx", app.base))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(r.status(), 200);
    assert_eq!(&r.bytes().await.expect("bytes")[..2], b"PK");

    // Settings: categories are the company's (a community's manager may not change them), clocks
    // are the community's.
    let (st, _, _) = post(
        "/request-settings/categories".into(),
        vec![
            ("_csrf", token.clone()),
            ("code", "doors_locks".into()),
            ("name_zh", "门锁".into()),
            ("dispatch_mode", "manual".into()),
            ("visit_policy", "always".into()),
        ],
    )
    .await;
    assert_eq!(st, 403);
    let (st, v) = c
        .admin
        .put(
            "/api/v1/request-categories",
            json!({"code": "doors_locks", "name_zh": "门窗门锁", "dispatch_mode": "pool", "visit_policy": "unrated", "active": true}),
        )
        .await;
    assert_eq!(st, 200, "a seeded code with an underscore saves: {v}");
    app.user("chief", "company_admin", &[]).await;
    let (web, token) = crate::console::console_login(&app, "chief").await;
    let post = |path: String, form: Vec<(&'static str, String)>| {
        let web = web.clone();
        let url = format!("{}{path}", app.base);
        async move {
            let r = web.post(url).form(&form).send().await.expect("post");
            let loc = r
                .headers()
                .get("location")
                .and_then(|v| v.to_str().ok())
                .unwrap_or("")
                .to_string();
            (r.status().as_u16(), loc, r.text().await.unwrap_or_default())
        }
    };
    let (st, loc, _) = post(
        "/request-settings/categories".into(),
        vec![
            ("_csrf", token.clone()),
            ("code", "gas".into()),
            ("name_zh", "燃气".into()),
            ("name_en", "Gas".into()),
            ("dispatch_mode", "pool".into()),
            ("visit_policy", "always".into()),
            ("active", "on".into()),
        ],
    )
    .await;
    assert_eq!((st, loc.as_str()), (303, "/request-settings"));
    let (st, _, html) = post(
        "/request-settings/sla".into(),
        vec![
            ("_csrf", token.clone()),
            ("community_id", app.community_a.0.to_string()),
            ("category", "gas".into()),
            ("clock", "on_site".into()),
            ("enabled", "on".into()),
            ("minutes", "abc".into()),
        ],
    )
    .await;
    assert_eq!(st, 422);
    assert!(html.contains("分钟数：不是有效的数字"), "{html}");
    let (st, _, _) = post(
        "/request-settings/sla".into(),
        vec![
            ("_csrf", token.clone()),
            ("community_id", app.community_a.0.to_string()),
            ("category", "gas".into()),
            ("clock", "on_site".into()),
            ("enabled", "on".into()),
            ("minutes", "20".into()),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, html) = get("/request-settings").await;
    assert!(html.contains("燃气") && html.contains("20 分钟"), "{html}");
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "gas",
               "channel": "front_desk", "unit_id": c.unit, "description": "燃气味道"}),
    )
    .await;
    assert_eq!(r["state"], "pooled");
    assert_eq!(
        time(&clock(&r, "on_site")["due_at"]) - time(&r["created_at"]),
        Duration::minutes(20)
    );

    // The call log: log a call, then make it a request in one click.
    let (st, loc, _) = post(
        "/calls".into(),
        vec![
            ("_csrf", token.clone()),
            ("community_id", app.community_a.0.to_string()),
            ("caller_name", "冯先生".into()),
            ("caller_phone", "13500001111".into()),
            ("content", "地库照明不亮".into()),
        ],
    )
    .await;
    assert_eq!(st, 303, "{loc}");
    let (_, calls) = c
        .agent
        .get(&format!(
            "/api/v1/hotline-calls?community_id={}",
            app.community_a.0
        ))
        .await;
    let call = calls[0]["id"].as_i64().expect("call");
    let (st, loc, _) = post(
        format!("/calls/{call}/request"),
        vec![
            ("_csrf", token.clone()),
            ("community_id", app.community_a.0.to_string()),
            ("kind", "repair_common".into()),
            ("category", "lighting".into()),
            ("location", "地库".into()),
        ],
    )
    .await;
    assert_eq!(st, 303);
    assert!(loc.starts_with("/requests/"), "{loc}");
    let (st, html) = get("/calls").await;
    assert_eq!(st, 200);
    assert!(html.contains("冯先生") && html.contains("BX-"), "{html}");
}

#[tokio::test]
async fn photos_are_checked_stored_and_shown_only_to_who_may_see_the_request() {
    let app = app().await;
    let c = crew(&app).await;
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
               "channel": "front_desk", "unit_id": c.unit, "description": "天花板渗水"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    let url = format!("{}/api/v1/requests/{id}/photos", app.base);
    let send = |api: &Api, body: Vec<u8>, stage: &str| {
        let req = api
            .client
            .post(format!("{url}?stage={stage}"))
            .bearer_auth(api.token.clone().unwrap_or_default())
            .header("content-type", "image/jpeg")
            .body(body);
        let api = api.clone();
        async move { api.send(req).await }
    };
    let mut jpeg = vec![0xFF, 0xD8, 0xFF, 0xE0];
    jpeg.extend_from_slice(&[7u8; 2000]);
    let (st, p) = send(&c.agent, jpeg.clone(), "report").await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(
        (p["content_type"].as_str(), p["size_bytes"].as_i64()),
        (Some("image/jpeg"), Some(2004))
    );
    // A PDF named as a JPEG, an empty body, a 6 MB image, an unknown stage.
    let (st, v) = send(&c.agent, b"%PDF-1.7 fake".to_vec(), "report").await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str(), v["code"].as_str()),
        (422, Some("photo"), Some("not_an_image"))
    );
    let (st, v) = send(&c.agent, Vec::new(), "report").await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (422, Some("required")));
    let mut big = vec![0xFF, 0xD8, 0xFF];
    big.resize(6 * 1024 * 1024, 1);
    let (st, v) = send(&c.agent, big, "report").await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (413, Some("file_too_large"))
    );
    let (st, v) = send(&c.agent, jpeg.clone(), "selfie").await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("stage")));
    assert_eq!(app.count("request_photos").await, 1, "only the good one");
    let files: usize = walk(&app.core.settings.files_dir);
    assert_eq!(files, 1, "one file on disk");

    // The technician sees it only once it is his.
    let (st, _) = c.tech.get(&format!("/api/v1/requests/{id}/photos")).await;
    assert_eq!(st, 404);
    act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    let (st, list) = c.tech.get(&format!("/api/v1/requests/{id}/photos")).await;
    assert_eq!((st.as_u16(), list.as_array().map(Vec::len)), (200, Some(1)));
    let (st, done) = send(&c.tech, b"\x89PNG\r\n\x1a\n0000".to_vec(), "done").await;
    assert_eq!((st.as_u16(), done["stage"].as_str()), (201, Some("done")));
    let resp = c
        .tech
        .client
        .get(format!("{url}/{}", done["id"]))
        .bearer_auth(c.tech.token.clone().unwrap_or_default())
        .send()
        .await
        .expect("get");
    assert_eq!(
        resp.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("image/png")
    );
    assert_eq!(&resp.bytes().await.expect("bytes")[..4], b"\x89PNG");
    // Another community's staff: not found.
    let other = app
        .api_as("agent_b", "service_agent", &[app.community_b])
        .await;
    let (st, _) = other
        .get(&format!("/api/v1/requests/{id}/photos/{}", p["id"]))
        .await;
    assert_eq!(st, 404);
    // Closed: no more photos.
    act(&c.tech, id, json!({"action": "accept"})).await;
    act(&c.tech, id, json!({"action": "done"})).await;
    act(&c.agent, id, json!({"action": "visit", "satisfaction": 5})).await;
    let (st, v) = send(&c.agent, jpeg, "report").await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("request_closed"))
    );
}

fn walk(dir: &std::path::Path) -> usize {
    std::fs::read_dir(dir)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    let p = e.path();
                    if p.is_dir() { walk(&p) } else { 1 }
                })
                .sum()
        })
        .unwrap_or(0)
}

#[tokio::test]
async fn the_price_list_is_published_and_a_paid_service_needs_a_unit() {
    let app = app().await;
    let c = crew(&app).await;
    let path = format!("/api/v1/communities/{}/paid-services", app.community_a.0);
    let (st, v) = c
        .admin
        .put(
            &path,
            json!({"community_id": 0, "code": "x y", "name": "", "unit_name": "个", "price": "1.234"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&v),
        [
            ("code".into(), "invalid_code".into()),
            ("name".into(), "required".into()),
            ("price".into(), "too_many_decimals".into())
        ]
    );
    let (st, _) = c
        .agent
        .put(
            &path,
            json!({"community_id": 0, "code": "bulb", "name": "换灯泡", "unit_name": "个", "price": "15"}),
        )
        .await;
    assert_eq!(st, 403, "agents read the list, managers keep it");
    let (st, list) = c.agent.get(&path).await;
    assert_eq!(
        (st.as_u16(), list[0]["price_fen"].as_i64()),
        (200, Some(3550))
    );
    // Another community's staff do not see it.
    let other = app
        .api_as("agent_b", "service_agent", &[app.community_b])
        .await;
    let (st, _) = other.get(&path).await;
    assert_eq!(st, 404);

    // A common-area request has no unit to charge.
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "water",
               "channel": "patrol", "location": "地库", "description": "水管滴水"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    act(
        &c.agent,
        id,
        json!({"action": "dispatch", "assignee_id": c.tech_id}),
    )
    .await;
    act(&c.tech, id, json!({"action": "accept"})).await;
    let (st, v) = act(
        &c.tech,
        id,
        json!({"action": "done", "services": [{"service_id": c.tap, "quantity": 1}]}),
    )
    .await;
    assert_eq!(
        (st, v["field"].as_str(), v["code"].as_str()),
        (422, Some("services"), Some("charge_needs_unit"))
    );
    let (st, v) = act(&c.tech, id, json!({"action": "done"})).await;
    assert_eq!(
        (st, v["charge_fen"].clone()),
        (200, Value::Null),
        "free service"
    );
    assert_eq!(app.count("pending_charges").await, 0);
}

#[tokio::test]
async fn teams_route_round_robin_and_pools_and_take_dispatches() {
    let app = app().await;
    let c = crew(&app).await;
    let t2 = app.api_as("tech2", "technician", &[app.community_a]).await;
    let t3 = app.user("tech3", "technician", &[app.community_a]).await;
    let manager = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let path = format!("/api/v1/communities/{}/teams", app.community_a.0);
    let (st, v) = manager
        .post(
            &path,
            json!({"community_id": 0, "name": "", "member_ids": [999999], "categories": ["nope"]}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&v),
        [
            ("name".into(), "required".into()),
            ("member_ids[0]".into(), "not_assignable".into()),
            ("categories[0]".into(), "unknown_category".into())
        ]
    );
    // 工程组: tech and tech3; handles sanitation (round-robin) and lighting (pool).
    let (st, team) = manager
        .post(
            &path,
            json!({"community_id": 0, "name": "工程组", "member_ids": [c.tech_id, t3.0],
                   "categories": ["sanitation", "lighting"]}),
        )
        .await;
    assert_eq!(st, 201, "{team}");
    let team_id = team["id"].as_i64().expect("team");
    let (st, _) = manager
        .post(&path, json!({"community_id": 0, "name": "工程组"}))
        .await;
    assert_eq!(st, 409, "one name per community");

    let mut got = Vec::new();
    for _ in 0..4 {
        let r = register(
            &c.agent,
            json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "sanitation",
                   "channel": "front_desk", "location": "地库", "description": "有垃圾"}),
        )
        .await;
        assert_eq!(r["team_id"], team_id);
        got.push(r["assignee_id"].as_i64().expect("assignee"));
    }
    assert_eq!(
        got,
        [c.tech_id, t3.0, c.tech_id, t3.0],
        "tech2 is not in the team"
    );

    // Lighting goes to the team's pool: tech2 neither sees it there nor can grab it.
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "lighting",
               "channel": "patrol", "location": "2栋", "description": "灯不亮"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    assert_eq!(
        (r["state"].as_str(), r["team_name"].as_str()),
        (Some("pooled"), Some("工程组"))
    );
    let (_, pool2) = t2.get("/api/v1/requests?view=pool").await;
    assert_eq!(pool2.as_array().map(Vec::len), Some(0));
    let (_, pool1) = c.tech.get("/api/v1/requests?view=pool").await;
    assert_eq!(pool1[0]["id"], id);
    let (st, v) = act(&t2, id, json!({"action": "grab"})).await;
    assert_eq!((st, v["code"].as_str()), (409, Some("not_in_team")));
    let (st, v) = act(&c.tech, id, json!({"action": "grab"})).await;
    assert_eq!((st, v["assignee_id"].as_i64()), (200, Some(c.tech_id)));

    // Dispatch by hand to a team: into its pool.
    let r = register(
        &c.agent,
        json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
               "channel": "front_desk", "unit_id": c.unit, "description": "漏水"}),
    )
    .await;
    let id = r["id"].as_i64().expect("id");
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "dispatch", "team_id": 999999}),
    )
    .await;
    assert_eq!((st, v["field"].as_str()), (422, Some("team_id")));
    let (st, v) = act(
        &c.agent,
        id,
        json!({"action": "dispatch", "team_id": team_id}),
    )
    .await;
    assert_eq!(
        (st, v["state"].as_str(), v["team_id"].as_i64()),
        (200, Some("pooled"), Some(team_id)),
        "{v}"
    );
    let (_, tl) = c
        .agent
        .get(&format!("/api/v1/requests/{id}/timeline"))
        .await;
    assert_eq!(tl[1]["to_state"], "pooled");
    // The team's membership changes: tech2 joins, tech3 leaves.
    let (st, t) = manager
        .put(
            &format!("/api/v1/teams/{team_id}"),
            json!({"community_id": app.community_a.0, "name": "工程一组", "member_ids": [c.tech_id, t2_id(&app).await],
                   "categories": ["lighting"]}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t["categories"], json!(["lighting"]));
    let (st, v) = act(&t2, id, json!({"action": "grab"})).await;
    assert_eq!(st, 200, "{v}");
}

async fn t2_id(app: &TestApp) -> i64 {
    let (id,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one("SELECT id FROM users WHERE username = $1", args!["tech2"])
        .await
        .expect("tech2");
    id
}

/// A hotline call turned into a request later keeps the call's time: the request was received
/// then, and every clock (the hotline's 48 hours, the feedback's 4) runs from the call.
#[tokio::test]
async fn a_converted_call_runs_its_clocks_from_the_call() {
    let app = app().await;
    let c = crew(&app).await;
    let call_at = (Utc::now() - Duration::hours(3)).trunc_subsecs(0);
    let (st, call) = c
        .agent
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": app.community_a.0, "caller_name": "吴先生",
                   "call_at": call_at.to_rfc3339(), "content": "楼道灯坏了"}),
        )
        .await;
    assert_eq!(st, 201, "{call}");
    let (st, r) = c
        .agent
        .post(
            &format!("/api/v1/hotline-calls/{}/request", call["id"]),
            json!({"kind": "repair_common", "category": "lighting", "location": "2栋3楼"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(time(&r["created_at"]), call_at);
    assert_eq!(
        time(&clock(&r, "hotline")["due_at"]),
        call_at + Duration::hours(48)
    );
    assert_eq!(
        time(&clock(&r, "feedback")["due_at"]),
        call_at + Duration::hours(4)
    );
    assert_eq!(time(&r["promise_at"]), call_at + Duration::days(2));
}
