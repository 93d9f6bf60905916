//! The catalogue of titles and the subscriptions (报刊征订): kept by a manager, subscribed at the
//! desk or in the portal, charged to the unit through billing, cancelled while unpaid and
//! untouched. The issues received and their deliveries are in [`issues`].

use std::collections::HashMap;

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::error::PeriodicalCode;
use super::model::{self, PeriodicalFrequency, PeriodicalKind, SubscriptionState};
use super::store::{self, PeriodicalRow, SubscriptionRow, TitleFields};
use crate::audit::{self, Action, Entry};
use crate::db::{Queries, Tx};
use crate::frontdesk::error::FrontdeskCode;
use crate::frontdesk::{
    Resident, require_desk, require_manage, required_desk_unit, staff_names, today_in, tz_of,
    unit_person,
};
use crate::registry::store::for_frontdesk as registry;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx};

pub mod issues;

pub use issues::*;

/// The agency fee item subscriptions are charged under (代收代缴, created on first use).
const FEE_ITEM: (&str, &str) = ("PERIODICAL", "报刊订阅");

/// A title of the community's catalogue.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Periodical {
    pub id: PeriodicalId,
    pub community_id: CommunityId,
    pub title: String,
    pub kind: PeriodicalKind,
    /// The post office's code (邮发代号), e.g. 1-1.
    pub post_code: Option<String>,
    pub frequency: PeriodicalFrequency,
    /// The post office's price a month (fen).
    pub price_month_fen: i64,
    /// Taken for new subscriptions.
    pub active: bool,
    pub updated_at: DateTime<Utc>,
}

/// A title as the manager writes it.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct PeriodicalInput {
    pub title: String,
    /// newspaper or magazine.
    pub kind: String,
    #[serde(default)]
    pub post_code: Option<String>,
    /// daily, weekly, fortnightly, monthly, bimonthly, quarterly.
    pub frequency: String,
    /// The monthly price in yuan ("40.00"), more than 0 and at most 10,000.
    pub price_month: String,
    /// Default true.
    #[serde(default)]
    pub active: Option<bool>,
}

/// A subscription (BK-000001).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Subscription {
    pub id: PeriodicalSubscriptionId,
    pub community_id: CommunityId,
    pub number: String,
    pub periodical_id: PeriodicalId,
    pub title: String,
    pub unit_id: UnitId,
    pub unit_label: String,
    pub person_id: Option<PersonId>,
    pub recipient_name: String,
    /// "2027-01".
    pub first_month: String,
    pub last_month: String,
    pub months: i64,
    pub copies: i64,
    /// The monthly price it was taken at, and the whole (fen).
    pub price_month_fen: i64,
    pub amount_fen: i64,
    /// The unit's charge in billing.
    pub charge_id: i64,
    /// What is still to pay on it (fen); 0 once paid or cancelled.
    pub outstanding_fen: i64,
    /// Running and nothing left to pay.
    pub paid: bool,
    /// desk or portal.
    pub channel: String,
    pub state: SubscriptionState,
    pub note: Option<String>,
    /// Issues handed out on it.
    pub delivered_count: i64,
    pub created_by_name: Option<String>,
    pub created_at: DateTime<Utc>,
    pub cancelled_by_name: Option<String>,
    pub cancelled_at: Option<DateTime<Utc>>,
    pub cancel_reason: Option<String>,
}

/// A subscription the desk takes.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SubscriptionForCreate {
    pub periodical_id: PeriodicalId,
    #[serde(default)]
    pub unit_id: Option<UnitId>,
    /// Or the unit as typed (`1栋-1801`).
    #[serde(default)]
    pub unit_label: Option<String>,
    /// A person of the unit, or a name typed; default the unit's first owner.
    #[serde(default)]
    pub person_id: Option<PersonId>,
    #[serde(default)]
    pub recipient_name: Option<String>,
    /// The first month ("2027-01"): this month up to 12 months ahead.
    pub first_month: String,
    /// 1 to 12.
    pub months: i64,
    /// 1 to 20 (default 1).
    #[serde(default)]
    pub copies: Option<i64>,
    #[serde(default)]
    pub note: Option<String>,
}

