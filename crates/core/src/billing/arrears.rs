//! Chasing arrears (欠费催缴): the ageing of what is overdue (0–30, 31–90, 91–180, over 180
//! days) by building, the units in arrears, reminder notices (催缴通知单) in batches, the
//! reminder log (费用催缴记录表: method, result, next step), and the collection rate (收缴率)
//! of a period — collected of what was billed for it — by fee item and by building.

use super::error::BillingCode;
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::Core;
use crate::audit::{self, Action, Entry};
use crate::db::Queries;
use crate::shared::code_enum;
use crate::shared::ctx::{Ctx, Perm};
use crate::shared::error::{Checks, CoreError, CoreResult};
use crate::shared::ids::*;
use crate::shared::values::{optional_text, required_text};

use super::ledger::{Charge, open_charges, unit_label};
use super::model::Period;
use super::setup::*;
use super::store;

code_enum!(ReminderMethod, BillingCode::UnknownReminderMethod, {
    Phone = "phone", "电话", "Phone";
    Notice = "notice", "催缴通知单", "Reminder notice";
    Visit = "visit", "上门", "Visit";
    Sms = "sms", "短信", "SMS";
    Wechat = "wechat", "微信", "WeChat";
});

#[derive(Debug, Clone, Default, Serialize, ToSchema, sqlx::FromRow)]
pub struct AgeingRow {
    pub building_id: Option<i64>,
    /// Empty for the community's total.
    pub building: String,
    pub units: i64,
    pub d0_30_fen: i64,
    pub d31_90_fen: i64,
    pub d91_180_fen: i64,
    pub over_180_fen: i64,
    pub total_fen: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Ageing {
    pub community_id: CommunityId,
    pub as_of: NaiveDate,
    pub buildings: Vec<AgeingRow>,
    pub total: AgeingRow,
}

/// Arrears ageing by building as of a day (default today): what is overdue, by how long.
pub async fn ageing(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    as_of: Option<NaiveDate>,
) -> CoreResult<Ageing> {
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let as_of = as_of.unwrap_or_else(|| today_in(tz));
    let buildings = store::reminders::ageing(&mut r, c, as_of).await?;
    let mut total = AgeingRow::default();
    for b in &buildings {
        total.units += b.units;
        total.d0_30_fen += b.d0_30_fen;
        total.d31_90_fen += b.d31_90_fen;
        total.d91_180_fen += b.d91_180_fen;
        total.over_180_fen += b.over_180_fen;
        total.total_fen += b.total_fen;
    }
    Ok(Ageing {
        community_id: c,
        as_of,
        buildings,
        total,
    })
}

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct ArrearsUnit {
    pub unit_id: UnitId,
    pub building_id: i64,
    /// "1栋-1801".
    pub unit_label: String,
    pub charges: i64,
    pub owed_fen: i64,
    pub oldest_due: NaiveDate,
    /// Days since the oldest overdue charge was due.
    pub days: i64,
    pub last_reminder_at: Option<DateTime<Utc>>,
    /// The first owner's name, and his phone masked (138****5678), for the collector.
    #[sqlx(skip)]
    pub owner_name: Option<String>,
    #[sqlx(skip)]
    pub owner_phone: Option<String>,
}

/// The first owner of each unit: name and masked phone.
async fn owners(
    core: &Core,
    q: &mut impl Queries,
    c: CommunityId,
    units: &[i64],
) -> CoreResult<std::collections::HashMap<i64, (String, Option<String>)>> {
    let mut out = std::collections::HashMap::new();
    for chunk in units.chunks(500) {
        for (unit, name, phone) in crate::registry::store::people::unit_owners(q, c, chunk).await? {
            if out.contains_key(&unit) {
                continue;
            }
            let phone = match phone {
                Some(b) => Some(crate::shared::crypto::mask_phone(&core.crypto.decrypt(&b)?)),
                None => None,
            };
            out.insert(unit, (name, phone));
        }
    }
    Ok(out)
}

#[derive(Debug, Clone, Default, Deserialize, ToSchema, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ArrearsFilter {
    pub building_id: Option<i64>,
    /// Only units whose oldest overdue charge is at least this many days old.
    pub min_days: Option<i64>,
    pub as_of: Option<NaiveDate>,
    /// Skip this many of the list (most owed first), for paging.
    pub offset: Option<i64>,
    /// At most this many (default: all).
    pub limit: Option<i64>,
}

