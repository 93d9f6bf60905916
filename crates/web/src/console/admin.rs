//! Administration pages: users and their roles and communities, role permissions, the user's
//! own API tokens, and the audit log browser.

use crate::error::WebCode;
use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::Deserialize;
use wuye_core::audit::{self, AuditFilter, AuditRecord};
use wuye_core::auth::{self, ApiToken, Role, UserForCreate, UserForUpdate, UserView};
use wuye_core::registry::{self, Community};
use wuye_core::shared::ids::{ApiTokenId, CommunityId, UserId};
use wuye_core::{CoreError, Perm};

use super::{OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(users).post(create_user))
        .route("/admin/users/{id}", get(user_page).post(update_user))
        .route("/admin/roles/{code}", post(update_role))
        .route("/tokens", get(tokens).post(create_token))
        .route("/tokens/{id}/revoke", post(revoke_token))
        .route("/audit", get(audit_page))
        .route("/audit/export.xlsx", get(audit_export))
}

/// Company-level wall-clock time for display (the default zone).
pub fn local_time(t: &DateTime<Utc>) -> String {
    super::forms::default_zone()
        .from_utc_datetime(&t.naive_utc())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

fn with_status(e: &CoreError, u: &ConsoleUser, mut r: Response) -> Response {
    *r.status_mut() = describe(e, u.locale).0;
    r
}

pub struct RoleRow {
    pub role: Role,
    pub label: String,
    pub perms: Vec<(&'static str, &'static str, bool)>,
}

#[derive(Template)]
#[template(path = "admin/users.html")]
struct UsersPage {
    s: Shell,
    users: Vec<UserView>,
    roles: Vec<RoleRow>,
    communities: Vec<Community>,
    err: Option<CoreError>,
    form: NewUserForm,
}

impl UsersPage {
    fn role_label(&self, code: &str) -> String {
        self.s.l.t(&format!("role.{code}")).to_string()
    }
    fn community_names(&self, ids: &[CommunityId]) -> String {
        ids.iter()
            .filter_map(|id| {
                self.communities
                    .iter()
                    .find(|c| c.id == *id)
                    .map(|c| c.name.clone())
            })
            .collect::<Vec<_>>()
            .join("、")
    }
}

#[derive(Deserialize, Default, Clone)]
struct NewUserForm {
    #[serde(default)]
    username: String,
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    password: String,
    /// Comma-free: repeated `communities` fields arrive as a list.
    #[serde(default)]
    communities: Vec<i64>,
}

async fn users_page(
    st: &AppState,
    u: &ConsoleUser,
    err: Option<CoreError>,
    form: NewUserForm,
) -> PageResult {
    let users = auth::list_users(&st.core, &u.ctx).await.or_page(u)?;
    let roles = auth::list_roles(&st.core).await.or_page(u)?;
    let roles = roles
        .into_iter()
        .map(|r| {
            let granted = r.perms()?;
            let perms = Perm::ALL
                .iter()
                .map(|p| {
                    (
                        p.code(),
                        u.locale.t(&format!("perm.{}", p.code())),
                        granted.contains(p),
                    )
                })
                .collect();
            Ok(RoleRow {
                label: u.locale.t(&format!("role.{}", r.code)).to_string(),
                role: r,
                perms,
            })
        })
        .collect::<Result<Vec<_>, CoreError>>()
        .or_page(u)?;
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let mut s = Shell::of(u);
    if let Some(e) = &err {
        s = s.with_error(e);
    }
    let r = page(&UsersPage {
        s,
        users,
        roles,
        communities,
        err: err.clone_shallow(),
        form,
    });
    match &err {
        Some(e) => Ok(with_status(e, u, r)),
        None => Ok(r),
    }
}

/// Errors are not `Clone` (they may hold a database error); the page needs only field errors.
trait CloneShallow {
    fn clone_shallow(&self) -> Self;
}
impl CloneShallow for Option<CoreError> {
    fn clone_shallow(&self) -> Self {
        match self {
            Some(CoreError::Invalid(v)) => Some(CoreError::Invalid(v.clone())),
            Some(CoreError::Conflict(f)) => Some(CoreError::Conflict(f.clone())),
            _ => None,
        }
    }
}

async fn users(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    users_page(
        &st,
        &u,
        None,
        NewUserForm {
            role: "service_agent".into(),
            ..Default::default()
        },
    )
    .await
}

/// Parses a form whose `communities` field may repeat.
fn parse_multi<T: serde::de::DeserializeOwned>(raw: &str) -> Option<T> {
    serde_html_form_lite(raw)
}

/// Minimal repeated-key form decoding: `a=1&communities=1&communities=2` → JSON object with
/// arrays for repeated keys, then deserialised.
fn serde_html_form_lite<T: serde::de::DeserializeOwned>(raw: &str) -> Option<T> {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).ok()?;
    let mut map = serde_json::Map::new();
    for (k, v) in pairs {
        let val = if k == "communities" {
            serde_json::Value::from(v.parse::<i64>().ok()?)
        } else if k == "active" {
            serde_json::Value::Bool(v == "on" || v == "true")
        } else {
            serde_json::Value::String(v)
        };
        if k == "communities" {
            map.entry(k)
                .or_insert_with(|| serde_json::Value::Array(vec![]))
                .as_array_mut()?
                .push(val);
        } else {
            map.insert(k, val);
        }
    }
    serde_json::from_value(serde_json::Value::Object(map)).ok()
}

