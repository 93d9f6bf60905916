//! What the company dashboard (经营看板) reads of patrols: one community's rounds due by day.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// One day's rounds whose window has ended, and how many of them were walked to the end.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct RoundsDay {
    pub day: NaiveDate,
    pub tasks: i64,
    pub done: i64,
}

/// The community's rounds of days `from`..=`to` that ended before `now`, by day.
pub(crate) async fn rounds_by_day(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    now: DateTime<Utc>,
) -> CoreResult<Vec<RoundsDay>> {
    q.fetch_all(
        "SELECT day, COUNT(*) AS tasks, SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done \
         FROM patrol_tasks WHERE community_id = $1 AND day >= $2 AND day <= $3 AND ends_at <= $4 \
         GROUP BY day",
        args![c, from, to, now],
    )
    .await
}
