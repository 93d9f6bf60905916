//! The front desk pages (前台): the key ledger (钥匙台账) with its filters and the form that
//! labels a key, a key's page where it is lent, returned and an owner's authorisation recorded
//! ([`key`]), the cabinets with their keepers and the lending register ([`cabinets`]); the parcel
//! desk and the owner's parcels in the portal ([`parcels`]); the gate's visitors register, the
//! desk's passes and the owner's guests ([`visitors`]); small items lent ([`lending`]); large
//! items released ([`releases`]); venues and rooms booked ([`venues`]); move-outs checked
//! ([`moveouts`]); paid services and lock changes ([`deskservices`]); the guard's phone page
//! ([`guard`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::get;
use serde::Deserialize;
use wuye_core::frontdesk::model::{KeyKind, KeyState};
use wuye_core::frontdesk::{self, Key, KeyCabinet, KeyFilter, KeyForSave};
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, Perm};

use super::duty::community_of;
use super::flash::done;
use super::forms::{Opt, default_zone, label, local_time, opts};
use super::{Id, OrPage, PageError, PageResult, Shell, page};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

mod cabinets;
mod deskservices;
mod guard;
mod key;
mod lending;
mod moveouts;
mod parcels;
mod releases;
mod venues;
mod visitors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/keys", get(list).post(create))
        .route("/keys/new", get(new_page))
        .route("/keys/{id}/edit", get(edit_page).post(save))
        .merge(key::router())
        .merge(lending::router())
        .merge(moveouts::router())
        .merge(cabinets::router())
        .merge(deskservices::router())
        .merge(guard::router())
        .merge(parcels::router())
        .merge(releases::router())
        .merge(venues::router())
        .merge(visitors::router())
}

/// A key as the ledger lists it.
pub struct Row {
    pub id: i64,
    pub code: String,
    pub opens: String,
    pub place: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub borrower: String,
    pub due: String,
    pub overdue: bool,
    pub deposited: bool,
}

pub(super) fn row(k: &Key, l: crate::locale::Locale, tz: chrono_tz::Tz) -> Row {
    Row {
        id: k.id.0,
        code: k.code.clone(),
        opens: k.opens.clone(),
        place: format!("{} · {}", k.cabinet_name, k.position),
        state: label(KeyState::ALL, &k.state, l),
        state_code: k.state.code(),
        borrower: k
            .loan
            .as_ref()
            .map(|x| x.borrower_name.clone())
            .unwrap_or_default(),
        due: k
            .loan
            .as_ref()
            .map(|x| local_time(x.due_at, tz))
            .unwrap_or_default(),
        overdue: k.loan.as_ref().is_some_and(|x| x.overdue),
        deposited: k.depositor_id.is_some(),
    }
}

/// The community's time zone, for the times a page shows.
pub(super) async fn zone(st: &AppState, u: &ConsoleUser, c: i64) -> chrono_tz::Tz {
    wuye_core::registry::get_community(&st.core, &u.ctx, CommunityId(c))
        .await
        .map(|c| super::forms::tz_of(&c))
        .unwrap_or_else(|_| default_zone())
}

#[derive(Template)]
#[template(path = "frontdesk/keys.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    cabinets: Vec<KeyCabinet>,
    states: Vec<Opt>,
    q: ListQ,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    state: String,
    cabinet: String,
    q: String,
    overdue: String,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let tz = zone(&st, &u, c).await;
    let f = KeyFilter {
        state: Some(q.state.clone()).filter(|s| !s.is_empty()),
        overdue: Some(q.overdue == "1"),
        cabinet_id: q.cabinet.trim().parse().ok(),
        unit_id: None,
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    };
    let rows = frontdesk::list_keys(&st.core, &u.ctx, CommunityId(c), f)
        .await
        .or_page(&u)?
        .iter()
        .map(|k| row(k, u.locale, tz))
        .collect();
    let cabinets = frontdesk::list_cabinets(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(&u)?;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community: c,
        cabinets,
        states: opts(KeyState::ALL, u.locale),
        q,
        rows,
    }))
}

