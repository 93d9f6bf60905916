//! The parcel desk (代收快递): the intake form first (the scanner types the tracking number into
//! its first field and the carrier stays for the next parcel of the batch), a box that finds a
//! held parcel by the code the recipient shows, and the list of parcels held (or long held, for
//! reminders and returns). A parcel's page hands it over — the code or the recipient's ID, a
//! signature drawn on the screen — or returns it to the carrier. The owner's own parcels with
//! their codes are in the portal.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::model::{ParcelKind, ParcelState, PickupMethod};
use wuye_core::frontdesk::{
    self, Parcel, ParcelFilter, ParcelForCreate, ParcelPickup, ParcelReminders, ParcelReturn,
};
use wuye_core::shared::ids::*;

use super::super::duty::{community_of, said};
use super::super::flash::{done, refused};
use super::super::forms::{Opt, label, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, image_response, page};
use super::zone;
use crate::AppState;
use crate::error::describe;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/parcels", get(desk).post(receive))
        .route("/parcels/find", get(find))
        .route("/parcels/export.xlsx", get(export))
        .route("/parcels/reminders", post(remind))
        .route("/parcels/{id}", get(detail))
        .route("/parcels/{id}/pick-up", post(pick_up))
        .route("/parcels/{id}/return", post(give_back))
        .route("/parcels/{id}/signature.png", get(signature))
        .route("/portal/parcels", get(mine))
}

/// A parcel as the desk's list and the portal show it.
pub struct Row {
    pub id: i64,
    pub kind: &'static str,
    pub carrier: String,
    pub tracking: String,
    pub recipient: String,
    pub phone: String,
    pub shelf: String,
    pub code: String,
    pub state: &'static str,
    pub state_code: &'static str,
    pub received: String,
    pub days: i64,
    pub picked: String,
    pub picked_by: String,
    pub reminders: i64,
}

fn row(p: &Parcel, l: crate::locale::Locale, tz: chrono_tz::Tz) -> Row {
    Row {
        id: p.id.0,
        kind: label(ParcelKind::ALL, &p.kind, l),
        carrier: p.carrier.clone(),
        tracking: p.tracking_no.clone().unwrap_or_default(),
        recipient: p.recipient_name.clone(),
        phone: p.phone.clone().unwrap_or_default(),
        shelf: p.shelf.clone().unwrap_or_default(),
        code: p.code.clone(),
        state: label(ParcelState::ALL, &p.state, l),
        state_code: p.state.code(),
        received: local_time(p.received_at, tz),
        days: p.days_held,
        picked: p
            .picked_at
            .or(p.returned_at)
            .map(|t| local_time(t, tz))
            .unwrap_or_default(),
        picked_by: p.picked_by_name.clone().unwrap_or_default(),
        reminders: p.reminders,
    }
}

