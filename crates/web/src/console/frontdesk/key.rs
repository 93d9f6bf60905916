//! A key's page: where it hangs, who has it and until when, the return form, the lending form
//! (a member of staff, or a named outsider with a phone; an owner's deposited key only against
//! one of his authorisations in force), the owner's authorisations with the form that records
//! one, and the key's register.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::duty::{self, StaffMember};
use wuye_core::frontdesk::model::{AuthorisationHow, KeyKind, KeyState};
use wuye_core::frontdesk::{self, AuthorisationForCreate, Key, KeyReturn, LoanForCreate};
use wuye_core::shared::ids::*;

use super::super::duty::said;
use super::super::flash::done;
use super::super::forms::{Opt, form_time, label, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::{manages, zone};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/keys/{id}", get(detail))
        .route("/keys/{id}/lend", post(lend))
        .route("/keys/{id}/return", post(give_back))
        .route("/keys/{id}/authorisations", post(authorise))
        .route("/keys/{id}/retire", post(retire))
        .route("/keys/{id}/restore", post(restore))
        .route("/key-authorisations/{id}/revoke", post(revoke))
}

pub struct AuthView {
    pub id: i64,
    pub person: String,
    pub phone: String,
    pub until: String,
    pub how: &'static str,
    pub note: String,
    pub in_force: bool,
    pub recorded: String,
}

