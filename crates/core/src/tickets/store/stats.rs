//! The aggregate reads behind the statistics: one pass over a period's requests grouped as
//! asked, the clocks' on-time counts, per-person counts for the KPIs, and the quarter's
//! complaints. Every query is scoped by [`Scope`] (communities, local days, kind, category).

use chrono::Utc;

use crate::db::{Args, Db};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::stats::ComplaintLine;
use super::clocks::state_condition;
use super::in_list;

/// The requests a statistic covers; days are local `YYYY-MM-DD` keys.
pub(in crate::tickets) struct Scope {
    pub communities: Vec<CommunityId>,
    pub from: String,
    pub to: String,
    pub kind: Option<String>,
    pub category: Option<String>,
    /// The cancelled state, left out of every count.
    pub cancelled: &'static str,
}

impl Scope {
    /// `WHERE` conditions on requests `r` over the scope.
    fn conditions(&self, a: &mut Args) -> String {
        let mut w = format!(
            "{} AND r.created_day >= {} AND r.created_day <= {} AND r.state <> {}",
            in_list(a, "r.community_id", &self.communities),
            a.push(self.from.as_str()),
            a.push(self.to.as_str()),
            a.push(self.cancelled)
        );
        if let Some(k) = &self.kind {
            w.push_str(&format!(" AND r.kind = {}", a.push(k.as_str())));
        }
        if let Some(c) = &self.category {
            w.push_str(&format!(" AND r.category = {}", a.push(c.as_str())));
        }
        w
    }
}

/// Counts and sums of one group, as one aggregate pass returns them.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct AggRow {
    pub key: String,
    /// The trend's day or month, when the query grouped by it too.
    #[sqlx(default)]
    pub period: Option<String>,
    pub count: i64,
    pub resolved: i64,
    pub closed: i64,
    pub first_time_fixed: i64,
    pub reopened: i64,
    pub rated: i64,
    pub unsatisfied: i64,
    pub satisfaction_sum: i64,
    pub handled: i64,
    pub handling_sum: i64,
}

const AGG: &str = "COUNT(*) AS count, \
    SUM(CASE WHEN r.state IN ('done', 'closed') THEN 1 ELSE 0 END) AS resolved, \
    SUM(CASE WHEN r.state = 'closed' THEN 1 ELSE 0 END) AS closed, \
    SUM(CASE WHEN r.state = 'closed' AND r.reopen_count = 0 THEN 1 ELSE 0 END) AS first_time_fixed, \
    SUM(CASE WHEN r.reopen_count > 0 THEN 1 ELSE 0 END) AS reopened, \
    SUM(CASE WHEN r.satisfaction IS NOT NULL THEN 1 ELSE 0 END) AS rated, \
    SUM(CASE WHEN r.satisfaction < 3 THEN 1 ELSE 0 END) AS unsatisfied, \
    CAST(COALESCE(SUM(r.satisfaction), 0) AS BIGINT) AS satisfaction_sum, \
    SUM(CASE WHEN r.handling_seconds IS NOT NULL THEN 1 ELSE 0 END) AS handled, \
    CAST(COALESCE(SUM(r.handling_seconds), 0) AS BIGINT) AS handling_sum";

/// The grouping key of a `group_by` choice, or `None` for an unknown one.
pub(in crate::tickets) fn group_key(group_by: &str) -> Option<&'static str> {
    Some(match group_by {
        "kind" => "r.kind",
        "category" => "r.category",
        "channel" => "r.channel",
        "assignee" => "COALESCE(CAST(r.assignee_id AS TEXT), '')",
        "first_responder" => "CAST(r.first_responder_id AS TEXT)",
        "community" => "CAST(r.community_id AS TEXT)",
        _ => return None,
    })
}

/// One pass over the scope's requests grouped by `key` (from [`group_key`]) and local day.
pub(in crate::tickets) async fn by_key_and_day(
    db: &Db,
    sc: &Scope,
    key: &str,
) -> CoreResult<Vec<AggRow>> {
    let (sql, a) = by_key_and_day_sql(sc, key);
    db.read().fetch_all::<AggRow>(&sql, a).await
}

