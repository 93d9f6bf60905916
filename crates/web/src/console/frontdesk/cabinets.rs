//! The key cabinets with their keepers (a manager adds one and hands it to another keeper), and
//! the lending register (钥匙领用登记表): every loan, the keys still out, or those overdue.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::duty::{self, StaffMember};
use wuye_core::frontdesk::{self, CabinetForSave, KeyCabinet, LoanFilter};
use wuye_core::shared::ids::*;

use super::super::duty::{community_of, said};
use super::super::forms::local_time;
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{manages, zone};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/key-cabinets", get(list).post(create))
        .route("/key-cabinets/{id}", post(save))
        .route("/key-loans", get(register))
}

#[derive(Template)]
#[template(path = "frontdesk/cabinets.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    cabinets: Vec<KeyCabinet>,
    staff: Vec<StaffMember>,
    can_manage: bool,
    f: CabinetForm,
}

#[derive(Deserialize, Default)]
struct ListQ {
    community: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CabinetForm {
    community: i64,
    name: String,
    location: String,
    keeper_id: i64,
}

impl CabinetForm {
    fn input(&self) -> CabinetForSave {
        CabinetForSave {
            name: self.name.clone(),
            location: Some(self.location.clone()),
            keeper_id: UserId(self.keeper_id),
        }
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    c: Option<String>,
    f: CabinetForm,
) -> PageResult {
    let (communities, c) = community_of(st, u, c.as_deref()).await?;
    let cabinets = frontdesk::list_cabinets(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let staff = duty::list_staff(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        cabinets,
        staff,
        can_manage: manages(u),
        f,
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render(&st, &u, Shell::of(&u), q.community, CabinetForm::default()).await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CabinetForm>,
) -> PageResult {
    let to = format!("/key-cabinets?community={}", f.community);
    match frontdesk::create_cabinet(&st.core, &u.ctx, CommunityId(f.community), f.input()).await {
        Ok(_) => said(&st, &u, &to, Ok(()), "fd.cabinet_saved"),
        Err(e @ CoreError::Invalid(_)) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render(&st, &u, s, Some(f.community.to_string()), f).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CabinetForm>,
) -> PageResult {
    let r = frontdesk::update_cabinet(&st.core, &u.ctx, KeyCabinetId(id), f.input()).await;
    let to = format!("/key-cabinets?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.cabinet_saved")
}

pub struct LoanRow {
    pub key_id: i64,
    pub code: String,
    pub opens: String,
    pub borrower: String,
    pub phone: String,
    pub purpose: String,
    pub lent: String,
    pub due: String,
    pub returned: String,
    pub overdue: bool,
    pub by: String,
    pub to: String,
}

#[derive(Template)]
#[template(path = "frontdesk/loans.html")]
struct RegisterPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    show: String,
    rows: Vec<LoanRow>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RegisterQ {
    community: Option<String>,
    show: String,
}

async fn register(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<RegisterQ>,
) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let tz = zone(&st, &u, c).await;
    let f = LoanFilter {
        open: Some(q.show == "open"),
        overdue: Some(q.show == "overdue"),
        key_id: None,
    };
    let rows = frontdesk::list_key_loans(&st.core, &u.ctx, CommunityId(c), f)
        .await
        .or_page(&u)?
        .into_iter()
        .map(|l| LoanRow {
            key_id: l.key_id.0,
            code: l.key_code,
            opens: l.opens,
            borrower: l.borrower_name,
            phone: l.borrower_phone.unwrap_or_default(),
            purpose: l.purpose,
            lent: local_time(l.lent_at, tz),
            due: local_time(l.due_at, tz),
            returned: l.returned_at.map(|t| local_time(t, tz)).unwrap_or_default(),
            overdue: l.overdue,
            by: l.lent_by_name.unwrap_or_default(),
            to: l.returned_to_name.unwrap_or_default(),
        })
        .collect();
    Ok(page(&RegisterPage {
        s: Shell::of(&u),
        communities,
        community: c,
        show: q.show,
        rows,
    }))
}
