//! Small items lent at the desk (issue 15 point 4), over the API on a fresh database: items
//! with stock and a deposit a piece, each field's bad input named; lending to a unit's resident
//! takes the deposit into billing's deposits (in the agent's day), the last piece lent by two
//! desks at once goes once, returning pays the deposit back once; loans past due listed.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

#[tokio::test]
async fn umbrellas_are_lent_against_a_deposit_in_billing_and_returned_once() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, desk2) = staff(&app, "agent2", "service_agent").await;
    let (_, tech) = staff(&app, "tech1", "technician").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let person = me["person_id"].as_i64().unwrap();
    let items = format!("/api/v1/communities/{a}/lend-items");

    // Items: bad input named, nothing written; only a manager adds one.
    let (st, e) = pm
        .post(
            &items,
            json!({"name": "", "stock": -1, "deposit": "abc", "loan_days": 99}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["name", "stock", "deposit", "loan_days"]);
    assert_eq!(app.count("lend_items").await, 0);
    let (st, _) = agent
        .post(&items, json!({"name": "雨伞", "stock": 2}))
        .await;
    assert_eq!(st, 403);
    let (st, umbrella) = pm
        .post(
            &items,
            json!({"name": "雨伞", "stock": 2, "deposit": "20", "loan_days": 1}),
        )
        .await;
    assert_eq!(st, 201, "{umbrella}");
    assert_eq!(
        (&umbrella["deposit_fen"], &umbrella["available"]),
        (&json!(2000), &json!(2))
    );
    let (st, e) = pm.post(&items, json!({"name": "雨伞", "stock": 1})).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["name".to_string()]));
    let uid = umbrella["id"].as_i64().unwrap();
    let lend = format!("/api/v1/lend-items/{uid}/lend");

    // A deposit is a unit's in billing: a passer-by's name is not enough; the method is asked.
    let (st, e) = agent.post(&lend, json!({"borrower_name": "路人"})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["deposit_method", "unit_label"]);
    let (st, e) = agent
        .post(
            &lend,
            json!({"unit_label": label, "borrower_name": "o1业主", "deposit_method": "gold", "quantity": 30}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["quantity", "deposit_method"]);
    let (st, _) = tech
        .post(
            &lend,
            json!({"borrower_name": "x", "deposit_method": "cash"}),
        )
        .await;
    assert_eq!(
        st, 404,
        "a technician works no desk: its items are not his to see"
    );
    assert_eq!(app.count("item_loans").await, 0);
    assert_eq!(app.count("deposits").await, 0);

    // Lent to the owner (his name typed from the unit's people), the deposit taken in cash.
    let (st, loan) = agent
        .post(
            &lend,
            json!({"unit_label": label, "borrower_name": "o1业主", "deposit_method": "cash"}),
        )
        .await;
    assert_eq!(st, 201, "{loan}");
    assert_eq!(loan["person_id"], person);
    assert_eq!(loan["unit_id"], unit);
    assert_eq!(loan["deposit_fen"], 2000);
    assert_eq!(loan["deposit_state"], "held");
    assert_eq!(loan["deposit_method"], "cash");
    assert_eq!(loan["overdue"], false);
    let due: chrono::DateTime<Utc> = loan["due_at"].as_str().unwrap().parse().unwrap();
    let lent: chrono::DateTime<Utc> = loan["lent_at"].as_str().unwrap().parse().unwrap();
    assert_eq!(due - lent, Duration::days(1));
    let deposit = loan["deposit_id"].as_i64().unwrap();
    let (st, d) = pm.get(&format!("/api/v1/deposits/{deposit}")).await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(
        (
            &d["kind"],
            &d["amount_fen"],
            &d["received_method"],
            &d["unit_id"]
        ),
        (&json!("loan"), &json!(2000), &json!("cash"), &json!(unit))
    );
    let (_, it) = agent.get(&format!("/api/v1/lend-items/{uid}")).await;
    assert_eq!((&it["out"], &it["available"]), (&json!(1), &json!(1)));

    // The stock cannot fall below the piece out.
    let (st, e) = pm
        .put(
            &format!("/api/v1/lend-items/{uid}"),
            json!({"name": "雨伞", "stock": 0, "deposit": "20"}),
        )
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["stock".to_string()]));

    // Two desks lend the last umbrella at once: one gets it.
    let body = json!({"unit_label": label, "borrower_name": "o1业主", "deposit_method": "wechat"});
    let ((s1, v1), (s2, v2)) =
        tokio::join!(agent.post(&lend, body.clone()), desk2.post(&lend, body));
    let mut got = [s1.as_u16(), s2.as_u16()];
    got.sort();
    assert_eq!(got, [201, 409], "{v1} {v2}");
    let refused = if s1.as_u16() == 409 { &v1 } else { &v2 };
    assert_eq!(refused["code"], "lend_out_of_stock", "{refused}");
    assert_eq!(app.count("item_loans").await, 2);
    assert_eq!(
        app.count("deposits").await,
        2,
        "the refused loan took no deposit"
    );

    // Returned: the deposit goes back as it was paid, once.
    let id = loan["id"].as_i64().unwrap();
    let back = format!("/api/v1/item-loans/{id}/return");
    let (st, e) = agent.post(&back, json!({"refund_method": "gold"})).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["refund_method".to_string()])
    );
    let (st, r) = agent.post(&back, json!({"note": "完好"})).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["deposit_state"], "refunded");
    assert_eq!(r["returned_to_name"], "agent1姓名");
    assert!(r["returned_at"].is_string());
    let (_, d) = pm.get(&format!("/api/v1/deposits/{deposit}")).await;
    assert_eq!(
        (&d["state"], &d["refund_method"]),
        (&json!("refunded"), &json!("cash"))
    );
    let (st, e) = desk2.post(&back, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("lend_loan_returned"))
    );
    let (_, it) = agent.get(&format!("/api/v1/lend-items/{uid}")).await;
    assert_eq!((&it["out"], &it["available"]), (&json!(1), &json!(1)));

    // A retired item is not lent.
    let (st, _) = pm
        .put(
            &format!("/api/v1/lend-items/{uid}"),
            json!({"name": "雨伞", "stock": 2, "deposit": "20", "retired": true}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, e) = agent
        .post(
            &lend,
            json!({"unit_label": label, "borrower_name": "o1业主", "deposit_method": "cash"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("lend_item_retired"))
    );

    // Past its due time the borrower is told once, in his portal.
    let (_, out) = agent
        .get(&format!("/api/v1/communities/{a}/item-loans?state=out"))
        .await;
    assert_eq!(out.as_array().map(Vec::len), Some(1), "{out}");
    let due: chrono::DateTime<Utc> = out[0]["due_at"].as_str().unwrap().parse().unwrap();
    let run = |at| wuye_core::frontdesk::run_item_reminders(&app.core, at);
    assert_eq!(run(due - Duration::minutes(1)).await.unwrap(), 0);
    assert_eq!(run(due + Duration::minutes(1)).await.unwrap(), 1);
    assert_eq!(run(due + Duration::minutes(2)).await.unwrap(), 0);
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let told: Vec<&Value> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "item_loan_overdue")
        .collect();
    assert_eq!(told.len(), 1, "{inbox}");
    assert!(
        told[0]["body"].as_str().unwrap().contains("雨伞 × 1"),
        "{inbox}"
    );
}

