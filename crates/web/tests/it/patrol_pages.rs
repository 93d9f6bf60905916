//! The patrol manager's pages as people use them (issue 14 point 3): each page opens for a
//! project manager and for no one without `patrols.manage` nor for another community's manager;
//! a refused checkpoint comes back with each message beside its field and writes nothing; a
//! checkpoint, a route and a plan made through the forms give rounds; a finding turned into a
//! request with one button links both ways, and a second press makes no second request; a
//! meter is read only on the community's own equipment.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::console::console_login;
use crate::daily_use::{html, send};
use crate::patrols::{current_round, scan, secret, setup, today, user_id};

async fn status(web: &reqwest::Client, base: &str, path: &str) -> u16 {
    web.get(format!("{base}{path}"))
        .send()
        .await
        .expect("get")
        .status()
        .as_u16()
}

async fn pm_api(app: &TestApp) -> Api {
    app.api_as("pm_api", "project_manager", &[app.community_a])
        .await
}

/// The text of the page from the element with `id` to the end of its table cell or label.
fn near<'a>(page: &'a str, mark: &str, len: usize) -> &'a str {
    let at = page
        .find(mark)
        .unwrap_or_else(|| panic!("{mark} in {page}"));
    let end = (at + len).min(page.len());
    let end = (end..page.len())
        .find(|i| page.is_char_boundary(*i))
        .unwrap_or(page.len());
    &page[at..end]
}

#[tokio::test]
async fn each_patrol_page_opens_for_a_manager_only_and_in_his_community_only() {
    let app = crate::app().await;
    let (a, b) = (app.community_a, app.community_b);
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("pm_b", "project_manager", &[b]).await;
    let pm = pm_api(&app).await;
    let guard = app.api_as("guard_api", "security", &[a]).await;
    let (ids, route, plan) = setup(&app, &pm, user_id(&guard).await).await;
    let k = ids[0];
    let pages = [
        (format!("/patrols?community_id={c}"), "id=\"patrol-tabs\""),
        (format!("/patrols/{c}/checkpoints"), "id=\"checkpoints\""),
        (
            format!("/patrols/{c}/checkpoints/new"),
            "id=\"checkpoint-form\"",
        ),
        (
            format!("/patrols/{c}/checkpoints/{k}"),
            "id=\"checkpoint-form\"",
        ),
        (format!("/patrols/{c}/routes"), "id=\"routes\""),
        (format!("/patrols/{c}/routes/new"), "id=\"route-form\""),
        (format!("/patrols/{c}/routes/{route}"), "id=\"route-form\""),
        (format!("/patrols/{c}/plans"), "id=\"plans\""),
        (format!("/patrols/{c}/plans/new"), "id=\"plan-form\""),
        (format!("/patrols/{c}/plans/{plan}"), "id=\"plan-form\""),
        (format!("/patrols/{c}/findings"), "id=\"findings-none\""),
        (format!("/patrols/{c}/report"), "id=\"report-plans\""),
    ];
    let (web, _) = console_login(&app, "pm01").await;
    for (path, mark) in &pages {
        let r = web
            .get(format!("{}{path}", app.base))
            .send()
            .await
            .expect("get");
        assert_eq!(r.status().as_u16(), 200, "{path}");
        let page = r.text().await.expect("body");
        assert!(page.contains(mark), "{path}: {page}");
    }
    // The 管理 menu leads to the board; the checkpoint's page shows what was set up.
    let page = html(&web, &app.base, &format!("/patrols/{c}/checkpoints/{k}")).await;
    assert!(page.contains("id=\"nav-patrols\""), "{page}");
    assert!(
        page.contains("value=\"供水压力\"") && page.contains("value=\"0.3\""),
        "{page}"
    );
    let page = html(&web, &app.base, &format!("/patrols/{c}/routes/{route}")).await;
    assert!(
        near(&page, "id=\"stop-0\"", 400).contains(&format!("value=\"{k}\" selected")),
        "{page}"
    );
    let page = html(&web, &app.base, &format!("/patrols/{c}/plans")).await;
    let row = near(&page, &format!("id=\"plan-{plan}\""), 900);
    assert!(
        row.contains("每 1 小时") && row.contains("00:00–00:00"),
        "{row}"
    );
    // The hourly plan has a round to come within the hour.
    let next = row.split("class=\"nowrap\">").last().expect("next");
    assert!(next.starts_with(char::is_numeric), "{row}");

    // A service agent has no patrol setting up; another community's manager finds none of A's.
    let (web, _) = console_login(&app, "agent01").await;
    for (path, _) in &pages {
        assert_eq!(status(&web, &app.base, path).await, 403, "{path}");
    }
    let page = html(&web, &app.base, "/").await;
    assert!(!page.contains("id=\"nav-patrols\""), "{page}");
    let (web, token) = console_login(&app, "pm_b").await;
    for (path, _) in &pages[1..] {
        assert_eq!(status(&web, &app.base, path).await, 404, "{path}");
    }
    // Nor through his own community's address, nor by a form.
    let bc = b.0;
    for path in [
        format!("/patrols/{bc}/checkpoints/{k}"),
        format!("/patrols/{bc}/routes/{route}"),
        format!("/patrols/{bc}/plans/{plan}"),
    ] {
        assert_eq!(status(&web, &app.base, &path).await, 404, "{path}");
    }
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/patrols/{c}/checkpoints/{k}/reprint"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 404);
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/patrols/{bc}/checkpoints/{k}/reprint"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 404);
    let (_, v) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-checkpoints/{k}"))
        .await;
    assert_eq!(v["label_version"], 1, "{v}");
}

