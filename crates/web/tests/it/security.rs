//! Issue 11 (3, 4): the login throttle holds back the guessing address, not the account; the
//! CSRF token is bound to the session and forms are accepted from our own origin only. Distinct
//! sources are distinct loopback addresses (127.0.0.2, …), or a trusted proxy's header when the
//! test configures one.

use chrono::Duration;
use reqwest::Client;
use serde_json::json;
use wuye_core::auth::LoginThrottle;
use wuye_testkit::{PASSWORD, TestApp};

use crate::app;
use crate::console::csrf_from;

/// Limits unlike the defaults (20 / 5 / 100), so the tests prove they come from the settings.
fn tight() -> LoginThrottle {
    LoginThrottle {
        window: Duration::minutes(10),
        per_source: 8,
        per_account_source: 3,
        per_account: 50,
    }
}

async fn tight_app() -> TestApp {
    wuye_testkit::spawn_app_with(|s, _| s.login_throttle = tight()).await
}

/// The login page's token for the browser `c`.
async fn login_token(app: &TestApp, c: &Client) -> String {
    let html = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    csrf_from(&html)
}

/// Posts the console login form; the status.
async fn console_login(app: &TestApp, c: &Client, user: &str, password: &str) -> u16 {
    let token = login_token(app, c).await;
    c.post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", user),
            ("password", password),
        ])
        .send()
        .await
        .expect("post")
        .status()
        .as_u16()
}

/// A browser logged in as a new user; its client.
async fn logged_in(app: &TestApp, user: &str) -> Client {
    app.user(user, "service_agent", &[app.community_a]).await;
    let c = app.browser_client();
    assert_eq!(console_login(app, &c, user, PASSWORD).await, 303);
    c
}

/// (401s, 429s) of `n` wrong passwords at `user` through the API from `api`; every 429
/// carries `Retry-After`.
async fn guesses(api: &wuye_testkit::Api, users: &[&str], n: usize) -> (usize, usize) {
    let (mut refused, mut throttled) = (0, 0);
    for i in 0..n {
        let user = users[i % users.len()];
        let r = api
            .client
            .post(format!("{}/api/v1/auth/token", api.base))
            .json(&json!({"username": user, "password": format!("guess-{i}")}))
            .send()
            .await
            .expect("post");
        match r.status().as_u16() {
            401 => refused += 1,
            429 => {
                let wait: u64 = r.headers()["retry-after"]
                    .to_str()
                    .expect("ascii")
                    .parse()
                    .expect("seconds");
                assert!((1..=900).contains(&wait), "Retry-After {wait}");
                let v: serde_json::Value = r.json().await.expect("json");
                assert_eq!(v["code"], "too_many_attempts");
                throttled += 1;
            }
            s => panic!("guess {i}: status {s}"),
        }
    }
    (refused, throttled)
}

#[tokio::test]
async fn a_strangers_guesses_hold_back_the_stranger_not_the_owner() {
    let app = tight_app().await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    // The issue's scenario: a stranger guessing one account in a loop.
    let stranger = app.api_from("127.0.0.1");
    assert_eq!(guesses(&stranger, &["zhang"], 40).await, (3, 37));
    // The owner, on another address, logs in to the console and to the API.
    let owner = app.client_from("127.0.0.2");
    assert_eq!(console_login(&app, &owner, "zhang", PASSWORD).await, 303);
    let (st, _) = app
        .api_from("127.0.0.2")
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhang", "password": PASSWORD}),
        )
        .await;
    assert_eq!(st, 201);
    // The stranger's right guess is refused like the wrong ones, on the console form too (a
    // page with the message and Retry-After).
    let c = app.client_from("127.0.0.1");
    let token = login_token(&app, &c).await;
    let r = c
        .post(format!("{}/login", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "zhang"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 429);
    assert!(r.headers().contains_key("retry-after"));
    assert!(r.text().await.expect("body").contains("登录失败次数过多"));
    // Failures stay in the audit log, with the address they came from.
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM audit_log WHERE action = $1",
            wuye_core::args!["login_failed"],
        )
        .await
        .expect("count");
    assert_eq!(n, 3, "the three heard failures, not the throttled tries");
}

