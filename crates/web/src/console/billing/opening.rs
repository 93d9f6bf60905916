//! Opening arrears (期初欠费) under the billing setup: the page (template download, upload with
//! a preview or posting), and the report of either — counts, totals by fee item, errors by
//! row. The rules are `billing::opening`'s; the upload's multipart reader is the registry
//! import's, and its CSRF token is checked the same way.

use super::*;
use crate::console::forms::CommonCode;
use crate::error::WebCode;
use wuye_core::billing::opening::{self, OpeningReport};

/// One bad cell, as the error table shows it.
pub(super) struct OpeningErr {
    pub(super) row: usize,
    pub(super) column: String,
    pub(super) message: String,
}

#[derive(Template)]
#[template(path = "billing/opening.html")]
pub(super) struct OpeningPage {
    pub(super) s: Shell,
    pub(super) communities: Vec<(i64, String)>,
    pub(super) community: i64,
    pub(super) max: String,
    pub(super) report: Option<OpeningReport>,
    pub(super) errors: Vec<OpeningErr>,
    pub(super) truncated: bool,
    pub(super) can_manage: bool,
}

impl OpeningPage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).grouped()
    }
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    want: Option<i64>,
    report: Option<OpeningReport>,
    err: Option<CoreError>,
) -> PageResult {
    let (communities, c) = pick(st, u, want).await.or_page(u)?;
    let l = u.locale;
    let errors: Vec<OpeningErr> = report
        .as_ref()
        .map(|r| {
            r.errors
                .iter()
                .map(|e| OpeningErr {
                    row: e.row,
                    column: e.column.clone(),
                    message: l.field_error(&e.field, &e.code, &e.params),
                })
                .collect()
        })
        .unwrap_or_default();
    let (s, mut status) = match &err {
        Some(e) => (Shell::of(u).with_error(e), status_of(e, l)),
        None => (Shell::of(u), axum::http::StatusCode::OK),
    };
    if !errors.is_empty() {
        status = axum::http::StatusCode::UNPROCESSABLE_ENTITY;
    }
    let mut r = page(&OpeningPage {
        s,
        communities,
        community: c.0,
        max: crate::api::import::size_label(st.cfg.max_upload_bytes),
        truncated: errors.len() >= opening::MAX_OPENING_ERRORS,
        errors,
        report,
        can_manage: u.ctx.has(Perm::BillingManage) && u.ctx.reaches(c),
    });
    *r.status_mut() = status;
    Ok(r)
}

pub(super) async fn opening_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    render(&st, &u, q.community, None, None).await
}

pub(super) async fn opening_template(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<CommunityQuery>,
) -> PageResult {
    let (_, c) = pick(&st, &u, q.community).await.or_page(&u)?;
    let bytes = opening::opening_template_xlsx(&st.core, &u.ctx, c)
        .await
        .or_page(&u)?;
    Ok(crate::api::import::xlsx(
        bytes,
        "opening-arrears-template.xlsx",
    ))
}

/// The upload: `action=preview` checks and shows the totals, `action=post` posts.
pub(super) async fn opening_upload(
    State(st): State<AppState>,
    u: ConsoleUser,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let max = st.cfg.max_upload_bytes;
    let up = match mp {
        Ok(mp) => crate::console::registry::read_upload(mp, max, false).await,
        Err(_) => crate::console::registry::Upload {
            broken: true,
            ..Default::default()
        },
    };
    // A too-large upload changes nothing and may have lost its token: it gets its own message.
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let c: Option<i64> = up.community.as_deref().and_then(|c| c.trim().parse().ok());
    // Only the 导入 button posts; anything else (a browser that drops the button's value)
    // previews, which writes nothing.
    let preview = !up.other.iter().any(|(k, v)| k == "action" && v == "post");
    let err = if up.too_large {
        Some(crate::console::registry::too_large(max))
    } else if up.broken {
        Some(CoreError::invalid("file", WebCode::NotXlsx))
    } else if up.file.is_empty() {
        Some(CoreError::invalid("file", CommonCode::Required))
    } else {
        None
    };
    let Some(community) = c else {
        return render(
            &st,
            &u,
            None,
            None,
            Some(CoreError::invalid("community_id", CommonCode::Required)),
        )
        .await;
    };
    if let Some(e) = err {
        return render(&st, &u, Some(community), None, Some(e)).await;
    }
    match opening::import_opening_xlsx(
        &st.core,
        &u.ctx,
        CommunityId(community),
        &up.file,
        preview,
        &|_, _| {},
    )
    .await
    {
        Ok(r) => render(&st, &u, Some(community), Some(r), None).await,
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            render(&st, &u, Some(community), None, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
