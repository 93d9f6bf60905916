//! Rectification (整改, issue 16 point 4). Signing an audit off turns every item that lost points
//! into a task (ZG-000001) with a deadline five working days on, counted on the company calendar
//! the request clocks use. The auditor gives each an owner (and may move the deadline); the owner
//! records what was done with photos; the auditor rechecks: passed, a second rectification (the
//! last round, with a new deadline), or closed with the deduction kept. An open task past its
//! deadline is told to its owner and the community's auditors once per round.
//!
//! Auditors (`quality.manage`) see every task of their communities; any other staff member sees
//! the tasks he owns, and nobody else's.

use std::collections::HashMap;
use std::sync::OnceLock;

use chrono::{DateTime, Duration, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use super::super::error::QualityCode;
use super::super::model::{
    MAX_RECT_PHOTOS, MAX_RECTIFY_DAYS, MAX_ROUNDS, RECTIFY_DAYS, RecheckOutcome, RectState,
};
use super::super::store::rectify::{self as store, NewEvent, NewRect, RectRow, RectWhere};
use super::Audit;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::frontdesk::staff_names;
use crate::notify::{InApp, Note, model::Event};
use crate::shared::code_enum;
use crate::shared::crypto::random_bytes;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

code_enum!(RectEventKind, QualityCode::UnknownRectState, {
    Created = "created", "下达整改", "Issued";
    Assigned = "assigned", "指派", "Assigned";
    Done = "done", "整改完成", "Done";
    Passed = "passed", "复查通过", "Passed";
    Again = "again", "二次整改", "Rectify again";
    Kept = "kept", "关闭（扣分保留）", "Closed, deduction kept";
});

/// A step of a task's history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectEvent {
    pub round: i64,
    pub kind: RectEventKind,
    pub note: Option<String>,
    /// The deadline it set (issued, assigned, rectify again).
    pub due_at: Option<DateTime<Utc>>,
    pub by_name: Option<String>,
    pub at: DateTime<Utc>,
}

/// A photo the owner added, in its round.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectPhoto {
    pub id: i64,
    pub round: i64,
    pub content_type: String,
    pub created_at: DateTime<Utc>,
}

/// A task as a list shows it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectificationSummary {
    pub id: RectificationId,
    pub community_id: CommunityId,
    pub audit_id: AuditId,
    /// PZ-000001.
    pub audit_number: String,
    /// ZG-000001.
    pub number: String,
    pub sheet_name: String,
    pub section: String,
    pub item: String,
    /// The missing elements (and the auditor's note).
    pub finding: String,
    /// The points the item lost (hundredths).
    pub deduction_cp: i64,
    /// Its owner (责任人), once the auditor gave it one.
    pub assignee_id: Option<UserId>,
    pub assignee_name: Option<String>,
    /// 1, or 2 for a second rectification.
    pub round: i64,
    pub state: RectState,
    pub due_at: DateTime<Utc>,
    /// Being rectified and past its deadline.
    pub overdue: bool,
}

/// What the actor may do with a task now.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RectActions {
    /// An auditor, before the task closes.
    pub assign: bool,
    /// Its owner, while it is being rectified: photos and the record of the work.
    pub record: bool,
    /// An auditor, before the task closes (`passed` and `again` once it is submitted).
    pub recheck: bool,
}

