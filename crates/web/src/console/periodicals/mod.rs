//! Newspaper and magazine pages (报刊): the day's 报刊收发登记表 with the form that records an issue
//! the post office brought, and an issue's page where each delivery is handed out ([`self`]); the
//! subscriptions and the catalogue ([`subscriptions`]); the resident's own in the portal
//! ([`portal`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::periodicals::model::DeliveryState;
use wuye_core::periodicals::{
    self, CatalogueFilter, DeliveryHandOut, IssueFilter, IssueForCreate, Periodical,
    PeriodicalIssue,
};
use wuye_core::shared::ids::*;

use super::duty::community_of;
use super::flash::done;
use super::forms::{CommonCode, label};
use super::movein::{form_day, some};
use super::{Id, OrPage, PageResult, Shell, form_outcome, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

mod portal;
mod subscriptions;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/periodicals", get(register).post(receive))
        .route("/periodical-issues/{id}", get(issue))
        .route("/periodical-issues/{id}/hand-out", post(hand_out_all))
        .route("/periodical-deliveries/{id}/hand-out", post(hand_out))
        .merge(subscriptions::router())
        .merge(portal::router())
}

/// A number typed in a form: 0 when it is not one, so the service names the field's range.
pub fn form_int(raw: &str) -> i64 {
    raw.trim().parse().unwrap_or(0)
}

/// The community's titles as the options of a select: (id, "人民日报 · ¥40.00/月").
pub fn title_options(list: &[Periodical]) -> Vec<(i64, String)> {
    list.iter()
        .map(|p| {
            (
                p.id.0,
                format!(
                    "{} · ¥{}",
                    p.title,
                    wuye_core::shared::money::Money(p.price_month_fen)
                ),
            )
        })
        .collect()
}

#[derive(Template)]
#[template(path = "periodicals/register.html")]
struct RegisterPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    day: String,
    titles: Vec<(i64, String)>,
    issues: Vec<PeriodicalIssue>,
    f: ReceiveForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct RegisterQ {
    community: Option<String>,
    day: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ReceiveForm {
    community: i64,
    periodical_id: i64,
    issue_label: String,
    received_on: String,
    copies_received: String,
}

async fn render_register(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: RegisterQ,
    f: Option<ReceiveForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let day = NaiveDate::parse_from_str(q.day.trim(), "%Y-%m-%d").ok();
    let titles =
        periodicals::list_periodicals(&st.core, &u.ctx, CommunityId(c), CatalogueFilter::default())
            .await
            .or_page(u)?;
    let issues = periodicals::list_issues(&st.core, &u.ctx, CommunityId(c), IssueFilter { day })
        .await
        .or_page(u)?;
    Ok(page(&RegisterPage {
        s,
        communities,
        community: c,
        day: day.map(|d| d.to_string()).unwrap_or_default(),
        titles: title_options(&titles),
        issues,
        f: f.unwrap_or(ReceiveForm {
            community: c,
            ..Default::default()
        }),
    }))
}

async fn register(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<RegisterQ>,
) -> PageResult {
    render_register(&st, &u, Shell::of(&u), q, None).await
}

async fn receive(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ReceiveForm>,
) -> PageResult {
    let c = f.community;
    let mut errs = Vec::new();
    let day = form_day("received_on", &f.received_on, &mut errs);
    if f.periodical_id <= 0 {
        errs.push(wuye_core::FieldError::new(
            "periodical_id",
            CommonCode::Choose,
        ));
    }
    if f.copies_received.trim().is_empty() {
        errs.push(wuye_core::FieldError::new(
            "copies_received",
            CommonCode::Required,
        ));
    }
    let r = if errs.is_empty() {
        let input = IssueForCreate {
            periodical_id: PeriodicalId(f.periodical_id),
            issue_label: f.issue_label.clone(),
            received_on: day,
            copies_received: form_int(&f.copies_received),
        };
        periodicals::receive_issue(&st.core, &u.ctx, CommunityId(c), input).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    let q = RegisterQ {
        community: Some(c.to_string()),
        day: String::new(),
    };
    form_outcome(
        &u,
        r,
        |i| {
            let msg = u.locale.t("bk.received");
            done(&st, &u, &format!("/periodical-issues/{}", i.id), msg)
        },
        |s| render_register(&st, &u, s, q, Some(f.clone())),
    )
    .await
}

#[derive(Template)]
#[template(path = "periodicals/issue.html")]
struct IssuePage {
    s: Shell,
    i: PeriodicalIssue,
}

impl IssuePage {
    fn state(&self, d: &DeliveryState) -> &'static str {
        label(DeliveryState::ALL, d, self.s.l)
    }
}

async fn render_issue(st: &AppState, u: &ConsoleUser, s: Shell, id: i64) -> PageResult {
    let i = periodicals::get_issue(&st.core, &u.ctx, PeriodicalIssueId(id))
        .await
        .or_page(u)?;
    Ok(page(&IssuePage { s, i }))
}

async fn issue(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_issue(&st, &u, Shell::of(&u), id).await
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct HandOutForm {
    issue: i64,
    signed_by: String,
}

async fn hand_out(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<HandOutForm>,
) -> PageResult {
    let input = DeliveryHandOut {
        signed_by: some(&f.signed_by),
    };
    let r = periodicals::hand_out(&st.core, &u.ctx, PeriodicalDeliveryId(id), input).await;
    after_hand_out(&st, &u, r, f.issue).await
}

async fn hand_out_all(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = periodicals::hand_out_all(&st.core, &u.ctx, PeriodicalIssueId(id)).await;
    after_hand_out(&st, &u, r, id).await
}

async fn after_hand_out(
    st: &AppState,
    u: &ConsoleUser,
    r: Result<PeriodicalIssue, CoreError>,
    issue: i64,
) -> PageResult {
    form_outcome(
        u,
        r,
        |i| {
            done(
                st,
                u,
                &format!("/periodical-issues/{}", i.id),
                u.locale.t("bk.handed_out"),
            )
        },
        |s| render_issue(st, u, s, issue),
    )
    .await
}
