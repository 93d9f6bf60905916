//! The desk's passes: temporary passes (临时出入证) and construction workers' (施工人员出入证)
//! issued with the next printed number, listed with whether each lets its holder in now, and a
//! pass printed with its QR (the gate's scanner reads the code) or revoked.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use chrono::{Duration, Utc};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::decoration;
use wuye_core::frontdesk::model::{IdType, PassKind};
use wuye_core::frontdesk::{self, PassFilter, PassForCreate, VisitorPass};
use wuye_core::shared::ids::*;

use super::super::super::duty::{community_of, said};
use super::super::super::equipment::qr_svg;
use super::super::super::flash::done;
use super::super::super::forms::{Opt, form_time, label, local_time, opts};
use super::super::super::{Id, OrPage, PageError, PageResult, Shell, page};
use super::super::zone;
use super::{Nothing, WalkInForm};
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/visitor-passes", get(list).post(issue))
        .route("/visitor-passes/{id}", get(print))
        .route("/visitor-passes/{id}/revoke", post(revoke))
        .route("/visitor-passes/{id}/photo", get(photo).post(upload_photo))
}

pub struct PassRow {
    pub id: i64,
    pub has_photo: bool,
    pub kind_code: &'static str,
    pub kind: &'static str,
    pub number: String,
    pub code: String,
    pub holder: String,
    pub id_number: String,
    pub unit: String,
    pub host: String,
    pub purpose: String,
    pub from: String,
    pub until: String,
    pub entries: i64,
    pub valid_now: bool,
    pub revoked: bool,
}

