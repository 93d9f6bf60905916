//! .xlsx exports of the registry lists: units and people (with the import template's columns;
//! `registry::import` re-exports them), buildings, vehicles, parking spaces, key customers, and
//! vacant units with their keeper and last inspection.
//!
//! Each export is an async function that gathers one community's rows — `registry.read` in that
//! community; another community is not found — and a pure builder that writes the sheet, so the
//! sheets are tested without a database. Nothing is truncated: an export holds every row, unlike
//! the pages, which stop at a few thousand. Phones leave masked (`mask_phone`), and any phone or
//! ID number typed into free text (notes, findings) is masked as well.

use std::collections::HashMap;

use chrono::NaiveDate;
use rust_xlsxwriter::{Format, Workbook};

use crate::Core;
use crate::shared::crypto::{mask_id_number, mask_phone};
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::Area;
use crate::shared::xlsx::{write_header_row, xlsx_err};

use super::import::{
    BUILDING, BUILDING_AREA, COLUMNS, FLOOR, INNER_AREA, NOTE, STATE, UNIT_NO, USE_KIND,
};
use super::model::*;
use super::service::{get_community, list_buildings, list_people};
use super::store;
use super::store::export::HeldBy;

// ---------------------------------------------------------------------------------------------
// Rows

/// A vehicle as the export lists it: owner's phone masked, unit as its label ("1栋-1801").
#[derive(Debug, Clone, Default)]
pub struct VehicleLine {
    pub plate: String,
    pub brand: Option<String>,
    pub color: Option<String>,
    pub owner: Option<String>,
    pub owner_phone: Option<String>,
    pub unit: Option<String>,
    pub space: Option<String>,
}

/// A parking space as the export lists it: holder's phone masked, unit as its label.
#[derive(Debug, Clone, Default)]
pub struct SpaceLine {
    pub code: String,
    pub state: String,
    pub unit: Option<String>,
    pub holder: Option<String>,
    pub holder_phone: Option<String>,
    pub note: Option<String>,
}

/// A vacant unit (空置房) with its owners ("张三 138****5678"), keeper and last inspection.
#[derive(Debug, Clone)]
pub struct VacantUnitLine {
    pub building: String,
    pub unit_no: String,
    pub floor: i64,
    pub building_area: Area,
    pub owners: Vec<String>,
    pub keeper: Option<String>,
    pub last_inspected_on: Option<NaiveDate>,
    pub last_findings: Option<String>,
    pub note: Option<String>,
}

// ---------------------------------------------------------------------------------------------
// Gathering and exporting

/// The community (of the actor's company, in reach) and `registry.read` in it.
async fn readable(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<()> {
    ctx.require_in(Perm::RegistryRead, community)?;
    get_community(core, ctx, community).await.map(|_| ())
}

/// Masked phones of the given people (those without a phone are absent).
async fn masked_phones(
    core: &Core,
    community: CommunityId,
    of: HeldBy,
) -> CoreResult<HashMap<PersonId, String>> {
    let rows = store::export::holder_phones(&core.db, community, of).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, enc)| {
            let clear = core.crypto.decrypt(&enc?).ok()?;
            Some((id, mask_phone(&clear)))
        })
        .collect())
}

/// Labels ("1栋-1801") of the units the rows of `of` point at.
async fn unit_labels(
    core: &Core,
    community: CommunityId,
    of: HeldBy,
) -> CoreResult<HashMap<UnitId, String>> {
    let rows = store::export::held_units(&core.db, community, of).await?;
    Ok(rows
        .into_iter()
        .map(|(id, b, u)| (id, format!("{b}-{u}")))
        .collect())
}

/// Writes the workbook off the async threads: a large sheet is CPU work.
async fn off_thread(
    f: impl FnOnce() -> CoreResult<Vec<u8>> + Send + 'static,
) -> CoreResult<Vec<u8>> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(CoreError::internal)?
}

