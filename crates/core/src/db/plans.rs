//! The plans of the hot lists, as the planner makes them (issue 18): each module's store names
//! its hot lists with their real SQL ([`HotList`]), and a test asks the planner how it would run
//! each one on a database without statistics. A hot list must not sort a community's rows nor
//! read a whole table: its plan walks an index in the list's order and stops at the page.

use chrono::NaiveDate;

use super::{Args, Backend, Db, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::{CommunityId, UnitId, UserId};

/// One hot list: its name, the SQL and arguments its store runs, and why it may sort, if it
/// may (a sort of its groups, not of a community's rows).
pub struct HotList {
    pub name: &'static str,
    pub sql: String,
    pub args: Args,
    pub may_sort: Option<&'static str>,
}

impl HotList {
    pub fn new(name: &'static str, (sql, args): (String, Args)) -> Self {
        HotList {
            name,
            sql,
            args,
            may_sort: None,
        }
    }

    /// The list sorts what it computed (groups, totals), for the reason given.
    pub fn sorting(mut self, why: &'static str) -> Self {
        self.may_sort = Some(why);
        self
    }
}

/// The ids and day the hot lists are built for (a test's communities, user and unit).
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub community: CommunityId,
    pub other_community: CommunityId,
    pub user: UserId,
    pub unit: UnitId,
    pub day: NaiveDate,
}

impl Db {
    /// How the planner would run `sql`, one line per step: SQLite's `EXPLAIN QUERY PLAN`
    /// details, or PostgreSQL's `EXPLAIN` lines with sequential scans and sorts priced out
    /// (`enable_seqscan`, `enable_sort` off), so that either remaining in the plan means no
    /// index can serve the query rather than that the table was too small to bother.
    pub async fn query_plan(&self, sql: &str, args: Args) -> CoreResult<Vec<String>> {
        match self.backend() {
            Backend::Sqlite => {
                let rows: Vec<(i64, i64, i64, String)> = self
                    .read()
                    .fetch_all(&format!("EXPLAIN QUERY PLAN {sql}"), args)
                    .await?;
                Ok(rows.into_iter().map(|r| r.3).collect())
            }
            Backend::Postgres => {
                let mut tx = self.begin().await?;
                tx.execute("SET LOCAL enable_seqscan = off", Args::new())
                    .await?;
                tx.execute("SET LOCAL enable_sort = off", Args::new())
                    .await?;
                let rows: Vec<(String,)> = tx
                    .fetch_all(&format!("EXPLAIN (COSTS OFF) {sql}"), args)
                    .await?;
                // Dropped: rolled back, the settings with it.
                Ok(rows.into_iter().map(|r| r.0).collect())
            }
        }
    }

    /// PostgreSQL: the generic plan of `sql`, the one a pooled connection runs for a prepared
    /// statement from its sixth call on whatever the arguments, made from the statistics the
    /// database has now (`plan_cache_mode = force_generic_plan`), with sequential scans and
    /// sorts priced out as in [`Db::query_plan`]. `None` on SQLite, which plans
    /// each statement once, without its arguments.
    pub async fn generic_plan(&self, sql: &str, args: Args) -> CoreResult<Option<Vec<String>>> {
        if self.backend() != Backend::Postgres {
            return Ok(None);
        }
        // The arguments as untyped literals, which take the types PREPARE inferred.
        let literals: Vec<String> = args
            .0
            .iter()
            .map(|v| {
                let text = match v {
                    Value::I64(x) => x.map(|x| x.to_string()),
                    Value::Str(x) => x.clone(),
                    Value::Bool(x) => x.map(|x| x.to_string()),
                    Value::Time(x) => x.map(|x| x.to_rfc3339()),
                    Value::Date(x) => x.map(|x| x.to_string()),
                    Value::Bytes(x) => x.as_ref().map(|b| {
                        let hex: String = b.iter().map(|b| format!("{b:02x}")).collect();
                        format!("\\x{hex}")
                    }),
                    Value::Array(a) => Some(a.literal()),
                };
                text.map_or("NULL".to_string(), |t| {
                    format!("'{}'", t.replace('\'', "''"))
                })
            })
            .collect();
        let mut tx = self.begin().await?;
        tx.execute(&format!("PREPARE wuye_generic_plan AS {sql}"), Args::new())
            .await?;
        // Sequential scans and sorts priced out, as in `query_plan`.
        for set in [
            "SET LOCAL plan_cache_mode = force_generic_plan",
            "SET LOCAL enable_seqscan = off",
            "SET LOCAL enable_sort = off",
        ] {
            tx.execute(set, Args::new()).await?;
        }
        let args = match literals.is_empty() {
            true => String::new(),
            false => format!("({})", literals.join(", ")),
        };
        let rows: Vec<(String,)> = tx
            .fetch_all(
                &format!("EXPLAIN (COSTS OFF) EXECUTE wuye_generic_plan{args}"),
                Args::new(),
            )
            .await?;
        // A prepared statement outlives the transaction; the connection goes back to the pool.
        tx.execute("DEALLOCATE wuye_generic_plan", Args::new())
            .await?;
        Ok(Some(rows.into_iter().map(|r| r.0).collect()))
    }
}
