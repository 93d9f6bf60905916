//! Cross-site request forgery defences of the console (and the owner portal's pages), which are
//! authenticated by a cookie. The JSON API is not: it takes only `Authorization: Bearer`, which
//! a browser never adds on another site's behalf, and its JSON bodies cannot be posted
//! cross-site without a CORS preflight we never grant.
//!
//! Two checks, both on every unsafe method (POST, PUT, PATCH, DELETE):
//! 1. **The token is bound to the session.** A form's `_csrf` field must equal a keyed hash
//!    (HMAC, key derived from the master key) of the secret the browser is known by: the session
//!    cookie when it has one, else the pre-session cookie `wuye_csrf` given to anonymous pages
//!    (login, activation). A forged cookie with a matching forged field no longer passes (only
//!    the server can make the hash), and a token from another session does not fit this one.
//!    The session cookie and the token's binding are read by the same rule (the first cookie of
//!    that name), so whatever session a request acts in is the one its token must belong to.
//! 2. **The origin is ours.** `Origin`, or when a browser sends none `Referer`, must name this
//!    site: the configured public URL (`WUYE_PUBLIC_URL`, scheme and host compared), or else the
//!    request's own `Host` (host and port compared; not the scheme, which behind a TLS proxy the
//!    server cannot see). A request with neither header passes this check: some privacy tools
//!    strip both, and the token still protects it. `Origin: null` (sandboxed frames, some
//!    redirects) is refused.

use axum::extract::Request;
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wuye_core::shared::crypto::Crypto;

use crate::extract::{CSRF_COOKIE, CsrfRejected, SESSION_COOKIE, cookie, locale_of};

/// The secret a browser's CSRF token is bound to: its session cookie, else its pre-session
/// cookie, else the pre-session value just issued with this response (`fresh`).
fn binding<'a>(headers: &'a HeaderMap, fresh: Option<&'a str>) -> Option<&'a str> {
    cookie(headers, SESSION_COOKIE)
        .filter(|c| !c.is_empty())
        .or_else(|| cookie(headers, CSRF_COOKIE).filter(|c| !c.is_empty()))
        .or(fresh)
}

/// The token the forms of this request's page carry (empty when the browser has no cookie yet
/// and none was issued, which no submission can match).
pub fn token_for(crypto: &Crypto, headers: &HeaderMap, fresh: Option<&str>) -> String {
    binding(headers, fresh)
        .map(|b| crypto.csrf_token(b))
        .unwrap_or_default()
}

