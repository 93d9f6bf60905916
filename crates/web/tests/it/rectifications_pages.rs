//! Rectification through the pages (issue 16 point 4): the auditor finds the signed-off audit's
//! task in the list, is refused a deadline out of range and assigns an owner; the owner (a
//! project manager) sees it among his own, is refused a record without a note or with a file
//! that is no image (nothing written), records the work with a photo from his phone; the auditor
//! passes it. Another staff member does not reach it.

use crate::console::console_login;
use crate::daily_use::{html, send};
use crate::duty::staff;
use crate::rectifications::signed_audit;

fn between<'a>(page: &'a str, start: &str) -> &'a str {
    page.split(start)
        .nth(1)
        .and_then(|s| s.split('"').next())
        .unwrap_or_default()
}

#[tokio::test]
async fn a_task_is_assigned_recorded_and_passed_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a.0;
    let (_, qa) = staff(&app, "rq01", "quality_auditor").await;
    let (pm_id, _) = staff(&app, "rp01", "project_manager").await;
    app.user("rt01", "technician", &[app.community_a]).await;
    signed_audit(&qa, a, "rect_p").await;

    let (web, token) = console_login(&app, "rq01").await;
    let page = html(&web, &app.base, &format!("/rectifications?community={a}")).await;
    assert!(
        page.contains("ZG-000001")
            && page.contains("待指派")
            && page.contains("缺：建立钥匙清单台帐")
            && page.contains("id=\"nav-rectifications\""),
        "{page}"
    );
    let id = between(&page, "<tr id=\"rect-").to_string();
    let path = format!("/rectifications/{id}");
    let page = html(&web, &app.base, &path).await;
    assert!(
        page.contains("id=\"rect-assign\"") && page.contains("rp01姓名"),
        "{page}"
    );
    let owner = pm_id.0.to_string();
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("{path}/assign"),
        &[("_csrf", &token), ("assignee", &owner), ("days", "0")],
    )
    .await;
    assert_eq!(st, 422);
    assert!(page.contains("整改期限须为 1 到 60 个工作日"), "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("{path}/assign"),
        &[("_csrf", &token), ("assignee", &owner), ("days", "3")],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, path.as_str()));

    // The owner's page: his task, the record form and no assignment.
    let (pm, pm_token) = console_login(&app, "rp01").await;
    let page = html(&pm, &app.base, "/rectifications").await;
    assert!(page.contains("ZG-000001"), "{page}");
    let page = html(&pm, &app.base, &path).await;
    assert!(
        page.contains("id=\"rect-record\"") && !page.contains("id=\"rect-assign\""),
        "{page}"
    );
    let form = |note: &str, photo: &[u8]| {
        reqwest::multipart::Form::new()
            .text("_csrf", pm_token.clone())
            .text("note", note.to_string())
            .part(
                "photo",
                reqwest::multipart::Part::bytes(photo.to_vec()).file_name("a.png"),
            )
    };
    let post = |f: reqwest::multipart::Form| {
        pm.post(format!("{}{path}/done", app.base))
            .multipart(f)
            .send()
    };
    let r = post(form(" ", b"\x89PNG\r\n\x1a\n0000"))
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 422);
    let r = post(form("已补建台帐", b"not an image"))
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 422);
    assert!(
        r.text()
            .await
            .expect("page")
            .contains("照片须为 JPEG、PNG 或 WebP 图片")
    );
    assert_eq!(
        app.count("rectification_photos").await,
        0,
        "nothing written"
    );
    let r = post(form("已补建台帐", b"\x89PNG\r\n\x1a\n0000"))
        .await
        .expect("post");
    assert_eq!(r.status().as_u16(), 303);
    assert_eq!(app.count("rectification_photos").await, 1);
    let page = html(&pm, &app.base, &path).await;
    assert!(
        page.contains("已补建台帐")
            && page.contains("待复查")
            && !page.contains("id=\"rect-record\""),
        "{page}"
    );

    // Another staff member does not reach it; the auditor passes it.
    let (tech, _) = console_login(&app, "rt01").await;
    let r = tech
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 404);
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("{path}/recheck"),
        &[("_csrf", &token), ("outcome", "passed"), ("note", "合格")],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &path).await;
    assert!(
        page.contains("复查通过") && !page.contains("id=\"rect-recheck\""),
        "{page}"
    );
}
