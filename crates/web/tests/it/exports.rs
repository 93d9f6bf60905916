//! Lists exported to .xlsx, streamed (issue 16): the requests list under the same filters and
//! visibility as its page and API, every row (no page cap), codes as their Chinese labels,
//! phones masked, times in Beijing time; bad filters named; another community's rows absent.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use serde_json::json;
use wuye_testkit::{Api, TestApp};

use super::console::console_login;
use super::duty::staff;
use super::{app, error_fields, new_unit};

pub const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// GETs a download; status, content type and body.
pub async fn download(app: &TestApp, api: &Api, path: &str) -> (u16, String, Vec<u8>) {
    let r = api
        .client
        .get(format!("{}{}", app.base, path))
        .bearer_auth(api.token.clone().unwrap_or_default())
        .send()
        .await
        .expect("get");
    let status = r.status().as_u16();
    let ct = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    (status, ct, r.bytes().await.expect("bytes").to_vec())
}

/// The index of a header, or a panic naming it.
pub fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|x| x == name)
        .unwrap_or_else(|| panic!("no column {name}: {header:?}"))
}

/// A GET with a logged-in console client: the status and the body (a page or a workbook).
pub async fn web_get(web: &reqwest::Client, url: String) -> (u16, Vec<u8>) {
    let r = web.get(url).send().await.expect("get");
    let status = r.status().as_u16();
    (status, r.bytes().await.expect("bytes").to_vec())
}

/// The first sheet's cells as text ("" for empty; numbers as Rust prints them).
pub fn cells(bytes: Vec<u8>) -> Vec<Vec<String>> {
    let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).expect("xlsx");
    let range = wb.worksheet_range_at(0).expect("a sheet").expect("range");
    range
        .rows()
        .map(|r| {
            r.iter()
                .map(|d| match d {
                    Data::Empty => String::new(),
                    d => d.to_string(),
                })
                .collect()
        })
        .collect()
}

#[tokio::test]
async fn the_requests_list_exports_every_row_it_would_show() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let admin = app.admin().await;
    let (_, agent) = staff(&app, "ex1", "service_agent").await;
    let (_, pm) = staff(&app, "ex2", "project_manager").await;
    let unit = new_unit(&admin, app.building_a.0, "0601").await;
    for (k, kind) in ["repair_unit", "complaint_general", "repair_unit"]
        .iter()
        .enumerate()
    {
        let (st, r) = agent
            .post(
                "/api/v1/requests",
                json!({"community_id": a, "kind": kind, "category": "water", "channel": "hotline",
                       "unit_id": unit, "contact_name": "王先生", "contact_phone": "13812345678",
                       "description": format!("=SUM(A1) 事项{k}")}),
            )
            .await;
        assert_eq!(st, 201, "{r}");
    }
    // Community B's request: the admin sees it, A's staff do not.
    let (st, r) = admin
        .post(
            "/api/v1/requests",
            json!({"community_id": b, "kind": "inquiry", "category": "other", "channel": "front_desk",
                   "description": "乙小区咨询"}),
        )
        .await;
    assert_eq!(st, 201, "{r}");

    let (st, ct, bytes) = download(&app, &pm, "/api/v1/requests.xlsx").await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "the header and A's three: {rows:?}");
    let col = |name: &str| column(&rows[0], name);
    // Newest first; labels, not codes; the phone masked; text starting with "=" kept as text.
    assert_eq!(rows[1][col("单号")], "BX-000003");
    assert_eq!(rows[3][col("单号")], "BX-000001");
    assert_eq!(rows[2][col("类型")], "一般投诉");
    assert_eq!(rows[1][col("小区")], "甲小区");
    assert_eq!(rows[1][col("房屋")], "1栋-0601");
    assert_eq!(rows[1][col("状态")], "待派工");
    assert_eq!(rows[1][col("来源")], "热线");
    assert_eq!(rows[1][col("联系电话")], "138****5678");
    assert_eq!(rows[3][col("内容")], "=SUM(A1) 事项0");
    assert!(!rows.iter().flatten().any(|x| x.contains("13812345678")));
    assert!(!rows.iter().flatten().any(|x| x.contains("乙小区")));
    assert!(!rows[1][col("登记时间")].is_empty());
    assert!(
        !rows[1][col("时限到期")].is_empty(),
        "the most urgent clock's deadline"
    );

    // The list's filters: a kind, a state with none, a community out of reach, a bad view.
    let (_, _, bytes) = download(&app, &pm, "/api/v1/requests.xlsx?kind=complaint_general").await;
    assert_eq!(cells(bytes).len(), 2);
    let (_, _, bytes) = download(&app, &pm, "/api/v1/requests.xlsx?state=closed").await;
    assert_eq!(cells(bytes).len(), 1, "only the header");
    let (st, v) = pm
        .get(&format!("/api/v1/requests.xlsx?community_id={b}"))
        .await;
    assert_eq!(st, 404, "{v}");
    let (st, v) = pm.get("/api/v1/requests.xlsx?view=everything").await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("view".to_string(), "unknown_view".to_string())]
    );
    let (st, v) = pm.get("/api/v1/requests.xlsx?state=nonsense").await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_fields(&v)[0].0, "state");
    // The admin's export holds both communities.
    let (_, _, bytes) = download(&app, &admin, "/api/v1/requests.xlsx").await;
    let rows = cells(bytes);
    assert_eq!(rows.len(), 5);
    assert!(rows.iter().flatten().any(|x| x == "乙小区"));

    // The console's button exports what the page filters.
    let (web, _) = console_login(&app, "ex2").await;
    let r = web
        .get(format!("{}/requests?view=board", app.base))
        .send()
        .await
        .expect("page");
    let page = r.text().await.expect("html");
    assert!(
        page.contains("formaction=\"/requests/export.xlsx\""),
        "the export button"
    );
    let r = web
        .get(format!(
            "{}/requests/export.xlsx?view=board&kind=repair_unit",
            app.base
        ))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status().as_u16(), 200);
    let rows = cells(r.bytes().await.expect("bytes").to_vec());
    assert_eq!(rows.len(), 3, "the two open repairs");
}