/// The units in arrears (overdue charges), most owed first.
pub async fn arrears_units(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: &ArrearsFilter,
) -> CoreResult<Vec<ArrearsUnit>> {
    require_billing(ctx, c)?;
    let mut r = core.db.read();
    let tz = community_tz(&mut r, ctx, c).await?;
    let as_of = f.as_of.unwrap_or_else(|| today_in(tz));
    let mut units =
        store::reminders::arrears_units(&mut r, c, as_of, f.building_id, f.min_days.unwrap_or(0))
            .await?;
    // The owners' names and phones are read (and decrypted) for the page shown only.
    let skip = usize::try_from(f.offset.unwrap_or(0).max(0)).unwrap_or(usize::MAX);
    units.drain(..skip.min(units.len()));
    if let Some(n) = f.limit {
        units.truncate(usize::try_from(n.max(0)).unwrap_or(usize::MAX));
    }
    let ids: Vec<i64> = units.iter().map(|u| u.unit_id.0).collect();
    let mut who = owners(core, &mut r, c, &ids).await?;
    for u in &mut units {
        if let Some((name, phone)) = who.remove(&u.unit_id.0) {
            u.owner_name = Some(name);
            u.owner_phone = phone;
        }
    }
    Ok(units)
}

// ---------------------------------------------------------------------------------------------
// Reminder log and notices

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct Reminder {
    pub id: i64,
    pub community_id: CommunityId,
    pub unit_id: UnitId,
    pub at: DateTime<Utc>,
    /// phone, notice, visit, sms, wechat.
    pub method: String,
    /// What the unit owed when chased.
    pub owed_fen: i64,
    pub result: String,
    pub next_step: Option<String>,
    pub by_name: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ReminderForCreate {
    pub unit_id: UnitId,
    #[schema(value_type = ReminderMethod)]
    pub method: String,
    /// What the owner said or what happened ("答应月底前缴清").
    pub result: String,
    pub next_step: Option<String>,
}

async fn owed_now(q: &mut impl Queries, c: CommunityId, unit: UnitId) -> CoreResult<i64> {
    Ok(open_charges(q, c, unit)
        .await?
        .iter()
        .map(Charge::outstanding)
        .sum())
}

/// Records a reminder (催缴记录) in the log.
pub async fn record_reminder(
    core: &Core,
    ctx: &Ctx,
    input: ReminderForCreate,
) -> CoreResult<Reminder> {
    let mut ch = Checks::new();
    let method = ch.take(ReminderMethod::parse("method", &input.method));
    let result = ch.take(required_text("result", &input.result, 200));
    let next = ch.take(optional_text("next_step", input.next_step.as_deref(), 200));
    ch.finish()?;
    let (Some(method), Some(result), Some(next)) = (method, result, next) else {
        return Err(CoreError::internal("validated reminder"));
    };
    let mut tx = core.db.begin().await?;
    let c = unit_community(&mut tx, ctx, input.unit_id).await?;
    ctx.require_in(Perm::BillingCollect, c)?;
    let owed = owed_now(&mut tx, c, input.unit_id).await?;
    let id = store::reminders::insert(
        &mut tx,
        c,
        input.unit_id,
        Utc::now(),
        method.code(),
        owed,
        &result,
        next,
        store::reminders::By {
            id: ctx.actor(),
            name: &ctx.display_name,
        },
    )
    .await?;
    let r = store::reminders::get(&mut tx, ReminderId(id)).await?;
    // A reminder by SMS or WeChat is sent through the owners' notifications (催缴).
    if matches!(method, ReminderMethod::Sms | ReminderMethod::Wechat) {
        let (unit_label, owners) =
            crate::notify::unit_owner_accounts(&mut tx, input.unit_id).await?;
        let note = crate::notify::Note {
            community: c,
            event: crate::notify::model::Event::BillReminder,
            params: vec![
                ("unit".into(), unit_label),
                (
                    "amount".into(),
                    crate::shared::money::Money(owed).to_string(),
                ),
            ],
            request: None,
            link: Some("/portal/billing".into()),
        };
        crate::notify::enqueue(
            &core.channels,
            &mut tx,
            &note,
            &owners,
            crate::notify::InApp::Write,
            Utc::now(),
        )
        .await?;
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "reminder", id)
            .community(c)
            .after(&r),
    )
    .await?;
    tx.commit().await?;
    Ok(r)
}