/// The community's buildings as .xlsx.
pub async fn buildings_xlsx(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Vec<u8>> {
    readable(core, ctx, community).await?;
    let rows = list_buildings(core, ctx, community).await?;
    off_thread(move || buildings_sheet(&rows)).await
}

/// Every vehicle of the community, by plate, for [`vehicles_sheet`].
pub async fn vehicle_lines(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<VehicleLine>> {
    readable(core, ctx, community).await?;
    let vehicles = store::export::vehicles(&core.db, community).await?;
    let phones = masked_phones(core, community, HeldBy::Vehicles).await?;
    let units = unit_labels(core, community, HeldBy::Vehicles).await?;
    Ok(vehicles
        .into_iter()
        .map(|v| VehicleLine {
            owner_phone: v.person_id.and_then(|p| phones.get(&p).cloned()),
            unit: v.unit_id.and_then(|u| units.get(&u).cloned()),
            plate: v.plate,
            brand: v.brand,
            color: v.color,
            owner: v.person_name,
            space: v.space_code,
        })
        .collect())
}

/// The community's vehicles as .xlsx.
pub async fn vehicles_xlsx(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Vec<u8>> {
    let rows = vehicle_lines(core, ctx, community).await?;
    off_thread(move || vehicles_sheet(&rows)).await
}

/// Every parking space of the community, by code, for [`spaces_sheet`].
pub async fn space_lines(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<SpaceLine>> {
    readable(core, ctx, community).await?;
    let spaces = store::export::spaces(&core.db, community).await?;
    let phones = masked_phones(core, community, HeldBy::ParkingSpaces).await?;
    let units = unit_labels(core, community, HeldBy::ParkingSpaces).await?;
    Ok(spaces
        .into_iter()
        .map(|s| SpaceLine {
            holder_phone: s.person_id.and_then(|p| phones.get(&p).cloned()),
            unit: s.unit_id.and_then(|u| units.get(&u).cloned()),
            code: s.code,
            state: s.state,
            holder: s.holder_name,
            note: s.note,
        })
        .collect())
}

/// The community's parking spaces as .xlsx.
pub async fn spaces_xlsx(core: &Core, ctx: &Ctx, community: CommunityId) -> CoreResult<Vec<u8>> {
    let rows = space_lines(core, ctx, community).await?;
    off_thread(move || spaces_sheet(&rows)).await
}

/// The community's key customers (重点客户) as .xlsx.
pub async fn key_customers_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<u8>> {
    readable(core, ctx, community).await?;
    const PAGE: i64 = 10_000;
    let mut people = Vec::new();
    let mut after = None;
    loop {
        let f = super::service::PersonFilter {
            community_id: Some(community),
            key_customers_only: Some(true),
            after_id: after,
            limit: Some(PAGE),
            ..Default::default()
        };
        let page = list_people(core, ctx, &f).await?;
        let done = (page.len() as i64) < PAGE;
        after = page.last().map(|p| p.id.0);
        people.extend(page);
        if done {
            break;
        }
    }
    off_thread(move || key_customers_sheet(&people)).await
}

/// Every vacant unit of the community, by building and number, for [`vacant_units_sheet`].
pub async fn vacant_unit_lines(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<VacantUnitLine>> {
    readable(core, ctx, community).await?;
    let vacant = UnitState::Vacant.code();
    let units = store::export::units_in_state(&core.db, community, vacant).await?;
    // Newest first per unit: the first seen is the last inspection.
    let inspections =
        store::export::inspections_of_units_in_state(&core.db, community, vacant).await?;
    let mut last: HashMap<UnitId, (NaiveDate, String)> = HashMap::new();
    for (unit, day, findings) in inspections {
        last.entry(unit).or_insert((day, findings));
    }
    let mut owners = unit_owner_labels(core, ctx, community).await?;
    Ok(units
        .into_iter()
        .map(|u| {
            let (day, findings) = last.remove(&u.id).unzip();
            VacantUnitLine {
                owners: owners.remove(&u.id).unwrap_or_default(),
                building: u.building_name,
                unit_no: u.unit_no,
                floor: u.floor,
                building_area: Area(u.building_area),
                keeper: u.keeper_name,
                last_inspected_on: day,
                last_findings: findings,
                note: u.note,
            }
        })
        .collect())
}

/// The community's vacant units with keeper and last inspection as .xlsx.
pub async fn vacant_units_xlsx(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<Vec<u8>> {
    let rows = vacant_unit_lines(core, ctx, community).await?;
    off_thread(move || vacant_units_sheet(&rows)).await
}

// ---------------------------------------------------------------------------------------------
// Units and people

/// Masks every clear phone or ID number inside free text (runs of 7+ digits; 18-character ID
/// numbers ending in X included), so an export cannot leak one whatever the caller passes in.
/// Masked text ("138****5678") passes unchanged. Shared with the other exports.
pub fn mask_numbers(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut out = String::with_capacity(s.len());
    let mut i = 0;
    while i < chars.len() {
        if !chars[i].is_ascii_digit() {
            out.push(chars[i]);
            i += 1;
            continue;
        }
        let start = i;
        while i < chars.len() && chars[i].is_ascii_digit() {
            i += 1;
        }
        if i - start == 17 && chars.get(i).is_some_and(|c| matches!(c, 'X' | 'x')) {
            i += 1;
        }
        let run: String = chars[start..i].iter().collect();
        if run.len() >= 15 {
            out.push_str(&mask_id_number(&run));
        } else if run.len() >= 7 {
            out.push_str(&mask_phone(&run));
        } else {
            out.push_str(&run);
        }
    }
    out
}

fn area_number(a: Area) -> f64 {
    a.0 as f64 / 100.0
}

/// The owners of each unit of a community as export labels: "张三 138****5678" (phone masked,
/// omitted when unknown), in link order. For [`export_units_xlsx`].
pub async fn unit_owner_labels(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
) -> CoreResult<HashMap<UnitId, Vec<String>>> {
    ctx.require_in(Perm::RegistryRead, community)?;
    let rows = store::export::owner_links(&core.db, community, Relation::Owner.code()).await?;
    let mut out: HashMap<UnitId, Vec<String>> = HashMap::new();
    for (unit, name, phone) in rows {
        let label = match phone.and_then(|b| core.crypto.decrypt(&b).ok()) {
            Some(p) => format!("{name} {}", mask_phone(&p)),
            None => name,
        };
        out.entry(unit).or_default().push(label);
    }
    Ok(out)
}

/// .xlsx of units: one row each, the template's unit columns with Chinese headers and labels,
/// the owners (as given, e.g. by [`unit_owner_labels`]) joined with "、" in one 业主 column;
/// any clear phone or ID number in them is masked.
pub fn export_units_xlsx(
    units: &[Unit],
    owners: &HashMap<UnitId, Vec<String>>,
) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("房屋").map_err(xlsx_err)?;
    write_header_row(
        ws,
        &[
            (COLUMNS[BUILDING].header, 10.0),
            (COLUMNS[UNIT_NO].header, 10.0),
            (COLUMNS[FLOOR].header, 8.0),
            (COLUMNS[BUILDING_AREA].header, 12.0),
            (COLUMNS[INNER_AREA].header, 12.0),
            (COLUMNS[USE_KIND].header, 8.0),
            (COLUMNS[STATE].header, 8.0),
            ("业主", 30.0),
            (COLUMNS[NOTE].header, 20.0),
        ],
    )?;
    let area = Format::new().set_num_format("0.00");
    for (i, u) in units.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, u.building_name.as_str())
            .map_err(xlsx_err)?;
        ws.write_string(r, 1, u.unit_no.as_str())
            .map_err(xlsx_err)?;
        ws.write_number(r, 2, u.floor as f64).map_err(xlsx_err)?;
        ws.write_number_with_format(r, 3, area_number(u.building_area), &area)
            .map_err(xlsx_err)?;
        if let Some(a) = u.inner_area {
            ws.write_number_with_format(r, 4, area_number(a), &area)
                .map_err(xlsx_err)?;
        }
        ws.write_string(r, 5, u.use_kind.zh()).map_err(xlsx_err)?;
        ws.write_string(r, 6, u.state.zh()).map_err(xlsx_err)?;
        if let Some(o) = owners.get(&u.id).filter(|o| !o.is_empty()) {
            let joined: Vec<String> = o.iter().map(|s| mask_numbers(s)).collect();
            ws.write_string(r, 7, joined.join("、")).map_err(xlsx_err)?;
        }
        if let Some(n) = &u.note {
            ws.write_string(r, 8, mask_numbers(n)).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// .xlsx of people: name, masked phone, masked ID number, key customer 是/否, units, note.
pub fn export_people_xlsx(people: &[Person]) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("人员").map_err(xlsx_err)?;
    write_header_row(
        ws,
        &[
            ("姓名", 12.0),
            ("电话", 16.0),
            ("证件号码", 22.0),
            ("重点客户", 10.0),
            ("房屋", 30.0),
            ("备注", 20.0),
        ],
    )?;
    for (i, p) in people.iter().enumerate() {
        let r = i as u32 + 1;
        ws.write_string(r, 0, p.name.as_str()).map_err(xlsx_err)?;
        // `Person` carries masked values already; masking again is idempotent and guards a
        // caller that filled in clear ones.
        if let Some(ph) = &p.phone {
            ws.write_string(r, 1, mask_phone(ph)).map_err(xlsx_err)?;
        }
        if let Some(id) = &p.id_number {
            ws.write_string(r, 2, mask_id_number(id))
                .map_err(xlsx_err)?;
        }
        ws.write_string(r, 3, if p.is_key_customer { "是" } else { "否" })
            .map_err(xlsx_err)?;
        let units: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
        ws.write_string(r, 4, units.join("、")).map_err(xlsx_err)?;
        if let Some(n) = &p.note {
            ws.write_string(r, 5, mask_numbers(n)).map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

// ---------------------------------------------------------------------------------------------
// Sheets

/// One cell of a sheet.
enum Cell {
    Text(String),
    Int(i64),
    Area(Area),
    Empty,
}

fn text(s: &str) -> Cell {
    Cell::Text(s.to_string())
}

/// Optional free text, with any phone or ID number in it masked.
fn free(s: &Option<String>) -> Cell {
    s.as_deref()
        .map_or(Cell::Empty, |s| Cell::Text(mask_numbers(s)))
}

/// An optional phone, masked whatever the caller passed.
fn phone(s: &Option<String>) -> Cell {
    s.as_deref()
        .map_or(Cell::Empty, |s| Cell::Text(mask_phone(s)))
}

fn opt(s: &Option<String>) -> Cell {
    s.as_deref().map_or(Cell::Empty, text)
}

/// A one-sheet workbook: a bold header row (frozen), then the rows.
fn sheet(name: &str, headers: &[(&str, f64)], rows: Vec<Vec<Cell>>) -> CoreResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(name).map_err(xlsx_err)?;
    write_header_row(ws, headers)?;
    let area = Format::new().set_num_format("0.00");
    for (i, row) in rows.into_iter().enumerate() {
        let r = i as u32 + 1;
        for (c, cell) in row.into_iter().enumerate() {
            let c = c as u16;
            match cell {
                Cell::Text(s) => ws.write_string(r, c, s).map(|_| ()),
                Cell::Int(n) => ws.write_number(r, c, n as f64).map(|_| ()),
                Cell::Area(a) => ws
                    .write_number_with_format(r, c, a.0 as f64 / 100.0, &area)
                    .map(|_| ()),
                Cell::Empty => Ok(()),
            }
            .map_err(xlsx_err)?;
        }
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

/// 楼栋, 层数, 房屋数, 备注.
pub fn buildings_sheet(buildings: &[Building]) -> CoreResult<Vec<u8>> {
    let rows = buildings
        .iter()
        .map(|b| {
            vec![
                text(&b.name),
                b.floors.map_or(Cell::Empty, Cell::Int),
                Cell::Int(b.unit_count),
                free(&b.note),
            ]
        })
        .collect();
    sheet(
        "楼栋",
        &[
            ("楼栋", 12.0),
            ("层数", 8.0),
            ("房屋数", 10.0),
            ("备注", 30.0),
        ],
        rows,
    )
}

/// 车牌号, 品牌, 颜色, 车主, 车主电话 (masked), 房屋, 车位.
pub fn vehicles_sheet(vehicles: &[VehicleLine]) -> CoreResult<Vec<u8>> {
    let rows = vehicles
        .iter()
        .map(|v| {
            vec![
                text(&v.plate),
                opt(&v.brand),
                opt(&v.color),
                opt(&v.owner),
                phone(&v.owner_phone),
                opt(&v.unit),
                opt(&v.space),
            ]
        })
        .collect();
    sheet(
        "车辆",
        &[
            ("车牌号", 12.0),
            ("品牌", 12.0),
            ("颜色", 8.0),
            ("车主", 12.0),
            ("车主电话", 16.0),
            ("房屋", 14.0),
            ("车位", 10.0),
        ],
        rows,
    )
}

/// 车位编号, 状态 (已售/出租/临时/空闲), 房屋, 使用人, 使用人电话 (masked), 备注.
pub fn spaces_sheet(spaces: &[SpaceLine]) -> CoreResult<Vec<u8>> {
    let rows = spaces
        .iter()
        .map(|s| {
            // The state as stored: an unknown one is an internal error, never shown raw.
            let state = SpaceState::from_stored(&s.state)?;
            Ok(vec![
                text(&s.code),
                text(state.zh()),
                opt(&s.unit),
                opt(&s.holder),
                phone(&s.holder_phone),
                free(&s.note),
            ])
        })
        .collect::<CoreResult<_>>()?;
    sheet(
        "车位",
        &[
            ("车位编号", 12.0),
            ("状态", 8.0),
            ("房屋", 14.0),
            ("使用人", 12.0),
            ("使用人电话", 16.0),
            ("备注", 30.0),
        ],
        rows,
    )
}

/// 姓名, 电话 (masked), 房屋, 重点客户说明, 备注.
pub fn key_customers_sheet(people: &[Person]) -> CoreResult<Vec<u8>> {
    let rows = people
        .iter()
        .map(|p| {
            let units: Vec<&str> = p.units.iter().map(|u| u.label.as_str()).collect();
            vec![
                text(&p.name),
                phone(&p.phone),
                Cell::Text(units.join("、")),
                free(&p.key_customer_note),
                free(&p.note),
            ]
        })
        .collect();
    sheet(
        "重点客户",
        &[
            ("姓名", 12.0),
            ("电话", 16.0),
            ("房屋", 24.0),
            ("重点客户说明", 30.0),
            ("备注", 24.0),
        ],
        rows,
    )
}

/// 楼栋, 房号, 楼层, 建筑面积, 业主, 看管人, 最近巡查日期, 最近巡查情况, 备注.
pub fn vacant_units_sheet(units: &[VacantUnitLine]) -> CoreResult<Vec<u8>> {
    let rows = units
        .iter()
        .map(|u| {
            let owners: Vec<String> = u.owners.iter().map(|o| mask_numbers(o)).collect();
            vec![
                text(&u.building),
                text(&u.unit_no),
                Cell::Int(u.floor),
                Cell::Area(u.building_area),
                Cell::Text(owners.join("、")),
                opt(&u.keeper),
                u.last_inspected_on.map_or(Cell::Empty, |d| {
                    Cell::Text(d.format("%Y-%m-%d").to_string())
                }),
                free(&u.last_findings),
                free(&u.note),
            ]
        })
        .collect();
    sheet(
        "空置房",
        &[
            ("楼栋", 10.0),
            ("房号", 10.0),
            ("楼层", 8.0),
            ("建筑面积", 12.0),
            ("业主", 30.0),
            ("看管人", 12.0),
            ("最近巡查日期", 14.0),
            ("最近巡查情况", 30.0),
            ("备注", 20.0),
        ],
        rows,
    )
}

#[cfg(test)]
mod tests {
    use std::io::Cursor;

    use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
    use chrono::Utc;

    use super::*;

    /// The first sheet's name and cells as text ("" for empty).
    fn read(bytes: Vec<u8>) -> (String, Vec<Vec<String>>) {
        let mut wb: Xlsx<_> = open_workbook_from_rs(Cursor::new(bytes)).unwrap();
        let name = wb.sheet_names()[0].clone();
        let range = wb.worksheet_range_at(0).unwrap().unwrap();
        let rows = range
            .rows()
            .map(|r| {
                r.iter()
                    .map(|d| match d {
                        Data::Empty => String::new(),
                        Data::Float(f) => f.to_string(),
                        d => d.to_string(),
                    })
                    .collect()
            })
            .collect();
        (name, rows)
    }

    #[test]
    fn free_text_numbers_are_masked() {
        assert_eq!(
            mask_numbers("业主电话13812345678，身份证11010519491231002X"),
            "业主电话138****5678，身份证110105********002X"
        );
        assert_eq!(mask_numbers("B2-017 号车位"), "B2-017 号车位");
        assert_eq!(mask_numbers("138****5678"), "138****5678");
    }

    #[test]
    fn vehicles_sheet_masks_the_owner_phone() {
        let (name, rows) = read(
            vehicles_sheet(&[VehicleLine {
                plate: "沪A12345".into(),
                color: Some("白".into()),
                owner: Some("张三".into()),
                owner_phone: Some("13812345678".into()),
                unit: Some("1栋-1801".into()),
                ..Default::default()
            }])
            .unwrap(),
        );
        assert_eq!(name, "车辆");
        assert_eq!(
            rows,
            vec![
                vec!["车牌号", "品牌", "颜色", "车主", "车主电话", "房屋", "车位"],
                vec!["沪A12345", "", "白", "张三", "138****5678", "1栋-1801", ""],
            ]
        );
    }

    #[test]
    fn spaces_sheet_labels_the_state_in_chinese() {
        let (_, rows) = read(
            spaces_sheet(&[SpaceLine {
                code: "B2-017".into(),
                state: "rented".into(),
                holder: Some("李四".into()),
                holder_phone: Some("13912345678".into()),
                note: Some("租期至年底，电话 13912345678".into()),
                ..Default::default()
            }])
            .unwrap(),
        );
        assert_eq!(
            rows[1],
            vec![
                "B2-017",
                "出租",
                "",
                "李四",
                "139****5678",
                "租期至年底，电话 139****5678"
            ]
        );
    }

    #[test]
    fn buildings_and_vacant_units_sheets() {
        let now = Utc::now();
        let (_, rows) = read(
            buildings_sheet(&[Building {
                id: BuildingId(1),
                community_id: CommunityId(1),
                name: "1栋".into(),
                floors: Some(18),
                note: None,
                unit_count: 72,
                created_at: now,
                updated_at: now,
            }])
            .unwrap(),
        );
        assert_eq!(rows[1], vec!["1栋", "18", "72", ""]);

        let (name, rows) = read(
            vacant_units_sheet(&[VacantUnitLine {
                building: "2栋".into(),
                unit_no: "1801".into(),
                floor: 18,
                building_area: Area(8950),
                owners: vec!["王五 13712345678".into(), "赵六".into()],
                keeper: Some("小李".into()),
                last_inspected_on: NaiveDate::from_ymd_opt(2026, 3, 5),
                last_findings: Some("门窗完好".into()),
                note: None,
            }])
            .unwrap(),
        );
        assert_eq!(name, "空置房");
        assert_eq!(rows[0][6], "最近巡查日期");
        assert_eq!(
            rows[1],
            vec![
                "2栋",
                "1801",
                "18",
                "89.5",
                "王五 137****5678、赵六",
                "小李",
                "2026-03-05",
                "门窗完好",
                ""
            ]
        );
    }
}
