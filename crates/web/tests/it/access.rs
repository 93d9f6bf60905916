//! Who may see what: community scoping and permissions, through the API.

use serde_json::json;

use crate::{app, new_unit};

#[tokio::test]
async fn staff_reach_only_their_communities() {
    let app = app().await;
    let admin = app.admin().await;
    let unit_a = new_unit(&admin, app.building_a.0, "101").await;
    let unit_b = new_unit(&admin, app.building_b.0, "101").await;
    let agent = app
        .api_as("agent_a", "service_agent", &[app.community_a])
        .await;

    let (st, _) = agent.get(&format!("/api/v1/units/{unit_a}")).await;
    assert_eq!(st, 200);
    // Another community's unit by id: 404, as if it did not exist.
    let (st, v) = agent.get(&format!("/api/v1/units/{unit_b}")).await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (404, Some("not_found")));
    let (st, _) = agent
        .patch(
            &format!("/api/v1/units/{unit_b}"),
            json!({"state": "vacant"}),
        )
        .await;
    assert_eq!(st, 404);
    let (st, _) = agent.delete(&format!("/api/v1/units/{unit_b}")).await;
    assert_eq!(st, 404);
    let (st, _) = agent
        .get(&format!("/api/v1/communities/{}", app.community_b.0))
        .await;
    assert_eq!(st, 404);
    let (st, v) = agent
        .post("/api/v1/units", json!({"building_id": app.building_b.0, "unit_no": "102", "floor": 1, "building_area": "50", "use_kind": "shop", "state": "vacant"}))
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("building_id"))
    );

    let (_, list) = agent.get("/api/v1/communities").await;
    assert_eq!(list.as_array().expect("list").len(), 1);
    let (_, units) = agent.get("/api/v1/units").await;
    let ids: Vec<i64> = units
        .as_array()
        .expect("units")
        .iter()
        .map(|u| u["id"].as_i64().unwrap_or(0))
        .collect();
    assert_eq!(ids, vec![unit_a]);
    let (st, _) = agent
        .get(&format!("/api/v1/units?community_id={}", app.community_b.0))
        .await;
    assert_eq!(st, 404);

    // Search never crosses into community B.
    let (_, hits) = agent.get("/api/v1/search?q=101").await;
    assert_eq!(hits.as_array().expect("hits").len(), 1);
    assert_eq!(hits[0]["id"], unit_a);
}

#[tokio::test]
async fn roles_limit_what_a_user_may_do() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "101").await;
    let tech = app.api_as("tech", "technician", &[app.community_a]).await;
    let (st, _) = tech.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(st, 200, "a technician reads units");
    let (st, v) = tech
        .patch(&format!("/api/v1/units/{unit}"), json!({"state": "vacant"}))
        .await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (403, Some("forbidden")));
    let (st, _) = tech
        .post("/api/v1/communities", json!({"code": "X", "name": "X"}))
        .await;
    assert_eq!(st, 403);
    let (st, _) = tech.get("/api/v1/users").await;
    assert_eq!(st, 403);
    let (st, _) = tech.get("/api/v1/audit").await;
    assert_eq!(st, 403);
    let owner = app.api_as("owner1", "owner", &[app.community_a]).await;
    let (st, _) = owner.get(&format!("/api/v1/units/{unit}")).await;
    assert_eq!(
        st, 403,
        "an owner has no registry access through the staff API"
    );

    // Unauthenticated and bad tokens.
    let (st, v) = app.api(None).get("/api/v1/units").await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (401, Some("invalid_token"))
    );
    let (st, _) = app.api(Some("wy_forged".into())).get("/api/v1/units").await;
    assert_eq!(st, 401);
}

#[tokio::test]
async fn admin_manages_users_roles_and_assignments() {
    let app = app().await;
    let admin = app.admin().await;
    let (st, v) = admin
        .post("/api/v1/users", json!({"username": "Xiaoli", "display_name": "小李", "role": "service_agent", "password": "short", "communities": [app.community_a.0, 9999]}))
        .await;
    assert_eq!(st, 422);
    let fields: Vec<&str> = v["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["field"].as_str().unwrap_or(""))
        .collect();
    assert_eq!(fields, vec!["password", "communities"]);
    let (st, v) = admin
        .post("/api/v1/users", json!({"username": "Xiaoli", "display_name": "小李", "role": "service_agent", "password": "wuye2026ok", "communities": [app.community_a.0]}))
        .await;
    assert_eq!(st, 201, "{v}");
    assert_eq!(v["username"], "xiaoli");
    assert_eq!(v["must_change_password"], true);
    let id = v["id"].as_i64().expect("id");
    let (st, _) = admin
        .post("/api/v1/users", json!({"username": "xiaoli", "display_name": "又一个", "role": "cashier", "password": "wuye2026ok"}))
        .await;
    assert_eq!(st, 409);

    // With the initial password there is no API token: it must be changed first.
    let login = json!({"username": "xiaoli", "password": "wuye2026ok"});
    let (st, v) = app
        .api(None)
        .post("/api/v1/auth/token", login.clone())
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (401, Some("password_change_required"))
    );
    let ctx = wuye_core::auth::load_ctx(&app.core, wuye_core::shared::ids::UserId(id))
        .await
        .expect("ctx");
    wuye_core::auth::change_password(&app.core, &ctx, "wuye2026ok", "mine2026ok", None)
        .await
        .expect("change");

    // The new user sees A only; reassigned to B, sees B only.
    let (st, tok) = app
        .api(None)
        .post(
            "/api/v1/auth/token",
            json!({"username": "xiaoli", "password": "mine2026ok"}),
        )
        .await;
    assert_eq!(st, 201);
    let me = app.api(tok["token"].as_str().map(String::from));
    let (_, m) = me.get("/api/v1/me").await;
    assert_eq!(m["communities"], json!([app.community_a.0]));
    let (st, _) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({"communities": [app.community_b.0]}),
        )
        .await;
    assert_eq!(st, 200);
    let (_, m) = me.get("/api/v1/me").await;
    assert_eq!(m["communities"], json!([app.community_b.0]));

    // Deactivated: the token stops working.
    let (st, _) = admin
        .patch(&format!("/api/v1/users/{id}"), json!({"active": false}))
        .await;
    assert_eq!(st, 200);
    let (st, _) = me.get("/api/v1/me").await;
    assert_eq!(st, 401);

    // Roles: permissions can be changed, but the admin keeps user management.
    let (st, v) = admin
        .put(
            "/api/v1/roles/company_admin",
            json!({"permissions": ["registry.read"]}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("admin_keeps_users_manage"))
    );
    let (st, v) = admin
        .put(
            "/api/v1/roles/technician",
            json!({"permissions": ["registry.read", "registry.write"]}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(v["permissions"], "registry.read,registry.write");
    let (st, _) = admin
        .put("/api/v1/roles/technician", json!({"permissions": ["fly"]}))
        .await;
    assert_eq!(st, 422);
}
