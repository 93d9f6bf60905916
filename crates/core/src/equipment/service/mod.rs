//! The ledger's use cases: who may see and keep it, an item's checks (code unique in the
//! community, building and parent of the same community, no parent cycle, warranty after
//! install), create, edit, status, the filtered list, an item's page with its history, and what
//! needs attention (for the shift handover). Plans, orders, readings, rooms, files and the import
//! are in the submodules.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::error::EquipmentCode;
use super::model::{self, Status, System};
use super::store;
use super::store::items::{ItemFields, ItemQuery, ItemRow};
use crate::audit::{self, Action, AuditRecord, Entry};
use crate::db::Queries;
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Core, Ctx, Perm};

pub mod files;
pub mod import;
pub mod labels;
pub mod orders;
pub mod plans;
pub mod readings;
pub mod rooms;

/// An item of the ledger.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Equipment {
    pub id: EquipmentId,
    pub community_id: CommunityId,
    pub system: System,
    pub category: Option<String>,
    /// Unique in the community (the label prints it).
    pub code: String,
    pub name: String,
    pub location: Option<String>,
    pub building_id: Option<BuildingId>,
    pub model: Option<String>,
    pub maker: Option<String>,
    pub supplier: Option<String>,
    pub install_on: Option<NaiveDate>,
    pub warranty_until: Option<NaiveDate>,
    /// The warranty ends within 30 days.
    pub warranty_soon: bool,
    pub status: Status,
    /// The item it sits in (a pump in its pump room).
    pub parent_id: Option<EquipmentId>,
    pub notes: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An item as entered (new or edited). Dates are `YYYY-MM-DD`; `system` and `status` take the
/// code or the Chinese name.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct EquipmentForUpdate {
    pub system: String,
    #[serde(default)]
    pub category: Option<String>,
    pub code: String,
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub building_id: Option<BuildingId>,
    #[serde(default)]
    pub model: Option<String>,
    #[serde(default)]
    pub maker: Option<String>,
    #[serde(default)]
    pub supplier: Option<String>,
    #[serde(default)]
    pub install_on: Option<String>,
    #[serde(default)]
    pub warranty_until: Option<String>,
    /// `in_service` when not given.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub parent_id: Option<EquipmentId>,
    #[serde(default)]
    pub notes: Option<String>,
}

/// What the ledger list is filtered by.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct EquipmentFilter {
    pub system: Option<String>,
    pub status: Option<String>,
    pub building_id: Option<BuildingId>,
    /// Part of the code, name, location, category or model.
    pub q: Option<String>,
}

/// What needs attention in a community: items running abnormally or under repair, overdue
/// maintenance orders, CCTV systems keeping too few days of footage.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[schema(as = EquipmentAttention)]
pub struct Attention {
    pub community_id: CommunityId,
    pub abnormal: Vec<Equipment>,
    pub overdue: Vec<orders::MaintenanceOrder>,
    pub short_retention: Vec<rooms::Cctv>,
}

/// An item with everything its page shows.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentPage {
    pub item: Equipment,
    pub parent: Option<Equipment>,
    pub children: Vec<Equipment>,
    pub plans: Vec<plans::MaintenancePlan>,
    pub orders: Vec<orders::MaintenanceOrder>,
    pub readings: Vec<readings::Reading>,
    pub files: Vec<files::EquipmentFile>,
    /// Its changes (status included), newest first.
    pub history: Vec<AuditRecord>,
}

/// The community's time zone (its days are the plans' days) and company.
pub(crate) async fn zone_of(
    q: &mut impl Queries,
    community: CommunityId,
) -> CoreResult<(CompanyId, Tz)> {
    let (company, _, tz) = crate::registry::store::for_community::company_of(q, community)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    Ok((company, crate::shared::calendar::zone(&tz)))
}

/// Today in the community.
pub(crate) fn today_in(tz: Tz, now: DateTime<Utc>) -> NaiveDate {
    now.with_timezone(&tz).date_naive()
}

