//! Quality audits (issue 16 points 1–3), over the API on a fresh database: the seed's two sheets
//! written on first read, item for item; a sheet added (bad input named) and edited into its next
//! version while an audit keeps the version it pinned; an audit opened with weights summing to
//! 100 %; items scored once with deductions inside their ranges; a hand-computed weighted total
//! and grade; sign-off refused while incomplete, once when two auditors sign at once, and nothing
//! changes after.

use serde_json::{Value, json};

use super::duty::staff;
use super::{app, error_fields};

fn codes(e: &Value) -> Vec<(String, String)> {
    let mut v = error_fields(e);
    v.sort();
    v
}

fn pair(a: &str, b: &str) -> (String, String) {
    (a.to_string(), b.to_string())
}

/// Every element present but those listed missing with their deductions.
fn findings(count: usize, missing: &[(usize, &str)]) -> Value {
    json!({"elements": (0..count).map(|k| match missing.iter().find(|(m, _)| *m == k) {
        Some((_, d)) => json!({"present": false, "deduction": d}),
        None => json!({"present": true}),
    }).collect::<Vec<_>>()})
}

fn item<'a>(audit: &'a Value, part: usize, name: &str) -> &'a Value {
    audit["parts"][part]["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|i| i["item"] == name)
        .unwrap_or_else(|| panic!("{name}"))
}

