//! Switching to wuye (切换上线): what a property centre brings over from its old system besides
//! the arrears — the owners' **opening prepaid balances** (期初预存), the **deposits it holds**
//! (押金: 装修押金 and others) and where each **meter** stood (抄表基数) — each imported from a
//! template .xlsx, all rows or none, previewed before it is posted.
//!
//! - An opening prepaid balance credits the unit's prepaid balance with an entry of kind
//!   `opening` (never a payment: it is money received before the switch, so it is in no daily
//!   close and is income only when it settles a charge), then settles the unit's open charges
//!   like any prepaid money. One per unit (a unique index): a second import of it is refused,
//!   naming the row.
//! - Deposits are their own small register (`deposits.rs`): created at the desk or imported,
//!   refunded once through billing. A deposit is not a charge and not income; the money it moves
//!   at the desk (taken, refunded) is counted in that cashier's daily close.
//! - A meter baseline sets the reading a meter starts from in wuye (its value and date) while
//!   the meter has no reading in wuye; a meter already read is refused, naming the row.
//!
//! Every import checks every row first (unknown unit, bad amount, duplicate line, already
//! imported), reports each problem with its row and Chinese column, and writes nothing unless
//! the whole file is clean and `preview` is off; then one transaction writes it with one audit
//! entry of action `import`.

mod baselines;
pub mod deposits;
mod import_deposits;
mod prepaid;
pub mod sheet;

use serde::Serialize;
use utoipa::ToSchema;

pub use crate::registry::import::ImportRowError;
pub use baselines::*;
pub use deposits::*;
pub use import_deposits::*;
pub use prepaid::*;

crate::error_codes! {
    /// Codes of the switching imports and the deposit register.
    pub enum SwitchCode {
        DepositAlreadyRecorded = "deposit_already_recorded",
        DepositAlreadyRefunded = "deposit_already_refunded",
        DuplicateRow = "duplicate_row",
        MeterAlreadyRead = "meter_already_read",
        MustBeToday = "must_be_today",
        OpeningPrepaidExists = "opening_prepaid_exists",
        PrepaidDisabled = "prepaid_disabled",
        UnknownDepositKind = "unknown_deposit_kind",
    }
}

/// One line an import posts (or, in a preview, would post).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportLine {
    /// The spreadsheet row.
    pub row: usize,
    pub unit_id: i64,
    /// "1栋-1801".
    pub unit_label: String,
    /// The amount in fen (prepaid, deposit); none for a meter baseline.
    pub amount_fen: Option<i64>,
    /// What the line is: the deposit's kind, the meter's kind and reading.
    pub detail: String,
}

/// What an import did, or in a preview would do.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct SwitchReport {
    /// `opening_prepaid`, `deposits` or `meter_baselines`.
    pub kind: String,
    /// True: checked only, nothing written.
    pub preview: bool,
    /// Data rows read (empty rows skipped).
    pub rows: usize,
    /// Lines written (0 in a preview or when a row is wrong).
    pub created: usize,
    /// Σ of the lines' amounts in fen (prepaid, deposits).
    pub total_fen: i64,
    pub lines: Vec<ImportLine>,
    /// Non-empty = nothing was written.
    pub errors: Vec<ImportRowError>,
}

/// The units of the rows, resolved once per distinct label the way the desk resolves them.
pub(super) struct UnitCache(
    std::collections::HashMap<String, Result<crate::shared::ids::UnitId, crate::FieldError>>,
);

impl UnitCache {
    pub(super) fn new() -> Self {
        UnitCache(Default::default())
    }
    /// The unit of `label`, or the resolver's error (`unknown_unit`, `unit_ambiguous`) on `field`.
    pub(super) async fn get(
        &mut self,
        core: &crate::Core,
        ctx: &crate::Ctx,
        c: crate::shared::ids::CommunityId,
        label: &str,
        field: &str,
    ) -> Result<crate::shared::ids::UnitId, crate::FieldError> {
        if !self.0.contains_key(label) {
            let r = crate::shared::resolve::unit_by_label(core, ctx, c, label, field)
                .await
                .map_err(|e| {
                    e.into_iter().next().unwrap_or_else(|| {
                        crate::FieldError::new(
                            field,
                            crate::shared::resolve::ResolveCode::UnknownUnit,
                        )
                    })
                });
            self.0.insert(label.to_string(), r);
        }
        let mut r = self.0.get(label).cloned().unwrap_or_else(|| {
            Err(crate::FieldError::new(
                field,
                crate::shared::resolve::ResolveCode::UnknownUnit,
            ))
        });
        if let Err(e) = &mut r {
            e.field = field.to_string();
        }
        r
    }
}
