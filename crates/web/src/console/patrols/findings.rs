//! What a manager reads back: the community's findings (open ones first), each turned into a
//! common-area repair request with one button (also beside each finding on a round's page);
//! the completion report of a period by plan and by month, to print; and a round's photos.

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::routing::{get, post};
use chrono::NaiveDate;
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::patrols::{self, CompletionReport, Finding, FindingToRequest};
use wuye_core::shared::error::{CommonCode, FieldError};
use wuye_core::shared::ids::*;

use super::super::flash::{done, refused};
use super::super::forms::default_zone;
use super::super::{Id, Ids, OrPage, PageError, PageResult, Shell, image_response, page};
use super::{community_name, refused_shell};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrols/{community}/findings", get(list))
        .route(
            "/patrols/{community}/findings/{id}/request",
            post(to_request),
        )
        .route("/patrols/{community}/report", get(report))
        .route("/patrols/{community}/photos/{client_id}", get(photo))
}

#[derive(Template)]
#[template(path = "patrols/findings.html")]
struct ListPage {
    s: Shell,
    community: i64,
    community_name: String,
    /// Each finding with its time as the community's clock shows it.
    rows: Vec<(Finding, String)>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let mut list = patrols::findings(&st.core, &u.ctx, CommunityId(c), false)
        .await
        .or_page(&u)?;
    // Open ones first, each group newest first as the service gives them.
    list.sort_by_key(|f| f.request_id.is_some());
    let rows = list
        .into_iter()
        .map(|f| {
            let at = f
                .scanned_at
                .with_timezone(&default_zone())
                .format("%m-%d %H:%M")
                .to_string();
            (f, at)
        })
        .collect();
    Ok(page(&ListPage {
        community_name: community_name(&st, &u, c).await?,
        s: Shell::of(&u),
        community: c,
        rows,
    }))
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ToRequestForm {
    /// The page to come back to (the findings list or a round's page).
    back: String,
}

async fn to_request(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(c, id): Ids,
    CsrfForm(f): CsrfForm<ToRequestForm>,
) -> PageResult {
    // Only back to one of this community's patrol pages.
    let back = if f.back.starts_with(&format!("/patrols/{c}/")) && !f.back.contains("//") {
        f.back
    } else {
        format!("/patrols/{c}/findings")
    };
    let r = patrols::request_from_finding(
        &st.core,
        &u.ctx,
        CommunityId(c),
        PatrolResultId(id),
        FindingToRequest::default(),
    )
    .await;
    match r {
        Ok(x) => Ok(done(
            &st,
            &u,
            &format!("{back}#finding-{id}"),
            u.locale.t("pc.requested").replace("{number}", &x.number),
        )),
        Err(e @ CoreError::Conflict(_)) => {
            let msg = describe(&e, u.locale).3;
            Ok(refused(&st, &u, &format!("{back}#finding-{id}"), msg))
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ReportQ {
    from: String,
    to: String,
}

#[derive(Template)]
#[template(path = "patrols/report.html")]
struct ReportPage {
    s: Shell,
    community: i64,
    community_name: String,
    from: String,
    to: String,
    report: Option<CompletionReport>,
}

async fn report(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(c): Id,
    Query(q): Query<ReportQ>,
) -> PageResult {
    let mut errs = Vec::new();
    let mut date = |field: &str, raw: &str| -> Option<NaiveDate> {
        let raw = raw.trim();
        if raw.is_empty() {
            return None;
        }
        NaiveDate::parse_from_str(raw, "%Y-%m-%d").ok().or_else(|| {
            errs.push(FieldError::new(field, CommonCode::InvalidDate));
            None
        })
    };
    let (from, to) = (date("from", &q.from), date("to", &q.to));
    let r = if errs.is_empty() {
        patrols::completion_report(&st.core, &u.ctx, CommunityId(c), from, to).await
    } else {
        Err(CoreError::Invalid(errs))
    };
    let community_name = community_name(&st, &u, c).await?;
    let (s, status, report) = match r {
        Ok(r) => (Shell::of(&u), None, Some(r)),
        Err(e @ CoreError::Invalid(_)) => {
            // Still only for a manager: the service says whether the page is his at all.
            patrols::checkpoints(&st.core, &u.ctx, CommunityId(c))
                .await
                .or_page(&u)?;
            let (s, status) = refused_shell(&u, &e);
            (s, Some(status), None)
        }
        Err(e) => return Err(PageError::new(&u, e)),
    };
    let (from, to) = match &report {
        Some(r) => (r.from.to_string(), r.to.to_string()),
        None => (q.from, q.to),
    };
    let mut resp = page(&ReportPage {
        s,
        community: c,
        community_name,
        from,
        to,
        report,
    });
    if let Some(status) = status {
        *resp.status_mut() = status;
    }
    Ok(resp)
}

/// A photo taken on a round, for the community's managers and walkers.
async fn photo(
    State(st): State<AppState>,
    u: ConsoleUser,
    Path((c, client_id)): Path<(i64, String)>,
) -> PageResult {
    let (content_type, bytes) = patrols::photo_file(&st.core, &u.ctx, CommunityId(c), &client_id)
        .await
        .or_page(&u)?;
    Ok(image_response(content_type, bytes))
}
