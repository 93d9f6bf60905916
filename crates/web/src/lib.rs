//! wuye's HTTP edge: the JSON API under `/api/v1` (documented in `/api/openapi.json`, browsable
//! at `/api/docs`) and the Chinese web console. Handlers parse and authorize, nothing else: both
//! call the same core services, so they cannot disagree.

pub mod api;
pub mod console;
pub mod csrf;
pub mod error;
pub mod extract;
pub mod locale;
pub mod openapi;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::http::{HeaderName, HeaderValue, header};
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use wuye_core::CoreRef;

/// Web settings.
#[derive(Debug, Clone)]
pub struct WebConfig {
    /// Mark cookies `Secure` (set when served over HTTPS).
    pub secure_cookies: bool,
    /// Largest upload accepted (spreadsheets), in bytes.
    pub max_upload_bytes: usize,
    /// The header a reverse proxy puts the client's address in (`X-Forwarded-For`,
    /// `X-Real-IP`), for the login throttle. `None`: the TCP peer's address, and any such header
    /// is ignored (a client could forge it).
    pub trusted_proxy_header: Option<HeaderName>,
    /// The site's public URL (`https://wy.example.cn`): the one origin console forms may be
    /// posted from. `None`: the request's own `Host`.
    pub public_url: Option<String>,
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_upload_bytes: 20 * 1024 * 1024,
            trusted_proxy_header: None,
            public_url: None,
        }
    }
}

/// The origin console forms may come from (`csrf::public_origin` of the public URL), for the
/// middleware that checks it.
#[derive(Clone)]
pub struct PublicOrigin(pub Option<String>);

/// Whether cookies are marked `Secure`, for middleware that runs without the state.
#[derive(Clone, Copy)]
pub struct SecureCookies(pub bool);

#[derive(Clone)]
pub struct AppState {
    pub core: CoreRef,
    pub cfg: Arc<WebConfig>,
}

tokio::task_local! {
    static REQUEST_ID: String;
    static LOCALE: locale::Locale;
}

/// The language of the request being served (its cookie, else `Accept-Language`), so an error
/// raised anywhere in it is answered in the caller's language without each handler passing it
/// along; outside a request, Chinese.
pub fn request_locale() -> locale::Locale {
    LOCALE.try_with(|l| *l).unwrap_or(locale::Locale::Zh)
}

/// The id of the request being served. Every log line of the request carries it (the `request`
/// span), the response carries it in `x-request-id`, and an internal error shows it to the user
/// as the reference to quote, so support finds the one failure in the logs.
pub fn request_id() -> String {
    REQUEST_ID
        .try_with(Clone::clone)
        .unwrap_or_else(|_| new_request_id())
}

/// The span of one HTTP exchange: the method and the path, never the query string, which may
/// hold a phone number someone searched for (at every log level).
fn http_span<B>(req: &axum::http::Request<B>) -> tracing::Span {
    tracing::debug_span!("http", method = %req.method(), path = %req.uri().path())
}

fn new_request_id() -> String {
    hex::encode(wuye_core::shared::crypto::random_bytes::<6>())
}

/// Gives each request its id and its language. A client-sent `x-request-id` is not trusted (it
/// would let a caller forge the reference of another's failure), so one is always made here.
async fn with_request_id(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    use tracing::Instrument;
    let id = new_request_id();
    let span = tracing::info_span!("request", request_id = %id);
    let locale = extract::locale_of(req.headers());
    let mut resp = REQUEST_ID
        .scope(
            id.clone(),
            LOCALE.scope(locale, next.run(req).instrument(span)),
        )
        .await;
    if let Ok(v) = HeaderValue::from_str(&id) {
        resp.headers_mut()
            .insert(HeaderName::from_static("x-request-id"), v);
    }
    resp
}

