//! `wuye bench opening`: the opening-arrears import of a whole estate switching to wuye
//! (target: 600,000 lines — 100,000 units × 6 — in ≤ 30 s and ≤ 300 MB peak RSS), timed on the
//! import alone (parse, check, write, commit). The same target on either engine.

use std::time::Instant;

use rust_xlsxwriter::{Format, Workbook};
use wuye_core::billing::{self, FeeItemForSave};
use wuye_core::shared::ids::CommunityId;
use wuye_core::{Core, Ctx};

use super::data::{UNITS_PER_BUILDING, unit_no_of};
use super::populate::populate;
use super::report::{file_mib, mib_kb, pass, proc_status_kb};
use super::workdir::{Engine, WorkDir, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs};

/// Three fee items × two quarters of 2025: six lines a unit.
const ITEMS: [(&str, &str, &str); 3] = [
    ("WY", "物业费", "property"),
    ("TC", "停车费", "parking"),
    ("GT", "公摊费", "shared"),
];
const PERIODS: [(&str, &str, &str); 2] = [
    ("2025-07", "2025-09", "2025-07-15"),
    ("2025-10", "2025-12", "2025-10-15"),
];

async fn fee_items(core: &Core, ctx: &Ctx, c: CommunityId) -> AnyResult<()> {
    for (code, name, kind) in ITEMS {
        billing::save_fee_item(
            core,
            ctx,
            FeeItemForSave {
                community_id: c,
                code: code.into(),
                name: name.into(),
                kind: kind.into(),
                late_fee_rate: Some("0.05".into()),
                late_fee_grace_days: Some(10),
                late_fee_cap_pct: Some(100),
                active: Some(true),
            },
        )
        .await?;
    }
    Ok(())
}

/// The template filled in: every unit (as `12栋-1803`) × 3 items × 2 quarters; one line in
/// four part-paid, one in ten with an old late fee.
fn workbook(units: usize) -> AnyResult<Vec<u8>> {
    let mut wb = Workbook::new();
    let text = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    for (c, h) in [
        "房号",
        "收费项目",
        "账期起",
        "账期止",
        "原应缴日期",
        "金额",
        "已缴金额",
        "已计滞纳金",
        "备注",
    ]
    .iter()
    .enumerate()
    {
        ws.write_string(0, c as u16, *h)?;
    }
    let mut r = 1u32;
    for i in 0..units {
        let label = format!(
            "{}栋-{}",
            i / UNITS_PER_BUILDING + 1,
            unit_no_of(i % UNITS_PER_BUILDING).1
        );
        for (code, _, _) in ITEMS {
            for (from, to, due) in PERIODS {
                let amount = 300.0 + (r % 700) as f64 + 0.5;
                ws.write_string_with_format(r, 0, &label, &text)?;
                ws.write_string(r, 1, code)?;
                ws.write_string_with_format(r, 2, from, &text)?;
                ws.write_string_with_format(r, 3, to, &text)?;
                ws.write_string_with_format(r, 4, due, &text)?;
                ws.write_number(r, 5, amount)?;
                if r.is_multiple_of(4) {
                    ws.write_number(r, 6, 100.0)?;
                }
                if r.is_multiple_of(10) {
                    ws.write_number(r, 7, 12.34)?;
                }
                r += 1;
            }
        }
    }
    Ok(wb.save_to_buffer()?)
}

/// Runs `wuye bench opening --units N <flag> FILE` in a child process: a workbook of hundreds of
/// thousands of rows takes hundreds of MB to build, which the allocator would keep and the
/// import's peak RSS would wrongly include.
fn child(units: usize, flag: &str, file: &std::path::Path) -> AnyResult<()> {
    let status = std::process::Command::new(std::env::current_exe()?)
        .args(["bench", "opening", "--units", &units.to_string(), flag])
        .arg(file)
        .env_remove("WUYE_BENCH_DATABASE_URL")
        .env_remove("WUYE_DATABASE_URL")
        .stdout(std::process::Stdio::null())
        .status()?;
    if !status.success() {
        return Err(format!("generating {} failed", file.display()).into());
    }
    Ok(())
}

/// The child's part: writes the workbook and ends.
pub(super) fn generate_to(units: usize, file: &std::path::Path) -> AnyResult<()> {
    std::fs::write(file, workbook(units)?)?;
    Ok(())
}

pub(super) async fn bench_opening(
    units: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let lines = units * ITEMS.len() * PERIODS.len();
    println!(
        "== bench opening: {lines} opening-arrears lines of {units} units from .xlsx ({}) ==",
        engine.label()
    );
    let wd = WorkDir::new("opening", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let community = new_community(&core, company, "OPEN", "期初基准小区").await?;
    let ctx = Ctx::system(company);
    fee_items(&core, &ctx, community).await?;
    let t = Instant::now();
    populate(&core, &[community], units, units).await?;
    let pop_secs = t.elapsed().as_secs_f64();

    let t = Instant::now();
    // In a child process: a 600,000-row workbook takes hundreds of MB to build, which the
    // allocator would keep and the import's peak RSS would wrongly include.
    let file = wd.path.join("opening.xlsx");
    child(units, "--generate-to", &file)?;
    let gen_secs = t.elapsed().as_secs_f64();
    let bytes = std::fs::read(&file)?;
    // Resets the peak RSS (VmHWM) so it covers the import only.
    let hwm_reset = std::fs::write("/proc/self/clear_refs", "5").is_ok();
    let rss_before = proc_status_kb(None, "VmRSS:");

    let t = Instant::now();
    let report =
        billing::opening::import_opening_xlsx(&core, &ctx, community, &bytes, false, &|_, _| {})
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
    let target = 30.0 * lines as f64 / 600_000.0;
    // The whole process's peak: the registry populated before is in it too, as in a server.
    let mem_ok = hwm.is_some_and(|k| k <= 300 * 1024);
    let ok = secs <= target && mem_ok;
    println!("  units             {units} populated in {pop_secs:.1} s (not timed)");
    println!(
        "  workbook          {:.1} MiB, generated in {gen_secs:.1} s (not timed)",
        file_mib(&file)
    );
    println!(
        "  lines             {} (units {}, charges {}, late-fee charges {})",
        report.rows, report.units, report.charges_created, report.late_fee_charges_created
    );
    println!(
        "  import time       {secs:.2} s (import_opening_xlsx only: parse, check, write, commit)"
    );
    println!(
        "  rate              {:.0} lines/s",
        lines as f64 / secs.max(1e-9)
    );
    println!(
        "  peak RSS          {} ({}; {} before it)",
        mib_kb(hwm),
        if hwm_reset {
            "VmHWM during the import"
        } else {
            "VmHWM of the whole run"
        },
        mib_kb(rss_before)
    );
    println!(
        "  target            ≤ {target:.1} s and ≤ 300 MiB peak: {}",
        pass(ok)
    );
    if ok {
        Ok(())
    } else {
        Err(format!("opening target missed: {secs:.2} s, peak {}", mib_kb(hwm)).into())
    }
}
