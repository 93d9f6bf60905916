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

/// Unit labels of a whole community resolved at once, for a spreadsheet of thousands of rows
/// where a search per row ([`unit_by_label`]) would take minutes. It accepts what
/// [`unit_by_label`] takes as an exact match — the label `1栋-1801`, the same without
/// 栋/座 (`1-1801`), or the unit number alone when only one building has it — but no prefix:
/// a file names its units in full.
#[derive(Default)]
pub struct UnitLabels {
    /// `1-1801` (building without 栋/座, uppercase) → units.
    full: std::collections::HashMap<String, Vec<UnitId>>,
    /// `1801` → units.
    number: std::collections::HashMap<String, Vec<UnitId>>,
}

fn label_key(building: &str, unit_no: &str) -> String {
    format!("{}-{}", building.replace(['栋', '座'], ""), unit_no).to_uppercase()
}

impl UnitLabels {
    /// From `(unit id, building name, unit number)` rows.
    pub fn new(rows: impl IntoIterator<Item = (i64, String, String)>) -> Self {
        let mut me = Self::default();
        for (id, b, u) in rows {
            me.full
                .entry(label_key(&b, &u))
                .or_default()
                .push(UnitId(id));
            me.number
                .entry(u.to_uppercase())
                .or_default()
                .push(UnitId(id));
        }
        me
    }

    /// The unit a label names, or why none.
    pub fn resolve(&self, q: &str) -> Result<UnitId, ResolveCode> {
        let q = q.trim();
        let key = q.replace(['栋', '座'], "").to_uppercase();
        let hits = self
            .full
            .get(&key)
            .or_else(|| self.number.get(&q.to_uppercase()));
        match hits.map(Vec::as_slice) {
            Some([one]) => Ok(*one),
            Some([]) | None => Err(ResolveCode::UnknownUnit),
            Some(_) => Err(ResolveCode::UnitAmbiguous),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_resolve_like_the_desk_exactly() {
        let l = UnitLabels::new([
            (1, "1栋".into(), "1801".into()),
            (2, "2栋".into(), "1801".into()),
            (3, "A座".into(), "b-101".into()),
        ]);
        assert_eq!(l.resolve("1栋-1801"), Ok(UnitId(1)));
        assert_eq!(l.resolve("2-1801"), Ok(UnitId(2)));
        assert_eq!(l.resolve("a-B-101"), Ok(UnitId(3)));
        assert_eq!(l.resolve("B-101"), Ok(UnitId(3)));
        assert_eq!(l.resolve("1801"), Err(ResolveCode::UnitAmbiguous));
        assert_eq!(l.resolve("3栋-1801"), Err(ResolveCode::UnknownUnit));
        assert_eq!(l.resolve("1栋-18"), Err(ResolveCode::UnknownUnit));
    }
}
