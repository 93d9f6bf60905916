//! The patrol app on the phone (巡检): one page, its script and its service worker. The page
//! and script are kept by the service worker, the day's rounds and every scan not yet sent by
//! the script in IndexedDB, so a guard opens it, scans and records in a basement with no signal;
//! when the connection returns the script sends photos, then scans — each with the phone's own
//! id, so a sync cut off and sent again records once. Its JSON endpoints are the console's (the
//! session cookie and the page's CSRF token in a header), calling the same services as
//! `/api/v1/patrol/*`.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use wuye_core::Perm;
use wuye_core::patrols::{self, SyncBatch};
use wuye_core::shared::ids::PatrolTaskId;

use crate::AppState;
use crate::error::AppError;
use crate::extract::ConsoleUser;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrol", get(app))
        .route("/patrol/rounds.json", get(rounds))
        .route("/patrol/sync.json", post(sync))
        .route("/patrol/photo", post(photo))
        .route("/patrol/manifest.webmanifest", get(manifest))
        .route("/patrol/icon-192.png", get(icon_192))
        .route("/patrol/icon-512.png", get(icon_512))
        .route("/patrol-sw.js", get(worker))
        .route("/static/patrol.js", get(script))
}

#[derive(Template)]
#[template(path = "patrols/app.html")]
struct AppPage {
    l: crate::locale::Locale,
    csrf: String,
    name: String,
}

impl AppPage {
    fn t(&self, k: &str) -> String {
        self.l.t(k).to_string()
    }
}

async fn app(u: ConsoleUser) -> Response {
    if !u.ctx.has(Perm::PatrolsWalk) {
        return crate::console::render_message(u.locale, u.locale.t("err.forbidden"));
    }
    let page = AppPage {
        l: u.locale,
        csrf: u.csrf.clone(),
        name: u.ctx.display_name.clone(),
    };
    let mut r = crate::console::page(&page);
    // The service worker keeps its own copy; the browser's cache must not serve a stale one.
    r.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-cache"),
    );
    r
}

fn csrf_ok(u: &ConsoleUser, headers: &HeaderMap) -> bool {
    u.csrf_matches(headers.get("x-csrf-token").and_then(|v| v.to_str().ok()))
}

async fn rounds(State(st): State<AppState>, u: ConsoleUser) -> Response {
    match patrols::my_rounds(&st.core, &u.ctx).await {
        Ok(b) => Json(b).into_response(),
        Err(e) => AppError::from(e).in_locale(u.locale).into_response(),
    }
}

async fn sync(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if !csrf_ok(&u, &headers) {
        return (
            StatusCode::FORBIDDEN,
            u.locale.t("err.csrf_failed").to_string(),
        )
            .into_response();
    }
    let batch: SyncBatch = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => {
            return AppError::from(wuye_core::CoreError::invalid(
                "scans",
                wuye_core::shared::error::CommonCode::Invalid,
            ))
            .in_locale(u.locale)
            .into_response();
        }
    };
    match patrols::sync_scans(&st.core, &u.ctx, batch).await {
        Ok(r) => Json(r).into_response(),
        Err(e) => AppError::from(e).in_locale(u.locale).into_response(),
    }
}

#[derive(Deserialize)]
struct PhotoQuery {
    task_id: i64,
    client_id: String,
}

async fn photo(
    State(st): State<AppState>,
    u: ConsoleUser,
    headers: HeaderMap,
    Query(q): Query<PhotoQuery>,
    body: axum::body::Bytes,
) -> Response {
    if !csrf_ok(&u, &headers) {
        return (
            StatusCode::FORBIDDEN,
            u.locale.t("err.csrf_failed").to_string(),
        )
            .into_response();
    }
    match patrols::upload_photo(
        &st.core,
        &u.ctx,
        PatrolTaskId(q.task_id),
        &q.client_id,
        &body,
    )
    .await
    {
        Ok(r) => Json(r).into_response(),
        Err(e) => AppError::from(e).in_locale(u.locale).into_response(),
    }
}

async fn manifest() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "application/manifest+json")],
        include_str!("../../../static/patrol.webmanifest"),
    )
}

/// The installed app's icons: Chrome installs a page whose manifest has a 192 and a 512 pixel
/// icon.
async fn icon_192() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/png")],
        include_bytes!("../../../static/patrol-192.png").as_slice(),
    )
}

async fn icon_512() -> impl IntoResponse {
    (
        [(header::CONTENT_TYPE, "image/png")],
        include_bytes!("../../../static/patrol-512.png").as_slice(),
    )
}

async fn worker() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../../static/patrol-sw.js"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        include_str!("../../../static/patrol.js"),
    )
}
