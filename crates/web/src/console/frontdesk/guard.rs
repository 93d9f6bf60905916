//! The guard's page (门岗), sized for a phone: one box for what a visitor, a mover or a worker
//! shows at the gate — a pass's eight digits (checked in at once), a release slip's number
//! (FX-…, shown with the button that lets the items out on their day), an after-hours permit's
//! number (JB-…, in force or not). The same services as the desk's pages.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::{self, AfterHoursPermit, PassCheckIn, ReleaseSlip, Visit};
use wuye_core::shared::ids::*;

use super::super::duty::{community_of, said};
use super::super::forms::local_time;
use super::super::{Id, PageError, PageResult, Shell, page};
use super::zone;
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/guard", get(show).post(look))
        .route("/guard/releases/{id}/pass", post(let_out))
}

#[derive(Template)]
#[template(path = "frontdesk/guard.html")]
struct GuardPage {
    s: Shell,
    community: i64,
    code: String,
    visit: Option<Visit>,
    slip: Option<ReleaseSlip>,
    permit: Option<AfterHoursPermit>,
    tz: chrono_tz::Tz,
}

impl GuardPage {
    fn at(&self, t: &chrono::DateTime<chrono::Utc>) -> String {
        local_time(*t, self.tz)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct GuardQ {
    community: Option<String>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LookForm {
    community: i64,
    code: String,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, c: i64, f: Found) -> PageResult {
    let tz = zone(st, u, c).await;
    Ok(page(&GuardPage {
        s,
        community: c,
        code: f.code,
        visit: f.visit,
        slip: f.slip,
        permit: f.permit,
        tz,
    }))
}

#[derive(Default)]
struct Found {
    code: String,
    visit: Option<Visit>,
    slip: Option<ReleaseSlip>,
    permit: Option<AfterHoursPermit>,
}

async fn show(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<GuardQ>) -> PageResult {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    render(&st, &u, Shell::of(&u), c, Found::default()).await
}

/// Finds what the code is by its shape: FX- a release slip, JB- a permit, else a pass to check in.
async fn look(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<LookForm>,
) -> PageResult {
    let c = CommunityId(f.community);
    let code = f.code.trim().to_uppercase();
    let mut found = Found {
        code: code.clone(),
        ..Default::default()
    };
    let r = if code.starts_with("FX-") {
        frontdesk::release_by_number(&st.core, &u.ctx, c, &code)
            .await
            .map(|x| found.slip = Some(x))
    } else if code.starts_with("JB-") {
        frontdesk::permit_by_number(&st.core, &u.ctx, c, &code)
            .await
            .map(|x| found.permit = Some(x))
    } else {
        frontdesk::check_in_pass(&st.core, &u.ctx, c, PassCheckIn { code: code.clone() })
            .await
            .map(|x| found.visit = Some(x))
    };
    match r {
        Ok(()) => render(&st, &u, Shell::of(&u), c.0, found).await,
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_) | CoreError::NotFound(_))) => {
            let status = crate::error::describe(&e, u.locale).0;
            let mut resp = render(&st, &u, Shell::of(&u).with_error(&e), c.0, found).await?;
            *resp.status_mut() = status;
            Ok(resp)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ActForm {
    community: i64,
}

async fn let_out(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ActForm>,
) -> PageResult {
    let r = frontdesk::pass_release(&st.core, &u.ctx, ReleaseSlipId(id)).await;
    let to = format!("/guard?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.release_passed")
}
