//! The owner portal through the API: the centre opens the account, the owner activates it,
//! reports, follows and rates; what an owner may not see or do.

use serde_json::{Value, json};
use wuye_testkit::Api;

use crate::{app, error_fields, new_unit};

async fn act(api: &Api, id: i64, body: Value) -> (u16, Value) {
    let (st, v) = api
        .post(&format!("/api/v1/requests/{id}/actions"), body)
        .await;
    (st.as_u16(), v)
}

#[tokio::test]
async fn owner_activates_reports_follows_and_rates() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "1801").await;
    let other_unit = new_unit(&admin, app.building_a.0, "1802").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let tech = app.api_as("tech", "technician", &[app.community_a]).await;
    let (_, p) = agent
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "赵业主", "phone": "13700007777",
                   "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let person = p["id"].as_i64().expect("person");
    let (_, lonely) = agent
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "无房人"}),
        )
        .await;
    let (st, v) = agent
        .post(
            &format!("/api/v1/people/{}/portal-account", lonely["id"]),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("person_has_no_unit"))
    );
    let tech_try = tech
        .post(
            &format!("/api/v1/people/{person}/portal-account"),
            json!({}),
        )
        .await;
    assert_eq!(tech_try.0, 403, "technicians open no accounts");

    let (st, slip) = agent
        .post(
            &format!("/api/v1/people/{person}/portal-account"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{slip}");
    let username = slip["username"].as_str().expect("username").to_string();
    let code = slip["activation_code"].as_str().expect("code").to_string();
    assert_eq!(username, format!("yz{person}"));
    assert_eq!(code.len(), 8);

    // Before activation the owner cannot log in; a wrong code is refused.
    let anon = app.api(None);
    let (st, _) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": username, "password": "whatever123"}),
        )
        .await;
    assert_eq!(st, 401);
    let wrong = if code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    let (st, v) = anon
        .post(
            "/api/v1/portal/activate",
            json!({"username": username, "activation_code": wrong, "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&v)),
        (
            422,
            vec![("activation_code".into(), "bad_activation_code".into())]
        )
    );
    let (st, v) = anon
        .post(
            "/api/v1/portal/activate",
            json!({"username": username, "activation_code": code, "password": "short"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("password")));
    let (st, _) = anon
        .post(
            "/api/v1/portal/activate",
            json!({"username": username, "activation_code": code, "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(st, 204);
    let (st, _) = anon
        .post(
            "/api/v1/portal/activate",
            json!({"username": username, "activation_code": code, "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(st, 422, "a code works once");
    let (st, t) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": username, "password": "owner2026pw"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let owner = app.api(t["token"].as_str().map(str::to_string));

    let (_, me) = owner.get("/api/v1/portal/me").await;
    assert_eq!(me["units"][0]["label"], "1栋-1801");
    // Staff lists are not for owners.
    let (st, _) = owner.get("/api/v1/requests").await;
    assert_eq!(st, 403);

    // Report: his unit only.
    let (st, v) = owner
        .post(
            "/api/v1/portal/requests",
            json!({"unit_id": other_unit, "kind": "repair_unit", "category": "water", "description": "漏水"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str(), v["code"].as_str()),
        (422, Some("unit_id"), Some("not_your_unit"))
    );
    let (st, r) = owner
        .post(
            "/api/v1/portal/requests",
            json!({"unit_id": unit, "kind": "repair_unit", "category": "water", "description": "卫生间漏水"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["id"].as_i64().expect("id");
    assert_eq!(r["channel"], "portal");
    assert_eq!(r["person_id"], person);
    assert_eq!(r["contact_name"], "赵业主");
    // The desk owns it (首问): it is in the agent's "my requests".
    let (_, mine) = agent.get("/api/v1/requests?view=mine").await;
    assert_eq!(mine[0]["id"], id);

    // Not done yet: no rating.
    let (st, v) = owner
        .post(
            &format!("/api/v1/portal/requests/{id}/rate"),
            json!({"satisfaction": 5}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("request_not_done"))
    );

    let (_, list) = agent
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    let tech_id = list[0]["id"].as_i64().expect("tech");
    act(
        &agent,
        id,
        json!({"action": "dispatch", "assignee_id": tech_id}),
    )
    .await;
    act(&tech, id, json!({"action": "accept"})).await;
    let (st, _) = act(&tech, id, json!({"action": "done"})).await;
    assert_eq!(st, 200);

    // The owner follows the progress.
    let (_, d) = owner.get(&format!("/api/v1/portal/requests/{id}")).await;
    assert_eq!(d["request"]["state"], "done");
    let steps: Vec<&str> = d["timeline"]
        .as_array()
        .expect("timeline")
        .iter()
        .map(|e| e["action"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(steps, ["register", "dispatch", "accept", "done"]);

    let (st, v) = owner
        .post(
            &format!("/api/v1/portal/requests/{id}/rate"),
            json!({"satisfaction": 6}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("satisfaction"))
    );
    // Water visits only unrated requests: a satisfied rating closes it.
    let (st, v) = owner
        .post(
            &format!("/api/v1/portal/requests/{id}/rate"),
            json!({"satisfaction": 4, "comment": "师傅很专业"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            v["rated_via"].as_str(),
            v["satisfaction"].as_i64()
        ),
        (Some("closed"), Some("portal"), Some(4))
    );

    // Elevator always gets a visit: a rating leaves it waiting; an unsatisfied one reopens.
    for (score, expect) in [(5, "done"), (1, "registered")] {
        let (_, r) = owner
            .post(
                "/api/v1/portal/requests",
                json!({"unit_id": unit, "kind": "repair_common", "category": "elevator",
                       "location": "1栋电梯", "description": "电梯异响"}),
            )
            .await;
        let id = r["id"].as_i64().expect("id");
        act(
            &agent,
            id,
            json!({"action": "dispatch", "assignee_id": tech_id}),
        )
        .await;
        act(&tech, id, json!({"action": "accept"})).await;
        act(&tech, id, json!({"action": "done"})).await;
        let (st, v) = owner
            .post(
                &format!("/api/v1/portal/requests/{id}/rate"),
                json!({"satisfaction": score}),
            )
            .await;
        assert_eq!(
            (st.as_u16(), v["state"].as_str()),
            (200, Some(expect)),
            "{v}"
        );
        if score == 5 {
            let (st, v) = owner
                .post(
                    &format!("/api/v1/portal/requests/{id}/rate"),
                    json!({"satisfaction": 5}),
                )
                .await;
            assert_eq!(
                (st.as_u16(), v["code"].as_str()),
                (409, Some("already_rated"))
            );
            // The centre's return visit closes it.
            let (st, v) = act(&agent, id, json!({"action": "visit", "satisfaction": 5})).await;
            assert_eq!((st, v["state"].as_str()), (200, Some("closed")));
        } else {
            assert_eq!(v["reopen_count"], 1);
        }
    }

    // Another owner's request is invisible.
    let (_, p2) = agent
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "钱业主", "unit_id": other_unit, "relation": "owner"}),
        )
        .await;
    let (_, slip2) = agent
        .post(
            &format!("/api/v1/people/{}/portal-account", p2["id"]),
            json!({}),
        )
        .await;
    anon.post(
        "/api/v1/portal/activate",
        json!({"username": slip2["username"], "activation_code": slip2["activation_code"], "password": "owner2026pw"}),
    )
    .await;
    let (_, t2) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": slip2["username"], "password": "owner2026pw"}),
        )
        .await;
    let owner2 = app.api(t2["token"].as_str().map(str::to_string));
    let (st, _) = owner2.get(&format!("/api/v1/portal/requests/{id}")).await;
    assert_eq!(st, 404);
    let (_, l2) = owner2.get("/api/v1/portal/requests").await;
    assert_eq!(l2.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn an_owner_rates_his_units_repairs_but_not_a_tenants_or_a_complaint_about_him() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "1801").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let (_, owner_p) = agent
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "孙业主", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let (_, tenant) = agent
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "李租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    let (_, slip) = agent
        .post(
            &format!("/api/v1/people/{}/portal-account", owner_p["id"]),
            json!({}),
        )
        .await;
    let anon = app.api(None);
    anon.post(
        "/api/v1/portal/activate",
        json!({"username": slip["username"], "activation_code": slip["activation_code"], "password": "owner2026pw"}),
    )
    .await;
    let (_, t) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": slip["username"], "password": "owner2026pw"}),
        )
        .await;
    let owner = app.api(t["token"].as_str().map(str::to_string));
    let reg = |body: Value| {
        let agent = agent.clone();
        async move {
            let (st, r) = agent.post("/api/v1/requests", body).await;
            assert_eq!(st, 201, "{r}");
            let id = r["id"].as_i64().expect("id");
            // Done at the desk (never dispatched).
            let (st, v) = act(&agent, id, json!({"action": "done"})).await;
            assert_eq!(st, 200, "{v}");
            id
        }
    };
    let base = json!({"community_id": app.community_a.0, "category": "water", "channel": "hotline",
                      "unit_id": unit, "description": "测试"});
    let with = |extra: Value| {
        let mut b = base.clone();
        for (k, v) in extra.as_object().expect("object") {
            b[k] = v.clone();
        }
        b
    };
    let desk_call = reg(with(json!({"kind": "repair_unit"}))).await;
    let by_tenant = reg(with(
        json!({"kind": "repair_unit", "person_id": tenant["id"]}),
    ))
    .await;
    let complaint = reg(with(
        json!({"kind": "complaint_general", "category": "noise"}),
    ))
    .await;

    let (_, mine) = owner.get("/api/v1/portal/requests").await;
    let ids: Vec<i64> = mine
        .as_array()
        .expect("list")
        .iter()
        .map(|r| r["id"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(
        ids,
        vec![by_tenant, desk_call],
        "in-unit repairs only, newest first"
    );
    let tenant_view = &mine[0];
    assert_eq!(
        tenant_view["contact_name"],
        Value::Null,
        "not the tenant's contact"
    );
    let (st, _) = owner
        .get(&format!("/api/v1/portal/requests/{complaint}"))
        .await;
    assert_eq!(st, 404, "a complaint about his unit is not his");
    let rate = |id: i64| {
        let owner = owner.clone();
        async move {
            owner
                .post(
                    &format!("/api/v1/portal/requests/{id}/rate"),
                    json!({"satisfaction": 5}),
                )
                .await
        }
    };
    let (st, _) = rate(by_tenant).await;
    assert_eq!(st, 403, "the tenant rates his own report");
    let (st, v) = rate(desk_call).await;
    assert_eq!(
        (st.as_u16(), v["state"].as_str()),
        (200, Some("closed")),
        "{v}"
    );
}
