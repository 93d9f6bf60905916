//! wuye's HTTP edge: the JSON API under `/api/v1` (documented in `/api/openapi.json`, browsable
//! at `/api/docs`) and the Chinese web console. Handlers parse and authorize, nothing else: both
//! call the same core services, so they cannot disagree.

pub mod api;
pub mod console;
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
}

impl Default for WebConfig {
    fn default() -> Self {
        Self {
            secure_cookies: false,
            max_upload_bytes: 20 * 1024 * 1024,
        }
    }
}

/// Whether cookies are marked `Secure`, for middleware that runs without the state.
#[derive(Clone, Copy)]
pub struct SecureCookies(pub bool);

#[derive(Clone)]
pub struct AppState {
    pub core: CoreRef,
    pub cfg: Arc<WebConfig>,
}

/// A short random reference that ties a generic error message to its log line.
pub fn crypto_request_id() -> String {
    hex::encode(wuye_core::shared::crypto::random_bytes::<6>())
}

/// The whole application.
pub fn app(core: CoreRef, cfg: WebConfig) -> Router {
    let limit = cfg.max_upload_bytes;
    let secure = SecureCookies(cfg.secure_cookies);
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
        .layer(TraceLayer::new_for_http())
}
