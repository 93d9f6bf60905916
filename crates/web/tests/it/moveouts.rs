//! Move-outs (issue 15 point 8), over the API on a fresh database: a check opened for the tenant
//! of a unit (bad input named); its checklist read live — arrears, the unit's key out, an item
//! lent with its deposit held, a pass of the unit; completion refused while anything holds it,
//! each named; a manager's waiver for the arrears; completion once: the pass revoked, the tenant
//! unlinked, the owner stays; the sheet printed as a PDF; the owner leaving last leaves the unit
//! vacant.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, fee_item_of};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

#[tokio::test]
async fn a_tenant_moves_out_once_the_checklist_is_clear_or_waived_by_a_manager() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let owner_person = me["person_id"].as_i64().unwrap();
    let admin = app.admin().await;
    let (st, t) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "孙租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    assert_eq!(st, 201, "{t}");
    let tenant = t["id"].as_i64().unwrap();
    let (_, stranger) = admin
        .post("/api/v1/people", json!({"community_id": a, "name": "路人"}))
        .await;
    let moveouts = format!("/api/v1/communities/{a}/move-outs");

    // Bad input named, nothing written.
    let (st, e) = agent
        .post(
            &moveouts,
            json!({"unit_label": "99栋-9999", "planned_day": "2020-01-01"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["unit_label", "planned_day"]);
    let (st, e) = agent
        .post(
            &moveouts,
            json!({"unit_id": unit, "person_ids": [tenant, stranger["id"]]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["person_ids".to_string()])
    );
    assert_eq!(app.count("move_outs").await, 0);

    // The tenant leaves: the check opens clear.
    let (st, m) = agent
        .post(
            &moveouts,
            json!({"unit_label": label, "person_ids": [tenant], "reason": "租约到期"}),
        )
        .await;
    assert_eq!(st, 201, "{m}");
    assert_eq!(
        (&m["number"], &m["state"]),
        (&json!("QC-000001"), &json!("open"))
    );
    assert_eq!(m["leaving"][0]["name"], "孙租户");
    assert_eq!(m["leaving"][0]["relation"], "tenant");
    assert_eq!(
        (&m["check"]["clear"], &m["check"]["arrears_fen"]),
        (&json!(true), &json!(0))
    );
    let id = m["id"].as_i64().unwrap();

    // What holds it: arrears, the unit's key out, a toolbox lent with its deposit, a pass.
    let item = fee_item_of(&admin, a, "wyf", "物业费", "property").await;
    let (st, _) = admin
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": "356.40", "description": "物业费",
                   "reason": "补收"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "前台钥匙柜", "keeper_id": agent_id.0}),
        )
        .await;
    let (st, key) = agent
        .post(
            &format!("/api/v1/communities/{a}/keys"),
            json!({"cabinet_id": cab["id"], "position": "A-01", "code": "U-101", "kind": "unit",
                   "unit_id": unit}),
        )
        .await;
    assert_eq!(st, 201, "{key}");
    let due = (Utc::now() + Duration::hours(2)).to_rfc3339();
    let (st, _) = agent
        .post(
            &format!("/api/v1/keys/{}/lend", key["id"]),
            json!({"borrower_name": "维修师傅", "purpose": "换锁", "due_at": due}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, tool) = pm
        .post(
            &format!("/api/v1/communities/{a}/lend-items"),
            json!({"name": "工具箱", "stock": 2, "deposit": "50"}),
        )
        .await;
    let (st, loan) = agent
        .post(
            &format!("/api/v1/lend-items/{}/lend", tool["id"]),
            json!({"unit_id": unit, "person_id": tenant, "deposit_method": "cash"}),
        )
        .await;
    assert_eq!(st, 201, "{loan}");
    let now = Utc::now();
    let (st, pass) = agent
        .post(
            &format!("/api/v1/communities/{a}/visitor-passes"),
            json!({"kind": "temporary", "visitor_name": "搬家公司", "unit_id": unit,
                   "valid_from": now.to_rfc3339(), "valid_until": (now + Duration::days(2)).to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 201, "{pass}");
    let path = format!("/api/v1/move-outs/{id}");
    let (_, m) = agent.get(&path).await;
    let k = &m["check"];
    assert_eq!(
        (
            &k["arrears_fen"],
            &k["deposits_fen"],
            &k["passes"],
            &k["clear"]
        ),
        (&json!(35640), &json!(5000), &json!(1), &json!(false)),
        "{m}"
    );
    assert_eq!(k["keys"][0]["code"], "U-101");
    assert_eq!(k["keys"][0]["why"], "out");
    assert_eq!(k["item_loans"][0], "工具箱 × 1 · 孙租户");

    // Completion refused, everything that holds it named; nothing changed.
    let complete = format!("{path}/complete");
    let (st, e) = agent.post(&complete, json!({})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        fields(&e),
        ["arrears_waiver", "keys", "item_loans", "deposits_kept"]
    );
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("356.40"),
        "{e}"
    );
    let (_, m) = agent.get(&path).await;
    assert_eq!(m["state"], "open");

    // The key comes back, the toolbox too (its deposit paid back); an agent cannot waive.
    let (st, _) = agent
        .post(&format!("/api/v1/keys/{}/return", key["id"]), json!({}))
        .await;
    assert_eq!(st, 200);
    let (st, _) = agent
        .post(
            &format!("/api/v1/item-loans/{}/return", loan["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let waiver = json!({"arrears_waiver": "业主承诺月底结清"});
    let (st, e) = agent.post(&complete, waiver.clone()).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["arrears_waiver".to_string()])
    );
    let (st, done) = pm.post(&complete, waiver).await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(
        (
            &done["state"],
            &done["arrears_fen"],
            &done["passes_revoked"],
            &done["check"]
        ),
        (&json!("completed"), &json!(35640), &json!(1), &json!(null))
    );
    assert_eq!(done["arrears_waiver"], "业主承诺月底结清");
    assert_eq!(done["state_before"], done["state_after"], "the owner stays");
    let (_, p) = agent
        .get(&format!("/api/v1/visitor-passes/{}", pass["id"]))
        .await;
    assert!(!p["revoked_at"].is_null(), "{p}");
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let people: Vec<i64> = u["people"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|x| x["person"]["id"].as_i64())
        .collect();
    assert_eq!(people, vec![owner_person], "{u}");
    let (st, e) = pm.post(&complete, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("move_out_not_open"))
    );

    // The sheet prints.
    let r = agent
        .client
        .get(format!("{}{path}/sheet.pdf", app.base))
        .bearer_auth(agent.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("pdf");
    assert_eq!(r.status(), 200);
    let bytes = r.bytes().await.expect("bytes");
    assert!(bytes.starts_with(b"%PDF"), "a PDF");

    // The owner leaves last: the unit is vacant; then nobody is left to move out.
    let (_, m2) = agent
        .post(&moveouts, json!({"unit_id": unit, "reason": "房屋出售"}))
        .await;
    assert_eq!(m2["number"], "QC-000002");
    let (st, d2) = pm
        .post(
            &format!("/api/v1/move-outs/{}/complete", m2["id"]),
            json!({"arrears_waiver": "由新业主承担"}),
        )
        .await;
    assert_eq!(st, 200, "{d2}");
    assert_eq!(d2["state_after"], "vacant");
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(u["unit"]["state"], "vacant", "{u}");
    let (st, e) = agent.post(&moveouts, json!({"unit_id": unit})).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["person_ids".to_string()])
    );

    // A cancelled check changes nothing and is not completed after.
    let (_, t2) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "新租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    let (_, m3) = agent
        .post(
            &moveouts,
            json!({"unit_id": unit, "person_ids": [t2["id"]]}),
        )
        .await;
    let (st, c3) = agent
        .post(&format!("/api/v1/move-outs/{}/cancel", m3["id"]), json!({}))
        .await;
    assert_eq!((st.as_u16(), &c3["state"]), (200, &json!("cancelled")));
    let (st, _) = pm
        .post(
            &format!("/api/v1/move-outs/{}/complete", m3["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 409);
    let (_, open) = agent.get(&format!("{moveouts}?state=open")).await;
    assert_eq!(open.as_array().map(Vec::len), Some(0));
}
