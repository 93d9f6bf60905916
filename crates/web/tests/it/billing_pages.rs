//! The billing pages as the manager and the cashier use them (issue 12, point 11): the bill
//! run's preview by item and by building, fee items and standards edited for later runs, the
//! reports opening on a billed period with charts, the arrears list in pages, the day sheet.

use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_run_is_previewed_by_building_and_an_edited_standard_bills_later_runs_only() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let (st, b2) = admin
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "2栋", "floors": 18}),
        )
        .await;
    assert_eq!(st, 201, "{b2}");
    let b2 = b2["id"].as_i64().expect("b2");
    crate::new_unit(&admin, app.building_a.0, "101").await;
    crate::new_unit(&admin, app.building_a.0, "102").await;
    let u3 = crate::new_unit(&admin, b2, "201").await;
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    let (st, std) = admin
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item, "name": "住宅物业费",
                   "method": "building_area", "price": "2.35", "cycle": "quarterly", "due_day": 15,
                   "use_kinds": ["residential"]}),
        )
        .await;
    assert_eq!(st, 201, "{std}");
    let std_id = std["id"].as_i64().expect("std");

    // 89.50 m² × ¥2.35 × 3 months = ¥630.975 → ¥630.98 a unit: two in 1栋, one in 2栋.
    let (web, csrf) = console_login(&app, "admin").await;
    let page = html(
        &web,
        &app.base,
        &format!("/billing?community={c}&period=2026-07"),
    )
    .await;
    let table = &page[page.find("id=\"preview-buildings\"").expect("by building")..];
    let table = &table[..table.find("</table>").expect("end")];
    assert!(
        table.contains("<td>2</td><td>2</td><td>¥1,261.96</td>"),
        "{table}"
    );
    assert!(
        table.contains("<td>2栋</td><td>1</td><td>1</td><td>¥630.98</td>"),
        "{table}"
    );
    let (st, p) = admin
        .post(
            "/api/v1/bill-runs/preview",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["buildings"].as_array().map(Vec::len), Some(2), "{p}");
    let (st, _) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201);

    // The edit form keeps what it does not show (its use kinds) and changes the price.
    assert!(
        page.contains(&format!("id=\"edit-standard-{std_id}\"")),
        "{page}"
    );
    let (st, to, body) = send(
        &web,
        &app.base,
        "/billing/standards",
        &[
            ("_csrf", csrf.as_str()),
            ("community_id", &c.to_string()),
            ("id", &std_id.to_string()),
            ("fee_item_id", &item.to_string()),
            ("use_kinds", "residential"),
            ("name", "住宅物业费"),
            ("method", "building_area"),
            ("price", "2.50"),
            ("tiers", ""),
            ("cycle", "quarterly"),
            ("cycle_start_month", "1"),
            ("due_day", "15"),
            ("rounding", "half_up"),
            ("vacant_pct", "100"),
            ("active", "on"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{body}");
    assert!(to.starts_with("/billing"), "{to}");
    let (_, stds) = admin
        .get(&format!("/api/v1/communities/{c}/charge-standards"))
        .await;
    assert_eq!(stds[0]["price_e4"], 25000, "{stds}");
    assert_eq!(stds[0]["use_kinds"], "residential", "{stds}");
    // 89.50 × 2.50 × 3 = ¥671.25 from the next run on; the posted quarter keeps ¥630.98.
    let (_, p) = admin
        .post(
            "/api/v1/bill-runs/preview",
            json!({"community_id": c, "period": "2026-10"}),
        )
        .await;
    assert_eq!(p["total_fen"], 3 * 67125, "{p}");
    let (_, o) = admin.get(&format!("/api/v1/units/{u3}/owed")).await;
    assert_eq!(o["total_fen"], 63098, "{o}");

    // The reports open on the billed period, with its charts.
    let page = html(&web, &app.base, &format!("/billing/reports?community={c}")).await;
    assert!(page.contains("name=\"period\" value=\"2026-07\""), "{page}");
    assert!(
        page.contains("id=\"chart-rate-months\"") && page.contains("id=\"chart-rate-buildings\"")
    );
    assert!(page.contains("各楼栋收缴率 2026-07"), "{page}");
}

#[tokio::test]
async fn the_arrears_list_pages_and_a_day_sheet_prints_the_day() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    let due = crate::latefees::days_ago(40);
    let mut units = Vec::new();
    for i in 0..101 {
        let u = crate::new_unit(&admin, app.building_a.0, &format!("{}", 1000 + i)).await;
        crate::latefees::charge(&admin, u, item, &format!("{}.00", 100 + i), due).await;
        units.push(u);
    }
    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/billing/arrears?community={c}")).await;
    let rows = |p: &str| {
        let t = &p[p.find("id=\"arrears-units\"").expect("list")..];
        t[..t.find("</table>").expect("end")]
            .matches("/statement\"")
            .count()
    };
    assert_eq!(rows(&page), 100);
    assert!(page.contains("第 1 / 2 页，共 101 户"), "{page}");
    // Most owed first: ¥200.00 leads page 1, ¥100.00 is alone on page 2.
    assert!(page.contains("¥200.00"));
    let page = html(
        &web,
        &app.base,
        &format!("/billing/arrears?community={c}&page=2"),
    )
    .await;
    assert_eq!(rows(&page), 1);
    assert!(
        page.contains("¥100.00") && page.contains("id=\"prev-page\""),
        "{page}"
    );
    let (st, v) = admin
        .get(&format!(
            "/api/v1/communities/{c}/arrears/units?offset=100&limit=10"
        ))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v.as_array().map(Vec::len), Some(1), "{v}");

    // A cashier's day sheet: his payments, the totals, the cash to hand over.
    let cashier = app.api_as("cash3", "cashier", &[app.community_a]).await;
    for (unit, method, amount) in [
        (units[0], "cash", "100.00"),
        (units[1], "wechat", "1,101.00"),
    ] {
        let (st, p) = cashier
            .post(
                "/api/v1/payments",
                json!({"unit_id": unit, "method": method, "amount": amount, "payer": "孙先生"}),
            )
            .await;
        assert_eq!(st, 201, "{p}");
    }
    let (_, me) = cashier.get("/api/v1/me").await;
    let me = me["id"].as_i64().expect("me");
    let today = crate::latefees::today();
    let (web, _) = console_login(&app, "cash3").await;
    let days = html(&web, &app.base, "/daily-close").await;
    assert!(
        days.contains(&format!("id=\"sheet-{today}-{me}\"")),
        "{days}"
    );
    let sheet = html(
        &web,
        &app.base,
        &format!("/daily-close/sheet?community={c}&date={today}&cashier={me}"),
    )
    .await;
    assert_eq!(crate::text_of(&sheet, "sheet-total"), "¥1,201.00");
    assert_eq!(crate::text_of(&sheet, "sheet-cash"), "¥100.00");
    assert!(
        sheet.contains("收款人签字") && sheet.contains("data-print"),
        "{sheet}"
    );
    // Another cashier's day is not his to print.
    app.user("cash4", "cashier", &[app.community_a]).await;
    let (other, _) = console_login(&app, "cash4").await;
    let r = other
        .get(format!(
            "{}/daily-close/sheet?community={c}&date={today}&cashier={me}",
            app.base
        ))
        .send()
        .await
        .expect("sheet");
    assert_eq!(r.status().as_u16(), 404);
}

