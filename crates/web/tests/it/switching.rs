//! Switching to wuye: opening prepaid balances that settle new charges and are no income of the
//! day, deposits imported and taken at the desk and refunded once as money out of the close,
//! meter baselines that make the first usage right; every import all rows or none, previewed
//! without writing, and idempotent when the same file comes twice.

use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::{app, new_unit};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

fn workbook(headers: &[&str], rows: &[&[&str]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).expect("cell");
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

async fn import(api: &Api, c: i64, kind: &str, preview: bool, file: Vec<u8>) -> (u16, Value) {
    let (st, v) = api
        .post_raw(
            &format!("/api/v1/communities/{c}/import/{kind}?preview={preview}"),
            XLSX,
            file,
        )
        .await;
    (st.as_u16(), v)
}

/// `(row, field, code)` of a rejected import.
fn row_errors(v: &Value) -> Vec<(i64, String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["row"].as_i64().unwrap_or(0),
                        e["field"].as_str().unwrap_or("").to_string(),
                        e["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

async fn imports_logged(app: &TestApp, entity: &str) -> i64 {
    app.count(&format!(
        "audit_log WHERE action = 'import' AND entity = '{entity}'"
    ))
    .await
}

async fn owed(api: &Api, unit: i64) -> Value {
    let (st, v) = api.get(&format!("/api/v1/units/{unit}/owed")).await;
    assert_eq!(st, 200, "{v}");
    v
}

async fn fee_item(api: &Api, c: i64) -> i64 {
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "TZ", "name": "调整", "kind": "other"}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    item["id"].as_i64().expect("item")
}

const PREPAID: [&str; 3] = ["房号", "金额", "备注"];

#[tokio::test]
async fn opening_prepaid_settles_new_charges_and_is_no_income() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let u1 = new_unit(&api, app.building_a.0, "1801").await;
    let u2 = new_unit(&api, app.building_a.0, "1802").await;
    let item = fee_item(&api, c).await;
    let file = workbook(&PREPAID, &[&["1栋-1801", "500.00", "原系统结转"]]);

    // The template is a workbook with its 说明 sheet.
    let (st, _) = api
        .get("/api/v1/import/opening-prepaid/template.xlsx")
        .await;
    assert_eq!(st, 200);

    // A preview answers what would be posted and writes nothing.
    let (st, p) = import(&api, c, "opening-prepaid", true, file.clone()).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(
        (&p["preview"], &p["created"], &p["total_fen"]),
        (&json!(true), &json!(0), &json!(50000))
    );
    assert_eq!(p["lines"][0]["unit_label"], "1栋-1801");
    assert_eq!(p["lines"][0]["row"], 2);
    assert_eq!(
        app.count("prepaid_entries").await,
        0,
        "a preview writes nothing"
    );
    assert_eq!(imports_logged(&app, "opening_prepaid").await, 0);

    let (st, r) = import(&api, c, "opening-prepaid", false, file.clone()).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!((&r["created"], &r["total_fen"]), (&json!(1), &json!(50000)));
    assert_eq!(owed(&api, u1).await["prepaid_fen"], 50000);
    assert_eq!(imports_logged(&app, "opening_prepaid").await, 1);

    // A charge of ¥300.00 is settled from it: ¥500.00 − ¥300.00 = ¥200.00 left, nothing owed.
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": u1, "fee_item_id": item, "amount": "300.00",
                   "description": "物业费补收", "reason": "切换"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    assert_eq!(ch["settled_fen"], 30000);
    let o = owed(&api, u1).await;
    assert_eq!(
        (&o["prepaid_fen"], &o["total_fen"]),
        (&json!(20000), &json!(0))
    );

    // The same file again creates nothing: the row is named.
    let (st, e) = import(&api, c, "opening-prepaid", false, file).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["code"], "import_rows_invalid");
    assert_eq!(
        row_errors(&e),
        [(2, "unit".into(), "opening_prepaid_exists".into())]
    );
    assert_eq!(owed(&api, u1).await["prepaid_fen"], 20000);
    assert_eq!(
        app.count("payments").await,
        0,
        "an opening balance is no payment"
    );

    // Today's close: the opening balance is no income of the day.
    let (st, day) = api
        .post("/api/v1/daily-closes", json!({"community_id": c}))
        .await;
    assert_eq!(st, 200, "{day}");
    assert_eq!(
        (&day["payments"], &day["total_fen"]),
        (&json!(0), &json!(0))
    );

    // Every bad row is named, and nothing of the file is written.
    let before = app.count("prepaid_entries").await;
    let bad = workbook(
        &PREPAID,
        &[
            &["1栋-9999", "100", ""],
            &["1栋-1802", "-5", ""],
            &["1栋-1802", "1.234", ""],
            &["", "", ""],
            &["1栋-1802", "", "x"],
            &["1栋-1803", "10", ""],
        ],
    );
    new_unit(&api, app.building_a.0, "1803").await;
    let (st, e) = import(&api, c, "opening-prepaid", false, bad).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        row_errors(&e),
        [
            (2, "unit".into(), "unknown_unit".into()),
            (3, "amount".into(), "must_be_positive".into()),
            (4, "amount".into(), "too_many_decimals".into()),
            (4, "unit".into(), "duplicate_row".into()),
            (6, "amount".into(), "required".into()),
            (6, "unit".into(), "duplicate_row".into()),
        ]
    );
    assert_eq!(e["errors"][3]["message"], "第 4 行 [房号]：与第 3 行重复");
    assert_eq!(app.count("prepaid_entries").await, before);
    assert_eq!(owed(&api, u2).await["prepaid_fen"], 0);

    // Not an .xlsx, or a missing column: the file is refused by name.
    let (st, e) = import(&api, c, "opening-prepaid", false, b"nope".to_vec()).await;
    assert_eq!(
        (st, e["errors"][0]["code"].as_str()),
        (422, Some("not_xlsx"))
    );
    let (st, e) = import(
        &api,
        c,
        "opening-prepaid",
        false,
        workbook(&["房号"], &[&["1栋-1802"]]),
    )
    .await;
    assert_eq!(
        (st, e["errors"][0]["code"].as_str()),
        (422, Some("missing_columns"))
    );
}