/// A task with what the owner recorded, its photos and its history.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Rectification {
    #[serde(flatten)]
    pub summary: RectificationSummary,
    pub done_note: Option<String>,
    pub done_at: Option<DateTime<Utc>>,
    /// When its owner and auditors were told it is overdue, in this round.
    pub overdue_told_at: Option<DateTime<Utc>>,
    pub photos: Vec<RectPhoto>,
    pub events: Vec<RectEvent>,
    pub may: RectActions,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RectAssignInput {
    /// The owner (责任人): a staff member of the community.
    pub assignee_id: UserId,
    /// A new deadline this many working days from now (1 to 60); the deadline stays otherwise.
    #[serde(default)]
    pub days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RectDoneInput {
    /// What was done (up to 1,000 characters).
    pub note: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct RecheckInput {
    /// passed, again (a second rectification) or kept (closed with the deduction kept).
    pub outcome: String,
    #[serde(default)]
    pub note: Option<String>,
    /// For `again`: the new deadline in working days (1 to 60, default 5).
    #[serde(default)]
    pub days: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, IntoParams, ToSchema)]
#[into_params(parameter_in = Query)]
pub struct RectFilter {
    /// open, submitted, passed or kept.
    #[serde(default)]
    pub state: Option<String>,
    /// Only the actor's own tasks.
    #[serde(default)]
    pub mine: Option<bool>,
    #[serde(default)]
    pub audit_id: Option<AuditId>,
    /// Only tasks being rectified past their deadline.
    #[serde(default)]
    pub overdue: Option<bool>,
}

fn summary(
    r: &RectRow,
    names: &HashMap<UserId, String>,
    now: DateTime<Utc>,
) -> CoreResult<RectificationSummary> {
    let state = RectState::from_stored(&r.state)?;
    Ok(RectificationSummary {
        id: r.id,
        community_id: r.community_id,
        audit_id: r.audit_id,
        audit_number: r.audit_number.clone(),
        number: r.number.clone(),
        sheet_name: r.sheet_name.clone(),
        section: r.section.clone(),
        item: r.item.clone(),
        finding: r.finding.clone(),
        deduction_cp: r.deduction_cp,
        assignee_id: r.owner_id,
        assignee_name: r.owner_id.map(|u| name_of(names, u)),
        round: r.round,
        state,
        due_at: r.due_at,
        overdue: state == RectState::Open && now > r.due_at,
    })
}

fn name_of(names: &HashMap<UserId, String>, u: UserId) -> String {
    names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))
}

