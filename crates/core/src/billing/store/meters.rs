//! Meters (`meters`) and their readings (`meter_readings`). A meter's row joins its unit and
//! building for the label the pages and the .xlsx import match on.

use chrono::{DateTime, Utc};

use crate::args;
use crate::billing::{Meter, Reading};
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

const METER_SELECT: &str = "SELECT m.id, m.community_id, m.unit_id, b.name || '-' || u.unit_no AS unit_label, \
     u.building_id, m.kind, m.standard_id, m.last_value, m.active FROM meters m \
     JOIN units u ON u.id = m.unit_id JOIN buildings b ON b.id = u.building_id";

const READING_COLS: &str =
    "id, meter_id, period, prev_value, value, usage, flag, confirmed_at, charge_id";

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    kind: &str,
    standard: i64,
    initial: i64,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO meters (community_id, unit_id, kind, standard_id, last_value, active, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        args![c, unit, kind, standard, initial, true, now],
    )
    .await
}

pub(crate) async fn get(q: &mut impl Queries, id: MeterId) -> CoreResult<Meter> {
    q.fetch_one(&format!("{METER_SELECT} WHERE m.id = $1"), args![id])
        .await
}

pub(crate) async fn in_community(
    q: &mut impl Queries,
    c: CommunityId,
    id: MeterId,
) -> CoreResult<Option<Meter>> {
    q.fetch_optional(
        &format!("{METER_SELECT} WHERE m.id = $1 AND m.community_id = $2"),
        args![id, c],
    )
    .await
}

/// The community's meters building by building, optionally of one building or kind.
pub(crate) async fn list(
    q: &mut impl Queries,
    c: CommunityId,
    building: Option<i64>,
    kind: Option<&str>,
) -> CoreResult<Vec<Meter>> {
    q.fetch_all(
        &format!(
            "{METER_SELECT} WHERE m.community_id = $1 AND ($2 IS NULL OR u.building_id = $2) \
             AND ($3 IS NULL OR m.kind = $3) ORDER BY b.name, u.floor, u.unit_no, m.kind"
        ),
        args![c, building, kind],
    )
    .await
}

/// Moves the meter to `value` only from `prev`; 0 rows when it has moved meanwhile.
pub(crate) async fn advance(tx: &mut Tx, id: MeterId, prev: i64, value: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE meters SET last_value = $1 WHERE id = $2 AND last_value = $3",
        args![value, id, prev],
    )
    .await
}

pub(crate) async fn reading_of_period(
    q: &mut impl Queries,
    c: CommunityId,
    meter: i64,
    period: &str,
) -> CoreResult<Option<Reading>> {
    q.fetch_optional(
        &format!("SELECT {READING_COLS} FROM meter_readings WHERE community_id = $1 AND meter_id = $2 AND period = $3"),
        args![c, meter, period],
    )
    .await
}

/// Is there a counted reading (normal or confirmed) of a later period?
pub(crate) async fn later_reading(
    q: &mut impl Queries,
    c: CommunityId,
    meter: i64,
    period: &str,
) -> CoreResult<bool> {
    let later: Option<(String,)> = q
        .fetch_optional(
            "SELECT period FROM meter_readings WHERE community_id = $1 AND meter_id = $2 AND period > $3 \
             AND (flag IS NULL OR confirmed_at IS NOT NULL) ORDER BY period DESC LIMIT 1",
            args![c, meter, period],
        )
        .await?;
    Ok(later.is_some())
}

/// The usages of the last three counted readings before the period.
pub(crate) async fn recent_usages(
    q: &mut impl Queries,
    c: CommunityId,
    meter: i64,
    period: &str,
) -> CoreResult<Vec<(i64,)>> {
    q.fetch_all(
        "SELECT usage FROM meter_readings WHERE community_id = $1 AND meter_id = $2 AND period < $3 \
         AND (flag IS NULL OR confirmed_at IS NOT NULL) ORDER BY period DESC LIMIT 3",
        args![c, meter, period],
    )
    .await
}

/// What a saved reading holds.
pub(crate) struct ReadingWrite<'a> {
    pub prev: i64,
    pub value: i64,
    pub usage: i64,
    pub flag: Option<&'a str>,
    pub confirmed_by: Option<UserId>,
    pub confirmed_at: Option<DateTime<Utc>>,
    pub charge: Option<i64>,
    pub actor: Option<UserId>,
    pub now: DateTime<Utc>,
}

pub(crate) async fn update_reading(
    tx: &mut Tx,
    c: CommunityId,
    meter: i64,
    period: &str,
    w: ReadingWrite<'_>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE meter_readings SET prev_value = $1, value = $2, usage = $3, flag = $4, confirmed_by = $5, \
         confirmed_at = $6, charge_id = $7, created_by = $8, created_at = $9 \
         WHERE community_id = $10 AND meter_id = $11 AND period = $12",
        args![w.prev, w.value, w.usage, w.flag, w.confirmed_by, w.confirmed_at, w.charge, w.actor, w.now, c, meter, period],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_reading(
    tx: &mut Tx,
    c: CommunityId,
    meter: i64,
    period: &str,
    w: ReadingWrite<'_>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO meter_readings (community_id, meter_id, period, prev_value, value, usage, flag, \
         confirmed_by, confirmed_at, charge_id, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        args![c, meter, period, w.prev, w.value, w.usage, w.flag, w.confirmed_by, w.confirmed_at, w.charge, w.actor, w.now],
    )
    .await?;
    Ok(())
}

/// The reading's community, when it belongs to the company.
pub(crate) async fn reading_community(
    q: &mut impl Queries,
    id: ReadingId,
    company: CompanyId,
) -> CoreResult<Option<CommunityId>> {
    let row: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT r.community_id FROM meter_readings r JOIN communities c ON c.id = r.community_id \
             WHERE r.id = $1 AND c.company_id = $2",
            args![id, company],
        )
        .await?;
    Ok(row.map(|(c,)| c))
}

pub(crate) async fn reading(q: &mut impl Queries, id: ReadingId) -> CoreResult<Reading> {
    q.fetch_one(
        &format!("SELECT {READING_COLS} FROM meter_readings WHERE id = $1"),
        args![id],
    )
    .await
}

pub(crate) async fn confirm_reading(
    tx: &mut Tx,
    id: ReadingId,
    by: Option<UserId>,
    now: DateTime<Utc>,
    charge: Option<i64>,
) -> CoreResult<()> {
    tx.execute(
        "UPDATE meter_readings SET confirmed_by = $1, confirmed_at = $2, charge_id = $3 WHERE id = $4",
        args![by, now, charge, id],
    )
    .await?;
    Ok(())
}

pub(crate) async fn readings_of_period(
    q: &mut impl Queries,
    c: CommunityId,
    period: &str,
) -> CoreResult<Vec<Reading>> {
    q.fetch_all(
        &format!(
            "SELECT {READING_COLS} FROM meter_readings WHERE community_id = $1 AND period = $2"
        ),
        args![c, period],
    )
    .await
}
