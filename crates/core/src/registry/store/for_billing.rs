//! What billing reads of the registry (units, their areas, uses, states and owners), so that
//! billing's own SQL never names the registry's tables. Billing decides what the rows mean
//! (time zones parsed, labels joined); these functions only fetch them.

use chrono::NaiveDate;

use crate::args;
use crate::db::{Backend, Queries};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// The community's time zone name, when it belongs to the company.
pub(crate) async fn community_timezone(
    q: &mut impl Queries,
    c: CommunityId,
    company: CompanyId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = q
        .fetch_optional(
            "SELECT timezone FROM communities WHERE id = $1 AND company_id = $2",
            args![c, company],
        )
        .await?;
    Ok(row.map(|(t,)| t))
}

/// The community's name, when it belongs to the company.
pub(crate) async fn community_name(
    q: &mut impl Queries,
    c: CommunityId,
    company: CompanyId,
) -> CoreResult<Option<String>> {
    let row: Option<(String,)> = q
        .fetch_optional(
            "SELECT name FROM communities WHERE id = $1 AND company_id = $2",
            args![c, company],
        )
        .await?;
    Ok(row.map(|(n,)| n))
}

/// The company's name, the community's name and its time zone name.
pub(crate) async fn community_header(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(String, String, String)> {
    q.fetch_one(
        "SELECT co.name, c.name, c.timezone FROM communities c JOIN companies co ON co.id = c.company_id \
         WHERE c.id = $1",
        args![c],
    )
    .await
}

/// Every community with its time zone name (the late-fee job walks them).
pub(crate) async fn all_communities(
    q: &mut impl Queries,
) -> CoreResult<Vec<(CommunityId, String)>> {
    q.fetch_all("SELECT id, timezone FROM communities ORDER BY id", args![])
        .await
}

/// The unit's community, when the unit belongs to the company.
pub(crate) async fn unit_community(
    q: &mut impl Queries,
    unit: UnitId,
    company: CompanyId,
) -> CoreResult<Option<CommunityId>> {
    let row: Option<(CommunityId,)> = q
        .fetch_optional(
            "SELECT u.community_id FROM units u JOIN communities c ON c.id = u.community_id \
             WHERE u.id = $1 AND c.company_id = $2",
            args![unit, company],
        )
        .await?;
    Ok(row.map(|(c,)| c))
}

/// The unit's building name and unit number.
pub(crate) async fn unit_names(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<(String, String)> {
    q.fetch_one(
        "SELECT b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
         WHERE u.id = $1 AND u.community_id = $2",
        args![unit, c],
    )
    .await
}

/// Is the building one of the community's?
pub(crate) async fn building_exists(
    q: &mut impl Queries,
    c: CommunityId,
    building: i64,
) -> CoreResult<bool> {
    let ok: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM buildings WHERE id = $1 AND community_id = $2",
            args![building, c],
        )
        .await?;
    Ok(ok.is_some())
}

/// Every unit of the community, as one JSON array in one row:
/// `[id, building_id, building_area, inner_area, use_kind, state]` each. A run reads hundreds
/// of thousands of units, and one row costs far less than as many rows through the driver.
pub(crate) async fn all_units_json(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Option<String>> {
    let sql = match q.backend() {
        Backend::Sqlite => {
            "SELECT json_group_array(json_array(id, building_id, building_area, inner_area, use_kind, state)) \
             FROM units WHERE community_id = $1"
        }
        Backend::Postgres => {
            "SELECT CAST(json_agg(json_build_array(id, building_id, building_area, inner_area, use_kind, state)) AS TEXT) \
             FROM units WHERE community_id = $1"
        }
    };
    let (json,): (Option<String>,) = q.fetch_one(sql, args![c]).await?;
    Ok(json)
}

/// A parking space with a unit, and that unit's billing dates (billing's own table, joined).
#[derive(sqlx::FromRow)]
pub(crate) struct SpaceRow {
    pub id: i64,
    pub code: String,
    pub state: String,
    pub unit_id: i64,
    pub billing_from: Option<NaiveDate>,
    pub billing_until: Option<NaiveDate>,
}

/// The community's parking spaces that belong to a unit, by id.
pub(crate) async fn unit_spaces(q: &mut impl Queries, c: CommunityId) -> CoreResult<Vec<SpaceRow>> {
    q.fetch_all(
        "SELECT p.id, p.code, p.state, p.unit_id, a.billing_from, a.billing_until FROM parking_spaces p \
         LEFT JOIN billing_accounts a ON a.community_id = p.community_id AND a.unit_id = p.unit_id \
         WHERE p.community_id = $1 AND p.unit_id IS NOT NULL ORDER BY p.id",
        args![c],
    )
    .await
}

/// Every unit of the community with its building name and unit number (the parts of its label
/// `1栋-1801`), for resolving the labels of a whole spreadsheet at once.
pub(crate) async fn unit_labels(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, String, String)>> {
    q.fetch_all(
        "SELECT u.id, b.name, u.unit_no FROM units u JOIN buildings b ON b.id = u.building_id \
         WHERE u.community_id = $1",
        args![c],
    )
    .await
}

/// The community's units, and the people owning at least one of them (the switch report).
pub(crate) async fn unit_and_owner_counts(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<(i64, i64)> {
    q.fetch_one(
        "SELECT (SELECT COUNT(*) FROM units WHERE community_id = $1), \
         (SELECT COUNT(DISTINCT person_id) FROM unit_people WHERE community_id = $1 AND relation = $2)",
        args![c, "owner"],
    )
    .await
}

/// The community's buildings: (id, name), by name.
pub(crate) async fn building_names(
    q: &mut impl Queries,
    c: CommunityId,
) -> CoreResult<Vec<(i64, String)>> {
    q.fetch_all(
        "SELECT id, name FROM buildings WHERE community_id = $1 ORDER BY name, id",
        args![c],
    )
    .await
}