const DEPOSITS: [&str; 6] = ["房号", "押金类型", "金额", "收取日期", "交款人", "备注"];

#[tokio::test]
async fn deposits_imported_taken_at_the_desk_and_refunded_once() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    let u1 = new_unit(&admin, app.building_a.0, "1801").await;
    let u2 = new_unit(&admin, app.building_a.0, "1802").await;
    let cashier = app.api_as("cashier1", "cashier", &[app.community_a]).await;
    let file = workbook(
        &DEPOSITS,
        &[
            &[
                "1栋-1801",
                "装修押金",
                "3000.00",
                "2026-03-15",
                "张三",
                "原收据 A001",
            ],
            &["1栋-1802", "其他押金", "200", "2026-01-10", "李四", ""],
        ],
    );
    let (st, p) = import(&admin, c, "deposits", true, file.clone()).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(
        (&p["created"], &p["total_fen"]),
        (&json!(0), &json!(320000))
    );
    assert_eq!(app.count("deposits").await, 0, "a preview writes nothing");
    let (st, r) = import(&admin, c, "deposits", false, file.clone()).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["created"], 2);
    assert_eq!(imports_logged(&app, "deposit").await, 1);
    // Twice: each row is already recorded, nothing is added.
    let (st, e) = import(&admin, c, "deposits", false, file).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        row_errors(&e),
        [
            (2, "unit".into(), "deposit_already_recorded".into()),
            (3, "unit".into(), "deposit_already_recorded".into()),
        ]
    );
    assert_eq!(app.count("deposits").await, 2);

    // The cashier takes a ¥2,000.00 decoration deposit in cash at the desk.
    let (st, d) = cashier
        .post(
            "/api/v1/deposits",
            json!({"unit_id": u2, "kind": "decoration", "amount": "2000", "payer": "王五", "method": "cash"}),
        )
        .await;
    assert_eq!(st, 201, "{d}");
    assert_eq!(
        (&d["state"], &d["source"]),
        (&json!("held"), &json!("desk"))
    );
    let (st, e) = cashier
        .post(
            "/api/v1/deposits",
            json!({"unit_id": u2, "kind": "押金", "amount": "-1", "payer": ""}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        crate::error_fields(&e),
        [
            ("kind".into(), "unknown_deposit_kind".into()),
            ("amount".into(), "must_be_positive".into()),
            ("payer".into(), "required".into()),
        ]
    );
    let (st, list) = admin
        .get(&format!("/api/v1/communities/{c}/deposits"))
        .await;
    assert_eq!(st, 200, "{list}");
    // 3000 + 200 + 2000 = ¥5,200.00 held.
    assert_eq!(
        (&list["held_count"], &list["held_fen"]),
        (&json!(3), &json!(520000))
    );
    let (_, mine) = admin.get(&format!("/api/v1/units/{u1}/deposits")).await;
    assert_eq!(mine.as_array().map(Vec::len), Some(1));
    let dep = mine[0]["id"].as_i64().expect("deposit");
    assert_eq!(mine[0]["kind"], "decoration");
    assert_eq!(mine[0]["received_on"], "2026-03-15");

    // Refunding is the manager's: the cashier is refused, the manager pays it back once.
    let refund = json!({"method": "cash", "reason": "装修验收合格"});
    let (st, _) = cashier
        .post(&format!("/api/v1/deposits/{dep}/refund"), refund.clone())
        .await;
    assert_eq!(st, 403);
    let (st, r) = admin
        .post(&format!("/api/v1/deposits/{dep}/refund"), refund.clone())
        .await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(
        (&r["state"], &r["refund_method"]),
        (&json!("refunded"), &json!("cash"))
    );
    let (st, e) = admin
        .post(&format!("/api/v1/deposits/{dep}/refund"), refund)
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (409, Some("deposit_already_refunded"))
    );
    assert_eq!(
        app.count("audit_log WHERE entity = 'deposit_refund'").await,
        1
    );

    // The closes: the refund is ¥3,000.00 of cash out of the manager's day, the deposit taken
    // ¥2,000.00 in the cashier's; neither is a payment of a unit.
    let (st, day) = admin
        .post("/api/v1/daily-closes", json!({"community_id": c}))
        .await;
    assert_eq!(st, 200, "{day}");
    assert_eq!(
        (&day["total_fen"], &day["cash_fen"]),
        (&json!(-300000), &json!(-300000))
    );
    let (st, day) = cashier
        .post("/api/v1/daily-closes", json!({"community_id": c}))
        .await;
    assert_eq!(st, 200, "{day}");
    assert_eq!(
        (&day["total_fen"], &day["cash_fen"]),
        (&json!(200000), &json!(200000))
    );
    assert_eq!(app.count("payments").await, 0);
    let (_, list) = admin
        .get(&format!("/api/v1/communities/{c}/deposits?state=held"))
        .await;
    assert_eq!(
        (&list["held_count"], &list["held_fen"]),
        (&json!(2), &json!(220000))
    );
    assert_eq!(list["deposits"].as_array().map(Vec::len), Some(2));
    // A closed day takes no more deposits.
    let (st, e) = cashier
        .post(
            "/api/v1/deposits",
            json!({"unit_id": u1, "kind": "card", "amount": "50", "payer": "张三", "method": "cash"}),
        )
        .await;
    assert_eq!((st.as_u16(), e["code"].as_str()), (409, Some("day_closed")));

    // Bad rows are named, nothing is written.
    let bad = workbook(
        &DEPOSITS,
        &[
            &["1栋-1801", "押金", "100", "2026-03-15", "张三", ""],
            &["1栋-1801", "装修押金", "100", "2999-01-01", "张三", ""],
            &["1栋-1801", "装修押金", "100", "昨天", "", ""],
            &["1栋-1802", "装修押金", "50", "2026-02-01", "李四", ""],
            &["1栋-1802", "装修押金", "50", "2026-02-01", "李四", ""],
        ],
    );
    let (st, e) = import(&admin, c, "deposits", false, bad).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        row_errors(&e),
        [
            (2, "kind".into(), "unknown_deposit_kind".into()),
            (3, "received_on".into(), "date_in_future".into()),
            (4, "received_on".into(), "invalid_date".into()),
            (4, "payer".into(), "required".into()),
            (6, "unit".into(), "duplicate_row".into()),
        ]
    );
    assert_eq!(app.count("deposits").await, 3);
}

