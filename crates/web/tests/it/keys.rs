//! The key ledger (issue 15 point 3), over the API on a fresh database: cabinets with one
//! keeper; keys labelled with a code, what they open and a position, each field's bad input
//! named and nothing written; lending and returning with who and when; a key out is not lent
//! again (nor by two desks at once); an owner's deposited key goes only against his recorded
//! authorisation in force; keys past due are told once by the job and listed on a handover.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, new_unit};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

fn due_in(h: i64) -> String {
    (Utc::now() + Duration::hours(h)).to_rfc3339()
}

#[tokio::test]
async fn keys_are_labelled_lent_and_returned_with_who_and_when() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let (tech_id, tech) = staff(&app, "tech1", "technician").await;
    let (_, guard) = staff(&app, "guard1", "security").await;

    // A cabinet needs a name and a keeper of the community; only a manager adds one.
    let cabinets = format!("/api/v1/communities/{a}/key-cabinets");
    let (st, e) = pm
        .post(&cabinets, json!({"name": " ", "keeper_id": 999_999}))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["name", "keeper_id"]);
    let (st, _) = agent
        .post(
            &cabinets,
            json!({"name": "前台钥匙柜", "keeper_id": agent_id.0}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, cab) = pm
        .post(
            &cabinets,
            json!({"name": "前台钥匙柜", "location": "服务中心前台", "keeper_id": agent_id.0}),
        )
        .await;
    assert_eq!(st, 201, "{cab}");
    assert_eq!(cab["keeper_name"], "agent1姓名");
    let cab = cab["id"].as_i64().unwrap();
    let (st, e) = pm
        .post(
            &cabinets,
            json!({"name": "前台钥匙柜", "keeper_id": agent_id.0}),
        )
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["name".to_string()]));

    // Keys: bad input named, nothing written.
    let keys = format!("/api/v1/communities/{a}/keys");
    let (st, e) = agent
        .post(
            &keys,
            json!({"cabinet_id": cab, "position": "", "code": "K 1", "kind": "car", "copies": 0}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    for f in ["position", "code", "kind", "copies"] {
        assert!(fields(&e).contains(&f.to_string()), "{f}: {e}");
    }
    let (st, e) = agent
        .post(
            &keys,
            json!({"cabinet_id": cab, "position": "A-01", "code": "U-1", "kind": "unit"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert!(fields(&e).contains(&"unit_id".to_string()), "{e}");
    assert_eq!(app.count("key_items").await, 0);

    let (st, room) = agent
        .post(
            &keys,
            json!({"cabinet_id": cab, "position": "A-01", "code": "jf-01", "kind": "machine_room",
                            "opens": "1号配电房", "copies": 2}),
        )
        .await;
    assert_eq!(st, 201, "{room}");
    assert_eq!(room["code"], "JF-01");
    assert_eq!(room["state"], "in");
    assert_eq!(room["keeper_name"], "agent1姓名");
    let room_key = room["id"].as_i64().unwrap();
    // The same code, or the same hook, is refused.
    let (st, e) = agent
        .post(&keys, json!({"cabinet_id": cab, "position": "A-01", "code": "JF-01", "kind": "other", "opens": "x"}))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["code", "position"]);

    // A technician takes the machine-room key for an inspection.
    let lend = format!("/api/v1/keys/{room_key}/lend");
    let (st, e) = agent
        .post(
            &lend,
            json!({"borrower_user_id": tech_id.0, "purpose": "", "due_at": due_in(-1)}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["purpose", "due_at"]);
    let (st, e) = agent
        .post(&lend, json!({"purpose": "巡检", "due_at": due_in(2)}))
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["borrower_name".to_string()])
    );
    assert_eq!(app.count("key_loans").await, 0);
    let before = Utc::now() - Duration::seconds(1);
    let (st, loan) = agent
        .post(
            &lend,
            json!({"borrower_user_id": tech_id.0, "purpose": "配电房巡检", "due_at": due_in(2)}),
        )
        .await;
    assert_eq!(st, 201, "{loan}");
    assert_eq!(loan["borrower_name"], "tech1姓名");
    assert_eq!(loan["lent_by_name"], "agent1姓名");
    assert_eq!(loan["overdue"], false);
    let lent_at: chrono::DateTime<Utc> = loan["lent_at"].as_str().unwrap().parse().unwrap();
    assert!(lent_at >= before && lent_at <= Utc::now());
    // Out: not lent again; the refusal names who has it.
    let (st, e) = guard
        .post(
            &lend,
            json!({"borrower_name": "外来维修", "purpose": "维修", "due_at": due_in(1)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("key_already_out")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("tech1姓名"), "{e}");
    let (_, k) = agent.get(&format!("/api/v1/keys/{room_key}")).await;
    assert_eq!(k["state"], "out");
    assert_eq!(k["loan"]["borrower_name"], "tech1姓名");
    let (_, out) = agent
        .get(&format!("/api/v1/communities/{a}/keys?state=out"))
        .await;
    assert_eq!(out.as_array().map(Vec::len), Some(1));
    // The technician has no desk: he reads no ledger.
    let (st, _) = tech.get(&keys).await;
    assert_eq!(st, 403);

    // The guard on the evening desk receives it back.
    let ret = format!("/api/v1/keys/{room_key}/return");
    let (st, back) = guard.post(&ret, json!({"note": "完好"})).await;
    assert_eq!(st, 200, "{back}");
    assert_eq!(back["returned_to_name"], "guard1姓名");
    assert!(back["returned_at"].is_string());
    let (st, e) = guard.post(&ret, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("key_not_out"))
    );
    let (_, reg) = pm
        .get(&format!(
            "/api/v1/communities/{a}/key-loans?key_id={room_key}"
        ))
        .await;
    assert_eq!(reg.as_array().map(Vec::len), Some(1), "{reg}");
    assert_eq!(reg[0]["return_note"], "完好");
    let (_, cabs) = agent.get(&cabinets).await;
    assert_eq!(
        (cabs[0]["keys"].as_i64(), cabs[0]["out"].as_i64()),
        (Some(1), Some(0))
    );

    // A retired key is not lent; a manager retires and restores.
    let (st, _) = agent
        .post(&format!("/api/v1/keys/{room_key}/retire"), json!({}))
        .await;
    assert_eq!(st, 403);
    let (st, k) = pm
        .post(&format!("/api/v1/keys/{room_key}/retire"), json!({}))
        .await;
    assert_eq!((st.as_u16(), k["state"].as_str()), (200, Some("retired")));
    let (st, e) = agent
        .post(
            &lend,
            json!({"borrower_user_id": tech_id.0, "purpose": "巡检", "due_at": due_in(1)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("key_retired"))
    );
    let (st, k) = pm
        .post(&format!("/api/v1/keys/{room_key}/restore"), json!({}))
        .await;
    assert_eq!((st.as_u16(), k["state"].as_str()), (200, Some("in")));
    // The scan of a tag finds it.
    let (st, k) = guard
        .get(&format!("/api/v1/communities/{a}/keys/by-code/jf-01"))
        .await;
    assert_eq!((st.as_u16(), k["id"].as_i64()), (200, Some(room_key)));
}

#[tokio::test]
async fn an_owners_deposited_key_goes_only_against_his_authorisation() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let unit = new_unit(&admin, app.building_a.0, "1801").await;
    let (_, owner) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "王业主", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let (_, tenant) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "李租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    let (_, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "业主寄存柜", "keeper_id": agent_id.0}),
        )
        .await;
    let keys = format!("/api/v1/communities/{a}/keys");
    // The depositor must be an owner of the unit.
    let (st, e) = agent
        .post(
            &keys,
            json!({"cabinet_id": cab["id"], "position": "B-01", "code": "JC-1801", "kind": "unit",
                            "unit_id": unit, "depositor_id": tenant["id"]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["depositor_id".to_string()]),
        "{e}"
    );
    let (st, k) = agent
        .post(
            &keys,
            json!({"cabinet_id": cab["id"], "position": "B-01", "code": "JC-1801", "kind": "unit",
                            "unit_id": unit, "depositor_id": owner["id"]}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    assert!(k["opens"].as_str().unwrap().ends_with("-1801"), "{k}");
    assert_eq!(k["depositor_name"], "王业主");
    let key = k["id"].as_i64().unwrap();
    let lend = format!("/api/v1/keys/{key}/lend");
    // Without an authorisation: refused, named.
    let (st, e) = agent
        .post(
            &lend,
            json!({"borrower_name": "王先生的朋友", "purpose": "代取物品", "due_at": due_in(3)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["authorisation_id".to_string()]),
        "{e}"
    );
    // The owner phones in: his cleaner may take it until the end of the year.
    let auths = format!("/api/v1/keys/{key}/authorisations");
    let (st, e) = agent
        .post(
            &auths,
            json!({"person_name": "", "phone": "123", "how": "smoke", "valid_until": "2020-01-01"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["person_name", "phone", "how", "valid_until"]);
    let (st, k) = agent
        .post(
            &auths,
            json!({"person_name": "张阿姨", "phone": "13812345678", "how": "phone_call",
                             "valid_until": "2099-12-31", "note": "保洁"}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    let granted = &k["authorisations"][0];
    assert_eq!(granted["phone"], "138****5678");
    assert_eq!(granted["in_force"], true);
    let auth = granted["id"].as_i64().unwrap();
    // A key of no owner takes no authorisation.
    let (_, plain) = agent
        .post(&keys, json!({"cabinet_id": cab["id"], "position": "B-02", "code": "GG-1", "kind": "common_door", "opens": "1栋天台门"}))
        .await;
    let (st, e) = agent
        .post(
            &format!("/api/v1/keys/{}/authorisations", plain["id"]),
            json!({"person_name": "x", "how": "written"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("key_not_deposited"))
    );
    // Lent against it: the borrower is the person the owner named, whatever was typed.
    let (st, loan) = agent
        .post(&lend, json!({"borrower_name": "别人", "purpose": "保洁", "due_at": due_in(3), "authorisation_id": auth}))
        .await;
    assert_eq!(st, 201, "{loan}");
    assert_eq!(loan["borrower_name"], "张阿姨");
    assert_eq!(loan["borrower_phone"], "138****5678");
    assert_eq!(loan["authorisation_id"], auth);
    agent
        .post(&format!("/api/v1/keys/{key}/return"), json!({}))
        .await;
    // Withdrawn: no longer lends; twice is refused.
    let (st, k) = agent
        .post(
            &format!("/api/v1/key-authorisations/{auth}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), k["authorisations"][0]["in_force"].as_bool()),
        (200, Some(false))
    );
    let (st, e) = agent
        .post(
            &format!("/api/v1/key-authorisations/{auth}/revoke"),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("key_authorisation_revoked"))
    );
    let (st, e) = agent
        .post(
            &lend,
            json!({"purpose": "保洁", "due_at": due_in(3), "authorisation_id": auth}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["authorisation_id".to_string()]),
        "{e}"
    );
    // The clear phone is nowhere in the audit log.
    let (_, log) = pm.get("/api/v1/audit?entity=key_authorisation").await;
    assert!(!log.to_string().contains("13812345678"), "{log}");
}

#[tokio::test]
async fn two_desks_lending_one_key_at_once_lend_it_once() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (_, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "柜", "keeper_id": agent_id.0}),
        )
        .await;
    let (_, k) = agent
        .post(&format!("/api/v1/communities/{a}/keys"),
              json!({"cabinet_id": cab["id"], "position": "1", "code": "DT-1", "kind": "machine_room", "opens": "电梯机房"}))
        .await;
    let lend = format!("/api/v1/keys/{}/lend", k["id"]);
    for round in 0..3 {
        let b1 = json!({"borrower_name": "甲", "purpose": "维保", "due_at": due_in(1)});
        let b2 = json!({"borrower_name": "乙", "purpose": "维保", "due_at": due_in(1)});
        let ((s1, v1), (s2, v2)) = tokio::join!(agent.post(&lend, b1), guard.post(&lend, b2));
        let mut codes = [s1.as_u16(), s2.as_u16()];
        codes.sort();
        assert_eq!(codes, [201, 409], "round {round}: {v1} {v2}");
        agent
            .post(&format!("/api/v1/keys/{}/return", k["id"]), json!({}))
            .await;
    }
    assert_eq!(app.count("key_loans").await, 3);
}

#[tokio::test]
async fn keys_past_due_are_told_once_and_listed_on_the_handover() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (agent_id, agent) = staff(&app, "agent1", "service_agent").await;
    let (tech_id, tech) = staff(&app, "tech1", "technician").await;
    let (guard_id, _) = staff(&app, "guard1", "security").await;
    let (_, cab) = pm
        .post(
            &format!("/api/v1/communities/{a}/key-cabinets"),
            json!({"name": "柜", "keeper_id": agent_id.0}),
        )
        .await;
    let (_, k) = agent
        .post(&format!("/api/v1/communities/{a}/keys"),
              json!({"cabinet_id": cab["id"], "position": "1", "code": "SB-1", "kind": "machine_room", "opens": "水泵房"}))
        .await;
    let (st, loan) = agent
        .post(
            &format!("/api/v1/keys/{}/lend", k["id"]),
            json!({"borrower_user_id": tech_id.0, "purpose": "水泵检修", "due_at": due_in(1)}),
        )
        .await;
    assert_eq!(st, 201, "{loan}");
    let due: chrono::DateTime<Utc> = loan["due_at"].as_str().unwrap().parse().unwrap();
    // Before its time nothing is told; after it, the keeper and the borrower once.
    assert_eq!(
        wuye_core::frontdesk::run_key_reminders(&app.core, due - Duration::minutes(1))
            .await
            .unwrap(),
        0
    );
    assert_eq!(
        wuye_core::frontdesk::run_key_reminders(&app.core, due + Duration::minutes(1))
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        wuye_core::frontdesk::run_key_reminders(&app.core, due + Duration::minutes(2))
            .await
            .unwrap(),
        0
    );
    for api in [&agent, &tech] {
        let (_, inbox) = api.get("/api/v1/notifications").await;
        let told: Vec<&Value> = inbox
            .as_array()
            .unwrap()
            .iter()
            .filter(|n| n["event"] == "key_overdue")
            .collect();
        assert_eq!(told.len(), 1, "{inbox}");
        assert!(
            told[0]["body"].as_str().unwrap().contains("SB-1"),
            "{inbox}"
        );
    }
    // The handover of the desk lists the key out, with its borrower.
    let (st, h) = agent
        .post(
            &format!("/api/v1/communities/{a}/handovers"),
            json!({"team": "客服前台", "incoming_id": guard_id.0}),
        )
        .await;
    assert_eq!(st, 201, "{h}");
    let item = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["kind"] == "key")
        .cloned();
    let item = item.unwrap_or_else(|| panic!("no key item: {h}"));
    assert!(
        item["text"]
            .as_str()
            .unwrap()
            .contains("SB-1（水泵房）借给 tech1姓名"),
        "{item}"
    );
    assert_eq!(item["source_ref"], format!("key_loan:{}", loan["id"]));
}
