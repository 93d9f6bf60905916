//! The web console: server-rendered pages (askama templates compiled into the binary), plain
//! HTML forms that work without JavaScript. Every form carries the CSRF token of the browser's
//! session and every unsafe request must come from our own origin (`csrf.rs`); every page is
//! rendered in the user's language from the locale files.

mod admin;
mod billing;
mod charts;
mod committee;
mod community;
mod dashboard;
mod decoration;
mod desk;
mod duty;
mod equipment;
pub mod flash;
mod forms;
mod frontdesk;
mod home;
mod incidents;
mod kpis;
mod movein;
pub(crate) mod nav;
mod notify;
mod opinions;
mod patrols;
mod periodicals;
mod portal;
mod portal_surveys;
mod quality;
mod registry;
mod reports;
mod surveys;
mod tickets;

use askama::Template;
use axum::Router;
use axum::extract::{FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{Html, IntoResponse, Response};
use wuye_core::{CoreError, Ctx, Perm};

use crate::AppState;
use crate::error::describe;
use crate::extract::{CSRF_COOKIE, ConsoleUser, cookie, locale_of, set_cookie};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(home::router())
        .merge(dashboard::router())
        .merge(kpis::router())
        .merge(registry::router())
        .merge(admin::router())
        .merge(tickets::router())
        .merge(portal::router())
        .merge(reports::router())
        .merge(desk::router())
        .merge(billing::router())
        .merge(committee::router())
        .merge(notify::router())
        .merge(community::router())
        .merge(surveys::router())
        .merge(equipment::router())
        .merge(opinions::router())
        .merge(portal_surveys::router())
        .merge(duty::router())
        .merge(incidents::router())
        .merge(patrols::router())
        .merge(frontdesk::router())
        .merge(decoration::router())
        .merge(movein::router())
        .merge(periodicals::router())
        .merge(quality::router())
        .route("/static/app.css", axum::routing::get(css))
        .route("/static/app.js", axum::routing::get(script))
        .layer(middleware::from_fn(flash::layer))
        .layer(middleware::from_fn(flash::remember_community))
        .layer(middleware::from_fn(ensure_csrf_cookie))
        .layer(middleware::from_fn(crate::csrf::check_origin))
}

async fn css() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.css"),
    )
}

async fn script() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        include_str!("../../static/app.js"),
    )
}

/// The pre-session secret of a browser that has none yet, for the page being rendered.
#[derive(Clone)]
pub struct FreshCsrf(pub String);

/// Gives every browser a pre-session cookie before it sees its first form: the secret the CSRF
/// token of an anonymous page (login, activation) is bound to.
async fn ensure_csrf_cookie(mut req: Request, next: Next) -> Response {
    if cookie(req.headers(), CSRF_COOKIE).is_some_and(|c| !c.is_empty()) {
        return next.run(req).await;
    }
    let token = wuye_core::shared::crypto::random_token();
    req.extensions_mut().insert(FreshCsrf(token.clone()));
    let secure = req
        .extensions()
        .get::<crate::SecureCookies>()
        .is_some_and(|s| s.0);
    let mut resp = next.run(req).await;
    if let Ok(v) = HeaderValue::from_str(&set_cookie(CSRF_COOKIE, &token, None, secure, "Strict")) {
        resp.headers_mut().append(header::SET_COOKIE, v);
    }
    resp
}

