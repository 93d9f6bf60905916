//! Daily use of the console (issue 12): every action says what happened on the page it leads
//! to, once, and only to the session that did it.

use crate::console::console_login;

/// The page `path` as `web` sees it.
pub(crate) async fn html(web: &reqwest::Client, base: &str, path: &str) -> String {
    web.get(format!("{base}{path}"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body")
}

/// A console form sent as the browser sends it: (status, where it redirects, the page).
pub(crate) async fn send(
    web: &reqwest::Client,
    base: &str,
    path: &str,
    form: &[(&str, &str)],
) -> (u16, String, String) {
    let r = web
        .post(format!("{base}{path}"))
        .form(form)
        .send()
        .await
        .expect("post");
    let status = r.status().as_u16();
    let to = r
        .headers()
        .get("location")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_string();
    (status, to, r.text().await.unwrap_or_default())
}

#[tokio::test]
async fn an_action_says_what_it_did_once_on_the_next_page_and_to_that_session_only() {
    let app = crate::app().await;
    app.user("agent", "service_agent", &[app.community_a]).await;
    let (web, token) = console_login(&app, "agent").await;
    // Sent by hand: the flash cookie it sets is read below.
    let r = web
        .post(format!("{}/requests/new", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &app.community_a.0.to_string()),
            ("kind", "inquiry"),
            ("category", "other"),
            ("channel", "hotline"),
            ("urgency", "normal"),
            ("location", "3栋大堂"),
            ("contact_name", "李先生"),
            ("contact_phone", "13800138000"),
            ("description", "问物业费缴费时间"),
        ])
        .send()
        .await
        .expect("post");
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    assert_eq!(r.status(), 303);
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wuye_flash="))
        .expect("a flash cookie")
        .to_string();

    // The request's page says it was registered, with its number; the next page does not.
    let page = html(&web, &app.base, &to).await;
    let notice = page
        .split("role=\"status\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a notice")
        .to_string();
    assert!(notice.starts_with("已登记 "), "{notice}");
    let number = notice.trim_start_matches("已登记 ");
    assert!(page.contains(number), "the page shows {number}");
    assert!(!html(&web, &app.base, &to).await.contains("已登记 "));

    // The same cookie in another session shows nothing, nor does one made up.
    app.user("agent2", "service_agent", &[app.community_a])
        .await;
    let (other, _) = console_login(&app, "agent2").await;
    let value = cookie.split(';').next().expect("value").to_string();
    for forged in [
        value.clone(),
        format!("wuye_flash={}.{}", "%E5%B7%B2", "0".repeat(64)),
    ] {
        let page = other
            .get(format!("{}{to}", app.base))
            .header("cookie", forged)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(!page.contains("role=\"status\""), "{page}");
    }
}

/// The community `<select name="community">` of a billing page has selected.
fn selected(page: &str) -> Option<i64> {
    let sel = page
        .split("<select name=\"community\"")
        .nth(1)?
        .split("</select>")
        .next()?;
    let before = sel.split(" selected>").next()?;
    before
        .rsplit("value=\"")
        .next()?
        .split('"')
        .next()?
        .parse()
        .ok()
}

#[tokio::test]
async fn the_community_a_user_chose_is_where_the_next_pages_start() {
    let app = crate::app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    app.user("cash", "cashier", &[app.community_a, app.community_b])
        .await;
    let (web, _) = console_login(&app, "cash").await;
    let first = selected(&html(&web, &app.base, "/cashier").await);
    assert_eq!(
        first,
        Some(a.min(b)),
        "the first community before any choice"
    );
    let other = a.max(b);
    assert_eq!(
        selected(&html(&web, &app.base, &format!("/cashier?community={other}")).await),
        Some(other)
    );
    // The cashier's desk, the daily close: both start where he chose.
    assert_eq!(
        selected(&html(&web, &app.base, "/cashier").await),
        Some(other)
    );
    assert_eq!(
        selected(&html(&web, &app.base, "/daily-close").await),
        Some(other)
    );

    // A community he does not reach is neither shown nor remembered.
    app.user("cash_a", "cashier", &[app.community_a]).await;
    let (only_a, _) = console_login(&app, "cash_a").await;
    let asked = html(&only_a, &app.base, &format!("/cashier?community={b}")).await;
    assert_eq!(selected(&asked), Some(a), "{asked}");
    assert_eq!(
        selected(&html(&only_a, &app.base, "/cashier").await),
        Some(a)
    );
}

#[tokio::test]
async fn billing_pages_show_times_on_the_communitys_clock() {
    let app = crate::app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            serde_json::json!({"community_id": c, "code": "wyf", "name": "物业费", "kind": "property"}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    let (st, s) = api
        .post(
            "/api/v1/charge-standards",
            serde_json::json!({"community_id": c, "fee_item_id": item["id"], "name": "住宅物业费",
                   "method": "building_area", "price": "2.35", "cycle": "monthly", "due_day": 15}),
        )
        .await;
    assert_eq!(st, 201, "{s}");
    crate::new_unit(&api, app.building_a.0, "1601").await;
    let (st, run) = api
        .post(
            "/api/v1/bill-runs",
            serde_json::json!({"community_id": c, "period": "2026-07"}),
        )
        .await;
    assert_eq!(st, 201, "{run}");
    let at: chrono::DateTime<chrono::Utc> =
        serde_json::from_value(run["created_at"].clone()).expect("created_at");
    let beijing = at
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%d %H:%M")
        .to_string();
    let utc = at.format("%Y-%m-%d %H:%M").to_string();
    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/billing?community={c}")).await;
    assert!(page.contains(&beijing), "{beijing} on {page}");
    assert!(!page.contains(&utc), "no UTC time {utc}");
}

/// Deleting a person asks first, saying whom; answering no keeps him, yes deletes him and the
/// next page says so (a real browser: the confirmation is the console's script).
#[tokio::test]
async fn a_delete_asks_first_and_then_says_what_it_did() {
    use crate::browser::{body, click, log_in};
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let api = app.admin().await;
    let (st, p) = api
        .post(
            "/api/v1/people",
            serde_json::json!({"community_id": app.community_a.0, "name": "赵临时"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let id = p["id"].as_i64().expect("id");
    app.user("clerk", "project_manager", &[app.community_a])
        .await;
    log_in(&b, &app.base, "clerk").await;
    b.goto(&format!("{}/people/{id}", app.base))
        .await
        .expect("person page");
    click(&b, "delete-person").await;
    let asked = b.get_alert_text().await.expect("a confirmation");
    assert!(asked.contains("赵临时"), "{asked}");
    b.dismiss_alert().await.expect("no");
    assert_eq!(app.count("people").await, 1, "kept when the answer is no");

    click(&b, "delete-person").await;
    b.accept_alert().await.expect("yes");
    b.wait()
        .for_element(fantoccini::Locator::Css("[role=status]"))
        .await
        .expect("a notice");
    let text = body(&b).await;
    assert!(text.contains("已删除：赵临时"), "{text}");
    assert_eq!(app.count("people").await, 0);
    b.close().await.expect("close");
}

/// The navigation bar reaches every page a role may use, marks the page it is on, and fits one
/// line on a 1366 px screen for the role with the most pages; a technician starts at his work
/// orders; an owner's menu has no API tokens.
#[tokio::test]
async fn the_navigation_bar_fits_marks_and_reaches() {
    let app = crate::app().await;
    app.user("pm1", "project_manager", &[app.community_a]).await;
    let (web, _) = console_login(&app, "pm1").await;
    let page = html(&web, &app.base, "/cashier").await;
    for id in [
        "nav-calendar",
        "nav-requests",
        "nav-cashier",
        "nav-billing",
        "nav-arrears",
        "nav-tokens",
    ] {
        assert!(
            page.contains(&format!("id=\"{id}\"")),
            "{id} in the manager's bar"
        );
    }
    assert!(page.contains("id=\"nav-cashier\" class=\"current\" aria-current=\"page\""));
    assert_eq!(page.matches("aria-current=\"page\"").count(), 1);

    // A technician logs in and lands on his work orders.
    app.user("tech", "technician", &[app.community_a]).await;
    let c = app.browser_client();
    let login = html(&c, &app.base, "/login").await;
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", crate::console::csrf_from(&login).as_str()),
            ("username", "tech"),
            ("password", wuye_testkit::PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.headers()["location"], "/m/orders");

    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped the browser half: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    app.user("boss", "company_admin", &[]).await;
    b.set_window_size(1366, 768).await.expect("size");
    crate::browser::log_in(&b, &app.base, "boss").await;
    b.goto(&format!("{}/billing/arrears", app.base))
        .await
        .expect("arrears");
    let tops = b
        .execute(
            "return Array.from(document.querySelectorAll('header.top nav > a, header.top nav > details')).map(e => e.getBoundingClientRect().top);",
            vec![],
        )
        .await
        .expect("positions");
    let tops: Vec<f64> = serde_json::from_value(tops).expect("numbers");
    assert!(tops.len() >= 8, "{tops:?}");
    let (lo, hi) = tops
        .iter()
        .fold((f64::MAX, f64::MIN), |(l, h), t| (l.min(*t), h.max(*t)));
    assert!(hi - lo < 8.0, "one line at 1366 px: {tops:?}");
    if let Ok(dir) = std::env::var("WUYE_SCREENSHOTS") {
        let png = b.screenshot().await.expect("screenshot");
        std::fs::write(format!("{dir}/nav-1366.png"), png).expect("write");
    }
    b.close().await.expect("close");
}

/// The text of the element `tag` with `id="{id}"` (its value or its content), as the page sent it.
fn field(page: &str, id: &str) -> String {
    let i = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id}"));
    let rest = &page[i..];
    if let Some(v) = rest
        .split("value=\"")
        .nth(1)
        .filter(|_| rest.find("value=\"").unwrap_or(usize::MAX) < rest.find('>').unwrap_or(0))
    {
        return v.split('"').next().unwrap_or_default().to_string();
    }
    rest.split('>')
        .nth(1)
        .and_then(|x| x.split('<').next())
        .unwrap_or_default()
        .to_string()
}

/// The message shown beside the field whose input has `id="{id}"`.
fn message_beside(page: &str, id: &str) -> String {
    let i = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("#{id}"));
    page[i..]
        .split("<span class=\"ferr\">")
        .nth(1)
        .and_then(|x| x.split("</span>").next())
        .unwrap_or_default()
        .to_string()
}

#[tokio::test]
async fn a_refused_form_keeps_what_was_typed_and_says_why_beside_the_field() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1802").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    app.user("tech", "technician", &[app.community_a]).await;
    let (_, list) = agent
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    let tech_id = list[0]["id"].as_i64().expect("technician");
    let (st, r) = agent
        .post(
            "/api/v1/requests",
            serde_json::json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
                   "channel": "hotline", "unit_id": unit, "description": "厨房水管漏水"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["id"].as_i64().expect("id");
    let (st, v) = agent
        .post(
            &format!("/api/v1/requests/{id}/actions"),
            serde_json::json!({"action": "dispatch", "assignee_id": tech_id}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    // The technician accepts on his phone, then sends 完成 with 工时 "一小时".
    let (web, token) = console_login(&app, "tech").await;
    for action in ["accept", "on_site"] {
        let (st, to, page) = send(
            &web,
            &app.base,
            &format!("/requests/{id}/act"),
            &[("_csrf", token.as_str()), ("action", action), ("m", "1")],
        )
        .await;
        assert_eq!(st, 303, "{action}: {to} {page}");
    }
    let (st, to, page) = send(
        &web,
        &app.base,
        &format!("/requests/{id}/act"),
        &[
            ("_csrf", token.as_str()),
            ("action", "done"),
            ("m", "1"),
            ("materials", "DN15 角阀 1 个，生料带"),
            ("labour_minutes", "一小时"),
            ("note", "已试水"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{to}");
    assert_eq!(field(&page, "materials"), "DN15 角阀 1 个，生料带");
    assert_eq!(field(&page, "labour_minutes"), "一小时");
    assert_eq!(field(&page, "done_note"), "已试水");
    assert!(
        !message_beside(&page, "labour_minutes").is_empty(),
        "{page}"
    );
    assert!(message_beside(&page, "materials").is_empty());

    // The cashier's amount stays, and its error is beside it.
    app.user("cash", "cashier", &[app.community_a]).await;
    let (web, token) = console_login(&app, "cash").await;
    let (st, to, page) = send(
        &web,
        &app.base,
        "/cashier/pay",
        &[
            ("_csrf", token.as_str()),
            ("community_id", &app.community_a.0.to_string()),
            ("unit", "1栋-1802"),
            ("unit_id", &unit.to_string()),
            ("method", "cash"),
            ("amount", "12.345"),
            ("payer", "王先生"),
            ("idempotency_key", "k-daily-use-1"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{to}");
    assert_eq!(field(&page, "pay_amount"), "12.345");
    assert_eq!(field(&page, "pay_payer"), "王先生");
    assert!(
        message_beside(&page, "pay_amount").contains("小数"),
        "{page}"
    );
}

#[tokio::test]
async fn an_empty_choice_asks_to_choose_it() {
    let app = crate::app().await;
    app.user("agent", "service_agent", &[app.community_a]).await;
    let (web, token) = console_login(&app, "agent").await;
    let (st, to, page) = send(
        &web,
        &app.base,
        "/requests/new",
        &[
            ("_csrf", token.as_str()),
            ("community_id", &app.community_a.0.to_string()),
            ("kind", ""),
            ("category", ""),
            ("channel", "hotline"),
            ("urgency", "normal"),
            ("location", "3栋大堂"),
            ("description", "灯不亮"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{to}");
    assert!(page.contains("请选择类型"), "{page}");
    assert!(
        !page.contains("未知"),
        "no 'unknown' for a choice left empty: {page}"
    );
    assert_eq!(app.count("requests").await, 0);
}

/// The action forms a request's page offers (by their hidden `action` values).
fn offered_actions(page: &str) -> Vec<String> {
    let mut v: Vec<String> = page
        .split("<input type=\"hidden\" name=\"action\" value=\"")
        .skip(1)
        .filter_map(|x| x.split('"').next())
        .map(str::to_string)
        .collect();
    v.sort();
    v
}

#[tokio::test]
async fn a_requests_page_offers_what_this_user_does_in_this_state() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1803").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    app.user("tech", "technician", &[app.community_a]).await;
    let (st, r) = agent
        .post(
            "/api/v1/requests",
            serde_json::json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
                   "channel": "hotline", "unit_id": unit, "description": "卫生间漏水"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let id = r["id"].as_i64().expect("id");
    let (web, _) = console_login(&app, "agent").await;
    let page = html(&web, &app.base, &format!("/requests/{id}")).await;
    assert_eq!(
        offered_actions(&page),
        ["dispatch", "feedback"],
        "the desk on a registered repair"
    );

    // Dispatched to the technician: his page offers accepting it, not completing it yet.
    let (_, list) = agent
        .get(&format!(
            "/api/v1/communities/{}/assignees",
            app.community_a.0
        ))
        .await;
    let (st, v) = agent
        .post(
            &format!("/api/v1/requests/{id}/actions"),
            serde_json::json!({"action": "dispatch", "assignee_id": list[0]["id"]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (tech, _) = console_login(&app, "tech").await;
    let page = html(&tech, &app.base, &format!("/requests/{id}")).await;
    let mine = offered_actions(&page);
    assert!(mine.contains(&"accept".to_string()), "{mine:?}");
    assert!(
        mine.contains(&"done".to_string()),
        "the assignee completes: {mine:?}"
    );
    assert!(!mine.contains(&"dispatch".to_string()), "{mine:?}");
    // The desk no longer sees 完成 or 挂起 on someone else's work order.
    let page = html(&web, &app.base, &format!("/requests/{id}")).await;
    let desk = offered_actions(&page);
    assert!(
        !desk.contains(&"done".to_string()) && !desk.contains(&"hold".to_string()),
        "{desk:?}"
    );
}

/// The owner on his phone (390 px): his bills and requests fit the screen without sideways
/// scrolling, and his pages use his words.
#[tokio::test]
async fn the_owners_pages_fit_a_phone() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1805").await;
    let (st, item) = admin
        .put(
            "/api/v1/fee-items",
            serde_json::json!({"community_id": app.community_a.0, "code": "wyf", "name": "物业费", "kind": "property"}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    let (st, ch) = admin
        .post(
            "/api/v1/charges",
            serde_json::json!({"unit_id": unit, "fee_item_id": item["id"], "amount": "1234.56",
                   "description": "物业服务费 2026-07 ~ 2026-09（含公共区域能耗分摊与二次供水加压费）",
                   "reason": "补收"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    let (_, p) = admin
        .post(
            "/api/v1/people",
            serde_json::json!({"community_id": app.community_a.0, "name": "孙业主", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let (_, slip) = admin
        .post(
            &format!("/api/v1/people/{}/portal-account", p["id"]),
            serde_json::json!({}),
        )
        .await;
    let user = slip["username"].as_str().expect("username").to_string();
    let (st, v) = app
        .api(None)
        .post(
            "/api/v1/portal/activate",
            serde_json::json!({"username": user, "activation_code": slip["activation_code"],
                               "password": wuye_testkit::PASSWORD}),
        )
        .await;
    assert_eq!(st, 204, "{v}");

    b.set_window_size(390, 844).await.expect("a phone's width");
    crate::browser::log_in(&b, &app.base, &user).await;
    for path in ["/portal", "/portal/billing"] {
        b.goto(&format!("{}{path}", app.base)).await.expect("page");
        let w = b
            .execute(
                "return [document.documentElement.scrollWidth, window.innerWidth];",
                vec![],
            )
            .await
            .expect("widths");
        let (scroll, inner): (f64, f64) = serde_json::from_value(w).expect("numbers");
        assert!(inner <= 420.0, "the window is a phone's: {inner}");
        assert!(
            scroll <= inner,
            "{path}: no sideways scrolling ({scroll} > {inner})"
        );
        if let Ok(dir) = std::env::var("WUYE_SCREENSHOTS") {
            let png = b.screenshot().await.expect("screenshot");
            let name = path.trim_start_matches('/').replace('/', "-");
            std::fs::write(format!("{dir}/phone-{name}.png"), png).expect("write");
        }
    }
    let text = crate::browser::body(&b).await;
    assert!(text.contains("1234.56") && !text.contains("API"), "{text}");
    b.close().await.expect("close");
}

/// A part payment's receipt says what is still owed, on the page and in its PDF; amounts show
/// thousands separators, and an amount typed as the pages show it ("1,000") is taken.
#[tokio::test]
async fn a_part_payments_receipt_says_what_is_left() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1806").await;
    let (_, item) = admin
        .put(
            "/api/v1/fee-items",
            serde_json::json!({"community_id": app.community_a.0, "code": "wyf", "name": "物业费", "kind": "property"}),
        )
        .await;
    let (st, ch) = admin
        .post(
            "/api/v1/charges",
            serde_json::json!({"unit_id": unit, "fee_item_id": item["id"], "amount": "1234.56",
                   "description": "物业服务费 2026-07 ~ 2026-09", "reason": "补收"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    let (st, p) = admin
        .post(
            "/api/v1/payments",
            serde_json::json!({"unit_id": unit, "method": "cash", "amount": "1,000", "payer": "孙先生"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["payment"]["amount_fen"], 100_000);
    let pid = p["payment"]["id"].as_i64().expect("id");
    let (st, r) = admin.get(&format!("/api/v1/payments/{pid}/receipt")).await;
    assert_eq!(st, 200, "{r}");
    assert_eq!(r["still_owed_fen"], 23_456);

    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/receipts/{pid}")).await;
    assert!(page.contains("¥1,000.00"), "grouped: {page}");
    assert!(page.contains("尚欠") && page.contains("¥234.56"), "{page}");
    let pdf = web
        .get(format!("{}/receipts/{pid}/pdf", app.base))
        .send()
        .await
        .expect("pdf")
        .bytes()
        .await
        .expect("bytes");
    let (text, _) = crate::pdf_text_and_fonts(&pdf);
    assert!(
        text.contains("尚欠：￥234.56") && text.contains("￥1,000.00"),
        "{text}"
    );
    if let Ok(dir) = std::env::var("WUYE_SCREENSHOTS") {
        std::fs::write(format!("{dir}/receipt.pdf"), &pdf).expect("write");
    }
}

/// The arrears list names each unit's owner with his phone masked; a reminder notice is
/// addressed to him by name and adds the accrued late fee to what it asks for.
#[tokio::test]
async fn arrears_and_notices_name_the_owner_and_the_late_fee() {
    use crate::latefees::{accrue, charge, days_ago, fee_item, today};
    let app = crate::app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    let item = fee_item(&admin, c, "LF", 100).await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1807").await;
    let (st, p) = admin
        .post(
            "/api/v1/people",
            serde_json::json!({"community_id": c, "name": "周业主", "phone": "13812345678",
                               "unit_id": unit, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    // ¥630.98 due 40 days ago, 10 days' grace: 30 × 630.98 × 0.05 % = 9.4647 → ¥9.46.
    charge(&admin, unit, item, "630.98", days_ago(40)).await;
    accrue(&app, c, today()).await;

    let (web, token) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/billing/arrears?community={c}")).await;
    assert!(
        page.contains("周业主") && page.contains("138****5678"),
        "{page}"
    );
    assert!(!page.contains("13812345678"), "the phone is masked");

    let (st, to, page) = send(
        &web,
        &app.base,
        "/billing/notices",
        &[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("min_days", "30"),
        ],
    )
    .await;
    assert_eq!(st, 200, "{to}");
    assert!(page.contains("周业主"), "{page}");
    assert!(
        page.contains("¥9.46") && page.contains("¥640.44"),
        "late fee and total: {page}"
    );
    assert!(
        !page.contains("notices-limit"),
        "no warning under the limit"
    );
}

#[tokio::test]
async fn search_results_say_the_community_and_the_owner() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1808").await;
    let (st, p) = admin
        .post(
            "/api/v1/people",
            serde_json::json!({"community_id": app.community_a.0, "name": "吴业主", "phone": "13912345678",
                               "unit_id": unit, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, "/search?q=1808").await;
    let row = page
        .split("<tr>")
        .find(|r| r.contains("<td>") && r.contains("1808"))
        .unwrap_or_else(|| panic!("a hit: {page}"));
    assert!(
        row.contains("甲小区") && row.contains("业主：吴业主"),
        "{row}"
    );
    assert!(!page.contains("13912345678"));
}

/// The audit log reads as words: what changed ("建筑面积：89.50 → 90.25"), not JSON, and the
/// system's work by its name.
#[tokio::test]
async fn the_audit_log_says_what_changed_in_words() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1809").await;
    let (st, v) = admin
        .patch(
            &format!("/api/v1/units/{unit}"),
            serde_json::json!({"building_area": "90.25"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, "/audit?entity=unit").await;
    assert!(page.contains("建筑面积：89.50 → 90.25"), "{page}");
    assert!(!page.contains("\"building_area\""), "no raw JSON: {page}");
}

#[tokio::test]
async fn reassigning_with_nothing_ticked_says_so_on_the_board() {
    let app = crate::app().await;
    app.user("boss1", "project_manager", &[app.community_a])
        .await;
    let (web, token) = console_login(&app, "boss1").await;
    let (st, to, page) = send(
        &web,
        &app.base,
        "/requests/bulk",
        &[("_csrf", token.as_str()), ("assignee_id", "1")],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert!(to.starts_with("/requests"), "{to}");
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("role=\"alert\">没有勾选报事"),
        "the board says nothing was ticked: {page}"
    );
}

/// A person is linked to a unit by name or phone, as the desk knows him, not by his number.
#[tokio::test]
async fn a_person_is_linked_by_name_or_phone() {
    let app = crate::app().await;
    let admin = app.admin().await;
    let c = app.community_a.0;
    let unit = crate::new_unit(&admin, app.building_a.0, "1810").await;
    for (name, phone) in [
        ("郑一", "13700000001"),
        ("王同", "13700000002"),
        ("王同", "13700000003"),
    ] {
        let (st, p) = admin
            .post(
                "/api/v1/people",
                serde_json::json!({"community_id": c, "name": name, "phone": phone}),
            )
            .await;
        assert_eq!(st, 201, "{p}");
    }
    let (web, token) = console_login(&app, "admin").await;
    let path = format!("/units/{unit}/links");
    let link = |who: &'static str| {
        let (web, token, path) = (web.clone(), token.clone(), path.clone());
        let base = app.base.clone();
        async move {
            let form = [
                ("_csrf", token.as_str()),
                ("person_id", who),
                ("relation", "owner"),
            ];
            let (st, _, page) = send(&web, &base, &path, &form).await;
            (st, page)
        }
    };
    assert_eq!(link("郑一").await.0, 303, "by name");
    let (st, page) = link("王同").await;
    assert_eq!(st, 422);
    assert!(page.contains("有 2 位同名住户"), "{page}");
    assert_eq!(link("13700000003").await.0, 303, "by phone");
    let (st, page) = link("钱多多").await;
    assert_eq!(st, 422);
    assert!(page.contains("本项目没有这个人"), "{page}");
    assert_eq!(app.count("unit_people").await, 2);
    let page = html(&web, &app.base, &format!("/units/{unit}")).await;
    assert!(page.contains("郑一") && page.contains("王同"), "{page}");
}
