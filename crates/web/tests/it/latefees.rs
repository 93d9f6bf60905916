//! Late fees by the day's outstanding (issue 11, point 9): a day's fee is what was outstanding
//! on that day × the rate, whatever order the daily job and the payment ran in, a charge paid
//! in full before its first accrual keeps the fee of its overdue days, the cap, and rounding
//! half-up at the fen of the running total. Payments are dated today, so every charge here is
//! due a number of days before today and the job is run "as of" days around it.

use chrono::{Duration, NaiveDate};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::{app, new_unit};

/// Today in the communities' zone (Asia/Shanghai), as the services see it.
pub fn today() -> NaiveDate {
    chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

pub fn days_ago(n: i64) -> NaiveDate {
    today() - Duration::days(n)
}

/// A fee item at 0.05 % a day after 10 days of grace, capped at `cap` % of the principal.
pub async fn fee_item(api: &Api, c: i64, code: &str, cap: i64) -> i64 {
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": code, "name": format!("费用{code}"), "kind": "other",
                   "late_fee_rate": "0.05", "late_fee_grace_days": 10, "late_fee_cap_pct": cap}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    item["id"].as_i64().expect("item")
}

/// A charge posted by hand, due `due`.
pub async fn charge(api: &Api, unit: i64, item: i64, amount: &str, due: NaiveDate) -> i64 {
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": amount,
                   "description": "物业费", "due_date": due, "reason": "补收"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    ch["id"].as_i64().expect("charge")
}

/// What the daily job does on `day`.
pub async fn accrue(app: &TestApp, c: i64, day: NaiveDate) -> u64 {
    let mut tx = app.core.db.begin().await.expect("begin");
    let n = wuye_core::billing::accrue_in(&mut tx, wuye_core::shared::ids::CommunityId(c), day)
        .await
        .expect("accrue");
    tx.commit().await.expect("commit");
    n
}

pub async fn owed(api: &Api, unit: i64) -> Value {
    let (st, v) = api.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(st, 200, "{v}");
    v
}

