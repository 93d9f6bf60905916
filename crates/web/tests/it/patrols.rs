//! Patrols (issue 14 points 1–3) over the API on a fresh database: setup refusals naming the
//! field; tasks generated for a week across a month end at hand-computed instants, and a rerun
//! writing nothing; a sync recorded once however often it is retried, with the evidence judged
//! (out of limits, abnormal, stale label, phone clock, a checkpoint not on the task, a task not
//! the person's); a finding turned into a request once; a round unfinished at its end marked
//! missed once and its supervisor told; another community's checkpoints unseen.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

use super::{app, error_fields};

pub(crate) fn today() -> chrono::NaiveDate {
    Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
}

async fn manager(app: &TestApp) -> Api {
    app.api_as("pm_patrol", "project_manager", &[app.community_a])
        .await
}

pub(crate) async fn secret(app: &TestApp, checkpoint: i64) -> String {
    let (s,): (String,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT secret FROM patrol_checkpoints WHERE id = $1",
            wuye_core::args![checkpoint],
        )
        .await
        .expect("secret");
    s
}

/// Three checkpoints of A (pump room with a pressure reading, drain with a choice, a gate with
/// text), a route over the first two in order, and an hourly plan walked by `guard`.
pub(crate) async fn setup(app: &TestApp, pm: &Api, guard_id: i64) -> (Vec<i64>, i64, i64) {
    let a = app.community_a.0;
    let (st, k1) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "水泵房", "location": "地下一层", "lat": 31.23, "lng": 121.47, "radius_m": 50,
                   "items": [
                       {"kind": "ok", "label": "设备运行", "required": true},
                       {"kind": "number", "label": "供水压力", "unit": "MPa", "min": "0.30", "max": "0.60", "required": true}
                   ]}),
        )
        .await;
    assert_eq!(st, 201, "{k1}");
    assert_eq!(k1["items"][1]["min"], "0.3");
    assert_eq!(k1["label_version"], 1);
    let (st, k2) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "3栋排水沟", "items": [
                {"kind": "choice", "label": "排水", "options": ["通畅", "堵塞"], "abnormal_options": ["堵塞"], "required": true},
                {"kind": "photo", "label": "现场照片"}
            ]}),
        )
        .await;
    assert_eq!(st, 201, "{k2}");
    let (st, k3) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "东门岗", "items": [{"kind": "text", "label": "情况"}]}),
        )
        .await;
    assert_eq!(st, 201, "{k3}");
    let ids: Vec<i64> = [&k1, &k2, &k3]
        .iter()
        .map(|k| k["id"].as_i64().expect("id"))
        .collect();
    let (st, r) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "夜间工程巡检", "kind": "engineering", "ordered": true, "checkpoint_ids": [ids[0], ids[1]]}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let route = r["id"].as_i64().expect("route");
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": route, "name": "每小时巡检", "frequency": "hourly", "every_hours": 1,
                   "window_start": "00:00", "window_end": "00:00", "people": [guard_id]}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["duration_minutes"], 60);
    (ids, route, p["id"].as_i64().expect("plan"))
}

pub(crate) async fn user_id(api: &Api) -> i64 {
    let (st, me) = api.get("/api/v1/me").await;
    assert_eq!(st, 200, "{me}");
    me["id"]
        .as_i64()
        .or_else(|| me["user_id"].as_i64())
        .expect("my id")
}

/// The round of the plan that is due now.
pub(crate) async fn current_round(guard: &Api) -> Value {
    let (st, b) = guard.get("/api/v1/patrol/rounds").await;
    assert_eq!(st, 200, "{b}");
    let now = Utc::now();
    b["rounds"]
        .as_array()
        .expect("rounds")
        .iter()
        .find(|r| {
            let s: chrono::DateTime<Utc> = r["task"]["starts_at"]
                .as_str()
                .expect("start")
                .parse()
                .expect("t");
            let e: chrono::DateTime<Utc> = r["task"]["ends_at"]
                .as_str()
                .expect("end")
                .parse()
                .expect("t");
            s <= now && now < e
        })
        .cloned()
        .unwrap_or_else(|| panic!("a round due now: {b}"))
}

