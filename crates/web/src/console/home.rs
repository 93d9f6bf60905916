//! Login, logout, password, language, the home page with the user's communities, and search.

use askama::Template;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use wuye_core::registry::{self, Community, SearchHit};
use wuye_core::{CoreError, auth};

use super::{FreshCsrf, OrPage, PageResult, Shell, page};
use crate::AppState;
use crate::extract::{
    CSRF_COOKIE, ClientSource, ConsoleUser, CsrfForm, LANG_COOKIE, SESSION_COOKIE, cookie,
    locale_of, set_cookie,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/", get(home))
        .route("/login", get(login_page).post(login))
        .route("/logout", post(logout))
        .route("/password", get(password_page).post(password))
        .route("/lang/{code}", get(lang))
        .route("/search", get(search))
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn next_is_never_another_site() {
        assert_eq!(
            safe_next(Some("/units/12?tab=people")),
            "/units/12?tab=people"
        );
        for bad in [
            "//evil.example",
            "/\t/evil.example",
            "/\\evil.example",
            "https://evil.example",
            "/ /x",
            "",
            "units",
        ] {
            assert_eq!(safe_next(Some(bad)), "/", "{bad:?}");
        }
        assert_eq!(safe_next(None), "/");
    }
}

#[derive(Template)]
#[template(path = "login.html")]
pub(super) struct LoginPage {
    s: Shell,
    next: String,
    username: String,
}

/// The login page, for other modules (the portal shows it after an activation).
pub(super) type LoginPageFor = LoginPage;

impl LoginPage {
    pub(super) fn new(s: Shell, next: &str, username: &str) -> Self {
        LoginPage {
            s,
            next: next.to_string(),
            username: username.to_string(),
        }
    }
}

#[derive(Deserialize)]
struct NextQ {
    next: Option<String>,
}

/// Only same-site relative targets: never an open redirect. A path of plain URL characters that
/// starts with one `/`; anything else (`//host`, `/\thost` which browsers read as `//host`,
/// backslashes, control or space characters) goes home.
fn safe_next(n: Option<&str>) -> String {
    let ok = |p: &str| {
        p.starts_with('/')
            && !p.starts_with("//")
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"/-_.~?=&%+,".contains(&b))
    };
    match n {
        Some(p) if ok(p) => p.to_string(),
        _ => "/".into(),
    }
}

async fn login_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    fresh: Option<Extension<FreshCsrf>>,
    Query(q): Query<NextQ>,
) -> Response {
    let l = locale_of(&headers);
    let csrf = super::csrf_of(&st.core, &headers, fresh.as_ref().map(|e| &e.0));
    page(&LoginPage {
        s: Shell::anon(l, csrf),
        next: safe_next(q.next.as_deref()),
        username: String::new(),
    })
}

#[derive(Deserialize)]
struct LoginForm {
    username: String,
    password: String,
    next: Option<String>,
}

/// Whether the user works orders and does nothing a home page shows (registering, dispatching,
/// managing requests, collecting money): his day starts at his work orders.
fn technician_only(c: &wuye_core::Ctx) -> bool {
    use wuye_core::Perm;
    c.has(Perm::TicketsWork)
        && !c.has(Perm::TicketsRegister)
        && !c.has(Perm::TicketsDispatch)
        && !c.has(Perm::TicketsManage)
        && !c.has(Perm::BillingCollect)
}

async fn is_technician(st: &AppState, token: &str) -> bool {
    auth::session_ctx(&st.core, token)
        .await
        .is_ok_and(|c| technician_only(&c))
}