/// A unit's reminder log, newest first.
pub async fn unit_reminders(core: &Core, ctx: &Ctx, unit: UnitId) -> CoreResult<Vec<Reminder>> {
    let mut r = core.db.read();
    let c = unit_community(&mut r, ctx, unit).await?;
    require_billing(ctx, c)?;
    store::reminders::of_unit(&mut r, c, unit).await
}

/// One reminder notice (催缴通知单): the unit, its overdue charges and the total.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Notice {
    pub unit_id: UnitId,
    pub unit_label: String,
    /// Addressed to the first owner by name ("张三 业主").
    pub owner_name: Option<String>,
    pub charges: Vec<Charge>,
    /// The overdue charges' outstanding principal.
    pub owed_fen: i64,
    /// The late fees accrued on them and not yet posted (posted ones are among the charges).
    pub late_fee_fen: i64,
    pub reminder_id: i64,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct NoticeBatch {
    pub company: String,
    pub community: String,
    pub as_of: NaiveDate,
    pub notices: Vec<Notice>,
    /// How many units matched: more than the notices when the batch stopped at its limit.
    pub matched: usize,
    /// The most notices one batch issues ([`NOTICE_LIMIT`]).
    pub limit: usize,
}

/// The most notices one batch issues: a print run the office can handle; narrow the filter
/// (a building, more days overdue) for the rest.
pub const NOTICE_LIMIT: usize = 500;

/// Issues reminder notices to the units in arrears that match the filter (at most 500 at a
/// time), each recorded in the reminder log with method `notice`; returns them for printing.
pub async fn issue_notices(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    f: ArrearsFilter,
) -> CoreResult<NoticeBatch> {
    ctx.require_in(Perm::BillingCollect, c)?;
    let units = arrears_units(core, ctx, c, &f).await?;
    let now = Utc::now();
    let mut tx = core.db.begin().await?;
    community_tz(&mut tx, ctx, c).await?;
    let (company, community, tz) = community_header(&mut tx, c).await?;
    let as_of = f.as_of.unwrap_or_else(|| today_in(tz));
    let matched = units.len();
    let mut notices = Vec::new();
    for u in units.into_iter().take(NOTICE_LIMIT) {
        let charges: Vec<Charge> = open_charges(&mut tx, c, u.unit_id)
            .await?
            .into_iter()
            .filter(|ch| ch.due_date < as_of)
            .collect();
        let owed: i64 = charges.iter().map(Charge::outstanding).sum();
        let late_fee: i64 = super::latefees::unit_late_fees(&mut tx, c, u.unit_id)
            .await?
            .iter()
            .filter(|l| !l.waived)
            .map(|l| l.accrued_fen)
            .sum();
        let id = store::reminders::insert_notice(
            &mut tx,
            c,
            u.unit_id,
            now,
            owed,
            "已发催缴通知单",
            store::reminders::By {
                id: ctx.actor(),
                name: &ctx.display_name,
            },
        )
        .await?;
        notices.push(Notice {
            unit_id: u.unit_id,
            unit_label: unit_label(&mut tx, c, u.unit_id).await?,
            owner_name: u.owner_name,
            charges,
            owed_fen: owed,
            late_fee_fen: late_fee,
            reminder_id: id,
        });
    }
    audit::record(
        &mut tx,
        ctx,
        Entry::new(Action::Create, "reminder_notices", c.0)
            .community(c)
            .after(&serde_json::json!({ "units": notices.iter().map(|n| n.unit_id).collect::<Vec<_>>() })),
    )
    .await?;
    tx.commit().await?;
    Ok(NoticeBatch {
        company,
        community,
        as_of,
        notices,
        matched,
        limit: NOTICE_LIMIT,
    })
}

