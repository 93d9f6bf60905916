//! Quality audit pages (品质核查): a community's audits with the form that opens one ([`self`]);
//! an audit's page sized for a tablet, where each item is scored element by element, cleared,
//! and the audit signed off; the company's audit sheets ([`sheets`]); rectification tasks
//! ([`rectify`]).

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::quality::model::{self, AuditMethod, AuditState, EvidenceKind, Grade};
use wuye_core::quality::{
    self, Audit, AuditEvidence, AuditForCreate, AuditSheet, AuditSheetChoice, AuditSummary,
    ElementScore, ItemScoreInput,
};
use wuye_core::shared::ids::*;

use super::duty::community_of;
use super::flash::done;
use super::forms::{Opt, label, opts};
use super::movein::some;
use super::{Id, Ids, OrPage, PageResult, Shell, form_outcome, page};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

mod campaigns;
mod rectify;
mod report;
mod sheets;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/audits", get(list).post(open))
        .route("/audits/{id}", get(one))
        .route("/audits/{id}/items/{item}", post(score))
        .route("/audits/{id}/items/{item}/clear", post(clear))
        .route("/audits/{id}/sign", post(sign))
        .route("/audits/{id}/items/{item}/photos", post(add_photos))
        .route("/audits/{id}/photos/{photo}", get(photo))
        .merge(sheets::router())
        .merge(campaigns::router())
        .merge(rectify::router())
        .merge(report::router())
}

/// Points as a reader writes them ("94.88").
pub fn pts(cp: &i64) -> String {
    model::points(*cp)
}

#[derive(Template)]
#[template(path = "quality/audits.html")]
struct ListPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    audits: Vec<AuditSummary>,
    sheets: Vec<AuditSheet>,
    methods: Vec<Opt>,
}

impl ListPage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn state(&self, v: &AuditState) -> &'static str {
        label(AuditState::ALL, v, self.s.l)
    }
    fn grade(&self, v: &Grade) -> &'static str {
        label(Grade::ALL, v, self.s.l)
    }
    fn method(&self, v: &AuditMethod) -> &'static str {
        label(AuditMethod::ALL, v, self.s.l)
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ListQ {
    community: Option<String>,
}

async fn render_list(st: &AppState, u: &ConsoleUser, s: Shell, want: Option<&str>) -> PageResult {
    let (communities, c) = community_of(st, u, want).await?;
    let audits = quality::list_audits(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let sheets = quality::list_sheets(&st.core, &u.ctx)
        .await
        .or_page(u)?
        .into_iter()
        .filter(|s| s.active)
        .collect();
    Ok(page(&ListPage {
        s,
        communities,
        community: c,
        audits,
        sheets,
        methods: opts(AuditMethod::ALL, u.locale),
    }))
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<ListQ>) -> PageResult {
    render_list(&st, &u, Shell::of(&u), q.community.as_deref()).await
}

/// The open form: `community`, `method`, `note`, and for each sheet taken `sheet_{id}=1` with
/// its weight `weight_{id}`.
async fn open(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| {
        f.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let c: i64 = get("community").trim().parse().unwrap_or(0);
    let sheets = f
        .iter()
        .filter_map(|(n, _)| n.strip_prefix("sheet_")?.parse::<i64>().ok())
        .map(|id| AuditSheetChoice {
            sheet_id: AuditSheetId(id),
            weight_pct: get(&format!("weight_{id}")).trim().parse().unwrap_or(0),
        })
        .collect();
    let input = AuditForCreate {
        sheets,
        method: some(&get("method")),
        note: some(&get("note")),
    };
    let r = quality::open_audit(&st.core, &u.ctx, CommunityId(c), input).await;
    let want = c.to_string();
    form_outcome(
        &u,
        r,
        |a| {
            let msg = u.locale.t("qa.opened").replace("{number}", &a.number);
            done(&st, &u, &format!("/audits/{}", a.id), msg)
        },
        |s| render_list(&st, &u, s, Some(&want)),
    )
    .await
}

#[derive(Template)]
#[template(path = "quality/audit.html")]
struct AuditPage {
    s: Shell,
    a: Audit,
    /// What the system holds beside the items.
    ev: AuditEvidence,
    methods: Vec<Opt>,
    /// The item whose form was refused, to show its errors beside it.
    failed_item: i64,
}

impl AuditPage {
    fn pts(&self, cp: &i64) -> String {
        pts(cp)
    }
    fn grade(&self, v: &Grade) -> &'static str {
        label(Grade::ALL, v, self.s.l)
    }
    fn method(&self, v: &AuditMethod) -> &'static str {
        label(AuditMethod::ALL, v, self.s.l)
    }
    fn open(&self) -> bool {
        self.a.state == AuditState::Open
    }
    fn evidence(&self, item: &i64) -> Option<&quality::ItemEvidence> {
        self.ev.items.iter().find(|e| e.item_id == *item)
    }
    fn kind(&self, v: &EvidenceKind) -> &'static str {
        label(EvidenceKind::ALL, v, self.s.l)
    }
    fn fact(&self, code: &str) -> &'static str {
        self.s.t(&format!("qa.ev.{code}"))
    }
    fn element_err(&self, item: &i64, k: &usize) -> String {
        if *item == self.failed_item {
            self.s.ferr(&format!("elements[{k}].deduction"))
        } else {
            String::new()
        }
    }
    fn item_err(&self, item: &i64) -> String {
        if *item == self.failed_item {
            [
                self.s.ferr("elements"),
                self.s.ferr("item"),
                self.s.ferr("note"),
                self.s.ferr("photo"),
            ]
            .join("")
        } else {
            String::new()
        }
    }
}

