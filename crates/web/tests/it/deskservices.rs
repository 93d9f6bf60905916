//! The desk's paid services and lock changes (issue 15 point 10), over the API on a fresh
//! database: the price list kept by a manager (bad input named); a sale priced from it and charged
//! to the buyer's unit, keeping its price when the list changes; a retired service not sold; a lock
//! changed only for an owner of the unit whose ID matches the registry's, its fee a charge.

use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

async fn owed(api: &super::Api, unit: i64) -> i64 {
    let (st, v) = api.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(st, 200, "{v}");
    v["total_fen"].as_i64().expect("total_fen")
}

#[tokio::test]
async fn services_are_sold_from_the_price_list_and_locks_changed_for_a_checked_owner() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let list = format!("/api/v1/communities/{a}/desk-services");

    // The price list: bad input named, nothing written; only a manager keeps it.
    let (st, e) = pm
        .post(&list, json!({"name": "", "unit_name": "", "price": "0"}))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["name", "unit_name", "price"]);
    let copy = json!({"name": "复印（A4 黑白）", "unit_name": "页", "price": "0.50"});
    let (st, _) = agent.post(&list, copy.clone()).await;
    assert_eq!(st, 403);
    assert_eq!(app.count("desk_services").await, 0);
    let (st, c) = pm.post(&list, copy.clone()).await;
    assert_eq!(st, 201, "{c}");
    assert_eq!(c["price_fen"], 50);
    let (st, e) = pm.post(&list, copy).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["name".to_string()]));
    let (_, card) = pm
        .post(
            &list,
            json!({"name": "门禁卡", "unit_name": "张", "price": "20"}),
        )
        .await;

    // A sale: charged to the unit at the list's price.
    let sell = format!("/api/v1/desk-services/{}/sales", c["id"]);
    let (st, e) = agent.post(&sell, json!({"quantity": 0})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["quantity", "unit_label", "buyer_name"]);
    assert_eq!(app.count("desk_sales").await, 0);
    let (st, s1) = agent
        .post(
            &sell,
            json!({"quantity": 12, "unit_label": label, "buyer_name": "o1业主"}),
        )
        .await;
    assert_eq!(st, 201, "{s1}");
    assert_eq!(
        (&s1["amount_fen"], &s1["price_fen"]),
        (&json!(600), &json!(50))
    );
    assert!(s1["charge_id"].is_i64());
    assert_eq!(owed(&admin, unit).await, 600);

    // The list changes: the sale made keeps its price; the next one takes the new.
    let (st, _) = pm
        .put(
            &format!("/api/v1/desk-services/{}", c["id"]),
            json!({"name": "复印（A4 黑白）", "unit_name": "页", "price": "1"}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, s2) = agent
        .post(
            &sell,
            json!({"quantity": 3, "unit_id": unit, "buyer_name": "o1业主"}),
        )
        .await;
    assert_eq!(s2["amount_fen"], 300);
    assert_eq!(owed(&admin, unit).await, 900);
    let (_, day) = agent
        .get(&format!("/api/v1/communities/{a}/desk-sales"))
        .await;
    assert_eq!(day.as_array().map(Vec::len), Some(2), "{day}");
    assert_eq!(day[1]["price_fen"], 50, "the first sale's price stands");
    let (st, _) = pm
        .put(
            &format!("/api/v1/desk-services/{}", card["id"]),
            json!({"name": "门禁卡", "unit_name": "张", "price": "20", "retired": true}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, e) = agent
        .post(
            &format!("/api/v1/desk-services/{}/sales", card["id"]),
            json!({"unit_id": unit, "buyer_name": "o1业主"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("desk_service_retired"))
    );

    // A lock: only for an owner, whose ID matches the one on file.
    let locks = format!("/api/v1/communities/{a}/lock-changes");
    let (_, tenant) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "孙租户", "unit_id": unit, "relation": "tenant",
                   "id_number": "440304199001011233"}),
        )
        .await;
    let body = |who: Value, idn: &str| {
        json!({"unit_label": label, "person_id": who, "id_number": idn, "kind": "change",
               "locksmith": "张师傅", "reason": "钥匙遗失", "fee": "80"})
    };
    let (st, e) = agent
        .post(&locks, body(tenant["id"].clone(), "440304199001011233"))
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["owner_name".to_string()]),
        "{e}"
    );
    let me_person = me["person_id"].clone();
    let (st, e) = agent
        .post(&locks, body(me_person.clone(), "11010519491231002X"))
        .await;
    assert_eq!(
        (st.as_u16(), e["errors"][0]["code"].as_str()),
        (422, Some("lock_no_id_on_file")),
        "{e}"
    );
    let (st, _) = admin
        .patch(
            &format!("/api/v1/people/{me_person}"),
            json!({"id_number": "11010519491231002X"}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, e) = agent
        .post(&locks, body(me_person.clone(), "440304199001011233"))
        .await;
    assert_eq!(
        (st.as_u16(), e["errors"][0]["code"].as_str()),
        (422, Some("lock_wrong_id")),
        "{e}"
    );
    assert_eq!(app.count("lock_changes").await, 0);
    let (st, l) = agent
        .post(&locks, body(me_person, "11010519491231002x"))
        .await;
    assert_eq!(st, 201, "{l}");
    assert_eq!(
        (&l["kind"], &l["fee_fen"]),
        (&json!("change"), &json!(8000))
    );
    assert!(
        !l["id_masked"].as_str().unwrap().contains("19491231"),
        "{l}"
    );
    assert_eq!(owed(&admin, unit).await, 900 + 8000);
    let (_, all) = agent.get(&format!("{locks}?unit_id={unit}")).await;
    assert_eq!(all.as_array().map(Vec::len), Some(1));
}

