//! The cashier's and the manager's billing journeys in a real browser (issue 12, "done
//! means"): what each action says, what a refused form keeps, the confirmations with their
//! numbers, and the community the user chose staying chosen. With WUYE_SCREENSHOTS set, each
//! role's home page is saved there.

use fantoccini::Locator;
use serde_json::json;

use crate::browser::{body, click, fill, log_in};

async fn notice(b: &fantoccini::Client) -> String {
    b.wait()
        .for_element(Locator::Css(".alert.notice"))
        .await
        .expect("a flash message")
        .text()
        .await
        .expect("text")
}

async fn shot(b: &fantoccini::Client, name: &str) {
    if let Ok(dir) = std::env::var("WUYE_SCREENSHOTS") {
        let png = b.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/{name}.png"), png).expect("write");
    }
}

#[tokio::test]
async fn the_cashier_takes_a_payment_in_the_community_he_chose_and_closes_the_day() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let admin = app.admin().await;
    // The unit is in the second community: picking it is what the cashier must not redo.
    let c = app.community_b.0;
    let unit = crate::new_unit(&admin, app.building_b.0, "101").await;
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    crate::charge_of(&admin, unit, item, "1580.40", "物业服务费 2026 年第四季度").await;
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let label = format!(
        "{}-101",
        u["unit"]["building_name"].as_str().expect("building")
    );
    app.user("cashier", "cashier", &[app.community_a, app.community_b])
        .await;

    b.set_window_size(1366, 900).await.expect("size");
    log_in(&b, &app.base, "cashier").await;
    b.goto(&format!("{}/cashier", app.base))
        .await
        .expect("cashier");
    b.find(Locator::Css(&format!(
        "select[name=community] option[value='{c}']"
    )))
    .await
    .expect("community B")
    .click()
    .await
    .expect("pick");
    fill(&b, "unit", &label).await;
    click(&b, "do-find").await;
    b.wait()
        .for_element(Locator::Id("owed-total"))
        .await
        .expect("what it owes");
    // Elsewhere and back: the community is still the one he chose.
    b.goto(&format!("{}/daily-close", app.base))
        .await
        .expect("days");
    b.goto(&format!("{}/cashier?unit={}", app.base, urlencode(&label)))
        .await
        .expect("cashier again");
    let owed = b
        .wait()
        .for_element(Locator::Id("owed-total"))
        .await
        .expect("found in the remembered community")
        .text()
        .await
        .expect("text");
    assert_eq!(owed, "¥1,580.40");

    // A bad amount is refused beside its field; the payer's name stays typed.
    fill(&b, "pay_payer", "孙先生").await;
    fill(&b, "pay_amount", "一千").await;
    click(&b, "do-pay").await;
    b.wait()
        .for_element(Locator::Css(".ferr:not(:empty)"))
        .await
        .expect("error");
    let kept = b
        .find(Locator::Id("pay_payer"))
        .await
        .expect("payer")
        .prop("value")
        .await
        .expect("value");
    assert_eq!(kept.as_deref(), Some("孙先生"));
    fill(&b, "pay_amount", "1,000").await;
    click(&b, "do-pay").await;
    let said = notice(&b).await;
    assert!(said.contains("已收款 ¥1,000.00"), "{said}");
    let left = body(&b).await;
    assert!(
        left.contains("¥580.40"),
        "the receipt says what is still owed: {left}"
    );

    // The daily close asks first, with the day's numbers, then says what it did.
    b.goto(&format!("{}/daily-close", app.base))
        .await
        .expect("days");
    click(&b, "do-close").await;
    let asked = b.get_alert_text().await.expect("a confirmation");
    assert!(
        asked.contains("1 笔") && asked.contains("¥1,000.00"),
        "{asked}"
    );
    b.accept_alert().await.expect("yes");
    let said = notice(&b).await;
    assert!(
        said.contains("已日结") && said.contains("¥1,000.00"),
        "{said}"
    );
    b.goto(&format!("{}/", app.base)).await.expect("home");
    b.wait()
        .for_element(Locator::Id("takings-panel"))
        .await
        .expect("the cashier's home");
    shot(&b, "home-cashier").await;
    b.close().await.expect("close");
}

