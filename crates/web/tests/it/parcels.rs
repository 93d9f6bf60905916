//! Parcels and mail held at the desk (issue 15 point 2), over the API on a fresh database:
//! bad input named with nothing written; a parcel received for an owner with a portal account
//! tells him its pick-up code in the same transaction; one for a name from the label without an
//! account goes out by SMS to the label's phone; found by its code; picked up by the code or
//! the ID with a signature, once (also when two desks try at once); a tracking number scanned
//! twice is refused; parcels waiting long listed oldest first, reminded once a day, returned.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_core::notify::channels::aliyun::AliyunSettings;
use wuye_core::notify::channels::{Secret, SmsSettings};

use super::duty::staff;
use super::{app, error_fields, new_unit};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

/// A drawn signature as the screen's canvas sends it.
pub fn signature() -> String {
    use base64::Engine;
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 64]);
    format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(png)
    )
}

#[tokio::test]
async fn a_parcel_is_received_told_and_picked_up_once_with_a_signature() {
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
    let path = format!("/api/v1/communities/{a}/parcels");

    // Bad input, each named; nothing written.
    let (st, e) = agent
        .post(
            &path,
            json!({"carrier": "", "tracking_no": "SF 123/4", "phone": "12", "kind": "box"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    for f in ["kind", "carrier", "tracking_no", "phone", "recipient_name"] {
        assert!(fields(&e).contains(&f.to_string()), "{f}: {e}");
    }
    let other = new_unit(&app.admin().await, app.building_a.0, "2201").await;
    let (st, e) = agent
        .post(
            &path,
            json!({"carrier": "顺丰", "unit_id": other, "recipient_id": person}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["recipient_id".to_string()]),
        "{e}"
    );
    assert_eq!(app.count("parcels").await, 0);
    // A technician works no desk.
    let (st, _) = tech
        .post(&path, json!({"carrier": "顺丰", "recipient_name": "x"}))
        .await;
    assert_eq!(st, 403);

    // Received for the owner, his unit typed as the desk types it.
    let before = Utc::now() - Duration::seconds(1);
    let (st, p) = agent
        .post(
            &path,
            json!({"carrier": "顺丰", "tracking_no": "sf1234567890", "unit_label": label,
                            "recipient_id": person, "shelf": "A-3"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["state"], "held");
    assert_eq!(p["tracking_no"], "SF1234567890");
    assert_eq!(p["unit_id"], unit);
    assert_eq!(p["received_by_name"], "agent1姓名");
    let code = p["code"].as_str().unwrap().to_string();
    assert!(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "{code}"
    );
    let received: chrono::DateTime<Utc> = p["received_at"].as_str().unwrap().parse().unwrap();
    assert!(received >= before && received <= Utc::now());
    let id = p["id"].as_i64().unwrap();
    // The owner was told its code.
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let told: Vec<&Value> = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "parcel_arrived")
        .collect();
    assert_eq!(told.len(), 1, "{inbox}");
    assert!(told[0]["body"].as_str().unwrap().contains(&code), "{inbox}");
    // His portal lists it with its code; staff names stay with the desk; staff have no portal.
    let (st, mine) = owner.get("/api/v1/portal/parcels").await;
    assert_eq!(st, 200, "{mine}");
    assert_eq!(
        (
            mine[0]["id"].as_i64(),
            mine[0]["code"].as_str(),
            &mine[0]["received_by_name"]
        ),
        (Some(id), Some(code.as_str()), &Value::Null)
    );
    let (st, _) = agent.get("/api/v1/portal/parcels").await;
    assert_eq!(st, 403);
    // Scanned twice: refused.
    let (st, e) = guard
        .post(
            &path,
            json!({"carrier": "顺丰", "tracking_no": "SF1234567890", "recipient_name": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["tracking_no".to_string()]),
        "{e}"
    );

    // The guard finds it by its code.
    let (st, found) = guard.get(&format!("{path}/by-code/{code}")).await;
    assert_eq!((st.as_u16(), found["id"].as_i64()), (200, Some(id)));
    let (st, _) = guard.get(&format!("{path}/by-code/12x")).await;
    assert_eq!(st, 422);
    // Pick-up: a wrong code, no signature — refused, named.
    let pick = format!("/api/v1/parcels/{id}/pick-up");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let (st, e) = guard
        .post(
            &pick,
            json!({"method": "code", "code": wrong, "signature": "not a png"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["code", "signature"]);
    // Two desks hand it over at once: once.
    let body = json!({"method": "code", "code": code, "signature": signature()});
    let ((s1, v1), (s2, v2)) = tokio::join!(
        guard.post(&pick, body.clone()),
        agent.post(&pick, body.clone())
    );
    let mut codes = [s1.as_u16(), s2.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409], "{v1} {v2}");
    let done = if s1.as_u16() == 200 { v1 } else { v2 };
    assert_eq!(done["state"], "picked");
    assert_eq!(done["pickup_method"], "code");
    assert!(
        done["picked_by_name"].as_str().unwrap().ends_with("业主"),
        "{done}"
    );
    let (st, e) = guard.post(&pick, body).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("parcel_not_held"))
    );
    // The code no longer finds it; the signature is kept.
    let (st, _) = guard.get(&format!("{path}/by-code/{code}")).await;
    assert_eq!(st, 404);
    let r = reqwest::Client::new()
        .get(format!("{}/api/v1/parcels/{id}/signature", app.base))
        .bearer_auth(agent.token.clone().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/png");
    assert!(r.bytes().await.unwrap().starts_with(b"\x89PNG"));
    assert_eq!(app.count("parcel_signatures").await, 1);
}

#[tokio::test]
async fn a_recipient_without_an_account_gets_the_code_by_sms_and_shows_his_id() {
    let app = wuye_testkit::spawn_app_with(|s, _| {
        s.channels.sms = Some(SmsSettings::Aliyun(AliyunSettings {
            endpoint: "http://127.0.0.1:9".into(),
            access_key_id: "LTAI-test".into(),
            access_key_secret: Secret("aliyun-test-secret".into()),
            sign_name: "阳光物业".into(),
            region: "cn-hangzhou".into(),
            templates: [("parcel_arrived".to_string(), "SMS_200001".to_string())]
                .into_iter()
                .collect(),
        }))
    })
    .await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "1503").await;
    let (_, tenant) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "孙租户", "unit_id": unit, "relation": "tenant",
                                       "id_number": "110101199003074477"}),
        )
        .await;
    assert!(tenant["id"].is_i64(), "{tenant}");
    // The label's name and phone: no account, so an SMS to that phone.
    let path = format!("/api/v1/communities/{a}/parcels");
    let (st, p) = agent
        .post(&path, json!({"kind": "registered", "carrier": "EMS", "recipient_name": "周先生", "phone": "13811112222"}))
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["phone"], "138****2222");
    let (_, outbox) = admin.get(&format!("/api/v1/outbox?community_id={a}")).await;
    let sms: Vec<&Value> = outbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["event"] == "parcel_arrived")
        .collect();
    assert_eq!(sms.len(), 1, "{outbox}");
    assert_eq!(sms[0]["channel"], "sms");
    // The name typed from a label that is one person's of the unit is that person.
    let (st, p) = agent
        .post(
            &path,
            json!({"carrier": "韵达", "unit_id": unit, "recipient_name": "孙租户"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), &p["recipient_id"]),
        (201, &tenant["id"]),
        "{p}"
    );
    // The tenant's parcel, picked up with his ID: another ID is refused, his is kept masked.
    let (_, p) = agent
        .post(&path, json!({"carrier": "京东", "tracking_no": "JD0001", "unit_id": unit, "recipient_id": tenant["id"]}))
        .await;
    let pick = format!("/api/v1/parcels/{}/pick-up", p["id"]);
    let (st, e) = agent
        .post(&pick, json!({"method": "id_card", "id_number": "11010119900307001X", "signature": signature()}))
        .await;
    assert_eq!(st, 422, "{e}");
    assert!(fields(&e).contains(&"id_number".to_string()), "{e}");
    let (st, done) = agent
        .post(&pick, json!({"method": "id_card", "id_number": "110101199003074477", "picked_by_name": "孙租户的家人",
                            "signature": signature()}))
        .await;
    assert_eq!(st, 200, "{done}");
    assert_eq!(done["picked_by_name"], "孙租户的家人");
    let masked = done["id_number"].as_str().unwrap();
    assert!(
        masked.contains('*') && !masked.contains("19900307"),
        "{masked}"
    );
}

