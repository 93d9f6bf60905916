//! Decoration through the pages (issue 15 point 6): the owner applies in the portal (a date not
//! a date named, the form kept); the desk's list shows it; the manager approves it and the money
//! table shows the fees owed; the manager, as cashier, takes the deposit; the permit is refused
//! until the fees are paid, then issued; the worker's pass form comes filled from the decoration;
//! an inspection records a violation from the phone form, rectified; acceptance passes; the
//! deposit is refunded less a named deduction; the owner sees it settled; a technician has no
//! such page.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

fn form(pairs: &[(&str, String)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

async fn post(
    web: &reqwest::Client,
    base: &str,
    path: &str,
    f: &[(String, String)],
) -> (u16, String, String) {
    let f: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (st, to, page) = send(web, base, path, &f).await;
    (st, to, page)
}

#[tokio::test]
async fn a_decoration_goes_from_the_portal_to_the_deposit_refunded_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("pm01", "project_manager", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let admin = app.admin().await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let (_, who) = owner.get("/api/v1/me").await;
    let login = who["username"].as_str().unwrap().to_string();
    let today = Utc::now()
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .date_naive();
    let start = (today + Duration::days(1)).to_string();
    let end = (today + Duration::days(20)).to_string();

    // The owner applies in the portal.
    let (web, token) = console_login(&app, &login).await;
    let page = html(&web, &app.base, "/portal/decorations").await;
    assert!(
        page.contains("id=\"decoration-apply-form\"") && page.contains("id=\"nav-my-decorations\""),
        "{page}"
    );
    let apply = |starts: &str| {
        form(&[
            ("_csrf", token.clone()),
            ("unit_id", unit.to_string()),
            ("contractor", "美家装饰".into()),
            ("foreman", "刘工".into()),
            ("foreman_phone", "13912345678".into()),
            ("scope", "厨卫改造".into()),
            ("starts_on", starts.into()),
            ("ends_on", end.clone()),
            ("workers", "王师傅 水电工 13800001111\n赵师傅".into()),
            ("fire_letter_signed", "1".into()),
        ])
    };
    let (st, _, page) = post(&web, &app.base, "/portal/decorations", &apply("明天")).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("美家装饰") && page.contains("日期"),
        "the form kept, the date named: {page}"
    );
    let (st, to, _) = post(&web, &app.base, "/portal/decorations", &apply(&start)).await;
    assert_eq!((st, to.as_str()), (303, "/portal/decorations"));
    let page = html(&web, &app.base, "/portal/decorations").await;
    assert!(
        page.contains("ZX-000001") && page.contains("待审批"),
        "{page}"
    );

    // The desk's list; the manager approves on its page.
    let (web, token) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/decorations?community={c}")).await;
    assert!(
        page.contains("id=\"nav-decorations\"") && page.contains("ZX-000001"),
        "{page}"
    );
    let (_, list) = admin
        .get(&format!("/api/v1/communities/{c}/decorations"))
        .await;
    let id = list[0]["id"].as_i64().unwrap();
    let one = format!("/decorations/{id}");
    let page = html(&web, &app.base, &one).await;
    assert!(
        page.contains("王师傅（水电工） 138****1111") && page.contains("id=\"approve-form\""),
        "{page}"
    );
    let t = |pairs: &[(&str, &str)]| {
        let mut v = vec![("_csrf".to_string(), token.clone())];
        v.extend(pairs.iter().map(|(k, x)| (k.to_string(), x.to_string())));
        v
    };
    let (st, _, page) = post(
        &web,
        &app.base,
        &format!("{one}/approve"),
        &t(&[("deposit", "abc")]),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    let (st, to, _) = post(
        &web,
        &app.base,
        &format!("{one}/approve"),
        &t(&[("deposit", "1000"), ("management_fee", "200")]),
    )
    .await;
    assert_eq!((st, to.as_str()), (303, one.as_str()));
    let page = html(&web, &app.base, &one).await;
    // ¥200 management + ¥300 rubbish (the default) owed; the deposit due.
    assert!(
        page.contains("id=\"money-outstanding\" class=\"late\"") && page.contains("¥500.00"),
        "{page}"
    );

    // The deposit taken on the page; the permit waits for the fees.
    let (st, to, _) = post(
        &web,
        &app.base,
        &format!("{one}/deposit"),
        &t(&[("method", "cash")]),
    )
    .await;
    assert_eq!((st, to.as_str()), (303, one.as_str()));
    let (st, _, page) = post(&web, &app.base, &format!("{one}/permit"), &t(&[])).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("¥500.00") || page.contains("¥200.00"),
        "the unpaid named: {page}"
    );
    let (st, p) = admin
        .post(
            "/api/v1/payments",
            json!({"unit_id": unit, "method": "cash", "amount": "500", "payer": "o1业主"}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    let (st, to, _) = post(&web, &app.base, &format!("{one}/permit"), &t(&[])).await;
    assert_eq!((st, to.as_str()), (303, one.as_str()));
    let page = html(&web, &app.base, &one).await;
    assert!(
        page.contains("施工中") && page.contains("id=\"inspect-form\""),
        "{page}"
    );

    // The worker's pass form comes filled from the decoration.
    let page = html(
        &web,
        &app.base,
        &format!("/visitor-passes?community={c}&decoration={id}"),
    )
    .await;
    assert!(
        page.contains("id=\"pass-decoration\"") && page.contains("装修施工 ZX-000001"),
        "{page}"
    );
    assert!(page.contains(&format!("{end}T23:59")), "{page}");

    // An inspection from the phone form: a violation with a deadline; rectified.
    let deadline = (today + Duration::days(3)).to_string();
    let (st, _, page) = post(
        &web,
        &app.base,
        &format!("{one}/inspect"),
        &t(&[
            ("note", "现场检查"),
            ("kind_0", "rubbish"),
            ("desc_0", "楼道堆放垃圾"),
            ("deadline_0", "x"),
        ]),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("楼道堆放垃圾"), "the row kept: {page}");
    let (st, to, _) = post(
        &web,
        &app.base,
        &format!("{one}/inspect"),
        &t(&[
            ("note", "现场检查"),
            ("kind_0", "rubbish"),
            ("desc_0", "楼道堆放垃圾"),
            ("deadline_0", &deadline),
            ("deduction_0", "50"),
        ]),
    )
    .await;
    assert_eq!((st, to.as_str()), (303, one.as_str()));
    let (_, d) = admin.get(&format!("/api/v1/decorations/{id}")).await;
    let v = d["violations"][0]["id"].as_i64().unwrap();
    let (st, _, page) = post(
        &web,
        &app.base,
        &format!("{one}/accept"),
        &t(&[("passed", "1")]),
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("1 项违规未整改"), "{page}");
    let (st, _, _) = post(
        &web,
        &app.base,
        &format!("{one}/violations/{v}/rectify"),
        &t(&[("note", "已清运")]),
    )
    .await;
    assert_eq!(st, 303);
    let (st, _, _) = post(
        &web,
        &app.base,
        &format!("{one}/accept"),
        &t(&[("passed", "1"), ("note", "合格")]),
    )
    .await;
    assert_eq!(st, 303);

    // The refund, less the violation's ¥50 and a named ¥30.
    let (st, to, _) = post(
        &web,
        &app.base,
        &format!("{one}/refund"),
        &t(&[
            ("method", "cash"),
            ("cut_reason_0", "门禁卡损坏"),
            ("cut_amount_0", "30"),
        ]),
    )
    .await;
    assert_eq!((st, to.as_str()), (303, one.as_str()));
    let page = html(&web, &app.base, &one).await;
    assert!(
        page.contains("id=\"money-refunded\"")
            && page.contains("¥920.00")
            && page.contains("¥80.00"),
        "{page}"
    );

    // The owner sees it settled; a technician has no decoration page.
    let (web, _) = console_login(&app, &login).await;
    let page = html(&web, &app.base, "/portal/decorations").await;
    assert!(
        page.contains("押金已结清") && page.contains("¥920.00"),
        "{page}"
    );
    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}{}", app.base, one))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}
