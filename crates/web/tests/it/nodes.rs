//! Several app nodes on one database (issue 18 point 3): two cores on the same database, as two
//! `serve` processes would have, run the background jobs' passes at the same moment many times
//! (as after a lease ran out under a slow node) and every due item's effect exists once; a
//! registration retried under its idempotency key, on the same node or the other, is done once;
//! two passes of the patrol job at once write each community's day of rounds once.

use chrono::{Duration, Utc};
use serde_json::{Value, json};
use wuye_core::args;
use wuye_core::db::Backend;
use wuye_core::shared::ids::CommunityId;
use wuye_testkit::{Api, TestApp};

use crate::latefees::{charge, days_ago, fee_item, owed};
use crate::{app, new_unit};

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(sql, args![])
        .await
        .expect("count");
    n
}

fn elevator(app: &TestApp, i: usize) -> Value {
    json!({"community_id": app.community_a.0, "kind": "repair_common", "category": "elevator",
           "channel": "front_desk", "location": format!("{i}号电梯"), "description": "困人"})
}

#[tokio::test]
async fn two_nodes_scanning_at_once_warn_and_escalate_each_clock_once() {
    let app = app().await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let _boss = app
        .api_as("boss", "project_manager", &[app.community_a])
        .await;
    let second = app.second_core().await;
    let (rounds, per_round) = (8, 5);
    for round in 0..rounds {
        for i in 0..per_round {
            let (st, v) = agent
                .post("/api/v1/requests", elevator(&app, round * 10 + i))
                .await;
            assert_eq!(st, 201, "{v}");
        }
        // Each request has a feedback clock (4 h) and an on-site clock (30 min, warned 6 min
        // before): 26 minutes on, the on-site clocks are at risk; 5 hours on, all are breached.
        // Three passes at once: both nodes, one of them twice.
        for (at, due) in [
            (Utc::now() + Duration::minutes(26), per_round),
            (Utc::now() + Duration::hours(5), 2 * per_round),
        ] {
            let (a, b, c) = tokio::join!(
                wuye_core::tickets::scan_clocks(&app.core, at),
                wuye_core::tickets::scan_clocks(&second, at),
                wuye_core::tickets::scan_clocks(&second, at),
            );
            let (a, b, c) = (a.expect("scan a"), b.expect("scan b"), c.expect("scan c"));
            let flagged = a.warned + b.warned + c.warned + a.breached + b.breached + c.breached;
            assert_eq!(flagged, due, "round {round}: {a:?} {b:?} {c:?}");
        }
    }
    let n = (rounds * per_round) as i64;
    // Warnings to the first responder, once per on-site clock; breaches to the one manager,
    // once per clock; one timeline line per breach.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'sla_warning'"
        )
        .await,
        n
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM notifications WHERE kind = 'sla_breach'"
        )
        .await,
        2 * n
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM request_events WHERE action = 'clock_breach'"
        )
        .await,
        2 * n
    );
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) FROM (SELECT user_id, request_id, clock, kind FROM notifications \
             WHERE kind IN ('sla_breach', 'sla_warning') \
             GROUP BY user_id, request_id, clock, kind HAVING COUNT(*) > 1) d"
        )
        .await,
        0,
        "no clock warned or escalated twice"
    );
    second.db.close().await;
}

