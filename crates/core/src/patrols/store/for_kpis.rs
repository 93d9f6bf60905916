//! What staff KPIs read of patrols: the rounds each walker was on, and how many were walked to
//! the end.

use chrono::{DateTime, Utc};

use crate::db::{Args, Queries, in_list};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The rounds of one set of walkers (`,12,34,`, as tasks hold them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub(crate) struct WalkersRounds {
    pub walkers: String,
    pub rounds: i64,
    pub done: i64,
}

impl WalkersRounds {
    /// The walkers' ids.
    pub fn people(&self) -> Vec<UserId> {
        super::tasks::walkers_of(&self.walkers)
    }
}

/// The rounds starting in [from, to) that ended before `now`, by set of walkers (a few per
/// community: the plans' people), each walker's share added up by the caller.
pub(crate) async fn rounds_by_walker(
    q: &mut impl Queries,
    communities: &[CommunityId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    now: DateTime<Utc>,
) -> CoreResult<Vec<WalkersRounds>> {
    let mut a = Args::new();
    let w = in_list(&mut a, "community_id", communities);
    let (f, t, n) = (a.push(from), a.push(to), a.push(now));
    q.fetch_all(
        &format!(
            "SELECT walkers, COUNT(*) AS rounds, SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END) AS done \
             FROM patrol_tasks WHERE {w} AND starts_at >= {f} AND starts_at < {t} AND ends_at <= {n} \
             AND walkers <> '' GROUP BY walkers"
        ),
        a,
    )
    .await
}