#[derive(Template)]
#[template(path = "frontdesk/key_form.html")]
struct FormPage {
    s: Shell,
    community: i64,
    /// Editing this key (0: a new one).
    id: i64,
    cabinets: Vec<KeyCabinet>,
    kinds: Vec<Opt>,
    f: KeyForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct KeyForm {
    community: i64,
    cabinet_id: i64,
    position: String,
    code: String,
    kind: String,
    unit_label: String,
    opens: String,
    copies: String,
    deposited: String,
    note: String,
}

impl KeyForm {
    fn input(&self) -> KeyForSave {
        KeyForSave {
            cabinet_id: KeyCabinetId(self.cabinet_id),
            position: self.position.clone(),
            code: self.code.clone(),
            kind: self.kind.clone(),
            unit_id: None,
            unit_label: Some(self.unit_label.clone()),
            opens: Some(self.opens.clone()),
            copies: self
                .copies
                .trim()
                .parse()
                .ok()
                .or(if self.copies.trim().is_empty() {
                    None
                } else {
                    Some(0)
                }),
            depositor_id: None,
            deposited: self.deposited == "1",
            note: Some(self.note.clone()),
        }
    }
}

async fn render_form(st: &AppState, u: &ConsoleUser, s: Shell, id: i64, f: KeyForm) -> PageResult {
    let cabinets = frontdesk::list_cabinets(&st.core, &u.ctx, CommunityId(f.community))
        .await
        .or_page(u)?;
    Ok(page(&FormPage {
        s,
        community: f.community,
        id,
        cabinets,
        kinds: opts(KeyKind::ALL, u.locale),
        f,
    }))
}

#[derive(Deserialize, Default)]
struct NewQ {
    community: Option<String>,
}

async fn new_page(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<NewQ>) -> PageResult {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = KeyForm {
        community: c,
        copies: "1".into(),
        ..Default::default()
    };
    render_form(&st, &u, Shell::of(&u), 0, f).await
}

/// A refused form shown again with its input and each message beside its field.
async fn refused_form(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    f: KeyForm,
    e: CoreError,
) -> PageResult {
    let status = describe(&e, u.locale).0;
    let s = Shell::of(u).with_error(&e);
    let mut r = render_form(st, u, s, id, f).await?;
    *r.status_mut() = status;
    Ok(r)
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<KeyForm>,
) -> PageResult {
    match frontdesk::create_key(&st.core, &u.ctx, CommunityId(f.community), f.input()).await {
        Ok(k) => Ok(done(
            &st,
            &u,
            &format!("/keys/{}", k.id),
            u.locale.t("fd.key_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused_form(&st, &u, 0, f, e).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn edit_page(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let k = frontdesk::get_key(&st.core, &u.ctx, KeyId(id))
        .await
        .or_page(&u)?;
    let unit_label = if k.unit_id.is_some() {
        k.opens.clone()
    } else {
        String::new()
    };
    let f = KeyForm {
        community: k.community_id.0,
        cabinet_id: k.cabinet_id.0,
        position: k.position,
        code: k.code,
        kind: k.kind.code().into(),
        unit_label,
        opens: k.opens,
        copies: k.copies.to_string(),
        deposited: if k.depositor_id.is_some() {
            "1".into()
        } else {
            String::new()
        },
        note: k.note.unwrap_or_default(),
    };
    render_form(&st, &u, Shell::of(&u), id, f).await
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<KeyForm>,
) -> PageResult {
    match frontdesk::update_key(&st.core, &u.ctx, KeyId(id), f.input()).await {
        Ok(k) => Ok(done(
            &st,
            &u,
            &format!("/keys/{}", k.id),
            u.locale.t("fd.key_saved"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            refused_form(&st, &u, id, f, e).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

/// May the user change the desk's settings in this community (the cabinets, retiring keys)?
pub(super) fn manages(u: &ConsoleUser) -> bool {
    u.ctx.has(Perm::FrontdeskManage)
}
