//! Saying what an action did, on the page it leads to (issue 12, point 1): a handler that
//! redirects after a successful form attaches a short message ("已登记 BX-000014"), and the next
//! page of the same session shows it once. The message rides in a cookie bound to the session
//! by a keyed hash, so no one can make another browser show a text of his choosing; the page
//! that shows it clears it.

use axum::extract::Request;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Redirect, Response};
use wuye_core::shared::crypto::Crypto;

use crate::extract::{ConsoleUser, SESSION_COOKIE, cookie, set_cookie, urlencode};

pub const FLASH_COOKIE: &str = "wuye_flash";

/// A signed message on a response, written into the cookie by [`layer`] (which knows whether
/// cookies are `Secure`).
#[derive(Clone)]
struct Flash(String);

fn tag(crypto: &Crypto, session: &str, msg: &str) -> String {
    crypto.csrf_token(&format!("flash\n{session}\n{msg}"))
}

/// Redirects to `to` and says `msg` on the page there.
pub fn done(st: &crate::AppState, u: &ConsoleUser, to: &str, msg: impl Into<String>) -> Response {
    let msg = msg.into();
    let value = format!(
        "{}.{}",
        urlencode(&msg),
        tag(&st.core.crypto, &u.session, &msg)
    );
    let mut r = Redirect::to(to).into_response();
    r.extensions_mut().insert(Flash(value));
    r
}

/// Redirects to `to` and says `msg` there as a refusal (an action that did nothing).
pub fn refused(
    st: &crate::AppState,
    u: &ConsoleUser,
    to: &str,
    msg: impl Into<String>,
) -> Response {
    done(st, u, to, format!("!{}", msg.into()))
}

/// The message this request carries for its session, if it is genuine.
pub fn read(crypto: &Crypto, headers: &HeaderMap, session: &str) -> Option<String> {
    let (enc, mac) = cookie(headers, FLASH_COOKIE)?.rsplit_once('.')?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&format!("m={enc}")).ok()?;
    let msg = pairs.into_iter().next()?.1;
    let want = tag(crypto, session, &msg);
    let same = want.len() == mac.len()
        && want
            .bytes()
            .zip(mac.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0;
    (same && !msg.is_empty()).then_some(msg)
}

/// Writes a response's message into the cookie, and clears one that a page has now shown (any
/// response but a redirect, which passes it on).
pub async fn layer(req: Request, next: Next) -> Response {
    let had = cookie(req.headers(), FLASH_COOKIE).is_some_and(|v| !v.is_empty())
        && cookie(req.headers(), SESSION_COOKIE).is_some();
    let secure = req
        .extensions()
        .get::<crate::SecureCookies>()
        .is_some_and(|s| s.0);
    let mut resp = next.run(req).await;
    let set = match resp.extensions_mut().remove::<Flash>() {
        Some(Flash(v)) => Some(set_cookie(FLASH_COOKIE, &v, Some(60), secure, "Lax")),
        None if had && !resp.status().is_redirection() => {
            Some(set_cookie(FLASH_COOKIE, "", Some(0), secure, "Lax"))
        }
        None => None,
    };
    if let Some(v) = set.and_then(|v| HeaderValue::from_str(&v).ok()) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// The community a user last chose (issue 12, point 4): any console page asked for with
/// `community=` or `community_id=` remembers it in a cookie, and the pages that fall back to a
/// community (the cashier, the daily close, billing setup, the hotline) start from it, so the
/// cashier who picked 幸福里 this morning does not type `1栋-101` into another community. Only
/// a community the user still reaches is taken (`pick`s check it).
pub const COMMUNITY_COOKIE: &str = "wuye_community";

/// The remembered community of a request.
pub fn remembered_community(headers: &HeaderMap) -> Option<i64> {
    cookie(headers, COMMUNITY_COOKIE)?
        .parse()
        .ok()
        .filter(|c| *c > 0)
}

/// The community a request names in its query, if any.
fn named_community(query: Option<&str>) -> Option<i64> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(query?).ok()?;
    pairs
        .into_iter()
        .find(|(k, v)| (k == "community" || k == "community_id") && !v.is_empty())
        .and_then(|(_, v)| v.trim().parse().ok())
        .filter(|c: &i64| *c > 0)
}

/// Remembers the community a successful page was asked for.
pub async fn remember_community(req: Request, next: Next) -> Response {
    let named = named_community(req.uri().query())
        .filter(|c| remembered_community(req.headers()) != Some(*c));
    let secure = req
        .extensions()
        .get::<crate::SecureCookies>()
        .is_some_and(|s| s.0);
    let mut resp = next.run(req).await;
    if let Some(c) = named.filter(|_| resp.status().is_success()) {
        let v = set_cookie(
            COMMUNITY_COOKIE,
            &c.to_string(),
            Some(400 * 86_400),
            secure,
            "Lax",
        );
        if let Ok(v) = HeaderValue::from_str(&v) {
            resp.headers_mut().append(header::SET_COOKIE, v);
        }
    }
    resp
}