#[tokio::test]
async fn an_audit_scores_pinned_sheets_and_is_signed_off_once_with_its_grade() {
    let app = app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "qa1", "quality_auditor").await;
    let (_, qa2) = staff(&app, "qa2", "quality_auditor").await;
    let (_, pm) = staff(&app, "pm1", "project_manager").await;

    // The seed's sheets, item for item.
    let (st, _) = pm.get("/api/v1/audit-sheets").await;
    assert_eq!(st, 403);
    let (st, sheets) = qa.get("/api/v1/audit-sheets").await;
    assert_eq!(st, 200, "{sheets}");
    let cs = &sheets[0];
    assert_eq!(
        (&cs["code"], &cs["name"], &cs["weight_pct"], &cs["max_cp"]),
        (
            &json!("customer_service"),
            &json!("客户服务督导评分细则"),
            &json!(25),
            &json!(10000)
        )
    );
    assert_eq!(cs["items"].as_array().unwrap().len(), 19);
    let key = cs["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["item"] == "钥匙管理")
        .unwrap();
    assert_eq!(key["elements"][2], "建立钥匙清单台帐");
    assert_eq!(key["rule"], "1.符合5分；2.每缺一项扣0.5-2分");
    let fac = &sheets[1];
    assert_eq!(
        (
            &fac["code"],
            &fac["max_cp"],
            fac["items"].as_array().unwrap().len()
        ),
        (&json!("facility"), &json!(2000), 6)
    );
    let (_, again) = qa.get("/api/v1/audit-sheets").await;
    assert_eq!(again.as_array().unwrap().len(), 2, "written once");

    // A sheet of the company's own: bad input named.
    let item_of = |name: &str, max: &str, lo: &str, hi: &str| {
        json!({"section": "公共区域", "item": name, "elements": ["地面无垃圾", "墙面无污迹", "垃圾桶日产日清"],
               "max": max, "deduct_min": lo, "deduct_max": hi})
    };
    let (st, e) = qa
        .post(
            "/api/v1/audit-sheets",
            json!({"name": "保洁督导评分细则", "weight_pct": 0,
                   "items": [item_of("楼道", "60", "1", "2"), item_of("大堂", "50", "1", "2"), item_of("电梯", "x", "1", "2"),
                             item_of("门厅", "5", "2", "1")]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("code", "required"),
                pair("items", "audit_sheet_over_100"),
                pair("items[2].max", "invalid_points"),
                pair("items[3].deduct_max", "audit_item_deduct_range"),
                pair("weight_pct", "audit_weight_range"),
            ]
        )
    );
    let cleaning = json!({"code": "cleaning", "name": "保洁督导评分细则", "weight_pct": 20,
                          "items": [item_of("楼道", "30", "1", "5"), item_of("大堂", "20", "0.5", "2")]});
    let (st, cl) = qa.post("/api/v1/audit-sheets", cleaning.clone()).await;
    assert_eq!(st, 201, "{cl}");
    assert_eq!((&cl["version"], &cl["max_cp"]), (&json!(1), &json!(5000)));
    let (st, e) = qa.post("/api/v1/audit-sheets", cleaning).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("code", "audit_sheet_code_taken")])
    );

    // An audit: weights summing to 100, each sheet once, sheets of the company.
    let (cs_id, fac_id) = (cs["id"].as_i64().unwrap(), fac["id"].as_i64().unwrap());
    let audits = format!("/api/v1/communities/{a}/audits");
    let (st, e) = qa
        .post(
            &audits,
            json!({"sheets": [{"sheet_id": cs_id, "weight_pct": 25}, {"sheet_id": cs_id, "weight_pct": 25},
                              {"sheet_id": 999_999, "weight_pct": 40}], "method": "sneaky"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("method", "unknown_audit_method"),
                pair("sheets", "audit_weights_sum"),
                pair("sheets[1].sheet_id", "audit_sheet_twice"),
                pair("sheets[2].sheet_id", "unknown_audit_sheet"),
            ]
        )
    );
    let (st, au) = qa
        .post(
            &audits,
            json!({"sheets": [{"sheet_id": cs_id, "weight_pct": 25}, {"sheet_id": fac_id, "weight_pct": 75}],
                   "method": "open", "note": "第四季度检查验收"}),
        )
        .await;
    assert_eq!(st, 201, "{au}");
    assert_eq!(
        (
            &au["number"],
            &au["state"],
            &au["item_count"],
            &au["scored_count"]
        ),
        (&json!("PZ-000001"), &json!("open"), &json!(25), &json!(0))
    );
    let id = au["id"].as_i64().unwrap();

    // The facility sheet edited meanwhile: its next version; the audit keeps version 1.
    let mut fac_items: Vec<Value> = fac["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            json!({"section": i["section"], "item": i["item"], "standard": i["standard"], "elements": i["elements"],
                   "max": "4", "deduct_min": "0.2", "deduct_max": "1"})
        })
        .collect();
    fac_items.truncate(2);
    let (st, f2) = qa
        .put(
            &format!("/api/v1/audit-sheets/{fac_id}"),
            json!({"name": "设施设备维护督导评分细则", "weight_pct": 30, "items": fac_items}),
        )
        .await;
    assert_eq!(st, 200, "{f2}");
    assert_eq!((&f2["version"], &f2["max_cp"]), (&json!(2), &json!(800)));
    let (_, au) = qa.get(&format!("/api/v1/audits/{id}")).await;
    assert_eq!(
        (&au["parts"][1]["version"], &au["parts"][1]["max_cp"]),
        (&json!(1), &json!(2000))
    );

    // Scoring: one finding per element, deductions inside the item's range.
    let score = |i: &Value| format!("/api/v1/audits/{id}/items/{}", i["id"]);
    let demand = item(&au, 0, "客户需求信息受理");
    let (st, e) = qa.put(&score(demand), findings(3, &[])).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("elements", "audit_elements_count")])
    );
    let (st, e) = qa
        .put(
            &score(demand),
            json!({"elements": [{"present": true, "deduction": "1"}, {"present": false, "deduction": "2.5"},
                                {"present": false, "deduction": "0.5"}, {"present": false}]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (
            422,
            vec![
                pair("elements[0].deduction", "audit_deduction_range"),
                pair("elements[1].deduction", "audit_deduction_range"),
                pair("elements[2].deduction", "audit_deduction_range"),
                pair("elements[3].deduction", "audit_deduction_range"),
            ]
        )
    );
    // 客户需求信息受理 (10 points, 1–2 a missing element): two missing, 1.5 + 2.
    let (st, au) = qa
        .put(&score(demand), findings(4, &[(2, "1.5"), (3, "2")]))
        .await;
    assert_eq!(st, 200, "{au}");
    assert_eq!(
        item(&au, 0, "客户需求信息受理")["score"]["deduction_cp"],
        350
    );
    let (st, e) = qa.put(&score(demand), findings(4, &[])).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("item", "audit_item_scored")])
    );
    // Cleared and scored again the same.
    let (st, _) = qa.delete(&score(demand)).await;
    assert_eq!(st, 200);
    let (st, _) = qa
        .put(&score(demand), findings(4, &[(2, "1.5"), (3, "2")]))
        .await;
    assert_eq!(st, 200);
    // An item of another sheet is none of this audit's.
    let (st, _) = qa
        .put(
            &format!("/api/v1/audits/{id}/items/{}", cl["items"][0]["id"]),
            findings(3, &[]),
        )
        .await;
    assert_eq!(st, 404);

    // 钥匙管理: no 钥匙清单台帐, 2 off. 供电设备: one missing, 1 off. The rest present.
    let keys = item(&au, 0, "钥匙管理");
    let (st, _) = qa.put(&score(keys), findings(4, &[(2, "2")])).await;
    assert_eq!(st, 200);
    let power = item(&au, 1, "供电设备");
    let (st, _) = qa.put(&score(power), findings(4, &[(0, "1")])).await;
    assert_eq!(st, 200);
    let (st, e) = qa
        .post(&format!("/api/v1/audits/{id}/sign"), json!({}))
        .await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (422, vec![pair("items", "audit_incomplete")])
    );
    assert!(e["message"].as_str().unwrap().contains("22"), "{e}");
    let (_, au) = qa.get(&format!("/api/v1/audits/{id}")).await;
    for part in 0..2 {
        for i in au["parts"][part]["items"].as_array().unwrap() {
            if i["score"].is_null() {
                let n = i["elements"].as_array().unwrap().len();
                let (st, v) = qa.put(&score(i), findings(n, &[])).await;
                assert_eq!(st, 200, "{v}");
            }
        }
    }

    // 客户服务 100 − 5.5 = 94.5; 设施设备 (20 points) 20 − 1 = 19 → 95;
    // 94.5 × 25 % + 95 × 75 % = 23.625 + 71.25 = 94.875 → 94.88: 优秀, no team bonus.
    let sign = format!("/api/v1/audits/{id}/sign");
    let ((s1, v1), (s2, v2)) = tokio::join!(qa.post(&sign, json!({})), qa2.post(&sign, json!({})));
    let mut got = [s1.as_u16(), s2.as_u16()];
    got.sort();
    assert_eq!(got, [200, 409], "{v1} / {v2}");
    let (_, au) = qa.get(&format!("/api/v1/audits/{id}")).await;
    assert_eq!(
        (
            &au["state"],
            &au["parts"][0]["score_cp"],
            &au["parts"][1]["score_cp"],
            &au["total_cp"],
            &au["grade"],
            &au["team_bonus"]
        ),
        (
            &json!("signed"),
            &json!(9450),
            &json!(9500),
            &json!(9488),
            &json!("excellent"),
            &json!(false)
        )
    );
    // Nothing changes after.
    let (st, e) = qa.delete(&score(demand)).await;
    assert_eq!(
        (st.as_u16(), codes(&e)),
        (409, vec![pair("state", "audit_signed")])
    );
    let (_, list) = qa.get(&audits).await;
    assert_eq!(
        (&list[0]["number"], &list[0]["grade"], &list[0]["total_cp"]),
        (&json!("PZ-000001"), &json!("excellent"), &json!(9488))
    );
}
