//! Teams of a community (工程组, 保洁组 …): who is in them and which categories they handle.
//! A category's round-robin goes round its team's members, and its pool is grabbed by them; a
//! request can be dispatched by hand to a team (into the team's pool) as well as to a person.
//! Saving a team replaces its members and categories in one transaction, audit-logged.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::required_text;

use super::error::TicketCode;
use super::model::{Team, TeamForSave};
use super::store;

async fn load(tx: &mut Tx, community: CommunityId, only: Option<i64>) -> CoreResult<Vec<Team>> {
    let mut out = Vec::new();
    for (id, name) in store::teams::teams(tx, community, only).await? {
        out.push(Team {
            id,
            community_id: community,
            name,
            members: store::teams::team_members(tx, id).await?,
            categories: store::teams::team_categories(tx, community, id).await?,
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
    if let Some(id) = id
        && store::teams::team_community(&mut tx, id).await? != Some(community)
    {
        return Err(CoreError::NotFound("team"));
    }
    let workers = super::service::workers(&mut tx, ctx, community).await?;
    for (i, m) in input.member_ids.iter().enumerate() {
        if !workers.iter().any(|(w, _)| w == m) {
            c.push(FieldError::new(
                format!("member_ids[{i}]"),
                TicketCode::NotAssignable,
            ));
        }
    }
    for (i, cat) in input.categories.iter().enumerate() {
        if super::service::parse_category_code("category", cat).is_err() {
            c.push(FieldError::new(
                format!("categories[{i}]"),
                TicketCode::UnknownCategory,
            ));
            continue;
        }
        if !store::teams::category_exists(&mut tx, ctx.company_id, cat).await? {
            c.push(FieldError::new(
                format!("categories[{i}]"),
                TicketCode::UnknownCategory,
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
            store::teams::rename_team(&mut tx, id, &name)
                .await
                .map_err(|e| e.or_conflict("name", TicketCode::DuplicateTeam))?;
            id
        }
        None => store::teams::insert_team(&mut tx, community, &name, Utc::now())
            .await
            .map_err(|e| e.or_conflict("name", TicketCode::DuplicateTeam))?,
    };
    let mut members = input.member_ids.clone();
    members.sort();
    members.dedup();
    store::teams::set_members(&mut tx, id, &members).await?;
    store::teams::set_categories(&mut tx, community, id, &input.categories).await?;
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
    if store::teams::team_community(tx, team).await? != Some(community) {
        return Ok(None);
    }
    Ok(Some(store::teams::member_ids(tx, team).await?))
}
