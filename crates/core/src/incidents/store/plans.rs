//! SQL of the company's plan library.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A plan as stored (steps and ladder as JSON).
    pub(crate) struct PlanRow {
        pub id: PlanId,
        pub company_id: CompanyId,
        pub kind: String,
        pub name: String,
        pub summary: Option<String>,
        pub steps: String,
        pub ladder: String,
        pub builtin: bool,
        pub active: bool,
        pub updated_at: DateTime<Utc>,
    }
}

const COLS: &str =
    "id, company_id, kind, name, summary, steps, ladder, builtin, active, updated_at";

pub(crate) async fn list(q: &mut impl Queries, company: CompanyId) -> CoreResult<Vec<PlanRow>> {
    q.fetch_all(
        &format!("SELECT {COLS} FROM emergency_plans WHERE company_id = $1 ORDER BY id"),
        args![company],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: PlanId) -> CoreResult<Option<PlanRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM emergency_plans WHERE id = $1"),
        args![id],
    )
    .await
}

/// The company's first active plan of a kind.
pub(crate) async fn active_of_kind(
    q: &mut impl Queries,
    company: CompanyId,
    kind: &str,
) -> CoreResult<Option<PlanRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {COLS} FROM emergency_plans WHERE company_id = $1 AND kind = $2 AND active = $3 \
             ORDER BY id LIMIT 1"
        ),
        args![company, kind, true],
    )
    .await
}

/// A plan to write.
pub(crate) struct PlanFields<'a> {
    pub kind: &'a str,
    pub name: &'a str,
    pub summary: Option<&'a str>,
    pub steps: String,
    pub ladder: String,
    pub active: bool,
}

/// Adds a plan; none when the company has one of that name.
pub(crate) async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    f: &PlanFields<'_>,
    builtin: bool,
    now: DateTime<Utc>,
) -> CoreResult<Option<PlanId>> {
    let row: Option<(PlanId,)> = tx
        .fetch_optional(
            "INSERT INTO emergency_plans (company_id, kind, name, summary, steps, ladder, builtin, active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) \
             ON CONFLICT (company_id, name) DO NOTHING RETURNING id",
            args![
                company,
                f.kind,
                f.name,
                f.summary,
                f.steps.clone(),
                f.ladder.clone(),
                builtin,
                f.active,
                now
            ],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

/// Rewrites a plan; 0 rows when another of the company has the name.
pub(crate) async fn update(
    tx: &mut Tx,
    company: CompanyId,
    id: PlanId,
    f: &PlanFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE emergency_plans SET kind = $1, name = $2, summary = $3, steps = $4, ladder = $5, active = $6, \
         updated_at = $7 WHERE company_id = $8 AND id = $9 AND NOT EXISTS (SELECT 1 FROM emergency_plans o \
         WHERE o.company_id = $8 AND o.name = $2 AND o.id <> $9)",
        args![
            f.kind,
            f.name,
            f.summary,
            f.steps.clone(),
            f.ladder.clone(),
            f.active,
            now,
            company,
            id
        ],
    )
    .await
}

/// Whether the company has any plan (the shipped ones are added to a company with none).
pub(crate) async fn any(q: &mut impl Queries, company: CompanyId) -> CoreResult<bool> {
    let row: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM emergency_plans WHERE company_id = $1 LIMIT 1",
            args![company],
        )
        .await?;
    Ok(row.is_some())
}
