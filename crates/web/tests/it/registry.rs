//! The registry over the API: communities, buildings, units, people, vehicles, parking and
//! search, keepers and unit labels, with validation that names the field.

use serde_json::json;

use crate::{app, error_fields, new_unit};

#[tokio::test]
async fn units_are_created_validated_updated_and_deleted() {
    let app = app().await;
    let api = app.admin().await;
    let b = app.building_a.0;
    let id = new_unit(&api, b, "301").await;

    let (st, v) = api.get(&format!("/api/v1/units/{id}")).await;
    assert_eq!(st, 200);
    assert_eq!(v["unit"]["unit_no"], "301");
    assert_eq!(v["unit"]["building_area"], "89.50");
    assert_eq!(v["unit"]["inner_area"], "72.30");
    assert_eq!(v["unit"]["building_name"], "1栋");
    assert_eq!(v["unit"]["state"], "occupied");

    // A duplicate number in the same building: 409 naming unit_no; nothing written.
    let before = app.count("units").await;
    let (st, v) = api
        .post("/api/v1/units", json!({"building_id": b, "unit_no": "301", "floor": 3, "building_area": 90, "use_kind": "住宅", "state": "空置"}))
        .await;
    assert_eq!(st, 409);
    assert_eq!(v["code"], "duplicate_unit_no");
    assert_eq!(v["field"], "unit_no");
    assert_eq!(v["message"], "房号：该楼栋已有此房号");
    assert_eq!(app.count("units").await, before);

    // Every bad field is reported at once; nothing written.
    let (st, v) = api
        .post(
            "/api/v1/units",
            json!({"building_id": b, "unit_no": "", "floor": 0, "building_area": "-3", "inner_area": "1.234",
                   "use_kind": "castle", "state": "sold"}),
        )
        .await;
    assert_eq!(st, 422);
    let fields = error_fields(&v);
    for (f, c) in [
        ("unit_no", "required"),
        ("floor", "floor_out_of_range"),
        ("building_area", "must_be_positive"),
        ("inner_area", "too_many_decimals"),
        ("use_kind", "unknown_unit_use"),
        ("state", "unknown_unit_state"),
    ] {
        assert!(
            fields.contains(&(f.to_string(), c.to_string())),
            "{f}/{c} missing in {fields:?}"
        );
    }
    assert_eq!(app.count("units").await, before);

    // Absurd area, inner above building area, oversized unit number.
    let (st, v) = api
        .post("/api/v1/units", json!({"building_id": b, "unit_no": "X".repeat(21), "floor": 2, "building_area": "100000.01", "use_kind": "shop", "state": "vacant"}))
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&v),
        vec![
            ("unit_no".into(), "too_long".into()),
            ("building_area".into(), "too_large".into())
        ]
    );
    let (st, v) = api
        .post("/api/v1/units", json!({"building_id": b, "unit_no": "302", "floor": 3, "building_area": "80", "inner_area": "80.01", "use_kind": "shop", "state": "vacant"}))
        .await;
    assert_eq!(st, 422);
    assert_eq!(v["field"], "inner_area");
    assert_eq!(v["code"], "inner_area_exceeds_building_area");

    // An unknown building is a field error, not a 500.
    let (st, v) = api
        .post("/api/v1/units", json!({"building_id": 999999, "unit_no": "1", "floor": 1, "building_area": "50", "use_kind": "shop", "state": "vacant"}))
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("building_id"))
    );

    // Update: state and area change, history keeps before and after.
    let (st, v) = api
        .patch(
            &format!("/api/v1/units/{id}"),
            json!({"state": "rented", "building_area": "90.25"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "rented");
    assert_eq!(v["building_area"], "90.25");
    let (_, d) = api.get(&format!("/api/v1/units/{id}")).await;
    let history = d["history"].as_array().expect("history");
    assert_eq!(history.len(), 2, "create + update");
    assert_eq!(history[0]["action"], "update");
    let before: serde_json::Value =
        serde_json::from_str(history[0]["before_json"].as_str().expect("before")).expect("json");
    let after: serde_json::Value =
        serde_json::from_str(history[0]["after_json"].as_str().expect("after")).expect("json");
    assert_eq!(before["state"], "occupied");
    assert_eq!(after["state"], "rented");
    assert_eq!(after["building_area"], "90.25");

    // A unit with people cannot be deleted; without, it can.
    let (st, _) = api
        .post("/api/v1/people", json!({"community_id": app.community_a.0, "name": "张三", "phone": "13812345678", "unit_id": id, "relation": "owner"}))
        .await;
    assert_eq!(st, 201);
    let (st, v) = api.delete(&format!("/api/v1/units/{id}")).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("unit_has_people"))
    );
    let other = new_unit(&api, b, "303").await;
    let (st, _) = api.delete(&format!("/api/v1/units/{other}")).await;
    assert_eq!(st, 204);
    let (st, _) = api.get(&format!("/api/v1/units/{other}")).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn people_vehicles_parking_and_search() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let unit = new_unit(&api, app.building_a.0, "1801").await;

    // One person with two units; one unit with two owners.
    let (st, p) = api
        .post("/api/v1/people", json!({"community_id": c, "name": "李四", "phone": "139 1234 5678", "id_number": "11010519491231002X",
                                         "unit_id": unit, "relation": "owner", "is_key_customer": true, "key_customer_note": "曾投诉"}))
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["phone"], "139****5678");
    assert_eq!(p["id_number"], "110105********002X");
    assert_eq!(p["is_key_customer"], true);
    let li = p["id"].as_i64().expect("id");
    let unit2 = new_unit(&api, app.building_a.0, "1802").await;
    let (st, d) = api
        .post(
            &format!("/api/v1/units/{unit2}/people"),
            json!({"person_id": li, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{d}");
    let (st, _) = api
        .post(
            &format!("/api/v1/units/{unit2}/people"),
            json!({"person_id": li, "relation": "tenant"}),
        )
        .await;
    assert_eq!(st, 409, "linked twice");
    let (_, w) = api
        .post(
            "/api/v1/people",
            json!({"community_id": c, "name": "王五", "unit_id": unit, "relation": "owner"}),
        )
        .await;
    let (_, d) = api.get(&format!("/api/v1/units/{unit}")).await;
    let names: Vec<&str> = d["people"]
        .as_array()
        .expect("people")
        .iter()
        .map(|p| p["person"]["name"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(names, vec!["李四", "王五"]);
    let (_, person) = api.get(&format!("/api/v1/people/{li}")).await;
    assert_eq!(person["units"].as_array().expect("units").len(), 2);

    // Bad person input: named fields, nothing written.
    let before = app.count("people").await;
    let (st, v) = api
        .post("/api/v1/people", json!({"community_id": c, "name": "", "phone": "12345", "id_number": "110105194912310021"}))
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&v),
        vec![
            ("name".into(), "required".into()),
            ("phone".into(), "invalid_phone".into()),
            ("id_number".into(), "id_number_check_digit".into())
        ]
    );
    let name_msg = v["errors"][0]["message"].as_str().unwrap_or("").to_string();
    assert_eq!(name_msg, "姓名：必填", "a person's name is labelled 姓名");
    assert_eq!(app.count("people").await, before);
    let (st, v) = api
        .post(
            "/api/v1/people",
            json!({"community_id": 424242, "name": "赵六"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (404, Some("not_found")));

    // Parking and vehicles.
    let (st, sp) = api
        .post("/api/v1/parking-spaces", json!({"community_id": c, "code": "b1-001", "state": "sold", "unit_id": unit, "person_id": li}))
        .await;
    assert_eq!(st, 201, "{sp}");
    assert_eq!(sp["code"], "B1-001");
    let (st, v) = api
        .post("/api/v1/vehicles", json!({"community_id": c, "plate": "沪A·12345", "person_id": li, "unit_id": unit, "space_id": sp["id"], "brand": "比亚迪"}))
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["plate"], "沪A12345");
    assert_eq!(v["space_code"], "B1-001");
    let (st, v) = api
        .post(
            "/api/v1/vehicles",
            json!({"community_id": c, "plate": "沪A12345"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (409, Some("plate")));
    let (st, v) = api
        .post(
            "/api/v1/vehicles",
            json!({"community_id": c, "plate": "ABC"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("invalid_plate"))
    );

    // Search: unit number prefix, name prefix, exact phone, plate.
    let (_, hits) = api.get("/api/v1/search?q=180").await;
    let titles: Vec<&str> = hits
        .as_array()
        .expect("hits")
        .iter()
        .map(|h| h["title"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(titles, vec!["1栋-1801", "1栋-1802"]);
    let (_, hits) = api.get("/api/v1/search?q=%E6%9D%8E").await; // 李
    assert_eq!(hits[0]["title"], "李四");
    assert_eq!(hits[0]["kind"], "person");
    let (_, hits) = api.get("/api/v1/search?q=13912345678").await;
    assert_eq!(hits.as_array().expect("hits").len(), 1);
    assert_eq!(hits[0]["id"], li);
    let (_, hits) = api.get("/api/v1/search?q=13900000000").await;
    assert_eq!(hits.as_array().expect("hits").len(), 0);
    let (_, hits) = api.get("/api/v1/search?q=%E6%B2%AAA1").await; // 沪A1
    assert_eq!(hits[0]["kind"], "vehicle");
    assert_eq!(hits[0]["title"], "沪A12345");

    // Vacant unit: keeper and inspections.
    let (st, v) = api
        .patch(
            &format!("/api/v1/units/{unit2}"),
            json!({"state": "vacant", "keeper_user_id": 1}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = api
        .post(
            &format!("/api/v1/units/{unit2}/inspections"),
            json!({"inspected_on": "2026-11-01", "findings": "门窗完好"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, v) = api
        .post(
            &format!("/api/v1/units/{unit2}/inspections"),
            json!({"inspected_on": "2099-01-01", "findings": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("inspected_on"))
    );
    let (_, d) = api.get(&format!("/api/v1/units/{unit2}")).await;
    assert_eq!(d["inspections"][0]["findings"], "门窗完好");
    assert_eq!(d["unit"]["keeper_user_id"], 1);

    // Unlink and delete.
    let link = d["people"][0]["link_id"].as_i64().expect("link");
    let (st, _) = api
        .delete(&format!("/api/v1/units/{unit2}/people/{link}"))
        .await;
    assert_eq!(st, 204);
    let (st, _) = api.delete(&format!("/api/v1/people/{}", w["id"])).await;
    assert_eq!(st, 204);
}

#[tokio::test]
async fn buildings_and_communities() {
    let app = app().await;
    let api = app.admin().await;
    let (st, v) = api
        .post(
            "/api/v1/communities",
            json!({"code": "nw", "name": "新湾", "timezone": "Mars/Olympus"}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("timezone")));
    let (st, v) = api
        .post("/api/v1/communities", json!({"code": "nw", "name": "新湾"}))
        .await;
    assert_eq!(st, 201);
    assert_eq!(v["code"], "NW");
    assert_eq!(v["timezone"], "Asia/Shanghai");
    let (st, _) = api
        .post("/api/v1/communities", json!({"code": "NW", "name": "重复"}))
        .await;
    assert_eq!(st, 409);
    let c = v["id"].as_i64().expect("id");
    let (st, b) = api
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "9栋", "floors": 30}),
        )
        .await;
    assert_eq!(st, 201);
    let (st, _) = api
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "9栋"}),
        )
        .await;
    assert_eq!(st, 409);
    let (st, v) = api
        .post(
            "/api/v1/buildings",
            json!({"community_id": c, "name": "10栋", "floors": 500}),
        )
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("floors")));
    let bid = b["id"].as_i64().expect("id");
    new_unit(&api, bid, "101").await;
    let (st, v) = api.delete(&format!("/api/v1/buildings/{bid}")).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (409, Some("building_has_units"))
    );
    let (_, list) = api.get(&format!("/api/v1/communities/{c}/buildings")).await;
    assert_eq!(list[0]["unit_count"], 1);
}

#[tokio::test]
async fn labels_duplicates_and_keepers() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let u1 = new_unit(&api, app.building_a.0, "1801").await;
    new_unit(&api, app.building_a.0, "1802").await;
    new_unit(&api, app.building_b.0, "1801").await;

    // The label the system shows finds the unit; the building suffix may be left out.
    for (q, n) in [
        ("1栋-180", 2),
        ("1栋-1801", 1),
        ("1-1801", 1),
        ("9栋-1801", 0),
    ] {
        let (st, hits) = api
            .get(&format!(
                "/api/v1/search?q={}&community_id={c}",
                wuye_web::extract::urlencode(q)
            ))
            .await;
        assert_eq!(st, 200);
        assert_eq!(hits.as_array().map(Vec::len), Some(n), "{q}: {hits}");
    }
    let (_, hits) = api
        .get(&format!("/api/v1/search?q=1801&community_id={c}"))
        .await;
    assert_eq!(hits[0]["use_kind"], "residential");
    assert_eq!(hits[0]["state"], "occupied");

    // One person, one record: the same ID number again is a conflict naming the existing person.
    let (st, p) = api
        .post("/api/v1/people", json!({"community_id": c, "name": "郑一", "id_number": "11010519491231002X", "unit_id": u1, "relation": "owner"}))
        .await;
    assert_eq!(st, 201);
    let (st, v) = api
        .post(
            "/api/v1/people",
            json!({"community_id": c, "name": "郑一", "id_number": "11010519491231002x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str(), v["code"].as_str()),
        (409, Some("id_number"), Some("duplicate_id_number"))
    );
    assert!(
        v["message"]
            .as_str()
            .unwrap_or("")
            .contains(&p["id"].to_string()),
        "{v}"
    );
    // In another community the same person is a separate record.
    let (st, _) = api.post("/api/v1/people", json!({"community_id": app.community_b.0, "name": "郑一", "id_number": "11010519491231002X"})).await;
    assert_eq!(st, 201);

    // A keeper is staff of the unit's community: not an owner account, not staff of B only.
    let owner = app.user("owner9", "owner", &[app.community_a]).await;
    let b_only = app
        .user("agentb", "service_agent", &[app.community_b])
        .await;
    let a_agent = app
        .user("agenta", "service_agent", &[app.community_a])
        .await;
    for bad in [owner, b_only] {
        let (st, v) = api
            .patch(
                &format!("/api/v1/units/{u1}"),
                json!({"keeper_user_id": bad.0}),
            )
            .await;
        assert_eq!(
            (st.as_u16(), v["field"].as_str()),
            (422, Some("keeper_user_id"))
        );
    }
    let (st, v) = api
        .patch(
            &format!("/api/v1/units/{u1}"),
            json!({"keeper_user_id": a_agent.0}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(v["keeper_name"], "agenta姓名");
}
