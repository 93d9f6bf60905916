//! What an audit's evidence (品质核查) reads of community life: activities held (社区活动) and
//! the notices published and the board (信息公示).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct ActivityTally {
    /// Activities starting in the window (not cancelled), done, and done with a summary.
    pub held: i64,
    pub done: i64,
    pub summarised: i64,
}

pub(crate) async fn activity_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<ActivityTally> {
    q.fetch_one(
        "SELECT COUNT(*) AS held, \
         COALESCE(SUM(CASE WHEN state = 'done' THEN 1 ELSE 0 END), 0) AS done, \
         COALESCE(SUM(CASE WHEN state = 'done' AND summary <> '' THEN 1 ELSE 0 END), 0) AS summarised \
         FROM activities WHERE community_id = $1 AND state <> 'cancelled' \
         AND starts_at >= $2 AND starts_at < $3",
        args![c, from, to],
    )
    .await
}

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct NoticeTally {
    /// Notices published in the window, and those on the board at its end.
    pub published: i64,
    pub showing: i64,
    /// 1 when the community keeps its public board (services, contacts, complaint phone).
    pub board: i64,
}

pub(crate) async fn notice_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<NoticeTally> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM announcements WHERE community_id = $1 AND state = 'published' \
          AND publish_at >= $2 AND publish_at < $3) AS published, \
         (SELECT COUNT(*) FROM announcements WHERE community_id = $1 AND state = 'published' \
          AND publish_at <= $3 AND (expires_at IS NULL OR expires_at > $3)) AS showing, \
         (SELECT COUNT(*) FROM community_boards WHERE community_id = $1) AS board",
        args![c, from, to],
    )
    .await
}