/// The SQL of [`by_key_and_day`].
pub(in crate::tickets) fn by_key_and_day_sql(sc: &Scope, key: &str) -> (String, Args) {
    let period = "r.created_day";
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    let sql = format!(
        "SELECT {key} AS key, {period} AS period, {AGG} FROM requests r WHERE {w} \
         GROUP BY {key}, {period}"
    );
    (sql, a)
}

/// Met clocks by (clock, late) and running ones by clock.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct ClockCount {
    pub clock: String,
    pub met_late: Option<i64>,
    pub n: i64,
}

#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct OpenClocks {
    pub clock: String,
    pub overdue: i64,
    pub n: i64,
}

/// The clocks of the scope's requests (`kinds` narrows them further): met ones counted from
/// the `request_clocks_stats` index alone (`met_late` is set when a clock is met), and the few
/// still running with how many are past due; the two read on two connections at once.
pub(in crate::tickets) async fn clock_counts(
    db: &Db,
    sc: &Scope,
    kinds: Option<&[&str]>,
) -> CoreResult<(Vec<ClockCount>, Vec<OpenClocks>)> {
    let ((met_sql, a), (open_sql, b)) = clock_counts_sql(sc, kinds);
    tokio::try_join!(
        async { db.read().fetch_all::<ClockCount>(&met_sql, a).await },
        async { db.read().fetch_all::<OpenClocks>(&open_sql, b).await }
    )
}

/// The two SQL texts of [`clock_counts`]: the met clocks, the running ones.
pub(in crate::tickets) fn clock_counts_sql(
    sc: &Scope,
    kinds: Option<&[&str]>,
) -> ((String, Args), (String, Args)) {
    let filter = |a: &mut Args| {
        let mut w = format!(
            "{} AND c.created_day >= {} AND c.created_day <= {}",
            in_list(a, "c.community_id", &sc.communities),
            a.push(sc.from.as_str()),
            a.push(sc.to.as_str())
        );
        if let Some(k) = &sc.kind {
            w.push_str(&format!(" AND c.kind = {}", a.push(k.as_str())));
        }
        if let Some(ks) = kinds {
            w.push_str(&format!(" AND {}", in_list(a, "c.kind", ks)));
        }
        if let Some(cat) = &sc.category {
            w.push_str(&format!(" AND c.category = {}", a.push(cat.as_str())));
        }
        w
    };
    let mut a = Args::new();
    let w = filter(&mut a);
    let met_sql = format!(
        "SELECT c.clock, c.met_late, COUNT(*) AS n FROM request_clocks c WHERE {w} \
         GROUP BY c.clock, c.met_late"
    );
    let mut b = Args::new();
    let now = b.push(Utc::now());
    let w = filter(&mut b);
    let open_sql = format!(
        "SELECT c.clock, SUM(CASE WHEN c.paused_since IS NULL AND c.due_at < {now} THEN 1 ELSE 0 END) \
         AS overdue, COUNT(*) AS n FROM request_clocks c WHERE {w} AND c.met_late IS NULL GROUP BY c.clock"
    );
    ((met_sql, a), (open_sql, b))
}

/// Counts per assignee over the scope.
pub(in crate::tickets) async fn by_assignee(db: &Db, sc: &Scope) -> CoreResult<Vec<AggRow>> {
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    db.read()
        .fetch_all(
            &format!(
                "SELECT CAST(r.assignee_id AS TEXT) AS key, {AGG} FROM requests r \
                 WHERE {w} AND r.assignee_id IS NOT NULL GROUP BY r.assignee_id"
            ),
            a,
        )
        .await
}

/// A count per user.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct UserCount {
    pub user_id: i64,
    pub n: i64,
}

/// Requests registered per first responder over the scope.
pub(in crate::tickets) async fn by_first_responder(
    db: &Db,
    sc: &Scope,
) -> CoreResult<Vec<UserCount>> {
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    db.read()
        .fetch_all(
            &format!(
                "SELECT r.first_responder_id AS user_id, COUNT(*) AS n FROM requests r WHERE {w} \
                 GROUP BY r.first_responder_id"
            ),
            a,
        )
        .await
}

