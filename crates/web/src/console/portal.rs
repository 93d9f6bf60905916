//! The owner portal's pages (业主端), made for a phone: the owner's requests and their progress,
//! reporting a new one, rating a finished one; the activation page of a new account; and the
//! staff's activation slip.

use crate::console::forms::CommonCode;
use askama::Template;
use axum::Router;
use axum::extract::{Extension, State};
use axum::http::HeaderMap;
use axum::response::Response;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::portal::{self, Activation, ActivationSlip, PortalRequestForCreate, Rating};
use wuye_core::shared::ids::*;
use wuye_core::tickets::{self, Category, RequestKind, RequestState};

use super::flash::done;
use super::forms::{Opt, label_of};
use super::{FreshCsrf, Id, OrPage, PageError, PageResult, Shell, csrf_of, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ClientSource, ConsoleUser, CsrfForm, locale_of};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/portal", get(home))
        .route("/portal/new", get(new_page).post(report))
        .route("/portal/requests/{id}", get(detail))
        .route("/portal/requests/{id}/rate", post(rate))
        .route("/portal/requests/{id}/photos", post(upload_photos))
        .route("/portal/activate", get(activate_page).post(activate))
        .route("/portal/prices", get(prices))
        .route("/people/{id}/portal-account", post(open_account))
}

fn local(t: DateTime<Utc>) -> String {
    let tz: Tz = super::forms::default_zone();
    t.with_timezone(&tz).format("%m-%d %H:%M").to_string()
}

/// The kinds an owner may choose (a serious complaint is the centre's classification).
fn owner_kinds(l: Locale) -> Vec<Opt> {
    RequestKind::ALL
        .iter()
        .filter(|(k, ..)| *k != RequestKind::ComplaintSerious)
        .map(|(_, code, zh, en)| Opt {
            code: code.to_string(),
            label: if l == Locale::En { en } else { zh }.to_string(),
        })
        .collect()
}

fn category_name(cats: &[Category], code: &str, l: Locale) -> String {
    cats.iter()
        .find(|c| c.code == code)
        .map(|c| {
            if l == Locale::En {
                c.name_en.clone()
            } else {
                c.name_zh.clone()
            }
        })
        .unwrap_or_else(|| code.to_string())
}

/// The words an owner sees for where his request is: not the centre's internal states
/// (待抢单, 退回抢单池, 待回访) but 已受理, 处理中, 待评价, 已完成, 已取消.
fn owner_state(r: &tickets::Request) -> &'static str {
    use RequestState as S;
    match r.state {
        S::Registered | S::Pooled => "accepted",
        S::Dispatched | S::Accepted | S::OnSite | S::OnHold => "in_progress",
        S::Done if r.satisfaction.is_none() => "to_rate",
        S::Done | S::Closed => "finished",
        S::Cancelled => "cancelled",
    }
}

/// A step of the progress an owner sees, or `None` for the centre's internal ones (the pool,
/// escalations, the clocks).
fn owner_step(action: &str) -> Option<&'static str> {
    use tickets::EventAction as A;
    let a = tickets::EventAction::ALL
        .iter()
        .find(|(_, c, ..)| *c == action)
        .map(|(a, ..)| *a)?;
    Some(match a {
        A::Register => "register",
        A::Dispatch | A::Transfer | A::Grab => "dispatch",
        A::Accept => "accept",
        A::OnSite => "on_site",
        A::Done => "done",
        A::Hold => "hold",
        A::Resume | A::Reopen => "resume",
        A::Feedback => "feedback",
        A::Postpone => "postpone",
        A::Rate => "rate",
        A::Visit => "visit",
        A::Close => "close",
        A::Cancel => "cancel",
        A::ToPool | A::Escalate | A::ClockWarning | A::ClockBreach => return None,
    })
}

fn row(r: &tickets::Request, cats: &[Category], l: Locale) -> Row {
    let state = owner_state(r);
    Row {
        id: r.id,
        number: r.number.clone(),
        what: format!(
            "{} · {}",
            label_of(RequestKind::ALL, r.kind.code(), l),
            category_name(cats, &r.category, l)
        ),
        place: r
            .unit_label
            .clone()
            .or(r.location.clone())
            .unwrap_or_default(),
        state: l.t(&format!("portal.state.{state}")).to_string(),
        state_code: state,
        at: local(r.created_at),
        description: r.description.clone(),
    }
}

