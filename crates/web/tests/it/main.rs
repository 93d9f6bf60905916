//! The integration suite: the whole application on a fresh database per test, over HTTP.
//! Runs on SQLite by default and on PostgreSQL when WUYE_TEST_DATABASE_URL is set (CI does both).

mod access;

mod accounts;
mod activities;
mod announcements;
mod audit;
mod audit_evidence;
mod backdate;
mod billing;
mod billing_pages;
mod browser;
mod campaigns;
mod charge_keys;
mod console;
mod daily_use;
mod dashboard;
mod decorations;
mod decorations_pages;
mod deskservices;
mod deskservices_pages;
mod duty;
mod duty_pages;
mod equipment;
mod equipment_pages;
mod exports;
mod exports_ops;
mod exports_quality;
mod guard_pages;
mod home_pages;
mod import;
mod incidents;
mod isolation;
mod journeys;
mod keys;
mod keys_pages;
mod kpis;
mod latefees;
mod lending;
mod lending_pages;
mod moveins;
mod moveins_pages;
mod moveouts;
mod moveouts_pages;
mod nodes;
mod notify;
mod openapi;
mod opening;
mod ops;
mod parcels;
mod parcels_pages;
mod parking;
mod patrol_browser;
mod patrol_keys;
mod patrol_pages;
mod patrols;
mod periodicals;
mod periodicals_pages;
mod pii;
mod plans;
mod portal;
mod quality;
mod quality_pages;
mod quality_report;
mod rectifications;
mod rectifications_pages;
mod registry;
mod releases;
mod releases_pages;
mod schema;
mod security;
mod surveys;
mod switch_report;
mod switching;
mod tenancy;
mod tickets;
mod venues;
mod venues_pages;
mod visitors;
mod visitors_pages;

use serde_json::{Value, json};
use wuye_testkit::{Api, TestApp};

/// Creates a unit of community A's building with a named owner; returns its id and its label as
/// the desk types it (`1栋-1802`).
pub async fn unit_with_owner(
    app: &TestApp,
    admin: &Api,
    unit_no: &str,
    owner: &str,
) -> (i64, String) {
    let unit = new_unit(admin, app.building_a.0, unit_no).await;
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let label = format!(
        "{}-{}",
        u["unit"]["building_name"].as_str().unwrap_or_default(),
        u["unit"]["unit_no"].as_str().unwrap_or_default()
    );
    let (st, p) = admin
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": owner, "unit_id": unit, "relation": "owner"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    (unit, label)
}

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

/// A fee item of the community (`code`, `name`, `kind`), created or updated; its id.
pub async fn fee_item_of(api: &Api, community: i64, code: &str, name: &str, kind: &str) -> i64 {
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": community, "code": code, "name": name, "kind": kind}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    item["id"].as_i64().expect("fee item id")
}

/// A charge posted by hand on the unit, due today; its id.
pub async fn charge_of(api: &Api, unit: i64, item: i64, amount: &str, description: &str) -> i64 {
    let (st, ch) = api
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": amount,
                   "description": description, "reason": "补收"}),
        )
        .await;
    assert_eq!(st, 201, "{ch}");
    ch["id"].as_i64().expect("charge id")
}

/// The text of the element with `id="{id}"` in a page, as the server sent it.
pub fn text_of(page: &str, id: &str) -> String {
    let at = page
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("{id} on the page"));
    let from = at + page[at..].find('>').expect("tag end") + 1;
    page[from..from + page[from..].find('<').expect("text end")].to_string()
}
