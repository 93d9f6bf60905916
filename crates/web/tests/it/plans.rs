//! The hot lists' plans on a database without planner statistics (issue 18): each list walks
//! an index in its own order and stops at its page, so that a community of 100,000 requests is
//! served as fast before its first `ANALYZE` as after. The SQL is each store's own
//! (`wuye_core::hot_lists`); a new hot list is added there, in its module's store.

use serde_json::json;
use wuye_core::args;
use wuye_core::db::Backend;
use wuye_core::db::plans::Sample;

use wuye_testkit::TestApp;

use crate::{app, new_unit};

/// Why a line of a plan is wrong for a hot list, if it is. `subqueries`: the names of the
/// plan's own subqueries (SQLite's co-routines and materialized views), read in full by design.
fn wrong(
    backend: Backend,
    line: &str,
    may_sort: bool,
    subqueries: &[String],
) -> Option<&'static str> {
    let l = line.trim_start().trim_start_matches("->").trim();
    match backend {
        Backend::Sqlite => {
            if l.starts_with("USE TEMP B-TREE FOR") && l.contains("ORDER BY") && !may_sort {
                return Some("sorts in a temporary B-tree");
            }
            // A full pass over a table (or over a whole index of it), not a search by key.
            let scanned = l.strip_prefix("SCAN ").unwrap_or("");
            if l.starts_with("SCAN ")
                && scanned != "CONSTANT ROW"
                && !subqueries.iter().any(|s| s == scanned)
            {
                return Some("reads a whole table");
            }
            None
        }
        Backend::Postgres => {
            if l.starts_with("Seq Scan on ") {
                return Some("reads a whole table (no index serves it)");
            }
            None
        }
    }
}

/// PostgreSQL: whether the Sort node at `plan[at]` sorts only rows that came through a Limit
/// on every path below it (a page per arm), not rows an index could have given in order.
fn sort_is_bounded(plan: &[String], at: usize) -> bool {
    let indent = |l: &str| l.len() - l.trim_start().len();
    let is_node = |l: &str| l.trim_start().starts_with("->");
    let top = indent(&plan[at]);
    let mut bounded = true;
    let mut i = at + 1;
    while i < plan.len() && indent(&plan[i]) > top {
        let l = plan[i].trim_start().trim_start_matches("->").trim();
        if is_node(&plan[i]) && l.contains("Scan") {
            // Up the nodes above this scan, to the sort: is one of them a Limit?
            let mut level = indent(&plan[i]);
            let mut limited = false;
            for j in (at + 1..i).rev() {
                if is_node(&plan[j]) && indent(&plan[j]) < level {
                    level = indent(&plan[j]);
                    limited |= plan[j].trim_start().trim_start_matches("->").trim() == "Limit";
                }
            }
            bounded &= limited;
        }
        i += 1;
    }
    bounded
}

/// A desk agent of both communities who registered `n` requests in the first (`body` makes the
/// i-th), and the sample the hot lists are built for.
async fn agent_with_requests(
    app: &TestApp,
    unit_no: &str,
    n: usize,
    body: impl Fn(i64, usize) -> serde_json::Value,
) -> Sample {
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, unit_no).await;
    let agent = app
        .api_as(
            "agent",
            "service_agent",
            &[app.community_a, app.community_b],
        )
        .await;
    for i in 0..n {
        let (st, v) = agent.post("/api/v1/requests", body(unit, i)).await;
        assert_eq!(st, 201, "{v}");
    }
    let (_, me) = agent.get("/api/v1/me").await;
    Sample {
        community: app.community_a,
        other_community: app.community_b,
        user: wuye_core::shared::ids::UserId(me["id"].as_i64().expect("my id")),
        unit: wuye_core::shared::ids::UnitId(unit),
        day: chrono::Utc::now().date_naive(),
    }
}

#[tokio::test]
async fn hot_lists_walk_an_index_in_their_order_without_statistics() {
    let app = app().await;
    let c = app.community_a.0;
    let sample = agent_with_requests(&app, "1801", 6, |unit, i| {
        json!({"community_id": c, "kind": "repair_unit", "category": "water",
               "channel": "hotline", "unit_id": unit, "description": format!("漏水 {i}")})
    })
    .await;
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
        let subqueries: Vec<String> = plan
            .iter()
            .filter_map(|l| {
                let l = l.trim();
                l.strip_prefix("CO-ROUTINE ")
                    .or_else(|| l.strip_prefix("MATERIALIZE "))
                    .map(str::to_string)
            })
            .collect();
        for (i, line) in plan.iter().enumerate() {
            let node = line.trim_start().trim_start_matches("->").trim();
            if app.backend == Backend::Postgres
                && (node == "Sort" || node == "Incremental Sort")
                && h.may_sort.is_none()
                && !sort_is_bounded(&plan, i)
            {
                failures.push(format!(
                    "{} sorts rows no Limit bounds: {line}\n  {}\n  plan:\n    {}",
                    h.name,
                    h.sql,
                    plan.join("\n    ")
                ));
            }
            if let Some(why) = wrong(app.backend, line, h.may_sort.is_some(), &subqueries) {
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

/// PostgreSQL runs a prepared statement with a generic plan from its sixth call on, made from
/// average selectivities. On a database where the agent registered everything in one of his
/// two communities (the demo's shape), the generic plan of the desk's list walked the whole
/// table in id order for the other community, where it found nothing. Each arm must search
/// its community's index.
#[tokio::test]
async fn request_lists_keep_to_their_communities_in_a_generic_plan() {
    let app = app().await;
    if app.backend != Backend::Postgres {
        return;
    }
    let c = app.community_a.0;
    let sample = agent_with_requests(&app, "1802", 400, |_, i| {
        json!({"community_id": c, "kind": "complaint_general", "category": "noise",
               "channel": "hotline", "description": format!("噪音 {i}")})
    })
    .await;
    // The statistics autovacuum would gather on such a database.
    let mut tx = app.core.db.begin().await.expect("tx");
    tx.execute("ANALYZE requests", args![])
        .await
        .expect("analyze");
    tx.commit().await.expect("commit");
    let mut failures = Vec::new();
    for h in wuye_core::hot_lists::all(&sample, app.backend)
        .into_iter()
        .filter(|h| h.name.starts_with("requests,") || h.name == "requests")
    {
        let plan = app
            .core
            .db
            .generic_plan(&h.sql, h.args)
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", h.name))
            .expect("a plan on PostgreSQL");
        // An arm (`requests r_1`, `r_2`, …) that walks the primary key or the table for any
        // community, or for the one without requests. (For the community that holds every
        // request, walking the table is walking the community.)
        let other = format!("community_id = {})", app.community_b.0);
        let walks_the_table = plan.windows(2).any(|w| {
            w[0].contains(" on requests r_")
                && (w[0].contains("requests_pkey") || w[0].contains("Seq Scan"))
                && (w[1].contains("community_id = $") || w[1].contains(&other))
        });
        if walks_the_table {
            failures.push(format!(
                "{} walks the whole table:\n  {}\n  plan:\n    {}",
                h.name,
                h.sql,
                plan.join("\n    ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
