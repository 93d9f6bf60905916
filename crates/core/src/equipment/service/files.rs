//! Files of the ledger and of orders: an item's documents and photos, and an order's attachments
//! (the required ones are named by their label, e.g. 水质检测报告). PDF, JPEG, PNG or WebP, read
//! from their first bytes, at most 10 MB; written under the data directory before their row
//! commits (a file whose row failed is removed).

use chrono::{DateTime, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::orders::{OrderFile, seen_order};
use super::seen;
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::equipment::error::EquipmentCode;
use crate::equipment::model;
use crate::equipment::store;
use crate::shared::crypto::random_bytes;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

pub use crate::shared::files::MAX_FILE_BYTES;
pub const MAX_FILES: i64 = 50;

/// A document or photo of an item.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentFile {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

fn checked(field: &str, bytes: &[u8]) -> CoreResult<(&'static str, &'static str)> {
    crate::shared::files::checked(field, bytes, EquipmentCode::NotADocument)
}

use crate::shared::files::read;

pub(crate) async fn files_of(
    q: &mut impl Queries,
    community: CommunityId,
    item: EquipmentId,
) -> CoreResult<Vec<EquipmentFile>> {
    Ok(store::items::files(q, community, item)
        .await?
        .into_iter()
        .map(|f| EquipmentFile {
            id: f.id,
            name: f.name,
            content_type: f.content_type,
            created_at: f.created_at,
        })
        .collect())
}

/// Adds a document or photo to an item (needs `equipment.manage`); `name` is what it is
/// (说明书, 合格证, 照片), defaulting to its type.
pub async fn add_equipment_file(
    core: &Core,
    ctx: &Ctx,
    item: EquipmentId,
    name: Option<&str>,
    bytes: &[u8],
) -> CoreResult<EquipmentFile> {
    let r = seen(core, ctx, item).await?;
    ctx.require(Perm::EquipmentManage)?;
    let (ct, ext) = checked("file", bytes)?;
    let name = model::text("name", name, false, 100)
        .map_err(|e| CoreError::Invalid(vec![e]))?
        .unwrap_or_else(|| {
            if ext == "pdf" {
                "文档".into()
            } else {
                "照片".into()
            }
        });
    let mut tx = core.db.begin().await?;
    if store::items::file_count(&mut tx, r.community_id, item).await? >= MAX_FILES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", EquipmentCode::TooManyFiles).with("max", MAX_FILES),
        ]));
    }
    let rel = format!(
        "equipment/{}/{}/{}.{ext}",
        r.community_id,
        item,
        hex::encode(random_bytes::<12>())
    );
    let path = core.settings.files_dir.join(&rel);
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        let now = Utc::now();
        let id = store::items::insert_file(
            &mut tx,
            r.community_id,
            item,
            &name,
            ct,
            &rel,
            ctx.actor(),
            now,
        )
        .await?;
        audit::record(
            &mut tx,
            ctx,
            Entry::new(Action::Create, "equipment_file", id)
                .community(r.community_id)
                .after(
                    &serde_json::json!({ "equipment": item.0, "name": name, "size": bytes.len() }),
                ),
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(EquipmentFile {
            id,
            name: name.clone(),
            content_type: ct.into(),
            created_at: now,
        })
    })
    .await
}

/// A file of an item: its type, name and bytes.
pub async fn equipment_file(
    core: &Core,
    ctx: &Ctx,
    item: EquipmentId,
    file: i64,
) -> CoreResult<(String, String, Vec<u8>)> {
    let r = seen(core, ctx, item).await?;
    let f = store::items::file(&mut core.db.read(), r.community_id, item, file)
        .await?
        .ok_or(CoreError::NotFound("file"))?;
    let bytes = read(core.settings.files_dir.join(&f.path)).await?;
    Ok((f.content_type, f.name, bytes))
}

/// Attaches a file to an order that is not accepted yet (needs `equipment.work`); `label` names
/// the required attachment it answers (水质检测报告) or what it is.
pub async fn add_order_file(
    core: &Core,
    ctx: &Ctx,
    order: MaintenanceOrderId,
    label: &str,
    bytes: &[u8],
) -> CoreResult<OrderFile> {
    let r = seen_order(core, ctx, order).await?;
    ctx.require(Perm::EquipmentWork)?;
    let label = model::text("label", Some(label), true, 50)
        .map_err(|e| CoreError::Invalid(vec![e]))?
        .unwrap_or_default();
    let (ct, ext) = checked("file", bytes)?;
    if r.state == "accepted" {
        return Err(CoreError::conflict("state", EquipmentCode::OrderNotOpen));
    }
    let mut tx = core.db.begin().await?;
    if store::maintenance::order_files(&mut tx, r.community_id, order)
        .await?
        .len() as i64
        >= MAX_FILES
    {
        return Err(CoreError::Invalid(vec![
            FieldError::new("file", EquipmentCode::TooManyFiles).with("max", MAX_FILES),
        ]));
    }
    let rel = format!(
        "maintenance/{}/{}/{}.{ext}",
        r.community_id,
        order,
        hex::encode(random_bytes::<12>())
    );
    let path = core.settings.files_dir.join(&rel);
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        let now = Utc::now();
        let id = store::maintenance::insert_order_file(
            &mut tx,
            r.community_id,
            order,
            &label,
            ct,
            &rel,
            ctx.actor(),
            now,
        )
        .await?;
        tx.commit().await?;
        Ok::<_, CoreError>(OrderFile {
            id,
            label: label.clone(),
            content_type: ct.into(),
            created_at: now,
        })
    })
    .await
}

/// A file of an order: its type, label and bytes.
pub async fn order_file(
    core: &Core,
    ctx: &Ctx,
    order: MaintenanceOrderId,
    file: i64,
) -> CoreResult<(String, String, Vec<u8>)> {
    let r = seen_order(core, ctx, order).await?;
    let f = store::maintenance::order_files(&mut core.db.read(), r.community_id, order)
        .await?
        .into_iter()
        .find(|f| f.id == file)
        .ok_or(CoreError::NotFound("file"))?;
    let bytes = read(core.settings.files_dir.join(&f.path)).await?;
    Ok((f.content_type, f.label, bytes))
}
