//! The audit log: every create, update and delete of money, people or requests, every reveal of
//! personal data, and the security events of accounts — who, when, what, before and after.
//!
//! Entries are written inside the same transaction as the change they describe, so a change and
//! its record commit or roll back together.

pub mod error;
pub(crate) mod store;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::db::{Bulk, Db, Tx, Value, Writes};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::export::{Cell, Column, ExportFile, PAGE, Sink, col};
use crate::shared::ids::{CommunityId, CompanyId, UserId};
use crate::shared::values::query_text;

/// What happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Create,
    Update,
    Delete,
    /// A clear phone or ID number was shown.
    Reveal,
    Import,
    Login,
    LoginFailed,
    Logout,
}

impl Action {
    pub fn code(self) -> &'static str {
        match self {
            Action::Create => "create",
            Action::Update => "update",
            Action::Delete => "delete",
            Action::Reveal => "reveal",
            Action::Import => "import",
            Action::Login => "login",
            Action::LoginFailed => "login_failed",
            Action::Logout => "logout",
        }
    }
}

/// One entry to write.
pub struct Entry<'a> {
    pub community_id: Option<CommunityId>,
    pub action: Action,
    pub entity: &'a str,
    pub entity_id: Option<i64>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
}

impl<'a> Entry<'a> {
    pub fn new(action: Action, entity: &'a str, entity_id: i64) -> Self {
        Self {
            community_id: None,
            action,
            entity,
            entity_id: Some(entity_id),
            before: None,
            after: None,
        }
    }
    pub fn community(mut self, c: CommunityId) -> Self {
        self.community_id = Some(c);
        self
    }
    pub fn before(mut self, v: &impl Serialize) -> Self {
        self.before = serde_json::to_value(v).ok();
        self
    }
    pub fn after(mut self, v: &impl Serialize) -> Self {
        self.after = serde_json::to_value(v).ok();
        self
    }
}

/// Who an entry names as its actor: the acting user (none for the system) in his company.
#[derive(Debug, Clone)]
pub struct Who {
    pub company_id: CompanyId,
    pub actor: Option<UserId>,
    pub name: String,
}

impl Who {
    pub fn of(ctx: &Ctx) -> Self {
        Self {
            company_id: ctx.company_id,
            actor: ctx.actor(),
            name: ctx.display_name.clone(),
        }
    }
}

/// Records an entry inside the caller's transaction.
pub async fn record(tx: &mut Tx, ctx: &Ctx, e: Entry<'_>) -> CoreResult<()> {
    record_all(tx, &[(&Who::of(ctx), e)]).await
}

/// Records entries inside the caller's transaction, in one statement.
pub async fn record_all(tx: &mut impl Writes, entries: &[(&Who, Entry<'_>)]) -> CoreResult<()> {
    if entries.is_empty() {
        return Ok(());
    }
    store::insert_entries(tx, Utc::now(), entries).await
}

/// Entries of one action on one kind of entity, by one actor in one community at one time, that
/// differ only in the entity id and the after-image: a bulk write's entries (the registry
/// import's `create`s). They are the rows [`record`] writes; the shared values are bound once
/// per statement, so a batch of n entries binds 7 + 2n values. Keep a batch under PostgreSQL's
/// 65,535 parameters (the import writes one per chunk of rows).
pub struct Batch(Bulk);

impl Batch {
    /// An empty batch with room for `rows` entries.
    pub fn new(
        ctx: &Ctx,
        community: CommunityId,
        at: DateTime<Utc>,
        action: Action,
        entity: &'static str,
        rows: usize,
    ) -> Self {
        Self(store::batch_rows(
            &Who::of(ctx),
            community,
            at,
            action,
            entity,
            rows,
        ))
    }

    /// An entry on the entity `id` (`None`: on the kind as a whole, like an import's summary),
    /// its after-image already serialised.
    pub fn push(&mut self, id: Option<i64>, after: String) {
        self.0.row([Value::from(id), Value::from(after)]);
    }
}

/// Records a batch inside the caller's transaction, in one statement (none when it is empty).
pub async fn record_batch(tx: &mut impl Writes, batch: Batch) -> CoreResult<()> {
    store::insert_batch(tx, batch.0).await
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow, utoipa::ToSchema)]
pub struct AuditRecord {
    pub id: i64,
    pub community_id: Option<i64>,
    pub actor_id: Option<i64>,
    pub actor_name: String,
    pub at: DateTime<Utc>,
    pub action: String,
    pub entity: String,
    pub entity_id: Option<i64>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
}

#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditFilter {
    pub community_id: Option<i64>,
    pub entity: Option<String>,
    pub entity_id: Option<i64>,
    pub action: Option<String>,
    pub actor: Option<String>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Entries older than this id (for paging backwards).
    pub before_id: Option<i64>,
    pub limit: Option<i64>,
}

