//! Newspapers and magazines (issue 15 point 2, 报刊征订 · 报刊收发), over the API on a fresh
//! database: the catalogue a manager keeps (bad input named, a name twice refused); a
//! subscription priced monthly price × months × copies and charged to the unit under the
//! 报刊订阅 agency item (hand-computed), the same title on the same unit in a shared month
//! refused; a resident subscribing in the portal for his own unit only; an issue recorded once
//! with a delivery per subscription running that month and its shortfall; deliveries handed out
//! once and never more copies than arrived (also two desks at once); cancellation only while
//! unpaid and untouched, its charge reversed.

use chrono::{Datelike, NaiveDate, Utc};
use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields, unit_with_owner};

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

fn this_month() -> String {
    today().format("%Y-%m").to_string()
}

/// The month `n` months after this one ("2027-01").
fn month_after(n: u32) -> String {
    let t = today();
    let m0 = t.month0() + n;
    format!("{:04}-{:02}", t.year() + (m0 / 12) as i32, m0 % 12 + 1)
}

#[tokio::test]
async fn a_subscription_is_charged_to_the_unit_and_its_issues_are_handed_out_never_beyond_the_copies_received()
 {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let cashier = app.api_as("cash1", "cashier", &[app.community_a]).await;
    let owner = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let own_unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let (unit, label) = unit_with_owner(&app, &admin, "1802", "钱业主").await;
    let (unit2, label2) = unit_with_owner(&app, &admin, "1803", "孙业主").await;
    let catalogue = format!("/api/v1/communities/{a}/periodicals");

    // The catalogue: bad input named; the desk may not keep it; a name twice refused.
    let (st, e) = pm
        .post(
            &catalogue,
            json!({"title": " ", "kind": "comic", "frequency": "hourly", "price_month": "0"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("frequency", "unknown_periodical_frequency"),
                pair("kind", "unknown_periodical_kind"),
                pair("price_month", "must_be_positive"),
                pair("title", "required"),
            ]
        )
    );
    let daily = json!({"title": "人民日报", "kind": "newspaper", "post_code": "1-1", "frequency": "daily",
                       "price_month": "40.00"});
    let (st, _) = agent.post(&catalogue, daily.clone()).await;
    assert_eq!(st, 403);
    let (st, p) = pm.post(&catalogue, daily.clone()).await;
    assert_eq!(st, 201, "{p}");
    let daily_id = p["id"].as_i64().unwrap();
    assert_eq!(
        (&p["price_month_fen"], &p["active"]),
        (&json!(4000), &json!(true))
    );
    let (st, e) = pm.post(&catalogue, daily).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("title", "periodical_title_taken")])
    );
    let (st, p) = pm
        .post(
            &catalogue,
            json!({"title": "读者", "kind": "magazine", "frequency": "fortnightly", "price_month": "12.50"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let mag_id = p["id"].as_i64().unwrap();
    assert_eq!(app.count("periodicals").await, 2);

    // A subscription: bad input named, nothing written.
    let subs = format!("/api/v1/communities/{a}/periodical-subscriptions");
    let (st, e) = agent
        .post(
            &subs,
            json!({"periodical_id": 999_999, "unit_label": label, "first_month": "2020-01", "months": 13,
                   "copies": 0}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("copies", "subscription_copies_range"),
                pair("first_month", "subscription_first_month_range"),
                pair("months", "subscription_months_range"),
                pair("periodical_id", "unknown_periodical"),
            ]
        )
    );
    let (st, e) = agent
        .post(
            &subs,
            json!({"periodical_id": daily_id, "unit_label": "99栋-9999", "first_month": "2027-13", "months": 1}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("first_month", "invalid_period"),
                pair("unit_label", "unknown_unit")
            ]
        )
    );
    assert_eq!(app.count("periodical_subscriptions").await, 0);
    assert_eq!(app.count("charges").await, 0);

    // ¥40.00 × 12 months × 2 copies = ¥960.00, charged to the unit; the recipient its owner.
    let (st, s1) = agent
        .post(
            &subs,
            json!({"periodical_id": daily_id, "unit_label": label, "first_month": this_month(), "months": 12,
                   "copies": 2}),
        )
        .await;
    assert_eq!(st, 201, "{s1}");
    assert_eq!(
        (
            &s1["number"],
            &s1["amount_fen"],
            &s1["outstanding_fen"],
            &s1["paid"],
            &s1["recipient_name"],
            &s1["last_month"],
            &s1["months"],
            &s1["channel"]
        ),
        (
            &json!("BK-000001"),
            &json!(96000),
            &json!(96000),
            &json!(false),
            &json!("钱业主"),
            &json!(month_after(11)),
            &json!(12),
            &json!("desk")
        )
    );
    let (_, owed) = cashier.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(owed["total_fen"], 96000, "{owed}");
    let charge = &owed["charges"][0];
    assert!(
        charge["description"]
            .as_str()
            .unwrap()
            .starts_with("报刊订阅 人民日报"),
        "{charge}"
    );
    let (_, items) = pm.get(&format!("/api/v1/communities/{a}/fee-items")).await;
    let item = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "PERIODICAL")
        .expect("the agency item");
    assert_eq!(item["kind"], "agency");

    // The same title on the same unit in a shared month: refused, naming the other.
    let (st, e) = agent
        .post(
            &subs,
            json!({"periodical_id": daily_id, "unit_id": unit, "first_month": month_after(11), "months": 1}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("first_month", "subscription_overlap")])
    );
    assert!(e["message"].as_str().unwrap().contains("BK-000001"), "{e}");
    // The month after it ends is free.
    let (st, _) = agent
        .post(
            &subs,
            json!({"periodical_id": mag_id, "unit_id": unit2, "recipient_name": "孙小妹", "first_month": this_month(),
                   "months": 3}),
        )
        .await;
    assert_eq!(st, 201);

    // The resident in the portal: his own unit only; ¥40.00 × 1 × 1.
    let (st, mine) = owner.get("/api/v1/portal/periodicals").await;
    assert_eq!(st, 200, "{mine}");
    assert_eq!(mine["catalogue"].as_array().unwrap().len(), 2);
    assert_eq!(mine["this_month"], this_month());
    let (st, e) = owner
        .post(
            "/api/v1/portal/periodical-subscriptions",
            json!({"periodical_id": daily_id, "unit_id": unit, "first_month": this_month(), "months": 1}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("unit_id", "subscription_not_of_unit")])
    );
    let (st, s3) = owner
        .post(
            "/api/v1/portal/periodical-subscriptions",
            json!({"periodical_id": daily_id, "unit_id": own_unit, "first_month": this_month(), "months": 1}),
        )
        .await;
    assert_eq!(st, 201, "{s3}");
    assert_eq!(
        (&s3["amount_fen"], &s3["channel"], &s3["recipient_name"]),
        (&json!(4000), &json!("portal"), &json!("o1业主"))
    );

    // An issue: 3 copies expected (2 + 1), 2 came: short by 1; recorded once.
    let issues = format!("/api/v1/communities/{a}/periodical-issues");
    let (st, e) = agent
        .post(
            &issues,
            json!({"periodical_id": daily_id, "issue_label": "", "copies_received": -1,
                   "received_on": today() + chrono::Duration::days(1)}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("copies_received", "periodical_received_copies"),
                pair("issue_label", "required"),
                pair("received_on", "periodical_received_range"),
            ]
        )
    );
    let label_today = today().to_string();
    let body = json!({"periodical_id": daily_id, "issue_label": label_today, "copies_received": 2});
    let (st, i) = agent.post(&issues, body.clone()).await;
    assert_eq!(st, 201, "{i}");
    assert_eq!(
        (
            &i["copies_expected"],
            &i["copies_received"],
            &i["shortfall"],
            &i["pending_count"]
        ),
        (&json!(3), &json!(2), &json!(1), &json!(2))
    );
    let (st, e) = agent.post(&issues, body).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("issue_label", "periodical_issue_taken")])
    );
    let issue = i["id"].as_i64().unwrap();
    let delivery_of = |i: &Value, unit_label: &str| {
        i["deliveries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["unit_label"] == unit_label)
            .map(|d| d["id"].as_i64().unwrap())
            .unwrap()
    };
    let own_label = me["units"][0]["label"].as_str().unwrap().to_string();
    let d_own = delivery_of(&i, &own_label);
    let d1 = delivery_of(&i, &label);

    // Handed out once; never more than arrived (1 left, 2 wanted); the box for all refused too.
    let hand = |d: i64| format!("/api/v1/periodical-deliveries/{d}/hand-out");
    let (st, i) = agent
        .post(&hand(d_own), json!({"signed_by": "o1业主"}))
        .await;
    assert_eq!(st, 200, "{i}");
    assert_eq!(i["copies_delivered"], 1);
    let (st, e) = agent.post(&hand(d_own), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "delivery_done")])
    );
    let (st, e) = agent.post(&hand(d1), json!({})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("copies", "delivery_no_copies_left")])
    );
    assert!(e["message"].as_str().unwrap().contains("还剩 1 份"), "{e}");
    let (st, _) = agent
        .post(
            &format!("/api/v1/periodical-issues/{issue}/hand-out"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409);
    let (_, mine) = owner.get("/api/v1/portal/periodicals").await;
    let my = &mine["subscriptions"][0];
    assert_eq!(
        (&my["number"], &my["deliveries"][0]["state"]),
        (&s3["number"], &json!("delivered"))
    );

    // Cancel: a reason; not once paid, not once a copy went out; else the charge reversed.
    let cancel = |id: &Value| format!("/api/v1/periodical-subscriptions/{id}/cancel");
    let (st, e) = agent.post(&cancel(&s1["id"]), json!({"reason": ""})).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("reason", "required")])
    );
    let (st, e) = agent
        .post(&cancel(&s3["id"]), json!({"reason": "不看了"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "subscription_delivered")])
    );
    let (st, p) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit2, "method": "cash", "amount": "37.50", "payer": "孙业主"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (_, list) = agent.get(&format!("{subs}?periodical_id={mag_id}")).await;
    let s2 = &list[0];
    assert_eq!(
        (&s2["amount_fen"], &s2["paid"], &s2["unit_label"]),
        (&json!(3750), &json!(true), &json!(label2))
    );
    let (st, e) = agent
        .post(&cancel(&s2["id"]), json!({"reason": "搬走"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "subscription_paid")])
    );
    let (st, c) = agent
        .post(&cancel(&s1["id"]), json!({"reason": "订错了"}))
        .await;
    assert_eq!(st, 200, "{c}");
    assert_eq!(
        (&c["state"], &c["outstanding_fen"], &c["paid"]),
        (&json!("cancelled"), &json!(0), &json!(false))
    );
    let (_, owed) = cashier.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(owed["total_fen"], 0, "{owed}");
    let (st, e) = agent
        .post(&cancel(&s1["id"]), json!({"reason": "再退"}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "subscription_not_active")])
    );
    // Its delivery still to hand out is gone: the issue is done.
    let (_, i) = agent
        .get(&format!("/api/v1/periodical-issues/{issue}"))
        .await;
    assert_eq!(
        (
            &i["pending_count"],
            i["deliveries"].as_array().unwrap().len()
        ),
        (&json!(0), 1)
    );
    let (_, list) = agent.get(&format!("{subs}?state=active")).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
    let (st, e) = agent.get(&format!("{subs}?state=x&month=13")).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("month", "invalid_period"),
                pair("state", "unknown_subscription_state")
            ]
        )
    );

    // A title no longer taken: refused for new subscriptions; those taken keep their price.
    let (st, p) = pm
        .put(
            &format!("/api/v1/periodicals/{mag_id}"),
            json!({"title": "读者", "kind": "magazine", "frequency": "fortnightly", "price_month": "15.00",
                   "active": false}),
        )
        .await;
    assert_eq!((st.as_u16(), &p["active"]), (200, &json!(false)), "{p}");
    let (st, e) = agent
        .post(
            &subs,
            json!({"periodical_id": mag_id, "unit_id": unit, "first_month": this_month(), "months": 1}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("periodical_id", "periodical_inactive")])
    );
    let (_, s2) = agent
        .get(&format!("/api/v1/periodical-subscriptions/{}", s2["id"]))
        .await;
    assert_eq!(
        (&s2["amount_fen"], &s2["price_month_fen"]),
        (&json!(3750), &json!(1250))
    );
    let (_, day) = agent.get(&format!("{issues}?day={}", today())).await;
    assert_eq!(day.as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn two_desks_handing_out_the_last_copy_at_once_hand_out_one() {
    let app = app().await;
    let a = app.community_a.0;
    let admin = app.admin().await;
    let (_, pm) = staff(&app, "manager1", "project_manager").await;
    let (_, agent) = staff(&app, "agent1", "service_agent").await;
    let (_, guard) = staff(&app, "guard1", "security").await;
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/periodicals"),
            json!({"title": "晚报", "kind": "newspaper", "frequency": "daily", "price_month": "20"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    for no in ["2101", "2102"] {
        let (unit, _) = unit_with_owner(&app, &admin, no, "业主").await;
        let (st, s) = agent
            .post(
                &format!("/api/v1/communities/{a}/periodical-subscriptions"),
                json!({"periodical_id": p["id"], "unit_id": unit, "first_month": this_month(), "months": 1}),
            )
            .await;
        assert_eq!(st, 201, "{s}");
    }
    let (st, i) = agent
        .post(
            &format!("/api/v1/communities/{a}/periodical-issues"),
            json!({"periodical_id": p["id"], "issue_label": "第1期", "copies_received": 1}),
        )
        .await;
    assert_eq!(st, 201, "{i}");
    let ids: Vec<i64> = i["deliveries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2);
    let (p0, p1) = (
        format!("/api/v1/periodical-deliveries/{}/hand-out", ids[0]),
        format!("/api/v1/periodical-deliveries/{}/hand-out", ids[1]),
    );
    let (r1, r2) = tokio::join!(agent.post(&p0, json!({})), guard.post(&p1, json!({})));
    let mut got = [r1.0.as_u16(), r2.0.as_u16()];
    got.sort();
    assert_eq!(got, [200, 409], "{} / {}", r1.1, r2.1);
    let (_, i) = agent
        .get(&format!("/api/v1/periodical-issues/{}", i["id"]))
        .await;
    assert_eq!(
        (&i["copies_delivered"], &i["pending_count"]),
        (&json!(1), &json!(1))
    );
}
