//! The front desk (前台, SPEC §6, issue 15): the key ledger and its lending register so far.
//!
//! Keys (钥匙台账, seed 001 钥匙管理: labelled, stored centrally, a list kept, one keeper, not lent
//! at will): a community's cabinets each have one keeper; every key carries a code on its tag,
//! what it opens (a unit, a machine room, a common door) and its position in a cabinet. The
//! lending register (钥匙领用登记表) records who took it, why, when it is due back, when it came
//! back and to whom; a key out cannot be lent again (a partial unique index settles two desks
//! lending it at once). Owners' spare keys deposited with the centre (业主寄存钥匙) are lent only
//! against an authorisation the owner gave and the desk recorded. Keys past their due time are
//! flagged on the register, told to the borrower and the cabinet's keeper once by the job, and
//! listed on every handover while out.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::keys::*;
pub use service::loans::*;
pub use service::*;
