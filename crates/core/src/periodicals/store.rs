//! SQL of newspapers and magazines: the catalogue (`periodicals`), subscriptions
//! (`periodical_subscriptions`), the issues received (`periodical_issues`) and their deliveries
//! (`periodical_deliveries`). An issue counts the copies handed out, raised by a conditional UPDATE
//! that never passes the copies received, so two desks handing out the last copy cannot both.

use chrono::{DateTime, NaiveDate, Utc};

use crate::args;
use crate::db::{Queries, Tx};
use crate::shared::error::CoreResult;
use crate::shared::ids::*;

crate::row! {
    /// A title of the community's catalogue.
    #[derive(Clone)]
    pub(crate) struct PeriodicalRow {
        pub id: PeriodicalId,
        pub community_id: CommunityId,
        pub title: String,
        pub kind: String,
        pub post_code: Option<String>,
        pub frequency: String,
        pub price_month_fen: i64,
        pub active: bool,
        pub updated_at: DateTime<Utc>,
    }
}

crate::row! {
    /// A subscription with its title, its unit's label and the copies handed out on it.
    #[derive(Clone)]
    pub(crate) struct SubscriptionRow {
        pub id: PeriodicalSubscriptionId,
        pub community_id: CommunityId,
        pub number: String,
        pub periodical_id: PeriodicalId,
        pub title: String,
        pub unit_id: UnitId,
        pub unit_label: String,
        pub person_id: Option<PersonId>,
        pub recipient_name: String,
        pub first_month: NaiveDate,
        pub last_month: NaiveDate,
        pub copies: i64,
        pub price_month_fen: i64,
        pub amount_fen: i64,
        pub charge_id: i64,
        pub channel: String,
        pub state: String,
        pub note: Option<String>,
        pub created_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub cancelled_by: Option<UserId>,
        pub cancelled_at: Option<DateTime<Utc>>,
        pub cancel_reason: Option<String>,
        pub delivered_count: i64,
    }
}

crate::row! {
    /// An issue received, with its title and how many deliveries are still to hand out.
    pub(crate) struct IssueRow {
        pub id: PeriodicalIssueId,
        pub community_id: CommunityId,
        pub periodical_id: PeriodicalId,
        pub title: String,
        pub issue_label: String,
        pub received_on: NaiveDate,
        pub copies_received: i64,
        pub copies_expected: i64,
        pub copies_delivered: i64,
        pub received_by: Option<UserId>,
        pub created_at: DateTime<Utc>,
        pub pending_count: i64,
    }
}

crate::row! {
    /// A delivery of an issue to a subscription, with who it goes to.
    pub(crate) struct DeliveryRow {
        pub id: PeriodicalDeliveryId,
        pub community_id: CommunityId,
        pub issue_id: PeriodicalIssueId,
        pub subscription_id: PeriodicalSubscriptionId,
        pub number: String,
        pub unit_label: String,
        pub recipient_name: String,
        pub copies: i64,
        pub state: String,
        pub signed_by: Option<String>,
        pub delivered_by: Option<UserId>,
        pub delivered_at: Option<DateTime<Utc>>,
    }
}

const PERIODICAL: &str = "SELECT id, community_id, title, kind, post_code, frequency, price_month_fen, active, \
     updated_at FROM periodicals";

const SUBSCRIPTION: &str = "SELECT s.id, s.community_id, s.number, s.periodical_id, p.title, s.unit_id, \
     b.name || '-' || u.unit_no AS unit_label, s.person_id, s.recipient_name, s.first_month, s.last_month, \
     s.copies, s.price_month_fen, s.amount_fen, s.charge_id, s.channel, s.state, s.note, s.created_by, \
     s.created_at, s.cancelled_by, s.cancelled_at, s.cancel_reason, \
     (SELECT COUNT(*) FROM periodical_deliveries d WHERE d.community_id = s.community_id \
     AND d.subscription_id = s.id AND d.state = 'delivered') \
     AS delivered_count FROM periodical_subscriptions s JOIN periodicals p ON p.id = s.periodical_id \
     JOIN units u ON u.id = s.unit_id JOIN buildings b ON b.id = u.building_id";

const ISSUE: &str = "SELECT i.id, i.community_id, i.periodical_id, p.title, i.issue_label, i.received_on, \
     i.copies_received, i.copies_expected, i.copies_delivered, i.received_by, i.created_at, \
     (SELECT COUNT(*) FROM periodical_deliveries d WHERE d.community_id = i.community_id AND d.issue_id = i.id \
     AND d.state = 'pending') \
     AS pending_count FROM periodical_issues i JOIN periodicals p ON p.id = i.periodical_id";

