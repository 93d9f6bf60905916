//! Login, throttling, tokens and passwords.

use serde_json::json;
use wuye_testkit::PASSWORD;

use crate::app;

#[tokio::test]
async fn failed_logins_are_throttled_per_address_not_per_account() {
    let app = app().await;
    app.user("zhang", "service_agent", &[app.community_a]).await;
    let stranger = app.api(None);
    for i in 1..=5 {
        let (st, v) = stranger
            .post(
                "/api/v1/auth/token",
                json!({"username": "zhang", "password": "wrong-pass-1"}),
            )
            .await;
        assert_eq!(
            (st.as_u16(), v["code"].as_str()),
            (401, Some("bad_credentials")),
            "attempt {i}"
        );
    }
    // The sixth try from that address is held back, even with the right password…
    let (st, v) = stranger
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhang", "password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (429, Some("too_many_attempts"))
    );
    // …but the account is not locked: its owner on another address logs in.
    let owner = app.api_from("127.0.0.2");
    let (st, _) = owner
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhang", "password": PASSWORD}),
        )
        .await;
    assert_eq!(st, 201);
    // Unknown users get the same answer as a wrong password.
    let (st, v) = app
        .api_from("127.0.0.3")
        .post(
            "/api/v1/auth/token",
            json!({"username": "nobody", "password": "x"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (401, Some("bad_credentials"))
    );
    // The success reset the count of failures the administrator sees.
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT failed_logins FROM users WHERE username = $1",
            wuye_core::args!["zhang"],
        )
        .await
        .expect("row");
    assert_eq!(n, 0);
}

#[tokio::test]
async fn tokens_can_be_created_listed_and_revoked() {
    let app = app().await;
    let api = app.api_as("lisi", "cashier", &[app.community_a]).await;
    let (st, v) = api
        .post("/api/v1/me/tokens", json!({"name": "对账系统"}))
        .await;
    assert_eq!(st, 201);
    let second = app.api(v["token"].as_str().map(String::from));
    let (st, _) = second.get("/api/v1/me").await;
    assert_eq!(st, 200);
    let (_, list) = api.get("/api/v1/me/tokens").await;
    assert_eq!(list.as_array().expect("list").len(), 2);
    assert!(
        list.to_string()
            .find(v["token"].as_str().unwrap_or("-"))
            .is_none(),
        "the list never shows a token"
    );
    let (st, _) = api.delete(&format!("/api/v1/tokens/{}", v["id"])).await;
    assert_eq!(st, 204);
    let (st, _) = second.get("/api/v1/me").await;
    assert_eq!(st, 401);
    let (st, _) = api.delete(&format!("/api/v1/tokens/{}", v["id"])).await;
    assert_eq!(st, 409);
    // Someone else's token is not yours to revoke.
    let other = app.api_as("wang", "cashier", &[app.community_a]).await;
    let (_, l2) = other.get("/api/v1/me/tokens").await;
    let (st, _) = api.delete(&format!("/api/v1/tokens/{}", l2[0]["id"])).await;
    assert_eq!(st, 404);
}

#[tokio::test]
async fn password_change_rules() {
    let app = app().await;
    let api = app.api_as("zhao", "technician", &[app.community_a]).await;
    let (st, v) = api
        .post(
            "/api/v1/me/password",
            json!({"old_password": "nope", "new_password": "newpass2026"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("old_password"))
    );
    let (st, v) = api
        .post(
            "/api/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": "short"}),
        )
        .await;
    assert_eq!(
        (st.as_u16(), v["code"].as_str()),
        (422, Some("password_too_short"))
    );
    let (st, _) = api
        .post(
            "/api/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": "newpass2026"}),
        )
        .await;
    assert_eq!(st, 204);
    let (st, _) = app
        .api(None)
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhao", "password": "newpass2026"}),
        )
        .await;
    assert_eq!(st, 201);
}

