//! The company's audit sheets (督导评分细则): the seed's templates written on first read, a sheet
//! added, edited into its next version. Audits are in [`audits`].

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::QualityCode;
use super::model::{self, MAX_ELEMENTS, MAX_ITEMS};
use super::store::{self, ItemRow, NewItem, SheetRow};
use super::templates;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

pub mod audits;
pub mod campaigns;
pub mod evidence;
pub mod rectify;
pub mod report;

pub use audits::*;
pub use campaigns::*;
pub use evidence::*;
pub use rectify::*;
pub use report::*;

/// An item of a sheet version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SheetItem {
    pub id: i64,
    pub section: String,
    pub item: String,
    /// The standard the item checks against (标准内容), when the sheet states one.
    pub standard: Option<String>,
    /// The elements checked (检查内容), each present or missing.
    pub elements: Vec<String>,
    /// The item's maximum, and the deduction range per missing element (hundredths of a point).
    pub max_cp: i64,
    pub deduct_min_cp: i64,
    pub deduct_max_cp: i64,
    /// The scoring rule as the sheet prints it: "1.符合5分；2.每缺一项扣0.5-2分".
    pub rule: String,
    /// What the system holds for the item, read from its name (`GET /audits/{id}/evidence`).
    pub evidence: Option<model::EvidenceKind>,
}

/// A sheet with the items of its current version.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditSheet {
    pub id: AuditSheetId,
    pub code: String,
    pub name: String,
    /// Its default weight in an audit (%).
    pub weight_pct: i64,
    /// Offered for new audits.
    pub active: bool,
    pub version: i64,
    /// What its items sum to (hundredths of a point; 10000 = 100 points).
    pub max_cp: i64,
    pub items: Vec<SheetItem>,
    pub updated_at: DateTime<Utc>,
}

/// An item as the company writes it; points as text ("0.5").
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SheetItemInput {
    pub section: String,
    pub item: String,
    #[serde(default)]
    pub standard: Option<String>,
    /// 1 to 12 elements.
    pub elements: Vec<String>,
    /// More than 0, at most 100.
    pub max: String,
    /// The deduction per missing element: more than 0, min ≤ max ≤ the item's maximum.
    pub deduct_min: String,
    pub deduct_max: String,
}

/// A sheet as the company writes it: every item each time (the next version).
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SheetForSave {
    /// Letters, digits, `_` or `-`; set when the sheet is added, kept after.
    #[serde(default)]
    pub code: Option<String>,
    pub name: String,
    /// Its default weight in an audit: 1 to 100 (%).
    pub weight_pct: i64,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
    /// 1 to 200 items summing to at most 100 points.
    pub items: Vec<SheetItemInput>,
    /// When editing: the version the edit starts from; another saved since is 409
    /// `audit_sheet_edited`.
    #[serde(default)]
    pub version: Option<i64>,
}

/// "1.符合5分；2.每缺一项扣0.5-2分".
fn rule_of(max_cp: i64, lo: i64, hi: i64) -> String {
    format!(
        "1.符合{}分；2.每缺一项扣{}-{}分",
        model::points(max_cp),
        model::points(lo),
        model::points(hi)
    )
}

pub(crate) fn item_view(r: ItemRow) -> SheetItem {
    SheetItem {
        rule: rule_of(r.max_cp, r.deduct_min_cp, r.deduct_max_cp),
        evidence: model::EvidenceKind::of_item(&r.item),
        elements: r.elements.lines().map(str::to_string).collect(),
        id: r.id,
        section: r.section,
        item: r.item,
        standard: r.standard,
        max_cp: r.max_cp,
        deduct_min_cp: r.deduct_min_cp,
        deduct_max_cp: r.deduct_max_cp,
    }
}

async fn sheet_view(q: &mut impl Queries, r: SheetRow) -> CoreResult<AuditSheet> {
    let items = store::items(q, r.version_id)
        .await?
        .into_iter()
        .map(item_view)
        .collect();
    Ok(AuditSheet {
        id: r.id,
        code: r.code,
        name: r.name,
        weight_pct: r.weight_pct,
        active: r.active,
        version: r.current_version,
        max_cp: r.max_cp,
        items,
        updated_at: r.updated_at,
    })
}

