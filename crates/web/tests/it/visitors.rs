//! Visitors and passes (issue 15 point 1), over the API on a fresh database: a walk-in with bad
//! input named and nothing written; registered for an owner, who is told and answers once in
//! the portal; the ID kept masked and revealed only with `pii.reveal`, logged; leaving once.
//! An owner's guest's pass: only for his unit, a window of at most 7 days; checked in with one
//! scan and used once (two gates at once: one lets in); not yet valid, expired, revoked and
//! unknown codes refused, naming `code`. The desk's temporary and workers' passes: numbered,
//! used as often as their holder comes.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

fn at(d: Duration) -> String {
    (Utc::now() + d).to_rfc3339()
}

#[tokio::test]
async fn a_walk_in_is_registered_answered_by_the_host_and_leaves_once() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (_, tech) = staff(&app, "tech1", "technician").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let person = me["person_id"].as_i64().unwrap();
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let path = format!("/api/v1/communities/{a}/visitors");

    let (st, e) = guard
        .post(
            &path,
            json!({"visitor_name": "", "id_type": "passport", "id_number": "E1", "party_size": 0,
                   "unit_label": "99栋-9999", "phone": "123"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    for f in [
        "visitor_name",
        "id_number",
        "party_size",
        "unit_label",
        "phone",
    ] {
        assert!(fields(&e).contains(&f.to_string()), "{f}: {e}");
    }
    let (st, e) = guard
        .post(
            &path,
            json!({"visitor_name": "李四", "id_number": "110101199003071234"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["id_number".to_string()]),
        "{e}"
    );
    let (st, e) = guard
        .post(
            &path,
            json!({"visitor_name": "李四", "confirmed_by_call": true}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["host_person_id".to_string()]),
        "{e}"
    );
    assert_eq!(app.count("visits").await, 0);
    let (st, _) = tech.post(&path, json!({"visitor_name": "李四"})).await;
    assert_eq!(st, 403);

    let (st, v) = guard
        .post(
            &path,
            json!({"visitor_name": "李四", "id_number": "110101199003074477", "phone": "13912345678",
                   "unit_label": label, "host_person_id": person, "purpose": "探亲", "plate": "粤B12345",
                   "party_size": 2}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (&v["unit_id"], &v["answer"], &v["inside"], &v["party_size"]),
        (&json!(unit), &Value::Null, &json!(true), &json!(2))
    );
    assert_eq!(v["phone"], "139****5678");
    let masked = v["id_number"].as_str().unwrap();
    assert!(
        masked.contains('*') && !masked.contains("19900307"),
        "{masked}"
    );
    let id = v["id"].as_i64().unwrap();
    // The host is told, and answers in the portal once.
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert!(
        inbox
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["event"] == "visitor_arrived"),
        "{inbox}"
    );
    let (_, mine) = owner.get("/api/v1/portal/visitors").await;
    assert_eq!(mine[0]["id"].as_i64(), Some(id), "{mine}");
    let answer = format!("/api/v1/portal/visitors/{id}/answer");
    let (st, e) = owner.post(&answer, json!({"answer": "maybe"})).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["answer".to_string()]));
    let (st, v) = owner.post(&answer, json!({"answer": "confirmed"})).await;
    assert_eq!(
        (st.as_u16(), &v["answer"], &v["answered_how"]),
        (200, &json!("confirmed"), &json!("portal"))
    );
    let (st, e) = agent
        .post(
            &format!("/api/v1/visitors/{id}/answer"),
            json!({"answer": "refused"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("visit_answered"))
    );

    // The ID in clear: the agent may (logged), the guard may not.
    let reveal = format!("/api/v1/visitors/{id}/id-number");
    let (st, _) = guard.get(&reveal).await;
    assert_eq!(st, 403);
    let (st, r) = agent.get(&reveal).await;
    assert_eq!(
        (st.as_u16(), r["id_number"].as_str()),
        (200, Some("110101199003074477"))
    );
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE action = 'reveal' AND entity = 'visit'",
            wuye_core::args![],
        )
        .await
        .unwrap();
    assert_eq!(n, 1);

    // Leaving, once; the register lists today's and those inside.
    let out = format!("/api/v1/visitors/{id}/check-out");
    let (st, v) = guard.post(&out, json!({})).await;
    assert_eq!((st.as_u16(), &v["inside"]), (200, &json!(false)));
    let (st, e) = guard.post(&out, json!({})).await;
    assert_eq!((st.as_u16(), e["code"].as_str()), (409, Some("visit_over")));
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let (_, list) = guard.get(&format!("{path}?day={today}")).await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let (_, inside) = guard.get(&format!("{path}?inside=true")).await;
    assert_eq!(inside.as_array().map(Vec::len), Some(0), "{inside}");
    // A call recorded at the desk for a walk-in to the same host.
    let (st, v) = agent
        .post(&path, json!({"visitor_name": "王五", "unit_id": unit, "host_person_id": person, "confirmed_by_call": true}))
        .await;
    assert_eq!(
        (st.as_u16(), &v["answered_how"], &v["answered_by_name"]),
        (201, &json!("call"), &json!("agent1姓名")),
        "{v}"
    );
}

#[tokio::test]
async fn a_guests_pass_lets_him_in_once_within_its_window() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let other = crate::new_unit(&app.admin().await, app.building_a.0, "2202").await;
    let passes = "/api/v1/portal/visitor-passes";

    let (st, e) = owner
        .post(
            passes,
            json!({"unit_id": other, "guest_name": "张三", "valid_from": at(Duration::zero()),
                             "valid_until": at(Duration::hours(4))}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["unit_id".to_string()]),
        "{e}"
    );
    let (st, e) = owner
        .post(
            passes,
            json!({"unit_id": unit, "guest_name": "", "valid_from": at(Duration::zero()),
                             "valid_until": at(Duration::days(8))}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["guest_name", "valid_until"]);
    assert_eq!(app.count("visitor_passes").await, 0);

    let mut codes = Vec::new();
    for n in 0..3 {
        let (st, p) = owner
            .post(passes, json!({"unit_id": unit, "guest_name": format!("客人{n}"), "plate": "粤B00001",
                                 "valid_from": at(Duration::minutes(-1)), "valid_until": at(Duration::hours(6))}))
            .await;
        assert_eq!(st, 201, "{p}");
        assert_eq!(
            (&p["kind"], &p["valid_now"], &p["number"]),
            (&json!("guest"), &json!(true), &Value::Null)
        );
        codes.push((
            p["id"].as_i64().unwrap(),
            p["code"].as_str().unwrap().to_string(),
        ));
    }
    let check_in = format!("/api/v1/communities/{a}/visitors/check-in");
    // One scan lets him in, confirmed by the pass.
    let (st, v) = guard.post(&check_in, json!({"code": codes[0].1})).await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(
        (
            &v["visitor_name"],
            &v["answer"],
            &v["answered_how"],
            &v["unit_id"],
            &v["plate"]
        ),
        (
            &json!("客人0"),
            &json!("confirmed"),
            &json!("pass"),
            &json!(unit),
            &json!("粤B00001")
        )
    );
    let (st, e) = guard.post(&check_in, json!({"code": codes[0].1})).await;
    assert_eq!(
        (st.as_u16(), fields(&e), e["errors"][0]["code"].as_str()),
        (422, vec!["code".to_string()], Some("pass_used")),
        "{e}"
    );
    // Two gates scan one pass at once: one lets him in.
    let body = json!({"code": codes[1].1});
    let ((s1, _), (s2, _)) = tokio::join!(
        guard.post(&check_in, body.clone()),
        agent.post(&check_in, body.clone())
    );
    let mut st = [s1.as_u16(), s2.as_u16()];
    st.sort();
    assert_eq!(st, [201, 422]);
    // Revoked by the owner; expired; not yet valid; unknown.
    let (st, _) = owner
        .post(&format!("{passes}/{}/revoke", codes[2].0), json!({}))
        .await;
    assert_eq!(st, 200);
    let (_, e) = guard.post(&check_in, json!({"code": codes[2].1})).await;
    assert_eq!(e["errors"][0]["code"], "pass_revoked", "{e}");
    let (_, p) = owner
        .post(
            passes,
            json!({"unit_id": unit, "guest_name": "晚到", "valid_from": at(Duration::hours(2)),
                             "valid_until": at(Duration::hours(6))}),
        )
        .await;
    let (_, e) = guard.post(&check_in, json!({"code": p["code"]})).await;
    assert_eq!(e["errors"][0]["code"], "pass_not_yet", "{e}");
    let mut tx = app.core.db.begin().await.unwrap();
    tx.execute(
        "UPDATE visitor_passes SET valid_from = $1, valid_until = $2 WHERE id = $3",
        wuye_core::args![
            Utc::now() - Duration::days(2),
            Utc::now() - Duration::days(1),
            p["id"].as_i64().unwrap()
        ],
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    let (_, e) = guard.post(&check_in, json!({"code": p["code"]})).await;
    assert_eq!(e["errors"][0]["code"], "pass_expired", "{e}");
    let unknown = if codes[0].1 == "00000000" {
        "00000001"
    } else {
        "00000000"
    };
    let (_, e) = guard.post(&check_in, json!({"code": unknown})).await;
    assert_eq!(e["errors"][0]["code"], "pass_unknown", "{e}");
    let (st, _) = guard.post(&check_in, json!({"code": "12ab"})).await;
    assert_eq!(st, 422);
    assert_eq!(app.count("visits").await, 2);
    let (_, mine) = owner.get(passes).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(4), "{mine}");
}

#[tokio::test]
async fn the_desks_passes_are_numbered_and_let_their_holder_in_each_time() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let path = format!("/api/v1/communities/{a}/visitor-passes");
    let (st, e) = agent
        .post(
            &path,
            json!({"kind": "guest", "visitor_name": "x", "valid_from": at(Duration::zero()),
                            "valid_until": at(Duration::days(400))}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["kind", "valid_until"]);
    let mut made = Vec::new();
    for (kind, name) in [
        ("temporary", "送水工"),
        ("worker", "装修工人"),
        ("temporary", "保洁外包"),
    ] {
        let (st, p) = agent
            .post(&path, json!({"kind": kind, "visitor_name": name, "id_type": "resident_id",
                                "id_number": "110101199003074477", "valid_from": at(Duration::minutes(-5)),
                                "valid_until": at(Duration::days(30))}))
            .await;
        assert_eq!(st, 201, "{p}");
        made.push(p);
    }
    let numbers: Vec<&str> = made.iter().map(|p| p["number"].as_str().unwrap()).collect();
    assert_eq!(numbers, ["LS-00001", "SG-00001", "LS-00002"]);
    assert_eq!(made[0]["issued_by_name"], "agent1姓名");
    let check_in = format!("/api/v1/communities/{a}/visitors/check-in");
    for _ in 0..2 {
        let (st, v) = guard
            .post(&check_in, json!({"code": made[1]["code"]}))
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let (_, p) = guard
        .get(&format!("/api/v1/visitor-passes/{}", made[1]["id"]))
        .await;
    assert_eq!((&p["entries"], &p["valid_now"]), (&json!(2), &json!(true)));
    let (st, p) = agent
        .post(
            &format!("/api/v1/visitor-passes/{}/revoke", made[1]["id"]),
            json!({}),
        )
        .await;
    assert_eq!((st.as_u16(), &p["valid_now"]), (200, &json!(false)));
    let (_, valid) = guard.get(&format!("{path}?valid=true")).await;
    assert_eq!(valid.as_array().map(Vec::len), Some(2), "{valid}");
}
