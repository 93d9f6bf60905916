//! Opening arrears (期初欠费, issue 17 point 1) over the API: lines post `opening` charges due on
//! their original dates, a part-paid line owes only the rest, an old late fee is posted and
//! later late fees count from the switch date only; bad rows are named and nothing is written;
//! the preview writes nothing; the same file twice creates nothing twice; who may import.

use chrono::{Datelike, Duration};
use rust_xlsxwriter::Workbook;
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::latefees::{accrue, days_ago, fee_item, owed, today};
use crate::{app, new_unit};

const HEADERS: [&str; 9] = [
    "房号",
    "收费项目",
    "账期起",
    "账期止",
    "原应缴日期",
    "金额",
    "已缴金额",
    "已计滞纳金",
    "备注",
];
const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn workbook(rows: &[[&str; 9]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
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

pub async fn import(api: &Api, c: i64, file: Vec<u8>, preview: bool) -> (u16, Value) {
    let q = if preview { "?preview=true" } else { "" };
    let (st, v) = api
        .post_raw(
            &format!("/api/v1/communities/{c}/import/opening-arrears{q}"),
            XLSX,
            file,
        )
        .await;
    (st.as_u16(), v)
}

fn month_of(d: chrono::NaiveDate) -> String {
    format!("{:04}-{:02}", d.year(), d.month())
}

/// (row, field, code) of a 422 row report.
fn row_errors(v: &Value) -> Vec<(i64, String, String)> {
    v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["field"].as_str().unwrap_or("").to_string(),
                e["code"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

async fn statement(api: &Api, unit: i64) -> Vec<Value> {
    let (st, s) = api.get(&format!("/api/v1/units/{unit}/statement")).await;
    assert_eq!(st, 200, "{s}");
    s["charges"].as_array().expect("charges").clone()
}

struct Setup {
    app: TestApp,
    api: Api,
    c: i64,
    item: i64,
    units: [i64; 3],
}

async fn setup() -> Setup {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    // 0.05 %/day after 10 days of grace, capped at the principal; named 费用LF.
    let item = fee_item(&api, c, "LF", 100).await;
    let b = app.building_a.0;
    let units = [
        new_unit(&api, b, "801").await,
        new_unit(&api, b, "802").await,
        new_unit(&api, b, "803").await,
    ];
    Setup {
        app,
        api,
        c,
        item,
        units,
    }
}

#[tokio::test]
async fn opening_lines_post_by_due_date_and_late_fees_count_from_the_switch_date() {
    let Setup {
        app,
        api,
        c,
        item,
        units: [u801, u802, u803],
    } = setup().await;
    let due45 = days_ago(45);
    let m45 = month_of(due45);
    let due45s = due45.to_string();
    let file = workbook(&[
        // ¥1,000.00 due 2026-01-15, nothing paid, no old late fee.
        [
            "1栋-801",
            "LF",
            "2026-01",
            "2026-01",
            "2026-01-15",
            "1000",
            "",
            "",
            "",
        ],
        // Part paid: ¥900.00 of which ¥300.00 was paid under the old system: ¥600.00 owed.
        [
            "1-802",
            "费用LF",
            &m45,
            &m45,
            &due45s,
            "900",
            "300",
            "",
            "电话催缴过",
        ],
        // An old late fee of ¥45.67 brought in with ¥500.00.
        [
            "803",
            "LF",
            "2025-06",
            "2025-08",
            "2025-06-15",
            "500.00",
            "0",
            "45.67",
            "",
        ],
    ]);

    // The preview counts and totals, and writes nothing.
    let (st, p) = import(&api, c, file.clone(), true).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["preview"], true);
    assert_eq!(
        (&p["rows"], &p["units"], &p["amount_fen"], &p["paid_fen"]),
        (&json!(3), &json!(3), &json!(240000), &json!(30000))
    );
    // 1,000 + 600 + 500 owed; 45.67 of late fee.
    assert_eq!(p["outstanding_fen"], 210000);
    assert_eq!(p["late_fee_fen"], 4567);
    assert_eq!(p["charges_created"], 3);
    assert_eq!(p["late_fee_charges_created"], 1);
    assert_eq!(p["by_fee_item"][0]["code"], "LF");
    assert_eq!(p["by_fee_item"][0]["lines"], 3);
    assert_eq!(p["by_fee_item"][0]["outstanding_fen"], 210000);
    assert_eq!(app.count("charges").await, 0);
    assert_eq!(app.count("opening_lines").await, 0);
    assert_eq!(app.count("opening_imports").await, 0);

    let (st, r) = import(&api, c, file, false).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["preview"], false);
    assert_eq!(r["replayed"], false);
    assert_eq!(r["switch_date"], today().to_string());
    assert_eq!(app.count("charges").await, 4);

    // Each unit's statement: an `opening` charge due on its original date.
    let s801 = statement(&api, u801).await;
    assert_eq!(s801.len(), 1);
    assert_eq!(s801[0]["kind"], "opening");
    assert_eq!(s801[0]["due_date"], "2026-01-15");
    assert_eq!(s801[0]["amount_fen"], 100000);
    assert_eq!(s801[0]["fee_item_id"], item);
    let s802 = statement(&api, u802).await;
    assert_eq!(s802[0]["amount_fen"], 60000);
    assert_eq!(s802[0]["due_date"], due45s);
    assert_eq!(
        s802[0]["basis"],
        "期初导入：原应收 ¥900.00，已缴 ¥300.00，欠 ¥600.00；电话催缴过"
    );
    let mut s803: Vec<(String, i64)> = statement(&api, u803)
        .await
        .iter()
        .map(|c| {
            (
                c["kind"].as_str().unwrap_or("").to_string(),
                c["amount_fen"].as_i64().unwrap_or(0),
            )
        })
        .collect();
    s803.sort();
    assert_eq!(
        s803,
        [
            ("late_fee".to_string(), 4567),
            ("opening".to_string(), 50000)
        ]
    );

    // What each unit owes now: the charges, and no late fee for the days before the switch.
    let o = owed(&api, u803).await;
    assert_eq!(o["total_fen"], 50000 + 4567);
    assert_eq!(o["late_fee_fen"], 0);

    // Ageing by the original due dates: 45 days → 31–90; 2026-01-15 and 2025-06-15 → over 180.
    let (st, a) = api
        .get(&format!("/api/v1/communities/{c}/arrears/ageing"))
        .await;
    assert_eq!(st, 200, "{a}");
    assert_eq!(a["total"]["d31_90_fen"], 60000);
    assert_eq!(a["total"]["over_180_fen"], 100000 + 50000 + 4567);
    assert_eq!(a["total"]["d0_30_fen"], 0);

    // The collection rate of the switch month and of the old periods bills nothing of them.
    for period in [month_of(today()), "2026-01".to_string()] {
        let (st, rate) = api
            .get(&format!(
                "/api/v1/communities/{c}/collection-rate?period={period}"
            ))
            .await;
        assert_eq!(st, 200, "{rate}");
        assert_eq!(rate["billed_fen"], 0, "{period}");
    }

    // Accrued as of the switch date: nothing. Three days later: 3 days each, not the months
    // before. ¥1,000.00 × 0.05 % = ¥0.50 a day → ¥1.50; ¥600.00 → 3 × ¥0.30 = ¥0.90;
    // ¥500.00 → 3 × ¥0.25 = ¥0.75 on top of the ¥45.67 posted.
    accrue(&app, c, today()).await;
    assert_eq!(owed(&api, u801).await["late_fee_fen"], 0);
    accrue(&app, c, today() + Duration::days(3)).await;
    let o801 = owed(&api, u801).await;
    assert_eq!(o801["late_fee_fen"], 150, "{o801}");
    assert_eq!(owed(&api, u802).await["late_fee_fen"], 90);
    let o803 = owed(&api, u803).await;
    assert_eq!(o803["late_fee_fen"], 75, "{o803}");
    assert_eq!(o803["late_fees"][0]["posted_fen"], 4567);

    // Paid in full on the switch date: the desk posts no late fee for the days before it, and
    // the three days accrued after it fall away (the money came in before them).
    let p = crate::latefees::pay(&api, u801, "1000", json!({})).await;
    assert_eq!(p["settled"][0]["amount_fen"], 100000, "{p}");
    assert!(crate::latefees::posted(&api, u801).await.is_empty());
    assert_eq!(owed(&api, u801).await["late_fee_fen"], 0);

    // One audit entry for the import, with its totals.
    let (st, log) = api.get("/api/v1/audit?entity=opening_arrears").await;
    assert_eq!(st, 200, "{log}");
    let entries = log.as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{log}");
    assert_eq!(entries[0]["action"], "import");
    let after: Value =
        serde_json::from_str(entries[0]["after_json"].as_str().expect("after")).expect("json");
    assert_eq!(after["outstanding_fen"], 210000);
    assert_eq!(after["rows"], 3);
}

#[tokio::test]
async fn bad_rows_are_named_by_row_and_field_and_nothing_is_written() {
    let Setup { app, api, c, .. } = setup().await;
    let next = month_of(today() + Duration::days(40));
    let tomorrow = (today() + Duration::days(1)).to_string();
    let file = workbook(&[
        [
            "9栋-999",
            "LF",
            "2025-01",
            "2025-01",
            "2025-01-15",
            "100",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "XX",
            "2025-01",
            "2025-01",
            "2025-01-15",
            "100",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-02",
            &next,
            "2025-02-15",
            "100",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-12",
            "2025-11",
            "2025-11-15",
            "100",
            "",
            "",
            "",
        ],
        [
            "1栋-801", "LF", "2025-03", "2025-03", &tomorrow, "100", "", "", "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-04",
            "2025-04",
            "2025-04-15",
            "0",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-05",
            "2025-05",
            "2025-05-15",
            "-5",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-06",
            "2025-06",
            "2025-06-15",
            "1.234",
            "",
            "",
            "",
        ],
        [
            "1栋-801",
            "LF",
            "2025-07",
            "2025-07",
            "2025-07-15",
            "100",
            "100.01",
            "",
            "",
        ],
        [
            "1栋-802",
            "LF",
            "2025-07",
            "2025-07",
            "2025-07-15",
            "100",
            "",
            "",
            "",
        ],
        [
            "1-802",
            "费用LF",
            "2025-07",
            "2025-07",
            "2025-08-15",
            "50",
            "",
            "",
            "",
        ],
        [
            "1栋-803",
            "LF",
            "2025-07",
            "2025-07",
            "2025-07-15",
            "",
            "",
            "1.5",
            "",
        ],
    ]);
    for preview in [true, false] {
        let (st, v) = import(&api, c, file.clone(), preview).await;
        assert_eq!(st, 422, "{v}");
        assert_eq!(v["code"], "import_rows_invalid");
        let s = |r: i64, f: &str, code: &str| (r, f.to_string(), code.to_string());
        assert_eq!(
            row_errors(&v),
            [
                s(2, "unit", "unknown_unit"),
                s(3, "fee_item", "unknown_fee_item"),
                s(4, "period_to", "period_after_switch"),
                s(5, "period_to", "until_before_from"),
                s(6, "due_date", "date_in_future"),
                s(7, "amount", "must_be_positive"),
                s(8, "amount", "must_not_be_negative"),
                s(9, "amount", "too_many_decimals"),
                s(10, "paid", "paid_exceeds_amount"),
                s(12, "period_from", "duplicate_line"),
                s(13, "amount", "required"),
            ]
        );
        // The message names the row and the column.
        assert_eq!(v["errors"][0]["column"], "房号");
        assert!(
            v["errors"][9]["message"]
                .as_str()
                .is_some_and(|m| m.starts_with("第 12 行 [账期起]") && m.contains("第 11 行")),
            "{v}"
        );
    }
    assert_eq!(app.count("charges").await, 0);
    assert_eq!(app.count("opening_lines").await, 0);
    assert_eq!(app.count("opening_imports").await, 0);
    assert_eq!(app.count("late_fees").await, 0);

    // The file itself: not a workbook, or without the required columns.
    let (st, v) = import(&api, c, b"not a workbook".to_vec(), false).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["errors"][0]["code"], "not_xlsx");
}

#[tokio::test]
async fn the_same_file_twice_or_a_line_again_creates_nothing_twice() {
    let Setup { app, api, c, .. } = setup().await;
    let file = workbook(&[
        [
            "1栋-801",
            "LF",
            "2025-01",
            "2025-03",
            "2025-01-15",
            "300",
            "",
            "",
            "",
        ],
        [
            "1栋-802",
            "LF",
            "2025-01",
            "2025-03",
            "2025-01-15",
            "300",
            "",
            "12",
            "",
        ],
    ]);
    let (st, first) = import(&api, c, file.clone(), false).await;
    assert_eq!(st, 200, "{first}");
    assert_eq!(app.count("charges").await, 3);

    // The same file: its first result, replayed, nothing created.
    for preview in [false, true] {
        let (st, again) = import(&api, c, file.clone(), preview).await;
        assert_eq!(st, 200, "{again}");
        assert_eq!(again["replayed"], true);
        assert_eq!(again["import_id"], first["import_id"]);
        assert_eq!(again["outstanding_fen"], 60000);
        assert_eq!(again["charges_created"], 0);
    }
    assert_eq!(app.count("charges").await, 3);
    assert_eq!(app.count("opening_imports").await, 1);

    // Another file carrying a line already brought in: refused by row, nothing written.
    let other = workbook(&[
        [
            "1栋-803",
            "LF",
            "2025-01",
            "2025-03",
            "2025-01-15",
            "300",
            "",
            "",
            "",
        ],
        [
            "1-802",
            "费用LF",
            "2025-01",
            "2025-03",
            "2025-01-20",
            "280",
            "",
            "",
            "改过",
        ],
    ]);
    let (st, v) = import(&api, c, other, false).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        row_errors(&v),
        [(3, "period_from".to_string(), "already_imported".to_string())]
    );
    assert_eq!(app.count("charges").await, 3);
    assert_eq!(app.count("opening_lines").await, 2);
}

