//! The use cases of the front desk, one file per capability, and what they share: who may work
//! the desk of a community, its staff's names, its time zone, the unit and the resident the desk
//! types.

use std::collections::HashMap;

use chrono::{NaiveDate, Utc};
use chrono_tz::Tz;

use super::error::FrontdeskCode;
use crate::db::Queries;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::{Ctx, Perm};

pub mod bookings;
pub mod exports;
pub mod intake;
pub mod keys;
pub mod lending;
pub mod loans;
pub mod moveout_sheet;
pub mod moveouts;
pub mod parcels;
pub mod passes;
pub mod permits;
pub mod release_sheet;
pub mod releases;
pub mod services;
pub mod venues;
pub mod visitors;

/// The desk's daily work in the community (`frontdesk.work`); an unreachable community is not
/// found.
pub(crate) fn require_desk(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    ctx.require_in(Perm::FrontdeskWork, c)
}

/// The desk's settings in the community (`frontdesk.manage`).
pub(crate) fn require_manage(ctx: &Ctx, c: CommunityId) -> CoreResult<()> {
    ctx.require_in(Perm::FrontdeskManage, c)
}

/// The community's staff: id → display name.
pub(crate) async fn staff_names(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<HashMap<UserId, String>> {
    Ok(crate::auth::store::for_duty::staff_of(q, ctx.company_id, c)
        .await?
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect())
}

/// The community's time zone (an authorisation's last day is a local day).
pub(crate) async fn tz_of(q: &mut impl Queries, ctx: &Ctx, c: CommunityId) -> CoreResult<Tz> {
    let tz = crate::registry::store::for_tickets::community_timezone(q, c, ctx.company_id)
        .await?
        .ok_or(CoreError::NotFound("community"))?;
    Ok(crate::shared::calendar::zone(&tz))
}

pub(crate) fn today_in(tz: Tz) -> NaiveDate {
    Utc::now().with_timezone(&tz).date_naive()
}

/// The unit the desk gave: its id (which must be the community's) or its label as typed
/// (`1栋-1801`); a problem is pushed, named, and the unit left out.
pub(crate) async fn desk_unit(
    core: &crate::Core,
    ctx: &Ctx,
    c: CommunityId,
    id: Option<UnitId>,
    label: Option<&str>,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Option<UnitId>> {
    match (id, label.map(str::trim)) {
        (Some(u), _) => {
            let known =
                crate::registry::store::for_frontdesk::unit_label(&mut core.db.read(), c, u)
                    .await?
                    .is_some();
            if !known {
                errs.push(FieldError::new(
                    "unit_id",
                    crate::shared::resolve::ResolveCode::UnknownUnit,
                ));
            }
            Ok(Some(u).filter(|_| known))
        }
        (None, Some(l)) if !l.is_empty() => {
            match crate::shared::resolve::unit_by_label(core, ctx, c, l, "unit_label").await {
                Ok(u) => Ok(Some(u)),
                Err(e) => {
                    errs.extend(e);
                    Ok(None)
                }
            }
        }
        _ => Ok(None),
    }
}

/// The unit the desk must give: as [`desk_unit`], and `unit_label` required when neither was
/// given.
pub(crate) async fn required_desk_unit(
    core: &crate::Core,
    ctx: &Ctx,
    c: CommunityId,
    id: Option<UnitId>,
    label: Option<&str>,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Option<UnitId>> {
    let unit = desk_unit(core, ctx, c, id, label, errs).await?;
    if unit.is_none() && !errs.iter().any(|e| e.field.starts_with("unit")) {
        errs.push(FieldError::new(
            "unit_label",
            crate::shared::error::CommonCode::Required,
        ));
    }
    Ok(unit)
}

/// Who the desk serves: a person of the unit (his registry name and, when none was typed, his
/// phone), or just the name typed.
pub(crate) struct Resident {
    pub person: Option<PersonId>,
    pub name: Option<String>,
    pub phone_enc: Option<Vec<u8>>,
}

/// Finds the person the desk means: the id given, or the name typed when it is exactly one
/// person's of the unit; an id not of the unit is pushed on `fields.0`, no name at all on
/// `fields.1` with `missing`.
pub(crate) async fn unit_person(
    q: &mut impl Queries,
    c: CommunityId,
    unit: Option<UnitId>,
    given: Resident,
    fields: (&str, &str),
    missing: FrontdeskCode,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Resident> {
    let Resident {
        mut person,
        mut name,
        mut phone_enc,
    } = given;
    if let (None, Some(u), Some(n)) = (person, unit, name.as_deref())
        && let [p] = crate::registry::store::for_frontdesk::unit_people_named(q, c, u, n).await?[..]
    {
        person = Some(p);
    }
    match (person, unit) {
        (Some(p), Some(u)) => {
            match crate::registry::store::for_frontdesk::person_of_unit(q, c, u, p).await? {
                Some((n, registry_phone, _)) => {
                    name = Some(n);
                    if phone_enc.is_none() {
                        phone_enc = registry_phone;
                    }
                }
                None => errs.push(FieldError::new(fields.0, FrontdeskCode::RecipientNotOfUnit)),
            }
        }
        (Some(_), None) => errs.push(FieldError::new(fields.0, FrontdeskCode::RecipientNotOfUnit)),
        (None, _) if name.is_none() => errs.push(FieldError::new(fields.1, missing)),
        _ => {}
    }
    Ok(Resident {
        person,
        name,
        phone_enc,
    })
}

/// A phone the desk may leave empty: parsed when given, its problem pushed, named.
pub(crate) fn optional_phone(
    field: &str,
    raw: Option<&str>,
    errs: &mut Vec<FieldError>,
) -> Option<crate::shared::values::Phone> {
    let raw = raw.map(str::trim).filter(|p| !p.is_empty())?;
    crate::shared::values::Phone::parse(field, raw)
        .map_err(|e| errs.push(e))
        .ok()
}
