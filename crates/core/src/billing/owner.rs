//! What an owner sees of billing in the portal: for each unit he owns, what it owes (late fees
//! included), its prepaid balance, its charges and payments, and each payment's receipt.

use serde::Serialize;
use utoipa::ToSchema;

use crate::Core;
use crate::shared::ctx::Ctx;
use crate::shared::error::{CoreError, CoreResult};
use crate::shared::ids::*;

use super::ledger::{Owed, Statement, owed_in, statement_in};
use super::receipts::{Receipt, receipt_in};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OwnerBill {
    pub unit_id: UnitId,
    pub unit_label: String,
    pub owed: Owed,
    pub statement: Statement,
}

/// The units the portal user owns (relation `owner`), in his community.
async fn owned_units(core: &Core, ctx: &Ctx) -> CoreResult<(CommunityId, Vec<UnitId>)> {
    let me = crate::portal::profile(core, ctx).await?;
    let owned = me
        .units
        .iter()
        .filter(|u| u.relation == "owner")
        .map(|u| u.unit_id)
        .collect();
    Ok((me.community_id, owned))
}

/// The billing of each unit the owner owns.
pub async fn owner_billing(core: &Core, ctx: &Ctx) -> CoreResult<Vec<OwnerBill>> {
    let (c, units) = owned_units(core, ctx).await?;
    let mut r = core.db.read();
    let mut out = Vec::new();
    for u in units {
        let owed = owed_in(&mut r, c, u).await?;
        let statement = statement_in(&mut r, c, u).await?;
        out.push(OwnerBill {
            unit_id: u,
            unit_label: owed.unit_label.clone(),
            owed,
            statement,
        });
    }
    Ok(out)
}

/// A receipt of one of the owner's units.
pub async fn owner_receipt(core: &Core, ctx: &Ctx, payment: i64) -> CoreResult<Receipt> {
    let (c, units) = owned_units(core, ctx).await?;
    let mut r = core.db.read();
    match super::store::payments::unit_of(&mut r, c, PaymentId(payment)).await? {
        Some(u) if units.contains(&u) => receipt_in(&mut r, c, payment).await,
        _ => Err(CoreError::NotFound("payment")),
    }
}