#[tokio::test]
async fn tools_without_a_deposit_go_to_a_named_borrower_and_those_past_due_are_listed() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, ladder) = pm
        .post(
            &format!("/api/v1/communities/{a}/lend-items"),
            json!({"name": "人字梯", "stock": 3, "loan_days": 2}),
        )
        .await;
    let lid = ladder["id"].as_i64().unwrap();
    let lend = format!("/api/v1/lend-items/{lid}/lend");
    let (st, e) = agent.post(&lend, json!({"phone": "123"})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["phone", "borrower_name"]);
    let (st, e) = agent
        .post(
            &lend,
            json!({"borrower_name": "装修师傅", "due_at": (Utc::now() - Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["due_at".to_string()]));
    let (st, l1) = agent
        .post(
            &lend,
            json!({"borrower_name": "装修师傅", "phone": "13800138000", "quantity": 2}),
        )
        .await;
    assert_eq!(st, 201, "{l1}");
    assert_eq!(l1["phone"], "138****8000");
    assert_eq!(l1["deposit_id"], Value::Null);
    let (st, e) = agent
        .post(&lend, json!({"borrower_name": "另一位", "quantity": 2}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("lend_out_of_stock"))
    );
    let (st, l2) = agent.post(&lend, json!({"borrower_name": "另一位"})).await;
    assert_eq!(st, 201, "{l2}");

    // The first loan's due time passes: it is listed overdue, first.
    let mut tx = app.core.db.begin().await.unwrap();
    tx.execute(
        "UPDATE item_loans SET due_at = $1 WHERE id = $2",
        wuye_core::args![Utc::now() - Duration::hours(3), l1["id"].as_i64().unwrap()],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let loans = format!("/api/v1/communities/{a}/item-loans");
    let (st, late) = agent.get(&format!("{loans}?overdue=true")).await;
    assert_eq!(st, 200, "{late}");
    let late = late.as_array().unwrap();
    assert_eq!(late.len(), 1, "{late:?}");
    assert_eq!(
        (&late[0]["id"], &late[0]["overdue"]),
        (&l1["id"], &json!(true))
    );
    let (_, out) = agent.get(&format!("{loans}?state=out")).await;
    assert_eq!(out.as_array().map(Vec::len), Some(2));
    assert_eq!(out[0]["id"], l1["id"], "the overdue one first");
    let (st, e) = agent.get(&format!("{loans}?state=lost")).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["state".to_string()]));
    let (st, _) = agent
        .post(
            &format!("/api/v1/item-loans/{}/return", l1["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, out) = agent.get(&format!("{loans}?state=returned")).await;
    assert_eq!(out.as_array().map(Vec::len), Some(1));
}

/// A lent tool reported lost: the loan closes as lost, its piece leaves the stock, and its
/// deposit is kept in full — settled in billing with nothing paid back, so the agent's day counts
/// the ¥50 taken and nothing out.
#[tokio::test]
async fn a_lost_tool_leaves_the_stock_and_its_deposit_is_kept() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let (st, ladder) = pm
        .post(
            &format!("/api/v1/communities/{a}/lend-items"),
            json!({"name": "人字梯", "stock": 2, "deposit": "50", "loan_days": 1}),
        )
        .await;
    assert_eq!(st, 201, "{ladder}");
    let (st, loan) = agent
        .post(
            &format!("/api/v1/lend-items/{}/lend", ladder["id"]),
            json!({"unit_label": label, "borrower_name": "o1业主", "deposit_method": "cash"}),
        )
        .await;
    assert_eq!(st, 201, "{loan}");
    let back = format!("/api/v1/item-loans/{}/return", loan["id"]);
    let (st, l) = agent
        .post(&back, json!({"lost": true, "note": "借用人说梯子被偷"}))
        .await;
    assert_eq!(st, 200, "{l}");
    assert_eq!(
        (&l["lost"], &l["deposit_state"]),
        (&json!(true), &json!("refunded"))
    );
    let (_, d) = pm
        .get(&format!("/api/v1/deposits/{}", loan["deposit_id"]))
        .await;
    assert_eq!(
        (&d["amount_fen"], &d["deducted_fen"]),
        (&json!(5000), &json!(5000))
    );
    let (_, items) = agent
        .get(&format!("/api/v1/communities/{a}/lend-items"))
        .await;
    let it = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == ladder["id"])
        .unwrap();
    assert_eq!((&it["stock"], &it["available"]), (&json!(1), &json!(1)));
    let (_, days) = pm
        .get(&format!("/api/v1/daily-closes?community_id={a}"))
        .await;
    let day = days
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["cashier_id"] == agent_id.0)
        .expect("the agent's day");
    assert_eq!(day["cash_fen"], 5000, "{day}");
    let (st, e) = agent.post(&back, json!({})).await;
    assert_eq!(st, 409, "{e}");
}