/// The community is reached and the actor works on or keeps equipment.
pub(crate) fn may_see(ctx: &Ctx, community: CommunityId) -> CoreResult<()> {
    if !ctx.reaches(community) {
        return Err(CoreError::NotFound("community"));
    }
    if ctx.has(Perm::EquipmentWork) || ctx.has(Perm::EquipmentManage) {
        Ok(())
    } else {
        Err(CoreError::Forbidden)
    }
}

pub(crate) fn item_of(r: ItemRow, today: NaiveDate) -> CoreResult<Equipment> {
    Ok(Equipment {
        id: r.id,
        community_id: r.community_id,
        system: System::from_stored(&r.system)?,
        category: r.category,
        code: r.code,
        name: r.name,
        location: r.location,
        building_id: r.building_id,
        model: r.model,
        maker: r.maker,
        supplier: r.supplier,
        install_on: r.install_on,
        warranty_soon: model::warranty_soon(r.warranty_until, today),
        warranty_until: r.warranty_until,
        status: Status::from_stored(&r.status)?,
        parent_id: r.parent_id,
        notes: r.notes,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// An item the actor may see (another community's: not found).
pub(crate) async fn seen(core: &Core, ctx: &Ctx, id: EquipmentId) -> CoreResult<ItemRow> {
    let r = store::items::get(&mut core.db.read(), id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("equipment"))?;
    may_see(ctx, r.community_id)?;
    Ok(r)
}

/// Checks an item as entered; `id` is the item being edited. Every refused field is named.
pub(crate) async fn check_item(
    q: &mut impl Queries,
    community: CommunityId,
    input: &EquipmentForUpdate,
    id: Option<EquipmentId>,
) -> CoreResult<ItemFields> {
    let mut c = Checks::new();
    let system = c.take(System::parse("system", &input.system));
    let status = match input.status.as_deref().filter(|s| !s.trim().is_empty()) {
        Some(s) => c.take(Status::parse("status", s)),
        None => Some(Status::InService),
    };
    let code = c.take(model::text("code", Some(&input.code), true, 40));
    let name = c.take(model::text(
        "name",
        Some(&input.name),
        true,
        model::MAX_NAME,
    ));
    let category = c.take(model::text(
        "category",
        input.category.as_deref(),
        false,
        50,
    ));
    let location = c.take(model::text(
        "location",
        input.location.as_deref(),
        false,
        200,
    ));
    let mdl = c.take(model::text(
        "model",
        input.model.as_deref(),
        false,
        model::MAX_NAME,
    ));
    let maker = c.take(model::text(
        "maker",
        input.maker.as_deref(),
        false,
        model::MAX_NAME,
    ));
    let supplier = c.take(model::text(
        "supplier",
        input.supplier.as_deref(),
        false,
        model::MAX_NAME,
    ));
    let notes = c.take(model::text(
        "notes",
        input.notes.as_deref(),
        false,
        model::MAX_TEXT,
    ));
    let install_on = c.take(model::date("install_on", input.install_on.as_deref()));
    let warranty_until = c.take(model::date(
        "warranty_until",
        input.warranty_until.as_deref(),
    ));
    if let (Some(Some(i)), Some(Some(w))) = (install_on, warranty_until)
        && w < i
    {
        c.push(FieldError::new(
            "warranty_until",
            EquipmentCode::WarrantyBeforeInstall,
        ));
    }
    if let Some(b) = input.building_id {
        let ours = crate::registry::store::for_community::buildings(q, community).await?;
        if !ours.iter().any(|(x, _)| *x == b) {
            c.push(FieldError::new(
                "building_id",
                EquipmentCode::UnknownBuilding,
            ));
        }
    }
    if let Some(p) = input.parent_id {
        let parents: BTreeMap<EquipmentId, Option<EquipmentId>> =
            store::items::parents(q, community)
                .await?
                .into_iter()
                .collect();
        if !parents.contains_key(&p) {
            c.push(FieldError::new("parent_id", EquipmentCode::UnknownParent));
        } else if let Some(me) = id {
            // Walk up from the new parent: meeting the item itself is a cycle.
            let (mut at, mut steps) = (Some(p), 0);
            while let Some(x) = at {
                if x == me || steps > parents.len() {
                    c.push(FieldError::new("parent_id", EquipmentCode::ParentCycle));
                    break;
                }
                at = parents.get(&x).copied().flatten();
                steps += 1;
            }
        }
    }
    if let Some(Some(code)) = &code
        && let Some(other) = store::items::id_of_code(q, community, code).await?
        && Some(other) != id
    {
        c.push(FieldError::new("code", EquipmentCode::DuplicateCode));
    }
    c.finish()?;
    Ok(ItemFields {
        system: system.map(|s| s.code()).unwrap_or_default().to_string(),
        category: category.flatten(),
        code: code.flatten().unwrap_or_default(),
        name: name.flatten().unwrap_or_default(),
        location: location.flatten(),
        building_id: input.building_id,
        model: mdl.flatten(),
        maker: maker.flatten(),
        supplier: supplier.flatten(),
        install_on: install_on.flatten(),
        warranty_until: warranty_until.flatten(),
        status: status.map(|s| s.code()).unwrap_or("in_service").to_string(),
        parent_id: input.parent_id,
        notes: notes.flatten(),
    })
}

fn summary(f: &ItemFields) -> serde_json::Value {
    serde_json::json!({
        "code": f.code, "name": f.name, "system": f.system, "status": f.status,
        "location": f.location, "parent_id": f.parent_id.map(|p| p.0),
    })
}

/// The community's items, filtered (needs `equipment.work` or `equipment.manage`).
pub async fn list_equipment(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    f: &EquipmentFilter,
) -> CoreResult<Vec<Equipment>> {
    may_see(ctx, community)?;
    let mut q = core.db.read();
    let (_, tz) = zone_of(&mut q, community).await?;
    let today = today_in(tz, Utc::now());
    let system = match f.system.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(System::parse("system", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let status = match f.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => Some(Status::parse("status", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let search = f.q.as_deref().map(str::trim).filter(|s| !s.is_empty());
    let rows = store::items::list(
        &mut q,
        community,
        &ItemQuery {
            system: system.map(|s| s.code()),
            status: status.map(|s| s.code()),
            building: f.building_id,
            search,
            ..Default::default()
        },
    )
    .await?;
    rows.into_iter().map(|r| item_of(r, today)).collect()
}

/// One item.
pub async fn get_equipment(core: &Core, ctx: &Ctx, id: EquipmentId) -> CoreResult<Equipment> {
    let r = seen(core, ctx, id).await?;
    let (_, tz) = zone_of(&mut core.db.read(), r.community_id).await?;
    item_of(r, today_in(tz, Utc::now()))
}

/// An item's page: its parent and children, plans, orders, readings, files and history.
pub async fn equipment_page(core: &Core, ctx: &Ctx, id: EquipmentId) -> CoreResult<EquipmentPage> {
    let r = seen(core, ctx, id).await?;
    let c = r.community_id;
    let mut q = core.db.read();
    let (_, tz) = zone_of(&mut q, c).await?;
    let today = today_in(tz, Utc::now());
    let parent = match r.parent_id {
        Some(p) => store::items::get_in(&mut q, c, p)
            .await?
            .map(|p| item_of(p, today))
            .transpose()?,
        None => None,
    };
    let children = store::items::list(
        &mut q,
        c,
        &ItemQuery {
            parent: Some(id),
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|x| item_of(x, today))
    .collect::<CoreResult<Vec<_>>>()?;
    let plans = plans::plans_of(&mut q, c, Some(id)).await?;
    let orders = orders::orders_where(
        &mut q,
        c,
        today,
        &store::maintenance::OrderQuery {
            item: Some(id),
            ..Default::default()
        },
    )
    .await?;
    let readings = readings::readings_of(&mut q, c, id).await?;
    let files = files::files_of(&mut q, c, id).await?;
    drop(q);
    let mut history = audit::history(&core.db, c, "equipment", id.0).await?;
    history.truncate(100);
    Ok(EquipmentPage {
        item: item_of(r, today)?,
        parent,
        children,
        plans,
        orders,
        readings,
        files,
        history,
    })
}

/// Adds an item to the ledger (needs `equipment.manage`).
pub async fn create_equipment(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: EquipmentForUpdate,
) -> CoreResult<Equipment> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let mut tx = core.db.begin().await?;
    let f = check_item(&mut tx, community, &input, None).await?;
    let id = store::items::insert(&mut tx, community, &f, ctx.actor(), Utc::now())
        .await
        .map_err(|e| e.or_conflict("code", EquipmentCode::DuplicateCode))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "equipment", id.0)
            .community(community)
            .after(&summary(&f)),
    )
    .await?;
    tx.commit().await?;
    get_equipment(core, ctx, id).await
}

/// Edits an item (needs `equipment.manage`).
pub async fn update_equipment(
    core: &Core,
    ctx: &Ctx,
    id: EquipmentId,
    input: EquipmentForUpdate,
) -> CoreResult<Equipment> {
    let r = seen(core, ctx, id).await?;
    ctx.require(Perm::EquipmentManage)?;
    let c = r.community_id;
    let mut tx = core.db.begin().await?;
    let f = check_item(&mut tx, c, &input, Some(id)).await?;
    let before = serde_json::json!({
        "code": r.code, "name": r.name, "system": r.system, "status": r.status,
        "location": r.location, "parent_id": r.parent_id.map(|p| p.0),
    });
    store::items::update(&mut tx, c, id, &f, Utc::now())
        .await
        .map_err(|e| e.or_conflict("code", EquipmentCode::DuplicateCode))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "equipment", id.0)
            .community(c)
            .before(&before)
            .after(&summary(&f)),
    )
    .await?;
    tx.commit().await?;
    get_equipment(core, ctx, id).await
}

/// Sets an item's status (a technician reports it abnormal, a manager retires it): needs
/// `equipment.work`; retiring needs `equipment.manage`.
pub async fn set_equipment_status(
    core: &Core,
    ctx: &Ctx,
    id: EquipmentId,
    status: &str,
) -> CoreResult<Equipment> {
    let r = seen(core, ctx, id).await?;
    let s = Status::parse("status", status).map_err(|e| CoreError::Invalid(vec![e]))?;
    if s == Status::Retired || r.status == Status::Retired.code() {
        ctx.require(Perm::EquipmentManage)?;
    }
    let mut tx = core.db.begin().await?;
    store::items::set_status(&mut tx, r.community_id, id, s.code(), Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "equipment", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({ "status": r.status }))
            .after(&serde_json::json!({ "status": s.code() })),
    )
    .await?;
    tx.commit().await?;
    get_equipment(core, ctx, id).await
}

/// What needs attention in a community now: items abnormal or under repair, open maintenance
/// orders past their due date (soonest due first), CCTV systems keeping under 7 days of footage.
/// For the shift handover and the overview; needs `equipment.work` or `equipment.manage`.
pub async fn attention(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Attention> {
    may_see(ctx, community)?;
    let mut q = core.db.read();
    attention_in(&mut q, community, Utc::now()).await
}

/// [`attention`] without the permission check, in the caller's transaction or reader (for a
/// module that checked its own permission, e.g. the handover writing its record).
pub(crate) async fn attention_in(
    q: &mut impl Queries,
    community: CommunityId,
    now: DateTime<Utc>,
) -> CoreResult<Attention> {
    let (_, tz) = zone_of(q, community).await?;
    let today = today_in(tz, now);
    let abnormal = store::items::list(
        q,
        community,
        &ItemQuery {
            attention: true,
            ..Default::default()
        },
    )
    .await?
    .into_iter()
    .map(|r| item_of(r, today))
    .collect::<CoreResult<Vec<_>>>()?;
    let overdue = orders::orders_where(
        q,
        community,
        today,
        &store::maintenance::OrderQuery {
            overdue_on: Some(today),
            ..Default::default()
        },
    )
    .await?;
    let short_retention = rooms::cctvs_of(q, community)
        .await?
        .into_iter()
        .filter(|c| c.retention_too_short)
        .collect();
    Ok(Attention {
        community_id: community,
        abnormal,
        overdue,
        short_retention,
    })
}
