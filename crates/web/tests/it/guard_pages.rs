//! The guard's phone page (issue 15 point 5): one box checks in an owner's guest pass by its
//! eight digits, finds a release slip by its number and lets it out once, shows an after-hours
//! permit in force; an unknown code is named on the page.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn the_guard_checks_a_pass_a_slip_and_a_permit_in_one_box() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0.to_string();
    app.user("guard01", "security", &[a]).await;
    let agent = app.api_as("agent1", "service_agent", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let person = me["person_id"].as_i64().unwrap();
    let at = |d: Duration| (Utc::now() + d).to_rfc3339();
    let (st, pass) = owner
        .post(
            "/api/v1/portal/visitor-passes",
            json!({"unit_id": unit, "guest_name": "张三", "valid_from": at(Duration::zero()), "valid_until": at(Duration::hours(4))}),
        )
        .await;
    assert_eq!(st, 201, "{pass}");
    let (st, slip) = agent
        .post(
            &format!("/api/v1/communities/{c}/releases"),
            json!({"unit_id": unit, "applicant_id": person, "items": "旧沙发一张", "planned_at": crate::releases::today_at(9)}),
        )
        .await;
    assert_eq!(st, 201, "{slip}");
    let (st, permit) = agent
        .post(
            &format!("/api/v1/communities/{c}/after-hours-permits"),
            json!({"unit_id": unit, "applicant_id": person, "workers": "李师傅", "work": "修水管",
                   "starts_at": at(Duration::minutes(-10)), "ends_at": at(Duration::hours(2))}),
        )
        .await;
    assert_eq!(st, 201, "{permit}");

    let (web, token) = console_login(&app, "guard01").await;
    let page = html(&web, &app.base, "/guard").await;
    assert!(
        page.contains("id=\"guard-form\"") && page.contains("id=\"nav-guard\""),
        "{page}"
    );
    let look = |code: String| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.clone()),
            ("code", code),
        ]
    };
    let form = |v: &Vec<(&'static str, String)>| {
        v.iter().map(|(k, x)| (*k, x.clone())).collect::<Vec<_>>()
    };
    let go = |v: Vec<(&'static str, String)>| {
        let web = web.clone();
        let base = app.base.clone();
        async move {
            let f = form(&v);
            let f: Vec<(&str, &str)> = f.iter().map(|(k, x)| (*k, x.as_str())).collect();
            send(&web, &base, "/guard", &f).await
        }
    };
    let (st, _, page) = go(look(pass["code"].as_str().unwrap().to_string())).await;
    assert_eq!(st, 200, "{page}");
    assert!(
        page.contains("id=\"guard-visit\"") && page.contains("张三"),
        "{page}"
    );
    let (st, _, page) = go(look(slip["number"].as_str().unwrap().to_lowercase())).await;
    assert_eq!(st, 200, "{page}");
    assert!(
        page.contains("旧沙发一张") && page.contains("id=\"guard-let-out\""),
        "{page}"
    );
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/guard/releases/{}/pass", slip["id"]),
        &[("_csrf", &token), ("community", &c)],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/guard?community={c}").as_str())
    );
    let (_, s) = agent.get(&format!("/api/v1/releases/{}", slip["id"])).await;
    assert_eq!(s["state"], "passed");
    let (st, _, page) = go(look(permit["number"].as_str().unwrap().to_string())).await;
    assert_eq!(st, 200, "{page}");
    assert!(
        page.contains("id=\"guard-permit\"") && page.contains("许可有效"),
        "{page}"
    );
    let (st, _, page) = go(look("FX-999999".into())).await;
    assert!(st == 404 || st == 422, "{st}: {page}");
    assert!(page.contains("id=\"guard-form\""), "{page}");
}

/// A photo on the desk's pass (issue 15 point 1): an image only, replaced on a second upload,
/// read back as sent; a guest's pass takes none.
#[tokio::test]
async fn a_desk_pass_carries_its_holders_photo() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    let agent = app.api_as("agent1", "service_agent", &[a]).await;
    let owner = app.api_as("o1", "owner", &[a]).await;
    let (_, me) = owner.get("/api/v1/portal/me").await;
    let unit = me["units"][0]["unit_id"].as_i64().unwrap();
    let at = |d: Duration| (Utc::now() + d).to_rfc3339();
    let (st, p) = agent
        .post(
            &format!("/api/v1/communities/{c}/visitor-passes"),
            json!({"kind": "temporary", "visitor_name": "送水工", "id_type": "resident_id",
                   "id_number": "110101199003074477", "valid_from": at(Duration::minutes(-5)),
                   "valid_until": at(Duration::days(30))}),
        )
        .await;
    assert_eq!(st, 201, "{p}");
    assert_eq!(p["has_photo"], false);
    let photo = format!("/api/v1/visitor-passes/{}/photo", p["id"]);
    let (st, e) = agent
        .post_raw(&photo, "image/png", b"not an image".to_vec())
        .await;
    assert_eq!(
        (st.as_u16(), &e["errors"][0]["code"]),
        (422, &json!("pass_photo_not_image"))
    );
    let (st, e) = agent
        .post_raw(&photo, "application/pdf", b"%PDF-1.4\n".to_vec())
        .await;
    assert_eq!(
        (st.as_u16(), &e["errors"][0]["code"]),
        (422, &json!("pass_photo_not_image"))
    );
    let png = [
        &[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A][..],
        b"face-1",
    ]
    .concat();
    let (st, v) = agent.post_raw(&photo, "image/png", png.clone()).await;
    assert_eq!((st.as_u16(), &v["has_photo"]), (200, &json!(true)));
    let jpg = [&[0xFF, 0xD8, 0xFF][..], b"face-2"].concat();
    assert_eq!(
        agent.post_raw(&photo, "image/jpeg", jpg.clone()).await.0,
        200
    );
    let r = agent
        .client
        .get(format!("{}{photo}", agent.base))
        .bearer_auth(agent.token.as_deref().unwrap_or(""))
        .send()
        .await
        .unwrap();
    assert_eq!(r.headers()["content-type"], "image/jpeg");
    assert_eq!(r.bytes().await.unwrap().to_vec(), jpg);
    let (st, g) = owner
        .post(
            "/api/v1/portal/visitor-passes",
            json!({"unit_id": unit, "guest_name": "张三", "valid_from": at(Duration::zero()), "valid_until": at(Duration::hours(4))}),
        )
        .await;
    assert_eq!(st, 201, "{g}");
    let (st, _) = agent
        .post_raw(
            &format!("/api/v1/visitor-passes/{}/photo", g["id"]),
            "image/png",
            png,
        )
        .await;
    assert_eq!(st, 422);
}
