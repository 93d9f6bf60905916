//! Notices (issue 13 point 1) and the public board (point 2): a draft reaches owners when it is
//! published — in the portal, in their inbox, at once for an outage, when its time comes for a
//! scheduled one — only those of its buildings, never after it is withdrawn; staff see who read
//! it per building; a company-wide notice is the company admin's; attachments are images or PDF;
//! the board is read without a login, from its own lists and the system's fees, prices and
//! notices.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_core::shared::ctx::Ctx;
use wuye_core::shared::ids::*;
use wuye_testkit::{Api, TestApp};

use crate::{app, error_fields};

/// An owner with an activated portal account living in a new unit of `building` (community A).
async fn owner_in(app: &TestApp, tag: &str, building: i64) -> Api {
    let sys = Ctx::system(app.company);
    let unit = wuye_core::registry::create_unit(
        &app.core,
        &sys,
        wuye_core::registry::UnitForCreate {
            building_id: BuildingId(building),
            unit_no: format!("{tag}01"),
            floor: 1,
            building_area: wuye_core::registry::Decimal::Text("88.00".into()),
            inner_area: None,
            use_kind: "residential".into(),
            state: "occupied".into(),
            note: None,
        },
    )
    .await
    .expect("unit");
    let person = wuye_core::registry::create_person(
        &app.core,
        &sys,
        wuye_core::registry::PersonForCreate {
            community_id: app.community_a,
            name: format!("{tag}业主"),
            phone: None,
            id_number: None,
            is_key_customer: false,
            key_customer_note: None,
            note: None,
            unit_id: Some(unit.id),
            relation: Some("owner".into()),
        },
    )
    .await
    .expect("person");
    let slip = wuye_core::portal::open_account(&app.core, &sys, person.id)
        .await
        .expect("account");
    wuye_core::portal::activate(
        &app.core,
        wuye_core::portal::Activation {
            username: slip.username.clone(),
            activation_code: slip.activation_code,
            password: wuye_testkit::PASSWORD.into(),
        },
        &wuye_core::auth::LoginSource::of_ip(std::net::Ipv4Addr::LOCALHOST.into()),
    )
    .await
    .expect("activate");
    let id = wuye_core::auth::user_id_by_username(&app.core, &slip.username)
        .await
        .expect("id")
        .expect("owner");
    let ctx = wuye_core::auth::load_ctx(&app.core, id).await.expect("ctx");
    let (_, token) = wuye_core::auth::create_api_token(&app.core, &ctx, "test")
        .await
        .expect("token");
    app.api(Some(token))
}

async fn draft(api: &Api, c: i64, body: Value) -> Value {
    let (st, v) = api
        .post(&format!("/api/v1/communities/{c}/announcements"), body)
        .await;
    assert_eq!(st, 201, "{v}");
    v
}

