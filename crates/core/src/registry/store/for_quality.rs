//! What an audit's evidence (品质核查) reads of the registry: vacant units and their
//! inspections (空置房管理), and the key-customer list (重点客户).

use chrono::NaiveDate;

use crate::args;
use crate::db::Queries;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

#[derive(Debug, Clone, Default, sqlx::FromRow)]
pub(crate) struct VacantTally {
    /// Units vacant now, and those of them inspected in the window.
    pub vacant: i64,
    pub inspected: i64,
    /// Inspections recorded in the window.
    pub inspections: i64,
}

/// The community's vacant units and their inspections on days `from`..=`to`.
pub(crate) async fn vacant_tally(
    q: &mut impl Queries,
    c: CommunityId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<VacantTally> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM units WHERE community_id = $1 AND state = 'vacant') AS vacant, \
         (SELECT COUNT(DISTINCT i.unit_id) FROM vacant_inspections i JOIN units u ON u.id = i.unit_id \
          WHERE i.community_id = $1 AND u.state = 'vacant' AND i.inspected_on >= $2 \
          AND i.inspected_on <= $3) AS inspected, \
         (SELECT COUNT(*) FROM vacant_inspections WHERE community_id = $1 AND inspected_on >= $2 \
          AND inspected_on <= $3) AS inspections",
        args![c, from, to],
    )
    .await
}

/// The community's key customers, and how many of them carry a note of why.
pub(crate) async fn key_customers(q: &mut impl Queries, c: CommunityId) -> CoreResult<(i64, i64)> {
    q.fetch_one(
        "SELECT COUNT(*), COALESCE(SUM(CASE WHEN key_customer_note IS NOT NULL \
         AND key_customer_note <> '' THEN 1 ELSE 0 END), 0) FROM people \
         WHERE community_id = $1 AND is_key_customer = $2",
        args![c, true],
    )
    .await
}
