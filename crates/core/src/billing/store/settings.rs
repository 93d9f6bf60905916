//! A community's billing settings (`billing_settings`): one row per community, absent until
//! a manager saves them (the service supplies the defaults).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// `(prepaid_enabled, meter_jump_factor, release_blocks_arrears)`, when saved.
pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<(bool, i64, bool)>> {
    q.fetch_optional(
        "SELECT prepaid_enabled, meter_jump_factor, release_blocks_arrears FROM billing_settings \
         WHERE community_id = $1",
        args![c],
    )
    .await
}

pub(crate) async fn save(
    tx: &mut Tx,
    c: CommunityId,
    prepaid_enabled: bool,
    meter_jump_factor: i64,
    release_blocks_arrears: bool,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO billing_settings (community_id, prepaid_enabled, meter_jump_factor, \
         release_blocks_arrears, updated_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (community_id) \
         DO UPDATE SET prepaid_enabled = $2, meter_jump_factor = $3, release_blocks_arrears = $4, \
         updated_at = $5",
        args![c, prepaid_enabled, meter_jump_factor, release_blocks_arrears, now],
    )
    .await?;
    Ok(())
}
