//! Rectification tasks (整改) and patrol rounds (巡查任务) exported to .xlsx, streamed: every row
//! the list would show under the same filters and visibility, newest first, codes as their
//! Chinese labels; a bad filter named; a role without the right and another community refused;
//! the console pages' buttons.

use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use super::console::console_login;
use super::duty::staff;
use super::exports::{XLSX, cells, column, download, web_get};
use super::rectifications::signed_audit;
use super::{app, error_fields};

/// A console page's HTML and an export's rows, as `user` logged in sees them.
async fn console_export(
    app: &TestApp,
    user: &str,
    page: &str,
    export: &str,
) -> (String, u16, Vec<Vec<String>>) {
    let (web, _) = console_login(app, user).await;
    let html = web
        .get(format!("{}{page}", app.base))
        .send()
        .await
        .expect("page")
        .text()
        .await
        .expect("html");
    let (st, bytes) = web_get(&web, format!("{}{export}", app.base)).await;
    let rows = if st == 200 { cells(bytes) } else { Vec::new() };
    (html, st, rows)
}

#[tokio::test]
async fn rectifications_export_whole_as_the_list_shows_them() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (_, qa) = staff(&app, "xq1", "quality_auditor").await;
    let (pm_id, pm) = staff(&app, "xp1", "project_manager").await;
    // Each signed audit leaves one task: ZG-000001 to ZG-000003.
    for code in ["exq_a", "exq_b", "exq_c"] {
        signed_audit(&qa, a, code).await;
    }
    let url = format!("/api/v1/communities/{a}/rectifications");
    let (st, list) = qa.get(&url).await;
    assert_eq!(st, 200, "{list}");
    let mut ids: Vec<(i64, String)> = list
        .as_array()
        .expect("list")
        .iter()
        .map(|t| {
            (
                t["id"].as_i64().expect("id"),
                t["number"].as_str().expect("number").to_string(),
            )
        })
        .collect();
    assert_eq!(ids.len(), 3, "{list}");
    ids.sort_by_key(|x| std::cmp::Reverse(x.0));

    let (st, ct, bytes) = download(&app, &qa, &format!("{url}.xlsx")).await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let numbers: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[column(&rows[0], "整改单号")].as_str())
        .collect();
    let newest_first: Vec<&str> = ids.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(numbers, newest_first, "newest first");
    assert_eq!(numbers[0], "ZG-000003");
    assert_eq!(rows[1][column(&rows[0], "状态")], "整改中");
    assert_eq!(rows[1][column(&rows[0], "内容")], "钥匙台帐");
    assert_eq!(rows[1][column(&rows[0], "扣分")], "1.5");
    assert_eq!(rows[1][column(&rows[0], "逾期")], "否");
    assert_eq!(rows[1][column(&rows[0], "责任人")], "");
    assert!(
        !rows[1][column(&rows[0], "整改期限")].is_empty(),
        "{rows:?}"
    );

    // The list's filters: one closed with its deduction kept, one given to the manager.
    let (st, t) = qa
        .post(
            &format!("/api/v1/rectifications/{}/recheck", ids[1].0),
            json!({"outcome": "kept"}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    let (_, _, bytes) = download(&app, &qa, &format!("{url}.xlsx?state=kept")).await;
    let kept = cells(bytes);
    assert_eq!(kept.len(), 2, "{kept:?}");
    assert_eq!(kept[1][column(&kept[0], "整改单号")], ids[1].1);
    assert_eq!(kept[1][column(&kept[0], "状态")], "关闭（扣分保留）");
    let (_, _, bytes) = download(&app, &qa, &format!("{url}.xlsx?state=open")).await;
    assert_eq!(cells(bytes).len(), 3, "the two still open");

    // Staff other than auditors export their own tasks only, as the list shows them.
    let (_, _, bytes) = download(&app, &pm, &format!("{url}.xlsx")).await;
    assert_eq!(
        cells(bytes).len(),
        1,
        "nothing of his yet: the header alone"
    );
    let (st, t) = qa
        .post(
            &format!("/api/v1/rectifications/{}/assign", ids[2].0),
            json!({"assignee_id": pm_id.0}),
        )
        .await;
    assert_eq!(st, 200, "{t}");
    let (_, _, bytes) = download(&app, &pm, &format!("{url}.xlsx")).await;
    let mine = cells(bytes);
    assert_eq!(mine.len(), 2, "{mine:?}");
    assert_eq!(mine[1][column(&mine[0], "整改单号")], ids[2].1);
    assert_eq!(mine[1][column(&mine[0], "责任人")], "xp1姓名");

    let (st, e) = qa.get(&format!("{url}.xlsx?state=bogus")).await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)[0].0.as_str()),
        (422, "state")
    );
    let resident = app.api_as("xr1", "owner", &[app.community_a]).await;
    let (st, _) = resident.get(&format!("{url}.xlsx")).await;
    assert_eq!(st, 403, "an owner keeps no rectifications");
    let (st, _) = qa
        .get(&format!("/api/v1/communities/{b}/rectifications.xlsx"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    // The console's button, and its export under the page's filters.
    let (html, st, rows) = console_export(
        &app,
        "xq1",
        &format!("/rectifications?community={a}"),
        &format!("/rectifications/export.xlsx?community={a}&state=&audit="),
    )
    .await;
    assert!(html.contains("rect-xlsx"), "{html}");
    assert_eq!(st, 200);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[1][column(&rows[0], "整改单号")], "ZG-000003");
}

