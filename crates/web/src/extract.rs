//! Request extractors: the caller's language and address, the API caller (bearer token), the
//! console user (session cookie), forms checked against CSRF (the rules are in `csrf.rs`), and
//! bodies whose rejections become our JSON errors naming the field.

use axum::body::Bytes;
use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequest, FromRequestParts, Path, Query, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;
use wuye_core::auth::LoginSource;
use wuye_core::auth::error::AuthCode;
use wuye_core::shared::error::CommonCode;
use wuye_core::{CoreError, Ctx, FieldError, auth};

use crate::AppState;
use crate::error::{AppError, WebCode};
use crate::locale::Locale;

pub const SESSION_COOKIE: &str = "wuye_session";
pub const CSRF_COOKIE: &str = "wuye_csrf";
pub const LANG_COOKIE: &str = "lang";

/// The value of a cookie.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// A `Set-Cookie` value. `max_age = Some(0)` deletes the cookie.
pub fn set_cookie(
    name: &str,
    value: &str,
    max_age: Option<i64>,
    secure: bool,
    same_site: &str,
) -> String {
    let mut s = format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}");
    if let Some(a) = max_age {
        s.push_str(&format!("; Max-Age={a}"));
    }
    if secure {
        s.push_str("; Secure");
    }
    s
}

pub fn locale_of(headers: &HeaderMap) -> Locale {
    Locale::detect(
        cookie(headers, LANG_COOKIE),
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok()),
    )
}

/// The caller's language.
pub struct Lang(pub Locale);

impl<S: Send + Sync> FromRequestParts<S> for Lang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Lang(locale_of(&parts.headers)))
    }
}

/// Where the request comes from, for the login throttle: the address in the trusted proxy's
/// header when one is configured (`WUYE_TRUSTED_PROXY_HEADER`), else the TCP peer. A header is
/// never believed unless configured: anyone can send `X-Forwarded-For`, and a believed forgery
/// would give each guess a fresh address. Without a peer address (a router served without
/// connect info) every request is the one source `unknown`, limited like any other.
pub struct ClientSource(pub LoginSource);

/// The client address a trusted proxy header names: the last entry of a list (the one the
/// proxy itself appended; earlier ones come from the client and may be forged), with or without
/// a port.
pub fn address_in_header(value: &str) -> Option<IpAddr> {
    let last = value.rsplit(',').next()?.trim();
    last.parse::<IpAddr>()
        .ok()
        .or_else(|| last.parse::<SocketAddr>().ok().map(|a| a.ip()))
}

impl FromRequestParts<AppState> for ClientSource {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let from_header = state.cfg.trusted_proxy_header.as_ref().and_then(|h| {
            parts
                .headers
                .get(h)
                .and_then(|v| v.to_str().ok())
                .and_then(address_in_header)
        });
        let peer = parts
            .extensions
            .get::<ConnectInfo<SocketAddr>>()
            .map(|c| c.0.ip());
        Ok(ClientSource(
            from_header
                .or(peer)
                .map(LoginSource::of_ip)
                .unwrap_or_else(LoginSource::unknown),
        ))
    }
}

/// An API caller, authenticated by `Authorization: Bearer <token>`.
pub struct ApiCtx {
    pub ctx: Ctx,
    pub locale: Locale,
    /// The bearer token the call came with (a password change keeps it alive).
    pub token: String,
}

impl FromRequestParts<AppState> for ApiCtx {
    type Rejection = AppError;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        let token = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .map(str::trim);
        let Some(token) = token else {
            return Err(
                AppError::from(CoreError::unauthorized(AuthCode::InvalidToken)).in_locale(locale),
            );
        };
        let ctx = auth::token_ctx(&state.core, token)
            .await
            .map_err(|e| AppError::from(e).in_locale(locale))?;
        Ok(ApiCtx {
            ctx,
            locale,
            token: token.to_string(),
        })
    }
}

