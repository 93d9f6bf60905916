//! What a manager sets up: checkpoints with their check items and labels, routes of ordered
//! checkpoints, and plans (when a route is walked, within which window, by whom).

use chrono::Utc;
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::audit::{self, Action, Entry};
use crate::patrols::error::PatrolCode;
use crate::patrols::model::{self, CheckKind, RouteKind};
use crate::patrols::store::setup::{
    self as store, CheckpointFields, CheckpointRow, ItemRow, NewItem,
};
use crate::shared::error::{Checks, CommonCode, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

/// The community's name and time zone, if the actor may manage its patrols.
pub(crate) async fn managed(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<(String, Tz)> {
    ctx.require_in(Perm::PatrolsManage, c)?;
    place(core, ctx, c).await
}

/// The community's name and time zone, if it is the actor's company's.
pub(crate) async fn place(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<(String, Tz)> {
    crate::registry::store::for_community::community(&mut core.db.read(), c, ctx.company_id)
        .await?
        .map(|(name, tz)| (name, crate::shared::calendar::zone(&tz)))
        .ok_or(CoreError::NotFound("community"))
}

/// A check item, as a manager writes it and as the phone shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PatrolItem {
    /// Absent when writing.
    #[serde(default)]
    pub id: Option<PatrolItemId>,
    pub kind: CheckKind,
    pub label: String,
    /// The unit of a number (MPa, kWh, ℃).
    #[serde(default)]
    pub unit: Option<String>,
    /// A number's limits as decimals ("0.30"); a value outside is a finding.
    #[serde(default)]
    pub min: Option<String>,
    #[serde(default)]
    pub max: Option<String>,
    /// A choice's options.
    #[serde(default)]
    pub options: Vec<String>,
    /// The options of a choice that are findings (e.g. 堵塞).
    #[serde(default)]
    pub abnormal_options: Vec<String>,
    #[serde(default)]
    pub required: bool,
    /// A number that is an equipment meter (运行小时): the equipment and the meter's name.
    #[serde(default)]
    pub equipment_id: Option<i64>,
    #[serde(default)]
    pub meter: Option<String>,
}

/// A checkpoint.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Checkpoint {
    pub id: CheckpointId,
    pub community_id: CommunityId,
    pub name: String,
    pub location: Option<String>,
    pub building_id: Option<i64>,
    /// Where it is (decimal degrees), if set.
    pub lat: Option<f64>,
    pub lng: Option<f64>,
    /// How far from it a scan still counts as there (metres).
    pub radius_m: i64,
    pub nfc_tag: Option<String>,
    /// The printed label's version (counted up at each reprint).
    pub label_version: i64,
    pub active: bool,
    pub items: Vec<PatrolItem>,
}

/// A checkpoint to create or rewrite.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct CheckpointForCreate {
    pub name: String,
    #[serde(default)]
    pub location: Option<String>,
    #[serde(default)]
    pub building_id: Option<BuildingId>,
    #[serde(default)]
    pub lat: Option<f64>,
    #[serde(default)]
    pub lng: Option<f64>,
    /// Default 50 m.
    #[serde(default)]
    pub radius_m: Option<i64>,
    #[serde(default)]
    pub nfc_tag: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub items: Vec<PatrolItem>,
}

fn micro(v: f64) -> i64 {
    (v * 1_000_000.0).round() as i64
}

fn degrees(v: i64) -> f64 {
    v as f64 / 1_000_000.0
}

pub(crate) fn item_of(r: ItemRow) -> CoreResult<PatrolItem> {
    Ok(PatrolItem {
        id: Some(r.id),
        kind: CheckKind::from_stored(&r.kind)?,
        label: r.label,
        unit: r.unit,
        min: r.min_milli.map(model::milli_text),
        max: r.max_milli.map(model::milli_text),
        options: model::option_lines(r.options.as_deref()),
        abnormal_options: model::option_lines(r.abnormal_options.as_deref()),
        required: r.required,
        equipment_id: r.equipment_id,
        meter: r.meter,
    })
}

pub(crate) fn checkpoint_of(r: CheckpointRow, items: Vec<ItemRow>) -> CoreResult<Checkpoint> {
    Ok(Checkpoint {
        id: r.id,
        community_id: r.community_id,
        name: r.name,
        location: r.location,
        building_id: r.building_id,
        lat: r.lat_micro.map(degrees),
        lng: r.lng_micro.map(degrees),
        radius_m: r.radius_m,
        nfc_tag: r.nfc_tag,
        label_version: r.label_version,
        active: r.active,
        items: items
            .into_iter()
            .map(item_of)
            .collect::<CoreResult<Vec<_>>>()?,
    })
}

const MAX_ITEMS: usize = 30;

