//! Daily use of the console (issue 12): every action says what happened on the page it leads
//! to, once, and only to the session that did it.

use crate::console::console_login;

/// The page `path` as `web` sees it.
async fn html(web: &reqwest::Client, base: &str, path: &str) -> String {
    web.get(format!("{base}{path}"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body")
}

#[tokio::test]
async fn an_action_says_what_it_did_once_on_the_next_page_and_to_that_session_only() {
    let app = crate::app().await;
    app.user("agent", "service_agent", &[app.community_a]).await;
    let (web, token) = console_login(&app, "agent").await;
    let r = web
        .post(format!("{}/requests/new", app.base))
        .form(&[
            ("_csrf", token.as_str()),
            ("community_id", &app.community_a.0.to_string()),
            ("kind", "inquiry"),
            ("category", "other"),
            ("channel", "hotline"),
            ("urgency", "normal"),
            ("location", "3栋大堂"),
            ("contact_name", "李先生"),
            ("contact_phone", "13800138000"),
            ("description", "问物业费缴费时间"),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(r.status(), 303, "{}", r.text().await.unwrap_or_default());
    let to = r.headers()["location"]
        .to_str()
        .expect("location")
        .to_string();
    let cookie = r
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with("wuye_flash="))
        .expect("a flash cookie")
        .to_string();

    // The request's page says it was registered, with its number; the next page does not.
    let page = html(&web, &app.base, &to).await;
    let notice = page
        .split("role=\"status\">")
        .nth(1)
        .and_then(|s| s.split('<').next())
        .expect("a notice")
        .to_string();
    assert!(notice.starts_with("已登记 "), "{notice}");
    let number = notice.trim_start_matches("已登记 ");
    assert!(page.contains(number), "the page shows {number}");
    assert!(!html(&web, &app.base, &to).await.contains("已登记 "));

    // The same cookie in another session shows nothing, nor does one made up.
    app.user("agent2", "service_agent", &[app.community_a])
        .await;
    let (other, _) = console_login(&app, "agent2").await;
    let value = cookie.split(';').next().expect("value").to_string();
    for forged in [
        value.clone(),
        format!("wuye_flash={}.{}", "%E5%B7%B2", "0".repeat(64)),
    ] {
        let page = other
            .get(format!("{}{to}", app.base))
            .header("cookie", forged)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body");
        assert!(!page.contains("role=\"status\""), "{page}");
    }
}
