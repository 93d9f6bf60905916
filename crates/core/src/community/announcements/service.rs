//! The staff's use cases of notices: write, edit, publish (now or later), withdraw, delete, and
//! read counts per building; and the scheduler that tells scheduled notices' readers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::model::{self, NoticeCategory, NoticeScope, NoticeStatus, StoredState};
use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::community::community_of;
use crate::community::error::CommunityCode;
use crate::community::store::announcements::{self as store, NoticeRow, NoticeText};
use crate::db::{Queries, Tx};
use crate::notify::{self, InApp, Note, model::Event};
use crate::registry::store::for_community as registry;
use crate::shared::ctx::{Ctx, Perm, Scope};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;

/// A notice as staff and owners see it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Announcement {
    pub id: AnnouncementId,
    pub community_id: CommunityId,
    /// The copies of one company-wide notice share it (the first copy's id).
    pub series_id: Option<AnnouncementId>,
    pub scope: NoticeScope,
    pub category: NoticeCategory,
    pub title: String,
    pub body: String,
    pub pinned: bool,
    pub status: NoticeStatus,
    /// When it shows (set when published; later than now while scheduled).
    pub publish_at: Option<DateTime<Utc>>,
    pub expires_at: Option<DateTime<Utc>>,
    /// When its readers were told.
    pub notified_at: Option<DateTime<Utc>>,
    /// The buildings of a notice of scope `buildings`.
    pub building_ids: Vec<BuildingId>,
    pub attachments: Vec<Attachment>,
    /// Whether the caller read it (owners' lists; always false for staff).
    pub read: bool,
    pub created_by: Option<UserId>,
    pub published_by: Option<UserId>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Attachment {
    pub id: i64,
    pub name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AnnouncementForCreate {
    /// `company` (every community; company admins only), `community` or `buildings`.
    pub scope: String,
    /// `notice` 通知, `outage` 停水停电 (sent at once), `activity` 活动, `fees` 收费, `tip` 温馨提示.
    pub category: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// Required for scope `buildings`.
    #[serde(default)]
    pub building_ids: Vec<BuildingId>,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AnnouncementForUpdate {
    pub category: String,
    pub title: String,
    pub body: String,
    #[serde(default)]
    pub pinned: bool,
    pub expires_at: Option<DateTime<Utc>>,
    /// For scope `buildings`: the buildings (replacing the earlier ones).
    #[serde(default)]
    pub building_ids: Vec<BuildingId>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema)]
pub struct AnnouncementForPublish {
    /// When it shows; now when absent. Later than now: scheduled, its readers told then.
    pub at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct AnnouncementFilter {
    /// `draft`, `scheduled`, `live`, `expired` or `withdrawn`.
    pub status: Option<String>,
    pub category: Option<String>,
}

/// Who read a notice, building by building.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadCounts {
    pub announcement_id: AnnouncementId,
    /// Activated portal accounts the notice is for.
    pub audience: i64,
    pub read: i64,
    pub buildings: Vec<BuildingReads>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct BuildingReads {
    pub building_id: BuildingId,
    pub building: String,
    pub audience: i64,
    pub read: i64,
}

pub(super) fn decode(
    r: &NoticeRow,
    buildings: Vec<BuildingId>,
    attachments: Vec<Attachment>,
    read: bool,
    now: DateTime<Utc>,
) -> CoreResult<Announcement> {
    let broken = || CoreError::internal(format!("announcement {}: a stored code", r.id));
    let state = StoredState::decode(&r.state).ok_or_else(broken)?;
    Ok(Announcement {
        id: r.id,
        community_id: r.community_id,
        series_id: r.series_id,
        scope: NoticeScope::parse(&r.scope).map_err(|_| broken())?,
        category: NoticeCategory::parse(&r.category).map_err(|_| broken())?,
        title: r.title.clone(),
        body: r.body.clone(),
        pinned: r.pinned,
        status: model::status_at(state, r.publish_at, r.expires_at, now),
        publish_at: r.publish_at,
        expires_at: r.expires_at,
        notified_at: r.notified_at,
        building_ids: buildings,
        attachments,
        read,
        created_by: r.created_by,
        published_by: r.published_by,
        created_at: r.created_at,
        updated_at: r.updated_at,
    })
}

/// Notices with their buildings and attachments, in the order given.
pub(super) async fn expand(
    q: &mut impl Queries,
    c: CommunityId,
    rows: &[NoticeRow],
    read: &[AnnouncementId],
    now: DateTime<Utc>,
) -> CoreResult<Vec<Announcement>> {
    let ids: Vec<AnnouncementId> = rows.iter().map(|r| r.id).collect();
    let mut buildings: BTreeMap<AnnouncementId, Vec<BuildingId>> = BTreeMap::new();
    for (a, b) in store::buildings_of(q, c, &ids).await? {
        buildings.entry(a).or_default().push(b);
    }
    let mut files: BTreeMap<AnnouncementId, Vec<Attachment>> = BTreeMap::new();
    for f in store::files_of(q, c, &ids).await? {
        files
            .entry(f.announcement_id)
            .or_default()
            .push(Attachment {
                id: f.id,
                name: f.original_name,
                content_type: f.content_type,
                size_bytes: f.size_bytes,
            });
    }
    rows.iter()
        .map(|r| {
            decode(
                r,
                buildings.remove(&r.id).unwrap_or_default(),
                files.remove(&r.id).unwrap_or_default(),
                read.contains(&r.id),
                now,
            )
        })
        .collect()
}

/// A notice the actor may manage.
pub(super) async fn managed(
    tx: &mut impl Queries,
    ctx: &Ctx,
    id: AnnouncementId,
) -> CoreResult<NoticeRow> {
    let r = store::get(tx, id)
        .await?
        .ok_or(CoreError::NotFound("announcement"))?;
    if !ctx.reaches(r.community_id) {
        return Err(CoreError::NotFound("announcement"));
    }
    community_of(tx, ctx, r.community_id).await?;
    Ok(r)
}

/// Whether the actor reaches every community of the company (a company admin): only he writes
/// company-wide notices.
pub(super) async fn reaches_all(q: &mut impl Queries, ctx: &Ctx) -> CoreResult<bool> {
    if ctx.scope == Scope::All {
        return Ok(true);
    }
    Ok(registry::communities(q, ctx.company_id)
        .await?
        .into_iter()
        .all(|c| ctx.reaches(c)))
}

/// Whether the actor may write company-wide notices (the console offers the scope then).
pub async fn may_write_company_wide(core: &Core, ctx: &Ctx) -> CoreResult<bool> {
    Ok(ctx.has(Perm::AnnouncementsManage) && reaches_all(&mut core.db.read(), ctx).await?)
}

/// A change to a company-wide notice applies to every copy, so only someone who reaches every
/// community makes it.
pub(super) async fn may_change(q: &mut impl Queries, ctx: &Ctx, r: &NoticeRow) -> CoreResult<()> {
    if r.scope == NoticeScope::Company.code() && !reaches_all(q, ctx).await? {
        return Err(CoreError::Forbidden);
    }
    Ok(())
}

async fn checked_buildings(
    q: &mut impl Queries,
    c: CommunityId,
    scope: NoticeScope,
    ids: &[BuildingId],
) -> CoreResult<Vec<BuildingId>> {
    if scope != NoticeScope::Buildings {
        return Ok(Vec::new());
    }
    if ids.is_empty() {
        return Err(CoreError::invalid(
            "building_ids",
            CommunityCode::BuildingsRequired,
        ));
    }
    let known: BTreeSet<BuildingId> = registry::buildings(q, c)
        .await?
        .into_iter()
        .map(|(b, _)| b)
        .collect();
    let mut out: Vec<BuildingId> = ids.to_vec();
    out.sort();
    out.dedup();
    if out.iter().any(|b| !known.contains(b)) {
        return Err(CoreError::invalid(
            "building_ids",
            CommunityCode::UnknownBuilding,
        ));
    }
    Ok(out)
}

pub async fn list_announcements(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: &AnnouncementFilter,
) -> CoreResult<Vec<Announcement>> {
    let mut q = core.db.read();
    community_of(&mut q, ctx, c).await?;
    let mut errs = Vec::new();
    let status = match f.status.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match NoticeStatus::parse(s) {
            Some(v) => Some(v),
            None => {
                errs.push(FieldError::new(
                    "status",
                    CommunityCode::UnknownNoticeStatus,
                ));
                None
            }
        },
        None => None,
    };
    let category = match f.category.as_deref().filter(|s| !s.is_empty()) {
        Some(s) => match NoticeCategory::parse(s) {
            Ok(v) => Some(v),
            Err(e) => {
                errs.push(e);
                None
            }
        },
        None => None,
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let stored = status.map(|s| match s {
        NoticeStatus::Draft => "draft",
        NoticeStatus::Withdrawn => "withdrawn",
        _ => "published",
    });
    let now = Utc::now();
    let rows = store::list(&mut q, c, stored, category.map(|k| k.code())).await?;
    let all = expand(&mut q, c, &rows, &[], now).await?;
    Ok(all
        .into_iter()
        .filter(|a| status.is_none_or(|s| a.status == s))
        .collect())
}

pub async fn get_announcement(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
) -> CoreResult<Announcement> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    let mut v = expand(&mut q, r.community_id, &[r], &[], Utc::now()).await?;
    v.pop().ok_or(CoreError::NotFound("announcement"))
}

/// Writes a draft; a company-wide one gets a copy in each of the company's communities.
pub async fn create_announcement(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: AnnouncementForCreate,
) -> CoreResult<Announcement> {
    let mut tx = core.db.begin().await?;
    let id = create_in(&mut tx, ctx, c, input).await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("announcement"))?;
    let out = expand(&mut tx, c, &[row], &[], Utc::now()).await?;
    tx.commit().await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::NotFound("announcement"))
}