async fn view(q: &mut impl Queries, ctx: &Ctx, r: RectRow) -> CoreResult<Rectification> {
    let c = r.community_id;
    let names = staff_names(q, ctx, c).await?;
    let events = store::events(q, c, r.id)
        .await?
        .into_iter()
        .map(|e| {
            Ok(RectEvent {
                kind: RectEventKind::from_stored(&e.kind)?,
                round: e.round,
                note: e.note,
                due_at: e.due_at,
                by_name: e.by_user.map(|u| name_of(&names, u)),
                at: e.at,
            })
        })
        .collect::<CoreResult<_>>()?;
    let photos = store::photos(q, c, r.id)
        .await?
        .into_iter()
        .map(|p| RectPhoto {
            id: p.id,
            round: p.round,
            content_type: p.content_type,
            created_at: p.created_at,
        })
        .collect();
    let auditor = ctx.require_in(Perm::QualityManage, c).is_ok();
    let live = matches!(r.state.as_str(), "open" | "submitted");
    let may = RectActions {
        assign: auditor && live,
        record: r.owner_id.is_some()
            && r.owner_id == ctx.actor()
            && r.state == RectState::Open.code(),
        recheck: auditor && live,
    };
    Ok(Rectification {
        may,
        summary: summary(&r, &names, Utc::now())?,
        done_note: r.done_note,
        done_at: r.done_at,
        overdue_told_at: r.overdue_told_at,
        photos,
        events,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// The task and whether the actor audits it: an auditor of its community reaches every task,
/// its owner his own; anyone else finds nothing.
async fn reached(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: RectificationId,
) -> CoreResult<(RectRow, bool)> {
    let r = store::get(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("rectification"))?;
    if ctx.require_in(Perm::QualityManage, r.community_id).is_ok() {
        return Ok((r, true));
    }
    if r.owner_id.is_some() && r.owner_id == ctx.actor() {
        return Ok((r, false));
    }
    Err(CoreError::NotFound("rectification"))
}

/// Reads the task back after a change, audits it against `before`, commits.
async fn record(
    mut tx: Tx,
    ctx: &Ctx,
    id: RectificationId,
    before: &Rectification,
) -> CoreResult<Rectification> {
    let r = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("rectification"))?;
    let after = view(&mut tx, ctx, r).await?;
    let e = Entry::new(Action::Update, "rectification", id.0)
        .community(after.summary.community_id)
        .before(before)
        .after(&after);
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// The community's company and time zone.
async fn zone(q: &mut Tx, c: CommunityId) -> CoreResult<(CompanyId, Tz)> {
    let (company, _, tz) = crate::registry::store::for_notify::community(q, c)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    Ok((company, crate::shared::calendar::zone(&tz)))
}

/// The deadline `days` working days after `from` in the community's calendar.
async fn deadline(
    q: &mut Tx,
    c: CommunityId,
    from: DateTime<Utc>,
    days: u32,
) -> CoreResult<DateTime<Utc>> {
    let (company, tz) = zone(q, c).await?;
    let cal = crate::tickets::sla::calendar_near(q, company, from).await?;
    Ok(cal.add_working_days(from, days, tz))
}

fn days_of(raw: Option<i64>, errs: &mut Vec<FieldError>) -> Option<u32> {
    match raw {
        None => None,
        Some(d) if (1..=MAX_RECTIFY_DAYS).contains(&d) => Some(d as u32),
        Some(_) => {
            errs.push(
                FieldError::new("days", QualityCode::DaysRange).with("max", MAX_RECTIFY_DAYS),
            );
            None
        }
    }
}

/// Writes a task for every item of a signed-off audit that lost points (inside the sign-off's
/// transaction), due five working days on.
pub(super) async fn write_for_audit(
    tx: &mut Tx,
    ctx: &Ctx,
    audit: &Audit,
    now: DateTime<Utc>,
) -> CoreResult<usize> {
    let c = audit.community_id;
    let due = deadline(tx, c, now, RECTIFY_DAYS).await?;
    let mut made = 0;
    for part in &audit.parts {
        for i in &part.items {
            let Some(s) = i.score.as_ref().filter(|s| s.deduction_cp > 0) else {
                continue;
            };
            let missing: Vec<&str> = i
                .item
                .elements
                .iter()
                .zip(&s.present)
                .filter(|(_, p)| !**p)
                .map(|(e, _)| e.as_str())
                .collect();
            let mut finding = format!("缺：{}", missing.join("；"));
            if let Some(n) = &s.note {
                finding += &format!("（{n}）");
            }
            let n = crate::shared::store::advance_counter(tx, c, "rectification", 1).await?;
            let number = format!("ZG-{n:06}");
            let id = store::insert(
                tx,
                c,
                &NewRect {
                    audit: audit.id,
                    item_id: i.item.id,
                    number: &number,
                    sheet_name: &part.name,
                    section: &i.item.section,
                    item: &i.item.item,
                    finding: &finding,
                    deduction_cp: s.deduction_cp,
                    due_at: due,
                },
                now,
            )
            .await?;
            let e = NewEvent {
                round: 1,
                kind: RectEventKind::Created.code(),
                note: None,
                due_at: Some(due),
            };
            store::insert_event(tx, c, id, &e, ctx.actor(), now).await?;
            made += 1;
        }
    }
    Ok(made)
}

/// The community's tasks (at most 500): an auditor's all, anyone else's his own.
pub async fn list_rectifications(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: RectFilter,
) -> CoreResult<Vec<RectificationSummary>> {
    let mut q = core.db.read();
    let now = Utc::now();
    let (w, names) = rect_where(&mut q, ctx, c, &f, now).await?;
    store::list(&mut q, c, &w, 500)
        .await?
        .iter()
        .map(|r| summary(r, &names, now))
        .collect()
}

/// The tasks `f` picks that the actor may see, checked (the list's and its export's): an
/// auditor's all, any other staff member's his own; with the community's staff names, which
/// the rows show their owners by.
async fn rect_where(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
    f: &RectFilter,
    now: DateTime<Utc>,
) -> CoreResult<(RectWhere, HashMap<UserId, String>)> {
    let names = staff_names(q, ctx, c).await?;
    let auditor = ctx.require_in(Perm::QualityManage, c).is_ok();
    let me = ctx.actor();
    let staff = ctx.reaches(c) && me.is_some_and(|u| names.contains_key(&u));
    if !(auditor || staff) {
        return Err(CoreError::Forbidden);
    }
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => Some(
            RectState::parse("state", s)
                .map_err(|e| CoreError::Invalid(vec![e]))?
                .code(),
        ),
        None => None,
    };
    let w = RectWhere {
        state,
        owner: if !auditor || f.mine.unwrap_or(false) {
            me
        } else {
            None
        },
        audit: f.audit_id,
        overdue_at: f.overdue.unwrap_or(false).then_some(now),
    };
    Ok((w, names))
}

/// The export's columns: a task as the list shows it.
const COLUMNS: &[Column<RectificationSummary>] = &[
    col("整改单号", 12.0, |r| Cell::from(&r.number)),
    col("核查单号", 12.0, |r| Cell::from(&r.audit_number)),
    col("评分细则", 20.0, |r| Cell::from(&r.sheet_name)),
    col("项目", 12.0, |r| Cell::from(&r.section)),
    col("内容", 16.0, |r| Cell::from(&r.item)),
    col("问题", 40.0, |r| Cell::from(&r.finding)),
    // Points are hundredths, as fen are: the same two decimals, a number the sheet can sum.
    col("扣分", 8.0, |r| Cell::Fen(r.deduction_cp)),
    col("责任人", 10.0, |r| Cell::from(&r.assignee_name)),
    col("轮次", 6.0, |r| Cell::from(r.round)),
    col("状态", 14.0, |r| Cell::Label(r.state.zh())),
    col("整改期限", 16.0, |r| Cell::At(r.due_at)),
    col("逾期", 6.0, |r| Cell::from(r.overdue)),
];

/// Every task the list would show under `f` (not only its 500), newest first, as .xlsx,
/// streamed; times in the community's zone.
pub async fn rectifications_xlsx(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: RectFilter,
) -> CoreResult<ExportFile> {
    let mut q = core.db.read();
    let now = Utc::now();
    let (w, names) = rect_where(&mut q, ctx, c, &f, now).await?;
    let tz = crate::frontdesk::tz_of(&mut q, ctx, c).await?;
    let sink = Sink::new("整改任务", COLUMNS, tz);
    let mut sink = sink.by_id(|r| r.id.0);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            store::page(&mut q, c, &w, below, PAGE)
                .await?
                .iter()
                .map(|r| summary(r, &names, now))
                .collect()
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// The staff of the community a task may be given to (`quality.manage`): (id, name).
pub async fn rectification_owners(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Vec<(UserId, String)>> {
    ctx.require_in(Perm::QualityManage, c)?;
    let mut v: Vec<(UserId, String)> = staff_names(&mut core.db.read(), ctx, c)
        .await?
        .into_iter()
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    Ok(v)
}

pub async fn get_rectification(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
) -> CoreResult<Rectification> {
    let mut q = core.db.read();
    let (r, _) = reached(&mut q, ctx, id).await?;
    view(&mut q, ctx, r).await
}

/// The task and its view, for an auditor only: its owner reaches it but is refused (403); anyone
/// else finds nothing (404).
async fn as_auditor(
    tx: &mut Tx,
    ctx: &Ctx,
    id: RectificationId,
) -> CoreResult<(RectRow, Rectification)> {
    let (r, auditor) = reached(tx, ctx, id).await?;
    if !auditor {
        return Err(CoreError::Forbidden);
    }
    let before = view(tx, ctx, r.clone()).await?;
    Ok((r, before))
}

/// Gives a task an owner (`quality.manage`), and a new deadline when `days` is given; the owner
/// is told.
pub async fn assign_rectification(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    input: RectAssignInput,
) -> CoreResult<Rectification> {
    let mut errs = Vec::new();
    let days = days_of(input.days, &mut errs);
    let mut tx = core.db.begin().await?;
    let (r, before) = as_auditor(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let names = staff_names(&mut tx, ctx, c).await?;
    if !names.contains_key(&input.assignee_id) {
        errs.push(FieldError::new("assignee_id", QualityCode::UnknownOwner));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    if matches!(before.summary.state, RectState::Passed | RectState::Kept) {
        return Err(CoreError::conflict("state", QualityCode::Closed));
    }
    let now = Utc::now();
    let due = match days {
        Some(d) => deadline(&mut tx, c, now, d).await?,
        None => r.due_at,
    };
    if store::assign(&mut tx, id, input.assignee_id, due, now).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::Closed));
    }
    let e = NewEvent {
        round: r.round,
        kind: RectEventKind::Assigned.code(),
        note: Some(&name_of(&names, input.assignee_id)),
        due_at: Some(due),
    };
    store::insert_event(&mut tx, c, id, &e, ctx.actor(), now).await?;
    let tz = zone(&mut tx, c).await?.1;
    let note = note_of(Event::RectificationAssigned, &r, due, tz);
    crate::notify::enqueue(
        &core.channels,
        &mut tx,
        &note,
        &[input.assignee_id],
        InApp::Write,
        now,
    )
    .await?;
    record(tx, ctx, id, &before).await
}

fn note_of(event: Event, r: &RectRow, due: DateTime<Utc>, tz: Tz) -> Note {
    Note {
        community: r.community_id,
        event,
        params: vec![
            ("number".into(), r.number.clone()),
            ("item".into(), r.item.clone()),
            (
                "due".into(),
                due.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
            ),
        ],
        request: None,
        link: Some(format!("/rectifications/{}", r.id)),
    }
}

/// The task for its owner while it is being rectified.
async fn as_owner(
    tx: &mut Tx,
    ctx: &Ctx,
    id: RectificationId,
) -> CoreResult<(RectRow, Rectification)> {
    let (r, _) = reached(tx, ctx, id).await?;
    if r.owner_id.is_none() || r.owner_id != ctx.actor() {
        return Err(CoreError::conflict("assignee_id", QualityCode::NotOwner));
    }
    if r.state != RectState::Open.code() {
        return Err(CoreError::conflict("state", QualityCode::NotOpen));
    }
    let before = view(tx, ctx, r.clone()).await?;
    Ok((r, before))
}

/// A photo's (content type, extension): an image of at most 5 MB.
pub(super) fn check_photo(bytes: &[u8]) -> CoreResult<(&'static str, &'static str)> {
    if bytes.is_empty() {
        return Err(CoreError::invalid(
            "photo",
            crate::shared::error::CommonCode::Required,
        ));
    }
    if bytes.len() > crate::tickets::photos::MAX_PHOTO_BYTES {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", crate::shared::error::CommonCode::FileTooLarge)
                .with("max", "5 MB"),
        ]));
    }
    crate::tickets::photos::sniff_image(bytes)
        .ok_or_else(|| CoreError::invalid("photo", QualityCode::NotAnImage))
}

