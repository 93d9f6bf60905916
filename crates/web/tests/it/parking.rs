//! Editing parking spaces and vehicles (with their history), the .xlsx exports of every registry
//! list, and the unit page's readable change history.

use crate::console::console_login;

use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use crate::exports::{cells, download};
use crate::{app, error_fields, new_unit};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Creates a person in community `c` (optionally linked to a unit as owner); returns the id.
async fn person(api: &Api, c: i64, name: &str, phone: &str, unit: Option<i64>) -> i64 {
    let mut body = json!({"community_id": c, "name": name, "phone": phone});
    if let Some(u) = unit {
        body["unit_id"] = u.into();
        body["relation"] = "owner".into();
    }
    let (st, v) = api.post("/api/v1/people", body).await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("person id")
}

async fn space(api: &Api, c: i64, code: &str, state: &str) -> i64 {
    let (st, v) = api
        .post(
            "/api/v1/parking-spaces",
            json!({"community_id": c, "code": code, "state": state}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("space id")
}

async fn vehicle(api: &Api, c: i64, plate: &str) -> i64 {
    let (st, v) = api
        .post(
            "/api/v1/vehicles",
            json!({"community_id": c, "plate": plate, "brand": "大众", "color": "黑"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("vehicle id")
}

/// The audit entries of one record, newest first, with their before and after parsed.
async fn history(api: &Api, entity: &str, id: i64) -> Vec<(String, Value, Value)> {
    let (st, log) = api
        .get(&format!("/api/v1/audit?entity={entity}&entity_id={id}"))
        .await;
    assert_eq!(st, 200, "{log}");
    let parse = |v: &Value| {
        v.as_str()
            .map(|s| serde_json::from_str(s).expect("json"))
            .unwrap_or(Value::Null)
    };
    log.as_array()
        .expect("entries")
        .iter()
        .map(|e| {
            (
                e["action"].as_str().unwrap_or("").to_string(),
                parse(&e["before_json"]),
                parse(&e["after_json"]),
            )
        })
        .collect()
}

#[tokio::test]
async fn a_space_changes_state_and_holder_and_keeps_its_history() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;
    let zhang = person(&api, c, "张三", "13812345678", Some(unit)).await;
    let id = space(&api, c, "B2-017", "vacant").await;

    let (st, v) = api
        .patch(
            &format!("/api/v1/parking-spaces/{id}"),
            json!({"state": "rented", "person_id": zhang, "unit_id": unit, "note": "租期至 2026 年底\n押金已收"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            v["person_id"].as_i64(),
            v["holder_name"].as_str(),
            v["unit_id"].as_i64(),
            v["note"].as_str(),
        ),
        (
            Some("rented"),
            Some(zhang),
            Some("张三"),
            Some(unit),
            Some("租期至 2026 年底\n押金已收")
        )
    );
    let (st, got) = api.get(&format!("/api/v1/parking-spaces/{id}")).await;
    assert_eq!((st.as_u16(), &got), (200, &v));

    // The change is in the log with the space before and after.
    let h = history(&api, "parking_space", id).await;
    assert_eq!(
        h.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["update", "create"]
    );
    let (_, before, after) = &h[0];
    assert_eq!(
        (
            &before["state"],
            &before["person_id"],
            &before["unit_id"],
            &before["note"]
        ),
        (&json!("vacant"), &Value::Null, &Value::Null, &Value::Null)
    );
    assert_eq!(
        (
            &after["state"],
            &after["person_id"],
            &after["holder_name"],
            &after["unit_id"]
        ),
        (
            &json!("rented"),
            &json!(zhang),
            &json!("张三"),
            &json!(unit)
        )
    );

    // The Chinese label is accepted; absent fields are kept; 0 and "" clear.
    let (st, v) = api
        .patch(
            &format!("/api/v1/parking-spaces/{id}"),
            json!({"state": "已售"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["state"].as_str(), v["person_id"].as_i64()),
        (Some("sold"), Some(zhang))
    );
    let (st, v) = api
        .patch(
            &format!("/api/v1/parking-spaces/{id}"),
            json!({"person_id": 0, "note": ""}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["state"].as_str(),
            &v["person_id"],
            &v["holder_name"],
            v["unit_id"].as_i64(),
            &v["note"]
        ),
        (
            Some("sold"),
            &Value::Null,
            &Value::Null,
            Some(unit),
            &Value::Null
        )
    );

    // Every bad field at once; a holder of another community is unknown here. Nothing changes.
    let b_person = person(&api, app.community_b.0, "外人", "13900000000", None).await;
    let audit_before = app.count("audit_log").await;
    let (st, bad) = api
        .patch(
            &format!("/api/v1/parking-spaces/{id}"),
            json!({"state": "castle", "person_id": b_person, "unit_id": 999999, "note": "x\u{0}"}),
        )
        .await;
    assert_eq!(st, 422, "{bad}");
    let fields = error_fields(&bad);
    for want in [
        ("state", "unknown_space_state"),
        ("note", "invalid_characters"),
        ("unit_id", "unknown_unit"),
        ("person_id", "unknown_person"),
    ] {
        assert!(
            fields.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {fields:?}"
        );
    }
    let (_, now) = api.get(&format!("/api/v1/parking-spaces/{id}")).await;
    assert_eq!(now, v, "nothing changed");
    assert_eq!(app.count("audit_log").await, audit_before);

    let (st, _) = api
        .patch("/api/v1/parking-spaces/999999", json!({"state": "sold"}))
        .await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn a_vehicle_changes_owner_and_space_but_not_to_a_taken_plate() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;
    let zhang = person(&api, c, "张三", "13812345678", Some(unit)).await;
    let s1 = space(&api, c, "B2-017", "sold").await;
    let v1 = vehicle(&api, c, "沪A12345").await;
    vehicle(&api, c, "沪B54321").await;

    // Another vehicle's plate (typed with a space, in lower case): 409, nothing changed.
    let (_, before) = api.get(&format!("/api/v1/vehicles/{v1}")).await;
    let audit_before = app.count("audit_log").await;
    let (st, e) = api
        .patch(
            &format!("/api/v1/vehicles/{v1}"),
            json!({"plate": "沪b 54321", "color": "白"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str(), e["field"].as_str()),
        (409, Some("duplicate_plate"), Some("plate"))
    );
    assert_eq!(e["message"], "车牌号：车牌号已登记");
    let (_, after) = api.get(&format!("/api/v1/vehicles/{v1}")).await;
    assert_eq!(after, before, "nothing changed");
    assert_eq!(after["color"], "黑");
    assert_eq!(app.count("audit_log").await, audit_before);

    // Its own plate again is no conflict; owner, unit and space change together.
    let (st, v) = api
        .patch(
            &format!("/api/v1/vehicles/{v1}"),
            json!({"plate": "沪A12345", "person_id": zhang, "unit_id": unit, "space_id": s1, "color": "白"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["plate"].as_str(),
            v["person_name"].as_str(),
            v["unit_id"].as_i64(),
            v["space_code"].as_str(),
            v["color"].as_str(),
            v["brand"].as_str()
        ),
        (
            Some("沪A12345"),
            Some("张三"),
            Some(unit),
            Some("B2-017"),
            Some("白"),
            Some("大众")
        )
    );
    let (st, v) = api
        .patch(
            &format!("/api/v1/vehicles/{v1}"),
            json!({"plate": "沪A·12346"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["plate"].as_str()), (200, Some("沪A12346")));
    let h = history(&api, "vehicle", v1).await;
    assert_eq!(
        h.iter().map(|e| e.0.as_str()).collect::<Vec<_>>(),
        vec!["update", "update", "create"]
    );
    assert_eq!(
        (&h[0].1["plate"], &h[0].2["plate"]),
        (&json!("沪A12345"), &json!("沪A12346"))
    );
    assert_eq!(
        (
            &h[1].1["person_id"],
            &h[1].2["person_id"],
            &h[1].1["color"],
            &h[1].2["color"]
        ),
        (&Value::Null, &json!(zhang), &json!("黑"), &json!("白"))
    );

    // 0 and "" clear; the vehicle page of the unit lists it (by owner and by unit).
    let (st, v) = api
        .patch(
            &format!("/api/v1/vehicles/{v1}"),
            json!({"space_id": 0, "brand": ""}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            &v["space_id"],
            &v["space_code"],
            &v["brand"],
            v["color"].as_str()
        ),
        (&Value::Null, &Value::Null, &Value::Null, Some("白"))
    );

    // Bad plate, a space of another community: both reported, nothing written.
    let b_space = space(&api, app.community_b.0, "X-1", "sold").await;
    let (st, e) = api
        .patch(
            &format!("/api/v1/vehicles/{v1}"),
            json!({"plate": "ABC", "space_id": b_space, "color": "很长很长很长很长很长的颜色"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(
        error_fields(&e),
        vec![
            ("plate".into(), "invalid_plate".into()),
            ("color".into(), "too_long".into()),
            ("space_id".into(), "unknown_space".into())
        ]
    );
    let (_, now) = api.get(&format!("/api/v1/vehicles/{v1}")).await;
    assert_eq!(now, v);
}

#[tokio::test]
async fn another_communitys_spaces_and_vehicles_are_not_found() {
    let app = app().await;
    let admin = app.admin().await;
    let b_space = space(&admin, app.community_b.0, "B-1", "vacant").await;
    let b_vehicle = vehicle(&admin, app.community_b.0, "京A11111").await;
    let a_space = space(&admin, app.community_a.0, "A-1", "vacant").await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;

    for path in [
        format!("/api/v1/parking-spaces/{b_space}"),
        format!("/api/v1/vehicles/{b_vehicle}"),
    ] {
        let (st, e) = agent.get(&path).await;
        assert_eq!(
            (st.as_u16(), e["code"].as_str()),
            (404, Some("not_found")),
            "{path}"
        );
        let (st, _) = agent
            .patch(&path, json!({"state": "sold", "plate": "京A22222"}))
            .await;
        assert_eq!(st, 404, "{path}");
    }
    let (_, s) = admin
        .get(&format!("/api/v1/parking-spaces/{b_space}"))
        .await;
    assert_eq!(s["state"], "vacant", "unchanged");
    let (_, v) = admin.get(&format!("/api/v1/vehicles/{b_vehicle}")).await;
    assert_eq!(v["plate"], "京A11111", "unchanged");

    // In its own community the agent reads and edits; a read-only role reads but may not edit.
    let (st, _) = agent
        .get(&format!("/api/v1/parking-spaces/{a_space}"))
        .await;
    assert_eq!(st, 200);
    let guard = app.api_as("guard", "security", &[app.community_a]).await;
    let (st, _) = guard
        .get(&format!("/api/v1/parking-spaces/{a_space}"))
        .await;
    assert_eq!(st, 200);
    let (st, e) = guard
        .patch(
            &format!("/api/v1/parking-spaces/{a_space}"),
            json!({"state": "sold"}),
        )
        .await;
    assert_eq!((st.as_u16(), e["code"].as_str()), (403, Some("forbidden")));
    let (st, v) = agent
        .patch(
            &format!("/api/v1/parking-spaces/{a_space}"),
            json!({"state": "temporary"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["state"].as_str()), (200, Some("temporary")));

    // GET and PATCH are documented beside DELETE.
    let (_, doc) = app.api(None).get("/api/openapi.json").await;
    for p in ["/api/v1/parking-spaces/{id}", "/api/v1/vehicles/{id}"] {
        for m in ["get", "patch", "delete"] {
            assert!(doc["paths"][p][m].is_object(), "{m} {p} is documented");
        }
    }
}

#[tokio::test]
async fn every_registry_list_exports_to_xlsx_with_phones_masked() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let b = app.building_a.0;
    let occupied = new_unit(&api, b, "1801").await;
    let (st, v) = api
        .post(
            "/api/v1/units",
            json!({"building_id": b, "unit_no": "1802", "floor": 18, "building_area": "120.5",
                                       "use_kind": "residential", "state": "vacant"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let vacant = v["id"].as_i64().expect("id");
    let keeper = app.user("keeper", "security", &[app.community_a]).await;
    let (st, v) = api
        .patch(
            &format!("/api/v1/units/{vacant}"),
            json!({"keeper_user_id": keeper.0}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    for (day, findings) in [("2026-01-10", "一月巡查"), ("2026-03-05", "门窗完好")] {
        let (st, v) = api
            .post(
                &format!("/api/v1/units/{vacant}/inspections"),
                json!({"inspected_on": day, "findings": findings}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let (st, v) = api
        .post("/api/v1/people", json!({"community_id": c, "name": "李四", "phone": "13812345678",
                                         "is_key_customer": true, "key_customer_note": "常投诉噪音，回电 13812345678",
                                         "unit_id": vacant, "relation": "owner"}))
        .await;
    assert_eq!(st, 201, "{v}");
    let li = v["id"].as_i64().expect("id");
    person(&api, c, "王五", "13700001111", Some(occupied)).await;
    let v1 = vehicle(&api, c, "沪A12345").await;
    api.patch(
        &format!("/api/v1/vehicles/{v1}"),
        json!({"person_id": li, "unit_id": vacant}),
    )
    .await;
    let s1 = space(&api, c, "B2-017", "rented").await;
    api.patch(
        &format!("/api/v1/parking-spaces/{s1}"),
        json!({"person_id": li}),
    )
    .await;

    let lists = [
        "buildings.xlsx",
        "vehicles.xlsx",
        "parking-spaces.xlsx",
        "key-customers.xlsx",
        "vacant-units.xlsx",
        "units.xlsx?state=vacant",
    ];
    let mut sheets = Vec::new();
    for l in lists {
        let (st, ct, bytes) = download(&app, &api, &format!("/api/v1/communities/{c}/{l}")).await;
        assert_eq!((st, ct.as_str()), (200, XLSX), "{l}");
        assert_eq!(&bytes[..2], b"PK", "{l} is a zip (xlsx)");
        let rows = cells(bytes);
        assert!(
            !rows.iter().flatten().any(|x| x.contains("13812345678")),
            "{l} holds no clear phone: {rows:?}"
        );
        sheets.push(rows);
    }
    assert_eq!(sheets[0][1], vec!["1栋", "18", "2", ""]);
    assert_eq!(
        sheets[1][1],
        vec![
            "沪A12345",
            "大众",
            "黑",
            "李四",
            "138****5678",
            "1栋-1802",
            ""
        ]
    );
    assert_eq!(
        sheets[2][1],
        vec!["B2-017", "出租", "", "李四", "138****5678", ""]
    );
    assert_eq!(
        sheets[3],
        vec![
            vec!["姓名", "电话", "房屋", "重点客户说明", "备注"],
            vec![
                "李四",
                "138****5678",
                "1栋-1802",
                "常投诉噪音，回电 138****5678",
                ""
            ],
        ]
    );
    assert_eq!(
        sheets[4],
        vec![
            vec![
                "楼栋",
                "房号",
                "楼层",
                "建筑面积",
                "业主",
                "看管人",
                "最近巡查日期",
                "最近巡查情况",
                "备注"
            ],
            vec![
                "1栋",
                "1802",
                "18",
                "120.5",
                "李四 138****5678",
                "keeper姓名",
                "2026-03-05",
                "门窗完好",
                ""
            ],
        ]
    );
    // The units export follows the list's filters: only the vacant unit.
    assert_eq!(
        sheets[5].len(),
        2,
        "header + the vacant unit: {:?}",
        sheets[5]
    );
    assert_eq!(sheets[5][1][1], "1802");
    let (_, _, all) = download(&app, &api, &format!("/api/v1/communities/{c}/units.xlsx")).await;
    assert_eq!(cells(all).len(), 3, "header + both units");
    let (_, _, none) = download(
        &app,
        &api,
        &format!(
            "/api/v1/communities/{c}/units.xlsx?building_id={}&use_kind=shop",
            b
        ),
    )
    .await;
    assert_eq!(cells(none).len(), 1, "no shop in the building");
    let (_, _, one) = download(
        &app,
        &api,
        &format!("/api/v1/communities/{c}/units.xlsx?unit_no=1802"),
    )
    .await;
    let one = cells(one);
    assert_eq!((one.len(), one[1][1].as_str()), (2, "1802"));
    let (st, e) = api
        .get(&format!("/api/v1/communities/{c}/units.xlsx?state=castle"))
        .await;
    assert_eq!((st.as_u16(), e["field"].as_str()), (422, Some("state")));

    // An agent of community A: A's lists, not B's. A role without registry.read: none.
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let owner = app.api_as("yezhu", "owner", &[app.community_a]).await;
    for l in lists {
        let (st, ..) = download(&app, &agent, &format!("/api/v1/communities/{c}/{l}")).await;
        assert_eq!(st, 200, "{l}");
        let (st, ..) = download(
            &app,
            &agent,
            &format!("/api/v1/communities/{}/{l}", app.community_b.0),
        )
        .await;
        assert_eq!(st, 404, "{l} of community B");
        let (st, ..) = download(&app, &owner, &format!("/api/v1/communities/{c}/{l}")).await;
        assert_eq!(st, 403, "{l} for an owner");
    }
}

async fn page(c: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let r = c
        .get(format!("{}{}", app.base, path))
        .send()
        .await
        .expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

#[tokio::test]
async fn console_edits_spaces_and_vehicles_and_shows_history_in_words() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;
    let zhang = person(&api, c, "张三", "13812345678", Some(unit)).await;
    let s1 = space(&api, c, "B2-017", "vacant").await;
    let v1 = vehicle(&api, c, "沪A12345").await;
    vehicle(&api, c, "沪B54321").await;
    let b_vehicle = vehicle(&api, app.community_b.0, "京A11111").await;
    app.user("desk", "service_agent", &[app.community_a]).await;
    let (cl, token) = console_login(&app, "desk").await;

    // The parking page links to the edit page, which saves and goes back (Post/Redirect/Get).
    let (st, list) = page(&cl, &app, &format!("/communities/{c}/parking")).await;
    assert_eq!(st, 200);
    assert!(list.contains(&format!(
        "href=\"/parking/{s1}?back=/communities/{c}/parking\""
    )));
    assert!(list.contains(&format!("href=\"/communities/{c}/parking-spaces.xlsx\"")));
    let (st, edit) = page(&cl, &app, &format!("/parking/{s1}?back=/units/{unit}")).await;
    assert_eq!(st, 200);
    assert!(
        edit.contains("<textarea name=\"note\""),
        "note is a textarea"
    );
    let r = cl
        .post(format!("{}/parking/{s1}/edit", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("state", "rented"),
            ("unit_id", unit.to_string().as_str()),
            ("person_id", zhang.to_string().as_str()),
            ("note", "第一行\r\n第二行"),
            ("back", format!("/units/{unit}").as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], format!("/units/{unit}").as_str());
    let (_, s) = api.get(&format!("/api/v1/parking-spaces/{s1}")).await;
    assert_eq!(
        (
            s["state"].as_str(),
            s["person_id"].as_i64(),
            s["note"].as_str()
        ),
        (Some("rented"), Some(zhang), Some("第一行\r\n第二行"))
    );
    let (_, edit) = page(&cl, &app, &format!("/parking/{s1}")).await;
    assert!(
        edit.contains("状态：空闲 → 出租") && edit.contains("使用人：— → 张三"),
        "the space's history in words: {edit}"
    );

    // A bad form comes back with the message beside its field, and changes nothing.
    let r = cl
        .post(format!("{}/parking/{s1}/edit", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("state", "sold"),
            ("unit_id", ""),
            ("person_id", "abc"),
            ("note", ""),
            ("back", "https://evil.example/"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(html.contains("人员：不是有效的数字"), "{html}");
    let (_, now) = api.get(&format!("/api/v1/parking-spaces/{s1}")).await;
    assert_eq!(now, s);

    // Vehicle: a taken plate is refused on the form (409); a good edit goes back to the list.
    let r = cl
        .post(format!("{}/vehicles/{v1}/edit", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("plate", "沪B54321"),
            ("brand", "大众"),
            ("color", "黑"),
            ("person_id", ""),
            ("unit_id", ""),
            ("space_id", ""),
            ("back", ""),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 409);
    assert!(
        r.text()
            .await
            .expect("body")
            .contains("车牌号：车牌号已登记")
    );
    let r = cl
        .post(format!("{}/vehicles/{v1}/edit", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("plate", "沪A12346"),
            ("brand", "大众"),
            ("color", "白"),
            ("person_id", zhang.to_string().as_str()),
            ("unit_id", ""),
            ("space_id", s1.to_string().as_str()),
            ("back", "//evil.example"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(
        r.headers()["location"],
        format!("/communities/{c}/vehicles").as_str(),
        "an outside back address is not followed"
    );
    let (_, v) = api.get(&format!("/api/v1/vehicles/{v1}")).await;
    assert_eq!(
        (
            v["plate"].as_str(),
            v["person_name"].as_str(),
            v["space_code"].as_str()
        ),
        (Some("沪A12346"), Some("张三"), Some("B2-017"))
    );
    let (st, _) = page(&cl, &app, &format!("/vehicles/{b_vehicle}")).await;
    assert_eq!(st, 404, "another community's vehicle");
    let r = cl
        .post(format!("{}/vehicles/{b_vehicle}/edit", app.base))
        .form(&[("_csrf", token.as_str()), ("plate", "京A22222")])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 404);

    // The unit page's history reads as words: changed fields with labels, people by name.
    api.patch(
        &format!("/api/v1/units/{unit}"),
        json!({"building_area": "90.25", "state": "rented"}),
    )
    .await;
    let (st, html) = page(&cl, &app, &format!("/units/{unit}")).await;
    assert_eq!(st, 200);
    for want in [
        "建筑面积：89.50 → 90.25",
        "状态：自住 → 出租",
        "添加业主 张三",
        "房号：1801",
    ] {
        assert!(html.contains(want), "{want} on the unit page");
    }
    assert!(
        !html.contains("building_area&#34;") && !html.contains("building_area&quot;"),
        "no raw JSON"
    );
    assert!(html.contains(&format!("href=\"/vehicles/{v1}?back=/units/{unit}\"")));

    // The units list exports what it shows.
    let (_, list) = page(
        &cl,
        &app,
        &format!("/communities/{c}/units?state=rented&use_kind=residential"),
    )
    .await;
    let link = format!(
        "/communities/{c}/units.xlsx?building_id=&#38;state=rented&#38;use_kind=residential&#38;unit_no="
    );
    assert!(list.contains(&link), "{list}");
    let r = cl
        .get(format!("{}{}", app.base, link.replace("&#38;", "&")))
        .send()
        .await
        .expect("get");
    assert_eq!(r.headers()["content-type"], XLSX);
    assert_eq!(cells(r.bytes().await.expect("bytes").to_vec()).len(), 2);
    let r = cl
        .get(format!("{}/communities/{c}/vehicles.xlsx", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["content-type"], XLSX);
    let r = cl
        .get(format!(
            "{}/communities/{}/vacant-units.xlsx",
            app.base, app.community_b.0
        ))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
}

/// A vehicle's holder deleted while the vehicle is being given to him: the delete wins or the
/// update does, and the loser gets a clear answer (the update 422 on `person_id`), never a 500.
/// The window between the update's checks and its write is short: the race is run many times.
#[tokio::test]
async fn a_holder_deleted_under_an_update_is_a_clear_error_not_a_server_error() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let v = vehicle(&api, c, "沪A9R001").await;
    for i in 0..30 {
        let p = person(&api, c, "竞态", &format!("1390000{i:04}"), None).await;
        let patch = tokio::spawn({
            let api = api.clone();
            async move {
                api.patch(&format!("/api/v1/vehicles/{v}"), json!({ "person_id": p }))
                    .await
            }
        });
        let delete = tokio::spawn({
            let api = api.clone();
            async move { api.delete(&format!("/api/v1/people/{p}")).await }
        });
        let (st, body) = patch.await.expect("patch task");
        match st.as_u16() {
            200 => {}
            422 => assert_eq!(
                error_fields(&body),
                vec![("person_id".into(), "unknown_person".into())],
                "{body}"
            ),
            other => panic!("PATCH answered {other}: {body}"),
        }
        let (st, body) = delete.await.expect("delete task");
        assert_eq!(st, 204, "{body}");
        let (st, now) = api.get(&format!("/api/v1/vehicles/{v}")).await;
        assert_eq!(st, 200, "{now}");
        assert!(now["person_id"].is_null(), "the holder is gone: {now}");
    }
}
