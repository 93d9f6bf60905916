//! Notifications that reach people (消息通知, issue 13): one outbox for every module. A change
//! that someone should hear about calls [`enqueue`] inside its own transaction; the message
//! rows commit or roll back with it. The in-app message is written there and then; each outside
//! channel (e-mail, SMS, WeChat) gets an outbox row that the [`worker`] delivers after the
//! commit, leased so that two nodes never take the same row at once, retried with backoff and
//! recorded attempt by attempt.
//!
//! Who gets what: each event declares its audience (owner or staff), its default channels and
//! its placeholders; each person may choose his own channels per event and gives his own
//! addresses (an owner's phone defaults to the registry's); the company may word each event in
//! zh-CN and en. No SMS goes out between 22:00 and 08:00 of the community's day, except an
//! emergency's.

pub mod channels;
pub mod error;
pub mod journal;
mod log;
pub mod model;
mod phones;
mod service;
pub(crate) mod store;
pub mod worker;

pub use log::*;
pub use phones::enqueue_sms;
pub use service::*;