/// A subscription a resident takes in the portal for a unit he is on.
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct MySubscriptionForCreate {
    pub periodical_id: PeriodicalId,
    pub unit_id: UnitId,
    pub first_month: String,
    pub months: i64,
    #[serde(default)]
    pub copies: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct SubscriptionCancel {
    pub reason: String,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SubscriptionFilter {
    /// active or cancelled; default all.
    pub state: Option<String>,
    pub periodical_id: Option<PeriodicalId>,
    pub unit_id: Option<UnitId>,
    /// Those running in a month ("2027-01").
    pub month: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CatalogueFilter {
    /// Only titles taken for new subscriptions.
    pub active: Option<bool>,
}

fn periodical_view(r: PeriodicalRow) -> CoreResult<Periodical> {
    Ok(Periodical {
        kind: PeriodicalKind::from_stored(&r.kind)?,
        frequency: PeriodicalFrequency::from_stored(&r.frequency)?,
        id: r.id,
        community_id: r.community_id,
        title: r.title,
        post_code: r.post_code,
        price_month_fen: r.price_month_fen,
        active: r.active,
        updated_at: r.updated_at,
    })
}

/// What a list of subscriptions needs besides their rows: staff names and what is owed.
pub(crate) struct Lookups {
    names: HashMap<UserId, String>,
    owed: HashMap<i64, i64>,
}

pub(crate) async fn lookups(
    q: &mut impl Queries,
    ctx: &Ctx,
    c: CommunityId,
) -> CoreResult<Lookups> {
    Ok(Lookups {
        names: staff_names(q, ctx, c).await?,
        owed: crate::billing::ledger::owed_under_code(q, c, FEE_ITEM.0).await?,
    })
}

pub(crate) fn subscription_view(r: SubscriptionRow, l: &Lookups) -> CoreResult<Subscription> {
    let state = SubscriptionState::from_stored(&r.state)?;
    let name =
        |u: Option<UserId>| u.map(|u| l.names.get(&u).cloned().unwrap_or_else(|| format!("#{u}")));
    let outstanding = match state {
        SubscriptionState::Active => l.owed.get(&r.charge_id).copied().unwrap_or(0),
        SubscriptionState::Cancelled => 0,
    };
    Ok(Subscription {
        created_by_name: name(r.created_by),
        cancelled_by_name: name(r.cancelled_by),
        months: model::months_between(r.first_month, r.last_month) + 1,
        first_month: model::month_key(r.first_month),
        last_month: model::month_key(r.last_month),
        outstanding_fen: outstanding,
        paid: state == SubscriptionState::Active && outstanding == 0,
        state,
        id: r.id,
        community_id: r.community_id,
        number: r.number,
        periodical_id: r.periodical_id,
        title: r.title,
        unit_id: r.unit_id,
        unit_label: r.unit_label,
        person_id: r.person_id,
        recipient_name: r.recipient_name,
        copies: r.copies,
        price_month_fen: r.price_month_fen,
        amount_fen: r.amount_fen,
        charge_id: r.charge_id,
        channel: r.channel,
        note: r.note,
        delivered_count: r.delivered_count,
        created_at: r.created_at,
        cancelled_at: r.cancelled_at,
        cancel_reason: r.cancel_reason,
    })
}

/// Audits a change of one record of the module in the caller's transaction, then commits.
pub(crate) async fn commit_audited<T: Serialize>(
    mut tx: Tx,
    ctx: &Ctx,
    (entity, id, c): (&str, i64, CommunityId),
    before: Option<&T>,
    after: &T,
) -> CoreResult<()> {
    let mut e = Entry::new(
        if before.is_some() {
            Action::Update
        } else {
            Action::Create
        },
        entity,
        id,
    )
    .community(c)
    .after(after);
    if let Some(b) = before {
        e = e.before(b);
    }
    audit::record(&mut tx, ctx, e).await?;
    tx.commit().await?;
    Ok(())
}

/// Checks a title's fields; every problem named.
fn title_fields(input: &PeriodicalInput) -> CoreResult<(String, Option<String>, i64)> {
    let mut errs = Vec::new();
    let title = required_text("title", &input.title, 60)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let post_code = optional_text("post_code", input.post_code.as_deref(), 20)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    if let Err(e) = PeriodicalKind::parse("kind", &input.kind) {
        errs.push(e);
    }
    if let Err(e) = PeriodicalFrequency::parse("frequency", &input.frequency) {
        errs.push(e);
    }
    let price = match crate::billing::ledger::positive_money("price_month", &input.price_month) {
        Ok(m) if m.0 > model::MAX_PRICE_MONTH_FEN => {
            errs.push(
                FieldError::new("price_month", PeriodicalCode::PriceRange)
                    .with("max", Money(model::MAX_PRICE_MONTH_FEN).to_string()),
            );
            0
        }
        Ok(m) => m.0,
        Err(e) => {
            errs.push(e);
            0
        }
    };
    if errs.is_empty() {
        Ok((title, post_code, price))
    } else {
        Err(CoreError::Invalid(errs))
    }
}

/// Adds a title to the community's catalogue (`frontdesk.manage`).
pub async fn add_periodical(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: PeriodicalInput,
) -> CoreResult<Periodical> {
    require_manage(ctx, c)?;
    let (title, post_code, price) = title_fields(&input)?;
    let f = TitleFields {
        title: &title,
        kind: input.kind.trim(),
        post_code: post_code.as_deref(),
        frequency: input.frequency.trim(),
        price_month_fen: price,
        active: input.active.unwrap_or(true),
    };
    let mut tx = core.db.begin().await?;
    let Some(id) = store::insert_periodical(&mut tx, c, &f, Utc::now()).await? else {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "title",
            PeriodicalCode::TitleTaken,
        )]));
    };
    let after = periodical_of(&mut tx, id).await?;
    commit_audited(tx, ctx, ("periodical", id.0, c), None, &after).await?;
    Ok(after)
}