async fn create_user(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(raw): CsrfBody,
) -> PageResult {
    let Some(form): Option<NewUserForm> = parse_multi(&raw) else {
        return Err(PageError::new(
            &u,
            CoreError::invalid("body", WebCode::InvalidJson),
        ));
    };
    let input = UserForCreate {
        username: form.username.clone(),
        display_name: form.display_name.clone(),
        role: form.role.clone(),
        password: form.password.clone(),
        communities: form.communities.iter().map(|c| CommunityId(*c)).collect(),
    };
    match auth::create_user(&st.core, &u.ctx, input).await {
        Ok(v) => Ok(Redirect::to(&format!("/admin/users/{}?created=1", v.user.id)).into_response()),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            users_page(
                &st,
                &u,
                Some(e),
                NewUserForm {
                    password: String::new(),
                    ..form
                },
            )
            .await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "admin/user.html")]
struct UserPage {
    s: Shell,
    v: UserView,
    roles: Vec<Role>,
    communities: Vec<Community>,
    err: Option<CoreError>,
}

impl UserPage {
    fn has_community(&self, id: &CommunityId) -> bool {
        self.v.communities.contains(id)
    }
}

#[derive(Deserialize)]
struct CreatedQ {
    created: Option<String>,
    saved: Option<String>,
}

async fn user_page_render(
    st: &AppState,
    u: &ConsoleUser,
    id: UserId,
    err: Option<CoreError>,
    notice: Option<String>,
) -> PageResult {
    let v = auth::get_user(&st.core, &u.ctx, id).await.or_page(u)?;
    if !u.ctx.has(Perm::UsersManage) {
        return Err(PageError::new(u, CoreError::Forbidden));
    }
    let roles = auth::list_roles(&st.core).await.unwrap_or_default();
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let mut s = Shell::of(u);
    s.notice = notice;
    if let Some(e) = &err {
        s = s.with_error(e);
    }
    let r = page(&UserPage {
        s,
        v,
        roles,
        communities,
        err: err.clone_shallow(),
    });
    match &err {
        Some(e) => Ok(with_status(e, u, r)),
        None => Ok(r),
    }
}

async fn user_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    Query(q): Query<CreatedQ>,
) -> PageResult {
    let notice = if q.created.is_some() {
        Some(u.locale.t("users.created").to_string())
    } else if q.saved.is_some() {
        Some(u.locale.t("users.saved").to_string())
    } else {
        None
    };
    user_page_render(&st, &u, UserId(id), None, notice).await
}

#[derive(Deserialize, Default)]
struct EditUserForm {
    #[serde(default)]
    display_name: String,
    #[serde(default)]
    role: String,
    #[serde(default)]
    active: bool,
    #[serde(default)]
    communities: Vec<i64>,
    #[serde(default)]
    reset_password: String,
}