/// Adds a photo of the work to the task's round (its owner, while it is being rectified): a
/// JPEG, PNG or WebP image of at most 5 MB, at most nine a round.
pub async fn add_rectification_photo(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    bytes: &[u8],
) -> CoreResult<Rectification> {
    let (ct, ext) = check_photo(bytes)?;
    let mut tx = core.db.begin().await?;
    let (r, before) = as_owner(&mut tx, ctx, id).await?;
    if before.photos.iter().filter(|p| p.round == r.round).count() >= MAX_RECT_PHOTOS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", QualityCode::TooManyPhotos).with("max", MAX_RECT_PHOTOS),
        ]));
    }
    let c = r.community_id;
    let rel = format!(
        "rectifications/{c}/{id}/{}.{ext}",
        hex::encode(random_bytes::<12>())
    );
    let path = core.settings.files_dir.join(&rel);
    crate::shared::files::write_then(path, bytes.to_vec(), async {
        store::insert_photo(&mut tx, c, id, (r.round, ct, &rel), ctx.actor(), Utc::now()).await?;
        record(tx, ctx, id, &before).await
    })
    .await
}

/// A photo of a task: its type and bytes.
pub async fn rectification_photo(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    photo: i64,
) -> CoreResult<(String, Vec<u8>)> {
    let mut q = core.db.read();
    let (r, _) = reached(&mut q, ctx, id).await?;
    let p = store::photos(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .find(|p| p.id == photo)
        .ok_or(CoreError::NotFound("photo"))?;
    let bytes = crate::shared::files::read(core.settings.files_dir.join(&p.path)).await?;
    Ok((p.content_type, bytes))
}

/// The owner's form in one step: the record of the work and its photos, all checked before any
/// is written (the console's; the API adds photos one by one, then records).
pub async fn record_rectification(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    note: &str,
    photos: &[Vec<u8>],
) -> CoreResult<Rectification> {
    required_text("note", note, 1000).map_err(|e| CoreError::Invalid(vec![e]))?;
    for p in photos {
        check_photo(p)?;
    }
    let t = get_rectification(core, ctx, id).await?;
    let taken = t
        .photos
        .iter()
        .filter(|p| p.round == t.summary.round)
        .count();
    if taken + photos.len() > MAX_RECT_PHOTOS {
        return Err(CoreError::Invalid(vec![
            FieldError::new("photo", QualityCode::TooManyPhotos).with("max", MAX_RECT_PHOTOS),
        ]));
    }
    for p in photos {
        add_rectification_photo(core, ctx, id, p).await?;
    }
    submit_rectification(
        core,
        ctx,
        id,
        RectDoneInput {
            note: note.to_string(),
        },
    )
    .await
}

/// The owner records what was done: the task waits for the auditor's recheck.
pub async fn submit_rectification(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    input: RectDoneInput,
) -> CoreResult<Rectification> {
    let note = required_text("note", &input.note, 1000).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let (r, before) = as_owner(&mut tx, ctx, id).await?;
    let now = Utc::now();
    if store::submit(&mut tx, id, r.round, &note, now).await? != 1 {
        return Err(CoreError::conflict("state", QualityCode::NotOpen));
    }
    let e = NewEvent {
        round: r.round,
        kind: RectEventKind::Done.code(),
        note: Some(&note),
        due_at: None,
    };
    store::insert_event(&mut tx, r.community_id, id, &e, ctx.actor(), now).await?;
    record(tx, ctx, id, &before).await
}

/// The auditor's recheck (`quality.manage`): `passed` or `again` once the owner recorded the
/// work (a second rectification is the last round), `kept` at any time before the task closes.
pub async fn recheck_rectification(
    core: &Core,
    ctx: &Ctx,
    id: RectificationId,
    input: RecheckInput,
) -> CoreResult<Rectification> {
    let mut errs = Vec::new();
    let outcome = RecheckOutcome::parse("outcome", input.outcome.trim())
        .map_err(|e| errs.push(e))
        .ok();
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let days = days_of(input.days, &mut errs).unwrap_or(RECTIFY_DAYS);
    let Some(outcome) = outcome.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let mut tx = core.db.begin().await?;
    let (r, before) = as_auditor(&mut tx, ctx, id).await?;
    let state = before.summary.state;
    if matches!(state, RectState::Passed | RectState::Kept) {
        return Err(CoreError::conflict("state", QualityCode::Closed));
    }
    let now = Utc::now();
    let c = r.community_id;
    let (moved, due, kind) = match outcome {
        RecheckOutcome::Passed | RecheckOutcome::Again if state != RectState::Submitted => {
            return Err(CoreError::conflict("state", QualityCode::NotSubmitted));
        }
        RecheckOutcome::Again if r.round >= MAX_ROUNDS => {
            return Err(CoreError::conflict("outcome", QualityCode::RoundsMax));
        }
        RecheckOutcome::Passed => (
            store::close(
                &mut tx,
                id,
                (state.code(), r.round),
                RectState::Passed.code(),
                now,
            )
            .await?,
            None,
            RectEventKind::Passed,
        ),
        RecheckOutcome::Kept => (
            store::close(
                &mut tx,
                id,
                (state.code(), r.round),
                RectState::Kept.code(),
                now,
            )
            .await?,
            None,
            RectEventKind::Kept,
        ),
        RecheckOutcome::Again => {
            let due = deadline(&mut tx, c, now, days).await?;
            (
                store::again(&mut tx, id, r.round, due, now).await?,
                Some(due),
                RectEventKind::Again,
            )
        }
    };
    if moved != 1 {
        return Err(CoreError::conflict("state", QualityCode::Closed));
    }
    let e = NewEvent {
        round: r.round,
        kind: kind.code(),
        note: note.as_deref(),
        due_at: due,
    };
    store::insert_event(&mut tx, c, id, &e, ctx.actor(), now).await?;
    if let (Some(due), Some(owner)) = (due, r.owner_id) {
        let tz = zone(&mut tx, c).await?.1;
        let note = note_of(Event::RectificationAssigned, &r, due, tz);
        crate::notify::enqueue(&core.channels, &mut tx, &note, &[owner], InApp::Write, now).await?;
    }
    record(tx, ctx, id, &before).await
}

// ---------------------------------------------------------------------------------------------
// The overdue job

const JOB: &str = "rectifications_overdue";

fn node() -> &'static str {
    static NODE: OnceLock<String> = OnceLock::new();
    NODE.get_or_init(crate::shared::jobs::node_name)
}

