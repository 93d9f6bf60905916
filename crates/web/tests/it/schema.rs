//! The two migration trees describe the same schema.

use std::collections::{BTreeMap, BTreeSet};

fn tables_of(sql: &str) -> BTreeMap<String, BTreeSet<String>> {
    let mut out = BTreeMap::new();
    for stmt in sql.split(';') {
        // Comment lines may stand before a statement.
        let flat: String = stmt
            .lines()
            .filter(|l| !l.trim_start().starts_with("--"))
            .collect::<Vec<_>>()
            .join(" ");
        let flat = flat.trim();
        let s = stmt.trim();
        // "CREATE [UNIQUE] INDEX i ON t (a, b) [WHERE …]" and "DROP INDEX i": the same indexes
        // on both engines (a hot list's plan depends on them).
        if ["CREATE INDEX ", "CREATE UNIQUE INDEX ", "DROP INDEX "]
            .iter()
            .any(|p| flat.starts_with(p))
        {
            let words: Vec<&str> = flat.split_whitespace().collect();
            let at = words.iter().position(|w| *w == "INDEX").unwrap_or(0);
            let name = words.get(at + 1).copied().unwrap_or("");
            let what = if flat.starts_with("DROP") {
                "drop"
            } else {
                "index"
            };
            out.entry(format!("{what} {name}"))
                .or_insert_with(BTreeSet::new)
                .insert(words[at + 2..].join(" "));
            continue;
        }
        // "ALTER TABLE t ADD COLUMN c …"
        if let Some(rest) = s.find("ALTER TABLE ").map(|i| &s[i + 12..]) {
            let words: Vec<&str> = rest.split_whitespace().collect();
            if let [table, "ADD", "COLUMN", col, ..] = words.as_slice() {
                out.entry(format!("alter {table}"))
                    .or_insert_with(BTreeSet::new)
                    .insert(col.to_string());
            }
            continue;
        }
        let Some(rest) = s.find("CREATE TABLE ").map(|i| &s[i + 13..]) else {
            continue;
        };
        let name = rest.split_whitespace().next().unwrap_or("").to_string();
        let body = &rest[rest.find('(').unwrap_or(0) + 1..rest.rfind(')').unwrap_or(rest.len())];
        let cols = body
            .lines()
            .map(str::trim)
            .filter(|l| {
                !l.is_empty()
                    && !l.starts_with("UNIQUE")
                    && !l.starts_with("PRIMARY KEY")
                    && !l.starts_with("--")
            })
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect();
        out.insert(name, cols);
    }
    out
}

#[test]
fn both_trees_have_the_same_files_tables_and_columns() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/migrations");
    let names = |d: &str| -> BTreeSet<String> {
        std::fs::read_dir(root.join(d))
            .expect("dir")
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().to_string())
            .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
    for f in names("sqlite") {
        let lite = std::fs::read_to_string(root.join("sqlite").join(&f)).expect("read");
        let a = tables_of(&lite);
        let b = tables_of(&std::fs::read_to_string(root.join("postgres").join(&f)).expect("read"));
        // A migration may change only how PostgreSQL keeps the same tables (constraints,
        // triggers, storage parameters); its SQLite file then says so on its first line.
        let pg_only = lite.starts_with("-- PostgreSQL only");
        assert!(
            !a.is_empty() || pg_only,
            "{f} defines or alters tables or indexes"
        );
        assert_eq!(a, b, "{f}");
    }
}

/// The live schema of the backend under test has the tables and columns the SQLite tree makes.
#[tokio::test]
async fn live_schema_matches_a_fresh_sqlite() {
    let app = crate::app().await;
    let dir = std::env::temp_dir().join(format!("wuye-schema-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let path = dir.join("s.db");
    let _ = std::fs::remove_file(&path);
    let sqlite = wuye_core::db::Db::connect(&path.to_string_lossy(), &Default::default())
        .await
        .expect("sqlite");
    sqlite.migrate().await.expect("migrate");
    let cols = |rows: Vec<(String, String)>| -> BTreeSet<(String, String)> {
        rows.into_iter()
            .filter(|(t, _)| !t.starts_with("_sqlx"))
            .collect()
    };
    let reference = cols(
        sqlite
            .read()
            .fetch_all("SELECT m.name, p.name FROM sqlite_master m JOIN pragma_table_info(m.name) p WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'", wuye_core::args![])
            .await
            .expect("columns"),
    );
    let live = match app.backend {
        wuye_core::db::Backend::Sqlite => reference.clone(),
        wuye_core::db::Backend::Postgres => cols(
            app.core
                .db
                .read()
                .fetch_all("SELECT table_name::text, column_name::text FROM information_schema.columns WHERE table_schema = current_schema()", wuye_core::args![])
                .await
                .expect("columns"),
        ),
    };
    assert!(reference.len() > 80);
    assert_eq!(live, reference);
    sqlite.close().await;
    let _ = std::fs::remove_dir_all(&dir);
}
