//! Move-ins through the pages (issue 15 point 7): the agent opens a hand-over for a unit typed by
//! its label (an unknown one named, the form kept); its page prints the notice; completion is
//! refused naming the checks not ticked; the checks ticked; a defect recorded from the tablet
//! form appears on the 保修要求处理表 and is marked fixed; the hand-over completed; the survey
//! recorded once; the owner sees his hand-over in the portal; a technician has no such page.

use crate::console::console_login;
use crate::daily_use::{html, send};

async fn post(
    web: &reqwest::Client,
    base: &str,
    path: &str,
    f: &[(&str, &str)],
) -> (u16, String, String) {
    let (st, to, page) = send(web, base, path, f).await;
    (st, to, page)
}

#[tokio::test]
async fn a_hand_over_is_done_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let label = me["units"][0]["label"].as_str().unwrap().to_string();
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().unwrap().to_string();
    let today = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();

    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/move-ins?community={c}")).await;
    assert!(
        page.contains("id=\"move-in-form\"") && page.contains("id=\"nav-move-ins\""),
        "{page}"
    );
    let (st, _, page) = post(
        &web,
        &app.base,
        "/move-ins",
        &[
            ("_csrf", &token),
            ("community", &c),
            ("unit_label", "99栋-9"),
            ("note", "带装修指南"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("带装修指南"), "the form kept: {page}");
    let (st, to, _) = post(
        &web,
        &app.base,
        "/move-ins",
        &[("_csrf", &token), ("community", &c), ("unit_label", &label)],
    )
    .await;
    assert_eq!(st, 303);
    assert!(to.starts_with("/move-ins/"), "{to}");
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("RH-000001")
            && page.contains("id=\"move-in-notice\"")
            && page.contains("入伙流转表"),
        "{page}"
    );
    let r = web
        .get(format!("{}{to}/notice.pdf", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "application/pdf");

    // Completion refused while the checks are not ticked, each named.
    let (st, _, page) = post(
        &web,
        &app.base,
        &format!("{to}/complete"),
        &[("_csrf", &token), ("unit_state", "occupied")],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("入伙流转表的这一项尚未完成"), "{page}");
    let all = [
        ("_csrf", token.as_str()),
        ("identity_checked", "1"),
        ("purchase_checked", "1"),
        ("agreement_signed", "1"),
        ("rules_signed", "1"),
        ("record_card_done", "1"),
    ];
    let (st, _, _) = post(&web, &app.base, &format!("{to}/checks"), &all).await;
    assert_eq!(st, 303);

    // A defect from the tablet form, on the contractor's list, fixed.
    let due = (today + chrono::Duration::days(10)).to_string();
    let defect = [
        ("_csrf", token.as_str()),
        ("room", "卫生间"),
        ("item", "防水"),
        ("description", "闭水试验渗漏"),
        ("contractor", "中建三局"),
        ("due_on", due.as_str()),
    ];
    let (st, _, _) = post(&web, &app.base, &format!("{to}/defects"), &defect).await;
    assert_eq!(st, 303);
    let page = html(
        &web,
        &app.base,
        &format!("/warranty-items?community={c}&contractor=中建三局"),
    )
    .await;
    assert!(
        page.contains("闭水试验渗漏") && page.contains("待维修"),
        "{page}"
    );
    let (_, m) = owner.get("/api/v1/portal/move-ins").await;
    let w = m[0]["warranty"][0]["id"].as_i64().unwrap();
    let (st, _, _) = post(
        &web,
        &app.base,
        &format!("{to}/warranty/{w}"),
        &[("_csrf", &token), ("step", "fixed"), ("note", "重做防水")],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("已维修待验证") && page.contains("重做防水"),
        "{page}"
    );

    // Completed; the survey once.
    let (st, _, _) = post(
        &web,
        &app.base,
        &format!("{to}/complete"),
        &[("_csrf", &token), ("unit_state", "occupied")],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("已入伙") && page.contains("id=\"survey-form\""),
        "{page}"
    );
    let survey = [
        ("_csrf", token.as_str()),
        ("q0", "5"),
        ("q1", "4"),
        ("q2", "5"),
        ("q3", "5"),
        ("q4", "4"),
        ("comment", "很满意"),
    ];
    let (st, _, _) = post(&web, &app.base, &format!("{to}/survey"), &survey).await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("id=\"survey-result\"") && page.contains("4.6 / 5"),
        "{page}"
    );

    // The owner's portal page; a technician has none.
    let (web, _) = console_login(&app, &login).await;
    let page = html(&web, &app.base, "/portal/move-ins").await;
    assert!(
        page.contains("RH-000001") && page.contains("4.6 / 5"),
        "{page}"
    );
    let (web, _) = console_login(&app, "tech01").await;
    let r = web.get(format!("{}{}", app.base, to)).send().await.unwrap();
    assert_eq!(r.status(), 404);
}
