//! What the imports of a switch to wuye read and write besides deposits: the units that already
//! got their opening prepaid balance (`prepaid_entries` of kind `opening`) and the meters'
//! baselines (`meters.last_value` and `baseline_on`, for meters never read in wuye).

use chrono::NaiveDate;

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The units of the community whose opening prepaid balance is recorded.
pub(crate) async fn units_with_opening(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64,)>> {
    q.fetch_all(
        "SELECT unit_id FROM prepaid_entries WHERE community_id = $1 AND kind = 'opening'",
        args![c],
    )
    .await
}

/// Every meter of the community: `(id, unit, kind, readings in wuye)`.
pub(crate) async fn meters_with_readings(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, i64, String, i64)>> {
    q.fetch_all(
        "SELECT m.id, m.unit_id, m.kind, COUNT(r.id) FROM meters m \
         LEFT JOIN meter_readings r ON r.community_id = m.community_id AND r.meter_id = m.id \
         WHERE m.community_id = $1 GROUP BY m.id, m.unit_id, m.kind",
        args![c],
    )
    .await
}

/// Sets a meter's baseline, only while it has no reading in wuye; 0 rows when one came
/// meanwhile (or the meter is not the community's).
pub(crate) async fn set_baseline(
    tx: &mut Tx,
    c: CommunityId,
    meter: i64,
    value: i64,
    on: NaiveDate,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE meters SET last_value = $1, baseline_on = $2 WHERE community_id = $3 AND id = $4 \
         AND NOT EXISTS (SELECT 1 FROM meter_readings r WHERE r.community_id = $3 AND r.meter_id = $4)",
        args![value, on, c, meter],
    )
    .await
}

/// The unit's opening prepaid balance (0 when none was imported).
pub(crate) async fn opening_of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<i64> {
    let (n,): (i64,) = q
        .fetch_one(
            "SELECT CAST(COALESCE(SUM(amount_fen), 0) AS BIGINT) FROM prepaid_entries \
             WHERE community_id = $1 AND unit_id = $2 AND kind = 'opening'",
            args![c, unit],
        )
        .await?;
    Ok(n)
}
