//! What the company dashboard (经营看板) reads of maintenance: one community's orders due by day
//! and those overdue now.

use chrono::NaiveDate;

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// One day's maintenance orders due, and how many were done by their due day.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct OrdersDay {
    pub day: NaiveDate,
    pub due: i64,
    pub on_time: i64,
}

/// The community's orders due on days `from`..=`to` (no later than `today`), by day.
pub(crate) async fn orders_by_day(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> CoreResult<Vec<OrdersDay>> {
    q.fetch_all(
        "SELECT due_on AS day, COUNT(*) AS due, \
         SUM(CASE WHEN state <> 'open' AND done_on <= due_on THEN 1 ELSE 0 END) AS on_time \
         FROM maintenance_orders WHERE community_id = $1 AND due_on >= $2 AND due_on <= $3 \
         AND due_on <= $4 GROUP BY due_on",
        args![c, from, to, today],
    )
    .await
}

/// How many of the community's orders are still open past their due day.
pub(crate) async fn overdue_count(
    q: &mut impl Queries,
    c: CommunityId,
    today: NaiveDate,
) -> CoreResult<i64> {
    q.fetch_one::<(i64,)>(
        "SELECT COUNT(*) FROM maintenance_orders WHERE community_id = $1 AND state = 'open' \
         AND due_on < $2",
        args![c, today],
    )
    .await
    .map(|r| r.0)
}
