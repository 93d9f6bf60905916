//! Every index of a tenant table begins with `community_id` (issue 18 point 6), so that the
//! schema can be sharded by community: a query by community then reads one shard's index. The
//! live schema of the backend under test is read; every table must be classified here (a new
//! table fails until it is), and each exception says why. docs/scale.md is the prose of this.

use std::collections::{BTreeMap, BTreeSet};

use wuye_core::args;
use wuye_core::db::Backend;

/// Shared reference tables: not keyed by community, the same rows on every shard.
const SHARED: &[(&str, &str)] = &[
    ("companies", "the companies themselves"),
    (
        "communities",
        "the tenants themselves, each row the key of its shard",
    ),
    (
        "users",
        "staff and owners log in before a community is chosen",
    ),
    ("roles", "a company's roles"),
    (
        "user_communities",
        "which communities a user reaches, read at login by user",
    ),
    ("sessions", "a login's cookie, looked up by its hash"),
    ("api_tokens", "an API token, looked up by its hash"),
    (
        "login_failures",
        "the login throttle, by source address and account name",
    ),
    ("system_settings", "the installation's settings"),
    ("jobs", "the background jobs' leases, one row per job"),
    (
        "calendar_days",
        "a company's holidays and make-up working days",
    ),
    ("ticket_categories", "a company's request categories"),
    (
        "contact_points",
        "where a user (staff or owner) is reached, read by user whatever the community",
    ),
    (
        "notify_prefs",
        "a user's channels per event, read by user whatever the community",
    ),
    ("notify_templates", "a company's wording of each event"),
    (
        "emergency_plans",
        "a company's library of emergency plans, used by all its communities",
    ),
    (
        "audit_sheets",
        "a company's audit sheets (督导评分细则), used by all its communities",
    ),
    ("audit_sheet_versions", "a company's audit sheet's versions"),
    (
        "quality_rewards",
        "a company's reward/penalty table of quality audits, by position",
    ),
    ("kpi_scorecards", "a company's staff scorecards, by role"),
    (
        "quality_campaigns",
        "a company's quality campaigns (专项工作), run over several of its communities",
    ),
    (
        "campaign_phases",
        "the phases of a company's quality campaign",
    ),
    (
        "audit_sheet_items",
        "the items of a company's audit sheet version",
    ),
];

/// Tables without a `community_id` column that belong to a tenant through their parent.
const CHILDREN: &[(&str, &str)] = &[("team_members", "teams")];

/// Indexes of tenant tables (by table and columns) that do not begin with `community_id`.
const EXCEPTIONS: &[(&str, &str, &str)] = &[
    (
        "announcements",
        "series_id",
        "the copies of a company-wide notice, one in each community (partial index)",
    ),
    (
        "announcements",
        "publish_at",
        "the notice scheduler's queue over all communities (partial index)",
    ),
    (
        "community_boards",
        "slug",
        "constraint: a public board is found by its address alone, before its community is known",
    ),
    (
        "audit_log",
        "company_id,at",
        "the company's audit trail across its communities; company-level rows have no community",
    ),
    (
        "notifications",
        "user_id,read_at,id",
        "a user's inbox over all his communities",
    ),
    (
        "request_clocks",
        "warn_at",
        "the SLA scanner's queue of running clocks over all communities (partial index)",
    ),
    (
        "request_clocks",
        "due_at",
        "the SLA scanner's queue of running clocks over all communities (partial index)",
    ),
    (
        "request_clocks",
        "request_id,clock",
        "constraint: one clock of a kind per request (request ids are global)",
    ),
    (
        "unit_people",
        "unit_id,person_id",
        "constraint: a person linked once to a unit (unit ids are global)",
    ),
    (
        "unit_people",
        "person_id",
        "a person's units without knowing his community (cascade from people, person cards)",
    ),
    (
        "outbox",
        "due_at,id",
        "the outbox worker's queue of pending messages over all communities (partial index)",
    ),
    (
        "owner_accounts",
        "person_id",
        "constraint: one portal account per person (person ids are global)",
    ),
];