#[tokio::test]
async fn meter_baseline_makes_the_first_usage_right() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;
    new_unit(&api, app.building_a.0, "1802").await;
    let (_, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "SF", "name": "水费", "kind": "water"}),
        )
        .await;
    let (st, std) = api
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item["id"], "name": "居民水价", "method": "meter",
                   "price": "3.45", "due_day": 20}),
        )
        .await;
    assert_eq!(st, 201, "{std}");
    let (st, m) = api
        .post(
            "/api/v1/meters",
            json!({"unit_id": unit, "kind": "water", "standard_id": std["id"]}),
        )
        .await;
    assert_eq!(st, 201, "{m}");
    let meter = m["id"].as_i64().expect("meter");
    let headers = ["房号", "表类型", "表编号", "读数", "抄表日期"];
    let file = workbook(
        &headers,
        &[&["1栋-1801", "水表", "", "1234.5", "2026-06-30"]],
    );
    let (st, p) = import(&api, c, "meter-baselines", true, file.clone()).await;
    assert_eq!(st, 200, "{p}");
    let (_, meters) = api.get(&format!("/api/v1/communities/{c}/meters")).await;
    assert_eq!(meters[0]["last_value"], 0, "a preview writes nothing");
    let (st, r) = import(&api, c, "meter-baselines", false, file.clone()).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["created"], 1);
    // The same file again, before any reading: the same baseline, nothing new.
    let (st, _) = import(&api, c, "meter-baselines", false, file.clone()).await;
    assert_eq!(st, 200);
    let (_, meters) = api.get(&format!("/api/v1/communities/{c}/meters")).await;
    assert_eq!(meters.as_array().map(Vec::len), Some(1));
    assert_eq!(meters[0]["last_value"], 123450);
    assert_eq!(imports_logged(&app, "meter_baseline").await, 2);

    // 1234.5 → 1250: 15.5 m³ × ¥3.45 = 53.475 → ¥53.48.
    let (st, rd) = api
        .post(
            "/api/v1/meter-readings",
            json!({"community_id": c, "period": "2026-07", "readings": [{"meter_id": meter, "value": "1250"}]}),
        )
        .await;
    assert_eq!(st, 200, "{rd}");
    assert_eq!(
        (&rd[0]["prev_value"], &rd[0]["usage"]),
        (&json!(123450), &json!(1550))
    );
    assert_eq!(owed(&api, unit).await["total_fen"], 5348);

    // Now the meter has a reading: its baseline is refused by row; so are the other bad rows.
    let bad = workbook(
        &headers,
        &[
            &["1栋-1801", "水表", "", "1300", "2026-06-30"],
            &["1栋-1802", "水表", "", "10", "2026-06-30"],
            &["", "", "99999", "10", "2026-06-30"],
            &["1栋-1801", "电表", "", "1.234", "2026-06-30"],
            &["1栋-1801", "", "", "-1", ""],
        ],
    );
    let (st, e) = import(&api, c, "meter-baselines", false, bad).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        row_errors(&e),
        [
            (2, "kind".into(), "meter_already_read".into()),
            (3, "kind".into(), "unknown_meter".into()),
            (4, "meter_id".into(), "unknown_meter".into()),
            (5, "value".into(), "too_many_decimals".into()),
            (5, "kind".into(), "unknown_meter".into()),
            (6, "value".into(), "must_not_be_negative".into()),
            (6, "read_on".into(), "required".into()),
            (6, "kind".into(), "required".into()),
        ]
    );
    let (_, meters) = api.get(&format!("/api/v1/communities/{c}/meters")).await;
    assert_eq!(meters[0]["last_value"], 125000);
}

