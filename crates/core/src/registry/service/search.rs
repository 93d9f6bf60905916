//! The registry search box: one query text read several ways (a phone, a unit number or label,
//! a name, a plate), each a bounded index walk, merged into one list of hits.

use crate::Core;
use crate::registry::model::*;
use crate::registry::store::{self, PersonRow};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::{Phone, query_text};

use super::{people_with_links, scope};

/// Finds units by number prefix, people by name prefix or exact phone, vehicles by plate
/// prefix, within the actor's communities (or one of them). At most `limit` hits of each kind.
pub async fn search(
    core: &Core,
    ctx: &Ctx,
    q: &str,
    community: Option<CommunityId>,
    limit: i64,
) -> CoreResult<Vec<SearchHit>> {
    ctx.require(Perm::RegistryRead)?;
    let q = query_text("q", q, 50).map_err(|e| CoreError::Invalid(vec![e]))?;
    if q.is_empty() {
        return Ok(Vec::new());
    }
    let ids = scope(core, ctx, community).await?;
    let limit = limit.clamp(1, 100);
    let mut hits = Vec::new();

    // People by exact phone (through the blind index).
    if let Ok(phone) = Phone::parse("q", q) {
        let hash = core.crypto.blind_index("phone", phone.as_str());
        let rows = store::search::people_by_phone_hash(&core.db, &ids, hash, limit).await?;
        push_people(core, &mut hits, rows).await?;
    }
    // Units by number prefix, or by the label the system shows ("1栋-1801", "A座-101"): a
    // building name (with or without its 栋/座/号楼 suffix), a dash, a unit number prefix.
    // Both readings of "1-1801": unit number "1-1801", and unit "1801" of building "1"/"1栋".
    let mut unit_queries: Vec<(Option<String>, String)> = Vec::new();
    if q.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
        unit_queries.push((None, q.to_uppercase()));
    }
    if let Some((b, u)) = q.rsplit_once('-')
        && !b.trim().is_empty()
        && !u.is_empty()
        && u.chars().all(|c| c.is_ascii_alphanumeric())
    {
        unit_queries.push((Some(b.trim().to_string()), u.to_uppercase()));
    }
    for (building, p) in unit_queries {
        let rows = store::search::units_by_prefix(&core.db, &ids, building, &p, limit).await?;
        for r in rows {
            if hits
                .iter()
                .any(|h: &SearchHit| matches!(h.kind, HitKind::Unit) && h.id == r.id.0)
            {
                continue;
            }
            hits.push(SearchHit {
                kind: HitKind::Unit,
                id: r.id.0,
                community_id: r.community_id,
                title: format!("{}-{}", r.building_name, r.unit_no),
                detail: String::new(),
                unit_id: Some(r.id),
                use_kind: Some(UnitUse::from_stored(&r.use_kind)?),
                state: Some(UnitState::from_stored(&r.state)?),
            });
        }
    }
    // A unit hit names its first owner, so the desk knows whose unit it is (the phone stays
    // behind the reveal).
    let mut by_community: std::collections::BTreeMap<CommunityId, Vec<i64>> = Default::default();
    for h in hits.iter().filter(|h| matches!(h.kind, HitKind::Unit)) {
        by_community.entry(h.community_id).or_default().push(h.id);
    }
    for (c, units) in by_community {
        for (unit, name, _) in store::people::unit_owners(&mut core.db.read(), c, &units).await? {
            if let Some(h) = hits
                .iter_mut()
                .find(|h| matches!(h.kind, HitKind::Unit) && h.id == unit && h.detail.is_empty())
            {
                h.detail = name;
            }
        }
    }
    // People by name prefix (names have no digits).
    if !q.chars().any(|c| c.is_ascii_digit()) {
        let rows = store::search::people_by_name_prefix(&core.db, &ids, q, limit).await?;
        push_people(core, &mut hits, rows).await?;
    }
    // Vehicles by plate prefix (a plate starts with a province character).
    let plate_q: String = q
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '·'))
        .collect::<String>()
        .to_uppercase();
    if plate_q.chars().next().is_some_and(|c| !c.is_ascii()) && plate_q.chars().count() >= 2 {
        let rows = store::search::vehicles_by_plate_prefix(&core.db, &ids, &plate_q, limit).await?;
        for v in rows {
            hits.push(SearchHit {
                kind: HitKind::Vehicle,
                id: v.id.0,
                community_id: v.community_id,
                title: v.plate,
                detail: v.person_name.unwrap_or_default(),
                unit_id: v.unit_id,
                use_kind: None,
                state: None,
            });
        }
    }
    Ok(hits)
}

async fn push_people(
    core: &Core,
    hits: &mut Vec<SearchHit>,
    rows: Vec<PersonRow>,
) -> CoreResult<()> {
    for p in people_with_links(core, rows).await? {
        if hits
            .iter()
            .any(|h| matches!(h.kind, HitKind::Person) && h.id == p.id.0)
        {
            continue;
        }
        let units: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        hits.push(SearchHit {
            kind: HitKind::Person,
            id: p.id.0,
            community_id: p.community_id,
            title: p.name.clone(),
            detail: format!(
                "{} {}",
                p.phone.clone().unwrap_or_default(),
                units.join(" ")
            ),
            unit_id: p.units.first().map(|u| u.unit_id),
            use_kind: None,
            state: None,
        });
    }
    Ok(())
}

/// A person of the community as the desk types him: his number ("12"), his full phone
/// ("13812345678") or his exact name ("张三"). A name several people share is refused with how
/// many (`person_ambiguous`), so the desk types the phone instead.
pub async fn find_person(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    field: &str,
    typed: &str,
) -> CoreResult<PersonId> {
    use crate::registry::error::RegistryCode;
    let t = typed.trim();
    if t.is_empty() {
        return Err(CoreError::invalid(
            field,
            crate::shared::error::CommonCode::Required,
        ));
    }
    let is_phone = t.len() == 11 && t.starts_with('1') && t.chars().all(|c| c.is_ascii_digit());
    if !is_phone && let Ok(n) = t.parse::<i64>() {
        return Ok(PersonId(n));
    }
    let hits: Vec<SearchHit> = search(core, ctx, t, Some(community), 20)
        .await?
        .into_iter()
        .filter(|h| matches!(h.kind, HitKind::Person) && (is_phone || h.title == t))
        .collect();
    match hits.as_slice() {
        [one] => Ok(PersonId(one.id)),
        [] => Err(CoreError::Invalid(vec![
            crate::shared::error::FieldError::new(field, RegistryCode::PersonNotFound),
        ])),
        many => Err(CoreError::Invalid(vec![
            crate::shared::error::FieldError::new(field, RegistryCode::PersonAmbiguous)
                .with("n", many.len()),
        ])),
    }
}