#[tokio::test]
async fn a_refused_checkpoint_comes_back_with_each_message_beside_its_field() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    let (web, token) = console_login(&app, "pm01").await;
    let path = format!("/patrols/{c}/checkpoints");
    // No name, a choice with one option, a number whose limits are reversed, a latitude that is
    // no number; the blank rows between are left out (the number is the second item sent).
    let form = [
        ("_csrf", token.as_str()),
        ("rows", "6"),
        ("name", ""),
        ("location", "地下一层"),
        ("lat", "北纬31"),
        ("lng", ""),
        ("radius_m", "50"),
        ("active", "1"),
        ("kind0", "choice"),
        ("label0", "排水"),
        ("options0", "通畅"),
        ("kind1", "ok"),
        ("kind2", "number"),
        ("label2", "供水压力"),
        ("min2", "0.6"),
        ("max2", "0.3"),
        ("unit2", "MPa"),
    ];
    let (st, _, page) = send(&web, &app.base, &path, &form).await;
    assert_eq!(st, 422, "{page}");
    // A malformed latitude is refused at the edge, alone.
    assert!(
        near(&page, "name=\"lat\"", 300).contains("不是有效的数字"),
        "{page}"
    );
    // With the latitude mended, the service names each field beside its input.
    let mut form = form.to_vec();
    form.retain(|(k, _)| *k != "lat");
    let (st, _, page) = send(&web, &app.base, &path, &form).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        near(&page, "name=\"name\"", 300).contains("class=\"ferr\">") && page.contains("地下一层"),
        "{page}"
    );
    let row0 = near(&page, "id=\"item-0\"", 1500);
    assert!(row0.contains("至少需要两个选项"), "{row0}");
    let row2 = near(&page, "id=\"item-2\"", 1500);
    assert!(row2.contains("下限不能大于上限"), "{row2}");
    assert!(
        !near(&page, "id=\"item-1\"", 600).contains("不能"),
        "the blank row says nothing"
    );
    // The input is kept, and nothing was written.
    assert!(row2.contains("value=\"0.6\""), "{row2}");
    let pm = pm_api(&app).await;
    let (_, list) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-checkpoints"))
        .await;
    assert_eq!(list, json!([]));
}