#[tokio::test]
async fn bad_setups_are_refused_naming_the_field() {
    let app = app().await;
    let pm = manager(&app).await;
    let a = app.community_a.0;
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-checkpoints"),
            json!({"name": "", "lat": 95.0, "lng": 10.0, "items": [
                {"kind": "choice", "label": "排水", "options": ["通畅"]},
                {"kind": "number", "label": "压力", "min": "0.6", "max": "0.3"},
                {"kind": "number", "label": "温度", "min": "abc"}
            ]}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let f = error_fields(&e);
    for (field, code) in [
        ("name", "required"),
        ("lat", "patrol_bad_coordinates"),
        ("items[0].options", "patrol_options_required"),
        ("items[1].min", "patrol_limits_reversed"),
        ("items[2].min", "patrol_number_invalid"),
    ] {
        assert!(
            f.contains(&(field.into(), code.into())),
            "{field} {code} in {f:?}"
        );
    }
    // A route with no checkpoint, one of another community's.
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "空路线", "kind": "security", "checkpoint_ids": []}),
        )
        .await;
    assert_eq!(st, 422);
    assert!(error_fields(&e).contains(&("checkpoint_ids".into(), "patrol_route_empty".into())));
    // A plan on no route, walked by nobody, at no time.
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": 999999, "name": "x", "frequency": "weekly", "weekdays": [0, 8],
                   "window_start": "25:00", "window_end": "08:00"}),
        )
        .await;
    assert_eq!(st, 422, "{e}");
    let f = error_fields(&e);
    for (field, code) in [
        ("route_id", "patrol_unknown_route"),
        ("weekdays", "patrol_bad_days"),
        ("window_start", "patrol_bad_time"),
        ("people", "patrol_nobody_assigned"),
    ] {
        assert!(
            f.contains(&(field.into(), code.into())),
            "{field} {code} in {f:?}"
        );
    }
    // A guard does not plan patrols.
    let guard = app.api_as("guard0", "security", &[app.community_a]).await;
    let (st, _) = guard
        .get(&format!("/api/v1/communities/{a}/patrol-checkpoints"))
        .await;
    assert_eq!(st, 403);
    // Nothing was written by the refusals.
    let (_, list) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-checkpoints"))
        .await;
    assert_eq!(list.as_array().map(Vec::len), Some(0));
}

