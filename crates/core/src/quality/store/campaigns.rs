//! SQL of quality campaigns (专项工作): the company's campaign and its phases, the communities
//! taking part with their final audit, and each community's self-check plan (`campaign_tasks`).

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    #[derive(Clone)]
    pub(crate) struct CampaignRow {
        pub id: CampaignId,
        pub name: String,
        pub aim: Option<String>,
        pub sheets: String,
        pub state: String,
        pub summary: Option<String>,
        pub created_at: DateTime<Utc>,
        pub closed_at: Option<DateTime<Utc>>,
    }
}

crate::row! {
    #[derive(Clone)]
    pub(crate) struct PhaseRow {
        pub position: i64,
        pub phase: String,
        pub starts_on: NaiveDate,
        pub ends_on: NaiveDate,
        pub tasks: String,
    }
}

crate::row! {
    #[derive(Clone)]
    pub(crate) struct MemberRow {
        pub community_id: CommunityId,
        pub community_name: String,
        pub audit_id: Option<AuditId>,
        pub tasks: i64,
        pub done: i64,
    }
}

crate::row! {
    #[derive(Clone)]
    pub(crate) struct TaskRow {
        pub id: CampaignTaskId,
        pub community_id: CommunityId,
        pub campaign_id: CampaignId,
        pub phase: String,
        pub title: String,
        pub owner_id: UserId,
        pub due_on: NaiveDate,
        pub done_at: Option<DateTime<Utc>>,
        pub done_note: Option<String>,
    }
}

const CAMPAIGN: &str = "SELECT id, name, aim, sheets, state, summary, created_at, closed_at \
     FROM quality_campaigns";

const TASK: &str = "SELECT id, community_id, campaign_id, phase, title, owner_id, due_on, done_at, \
     done_note FROM campaign_tasks";

pub(crate) struct NewCampaign<'a> {
    pub name: &'a str,
    pub aim: Option<&'a str>,
    pub sheets: &'a str,
}

pub(crate) async fn insert(
    tx: &mut Tx,
    company: CompanyId,
    c: &NewCampaign<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<CampaignId> {
    let id = tx
        .insert_id(
            "INSERT INTO quality_campaigns (company_id, name, aim, sheets, state, created_by, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, 'running', $5, $6, $6) RETURNING id",
            args![company, c.name, c.aim, c.sheets, by, now],
        )
        .await?;
    Ok(CampaignId(id))
}

pub(crate) async fn insert_phase(
    tx: &mut Tx,
    company: CompanyId,
    campaign: CampaignId,
    position: i64,
    p: &PhaseRow,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO campaign_phases (company_id, campaign_id, position, phase, starts_on, ends_on, \
         tasks) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        args![
            company,
            campaign,
            position,
            p.phase.as_str(),
            p.starts_on,
            p.ends_on,
            p.tasks.as_str()
        ],
    )
    .await?;
    Ok(())
}

pub(crate) async fn insert_member(
    tx: &mut Tx,
    c: CommunityId,
    campaign: CampaignId,
) -> CoreResult<()> {
    tx.execute(
        "INSERT INTO campaign_communities (community_id, campaign_id) VALUES ($1, $2)",
        args![c, campaign],
    )
    .await?;
    Ok(())
}

pub(crate) async fn campaign(
    q: &mut impl Queries,
    company: CompanyId,
    id: CampaignId,
) -> CoreResult<Option<CampaignRow>> {
    q.fetch_optional(
        &format!("{CAMPAIGN} WHERE id = $1 AND company_id = $2"),
        args![id, company],
    )
    .await
}

/// The company's campaigns, newest first.
pub(crate) async fn campaigns(
    q: &mut impl Queries,
    company: CompanyId,
) -> CoreResult<Vec<CampaignRow>> {
    q.fetch_all(
        &format!("{CAMPAIGN} WHERE company_id = $1 ORDER BY id DESC LIMIT 200"),
        args![company],
    )
    .await
}

pub(crate) async fn phases(
    q: &mut impl Queries,
    campaign: CampaignId,
) -> CoreResult<Vec<PhaseRow>> {
    q.fetch_all(
        "SELECT position, phase, starts_on, ends_on, tasks FROM campaign_phases \
         WHERE campaign_id = $1 ORDER BY position",
        args![campaign],
    )
    .await
}