/// Writes a draft in the caller's transaction (an incident's notice to its affected units is
/// written and published with the incident's timeline entry, all or nothing).
pub(crate) async fn create_in(
    tx: &mut Tx,
    ctx: &Ctx,
    c: CommunityId,
    input: AnnouncementForCreate,
) -> CoreResult<AnnouncementId> {
    community_of(tx, ctx, c).await?;
    let now = Utc::now();
    let mut errs = Vec::new();
    let scope = NoticeScope::parse(input.scope.trim())
        .map_err(|e| errs.push(e))
        .ok();
    let category = NoticeCategory::parse(input.category.trim())
        .map_err(|e| errs.push(e))
        .ok();
    errs.extend(model::check(
        &input.title,
        &input.body,
        now,
        input.expires_at,
        now,
    ));
    let (Some(scope), Some(category)) = (scope, category) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    if scope == NoticeScope::Company && !reaches_all(&mut *tx, ctx).await? {
        return Err(CoreError::invalid(
            "scope",
            CommunityCode::CompanyScopeNeedsAll,
        ));
    }
    let buildings = checked_buildings(&mut *tx, c, scope, &input.building_ids).await?;
    let text = NoticeText {
        scope: scope.code(),
        category: category.code(),
        title: input.title.trim(),
        body: input.body.trim(),
        pinned: input.pinned,
        expires_at: input.expires_at,
    };
    let id = store::insert(&mut *tx, c, None, &text, ctx.actor(), now).await?;
    store::set_buildings(&mut *tx, c, id, &buildings).await?;
    if scope == NoticeScope::Company {
        store::set_series(&mut *tx, id).await?;
        for other in registry::communities(&mut *tx, ctx.company_id).await? {
            if other != c {
                store::insert(&mut *tx, other, Some(id), &text, ctx.actor(), now).await?;
            }
        }
    }
    audit::record(
        &mut *tx,
        ctx,
        Entry::new(Action::Create, "announcement", id.0)
            .community(c)
            .after(&serde_json::json!({
                "scope": text.scope, "category": text.category, "title": text.title,
                "pinned": text.pinned, "expires_at": text.expires_at, "buildings": &buildings,
            })),
    )
    .await?;
    Ok(id)
}

