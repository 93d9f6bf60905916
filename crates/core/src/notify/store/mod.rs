//! SQL of notifications: the in-app inbox, the outbox and its attempts, and what people chose.

pub(crate) mod inbox;
pub(crate) mod outbox;
pub(crate) mod people;
