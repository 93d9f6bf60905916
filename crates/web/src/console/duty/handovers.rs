//! The handover pages (交接班): a community's handovers, starting one (the service fills it in
//! from the system: carried items, open requests, cash, open incidents; the form adds lines typed
//! by hand), a handover's page with its items closed one by one, lines added, the incoming
//! person's sign-off, and a print button (`data-print`) for the paper record.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::duty::model::{HandoverState, ItemKind, ItemState};
use wuye_core::duty::{
    self, Handover, HandoverFilter, HandoverForCreate, HandoverLine, StaffMember,
};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::super::flash::done;
use super::super::forms::{default_zone, label, local_time};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{community_of, said};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/handovers", get(list))
        .route("/handovers/new", get(new_page).post(start))
        .route("/handovers/{id}", get(detail))
        .route("/handovers/{id}/lines", post(add_line))
        .route("/handovers/{id}/sign", post(sign))
        .route("/handover-items/{id}/close", post(close_item))
}

pub struct Row {
    pub id: i64,
    pub day: String,
    pub team: String,
    pub outgoing: String,
    pub incoming: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub open_items: i64,
}

#[derive(Template)]
#[template(path = "duty/handovers.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
    team: Option<String>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = HandoverFilter {
        team: q.team.filter(|t| !t.trim().is_empty()),
    };
    let l = u.locale;
    let rows = duty::list_handovers(&st.core, &u.ctx, CommunityId(c), f)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|h| Row {
            id: h.id.0,
            day: h.day.to_string(),
            team: h.team,
            outgoing: h.outgoing_name,
            incoming: h.incoming_name,
            state: label(HandoverState::ALL, &h.state, l),
            state_code: h.state.code(),
            open_items: h.open_items,
        })
        .collect();
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community: c,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "duty/handover_new.html")]
struct NewPage {
    s: Shell,
    community: i64,
    community_name: String,
    teams: Vec<String>,
    staff: Vec<StaffMember>,
    f: StartForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct StartForm {
    community: i64,
    team: String,
    incoming_id: i64,
    note: String,
    lines: String,
}

async fn render_new(st: &AppState, u: &ConsoleUser, s: Shell, f: StartForm) -> PageResult {
    let (communities, c) = community_of(st, u, Some(&f.community.to_string())).await?;
    let cid = CommunityId(c);
    let staff: Vec<StaffMember> = duty::list_staff(&st.core, &u.ctx, cid)
        .await
        .or_page(u)?
        .into_iter()
        .filter(|p| p.user_id != u.ctx.user_id)
        .collect();
    let mut teams: Vec<String> = Vec::new();
    for x in duty::list_shifts(&st.core, &u.ctx, cid).await.or_page(u)? {
        if !teams.contains(&x.team) {
            teams.push(x.team);
        }
    }
    Ok(page(&NewPage {
        s,
        community: c,
        community_name: communities
            .into_iter()
            .find(|x| x.0 == c)
            .map(|x| x.1)
            .unwrap_or_default(),
        teams,
        staff,
        f,
    }))
}

async fn new_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> PageResult {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = StartForm {
        community: c,
        team: q.team.unwrap_or_default(),
        ..Default::default()
    };
    render_new(&st, &u, Shell::of(&u), f).await
}

async fn start(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<StartForm>,
) -> PageResult {
    let input = HandoverForCreate {
        team: f.team.clone(),
        shift_code: None,
        incoming_id: UserId(f.incoming_id),
        note: Some(f.note.clone()),
        lines: f.lines.lines().map(str::to_string).collect(),
    };
    match duty::start_handover(&st.core, &u.ctx, CommunityId(f.community), input).await {
        Ok(h) => Ok(done(
            &st,
            &u,
            &format!("/handovers/{}", h.id),
            u.locale.t("du.handover_started"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_new(&st, &u, s, f).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub struct ItemView {
    pub id: i64,
    pub n: usize,
    pub kind: &'static str,
    pub text: String,
    pub open: bool,
    pub carried: bool,
    pub link: String,
    pub closed: String,
}

#[derive(Template)]
#[template(path = "duty/handover.html")]
struct DetailPage {
    s: Shell,
    h: Handover,
    community_name: String,
    state: &'static str,
    created: String,
    signed: String,
    items: Vec<ItemView>,
    /// May close items and add lines (the outgoing person or a manager, while open).
    can_change: bool,
    /// May sign (the incoming person or a manager, while open).
    can_sign: bool,
    line: String,
}

/// Where an item's record is in the console (`request:12` → the request's page).
fn link_of(source: Option<&str>) -> String {
    match source.and_then(|s| s.split_once(':')) {
        Some(("request", id)) => format!("/requests/{id}"),
        Some(("incident", id)) => format!("/incidents/{id}"),
        _ => String::new(),
    }
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    s: Shell,
    line: String,
) -> PageResult {
    let h = duty::get_handover(&st.core, &u.ctx, HandoverId(id))
        .await
        .or_page(u)?;
    let community = wuye_core::registry::get_community(&st.core, &u.ctx, h.community_id).await;
    let tz = community
        .as_ref()
        .map(super::super::forms::tz_of)
        .unwrap_or_else(|_| default_zone());
    let community_name = community.map(|c| c.name).unwrap_or_default();
    let l = u.locale;
    let open = h.state == HandoverState::Open;
    let manager = u.ctx.has(Perm::DutyManage);
    let items = h
        .items
        .iter()
        .enumerate()
        .map(|(i, x)| ItemView {
            id: x.id.0,
            n: i + 1,
            kind: label(ItemKind::ALL, &x.kind, l),
            text: x.text.clone(),
            open: x.state == ItemState::Open,
            carried: x.carried_from.is_some(),
            link: link_of(x.source_ref.as_deref()),
            closed: x.closed_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        })
        .collect();
    Ok(page(&DetailPage {
        state: label(HandoverState::ALL, &h.state, l),
        created: local_time(h.created_at, tz),
        signed: h.signed_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        can_change: open && (manager || u.ctx.user_id == h.outgoing_id),
        can_sign: open && (manager || u.ctx.user_id == h.incoming_id),
        items,
        community_name,
        s,
        h,
        line,
    }))
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_detail(&st, &u, id, Shell::of(&u), String::new()).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct LineForm {
    text: String,
}

async fn add_line(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<LineForm>,
) -> PageResult {
    let input = HandoverLine {
        text: f.text.clone(),
    };
    match duty::add_handover_line(&st.core, &u.ctx, HandoverId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/handovers/{id}"),
            u.locale.t("du.line_added"),
        )),
        Err(e @ CoreError::Invalid(_)) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_detail(&st, &u, id, s, f.text).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e @ CoreError::Conflict(_)) => said(&st, &u, &format!("/handovers/{id}"), Err(e), ""),
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Empty {}

async fn sign(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let r = duty::sign_handover(&st.core, &u.ctx, HandoverId(id)).await;
    said(
        &st,
        &u,
        &format!("/handovers/{id}"),
        r.map(|_| ()),
        "du.signed",
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ItemBack {
    handover: i64,
}

async fn close_item(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(b): CsrfForm<ItemBack>,
) -> PageResult {
    let r = duty::close_handover_item(&st.core, &u.ctx, HandoverItemId(id)).await;
    let to = match &r {
        Ok(h) => format!("/handovers/{}", h.id),
        Err(_) => format!("/handovers/{}", b.handover),
    };
    said(&st, &u, &to, r.map(|_| ()), "du.item_closed")
}