#[tokio::test]
async fn errors_speak_the_callers_language_and_name_the_field() {
    let app = app().await;
    let api = app.admin().await.english();
    let (st, v) = api
        .post(
            "/api/v1/people",
            json!({"community_id": app.community_a.0, "name": "A", "phone": "123"}),
        )
        .await;
    assert_eq!(st, 422);
    assert_eq!(
        v["message"],
        "Phone: is not a valid phone number (11-digit mobile or area code-number)"
    );
    // Malformed JSON, wrong types and bad path ids are clear 4xx, never 500.
    let raw = api
        .client
        .post(format!("{}/api/v1/units", app.base))
        .bearer_auth(api.token.clone().unwrap_or_default())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("send");
    assert_eq!(raw.status(), 422);
    let (st, v) = api
        .post("/api/v1/units", json!({"building_id": "abc"}))
        .await;
    assert_eq!(
        (st.as_u16(), v["field"].as_str()),
        (422, Some("building_id"))
    );
    let (st, v) = api.post("/api/v1/units", json!({})).await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (422, Some("required")));
    let (st, _) = api.get("/api/v1/units/not-a-number").await;
    assert_eq!(st, 422);
    let (st, _) = api.get("/api/v1/units?limit=many").await;
    assert_eq!(st, 422);
    let (st, v) = api.get("/api/v1/nope").await;
    assert_eq!((st.as_u16(), v["code"].as_str()), (404, Some("not_found")));
    let (st, v) = api
        .get(&format!("/api/v1/search?q={}", "9".repeat(60)))
        .await;
    assert_eq!((st.as_u16(), v["field"].as_str()), (422, Some("q")));
}

#[tokio::test]
async fn parallel_guesses_are_all_counted() {
    let app = app().await;
    app.user("wuliu", "cashier", &[app.community_a]).await;
    let anon = app.api(None);
    let guesses = (0..12).map(|i| {
        let anon = anon.clone();
        async move {
            anon.post(
                "/api/v1/auth/token",
                json!({"username": "wuliu", "password": format!("guess-{i}")}),
            )
            .await
        }
    });
    let results = futures_join_all(guesses).await;
    let heard = results.iter().filter(|(st, _)| st.as_u16() == 401).count();
    assert!(
        results
            .iter()
            .all(|(st, _)| st.as_u16() == 401 || st.as_u16() == 429)
    );
    // Each guess is written down before its check and counted after: parallel ones cannot all
    // read the same count and slip past the five an address may try at one account.
    assert!(heard <= 5, "at most five guesses were heard, got {heard}");
    let (st, _) = anon
        .post(
            "/api/v1/auth/token",
            json!({"username": "wuliu", "password": wuye_testkit::PASSWORD}),
        )
        .await;
    // Guesses refused unheard used none of the address's five; once five were heard, it waits.
    let want = if heard == 5 { 429 } else { 201 };
    assert_eq!(st.as_u16(), want, "{heard} guesses were heard");
    let (st, _) = app
        .api_from("127.0.0.2")
        .post(
            "/api/v1/auth/token",
            json!({"username": "wuliu", "password": wuye_testkit::PASSWORD}),
        )
        .await;
    assert_eq!(st, 201, "the owner elsewhere does not");
}

/// Runs futures concurrently on the test's runtime.
pub(crate) async fn futures_join_all<F: std::future::Future + Send + 'static>(
    fs: impl Iterator<Item = F>,
) -> Vec<F::Output>
where
    F::Output: Send + 'static,
{
    let handles: Vec<_> = fs.map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.expect("task"));
    }
    out
}

#[tokio::test]
async fn control_characters_in_queries_are_refused_not_500() {
    let app = app().await;
    let api = app.admin().await;
    for path in [
        "/api/v1/search?q=%00",
        "/api/v1/units?unit_no=%00",
        "/api/v1/people?name=%E5%BC%A0%00",
        "/api/v1/audit?actor=%00",
    ] {
        let (st, v) = api.get(path).await;
        assert_eq!(
            (st.as_u16(), v["code"].as_str()),
            (422, Some("invalid_characters")),
            "{path}"
        );
    }
    let (st, _) = app
        .api(None)
        .post(
            "/api/v1/auth/token",
            json!({"username": "ad\u{0}min", "password": "x"}),
        )
        .await;
    assert_eq!(st, 401);
}

