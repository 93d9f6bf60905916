//! What an audit's evidence (品质核查, 突发应急事件处理) reads of incidents: those of a window and
//! whether they were closed, the company's plans in force, and the drills held.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct IncidentTally {
    pub incidents: i64,
    pub closed: i64,
    /// The company's active emergency plans (预案).
    pub plans: i64,
    pub drills: i64,
}

pub(crate) async fn incident_tally(
    q: &mut impl Queries,
    company: CompanyId,
    c: CommunityId,
    (from, to): (DateTime<Utc>, DateTime<Utc>),
    (from_day, to_day): (NaiveDate, NaiveDate),
) -> CoreResult<IncidentTally> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM incidents WHERE community_id = $1 AND started_at >= $2 \
          AND started_at < $3) AS incidents, \
         (SELECT COUNT(*) FROM incidents WHERE community_id = $1 AND started_at >= $2 \
          AND started_at < $3 AND state = 'closed') AS closed, \
         (SELECT COUNT(*) FROM emergency_plans WHERE company_id = $4 AND active = $5) AS plans, \
         (SELECT COUNT(*) FROM drills WHERE community_id = $1 AND held_on >= $6 AND held_on <= $7) AS drills",
        args![c, from, to, company, true, from_day, to_day],
    )
    .await
}
