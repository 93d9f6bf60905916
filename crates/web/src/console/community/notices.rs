//! The staff's notice pages: the list of a community's notices, the form that writes or edits a
//! draft, and a notice's page with its attachments, its actions (publish now or at a time,
//! withdraw, delete) and who read it per building.

use askama::Template;
use axum::extract::{Query, State};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::community::announcements::model::{NoticeCategory, NoticeScope, NoticeStatus};
use wuye_core::community::announcements::{self as notices, *};
use wuye_core::registry::{self, Community};
use wuye_core::shared::ids::*;

use super::{community_of, label};
use crate::AppState;
use crate::console::flash::done;
use crate::console::forms::{form_time, local_time, tz_of};
use crate::console::{Id, Ids, OrPage, PageError, PageResult, Shell, page};
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};
use crate::locale::Locale;

/// A notice as a row or a page shows it.
pub struct NoticeView {
    pub id: i64,
    pub title: String,
    pub body: String,
    pub category: &'static str,
    pub category_label: String,
    pub scope_label: String,
    pub status: &'static str,
    pub status_label: String,
    pub pinned: bool,
    pub publish_at: String,
    pub expires_at: String,
    pub buildings: String,
    pub attachments: Vec<(i64, String, String)>,
    pub read: bool,
}

pub(super) fn view(
    a: &Announcement,
    tz: Tz,
    l: Locale,
    names: &[(BuildingId, String)],
) -> NoticeView {
    let t = |v: Option<DateTime<Utc>>| v.map(|t| local_time(t, tz)).unwrap_or_default();
    NoticeView {
        id: a.id.0,
        title: a.title.clone(),
        body: a.body.clone(),
        category: a.category.code(),
        category_label: label(l, "category", a.category.code()),
        scope_label: label(l, "scope", a.scope.code()),
        status: a.status.code(),
        status_label: label(l, "status", a.status.code()),
        pinned: a.pinned,
        publish_at: t(a.publish_at),
        expires_at: t(a.expires_at),
        buildings: a
            .building_ids
            .iter()
            .filter_map(|b| names.iter().find(|(i, _)| i == b).map(|(_, n)| n.clone()))
            .collect::<Vec<_>>()
            .join("、"),
        attachments: a
            .attachments
            .iter()
            .map(|f| (f.id, f.name.clone(), f.content_type.clone()))
            .collect(),
        read: a.read,
    }
}

async fn building_names(
    st: &AppState,
    u: &ConsoleUser,
    c: CommunityId,
) -> Result<Vec<(BuildingId, String)>, PageError> {
    Ok(registry::list_buildings(&st.core, &u.ctx, c)
        .await
        .or_page(u)?
        .into_iter()
        .map(|b| (b.id, b.name))
        .collect())
}

fn codes<T: Copy>(
    l: Locale,
    kind: &str,
    all: &[T],
    code: fn(T) -> &'static str,
) -> Vec<(&'static str, String)> {
    all.iter()
        .map(|v| (code(*v), label(l, kind, code(*v))))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The list

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ListQuery {
    community_id: String,
    status: String,
    category: String,
}

#[derive(Template)]
#[template(path = "community/notices.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    status: String,
    category: String,
    statuses: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    rows: Vec<NoticeView>,
}

