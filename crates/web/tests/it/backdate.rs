//! Entering what happened earlier (补录, issue 11 point 10): requests, hotline calls, return
//! visits and payments carrying the time they really happened, within the window and with the
//! permission; the clocks (SLA deadlines, late fees) run from that time; a late payment is in
//! today's daily close with the next receipt number; the late-fee accrual and the SLA scanner
//! run "as of" a past date by a manager, idempotently.

use chrono::{DateTime, Duration, SubsecRound, TimeZone, Utc};
use serde_json::{Value, json};
use wuye_testkit::Api;

use crate::latefees::{accrue, charge, days_ago, fee_item, owed, pay, posted, today};
use crate::{app, error_fields, new_unit};

fn time(v: &Value) -> DateTime<Utc> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
        .unwrap_or_else(|| panic!("a time: {v}"))
}

/// 10:00 in Shanghai, `n` days ago.
fn morning(n: i64) -> DateTime<Utc> {
    chrono_tz::Asia::Shanghai
        .from_local_datetime(&days_ago(n).and_hms_opt(10, 0, 0).expect("time"))
        .single()
        .expect("local")
        .with_timezone(&Utc)
}

/// An audit entry's `after`, parsed.
fn after_of(entry: &Value) -> Value {
    serde_json::from_str(entry["after_json"].as_str().unwrap_or("null")).expect("after_json")
}

async fn whole_fee(api: &Api, unit: i64) -> i64 {
    let p: i64 = posted(api, unit).await.iter().map(|x| x.0).sum();
    p + owed(api, unit).await["late_fee_fen"].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn a_payment_entered_late_counts_from_its_date_in_todays_close() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let b = app.building_a.0;
    let (u1, u2) = (
        new_unit(&api, b, "601").await,
        new_unit(&api, b, "602").await,
    );
    for u in [u1, u2] {
        charge(&api, u, item, "630.98", days_ago(40)).await;
    }
    accrue(&app, c, today()).await;
    let cashier = app.api_as("cash1", "cashier", &[app.community_a]).await;

    // Refused, nothing written: in the future, or further back than the 7 days' window.
    let before = app.count("payments").await;
    let (st, e) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "100", "payer": "张三",
                   "paid_at": (Utc::now() + Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("paid_at".into(), "time_in_future".into())]
    );
    let (st, e) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "100", "payer": "张三",
                   "paid_at": (Utc::now() - Duration::days(8)).to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("paid_at".into(), "too_far_back".into())]
    );
    assert_eq!(app.count("payments").await, before);

    // ¥100 taken 5 days ago (day 25 of 30), entered today by the cashier.
    let paid_at = morning(5);
    let p = pay(
        &cashier,
        u1,
        "100",
        json!({"paid_at": paid_at.to_rfc3339(), "idempotency_key": "late-1"}),
    )
    .await;
    assert_eq!(time(&p["payment"]["paid_at"]), paid_at);
    // Today's close, the next receipt number.
    assert_eq!(p["payment"]["business_date"], today().to_string());
    assert_eq!(p["payment"]["receipt_no"], 1);
    // Days 1–24 at 630.98 are posted: 24 × 0.31549 = 7.57176 → ¥7.57; days 25–30 at 530.98:
    // 6 × 0.26549 = 1.59294; in all 9.1647 → ¥9.16 (untouched it would be ¥9.46).
    assert_eq!(
        posted(&api, u1).await,
        [(
            757,
            "逾期第 1–24 天 × 0.05%/天，宽限 10 天，不超过本金".to_string()
        )]
    );
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 159);
    assert_eq!(whole_fee(&api, u1).await, 916);
    // The retry with the same key is the same payment.
    let (st, again) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "100", "payer": "张三",
                   "paid_at": paid_at.to_rfc3339(), "idempotency_key": "late-1"}),
        )
        .await;
    assert_eq!((st.as_u16(), &again["replayed"]), (200, &json!(true)));
    let (_, days) = cashier
        .get(&format!("/api/v1/daily-closes?community_id={c}"))
        .await;
    assert_eq!(days[0]["business_date"], today().to_string(), "{days}");
    assert_eq!(days[0]["payments"], 1);
    assert_eq!(days[0]["total_fen"], 10000);
    // The audit log says it was entered late: when it happened, when it was entered.
    let (_, log) = api
        .get(&format!(
            "/api/v1/audit?entity=payment&entity_id={}",
            p["payment"]["id"]
        ))
        .await;
    let after = after_of(&log[0]);
    let late = &after["entered_late"];
    assert_eq!(late["field"], "paid_at", "{log}");
    assert_eq!(time(&late["happened_at"]), paid_at);
    assert!(time(&late["entered_at"]) > paid_at + Duration::days(4));

    // Posted history stays: u2 paid ¥100 today (days 1–29 posted at 630.98: ¥9.15); a second
    // ¥100 entered late, dated day 25, changes only day 30, now at 430.98 (0.21549):
    // 9.14921 + 0.21549 = 9.3647 → ¥9.36 in all, ¥0.21 accrued.
    pay(&cashier, u2, "100", json!({})).await;
    pay(
        &cashier,
        u2,
        "100",
        json!({"paid_at": paid_at.to_rfc3339()}),
    )
    .await;
    assert_eq!(posted(&api, u2).await.len(), 1);
    assert_eq!(posted(&api, u2).await[0].0, 915);
    assert_eq!(owed(&api, u2).await["late_fee_fen"], 21);
    assert_eq!(whole_fee(&api, u2).await, 936);
}

