//! SQL of communities: the scope every other registry read starts from (which communities a
//! company has), and the community records themselves.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Tx};
use crate::registry::model::Community;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::in_list;

const COMMUNITY_COLS: &str = "id, code, name, address, timezone, created_at, updated_at";

/// Every community of a company, in id order.
pub(crate) async fn ids_of_company(db: &Db, company: CompanyId) -> CoreResult<Vec<CommunityId>> {
    let rows: Vec<(CommunityId,)> = db
        .read()
        .fetch_all(
            "SELECT id FROM communities WHERE company_id = $1 ORDER BY id",
            args![company],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// The given communities of a company, by code.
pub(in crate::registry) async fn list(
    db: &Db,
    company: CompanyId,
    ids: &[CommunityId],
) -> CoreResult<Vec<Community>> {
    let mut a = Args::new();
    let company = a.push(company);
    let cond = in_list(&mut a, "id", ids);
    db.read()
        .fetch_all(
            &format!("SELECT {COMMUNITY_COLS} FROM communities WHERE company_id = {company} AND {cond} ORDER BY code"),
            a,
        )
        .await
}

pub(in crate::registry) async fn get(
    db: &Db,
    id: CommunityId,
    company: CompanyId,
) -> CoreResult<Option<Community>> {
    db.read()
        .fetch_optional(
            &format!("SELECT {COMMUNITY_COLS} FROM communities WHERE id = $1 AND company_id = $2"),
            args![id, company],
        )
        .await
}

/// True when the company already has a community with this code.
pub(in crate::registry) async fn code_taken(
    tx: &mut Tx,
    company: CompanyId,
    code: &str,
) -> CoreResult<bool> {
    let dup: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM communities WHERE company_id = $1 AND code = $2",
            args![company, code],
        )
        .await?;
    Ok(dup.is_some())
}

/// The community's stored fields, as written.
pub(in crate::registry) struct CommunityValues {
    pub code: String,
    pub name: String,
    pub address: Option<String>,
    pub timezone: String,
}

pub(in crate::registry) async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    v: CommunityValues,
    now: DateTime<Utc>,
) -> CoreResult<Community> {
    tx.fetch_one(
        &format!(
            "INSERT INTO communities (company_id, code, name, address, timezone, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING {COMMUNITY_COLS}"
        ),
        args![company, v.code, v.name, v.address, v.timezone, now],
    )
    .await
}

pub(in crate::registry) async fn update(
    tx: &mut Tx,
    id: CommunityId,
    name: Option<String>,
    address: Option<String>,
    timezone: Option<String>,
    now: DateTime<Utc>,
) -> CoreResult<Community> {
    tx.fetch_one(
        &format!(
            "UPDATE communities SET name = $1, address = $2, timezone = $3, updated_at = $4 WHERE id = $5 \
             RETURNING {COMMUNITY_COLS}"
        ),
        args![name, address, timezone, now, id],
    )
    .await
}

/// Every community of every company (the jobs that visit each: the dashboard's figures).
pub(crate) async fn all(db: &Db) -> CoreResult<Vec<(CompanyId, Community)>> {
    let rows: Vec<CompanyCommunity> = db
        .read()
        .fetch_all(
            &format!("SELECT company_id, {COMMUNITY_COLS} FROM communities ORDER BY id"),
            Args::new(),
        )
        .await?;
    Ok(rows.into_iter().map(|r| (r.company_id, r.c)).collect())
}

#[derive(sqlx::FromRow)]
struct CompanyCommunity {
    company_id: CompanyId,
    #[sqlx(flatten)]
    c: Community,
}
