//! Real-browser flows in headless Chromium (run where WUYE_WEBDRIVER_URL is set; CI sets it).

use fantoccini::Locator;
use wuye_testkit::PASSWORD;

pub async fn fill(b: &fantoccini::Client, id: &str, value: &str) {
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

    // Log in (only a logged-in page has the navigation bar).
    log_in(&b, &app.base, "desk").await;
    let text = body(&b).await;
    assert!(text.contains("甲小区"), "home lists the community: {text}");

    // Create a unit on the building page.
    b.goto(&format!("{}/buildings/{}", app.base, app.building_a.0))
        .await
        .expect("building page");
    fill(&b, "unit_no", "1203").await;
    fill(&b, "floor", "12").await;
    fill(&b, "building_area", "95.60").await;
    click(&b, "create-unit").await;
    b.wait()
        .for_element(Locator::Id("history"))
        .await
        .expect("the new unit's page");
    let text = body(&b).await;
    assert!(
        text.contains("1203") && text.contains("95.60"),
        "the unit page shows the new unit: {text}"
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
    // A mark on this window: the upload goes through XHR with a progress bar, and its answer
    // replaces the document in this same window (a plain submit would start a fresh one).
    b.execute("window.wuyeStayed = 1;", vec![])
        .await
        .expect("mark");
    click(&b, "import").await;
    let ok = b
        .wait()
        .for_element(Locator::Id("import-ok"))
        .await
        .expect("success notice")
        .text()
        .await
        .expect("text");
    assert!(ok.contains('1'), "{ok}");
    let stayed = b
        .execute(
            "return [window.wuyeStayed || 0, location.pathname];",
            vec![],
        )
        .await
        .expect("read mark");
    assert_eq!(
        stayed,
        serde_json::json!([1, "/import"]),
        "sent with progress"
    );
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
    click(&b, "import").await;
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

pub async fn log_in(b: &fantoccini::Client, base: &str, user: &str) {
    b.goto(&format!("{base}/login")).await.expect("login page");
    fill(b, "username", user).await;
    fill(b, "password", PASSWORD).await;
    b.find(Locator::Id("login"))
        .await
        .expect("button")
        .click()
        .await
        .expect("click");
    b.wait()
        .for_element(Locator::Css("header nav"))
        .await
        .expect("logged in");
}

/// Clicks `#id`, polling for up to 5 s: right after a navigation the element found may belong to
/// the page being replaced ("node does not belong to the document").
pub async fn click(b: &fantoccini::Client, id: &str) {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let tried = match b.find(Locator::Id(id)).await {
            Ok(e) => e.click().await.map(|_| ()),
            Err(e) => Err(e),
        };
        match tried {
            Ok(()) => return,
            Err(e) if std::time::Instant::now() > deadline => panic!("click #{id}: {e}"),
            Err(_) => tokio::time::sleep(std::time::Duration::from_millis(100)).await,
        }
    }
}

pub async fn body(b: &fantoccini::Client) -> String {
    b.find(Locator::Css("body"))
        .await
        .expect("body")
        .text()
        .await
        .expect("text")
}

#[tokio::test]
async fn desk_registers_dispatches_technician_completes_owner_rates() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1801").await;
    app.user("desk", "service_agent", &[app.community_a]).await;
    app.user("wang", "technician", &[app.community_a]).await;
    let (st, _) = admin
        .put(
            &format!("/api/v1/communities/{}/paid-services", app.community_a.0),
            serde_json::json!({"community_id": 0, "code": "tap", "name": "更换水龙头",
                               "unit_name": "个", "price": "35.50"}),
        )
        .await;
    assert_eq!(st, 200);
    // The owner of 1801 has a portal account the centre opened and he activated.
    let (_, p) = admin
        .post(
            "/api/v1/people",
            serde_json::json!({"community_id": app.community_a.0, "name": "王先生",
                               "phone": "13812345678", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let (_, slip) = admin
        .post(
            &format!("/api/v1/people/{}/portal-account", p["id"]),
            serde_json::json!({}),
        )
        .await;
    let owner_login = slip["username"].as_str().expect("username").to_string();

    // The desk registers a water leak by typing the unit as people say it, with a photo: two
    // screens (the form, the request), timed from opening the form to the request's page.
    log_in(&b, &app.base, "desk").await;
    let photo = std::env::temp_dir().join(format!("wuye-leak-{}.png", std::process::id()));
    std::fs::write(&photo, b"\x89PNG\r\n\x1a\n0000").expect("photo file");
    let started = std::time::Instant::now();
    b.goto(&format!("{}/requests/new", app.base))
        .await
        .expect("form");
    b.find(Locator::Css("#kind option[value='repair_unit']"))
        .await
        .expect("kind")
        .click()
        .await
        .expect("pick");
    b.find(Locator::Css("#category option[value='water']"))
        .await
        .expect("category")
        .click()
        .await
        .expect("pick");
    fill(&b, "unit", "1栋-1801").await;
    fill(&b, "contact_name", "王先生").await;
    fill(&b, "description", "厨房水管漏水").await;
    b.find(Locator::Id("photo"))
        .await
        .expect("photo input")
        .send_keys(&photo.to_string_lossy())
        .await
        .expect("attach");
    click(&b, "register").await;
    b.wait()
        .for_element(Locator::Id("timeline"))
        .await
        .expect("the request's page");
    let took = started.elapsed();
    let _ = std::fs::remove_file(&photo);
    eprintln!(
        "registering at the desk: 2 screens, {} ms",
        took.as_millis()
    );
    assert!(took < std::time::Duration::from_secs(30), "{took:?}");
    let text = body(&b).await;
    assert!(
        text.contains("附照片 1 张"),
        "the photo went with it: {text}"
    );
    assert!(
        text.contains("BX-000001") && text.contains("1栋-1801") && text.contains("待派工"),
        "{text}"
    );
    assert!(
        text.contains("到场") && text.contains("计时中"),
        "the clocks show: {text}"
    );

    // Dispatch to the technician.
    b.find(Locator::Css("#dispatch_to option"))
        .await
        .expect("assignee")
        .click()
        .await
        .expect("pick");
    click(&b, "do-dispatch").await;
    b.wait()
        .for_element(Locator::XPath("//span[@id='state' and text()='已派工']"))
        .await
        .expect("dispatched");
    let url = b.current_url().await.expect("url");
    let request_path = url.path().to_string();

    // The technician, on his phone page: accept, on site, done with materials and a charge.
    b.delete_all_cookies().await.expect("log out");
    log_in(&b, &app.base, "wang").await;
    b.goto(&format!("{}/m/orders", app.base))
        .await
        .expect("orders");
    let id = request_path.trim_start_matches("/requests/");
    click(&b, &format!("accept-{id}")).await;
    b.wait()
        .for_element(Locator::Id(&format!("on-site-{id}")))
        .await
        .expect("accepted");
    click(&b, &format!("on-site-{id}")).await;
    b.wait()
        .for_element(Locator::Id(&format!("finish-{id}")))
        .await
        .expect("on site");
    click(&b, &format!("finish-{id}")).await;
    b.wait()
        .for_element(Locator::Id("done-form"))
        .await
        .expect("done form");
    fill(&b, "materials", "PPR 三通 1 个").await;
    fill(&b, "labour_minutes", "40").await;
    b.find(Locator::Css("#service_1 option:nth-child(2)"))
        .await
        .expect("a priced service")
        .click()
        .await
        .expect("pick");
    click(&b, "do-done").await;
    b.wait()
        .for_element(Locator::Id("no-orders"))
        .await
        .expect("nothing left to do");

    // The owner activates his account on his phone, finds the request done and rates it.
    b.delete_all_cookies().await.expect("log out");
    b.goto(&format!("{}/portal/activate", app.base))
        .await
        .expect("activation page");
    fill(&b, "username", &owner_login).await;
    fill(
        &b,
        "activation_code",
        slip["activation_code"].as_str().expect("code"),
    )
    .await;
    fill(&b, "password", "owner2026pw").await;
    click(&b, "activate").await;
    b.wait()
        .for_element(Locator::Id("login"))
        .await
        .expect("back to the login page");
    fill(&b, "password", "owner2026pw").await;
    click(&b, "login").await;
    b.wait()
        .for_element(Locator::Id("portal-requests"))
        .await
        .expect("the owner's requests");
    let id = request_path.trim_start_matches("/requests/");
    click(&b, &format!("portal-req-{id}")).await;
    b.wait()
        .for_element(Locator::Id("rate-form"))
        .await
        .expect("a done request can be rated");
    let progress = b
        .find(Locator::Id("progress"))
        .await
        .expect("progress")
        .text()
        .await
        .expect("text");
    assert!(
        progress.contains("接单") && progress.contains("完成"),
        "{progress}"
    );
    click(&b, "star-4").await;
    fill(&b, "comment", "师傅很专业").await;
    click(&b, "rate").await;
    b.wait()
        .for_element(Locator::XPath("//span[@id='state' and text()='已完成']"))
        .await
        .expect("closed by the rating: 已完成 in the owner's words");
    let text = body(&b).await;
    assert!(
        text.contains("4 / 5") && text.contains("师傅很专业"),
        "his rating and comment: {text}"
    );
    assert!(
        !text.contains("待回访") && !text.contains("抢单"),
        "no internal words: {text}"
    );

    // The desk sees the whole story.
    b.delete_all_cookies().await.expect("log out");
    log_in(&b, &app.base, "desk").await;
    b.goto(&format!("{}{request_path}", app.base))
        .await
        .expect("request page");
    let text = body(&b).await;
    assert!(text.contains("已关闭") && text.contains("¥35.50"), "{text}");
    let timeline = b
        .find(Locator::Id("timeline"))
        .await
        .expect("timeline")
        .text()
        .await
        .expect("text");
    for step in ["登记", "派工", "接单", "到场", "完成", "业主评价"] {
        assert!(timeline.contains(step), "{step} in {timeline}");
    }
    let (state, charge): (String, Option<i64>) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT state, charge_fen FROM requests WHERE number = $1",
            wuye_core::args!["BX-000001"],
        )
        .await
        .expect("request");
    assert_eq!((state.as_str(), charge), ("closed", Some(3550)));
    b.close().await.expect("close");
}

/// The print buttons of receipts, notices and the fee schedule work under the console's own
/// content security policy (which refuses inline handlers): the click reaches `window.print`.
#[tokio::test]
async fn the_print_button_prints() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    app.user("boss", "project_manager", &[app.community_a])
        .await;
    log_in(&b, &app.base, "boss").await;
    b.goto(&format!(
        "{}/billing/schedule?community={}",
        app.base, app.community_a.0
    ))
    .await
    .expect("fee schedule");
    // Headless Chromium has no print dialog: record the call instead.
    b.execute(
        "window.print = function () { window.printed = (window.printed || 0) + 1; }; return 1;",
        vec![],
    )
    .await
    .expect("stub print");
    click(&b, "print").await;
    let printed = b
        .execute("return window.printed || 0;", vec![])
        .await
        .expect("read");
    assert_eq!(printed, serde_json::json!(1), "one click, one print");
    b.close().await.expect("close");
}
