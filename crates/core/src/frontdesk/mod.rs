//! The front desk (前台, SPEC §6, issue 15): the key ledger and its lending register, parcels and
//! mail held for residents, visitors and passes, small items lent, large items released, venues
//! booked, move-outs checked, and the desk's paid services and lock changes — each in its own file
//! of `service/` (the two below in detail; the others in their module docs).
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
//!
//! Parcels (代收快递 / 邮件): received in seconds for a unit's person (or a name and phone from
//! the label), put on a shelf with a six-digit pick-up code unique among those held (a partial
//! unique index; a code drawn twice is drawn again), told to the recipient through the outbox;
//! picked up by the code or the recipient's ID with a signature drawn on the screen, once;
//! returned to the carrier; those waiting long listed and reminded at most once a day.

pub mod error;
pub mod model;
mod service;

pub(crate) use service::intake::{ParcelQueue, parcel_queue};
pub(crate) mod store;

pub use service::bookings::*;
pub use service::exports::*;
pub use service::keys::*;
pub use service::lending::*;
pub use service::loans::*;
pub use service::moveout_sheet::*;
pub use service::moveouts::*;
pub use service::parcels::*;
pub use service::passes::*;
pub use service::permits::*;
pub use service::release_sheet::*;
pub use service::releases::*;
pub use service::services::*;
pub use service::venues::*;
pub use service::visitors::*;
pub use service::*;
