//! What `bench notify` counts behind the services' backs: every outbox message's id, the
//! messages a killed node had leased that the next one sent again, and those its journal held.

use wuye_core::db::Args;
use wuye_core::{Core, args};

use super::super::AnyResult;

pub(crate) async fn outbox_ids(core: &Core) -> AnyResult<Vec<i64>> {
    let rows: Vec<(i64,)> = core
        .db
        .read()
        .fetch_all("SELECT id FROM outbox ORDER BY id", Args::new())
        .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub(crate) async fn in_doubt_attempts(core: &Core) -> AnyResult<i64> {
    let (n,): (i64,) = core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM outbox_attempts WHERE outcome = $1",
            args!["in_doubt"],
        )
        .await?;
    Ok(n)
}

/// Messages the restarted node recorded sent from its journal (taken before the kill).
pub(crate) async fn journaled_attempts(core: &Core) -> AnyResult<i64> {
    let (n,): (i64,) = core
        .db
        .read()
        .fetch_one(
            "SELECT COUNT(*) FROM outbox_attempts WHERE node = $1",
            args!["journal"],
        )
        .await?;
    Ok(n)
}
