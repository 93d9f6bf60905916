//! The registry (业户档案): communities, buildings, units, people (owners, household members,
//! tenants), vehicles, parking spaces, vacant-unit keepers and inspections, key customers.
//! Phone and ID numbers are stored encrypted with a blind index; they leave this module masked,
//! and only `reveal_person` returns them in clear (audit-logged).

pub mod error;
pub mod export;
pub mod import;
pub mod model;
pub mod service;
pub(crate) mod store;

pub use model::*;
pub use service::*;