const DELIVERY: &str = "SELECT d.id, d.community_id, d.issue_id, d.subscription_id, s.number, \
     b.name || '-' || u.unit_no AS unit_label, s.recipient_name, d.copies, d.state, d.signed_by, \
     d.delivered_by, d.delivered_at FROM periodical_deliveries d \
     JOIN periodical_subscriptions s ON s.id = d.subscription_id JOIN units u ON u.id = s.unit_id \
     JOIN buildings b ON b.id = u.building_id";

/// What a title is: its fields as written.
pub(crate) struct TitleFields<'a> {
    pub title: &'a str,
    pub kind: &'a str,
    pub post_code: Option<&'a str>,
    pub frequency: &'a str,
    pub price_month_fen: i64,
    pub active: bool,
}

/// Adds a title; none when the community has one of that name.
pub(crate) async fn insert_periodical(
    tx: &mut Tx,
    c: CommunityId,
    f: &TitleFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<Option<PeriodicalId>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO periodicals (community_id, title, kind, post_code, frequency, price_month_fen, active, \
             created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             ON CONFLICT (community_id, title) DO NOTHING RETURNING id",
            args![c, f.title, f.kind, f.post_code, f.frequency, f.price_month_fen, f.active, now],
        )
        .await?;
    Ok(row.map(|(id,)| PeriodicalId(id)))
}

/// Another title of the community with this name, if any.
pub(crate) async fn title_taken(
    q: &mut impl Queries,
    c: CommunityId,
    title: &str,
    except: PeriodicalId,
) -> CoreResult<bool> {
    let row: Option<(i64,)> = q
        .fetch_optional(
            "SELECT id FROM periodicals WHERE community_id = $1 AND title = $2 AND id <> $3",
            args![c, title, except],
        )
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn update_periodical(
    tx: &mut Tx,
    id: PeriodicalId,
    f: &TitleFields<'_>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE periodicals SET title = $2, kind = $3, post_code = $4, frequency = $5, price_month_fen = $6, \
         active = $7, updated_at = $8 WHERE id = $1",
        args![id, f.title, f.kind, f.post_code, f.frequency, f.price_month_fen, f.active, now],
    )
    .await
}

pub(crate) async fn periodical(
    q: &mut impl Queries,
    id: PeriodicalId,
) -> CoreResult<Option<PeriodicalRow>> {
    q.fetch_optional(&format!("{PERIODICAL} WHERE id = $1"), args![id])
        .await
}

/// The community's titles by name; only those taken for subscription when `active_only`.
pub(crate) async fn periodicals(
    q: &mut impl Queries,
    c: CommunityId,
    active_only: bool,
) -> CoreResult<Vec<PeriodicalRow>> {
    q.fetch_all(
        &format!("{PERIODICAL} WHERE community_id = $1 AND (active = $2 OR $3) ORDER BY title"),
        args![c, true, !active_only],
    )
    .await
}

/// A new subscription, as written.
pub(crate) struct NewSubscription<'a> {
    pub number: &'a str,
    pub periodical: PeriodicalId,
    pub unit: UnitId,
    pub person: Option<PersonId>,
    pub recipient_name: &'a str,
    pub first_month: NaiveDate,
    pub last_month: NaiveDate,
    pub copies: i64,
    pub price_month_fen: i64,
    pub amount_fen: i64,
    pub charge_id: i64,
    pub channel: &'a str,
    pub note: Option<&'a str>,
}

pub(crate) async fn insert_subscription(
    tx: &mut Tx,
    c: CommunityId,
    s: &NewSubscription<'_>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<PeriodicalSubscriptionId> {
    let id = tx
        .insert_id(
            "INSERT INTO periodical_subscriptions (community_id, number, periodical_id, unit_id, person_id, \
             recipient_name, first_month, last_month, copies, price_month_fen, amount_fen, charge_id, channel, \
             state, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'active', $14, $15, $16) RETURNING id",
            args![
                c,
                s.number,
                s.periodical,
                s.unit,
                s.person,
                s.recipient_name,
                s.first_month,
                s.last_month,
                s.copies,
                s.price_month_fen,
                s.amount_fen,
                s.charge_id,
                s.channel,
                s.note,
                by,
                now
            ],
        )
        .await?;
    Ok(PeriodicalSubscriptionId(id))
}