#[tokio::test]
async fn a_week_of_tasks_across_a_month_end_falls_at_the_hand_computed_instants() {
    let app = app().await;
    let pm = manager(&app).await;
    let guard = app.api_as("guard1", "security", &[app.community_a]).await;
    let gid = user_id(&guard).await;
    let (_, route, _) = setup(&app, &pm, gid).await;
    let a = app.community_a.0;
    // Monday, Wednesday and Friday 08:00–10:00, and every two hours of a night window.
    let (st, w) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": route, "name": "周一三五早班", "frequency": "weekly", "weekdays": [1, 3, 5],
                   "window_start": "08:00", "window_end": "10:00", "people": [gid], "starts_on": "2027-01-25"}),
        )
        .await;
    assert_eq!(st, 201, "{w}");
    assert_eq!(w["duration_minutes"], 120);
    let (st, n) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": route, "name": "夜巡", "frequency": "hourly", "every_hours": 2,
                   "window_start": "22:00", "window_end": "06:00", "duration_minutes": 90, "people": [gid],
                   "starts_on": "2027-01-25", "ends_on": "2027-02-28"}),
        )
        .await;
    assert_eq!(st, 201, "{n}");
    // 2027-01-27 is a Wednesday.
    let (st, g) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": "2027-01-27", "to": "2027-02-02"}),
        )
        .await;
    assert_eq!(st, 200, "{g}");
    // The hourly plan of setup walks every hour of every day (24 × 7), the weekly one three
    // days, the night one four rounds a night.
    assert_eq!(g["tasks"], 24 * 7 + 3 + 4 * 7, "{g}");
    let (st, again) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": "2027-01-27", "to": "2027-02-02"}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(again["tasks"], 0, "a rerun writes nothing: {again}");
    let of_plan = |tasks: &Value, plan: &str| -> Vec<(String, String)> {
        tasks
            .as_array()
            .expect("tasks")
            .iter()
            .filter(|t| t["plan_name"] == plan)
            .map(|t| {
                (
                    t["starts_at"].as_str().expect("s").to_string(),
                    t["ends_at"].as_str().expect("e").to_string(),
                )
            })
            .collect()
    };
    let mut weekly = Vec::new();
    for day in [
        "2027-01-27",
        "2027-01-28",
        "2027-01-29",
        "2027-01-30",
        "2027-01-31",
        "2027-02-01",
        "2027-02-02",
    ] {
        let (st, t) = pm
            .get(&format!("/api/v1/communities/{a}/patrol-tasks?day={day}"))
            .await;
        assert_eq!(st, 200, "{t}");
        weekly.extend(of_plan(&t, "周一三五早班"));
    }
    assert_eq!(
        weekly,
        vec![
            (
                "2027-01-27T00:00:00Z".to_string(),
                "2027-01-27T02:00:00Z".to_string()
            ),
            (
                "2027-01-29T00:00:00Z".to_string(),
                "2027-01-29T02:00:00Z".to_string()
            ),
            (
                "2027-02-01T00:00:00Z".to_string(),
                "2027-02-01T02:00:00Z".to_string()
            ),
        ]
    );
    // The night of 31 January runs into February and belongs to the 31st.
    let (_, t) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-tasks?day=2027-01-31"
        ))
        .await;
    assert_eq!(
        of_plan(&t, "夜巡"),
        vec![
            (
                "2027-01-31T14:00:00Z".to_string(),
                "2027-01-31T15:30:00Z".to_string()
            ),
            (
                "2027-01-31T16:00:00Z".to_string(),
                "2027-01-31T17:30:00Z".to_string()
            ),
            (
                "2027-01-31T18:00:00Z".to_string(),
                "2027-01-31T19:30:00Z".to_string()
            ),
            (
                "2027-01-31T20:00:00Z".to_string(),
                "2027-01-31T21:30:00Z".to_string()
            ),
        ]
    );
}

/// Today's rounds, the one under way among them (a new plan writes only those still ahead).
pub(crate) async fn generate_today(pm: &Api, a: i64) {
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": today().to_string(), "to": today().to_string()}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
}

pub(crate) fn scan(
    client: &str,
    task: i64,
    code: &str,
    at: chrono::DateTime<Utc>,
    results: Value,
) -> Value {
    json!({"client_id": client, "task_id": task, "method": "qr", "code": code,
           "device_at": at.to_rfc3339(), "lat": 31.2301, "lng": 121.4701, "accuracy_m": 8, "results": results})
}

