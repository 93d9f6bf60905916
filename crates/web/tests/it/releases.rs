//! Large items released (issue 15 point 5), over the API on a fresh database: an owner applies in
//! the portal (bad input named, another's unit refused), the desk approves once, the guard finds
//! the slip by its number and lets it out once, on its day; a tenant's slip needs the owner's
//! recorded consent; a name not of the unit is refused; with the community's arrears rule on, a
//! unit owing past due is refused unless a manager gives a reason; a refusal reaches the portal.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, fee_item_of, new_unit};

fn fields(e: &Value) -> Vec<String> {
    error_fields(e).into_iter().map(|(f, _)| f).collect()
}

fn at(d: Duration) -> String {
    (Utc::now() + d).to_rfc3339()
}

/// A time of today in the communities' zone: "now + 3 h" may already be tomorrow there, and the
/// desk lists and the guard lets out a slip by its local day (any time of today is accepted).
pub(crate) fn today_at(hour: u32) -> String {
    super::latefees::today()
        .and_hms_opt(hour, 0, 0)
        .expect("an hour of the day")
        .and_local_timezone(chrono_tz::Asia::Shanghai)
        .single()
        .expect("a local time")
        .to_rfc3339()
}

#[tokio::test]
async fn a_release_is_applied_for_checked_and_passed_once_on_its_day() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let admin = app.admin().await;
    let other = new_unit(&admin, app.building_a.0, "2201").await;

    // The owner applies: bad input named, nothing written; another's unit refused.
    let (st, e) = owner
        .post(
            "/api/v1/portal/releases",
            json!({"unit_id": unit, "items": " ", "planned_at": at(-Duration::days(2))}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(fields(&e), ["items", "planned_at"]);
    let (st, e) = owner
        .post(
            "/api/v1/portal/releases",
            json!({"unit_id": other, "items": "沙发", "planned_at": today_at(9)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["unit_id".to_string()])
    );
    assert_eq!(app.count("release_slips").await, 0);
    let (st, slip) = owner
        .post(
            "/api/v1/portal/releases",
            json!({"unit_id": unit, "items": "旧沙发一张、冰箱一台", "vehicle_plate": "沪A12345",
                   "planned_at": today_at(8)}),
        )
        .await;
    assert_eq!(st, 201, "{slip}");
    assert_eq!(
        (&slip["state"], &slip["number"]),
        (&json!("pending"), &json!("FX-000001"))
    );
    assert_eq!(slip["relation"], "owner");
    let id = slip["id"].as_i64().unwrap();

    // The guard finds it by its number; not approved, nothing goes out.
    let (st, found) = guard
        .get(&format!(
            "/api/v1/communities/{a}/releases/by-number/fx-000001"
        ))
        .await;
    assert_eq!((st.as_u16(), found["id"].as_i64()), (200, Some(id)));
    let pass = format!("/api/v1/releases/{id}/pass");
    let (st, e) = guard.post(&pass, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("release_not_approved"))
    );

    // The desk approves it, once.
    let approve = format!("/api/v1/releases/{id}/approve");
    let (st, ok) = agent.post(&approve, json!({})).await;
    assert_eq!(st, 200, "{ok}");
    assert_eq!(
        (&ok["state"], &ok["arrears_fen"]),
        (&json!("approved"), &json!(0))
    );
    assert_eq!(ok["checked_by_name"], "agent1姓名");
    let (st, e) = agent.post(&approve, json!({})).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("release_not_pending"))
    );
    // Two gates pass it at once: once.
    let ((s1, _), (s2, _)) =
        tokio::join!(guard.post(&pass, json!({})), agent.post(&pass, json!({})));
    let mut got = [s1.as_u16(), s2.as_u16()];
    got.sort();
    assert_eq!(got, [200, 409]);
    let (_, v) = agent.get(&format!("/api/v1/releases/{id}")).await;
    assert_eq!(v["state"], "passed");
    assert!(v["passed_at"].is_string());
    // The slip prints (the guard's copy), for staff only.
    let pdf = agent
        .client
        .get(format!("{}/api/v1/releases/{id}/slip.pdf", app.base))
        .bearer_auth(agent.token.as_deref().unwrap_or(""))
        .send()
        .await
        .expect("pdf");
    assert_eq!(pdf.status(), 200);
    assert!(pdf.bytes().await.expect("bytes").starts_with(b"%PDF"));
    let (st, _) = owner.get(&format!("/api/v1/releases/{id}/slip.pdf")).await;
    assert_eq!(st, 404, "a slip is the desk's");

    // At the desk: a name not of the unit is refused; a slip for tomorrow is not passed today.
    let issue = format!("/api/v1/communities/{a}/releases");
    let (st, e) = agent
        .post(
            &issue,
            json!({"unit_label": label, "applicant_name": "路人甲", "items": "床", "planned_at": today_at(9)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["applicant_name".to_string()])
    );
    let (st, later) = agent
        .post(
            &issue,
            json!({"unit_label": label, "applicant_name": "o1业主", "items": "床", "planned_at": at(Duration::days(2))}),
        )
        .await;
    assert_eq!(st, 201, "{later}");
    assert_eq!(
        (&later["state"], &later["source"]),
        (&json!("approved"), &json!("desk"))
    );
    let (st, e) = guard
        .post(&format!("/api/v1/releases/{}/pass", later["id"]), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["errors"][0]["code"].as_str()),
        (422, Some("release_wrong_day"))
    );

    // A tenant's slip needs the owner's consent, recorded.
    let (_, tenant) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": a, "name": "孙租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    let tid = tenant["id"].as_i64().unwrap();
    let body = |consent: Option<&str>| {
        json!({"unit_id": unit, "applicant_id": tid, "items": "书桌", "planned_at": today_at(10),
               "owner_consent": consent})
    };
    let (st, e) = agent.post(&issue, body(None)).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["owner_consent".to_string()])
    );
    let (st, e) = agent.post(&issue, body(Some("maybe"))).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["owner_consent".to_string()])
    );
    let (st, t) = agent.post(&issue, body(Some("phone_call"))).await;
    assert_eq!(st, 201, "{t}");
    assert_eq!(
        (&t["relation"], &t["owner_consent"]),
        (&json!("tenant"), &json!("phone_call"))
    );

    // The community refuses releases while a unit owes past due; a manager may, with a reason.
    let (st, _) = pm
        .put(
            &format!("/api/v1/communities/{a}/billing-settings"),
            json!({"prepaid_enabled": true, "release_blocks_arrears": true}),
        )
        .await;
    assert_eq!(st, 200);
    let item = fee_item_of(&admin, a, "wyf", "物业费", "property").await;
    let (st, ch) = admin
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": "356.40", "description": "物业费",
                   "reason": "补收", "due_date": (Utc::now() - Duration::days(40)).date_naive()}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    let owes = json!({"unit_id": unit, "applicant_name": "o1业主", "items": "衣柜", "planned_at": today_at(9)});
    let (st, e) = agent.post(&issue, owes.clone()).await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("release_arrears")),
        "{e}"
    );
    assert!(e["message"].as_str().unwrap().contains("356.40"), "{e}");
    let mut with_reason = owes.clone();
    with_reason["arrears_override"] = json!("业主已承诺月底前结清");
    let (st, e) = agent.post(&issue, with_reason.clone()).await;
    assert_eq!(
        (st.as_u16(), fields(&e)),
        (422, vec!["arrears_override".to_string()])
    );
    let before = app.count("release_slips").await;
    let (st, ok) = pm.post(&issue, with_reason).await;
    assert_eq!(st, 201, "{ok}");
    assert_eq!(ok["arrears_fen"], 35640);
    assert_eq!(ok["arrears_override"], "业主已承诺月底前结清");
    assert_eq!(app.count("release_slips").await, before + 1);

    // A refusal reaches the applicant in the portal.
    let (_, slip) = owner
        .post(
            "/api/v1/portal/releases",
            json!({"unit_id": unit, "items": "钢琴", "planned_at": today_at(11)}),
        )
        .await;
    let refuse = format!("/api/v1/releases/{}/refuse", slip["id"]);
    let (st, e) = agent.post(&refuse, json!({"reason": ""})).await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["reason".to_string()]));
    let (st, _) = agent
        .post(&refuse, json!({"reason": "钢琴须预约专业搬运"}))
        .await;
    assert_eq!(st, 200);
    let (_, mine) = owner.get("/api/v1/portal/releases").await;
    assert_eq!(
        (&mine[0]["state"], &mine[0]["refuse_reason"]),
        (&json!("refused"), &json!("钢琴须预约专业搬运"))
    );
    assert_eq!(
        mine[0]["checked_by_name"],
        Value::Null,
        "staff names stay with the desk"
    );
    let (_, today) = agent
        .get(&format!("/api/v1/communities/{a}/releases"))
        .await;
    assert_eq!(today.as_array().map(Vec::len), Some(4), "{today}");
    let (st, e) = agent
        .get(&format!("/api/v1/communities/{a}/releases?state=gone"))
        .await;
    assert_eq!((st.as_u16(), fields(&e)), (422, vec!["state".to_string()]));
}
