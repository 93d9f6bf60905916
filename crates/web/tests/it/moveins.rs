//! Move-ins (issue 15 point 7), over the API on a fresh database: a hand-over opened for the
//! owner of a unit (bad input named, a second one for the unit refused); completion refused
//! while a check of the 入伙流转表 is not ticked or the unit owes (each named), a waiver a
//! manager's; defects of the accompanied inspection as warranty items on the contractor's list,
//! fixed, reopened, verified; completion once: the unit's key handed over (out of the ledger),
//! the unit occupied, billing started on the hand-over day; the notice printed; the owner's
//! survey recorded once.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, fee_item_of, pdf_text_and_fonts, unit_with_owner};

fn codes(e: &Value) -> Vec<(String, String)> {
    let mut v = error_fields(e);
    v.sort();
    v
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

#[tokio::test]
async fn an_owner_moves_in_once_every_check_is_ticked_and_the_fees_are_settled() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let (unit, label) = unit_with_owner(&app, &admin, "1802", "钱业主").await;
    let (_, stranger) = admin
        .post("/api/v1/people", json!({"community_id": a, "name": "路人"}))
        .await;
    let list = format!("/api/v1/communities/{a}/move-ins");

    // Bad input named, nothing written.
    let (st, e) = agent.post(&list, json!({"unit_label": "99栋-9999"})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("unit_label", "unknown_unit")])
    );
    let (st, e) = agent
        .post(&list, json!({"unit_id": unit, "owner_id": stranger["id"], "notice_day": today() + Duration::days(91)}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("notice_day", "move_in_notice_range"),
                pair("owner_id", "move_in_not_owner")
            ]
        )
    );
    assert_eq!(app.count("move_ins").await, 0);

    // Opened for the unit's owner; a second one for the unit refused.
    let (st, m) = agent
        .post(&list, json!({"unit_label": label, "notice_day": today()}))
        .await;
    assert_eq!(st, 201, "{m}");
    assert_eq!(
        (&m["number"], &m["state"], &m["owner_name"]),
        (&json!("RH-000001"), &json!("open"), &json!("钱业主"))
    );
    assert!(
        m["checks"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["done"] == false)
    );
    let (st, e) = agent.post(&list, json!({"unit_id": unit})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("unit_label", "move_in_unit_busy")])
    );
    let one = format!("/api/v1/move-ins/{}", m["id"]);

    // The unit's key in the ledger and a fee it owes: both on the record while open.
    let (_, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "前台钥匙柜", "keeper_id": agent_id.0}),
        )
        .await;
    let (st, key) = agent
        .post(
            &format!("/api/v1/communities/{a}/keys"),
            json!({"cabinet_id": cab["id"], "position": "A-01", "code": "U-1802", "kind": "unit", "unit_id": unit}),
        )
        .await;
    assert_eq!(st, 201, "{key}");
    let item = fee_item_of(&admin, a, "wyf", "物业费", "property").await;
    let (st, _) = admin
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": "356.40",
            "description": "物业费（预收一个季度）", "reason": "入伙预收"}),
        )
        .await;
    assert_eq!(st, 201);
    let (_, m) = agent.get(&one).await;
    assert_eq!(
        (&m["live"]["owed_fen"], &m["live"]["keys"]),
        (&json!(35640), &json!(["U-1802"]))
    );

    // Completion refused: every check not ticked, the fee owed, each named.
    let (st, e) = agent.post(&format!("{one}/complete"), json!({})).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        codes(&e).iter().map(|x| x.0.as_str()).collect::<Vec<_>>(),
        [
            "agreement_signed",
            "arrears_waiver",
            "identity_checked",
            "purchase_checked",
            "record_card_done",
            "rules_signed"
        ]
    );
    let ticks = json!({"identity_checked": true, "purchase_checked": true, "agreement_signed": true,
                       "rules_signed": true, "record_card_done": false});
    let (st, m) = agent.put(&format!("{one}/checks"), ticks).await;
    assert_eq!(st, 200, "{m}");
    let (st, e) = agent
        .post(
            &format!("{one}/complete"),
            json!({"arrears_waiver": "开发商代缴"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("arrears_waiver", "move_in_waiver_manager"),
                pair("record_card_done", "move_in_check_not_done")
            ]
        )
    );

    // The accompanied inspection's defects, on the contractor's list.
    let defects = format!("{one}/defects");
    let (st, e) = agent
        .post(
            &defects,
            json!({"room": "", "item": "墙面", "description": "空鼓", "contractor": "中建三局",
                               "due_on": today() - Duration::days(1)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("due_on", "warranty_due_range"),
                pair("room", "required")
            ]
        )
    );
    for (room, item, desc) in [
        ("卫生间", "防水", "闭水试验渗漏"),
        ("主卧", "门窗", "窗户密封条脱落"),
    ] {
        let (st, m) = agent
            .post(
                &defects,
                json!({"room": room, "item": item, "description": desc, "contractor": "中建三局",
                                   "due_on": today() + Duration::days(15)}),
            )
            .await;
        assert_eq!(st, 201, "{m}");
    }
    let (_, wl) = agent
        .get(&format!(
            "/api/v1/communities/{a}/warranty-items?contractor=中建三局&state=open"
        ))
        .await;
    assert_eq!(wl.as_array().unwrap().len(), 2, "{wl}");
    assert_eq!(
        (&wl[0]["number"], &wl[0]["unit_label"]),
        (&json!("RH-000001"), &json!(label))
    );
    let (w1, w2) = (wl[0]["id"].as_i64().unwrap(), wl[1]["id"].as_i64().unwrap());
    let step = |w: i64| format!("/api/v1/warranty-items/{w}/step");
    let (st, e) = agent.post(&step(w1), json!({"step": "verified"})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("step", "warranty_state")])
    );
    let (st, e) = agent.post(&step(w1), json!({"step": "fixed"})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("note", "required")])
    );
    assert_eq!(
        agent
            .post(&step(w1), json!({"step": "fixed", "note": "重做防水层"}))
            .await
            .0,
        200
    );
    assert_eq!(
        agent
            .post(&step(w1), json!({"step": "reopened", "note": "仍有渗水"}))
            .await
            .0,
        200
    );
    assert_eq!(
        agent
            .post(&step(w1), json!({"step": "fixed", "note": "再次修补"}))
            .await
            .0,
        200
    );
    let (st, m) = agent.post(&step(w1), json!({"step": "verified"})).await;
    assert_eq!(st, 200, "{m}");
    let w = &m["warranty"][0];
    assert_eq!(
        (&w["state"], &w["fixed_note"]),
        (&json!("verified"), &json!("再次修补"))
    );
    assert_eq!(m["warranty"][1]["state"], "open");
    let _ = w2;

    // The notice prints with the owner, the unit and the fee owed.
    let r = agent
        .client
        .get(format!("{}{one}/notice.pdf", agent.base))
        .bearer_auth(agent.token.as_deref().unwrap_or_default())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let (text, _) = pdf_text_and_fonts(&r.bytes().await.unwrap());
    assert!(
        text.contains("入伙通知书") && text.contains("钱业主") && text.contains("356.40"),
        "{text}"
    );

    // The manager completes with a waiver: the key leaves the ledger, the unit is occupied and
    // billed from the hand-over day.
    let ticks = json!({"identity_checked": true, "purchase_checked": true, "agreement_signed": true,
                       "rules_signed": true, "record_card_done": true});
    assert_eq!(agent.put(&format!("{one}/checks"), ticks).await.0, 200);
    let (st, e) = pm
        .post(
            &format!("{one}/complete"),
            json!({"handover_day": today() + Duration::days(1)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("arrears_waiver", "move_in_arrears"),
                pair("handover_day", "move_in_handover_range")
            ]
        )
    );
    let day = today() - Duration::days(2);
    let (st, m) = pm
        .post(
            &format!("{one}/complete"),
            json!({"handover_day": day, "arrears_waiver": "开发商承担首季物业费"}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(
        (
            &m["state"],
            &m["handover_day"],
            &m["arrears_fen"],
            &m["keys_handed"],
            &m["state_after"]
        ),
        (
            &json!("completed"),
            &json!(day),
            &json!(35640),
            &json!(["U-1802"]),
            &json!("occupied")
        )
    );
    let (_, k) = agent.get(&format!("/api/v1/keys/{}", key["id"])).await;
    assert_eq!(k["state"], "retired");
    let (_, acc) = pm
        .get(&format!("/api/v1/units/{unit}/billing-account"))
        .await;
    assert_eq!(acc["billing_from"], json!(day), "{acc}");
    let (st, e) = pm.post(&format!("{one}/complete"), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "move_in_not_open")])
    );

    // The survey, once: five scores of 1 to 5.
    let (st, e) = agent
        .post(&format!("{one}/survey"), json!({"scores": [5, 4, 6, 5, 5]}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("scores", "move_in_survey_scores")])
    );
    let (st, m) = agent
        .post(
            &format!("{one}/survey"),
            json!({"scores": [5, 4, 5, 5, 4], "comment": "很满意"}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(
        (&m["survey_scores"], &m["survey_mean"]),
        (&json!([5, 4, 5, 5, 4]), &json!(4.6))
    );
    let (st, e) = agent
        .post(&format!("{one}/survey"), json!({"scores": [1, 1, 1, 1, 1]}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("scores", "move_in_survey_done")])
    );

    // Another community's desk sees none of it.
    let outsider = app
        .api_as("agent_b", "service_agent", &[app.community_b])
        .await;
    assert_eq!(outsider.get(&one).await.0, 404);
    assert_eq!(
        outsider
            .post(&step(w2), json!({"step": "fixed", "note": "x"}))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn the_owner_sees_his_move_in_and_rates_it_in_the_portal() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let (st, m) = agent
        .post(
            &format!("/api/v1/communities/{a}/move-ins"),
            json!({"unit_id": unit}),
        )
        .await;
    assert_eq!(st, 201, "{m}");
    let id = m["id"].as_i64().unwrap();
    let (st, e) = owner
        .post(
            &format!("/api/v1/portal/move-ins/{id}/survey"),
            json!({"scores": [5, 5, 5, 5, 5]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("scores", "move_in_survey_not_completed")])
    );
    let all = json!({"identity_checked": true, "purchase_checked": true, "agreement_signed": true,
                     "rules_signed": true, "record_card_done": true});
    agent
        .put(&format!("/api/v1/move-ins/{id}/checks"), all)
        .await;
    let (st, m) = agent
        .post(
            &format!("/api/v1/move-ins/{id}/complete"),
            json!({"unit_state": "decorating"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&m)),
        (422, vec![pair("unit_state", "move_in_unit_state_after")])
    );
    let (st, m) = agent
        .post(
            &format!("/api/v1/move-ins/{id}/complete"),
            json!({"unit_state": "rented"}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    let (_, mine) = owner.get("/api/v1/portal/move-ins").await;
    assert_eq!(
        (&mine[0]["number"], &mine[0]["state"]),
        (&json!("RH-000001"), &json!("completed"))
    );
    let (st, m) = owner
        .post(
            &format!("/api/v1/portal/move-ins/{id}/survey"),
            json!({"scores": [5, 5, 4, 5, 5]}),
        )
        .await;
    assert_eq!(st, 200, "{m}");
    assert_eq!(m["survey_mean"], 4.8);
    let other = app.api_as("o2", "owner", &[app.community_a]).await;
    assert_eq!(
        other
            .post(
                &format!("/api/v1/portal/move-ins/{id}/survey"),
                json!({"scores": [1, 1, 1, 1, 1]})
            )
            .await
            .0,
        404
    );
}