/// A checkpoint's texts, checked.
struct Texts {
    location: Option<String>,
    nfc_tag: Option<String>,
}

/// A checkpoint's input, checked: its items, its position in micro-degrees, its texts.
struct Checked<'a> {
    items: Vec<NewItem<'a>>,
    position: Option<(i64, i64)>,
    texts: Texts,
}

/// Checks a checkpoint's fields and items, all problems at once.
fn check_checkpoint(input: &CheckpointForCreate) -> CoreResult<Checked<'_>> {
    let mut checks = Checks::new();
    checks.take(required_text("name", &input.name, 60));
    let texts = Texts {
        location: checks
            .take(optional_text("location", input.location.as_deref(), 100))
            .flatten(),
        nfc_tag: checks
            .take(optional_text("nfc_tag", input.nfc_tag.as_deref(), 64))
            .flatten(),
    };
    let position = match (input.lat, input.lng) {
        (None, None) => None,
        (Some(lat), Some(lng))
            if (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lng) =>
        {
            Some((micro(lat), micro(lng)))
        }
        _ => {
            checks.push(FieldError::new("lat", PatrolCode::BadCoordinates));
            None
        }
    };
    if input.radius_m.is_some_and(|r| !(5..=2000).contains(&r)) {
        checks.push(FieldError::new("radius_m", PatrolCode::RadiusRange));
    }
    if input.items.len() > MAX_ITEMS {
        checks.push(FieldError::new("items", CommonCode::TooLong).with("max", MAX_ITEMS));
    }
    let mut items = Vec::new();
    for (i, it) in input.items.iter().enumerate() {
        let f = |name: &str| format!("items[{i}].{name}");
        checks.take(required_text(&f("label"), &it.label, 60));
        let min = parse_limit(&mut checks, &f("min"), it.min.as_deref());
        let max = parse_limit(&mut checks, &f("max"), it.max.as_deref());
        if let (Some(a), Some(b)) = (min, max)
            && a > b
        {
            checks.push(FieldError::new(f("min"), PatrolCode::LimitsReversed));
        }
        let options: Vec<String> = it
            .options
            .iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
        if it.kind == CheckKind::Choice && options.len() < 2 {
            checks.push(FieldError::new(f("options"), PatrolCode::OptionsRequired));
        }
        let abnormal: Vec<String> = it
            .abnormal_options
            .iter()
            .map(|o| o.trim().to_string())
            .filter(|o| !o.is_empty())
            .collect();
        if abnormal.iter().any(|a| !options.contains(a)) {
            checks.push(FieldError::new(
                f("abnormal_options"),
                PatrolCode::UnknownOption,
            ));
        }
        let is_choice = it.kind == CheckKind::Choice;
        let is_number = it.kind == CheckKind::Number;
        // A reading that goes to an equipment meter must say which meter.
        if is_number
            && it.equipment_id.is_some()
            && it.meter.as_deref().is_none_or(|m| m.trim().is_empty())
        {
            checks.push(FieldError::new(f("meter"), CommonCode::Required));
        }
        items.push(NewItem {
            kind: it.kind.code(),
            label: it.label.trim(),
            unit: it
                .unit
                .as_deref()
                .map(str::trim)
                .filter(|u| !u.is_empty() && is_number),
            min_milli: min.filter(|_| is_number),
            max_milli: max.filter(|_| is_number),
            options: is_choice.then(|| options.join("\n")),
            abnormal_options: (is_choice && !abnormal.is_empty()).then(|| abnormal.join("\n")),
            required: it.required,
            equipment_id: it.equipment_id.filter(|_| is_number),
            meter: it
                .meter
                .as_deref()
                .map(str::trim)
                .filter(|m| !m.is_empty() && is_number),
        });
    }
    checks.finish()?;
    Ok(Checked {
        items,
        position,
        texts,
    })
}

fn parse_limit(checks: &mut Checks, field: &str, raw: Option<&str>) -> Option<i64> {
    let raw = raw.map(str::trim).filter(|s| !s.is_empty())?;
    match model::parse_milli(raw) {
        Some(v) => Some(v),
        None => {
            checks.push(FieldError::new(field, PatrolCode::NumberInvalid));
            None
        }
    }
}

async fn check_building(core: &Core, c: CommunityId, b: Option<BuildingId>) -> CoreResult<()> {
    let Some(b) = b else { return Ok(()) };
    let known = crate::registry::store::for_community::buildings(&mut core.db.read(), c)
        .await?
        .into_iter()
        .any(|(id, _)| id == b);
    if known {
        Ok(())
    } else {
        Err(CoreError::invalid(
            "building_id",
            PatrolCode::UnknownBuilding,
        ))
    }
}

