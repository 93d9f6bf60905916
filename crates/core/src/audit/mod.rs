//! The audit log: every create, update and delete of money, people or requests, every reveal of
//! personal data, and the security events of accounts — who, when, what, before and after.
//!
//! Entries are written inside the same transaction as the change they describe, so a change and
//! its record commit or roll back together.

pub mod error;
use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::args;
use crate::db::{Args, Db, Tx, Writes};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::CoreResult;
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
    let at = Utc::now();
    let mut a = Args::with_capacity(entries.len() * 10);
    let mut rows = Vec::with_capacity(entries.len());
    for (who, e) in entries {
        let cols = [
            a.push(who.company_id.0),
            a.push(e.community_id),
            a.push(who.actor),
            a.push(who.name.as_str()),
            a.push(at),
            a.push(e.action.code()),
            a.push(e.entity),
            a.push(e.entity_id),
            a.push(e.before.as_ref().map(|v| v.to_string())),
            a.push(e.after.as_ref().map(|v| v.to_string())),
        ];
        rows.push(format!("({})", cols.join(", ")));
    }
    tx.execute(
        &format!(
            "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, \
             entity, entity_id, before_json, after_json) VALUES {}",
            rows.join(", ")
        ),
        a,
    )
    .await?;
    Ok(())
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

const AUDIT_COLS: &str = "id, community_id, actor_id, actor_name, at, action, entity, entity_id, before_json, after_json";

/// Browses the log, newest first. A user without `audit.read` sees nothing; a user limited to
/// some communities sees only their entries.
pub async fn list(db: &Db, ctx: &Ctx, f: &AuditFilter) -> CoreResult<Vec<AuditRecord>> {
    ctx.require(Perm::AuditRead)?;
    let mut checks = crate::shared::error::Checks::new();
    for (field, v) in [
        ("entity", &f.entity),
        ("action", &f.action),
        ("actor", &f.actor),
    ] {
        checks.take(query_text(field, v.as_deref().unwrap_or(""), 50));
    }
    checks.finish()?;
    let mut a = Args::new();
    let mut sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE company_id = {}",
        a.push(ctx.company_id.0)
    );
    if let Some(ids) = ctx.community_ids() {
        let list: Vec<String> = ids.into_iter().map(|c| a.push(c)).collect();
        // Company-level entries (users, roles, tokens) have no community: user managers see them.
        let company_level = if ctx.has(Perm::UsersManage) {
            " OR community_id IS NULL"
        } else {
            ""
        };
        let in_list = if list.is_empty() {
            "1 = 0".to_string()
        } else {
            format!("community_id IN ({})", list.join(","))
        };
        sql.push_str(&format!(" AND ({in_list}{company_level})"));
    }
    if let Some(c) = f.community_id {
        sql.push_str(&format!(" AND community_id = {}", a.push(c)));
    }
    if let Some(e) = f.entity.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND entity = {}", a.push(e)));
    }
    if let Some(id) = f.entity_id {
        sql.push_str(&format!(" AND entity_id = {}", a.push(id)));
    }
    if let Some(ac) = f.action.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND action = {}", a.push(ac)));
    }
    if let Some(n) = f.actor.as_deref().filter(|s| !s.is_empty()) {
        sql.push_str(&format!(" AND actor_name = {}", a.push(n)));
    }
    if let Some(t) = f.from {
        sql.push_str(&format!(" AND at >= {}", a.push(t)));
    }
    if let Some(t) = f.to {
        sql.push_str(&format!(" AND at < {}", a.push(t)));
    }
    if let Some(b) = f.before_id {
        sql.push_str(&format!(" AND id < {}", a.push(b)));
    }
    let limit = f.limit.unwrap_or(100).clamp(1, 1000);
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    db.read().fetch_all(&sql, a).await
}

/// The change history of one entity (a unit page shows it).
pub async fn history(
    db: &Db,
    community: CommunityId,
    entity: &str,
    entity_id: i64,
) -> CoreResult<Vec<AuditRecord>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {AUDIT_COLS} FROM audit_log WHERE community_id = $1 AND entity = $2 \
                 AND entity_id = $3 ORDER BY id DESC LIMIT 200"
            ),
            args![community, entity, entity_id],
        )
        .await
}