#[tokio::test]
async fn a_sync_is_recorded_once_and_its_evidence_is_judged() {
    let app = app().await;
    let pm = manager(&app).await;
    let guard = app.api_as("guard2", "security", &[app.community_a]).await;
    let gid = user_id(&guard).await;
    let (ids, _, _) = setup(&app, &pm, gid).await;
    let a = app.community_a.0;
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": today().to_string(), "to": today().to_string()}),
        )
        .await;
    assert_eq!(st, 200);
    let round = current_round(&guard).await;
    let task = round["task"]["id"].as_i64().expect("task");
    assert_eq!(round["stops"].as_array().map(Vec::len), Some(2));
    assert_eq!(round["stops"][0]["checkpoint"]["name"], "水泵房");
    assert!(
        round["stops"][0]["checkpoint"].get("secret").is_none(),
        "the secret stays on the server"
    );
    let items0: Vec<i64> = round["stops"][0]["checkpoint"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("item"))
        .collect();
    let items1: Vec<i64> = round["stops"][1]["checkpoint"]["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| i["id"].as_i64().expect("item"))
        .collect();
    let code = |k: i64, s: &str| format!("WYP:{k}:{s}");
    let s0 = secret(&app, ids[0]).await;
    let s1 = secret(&app, ids[1]).await;
    let s2 = secret(&app, ids[2]).await;
    let now = Utc::now();
    let batch = json!({"sent_at": now.to_rfc3339(), "scans": [
        scan("scan-0001-aaaa", task, &code(ids[0], &s0), now - Duration::seconds(60),
             json!([{"item_id": items0[0], "ok": true}, {"item_id": items0[1], "value": "0.72"}])),
        scan("scan-0002-bbbb", task, &code(ids[2], &s2), now - Duration::seconds(50), json!([])),
        scan("scan-0003-cccc", task, &code(ids[1], &s1), now - Duration::seconds(40),
             json!([{"item_id": items1[0], "choice": "堵塞"}])),
    ]});
    let (st, r) = guard.post("/api/v1/patrol/sync", batch.clone()).await;
    assert_eq!(st, 200, "{r}");
    let o = r["outcomes"].as_array().expect("outcomes");
    assert_eq!(o[0]["status"], "recorded", "{r}");
    assert_eq!(o[0]["flags"], json!(["out_of_limits"]));
    assert_eq!(o[1]["status"], "rejected");
    assert_eq!(o[1]["error"]["field"], "scans[1].code");
    assert_eq!(o[1]["error"]["code"], "patrol_checkpoint_not_on_task");
    assert_eq!(o[2]["status"], "recorded");
    assert_eq!(o[2]["flags"], json!(["abnormal"]));
    // The same batch again (a retry whose answer was lost), and twice at once: nothing more.
    let (r1, r2) = tokio::join!(
        guard.post("/api/v1/patrol/sync", batch.clone()),
        guard.post("/api/v1/patrol/sync", batch.clone())
    );
    for (st, r) in [r1, r2] {
        assert_eq!(st, 200, "{r}");
        assert_eq!(r["outcomes"][0]["status"], "duplicate", "{r}");
        assert_eq!(r["outcomes"][2]["status"], "duplicate");
    }
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM patrol_scans", wuye_core::args![])
        .await
        .expect("count");
    assert_eq!(n, 2);
    let (st, d) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-tasks/{task}"))
        .await;
    assert_eq!(st, 200, "{d}");
    assert_eq!(d["task"]["state"], "done");
    assert_eq!(d["task"]["scanned"], 2);
    assert_eq!(d["task"]["flagged"], 2);
    assert_eq!(d["missing"], json!([]));
    assert_eq!(d["scans"][0]["results"][1]["value"], "0.72 MPa");
    assert!(d["scans"][0]["distance_m"].as_i64().expect("distance") < 50);

    // The reading out of its limits becomes a request, once.
    let (_, f) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-findings?open=true"
        ))
        .await;
    let findings = f.as_array().expect("findings");
    assert_eq!(findings.len(), 2, "{f}");
    let pressure = findings
        .iter()
        .find(|x| x["label"] == "供水压力")
        .expect("the pressure finding");
    let fid = pressure["id"].as_i64().expect("finding");
    let (st, req) = guard
        .post(
            &format!("/api/v1/communities/{a}/patrol-findings/{fid}/request"),
            json!({}),
        )
        .await;
    assert_eq!(st, 201, "{req}");
    let rid = req["request_id"].as_i64().expect("request");
    let (st, again) = guard
        .post(
            &format!("/api/v1/communities/{a}/patrol-findings/{fid}/request"),
            json!({}),
        )
        .await;
    assert_eq!(st, 409, "{again}");
    let (st, request) = pm.get(&format!("/api/v1/requests/{rid}")).await;
    assert_eq!(st, 200, "{request}");
    assert_eq!(request["channel"], "patrol");
    assert_eq!(request["kind"], "repair_common");
    assert!(
        request["location"]
            .as_str()
            .expect("location")
            .contains("水泵房"),
        "{request}"
    );
    assert!(
        request["description"].as_str().expect("d").contains("0.72"),
        "{request}"
    );
    let (_, d) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-tasks/{task}"))
        .await;
    assert_eq!(
        d["scans"][0]["results"][1]["request_id"], rid,
        "linked both ways"
    );

    // A reprinted label voids the old one; a phone clock 20 minutes ahead is flagged and its
    // times corrected.
    let (st, v) = pm
        .post(
            &format!(
                "/api/v1/communities/{a}/patrol-checkpoints/{}/reprint",
                ids[0]
            ),
            json!({}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["label_version"], 2);
    let ahead = Utc::now() + Duration::minutes(20);
    let (st, r) = guard
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": ahead.to_rfc3339(), "scans": [
                scan("scan-0004-dddd", task, &code(ids[0], &s0), ahead - Duration::seconds(5),
                     json!([{"item_id": items0[0], "ok": true}, {"item_id": items0[1], "value": "0.45"}]))
            ]}),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let flags = r["outcomes"][0]["flags"].as_array().expect("flags");
    assert!(
        flags.contains(&json!("stale_label")) && flags.contains(&json!("skew")),
        "{r}"
    );
    let skew = r["clock_skew_s"].as_i64().expect("skew");
    assert!((1195..=1205).contains(&skew), "{skew}");

    // Someone else's task, a device time that is no time, a typed code that is no code.
    let other = app.api_as("guard3", "security", &[app.community_a]).await;
    let (st, r) = other
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": Utc::now().to_rfc3339(), "scans": [
                scan("scan-0005-eeee", task, &code(ids[0], &s0), Utc::now(), json!([])),
            ]}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(
        r["outcomes"][0]["error"]["code"], "patrol_not_your_task",
        "{r}"
    );
    let (_, r) = guard
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": Utc::now().to_rfc3339(), "scans": [
                scan("scan-0006-ffff", task, &code(ids[0], &s0), Utc::now() - Duration::days(30), json!([])),
                scan("scan-0007-gggg", task, "hello", Utc::now(), json!([])),
                scan("scan-0008-hhhh", task, &code(ids[0], &s0), Utc::now(), json!([{"item_id": items0[1], "value": "abc"}])),
            ]}),
        )
        .await;
    let o = r["outcomes"].as_array().expect("outcomes");
    assert_eq!(o[0]["error"]["field"], "scans[0].device_at", "{r}");
    assert_eq!(o[1]["error"]["code"], "patrol_label_unreadable");
    assert_eq!(o[2]["error"]["field"], "scans[2].results[0].value");
    let too_many: Vec<Value> = (0..501)
        .map(|i| {
            scan(
                &format!("bulk-{i:08}"),
                task,
                &code(ids[0], &s0),
                Utc::now(),
                json!([]),
            )
        })
        .collect();
    let (st, e) = guard
        .post(
            "/api/v1/patrol/sync",
            json!({"sent_at": Utc::now().to_rfc3339(), "scans": too_many}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        error_fields(&e),
        vec![("scans".to_string(), "patrol_too_many_scans".to_string())]
    );
}

