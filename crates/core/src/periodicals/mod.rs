//! Newspapers and magazines (报刊征订 · 报刊收发, SPEC §6, issue 15 point 2; seed 000's 邮件/报刊收发).
//!
//! 征订: the centre keeps the community's catalogue of titles it takes orders for (kind, the post
//! office's code 邮发代号, how often it comes out, the monthly price). The desk — or a resident in
//! the portal — subscribes a unit to a title for a span of months (1 to 12, starting this month
//! or within a year) and a number of copies; the price is fixed at that moment (monthly price ×
//! months × copies, exact in fen) and charged to the unit through billing under the community's
//! 报刊订阅 agency item (代收代缴), collected at the cashier like any charge. A subscription is
//! cancelled only while nothing is paid on it and no copy was handed out: its charge is reversed.
//!
//! 收发: each issue the post office brings is recorded once (title, issue label, day, copies
//! received); the subscriptions running in that month get one delivery each, and the shortfall
//! (copies expected − received) is shown to claim from the post office. A delivery is handed out
//! once — signed for by name or put in the box — and never more copies than arrived; the day's
//! issues and their deliveries are the 报刊收发登记表.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::*;
