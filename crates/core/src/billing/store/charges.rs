//! Charges (`charges`) and their settlements (`settlements`): the ledger's rows. A charge is
//! written once and only its `settled_fen` and `reversed_by` move afterwards, each through a
//! conditional UPDATE that refuses a concurrent second move.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::billing::Charge;
use crate::db::{Backend, Queries, Tx};
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

const CHARGE_COLS: &str = "id, community_id, unit_id, fee_item_id, standard_id, space_id, \
     bill_run_id, kind, period, period_from, period_to, description, basis, amount_fen, settled_fen, \
     due_date, reverses_id, reversed_by, reason, created_at";

/// Locks the units that charges about to be written point at, and checks each is a unit of the
/// community. On PostgreSQL `charges` has no foreign keys (migration 0012: their row-by-row
/// checks cost a bill run 8 s a million): this takes the same lock they took (FOR KEY SHARE, so a
/// unit cannot be deleted until the transaction ends), in one statement for the whole batch.
/// SQLite keeps its foreign keys, which do this in-process.
pub(crate) async fn hold_units(
    tx: &mut Tx,
    c: CommunityId,
    units: impl IntoIterator<Item = i64>,
) -> CoreResult<()> {
    if tx.backend() == Backend::Sqlite {
        return Ok(());
    }
    let mut units: Vec<i64> = units.into_iter().collect();
    units.sort_unstable();
    units.dedup();
    match units[..] {
        [] => Ok(()),
        [one] => {
            let held: Vec<(i64,)> = tx
                .fetch_all(
                    "SELECT id FROM units WHERE community_id = $1 AND id = $2 FOR KEY SHARE",
                    args![c, one],
                )
                .await?;
            HeldUnits(Some(held.into_iter().map(|(id,)| id).collect())).check(units)
        }
        _ => hold_community_units(tx, c).await?.check(units),
    }
}

/// The units of a community locked for its charges ([`hold_community_units`]); `None` on SQLite,
/// whose foreign keys check each charge.
pub(crate) struct HeldUnits(Option<std::collections::HashSet<i64>>);

impl HeldUnits {
    /// Refuses a unit that is not one of those held (404 `unit`).
    pub(crate) fn check(&self, units: impl IntoIterator<Item = i64>) -> CoreResult<()> {
        match &self.0 {
            Some(held) if !units.into_iter().all(|u| held.contains(&u)) => {
                Err(CoreError::NotFound("unit"))
            }
            _ => Ok(()),
        }
    }
}

/// Locks every unit of the community for the charges a transaction writes (see [`hold_units`]),
/// once for a bill run that writes item after item.
pub(crate) async fn hold_community_units(tx: &mut Tx, c: CommunityId) -> CoreResult<HeldUnits> {
    if tx.backend() == Backend::Sqlite {
        return Ok(HeldUnits(None));
    }
    let held: Vec<(i64,)> = tx
        .fetch_all(
            "SELECT id FROM units WHERE community_id = $1 FOR KEY SHARE",
            args![c],
        )
        .await?;
    Ok(HeldUnits(Some(held.into_iter().map(|(id,)| id).collect())))
}

