//! The desk's paid services (有偿服务 · 商务服务 · 破/换门锁): the sale form first (a service of
//! the price list, how many, the unit typed as `1栋-1801` and the buyer — charged to that unit,
//! paid at the cashier), the day's sales, the price list a manager keeps (each row its own small
//! form), and the lock-change form with the owner's ID checked, with the latest lock changes.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::frontdesk::model::LockKind;
use wuye_core::frontdesk::{
    self, AfterHoursPermit, DeskSale, DeskSaleForCreate, DeskService, DeskServiceForSave,
    LockChange, LockChangeForCreate, LockFilter, PermitFilter, PermitForCreate, PermitRevoke,
};
use wuye_core::shared::ids::*;
use wuye_core::shared::money::Money;

use super::super::duty::{community_of, said};
use super::super::flash::done;
use super::super::forms::{Opt, form_time, label, local_time, opts};
use super::super::{Id, OrPage, PageError, PageResult, Shell, form_outcome, page};
use super::{manages, zone};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/desk-services", get(desk).post(sell))
        .route("/desk-services/new", post(add))
        .route("/desk-services/{id}", post(save))
        .route("/lock-changes", post(lock))
        .route("/after-hours-permits", post(issue_permit))
        .route("/after-hours-permits/{id}/revoke", post(revoke_permit))
}

#[derive(Template)]
#[template(path = "frontdesk/desk_services.html")]
struct DeskPage {
    s: Shell,
    communities: Vec<(i64, String)>,
    community: i64,
    can_manage: bool,
    services: Vec<DeskService>,
    sales: Vec<SaleRow>,
    locks: Vec<LockRow>,
    kinds: Vec<Opt>,
    f: SellForm,
    add: ServiceForm,
    lk: LockForm,
    pm: PermitForm,
    permits: Vec<PermitRow>,
    /// The form refused (`sell`, `add`, `lock`): its messages show beside its own fields only.
    which: &'static str,
}

impl DeskPage {
    fn yuan(&self, fen: &i64) -> String {
        Money(*fen).to_string()
    }
    fn err(&self, form: &str, field: &str) -> String {
        if self.which == form {
            self.s.ferr(field)
        } else {
            String::new()
        }
    }
}

/// A sale as the day's list shows it.
pub struct SaleRow {
    pub what: String,
    pub unit: String,
    pub buyer: String,
    pub amount: String,
    pub at: String,
    pub by: String,
}

fn sale_row(s: &DeskSale, tz: chrono_tz::Tz) -> SaleRow {
    SaleRow {
        what: format!("{} × {}{}", s.name, s.quantity, s.unit_name),
        unit: s.unit_label.clone(),
        buyer: s.buyer_name.clone(),
        amount: Money(s.amount_fen).to_string(),
        at: local_time(s.created_at, tz),
        by: s.sold_by_name.clone().unwrap_or_default(),
    }
}

/// A lock change as the list shows it.
pub struct LockRow {
    pub unit: String,
    pub owner: String,
    pub kind: &'static str,
    pub locksmith: String,
    pub reason: String,
    pub fee: String,
    pub at: String,
}

fn lock_row(k: &LockChange, l: crate::locale::Locale, tz: chrono_tz::Tz) -> LockRow {
    LockRow {
        unit: k.unit_label.clone(),
        owner: format!("{} {}", k.owner_name, k.id_masked),
        kind: label(LockKind::ALL, &k.kind, l),
        locksmith: k.locksmith.clone(),
        reason: k.reason.clone(),
        fee: if k.fee_fen > 0 {
            Money(k.fee_fen).to_string()
        } else {
            String::new()
        },
        at: local_time(k.created_at, tz),
    }
}

/// A permit as the day's list shows it.
pub struct PermitRow {
    pub id: i64,
    pub number: String,
    pub unit: String,
    pub applicant: String,
    pub workers: String,
    pub work: String,
    pub span: String,
    pub in_force: bool,
    pub revoked: String,
}

