//! SQL of the desk's paid services: the price list (`desk_services`), the sales
//! (`desk_sales`) and the locks changed (`lock_changes`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A service of the price list.
    pub(crate) struct ServiceRow {
        pub id: DeskServiceId,
        pub community_id: CommunityId,
        pub name: String,
        pub unit_name: String,
        pub price_fen: i64,
        pub retired_at: Option<DateTime<Utc>>,
    }
}

const SERVICE_COLS: &str = "id, community_id, name, unit_name, price_fen, retired_at";

pub(crate) async fn services(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<ServiceRow>> {
    q.fetch_all(
        &format!(
            "SELECT {SERVICE_COLS} FROM desk_services WHERE community_id = $1 \
             ORDER BY retired_at IS NOT NULL, name, id"
        ),
        args![c],
    )
    .await
}

pub(crate) async fn service(
    q: &mut impl Queries,
    id: DeskServiceId,
) -> CoreResult<Option<ServiceRow>> {
    q.fetch_optional(
        &format!("SELECT {SERVICE_COLS} FROM desk_services WHERE id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn insert_service(
    tx: &mut Tx,
    c: CommunityId,
    name: &str,
    unit_name: &str,
    price_fen: i64,
    retired: bool,
    now: DateTime<Utc>,
) -> CoreResult<DeskServiceId> {
    let id = tx
        .insert_id(
            "INSERT INTO desk_services (community_id, name, unit_name, price_fen, retired_at, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
            args![c, name, unit_name, price_fen, retired.then_some(now), now],
        )
        .await?;
    Ok(DeskServiceId(id))
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn update_service(
    tx: &mut Tx,
    c: CommunityId,
    id: DeskServiceId,
    name: &str,
    unit_name: &str,
    price_fen: i64,
    retired: bool,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE desk_services SET name = $1, unit_name = $2, price_fen = $3, \
         retired_at = CASE WHEN $4 THEN COALESCE(retired_at, $5) ELSE NULL END, updated_at = $5 \
         WHERE community_id = $6 AND id = $7",
        args![name, unit_name, price_fen, retired, now, c, id],
    )
    .await
}

crate::row! {
    /// A sale with its unit's label.
    pub(crate) struct SaleRow {
        pub id: DeskSaleId,
        pub community_id: CommunityId,
        pub service_id: DeskServiceId,
        pub name: String,
        pub unit_name: String,
        pub quantity: i64,
        pub price_fen: i64,
        pub amount_fen: i64,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub buyer_name: String,
        pub charge_id: Option<i64>,
        pub note: Option<String>,
        pub sold_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const SALE_SELECT: &str = "SELECT s.id, s.community_id, s.service_id, s.name, s.unit_name, s.quantity, s.price_fen, \
     s.amount_fen, s.unit_id, b.name || '-' || u.unit_no AS unit_label, s.buyer_name, s.charge_id, s.note, \
     s.sold_by, s.created_at FROM desk_sales s JOIN units u ON u.id = s.unit_id \
     JOIN buildings b ON b.id = u.building_id";

/// A sale to write.
pub(crate) struct NewSale<'a> {
    pub service: DeskServiceId,
    pub name: &'a str,
    pub unit_name: &'a str,
    pub quantity: i64,
    pub price_fen: i64,
    pub amount_fen: i64,
    pub unit: UnitId,
    pub buyer_name: &'a str,
    pub charge: Option<i64>,
    pub note: Option<&'a str>,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_sale(
    tx: &mut Tx,
    c: CommunityId,
    s: NewSale<'_>,
    now: DateTime<Utc>,
) -> CoreResult<DeskSaleId> {
    let id = tx
        .insert_id(
            "INSERT INTO desk_sales (community_id, service_id, name, unit_name, quantity, price_fen, amount_fen, \
             unit_id, buyer_name, charge_id, note, sold_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
            args![c, s.service, s.name, s.unit_name, s.quantity, s.price_fen, s.amount_fen, s.unit,
                  s.buyer_name, s.charge, s.note, s.by, now],
        )
        .await?;
    Ok(DeskSaleId(id))
}

pub(crate) async fn sale(q: &mut impl Queries, id: DeskSaleId) -> CoreResult<Option<SaleRow>> {
    q.fetch_optional(&format!("{SALE_SELECT} WHERE s.id = $1"), args![id])
        .await
}

/// The community's sales between two instants, newest first.
pub(crate) async fn sales(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<SaleRow>> {
    q.fetch_all(
        &format!(
            "{SALE_SELECT} WHERE s.community_id = $1 AND s.created_at >= $2 AND s.created_at < $3 \
             ORDER BY s.created_at DESC, s.id DESC LIMIT $4"
        ),
        args![c, from, to, limit],
    )
    .await
}

crate::row! {
    /// A lock changed, with its unit's label.
    pub(crate) struct LockRow {
        pub id: LockChangeId,
        pub community_id: CommunityId,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub person_id: PersonId,
        pub owner_name: String,
        pub id_masked: String,
        pub kind: String,
        pub locksmith: String,
        pub reason: String,
        pub fee_fen: i64,
        pub charge_id: Option<i64>,
        pub done_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const LOCK_SELECT: &str = "SELECT k.id, k.community_id, k.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     k.person_id, k.owner_name, k.id_masked, k.kind, k.locksmith, k.reason, k.fee_fen, k.charge_id, k.done_by, \
     k.created_at FROM lock_changes k JOIN units u ON u.id = k.unit_id JOIN buildings b ON b.id = u.building_id";

/// A lock change to write.
pub(crate) struct NewLock<'a> {
    pub unit: UnitId,
    pub person: PersonId,
    pub owner_name: &'a str,
    pub id_masked: &'a str,
    pub kind: &'a str,
    pub locksmith: &'a str,
    pub reason: &'a str,
    pub fee_fen: i64,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_lock(
    tx: &mut Tx,
    c: CommunityId,
    k: NewLock<'_>,
    now: DateTime<Utc>,
) -> CoreResult<LockChangeId> {
    let id = tx
        .insert_id(
            "INSERT INTO lock_changes (community_id, unit_id, person_id, owner_name, id_masked, kind, locksmith, \
             reason, fee_fen, done_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
            args![c, k.unit, k.person, k.owner_name, k.id_masked, k.kind, k.locksmith, k.reason,
                  k.fee_fen, k.by, now],
        )
        .await?;
    Ok(LockChangeId(id))
}

pub(crate) async fn set_lock_charge(tx: &mut Tx, id: LockChangeId, charge: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE lock_changes SET charge_id = $1 WHERE id = $2",
        args![charge, id],
    )
    .await
}

pub(crate) async fn lock(q: &mut impl Queries, id: LockChangeId) -> CoreResult<Option<LockRow>> {
    q.fetch_optional(&format!("{LOCK_SELECT} WHERE k.id = $1"), args![id])
        .await
}

/// The community's lock changes, newest first (one unit's when given).
pub(crate) async fn locks(
    q: &mut impl Queries,
    c: CommunityId,
    unit: Option<UnitId>,
    limit: i64,
) -> CoreResult<Vec<LockRow>> {
    q.fetch_all(
        &format!(
            "{LOCK_SELECT} WHERE k.community_id = $1 AND ($2 IS NULL OR k.unit_id = $2) \
             ORDER BY k.created_at DESC, k.id DESC LIMIT $3"
        ),
        args![c, unit, limit],
    )
    .await
}

crate::row! {
    /// An after-hours work permit with its unit's label.
    pub(crate) struct PermitRow {
        pub id: AfterHoursPermitId,
        pub community_id: CommunityId,
        pub number: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub applicant_id: Option<PersonId>,
        pub applicant_name: String,
        pub workers: String,
        pub work: String,
        pub starts_at: DateTime<Utc>,
        pub ends_at: DateTime<Utc>,
        pub revoked_at: Option<DateTime<Utc>>,
        pub revoke_reason: Option<String>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const PERMIT_SELECT: &str = "SELECT p.id, p.community_id, p.number, p.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     p.applicant_id, p.applicant_name, p.workers, p.work, p.starts_at, p.ends_at, p.revoked_at, p.revoke_reason, \
     p.created_by, p.created_at FROM after_hours_permits p JOIN units u ON u.id = p.unit_id \
     JOIN buildings b ON b.id = u.building_id";

/// A permit to write.
pub(crate) struct NewPermit<'a> {
    pub number: &'a str,
    pub unit: UnitId,
    pub applicant: Option<PersonId>,
    pub applicant_name: &'a str,
    pub workers: &'a str,
    pub work: &'a str,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
    pub by: Option<UserId>,
}

pub(crate) async fn insert_permit(
    tx: &mut Tx,
    c: CommunityId,
    p: NewPermit<'_>,
    now: DateTime<Utc>,
) -> CoreResult<AfterHoursPermitId> {
    let id = tx
        .insert_id(
            "INSERT INTO after_hours_permits (community_id, number, unit_id, applicant_id, applicant_name, workers, \
             work, starts_at, ends_at, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) \
             RETURNING id",
            args![c, p.number, p.unit, p.applicant, p.applicant_name, p.workers, p.work, p.starts_at,
                  p.ends_at, p.by, now],
        )
        .await?;
    Ok(AfterHoursPermitId(id))
}

pub(crate) async fn permit(
    q: &mut impl Queries,
    id: AfterHoursPermitId,
) -> CoreResult<Option<PermitRow>> {
    q.fetch_optional(&format!("{PERMIT_SELECT} WHERE p.id = $1"), args![id])
        .await
}

pub(crate) async fn permit_by_number(
    q: &mut impl Queries,
    c: CommunityId,
    number: &str,
) -> CoreResult<Option<PermitRow>> {
    q.fetch_optional(
        &format!("{PERMIT_SELECT} WHERE p.community_id = $1 AND p.number = $2"),
        args![c, number],
    )
    .await
}

/// The community's permits whose time overlaps [from, to), by start.
pub(crate) async fn permits(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<PermitRow>> {
    q.fetch_all(
        &format!(
            "{PERMIT_SELECT} WHERE p.community_id = $1 AND p.starts_at < $3 AND p.ends_at > $2 \
             ORDER BY p.starts_at, p.id LIMIT $4"
        ),
        args![c, from, to, limit],
    )
    .await
}

/// Revokes a permit; 0 rows when it was already.
pub(crate) async fn revoke_permit(
    tx: &mut Tx,
    c: CommunityId,
    id: AfterHoursPermitId,
    by: Option<UserId>,
    reason: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE after_hours_permits SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 \
         WHERE community_id = $4 AND id = $5 AND revoked_at IS NULL",
        args![now, by, reason, c, id],
    )
    .await
}
