//! The KPI benchmark's growth, by the database itself: a company's staff (users of the roles a
//! community employs, each assigned to his community) and a year of their work — requests
//! registered by the desk agents and worked by the technicians with their two clocks, hotline
//! calls taken by the agents. Staff ids are laid out community by community, `per` apart, so a
//! row finds its people by arithmetic on its community and index.

use chrono::{DateTime, NaiveDate, Utc};
use wuye_core::shared::ids::CompanyId;
use wuye_core::{Core, args};

use super::super::AnyResult;

/// The staff of one community in id order: 4 desk agents, 8 technicians, 6 guards, 2 cleaners.
pub(crate) const ROLES: [(&str, i64); 4] = [
    ("service_agent", 4),
    ("technician", 8),
    ("security", 6),
    ("cleaning", 2),
];
pub(crate) const PER: i64 = 20;

/// `PER` staff for each community of the company (ids consecutive from the first returned),
/// sharing one password hash; the first community id and the first staff id.
pub(crate) async fn insert_staff(
    core: &Core,
    company: CompanyId,
    hash: &str,
    now: DateTime<Utc>,
) -> AnyResult<(i64, i64)> {
    let mut tx = core.db.begin().await?;
    let (c0, n): (i64, i64) = tx
        .fetch_one(
            "SELECT MIN(id), COUNT(*) FROM communities WHERE company_id = $1",
            args![company],
        )
        .await?;
    let (before,): (i64,) = tx
        .fetch_one("SELECT COALESCE(MAX(id), 0) FROM users", args![])
        .await?;
    let role = ROLES
        .iter()
        .scan(0, |at, (r, k)| {
            *at += k;
            Some(format!("WHEN g.n % {PER} < {at} THEN '{r}'"))
        })
        .collect::<Vec<_>>()
        .join(" ");
    tx.execute(
        &format!(
            "WITH RECURSIVE g(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM g WHERE n < $2 - 1) \
             INSERT INTO users (company_id, username, display_name, role, password_hash, active, \
             must_change_password, failed_logins, created_at, updated_at) \
             SELECT $1, 'kpi_' || CAST(g.n AS TEXT), '员工' || CAST(g.n AS TEXT), CASE {role} END, $3, \
             TRUE, FALSE, 0, $4, $4 FROM g ORDER BY g.n"
        ),
        args![company, n * PER, hash, now],
    )
    .await?;
    tx.execute(
        "INSERT INTO user_communities (user_id, community_id) \
         SELECT id, $2 + (id - $1 - 1) / $3 FROM users WHERE id > $1",
        args![before, c0, PER],
    )
    .await?;
    tx.commit().await?;
    Ok((c0, before + 1))
}

/// One day's requests of every community (`per_day` each) registered by its agents and worked
/// by its technicians, all closed, with their two clocks (one in ten met late), a third rated (one
/// in twenty of those below 3), and as many hotline calls taken by the agents.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_day(
    core: &Core,
    company: CompanyId,
    c0: i64,
    s0: i64,
    day: NaiveDate,
    at: DateTime<Utc>,
    per_day: i64,
) -> AnyResult<u64> {
    let mut tx = core.db.begin().await?;
    let (before,): (i64,) = tx
        .fetch_one("SELECT COALESCE(MAX(id), 0) FROM requests", args![])
        .await?;
    let day_text = day.format("%Y-%m-%d").to_string();
    let person =
        |first: i64, count: i64| format!("$4 + (c.id - $3) * {PER} + {first} + g.n % {count}");
    let n = tx
        .execute(
            &format!(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < $5) \
                 INSERT INTO requests (community_id, number, kind, category, channel, urgency, complex, \
                 description, state, first_responder_id, assignee_id, promise_at, promise_postponed, \
                 escalations, reopen_count, satisfaction, created_at, updated_at, created_day) \
                 SELECT c.id, 'BX-' || $6 || '-' || CAST(g.n AS TEXT), 'repair_unit', 'water', 'hotline', \
                 'normal', FALSE, '卫生间下水道堵塞', 'closed', {}, {}, $2, FALSE, 0, \
                 CASE WHEN g.n % 9 = 0 THEN 1 ELSE 0 END, \
                 CASE WHEN g.n % 3 <> 0 THEN NULL WHEN g.n % 20 = 0 THEN 2 ELSE 5 END, $2, $2, $6 \
                 FROM communities c CROSS JOIN g WHERE c.company_id = $1 ORDER BY c.id, g.n",
                person(0, 4),
                person(4, 8)
            ),
            args![company, at, c0, s0, per_day, day_text.clone()],
        )
        .await?;
    super::dashboard::insert_two_clocks(&mut tx, before, at).await?;
    tx.execute(
        "INSERT INTO hotline_calls (community_id, call_at, call_day, content, taken_by, created_at) \
         SELECT r.community_id, r.created_at, r.created_day, '报修', r.first_responder_id, r.created_at \
         FROM requests r WHERE r.id > $1",
        args![before],
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// The password hash of a user (to give the grown staff one they can log in with).
pub(crate) async fn password_hash(core: &Core, username: &str) -> AnyResult<String> {
    let (h,): (String,) = core
        .db
        .read()
        .fetch_one(
            "SELECT password_hash FROM users WHERE username = $1",
            args![username],
        )
        .await?;
    Ok(h)
}