fn permit_row(p: &AfterHoursPermit, tz: chrono_tz::Tz) -> PermitRow {
    PermitRow {
        id: p.id.0,
        number: p.number.clone(),
        unit: p.unit_label.clone(),
        applicant: p.applicant_name.clone(),
        workers: p.workers.clone(),
        work: p.work.clone(),
        span: format!(
            "{} – {}",
            local_time(p.starts_at, tz),
            local_time(p.ends_at, tz)
        ),
        in_force: p.in_force,
        revoked: p.revoke_reason.clone().unwrap_or_default(),
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct PermitForm {
    community: i64,
    unit_label: String,
    applicant_name: String,
    workers: String,
    work: String,
    starts_at: String,
    ends_at: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct DeskQ {
    community: Option<String>,
    /// A permit number the guard typed: that permit alone in the list.
    permit: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct SellForm {
    community: i64,
    service_id: i64,
    quantity: String,
    unit_label: String,
    buyer_name: String,
    note: String,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ServiceForm {
    community: i64,
    name: String,
    unit_name: String,
    price: String,
    retired: String,
}

impl ServiceForm {
    fn input(&self) -> DeskServiceForSave {
        DeskServiceForSave {
            name: self.name.clone(),
            unit_name: self.unit_name.clone(),
            price: self.price.clone(),
            retired: Some(self.retired == "1"),
        }
    }
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct LockForm {
    community: i64,
    unit_label: String,
    owner_name: String,
    id_number: String,
    kind: String,
    locksmith: String,
    reason: String,
    fee: String,
}

fn some(s: &str) -> Option<String> {
    Some(s.trim().to_string()).filter(|s| !s.is_empty())
}

/// What a refused form brings back to the page.
#[derive(Default)]
struct Refused {
    which: &'static str,
    f: Option<SellForm>,
    add: Option<ServiceForm>,
    lk: Option<LockForm>,
    pm: Option<PermitForm>,
}

async fn render(st: &AppState, u: &ConsoleUser, s: Shell, q: DeskQ, r: Refused) -> PageResult {
    let (communities, c) = community_of(st, u, q.community.as_deref()).await?;
    let tz = zone(st, u, c).await;
    let services = frontdesk::list_desk_services(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let sales = frontdesk::list_desk_sales(&st.core, &u.ctx, CommunityId(c), None)
        .await
        .or_page(u)?
        .iter()
        .map(|x| sale_row(x, tz))
        .collect();
    let locks =
        frontdesk::list_lock_changes(&st.core, &u.ctx, CommunityId(c), LockFilter::default())
            .await
            .or_page(u)?
            .iter()
            .take(20)
            .map(|k| lock_row(k, u.locale, tz))
            .collect();
    let permits = if q.permit.trim().is_empty() {
        frontdesk::list_permits(&st.core, &u.ctx, CommunityId(c), PermitFilter::default())
            .await
            .or_page(u)?
    } else {
        match frontdesk::permit_by_number(&st.core, &u.ctx, CommunityId(c), &q.permit).await {
            Ok(p) => vec![p],
            Err(CoreError::NotFound(_)) => Vec::new(),
            Err(e) => return Err(PageError::new(u, e)),
        }
    }
    .iter()
    .map(|p| permit_row(p, tz))
    .collect();
    Ok(page(&DeskPage {
        s,
        communities,
        community: c,
        can_manage: manages(u),
        services,
        sales,
        locks,
        kinds: opts(LockKind::ALL, u.locale),
        f: r.f.unwrap_or_else(|| SellForm {
            community: c,
            quantity: "1".into(),
            ..Default::default()
        }),
        add: r.add.unwrap_or_else(|| ServiceForm {
            community: c,
            ..Default::default()
        }),
        lk: r.lk.unwrap_or_else(|| LockForm {
            community: c,
            kind: "change".into(),
            ..Default::default()
        }),
        pm: r.pm.unwrap_or_else(|| PermitForm {
            community: c,
            ..Default::default()
        }),
        permits,
        which: r.which,
    }))
}

async fn desk(State(st): State<AppState>, u: ConsoleUser, Query(q): Query<DeskQ>) -> PageResult {
    render(&st, &u, Shell::of(&u), q, Refused::default()).await
}

/// The page again with a refused form's input (`s` carries each message beside its field).
async fn again(st: &AppState, u: &ConsoleUser, c: i64, s: Shell, r: Refused) -> PageResult {
    let q = DeskQ {
        community: Some(c.to_string()),
        permit: String::new(),
    };
    render(st, u, s, q, r).await
}

async fn sell(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<SellForm>,
) -> PageResult {
    let c = f.community;
    let r = if f.service_id <= 0 {
        Err(CoreError::invalid(
            "service_id",
            wuye_core::shared::error::CommonCode::Choose,
        ))
    } else {
        let input = DeskSaleForCreate {
            quantity: some(&f.quantity).map(|q| q.parse().unwrap_or(0)),
            unit_id: None,
            unit_label: some(&f.unit_label),
            person_id: None,
            buyer_name: some(&f.buyer_name),
            note: some(&f.note),
        };
        frontdesk::sell_desk_service(&st.core, &u.ctx, DeskServiceId(f.service_id), input).await
    };

    form_outcome(
        &u,
        r,
        |s| {
            let msg = u
                .locale
                .t("fd.service_sold")
                .replace(
                    "{what}",
                    &format!("{} × {}{}", s.name, s.quantity, s.unit_name),
                )
                .replace("{amount}", &Money(s.amount_fen).to_string())
                .replace("{unit}", &s.unit_label);
            done(&st, &u, &format!("/desk-services?community={c}"), msg)
        },
        |s| async {
            let r = Refused {
                which: "sell",
                f: Some(f),
                ..Default::default()
            };
            again(&st, &u, c, s, r).await
        },
    )
    .await
}

async fn add(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<ServiceForm>,
) -> PageResult {
    let c = f.community;
    let r = frontdesk::create_desk_service(&st.core, &u.ctx, CommunityId(c), f.input()).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/desk-services?community={c}"),
                u.locale.t("fd.service_saved"),
            )
        },
        |s| async {
            let r = Refused {
                which: "add",
                add: Some(f),
                ..Default::default()
            };
            again(&st, &u, c, s, r).await
        },
    )
    .await
}

async fn save(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<ServiceForm>,
) -> PageResult {
    let c = f.community;
    let r = frontdesk::update_desk_service(&st.core, &u.ctx, DeskServiceId(id), f.input()).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/desk-services?community={c}"),
                u.locale.t("fd.service_saved"),
            )
        },
        |s| async {
            let r = Refused {
                which: "add",
                ..Default::default()
            };
            again(&st, &u, c, s, r).await
        },
    )
    .await
}

async fn lock(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<LockForm>,
) -> PageResult {
    let c = f.community;
    let input = LockChangeForCreate {
        unit_id: None,
        unit_label: some(&f.unit_label),
        person_id: None,
        owner_name: some(&f.owner_name),
        id_number: f.id_number.clone(),
        kind: f.kind.clone(),
        locksmith: f.locksmith.clone(),
        reason: f.reason.clone(),
        fee: some(&f.fee),
    };
    let r = frontdesk::change_lock(&st.core, &u.ctx, CommunityId(c), input).await;
    form_outcome(
        &u,
        r,
        |_| {
            done(
                &st,
                &u,
                &format!("/desk-services?community={c}"),
                u.locale.t("fd.lock_recorded"),
            )
        },
        |s| async {
            // The ID number typed is not sent back to the page.
            let lk = LockForm {
                id_number: String::new(),
                ..f
            };
            let r = Refused {
                which: "lock",
                lk: Some(lk),
                ..Default::default()
            };
            again(&st, &u, c, s, r).await
        },
    )
    .await
}

async fn issue_permit(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<PermitForm>,
) -> PageResult {
    let c = f.community;
    let tz = zone(&st, &u, c).await;
    let mut errs = Vec::new();
    let starts = form_time("starts_at", &f.starts_at, tz, &mut errs);
    let ends = form_time("ends_at", &f.ends_at, tz, &mut errs);
    let r = match (starts, ends) {
        (Some(starts_at), Some(ends_at)) if errs.is_empty() => {
            let input = PermitForCreate {
                unit_id: None,
                unit_label: some(&f.unit_label),
                applicant_id: None,
                applicant_name: some(&f.applicant_name),
                workers: f.workers.clone(),
                work: f.work.clone(),
                starts_at,
                ends_at,
            };
            frontdesk::issue_permit(&st.core, &u.ctx, CommunityId(c), input).await
        }
        _ => {
            for (field, raw) in [("starts_at", &f.starts_at), ("ends_at", &f.ends_at)] {
                if raw.trim().is_empty() {
                    errs.push(wuye_core::FieldError::new(
                        field,
                        wuye_core::shared::error::CommonCode::Required,
                    ));
                }
            }
            Err(CoreError::Invalid(errs))
        }
    };

    form_outcome(
        &u,
        r,
        |p| {
            let msg = u
                .locale
                .t("fd.permit_issued")
                .replace("{number}", &p.number);
            done(&st, &u, &format!("/desk-services?community={c}"), msg)
        },
        |s| async {
            let r = Refused {
                which: "permit",
                pm: Some(f),
                ..Default::default()
            };
            again(&st, &u, c, s, r).await
        },
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct RevokeForm {
    community: i64,
    reason: String,
}

async fn revoke_permit(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<RevokeForm>,
) -> PageResult {
    let input = PermitRevoke { reason: f.reason };
    let r = frontdesk::revoke_permit(&st.core, &u.ctx, AfterHoursPermitId(id), input).await;
    let to = format!("/desk-services?community={}", f.community);
    said(&st, &u, &to, r.map(|_| ()), "fd.permit_revoked_done")
}
