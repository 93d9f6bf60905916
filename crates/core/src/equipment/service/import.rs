//! The ledger's .xlsx import and its template: one item per row (编码, 名称, 系统, 类别, 位置, 楼栋,
//! 型号, 厂家, 供应商, 安装日期, 保修截止, 状态, 上级编码, 备注), all-or-nothing: every refused cell
//! is reported with its row and column, and then nothing is written. A parent is named by its
//! code: an item already in the ledger or one on an earlier row.

use calamine::Data;
use chrono::{Duration, NaiveDate, Utc};
use serde::Serialize;
use utoipa::ToSchema;

use super::{EquipmentForUpdate, check_item};
use crate::audit::{self, Action, Entry};
use crate::equipment::error::EquipmentCode;
use crate::equipment::model::System;
use crate::equipment::store;
use crate::shared::error::{CoreError, CoreResult, ErrorCode};
use crate::shared::ids::*;
use crate::shared::xlsx::{
    SheetError, declared_unpacked_size, first_sheet, write_header_row, xlsx_err,
};
use crate::{Core, Ctx, Perm};

/// The template's columns: header, the field it fills, width.
const COLUMNS: &[(&str, &str, f64)] = &[
    ("编码", "code", 14.0),
    ("名称", "name", 20.0),
    ("系统", "system", 16.0),
    ("类别", "category", 12.0),
    ("位置", "location", 20.0),
    ("楼栋", "building", 10.0),
    ("型号", "model", 14.0),
    ("厂家", "maker", 16.0),
    ("供应商", "supplier", 16.0),
    ("安装日期", "install_on", 12.0),
    ("保修截止", "warranty_until", 12.0),
    ("状态", "status", 10.0),
    ("上级编码", "parent", 12.0),
    ("备注", "notes", 20.0),
];

/// Largest workbook accepted, packed and unpacked.
const MAX_BYTES: usize = 5 * 1024 * 1024;
const MAX_UNPACKED: u64 = 50 * 1024 * 1024;
const MAX_ROWS: usize = 5000;

/// One refused cell of an import.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EquipmentImportError {
    /// The row in the sheet (the header is row 1).
    pub row: usize,
    /// The column's header (编码, 系统 …).
    pub column: String,
    pub field: String,
    pub code: String,
    pub params: Vec<(String, String)>,
}

/// What an import did: nothing when it has errors.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct EquipmentImportReport {
    pub rows: usize,
    pub created: usize,
    pub errors: Vec<EquipmentImportError>,
}

/// The import template: the headers and one example row.
pub fn equipment_template_xlsx() -> CoreResult<Vec<u8>> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("设备台账").map_err(xlsx_err)?;
    let headers: Vec<(&str, f64)> = COLUMNS.iter().map(|(h, _, w)| (*h, *w)).collect();
    write_header_row(ws, &headers)?;
    let example = [
        "GD-001",
        "1号变压器",
        "供配电",
        "变压器",
        "配电房",
        "",
        "SCB11-800",
        "某电气",
        "某设备公司",
        "2020-05-01",
        "2025-05-01",
        "正常运行",
        "",
        "",
    ];
    for (i, v) in example.iter().enumerate() {
        ws.write_string(1, i as u16, *v).map_err(xlsx_err)?;
    }
    let notes = wb.add_worksheet();
    notes.set_name("说明").map_err(xlsx_err)?;
    let systems: Vec<&str> = System::ALL.iter().map(|(_, _, zh, _)| *zh).collect();
    let lines = [
        "每行一台设备；编码在本小区内唯一；导入前请删除示例行。".to_string(),
        format!("系统：{}", systems.join("、")),
        "状态：正常运行、运行异常、维修中、已报废（空为正常运行）".to_string(),
        "日期写作 2026-03-01；上级编码填已有设备或本表前面行的编码（如水泵所在的泵房）。"
            .to_string(),
        "任何一行有错则整表不导入，错误会指出行号和列名。".to_string(),
    ];
    for (i, l) in lines.iter().enumerate() {
        notes.write_string(i as u32, 0, l).map_err(xlsx_err)?;
    }
    wb.save_to_buffer().map_err(xlsx_err)
}

fn text_of(d: Option<&Data>) -> Option<String> {
    match d {
        None | Some(Data::Empty) | Some(Data::Error(_)) => None,
        Some(Data::String(s)) => Some(s.trim().to_string()).filter(|s| !s.is_empty()),
        Some(Data::Int(i)) => Some(i.to_string()),
        Some(Data::Float(f)) if f.fract() == 0.0 && f.abs() < 1e15 => {
            Some(format!("{}", *f as i64))
        }
        Some(Data::Float(f)) => Some(f.to_string()),
        Some(Data::DateTime(x)) => {
            // Excel's serial day: days since 1899-12-30.
            let base = NaiveDate::from_ymd_opt(1899, 12, 30)?;
            Some((base + Duration::days(x.as_f64().floor() as i64)).to_string())
        }
        Some(other) => Some(other.to_string()),
    }
}

