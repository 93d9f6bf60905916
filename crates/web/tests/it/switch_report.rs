//! The switch report (期初数据核对表, issue 17 point 5): per fee item, the opening files' lines and
//! sums beside the ledger, the opening arrears by age, units and owners, prepaid and deposits;
//! the manager's sign-off keeps what it saw; who may read and sign.

use serde_json::json;

use crate::latefees::{days_ago, fee_item};
use crate::opening::{import, workbook};
use crate::{app, new_unit};

#[tokio::test]
async fn the_report_sets_the_files_beside_the_ledger_and_is_signed_off() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&api, c, "WY", 100).await;
    let b = app.building_a.0;
    let u1 = new_unit(&api, b, "901").await;
    new_unit(&api, b, "902").await;
    let (st, _) = api
        .post(
            "/api/v1/people",
            json!({"community_id": c, "name": "核对业主", "unit_id": u1, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201);

    // Before any import: nothing on either side, and they agree.
    let (st, r) = api
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (
            r["imports"].as_i64(),
            r["units"].as_i64(),
            r["owners"].as_i64()
        ),
        (Some(0), Some(2), Some(1))
    );
    assert_eq!(r["totals_match"], true);
    assert!(r["switch_date"].is_null());

    // ¥1,000.00 owed since 200 days ago; ¥900.00 of which ¥300.00 paid, with an old ¥12.34 late
    // fee, 40 days ago.
    let d200 = days_ago(200);
    let d40 = days_ago(40);
    let m = |d: chrono::NaiveDate| d.format("%Y-%m").to_string();
    let file = workbook(&[
        [
            "1栋-901",
            "WY",
            &m(d200),
            &m(d200),
            &d200.to_string(),
            "1000",
            "",
            "",
            "",
        ],
        [
            "1栋-902",
            "WY",
            &m(d40),
            &m(d40),
            &d40.to_string(),
            "900",
            "300",
            "12.34",
            "",
        ],
    ]);
    let (st, v) = import(&api, c, file, false).await;
    assert_eq!(st, 200, "{v}");

    let (_, r) = api
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(r["imports"], 1);
    assert_eq!(
        r["switch_date"].as_str().map(str::to_string),
        Some(crate::latefees::today().to_string())
    );
    let items = r["items"].as_array().expect("items");
    assert_eq!(items.len(), 1, "{r}");
    let i = &items[0];
    assert_eq!(i["fee_item_id"].as_i64(), Some(item));
    // The files: 2 lines, 1,000 + (900 − 300) = ¥1,600.00 owed, ¥12.34 old late fee; the
    // ledger: 2 opening charges of the same ¥1,600.00 and a ¥12.34 late-fee charge.
    assert_eq!(
        (
            i["file_lines"].as_i64(),
            i["file_outstanding_fen"].as_i64(),
            i["file_late_fee_fen"].as_i64()
        ),
        (Some(2), Some(160_000), Some(1_234))
    );
    assert_eq!(
        (
            i["ledger_charges"].as_i64(),
            i["ledger_outstanding_fen"].as_i64(),
            i["ledger_late_fee_fen"].as_i64()
        ),
        (Some(2), Some(160_000), Some(1_234))
    );
    assert_eq!(r["total"]["ledger_outstanding_fen"], 160_000);
    assert_eq!(r["totals_match"], true);
    // By age of the original due date: ¥600.00 at 31–90 days, ¥1,000.00 over 180.
    assert_eq!(
        (
            r["ageing"]["d31_90_fen"].as_i64(),
            r["ageing"]["over_180_fen"].as_i64(),
            r["ageing"]["total_fen"].as_i64()
        ),
        (Some(60_000), Some(100_000), Some(160_000))
    );
    assert_eq!(
        (r["prepaid_fen"].as_i64(), r["deposits_held_fen"].as_i64()),
        (Some(0), Some(0))
    );

    // Paying after the switch changes what is open, not what was brought in.
    let (st, p) = api
        .post(
            "/api/v1/payments",
            json!({"unit_id": u1, "method": "cash", "amount": "1000.00", "payer": "核对业主"}),
        )
        .await;
    assert_eq!(st.as_u16() / 100, 2, "{p}");
    let (_, r) = api
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(r["total"]["ledger_outstanding_fen"], 160_000);
    assert_eq!(r["totals_match"], true);
    assert_eq!(r["ageing"]["total_fen"], 60_000);

    // The sign-off keeps who, when and whether the totals matched; it is in the report after.
    let (st, s) = api
        .post(
            &format!("/api/v1/communities/{c}/switch-report/sign-off"),
            json!({"note": "已与原系统核对"}),
        )
        .await;
    assert_eq!(st, 201, "{s}");
    assert_eq!(s["totals_match"], true);
    let (_, r) = api
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(r["sign_offs"][0]["note"], "已与原系统核对");
    let (st, v) = api
        .post(
            &format!("/api/v1/communities/{c}/switch-report/sign-off"),
            json!({"note": "x".repeat(501)}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("note")));

    // The .xlsx for the paper copy.
    let resp = api
        .client
        .get(format!(
            "{}/api/v1/communities/{c}/switch-report.xlsx",
            app.base
        ))
        .bearer_auth(api.token.clone().unwrap_or_default())
        .send()
        .await
        .expect("xlsx");
    assert_eq!(resp.status(), 200);
    assert_eq!(&resp.bytes().await.expect("bytes")[..2], b"PK");

    // A cashier reads it but cannot sign; another community's manager finds nothing.
    let cashier = app
        .api_as("sw_cashier", "cashier", &[app.community_a])
        .await;
    let (st, _) = cashier
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(st, 200);
    let (st, _) = cashier
        .post(
            &format!("/api/v1/communities/{c}/switch-report/sign-off"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    let other = app
        .api_as("sw_mgr_b", "project_manager", &[app.community_b])
        .await;
    let (st, _) = other
        .get(&format!("/api/v1/communities/{c}/switch-report"))
        .await;
    assert_eq!(st, 404);

    assert_eq!(app.count("switch_signoffs").await, 1);

    // The console page shows the same figures, and a manager signs there too.
    app.user("sw_mgr", "project_manager", &[app.community_a])
        .await;
    let (client, token) = crate::console::console_login(&app, "sw_mgr").await;
    let page = client
        .get(format!("{}/billing/switch-report?community={c}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(page.contains("期初数据核对表"), "{page}");
    assert!(
        page.contains("¥1,600.00") || page.contains("¥1600.00"),
        "{page}"
    );
    assert!(page.contains("已与原系统核对"), "{page}");
    let r = client
        .post(format!("{}/billing/switch-report/sign-off", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("note", "项目经理签核"),
        ])
        .send()
        .await
        .expect("sign");
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("switch_signoffs").await, 2);
}

/// A template imported as downloaded is refused at its example row (row 2, the note): the
/// example's made-up figures never reach a real unit.
#[tokio::test]
async fn a_template_imported_unchanged_is_refused_at_its_example_row() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    fee_item(&api, c, "WY", 100).await;
    new_unit(&api, app.building_a.0, "1801").await;
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    for (template, import) in [
        (
            format!("/api/v1/communities/{c}/import/opening-arrears/template.xlsx"),
            format!("/api/v1/communities/{c}/import/opening-arrears"),
        ),
        (
            "/api/v1/import/opening-prepaid/template.xlsx".to_string(),
            format!("/api/v1/communities/{c}/import/opening-prepaid"),
        ),
        (
            "/api/v1/import/deposits/template.xlsx".to_string(),
            format!("/api/v1/communities/{c}/import/deposits"),
        ),
    ] {
        let file = api
            .client
            .get(format!("{}{template}", app.base))
            .bearer_auth(api.token.clone().unwrap_or_default())
            .send()
            .await
            .expect("template")
            .bytes()
            .await
            .expect("bytes")
            .to_vec();
        let (st, v) = api.post_raw(&import, xlsx, file).await;
        assert_eq!(st, 422, "{import}: {v}");
        let example = v["errors"]
            .as_array()
            .expect("errors")
            .iter()
            .any(|e| e["row"] == 2 && e["code"] == "example_row");
        assert!(example, "{import}: {v}");
    }
    assert_eq!(app.count("charges").await, 0);
    assert_eq!(app.count("deposits").await, 0);
}