/// Browses the log, newest first. A user without `audit.read` sees nothing; a user limited to
/// some communities sees only their entries.
pub async fn list(db: &Db, ctx: &Ctx, f: &AuditFilter) -> CoreResult<Vec<AuditRecord>> {
    let scope = scope_of(ctx, f)?;
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    store::list(&mut db.read(), ctx.company_id, scope.as_ref(), f, limit).await
}

/// The entries `f` picks that `ctx` may read, checked: the list's and its export's.
fn scope_of(ctx: &Ctx, f: &AuditFilter) -> CoreResult<Option<store::Scope>> {
    ctx.require(Perm::AuditRead)?;
    // A community one does not reach is not found, as for every other list (not an empty page).
    if let Some(c) = f.community_id
        && !ctx.reaches(CommunityId(c))
    {
        return Err(CoreError::NotFound("community"));
    }
    let mut checks = crate::shared::error::Checks::new();
    for (field, v) in [
        ("entity", &f.entity),
        ("action", &f.action),
        ("actor", &f.actor),
    ] {
        checks.take(query_text(field, v.as_deref().unwrap_or(""), 50));
    }
    checks.finish()?;
    Ok(ctx.community_ids().map(|ids| store::Scope {
        communities: ids.into_iter().collect(),
        // Company-level entries (users, roles, tokens) have no community: user managers see them.
        company_level: ctx.has(Perm::UsersManage),
    }))
}

const COLUMNS: &[Column<AuditRecord>] = &[
    col("时间", 16.0, |r| Cell::At(r.at)),
    col("小区编号", 8.0, |r| Cell::from(r.community_id)),
    col("操作人", 10.0, |r| Cell::from(&r.actor_name)),
    col("操作", 10.0, |r| Cell::from(&r.action)),
    col("对象", 14.0, |r| Cell::from(&r.entity)),
    col("对象编号", 10.0, |r| Cell::from(r.entity_id)),
    col("变更前", 40.0, |r| Cell::from(&r.before_json)),
    col("变更后", 40.0, |r| Cell::from(&r.after_json)),
];

/// Every entry the log's browse would page through under `f` (from its `before_id`; its
/// `limit` is not a cap here), streamed into a workbook.
pub async fn list_xlsx(db: &Db, ctx: &Ctx, f: &AuditFilter) -> CoreResult<ExportFile> {
    let scope = scope_of(ctx, f)?;
    let start = f.before_id.unwrap_or(i64::MAX);
    let mut q = db.read();
    let sink = Sink::new("操作日志", COLUMNS, crate::shared::calendar::zone(""));
    let mut sink = sink.by_id(|r| r.id);
    while let Some(below) = sink.below() {
        let rows: CoreResult<Vec<_>> = {
            let f = AuditFilter {
                before_id: Some(below.min(start)),
                ..f.clone()
            };
            store::list(&mut q, ctx.company_id, scope.as_ref(), &f, PAGE).await
        };
        sink.page(rows?).await;
    }
    sink.finish().await
}

/// The change history of one entity (a unit page shows it).
pub async fn history(
    db: &Db,
    community: CommunityId,
    entity: &str,
    entity_id: i64,
) -> CoreResult<Vec<AuditRecord>> {
    store::history(db, community, entity, entity_id).await
}
