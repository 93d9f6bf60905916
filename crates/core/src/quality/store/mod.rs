//! SQL of quality audits: the company's sheets (`audit_sheets`) with their immutable versions
//! (`audit_sheet_versions`, `audit_sheet_items`), and the audits of a community (`audits`), the
//! sheet versions each pinned (`audit_parts`) and its item scores (`audit_scores`). Scoring first
//! touches the audit row while it is open, and sign-off is a conditional UPDATE on the open state,
//! so a score and a sign-off at once cannot both land.

pub(crate) mod campaigns;
pub(crate) mod for_dashboard;
pub(crate) mod rectify;
pub(crate) mod report;

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A sheet with its current version.
    #[derive(Clone)]
    pub(crate) struct SheetRow {
        pub id: AuditSheetId,
        pub company_id: CompanyId,
        pub code: String,
        pub name: String,
        pub weight_pct: i64,
        pub active: bool,
        pub current_version: i64,
        pub updated_at: DateTime<Utc>,
        pub version_id: i64,
        pub max_cp: i64,
    }
}

crate::row! {
    /// An item of a sheet version.
    #[derive(Clone)]
    pub(crate) struct ItemRow {
        pub id: i64,
        pub section: String,
        pub item: String,
        pub standard: Option<String>,
        pub elements: String,
        pub max_cp: i64,
        pub deduct_min_cp: i64,
        pub deduct_max_cp: i64,
    }
}

crate::row! {
    #[derive(Clone)]
    pub(crate) struct AuditRow {
        pub id: AuditId,
        pub community_id: CommunityId,
        pub number: String,
        pub method: String,
        pub state: String,
        pub note: Option<String>,
        pub total_cp: Option<i64>,
        pub grade: Option<String>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub signed_by: Option<UserId>,
        pub signed_at: Option<DateTime<Utc>>,
    }
}

crate::row! {
    /// A sheet version an audit uses, with its weight.
    pub(crate) struct PartRow {
        pub id: i64,
        pub version_id: i64,
        pub sheet_id: AuditSheetId,
        pub code: String,
        pub name: String,
        pub version: i64,
        pub max_cp: i64,
        pub weight_pct: i64,
        pub score_cp: Option<i64>,
    }
}

crate::row! {
    pub(crate) struct ScoreRow {
        pub item_id: i64,
        pub present: String,
        pub deductions: String,
        pub deduction_cp: i64,
        pub method: String,
        pub note: Option<String>,
        pub scored_by: Option<UserId>,
        pub scored_at: DateTime<Utc>,
    }
}

const SHEET: &str = "SELECT s.id, s.company_id, s.code, s.name, s.weight_pct, s.active, s.current_version, \
     s.updated_at, v.id AS version_id, v.max_cp FROM audit_sheets s \
     JOIN audit_sheet_versions v ON v.sheet_id = s.id AND v.version = s.current_version";

const ITEM: &str = "SELECT i.id, i.section, i.item, i.standard, i.elements, \
     i.max_cp, i.deduct_min_cp, i.deduct_max_cp FROM audit_sheet_items i";

const AUDIT: &str = "SELECT id, community_id, number, method, state, note, total_cp, grade, created_by, \
     created_at, signed_by, signed_at FROM audits";

/// Adds a sheet (its version 1 is written next); none when the company has its code.
pub(crate) async fn insert_sheet(
    tx: &mut Tx,
    company: CompanyId,
    (code, name, weight): (&str, &str, i64),
    now: DateTime<Utc>,
) -> CoreResult<Option<AuditSheetId>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO audit_sheets (company_id, code, name, weight_pct, active, current_version, created_at, \
             updated_at) VALUES ($1, $2, $3, $4, $5, 1, $6, $6) ON CONFLICT (company_id, code) DO NOTHING \
             RETURNING id",
            args![company, code, name, weight, true, now],
        )
        .await?;
    Ok(row.map(|(id,)| AuditSheetId(id)))
}

/// Writes a version of a sheet; its items follow.
pub(crate) async fn insert_version(
    tx: &mut Tx,
    company: CompanyId,
    sheet: AuditSheetId,
    version: i64,
    max_cp: i64,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    tx.insert_id(
        "INSERT INTO audit_sheet_versions (company_id, sheet_id, version, max_cp, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        args![company, sheet, version, max_cp, by, now],
    )
    .await
}