pub(crate) async fn subscription(
    q: &mut impl Queries,
    id: PeriodicalSubscriptionId,
) -> CoreResult<Option<SubscriptionRow>> {
    q.fetch_optional(&format!("{SUBSCRIPTION} WHERE s.id = $1"), args![id])
        .await
}

/// The unit's running subscription to the title that shares a month with `first..=last`: its
/// number.
pub(crate) async fn overlapping(
    q: &mut impl Queries,
    c: CommunityId,
    p: PeriodicalId,
    unit: UnitId,
    (first, last): (NaiveDate, NaiveDate),
) -> CoreResult<Option<(String,)>> {
    q.fetch_optional(
        "SELECT number FROM periodical_subscriptions WHERE community_id = $5 AND periodical_id = $1 \
         AND unit_id = $2 AND state = 'active' AND first_month <= $4 AND last_month >= $3 ORDER BY id LIMIT 1",
        args![p, unit, first, last, c],
    )
    .await
}

/// Which subscriptions a list shows.
pub(crate) struct SubscriptionFilter {
    pub state: Option<&'static str>,
    pub periodical: Option<PeriodicalId>,
    pub unit: Option<UnitId>,
    /// Those running in this month (its first day).
    pub month: Option<NaiveDate>,
}

/// The community's subscriptions, newest first.
pub(crate) async fn subscriptions(
    q: &mut impl Queries,
    c: CommunityId,
    f: &SubscriptionFilter,
    limit: i64,
) -> CoreResult<Vec<SubscriptionRow>> {
    q.fetch_all(
        &format!(
            "{SUBSCRIPTION} WHERE s.community_id = $1 AND ($2 IS NULL OR s.state = $2) \
             AND ($3 IS NULL OR s.periodical_id = $3) AND ($4 IS NULL OR s.unit_id = $4) \
             AND ($5 IS NULL OR (s.first_month <= $5 AND s.last_month >= $5)) ORDER BY s.id DESC LIMIT $6"
        ),
        args![c, f.state, f.periodical, f.unit, f.month, limit],
    )
    .await
}

/// The subscriptions of a unit, newest first (the portal's).
pub(crate) async fn of_unit(
    q: &mut impl Queries,
    c: CommunityId,
    unit: UnitId,
) -> CoreResult<Vec<SubscriptionRow>> {
    q.fetch_all(
        &format!(
            "{SUBSCRIPTION} WHERE s.community_id = $1 AND s.unit_id = $2 ORDER BY s.id DESC LIMIT 100"
        ),
        args![c, unit],
    )
    .await
}

/// Cancels a running subscription; 0 when it is not running.
pub(crate) async fn cancel(
    tx: &mut Tx,
    c: CommunityId,
    id: PeriodicalSubscriptionId,
    reason: &str,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    let n = tx
        .execute(
            "UPDATE periodical_subscriptions SET state = 'cancelled', cancel_reason = $2, cancelled_by = $3, \
             cancelled_at = $4 WHERE id = $1 AND state = 'active'",
            args![id, reason, by, now],
        )
        .await?;
    if n == 1 {
        tx.execute(
            "DELETE FROM periodical_deliveries WHERE community_id = $1 AND subscription_id = $2 \
             AND state = 'pending'",
            args![c, id],
        )
        .await?;
    }
    Ok(n)
}

/// The copies the title's running subscriptions take in a month (its first day).
pub(crate) async fn copies_running(
    q: &mut impl Queries,
    c: CommunityId,
    p: PeriodicalId,
    month: NaiveDate,
) -> CoreResult<i64> {
    let (n,): (i64,) = q
        .fetch_one(
            "SELECT CAST(COALESCE(SUM(copies), 0) AS BIGINT) FROM periodical_subscriptions \
             WHERE community_id = $3 AND periodical_id = $1 AND state = 'active' AND first_month <= $2 \
             AND last_month >= $2",
            args![p, month, c],
        )
        .await?;
    Ok(n)
}

/// An issue received.
pub(crate) struct NewIssue<'a> {
    pub periodical: PeriodicalId,
    pub label: &'a str,
    pub received_on: NaiveDate,
    pub copies_received: i64,
    pub copies_expected: i64,
}

