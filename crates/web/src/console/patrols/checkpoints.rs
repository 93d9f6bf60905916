//! The checkpoints page (巡检点) of a community: the list (name, place, items, label version,
//! NFC tag, in use), one checkpoint's form with its check items in a fixed number of rows (no
//! script: a blank row is left out), the sheet of labels to print and a new label for one
//! checkpoint (the old one then proves no visit). The patrol service checks every field; a
//! refused form comes back with each message beside its field, the input kept.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::routing::{get, post};
use serde::Deserialize;
use wuye_core::CoreError;
use wuye_core::patrols::model::CheckKind;
use wuye_core::patrols::{self, Checkpoint, CheckpointForCreate, PatrolItem};
use wuye_core::shared::error::{CommonCode, FieldError};
use wuye_core::shared::ids::*;

use super::super::duty::Fields;
use super::super::flash::done;
use super::super::forms::{Opt, opts};
use super::super::{Id, Ids, OrPage, PageResult, Shell, file_response, page};
use super::{after_save, community_name};
use crate::AppState;
use crate::extract::{ConsoleUser, CsrfBody, CsrfForm};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/patrols/{community}/checkpoints", get(list).post(create))
        .route("/patrols/{community}/checkpoints/new", get(new))
        .route(
            "/patrols/{community}/checkpoints/{id}",
            get(edit).post(update),
        )
        .route(
            "/patrols/{community}/checkpoints/{id}/reprint",
            post(reprint),
        )
        .route("/patrols/{community}/labels", get(labels))
}

/// Rows of items the form always offers (more when a checkpoint has more).
const ITEM_ROWS: usize = 6;
/// Blank rows below a checkpoint's items.
const SPARE_ROWS: usize = 2;

pub struct Row {
    pub id: i64,
    pub name: String,
    pub location: String,
    pub items: usize,
    pub label_version: i64,
    pub nfc_tag: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "patrols/checkpoints.html")]
struct ListPage {
    s: Shell,
    community: i64,
    community_name: String,
    rows: Vec<Row>,
}

