//! SQL of the small items the desk lends (`lend_items`) and their loans (`item_loans`).

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// Writes lost pieces off: out of the count lent and out of the stock.
pub(crate) async fn write_off(
    tx: &mut Tx,
    c: CommunityId,
    id: LendItemId,
    n: i64,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE lend_items SET out_count = out_count - $1, stock = stock - $1, updated_at = $2 \
         WHERE community_id = $3 AND id = $4 AND out_count >= $1",
        args![n, now, c, id],
    )
    .await
}

crate::row! {
    /// An item the desk lends with how many it has and how many are out.
    pub(crate) struct ItemRow {
        pub id: LendItemId,
        pub community_id: CommunityId,
        pub name: String,
        pub stock: i64,
        pub out_count: i64,
        pub deposit_fen: i64,
        pub loan_days: i64,
        pub note: Option<String>,
        pub retired_at: Option<DateTime<Utc>>,
    }
}

const ITEM_COLS: &str =
    "id, community_id, name, stock, out_count, deposit_fen, loan_days, note, retired_at";

pub(crate) async fn items(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<ItemRow>> {
    q.fetch_all(
        &format!(
            "SELECT {ITEM_COLS} FROM lend_items WHERE community_id = $1 \
             ORDER BY retired_at IS NOT NULL, name, id"
        ),
        args![c],
    )
    .await
}

pub(crate) async fn item(q: &mut impl Queries, id: LendItemId) -> CoreResult<Option<ItemRow>> {
    q.fetch_optional(
        &format!("SELECT {ITEM_COLS} FROM lend_items WHERE id = $1"),
        args![id],
    )
    .await
}

/// An item's settings as saved.
pub(crate) struct ItemSave<'a> {
    pub name: &'a str,
    pub stock: i64,
    pub deposit_fen: i64,
    pub loan_days: i64,
    pub note: Option<&'a str>,
    pub retired: bool,
}

pub(crate) async fn insert_item(
    tx: &mut Tx,
    c: CommunityId,
    s: &ItemSave<'_>,
    now: DateTime<Utc>,
) -> CoreResult<LendItemId> {
    let id = tx
        .insert_id(
            "INSERT INTO lend_items (community_id, name, stock, out_count, deposit_fen, loan_days, note, \
             retired_at, created_at, updated_at) VALUES ($1, $2, $3, 0, $4, $5, $6, $7, $8, $8) RETURNING id",
            args![c, s.name, s.stock, s.deposit_fen, s.loan_days, s.note,
                  s.retired.then_some(now), now],
        )
        .await?;
    Ok(LendItemId(id))
}

/// Saves an item's settings; 0 rows when the stock would fall below what is out (a loan made
/// meanwhile).
pub(crate) async fn update_item(
    tx: &mut Tx,
    c: CommunityId,
    id: LendItemId,
    s: &ItemSave<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE lend_items SET name = $1, stock = $2, deposit_fen = $3, loan_days = $4, note = $5, \
         retired_at = CASE WHEN $6 THEN COALESCE(retired_at, $7) ELSE NULL END, updated_at = $7 \
         WHERE community_id = $8 AND id = $9 AND out_count <= $2",
        args![
            s.name,
            s.stock,
            s.deposit_fen,
            s.loan_days,
            s.note,
            s.retired,
            now,
            c,
            id
        ],
    )
    .await
}

/// Takes `n` pieces out of the stock; 0 rows when fewer are in (or the item is retired): two
/// desks lending the last piece at once, one gets it.
pub(crate) async fn take_out(
    tx: &mut Tx,
    c: CommunityId,
    id: LendItemId,
    n: i64,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE lend_items SET out_count = out_count + $1, updated_at = $2 \
         WHERE community_id = $3 AND id = $4 AND retired_at IS NULL AND out_count + $1 <= stock",
        args![n, now, c, id],
    )
    .await
}

/// Puts `n` pieces back.
pub(crate) async fn put_back(
    tx: &mut Tx,
    c: CommunityId,
    id: LendItemId,
    n: i64,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE lend_items SET out_count = out_count - $1, updated_at = $2 \
         WHERE community_id = $3 AND id = $4 AND out_count >= $1",
        args![n, now, c, id],
    )
    .await
}

crate::row! {
    /// A loan with its item's name and the deposit taken.
    pub(crate) struct LoanRow {
        pub id: ItemLoanId,
        pub community_id: CommunityId,
        pub item_id: LendItemId,
        pub item_name: String,
        pub quantity: i64,
        pub unit_id: Option<UnitId>,
        pub unit_label: Option<String>,
        pub person_id: Option<PersonId>,
        pub borrower_name: String,
        pub phone_enc: Option<Vec<u8>>,
        pub lent_at: DateTime<Utc>,
        pub due_at: DateTime<Utc>,
        pub lent_by: Option<UserId>,
        pub deposit_id: Option<i64>,
        pub deposit_fen: Option<i64>,
        pub deposit_method: Option<String>,
        pub deposit_state: Option<String>,
        pub note: Option<String>,
        pub returned_at: Option<DateTime<Utc>>,
        pub returned_to: Option<UserId>,
        pub return_note: Option<String>,
        pub lost: bool,
    }
}

