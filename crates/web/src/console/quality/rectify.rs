//! Rectification pages (整改): the community's tasks (an auditor's all, anyone else's his own),
//! and one task's page where the auditor assigns and rechecks and its owner records the work with
//! photos from a phone.

use askama::Template;
use axum::Router;
use axum::extract::multipart::MultipartRejection;
use axum::extract::{Multipart, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use chrono::{DateTime, Utc};
use serde::Deserialize;
use wuye_core::quality::model::{RecheckOutcome, RectState};
use wuye_core::quality::{
    self, RecheckInput, RectAssignInput, RectEventKind, RectFilter, Rectification,
    RectificationSummary,
};
use wuye_core::shared::error::CommonCode;
use wuye_core::shared::ids::*;
use wuye_core::{CoreError, FieldError};

use super::super::duty::community_of;
use super::super::flash::done;
use super::super::forms::{Opt, default_zone, label, local_time, opts};
use super::super::movein::some;
use super::super::tickets::PhotoUpload;
use super::super::{Id, Ids, OrPage, PageError, PageResult, Shell, form_outcome, page};
use super::pts;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/rectifications", get(list))
        .route("/rectifications/export.xlsx", get(export))
        .route("/rectifications/{id}", get(one))
        .route("/rectifications/{id}/assign", post(assign))
        .route("/rectifications/{id}/done", post(record))
        .route("/rectifications/{id}/recheck", post(recheck))
        .route("/rectifications/{id}/photos/{photo}", get(photo))
}

#[derive(Template)]
#[template(path = "quality/rectifications.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    state: String,
    mine: bool,
    audit: String,
    states: Vec<Opt>,
    rows: Vec<RectificationSummary>,
}

/// A time in the service centre's zone, as the pages print it.
fn when(t: &DateTime<Utc>) -> String {
    local_time(*t, default_zone())
}

impl ListPage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn when(&self, t: &DateTime<Utc>) -> String {
        when(t)
    }
    fn state_of(&self, v: &RectState) -> &'static str {
        label(RectState::ALL, v, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    state: Option<String>,
    mine: Option<String>,
    audit: Option<String>,
}

/// The page's filter: the state chosen, the user's own tasks when ticked, an audit's when
/// followed from it.
fn list_filter(q: &ListQ) -> RectFilter {
    RectFilter {
        state: some(q.state.as_deref().unwrap_or_default()),
        mine: Some(q.mine.as_deref() == Some("1")),
        audit_id: q
            .audit
            .as_deref()
            .and_then(|a| a.trim().parse().ok())
            .map(AuditId),
        overdue: None,
    }
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    let (communities, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let f = list_filter(&q);
    let rows = quality::list_rectifications(&st.core, &u.ctx, CommunityId(c), f)
        .await
        .or_page(&u)?;
    Ok(page(&ListPage {
        s: Shell::of(&u),
        communities,
        community: c,
        state: q.state.clone().unwrap_or_default(),
        mine: q.mine.as_deref() == Some("1"),
        audit: q.audit.clone().unwrap_or_default(),
        states: opts(RectState::ALL, u.locale),
        rows,
    }))
}

/// The list as .xlsx: every task under the page's filters (not only the 500 it shows).
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<ListQ>,
) -> Result<axum::response::Response, PageError> {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let file = quality::rectifications_xlsx(&st.core, &u.ctx, CommunityId(c), list_filter(&q))
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "rectifications.xlsx"))
}

#[derive(Template)]
#[template(path = "quality/rectification.html")]
struct OnePage {
    s: Shell,
    r: Rectification,
    owners: Vec<Opt>,
    outcomes: Vec<Opt>,
}

impl OnePage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn when(&self, t: &DateTime<Utc>) -> String {
        when(t)
    }
    fn state_of(&self, v: &RectState) -> &'static str {
        label(RectState::ALL, v, self.s.l)
    }
    fn kind(&self, v: &RectEventKind) -> &'static str {
        label(RectEventKind::ALL, v, self.s.l)
    }
    /// A submitted task is rechecked, most often passed; an open one can only be closed.
    fn default_outcome(&self) -> &'static str {
        if self.r.summary.state == RectState::Submitted {
            RecheckOutcome::Passed.code()
        } else {
            RecheckOutcome::Kept.code()
        }
    }
    fn owner_code(&self) -> String {
        self.r
            .summary
            .assignee_id
            .map(|u| u.to_string())
            .unwrap_or_default()
    }
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, id: i64) -> PageResult {
    let r = quality::get_rectification(&st.core, &u.ctx, RectificationId(id))
        .await
        .or_page(u)?;
    let owners = if r.may.assign {
        quality::rectification_owners(&st.core, &u.ctx, r.summary.community_id)
            .await
            .or_page(u)?
            .into_iter()
            .map(|(id, name)| Opt {
                code: id.to_string(),
                label: name,
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(page(&OnePage {
        s,
        r,
        owners,
        outcomes: opts(RecheckOutcome::ALL, u.locale),
    }))
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render(&st, &u, Shell::of(&u), id).await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct AssignForm {
    assignee: String,
    days: String,
}

/// A number typed in a form; anything else is sent on as a value the service refuses by name.
fn number(raw: &str) -> Option<i64> {
    let t = raw.trim();
    (!t.is_empty()).then(|| t.parse().unwrap_or(-1))
}

async fn assign(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<AssignForm>,
) -> PageResult {
    let input = RectAssignInput {
        assignee_id: UserId(f.assignee.trim().parse().unwrap_or(0)),
        days: number(&f.days),
    };
    let r = quality::assign_rectification(&st.core, &u.ctx, RectificationId(id), input).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/rectifications/{id}"),
                u.locale.t("qa.assigned"),
            )
        },
        |s| render(&st, &u, s, id),
    )
    .await
}

/// The owner's form: `note` and any number of `photo` files, in one multipart body.
async fn record(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<Multipart, MultipartRejection>,
) -> PageResult {
    let up = PhotoUpload::of(mp).await;
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let r = if up.too_large {
        Err(CoreError::Invalid(vec![
            FieldError::new("photo", CommonCode::FileTooLarge).with("max", "5 MB"),
        ]))
    } else if let Some(field) = &up.too_long {
        Err(CoreError::Invalid(vec![
            FieldError::new(field, CommonCode::TooLong).with("max", 1000),
        ]))
    } else {
        let note = up.field("note").unwrap_or("");
        quality::record_rectification(&st.core, &u.ctx, RectificationId(id), note, &up.files).await
    };
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/rectifications/{id}"),
                u.locale.t("qa.recorded"),
            )
        },
        |s| render(&st, &u, s, id),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RecheckForm {
    outcome: String,
    note: String,
    days: String,
}

async fn recheck(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RecheckForm>,
) -> PageResult {
    let input = RecheckInput {
        outcome: f.outcome,
        note: some(&f.note),
        days: number(&f.days),
    };
    let r = quality::recheck_rectification(&st.core, &u.ctx, RectificationId(id), input).await;
    form_outcome(
        &u,
        r,
        |t| {
            let msg = u
                .locale
                .t("qa.rechecked")
                .replace("{state}", label(RectState::ALL, &t.summary.state, u.locale));
            done(&st, &u, &format!("/rectifications/{id}"), msg)
        },
        |s| render(&st, &u, s, id),
    )
    .await
}

async fn photo(State(st): State<AppState>, u: ConsoleUser, Ids(id, p): Ids) -> PageResult {
    let (ct, bytes) = quality::rectification_photo(&st.core, &u.ctx, RectificationId(id), p)
        .await
        .or_page(&u)?;
    Ok(super::super::image_response(ct, bytes))
}
