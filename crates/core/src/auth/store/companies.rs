//! SQL of the companies table. A company is created with its first administrator (CLI setup,
//! demo, tests), so accounts own it.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::CompanyId;

/// The oldest company, if any.
pub(crate) async fn first_company(db: &Db) -> CoreResult<Option<CompanyId>> {
    let row: Option<(CompanyId,)> = db
        .read()
        .fetch_optional("SELECT id FROM companies ORDER BY id LIMIT 1", args![])
        .await?;
    Ok(row.map(|r| r.0))
}

/// Whether the database holds any company (the order does not matter, so none is asked for).
pub(crate) async fn any_company(db: &Db) -> CoreResult<bool> {
    let row: Option<(i64,)> = db
        .read()
        .fetch_optional("SELECT id FROM companies LIMIT 1", args![])
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn insert_company(
    tx: &mut Tx,
    name: &str,
    now: DateTime<Utc>,
) -> CoreResult<CompanyId> {
    Ok(CompanyId(
        tx.insert_id(
            "INSERT INTO companies (name, created_at) VALUES ($1, $2) RETURNING id",
            args![name, now],
        )
        .await?,
    ))
}