#[derive(Template)]
#[template(path = "frontdesk/parcels.html")]
struct DeskPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    kinds: Vec<Opt>,
    states: Vec<Opt>,
    q: DeskQ,
    f: IntakeForm,
    rows: Vec<Row>,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeskQ {
    community: Option<String>,
    state: String,
    q: String,
    /// Held at least this many days (the reminders' list).
    older: String,
    /// The carrier of the batch being received.
    carrier: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct IntakeForm {
    community: i64,
    kind: String,
    carrier: String,
    tracking_no: String,
    unit_label: String,
    recipient_name: String,
    phone: String,
    shelf: String,
    note: String,
}

impl IntakeForm {
    fn input(&self) -> ParcelForCreate {
        let some = |s: &str| Some(s.to_string()).filter(|s| !s.trim().is_empty());
        ParcelForCreate {
            kind: some(&self.kind),
            carrier: self.carrier.clone(),
            tracking_no: some(&self.tracking_no),
            unit_id: None,
            unit_label: some(&self.unit_label),
            recipient_id: None,
            recipient_name: some(&self.recipient_name),
            phone: some(&self.phone),
            shelf: some(&self.shelf),
            note: some(&self.note),
        }
    }
}

/// The desk list's filter: what waits on the shelves unless another state is asked for.
fn desk_filter(q: &DeskQ) -> ParcelFilter {
    ParcelFilter {
        state: Some(if q.state.is_empty() {
            "held".into()
        } else {
            q.state.clone()
        })
        .filter(|s| s != "all"),
        unit_id: None,
        older_than_days: q.older.trim().parse().ok(),
        q: Some(q.q.clone()).filter(|s| !s.trim().is_empty()),
    }
}

/// The list as .xlsx: every parcel under the desk's filters (not only the 500 it shows).
async fn export(
    State(st): State<AppState>,
    u: ConsoleUser,
    Query(q): Query<DeskQ>,
) -> Result<axum::response::Response, PageError> {
    let (_, c) = community_of(&st, &u, q.community.as_deref()).await?;
    let file = frontdesk::parcels_xlsx(&st.core, &u.ctx, CommunityId(c), desk_filter(&q))
        .await
        .map_err(|e| PageError::new(&u, e))?;
    Ok(crate::api::import::xlsx_file(file, "parcels.xlsx"))
}

async fn render_desk(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    q: DeskQ,
    f: Option<IntakeForm>,
) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let rows =
        match frontdesk::list_parcels(&st.core, &u.ctx, CommunityId(c), desk_filter(&q)).await {
            Ok(v) => v.iter().map(|p| row(p, u.locale, tz)).collect(),
            Err(CoreError::Invalid(_)) => Vec::new(),
            Err(e) => return Err(PageError::new(u, e)),
        };
    let f = f.unwrap_or_else(|| IntakeForm {
        community: c,
        carrier: q.carrier.clone(),
        ..Default::default()
    });
    Ok(page(&DeskPage {
        s,
        communities,
        community: c,
        kinds: opts(ParcelKind::ALL, u.locale),
        states: opts(ParcelState::ALL, u.locale),
        q,
        f,
        rows,
    }))
}

async fn desk(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DeskQ>) -> PageResult {
    render_desk(&st, &u, Shell::of(&u), q, None).await
}

