//! The owner portal (业主端): accounts the service centre opens for owners and residents, their
//! first login with an activation code, and what an owner does on his phone — report a request
//! for one of his units, follow it, rate it when it is done.
//!
//! An owner account is a user of role `owner` tied to one registry person. Its username is
//! `yz` + the person's id (printed on the activation slip with the code): a phone number would
//! put personal data in clear in the users table. The account stays inactive until the owner
//! sets a password with the activation code; five wrong codes void it (the centre issues a new
//! one). An owner sees requests about his units or that he reported, nothing else.

pub mod error;
mod service;
pub(crate) mod store;

pub use service::*;