/// What the layout needs: language, user, CSRF token, and a message to show once.
pub struct Shell {
    pub l: Locale,
    pub user_name: Option<String>,
    pub role: String,
    pub csrf: String,
    pub can_read: bool,
    pub can_users: bool,
    pub can_audit: bool,
    pub can_write: bool,
    pub can_reveal: bool,
    pub can_manage: bool,
    pub can_register: bool,
    pub can_dispatch: bool,
    pub can_work: bool,
    pub is_owner: bool,
    /// The owners' committee: its pages are the published accounts.
    pub is_committee: bool,
    pub can_tickets_manage: bool,
    pub can_collect: bool,
    pub can_bill: bool,
    /// May enter a record late with the time it really happened (the "实际发生时间" fields).
    pub can_backdate: bool,
    /// Words the notifications and reads the delivery log.
    pub can_notify: bool,
    /// Publishes notices and keeps the public board.
    pub can_announce: bool,
    /// Builds surveys and works the opinion library.
    pub can_surveys: bool,
    /// Sees the equipment ledger, works maintenance orders and machine-room logs.
    pub can_equipment: bool,
    /// Keeps the ledger and plans, accepts maintenance orders.
    pub can_equipment_manage: bool,
    /// Sets up patrols and reads their board, findings and report.
    pub can_patrols: bool,
    /// Walks patrol rounds with the phone app.
    pub can_patrol_walk: bool,
    /// Works the front desk: the key ledger and lending register.
    pub can_desk: bool,
    /// Sets the front desk up: key cabinets and their keepers, retiring keys.
    pub can_desk_manage: bool,
    /// Keeps the audit sheets and audits communities (品质督导).
    pub can_quality: bool,
    /// Keeps a community's plan in quality campaigns (its auditors and managers).
    pub can_campaigns: bool,
    /// Unread messages, for the badge.
    pub unread: i64,
    pub error: Option<String>,
    pub notice: Option<String>,
    /// The page's path, for the navigation bar's mark of the current page.
    pub path: String,
    /// The field errors being shown, kept so each field can show its own beside its input.
    pub failed: Vec<wuye_core::FieldError>,
}