#[tokio::test]
async fn the_accrual_catches_up_missed_days_in_order_and_as_of_runs_are_idempotent() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let b = app.building_a.0;
    let (u1, u2) = (
        new_unit(&api, b, "611").await,
        new_unit(&api, b, "612").await,
    );
    for u in [u1, u2] {
        charge(&api, u, item, "630.98", days_ago(40)).await;
    }
    // The job ran 20 days ago (10 days: 3.1549 → ¥3.15), then the server was down.
    accrue(&app, c, days_ago(20)).await;
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 315);
    // Meanwhile ¥100 was taken from each 5 days ago, entered today.
    for u in [u1, u2] {
        pay(&api, u, "100", json!({"paid_at": morning(5).to_rfc3339()})).await;
    }
    // u1: one run as of today (the manager's catch-up, through the API). u2: a run on each
    // missed day, in order. Both: 24 days at 630.98 + 6 at 530.98 = 9.1647 → ¥9.16.
    let (st, v) = api
        .post(
            &format!("/api/v1/communities/{c}/late-fees/accrue?as_of={}", today()),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    for n in (0..20).rev() {
        accrue(&app, c, days_ago(n)).await;
    }
    assert_eq!(whole_fee(&api, u1).await, 916);
    assert_eq!(whole_fee(&api, u2).await, 916);
    // The same as-of again changes nothing; a date before what was accrued changes nothing.
    let (st, v) = api
        .post(
            &format!("/api/v1/communities/{c}/late-fees/accrue?as_of={}", today()),
            json!({}),
        )
        .await;
    assert_eq!((st.as_u16(), &v["charges"]), (200, &json!(0)));
    let (st, _) = api
        .post(
            &format!(
                "/api/v1/communities/{c}/late-fees/accrue?as_of={}",
                days_ago(3)
            ),
            json!({}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(whole_fee(&api, u1).await, 916);
    // Not after today; a cashier may not.
    let (st, e) = api
        .post(
            &format!(
                "/api/v1/communities/{c}/late-fees/accrue?as_of={}",
                today() + Duration::days(1)
            ),
            json!({}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("as_of".into(), "date_in_future".into())]
    );
    let cashier = app.api_as("cash2", "cashier", &[app.community_a]).await;
    let (st, _) = cashier
        .post(
            &format!("/api/v1/communities/{c}/late-fees/accrue"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
}

#[tokio::test]
async fn requests_calls_and_visits_entered_late_run_their_clocks_from_then() {
    let app = app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let guard = app.api_as("guard", "security", &[app.community_a]).await;
    let body = |at: DateTime<Utc>| {
        json!({"community_id": c, "kind": "repair_common", "category": "lighting",
               "channel": "front_desk", "location": "2栋3楼", "description": "楼道灯坏了",
               "received_at": at.to_rfc3339()})
    };
    let received = (Utc::now() - Duration::hours(3)).trunc_subsecs(0);
    let before = app.count("requests").await;
    // Without records.backdate: 403; out of the window or in the future: 422; nothing written.
    let (st, _) = guard.post("/api/v1/requests", body(received)).await;
    assert_eq!(st, 403);
    let (st, e) = agent
        .post("/api/v1/requests", body(Utc::now() - Duration::days(8)))
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("received_at".into(), "too_far_back".into())]
    );
    let (st, e) = agent
        .post("/api/v1/requests", body(Utc::now() + Duration::hours(2)))
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("received_at".into(), "time_in_future".into())]
    );
    assert_eq!(app.count("requests").await, before);
    // A paper form from 3 hours ago: registered then, fed back within 4 h of it.
    let (st, r) = agent.post("/api/v1/requests", body(received)).await;
    assert_eq!(st, 201, "{r}");
    assert_eq!(time(&r["created_at"]), received);
    let feedback = r["clocks"]
        .as_array()
        .and_then(|a| a.iter().find(|k| k["clock"] == "feedback"))
        .expect("feedback clock");
    assert_eq!(time(&feedback["due_at"]), received + Duration::hours(4));
    let id = r["id"].as_i64().expect("id");
    let (_, log) = admin
        .get(&format!("/api/v1/audit?entity=request&entity_id={id}"))
        .await;
    assert_eq!(
        after_of(&log[0])["entered_late"]["field"],
        "received_at",
        "{log}"
    );

    // A call typed up 2 hours later; the guard may log one that just ended, not one of hours ago.
    let called = (Utc::now() - Duration::hours(2)).trunc_subsecs(0);
    let (st, call) = agent
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": c, "received_at": called.to_rfc3339(), "content": "噪音"}),
        )
        .await;
    assert_eq!(st, 201, "{call}");
    assert_eq!(time(&call["call_at"]), called);
    let (st, _) = guard
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": c, "received_at": called.to_rfc3339(), "content": "噪音"}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, _) = guard
        .post(
            "/api/v1/hotline-calls",
            json!({"community_id": c, "received_at": (Utc::now() - Duration::minutes(2)).to_rfc3339(),
                   "content": "刚挂的电话"}),
        )
        .await;
    assert_eq!(st, 201, "a call that just ended is the present");

    // The SLA scanner caught up as of yesterday: the 4-hour feedback clock of a request
    // received 3 hours ago is not due yet; a request from 2 days ago is breached, once.
    let old = (Utc::now() - Duration::days(2)).trunc_subsecs(0);
    let (st, _) = agent.post("/api/v1/requests", body(old)).await;
    assert_eq!(st, 201);
    let scan = format!("/api/v1/communities/{c}/sla/scan?as_of={}", days_ago(2));
    let (st, e) = agent.post(&scan, json!({})).await;
    assert_eq!(st, 403, "{e}");
    let (st, first) = admin.post(&scan, json!({})).await;
    assert_eq!(st, 200, "{first}");
    assert!(first["breached"].as_u64().unwrap_or(0) >= 1, "{first}");
    let (st, second) = admin.post(&scan, json!({})).await;
    assert_eq!(st, 200);
    assert_eq!(second, json!({"warned": 0, "breached": 0}));
    let (st, e) = admin
        .post(
            &format!("/api/v1/communities/{c}/sla/scan?as_of={}", days_ago(40)),
            json!({}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(error_fields(&e), [("as_of".into(), "too_far_back".into())]);

    // A return visit entered late: only for a visit, not before the work was done.
    let (st, e) = agent
        .post(
            &format!("/api/v1/requests/{id}/actions"),
            json!({"action": "hold", "note": "等配件", "received_at": called.to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        [("received_at".into(), "received_at_only_for_visit".into())]
    );
    let tech = app.api_as("tech", "technician", &[app.community_a]).await;
    let (_, me) = tech.get("/api/v1/me").await;
    let tech_id = me["id"].as_i64().or(me["user"]["id"].as_i64()).expect("me");
    for (who, b) in [
        (
            &agent,
            json!({"action": "dispatch", "assignee_id": tech_id}),
        ),
        (&tech, json!({"action": "accept"})),
        (&tech, json!({"action": "on_site"})),
        (
            &tech,
            json!({"action": "done", "materials": "灯泡 1 个", "labour_minutes": 20}),
        ),
    ] {
        let (st, v) = who.post(&format!("/api/v1/requests/{id}/actions"), b).await;
        assert_eq!(st, 200, "{v}");
    }
    let visit = |at: DateTime<Utc>| json!({"action": "visit", "satisfaction": 5, "received_at": at.to_rfc3339()});
    let (st, e) = agent
        .post(&format!("/api/v1/requests/{id}/actions"), visit(called))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("received_at".into(), "visit_before_done".into())]
    );
    let visited = Utc::now().trunc_subsecs(6);
    let (st, v) = agent
        .post(&format!("/api/v1/requests/{id}/actions"), visit(visited))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "closed");
    assert_eq!(time(&v["closed_at"]), visited);
}