#[tokio::test]
async fn an_address_guessing_many_accounts_is_held_back() {
    let app = tight_app().await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let users = ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10"];
    let spray = app.api_from("127.0.0.3");
    // Forty usernames in a row: the address's limit (8), not the accounts' (3 each), stops it.
    assert_eq!(guesses(&spray, &users, 40).await, (8, 32));
    // Then even a name it never tried is refused from there; the owner elsewhere is not.
    assert_eq!(
        spray
            .post(
                "/api/v1/auth/token",
                json!({"username": "zhang", "password": PASSWORD})
            )
            .await
            .0,
        429
    );
    assert_eq!(
        app.api_from("127.0.0.4")
            .post(
                "/api/v1/auth/token",
                json!({"username": "zhang", "password": PASSWORD})
            )
            .await
            .0,
        201
    );
}

#[tokio::test]
async fn the_default_limits_let_the_owner_in_under_the_issues_scenario() {
    let app = app().await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let d = LoginThrottle::default();
    assert_eq!(
        (d.per_source, d.per_account_source, d.per_account),
        (20, 5, 100)
    );
    assert_eq!(d.window, Duration::minutes(15));
    let stranger = app.api_from("127.0.0.5");
    assert_eq!(guesses(&stranger, &["zhang"], 40).await, (5, 35));
    let owner = app.client_from("127.0.0.6");
    assert_eq!(console_login(&app, &owner, "zhang", PASSWORD).await, 303);
}

#[tokio::test]
async fn a_proxy_header_is_believed_only_when_configured() {
    // Not configured: a forged X-Forwarded-For does not make each guess a new address.
    let app = tight_app().await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let c = app.api(None);
    for i in 0..5 {
        let st = c
            .client
            .post(format!("{}/api/v1/auth/token", app.base))
            .header("x-forwarded-for", format!("10.0.0.{i}"))
            .json(&json!({"username": "zhang", "password": "wrong"}))
            .send()
            .await
            .expect("post")
            .status();
        assert_eq!(st.as_u16(), if i < 3 { 401 } else { 429 }, "guess {i}");
    }

    // Configured: the proxy's last entry is the source, whatever the TCP peer.
    let app = wuye_testkit::spawn_app_with(|s, w| {
        s.login_throttle = tight();
        w.trusted_proxy_header = Some(axum::http::HeaderName::from_static("x-forwarded-for"));
    })
    .await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let post = |xff: &'static str, password: &'static str| {
        let c = app.api(None);
        let url = format!("{}/api/v1/auth/token", app.base);
        async move {
            c.client
                .post(url)
                .header("x-forwarded-for", xff)
                .json(&json!({"username": "zhang", "password": password}))
                .send()
                .await
                .expect("post")
                .status()
                .as_u16()
        }
    };
    for _ in 0..3 {
        assert_eq!(post("6.6.6.6, 10.0.0.1", "wrong").await, 401);
    }
    assert_eq!(post("7.7.7.7, 10.0.0.1", PASSWORD).await, 429);
    // Same TCP peer, another client behind the proxy: not held back.
    assert_eq!(post("6.6.6.6, 10.0.0.2", PASSWORD).await, 201);
}

#[tokio::test]
async fn activation_codes_are_guessed_through_the_same_throttle() {
    let app = tight_app().await;
    let api = app.api_from("127.0.0.7");
    for i in 0..12 {
        let (st, v) = api
            .post(
                "/api/v1/portal/activate",
                json!({"username": format!("owner{i}"), "activation_code": "000000",
                       "password": "wuye2026ok"}),
            )
            .await;
        let want = if i < 8 { 422 } else { 429 };
        assert_eq!(st.as_u16(), want, "try {i}: {v}");
    }
    // The same address's password logins are held back too: one count per address.
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let (st, _) = api
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhang", "password": PASSWORD}),
        )
        .await;
    assert_eq!(st, 429);
}

/// The value a response sets for cookie `name`.
fn set_cookie(r: &reqwest::Response, name: &str) -> Option<String> {
    r.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .filter_map(|v| v.split(';').next()?.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_string())
}