#[tokio::test]
async fn a_round_unfinished_at_its_end_is_missed_once_and_its_supervisor_told() {
    let app = app().await;
    let pm = manager(&app).await;
    let guard = app.api_as("guard4", "security", &[app.community_a]).await;
    let gid = user_id(&guard).await;
    let (_, route, _) = setup(&app, &pm, gid).await;
    let a = app.community_a.0;
    let yesterday = today() - Duration::days(1);
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": route, "name": "白班保洁检查", "frequency": "daily",
                   "window_start": "09:00", "window_end": "11:00", "people": [gid],
                   "starts_on": yesterday.to_string(), "ends_on": yesterday.to_string()}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (_, g) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": yesterday.to_string(), "to": yesterday.to_string()}),
        )
        .await;
    assert!(g["tasks"].as_i64().expect("tasks") >= 1, "{g}");
    let now = Utc::now();
    let missed = wuye_core::patrols::sweep_missed(&app.core, now, Some(app.community_a))
        .await
        .expect("sweep");
    // Yesterday's daily round (setup's hourly plan starts today: its rounds so far were never
    // generated, as none was due when the plan was made).
    assert_eq!(missed, 1, "missed rounds");
    let again = wuye_core::patrols::sweep_missed(&app.core, now, Some(app.community_a))
        .await
        .expect("sweep");
    assert_eq!(again, 0, "each round is missed once");
    let (_, t) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-tasks?day={yesterday}&state=missed"
        ))
        .await;
    assert!(
        t.as_array()
            .expect("tasks")
            .iter()
            .any(|x| x["plan_name"] == "白班保洁检查"),
        "{t}"
    );
    let (st, inbox) = pm.get("/api/v1/notifications").await;
    assert_eq!(st, 200, "{inbox}");
    let text = inbox.to_string();
    assert!(
        text.contains("白班保洁检查"),
        "the supervisor hears of it: {text}"
    );
    // The report counts it.
    let (st, rep) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-report?from={yesterday}&to={yesterday}"
        ))
        .await;
    assert_eq!(st, 200, "{rep}");
    let daily = rep["plans"]
        .as_array()
        .expect("plans")
        .iter()
        .find(|p| p["plan_name"] == "白班保洁检查")
        .expect("the plan's line");
    assert_eq!(daily["tasks"], 1);
    assert_eq!(daily["missed"], 1);
    assert_eq!(daily["rate"], 0.0);
    assert_eq!(rep["total"]["tasks"], 1);
}

