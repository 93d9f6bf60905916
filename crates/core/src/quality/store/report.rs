//! SQL of the quarter's quality results: the company's reward/penalty table
//! (`quality_rewards`), the audits its communities signed off in a span and the state of their
//! rectification tasks.

use chrono::{DateTime, Utc};

use crate::args;
use crate::db::{Args, Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    pub(crate) struct RewardRow {
        pub position: i64,
        pub label: String,
        pub penalty_fen: i64,
        pub reward_fen: i64,
    }
}

crate::row! {
    pub(crate) struct SignedRow {
        pub community_id: CommunityId,
        pub id: AuditId,
        pub number: String,
        pub total_cp: i64,
        pub grade: String,
        pub signed_at: DateTime<Utc>,
    }
}

crate::row! {
    pub(crate) struct RectCountRow {
        pub community_id: CommunityId,
        pub state: String,
        pub n: i64,
        pub overdue: i64,
    }
}

/// The company's table in its order; empty until it saves one.
pub(crate) async fn rewards(
    q: &mut impl Queries,
    company: CompanyId,
) -> CoreResult<Vec<RewardRow>> {
    q.fetch_all(
        "SELECT position, label, penalty_fen, reward_fen FROM quality_rewards WHERE company_id = $1 ORDER BY position",
        args![company],
    )
    .await
}

/// Replaces the company's table.
pub(crate) async fn save_rewards(
    tx: &mut Tx,
    company: CompanyId,
    rows: &[(i64, String, i64, i64)],
) -> CoreResult<()> {
    tx.execute(
        "DELETE FROM quality_rewards WHERE company_id = $1",
        args![company],
    )
    .await?;
    for (position, label, penalty, reward) in rows {
        tx.execute(
            "INSERT INTO quality_rewards (company_id, position, label, penalty_fen, reward_fen) \
             VALUES ($1, $2, $3, $4, $5)",
            args![company, *position, label.as_str(), *penalty, *reward],
        )
        .await?;
    }
    Ok(())
}

/// `community_id IN ($k, …)` over the communities, pushed onto `a`.
fn communities_in(a: &mut Args, column: &str, cs: &[CommunityId]) -> String {
    let list: Vec<String> = cs.iter().map(|c| a.push(*c)).collect();
    format!("{column} IN ({})", list.join(", "))
}

/// The audits of the communities signed off in `[from, to)`, by community and time.
pub(crate) async fn signed_between(
    q: &mut impl Queries,
    cs: &[CommunityId],
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> CoreResult<Vec<SignedRow>> {
    if cs.is_empty() {
        return Ok(Vec::new());
    }
    let mut a: Args = args![from, to];
    let within = communities_in(&mut a, "community_id", cs);
    q.fetch_all(
        &format!(
            "SELECT community_id, id, number, total_cp, grade, signed_at FROM audits \
             WHERE {within} AND state = 'signed' AND signed_at >= $1 AND signed_at < $2 \
             ORDER BY community_id, signed_at, id"
        ),
        a,
    )
    .await
}

/// The tasks of these audits by community and state, and how many open ones are past their
/// deadline at `now`.
pub(crate) async fn rect_counts(
    q: &mut impl Queries,
    cs: &[CommunityId],
    audits: &[AuditId],
    now: DateTime<Utc>,
) -> CoreResult<Vec<RectCountRow>> {
    if audits.is_empty() {
        return Ok(Vec::new());
    }
    let mut a: Args = args![now];
    let within = communities_in(&mut a, "community_id", cs);
    let list: Vec<String> = audits.iter().map(|x| a.push(*x)).collect();
    q.fetch_all(
        &format!(
            "SELECT community_id, state, COUNT(*) AS n, \
             COUNT(CASE WHEN state = 'open' AND due_at < $1 THEN 1 END) AS overdue \
             FROM rectifications WHERE {within} AND audit_id IN ({}) GROUP BY community_id, state",
            list.join(", ")
        ),
        a,
    )
    .await
}
