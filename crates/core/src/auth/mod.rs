//! Users, roles and permissions, community assignments, password login with throttling,
//! database-stored sessions (any node can serve any user) and per-user API tokens.

pub mod error;
pub mod model;
pub mod service;
pub(crate) mod store;

pub use model::*;
pub use service::*;