/// (table, column) pairs; for an index, its columns joined by commas.
type Pairs = Vec<(String, String)>;

/// (table, index columns) of every index that is not a primary key, and each table's columns.
async fn schema(app: &wuye_testkit::TestApp) -> (Pairs, BTreeMap<String, BTreeSet<String>>) {
    let db = &app.core.db;
    let (indexes, columns): (Pairs, Pairs) = match app.backend {
        Backend::Sqlite => (
            db.read()
                .fetch_all(
                    "SELECT m.name, (SELECT group_concat(c.name, ',') FROM \
                     (SELECT name FROM pragma_index_info(il.name) ORDER BY seqno) c) \
                     FROM sqlite_master m JOIN pragma_index_list(m.name) il \
                     WHERE m.type = 'table' AND il.origin <> 'pk'",
                    args![],
                )
                .await
                .expect("indexes"),
            db.read()
                .fetch_all(
                    "SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p \
                     WHERE m.type = 'table'",
                    args![],
                )
                .await
                .expect("columns"),
        ),
        Backend::Postgres => (
            db.read()
                .fetch_all(
                    "SELECT t.relname::text, array_to_string(ARRAY(SELECT a.attname::text \
                     FROM unnest(ix.indkey) WITH ORDINALITY k(n, o) \
                     JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.n ORDER BY k.o), ',') \
                     FROM pg_index ix JOIN pg_class t ON t.oid = ix.indrelid \
                     JOIN pg_namespace s ON s.oid = t.relnamespace \
                     WHERE s.nspname = current_schema() AND NOT ix.indisprimary",
                    args![],
                )
                .await
                .expect("indexes"),
            db.read()
                .fetch_all(
                    "SELECT table_name::text, column_name::text FROM information_schema.columns \
                     WHERE table_schema = current_schema()",
                    args![],
                )
                .await
                .expect("columns"),
        ),
    };
    let mut tables: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (t, c) in columns {
        if !t.starts_with("_sqlx") && !t.starts_with("sqlite_") {
            tables.entry(t).or_default().insert(c);
        }
    }
    (indexes, tables)
}

#[tokio::test]
async fn every_index_of_a_tenant_table_begins_with_community_id() {
    let app = crate::app().await;
    let (indexes, tables) = schema(&app).await;
    assert!(tables.len() > 40, "{}", tables.len());
    let shared: BTreeSet<&str> = SHARED.iter().map(|s| s.0).collect();
    let children: BTreeSet<&str> = CHILDREN.iter().map(|s| s.0).collect();
    let mut problems = Vec::new();
    for (t, cols) in &tables {
        let tenant = cols.contains("community_id");
        let problem = if children.contains(t.as_str()) && tenant {
            Some("has community_id yet is listed as a child: it is a tenant table")
        } else if !tenant && !shared.contains(t.as_str()) && !children.contains(t.as_str()) {
            Some("has no community_id: list it as shared or as a child of its tenant parent")
        } else {
            None
        };
        if let Some(p) = problem {
            problems.push(format!("table {t}: {p}"));
        }
    }
    for (parent, child) in CHILDREN.iter().map(|c| (c.1, c.0)) {
        assert!(
            tables[parent].contains("community_id"),
            "{child}'s parent {parent}"
        );
    }
    for (t, cols) in &indexes {
        let tenant = tables
            .get(t)
            .is_some_and(|c| c.contains("community_id") && !shared.contains(t.as_str()));
        let excepted = EXCEPTIONS.iter().any(|e| e.0 == t && e.1 == cols);
        if tenant && !cols.starts_with("community_id") && !excepted {
            problems.push(format!(
                "index on {t} ({cols}) does not begin with community_id"
            ));
        }
    }
    for e in EXCEPTIONS {
        assert!(
            indexes.iter().any(|(t, c)| t == e.0 && c == e.1),
            "the exception {e:?} matches no index any more: remove it"
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
