//! The company dashboard (issue 16 point 7), over the API and the console: what two months of
//! monthly bills, a payment, a complaint and a signed audit add up to (hand-computed: billed,
//! collected, the collection rate, the arrears by age, the open clocks, the open rectification,
//! the latest grade); a manager of one community sees that one only; bad filters named by field;
//! the .xlsx; the page's tiles linking to their lists; and a company wider than a view computes
//! afresh showing the figures the job then keeps.

use chrono::{Duration, Utc};
use serde_json::{Value, json};

use super::daily_use::html;
use super::duty::staff;
use super::rectifications::signed_audit;
use super::{app, error_fields, new_unit};
use wuye_testkit::Api;

/// The local month `back` months before this one, `2026-12`.
fn month(back: i64) -> String {
    let d = (Utc::now() + Duration::hours(8)).date_naive();
    let m0 = d.format("%Y").to_string().parse::<i64>().unwrap_or(2026) * 12
        + d.format("%m").to_string().parse::<i64>().unwrap_or(1)
        - 1
        - back;
    format!("{:04}-{:02}", m0.div_euclid(12), m0.rem_euclid(12) + 1)
}

/// A monthly fee of 2.00 a m² of building area (89.50 m² a unit: 179.00), due on the 15th.
async fn monthly_fee(api: &Api, c: i64) {
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "wyf", "name": "物业费", "kind": "property"}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    let (st, s) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "月物业费",
                   "method": "building_area", "price": "2.00", "cycle": "monthly", "due_day": 15}),
        )
        .await;
    assert_eq!(st, 201, "{s}");
}

async fn dash(api: &Api, q: &str) -> Value {
    let (st, d) = api.get(&format!("/api/v1/dashboard{q}")).await;
    assert_eq!(st, 200, "{d}");
    d
}