// ---------------------------------------------------------------------------------------------
// Collection rate (收缴率)

#[derive(Debug, Clone, Serialize, ToSchema, sqlx::FromRow)]
pub struct RateRow {
    pub key_id: i64,
    pub name: String,
    pub billed_fen: i64,
    pub collected_fen: i64,
    /// Collected of billed in basis points (9512 = 95.12 %); none when nothing was billed.
    #[sqlx(skip)]
    pub rate_bp: Option<i64>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CollectionRate {
    pub community_id: CommunityId,
    pub period: String,
    pub billed_fen: i64,
    pub collected_fen: i64,
    pub rate_bp: Option<i64>,
    pub by_item: Vec<RateRow>,
    pub by_building: Vec<RateRow>,
}

fn rate(billed: i64, collected: i64) -> Option<i64> {
    (billed > 0).then(|| {
        super::model::Rounding::HalfUp.div(i128::from(collected) * 10_000, i128::from(billed))
    })
}

/// The collection rate of a period's bills: what the period billed (bill runs, reversals
/// excluded) and how much of it is collected so far.
pub async fn collection_rate(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    period: &str,
) -> CoreResult<CollectionRate> {
    require_billing(ctx, c)?;
    let (y, m) = Period::parse_month("period", period).map_err(|e| CoreError::Invalid(vec![e]))?;
    let key = format!("{y:04}-{m:02}");
    let mut r = core.db.read();
    community_tz(&mut r, ctx, c).await?;
    let mut by_item = store::reports::rate_by_item(&mut r, c, &key).await?;
    let mut by_building = store::reports::rate_by_building(&mut r, c, &key).await?;
    for row in by_item.iter_mut().chain(by_building.iter_mut()) {
        row.rate_bp = rate(row.billed_fen, row.collected_fen);
    }
    let billed = by_item.iter().map(|x| x.billed_fen).sum();
    let collected = by_item.iter().map(|x| x.collected_fen).sum();
    Ok(CollectionRate {
        community_id: c,
        period: key,
        billed_fen: billed,
        collected_fen: collected,
        rate_bp: rate(billed, collected),
        by_item,
        by_building,
    })
}

/// One month of the collection-rate trend.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RateMonth {
    pub period: String,
    pub billed_fen: i64,
    pub collected_fen: i64,
    pub rate_bp: Option<i64>,
}

/// The collection rate of the `months` periods up to `period` (oldest first, 1–12): what each
/// billed and how much of it is collected so far.
pub async fn collection_rate_trend(
    core: &Core,
    ctx: &Ctx,
    c: CommunityId,
    period: &str,
    months: u32,
) -> CoreResult<Vec<RateMonth>> {
    require_billing(ctx, c)?;
    let (y, m) = Period::parse_month("period", period).map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut r = core.db.read();
    community_tz(&mut r, ctx, c).await?;
    let last = y * 12 + m as i32 - 1;
    let mut out = Vec::new();
    for i in (last - months.clamp(1, 12) as i32 + 1)..=last {
        let key = format!("{:04}-{:02}", i.div_euclid(12), i.rem_euclid(12) + 1);
        let rows = store::reports::rate_by_item(&mut r, c, &key).await?;
        let billed = rows.iter().map(|x| x.billed_fen).sum();
        let collected = rows.iter().map(|x| x.collected_fen).sum();
        out.push(RateMonth {
            period: key,
            billed_fen: billed,
            collected_fen: collected,
            rate_bp: rate(billed, collected),
        });
    }
    Ok(out)
}
