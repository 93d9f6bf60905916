//! Unit tests of the page group's pure helpers.

use super::*;

#[test]
fn sizes_read_like_people_write_them() {
    assert_eq!(size_label(20 * 1024 * 1024), "20 MB");
    assert_eq!(size_label(1536 * 1024), "1.5 MB");
    assert_eq!(size_label(1000), "1 KB");
}

fn lines(before: Option<Value>, after: Option<Value>, l: Locale) -> Vec<String> {
    let names = HashMap::from([(7, "李四".to_string())]);
    change_lines(UNIT_FIELDS, before.as_ref(), after.as_ref(), l, &names)
}

#[test]
fn history_shows_only_what_changed_in_words() {
    let before = serde_json::json!({"id": 3, "unit_no": "301", "floor": 3, "building_area": "89.50",
        "use_kind": "residential", "state": "occupied", "keeper_user_id": null, "keeper_name": null,
        "note": null, "updated_at": "2026-01-01T00:00:00Z"});
    let mut after = before.clone();
    after["building_area"] = "90.25".into();
    after["state"] = "rented".into();
    after["updated_at"] = "2026-02-01T00:00:00Z".into();
    assert_eq!(
        lines(Some(before.clone()), Some(after.clone()), Locale::Zh),
        vec!["建筑面积：89.50 → 90.25", "状态：自住 → 出租"]
    );
    assert_eq!(
        lines(Some(before.clone()), Some(after), Locale::En),
        vec!["Building area: 89.50 → 90.25", "State: Occupied → Rented"]
    );
    // A keeper appears by name; clearing a note reads as "—".
    let mut kept = before.clone();
    kept["keeper_user_id"] = 5.into();
    kept["keeper_name"] = "小李".into();
    kept["note"] = "钥匙在前台".into();
    let mut cleared = kept.clone();
    cleared["note"] = Value::Null;
    assert_eq!(
        lines(Some(before), Some(kept.clone()), Locale::Zh),
        vec!["空置房看管人：— → 小李", "备注：— → 钥匙在前台"]
    );
    assert_eq!(
        lines(Some(kept), Some(cleared), Locale::Zh),
        vec!["备注：钥匙在前台 → —"]
    );
}

#[test]
fn history_shows_a_created_units_key_facts() {
    let created = serde_json::json!({"id": 3, "building_name": "1栋", "unit_no": "301", "floor": 3,
        "building_area": "89.50", "inner_area": "72.30", "use_kind": "shop", "state": "vacant",
        "keeper_name": null, "created_at": "x"});
    assert_eq!(
        lines(None, Some(created), Locale::Zh),
        vec![
            "楼栋：1栋",
            "房号：301",
            "楼层：3",
            "建筑面积：89.50",
            "用途：商铺",
            "状态：空置"
        ]
    );
}

#[test]
fn history_shows_people_linked_and_removed_by_name() {
    let added = serde_json::json!({"person_added": "张三", "person_id": 6, "relation": "owner", "link_id": 1});
    assert_eq!(lines(None, Some(added), Locale::Zh), vec!["添加业主 张三"]);
    // The form may have sent the Chinese label.
    let added = serde_json::json!({"person_added": "王五", "person_id": 8, "relation": "租户"});
    assert_eq!(lines(None, Some(added), Locale::Zh), vec!["添加租户 王五"]);
    let removed = serde_json::json!({"person_removed": 7, "relation": "tenant"});
    assert_eq!(
        lines(Some(removed), None, Locale::Zh),
        vec!["移除租户 李四"]
    );
    let unknown = serde_json::json!({"person_removed": 99, "relation": "member"});
    assert_eq!(
        lines(Some(unknown), None, Locale::Zh),
        vec!["移除家庭成员 #99"]
    );
    let inspected = serde_json::json!({"inspection_id": 4, "inspected_on": "2026-03-05"});
    assert_eq!(
        lines(None, Some(inspected), Locale::Zh),
        vec!["添加巡查记录（2026-03-05）"]
    );
}

#[test]
fn history_of_spaces_and_vehicles_uses_their_labels() {
    let names = HashMap::new();
    let before = serde_json::json!({"code": "B2-017", "state": "vacant", "unit_id": null, "holder_name": null});
    let after = serde_json::json!({"code": "B2-017", "state": "rented", "unit_id": 12, "holder_name": "张三"});
    assert_eq!(
        change_lines(
            SPACE_FIELDS,
            Some(&before),
            Some(&after),
            Locale::Zh,
            &names
        ),
        vec!["状态：空闲 → 出租", "房屋：— → #12", "使用人：— → 张三"]
    );
    let before =
        serde_json::json!({"plate": "沪A12345", "person_name": "张三", "space_code": null});
    let after =
        serde_json::json!({"plate": "沪A12346", "person_name": "张三", "space_code": "B2-017"});
    assert_eq!(
        change_lines(
            VEHICLE_FIELDS,
            Some(&before),
            Some(&after),
            Locale::Zh,
            &names
        ),
        vec!["车牌号：沪A12345 → 沪A12346", "车位：— → B2-017"]
    );
    // An entry of a shape no field list knows is shown as recorded, not dropped.
    let odd = serde_json::json!({"merged_into": 5, "updated_at": "x"});
    assert_eq!(
        change_lines(UNIT_FIELDS, None, Some(&odd), Locale::Zh, &names),
        vec![r#"{"merged_into":5}"#]
    );
}

#[test]
fn only_local_paths_are_followed_back() {
    assert_eq!(safe_back("/units/3", "/"), "/units/3");
    assert_eq!(safe_back("//evil.example", "/"), "/");
    assert_eq!(safe_back("https://evil.example", "/"), "/");
}