#[tokio::test]
async fn a_checkpoint_route_and_plan_made_through_the_forms_give_rounds() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    let guard = app.user("guard", "security", &[a]).await;
    let (web, token) = console_login(&app, "pm01").await;
    let building = app.building_a.0.to_string();

    let (st, to, page) = send(
        &web,
        &app.base,
        &format!("/patrols/{c}/checkpoints"),
        &[
            ("_csrf", &token),
            ("rows", "6"),
            ("name", "水泵房"),
            ("location", "地下一层"),
            ("building_id", &building),
            ("radius_m", "50"),
            ("active", "1"),
            ("kind0", "number"),
            ("label0", "供水压力"),
            ("unit0", "MPa"),
            ("min0", "0.30"),
            ("max0", "0.60"),
            ("required0", "1"),
            ("kind3", "choice"),
            ("label3", "地面"),
            ("options3", "干燥\r\n积水"),
            ("abnormal3", "积水"),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    assert!(
        to.starts_with(&format!("/patrols/{c}/checkpoints#cp-")),
        "{to}"
    );
    let pm = pm_api(&app).await;
    let (_, list) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-checkpoints"))
        .await;
    let k = &list[0];
    assert_eq!(k["name"], "水泵房");
    assert_eq!(k["building_id"].to_string(), building);
    assert_eq!(k["items"][0]["max"], "0.6");
    assert_eq!(k["items"][1]["options"], json!(["干燥", "积水"]));
    assert_eq!(k["items"][1]["abnormal_options"], json!(["积水"]));
    let kid = k["id"].as_i64().expect("checkpoint").to_string();
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("已保存：水泵房"), "{page}");
    // Its page shows the building chosen, so saving it again keeps it.
    let page = html(&web, &app.base, &format!("/patrols/{c}/checkpoints/{kid}")).await;
    assert!(
        near(&page, "id=\"cp-building\"", 600).contains(&format!("value=\"{building}\" selected")),
        "{page}"
    );

    let (st, to, page) = send(
        &web,
        &app.base,
        &format!("/patrols/{c}/routes"),
        &[
            ("_csrf", &token),
            ("name", "工程巡检"),
            ("kind", "engineering"),
            ("ordered", "1"),
            ("active", "1"),
            ("stop", ""),
            ("stop", &kid),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, routes) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-routes"))
        .await;
    assert_eq!(routes[0]["stops"][0]["name"], "水泵房", "{routes}");
    let rid = routes[0]["id"].as_i64().expect("route").to_string();
    assert!(to.contains(&format!("#route-{rid}")), "{to}");

    // Hourly all day by the guard: tomorrow has its 24 rounds, each his.
    let gid = guard.0.to_string();
    let plan = |hours: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("route_id", rid.clone()),
            ("name", "机房每小时巡检".into()),
            ("frequency", "hourly".into()),
            ("every_hours", hours.into()),
            ("window_start", "00:00".into()),
            ("window_end", "00:00".into()),
            ("duration_minutes", "".into()),
            ("people", gid.clone()),
            ("active", "1".into()),
        ]
    };
    let refused = plan("30");
    let pairs: Vec<(&str, &str)> = refused.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, &format!("/patrols/{c}/plans"), &pairs).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        near(&page, "name=\"every_hours\"", 300).contains("1 到 24"),
        "{page}"
    );
    // The people ticked stay ticked.
    assert!(page.contains(&format!("value=\"{gid}\" checked")), "{page}");
    let good = plan("1");
    let pairs: Vec<(&str, &str)> = good.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, page) = send(&web, &app.base, &format!("/patrols/{c}/plans"), &pairs).await;
    assert_eq!(st, 303, "{page}");
    assert!(to.starts_with(&format!("/patrols/{c}/plans#plan-")), "{to}");
    let tomorrow = today() + Duration::days(1);
    let (st, tasks) = pm
        .get(&format!(
            "/api/v1/communities/{c}/patrol-tasks?day={tomorrow}"
        ))
        .await;
    assert_eq!(st, 200, "{tasks}");
    let tasks = tasks.as_array().expect("tasks");
    assert_eq!(tasks.len(), 24);
    assert!(tasks.iter().all(|t| t["checkpoints"] == 1), "{tasks:?}");
    let page = html(
        &web,
        &app.base,
        &format!("/patrols?community_id={c}&day={tomorrow}"),
    )
    .await;
    assert!(page.contains("机房每小时巡检 · 工程巡检"), "{page}");
}

