//! Categories of requests (the company's) and teams of a community: their members and the
//! categories each handles.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Db, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::model::{Category, DEFAULT_CATEGORIES, TeamMember};

const CATEGORY_COLS: &str = "id, code, name_zh, name_en, dispatch_mode, visit_policy, active, sort";

/// The company's categories in their order.
pub(in crate::tickets) async fn categories(
    db: &Db,
    company: CompanyId,
) -> CoreResult<Vec<Category>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {CATEGORY_COLS} FROM ticket_categories WHERE company_id = $1 ORDER BY sort, id"
            ),
            args![company],
        )
        .await
}

/// A category by its code.
pub(in crate::tickets) async fn category(
    tx: &mut impl Queries,
    company: CompanyId,
    code: &str,
) -> CoreResult<Option<Category>> {
    tx.fetch_optional(
        &format!(
            "SELECT {CATEGORY_COLS} FROM ticket_categories WHERE company_id = $1 AND code = $2"
        ),
        args![company, code],
    )
    .await
}

/// Does the company have a category of this code (active or not)?
pub(in crate::tickets) async fn category_exists(
    tx: &mut Tx,
    company: CompanyId,
    code: &str,
) -> CoreResult<bool> {
    let known: Option<(i64,)> = tx
        .fetch_optional(
            "SELECT id FROM ticket_categories WHERE company_id = $1 AND code = $2",
            args![company, code],
        )
        .await?;
    Ok(known.is_some())
}

/// A category as saved.
pub(in crate::tickets) struct CategoryForWrite<'a> {
    pub name_zh: &'a str,
    pub name_en: &'a str,
    pub dispatch_mode: &'a str,
    pub visit_policy: &'a str,
    pub active: bool,
}

pub(in crate::tickets) async fn update_category(
    tx: &mut Tx,
    id: CategoryId,
    c: CategoryForWrite<'_>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE ticket_categories SET name_zh = $1, name_en = $2, dispatch_mode = $3, \
         visit_policy = $4, active = $5 WHERE id = $6",
        args![
            c.name_zh,
            c.name_en,
            c.dispatch_mode,
            c.visit_policy,
            c.active,
            id
        ],
    )
    .await?;
    Ok(())
}

/// Adds a category after the company's last one; a duplicate code is the database's error
/// (the caller turns it into a conflict).
pub(in crate::tickets) async fn insert_category(
    tx: &mut Tx,
    company: CompanyId,
    code: &str,
    c: CategoryForWrite<'_>,
) -> CoreResult<CategoryId> {
    Ok(CategoryId(
        tx.insert_id(
            "INSERT INTO ticket_categories (company_id, code, name_zh, name_en, dispatch_mode, \
             visit_policy, active, sort) VALUES ($1, $2, $3, $4, $5, $6, $7, \
             (SELECT COALESCE(MAX(sort), 0) + 10 FROM ticket_categories WHERE company_id = $1)) \
             RETURNING id",
            args![
                company,
                code,
                c.name_zh,
                c.name_en,
                c.dispatch_mode,
                c.visit_policy,
                c.active
            ],
        )
        .await?,
    ))
}

pub(in crate::tickets) async fn category_by_id(
    tx: &mut Tx,
    id: CategoryId,
) -> CoreResult<Category> {
    tx.fetch_one(
        &format!("SELECT {CATEGORY_COLS} FROM ticket_categories WHERE id = $1"),
        args![id],
    )
    .await
}

/// Adds the default categories a company lacks (an admin's edits are kept; categories are
/// deactivated, never deleted, so none comes back unwanted).
pub async fn seed_categories(tx: &mut Tx, company: CompanyId) -> CoreResult<()> {
    for (i, (code, zh, en, mode, visit)) in DEFAULT_CATEGORIES.iter().enumerate() {
        tx.execute(
            "INSERT INTO ticket_categories (company_id, code, name_zh, name_en, dispatch_mode, \
             visit_policy, active, sort) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
             ON CONFLICT (company_id, code) DO NOTHING",
            args![
                company,
                *code,
                *zh,
                *en,
                mode.code(),
                visit.code(),
                true,
                (i as i64 + 1) * 10
            ],
        )
        .await?;
    }
    Ok(())
}

