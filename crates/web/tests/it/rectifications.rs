//! Rectification (issue 16 point 4), over the API on a fresh database: an audit's sign-off turns
//! the item that lost points into a task due five working days on (a holiday of the company
//! calendar skipped, hand-computed); the auditor assigns an owner, who alone sees it among the
//! staff, adds photos and records the work; the recheck's outcomes (a second rectification is the
//! last round), bad input named, and the overdue job telling owner and auditor once per round.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Asia::Shanghai;
use serde_json::{Value, json};
use wuye_testkit::Api;

use super::duty::staff;
use super::{app, error_fields};

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n0000";

fn code_of(v: &Value) -> (String, String) {
    error_fields(v).into_iter().next().unwrap_or_default()
}

fn at(v: &Value, key: &str) -> DateTime<Utc> {
    v[key].as_str().expect(key).parse().expect("a time")
}

/// The deadline five working days after `start` with `holiday` off, by the calendar's rule: from
/// a working day the same time of day on the fifth working day after it; from a rest day the
/// midnight after the fifth working day.
fn five_working_days(start: DateTime<Utc>, holiday: NaiveDate) -> DateTime<Utc> {
    let working =
        |d: NaiveDate| d != holiday && !matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
    let next = |mut d: NaiveDate| loop {
        d = d.succ_opt().expect("a day");
        if working(d) {
            return d;
        }
    };
    let local = start.with_timezone(&Shanghai);
    let mut d = local.date_naive();
    if working(d) {
        for _ in 0..5 {
            d = next(d);
        }
        return Shanghai
            .from_local_datetime(&d.and_time(local.time()))
            .single()
            .expect("a time")
            .with_timezone(&Utc);
    }
    d = next(d);
    for _ in 1..5 {
        d = next(d);
    }
    let end = d
        .succ_opt()
        .expect("a day")
        .and_hms_opt(0, 0, 0)
        .expect("midnight");
    Shanghai
        .from_local_datetime(&end)
        .single()
        .expect("a time")
        .with_timezone(&Utc)
}

