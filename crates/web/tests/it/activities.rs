//! Community activities (issue 13 point 3): a plan is checked, opened to the community's owners
//! (they hear of it), signed up for up to its capacity and then onto a waiting list whose first
//! takes a seat given up (and hears of it); of two owners taking the last seat at once one wins;
//! staff check people in, add photos and close it with a summary and its cost.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::{app, error_fields};

fn plan(title: &str, capacity: Option<i64>) -> Value {
    let start = Utc::now() + Duration::days(10);
    json!({"title": title, "aim": "邻里联谊，增进了解", "plan": "9:00 签到\n9:30 游戏", "place": "中心广场",
           "starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(3)).to_rfc3339(),
           "capacity": capacity, "budget": "1200.00"})
}

async fn planned(pm: &Api, c: i64, body: Value) -> i64 {
    let (st, a) = pm
        .post(&format!("/api/v1/communities/{c}/activities"), body)
        .await;
    assert_eq!(st, 201, "{a}");
    a["id"].as_i64().expect("id")
}

async fn state_of(api: &Api, id: i64) -> Value {
    let (st, mine) = api.get("/api/v1/portal/activities").await;
    assert_eq!(st, 200, "{mine}");
    mine.as_array()
        .expect("list")
        .iter()
        .find(|a| a["id"] == id)
        .map(|a| a["mine"].clone())
        .unwrap_or(Value::Null)
}

/// Moves an activity's start (and sign-up deadline) to `start`, as time passing would.
async fn starts_at(
    app: &TestApp,
    id: i64,
    start: chrono::DateTime<Utc>,
    until: Option<chrono::DateTime<Utc>>,
) {
    let mut tx = app.core.db.begin().await.expect("begin");
    tx.execute(
        "UPDATE activities SET starts_at = $2, ends_at = $3, signup_until = $4 WHERE id = $1",
        wuye_core::args![id, start, start + Duration::hours(3), until],
    )
    .await
    .expect("update");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn an_activity_is_planned_opened_signed_up_for_and_its_waiting_list_moves_up() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let o1 = app.api_as("o1", "owner", &[app.community_a]).await;
    let o2 = app.api_as("o2", "owner", &[app.community_a]).await;
    let o3 = app.api_as("o3", "owner", &[app.community_a]).await;

    // A plan is checked field by field; nothing is written.
    let mut bad = plan(" ", Some(0));
    bad["starts_at"] = json!((Utc::now() - Duration::hours(1)).to_rfc3339());
    bad["budget"] = json!("12.345");
    let (st, e) = pm
        .post(&format!("/api/v1/communities/{c}/activities"), bad)
        .await;
    assert_eq!(st, 422, "{e}");
    let fields: Vec<String> = error_fields(&e).into_iter().map(|(f, _)| f).collect();
    assert_eq!(fields, ["title", "starts_at", "capacity", "budget"], "{e}");
    assert_eq!(app.count("activities").await, 0);

    let id = planned(&pm, c, plan("元旦游园会", Some(2))).await;
    // Planned: the owners neither see it nor sign up.
    assert_eq!(state_of(&o1, id).await, Value::Null);
    let (st, _) = o1
        .post(&format!("/api/v1/portal/activities/{id}/signup"), json!({}))
        .await;
    assert_eq!(st, 404);
    let (st, a) = pm
        .post(&format!("/api/v1/activities/{id}/open"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), a["state"].as_str()),
        (200, Some("open")),
        "{a}"
    );
    let (_, inbox) = o3.get("/api/v1/notifications").await;
    assert_eq!(inbox[0]["title"], "社区活动：元旦游园会", "{inbox}");
    // Opened, the plan is fixed.
    let (st, _) = pm
        .put(&format!("/api/v1/activities/{id}"), plan("改名", Some(5)))
        .await;
    assert_eq!(st, 409);

    // Two seats: two sign up, the third waits; a second sign-up is refused.
    for (o, want) in [(&o1, "confirmed"), (&o2, "confirmed"), (&o3, "waiting")] {
        let (st, r) = o
            .post(&format!("/api/v1/portal/activities/{id}/signup"), json!({}))
            .await;
        assert_eq!((st.as_u16(), r["state"].as_str()), (201, Some(want)), "{r}");
    }
    let (st, e) = o1
        .post(&format!("/api/v1/portal/activities/{id}/signup"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("already_signed_up"))
    );
    let (_, a) = pm.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!(
        (a["confirmed"].as_i64(), a["waiting"].as_i64()),
        (Some(2), Some(1)),
        "{a}"
    );

    // o1 gives his seat up: o3 takes it and hears of it.
    let (st, _) = o1
        .delete(&format!("/api/v1/portal/activities/{id}/signup"))
        .await;
    assert_eq!(st, 204);
    assert_eq!(state_of(&o3, id).await, "confirmed");
    assert_eq!(state_of(&o1, id).await, Value::Null);
    let (_, inbox) = o3.get("/api/v1/notifications").await;
    assert_eq!(inbox[0]["title"], "报名成功：元旦游园会", "{inbox}");
    let (_, a) = pm.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!(
        (a["confirmed"].as_i64(), a["waiting"].as_i64()),
        (Some(2), Some(0)),
        "{a}"
    );
    // He may sign up again: the list is full, so he waits.
    let (_, r) = o1
        .post(&format!("/api/v1/portal/activities/{id}/signup"), json!({}))
        .await;
    assert_eq!(r["state"], "waiting");

    // At the door: the confirmed are checked in (once); one who waits is not.
    let (_, list) = pm.get(&format!("/api/v1/activities/{id}/signups")).await;
    let states: Vec<&str> = list
        .as_array()
        .expect("signups")
        .iter()
        .filter_map(|s| s["state"].as_str())
        .collect();
    assert_eq!(states, ["confirmed", "confirmed", "waiting"], "{list}");
    let first = list[0]["id"].as_i64().expect("signup");
    let waiting = list[2]["id"].as_i64().expect("signup");
    for _ in 0..2 {
        let (st, _) = pm
            .post(
                &format!("/api/v1/activities/{id}/signups/{first}/check-in"),
                json!({}),
            )
            .await;
        assert_eq!(st, 204);
    }
    let (st, e) = pm
        .post(
            &format!("/api/v1/activities/{id}/signups/{waiting}/check-in"),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("signup_not_confirmed"))
    );
    let (_, a) = pm.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!(a["checked_in"], 1);

    // Past the deadline nobody signs up.
    starts_at(
        &app,
        id,
        Utc::now() + Duration::days(1),
        Some(Utc::now() - Duration::minutes(1)),
    )
    .await;
    let o4 = app.api_as("o4", "owner", &[app.community_a]).await;
    let (st, e) = o4
        .post(&format!("/api/v1/portal/activities/{id}/signup"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("signup_closed"))
    );
}