async fn publish(api: &Api, id: &Value, body: Value) -> Value {
    let (st, v) = api
        .post(&format!("/api/v1/announcements/{id}/publish"), body)
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

fn titles(list: &Value) -> Vec<String> {
    list.as_array()
        .expect("list")
        .iter()
        .map(|n| n["title"].as_str().unwrap_or("").to_string())
        .collect()
}

#[tokio::test]
async fn a_notice_reaches_its_buildings_owners_who_read_it_and_leaves_when_withdrawn() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let (st, b2) = pm
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "9栋", "floors": 18}),
        )
        .await;
    assert_eq!(st, 201, "{b2}");
    let b2 = b2["id"].as_i64().expect("building");
    let o1 = owner_in(&app, "A", app.building_a.0).await;
    let o2 = owner_in(&app, "B", b2).await;

    // Bad input: each refusal names its field, and nothing is written.
    let url = format!("/api/v1/communities/{c}/announcements");
    let (st, e) = pm
        .post(
            &url,
            json!({"scope": "community", "category": "notice", "title": " ", "body": "x",
                           "expires_at": (Utc::now() - Duration::hours(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        [
            ("title".into(), "required".into()),
            ("expires_at".into(), "expires_in_past".into())
        ]
    );
    let (st, e) = pm
        .post(
            &url,
            json!({"scope": "buildings", "category": "notice", "title": "t", "body": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("building_ids".into(), "buildings_required".into())]
        )
    );
    let (st, e) = pm
        .post(
            &url,
            json!({"scope": "community", "category": "party", "title": "t", "body": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("category".into(), "unknown_notice_category".into())]
        )
    );
    let (st, e) = pm
        .post(
            &url,
            json!({"scope": "buildings", "category": "notice", "title": "t", "body": "x",
                           "building_ids": [app.building_b.0]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("building_ids".into(), "unknown_building".into())]
        )
    );
    assert_eq!(app.count("announcements").await, 0);

    // A draft is nobody's business but the staff's.
    let n = draft(
        &pm,
        c,
        json!({"scope": "community", "category": "tip", "title": "冬季防火提示",
                                 "body": "请勿在楼道堆放杂物。", "pinned": true}),
    )
    .await;
    assert_eq!(n["status"], "draft");
    let (_, mine) = o1.get("/api/v1/portal/announcements").await;
    assert_eq!(mine, json!([]));
    let (st, _) = o1
        .get(&format!("/api/v1/portal/announcements/{}", n["id"]))
        .await;
    assert_eq!(st, 404);

    // Published: both owners see it unread and hear of it in their inbox.
    let live = publish(&pm, &n["id"], json!({})).await;
    assert_eq!(live["status"], "live");
    for o in [&o1, &o2] {
        let (_, mine) = o.get("/api/v1/portal/announcements").await;
        assert_eq!(titles(&mine), ["冬季防火提示"]);
        assert_eq!(mine[0]["read"], false);
        let (_, inbox) = o.get("/api/v1/notifications").await;
        assert_eq!(inbox[0]["title"], "公告：冬季防火提示", "{inbox}");
        assert_eq!(inbox[0]["link"], format!("/portal/notices/{}", n["id"]));
    }
    // A published notice is not edited or deleted: it is withdrawn.
    let (st, e) = pm
        .put(
            &format!("/api/v1/announcements/{}", n["id"]),
            json!({"category": "tip", "title": "改", "body": "x"}),
        )
        .await;
    assert_eq!(
        (
            st.as_u16(),
            error_fields(&json!({"errors": [e["error"]]})).len()
        ),
        (409, 1),
        "{e}"
    );
    let (st, _) = pm
        .delete(&format!("/api/v1/announcements/{}", n["id"]))
        .await;
    assert_eq!(st, 409);

    // o1 reads it (twice: counted once); the staff see one reader of two, per building.
    for _ in 0..2 {
        let (st, one) = o1
            .get(&format!("/api/v1/portal/announcements/{}", n["id"]))
            .await;
        assert_eq!(st, 200, "{one}");
    }
    let (_, mine) = o1.get("/api/v1/portal/announcements").await;
    assert_eq!(mine[0]["read"], true);
    let (st, reads) = pm
        .get(&format!("/api/v1/announcements/{}/reads", n["id"]))
        .await;
    assert_eq!(st, 200, "{reads}");
    assert_eq!(
        (reads["audience"].as_i64(), reads["read"].as_i64()),
        (Some(2), Some(1)),
        "{reads}"
    );
    let per: Vec<(i64, i64)> = reads["buildings"]
        .as_array()
        .expect("buildings")
        .iter()
        .map(|b| {
            (
                b["audience"].as_i64().unwrap_or(-1),
                b["read"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    assert_eq!(per.len(), 2, "{reads}");
    assert!(per.contains(&(1, 1)) && per.contains(&(1, 0)), "{reads}");

    // A notice for 9栋 reaches o2 only.
    let lift = draft(
        &pm,
        c,
        json!({"scope": "buildings", "category": "notice", "title": "9栋电梯保养",
                                    "body": "周三上午停运两小时。", "building_ids": [b2]}),
    )
    .await;
    publish(&pm, &lift["id"], json!({})).await;
    let (_, mine1) = o1.get("/api/v1/portal/announcements").await;
    let (_, mine2) = o2.get("/api/v1/portal/announcements").await;
    assert_eq!(titles(&mine1), ["冬季防火提示"]);
    assert_eq!(
        titles(&mine2),
        ["冬季防火提示", "9栋电梯保养"],
        "pinned first"
    );
    let (st, _) = o1
        .get(&format!("/api/v1/portal/announcements/{}", lift["id"]))
        .await;
    assert_eq!(st, 404);
    let (_, inbox1) = o1.get("/api/v1/notifications").await;
    assert_eq!(inbox1.as_array().map(Vec::len), Some(1));
    let (_, reads) = pm
        .get(&format!("/api/v1/announcements/{}/reads", lift["id"]))
        .await;
    assert_eq!(reads["audience"], 1, "{reads}");

    // Withdrawn: gone from the portal.
    let (st, w) = pm
        .post(
            &format!("/api/v1/announcements/{}/withdraw", n["id"]),
            json!({}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), w["status"].as_str()),
        (200, Some("withdrawn"))
    );
    let (_, mine) = o1.get("/api/v1/portal/announcements").await;
    assert_eq!(mine, json!([]));
    let (_, list) = pm
        .get(&format!(
            "/api/v1/communities/{c}/announcements?status=withdrawn"
        ))
        .await;
    assert_eq!(titles(&list), ["冬季防火提示"]);
}

#[tokio::test]
async fn an_outage_goes_out_at_once_and_a_scheduled_notice_when_its_time_comes_once() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let owner = owner_in(&app, "A", app.building_a.0).await;

    let cut = draft(
        &pm,
        c,
        json!({"scope": "community", "category": "outage", "title": "明日停水",
                                   "body": "12月6日 9:00-13:00 停水。"}),
    )
    .await;
    publish(&pm, &cut["id"], json!({})).await;
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    assert_eq!(inbox[0]["title"], "紧急通知：明日停水", "{inbox}");
    assert_eq!(inbox[0]["event"], "notice_emergency", "{inbox}");

    // A time already past is refused; a later one schedules.
    let later = draft(
        &pm,
        c,
        json!({"scope": "community", "category": "activity", "title": "元旦游园会",
                                     "body": "1月1日上午，中心广场。"}),
    )
    .await;
    let (st, e) = pm
        .post(
            &format!("/api/v1/announcements/{}/publish", later["id"]),
            json!({"at": (Utc::now() - Duration::days(1)).to_rfc3339()}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("at".into(), "publish_in_past".into())])
    );
    let at = Utc::now() + Duration::hours(2);
    let s = publish(&pm, &later["id"], json!({"at": at.to_rfc3339()})).await;
    assert_eq!(s["status"], "scheduled");
    let (_, mine) = owner.get("/api/v1/portal/announcements").await;
    assert_eq!(titles(&mine), ["明日停水"]);
    use wuye_core::community::announcements::run_scheduled;
    assert_eq!(run_scheduled(&app.core, Utc::now()).await.expect("pass"), 0);
    assert_eq!(
        run_scheduled(&app.core, at + Duration::minutes(1))
            .await
            .expect("pass"),
        1
    );
    assert_eq!(
        run_scheduled(&app.core, at + Duration::minutes(2))
            .await
            .expect("pass"),
        0
    );
    let (_, inbox) = owner.get("/api/v1/notifications").await;
    let told: Vec<&str> = inbox
        .as_array()
        .expect("inbox")
        .iter()
        .filter_map(|n| n["title"].as_str())
        .collect();
    assert_eq!(
        told.iter().filter(|t| t.contains("元旦游园会")).count(),
        1,
        "{inbox}"
    );
}

#[tokio::test]
async fn a_company_notice_has_a_copy_in_every_community_and_only_the_company_admin_changes_it() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let admin = app.admin().await;
    let pm_a = app
        .api_as("pma", "project_manager", &[app.community_a])
        .await;
    let pm_b = app
        .api_as("pmb", "project_manager", &[app.community_b])
        .await;
    let owner_b = app.api_as("ob", "owner", &[app.community_b]).await;

    let (st, e) = pm_a
        .post(
            &format!("/api/v1/communities/{a}/announcements"),
            json!({"scope": "company", "category": "notice", "title": "t", "body": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (
            422,
            vec![("scope".into(), "company_scope_needs_all".into())]
        )
    );
    let n = draft(
        &admin,
        a,
        json!({"scope": "company", "category": "fees", "title": "2027年收费标准公示",
                                    "body": "标准不变。"}),
    )
    .await;
    let (_, in_b) = pm_b
        .get(&format!("/api/v1/communities/{b}/announcements"))
        .await;
    assert_eq!(titles(&in_b), ["2027年收费标准公示"]);
    assert_eq!(in_b[0]["series_id"], n["id"]);
    // The project manager of A neither changes the company's notice nor sees B's copy.
    let (st, _) = pm_a
        .post(
            &format!("/api/v1/announcements/{}/publish", n["id"]),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, _) = pm_a
        .get(&format!("/api/v1/announcements/{}", in_b[0]["id"]))
        .await;
    assert_eq!(st, 404);
    publish(&admin, &n["id"], json!({})).await;
    let (_, in_b) = pm_b
        .get(&format!(
            "/api/v1/communities/{b}/announcements?status=live"
        ))
        .await;
    assert_eq!(titles(&in_b), ["2027年收费标准公示"]);
    let (_, mine) = owner_b.get("/api/v1/portal/announcements").await;
    assert_eq!(titles(&mine), ["2027年收费标准公示"]);
}

#[tokio::test]
async fn attachments_are_images_or_pdf_and_owners_open_them_once_published() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let owner = owner_in(&app, "A", app.building_a.0).await;
    let n = draft(
        &pm,
        c,
        json!({"scope": "community", "category": "notice", "title": "消防演练",
                                 "body": "详见附件。"}),
    )
    .await;
    let url = format!("{}/api/v1/announcements/{}/attachments", app.base, n["id"]);
    let tok = pm.token.clone().expect("token");
    let (st, e) = pm
        .send(
            pm.client
                .post(format!("{url}?name=a.txt"))
                .bearer_auth(&tok)
                .body("plain text"),
        )
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)),
        (422, vec![("file".into(), "not_an_attachment".into())])
    );
    let pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n".to_vec();
    let (st, f) = pm
        .send(
            pm.client
                .post(format!(
                    "{url}?name=%E6%BC%94%E7%BB%83%E6%96%B9%E6%A1%88.pdf"
                ))
                .bearer_auth(&tok)
                .body(pdf.clone()),
        )
        .await;
    assert_eq!(st, 201, "{f}");
    assert_eq!(f["name"], "演练方案.pdf");
    let file = format!("/api/v1/announcements/{}/attachments/{}", n["id"], f["id"]);
    let (st, _) = owner.get(&file).await;
    assert_eq!(st, 404, "a draft's file is not the owner's yet");
    publish(&pm, &n["id"], json!({})).await;
    let r = owner
        .client
        .get(format!("{}{file}", app.base))
        .bearer_auth(owner.token.clone().expect("token"))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], "application/pdf");
    assert!(
        r.headers()["content-disposition"]
            .to_str()
            .unwrap_or("")
            .contains("UTF-8''%E6%BC%94")
    );
    assert_eq!(r.bytes().await.expect("bytes").to_vec(), pdf);
}