/// Imports the ledger of a community from .xlsx (needs `equipment.manage`): all rows or none.
pub async fn import_equipment(
    core: &Core,
    ctx: &Ctx,
    community: CommunityId,
    bytes: Vec<u8>,
) -> CoreResult<EquipmentImportReport> {
    ctx.require_in(Perm::EquipmentManage, community)?;
    let unreadable = || CoreError::invalid("file", EquipmentCode::ImportUnreadable);
    if bytes.len() > MAX_BYTES || declared_unpacked_size(&bytes).is_none_or(|n| n > MAX_UNPACKED) {
        return Err(unreadable());
    }
    let sheet = first_sheet(bytes).map_err(|e| match e {
        SheetError::NotXlsx | SheetError::NoSheet => unreadable(),
    })?;
    let mut rows = sheet.rows();
    let header = rows
        .next()
        .ok_or_else(|| CoreError::invalid("file", EquipmentCode::ImportEmpty))?;
    let cols: Vec<Option<usize>> = COLUMNS
        .iter()
        .map(|(h, _, _)| {
            header
                .iter()
                .position(|d| matches!(d, Data::String(s) if s.trim().trim_matches('*') == *h))
        })
        .collect();
    let get = |row: &[Data], field: &str| -> Option<String> {
        let i = COLUMNS.iter().position(|(_, f, _)| *f == field)?;
        text_of(cols[i].and_then(|c| row.get(c)))
    };
    let column_of = |field: &str| -> String {
        COLUMNS
            .iter()
            .find(|(_, f, _)| {
                *f == field
                    || (field == "building_id" && *f == "building")
                    || (field == "parent_id" && *f == "parent")
            })
            .map(|(h, _, _)| h.to_string())
            .unwrap_or_else(|| field.to_string())
    };
    let mut q = core.db.read();
    let buildings = crate::registry::store::for_community::buildings(&mut q, community).await?;
    drop(q);
    let mut report = EquipmentImportReport::default();
    let mut tx = core.db.begin().await?;
    let now = Utc::now();
    for (i, row) in rows.enumerate() {
        let n = i + 2;
        if row.iter().all(|d| text_of(Some(d)).is_none()) {
            continue;
        }
        report.rows += 1;
        if report.rows > MAX_ROWS {
            return Err(CoreError::invalid(
                "file",
                crate::shared::error::CommonCode::TooLarge,
            ));
        }
        let mut push = |field: &str, code: &str, params: Vec<(String, String)>| {
            report.errors.push(EquipmentImportError {
                row: n,
                column: column_of(field),
                field: field.to_string(),
                code: code.to_string(),
                params,
            });
        };
        let building_id = match get(row, "building") {
            Some(b) => match buildings.iter().find(|(_, name)| *name == b) {
                Some((id, _)) => Some(*id),
                None => {
                    push(
                        "building",
                        EquipmentCode::UnknownBuilding.as_str(),
                        Vec::new(),
                    );
                    continue;
                }
            },
            None => None,
        };
        let parent_id = match get(row, "parent") {
            Some(code) => match store::items::id_of_code(&mut tx, community, &code).await? {
                Some(id) => Some(id),
                None => {
                    push("parent", EquipmentCode::UnknownParent.as_str(), Vec::new());
                    continue;
                }
            },
            None => None,
        };
        let input = EquipmentForUpdate {
            system: get(row, "system").unwrap_or_default(),
            category: get(row, "category"),
            code: get(row, "code").unwrap_or_default(),
            name: get(row, "name").unwrap_or_default(),
            location: get(row, "location"),
            building_id,
            model: get(row, "model"),
            maker: get(row, "maker"),
            supplier: get(row, "supplier"),
            install_on: get(row, "install_on"),
            warranty_until: get(row, "warranty_until"),
            status: get(row, "status"),
            parent_id,
            notes: get(row, "notes"),
        };
        match check_item(&mut tx, community, &input, None).await {
            Ok(f) => {
                store::items::insert(&mut tx, community, &f, ctx.actor(), now).await?;
                report.created += 1;
            }
            Err(CoreError::Invalid(errs)) => {
                for e in errs {
                    let code = if e.code == EquipmentCode::DuplicateCode.as_str() {
                        EquipmentCode::ImportDuplicateCode.as_str()
                    } else {
                        e.code
                    };
                    push(
                        &e.field,
                        code,
                        e.params
                            .iter()
                            .map(|(k, v)| (k.to_string(), v.clone()))
                            .collect(),
                    );
                }
            }
            Err(e) => return Err(e),
        }
    }
    if report.rows == 0 {
        return Err(CoreError::invalid("file", EquipmentCode::ImportEmpty));
    }
    if !report.errors.is_empty() {
        // Nothing is written: the transaction is dropped.
        report.created = 0;
        return Ok(report);
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Import, "equipment", 0)
            .community(community)
            .after(&serde_json::json!({ "rows": report.rows, "created": report.created })),
    )
    .await?;
    tx.commit().await?;
    Ok(report)
}