#[tokio::test]
async fn password_tokens_expire_integration_tokens_do_not() {
    let app = app().await;
    let api = app.api_as("zhengjun", "cashier", &[app.community_a]).await;
    let (st, v) = app
        .api(None)
        .post(
            "/api/v1/auth/token",
            json!({"username": "zhengjun", "password": PASSWORD}),
        )
        .await;
    assert_eq!(st, 201);
    let expires = chrono::DateTime::parse_from_rfc3339(v["expires_at"].as_str().expect("expiry"))
        .expect("time");
    let days = (expires.with_timezone(&chrono::Utc) - chrono::Utc::now()).num_hours();
    assert!(
        (30 * 24 - 1..=30 * 24).contains(&days),
        "30 days, got {days} h"
    );
    let (_, made) = api.post("/api/v1/me/tokens", json!({"name": "门禁"})).await;
    assert_eq!(made["expires_at"], serde_json::Value::Null);

    // Past its expiry the token is refused.
    let pw = app.api(v["token"].as_str().map(String::from));
    assert_eq!(pw.get("/api/v1/me").await.0, 200);
    let mut tx = app.core.db.begin().await.expect("tx");
    tx.execute(
        "UPDATE api_tokens SET expires_at = $1 WHERE id = $2",
        wuye_core::args![
            chrono::Utc::now() - chrono::Duration::minutes(1),
            v["id"].as_i64().expect("id")
        ],
    )
    .await
    .expect("age");
    tx.commit().await.expect("commit");
    let (st, e) = pw.get("/api/v1/me").await;
    assert_eq!(
        (st.as_u16(), e["code"].as_str()),
        (401, Some("invalid_token"))
    );
}

/// A password change ends every other credential of the user (the token making it goes on); an
/// admin's reset or a deactivation ends them all.
#[tokio::test]
async fn a_new_password_revokes_the_old_credentials() {
    let app = app().await;
    let api = app.api_as("sun", "cashier", &[app.community_a]).await;
    let (st, v) = api
        .post("/api/v1/me/tokens", json!({"name": "对账系统"}))
        .await;
    assert_eq!(st, 201);
    let personal = app.api(v["token"].as_str().map(String::from));
    let (st, v) = app
        .api(None)
        .post(
            "/api/v1/auth/token",
            json!({"username": "sun", "password": PASSWORD}),
        )
        .await;
    assert_eq!(st, 201);
    let logged_in = app.api(v["token"].as_str().map(String::from));
    for t in [&api, &personal, &logged_in] {
        assert_eq!(t.get("/api/v1/me").await.0, 200);
    }
    let (st, _) = api
        .post(
            "/api/v1/me/password",
            json!({"old_password": PASSWORD, "new_password": "newpass2026"}),
        )
        .await;
    assert_eq!(st, 204);
    assert_eq!(api.get("/api/v1/me").await.0, 200, "the token making it");
    assert_eq!(personal.get("/api/v1/me").await.0, 401);
    assert_eq!(logged_in.get("/api/v1/me").await.0, 401);

    // An admin's reset ends the rest, and so does a deactivation.
    let admin = app.admin().await;
    let (_, me) = api.get("/api/v1/me").await;
    let id = me["id"].as_i64().or(me["user"]["id"].as_i64()).expect("id");
    let (st, v) = admin
        .patch(
            &format!("/api/v1/users/{id}"),
            json!({"reset_password": "reset2026pass"}),
        )
        .await;
    assert_eq!(st, 200, "{v}");
    assert_eq!(api.get("/api/v1/me").await.0, 401);
    let zhou = app.api_as("zhou", "cashier", &[app.community_a]).await;
    let (_, me) = zhou.get("/api/v1/me").await;
    let zhou_id = me["id"].as_i64().or(me["user"]["id"].as_i64()).expect("id");
    let (st, _) = admin
        .patch(
            &format!("/api/v1/users/{zhou_id}"),
            json!({"active": false}),
        )
        .await;
    assert_eq!(st, 200);
    assert_eq!(zhou.get("/api/v1/me").await.0, 401);
    let (n,): (i64,) = app
        .core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM api_tokens WHERE user_id IN ($1, $2) AND revoked_at IS NULL",
            wuye_core::args![id, zhou_id],
        )
        .await
        .expect("count");
    assert_eq!(n, 0, "no live token is left to either");
}
