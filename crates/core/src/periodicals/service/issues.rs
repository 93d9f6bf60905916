//! 报刊收发: the issues the post office brings, recorded once each with the copies received, and
//! their deliveries to the subscriptions running that month, handed out once — signed for or put
//! in the box — never more copies than arrived.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::PeriodicalCode;
use super::super::model::DeliveryState;
use super::super::store::{self, DeliveryRow, IssueRow, NewIssue};
use super::commit_audited;
use crate::db::Queries;
use crate::frontdesk::{require_desk, staff_names, today_in, tz_of};
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

/// How far back an issue is recorded (days), and the most copies of one.
const RECEIVED_DAYS_BACK: i64 = 7;
const MAX_COPIES_RECEIVED: i64 = 10_000;

/// An issue received, with its deliveries (on its own page).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodicalIssue {
    pub id: PeriodicalIssueId,
    pub community_id: CommunityId,
    pub periodical_id: PeriodicalId,
    pub title: String,
    /// The issue as printed: 2027-01-05, 第3期 …
    pub issue_label: String,
    pub received_on: NaiveDate,
    pub copies_received: i64,
    /// What the subscriptions running that month take.
    pub copies_expected: i64,
    pub copies_delivered: i64,
    /// Copies missing, to claim from the post office.
    pub shortfall: i64,
    /// Deliveries still to hand out.
    pub pending_count: i64,
    pub received_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    /// Filled when one issue is read.
    pub deliveries: Vec<Delivery>,
}