/// A sheet's items, checked; every problem named by its place (`items[3].deduct_max`).
fn checked_items(items: &[SheetItemInput], errs: &mut Vec<FieldError>) -> Vec<CheckedItem> {
    if items.is_empty() || items.len() > MAX_ITEMS {
        errs.push(FieldError::new("items", QualityCode::ItemsRange).with("max", MAX_ITEMS));
        return Vec::new();
    }
    let mut out = Vec::new();
    for (n, i) in items.iter().enumerate() {
        let f = |name: &str| format!("items[{n}].{name}");
        let mut ok = true;
        let mut text = |name: &str, raw: &str, max: usize| {
            required_text(&f(name), raw, max)
                .map_err(|e| {
                    errs.push(e);
                    ok = false;
                })
                .unwrap_or_default()
        };
        let section = text("section", &i.section, 30);
        let item = text("item", &i.item, 60);
        let elements: Vec<String> = i
            .elements
            .iter()
            .enumerate()
            .map(|(k, e)| text(&format!("elements[{k}]"), &e.replace('\n', " "), 200))
            .collect();
        let standard = optional_text(&f("standard"), i.standard.as_deref(), 200)
            .map_err(|e| {
                errs.push(e);
                ok = false;
            })
            .unwrap_or_default();
        if elements.is_empty() || elements.len() > MAX_ELEMENTS {
            errs.push(
                FieldError::new(f("elements"), QualityCode::ElementsRange)
                    .with("max", MAX_ELEMENTS),
            );
            ok = false;
        }
        let mut pts = |name: &str, raw: &str| match model::parse_points(&f(name), raw) {
            Ok(v) => Some(v),
            Err(e) => {
                errs.push(e);
                None
            }
        };
        let (max, lo, hi) = (
            pts("max", &i.max),
            pts("deduct_min", &i.deduct_min),
            pts("deduct_max", &i.deduct_max),
        );
        let (Some(max), Some(lo), Some(hi)) = (max, lo, hi) else {
            continue;
        };
        if max <= 0 || max > 10_000 {
            errs.push(FieldError::new(f("max"), QualityCode::ItemMaxRange));
            continue;
        }
        if lo <= 0 || lo > hi || hi > max {
            errs.push(FieldError::new(f("deduct_max"), QualityCode::DeductRange));
            continue;
        }
        if ok {
            out.push(CheckedItem {
                section,
                item,
                standard,
                elements: elements.join("\n"),
                max_cp: max,
                deduct_min_cp: lo,
                deduct_max_cp: hi,
            });
        }
    }
    let total: i64 = out.iter().map(|i| i.max_cp).sum();
    if total > 10_000 {
        errs.push(
            FieldError::new("items", QualityCode::SheetOver).with("total", model::points(total)),
        );
    }
    out
}

struct CheckedItem {
    section: String,
    item: String,
    standard: Option<String>,
    elements: String,
    max_cp: i64,
    deduct_min_cp: i64,
    deduct_max_cp: i64,
}

/// Writes a sheet's version with its items.
async fn write_version(
    tx: &mut Tx,
    ctx: &Ctx,
    sheet: AuditSheetId,
    version: i64,
    items: &[CheckedItem],
) -> CoreResult<()> {
    let max: i64 = items.iter().map(|i| i.max_cp).sum();
    let now = Utc::now();
    let v =
        store::insert_version(tx, ctx.company_id, sheet, version, max, ctx.actor(), now).await?;
    for (n, i) in items.iter().enumerate() {
        let new = NewItem {
            section: &i.section,
            item: &i.item,
            standard: i.standard.as_deref(),
            elements: &i.elements,
            max_cp: i.max_cp,
            deduct_min_cp: i.deduct_min_cp,
            deduct_max_cp: i.deduct_max_cp,
        };
        store::insert_item(tx, ctx.company_id, v, n as i64 + 1, &new).await?;
    }
    Ok(())
}

/// Writes the seed's sheets the company does not have yet (by code), in the caller's transaction.
async fn ensure_templates(tx: &mut Tx, ctx: &Ctx) -> CoreResult<()> {
    for (code, name, weight, items) in templates::ALL {
        let Some(id) =
            store::insert_sheet(tx, ctx.company_id, (code, name, *weight), Utc::now()).await?
        else {
            continue;
        };
        let items: Vec<CheckedItem> = items
            .iter()
            .map(
                |(section, item, standard, elements, max, lo, hi)| CheckedItem {
                    section: (*section).into(),
                    item: (*item).into(),
                    standard: standard.map(str::to_string),
                    elements: elements.join("\n"),
                    max_cp: *max,
                    deduct_min_cp: *lo,
                    deduct_max_cp: *hi,
                },
            )
            .collect();
        write_version(tx, ctx, id, 1, &items).await?;
    }
    Ok(())
}

