//! Each role's home page is what it works on (issue 12, point 15): the desk's breached, at-risk
//! and today's requests; the cashier's takings and open days; the manager's charts. And the
//! board's filters by clock state and team (point 10).

use chrono::{Duration, SubsecRound, Utc};
use serde_json::{Value, json};

use crate::console::console_login;
use crate::daily_use::html;

/// The numbers (`BX-…`) of the requests in the home page's list `id`.
fn listed(page: &str, id: &str) -> Vec<String> {
    let Some(start) = page.find(&format!("id=\"{id}\"")) else {
        return Vec::new();
    };
    let table = &page[start
        ..page[start..]
            .find("</table>")
            .map_or(page.len(), |e| start + e)];
    table
        .split("\">")
        .filter_map(|s| s.split('<').next())
        .filter(|s| {
            s.len() > 3
                && s.contains('-')
                && s.chars().next().is_some_and(|c| c.is_ascii_uppercase())
        })
        .map(str::to_string)
        .collect()
}

#[tokio::test]
async fn each_home_shows_what_its_role_works_on() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let agent = app
        .api_as("desk1", "service_agent", &[app.community_a])
        .await;
    let manager = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let (st, team) = manager
        .post(
            &format!("/api/v1/communities/{c}/teams"),
            json!({"community_id": c, "name": "电工组", "categories": ["lighting"]}),
        )
        .await;
    assert_eq!(st, 201, "{team}");
    let team = team["id"].as_i64().expect("team id");
    let register = |received: Option<chrono::DateTime<Utc>>, kind: &str, category: &str| {
        let mut b = json!({"community_id": c, "kind": kind, "category": category,
                            "channel": "front_desk", "location": "2栋3楼", "description": "楼道灯坏了"});
        if let Some(at) = received {
            b["received_at"] = json!(at.trunc_subsecs(0).to_rfc3339());
        }
        b
    };
    // Two days old: every clock past due. An inquiry 3.5 hours old: its 4-hour feedback clock is
    // past its warning (4 h − 48 min). One now: registered today, every clock running.
    let (st, old) = agent
        .post(
            "/api/v1/requests",
            register(
                Some(Utc::now() - Duration::days(2)),
                "repair_common",
                "lighting",
            ),
        )
        .await;
    assert_eq!(st, 201, "{old}");
    let (st, risky) = agent
        .post(
            "/api/v1/requests",
            register(
                Some(Utc::now() - Duration::minutes(210)),
                "inquiry",
                "water",
            ),
        )
        .await;
    assert_eq!(st, 201, "{risky}");
    let (st, fresh) = agent
        .post("/api/v1/requests", register(None, "inquiry", "water"))
        .await;
    assert_eq!(st, 201, "{fresh}");
    let num = |v: &Value| v["number"].as_str().expect("number").to_string();
    assert_eq!(old["team_id"], team, "lighting goes to its team");

    // The desk's home.
    let (web, _) = console_login(&app, "desk1").await;
    let home = html(&web, &app.base, "/").await;
    assert!(home.contains("id=\"desk-panel\""), "{home}");
    assert_eq!(listed(&home, "breached"), [num(&old)], "{home}");
    assert_eq!(listed(&home, "at-risk"), [num(&risky)], "{home}");
    assert!(listed(&home, "today").contains(&num(&fresh)), "{home}");
    assert!(!listed(&home, "today").contains(&num(&old)));
    assert_eq!(crate::text_of(&home, "n-breached"), "1");
    assert!(
        !home.contains("id=\"dashboard\""),
        "a desk agent has no dashboard"
    );
    let (st, day) = agent.get("/api/v1/requests/desk-day").await;
    assert_eq!(st, 200, "{day}");
    assert_eq!(day["breached"][0]["number"], num(&old).as_str());
    assert_eq!(day["at_risk"][0]["number"], num(&risky).as_str());
    // Bad addresses show the page, not a bare 400 or 500.
    for path in ["/?community=abc", "/?community=99999999999999999999"] {
        let r = web
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("home");
        assert_eq!(r.status().as_u16(), 200, "{path}");
    }

    // The manager's dashboard: the open clocks by state, the months' counts.
    // The dashboard counts days on the community's clock (Asia/Shanghai), not the test's UTC.
    let today = (Utc::now() + Duration::hours(8)).date_naive();
    let (st, d) = manager
        .get(&format!(
            "/api/v1/requests/dashboard?to={today}&community_id={c}"
        ))
        .await;
    assert_eq!(st, 200, "{d}");
    let open = d["open"].as_array().expect("open");
    let sum = |k: &str| open.iter().map(|o| o[k].as_i64().unwrap_or(0)).sum::<i64>();
    let feedback = open
        .iter()
        .find(|o| o["clock"] == "feedback")
        .expect("feedback clocks");
    assert_eq!(
        (
            feedback["breached"].as_i64(),
            feedback["at_risk"].as_i64(),
            feedback["running"].as_i64()
        ),
        (Some(1), Some(1), Some(1)),
        "{d}"
    );
    assert!(sum("breached") >= 1 && sum("paused") == 0, "{d}");
    let months = d["months"].as_array().expect("months");
    assert_eq!(months.len(), 6);
    assert_eq!(
        months
            .iter()
            .map(|m| m["count"].as_i64().unwrap_or(0))
            .sum::<i64>(),
        3
    );
    assert_eq!(months[5]["period"], today.format("%Y-%m").to_string());
    let (st, e) = agent
        .get(&format!("/api/v1/requests/dashboard?to={today}"))
        .await;
    assert_eq!(st, 403, "{e}");
    let (web_pm, _) = console_login(&app, "pm1").await;
    let home = html(&web_pm, &app.base, "/").await;
    for chart in [
        "chart-open",
        "chart-on-time",
        "chart-volume",
        "chart-satisfaction",
        "chart-rate",
        "chart-ageing",
    ] {
        assert!(
            home.contains(&format!("<svg class=\"chart\" id=\"{chart}\"")),
            "{chart}: {home}"
        );
    }
    assert!(home.contains("<title id=\"chart-open-t\">"), "{home}");

    // The board narrowed to breached clocks, and to the team.
    let board = html(&web_pm, &app.base, "/requests?view=board&clock=breached").await;
    assert!(
        board.contains(&num(&old)) && !board.contains(&num(&risky)),
        "{board}"
    );
    let board = html(
        &web_pm,
        &app.base,
        &format!("/requests?view=board&team_id={team}"),
    )
    .await;
    assert!(
        board.contains(&num(&old)) && !board.contains(&num(&fresh)),
        "{board}"
    );
    assert!(board.contains("电工组"), "the team is a choice: {board}");
    let (st, e) = manager.get("/api/v1/requests/board?clock=late").await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        crate::error_fields(&e),
        [("clock".into(), "unknown_clock_state".into())]
    );
    let (st, b) = manager.get("/api/v1/requests/board?clock=at_risk").await;
    assert_eq!(st, 200);
    assert_eq!(b.as_array().map(Vec::len), Some(1), "{b}");

    // The cashier's home: today's takings, the day still open.
    let cashier = app.api_as("cash1", "cashier", &[app.community_a]).await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1901").await;
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    crate::charge_of(&admin, unit, item, "2345.60", "物业服务费").await;
    let (st, p) = cashier
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "cash", "amount": "1234.50", "payer": "孙先生"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (web_cash, _) = console_login(&app, "cash1").await;
    let home = html(&web_cash, &app.base, "/").await;
    assert_eq!(crate::text_of(&home, "today-total"), "¥1,234.50", "{home}");
    assert_eq!(crate::text_of(&home, "today-count"), "1");
    assert_eq!(crate::text_of(&home, "open-days"), "1");
    assert!(!home.contains("id=\"desk-panel\"") && !home.contains("id=\"dashboard\""));

    // The manager's billing charts: the ageing bars name the overdue money.
    let trend_path = format!(
        "/api/v1/communities/{c}/collection-rate/trend?period={}&months=3",
        today.format("%Y-%m")
    );
    let (st, t) = manager.get(&trend_path).await;
    assert_eq!(st, 200, "{t}");
    assert_eq!(t.as_array().map(Vec::len), Some(3), "{t}");
    let (st, e) = manager
        .get(&format!(
            "/api/v1/communities/{c}/collection-rate/trend?period=2026-13"
        ))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(crate::error_fields(&e)[0].0, "period");

    // A technician's home is his work orders.
    app.user("tech1", "technician", &[app.community_a]).await;
    let web_tech = app.browser_client();
    let login = html(&web_tech, &app.base, "/login").await;
    let r = web_tech
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", crate::console::csrf_from(&login).as_str()),
            ("username", "tech1"),
            ("password", wuye_testkit::PASSWORD),
        ])
        .send()
        .await
        .expect("login");
    assert_eq!(r.status().as_u16(), 303);
    let r = web_tech
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("home");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(r.headers()["location"], "/m/orders");

    if let Ok(dir) = std::env::var("WUYE_SCREENSHOTS") {
        for (who, client) in [("desk", &web), ("manager", &web_pm), ("cashier", &web_cash)] {
            std::fs::write(
                format!("{dir}/home-{who}.html"),
                html(client, &app.base, "/").await,
            )
            .expect("write");
        }
    }
}