/// An issue's delivery to one subscription.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Delivery {
    pub id: PeriodicalDeliveryId,
    pub issue_id: PeriodicalIssueId,
    pub subscription_id: PeriodicalSubscriptionId,
    /// The subscription's number (BK-000001).
    pub number: String,
    pub unit_label: String,
    pub recipient_name: String,
    pub copies: i64,
    pub state: DeliveryState,
    /// Who signed for it; none when put in the box.
    pub signed_by: Option<String>,
    pub delivered_by_name: Option<String>,
    pub delivered_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct IssueForCreate {
    pub periodical_id: PeriodicalId,
    /// The issue as printed (1–40 characters), once per title.
    pub issue_label: String,
    /// Today (default) or up to 7 days back.
    #[serde(default)]
    pub received_on: Option<NaiveDate>,
    /// 0 to 10,000.
    pub copies_received: i64,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DeliveryHandOut {
    /// Who signed for it (none: put in the box).
    #[serde(default)]
    pub signed_by: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct IssueFilter {
    /// The day received (the 报刊收发登记表 of a day); default the latest 200.
    pub day: Option<NaiveDate>,
}

fn issue_view(
    r: IssueRow,
    names: &std::collections::HashMap<UserId, String>,
    deliveries: Vec<Delivery>,
) -> PeriodicalIssue {
    PeriodicalIssue {
        received_by_name: r
            .received_by
            .map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
        shortfall: (r.copies_expected - r.copies_received).max(0),
        id: r.id,
        community_id: r.community_id,
        periodical_id: r.periodical_id,
        title: r.title,
        issue_label: r.issue_label,
        received_on: r.received_on,
        copies_received: r.copies_received,
        copies_expected: r.copies_expected,
        copies_delivered: r.copies_delivered,
        pending_count: r.pending_count,
        created_at: r.created_at,
        deliveries,
    }
}

fn delivery_view(
    r: DeliveryRow,
    names: &std::collections::HashMap<UserId, String>,
) -> CoreResult<Delivery> {
    Ok(Delivery {
        state: DeliveryState::from_stored(&r.state)?,
        delivered_by_name: r
            .delivered_by
            .map(|u| names.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
        id: r.id,
        issue_id: r.issue_id,
        subscription_id: r.subscription_id,
        number: r.number,
        unit_label: r.unit_label,
        recipient_name: r.recipient_name,
        copies: r.copies,
        signed_by: r.signed_by,
        delivered_at: r.delivered_at,
    })
}

/// One issue with its deliveries.
async fn issue_of(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: PeriodicalIssueId,
) -> CoreResult<PeriodicalIssue> {
    let r = store::issue(q, id)
        .await?
        .ok_or(CoreError::NotFound("periodical_issue"))?;
    let names = staff_names(q, ctx, r.community_id).await?;
    let deliveries = store::deliveries(q, r.community_id, id)
        .await?
        .into_iter()
        .map(|d| delivery_view(d, &names))
        .collect::<CoreResult<Vec<_>>>()?;
    Ok(issue_view(r, &names, deliveries))
}

async fn reached_issue(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: PeriodicalIssueId,
) -> CoreResult<IssueRow> {
    let r = store::issue(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("periodical_issue"))?;
    require_desk(ctx, r.community_id).map_err(|_| CoreError::NotFound("periodical_issue"))?;
    Ok(r)
}

/// Records an issue the post office brought (`frontdesk.work`), once per title and label: a
/// delivery for each subscription running in the month it came.
pub async fn receive_issue(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: IssueForCreate,
) -> CoreResult<PeriodicalIssue> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let label = required_text("issue_label", &input.issue_label, 40)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if !(0..=MAX_COPIES_RECEIVED).contains(&input.copies_received) {
        errs.push(
            FieldError::new("copies_received", PeriodicalCode::ReceivedCopies)
                .with("max", MAX_COPIES_RECEIVED),
        );
    }
    let mut tx = core.db.begin().await?;
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let day = input.received_on.unwrap_or(today);
    if day > today || day < today - Duration::days(RECEIVED_DAYS_BACK) {
        errs.push(
            FieldError::new("received_on", PeriodicalCode::ReceivedRange)
                .with("max", RECEIVED_DAYS_BACK),
        );
    }
    let known = store::periodical(&mut tx, input.periodical_id)
        .await?
        .is_some_and(|p| p.community_id == c);
    if !known {
        errs.push(FieldError::new(
            "periodical_id",
            PeriodicalCode::UnknownPeriodical,
        ));
    }
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let month = day.with_day(1).unwrap_or(day);
    let expected = store::copies_running(&mut tx, c, input.periodical_id, month).await?;
    let new = NewIssue {
        periodical: input.periodical_id,
        label: &label,
        received_on: day,
        copies_received: input.copies_received,
        copies_expected: expected,
    };
    let Some(id) = store::insert_issue(&mut tx, c, &new, month, ctx.actor(), Utc::now()).await?
    else {
        return Err(CoreError::conflict(
            "issue_label",
            PeriodicalCode::IssueTaken,
        ));
    };
    let after = issue_of(&mut tx, ctx, id).await?;
    commit_audited(tx, ctx, ("periodical_issue", id.0, c), None, &after).await?;
    Ok(after)
}

pub async fn get_issue(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalIssueId,
) -> CoreResult<PeriodicalIssue> {
    let mut q = core.db.read();
    reached_issue(&mut q, ctx, id).await?;
    issue_of(&mut q, ctx, id).await
}

/// The community's issues received on a day, or the latest 200 (without their deliveries).
pub async fn list_issues(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: IssueFilter,
) -> CoreResult<Vec<PeriodicalIssue>> {
    require_desk(ctx, c)?;
    let mut q = core.db.read();
    let names = staff_names(&mut q, ctx, c).await?;
    Ok(store::issues(&mut q, c, f.day, 200)
        .await?
        .into_iter()
        .map(|r| issue_view(r, &names, Vec::new()))
        .collect())
}

/// Hands out one delivery (`frontdesk.work`), signed for by name or put in the box; once, and
/// only while copies of the issue are left. Returns the issue.
pub async fn hand_out(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalDeliveryId,
    input: DeliveryHandOut,
) -> CoreResult<PeriodicalIssue> {
    let signed = optional_text("signed_by", input.signed_by.as_deref(), 40)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let d = store::delivery(&mut tx, id)
        .await?
        .filter(|d| ctx.reaches(d.community_id))
        .ok_or(CoreError::NotFound("periodical_delivery"))?;
    require_desk(ctx, d.community_id).map_err(|_| CoreError::NotFound("periodical_delivery"))?;
    let before = issue_of(&mut tx, ctx, d.issue_id).await?;
    if DeliveryState::from_stored(&d.state)? != DeliveryState::Pending {
        return Err(CoreError::conflict(
            "state",
            PeriodicalCode::DeliveredAlready,
        ));
    }
    if store::take_copies(&mut tx, d.issue_id, d.copies).await? != 1 {
        let left = before.copies_received - before.copies_delivered;
        return Err(no_copies(left));
    }
    if store::deliver(&mut tx, id, signed.as_deref(), ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict(
            "state",
            PeriodicalCode::DeliveredAlready,
        ));
    }
    let after = issue_of(&mut tx, ctx, d.issue_id).await?;
    let key = ("periodical_issue", d.issue_id.0, d.community_id);
    commit_audited(tx, ctx, key, Some(&before), &after).await?;
    Ok(after)
}

/// Puts every delivery of an issue still to hand out in the boxes (`frontdesk.work`), when
/// enough copies are left for all of them.
pub async fn hand_out_all(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalIssueId,
) -> CoreResult<PeriodicalIssue> {
    let mut tx = core.db.begin().await?;
    let r = reached_issue(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let before = issue_of(&mut tx, ctx, id).await?;
    let pending: Vec<&Delivery> = before
        .deliveries
        .iter()
        .filter(|d| d.state == DeliveryState::Pending)
        .collect();
    let needed: i64 = pending.iter().map(|d| d.copies).sum();
    if needed > 0 && store::take_copies(&mut tx, id, needed).await? != 1 {
        let left = before.copies_received - before.copies_delivered;
        return Err(no_copies(left));
    }
    let now = Utc::now();
    for d in pending {
        if store::deliver(&mut tx, d.id, None, ctx.actor(), now).await? != 1 {
            return Err(CoreError::conflict(
                "state",
                PeriodicalCode::DeliveredAlready,
            ));
        }
    }
    let after = issue_of(&mut tx, ctx, id).await?;
    commit_audited(
        tx,
        ctx,
        ("periodical_issue", id.0, c),
        Some(&before),
        &after,
    )
    .await?;
    Ok(after)
}

/// Not enough copies of the issue left: how many are.
fn no_copies(left: i64) -> CoreError {
    CoreError::Conflict(
        FieldError::new("copies", PeriodicalCode::NoCopiesLeft).with("left", left.max(0)),
    )
}