async fn periodical_of(q: &mut impl Queries, id: PeriodicalId) -> CoreResult<Periodical> {
    periodical_view(
        store::periodical(q, id)
            .await?
            .ok_or(CoreError::NotFound("periodical"))?,
    )
}

/// Changes a title (`frontdesk.manage`); subscriptions taken keep their price.
pub async fn update_periodical(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalId,
    input: PeriodicalInput,
) -> CoreResult<Periodical> {
    let mut tx = core.db.begin().await?;
    let r = store::periodical(&mut tx, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("periodical"))?;
    let c = r.community_id;
    require_manage(ctx, c).map_err(|_| CoreError::NotFound("periodical"))?;
    let (title, post_code, price) = title_fields(&input)?;
    if store::title_taken(&mut tx, c, &title, id).await? {
        return Err(CoreError::Invalid(vec![FieldError::new(
            "title",
            PeriodicalCode::TitleTaken,
        )]));
    }
    let before = periodical_view(r)?;
    let f = TitleFields {
        title: &title,
        kind: input.kind.trim(),
        post_code: post_code.as_deref(),
        frequency: input.frequency.trim(),
        price_month_fen: price,
        active: input.active.unwrap_or(before.active),
    };
    store::update_periodical(&mut tx, id, &f, Utc::now()).await?;
    let after = periodical_of(&mut tx, id).await?;
    commit_audited(tx, ctx, ("periodical", id.0, c), Some(&before), &after).await?;
    Ok(after)
}

/// The community's catalogue by title (`frontdesk.work`).
pub async fn list_periodicals(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: CatalogueFilter,
) -> CoreResult<Vec<Periodical>> {
    require_desk(ctx, c)?;
    store::periodicals(&mut core.db.read(), c, f.active.unwrap_or(false))
        .await?
        .into_iter()
        .map(periodical_view)
        .collect()
}

