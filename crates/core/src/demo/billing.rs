//! The demo's fees in the first community: fee items and charge standards, two quarters billed,
//! some payments taken today and the late fees they leave, all through billing's services.

use crate::auth;
use crate::shared::ids::{CommunityId, PersonId, UnitId, UserId};
use crate::{Core, CoreResult, Ctx};

/// Fees of the first community: a property fee by building area billed quarterly with a late
/// fee, a monthly parking fee per space, the common maintenance fund; the third and fourth
/// quarters of 2026 billed; the cashier took some payments today; late fees accrued.
pub(super) async fn seed_billing(
    core: &Core,
    sys: &Ctx,
    c: CommunityId,
    households: &[(UnitId, PersonId)],
    cashier: UserId,
) -> CoreResult<()> {
    use crate::billing::{
        self, BillRunForCreate, FeeItemForSave, PaymentForCreate, StandardForSave,
    };
    let item = |code: &str, name: &str, kind: &str, rate: &str| FeeItemForSave {
        community_id: c,
        code: code.into(),
        name: name.into(),
        kind: kind.into(),
        late_fee_rate: Some(rate.into()),
        late_fee_grace_days: Some(15),
        late_fee_cap_pct: Some(100),
        active: Some(true),
    };
    let std =
        |fee_item_id: i64, name: &str, method: &str, price: &str, cycle: &str| StandardForSave {
            community_id: c,
            fee_item_id,
            name: name.into(),
            method: method.into(),
            price: price.into(),
            tiers: None,
            cycle: Some(cycle.into()),
            cycle_start_month: Some(1),
            due_day: Some(15),
            rounding: None,
            building_ids: vec![],
            use_kinds: vec![],
            unit_states: vec![],
            space_states: vec![],
            vacant_pct: Some(70),
            active: Some(true),
        };
    let wyf =
        billing::save_fee_item(core, sys, item("WYF", "物业服务费", "property", "0.05")).await?;
    billing::save_standard(
        core,
        sys,
        None,
        std(
            wyf.id,
            "住宅物业服务费",
            "building_area",
            "2.35",
            "quarterly",
        ),
    )
    .await?;
    let park = billing::save_fee_item(core, sys, item("TCF", "车位管理费", "parking", "0")).await?;
    billing::save_standard(
        core,
        sys,
        None,
        std(park.id, "地下车位管理费", "per_space", "150", "monthly"),
    )
    .await?;
    billing::save_fee_item(core, sys, item("ZXWX", "专项维修资金", "fund", "0")).await?;
    for period in ["2026-07", "2026-10"] {
        billing::post(
            core,
            sys,
            BillRunForCreate {
                community_id: c,
                period: period.into(),
            },
        )
        .await?;
    }
    // Many paid the third quarter; a few paid ahead; the rest are in arrears.
    let cashier = auth::load_ctx(core, cashier).await?;
    for (i, (unit, _)) in households.iter().enumerate().take(40) {
        let owed = billing::owed(core, &cashier, *unit).await?;
        let Some(first) = owed.charges.first() else {
            continue;
        };
        let amount = match i % 4 {
            0 => first.outstanding() + 20_000,
            1 | 2 => first.outstanding(),
            _ => continue,
        };
        billing::pay(
            core,
            &cashier,
            PaymentForCreate {
                unit_id: *unit,
                method: ["cash", "wechat", "alipay"][i % 3].into(),
                amount: crate::shared::money::Money(amount).to_string(),
                payer: "业主".into(),
                charge_ids: vec![],
                note: None,
                idempotency_key: Some(format!("demo-{i}")),
                paid_at: None,
            },
        )
        .await?;
    }
    crate::billing::accrue_now(core, sys, c).await?;
    Ok(())
}
