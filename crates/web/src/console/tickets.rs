//! Request pages (报事报修) of the console: the lists (my requests, my work orders, the pool, the
//! board), registering at the desk or the hotline, a request's page with its clocks, actions and
//! timeline, the technician's phone page, messages, and the company calendar.
//!
//! Every rule lives in `wuye_core::tickets`; these handlers turn form text into the service's
//! inputs (a unit typed as "1栋-1801", a local date-time in the community's time zone) and render.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use chrono::{NaiveDateTime, Utc};
use chrono_tz::Tz;
use serde::Deserialize;
use wuye_core::registry::{self, Community};
use wuye_core::shared::calendar::{CalendarDay, local_to_utc};
use wuye_core::shared::ids::*;
use wuye_core::shared::resolve::{self, CallerInput};
use wuye_core::tickets::{self, *};
use wuye_core::{CoreError, FieldError, Perm};

use super::forms::{Opt, default_zone, label_of, local_time as local, opts, tz_of};
use super::{Id, Ids, Shell, error_page, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/requests", get(list_page))
        .route("/requests/new", get(new_page).post(create))
        .route("/requests/{id}", get(detail_page))
        .route("/requests/{id}/act", post(act))
        .route("/requests/{id}/photos", post(upload_photos))
        .route("/requests/{id}/contact", post(contact_page))
        .route("/requests/{id}/photos/{photo}", get(photo))
        .route("/m/orders", get(orders_page))
        .route("/notifications", get(notifications_page))
        .route("/notifications/read", post(notifications_read))
        .route("/calendar", get(calendar_page))
        .route("/calendar/import", post(calendar_import))
        .route("/calendar/{day}/delete", post(calendar_delete))
}

/// "2 小时 5 分" / "2 h 5 min"; negative spans are "overdue".
fn span_text(secs: i64, l: Locale) -> String {
    let m = secs.abs() / 60;
    let (d, h, mi) = (m / 1440, (m % 1440) / 60, m % 60);
    let mut s = String::new();
    let en = l == Locale::En;
    if d > 0 {
        s.push_str(&format!("{d}{}", if en { " d " } else { " 天 " }));
    }
    if h > 0 || d > 0 {
        s.push_str(&format!("{h}{}", if en { " h " } else { " 小时 " }));
    }
    s.push_str(&format!("{mi}{}", if en { " min" } else { " 分" }));
    if secs < 0 {
        if en {
            format!("overdue {s}")
        } else {
            format!("超时 {s}")
        }
    } else {
        s
    }
}

/// A clock as a page shows it.
pub struct ClockView {
    pub name: String,
    pub due: String,
    pub remaining: String,
    pub status: &'static str,
    pub status_label: &'static str,
}

fn clock_view(c: &Clock, tz: Tz, l: Locale) -> ClockView {
    let status = match c.status {
        ClockStatus::Running => "running",
        ClockStatus::AtRisk => "at_risk",
        ClockStatus::Paused => "paused",
        ClockStatus::Met => "met",
        ClockStatus::Breached => "breached",
    };
    ClockView {
        name: label_of(ClockKind::ALL, c.clock.code(), l),
        due: local(c.due_at, tz),
        remaining: match (c.met_at, c.remaining_seconds) {
            (Some(m), _) => local(m, tz),
            (None, Some(s)) => span_text(s, l),
            _ => String::new(),
        },
        status,
        status_label: l.t(&format!("tk.clock.{status}")),
    }
}

/// A request as a list row or a page shows it.
pub struct RequestView {
    pub r: Request,
    pub community: String,
    pub kind: String,
    pub category: String,
    pub channel: String,
    pub state: String,
    pub urgent: bool,
    pub created: String,
    pub promise: String,
    pub clocks: Vec<ClockView>,
    pub place: String,
}

struct Lookup {
    communities: HashMap<CommunityId, Community>,
    categories: Vec<Category>,
}