/// The field named in a serde error path ("building_area: invalid type…" → building_area).
fn field_of(msg: &str) -> FieldError {
    if let Some(rest) = msg.split("missing field `").nth(1) {
        return FieldError::new(rest.split('`').next().unwrap_or(""), CommonCode::Required);
    }
    let tail = msg.split("target type: ").nth(1).unwrap_or(msg);
    match tail.split_once(": ") {
        Some((path, _)) if !path.contains(' ') && path != "." && !path.starts_with('[') => {
            FieldError::new(path, WebCode::InvalidType)
        }
        _ => FieldError::new("body", WebCode::InvalidJson),
    }
}

/// A JSON body; a rejection names the field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = AppError;
    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(req.headers());
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(JsonRejection::JsonDataError(e)) => {
                let e = field_of(&e.body_text());
                Err(AppError::from(CoreError::Invalid(vec![e])).in_locale(locale))
            }
            Err(JsonRejection::BytesRejection(_)) => Err(AppError::from(CoreError::Invalid(vec![
                FieldError::new("body", CommonCode::FileTooLarge).with("max", ""),
            ]))
            .in_locale(locale)),
            Err(_) => Err(AppError::bad("body", WebCode::InvalidJson).in_locale(locale)),
        }
    }
}

/// A path parameter; a malformed id is a 422 naming `id`, not axum's plain-text 400.
pub struct ApiPath<T>(pub T);

impl<T: DeserializeOwned + Send, S: Send + Sync> FromRequestParts<S> for ApiPath<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        Path::<T>::from_request_parts(parts, state)
            .await
            .map(|Path(v)| ApiPath(v))
            .map_err(|_: PathRejection| AppError::bad("id", WebCode::InvalidPath).in_locale(locale))
    }
}

/// Query parameters; a rejection names the parameter when it can.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = AppError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        Query::<T>::from_request_parts(parts, state)
            .await
            .map(|Query(v)| ApiQuery(v))
            .map_err(|e: QueryRejection| {
                let text = e.body_text();
                // "Failed to deserialize query string: limit: invalid digit found in string"
                let field = text
                    .split("query string: ")
                    .nth(1)
                    .and_then(|t| t.split_once(": "))
                    .map(|(f, _)| f.trim())
                    .filter(|f| {
                        !f.is_empty() && f.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    })
                    .unwrap_or("query")
                    .to_string();
                AppError::from(CoreError::Invalid(vec![FieldError::new(
                    field,
                    WebCode::InvalidQuery,
                )]))
                .in_locale(locale)
            })
    }
}

/// A logged-in console user. Without a valid session: a redirect to the login page.
pub struct ConsoleUser {
    pub ctx: Ctx,
    pub locale: Locale,
    pub csrf: String,
    /// The session token (kept when the user changes the password).
    pub session: String,
    /// What the last action said, shown once on this page (`console::flash`).
    pub flash: Option<String>,
    /// The community the user last chose (`console::flash::remembered_community`).
    pub community: Option<i64>,
    /// The request's path (the navigation bar marks its page).
    pub path: String,
    /// The user's unread messages (the badge beside 消息).
    pub unread: i64,
}

/// Where a console request without a usable session goes.
pub enum LoginRedirect {
    Login(String),
    /// The user must first change the initial password.
    Password,
}

impl IntoResponse for LoginRedirect {
    fn into_response(self) -> Response {
        match self {
            LoginRedirect::Login(next) => {
                Redirect::to(&format!("/login?next={}", urlencode(&next))).into_response()
            }
            LoginRedirect::Password => Redirect::to("/password").into_response(),
        }
    }
}

pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("", s)])
        .map(|v| v.trim_start_matches('=').to_string())
        .unwrap_or_default()
}

impl FromRequestParts<AppState> for ConsoleUser {
    type Rejection = LoginRedirect;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let locale = locale_of(&parts.headers);
        let next = parts
            .uri
            .path_and_query()
            .map(|p| p.as_str())
            .unwrap_or("/")
            .to_string();
        let Some(token) = cookie(&parts.headers, SESSION_COOKIE) else {
            return Err(LoginRedirect::Login(next));
        };
        let ctx = auth::session_ctx(&state.core, token)
            .await
            .map_err(|_| LoginRedirect::Login(next))?;
        // With the initial password, the only pages are the password form and logout.
        let path = parts.uri.path();
        if ctx.must_change_password && path != "/password" && path != "/logout" {
            return Err(LoginRedirect::Password);
        }
        // Bound to the session this request acts in (see `csrf.rs`).
        let csrf = state.core.crypto.csrf_token(token);
        let flash = crate::console::flash::read(&state.core.crypto, &parts.headers, token);
        // A badge is not worth failing the page for.
        let unread = wuye_core::notify::unread_count(&state.core, &ctx)
            .await
            .unwrap_or(0);
        Ok(ConsoleUser {
            unread,
            ctx,
            locale,
            csrf,
            session: token.to_string(),
            flash,
            community: crate::console::flash::remembered_community(&parts.headers),
            path: parts.uri.path().to_string(),
        })
    }
}

