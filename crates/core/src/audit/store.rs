//! SQL of the audit log: the multi-row inserts every module's entries go through (single
//! entries and mixed lists, and the batches of bulk writes that bind their shared values once),
//! both on the db layer's one bulk VALUES builder; the filtered browse and one entity's history.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Bulk, Db, Queries, Value, Writes};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, CompanyId};

use super::{Action, AuditFilter, AuditRecord, Entry, Who};

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
    let mut b = Bulk::with_capacity(entries.len(), 10);
    for (who, e) in entries {
        b.row([
            Value::from(who.company_id.0),
            Value::from(e.community_id),
            Value::from(who.actor),
            Value::from(who.name.as_str()),
            Value::from(at),
            Value::from(e.action.code()),
            Value::from(e.entity),
            Value::from(e.entity_id),
            Value::from(e.before.as_ref().map(|v| v.to_string())),
            Value::from(e.after.as_ref().map(|v| v.to_string())),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, \
         entity, entity_id, before_json, after_json)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// The rows of a [`Batch`](super::Batch): its shared values bound once as `$1` … `$7`, in the
/// order [`insert_batch`] names them, then per entry the entity id and the after-image.
pub(super) fn batch_rows(
    who: &Who,
    community: CommunityId,
    at: DateTime<Utc>,
    action: Action,
    entity: &'static str,
    rows: usize,
) -> Bulk {
    let shared = args![
        who.company_id.0,
        community,
        who.actor,
        who.name.as_str(),
        at,
        action.code(),
        entity
    ];
    Bulk::after(shared, rows, 2)
}

/// Writes a batch's entries in one statement: the rows [`insert_entries`] writes, with the
/// shared values bound once (`column1`, `column2` are the VALUES list's columns on both
/// backends); no entries, no statement.
pub(super) async fn insert_batch(tx: &mut impl Writes, rows: Bulk) -> CoreResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let (sql, a) = rows.finish(
        "INSERT INTO audit_log (company_id, community_id, actor_id, actor_name, at, action, \
         entity, entity_id, before_json, after_json) \
         SELECT $1, $2, $3, $4, $5, $6, $7, column1, NULL, column2 FROM (",
        ") AS v",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// The company's entries matching the filter, newest first; `scope` limits them to some
/// communities (none: every entry of the company).
pub(super) async fn list(
    q: &mut impl Queries,
    company: CompanyId,
    scope: Option<&Scope>,
    f: &AuditFilter,
    limit: i64,
) -> CoreResult<Vec<AuditRecord>> {
    let mut a = Args::new();
    let mut sql = format!(
        "SELECT {AUDIT_COLS} FROM audit_log WHERE company_id = {}",
        a.push(company.0)
    );
    if let Some(scope) = scope {
        let in_list = crate::db::in_list(&mut a, "community_id", &scope.communities);
        let company_level = if scope.company_level {
            " OR community_id IS NULL"
        } else {
            ""
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
    sql.push_str(&format!(" ORDER BY id DESC LIMIT {limit}"));
    q.fetch_all(&sql, a).await
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

/// The time of each community's latest entry (none when it has none): one index probe per
/// community on `audit_log_community_at`, however long the log.
pub(crate) async fn last_changes(
    db: &Db,
    communities: &[CommunityId],
) -> CoreResult<Vec<(CommunityId, Option<DateTime<Utc>>)>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = Args::new();
    let rows: Vec<String> = communities
        .iter()
        .map(|c| format!("(CAST({} AS BIGINT))", a.push(*c)))
        .collect();
    db.read()
        .fetch_all(
            &format!(
                "SELECT v.column1 AS community_id, (SELECT MAX(l.at) FROM audit_log l \
                 WHERE l.community_id = v.column1) AS at FROM (VALUES {}) AS v",
                rows.join(", ")
            ),
            a,
        )
        .await
}
