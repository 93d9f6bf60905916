//! SQL of drills (演练).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A drill as recorded.
    pub(crate) struct DrillRow {
        pub id: DrillId,
        pub community_id: CommunityId,
        pub plan_id: PlanId,
        pub held_on: NaiveDate,
        pub place: String,
        pub participants: String,
        pub findings: String,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
    }
}

const COLS: &str =
    "id, community_id, plan_id, held_on, place, participants, findings, created_by, created_at";

/// A drill to record.
pub(crate) struct NewDrill<'a> {
    pub plan: PlanId,
    pub held_on: NaiveDate,
    pub place: &'a str,
    pub participants: &'a str,
    pub findings: &'a str,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    c: CommunityId,
    d: &NewDrill<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<DrillId> {
    let id = tx
        .insert_id(
            "INSERT INTO drills (community_id, plan_id, held_on, place, participants, findings, created_by, \
             created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![c, d.plan, d.held_on, d.place, d.participants, d.findings, by, now],
        )
        .await?;
    Ok(DrillId(id))
}

pub(crate) async fn get(q: &mut impl Queries, id: DrillId) -> CoreResult<Option<DrillRow>> {
    q.fetch_optional(
        &format!("SELECT {COLS} FROM drills WHERE id = $1"),
        args![id],
    )
    .await
}

/// The community's drills, latest first.
pub(crate) async fn list(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<DrillRow>> {
    q.fetch_all(
        &format!(
            "SELECT {COLS} FROM drills WHERE community_id = $1 ORDER BY held_on DESC, id DESC LIMIT 500"
        ),
        args![c],
    )
    .await
}
