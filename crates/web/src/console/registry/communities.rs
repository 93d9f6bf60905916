//! Community and building pages: a community's settings and its buildings, a building's
//! settings and its units. Grouped because each page creates the level below it.

use super::*;

// Communities

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct CommunityInput {
    pub(super) code: String,
    pub(super) name: String,
    pub(super) address: String,
    pub(super) timezone: String,
}

impl CommunityInput {
    fn of(c: &Community) -> Self {
        CommunityInput {
            code: c.code.clone(),
            name: c.name.clone(),
            address: text(&c.address),
            timezone: c.timezone.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "registry/community_new.html")]
pub(super) struct CommunityNewPage {
    pub(super) s: Shell,
    pub(super) f: CommunityInput,
    pub(super) err: Option<CoreError>,
}

pub(super) async fn community_new_page(u: ConsoleUser) -> PageResult {
    let s = Shell::of(&u);
    if !s.can_manage {
        return Err(PageError::new(&u, CoreError::Forbidden));
    }
    let f = CommunityInput {
        timezone: "Asia/Shanghai".into(),
        ..Default::default()
    };
    Ok(page(&CommunityNewPage { s, f, err: None }))
}

pub(super) async fn community_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    CsrfForm(f): CsrfForm<CommunityInput>,
) -> PageResult {
    let input = CommunityForCreate {
        code: f.code.clone(),
        name: f.name.clone(),
        address: opt(&f.address),
        timezone: opt(&f.timezone),
    };
    match registry::create_community(&st.core, &u.ctx, input).await {
        Ok(c) => Ok(said(
            &st,
            &u,
            &format!("/communities/{}", c.id),
            "flash.created",
            &c.name,
        )),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, u.locale).0;
            Ok(with_status(
                page(&CommunityNewPage {
                    s: Shell::of(&u).with_error(&e),
                    f,
                    err: Some(e),
                }),
                status,
            ))
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct BuildingInput {
    pub(super) name: String,
    pub(super) floors: String,
    pub(super) note: String,
}

impl BuildingInput {
    fn of(b: &Building) -> Self {
        BuildingInput {
            name: b.name.clone(),
            floors: b.floors.map(|f| f.to_string()).unwrap_or_default(),
            note: text(&b.note),
        }
    }
}

pub(super) enum CommunityForm {
    None,
    Building(BuildingInput),
    Edit(CommunityInput),
}

#[derive(Template)]
#[template(path = "registry/community.html")]
pub(super) struct CommunityPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) counts: [i64; 5],
    pub(super) buildings: Vec<Building>,
    pub(super) b: BuildingInput,
    pub(super) edit: CommunityInput,
    pub(super) fe: FormErr,
}

