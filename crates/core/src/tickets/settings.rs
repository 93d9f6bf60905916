//! The settings requests run by: the company's categories (how each is dispatched and visited)
//! and a community's SLA overrides of the default clocks. Changes need `tickets.manage`
//! (categories, being the company's, also `community.manage`) and are audit-logged.

use chrono::Utc;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::optional_text;

use super::error::TicketCode;
use super::model::*;
use super::service::{community_tz, parse_category_code};
use super::store;

pub async fn list_categories(core: &Core, ctx: &Ctx) -> CoreResult<Vec<Category>> {
    store::teams::categories(&core.db, ctx.company_id).await
}

/// Creates or updates a category by its code (needs `tickets.manage` and `community.manage`).
pub async fn save_category(core: &Core, ctx: &Ctx, input: CategoryForSave) -> CoreResult<Category> {
    ctx.require(Perm::TicketsManage)?;
    // Categories are the company's: one community's manager does not change them for all
    // (company-level settings go with `community.manage`, as communities do).
    ctx.require(Perm::CommunityManage)?;
    let mut c = Checks::new();
    let code = c.take(parse_category_code("code", &input.code));
    let zh = c.take(crate::shared::values::required_text(
        "name_zh",
        &input.name_zh,
        30,
    ));
    let en = c.take(optional_text("name_en", input.name_en.as_deref(), 50));
    let mode = c.take(DispatchMode::parse("dispatch_mode", &input.dispatch_mode));
    let visit = c.take(VisitPolicy::parse("visit_policy", &input.visit_policy));
    c.finish()?;
    let (Some(code), Some(zh), Some(en), Some(mode), Some(visit)) = (code, zh, en, mode, visit)
    else {
        return Err(CoreError::internal("validated category"));
    };
    let code = code.to_lowercase();
    let mut tx = core.db.begin().await?;
    let before = store::teams::category(&mut tx, ctx.company_id, &code).await?;
    let en = en.unwrap_or_else(|| code.clone());
    let write = store::teams::CategoryForWrite {
        name_zh: &zh,
        name_en: &en,
        dispatch_mode: mode.code(),
        visit_policy: visit.code(),
        active: input.active.unwrap_or(true),
    };
    let id = match &before {
        Some(b) => {
            store::teams::update_category(&mut tx, b.id, write).await?;
            b.id
        }
        None => store::teams::insert_category(&mut tx, ctx.company_id, &code, write)
            .await
            .map_err(|e| e.or_conflict("code", TicketCode::DuplicateCategory))?,
    };
    let after = store::teams::category_by_id(&mut tx, id).await?;
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        "request_category",
        id.0,
    )
    .after(&after);
    if let Some(b) = &before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(after)
}

// ---------------------------------------------------------------------------------------------
// SLA settings

pub async fn list_overrides(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<SlaOverride>> {
    ctx.require_in(Perm::TicketsManage, community)?;
    store::settings::overrides(&core.db, community).await
}

#[derive(Debug, Clone, serde::Deserialize, utoipa::ToSchema)]
pub struct SlaOverrideForSave {
    pub community_id: CommunityId,
    /// A category code, or `*` for every category.
    pub category: String,
    /// `feedback`, `on_site`, `resolve`, `reply`, `solution`, `hotline`.
    #[schema(value_type = crate::tickets::ClockKind)]
    pub clock: String,
    pub enabled: bool,
    /// Length in minutes, or …
    pub minutes: Option<i64>,
    /// … in working days (exactly one of the two when enabled).
    pub working_days: Option<i64>,
    #[serde(default)]
    pub pauses_on_hold: bool,
}

/// Sets one clock of one category for a community (needs `tickets.manage` there).
pub async fn save_override(
    core: &Core,
    ctx: &Ctx,
    input: SlaOverrideForSave,
) -> CoreResult<SlaOverride> {
    ctx.require_in(Perm::TicketsManage, input.community_id)?;
    let mut c = Checks::new();
    let clock = c.take(ClockKind::parse("clock", &input.clock));
    let category = input.category.trim().to_lowercase();
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, input.community_id).await?;
    let known = category == "*"
        || (parse_category_code("category", &category).is_ok()
            && store::teams::category(&mut tx, ctx.company_id, &category)
                .await?
                .is_some());
    if !known {
        c.push(FieldError::new("category", TicketCode::UnknownCategory));
    }
    if input.enabled {
        match (input.minutes, input.working_days) {
            (Some(m), None) if (1..=60 * 24 * 60).contains(&m) => {}
            (None, Some(d)) if (1..=60).contains(&d) => {}
            (Some(_), None) => c.push(FieldError::new("minutes", TicketCode::OutOfRange)),
            (None, Some(_)) => c.push(FieldError::new("working_days", TicketCode::OutOfRange)),
            _ => c.push(FieldError::new("minutes", TicketCode::MinutesOrWorkingDays)),
        }
    }
    c.finish()?;
    let clock = clock.ok_or_else(|| CoreError::internal("validated clock"))?;
    let (minutes, days) = if input.enabled {
        (input.minutes, input.working_days)
    } else {
        (None, None)
    };
    let saved = store::settings::save_override(
        &mut tx,
        store::settings::OverrideForSave {
            community: input.community_id,
            category: &category,
            clock: clock.code(),
            enabled: input.enabled,
            minutes,
            working_days: days,
            pauses_on_hold: input.pauses_on_hold,
            at: Utc::now(),
        },
    )
    .await?;
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Update, "sla_override", saved.id)
            .community(input.community_id)
            .after(&saved),
    )
    .await?;
    tx.commit().await?;
    Ok(saved)
}