#[tokio::test]
async fn the_desk_registers_export_parcels_and_visitors_masked() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (_, agent) = staff(&app, "ex3", "service_agent").await;
    let (_, tech) = staff(&app, "ex4", "technician").await;
    let owner = app.api_as("ex5", "owner", &[app.community_a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let person = me["person_id"].as_i64().expect("person");
    let label = me["units"][0]["label"].as_str().expect("label").to_string();

    let parcels = format!("/api/v1/communities/{a}/parcels");
    for (n, carrier) in ["顺丰", "京东", "中通"].iter().enumerate() {
        let (st, p) = agent
            .post(
                &parcels,
                json!({"carrier": carrier, "tracking_no": format!("sf00{n}"), "unit_label": label,
                       "recipient_name": "收件人", "phone": "13812345678", "shelf": "A-1"}),
            )
            .await;
        assert_eq!(st, 201, "{p}");
    }
    let (st, ct, bytes) = download(&app, &agent, &format!("{parcels}.xlsx")).await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let col = |name: &str| column(&rows[0], name);
    assert_eq!(rows[1][col("快递公司")], "中通", "newest first");
    assert_eq!(rows[1][col("运单号")], "SF002");
    assert_eq!(rows[1][col("状态")], "待取");
    assert_eq!(rows[1][col("电话")], "138****5678");
    assert!(!rows.iter().flatten().any(|x| x.contains("13812345678")));
    let (_, _, bytes) = download(&app, &agent, &format!("{parcels}.xlsx?q=SF001")).await;
    assert_eq!(cells(bytes).len(), 2);
    let (st, v) = agent
        .get(&format!("{parcels}.xlsx?older_than_days=0"))
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&v)[0].0.as_str()),
        (422, "older_than_days")
    );
    let (st, _) = tech.get(&format!("{parcels}.xlsx")).await;
    assert_eq!(st, 403, "a technician works no desk");
    let (st, _) = agent
        .get(&format!("/api/v1/communities/{b}/parcels.xlsx"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    let visitors = format!("/api/v1/communities/{a}/visitors");
    let (st, v) = agent
        .post(
            &visitors,
            json!({"visitor_name": "李四", "id_number": "110101199003074477", "phone": "13912345678",
                   "unit_label": label, "host_person_id": person, "purpose": "探亲", "plate": "粤B12345",
                   "party_size": 2}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let (st, _, bytes) = download(&app, &agent, &format!("{visitors}.xlsx")).await;
    assert_eq!(st, 200);
    let rows = cells(bytes);
    assert_eq!(rows.len(), 2, "{rows:?}");
    let col = |name: &str| column(&rows[0], name);
    assert_eq!(rows[1][col("访客")], "李四");
    assert_eq!(rows[1][col("人数")], "2");
    assert_eq!(rows[1][col("仍在园区")], "是");
    assert!(
        !rows
            .iter()
            .flatten()
            .any(|x| x.contains("110101199003074477"))
    );
    assert!(!rows.iter().flatten().any(|x| x.contains("13912345678")));
    let (_, _, bytes) = download(&app, &agent, &format!("{visitors}.xlsx?day=2020-01-01")).await;
    assert_eq!(cells(bytes).len(), 1, "another day: only the header");

    // The console's buttons.
    let (web, _) = console_login(&app, "ex3").await;
    for (page, button, export, want) in [
        (
            "/parcels",
            "parcels-xlsx",
            "/parcels/export.xlsx?state=all",
            4,
        ),
        (
            "/visitors",
            "visitors-xlsx",
            "/visitors/export.xlsx?day=",
            2,
        ),
    ] {
        let html = web
            .get(format!("{}{page}", app.base))
            .send()
            .await
            .expect("page")
            .text()
            .await
            .expect("html");
        assert!(html.contains(button), "{page} has its export button");
        let r = web
            .get(format!("{}{export}", app.base))
            .send()
            .await
            .expect("export");
        assert_eq!(r.status().as_u16(), 200, "{export}");
        assert_eq!(
            cells(r.bytes().await.expect("bytes").to_vec()).len(),
            want,
            "{export}"
        );
    }
}

#[tokio::test]
async fn the_call_log_and_the_audit_log_export_whole() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let admin = app.admin().await;
    let (_, agent) = staff(&app, "ex6", "service_agent").await;
    let (_, tech) = staff(&app, "ex7", "technician").await;
    for (n, content) in ["停车咨询", "噪音投诉", "报修漏水"].iter().enumerate() {
        let (st, v) = agent
            .post(
                "/api/v1/hotline-calls",
                json!({"community_id": a, "caller_name": format!("来电{n}"),
                       "caller_phone": "13812345678", "content": content}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let (st, ct, bytes) = download(
        &app,
        &agent,
        &format!("/api/v1/hotline-calls.xlsx?community_id={a}"),
    )
    .await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let col = |name: &str| column(&rows[0], name);
    assert_eq!(rows[1][col("来电内容")], "报修漏水", "newest first");
    assert_eq!(rows[3][col("来电人")], "来电0");
    assert_eq!(rows[1][col("电话")], "138****5678");
    assert_eq!(rows[1][col("接听人")], "ex6姓名");
    let (_, _, bytes) = download(
        &app,
        &agent,
        &format!("/api/v1/hotline-calls.xlsx?community_id={a}&day=2020-01-01"),
    )
    .await;
    assert_eq!(cells(bytes).len(), 1, "another day: the header alone");
    let (st, v) = agent
        .get(&format!(
            "/api/v1/hotline-calls.xlsx?community_id={a}&day=2020-13-01"
        ))
        .await;
    assert_eq!((st.as_u16(), error_fields(&v)[0].0.as_str()), (422, "day"));
    let (st, _) = tech
        .get(&format!("/api/v1/hotline-calls.xlsx?community_id={a}"))
        .await;
    assert_eq!(st, 403, "a technician keeps no call log");
    let (st, _) = agent
        .get(&format!("/api/v1/hotline-calls.xlsx?community_id={b}"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    // The audit log: every entry of the filter, past the browse's page of 1,000.
    let (st, _, bytes) = download(&app, &admin, "/api/v1/audit.xlsx?entity=hotline_call").await;
    assert_eq!(st, 200);
    let rows = cells(bytes);
    let (st, listed) = admin.get("/api/v1/audit?entity=hotline_call").await;
    assert_eq!(st, 200);
    let listed = listed.as_array().expect("entries").len();
    assert!(listed >= 3, "{listed}");
    assert_eq!(rows.len(), listed + 1, "{rows:?}");
    let (_, _, bytes) = download(&app, &admin, "/api/v1/audit.xlsx?limit=1").await;
    assert!(cells(bytes).len() > 2, "limit is not a cap on the export");
    let (st, _) = tech.get("/api/v1/audit.xlsx").await;
    assert_eq!(st, 403);
    let (st, v) = admin
        .get(&format!("/api/v1/audit.xlsx?actor={}", "x".repeat(60)))
        .await;
    assert_eq!(
        (st.as_u16(), error_fields(&v)[0].0.as_str()),
        (422, "actor")
    );

    // The console's buttons.
    let (web, _) = console_login(&app, "ex6").await;
    let html = web
        .get(format!("{}/calls?community_id={a}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    assert!(html.contains("calls-xlsx"));
    let r = web
        .get(format!(
            "{}/calls/export.xlsx?community_id={a}&day=",
            app.base
        ))
        .send()
        .await
        .expect("export");
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(cells(r.bytes().await.expect("bytes").to_vec()).len(), 4);
}
