//! The key ledger's pages as the desk uses them (issue 15 point 3): the pages open for the desk
//! and not for a technician; a cabinet is added by the manager; a key labelled through the form
//! (a refused form comes back with the messages beside the fields and the input kept); a unit's
//! spare key typed by its label and deposited by its one owner; lent to a member of staff,
//! shown out with its due time, taken back; the register lists both.

use serde_json::json;

use crate::console::console_login;
use crate::daily_use::{html, send};

#[tokio::test]
async fn a_key_is_labelled_lent_and_taken_back_through_the_pages() {
    let app = crate::app().await;
    let a = app.community_a;
    let c = a.0;
    let pm = app.user("pm01", "project_manager", &[a]).await;
    app.user("agent01", "service_agent", &[a]).await;
    app.user("tech01", "technician", &[a]).await;
    let admin = app.admin().await;
    let unit = crate::new_unit(&admin, app.building_a.0, "1802").await;
    let (_, u) = admin.get(&format!("/api/v1/units/{unit}")).await;
    let label = format!(
        "{}-{}",
        u["unit"]["building_name"].as_str().unwrap(),
        u["unit"]["unit_no"].as_str().unwrap()
    );
    admin
        .post(
            "/api/v1/people",
            json!({"community_id": c, "name": "赵业主", "unit_id": unit, "relation": "owner"}),
        )
        .await;

    // The manager adds the cabinet, kept by himself.
    let (web, token) = console_login(&app, "pm01").await;
    let page = html(&web, &app.base, &format!("/key-cabinets?community={c}")).await;
    assert!(page.contains("id=\"cabinet-form\""), "{page}");
    let pm_id = pm.0.to_string();
    let (st, _, page) = send(
        &web,
        &app.base,
        "/key-cabinets",
        &[
            ("_csrf", &token),
            ("community", &c.to_string()),
            ("name", ""),
            ("keeper_id", &pm_id),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    let (st, to, _) = send(
        &web,
        &app.base,
        "/key-cabinets",
        &[
            ("_csrf", &token),
            ("community", &c.to_string()),
            ("name", "前台钥匙柜"),
            ("keeper_id", &pm_id),
        ],
    )
    .await;
    assert_eq!(
        (st, to.as_str()),
        (303, format!("/key-cabinets?community={c}").as_str())
    );
    let cab = app.count("key_cabinets").await;
    assert_eq!(cab, 1);

    // The agent labels a key: refused first (no code, a unit nobody has), with the input kept.
    let (web, token) = console_login(&app, "agent01").await;
    let page = html(&web, &app.base, &format!("/keys/new?community={c}")).await;
    assert!(page.contains("id=\"key-form\""), "{page}");
    let form = |code: &'static str, unit: &str| {
        vec![
            ("_csrf", token.clone()),
            ("community", c.to_string()),
            ("cabinet_id", "1".into()),
            ("position", "B-02".into()),
            ("code", code.into()),
            ("kind", "unit".into()),
            ("unit_label", unit.to_string()),
            ("copies", "1".into()),
            ("deposited", "1".into()),
        ]
    };
    let pairs = form("", "9栋-9999");
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, _, page) = send(&web, &app.base, "/keys", &pairs).await;
    assert_eq!(st, 422, "{page}");
    assert!(
        page.contains("value=\"9栋-9999\""),
        "the input is kept: {page}"
    );
    assert!(
        page.contains("class=\"ferr\">房屋：") && page.contains("class=\"ferr\">编号：必填"),
        "{page}"
    );
    assert_eq!(app.count("key_items").await, 0);
    let pairs = form("jc-1802", &label);
    let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let (st, to, page) = send(&web, &app.base, "/keys", &pairs).await;
    assert_eq!(st, 303, "{page}");
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("JC-1802") && page.contains("赵业主"),
        "{page}"
    );
    assert!(
        page.contains("id=\"lend-form\"") && page.contains("id=\"auth-form\""),
        "{page}"
    );
    let key = to.trim_start_matches("/keys/").to_string();

    // Without an authorisation the deposited key is refused; with one, it goes.
    let (st, _, page) = send(
        &web,
        &app.base,
        &format!("/keys/{key}/lend"),
        &[
            ("_csrf", &token),
            ("purpose", "开门通风"),
            ("due_at", "2099-01-01T10:00"),
            ("authorisation_id", "0"),
        ],
    )
    .await;
    assert_eq!(st, 422, "{page}");
    assert!(page.contains("须凭业主授权"), "{page}");
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/keys/{key}/authorisations"),
        &[
            ("_csrf", &token),
            ("person_name", "赵女士"),
            ("phone", "13900001111"),
            ("how", "written"),
            ("valid_until", ""),
            ("note", ""),
        ],
    )
    .await;
    assert_eq!(st, 303);
    let (_, k) = admin.get(&format!("/api/v1/keys/{key}")).await;
    let auth = k["authorisations"][0]["id"].to_string();
    let due = (chrono::Utc::now() + chrono::Duration::hours(3))
        .with_timezone(&chrono_tz::Asia::Shanghai)
        .format("%Y-%m-%dT%H:%M")
        .to_string();
    let (st, to, _) = send(
        &web,
        &app.base,
        &format!("/keys/{key}/lend"),
        &[
            ("_csrf", &token),
            ("purpose", "开门通风"),
            ("due_at", &due),
            ("authorisation_id", &auth),
        ],
    )
    .await;
    assert_eq!((st, to.as_str()), (303, format!("/keys/{key}").as_str()));
    let page = html(&web, &app.base, &to).await;
    assert!(
        page.contains("id=\"key-loan\"") && page.contains("赵女士") && page.contains("139****1111"),
        "{page}"
    );
    // The ledger shows it out, with whom.
    let page = html(&web, &app.base, &format!("/keys?community={c}&state=out")).await;
    assert!(
        page.contains("JC-1802") && page.contains("赵女士"),
        "{page}"
    );
    // Back in the cabinet; the register lists the loan with who received it.
    let (st, _, _) = send(
        &web,
        &app.base,
        &format!("/keys/{key}/return"),
        &[("_csrf", &token), ("note", "完好")],
    )
    .await;
    assert_eq!(st, 303);
    let page = html(&web, &app.base, &format!("/key-loans?community={c}")).await;
    assert!(
        page.contains("id=\"loans\"") && page.contains("agent01姓名"),
        "{page}"
    );
    let page = html(
        &web,
        &app.base,
        &format!("/key-loans?community={c}&show=open"),
    )
    .await;
    assert!(page.contains("id=\"loans-none\""), "{page}");

    // A technician has no desk: the ledger is not his.
    let (web, _) = console_login(&app, "tech01").await;
    let r = web
        .get(format!("{}/keys?community={c}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status().as_u16(), 403);
}