pub(super) async fn render_community(
    st: &AppState,
    u: &ConsoleUser,
    id: CommunityId,
    form: CommunityForm,
    err: Option<CoreError>,
) -> PageResult {
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let counts = registry::community_counts(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let buildings = registry::list_buildings(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let mut b = BuildingInput::default();
    let mut edit = CommunityInput::of(&c);
    let name = match form {
        CommunityForm::None => "",
        CommunityForm::Building(f) => {
            b = f;
            "building"
        }
        CommunityForm::Edit(f) => {
            edit = CommunityInput {
                code: c.code.clone(),
                ..f
            };
            "community"
        }
    };
    let (s, fe, status) = shell_for(u, name, err);
    Ok(with_status(
        page(&CommunityPage {
            s,
            c,
            counts,
            buildings,
            b,
            edit,
            fe,
        }),
        status,
    ))
}

pub(super) async fn community_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_community(&st, &u, CommunityId(id), CommunityForm::None, None).await
}

pub(super) async fn community_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<CommunityInput>,
) -> PageResult {
    let id = CommunityId(id);
    let input = CommunityForUpdate {
        name: Some(f.name.clone()),
        address: Some(f.address.clone()),
        timezone: Some(f.timezone.clone()),
    };
    match registry::update_community(&st.core, &u.ctx, id, input).await {
        Ok(c) => Ok(said(
            &st,
            &u,
            &format!("/communities/{id}"),
            "flash.saved",
            &c.name,
        )),
        Err(e) if is_form_error(&e) => {
            render_community(&st, &u, id, CommunityForm::Edit(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn building_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BuildingInput>,
) -> PageResult {
    let id = CommunityId(id);
    let mut errs = Vec::new();
    let floors = int(&mut errs, "floors", &f.floors);
    let input = BuildingForCreate {
        community_id: id,
        name: f.name.clone(),
        floors,
        note: opt(&f.note),
    };
    match unless(errs, registry::create_building(&st.core, &u.ctx, input)).await {
        Ok(b) => Ok(said(
            &st,
            &u,
            &format!("/buildings/{}", b.id),
            "flash.created",
            &b.name,
        )),
        Err(e) if is_form_error(&e) => {
            render_community(&st, &u, id, CommunityForm::Building(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

// ---------------------------------------------------------------------------------------------
// Buildings

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub(super) struct UnitInput {
    pub(super) unit_no: String,
    pub(super) floor: String,
    pub(super) building_area: String,
    pub(super) inner_area: String,
    pub(super) use_kind: String,
    pub(super) state: String,
    pub(super) note: String,
}

impl UnitInput {
    fn new_unit() -> Self {
        UnitInput {
            use_kind: UnitUse::Residential.code().into(),
            state: UnitState::Vacant.code().into(),
            ..Default::default()
        }
    }
    pub(super) fn of(u: &Unit) -> Self {
        UnitInput {
            unit_no: u.unit_no.clone(),
            floor: u.floor.to_string(),
            building_area: u.building_area.to_string(),
            inner_area: u.inner_area.map(|a| a.to_string()).unwrap_or_default(),
            use_kind: u.use_kind.code().into(),
            state: u.state.code().into(),
            note: text(&u.note),
        }
    }
}

pub(super) enum BuildingForm {
    None,
    Unit(UnitInput),
    Edit(BuildingInput),
    Delete,
}

#[derive(Template)]
#[template(path = "registry/building.html")]
pub(super) struct BuildingPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) b: Building,
    pub(super) units: Vec<UnitRow>,
    pub(super) truncated: bool,
    pub(super) f: UnitInput,
    pub(super) edit: BuildingInput,
    pub(super) uses: Vec<Opt>,
    pub(super) states: Vec<Opt>,
    pub(super) fe: FormErr,
}

pub(super) async fn render_building(
    st: &AppState,
    u: &ConsoleUser,
    id: BuildingId,
    form: BuildingForm,
    err: Option<CoreError>,
) -> PageResult {
    let b = registry::get_building(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, b.community_id)
        .await
        .or_page(u)?;
    let filter = UnitFilter {
        community_id: Some(b.community_id),
        building_id: Some(b.id),
        limit: Some(BUILDING_UNITS),
        ..Default::default()
    };
    let units = registry::list_units(&st.core, &u.ctx, &filter)
        .await
        .or_page(u)?;
    let owners = import::unit_owner_labels(&st.core, &u.ctx, b.community_id)
        .await
        .or_page(u)?;
    let l = u.locale;
    let truncated = units.len() as i64 >= BUILDING_UNITS;
    let mut units: Vec<UnitRow> = units.iter().map(|x| unit_row(x, &owners, l)).collect();
    units.sort_by(|a, b| (a.floor, &a.unit_no).cmp(&(b.floor, &b.unit_no)));
    let mut f = UnitInput::new_unit();
    let mut edit = BuildingInput::of(&b);
    let name = match form {
        BuildingForm::None => "",
        BuildingForm::Unit(x) => {
            f = x;
            "unit"
        }
        BuildingForm::Edit(x) => {
            edit = x;
            "building"
        }
        BuildingForm::Delete => "delete",
    };
    let (s, fe, status) = shell_for(u, name, err);
    let page_ = BuildingPage {
        s,
        c,
        b,
        units,
        truncated,
        f,
        edit,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
        fe,
    };
    Ok(with_status(page(&page_), status))
}

pub(super) async fn building_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_building(&st, &u, BuildingId(id), BuildingForm::None, None).await
}

pub(super) async fn building_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<BuildingInput>,
) -> PageResult {
    let id = BuildingId(id);
    let mut errs = Vec::new();
    let floors = int(&mut errs, "floors", &f.floors);
    let input = BuildingForUpdate {
        name: Some(f.name.clone()),
        floors,
        note: Some(f.note.clone()),
    };
    match unless(errs, registry::update_building(&st.core, &u.ctx, id, input)).await {
        Ok(b) => Ok(said(
            &st,
            &u,
            &format!("/buildings/{id}"),
            "flash.saved",
            &b.name,
        )),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Edit(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn building_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let id = BuildingId(id);
    let b = registry::get_building(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    match registry::delete_building(&st.core, &u.ctx, id).await {
        Ok(()) => Ok(said(
            &st,
            &u,
            &format!("/communities/{}", b.community_id),
            "flash.deleted",
            &b.name,
        )),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Delete, Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn unit_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<UnitInput>,
) -> PageResult {
    let id = BuildingId(id);
    let mut errs = Vec::new();
    let floor = required_int(&mut errs, "floor", &f.floor);
    let input = UnitForCreate {
        building_id: id,
        unit_no: f.unit_no.clone(),
        // Only a stand-in when the floor did not parse: the input is then not saved.
        floor: floor.unwrap_or(1),
        building_area: Decimal::Text(f.building_area.clone()),
        inner_area: opt(&f.inner_area).map(Decimal::Text),
        use_kind: f.use_kind.clone(),
        state: f.state.clone(),
        note: opt(&f.note),
    };
    if !errs.is_empty() {
        // Every bad field at once: the service's checks of the other fields as well.
        if let Err(more) = registry::validate_unit(&input) {
            errs.extend(more.into_iter().filter(|e| e.field != "floor"));
        }
    }
    match unless(errs, registry::create_unit(&st.core, &u.ctx, input)).await {
        Ok(unit) => Ok(said(
            &st,
            &u,
            &format!("/units/{}", unit.id),
            "flash.created",
            &format!("{}-{}", unit.building_name, unit.unit_no),
        )),
        Err(e) if is_form_error(&e) => {
            render_building(&st, &u, id, BuildingForm::Unit(f), Some(e)).await
        }
        Err(e) => Err(PageError::new(&u, e)),
    }
}