/// One pass as of `now`: every task being rectified past its deadline and not yet told (in its
/// round) is told to its owner and the community's auditors, once (a conditional UPDATE in the
/// transaction of the messages). Under the job's lease. Returns how many tasks were told.
pub async fn run_rectification_reminders(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    if !crate::shared::jobs::claim_lease(core, JOB, node(), Duration::seconds(120), now).await? {
        return Ok(0);
    }
    let mut told = 0;
    for r in store::overdue_untold(&mut core.db.read(), now, 500).await? {
        let mut tx = core.db.begin().await?;
        let (company, tz) = zone(&mut tx, r.community_id).await?;
        if store::mark_told(&mut tx, r.community_id, r.id, r.round, now).await? == 1 {
            let mut to: Vec<UserId> = crate::auth::store::for_tickets::users_with_perm(
                &mut tx,
                company,
                r.community_id,
                Perm::QualityManage.code(),
                false,
            )
            .await?
            .into_iter()
            .map(|(u, _)| u)
            .collect();
            to.extend(r.owner_id);
            to.sort();
            to.dedup();
            let note = note_of(Event::RectificationOverdue, &r, r.due_at, tz);
            crate::notify::enqueue(&core.channels, &mut tx, &note, &to, InApp::Write, now).await?;
            told += 1;
        }
        tx.commit().await?;
    }
    crate::shared::jobs::finish_lease(core, JOB, node(), &format!("told {told}")).await?;
    Ok(told)
}

/// Runs [`run_rectification_reminders`] every `every` until the process ends.
pub fn spawn_quality_job(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    crate::shared::jobs::spawn_every(core, every, "overdue rectifications", |core| async move {
        run_rectification_reminders(&core, Utc::now()).await
    })
}