/// A subscription's months and copies, checked against today's month; every problem named.
fn check_terms(
    first_month: &str,
    months: i64,
    copies: Option<i64>,
    today: NaiveDate,
    errs: &mut Vec<FieldError>,
) -> Option<(NaiveDate, NaiveDate, u32, i64)> {
    let first = match crate::billing::model::Period::parse_month("first_month", first_month) {
        Ok(ym) => Some(ym),
        Err(e) => {
            errs.push(e);
            None
        }
    };
    let this_month = today.with_day(1).unwrap_or(today);
    if let Some((y, m)) = first {
        let ahead = model::months_between(
            this_month,
            NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(this_month),
        );
        if !(0..=model::MAX_MONTHS_AHEAD as i64).contains(&ahead) {
            errs.push(
                FieldError::new("first_month", PeriodicalCode::FirstMonthRange)
                    .with("max", model::MAX_MONTHS_AHEAD),
            );
        }
    }
    if !(1..=model::MAX_MONTHS as i64).contains(&months) {
        errs.push(
            FieldError::new("months", PeriodicalCode::MonthsRange).with("max", model::MAX_MONTHS),
        );
    }
    let copies = copies.unwrap_or(1);
    if !(1..=model::MAX_COPIES).contains(&copies) {
        errs.push(
            FieldError::new("copies", PeriodicalCode::CopiesRange).with("max", model::MAX_COPIES),
        );
    }
    let (y, m) = first?;
    if !errs.is_empty() {
        return None;
    }
    let (from, to) = model::span((y, m), months as u32);
    Some((from, to, months as u32, copies))
}

/// Who the subscription is for, and on which channel.
struct Taker<'a> {
    unit: UnitId,
    person: Option<PersonId>,
    name: &'a str,
    channel: &'a str,
    note: Option<&'a str>,
}

/// A title of the community taken for subscription, or its problem pushed on `periodical_id`.
async fn takeable(
    q: &mut impl Queries,
    c: CommunityId,
    id: PeriodicalId,
    errs: &mut Vec<FieldError>,
) -> CoreResult<Option<PeriodicalRow>> {
    match store::periodical(q, id)
        .await?
        .filter(|p| p.community_id == c)
    {
        None => errs.push(FieldError::new(
            "periodical_id",
            PeriodicalCode::UnknownPeriodical,
        )),
        Some(p) if !p.active => {
            errs.push(FieldError::new("periodical_id", PeriodicalCode::Inactive))
        }
        Some(p) => return Ok(Some(p)),
    }
    Ok(None)
}

/// Writes a subscription checked by the caller and charges the unit, in one transaction.
async fn write_subscription(
    mut tx: Tx,
    ctx: &Ctx,
    c: CommunityId,
    p: &PeriodicalRow,
    t: Taker<'_>,
    (from, to, months, copies): (NaiveDate, NaiveDate, u32, i64),
) -> CoreResult<Subscription> {
    if let Some((number,)) = store::overlapping(&mut tx, c, p.id, t.unit, (from, to)).await? {
        return Err(CoreError::Invalid(vec![
            FieldError::new("first_month", PeriodicalCode::Overlap).with("number", number),
        ]));
    }
    let amount = model::amount_fen(p.price_month_fen, months, copies);
    let n = crate::shared::store::advance_counter(&mut tx, c, "periodical_subscription", 1).await?;
    let number = format!("BK-{n:06}");
    let charge = crate::billing::ledger::charge_agency_in(
        &mut tx,
        ctx,
        c,
        t.unit,
        FEE_ITEM,
        &format!(
            "报刊订阅 {} {}至{} {}",
            p.title,
            model::month_key(from),
            model::month_key(to),
            number
        ),
        format!(
            "¥{}/月 × {months}个月 × {copies}份",
            Money(p.price_month_fen)
        ),
        amount,
    )
    .await?;
    let new = store::NewSubscription {
        number: &number,
        periodical: p.id,
        unit: t.unit,
        person: t.person,
        recipient_name: t.name,
        first_month: from,
        last_month: to,
        copies,
        price_month_fen: p.price_month_fen,
        amount_fen: amount,
        charge_id: charge,
        channel: t.channel,
        note: t.note,
    };
    let id = store::insert_subscription(&mut tx, c, &new, ctx.actor(), Utc::now()).await?;
    let after = subscription_of(&mut tx, ctx, id).await?;
    commit_audited(tx, ctx, ("periodical_subscription", id.0, c), None, &after).await?;
    Ok(after)
}

async fn subscription_of(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: PeriodicalSubscriptionId,
) -> CoreResult<Subscription> {
    let r = store::subscription(q, id)
        .await?
        .ok_or(CoreError::NotFound("periodical_subscription"))?;
    let l = lookups(q, ctx, r.community_id).await?;
    subscription_view(r, &l)
}

