//! Visitors: a year of visits and the passes they came in with, bulk-loaded in the shape
//! `register_visit`, `check_in_pass` and `check_out_visit` leave them, the passes the check-ins
//! scan, and the counts that check the check-ins against their answers.

use wuye_core::db::{Bulk, Tx, Value};
use wuye_core::shared::ids::{CommunityId, UserId};
use wuye_core::{Core, args};

use super::super::count;
use super::{AnyResult, Ts};

/// One bulk-loaded pass, every column decided by the benchmark's planner (the visitor's ID
/// number and phone left NULL: nothing measured reads them).
#[derive(Clone)]
pub(crate) struct PassRow {
    pub id: i64,
    pub community: CommunityId,
    pub kind: &'static str,
    pub code: String,
    pub number: Option<String>,
    pub holder_name: String,
    pub unit: Option<i64>,
    pub unit_label: Option<String>,
    pub host: Option<i64>,
    pub host_name: Option<String>,
    pub purpose: &'static str,
    pub plate: Option<String>,
    pub party_size: i64,
    pub valid_from: Ts,
    pub valid_until: Ts,
    pub used_at: Option<Ts>,
    pub entries: i64,
    pub created_by: Option<UserId>,
    pub created_at: Ts,
}

/// Values bound per pass (every column but `revoked_at`, NULL).
const PASS_BINDS: usize = 23;

/// One bulk-loaded visit (ID number and phone NULL, as for the passes).
pub(crate) struct VisitRow {
    pub id: i64,
    pub community: CommunityId,
    pub pass: Option<i64>,
    pub visitor_name: String,
    pub unit: Option<i64>,
    pub unit_label: Option<String>,
    pub host: Option<i64>,
    pub host_name: Option<String>,
    pub purpose: &'static str,
    pub plate: Option<String>,
    pub party_size: i64,
    pub answer: Option<&'static str>,
    pub answered_how: Option<&'static str>,
    pub answered_at: Option<Ts>,
    pub answered_by: Option<UserId>,
    pub in_at: Ts,
    pub in_by: UserId,
    pub out_at: Option<Ts>,
    pub out_by: Option<UserId>,
}

/// Values bound per visit (every column).
const VISIT_BINDS: usize = 23;

/// Rows per statement: under SQLite's 32,766 parameters at 23 values a row.
const ROWS_PER_INSERT: usize = 1000;