async fn render_one(st: &AppState, u: &ConsoleUser, s: Shell, id: i64, item: i64) -> PageResult {
    let a = quality::get_audit(&st.core, &u.ctx, AuditId(id))
        .await
        .or_page(u)?;
    let ev = quality::audit_evidence(&st.core, &u.ctx, AuditId(id))
        .await
        .or_page(u)?;
    Ok(page(&AuditPage {
        s,
        a,
        ev,
        methods: opts(AuditMethod::ALL, u.locale),
        failed_item: item,
    }))
}

async fn one(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    render_one(&st, &u, Shell::of(&u), id, 0).await
}

/// An item's form: `present_{k}=1` for each element found, `deduction_{k}` for each missing,
/// `method`, `note`.
async fn score(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, item): Ids,
    CsrfForm(f): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let get = |k: &str| f.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let count: usize = get("count").and_then(|c| c.parse().ok()).unwrap_or(0);
    let elements = (0..count.min(model::MAX_ELEMENTS))
        .map(|k| {
            let present = get(&format!("present_{k}")).is_some();
            ElementScore {
                present,
                deduction: if present {
                    None
                } else {
                    get(&format!("deduction_{k}"))
                },
            }
        })
        .collect();
    let input = ItemScoreInput {
        elements,
        method: get("method").and_then(|m| some(&m)),
        note: get("note").and_then(|n| some(&n)),
    };
    let r = quality::score_item(&st.core, &u.ctx, AuditId(id), item, input).await;
    item_outcome(&st, &u, r, (id, item), "qa.scored").await
}

async fn clear(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, item): Ids,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = quality::clear_item(&st.core, &u.ctx, AuditId(id), item).await;
    item_outcome(&st, &u, r, (id, item), "qa.cleared").await
}

async fn sign(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Vec<(String, String)>>,
) -> PageResult {
    let r = quality::sign_audit(&st.core, &u.ctx, AuditId(id)).await;
    form_outcome(
        &u,
        r,
        |a| {
            let msg = u
                .locale
                .t("qa.signed_done")
                .replace("{total}", &model::points(a.total_cp));
            done(&st, &u, &format!("/audits/{id}"), msg)
        },
        |s| render_one(&st, &u, s, id, 0),
    )
    .await
}

/// An item's photo form: any number of `photo` files, added one by one (each checked first).
async fn add_photos(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, item): Ids,
    mp: Result<axum::extract::Multipart, axum::extract::multipart::MultipartRejection>,
) -> PageResult {
    use axum::response::IntoResponse;
    let up = super::tickets::PhotoUpload::of(mp).await;
    if !up.too_large && !u.csrf_matches(up.csrf.as_deref()) {
        return Ok(crate::extract::CsrfRejected(u.locale).into_response());
    }
    let mut r = if up.too_large {
        Err(wuye_core::CoreError::Invalid(vec![
            wuye_core::FieldError::new("photo", wuye_core::shared::error::CommonCode::FileTooLarge)
                .with("max", "5 MB"),
        ]))
    } else if up.files.is_empty() {
        Err(wuye_core::CoreError::invalid(
            "photo",
            wuye_core::shared::error::CommonCode::Required,
        ))
    } else {
        Ok(())
    };
    if r.is_ok() {
        for f in &up.files {
            r = quality::add_audit_photo(&st.core, &u.ctx, AuditId(id), item, f)
                .await
                .map(|_| ());
            if r.is_err() {
                break;
            }
        }
    }
    item_outcome(&st, &u, r, (id, item), "qa.photos_added").await
}

async fn photo(State(st): State<AppState>, u: ConsoleUser, Ids(id, p): Ids) -> PageResult {
    let (ct, bytes) = quality::audit_photo(&st.core, &u.ctx, AuditId(id), p)
        .await
        .or_page(&u)?;
    Ok(super::image_response(ct, bytes))
}

/// What an item's form leads to: back to the item with `key`'s message, or the audit's page with
/// the problem beside the item.
async fn item_outcome<T>(
    st: &AppState,
    u: &ConsoleUser,
    r: Result<T, wuye_core::CoreError>,
    (id, item): (i64, i64),
    key: &str,
) -> PageResult {
    form_outcome(
        u,
        r,
        |_| done(st, u, &format!("/audits/{id}#item-{item}"), u.locale.t(key)),
        |s| render_one(st, u, s, id, item),
    )
    .await
}
