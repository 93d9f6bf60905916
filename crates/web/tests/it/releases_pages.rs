//! Large-item release through the pages (issue 15 point 5): the owner applies in the portal (a
//! refused form comes back with its message); the desk sees it with its number, approves it;
//! the guard types the number and lets it out; the owner's page shows the number once approved.

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_release_is_applied_for_in_the_portal_approved_and_let_out_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("agent01", "service_agent", &[a]).await;
    app.user("guard01", "security", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap().to_string();
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().unwrap().to_string();
    // Any time of today in the community's zone; "now + 30 min" may already be tomorrow there.
    let soon = format!("{}T09:30", crate::latefees::today());

    let (web, token) = console_login(&app, &login).await;
    let page = html(&web, &app.base, "/portal/releases").await;
    assert!(
        page.contains("id=\"apply-form\"") && page.contains("id=\"nav-my-releases\""),
        "{page}"
    );
    let (st, _, page) = send(
        &web,
        &app.base,
        "/portal/releases",
        &[
            ("_csrf", &token),
            ("unit_id", &unit),
            ("items", ""),
            ("planned_at", &soon),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        "/portal/releases",
        &[
            ("_csrf", &token),
            ("unit_id", &unit),
            ("items", "旧沙发一张"),
            ("planned_at", &soon),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/portal/releases"));
    let (_, mine) = owner.get("/api/v1/portal/releases").await;
    let id = mine[0]["id"].as_i64().unwrap();
    let number = mine[0]["number"].as_str().unwrap().to_string();

    // The desk approves it.
    let (dweb, dtoken) = console_login(&app, "agent01").await;
    let page = html(&dweb, &app.base, &format!("/releases?community={c}")).await;
    assert!(
        page.contains(&format!("id=\"approve-{id}\"")) && page.contains("业主端申请"),
        "{page}"
    );
    let (st, to, _) = send(
        &dweb,
        &app.base,
        &format!("/releases/{id}/approve"),
        &[("_csrf", &dtoken), ("community", &c)],
    )
    .await;
    assert_eq!((st, to), (303, format!("/releases?community={c}")));

    // The guard types the number and lets it out.
    let (gweb, gtoken) = console_login(&app, "guard01").await;
    let page = html(
        &gweb,
        &app.base,
        &format!("/releases?community={c}&number={number}"),
    )
    .await;
    assert!(page.contains(&format!("id=\"pass-{id}\"")), "{page}");
    let (st, _, _) = send(
        &gweb,
        &app.base,
        &format!("/releases/{id}/pass"),
        &[("_csrf", &gtoken), ("community", &c)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, v) = owner.get("/api/v1/portal/releases").await;
    assert_eq!(v[0]["state"], "passed");
    let page = html(&web, &app.base, "/portal/releases").await;
    assert!(page.contains("已放行"), "{page}");
}
