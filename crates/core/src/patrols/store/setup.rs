//! SQL of what a manager sets up: checkpoints with their labels and items, routes of ordered
//! checkpoints, and plans with their people.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Args, Bulk, Queries, Rows, Tx, Value};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A checkpoint as stored.
    pub(crate) struct CheckpointRow {
        pub id: CheckpointId,
        pub community_id: CommunityId,
        pub name: String,
        pub location: Option<String>,
        pub building_id: Option<i64>,
        pub lat_micro: Option<i64>,
        pub lng_micro: Option<i64>,
        pub radius_m: i64,
        pub nfc_tag: Option<String>,
        pub secret: String,
        pub label_version: i64,
        pub active: bool,
    }
}

const CHECKPOINT_COLS: &str = "id, community_id, name, location, building_id, lat_micro, \
     lng_micro, radius_m, nfc_tag, secret, label_version, active";

crate::row! {
    /// A check item as stored.
    pub(crate) struct ItemRow {
        pub id: PatrolItemId,
        pub checkpoint_id: CheckpointId,
        pub position: i64,
        pub kind: String,
        pub label: String,
        pub unit: Option<String>,
        pub min_milli: Option<i64>,
        pub max_milli: Option<i64>,
        pub options: Option<String>,
        pub abnormal_options: Option<String>,
        pub required: bool,
        pub equipment_id: Option<i64>,
        pub meter: Option<String>,
    }
}

const ITEM_COLS: &str = "id, checkpoint_id, position, kind, label, unit, min_milli, max_milli, \
     options, abnormal_options, required, equipment_id, meter";

/// The fields of a checkpoint that are written.
pub(crate) struct CheckpointFields<'a> {
    pub name: &'a str,
    pub location: Option<&'a str>,
    pub building_id: Option<BuildingId>,
    pub lat_micro: Option<i64>,
    pub lng_micro: Option<i64>,
    pub radius_m: i64,
    pub nfc_tag: Option<&'a str>,
    pub active: bool,
}

/// An item to write.
pub(crate) struct NewItem<'a> {
    pub kind: &'a str,
    pub label: &'a str,
    pub unit: Option<&'a str>,
    pub min_milli: Option<i64>,
    pub max_milli: Option<i64>,
    pub options: Option<String>,
    pub abnormal_options: Option<String>,
    pub required: bool,
    pub equipment_id: Option<i64>,
    pub meter: Option<&'a str>,
}

pub(crate) async fn insert_checkpoint(
    tx: &mut Tx,
    c: CommunityId,
    f: &CheckpointFields<'_>,
    secret: &str,
    now: DateTime<Utc>,
) -> CoreResult<CheckpointId> {
    tx.insert_id(
        "INSERT INTO patrol_checkpoints (community_id, name, location, building_id, lat_micro, \
         lng_micro, radius_m, nfc_tag, secret, label_version, active, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 1, $10, $11, $11) RETURNING id",
        args![
            c,
            f.name,
            f.location,
            f.building_id,
            f.lat_micro,
            f.lng_micro,
            f.radius_m,
            f.nfc_tag,
            secret,
            f.active,
            now
        ],
    )
    .await
    .map(CheckpointId)
}

pub(crate) async fn update_checkpoint(
    tx: &mut Tx,
    c: CommunityId,
    id: CheckpointId,
    f: &CheckpointFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE patrol_checkpoints SET name = $1, location = $2, building_id = $3, \
         lat_micro = $4, lng_micro = $5, radius_m = $6, nfc_tag = $7, active = $8, \
         updated_at = $9 WHERE community_id = $10 AND id = $11",
        args![
            f.name,
            f.location,
            f.building_id,
            f.lat_micro,
            f.lng_micro,
            f.radius_m,
            f.nfc_tag,
            f.active,
            now,
            c,
            id
        ],
    )
    .await
}

/// A new label: a new secret, the version counted up (old labels stop proving a visit).
pub(crate) async fn rotate_secret(
    tx: &mut Tx,
    c: CommunityId,
    id: CheckpointId,
    secret: &str,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE patrol_checkpoints SET secret = $1, label_version = label_version + 1, \
         updated_at = $2 WHERE community_id = $3 AND id = $4",
        args![secret, now, c, id],
    )
    .await
}

pub(crate) async fn checkpoint(
    q: &mut impl Queries,
    c: CommunityId,
    id: CheckpointId,
) -> CoreResult<Option<CheckpointRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {CHECKPOINT_COLS} FROM patrol_checkpoints WHERE community_id = $1 AND id = $2"
        ),
        args![c, id],
    )
    .await
}

