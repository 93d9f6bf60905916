//! The service desk's other request pages: the hotline call log (a call becomes a request in
//! one click), the manager's bulk reassignment from the board, and the settings of request
//! categories and of each community's clocks.

use crate::console::forms::CommonCode;
use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use wuye_core::registry;
use wuye_core::shared::ids::*;
use wuye_core::tickets::{
    self, CallFilter, CallForCreate, CallToRequest, CategoryForSave, ClockKind, DispatchMode,
    RequestKind, SlaOverrideForSave, VisitPolicy,
};
use wuye_core::{CoreError, FieldError, Perm};

use super::flash::done;
use super::forms::{Opt, label_of, opts};
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};
use crate::locale::Locale;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/calls", get(calls_page).post(log_call))
        .route("/calls/export.xlsx", get(calls_export))
        .route("/calls/{id}/request", post(call_to_request))
        .route("/requests/bulk", post(bulk))
        .route("/request-settings", get(settings_page))
        .route("/request-settings/categories", post(save_category))
        .route("/request-settings/sla", post(save_sla))
        .route("/request-settings/scan", post(scan_sla))
        .route("/request-settings/teams", post(save_team))
        .route(
            "/communities/{id}/price-list",
            get(price_list).post(save_price),
        )
}

// ---------------------------------------------------------------------------------------------
// The price list of paid services (有偿服务明码标价)

pub struct PriceView {
    pub code: String,
    pub name: String,
    pub unit: String,
    pub price: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "tickets/prices.html")]
pub(super) struct PricesPage {
    pub s: Shell,
    pub community_id: i64,
    pub community: String,
    pub items: Vec<PriceView>,
    pub can_edit: bool,
    pub back: String,
}

pub(super) async fn price_view(
    st: &AppState,
    u: &ConsoleUser,
    community: CommunityId,
    all: bool,
) -> Result<(String, Vec<PriceView>), CoreError> {
    let items = tickets::list_services(&st.core, &u.ctx, community, !all).await?;
    let name = wuye_core::registry::community_name(&st.core, &u.ctx, community).await?;
    Ok((
        name,
        items
            .into_iter()
            .map(|p| PriceView {
                code: p.code,
                name: p.name,
                unit: p.unit,
                price: wuye_core::shared::money::Money(p.price_fen).to_string(),
                active: p.active,
            })
            .collect(),
    ))
}

async fn render_prices(
    st: &AppState,
    u: &ConsoleUser,
    community: CommunityId,
    err: Option<CoreError>,
) -> PageResult {
    let can_edit = u.ctx.has(Perm::TicketsManage);
    let (name, items) = price_view(st, u, community, can_edit).await.or_page(u)?;
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, u.locale)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&PricesPage {
        s,
        community_id: community.0,
        community: name,
        items,
        can_edit,
        back: format!("/communities/{community}"),
    });
    *r.status_mut() = status;
    Ok(r)
}