async fn update_user(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    CsrfBody(raw): CsrfBody,
) -> PageResult {
    let Some(f): Option<EditUserForm> = parse_multi(&raw) else {
        return Err(PageError::new(
            &u,
            CoreError::invalid("body", WebCode::InvalidJson),
        ));
    };
    let input = UserForUpdate {
        display_name: Some(f.display_name),
        role: Some(f.role),
        active: Some(f.active),
        communities: Some(f.communities.into_iter().map(CommunityId).collect()),
        reset_password: Some(f.reset_password).filter(|p| !p.is_empty()),
    };
    match auth::update_user(&st.core, &u.ctx, UserId(id), input).await {
        Ok(_) => Ok(Redirect::to(&format!("/admin/users/{id}?saved=1")).into_response()),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            user_page_render(&st, &u, UserId(id), Some(e), None).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn update_role(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(code): Path<String>,
    CsrfBody(raw): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&raw).unwrap_or_default();
    let perms: Vec<String> = pairs
        .into_iter()
        .filter(|(k, _)| k == "perm")
        .map(|(_, v)| v)
        .collect();
    match auth::update_role_perms(&st.core, &u.ctx, &code, &perms).await {
        Ok(_) => Ok(Redirect::to("/admin/users#roles").into_response()),
        Err(e @ CoreError::Invalid(_)) => {
            users_page(&st, &u, Some(e), NewUserForm::default()).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "admin/tokens.html")]
struct TokensPage {
    s: Shell,
    tokens: Vec<ApiToken>,
    new_token: Option<String>,
}

impl TokensPage {
    fn time(&self, t: &DateTime<Utc>) -> String {
        local_time(t)
    }
    fn opt_time(&self, t: &Option<DateTime<Utc>>) -> String {
        t.as_ref().map(local_time).unwrap_or_default()
    }
}

async fn tokens_render(
    st: &AppState,
    u: &ConsoleUser,
    new_token: Option<String>,
    err: Option<CoreError>,
) -> PageResult {
    let tokens = auth::list_api_tokens(&st.core, &u.ctx).await.or_page(u)?;
    let mut s = Shell::of(u);
    if let Some(e) = &err {
        s = s.with_error(e);
    }
    Ok(page(&TokensPage {
        s,
        tokens,
        new_token,
    }))
}

async fn tokens(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    tokens_render(&st, &u, None, None).await
}

#[derive(Deserialize)]
struct TokenForm {
    #[serde(default)]
    name: String,
}

async fn create_token(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<TokenForm>,
) -> PageResult {
    match auth::create_api_token(&st.core, &u.ctx, &f.name).await {
        // The token is shown once, on this response; it is never stored in clear.
        Ok((_, token)) => tokens_render(&st, &u, Some(token), None).await,
        Err(e @ CoreError::Invalid(_)) => {
            let r = tokens_render(&st, &u, None, Some(e.clone_invalid()))
                .await
                // A failed re-render keeps the status of the rejected form, as it always has.
                .unwrap_or_else(IntoResponse::into_response);
            Ok(with_status(&e, &u, r))
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

trait CloneInvalid {
    fn clone_invalid(&self) -> CoreError;
}
impl CloneInvalid for CoreError {
    fn clone_invalid(&self) -> CoreError {
        match self {
            CoreError::Invalid(v) => CoreError::Invalid(v.clone()),
            _ => CoreError::Forbidden,
        }
    }
}

#[derive(Deserialize)]
struct Empty {}

async fn revoke_token(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(id): Path<i64>,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    auth::revoke_api_token(&st.core, &u.ctx, ApiTokenId(id))
        .await
        .or_page(&u)?;
    Ok(Redirect::to("/tokens").into_response())
}

#[derive(Template)]
#[template(path = "admin/audit.html")]
struct AuditPage {
    s: Shell,
    rows: Vec<AuditRecord>,
    communities: Vec<Community>,
    q: AuditQ,
    next_before: Option<i64>,
}

impl AuditPage {
    /// The entry's time in its community's time zone (company-level entries: Asia/Shanghai).
    fn time(&self, t: &DateTime<Utc>, community: &Option<i64>) -> String {
        let tz: chrono_tz::Tz = community
            .and_then(|i| self.communities.iter().find(|c| c.id.0 == i))
            .map(super::forms::tz_of)
            .unwrap_or_else(super::forms::default_zone);
        tz.from_utc_datetime(&t.naive_utc())
            .format("%Y-%m-%d %H:%M")
            .to_string()
    }
    fn community(&self, id: &Option<i64>) -> String {
        id.and_then(|i| self.communities.iter().find(|c| c.id.0 == i))
            .map(|c| c.name.clone())
            .unwrap_or_default()
    }
    fn action(&self, a: &str) -> &'static str {
        self.s.l.t(&format!("audit.action.{a}"))
    }
    fn entity(&self, e: &str) -> &'static str {
        self.s.l.t(&format!("entity.{e}"))
    }
    fn selected(&self, v: &str, cur: &Option<String>) -> bool {
        cur.as_deref() == Some(v)
    }
    /// What an entry did, in lines a reader understands ("建筑面积：89.50 → 90.25").
    fn changes(&self, r: &AuditRecord) -> Vec<String> {
        let parse = |s: &Option<String>| {
            s.as_deref()
                .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
        };
        super::registry::history::audit_lines(
            &r.entity,
            parse(&r.before_json).as_ref(),
            parse(&r.after_json).as_ref(),
            self.s.l,
        )
    }
    fn actor(&self, name: &str) -> String {
        super::forms::actor_words(name, self.s.l)
    }
    fn next_link(&self, before: &i64) -> String {
        let mut q = vec![("before_id".to_string(), before.to_string())];
        for (k, v) in [
            ("community_id", &self.q.community_id),
            ("entity", &self.q.entity),
            ("action", &self.q.action),
            ("actor", &self.q.actor),
            ("from", &self.q.from),
            ("to", &self.q.to),
        ] {
            if let Some(v) = v.as_ref().filter(|v| !v.is_empty()) {
                q.push((k.to_string(), v.clone()));
            }
        }
        format!(
            "/audit?{}",
            serde_urlencoded::to_string(q).unwrap_or_default()
        )
    }
}

/// Query of the audit page: all text, so an empty select does not fail the page.
#[derive(Deserialize, Default, Clone)]
struct AuditQ {
    community_id: Option<String>,
    entity: Option<String>,
    action: Option<String>,
    actor: Option<String>,
    /// yyyy-mm-dd, Shanghai days.
    from: Option<String>,
    to: Option<String>,
    before_id: Option<i64>,
}

fn day_start(d: &str) -> Option<DateTime<Utc>> {
    let date = NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()?;
    super::forms::default_zone()
        .from_local_datetime(&date.and_hms_opt(0, 0, 0)?)
        .single()
        .map(|t| t.with_timezone(&Utc))
}

/// The page's filter: a day's entries in Shanghai days (the last day whole).
fn audit_filter(q: &AuditQ) -> AuditFilter {
    AuditFilter {
        community_id: q.community_id.as_deref().and_then(|c| c.parse().ok()),
        entity: q.entity.clone(),
        entity_id: None,
        action: q.action.clone(),
        actor: q.actor.clone().filter(|a| !a.trim().is_empty()),
        from: q.from.as_deref().and_then(day_start),
        to: q
            .to
            .as_deref()
            .and_then(day_start)
            .map(|t| t + chrono::Duration::days(1)),
        before_id: q.before_id,
        limit: Some(100),
    }
}

/// The log as .xlsx: every entry under the page's filters (not only the 100 it shows).
async fn audit_export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<AuditQ>,
) -> Result<axum::response::Response, PageError> {
    let file = audit::list_xlsx(&st.core.db, &u.ctx, &audit_filter(&q))
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "audit.xlsx"))
}

async fn audit_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<AuditQ>,
) -> PageResult {
    let f = audit_filter(&q);
    let rows = audit::list(&st.core.db, &u.ctx, &f).await.or_page(&u)?;
    let next_before = if rows.len() == 100 {
        rows.last().map(|r| r.id)
    } else {
        None
    };
    let communities = registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    Ok(page(&AuditPage {
        s: Shell::of(&u),
        rows,
        communities,
        q,
        next_before,
    }))
}
