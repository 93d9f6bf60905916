//! WeChat official-account template messages (模板消息): the access token (fetched with the
//! app id and secret, kept until five minutes before it expires, fetched again once when
//! WeChat says it is no longer valid), the send call, and the reading of WeChat's `errcode`
//! into sent / retry / give up.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde::Deserialize;

use super::http::{self, Http};
use super::{Failure, Outgoing, Secret, Sent};

pub const DEFAULT_ENDPOINT: &str = "https://api.weixin.qq.com";

const PROVIDER: &str = "wechat";
/// A token is fetched again this long before WeChat says it expires, so that one fetched
/// just before a send cannot expire on the way.
const RENEW_BEFORE: Duration = Duration::from_secs(5 * 60);

/// 40001 invalid credential, 40014 invalid access token, 42001 access token expired: the
/// token is stale (another process fetched a new one, or the clock ran past it).
const TOKEN_REJECTED: &[i64] = &[40001, 40014, 42001];
/// -1 system busy, 45009 the daily API quota, 45047 the message-count limit: they lift.
const RETRY_CODES: &[i64] = &[-1, 45009, 45047];

#[derive(Debug, Clone)]
pub struct WechatSettings {
    /// `https://api.weixin.qq.com` unless a test points it at a stub; empty means that.
    pub endpoint: String,
    pub app_id: String,
    pub app_secret: Secret,
    /// Event code → template id from the official account's template library.
    pub templates: HashMap<String, String>,
}

#[derive(Debug)]
pub struct Wechat {
    settings: WechatSettings,
    http: Http,
    /// The token and when to fetch a new one. Held across the fetch, so that concurrent
    /// senders wait for one fetch instead of each fetching (every fetch makes the previous
    /// token expire soon, and fetches count against a daily quota).
    token: tokio::sync::Mutex<Option<(String, Instant)>>,
}

/// Both WeChat answers: `errcode` is absent or 0 on success.
#[derive(Debug, Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    expires_in: Option<u64>,
    #[serde(default)]
    msgid: Option<serde_json::Value>,
}

impl Answer {
    fn reason(&self) -> String {
        format!("{}: {}", self.errcode, self.errmsg)
    }
}

impl Wechat {
    pub fn new(mut s: WechatSettings) -> Self {
        s.endpoint = super::setting_or(&s.endpoint, DEFAULT_ENDPOINT);
        Self {
            settings: s,
            http: Http::new(),
            token: tokio::sync::Mutex::new(None),
        }
    }

    pub fn has_template(&self, event: &str) -> bool {
        self.settings.templates.contains_key(event)
    }

    /// `m.to` is the recipient's openid under this official account.
    pub async fn send(&self, m: &Outgoing<'_>) -> Sent {
        let template = super::template_for(&self.settings.templates, m.event, "WeChat")?;
        let data: serde_json::Map<String, serde_json::Value> = m
            .params
            .iter()
            .map(|(name, value)| (name.clone(), serde_json::json!({ "value": value })))
            .collect();
        let body = serde_json::json!({
            "touser": m.to,
            "template_id": template,
            "data": data,
        })
        .to_string();

        let token = self.token().await?;
        let answer = self.post(&token, &body).await?;
        if !TOKEN_REJECTED.contains(&answer.errcode) {
            return outcome(answer);
        }
        self.forget(&token).await;
        let token = self.token().await?;
        let answer = self.post(&token, &body).await?;
        if TOKEN_REJECTED.contains(&answer.errcode) {
            self.forget(&token).await;
            return Err(Failure::Retry(answer.reason()));
        }
        outcome(answer)
    }

    async fn post(&self, token: &str, body: &str) -> Result<Answer, Failure> {
        let url = format!("{}/cgi-bin/message/template/send", self.settings.endpoint);
        let reply = self
            .http
            .call(PROVIDER, |c| {
                c.post(url)
                    .query(&[("access_token", token)])
                    .header(reqwest::header::CONTENT_TYPE, "application/json")
                    .body(body.to_owned())
            })
            .await?;
        http::parse(PROVIDER, &reply)
    }

    /// The cached token, or a new one when there is none or it is due for renewal.
    async fn token(&self) -> Result<String, Failure> {
        let mut cached = self.token.lock().await;
        if let Some((token, renew_at)) = cached.as_ref()
            && Instant::now() < *renew_at
        {
            return Ok(token.clone());
        }
        let s = &self.settings;
        let url = format!("{}/cgi-bin/token", s.endpoint);
        let reply = self
            .http
            .call(PROVIDER, |c| {
                c.get(url).query(&[
                    ("grant_type", "client_credential"),
                    ("appid", s.app_id.as_str()),
                    ("secret", s.app_secret.0.as_str()),
                ])
            })
            .await?;
        let answer: Answer = http::parse(PROVIDER, &reply)?;
        let token = match answer.access_token.as_deref() {
            Some(token) if answer.errcode == 0 && !token.is_empty() => token.to_owned(),
            _ if RETRY_CODES.contains(&answer.errcode) => {
                return Err(Failure::Retry(format!("access token: {}", answer.reason())));
            }
            // 40013 invalid appid, 40125 invalid secret, 40164 IP not whitelisted, …
            _ => {
                return Err(Failure::GiveUp(format!(
                    "access token: {}",
                    answer.reason()
                )));
            }
        };
        let lifetime = Duration::from_secs(answer.expires_in.unwrap_or(7200));
        *cached = Some((
            token.clone(),
            Instant::now() + lifetime.saturating_sub(RENEW_BEFORE),
        ));
        Ok(token)
    }

    /// Drops the cached token if it is still `stale` (another send may have renewed it).
    async fn forget(&self, stale: &str) {
        let mut cached = self.token.lock().await;
        if cached.as_ref().is_some_and(|(token, _)| token == stale) {
            *cached = None;
        }
    }
}

fn outcome(a: Answer) -> Sent {
    if a.errcode == 0 {
        return Ok(a.msgid.map(|id| match id {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        }));
    }
    if RETRY_CODES.contains(&a.errcode) {
        Err(Failure::Retry(a.reason()))
    } else {
        // 43004 not subscribed, 40003 bad openid, 40037 bad template id, 47003 bad data, …
        Err(Failure::GiveUp(a.reason()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn answer(json: &str) -> Answer {
        serde_json::from_str(json).expect("WeChat's documented answer")
    }

    #[test]
    fn errcodes_map_to_sent_retry_or_give_up() {
        assert_eq!(
            outcome(answer(r#"{"errcode":0,"errmsg":"ok","msgid":200228332}"#)),
            Ok(Some("200228332".to_owned()))
        );
        assert_eq!(
            outcome(answer(
                r#"{"errcode":45009,"errmsg":"reach max api daily quota limit"}"#
            )),
            Err(Failure::Retry(
                "45009: reach max api daily quota limit".to_owned()
            ))
        );
        assert_eq!(
            outcome(answer(r#"{"errcode":-1,"errmsg":"system error"}"#)),
            Err(Failure::Retry("-1: system error".to_owned()))
        );
        for code in [43004, 40003, 40037, 47003, 41028] {
            let a = answer(&format!(r#"{{"errcode":{code},"errmsg":"x"}}"#));
            assert_eq!(outcome(a), Err(Failure::GiveUp(format!("{code}: x"))));
        }
    }
}