#[tokio::test]
async fn another_communitys_patrols_stay_unseen() {
    let app = app().await;
    let pm_b = app
        .api_as("pm_b_patrol", "project_manager", &[app.community_b])
        .await;
    let b = app.community_b.0;
    let (st, k) = pm_b
        .post(
            &format!("/api/v1/communities/{b}/patrol-checkpoints"),
            json!({"name": "B门岗"}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    let kid = k["id"].as_i64().expect("id");
    let pm = manager(&app).await;
    let a = app.community_a.0;
    let (st, _) = pm
        .get(&format!("/api/v1/communities/{b}/patrol-checkpoints"))
        .await;
    assert_eq!(st, 404);
    let (st, _) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-checkpoints/{kid}"))
        .await;
    assert_eq!(st, 404, "B's checkpoint through A's address");
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "借用", "kind": "security", "checkpoint_ids": [kid]}),
        )
        .await;
    assert_eq!(st, 422);
    assert!(
        error_fields(&e).contains(&("checkpoint_ids".into(), "patrol_unknown_checkpoint".into()))
    );
}

#[tokio::test]
async fn labels_print_as_a_pdf_with_each_code() {
    let app = app().await;
    let pm = manager(&app).await;
    let guard = app.api_as("guard5", "security", &[app.community_a]).await;
    let gid = user_id(&guard).await;
    let (ids, _, _) = setup(&app, &pm, gid).await;
    let a = app.community_a.0;
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/api/v1/communities/{a}/patrol-labels?ids={},{}",
            app.base, ids[0], ids[1]
        ))
        .bearer_auth(pm.token.clone().expect("token"))
        .send()
        .await
        .expect("labels");
    if resp.status() == 503 {
        eprintln!("skipped: no PDF font here (.ci/install-deps.sh installs it)");
        return;
    }
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.expect("pdf").to_vec();
    assert!(bytes.starts_with(b"%PDF"));
    let (text, _) = super::pdf_text_and_fonts(&bytes);
    let s0 = secret(&app, ids[0]).await;
    assert!(
        text.contains("水泵房") && text.contains(&format!("WYP:{}:{s0}", ids[0])),
        "{text}"
    );
}

