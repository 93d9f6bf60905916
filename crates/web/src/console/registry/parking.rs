//! Vehicles and parking spaces of a community: their lists, pages and histories. One group
//! because a vehicle is parked on a space and both pages link each other.

use super::*;

// Vehicles and parking spaces of a community

#[derive(Template)]
#[template(path = "registry/vehicles.html")]
pub(super) struct VehiclesPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) vehicles: Vec<VehicleRow>,
    pub(super) spaces: Vec<SpaceRow>,
    pub(super) f: VehicleInput,
    pub(super) fe: FormErr,
}

pub(super) async fn render_vehicles(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    f: VehicleInput,
    err: Option<CoreError>,
) -> PageResult {
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let vehicles = registry::list_vehicles(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let spaces = registry::list_spaces(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let l = u.locale;
    let (s, fe, status) = shell_for(u, "vehicle", err);
    let p = VehiclesPage {
        s,
        c,
        vehicles: vehicles.iter().map(vehicle_row).collect(),
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        f,
        fe,
    };
    Ok(with_status(page(&p), status))
}

pub(super) async fn vehicles_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_vehicles(&st, &u, CommunityId(id), VehicleInput::default(), None).await
}

pub(super) async fn vehicle_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleInput>,
) -> PageResult {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let input = VehicleForCreate {
        community_id: id,
        plate: f.plate.clone(),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        unit_id: None,
        space_id: int(&mut errs, "space_id", &f.space_id).map(ParkingSpaceId),
        brand: opt(&f.brand),
        color: opt(&f.color),
    };
    match unless(errs, registry::create_vehicle(&st.core, &u.ctx, input)).await {
        Ok(v) => Ok(said(
            &st,
            &u,
            &format!("/communities/{id}/vehicles"),
            "flash.created",
            &v.plate,
        )),
        Err(e) if is_form_error(&e) => render_vehicles(&st, &u, id, f, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn vehicle_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BackForm>,
) -> PageResult {
    registry::delete_vehicle(&st.core, &u.ctx, VehicleId(id))
        .await
        .or_page(&u)?;
    let what = u.locale.t("entity.vehicle");
    Ok(said(
        &st,
        &u,
        &safe_back(&f.back, "/"),
        "flash.deleted",
        what,
    ))
}

/// Where an edit page was opened from (`?back=/units/12`), to return there after saving.
#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BackQ {
    pub(super) back: String,
}

/// An id typed in an edit form: empty clears it (0 to the service), text that is not a number
/// is an error on the field.
pub(super) fn id_or_clear(errs: &mut Vec<FieldError>, field: &str, raw: &str) -> Option<i64> {
    Some(int(errs, field, raw).unwrap_or(0))
}

pub(super) fn id_text<T: std::fmt::Display>(id: Option<T>) -> String {
    id.map(|x| x.to_string()).unwrap_or_default()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VehicleEditInput {
    pub(super) plate: String,
    pub(super) brand: String,
    pub(super) color: String,
    pub(super) person_id: String,
    pub(super) unit_id: String,
    pub(super) space_id: String,
    pub(super) back: String,
}

impl VehicleEditInput {
    fn of(v: &Vehicle, back: String) -> Self {
        VehicleEditInput {
            plate: v.plate.clone(),
            brand: text(&v.brand),
            color: text(&v.color),
            person_id: id_text(v.person_id),
            unit_id: id_text(v.unit_id),
            space_id: id_text(v.space_id),
            back,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/vehicle.html")]
pub(super) struct VehiclePage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) v: VehicleRow,
    pub(super) f: VehicleEditInput,
    pub(super) spaces: Vec<SpaceRow>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) back: String,
    pub(super) fe: FormErr,
}

pub(super) async fn render_vehicle(
    st: &AppState,
    u: &ConsoleUser,
    id: VehicleId,
    input: Option<VehicleEditInput>,
    back: &str,
    err: Option<CoreError>,
) -> PageResult {
    let v = registry::get_vehicle(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, v.community_id)
        .await
        .or_page(u)?;
    let spaces = registry::list_spaces(&st.core, &u.ctx, c.id)
        .await
        .or_page(u)?;
    let history = wuye_core::audit::history(&st.core.db, c.id, "vehicle", id.0)
        .await
        .or_page(u)?;
    let l = u.locale;
    let back = safe_back(back, &format!("/communities/{}/vehicles", c.id));
    let f = input.unwrap_or_else(|| VehicleEditInput::of(&v, back.clone()));
    let (s, fe, status) = shell_for(u, "vehicle", err);
    let p = VehiclePage {
        s,
        v: vehicle_row(&v),
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        history: history_rows(&history, VEHICLE_FIELDS, tz_of(&c), l, &HashMap::new()),
        c,
        f,
        back,
        fe,
    };
    Ok(with_status(page(&p), status))
}

pub(super) async fn vehicle_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<BackQ>, QueryRejection>,
) -> PageResult {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    render_vehicle(&st, &u, VehicleId(id), None, &q.back, None).await
}

pub(super) async fn vehicle_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleEditInput>,
) -> PageResult {
    let id = VehicleId(id);
    let mut errs = Vec::new();
    let input = VehicleForUpdate {
        plate: Some(f.plate.clone()),
        person_id: id_or_clear(&mut errs, "person_id", &f.person_id),
        unit_id: id_or_clear(&mut errs, "unit_id", &f.unit_id),
        space_id: id_or_clear(&mut errs, "space_id", &f.space_id),
        brand: Some(f.brand.clone()),
        color: Some(f.color.clone()),
    };
    match unless(errs, registry::update_vehicle(&st.core, &u.ctx, id, input)).await {
        Ok(v) => Ok(said(
            &st,
            &u,
            &safe_back(
                &f.back,
                &format!("/communities/{}/vehicles", v.community_id),
            ),
            "flash.saved",
            &v.plate,
        )),
        Err(e) if is_form_error(&e) => {
            let back = f.back.clone();
            render_vehicle(&st, &u, id, Some(f), &back, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Template)]
#[template(path = "registry/parking.html")]
pub(super) struct ParkingPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) spaces: Vec<SpaceRow>,
    pub(super) f: SpaceInput,
    pub(super) states: Vec<Opt>,
    pub(super) fe: FormErr,
}

