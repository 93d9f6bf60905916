//! Real-browser tests: a headless Chromium session through chromedriver. The tests run where
//! `WUYE_WEBDRIVER_URL` is set (CI sets it); elsewhere `session()` is `None` and the test says
//! it was skipped.

use fantoccini::{Client, ClientBuilder};
use serde_json::json;

/// A new browser session, or `None` when no WebDriver is configured.
pub async fn session() -> Option<Client> {
    let url = std::env::var("WUYE_WEBDRIVER_URL")
        .ok()
        .filter(|u| !u.is_empty())?;
    let binary = std::env::var("WUYE_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let caps = json!({
        "browserName": "chrome",
        "goog:chromeOptions": {
            "binary": binary,
            "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,900",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     "--no-first-run", "--lang=zh-CN"],
            // Headless Chromium sends Accept-Language from this preference, not from --lang.
            "prefs": { "intl.accept_languages": "zh-CN,zh" }
        }
    });
    let caps = match caps {
        serde_json::Value::Object(m) => m,
        _ => return None,
    };
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("WUYE_WEBDRIVER_URL is set but no browser session could be started");
    Some(client)
}
