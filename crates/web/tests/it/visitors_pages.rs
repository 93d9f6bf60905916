//! The gate's and the owner's visitor pages (issue 15 point 1): a walk-in registered through
//! the form with the host found by the unit and his name, and refused with the messages beside
//! the fields; the owner confirms on his page and pre-registers a guest whose code, scanned at
//! the gate, lets him in once (a second scan is refused with its reason); the desk issues a
//! numbered temporary pass printed with its QR; the visitor leaves.

use chrono::{Duration, Utc};

use crate::console::console_login;
use crate::daily_use::{html, send};

fn local(d: Duration) -> String {
    (Utc::now() + d)
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[tokio::test]
async fn visitors_are_registered_confirmed_let_in_with_a_pass_and_leave_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    let cs = c.to_string();
    app.user("guard01", "security", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let name = me["name"].as_str().unwrap().to_string();
    let unit = me["units"][0]["unit_id"].as_i64().unwrap().to_string();
    let (_, who) = owner.get("/api/v1/me").await;
    let owner_login = who["username"].as_str().unwrap().to_string();

    let (web, token) = console_login(&app, "guard01").await;
    let page = html(&web, &app.base, &format!("/visitors?community={c}")).await;
    assert!(
        page.contains("id=\"check-in-form\"") && page.contains("id=\"nav-visitors\""),
        "{page}"
    );
    let (st, _, page) = send(
        &web,
        &app.base,
        "/visitors",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("visitor_name", "李四"),
            ("unit_label", &label),
            ("host_name", "不认识的人"),
            ("party_size", "0"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("被访人不是该房屋的住户") && page.contains("来访人数须在 1 到 50 之间"),
        "{page}"
    );
    assert!(page.contains("value=\"李四\""), "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        "/visitors",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("visitor_name", "李四"),
            ("unit_label", &label),
            ("host_name", &name),
            ("party_size", "2"),
            ("id_type", "resident_id"),
            ("id_number", "110101199003074477"),
        ],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/visitors?community={c}").as_str())
    );
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("已登记访客 李四")
            && page.contains("110101********4477")
            && page.contains("待确认"),
        "{page}"
    );
    // A guard has no reveal; the desk agent's reveal shows the clear number and is logged.
    assert!(!page.contains("id=\"reveal-"), "{page}");
    app.user("desk07", "service_agent", &[a]).await;
    let (aweb, atoken) = console_login(&app, "desk07").await;
    let page = html(&aweb, &app.base, &to).await;
    let admin = app.admin().await;
    let (_, visits) = admin
        .get(&format!("/api/v1/communities/{c}/visitors"))
        .await;
    let walk_in = visits[0]["id"].as_i64().unwrap();
    assert!(page.contains(&format!("id=\"reveal-{walk_in}\"")), "{page}");
    let (st, _, shown) = send(
        &aweb,
        &app.base,
        &format!("/visitors/{walk_in}/reveal"),
        &[("_csrf", &atoken), ("community", &cs)],
    )
    .await;
    assert_eq!(st, 200, "{shown}");
    assert!(shown.contains("110101199003074477"), "{shown}");
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/visitors/{walk_in}/reveal"),
        &[("_csrf", &token), ("community", &cs)],
    )
    .await;
    assert_eq!(st, 403, "a guard may not reveal");
    let (_, log) = admin.get("/api/v1/audit?action=reveal").await;
    assert!(log.to_string().contains("\"visit\""), "{log}");

    // The owner confirms, and pre-registers a guest.
    let (oweb, otoken) = console_login(&app, &owner_login).await;
    let mine = html(&oweb, &app.base, "/portal/visitors").await;
    let (_, visits) = owner.get("/api/v1/portal/visitors").await;
    let visit = visits[0]["id"].as_i64().unwrap();
    assert!(mine.contains(&format!("id=\"confirm-{visit}\"")), "{mine}");
    let (st, _, _) = send(
        &oweb,
        &app.base,
        &format!("/portal/visitors/{visit}/answer"),
        &[("_csrf", &otoken), ("answer", "confirmed")],
    )
    .await;
    assert_eq!(st, 303);
    let (st, _, page) = send(
        &oweb,
        &app.base,
        "/portal/visitors",
        &[
            ("_csrf", &otoken),
            ("unit_id", &unit),
            ("guest_name", ""),
            ("valid_from", &local(Duration::zero())),
            ("valid_until", &local(Duration::days(9))),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("有效期须晚于开始时间和现在，且不超过 7 天"),
        "{page}"
    );
    let (st, _, _) = send(
        &oweb,
        &app.base,
        "/portal/visitors",
        &[
            ("_csrf", &otoken),
            ("unit_id", &unit),
            ("guest_name", "王客人"),
            ("party_size", "1"),
            ("valid_from", &local(Duration::minutes(-2))),
            ("valid_until", &local(Duration::hours(5))),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, passes) = owner.get("/api/v1/portal/visitor-passes").await;
    let code = passes[0]["code"].as_str().unwrap().to_string();
    let mine = html(&oweb, &app.base, "/portal/visitors").await;
    assert!(
        mine.contains(&code) && mine.contains("<svg"),
        "the code and its QR: {mine}"
    );

    // The gate scans it: in once; the second scan is refused with its reason.
    for expect in ["已放行 王客人", "只能使用一次"] {
        let (st, to, _) = send(
            &web,
            &app.base,
            "/visitors/check-in",
            &[("_csrf", &token), ("community", &cs), ("code", &code)],
        )
        .await;
        assert_eq!(st, 303);
        let page = html(&web, &app.base, &to).await;
        assert!(page.contains(expect), "{expect}: {page}");
    }

    // The desk's numbered pass, printed with its QR.
    let (st, to, page) = send(
        &web,
        &app.base,
        "/visitor-passes",
        &[
            ("_csrf", &token),
            ("community", &cs),
            ("kind", "temporary"),
            ("visitor_name", "送水工"),
            ("valid_from", &local(Duration::zero())),
            ("valid_until", &local(Duration::days(30))),
        ],
    )
    .await;
    assert_eq!(st, 303, "{page}");
    let page = html(&web, &app.base, &to).await;
    assert!(page.contains("LS-00001") && page.contains("<svg"), "{page}");

    // 李四 leaves.
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/visitors/{visit}/check-out"),
        &[("_csrf", &token), ("community", &cs)],
    )
    .await;
    assert_eq!(st, 303);
    let (_, v) = admin.get(&format!("/api/v1/visitors/{visit}")).await;
    assert_eq!(
        (&v["inside"], &v["answer"]),
        (&serde_json::json!(false), &serde_json::json!("confirmed"))
    );
}
