//! The integration suite: the whole application on a fresh database per test, over HTTP.
//! Runs on SQLite by default and on PostgreSQL when WUYE_TEST_DATABASE_URL is set (CI does both).

mod access;
mod accounts;
mod audit;
mod backdate;
mod billing;
mod billing_pages;
mod browser;
mod charge_keys;
mod console;
mod daily_use;
mod home_pages;
mod import;
mod isolation;
mod journeys;
mod latefees;
mod nodes;
mod openapi;
mod opening;
mod ops;
mod parking;
mod pii;
mod plans;
mod portal;
mod registry;
mod schema;
mod security;
mod switch_report;
mod switching;
mod tenancy;
mod tickets;

use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

/// Creates a unit through the API and returns its id.
pub async fn new_unit(api: &Api, building: i64, unit_no: &str) -> i64 {
    let (st, v) = api
        .post(
            "/api/v1/units",
            json!({"building_id": building, "unit_no": unit_no, "floor": 3, "building_area": "89.50",
                   "inner_area": "72.30", "use_kind": "residential", "state": "occupied"}),
        )
        .await;
    assert_eq!(st, 201, "{v}");
    v["id"].as_i64().expect("unit id")
}

/// The codes of the field errors of an error body, in order.
pub fn error_fields(v: &Value) -> Vec<(String, String)> {
    v["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| {
                    (
                        e["field"].as_str().unwrap_or("").to_string(),
                        e["code"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

pub async fn app() -> TestApp {
    wuye_testkit::spawn_app().await
}

/// A PDF's text as Poppler reads it (`pdftotext`) and its fonts (`pdffonts`): name, type,
/// encoding, embedded, subset, Unicode map. Poppler is installed by `.ci/install-deps.sh`.
pub fn pdf_text_and_fonts(bytes: &[u8]) -> (String, String) {
    let path = std::env::temp_dir().join(format!(
        "wuye-test-{}-{}.pdf",
        std::process::id(),
        wuye_core::shared::crypto::random_token()
    ));
    std::fs::write(&path, bytes).expect("write the PDF");
    let run = |cmd: &str, args: &[&str]| {
        let out = std::process::Command::new(cmd)
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("{cmd} (poppler-utils): {e}"));
        assert!(
            out.status.success(),
            "{cmd}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).to_string()
    };
    let p = path.to_string_lossy().to_string();
    let text = run("pdftotext", &["-layout", &p, "-"]);
    let fonts = run("pdffonts", &[&p]);
    let _ = std::fs::remove_file(&path);
    (text, fonts)
}
