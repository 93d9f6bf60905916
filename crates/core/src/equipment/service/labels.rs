//! QR labels of items: what a label prints (code, name, system, location) and the address its
//! QR code opens (the item's console page, which asks to log in first). The console renders a
//! sheet of them for printing.

use serde::Serialize;
use utoipa::ToSchema;

use super::{EquipmentFilter, list_equipment};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::{Core, Ctx};

/// One label.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentLabel {
    pub id: EquipmentId,
    pub code: String,
    pub name: String,
    /// The system's Chinese name.
    pub system: String,
    pub location: Option<String>,
    /// The console path the QR code opens (`/equipment/{id}`), to be joined to the site's
    /// address.
    pub path: String,
}

/// The labels of the community's items, filtered like the ledger (retired items left out).
pub async fn equipment_labels(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    f: &EquipmentFilter,
) -> CoreResult<Vec<EquipmentLabel>> {
    Ok(list_equipment(core, ctx, community, f)
        .await?
        .into_iter()
        .filter(|e| e.status != crate::equipment::model::Status::Retired)
        .map(|e| EquipmentLabel {
            id: e.id,
            path: format!("/equipment/{}", e.id),
            code: e.code,
            name: e.name,
            system: e.system.zh().to_string(),
            location: e.location,
        })
        .collect())
}