pub struct Row {
    pub id: RequestId,
    pub number: String,
    pub what: String,
    pub place: String,
    pub state: String,
    pub state_code: &'static str,
    pub at: String,
    pub description: String,
}

#[derive(Template)]
#[template(path = "portal/home.html")]
struct HomePage {
    s: Shell,
    name: String,
    rows: Vec<Row>,
}

async fn home(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let l = u.locale;
    let me = portal::profile(&st.core, &u.ctx).await.or_page(&u)?;
    let reqs = portal::my_requests(&st.core, &u.ctx).await.or_page(&u)?;
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let rows = reqs.iter().map(|r| row(r, &cats, l)).collect();
    Ok(page(&HomePage {
        s: Shell::of(&u),
        name: me.name,
        rows,
    }))
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ReportForm {
    unit_id: String,
    kind: String,
    category: String,
    location: String,
    description: String,
}

#[derive(Template)]
#[template(path = "portal/new.html")]
struct NewPage {
    s: Shell,
    f: ReportForm,
    units: Vec<Opt>,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    err: Option<CoreError>,
}

impl NewPage {
    fn ferr(&self, field: &str) -> String {
        self.s.field_err(self.err.as_ref(), field)
    }
}

async fn render_new(
    st: &AppState,
    u: &ConsoleUser,
    f: ReportForm,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let me = portal::profile(&st.core, &u.ctx).await.or_page(u)?;
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&NewPage {
        s,
        f,
        units: me
            .units
            .iter()
            .map(|x| Opt {
                code: x.unit_id.to_string(),
                label: x.label.clone(),
            })
            .collect(),
        kinds: owner_kinds(l),
        categories: cats
            .iter()
            .filter(|c| c.active)
            .map(|c| Opt {
                code: c.code.clone(),
                label: if l == Locale::En {
                    c.name_en.clone()
                } else {
                    c.name_zh.clone()
                },
            })
            .collect(),
        err,
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn new_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let f = ReportForm {
        kind: "repair_unit".into(),
        ..Default::default()
    };
    render_new(&st, &u, f, None).await
}

async fn report(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ReportForm>,
) -> PageResult {
    let Ok(unit) = f.unit_id.trim().parse::<i64>() else {
        let e = CoreError::invalid("unit_id", CommonCode::Required);
        return render_new(&st, &u, f, Some(e)).await;
    };
    let input = PortalRequestForCreate {
        unit_id: UnitId(unit),
        kind: f.kind.clone(),
        category: f.category.clone(),
        description: f.description.clone(),
        location: Some(f.location.clone()),
    };
    match portal::report(&st.core, &u.ctx, input).await {
        Ok(r) => {
            let msg = u.locale.tf("flash.reported", &[("number", &r.number)]);
            Ok(done(&st, &u, &format!("/portal/requests/{}", r.id), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_new(&st, &u, f, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct Step {
    pub at: String,
    pub what: String,
}

#[derive(Template)]
#[template(path = "portal/detail.html")]
struct DetailPage {
    s: Shell,
    r: Row,
    steps: Vec<Step>,
    can_rate: bool,
    satisfaction: Option<i64>,
    /// What he wrote with his rating, shown back to him.
    comment: Option<String>,
    assignee: String,
    promise: String,
    photos: Vec<tickets::Photo>,
    can_upload: bool,
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let (r, events) = portal::my_request(&st.core, &u.ctx, id).await.or_page(u)?;
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let steps = events
        .iter()
        .filter_map(|e| {
            owner_step(&e.action).map(|k| Step {
                at: local(e.at),
                what: l.t(&format!("portal.step.{k}")).to_string(),
            })
        })
        .collect();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let can_rate = r.state == RequestState::Done && r.rated_via.as_deref() != Some("portal");
    let photos = tickets::list_photos(&st.core, &u.ctx, id)
        .await
        .unwrap_or_default();
    let can_upload = r.state.is_open();
    let mut resp = page(&DetailPage {
        s,
        can_rate,
        satisfaction: r.satisfaction,
        assignee: r.assignee_name.clone().unwrap_or_default(),
        promise: local(r.promise_at),
        photos,
        can_upload,
        steps,
        comment: r.rating_comment.clone().filter(|c| !c.trim().is_empty()),
        r: row(&r, &cats, l),
    });
    *resp.status_mut() = status;
    Ok(resp)
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_detail(&st, &u, RequestId(id), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RateForm {
    satisfaction: String,
    comment: String,
}

async fn rate(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RateForm>,
) -> PageResult {
    let id = RequestId(id);
    let Ok(score) = f.satisfaction.trim().parse::<i64>() else {
        return render_detail(
            &st,
            &u,
            id,
            Some(CoreError::invalid("satisfaction", CommonCode::Required)),
        )
        .await;
    };
    let input = Rating {
        satisfaction: score,
        comment: Some(f.comment),
    };
    match portal::rate(&st.core, &u.ctx, id, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/portal/requests/{id}"),
            u.locale.t("flash.rated"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_detail(&st, &u, id, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn upload_photos(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let id = RequestId(id);
    let Ok(mp) = mp else {
        return render_detail(
            &st,
            &u,
            id,
            Some(CoreError::invalid("photo", CommonCode::Required)),
        )
        .await;
    };
    let mut up = super::tickets::read_photos(mp).await;
    // An owner's photos show what he reports.
    up.stage = "report".into();
    match super::tickets::save_photos(&st, &u, id, &up).await {
        Ok(()) => Ok(done(
            &st,
            &u,
            &format!("/portal/requests/{id}"),
            u.locale.t("flash.photos_added"),
        )),
        Err(super::tickets::Refused::Form(e)) => render_detail(&st, &u, id, Some(e)).await,
        Err(super::tickets::Refused::Page(r)) => Ok(r),
    }
}

/// The price list of paid services of the owner's community (明码标价).
async fn prices(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let me = portal::profile(&st.core, &u.ctx).await.or_page(&u)?;
    let (community, items) = super::desk::price_view(&st, &u, me.community_id, false)
        .await
        .or_page(&u)?;
    Ok(page(&super::desk::PricesPage {
        s: Shell::of(&u),
        community_id: me.community_id.0,
        community,
        items,
        can_edit: false,
        back: "/portal".into(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Activation (no session yet)

#[derive(Template)]
#[template(path = "portal/activate.html")]
struct ActivatePage {
    s: Shell,
    username: String,
    err: Option<CoreError>,
}

impl ActivatePage {
    fn ferr(&self, field: &str) -> String {
        self.s.field_err(self.err.as_ref(), field)
    }
}

async fn activate_page(
    State(st): State<AppState>,
    headers: HeaderMap,
    fresh: Option<Extension<FreshCsrf>>,
) -> Response {
    let l = locale_of(&headers);
    let csrf = csrf_of(&st.core, &headers, fresh.as_ref().map(|e| &e.0));
    page(&ActivatePage {
        s: Shell::anon(l, csrf),
        username: String::new(),
        err: None,
    })
}

async fn activate(
    State(st): State<AppState>,
    headers: HeaderMap,
    ClientSource(source): ClientSource,
    CsrfForm(f): CsrfForm<Activation>,
) -> Response {
    let l = locale_of(&headers);
    let username = f.username.clone();
    let csrf = csrf_of(&st.core, &headers, None);
    match portal::activate(&st.core, f, &source).await {
        Ok(()) => {
            let mut s = Shell::anon(l, csrf);
            s.notice = Some(l.t("portal.activated").to_string());
            page(&super::home::LoginPageFor::new(s, "/portal", &username))
        }
        Err(e) => {
            let status = describe(&e, l).0;
            let wait = crate::error::retry_after(&e);
            let mut r = page(&ActivatePage {
                s: Shell::anon(l, csrf).with_error(&e),
                username,
                err: Some(e),
            });
            *r.status_mut() = status;
            if let Some(v) = wait {
                r.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            r
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The staff's side: the activation slip

#[derive(Template)]
#[template(path = "portal/slip.html")]
struct SlipPage {
    s: Shell,
    slip: ActivationSlip,
    expires: String,
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn open_account(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let slip = portal::open_account(&st.core, &u.ctx, PersonId(id))
        .await
        .or_page(&u)?;
    let expires = local(slip.expires_at);
    Ok(page(&SlipPage {
        s: Shell::of(&u),
        slip,
        expires,
    }))
}