#[tokio::test]
async fn two_nodes_accruing_at_once_claim_each_communitys_day_once() {
    let app = app().await;
    let api = app.admin().await;
    let mut units = Vec::new();
    for (c, b) in [
        (app.community_a.0, app.building_a.0),
        (app.community_b.0, app.building_b.0),
    ] {
        let item = fee_item(&api, c, "LF", 100).await;
        for k in 0..3 {
            let u = new_unit(&api, b, &format!("80{k}")).await;
            // Due 40 days ago: today is day 30 past the 10 days of grace.
            charge(&api, u, item, "630.98", days_ago(40)).await;
            units.push(u);
        }
    }
    let second = app.second_core().await;
    for round in 0..10 {
        if round > 0 {
            // The next day came: every community's day is due again.
            let mut tx = app.core.db.begin().await.expect("begin");
            tx.execute("UPDATE late_fee_runs SET as_of = $1", args![days_ago(1)])
                .await
                .expect("move the run back");
            tx.commit().await.expect("commit");
        }
        let (a, b) = tokio::join!(
            wuye_core::billing::run_late_fees(&app.core),
            wuye_core::billing::run_late_fees(&second),
        );
        let (a, b) = (a.expect("node a"), b.expect("node b"));
        assert_eq!(
            a.0 + b.0,
            2,
            "round {round}: each community once: {a:?} {b:?}"
        );
        if round == 0 {
            assert_eq!(a.1 + b.1, 6, "each charge accrued once: {a:?} {b:?}");
        }
    }
    // 30 days × 630.98 × 0.05 % = 9.4647 → ¥9.46, however many passes ran.
    for u in units {
        assert_eq!(owed(&api, u).await["late_fee_fen"], 946, "unit {u}");
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM late_fee_runs").await, 2);
    second.db.close().await;
}

#[tokio::test]
async fn a_job_item_is_claimed_by_one_of_two_concurrent_passes() {
    let app = app().await;
    let second = app.second_core().await;
    let c = CommunityId(app.community_a.0);
    let claim = |core: wuye_core::CoreRef, node: &'static str, items: Vec<String>| async move {
        let due: Vec<(CommunityId, String)> = items.into_iter().map(|i| (c, i)).collect();
        let mut tx = core.db.begin().await.expect("begin");
        let won = wuye_core::shared::jobs::claim_items(&mut tx, "test_job", &due, node, Utc::now())
            .await
            .expect("claim");
        tx.commit().await.expect("commit");
        won.into_iter().map(|(_, i)| i).collect::<Vec<_>>()
    };
    for round in 0..10 {
        let items: Vec<String> = (0..8).map(|i| format!("item-{round}-{i}")).collect();
        // The two passes list the items in opposite orders: neither waits on the other forever.
        let mut reversed = items.clone();
        reversed.reverse();
        let (a, b) = tokio::join!(
            claim(app.core.clone(), "a", items.clone()),
            claim(second.clone(), "b", reversed),
        );
        let mut both: Vec<String> = a.iter().chain(&b).cloned().collect();
        both.sort();
        let mut want = items.clone();
        want.sort();
        assert_eq!(both, want, "round {round}: each item once: {a:?} {b:?}");
        assert!(
            claim(app.core.clone(), "a", items).await.is_empty(),
            "claimed for good"
        );
    }
    assert_eq!(count(&app, "SELECT COUNT(*) FROM job_claims").await, 80);
    second.db.close().await;
}

async fn keyed(api: &Api, body: Value, key: &str) -> (u16, Value) {
    let (st, v) = api
        .post_with("/api/v1/requests", body, &[("Idempotency-Key", key)])
        .await;
    (st.as_u16(), v)
}

#[tokio::test]
async fn a_registration_retried_under_its_idempotency_key_is_done_once() {
    let app = app().await;
    let agent = app
        .api_as(
            "agent",
            "service_agent",
            &[app.community_a, app.community_b],
        )
        .await;
    let body = elevator(&app, 1);
    let (st, first) = keyed(&agent, body.clone(), "k-1").await;
    assert_eq!(st, 201, "{first}");
    // The answer was lost; the retry gets the same request, with 200.
    let (st, again) = keyed(&agent, body.clone(), "k-1").await;
    assert_eq!(st, 200, "{again}");
    assert_eq!(
        (&again["id"], &again["number"]),
        (&first["id"], &first["number"])
    );
    // The same key with another body is refused.
    let mut other = body.clone();
    other["description"] = json!("另一件事");
    let (st, e) = keyed(&agent, other, "k-1").await;
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["code"], "idempotency_key_reused", "{e}");
    // Keys are the community's: community B's k-1 is another request.
    let mut in_b = body.clone();
    in_b["community_id"] = json!(app.community_b.0);
    let (st, b) = keyed(&agent, in_b, "k-1").await;
    assert_eq!(st, 201, "{b}");
    assert_ne!(b["id"], first["id"]);
    // A key that is not one.
    let (st, e) = keyed(&agent, body.clone(), &"x".repeat(101)).await;
    assert_eq!(st, 422, "{e}");
    assert_eq!(crate::error_fields(&e)[0].1, "invalid_idempotency_key");
    // A key is kept for KEY_RETENTION_DAYS; after that it registers anew.
    let old = Utc::now() - Duration::days(wuye_core::shared::jobs::KEY_RETENTION_DAYS + 1);
    let mut tx = app.core.db.begin().await.expect("begin");
    tx.execute(
        "UPDATE idempotency_keys SET created_at = $1 WHERE community_id = $2",
        args![old, app.community_a.0],
    )
    .await
    .expect("age the key");
    tx.commit().await.expect("commit");
    let dropped = wuye_core::shared::jobs::housekeep(&app.core, Utc::now())
        .await
        .expect("housekeep");
    assert_eq!(dropped, 1);
    let (st, anew) = keyed(&agent, body.clone(), "k-1").await;
    assert_eq!(st, 201, "{anew}");
    assert_ne!(anew["id"], first["id"]);
    // Without a key, each call registers.
    let before = app.count("requests").await;
    agent.post("/api/v1/requests", body.clone()).await;
    agent.post("/api/v1/requests", body).await;
    assert_eq!(app.count("requests").await, before + 2);
}

