//! SQL of the registry search: prefix ranges (`>= p AND < prefix_end(p)`) that walk an index in
//! order and stop at LIMIT, and the phone's blind index for an exact match.

use crate::db::{Args, Db};
use crate::registry::model::{Vehicle, prefix_end};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::{PERSON_SELECT, PersonRow, UNIT_SELECT, UnitRow, VEHICLE_SELECT, in_list};

/// People of the communities whose phone has this blind index.
pub(in crate::registry) async fn people_by_phone_hash(
    db: &Db,
    ids: &[CommunityId],
    hash: Vec<u8>,
    limit: i64,
) -> CoreResult<Vec<PersonRow>> {
    let mut a = Args::new();
    let cond = in_list(&mut a, "p.community_id", ids);
    let h = a.push(hash);
    db.read()
        .fetch_all(
            &format!("{PERSON_SELECT} WHERE {cond} AND p.phone_hash = {h} LIMIT {limit}"),
            a,
        )
        .await
}

/// Units whose number starts with `p`, in a building named `building` (with or without its
/// 栋/座/号楼 suffix) when given.
pub(in crate::registry) async fn units_by_prefix(
    db: &Db,
    ids: &[CommunityId],
    building: Option<String>,
    p: &str,
    limit: i64,
) -> CoreResult<Vec<UnitRow>> {
    let (sql, a) = units_by_prefix_sql(ids, building, p, limit);
    db.read().fetch_all(&sql, a).await
}

/// The SQL of [`units_by_prefix`].
pub(in crate::registry) fn units_by_prefix_sql(
    ids: &[CommunityId],
    building: Option<String>,
    p: &str,
    limit: i64,
) -> (String, Args) {
    let mut a = Args::new();
    let cond = in_list(&mut a, "u.community_id", ids);
    let (lo, hi) = (a.push(p), a.push(prefix_end(p)));
    let mut sql = format!("{UNIT_SELECT} WHERE {cond} AND u.unit_no >= {lo} AND u.unit_no < {hi}");
    if let Some(b) = building {
        let names: Vec<String> = ["", "栋", "座", "号楼"]
            .iter()
            .map(|suffix| a.push(format!("{b}{suffix}")))
            .collect();
        sql.push_str(&format!(" AND b.name IN ({})", names.join(",")));
    }
    sql.push_str(&format!(
        " ORDER BY u.community_id, u.unit_no LIMIT {limit}"
    ));
    (sql, a)
}

/// People whose name starts with `q`.
pub(in crate::registry) async fn people_by_name_prefix(
    db: &Db,
    ids: &[CommunityId],
    q: &str,
    limit: i64,
) -> CoreResult<Vec<PersonRow>> {
    let (sql, a) = people_by_name_prefix_sql(ids, q, limit);
    db.read().fetch_all(&sql, a).await
}

/// The SQL of [`people_by_name_prefix`].
pub(in crate::registry) fn people_by_name_prefix_sql(
    ids: &[CommunityId],
    q: &str,
    limit: i64,
) -> (String, Args) {
    let mut a = Args::new();
    let cond = in_list(&mut a, "p.community_id", ids);
    let (lo, hi) = (a.push(q), a.push(prefix_end(q)));
    (
        format!(
            "{PERSON_SELECT} WHERE {cond} AND p.name >= {lo} AND p.name < {hi} ORDER BY p.community_id, p.name LIMIT {limit}"
        ),
        a,
    )
}

/// Vehicles whose plate starts with `p`.
pub(in crate::registry) async fn vehicles_by_plate_prefix(
    db: &Db,
    ids: &[CommunityId],
    p: &str,
    limit: i64,
) -> CoreResult<Vec<Vehicle>> {
    let mut a = Args::new();
    let cond = in_list(&mut a, "v.community_id", ids);
    let (lo, hi) = (a.push(p), a.push(prefix_end(p)));
    db.read()
        .fetch_all(
            &format!("{VEHICLE_SELECT} WHERE {cond} AND v.plate >= {lo} AND v.plate < {hi} ORDER BY v.community_id, v.plate LIMIT {limit}"),
            a,
        )
        .await
}