/// Records an issue and a delivery for each subscription running in its month (its first day);
/// none when the issue was recorded already.
pub(crate) async fn insert_issue(
    tx: &mut Tx,
    c: CommunityId,
    i: &NewIssue<'_>,
    month: NaiveDate,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<Option<PeriodicalIssueId>> {
    let row: Option<(i64,)> = tx
        .fetch_optional(
            "INSERT INTO periodical_issues (community_id, periodical_id, issue_label, received_on, \
             copies_received, copies_expected, copies_delivered, received_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7, $8) ON CONFLICT (community_id, periodical_id, issue_label) DO NOTHING \
             RETURNING id",
            args![
                c,
                i.periodical,
                i.label,
                i.received_on,
                i.copies_received,
                i.copies_expected,
                by,
                now
            ],
        )
        .await?;
    let Some((id,)) = row else {
        return Ok(None);
    };
    tx.execute(
        "INSERT INTO periodical_deliveries (community_id, issue_id, subscription_id, copies, state) \
         SELECT community_id, $1, id, copies, 'pending' FROM periodical_subscriptions \
         WHERE community_id = $4 AND periodical_id = $2 AND state = 'active' AND first_month <= $3 \
         AND last_month >= $3",
        args![id, i.periodical, month, c],
    )
    .await?;
    Ok(Some(PeriodicalIssueId(id)))
}

pub(crate) async fn issue(
    q: &mut impl Queries,
    id: PeriodicalIssueId,
) -> CoreResult<Option<IssueRow>> {
    q.fetch_optional(&format!("{ISSUE} WHERE i.id = $1"), args![id])
        .await
}

/// The community's issues received on a day (the day's 报刊收发登记表), or the latest ones.
pub(crate) async fn issues(
    q: &mut impl Queries,
    c: CommunityId,
    day: Option<NaiveDate>,
    limit: i64,
) -> CoreResult<Vec<IssueRow>> {
    q.fetch_all(
        &format!(
            "{ISSUE} WHERE i.community_id = $1 AND ($2 IS NULL OR i.received_on = $2) \
             ORDER BY i.received_on DESC, i.id DESC LIMIT $3"
        ),
        args![c, day, limit],
    )
    .await
}

pub(crate) async fn deliveries(
    q: &mut impl Queries,
    c: CommunityId,
    issue: PeriodicalIssueId,
) -> CoreResult<Vec<DeliveryRow>> {
    q.fetch_all(
        &format!(
            "{DELIVERY} WHERE d.community_id = $1 AND d.issue_id = $2 ORDER BY unit_label, d.id"
        ),
        args![c, issue],
    )
    .await
}

/// A subscription's latest deliveries (the portal's).
pub(crate) async fn deliveries_of(
    q: &mut impl Queries,
    c: CommunityId,
    s: PeriodicalSubscriptionId,
) -> CoreResult<Vec<(String, NaiveDate, String, Option<DateTime<Utc>>)>> {
    q.fetch_all(
        "SELECT i.issue_label, i.received_on, d.state, d.delivered_at FROM periodical_deliveries d \
         JOIN periodical_issues i ON i.id = d.issue_id WHERE d.community_id = $1 AND d.subscription_id = $2 \
         ORDER BY i.received_on DESC, d.id DESC LIMIT 20",
        args![c, s],
    )
    .await
}

pub(crate) async fn delivery(
    q: &mut impl Queries,
    id: PeriodicalDeliveryId,
) -> CoreResult<Option<DeliveryRow>> {
    q.fetch_optional(&format!("{DELIVERY} WHERE d.id = $1"), args![id])
        .await
}

/// Takes `n` copies of an issue for handing out; 0 when fewer are left.
pub(crate) async fn take_copies(tx: &mut Tx, issue: PeriodicalIssueId, n: i64) -> CoreResult<u64> {
    tx.execute(
        "UPDATE periodical_issues SET copies_delivered = copies_delivered + $2 \
         WHERE id = $1 AND copies_delivered + $2 <= copies_received",
        args![issue, n],
    )
    .await
}

/// Marks a delivery handed out; 0 when it was already.
pub(crate) async fn deliver(
    tx: &mut Tx,
    id: PeriodicalDeliveryId,
    signed_by: Option<&str>,
    by: Option<UserId>,
    now: DateTime<Utc>,
) -> CoreResult<u64> {
    tx.execute(
        "UPDATE periodical_deliveries SET state = 'delivered', signed_by = $2, delivered_by = $3, \
         delivered_at = $4 WHERE id = $1 AND state = 'pending'",
        args![id, signed_by, by, now],
    )
    .await
}
