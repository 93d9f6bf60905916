//! `wuye bench import`: the registry's spreadsheet import of a whole estate at once (target on
//! either engine: 100,000 units with owners in ≤ 10 s), timed on the import alone, with its peak
//! memory.

use std::time::Instant;

use rust_xlsxwriter::{Format, Workbook};
use wuye_core::Ctx;
use wuye_core::registry;

use super::data::{Names, Rng, UNITS_PER_BUILDING, id_number_of, phone_of, unit_no_of};
use super::report::{file_mib, mib_kb, pass, proc_status_kb};
use super::workdir::{Engine, WorkDir, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs};

const IMPORT_HEADERS: [&str; 11] = [
    "楼栋",
    "房号",
    "楼层",
    "建筑面积",
    "套内面积",
    "用途",
    "状态",
    "业主姓名",
    "业主电话",
    "证件号码",
    "备注",
];

/// A workbook like the import template filled in: `rows` units in buildings of 500, each with
/// an owner (name, mobile, ID number as text cells).
pub(super) fn import_workbook(rows: usize) -> AnyResult<Vec<u8>> {
    let names = Names::new();
    let mut rng = Rng(0x5EED_0001);
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name("房屋")?;
    for (c, h) in IMPORT_HEADERS.iter().enumerate() {
        ws.write_string(0, c as u16, *h)?;
    }
    const STATES: [&str; 4] = ["自住", "自住", "空置", "出租"];
    for i in 0..rows {
        let r = i as u32 + 1;
        let building = format!("{}栋", i / UNITS_PER_BUILDING + 1);
        let (floor, unit_no) = unit_no_of(i % UNITS_PER_BUILDING);
        let area_cents = 6_000 + rng.below(12_000); // 60.00 – 179.99 m²
        let inner_cents = area_cents * 78 / 100;
        ws.write_string(r, 0, &building)?;
        ws.write_string_with_format(r, 1, &unit_no, &text)?;
        ws.write_number(r, 2, floor as f64)?;
        ws.write_number(r, 3, area_cents as f64 / 100.0)?;
        ws.write_number(r, 4, inner_cents as f64 / 100.0)?;
        ws.write_string(r, 5, "住宅")?;
        ws.write_string(r, 6, STATES[rng.below(4) as usize])?;
        ws.write_string(r, 7, names.name(&mut rng))?;
        ws.write_string_with_format(r, 8, phone_of(i as u64), &text)?;
        ws.write_string_with_format(r, 9, id_number_of(i as u64), &text)?;
    }
    Ok(wb.save_to_buffer()?)
}

pub(super) async fn bench_import(
    rows: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    println!(
        "== bench import: {rows} units with owners from .xlsx ({}) ==",
        engine.label()
    );
    let wd = WorkDir::new("import", work)?;
    let t = Instant::now();
    // On its own thread, so the allocator can hand the generator's memory back when it ends
    // and the peak RSS below is the import's.
    let bytes = std::thread::spawn(move || import_workbook(rows).map_err(|e| e.to_string()))
        .join()
        .map_err(|_| "the workbook generator panicked")??;
    let file = wd.path.join("units.xlsx");
    std::fs::write(&file, &bytes)?;
    drop(bytes);
    let gen_secs = t.elapsed().as_secs_f64();
    let (core, company) = fresh_core(&wd, engine).await?;
    let community = new_community(&core, company, "BENCH", "基准小区").await?;
    let bytes = std::fs::read(&file)?;
    // Resets the peak RSS (VmHWM) so it covers the import only, not the workbook generation.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_status_kb(None, "VmRSS:");

    let t = Instant::now();
    let report = registry::import::import_units_xlsx(
        &core,
        &Ctx::system(company),
        community,
        &bytes,
        &|_, _| {},
    )
    .await?;
    let secs = t.elapsed().as_secs_f64();
    let hwm = proc_status_kb(None, "VmHWM:");
    core.db.close().await;
    if !report.errors.is_empty() {
        for e in report.errors.iter().take(5) {
            println!("  row {} [{}] {}", e.row, e.column, e.code);
        }
        return Err(format!(
            "the generated workbook was refused: {} errors",
            report.errors.len()
        )
        .into());
    }
    let target = 10.0 * rows as f64 / 100_000.0;
    let ok = secs <= target;
    println!(
        "  workbook          {:.1} MiB, generated in {gen_secs:.1} s (not timed)",
        file_mib(&file)
    );
    println!(
        "  rows              {} (buildings {}, units {}, people {})",
        report.rows, report.buildings_created, report.units_created, report.people_created
    );
    println!(
        "  import time       {secs:.2} s (import_units_xlsx only: parse, validate, write, commit)"
    );
    println!(
        "  rate              {:.0} rows/s",
        rows as f64 / secs.max(1e-9)
    );
    let above = match (hwm, rss_before) {
        (Some(h), Some(b)) if hwm_reset => format!(
            "; {} above the RSS before the import",
            mib_kb(Some(h.saturating_sub(b)))
        ),
        _ => String::new(),
    };
    println!(
        "  peak RSS          {} ({}{above})",
        mib_kb(hwm),
        if hwm_reset {
            "VmHWM during the import"
        } else {
            "VmHWM of the whole run, generation included"
        },
    );
    println!(
        "  target            ≤ {target:.1} s{}: {}",
        if rows == 100_000 {
            ""
        } else {
            " (10 s per 100,000 rows, scaled)"
        },
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("import target missed: {secs:.2} s > {target:.1} s").into())
    }
}