/// Each item's equipment is the community's (a meter of another community's pump is no reading
/// of this one's).
async fn check_equipment(core: &Core, c: CommunityId, items: &[PatrolItem]) -> CoreResult<()> {
    let mut checks = Checks::new();
    let mut q = core.db.read();
    for (i, it) in items.iter().enumerate() {
        let Some(e) = it.equipment_id.filter(|_| it.kind == CheckKind::Number) else {
            continue;
        };
        if crate::equipment::store::items::get_in(&mut q, c, EquipmentId(e))
            .await?
            .is_none()
        {
            checks.push(FieldError::new(
                format!("items[{i}].equipment_id"),
                PatrolCode::UnknownEquipment,
            ));
        }
    }
    checks.finish()
}

/// What is written of a checked checkpoint (a new one or a rewrite).
fn checkpoint_fields<'a>(
    input: &'a CheckpointForCreate,
    position: Option<(i64, i64)>,
    location: Option<&'a str>,
    nfc_tag: Option<&'a str>,
) -> CheckpointFields<'a> {
    CheckpointFields {
        name: input.name.trim(),
        location,
        building_id: input.building_id,
        lat_micro: position.map(|p| p.0),
        lng_micro: position.map(|p| p.1),
        radius_m: input.radius_m.unwrap_or(50),
        nfc_tag,
        active: input.active.unwrap_or(true),
    }
}

/// Creates a checkpoint with its items and a fresh label secret.
pub async fn create_checkpoint(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: CheckpointForCreate,
) -> CoreResult<Checkpoint> {
    managed(core, ctx, c).await?;
    let Checked {
        items,
        position,
        texts,
    } = check_checkpoint(&input)?;
    check_building(core, c, input.building_id).await?;
    check_equipment(core, c, &input.items).await?;
    let (tag, location) = (texts.nfc_tag, texts.location);
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if let Some(t) = tag.as_deref()
        && store::nfc_taken(&mut tx, c, t, None).await?
    {
        return Err(CoreError::conflict("nfc_tag", PatrolCode::NfcTagTaken));
    }
    let fields = checkpoint_fields(&input, position, location.as_deref(), tag.as_deref());
    let id = store::insert_checkpoint(&mut tx, c, &fields, &model::new_secret(), now)
        .await
        .map_err(|e| e.or_conflict("nfc_tag", PatrolCode::NfcTagTaken))?;
    store::replace_items(&mut tx, c, id, &items).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "patrol_checkpoint", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    checkpoint(core, ctx, c, id).await
}

/// Rewrites a checkpoint and its items (items that results point to are kept for history).
pub async fn update_checkpoint(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: CheckpointId,
    input: CheckpointForCreate,
) -> CoreResult<Checkpoint> {
    managed(core, ctx, c).await?;
    let Checked {
        items,
        position,
        texts,
    } = check_checkpoint(&input)?;
    check_building(core, c, input.building_id).await?;
    check_equipment(core, c, &input.items).await?;
    let (tag, location) = (texts.nfc_tag, texts.location);
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if store::checkpoint(&mut tx, c, id).await?.is_none() {
        return Err(CoreError::NotFound("checkpoint"));
    }
    if let Some(t) = tag.as_deref()
        && store::nfc_taken(&mut tx, c, t, Some(id)).await?
    {
        return Err(CoreError::conflict("nfc_tag", PatrolCode::NfcTagTaken));
    }
    let fields = checkpoint_fields(&input, position, location.as_deref(), tag.as_deref());
    store::update_checkpoint(&mut tx, c, id, &fields, now)
        .await
        .map_err(|e| e.or_conflict("nfc_tag", PatrolCode::NfcTagTaken))?;
    store::replace_items(&mut tx, c, id, &items).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "patrol_checkpoint", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    checkpoint(core, ctx, c, id).await
}

/// A checkpoint with its items.
pub async fn checkpoint(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: CheckpointId,
) -> CoreResult<Checkpoint> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let row = store::checkpoint(&mut q, c, id)
        .await?
        .ok_or(CoreError::NotFound("checkpoint"))?;
    let items = store::items_of(&mut q, c, &[id.0]).await?;
    checkpoint_of(row, items)
}

/// The community's checkpoints with their items, by name.
pub async fn checkpoints(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Checkpoint>> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let rows = store::checkpoints(&mut q, c, None).await?;
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let mut items = store::items_of(&mut q, c, &ids).await?;
    rows.into_iter()
        .map(|r| {
            let mine = items.iter().filter(|i| i.checkpoint_id == r.id).count();
            let rest = items.split_off(mine);
            let own = std::mem::replace(&mut items, rest);
            checkpoint_of(r, own)
        })
        .collect()
}

