//! Quality audits (品质核查, SPEC §8, issue 16; seed 001's 物业基础服务管理品质提升方案).
//!
//! The company keeps audit sheets (督导评分细则): sections and items, each with the elements an
//! auditor checks, the item's maximum and the deduction range per missing element. The two sheets
//! of seed 001 ship as templates (客户服务督导评分细则, 100 points, weighing 25 % of the total; 设施设备
//! 维护督导评分细则 as far as the seed goes) and are written for a company the first time its sheets
//! are read; the company edits them and adds its own. A sheet's items are versioned: an edit writes
//! the next version, and an audit keeps the version it pinned.
//!
//! An auditor (品质督导) audits a community with some sheets whose weights sum to 100 %: each item is
//! scored once while the audit is open — every element present or missing, a missing one's
//! deduction inside the item's range, the method (明查/暗访/岗位询问/客户回访/笔试) and a note. A sheet
//! scores (maximum − deductions) / maximum on 100 points, the audit the weighted total, graded by
//! the seed's bands (≤ 79 不及格, 80–90 良好, 91–100 优秀; ≥ 96 earns the team bonus). Sign-off happens
//! once, when every item is scored; a signed-off audit never changes.

pub mod error;
pub mod model;
mod service;
pub(crate) mod store;
pub mod templates;

pub use service::*;