#[tokio::test]
async fn parcels_waiting_long_are_listed_reminded_once_a_day_and_returned() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let path = format!("/api/v1/communities/{a}/parcels");
    let mut ids = Vec::new();
    for n in 0..3 {
        let (_, p) = agent
            .post(&path, json!({"carrier": "中通", "tracking_no": format!("ZT{n}"), "unit_id": me["units"][0]["unit_id"],
                                "recipient_id": me["person_id"]}))
            .await;
        ids.push(p["id"].as_i64().unwrap());
    }
    // Two of them came in 8 and 5 days ago (the desk's days go by).
    let mut tx = app.core.db.begin().await.unwrap();
    for (id, days) in [(ids[0], 8), (ids[1], 5)] {
        tx.execute(
            "UPDATE parcels SET received_at = $1 WHERE id = $2",
            wuye_core::args![Utc::now() - Duration::days(days), id],
        )
        .await
        .unwrap();
    }
    tx.commit().await.unwrap();
    let (_, long) = agent.get(&format!("{path}?older_than_days=3")).await;
    let listed: Vec<i64> = long
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(listed, [ids[0], ids[1]], "oldest first: {long}");
    assert_eq!(long[0]["days_held"], 8);
    let (st, e) = agent.get(&format!("{path}?older_than_days=0")).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["older_than_days".to_string()])
    );
    // Reminded once; again the same day, nobody.
    let rem = format!("{path}/reminders");
    let (st, r) = agent.post(&rem, json!({"older_than_days": 3})).await;
    assert_eq!((st.as_u16(), r["reminded"].as_i64()), (200, Some(2)), "{r}");
    let (_, r) = agent.post(&rem, json!({"older_than_days": 3})).await;
    assert_eq!(r["reminded"], 0);
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let reminders = inbox
        .as_array()
        .unwrap()
        .iter()
        .filter(|n| n["event"] == "parcel_reminder")
        .count();
    assert_eq!(reminders, 2, "{inbox}");
    // The oldest goes back to the carrier; twice is refused.
    let back = format!("/api/v1/parcels/{}/return", ids[0]);
    let (st, p) = agent.post(&back, json!({"note": "超期退回"})).await;
    assert_eq!((st.as_u16(), p["state"].as_str()), (200, Some("returned")));
    let (st, e) = agent.post(&back, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("parcel_not_held"))
    );
    let (_, held) = agent.get(&format!("{path}?state=held")).await;
    assert_eq!(held.as_array().map(Vec::len), Some(2));
}