/// A round walked by `guard` now with the pump's pressure out of its limits: the finding's id
/// and the round's.
async fn a_finding(app: &TestApp, pm: &Api, guard: &Api) -> (i64, i64) {
    let (ids, _, _) = setup(app, pm, user_id(guard).await).await;
    let c = app.community_a.0;
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{c}/patrol-tasks/generate"),
            json!({"from": today().to_string(), "to": today().to_string()}),
        )
        .await;
    assert_eq!(st, 200);
    let round = current_round(guard).await;
    let task = round["task"]["id"].as_i64().expect("task");
    let items: Vec<i64> = round["stops"][0]["checkpoint"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("item"))
        .collect();
    let code = format!("WYP:{}:{}", ids[0], secret(app, ids[0]).await);
    let now = Utc::now();
    let batch = json!({"sent_at": now.to_rfc3339(), "scans": [
        scan("scan-0101-aaaa", task, &code, now - Duration::seconds(30),
             json!([{"item_id": items[0], "ok": true}, {"item_id": items[1], "value": "0.72"}])),
    ]});
    let (st, r) = guard.post("/api/v1/patrol/sync", batch).await;
    assert_eq!(st, 200, "{r}");
    let (_, f) = pm
        .get(&format!(
            "/api/v1/communities/{c}/patrol-findings?open=true"
        ))
        .await;
    let fid = f[0]["id"]
        .as_i64()
        .unwrap_or_else(|| panic!("a finding: {f}"));
    (fid, task)
}

fn request_of(f: &Value) -> Option<i64> {
    f.as_array()?.iter().find_map(|x| x["request_id"].as_i64())
}

#[tokio::test]
async fn a_finding_becomes_one_request_with_one_button() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    let pm = pm_api(&app).await;
    let guard = app.api_as("guard_api", "security", &[a]).await;
    let (fid, task) = a_finding(&app, &pm, &guard).await;
    let (web, token) = console_login(&app, "pm01").await;

    // The round's page and the findings list both offer the button.
    let page = html(&web, &app.base, &format!("/patrols/{c}/tasks/{task}")).await;
    assert!(page.contains(&format!("id=\"to-request-{fid}\"")), "{page}");
    let page = html(&web, &app.base, &format!("/patrols/{c}/findings")).await;
    assert!(page.contains(&format!("id=\"to-request-{fid}\"")), "{page}");
    assert!(page.contains("0.72 MPa"), "{page}");

    let action = format!("/patrols/{c}/findings/{fid}/request");
    let back = format!("/patrols/{c}/tasks/{task}");
    let (st, to, _) = send(
        &web,
        &app.base,
        &action,
        &[("_csrf", &token), ("back", &back)],
    )
    .await;
    assert_eq!(st, 303);
    assert_eq!(to, format!("{back}#finding-{fid}"));
    let (_, f) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-findings"))
        .await;
    let rid = request_of(&f).unwrap_or_else(|| panic!("the request: {f}"));
    let (_, request) = pm.get(&format!("/api/v1/requests/{rid}")).await;
    assert_eq!(request["channel"], "patrol", "{request}");
    assert!(
        request["location"]
            .as_str()
            .unwrap_or("")
            .contains("水泵房"),
        "{request}"
    );
    // Both pages now link the request and offer no button; the notice names it.
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains(&format!(
            "已转为报事 {}",
            request["number"].as_str().expect("number")
        )),
        "{page}"
    );
    assert!(
        page.contains(&format!("href=\"/requests/{rid}\"")),
        "{page}"
    );
    assert!(
        !page.contains(&format!("id=\"to-request-{fid}\"")),
        "{page}"
    );
    let page = html(&web, &app.base, &format!("/patrols/{c}/findings")).await;
    assert!(
        page.contains(&format!("id=\"finding-request-{fid}\"")),
        "{page}"
    );
    assert_eq!(
        status(&web, &app.base, &format!("/requests/{rid}")).await,
        200
    );

    // A second press (a stale page, a double tap) says so and makes nothing; a foreign `back`
    // is not followed.
    let (st, to, _) = send(
        &web,
        &app.base,
        &action,
        &[("_csrf", &token), ("back", "https://evil.example/")],
    )
    .await;
    assert_eq!(st, 303);
    assert_eq!(to, format!("/patrols/{c}/findings#finding-{fid}"));
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("该异常已转为报事"), "{page}");
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM requests WHERE channel = 'patrol'",
            wuye_core::args![],
        )
        .await
        .expect("count");
    assert_eq!(n, 1);
    // The completion report counts the round walked.
    let page = html(&web, &app.base, &format!("/patrols/{c}/report")).await;
    assert!(page.contains("id=\"report-month-"), "{page}");
    assert!(page.contains("data-print"), "{page}");
}