#[tokio::test]
async fn the_public_board_is_read_without_a_login_from_its_lists_fees_prices_and_notices() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("pm1", "project_manager", &[app.community_a])
        .await;
    let (st, e) = pm
        .put(&format!("/api/v1/communities/{c}/board"),
             json!({"services": [{"name": "保洁", "detail": "每日两次"}, {"name": "", "detail": "无名"}]}))
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(e["errors"][0]["field"], "services");
    assert_eq!(e["errors"][0]["code"], "board_item_incomplete");
    let (st, board) = pm
        .put(&format!("/api/v1/communities/{c}/board"),
             json!({"services": [{"name": "保洁", "detail": "公共区域每日清扫两次"}],
                    "contacts": [{"name": "客服中心", "detail": "0755-12345678"}],
                    "complaint_phone": "0755-87654321",
                    "on_duty": [{"name": "客服", "detail": "李四 138****0000"}], "note": "办公时间 8:30-17:30"}))
        .await;
    assert_eq!(st, 200, "{board}");
    let slug = board["slug"].as_str().expect("slug").to_string();
    let item = crate::fee_item_of(&pm, c, "WYF", "物业费", "property").await;
    let (st, s) = pm
        .post("/api/v1/charge-standards",
              json!({"community_id": c, "fee_item_id": item, "name": "住宅物业费", "method": "building_area",
                     "price": "2.35", "cycle": "monthly", "due_day": 15}))
        .await;
    assert_eq!(st, 201, "{s}");
    let n = draft(
        &pm,
        c,
        json!({"scope": "community", "category": "notice", "title": "公示测试",
                                 "body": "正文"}),
    )
    .await;
    publish(&pm, &n["id"], json!({})).await;

    let anon = app.api(None);
    let (st, p) = anon.get(&format!("/api/v1/boards/{slug}")).await;
    assert_eq!(st, 200, "{p}");
    assert_eq!(p["board"]["complaint_phone"], "0755-87654321");
    assert_eq!(p["fees"][0]["price"], "2.35");
    assert_eq!(p["notices"][0]["title"], "公示测试");
    let html = reqwest::get(format!("{}/board/{slug}?tv=1", app.base))
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    for want in [
        "公共区域每日清扫两次",
        "0755-87654321",
        "2.35 元/㎡·月（建筑面积）",
        "公示测试",
        "http-equiv=\"refresh\"",
        "size: A3",
    ] {
        assert!(html.contains(want), "{want} missing");
    }
    let qr = reqwest::get(format!("{}/board/{slug}/qr.svg", app.base))
        .await
        .expect("qr");
    assert_eq!(qr.headers()["content-type"], "image/svg+xml");
    assert!(qr.text().await.expect("svg").contains("<svg"));

    // A new address: the old one answers 404.
    let (_, renewed) = pm
        .post(
            &format!("/api/v1/communities/{c}/board/renew-address"),
            json!({}),
        )
        .await;
    assert_ne!(renewed["slug"], slug.as_str());
    let (st, _) = anon.get(&format!("/api/v1/boards/{slug}")).await;
    assert_eq!(st, 404);
    let old = reqwest::get(format!("{}/board/{slug}", app.base))
        .await
        .expect("old");
    assert_eq!(old.status(), 404);
}

