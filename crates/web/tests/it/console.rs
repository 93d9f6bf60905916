//! The console over plain HTTP: CSRF, login, sessions, scoping.

use wuye_testkit::PASSWORD;

use crate::{app, new_unit};

/// The CSRF token in a page's forms.
pub fn csrf_from(html: &str) -> String {
    let i = html.find("name=\"_csrf\" value=\"").expect("csrf field") + 20;
    html[i..i + 64].to_string()
}

#[tokio::test]
async fn login_needs_csrf_and_rotates_the_session() {
    let app = app().await;
    app.user("qian", "service_agent", &[app.community_a]).await;
    let c = app.browser_client();
    let r = c.get(format!("{}/", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 303, "not logged in: to the login page");
    assert!(
        r.headers()["location"]
            .to_str()
            .unwrap_or("")
            .starts_with("/login")
    );
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("body");
    assert!(html.contains("登录"));
    let token = csrf_from(&html);

    // A forged token is refused and nothing happens.
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", "f".repeat(64).as_str()),
            ("username", "qian"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert_eq!(app.count("sessions").await, 0);

    // Wrong password: the form again, with the message.
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "qian"),
            ("password", "bad"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 401);
    assert!(r.text().await.expect("body").contains("用户名或密码错误"));

    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "qian"),
            ("password", PASSWORD),
            ("next", "/search"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    assert_eq!(r.headers()["location"], "/search");
    assert_eq!(app.count("sessions").await, 1);
    let home = c
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    assert!(home.contains("甲小区"));
    assert!(!home.contains("乙小区"), "community B is not this user's");

    // Logging in again replaces the session; logging out ends it.
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    c.post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "qian"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        app.count("sessions").await,
        1,
        "the old session was ended at login"
    );
    // The CSRF token was rotated at login: the old one no longer works.
    let r = c
        .post(format!("{}/logout", app.base))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 403);
    let home = c
        .get(format!("{}/", app.base))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&home);
    let r = c
        .post(format!("{}/logout", app.base))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .expect("logout");
    assert_eq!(r.status(), 303);
    assert_eq!(app.count("sessions").await, 0);
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE action = $1",
            wuye_core::args!["logout"],
        )
        .await
        .expect("count");
    assert_eq!(n, 1, "the logout is audit-logged");
    let r = c.get(format!("{}/", app.base)).send().await.expect("get");
    assert_eq!(r.status(), 303);

    // An open redirect through `next` is not possible.
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "qian"),
            ("password", PASSWORD),
            ("next", "//evil.example"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.headers()["location"], "/");
}