/// Edits a draft (every copy of a company-wide one).
pub async fn update_announcement(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
    input: AnnouncementForUpdate,
) -> CoreResult<Announcement> {
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    may_change(&mut tx, ctx, &r).await?;
    if r.state != StoredState::Draft.code() {
        return Err(CoreError::conflict("state", CommunityCode::NoticeNotDraft));
    }
    let now = Utc::now();
    let mut errs = Vec::new();
    let category = NoticeCategory::parse(input.category.trim())
        .map_err(|e| errs.push(e))
        .ok();
    errs.extend(model::check(
        &input.title,
        &input.body,
        now,
        input.expires_at,
        now,
    ));
    let Some(category) = category.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let scope = NoticeScope::parse(&r.scope)
        .map_err(|_| CoreError::internal(format!("announcement {id}: a stored scope")))?;
    let buildings = checked_buildings(&mut tx, r.community_id, scope, &input.building_ids).await?;
    let text = NoticeText {
        scope: scope.code(),
        category: category.code(),
        title: input.title.trim(),
        body: input.body.trim(),
        pinned: input.pinned,
        expires_at: input.expires_at,
    };
    for copy in store::copies(&mut tx, &r).await? {
        store::update_text(&mut tx, copy.id, &text, now).await?;
    }
    if scope == NoticeScope::Buildings {
        store::set_buildings(&mut tx, r.community_id, id, &buildings).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "announcement", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"title": &r.title, "category": &r.category}))
            .after(&serde_json::json!({
                "title": text.title, "category": text.category, "pinned": text.pinned,
                "expires_at": text.expires_at, "buildings": &buildings,
            })),
    )
    .await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("announcement"))?;
    let out = expand(&mut tx, r.community_id, &[row], &[], now).await?;
    tx.commit().await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::NotFound("announcement"))
}

