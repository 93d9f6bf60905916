//! Teams of a community (工程组, 保洁组 …): who is in them and which categories they handle.
//! A category's round-robin goes round its team's members, and its pool is grabbed by them; a
//! request can be dispatched by hand to a team (into the team's pool) as well as to a person.

use chrono::Utc;

use crate::Core;
use crate::args;
use crate::audit::{self, Action, Entry};
use crate::db::{Args, Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::required_text;

use super::model::{Team, TeamForSave, TeamMember};
use super::store;

async fn load(tx: &mut Tx, community: CommunityId, only: Option<i64>) -> CoreResult<Vec<Team>> {
    let mut a = Args::new();
    let c = a.push(community);
    let one = match only {
        Some(id) => format!(" AND id = {}", a.push(id)),
        None => String::new(),
    };
    let rows: Vec<(i64, String)> = tx
        .fetch_all(
            &format!("SELECT id, name FROM teams WHERE community_id = {c}{one} ORDER BY name"),
            a,
        )
        .await?;
    let mut out = Vec::new();
    for (id, name) in rows {
        let members: Vec<TeamMember> = tx
            .fetch_all(
                "SELECT u.id AS user_id, u.display_name AS name FROM team_members m \
                 JOIN users u ON u.id = m.user_id WHERE m.team_id = $1 ORDER BY u.id",
                args![id],
            )
            .await?;
        let cats: Vec<(String,)> = tx
            .fetch_all(
                "SELECT category FROM team_categories WHERE community_id = $1 AND team_id = $2 \
                 ORDER BY category",
                args![community, id],
            )
            .await?;
        out.push(Team {
            id,
            community_id: community,
            name,
            members,
            categories: cats.into_iter().map(|c| c.0).collect(),
        });
    }
    Ok(out)
}

pub async fn list_teams(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Vec<Team>> {
    if !ctx.reaches(community) {
        return Err(CoreError::NotFound("community"));
    }
    if !super::service::is_staff(ctx) {
        return Err(CoreError::Forbidden);
    }
    let mut tx = core.db.begin().await?;
    let v = load(&mut tx, community, None).await?;
    tx.commit().await?;
    Ok(v)
}

/// Creates a team (`id` None) or replaces a team's name, members and categories (needs
/// `tickets.manage` in its community). A category given to this team leaves its former team.
pub async fn save_team(
    core: &Core,
    ctx: &Ctx,
    id: Option<i64>,
    input: TeamForSave,
) -> CoreResult<Team> {
    let community = input.community_id;
    ctx.require_in(Perm::TicketsManage, community)?;
    let mut c = Checks::new();
    let name = c.take(required_text("name", &input.name, 30));
    let mut tx = core.db.begin().await?;
    if let Some(id) = id {
        let found: Option<(CommunityId,)> = tx
            .fetch_optional("SELECT community_id FROM teams WHERE id = $1", args![id])
            .await?;
        if found.map(|f| f.0) != Some(community) {
            return Err(CoreError::NotFound("team"));
        }
    }
    let workers =
        store::users_with_perm(&mut tx, ctx.company_id, community, "tickets.work", false).await?;
    for (i, m) in input.member_ids.iter().enumerate() {
        if !workers.iter().any(|(w, _)| w == m) {
            c.push(FieldError::new(
                format!("member_ids[{i}]"),
                "not_assignable",
            ));
        }
    }
    for (i, cat) in input.categories.iter().enumerate() {
        if super::service::parse_category_code("category", cat).is_err() {
            c.push(FieldError::new(
                format!("categories[{i}]"),
                "unknown_category",
            ));
            continue;
        }
        let known: Option<(i64,)> = tx
            .fetch_optional(
                "SELECT id FROM ticket_categories WHERE company_id = $1 AND code = $2",
                args![ctx.company_id, cat.as_str()],
            )
            .await?;
        if known.is_none() {
            c.push(FieldError::new(
                format!("categories[{i}]"),
                "unknown_category",
            ));
        }
    }
    c.finish()?;
    let name = name.ok_or_else(|| CoreError::internal("validated team"))?;
    let before = match id {
        Some(id) => load(&mut tx, community, Some(id)).await?.pop(),
        None => None,
    };
    let id = match id {
        Some(id) => {
            tx.execute(
                "UPDATE teams SET name = $1 WHERE id = $2",
                args![name.as_str(), id],
            )
            .await
            .map_err(|e| e.or_conflict("name", "duplicate_team"))?;
            id
        }
        None => tx
            .insert_id(
                "INSERT INTO teams (community_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
                args![community, name.as_str(), Utc::now()],
            )
            .await
            .map_err(|e| e.or_conflict("name", "duplicate_team"))?,
    };
    tx.execute("DELETE FROM team_members WHERE team_id = $1", args![id])
        .await?;
    let mut members = input.member_ids.clone();
    members.sort();
    members.dedup();
    for m in members {
        tx.execute(
            "INSERT INTO team_members (team_id, user_id) VALUES ($1, $2)",
            args![id, m],
        )
        .await?;
    }
    tx.execute(
        "DELETE FROM team_categories WHERE community_id = $1 AND team_id = $2",
        args![community, id],
    )
    .await?;
    for cat in &input.categories {
        tx.execute(
            "INSERT INTO team_categories (community_id, category, team_id) VALUES ($1, $2, $3) \
             ON CONFLICT (community_id, category) DO UPDATE SET team_id = $3",
            args![community, cat.as_str(), id],
        )
        .await?;
    }
    let after = load(&mut tx, community, Some(id))
        .await?
        .pop()
        .ok_or(CoreError::NotFound("team"))?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "team",
        id,
    )
    .community(community)
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

/// A team's members (users), if the team is of this community.
pub(super) async fn members(
    tx: &mut impl Queries,
    community: CommunityId,
    team: i64,
) -> CoreResult<Option<Vec<UserId>>> {
    let found: Option<(CommunityId,)> = tx
        .fetch_optional("SELECT community_id FROM teams WHERE id = $1", args![team])
        .await?;
    if found.map(|f| f.0) != Some(community) {
        return Ok(None);
    }
    let rows: Vec<(UserId,)> = tx
        .fetch_all(
            "SELECT user_id FROM team_members WHERE team_id = $1",
            args![team],
        )
        .await?;
    Ok(Some(rows.into_iter().map(|r| r.0).collect()))
}

/// `r.team_id` condition of the pool a worker sees: unrouted requests and his teams'.
pub(super) fn pool_condition(a: &mut Args, me: UserId) -> String {
    format!(
        "(r.team_id IS NULL OR r.team_id IN (SELECT team_id FROM team_members WHERE user_id = {}))",
        a.push(me)
    )
}