/// The desk takes a subscription for a unit (`frontdesk.work`) and charges it to the unit.
pub async fn subscribe(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    input: SubscriptionForCreate,
) -> CoreResult<Subscription> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let unit = required_desk_unit(
        core,
        ctx,
        c,
        input.unit_id,
        input.unit_label.as_deref(),
        &mut errs,
    )
    .await?;
    let typed = optional_text("recipient_name", input.recipient_name.as_deref(), 40)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let note = optional_text("note", input.note.as_deref(), 200)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut tx = core.db.begin().await?;
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let terms = check_terms(
        &input.first_month,
        input.months,
        input.copies,
        today,
        &mut errs,
    );
    let p = takeable(&mut tx, c, input.periodical_id, &mut errs).await?;
    let mut person = input.person_id;
    if let (Some(u), None, None) = (unit, person, typed.as_deref()) {
        person = registry::owners_of(&mut tx, c, u).await?.first().copied();
    }
    // An unknown unit is named once: no recipient is looked for on it.
    let Some(unit) = unit else {
        return Err(CoreError::Invalid(errs));
    };
    let who = unit_person(
        &mut tx,
        c,
        Some(unit),
        Resident {
            person,
            name: typed,
            phone_enc: None,
        },
        ("person_id", "recipient_name"),
        FrontdeskCode::RecipientRequired,
        &mut errs,
    )
    .await?;
    let (Some(p), Some(terms), Some(name)) = (p, terms, who.name) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let t = Taker {
        unit,
        person: who.person,
        name: &name,
        channel: "desk",
        note: note.as_deref(),
    };
    write_subscription(tx, ctx, c, &p, t, terms).await
}

/// A resident subscribes in the portal for a unit he is on; the charge is the unit's.
pub async fn subscribe_mine(
    core: &Core,
    ctx: &Ctx,
    input: MySubscriptionForCreate,
) -> CoreResult<Subscription> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let mut errs = Vec::new();
    if !me.units.iter().any(|u| u.unit_id == input.unit_id) {
        errs.push(FieldError::new("unit_id", PeriodicalCode::NotOfUnit));
    }
    let mut tx = core.db.begin().await?;
    let today = today_in(tz_of(&mut tx, ctx, c).await?);
    let terms = check_terms(
        &input.first_month,
        input.months,
        input.copies,
        today,
        &mut errs,
    );
    let p = takeable(&mut tx, c, input.periodical_id, &mut errs).await?;
    let (Some(p), Some(terms)) = (p, terms) else {
        return Err(CoreError::Invalid(errs));
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let t = Taker {
        unit: input.unit_id,
        person: Some(me.person_id),
        name: &me.name,
        channel: "portal",
        note: None,
    };
    write_subscription(tx, ctx, c, &p, t, terms).await
}

pub(crate) async fn reached_subscription(
    q: &mut impl Queries,
    ctx: &Ctx,
    id: PeriodicalSubscriptionId,
) -> CoreResult<SubscriptionRow> {
    let r = store::subscription(q, id)
        .await?
        .filter(|r| ctx.reaches(r.community_id))
        .ok_or(CoreError::NotFound("periodical_subscription"))?;
    require_desk(ctx, r.community_id)
        .map_err(|_| CoreError::NotFound("periodical_subscription"))?;
    Ok(r)
}

pub async fn get_subscription(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalSubscriptionId,
) -> CoreResult<Subscription> {
    let mut q = core.db.read();
    let r = reached_subscription(&mut q, ctx, id).await?;
    let l = lookups(&mut q, ctx, r.community_id).await?;
    subscription_view(r, &l)
}

/// The community's subscriptions, newest first; at most 500.
pub async fn list_subscriptions(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: SubscriptionFilter,
) -> CoreResult<Vec<Subscription>> {
    require_desk(ctx, c)?;
    let mut errs = Vec::new();
    let state = match f.state.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(s) => SubscriptionState::parse("state", s)
            .map_err(|e| errs.push(e))
            .ok(),
        None => None,
    };
    let month = match f.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        Some(m) => crate::billing::model::Period::parse_month("month", m)
            .map_err(|e| errs.push(e))
            .ok()
            .map(|ym| model::span(ym, 1).0),
        None => None,
    };
    if !errs.is_empty() {
        return Err(CoreError::Invalid(errs));
    }
    let filter = store::SubscriptionFilter {
        state: state.map(|s| s.code()),
        periodical: f.periodical_id,
        unit: f.unit_id,
        month,
    };
    let mut q = core.db.read();
    let rows = store::subscriptions(&mut q, c, &filter, 500).await?;
    let l = lookups(&mut q, ctx, c).await?;
    rows.into_iter().map(|r| subscription_view(r, &l)).collect()
}