impl Shell {
    pub fn anon(l: Locale, csrf: String) -> Self {
        Shell {
            l,
            user_name: None,
            role: String::new(),
            csrf,
            can_read: false,
            can_users: false,
            can_audit: false,
            can_write: false,
            can_reveal: false,
            can_manage: false,
            can_register: false,
            can_dispatch: false,
            can_work: false,
            is_owner: false,
            is_committee: false,
            can_tickets_manage: false,
            can_collect: false,
            can_bill: false,
            can_backdate: false,
            can_notify: false,
            can_announce: false,
            can_surveys: false,
            can_equipment: false,
            can_equipment_manage: false,
            can_patrols: false,
            can_patrol_walk: false,
            can_desk: false,
            can_desk_manage: false,
            can_quality: false,
            can_campaigns: false,
            unread: 0,
            error: None,
            notice: None,
            path: String::new(),
            failed: Vec::new(),
        }
    }
    pub fn of(u: &ConsoleUser) -> Self {
        let mut s = Self::for_ctx(&u.ctx, u.locale, u.csrf.clone());
        match u.flash.as_deref().map(|f| f.strip_prefix('!').ok_or(f)) {
            Some(Ok(refusal)) => s.error = Some(refusal.to_string()),
            Some(Err(notice)) => s.notice = Some(notice.to_string()),
            None => {}
        }
        s.path = u.path.clone();
        s.unread = u.unread;
        s
    }
    pub fn for_ctx(c: &Ctx, l: Locale, csrf: String) -> Self {
        Shell {
            l,
            user_name: Some(c.display_name.clone()),
            role: l.t(&format!("role.{}", c.role)).to_string(),
            csrf,
            can_read: c.has(Perm::RegistryRead),
            can_users: c.has(Perm::UsersManage),
            can_audit: c.has(Perm::AuditRead),
            can_write: c.has(Perm::RegistryWrite),
            can_reveal: c.has(Perm::PiiReveal),
            can_manage: c.has(Perm::CommunityManage),
            can_register: c.has(Perm::TicketsRegister),
            can_dispatch: c.has(Perm::TicketsDispatch) || c.has(Perm::TicketsManage),
            can_work: c.has(Perm::TicketsWork),
            is_owner: c.role == wuye_core::auth::OWNER_ROLE,
            is_committee: c.role == wuye_core::auth::COMMITTEE_ROLE,
            can_tickets_manage: c.has(Perm::TicketsManage),
            can_collect: c.has(Perm::BillingCollect),
            can_bill: c.has(Perm::BillingManage),
            can_backdate: c.has(Perm::RecordsBackdate),
            can_notify: c.has(Perm::NotifyManage),
            can_announce: c.has(Perm::AnnouncementsManage),
            can_surveys: c.has(Perm::SurveysManage),
            can_equipment: c.has(Perm::EquipmentWork) || c.has(Perm::EquipmentManage),
            can_equipment_manage: c.has(Perm::EquipmentManage),
            can_patrols: c.has(Perm::PatrolsManage),
            can_patrol_walk: c.has(Perm::PatrolsWalk),
            can_desk: c.has(Perm::FrontdeskWork),
            can_desk_manage: c.has(Perm::FrontdeskManage),
            can_quality: c.has(Perm::QualityManage),
            can_campaigns: c.has(Perm::QualityManage) || c.has(Perm::DutyManage),
            unread: 0,
            error: None,
            notice: None,
            path: String::new(),
            failed: Vec::new(),
        }
    }
    pub fn t(&self, key: &str) -> &'static str {
        self.l.t(key)
    }
    /// A text with `{1}`, `{2}`, `{3}` filled in (the confirmations that say what will happen,
    /// in numbers).
    pub fn say(
        &self,
        key: &str,
        a: impl std::fmt::Display,
        b: impl std::fmt::Display,
        c: impl std::fmt::Display,
    ) -> String {
        self.l
            .t(key)
            .replace("{1}", &a.to_string())
            .replace("{2}", &b.to_string())
            .replace("{3}", &c.to_string())
    }
    pub fn with_error(mut self, e: &CoreError) -> Self {
        self.error = Some(describe(e, self.l).3);
        self.failed = match e {
            CoreError::Invalid(errs) => errs.clone(),
            CoreError::Conflict(x) => vec![x.clone()],
            _ => Vec::new(),
        };
        self
    }
    /// The message of the shown error for `field`, for beside its input (empty when none).
    pub fn ferr(&self, field: &str) -> String {
        self.failed
            .iter()
            .filter(|x| x.field == field)
            .map(|x| crate::error::field_message(self.l, x))
            .collect::<Vec<_>>()
            .join("；")
    }
    /// The error text of one field, for showing beside the input.
    pub fn field_err(&self, e: Option<&CoreError>, field: &str) -> String {
        match e {
            Some(CoreError::Invalid(errs)) => errs
                .iter()
                .filter(|x| x.field == field)
                .map(|x| crate::error::field_message(self.l, x))
                .collect::<Vec<_>>()
                .join("；"),
            Some(CoreError::Conflict(x)) if x.field == field => {
                crate::error::field_message(self.l, x)
            }
            _ => String::new(),
        }
    }
}

/// An image from the request photos: private (never cached by shared caches), typed by what the
/// file is.
pub fn image_response(content_type: String, bytes: Vec<u8>) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// A stored file (an attachment) under its own name: shown in the browser when it can be
/// (images, PDF), with the name in RFC 5987 form so Chinese names survive.
pub fn file_response(content_type: String, name: &str, bytes: Vec<u8>) -> Response {
    let mut enc = String::new();
    for b in name.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            enc.push(b as char);
        } else {
            enc.push_str(&format!("%{b:02X}"));
        }
    }
    (
        [
            (header::CONTENT_TYPE, content_type),
            (
                header::CONTENT_DISPOSITION,
                format!("inline; filename*=UTF-8''{enc}"),
            ),
            (header::CACHE_CONTROL, "private, max-age=3600".to_string()),
        ],
        bytes,
    )
        .into_response()
}

/// Renders a template, or a plain error page when rendering fails.
pub fn page(t: &impl Template) -> Response {
    match t.render() {
        Ok(html) => Html(html).into_response(),
        Err(e) => {
            tracing::error!(error = %e, "template failed");
            (StatusCode::INTERNAL_SERVER_ERROR, "template error").into_response()
        }
    }
}

