//! The HTTP calls the SMS and WeChat channels make, in one place: one `reqwest` client per
//! channel with a connect and a total timeout, and the rule that turns what the network said
//! into a [`Failure`]. A network error, a timeout, a 429 or a 5xx means "not now" (retry);
//! any other answer is handed back for the channel to read, since only the channel knows its
//! provider's error codes.

use std::time::Duration;

use serde::de::DeserializeOwned;

use super::Failure;

/// A provider that does not even accept the connection within this is down, not slow.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
/// The whole call, answer included: a provider that hangs must not hold the outbox worker
/// longer than this.
const TOTAL_TIMEOUT: Duration = Duration::from_secs(15);
/// How much of an unexpected body goes into a failure's reason (it is stored and shown).
const REASON_BODY_CHARS: usize = 200;

/// What the provider answered, whatever the status (5xx and 429 are already a [`Failure`]).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub body: String,
}

/// One channel's client. Each channel owns its own: a `reqwest::Client` keeps its pooled
/// connections on the runtime that opened them, so a process-wide client would break when
/// that runtime ends (every `#[tokio::test]` has its own).
#[derive(Debug, Clone)]
pub struct Http {
    /// Building the client only fails when the TLS library cannot start; that is reported
    /// with each message (retry: it is the machine, not the message) rather than refusing to
    /// build the channel, so a broken TLS setup shows up in the outbox, not as a panic.
    client: Result<reqwest::Client, String>,
}

impl Default for Http {
    fn default() -> Self {
        Self::new()
    }
}

impl Http {
    pub fn new() -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(CONNECT_TIMEOUT)
            .timeout(TOTAL_TIMEOUT)
            .user_agent(concat!("wuye/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(describe);
        Self { client }
    }

    /// Sends the request `build` makes and reads the whole answer. `provider` names the
    /// provider in the failure's reason.
    pub async fn call(
        &self,
        provider: &str,
        build: impl FnOnce(&reqwest::Client) -> reqwest::RequestBuilder,
    ) -> Result<Reply, Failure> {
        let client = self
            .client
            .as_ref()
            .map_err(|e| Failure::Retry(format!("{provider}: no HTTP client: {e}")))?;
        let response = build(client)
            .send()
            .await
            .map_err(|e| Failure::Retry(format!("{provider}: {}", describe(e))))?;
        let status = response.status().as_u16();
        let body = response.text().await.map_err(|e| {
            Failure::Retry(format!("{provider}: reading the answer: {}", describe(e)))
        })?;
        if status == 429 || status >= 500 {
            return Err(Failure::Retry(format!(
                "{provider}: HTTP {status}: {}",
                excerpt(&body)
            )));
        }
        Ok(Reply { status, body })
    }
}

/// Parses a provider's JSON answer. An answer that is not the JSON the provider documents
/// (a proxy's error page, a truncated body) is treated as "not now": the message may or may
/// not have gone, and a duplicate notice is the lesser harm than a lost one.
pub fn parse<T: DeserializeOwned>(provider: &str, reply: &Reply) -> Result<T, Failure> {
    serde_json::from_str(&reply.body).map_err(|e| {
        Failure::Retry(format!(
            "{provider}: unexpected answer (HTTP {}, {e}): {}",
            reply.status,
            excerpt(&reply.body)
        ))
    })
}

/// The start of a body, for a reason.
pub fn excerpt(body: &str) -> String {
    let body = body.trim();
    match body.char_indices().nth(REASON_BODY_CHARS) {
        Some((at, _)) => format!("{}…", &body[..at]),
        None => body.to_owned(),
    }
}

/// A `reqwest` error with its causes ("connection refused" is in a source, not the top
/// error) and without the URL, which may carry a secret (WeChat's token call takes the app
/// secret in the query string, its send call the access token).
fn describe(e: reqwest::Error) -> String {
    let timed_out = e.is_timeout();
    let e = e.without_url();
    let mut text = String::new();
    let mut next: Option<&(dyn std::error::Error + 'static)> = Some(&e);
    while let Some(err) = next {
        let part = err.to_string();
        if !text.contains(&part) {
            if !text.is_empty() {
                text.push_str(": ");
            }
            text.push_str(&part);
        }
        next = err.source();
    }
    if timed_out && !text.contains("timed out") {
        text.push_str(" (timed out)");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_excerpt_is_cut_on_a_character_boundary() {
        let long = "短".repeat(REASON_BODY_CHARS + 5);
        let cut = excerpt(&long);
        assert_eq!(cut.chars().count(), REASON_BODY_CHARS + 1);
        assert!(cut.ends_with('…'));
        assert_eq!(excerpt("  ok \n"), "ok");
    }
}