pub(super) async fn list_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQuery>,
) -> PageResult {
    let l = u.locale;
    let (all, c) = community_of(&st, &u, q.community_id.trim().parse().ok()).await?;
    let tz = tz_of(&c);
    let list = notices::list_announcements(
        &st.core,
        &u.ctx,
        c.id,
        &AnnouncementFilter {
            status: Some(q.status.clone()),
            category: Some(q.category.clone()),
        },
    )
    .await
    .or_page(&u)?;
    let names = building_names(&st, &u, c.id).await?;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities: all.iter().map(|c| (c.id.0, c.name.clone())).collect(),
        community: c.id.0,
        status: q.status,
        category: q.category,
        statuses: codes(l, "status", &NoticeStatus::ALL, NoticeStatus::code),
        categories: codes(l, "category", NoticeCategory::ALL, NoticeCategory::code),
        rows: list.iter().map(|a| view(a, tz, l, &names)).collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// The form

#[derive(Template)]
#[template(path = "community/notice_form.html")]
struct FormPage {
    s: Shell,
    /// Editing this notice; a new one when absent.
    id: Option<i64>,
    community: i64,
    community_name: String,
    scope: String,
    category: String,
    title: String,
    body: String,
    pinned: bool,
    expires_at: String,
    chosen: Vec<i64>,
    buildings: Vec<(i64, String)>,
    scopes: Vec<(&'static str, String)>,
    categories: Vec<(&'static str, String)>,
    company_wide: bool,
}

#[derive(Default)]
pub struct NoticeForm {
    community_id: String,
    scope: String,
    category: String,
    title: String,
    body: String,
    pinned: bool,
    expires_at: String,
    buildings: Vec<i64>,
}

impl NoticeForm {
    fn of(pairs: &[(String, String)]) -> NoticeForm {
        let mut f = NoticeForm::default();
        for (k, v) in pairs {
            match k.as_str() {
                "community_id" => f.community_id = v.clone(),
                "scope" => f.scope = v.clone(),
                "category" => f.category = v.clone(),
                "title" => f.title = v.clone(),
                "body" => f.body = v.clone(),
                "pinned" => f.pinned = !v.is_empty(),
                "expires_at" => f.expires_at = v.clone(),
                "building_ids" => f.buildings.extend(v.trim().parse::<i64>().ok()),
                _ => {}
            }
        }
        f
    }
}

async fn render_form(
    st: &AppState,
    u: &ConsoleUser,
    c: &Community,
    id: Option<i64>,
    f: NoticeForm,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let names = building_names(st, u, c.id).await?;
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let company_wide = notices::may_write_company_wide(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let scopes = NoticeScope::ALL
        .iter()
        .filter(|s| company_wide || **s != NoticeScope::Company)
        .map(|s| (s.code(), label(l, "scope", s.code())))
        .collect();
    let mut r = page(&FormPage {
        s,
        id,
        community: c.id.0,
        community_name: c.name.clone(),
        scope: if f.scope.is_empty() {
            "community".into()
        } else {
            f.scope
        },
        category: if f.category.is_empty() {
            "notice".into()
        } else {
            f.category
        },
        title: f.title,
        body: f.body,
        pinned: f.pinned,
        expires_at: f.expires_at,
        chosen: f.buildings,
        buildings: names.into_iter().map(|(b, n)| (b.0, n)).collect(),
        scopes,
        categories: codes(l, "category", NoticeCategory::ALL, NoticeCategory::code),
        company_wide,
    });
    *r.status_mut() = status;
    Ok(r)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    community_id: String,
}

pub(super) async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<NewQuery>,
) -> PageResult {
    let (_, c) = community_of(&st, &u, q.community_id.trim().parse().ok()).await?;
    render_form(&st, &u, &c, None, NoticeForm::default(), None).await
}

pub(super) async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let f = NoticeForm::of(&pairs);
    let (_, c) = community_of(&st, &u, f.community_id.trim().parse().ok()).await?;
    let mut errs = Vec::new();
    let expires_at = form_time("expires_at", &f.expires_at, tz_of(&c), &mut errs);
    if !errs.is_empty() {
        return render_form(&st, &u, &c, None, f, Some(CoreError::Invalid(errs))).await;
    }
    let input = AnnouncementForCreate {
        scope: f.scope.clone(),
        category: f.category.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
        pinned: f.pinned,
        expires_at,
        building_ids: f.buildings.iter().map(|b| BuildingId(*b)).collect(),
    };
    match notices::create_announcement(&st.core, &u.ctx, c.id, input).await {
        Ok(a) => Ok(done(
            &st,
            &u,
            &format!("/notices/{}", a.id),
            u.locale.t("an.saved"),
        )),
        Err(e @ CoreError::Invalid(_)) => render_form(&st, &u, &c, None, f, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn notice_and_community(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
) -> Result<(Announcement, Community), PageError> {
    let a = notices::get_announcement(&st.core, &u.ctx, AnnouncementId(id))
        .await
        .or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, a.community_id)
        .await
        .or_page(u)?;
    Ok((a, c))
}

pub(super) async fn edit_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    let (a, c) = notice_and_community(&st, &u, id).await?;
    let tz = tz_of(&c);
    let f = NoticeForm {
        community_id: c.id.0.to_string(),
        scope: a.scope.code().into(),
        category: a.category.code().into(),
        title: a.title,
        body: a.body,
        pinned: a.pinned,
        expires_at: a
            .expires_at
            .map(|t| t.with_timezone(&tz).format("%Y-%m-%dT%H:%M").to_string())
            .unwrap_or_default(),
        buildings: a.building_ids.iter().map(|b| b.0).collect(),
    };
    render_form(&st, &u, &c, Some(id), f, None).await
}

pub(super) async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(pairs): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (a, c) = notice_and_community(&st, &u, id).await?;
    let mut f = NoticeForm::of(&pairs);
    f.scope = a.scope.code().into();
    let mut errs = Vec::new();
    let expires_at = form_time("expires_at", &f.expires_at, tz_of(&c), &mut errs);
    if !errs.is_empty() {
        return render_form(&st, &u, &c, Some(id), f, Some(CoreError::Invalid(errs))).await;
    }
    let input = AnnouncementForUpdate {
        category: f.category.clone(),
        title: f.title.clone(),
        body: f.body.clone(),
        pinned: f.pinned,
        expires_at,
        building_ids: f.buildings.iter().map(|b| BuildingId(*b)).collect(),
    };
    match notices::update_announcement(&st.core, &u.ctx, AnnouncementId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/notices/{id}"),
            u.locale.t("an.saved"),
        )),
        Err(e @ CoreError::Invalid(_)) => render_form(&st, &u, &c, Some(id), f, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// A notice's page

#[derive(Template)]
#[template(path = "community/notice.html")]
struct DetailPage {
    s: Shell,
    n: NoticeView,
    community: i64,
    community_name: String,
    company_series: bool,
    reads: Option<ReadCounts>,
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let (a, c) = notice_and_community(st, u, id).await?;
    let names = building_names(st, u, c.id).await?;
    let reads = if matches!(
        a.status,
        NoticeStatus::Live | NoticeStatus::Expired | NoticeStatus::Withdrawn
    ) {
        Some(
            notices::read_counts(&st.core, &u.ctx, a.id)
                .await
                .or_page(u)?,
        )
    } else {
        None
    };
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&DetailPage {
        s,
        n: view(&a, tz_of(&c), l, &names),
        community: c.id.0,
        community_name: c.name,
        company_series: a.series_id.is_some(),
        reads,
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_detail(&st, &u, id, None).await
}

/// What an action's failure shows: a refusal of the input on the notice's page, anything else
/// as the error page.
async fn after(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    r: Result<(), CoreError>,
    msg: &str,
    to: &str,
) -> PageResult {
    match r {
        Ok(()) => Ok(done(st, u, to, u.locale.t(msg))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_detail(st, u, id, Some(e)).await
        }
        Err(e) => Err(PageError::new(u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PublishForm {
    at: String,
}

pub(super) async fn publish(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PublishForm>,
) -> PageResult {
    let (_, c) = notice_and_community(&st, &u, id).await?;
    let mut errs = Vec::new();
    let at = form_time("at", &f.at, tz_of(&c), &mut errs);
    let r = if errs.is_empty() {
        notices::publish_announcement(
            &st.core,
            &u.ctx,
            AnnouncementId(id),
            AnnouncementForPublish { at },
        )
        .await
        .map(|_| ())
    } else {
        Err(CoreError::Invalid(errs))
    };
    let msg = if at.is_some() {
        "an.scheduled"
    } else {
        "an.published"
    };
    after(&st, &u, id, r, msg, &format!("/notices/{id}")).await
}

pub(super) async fn withdraw(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = notices::withdraw_announcement(&st.core, &u.ctx, AnnouncementId(id))
        .await
        .map(|_| ());
    after(&st, &u, id, r, "an.withdrawn", &format!("/notices/{id}")).await
}

pub(super) async fn delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let (_, c) = notice_and_community(&st, &u, id).await?;
    let r = notices::delete_announcement(&st.core, &u.ctx, AnnouncementId(id)).await;
    after(
        &st,
        &u,
        id,
        r,
        "an.deleted",
        &format!("/notices?community_id={}", c.id),
    )
    .await
}

pub(super) async fn upload(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let r = match super::one_file(&u, mp, notices::MAX_ATTACHMENT_BYTES, "file").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => Err(e),
        Ok(Ok((name, bytes))) => {
            notices::add_attachment(&st.core, &u.ctx, AnnouncementId(id), &name, &bytes)
                .await
                .map(|_| ())
        }
    };
    after(&st, &u, id, r, "an.attached", &format!("/notices/{id}")).await
}

pub(super) async fn delete_attachment(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, file): Ids,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = notices::delete_attachment(&st.core, &u.ctx, AnnouncementId(id), file).await;
    after(&st, &u, id, r, "an.detached", &format!("/notices/{id}")).await
}

/// An attachment's file, for staff and for the owners the notice shows for.
pub(super) async fn attachment(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, file): Ids,
) -> PageResult {
    let (name, ct, bytes) = notices::attachment_file(&st.core, &u.ctx, AnnouncementId(id), file)
        .await
        .or_page(&u)?;
    Ok(crate::console::file_response(ct, &name, bytes))
}
