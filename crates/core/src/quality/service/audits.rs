//! Audits of a community (品质核查): opened with some of the company's sheets and their weights
//! (summing to 100 %), each item scored once while open, signed off once when complete — the
//! sheet scores, the weighted total and the grade kept; a signed-off audit never changes.

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::QualityCode;
use super::super::model::{self, AuditMethod, AuditState, Grade};
use super::super::store::{self, AuditRow, NewScore};
use super::{SheetItem, item_view};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::frontdesk::staff_names;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::optional_text;
use crate::{Core, Ctx, Perm};

/// A sheet an audit is opened with, and its weight.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AuditSheetChoice {
    pub sheet_id: AuditSheetId,
    /// 1 to 100 (%); the audit's weights sum to 100.
    pub weight_pct: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct AuditForCreate {
    pub sheets: Vec<AuditSheetChoice>,
    /// open (明查, default), covert, interview, return_visit, written.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// One element's finding.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ElementScore {
    pub present: bool,
    /// Points off when missing ("0.5"), inside the item's range.
    #[serde(default)]
    pub deduction: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct ItemScoreInput {
    /// One per element of the item, in its order.
    pub elements: Vec<ElementScore>,
    /// The audit's method when none is given.
    #[serde(default)]
    pub method: Option<String>,
    #[serde(default)]
    pub note: Option<String>,
}

/// An item's score.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ItemScore {
    pub present: Vec<bool>,
    pub deductions_cp: Vec<i64>,
    /// What the item loses (at most its maximum).
    pub deduction_cp: i64,
    pub method: AuditMethod,
    pub note: Option<String>,
    pub scored_by_name: Option<String>,
    pub scored_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditItem {
    #[serde(flatten)]
    pub item: SheetItem,
    pub score: Option<ItemScore>,
    /// The ids of its photos (`GET /audits/{id}/photos/{photo}`).
    pub photos: Vec<i64>,
}

/// A sheet of the audit as pinned, with its items and its score on 100 (while open: so far).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditPart {
    pub sheet_id: AuditSheetId,
    pub code: String,
    pub name: String,
    pub version: i64,
    pub weight_pct: i64,
    pub max_cp: i64,
    pub deducted_cp: i64,
    /// (maximum − deductions) / maximum on 100 points (hundredths).
    pub score_cp: i64,
    pub items: Vec<AuditItem>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Audit {
    pub id: AuditId,
    pub community_id: CommunityId,
    /// PZ-000001.
    pub number: String,
    pub method: AuditMethod,
    pub state: AuditState,
    pub note: Option<String>,
    pub parts: Vec<AuditPart>,
    pub item_count: i64,
    pub scored_count: i64,
    /// The weighted total (hundredths of a point): final once signed off.
    pub total_cp: i64,
    pub grade: Grade,
    /// 96 points and above: the team's bonus.
    pub team_bonus: bool,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub signed_by_name: Option<String>,
    pub signed_at: Option<DateTime<Utc>>,
}

fn method_of(field: &str, raw: Option<&str>) -> Result<Option<AuditMethod>, FieldError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => AuditMethod::parse(field, m).map(Some),
        None => Ok(None),
    }
}

fn list_of<T: std::str::FromStr>(s: &str) -> Vec<T> {
    s.split(',').filter_map(|x| x.parse().ok()).collect()
}

