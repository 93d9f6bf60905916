//! What staff KPIs read of maintenance: each person's orders due in a period and how many he
//! did by their due day.

use chrono::NaiveDate;

use crate::db::{Args, Queries, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct AssigneeOrders {
    pub user_id: i64,
    pub due: i64,
    pub on_time: i64,
}

/// Orders due on days `from`..=`to` (none after `today`), by the person each went to.
pub(crate) async fn orders_by_assignee(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<AssigneeOrders>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "community_id", communities);
    let (f, t) = (a.push(from), a.push(to));
    q.fetch_all(
        &format!(
            "SELECT assignee_id AS user_id, COUNT(*) AS due, \
             SUM(CASE WHEN state <> 'open' AND done_on <= due_on THEN 1 ELSE 0 END) AS on_time \
             FROM maintenance_orders WHERE {w} AND due_on >= {f} AND due_on <= {t} \
             AND assignee_id IS NOT NULL GROUP BY assignee_id"
        ),
        a,
    )
    .await
}
