//! The units list of a community and a unit's page with everything hung on the unit (people,
//! vehicles, spaces, inspections, keeper): the desk's main working page.

use super::*;
use crate::console::forms::CommonCode;

// Units list of a community

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct UnitsQ {
    pub(super) building_id: String,
    pub(super) state: String,
    pub(super) use_kind: String,
    pub(super) unit_no: String,
    pub(super) after_id: String,
}

#[derive(Template)]
#[template(path = "registry/units.html")]
pub(super) struct UnitsPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) buildings: Vec<Building>,
    pub(super) q: UnitsQ,
    pub(super) units: Vec<UnitRow>,
    pub(super) next: Option<String>,
    pub(super) uses: Vec<Opt>,
    pub(super) states: Vec<Opt>,
    pub(super) export_href: String,
}

pub(super) async fn units_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    q: Result<Query<UnitsQ>, QueryRejection>,
) -> PageResult {
    let id = CommunityId(id);
    // A malformed query string shows the unfiltered page.
    let q = q.map(|Query(q)| q).unwrap_or_default();
    let c = registry::get_community(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let buildings = registry::list_buildings(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let l = u.locale;
    let mut s = Shell::of(&u);
    let filter = UnitFilter {
        community_id: Some(id),
        building_id: q.building_id.trim().parse().ok().map(BuildingId),
        state: opt(&q.state),
        use_kind: opt(&q.use_kind),
        unit_no: opt(&q.unit_no),
        after_id: q.after_id.trim().parse().ok(),
        limit: Some(LIST_PAGE),
    };
    let (units, status) = match registry::list_units(&st.core, &u.ctx, &filter).await {
        Ok(v) => (v, StatusCode::OK),
        Err(e) if is_form_error(&e) => {
            let status = describe(&e, l).0;
            s = s.with_error(&e);
            (Vec::new(), status)
        }
        Err(e) => return Err(PageError::new(&u, e)),
    };
    let next = (units.len() as i64 >= LIST_PAGE).then(|| units.last().map(|x| x.id)).flatten().map(|last| {
        format!(
            "/communities/{id}/units?building_id={}&state={}&use_kind={}&unit_no={}&after_id={last}",
            urlencode(&q.building_id),
            urlencode(&q.state),
            urlencode(&q.use_kind),
            urlencode(&q.unit_no)
        )
    });
    let owners = import::unit_owner_labels(&st.core, &u.ctx, id)
        .await
        .or_page(&u)?;
    let units = units.iter().map(|x| unit_row(x, &owners, l)).collect();
    let p = UnitsPage {
        s,
        export_href: units_export_href(c.id, &q),
        c,
        buildings,
        q,
        units,
        next,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
    };
    Ok(with_status(page(&p), status))
}

// ---------------------------------------------------------------------------------------------
// Units

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct PersonInput {
    pub(super) name: String,
    pub(super) phone: String,
    pub(super) id_number: String,
    pub(super) relation: String,
    pub(super) is_key_customer: Option<String>,
    pub(super) key_customer_note: String,
    pub(super) note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct LinkInput {
    pub(super) person_id: String,
    pub(super) relation: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct VehicleInput {
    pub(super) plate: String,
    pub(super) brand: String,
    pub(super) color: String,
    pub(super) person_id: String,
    pub(super) space_id: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct SpaceInput {
    pub(super) code: String,
    pub(super) state: String,
    pub(super) unit_id: String,
    pub(super) person_id: String,
    pub(super) note: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct InspectionInput {
    pub(super) inspected_on: String,
    pub(super) findings: String,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct KeeperInput {
    pub(super) keeper_user_id: String,
}

/// The unit page's forms, each with what it shows.
pub(super) struct UnitForms {
    pub(super) edit: UnitInput,
    pub(super) keeper: KeeperInput,
    pub(super) person: PersonInput,
    pub(super) link: LinkInput,
    pub(super) vehicle: VehicleInput,
    pub(super) space: SpaceInput,
    pub(super) insp: InspectionInput,
}

/// The form of the unit page that was sent, with its input.
pub(super) enum UnitForm {
    None,
    Edit(UnitInput),
    Keeper(KeeperInput),
    Person(PersonInput),
    Link(LinkInput),
    Vehicle(VehicleInput),
    Space(SpaceInput),
    Inspection(InspectionInput),
    Delete,
}

impl UnitForms {
    fn new(u: &Unit, tz: Tz) -> Self {
        UnitForms {
            edit: UnitInput::of(u),
            keeper: KeeperInput {
                keeper_user_id: u
                    .keeper_user_id
                    .map(|k| k.0.to_string())
                    .unwrap_or_default(),
            },
            person: PersonInput {
                relation: Relation::Owner.code().into(),
                ..Default::default()
            },
            link: LinkInput {
                relation: Relation::Owner.code().into(),
                ..Default::default()
            },
            vehicle: VehicleInput::default(),
            space: SpaceInput {
                state: SpaceState::Sold.code().into(),
                ..Default::default()
            },
            insp: InspectionInput {
                inspected_on: today(tz),
                findings: String::new(),
            },
        }
    }
    /// Puts the sent input in its form; the form's name.
    fn apply(&mut self, f: UnitForm) -> &'static str {
        match f {
            UnitForm::None => "",
            UnitForm::Edit(x) => {
                self.edit = x;
                "edit"
            }
            UnitForm::Keeper(x) => {
                self.keeper = x;
                "keeper"
            }
            UnitForm::Person(x) => {
                self.person = x;
                "person"
            }
            UnitForm::Link(x) => {
                self.link = x;
                "link"
            }
            UnitForm::Vehicle(x) => {
                self.vehicle = x;
                "vehicle"
            }
            UnitForm::Space(x) => {
                self.space = x;
                "space"
            }
            UnitForm::Inspection(x) => {
                self.insp = x;
                "inspection"
            }
            UnitForm::Delete => "delete",
        }
    }
}

/// A person linked to the unit, as the page shows them.
pub struct UnitPersonRow {
    pub link_id: i64,
    pub person_id: PersonId,
    pub name: String,
    pub relation: &'static str,
    pub phone: String,
    pub id_number: String,
    pub is_key_customer: bool,
    pub key_customer_note: String,
}

pub struct VehicleRow {
    pub id: VehicleId,
    pub plate: String,
    pub brand: String,
    pub color: String,
    pub person_id: Option<PersonId>,
    pub person_name: String,
    pub unit_id: Option<UnitId>,
    pub space_code: String,
}

pub(super) fn vehicle_row(v: &Vehicle) -> VehicleRow {
    VehicleRow {
        id: v.id,
        plate: v.plate.clone(),
        brand: text(&v.brand),
        color: text(&v.color),
        person_id: v.person_id,
        person_name: text(&v.person_name),
        unit_id: v.unit_id,
        space_code: text(&v.space_code),
    }
}

pub struct SpaceRow {
    pub id: ParkingSpaceId,
    pub code: String,
    pub state: String,
    pub unit_id: Option<UnitId>,
    pub person_id: Option<PersonId>,
    pub holder_name: String,
    pub note: String,
}

pub(super) fn space_row(p: &ParkingSpace, l: Locale) -> SpaceRow {
    SpaceRow {
        id: p.id,
        code: p.code.clone(),
        state: label_code(SpaceState::ALL, &p.state, l),
        unit_id: p.unit_id,
        person_id: p.person_id,
        holder_name: text(&p.holder_name),
        note: text(&p.note),
    }
}

pub struct InspectionRow {
    pub inspected_on: NaiveDate,
    pub inspector: String,
    pub findings: String,
}

pub(super) fn inspection_row(i: &VacantInspection) -> InspectionRow {
    InspectionRow {
        inspected_on: i.inspected_on,
        inspector: text(&i.inspector_name),
        findings: i.findings.clone(),
    }
}

#[derive(Template)]
#[template(path = "registry/unit.html")]
pub(super) struct UnitPage {
    pub(super) s: Shell,
    pub(super) c: Community,
    pub(super) unit: Unit,
    pub(super) use_label: &'static str,
    pub(super) state_label: &'static str,
    pub(super) is_vacant: bool,
    pub(super) people: Vec<UnitPersonRow>,
    pub(super) vehicles: Vec<VehicleRow>,
    pub(super) spaces: Vec<SpaceRow>,
    pub(super) inspections: Vec<InspectionRow>,
    pub(super) history: Vec<HistoryRow>,
    pub(super) f: UnitForms,
    pub(super) uses: Vec<Opt>,
    pub(super) states: Vec<Opt>,
    pub(super) relations: Vec<Opt>,
    pub(super) space_states: Vec<Opt>,
    pub(super) fe: FormErr,
    /// Its requests, what it owes, who may keep it.
    pub(super) hub: UnitHub,
}

pub(super) async fn render_unit(
    st: &AppState,
    u: &ConsoleUser,
    id: UnitId,
    form: UnitForm,
    err: Option<CoreError>,
) -> PageResult {
    let d = registry::unit_detail(&st.core, &u.ctx, id)
        .await
        .or_page(u)?;
    let c = registry::get_community(&st.core, &u.ctx, d.unit.community_id)
        .await
        .or_page(u)?;
    let l = u.locale;
    let tz = tz_of(&c);
    let names = history_names(st, u, &d.history, &d.people).await;
    let mut f = UnitForms::new(&d.unit, tz);
    let name = f.apply(form);
    let (s, fe, status) = shell_for(u, name, err);
    let people = d
        .people
        .iter()
        .map(|p| UnitPersonRow {
            link_id: p.link_id,
            person_id: p.person.id,
            name: p.person.name.clone(),
            relation: label(Relation::ALL, &p.relation, l),
            phone: text(&p.person.phone),
            id_number: text(&p.person.id_number),
            is_key_customer: p.person.is_key_customer,
            key_customer_note: text(&p.person.key_customer_note),
        })
        .collect();
    let today = Utc::now().with_timezone(&tz).date_naive();
    let hub = unit_hub(st, u, &d.unit, tz, today).await;
    let p = UnitPage {
        hub,
        s,
        use_label: label(UnitUse::ALL, &d.unit.use_kind, l),
        state_label: label(UnitState::ALL, &d.unit.state, l),
        is_vacant: d.unit.state == UnitState::Vacant,
        people,
        vehicles: d.vehicles.iter().map(vehicle_row).collect(),
        spaces: d.parking.iter().map(|x| space_row(x, l)).collect(),
        inspections: d.inspections.iter().map(inspection_row).collect(),
        history: history_rows(&d.history, UNIT_FIELDS, tz, l, &names),
        unit: d.unit,
        c,
        f,
        uses: options(UnitUse::ALL, l),
        states: options(UnitState::ALL, l),
        relations: options(Relation::ALL, l),
        space_states: options(SpaceState::ALL, l),
        fe,
    };
    Ok(with_status(page(&p), status))
}

/// After a unit-page form: back to the unit, or the page again with the error.
pub(super) async fn unit_done<T>(
    st: &AppState,
    u: &ConsoleUser,
    id: UnitId,
    res: CoreResult<T>,
    form: UnitForm,
) -> PageResult {
    match res {
        Ok(_) => Ok(said(st, u, &format!("/units/{id}"), "flash.saved", "")),
        Err(e) if is_form_error(&e) => render_unit(st, u, id, form, Some(e)).await,
        Err(e) => Err(PageError::new(u, e)),
    }
}

pub(super) async fn unit_page(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
) -> PageResult {
    render_unit(&st, &u, UnitId(id), UnitForm::None, None).await
}

pub(super) async fn unit_update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<UnitInput>,
) -> PageResult {
    let id = UnitId(id);
    let mut errs = Vec::new();
    let floor = required_int(&mut errs, "floor", &f.floor);
    let input = UnitForUpdate {
        unit_no: Some(f.unit_no.clone()),
        floor,
        building_area: Some(Decimal::Text(f.building_area.clone())),
        // Empty clears the inner area.
        inner_area: Some(Decimal::Text(f.inner_area.clone())),
        use_kind: Some(f.use_kind.clone()),
        state: Some(f.state.clone()),
        keeper_user_id: None,
        note: Some(f.note.clone()),
    };
    let res = unless(errs, registry::update_unit(&st.core, &u.ctx, id, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Edit(f)).await
}

pub(super) async fn unit_keeper(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<KeeperInput>,
) -> PageResult {
    let id = UnitId(id);
    let mut errs = Vec::new();
    // Empty or 0 clears the keeper.
    let keeper = int(&mut errs, "keeper_user_id", &f.keeper_user_id).unwrap_or(0);
    let input = UnitForUpdate {
        keeper_user_id: Some(keeper),
        ..Default::default()
    };
    let res = unless(errs, registry::update_unit(&st.core, &u.ctx, id, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Keeper(f)).await
}

pub(super) async fn unit_delete(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let id = UnitId(id);
    let unit = registry::get_unit(&st.core, &u.ctx, id).await.or_page(&u)?;
    match registry::delete_unit(&st.core, &u.ctx, id).await {
        Ok(()) => Ok(said(
            &st,
            &u,
            &format!("/buildings/{}", unit.building_id),
            "flash.deleted",
            &format!("{}-{}", unit.building_name, unit.unit_no),
        )),
        Err(e) if is_form_error(&e) => render_unit(&st, &u, id, UnitForm::Delete, Some(e)).await,
        Err(e) => Err(PageError::new(&u, e)),
    }
}

pub(super) async fn unit_person_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<PersonInput>,
) -> PageResult {
    let id = UnitId(id);
    let unit = registry::get_unit(&st.core, &u.ctx, id).await.or_page(&u)?;
    let input = PersonForCreate {
        community_id: unit.community_id,
        name: f.name.clone(),
        phone: opt(&f.phone),
        id_number: opt(&f.id_number),
        is_key_customer: f.is_key_customer.is_some(),
        key_customer_note: opt(&f.key_customer_note),
        note: opt(&f.note),
        unit_id: Some(id),
        relation: Some(f.relation.clone()),
    };
    let res = registry::create_person(&st.core, &u.ctx, input).await;
    unit_done(&st, &u, id, res, UnitForm::Person(f)).await
}

pub(super) async fn unit_link(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<LinkInput>,
) -> PageResult {
    let id = UnitId(id);
    let unit = registry::get_unit(&st.core, &u.ctx, id).await.or_page(&u)?;
    // The person as the desk types him: a name, a full phone, or his number.
    let res = match registry::find_person(
        &st.core,
        &u.ctx,
        unit.community_id,
        "person_id",
        &f.person_id,
    )
    .await
    {
        Ok(person) => {
            let input = LinkForCreate {
                person_id: person,
                relation: f.relation.clone(),
            };
            registry::link_person(&st.core, &u.ctx, id, input).await
        }
        Err(e) => Err(e),
    };
    unit_done(&st, &u, id, res, UnitForm::Link(f)).await
}

pub(super) async fn unit_unlink(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(id, link): Ids,
    CsrfForm(_): CsrfForm<Empty>,
) -> PageResult {
    let id = UnitId(id);
    let res = registry::unlink_person(&st.core, &u.ctx, id, link).await;
    unit_done(&st, &u, id, res, UnitForm::None).await
}

pub(super) async fn unit_vehicle_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<VehicleInput>,
) -> PageResult {
    let id = UnitId(id);
    let unit = registry::get_unit(&st.core, &u.ctx, id).await.or_page(&u)?;
    let mut errs = Vec::new();
    let input = VehicleForCreate {
        community_id: unit.community_id,
        plate: f.plate.clone(),
        person_id: int(&mut errs, "person_id", &f.person_id).map(PersonId),
        unit_id: Some(id),
        space_id: int(&mut errs, "space_id", &f.space_id).map(ParkingSpaceId),
        brand: opt(&f.brand),
        color: opt(&f.color),
    };
    let res = unless(errs, registry::create_vehicle(&st.core, &u.ctx, input)).await;
    unit_done(&st, &u, id, res, UnitForm::Vehicle(f)).await
}

pub(super) async fn unit_space_create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<SpaceInput>,
) -> PageResult {
    let id = UnitId(id);
    let unit = registry::get_unit(&st.core, &u.ctx, id).await.or_page(&u)?;
    let input = ParkingSpaceForCreate {
        community_id: unit.community_id,
        code: f.code.clone(),
        state: f.state.clone(),
        unit_id: Some(id),
        person_id: None,
        note: opt(&f.note),
    };
    let res = registry::create_space(&st.core, &u.ctx, input).await;
    unit_done(&st, &u, id, res, UnitForm::Space(f)).await
}

pub(super) async fn unit_inspection(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(id): Id,
    CsrfForm(f): CsrfForm<InspectionInput>,
) -> PageResult {
    let id = UnitId(id);
    let mut errs = Vec::new();
    let day = match f.inspected_on.trim() {
        "" => {
            errs.push(FieldError::new("inspected_on", CommonCode::Required));
            None
        }
        t => match NaiveDate::parse_from_str(t, "%Y-%m-%d") {
            Ok(d) => Some(d),
            Err(_) => {
                errs.push(FieldError::new("inspected_on", CommonCode::InvalidDate));
                None
            }
        },
    };
    let res = match day {
        Some(d) if errs.is_empty() => {
            let input = InspectionForCreate {
                inspected_on: d,
                findings: f.findings.clone(),
            };
            registry::add_inspection(&st.core, &u.ctx, id, input)
                .await
                .map(|_| ())
        }
        _ => Err(CoreError::Invalid(errs)),
    };
    unit_done(&st, &u, id, res, UnitForm::Inspection(f)).await
}