#[tokio::test]
async fn concurrent_retries_on_two_nodes_register_once() {
    let app = app().await;
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    // Several nodes share a PostgreSQL database; SQLite is one process, so there the retries
    // race within the one node.
    let second = app.second_core().await;
    let other = match app.backend {
        Backend::Postgres => agent.at(&app.serve_node(second.clone()).await),
        Backend::Sqlite => agent.clone(),
    };
    for round in 0..6 {
        let key = format!("race-{round}");
        let body = elevator(&app, round);
        let mut calls = Vec::new();
        for i in 0..8 {
            let api = if i % 2 == 0 {
                agent.clone()
            } else {
                other.clone()
            };
            let (key, body) = (key.clone(), body.clone());
            calls.push(tokio::spawn(async move { keyed(&api, body, &key).await }));
        }
        let mut ids = Vec::new();
        let mut created = 0;
        for c in calls {
            let (st, v) = c.await.expect("call");
            assert!(st == 201 || st == 200, "{st} {v}");
            created += usize::from(st == 201);
            ids.push(v["id"].clone());
        }
        assert_eq!(created, 1, "round {round}: one registration");
        assert!(ids.iter().all(|i| *i == ids[0]), "{ids:?}");
    }
    assert_eq!(app.count("requests").await, 6);
    assert_eq!(app.count("idempotency_keys").await, 6);
    second.db.close().await;
}

#[tokio::test]
async fn two_nodes_generating_rounds_at_once_write_each_communitys_day_once() {
    let app = app().await;
    let second = app.second_core().await;
    let pm = app
        .api_as("pm_gen", "project_manager", &[app.community_a])
        .await;
    let guard = app
        .api_as("guard_gen", "security", &[app.community_a])
        .await;
    let gid = crate::patrols::user_id(&guard).await;
    // An hourly plan round the clock: 24 rounds a day, today's later ones written with the plan.
    crate::patrols::setup(&app, &pm, gid).await;
    let communities = count(&app, "SELECT COUNT(*) FROM communities").await as usize;
    let now = Utc::now();
    for pass in 0..3 {
        let (a, b) = tokio::join!(
            wuye_core::patrols::generate_due(&app.core, None, now, "a"),
            wuye_core::patrols::generate_due(&second, None, now, "b"),
        );
        let (a, b) = (a.expect("pass a"), b.expect("pass b"));
        let days = if pass == 0 { 2 * communities } else { 0 };
        assert_eq!(a.days + b.days, days, "pass {pass}: {a:?} {b:?}");
        if pass > 0 {
            assert_eq!(a.tasks + b.tasks, 0, "pass {pass} writes nothing");
        }
    }
    let claims = "SELECT COUNT(*) FROM job_claims WHERE job = 'patrol_tasks'";
    assert_eq!(count(&app, claims).await as usize, 2 * communities);
    // Today's and tomorrow's rounds, each once, each walked by the guard.
    assert_eq!(count(&app, "SELECT COUNT(*) FROM patrol_tasks").await, 48);
    let walked = format!("SELECT COUNT(*) FROM patrol_tasks WHERE walkers = ',{gid},'");
    assert_eq!(count(&app, &walked).await, 48);
    second.db.close().await;
}