/// The community's checkpoints by name (`ids`: only those).
pub(crate) async fn checkpoints(
    q: &mut impl Queries,
    c: CommunityId,
    ids: Option<&[i64]>,
) -> CoreResult<Vec<CheckpointRow>> {
    let mut a = args![c];
    let only = match ids {
        Some(ids) => format!(" AND {}", crate::db::in_list(&mut a, "id", ids)),
        None => String::new(),
    };
    q.fetch_all(
        &format!(
            "SELECT {CHECKPOINT_COLS} FROM patrol_checkpoints WHERE community_id = $1{only} \
             ORDER BY name, id"
        ),
        a,
    )
    .await
}

/// The checkpoint of the community with this NFC tag, other than `but`.
pub(crate) async fn nfc_taken(
    q: &mut impl Queries,
    c: CommunityId,
    tag: &str,
    but: Option<CheckpointId>,
) -> CoreResult<bool> {
    let row: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM patrol_checkpoints WHERE community_id = $1 AND nfc_tag = $2 \
             AND id <> $3",
            args![c, tag, but.map_or(0, |b| b.0)],
        )
        .await?;
    Ok(row.is_some())
}

/// Replaces a checkpoint's items.
pub(crate) async fn replace_items(
    tx: &mut Tx,
    c: CommunityId,
    checkpoint: CheckpointId,
    items: &[NewItem<'_>],
) -> CoreResult<()> {
    // Items that results already point to stay (history keeps its labels); the others go.
    tx.execute(
        "DELETE FROM patrol_items WHERE community_id = $1 AND checkpoint_id = $2 \
         AND id NOT IN (SELECT item_id FROM patrol_results WHERE community_id = $1)",
        args![c, checkpoint],
    )
    .await?;
    tx.execute(
        "UPDATE patrol_items SET position = -1 - position WHERE community_id = $1 \
         AND checkpoint_id = $2 AND position >= 0",
        args![c, checkpoint],
    )
    .await?;
    if items.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(items.len(), 14);
    for (i, it) in items.iter().enumerate() {
        b.row([
            Value::from(c),
            Value::from(checkpoint),
            Value::from(i as i64),
            Value::from(it.kind),
            Value::from(it.label),
            Value::from(it.unit),
            Value::from(it.min_milli),
            Value::from(it.max_milli),
            Value::from(it.options.clone()),
            Value::from(it.abnormal_options.clone()),
            Value::from(it.required),
            Value::from(it.equipment_id),
            Value::from(it.meter),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO patrol_items (community_id, checkpoint_id, position, kind, label, unit, \
         min_milli, max_milli, options, abnormal_options, required, equipment_id, meter)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

/// The current items (position ≥ 0) of these checkpoints, in order.
pub(crate) async fn items_of(
    q: &mut impl Queries,
    c: CommunityId,
    checkpoints: &[i64],
) -> CoreResult<Vec<ItemRow>> {
    items_where(q, c, checkpoints, " AND position >= 0").await
}

/// Every item these checkpoints have had that still exists (replaced ones that results point
/// to, too: a phone that downloaded them this morning may still send them).
pub(crate) async fn items_any(
    q: &mut impl Queries,
    c: CommunityId,
    checkpoints: &[i64],
) -> CoreResult<Vec<ItemRow>> {
    items_where(q, c, checkpoints, "").await
}

async fn items_where(
    q: &mut impl Queries,
    c: CommunityId,
    checkpoints: &[i64],
    extra: &str,
) -> CoreResult<Vec<ItemRow>> {
    if checkpoints.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = crate::db::in_list(&mut a, "checkpoint_id", checkpoints);
    q.fetch_all(
        &format!(
            "SELECT {ITEM_COLS} FROM patrol_items WHERE community_id = $1 AND {cond}{extra} \
             ORDER BY checkpoint_id, position"
        ),
        a,
    )
    .await
}

crate::row! {
    /// A route with its number of checkpoints.
    pub(crate) struct RouteRow {
        pub id: RouteId,
        pub community_id: CommunityId,
        pub name: String,
        pub kind: String,
        pub ordered: bool,
        pub active: bool,
        pub stops: i64,
    }
}

const ROUTE_COLS: &str = "r.id, r.community_id, r.name, r.kind, r.ordered, r.active, \
     (SELECT COUNT(*) FROM patrol_route_stops s WHERE s.community_id = r.community_id \
     AND s.route_id = r.id) AS stops";

pub(crate) async fn insert_route(
    tx: &mut Tx,
    c: CommunityId,
    name: &str,
    kind: &str,
    ordered: bool,
    now: DateTime<Utc>,
) -> CoreResult<RouteId> {
    tx.insert_id(
        "INSERT INTO patrol_routes (community_id, name, kind, ordered, active, created_at, \
         updated_at) VALUES ($1, $2, $3, $4, $5, $6, $6) RETURNING id",
        args![c, name, kind, ordered, true, now],
    )
    .await
    .map(RouteId)
}

/// The fields of a route that are rewritten.
pub(crate) struct RouteFields<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub ordered: bool,
    pub active: bool,
}

pub(crate) async fn update_route(
    tx: &mut Tx,
    c: CommunityId,
    id: RouteId,
    f: &RouteFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE patrol_routes SET name = $1, kind = $2, ordered = $3, active = $4, \
         updated_at = $5 WHERE community_id = $6 AND id = $7",
        args![f.name, f.kind, f.ordered, f.active, now, c, id],
    )
    .await
}

/// Replaces a route's stops with these checkpoints, in order.
pub(crate) async fn set_stops(
    tx: &mut Tx,
    c: CommunityId,
    route: RouteId,
    checkpoints: &[CheckpointId],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM patrol_route_stops WHERE community_id = $1 AND route_id = $2",
        args![c, route],
    )
    .await?;
    if checkpoints.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(checkpoints.len(), 4);
    for (i, cp) in checkpoints.iter().enumerate() {
        b.row([
            Value::from(c),
            Value::from(route),
            Value::from(i as i64),
            Value::from(*cp),
        ]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO patrol_route_stops (community_id, route_id, position, checkpoint_id)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

pub(crate) async fn route(
    q: &mut impl Queries,
    c: CommunityId,
    id: RouteId,
) -> CoreResult<Option<RouteRow>> {
    q.fetch_optional(
        &format!(
            "SELECT {ROUTE_COLS} FROM patrol_routes r WHERE r.community_id = $1 AND r.id = $2"
        ),
        args![c, id],
    )
    .await
}

pub(crate) async fn routes(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<RouteRow>> {
    q.fetch_all(
        &format!("SELECT {ROUTE_COLS} FROM patrol_routes r WHERE r.community_id = $1 ORDER BY r.name, r.id"),
        args![c],
    )
    .await
}

/// The checkpoints of routes in order: (route, position, checkpoint).
pub(crate) async fn stops(
    q: &mut impl Queries,
    c: CommunityId,
    routes: &[i64],
) -> CoreResult<Vec<(RouteId, i64, CheckpointId)>> {
    if routes.is_empty() {
        return Ok(Vec::new());
    }
    let mut a = args![c];
    let cond = crate::db::in_list(&mut a, "route_id", routes);
    q.fetch_all(
        &format!(
            "SELECT route_id, position, checkpoint_id FROM patrol_route_stops \
             WHERE community_id = $1 AND {cond} ORDER BY route_id, position"
        ),
        a,
    )
    .await
}

crate::row! {
    /// A plan as stored.
    pub(crate) struct PlanRow {
        pub id: PatrolPlanId,
        pub community_id: CommunityId,
        pub route_id: RouteId,
        pub name: String,
        pub frequency: String,
        pub every_hours: Option<i64>,
        pub weekdays: Option<String>,
        pub month_days: Option<String>,
        pub window_start: String,
        pub window_end: String,
        pub duration_minutes: i64,
        pub shift_code: Option<String>,
        pub supervisor_id: Option<UserId>,
        pub starts_on: NaiveDate,
        pub ends_on: Option<NaiveDate>,
        pub active: bool,
    }
}

const PLAN_COLS: &str = "id, community_id, route_id, name, frequency, every_hours, weekdays, \
     month_days, window_start, window_end, duration_minutes, shift_code, supervisor_id, \
     starts_on, ends_on, active";

/// The fields of a plan that are written.
pub(crate) struct PlanFields<'a> {
    pub route_id: RouteId,
    pub name: &'a str,
    pub frequency: &'a str,
    pub every_hours: Option<i64>,
    pub weekdays: Option<String>,
    pub month_days: Option<String>,
    pub window_start: String,
    pub window_end: String,
    pub duration_minutes: i64,
    pub shift_code: Option<&'a str>,
    pub supervisor_id: Option<UserId>,
    pub starts_on: NaiveDate,
    pub ends_on: Option<NaiveDate>,
    pub active: bool,
}

fn plan_args(f: &PlanFields<'_>) -> Args {
    args![
        f.route_id,
        f.name,
        f.frequency,
        f.every_hours,
        f.weekdays.clone(),
        f.month_days.clone(),
        f.window_start.clone(),
        f.window_end.clone(),
        f.duration_minutes,
        f.shift_code,
        f.supervisor_id,
        f.starts_on,
        f.ends_on,
        f.active
    ]
}

pub(crate) async fn insert_plan(
    tx: &mut Tx,
    c: CommunityId,
    f: &PlanFields<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<PatrolPlanId> {
    let mut a = plan_args(f);
    let (pc, pb, pn) = (a.push(c), a.push(by), a.push(now));
    tx.insert_id(
        &format!(
            "INSERT INTO patrol_plans (route_id, name, frequency, every_hours, weekdays, \
             month_days, window_start, window_end, duration_minutes, shift_code, supervisor_id, \
             starts_on, ends_on, active, community_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, {pc}, {pb}, \
             {pn}, {pn}) RETURNING id"
        ),
        a,
    )
    .await
    .map(PatrolPlanId)
}

pub(crate) async fn update_plan(
    tx: &mut Tx,
    c: CommunityId,
    id: PatrolPlanId,
    f: &PlanFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    let mut a = plan_args(f);
    let (pn, pc, pi) = (a.push(now), a.push(c), a.push(id));
    tx.execute(
        &format!(
            "UPDATE patrol_plans SET route_id = $1, name = $2, frequency = $3, every_hours = $4, \
             weekdays = $5, month_days = $6, window_start = $7, window_end = $8, \
             duration_minutes = $9, shift_code = $10, supervisor_id = $11, starts_on = $12, \
             ends_on = $13, active = $14, updated_at = {pn} WHERE community_id = {pc} AND id = {pi}"
        ),
        a,
    )
    .await
}

pub(crate) async fn set_plan_people(
    tx: &mut Tx,
    c: CommunityId,
    plan: PatrolPlanId,
    people: &[UserId],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM patrol_plan_people WHERE community_id = $1 AND plan_id = $2",
        args![c, plan],
    )
    .await?;
    if people.is_empty() {
        return Ok(());
    }
    let mut b = Bulk::with_capacity(people.len(), 3);
    for u in people {
        b.row([Value::from(c), Value::from(plan), Value::from(*u)]);
    }
    let (sql, a) = b.finish(
        "INSERT INTO patrol_plan_people (community_id, plan_id, user_id)",
        "",
    );
    tx.execute(&sql, a).await?;
    Ok(())
}

pub(crate) async fn plan(
    q: &mut impl Queries,
    c: CommunityId,
    id: PatrolPlanId,
) -> CoreResult<Option<PlanRow>> {
    q.fetch_optional(
        &format!("SELECT {PLAN_COLS} FROM patrol_plans WHERE community_id = $1 AND id = $2"),
        args![c, id],
    )
    .await
}

pub(crate) async fn plans(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<PlanRow>> {
    q.fetch_all(
        &format!("SELECT {PLAN_COLS} FROM patrol_plans WHERE community_id = $1 ORDER BY name, id"),
        args![c],
    )
    .await
}

/// Every active plan of these communities (`None`: all), for task generation.
pub(crate) async fn active_plans(
    q: &mut impl Rows,
    communities: Option<&[i64]>,
) -> CoreResult<Vec<PlanRow>> {
    let mut a = args![true];
    let only = match communities {
        Some(cs) => format!(" AND {}", crate::db::in_list(&mut a, "community_id", cs)),
        None => String::new(),
    };
    q.rows(
        &format!(
            "SELECT {PLAN_COLS} FROM patrol_plans WHERE active = $1{only} \
             ORDER BY community_id, id"
        ),
        a,
    )
    .await
}

/// The people of plans: (plan, user).
pub(crate) async fn plan_people(
    q: &mut impl Rows,
    communities: Option<&[i64]>,
) -> CoreResult<Vec<(PatrolPlanId, UserId)>> {
    let mut a = Args::new();
    let only = match communities {
        Some(cs) => format!(" WHERE {}", crate::db::in_list(&mut a, "community_id", cs)),
        None => String::new(),
    };
    q.rows(
        &format!("SELECT plan_id, user_id FROM patrol_plan_people{only} ORDER BY plan_id, user_id"),
        a,
    )
    .await
}

/// The number of checkpoints of every route of these communities (`None`: all).
pub(crate) async fn stop_counts(
    q: &mut impl Rows,
    communities: Option<&[i64]>,
) -> CoreResult<Vec<(RouteId, i64)>> {
    let mut a = Args::new();
    let only = match communities {
        Some(cs) => format!(" WHERE {}", crate::db::in_list(&mut a, "community_id", cs)),
        None => String::new(),
    };
    q.rows(
        &format!("SELECT route_id, COUNT(*) FROM patrol_route_stops{only} GROUP BY route_id"),
        a,
    )
    .await
}