async fn view(q: &mut impl Queries, ctx: &Ctx, r: AuditRow) -> CoreResult<Audit> {
    let names = staff_names(q, ctx, r.community_id).await?;
    let name =
        |u: Option<UserId>| u.map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let mut scores: HashMap<i64, store::ScoreRow> = store::scores(q, r.community_id, r.id)
        .await?
        .into_iter()
        .map(|s| (s.item_id, s))
        .collect();
    let mut photos: HashMap<i64, Vec<i64>> = HashMap::new();
    for p in store::audit_photos(q, r.community_id, r.id).await? {
        photos.entry(p.item_id).or_default().push(p.id);
    }
    let mut parts = Vec::new();
    let (mut item_count, mut scored_count) = (0, 0);
    for p in store::parts(q, r.community_id, r.id).await? {
        let mut deducted = 0;
        let mut items = Vec::new();
        for i in store::items(q, p.version_id).await? {
            item_count += 1;
            let score = match scores.remove(&i.id) {
                Some(s) => {
                    scored_count += 1;
                    deducted += s.deduction_cp;
                    Some(ItemScore {
                        present: s.present.split(',').map(|x| x == "1").collect(),
                        deductions_cp: list_of(&s.deductions),
                        deduction_cp: s.deduction_cp,
                        method: AuditMethod::from_stored(&s.method)?,
                        note: s.note,
                        scored_by_name: name(s.scored_by),
                        scored_at: s.scored_at,
                    })
                }
                None => None,
            };
            items.push(AuditItem {
                photos: photos.remove(&i.id).unwrap_or_default(),
                item: item_view(i),
                score,
            });
        }
        parts.push(AuditPart {
            score_cp: p
                .score_cp
                .unwrap_or_else(|| model::sheet_score(p.max_cp, deducted)),
            sheet_id: p.sheet_id,
            code: p.code,
            name: p.name,
            version: p.version,
            weight_pct: p.weight_pct,
            max_cp: p.max_cp,
            deducted_cp: deducted,
            items,
        });
    }
    let total = r.total_cp.unwrap_or_else(|| {
        model::weighted_total(
            &parts
                .iter()
                .map(|p| (p.score_cp, p.weight_pct))
                .collect::<Vec<_>>(),
        )
    });
    let grade = match r.grade.as_deref() {
        Some(g) => Grade::from_stored(g)?,
        None => model::grade(total),
    };
    Ok(Audit {
        id: r.id,
        community_id: r.community_id,
        number: r.number,
        method: AuditMethod::from_stored(&r.method)?,
        state: AuditState::from_stored(&r.state)?,
        note: r.note,
        parts,
        item_count,
        scored_count,
        total_cp: total,
        grade,
        team_bonus: model::team_bonus(total),
        created_by_name: name(r.created_by),
        created_at: r.created_at,
        signed_by_name: name(r.signed_by),
        signed_at: r.signed_at,
    })
}

pub(super) async fn reached(q: &mut impl Queries, ctx: &Ctx, id: AuditId) -> CoreResult<AuditRow> {
    let r = store::audit(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("audit"))?;
    ctx.require_in(Perm::QualityManage, r.community_id)
        .map_err(|_| CoreError::NotFound("audit"))?;
    Ok(r)
}

/// Reads the audit back after a change, audits it against `before`, commits.
pub(super) async fn record(
    mut tx: Tx,
    ctx: &Ctx,
    id: AuditId,
    before: Option<&Audit>,
) -> CoreResult<Audit> {
    let r = store::audit(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("audit"))?;
    let after = view(&mut tx, ctx, r).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "audit",
        id.0,
    )
    .community(after.community_id)
    .after(&after);
    if let Some(b) = before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// The sheets an audit is opened with, checked: the company's sheets in use, each once, weights
/// of 1–100 % summing to 100; their current versions and weights.
pub(super) async fn pinned_sheets(
    q: &mut impl Queries,
    ctx: &Ctx,
    sheets: &[AuditSheetChoice],
    errs: &mut Vec<FieldError>,
) -> CoreResult<Vec<(i64, i64)>> {
    let mut pinned = Vec::new();
    for (n, s) in sheets.iter().enumerate() {
        let field = format!("sheets[{n}].sheet_id");
        match store::sheet(q, s.sheet_id)
            .await?
            .filter(|r| r.company_id == ctx.company_id && r.active)
        {
            None => errs.push(FieldError::new(field, QualityCode::UnknownSheet)),
            Some(_) if sheets[..n].iter().any(|o| o.sheet_id == s.sheet_id) => {
                errs.push(FieldError::new(field, QualityCode::SheetTwice))
            }
            Some(r) => pinned.push((r.version_id, s.weight_pct)),
        }
        if !(1..=100).contains(&s.weight_pct) {
            errs.push(FieldError::new(
                format!("sheets[{n}].weight_pct"),
                QualityCode::WeightRange,
            ));
        }
    }
    // Added up only once each is within 1–100, so no weight can overflow the sum.
    if sheets.iter().all(|s| (1..=100).contains(&s.weight_pct)) {
        let sum: i64 = sheets.iter().map(|s| s.weight_pct).sum();
        if sum != 100 {
            errs.push(FieldError::new("sheets", QualityCode::WeightsSum).with("total", sum));
        }
    }
    Ok(pinned)
}

/// Opens an audit of a community (`quality.manage`) with sheets of the company in use, each once,
/// their weights summing to 100 %; the sheets' current versions are pinned.
pub async fn open_audit(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: AuditForCreate,
) -> CoreResult<Audit> {
    ctx.require_in(Perm::QualityManage, c)?;
    let mut errs = Vec::new();
    let method = method_of("method", input.method.as_deref())
        .map_err(|e| errs.push(e))
        .ok()
        .flatten()
        .unwrap_or(AuditMethod::Open);
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut tx = core.db.begin().await?;
    let pinned = pinned_sheets(&mut tx, ctx, &input.sheets, &mut errs).await?;
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let id = insert_open(&mut tx, ctx, c, (method, note.as_deref()), pinned).await?;
    record(tx, ctx, id, None).await
}

