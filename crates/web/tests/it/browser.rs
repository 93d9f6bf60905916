//! Real-browser flows in headless Chromium (run where WUYE_WEBDRIVER_URL is set; CI sets it).

use fantoccini::Locator;
use wuye_testkit::PASSWORD;

async fn fill(b: &fantoccini::Client, id: &str, value: &str) {
    let e = b
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("#{id} on the page"));
    e.clear().await.expect("clear");
    e.send_keys(value).await.expect("type");
}

#[tokio::test]
async fn log_in_create_a_unit_import_and_see_row_errors() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    app.user("desk", "service_agent", &[app.community_a]).await;

    // Log in.
    b.goto(&format!("{}/login", app.base))
        .await
        .expect("login page");
    fill(&b, "username", "desk").await;
    fill(&b, "password", PASSWORD).await;
    b.find(Locator::Id("login"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    // Only a logged-in page has the navigation bar.
    b.wait()
        .for_element(Locator::Css("header nav"))
        .await
        .expect("home page");
    let body = b
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(body.contains("甲小区"), "home lists the community: {body}");

    // Create a unit on the building page.
    b.goto(&format!("{}/buildings/{}", app.base, app.building_a.0))
        .await
        .expect("building page");
    fill(&b, "unit_no", "1203").await;
    fill(&b, "floor", "12").await;
    fill(&b, "building_area", "95.60").await;
    b.find(Locator::Css("#create-unit"))
        .await
        .expect("submit")
        .click()
        .await
        .expect("click");
    b.wait()
        .for_element(Locator::Id("history"))
        .await
        .expect("the new unit's page");
    let body = b
        .find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text");
    assert!(
        body.contains("1203") && body.contains("95.60"),
        "the unit page shows the new unit: {body}"
    );
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM units WHERE unit_no = $1",
            wuye_core::args!["1203"],
        )
        .await
        .expect("count");
    assert_eq!(n, 1);

    // Import a good spreadsheet, then a bad one.
    let dir = std::env::temp_dir().join(format!("wuye-browser-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let good = dir.join("good.xlsx");
    std::fs::write(
        &good,
        crate::import::workbook(&[[
            "5栋",
            "501",
            "5",
            "90",
            "",
            "住宅",
            "自住",
            "刘一",
            "13600002222",
            "",
            "",
        ]]),
    )
    .expect("write");
    let bad = dir.join("bad.xlsx");
    std::fs::write(
        &bad,
        crate::import::workbook(&[["5栋", "502", "5", "-90", "", "住宅", "自住", "", "", "", ""]]),
    )
    .expect("write");

    b.goto(&format!("{}/import", app.base))
        .await
        .expect("import page");
    b.find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&good.to_string_lossy())
        .await
        .expect("choose");
    b.find(Locator::Id("import"))
        .await
        .expect("import button")
        .click()
        .await
        .expect("click");
    let ok = b
        .wait()
        .for_element(Locator::Id("import-ok"))
        .await
        .expect("success notice")
        .text()
        .await
        .expect("text");
    assert!(ok.contains('1'), "{ok}");
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM units WHERE unit_no = $1",
            wuye_core::args!["501"],
        )
        .await
        .expect("count");
    assert_eq!(n, 1);

    b.goto(&format!("{}/import", app.base))
        .await
        .expect("import page");
    b.find(Locator::Id("file"))
        .await
        .expect("file input")
        .send_keys(&bad.to_string_lossy())
        .await
        .expect("choose");
    b.find(Locator::Id("import"))
        .await
        .expect("import button")
        .click()
        .await
        .expect("click");
    let table = b
        .wait()
        .for_element(Locator::Id("import-errors"))
        .await
        .expect("error table")
        .text()
        .await
        .expect("text");
    assert!(
        table.contains("建筑面积") && table.contains("必须大于 0"),
        "{table}"
    );
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM units WHERE unit_no = $1",
            wuye_core::args!["502"],
        )
        .await
        .expect("count");
    assert_eq!(n, 0, "nothing of the bad file was written");

    b.close().await.expect("close");
    let _ = std::fs::remove_dir_all(&dir);
}