/// Hotline calls logged per taker over the scope's communities and days.
pub(in crate::tickets) async fn calls_by_taker(db: &Db, sc: &Scope) -> CoreResult<Vec<UserCount>> {
    let mut a = Args::new();
    let cond = in_list(&mut a, "community_id", &sc.communities);
    let (f, t) = (a.push(sc.from.as_str()), a.push(sc.to.as_str()));
    db.read()
        .fetch_all(
            &format!(
                "SELECT taken_by AS user_id, COUNT(*) AS n FROM hotline_calls WHERE {cond} \
                 AND call_day >= {f} AND call_day <= {t} GROUP BY taken_by"
            ),
            a,
        )
        .await
}

/// Requests of `kinds` over the scope by category, the largest first.
pub(in crate::tickets) async fn by_category(
    db: &Db,
    sc: &Scope,
    kinds: &[&str],
) -> CoreResult<Vec<AggRow>> {
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    let k = in_list(&mut a, "r.kind", kinds);
    db.read()
        .fetch_all(
            &format!(
                "SELECT r.category AS key, {AGG} FROM requests r WHERE {w} AND {k} \
                 GROUP BY r.category ORDER BY count DESC, key"
            ),
            a,
        )
        .await
}

/// How many requests of `kinds` the scope has.
pub(in crate::tickets) async fn count(db: &Db, sc: &Scope, kinds: &[&str]) -> CoreResult<i64> {
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    let k = in_list(&mut a, "r.kind", kinds);
    let (n,): (i64,) = db
        .read()
        .fetch_one(
            &format!("SELECT COUNT(*) FROM requests r WHERE {w} AND {k}"),
            a,
        )
        .await?;
    Ok(n)
}

/// The requests of `kinds` over the scope, oldest first, at most 5,000.
pub(in crate::tickets) async fn lines(
    db: &Db,
    sc: &Scope,
    kinds: &[&str],
) -> CoreResult<Vec<ComplaintLine>> {
    let mut a = Args::new();
    let w = sc.conditions(&mut a);
    let k = in_list(&mut a, "r.kind", kinds);
    db.read()
        .fetch_all(
            &format!(
                "SELECT r.id, r.number, r.created_day, r.kind, r.category, \
                 CASE WHEN u.id IS NULL THEN NULL ELSE b.name || '-' || u.unit_no END AS unit_label, \
                 r.location, r.description, r.state, r.satisfaction, r.handling_seconds, r.reopen_count \
                 FROM requests r LEFT JOIN units u ON u.id = r.unit_id \
                 LEFT JOIN buildings b ON b.id = u.building_id \
                 WHERE {w} AND {k} ORDER BY r.created_day, r.id LIMIT 5000"
            ),
            a,
        )
        .await
}

// ---------------------------------------------------------------------------------------------
// The manager's dashboard

/// The open (unmet) clocks of one kind by where they stand now.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct OpenNow {
    pub clock: String,
    pub breached: i64,
    pub at_risk: i64,
    pub paused: i64,
    pub n: i64,
}

/// Every unmet clock of the communities by kind and state as `model::clock_status` judges it (a
/// paused clock at the moment it paused: paused after its deadline it stays breached), from the
/// `request_clocks_open`
/// partial index alone: only open requests' clocks are read, whatever the table's size. One
/// arm per community (`community_id IN (…)` led SQLite to the whole community's index), so a
/// kind may come once per community: the caller adds them up.
pub(in crate::tickets) async fn open_clocks_now(
    db: &Db,
    communities: &[CommunityId],
) -> CoreResult<Vec<OpenNow>> {
    if communities.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, a) = open_clocks_now_sql(communities);
    db.read().fetch_all::<OpenNow>(&sql, a).await
}