/// Logs a new user in with cookies handled by hand (so a test can mix them as a forger
/// would): (session cookie, pre-session cookie).
async fn login_cookies(app: &TestApp, user: &str) -> (String, String) {
    app.user(user, "service_agent", &[app.community_a]).await;
    let c = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let r = c
        .get(format!("{}/login", app.base))
        .send()
        .await
        .expect("get");
    let pre = set_cookie(&r, "wuye_csrf").expect("pre-session cookie");
    let token = csrf_from(&r.text().await.expect("body"));
    let r = c
        .post(format!("{}/login", app.base))
        .header("cookie", format!("wuye_csrf={pre}"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", user),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303);
    (
        set_cookie(&r, "wuye_session").expect("session"),
        set_cookie(&r, "wuye_csrf").expect("pre-session cookie"),
    )
}

/// POST /logout with exactly these cookies and this token; the status.
async fn logout_with(app: &TestApp, cookies: &str, token: &str) -> u16 {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
        .post(format!("{}/logout", app.base))
        .header("cookie", cookies)
        .form(&[("_csrf", token)])
        .send()
        .await
        .expect("post")
        .status()
        .as_u16()
}

/// The token of the page a browser with these cookies sees.
async fn page_token(app: &TestApp, cookies: &str) -> String {
    let html = reqwest::Client::new()
        .get(format!("{}/password", app.base))
        .header("cookie", cookies)
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    csrf_from(&html)
}

#[tokio::test]
async fn a_forged_cookie_and_field_pair_is_refused() {
    let app = app().await;
    app.user("qian", "service_agent", &[app.community_a]).await;
    // The old double submit accepted any cookie equal to the field.
    let forged = "a".repeat(64);
    let r = reqwest::Client::new()
        .post(format!("{}/login", app.base))
        .header("cookie", format!("wuye_csrf={forged}"))
        .form(&[
            ("_csrf", forged.as_str()),
            ("username", "qian"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403);
    assert!(r.text().await.expect("body").contains("页面已过期"));
    assert_eq!(app.count("sessions").await, 0);
    // A forged pair planted beside a logged-in user's session (a cookie set from a sibling
    // subdomain, say) does not pass either.
    let (session, _) = login_cookies(&app, "zhao").await;
    let planted = format!("wuye_session={session}; wuye_csrf={forged}");
    assert_eq!(logout_with(&app, &planted, &forged).await, 403);
    assert_eq!(app.count("sessions").await, 1, "still logged in");
}

#[tokio::test]
async fn a_token_from_another_session_is_refused() {
    let app = app().await;
    let (session_a, pre_a) = login_cookies(&app, "zhao").await;
    let (session_b, pre_b) = login_cookies(&app, "qian").await;
    let token_a = page_token(
        &app,
        &format!("wuye_session={session_a}; wuye_csrf={pre_a}"),
    )
    .await;
    let token_b = page_token(
        &app,
        &format!("wuye_session={session_b}; wuye_csrf={pre_b}"),
    )
    .await;
    assert_ne!(token_a, token_b);
    // B's token, with B's pre-session cookie planted beside A's session: refused.
    let mixed = format!("wuye_session={session_a}; wuye_csrf={pre_b}");
    assert_eq!(logout_with(&app, &mixed, &token_b).await, 403);
    assert_eq!(app.count("sessions").await, 2);
    // A's own token works in A's session, whatever its pre-session cookie.
    assert_eq!(logout_with(&app, &mixed, &token_a).await, 303);
    assert_eq!(app.count("sessions").await, 1);
}

#[tokio::test]
async fn only_our_own_origin_may_post() {
    let app = app().await;
    let c = logged_in(&app, "zhao").await;
    let html = c
        .get(format!("{}/password", app.base))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = csrf_from(&html);
    let logout = |header: &'static str, value: String| {
        c.post(format!("{}/logout", app.base))
            .header(header, value)
            .form(&[("_csrf", token.as_str())])
            .send()
    };
    let st = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        st(logout("origin", "http://evil.example".into())
            .await
            .expect("post")),
        403
    );
    assert_eq!(
        st(logout("referer", "http://evil.example/x".into())
            .await
            .expect("post")),
        403
    );
    assert_eq!(
        st(logout("origin", "null".into()).await.expect("post")),
        403
    );
    assert_eq!(app.count("sessions").await, 1, "nothing was done");
    // Same origin (the request's own Host) passes.
    assert_eq!(
        st(logout("origin", app.base.clone()).await.expect("post")),
        303
    );
    assert_eq!(app.count("sessions").await, 0);

    // Behind a proxy that rewrites Host, the configured public URL is the origin.
    let app = wuye_testkit::spawn_app_with(|_, w| {
        w.public_url = Some("https://wy.example.cn".into());
    })
    .await;
    let c = logged_in(&app, "zhao").await;
    let token = csrf_from(
        &c.get(format!("{}/password", app.base))
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body"),
    );
    let post = |origin: &'static str| {
        c.post(format!("{}/logout", app.base))
            .header("origin", origin)
            .form(&[("_csrf", token.as_str())])
            .send()
    };
    assert_eq!(st(post("http://wy.example.cn").await.expect("post")), 403);
    let r = c
        .post(format!("{}/logout", app.base))
        .header("origin", app.base.clone())
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 403, "the Host no longer decides");
    assert_eq!(st(post("https://wy.example.cn").await.expect("post")), 303);
}