/// An audit of community A with a two-item sheet of its own, item 1 short of its first element
/// (1.5 points), item 2 complete, signed off.
pub(crate) async fn signed_audit(qa: &Api, a: i64, code: &str) -> Value {
    let (st, sheet) = qa
        .post(
            "/api/v1/audit-sheets",
            json!({"code": code, "name": format!("整改测试{code}"), "weight_pct": 100, "items": [
                {"section": "钥匙管理", "item": "钥匙台帐", "elements": ["建立钥匙清单台帐", "借用登记"],
                 "max": "5", "deduct_min": "0.5", "deduct_max": "2"},
                {"section": "信息公示", "item": "公示栏", "elements": ["收费标准上墙"],
                 "max": "5", "deduct_min": "1", "deduct_max": "5"}]}),
        )
        .await;
    assert_eq!(st, 201, "{sheet}");
    let (st, au) = qa
        .post(
            &format!("/api/v1/communities/{a}/audits"),
            json!({"sheets": [{"sheet_id": sheet["id"], "weight_pct": 100}]}),
        )
        .await;
    assert_eq!(st, 201, "{au}");
    let items = au["parts"][0]["items"].as_array().expect("items").clone();
    let (st, v) = qa
        .put(
            &format!("/api/v1/audits/{}/items/{}", au["id"], items[0]["id"]),
            json!({"elements": [{"present": false, "deduction": "1.5"}, {"present": true}],
                   "note": "台帐缺三月"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = qa
        .put(
            &format!("/api/v1/audits/{}/items/{}", au["id"], items[1]["id"]),
            json!({"elements": [{"present": true}]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, signed) = qa
        .post(&format!("/api/v1/audits/{}/sign", au["id"]), json!({}))
        .await;
    assert_eq!(st, 200, "{signed}");
    signed
}

async fn events_of(api: &Api, event: &str) -> Vec<Value> {
    let (_, inbox) = api.get("/api/v1/notifications").await;
    inbox
        .as_array()
        .expect("inbox")
        .iter()
        .filter(|n| n["event"] == event)
        .cloned()
        .collect()
}

async fn photo_bytes(api: &Api, path: &str) -> (u16, Vec<u8>) {
    let r = api
        .client
        .get(format!("{}{path}", api.base))
        .bearer_auth(api.token.as_deref().expect("token"))
        .send()
        .await
        .expect("photo");
    let st = r.status().as_u16();
    (st, r.bytes().await.expect("bytes").to_vec())
}

#[tokio::test]
async fn a_finding_is_rectified_rechecked_and_told_when_overdue() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, qa) = staff(&app, "rq1", "quality_auditor").await;
    let (pm_id, pm) = staff(&app, "rp1", "project_manager").await;
    let (_, tech) = staff(&app, "rt1", "technician").await;

    // The first working day from tomorrow is a holiday of the company calendar.
    let today = Utc::now().with_timezone(&Shanghai).date_naive();
    let mut holiday = today.succ_opt().expect("a day");
    while matches!(holiday.weekday(), Weekday::Sat | Weekday::Sun) {
        holiday = holiday.succ_opt().expect("a day");
    }
    let (st, v) = admin
        .put(
            "/api/v1/calendar",
            json!([{"day": holiday.to_string(), "kind": "holiday", "name": "测试假日"}]),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    let signed = signed_audit(&qa, a, "rect_a").await;
    let signed_at = at(&signed, "signed_at");

    // One task: the short item, its missing element and note, due five working days on.
    let (st, list) = qa
        .get(&format!("/api/v1/communities/{a}/rectifications"))
        .await;
    assert_eq!(st, 200, "{list}");
    assert_eq!(list.as_array().expect("list").len(), 1, "{list}");
    let t = &list[0];
    assert_eq!(
        (&t["number"], &t["item"], &t["finding"], &t["deduction_cp"]),
        (
            &json!("ZG-000001"),
            &json!("钥匙台帐"),
            &json!("缺：建立钥匙清单台帐（台帐缺三月）"),
            &json!(150)
        )
    );
    assert_eq!(
        (&t["state"], &t["round"], &t["assignee_id"], &t["overdue"]),
        (&json!("open"), &json!(1), &Value::Null, &json!(false))
    );
    let due = at(t, "due_at");
    let expected = five_working_days(signed_at, holiday);
    assert!(
        (due - expected).num_seconds().abs() <= 1,
        "due {due}, expected {expected}"
    );
    let id = t["id"].as_i64().expect("id");
    let path = format!("/api/v1/rectifications/{id}");

    // Other staff see nothing of a task not theirs; an owner (resident) is refused the list.
    let (st, none) = pm
        .get(&format!("/api/v1/communities/{a}/rectifications"))
        .await;
    assert_eq!((st.as_u16(), none.as_array().map(Vec::len)), (200, Some(0)));
    assert_eq!(pm.get(&path).await.0, 404);
    let resident = app.api_as("rr1", "owner", &[app.community_a]).await;
    assert_eq!(
        resident
            .get(&format!("/api/v1/communities/{a}/rectifications"))
            .await
            .0,
        403
    );

    // Assigning: the owner is staff of the community, the deadline 1–60 working days.
    let (st, e) = qa
        .post(
            &format!("{path}/assign"),
            json!({"assignee_id": 999_999, "days": 0}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let mut f = error_fields(&e);
    f.sort();
    assert_eq!(
        f,
        vec![
            (
                "assignee_id".to_string(),
                "unknown_rectification_owner".to_string()
            ),
            ("days".to_string(), "rectification_days_range".to_string())
        ]
    );
    assert_eq!(
        pm.post(&format!("{path}/assign"), json!({"assignee_id": pm_id.0}))
            .await
            .0,
        404,
        "only an auditor assigns"
    );
    let (st, t) = qa
        .post(&format!("{path}/assign"), json!({"assignee_id": pm_id.0}))
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(at(&t, "due_at"), due, "no days: the deadline stays");
    assert_eq!(t["assignee_name"], "rp1姓名");
    assert_eq!(events_of(&pm, "rectification_assigned").await.len(), 1);

    // The owner sees it now; only he records, with photos, while it is open.
    let (_, mine) = pm
        .get(&format!("/api/v1/communities/{a}/rectifications"))
        .await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    assert_eq!(tech.get(&path).await.0, 404);
    let (st, e) = qa
        .post(&format!("{path}/done"), json!({"note": "补齐"}))
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e).1),
        (409, "rectification_not_owner".into())
    );
    let (st, e) = pm
        .post_raw(
            &format!("{path}/photos"),
            "image/png",
            b"not an image".to_vec(),
        )
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e)),
        (422, ("photo".into(), "quality_photo_not_an_image".into()))
    );
    let (st, t) = pm
        .post_raw(&format!("{path}/photos"), "image/png", PNG.to_vec())
        .await;
    assert_eq!(st, 201, "{t}");
    let photo = t["photos"][0]["id"].as_i64().expect("photo");
    let (st, bytes) = photo_bytes(&qa, &format!("{path}/photos/{photo}")).await;
    assert_eq!((st, bytes.as_slice()), (200, PNG));
    let (st, e) = qa
        .post(&format!("{path}/recheck"), json!({"outcome": "passed"}))
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e).1),
        (409, "rectification_not_submitted".into())
    );
    let (st, e) = pm
        .post(&format!("{path}/done"), json!({"note": "  "}))
        .await;
    assert_eq!((st.as_u16(), code_of(&e).0), (422, "note".into()));
    let (st, t) = pm
        .post(
            &format!("{path}/done"),
            json!({"note": "已补建钥匙清单台帐"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), &t["state"]),
        (200, &json!("submitted")),
        "{t}"
    );
    let (st, e) = pm
        .post(&format!("{path}/done"), json!({"note": "再记"}))
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e).1),
        (409, "rectification_not_open".into())
    );
    let (st, _) = pm
        .post_raw(&format!("{path}/photos"), "image/png", PNG.to_vec())
        .await;
    assert_eq!(st, 409);

    // Recheck: a second rectification with a new deadline, the last round.
    let (st, e) = qa
        .post(&format!("{path}/recheck"), json!({"outcome": "maybe"}))
        .await;
    assert_eq!((st.as_u16(), code_of(&e).0), (422, "outcome".into()));
    let (st, t) = qa
        .post(
            &format!("{path}/recheck"),
            json!({"outcome": "again", "note": "台帐未签字", "days": 2}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(
        (&t["state"], &t["round"], &t["done_note"]),
        (&json!("open"), &json!(2), &Value::Null)
    );
    let due2 = at(&t, "due_at");
    assert!(due2 > Utc::now(), "{t}");
    assert_eq!(events_of(&pm, "rectification_assigned").await.len(), 2);

    // Past the deadline the owner and the auditor are told once in this round.
    let told = |now| wuye_core::quality::run_rectification_reminders(&app.core, now);
    assert_eq!(told(due2 - Duration::minutes(1)).await.expect("job"), 0);
    assert_eq!(told(due2 + Duration::minutes(1)).await.expect("job"), 1);
    assert_eq!(told(due2 + Duration::minutes(2)).await.expect("job"), 0);
    for api in [&pm, &qa] {
        let n = events_of(api, "rectification_overdue").await;
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(n[0]["body"].as_str().expect("body").contains("ZG-000001"));
    }
    let (_, t) = qa.get(&path).await;
    assert!(t["overdue_told_at"].is_string(), "{t}");

    let (_, t) = pm
        .post(&format!("{path}/done"), json!({"note": "已签字归档"}))
        .await;
    assert_eq!(t["state"], "submitted");
    let (st, e) = qa
        .post(&format!("{path}/recheck"), json!({"outcome": "again"}))
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e).1),
        (409, "rectification_rounds_max".into())
    );
    let (st, t) = qa
        .post(
            &format!("{path}/recheck"),
            json!({"outcome": "passed", "note": "合格"}),
        )
        .await;
    assert_eq!((st.as_u16(), &t["state"]), (200, &json!("passed")), "{t}");
    let kinds: Vec<&str> = t["events"]
        .as_array()
        .expect("events")
        .iter()
        .map(|e| e["kind"].as_str().expect("kind"))
        .collect();
    assert_eq!(
        kinds,
        ["created", "assigned", "done", "again", "done", "passed"]
    );
    assert_eq!(t["photos"].as_array().map(Vec::len), Some(1));

    // Closed: nothing changes any more.
    let (st, e) = qa
        .post(&format!("{path}/recheck"), json!({"outcome": "kept"}))
        .await;
    assert_eq!(
        (st.as_u16(), code_of(&e).1),
        (409, "rectification_closed".into())
    );
    let (st, _) = qa
        .post(&format!("{path}/assign"), json!({"assignee_id": pm_id.0}))
        .await;
    assert_eq!(st, 409);

    // A task nobody rectified is closed with its deduction kept; filters by state.
    signed_audit(&qa, a, "rect_b").await;
    let (_, open) = qa
        .get(&format!(
            "/api/v1/communities/{a}/rectifications?state=open"
        ))
        .await;
    assert_eq!(open.as_array().map(Vec::len), Some(1), "{open}");
    assert_eq!(open[0]["number"], "ZG-000002");
    let (st, t) = qa
        .post(
            &format!("/api/v1/rectifications/{}/recheck", open[0]["id"]),
            json!({"outcome": "kept", "note": "整改期已过"}),
        )
        .await;
    assert_eq!((st.as_u16(), &t["state"]), (200, &json!("kept")), "{t}");
    let (st, e) = qa
        .get(&format!(
            "/api/v1/communities/{a}/rectifications?state=bogus"
        ))
        .await;
    assert_eq!((st.as_u16(), code_of(&e).0), (422, "state".into()));
    // Both tasks' histories: six steps, and issued + kept.
    assert_eq!(app.count("rectification_events").await, 8);
}