pub(in super::super) fn pass_row(
    p: &VisitorPass,
    l: crate::locale::Locale,
    tz: chrono_tz::Tz,
) -> PassRow {
    PassRow {
        id: p.id.0,
        has_photo: p.has_photo,
        kind_code: p.kind.code(),
        kind: label(PassKind::ALL, &p.kind, l),
        number: p.number.clone().unwrap_or_default(),
        code: p.code.clone(),
        holder: p.holder_name.clone(),
        id_number: p.id_number.clone().unwrap_or_default(),
        unit: p.unit_label.clone().unwrap_or_default(),
        host: p.host_name.clone().unwrap_or_default(),
        purpose: p.purpose.clone().unwrap_or_default(),
        from: local_time(p.valid_from, tz),
        until: local_time(p.valid_until, tz),
        entries: p.entries,
        valid_now: p.valid_now,
        revoked: p.revoked_at.is_some(),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/passes.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    kinds: Vec<Opt>,
    id_types: Vec<Opt>,
    q: ListQ,
    f: IssueForm,
    /// The visitor's fields of `f`.
    w: WalkInForm,
    rows: Vec<PassRow>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
    kind: String,
    valid: String,
    /// A decoration under way: the form issues a worker's pass for it, within its period.
    decoration: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct IssueForm {
    kind: String,
    /// The decoration a worker's pass is for (its id), empty for none.
    decoration_id: String,
    /// Its number, shown.
    decoration_number: String,
    valid_from: String,
    valid_until: String,
    #[serde(flatten)]
    w: WalkInForm,
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: ListQ,
    f: Option<IssueForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let filter = PassFilter {
        kind: Some(q.kind.clone()).filter(|k| !k.is_empty()),
        valid: Some(q.valid == "1"),
    };
    let rows = match frontdesk::list_passes(&st.core, &u.ctx, CommunityId(c), filter).await {
        Ok(v) => v.iter().map(|p| pass_row(p, u.locale, tz)).collect(),
        Err(CoreError::Invalid(_)) => Vec::new(),
        Err(e) => return Err(PageError::new(u, e)),
    };
    let now = Utc::now().with_timezone(&tz);
    let mut f = f.unwrap_or_else(|| IssueForm {
        kind: "temporary".into(),
        valid_from: now.format("%Y-%m-%dT%H:%M").to_string(),
        valid_until: (now + Duration::days(30))
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        w: WalkInForm {
            community: c.to_string(),
            id_type: "resident_id".into(),
            ..Default::default()
        },
        ..Default::default()
    });
    // From a decoration's page: a worker's pass for its unit, until the end of its period.
    if let Ok(d) = q.decoration.trim().parse::<i64>()
        && f.decoration_id.is_empty()
        && let Ok(d) = decoration::get_decoration(&st.core, &u.ctx, DecorationId(d)).await
    {
        f.kind = "worker".into();
        f.decoration_id = d.id.0.to_string();
        f.decoration_number = d.number.clone();
        f.valid_until = format!("{}T23:59", d.ends_on);
        f.w.unit_label = d.unit_label.clone();
        f.w.purpose = format!("装修施工 {}", d.number);
    }
    // A guest's pass is the owner's, from the portal.
    let mut kinds = opts(PassKind::ALL, u.locale);
    kinds.retain(|k| k.code != "guest");
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        kinds,
        id_types: opts(IdType::ALL, u.locale),
        q,
        w: f.w.clone(),
        f,
        rows,
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render(&st, &u, Shell::of(&u), q, None).await
}

async fn issue(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<IssueForm>,
) -> PageResult {
    let c = f.w.community();
    let tz = zone(&st, &u, c).await;
    let mut errs = Vec::new();
    let mut when = |field: &str, raw: &str| {
        let t = form_time(field, raw, tz, &mut errs);
        if t.is_none() && raw.trim().is_empty() {
            errs.push(wuye_core::FieldError::new(
                field,
                wuye_core::shared::error::CommonCode::Required,
            ));
        }
        t
    };
    let from = when("valid_from", &f.valid_from);
    let until = when("valid_until", &f.valid_until);
    let r = match (from, until) {
        (Some(valid_from), Some(valid_until)) => {
            let input = PassForCreate {
                kind: f.kind.clone(),
                visitor: f.w.input(),
                valid_from,
                valid_until,
                decoration_id: f.decoration_id.trim().parse().ok().map(DecorationId),
            };
            frontdesk::create_pass(&st.core, &u.ctx, CommunityId(c), input).await
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    match r {
        Ok(p) => Ok(done(
            &st,
            &u,
            &format!("/visitor-passes/{}", p.id),
            u.locale.t("fd.pass_issued"),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let q = ListQ {
                community: Some(c.to_string()),
                ..Default::default()
            };
            let mut r = render(&st, &u, Shell::of(&u).with_error(&e), q, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/pass.html")]
struct PrintPage {
    s: Shell,
    community: i64,
    r: PassRow,
    qr: String,
}

async fn print(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let p = frontdesk::get_pass(&st.core, &u.ctx, VisitorPassId(id))
        .await
        .or_page(&u)?;
    let tz = zone(&st, &u, p.community_id.0).await;
    Ok(page(&PrintPage {
        s: Shell::of(&u),
        community: p.community_id.0,
        qr: qr_svg(&p.code),
        r: pass_row(&p, u.locale, tz),
    }))
}

async fn revoke(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Nothing>,
) -> PageResult {
    let r = frontdesk::revoke_pass(&st.core, &u.ctx, VisitorPassId(id)).await;
    said(
        &st,
        &u,
        &format!("/visitor-passes/{id}"),
        r.map(|_| ()),
        "fd.pass_revoked",
    )
}

/// The holder's photo, for the printed pass.
async fn photo(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let (ct, bytes) = frontdesk::pass_photo(&st.core, &u.ctx, VisitorPassId(id))
        .await
        .or_page(&u)?;
    Ok(crate::console::file_response(ct, "photo", bytes))
}

/// Takes the holder's photo (a phone's camera or a file) onto the pass.
async fn upload_photo(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    let max = wuye_core::shared::files::MAX_FILE_BYTES;
    let r = match super::super::super::community::one_file(&u, mp, max, "photo").await {
        Err(refused) => return Ok(refused),
        Ok(Err(e)) => Err(e),
        Ok(Ok((_, bytes))) => {
            frontdesk::set_pass_photo(&st.core, &u.ctx, VisitorPassId(id), &bytes)
                .await
                .map(|_| ())
        }
    };
    said(
        &st,
        &u,
        &format!("/visitor-passes/{id}"),
        r,
        "fd.pass_photo_saved",
    )
}