#[tokio::test]
async fn the_console_writes_publishes_and_the_portal_shows_a_notice() {
    let app = app().await;
    let c = app.community_a.0;
    app.user("pm1", "project_manager", &[app.community_a]).await;
    let owner_api = app.api_as("o1", "owner", &[app.community_a]).await;
    let (_, me) = owner_api.get("/api/v1/portal/me").await;
    let owner_name = format!("yz{}", me["person_id"]);
    let (staff, token) = crate::console::console_login(&app, "pm1").await;
    let r = staff
        .post(format!("{}/notices", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("scope", "community"),
            ("category", "tip"),
            ("title", ""),
            ("body", "x"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    assert!(r.text().await.expect("html").contains("必填"));
    let r = staff
        .post(format!("{}/notices", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &c.to_string()),
            ("scope", "community"),
            ("category", "tip"),
            ("title", "电梯年检"),
            ("body", "本周五电梯年检。"),
            ("pinned", "1"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let r = staff
        .post(format!("{}{to}/publish", app.base))
        .form(&[("_csrf", token.as_str()), ("at", "")])
        .send()
        .await
        .expect("publish");
    assert_eq!(r.status(), 303);
    let page = staff
        .get(format!("{}{to}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(
        page.contains("已发布") && page.contains("阅读情况"),
        "{page}"
    );
    let (owner, _) = crate::console::console_login(&app, &owner_name).await;
    let list = owner
        .get(format!("{}/portal/notices", app.base))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(list.contains("电梯年检") && list.contains("未读"), "{list}");
    let id = to.trim_start_matches("/notices/");
    let one = owner
        .get(format!("{}/portal/notices/{id}", app.base))
        .send()
        .await
        .expect("one");
    assert_eq!(one.status(), 200);
    let list = owner
        .get(format!("{}/portal/notices", app.base))
        .send()
        .await
        .expect("list")
        .text()
        .await
        .expect("html");
    assert!(!list.contains("class=\"unread\""), "{list}");
}