/// An item as written.
pub(crate) struct NewItem<'a> {
    pub section: &'a str,
    pub item: &'a str,
    pub standard: Option<&'a str>,
    /// One element a line.
    pub elements: &'a str,
    pub max_cp: i64,
    pub deduct_min_cp: i64,
    pub deduct_max_cp: i64,
}

pub(crate) async fn insert_item(
    tx: &mut Tx,
    company: CompanyId,
    version_id: i64,
    position: i64,
    i: &NewItem<'_>,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO audit_sheet_items (company_id, version_id, position, section, item, standard, elements, \
         max_cp, deduct_min_cp, deduct_max_cp) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        args![
            company,
            version_id,
            position,
            i.section,
            i.item,
            i.standard,
            i.elements,
            i.max_cp,
            i.deduct_min_cp,
            i.deduct_max_cp
        ],
    )
    .await?;
    Ok(())
}

/// Moves a sheet to its next version with its name, weight and state; 0 when another edit moved
/// it first.
pub(crate) async fn advance_sheet(
    tx: &mut Tx,
    id: AuditSheetId,
    from_version: i64,
    (name, weight, active): (&str, i64, bool),
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE audit_sheets SET current_version = current_version + 1, name = $3, weight_pct = $4, \
         active = $5, updated_at = $6 WHERE id = $1 AND current_version = $2",
        args![id, from_version, name, weight, active, now],
    )
    .await
}

/// The company's sheets by code.
pub(crate) async fn sheets(q: &mut impl Queries, company: CompanyId) -> CoreResult<Vec<SheetRow>> {
    q.fetch_all(
        &format!("{SHEET} WHERE s.company_id = $1 ORDER BY s.id"),
        args![company],
    )
    .await
}

pub(crate) async fn sheet(q: &mut impl Queries, id: AuditSheetId) -> CoreResult<Option<SheetRow>> {
    q.fetch_optional(&format!("{SHEET} WHERE s.id = $1"), args![id])
        .await
}

/// The items of a sheet version, in order.
pub(crate) async fn items(q: &mut impl Queries, version_id: i64) -> CoreResult<Vec<ItemRow>> {
    q.fetch_all(
        &format!("{ITEM} WHERE i.version_id = $1 ORDER BY i.position"),
        args![version_id],
    )
    .await
}

pub(crate) async fn insert_audit(
    tx: &mut Tx,
    c: CommunityId,
    (number, method, note): (&str, &str, Option<&str>),
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<AuditId> {
    let id = tx
        .insert_id(
            "INSERT INTO audits (community_id, number, method, state, note, created_by, created_at) \
             VALUES ($1, $2, $3, 'open', $4, $5, $6) RETURNING id",
            args![c, number, method, note, by, now],
        )
        .await?;
    Ok(AuditId(id))
}

pub(crate) async fn insert_part(
    tx: &mut Tx,
    c: CommunityId,
    audit: AuditId,
    version_id: i64,
    weight: i64,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO audit_parts (community_id, audit_id, version_id, weight_pct) VALUES ($1, $2, $3, $4)",
        args![c, audit, version_id, weight],
    )
    .await?;
    Ok(())
}

pub(crate) async fn audit(q: &mut impl Queries, id: AuditId) -> CoreResult<Option<AuditRow>> {
    q.fetch_optional(&format!("{AUDIT} WHERE id = $1"), args![id])
        .await
}

/// The community's audits, open ones first, newest first.
pub(crate) async fn audits(
    q: &mut impl Queries,
    c: CommunityId,
    limit: i64,
) -> CoreResult<Vec<AuditRow>> {
    q.fetch_all(
        &format!("{AUDIT} WHERE community_id = $1 ORDER BY state <> 'open', id DESC LIMIT $2"),
        args![c, limit],
    )
    .await
}

/// The sheet versions an audit uses.
pub(crate) async fn parts(
    q: &mut impl Queries,
    c: CommunityId,
    audit: AuditId,
) -> CoreResult<Vec<PartRow>> {
    q.fetch_all(
        "SELECT p.id, p.version_id, s.id AS sheet_id, s.code, s.name, v.version, v.max_cp, p.weight_pct, \
         p.score_cp FROM audit_parts p JOIN audit_sheet_versions v ON v.id = p.version_id \
         JOIN audit_sheets s ON s.id = v.sheet_id WHERE p.community_id = $1 AND p.audit_id = $2 ORDER BY p.id",
        args![c, audit],
    )
    .await
}

