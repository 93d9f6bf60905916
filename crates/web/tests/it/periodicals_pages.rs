//! Newspapers and magazines through the pages (issue 15 point 2): the manager adds a title to the
//! catalogue (a bad price named, the form kept); the agent subscribes a unit typed by its label
//! and sees it unpaid, records an issue, hands one delivery out signed and the next issue's all
//! into the boxes, cancels a subscription; the resident sees his subscription and its deliveries
//! in the portal and subscribes there; a technician has no such page.

use crate::console::console_login;
use crate::daily_use::{html, send};

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

#[tokio::test]
async fn newspapers_are_subscribed_received_and_handed_out_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let unit = me["units"][0]["unit_id"].as_i64().unwrap().to_string();
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().unwrap().to_string();
    let month = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m")
        .to_string();

    // The manager's catalogue.
    let (web, token) = console_login(&app, "pm01").await;
    let page = html(
        &web,
        &app.base,
        &format!("/periodicals/catalogue?community={c}"),
    )
    .await;
    assert!(page.contains("id=\"title-form\""), "{page}");
    let title = |price: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("title", "人民日报".to_string()),
            ("kind", "newspaper".to_string()),
            ("post_code", "1-1".to_string()),
            ("frequency", "daily".to_string()),
            ("price_month", price.to_string()),
            ("active", "1".to_string()),
        ]
    };
    let v = title("-3");
    let f = refs(&v);
    let (st, _, page) = send(&web, &app.base, "/periodicals/catalogue", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("1-1") && page.contains("月价"), "{page}");
    let v = title("40.00");
    let f = refs(&v);
    let (st, to, _) = send(&web, &app.base, "/periodicals/catalogue", &f).await;
    assert_eq!(
        (st, to.as_str()),
        (
            303,
            format!("/periodicals/catalogue?community={c}").as_str()
        )
    );
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("人民日报") && page.contains("¥40.00"),
        "{page}"
    );
    let id = page
        .split("id=\"title-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("the title's row")
        .to_string();

    // The agent subscribes a unit typed by its label: ¥40.00 × 3 × 1, unpaid.
    let (web, token) = console_login(&app, "agent01").await;
    let page = html(
        &web,
        &app.base,
        &format!("/periodical-subscriptions?community={c}"),
    )
    .await;
    assert!(
        page.contains("id=\"subscribe-form\"") && page.contains("id=\"nav-periodicals\""),
        "{page}"
    );
    let sub = |months: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("periodical_id", id.clone()),
            ("unit_label", label.clone()),
            ("first_month", month.clone()),
            ("months", months.to_string()),
            ("copies", "1".to_string()),
        ]
    };
    let v = sub("30");
    let f = refs(&v);
    let (st, _, page) = send(&web, &app.base, "/periodical-subscriptions", &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("订阅月数须为 1 到 12 个月"), "{page}");
    let v = sub("3");
    let f = refs(&v);
    let (st, to, _) = send(&web, &app.base, "/periodical-subscriptions", &f).await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("BK-000001") && page.contains("¥120.00") && page.contains("未缴"),
        "{page}"
    );

    // An issue received: one delivery, handed out signed.
    let (st, to, _) = send(
        &web,
        &app.base,
        "/periodicals",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("periodical_id", &id),
            ("issue_label", "第1期"),
            ("copies_received", "1"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/periodical-issues/"), "{to}");
    let issue = to.trim_start_matches("/periodical-issues/").to_string();
    let page = html(&web, &app.base, &to).await;
    let delivery = page
        .split("id=\"delivery-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a delivery")
        .to_string();
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/periodical-deliveries/{delivery}/hand-out"),
        &[
            ("_csrf", &token),
            ("issue", &issue),
            ("signed_by", "o1业主"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("已分发") && page.contains("o1业主"), "{page}");
    // Again: refused on the issue's page.
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/periodical-deliveries/{delivery}/hand-out"),
        &[("_csrf", &token), ("issue", &issue)],
    )
    .await;
    assert_eq!(st, 409, "{page}");
    assert!(page.contains("已分发过"), "{page}");

    // The next issue: all into the boxes.
    let (_, to, _) = send(
        &web,
        &app.base,
        "/periodicals",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("periodical_id", &id),
            ("issue_label", "第2期"),
            ("copies_received", "1"),
        ],
    )
    .await;
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("{to}/hand-out"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("投箱") && !page.contains("id=\"hand-out-all\""),
        "{page}"
    );
    let page = html(&web, &app.base, &format!("/periodicals?community={c}")).await;
    assert!(page.contains("第1期") && page.contains("第2期"), "{page}");

    // The resident: his subscription and its deliveries; he subscribes in the portal.
    let (ow, ot) = console_login(&app, &login).await;
    let page = html(&ow, &app.base, "/portal/periodicals").await;
    assert!(
        page.contains("BK-000001")
            && page.contains("第2期")
            && page.contains("id=\"nav-my-periodicals\""),
        "{page}"
    );
    let (st, to, _) = send(
        &ow,
        &app.base,
        "/portal/periodicals",
        &[
            ("_csrf", &ot),
            ("periodical_id", &id),
            ("unit_id", &unit),
            ("first_month", &month),
            ("months", "12"),
            ("copies", "1"),
        ],
    )
    .await;
    assert_eq!(st, 422, "overlapping: {to}");
    let next_year = format!(
        "{}",
        chrono::Utc::now()
            .format("%Y")
            .to_string()
            .parse::<i32>()
            .unwrap()
            + 1
    );
    let (st, to, page) = send(
        &ow,
        &app.base,
        "/portal/periodicals",
        &[
            ("_csrf", &ot),
            ("periodical_id", &id),
            ("unit_id", &unit),
            ("first_month", &format!("{next_year}-06")),
            ("months", "1"),
            ("copies", "2"),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, "/portal/periodicals"), "{page}");
    let page = html(&ow, &app.base, "/portal/periodicals").await;
    assert!(
        page.contains("BK-000002") && page.contains("¥80.00"),
        "{page}"
    );

    // The desk cancels the unpaid one nobody received.
    let page = html(
        &web,
        &app.base,
        &format!("/periodical-subscriptions?community={c}"),
    )
    .await;
    let sid = page
        .split("id=\"cancel-")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .expect("a cancel form")
        .to_string();
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/periodical-subscriptions/{sid}/cancel"),
        &[("_csrf", &token), ("community", &c), ("reason", "订错了")],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &format!("{to}&show=cancelled")).await;
    assert!(
        page.contains("BK-000002") && page.contains("已退订"),
        "{page}"
    );

    // A technician has no such page.
    let (tw, _) = console_login(&app, "tech01").await;
    let r = tw
        .get(format!("{}/periodicals?community={c}", app.base))
        .send()
        .await
        .unwrap();
    assert!([403, 404].contains(&r.status().as_u16()), "{}", r.status());
}