/// Writes an open audit with its numbered (PZ-000001) and pinned sheets.
pub(super) async fn insert_open(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    (method, note): (AuditMethod, Option<&str>),
    pinned: Vec<(i64, i64)>,
) -> CoreResult<AuditId> {
    let n = crate::shared::store::advance_counter(tx, c, "audit", 1).await?;
    let number = format!("PZ-{n:06}");
    let id = store::insert_audit(
        tx,
        c,
        (&number, method.code(), note),
        ctx.actor(),
        Utc::now(),
    )
    .await?;
    for (version, weight) in pinned {
        store::insert_part(tx, c, id, version, weight).await?;
    }
    Ok(id)
}

pub async fn get_audit(core: &Core, ctx: &Ctx, id: AuditId) -> CoreResult<Audit> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r).await
}

/// An audit as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditSummary {
    pub id: AuditId,
    pub number: String,
    pub method: AuditMethod,
    pub state: AuditState,
    /// Once signed off.
    pub total_cp: Option<i64>,
    pub grade: Option<Grade>,
    pub created_at: DateTime<Utc>,
    pub signed_at: Option<DateTime<Utc>>,
}

/// The community's audits, open ones first, newest first; at most 200.
pub async fn list_audits(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<Vec<AuditSummary>> {
    ctx.require_in(Perm::QualityManage, c)?;
    store::audits(&mut core.db.read(), c, 200)
        .await?
        .into_iter()
        .map(|r| {
            Ok(AuditSummary {
                method: AuditMethod::from_stored(&r.method)?,
                state: AuditState::from_stored(&r.state)?,
                grade: r.grade.as_deref().map(Grade::from_stored).transpose()?,
                id: r.id,
                number: r.number,
                total_cp: r.total_cp,
                created_at: r.created_at,
                signed_at: r.signed_at,
            })
        })
        .collect()
}

/// Checks an item's findings against it: one per element, a missing one's deduction inside the
/// range, a present one's none. Returns ("1,0,1", "0,50,0", what the item loses).
fn findings(
    item: &store::ItemRow,
    input: &[ElementScore],
    errs: &mut Vec<FieldError>,
) -> Option<(String, String, i64)> {
    let count = item.elements.lines().count();
    if input.len() != count {
        errs.push(FieldError::new("elements", QualityCode::ElementsCount).with("count", count));
        return None;
    }
    let mut deductions = Vec::with_capacity(count);
    for (k, e) in input.iter().enumerate() {
        let field = format!("elements[{k}].deduction");
        let raw = e.deduction.as_deref().map(str::trim).unwrap_or("");
        let d = if raw.is_empty() {
            Ok(0)
        } else {
            model::parse_points(&field, raw)
        };
        let range = || {
            FieldError::new(&field, QualityCode::DeductionRange)
                .with("min", model::points(item.deduct_min_cp))
                .with("max", model::points(item.deduct_max_cp))
        };
        match d {
            Err(err) => errs.push(err),
            Ok(d) if e.present && d != 0 => errs.push(range()),
            Ok(d) if !e.present && !(item.deduct_min_cp..=item.deduct_max_cp).contains(&d) => {
                errs.push(range())
            }
            Ok(d) => deductions.push(d),
        }
    }
    (deductions.len() == count).then(|| {
        let present = input
            .iter()
            .map(|e| if e.present { "1" } else { "0" })
            .collect::<Vec<_>>()
            .join(",");
        let list = deductions
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",");
        (
            present,
            list,
            model::item_deduction(item.max_cp, &deductions),
        )
    })
}

/// Scores an item of an open audit once (`quality.manage`).
pub async fn score_item(
    core: &Core,
    ctx: &Ctx,
    id: AuditId,
    item_id: i64,
    input: ItemScoreInput,
) -> CoreResult<Audit> {
    let mut errs = Vec::new();
    let method = method_of("method", input.method.as_deref())
        .map_err(|e| errs.push(e))
        .ok()
        .flatten();
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let item = store::item_of_audit(&mut tx, r.community_id, id, item_id)
        .await?
        .ok_or(CoreError::NotFound("audit_item"))?;
    let found = findings(&item, &input.elements, &mut errs);
    let Some((present, deductions, deduction)) = found.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    if store::hold_open(&mut tx, id).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::Signed));
    }
    let before = view(&mut tx, ctx, r.clone()).await?;
    let method = method.map(|m| m.code()).unwrap_or(&r.method);
    let s = NewScore {
        item: item_id,
        present: &present,
        deductions: &deductions,
        deduction_cp: deduction,
        method,
        note: note.as_deref(),
    };
    let scored = store::insert_score(&mut tx, r.community_id, id, &s, ctx.actor(), Utc::now());
    if scored.await?.is_none() {
        return Err(CoreError::conflict("item", QualityCode::ItemScored));
    }
    record(tx, ctx, id, Some(&before)).await
}