/// The communities taking part, with their plan's size and progress.
pub(crate) async fn members(
    q: &mut impl Queries,
    campaign: CampaignId,
) -> CoreResult<Vec<MemberRow>> {
    q.fetch_all(
        "SELECT m.community_id, c.name AS community_name, m.audit_id, \
         (SELECT COUNT(*) FROM campaign_tasks t WHERE t.community_id = m.community_id \
          AND t.campaign_id = m.campaign_id) AS tasks, \
         (SELECT COUNT(*) FROM campaign_tasks t WHERE t.community_id = m.community_id \
          AND t.campaign_id = m.campaign_id AND t.done_at IS NOT NULL) AS done \
         FROM campaign_communities m JOIN communities c ON c.id = m.community_id \
         WHERE m.campaign_id = $1 ORDER BY c.name, m.community_id",
        args![campaign],
    )
    .await
}

/// Whether the community takes part in the campaign.
pub(crate) async fn is_member(
    q: &mut impl Queries,
    campaign: CampaignId,
    community: CommunityId,
) -> CoreResult<bool> {
    let n: Option<(i64,)> = q
        .fetch_optional(
            "SELECT community_id FROM campaign_communities WHERE campaign_id = $1 AND community_id = $2",
            args![campaign, community],
        )
        .await?;
    Ok(n.is_some())
}

/// Holds the campaign while it runs (the row lock a close waits for); 0 once closed.
pub(crate) async fn hold_running(tx: &mut Tx, id: CampaignId) -> CoreResult<u64> {
    tx.execute(
        "UPDATE quality_campaigns SET state = state WHERE id = $1 AND state = 'running'",
        args![id],
    )
    .await
}

pub(crate) async fn close(
    tx: &mut Tx,
    id: CampaignId,
    summary: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE quality_campaigns SET state = 'closed', summary = $2, closed_by = $3, closed_at = $4, \
         updated_at = $4 WHERE id = $1 AND state = 'running'",
        args![id, summary, by, now],
    )
    .await
}

/// Records the community's final audit once; 0 when it has one already or does not take part.
pub(crate) async fn set_audit(
    tx: &mut Tx,
    c: CommunityId,
    campaign: CampaignId,
    audit: AuditId,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE campaign_communities SET audit_id = $3 WHERE community_id = $1 AND campaign_id = $2 \
         AND audit_id IS NULL",
        args![c, campaign, audit],
    )
    .await
}

pub(crate) struct NewTask<'a> {
    pub phase: &'a str,
    pub title: &'a str,
    pub owner: UserId,
    pub due_on: NaiveDate,
}

pub(crate) async fn insert_task(
    tx: &mut Tx,
    c: CommunityId,
    campaign: CampaignId,
    t: &NewTask<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<CampaignTaskId> {
    let id = tx
        .insert_id(
            "INSERT INTO campaign_tasks (community_id, campaign_id, phase, title, owner_id, due_on, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            args![c, campaign, t.phase, t.title, t.owner, t.due_on, by, now],
        )
        .await?;
    Ok(CampaignTaskId(id))
}

/// The community's plan in the campaign, by deadline.
pub(crate) async fn tasks(
    q: &mut impl Queries,
    c: CommunityId,
    campaign: CampaignId,
) -> CoreResult<Vec<TaskRow>> {
    q.fetch_all(
        &format!(
            "{TASK} WHERE community_id = $1 AND campaign_id = $2 ORDER BY due_on, id LIMIT 500"
        ),
        args![c, campaign],
    )
    .await
}

pub(crate) async fn task(q: &mut impl Queries, id: CampaignTaskId) -> CoreResult<Option<TaskRow>> {
    q.fetch_optional(&format!("{TASK} WHERE id = $1"), args![id])
        .await
}

pub(crate) async fn finish_task(
    tx: &mut Tx,
    c: CommunityId,
    id: CampaignTaskId,
    note: Option<&str>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE campaign_tasks SET done_at = $3, done_note = $4 WHERE community_id = $1 AND id = $2 \
         AND done_at IS NULL",
        args![c, id, now, note],
    )
    .await
}
