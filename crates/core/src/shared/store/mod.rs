//! The kernel's store: the SQL of the tables every module shares (counters; jobs and the outbox
//! as they come). Domain modules call these functions; none writes these tables itself.

pub mod counters;

pub use counters::{advance_counter, next_counter};