#[tokio::test]
async fn rounds_go_to_whoever_the_roster_has_on_the_shift_and_not_to_someone_on_leave() {
    let app = app().await;
    let pm = manager(&app).await;
    let a = app.community_a.0;
    let on_shift = app
        .api_as("guard_shift", "security", &[app.community_a])
        .await;
    let named = app
        .api_as("guard_leave", "security", &[app.community_a])
        .await;
    let (shift_id, leave_id) = (user_id(&on_shift).await, user_id(&named).await);
    let (_, route, _) = setup(&app, &pm, leave_id).await;
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{a}/shifts/defaults"),
            json!({}),
        )
        .await;
    assert!(st.is_success(), "adopt the default shifts: {st}");
    // 2027-03-10: the shift's guard is rostered on security_a; the named guard is on leave.
    let (st, r) = pm
        .put(
            &format!("/api/v1/communities/{a}/rosters/2027-03"),
            json!({"team": "秩序维护部", "assignments": [
                {"user_id": shift_id, "day": "2027-03-10", "shift_code": "security_a"}]}),
        )
        .await;
    assert_eq!(st, 200, "{r}");
    let (st, lv) = pm
        .post(
            &format!("/api/v1/communities/{a}/leaves"),
            json!({"user_id": leave_id, "starts_on": "2027-03-10", "ends_on": "2027-03-10", "kind": "annual"}),
        )
        .await;
    assert_eq!(st, 201, "{lv}");
    for (name, body) in [
        ("按班次", json!({"shift_code": "security_a"})),
        ("指定人员", json!({"people": [leave_id]})),
    ] {
        let mut plan = json!({"route_id": route, "name": name, "frequency": "daily",
            "window_start": "09:00", "window_end": "10:00", "starts_on": "2027-03-09"});
        for (k, v) in body.as_object().expect("body") {
            plan[k] = v.clone();
        }
        let (st, p) = pm
            .post(&format!("/api/v1/communities/{a}/patrol-plans"), plan)
            .await;
        assert_eq!(st, 201, "{p}");
    }
    let (st, _) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
            json!({"from": "2027-03-09", "to": "2027-03-10"}),
        )
        .await;
    assert_eq!(st, 200);
    let people = |tasks: &Value, plan: &str| -> Vec<Value> {
        tasks
            .as_array()
            .expect("tasks")
            .iter()
            .find(|t| t["plan_name"] == plan)
            .map(|t| t["people"].as_array().expect("people").clone())
            .unwrap_or_else(|| panic!("{plan} in {tasks}"))
    };
    let (_, day10) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-tasks?day=2027-03-10"
        ))
        .await;
    assert_eq!(people(&day10, "按班次"), vec![json!("guard_shift姓名")]);
    assert_eq!(
        people(&day10, "指定人员"),
        Vec::<Value>::new(),
        "on leave: nobody named"
    );
    let (_, day9) = pm
        .get(&format!(
            "/api/v1/communities/{a}/patrol-tasks?day=2027-03-09"
        ))
        .await;
    assert_eq!(people(&day9, "指定人员"), vec![json!("guard_leave姓名")]);
    assert_eq!(
        people(&day9, "按班次"),
        Vec::<Value>::new(),
        "nobody rostered that day"
    );
}