/// The console shows "实际发生时间" only to those who may use it, and the cashier's form takes it
/// as the community's wall clock (the same core service as the API).
#[tokio::test]
async fn the_console_forms_take_the_real_time_from_those_allowed() {
    use crate::console::console_login;
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let unit = new_unit(&api, app.building_a.0, "621").await;
    charge(&api, unit, item, "630.98", days_ago(40)).await;
    app.user("desk1", "service_agent", &[app.community_a]).await;
    app.user("guard1", "security", &[app.community_a]).await;
    app.user("cash9", "cashier", &[app.community_a]).await;
    let page = |k: reqwest::Client, path: String| async move {
        k.get(path)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    };
    let (desk, _) = console_login(&app, "desk1").await;
    let (guard, _) = console_login(&app, "guard1").await;
    let new = format!("{}/requests/new?community_id={c}", app.base);
    assert!(
        page(desk, new.clone())
            .await
            .contains("name=\"received_at\"")
    );
    assert!(!page(guard, new).await.contains("name=\"received_at\""));

    let (k, token) = console_login(&app, "cash9").await;
    let html = page(
        k.clone(),
        format!("{}/cashier?community={c}&unit={unit}", app.base),
    )
    .await;
    assert!(html.contains("name=\"paid_at\""), "{html}");
    // 10:00 five days ago, as the desk's clock shows it: the late fee follows (¥9.16, as the API).
    let local = days_ago(5).format("%Y-%m-%dT10:00").to_string();
    let form = [
        ("_csrf", token.as_str()),
        ("community_id", &c.to_string()),
        ("unit_id", &unit.to_string()),
        ("idempotency_key", "console-late-1"),
        ("method", "cash"),
        ("amount", "100"),
        ("payer", "王五"),
        ("paid_at", local.as_str()),
    ];
    accrue(&app, c, today()).await;
    let r = k
        .post(format!("{}/cashier/pay", app.base))
        .form(&form)
        .send()
        .await
        .expect("pay");
    assert_eq!(r.status(), 303);
    let (_, s) = api.get(&format!("/api/v1/units/{unit}/statement")).await;
    assert_eq!(time(&s["payments"][0]["paid_at"]), morning(5), "{s}");
    assert_eq!(whole_fee(&api, unit).await, 916);
    // A malformed time is named, nothing written.
    let bad = [
        ("_csrf", token.as_str()),
        ("community_id", &c.to_string()),
        ("unit_id", &unit.to_string()),
        ("idempotency_key", "console-late-2"),
        ("method", "cash"),
        ("amount", "1"),
        ("payer", "王五"),
        ("paid_at", "昨天"),
    ];
    let r = k
        .post(format!("{}/cashier/pay", app.base))
        .form(&bad)
        .send()
        .await
        .expect("pay");
    assert_eq!(r.status(), 422);
    assert_eq!(app.count("payments").await, 1);
}
