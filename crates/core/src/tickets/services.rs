//! Paid services (有偿服务): the community's published price list (明码标价), the lines a
//! technician records when the work is done, and their hand-over to billing.
//!
//! The hand-over (agreed with the billing design): when a request with paid services is done,
//! one row goes to `pending_charges` — community, unit, amount in fen, source `request` and the
//! request's id, a description. Billing posts each pending row as a charge (应收) of the unit
//! exactly once and writes the charge's id back. A request done again after a reopen replaces
//! its rows not yet posted; one already posted stays, and a correction is billing's reversal.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Tx;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{parse_code, required_text};

use super::error::TicketCode;
use super::model::ServiceLineInput;
use super::store::{self, requests::RequestRow};

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PaidService {
    pub id: i64,
    pub community_id: CommunityId,
    pub code: String,
    pub name: String,
    /// 次, 项, 个, 米 …
    pub unit: String,
    pub price_fen: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct PaidServiceForSave {
    pub community_id: CommunityId,
    pub code: String,
    pub name: String,
    /// 次, 项, 个, 米 …
    pub unit_name: String,
    /// Yuan, at most two decimals ("35.50").
    pub price: String,
    pub active: Option<bool>,
}

/// The community's price list: published, so every user who reaches the community (owners
/// included) may read it.
pub async fn list_services(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    active_only: bool,
) -> CoreResult<Vec<PaidService>> {
    if !ctx.reaches(community) {
        return Err(CoreError::NotFound("community"));
    }
    store::services::list(&core.db, community, active_only).await
}

/// Creates or updates an item of the price list by its code (needs `tickets.manage`).
pub async fn save_service(
    core: &Core,
    ctx: &Ctx,
    input: PaidServiceForSave,
) -> CoreResult<PaidService> {
    ctx.require_in(Perm::TicketsManage, input.community_id)?;
    let mut c = Checks::new();
    let code = c.take(parse_code("code", &input.code, 20));
    let name = c.take(required_text("name", &input.name, 50));
    let unit = c.take(required_text("unit_name", &input.unit_name, 10));
    let price = c.take(Money::from_yuan_str("price", &input.price));
    c.finish()?;
    let (Some(code), Some(name), Some(unit), Some(price)) = (code, name, unit, price) else {
        return Err(CoreError::internal("validated service"));
    };
    let mut tx = core.db.begin().await?;
    let before = store::services::by_code(&mut tx, input.community_id, &code).await?;
    let after = store::services::save(
        &mut tx,
        store::services::ServiceForWrite {
            community: input.community_id,
            code: &code,
            name: &name,
            unit: &unit,
            price_fen: price.0,
            active: input.active.unwrap_or(true),
            at: Utc::now(),
        },
    )
    .await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "paid_service",
        after.id,
    )
    .community(input.community_id)
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// One priced line of a request's paid service.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ChargeLine {
    pub service_id: i64,
    pub name: String,
    pub unit_price_fen: i64,
    pub quantity: i64,
    pub amount_fen: i64,
}

/// Prices the lines a technician entered from the community's active list; each problem names
/// its line (`services[1].quantity`).
pub(super) async fn price_lines(
    tx: &mut Tx,
    community: CommunityId,
    input: &[ServiceLineInput],
) -> CoreResult<Vec<ChargeLine>> {
    let mut out = Vec::new();
    let mut errs = Vec::new();
    if input.len() > 20 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("services", TicketCode::TooMany).with("max", 20),
        ]));
    }
    for (i, l) in input.iter().enumerate() {
        let svc = store::services::active_by_id(tx, community, l.service_id).await?;
        let Some(svc) = svc else {
            errs.push(FieldError::new(
                format!("services[{i}].service_id"),
                TicketCode::UnknownService,
            ));
            continue;
        };
        if !(1..=999).contains(&l.quantity) {
            errs.push(FieldError::new(
                format!("services[{i}].quantity"),
                TicketCode::OutOfRange,
            ));
            continue;
        }
        out.push(ChargeLine {
            service_id: svc.id,
            name: svc.name,
            unit_price_fen: svc.price_fen,
            quantity: l.quantity,
            amount_fen: svc.price_fen * l.quantity,
        });
    }
    if errs.is_empty() {
        Ok(out)
    } else {
        Err(CoreError::Invalid(errs))
    }
}

/// Writes a done request's lines and its hand-over row to billing (replacing those of an
/// earlier completion that billing has not posted).
pub(super) async fn record_lines(
    tx: &mut Tx,
    community: CommunityId,
    r: &RequestRow,
    lines: &[ChargeLine],
    now: DateTime<Utc>,
) -> CoreResult<()> {
    store::services::clear_lines(tx, community, r.id).await?;
    for l in lines {
        store::services::insert_line(tx, community, r.id, l).await?;
    }
    let total: i64 = lines.iter().map(|l| l.amount_fen).sum();
    if let (Some(unit), true) = (r.unit_id, total > 0) {
        let what: Vec<String> = lines
            .iter()
            .map(|l| format!("{}×{}", l.name, l.quantity))
            .collect();
        store::services::insert_pending(
            tx,
            community,
            unit,
            r.id,
            format!("有偿服务 {}：{}", r.number, what.join("、")),
            total,
            now,
        )
        .await?;
    }
    Ok(())
}

/// The priced lines of a request.
pub async fn charge_lines(core: &Core, ctx: &Ctx, id: RequestId) -> CoreResult<Vec<ChargeLine>> {
    let r = super::service::get_request(core, ctx, id).await?;
    store::services::lines(&core.db, r.community_id, id).await
}

/// A charge waiting for billing.
#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct PendingCharge {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub source: String,
    pub source_id: i64,
    pub description: String,
    pub amount_fen: i64,
    pub created_at: DateTime<Utc>,
    pub charge_id: Option<i64>,
}

/// The hand-over rows of a community not yet posted by billing (needs `tickets.manage`).
pub async fn pending_charges(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<PendingCharge>> {
    ctx.require_in(Perm::TicketsManage, community)?;
    store::services::pending(&core.db, community).await
}