#[tokio::test]
async fn the_dashboard_adds_up_bills_arrears_requests_and_audits() {
    let app = app().await;
    let admin = app.admin().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    monthly_fee(&admin, a).await;
    let u1 = new_unit(&admin, app.building_a.0, "0101").await;
    let _u2 = new_unit(&admin, app.building_a.0, "0102").await;
    for back in [2, 0] {
        let (st, r) = admin
            .post(
                "/api/v1/bill-runs",
                json!({"community_id": a, "period": month(back)}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
    }
    // Settles unit 0101's oldest charge: two months ago's.
    let (st, p) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "179.00", "payer": "张三"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (st, r) = admin
        .post(
            "/api/v1/requests",
            json!({"community_id": a, "kind": "complaint_general", "category": "noise",
                   "channel": "front_desk", "unit_id": u1, "description": "楼上噪音"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let (_, qa) = staff(&app, "dq1", "quality_auditor").await;
    signed_audit(&qa, a, "DB1").await;

    let d = dash(&admin, &format!("?community_id={a}&months=3")).await;
    assert_eq!(d["from"], month(2));
    assert_eq!(d["to"], month(0));
    let t = &d["total"];
    assert_eq!(t["billed_fen"], 4 * 17_900);
    assert_eq!(t["collected_fen"], 17_900);
    assert_eq!(t["collection_rate"], 0.25);
    assert_eq!(t["requests"], 1);
    assert_eq!(t["complaints"], 1);
    assert_eq!(t["complaint_rate"], 1.0);
    let trend = d["trend"].as_array().expect("trend");
    assert_eq!(trend.len(), 3);
    assert_eq!(trend[0]["period"], month(2));
    assert_eq!(trend[0]["billed_fen"], 2 * 17_900);
    assert_eq!(trend[0]["collection_rate"], 0.5);
    assert_eq!(trend[1]["billed_fen"], 0);
    assert_eq!(trend[1]["collection_rate"], Value::Null);
    assert_eq!(trend[2]["collection_rate"], 0.0);
    // Unit 0102's charge of two months ago is 31–90 days overdue; this month's is not yet due.
    assert_eq!(d["arrears"]["d31_90_fen"], 17_900);
    assert_eq!(d["arrears"]["d0_30_fen"], 0);
    assert_eq!(d["arrears"]["units"], 1);
    // The complaint's clocks run; none has run out.
    let running: i64 = d["open"]
        .as_array()
        .expect("open")
        .iter()
        .map(|o| o["running"].as_i64().unwrap_or(0))
        .sum();
    assert!(running >= 1, "{}", d["open"]);
    assert_eq!(d["rect_open"], 1);
    assert_eq!(d["grades"]["good"], 1);
    let rows = d["communities"].as_array().expect("rows");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["audit"]["total_cp"], 8_500);
    assert_eq!(rows[0]["audit"]["grade"], "good");
    assert_eq!(rows[0]["window"]["collection_rate"], 0.25);

    // A payment shows on the next view: the audit log moved.
    let (st, _) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "179.00", "payer": "张三"}),
        )
        .await;
    assert_eq!(st, 201);
    let d = dash(&admin, "?months=3").await;
    assert_eq!(d["communities"].as_array().map(Vec::len), Some(2));
    assert_eq!(d["total"]["collected_fen"], 2 * 17_900);
    assert_eq!(d["total"]["collection_rate"], 0.5);
    assert_eq!(d["grades"]["none"], 1, "B was never audited");
    assert_eq!(d["behind"], 0);

    // A manager of A sees A only; B is not his.
    let pm = app
        .api_as("dpm", "project_manager", &[app.community_a])
        .await;
    let d = dash(&pm, "").await;
    assert_eq!(d["communities"].as_array().map(Vec::len), Some(1));
    assert_eq!(d["communities"][0]["community_id"], a);
    assert_eq!(
        pm.get(&format!("/api/v1/dashboard?community_id={b}"))
            .await
            .0,
        404
    );
    assert_eq!(qa.get("/api/v1/dashboard").await.0, 403);

    // Bad filters, named.
    for (q, field, code) in [
        ("?months=13", "months", "dashboard_months_range"),
        ("?months=0", "months", "dashboard_months_range"),
        ("?to=2026-13", "to", "invalid_period"),
        ("?to=1999-01", "to", "invalid_period"),
        ("?to=2030-01", "to", "dashboard_period_range"),
    ] {
        let (st, e) = admin.get(&format!("/api/v1/dashboard{q}")).await;
        assert_eq!(st, 422, "{q}: {e}");
        assert_eq!(error_fields(&e), [(field.into(), code.into())], "{q}");
    }
    let (st, e) = admin.get("/api/v1/dashboard?months=x").await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [("months".into(), "invalid_query".into())]
    );

    // The workbook.
    let resp = admin
        .client
        .get(format!("{}/api/v1/dashboard.xlsx?months=3", admin.base))
        .bearer_auth(admin.token.as_deref().expect("token"))
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status().as_u16(), 200);
    assert!(resp.bytes().await.expect("bytes").starts_with(b"PK"));

    // The page: tiles linking to their lists, the charts, a row per community.
    let (web, _) = super::console::console_login(&app, "dpm").await;
    let page = html(&web, &app.base, "/dashboard").await;
    for id in [
        "tile-breached",
        "tile-collection",
        "tile-arrears",
        "tile-rectifications",
        "chart-collection",
        "chart-ageing",
        &format!("dash-row-{a}"),
    ] {
        assert!(page.contains(&format!("id=\"{id}\"")), "{id}");
    }
    assert!(page.contains(&format!("/billing/arrears?community={a}")));
    assert!(!page.contains(&format!("dash-row-{b}")));
    assert!(page.contains("经营看板"));
    let bad = html(&web, &app.base, "/dashboard?months=13").await;
    assert!(bad.contains("看板一次显示 1 到 12 个月"), "{bad}");
}

#[tokio::test]
async fn a_wide_company_recomputes_a_few_and_the_job_the_rest() {
    let app = app().await;
    let admin = app.admin().await;
    for k in 0..10 {
        let (st, c) = admin
            .post(
                "/api/v1/communities",
                json!({"code": format!("W{k:02}"), "name": format!("宽{k}")}),
            )
            .await;
        assert_eq!(st, 201, "{c}");
    }
    // Twelve communities never computed: each is computed for the first view.
    let d = dash(&admin, "").await;
    assert_eq!(d["communities"].as_array().map(Vec::len), Some(12));
    assert_eq!(d["behind"], 0);
    // Computed within moments of the communities' creation, the figures might have missed a
    // transaction still committing: the job's next pass recomputes them, the one after has
    // nothing to do.
    tokio::time::sleep(std::time::Duration::from_millis(2_500)).await;
    let pass = || wuye_core::dashboard::refresh_out_of_date(&app.core, Utc::now());
    assert_eq!(pass().await.expect("pass"), 12);
    assert_eq!(pass().await.expect("pass"), 0);
    let d = dash(&admin, "").await;
    assert_eq!(d["behind"], 0);
    assert_eq!(app.count("dashboard_communities").await, 12);
    assert_eq!(app.count("dashboard_months").await, 12 * 24);
    // Tomorrow every community's figures are out of date: the job recomputes all twelve.
    let n = wuye_core::dashboard::refresh_out_of_date(&app.core, Utc::now() + Duration::days(1))
        .await
        .expect("pass");
    assert_eq!(n, 12);
}
