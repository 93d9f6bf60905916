//! SQL of the ledger: an item's row, the filtered list, children (for the cycle check), and the
//! documents and photos of an item.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// An item of the ledger as stored.
    pub(crate) struct ItemRow {
        pub id: EquipmentId,
        pub community_id: CommunityId,
        pub system: String,
        pub category: Option<String>,
        pub code: String,
        pub name: String,
        pub location: Option<String>,
        pub building_id: Option<BuildingId>,
        pub model: Option<String>,
        pub maker: Option<String>,
        pub supplier: Option<String>,
        pub install_on: Option<NaiveDate>,
        pub warranty_until: Option<NaiveDate>,
        pub status: String,
        pub parent_id: Option<EquipmentId>,
        pub notes: Option<String>,
        pub created_at: DateTime<Utc>,
        pub updated_at: DateTime<Utc>,
    }
}

const COLS: &str = "id, community_id, system, category, code, name, location, building_id, model, \
     maker, supplier, install_on, warranty_until, status, parent_id, notes, created_at, updated_at";

/// The fields of an item that are written (new, edited or imported).
#[derive(Debug, Clone)]
pub(crate) struct ItemFields {
    pub system: String,
    pub category: Option<String>,
    pub code: String,
    pub name: String,
    pub location: Option<String>,
    pub building_id: Option<BuildingId>,
    pub model: Option<String>,
    pub maker: Option<String>,
    pub supplier: Option<String>,
    pub install_on: Option<NaiveDate>,
    pub warranty_until: Option<NaiveDate>,
    pub status: String,
    pub parent_id: Option<EquipmentId>,
    pub notes: Option<String>,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    f: &ItemFields,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<EquipmentId> {
    let id = tx
        .insert_id(
            "INSERT INTO equipment (community_id, system, category, code, name, location, \
             building_id, model, maker, supplier, install_on, warranty_until, status, parent_id, \
             notes, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $17) \
             RETURNING id",
            args![
                community,
                f.system.as_str(),
                f.category.clone(),
                f.code.as_str(),
                f.name.as_str(),
                f.location.clone(),
                f.building_id,
                f.model.clone(),
                f.maker.clone(),
                f.supplier.clone(),
                f.install_on,
                f.warranty_until,
                f.status.as_str(),
                f.parent_id,
                f.notes.clone(),
                by,
                now
            ],
        )
        .await?;
    Ok(EquipmentId(id))
}

pub(crate) async fn update(
    tx: &mut Tx,
    community: CommunityId,
    id: EquipmentId,
    f: &ItemFields,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE equipment SET system = $1, category = $2, code = $3, name = $4, location = $5, \
         building_id = $6, model = $7, maker = $8, supplier = $9, install_on = $10, \
         warranty_until = $11, status = $12, parent_id = $13, notes = $14, updated_at = $15 \
         WHERE community_id = $16 AND id = $17",
        args![
            f.system.as_str(),
            f.category.clone(),
            f.code.as_str(),
            f.name.as_str(),
            f.location.clone(),
            f.building_id,
            f.model.clone(),
            f.maker.clone(),
            f.supplier.clone(),
            f.install_on,
            f.warranty_until,
            f.status.as_str(),
            f.parent_id,
            f.notes.clone(),
            now,
            community,
            id
        ],
    )
    .await
}

/// Sets an item's status only (from an order or the item page).
pub(crate) async fn set_status(
    tx: &mut Tx,
    community: CommunityId,
    id: EquipmentId,
    status: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE equipment SET status = $1, updated_at = $2 WHERE community_id = $3 AND id = $4",
        args![status, now, community, id],
    )
    .await
}

/// An item by id (any community: the service checks the reach).
pub(crate) async fn get(q: &mut impl Queries, id: EquipmentId) -> CoreResult<Option<ItemRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM equipment WHERE id = $1"),
        args![id],
    )
    .await
}

/// An item of this community.
pub(crate) async fn get_in(
    q: &mut impl Queries,
    community: CommunityId,
    id: EquipmentId,
) -> CoreResult<Option<ItemRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM equipment WHERE community_id = $1 AND id = $2"),
        args![community, id],
    )
    .await
}