#[tokio::test]
async fn switching_is_the_managers_of_the_community() {
    let app = app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    let u1 = new_unit(&admin, app.building_a.0, "1801").await;
    let other = app
        .api_as("pm_b", "project_manager", &[app.community_b])
        .await;
    let tech = app.api_as("tech1", "technician", &[app.community_a]).await;
    let file = workbook(&PREPAID, &[&["1栋-1801", "500.00", ""]]);
    for kind in ["opening-prepaid", "deposits", "meter-baselines"] {
        let (st, _) = import(&other, c, kind, false, file.clone()).await;
        assert_eq!(st, 404, "{kind}: another community's manager");
        let (st, _) = import(&tech, c, kind, true, file.clone()).await;
        assert_eq!(st, 403, "{kind}: a technician");
    }
    let (st, d) = admin
        .post(
            "/api/v1/deposits",
            json!({"unit_id": u1, "kind": "other", "amount": "100", "payer": "张三", "received_on": "2026-01-05"}),
        )
        .await;
    assert_eq!(st, 201, "{d}");
    let id = d["id"].as_i64().expect("deposit");
    let (st, _) = other.get(&format!("/api/v1/deposits/{id}")).await;
    assert_eq!(st, 404);
    let (st, _) = other
        .post(
            &format!("/api/v1/deposits/{id}/refund"),
            json!({"method": "cash", "reason": "x"}),
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = tech.get(&format!("/api/v1/communities/{c}/deposits")).await;
    assert_eq!(st, 403);
    let (st, _) = other
        .get(&format!("/api/v1/communities/{c}/deposits"))
        .await;
    assert_eq!(st, 404);
    assert_eq!(app.count("prepaid_entries").await, 0);
}

#[tokio::test]
async fn console_page_previews_posts_and_keeps_deposits() {
    use crate::console::console_login;
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;
    app.user("boss", "project_manager", &[app.community_a])
        .await;
    let (k, token) = console_login(&app, "boss").await;
    let html = k
        .get(format!("{}/billing?community={c}", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("/billing/switching?community="), "{html}");
    let html = k
        .get(format!("{}/billing/switching?community={c}", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(
        html.contains("期初预存") && html.contains("下载模板"),
        "{html}"
    );
    let r = k
        .get(format!(
            "{}/billing/switching/meter-baselines/template.xlsx",
            app.base
        ))
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], XLSX);

    // An amount typed as a number cell reads as yuan: 500 → ¥500.00.
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (col, h) in PREPAID.iter().enumerate() {
        ws.write_string(0, col as u16, *h).expect("h");
    }
    ws.write_string(1, 0, "1栋-1801").expect("c");
    ws.write_number(1, 1, 500.0).expect("c");
    let file = wb.save_to_buffer().expect("xlsx");
    let upload = |action: &'static str| {
        reqwest::multipart::Form::new()
            .text("_csrf", token.clone())
            .text("community_id", c.to_string())
            .text("kind", "opening-prepaid")
            .text("action", action)
            .part(
                "file",
                reqwest::multipart::Part::bytes(file.clone()).file_name("prepaid.xlsx"),
            )
    };
    let send = |form: reqwest::multipart::Form| {
        k.post(format!("{}/billing/switching/import", app.base))
            .multipart(form)
            .send()
    };
    let r = send(upload("preview")).await.expect("preview");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(html.contains("预览：1 行可以导入，合计 ¥500.00"), "{html}");
    assert_eq!(app.count("prepaid_entries").await, 0);
    let r = send(upload("post")).await.expect("post");
    assert_eq!(r.status(), 200);
    assert!(r.text().await.expect("body").contains("已导入 1 行"));
    assert_eq!(owed(&api, unit).await["prepaid_fen"], 50000);
    let r = send(upload("post")).await.expect("again");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("该房屋已导入过期初预存"), "{html}");
    assert_eq!(owed(&api, unit).await["prepaid_fen"], 50000);

    // The cashier's desk leads to the deposits; a cashier reads the page.
    app.user("desk1", "cashier", &[app.community_a]).await;
    let (desk, _) = console_login(&app, "desk1").await;
    let html = desk
        .get(format!("{}/cashier?community={c}", app.base))
        .send()
        .await
        .expect("desk")
        .text()
        .await
        .expect("body");
    assert!(html.contains("/billing/switching?community="), "{html}");
    let r = desk
        .get(format!("{}/billing/switching?community={c}", app.base))
        .send()
        .await
        .expect("deposits");
    assert_eq!(r.status(), 200);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("deposit-form") && !html.contains("import-deposits"),
        "the desk records deposits; imports are the manager's: {html}"
    );

    // A deposit recorded at the desk, then refunded.
    let r = k
        .post(format!("{}/billing/deposits", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("unit", "1栋-1801"),
            ("kind", "decoration"),
            ("amount", "100"),
            ("payer", "张三"),
            ("method", "cash"),
        ])
        .send()
        .await
        .expect("deposit");
    assert_eq!(r.status(), 303);
    let (_, list) = api.get(&format!("/api/v1/units/{unit}/deposits")).await;
    let id = list[0]["id"].as_i64().expect("deposit");
    let r = k
        .post(format!("{}/billing/deposits/{id}/refund", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("method", "cash"),
            ("reason", "验收合格"),
        ])
        .send()
        .await
        .expect("refund");
    assert_eq!(r.status(), 303);
    let (_, d) = api.get(&format!("/api/v1/deposits/{id}")).await;
    assert_eq!(d["state"], "refunded");
    let html = k
        .get(format!("{}/billing/switching?community={c}", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(html.contains("已退"), "{html}");
    // Without the token the form is refused.
    let r = k
        .post(format!("{}/billing/deposits", app.base))
        .form(&[
            ("community_id", c.to_string().as_str()),
            ("unit", "1栋-1801"),
        ])
        .send()
        .await
        .expect("no csrf");
    assert_eq!(r.status(), 403);
}
