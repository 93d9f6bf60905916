//! Users, roles and permissions, community assignments, password login with throttling per
//! source address and account, database-stored sessions (any node can serve any user) and
//! per-user API tokens.

pub mod error;
pub mod model;
pub mod service;
pub(crate) mod store;
pub mod throttle;

pub use model::*;
pub use service::*;
pub use throttle::{LoginSource, LoginThrottle};