#[tokio::test]
async fn only_a_billing_manager_of_the_community_imports() {
    let Setup { app, c, .. } = setup().await;
    let file = workbook(&[[
        "1栋-801",
        "LF",
        "2025-01",
        "2025-01",
        "2025-01-15",
        "300",
        "",
        "",
        "",
    ]]);
    let other = app
        .api_as("mgr_b", "project_manager", &[app.community_b])
        .await;
    let (st, v) = import(&other, c, file.clone(), false).await;
    assert_eq!(st, 404, "{v}");
    let (st, _) = other
        .get(&format!(
            "/api/v1/communities/{c}/import/opening-arrears/template.xlsx"
        ))
        .await;
    assert_eq!(st, 404);
    let cashier = app.api_as("cash_a", "cashier", &[app.community_a]).await;
    let (st, v) = import(&cashier, c, file.clone(), true).await;
    assert_eq!(st, 403, "{v}");
    assert_eq!(app.count("charges").await, 0);

    let mgr = app
        .api_as("mgr_a", "project_manager", &[app.community_a])
        .await;
    let (st, v) = import(&mgr, c, file, false).await;
    assert_eq!(st, 200, "{v}");
}

/// The page under 收费设置 downloads the template, previews an upload (nothing written), shows a
/// bad file's errors by row, and posts.
#[tokio::test]
async fn the_console_page_previews_and_posts_an_upload() {
    let Setup { app, api, c, .. } = setup().await;
    app.user("mgr1", "project_manager", &[app.community_a])
        .await;
    let (k, token) = crate::console::console_login(&app, "mgr1").await;
    let html = k
        .get(format!("{}/billing/opening?community={c}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("body");
    assert!(html.contains("期初欠费导入"), "{html}");
    assert!(html.contains("name=\"_csrf\""));
    let t = k
        .get(format!(
            "{}/billing/opening/template.xlsx?community={c}",
            app.base
        ))
        .send()
        .await
        .expect("template");
    assert_eq!(t.status(), 200);
    let range = wuye_core::shared::xlsx::first_sheet(t.bytes().await.expect("bytes").to_vec())
        .expect("sheet");
    assert_eq!(
        range.get((0, 0)).map(|d| d.to_string()),
        Some("房号".into())
    );

    let upload = |file: Vec<u8>, action: &'static str, token: String| {
        let form = reqwest::multipart::Form::new()
            .text("_csrf", token)
            .text("community_id", c.to_string())
            .text("action", action)
            .part(
                "file",
                reqwest::multipart::Part::bytes(file).file_name("opening.xlsx"),
            );
        k.post(format!("{}/billing/opening", app.base))
            .multipart(form)
            .send()
    };
    let good = workbook(&[[
        "1栋-801",
        "LF",
        "2025-01",
        "2025-03",
        "2025-01-15",
        "630.98",
        "100",
        "",
        "",
    ]]);
    // Without the token: refused, nothing written.
    let r = upload(good.clone(), "post", "f".repeat(64))
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    let r = upload(good.clone(), "preview", token.clone())
        .await
        .expect("preview");
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("body");
    assert!(body.contains("id=\"opening-preview\""), "{body}");
    assert!(body.contains("530.98"), "{body}");
    assert_eq!(app.count("charges").await, 0);

    let bad = workbook(&[[
        "1栋-801",
        "LF",
        "2025-01",
        "2025-03",
        "2025-01-15",
        "1.234",
        "",
        "",
        "",
    ]]);
    let r = upload(bad, "post", token.clone()).await.expect("bad");
    assert_eq!(r.status(), 422);
    let body = r.text().await.expect("body");
    assert!(body.contains("id=\"opening-errors\""), "{body}");
    assert!(body.contains("<td>2</td><td>金额</td>"), "{body}");
    assert_eq!(app.count("charges").await, 0);

    let r = upload(good, "post", token).await.expect("post");
    assert_eq!(r.status(), 200);
    let body = r.text().await.expect("body");
    assert!(body.contains("id=\"opening-posted\""), "{body}");
    assert_eq!(app.count("charges").await, 1);
    let (_, log) = api.get("/api/v1/audit?entity=opening_arrears").await;
    assert_eq!(log.as_array().map(Vec::len), Some(1), "{log}");
}

/// Cells as Excel keeps what people type: amounts as numbers, dates and months as date cells,
/// a title line above the header.
#[tokio::test]
async fn numbers_and_date_cells_are_read_as_typed() {
    // The app is kept to the end: dropping it deletes its database.
    let Setup {
        app: _app,
        api,
        c,
        units: [u801, ..],
        ..
    } = setup().await;
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.write_string(0, 0, "期初欠费").expect("title");
    for (col, h) in HEADERS.iter().enumerate() {
        ws.write_string(1, col as u16, *h).expect("header");
    }
    let date = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    let month = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm");
    let d = |y, m, d| rust_xlsxwriter::ExcelDateTime::from_ymd(y, m, d).expect("date");
    ws.write_string(2, 0, "1栋-801").expect("c");
    ws.write_string(2, 1, "LF").expect("c");
    ws.write_datetime_with_format(2, 2, d(2025, 3, 1), &month)
        .expect("c");
    ws.write_datetime_with_format(2, 3, d(2025, 5, 1), &month)
        .expect("c");
    ws.write_datetime_with_format(2, 4, d(2025, 3, 15), &date)
        .expect("c");
    ws.write_number(2, 5, 1234.56).expect("c");
    ws.write_number(2, 6, 34.5).expect("c");
    ws.write_number(2, 7, 7.0).expect("c");
    let (st, v) = import(&api, c, wb.save_to_buffer().expect("xlsx"), false).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["rows"], 1);
    // 1,234.56 − 34.50 = 1,200.06 owed, ¥7.00 of old late fee.
    assert_eq!(v["outstanding_fen"], 120006);
    assert_eq!(v["late_fee_fen"], 700);
    let (st, s) = api.get(&format!("/api/v1/units/{u801}/statement")).await;
    assert_eq!(st, 200, "{s}");
    let opening: Vec<&Value> = s["charges"]
        .as_array()
        .expect("charges")
        .iter()
        .filter(|c| c["kind"] == "opening")
        .collect();
    assert_eq!(opening[0]["due_date"], "2025-03-15");
    assert_eq!(opening[0]["period_from"], "2025-03-01");
    assert_eq!(opening[0]["period_to"], "2025-05-31");
    assert_eq!(
        opening[0]["description"],
        "期初欠费：费用LF 2025-03–2025-05"
    );
}
