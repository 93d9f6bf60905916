//! The routes page (巡检路线) of a community: the list (kind, order kept or not, the stops in
//! walking order) and a route's form: its name, kind, whether the order is checked, and its
//! checkpoints one per row in walking order (a select per row, no script; an empty row is
//! left out). The patrol service checks it; a refusal re-renders the form.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::get;
use wuye_core::CoreError;
use wuye_core::patrols::model::RouteKind;
use wuye_core::patrols::{self, Route, RouteForCreate};
use wuye_core::shared::error::{CommonCode, FieldError};
use wuye_core::shared::ids::*;

use super::super::duty::Fields;
use super::super::forms::{Opt, label, opts};
use super::super::{Id, Ids, OrPage, PageResult, Shell, page};
use super::{after_save, community_name};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfBody};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrols/{community}/routes", get(list).post(create))
        .route("/patrols/{community}/routes/new", get(new))
        .route("/patrols/{community}/routes/{id}", get(edit).post(update))
}

pub struct Row {
    pub id: i64,
    pub name: String,
    pub kind: &'static str,
    pub ordered: bool,
    pub active: bool,
    pub stops: String,
}

#[derive(Template)]
#[template(path = "patrols/routes.html")]
struct ListPage {
    s: Shell,
    community: i64,
    community_name: String,
    rows: Vec<Row>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let routes = patrols::routes(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(&u)?;
    let rows = routes
        .into_iter()
        .map(|r| Row {
            id: r.id.0,
            kind: label(RouteKind::ALL, &r.kind, u.locale),
            ordered: r.ordered,
            active: r.active,
            stops: r
                .stops
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(" → "),
            name: r.name,
        })
        .collect();
    Ok(page(&ListPage {
        community_name: community_name(&st, &u, c).await?,
        s: Shell::of(&u),
        community: c,
        rows,
    }))
}

/// The route form, as typed: each stop row's checkpoint id ("" for none).
#[derive(Clone, Default)]
pub struct RouteForm {
    pub name: String,
    pub kind: String,
    pub ordered: bool,
    pub active: bool,
    pub stops: Vec<String>,
}

fn form_of(r: &Route) -> RouteForm {
    RouteForm {
        name: r.name.clone(),
        kind: r.kind.code().into(),
        ordered: r.ordered,
        active: r.active,
        stops: r
            .stops
            .iter()
            .map(|s| s.checkpoint_id.to_string())
            .collect(),
    }
}

fn parse(body: &str) -> (RouteForm, Result<RouteForCreate, Vec<FieldError>>) {
    let fields = Fields::of(body);
    let form = RouteForm {
        name: fields.get("name"),
        kind: fields.get("kind"),
        ordered: !fields.get("ordered").is_empty(),
        active: !fields.get("active").is_empty(),
        stops: fields.all("stop"),
    };
    let mut errs = Vec::new();
    let kind = RouteKind::parse("kind", &form.kind)
        .map_err(|e| errs.push(e))
        .ok();
    let mut ids = Vec::new();
    for s in form
        .stops
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
    {
        match s.parse::<i64>() {
            Ok(id) => ids.push(CheckpointId(id)),
            Err(_) => errs.push(FieldError::new("checkpoint_ids", CommonCode::Invalid)),
        }
    }
    let input = match kind {
        Some(kind) if errs.is_empty() => Ok(RouteForCreate {
            name: form.name.clone(),
            kind,
            ordered: form.ordered,
            active: Some(form.active),
            checkpoint_ids: ids,
        }),
        _ => Err(errs),
    };
    (form, input)
}

#[derive(Template)]
#[template(path = "patrols/route.html")]
struct FormPage {
    s: Shell,
    community: i64,
    community_name: String,
    editing: i64,
    f: RouteForm,
    kinds: Vec<Opt>,
    /// The checkpoints in use: (id, name).
    checkpoints: Vec<(String, String)>,
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    c: i64,
    editing: i64,
    mut f: RouteForm,
) -> PageResult {
    let checkpoints: Vec<(String, String)> = patrols::checkpoints(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?
        .into_iter()
        .filter(|k| k.active)
        .map(|k| (k.id.to_string(), k.name))
        .collect();
    // A row per checkpoint in use, so a route may hold them all; at least those it holds.
    let want = checkpoints.len().max(f.stops.len()).max(1);
    f.stops.resize(want, String::new());
    Ok(page(&FormPage {
        community_name: community_name(st, u, c).await?,
        kinds: opts(RouteKind::ALL, u.locale),
        s,
        community: c,
        editing,
        f,
        checkpoints,
    }))
}

async fn new(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let f = RouteForm {
        kind: RouteKind::Security.code().into(),
        ordered: true,
        active: true,
        ..Default::default()
    };
    render(&st, &u, Shell::of(&u), c, 0, f).await
}

async fn edit(State(st): State<AppState>, u: ConsoleUser, Ids(c, id): Ids) -> PageResult {
    let r = patrols::route(&st.core, &u.ctx, CommunityId(c), RouteId(id))
        .await
        .or_page(&u)?;
    render(&st, &u, Shell::of(&u), c, id, form_of(&r)).await
}

async fn saved(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    editing: i64,
    form: RouteForm,
    r: Result<Route, CoreError>,
) -> PageResult {
    let to = |x: &Route| {
        (
            format!("/patrols/{c}/routes#route-{}", x.id),
            x.name.clone(),
        )
    };
    after_save(st, u, r, to, |s| render(st, u, s, c, editing, form)).await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(c): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => patrols::create_route(&st.core, &u.ctx, CommunityId(c), input).await,
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, 0, form, r).await
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(c, id): Ids,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => {
            patrols::update_route(&st.core, &u.ctx, CommunityId(c), RouteId(id), input).await
        }
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, id, form, r).await
}
