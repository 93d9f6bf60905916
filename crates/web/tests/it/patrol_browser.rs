//! The patrol app in a real browser with its network cut (issue 14, point 2): the guard opens
//! the app, the network goes off, the page still opens (the service worker) with the day's
//! rounds (IndexedDB), two checkpoints are scanned by their typed codes and kept on the phone;
//! the network comes back and the scans are sent, once, however often the app syncs after. A
//! manager standing at a checkpoint takes its position from the phone.

use std::time::{Duration, Instant};

use fantoccini::Locator;
use serde_json::json;
use wuye_testkit::browser::{set_offline, set_position};

use super::browser::{click, fill, log_in};

async fn scans(app: &wuye_testkit::TestApp) -> i64 {
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one("SELECT COUNT(*) FROM patrol_scans", wuye_core::args![])
        .await
        .expect("count");
    n
}

/// What a checkpoint's label says.
async fn code(app: &wuye_testkit::TestApp, k: i64) -> String {
    let (s,): (String,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT secret FROM patrol_checkpoints WHERE id = $1",
            wuye_core::args![k],
        )
        .await
        .expect("secret");
    format!("WYP:{k}:{s}")
}

async fn until(b: &fantoccini::Client, js: &str, what: &str) {
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let v = b.execute(js, vec![]).await.unwrap_or(json!(false));
        if v == json!(true) {
            return;
        }
        assert!(Instant::now() < deadline, "waited for {what}");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test]
