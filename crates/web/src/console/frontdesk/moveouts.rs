//! Move-outs (迁出核验): the list — open checks by day first — with the form that opens one (the
//! unit typed as `1栋-1801`, who leaves ticked among its people or everybody), and a check's page:
//! its checklist as it stands, each item green or what still holds it, the completion form (a
//! manager's waivers, the unit's state after), cancel, and the printed 客户迁出核验单.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::model::MoveOutState;
use wuye_core::frontdesk::{self, MoveOut, MoveOutComplete, MoveOutFilter, MoveOutForCreate};
use wuye_core::registry::model::{Relation, UnitState};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::{community_of, said};
use super::super::flash::done;
use super::super::forms::{Opt, label, label_of, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::manages;
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/move-outs", get(list).post(open))
        .route("/move-outs/{id}", get(one))
        .route("/move-outs/{id}/complete", post(complete))
        .route("/move-outs/{id}/cancel", post(cancel))
        .route("/move-outs/{id}/sheet.pdf", get(sheet))
}

/// A move-out as the list and its page show it.
pub struct Row {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub leaving: String,
    pub day: String,
    pub reason: String,
    pub state: &'static str,
    pub state_code: &'static str,
}

fn row(m: &MoveOut, l: crate::locale::Locale) -> Row {
    Row {
        id: m.id.0,
        number: m.number.clone(),
        unit: m.unit_label.clone(),
        leaving: m
            .leaving
            .iter()
            .map(|p| format!("{}（{}）", p.name, label_of(Relation::ALL, &p.relation, l)))
            .collect::<Vec<_>>()
            .join("、"),
        day: m.planned_day.to_string(),
        reason: m.reason.clone().unwrap_or_default(),
        state: label(MoveOutState::ALL, &m.state, l),
        state_code: m.state.code(),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/moveouts.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    q: ListQ,
    rows: Vec<Row>,
    f: OpenForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    /// `open` (default), `completed`, `cancelled`, `all`.
    show: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct OpenForm {
    community: i64,
    unit_label: String,
    /// `all` (everybody on the unit) or `tenants`.
    who: String,
    planned_day: String,
    reason: String,
    note: String,
}

async fn render_list(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: ListQ,
    f: Option<OpenForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let state = match q.show.as_str() {
        "all" => None,
        "" => Some("open".to_string()),
        s => Some(s.to_string()),
    };
    let rows = frontdesk::list_move_outs(&st.core, &u.ctx, CommunityId(c), MoveOutFilter { state })
        .await
        .or_page(u)?
        .iter()
        .map(|m| row(m, u.locale))
        .collect();
    let f = f.unwrap_or_else(|| OpenForm {
        community: c,
        who: "tenants".into(),
        ..Default::default()
    });
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        q,
        rows,
        f,
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, Shell::of(&u), q, None).await
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

async fn open(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<OpenForm>,
) -> PageResult {
    let c = f.community;
    let mut errs = Vec::new();
    let day = match some(&f.planned_day) {
        Some(d) => match NaiveDate::parse_from_str(&d, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(wuye_core::FieldError::new(
                    "planned_day",
                    wuye_core::shared::error::CommonCode::InvalidDate,
                ));
                None
            }
        },
        None => None,
    };
    // "The tenants" are the unit's tenants as the registry has them; the service checks them.
    let mut person_ids = Vec::new();
    if f.who == "tenants"
        && let Ok(unit) = wuye_core::shared::resolve::unit_by_label(
            &st.core,
            &u.ctx,
            CommunityId(c),
            f.unit_label.trim(),
            "unit_label",
        )
        .await
        && let Ok(d) = wuye_core::registry::unit_detail(&st.core, &u.ctx, unit).await
    {
        person_ids = d
            .people
            .iter()
            .filter(|p| p.relation == Relation::Tenant)
            .map(|p| p.person.id)
            .collect();
        if person_ids.is_empty() {
            errs.push(wuye_core::FieldError::new(
                "who",
                wuye_core::frontdesk::error::FrontdeskCode::MoveOutNotOfUnit,
            ));
        }
    }
    let r = if errs.is_empty() {
        let input = MoveOutForCreate {
            unit_id: None,
            unit_label: some(&f.unit_label),
            person_ids,
            planned_day: day,
            reason: some(&f.reason),
            note: some(&f.note),
        };
        frontdesk::open_move_out(&st.core, &u.ctx, CommunityId(c), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    match r {
        Ok(m) => {
            let msg = u
                .locale
                .t("fd.move_out_opened")
                .replace("{number}", &m.number);
            Ok(done(&st, &u, &format!("/move-outs/{}", m.id), msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let q = ListQ {
                community: Some(c.to_string()),
                show: String::new(),
            };
            let mut r = render_list(&st, &u, s, q, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/moveout.html")]
struct OnePage {
    s: Shell,
    r: Row,
    m: MoveOut,
    can_manage: bool,
    states: Vec<Opt>,
    f: CompleteForm,
}

impl OnePage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn unit_state(&self, code: &str) -> String {
        label_of(UnitState::ALL, code, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct CompleteForm {
    arrears_waiver: String,
    deposits_kept: String,
    unit_state: String,
}

async fn render_one(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    id: i64,
    f: Option<CompleteForm>,
) -> PageResult {
    let m = frontdesk::get_move_out(&st.core, &u.ctx, MoveOutId(id))
        .await
        .or_page(u)?;
    Ok(page(&OnePage {
        s,
        r: row(&m, u.locale),
        m,
        can_manage: manages(u),
        states: opts(UnitState::ALL, u.locale),
        f: f.unwrap_or_default(),
    }))
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_one(&st, &u, Shell::of(&u), id, None).await
}

async fn complete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CompleteForm>,
) -> PageResult {
    let input = MoveOutComplete {
        arrears_waiver: some(&f.arrears_waiver),
        deposits_kept: some(&f.deposits_kept),
        unit_state: some(&f.unit_state),
    };
    match frontdesk::complete_move_out(&st.core, &u.ctx, MoveOutId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/move-outs/{id}"),
            u.locale.t("fd.move_out_completed"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let s = Shell::of(&u).with_error(&e);
            let mut r = render_one(&st, &u, s, id, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct CancelForm {}

async fn cancel(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_f): CsrfForm<CancelForm>,
) -> PageResult {
    let r = frontdesk::cancel_move_out(&st.core, &u.ctx, MoveOutId(id)).await;
    said(
        &st,
        &u,
        &format!("/move-outs/{id}"),
        r.map(|_| ()),
        "fd.move_out_cancelled",
    )
}

async fn sheet(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let bytes = frontdesk::move_out_pdf(&st.core, &u.ctx, MoveOutId(id))
        .await
        .or_page(&u)?;
    Ok(crate::api::billing::pdf(
        bytes,
        &format!("move-out-{id}.pdf"),
    ))
}
