//! Parcels: a year of them bulk-loaded in the shape `receive_parcel` and `pick_up_parcel` leave
//! them, and the counts that check the intake against its answers.

use wuye_core::db::{Bulk, Tx, Value};
use wuye_core::shared::ids::{CommunityId, UserId};
use wuye_core::{Core, args};

use super::super::count;
use super::{AnyResult, Ts};

/// One bulk-loaded parcel, every column decided by the benchmark's planner.
pub(crate) struct ParcelRow {
    pub id: i64,
    pub community: CommunityId,
    pub kind: &'static str,
    pub carrier: &'static str,
    pub tracking_no: Option<String>,
    pub unit: Option<i64>,
    pub recipient: Option<i64>,
    pub recipient_name: String,
    pub phone_enc: Option<Vec<u8>>,
    pub shelf: String,
    pub code: String,
    pub state: &'static str,
    pub received_at: Ts,
    pub received_by: UserId,
    pub reminded_at: Option<Ts>,
    pub reminders: i64,
    pub picked_at: Option<Ts>,
    pub picked_by_name: Option<String>,
    pub pickup_method: Option<&'static str>,
    pub id_number_masked: Option<String>,
    pub handed_by: Option<UserId>,
    pub returned_at: Option<Ts>,
    pub return_note: Option<&'static str>,
}

/// Values bound per row (every column; `note` NULL): a statement of 1,000 rows stays under
/// SQLite's 32,766 parameters.
pub(crate) const PARCEL_BINDS: usize = 24;

/// One multi-row INSERT of `rows` (at most 32,766 / [`PARCEL_BINDS`] of them).
pub(crate) async fn insert_parcels(tx: &mut Tx, rows: Vec<ParcelRow>) -> AnyResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(rows.len(), PARCEL_BINDS);
    for r in rows {
        b.row([
            Value::from(r.id),
            Value::from(r.community),
            Value::from(r.kind),
            Value::from(r.carrier),
            Value::from(r.tracking_no),
            Value::from(r.unit),
            Value::from(r.recipient),
            Value::from(r.recipient_name),
            Value::from(r.phone_enc),
            Value::from(r.shelf),
            Value::from(r.code),
            Value::from(r.state),
            Value::Str(None),
            Value::from(r.received_at),
            Value::from(r.received_by),
            Value::from(r.reminded_at),
            Value::from(r.reminders),
            Value::from(r.picked_at),
            Value::from(r.picked_by_name),
            Value::from(r.pickup_method),
            Value::from(r.id_number_masked),
            Value::from(r.handed_by),
            Value::from(r.returned_at),
            Value::from(r.return_note),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO parcels (id, community_id, kind, carrier, tracking_no, unit_id, recipient_id, \
         recipient_name, phone_enc, shelf, code, state, note, received_at, received_by, reminded_at, \
         reminders, picked_at, picked_by_name, pickup_method, id_number_masked, handed_by, \
         returned_at, return_note)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// Parcels of a community (every community with `None`) in `state` (any with `None`).
pub(crate) async fn count_parcels(
    core: &Core,
    c: Option<CommunityId>,
    state: Option<&str>,
) -> AnyResult<i64> {
    match (c, state) {
        (Some(c), Some(s)) => {
            count(
                core,
                "SELECT COUNT(*) FROM parcels WHERE community_id = $1 AND state = $2",
                args![c, s],
            )
            .await
        }
        (Some(c), None) => {
            count(
                core,
                "SELECT COUNT(*) FROM parcels WHERE community_id = $1",
                args![c],
            )
            .await
        }
        (None, Some(s)) => {
            count(
                core,
                "SELECT COUNT(*) FROM parcels WHERE state = $1",
                args![s],
            )
            .await
        }
        (None, None) => count(core, "SELECT COUNT(*) FROM parcels", args![]).await,
    }
}

/// Parcels of a community written after the row `after` (the intake's, as ids follow time).
pub(crate) async fn count_parcels_after(core: &Core, c: CommunityId, after: i64) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM parcels WHERE community_id = $1 AND id > $2",
        args![c, after],
    )
    .await
}
