//! SQL of the audit log: the one multi-row insert every module's entries go through (kept
//! verbatim here; a later step moves it onto the db layer's one bulk VALUES builder), the
//! filtered browse and one entity's history.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId};

use super::{AuditFilter, AuditRecord, Entry, Who};

const AUDIT_COLS: &str = "id, community_id, actor_id, actor_name, at, action, entity, entity_id, before_json, after_json";

/// Which entries a reader limited to some communities may see.
pub(super) struct Scope {
    pub communities: Vec<CommunityId>,
    /// Also the company-level entries (no community).
    pub company_level: bool,
}

/// Writes entries stamped `at` in one statement; `entries` is not empty.
pub(super) async fn insert_entries(
    tx: &mut impl Writes,
    at: DateTime<Utc>,
    entries: &[(&Who, Entry<'_>)],
) -> CoreResult<()> {
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

/// The company's entries matching the filter, newest first; `scope` limits them to some
/// communities (none: every entry of the company).
pub(super) async fn list(
    db: &Db,
    company: CompanyId,
    scope: Option<&Scope>,
    f: &AuditFilter,
) -> CoreResult<Vec<AuditRecord>> {
    let mut a = Args::new();
    let mut sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE company_id = {}",
        a.push(company.0)
    );
    if let Some(scope) = scope {
        let list: Vec<String> = scope.communities.iter().map(|c| a.push(*c)).collect();
        let company_level = if scope.company_level {
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

/// One entity's entries, newest first (at most 200).
pub(super) async fn history(
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
