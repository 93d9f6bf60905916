//! Every SQL text of billing: fee items, charge standards, bill runs, charges, payments and
//! receipts, meters, late fees, reminders, reports. Services call these functions; no other
//! module queries billing's tables except through them.

pub mod for_portal;