async fn receive(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<IntakeForm>,
) -> PageResult {
    let c = f.community;
    match frontdesk::receive_parcel(&st.core, &u.ctx, CommunityId(c), f.input()).await {
        Ok(p) => {
            let to = format!(
                "/parcels?community={c}&carrier={}",
                crate::extract::urlencode(&p.carrier)
            );
            let msg = u.locale.tf(
                "fd.parcel_received",
                &[
                    ("name", p.recipient_name.as_str()),
                    ("code", p.code.as_str()),
                    ("shelf", p.shelf.as_deref().unwrap_or("—")),
                ],
            );
            Ok(done(&st, &u, &to, msg))
        }
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            let q = DeskQ {
                community: Some(c.to_string()),
                ..Default::default()
            };
            let mut r = render_desk(&st, &u, Shell::of(&u).with_error(&e), q, Some(f)).await?;
            *r.status_mut() = status;
            Ok(r)
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct FindQ {
    community: i64,
    code: String,
}

/// The parcel held under the code the recipient shows: its page, the code filled in.
async fn find(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<FindQ>) -> PageResult {
    let back = format!("/parcels?community={}", q.community);
    match frontdesk::parcel_by_code(&st.core, &u.ctx, CommunityId(q.community), &q.code).await {
        Ok(p) => Ok(
            axum::response::Redirect::to(&format!("/parcels/{}?code={}", p.id, p.code))
                .into_response(),
        ),
        Err(CoreError::NotFound("parcel")) => {
            Ok(refused(&st, &u, &back, u.locale.t("fd.no_parcel_code")))
        }
        Err(e @ CoreError::Invalid(_)) => Ok(refused(&st, &u, &back, describe(&e, u.locale).3)),
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RemindForm {
    community: i64,
    older_than_days: i64,
}

async fn remind(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<RemindForm>,
) -> PageResult {
    let to = format!(
        "/parcels?community={}&older={}",
        f.community, f.older_than_days
    );
    let input = ParcelReminders {
        older_than_days: f.older_than_days,
    };
    match frontdesk::remind_parcels(&st.core, &u.ctx, CommunityId(f.community), input).await {
        Ok(r) => {
            let n = r.reminded.to_string();
            Ok(done(
                &st,
                &u,
                &to,
                u.locale.tf("fd.parcels_reminded", &[("n", n.as_str())]),
            ))
        }
        Err(e) => said(&st, &u, &to, Err(e), ""),
    }
}

#[derive(Template)]
#[template(path = "frontdesk/parcel.html")]
struct DetailPage {
    s: Shell,
    p: Parcel,
    r: Row,
    held: bool,
    method: &'static str,
    signed: bool,
    f: PickupForm,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PickupForm {
    method: String,
    code: String,
    id_number: String,
    picked_by_name: String,
    signature: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailQ {
    code: String,
}

async fn render_detail(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    id: i64,
    f: PickupForm,
) -> PageResult {
    let p = frontdesk::get_parcel(&st.core, &u.ctx, ParcelId(id))
        .await
        .or_page(u)?;
    let tz = zone(st, u, p.community_id.0).await;
    Ok(page(&DetailPage {
        s,
        r: row(&p, u.locale, tz),
        held: p.state == ParcelState::Held,
        method: p
            .pickup_method
            .as_ref()
            .map(|m| label(PickupMethod::ALL, m, u.locale))
            .unwrap_or(""),
        signed: p.state == ParcelState::Picked,
        p,
        f,
    }))
}

async fn detail(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    Query(q): Query<DetailQ>,
) -> PageResult {
    let f = PickupForm {
        method: "code".into(),
        code: q.code,
        ..Default::default()
    };
    render_detail(&st, &u, Shell::of(&u), id, f).await
}

async fn pick_up(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PickupForm>,
) -> PageResult {
    let some = |s: &str| Some(s.trim().to_string()).filter(|s| !s.is_empty());
    let input = ParcelPickup {
        method: f.method.clone(),
        code: some(&f.code),
        id_number: some(&f.id_number),
        picked_by_name: some(&f.picked_by_name),
        signature: f.signature.clone(),
    };
    match frontdesk::pick_up_parcel(&st.core, &u.ctx, ParcelId(id), input).await {
        Ok(p) => Ok(done(
            &st,
            &u,
            &format!("/parcels?community={}", p.community_id),
            u.locale.tf(
                "fd.parcel_handed",
                &[
                    ("name", p.picked_by_name.as_deref().unwrap_or("")),
                    ("shelf", p.shelf.as_deref().unwrap_or("—")),
                ],
            ),
        )),
        Err(e @ (CoreError::Invalid(_) | CoreError::Conflict(_))) => {
            let status = describe(&e, u.locale).0;
            // The drawn signature is not sent back: the recipient signs again.
            let f = PickupForm {
                signature: String::new(),
                ..f
            };
            let mut r = render_detail(&st, &u, Shell::of(&u).with_error(&e), id, f).await?;
            *r.status_mut() = status;
            Ok(r)
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
    let input = ParcelReturn {
        note: Some(f.note).filter(|n| !n.trim().is_empty()),
    };
    let r = frontdesk::return_parcel(&st.core, &u.ctx, ParcelId(id), input).await;
    said(
        &st,
        &u,
        &format!("/parcels/{id}"),
        r.map(|_| ()),
        "fd.parcel_returned",
    )
}

async fn signature(State(st): State<AppState>, u: ConsoleUser, Id(id): Id) -> PageResult {
    let png = frontdesk::parcel_signature(&st.core, &u.ctx, ParcelId(id))
        .await
        .or_page(&u)?;
    Ok(image_response("image/png".into(), png))
}

#[derive(Template)]
#[template(path = "portal/parcels.html")]
struct MinePage {
    s: Shell,
    rows: Vec<Row>,
}

/// The owner's parcels: those waiting with their codes in large type, then those handed over.
async fn mine(State(st): State<AppState>, u: ConsoleUser) -> PageResult {
    let tz = super::super::forms::default_zone();
    let rows = frontdesk::my_parcels(&st.core, &u.ctx)
        .await
        .or_page(&u)?
        .iter()
        .map(|p| row(p, u.locale, tz))
        .collect();
    Ok(page(&MinePage {
        s: Shell::of(&u),
        rows,
    }))
}