/// A reminder batch stops at its limit and says so, with how many matched (point 11): 501
/// units in arrears, 500 notices, the warning naming 501.
#[tokio::test]
async fn a_reminder_batch_says_when_it_stops_at_its_limit() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let rows: Vec<[String; 11]> = (0..501)
        .map(|i| {
            [
                "9栋".into(),
                format!("{}", 1001 + i),
                "10".into(),
                "80".into(),
                String::new(),
                "住宅".into(),
                "自住".into(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ]
        })
        .collect();
    let rows: Vec<[&str; 11]> = rows
        .iter()
        .map(|r| std::array::from_fn(|k| r[k].as_str()))
        .collect();
    let (st, v) = admin
        .post_raw(
            &format!("/api/v1/communities/{c}/import/units"),
            crate::import::XLSX,
            crate::import::workbook(&rows),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["units_created"], 501);
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    let (st, std) = admin
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item, "name": "管理费", "method": "fixed",
                   "price": "50", "cycle": "monthly", "due_day": 15}),
        )
        .await;
    assert_eq!(st, 201, "{std}");
    let (st, run) = admin
        .post(
            "/api/v1/bill-runs",
            json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201, "{run}");
    assert_eq!(run["charges"], 501);
    let (web, csrf) = console_login(&app, "admin").await;
    let (st, _, page) = send(
        &web,
        &app.base,
        "/billing/notices",
        &[
            ("_csrf", csrf.as_str()),
            ("community_id", &c.to_string()),
            ("min_days", "30"),
        ],
    )
    .await;
    assert_eq!(st, 200, "{page}");
    assert!(
        page.contains("共 501 户符合条件，本次只出了前 500 户（每批最多 500 户）"),
        "{page}"
    );
}
