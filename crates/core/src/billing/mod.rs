//! Billing and collection (收费管理): fee items and charge standards, bill runs, the ledger of
//! each unit (charges, reversals, the prepaid balance), payments at the desk with numbered
//! receipts, refunds, and the cashier's daily close. Money is i64 fen everywhere; every rule
//! of arithmetic lives in `model.rs` with hand-computed tests.
//!
//! Paid services done on requests arrive through `pending_charges` (see `tickets::services`):
//! a bill run, or `post_pending`, turns each row into one charge and writes its id back.

pub mod arrears;
pub mod cashier;
pub mod error;
pub mod latefees;
pub mod ledger;
pub mod meters;
pub mod model;
pub mod opening;
pub mod owner;
pub mod payments;
pub mod pdf;
pub mod receipts;
pub mod reports;
pub mod runs;
pub mod setup;
pub mod store;
pub mod switch;
pub mod switch_report;

pub use arrears::*;
pub use cashier::*;
pub use latefees::*;
pub use ledger::*;
pub use meters::*;
pub use model::*;
pub use owner::*;
pub use payments::*;
pub use receipts::*;
pub use reports::*;
pub use runs::*;
pub use setup::*;
pub use switch_report::*;
