//! What an audit's evidence (品质核查, 收费服务管理) reads of billing: the cashiers' days closed
//! ("no cash kept overnight") and the reminders made.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct ChargingTally {
    /// Cashier days with payments in the window, closed, and left open past their day.
    pub days: i64,
    pub closed: i64,
    pub left_open: i64,
}

/// The cashier days of business dates `from`..=`to`; a day before `today` not closed kept its
/// cash overnight.
pub(crate) async fn charging_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
    today: NaiveDate,
) -> CoreResult<ChargingTally> {
    q.fetch_one(
        "SELECT COUNT(*) AS days, \
         COALESCE(SUM(CASE WHEN closed_at IS NOT NULL THEN 1 ELSE 0 END), 0) AS closed, \
         COALESCE(SUM(CASE WHEN closed_at IS NULL AND business_date < $4 THEN 1 ELSE 0 END), 0) AS left_open \
         FROM cashier_days WHERE community_id = $1 AND business_date >= $2 AND business_date <= $3 \
         AND payments > 0",
        args![c, from, to, today],
    )
    .await
}

/// Reminders (催缴) made from `from` to `to`, and the units they reached.
pub(crate) async fn reminder_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<(i64, i64)> {
    q.fetch_one(
        "SELECT COUNT(*), COUNT(DISTINCT unit_id) FROM reminders WHERE community_id = $1 \
         AND at >= $2 AND at < $3",
        args![c, from, to],
    )
    .await
}