#[tokio::test]
async fn an_audit_item_keeps_its_photos_until_and_after_sign_off() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "rq9", "quality_auditor").await;
    let (_, sheets) = qa.get("/api/v1/audit-sheets").await;
    let (_, au) = qa
        .post(
            &format!("/api/v1/communities/{a}/audits"),
            json!({"sheets": [{"sheet_id": sheets[1]["id"], "weight_pct": 100}]}),
        )
        .await;
    let item = au["parts"][0]["items"][0]["id"].as_i64().expect("item");
    let path = format!("/api/v1/audits/{}/items/{item}/photos", au["id"]);
    let (st, e) = qa.post_raw(&path, "image/png", b"GIF89a".to_vec()).await;
    assert_eq!(
        (st.as_u16(), code_of(&e)),
        (422, ("photo".into(), "quality_photo_not_an_image".into()))
    );
    let (st, v) = qa.post_raw(&path, "image/png", PNG.to_vec()).await;
    assert_eq!(st, 201, "{v}");
    let photo = v["parts"][0]["items"][0]["photos"][0]
        .as_i64()
        .expect("photo");
    let (st, bytes) =
        photo_bytes(&qa, &format!("/api/v1/audits/{}/photos/{photo}", au["id"])).await;
    assert_eq!((st, bytes.as_slice()), (200, PNG));
    let (_, pm) = staff(&app, "rp9", "project_manager").await;
    assert_eq!(
        pm.get(&format!("/api/v1/audits/{}/photos/{photo}", au["id"]))
            .await
            .0,
        404
    );
    // Signed off: the photo stays, no more are taken.
    for i in au["parts"][0]["items"].as_array().expect("items") {
        let n = i["elements"].as_array().map_or(0, Vec::len);
        let (st, v) = qa
            .put(
                &format!("/api/v1/audits/{}/items/{}", au["id"], i["id"]),
                json!({"elements": vec![json!({"present": true}); n]}),
            )
            .await;
        assert_eq!(st, 200, "{v}");
    }
    let (st, _) = qa
        .post(&format!("/api/v1/audits/{}/sign", au["id"]), json!({}))
        .await;
    assert_eq!(st, 200);
    let (st, e) = qa.post_raw(&path, "image/png", PNG.to_vec()).await;
    assert_eq!((st.as_u16(), code_of(&e).1), (409, "audit_signed".into()));
    let (_, v) = qa.get(&format!("/api/v1/audits/{}", au["id"])).await;
    assert_eq!(v["parts"][0]["items"][0]["photos"], json!([photo]));
    // A full score leaves nothing to rectify.
    let (_, rs) = qa
        .get(&format!(
            "/api/v1/communities/{a}/rectifications?audit_id={}",
            au["id"]
        ))
        .await;
    assert_eq!(rs, json!([]));
}
