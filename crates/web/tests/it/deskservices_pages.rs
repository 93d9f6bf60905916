//! The desk's paid services through the pages (issue 15 point 10): the manager adds a service to
//! the price list; the agent sells it to a unit typed by its label (a missing buyer comes back
//! named), the sale listed with its amount; an after-hours permit issued and found by its number;
//! a technician has no such page.

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_service_is_priced_sold_and_a_permit_issued_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let admin = app.admin().await;
    let (_, label) = crate::unit_with_owner(&app, &admin, "1802", "赵业主").await;

    let (web, token) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/desk-services?community={c}")).await;
    assert!(
        page.contains("id=\"add-service-form\"") && page.contains("id=\"desk-services-none\""),
        "{page}"
    );
    let (st, to, _) = send(
        &web,
        &app.base,
        "/desk-services/new",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("name", "复印"),
            ("unit_name", "页"),
            ("price", "0.50"),
        ],
    )
    .await;
    assert_eq!((st, to), (303, format!("/desk-services?community={c}")));
    let (_, list) = admin
        .get(&format!("/api/v1/communities/{c}/desk-services"))
        .await;
    let sid = list[0]["id"].as_i64().unwrap().to_string();

    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/desk-services?community={c}")).await;
    assert!(
        page.contains("id=\"sell-form\"") && page.contains("id=\"nav-desk-services\""),
        "{page}"
    );
    assert!(
        !page.contains("id=\"add-service-form\""),
        "only a manager keeps the list"
    );
    let sell = |buyer: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("service_id", sid.clone()),
            ("quantity", "10".into()),
            ("unit_label", label.clone()),
            ("buyer_name", buyer.to_string()),
        ]
    };
    let f = sell("");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/desk-services", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("请填写购买人"), "{page}");
    let f = sell("赵业主");
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, "/desk-services", &f).await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("id=\"sales\"") && page.contains("¥5.00"),
        "{page}"
    );

    let start =
        (chrono::Utc::now() + chrono::Duration::hours(2)).with_timezone(&chrono_tz::Asia::Shanghai);
    let end = start + chrono::Duration::hours(3);
    let fmt = |t: chrono::DateTime<chrono_tz::Tz>| t.format("%Y-%m-%dT%H:%M").to_string();
    let (st, to, _) = send(
        &web,
        &app.base,
        "/after-hours-permits",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("unit_label", &label),
            ("applicant_name", "赵业主"),
            ("workers", "装修队 2 人"),
            ("work", "安装空调"),
            ("starts_at", &fmt(start)),
            ("ends_at", &fmt(end)),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("已开具加班许可 JB-000001"), "{page}");
    let page = html(
        &web,
        &app.base,
        &format!("/desk-services?community={c}&permit=JB-000001"),
    )
    .await;
    assert!(page.contains("安装空调"), "{page}");

    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}/desk-services?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 403);
}