/// The unit's late-fee charges: (amount, basis).
pub async fn posted(api: &Api, unit: i64) -> Vec<(i64, String)> {
    let (st, s) = api.get(&format!("/api/v1/units/{unit}/statement")).await;
    assert_eq!(st, 200, "{s}");
    s["charges"]
        .as_array()
        .expect("charges")
        .iter()
        .filter(|c| c["kind"] == "late_fee")
        .map(|c| {
            (
                c["amount_fen"].as_i64().unwrap_or(0),
                c["basis"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

pub async fn pay(api: &Api, unit: i64, amount: &str, extra: Value) -> Value {
    let mut body = json!({"unit_id": unit, "method": "cash", "amount": amount, "payer": "张三"});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    let (st, v) = api.post("/api/v1/payments", body).await;
    assert_eq!(st, 201, "{v}");
    v
}

/// Posted + accrued: the whole late fee of a unit.
async fn whole_fee(api: &Api, unit: i64) -> i64 {
    let p: i64 = posted(api, unit).await.iter().map(|x| x.0).sum();
    p + owed(api, unit).await["late_fee_fen"].as_i64().unwrap_or(0)
}

#[tokio::test]
async fn a_days_fee_is_that_days_outstanding_whatever_order_the_job_and_payment_ran() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let b = app.building_a.0;
    let (u1, u2, u3) = (
        new_unit(&api, b, "701").await,
        new_unit(&api, b, "702").await,
        new_unit(&api, b, "703").await,
    );
    // 630.98 due 40 days ago: today is day 30 past the 10 days of grace.
    for u in [u1, u2, u3] {
        charge(&api, u, item, "630.98", days_ago(40)).await;
    }
    // The job ran up to yesterday: 29 days × 630.98 × 0.05 % = 9.14921 → ¥9.15.
    assert_eq!(accrue(&app, c, days_ago(1)).await, 3);
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 915);

    // u2 pays ¥100 today before today's run; u3 after it.
    let p2 = pay(&api, u2, "100", json!({})).await;
    assert_eq!(p2["settled"][0]["amount_fen"], 10000, "{p2}");
    accrue(&app, c, today()).await;
    let o3 = owed(&api, u3).await;
    assert_eq!(o3["late_fee_fen"], 946, "{o3}");
    pay(&api, u3, "100", json!({})).await;

    // Untouched: 30 × 630.98 × 0.05 % = 9.4647 → ¥9.46.
    let o1 = owed(&api, u1).await;
    assert_eq!(o1["late_fee_fen"], 946);
    assert_eq!(o1["late_fees"][0]["days"], 30);
    // Paid ¥100 on day 30, before or after the run: 29 days at 630.98 (9.14921) posted by the
    // payment as ¥9.15, and day 30 at 530.98 (0.26549): 9.4147 → ¥9.41 in all, so ¥0.26 left
    // accrued (the running total is rounded once, not each part).
    for u in [u2, u3] {
        assert_eq!(
            posted(&api, u).await,
            [(
                915,
                "逾期第 1–29 天 × 0.05%/天，宽限 10 天，不超过本金".to_string()
            )]
        );
        let o = owed(&api, u).await;
        assert_eq!(o["late_fee_fen"], 26, "unit {u}: {o}");
        assert_eq!(o["late_fees"][0]["posted_days"], 29);
        assert_eq!(whole_fee(&api, u).await, 941);
    }
    // The same day again changes nothing; tomorrow adds 530.98 × 0.05 % = 0.26549 more:
    // 9.4147 + 0.26549 = 9.68019 → ¥9.68.
    assert_eq!(accrue(&app, c, today()).await, 0);
    assert_eq!(whole_fee(&api, u2).await, 941);
    accrue(&app, c, today() + Duration::days(1)).await;
    assert_eq!(whole_fee(&api, u2).await, 968);
    assert_eq!(whole_fee(&api, u3).await, 968);
}

#[tokio::test]
async fn a_charge_paid_in_full_before_its_first_accrual_keeps_its_overdue_days() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let u = new_unit(&api, app.building_a.0, "801").await;
    let ch = charge(&api, u, item, "630.98", days_ago(40)).await;
    // The job never ran. Paying the principal alone posts days 1–29 at 630.98: ¥9.15.
    let p = pay(&api, u, "630.98", json!({"charge_ids": [ch]})).await;
    assert_eq!(p["settled"][0]["amount_fen"], 63098);
    assert_eq!(
        posted(&api, u).await,
        [(
            915,
            "逾期第 1–29 天 × 0.05%/天，宽限 10 天，不超过本金".to_string()
        )]
    );
    let o = owed(&api, u).await;
    assert_eq!(o["total_fen"], 915, "the late fee is owed: {o}");
    assert_eq!(o["late_fee_fen"], 0);
    // Day 30 and after: nothing was outstanding, nothing accrues.
    accrue(&app, c, today()).await;
    accrue(&app, c, today() + Duration::days(9)).await;
    assert_eq!(owed(&api, u).await["late_fee_fen"], 0);

    // Paid in full with its fee in one payment (no run either): 630.98 + 9.15 = 640.13.
    let u2 = new_unit(&api, app.building_a.0, "802").await;
    charge(&api, u2, item, "630.98", days_ago(40)).await;
    let p = pay(&api, u2, "640.13", json!({})).await;
    let settled: Vec<i64> = p["settled"]
        .as_array()
        .expect("settled")
        .iter()
        .map(|s| s["amount_fen"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(settled, [63098, 915]);
    assert_eq!(p["payment"]["to_prepaid_fen"], 0);
    let o = owed(&api, u2).await;
    assert_eq!(
        (o["total_fen"].as_i64(), o["late_fee_fen"].as_i64()),
        (Some(0), Some(0))
    );
}

#[tokio::test]
async fn the_cap_and_rounding_half_up_at_the_fen() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    // Cap 10 %: 630.98 due 400 days ago, 390 days: 630.98 × 0.05 % × 390 = 123.0411, but at
    // most 10 % of 630.98 = 63.098 → ¥63.09 (the cap rounds down).
    let capped = fee_item(&api, c, "CAP", 10).await;
    let u1 = new_unit(&api, b, "811").await;
    charge(&api, u1, capped, "630.98", days_ago(400)).await;
    accrue(&app, c, today()).await;
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 6309);
    // A part payment posts the capped fee; nothing more accrues past the cap.
    pay(&api, u1, "100", json!({})).await;
    assert_eq!(posted(&api, u1).await[0].0, 6309);

    let item = fee_item(&api, c, "LF", 100).await;
    // ¥10.00, 1 day: 0.5 fen → ¥0.01 (half-up; down or half-even would give 0).
    let u2 = new_unit(&api, b, "812").await;
    charge(&api, u2, item, "10.00", days_ago(11)).await;
    // ¥30.00, 3 days: 30.00 × 0.05 % × 3 = 4.5 fen → ¥0.05.
    let u3 = new_unit(&api, b, "813").await;
    charge(&api, u3, item, "30.00", days_ago(13)).await;
    accrue(&app, c, today()).await;
    assert_eq!(owed(&api, u2).await["late_fee_fen"], 1);
    assert_eq!(owed(&api, u3).await["late_fee_fen"], 5);
    // u3 pays ¥10 today: days 1–2 at 30.00 (3.0 fen) are posted, day 3 at 20.00 (1.0 fen):
    // 4.0 fen in all, ¥0.04 — the day of the payment is at what it left.
    pay(&api, u3, "10", json!({})).await;
    assert_eq!(posted(&api, u3).await[0].0, 3);
    assert_eq!(whole_fee(&api, u3).await, 4);

    // Thirty days on (the community's accrual day only moves forward, so this comes last).
    accrue(&app, c, today() + Duration::days(30)).await;
    assert_eq!(owed(&api, u1).await["late_fee_fen"], 0);
    assert_eq!(whole_fee(&api, u1).await, 6309);
}

#[tokio::test]
async fn the_daily_job_moves_the_day_and_each_fee_is_read_at_it() {
    // The job writes the community's day, not a row per overdue charge: the fee of the days
    // since a charge's last write is computed where it is read, from the settlements.
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "LF", 100).await;
    let u = new_unit(&api, app.building_a.0, "721").await;
    let ch = charge(&api, u, item, "630.98", days_ago(40)).await;
    let rows = app.count("late_fees").await;
    // 29 days × 630.98 × 0.05 % = 9.14921 → ¥9.15; a day more: 9.4647 → ¥9.46.
    assert_eq!(accrue(&app, c, days_ago(1)).await, 1);
    let o = owed(&api, u).await;
    assert_eq!(
        (
            o["late_fee_fen"].as_i64(),
            o["late_fees"][0]["days"].as_i64()
        ),
        (Some(915), Some(29)),
        "{o}"
    );
    assert_eq!(accrue(&app, c, today()).await, 1);
    let o = owed(&api, u).await;
    assert_eq!(
        (
            o["late_fee_fen"].as_i64(),
            o["late_fees"][0]["days"].as_i64()
        ),
        (Some(946), Some(30)),
        "{o}"
    );
    assert_eq!(app.count("late_fees").await, rows);
    // The same day again, or an earlier one, moves nothing.
    assert_eq!(accrue(&app, c, today()).await, 0);
    assert_eq!(accrue(&app, c, days_ago(3)).await, 0);
    assert_eq!(owed(&api, u).await["late_fee_fen"], 946);

    // A waiver writes the row as the desk was shown it (¥9.46 waived), and the fee stops.
    let (st, w) = api
        .post(
            &format!("/api/v1/charges/{ch}/waive-late-fee"),
            json!({"reason": "困难户"}),
        )
        .await;
    assert_eq!(st, 200, "{w}");
    assert_eq!(
        (
            w["waived"].as_bool(),
            w["days"].as_i64(),
            w["accrued_fen"].as_i64()
        ),
        (Some(true), Some(30), Some(0)),
        "{w}"
    );
    assert_eq!(app.count("late_fees").await, rows + 1);
    let (st, log) = api
        .get(&format!(
            "/api/v1/audit?entity=late_fee_waiver&entity_id={ch}"
        ))
        .await;
    assert_eq!(st, 200, "{log}");
    let after: Value =
        serde_json::from_str(log[0]["after_json"].as_str().expect("after")).expect("json");
    assert_eq!(after["waived_fen"], 946, "{log}");
    accrue(&app, c, today() + Duration::days(5)).await;
    let o = owed(&api, u).await;
    assert_eq!(o["late_fee_fen"], 0, "{o}");
    assert_eq!(o["late_fees"], json!([]), "{o}");
}