/// A route with its checkpoints in order.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Route {
    pub id: RouteId,
    pub community_id: CommunityId,
    pub name: String,
    pub kind: RouteKind,
    /// Scans out of this order are flagged.
    pub ordered: bool,
    pub active: bool,
    pub stops: Vec<RouteStop>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RouteStop {
    pub checkpoint_id: CheckpointId,
    pub name: String,
}

/// A route to create or rewrite.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct RouteForCreate {
    pub name: String,
    pub kind: RouteKind,
    #[serde(default)]
    pub ordered: bool,
    #[serde(default)]
    pub active: Option<bool>,
    /// The checkpoints in the order they are walked.
    pub checkpoint_ids: Vec<CheckpointId>,
}

async fn check_route(core: &Core, c: CommunityId, input: &RouteForCreate) -> CoreResult<()> {
    let mut checks = Checks::new();
    checks.take(required_text("name", &input.name, 60));
    if input.checkpoint_ids.is_empty() {
        checks.push(FieldError::new("checkpoint_ids", PatrolCode::RouteEmpty));
    }
    let mut seen = std::collections::HashSet::new();
    if input.checkpoint_ids.iter().any(|id| !seen.insert(*id)) {
        checks.push(FieldError::new("checkpoint_ids", PatrolCode::DuplicateStop));
    }
    let ids: Vec<i64> = input.checkpoint_ids.iter().map(|i| i.0).collect();
    if !ids.is_empty() {
        let known = store::checkpoints(&mut core.db.read(), c, Some(&ids)).await?;
        if known.len() != seen.len() || known.iter().any(|k| !k.active) {
            checks.push(FieldError::new(
                "checkpoint_ids",
                PatrolCode::UnknownCheckpoint,
            ));
        }
    }
    checks.finish()
}

pub async fn create_route(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: RouteForCreate,
) -> CoreResult<Route> {
    managed(core, ctx, c).await?;
    check_route(core, c, &input).await?;
    let mut tx = core.db.begin().await?;
    let id = store::insert_route(
        &mut tx,
        c,
        input.name.trim(),
        input.kind.code(),
        input.ordered,
        Utc::now(),
    )
    .await?;
    store::set_stops(&mut tx, c, id, &input.checkpoint_ids).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "patrol_route", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    route(core, ctx, c, id).await
}

/// Rewrites a route. Tasks already generated keep the number of checkpoints they were made
/// with; new ones follow the new route.
pub async fn update_route(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    id: RouteId,
    input: RouteForCreate,
) -> CoreResult<Route> {
    managed(core, ctx, c).await?;
    check_route(core, c, &input).await?;
    let mut tx = core.db.begin().await?;
    let fields = store::RouteFields {
        name: input.name.trim(),
        kind: input.kind.code(),
        ordered: input.ordered,
        active: input.active.unwrap_or(true),
    };
    let n = store::update_route(&mut tx, c, id, &fields, Utc::now()).await?;
    if n == 0 {
        return Err(CoreError::NotFound("route"));
    }
    store::set_stops(&mut tx, c, id, &input.checkpoint_ids).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "patrol_route", id.0).community(c),
    )
    .await?;
    tx.commit().await?;
    route(core, ctx, c, id).await
}

pub async fn route(core: &Core, ctx: &Ctx, c: CommunityId, id: RouteId) -> CoreResult<Route> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let r = store::route(&mut q, c, id)
        .await?
        .ok_or(CoreError::NotFound("route"))?;
    Ok(routes_of(&mut q, c, vec![r]).await?.remove(0))
}

pub async fn routes(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<Route>> {
    managed(core, ctx, c).await?;
    let mut q = core.db.read();
    let rows = store::routes(&mut q, c).await?;
    routes_of(&mut q, c, rows).await
}

async fn routes_of(
    q: &mut impl crate::db::Queries,
    c: CommunityId,
    rows: Vec<store::RouteRow>,
) -> CoreResult<Vec<Route>> {
    let ids: Vec<i64> = rows.iter().map(|r| r.id.0).collect();
    let stops = store::stops(q, c, &ids).await?;
    let cps: Vec<i64> = stops.iter().map(|s| s.2.0).collect();
    let names: std::collections::HashMap<CheckpointId, String> =
        store::checkpoints(q, c, Some(&cps))
            .await?
            .into_iter()
            .map(|k| (k.id, k.name))
            .collect();
    rows.into_iter()
        .map(|r| {
            Ok(Route {
                id: r.id,
                community_id: r.community_id,
                name: r.name,
                kind: RouteKind::from_stored(&r.kind)?,
                ordered: r.ordered,
                active: r.active,
                stops: stops
                    .iter()
                    .filter(|s| s.0 == r.id)
                    .map(|s| RouteStop {
                        checkpoint_id: s.2,
                        name: names.get(&s.2).cloned().unwrap_or_default(),
                    })
                    .collect(),
            })
        })
        .collect()
}
