//! Spreadsheet import and export over the API: all rows or none, errors per cell.

use rust_xlsxwriter::Workbook;
use serde_json::Value;

use crate::app;

const HEADERS: [&str; 11] = [
    "楼栋",
    "房号",
    "楼层",
    "建筑面积",
    "套内面积",
    "用途",
    "状态",
    "业主姓名",
    "业主电话",
    "证件号码",
    "备注",
];
pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

pub fn workbook(rows: &[[&str; 11]]) -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (c, v) in row.iter().enumerate() {
            if !v.is_empty() {
                ws.write_string(r as u32 + 1, c as u16, *v).expect("cell");
            }
        }
    }
    wb.save_to_buffer().expect("xlsx")
}

#[tokio::test]
async fn good_file_imports_bad_file_imports_nothing() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let good = workbook(&[
        [
            "2栋",
            "101",
            "1",
            "88.50",
            "70.10",
            "住宅",
            "自住",
            "钱一",
            "13700001111",
            "11010519491231002X",
            "",
        ],
        [
            "2栋", "102", "1", "66", "", "商铺", "空置", "", "", "", "临街",
        ],
        [
            "1栋",
            "201",
            "2",
            "120.25",
            "100",
            "",
            "",
            "钱二",
            "021-62345678",
            "",
            "",
        ],
    ]);
    let (st, v) = api
        .post_raw(&format!("/api/v1/communities/{c}/import/units"), XLSX, good)
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (
            v["rows"].as_u64(),
            v["units_created"].as_u64(),
            v["people_created"].as_u64(),
            v["buildings_created"].as_u64()
        ),
        (Some(3), Some(3), Some(2), Some(1))
    );
    let (_, hits) = api.get("/api/v1/search?q=13700001111").await;
    assert_eq!(hits[0]["title"], "钱一");
    let (_, units) = api
        .get(&format!("/api/v1/units?community_id={c}&unit_no=201"))
        .await;
    assert_eq!(units[0]["building_area"], "120.25");
    assert_eq!(units[0]["state"], "vacant", "empty state defaults to 空置");

    let (units_before, people_before, audit_before) = (
        app.count("units").await,
        app.count("people").await,
        app.count("audit_log").await,
    );
    let bad = workbook(&[
        ["3栋", "101", "1", "-5", "", "住宅", "自住", "", "", "", ""],
        [
            "3栋", "102", "1", "80.123", "", "住宅", "自住", "孙三", "1380000", "", "",
        ],
        [
            "3栋",
            "102",
            "1",
            "80",
            "",
            "住宅",
            "自住",
            "",
            "",
            "110105194912310021",
            "",
        ],
        ["2栋", "101", "1", "80", "", "住宅", "自住", "", "", "", ""],
        ["3栋", "104", "1", "80", "", "别墅", "自住", "", "", "", ""],
    ]);
    let (st, v) = api
        .post_raw(&format!("/api/v1/communities/{c}/import/units"), XLSX, bad)
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(v["code"], "import_rows_invalid");
    let errs: Vec<(u64, String, String)> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").into(),
                e["code"].as_str().unwrap_or("").into(),
            )
        })
        .collect();
    for want in [
        (2, "建筑面积", "must_be_positive"),
        (3, "建筑面积", "too_many_decimals"),
        (3, "业主电话", "invalid_phone"),
        (4, "证件号码", "id_number_check_digit"),
        (4, "业主姓名", "required"),
        (5, "房号", "duplicate_unit_no"),
        (6, "用途", "unknown_unit_use"),
    ] {
        assert!(
            errs.contains(&(want.0, want.1.to_string(), want.2.to_string())),
            "{want:?} not in {errs:?}"
        );
    }
    let msg = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .find(|e| e["row"] == 2)
        .expect("row 2")["message"]
        .as_str()
        .unwrap_or("")
        .to_string();
    assert_eq!(msg, "第 2 行 [建筑面积]：必须大于 0");
    // Nothing at all was written: no unit, no person, no building 3栋, no audit entry.
    assert_eq!(
        (
            app.count("units").await,
            app.count("people").await,
            app.count("audit_log").await
        ),
        (units_before, people_before, audit_before)
    );
    let (_, blds) = api.get(&format!("/api/v1/communities/{c}/buildings")).await;
    assert!(!blds.to_string().contains("3栋"));
}

#[tokio::test]
async fn file_level_errors_and_exports() {
    let app = app().await;
    let api = app.admin().await;
    let c = app.community_a.0;
    let path = format!("/api/v1/communities/{c}/import/units");
    let (st, v) = api.post_raw(&path, XLSX, b"name,phone\n".to_vec()).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str(), v["field"].as_str()),
        (422, Some("not_xlsx"), Some("file"))
    );
    let mut wb = Workbook::new();
    wb.add_worksheet().write_string(0, 0, "楼栋").expect("cell");
    let (st, v) = api
        .post_raw(&path, XLSX, wb.save_to_buffer().expect("xlsx"))
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("missing_columns"))
    );
    // Over the upload limit (2 MB in tests): 413 with a JSON error, and the server keeps serving.
    let (st, v) = api.post_raw(&path, XLSX, vec![0u8; 3 * 1024 * 1024]).await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (413, Some("file_too_large"))
    );
    let (st, _) = api.get("/api/v1/me").await;
    assert_eq!(st, 200);
    // Another community's import is refused.
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let (st, _) = agent
        .post_raw(
            &format!("/api/v1/communities/{}/import/units", app.community_b.0),
            XLSX,
            workbook(&[]),
        )
        .await;
    assert_eq!(st, 404);

    // Template and exports are real spreadsheets.
    for p in [
        "/api/v1/import/units/template.xlsx".to_string(),
        format!("/api/v1/communities/{c}/units.xlsx"),
        format!("/api/v1/communities/{c}/people.xlsx"),
    ] {
        let r = api
            .client
            .get(format!("{}{}", app.base, p))
            .bearer_auth(api.token.clone().unwrap_or_default())
            .send()
            .await
            .expect("get");
        assert_eq!(r.status(), 200, "{p}");
        assert_eq!(r.headers()["content-type"], XLSX);
        let bytes = r.bytes().await.expect("bytes");
        assert_eq!(&bytes[..2], b"PK", "{p} is a zip (xlsx)");
    }
    let _: Value = Value::Null;
}