/// The id of the community's item with this code.
pub(crate) async fn id_of_code(
    q: &mut impl Queries,
    community: CommunityId,
    code: &str,
) -> CoreResult<Option<EquipmentId>> {
    let r: Option<(EquipmentId,)> = q
        .fetch_optional(
            "SELECT id FROM equipment WHERE community_id = $1 AND code = $2",
            args![community, code],
        )
        .await?;
    Ok(r.map(|(i,)| i))
}

/// What the ledger list is filtered by.
#[derive(Debug, Clone, Default)]
pub(crate) struct ItemQuery<'a> {
    pub system: Option<&'a str>,
    pub status: Option<&'a str>,
    pub building: Option<BuildingId>,
    pub search: Option<&'a str>,
    pub parent: Option<EquipmentId>,
    /// Only items whose status calls for attention (abnormal, under repair).
    pub attention: bool,
}

/// The community's items, by system then code.
pub(crate) async fn list(
    q: &mut impl Queries,
    community: CommunityId,
    f: &ItemQuery<'_>,
) -> CoreResult<Vec<ItemRow>> {
    let mut a = args![community];
    let mut w = String::from("community_id = $1");
    if let Some(s) = f.system {
        w.push_str(&format!(" AND system = {}", a.push(s)));
    }
    if let Some(s) = f.status {
        w.push_str(&format!(" AND status = {}", a.push(s)));
    }
    if let Some(b) = f.building {
        w.push_str(&format!(" AND building_id = {}", a.push(b)));
    }
    if let Some(p) = f.parent {
        w.push_str(&format!(" AND parent_id = {}", a.push(p)));
    }
    if f.attention {
        w.push_str(" AND status IN ('abnormal', 'under_repair')");
    }
    if let Some(s) = f.search {
        let p = a.push(format!("%{s}%"));
        w.push_str(&format!(
            " AND (code LIKE {p} OR name LIKE {p} OR location LIKE {p} OR category LIKE {p} \
             OR model LIKE {p})"
        ));
    }
    q.fetch_all(
        &format!("SELECT {COLS} FROM equipment WHERE {w} ORDER BY system, code LIMIT 2000"),
        a,
    )
    .await
}

/// The parent of each item of the community (for the cycle check).
pub(crate) async fn parents(
    q: &mut impl Queries,
    community: CommunityId,
) -> CoreResult<Vec<(EquipmentId, Option<EquipmentId>)>> {
    q.fetch_all(
        "SELECT id, parent_id FROM equipment WHERE community_id = $1",
        args![community],
    )
    .await
}

crate::row! {
    /// A document or photo of an item.
    pub(crate) struct FileRow {
        pub id: i64,
        pub name: String,
        pub content_type: String,
        pub path: String,
        pub created_at: DateTime<Utc>,
    }
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_file(
    tx: &mut Tx,
    community: CommunityId,
    item: EquipmentId,
    name: &str,
    content_type: &str,
    path: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO equipment_files (community_id, equipment_id, name, content_type, path, \
         created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![community, item, name, content_type, path, by, now],
    )
    .await
}

pub(crate) async fn files(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
) -> CoreResult<Vec<FileRow>> {
    q.fetch_all(
        "SELECT id, name, content_type, path, created_at FROM equipment_files \
         WHERE community_id = $1 AND equipment_id = $2 ORDER BY id",
        args![community, item],
    )
    .await
}

pub(crate) async fn file(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
    id: i64,
) -> CoreResult<Option<FileRow>> {
    q.fetch_optional(
        "SELECT id, name, content_type, path, created_at FROM equipment_files \
         WHERE community_id = $1 AND equipment_id = $2 AND id = $3",
        args![community, item, id],
    )
    .await
}

pub(crate) async fn file_count(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
) -> CoreResult<i64> {
    let (n,): (i64,) = q
        .fetch_one(
            "SELECT COUNT(*) FROM equipment_files WHERE community_id = $1 AND equipment_id = $2",
            args![community, item],
        )
        .await?;
    Ok(n)
}
