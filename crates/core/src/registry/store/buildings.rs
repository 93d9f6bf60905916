//! SQL of buildings. A building's unit count is computed in its SELECT, so a list shows it
//! without a second query.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Db, Tx};
use crate::registry::model::Building;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::BUILDING_SELECT;

pub(in crate::registry) async fn list(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<Building>> {
    db.read()
        .fetch_all(
            &format!("{BUILDING_SELECT} WHERE b.community_id = $1 ORDER BY b.name"),
            args![community],
        )
        .await
}

pub(in crate::registry) async fn get(db: &Db, id: BuildingId) -> CoreResult<Option<Building>> {
    db.read()
        .fetch_optional(&format!("{BUILDING_SELECT} WHERE b.id = $1"), args![id])
        .await
}

/// The building as the transaction sees it (just written).
pub(in crate::registry) async fn get_in(tx: &mut Tx, id: BuildingId) -> CoreResult<Building> {
    tx.fetch_one(&format!("{BUILDING_SELECT} WHERE b.id = $1"), args![id])
        .await
}

/// True when another building of the community (not `except`) has this name.
pub(in crate::registry) async fn name_taken(
    tx: &mut Tx,
    community: CommunityId,
    name: Option<String>,
    except: Option<BuildingId>,
) -> CoreResult<bool> {
    Ok(match except {
        None => {
            let dup: Option<(i64,)> = tx
                .fetch_optional(
                    "SELECT id FROM buildings WHERE community_id = $1 AND name = $2",
                    args![community, name],
                )
                .await?;
            dup.is_some()
        }
        Some(id) => {
            let dup: Option<(BuildingId,)> = tx
                .fetch_optional(
                    "SELECT id FROM buildings WHERE community_id = $1 AND name = $2 AND id <> $3",
                    args![community, name, id],
                )
                .await?;
            dup.is_some()
        }
    })
}

pub(in crate::registry) async fn insert(
    tx: &mut Tx,
    community: CommunityId,
    name: Option<String>,
    floors: Option<i64>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO buildings (community_id, name, floors, note, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) RETURNING id",
        args![community, name, floors, note, now],
    )
    .await
}

pub(in crate::registry) async fn update(
    tx: &mut Tx,
    id: BuildingId,
    name: Option<String>,
    floors: Option<i64>,
    note: Option<String>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE buildings SET name = $1, floors = $2, note = $3, updated_at = $4 WHERE id = $5",
        args![name, floors, note, now, id],
    )
    .await
}

pub(in crate::registry) async fn unit_count(tx: &mut Tx, id: BuildingId) -> CoreResult<i64> {
    let (n,): (i64,) = tx
        .fetch_one(
            "SELECT COUNT(*) FROM units WHERE building_id = $1",
            args![id],
        )
        .await?;
    Ok(n)
}

pub(in crate::registry) async fn delete(tx: &mut Tx, id: BuildingId) -> CoreResult<u64> {
    tx.execute("DELETE FROM buildings WHERE id = $1", args![id])
        .await
}