/// The unit page is the desk's hub: its requests open first, what it owes, buttons to register
/// a request for it and to take its payment, and a keeper chosen by name (point 8).
#[tokio::test]
async fn the_unit_page_gathers_its_requests_and_what_it_owes() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1902").await;
    let mut numbers = Vec::new();
    for text in ["厨房漏水", "重复登记"] {
        let (st, r) = admin
            .post(
                "/api/v1/requests",
                json!({"community_id": c, "kind": "complaint_general", "category": "noise",
                       "channel": "front_desk", "unit_id": unit, "description": text}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
        numbers.push((r["id"].as_i64().expect("id"), num_of(&r)));
    }
    // The first is cancelled: it goes below the open one, though older.
    let (st, r) = admin
        .post(
            &format!("/api/v1/requests/{}/actions", numbers[0].0),
            json!({"action": "cancel", "note": "业主已自行处理"}),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let item = crate::fee_item_of(&admin, c, "wyf", "物业费", "property").await;
    crate::charge_of(&admin, unit, item, "1500.25", "物业服务费 2026 年第四季度").await;
    let keeper = app.user("guard7", "security", &[app.community_a]).await;

    let (web, csrf) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/units/{unit}")).await;
    let table = &page[page.find("id=\"unit-requests\"").expect("requests table")..];
    let (open_at, cancelled_at) = (
        table.find(&numbers[1].1).expect("open one"),
        table.find(&numbers[0].1).expect("cancelled one"),
    );
    assert!(open_at < cancelled_at, "open first");
    assert!(
        page.contains(&format!("href=\"/requests/new?unit_id={unit}\"")),
        "{page}"
    );
    assert!(
        page.contains(&format!("/cashier?community={c}&amp;unit=")),
        "a payment starts at the cashier on this unit: {page}"
    );
    assert_eq!(crate::text_of(&page, "owed-total"), "¥1,500.25");
    assert!(page.contains("物业服务费 2026 年第四季度"));
    // The keeper is chosen among the community's staff, by name.
    assert!(
        page.contains(&format!("<option value=\"{}\"", keeper.0)),
        "{page}"
    );
    let (st, to, _) = crate::daily_use::send(
        &web,
        &app.base,
        &format!("/units/{unit}/keeper"),
        &[
            ("_csrf", csrf.as_str()),
            ("keeper_user_id", &keeper.0.to_string()),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, format!("/units/{unit}").as_str()));
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(u["unit"]["keeper_user_id"], keeper.0);
    assert_eq!(u["unit"]["keeper_name"], "guard7姓名");

    // A cashier sees what it owes but no requests; a desk agent the requests but no money.
    app.user("cash2", "cashier", &[app.community_a]).await;
    let (web, _) = console_login(&app, "cash2").await;
    let page = html(&web, &app.base, &format!("/units/{unit}")).await;
    assert!(page.contains("id=\"unit-owed\"") && !page.contains("id=\"unit-requests\""));
    app.user("desk2", "service_agent", &[app.community_a]).await;
    let (web, _) = console_login(&app, "desk2").await;
    let page = html(&web, &app.base, &format!("/units/{unit}")).await;
    assert!(!page.contains("id=\"unit-owed\"") && page.contains("id=\"unit-requests\""));
}

fn num_of(v: &Value) -> String {
    v["number"].as_str().expect("number").to_string()
}

/// Photos go with the registration form itself, as 报修照片; a file that is no image refuses
/// the whole form, writing nothing and keeping what was typed (point 7).
#[tokio::test]
async fn photos_are_attached_on_the_registration_form() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let agent = app
        .api_as("desk3", "service_agent", &[app.community_a])
        .await;
    let (web, csrf) = console_login(&app, "desk3").await;
    let form = |photo: Vec<u8>, text: &str| {
        reqwest::multipart::Form::new()
            .text("_csrf", csrf.clone())
            .text("community_id", c.to_string())
            .text("kind", "repair_common")
            .text("category", "lighting")
            .text("channel", "front_desk")
            .text("urgency", "normal")
            .text("location", "3栋电梯厅")
            .text("description", text.to_string())
            .part(
                "photo",
                reqwest::multipart::Part::bytes(photo).file_name("a.png"),
            )
    };
    let before = app.count("requests").await;
    let r = web
        .post(format!("{}/requests/new", app.base))
        .multipart(form(b"not an image".to_vec(), "电梯厅灯不亮"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("page");
    assert!(page.contains("电梯厅灯不亮"), "kept: {page}");
    assert_eq!(app.count("requests").await, before, "nothing written");
    let r = web
        .post(format!("{}/requests/new", app.base))
        .multipart(form(b"\x89PNG\r\n\x1a\n0000".to_vec(), "电梯厅灯不亮"))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().expect("to").to_string();
    let id: i64 = to.trim_start_matches("/requests/").parse().expect("id");
    let (st, photos) = agent.get(&format!("/api/v1/requests/{id}/photos")).await;
    assert_eq!(st, 200, "{photos}");
    assert_eq!(photos.as_array().map(Vec::len), Some(1), "{photos}");
    assert_eq!(photos[0]["stage"], "report");
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("附照片 1 张"), "the flash says so: {page}");
    // A description of 1,800 characters (5,400 bytes) goes through the multipart form whole.
    let long = "灯".repeat(1800);
    let r = web
        .post(format!("{}/requests/new", app.base))
        .multipart(form(b"\x89PNG\r\n\x1a\n0000".to_vec(), &long))
        .send()
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let id = r.headers()["location"]
        .to_str()
        .expect("to")
        .trim_start_matches("/requests/")
        .to_string();
    let (_, req) = agent.get(&format!("/api/v1/requests/{id}")).await;
    assert_eq!(
        req["description"].as_str().map(|d| d.chars().count()),
        Some(1800)
    );
}

/// The owners' committee lands on the published accounts of its community: the quarter's
/// income by item and expenses by category, and the common fund's account; staff do not, and
/// its menu has no API tokens (point 14).
#[tokio::test]
async fn the_committee_reads_the_published_accounts() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1903").await;
    let today = crate::latefees::today();
    for (code, name, kind, amount) in [
        ("wyf", "物业费", "property", "900.00"),
        ("zxwx", "专项维修资金", "fund", "500.00"),
    ] {
        let item = crate::fee_item_of(&admin, c, code, name, kind).await;
        crate::latefees::charge(&admin, unit, item, amount, today).await;
    }
    let (st, p) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "bank", "amount": "1400.00", "payer": "周女士"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    for (category, amount, fund) in [("人工费", "300.00", false), ("电梯大修", "120.00", true)]
    {
        let (st, e) = admin
            .post(
                "/api/v1/expenses",
                json!({"community_id": c, "spent_on": today, "category": category, "description": category,
                       "amount": amount, "from_fund": fund}),
            )
            .await;
        assert_eq!(st, 201, "{e}");
    }
    app.user("cm1", "committee", &[app.community_a]).await;
    let (web, _) = console_login(&app, "cm1").await;
    let r = web
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("home");
    assert_eq!(r.headers()["location"], "/committee");
    let page = html(&web, &app.base, "/committee").await;
    assert_eq!(crate::text_of(&page, "income-total"), "¥900.00", "{page}");
    assert_eq!(crate::text_of(&page, "expense-total"), "¥300.00");
    assert_eq!(crate::text_of(&page, "balance"), "¥600.00");
    assert_eq!(
        crate::text_of(&page, "fund-closing"),
        "¥380.00",
        "500 in, 120 out: {page}"
    );
    assert!(page.contains("id=\"nav-committee\"") && !page.contains("id=\"nav-tokens\""));
    assert!(!page.contains("后续版本"), "{page}");
    // Staff read the same in 收费报表, not here.
    let (staff, _) = console_login(&app, "admin").await;
    let r = staff
        .get(format!("{}/committee", app.base))
        .send()
        .await
        .expect("page");
    assert_eq!(r.status().as_u16(), 403);
}

/// The unit page's "all requests" opens the list narrowed to that unit, closed ones included.
#[tokio::test]
async fn a_units_requests_open_as_a_list() {
    let app = crate::app().await;
    let c = app.community_a.0;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1904").await;
    let other = crate::new_unit(&admin, app.building_a.0, "1905").await;
    let mut numbers = Vec::new();
    for u in [unit, other] {
        let (st, r) = admin
            .post(
                "/api/v1/requests",
                json!({"community_id": c, "kind": "complaint_general", "category": "noise",
                       "channel": "front_desk", "unit_id": u, "description": "楼上噪音"}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
        numbers.push(num_of(&r));
    }
    let (web, _) = console_login(&app, "admin").await;
    let page = html(&web, &app.base, &format!("/units/{unit}")).await;
    assert!(
        page.contains(&format!("href=\"/requests?view=all&amp;unit_id={unit}\"")),
        "{page}"
    );
    let list = html(
        &web,
        &app.base,
        &format!("/requests?view=all&unit_id={unit}"),
    )
    .await;
    assert!(
        list.contains(&numbers[0]) && !list.contains(&numbers[1]),
        "{list}"
    );
    assert!(list.contains("id=\"unit-filter\""), "{list}");
    let r = web
        .get(format!("{}/requests?unit_id=abc", app.base))
        .send()
        .await
        .expect("list");
    assert_eq!(r.status().as_u16(), 422);
}
