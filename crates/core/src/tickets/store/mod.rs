//! Every SQL text of service requests, one file per entity: the requests themselves, their
//! timeline and notices, their SLA clocks, the SLA settings with the company calendar and the
//! scanner's job lease, categories and teams, hotline calls, photos, paid services, statistics.
//! Services call these functions and never write SQL; other modules read requests' tables only
//! through the `for_*` files. Whether a read runs inline on SQLite (`db::inline`) is decided
//! here, per query, so services never choose a path.

pub mod calls;
pub mod clocks;
pub mod events;
pub mod for_billing;
pub mod for_portal;
pub mod photos;
pub mod requests;
pub mod services;
pub mod settings;
pub mod stats;
pub mod teams;

pub use teams::{ensure_categories, seed_categories};

pub(in crate::tickets) use crate::db::in_list;
