//! `wuye import opening-prepaid|deposits|meter-baselines FILE --community CODE [--preview]`
//! and their `…-template FILE`: the switching imports from the command line, with a progress
//! bar, the same service (all rows or none, a per-row report) the API and the console call.

use std::path::{Path, PathBuf};
use std::time::Instant;

use indicatif::{ProgressBar, ProgressStyle};
use wuye_core::Ctx;
use wuye_core::billing::switch::{self, SwitchReport};

use crate::config::Resolved;
use crate::{AnyResult, community_by_ref, open, read_file};

#[derive(clap::Args)]
pub struct ImportArgs {
    pub file: PathBuf,
    /// Community code (e.g. YGHY) or id.
    #[arg(long)]
    pub community: String,
    /// Check every row and print what would be posted, writing nothing.
    #[arg(long)]
    pub preview: bool,
}

#[derive(Clone, Copy)]
pub enum Kind {
    OpeningPrepaid,
    Deposits,
    MeterBaselines,
}

/// Writes the import's template.
pub fn template(kind: Kind, file: &Path) -> AnyResult<()> {
    let bytes = match kind {
        Kind::OpeningPrepaid => switch::opening_prepaid_template()?,
        Kind::Deposits => switch::deposits_template()?,
        Kind::MeterBaselines => switch::meter_baselines_template()?,
    };
    std::fs::write(file, bytes)?;
    println!("template written to {}", file.display());
    Ok(())
}

/// Runs the import as the system user of the community's company; exits with 2 when a row is
/// wrong (nothing was written).
pub async fn import(r: &Resolved, kind: Kind, a: ImportArgs) -> AnyResult<()> {
    let core = open(r).await?;
    let (community, company) = community_by_ref(&core, &a.community).await?;
    let bytes = read_file(&a.file)?;
    let bar = ProgressBar::new(0);
    bar.set_style(
        ProgressStyle::with_template("{msg} [{bar:40}] {pos}/{len} ({elapsed})")?
            .progress_chars("=> "),
    );
    bar.set_message(if a.preview {
        "检查中 / checking"
    } else {
        "导入中 / importing"
    });
    let b2 = bar.clone();
    let progress = move |done: usize, total: usize| {
        b2.set_length(total as u64);
        b2.set_position(done as u64);
    };
    let t = Instant::now();
    let ctx = Ctx::system_as(company, "import");
    let report = match kind {
        Kind::OpeningPrepaid => {
            switch::import_opening_prepaid(&core, &ctx, community, &bytes, a.preview, &progress)
                .await?
        }
        Kind::Deposits => {
            switch::import_deposits(&core, &ctx, community, &bytes, a.preview, &progress).await?
        }
        Kind::MeterBaselines => {
            switch::import_meter_baselines(&core, &ctx, community, &bytes, a.preview, &progress)
                .await?
        }
    };
    bar.finish_and_clear();
    print_report(&report, t.elapsed().as_secs_f64());
    if !report.errors.is_empty() {
        std::process::exit(2);
    }
    Ok(())
}

fn print_report(report: &SwitchReport, secs: f64) {
    if !report.errors.is_empty() {
        let l = wuye_web::locale::Locale::Zh;
        println!(
            "未导入任何数据 / nothing imported: {} errors",
            report.errors.len()
        );
        for e in &report.errors {
            println!(
                "  第 {} 行 [{}] {}",
                e.row,
                e.column,
                l.field_error("", &e.code, &e.params)
            );
        }
        return;
    }
    for line in &report.lines {
        let amount = line
            .amount_fen
            .map(|f| format!(" ¥{}", wuye_core::shared::money::Money(f)))
            .unwrap_or_default();
        println!(
            "  第 {} 行 {}{amount} {}",
            line.row, line.unit_label, line.detail
        );
    }
    let total = wuye_core::shared::money::Money(report.total_fen);
    if report.preview {
        println!(
            "预览 / preview: {} rows would be posted (¥{total}); nothing written",
            report.lines.len()
        );
    } else {
        println!(
            "导入成功 / imported: {} of {} rows (¥{total}) in {secs:.2} s",
            report.created, report.rows
        );
    }
}
