//! Editing an item of the ledger and a maintenance plan in the console (issue 14 points 4–5):
//! each form opens filled with the record as it stands, only for a manager of its community; a
//! refusal comes back with the message beside its field and changes nothing; a save changes what
//! the form shows and keeps what it does not (an item's status, a plan's lead days).

use serde_json::{Value, json};
use wuye_testkit::Api;

use super::app;
use super::console::{console_login, csrf_from};

async fn get(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.expect("get");
    (r.status().as_u16(), r.text().await.expect("body"))
}

async fn post(c: &reqwest::Client, url: String, form: &[(&str, &str)]) -> (u16, String) {
    let r = c.post(url).form(form).send().await.expect("post");
    (r.status().as_u16(), r.text().await.expect("body"))
}

async fn api_get(api: &Api, path: &str) -> Value {
    let (st, v) = api.get(path).await;
    assert_eq!(st, 200, "{v}");
    v
}

#[tokio::test]
async fn an_item_is_edited_in_its_form_keeping_its_status() {
    let app = app().await;
    let (a, b) = (app.community_a, app.community_b);
    let c = a.0;
    let pm = app.api_as("eqe_pm_api", "project_manager", &[a]).await;
    let mut ids = Vec::new();
    for code in ["SB-1", "SB-2"] {
        let (st, v) = pm
            .post(
                &format!("/api/v1/communities/{c}/equipment"),
                json!({"system": "water", "code": code, "name": "生活水泵", "location": "地下室"}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
        ids.push(v["id"].as_i64().expect("id"));
    }
    let id = ids[0];
    let (st, v) = pm
        .post(
            &format!("/api/v1/equipment/{id}/status"),
            json!({"status": "under_repair"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");

    app.user("eqe_pm", "project_manager", &[a]).await;
    app.user("eqe_tech", "technician", &[a]).await;
    app.user("eqe_pm_b", "project_manager", &[b]).await;
    let (web, _) = console_login(&app, "eqe_pm").await;
    let url = format!("{}/equipment/{id}/edit", app.base);
    let (st, form) = get(&web, url.clone()).await;
    assert_eq!(st, 200, "{form}");
    assert!(
        form.contains("value=\"SB-1\"") && form.contains("value=\"地下室\""),
        "filled with the item: {form}"
    );
    let token = csrf_from(&form);

    // Another item's code: refused beside the code, the item unchanged.
    let cs = c.to_string();
    let (st, page) = post(
        &web,
        url.clone(),
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("system", "water"),
            ("code", "SB-2"),
            ("name", "一号生活水泵"),
        ],
    )
    .await;
    assert!(st == 409 || st == 422, "{st} {page}");
    assert!(page.contains("一号生活水泵"), "input kept");
    assert!(
        page.contains("本项目已有这个设备编码"),
        "said beside the code: {page}"
    );
    let item = api_get(&pm, &format!("/api/v1/equipment/{id}")).await;
    assert_eq!(item["name"], "生活水泵");

    let (st, page) = post(
        &web,
        url.clone(),
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("system", "water"),
            ("code", "SB-1"),
            ("name", "一号生活水泵"),
            ("location", "2号楼地下泵房"),
            ("maker", "格兰富"),
        ],
    )
    .await;
    assert!(st == 200 || st == 303, "{st} {page}");
    let item = api_get(&pm, &format!("/api/v1/equipment/{id}")).await;
    assert_eq!(item["name"], "一号生活水泵");
    assert_eq!(item["location"], "2号楼地下泵房");
    assert_eq!(item["maker"], "格兰富");
    assert_eq!(item["status"], "under_repair", "the status stays: {item}");

    // A technician may not edit; another community's manager does not find it.
    let (tech, _) = console_login(&app, "eqe_tech").await;
    assert_eq!(get(&tech, url.clone()).await.0, 403);
    let (pm_b, _) = console_login(&app, "eqe_pm_b").await;
    assert_eq!(get(&pm_b, url).await.0, 404);
}

#[tokio::test]
async fn a_maintenance_plan_is_edited_and_stopped_in_its_form() {
    let app = app().await;
    let (a, b) = (app.community_a, app.community_b);
    let c = a.0;
    let pm = app.api_as("eqp_pm_api", "project_manager", &[a]).await;
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/maintenance-plans"),
            json!({"system": "water", "title": "排水沟检查", "frequency": "months", "every": 1,
                   "anchor": "schedule", "start_on": "2026-01-15", "lead_days": 5,
                   "checklist": ["清理杂物", "检查盖板"]}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    let id = v["id"].as_i64().expect("plan id");

    app.user("eqp_pm", "project_manager", &[a]).await;
    app.user("eqp_pm_b", "project_manager", &[b]).await;
    let (web, _) = console_login(&app, "eqp_pm").await;
    let (st, list) = get(
        &web,
        format!("{}/maintenance/plans?community={c}", app.base),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        list.contains(&format!("href=\"/maintenance/plans/{id}\"")),
        "the list links the plan: {list}"
    );
    let url = format!("{}/maintenance/plans/{id}", app.base);
    let (st, form) = get(&web, url.clone()).await;
    assert_eq!(st, 200, "{form}");
    assert!(
        form.contains("value=\"排水沟检查\"") && form.contains("清理杂物\n检查盖板"),
        "filled with the plan: {form}"
    );
    let token = csrf_from(&form);
    let cs = c.to_string();

    // Every 0 months: refused beside the field, the plan unchanged.
    let (st, page) = post(
        &web,
        url.clone(),
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("system", "water"),
            ("title", "排水沟及检查井检查"),
            ("frequency", "months"),
            ("every", "0"),
            ("anchor", "schedule"),
            ("start_on", "2026-01-15"),
            ("active", "1"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("排水沟及检查井检查"), "input kept");
    let plan = api_get(&pm, &format!("/api/v1/maintenance-plans/{id}")).await;
    assert_eq!(plan["title"], "排水沟检查");

    // Every 2 months, a new checklist, and the box unticked: saved and stopped.
    let (st, page) = post(
        &web,
        url.clone(),
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("system", "water"),
            ("title", "排水沟及检查井检查"),
            ("frequency", "months"),
            ("every", "2"),
            ("anchor", "schedule"),
            ("start_on", "2026-01-15"),
            ("checklist", "清理杂物\n\n检查井盖"),
        ],
    )
    .await;
    assert!(st == 200 || st == 303, "{st} {page}");
    let plan = api_get(&pm, &format!("/api/v1/maintenance-plans/{id}")).await;
    assert_eq!(plan["title"], "排水沟及检查井检查");
    assert_eq!(plan["every"], 2);
    assert_eq!(plan["checklist"], json!(["清理杂物", "检查井盖"]));
    assert_eq!(plan["active"], false, "unticked: stopped");
    assert_eq!(plan["lead_days"], 5, "what the form does not show stays");

    let (pm_b, _) = console_login(&app, "eqp_pm_b").await;
    assert_eq!(get(&pm_b, url).await.0, 404);
}
