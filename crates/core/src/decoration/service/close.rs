//! The end of the works: acceptance (竣工验收) — failed with a note, or passed once every
//! violation is rectified, setting the unit's state back and revoking the workers' passes — and
//! the deposit refunded after it, less the documented deductions, through billing.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::super::error::DecorationCode;
use super::super::model::{self, DecorationState, InspectionKind};
use super::super::store;
use super::{Decoration, reached, reached_for, record_and_view, state_of, view, yuan_in};
use crate::billing::model::PayMethod;
use crate::registry::model::UnitState;
use crate::shared::error::{CoreError, CoreResult, FieldError};
use crate::shared::ids::*;
use crate::shared::money::Money;
use crate::shared::values::{optional_text, required_text};
use crate::{Core, Ctx, Perm};

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationAcceptance {
    /// Whether the works pass; a failed acceptance is recorded with its note and the works go on.
    pub passed: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// A deduction named at refund (beyond the violations').
#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DeductionForCreate {
    pub reason: String,
    /// Yuan.
    pub amount: String,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, ToSchema)]
pub struct DecorationRefund {
    /// How the rest goes back: cash, wechat, alipay, bank, pos.
    pub method: String,
    #[serde(default)]
    pub deductions: Vec<DeductionForCreate>,
    #[serde(default)]
    pub note: Option<String>,
}

/// The desk records the completion acceptance (`frontdesk.work`).
pub async fn accept_decoration(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationAcceptance,
) -> CoreResult<Decoration> {
    let note = optional_text("note", input.note.as_deref(), 1000)
        .map_err(|e| CoreError::Invalid(vec![e]))?;
    let mut tx = core.db.begin().await?;
    let r = reached(&mut tx, ctx, id).await?;
    let c = r.community_id;
    if state_of(&r)? != DecorationState::Working {
        return Err(CoreError::conflict("state", DecorationCode::NotWorking));
    }
    if input.passed {
        let open = store::violations(&mut tx, c, id)
            .await?
            .iter()
            .filter(|v| v.rectified_at.is_none())
            .count();
        if open > 0 {
            return Err(CoreError::Invalid(vec![
                FieldError::new("violations", DecorationCode::ViolationsOpen).with("count", open),
            ]));
        }
    } else if note.is_none() {
        return Err(CoreError::invalid(
            "note",
            crate::shared::error::CommonCode::Required,
        ));
    }
    let before = view(core, &mut tx, ctx, id).await?;
    let now = Utc::now();
    store::insert_inspection(
        &mut tx,
        c,
        id,
        InspectionKind::Acceptance.code(),
        note.as_deref(),
        ctx.actor(),
        now,
    )
    .await?;
    if input.passed {
        if store::accept(&mut tx, id, note.as_deref(), ctx.actor(), now).await? != 1 {
            return Err(CoreError::conflict("state", DecorationCode::NotWorking));
        }
        // The unit goes back to what it was, unless someone changed it meanwhile.
        let reg = crate::registry::store::for_frontdesk::unit_state(&mut tx, c, r.unit_id).await?;
        if reg.as_deref() == Some(UnitState::Decorating.code()) {
            let back = r
                .unit_state_before
                .clone()
                .filter(|s| s != UnitState::Decorating.code())
                .unwrap_or_else(|| UnitState::Occupied.code().into());
            crate::registry::store::for_frontdesk::set_unit_state(
                &mut tx, c, r.unit_id, &back, now,
            )
            .await?;
        }
        crate::frontdesk::revoke_decoration_passes(&mut tx, c, id).await?;
    }
    record_and_view(core, tx, ctx, id, "decoration_acceptance", Some(&before)).await
}

/// Refunds the deposit after acceptance (`billing.manage`, as any deposit refund), once: the
/// violations' deductions and those named here are kept, the rest paid back out of today's close.
pub async fn refund_decoration_deposit(
    core: &Core,
    ctx: &Ctx,
    id: DecorationId,
    input: DecorationRefund,
) -> CoreResult<Decoration> {
    let mut errs = Vec::new();
    let method = PayMethod::parse("method", &input.method)
        .map_err(|e| errs.push(e))
        .ok();
    let note = optional_text("note", input.note.as_deref(), 500)
        .map_err(|e| errs.push(e))
        .unwrap_or_default();
    let mut named = Vec::new();
    for (i, d) in input.deductions.iter().enumerate().take(20) {
        let reason = required_text(&format!("deductions[{i}].reason"), &d.reason, 200)
            .map_err(|e| errs.push(e))
            .unwrap_or_default();
        let fen = yuan_in(&format!("deductions[{i}].amount"), &d.amount, 10_000_000)
            .map_err(|e| errs.push(e))
            .unwrap_or(0);
        named.push((reason, fen));
    }
    let mut tx = core.db.begin().await?;
    let r = reached_for(&mut tx, ctx, id, Some(Perm::BillingManage)).await?;
    let c = r.community_id;
    if state_of(&r)? != DecorationState::Accepted {
        return Err(CoreError::conflict("state", DecorationCode::NotAccepted));
    }
    let violations = store::violations(&mut tx, c, id).await?;
    let mut lines: Vec<(String, i64)> = violations
        .iter()
        .filter(|v| v.deduction_fen > 0)
        .map(|v| (v.description.clone(), v.deduction_fen))
        .collect();
    lines.extend(named);
    let held = if r.deposit_id.is_some() {
        r.deposit_fen.unwrap_or(0)
    } else {
        0
    };
    let amounts: Vec<i64> = lines.iter().map(|l| l.1).collect();
    let (deducted, refunded) = match model::refund_after(held, &amounts) {
        Ok(x) => x,
        Err(held) => {
            errs.push(
                FieldError::new("deductions", DecorationCode::DeductionTooLarge)
                    .with("max", format!("¥{}", Money(held))),
            );
            (0, 0)
        }
    };
    let Some(method) = method.filter(|_| errs.is_empty()) else {
        return Err(CoreError::Invalid(errs));
    };
    let before = view(core, &mut tx, ctx, id).await?;
    if let Some(dep) = r.deposit_id {
        let kept_note: String = lines
            .iter()
            .map(|(why, fen)| format!("{why} ¥{}", Money(*fen)))
            .collect::<Vec<_>>()
            .join("；");
        let reason = note
            .clone()
            .unwrap_or_else(|| format!("装修 {} 验收合格退押金", r.number));
        crate::billing::switch::deposits::refund_in(
            &mut tx,
            ctx,
            c,
            dep,
            method,
            &reason,
            (
                deducted,
                Some(&kept_note)
                    .filter(|s| !s.is_empty())
                    .map(String::as_str),
            ),
        )
        .await?;
    }
    if store::close(&mut tx, id, deducted, refunded, ctx.actor(), Utc::now()).await? != 1 {
        return Err(CoreError::conflict("state", DecorationCode::NotAccepted));
    }
    record_and_view(core, tx, ctx, id, "decoration_refund", Some(&before)).await
}
