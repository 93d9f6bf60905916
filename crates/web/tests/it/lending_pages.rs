//! Item lending through the pages (issue 15 point 4): the manager adds an umbrella with a
//! deposit (a refused form comes back with the message beside its field); the agent lends it
//! to an owner typed by his unit, the deposit taken in cash; the loan is listed out with its
//! deposit; it is returned with the deposit paid back; a technician has no such page.

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn an_umbrella_is_added_lent_against_a_deposit_and_returned_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let admin = app.admin().await;
    let (_, label) = crate::unit_with_owner(&app, &admin, "1802", "赵业主").await;

    // The manager adds the umbrellas; a stock left empty is named.
    let (web, token) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/lending?community={c}")).await;
    assert!(
        page.contains("id=\"add-item-form\"") && page.contains("id=\"lend-items-none\""),
        "{page}"
    );
    let item = |stock: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("name", "雨伞".into()),
            ("stock", stock.into()),
            ("deposit", "20".into()),
            ("loan_days", "1".into()),
        ]
    };
    let f = item("");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/lend-items", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("库存数量须在 0 到 10000 之间"), "{page}");
    let f = item("5");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/lend-items", &f).await;
    assert_eq!((st, to), (303, format!("/lending?community={c}")));
    let (_, items) = admin
        .get(&format!("/api/v1/communities/{c}/lend-items"))
        .await;
    let item_id = items[0]["id"].as_i64().unwrap().to_string();

    // The agent lends one to the owner, typed by his unit and name; the deposit in cash.
    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/lending?community={c}")).await;
    assert!(
        page.contains("id=\"lend-form\"") && page.contains("id=\"nav-lending\""),
        "{page}"
    );
    assert!(
        !page.contains("id=\"add-item-form\""),
        "only a manager adds items"
    );
    let lend = |unit: &str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("item_id", item_id.clone()),
            ("quantity", "1".into()),
            ("unit_label", unit.to_string()),
            ("borrower_name", "赵业主".into()),
            ("deposit_method", "cash".into()),
        ]
    };
    let f = lend("");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/lending", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("请填写借用人的房号"), "{page}");
    assert!(page.contains("value=\"赵业主\""), "the input is kept");
    let f = lend(&label);
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/lending", &f).await;
    assert_eq!((st, to), (303, format!("/lending?community={c}")));
    let page = html(&web, &app.base, &format!("/lending?community={c}")).await;
    assert!(page.contains("已借出：雨伞 × 1，借用人 赵业主"), "{page}");
    assert!(
        page.contains("id=\"item-loans\"") && page.contains("¥20.00"),
        "{page}"
    );
    let (_, loans) = admin
        .get(&format!("/api/v1/communities/{c}/item-loans"))
        .await;
    let loan = loans[0]["id"].as_i64().unwrap();
    assert_eq!(loans[0]["deposit_state"], "held");

    // Returned: the deposit paid back as it was paid.
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/item-loans/{loan}/return"),
        &[("_csrf", &token), ("community", &c), ("refund_method", "")],
    )
    .await;
    assert_eq!((st, to), (303, format!("/lending?community={c}")));
    let (_, l) = admin.get(&format!("/api/v1/item-loans/{loan}")).await;
    assert_eq!(l["deposit_state"], "refunded");
    let page = html(
        &web,
        &app.base,
        &format!("/lending?community={c}&show=returned"),
    )
    .await;
    assert!(page.contains(&format!("id=\"item-loan-{loan}\"")), "{page}");

    // The manager's item page shows its register; a technician has no lending page.
    let (web, _) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/lend-items/{item_id}")).await;
    assert!(
        page.contains("id=\"item-history\"") && page.contains("赵业主"),
        "{page}"
    );
    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}/lending?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