pub struct LoanView {
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
#[template(path = "frontdesk/key.html")]
struct DetailPage {
    s: Shell,
    k: Key,
    kind: &'static str,
    state: &'static str,
    out: bool,
    retired: bool,
    deposited: bool,
    can_manage: bool,
    loan: Option<LoanView>,
    auths: Vec<AuthView>,
    history: Vec<LoanView>,
    staff: Vec<StaffMember>,
    hows: Vec<Opt>,
    lend: LendForm,
    auth: AuthForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LendForm {
    borrower_user_id: i64,
    borrower_name: String,
    borrower_phone: String,
    purpose: String,
    due_at: String,
    authorisation_id: i64,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct AuthForm {
    person_name: String,
    phone: String,
    valid_until: String,
    how: String,
    note: String,
}

fn loan_view(l: &frontdesk::KeyLoan, tz: chrono_tz::Tz) -> LoanView {
    LoanView {
        borrower: l.borrower_name.clone(),
        phone: l.borrower_phone.clone().unwrap_or_default(),
        purpose: l.purpose.clone(),
        lent: local_time(l.lent_at, tz),
        due: local_time(l.due_at, tz),
        returned: l.returned_at.map(|t| local_time(t, tz)).unwrap_or_default(),
        overdue: l.overdue,
        by: l.lent_by_name.clone().unwrap_or_default(),
        to: l.returned_to_name.clone().unwrap_or_default(),
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    s: Shell,
    lend: Option<LendForm>,
    auth: AuthForm,
) -> PageResult {
    let k = frontdesk::get_key(&st.core, &u.ctx, KeyId(id))
        .await
        .or_page(u)?;
    let c = k.community_id;
    let tz = zone(st, u, c.0).await;
    let l = u.locale;
    let staff = duty::list_staff(&st.core, &u.ctx, c).await.or_page(u)?;
    let lend = lend.unwrap_or_else(|| LendForm {
        due_at: (Utc::now() + Duration::hours(4))
            .with_timezone(&tz)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        ..Default::default()
    });
    Ok(page(&DetailPage {
        s,
        kind: label(KeyKind::ALL, &k.kind, l),
        state: label(KeyState::ALL, &k.state, l),
        out: k.state == KeyState::Out,
        retired: k.state == KeyState::Retired,
        deposited: k.depositor_id.is_some(),
        can_manage: manages(u),
        loan: k.loan.as_ref().map(|x| loan_view(x, tz)),
        auths: k
            .authorisations
            .iter()
            .map(|a| AuthView {
                id: a.id.0,
                person: a.person_name.clone(),
                phone: a.phone.clone().unwrap_or_default(),
                until: a.valid_until.map(|d| d.to_string()).unwrap_or_default(),
                how: label(AuthorisationHow::ALL, &a.how, l),
                note: a.note.clone().unwrap_or_default(),
                in_force: a.in_force,
                recorded: local_time(a.recorded_at, tz),
            })
            .collect(),
        history: k.history.iter().map(|x| loan_view(x, tz)).collect(),
        staff,
        hows: opts(AuthorisationHow::ALL, l),
        lend,
        auth,
        k,
    }))
}

async fn detail(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render(&st, &u, id, Shell::of(&u), None, AuthForm::default()).await
}

/// A refused form shown again on the key's page, its input kept.
async fn again(
    st: &AppState,
    u: &ConsoleUser,
    id: i64,
    e: CoreError,
    lend: Option<LendForm>,
    auth: AuthForm,
) -> PageResult {
    let status = describe(&e, u.locale).0;
    let s = Shell::of(u).with_error(&e);
    let mut r = render(st, u, id, s, lend, auth).await?;
    *r.status_mut() = status;
    Ok(r)
}

async fn lend(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<LendForm>,
) -> PageResult {
    let k = frontdesk::get_key(&st.core, &u.ctx, KeyId(id))
        .await
        .or_page(&u)?;
    let tz = zone(&st, &u, k.community_id.0).await;
    let mut errs = Vec::new();
    let due = form_time("due_at", &f.due_at, tz, &mut errs);
    if f.due_at.trim().is_empty() {
        errs.push(wuye_core::FieldError::new(
            "due_at",
            wuye_core::shared::error::CommonCode::Required,
        ));
    }
    let r = match due {
        Some(due_at) if errs.is_empty() => {
            let input = LoanForCreate {
                borrower_user_id: Some(UserId(f.borrower_user_id)).filter(|x| x.0 > 0),
                borrower_name: Some(f.borrower_name.clone()),
                borrower_phone: Some(f.borrower_phone.clone()),
                purpose: f.purpose.clone(),
                due_at,
                authorisation_id: Some(KeyAuthorisationId(f.authorisation_id)).filter(|x| x.0 > 0),
            };
            frontdesk::lend_key(&st.core, &u.ctx, KeyId(id), input).await
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    match r {
        Ok(_) => Ok(done(&st, &u, &format!("/keys/{id}"), u.locale.t("fd.lent"))),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            again(&st, &u, id, e, Some(f), AuthForm::default()).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReturnForm {
    note: String,
}

async fn give_back(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ReturnForm>,
) -> PageResult {
    let r = frontdesk::return_key(
        &st.core,
        &u.ctx,
        KeyId(id),
        KeyReturn { note: Some(f.note) },
    )
    .await;
    said(
        &st,
        &u,
        &format!("/keys/{id}"),
        r.map(|_| ()),
        "fd.returned",
    )
}

async fn authorise(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<AuthForm>,
) -> PageResult {
    let input = AuthorisationForCreate {
        person_name: f.person_name.clone(),
        phone: Some(f.phone.clone()),
        valid_until: Some(f.valid_until.clone()),
        how: f.how.clone(),
        note: Some(f.note.clone()),
    };
    match frontdesk::authorise_key(&st.core, &u.ctx, KeyId(id), input).await {
        Ok(_) => Ok(done(
            &st,
            &u,
            &format!("/keys/{id}"),
            u.locale.t("fd.authorised"),
        )),
        Err(e @ CoreError::Invalid(_)) => again(&st, &u, id, e, None, f).await,
        Err(e @ CoreError::Conflict(_)) => said(&st, &u, &format!("/keys/{id}"), Err(e), ""),
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Back {
    key: i64,
}

async fn revoke(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(b): CsrfForm<Back>,
) -> PageResult {
    let r = frontdesk::revoke_key_authorisation(&st.core, &u.ctx, KeyAuthorisationId(id)).await;
    let to = match &r {
        Ok(k) => format!("/keys/{}", k.id),
        Err(_) => format!("/keys/{}", b.key),
    };
    said(&st, &u, &to, r.map(|_| ()), "fd.revoked")
}

async fn retire(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Back>,
) -> PageResult {
    let r = frontdesk::set_key_retired(&st.core, &u.ctx, KeyId(id), true).await;
    said(&st, &u, &format!("/keys/{id}"), r.map(|_| ()), "fd.retired")
}

async fn restore(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Back>,
) -> PageResult {
    let r = frontdesk::set_key_retired(&st.core, &u.ctx, KeyId(id), false).await;
    said(
        &st,
        &u,
        &format!("/keys/{id}"),
        r.map(|_| ()),
        "fd.restored",
    )
}