/// The SQL of [`open_clocks_now`].
pub(in crate::tickets) fn open_clocks_now_sql(communities: &[CommunityId]) -> (String, Args) {
    let mut a = Args::new();
    let now = a.push(Utc::now());
    let (breached, at_risk, paused) = (
        state_condition("breached", &now),
        state_condition("at_risk", &now),
        state_condition("paused", &now),
    );
    let arm = |w: String| {
        format!(
            "SELECT c.clock, \
             SUM(CASE WHEN {breached} THEN 1 ELSE 0 END) AS breached, \
             SUM(CASE WHEN {at_risk} THEN 1 ELSE 0 END) AS at_risk, \
             SUM(CASE WHEN {paused} THEN 1 ELSE 0 END) AS paused, \
             COUNT(*) AS n FROM request_clocks c WHERE {w} AND c.met_at IS NULL GROUP BY c.clock"
        )
    };
    let sql = if communities.len() <= 64 {
        let arms: Vec<String> = communities
            .iter()
            .map(|c| arm(format!("c.community_id = {}", a.push(*c))))
            .collect();
        arms.join(" UNION ALL ")
    } else {
        let w = in_list(&mut a, "c.community_id", communities);
        arm(w)
    };
    (sql, a)
}

/// The clocks of the scope's requests by local day: met on time, met late, and unmet past due.
#[derive(sqlx::FromRow)]
pub(in crate::tickets) struct ClockDay {
    pub day: String,
    pub on_time: i64,
    pub late: i64,
    pub overdue: i64,
}

/// [`ClockDay`]s of the scope: the met clocks counted from the `request_clocks_stats` index
/// alone (`met_late` is set when a clock is met), the unmet ones past due from the open clocks'
/// index (`request_clocks_open`); the two read on two connections at once and added up here.
pub(in crate::tickets) async fn clocks_by_day(db: &Db, sc: &Scope) -> CoreResult<Vec<ClockDay>> {
    let ((met_sql, a), (open_sql, b)) = clocks_by_day_sql(sc, db.backend());
    let (met, open) = tokio::try_join!(
        async { db.read().fetch_all::<ClockDay>(&met_sql, a).await },
        async { db.read().fetch_all::<ClockDay>(&open_sql, b).await }
    )?;
    let mut out = met;
    for o in open {
        match out.iter_mut().find(|d| d.day == o.day) {
            Some(d) => d.overdue += o.overdue,
            None => out.push(o),
        }
    }
    Ok(out)
}

/// The two SQL texts of [`clocks_by_day`]: the met clocks, the open ones past due.
pub(in crate::tickets) fn clocks_by_day_sql(
    sc: &Scope,
    backend: crate::db::Backend,
) -> ((String, Args), (String, Args)) {
    let range = |a: &mut Args| {
        format!(
            "{} AND c.created_day >= {} AND c.created_day <= {}",
            in_list(a, "c.community_id", &sc.communities),
            a.push(sc.from.as_str()),
            a.push(sc.to.as_str())
        )
    };
    let mut a = Args::new();
    let w = range(&mut a);
    let met = format!(
        "SELECT c.created_day AS day, \
         SUM(CASE WHEN c.met_late = 0 THEN 1 ELSE 0 END) AS on_time, \
         SUM(CASE WHEN c.met_late = 1 THEN 1 ELSE 0 END) AS late, CAST(0 AS BIGINT) AS overdue \
         FROM request_clocks c WHERE {w} AND c.met_late IS NOT NULL GROUP BY c.created_day"
    );
    let mut b = Args::new();
    let now = b.push(Utc::now());
    let w = range(&mut b);
    // SQLite, without statistics, would walk the period's every clock in `request_clocks_stats`
    // and read each row; the open clocks' own index holds the few it counts.
    let indexed = match backend {
        crate::db::Backend::Sqlite => " INDEXED BY request_clocks_open",
        crate::db::Backend::Postgres => "",
    };
    let open = format!(
        "SELECT c.created_day AS day, CAST(0 AS BIGINT) AS on_time, CAST(0 AS BIGINT) AS late, COUNT(*) AS overdue \
         FROM request_clocks c{indexed} WHERE {w} AND c.met_at IS NULL \
         AND {} GROUP BY c.created_day",
        state_condition("breached", &now)
    );
    ((met, a), (open, b))
}
