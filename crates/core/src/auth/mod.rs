//! Users, roles and permissions, community assignments, password login with throttling,
//! database-stored sessions (any node can serve any user) and per-user API tokens.

pub mod model;
pub mod service;
mod store;

pub use model::*;
pub use service::*;