impl ConsoleUser {
    /// Whether a submitted CSRF token is this session's (for multipart forms, read by hand).
    pub fn csrf_matches(&self, submitted: Option<&str>) -> bool {
        submitted.is_some_and(|s| {
            s.len() == self.csrf.len()
                && s.bytes()
                    .zip(self.csrf.bytes())
                    .fold(0u8, |acc, (x, y)| acc | (x ^ y))
                    == 0
        })
    }
}

/// A console form whose `_csrf` field must be the token of the browser's session (see
/// `csrf.rs`: a keyed hash of the session or pre-session cookie).
pub struct CsrfForm<T>(pub T);

pub struct CsrfRejected(pub Locale);

impl IntoResponse for CsrfRejected {
    fn into_response(self) -> Response {
        let body = crate::console::render_message(self.0, self.0.t("err.csrf_failed"));
        (axum::http::StatusCode::FORBIDDEN, body).into_response()
    }
}

/// Reads a form body and checks its `_csrf` field against the browser's session.
async fn checked_form_body(req: Request, state: &AppState) -> Result<(Bytes, Locale), Response> {
    let locale = locale_of(req.headers());
    let headers = req.headers().clone();
    let bytes = Bytes::from_request(req, state)
        .await
        .map_err(IntoResponse::into_response)?;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let submitted = pairs
        .iter()
        .find(|(k, _)| k == "_csrf")
        .map(|(_, v)| v.as_str());
    if !crate::csrf::token_ok(&state.core.crypto, &headers, submitted) {
        return Err(CsrfRejected(locale).into_response());
    }
    Ok((bytes, locale))
}

impl<T: DeserializeOwned> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (bytes, locale) = checked_form_body(req, state).await?;
        serde_urlencoded::from_bytes::<T>(&bytes)
            .map(CsrfForm)
            .map_err(|_| {
                AppError::bad("body", WebCode::InvalidJson)
                    .in_locale(locale)
                    .into_response()
            })
    }
}

/// The raw body of a console form whose CSRF token checked out, for forms with repeated fields
/// (checkbox lists), which `serde_urlencoded` cannot decode into a struct.
pub struct CsrfBody(pub String);

impl FromRequest<AppState> for CsrfBody {
    type Rejection = Response;
    async fn from_request(req: Request, state: &AppState) -> Result<Self, Self::Rejection> {
        let (bytes, _) = checked_form_body(req, state).await?;
        Ok(CsrfBody(String::from_utf8_lossy(&bytes).into_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proxy_header_names_the_last_address() {
        let ip = |s: &str| s.parse::<IpAddr>().ok();
        assert_eq!(address_in_header("203.0.113.9"), ip("203.0.113.9"));
        assert_eq!(
            address_in_header("1.2.3.4, 198.51.100.7"),
            ip("198.51.100.7"),
            "the client's own entries come first and may be forged"
        );
        assert_eq!(address_in_header("198.51.100.7:5123"), ip("198.51.100.7"));
        assert_eq!(address_in_header("[2001:db8::1]:443"), ip("2001:db8::1"));
        assert_eq!(address_in_header("unknown"), None);
    }

    #[test]
    fn serde_paths_become_fields() {
        assert_eq!(
            field_of("Failed to deserialize the JSON body into the target type: building_area: invalid type: boolean `true`, expected a string at line 1 column 2").field,
            "building_area"
        );
        assert_eq!(
            field_of(
                "Failed to deserialize the JSON body into the target type: missing field `unit_no` at line 1 column 2"
            ),
            FieldError::new("unit_no", CommonCode::Required)
        );
    }
}
