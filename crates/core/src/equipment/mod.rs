//! Equipment, maintenance and machine rooms (设备台账 / 保养计划 / 机房运行记录, SPEC §5, issue 14
//! points 4–6).
//!
//! The **ledger** keeps each item of a community by system (供配电, 备用发电机, 弱电, 监控, 电梯,
//! 给排水/二次供水, 消防, 照明, 避雷 …): where it is, model, maker, supplier, install and warranty
//! dates, status, documents and photos, and the item it sits in (a pump in a pump room). It is
//! imported from .xlsx all-or-nothing, and each item has a QR label that opens its page.
//!
//! **Maintenance plans** make orders from the calendar (every N days/weeks/months or on given
//! months, counted from the schedule or from the last completion) or from meter readings (every X
//! run hours). A leased job makes the orders ahead of their due date, once per occasion (a unique
//! key), and tells the managers and the assignee once when one is overdue. An order carries its
//! plan's checklist and required attachments; done, it waits for a manager's acceptance (one of
//! two concurrent acceptances wins). The manuals' default cycles (seed 002) are adopted in one
//! step as plans of whole systems.
//!
//! **Machine rooms** keep run and duty logs (readings with limits, flagged outside them), visitor
//! records, and per CCTV system the days of footage kept (flagged below 7).
//!
//! Other modules call [`record_reading_tx`] (patrols: a reading taken on a round, in the round's
//! transaction) and [`attention`] (the shift handover: abnormal items and overdue orders).

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::files::*;
pub use service::import::*;
pub use service::labels::*;
pub use service::orders::*;
pub use service::plans::*;
pub use service::readings::*;
pub use service::rooms::*;
pub use service::*;