#[tokio::test]
async fn an_after_hours_permit_is_issued_for_a_person_of_the_unit_checked_by_number_and_revoked_once()
 {
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let permits = format!("/api/v1/communities/{a}/after-hours-permits");
    let now = chrono::Utc::now();
    let at = |h: i64| (now + chrono::Duration::hours(h)).to_rfc3339();

    // Bad input named, nothing written.
    let (st, e) = agent
        .post(
            &permits,
            json!({"unit_label": label, "applicant_name": "路人", "workers": "", "work": "铺地砖",
                   "starts_at": at(24 * 40), "ends_at": at(24 * 40 - 1)}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        fields(&e),
        ["workers", "starts_at", "ends_at", "applicant_name"]
    );
    assert_eq!(app.count("after_hours_permits").await, 0);

    // Issued for the owner tonight; the guard finds it by number, in force once it starts.
    let (st, p) = agent
        .post(
            &permits,
            json!({"unit_label": label, "applicant_name": "o1业主", "workers": "装修队 3 人",
                   "work": "铺地砖", "starts_at": at(-1), "ends_at": at(3)}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(
        (&p["number"], &p["in_force"]),
        (&json!("JB-000001"), &json!(true))
    );
    let (st, found) = guard.get(&format!("{permits}/by-number/jb-000001")).await;
    assert_eq!((st.as_u16(), &found["id"]), (200, &p["id"]));
    let (_, day) = agent.get(&permits).await;
    assert_eq!(day.as_array().map(Vec::len), Some(1), "{day}");

    // Revoked once, with why: no longer in force.
    let revoke = format!("/api/v1/after-hours-permits/{}/revoke", p["id"]);
    let (st, e) = agent.post(&revoke, json!({"reason": ""})).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["reason".to_string()]));
    let (st, r) = agent.post(&revoke, json!({"reason": "噪音投诉"})).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["in_force"], false);
    let (st, e) = agent.post(&revoke, json!({"reason": "再次"})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("permit_revoked"))
    );
}
