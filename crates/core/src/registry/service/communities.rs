//! Communities (小区/项目): the root of every registry record and the unit of access control,
//! so creating one also forgets the cached contexts that list what an admin reaches.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::registry::error::RegistryCode;
use crate::registry::model::*;
use crate::registry::store::{self, communities::CommunityValues};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_multiline, parse_code, required_text};

use super::{reach, reachable_communities};

fn check_timezone(tz: Option<&str>) -> Result<String, FieldError> {
    let tz = tz
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("Asia/Shanghai");
    tz.parse::<chrono_tz::Tz>()
        .map(|_| tz.to_string())
        .map_err(|_| FieldError::new("timezone", RegistryCode::UnknownTimezone))
}

pub async fn list_communities(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Community>> {
    ctx.require(Perm::RegistryRead)?;
    let ids = reachable_communities(core, ctx).await?;
    store::communities::list(&core.db, ctx.company_id, &ids).await
}

pub async fn get_community(core: &Core, ctx: &Ctx, id: CommunityId) -> CoreResult<Community> {
    reach(ctx, id, "community")?;
    store::communities::get(&core.db, id, ctx.company_id)
        .await?
        .ok_or(CoreError::NotFound("community"))
}

/// A community's name, for a page whose own service answers for another module (a price list,
/// a fee schedule). Any caller who reaches the community may read it, owners included.
pub async fn community_name(core: &Core, ctx: &Ctx, id: CommunityId) -> CoreResult<String> {
    if !ctx.reaches(id) {
        return Err(CoreError::NotFound("community"));
    }
    store::communities::get(&core.db, id, ctx.company_id)
        .await?
        .map(|c| c.name)
        .ok_or(CoreError::NotFound("community"))
}

pub async fn create_community(
    core: &Core,
    ctx: &Ctx,
    input: CommunityForCreate,
) -> CoreResult<Community> {
    ctx.require(Perm::CommunityManage)?;
    let mut c = Checks::new();
    let code = c.take(parse_code("code", &input.code, 20));
    let name = c.take(required_text("name", &input.name, 50));
    let address = c.take(optional_multiline("address", input.address.as_deref(), 200));
    let tz = c.take(check_timezone(input.timezone.as_deref()));
    c.finish()?;
    let (Some(code), Some(name), Some(address), Some(tz)) = (code, name, address, tz) else {
        return Err(CoreError::internal("validated fields missing"));
    };
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    if store::communities::code_taken(&mut tx, ctx.company_id, code.as_str()).await? {
        return Err(CoreError::conflict(
            "code",
            RegistryCode::DuplicateCommunityCode,
        ));
    }
    let values = CommunityValues {
        code,
        name,
        address,
        timezone: tz,
    };
    let row = store::communities::insert(&mut tx, ctx.company_id, values, now)
        .await
        .map_err(|e| e.or_conflict("code", RegistryCode::DuplicateCommunityCode))?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "community", row.id.0)
            .community(row.id)
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    // The company admins' contexts list the communities they reach.
    core.forget_ctx();
    Ok(row)
}

pub async fn update_community(
    core: &Core,
    ctx: &Ctx,
    id: CommunityId,
    input: CommunityForUpdate,
) -> CoreResult<Community> {
    ctx.require(Perm::CommunityManage)?;
    let before = get_community(core, ctx, id).await?;
    let mut c = Checks::new();
    let name = match input.name.as_deref() {
        Some(n) => c.take(required_text("name", n, 50)),
        None => Some(before.name.clone()),
    };
    let address = match input.address.as_deref() {
        Some(a) => c.take(optional_multiline("address", Some(a), 200)),
        None => Some(before.address.clone()),
    };
    let tz = match input.timezone.as_deref() {
        Some(t) => c.take(check_timezone(Some(t))),
        None => Some(before.timezone.clone()),
    };
    c.finish()?;
    let mut tx = core.db.begin().await?;
    let row =
        store::communities::update(&mut tx, id, name, address.flatten(), tz, Utc::now()).await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "community", id.0)
            .community(id)
            .before(&before)
            .after(&row),
    )
    .await?;
    tx.commit().await?;
    Ok(row)
}

/// Counts for a community's overview.
pub async fn community_counts(core: &Core, ctx: &Ctx, c: CommunityId) -> CoreResult<[i64; 5]> {
    ctx.require_in(Perm::RegistryRead, c)?;
    store::community_counts(&core.db, c).await
}
