//! Equipment, maintenance and machine rooms (issue 14 points 4–6) over the API on a fresh
//! database: the ledger and its refusals naming the field (duplicate code, parent cycle, warranty
//! before install), who may keep it; calendar plans making their orders once, with hand-computed
//! due dates (month ends, from the schedule and from the last completion); meter thresholds
//! making exactly one order even for two readings at once; completing an order only with its
//! checklist, materials, labour and required attachments; two managers accepting at once (one
//! wins); overdue orders flagged and told once; the manuals' defaults adopted twice; machine-room
//! logs, visits and CCTV retention; the all-or-nothing .xlsx import.

use chrono::{Duration, NaiveDate, Utc};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use super::{app, error_fields};

fn today() -> NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

fn d(s: &str) -> NaiveDate {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
}

async fn item(pm: &Api, c: i64, code: &str, system: &str) -> i64 {
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": system, "code": code, "name": format!("设备{code}"), "location": "地下室"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("id")
}

async fn plan(pm: &Api, c: i64, body: Value) -> i64 {
    let (st, v) = pm
        .post(&format!("/api/v1/communities/{c}/maintenance-plans"), body)
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("plan id")
}

async fn run(pm: &Api, c: i64, as_of: NaiveDate) -> Value {
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/maintenance/run"),
            json!({"as_of": as_of.to_string()}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    v
}

async fn orders_of(pm: &Api, c: i64, plan: i64) -> Vec<Value> {
    let (st, v) = pm
        .get(&format!(
            "/api/v1/communities/{c}/maintenance-orders?plan_id={plan}"
        ))
        .await;
    assert_eq!(st, 200, "{v}");
    v.as_array().cloned().unwrap_or_default()
}

fn due_dates(v: &[Value]) -> Vec<String> {
    let mut d: Vec<String> = v
        .iter()
        .map(|o| o["due_on"].as_str().unwrap_or("").to_string())
        .collect();
    d.sort();
    d
}

#[tokio::test]
async fn the_ledger_refuses_bad_items_naming_the_field() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let room = item(&pm, c, "WS-01", "给排水/二次供水").await;
    let (st, pump) = pm
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": "water", "code": "WS-02", "name": "生活水泵1#", "parent_id": room,
                   "model": "CDL32", "maker": "南方泵业", "install_on": "2020-05-01",
                   "warranty_until": (today() + Duration::days(10)).to_string()}),
        )
        .await;
    assert_eq!(st, 201, "{pump}");
    assert_eq!(pump["warranty_soon"], true);
    assert_eq!(pump["status"], "in_service");
    let pump_id = pump["id"].as_i64().unwrap();

    // A duplicate code, an unknown system, a warranty before install: each named.
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": "蒸汽", "code": "WS-01", "name": "",
                   "install_on": "2021-01-01", "warranty_until": "2020-01-01"}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    for (field, code) in [
        ("system", "equipment_unknown_system"),
        ("code", "equipment_duplicate_code"),
        ("name", "required"),
        ("warranty_until", "equipment_warranty_before_install"),
    ] {
        assert!(f.contains(&(field.into(), code.into())), "{field}: {v}");
    }
    // The room cannot sit in its own pump: a cycle.
    let (st, v) = pm
        .put(
            &format!("/api/v1/equipment/{room}"),
            json!({"system": "water", "code": "WS-01", "name": "水泵房", "parent_id": pump_id}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("parent_id".into(), "equipment_parent_cycle".into())]
    );
    // A bad date is named, never a 500.
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": "fire", "code": "XF-1", "name": "灭火器", "install_on": "2021-02-30"}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("install_on".into(), "invalid_date".into())]
    );

    // A technician sees the ledger and reports a fault, but adds nothing.
    let tech = app
        .api_as("eq_tech", "technician", &[app.community_a])
        .await;
    let (st, list) = tech
        .get(&format!(
            "/api/v1/communities/{c}/equipment?system=water&q=水泵"
        ))
        .await;
    assert_eq!(st, 200, "{list}");
    assert_eq!(list.as_array().map(Vec::len), Some(1), "{list}");
    let (st, _) = tech
        .post(
            &format!("/api/v1/communities/{c}/equipment"),
            json!({"system": "fire", "code": "XF-2", "name": "x"}),
        )
        .await;
    assert_eq!(st, 403);
    let (st, v) = tech
        .post(
            &format!("/api/v1/equipment/{pump_id}/status"),
            json!({"status": "abnormal"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    let (_, att) = tech
        .get(&format!("/api/v1/communities/{c}/equipment/attention"))
        .await;
    assert_eq!(att["abnormal"][0]["id"], pump_id, "{att}");
    // Its page shows its parent and the status change.
    let (st, page) = tech
        .get(&format!("/api/v1/equipment/{pump_id}/history"))
        .await;
    assert_eq!(st, 200, "{page}");
    assert_eq!(page["parent"]["id"], room);
    assert!(page["history"].to_string().contains("abnormal"), "{page}");
    // A cashier has no business here; another community's staff cannot find it.
    let cashier = app.api_as("eq_cash", "cashier", &[app.community_a]).await;
    let (st, _) = cashier
        .get(&format!("/api/v1/communities/{c}/equipment"))
        .await;
    assert_eq!(st, 403);
    let other = app
        .api_as("eq_pm_b", "project_manager", &[app.community_b])
        .await;
    let (st, _) = other.get(&format!("/api/v1/equipment/{pump_id}")).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn monthly_plans_from_jan_31_keep_month_ends_and_make_each_order_once() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let gen_id = item(&pm, c, "FD-01", "generator").await;
    let p = plan(
        &pm,
        c,
        json!({"equipment_id": gen_id, "title": "发电机试运行", "frequency": "months", "every": 1,
               "anchor": "schedule", "start_on": "2026-01-31", "lead_days": 0,
               "checklist": ["蓄电池电压", "油位"]}),
    )
    .await;
    let r = run(&pm, c, d("2026-01-30")).await;
    assert_eq!(r["created"], 0, "not due yet: {r}");
    run(&pm, c, d("2026-01-31")).await;
    assert_eq!(due_dates(&orders_of(&pm, c, p).await), ["2026-01-31"]);
    // As of 31 Mar: Feb 28 (clamped) and Mar 31 (back to the month end), each once.
    let r = run(&pm, c, d("2026-03-31")).await;
    assert_eq!(r["created"], 2, "{r}");
    let r = run(&pm, c, d("2026-03-31")).await;
    assert_eq!(r["created"], 0, "{r}");
    assert_eq!(
        due_dates(&orders_of(&pm, c, p).await),
        ["2026-01-31", "2026-02-28", "2026-03-31"]
    );
    // Every 2 weeks from the schedule, made 3 days ahead.
    let w = plan(
        &pm,
        c,
        json!({"system": "fire", "title": "消防巡查", "frequency": "weeks", "every": 2,
               "start_on": "2026-12-21", "lead_days": 3}),
    )
    .await;
    run(&pm, c, d("2027-01-01")).await;
    assert_eq!(
        due_dates(&orders_of(&pm, c, w).await),
        ["2026-12-21", "2027-01-04"]
    );
    // On given months (3 and 9, day 31): Sep 30, then Mar 31.
    let m = plan(
        &pm,
        c,
        json!({"system": "water", "title": "水池清洗", "frequency": "on_months", "months": "3,9", "day": 31,
               "start_on": "2026-05-01", "lead_days": 0, "required_attachments": ["水质检测报告"]}),
    )
    .await;
    run(&pm, c, d("2027-03-31")).await;
    assert_eq!(
        due_dates(&orders_of(&pm, c, m).await),
        ["2026-09-30", "2027-03-31"]
    );
    // Bad plans are named.
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/maintenance-plans"),
            json!({"title": "", "frequency": "on_months", "months": "13", "start_on": "2026-13-01",
                   "performer": "contractor"}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    for (field, code) in [
        ("title", "required"),
        ("months", "maintenance_month_range"),
        ("start_on", "invalid_date"),
        ("system", "choose"),
        ("contractor", "maintenance_contractor_required"),
    ] {
        assert!(f.contains(&(field.into(), code.into())), "{field}: {v}");
    }
}

#[tokio::test]
async fn plans_from_the_last_completion_wait_for_it() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let start = today() - Duration::days(30);
    let p = plan(
        &pm,
        c,
        json!({"system": "water", "title": "排水排查", "frequency": "days", "every": 10,
               "anchor": "completion", "start_on": start.to_string(), "lead_days": 0}),
    )
    .await;
    // Thirty days on, still one order: the next waits for the first to be done.
    let r = run(&pm, c, today()).await;
    assert_eq!(r["created"], 1, "{r}");
    let o = orders_of(&pm, c, p).await;
    assert_eq!(due_dates(&o), [start.to_string()]);
    assert_eq!(o[0]["overdue"], true);
    let id = o[0]["id"].as_i64().unwrap();
    let (st, v) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/complete"),
            json!({"materials": "无", "labour": "1人×1小时"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["done_on"], today().to_string());
    // Done today: the next is due ten days after today, not after the scheduled date.
    run(&pm, c, today() + Duration::days(10)).await;
    assert_eq!(
        due_dates(&orders_of(&pm, c, p).await),
        [
            start.to_string(),
            (today() + Duration::days(10)).to_string()
        ]
    );
}

async fn upload(api: &Api, order: i64, label: &str) -> (reqwest::StatusCode, Value) {
    api.post_raw(
        &format!(
            "/api/v1/maintenance-orders/{order}/files?label={}",
            urlencode(label)
        ),
        "application/pdf",
        b"%PDF-1.4\n% test report\n".to_vec(),
    )
    .await
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[tokio::test]
async fn an_order_is_done_only_complete_and_accepted_by_one_manager() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let pm2 = app
        .api_as("eq_pm2", "project_manager", &[app.community_a])
        .await;
    let tech = app
        .api_as("eq_tech", "technician", &[app.community_a])
        .await;
    let tank = item(&pm, c, "SX-01", "water").await;
    let p = plan(
        &pm,
        c,
        json!({"equipment_id": tank, "title": "水箱清洗", "frequency": "months", "every": 6,
               "start_on": today().to_string(), "checklist": ["清洗", "消毒"],
               "required_attachments": ["水质检测报告"], "performer": "contractor", "contractor": "某清洗公司"}),
    )
    .await;
    run(&pm, c, today()).await;
    let o = orders_of(&tech, c, p).await;
    let id = o[0]["id"].as_i64().unwrap();
    assert_eq!(o[0]["checklist"][0]["text"], "清洗");

    // Nothing ticked, no materials, no report: each named, nothing written.
    let (st, v) = tech
        .post(
            &format!("/api/v1/maintenance-orders/{id}/complete"),
            json!({"checked": [0]}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    for (field, code) in [
        ("checked", "maintenance_checklist_incomplete"),
        ("materials", "required"),
        ("labour", "required"),
        ("attachments", "maintenance_attachment_missing"),
    ] {
        assert!(f.contains(&(field.into(), code.into())), "{field}: {v}");
    }
    assert!(v.to_string().contains("水质检测报告"), "{v}");
    let (_, o) = tech.get(&format!("/api/v1/maintenance-orders/{id}")).await;
    assert_eq!(o["state"], "open");
    // A file that is not a document is refused on `file`.
    let (st, v) = tech
        .post_raw(
            &format!("/api/v1/maintenance-orders/{id}/files?label=x"),
            "text/plain",
            b"hello".to_vec(),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("file".into(), "equipment_not_a_document".into())]
    );
    let (st, v) = upload(&tech, id, "水质检测报告").await;
    assert_eq!(st, 201, "{v}");
    // The technician cannot accept; a manager cannot accept what is not done.
    let (st, v) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409, "{v}");
    let (st, v) = tech
        .post(
            &format!("/api/v1/maintenance-orders/{id}/complete"),
            json!({"checked": [0, 1], "materials": "消毒剂 2 桶", "labour": "外包 3 人 × 4 小时"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "done");
    let (st, _) = tech
        .post(
            &format!("/api/v1/maintenance-orders/{id}/accept"),
            json!({}),
        )
        .await;
    assert_eq!(st, 403);
    // Two managers accept at once: one wins, the other is told it is no longer waiting.
    let url = format!("/api/v1/maintenance-orders/{id}/accept");
    let ((sa, va), (sb, vb)) = tokio::join!(pm.post(&url, json!({})), pm2.post(&url, json!({})));
    let mut codes = [sa.as_u16(), sb.as_u16()];
    codes.sort();
    assert_eq!(codes, [200, 409], "{va} {vb}");
    let (_, o) = pm.get(&format!("/api/v1/maintenance-orders/{id}")).await;
    assert_eq!(o["state"], "accepted");
    assert_eq!(o["files"][0]["label"], "水质检测报告");
    // An accepted order cannot be returned or reworked.
    let (st, _) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/return"),
            json!({"note": "重做"}),
        )
        .await;
    assert_eq!(st, 409);
}

#[tokio::test]
async fn a_returned_order_is_open_again_with_the_reason() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let p = plan(
        &pm,
        c,
        json!({"system": "lighting", "title": "照明检查", "frequency": "months", "start_on": today().to_string()}),
    )
    .await;
    run(&pm, c, today()).await;
    let id = orders_of(&pm, c, p).await[0]["id"].as_i64().unwrap();
    let (st, _) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/complete"),
            json!({"materials": "灯管 2 支", "labour": "1 人"}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, v) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/return"),
            json!({"note": " "}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(error_fields(&v), vec![("note".into(), "required".into())]);
    let (st, v) = pm
        .post(
            &format!("/api/v1/maintenance-orders/{id}/return"),
            json!({"note": "三楼灯仍不亮"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["state"], "open");
    assert_eq!(v["return_note"], "三楼灯仍不亮");
}

#[tokio::test]
async fn overdue_orders_are_flagged_and_told_once() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let assignee = app
        .api_as("eq_assignee", "technician", &[app.community_a])
        .await;
    let (_, me) = assignee.get("/api/v1/me").await;
    let tech_id = me["id"]
        .as_i64()
        .or(me["user"]["id"].as_i64())
        .expect("my id");
    let p = plan(
        &pm,
        c,
        json!({"system": "fire", "title": "消防设施月度巡查", "frequency": "months",
               "start_on": (today() - Duration::days(3)).to_string(), "lead_days": 0,
               "assignee_id": tech_id}),
    )
    .await;
    let r = run(&pm, c, today()).await;
    assert_eq!(
        (r["created"].as_i64(), r["notified"].as_i64()),
        (Some(1), Some(1)),
        "{r}"
    );
    let r = run(&pm, c, today()).await;
    assert_eq!(
        (r["created"].as_i64(), r["notified"].as_i64()),
        (Some(0), Some(0)),
        "{r}"
    );
    let (_, overdue) = pm
        .get(&format!(
            "/api/v1/communities/{c}/maintenance-orders?overdue=true"
        ))
        .await;
    assert_eq!(overdue.as_array().map(Vec::len), Some(1), "{overdue}");
    assert_eq!(overdue[0]["plan_id"], p);
    assert_eq!(overdue[0]["overdue"], true);
    // The manager and the assignee each got one message.
    let (_, inbox) = pm.get("/api/v1/notifications").await;
    let n = inbox
        .as_array()
        .into_iter()
        .flatten()
        .filter(|m| m["event"] == "maintenance_overdue")
        .count();
    assert_eq!(n, 1, "{inbox}");
    let (_, inbox) = assignee.get("/api/v1/notifications").await;
    assert!(inbox.to_string().contains("消防设施月度巡查"), "{inbox}");
    let (_, att) = pm
        .get(&format!("/api/v1/communities/{c}/equipment/attention"))
        .await;
    assert_eq!(att["overdue"].as_array().map(Vec::len), Some(1), "{att}");
}

#[tokio::test]
async fn run_hours_crossing_a_threshold_make_exactly_one_order() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let tech = app
        .api_as("eq_tech", "technician", &[app.community_a])
        .await;
    let tech2 = app
        .api_as("eq_tech2", "technician", &[app.community_a])
        .await;
    let gen_id = item(&pm, c, "FD-09", "generator").await;
    let reading = |v: &str| json!({"meter": "运行小时", "value": v});
    let url = format!("/api/v1/equipment/{gen_id}/readings");
    let (st, v) = tech.post(&url, reading("100")).await;
    assert_eq!(st, 201, "{v}");
    let p = plan(
        &pm,
        c,
        json!({"equipment_id": gen_id, "title": "发电机 250 小时保养", "frequency": "meter",
               "meter": "运行小时", "threshold": "250", "start_on": today().to_string()}),
    )
    .await;
    let (_, pl) = pm.get(&format!("/api/v1/maintenance-plans/{p}")).await;
    assert_eq!(
        pl["next_at_reading"], "350",
        "counted from the latest reading: {pl}"
    );
    let (_, v) = tech.post(&url, reading("349.9")).await;
    assert_eq!(v["orders"], json!([]), "{v}");
    let (_, v) = tech.post(&url, reading("351.5")).await;
    assert_eq!(v["orders"].as_array().map(Vec::len), Some(1), "{v}");
    // Next at 601.5: two readings past it at once make one order between them.
    let ((sa, va), (sb, vb)) = tokio::join!(
        tech.post(&url, reading("610")),
        tech2.post(&url, reading("612"))
    );
    assert_eq!((sa.as_u16(), sb.as_u16()), (201, 201), "{va} {vb}");
    let made =
        va["orders"].as_array().map_or(0, Vec::len) + vb["orders"].as_array().map_or(0, Vec::len);
    assert_eq!(made, 1, "{va} {vb}");
    let o = orders_of(&pm, c, p).await;
    assert_eq!(o.len(), 2, "{o:?}");
    let due = (today() + Duration::days(7)).to_string();
    assert!(o.iter().all(|x| x["due_on"] == due.as_str()), "{o:?}");
    // Bad readings are named.
    let (st, v) = tech
        .post(&url, json!({"meter": "", "value": "12.3456"}))
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    assert!(
        f.contains(&("value".into(), "too_many_decimals".into())),
        "{v}"
    );
    assert!(f.contains(&("meter".into(), "required".into())), "{v}");
    // A meter plan needs an item.
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/maintenance-plans"),
            json!({"system": "generator", "title": "x", "frequency": "meter", "meter": "运行小时",
                   "threshold": "0", "start_on": today().to_string()}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    assert!(
        f.contains(&("equipment_id".into(), "maintenance_meter_needs_item".into())),
        "{v}"
    );
    assert!(
        f.contains(&("threshold".into(), "must_be_positive".into())),
        "{v}"
    );
}

#[tokio::test]
async fn the_manuals_defaults_are_adopted_once() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let url = format!("/api/v1/communities/{c}/maintenance-plans/defaults");
    let (st, v) = pm.post(&url, json!({"start_on": "2026-01-01"})).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(
        (v["created"].as_i64(), v["existing"].as_i64()),
        (Some(7), Some(0))
    );
    let (_, v) = pm.post(&url, json!({"start_on": "2026-01-01"})).await;
    assert_eq!(
        (v["created"].as_i64(), v["existing"].as_i64()),
        (Some(0), Some(7))
    );
    let (_, plans) = pm
        .get(&format!("/api/v1/communities/{c}/maintenance-plans"))
        .await;
    let tank = plans
        .as_array()
        .into_iter()
        .flatten()
        .find(|p| p["template_key"] == "water_tank_cleaning")
        .cloned()
        .expect("the tank plan");
    assert_eq!(tank["months"], json!([4, 10]));
    assert_eq!(tank["required_attachments"], json!(["水质检测报告"]));
    assert_eq!(tank["performer"], "contractor");
    // As of the end of April: tank cleaning on 15 Apr, four monthly checks each.
    let r = run(&pm, c, d("2026-04-30")).await;
    let tank_orders = orders_of(&pm, c, tank["id"].as_i64().unwrap()).await;
    assert_eq!(due_dates(&tank_orders), ["2026-04-15"], "{r}");
}

#[tokio::test]
async fn machine_rooms_keep_logs_visits_and_cctv_retention() {
    let app = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let tech = app
        .api_as("eq_tech", "technician", &[app.community_a])
        .await;
    let (st, room) = pm
        .post(
            &format!("/api/v1/communities/{c}/machine-rooms"),
            json!({"kind": "power", "name": "1号配电房", "location": "地下一层"}),
        )
        .await;
    assert_eq!(st, 201, "{room}");
    let r = room["id"].as_i64().unwrap();
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{c}/machine-rooms"),
            json!({"kind": "power", "name": "1号配电房"}),
        )
        .await;
    assert_eq!(st, 409, "{v}");
    let (st, log) = tech
        .post(
            &format!("/api/v1/machine-rooms/{r}/logs"),
            json!({"on_duty": "张师傅", "readings": "电压=420[360,400]\n电流=120", "remarks": "电压偏高"}),
        )
        .await;
    assert_eq!(st, 201, "{log}");
    assert_eq!(log["out_of_range"], true);
    assert_eq!(log["readings"][0]["out_of_range"], true);
    assert_eq!(log["readings"][1]["value"], "120");
    let (st, v) = tech
        .post(
            &format!("/api/v1/machine-rooms/{r}/logs"),
            json!({"on_duty": "", "readings": "电压 380"}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    let f = error_fields(&v);
    assert!(f.contains(&("on_duty".into(), "required".into())), "{v}");
    assert!(
        f.contains(&("readings".into(), "machine_room_reading_format".into())),
        "{v}"
    );
    let (st, visit) = tech
        .post(
            &format!("/api/v1/machine-rooms/{r}/visits"),
            json!({"visitor": "李工", "company": "供电局", "purpose": "抄表", "accompanied_by": "张师傅"}),
        )
        .await;
    assert_eq!(st, 201, "{visit}");
    let vid = visit["id"].as_i64().unwrap();
    let (st, v) = tech
        .post(
            &format!("/api/v1/machine-rooms/{r}/visits/{vid}/left"),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert!(v["left_at"].is_string());
    let (st, _) = tech
        .post(
            &format!("/api/v1/machine-rooms/{r}/visits/{vid}/left"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409);
    // CCTV: 5 days is flagged, 30 is not.
    let (st, cctv) = pm
        .post(
            &format!("/api/v1/communities/{c}/cctv"),
            json!({"name": "小区监控", "cameras": 48, "retention_days": 5, "room_id": r}),
        )
        .await;
    assert_eq!(st, 201, "{cctv}");
    assert_eq!(cctv["retention_too_short"], true);
    let (_, att) = tech
        .get(&format!("/api/v1/communities/{c}/equipment/attention"))
        .await;
    assert_eq!(att["short_retention"][0]["name"], "小区监控", "{att}");
    let id = cctv["id"].as_i64().unwrap();
    let (st, v) = pm
        .put(
            &format!("/api/v1/cctv/{id}"),
            json!({"name": "小区监控", "cameras": 48, "retention_days": 30}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["retention_too_short"], false);
    let (st, _) = tech
        .post(
            &format!("/api/v1/communities/{c}/cctv"),
            json!({"name": "x", "retention_days": 30}),
        )
        .await;
    assert_eq!(st, 403);
}

fn workbook(rows: &[[&str; 4]]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    for (i, h) in ["编码", "名称", "系统", "上级编码"].iter().enumerate() {
        ws.write_string(0, i as u16, *h).expect("header");
    }
    for (r, row) in rows.iter().enumerate() {
        for (i, v) in row.iter().enumerate() {
            ws.write_string(r as u32 + 1, i as u16, *v).expect("cell");
        }
    }
    wb.save_to_buffer().expect("workbook")
}

#[tokio::test]
async fn the_import_is_all_or_nothing_naming_row_and_column() {
    let app: TestApp = app().await;
    let c = app.community_a.0;
    let pm = app
        .api_as("eq_pm", "project_manager", &[app.community_a])
        .await;
    let url = format!("/api/v1/communities/{c}/equipment/import");
    let xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    let bad = workbook(&[
        ["BF-01", "水泵房", "给排水/二次供水", ""],
        ["BF-02", "生活水泵", "water", "BF-01"],
        ["BF-02", "重复", "water", ""],
        ["BF-04", "x", "蒸汽", "NONE"],
    ]);
    let (st, v) = pm.post_raw(&url, xlsx, bad).await;
    assert_eq!(st, 422, "{v}");
    let errs: Vec<(i64, String)> = v["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|e| {
            (
                e["row"].as_i64().unwrap_or(0),
                e["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        errs,
        vec![(4, "编码".to_string()), (5, "上级编码".to_string())],
        "{v}"
    );
    let (_, list) = pm.get(&format!("/api/v1/communities/{c}/equipment")).await;
    assert_eq!(
        list.as_array().map(Vec::len),
        Some(0),
        "nothing written: {list}"
    );
    let good = workbook(&[
        ["BF-01", "水泵房", "给排水/二次供水", ""],
        ["BF-02", "生活水泵", "water", "BF-01"],
    ]);
    let (st, v) = pm.post_raw(&url, xlsx, good).await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["created"], 2);
    let (_, list) = pm
        .get(&format!("/api/v1/communities/{c}/equipment?q=生活水泵"))
        .await;
    assert!(list[0]["parent_id"].is_i64(), "{list}");
    let (st, v) = pm.post_raw(&url, xlsx, b"not a workbook".to_vec()).await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("file".into(), "equipment_import_unreadable".into())]
    );
}

#[tokio::test]
async fn the_console_pages_keep_the_ledger_and_do_an_order() {
    use super::console::console_login;
    let app = app().await;
    let a = app.community_a.0;
    app.user("eq_pm9", "project_manager", &[app.community_a])
        .await;
    app.user("eq_tech9", "technician", &[app.community_a]).await;
    let base = &app.base;
    let (pm, token) = console_login(&app, "eq_pm9").await;
    let text =
        |r: reqwest::Response| async move { (r.status().as_u16(), r.text().await.expect("body")) };
    let post = |c: &reqwest::Client, path: &str, form: Vec<(&str, String)>| {
        c.post(format!("{base}{path}")).form(&form).send()
    };

    // A refused item comes back with the message beside the field and the input kept.
    let (st, page) = text(
        post(
            &pm,
            "/equipment",
            vec![
                ("_csrf", token.clone()),
                ("community", a.to_string()),
                ("system", "generator".into()),
                ("code", "".into()),
                ("name", "备用发电机".into()),
            ],
        )
        .await
        .expect("post"),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("备用发电机"), "input kept");
    let r = post(
        &pm,
        "/equipment",
        vec![
            ("_csrf", token.clone()),
            ("community", a.to_string()),
            ("system", "generator".into()),
            ("code", "FD-1".into()),
            ("name", "备用发电机".into()),
            ("warranty_until", (today() + Duration::days(5)).to_string()),
        ],
    )
    .await
    .expect("post");
    assert_eq!(r.status(), 303);
    let (st, list) = text(
        pm.get(format!("{base}/equipment?community={a}"))
            .send()
            .await
            .expect("list"),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        list.contains("FD-1") && list.contains("保修将到期"),
        "{list}"
    );
    let (st, labels) = text(
        pm.get(format!("{base}/equipment/labels?community={a}"))
            .send()
            .await
            .expect("labels"),
    )
    .await;
    assert_eq!(st, 200);
    assert!(
        labels.contains("<svg") && labels.contains("FD-1"),
        "{labels}"
    );

    // Adopt the defaults and run as of today: the monthly orders appear.
    let r = post(
        &pm,
        "/maintenance/plans/defaults",
        vec![
            ("_csrf", token.clone()),
            ("community", a.to_string()),
            ("date", today().to_string()),
        ],
    )
    .await
    .expect("adopt");
    assert_eq!(r.status(), 303);
    let r = post(
        &pm,
        "/maintenance/run",
        vec![
            ("_csrf", token.clone()),
            ("community", a.to_string()),
            ("date", today().to_string()),
        ],
    )
    .await
    .expect("run");
    assert_eq!(r.status(), 303);
    let (st, plans) = text(
        pm.get(format!("{base}/maintenance/plans?community={a}"))
            .send()
            .await
            .expect("plans"),
    )
    .await;
    assert_eq!(st, 200);
    assert!(plans.contains("化粪池清掏"), "{plans}");

    // The technician does the generator's test run on his phone page.
    let (tech, ttoken) = console_login(&app, "eq_tech9").await;
    let (st, orders) = text(
        tech.get(format!("{base}/maintenance/orders?community={a}"))
            .send()
            .await
            .expect("orders"),
    )
    .await;
    assert_eq!(st, 200);
    let (_, api) = app
        .admin()
        .await
        .get(&format!("/api/v1/communities/{a}/maintenance-orders"))
        .await;
    let gen_order = api
        .as_array()
        .into_iter()
        .flatten()
        .find(|o| o["title"] == "备用发电机试运行")
        .expect("generator order")["id"]
        .as_i64()
        .expect("id");
    assert!(orders.contains(&format!("order-{gen_order}")), "{orders}");
    let (st, page) = text(
        post(
            &tech,
            &format!("/maintenance/orders/{gen_order}"),
            vec![
                ("_csrf", ttoken.clone()),
                ("c", "0".into()),
                ("materials", "无".into()),
                ("complete", "1".into()),
            ],
        )
        .await
        .expect("complete"),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("未勾选"), "names the unticked line");
    let mut form = vec![
        ("_csrf", ttoken.clone()),
        ("materials", "无".to_string()),
        ("labour", "1 人 × 0.5 小时".into()),
        ("complete", "1".into()),
    ];
    for i in 0..5 {
        form.push(("c", i.to_string()));
    }
    let r = post(&tech, &format!("/maintenance/orders/{gen_order}"), form)
        .await
        .expect("complete");
    assert_eq!(r.status(), 303);
    let r = post(
        &pm,
        &format!("/maintenance/orders/{gen_order}/accept"),
        vec![("_csrf", token.clone())],
    )
    .await
    .expect("accept");
    assert_eq!(r.status(), 303);
    let (_, page) = text(
        pm.get(format!("{base}/maintenance/orders/{gen_order}"))
            .send()
            .await
            .expect("order"),
    )
    .await;
    assert!(page.contains("st-accepted"), "{page}");

    // A machine room with a log out of range and a visitor; a CCTV of 5 days is flagged.
    let r = post(
        &pm,
        "/machine-rooms",
        vec![
            ("_csrf", token.clone()),
            ("community", a.to_string()),
            ("kind", "generator".into()),
            ("name", "发电机房".into()),
        ],
    )
    .await
    .expect("room");
    assert_eq!(r.status(), 303);
    let room = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let r = post(
        &tech,
        &format!("{room}/logs"),
        vec![
            ("_csrf", ttoken.clone()),
            ("on_duty", "王师傅".into()),
            ("readings", "电池电压=23.1[24,28]".into()),
        ],
    )
    .await
    .expect("log");
    assert_eq!(r.status(), 303);
    let (_, page) = text(
        tech.get(format!("{base}{room}"))
            .send()
            .await
            .expect("room"),
    )
    .await;
    assert!(page.contains("超限"), "{page}");
    let r = post(
        &pm,
        "/machine-rooms/cctv",
        vec![
            ("_csrf", token.clone()),
            ("community", a.to_string()),
            ("name", "主监控".into()),
            ("cameras", "32".into()),
            ("retention_days", "5".into()),
        ],
    )
    .await
    .expect("cctv");
    assert_eq!(r.status(), 303);
    let (_, page) = text(
        pm.get(format!("{base}/machine-rooms?community={a}"))
            .send()
            .await
            .expect("rooms"),
    )
    .await;
    assert!(page.contains("录像保存不足 7 天"), "{page}");
}

#[tokio::test]
async fn the_console_imports_the_ledger_and_keeps_an_items_documents() {
    use super::console::console_login;
    use reqwest::multipart::{Form, Part};
    let app = app().await;
    let a = app.community_a.0;
    app.user("eq_pm8", "project_manager", &[app.community_a])
        .await;
    let base = &app.base;
    let (pm, token) = console_login(&app, "eq_pm8").await;
    let upload = |path: String, name: &'static str, bytes: Vec<u8>| {
        let form = Form::new()
            .text("_csrf", token.clone())
            .part("file", Part::bytes(bytes).file_name(name));
        pm.post(format!("{base}{path}")).multipart(form).send()
    };
    let r = pm
        .get(format!("{base}/equipment/import/template.xlsx"))
        .send()
        .await
        .expect("template");
    assert_eq!(r.status(), 200);
    assert!(!r.bytes().await.expect("bytes").is_empty());

    let bad = workbook(&[
        ["BF-01", "水泵房", "water", ""],
        ["BF-02", "水泵", "蒸汽", "BF-01"],
    ]);
    let r = upload(
        format!("/equipment/import?community={a}"),
        "ledger.xlsx",
        bad,
    )
    .await
    .expect("import");
    assert_eq!(r.status(), 422);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("第 3 行「系统」"),
        "row and column named: {page}"
    );
    let good = workbook(&[
        ["BF-01", "水泵房", "water", ""],
        ["BF-02", "水泵", "water", "BF-01"],
    ]);
    let r = upload(
        format!("/equipment/import?community={a}"),
        "ledger.xlsx",
        good,
    )
    .await
    .expect("import");
    assert_eq!(r.status(), 303);
    let (_, list) = app
        .admin()
        .await
        .get(&format!("/api/v1/communities/{a}/equipment?q=BF-02"))
        .await;
    let id = list[0]["id"].as_i64().expect("imported");

    let r = upload(
        format!("/equipment/{id}/files"),
        "说明书.pdf",
        b"%PDF-1.4\n".to_vec(),
    )
    .await
    .expect("file");
    assert_eq!(r.status(), 303);
    let page = pm
        .get(format!("{base}/equipment/{id}"))
        .send()
        .await
        .expect("item")
        .text()
        .await
        .expect("page");
    assert!(page.contains("说明书.pdf"), "{page}");
    let r = upload(format!("/equipment/{id}/files"), "x.txt", b"hello".to_vec())
        .await
        .expect("file");
    assert_eq!(r.status(), 422);
}