/// Multi-row INSERTs of `rows`, [`ROWS_PER_INSERT`] at a time.
pub(crate) async fn insert_passes(tx: &mut Tx, rows: Vec<PassRow>) -> AnyResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut b = Bulk::with_capacity(ROWS_PER_INSERT, PASS_BINDS);
        for r in rows.by_ref().take(ROWS_PER_INSERT) {
            b.row([
                Value::from(r.id),
                Value::from(r.community),
                Value::from(r.kind),
                Value::from(r.code),
                Value::from(r.number),
                Value::from(r.holder_name),
                Value::Str(None),
                Value::Bytes(None),
                Value::Str(None),
                Value::Bytes(None),
                Value::from(r.unit),
                Value::from(r.unit_label),
                Value::from(r.host),
                Value::from(r.host_name),
                Value::from(r.purpose),
                Value::from(r.plate),
                Value::from(r.party_size),
                Value::from(r.valid_from),
                Value::from(r.valid_until),
                Value::from(r.used_at),
                Value::from(r.entries),
                Value::from(r.created_by),
                Value::from(r.created_at),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO visitor_passes (id, community_id, kind, code, number, holder_name, id_type, \
             id_number_enc, id_number_masked, phone_enc, unit_id, unit_label, host_person_id, \
             host_name, purpose, plate, party_size, valid_from, valid_until, used_at, entries, \
             created_by, created_at)",
            "",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

pub(crate) async fn insert_visits(tx: &mut Tx, rows: Vec<VisitRow>) -> AnyResult<()> {
    let mut rows = rows.into_iter().peekable();
    while rows.peek().is_some() {
        let mut b = Bulk::with_capacity(ROWS_PER_INSERT, VISIT_BINDS);
        for r in rows.by_ref().take(ROWS_PER_INSERT) {
            b.row([
                Value::from(r.id),
                Value::from(r.community),
                Value::from(r.pass),
                Value::from(r.visitor_name),
                Value::Str(None),
                Value::Bytes(None),
                Value::Str(None),
                Value::Bytes(None),
                Value::from(r.unit),
                Value::from(r.unit_label),
                Value::from(r.host),
                Value::from(r.host_name),
                Value::from(r.purpose),
                Value::from(r.plate),
                Value::from(r.party_size),
                Value::from(r.answer),
                Value::from(r.answered_how),
                Value::from(r.answered_at),
                Value::from(r.answered_by),
                Value::from(r.in_at),
                Value::from(r.in_by),
                Value::from(r.out_at),
                Value::from(r.out_by),
            ]);
        }
        let (sql, a) = b.finish(
            "INSERT INTO visits (id, community_id, pass_id, visitor_name, id_type, id_number_enc, \
             id_number_masked, phone_enc, unit_id, unit_label, host_person_id, host_name, purpose, \
             plate, party_size, answer, answered_how, answered_at, answered_by, in_at, in_by, \
             out_at, out_by)",
            "",
        );
        tx.execute(&sql, a).await?;
    }
    Ok(())
}

/// A host as the gate's register names him: (unit, its label as the desk writes it, person,
/// name).
pub(crate) type Host = (i64, String, i64, String);

/// Every (unit, person) of a community with the unit's label and the person's name, in unit
/// order.
pub(crate) async fn hosts(core: &Core, c: CommunityId) -> AnyResult<Vec<Host>> {
    Ok(core
        .db
        .read()
        .fetch_all(
            "SELECT up.unit_id, b.name || '-' || u.unit_no, p.id, p.name FROM unit_people up \
             JOIN units u ON u.id = up.unit_id JOIN buildings b ON b.id = u.building_id \
             JOIN people p ON p.id = up.person_id WHERE up.community_id = $1 \
             ORDER BY up.unit_id, p.id",
            args![c],
        )
        .await?)
}

/// Visits of a community (every community with `None`); `inside`: only those not gone out.
pub(crate) async fn count_visits(
    core: &Core,
    c: Option<CommunityId>,
    inside: bool,
) -> AnyResult<i64> {
    let out = if inside { " AND out_at IS NULL" } else { "" };
    match c {
        Some(c) => {
            count(
                core,
                &format!("SELECT COUNT(*) FROM visits WHERE community_id = $1{out}"),
                args![c],
            )
            .await
        }
        None => {
            count(
                core,
                &format!("SELECT COUNT(*) FROM visits WHERE TRUE{out}"),
                args![],
            )
            .await
        }
    }
}

/// Passes of `kind` in every community.
pub(crate) async fn count_passes(core: &Core, kind: &str) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM visitor_passes WHERE kind = $1",
        args![kind],
    )
    .await
}

/// Visits of a community written after the row `after` (the check-ins', as ids follow time).
pub(crate) async fn count_visits_after(core: &Core, c: CommunityId, after: i64) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM visits WHERE community_id = $1 AND id > $2",
        args![c, after],
    )
    .await
}

/// Passes of a community after the row `after` (those the check-ins scan) with exactly one
/// entry and its moment recorded: what each should be after one 201 and any refusals.
pub(crate) async fn count_passes_entered_once(
    core: &Core,
    c: CommunityId,
    after: i64,
) -> AnyResult<i64> {
    count(
        core,
        "SELECT COUNT(*) FROM visitor_passes WHERE community_id = $1 AND id > $2 \
         AND entries = 1 AND used_at IS NOT NULL",
        args![c, after],
    )
    .await
}