/// The whole application.
pub fn app(core: CoreRef, cfg: WebConfig) -> Router {
    let limit = cfg.max_upload_bytes;
    let secure = SecureCookies(cfg.secure_cookies);
    let public = PublicOrigin(cfg.public_url.as_deref().and_then(csrf::public_origin));
    let state = AppState {
        core,
        cfg: Arc::new(cfg),
    };
    let (api_router, doc) = api::router().split_for_parts();
    let doc = openapi::finish(doc);
    Router::new()
        .merge(api_router)
        .merge(openapi::docs_router(doc))
        .merge(console::router())
        .fallback(console::not_found)
        .with_state(state)
        .layer(axum::Extension(secure))
        .layer(axum::Extension(public))
        // The body limit is checked by the handlers that take uploads; this is the hard stop.
        .layer(DefaultBodyLimit::max(limit + 64 * 1024))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            Duration::from_secs(120),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::X_FRAME_OPTIONS,
            HeaderValue::from_static("DENY"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            header::REFERRER_POLICY,
            HeaderValue::from_static("same-origin"),
        ))
        .layer(SetResponseHeaderLayer::if_not_present(
            HeaderName::from_static("content-security-policy"),
            HeaderValue::from_static(
                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'",
            ),
        ))
        // Pages, JSON, PDFs and spreadsheets carry personal data: no cache keeps them (the
        // static assets set their own, public, policy).
        .layer(SetResponseHeaderLayer::if_not_present(
            header::CACHE_CONTROL,
            HeaderValue::from_static("no-store"),
        ))
        .layer(TraceLayer::new_for_http().make_span_with(http_span))
        .layer(axum::middleware::from_fn(with_request_id))
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use axum::routing::get;
    use tower::ServiceExt;

    use crate::error::{ApiResult, AppError};

    async fn fails() -> ApiResult<()> {
        Err(AppError::from(wuye_core::CoreError::internal(
            "disk on fire",
        )))
    }

    /// A buffer the test's log lines are written to.
    #[derive(Clone, Default)]
    struct Captured(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut b) = self.0.lock() {
                b.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[tokio::test]
    async fn logs_never_carry_the_query_string_even_at_trace_level() {
        let out = Captured::default();
        let writer = out.clone();
        let sub = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_writer(move || writer.clone())
            .finish();
        let _guard = tracing::subscriber::set_default(sub);
        let app = axum::Router::new()
            .route("/search", get(|| async { "ok" }))
            .layer(tower_http::trace::TraceLayer::new_for_http().make_span_with(super::http_span))
            .layer(axum::middleware::from_fn(super::with_request_id));
        let resp = app
            .oneshot(
                Request::get("/search?q=13812345678")
                    .body(Body::empty())
                    .expect("request"),
            )
            .await
            .expect("response");
        assert_eq!(resp.status(), StatusCode::OK);
        let logged = String::from_utf8_lossy(&out.0.lock().expect("log").clone()).to_string();
        assert!(logged.contains("/search"), "the path is logged: {logged}");
        assert!(
            !logged.contains("13812345678"),
            "a phone was logged: {logged}"
        );
    }

    #[tokio::test]
    async fn an_internal_error_names_the_request_id_it_was_logged_with() {
        let app = axum::Router::new()
            .route("/x", get(fails))
            .layer(axum::middleware::from_fn(super::with_request_id));
        let resp = app
            .oneshot(Request::get("/x").body(Body::empty()).expect("request"))
            .await
            .expect("response");
        assert_eq!(resp.status(), StatusCode::INTERNAL_SERVER_ERROR);
        let id = resp.headers()["x-request-id"]
            .to_str()
            .expect("ascii")
            .to_string();
        assert_eq!(id.len(), 12);
        let body = axum::body::to_bytes(resp.into_body(), 4096)
            .await
            .expect("body");
        let text = String::from_utf8_lossy(&body);
        assert!(text.contains(&id), "{text} names {id}");
        assert!(
            !text.contains("disk on fire"),
            "internal text leaked: {text}"
        );
    }
}
