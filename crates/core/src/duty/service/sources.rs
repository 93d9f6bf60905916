//! Where a handover's items come from besides the lines typed by hand: one function per source,
//! each reading its module's store and giving items of one kind with a source reference (so the
//! same record is listed once, and a carried-over item is not listed again). Adding a source is:
//! a variant of [`ItemKind`](crate::duty::model::ItemKind), a function here, and its line in
//! [`collect`].

use chrono::{DateTime, Duration, Utc};

use crate::Core;
use crate::db::Tx;
use crate::duty::model::ItemKind;
use crate::duty::store::handovers::NewItem;
use crate::shared::error::CoreResult;
use crate::shared::ids::*;
use crate::shared::money::Money;

/// The most open requests a handover lists (the rest are in the desk's list).
const MAX_REQUESTS: i64 = 30;

fn item(kind: ItemKind, source: String, text: String) -> NewItem {
    NewItem {
        kind: kind.code(),
        source_ref: Some(source),
        text,
        origin: None,
    }
}

/// The community's open requests, those whose clock ran out first, then those warned.
async fn requests(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<NewItem>> {
    let rows = crate::tickets::store::for_duty::open_requests(tx, c, MAX_REQUESTS).await?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let flag = if r.breached {
                "【已超时】"
            } else if r.warned {
                "【即将超时】"
            } else {
                ""
            };
            let what: String = r.description.chars().take(60).collect();
            let place = r.location.map(|l| format!("（{l}）")).unwrap_or_default();
            let state = crate::tickets::model::RequestState::from_stored(&r.state)
                .map(|s| s.zh())
                .unwrap_or("");
            item(
                ItemKind::Request,
                format!("request:{}", r.id),
                format!("{flag}{} {state}{place} {what}", r.number),
            )
        })
        .collect())
}

/// The cash the outgoing person holds as cashier: each of his days not yet daily-closed.
async fn cash(tx: &mut Tx, c: CommunityId, outgoing: UserId) -> CoreResult<Vec<NewItem>> {
    let mut out = Vec::new();
    for day in crate::billing::store::cashier_days::open_days_of(tx, c, outgoing.0).await? {
        let totals = crate::billing::store::cashier_days::totals(tx, c, outgoing.0, day).await?;
        let cash: i64 = totals
            .iter()
            .filter(|(m, ..)| m == "cash")
            .map(|(_, _, fen)| *fen)
            .sum();
        let all: i64 = totals.iter().map(|(_, _, fen)| *fen).sum();
        out.push(item(
            ItemKind::Cash,
            format!("cash:{}:{day}", outgoing.0),
            format!(
                "{day} 未日结：现金 {} 元（全部 {} 元）",
                Money(cash),
                Money(all)
            ),
        ));
    }
    Ok(out)
}

/// The community's open incidents.
async fn incidents(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<NewItem>> {
    Ok(crate::incidents::store::incidents::open_of(tx, c)
        .await?
        .into_iter()
        .map(|(id, title, place)| {
            item(
                ItemKind::Incident,
                format!("incident:{id}"),
                format!("{title}（{place}）处理中"),
            )
        })
        .collect())
}

/// Patrol findings of the last two days that nobody has turned into a request yet (older ones
/// come back only as carried-over items, so a finding is not listed for ever).
async fn findings(tx: &mut Tx, c: CommunityId, now: DateTime<Utc>) -> CoreResult<Vec<NewItem>> {
    let since = now - Duration::days(2);
    Ok(
        crate::patrols::store::scans::findings(tx, c, true, MAX_REQUESTS)
            .await?
            .into_iter()
            .filter(|f| f.scanned_at >= since)
            .map(|f| {
                let what = match (&f.value_milli, &f.choice) {
                    (Some(v), _) => format!(
                        "{} {}{}",
                        f.label,
                        crate::patrols::model::milli_text(*v),
                        f.unit.as_deref().unwrap_or("")
                    ),
                    (None, Some(choice)) => format!("{} {choice}", f.label),
                    (None, None) => format!("{} 异常", f.label),
                };
                let place = f.location.map(|l| format!("（{l}）")).unwrap_or_default();
                item(
                    ItemKind::Finding,
                    format!("finding:{}", f.id),
                    format!("{}{place} {what}，未转报事", f.checkpoint_name),
                )
            })
            .collect(),
    )
}

/// Equipment running abnormally or under repair, and maintenance orders past their due date.
async fn equipment(tx: &mut Tx, c: CommunityId, now: DateTime<Utc>) -> CoreResult<Vec<NewItem>> {
    let a = crate::equipment::attention_in(tx, c, now).await?;
    let mut out: Vec<NewItem> = a
        .abnormal
        .into_iter()
        .map(|e| {
            let place = e.location.map(|l| format!("（{l}）")).unwrap_or_default();
            item(
                ItemKind::Equipment,
                format!("equipment:{}", e.id.0),
                format!("{} {}{place} {}", e.code, e.name, e.status.zh()),
            )
        })
        .collect();
    out.extend(a.overdue.into_iter().map(|o| {
        let name = o
            .equipment_name
            .map(|n| format!("（{n}）"))
            .unwrap_or_default();
        item(
            ItemKind::Equipment,
            format!("maintenance_order:{}", o.id.0),
            format!("保养逾期：{}{name}，应于 {} 完成", o.title, o.due_on),
        )
    }));
    Ok(out)
}

/// The keys out of the community's cabinets, due first; those past due flagged.
async fn keys(tx: &mut Tx, c: CommunityId) -> CoreResult<Vec<NewItem>> {
    let tz = crate::registry::store::for_notify::community(tx, c)
        .await?
        .map(|(_, _, tz)| crate::shared::calendar::zone(&tz))
        .unwrap_or_else(|| crate::shared::calendar::zone(""));
    Ok(crate::frontdesk::keys_out(tx, c, MAX_REQUESTS)
        .await?
        .into_iter()
        .map(|k| {
            let flag = if k.overdue { "【已逾期】" } else { "" };
            item(
                ItemKind::Key,
                format!("key_loan:{}", k.loan),
                format!(
                    "{flag}钥匙 {}（{}）借给 {}，应于 {} 归还",
                    k.code,
                    k.opens,
                    k.borrower,
                    k.due_at.with_timezone(&tz).format("%m-%d %H:%M")
                ),
            )
        })
        .collect())
}

/// Every source's items for a handover the outgoing person starts.
pub(crate) async fn collect(
    _core: &Core,
    tx: &mut Tx,
    c: CommunityId,
    outgoing: UserId,
) -> CoreResult<Vec<NewItem>> {
    let mut v = requests(tx, c).await?;
    v.extend(cash(tx, c, outgoing).await?);
    v.extend(incidents(tx, c).await?);
    let now = Utc::now();
    v.extend(findings(tx, c, now).await?);
    v.extend(equipment(tx, c, now).await?);
    v.extend(keys(tx, c).await?);
    Ok(v)
}

/// The kinds of item a handover may hold (for filters and the legend).
pub type HandoverSource = ItemKind;
