//! Warranty items (保修要求处理表): the defects the accompanied inspection (房屋验收表) found, for
//! the developer's contractor to fix by a due day; the community's list by contractor and state;
//! fixed (what the contractor did), verified, or opened again.

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::MoveInCode;
use super::super::model::{MoveInState, WarrantyState};
use super::super::store::{self, NewDefect, WarrantyRow};
use super::{MoveIn, reached, record};
use crate::db::Queries;
use crate::frontdesk::{require_desk, staff_names, today_in, tz_of};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// A defect's due day is at most this far ahead.
const MAX_DUE_DAYS: i64 = 90;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct WarrantyItem {
    pub id: i64,
    pub move_in_id: MoveInId,
    /// The move-in's number (RH-000001).
    pub number: String,
    pub unit_label: String,
    /// 客厅, 主卧, 卫生间 …
    pub room: String,
    /// 墙面, 门窗, 地面, 水电 …
    pub item: String,
    pub description: String,
    /// The developer's contractor who fixes it.
    pub contractor: String,
    pub due_on: NaiveDate,
    pub state: WarrantyState,
    /// Open past its due day.
    pub overdue: bool,
    pub fixed_at: Option<DateTime<Utc>>,
    pub fixed_note: Option<String>,
    pub verified_at: Option<DateTime<Utc>>,
    pub verified_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DefectForCreate {
    pub room: String,
    pub item: String,
    pub description: String,
    pub contractor: String,
    /// From today, within 90 days.
    pub due_on: NaiveDate,
}

/// A step of a warranty item: `fixed` (with what was done), `verified`, or `reopened` (with why).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct WarrantyStep {
    /// fixed, verified, reopened.
    pub step: String,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct WarrantyFilter {
    pub contractor: Option<String>,
    /// open, fixed, verified.
    pub state: Option<String>,
}

fn item_of(
    r: WarrantyRow,
    names: &std::collections::HashMap<UserId, String>,
    today: NaiveDate,
) -> CoreResult<WarrantyItem> {
    let state = WarrantyState::from_stored(&r.state)?;
    Ok(WarrantyItem {
        overdue: state == WarrantyState::Open && r.due_on < today,
        verified_by_name: r.verified_by.and_then(|u| names.get(&u).cloned()),
        state,
        id: r.id,
        move_in_id: r.move_in_id,
        number: r.number,
        unit_label: r.unit_label,
        room: r.room,
        item: r.item,
        description: r.description,
        contractor: r.contractor,
        due_on: r.due_on,
        fixed_at: r.fixed_at,
        fixed_note: r.fixed_note,
        verified_at: r.verified_at,
        created_at: r.created_at,
    })
}

pub(crate) async fn items_of(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    m: MoveInId,
) -> CoreResult<Vec<WarrantyItem>> {
    let names = staff_names(q, ctx, c).await?;
    let today = today_in(tz_of(q, ctx, c).await?);
    store::defects(q, c, m)
        .await?
        .into_iter()
        .map(|r| item_of(r, &names, today))
        .collect()
}

/// Records a defect of the accompanied inspection (`frontdesk.work`), while the move-in is open
/// or after (defects found in the first days are warranty too).
pub async fn add_defect(
    core: &Core,
    ctx: &Ctx,
    id: MoveInId,
    input: DefectForCreate,
) -> CoreResult<MoveIn> {
    let mut errs = Vec::new();
    let mut text = |field: &str, raw: &str, max: usize| {
        required_text(field, raw, max)
            .map_err(|e| errs.push(e))
            .unwrap_or_default()
    };
    let room = text("room", &input.room, 20);
    let item = text("item", &input.item, 40);
    let description = text("description", &input.description, 500);
    let contractor = text("contractor", &input.contractor, 100);
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if MoveInState::from_stored(&r.state)? == MoveInState::Cancelled {
        return Err(CoreError::conflict("state", MoveInCode::NotOpen));
    }
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    if input.due_on < today || input.due_on > today + Duration::days(MAX_DUE_DAYS) {
        errs.push(FieldError::new("due_on", MoveInCode::DueRange).with("max", MAX_DUE_DAYS));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let before = super::view(&mut tx, ctx, r.clone()).await?;
    let d = NewDefect {
        room: &room,
        item: &item,
        description: &description,
        contractor: &contractor,
        due_on: input.due_on,
    };
    store::insert_defect(&mut tx, c, id, r.unit_id, &d, ctx.actor(), Utc::now()).await?;
    record(tx, ctx, id, Some(&before)).await
}

/// The community's warranty items (保修要求处理表), open and due first; at most 1000.
pub async fn list_warranty(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: WarrantyFilter,
) -> CoreResult<Vec<WarrantyItem>> {
    require_desk(ctx, c)?;
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(WarrantyState::parse("state", s).map_err(|e| CoreError::Invalid(vec![e]))?),
        None => None,
    };
    let contractor = f
        .contractor
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty());
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    let today = today_in(tz_of(&mut q, ctx, c).await?);
    store::warranty_list(&mut q, c, contractor, state.map(|s| s.code()), 1000)
        .await?
        .into_iter()
        .map(|r| item_of(r, &names, today))
        .collect()
}

/// Moves a warranty item on (`frontdesk.work`): fixed from open (what the contractor did),
/// verified from fixed, reopened from fixed (why). Another step is 409 `warranty_state`.
pub async fn step_warranty(
    core: &Core,
    ctx: &Ctx,
    item: i64,
    input: WarrantyStep,
) -> CoreResult<MoveIn> {
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let (from, to) = match input.step.trim() {
        "fixed" => (WarrantyState::Open, WarrantyState::Fixed),
        "verified" => (WarrantyState::Fixed, WarrantyState::Verified),
        "reopened" => (WarrantyState::Fixed, WarrantyState::Open),
        _ => {
            return Err(CoreError::invalid(
                "step",
                crate::shared::error::CommonCode::Choose,
            ));
        }
    };
    if to != WarrantyState::Verified && note.is_none() {
        return Err(CoreError::invalid(
            "note",
            crate::shared::error::CommonCode::Required,
        ));
    }
    let mut tx = core.db.begin().await?;
    let w = store::defect(&mut tx, item)
        .await?
        .ok_or(CoreError::NotFound("warranty_item"))?;
    let r = reached(&mut tx, ctx, w.move_in_id)
        .await
        .map_err(|_| CoreError::NotFound("warranty_item"))?;
    let before = super::view(&mut tx, ctx, r).await?;
    if store::step_defect(
        &mut tx,
        item,
        from.code(),
        to.code(),
        note.as_deref(),
        ctx.actor(),
        Utc::now(),
    )
    .await?
        != 1
    {
        return Err(CoreError::Conflict(
            FieldError::new("step", MoveInCode::WarrantyState)
                .with("state", WarrantyState::from_stored(&w.state)?.zh()),
        ));
    }
    record(tx, ctx, w.move_in_id, Some(&before)).await
}
