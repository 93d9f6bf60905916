//! Personal data: encrypted at rest, masked in views, revealed only with the right and logged.

use serde_json::json;

use crate::{app, new_unit};

const PHONE: &str = "13987654321";
const ID_NO: &str = "11010519491231002X";

#[tokio::test]
async fn no_clear_phone_or_id_number_at_rest() {
    let app = app().await;
    let api = app.admin().await;
    let unit = new_unit(&api, app.building_a.0, "501").await;
    let (st, p) = api
        .post("/api/v1/people", json!({"community_id": app.community_a.0, "name": "孙七", "phone": PHONE, "id_number": ID_NO, "unit_id": unit, "relation": "owner"}))
        .await;
    assert_eq!(st, 201);
    // Updates and reveals write the audit log too: it must not hold clear values either.
    let (st, _) = api
        .patch(
            &format!("/api/v1/people/{}", p["id"]),
            json!({"phone": "13987654322"}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, _) = api
        .patch(
            &format!("/api/v1/people/{}", p["id"]),
            json!({"phone": PHONE}),
        )
        .await;
    assert_eq!(st, 200);
    let (st, clear) = api
        .post(&format!("/api/v1/people/{}/reveal", p["id"]), json!({}))
        .await;
    assert_eq!(st, 200);
    assert_eq!(clear["phone"], PHONE, "the key decrypts what was stored");

    if let Some(path) = &app.sqlite_path {
        // Every byte of the database and its write-ahead log.
        let mut bytes = std::fs::read(path).expect("db file");
        let wal = path.with_extension("db-wal");
        if let Ok(w) = std::fs::read(&wal) {
            bytes.extend(w);
        }
        assert!(bytes.len() > 4096);
        for needle in [PHONE, "13987654322", ID_NO, "19491231"] {
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle.as_bytes()),
                "{needle} found in the SQLite files"
            );
        }
        // The test is able to fail: a plain column would be found.
        assert!(
            bytes.windows("孙七".len()).any(|w| w == "孙七".as_bytes()),
            "names are stored in clear, so the scan sees the data"
        );
    } else {
        // Every row of every table, as text.
        let tables: Vec<(String,)> = app
            .core
            .db
            .read()
            .fetch_all("SELECT table_name::text FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'", wuye_core::args![])
            .await
            .expect("tables");
        assert!(tables.len() > 10);
        let mut seen_name = false;
        for (t,) in tables {
            let rows: Vec<(String,)> = app
                .core
                .db
                .read()
                .fetch_all(
                    &format!("SELECT CAST(x AS TEXT) FROM {t} x"),
                    wuye_core::args![],
                )
                .await
                .expect("rows");
            for (r,) in rows {
                for needle in [PHONE, "13987654322", ID_NO, "19491231"] {
                    assert!(!r.contains(needle), "{needle} found in table {t}: {r}");
                }
                seen_name |= r.contains("孙七");
            }
        }
        assert!(seen_name, "the scan sees the data");
    }
}

#[tokio::test]
async fn masked_for_all_revealed_only_with_permission_and_logged() {
    let app = app().await;
    let admin = app.admin().await;
    let (_, p) = admin
        .post("/api/v1/people", json!({"community_id": app.community_a.0, "name": "周八", "phone": PHONE, "id_number": ID_NO}))
        .await;
    let id = p["id"].as_i64().expect("id");
    let agent = app
        .api_as("agent", "service_agent", &[app.community_a])
        .await;
    let tech = app.api_as("tech", "technician", &[app.community_a]).await;
    for api in [&agent, &tech] {
        let (_, v) = api.get(&format!("/api/v1/people/{id}")).await;
        assert_eq!(v["phone"], "139****4321");
        assert_eq!(v["id_number"], "110105********002X");
    }
    let (st, _) = tech
        .post(&format!("/api/v1/people/{id}/reveal"), json!({}))
        .await;
    assert_eq!(st, 403);
    let (st, v) = agent
        .post(&format!("/api/v1/people/{id}/reveal"), json!({}))
        .await;
    assert_eq!(st, 200);
    assert_eq!(v["phone"], PHONE);
    assert_eq!(v["id_number"], ID_NO);
    let (_, log) = admin
        .get(&format!(
            "/api/v1/audit?entity=person&entity_id={id}&action=reveal"
        ))
        .await;
    let log = log.as_array().expect("log");
    assert_eq!(
        log.len(),
        1,
        "one reveal, one entry (the refused one is not a reveal)"
    );
    assert_eq!(log[0]["actor_name"], "agent姓名");
}
