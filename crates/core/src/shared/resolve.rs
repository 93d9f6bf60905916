//! Who and where a desk means: a unit typed as its label (`1栋-1801`) or a caller's phone number
//! turned into the person and his units. One service for the desk, the console, the API and the
//! portal, so none of them resolves a caller its own way.
//!
//! Both lookups go through the registry's search (its permission check, its label and
//! blind-index matching), so a desk finds exactly what the registry's search box finds; the rules
//! here only pick among the hits. The errors are named after the form field the caller gives.

use crate::registry::{self, HitKind};
use crate::shared::error::{CoreError, FieldError};
use crate::shared::ids::{CommunityId, PersonId, UnitId};
use crate::{Core, Ctx};

crate::error_codes! {
    /// Codes of the resolver: a typed unit that matches none or several.
    pub enum ResolveCode {
        UnitAmbiguous = "unit_ambiguous",
        UnknownUnit = "unknown_unit",
    }
}

/// A unit typed as people say it ("1栋-1801", "1-1801", "1801"), in one community; the field
/// errors are named `field`.
pub async fn unit_by_label(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    q: &str,
    field: &str,
) -> Result<UnitId, Vec<FieldError>> {
    match registry::search(core, ctx, q, Some(community), 20).await {
        Ok(hits) => {
            let units: Vec<_> = hits
                .iter()
                .filter(|h| matches!(h.kind, HitKind::Unit))
                .collect();
            // An exact label or number wins over prefix matches.
            let exact: Vec<_> = units
                .iter()
                .filter(|h| {
                    h.title == q
                        || h.title.ends_with(&format!("-{}", q.to_uppercase()))
                        || h.title.replace(['栋', '座'], "") == q.replace(['栋', '座'], "")
                })
                .collect();
            let found = match (exact.len(), units.len()) {
                (1, _) => exact[0].unit_id,
                (0, 1) => units[0].unit_id,
                (0, 0) => None,
                _ => return Err(vec![FieldError::new(field, ResolveCode::UnitAmbiguous)]),
            };
            found.ok_or_else(|| vec![FieldError::new(field, ResolveCode::UnknownUnit)])
        }
        Err(CoreError::Invalid(e)) => Err(e
            .into_iter()
            .map(|mut x| {
                x.field = field.into();
                x
            })
            .collect()),
        Err(_) => Err(vec![FieldError::new(field, ResolveCode::UnknownUnit)]),
    }
}

/// What a desk typed about a caller: a unit (its id from a picker, or its label) and the
/// caller's phone number; each may be empty.
pub struct CallerInput<'a> {
    pub unit_id: Option<UnitId>,
    pub unit_label: &'a str,
    pub phone: &'a str,
}

/// The unit and the registered person a desk means. `errors` are on the field `unit`; the caller
/// reports them with its own form's problems.
#[derive(Debug, Default)]
pub struct Caller {
    pub unit: Option<UnitId>,
    pub person: Option<PersonId>,
    pub errors: Vec<FieldError>,
}

/// Resolves the unit typed (an id wins over a label) and the person of the phone number: a
/// phone of exactly one registered person links that person, and gives the unit when none was
/// typed and the person has one; a person of another unit than the typed one is not linked.
pub async fn caller(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    input: CallerInput<'_>,
) -> Caller {
    let mut out = Caller::default();
    let label = input.unit_label.trim();
    if let Some(id) = input.unit_id {
        out.unit = Some(id);
    } else if !label.is_empty() {
        match unit_by_label(core, ctx, community, label, "unit").await {
            Ok(id) => out.unit = Some(id),
            Err(e) => out.errors.extend(e),
        }
    }
    let phone = input.phone.trim();
    if !phone.is_empty()
        && let Ok(hits) = registry::search(core, ctx, phone, Some(community), 5).await
    {
        let people: Vec<_> = hits
            .iter()
            .filter(|h| matches!(h.kind, HitKind::Person))
            .collect();
        if let [p] = people.as_slice() {
            if out.unit.is_none() {
                out.unit = p.unit_id;
            }
            if out.unit.is_none() || out.unit == p.unit_id {
                out.person = Some(PersonId(p.id));
            }
        }
    }
    out
}
