//! The Excel exports of a community's registry lists, paged through the service so a large
//! community is never loaded at once.

use super::*;

// Export

/// The units list's filters as the query of its export link: the export holds what the list
/// shows, every page of it.
pub(super) fn units_export_href(c: CommunityId, q: &UnitsQ) -> String {
    format!(
        "/communities/{c}/units.xlsx?building_id={}&state={}&use_kind={}&unit_no={}",
        urlencode(&q.building_id),
        urlencode(&q.state),
        urlencode(&q.use_kind),
        urlencode(&q.unit_no)
    )
}

pub(super) async fn export_units(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<UnitsQ>, QueryRejection>,
) -> PageResult {
    let id = CommunityId(id);
    // A malformed query string exports every unit.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let mut units: Vec<Unit> = Vec::new();
    let mut after = None;
    loop {
        let f = UnitFilter {
            community_id: Some(id),
            building_id: q.building_id.trim().parse().ok().map(BuildingId),
            state: opt(&q.state),
            use_kind: opt(&q.use_kind),
            unit_no: opt(&q.unit_no),
            after_id: after,
            limit: Some(EXPORT_PAGE),
        };
        let batch = registry::list_units(&st.core, &u.ctx, &f)
            .await
            .or_page(&u)?;
        let n = batch.len() as i64;
        after = batch.last().map(|x| x.id.0);
        units.extend(batch);
        if n < EXPORT_PAGE {
            break;
        }
    }
    let owners = import::unit_owner_labels(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    // Writing a large workbook is CPU work: off the async threads.
    let res = tokio::task::spawn_blocking(move || import::export_units_xlsx(&units, &owners)).await;
    let bytes = res
        .map_err(CoreError::internal)
        .and_then(|r| r)
        .or_page(&u)?;
    Ok(xlsx_response(bytes, &format!("units-{}.xlsx", c.code)))
}

pub(super) async fn export_people(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    let id = CommunityId(id);
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let mut people: Vec<Person> = Vec::new();
    let mut after = None;
    loop {
        let f = PersonFilter {
            community_id: Some(id),
            after_id: after,
            limit: Some(EXPORT_PAGE),
            ..Default::default()
        };
        let batch = registry::list_people(&st.core, &u.ctx, &f)
            .await
            .or_page(&u)?;
        let n = batch.len() as i64;
        after = batch.last().map(|x| x.id.0);
        people.extend(batch);
        if n < EXPORT_PAGE {
            break;
        }
    }
    let res = tokio::task::spawn_blocking(move || import::export_people_xlsx(&people)).await;
    let bytes = res
        .map_err(CoreError::internal)
        .and_then(|r| r)
        .or_page(&u)?;
    Ok(xlsx_response(bytes, &format!("people-{}.xlsx", c.code)))
}

/// The registry lists exported by `wuye_core::registry::export`.
#[derive(Clone, Copy)]
pub(super) enum List {
    Buildings,
    Vehicles,
    Spaces,
    KeyCustomers,
    VacantUnits,
}

pub(super) async fn export_list(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    list: List,
) -> PageResult {
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let (core, ctx) = (&st.core, &u.ctx);
    let (res, name) = match list {
        List::Buildings => (export::buildings_xlsx(core, ctx, id).await, "buildings"),
        List::Vehicles => (export::vehicles_xlsx(core, ctx, id).await, "vehicles"),
        List::Spaces => (export::spaces_xlsx(core, ctx, id).await, "parking-spaces"),
        List::KeyCustomers => (
            export::key_customers_xlsx(core, ctx, id).await,
            "key-customers",
        ),
        List::VacantUnits => (
            export::vacant_units_xlsx(core, ctx, id).await,
            "vacant-units",
        ),
    };
    let bytes = res.or_page(u)?;
    Ok(xlsx_response(bytes, &format!("{name}-{}.xlsx", c.code)))
}

pub(super) async fn export_buildings(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    export_list(&st, &u, CommunityId(id), List::Buildings).await
}

pub(super) async fn export_vehicles(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    export_list(&st, &u, CommunityId(id), List::Vehicles).await
}

pub(super) async fn export_spaces(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    export_list(&st, &u, CommunityId(id), List::Spaces).await
}

pub(super) async fn export_key_customers(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    export_list(&st, &u, CommunityId(id), List::KeyCustomers).await
}

pub(super) async fn export_vacant_units(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    export_list(&st, &u, CommunityId(id), List::VacantUnits).await
}