/// Deletes a draft (every copy of a company-wide one); its files go with it.
pub async fn delete_announcement(core: &Core, ctx: &Ctx, id: AnnouncementId) -> CoreResult<()> {
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    may_change(&mut tx, ctx, &r).await?;
    if r.state != StoredState::Draft.code() {
        return Err(CoreError::conflict("state", CommunityCode::NoticeNotDraft));
    }
    let copies = store::copies(&mut tx, &r).await?;
    for copy in &copies {
        store::delete(&mut tx, copy.id).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Delete, "announcement", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"title": &r.title, "copies": copies.len()})),
    )
    .await?;
    tx.commit().await?;
    for copy in copies {
        super::files::remove_dir(core, copy.community_id, copy.id).await;
    }
    Ok(())
}

/// The people a notice is for: their portal accounts (activated or not), with the buildings
/// each lives in.
async fn audience(
    q: &mut impl Queries,
    r: &NoticeRow,
    buildings: &[BuildingId],
) -> CoreResult<Vec<(UserId, bool, Vec<BuildingId>)>> {
    let mut lives: BTreeMap<PersonId, Vec<BuildingId>> = BTreeMap::new();
    for (p, b) in registry::people_by_building(q, r.community_id).await? {
        lives.entry(p).or_default().push(b);
    }
    let scope = NoticeScope::parse(&r.scope)
        .map_err(|_| CoreError::internal(format!("announcement {}: a stored scope", r.id)))?;
    let wanted: Vec<i64> = buildings.iter().map(|b| b.0).collect();
    let accounts = crate::portal::store::community_accounts(q, r.community_id).await?;
    Ok(accounts
        .into_iter()
        .filter_map(|(p, u, active)| {
            let his = lives.remove(&p).unwrap_or_default();
            let ids: Vec<i64> = his.iter().map(|b| b.0).collect();
            model::reaches(scope, &wanted, &ids).then_some((u, active, his))
        })
        .collect())
}

/// Tells a notice's readers, in the caller's transaction.
async fn tell(core: &Core, tx: &mut Tx, r: &NoticeRow, now: DateTime<Utc>) -> CoreResult<()> {
    let buildings: Vec<BuildingId> = store::buildings_of(tx, r.community_id, &[r.id])
        .await?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let to: Vec<UserId> = audience(tx, r, &buildings)
        .await?
        .into_iter()
        .map(|(u, _, _)| u)
        .collect();
    let emergency = NoticeCategory::parse(&r.category).is_ok_and(|c| c.emergency());
    let note = Note {
        community: r.community_id,
        event: if emergency {
            Event::NoticeEmergency
        } else {
            Event::NoticePublished
        },
        params: vec![("title".into(), r.title.clone())],
        request: None,
        link: Some(format!("/portal/notices/{}", r.id)),
    };
    notify::enqueue_many(&core.channels, tx, &[(note, to)], InApp::Write, now).await
}

/// Publishes a draft now, or schedules it (every copy of a company-wide one). Published now,
/// its readers are told in the same transaction.
pub async fn publish_announcement(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
    input: AnnouncementForPublish,
) -> CoreResult<Announcement> {
    let mut tx = core.db.begin().await?;
    let c = publish_in(core, &mut tx, ctx, id, input).await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("announcement"))?;
    let out = expand(&mut tx, c, &[row], &[], Utc::now()).await?;
    tx.commit().await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::NotFound("announcement"))
}