/// Cancels a subscription (`frontdesk.work`) while nothing is paid on it and no copy was handed
/// out: its charge is reversed (红冲) and its deliveries still to hand out are dropped.
pub async fn cancel_subscription(
    core: &Core,
    ctx: &Ctx,
    id: PeriodicalSubscriptionId,
    input: SubscriptionCancel,
) -> CoreResult<Subscription> {
    let reason =
        required_text("reason", &input.reason, 200).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = reached_subscription(&mut tx, ctx, id).await?;
    let c = r.community_id;
    let l = lookups(&mut tx, ctx, c).await?;
    let before = subscription_view(r.clone(), &l)?;
    if before.state != SubscriptionState::Active {
        return Err(CoreError::conflict("state", PeriodicalCode::NotActive));
    }
    if r.delivered_count > 0 {
        return Err(CoreError::conflict("state", PeriodicalCode::Delivered));
    }
    let why = format!("报刊退订 {}: {reason}", r.number);
    if !crate::billing::ledger::withdraw_service_in(&mut tx, ctx, c, r.charge_id, &why).await? {
        return Err(CoreError::conflict("state", PeriodicalCode::Paid));
    }
    if store::cancel(&mut tx, c, id, &reason, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("state", PeriodicalCode::NotActive));
    }
    let after = subscription_of(&mut tx, ctx, id).await?;
    commit_audited(
        tx,
        ctx,
        ("periodical_subscription", id.0, c),
        Some(&before),
        &after,
    )
    .await?;
    Ok(after)
}

/// An issue handed out on a subscription, as the resident sees it.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeliveryNote {
    pub issue_label: String,
    pub received_on: NaiveDate,
    pub state: model::DeliveryState,
    pub delivered_at: Option<DateTime<Utc>>,
}

/// A resident's subscription with its latest deliveries.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MySubscription {
    #[serde(flatten)]
    pub subscription: Subscription,
    pub deliveries: Vec<DeliveryNote>,
}

/// What the portal shows: the titles taken and the subscriptions of the resident's units.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MyPeriodicals {
    pub catalogue: Vec<Periodical>,
    pub subscriptions: Vec<MySubscription>,
    /// This month ("2026-12"): the earliest a subscription starts.
    pub this_month: String,
}

/// The portal's page: the catalogue and the subscriptions of the units the resident is on.
pub async fn my_periodicals(core: &Core, ctx: &Ctx) -> CoreResult<MyPeriodicals> {
    let me = crate::portal::profile(core, ctx).await?;
    let c = me.community_id;
    let mut q = core.db.read();
    let today = today_in(tz_of(&mut q, ctx, c).await?);
    let catalogue = store::periodicals(&mut q, c, true)
        .await?
        .into_iter()
        .map(periodical_view)
        .collect::<CoreResult<Vec<_>>>()?;
    let l = lookups(&mut q, ctx, c).await?;
    let mut subscriptions = Vec::new();
    for u in &me.units {
        for r in store::of_unit(&mut q, c, u.unit_id).await? {
            let deliveries = store::deliveries_of(&mut q, c, r.id)
                .await?
                .into_iter()
                .map(|(issue_label, received_on, state, delivered_at)| {
                    Ok(DeliveryNote {
                        issue_label,
                        received_on,
                        state: model::DeliveryState::from_stored(&state)?,
                        delivered_at,
                    })
                })
                .collect::<CoreResult<Vec<_>>>()?;
            subscriptions.push(MySubscription {
                subscription: subscription_view(r, &l)?,
                deliveries,
            });
        }
    }
    Ok(MyPeriodicals {
        catalogue,
        subscriptions,
        this_month: model::month_key(today.with_day(1).unwrap_or(today)),
    })
}
