//! The operations lists exported to .xlsx, streamed (issue 16): maintenance orders and
//! incidents of a community, every row the list's filter picks, newest first, codes as their
//! Chinese labels and people by name; a bad filter named, the list's permission and community
//! checks kept; the console pages' buttons export what the page filters.

use chrono::NaiveDate;
use serde_json::json;

use super::console::console_login;
use super::duty::staff;
use super::exports::{XLSX, cells, column, download, web_get};
use super::{app, error_fields};

/// A day as the sheet holds it: Excel's serial (days since 1899-12-30), as `cells` prints it.
fn serial(day: &str) -> String {
    let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").expect("day");
    let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("base");
    (d - base).num_days().to_string()
}

#[tokio::test]
async fn maintenance_orders_export_every_order_with_labels_and_names() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (_, pm) = staff(&app, "ox1", "project_manager").await;
    let (tech_id, tech) = staff(&app, "ox2", "technician").await;
    let (_, agent) = staff(&app, "ox3", "service_agent").await;
    // A weekly fire check from 5 Jan 2026, run as of 19 Jan: three orders, made oldest first.
    let (st, plan) = pm
        .post(
            &format!("/api/v1/communities/{a}/maintenance-plans"),
            json!({"system": "fire", "title": "消防巡查", "frequency": "weeks", "every": 1,
                   "start_on": "2026-01-05", "lead_days": 0, "assignee_id": tech_id.0,
                   "checklist": ["灭火器压力", "消防通道"]}),
        )
        .await;
    assert_eq!(st, 201, "{plan}");
    let plan = plan["id"].as_i64().expect("plan id");
    let (st, run) = pm
        .post(
            &format!("/api/v1/communities/{a}/maintenance/run"),
            json!({"as_of": "2026-01-19"}),
        )
        .await;
    assert_eq!(st, 200, "{run}");
    assert_eq!(run["created"], 3, "{run}");
    // The technician does the first one.
    let (st, listed) = tech
        .get(&format!(
            "/api/v1/communities/{a}/maintenance-orders?plan_id={plan}"
        ))
        .await;
    assert_eq!(st, 200, "{listed}");
    let first = listed
        .as_array()
        .expect("orders")
        .iter()
        .find(|o| o["due_on"] == "2026-01-05")
        .and_then(|o| o["id"].as_i64())
        .expect("the first order");
    let (st, v) = tech
        .post(
            &format!("/api/v1/maintenance-orders/{first}/complete"),
            json!({"checked": [0, 1], "materials": "无", "labour": "1人×1小时"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    let url = format!("/api/v1/communities/{a}/maintenance-orders.xlsx");
    let (st, ct, bytes) = download(&app, &pm, &url).await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "the header and the three orders: {rows:?}");
    let col = |name: &str| column(&rows[0], name);
    // Newest first (not the list's open-first order).
    assert_eq!(rows[1][col("到期日")], serial("2026-01-19"));
    assert_eq!(rows[2][col("到期日")], serial("2026-01-12"));
    assert_eq!(rows[3][col("到期日")], serial("2026-01-05"));
    assert_eq!(rows[1][col("工单标题")], "消防巡查");
    assert_eq!(rows[1][col("系统")], "消防");
    assert_eq!(rows[1][col("状态")], "待保养");
    assert_eq!(rows[3][col("状态")], "待验收");
    assert_eq!(rows[1][col("执行方")], "本公司人员");
    assert_eq!(rows[1][col("负责人")], "ox2姓名");
    assert_eq!(rows[1][col("检查项完成")], "0/2");
    assert_eq!(rows[3][col("检查项完成")], "2/2");
    assert_eq!(rows[3][col("材料")], "无");
    assert_eq!(rows[3][col("完成人")], "ox2姓名");
    assert!(!rows[3][col("完成时间")].is_empty());
    assert_eq!(rows[1][col("完成人")], "");
    assert!(
        !rows.iter().flatten().any(|x| x == "open" || x == "fire"),
        "codes shown as labels: {rows:?}"
    );

    // The list's filters: a state, a bad state named.
    let (_, _, bytes) = download(&app, &tech, &format!("{url}?state=done")).await;
    let done = cells(bytes);
    assert_eq!(done.len(), 2, "{done:?}");
    assert_eq!(done[1][col("到期日")], serial("2026-01-05"));
    let (_, _, bytes) = download(&app, &pm, &format!("{url}?plan_id={plan}&state=accepted")).await;
    assert_eq!(cells(bytes).len(), 1, "none accepted: the header alone");
    let (st, v) = pm.get(&format!("{url}?state=finished")).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_fields(&v)[0].0, "state");
    // Who may not see the orders, and another community.
    let (st, _) = agent.get(&url).await;
    assert_eq!(st, 403, "a service agent keeps no equipment");
    let (st, _) = pm
        .get(&format!("/api/v1/communities/{b}/maintenance-orders.xlsx"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    // The console page's button, and its export under the page's filter.
    let (web, _) = console_login(&app, "ox1").await;
    let (st, html) = web_get(
        &web,
        format!("{}/maintenance/orders?community={a}", app.base),
    )
    .await;
    assert_eq!(st, 200);
    let html = String::from_utf8(html).expect("html");
    assert!(html.contains("id=\"orders-xlsx\""), "the export button");
    assert!(html.contains("formaction=\"/maintenance/orders/export.xlsx\""));
    let (st, bytes) = web_get(
        &web,
        format!(
            "{}/maintenance/orders/export.xlsx?community={a}&state=",
            app.base
        ),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(cells(bytes).len(), 4);
    let (st, bytes) = web_get(
        &web,
        format!(
            "{}/maintenance/orders/export.xlsx?community={a}&state=open",
            app.base
        ),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(cells(bytes).len(), 3, "the two open orders");
}

#[tokio::test]
async fn incidents_export_every_incident_with_labels_and_names() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (_, pm) = staff(&app, "ix1", "project_manager").await;
    let (_, guard) = staff(&app, "ix2", "security").await;
    let owner = app.api_as("ix3", "owner", &[app.community_a]).await;
    let path = format!("/api/v1/communities/{a}/incidents");
    let mut ids = Vec::new();
    for (kind, title, severity) in [
        ("fire", "垃圾房冒烟", "minor"),
        ("flood", "地下车库爆管", "major"),
        ("elevator", "3号梯困人", "critical"),
    ] {
        let (st, v) = guard
            .post(
                &path,
                json!({"kind": kind, "title": title, "place": "1栋", "severity": severity}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        ids.push(v["id"].as_i64().expect("id"));
    }
    // The manager closes the first and acknowledges the second.
    let (st, v) = pm
        .post(
            &format!("/api/v1/incidents/{}/close", ids[0]),
            json!({"analysis": "电线老化短路。", "conclusion": "已更换线路。"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (st, v) = pm
        .post(
            &format!("/api/v1/incidents/{}/acknowledge", ids[1]),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    let url = format!("{path}.xlsx");
    let (st, ct, bytes) = download(&app, &guard, &url).await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(
        rows.len(),
        4,
        "the header and the three incidents: {rows:?}"
    );
    let col = |name: &str| column(&rows[0], name);
    // Newest first; labels, not codes; people by name.
    assert_eq!(rows[1][col("事件")], "3号梯困人");
    assert_eq!(rows[2][col("事件")], "地下车库爆管");
    assert_eq!(rows[3][col("事件")], "垃圾房冒烟");
    assert_eq!(rows[1][col("类型")], "电梯困人");
    assert_eq!(rows[2][col("类型")], "水浸 / 爆管");
    assert_eq!(rows[1][col("级别")], "重大");
    assert_eq!(rows[3][col("级别")], "一般");
    assert_eq!(rows[1][col("状态")], "处理中");
    assert_eq!(rows[3][col("状态")], "已结案");
    assert_eq!(rows[2][col("预案")], "水浸 / 爆管应急预案");
    assert_eq!(rows[1][col("上报人")], "ix2姓名");
    assert_eq!(rows[2][col("响应人")], "ix1姓名");
    assert!(!rows[2][col("响应时间")].is_empty());
    assert_eq!(rows[1][col("响应人")], "");
    assert_eq!(rows[3][col("处理结论")], "已更换线路。");
    assert_eq!(rows[3][col("结案人")], "ix1姓名");
    assert!(!rows[3][col("结案时间")].is_empty());
    assert!(!rows[1][col("发生时间")].is_empty());

    // The list's filter: a state, a bad state named.
    let (_, _, bytes) = download(&app, &pm, &format!("{url}?state=closed")).await;
    let closed = cells(bytes);
    assert_eq!(closed.len(), 2, "{closed:?}");
    assert_eq!(closed[1][col("事件")], "垃圾房冒烟");
    let (st, v) = pm.get(&format!("{url}?state=burning")).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_fields(&v)[0].0, "state");
    // Owners read no incidents; another community is out of reach.
    let (st, _) = owner.get(&url).await;
    assert_eq!(st, 403);
    let (st, _) = pm
        .get(&format!("/api/v1/communities/{b}/incidents.xlsx"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    // The console page's button, and its export under the page's filter.
    let (web, _) = console_login(&app, "ix1").await;
    let (st, html) = web_get(&web, format!("{}/incidents?community={a}", app.base)).await;
    assert_eq!(st, 200);
    let html = String::from_utf8(html).expect("html");
    assert!(html.contains("id=\"incidents-xlsx\""), "the export button");
    assert!(html.contains("formaction=\"/incidents/export.xlsx\""));
    let (st, bytes) = web_get(
        &web,
        format!("{}/incidents/export.xlsx?community={a}&state=", app.base),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(cells(bytes).len(), 4);
    let (st, bytes) = web_get(
        &web,
        format!(
            "{}/incidents/export.xlsx?community={a}&state=open",
            app.base
        ),
    )
    .await;
    assert_eq!(st, 200);
    assert_eq!(cells(bytes).len(), 3, "the two open incidents");
}