async fn a_round_walked_offline_is_synced_once_when_the_network_returns() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let a = app.community_a.0;
    let pm = app
        .api_as("pm_web", "project_manager", &[app.community_a])
        .await;
    let guard = app
        .api_as("guard_web", "security", &[app.community_a])
        .await;
    let (_, me) = guard.get("/api/v1/me").await;
    let gid = me["id"].as_i64().expect("guard id");
    let mut ids = Vec::new();
    for (name, items) in [
        (
            "配电房",
            json!([{"kind": "ok", "label": "运行正常", "required": true}]),
        ),
        (
            "水泵房",
            json!([{"kind": "number", "label": "压力", "unit": "MPa", "min": "0.3", "max": "0.6"}]),
        ),
    ] {
        let (st, k) = pm
            .post(
                &format!("/api/v1/communities/{a}/patrol-checkpoints"),
                json!({"name": name, "items": items}),
            )
            .await;
        assert_eq!(st, 201, "{k}");
        ids.push((
            k["id"].as_i64().expect("id"),
            k["items"][0]["id"].as_i64().expect("item"),
        ));
    }
    let (_, r) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            json!({"name": "地下室巡检", "kind": "engineering", "checkpoint_ids": [ids[0].0, ids[1].0]}),
        )
        .await;
    let (st, p) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-plans"),
            json!({"route_id": r["id"], "name": "每小时", "frequency": "hourly", "every_hours": 1,
                   "window_start": "00:00", "window_end": "00:00", "people": [gid]}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive()
        .to_string();
    pm.post(
        &format!("/api/v1/communities/{a}/patrol-tasks/generate"),
        json!({"from": today, "to": today}),
    )
    .await;
    let (_, tasks) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-tasks"))
        .await;
    let now = chrono::Utc::now();
    let task = tasks
        .as_array()
        .expect("tasks")
        .iter()
        .find(|t| {
            let s: chrono::DateTime<chrono::Utc> =
                t["starts_at"].as_str().expect("s").parse().expect("t");
            let e: chrono::DateTime<chrono::Utc> =
                t["ends_at"].as_str().expect("e").parse().expect("t");
            s <= now && now < e
        })
        .expect("the round due now")["id"]
        .as_i64()
        .expect("task");
    let (c0, c1) = (code(&app, ids[0].0).await, code(&app, ids[1].0).await);

    log_in(&b, &app.base, "guard_web").await;
    b.goto(&format!("{}/patrol", app.base))
        .await
        .expect("the app");
    b.wait()
        .for_element(Locator::Id(&format!("round-{task}")))
        .await
        .expect("the round listed");
    // Once the service worker holds the page, the network goes.
    until(&b, "return !!(navigator.serviceWorker && navigator.serviceWorker.controller) || (location.reload(), false)", "the service worker")
        .await;
    set_offline(&b, true).await;
    b.refresh().await.expect("reload without network");
    b.wait()
        .for_element(Locator::Id(&format!("round-{task}")))
        .await
        .expect("the round, from the phone's copy");
    until(&b, "return !navigator.onLine", "the browser offline").await;
    click(&b, &format!("round-{task}")).await;
    fill(&b, "code", &c0).await;
    click(&b, "code-ok").await;
    click(&b, &format!("item-{}-1", ids[0].1)).await;
    click(&b, "save-scan").await;
    until(
        &b,
        "return document.getElementById('pending').dataset.count === '1'",
        "one scan kept",
    )
    .await;
    fill(&b, "code", &c1).await;
    click(&b, "code-ok").await;
    fill(&b, &format!("item-{}", ids[1].1), "0.72").await;
    click(&b, "save-scan").await;
    until(
        &b,
        "return document.getElementById('pending').dataset.count === '2'",
        "two scans kept",
    )
    .await;
    assert_eq!(
        scans(&app).await,
        0,
        "nothing reached the server while offline"
    );

    set_offline(&b, false).await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while scans(&app).await < 2 {
        assert!(Instant::now() < deadline, "the scans were never synced");
        let _ = b
            .execute("document.getElementById('sync-now').click()", vec![])
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    until(
        &b,
        "return document.getElementById('pending').dataset.count === '0'",
        "the queue emptied",
    )
    .await;
    // More syncs change nothing.
    for _ in 0..3 {
        let _ = b
            .execute("document.getElementById('sync-now').click()", vec![])
            .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    assert_eq!(scans(&app).await, 2, "each scan recorded once");
    let (_, d) = pm
        .get(&format!("/api/v1/communities/{a}/patrol-tasks/{task}"))
        .await;
    assert_eq!(d["task"]["state"], "done", "{d}");
    assert_eq!(d["scans"][1]["flags"], json!(["out_of_limits"]), "{d}");
    let _ = b.close().await;
}

#[tokio::test]
async fn a_checkpoints_position_is_taken_from_the_phone_standing_at_it() {
    let Some(b) = wuye_testkit::browser::session().await else {
        eprintln!("skipped: WUYE_WEBDRIVER_URL is not set (CI sets it)");
        return;
    };
    let app = crate::app().await;
    let a = app.community_a.0;
    app.api_as("pm_locate", "project_manager", &[app.community_a])
        .await;
    log_in(&b, &app.base, "pm_locate").await;
    set_position(&b, &app.base, 31.230416, 121.473701, 18.4).await;
    b.goto(&format!("{}/patrols/{a}/checkpoints/new", app.base))
        .await
        .expect("the form");
    fill(&b, "cp-name", "东门岗亭").await;
    click(&b, "cp-locate").await;
    until(
        &b,
        "return document.getElementById('cp-lat').value !== ''",
        "the position filled in",
    )
    .await;
    let value = |id: &'static str| {
        let b = b.clone();
        async move {
            b.find(Locator::Id(id))
                .await
                .expect(id)
                .prop("value")
                .await
                .expect("value")
                .unwrap_or_default()
        }
    };
    assert_eq!(value("cp-lat").await, "31.230416");
    assert_eq!(value("cp-lng").await, "121.473701");
    assert_eq!(value("cp-radius").await, "50", "the radius as it was");
    click(&b, "checkpoint-save").await;
    let pm = app
        .api_as("pm_locate2", "project_manager", &[app.community_a])
        .await;
    let mut saved = None;
    for _ in 0..50 {
        let (_, list) = pm
            .get(&format!("/api/v1/communities/{a}/patrol-checkpoints"))
            .await;
        saved = list
            .as_array()
            .and_then(|l| l.iter().find(|k| k["name"] == "东门岗亭").cloned());
        if saved.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let k = saved.expect("the checkpoint saved");
    assert_eq!(
        (k["lat"].as_f64(), k["lng"].as_f64()),
        (Some(31.230416), Some(121.473701)),
        "{k}"
    );
    assert_eq!(k["radius_m"], 50);
    b.close().await.ok();
}