const LOAN_SELECT: &str = "SELECT l.id, l.community_id, l.item_id, i.name AS item_name, l.quantity, \
     l.unit_id, CASE WHEN l.unit_id IS NULL THEN NULL ELSE b.name || '-' || u.unit_no END AS unit_label, \
     l.person_id, l.borrower_name, l.phone_enc, l.lent_at, l.due_at, l.lent_by, l.deposit_id, \
     d.amount_fen AS deposit_fen, d.received_method AS deposit_method, d.state AS deposit_state, l.note, \
     l.returned_at, l.returned_to, l.return_note, l.lost \
     FROM item_loans l JOIN lend_items i ON i.id = l.item_id \
     LEFT JOIN units u ON u.id = l.unit_id LEFT JOIN buildings b ON b.id = u.building_id \
     LEFT JOIN deposits d ON d.id = l.deposit_id";

/// A loan to write.
pub(crate) struct NewLoan<'a> {
    pub item: LendItemId,
    pub quantity: i64,
    pub unit: Option<UnitId>,
    pub person: Option<PersonId>,
    pub borrower_name: &'a str,
    pub phone_enc: Option<Vec<u8>>,
    pub due_at: DateTime<Utc>,
    pub by: Option<UserId>,
    pub deposit: Option<i64>,
    pub note: Option<&'a str>,
}

pub(crate) async fn insert_loan(
    tx: &mut Tx,
    c: CommunityId,
    l: NewLoan<'_>,
    now: DateTime<Utc>,
) -> CoreResult<ItemLoanId> {
    let id = tx
        .insert_id(
            "INSERT INTO item_loans (community_id, item_id, quantity, unit_id, person_id, borrower_name, \
             phone_enc, lent_at, due_at, lent_by, deposit_id, note) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
            args![c, l.item, l.quantity, l.unit, l.person, l.borrower_name, l.phone_enc, now,
                  l.due_at, l.by, l.deposit, l.note],
        )
        .await?;
    Ok(ItemLoanId(id))
}

pub(crate) async fn loan(q: &mut impl Queries, id: ItemLoanId) -> CoreResult<Option<LoanRow>> {
    q.fetch_optional(&format!("{LOAN_SELECT} WHERE l.id = $1"), args![id])
        .await
}

/// Marks a loan returned; 0 rows when it was returned already (or meanwhile).
pub(crate) async fn mark_returned(
    tx: &mut Tx,
    c: CommunityId,
    id: ItemLoanId,
    by: Option<UserId>,
    (note, lost): (Option<&str>, bool),
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE item_loans SET returned_at = $1, returned_to = $2, return_note = $3, lost = $4 \
         WHERE community_id = $5 AND id = $6 AND returned_at IS NULL",
        args![now, by, note, lost, c, id],
    )
    .await
}

/// What a list of loans is narrowed by.
pub(crate) struct LoanWhere {
    /// Out (`Some(true)`), returned (`Some(false)`), or both.
    pub out: Option<bool>,
    /// Out and due before this.
    pub due_before: Option<DateTime<Utc>>,
    pub item: Option<LendItemId>,
    pub unit: Option<UnitId>,
}

/// The community's loans: those out first by due time, then returned ones newest first.
pub(crate) async fn loans(
    q: &mut impl Queries,
    c: CommunityId,
    w: &LoanWhere,
    limit: i64,
) -> CoreResult<Vec<LoanRow>> {
    q.fetch_all(
        &format!(
            "{LOAN_SELECT} WHERE l.community_id = $1 \
             AND ($2 IS NULL OR ($2 = 1 AND l.returned_at IS NULL) OR ($2 = 0 AND l.returned_at IS NOT NULL)) \
             AND ($3 IS NULL OR (l.returned_at IS NULL AND l.due_at < $3)) \
             AND ($4 IS NULL OR l.item_id = $4) AND ($5 IS NULL OR l.unit_id = $5) \
             ORDER BY l.returned_at IS NOT NULL, \
             CASE WHEN l.returned_at IS NULL THEN l.due_at END, l.returned_at DESC, l.id DESC LIMIT $6"
        ),
        args![c, w.out.map(i64::from), w.due_before, w.item, w.unit, limit],
    )
    .await
}

/// Every community's loans out past due and not yet told (the job's batch), oldest due first.
pub(crate) async fn overdue_untold(
    q: &mut impl Queries,
    now: DateTime<Utc>,
    limit: i64,
) -> CoreResult<Vec<LoanRow>> {
    q.fetch_all(
        &format!(
            "{LOAN_SELECT} WHERE l.returned_at IS NULL AND l.due_at < $1 AND l.overdue_told_at IS NULL \
             ORDER BY l.due_at LIMIT $2"
        ),
        args![now, limit],
    )
    .await
}

/// Marks a loan told of being overdue; 0 rows when another node told it first.
pub(crate) async fn mark_told(
    tx: &mut Tx,
    c: CommunityId,
    id: ItemLoanId,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE item_loans SET overdue_told_at = $1 WHERE community_id = $2 AND id = $3 \
         AND overdue_told_at IS NULL",
        args![now, c, id],
    )
    .await
}