#[tokio::test]
async fn idle_sessions_expire() {
    let app = app().await;
    app.user("sun", "technician", &[app.community_a]).await;
    let c = app.browser_client();
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    c.post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "sun"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        c.get(format!("{}/password", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    let stale = chrono::Utc::now() - chrono::Duration::hours(3);
    let mut tx = app.core.db.begin().await.expect("tx");
    tx.execute(
        "UPDATE sessions SET last_seen_at = $1",
        wuye_core::args![stale],
    )
    .await
    .expect("age");
    tx.commit().await.expect("commit");
    assert_eq!(
        c.get(format!("{}/", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        303
    );
    assert_eq!(
        app.count("sessions").await,
        0,
        "the expired session is deleted"
    );
}

#[tokio::test]
async fn console_pages_hide_other_communities_units() {
    let app = app().await;
    let admin = app.admin().await;
    let b_unit = new_unit(&admin, app.building_b.0, "909").await;
    app.user("zhou", "service_agent", &[app.community_a]).await;
    let c = app.browser_client();
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    c.post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "zhou"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    let r = c
        .get(format!("{}/units/{b_unit}", app.base))
        .send()
        .await
        .expect("get");
    assert_eq!(r.status(), 404);
    let r = c
        .get(format!("{}/search?q=909", app.base))
        .send()
        .await
        .expect("get");
    assert!(
        !r.text().await.expect("body").contains("909\u{003c}"),
        "no hit from community B"
    );
}

/// A logged-in console client and the CSRF token for its forms.
pub async fn console_login(app: &wuye_testkit::TestApp, user: &str) -> (reqwest::Client, String) {
    let c = app.browser_client();
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", user),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    // Not the home page: a technician's redirects to his work orders.
    let home = c
        .get(format!("{}/password", app.base))
        .send()
        .await
        .expect("home")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&home);
    (c, token)
}

#[tokio::test]
async fn admin_pages_create_users_and_browse_the_audit_log() {
    let app = app().await;
    app.user("boss", "company_admin", &[]).await;
    let (c, token) = console_login(&app, "boss").await;
    let page = c
        .get(format!("{}/admin/users", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(page.contains("boss") && page.contains("项目经理"));

    // Bad input: the form comes back with the field's message, nothing created.
    let body = format!(
        "_csrf={token}&username=x&display_name=&role=service_agent&password=short&communities={}",
        app.community_a.0
    );
    let r = c
        .post(format!("{}/admin/users", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 422);
    let html = r.text().await.expect("body");
    assert!(
        html.contains("用户名须为 3–32 位") && html.contains("密码至少 8 位"),
        "{html}"
    );
    assert_eq!(app.count("users").await, 1);

    // Two communities ticked.
    let body = format!(
        "_csrf={token}&username=xiaowu&display_name=%E5%B0%8F%E5%90%B4&role=service_agent&password=wuye2026ok&communities={}&communities={}",
        app.community_a.0, app.community_b.0
    );
    let r = c
        .post(format!("{}/admin/users", app.base))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    let (n,): (i64,) = app.core.db.read().fetch_one("SELECT COUNT(*) FROM user_communities uc JOIN users u ON u.id = uc.user_id WHERE u.username = $1", wuye_core::args!["xiaowu"]).await.expect("count");
    assert_eq!(n, 2);

    // The audit page shows the creation; a user without audit.read is refused.
    let audit = c
        .get(format!("{}/audit?entity=user&action=create", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    assert!(audit.contains("xiaowu"), "{audit}");
    app.user("cleaner", "cleaning", &[app.community_a]).await;
    let (c2, _) = console_login(&app, "cleaner").await;
    assert_eq!(
        c2.get(format!("{}/audit", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );
    assert_eq!(
        c2.get(format!("{}/admin/users", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        403
    );

    // Tokens page: a new token is shown once and works.
    let r = c
        .post(format!("{}/tokens", app.base))
        .form(&[("_csrf", token.as_str()), ("name", "门禁系统")])
        .send()
        .await
        .expect("post");
    let html = r.text().await.expect("body");
    let i = html.find("<code>wy_").expect("token shown") + 6;
    let tok = html[i..i + 67].to_string();
    let (st, _) = app.api(Some(tok)).get("/api/v1/me").await;
    assert_eq!(st, 200);
}

#[tokio::test]
async fn initial_password_must_be_changed_and_a_change_ends_other_sessions() {
    let app = app().await;
    let id = app
        .user("newbie", "service_agent", &[app.community_a])
        .await;
    let mut tx = app.core.db.begin().await.expect("tx");
    tx.execute(
        "UPDATE users SET must_change_password = $1 WHERE id = $2",
        wuye_core::args![true, id],
    )
    .await
    .expect("flag");
    tx.commit().await.expect("commit");

    let c = app.browser_client();
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "newbie"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.headers()["location"], "/password");
    // Every other page sends the user back to the password form.
    for p in [
        "/",
        "/search?q=1",
        &format!("/communities/{}", app.community_a.0),
    ] {
        let r = c
            .get(format!("{}{}", app.base, p))
            .send()
            .await
            .expect("get");
        assert_eq!(
            (
                r.status().as_u16(),
                r.headers()["location"].to_str().unwrap_or("")
            ),
            (303, "/password"),
            "{p}"
        );
    }
    // A second session of the same user, opened elsewhere.
    let other = app.browser_client();
    let html = other
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let t2 = csrf_from(&html);
    other
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", t2.as_str()),
            ("username", "newbie"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(app.count("sessions").await, 2);

    let page = c
        .get(format!("{}/password", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&page);
    let r = c
        .post(format!("{}/password", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("old_password", PASSWORD),
            ("new_password", "fresh2026pw"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 200);
    assert_eq!(
        app.count("sessions").await,
        1,
        "the other session ended, this one stays"
    );
    assert_eq!(
        c.get(format!("{}/", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        200
    );
    assert_eq!(
        other
            .get(format!("{}/", app.base))
            .send()
            .await
            .expect("get")
            .status(),
        303
    );
}

/// Every page loads the console's script from its own origin (the only kind the security policy
/// runs), and the script is served as JavaScript.
#[tokio::test]
async fn pages_load_the_console_script_from_the_same_origin() {
    let app = app().await;
    let c = app.browser_client();
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login")
        .text()
        .await
        .expect("body");
    assert!(html.contains(r#"<script src="/static/app.js" defer></script>"#));
    let r = c
        .get(format!("{}/static/app.js", app.base))
        .send()
        .await
        .expect("script");
    assert_eq!(r.status(), 200);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap_or("")
        .to_string();
    assert!(csp.contains("default-src 'self'"), "{csp}");
    assert!(
        r.headers()["content-type"]
            .to_str()
            .unwrap_or("")
            .starts_with("text/javascript")
    );
    assert!(r.text().await.expect("body").contains("window.print()"));
}

/// Pages and JSON that may carry personal data are never kept by a cache; the static assets are.
#[tokio::test]
async fn personal_data_is_not_cached() {
    let app = app().await;
    let admin = app.admin().await;
    let unit = new_unit(&admin, app.building_a.0, "0808").await;
    let r = admin
        .client
        .get(format!("{}/api/v1/units/{unit}", admin.base))
        .bearer_auth(admin.token.clone().unwrap_or_default())
        .send()
        .await
        .expect("unit");
    assert_eq!(r.status(), 200);
    assert_eq!(r.headers()["cache-control"], "no-store");
    let c = app.browser_client();
    let r = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login");
    assert_eq!(r.headers()["cache-control"], "no-store");
    let r = c
        .get(format!("{}/static/app.css", app.base))
        .send()
        .await
        .expect("css");
    assert!(
        r.headers()["cache-control"]
            .to_str()
            .unwrap_or("")
            .starts_with("public")
    );
}
