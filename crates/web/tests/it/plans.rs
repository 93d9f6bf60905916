//! The hot lists' plans on a database without planner statistics (issue 18): each list walks
//! an index in its own order and stops at its page, so that a community of 100,000 requests is
//! served as fast before its first `ANALYZE` as after. The SQL is each store's own
//! (`wuye_core::hot_lists`); a new hot list is added there, in its module's store.

use serde_json::json;
use wuye_core::args;
use wuye_core::db::Backend;
use wuye_core::db::plans::Sample;

use crate::{app, new_unit};

/// Why a line of a plan is wrong for a hot list, if it is.
fn wrong(backend: Backend, line: &str, may_sort: bool) -> Option<&'static str> {
    let l = line.trim_start().trim_start_matches("->").trim();
    match backend {
        Backend::Sqlite => {
            if l.starts_with("USE TEMP B-TREE FOR") && l.contains("ORDER BY") && !may_sort {
                return Some("sorts in a temporary B-tree");
            }
            // A full pass over a table (or over a whole index of it), not a search by key.
            if l.starts_with("SCAN ") && !l.starts_with("SCAN CONSTANT ROW") {
                return Some("reads a whole table");
            }
            None
        }
        Backend::Postgres => {
            if l.starts_with("Seq Scan on ") {
                return Some("reads a whole table (no index serves it)");
            }
            if (l.starts_with("Sort") || l.starts_with("Incremental Sort")) && !may_sort {
                return Some("sorts (no index serves its order)");
            }
            None
        }
    }
}

#[tokio::test]
async fn hot_lists_walk_an_index_in_their_order_without_statistics() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "1801").await;
    let agent = app
        .api_as(
            "agent",
            "service_agent",
            &[app.community_a, app.community_b],
        )
        .await;
    for i in 0..6 {
        let (st, v) = agent
            .post(
                "/api/v1/requests",
                json!({"community_id": app.community_a.0, "kind": "repair_unit", "category": "water",
                       "channel": "hotline", "unit_id": unit, "description": format!("漏水 {i}")}),
            )
            .await;
        assert_eq!(st, 201, "{v}");
    }
    let (_, me) = agent.get("/api/v1/me").await;
    if app.backend == Backend::Sqlite {
        let (stats,): (i64,) = app
            .core
            .db
            .read()
            .fetch_one(
                "SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'sqlite_stat%'",
                args![],
            )
            .await
            .expect("stat tables");
        assert_eq!(stats, 0, "this test is about a database without statistics");
    }
    let sample = Sample {
        community: app.community_a,
        other_community: app.community_b,
        user: wuye_core::shared::ids::UserId(me["id"].as_i64().expect("my id")),
        unit: wuye_core::shared::ids::UnitId(unit),
        day: chrono::Utc::now().date_naive(),
    };
    let lists = wuye_core::hot_lists::all(&sample, app.backend);
    assert!(lists.len() >= 15, "{}", lists.len());
    let mut failures = Vec::new();
    for h in lists {
        let plan = app
            .core
            .db
            .query_plan(&h.sql, h.args)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", h.name));
        if std::env::var_os("WUYE_PRINT_PLANS").is_some() {
            eprintln!("{}\n  {}\n", h.name, plan.join("\n  "));
        }
        for line in &plan {
            if let Some(why) = wrong(app.backend, line, h.may_sort.is_some()) {
                failures.push(format!(
                    "{} {why}: {line}\n  {}\n  plan:\n    {}",
                    h.name,
                    h.sql,
                    plan.join("\n    ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