async fn price_list(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_prices(&st, &u, CommunityId(id), None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct PriceForm {
    code: String,
    name: String,
    unit_name: String,
    price: String,
    active: Option<String>,
}

async fn save_price(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PriceForm>,
) -> PageResult {
    let input = tickets::PaidServiceForSave {
        community_id: CommunityId(id),
        code: f.code,
        name: f.name,
        unit_name: f.unit_name,
        price: f.price,
        active: Some(f.active.is_some()),
    };
    match tickets::save_service(&st.core, &u.ctx, input).await {
        Ok(p) => Ok(done(
            &st,
            &u,
            &format!("/communities/{id}/price-list"),
            u.locale.tf("flash.saved", &[("what", &p.name)]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_prices(&st, &u, CommunityId(id), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn communities(st: &AppState, u: &ConsoleUser) -> Vec<(CommunityId, String, chrono_tz::Tz)> {
    registry::list_communities(&st.core, &u.ctx)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|c| {
            let tz = super::forms::tz_of(&c);
            (c.id, c.name, tz)
        })
        .collect()
}

fn status_of(e: &CoreError, l: Locale) -> axum::http::StatusCode {
    describe(e, l).0
}

// ---------------------------------------------------------------------------------------------
// Hotline calls

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CallsQuery {
    community_id: String,
    day: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CallForm {
    community_id: String,
    caller_name: String,
    caller_phone: String,
    content: String,
    result: String,
    transferred_to: String,
    /// When the call came in (补录), local `datetime-local`; empty for now.
    received_at: String,
}

pub struct CallView {
    pub id: i64,
    pub at: String,
    pub caller: String,
    pub phone: String,
    pub content: String,
    pub result: String,
    pub transferred_to: String,
    pub taken_by: String,
    pub request_id: Option<RequestId>,
    pub request_number: String,
}

#[derive(Template)]
#[template(path = "tickets/calls.html")]
struct CallsPage {
    s: Shell,
    community_id: String,
    day: String,
    communities: Vec<Opt>,
    calls: Vec<CallView>,
    f: CallForm,
    err: Option<CoreError>,
    kinds: Vec<Opt>,
    categories: Vec<Opt>,
}

impl CallsPage {
    fn ferr(&self, field: &str) -> String {
        self.s.field_err(self.err.as_ref(), field)
    }
}

async fn render_calls(
    st: &AppState,
    u: &ConsoleUser,
    q: CallsQuery,
    f: CallForm,
    err: Option<CoreError>,
) -> PageResult {
    let l = u.locale;
    let cs = communities(st, u).await;
    let community = calls_community(u, &q, &cs)?;
    let tz = cs
        .iter()
        .find(|c| c.0 == community)
        .map(|c| c.2)
        .unwrap_or_else(super::forms::default_zone);
    let filter = CallFilter {
        community_id: community,
        day: Some(q.day.clone()),
    };
    let calls = tickets::list_calls(&st.core, &u.ctx, &filter)
        .await
        .or_page(u)?;
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .unwrap_or_default();
    let local = |t: DateTime<Utc>| t.with_timezone(&tz).format("%m-%d %H:%M").to_string();
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, l)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&CallsPage {
        s,
        community_id: community.to_string(),
        day: q.day,
        communities: cs
            .iter()
            .map(|c| Opt {
                code: c.0.to_string(),
                label: c.1.clone(),
            })
            .collect(),
        calls: calls
            .into_iter()
            .map(|c| CallView {
                id: c.id,
                at: local(c.call_at),
                caller: c.caller_name.unwrap_or_default(),
                phone: c.caller_phone.unwrap_or_default(),
                content: c.content,
                result: c.result.unwrap_or_default(),
                transferred_to: c.transferred_to.unwrap_or_default(),
                taken_by: c.taken_by_name,
                request_id: c.request_id,
                request_number: c.request_number.unwrap_or_default(),
            })
            .collect(),
        f,
        err,
        kinds: opts(RequestKind::ALL, l),
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
    });
    *r.status_mut() = status;
    Ok(r)
}

/// The community the call log shows: the query's, the user's own, or the first reached.
fn calls_community(
    u: &ConsoleUser,
    q: &CallsQuery,
    cs: &[(CommunityId, String, chrono_tz::Tz)],
) -> Result<CommunityId, PageError> {
    let reached = |w: &CommunityId| cs.iter().any(|c| c.0 == *w);
    q.community_id
        .parse()
        .ok()
        .map(CommunityId)
        .or(u.community.map(CommunityId).filter(reached))
        .or_else(|| cs.first().map(|c| c.0))
        .ok_or_else(|| PageError::new(u, CoreError::NotFound("community")))
}

/// The log as .xlsx: every call of the day chosen, or of every day.
async fn calls_export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CallsQuery>,
) -> Result<axum::response::Response, PageError> {
    let cs = communities(&st, &u).await;
    let filter = CallFilter {
        community_id: calls_community(&u, &q, &cs)?,
        day: Some(q.day),
    };
    let file = tickets::calls_xlsx(&st.core, &u.ctx, &filter)
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "hotline-calls.xlsx"))
}

async fn calls_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CallsQuery>,
) -> PageResult {
    if !u.ctx.has(Perm::TicketsRegister) {
        return Err(PageError::new(&u, CoreError::Forbidden));
    }
    let f = CallForm {
        community_id: q.community_id.clone(),
        ..Default::default()
    };
    render_calls(&st, &u, q, f, None).await
}

async fn log_call(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CallForm>,
) -> PageResult {
    let q = CallsQuery {
        community_id: f.community_id.clone(),
        day: String::new(),
    };
    let Ok(community) = f.community_id.trim().parse::<i64>() else {
        return render_calls(
            &st,
            &u,
            q,
            f,
            Some(CoreError::invalid("community_id", CommonCode::Required)),
        )
        .await;
    };
    let tz = match registry::get_community(&st.core, &u.ctx, CommunityId(community)).await {
        Ok(c) => super::forms::tz_of(&c),
        Err(e) => return render_calls(&st, &u, q, f, Some(e)).await,
    };
    let mut errs = Vec::new();
    let received_at = super::forms::form_time("received_at", &f.received_at, tz, &mut errs);
    if !errs.is_empty() {
        return render_calls(&st, &u, q, f, Some(CoreError::Invalid(errs))).await;
    }
    let input = CallForCreate {
        community_id: CommunityId(community),
        received_at,
        caller_name: Some(f.caller_name.clone()),
        caller_phone: Some(f.caller_phone.clone()),
        content: f.content.clone(),
        result: Some(f.result.clone()),
        transferred_to: Some(f.transferred_to.clone()),
    };
    match tickets::log_call(&st.core, &u.ctx, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/calls?community_id={community}"),
            u.locale.t("flash.call_logged"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_calls(&st, &u, q, f, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ConvertForm {
    kind: String,
    category: String,
    location: String,
    community_id: String,
}

async fn call_to_request(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ConvertForm>,
) -> PageResult {
    let input = CallToRequest {
        kind: f.kind.clone(),
        category: f.category.clone(),
        unit_id: None,
        location: Some(f.location.clone()),
        urgency: None,
    };
    match tickets::call_to_request(&st.core, &u.ctx, id, input).await {
        Ok(r) => {
            let msg = u.locale.tf("flash.registered", &[("number", &r.number)]);
            Ok(done(&st, &u, &format!("/requests/{}", r.id), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let q = CallsQuery {
                community_id: f.community_id.clone(),
                day: String::new(),
            };
            let cf = CallForm {
                community_id: f.community_id,
                ..Default::default()
            };
            render_calls(&st, &u, q, cf, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Bulk reassignment

#[derive(Template)]
#[template(path = "tickets/bulk.html")]
struct BulkPage {
    s: Shell,
    moved: usize,
    failed: Vec<(i64, String)>,
}

/// The board's form: `ids` repeated (checkboxes), `assignee_id`, `note`.
async fn bulk(State(st): State<AppState>, u: ConsoleUser, CsrfBody(body): CsrfBody) -> PageResult {
    let l = u.locale;
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let mut errs = Vec::new();
    let mut ids = Vec::new();
    let mut assignee = None;
    let mut note = None;
    for (k, v) in pairs {
        match k.as_str() {
            "ids" => match v.parse() {
                Ok(n) => ids.push(RequestId(n)),
                Err(_) => errs.push(FieldError::new("ids", CommonCode::NotANumber)),
            },
            "assignee_id" => match v.parse() {
                Ok(n) => assignee = Some(UserId(n)),
                Err(_) => errs.push(FieldError::new("assignee_id", CommonCode::Required)),
            },
            "note" if !v.trim().is_empty() => note = Some(v),
            _ => {}
        }
    }
    // Nothing ticked: back to the board, saying so (not an error page about a field).
    if ids.is_empty() && errs.is_empty() {
        return Ok(super::flash::refused(
            &st,
            &u,
            "/requests?view=board",
            l.t("tk.bulk_none_ticked"),
        ));
    }
    let Some(assignee) = assignee else {
        errs.push(FieldError::new("assignee_id", CommonCode::Required));
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    };
    if !errs.is_empty() {
        return Err(PageError::new(&u, CoreError::Invalid(errs)));
    }
    let r = tickets::bulk_reassign(&st.core, &u.ctx, &ids, assignee, note)
        .await
        .or_page(&u)?;
    Ok(page(&BulkPage {
        s: Shell::of(&u),
        moved: r.moved.len(),
        failed: r
            .failed
            .into_iter()
            .map(|f| (f.id.0, l.t(&format!("err.{}", f.code)).to_string()))
            .collect(),
    }))
}

// ---------------------------------------------------------------------------------------------
// Settings

pub struct CategoryView {
    pub code: String,
    pub name_zh: String,
    pub name_en: String,
    pub mode: String,
    pub visit: String,
    pub active: bool,
}

pub struct OverrideView {
    pub community: String,
    pub category: String,
    pub clock: String,
    pub setting: String,
}

#[derive(Template)]
#[template(path = "tickets/settings.html")]
struct SettingsPage {
    s: Shell,
    categories: Vec<CategoryView>,
    modes: Vec<Opt>,
    visits: Vec<Opt>,
    clocks: Vec<Opt>,
    communities: Vec<Opt>,
    overrides: Vec<OverrideView>,
    teams: Vec<TeamView>,
}

pub struct TeamView {
    pub id: i64,
    pub community_id: i64,
    pub community: String,
    pub name: String,
    /// (user id, name, is a member)
    pub workers: Vec<(i64, String, bool)>,
    /// (category code, name, handled by this team)
    pub categories: Vec<(String, String, bool)>,
}

async fn render_settings(st: &AppState, u: &ConsoleUser, err: Option<CoreError>) -> PageResult {
    let l = u.locale;
    if !u.ctx.has(Perm::TicketsManage) {
        return Err(PageError::new(u, CoreError::Forbidden));
    }
    let cats = tickets::list_categories(&st.core, &u.ctx)
        .await
        .or_page(u)?;
    let cs = communities(st, u).await;
    let mut overrides = Vec::new();
    for (id, name, _) in &cs {
        for o in tickets::list_overrides(&st.core, &u.ctx, *id)
            .await
            .unwrap_or_default()
        {
            let setting = if !o.enabled {
                l.t("tk.clock_off").to_string()
            } else {
                let span = match (o.minutes, o.working_days) {
                    (Some(m), _) => l.tf("tk.minutes_n", &[("n", m.to_string())]),
                    (_, Some(d)) => l.tf("tk.working_days_n", &[("n", d.to_string())]),
                    _ => String::new(),
                };
                if o.pauses_on_hold {
                    format!("{span}（{}）", l.t("tk.pauses_on_hold"))
                } else {
                    span
                }
            };
            overrides.push(OverrideView {
                community: name.clone(),
                category: if o.category == "*" {
                    l.t("tk.every_category").to_string()
                } else {
                    cats.iter()
                        .find(|c| c.code == o.category)
                        .map(|c| {
                            if l == Locale::En {
                                c.name_en.clone()
                            } else {
                                c.name_zh.clone()
                            }
                        })
                        .unwrap_or(o.category.clone())
                },
                clock: label_of(ClockKind::ALL, &o.clock, l),
                setting,
            });
        }
    }
    // Teams of each community, and a blank one to create, with its possible members.
    let mut teams = Vec::new();
    for (id, name, _) in &cs {
        let workers = tickets::assignable_users(&st.core, &u.ctx, *id)
            .await
            .unwrap_or_default();
        let mut list = tickets::list_teams(&st.core, &u.ctx, *id)
            .await
            .unwrap_or_default();
        list.push(tickets::Team {
            id: 0,
            community_id: *id,
            name: String::new(),
            members: Vec::new(),
            categories: Vec::new(),
        });
        for t in list {
            teams.push(TeamView {
                id: t.id,
                community_id: id.0,
                community: name.clone(),
                workers: workers
                    .iter()
                    .map(|(w, n)| (w.0, n.clone(), t.members.iter().any(|m| m.user_id == *w)))
                    .collect(),
                categories: cats
                    .iter()
                    .filter(|c| c.active)
                    .map(|c| {
                        (
                            c.code.clone(),
                            c.name_zh.clone(),
                            t.categories.contains(&c.code),
                        )
                    })
                    .collect(),
                name: t.name,
            });
        }
    }
    let (s, status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, l)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    let mut r = page(&SettingsPage {
        teams,
        s,
        categories: cats
            .into_iter()
            .map(|c| CategoryView {
                mode: c.dispatch_mode,
                visit: c.visit_policy,
                active: c.active,
                code: c.code,
                name_zh: c.name_zh,
                name_en: c.name_en,
            })
            .collect(),
        modes: opts(DispatchMode::ALL, l),
        visits: opts(VisitPolicy::ALL, l),
        clocks: opts(ClockKind::ALL, l),
        communities: cs
            .iter()
            .map(|c| Opt {
                code: c.0.to_string(),
                label: c.1.clone(),
            })
            .collect(),
        overrides,
    });
    *r.status_mut() = status;
    Ok(r)
}

/// A team's form: `id` (0 = new), `community_id`, `name`, `members` and `categories` repeated.
async fn save_team(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap_or_default();
    let mut id = 0i64;
    let mut community = None;
    let mut name = String::new();
    let mut members = Vec::new();
    let mut categories = Vec::new();
    let mut errs = Vec::new();
    for (k, v) in pairs {
        match k.as_str() {
            "id" => id = v.parse().unwrap_or(0),
            "community_id" => community = v.parse().ok().map(CommunityId),
            "name" => name = v,
            "members" => match v.parse() {
                Ok(n) => members.push(UserId(n)),
                Err(_) => errs.push(FieldError::new("member_ids", CommonCode::NotANumber)),
            },
            "categories" => categories.push(v),
            _ => {}
        }
    }
    let Some(community) = community else {
        return render_settings(
            &st,
            &u,
            Some(CoreError::invalid("community_id", CommonCode::Required)),
        )
        .await;
    };
    if !errs.is_empty() {
        return render_settings(&st, &u, Some(CoreError::Invalid(errs))).await;
    }
    let input = tickets::TeamForSave {
        community_id: community,
        name,
        member_ids: members,
        categories,
    };
    match tickets::save_team(&st.core, &u.ctx, (id > 0).then_some(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/request-settings",
            u.locale.tf("flash.saved", &[("what", "")]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_settings(&st, &u, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn settings_page(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    render_settings(&st, &u, None).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CategoryForm {
    code: String,
    name_zh: String,
    name_en: String,
    dispatch_mode: String,
    visit_policy: String,
    active: Option<String>,
}

async fn save_category(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CategoryForm>,
) -> PageResult {
    let input = CategoryForSave {
        code: f.code,
        name_zh: f.name_zh,
        name_en: Some(f.name_en),
        dispatch_mode: f.dispatch_mode,
        visit_policy: f.visit_policy,
        active: Some(f.active.is_some()),
    };
    match tickets::save_category(&st.core, &u.ctx, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/request-settings",
            u.locale.tf("flash.saved", &[("what", "")]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_settings(&st, &u, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct SlaForm {
    community_id: String,
    category: String,
    clock: String,
    enabled: Option<String>,
    minutes: String,
    working_days: String,
    pauses_on_hold: Option<String>,
}

async fn save_sla(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SlaForm>,
) -> PageResult {
    let mut errs = Vec::new();
    let num = |errs: &mut Vec<FieldError>, field: &str, raw: &str| -> Option<i64> {
        match raw.trim() {
            "" => None,
            s => s
                .parse()
                .map_err(|_| errs.push(FieldError::new(field, CommonCode::NotANumber)))
                .ok(),
        }
    };
    let minutes = num(&mut errs, "minutes", &f.minutes);
    let working_days = num(&mut errs, "working_days", &f.working_days);
    let community = num(&mut errs, "community_id", &f.community_id);
    let Some(community) = community else {
        errs.push(FieldError::new("community_id", CommonCode::Required));
        return render_settings(&st, &u, Some(CoreError::Invalid(errs))).await;
    };
    if !errs.is_empty() {
        return render_settings(&st, &u, Some(CoreError::Invalid(errs))).await;
    }
    let input = SlaOverrideForSave {
        community_id: CommunityId(community),
        category: f.category,
        clock: f.clock,
        enabled: f.enabled.is_some(),
        minutes,
        working_days,
        pauses_on_hold: f.pauses_on_hold.is_some(),
    };
    match tickets::save_override(&st.core, &u.ctx, input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/request-settings",
            u.locale.tf("flash.saved", &[("what", "")]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_settings(&st, &u, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ScanForm {
    community_id: String,
    /// The first day missed (`YYYY-MM-DD`); empty for today.
    as_of: String,
}

/// A manager's catch-up run of the SLA scanner (the same core service as the API's).
async fn scan_sla(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ScanForm>,
) -> PageResult {
    let mut errs = Vec::new();
    let community = f.community_id.trim().parse::<i64>().ok();
    if community.is_none() {
        errs.push(FieldError::new("community_id", CommonCode::Required));
    }
    let as_of = match f.as_of.trim() {
        "" => None,
        d => match chrono::NaiveDate::parse_from_str(d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new("as_of", CommonCode::InvalidDate));
                None
            }
        },
    };
    let Some(community) = community.filter(|_| errs.is_empty()) else {
        return render_settings(&st, &u, Some(CoreError::Invalid(errs))).await;
    };
    match tickets::scan_as_of(&st.core, &u.ctx, CommunityId(community), as_of).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            "/request-settings",
            u.locale.tf("flash.saved", &[("what", "")]),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render_settings(&st, &u, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