/// Open charges of a unit, oldest due first.
pub(crate) async fn open(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Charge>> {
    q.fetch_all(
        &format!(
            "SELECT {CHARGE_COLS} FROM charges WHERE community_id = $1 AND unit_id = $2 \
             AND reversed_by IS NULL AND kind <> 'reversal' AND settled_fen < amount_fen \
             ORDER BY due_date, id"
        ),
        args![c, unit],
    )
    .await
}

/// Every charge of a unit, oldest due first.
pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<Charge>> {
    q.fetch_all(
        &format!(
            "SELECT {CHARGE_COLS} FROM charges WHERE community_id = $1 AND unit_id = $2 \
             ORDER BY due_date, id"
        ),
        args![c, unit],
    )
    .await
}

pub(crate) async fn get(
    q: &mut impl Queries,
    c: CommunityId,
    id: ChargeId,
) -> CoreResult<Option<Charge>> {
    q.fetch_optional(
        &format!("SELECT {CHARGE_COLS} FROM charges WHERE id = $1 AND community_id = $2"),
        args![id, c],
    )
    .await
}

/// The charges under a fee item still owed (not reversed, not fully settled): id and what is
/// left to pay.
pub(crate) async fn owed_under_item(
    q: &mut impl Queries,
    c: CommunityId,
    item: i64,
) -> CoreResult<Vec<(i64, i64)>> {
    q.fetch_all(
        "SELECT id, amount_fen - settled_fen FROM charges WHERE community_id = $1 AND fee_item_id = $2 \
         AND reversed_by IS NULL AND kind <> 'reversal' AND settled_fen < amount_fen",
        args![c, item],
    )
    .await
}

/// The charge's community, when it belongs to the company.
pub(crate) async fn community_of(
    q: &mut impl Queries,
    id: ChargeId,
    company: CompanyId,
) -> CoreResult<Option<CommunityId>> {
    let c: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT ch.community_id FROM charges ch JOIN communities c ON c.id = ch.community_id \
             WHERE ch.id = $1 AND c.company_id = $2",
            args![id, company],
        )
        .await?;
    Ok(c.map(|(c,)| c))
}

/// Is the charge the unit's (whatever it still owes)?
pub(crate) async fn of_unit_exists(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
    id: ChargeId,
) -> CoreResult<bool> {
    let exists: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM charges WHERE id = $1 AND community_id = $2 AND unit_id = $3",
            args![id, c, unit],
        )
        .await?;
    Ok(exists.is_some())
}

/// Adds `amount` to what the charge has settled unless that would settle more than it owes
/// (or less than nothing); 0 rows when refused.
pub(crate) async fn add_settled(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    amount: i64,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE charges SET settled_fen = settled_fen + $1 WHERE id = $2 AND community_id = $3 \
         AND reversed_by IS NULL AND settled_fen + $1 <= amount_fen AND settled_fen + $1 >= 0",
        args![amount, charge, c],
    )
    .await
}

#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_settlement(
    tx: &mut Tx,
    c: CommunityId,
    charge: ChargeId,
    payment: Option<PaymentId>,
    source: &str,
    amount: i64,
    now: DateTime<Utc>,
    (day, paid_on): (NaiveDate, NaiveDate),
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO settlements (community_id, charge_id, payment_id, source, amount_fen, at, on_date, paid_on) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![c, charge, payment, source, amount, now, day, paid_on],
    )
    .await?;
    Ok(())
}

/// A charge posted by hand.
pub(crate) struct ManualCharge<'a> {
    pub unit_id: UnitId,
    pub fee_item_id: i64,
    pub kind: &'a str,
    pub description: &'a str,
    pub basis: String,
    pub amount_fen: i64,
    pub due_date: NaiveDate,
    pub reason: Option<String>,
}

pub(crate) async fn insert_manual(
    tx: &mut Tx,
    c: CommunityId,
    m: ManualCharge<'_>,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    hold_units(tx, c, [m.unit_id.0]).await?;
    tx.insert_id(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, description, basis, amount_fen, \
         settled_fen, due_date, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, \
         $8, $9, $10, $11) RETURNING id",
        args![
            c,
            m.unit_id,
            m.fee_item_id,
            m.kind,
            m.description,
            m.basis,
            m.amount_fen,
            m.due_date,
            m.reason,
            actor,
            now
        ],
    )
    .await
}