/// Clears an item's score while the audit is open, to score it again.
pub async fn clear_item(core: &Core, ctx: &Ctx, id: AuditId, item_id: i64) -> CoreResult<Audit> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    store::item_of_audit(&mut tx, r.community_id, id, item_id)
        .await?
        .ok_or(CoreError::NotFound("audit_item"))?;
    if store::hold_open(&mut tx, id).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::Signed));
    }
    let c = r.community_id;
    let before = view(&mut tx, ctx, r).await?;
    store::delete_score(&mut tx, c, id, item_id).await?;
    record(tx, ctx, id, Some(&before)).await
}

/// Signs the audit off once every item is scored: its sheet scores, total and grade are kept and
/// it changes no more; every item that lost points becomes a rectification task. Two sign-offs at once: one wins, the other is 409.
pub async fn sign_audit(core: &Core, ctx: &Ctx, id: AuditId) -> CoreResult<Audit> {
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    // Held first, so the scores read next are the ones signed off.
    if store::hold_open(&mut tx, id).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::Signed));
    }
    let before = view(&mut tx, ctx, r).await?;
    let missing = before.item_count - before.scored_count;
    if missing > 0 {
        return Err(CoreError::Invalid(vec![
            FieldError::new("items", QualityCode::Incomplete).with("missing", missing),
        ]));
    }
    let grade = model::grade(before.total_cp);
    if store::sign(
        &mut tx,
        id,
        (before.total_cp, grade.code()),
        ctx.actor(),
        Utc::now(),
    )
    .await?
        != 1
    {
        return Err(CoreError::conflict("state", QualityCode::Signed));
    }
    for (p, part) in store::parts(&mut tx, before.community_id, id)
        .await?
        .into_iter()
        .zip(&before.parts)
    {
        store::set_part_score(&mut tx, p.id, part.score_cp).await?;
    }
    super::rectify::write_for_audit(&mut tx, ctx, &before, Utc::now()).await?;
    record(tx, ctx, id, Some(&before)).await
}

/// Photos an auditor may take of one item.
pub const MAX_ITEM_PHOTOS: usize = 9;

/// Adds a photo of an item of an open audit (`quality.manage`): a JPEG, PNG or WebP image of at
/// most 5 MB, at most nine an item.
pub async fn add_audit_photo(
    core: &Core,
    ctx: &Ctx,
    id: AuditId,
    item_id: i64,
    bytes: &[u8],
) -> CoreResult<Audit> {
    let (ct, ext) = super::rectify::check_photo(bytes)?;
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    store::item_of_audit(&mut tx, c, id, item_id)
        .await?
        .ok_or(CoreError::NotFound("audit_item"))?;
    if store::hold_open(&mut tx, id).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::Signed));
    }
    let before = view(&mut tx, ctx, r).await?;
    let taken = before
        .parts
        .iter()
        .flat_map(|p| &p.items)
        .find(|i| i.item.id == item_id)
        .map_or(0, |i| i.photos.len());
    if taken >= MAX_ITEM_PHOTOS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", QualityCode::ItemTooManyPhotos).with("max", MAX_ITEM_PHOTOS),
        ]));
    }
    let rel = format!(
        "audits/{c}/{id}/{}.{ext}",
        hex::encode(crate::shared::crypto::random_bytes::<12>())
    );
    let path = core.settings.files_dir.join(&rel);
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        store::insert_audit_photo(&mut tx, c, id, (item_id, ct, &rel), ctx.actor(), Utc::now())
            .await?;
        record(tx, ctx, id, Some(&before)).await
    })
    .await
}

/// A photo of an audit: its type and bytes.
pub async fn audit_photo(
    core: &Core,
    ctx: &Ctx,
    id: AuditId,
    photo: i64,
) -> CoreResult<(String, Vec<u8>)> {
    let mut q = core.db.read();
    let r = reached(&mut q, ctx, id).await?;
    let p = store::audit_photos(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .find(|p| p.id == photo)
        .ok_or(CoreError::NotFound("photo"))?;
    let bytes = crate::shared::files::read(core.settings.files_dir.join(&p.path)).await?;
    Ok((p.content_type, bytes))
}
