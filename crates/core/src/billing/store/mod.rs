//! Every SQL text of billing: fee items, charge standards, bill runs, charges, payments and
//! receipts, meters, late fees, reminders, reports. Services call these functions; no other
//! module queries billing's tables except through them.
//!
//! Split by entity, one file a table or a close group of tables. Row types that a service
//! returns are declared beside their service (they are the API's shapes too); rows only the
//! services read internally are declared here.

pub mod accounts;
pub mod cashier_days;
pub mod charges;
pub mod deposits;
pub mod fee_items;
pub mod late_fees;
pub mod meters;
pub mod opening;
pub mod payments;
pub mod reminders;
pub mod reports;
pub mod runs;
pub mod settings;
pub mod standards;
pub mod switch;
pub mod switch_report;