#[tokio::test]
async fn the_manager_previews_confirms_and_posts_a_bill_run() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    for no in ["101", "102"] {
        crate::new_unit(&admin, app.building_a.0, no).await;
    }
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    let (st, _) = admin
        .post(
            "/api/v1/charge-standards",
            json!({"community_id": c, "fee_item_id": item, "name": "住宅物业费",
                   "method": "building_area", "price": "2.35", "cycle": "quarterly", "due_day": 15}),
        )
        .await;
    assert_eq!(st, 201);
    app.user("pm2", "project_manager", &[app.community_a]).await;
    b.set_window_size(1366, 900).await.expect("size");
    log_in(&b, &app.base, "pm2").await;
    b.goto(&format!("{}/billing?community={c}", app.base))
        .await
        .expect("setup");
    fill(&b, "period", "2026-07").await;
    click(&b, "do-preview").await;
    let preview = b
        .wait()
        .for_element(Locator::Id("preview-buildings"))
        .await
        .expect("by building")
        .text()
        .await
        .expect("text");
    assert!(preview.contains("¥1,261.96"), "2 × ¥630.98: {preview}");
    // Posting asks with the numbers; "no" posts nothing.
    click(&b, "do-post").await;
    let asked = b.get_alert_text().await.expect("a confirmation");
    assert!(
        asked.contains("2026-07") && asked.contains("2") && asked.contains("¥1,261.96"),
        "{asked}"
    );
    b.dismiss_alert().await.expect("no");
    let (_, runs) = admin
        .get(&format!("/api/v1/communities/{c}/bill-runs"))
        .await;
    assert_eq!(runs.as_array().map(Vec::len), Some(0), "{runs}");
    click(&b, "do-post").await;
    b.accept_alert().await.expect("yes");
    let said = notice(&b).await;
    assert!(
        said.contains("2026-07") && said.contains("¥1,261.96"),
        "{said}"
    );
    b.goto(&format!("{}/", app.base)).await.expect("home");
    b.wait()
        .for_element(Locator::Id("dashboard"))
        .await
        .expect("the manager's home");
    shot(&b, "home-manager").await;
    b.close().await.expect("close");
}

#[tokio::test]
async fn the_desk_opens_on_what_broke_and_what_is_about_to() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let c = app.community_a.0;
    let agent = app
        .api_as("desk9", "service_agent", &[app.community_a])
        .await;
    for (ago, kind, text) in [
        (
            chrono::Duration::days(2),
            "repair_common",
            "3栋电梯厅灯不亮",
        ),
        (
            chrono::Duration::minutes(210),
            "inquiry",
            "询问停车月卡办理",
        ),
    ] {
        let at = (chrono::Utc::now() - ago).to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let (st, r) = agent
            .post(
                "/api/v1/requests",
                json!({"community_id": c, "kind": kind, "category": "lighting", "channel": "hotline",
                       "location": "3栋", "description": text, "received_at": at}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
    }
    b.set_window_size(1366, 900).await.expect("size");
    log_in(&b, &app.base, "desk9").await;
    b.goto(&format!("{}/", app.base)).await.expect("home");
    let breached = b
        .wait()
        .for_element(Locator::Id("breached"))
        .await
        .expect("the breached list")
        .text()
        .await
        .expect("text");
    assert!(breached.contains("BX-000001"), "{breached}");
    let at_risk = b
        .find(Locator::Id("at-risk"))
        .await
        .expect("at risk")
        .text()
        .await
        .expect("text");
    assert!(
        at_risk.contains("ZX-000001") || at_risk.contains("000002"),
        "{at_risk}"
    );
    shot(&b, "home-desk").await;
    b.close().await.expect("close");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