/// The counter-charge of `orig`: its columns, the opposite amount, pointing at it.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_reversal(
    tx: &mut Tx,
    c: CommunityId,
    orig: &Charge,
    kind: &str,
    description: String,
    due: NaiveDate,
    reason: &str,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    hold_units(tx, c, [orig.unit_id.0]).await?;
    tx.insert_id(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, standard_id, space_id, kind, period, \
         period_from, period_to, description, basis, amount_fen, settled_fen, due_date, reverses_id, \
         reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 0, \
         $13, $14, $15, $16, $17) RETURNING id",
        args![
            c,
            orig.unit_id,
            orig.fee_item_id,
            orig.standard_id,
            orig.space_id,
            kind,
            orig.period.as_deref(),
            orig.period_from,
            orig.period_to,
            description,
            orig.basis.as_str(),
            -orig.amount_fen,
            due,
            orig.id,
            reason,
            actor,
            now
        ],
    )
    .await
}

/// Marks a charge reversed by `by`, unless it is already or has money on it; 0 rows then.
pub(crate) async fn mark_reversed(tx: &mut Tx, id: ChargeId, by: ChargeId) -> CoreResult<u64> {
    tx.execute(
        "UPDATE charges SET reversed_by = $1 WHERE id = $2 AND reversed_by IS NULL AND settled_fen = 0",
        args![by, id],
    )
    .await
}

/// A paid service's charge.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn insert_service(
    tx: &mut Tx,
    c: CommunityId,
    unit: UnitId,
    item: i64,
    kind: &str,
    description: &str,
    basis: String,
    amount_fen: i64,
    due: NaiveDate,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    hold_units(tx, c, [unit.0]).await?;
    tx.insert_id(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, description, basis, amount_fen, \
         settled_fen, due_date, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, \
         0, $8, $9, $10) RETURNING id",
        args![
            c,
            unit,
            item,
            kind,
            description,
            basis,
            amount_fen,
            due,
            actor,
            now
        ],
    )
    .await
}

/// A meter reading's usage charge.
pub(crate) struct UsageCharge<'a> {
    pub unit_id: UnitId,
    pub fee_item_id: i64,
    pub standard_id: i64,
    pub kind: &'a str,
    pub period: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub description: String,
    pub basis: String,
    pub amount_fen: i64,
    pub due_date: NaiveDate,
}

pub(crate) async fn insert_usage(
    tx: &mut Tx,
    c: CommunityId,
    u: UsageCharge<'_>,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    hold_units(tx, c, [u.unit_id.0]).await?;
    tx.insert_id(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, standard_id, kind, period, period_from, \
         period_to, description, basis, amount_fen, settled_fen, due_date, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, $12, $13, $14) RETURNING id",
        args![
            c,
            u.unit_id,
            u.fee_item_id,
            u.standard_id,
            u.kind,
            u.period,
            u.period_from,
            u.period_to,
            u.description,
            u.basis,
            u.amount_fen,
            u.due_date,
            actor,
            now
        ],
    )
    .await
}

/// A late fee posted as a charge.
pub(crate) struct LateFeeCharge<'a> {
    pub unit_id: UnitId,
    pub fee_item_id: i64,
    pub kind: &'a str,
    pub period: Option<&'a str>,
    pub description: String,
    pub basis: String,
    pub amount_fen: i64,
    pub due_date: NaiveDate,
}

pub(crate) async fn insert_late_fee(
    tx: &mut Tx,
    c: CommunityId,
    l: LateFeeCharge<'_>,
    actor: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<()> {
    hold_units(tx, c, [l.unit_id.0]).await?;
    tx.execute(
        "INSERT INTO charges (community_id, unit_id, fee_item_id, kind, period, description, basis, \
         amount_fen, settled_fen, due_date, reverses_id, created_by, created_at) VALUES ($1, $2, $3, $4, \
         $5, $6, $7, $8, 0, $9, NULL, $10, $11)",
        args![
            c,
            l.unit_id,
            l.fee_item_id,
            l.kind,
            l.period,
            l.description,
            l.basis,
            l.amount_fen,
            l.due_date,
            actor,
            now
        ],
    )
    .await?;
    Ok(())
}
