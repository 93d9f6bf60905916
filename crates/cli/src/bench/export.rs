//! `wuye bench export`: the company's requests list exported to .xlsx over HTTP by `wuye serve`
//! in a child process (issue 16: every list streams its export; 1,000,000 rows in ≤ 30 s with a
//! peak of ≤ 150 MB). The database grows a year of requests itself (a statement a day, two
//! clocks each); the server, started afresh, is asked `GET /api/v1/requests.xlsx` as the
//! company's administrator. Timed to the last byte; the server's peak memory is its `VmHWM`
//! (the whole process's, start-up included) read from `/proc` after the download; the workbook
//! is unpacked and its rows counted against the database's.

use std::io::Read;
use std::time::Instant;

use hyper::Method;
use wuye_core::auth;

use super::client::{Conn, api_request};
use super::report::{mib_kb, pass, proc_status_kb};
use super::store::dashboard as store;
use super::workdir::{Engine, WorkDir, company_admin, fresh_core, new_community};
use super::{AnyResult, WorkDirArgs, server};

const TARGET_S: f64 = 30.0;
const TARGET_MIB: f64 = 150.0;

pub(super) async fn bench_export(
    communities: usize,
    rows: usize,
    work: &WorkDirArgs,
    engine: &Engine,
) -> AnyResult<()> {
    let per_day = rows.div_ceil(communities * 365).max(1) as i64;
    println!(
        "== bench export: {communities} communities, {} requests to .xlsx ({}) ==",
        per_day * 365 * communities as i64,
        engine.label()
    );
    let wd = WorkDir::new("export", work)?;
    let (core, company) = fresh_core(&wd, engine).await?;
    let now = chrono::Utc::now();
    let today = (now + chrono::Duration::hours(8)).date_naive();
    for k in 0..communities {
        new_community(&core, company, &format!("E{k:04}"), &format!("导出小区{k}")).await?;
    }
    let admin = company_admin(&core, company, "export_admin").await?;
    let t = Instant::now();
    let mut grown = 0;
    for back in (0..365).rev() {
        let day = today - chrono::Duration::days(back);
        let at = wuye_core::shared::calendar::local_to_utc(
            wuye_core::shared::calendar::zone(""),
            day,
            chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default(),
        );
        grown += store::insert_day_of_requests(&core, company, admin, day, at, per_day, back < 7)
            .await?;
    }
    println!(
        "  requests          {grown} requests and {} clocks (a year, {per_day} a day in each community) in {:.1} s",
        store::rows(&core, "request_clocks").await?,
        t.elapsed().as_secs_f64()
    );
    let ctx = auth::load_ctx(&core, admin).await?;
    let (_, token) = auth::create_api_token(&core, &ctx, "bench").await?;
    core.db.close().await;

    let srv = server::start(engine, &wd, "export").await?;
    let pid = srv.pid();
    let idle = proc_status_kb(Some(pid), "VmRSS:");
    let mut conn = Conn::connect(srv.addr()).await?;
    let req = api_request(
        Method::GET,
        srv.addr(),
        "/api/v1/requests.xlsx",
        &token,
        None,
    );
    let t = Instant::now();
    let (status, bytes) = conn.exchange(req).await?;
    let took = t.elapsed().as_secs_f64();
    let hwm = proc_status_kb(Some(pid), "VmHWM:");
    srv.stop();
    if status != 200 {
        return Err(format!("export: {status} {}", String::from_utf8_lossy(&bytes)).into());
    }
    let file = wd.path.join("requests.xlsx");
    std::fs::write(&file, &bytes)?;
    let (sheets, data_rows) = count_rows(&bytes)?;
    let ok_rows = data_rows == grown;
    let ok_time = took <= TARGET_S;
    let peak_mib = hwm.map_or(f64::MAX, |k| k as f64 / 1024.0);
    let ok_mem = peak_mib <= TARGET_MIB;
    println!(
        "  export            {data_rows} rows on {sheets} sheet(s), {:.1} MiB in {took:.1} s   {}",
        bytes.len() as f64 / 1048576.0,
        pass(ok_time && ok_rows)
    );
    println!(
        "  server memory     {} idle before, peak (VmHWM) {}   {}",
        mib_kb(idle),
        mib_kb(hwm),
        pass(ok_mem)
    );
    println!("  workbook          {}", file.display());
    if !ok_rows {
        return Err(format!("the workbook holds {data_rows} rows, the database {grown}").into());
    }
    if ok_time && ok_mem {
        Ok(())
    } else {
        Err(format!("the export missed ≤ {TARGET_S} s or ≤ {TARGET_MIB} MiB").into())
    }
}

/// The worksheets of the workbook and their rows below the header, counted by streaming each
/// sheet's XML out of the archive.
fn count_rows(xlsx: &[u8]) -> AnyResult<(usize, u64)> {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(xlsx))?;
    let mut sheets = 0;
    let mut rows = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i)?;
        if !entry.name().starts_with("xl/worksheets/sheet") {
            continue;
        }
        sheets += 1;
        let mut buf = vec![0u8; 1 << 16];
        // A tag may straddle two reads: the last few bytes are carried over.
        let mut carry: Vec<u8> = Vec::new();
        loop {
            let n = entry.read(&mut buf)?;
            if n == 0 {
                break;
            }
            carry.extend_from_slice(&buf[..n]);
            rows += carry.windows(5).filter(|w| w == b"<row ").count() as u64;
            let keep = carry.len().min(4);
            carry.drain(..carry.len() - keep);
        }
        rows = rows.saturating_sub(1);
    }
    Ok((sheets, rows))
}