async fn login(
    State(st): State<AppState>,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    CsrfForm(f): CsrfForm<LoginForm>,
) -> Response {
    let l = locale_of(&headers);
    let previous = cookie(&headers, SESSION_COOKIE);
    match auth::login(&st.core, &f.username, &f.password, previous, &source).await {
        Ok(ok) => {
            let target = if ok.must_change_password {
                "/password".to_string()
            } else {
                match safe_next(f.next.as_deref()) {
                    // A technician's day is his work orders: he starts there.
                    n if n == "/" && is_technician(&st, &ok.token).await => "/m/orders".to_string(),
                    n => n,
                }
            };
            let mut r = Redirect::to(&target).into_response();
            let secure = st.cfg.secure_cookies;
            let max_age = st.core.settings.session_max.num_seconds();
            let new_csrf = wuye_core::shared::crypto::random_token();
            for c in [
                set_cookie(SESSION_COOKIE, &ok.token, Some(max_age), secure, "Lax"),
                set_cookie(CSRF_COOKIE, &new_csrf, None, secure, "Strict"),
            ] {
                if let Ok(v) = HeaderValue::from_str(&c) {
                    r.headers_mut().append(header::SET_COOKIE, v);
                }
            }
            r
        }
        Err(e) => {
            let csrf = super::csrf_of(&st.core, &headers, None);
            let status = crate::error::describe(&e, l).0;
            let mut r = page(&LoginPage {
                s: Shell::anon(l, csrf).with_error(&e),
                next: safe_next(f.next.as_deref()),
                username: f.username,
            });
            *r.status_mut() = status;
            crate::error::add_retry_after(&e, &mut r);
            r
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    if let Some(t) = cookie(&headers, SESSION_COOKIE)
        && let Err(e) = auth::logout(&st.core, t).await
    {
        tracing::warn!(error = %e, "logout failed");
    }
    let mut r = Redirect::to("/login").into_response();
    if let Ok(v) = HeaderValue::from_str(&set_cookie(
        SESSION_COOKIE,
        "",
        Some(0),
        st.cfg.secure_cookies,
        "Lax",
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

async fn lang(
    axum::extract::Path(code): axum::extract::Path<String>,
    headers: HeaderMap,
) -> Response {
    let code = if code == "en" { "en" } else { "zh-CN" };
    let back = headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .unwrap_or_else(|| "/".into());
    let mut r = Redirect::to(&safe_next(Some(&back))).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!(
        "{LANG_COOKIE}={code}; Path=/; Max-Age=31536000; SameSite=Lax"
    )) {
        r.headers_mut().append(header::SET_COOKIE, v);
    }
    r
}

#[derive(Template)]
#[template(path = "password.html")]
struct PasswordPage {
    s: Shell,
    must_change: bool,
    err: Option<CoreError>,
}

async fn password_page(State(st): State<AppState>, u: ConsoleUser) -> Response {
    let must_change = auth::get_user(&st.core, &u.ctx, u.ctx.user_id)
        .await
        .map(|v| v.user.must_change_password)
        .unwrap_or(false);
    page(&PasswordPage {
        s: Shell::of(&u),
        must_change,
        err: None,
    })
}

#[derive(Deserialize)]
struct PasswordForm {
    old_password: String,
    new_password: String,
}

async fn password(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<PasswordForm>,
) -> Response {
    match auth::change_password(
        &st.core,
        &u.ctx,
        &f.old_password,
        &f.new_password,
        Some(&u.session),
    )
    .await
    {
        Ok(()) => {
            let mut s = Shell::of(&u);
            s.notice = Some(u.locale.t("password.changed").into());
            page(&PasswordPage {
                s,
                must_change: false,
                err: None,
            })
        }
        Err(e) => {
            let status = crate::error::describe(&e, u.locale).0;
            let mut r = page(&PasswordPage {
                s: Shell::of(&u).with_error(&e),
                must_change: false,
                err: Some(e),
            });
            *r.status_mut() = status;
            r
        }
    }
}

pub struct CommunityCard {
    pub c: Community,
    pub counts: [i64; 5],
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    s: Shell,
    cards: Vec<CommunityCard>,
    /// The panels of what this user works on; each is there when his role uses it.
    desk: Option<super::tickets::DeskPanel>,
    takings: Option<super::billing::TakingsPanel>,
    request_charts: Option<super::tickets::RequestCharts>,
    billing_charts: Option<super::billing::BillingCharts>,
    /// The communities due for a satisfaction survey (the last over six months ago).
    survey_due: Vec<(i64, String)>,
    /// Who is on duty now and the open incidents, per community of the user.
    duty: Vec<super::incidents::DutyCard>,
}

#[derive(Deserialize)]
struct HomeQ {
    /// Text, so that a mistyped address shows the page rather than a bare 400.
    community: Option<String>,
}

/// A panel that failed is left out (and logged): the rest of the home page still shows.
fn panel<T>(which: &str, r: Result<Option<T>, CoreError>) -> Option<T> {
    r.unwrap_or_else(|e| {
        tracing::warn!(panel = which, error = %e, "home page panel left out");
        None
    })
}

async fn home(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<HomeQ>) -> PageResult {
    // Owners start at their portal, the owners' committee at the published accounts.
    if u.ctx.role == wuye_core::auth::OWNER_ROLE {
        return Ok(axum::response::Redirect::to("/portal").into_response());
    }
    if u.ctx.role == wuye_core::auth::COMMITTEE_ROLE {
        return Ok(axum::response::Redirect::to("/committee").into_response());
    }
    if !u.ctx.has(wuye_core::Perm::RegistryRead) {
        let mut s = Shell::of(&u);
        s.notice = Some(u.locale.t("home.no_staff_access").into());
        return Ok(page(&HomePage {
            s,
            cards: Vec::new(),
            desk: None,
            takings: None,
            request_charts: None,
            billing_charts: None,
            survey_due: Vec::new(),
            duty: Vec::new(),
        }));
    }
    if technician_only(&u.ctx) {
        return Ok(axum::response::Redirect::to("/m/orders").into_response());
    }
    let list = registry::list_communities(&st.core, &u.ctx)
        .await
        .or_page(&u)?;
    let mut cards = Vec::with_capacity(list.len());
    for c in list {
        let counts = registry::community_counts(&st.core, &u.ctx, c.id)
            .await
            .unwrap_or([0; 5]);
        cards.push(CommunityCard { c, counts });
    }
    let want = q.community.and_then(|c| c.trim().parse().ok());
    let (desk, takings, request_charts, billing_charts, survey_due, duty) = tokio::join!(
        super::tickets::desk_panel(&st, &u),
        super::billing::takings_panel(&st, &u, want),
        super::tickets::request_charts(&st, &u),
        super::billing::billing_charts(&st, &u, want),
        super::surveys::due_communities(&st, &u),
        super::incidents::duty_cards(&st, &u),
    );
    let (desk, takings) = (panel("desk", desk), panel("takings", takings));
    let request_charts = panel("request charts", request_charts);
    let billing_charts = panel("billing charts", billing_charts);
    Ok(page(&HomePage {
        s: Shell::of(&u),
        cards,
        desk,
        takings,
        request_charts,
        billing_charts,
        survey_due,
        duty,
    }))
}

#[derive(Template)]
#[template(path = "search.html")]
struct SearchPage {
    s: Shell,
    q: String,
    hits: Vec<SearchHit>,
    searched: bool,
    /// The communities' names, for saying which community each hit belongs to.
    communities: Vec<(i64, String)>,
}

impl SearchPage {
    fn community(&self, id: &wuye_core::shared::ids::CommunityId) -> &str {
        self.communities
            .iter()
            .find(|(i, _)| *i == id.0)
            .map_or("", |(_, n)| n.as_str())
    }
}

#[derive(Deserialize)]
struct SearchQ {
    q: Option<String>,
}

async fn search(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<SearchQ>) -> Response {
    let text = q.q.unwrap_or_default();
    let mut s = Shell::of(&u);
    let hits = if text.trim().is_empty() {
        Vec::new()
    } else {
        match registry::search(&st.core, &u.ctx, &text, None, 20).await {
            Ok(h) => h,
            Err(e) => {
                s = s.with_error(&e);
                Vec::new()
            }
        }
    };
    let searched = !text.trim().is_empty();
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| (c.id.0, c.name))
        .collect();
    page(&SearchPage {
        s,
        q: text,
        hits,
        searched,
        communities,
    })
}