/// Publishes a draft in the caller's transaction; returns its community.
pub(crate) async fn publish_in(
    core: &Core,
    tx: &mut Tx,
    ctx: &Ctx,
    id: AnnouncementId,
    input: AnnouncementForPublish,
) -> CoreResult<CommunityId> {
    let r = managed(tx, ctx, id).await?;
    may_change(&mut *tx, ctx, &r).await?;
    if r.state != StoredState::Draft.code() {
        return Err(CoreError::conflict("state", CommunityCode::NoticeNotDraft));
    }
    let now = Utc::now();
    // A form filled a minute ago still publishes "now".
    let at = match input.at {
        Some(a) if a < now - Duration::minutes(5) => {
            return Err(CoreError::invalid("at", CommunityCode::PublishInPast));
        }
        Some(a) if a > now => a,
        _ => now,
    };
    let errs = model::check(&r.title, &r.body, at, r.expires_at, now);
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let scheduled = at > now;
    for copy in store::copies(&mut *tx, &r).await? {
        let notified = (!scheduled).then_some(now);
        store::publish(&mut *tx, copy.id, at, notified, ctx.actor(), now).await?;
        if !scheduled {
            tell(core, &mut *tx, &copy, now).await?;
        }
    }
    audit::record(
        &mut *tx,
        ctx,
        Entry::new(Action::Update, "announcement", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": &r.state}))
            .after(&serde_json::json!({"state": "published", "publish_at": at})),
    )
    .await?;
    Ok(r.community_id)
}

/// Takes a published notice back (every copy of a company-wide one): owners no longer see it.
pub async fn withdraw_announcement(
    core: &Core,
    ctx: &Ctx,
    id: AnnouncementId,
) -> CoreResult<Announcement> {
    let mut tx = core.db.begin().await?;
    let r = managed(&mut tx, ctx, id).await?;
    may_change(&mut tx, ctx, &r).await?;
    if r.state != StoredState::Published.code() {
        return Err(CoreError::conflict(
            "state",
            CommunityCode::NoticeNotPublished,
        ));
    }
    let now = Utc::now();
    for copy in store::copies(&mut tx, &r).await? {
        store::withdraw(&mut tx, copy.id, now).await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "announcement", id.0)
            .community(r.community_id)
            .before(&serde_json::json!({"state": &r.state}))
            .after(&serde_json::json!({"state": "withdrawn"})),
    )
    .await?;
    let row = store::get(&mut tx, id)
        .await?
        .ok_or(CoreError::NotFound("announcement"))?;
    let out = expand(&mut tx, r.community_id, &[row], &[], now).await?;
    tx.commit().await?;
    out.into_iter()
        .next()
        .ok_or(CoreError::NotFound("announcement"))
}

/// Who read a notice, per building of its readers (a person living in two buildings counts in
/// each). Only activated accounts count: the others cannot read it.
pub async fn read_counts(core: &Core, ctx: &Ctx, id: AnnouncementId) -> CoreResult<ReadCounts> {
    let mut q = core.db.read();
    let r = managed(&mut q, ctx, id).await?;
    let buildings: Vec<BuildingId> = store::buildings_of(&mut q, r.community_id, &[id])
        .await?
        .into_iter()
        .map(|(_, b)| b)
        .collect();
    let who = audience(&mut q, &r, &buildings).await?;
    let readers: BTreeSet<UserId> = store::readers(&mut q, r.community_id, id)
        .await?
        .into_iter()
        .collect();
    let names: BTreeMap<BuildingId, String> = registry::buildings(&mut q, r.community_id)
        .await?
        .into_iter()
        .collect();
    let mut per: BTreeMap<BuildingId, (i64, i64)> = BTreeMap::new();
    let (mut audience_n, mut read_n) = (0, 0);
    for (u, _, lives) in who.iter().filter(|w| w.1) {
        let read = readers.contains(u);
        audience_n += 1;
        read_n += i64::from(read);
        for b in lives {
            if !buildings.is_empty() && !buildings.contains(b) {
                continue;
            }
            let e = per.entry(*b).or_default();
            e.0 += 1;
            e.1 += i64::from(read);
        }
    }
    let mut rows: Vec<BuildingReads> = per
        .into_iter()
        .map(|(b, (audience, read))| BuildingReads {
            building_id: b,
            building: names.get(&b).cloned().unwrap_or_default(),
            audience,
            read,
        })
        .collect();
    rows.sort_by(|a, b| a.building.cmp(&b.building));
    Ok(ReadCounts {
        announcement_id: id,
        audience: audience_n,
        read: read_n,
        buildings: rows,
    })
}

/// Tells the readers of scheduled notices whose time came; returns how many notices were told.
/// Each is claimed in its own transaction, so two nodes running this never tell one twice.
pub async fn run_scheduled(core: &Core, now: DateTime<Utc>) -> CoreResult<usize> {
    let due = store::due(&mut core.db.read(), now, 100).await?;
    let mut told = 0;
    for r in due {
        let mut tx = core.db.begin().await?;
        if store::claim_notified(&mut tx, r.id, now).await? {
            tell(core, &mut tx, &r, now).await?;
            told += 1;
        }
        tx.commit().await?;
    }
    Ok(told)
}

/// Runs [`run_scheduled`] every `every` until the process ends.
pub fn spawn_scheduler(
    core: crate::CoreRef,
    every: std::time::Duration,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(every);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            match run_scheduled(&core, Utc::now()).await {
                Ok(0) => {}
                Ok(n) => tracing::info!(notices = n, "scheduled notices told"),
                Err(e) => tracing::error!(error = %e, "notice scheduler failed"),
            }
        }
    })
}
