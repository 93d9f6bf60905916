//! Paid services: the community's price list (`paid_services`), a request's priced lines
//! (`request_charge_lines`) and their hand-over rows to billing (`pending_charges`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::services::{ChargeLine, PaidService, PendingCharge};

const SERVICE_COLS: &str = "id, community_id, code, name, unit, price_fen, active";

/// The price list by code (only the active items when asked).
pub(in crate::tickets) async fn list(
    db: &Db,
    community: CommunityId,
    active_only: bool,
) -> CoreResult<Vec<PaidService>> {
    // The same statement shape either way (one cached plan each).
    let only = if active_only {
        " AND active = $2"
    } else {
        " AND $2 = $2"
    };
    db.read()
        .fetch_all(
            &format!(
                "SELECT {SERVICE_COLS} FROM paid_services WHERE community_id = $1{only} ORDER BY code"
            ),
            args![community, true],
        )
        .await
}

pub(in crate::tickets) async fn by_code(
    tx: &mut Tx,
    community: CommunityId,
    code: &str,
) -> CoreResult<Option<PaidService>> {
    tx.fetch_optional(
        &format!("SELECT {SERVICE_COLS} FROM paid_services WHERE community_id = $1 AND code = $2"),
        args![community, code],
    )
    .await
}

/// An active item of the community's list.
pub(in crate::tickets) async fn active_by_id(
    tx: &mut Tx,
    community: CommunityId,
    id: i64,
) -> CoreResult<Option<PaidService>> {
    tx.fetch_optional(
        &format!(
            "SELECT {SERVICE_COLS} FROM paid_services WHERE id = $1 AND community_id = $2 AND active = $3"
        ),
        args![id, community, true],
    )
    .await
}

/// An item as saved.
pub(in crate::tickets) struct ServiceForWrite<'a> {
    pub community: CommunityId,
    pub code: &'a str,
    pub name: &'a str,
    pub unit: &'a str,
    pub price_fen: i64,
    pub active: bool,
    pub at: DateTime<Utc>,
}

/// Writes an item (replacing the one of the same code) and reads it back.
pub(in crate::tickets) async fn save(
    tx: &mut Tx,
    s: ServiceForWrite<'_>,
) -> CoreResult<PaidService> {
    tx.execute(
        "INSERT INTO paid_services (community_id, code, name, unit, price_fen, active, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (community_id, code) DO UPDATE SET \
         name = $3, unit = $4, price_fen = $5, active = $6, updated_at = $7",
        args![
            s.community,
            s.code,
            s.name,
            s.unit,
            s.price_fen,
            s.active,
            s.at
        ],
    )
    .await?;
    tx.fetch_one(
        &format!("SELECT {SERVICE_COLS} FROM paid_services WHERE community_id = $1 AND code = $2"),
        args![s.community, s.code],
    )
    .await
}

/// Removes a request's lines and its hand-over rows billing has not posted yet.
pub(in crate::tickets) async fn clear_lines(
    tx: &mut Tx,
    community: CommunityId,
    request: RequestId,
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM request_charge_lines WHERE community_id = $1 AND request_id = $2",
        args![community, request],
    )
    .await?;
    tx.execute(
        "DELETE FROM pending_charges WHERE community_id = $1 AND source = $2 AND source_id = $3 \
         AND charge_id IS NULL",
        args![community, "request", request.0],
    )
    .await?;
    Ok(())
}

pub(in crate::tickets) async fn insert_line(
    tx: &mut Tx,
    community: CommunityId,
    request: RequestId,
    l: &ChargeLine,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO request_charge_lines (community_id, request_id, service_id, name, \
         unit_price_fen, quantity, amount_fen) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            community,
            request,
            l.service_id,
            l.name.as_str(),
            l.unit_price_fen,
            l.quantity,
            l.amount_fen
        ],
    )
    .await?;
    Ok(())
}

/// Hands a request's total over to billing, for the unit.
#[allow(clippy::too_many_arguments)]
pub(in crate::tickets) async fn insert_pending(
    tx: &mut Tx,
    community: CommunityId,
    unit: UnitId,
    request: RequestId,
    description: String,
    amount_fen: i64,
    at: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO pending_charges (community_id, unit_id, source, source_id, description, \
         amount_fen, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            community,
            unit,
            "request",
            request.0,
            description,
            amount_fen,
            at
        ],
    )
    .await?;
    Ok(())
}

pub(in crate::tickets) async fn lines(
    db: &Db,
    community: CommunityId,
    request: RequestId,
) -> CoreResult<Vec<ChargeLine>> {
    db.read()
        .fetch_all(
            "SELECT service_id, name, unit_price_fen, quantity, amount_fen FROM request_charge_lines \
             WHERE community_id = $1 AND request_id = $2 ORDER BY id",
            args![community, request],
        )
        .await
}

/// A community's hand-over rows not yet posted.
pub(in crate::tickets) async fn pending(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<PendingCharge>> {
    db.read()
        .fetch_all(
            "SELECT id, community_id, unit_id, source, source_id, description, amount_fen, created_at, \
             charge_id FROM pending_charges WHERE community_id = $1 AND charge_id IS NULL ORDER BY id",
            args![community],
        )
        .await
}