/// A checkpoint of A and a security route over it; returns the route.
async fn route(pm: &Api, a: i64) -> i64 {
    let (st, k) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "东门岗", "items": [{"kind": "text", "label": "情况"}]}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    let (st, r) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "东区巡逻", "kind": "security", "checkpoint_ids": [k["id"]]}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    r["id"].as_i64().expect("route")
}

#[tokio::test]
async fn patrol_rounds_of_a_day_export_whole() {
    let app = app().await;
    let (a, b) = (app.community_a.0, app.community_b.0);
    let (_, pm) = staff(&app, "xm1", "project_manager").await;
    let (gid, guard) = staff(&app, "xg1", "security").await;
    let route = route(&pm, a).await;
    // Three daily rounds, far ahead so that no other task falls on the day.
    for (name, from, to) in [
        ("早班巡逻", "08:00", "09:00"),
        ("午班巡逻", "13:00", "14:00"),
        ("夜班巡逻", "19:00", "20:00"),
    ] {
        let (st, p) = pm
            .post(
                &format!("/api/v1/communities/{a}/patrol-plans"),
                json!({"route_id": route, "name": name, "frequency": "daily",
                       "window_start": from, "window_end": to, "people": [gid.0],
                       "starts_on": "2030-03-09"}),
            )
            .await;
        assert_eq!(st, 201, "{p}");
    }
    let (st, g) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": "2030-03-10", "to": "2030-03-10"}),
        )
        .await;
    assert_eq!((st.as_u16(), &g["tasks"]), (200, &json!(3)), "{g}");
    let url = format!("/api/v1/communities/{a}/patrol-tasks");
    let (st, list) = pm.get(&format!("{url}?day=2030-03-10")).await;
    assert_eq!(st, 200, "{list}");
    let mut listed: Vec<(i64, String)> = list
        .as_array()
        .expect("tasks")
        .iter()
        .map(|t: &Value| {
            (
                t["id"].as_i64().expect("id"),
                t["plan_name"].as_str().expect("plan").to_string(),
            )
        })
        .collect();
    assert_eq!(listed.len(), 3, "{list}");
    listed.sort_by_key(|x| std::cmp::Reverse(x.0));

    let (st, ct, bytes) = download(&app, &pm, &format!("{url}.xlsx?day=2030-03-10")).await;
    assert_eq!((st, ct.as_str()), (200, XLSX));
    let rows = cells(bytes);
    assert_eq!(rows.len(), 4, "{rows:?}");
    let plans: Vec<&str> = rows[1..]
        .iter()
        .map(|r| r[column(&rows[0], "计划")].as_str())
        .collect();
    let newest_first: Vec<&str> = listed.iter().map(|(_, p)| p.as_str()).collect();
    assert_eq!(plans, newest_first, "newest first");
    for r in &rows[1..] {
        assert_eq!(r[column(&rows[0], "路线")], "东区巡逻");
        assert_eq!(r[column(&rows[0], "类型")], "秩序巡逻");
        assert_eq!(r[column(&rows[0], "状态")], "待巡检");
        assert_eq!(r[column(&rows[0], "巡查人员")], "xg1姓名");
        assert_eq!(r[column(&rows[0], "点位数")], "1");
        assert!(!r[column(&rows[0], "开始")].is_empty(), "{rows:?}");
        assert_eq!(r[column(&rows[0], "完成时间")], "");
    }
    // The list's filters: another state, another day.
    let (_, _, bytes) = download(&app, &pm, &format!("{url}.xlsx?day=2030-03-10&state=done")).await;
    assert_eq!(cells(bytes).len(), 1, "none done: the header alone");
    let (_, _, bytes) = download(&app, &pm, &format!("{url}.xlsx?day=2030-03-08")).await;
    assert_eq!(cells(bytes).len(), 1, "before the plans start");

    let (st, e) = pm.get(&format!("{url}.xlsx?day=2030-13-01")).await;
    assert_eq!((st.as_u16(), error_fields(&e)[0].0.as_str()), (422, "day"));
    let (st, e) = pm.get(&format!("{url}.xlsx?state=bogus")).await;
    assert_eq!(
        (st.as_u16(), error_fields(&e)[0].0.as_str()),
        (422, "state")
    );
    let (st, _) = guard.get(&format!("{url}.xlsx?day=2030-03-10")).await;
    assert_eq!(st, 403, "a guard walks rounds, he does not manage them");
    let (st, _) = pm
        .get(&format!("/api/v1/communities/{b}/patrol-tasks.xlsx"))
        .await;
    assert!(st == 403 || st == 404, "{st}");

    // The board's button, and its export of the board's day.
    let (html, st, rows) = console_export(
        &app,
        "xm1",
        &format!("/patrols?community_id={a}&day=2030-03-10"),
        &format!("/patrols/export.xlsx?community_id={a}&day=2030-03-10"),
    )
    .await;
    assert!(html.contains("tasks-xlsx"), "{html}");
    assert_eq!(st, 200);
    assert_eq!(rows.len(), 4, "{rows:?}");
    assert_eq!(rows[1][column(&rows[0], "计划")], listed[0].1);
}
