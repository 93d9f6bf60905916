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

/// A Chrome DevTools command sent through chromedriver (`goog/cdp/execute`).
#[derive(Debug)]
struct Cdp {
    cmd: &'static str,
    params: serde_json::Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for Cdp {
    fn endpoint(
        &self,
        base_url: &reqwest::Url,
        session_id: Option<&str>,
    ) -> Result<reqwest::Url, url_parse::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &reqwest::Url) -> (axum::http::Method, Option<String>) {
        (
            axum::http::Method::POST,
            Some(json!({"cmd": self.cmd, "params": self.params}).to_string()),
        )
    }
}

mod url_parse {
    pub use reqwest::Url;
    pub type ParseError = <Url as std::str::FromStr>::Err;
}

/// Cuts the page's network (as a phone in a basement) or gives it back: its requests fail and
/// `navigator.onLine` turns false, while pages a service worker keeps still open.
pub async fn set_offline(b: &Client, offline: bool) {
    b.issue_cmd(Cdp {
        cmd: "Network.enable",
        params: json!({}),
    })
    .await
    .expect("Network.enable");
    b.issue_cmd(Cdp {
        cmd: "Network.emulateNetworkConditions",
        params: json!({"offline": offline, "latency": 0, "downloadThroughput": -1, "uploadThroughput": -1}),
    })
    .await
    .expect("emulate network conditions");
}

/// Puts the phone at a place: the page at `origin` may read the position, and reads this one.
pub async fn set_position(b: &Client, origin: &str, lat: f64, lng: f64, accuracy_m: f64) {
    b.issue_cmd(Cdp {
        cmd: "Browser.grantPermissions",
        params: json!({"permissions": ["geolocation"], "origin": origin}),
    })
    .await
    .expect("grant geolocation");
    b.issue_cmd(Cdp {
        cmd: "Emulation.setGeolocationOverride",
        params: json!({"latitude": lat, "longitude": lng, "accuracy": accuracy_m}),
    })
    .await
    .expect("set the position");
}