pub(super) async fn render_parking(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    f: SpaceInput,
    err: Option<CoreError>,
) -> PageResult {
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let spaces = registry::list_spaces(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let l = u.locale;
    let (s, fe, status) = shell_for(u, "space", err);
    let p = ParkingPage {
        s,
        c,
        spaces: spaces.iter().map(|x| space_row(x, l)).collect(),
        f,
        states: options(SpaceState::ALL, l),
        fe,
    };
    Ok(with_status(page(&p), status))
}

pub(super) async fn parking_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    let f = SpaceInput {
        state: SpaceState::Sold.code().into(),
        ..Default::default()
    };
    render_parking(&st, &u, CommunityId(id), f, None).await
}

pub(super) async fn space_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceInput>,
) -> PageResult {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let input = ParkingSpaceForCreate {
        community_id: id,
        code: f.code.clone(),
        state: f.state.clone(),
        unit_id: int(&mut errs, "unit_id", &f.unit_id).map(UnitId),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        note: opt(&f.note),
    };
    match unless(errs, registry::create_space(&st.core, &u.ctx, input)).await {
        Ok(p) => Ok(said(
            &st,
            &u,
            &format!("/communities/{id}/parking"),
            "flash.created",
            &p.code,
        )),
        Err(e) if is_form_error(&e) => render_parking(&st, &u, id, f, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn space_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BackForm>,
) -> PageResult {
    registry::delete_space(&st.core, &u.ctx, ParkingSpaceId(id))
        .await
        .or_page(&u)?;
    let what = u.locale.t("entity.parking_space");
    Ok(said(
        &st,
        &u,
        &safe_back(&f.back, "/"),
        "flash.deleted",
        what,
    ))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SpaceEditInput {
    pub(super) state: String,
    pub(super) unit_id: String,
    pub(super) person_id: String,
    pub(super) note: String,
    pub(super) back: String,
}

impl SpaceEditInput {
    fn of(p: &ParkingSpace, back: String) -> Self {
        SpaceEditInput {
            state: p.state.clone(),
            unit_id: id_text(p.unit_id),
            person_id: id_text(p.person_id),
            note: text(&p.note),
            back,
        }
    }
}

#[derive(Template)]
#[template(path = "registry/space.html")]
pub(super) struct SpacePage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) p: SpaceRow,
    pub(super) f: SpaceEditInput,
    pub(super) states: Vec<Opt>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) back: String,
    pub(super) fe: FormErr,
}

pub(super) async fn render_space(
    st: &AppState,
    u: &ConsoleUser,
    id: ParkingSpaceId,
    input: Option<SpaceEditInput>,
    back: &str,
    err: Option<CoreError>,
) -> PageResult {
    let p = registry::get_space(&st.core, &u.ctx, id).await.or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, p.community_id)
        .await
        .or_page(u)?;
    let history = wuye_core::audit::history(&st.core.db, c.id, "parking_space", id.0)
        .await
        .or_page(u)?;
    let l = u.locale;
    let back = safe_back(back, &format!("/communities/{}/parking", c.id));
    let f = input.unwrap_or_else(|| SpaceEditInput::of(&p, back.clone()));
    let (s, fe, status) = shell_for(u, "space", err);
    let page_ = SpacePage {
        s,
        p: space_row(&p, l),
        states: options(SpaceState::ALL, l),
        history: history_rows(&history, SPACE_FIELDS, tz_of(&c), l, &HashMap::new()),
        c,
        f,
        back,
        fe,
    };
    Ok(with_status(page(&page_), status))
}

pub(super) async fn space_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<BackQ>, QueryRejection>,
) -> PageResult {
    let q = q.map(|Query(q)| q).unwrap_or_default();
    render_space(&st, &u, ParkingSpaceId(id), None, &q.back, None).await
}

pub(super) async fn space_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceEditInput>,
) -> PageResult {
    let id = ParkingSpaceId(id);
    let mut errs = Vec::new();
    let input = ParkingSpaceForUpdate {
        state: Some(f.state.clone()),
        unit_id: id_or_clear(&mut errs, "unit_id", &f.unit_id),
        person_id: id_or_clear(&mut errs, "person_id", &f.person_id),
        note: Some(f.note.clone()),
    };
    match unless(errs, registry::update_space(&st.core, &u.ctx, id, input)).await {
        Ok(p) => Ok(said(
            &st,
            &u,
            &safe_back(&f.back, &format!("/communities/{}/parking", p.community_id)),
            "flash.saved",
            &p.code,
        )),
        Err(e) if is_form_error(&e) => {
            let back = f.back.clone();
            render_space(&st, &u, id, Some(f), &back, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