#[tokio::test]
async fn of_two_owners_taking_the_last_seat_at_once_one_wins() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let id = planned(&pm, c, plan("亲子手工课", Some(1))).await;
    pm.post(&format!("/api/v1/activities/{id}/open"), json!({}))
        .await;
    for round in 0..3 {
        let a = app
            .api_as(&format!("x{round}"), "owner", &[app.community_a])
            .await;
        let b = app
            .api_as(&format!("y{round}"), "owner", &[app.community_a])
            .await;
        let url = format!("/api/v1/portal/activities/{id}/signup");
        let (ra, rb) = tokio::join!(a.post(&url, json!({})), b.post(&url, json!({})));
        let mut got = vec![
            ra.1["state"].as_str().unwrap_or("?").to_string(),
            rb.1["state"].as_str().unwrap_or("?").to_string(),
        ];
        got.sort();
        let want = if round == 0 {
            ["confirmed", "waiting"]
        } else {
            ["waiting", "waiting"]
        };
        assert_eq!(got, want, "round {round}: {ra:?} {rb:?}");
    }
    let (_, act) = pm.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!(
        (act["confirmed"].as_i64(), act["waiting"].as_i64()),
        (Some(1), Some(5)),
        "{act}"
    );
}

#[tokio::test]
async fn an_activity_is_closed_with_its_photos_summary_and_cost() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let id = planned(&pm, c, plan("重阳敬老", None)).await;
    let (st, e) = pm
        .post(
            &format!("/api/v1/activities/{id}/finish"),
            json!({"summary": "x", "cost": "1"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("activity_not_open"))
    );
    pm.post(&format!("/api/v1/activities/{id}/open"), json!({}))
        .await;
    // Not begun yet: not closed.
    let (st, _) = pm
        .post(
            &format!("/api/v1/activities/{id}/finish"),
            json!({"summary": "x", "cost": "1"}),
        )
        .await;
    assert_eq!(st, 409);
    starts_at(&app, id, Utc::now() - Duration::hours(4), None).await;

    let url = format!("{}/api/v1/activities/{id}/photos", app.base);
    let tok = pm.token.clone().expect("token");
    let (st, e) = pm
        .send(pm.client.post(&url).bearer_auth(&tok).body("not an image"))
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("photo".into(), "not_a_photo".into())])
    );
    let png = [
        &[0x89u8, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        &[0u8; 64][..],
    ]
    .concat();
    let (st, p) = pm
        .send(pm.client.post(&url).bearer_auth(&tok).body(png.clone()))
        .await;
    assert_eq!(st, 201, "{p}");

    let (st, e) = pm
        .post(
            &format!("/api/v1/activities/{id}/finish"),
            json!({"summary": " ", "cost": "abc"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e)
            .into_iter()
            .map(|(f, _)| f)
            .collect::<Vec<_>>(),
        ["summary", "cost"]
    );
    let (st, a) = pm
        .post(
            &format!("/api/v1/activities/{id}/finish"),
            json!({"summary": "参加老人 32 位，志愿者 8 位；下次提前一周通知。", "cost": "986.50"}),
        )
        .await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(
        (
            a["state"].as_str(),
            a["cost"].as_str(),
            a["budget"].as_str()
        ),
        (Some("done"), Some("986.50"), Some("1200.00"))
    );
    // The record stays complete: photos may still be added after it closed.
    let (st, _) = pm
        .send(pm.client.post(&url).bearer_auth(&tok).body(png))
        .await;
    assert_eq!(st, 201);
    let (_, photos) = pm.get(&format!("/api/v1/activities/{id}/photos")).await;
    assert_eq!(photos.as_array().map(Vec::len), Some(2));
    let (st, _) = pm
        .post(&format!("/api/v1/activities/{id}/cancel"), json!({}))
        .await;
    assert_eq!(st, 409);
    // Another community's manager sees none of it.
    let pm_b = app
        .api_as("pmb", "project_manager", &[app.community_b])
        .await;
    let (st, _) = pm_b.get(&format!("/api/v1/activities/{id}")).await;
    assert_eq!(st, 404);

    // The console shows the record as the audit wants it: plan, photos, summary.
    let (staff, _) = crate::console::console_login(&app, "pm1").await;
    let page = staff
        .get(format!("{}/activities/{id}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    for want in [
        "重阳敬老",
        "活动方案",
        "活动图片",
        "参加老人 32 位",
        "986.50",
    ] {
        assert!(page.contains(want), "{want} missing");
    }
}

/// In a real browser: the manager writes and publishes a notice and opens an activity; the owner,
/// on a 390 px phone, reads the notice (no longer unread), signs up for the activity and sees
/// himself signed up; neither page scrolls sideways.
#[tokio::test]
async fn a_manager_publishes_and_an_owner_on_his_phone_reads_and_signs_up() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    use crate::browser::{body, click, fill, log_in};
    let app = app().await;
    let c = app.community_a.0;
    app.user("pm1", "project_manager", &[app.community_a]).await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let owner_name = format!("yz{}", me["person_id"]);

    log_in(&b, &app.base, "pm1").await;
    b.goto(&format!("{}/notices/new?community_id={c}", app.base))
        .await
        .expect("form");
    fill(&b, "title", "电梯年检通知").await;
    fill(&b, "body", "本周五 9:00–11:00 电梯年检，请走楼梯。").await;
    click(&b, "save").await;
    b.wait()
        .for_element(fantoccini::Locator::Id("publish-now"))
        .await
        .expect("notice page");
    b.execute("window.confirm = function () { return true; };", vec![])
        .await
        .expect("confirm");
    b.find(fantoccini::Locator::Css("#publish-now button"))
        .await
        .expect("button")
        .click()
        .await
        .expect("publish");
    b.wait()
        .for_element(fantoccini::Locator::Id("reads"))
        .await
        .expect("published");
    assert!(body(&b).await.contains("已发布"));

    let id = planned(&manager_api(&app).await, c, plan("社区义诊", Some(20))).await;
    b.goto(&format!("{}/activities/{id}", app.base))
        .await
        .expect("activity");
    b.execute("window.confirm = function () { return true; };", vec![])
        .await
        .expect("confirm");
    click(&b, "open").await;
    b.wait()
        .for_element(fantoccini::Locator::Id("photo-form"))
        .await
        .expect("opened");
    assert!(body(&b).await.contains("报名中"));
    b.goto(&format!("{}/logout", app.base)).await.ok();
    b.delete_all_cookies().await.expect("cookies");

    b.set_window_size(390, 844).await.expect("a phone's width");
    log_in(&b, &app.base, &owner_name).await;
    b.goto(&format!("{}/portal/notices", app.base))
        .await
        .expect("notices");
    assert!(body(&b).await.contains("未读"));
    b.find(fantoccini::Locator::LinkText("电梯年检通知"))
        .await
        .expect("link")
        .click()
        .await
        .expect("open");
    b.wait()
        .for_element(fantoccini::Locator::Id("notice-title"))
        .await
        .expect("notice");
    assert!(body(&b).await.contains("请走楼梯"));
    b.goto(&format!("{}/portal/notices", app.base))
        .await
        .expect("notices");
    assert!(!body(&b).await.contains("未读"));
    b.goto(&format!("{}/portal/activities", app.base))
        .await
        .expect("activities");
    click(&b, &format!("signup-{id}")).await;
    b.wait()
        .for_element(fantoccini::Locator::Id(&format!("give-up-{id}")))
        .await
        .expect("signed up");
    assert!(body(&b).await.contains("您已报名"));
    let w = b
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("widths");
    let (scroll, inner): (f64, f64) = serde_json::from_value(w).expect("numbers");
    assert!(
        scroll <= inner,
        "no sideways scrolling ({scroll} > {inner})"
    );
    b.close().await.ok();
}

/// The manager's API client (the browser test's manager is a console user).
async fn manager_api(app: &TestApp) -> Api {
    let id = wuye_core::auth::user_id_by_username(&app.core, "pm1")
        .await
        .expect("id")
        .expect("pm1");
    let ctx = wuye_core::auth::load_ctx(&app.core, id).await.expect("ctx");
    let (_, token) = wuye_core::auth::create_api_token(&app.core, &ctx, "test")
        .await
        .expect("token");
    app.api(Some(token))
}
