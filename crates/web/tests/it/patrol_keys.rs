//! What a generated task points at (issue 14), the same on both engines — SQLite by its foreign
//! keys, PostgreSQL by one check a statement and its triggers (migration 0021, docs/scale.md): a
//! task whose plan does not exist is refused and nothing is written; a route a task walks cannot
//! be deleted; a deleted plan takes its tasks with it. On PostgreSQL the check is also stricter
//! than a key: a plan or route of another community is refused, and a task keeps its plan.

use chrono::{Duration, Utc};
use wuye_core::args;
use wuye_core::db::Backend;
use wuye_testkit::TestApp;

use super::app;
use super::patrols::{generate_today, setup, today, user_id};

const INSERT: &str = "INSERT INTO patrol_tasks (community_id, plan_id, route_id, day, starts_at, \
     ends_at, state, checkpoints, scanned, flagged, walkers, created_at) \
     VALUES ($1, $2, $3, $4, $5, $6, 'pending', 2, 0, 0, '', $5)";

/// Runs one statement in a transaction of its own; whether it was accepted.
async fn accepted(app: &TestApp, sql: &str, a: wuye_core::db::Args) -> bool {
    let mut tx = app.core.db.begin().await.expect("begin");
    if tx.execute(sql, a).await.is_err() {
        return false;
    }
    tx.commit().await.is_ok()
}

#[tokio::test]
async fn a_task_needs_its_plan_and_route_of_its_own_community() {
    let app = app().await;
    let pm = app
        .api_as("pm_keys", "project_manager", &[app.community_a])
        .await;
    let guard = app
        .api_as("guard_keys", "security", &[app.community_a])
        .await;
    let gid = user_id(&guard).await;
    let (checkpoints, route, plan) = setup(&app, &pm, gid).await;
    generate_today(&pm, app.community_a.0).await;
    let before = app.count("patrol_tasks").await;
    assert!(before > 0, "today's rounds were generated");
    let (a, b) = (app.community_a.0, app.community_b.0);
    let at = Utc::now() + Duration::days(40);
    let task = |c: i64, p: i64, r: i64| args![c, p, r, today(), at, at + Duration::hours(1)];

    assert!(
        !accepted(&app, INSERT, task(a, plan + 1000, route)).await,
        "no such plan"
    );
    assert_eq!(app.count("patrol_tasks").await, before, "nothing written");
    assert!(
        accepted(&app, INSERT, task(a, plan, route)).await,
        "its own plan and route"
    );
    assert_eq!(app.count("patrol_tasks").await, before + 1);

    // A second route of the community, walked by one task and by no plan.
    let (st, r2) = pm
        .post(
            &format!("/api/v1/communities/{a}/patrol-routes"),
            serde_json::json!({"name": "备用路线", "kind": "security", "checkpoint_ids": [checkpoints[0]]}),
        )
        .await;
    assert_eq!(st, 201, "{r2}");
    let spare = r2["id"].as_i64().expect("route");
    let later = at + Duration::hours(2);
    let on_spare = args![a, plan, spare, today(), later, later + Duration::hours(1)];
    assert!(
        accepted(&app, INSERT, on_spare).await,
        "a route of its community"
    );
    assert!(
        !accepted(
            &app,
            "DELETE FROM patrol_routes WHERE id = $1",
            args![spare]
        )
        .await,
        "a route a task walks"
    );
    assert_eq!(app.count("patrol_tasks").await, before + 2);

    if app.core.db.backend() == Backend::Postgres {
        let other = args![b, plan, route, today(), later, later + Duration::hours(1)];
        assert!(
            !accepted(&app, INSERT, other).await,
            "a plan of another community"
        );
        assert!(
            !accepted(&app, INSERT, task(a, plan, route + 1000)).await,
            "no such route"
        );
        assert!(
            !accepted(
                &app,
                "UPDATE patrol_tasks SET community_id = $1 WHERE plan_id = $2",
                args![b, plan]
            )
            .await,
            "a task moved to another community"
        );
        assert!(
            accepted(
                &app,
                "UPDATE patrol_tasks SET plan_id = plan_id, route_id = route_id WHERE plan_id = $1",
                args![plan]
            )
            .await,
            "an update leaving its plan and route as they are"
        );
        assert_eq!(
            app.count("patrol_tasks").await,
            before + 2,
            "nothing written by any refusal"
        );
    }
    // A plan deleted (wuye never does; a database administrator might) takes its tasks along.
    assert!(
        accepted(&app, "DELETE FROM patrol_plans WHERE id = $1", args![plan]).await,
        "a plan and its tasks"
    );
    assert_eq!(app.count("patrol_tasks").await, 0);
}