pub(crate) async fn scores(
    q: &mut impl Queries,
    c: CommunityId,
    audit: AuditId,
) -> CoreResult<Vec<ScoreRow>> {
    q.fetch_all(
        "SELECT item_id, present, deductions, deduction_cp, method, note, scored_by, scored_at \
         FROM audit_scores WHERE community_id = $1 AND audit_id = $2",
        args![c, audit],
    )
    .await
}

/// An item of one of the audit's sheet versions.
pub(crate) async fn item_of_audit(
    q: &mut impl Queries,
    c: CommunityId,
    audit: AuditId,
    item: i64,
) -> CoreResult<Option<ItemRow>> {
    q.fetch_optional(
        &format!(
            "{ITEM} JOIN audit_parts p ON p.version_id = i.version_id \
             WHERE p.community_id = $3 AND p.audit_id = $1 AND i.id = $2"
        ),
        args![audit, item, c],
    )
    .await
}

/// Holds the audit while it is open (the row lock a sign-off waits for); 0 once signed off.
pub(crate) async fn hold_open(tx: &mut Tx, audit: AuditId) -> CoreResult<u64> {
    tx.execute(
        "UPDATE audits SET state = state WHERE id = $1 AND state = 'open'",
        args![audit],
    )
    .await
}

/// A score as written.
pub(crate) struct NewScore<'a> {
    pub item: i64,
    pub present: &'a str,
    pub deductions: &'a str,
    pub deduction_cp: i64,
    pub method: &'a str,
    pub note: Option<&'a str>,
}

/// Scores an item; none when it is scored already.
pub(crate) async fn insert_score(
    tx: &mut Tx,
    c: CommunityId,
    audit: AuditId,
    s: &NewScore<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<Option<i64>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO audit_scores (community_id, audit_id, item_id, present, deductions, deduction_cp, method, \
             note, scored_by, scored_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (community_id, audit_id, item_id) DO NOTHING RETURNING id",
            args![
                c,
                audit,
                s.item,
                s.present,
                s.deductions,
                s.deduction_cp,
                s.method,
                s.note,
                by,
                now
            ],
        )
        .await?;
    Ok(row.map(|(id,)| id))
}

pub(crate) async fn delete_score(
    tx: &mut Tx,
    c: CommunityId,
    audit: AuditId,
    item: i64,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM audit_scores WHERE community_id = $1 AND audit_id = $2 AND item_id = $3",
        args![c, audit, item],
    )
    .await
}

pub(crate) async fn set_part_score(tx: &mut Tx, part: i64, score_cp: i64) -> CoreResult<()> {
    tx.execute(
        "UPDATE audit_parts SET score_cp = $2 WHERE id = $1",
        args![part, score_cp],
    )
    .await?;
    Ok(())
}

/// Signs the audit off with its total and grade; 0 when it was signed off already.
pub(crate) async fn sign(
    tx: &mut Tx,
    audit: AuditId,
    (total_cp, grade): (i64, &str),
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE audits SET state = 'signed', total_cp = $2, grade = $3, signed_by = $4, signed_at = $5 \
         WHERE id = $1 AND state = 'open'",
        args![audit, total_cp, grade, by, now],
    )
    .await
}

crate::row! {
    /// A photo of an audit item.
    pub(crate) struct AuditPhotoRow {
        pub id: i64,
        pub item_id: i64,
        pub content_type: String,
        pub path: String,
    }
}

pub(crate) async fn audit_photos(
    q: &mut impl Queries,
    c: CommunityId,
    audit: AuditId,
) -> CoreResult<Vec<AuditPhotoRow>> {
    q.fetch_all(
        "SELECT id, item_id, content_type, path FROM audit_photos \
         WHERE community_id = $1 AND audit_id = $2 ORDER BY id",
        args![c, audit],
    )
    .await
}

pub(crate) async fn insert_audit_photo(
    tx: &mut Tx,
    c: CommunityId,
    audit: AuditId,
    (item, content_type, path): (i64, &str, &str),
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<i64> {
    let (id,): (i64,) = tx
        .fetch_one(
            "INSERT INTO audit_photos (community_id, audit_id, item_id, content_type, path, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
            args![c, audit, item, content_type, path, by, now],
        )
        .await?;
    Ok(id)
}
