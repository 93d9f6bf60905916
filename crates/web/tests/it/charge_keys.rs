//! On PostgreSQL `charges` has no foreign keys (migration 0012): whatever writes charges first
//! locks their units in bulk (`FOR KEY SHARE`, the lock a foreign key takes row by row), and a
//! trigger refuses to delete a unit a charge points at. SQLite keeps its foreign keys and has one
//! writer, so the race below cannot happen there.

use std::time::Duration;

use serde_json::json;
use wuye_core::args;
use wuye_core::db::Backend;

use crate::{app, new_unit};

#[tokio::test]
async fn a_unit_being_charged_waits_out_the_charge_and_is_then_kept() {
    let app = app().await;
    if app.backend != Backend::Postgres {
        return;
    }
    let api = app.admin().await;
    let c = app.community_a.0;
    let (st, item) = api
        .put(
            "/api/v1/fee-items",
            json!({"community_id": c, "code": "wyf", "name": "物业费", "kind": "property",
                   "late_fee_rate": "0", "late_fee_grace_days": 10, "late_fee_cap_pct": 100}),
        )
        .await;
    assert_eq!(st, 200, "{item}");
    let item = item["id"].as_i64().expect("item id");
    let unit = new_unit(&api, app.building_a.0, "901").await;

    // A charge being written: the units held as `billing::store::charges::hold_units` holds
    // them, and the charge inserted, in a transaction not yet committed.
    let mut tx = app.core.db.begin().await.expect("begin");
    let held: Vec<(i64,)> = tx
        .fetch_all(
            "SELECT id FROM units WHERE community_id = $1 FOR KEY SHARE",
            args![c],
        )
        .await
        .expect("hold the units");
    assert!(held.contains(&(unit,)), "{held:?}");
    tx.execute(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, description, basis, \
         amount_fen, settled_fen, due_date, created_at) \
         VALUES ($1, $2, $3, 'manual', '测试', '测试', 100, 0, CURRENT_DATE, now())",
        args![c, unit, item],
    )
    .await
    .expect("the charge");

    // Meanwhile the unit's delete waits for that transaction …
    let delete = tokio::spawn({
        let api = api.clone();
        async move { api.delete(&format!("/api/v1/units/{unit}")).await }
    });
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(
        !delete.is_finished(),
        "the delete of a unit being charged must wait for the charge's transaction"
    );
    tx.commit().await.expect("commit");

    // … and is then refused, as the foreign key refused it: the charge keeps its unit.
    let (st, e) = delete.await.expect("the delete's task");
    assert_eq!(st, 409, "{e}");
    assert_eq!(e["code"], "unit_has_records");
    let (st, u) = api.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(st, 200, "{u}");
}