/// Gives every company the default categories it lacks (at start: companies created before
/// the tickets module have none).
pub async fn ensure_categories(core: &crate::Core) -> CoreResult<()> {
    let companies = crate::auth::store::for_tickets::companies(&core.db).await?;
    let mut tx = core.db.begin().await?;
    for c in companies {
        seed_categories(&mut tx, c).await?;
    }
    tx.commit().await
}

// ---------------------------------------------------------------------------------------------
// Teams

/// A community's teams (id, name) by name; `only` picks one.
pub(in crate::tickets) async fn teams(
    tx: &mut Tx,
    community: CommunityId,
    only: Option<i64>,
) -> CoreResult<Vec<(i64, String)>> {
    let mut a = Args::new();
    let c = a.push(community);
    let one = match only {
        Some(id) => format!(" AND id = {}", a.push(id)),
        None => String::new(),
    };
    tx.fetch_all(
        &format!("SELECT id, name FROM teams WHERE community_id = {c}{one} ORDER BY name"),
        a,
    )
    .await
}

/// A team's members with their names.
pub(in crate::tickets) async fn team_members(
    tx: &mut Tx,
    team: i64,
) -> CoreResult<Vec<TeamMember>> {
    tx.fetch_all(
        "SELECT u.id AS user_id, u.display_name AS name FROM team_members m \
         JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.id",
        args![team],
    )
    .await
}

/// The categories a team handles.
pub(in crate::tickets) async fn team_categories(
    tx: &mut Tx,
    community: CommunityId,
    team: i64,
) -> CoreResult<Vec<String>> {
    let cats: Vec<(String,)> = tx
        .fetch_all(
            "SELECT category FROM team_categories WHERE community_id = $1 AND team_id = $2 \
             ORDER BY category",
            args![community, team],
        )
        .await?;
    Ok(cats.into_iter().map(|c| c.0).collect())
}

/// The community of a team, if it exists.
pub(in crate::tickets) async fn team_community(
    tx: &mut impl Queries,
    team: i64,
) -> CoreResult<Option<CommunityId>> {
    let found: Option<(CommunityId,)> = tx
        .fetch_optional("SELECT community_id FROM teams WHERE id = $1", args![team])
        .await?;
    Ok(found.map(|f| f.0))
}

/// The users of a team.
pub(in crate::tickets) async fn member_ids(
    tx: &mut impl Queries,
    team: i64,
) -> CoreResult<Vec<UserId>> {
    let rows: Vec<(UserId,)> = tx
        .fetch_all(
            "SELECT user_id FROM team_members WHERE team_id = $1",
            args![team],
        )
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// Renames a team; a duplicate name is the database's error.
pub(in crate::tickets) async fn rename_team(tx: &mut Tx, id: i64, name: &str) -> CoreResult<()> {
    tx.execute("UPDATE teams SET name = $1 WHERE id = $2", args![name, id])
        .await?;
    Ok(())
}

/// Adds a team; a duplicate name is the database's error.
pub(in crate::tickets) async fn insert_team(
    tx: &mut Tx,
    community: CommunityId,
    name: &str,
    at: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO teams (community_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
        args![community, name, at],
    )
    .await
}

/// Replaces a team's members.
pub(in crate::tickets) async fn set_members(
    tx: &mut Tx,
    team: i64,
    members: &[UserId],
) -> CoreResult<()> {
    tx.execute("DELETE FROM team_members WHERE team_id = $1", args![team])
        .await?;
    for m in members {
        tx.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
            args![team, *m],
        )
        .await?;
    }
    Ok(())
}

/// Replaces a team's categories; a category another team had moves to this one.
pub(in crate::tickets) async fn set_categories(
    tx: &mut Tx,
    community: CommunityId,
    team: i64,
    categories: &[String],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM team_categories WHERE community_id = $1 AND team_id = $2",
        args![community, team],
    )
    .await?;
    for cat in categories {
        tx.execute(
            "INSERT INTO team_categories (community_id, category, team_id) VALUES ($1, $2, $3) \
             ON CONFLICT (community_id, category) DO UPDATE SET team_id = $3",
            args![community, cat.as_str(), team],
        )
        .await?;
    }
    Ok(())
}

/// `r.team_id` condition of the pool a worker sees: unrouted requests and his teams'. `me`: the
/// worker's id as the statement names it (a placeholder or a literal).
pub(in crate::tickets) fn pool_condition(me: &str) -> String {
    format!(
        "(r.team_id IS NULL OR r.team_id IN (SELECT team_id FROM team_members WHERE user_id = {me}))"
    )
}
