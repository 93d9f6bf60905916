//! Move-in (入伙, SPEC §6, issue 15 point 7; seed 000's 客户入伙程序 and its forms). The desk opens
//! a numbered hand-over (RH-000001) for an owner of a unit and prints the 入伙通知书 (the day, what
//! to bring, the fees billing holds for the unit, the steps). On the day it works down the
//! 入伙流转表: identity and purchase documents seen, the service agreement and the 临时管理规约
//! signed, the 业户资料卡 completed — each ticked on the record; the fees are read live from
//! billing; the unit's own keys in the ledger are listed to hand over. The accompanied inspection
//! (房屋验收表) records defects room by room as warranty items for the developer's contractor, with
//! a due day; they are followed on the community's 保修要求处理表 (by contractor and state) until
//! the contractor reports them fixed and the desk verifies them (or opens them again).
//!
//! Completion happens once, in one transaction: every check ticked (422, each named), nothing
//! owed (or a manager's waiver), the hand-over day (today or up to 30 days back), the unit's keys
//! handed over (they leave the ledger), the unit's state set (自住 by default) and billing started
//! on the hand-over day, so the first period is prorated. The owner rates the hand-over once
//! (交房流程满意度调查表: five scores of 1 to 5 and a comment), at the desk or in the portal.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;

pub use service::*;