#[tokio::test]
async fn parcels_scanned_in_at_once_each_get_their_own_code_and_a_twice_scanned_number_is_refused()
{
    let app = app().await;
    let a = app.community_a.0;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let path = format!("/api/v1/communities/{a}/parcels");
    // A courier's van scanned in at once: the writes share transactions (group commit), and
    // one number scanned twice among them is refused for that parcel alone.
    let bodies: Vec<Value> = (0..40)
        .map(|i| {
            let n = if i == 39 { 7 } else { i };
            json!({"carrier": "中通", "tracking_no": format!("ZT{n:08}"), "recipient_name": format!("收件人{i}")})
        })
        .collect();
    let calls = bodies.into_iter().map(|b| {
        let agent = agent.clone();
        let path = path.clone();
        async move { agent.post(&path, b).await }
    });
    let results = super::accounts::futures_join_all(calls).await;
    let mut codes: Vec<String> = Vec::new();
    let mut refused = 0;
    for (st, v) in &results {
        match st.as_u16() {
            201 => codes.push(v["code"].as_str().unwrap().to_string()),
            422 => {
                assert_eq!(fields(v), ["tracking_no"], "{v}");
                refused += 1;
            }
            other => panic!("{other}: {v}"),
        }
    }
    assert_eq!((codes.len(), refused), (39, 1));
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 39, "every held parcel has its own code");
    assert_eq!(app.count("parcels").await, 39);
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE entity = 'parcel' AND action = 'create'",
            wuye_core::args![],
        )
        .await
        .unwrap();
    assert_eq!(n, 39, "one audit entry a parcel written");
    // Each is found by its own code.
    for code in codes.iter().take(5) {
        let (st, found) = agent.get(&format!("{path}/by-code/{code}")).await;
        assert_eq!(
            (st.as_u16(), found["code"].as_str()),
            (200, Some(code.as_str()))
        );
    }
}
