//! Quality audits through the pages (issue 16): the auditor reads the seed's sheet, opens an
//! audit (weights not summing to 100 named), scores an item element by element on the tablet
//! page (a deduction out of range named beside its element), clears and scores it again, is
//! refused sign-off while items are left, and signs off once every item is scored; a project
//! manager has no such page.

use crate::console::console_login;
use crate::daily_use::{html, send};
use crate::duty::staff;

fn between<'a>(page: &'a str, start: &str) -> &'a str {
    page.split(start)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
}

#[tokio::test]
async fn an_audit_is_scored_and_signed_off_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    let (_, qa) = staff(&app, "qa01", "quality_auditor").await;
    app.user("pm01", "project_manager", &[a]).await;

    let (web, token) = console_login(&app, "qa01").await;
    let page = html(&web, &app.base, "/audit-sheets").await;
    assert!(
        page.contains("客户服务督导评分细则") && page.contains("id=\"nav-audits\""),
        "{page}"
    );
    let sheet = between(&page, "id=\"sheet-").to_string();
    let page = html(&web, &app.base, &format!("/audit-sheets/{sheet}")).await;
    assert!(
        page.contains("建立钥匙清单台帐") && page.contains("1.符合10分；2.每缺一项扣1-2分"),
        "{page}"
    );

    // Opened: the weights must sum to 100.
    let page = html(&web, &app.base, &format!("/audits?community={c}")).await;
    assert!(page.contains("id=\"audit-form\""), "{page}");
    let (st, _, page) = send(
        &web,
        &app.base,
        "/audits",
        &[
            ("_csrf", &token),
            ("community", &c),
            (&format!("sheet_{sheet}"), "1"),
            (&format!("weight_{sheet}"), "25"),
            ("method", "covert"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("权重合计须为 100%"), "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        "/audits",
        &[
            ("_csrf", &token),
            ("community", &c),
            (&format!("sheet_{sheet}"), "1"),
            (&format!("weight_{sheet}"), "100"),
            ("method", "covert"),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("PZ-000001") && page.contains("0/19"),
        "{page}"
    );
    let id = to.trim_start_matches("/audits/").to_string();
    let item = between(&page, "id=\"score-").to_string();

    // The first item (制度建设, 4 elements, 0.5–2 a missing one): 3 off is out of range.
    let path = format!("/audits/{id}/items/{item}");
    let form = |d: &'static str| {
        vec![
            ("_csrf", token.clone()),
            ("count", "4".to_string()),
            ("present_0", "1".to_string()),
            ("present_2", "1".to_string()),
            ("present_3", "1".to_string()),
            ("deduction_1", d.to_string()),
            ("note", "制度未上墙".to_string()),
        ]
    };
    let v = form("3");
    let f: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, &path, &f).await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("缺项扣分须在 0.5 到 2 分之间"), "{page}");
    let v = form("1.5");
    let f: Vec<(&str, &str)> = v.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, _) = send(&web, &app.base, &path, &f).await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("−1.5") && page.contains("制度未上墙") && page.contains("1/19"),
        "{page}"
    );
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("{path}/clear"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let (st, _, _) = send(&web, &app.base, &path, &f).await;
    assert_eq!(st, 303);

    // Sign-off refused while items are left; once all are scored, signed: 100 − 1.5 = 98.5.
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/audits/{id}/sign"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("还有 18 个项目未评分"), "{page}");
    let (_, au) = qa.get(&format!("/api/v1/audits/{id}")).await;
    for i in au["parts"][0]["items"].as_array().expect("items") {
        if i["score"].is_null() {
            let n = i["elements"].as_array().expect("elements").len();
            let all: Vec<_> = (0..n)
                .map(|_| serde_json::json!({"present": true}))
                .collect();
            let (st, v) = qa
                .put(
                    &format!("/api/v1/audits/{id}/items/{}", i["id"]),
                    serde_json::json!({"elements": all}),
                )
                .await;
            assert_eq!(st, 200, "{v}");
        }
    }
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/audits/{id}/sign"),
        &[("_csrf", &token)],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("98.5")
            && page.contains("优秀")
            && page.contains("团队奖励")
            && !page.contains("id=\"audit-sign\""),
        "{page}"
    );

    // A project manager has no such page.
    let (pw, _) = console_login(&app, "pm01").await;
    let r = pw
        .get(format!("{}/audits?community={c}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 403);
}

#[tokio::test]
async fn a_sheet_is_added_and_edited_into_its_next_version_through_the_pages() {
    let app = crate::app().await;
    staff(&app, "qa05", "quality_auditor").await;
    let (web, token) = console_login(&app, "qa05").await;
    let page = html(&web, &app.base, "/audit-sheets/new").await;
    assert!(page.contains("id=\"sheet-form\""), "{page}");
    let row = |k: usize, item: &str, elements: &str, max: &str, hi: &str| {
        let section = if item.is_empty() { "" } else { "保洁" };
        vec![
            (format!("section_{k}"), section.to_string()),
            (format!("item_{k}"), item.to_string()),
            (format!("standard_{k}"), String::new()),
            (format!("elements_{k}"), elements.to_string()),
            (format!("max_{k}"), max.to_string()),
            (
                format!("deduct_min_{k}"),
                if item.is_empty() { "" } else { "0.5" }.to_string(),
            ),
            (format!("deduct_max_{k}"), hi.to_string()),
        ]
    };
    let form = |head: &[(&str, &str)], rows: Vec<Vec<(String, String)>>| {
        let mut f: Vec<(String, String)> = vec![("_csrf".into(), token.clone())];
        f.extend(head.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        f.extend(rows.into_iter().flatten());
        f
    };
    let post = |path: &str, f: Vec<(String, String)>| {
        web.post(format!("{}{path}", app.base)).form(&f).send()
    };
    // A deduction above the item's maximum is named on its row; a blank row is dropped.
    let head = [
        ("code", "cleaning"),
        ("name", "保洁督导评分细则"),
        ("weight_pct", "20"),
        ("active", "1"),
    ];
    let r = post(
        "/audit-sheets",
        form(
            &head,
            vec![
                row(0, "楼道保洁", "地面无垃圾\n扶手无灰", "10", "12"),
                row(1, "", "", "", ""),
            ],
        ),
    )
    .await
    .expect("post");
    assert_eq!(r.status().as_u16(), 422);
    let page = r.text().await.expect("page");
    assert!(
        page.contains("楼道保洁") && page.contains("扶手无灰"),
        "kept: {page}"
    );
    let r = post(
        "/audit-sheets",
        form(
            &head,
            vec![
                row(0, "楼道保洁", "地面无垃圾\n扶手无灰", "10", "2"),
                row(1, "", "", "", ""),
            ],
        ),
    )
    .await
    .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let to = r.headers()["location"].to_str().expect("to").to_string();
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("保洁督导评分细则")
            && page.contains("扶手无灰")
            && page.contains("1.符合10分；2.每缺一项扣0.5-2分"),
        "{page}"
    );
    let id = to.trim_start_matches("/audit-sheets/").to_string();
    let page = html(&web, &app.base, &format!("/audit-sheets/{id}/edit")).await;
    assert!(page.contains("value=\"楼道保洁\""), "{page}");

    // An edit from the first version makes the second; a second edit from the first is refused.
    let edit = [
        ("code", "cleaning"),
        ("name", "保洁督导评分细则"),
        ("weight_pct", "20"),
        ("active", "1"),
        ("version", "1"),
    ];
    let rows = || {
        vec![row(
            0,
            "楼道保洁",
            "地面无垃圾\n扶手无灰\n墙面无污渍",
            "10",
            "2",
        )]
    };
    let r = post(&format!("/audit-sheets/{id}"), form(&edit, rows()))
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    let page = html(&web, &app.base, &format!("/audit-sheets/{id}")).await;
    assert!(page.contains("v2") && page.contains("墙面无污渍"), "{page}");
    let r = post(&format!("/audit-sheets/{id}"), form(&edit, rows()))
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 409);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("评分细则已被他人修改")
    );
}