#[derive(Template)]
#[template(path = "message.html")]
struct MessagePage {
    s: Shell,
    message: String,
}

/// A page that only says something (CSRF failure, not found, forbidden).
pub fn render_message(l: Locale, msg: &str) -> Response {
    page(&MessagePage {
        s: Shell::anon(l, String::new()),
        message: msg.to_string(),
    })
}

/// A service error on its way to the user as the console's error page: it carries the layout of
/// the user who asked, so a handler can end with `?` (`service(..).await.or_page(&u)?`) and the
/// user still sees a page in his language with the error's status, never a bare code.
/// Validation errors a form shows beside its fields are handled before they get here.
/// Boxed: the layout is large, and an error travels up every `?` of a handler.
pub struct PageError(Box<(Shell, CoreError)>);

impl PageError {
    pub fn new(u: &ConsoleUser, err: CoreError) -> Self {
        PageError(Box::new((Shell::of(u), err)))
    }
}

impl IntoResponse for PageError {
    fn into_response(self) -> Response {
        let (s, err) = *self.0;
        let (status, _, _, msg) = describe(&err, s.l);
        let mut r = page(&MessagePage { s, message: msg });
        *r.status_mut() = status;
        r
    }
}

/// What a console handler returns when it uses `?` on service calls.
pub type PageResult = Result<Response, PageError>;

/// A form's outcome: done, `ok` answers (a redirect saying so); refused (invalid or conflict),
/// the form's page drawn again by `again` with each error beside its field and the refusal's
/// status; anything else, the error page.
pub async fn form_outcome<T, Fut>(
    u: &ConsoleUser,
    r: Result<T, CoreError>,
    ok: impl FnOnce(T) -> Response,
    again: impl FnOnce(Shell) -> Fut,
) -> PageResult
where
    Fut: std::future::Future<Output = PageResult>,
{
    match r {
        Ok(v) => Ok(ok(v)),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let mut resp = again(Shell::of(u).with_error(&e)).await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

/// Turns a service result into one a console handler can `?`.
pub trait OrPage<T> {
    fn or_page(self, u: &ConsoleUser) -> Result<T, PageError>;
}

impl<T> OrPage<T> for Result<T, CoreError> {
    fn or_page(self, u: &ConsoleUser) -> Result<T, PageError> {
        self.map_err(|e| PageError::new(u, e))
    }
}

/// The console's not-found page.
pub(super) fn not_found_page(l: Locale) -> Response {
    let mut r = render_message(l, &l.tf("err.not_found", &[("entity", l.t("entity.page"))]));
    *r.status_mut() = StatusCode::NOT_FOUND;
    r
}

/// A numeric path id; a malformed one is the console's not-found page, not axum's plain 400.
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<i64>::from_request_parts(parts, state).await {
            Ok(Path(v)) => Ok(Id(v)),
            Err(_) => Err(not_found_page(locale_of(&parts.headers))),
        }
    }
}

/// Two numeric path ids (`/units/{id}/links/{link}/…`).
pub struct Ids(pub i64, pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Ids {
    type Rejection = Response;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match Path::<(i64, i64)>::from_request_parts(parts, state).await {
            Ok(Path((a, b))) => Ok(Ids(a, b)),
            Err(_) => Err(not_found_page(locale_of(&parts.headers))),
        }
    }
}

pub async fn not_found(req: Request) -> Response {
    let l = locale_of(req.headers());
    if req.uri().path().starts_with("/api/") {
        return crate::error::AppError::from(CoreError::NotFound("page"))
            .in_locale(l)
            .into_response();
    }
    not_found_page(l)
}

/// The CSRF token for an anonymous page (login, activation): bound to the browser's session or
/// pre-session cookie, or to the pre-session secret issued with this response.
pub fn csrf_of(core: &wuye_core::Core, headers: &HeaderMap, fresh: Option<&FreshCsrf>) -> String {
    crate::csrf::token_for(&core.crypto, headers, fresh.map(|f| f.0.as_str()))
}
