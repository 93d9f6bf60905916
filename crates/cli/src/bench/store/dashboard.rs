//! The dashboard benchmark's growth, as INSERT … SELECT statements the database runs itself (a
//! statement a day of requests, a statement a month of bills): the rows are those the services
//! write — bills of every unit each month, a year of requests with their two clocks — with
//! values spread by id so the figures are neither empty nor uniform.

use chrono::{DateTime, NaiveDate, Utc};
use wuye_core::db::Tx;
use wuye_core::shared::ids::{CompanyId, UserId};
use wuye_core::{Core, args};

use super::super::AnyResult;

/// One fee item per community, for the bills to point at.
pub(crate) async fn insert_fee_items(
    core: &Core,
    company: CompanyId,
    now: DateTime<Utc>,
) -> AnyResult<()> {
    let mut tx = core.db.begin().await?;
    tx.execute(
        "INSERT INTO fee_items (community_id, code, name, kind, late_fee_ppm, late_fee_grace_days, \
         late_fee_cap_pct, active, created_at, updated_at) \
         SELECT id, 'WYF', '物业费', 'property', 0, 0, 100, TRUE, $2, $2 \
         FROM communities WHERE company_id = $1",
        args![company, now],
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A month's bill of every unit of the company (179.00, due on the 15th), one in ten unpaid.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_month_of_bills(
    core: &Core,
    company: CompanyId,
    period: &str,
    first: NaiveDate,
    last: NaiveDate,
    due: NaiveDate,
    k: i64,
    now: DateTime<Utc>,
) -> AnyResult<u64> {
    let mut tx = core.db.begin().await?;
    let n = tx
        .execute(
            "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, period, period_from, \
             period_to, description, basis, amount_fen, settled_fen, due_date, created_at) \
             SELECT u.community_id, u.id, f.id, 'bill', $2, $3, $4, '物业费', '2.00 × 89.50 m²', 17900, \
             CASE WHEN (u.id + $6) % 10 = 0 THEN 0 ELSE 17900 END, $5, $7 \
             FROM units u JOIN communities c ON c.id = u.community_id AND c.company_id = $1 \
             JOIN fee_items f ON f.community_id = u.community_id ORDER BY u.community_id, u.id",
            args![company, period, first, last, due, k, now],
        )
        .await?;
    tx.commit().await?;
    Ok(n)
}

/// One day's requests of every community (`per_day` each; one in twenty a complaint, a third of
/// the closed ones rated) and their response and resolution clocks (one in ten met late); those
/// of the last `open_days` days one in five still open.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_day_of_requests(
    core: &Core,
    company: CompanyId,
    agent: UserId,
    day: NaiveDate,
    at: DateTime<Utc>,
    per_day: i64,
    recent: bool,
) -> AnyResult<u64> {
    let mut tx = core.db.begin().await?;
    let (before,): (i64,) = tx
        .fetch_one("SELECT COALESCE(MAX(id), 0) FROM requests", args![])
        .await?;
    let day_text = day.format("%Y-%m-%d").to_string();
    let n = tx
        .execute(
            "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $4) \
             INSERT INTO requests (community_id, number, kind, category, channel, urgency, complex, \
             description, state, first_responder_id, promise_at, promise_postponed, escalations, \
             reopen_count, satisfaction, created_at, updated_at, created_day) \
             SELECT c.id, 'BX-' || $5 || '-' || CAST(g.n AS TEXT), \
             CASE WHEN g.n % 20 = 0 THEN 'complaint_general' ELSE 'repair_unit' END, 'water', \
             'hotline', 'normal', FALSE, '卫生间下水道堵塞', \
             CASE WHEN $6 AND g.n % 5 = 0 THEN 'accepted' ELSE 'closed' END, $2, $3, FALSE, 0, 0, \
             CASE WHEN ($6 AND g.n % 5 = 0) OR g.n % 3 <> 0 THEN NULL ELSE 3 + (c.id + g.n) % 3 END, \
             $3, $3, $5 FROM communities c CROSS JOIN g WHERE c.company_id = $1 ORDER BY c.id, g.n",
            args![company, agent, at, per_day, day_text.clone(), recent],
        )
        .await?;
    insert_two_clocks(&mut tx, before, at).await?;
    tx.commit().await?;
    Ok(n)
}

/// A year of requests up to `today`, `per_day` a day in every community of the company (the
/// last week's partly open), registered at 09:30 local time; reports and returns how many.
pub(crate) async fn grow_year_of_requests(
    core: &Core,
    company: CompanyId,
    agent: UserId,
    today: NaiveDate,
    per_day: i64,
) -> AnyResult<u64> {
    let t = std::time::Instant::now();
    let mut grown = 0;
    for back in (0..365).rev() {
        let day = today - chrono::Duration::days(back);
        let at = wuye_core::shared::calendar::local_to_utc(
            wuye_core::shared::calendar::zone(""),
            day,
            chrono::NaiveTime::from_hms_opt(9, 30, 0).unwrap_or_default(),
        );
        grown += insert_day_of_requests(core, company, agent, day, at, per_day, back < 7).await?;
    }
    println!(
        "  requests          {grown} requests and {} clocks (a year, {per_day} a day in each community) in {:.1} s",
        rows(core, "request_clocks").await?,
        t.elapsed().as_secs_f64()
    );
    Ok(grown)
}

/// The feedback and resolution clocks of the requests after id `before`, registered at `at`: met
/// three hours on (one in ten late) when the request is closed, running otherwise.
pub(crate) async fn insert_two_clocks(
    tx: &mut Tx,
    before: i64,
    at: DateTime<Utc>,
) -> AnyResult<()> {
    tx.execute(
        "INSERT INTO request_clocks (community_id, request_id, clock, started_at, due_at, warn_at, \
         pauses_on_hold, paused_since, met_at, warned_at, breached_at, created_day, kind, category, \
         met_late) \
         SELECT r.community_id, r.id, k.clock, r.created_at, $2, $3, FALSE, NULL, \
         CASE WHEN r.state = 'closed' THEN $4 ELSE NULL END, NULL, NULL, r.created_day, r.kind, \
         r.category, CASE WHEN r.state <> 'closed' THEN NULL WHEN r.id % 10 = 0 THEN 1 ELSE 0 END \
         FROM requests r CROSS JOIN (SELECT 'feedback' AS clock UNION ALL SELECT 'resolve') AS k \
         WHERE r.id > $1",
        args![
            before,
            at + chrono::Duration::hours(24),
            at + chrono::Duration::hours(20),
            at + chrono::Duration::hours(3)
        ],
    )
    .await?;
    Ok(())
}

/// Rows of a table (the benchmark's own count of what it grew).
pub(crate) async fn rows(core: &Core, table: &str) -> AnyResult<i64> {
    super::count(core, &format!("SELECT COUNT(*) FROM {table}"), args![]).await
}
