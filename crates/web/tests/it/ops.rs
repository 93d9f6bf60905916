//! Operations: a consistent SQLite backup while the application serves.

use serde_json::json;
use wuye_core::db::{Db, DbOptions};

use crate::{app, new_unit};

#[tokio::test]
async fn backup_copies_the_database_while_serving() {
    let app = app().await;
    let Some(path) = app.sqlite_path.clone() else {
        // PostgreSQL is backed up with pg_dump; the service says so instead of failing obscurely.
        let dest = std::env::temp_dir().join("wuye-never-written.db");
        let e = app
            .core
            .db
            .backup_sqlite(&dest)
            .await
            .expect_err("no VACUUM INTO on PostgreSQL");
        assert!(matches!(e, wuye_core::CoreError::Invalid(_)));
        return;
    };
    let api = app.admin().await;
    for n in 0..20 {
        new_unit(&api, app.building_a.0, &format!("{}", 100 + n)).await;
    }
    // Writes keep going while the copy is taken.
    let writer = {
        let api = api.clone();
        let b = app.building_a.0;
        tokio::spawn(async move {
            for n in 0..20 {
                api.post("/api/v1/units", json!({"building_id": b, "unit_no": format!("9{n:02}"), "floor": 9, "building_area": "60", "use_kind": "shop", "state": "vacant"})).await;
            }
        })
    };
    let dest = path.with_file_name("backup.db");
    app.core.db.backup_sqlite(&dest).await.expect("backup");
    writer.await.expect("writer");
    let copy = Db::connect(&dest.to_string_lossy(), &DbOptions::default())
        .await
        .expect("open the copy");
    let (n,): (i64,) = copy
        .read()
        .fetch_one("SELECT COUNT(*) FROM units", wuye_core::args![])
        .await
        .expect("count");
    assert!(
        (20..=40).contains(&n),
        "a consistent snapshot between 20 and 40 units, got {n}"
    );
    let (ok,): (String,) = copy
        .read()
        .fetch_one("PRAGMA integrity_check", wuye_core::args![])
        .await
        .expect("check");
    assert_eq!(ok, "ok");
    copy.close().await;
}
