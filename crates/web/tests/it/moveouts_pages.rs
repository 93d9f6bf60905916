//! Move-outs through the pages (issue 15 point 8): the agent opens a check for the tenants of a
//! unit typed by its label (a unit with no tenant comes back named); the check's page lists the
//! checklist with the arrears owed; completion is refused naming the arrears; the manager records
//! a waiver and completes it; the sheet prints as a PDF; a technician has no such page.

use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_tenant_is_moved_out_through_the_pages_with_a_managers_waiver() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let admin = app.admin().await;
    let (unit, label) = crate::unit_with_owner(&app, &admin, "1802", "赵业主").await;

    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/move-outs?community={c}")).await;
    assert!(
        page.contains("id=\"move-out-form\"") && page.contains("id=\"nav-move-outs\""),
        "{page}"
    );
    let form = |who: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("unit_label", label.clone()),
            ("who", who.to_string()),
            ("reason", "租约到期".into()),
        ]
    };
    let f = form("tenants");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/move-outs", &f).await;
    assert_eq!(st, 422, "no tenant yet: {page}");
    assert!(page.contains("迁出人须是该房屋登记的住户"), "{page}");
    admin
        .post(
            "/api/v1/people",
            json!({"community_id": a.0, "name": "钱租户", "unit_id": unit, "relation": "tenant"}),
        )
        .await;
    let item = crate::fee_item_of(&admin, a.0, "wyf", "物业费", "property").await;
    admin
        .post(
            "/api/v1/charges",
            json!({"unit_id": unit, "fee_item_id": item, "amount": "120", "description": "物业费",
                   "reason": "补收"}),
        )
        .await;
    let (st, to, _) = send(&web, &app.base, "/move-outs", &f).await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/move-outs/"), "{to}");
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("钱租户") && !page.contains("赵业主（"),
        "{page}"
    );
    assert!(
        page.contains("id=\"check-arrears\" class=\"late\"") && page.contains("¥120.00"),
        "{page}"
    );
    let id = to.trim_start_matches("/move-outs/").to_string();
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/move-outs/{id}/complete"),
        &[("_csrf", &token), ("unit_state", "")],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("该房屋尚欠费 120.00 元"), "{page}");

    let (web, token) = console_login(&app, "pm01").await;
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/move-outs/{id}/complete"),
        &[
            ("_csrf", &token),
            ("arrears_waiver", "租户已交押金抵扣"),
            ("unit_state", "occupied"),
        ],
    )
    .await;
    assert_eq!((st, to.clone()), (303, format!("/move-outs/{id}")));
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("已迁出") && page.contains("租户已交押金抵扣"),
        "{page}"
    );
    let r = web
        .get(format!("{}/move-outs/{id}/sheet.pdf", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.bytes().await.unwrap().starts_with(b"%PDF"));

    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}/move-outs?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
