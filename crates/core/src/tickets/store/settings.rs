//! What the clocks are set by: a community's SLA overrides, the company calendar the
//! working-day clocks count on.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Db, Queries, Reader, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

use super::super::model::SlaOverride;

const OVERRIDE_COLS: &str =
    "id, community_id, category, clock, enabled, minutes, working_days, pauses_on_hold";

/// A community's overrides, as registering reads them (inline on SQLite: every registration).
pub(in crate::tickets) async fn overrides_for_new(
    r: &mut Reader<'_>,
    community: CommunityId,
) -> CoreResult<Vec<SlaOverride>> {
    // A literal, not built from OVERRIDE_COLS: this runs with every registration.
    r.fetch_all_inline(
        "SELECT id, community_id, category, clock, enabled, minutes, working_days, pauses_on_hold \
         FROM sla_overrides WHERE community_id = $1",
        args![community],
    )
    .await
}

/// A community's overrides by category and clock.
pub(in crate::tickets) async fn overrides(
    db: &Db,
    community: CommunityId,
) -> CoreResult<Vec<SlaOverride>> {
    db.read()
        .fetch_all(
            &format!(
                "SELECT {OVERRIDE_COLS} FROM sla_overrides WHERE community_id = $1 ORDER BY category, clock"
            ),
            args![community],
        )
        .await
}

/// An override as saved.
pub(in crate::tickets) struct OverrideForSave<'a> {
    pub community: CommunityId,
    pub category: &'a str,
    pub clock: &'a str,
    pub enabled: bool,
    pub minutes: Option<i64>,
    pub working_days: Option<i64>,
    pub pauses_on_hold: bool,
    pub at: DateTime<Utc>,
}

/// Writes one override (replacing the one of the same category and clock) and reads it back.
pub(in crate::tickets) async fn save_override(
    tx: &mut Tx,
    o: OverrideForSave<'_>,
) -> CoreResult<SlaOverride> {
    tx.execute(
        "INSERT INTO sla_overrides (community_id, category, clock, enabled, minutes, working_days, \
         pauses_on_hold, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (community_id, category, clock) DO UPDATE SET enabled = $4, minutes = $5, \
         working_days = $6, pauses_on_hold = $7, updated_at = $8",
        args![
            o.community,
            o.category,
            o.clock,
            o.enabled,
            o.minutes,
            o.working_days,
            o.pauses_on_hold,
            o.at
        ],
    )
    .await?;
    tx.fetch_one(
        &format!(
            "SELECT {OVERRIDE_COLS} FROM sla_overrides WHERE community_id = $1 AND category = $2 AND clock = $3"
        ),
        args![o.community, o.category, o.clock],
    )
    .await
}

/// The company calendar's listed days from `from` to `to`: (day, kind code, name).
pub(in crate::tickets) async fn calendar_days(
    db: &Db,
    company: CompanyId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<(NaiveDate, String, String)>> {
    db.read()
        .fetch_all(
            "SELECT day, kind, name FROM calendar_days WHERE company_id = $1 AND day >= $2 \
             AND day <= $3 ORDER BY day",
            args![company, from, to],
        )
        .await
}

/// The listed days (day, kind code) a clock starting between the dates may reach.
pub(in crate::tickets) async fn calendar_kinds(
    tx: &mut impl Queries,
    company: CompanyId,
    from: NaiveDate,
    to: NaiveDate,
) -> CoreResult<Vec<(NaiveDate, String)>> {
    tx.fetch_all(
        "SELECT day, kind FROM calendar_days WHERE company_id = $1 AND day >= $2 AND day <= $3",
        args![company, from, to],
    )
    .await
}

/// Lists a day (replacing its kind and name if listed).
pub(in crate::tickets) async fn save_calendar_day(
    tx: &mut Tx,
    company: CompanyId,
    day: NaiveDate,
    kind: &str,
    name: &str,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO calendar_days (company_id, day, kind, name) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (company_id, day) DO UPDATE SET kind = $3, name = $4",
        args![company, day, kind, name],
    )
    .await?;
    Ok(())
}

/// Removes a listed day; returns how many rows went (0 or 1).
pub(in crate::tickets) async fn delete_calendar_day(
    tx: &mut Tx,
    company: CompanyId,
    day: NaiveDate,
) -> CoreResult<u64> {
    tx.execute(
        "DELETE FROM calendar_days WHERE company_id = $1 AND day = $2",
        args![company, day],
    )
    .await
}