async fn list(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let list = patrols::checkpoints(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(&u)?;
    let rows = list
        .into_iter()
        .map(|k| Row {
            id: k.id.0,
            items: k.items.len(),
            name: k.name,
            location: k.location.unwrap_or_default(),
            label_version: k.label_version,
            nfc_tag: k.nfc_tag.unwrap_or_default(),
            active: k.active,
        })
        .collect();
    Ok(page(&ListPage {
        community_name: community_name(&st, &u, c).await?,
        s: Shell::of(&u),
        community: c,
        rows,
    }))
}

/// One item row of the form, as typed.
#[derive(Clone, Default)]
pub struct ItemForm {
    pub kind: String,
    pub label: String,
    pub unit: String,
    pub min: String,
    pub max: String,
    pub options: String,
    pub abnormal: String,
    pub required: bool,
    pub equipment: String,
    pub meter: String,
    /// The row's index among the items sent (blank rows are not sent): the service names its
    /// fields `items[n].…` by it.
    pub sent: Option<usize>,
}

impl ItemForm {
    /// The service's name of this row's field (empty for a row not sent).
    pub fn f(&self, name: &str) -> String {
        self.sent
            .map(|n| format!("items[{n}].{name}"))
            .unwrap_or_default()
    }
    fn is_blank(&self) -> bool {
        [
            &self.label,
            &self.unit,
            &self.min,
            &self.max,
            &self.options,
            &self.abnormal,
            &self.equipment,
            &self.meter,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// The checkpoint form, as typed.
#[derive(Clone, Default)]
pub struct CheckpointForm {
    pub name: String,
    pub location: String,
    /// The building's id ("" for none).
    pub building: String,
    pub lat: String,
    pub lng: String,
    pub radius_m: String,
    pub nfc_tag: String,
    pub active: bool,
    pub items: Vec<ItemForm>,
}

fn text(v: &Option<String>) -> String {
    v.clone().unwrap_or_default()
}

fn form_of(k: &Checkpoint) -> CheckpointForm {
    CheckpointForm {
        name: k.name.clone(),
        location: text(&k.location),
        building: k.building_id.map(|b| b.to_string()).unwrap_or_default(),
        lat: k.lat.map(|v| v.to_string()).unwrap_or_default(),
        lng: k.lng.map(|v| v.to_string()).unwrap_or_default(),
        radius_m: k.radius_m.to_string(),
        nfc_tag: text(&k.nfc_tag),
        active: k.active,
        items: k
            .items
            .iter()
            .map(|it| ItemForm {
                kind: it.kind.code().into(),
                label: it.label.clone(),
                unit: text(&it.unit),
                min: text(&it.min),
                max: text(&it.max),
                options: it.options.join("\n"),
                abnormal: it.abnormal_options.join("\n"),
                required: it.required,
                equipment: it.equipment_id.map(|e| e.to_string()).unwrap_or_default(),
                meter: text(&it.meter),
                sent: None,
            })
            .collect(),
    }
}

/// The posted form, and the input it makes for the service, or the fields that are no
/// number where one is wanted.
fn parse(body: &str) -> (CheckpointForm, Result<CheckpointForCreate, Vec<FieldError>>) {
    let fields = Fields::of(body);
    let get = |k: &str| fields.get(k);
    let rows: usize = get("rows").parse().unwrap_or(ITEM_ROWS).min(60);
    let mut form = CheckpointForm {
        name: get("name"),
        location: get("location"),
        building: get("building_id"),
        lat: get("lat"),
        lng: get("lng"),
        radius_m: get("radius_m"),
        nfc_tag: get("nfc_tag"),
        active: !get("active").is_empty(),
        items: Vec::new(),
    };
    let mut errs = Vec::new();
    let mut number = |field: &str, raw: &str| -> Option<f64> {
        if raw.is_empty() {
            return None;
        }
        raw.parse::<f64>()
            .ok()
            .filter(|v| v.is_finite())
            .or_else(|| {
                errs.push(FieldError::new(field, CommonCode::NotANumber));
                None
            })
    };
    let lat = number("lat", &form.lat);
    let lng = number("lng", &form.lng);
    let radius = number("radius_m", &form.radius_m).map(|r| r.round() as i64);
    let building = number("building_id", &form.building).map(|b| BuildingId(b as i64));
    let mut items = Vec::new();
    for i in 0..rows {
        let mut row = ItemForm {
            kind: get(&format!("kind{i}")),
            label: get(&format!("label{i}")),
            unit: get(&format!("unit{i}")),
            min: get(&format!("min{i}")),
            max: get(&format!("max{i}")),
            options: get(&format!("options{i}")),
            abnormal: get(&format!("abnormal{i}")),
            required: !get(&format!("required{i}")).is_empty(),
            equipment: get(&format!("equipment{i}")),
            meter: get(&format!("meter{i}")),
            sent: None,
        };
        if !row.is_blank() {
            let n = items.len();
            row.sent = Some(n);
            let kind = CheckKind::parse(&format!("items[{n}].kind"), &row.kind)
                .map_err(|e| errs.push(e))
                .unwrap_or(CheckKind::Ok);
            let equipment_id = match row.equipment.trim() {
                "" => None,
                e => e.parse::<i64>().ok().or_else(|| {
                    errs.push(FieldError::new(
                        format!("items[{n}].equipment_id"),
                        CommonCode::Invalid,
                    ));
                    None
                }),
            };
            let some = |s: &str| (!s.trim().is_empty()).then(|| s.trim().to_string());
            let lines = |s: &str| s.lines().map(str::to_string).collect();
            items.push(PatrolItem {
                id: None,
                kind,
                label: row.label.clone(),
                unit: some(&row.unit),
                min: some(&row.min),
                max: some(&row.max),
                options: lines(&row.options),
                abnormal_options: lines(&row.abnormal),
                required: row.required,
                equipment_id,
                meter: some(&row.meter),
            });
        }
        form.items.push(row);
    }
    let some = |s: &str| (!s.is_empty()).then(|| s.to_string());
    let input = CheckpointForCreate {
        name: form.name.clone(),
        location: some(&form.location),
        building_id: building,
        lat,
        lng,
        radius_m: radius,
        nfc_tag: some(&form.nfc_tag),
        active: Some(form.active),
        items,
    };
    (
        form,
        if errs.is_empty() {
            Ok(input)
        } else {
            Err(errs)
        },
    )
}

#[derive(Template)]
#[template(path = "patrols/checkpoint.html")]
struct FormPage {
    s: Shell,
    community: i64,
    community_name: String,
    /// 0: a new checkpoint.
    editing: i64,
    label_version: i64,
    f: CheckpointForm,
    kinds: Vec<Opt>,
    /// The community's equipment for a number's meter: (id, "code name").
    equipment: Vec<(String, String)>,
    /// The community's buildings: (id, name).
    buildings: Vec<(String, String)>,
}

async fn render(
    st: &AppState,
    u: &ConsoleUser,
    s: Shell,
    c: i64,
    editing: i64,
    label_version: i64,
    mut f: CheckpointForm,
) -> PageResult {
    // Only a manager gets the form: the service's check, before anything is shown.
    patrols::checkpoints(&st.core, &u.ctx, CommunityId(c))
        .await
        .or_page(u)?;
    let community_name = community_name(st, u, c).await?;
    // The ledger is offered only to those who may read it; the field then takes an id.
    let equipment =
        wuye_core::equipment::list_equipment(&st.core, &u.ctx, CommunityId(c), &Default::default())
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|e| (e.id.0.to_string(), format!("{} {}", e.code, e.name)))
            .collect();
    let mut buildings: Vec<(String, String)> =
        wuye_core::registry::list_buildings(&st.core, &u.ctx, CommunityId(c))
            .await
            .unwrap_or_default()
            .into_iter()
            .map(|b| (b.id.to_string(), b.name))
            .collect();
    // A building the user may not list is kept as it is rather than dropped on saving.
    if !f.building.is_empty() && !buildings.iter().any(|(id, _)| *id == f.building) {
        buildings.push((f.building.clone(), format!("#{}", f.building)));
    }
    let want = f.items.len().max(ITEM_ROWS).max(f.items.len() + SPARE_ROWS);
    f.items.resize_with(want, || ItemForm {
        kind: CheckKind::Ok.code().into(),
        ..Default::default()
    });
    Ok(page(&FormPage {
        kinds: opts(CheckKind::ALL, u.locale),
        s,
        community: c,
        community_name,
        editing,
        label_version,
        f,
        equipment,
        buildings,
    }))
}

async fn new(State(st): State<AppState>, u: ConsoleUser, Id(c): Id) -> PageResult {
    let f = CheckpointForm {
        radius_m: "50".into(),
        active: true,
        ..Default::default()
    };
    render(&st, &u, Shell::of(&u), c, 0, 0, f).await
}

async fn edit(State(st): State<AppState>, u: ConsoleUser, Ids(c, id): Ids) -> PageResult {
    let k = patrols::checkpoint(&st.core, &u.ctx, CommunityId(c), CheckpointId(id))
        .await
        .or_page(&u)?;
    render(&st, &u, Shell::of(&u), c, id, k.label_version, form_of(&k)).await
}

async fn saved(
    st: &AppState,
    u: &ConsoleUser,
    c: i64,
    editing: i64,
    form: CheckpointForm,
    r: Result<Checkpoint, CoreError>,
) -> PageResult {
    let to = |k: &Checkpoint| {
        (
            format!("/patrols/{c}/checkpoints#cp-{}", k.id),
            k.name.clone(),
        )
    };
    after_save(st, u, r, to, |s| async move {
        let version = if editing > 0 {
            patrols::checkpoint(&st.core, &u.ctx, CommunityId(c), CheckpointId(editing))
                .await
                .map(|k| k.label_version)
                .unwrap_or(0)
        } else {
            0
        };
        render(st, u, s, c, editing, version, form).await
    })
    .await
}

async fn create(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(c): Id,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => patrols::create_checkpoint(&st.core, &u.ctx, CommunityId(c), input).await,
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, 0, form, r).await
}

async fn update(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(c, id): Ids,
    CsrfBody(body): CsrfBody,
) -> PageResult {
    let (form, input) = parse(&body);
    let r = match input {
        Ok(input) => {
            patrols::update_checkpoint(&st.core, &u.ctx, CommunityId(c), CheckpointId(id), input)
                .await
        }
        Err(errs) => Err(CoreError::Invalid(errs)),
    };
    saved(&st, &u, c, id, form, r).await
}

#[derive(Deserialize, Default)]
struct Nothing {}

async fn reprint(
    State(st): State<AppState>,
    u: ConsoleUser,
    Ids(c, id): Ids,
    CsrfForm(_): CsrfForm<Nothing>,
) -> PageResult {
    let version = patrols::reprint_label(&st.core, &u.ctx, CommunityId(c), CheckpointId(id))
        .await
        .or_page(&u)?;
    Ok(done(
        &st,
        &u,
        &format!("/patrols/{c}/checkpoints#cp-{id}"),
        u.locale
            .t("pc.reprinted")
            .replace("{version}", &version.to_string()),
    ))
}

#[derive(Deserialize, Default)]
struct LabelsQ {
    /// "1,2,3": these checkpoints only.
    ids: Option<String>,
}

/// The sheet of labels (PDF): every checkpoint in use, or those asked for.
async fn labels(
    State(st): State<AppState>,
    u: ConsoleUser,
    Id(c): Id,
    Query(q): Query<LabelsQ>,
) -> PageResult {
    let ids: Vec<CheckpointId> = q
        .ids
        .as_deref()
        .unwrap_or("")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .map(CheckpointId)
        .collect();
    let bytes = patrols::labels_pdf(&st.core, &u.ctx, CommunityId(c), &ids)
        .await
        .or_page(&u)?;
    Ok(file_response(
        "application/pdf".into(),
        &format!("patrol-labels-{c}.pdf"),
        bytes,
    ))
}