/// Whether a submitted token belongs to the browser session of `headers`.
pub fn token_ok(crypto: &Crypto, headers: &HeaderMap, submitted: Option<&str>) -> bool {
    match (binding(headers, None), submitted) {
        (Some(b), Some(s)) => constant_time_eq(crypto.csrf_token(b).as_bytes(), s.as_bytes()),
        _ => false,
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The origin part (`scheme://host[:port]`) of a URL, lower-cased.
fn origin_of(url: &str) -> Option<(String, String)> {
    let (scheme, rest) = url.split_once("://")?;
    let authority = rest.split(['/', '?', '#']).next()?;
    if authority.is_empty() || authority.contains('@') {
        return None;
    }
    Some((scheme.to_ascii_lowercase(), authority.to_ascii_lowercase()))
}

/// The public URL's origin, normalised for [`same_origin`]; `None` when it is not a URL.
pub fn public_origin(url: &str) -> Option<String> {
    origin_of(url.trim()).map(|(s, a)| format!("{s}://{a}"))
}

/// Whether the request's `Origin` (else `Referer`) names this site; see the module's notes.
pub fn same_origin(headers: &HeaderMap, public: Option<&str>) -> bool {
    let text = |h| headers.get(h).and_then(|v| v.to_str().ok());
    let claimed = match (text(header::ORIGIN), text(header::REFERER)) {
        (Some(o), _) => o,
        (None, Some(r)) => r,
        (None, None) => return true,
    };
    let Some((scheme, authority)) = origin_of(claimed) else {
        return false;
    };
    match public {
        Some(p) => format!("{scheme}://{authority}") == p,
        None => text(header::HOST).is_some_and(|h| h.eq_ignore_ascii_case(&authority)),
    }
}

/// Refuses an unsafe request from another origin, before any handler sees it.
pub async fn check_origin(req: Request, next: Next) -> Response {
    let unsafe_method = !matches!(
        *req.method(),
        Method::GET | Method::HEAD | Method::OPTIONS | Method::TRACE
    );
    if unsafe_method {
        let public = req.extensions().get::<crate::PublicOrigin>().cloned();
        if !same_origin(req.headers(), public.as_ref().and_then(|p| p.0.as_deref())) {
            tracing::info!(path = %req.uri().path(), "cross-origin form refused");
            return CsrfRejected(locale_of(req.headers())).into_response();
        }
    }
    next.run(req).await
}

#[cfg(test)]
mod tests {
    use axum::http::HeaderValue;

    use super::*;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.append(*k, HeaderValue::from_str(v).expect("ascii"));
        }
        h
    }

    #[test]
    fn a_token_fits_only_the_session_it_was_made_for() {
        let c = Crypto::new(&[7; 32]);
        let mine = headers(&[("cookie", "wuye_csrf=pre; wuye_session=s1")]);
        let token = token_for(&c, &mine, None);
        assert!(token_ok(&c, &mine, Some(&token)));
        let other = headers(&[("cookie", "wuye_session=s2")]);
        assert!(!token_ok(&c, &other, Some(&token)), "another session");
        // The old double submit: a cookie and a field of the forger's choice, equal.
        let forged = headers(&[("cookie", "wuye_csrf=abc")]);
        assert!(!token_ok(&c, &forged, Some("abc")));
        assert!(!token_ok(&c, &headers(&[]), Some("")));
        // Before login the pre-session cookie is the binding.
        let anon = headers(&[("cookie", "wuye_csrf=pre")]);
        assert!(token_ok(&c, &anon, Some(&token_for(&c, &anon, None))));
        assert_eq!(
            token_for(&c, &headers(&[]), Some("pre")),
            c.csrf_token("pre")
        );
        // Another server key makes other tokens.
        assert!(!token_ok(&Crypto::new(&[8; 32]), &mine, Some(&token)));
    }

    #[test]
    fn only_our_own_origin_may_post() {
        let host = |extra: &[(&'static str, &str)]| {
            let mut v = vec![("host", "wuye.example:8080")];
            v.extend_from_slice(extra);
            headers(&v)
        };
        assert!(same_origin(
            &host(&[("origin", "http://wuye.example:8080")]),
            None
        ));
        assert!(same_origin(
            &host(&[("origin", "https://WUYE.example:8080")]),
            None
        ));
        assert!(!same_origin(
            &host(&[("origin", "http://evil.example")]),
            None
        ));
        assert!(!same_origin(
            &host(&[("origin", "http://wuye.example:9090")]),
            None
        ));
        assert!(!same_origin(&host(&[("origin", "null")]), None));
        assert!(same_origin(
            &host(&[("referer", "http://wuye.example:8080/units?x=1")]),
            None
        ));
        assert!(!same_origin(
            &host(&[("referer", "http://evil.example/wuye.example:8080")]),
            None
        ));
        assert!(
            same_origin(&host(&[]), None),
            "neither header: the token decides"
        );
        // Behind a proxy that rewrites Host, the public URL is the origin.
        let p = public_origin("https://wy.example.cn/").expect("url");
        let behind = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "https://wy.example.cn"),
        ]);
        assert!(same_origin(&behind, Some(&p)));
        let plain = headers(&[
            ("host", "127.0.0.1:8080"),
            ("origin", "http://wy.example.cn"),
        ]);
        assert!(!same_origin(&plain, Some(&p)), "the scheme counts then");
    }
}