async fn record_sheet(
    mut tx: Tx,
    ctx: &Ctx,
    id: AuditSheetId,
    before: Option<&AuditSheet>,
) -> CoreResult<AuditSheet> {
    let r = store::sheet(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("audit_sheet"))?;
    let after = sheet_view(&mut tx, r).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "audit_sheet",
        id.0,
    )
    .after(&after);
    if let Some(b) = before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// The company's sheets with their current items (`quality.manage`); the seed's templates are
/// written the first time.
pub async fn list_sheets(core: &Core, ctx: &Ctx) -> CoreResult<Vec<AuditSheet>> {
    ctx.require(Perm::QualityManage)?;
    let mut tx = core.db.begin().await?;
    ensure_templates(&mut tx, ctx).await?;
    let rows = store::sheets(&mut tx, ctx.company_id).await?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(sheet_view(&mut tx, r).await?);
    }
    tx.commit().await?;
    Ok(out)
}

async fn reached_sheet(q: &mut impl Queries, ctx: &Ctx, id: AuditSheetId) -> CoreResult<SheetRow> {
    ctx.require(Perm::QualityManage)?;
    store::sheet(q, id)
        .await?
        .filter(|s| s.company_id == ctx.company_id)
        .ok_or(CoreError::NotFound("audit_sheet"))
}

pub async fn get_sheet(core: &Core, ctx: &Ctx, id: AuditSheetId) -> CoreResult<AuditSheet> {
    let mut q = core.db.read();
    let r = reached_sheet(&mut q, ctx, id).await?;
    sheet_view(&mut q, r).await
}

/// A sheet's code: lower-case letters, digits, `_` or `-` (the templates' `customer_service`).
fn sheet_code(raw: &str) -> Result<String, FieldError> {
    let s = required_text("code", raw, 30)?.to_lowercase();
    if !s
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return Err(FieldError::new(
            "code",
            crate::shared::error::CommonCode::InvalidCode,
        ));
    }
    Ok(s)
}

fn check_weight(w: i64, errs: &mut Vec<FieldError>) {
    if !(1..=100).contains(&w) {
        errs.push(FieldError::new("weight_pct", QualityCode::WeightRange));
    }
}

/// Adds a sheet of the company's (`quality.manage`): its version 1.
pub async fn create_sheet(core: &Core, ctx: &Ctx, input: SheetForSave) -> CoreResult<AuditSheet> {
    ctx.require(Perm::QualityManage)?;
    let mut errs = Vec::new();
    let code = match input
        .code
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        Some(c) => sheet_code(c).map_err(|e| errs.push(e)).ok(),
        None => {
            errs.push(FieldError::new(
                "code",
                crate::shared::error::CommonCode::Required,
            ));
            None
        }
    };
    let name = required_text("name", &input.name, 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    check_weight(input.weight_pct, &mut errs);
    let items = checked_items(&input.items, &mut errs);
    let Some(code) = code.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let mut tx = core.db.begin().await?;
    ensure_templates(&mut tx, ctx).await?;
    let Some(id) = store::insert_sheet(
        &mut tx,
        ctx.company_id,
        (&code, &name, input.weight_pct),
        Utc::now(),
    )
    .await?
    else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "code",
            QualityCode::SheetCodeTaken,
        )]));
    };
    write_version(&mut tx, ctx, id, 1, &items).await?;
    record_sheet(tx, ctx, id, None).await
}

/// Edits a sheet (`quality.manage`): every item is written as its next version; audits keep the
/// version they pinned. Two edits at once: one wins, the other is 409.
pub async fn update_sheet(
    core: &Core,
    ctx: &Ctx,
    id: AuditSheetId,
    input: SheetForSave,
) -> CoreResult<AuditSheet> {
    let mut errs = Vec::new();
    let name = required_text("name", &input.name, 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    check_weight(input.weight_pct, &mut errs);
    let items = checked_items(&input.items, &mut errs);
    let mut tx = core.db.begin().await?;
    let r = reached_sheet(&mut tx, ctx, id).await?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    if input.version.is_some_and(|v| v != r.current_version) {
        return Err(CoreError::conflict("items", QualityCode::SheetEdited));
    }
    let before = sheet_view(&mut tx, r.clone()).await?;
    let active = input.active.unwrap_or(r.active);
    if store::advance_sheet(
        &mut tx,
        id,
        r.current_version,
        (&name, input.weight_pct, active),
        Utc::now(),
    )
    .await?
        != 1
    {
        return Err(CoreError::conflict("items", QualityCode::SheetEdited));
    }
    write_version(&mut tx, ctx, id, r.current_version + 1, &items).await?;
    record_sheet(tx, ctx, id, Some(&before)).await
}
