//! Every SQL text of staff KPIs: the company's scorecards (what the KPIs read of requests,
//! patrols, maintenance and accounts goes through those modules' `for_kpis` stores).

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

/// One stored line of a role's card.
#[derive(Debug, Clone, sqlx::FromRow)]
pub(super) struct CardRow {
    pub role: String,
    pub indicator: String,
    pub weight_pct: i64,
    pub target_milli: i64,
}

/// The company's own cards, by role and position.
pub(super) async fn cards(q: &mut impl Queries, company: CompanyId) -> CoreResult<Vec<CardRow>> {
    q.fetch_all(
        "SELECT role, indicator, weight_pct, target_milli FROM kpi_scorecards WHERE company_id = $1 \
         ORDER BY role, position",
        args![company],
    )
    .await
}

/// Replaces a role's card with `lines` (indicator, weight, target in thousandths).
pub(super) async fn replace_card(
    tx: &mut Tx,
    company: CompanyId,
    role: &str,
    lines: &[(String, i64, i64)],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM kpi_scorecards WHERE company_id = $1 AND role = $2",
        args![company, role],
    )
    .await?;
    for (k, (indicator, weight, target)) in lines.iter().enumerate() {
        tx.execute(
            "INSERT INTO kpi_scorecards (company_id, role, position, indicator, weight_pct, \
             target_milli) VALUES ($1, $2, $3, $4, $5, $6)",
            args![
                company,
                role,
                k as i64,
                indicator.as_str(),
                *weight,
                *target
            ],
        )
        .await?;
    }
    Ok(())
}