#[tokio::test]
async fn a_run_hours_reading_on_a_round_goes_to_the_equipment_and_its_meter_plan() {
    let app = app().await;
    let pm = manager(&app).await;
    let guard = app
        .api_as("tech_round", "technician", &[app.community_a])
        .await;
    let gid = user_id(&guard).await;
    let a = app.community_a.0;
    let (st, e) = pm
        .post(
            &format!("/api/v1/communities/{a}/equipment"),
            json!({"system": "generator", "code": "FD-01", "name": "备用发电机", "location": "配电房"}),
        )
        .await;
    assert_eq!(st, 201, "{e}");
    let gen_id = e["id"].as_i64().expect("id");
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/maintenance-plans"),
            json!({"equipment_id": gen_id, "title": "发电机 250 小时保养", "frequency": "meter",
                   "meter": "运行小时", "threshold": "250", "start_on": today().to_string()}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let url = format!("/api/v1/communities/{a}/patrol-checkpoints");
    // Which meter must be said; the equipment must be this community's.
    let item = |e: Value, m: Value| json!({"kind": "number", "label": "运行小时", "equipment_id": e, "meter": m});
    let (st, v) = pm
        .post(
            &url,
            json!({"name": "配电房", "items": [item(json!(gen_id), Value::Null)]}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![("items[0].meter".into(), "required".into())]
    );
    let (st, v) = pm
        .post(
            &url,
            json!({"name": "配电房", "items": [item(json!(gen_id + 999), json!("运行小时"))]}),
        )
        .await;
    assert_eq!(st, 422, "{v}");
    assert_eq!(
        error_fields(&v),
        vec![(
            "items[0].equipment_id".into(),
            "patrol_unknown_equipment".into()
        )]
    );
    let (st, k) = pm
        .post(
            &url,
            json!({"name": "配电房", "items": [item(json!(gen_id), json!("运行小时"))]}),
        )
        .await;
    assert_eq!(st, 201, "{k}");
    let (k, it) = (
        k["id"].as_i64().unwrap(),
        k["items"][0]["id"].as_i64().unwrap(),
    );
    let (st, r) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "配电巡检", "kind": "engineering", "checkpoint_ids": [k]}),
        )
        .await;
    assert_eq!(st, 201, "{r}");
    let (st, v) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": r["id"], "name": "配电每小时", "frequency": "hourly", "every_hours": 1,
                   "window_start": "00:00", "window_end": "00:00", "people": [gid]}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    generate_today(&pm, a).await;
    let round = current_round(&guard).await;
    let task = round["task"]["id"].as_i64().unwrap();
    let code = format!("WYP:{k}:{}", secret(&app, k).await);
    let batch = |client: &str, value: &str| {
        json!({"sent_at": Utc::now().to_rfc3339(), "scans": [
            scan(client, task, &code, Utc::now(), json!([{"item_id": it, "value": value}]))]})
    };
    let (st, v) = guard
        .post("/api/v1/patrol/sync", batch("gen-read-0001", "260.5"))
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["outcomes"][0]["status"], "recorded", "{v}");
    // The same scan sent again records no second reading.
    let (_, v) = guard
        .post("/api/v1/patrol/sync", batch("gen-read-0001", "260.5"))
        .await;
    assert_eq!(v["outcomes"][0]["status"], "duplicate", "{v}");
    let (st, rs) = pm
        .get(&format!("/api/v1/equipment/{gen_id}/readings"))
        .await;
    assert_eq!(st, 200, "{rs}");
    let rs = rs.as_array().cloned().unwrap_or_default();
    assert_eq!(rs.len(), 1, "{rs:?}");
    assert_eq!(
        (rs[0]["value"].as_str(), rs[0]["source"].as_str()),
        (Some("260.5"), Some("patrol"))
    );
    assert_eq!(rs[0]["read_by"], gid);
    // 260.5 passed 250 (the plan counted from nothing read): one order; 400 is short of the
    // next threshold, 510.5.
    let (_, v) = guard
        .post("/api/v1/patrol/sync", batch("gen-read-0002", "400"))
        .await;
    assert_eq!(v["outcomes"][0]["status"], "recorded", "{v}");
    let (st, o) = pm
        .get(&format!(
            "/api/v1/communities/{a}/maintenance-orders?plan_id={}",
            p["id"]
        ))
        .await;
    assert_eq!(st, 200, "{o}");
    assert_eq!(o.as_array().map(Vec::len), Some(1), "{o}");
}