#[tokio::test]
async fn a_meter_is_read_only_on_the_communitys_own_equipment() {
    let app = crate::app().await;
    let (a, b) = (app.community_a, app.community_b);
    let c = a.0;
    app.user("pm01", "project_manager", &[a]).await;
    let pm = pm_api(&app).await;
    let pm_b = app.api_as("pm_b_api", "project_manager", &[b]).await;
    let mut pumps = Vec::new();
    for (api, community) in [(&pm, a.0), (&pm_b, b.0)] {
        let (st, e) = api
            .post(
                &format!("/api/v1/communities/{community}/equipment"),
                json!({"system": "water", "code": "WS-01", "name": "生活水泵1#", "location": "地下一层"}),
            )
            .await;
        assert_eq!(st, 201, "{e}");
        pumps.push(e["id"].as_i64().expect("equipment").to_string());
    }
    let (web, token) = console_login(&app, "pm01").await;
    // The form offers A's pump only.
    let page = html(&web, &app.base, &format!("/patrols/{c}/checkpoints/new")).await;
    assert!(
        page.contains(&format!("<option value=\"{}\">WS-01 生活水泵1#", pumps[0])),
        "{page}"
    );
    assert!(
        !page.contains(&format!("<option value=\"{}\">", pumps[1])),
        "{page}"
    );
    let form = |pump: &str| {
        vec![
            ("_csrf", token.clone()),
            ("rows", "6".into()),
            ("name", "水泵房".into()),
            ("radius_m", "50".into()),
            ("active", "1".into()),
            ("kind0", "number".into()),
            ("label0", "出水压力".into()),
            ("equipment0", pump.to_string()),
            ("meter0", "出水压力".into()),
        ]
    };
    // B's pump, sent by hand, is refused beside the item.
    let forged = form(&pumps[1]);
    let pairs: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/patrols/{c}/checkpoints"),
        &pairs,
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        near(&page, "id=\"item-0\"", 3000).contains("设备不属于本项目"),
        "{page}"
    );
    let mine = form(&pumps[0]);
    let pairs: Vec<(&str, &str)> = mine.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/patrols/{c}/checkpoints"),
        &pairs,
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let (_, list) = pm
        .get(&format!("/api/v1/communities/{c}/patrol-checkpoints"))
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    assert_eq!(list[0]["items"][0]["equipment_id"].to_string(), pumps[0]);
    assert_eq!(list[0]["items"][0]["meter"], "出水压力");
}

/// Chrome offers to install the phone's app only when its manifest names a 192 and a 512
/// pixel icon it can fetch: each is served as a PNG of the size the manifest says.
#[tokio::test]
async fn the_phone_apps_manifest_names_icons_that_are_served_at_their_size() {
    let app = crate::app().await;
    let web = reqwest::Client::new();
    let manifest: Value = web
        .get(format!("{}/patrol/manifest.webmanifest", app.base))
        .send()
        .await
        .expect("manifest")
        .json()
        .await
        .expect("json");
    assert_eq!(manifest["start_url"], "/patrol");
    let icons = manifest["icons"].as_array().expect("icons");
    let mut sizes = Vec::new();
    for icon in icons {
        let r = web
            .get(format!(
                "{}{}",
                app.base,
                icon["src"].as_str().expect("src")
            ))
            .send()
            .await
            .expect("icon");
        assert_eq!(r.status().as_u16(), 200);
        assert_eq!(r.headers()["content-type"], "image/png");
        let png = r.bytes().await.expect("bytes");
        assert_eq!(&png[1..4], b"PNG");
        let side = |at: usize| u32::from_be_bytes([png[at], png[at + 1], png[at + 2], png[at + 3]]);
        let size = format!("{}x{}", side(16), side(20));
        assert_eq!(icon["sizes"].as_str(), Some(size.as_str()));
        sizes.push(size);
    }
    assert_eq!(sizes, ["192x192", "512x512"]);
}
