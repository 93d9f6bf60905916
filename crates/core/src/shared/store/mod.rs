//! The kernel's store: the SQL of the tables every module shares (counters, job leases and
//! claims, idempotency keys; the outbox as it comes). Domain modules call these functions; none
//! writes these tables itself.

pub mod counters;
pub mod idempotency;
pub mod jobs;

pub use counters::{advance_counter, next_counter};
