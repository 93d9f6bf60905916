//! SQL of vacant-unit inspections (空置房巡查). The inspector's name comes from a read-only
//! join to users.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::registry::model::VacantInspection;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The unit's inspections, newest first.
pub(in crate::registry) async fn of_unit(
    db: &Db,
    unit: UnitId,
) -> CoreResult<Vec<VacantInspection>> {
    db.read()
        .fetch_all(
            "SELECT i.id, i.unit_id, i.inspected_on, i.inspector_id, u.display_name AS inspector_name, i.findings, i.created_at \
             FROM vacant_inspections i LEFT JOIN users u ON u.id = i.inspector_id WHERE i.unit_id = $1 ORDER BY i.inspected_on DESC, i.id DESC",
            args![unit],
        )
        .await
}

#[allow(clippy::too_many_arguments)]
pub(in crate::registry) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    unit: UnitId,
    inspected_on: NaiveDate,
    inspector: Option<UserId>,
    findings: Option<String>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO vacant_inspections (community_id, unit_id, inspected_on, inspector_id, findings, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![community, unit, inspected_on, inspector, findings, now],
    )
    .await
}