impl Lookup {
    async fn load(st: &AppState, u: &ConsoleUser) -> Result<Lookup, CoreError> {
        let cs = registry::list_communities(&st.core, &u.ctx)
            .await
            .unwrap_or_default();
        let categories = tickets::list_categories(&st.core, &u.ctx).await?;
        Ok(Lookup {
            communities: cs.into_iter().map(|c| (c.id, c)).collect(),
            categories,
        })
    }
    fn tz(&self, c: CommunityId) -> Tz {
        self.communities
            .get(&c)
            .map(tz_of)
            .unwrap_or_else(default_zone)
    }
    fn category(&self, code: &str, l: Locale) -> String {
        self.categories
            .iter()
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
    fn view(&self, r: Request, l: Locale) -> RequestView {
        let tz = self.tz(r.community_id);
        RequestView {
            community: self
                .communities
                .get(&r.community_id)
                .map(|c| c.name.clone())
                .unwrap_or_default(),
            kind: label_of(RequestKind::ALL, r.kind.code(), l),
            category: self.category(&r.category, l),
            channel: label_of(Channel::ALL, r.channel.code(), l),
            state: label_of(RequestState::ALL, r.state.code(), l),
            urgent: r.urgency == Urgency::Urgent,
            created: local(r.created_at, tz),
            promise: local(r.promise_at, tz),
            clocks: r.clocks.iter().map(|c| clock_view(c, tz, l)).collect(),
            place: r
                .unit_label
                .clone()
                .or_else(|| r.location.clone())
                .unwrap_or_default(),
            r,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lists

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    view: String,
    community_id: String,
    state: String,
    kind: String,
    category: String,
}

#[derive(Template)]
#[template(path = "tickets/list.html")]
struct ListPage {
    s: Shell,
    view: String,
    rows: Vec<RequestView>,
    q_community: String,
    q_state: String,
    q_kind: String,
    q_category: String,
    communities: Vec<Opt>,
    states: Vec<Opt>,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    /// Who the board's selected requests can be reassigned to.
    assignees: Vec<Opt>,
}

fn category_opts(cats: &[Category], l: Locale) -> Vec<Opt> {
    cats.iter()
        .filter(|c| c.active)
        .map(|c| Opt {
            code: c.code.clone(),
            label: if l == Locale::En {
                c.name_en.clone()
            } else {
                c.name_zh.clone()
            },
        })
        .collect()
}

fn community_opts(lk: &Lookup) -> Vec<Opt> {
    let mut v: Vec<&Community> = lk.communities.values().collect();
    v.sort_by_key(|c| c.id);
    v.into_iter()
        .map(|c| Opt {
            code: c.id.to_string(),
            label: c.name.clone(),
        })
        .collect()
}

async fn list_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQuery>,
) -> Response {
    let l = u.locale;
    let sees_all = u.ctx.has(Perm::TicketsDispatch) || u.ctx.has(Perm::TicketsManage);
    let view = match q.view.as_str() {
        "" if sees_all => "board".to_string(),
        "" => "mine".to_string(),
        v => v.to_string(),
    };
    let mut errs = Vec::new();
    let community_id = match q.community_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(CommunityId(n)),
            Err(_) => {
                errs.push(FieldError::new("community_id", "not_a_number"));
                None
            }
        },
    };
    if !errs.is_empty() {
        return error_page(&u, CoreError::Invalid(errs));
    }
    let f = RequestFilter {
        community_id,
        view: Some(if view == "board" {
            String::new()
        } else {
            view.clone()
        }),
        state: Some(q.state.clone()),
        open: None,
        kind: Some(q.kind.clone()),
        category: Some(q.category.clone()),
        assignee_id: None,
        unit_id: None,
        before_id: None,
        limit: Some(200),
    };
    let res = if view == "board" {
        tickets::board(&st.core, &u.ctx, f).await
    } else {
        tickets::list_requests(&st.core, &u.ctx, &f).await
    };
    let lk = match Lookup::load(&st, &u).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    // The board reassigns within one community: the filtered one, or the user's first.
    let mut assignees = Vec::new();
    if view == "board" {
        let mut ids: Vec<CommunityId> = lk.communities.keys().copied().collect();
        ids.sort();
        if let Some(c) = community_id.or(ids.first().copied()) {
            for (id, name) in tickets::assignable_users(&st.core, &u.ctx, c)
                .await
                .unwrap_or_default()
            {
                let label = if community_id.is_none() && ids.len() > 1 {
                    format!(
                        "{name}（{}）",
                        lk.communities
                            .get(&c)
                            .map(|x| x.name.as_str())
                            .unwrap_or("")
                    )
                } else {
                    name
                };
                assignees.push(Opt {
                    code: id.to_string(),
                    label,
                });
            }
        }
    }
    match res {
        Ok(rows) => page(&ListPage {
            assignees,
            s: Shell::of(&u),
            view,
            rows: rows.into_iter().map(|r| lk.view(r, l)).collect(),
            q_community: q.community_id,
            q_state: q.state,
            q_kind: q.kind,
            q_category: q.category,
            communities: community_opts(&lk),
            states: opts(RequestState::ALL, l),
            kinds: opts(RequestKind::ALL, l),
            categories: category_opts(&lk.categories, l),
        }),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// Registering

/// The register form as typed.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct NewForm {
    community_id: String,
    kind: String,
    category: String,
    channel: String,
    urgency: String,
    complex: Option<String>,
    /// "1栋-1801", "1-1801" or a unit number; or empty.
    unit: String,
    unit_id: String,
    location: String,
    contact_name: String,
    contact_phone: String,
    description: String,
    /// Local date-time (`datetime-local`), empty for the default.
    promise_at: String,
    assignee_id: String,
}

#[derive(Template)]
#[template(path = "tickets/new.html")]
struct NewPage {
    s: Shell,
    f: NewForm,
    errs: Vec<FieldError>,
    communities: Vec<Opt>,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
    channels: Vec<Opt>,
    assignees: Vec<Opt>,
}

impl NewPage {
    fn err(&self, field: &str) -> String {
        self.errs
            .iter()
            .filter(|e| e.field == field)
            .map(|e| crate::error::field_message(self.s.l, e))
            .collect::<Vec<_>>()
            .join("；")
    }
}

async fn render_new(
    st: &AppState,
    u: &ConsoleUser,
    f: NewForm,
    err: Option<CoreError>,
) -> Response {
    let l = u.locale;
    let lk = match Lookup::load(st, u).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let community = f.community_id.parse().ok().map(CommunityId).or_else(|| {
        let mut ids: Vec<CommunityId> = lk.communities.keys().copied().collect();
        ids.sort();
        ids.first().copied()
    });
    let assignees = match community {
        Some(c) if u.ctx.has(Perm::TicketsDispatch) => {
            tickets::assignable_users(&st.core, &u.ctx, c)
                .await
                .unwrap_or_default()
                .into_iter()
                .map(|(id, name)| Opt {
                    code: id.to_string(),
                    label: name,
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let (mut s, errs, status) = match err {
        Some(e) => {
            let status = describe(&e, l).0;
            let errs = match &e {
                CoreError::Invalid(v) => v.clone(),
                CoreError::Conflict(x) => vec![x.clone()],
                _ => Vec::new(),
            };
            (Shell::of(u).with_error(&e), errs, status)
        }
        None => (Shell::of(u), Vec::new(), axum::http::StatusCode::OK),
    };
    if errs.is_empty() && s.error.is_some() {
        s.notice = None;
    }
    let mut r = page(&NewPage {
        s,
        f,
        errs,
        communities: community_opts(&lk),
        kinds: opts(RequestKind::ALL, l),
        categories: category_opts(&lk.categories, l),
        channels: opts(Channel::ALL, l),
        assignees,
    });
    *r.status_mut() = status;
    r
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct NewQuery {
    unit_id: String,
    community_id: String,
}

async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<NewQuery>,
) -> Response {
    if !u.ctx.has(Perm::TicketsRegister) {
        return error_page(&u, CoreError::Forbidden);
    }
    let mut f = NewForm {
        channel: "front_desk".into(),
        urgency: "normal".into(),
        community_id: q.community_id,
        ..Default::default()
    };
    if let Ok(id) = q.unit_id.parse::<i64>()
        && let Ok(unit) = registry::get_unit(&st.core, &u.ctx, UnitId(id)).await
    {
        f.unit_id = id.to_string();
        f.unit = format!("{}-{}", unit.building_name, unit.unit_no);
        f.community_id = unit.community_id.to_string();
        f.kind = "repair_unit".into();
    }
    render_new(&st, &u, f, None).await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<NewForm>,
) -> Response {
    let mut errs = Vec::new();
    let community = match f.community_id.trim().parse::<i64>() {
        Ok(n) => CommunityId(n),
        Err(_) => {
            errs.push(FieldError::new("community_id", "required"));
            return render_new(&st, &u, f, Some(CoreError::Invalid(errs))).await;
        }
    };
    let tz = match registry::get_community(&st.core, &u.ctx, community).await {
        Ok(c) => tz_of(&c),
        Err(e) => return render_new(&st, &u, f, Some(e)).await,
    };
    let caller = resolve::caller(
        &st.core,
        &u.ctx,
        community,
        CallerInput {
            unit_id: f.unit_id.trim().parse::<i64>().ok().map(UnitId),
            unit_label: &f.unit,
            phone: &f.contact_phone,
        },
    )
    .await;
    errs.extend(caller.errors);
    let (unit_id, person_id) = (caller.unit, caller.person);
    let promise_at = match f.promise_at.trim() {
        "" => None,
        s => match NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M") {
            Ok(n) => Some(local_to_utc(tz, n.date(), n.time())),
            Err(_) => {
                errs.push(FieldError::new("promise_at", "invalid_date"));
                None
            }
        },
    };
    let assignee_id = match f.assignee_id.trim() {
        "" => None,
        s => match s.parse() {
            Ok(n) => Some(UserId(n)),
            Err(_) => {
                errs.push(FieldError::new("assignee_id", "not_a_number"));
                None
            }
        },
    };
    let input = RequestForCreate {
        community_id: community,
        kind: f.kind.clone(),
        category: f.category.clone(),
        channel: f.channel.clone(),
        urgency: Some(f.urgency.clone()),
        complex: Some(f.complex.is_some()),
        unit_id,
        person_id,
        location: Some(f.location.clone()),
        contact_name: Some(f.contact_name.clone()),
        contact_phone: Some(f.contact_phone.clone()),
        description: f.description.clone(),
        promise_at,
        assignee_id,
    };
    let res = if errs.is_empty() {
        tickets::create_request(&st.core, &u.ctx, input).await
    } else {
        // Report the form's own problems together with the service's.
        match tickets::create_request(&st.core, &u.ctx, input).await {
            Err(CoreError::Invalid(mut more)) => {
                more.retain(|e| e.field != "unit_id" || errs.iter().all(|x| x.field != "unit"));
                errs.extend(more);
                Err(CoreError::Invalid(errs))
            }
            _ => Err(CoreError::Invalid(errs)),
        }
    };
    match res {
        Ok(r) => Redirect::to(&format!("/requests/{}", r.id)).into_response(),
        Err(e) if matches!(e, CoreError::Invalid(_) | CoreError::Conflict(_)) => {
            render_new(&st, &u, f, Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// One request

#[derive(Template)]
#[template(path = "tickets/detail.html")]
struct DetailPage {
    s: Shell,
    v: RequestView,
    charge: String,
    events: Vec<EventView>,
    assignees: Vec<Opt>,
    /// Which actions to offer.
    can: HashMap<&'static str, bool>,
    mobile: bool,
    photos: Vec<Photo>,
    can_upload: bool,
    /// The community's active price list (for the done form).
    services: Vec<Opt>,
    lines: Vec<ChargeLine>,
    teams: Vec<Opt>,
    /// The contact's phone in full, just revealed.
    revealed: Option<String>,
    can_reveal_contact: bool,
}

impl DetailPage {
    fn yuan(&self, fen: &i64) -> String {
        fen_text(*fen)
    }
}

impl DetailPage {
    fn can(&self, a: &str) -> bool {
        self.can.get(a).copied().unwrap_or(false)
    }
    fn any_action(&self) -> bool {
        self.can.values().any(|x| *x)
    }
}

pub struct EventView {
    pub at: String,
    pub who: String,
    pub action: String,
    pub change: String,
    pub note: String,
}

fn fen_text(f: i64) -> String {
    format!("{}.{:02}", f / 100, f % 100)
}

/// The actions a page offers: those the state allows and the user may take. The service
/// decides again when one is sent.
fn offered(u: &ConsoleUser, r: &Request) -> HashMap<&'static str, bool> {
    use RequestState as S;
    let c = &u.ctx;
    let dispatcher = c.has(Perm::TicketsDispatch) || c.has(Perm::TicketsManage);
    let me = c.user_id;
    let assignee = r.assignee_id == Some(me);
    let owner = r.first_responder_id == me;
    let st = r.state;
    let open = st.is_open();
    let mut m = HashMap::new();
    m.insert(
        "dispatch",
        dispatcher
            && matches!(
                st,
                S::Registered | S::Pooled | S::Dispatched | S::Accepted | S::OnSite
            ),
    );
    m.insert(
        "to_pool",
        (dispatcher || assignee) && matches!(st, S::Registered | S::Dispatched | S::Accepted),
    );
    m.insert("grab", c.has(Perm::TicketsWork) && st == S::Pooled);
    m.insert("accept", assignee && st == S::Dispatched);
    m.insert("on_site", assignee && st == S::Accepted);
    m.insert(
        "done",
        (assignee && matches!(st, S::Dispatched | S::Accepted | S::OnSite))
            || (dispatcher && st == S::Registered),
    );
    m.insert(
        "hold",
        (dispatcher || assignee)
            && matches!(
                st,
                S::Registered | S::Pooled | S::Dispatched | S::Accepted | S::OnSite
            ),
    );
    m.insert("resume", (dispatcher || assignee) && st == S::OnHold);
    m.insert("feedback", (dispatcher || owner) && open);
    m.insert("escalate", (dispatcher || owner) && open);
    m.insert(
        "postpone",
        (dispatcher || owner) && open && !r.promise_postponed,
    );
    m.insert("visit", dispatcher && st == S::Done);
    m.insert(
        "cancel",
        dispatcher && matches!(st, S::Registered | S::Pooled | S::Dispatched | S::OnHold),
    );
    m
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    err: Option<CoreError>,
    mobile: bool,
) -> Response {
    render_detail_with(st, u, id, err, mobile, None).await
}

async fn render_detail_with(
    st: &AppState,
    u: &ConsoleUser,
    id: RequestId,
    err: Option<CoreError>,
    mobile: bool,
    revealed: Option<String>,
) -> Response {
    let l = u.locale;
    let r = match tickets::get_request(&st.core, &u.ctx, id).await {
        Ok(r) => r,
        Err(e) => return error_page(u, e),
    };
    let events = match tickets::timeline(&st.core, &u.ctx, id).await {
        Ok(e) => e,
        Err(e) => return error_page(u, e),
    };
    let lk = match Lookup::load(st, u).await {
        Ok(x) => x,
        Err(e) => return error_page(u, e),
    };
    let tz = lk.tz(r.community_id);
    let assignees = if u.ctx.has(Perm::TicketsDispatch) {
        tickets::assignable_users(&st.core, &u.ctx, r.community_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|(id, name)| Opt {
                code: id.to_string(),
                label: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let state_label = |s: &Option<String>| {
        s.as_deref()
            .map(|x| label_of(RequestState::ALL, x, l))
            .unwrap_or_default()
    };
    let events = events
        .into_iter()
        .map(|e| {
            let change = match (&e.from_state, &e.to_state) {
                (Some(a), Some(b)) if a != b => format!(
                    "{} → {}",
                    state_label(&e.from_state),
                    state_label(&e.to_state)
                ),
                (None, Some(_)) => state_label(&e.to_state),
                _ => String::new(),
            };
            let note = match e.action.as_str() {
                "clock_warning" | "clock_breach" => e
                    .note
                    .as_deref()
                    .map(|c| label_of(ClockKind::ALL, c, l))
                    .unwrap_or_default(),
                _ => e.note.clone().unwrap_or_default(),
            };
            EventView {
                at: local(e.at, tz),
                who: if e.actor_id.is_none() {
                    l.t("tk.system").to_string()
                } else {
                    e.actor_name.clone()
                },
                action: label_of(EventAction::ALL, &e.action, l),
                change,
                note,
            }
        })
        .collect();
    let can = offered(u, &r);
    let photos = tickets::list_photos(&st.core, &u.ctx, id)
        .await
        .unwrap_or_default();
    let can_upload = r.state.is_open();
    let services = if can.get("done").copied().unwrap_or(false) {
        tickets::list_services(&st.core, &u.ctx, r.community_id, true)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|p| Opt {
                code: p.id.to_string(),
                label: format!("{} ¥{}/{}", p.name, fen_text(p.price_fen), p.unit),
            })
            .collect()
    } else {
        Vec::new()
    };
    let lines = tickets::charge_lines(&st.core, &u.ctx, id)
        .await
        .unwrap_or_default();
    let teams = if u.ctx.has(Perm::TicketsDispatch) {
        tickets::list_teams(&st.core, &u.ctx, r.community_id)
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|t| Opt {
                code: t.id.to_string(),
                label: t.name,
            })
            .collect()
    } else {
        Vec::new()
    };
    let charge = r.charge_fen.map(fen_text).unwrap_or_default();
    let can_reveal_contact = r.contact_phone.is_some()
        && revealed.is_none()
        && ((r.assignee_id == Some(u.ctx.user_id) && r.state.is_open())
            || u.ctx.has(Perm::PiiReveal));
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), describe(e, l).0),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut resp = page(&DetailPage {
        s,
        v: lk.view(r, l),
        charge,
        events,
        assignees,
        can,
        mobile,
        photos,
        can_upload,
        services,
        lines,
        teams,
        revealed,
        can_reveal_contact,
    });
    *resp.status_mut() = status;
    resp
}

/// The photos of an upload form (`photo`, repeated), with its `stage`, `m` and CSRF token.
pub(super) struct PhotoUpload {
    pub csrf: Option<String>,
    pub stage: String,
    pub mobile: bool,
    pub files: Vec<Vec<u8>>,
    pub too_large: bool,
    pub broken: bool,
}

pub(super) async fn read_photos(mut mp: axum::extract::Multipart) -> PhotoUpload {
    let mut up = PhotoUpload {
        csrf: None,
        stage: "report".into(),
        mobile: false,
        files: Vec::new(),
        too_large: false,
        broken: false,
    };
    loop {
        let mut field = match mp.next_field().await {
            Ok(Some(f)) => f,
            Ok(None) => break,
            Err(e) => {
                if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE {
                    up.too_large = true;
                } else {
                    up.broken = true;
                }
                break;
            }
        };
        let name = field.name().unwrap_or("").to_string();
        let cap = if name == "photo" {
            MAX_PHOTO_BYTES
        } else {
            4096
        };
        let mut buf: Vec<u8> = Vec::new();
        let mut over = false;
        loop {
            match field.chunk().await {
                Ok(Some(chunk)) => {
                    if buf.len() + chunk.len() > cap {
                        over = true;
                        buf.clear();
                        continue;
                    }
                    if !over {
                        buf.extend_from_slice(&chunk);
                    }
                }
                Ok(None) => break,
                Err(_) => {
                    up.broken = true;
                    return up;
                }
            }
        }
        match name.as_str() {
            "_csrf" => up.csrf = Some(String::from_utf8_lossy(&buf).into_owned()),
            "stage" => up.stage = String::from_utf8_lossy(&buf).into_owned(),
            "m" => up.mobile = buf == b"1",
            "photo" if over => up.too_large = true,
            // A file input left empty sends one empty part.
            "photo" if !buf.is_empty() => up.files.push(buf),
            _ => {}
        }
    }
    up
}

/// Why an upload was refused: a page to send as it is, or a problem to show on the form.
pub(super) enum Refused {
    Page(Response),
    Form(CoreError),
}

/// Checks an upload and adds its photos; the first problem stops it (photos before it stay).
pub(super) async fn save_photos(
    st: &AppState,
    u: &ConsoleUser,
    headers: &axum::http::HeaderMap,
    id: RequestId,
    up: &PhotoUpload,
) -> Result<(), Refused> {
    if !up.too_large && !crate::extract::csrf_ok(headers, up.csrf.as_deref()) {
        return Err(Refused::Page(
            crate::extract::CsrfRejected(u.locale).into_response(),
        ));
    }
    if up.too_large {
        return Err(Refused::Form(CoreError::Invalid(vec![
            FieldError::new("photo", "file_too_large").with("max", "5 MB"),
        ])));
    }
    if up.broken || up.files.is_empty() {
        return Err(Refused::Form(CoreError::invalid("photo", "required")));
    }
    for f in &up.files {
        match tickets::add_photo(&st.core, &u.ctx, id, &up.stage, f).await {
            Ok(_) => {}
            Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
                return Err(Refused::Form(e));
            }
            Err(e) => return Err(Refused::Page(error_page(u, e))),
        }
    }
    Ok(())
}

async fn upload_photos(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    headers: axum::http::HeaderMap,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> Response {
    let id = RequestId(id);
    let up = match mp {
        Ok(mp) => read_photos(mp).await,
        Err(_) => PhotoUpload {
            csrf: None,
            stage: "report".into(),
            mobile: false,
            files: Vec::new(),
            too_large: false,
            broken: true,
        },
    };
    match save_photos(&st, &u, &headers, id, &up).await {
        Ok(()) => Redirect::to(&format!(
            "/requests/{id}{}",
            if up.mobile { "?m=1" } else { "" }
        ))
        .into_response(),
        Err(Refused::Form(e)) => render_detail(&st, &u, id, Some(e), up.mobile).await,
        Err(Refused::Page(r)) => r,
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevealForm {
    m: String,
}

/// Shows the contact's phone in full (the technician calling the customer); audit-logged.
async fn contact_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RevealForm>,
) -> Response {
    let id = RequestId(id);
    match tickets::reveal_contact(&st.core, &u.ctx, id).await {
        Ok(phone) => render_detail_with(&st, &u, id, None, f.m == "1", phone).await,
        Err(e) => error_page(&u, e),
    }
}

async fn photo(State(st): State<AppState>, u: ConsoleUser, Ids(id, p): Ids) -> Response {
    match tickets::photo_file(&st.core, &u.ctx, RequestId(id), p).await {
        Ok((ct, bytes)) => super::image_response(ct, bytes),
        Err(e) => error_page(&u, e),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailQuery {
    m: String,
}

async fn detail_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<DetailQuery>,
) -> Response {
    render_detail(&st, &u, RequestId(id), None, q.m == "1").await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    action: String,
    note: String,
    assignee_id: String,
    team_id: String,
    promise_at: String,
    materials: String,
    labour_minutes: String,
    service_1: String,
    quantity_1: String,
    service_2: String,
    quantity_2: String,
    service_3: String,
    quantity_3: String,
    satisfaction: String,
    visit_channel: String,
    /// `1` when sent from the phone page (go back there).
    m: String,
}

async fn act(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> Response {
    let id = RequestId(id);
    let mobile = f.m == "1";
    let mut errs = Vec::new();
    let num = |errs: &mut Vec<FieldError>, field: &str, raw: &str| -> Option<i64> {
        match raw.trim() {
            "" => None,
            s => s
                .parse()
                .map_err(|_| errs.push(FieldError::new(field, "not_a_number")))
                .ok(),
        }
    };
    let assignee_id = num(&mut errs, "assignee_id", &f.assignee_id).map(UserId);
    let team_id = num(&mut errs, "team_id", &f.team_id);
    let labour_minutes = num(&mut errs, "labour_minutes", &f.labour_minutes);
    let satisfaction = num(&mut errs, "satisfaction", &f.satisfaction);
    let promise_at = if f.promise_at.trim().is_empty() {
        None
    } else {
        let tz = match tickets::get_request(&st.core, &u.ctx, id).await {
            Ok(r) => match registry::get_community(&st.core, &u.ctx, r.community_id).await {
                Ok(c) => tz_of(&c),
                Err(e) => return error_page(&u, e),
            },
            Err(e) => return error_page(&u, e),
        };
        match NaiveDateTime::parse_from_str(f.promise_at.trim(), "%Y-%m-%dT%H:%M") {
            Ok(n) => Some(local_to_utc(tz, n.date(), n.time())),
            Err(_) => {
                errs.push(FieldError::new("promise_at", "invalid_date"));
                None
            }
        }
    };
    if !errs.is_empty() {
        return render_detail(&st, &u, id, Some(CoreError::Invalid(errs)), mobile).await;
    }
    let mut services = Vec::new();
    for (i, (svc, qty)) in [
        (&f.service_1, &f.quantity_1),
        (&f.service_2, &f.quantity_2),
        (&f.service_3, &f.quantity_3),
    ]
    .into_iter()
    .enumerate()
    {
        if let Some(service_id) = num(&mut errs, &format!("services[{i}].service_id"), svc) {
            let quantity = num(&mut errs, &format!("services[{i}].quantity"), qty).unwrap_or(1);
            services.push(ServiceLineInput {
                service_id,
                quantity,
            });
        }
    }
    if !errs.is_empty() {
        return render_detail(&st, &u, id, Some(CoreError::Invalid(errs)), mobile).await;
    }
    let input = RequestAction {
        action: f.action.clone(),
        note: Some(f.note.clone()),
        assignee_id,
        team_id,
        promise_at,
        materials: Some(f.materials.clone()),
        labour_minutes,
        services,
        satisfaction,
        visit_channel: Some(f.visit_channel.clone()).filter(|s| !s.is_empty()),
    };
    match tickets::act(&st.core, &u.ctx, id, input).await {
        Ok(_) if mobile => Redirect::to("/m/orders").into_response(),
        Ok(_) => Redirect::to(&format!("/requests/{id}")).into_response(),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_detail(&st, &u, id, Some(e), mobile).await
        }
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The technician's phone page

#[derive(Template)]
#[template(path = "tickets/orders.html")]
struct OrdersPage {
    s: Shell,
    mine: Vec<RequestView>,
    pool: Vec<RequestView>,
}

async fn orders_page(State(st): State<AppState>, u: ConsoleUser) -> Response {
    let l = u.locale;
    let lk = match Lookup::load(&st, &u).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let list = |view: &str| RequestFilter {
        community_id: None,
        view: Some(view.into()),
        state: None,
        open: Some(true),
        kind: None,
        category: None,
        assignee_id: None,
        unit_id: None,
        before_id: None,
        limit: Some(100),
    };
    let mine = match tickets::list_requests(&st.core, &u.ctx, &list("assigned")).await {
        Ok(v) => v,
        Err(e) => return error_page(&u, e),
    };
    let pool = if u.ctx.has(Perm::TicketsWork) {
        tickets::list_requests(&st.core, &u.ctx, &list("pool"))
            .await
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    page(&OrdersPage {
        s: Shell::of(&u),
        mine: mine
            .into_iter()
            .filter(|r| r.state != RequestState::Done)
            .map(|r| lk.view(r, l))
            .collect(),
        pool: pool.into_iter().map(|r| lk.view(r, l)).collect(),
    })
}

// ---------------------------------------------------------------------------------------------
// Messages

pub struct NoteView {
    pub at: String,
    pub text: String,
    pub request_id: Option<RequestId>,
    pub number: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "tickets/notifications.html")]
struct NotesPage {
    s: Shell,
    notes: Vec<NoteView>,
}

async fn notifications_page(State(st): State<AppState>, u: ConsoleUser) -> Response {
    let l = u.locale;
    let notes = match tickets::notifications(&st.core, &u.ctx, false).await {
        Ok(v) => v,
        Err(e) => return error_page(&u, e),
    };
    let lk = match Lookup::load(&st, &u).await {
        Ok(x) => x,
        Err(e) => return error_page(&u, e),
    };
    let notes = notes
        .into_iter()
        .map(|n| {
            let clock = n
                .clock
                .as_deref()
                .map(|c| label_of(ClockKind::ALL, c, l))
                .unwrap_or_default();
            NoteView {
                at: local(n.at, lk.tz(n.community_id)),
                text: l.tf(&format!("tk.note.{}", n.kind), &[("clock", clock)]),
                request_id: n.request_id,
                number: n.request_number.unwrap_or_default(),
                unread: n.read_at.is_none(),
            }
        })
        .collect();
    page(&NotesPage {
        s: Shell::of(&u),
        notes,
    })
}

#[derive(Deserialize, Default)]
struct Empty {}

async fn notifications_read(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    match tickets::mark_read(&st.core, &u.ctx).await {
        Ok(_) => Redirect::to("/notifications").into_response(),
        Err(e) => error_page(&u, e),
    }
}

// ---------------------------------------------------------------------------------------------
// The company calendar

#[derive(Deserialize, Default)]
#[serde(default)]
struct YearQuery {
    year: String,
}

#[derive(Template)]
#[template(path = "tickets/calendar.html")]
struct CalendarPage {
    s: Shell,
    year: i32,
    days: Vec<CalendarDay>,
    text: String,
    line_errors: Vec<String>,
}

async fn render_calendar(
    st: &AppState,
    u: &ConsoleUser,
    year: i32,
    text: String,
    line_errors: Vec<String>,
    err: Option<CoreError>,
) -> Response {
    let days = match tickets::calendar_year(&st.core, &u.ctx, year).await {
        Ok(d) => d,
        Err(e) => return error_page(u, e),
    };
    let mut s = Shell::of(u);
    let mut status = axum::http::StatusCode::OK;
    if let Some(e) = &err {
        s = s.with_error(e);
        status = describe(e, u.locale).0;
    }
    let mut r = page(&CalendarPage {
        s,
        year,
        days,
        text,
        line_errors,
    });
    *r.status_mut() = status;
    r
}

fn this_year() -> i32 {
    use chrono::Datelike;
    Utc::now().with_timezone(&default_zone()).year()
}

async fn calendar_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<YearQuery>,
) -> Response {
    let year = q
        .year
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(this_year);
    render_calendar(&st, &u, year, String::new(), Vec::new(), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ImportForm {
    text: String,
    year: String,
}

async fn calendar_import(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ImportForm>,
) -> Response {
    let year = f
        .year
        .parse()
        .ok()
        .filter(|y| (1900..=2200).contains(y))
        .unwrap_or_else(this_year);
    let l = u.locale;
    match tickets::import_calendar(&st.core, &u.ctx, &f.text).await {
        Ok(Ok(n)) => {
            let mut r = render_calendar(&st, &u, year, String::new(), Vec::new(), None).await;
            if n > 0 {
                // Show what the import saved: the year of the file's first day.
                if let Some(y) = wuye_core::shared::calendar::parse_calendar_file(&f.text)
                    .ok()
                    .and_then(|d| {
                        d.first().map(|x| {
                            use chrono::Datelike;
                            x.day.year()
                        })
                    })
                    && y != year
                {
                    r = Redirect::to(&format!("/calendar?year={y}")).into_response();
                } else {
                    r = Redirect::to(&format!("/calendar?year={year}")).into_response();
                }
            }
            r
        }
        Ok(Err(lines)) => {
            let msgs = lines
                .iter()
                .map(|e| {
                    l.tf(
                        "tk.calendar.line_error",
                        &[
                            ("line", e.line.to_string()),
                            ("msg", l.t(&format!("err.{}", e.code)).to_string()),
                        ],
                    )
                })
                .collect();
            let e = CoreError::invalid("file", "calendar_file_invalid");
            render_calendar(&st, &u, year, f.text, msgs, Some(e)).await
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_calendar(&st, &u, year, f.text, Vec::new(), Some(e)).await
        }
        Err(e) => error_page(&u, e),
    }
}

async fn calendar_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path(day): Path<String>,
    CsrfForm(_): CsrfForm<Empty>,
) -> Response {
    let Ok(d) = chrono::NaiveDate::parse_from_str(&day, "%Y-%m-%d") else {
        return error_page(&u, CoreError::NotFound("calendar_day"));
    };
    match tickets::delete_calendar_day(&st.core, &u.ctx, d).await {
        Ok(()) => {
            use chrono::Datelike;
            Redirect::to(&format!("/calendar?year={}", d.year())).into_response()
        }
        Err(e) => error_page(&u, e),
    }
}
